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
    before = (gc.get_freeze_count(), gc.get_threshold())
    f = tmp_path / "b.jsonl"
    f.write_text(" ".join(EX1.read_text(encoding="utf-8").split()) + "\n", encoding="utf-8")
    for argv in (["assess", "--jsonl", str(f)], ["assess", str(EX1), "--json"]):
        assert main(argv) == 0
    capsys.readouterr()
    assert len(seen) == 2
    assert all(frozen > 0 and threshold == engine.BATCH_GC_THRESHOLD for frozen, threshold in seen)
    assert (gc.get_freeze_count(), gc.get_threshold()) == before
