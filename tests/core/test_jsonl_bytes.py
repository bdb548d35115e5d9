"""``--jsonl`` writes, per line, exactly the bytes it wrote with pydantic's ``model_dump_json``.

The batch encodes the assessment with orjson (``Assessment.json_bytes``) for speed; these tests hold
it to pydantic's bytes on the examples, the engine digests' 500 mutated consults, month-only dates
and consults with a course, and hold each ``--jsonl`` line to the per-file ``--json`` result."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from ixdesk.cli import _course_policy, _decision, _next_cycle, _overrides, main
from ixdesk.core.consult import Consult
from ixdesk.core.criteria import default_criteria
from ixdesk.core.engine import assess
from tests.conftest import EXAMPLES
from tests.core.engine_snapshot import cases

EX1 = EXAMPLES / "01-combination-after-anthracycline-and-taxane.json"


def _extra_consults() -> list[Consult]:
    """A month-only regimen date, and example 01 with a course (two cycles, the next one's labs)."""
    base = json.loads(EX1.read_text(encoding="utf-8"))
    month_only = json.loads(json.dumps(base))
    month_only["regimens"][0]["last_dose_date"] = "2022-03"
    course = {**json.loads(json.dumps(base)), "schema_version": 2, "course": {
        "cycles_given": [{"number": 1, "date": "2026-11-18", "weight_kg": 68, "ixabepilone_mg_per_m2": 40},
                         {"number": 2, "date": "2026-12-09", "weight_kg": 68, "ixabepilone_mg_per_m2": 32}],
        "next_cycle": {"planned_date": "2026-12-30", "weight_kg": 67, "labs": {
            "date": "2026-12-30", "neutrophils": {"value": 1400}, "platelets": {"value": 90000}},
            "medications": [], "toxicity": {"febrile_neutropenia": True}}}}
    return [Consult.model_validate_json(json.dumps(d)) for d in (month_only, course)]


def _all() -> list[tuple[str, Consult]]:
    return [*cases(), *((f"extra{i}", c) for i, c in enumerate(_extra_consults()))]


def test_json_bytes_are_pydantics_bytes() -> None:
    crit = default_criteria()
    differ = []
    for name, c in _all():
        a = assess(c, crit, c.consult_date or date(2026, 11, 18))
        if a.json_bytes() != a.model_dump_json().encode():
            differ.append(name)
    assert not differ, f"{len(differ)} differ, e.g. {differ[:5]}"


def test_a_month_only_date_is_written_as_the_month() -> None:
    c = _extra_consults()[0]
    a = assess(c, default_criteria())
    assert b'"last_dose_date":"2022-03"' in a.json_bytes()


@pytest.fixture
def batch(tmp_path: Path) -> tuple[Path, list[Consult]]:
    chosen = [c for i, (_, c) in enumerate(_all()) if i < 7 or i % 25 == 0 or i >= 7 + 500]
    f = tmp_path / "batch.jsonl"
    f.write_text("\n".join(c.model_dump_json() for c in chosen) + "\n", encoding="utf-8")
    return f, chosen


def test_each_jsonl_line_is_the_old_line_byte_for_byte(batch: tuple[Path, list[Consult]],
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    f, chosen = batch
    assert main(["assess", "--jsonl", str(f)]) == 0
    got = capsys.readouterr().out.splitlines(keepends=True)
    assert len(got) == len(chosen)
    crit = default_criteria()
    for n, (line, c) in enumerate(zip(got, chosen, strict=True), start=1):
        a = assess(c, crit)
        # the line as --jsonl wrote it before: the line's keys, then pydantic's own JSON
        want = (json.dumps({"file": str(f), "line": n}, ensure_ascii=False)[:-1] + ", " + a.model_dump_json()[1:-1]
                + ', "decision": ' + json.dumps(_decision(a), ensure_ascii=False)
                + ', "next_cycle": ' + json.dumps(_next_cycle(c, crit, a, _course_policy()), ensure_ascii=False)
                + ', "overrides": ' + json.dumps(_overrides(c, a), ensure_ascii=False) + "}\n")
        assert line == want, f"line {n}"


def test_each_jsonl_line_holds_the_per_file_json(batch: tuple[Path, list[Consult]], tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    f, chosen = batch
    assert main(["assess", "--jsonl", str(f)]) == 0
    lines = [json.loads(s) for s in capsys.readouterr().out.splitlines()]
    for n, c in enumerate(chosen[:: max(1, len(chosen) // 8)]):
        one = tmp_path / f"c{n}.json"
        one.write_text(c.model_dump_json(), encoding="utf-8")
        assert main(["assess", str(one), "--json"]) == 0
        per_file: dict[str, Any] = json.loads(capsys.readouterr().out)
        line = lines[chosen.index(c)]
        assert {k: v for k, v in line.items() if k not in ("file", "line")} == \
            {k: v for k, v in per_file.items() if k != "file"}


@pytest.mark.parametrize("layer", ["bytes", "text"])
def test_jsonl_lines_keep_their_order_through_the_byte_layer(
        layer: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Errors and assessments come out in input order, whether the output has a byte layer
    (a file, the standard output: the assessments' UTF-8 is written to it as is) or not (a
    StringIO), and a line written before the batch stays first."""
    import io
    import sys

    good = " ".join(EX1.read_text(encoding="utf-8").split())
    src = tmp_path / "b.jsonl"
    src.write_text("\n".join(["{not json", good, "[]", good, "{bad"]) + "\n", encoding="utf-8")
    raw = io.BytesIO()
    out: Any = io.TextIOWrapper(raw, encoding="utf-8", write_through=False) if layer == "bytes" else io.StringIO()
    out.write("before\n")  # held in the text layer when the batch starts
    monkeypatch.setattr(sys, "stdout", out)
    monkeypatch.setattr(sys, "stderr", io.StringIO())
    assert main(["assess", "--jsonl", str(src)]) == 2
    out.flush()
    text = raw.getvalue().decode("utf-8") if layer == "bytes" else out.getvalue()
    first, *lines = text.splitlines()
    assert first == "before"
    rows = [json.loads(ln) for ln in lines]
    assert [r["line"] for r in rows] == [1, 2, 3, 4, 5]
    assert ["error" in r for r in rows] == [True, False, True, False, True]
    assert rows[1]["findings"] and rows[1] == rows[3] | {"line": 2}


def test_a_file_name_that_is_not_utf8_does_not_stop_the_batch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """POSIX file names may hold bytes that are not UTF-8 (Python gives them as surrogate escapes);
    the standard output writes them back as those bytes, and so must the byte layer."""
    import io
    import os
    import sys

    if os.name != "posix" or sys.getfilesystemencodeerrors() != "surrogateescape":
        pytest.skip("file names as bytes are a POSIX matter")
    good = " ".join(EX1.read_text(encoding="utf-8").split())
    name = os.fsdecode(b"bad\xff.jsonl")
    src = tmp_path / name
    src.write_text(good + "\n{bad\n", encoding="utf-8")
    raw = io.BytesIO()
    out = io.TextIOWrapper(raw, encoding="utf-8", errors="surrogateescape")
    monkeypatch.setattr(sys, "stdout", out)
    monkeypatch.setattr(sys, "stderr", io.StringIO())
    assert main(["assess", "--jsonl", str(src)]) == 2  # the bad line's error, not an internal one
    out.flush()
    lines = raw.getvalue().split(b"\n")[:-1]
    assert len(lines) == 2 and all(b"bad\xff.jsonl" in ln for ln in lines)
    assert b'"findings"' in lines[0] and b'"error"' in lines[1]


def test_a_terminal_or_line_buffered_output_keeps_the_text_layer() -> None:
    """Lines written to a terminal (line buffered) appear as they are written, beside the errors
    on stderr: they go through the text layer. A file or a pipe gets the bytes directly."""
    import io

    from ixdesk.cli import _byte_writer

    class Recording(io.TextIOWrapper):
        texts: list[str] = []

        def write(self, s: str) -> int:
            self.texts.append(s)
            return super().write(s)

    line_buffered = Recording(io.BytesIO(), encoding="utf-8", line_buffering=True)
    _byte_writer(line_buffered)(b"one\n")
    assert line_buffered.texts == ["one\n"]
    plain = Recording(io.BytesIO(), encoding="utf-8")
    plain.texts = []
    _byte_writer(plain)(b"two\n")
    assert plain.texts == [] and plain.buffer.getvalue() == b"two\n"
