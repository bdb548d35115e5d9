"""Overrides as readers see them: beside the computed result in the CLI, the JSON, the clinician
report and the nurse checklist; stale ones named with both states; the decision never changed."""

from __future__ import annotations

import io
import json
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from pypdf import PdfReader

from ixdesk.core.consult import Consult, CountLab
from ixdesk.core.criteria import default_criteria
from ixdesk.core.engine import assess
from ixdesk.core.files import save_consult
from ixdesk.core.overrides import Override, finding_values, load_reason_codes, record_override
from ixdesk.present.clinician import build_clinician_report
from ixdesk.present.decision import decision_state
from ixdesk.present.nurse import build_nurse_report
from ixdesk.present.overrides import override_view
from ixdesk.present.sections import present
from ixdesk.present.settings import ReportSettings
from ixdesk.present.verdict import build_verdict
from tests.present.helpers import example

AT = datetime(2026, 12, 3, 10, 14, tzinfo=timezone(timedelta(hours=1)))
COMMENT = "ANC 1,650 on repeat this morning per lab note"
REASON = "Clinical judgement from notes not captured in the consult"
LINE = f"Computed: applies · Overridden by Dr X, 3 Dec 2026 10:14: {COMMENT} (reason: {REASON}) · confirmed twice"
PRINTED = date(2026, 12, 3)


def _override(c: Consult, fid: str, kind: str = "overridden", code: str = "clinical-judgement-notes",
              comment: str | None = COMMENT) -> Consult:
    crit = default_criteria()
    a = assess(c, crit)
    f = a.finding(fid)
    o = Override(finding_id=fid, finding_title=f.title, kind=kind, reason=load_reason_codes().coding(code),  # type: ignore[arg-type]
                 comment=comment, user="Dr X", at=AT, computed_state_at_the_time=f.state,
                 confirmed_twice=f.kind == "exclusion", values_at_the_time=finding_values(f))
    return record_override(c, o, a, load_reason_codes())[0]


def _held() -> Consult:
    """Example 04 (on hold: neutrophils 1,200/mm³) with the contraindication overridden."""
    return _override(example("04"), "exclusion.neutrophils")


def _stale() -> Consult:
    c = _held()
    return c.model_copy(update={"labs": c.labs.model_copy(update={"neutrophils": CountLab(value=1.6, unit="10^9/L")})})


def _pdf_text(data: bytes) -> str:
    return " ".join(" ".join(p.extract_text() or "" for p in PdfReader(io.BytesIO(data)).pages).split())


# --- the decision and the verdict ----------------------------------------------------------------

def test_an_overridden_contraindication_keeps_the_consult_on_hold_and_says_so() -> None:
    c = _held()
    crit = default_criteria()
    a = assess(c, crit)
    assert decision_state(a).kind == "on_hold" and not decision_state(a).dose_may_be_given
    v = build_verdict(a, c, crit)
    assert v.kind == "on_hold" and not v.dose_is_order
    assert v.headline.startswith("On hold: ") and v.headline.endswith("— contraindication overridden by Dr X")
    assert v.override_note == "contraindication overridden by Dr X"
    p = present(a, crit, c.overrides)
    assert "contraindication overridden by Dr X" in p.key_points[0].text
    view = p.findings["exclusion.neutrophils"]
    assert view.reading == "applies" and view.override is not None and view.override.line == LINE
    # without the consult's overrides nothing is said
    assert "overridden" not in build_verdict(a, example("04"), crit).headline


def test_a_stale_override_names_the_old_and_the_new_state_and_no_longer_speaks_for_the_hold() -> None:
    c = _stale()
    crit = default_criteria()
    a = assess(c, crit)
    v = override_view(c.overrides[0], a)
    assert v.stale and v.computed_then == "applies" and v.computed_now == "does not apply"
    assert v.line.startswith("STALE: recorded when the computed result was 'applies'; it is now 'does not apply'.")
    assert "overridden by" not in build_verdict(a, c, crit).headline


def test_a_stale_override_with_the_same_result_names_the_values_then_and_now(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from ixdesk.cli import main

    c = _held()
    c = c.model_copy(update={"labs": c.labs.model_copy(update={"neutrophils": CountLab(value=0.4, unit="10^9/L")})})
    a = assess(c, default_criteria())
    v = override_view(c.overrides[0], a)
    assert v.stale and v.computed_then == v.computed_now == "applies"
    assert v.line.startswith("STALE: recorded when the computed result was 'applies' with Neutrophils: 1.2 × 10⁹/L = "
                             "1,200 cells/mm³; it is still 'applies', but now with Neutrophils: 0.4 × 10⁹/L = 400 "
                             "cells/mm³.")
    n = build_nurse_report(c, a, default_criteria(), ReportSettings(), PRINTED)
    assert "STALE" in n.contraindication_overrides[0] and not any("OVERRIDDEN" in x for x in n.alerts)
    path = tmp_path / "c.json"
    save_consult(c, path)
    assert main(["assess", "--json", str(path)]) == 0
    (o,) = json.loads(capsys.readouterr().out)["overrides"]
    assert o["stale"] is True and o["current_state"] == "met"
    assert o["values_then"] == ["Neutrophils: 1.2 × 10⁹/L = 1,200 cells/mm³"]
    assert o["values_now"] == ["Neutrophils: 0.4 × 10⁹/L = 400 cells/mm³"]


def test_an_override_of_a_finding_no_longer_computed_is_still_shown() -> None:
    c = _held()
    o = c.overrides[0].model_copy(update={"finding_id": "exclusion.retired_rule", "finding_title": "A retired rule"})
    c = c.model_copy(update={"overrides": [o]})
    from ixdesk.present.text import assessment_text

    text = assessment_text(assess(c, default_criteria()), "x.json", default_criteria(), c.overrides)
    assert "Overrides of findings no longer computed" in text
    assert "A retired rule: STALE: recorded when the computed result was 'applies'; it is now 'no longer computed'" in text


# --- the command line and the JSON ---------------------------------------------------------------

def test_json_carries_the_computed_finding_and_the_override(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from ixdesk.cli import main

    path = tmp_path / "c.json"
    save_consult(_held(), path)
    assert main(["assess", "--json", str(path)]) == 0
    data = json.loads(capsys.readouterr().out)
    f = next(x for x in data["findings"] if x["id"] == "exclusion.neutrophils")
    assert f["state"] == "met" and data["decision"]["kind"] == "on_hold"  # computed, unchanged
    assert "exclusion.neutrophils" in data["blocking"]
    (o,) = data["overrides"]
    assert o["finding_id"] == "exclusion.neutrophils" and o["kind"] == "overridden"
    assert o["reason"]["code"] == "clinical-judgement-notes" and o["comment"] == COMMENT
    assert o["computed_state_at_the_time"] == "met" and o["current_state"] == "met" and o["stale"] is False
    assert o["confirmed_twice"] is True and o["contraindication"] is True
    assert o["feedback"] == {
        "card": "exclusion.neutrophils", "outcome": "overridden", "outcomeTimestamp": "2026-12-03T10:14:00+01:00",
        "overrideReason": {"reason": o["reason"], "userComment": COMMENT}, "ixdesk_kind": "overridden"}
    batch = tmp_path / "b.jsonl"
    batch.write_text(path.read_text(encoding="utf-8").replace("\n", " ") + "\n", encoding="utf-8")
    assert main(["assess", "--jsonl", str(batch)]) == 0
    assert json.loads(capsys.readouterr().out)["overrides"] == data["overrides"]
    assert main(["assess", str(path)]) == 0
    assert LINE in capsys.readouterr().out


def test_json_marks_a_stale_override(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from ixdesk.cli import main

    path = tmp_path / "c.json"
    save_consult(_stale(), path)
    assert main(["assess", "--json", str(path)]) == 0
    (o,) = json.loads(capsys.readouterr().out)["overrides"]
    assert o["stale"] is True and o["computed_state_at_the_time"] == "met" and o["current_state"] == "not_met"


def test_json_without_overrides_has_an_empty_list(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from ixdesk.cli import main

    path = tmp_path / "c.json"
    save_consult(example("04"), path)
    assert main(["assess", "--json", str(path)]) == 0
    assert json.loads(capsys.readouterr().out)["overrides"] == []


# --- the clinician report ------------------------------------------------------------------------

def test_the_clinician_report_prints_computed_and_override() -> None:
    from ixdesk.reports import render

    c = _held()
    crit = default_criteria()
    a = assess(c, crit)
    r = build_clinician_report(c, a, crit, ReportSettings(), PRINTED)
    assert r.state == "on_hold"
    assert r.verdict.startswith("On hold:")
    assert "Contraindication overridden by Dr X; the computed decision stays on hold." in r.verdict
    (row,) = [f for f in r.blocking if f.id == "exclusion.neutrophils"]
    assert row.state == "met" and row.state_text == "Applies" and row.override == LINE
    assert [(o.title, o.text, o.stale) for o in r.overrides] == [(row.title, LINE, False)]
    text = _pdf_text(render("clinician", c, a, crit, ReportSettings(), PRINTED))
    assert "Computed: applies · Overridden by Dr X, 3 Dec 2026 10:14:" in text
    assert f"(reason: {REASON})" in text and "Overrides and acknowledgements" in text


def test_the_clinician_report_prints_an_acknowledged_warning_beside_it() -> None:
    c = _override(example("04"), "warning.neuropathy", kind="acknowledged", code="risk-discussed-will-monitor",
                  comment="grade 1, stable; discussed")
    crit = default_criteria()
    r = build_clinician_report(c, assess(c, crit), crit, ReportSettings(), PRINTED)
    (row,) = [f for f in r.warnings if f.id == "warning.neuropathy"]
    assert row.override == ("Computed: applies · Acknowledged by Dr X, 3 Dec 2026 10:14: grade 1, stable; discussed "
                            "(reason: Risk discussed with the patient; will monitor)")
    assert "overridden" not in r.verdict  # an acknowledged warning says nothing about the hold


def test_the_clinician_report_says_when_an_override_is_stale() -> None:
    c = _stale()
    crit = default_criteria()
    r = build_clinician_report(c, assess(c, crit), crit, ReportSettings(), PRINTED)
    (o,) = r.overrides
    assert o.stale and o.text.startswith("STALE: recorded when the computed result was 'applies'; it is now "
                                         "'does not apply'")


def test_a_report_without_overrides_has_none() -> None:
    c = example("04")
    crit = default_criteria()
    r = build_clinician_report(c, assess(c, crit), crit, ReportSettings(), PRINTED)
    assert r.overrides == [] and all(not f.override for f in r.blocking + r.warnings)
    n = build_nurse_report(c, assess(c, crit), crit, ReportSettings(), PRINTED)
    assert n.contraindication_overrides == []


# --- the nurse checklist -------------------------------------------------------------------------

def test_the_nurse_sheet_prints_the_override_and_still_no_dose() -> None:
    from ixdesk.reports import render

    c = _held()
    crit = default_criteria()
    a = assess(c, crit)
    n = build_nurse_report(c, a, crit, ReportSettings(), PRINTED)
    assert n.state == "on_hold" and not n.dose_shown and n.dose_fields == [] and n.preparation_for_dose == ""
    assert n.contraindication_overrides == [f"Baseline neutrophils below 1,500 cells/mm³: {LINE}"]
    assert any("OVERRIDDEN by the prescriber" in x for x in n.alerts)
    text = _pdf_text(render("nurse", c, a, crit, ReportSettings(), PRINTED))
    assert "OVERRIDES OF CONTRAINDICATIONS" in text and "Overridden by Dr X, 3 Dec 2026 10:14" in text
    assert "draw up" not in text and f"{a.dose.dose_mg:g} mg" not in text


def test_the_nurse_sheet_lists_only_contraindication_overrides() -> None:
    c = _override(example("04"), "warning.neuropathy", kind="acknowledged", code="risk-discussed-will-monitor")
    crit = default_criteria()
    n = build_nurse_report(c, assess(c, crit), crit, ReportSettings(), PRINTED)
    assert n.contraindication_overrides == [] and not any("OVERRIDDEN" in x for x in n.alerts)


def test_the_nurse_sheet_prints_a_stale_contraindication_override_as_stale() -> None:
    c = _stale()
    crit = default_criteria()
    n = build_nurse_report(c, assess(c, crit), crit, ReportSettings(), PRINTED)
    (line,) = n.contraindication_overrides
    assert "STALE" in line and not any("OVERRIDDEN" in x for x in n.alerts)


def test_a_stale_override_is_surfaced_not_folded_away() -> None:
    c = _stale()
    crit = default_criteria()
    a = assess(c, crit)
    p = present(a, crit, c.overrides)
    assert p.section("contraindications").cleared_title == "Ruled out (4) · 1 override to review"
    assert p.key_points[1].text == "⚠ 1 override to review (stale): Baseline neutrophils below 1,500 cells/mm³"
    v = build_verdict(a, c, crit)
    assert v.kind == "ready" and v.stale_overrides == (("exclusion.neutrophils", "Baseline neutrophils below 1,500 cells/mm³"),)
    assert present(a, crit).section("contraindications").cleared_title == "Ruled out (4)"


def test_an_indication_judged_met_from_notes_prints_computed_not_met_and_the_override() -> None:
    """Example 06: monotherapy's label indication is not met (no taxane resistance from the dates);
    the clinician judges it met from the clinic note. The decision stays outside the label."""
    c = _override(example("06"), "label.monotherapy", comment="taxane-resistant per clinic note of 12 Oct")
    crit = default_criteria()
    a = assess(c, crit)
    assert decision_state(a).kind == "outside_label"
    r = build_clinician_report(c, a, crit, ReportSettings(), PRINTED)
    row = next(f for g in r.criteria_groups for _, sub in g.subgroups for f in sub if f.id == "label.monotherapy")
    assert row.state == "not_met" and row.override == (
        "Computed: not met · Overridden by Dr X, 3 Dec 2026 10:14: taxane-resistant per clinic note of 12 Oct "
        f"(reason: {REASON})")
    assert r.verdict.startswith("Outside the FDA label") and "overridden" not in r.verdict
    n = build_nurse_report(c, a, crit, ReportSettings(), PRINTED)
    assert n.contraindication_overrides == []  # not a contraindication: the nurse sheet is unchanged


def test_an_override_is_printed_in_compact_and_folded_rows_too() -> None:
    """Example 07 cannot check the platelets (not recorded): an unknown contraindication, printed as a
    compact row; a ruled-out one is printed in the "not present" list. Both carry their override."""
    from ixdesk.reports import render

    crit = default_criteria()
    for stem, fid, words in (("07", "exclusion.platelets", "Computed: not yet checkable"),
                             ("04", "exclusion.platelets", "Computed: does not apply")):
        c = _override(example(stem), fid, kind="acknowledged", code="already-addressed", comment="repeat count due")
        a = assess(c, crit)
        r = build_clinician_report(c, a, crit, ReportSettings(), PRINTED)
        (row,) = [f for f in r.exclusions_clear if f.id == fid]
        assert row.override.startswith(words)
        text = _pdf_text(render("clinician", c, a, crit, ReportSettings(), PRINTED))
        # twice: in the row and in the list of overrides
        assert text.count(f"{words} · Acknowledged by Dr X, 3 Dec 2026 10:14: repeat count due") == 2
