"""Dates and units reach the readers as data, not as text to rewrite (issue 10: "nothing downstream
parses a string the engine wrote").

The engine's resistance reasons, notes and class summaries carry their dates as parts
(``reason_parts`` ...) beside the ISO text the JSON has always had; a patient value carries its number
and unit apart. The clinician report and the panel print the dates in the one date format of the
report, month-only dates as "Feb 2024", without a regular expression over the engine's words.
"""

from __future__ import annotations

import json
import re
from datetime import date
from typing import Any, Iterator

import pytest

from ixdesk.core.assessment import Assessment, TextPart
from ixdesk.core.consult import Consult
from ixdesk.core.criteria import default_criteria
from ixdesk.core.engine import assess
from ixdesk.present.clinician import build_clinician_report
from ixdesk.present.findings import value_text
from ixdesk.present.formats import fmt_parts
from ixdesk.present.sections import present, resistance_rows
from ixdesk.present.settings import ReportSettings

from .helpers import STEMS, assessed, example

ISO = re.compile(r"\b\d{4}-\d{2}(?:-\d{2})?\b")


def _iso_text(parts: list[TextPart]) -> str:
    return "".join(p.text if p.date is None else p.date.isoformat() for p in parts)


def _month_only() -> Consult:
    """Example 01 with regimen 2's last dose known to the month only, and no consult date."""
    data = example("01").model_dump(mode="json")
    data["regimens"][1]["last_dose_date"] = "2022-06"
    data["consult_date"] = None
    return Consult.model_validate_json(json.dumps(data))


def _month_only_assessed() -> Assessment:
    return assess(_month_only(), default_criteria(), as_of=date(2026, 11, 18))


@pytest.mark.parametrize("stem", STEMS)
def test_the_parts_are_the_json_text_with_its_dates_apart(stem: str) -> None:
    a = assessed(stem)
    for c in a.resistance:
        assert _iso_text(c.summary_parts) == c.summary
        for rr in c.regimens:
            assert _iso_text(rr.reason_parts) == rr.reason and rr.reason
            assert [_iso_text(n) for n in rr.notes_parts] == rr.notes
    assert [_iso_text(n) for n in a.data_notes_parts] == a.data_notes


def test_a_reason_with_dates_has_them_as_date_parts() -> None:
    rr = next(r for c in assessed("01").resistance for r in c.regimens if r.window_end is not None)
    dated = [p.date for p in rr.reason_parts if p.date is not None]
    assert dated and rr.window_end is not None and dated[-1] == rr.window_end
    assert all(not ISO.search(p.text) for p in rr.reason_parts)


def test_month_only_and_missing_consult_date_parts() -> None:
    a = _month_only_assessed()
    taxane = next(c for c in a.resistance if c.drug_class == "taxane")
    reason = fmt_parts(taxane.regimens[0].reason_parts)
    assert "Jun 2022" in reason and not ISO.search(reason), reason
    assert any("18 Nov 2026" in fmt_parts(n) for n in a.data_notes_parts)
    assert any("2026-11-18" in n for n in a.data_notes)  # the JSON keeps its ISO text


def _strings(node: Any) -> Iterator[str]:
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for v in node.values():
            yield from _strings(v)
    elif isinstance(node, (list, tuple)):
        for v in node:
            yield from _strings(v)


@pytest.mark.parametrize("which", ["examples", "month_only"])
def test_the_clinician_report_prints_no_iso_date(which: str) -> None:
    crit = default_criteria()
    cases = ([(example(s), assessed(s)) for s in STEMS] if which == "examples"
             else [(_month_only(), _month_only_assessed())])
    for consult, a in cases:
        r = build_clinician_report(consult, a, crit, ReportSettings(), date(2026, 12, 3))
        # every text the report prints (typed date fields are data the renderer formats)
        found = [t for t in _strings(r.model_dump()) if ISO.search(t)]
        assert not found, found[:5]


def test_the_panel_resistance_rows_print_the_one_date_format() -> None:
    a = _month_only_assessed()
    texts: list[str] = []

    def walk(rows: tuple) -> None:  # type: ignore[type-arg]
        for r in rows:
            texts.append(r.text)
            walk(r.children)

    walk(resistance_rows(a.resistance))
    assert texts and not any(ISO.search(t) for t in texts), [t for t in texts if ISO.search(t)][:3]
    assert any("Jun 2022" in t for t in texts)
    assert not any(ISO.search(n) for n in present(a).data_notes)


def test_the_labs_date_value_is_printed_in_the_one_format() -> None:
    data = example("01").model_dump(mode="json")
    data["labs"]["date"] = "2026-10-01"
    a = assess(Consult.model_validate_json(json.dumps(data)), default_criteria())
    vals = [v for f in a.findings for v in f.values if v.field == "labs.date"]
    assert vals and all(v.value.startswith("2026-10-01") for v in vals)  # JSON unchanged
    assert all(value_text(v).startswith("1 Oct 2026") for v in vals)
    steps = [s.text for f in present(a).findings.values() for s in f.basis.conditions for s in (s, *s.children)]
    assert any("Labs drawn: 1 Oct 2026" in t for t in steps) and not any("2026-10-01" in t for t in steps)


def test_a_lab_value_carries_its_number_and_unit_apart() -> None:
    v = next(v for v in assessed("04").finding("exclusion.neutrophils").values if v.field == "labs.neutrophils")
    assert (v.number, v.unit) == (1.2, "× 10⁹/L")
    assert v.value == "1.2 × 10⁹/L = 1,200 cells/mm³"
    view = present(assessed("04")).findings["exclusion.neutrophils"].basis.values[0]
    assert (view.number, view.unit, view.value) == (1.2, "× 10⁹/L", v.value)
    ast = next(v for f in assessed("03").findings for v in f.values if v.field == "labs.ast")
    assert ast.unit == "U/L" and ast.number is not None and ast.value.startswith(f"{ast.number:g} U/L")
    words = next(v for v in assessed("01").findings[0].values if v.field == "disease.extent")
    assert (words.number, words.unit) == (None, "")


def test_no_date_rewriting_is_left_in_the_layer() -> None:
    import ixdesk.present.clinician as clinician

    assert not hasattr(clinician, "one_date_format")
