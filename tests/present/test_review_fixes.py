"""The reviewer's findings on the examples (clinician, nurse and patient readings), one test each."""

from __future__ import annotations

import re
from datetime import date

from ixdesk.cli import render_text
from ixdesk.core.criteria import default_criteria
from ixdesk.core.engine import assess
from ixdesk.present.nurse import build_nurse_report
from ixdesk.present.nurse_cycle import build_cycle_check_report
from ixdesk.present.settings import ReportSettings

from .helpers import assessed, example

PRINTED_ON = date(2026, 11, 20)
SETTINGS = ReportSettings(clinic_phone="+1 555 0100")


def _nurse(stem: str):  # type: ignore[no-untyped-def]
    return build_nurse_report(example(stem), assessed(stem), default_criteria(), SETTINGS, PRINTED_ON)


# item 3: warnings are printed on every nurse checklist, held or not decided too

def test_held_nurse_checklist_keeps_the_warnings() -> None:
    alerts = " ".join(_nurse("04").alerts)
    assert "CYP3A4" in alerts and "neuropathy" in alerts.lower()


def test_undecided_nurse_checklist_keeps_the_stale_labs_warning() -> None:
    assert any("older than 14 days" in a for a in _nurse("07").alerts)


# item 5: one date format in the command line's resistance reasons

def test_cli_text_prints_no_iso_dates_in_resistance() -> None:
    text = render_text(assessed("04"), "x.json", default_criteria())
    section = text[text.index("\nResistance by drug class"):]
    section = section[:section.index("\n\n")]
    assert not re.search(r"\d{4}-\d{2}-\d{2}", section), section


# item 6: the contraception months count from the last dose, on both nurse sheets

def test_pregnancy_line_says_after_the_last_dose() -> None:
    rows = [c for c in _nurse("01").checks if c.item.startswith("Pregnancy")]
    assert rows and "7 months after the last dose" in rows[0].threshold
    c = example("08")
    cyc = build_cycle_check_report(c, assess(c, default_criteria(), PRINTED_ON), default_criteria(), SETTINGS,
                                   PRINTED_ON)
    preg = [r for r in cyc.identity if r.item == "Pregnancy status"]
    assert preg and "7 months after the last dose" in preg[0].value


def test_male_patient_gets_the_partner_contraception_line() -> None:
    c = example("01")
    c = c.model_copy(update={"patient": c.patient.model_copy(update={"sex": "male", "pregnant": None})})
    r = build_nurse_report(c, assess(c, default_criteria(), PRINTED_ON), default_criteria(), SETTINGS, PRINTED_ON)
    assert any("4 months after the last dose" in x.threshold for x in r.checks)


# item 12: the H2 antagonist's dose does not lead with ranitidine (off the US market, facts sheet 7)

def test_h2_row_does_not_lead_with_ranitidine() -> None:
    h2 = next(p for p in default_criteria().dosing.premedication.items if p.id == "premed.h2")
    assert "famotidine" in h2.drug and "ranitidine" not in h2.drug
    assert not h2.dose.lower().startswith("ranitidine")


# item 1: a consult with cycles given shows the next cycle's dose as "the dose" in every reader

def _course(stem: str = "08"):  # type: ignore[no-untyped-def]
    c = example(stem)
    return c, assess(c, default_criteria())


def test_course_verdict_dose_is_the_next_cycles() -> None:
    from ixdesk.present.verdict import build_verdict

    c, a = _course()
    v = build_verdict(a, c, default_criteria())
    assert v.dose.startswith("54.4 mg") and "cycle 5" in v.dose and "32 mg/m²" in v.dose
    assert "70.6" not in v.dose and v.dose_amount == "54.4 mg"


def test_course_plan_comparison_and_key_point() -> None:
    from ixdesk.present.plans import compare_plans
    from ixdesk.present.sections import present

    c, a = _course()
    col = next(x for x in compare_plans(c, default_criteria(), a) if x.current)
    assert "54.4 mg" in col.dose and "70.6" not in col.dose
    p = present(a, default_criteria(), consult=c)
    kp = next(k for k in p.key_points if k.key == "dose")
    assert kp.text.startswith("Dose (cycle 5): 54.4 mg (32 mg/m² ×")
    assert "starting dose (cycle 1): 70.6 mg" in kp.text
    assert "starting dose (cycle 1)" in p.section("dose").title
    text = render_text(a, "x.json", default_criteria(), (), c)
    assert "Dose (cycle 5): 54.4 mg" in text


def test_course_start_checklist_prints_no_dose_and_points_to_the_cycle_sheet() -> None:
    c, a = _course()
    r = build_nurse_report(c, a, default_criteria(), SETTINGS, PRINTED_ON)
    assert not r.dose_shown and not r.dose_fields and not r.preparation_for_dose
    assert r.course_pointer == "This consult has a course: print the cycle 5 double check"
    assert "70.6" not in r.all_text() if hasattr(r, "all_text") else "70.6" not in r.model_dump_json()


def test_course_start_checklist_of_a_ready_course_says_no_not_decided_banner() -> None:
    """The course's consult is ready: the start sheet points to the cycle's double check and must not
    also say, in red, that the dose is not decided (the reader's pass: it contradicted the GO sheet)."""
    c, a = _course()
    r = build_nurse_report(c, a, default_criteria(), SETTINGS, PRINTED_ON)
    assert r.state == "ready" and r.course_pointer
    assert not any("NOT DECIDED" in x for x in r.alerts)


def test_course_clinician_glance_and_heading() -> None:
    from ixdesk.present.clinician import build_clinician_report

    c, a = _course()
    r = build_clinician_report(c, a, default_criteria(), SETTINGS, PRINTED_ON)
    assert r.glance_dose.startswith("Dose for cycle 5: 32 mg/m² × ") and "= 54.4 mg" in r.glance_dose
    assert "starting dose (cycle 1) 70.6 mg" in r.glance_dose
    assert r.dose_heading.startswith("Starting dose (cycle 1)")


def test_course_on_hold_gives_no_dose_with_the_reason() -> None:
    from ixdesk.present.verdict import build_verdict

    import json

    from ixdesk.core.consult import Consult

    data = example("08").model_dump(mode="json")
    data["course"]["next_cycle"]["labs"]["neutrophils"]["value"] = 1200
    c = Consult.model_validate_json(json.dumps(data))
    a = assess(c, default_criteria())
    v = build_verdict(a, c, default_criteria())
    assert v.dose == "No dose for cycle 5: the cycle is on hold" and not v.dose_is_order


# item 2: held 04 — the CLI text and the clinician dose section follow the verdict's words

def test_held_cli_text_prints_no_order_dose() -> None:
    text = render_text(assessed("04"), "x.json", default_criteria(), (), example("04"))
    assert "No dose while on hold: 40 mg/m² about a week after clarithromycin" in text
    assert "20 mg/m² only if it cannot be avoided; the mg is computed once the hold resolves" in text
    assert "60.4" not in text and "30.2" not in text  # no mg while on hold (reader's pass, item 4)
    for phrase in ("J9207", "Vials:", "1,511 mg", "kits 1 × 45 mg", "on hold · 30.2 mg"):
        assert phrase not in text, phrase


def test_held_clinician_dose_section_has_no_vials_waste_or_billing() -> None:
    from ixdesk.present.clinician import build_clinician_report

    r = build_clinician_report(example("04"), assessed("04"), default_criteria(), SETTINGS, PRINTED_ON)
    labels = [d.label for d in r.dose_lines]
    assert "Vials" not in labels and "Billing" not in labels
    dose = next(d.value for d in r.dose_lines if d.label == "Dose")
    assert dose == "None while on hold: the mg is computed once the hold resolves"
    rate = next(d.value for d in r.dose_lines if d.label == "Dose per m²")
    assert rate == ("once the hold resolves: 40 mg/m² about a week after clarithromycin 500 mg twice daily is stopped; "
                    "20 mg/m² only if it cannot be avoided")
    assert "60.4" not in r.model_dump_json() and "30.2" not in r.model_dump_json()
    assert "1,511" not in r.model_dump_json() and r.dose_summary == "No dose while on hold."


# item 7: no raw enum, the BSA at the precision the dose used, the formula's name

def test_her2_ish_not_done_is_words() -> None:
    a = assess(example("08"), default_criteria())
    text = " ".join(f"{v.label}: {v.value}" for f in a.findings for v in f.values)
    assert "not_done" not in text and "ISH not done" in text


def test_dose_card_bsa_is_the_bsa_used_and_the_formula_is_named() -> None:
    from ixdesk.present.sections import present

    rows = [r.text for r in present(assessed("01"), default_criteria()).section("dose").rows]
    bsa = next(t for t in rows if t.startswith("BSA"))
    assert bsa.startswith("BSA (Mosteller): 1.7654 m²"), bsa


# item 4: the held start checklist schedules no premedication, and fits on one page

def test_held_start_checklist_schedules_no_premedication_and_is_one_page() -> None:
    import io

    from pypdf import PdfReader

    from ixdesk.reports import render

    r = _nurse("04")
    assert r.premedication == []
    pdf = render("nurse", example("04"), assessed("04"), default_criteria(), SETTINGS, PRINTED_ON)
    reader = PdfReader(io.BytesIO(pdf))
    text = " ".join((p.extract_text() or "") for p in reader.pages)
    assert "start − 60 min" not in text and "no premedication until the prescriber has resolved" in " ".join(text.split())
    assert len(reader.pages) == 1


def test_a_not_decided_start_checklist_waits_for_the_order_not_a_hold() -> None:
    """Reader's pass: 07 (not decided) said "once the prescriber has resolved the hold" in section 3."""
    import io

    from pypdf import PdfReader

    from ixdesk.reports import render

    assert _nurse("07").waiting_for == "the prescriber has completed and signed the order"
    pdf = render("nurse", example("07"), assessed("07"), default_criteria(), SETTINGS, PRINTED_ON)
    text = " ".join(" ".join((p.extract_text() or "") for p in PdfReader(io.BytesIO(pdf)).pages).split())
    assert not re.search(r"\bhold\b", text, re.IGNORECASE)
    assert "Print a new checklist once the prescriber has completed and signed the order." in text


# item 9: the clinician signature block never splits across pages

def test_clinician_signature_block_on_one_page() -> None:
    import io

    from pypdf import PdfReader

    from ixdesk.reports import render

    for stem in ("03", "08"):
        c = example(stem)
        pdf = render("clinician", c, assess(c, default_criteria()), default_criteria(), SETTINGS, PRINTED_ON)
        pages = [" ".join((p.extract_text() or "").split()) for p in PdfReader(io.BytesIO(pdf)).pages]
        hits = [i for i, t in enumerate(pages) if "Discussed by" in t]
        assert len(hits) == 1, (stem, hits)
        assert "This summary supports the treating clinician" in pages[hits[0]]
        assert "Discussion notes" in pages[hits[0]]  # short notes stay with the signature


# item 11: the Gilbert's syndrome note (facts sheet 4, 9, [label]) where bilirubin drives the hepatic row

def test_gilbert_note_where_bilirubin_drives_the_hepatic_row() -> None:
    from ixdesk.present.clinician import build_clinician_report
    from ixdesk.present.sections import present

    g = default_criteria().dosing.hepatic.gilbert
    assert g is not None and g.confidence == "label" and g.source.document == "PI"
    rows = [r.text for r in present(assessed("03"), default_criteria(), consult=example("03")).section("dose").rows]
    assert any("Gilbert's syndrome were not studied" in t for t in rows)
    r = build_clinician_report(example("03"), assessed("03"), default_criteria(), SETTINGS, PRINTED_ON)
    assert any(d.label == "Gilbert's syndrome" for d in r.dose_lines)
    r1 = build_clinician_report(example("01"), assessed("01"), default_criteria(), SETTINGS, PRINTED_ON)
    assert not any(d.label == "Gilbert's syndrome" for d in r1.dose_lines)  # bilirubin ≤ 1 × ULN


# item 8: the held patient sheet names the strong CYP3A4 inhibitor instead of "keep taking your medicines"

def test_held_patient_sheet_names_the_inhibitor() -> None:
    import sys
    from pathlib import Path

    from ixdesk.present.patient import build_patient_report

    r = build_patient_report(example("04"), assessed("04"), default_criteria(), SETTINGS, PRINTED_ON)
    text = r.body_text()
    assert "Keep taking your other medicines" not in text
    assert "Your team will talk with you about one of your medicines before treatment: clarithromycin" in text
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "reports"))
    from report_readability import scores

    sc = scores(text)
    assert sc["fk_grade"] <= 6 and sc["smog"] <= 8, sc
    r2 = build_patient_report(example("02"), assessed("02"), default_criteria(), SETTINGS, PRINTED_ON)
    assert "clarithromycin" not in r2.body_text()


# item 12: dates never wrap inside themselves; counts agree with their nouns

def test_regimen_dates_are_unbroken_and_counts_agree() -> None:
    from ixdesk.present.clinician import build_clinician_report, verdict
    from ixdesk.present.sections import present

    r = build_clinician_report(example("08"), assessed("08"), default_criteria(), SETTINGS, PRINTED_ON)
    assert r.regimens[0].dates == "10\u00a0Jan\u00a02022 – 14\u00a0Mar\u00a02022"
    r1 = build_clinician_report(example("01"), assessed("01"), default_criteria(), SETTINGS, PRINTED_ON)
    one = [ln for ln in r1.lines if ln.value == "1"]
    assert one and all("lines" not in ln.label for ln in one)
    text = " ".join(k.text for k in present(assessed("04"), default_criteria()).key_points)
    assert "(s)" not in text and "2 warnings:" in text
    st = __import__("ixdesk.present.decision", fromlist=["decision_state"]).decision_state(assessed("07"))
    assert "(s)" not in verdict(st, "monotherapy")


def test_a_composite_payer_line_says_which_steps_would_be_met_with_another_plan() -> None:
    """Reader's pass: payer 003's "II. One of indications A-F" marked A and E ✗ (for this plan)
    while the table above called them "Would be met" (with another plan)."""
    from ixdesk.present.clinician import build_clinician_report

    criteria = default_criteria()
    for stem, words in (("01", ["✗ A (would be met, other plan)", "✗ E (would be met, other plan)"]),
                        ("07", ["✗ A (would be met, other plan)", "✗ C (unknown, other plan)"])):
        r = build_clinician_report(example(stem), assessed(stem), criteria, SETTINGS, PRINTED_ON)
        rows = [f for g in r.criteria_groups for _, sub in g.subgroups for f in sub]
        line = next(f for f in rows if f.id.startswith("payer003") and f.composite
                    and "any of" in f.conditions[0].text).conditions[0].text
        for w in words:
            assert w in line, (stem, line)
        assert "✓ B," in line and "(other plan)" not in line.split("✓ B")[1].split(",")[0], line  # this plan's own


def test_the_two_missing_counts_of_an_undecided_consult_are_joined() -> None:
    """Reader's pass: 07 said '7 items are needed' in its headline and '24 items of information are
    missing' at a glance, with nothing to say how the two relate."""
    from ixdesk.present.clinician import build_clinician_report

    r = build_clinician_report(example("07"), assessed("07"), default_criteria(), SETTINGS, PRINTED_ON)
    needed = int(re.match(r"Not decided: (\d+) items are needed", r.verdict).group(1))  # type: ignore[union-attr]
    assert needed < len(r.missing)
    assert r.missing_line == (f"{len(r.missing)} items of information are missing (listed at the end), the {needed} "
                              "named at the top among them.")
    ready = build_clinician_report(example("01"), assessed("01"), default_criteria(), SETTINGS, PRINTED_ON)
    assert "named at the top" not in ready.missing_line
