"""The report models as data: what each report says, where each fact comes from."""

from __future__ import annotations

import pytest

from ixdesk.reports import build_clinician_report, build_nurse_report, build_patient_report, render
from ixdesk.reports.common import UNVERIFIED_MARK

from report_helpers import PRINTED_ON, SETTINGS, pdf_text, squash


def _example(prefix: str, criteria):
    from ixdesk.core.engine import assess
    from ixdesk.core.files import load_consult
    from report_helpers import EXAMPLES

    consult = load_consult(next(p for p in EXAMPLES if p.name.startswith(prefix)))
    return consult, assess(consult, criteria, as_of=PRINTED_ON)


def check(r, item: str):
    """A nurse check row by its item (rows were once read by position)."""
    return next(c for c in r.checks if c.item.startswith(item))


def test_clinician_model_for_examples(example, criteria):
    _, consult, assessment = example
    r = build_clinician_report(consult, assessment, criteria, SETTINGS, PRINTED_ON)
    assert r.patient.name == (consult.patient.name or "Name not recorded")
    assert len(r.regimens) == len(consult.regimens)
    # every finding of the three families appears once, in its family
    headings = [g.heading for g in r.criteria_groups]
    # seed 003's A-F are the payer's own criteria (no NCCN version cited): named as such
    assert headings == ["FDA label", "Payer 003 criteria A–F", "Payer policies"]
    shown = [f.id for g in r.criteria_groups for _, rows in g.subgroups for f in rows]
    shown += [f.id for g in r.criteria_groups for f in g.other_plans]
    expected = [f.id for f in assessment.findings if f.kind in ("indication", "pathway", "payer")]
    assert sorted(shown) == sorted(expected)
    for g in r.criteria_groups:
        for _, rows in g.subgroups:
            for f in rows:
                assert f.source and f.state in ("met", "not_met", "unknown")
                assert f.unverified == (f.confidence == "unverified")
    assert [b.id for b in r.blocking] == list(assessment.blocking)
    assert [w.id for w in r.warnings] == list(assessment.warnings)
    assert r.missing == [m.label for m in assessment.missing]  # one per missing field, in the form's words
    held = r.state == "on_hold" and assessment.dose.state == "computed" and not (
        consult.course and consult.course.cycles_given)
    # on hold the dose is not printed as an order (review item 2): the summary says so
    assert r.dose_summary == ("No dose while on hold." if held else assessment.dose.summary)
    assert r.meta.hash_chars == 64 and r.meta.criteria_sha256 == criteria.sha256
    # monitoring and dose modifications come from the criteria, unverified items marked
    assert [m.text for m in r.monitoring] == [m.text for m in criteria.administration.monitoring]
    assert [m.unverified for m in r.monitoring] == [m.confidence == "unverified" for m in criteria.administration.monitoring]
    assert len(r.dose_modifications) == len(criteria.administration.dose_modifications.rows)


def test_clinician_resistance_steps_follow_assessment(example, criteria):
    _, consult, assessment = example
    r = build_clinician_report(consult, assessment, criteria, SETTINGS, PRINTED_ON)
    n_steps = sum(len(reg.resistance) for reg in r.regimens)
    assert n_steps == sum(len(c.regimens) for c in assessment.resistance)
    assert [c.label for c in r.class_summaries] == [c.label for c in assessment.resistance]


def test_nurse_thresholds_come_from_criteria(example, criteria):
    _, consult, assessment = example
    r = build_nurse_report(consult, assessment, criteria, SETTINGS, PRINTED_ON)
    cs = criteria.administration.cycle_start
    assert check(r, "Neutrophils").threshold == "≥ 1,500/mm³" and cs.neutrophils_min_per_mm3 == 1500
    assert check(r, "Platelets").threshold == "≥ 100,000/mm³" and cs.platelets_min_per_mm3 == 100000
    if r.dose_shown:  # a held or undecided sheet carries no preparation volumes (tested below)
        assert [p.text for p in r.preparation] == [s.text for s in criteria.administration.preparation.steps]
        assert any(p.unverified for p in r.preparation)  # the in-line filter step is unverified
    assert r.hypersensitivity == list(criteria.administration.hypersensitivity.steps)
    # premedication is scheduled only on a sheet that may be given (a held one schedules none)
    assert [p.drug for p in r.premedication] == ([p.drug for p in criteria.dosing.premedication.items]
                                                 if r.dose_shown else [])
    assert bool(r.capecitabine) == (consult.plan.regimen == "with_capecitabine" and r.dose_shown)


def test_nurse_follows_changed_criteria(criteria, degenerate):
    """No threshold is hard-coded: change the criteria and the checklist changes."""
    consult, assessment = degenerate["empty"]
    adm = criteria.administration
    changed = criteria.model_copy(update={"administration": adm.model_copy(update={
        "cycle_start": adm.cycle_start.model_copy(update={"neutrophils_min_per_mm3": 1234.0,
                                                          "platelets_min_per_mm3": 98765.0,
                                                          "nonhematologic_max_grade": 2})})})
    r = build_nurse_report(consult, assessment, changed, SETTINGS, PRINTED_ON)
    assert "1,234" in check(r, "Neutrophils").threshold and "98,765" in check(r, "Platelets").threshold
    assert "grade ≤ 2" in check(r, "Non-haematologic").threshold
    preg = adm.pregnancy.model_copy(update={"contraception_female_months": 9})
    changed = criteria.model_copy(update={"administration": adm.model_copy(update={"pregnancy": preg})})
    consult, assessment = _example("01-", criteria)  # a planned sheet (the empty consult is not decided)
    p = build_patient_report(consult, assessment, changed, SETTINGS, PRINTED_ON)
    assert "for 9 months after the last dose" in p.body_text()


def test_nurse_liver_limits_follow_plan(criteria, degenerate):
    from report_helpers import make

    combo = make({"plan": {"regimen": "with_capecitabine"}}, criteria)
    mono = make({"plan": {"regimen": "monotherapy"}}, criteria)
    rc = build_nurse_report(*combo, criteria, SETTINGS, PRINTED_ON)
    rm = build_nurse_report(*mono, criteria, SETTINGS, PRINTED_ON)
    assert "NOT give with capecitabine" in check(rc, "Liver").threshold and "2.5 × ULN" in check(rc, "Liver").threshold
    assert "hepatic table" in check(rm, "Liver").threshold and "10 × ULN" in check(rm, "Liver").threshold
    tras = make({"plan": {"regimen": "with_trastuzumab"}}, criteria)
    rt = build_nurse_report(*tras, criteria, SETTINGS, PRINTED_ON)
    assert "Plan not recorded" not in check(rt, "Liver").threshold
    assert "prescriber's decision" in check(rt, "Liver").threshold and "2.5" in check(rt, "Liver").threshold


def test_patient_model(example, criteria):
    _, consult, assessment = example
    r = build_patient_report(consult, assessment, criteria, SETTINGS, PRINTED_ON)
    body = r.body_text()
    assert r.record_number is None
    assert "38 °C" in body and "Chest pain" in body  # the urgent list is on every sheet
    if r.sheet == "planned":  # the treatment is described only on the sheet of a treatment going ahead
        assert "grapefruit" in body and "alcohol" in body
        assert f"{criteria.administration.pregnancy.contraception_female_months} months" in body
        assert "3 hours" in body and "3 weeks" in body
    else:
        assert "3 weeks" not in body and "capecitabine" not in body and "take the" not in body.lower()
    # no verdict addressed to the patient
    for word in ("meets", "not met", "eligible", "approved", "contraindicated", "resistant"):
        assert word not in body.lower()
    r2 = build_patient_report(consult, assessment, criteria, SETTINGS, PRINTED_ON, show_record_number=True)
    assert r2.record_number == (consult.patient.record_number or None)


def test_unverified_items_are_marked_in_clinician_model(criteria):
    from report_helpers import make

    consult, assessment = make({"history": {"cardiac_history": True}, "plan": {"regimen": "monotherapy"}}, criteria)
    r = build_clinician_report(consult, assessment, criteria, SETTINGS, PRINTED_ON)
    cardiac = [w for w in r.warnings if w.id == "warning.cardiac"]
    assert cardiac and cardiac[0].unverified
    # and the printed summary marks it beside its title
    text = squash(pdf_text(render("clinician", consult, assessment, criteria, SETTINGS, PRINTED_ON)))
    assert f"{squash(cardiac[0].title)} {UNVERIFIED_MARK}" in text


@pytest.mark.parametrize("key", ["empty", "long_name", "cyrillic", "cjk"])
def test_degenerate_models_build(degenerate, criteria, key):
    consult, assessment = degenerate[key]
    build_clinician_report(consult, assessment, criteria, SETTINGS, PRINTED_ON)
    build_nurse_report(consult, assessment, criteria, SETTINGS, PRINTED_ON)
    build_patient_report(consult, assessment, criteria, SETTINGS, PRINTED_ON)


def test_urgent_list_and_teaching_come_from_criteria(criteria):
    """One place for each fact: the urgent list and the capecitabine teaching points are read from criteria."""

    consult, assessment = _example("01-", criteria)  # with capecitabine, ready
    adm = criteria.administration
    p = build_patient_report(consult, assessment, criteria, SETTINGS, PRINTED_ON)
    urgent = [s for s in p.sections if s.boxed]
    assert urgent and urgent[0].bullets == list(adm.patient_urgent.signs)
    n = build_nurse_report(consult, assessment, criteria, SETTINGS, PRINTED_ON)
    taught = [t for t in n.capecitabine if t.text in adm.capecitabine_teaching.items]
    assert [t.text for t in taught] == list(adm.capecitabine_teaching.items)
    assert all(t.unverified == (adm.capecitabine_teaching.confidence == "unverified") for t in taught)
    changed = criteria.model_copy(update={"administration": adm.model_copy(update={
        "patient_urgent": adm.patient_urgent.model_copy(update={"signs": ["Any new sign we list."]}),
        "capecitabine_teaching": adm.capecitabine_teaching.model_copy(update={"items": ["A changed point."]})})})
    p2 = build_patient_report(consult, assessment, changed, SETTINGS, PRINTED_ON)
    assert [s for s in p2.sections if s.boxed][0].bullets == ["Any new sign we list."]
    n2 = build_nurse_report(consult, assessment, changed, SETTINGS, PRINTED_ON)
    assert "A changed point." in [t.text for t in n2.capecitabine]
    assert not any("do not double a missed dose" in t.text for t in n2.capecitabine)


def test_clinician_rows_are_compact(example, criteria):
    """Composite rules list the referenced results only; key values skip what the header tables show."""
    _, consult, assessment = example
    r = build_clinician_report(consult, assessment, criteria, SETTINGS, PRINTED_ON)
    rows = {f.id: f for g in r.criteria_groups for _, sub in g.subgroups for f in sub}
    for fid in ("payer003.overall", "payer003.indication", "payer004.overall"):
        if fid in rows:
            f = rows[fid]
            assert f.composite and not f.key_values and len(f.conditions) == 1
            assert " — " not in f.conditions[0].text  # no values repeated in the steps
    for f in rows.values():
        assert len(f.key_values) == len(set(f.key_values))
        assert not any(v.startswith(("Extent:", "Plan:", "Neutrophils:", "Taxane resistance:")) for v in f.key_values)
        if f.state == "unknown":
            assert f.missing  # unknowns keep their missing inputs


def test_clinician_dose_card_lists_seed_003_diagnosis_codes_with_the_er_code_of_the_consult(example, criteria):
    _, consult, assessment = example
    r = build_clinician_report(consult, assessment, criteria, SETTINGS, PRINTED_ON)
    icd = [d.value for d in r.dose_lines if d.label == "ICD-10"]
    assert len(icd) == 1
    assert "C50.011-C50.929" in icd[0] and "C79.81" in icd[0] and "no coverage implied" in icd[0]
    er = consult.disease.er
    assert ("Z17.0 (ER+)" in icd[0]) is (er in ("positive", None))
    assert ("Z17.1 (ER-)" in icd[0]) is (er in ("negative", None))
    assert ("ER status not recorded" in icd[0]) is (er is None)


def test_contraindication_of_the_other_plan_is_shown_present_not_ruled_out(criteria):
    """Example 03 (monotherapy, AST 5.5 x ULN): the combination is contraindicated; that must not read 'not present'."""
    from pathlib import Path

    from ixdesk.core.engine import assess
    from ixdesk.core.files import load_consult

    path = Path(__file__).resolve().parents[2] / "resources" / "examples" / "03-hepatic-impairment-monotherapy.json"
    consult = load_consult(path)
    assessment = assess(consult, criteria)
    f = assessment.finding("exclusion.hepatic_combination")
    assert (f.state, f.condition_state, f.applies_to_plan, f.severity) == ("not_met", "met", False, "info")
    assert f.summary.startswith("Present, for another plan")
    r = build_clinician_report(consult, assessment, criteria, SETTINGS, PRINTED_ON)
    assert [x.id for x in r.other_plan_present] == ["exclusion.hepatic_combination"]
    assert "exclusion.hepatic_combination" not in [x.id for x in r.exclusions_clear]
    row = r.other_plan_present[0]
    assert row.state_text == "Present, other plan" and row.tone == "not_met"


def test_nurse_volumes_and_not_ready(criteria, degenerate):
    """70.6 mg at 2 mg/mL is 35.3 mL; 0.2-0.6 mg/mL needs 118-353 mL. No dose: the sheet says NOT READY."""
    from pathlib import Path

    from ixdesk.core.engine import assess
    from ixdesk.core.files import load_consult

    ex = Path(__file__).resolve().parents[2] / "resources" / "examples"
    consult = load_consult(ex / "01-combination-after-anthracycline-and-taxane.json")
    assessment = assess(consult, criteria)
    assert assessment.dose.dose_mg == 70.6
    r = build_nurse_report(consult, assessment, criteria, SETTINGS, PRINTED_ON)
    assert "draw up 35.3 mL" in r.preparation_for_dose and "118–353 mL" in r.preparation_for_dose
    assert not any(a.startswith("NOT READY") for a in r.alerts)
    assert any(f.startswith("Prepared at") for f in r.sign_fields)

    consult, assessment = degenerate["empty"]
    r = build_nurse_report(consult, assessment, criteria, SETTINGS, PRINTED_ON)
    assert r.alerts[0].startswith("NOT DECIDED") and r.preparation_for_dose == "" and not r.dose_fields

    # issue 10: 04 said "on hold" and then printed 30.2 mg and "draw up 15.1 mL" in bold
    blocked = load_consult(ex / "04-blocked-by-neutrophils.json")
    r = build_nurse_report(blocked, assess(blocked, criteria), criteria, SETTINGS, PRINTED_ON)
    assert check(r, "Neutrophils").fails and not check(r, "Platelets").fails
    assert r.alerts[0].startswith("ON HOLD") and not r.dose_shown
    assert not r.dose_fields and r.preparation_for_dose == "" and not r.preparation and not r.capecitabine
    assert "30.2" not in r.model_dump_json() and "mL" not in r.model_dump_json()
    block = r.hold[0]
    assert "Neutrophils" in block and "1,200" in block
    assert "Dr. D. Blood" in r.call and "+1 555 0100" in r.call


def test_clinician_dose_lines_show_a_dose_that_depends_on_an_unrecognised_medication(criteria):
    """Issue 9: never one silent full dose beside a medication the dictionary does not know."""
    import json

    from ixdesk.core.consult import Consult
    from ixdesk.core.engine import assess
    from report_helpers import EXAMPLES

    data = json.loads(next(p for p in EXAMPLES if p.name.startswith("01-")).read_text(encoding="utf-8"))
    data["history"]["medications"] = ["omeprazole 20 mg daily", "zzfoo 10 mg"]
    consult = Consult.model_validate_json(json.dumps(data))
    assessment = assess(consult, criteria)
    r = build_clinician_report(consult, assessment, criteria, SETTINGS, PRINTED_ON)
    lines = {d.label: d.value for d in r.dose_lines}
    assert lines["Dose per m²"] == "40 mg/m² unless zzfoo 10 mg is a strong CYP3A4 inhibitor (then 20 mg/m²)"
    assert "70.6 mg" in lines["Dose"] and "35.3 mg" in lines["Dose"] and lines["Dose"].startswith("not computed")
    assert "unless zzfoo 10 mg is a strong CYP3A4 inhibitor" in r.dose_summary
    nurse = build_nurse_report(consult, assessment, criteria, SETTINGS, PRINTED_ON)
    assert nurse.alerts[0].startswith("NOT DECIDED") and any("zzfoo 10 mg" in h for h in nurse.hold)
    assert not nurse.dose_fields and nurse.preparation_for_dose == ""
