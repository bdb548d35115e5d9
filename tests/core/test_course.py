"""The next-cycle decision (issue 11, section 2): gate, dose-modification table, carried adjustments."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from ixdesk.core.consult import SCHEMA_VERSION, Consult
from ixdesk.core.course import assess_next_cycle
from ixdesk.core.course_result import NextCycleDecision
from ixdesk.core.criteria import default_criteria
from ixdesk.core.files import parse_consult, consult_to_json
from tests.core.helpers import consult as base_consult

AS_OF = date(2026, 12, 9)
DAY = "2026-12-09"
# every toxicity recorded as absent: a row under test changes only its own fields
CLEAN_TOX: dict[str, Any] = {
    "neutrophils_below_500_days": 0, "febrile_neutropenia": False, "platelets_low": "none", "bleeding": False,
    "neuropathy_grade": 0, "neuropathy_days": 0, "neuropathy_disabling": False, "neuropathy_grade_now": 0,
    "other_grade3": False, "transient_grade3_arthralgia_myalgia_fatigue": False,
    "grade3_hand_foot_syndrome": False, "any_grade4": False, "diarrhoea_or_stomatitis": False,
}


def cycles(*doses: float, start: date = date(2026, 10, 28)) -> list[dict[str, Any]]:
    out = []
    for i, d in enumerate(doses):
        day = date.fromordinal(start.toordinal() + 21 * (i - len(doses) + 1))
        out.append({"number": i + 1, "date": day.isoformat(), "weight_kg": 65, "ixabepilone_mg_per_m2": d,
                    "verified_by": "RN Two"})
    return out


def course_consult(*, given: tuple[float, ...] = (40,), tox: dict[str, Any] | None = None,
                   labs: dict[str, Any] | None = None, meds: list[dict[str, Any]] | None = None,
                   weight: float | None = 65, planned: str | None = DAY, plan: str = "monotherapy",
                   **over: Any) -> Consult:
    nc: dict[str, Any] = {
        "planned_date": planned, "weight_kg": weight,
        "labs": {"date": DAY, "neutrophils": {"value": 2000}, "platelets": {"value": 150000}} if labs is None else labs,
        "medications": [] if meds is None else meds,
        "toxicity": {**CLEAN_TOX, **(tox or {})},
    }
    if planned is None:
        del nc["planned_date"]
    c = base_consult(plan={"regimen": plan}, **over)
    return _v({**c.model_dump(mode="json"), "course": {"cycles_given": cycles(*given), "next_cycle": nc}})


def _v(data: dict[str, Any]) -> Consult:
    return Consult.model_validate_json(json.dumps(data))


def decide(c: Consult) -> NextCycleDecision:
    r = assess_next_cycle(c, default_criteria(), AS_OF)
    assert r is not None
    return r


# --- the gate ------------------------------------------------------------------------------

@pytest.mark.parametrize("neut, plt, gate", [
    (1500, 100000, "go"),  # exactly the thresholds are allowed
    (1499, 100000, "hold"),
    (1500, 99999, "hold"),
    (None, 100000, "unknown"),
    (1500, None, "unknown"),
    (None, None, "unknown"),
    (1499, None, "hold"),  # one count below decides whatever the other is
])
def test_gate_counts(neut: float | None, plt: float | None, gate: str) -> None:
    labs: dict[str, Any] = {"date": DAY}
    if neut is not None:
        labs["neutrophils"] = {"value": neut}
    if plt is not None:
        labs["platelets"] = {"value": plt}
    r = decide(course_consult(labs=labs))
    assert r.gate == gate
    if gate == "unknown":
        assert any(m.field.startswith("course.next_cycle.labs.") for m in r.missing)


def test_gate_reads_the_thresholds_from_the_criteria() -> None:
    cs = default_criteria().administration.cycle_start
    assert (cs.neutrophils_min_per_mm3, cs.platelets_min_per_mm3, cs.nonhematologic_max_grade) == (1500, 100000, 1)


@pytest.mark.parametrize("tox, gate", [
    ({"neuropathy_grade_now": 1}, "go"),
    ({"neuropathy_grade_now": 2}, "hold"),
    ({"neuropathy_grade_now": None}, "unknown"),
    ({"other_grade3": True, "other_grade3_name": "nausea", "other_grade3_grade_now": 1}, "go"),
    ({"other_grade3": True, "other_grade3_name": "nausea", "other_grade3_grade_now": 2}, "hold"),
    ({"other_grade3": True, "other_grade3_name": "nausea"}, "unknown"),
])
def test_gate_nonhematologic(tox: dict[str, Any], gate: str) -> None:
    assert decide(course_consult(tox=tox)).gate == gate


def test_no_labs_never_go() -> None:
    r = decide(course_consult(labs={}))
    assert r.gate == "unknown"


# --- the dose-modification table, row by row -------------------------------------------------

@pytest.mark.parametrize("tox, action, rule, mg_m2", [
    ({}, "no_change", None, 40),
    ({"neutrophils_below_500_days": 6}, "no_change", None, 40),
    ({"neutrophils_below_500_days": 7}, "reduce", "mod.neutrophils_500_7d", 32),
    ({"febrile_neutropenia": True}, "reduce", "mod.febrile_neutropenia", 32),
    ({"platelets_low": "below_25000"}, "reduce", "mod.platelets", 32),
    ({"platelets_low": "below_50000", "bleeding": True}, "reduce", "mod.platelets", 32),
    ({"platelets_low": "below_50000", "bleeding": False}, "no_change", None, 40),
    ({"neuropathy_grade": 2, "neuropathy_days": 6}, "no_change", None, 40),
    ({"neuropathy_grade": 2, "neuropathy_days": 7}, "reduce", "mod.neuropathy_g2_7d", 32),
    ({"neuropathy_grade": 3, "neuropathy_days": 6}, "reduce", "mod.neuropathy_g3_lt7d", 32),
    ({"neuropathy_grade": 3, "neuropathy_days": 7}, "discontinue", "mod.neuropathy_g3_7d", None),
    ({"neuropathy_grade": 3, "neuropathy_days": 2, "neuropathy_disabling": True}, "discontinue", "mod.neuropathy_g3_7d", None),
    ({"other_grade3": True, "other_grade3_name": "nausea", "other_grade3_grade_now": 1}, "reduce", "mod.other_g3", 32),
    ({"transient_grade3_arthralgia_myalgia_fatigue": True}, "no_change", "mod.transient_g3", 40),
    ({"grade3_hand_foot_syndrome": True}, "no_change", "mod.hand_foot_g3", 40),
    ({"any_grade4": True}, "discontinue", "mod.grade4", None),
    ({"neuropathy_grade": 4, "any_grade4": None}, "discontinue", "mod.grade4", None),
])
def test_modification_rows(tox: dict[str, Any], action: str, rule: str | None, mg_m2: float | None) -> None:
    r = decide(course_consult(tox=tox))
    assert (r.action, r.rule, r.mg_per_m2) == (action, rule, mg_m2)
    if mg_m2 is not None:
        assert r.mg == round(mg_m2 * r.bsa_used_m2, 1)  # type: ignore[operator]


def test_every_table_row_is_read() -> None:
    ids = {r.id for r in decide(course_consult()).rows}
    table = {r.id for r in default_criteria().administration.dose_modifications.rows if r.effect != "further_reduce"}
    assert ids == table


@pytest.mark.parametrize("tox, missing", [
    ({"neutrophils_below_500_days": None}, "neutrophils_below_500_days"),
    ({"neuropathy_grade": 2, "neuropathy_days": None}, "neuropathy_days"),
    ({"neuropathy_grade": 3, "neuropathy_days": None}, "neuropathy_days"),
    ({"neuropathy_grade": 3, "neuropathy_days": 3, "neuropathy_disabling": None}, "neuropathy_disabling"),
    ({"platelets_low": "below_50000", "bleeding": None}, "bleeding"),
    ({"any_grade4": None}, "any_grade4"),
])
def test_unknown_toxicity_names_the_field(tox: dict[str, Any], missing: str) -> None:
    r = decide(course_consult(tox=tox))
    assert r.action == "unknown" and r.mg_per_m2 is None
    assert f"course.next_cycle.toxicity.{missing}" in {m.field for m in r.missing}


def test_a_reduction_decided_whatever_another_reduce_row_is() -> None:
    r = decide(course_consult(tox={"febrile_neutropenia": True, "other_grade3": None}))
    assert (r.action, r.mg_per_m2) == ("reduce", 32)


# --- counted reductions and recurrence ---------------------------------------------------------

def test_recurrence_after_a_reduction_is_a_further_20_percent() -> None:
    r = decide(course_consult(given=(40, 32), tox={"febrile_neutropenia": True}))
    assert (r.action, r.rule, r.mg_per_m2, r.reductions_before, r.reductions) == ("reduce", "mod.recurrence", 25.6, 1, 2)


def test_a_reduced_dose_stays_without_toxicity() -> None:
    r = decide(course_consult(given=(40, 32, 32)))
    assert (r.action, r.mg_per_m2, r.max_mg_per_m2, r.reductions) == ("no_change", 32, 32, 1)


def test_never_above_the_standard_dose() -> None:
    r = decide(course_consult(given=(40, 44)))
    assert r.mg_per_m2 == 40


def test_first_cycle_uses_the_starting_dose() -> None:
    r = decide(course_consult(given=()))
    assert (r.action, r.rule, r.mg_per_m2) == ("first_cycle", "first_cycle", None)


@pytest.mark.parametrize("med", [
    {"name": "clarithromycin 500 mg bid", "start_date": "2026-12-01"},  # continues
    {"name": "clarithromycin", "start_date": "2026-11-20", "stop_date": "2026-12-05"},  # within its week
    {"name": "zzfoo 10 mg"},  # not recognised: could be one
])
def test_first_cycle_with_an_inhibitor_only_on_the_cycles_list_is_not_the_assessments_dose(med: dict[str, Any]) -> None:
    # the hunt: the first cycle printed the assessment's 40 mg/m² beside 'clarithromycin ... continues'
    r = decide(course_consult(given=(), meds=[med]))
    assert r.action == "unknown" and r.mg_per_m2 is None
    assert any("did not take it into account" in n for n in r.notes)
    assert r.missing
    # the same inhibitor in the consult's own list: the assessment's dose already is the inhibitor's
    both = decide(course_consult(given=(), meds=[med], history={"medications": [med["name"]]}))
    assert both.action == ("first_cycle" if "zzfoo" not in med["name"] else "unknown")


def test_no_course_no_decision() -> None:
    assert assess_next_cycle(base_consult(), default_criteria(), AS_OF) is None


# --- the strong inhibitor's week ---------------------------------------------------------------

def _inhibitor_course(stop: str | None) -> Consult:
    med: dict[str, Any] = {"name": "clarithromycin", "start_date": "2026-10-20"}
    if stop:
        med["stop_date"] = stop
    # cycle 1 at 40 before it (2026-10-07), cycle 2 at 20 under it (2026-10-28)
    return course_consult(given=(40, 20), meds=[med])


@pytest.mark.parametrize("stop, state, mg_m2", [
    (None, "continues", 20),
    ("2026-12-03", "stopped_under_washout", 20),  # 6 days before the cycle
    ("2026-12-02", "stopped_washed_out", 40),  # 7 days: back to the previous dose
])
def test_inhibitor_week(stop: str | None, state: str, mg_m2: float) -> None:
    r = decide(_inhibitor_course(stop))
    assert (r.inhibitor, r.mg_per_m2) == (state, mg_m2)


def test_a_toxicity_reduction_under_the_inhibitor_is_not_undone_when_it_washes_out() -> None:
    # the hunt: cycle 1 at 40, cycle 2 at 20 (inhibitor), cycle 3 at 16 for febrile neutropenia; the
    # inhibitor stopped a week before the next cycle, which then went back to 40 and lost the reduction
    med = {"name": "clarithromycin", "start_date": "2026-10-05", "stop_date": "2026-12-02"}
    c = course_consult(given=(40, 20, 16), meds=[med])
    data = c.model_dump(mode="json")
    data["course"]["cycles_given"][1]["change_rule"] = "cyp3a4.inhibitor"
    data["course"]["cycles_given"][2]["change_rule"] = "mod.febrile_neutropenia"
    r = decide(_v(data))
    assert (r.inhibitor, r.action, r.reductions_before) == ("stopped_washed_out", "no_change", 1)
    assert r.mg_per_m2 == 32  # 40 less the 20% for the febrile neutropenia, never 40
    assert any("still applies: 32 mg/m²" in n for n in r.notes)
    assert any("IxDesk's reading" in u for u in r.unverified)
    # the same toxicity again after the return: a further 20% of that dose
    data["course"]["next_cycle"]["toxicity"]["febrile_neutropenia"] = True
    again = decide(_v(data))
    assert (again.action, again.recurrence, again.mg_per_m2) == ("reduce", "met", 25.6)
    # with no reduction meanwhile the previous dose returns as before
    assert decide(_inhibitor_course("2026-12-02")).mg_per_m2 == 40


def _labs_on(day: str) -> dict[str, Any]:
    return {"date": day, "neutrophils": {"value": 2000}, "platelets": {"value": 150000}}


def test_labs_drawn_on_or_before_the_last_cycle_do_not_start_the_next() -> None:
    # the hunt: counts of the last cycle's own day (before its myelosuppression) gave GO for the next
    last_day = cycles(40, 40)[-1]["date"]  # cycle 2, 2026-10-28
    r = decide(course_consult(given=(40, 40), labs=_labs_on(last_day)))
    assert r.gate == "unknown"
    assert [c.state for c in r.gate_checks if c.check != "nonhematologic"] == ["unknown", "unknown"]
    assert {m.field for m in r.missing} >= {"course.next_cycle.labs.neutrophils", "course.next_cycle.labs.platelets"}
    assert any("were drawn on or before cycle 2's day" in n for n in r.notes)
    # a low count of those labs still holds; counts drawn the day after the cycle are the cycle's own
    low = decide(course_consult(given=(40, 40), labs={**_labs_on(last_day), "neutrophils": {"value": 900}}))
    assert low.gate == "hold"
    assert decide(course_consult(given=(40, 40), labs=_labs_on("2026-10-29"))).gate == "go"


@pytest.mark.parametrize("planned, noted", [("2026-11-02", True), ("2026-11-17", True), ("2026-11-18", False)])
def test_a_cycle_planned_sooner_than_21_days_after_the_last_is_noted(planned: str, noted: bool) -> None:
    # the hunt: cycle 3 planned 5 days after cycle 2 gave GO without a word
    r = decide(course_consult(given=(40, 40), planned=planned, labs=_labs_on(planned)))
    assert any("is given every 21 days; check the dates" in n for n in r.notes) is noted, planned


def test_inhibitor_start_unknown_leaves_the_dose_unknown() -> None:
    c = course_consult(given=(40, 20), meds=[{"name": "clarithromycin", "stop_date": "2026-11-20"}])
    r = decide(c)
    assert r.inhibitor == "unknown" and r.mg_per_m2 is None
    assert "course.next_cycle.medications[0].start_date" in {m.field for m in r.missing}


def test_unrecognised_medication_is_unknown_not_absent() -> None:
    r = decide(course_consult(meds=[{"name": "zzqx-unknown-tablet"}]))
    assert r.inhibitor == "unknown" and r.action == "unknown"


def test_medications_not_recorded() -> None:
    c = course_consult()
    c = _v({**c.model_dump(mode="json"),
                          "course": {**c.model_dump(mode="json")["course"],
                                     "next_cycle": {**c.model_dump(mode="json")["course"]["next_cycle"], "medications": None}}})
    r = decide(c)
    assert r.inhibitor == "unknown" and "course.next_cycle.medications" in {m.field for m in r.missing}


# --- the hepatic 30 mg/m² step -------------------------------------------------------------------

HEPATIC_MODERATE = {"date": "2026-11-16", "neutrophils": {"value": 3000}, "platelets": {"value": 200000},
                    "ast": {"value": 30, "uln": 40, "unit": "U/L"}, "alt": {"value": 30, "uln": 40, "unit": "U/L"},
                    "bilirubin": {"value": 2.4, "uln": 1.2, "unit": "mg/dL"}}  # 2 x ULN


def test_hepatic_start_may_rise_to_30_if_tolerated() -> None:
    r = decide(_hepatic(given=(20,)))
    assert (r.mg_per_m2, r.max_mg_per_m2) == (20, 30)


def test_hepatic_ceiling_is_30_never_higher() -> None:
    r = decide(_hepatic(given=(20, 30)))
    assert (r.mg_per_m2, r.max_mg_per_m2) == (30, 30)


def test_hepatic_step_not_offered_with_a_strong_inhibitor() -> None:
    r = decide(_hepatic(given=(20,), meds=[{"name": "ketoconazole", "start_date": "2026-11-01"}]))
    assert (r.mg_per_m2, r.max_mg_per_m2, r.inhibitor) == (20, 20, "continues")


def test_hepatic_step_not_offered_after_a_toxicity() -> None:
    r = decide(_hepatic(given=(20,), tox={"febrile_neutropenia": True}))
    assert (r.mg_per_m2, r.max_mg_per_m2) == (16, 16)


def _hepatic(**kw: Any) -> Consult:
    c = course_consult(**kw)
    return _v({**c.model_dump(mode="json"), "labs": HEPATIC_MODERATE})


# --- BSA from the day's weight, and the cap ------------------------------------------------------

def test_bsa_recomputed_from_the_new_weight() -> None:
    r65 = decide(course_consult(weight=65))
    r55 = decide(course_consult(weight=55))
    assert r65.bsa_m2 == round((165 * 65 / 3600) ** 0.5, 4)
    assert r55.bsa_m2 == round((165 * 55 / 3600) ** 0.5, 4)
    assert r55.mg == round(40 * r55.bsa_m2, 1) < r65.mg  # type: ignore[operator]


def test_bsa_cap() -> None:
    c = course_consult(weight=160)
    c = _v({**c.model_dump(mode="json"), "patient": {**c.model_dump(mode="json")["patient"], "height_cm": 200}})
    r = decide(c)
    assert r.bsa_capped and r.bsa_used_m2 == 2.2 and r.mg == 88


def test_weight_missing_is_named() -> None:
    r = decide(course_consult(weight=None))
    assert r.mg is None and r.mg_per_m2 == 40
    assert "course.next_cycle.weight_kg" in {m.field for m in r.missing}


# --- capecitabine holds --------------------------------------------------------------------------

@pytest.mark.parametrize("tox, plt, platelet_hold, resume", [
    ({"platelets_low": "below_25000", "diarrhoea_or_stomatitis": True}, 50000, "met", "not_met"),
    ({"platelets_low": "below_25000", "diarrhoea_or_stomatitis": True}, 50001, "met", "met"),
    ({"platelets_low": "below_25000", "diarrhoea_or_stomatitis": False}, 150000, "not_met", "met"),
    ({"platelets_low": "below_25000", "diarrhoea_or_stomatitis": None}, 150000, "unknown", "met"),
])
def test_capecitabine_platelet_hold(tox: dict[str, Any], plt: float, platelet_hold: str, resume: str) -> None:
    labs = {"date": DAY, "neutrophils": {"value": 2000}, "platelets": {"value": plt}}
    r = decide(course_consult(tox=tox, labs=labs, plan="with_capecitabine"))
    hold = next(h for h in r.capecitabine if h.lab == "platelets")
    assert (hold.state, hold.resume) == (platelet_hold, resume)


def test_capecitabine_neutrophil_hold_is_unverified() -> None:
    r = decide(course_consult(tox={"febrile_neutropenia": True, "diarrhoea_or_stomatitis": True}, plan="with_capecitabine"))
    hold = next(h for h in r.capecitabine if h.lab == "neutrophils")
    assert hold.state == "met" and hold.confidence == "unverified" and hold.resume_above_per_mm3 == 1000
    assert hold.text in r.unverified


def test_no_capecitabine_holds_in_monotherapy() -> None:
    assert decide(course_consult()).capecitabine == []


# --- the file: version 2, version 1 migrates -----------------------------------------------------

def test_version_1_file_loads_unchanged_and_saves_as_version_2() -> None:
    path = Path(__file__).parents[2] / "resources" / "examples"
    example = sorted(path.glob("*.json"))[0]
    raw = example.read_bytes()
    assert json.loads(raw)["schema_version"] == 1
    c = parse_consult(raw, str(example))
    assert c.course is None
    saved = json.loads(consult_to_json(c))
    assert saved["schema_version"] == SCHEMA_VERSION == 2
    # every value of the version 1 file is kept as it was; only the version and the empty course are new
    assert parse_consult(consult_to_json(c), "again.json").model_dump(exclude={"schema_version"}) == \
        c.model_dump(exclude={"schema_version"})
    assert {k: v for k, v in saved.items() if k not in ("schema_version", "course")} == \
        {k: v for k, v in parse_consult(raw).model_dump(mode="json").items() if k not in ("schema_version", "course")}
    assert saved.get("course") is None


def test_version_2_course_round_trips() -> None:
    c = course_consult(given=(40, 32))
    again = parse_consult(consult_to_json(c).encode(), "x.json")
    assert again == c and again.course is not None and len(again.course.cycles_given) == 2


def test_cycle_numbers_must_increase() -> None:
    c = course_consult(given=(40, 32))
    data = c.model_dump(mode="json")
    data["course"]["cycles_given"][1]["number"] = 1
    with pytest.raises(ValueError, match=r"cycles_given\[1\]\.number"):
        _v(data)


def test_inhibitor_taken_between_cycles_leaves_the_last_dose() -> None:
    med = {"name": "clarithromycin", "start_date": "2026-11-10", "stop_date": "2026-11-20"}
    r = decide(course_consult(given=(40, 32), meds=[med]))
    assert (r.inhibitor, r.mg_per_m2) == ("stopped_washed_out", 32)


def test_the_week_is_the_criteria_value() -> None:
    assert default_criteria().dosing.cyp3a4.inhibitor_washout_days == 7


# --- ixdesk assess --json ------------------------------------------------------------------------

def test_json_adds_next_cycle(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from ixdesk.cli import main

    with_course = tmp_path / "course.json"
    with_course.write_text(consult_to_json(course_consult(given=(40, 32), tox={"febrile_neutropenia": True})))
    without = tmp_path / "plain.json"
    without.write_text(consult_to_json(base_consult()))
    main(["assess", "--json", "--as-of", "2026-12-09", str(with_course), str(without)])
    out = json.loads(capsys.readouterr().out)
    nc = out[0]["next_cycle"]
    assert (nc["gate"], nc["action"], nc["rule"], nc["mg_per_m2"], nc["reductions"]) == ("go", "reduce", "mod.recurrence", 25.6, 2)
    assert out[1]["next_cycle"] is None
    assert "decision" in out[0] and "dose" in out[0]  # fields only added
