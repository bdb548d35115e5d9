"""The verdict header's data and the plan comparison, as data (no Qt).

The verdict must weigh the statuses as a clinician would: the examples' expected one-line answers
come from the issue (04 on hold for neutrophils, 07 not decided naming what is missing, 05 outside
the label but on pathways C/D with both payers, 01 ready with its dose)."""

from __future__ import annotations

from pathlib import Path

import pytest

from ixdesk.core.consult import Consult
from ixdesk.core.criteria import default_criteria
from ixdesk.core.engine import assess
from ixdesk.core.files import load_consult
from ixdesk.paths import examples_dir
from ixdesk.present.plans import PLANS, compare_plans
from ixdesk.present.verdict import build_verdict, policy_results


def example(stem: str) -> Consult:
    path = next(p for p in examples_dir().glob("*.json") if p.name.startswith(stem))
    return load_consult(Path(path))


def verdict(stem: str):
    c = example(stem)
    return build_verdict(assess(c), c)


def test_01_ready_with_its_dose() -> None:
    v = verdict("01")
    assert v.kind == "ready" and v.tone == "good"
    assert v.headline.startswith("Ready")
    assert v.dose_is_order and v.dose.startswith("70.6 mg IV over 3 h every 21 days")
    assert v.dose_amount == "70.6 mg" and v.dose.startswith(v.dose_amount)
    assert [(s.name, s.state) for s in v.statuses] == [
        ("FDA label", "met"), ("Pathways", "met"), ("Payer 003", "met"), ("Payer 004", "met")]
    assert "B met" in v.line and not v.holds


def test_printed_dose_adds_up_from_the_printed_bsa() -> None:
    """'40 mg/m² × 1.77 m² = 70.6 mg' does not add up; the header prints the BSA it used."""
    v = verdict("01")
    a = assess(example("01"))
    assert f"× BSA {a.dose.bsa_used_m2:g} m²" in v.dose
    assert a.dose.mg_per_m2 is not None and a.dose.bsa_used_m2 is not None
    assert round(a.dose.mg_per_m2 * float(f"{a.dose.bsa_used_m2:g}"), 1) == a.dose.dose_mg


def test_04_on_hold_for_neutrophils_prints_no_dose_as_an_order() -> None:
    v = verdict("04")
    assert v.kind == "on_hold" and v.tone == "bad"
    assert v.headline == "On hold: Baseline neutrophils below 1,500 cells/mm³"
    assert v.hold_ids == ("exclusion.neutrophils",) and "1,200 cells/mm³" in v.holds[0]
    assert not v.dose_is_order and v.dose.startswith("No dose while on hold: 40 mg/m² about a week after")
    assert v.dose.endswith("; the mg is computed once the hold resolves") and "60.4" not in v.dose and "30.2" not in v.dose
    assert v.dose_amount == ""


def test_04_dose_once_the_inhibitor_is_stopped_comes_from_the_engine() -> None:
    v = verdict("04")
    c = example("04")
    meds = [m for m in c.history.medications or [] if "clarithromycin" not in m]
    stopped = assess(c.model_copy(update={"history": c.history.model_copy(update={"medications": meds})}))
    assert stopped.dose.mg_per_m2 == 40
    assert v.inhibitor is not None and v.inhibitor.stopped_mg == stopped.dose.dose_mg  # the engine's, for later
    assert v.dose == (  # on hold: the mg/m² only (reader's pass, item 4)
        f"No dose while on hold: {stopped.dose.mg_per_m2:g} mg/m² about a week after "
        "clarithromycin 500 mg twice daily is stopped; 20 mg/m² only if it cannot be avoided; "
        "the mg is computed once the hold resolves")


def test_07_not_decided_names_what_is_missing() -> None:
    v = verdict("07")
    assert v.kind == "not_decided" and v.tone == "caution"
    assert v.headline == "Not decided: waiting for 7 inputs"
    assert "labs.platelets" in {m.field for m in v.waiting_for}
    # what the label indication needs too, so the clinician can enter everything in one pass
    assert {m.field for m in v.label_waiting} == {"regimens[0].progressed", "attestations.anthracycline_contraindicated"}
    assert not v.dose_is_order and v.dose == "No dose yet: needs weight and 4 more of the inputs waited for"


def test_05_outside_the_label_but_supported_is_not_an_alarm() -> None:
    v = verdict("05")
    assert v.kind == "outside_label"
    assert v.headline == "Outside the FDA label, supported by pathways C, D and both payer policies"
    assert v.tone == "neutral"  # not red: pathways and both payers support it
    label = v.statuses[0]
    assert label.state == "none" and label.tone == "neutral"
    assert v.dose_is_order


def test_06_label_not_met_does_not_dominate_when_pathway_and_payers_are_met() -> None:
    v = verdict("06")
    assert v.statuses[0].state == "not_met" and v.statuses[0].tone != "bad"
    assert v.tone == "neutral" and "pathway F" in v.headline
    assert all(s.tone != "bad" for s in v.statuses)


def test_outside_the_label_without_support_is_a_caution() -> None:
    c = example("01")
    c = c.model_copy(update={"plan": c.plan.model_copy(update={"regimen": "with_trastuzumab"})})
    v = build_verdict(assess(c), c)
    assert v.kind == "outside_label" and v.tone == "caution"


def test_no_plan_asks_for_the_plan() -> None:
    c = example("01")
    c = c.model_copy(update={"plan": c.plan.model_copy(update={"regimen": None})})
    v = build_verdict(assess(c), c)
    assert v.kind == "not_decided" and v.headline == "Not decided: choose the plan under discussion"


def test_policy_results_are_the_combining_rules_of_the_shipped_set() -> None:
    """The header takes each policy's answer from the last rule of its group; in the shipped rules
    that rule combines every other rule of its group."""
    crit = default_criteria()
    a = assess(example("01"), crit)
    last = policy_results(a)
    assert len(last) == 2
    groups: dict[str, list[str]] = {}
    for f in a.findings:
        if f.kind == "payer":
            groups.setdefault(f.group, []).append(f.id)
    rules = {r.id: r for r in crit.rules}
    for f in last:
        others = set(groups[f.group]) - {f.id}
        text = repr(rules[f.id].when)
        assert others and all(f"'{o}'" in text for o in others), f.id
        assert f.group.startswith("Payer policy")


# --- the plan comparison ----------------------------------------------------------------------

@pytest.mark.parametrize("stem", ["01", "02", "03", "04", "05", "06", "07"])
def test_columns_are_the_engine_run_with_each_plan(stem: str) -> None:
    c = example(stem)
    a = assess(c)
    cols = compare_plans(c, None, a)
    assert [col.plan for col in cols] == list(PLANS)
    assert [col.current for col in cols] == [p == c.plan.regimen for p in PLANS]
    for col in cols:
        other = c.model_copy(update={"plan": c.plan.model_copy(update={"regimen": col.plan})})
        assert col.assessment == assess(other, None, a.as_of)
        assert col.plan == col.assessment.plan


@pytest.mark.parametrize("stem", ["01", "02", "03", "04", "05", "06", "07"])
def test_other_plans_agree_with_the_findings_judged_for_them(stem: str) -> None:
    """A pathway the current assessment says 'would be met with another plan' is met in that
    plan's column, and one whose other plan is contraindicated has that contraindication there."""
    c = example(stem)
    a = assess(c)
    cols = {col.plan: col for col in compare_plans(c, None, a)}
    for f in a.findings:
        if f.kind != "pathway" or f.applies_to_plan is not False:
            continue
        owners = [col for col in cols.values() if not col.current
                  and col.assessment.finding(f.id).applies_to_plan is True]
        assert owners, f.id
        for col in owners:
            assert col.assessment.finding(f.id).state == f.condition_state, (f.id, col.plan)
            if f.other_plan == "met" and f.contraindicated_by:
                assert set(f.contraindicated_by) <= {h.id for h in col.verdict.state.holds}


def test_01_monotherapy_column_reads_outside_label_on_pathways_a_and_e() -> None:
    cols = {col.plan: col for col in compare_plans(example("01"))}
    mono = cols["monotherapy"]
    assert mono.decision == "outside_label" and mono.label.state == "not_met"
    assert mono.pathways.text == "A, E met" and mono.dose == "70.6 mg (40 mg/m²)"
    assert cols["with_capecitabine"].decision_words == "Ready"
    assert cols["with_trastuzumab"].label.text == "not a label indication"


def test_04_every_column_is_on_hold_and_prints_the_dose_only_conditionally() -> None:
    for col in compare_plans(example("04")):
        assert col.decision == "on_hold"
        assert col.contraindications == ("Baseline neutrophils below 1,500 cells/mm³",)
        assert col.dose.startswith("on hold · 40 mg/m²") and "60.4" not in col.dose and "30.2" not in col.dose
        assert "CYP3A4" in col.dose_detail


def test_04_columns_give_both_inhibitor_doses_as_the_header_does() -> None:
    """The header gives 60.4 mg once clarithromycin has been stopped about a week, and 30.2 mg only if
    it cannot be avoided; every column (the engine run with its plan) says the same, in that order."""
    c = example("04")
    header = build_verdict(assess(c), c, default_criteria())
    assert header.inhibitor is not None
    assert (header.inhibitor.stopped_mg, header.inhibitor.reduced_mg) == (60.4, 30.2)
    for col in compare_plans(c, default_criteria(), assess(c)):
        inh = col.verdict.inhibitor
        assert inh is not None and (inh.stopped_mg, inh.reduced_mg) == (60.4, 30.2), col.plan
        # on hold: the two mg/m² in that order, no mg (reader's pass, item 4)
        assert "40 mg/m² about a week after clarithromycin" in col.dose, col.plan
        assert "20 mg/m² only if it cannot be avoided" in col.dose, col.plan
        assert col.dose.index("40 mg/m²") < col.dose.index("20 mg/m²")
        assert col.dose.removeprefix("on hold · ") in header.dose
        assert col.dose_lines == ("on hold · the mg is computed once the hold resolves:", inh.stopped_rate_line,
                                  inh.reduced_rate_line)


def test_a_column_without_an_inhibitor_keeps_its_single_dose() -> None:
    for col in compare_plans(example("01")):
        assert col.verdict.inhibitor is None and "cannot be avoided" not in col.dose
        assert col.dose_lines == (col.dose,)


def test_03_combination_column_names_its_own_hepatic_contraindication() -> None:
    cols = {col.plan: col for col in compare_plans(example("03"))}
    assert cols["monotherapy"].decision == "ready"
    cap = cols["with_capecitabine"]
    assert cap.decision == "on_hold" and any("capecitabine" in t for t in cap.contraindications)


def test_a_met_that_rests_on_unverified_counting_says_so() -> None:
    v = verdict("01")
    by = {s.name: s for s in v.statuses}
    assert by["Pathways"].unverified and "rests on unverified: counting of prior lines" in by["Pathways"].detail
    assert not by["Payer 004"].unverified
    assert "Pathways ✔ B met (rests on unverified)" in v.line
