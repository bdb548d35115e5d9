"""The course so far and the clinic's course policies (issue 11, sections 1-2 continued): recurrence
matched to the same toxicity, reductions counted for toxicity only, the per-cycle history with each
cycle's BSA, the cumulative dose, prior anthracycline exposure per agent, the weight-change flag and
the optional dose rounding, each at its boundaries."""

from __future__ import annotations

import json
import math
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from ixdesk.core.consult import Consult
from ixdesk.core.course import assess_next_cycle
from ixdesk.core.course_anthracycline import anthracycline_exposure
from ixdesk.core.course_policy import CoursePolicy, DoseRounding, course_policy
from ixdesk.core.course_result import NextCycleDecision
from ixdesk.core.course_rounding import round_dose
from ixdesk.core.criteria import default_criteria
from ixdesk.core.files import consult_to_json, parse_consult
from tests.core.helpers import consult as base_consult
from tests.core.test_course import AS_OF, _v, course_consult

CRIT = default_criteria()


def decide(c: Consult, policy: CoursePolicy | None = None) -> NextCycleDecision:
    r = assess_next_cycle(c, CRIT, AS_OF, policy)
    assert r is not None
    return r


def with_cycles(c: Consult, **changes: dict[str, Any]) -> Consult:
    """Set fields of the cycles given: ``with_cycles(c, c1={"change_rule": ...})`` (1-based)."""
    data = c.model_dump(mode="json")
    for key, fields in changes.items():
        data["course"]["cycles_given"][int(key[1:]) - 1].update(fields)
    return _v(data)


# --- every reduce row: a reduction, and its recurrence a further 20% ------------------------------

REDUCE_ROWS: dict[str, dict[str, Any]] = {
    "mod.neutrophils_500_7d": {"neutrophils_below_500_days": 7},
    "mod.febrile_neutropenia": {"febrile_neutropenia": True},
    "mod.platelets": {"platelets_low": "below_25000"},
    "mod.neuropathy_g2_7d": {"neuropathy_grade": 2, "neuropathy_days": 7},
    "mod.neuropathy_g3_lt7d": {"neuropathy_grade": 3, "neuropathy_days": 6},
    "mod.other_g3": {"other_grade3": True, "other_grade3_name": "nausea", "other_grade3_grade_now": 1},
}


def test_the_reduce_rows_are_the_tables() -> None:
    table = {r.id for r in CRIT.administration.dose_modifications.rows if r.effect == "reduce"}
    assert set(REDUCE_ROWS) == table


@pytest.mark.parametrize("row", sorted(REDUCE_ROWS))
def test_same_toxicity_after_its_reduction_is_a_further_20_percent(row: str) -> None:
    c = with_cycles(course_consult(given=(40, 32), tox=REDUCE_ROWS[row]), c2={"change_rule": row})
    r = decide(c)
    assert (r.action, r.rule, r.mg_per_m2, r.recurrence, r.recurrence_rows) == ("reduce", "mod.recurrence", 25.6, "met", [row])
    assert (r.reductions_before, r.reductions) == (1, 2)
    assert next(x for x in r.rows if x.id == "mod.recurrence").state == "met"


@pytest.mark.parametrize("row", sorted(REDUCE_ROWS))
def test_a_different_toxicity_after_a_reduction_is_its_own_row(row: str) -> None:
    earlier = "mod.febrile_neutropenia" if row != "mod.febrile_neutropenia" else "mod.platelets"
    c = with_cycles(course_consult(given=(40, 32), tox=REDUCE_ROWS[row]), c2={"change_rule": earlier})
    r = decide(c)
    # 20% below the current dose either way: only the rule that applied differs
    assert (r.action, r.rule, r.mg_per_m2, r.recurrence, r.reductions) == ("reduce", row, 25.6, "not_met", 2)


def test_recurrence_unknown_when_the_earlier_reduction_has_no_rule() -> None:
    r = decide(course_consult(given=(40, 32), tox={"febrile_neutropenia": True}))
    assert (r.recurrence, r.rule, r.mg_per_m2) == ("unknown", "mod.recurrence", 25.6)
    row = next(x for x in r.rows if x.id == "mod.recurrence")
    assert [m.field for m in row.missing] == ["course.cycles_given[1].change_rule"]
    assert any("either way" in n for n in r.notes)


def test_recurrence_after_two_reductions_of_the_same_toxicity() -> None:
    c = with_cycles(course_consult(given=(40, 32, 25.6), tox={"febrile_neutropenia": True}),
                    c2={"change_rule": "mod.febrile_neutropenia"}, c3={"change_rule": "mod.recurrence"})
    r = decide(c)
    assert (r.rule, r.mg_per_m2, r.reductions_before, r.reductions, r.recurrence) == ("mod.recurrence", 20.48, 2, 3, "met")


@pytest.mark.parametrize("tox, rule", [
    ({"any_grade4": True}, "mod.grade4"),
    ({"neuropathy_grade": 3, "neuropathy_days": 7}, "mod.neuropathy_g3_7d"),
    ({"neuropathy_grade": 3, "neuropathy_days": 1, "neuropathy_disabling": True}, "mod.neuropathy_g3_7d"),
])
def test_discontinue_after_a_reduction(tox: dict[str, Any], rule: str) -> None:
    c = with_cycles(course_consult(given=(40, 32), tox=tox), c2={"change_rule": "mod.febrile_neutropenia"})
    r = decide(c)
    assert (r.action, r.rule, r.mg_per_m2, r.mg, r.recurrence) == ("discontinue", rule, None, None, None)


@pytest.mark.parametrize("tox", [{"transient_grade3_arthralgia_myalgia_fatigue": True}, {"grade3_hand_foot_syndrome": True}])
def test_no_change_rows_after_a_reduction_keep_the_reduced_dose(tox: dict[str, Any]) -> None:
    r = decide(with_cycles(course_consult(given=(40, 32), tox=tox), c2={"change_rule": "mod.febrile_neutropenia"}))
    assert (r.action, r.mg_per_m2, r.reductions, r.recurrence) == ("no_change", 32, 1, None)


# --- what counts as a reduction -----------------------------------------------------------------------

def test_the_inhibitor_dose_is_not_a_toxicity_reduction() -> None:
    # cycle 2 at 20 mg/m² while clarithromycin (a strong inhibitor) was taken; it stopped 8 days ago
    med = {"name": "clarithromycin", "start_date": "2026-10-20", "stop_date": "2026-12-01"}
    r = decide(course_consult(given=(40, 20), meds=[med], tox={"febrile_neutropenia": True}))
    assert r.reductions_before == 0 and r.recurrence is None
    assert (r.action, r.mg_per_m2, r.reductions) == ("reduce", 32, 1)  # the dose before it, less 20%
    assert r.history[1].reduced is False


@pytest.mark.parametrize("rule, counted", [
    ("cyp3a4.inhibitor", False), ("prescriber", False), ("mod.other_g3", True), ("mod.recurrence", True),
])
def test_a_recorded_change_rule_decides_whether_it_counts(rule: str, counted: bool) -> None:
    r = decide(with_cycles(course_consult(given=(40, 32)), c2={"change_rule": rule}))
    assert r.reductions_before == (1 if counted else 0)
    assert r.history[1].change_rule == rule and r.history[1].change_rule_text


def test_an_unknown_change_rule_is_read_as_not_recorded() -> None:
    r = decide(with_cycles(course_consult(given=(40, 32)), c2={"change_rule": "mod.no_such_row"}))
    assert r.reductions_before == 1 and any("mod.no_such_row" in n for n in r.notes)


def test_change_rule_has_a_strict_form() -> None:
    data = course_consult(given=(40, 32)).model_dump(mode="json")
    data["course"]["cycles_given"][1]["change_rule"] = "Febrile neutropenia!"
    with pytest.raises(ValueError, match="change_rule"):
        _v(data)


# --- the inhibitor's week: day 6, 7, 8 ----------------------------------------------------------------

@pytest.mark.parametrize("stop, days, state, mg_m2", [
    ("2026-12-03", 6, "stopped_under_washout", 20),
    ("2026-12-02", 7, "stopped_washed_out", 40),
    ("2026-12-01", 8, "stopped_washed_out", 40),
    ("2026-12-09", 0, "stopped_under_washout", 20),
])
def test_inhibitor_week_days(stop: str, days: int, state: str, mg_m2: float) -> None:
    med = {"name": "clarithromycin", "start_date": "2026-10-20", "stop_date": stop}
    r = decide(course_consult(given=(40, 20), meds=[med]))
    assert (r.inhibitor, r.mg_per_m2) == (state, mg_m2)
    assert CRIT.dosing.cyp3a4.inhibitor_washout_days == 7


# --- the hepatic 30 mg/m² ceiling -----------------------------------------------------------------------

HEPATIC_MODERATE = {"date": "2026-11-16", "neutrophils": {"value": 3000}, "platelets": {"value": 200000},
                    "ast": {"value": 30, "uln": 40, "unit": "U/L"}, "alt": {"value": 30, "uln": 40, "unit": "U/L"},
                    "bilirubin": {"value": 2.4, "uln": 1.2, "unit": "mg/dL"}}
HEPATIC_BILI_AT_1_5 = {**HEPATIC_MODERATE, "bilirubin": {"value": 1.8, "uln": 1.2, "unit": "mg/dL"}}  # 1.5 x: 32 row


@pytest.mark.parametrize("labs, given, meds, mg_m2, top", [
    (HEPATIC_MODERATE, (20,), [], 20, 30),
    (HEPATIC_MODERATE, (20, 25), [], 25, 30),
    (HEPATIC_MODERATE, (20, 30), [], 30, 30),  # at the ceiling: never higher
    (HEPATIC_MODERATE, (20,), [{"name": "ketoconazole", "start_date": "2026-11-01"}], 20, 20),
    (HEPATIC_BILI_AT_1_5, (32,), [], 32, 32),  # the 32 mg/m² row has no later step
])
def test_hepatic_ceiling(labs: dict[str, Any], given: tuple[float, ...], meds: list[dict[str, Any]],
                         mg_m2: float, top: float) -> None:
    c = course_consult(given=given, meds=meds)
    r = decide(_v({**c.model_dump(mode="json"), "labs": labs}))
    assert (r.mg_per_m2, r.max_mg_per_m2) == (mg_m2, top)


# --- BSA from each cycle's weight; the history table ------------------------------------------------------

def test_history_recomputes_each_cycles_bsa_from_its_weight() -> None:
    c = with_cycles(course_consult(given=(40, 40, 32)), c1={"weight_kg": 70, "ixabepilone_mg": 72.1},
                    c2={"weight_kg": 60}, c3={"weight_kg": 58, "change_rule": "mod.platelets", "change_reason": "plt 20k"})
    r = decide(c)
    assert [h.bsa_m2 for h in r.history] == [round(math.sqrt(165 * w / 3600), 4) for w in (70, 60, 58)]
    assert [h.reductions for h in r.history] == [0, 0, 1]
    assert r.history[1].mg_computed == round(40 * r.history[1].bsa_used_m2, 1)  # type: ignore[operator]
    assert [h.reduced for h in r.history] == [None, False, True]
    h3 = r.history[2]
    assert (h3.change_rule, h3.change_reason, h3.verified_by) == ("mod.platelets", "plt 20k", "RN Two")
    assert h3.change_rule_text and "Platelets" in h3.change_rule_text
    assert r.bsa_m2 == round(math.sqrt(165 * 65 / 3600), 4)  # the next cycle: the day's weight


def test_history_bsa_cap() -> None:
    c = course_consult(given=(40,))
    data = c.model_dump(mode="json")
    data["patient"]["height_cm"] = 200
    data["course"]["cycles_given"][0]["weight_kg"] = 160
    r = decide(_v(data))
    assert r.history[0].bsa_m2 == round(math.sqrt(200 * 160 / 3600), 4) and r.history[0].bsa_used_m2 == 2.2


def test_history_without_height_or_weight_is_none() -> None:
    r = decide(with_cycles(course_consult(given=(40,)), c1={"weight_kg": None}))
    assert (r.history[0].bsa_m2, r.history[0].weight_kg) == (None, None)


# --- the cumulative dose --------------------------------------------------------------------------------

def test_cumulative_dose_sums_as_recorded_without_float_noise() -> None:
    c = with_cycles(course_consult(given=(32, 25.6, 25.6)), c1={"ixabepilone_mg": 55.7}, c2={"ixabepilone_mg": 44.6},
                    c3={"ixabepilone_mg": 44.6})
    cum = decide(c).cumulative
    assert cum is not None
    assert (cum.cycles, cum.mg, cum.mg_per_m2, cum.missing) == (3, 144.9, 83.2, [])


def test_cumulative_dose_with_a_cycle_not_recorded_is_a_lower_bound() -> None:
    c = with_cycles(course_consult(given=(40, 40)), c1={"ixabepilone_mg": 70.6})
    cum = decide(c).cumulative
    assert cum is not None
    assert (cum.mg, cum.mg_recorded, cum.mg_per_m2) == (None, 70.6, 80)
    assert [m.field for m in cum.missing] == ["course.cycles_given[1].ixabepilone_mg"]


def test_no_cycle_given_cumulative_is_zero() -> None:
    cum = decide(course_consult(given=())).cumulative
    assert cum is not None and (cum.cycles, cum.mg, cum.mg_per_m2) == (0, 0, 0)


# --- prior anthracycline exposure, per agent, never converted ----------------------------------------------

def _regimens(*regs: dict[str, Any]) -> Consult:
    data = base_consult().model_dump(mode="json")
    data["regimens"] = [{"setting": "adjuvant", "start_date": "2020-01-01", "last_dose_date": "2020-03-01", **r} for r in regs]
    data["no_prior_systemic_therapy"] = False
    return _v(data)


def test_anthracycline_summed_per_agent_brand_and_shorthand_alike() -> None:
    c = _regimens({"agents": ["AC"], "anthracycline_doses": [{"agent": "doxorubicin", "cumulative_mg_per_m2": 240}]},
                  {"agents": ["Adriamycin"], "anthracycline_doses": [{"agent": "Adriamycin", "cumulative_mg_per_m2": 60.5}]},
                  {"agents": ["epirubicin", "cyclophosphamide"],
                   "anthracycline_doses": [{"agent": "epirubicin", "cumulative_mg_per_m2": 300}]})
    e = anthracycline_exposure(c, CRIT)
    assert [(a.agent, a.cumulative_mg_per_m2, a.regimens) for a in e.agents] == [
        ("doxorubicin", 300.5, [0, 1]), ("epirubicin", 300, [2])]
    assert e.not_recorded == [] and e.missing == []
    assert any("not added together" in n for n in e.notes)  # no doxorubicin-equivalent total


def test_anthracycline_not_recorded_and_not_counted() -> None:
    c = _regimens({"agents": ["Doxil"]},
                  {"agents": ["AC"], "anthracycline_doses": [{"agent": "epirubicin", "cumulative_mg_per_m2": 100}]},
                  {"agents": ["epirubicin"], "anthracycline_doses": [{"agent": "zz-rubicin", "cumulative_mg_per_m2": 100}]},
                  {"agents": ["paclitaxel"]})
    e = anthracycline_exposure(c, CRIT)
    assert e.agents == []
    assert e.not_recorded == [0, 1, 2]
    fields = [m.field for m in e.missing]
    assert "regimens[0].anthracycline_doses" in fields
    assert "regimens[1].anthracycline_doses[0].agent" in fields  # epirubicin is not one of AC's agents
    assert "regimens[2].anthracycline_doses[0].agent" in fields  # not a recognised anthracycline


def test_liposomal_doxorubicin_is_its_own_agent() -> None:
    c = _regimens({"agents": ["Doxil"], "anthracycline_doses": [{"agent": "Doxil", "cumulative_mg_per_m2": 250}]},
                  {"agents": ["AC"], "anthracycline_doses": [{"agent": "doxorubicin", "cumulative_mg_per_m2": 240}]})
    assert len(anthracycline_exposure(c, CRIT).agents) == 2


@pytest.mark.parametrize("doses, message", [
    ([{"agent": "doxorubicin", "cumulative_mg_per_m2": 0}], "cumulative_mg_per_m2"),
    ([{"agent": "doxorubicin", "cumulative_mg_per_m2": 2001}], "cumulative_mg_per_m2"),
    ([{"agent": " ", "cumulative_mg_per_m2": 10}], "agent"),
    ([{"agent": "doxorubicin", "cumulative_mg_per_m2": 10}, {"agent": "Doxorubicin", "cumulative_mg_per_m2": 20}],
     "two cumulative doses"),
])
def test_anthracycline_dose_plausibility(doses: list[dict[str, Any]], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        _regimens({"agents": ["AC"], "anthracycline_doses": doses})


def test_new_fields_absent_keep_old_files_byte_identical() -> None:
    example = Path(__file__).parents[2] / "resources" / "examples" / "01-combination-after-anthracycline-and-taxane.json"
    text = consult_to_json(parse_consult(example.read_bytes(), "01.json"))
    assert "anthracycline_doses" not in text and "change_rule" not in text
    c = course_consult(given=(40, 32))
    saved = consult_to_json(c)
    assert "change_rule" not in saved and parse_consult(saved.encode(), "x.json") == c


# --- the weight-change flag --------------------------------------------------------------------------------

@pytest.mark.parametrize("day, state", [
    (62.7, "not_met"),  # exactly 5% below 66 kg: within
    (62.6, "met"),
    (69.3, "not_met"),  # exactly 5% above
    (69.4, "met"),
    (66, "not_met"),
])
def test_weight_flag_at_the_threshold(day: float, state: str) -> None:
    c = with_cycles(course_consult(given=(40, 40), weight=day), c2={"weight_kg": 66})
    w = decide(c, CoursePolicy(weight_change_percent=5)).weight_check
    assert w is not None
    assert (w.state, w.configured, w.threshold_percent, w.reference_kg) == (state, True, 5, 66)
    assert w.reference_field == "course.cycles_given[1].weight_kg"
    assert "5%" in w.text


def test_weight_flag_not_configured_says_so() -> None:
    w = decide(course_consult(weight=50)).weight_check
    assert w is not None
    assert (w.state, w.configured, w.threshold_percent) == ("unknown", False, None)
    assert "not set" in w.text and "weight_change_percent" in w.text
    assert w.change_percent == round((50 - 65) / 65 * 100, 1)


def test_weight_flag_reference_falls_back_to_the_consult_weight() -> None:
    c = course_consult(given=(), weight=60)
    w = decide(c, CoursePolicy(weight_change_percent=10)).weight_check
    assert w is not None and w.reference_field == "patient.weight_kg" and w.reference_kg == c.patient.weight_kg


def test_weight_flag_without_the_days_weight_is_unknown() -> None:
    w = decide(course_consult(weight=None), CoursePolicy(weight_change_percent=10)).weight_check
    assert w is not None and (w.state, w.configured) == ("unknown", True)


# --- the policy: validated strictly -------------------------------------------------------------------------

@pytest.mark.parametrize("value", [True, "5", 0, -1, 101, float("nan"), float("inf"), [5], {"percent": 5}])
def test_bad_weight_setting_is_not_applied(value: object) -> None:
    p = course_policy(weight_change_percent=value)
    assert p.weight_change_percent is None and any("weight_change_percent" in n for n in p.notes)


@pytest.mark.parametrize("value", [
    {"step_mg": 5}, {"max_percent": 5}, {"step_mg": 5, "max_percent": 5, "mode": "up"}, {"step_mg": 0, "max_percent": 5},
    {"step_mg": "5", "max_percent": 5}, {"step_mg": 5, "max_percent": 0}, {"step_mg": 5, "max_percent": 101},
    {"step_mg": True, "max_percent": 5}, {"step_mg": 101, "max_percent": 5}, [5, 5], 5,
])
def test_bad_rounding_setting_is_not_applied(value: object) -> None:
    p = course_policy(dose_rounding=value)
    assert p.dose_rounding is None and any("dose_rounding" in n for n in p.notes)


def test_good_settings_and_none() -> None:
    p = course_policy(weight_change_percent=10, dose_rounding={"step_mg": 2.5, "max_percent": 5})
    assert p == CoursePolicy(weight_change_percent=10, dose_rounding=DoseRounding(step_mg=2.5, max_percent=5))
    assert course_policy() == CoursePolicy()


def test_bad_setting_note_reaches_the_decision() -> None:
    r = decide(course_consult(), course_policy(dose_rounding={"step_mg": -5, "max_percent": 5}))
    assert r.rounding is None and any("dose_rounding" in n for n in r.notes)


# --- dose rounding at the edge of the percentage --------------------------------------------------------------

@pytest.mark.parametrize("mg, step, pct, ceiling, applied, out, dev", [
    (100, 21, 5, None, True, 105, 5.0),  # exactly 5% up: within
    (100, 21, 4.99, None, False, 100, 0.0),  # just beyond: not rounded (84 is -16%)
    (71.4, 5, 5, None, True, 70, -1.96),
    (72.5, 5, 5, None, True, 70, -3.45),  # a tie goes down
    (88, 5, 5, 88, True, 85, -3.41),  # 90 is nearer but above the dose at the BSA cap: down
    (54.4, 5, 1, None, False, 54.4, 0.0),  # 55 is +1.10%, 50 is -8.09%
    (55, 5, 5, None, True, 55, 0.0),
    (3, 5, 100, None, True, 5, 66.67),  # never to 0 mg
])
def test_round_dose(mg: float, step: float, pct: float, ceiling: float | None, applied: bool, out: float, dev: float) -> None:
    r = round_dose(mg, DoseRounding(step_mg=step, max_percent=pct), 1.8, ceiling)
    assert (r.applied, r.mg, r.deviation_percent, r.unrounded_mg) == (applied, out, dev, mg)
    assert r.text


def test_rounding_never_exceeds_the_policy() -> None:
    for tenth in range(200, 881):
        mg = tenth / 10
        for step in (1, 2.5, 5, 10):
            for pct in (1, 2, 5, 10):
                r = round_dose(mg, DoseRounding(step_mg=step, max_percent=pct), 1.8, 88)
                u = Decimal(str(mg))
                assert abs(Decimal(str(r.mg)) - u) <= u * Decimal(str(pct)) / 100, (mg, step, pct)
                assert r.mg <= max(88, mg)
                assert r.applied or r.mg == mg


def test_rounding_in_the_decision_keeps_the_unrounded_dose() -> None:
    r = decide(course_consult(), CoursePolicy(dose_rounding=DoseRounding(step_mg=5, max_percent=5)))
    assert r.mg == round(40 * r.bsa_used_m2, 1) == 69  # type: ignore[operator]
    assert r.rounding is not None  # 70 mg is +1.45%; 65 mg would be -5.80%
    assert (r.rounding.applied, r.rounding.mg, r.rounding.unrounded_mg, r.rounding.deviation_percent) == (True, 70, 69, 1.45)
    assert r.rounding.mg_per_m2 == round(70 / r.bsa_used_m2, 2)  # type: ignore[operator]


def test_no_rounding_without_a_policy_or_a_dose() -> None:
    assert decide(course_consult()).rounding is None
    rounding = CoursePolicy(dose_rounding=DoseRounding(step_mg=5, max_percent=5))
    assert decide(course_consult(weight=None), rounding).rounding is None
    assert decide(course_consult(tox={"any_grade4": True}), rounding).rounding is None


# --- ixdesk assess --json reads the clinic settings ---------------------------------------------------------------

def test_json_course_fields_and_the_clinic_settings(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    from ixdesk.cli import main

    monkeypatch.setenv("IXDESK_DATA_DIR", str(tmp_path))
    (tmp_path / "clinic.json").write_text(json.dumps({"weight_change_percent": 10,
                                                      "dose_rounding": {"step_mg": 5, "max_percent": 5}}))
    f = tmp_path / "course.json"
    f.write_text(consult_to_json(course_consult(given=(40, 40))))
    assert main(["assess", "--json", "--as-of", "2026-12-09", str(f)]) == 0
    nc = json.loads(capsys.readouterr().out)["next_cycle"]
    assert nc["weight_check"]["configured"] is True and nc["weight_check"]["threshold_percent"] == 10
    assert nc["rounding"]["mg"] == 70 and nc["policy"]["dose_rounding"] == {"step_mg": 5, "max_percent": 5}
    assert len(nc["history"]) == 2 and nc["cumulative"]["mg_per_m2"] == 80
    assert "anthracycline" in nc
    batch = tmp_path / "b.jsonl"
    batch.write_text(f.read_text().replace("\n", " ") + "\n")
    (tmp_path / "clinic.json").write_text(json.dumps({"weight_change_percent": "ten"}))
    assert main(["assess", "--jsonl", "--as-of", "2026-12-09", str(batch)]) == 0
    line = json.loads(capsys.readouterr().out)
    assert line["next_cycle"]["weight_check"]["configured"] is False
    assert any("weight_change_percent" in n for n in line["next_cycle"]["notes"])
