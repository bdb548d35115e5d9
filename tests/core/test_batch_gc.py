"""The CLI batch runs with the loaded criteria frozen out of the cyclic collector, and undoes it."""

from __future__ import annotations

import gc
from pathlib import Path
from typing import Any

import pytest

import ixdesk.core.engine as engine
from ixdesk.cli import main
from tests.conftest import EXAMPLES

EX1 = EXAMPLES / "01-combination-after-anthracycline-and-taxane.json"


def test_assessments_of_a_batch_run_frozen_and_the_collector_is_restored(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    seen: list[tuple[int, int]] = []
    real = engine.assess

    def spy(*a: Any, **k: Any) -> Any:
        seen.append((gc.get_freeze_count(), gc.get_threshold()[0]))
        return real(*a, **k)

    monkeypatch.setattr(engine, "assess", spy)
    # from a process where nothing is frozen yet (a window opened by an earlier test froze its own
    # objects, which the batch leaves frozen by design): refrozen at the end, as it was
    was_frozen = gc.get_freeze_count() > 0
    gc.unfreeze()
    before = (gc.get_freeze_count(), gc.get_threshold())
    f = tmp_path / "b.jsonl"
    f.write_text(" ".join(EX1.read_text(encoding="utf-8").split()) + "\n", encoding="utf-8")
    for argv in (["assess", "--jsonl", str(f)], ["assess", str(EX1), "--json"]):
        assert main(argv) == 0
    capsys.readouterr()
    assert len(seen) == 2
    assert all(frozen > 0 and threshold == engine.BATCH_GC_THRESHOLD for frozen, threshold in seen)
    after = (gc.get_freeze_count(), gc.get_threshold())
    if was_frozen:
        gc.freeze()
    assert after == before


def test_an_assessment_leaves_no_cyclic_garbage() -> None:
    """Everything an assessment builds is freed by reference counting the moment its output is
    dropped: a cycle (a closure that calls itself, an object that points to itself) is left for
    the cyclic collector, whose passes are what made the p99 of assess() many times its median."""
    from datetime import date

    from ixdesk.core.course import assess_next_cycle
    from ixdesk.core.criteria import default_criteria
    from ixdesk.core.files import parse_consult

    crit = default_criteria()
    consults = [parse_consult(p.read_text(encoding="utf-8")) for p in sorted(EXAMPLES.glob("*.json"))]
    for c in consults:  # warm every lazy cache first: a cache's own objects are not garbage
        engine.assess(c, crit)
        assess_next_cycle(c, crit, date(2026, 12, 30))
    gc.collect()
    old = gc.get_debug()
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        for c in consults:
            engine.assess(c, crit)
            assess_next_cycle(c, crit, date(2026, 12, 30))
        gc.collect()
        left = [type(o).__name__ for o in gc.garbage]
    finally:
        gc.set_debug(old)
        gc.garbage.clear()
    assert left == []
