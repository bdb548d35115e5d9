"""``ixdesk assess FILE`` (text): the layer's words laid out, in the window's order."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from ixdesk.cli import render_text
from ixdesk.core.criteria import default_criteria
from ixdesk.present.sections import present

from .helpers import STEMS, assessed


@pytest.mark.parametrize("stem", STEMS)
def test_text_follows_the_sections_and_keeps_other_plans_last(stem: str) -> None:
    a = assessed(stem)
    p = present(a, default_criteria())
    text = render_text(a, "x.json", default_criteria())
    at = [text.index("\n" + s.title) for s in p.sections]
    assert at == sorted(at)
    if p.other_plans:
        other = text.index("For the other plans")
        assert other > at[-1]
        for v in p.other_plans:
            assert text.index(v.line("cli")) > other, v.id
    for v in p.findings.values():
        assert v.line("cli") in text, v.id
    assert text.splitlines()[3].strip() == p.key_points[0].text


@pytest.mark.parametrize("stem", STEMS)
def test_no_double_negatives_no_ascii_units(stem: str) -> None:
    text = render_text(assessed(stem), "x.json", default_criteria())
    assert "[ not met ] Not present" not in text and "Not present:" not in text
    assert not re.search(r"mm3\b|\d x ULN|<=|>=|mg/m2\b", text), stem
    assert "NCCN pathways" not in text
    assert "missing: pregnant" not in text


def test_dates_in_the_header_use_the_one_format() -> None:
    text = render_text(assessed("01"), "x.json")
    assert "as of 18 Nov 2026" in text


@pytest.mark.parametrize("stem, kind", [("01", "ready"), ("04", "on_hold"), ("05", "outside_label"), ("07", "not_decided")])
def test_json_adds_the_decision_and_keeps_every_field(stem: str, kind: str, capsys: pytest.CaptureFixture[str],
                                                      tmp_path: Path) -> None:
    from ixdesk.cli import main
    from ixdesk.core.assessment import Assessment
    from ixdesk.paths import examples_dir

    path = next(p for p in examples_dir().glob("*.json") if p.name.startswith(stem))
    assert main(["assess", "--json", str(path)]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["decision"]["kind"] == kind
    assert set(Assessment.model_fields) <= set(data)
    assert data["next_cycle"] is None  # issue 11: added beside decision; the examples have no course
    assert data["overrides"] == []  # issue 12: the clinicians' overrides, beside the findings; none here
    again = {k: v for k, v in data.items() if k not in ("file", "decision", "next_cycle", "overrides")}
    assert Assessment.model_validate(again) == assessed(stem)  # the rest is the assessment, unchanged
    batch = tmp_path / "b.jsonl"
    batch.write_text(path.read_text(encoding="utf-8").replace("\n", " ") + "\n", encoding="utf-8")
    assert main(["assess", "--jsonl", str(batch)]) == 0
    line = json.loads(capsys.readouterr().out.splitlines()[0])
    assert line["decision"] == data["decision"] and line["line"] == 1
    if kind == "on_hold":
        assert data["decision"]["holds"] == ["exclusion.neutrophils"] and not data["decision"]["dose_may_be_given"]
    if kind == "not_decided":
        assert {"field": "labs.platelets", "label": "Platelets"} in data["decision"]["waiting_for"]
