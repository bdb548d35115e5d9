"""The course's clinic policies and cumulative picture on every reader (issue 11 wiring): the weight
check with its threshold, the cumulative ixabepilone, the dose rounding (the order is the rounded
dose, its deviation shown), the recurrence, the amendments and the anthracycline exposure beside
the attestation. One wording (ixdesk.present.course_history), read by the clinician summary, the
cycle double check and the next-visit sheet."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest

from ixdesk.core.consult import Consult
from ixdesk.core.course import assess_next_cycle
from ixdesk.core.course_policy import CoursePolicy, course_policy
from ixdesk.core.criteria import load_criteria
from ixdesk.core.engine import assess
from ixdesk.core.files import load_consult
from ixdesk.paths import examples_dir
from ixdesk.present.clinician import build_clinician_report
from ixdesk.present.course_history import (
    THRESHOLD_NOT_SET, build_next_visit_report, cumulative_words, rounding_words, weight_words,
)
from ixdesk.present.nurse_cycle import build_cycle_check_report
from ixdesk.present.settings import ReportSettings
from tests.present.course_data import PRINTED_ON, course_data

CRITERIA = load_criteria()
SETTINGS = ReportSettings()
ROUND_5 = course_policy(None, {"step_mg": 5, "max_percent": 5})


def _consult(**kw: Any) -> Consult:
    return Consult.model_validate_json(json.dumps(course_data(**kw)))


def _reports(c: Consult, policy: CoursePolicy | None) -> tuple[Any, Any, Any]:
    a = assess(c, CRITERIA, as_of=PRINTED_ON)
    return (build_clinician_report(c, a, CRITERIA, SETTINGS, PRINTED_ON, policy),
            build_cycle_check_report(c, a, CRITERIA, SETTINGS, PRINTED_ON, policy),
            build_next_visit_report(c, a, CRITERIA, SETTINGS, PRINTED_ON, policy=policy))


def _cycle_text(r: Any) -> str:
    return r.model_dump_json()


# --- the weight check ------------------------------------------------------------------------

@pytest.mark.parametrize("weight,threshold,flagged", [
    (55.1, 5, False),   # exactly -5.0% from 58 kg: at the threshold is within
    (55.0, 5, True),    # -5.17%: beyond
    (60.9, 5, False),   # +5.0% exactly
    (61.0, 5, True),
])
def test_weight_change_is_flagged_beyond_the_clinics_threshold_with_its_value(weight: float, threshold: float,
                                                                             flagged: bool) -> None:
    c = _consult(weight=weight)
    clin, cyc, visit = _reports(c, course_policy(threshold, None))
    n = clin.course.next
    assert n.weight_flag is flagged
    assert f"the clinic's {threshold}% threshold" in n.weight_text
    assert ("FLAG for the prescriber" in n.weight_text) is flagged
    row = cyc.body[0]
    assert row.item == "Height; weight today" and row.alert is flagged
    assert ("FLAG for the prescriber" in row.value) is flagged
    said = " ".join(p for s in visit.sections for p in s.paragraphs)
    assert ("Your weight has changed since your last cycle." in said) is flagged


def test_without_a_threshold_every_reader_says_it_is_not_set() -> None:
    c = _consult(weight=50)  # -13.8%: would be flagged by any threshold, but none is set
    clin, cyc, visit = _reports(c, None)
    assert THRESHOLD_NOT_SET in clin.course.next.weight_text and not clin.course.next.weight_flag
    assert THRESHOLD_NOT_SET in cyc.body[0].value and not cyc.body[0].alert
    assert "Your weight has changed" not in json.dumps([s.paragraphs for s in visit.sections])
    # a refused setting is not applied either, and the note names it
    bad = course_policy("5%", None)
    clin, _cyc, _v = _reports(c, bad)
    assert THRESHOLD_NOT_SET in clin.course.next.weight_text
    assert any("weight_change_percent" in n for n in clin.course.next.notes)


def test_weight_words_without_a_recorded_weight() -> None:
    d = assess_next_cycle(_consult(weight=None), CRITERIA, PRINTED_ON, course_policy(5, None))
    assert d is not None
    text, flag = weight_words(d.weight_check)
    assert text == "Weight change not known (the clinic's 5% threshold): the day's weight is not recorded" and not flag


# --- the cumulative dose and the recurrence --------------------------------------------------

def test_cumulative_ixabepilone_in_mg_and_mg_per_m2_on_the_summary_and_the_double_check() -> None:
    clin, cyc, _v = _reports(_consult(), None)
    text = "Cumulative ixabepilone: 167.8 mg, 104 mg/m² (3 cycles given)"  # 64.8 + 51.6 + 51.4; 40 + 32 + 32
    assert clin.course.cumulative_text == text and clin.course.next.cumulative_text == text
    assert text in [r for r in cyc.body if r.item.startswith("Dose")][0].value


def test_a_held_double_check_prints_no_course_total() -> None:
    _clin, cyc, _v = _reports(_consult(neutrophils=1499), None)
    assert not cyc.dose_shown and "mg/m²" not in json.dumps([r.value for r in cyc.body])


def test_the_recurrence_names_the_toxicity_that_recurred() -> None:
    clin, cyc, visit = _reports(_consult(tox={"febrile_neutropenia": True}), None)
    words = "Recurrence of febrile neutropenia, first reduced at cycle 2"
    assert clin.course.next.recurrence_text == words
    assert cyc.recurrence == words and words in cyc.toxicity
    said = " ".join(p for s in visit.sections for p in s.paragraphs)
    assert "Your dose will be lower again this time." in said
    # a first reduction is no recurrence
    none = _reports(_consult(tox={"neutrophils_below_500_days": 7}), None)[0]
    assert none.course.next.action == "reduce" and none.course.next.recurrence_text == ""


# --- the dose rounding -------------------------------------------------------------------------

def test_rounding_shows_the_rounded_dose_with_its_deviation_and_the_double_check_says_which_is_the_order() -> None:
    c = _consult()  # no change: 32 mg/m² x 1.5986 m² (cap not reached) = 51.2 mg (the core's mg)
    d = assess_next_cycle(c, CRITERIA, PRINTED_ON, ROUND_5)
    assert d is not None and d.rounding is not None and d.rounding.applied
    r = d.rounding
    clin, cyc, visit = _reports(c, ROUND_5)
    assert clin.course.next.rounding_text == rounding_words(r)
    assert f"Rounded: {r.mg:g} mg (" in clin.course.next.rounding_text and "% from the unrounded" in clin.course.next.rounding_text
    assert f"rounded to {r.mg:g} mg" in clin.course.next.mg_text
    items = {row.item: row.value for row in cyc.body}
    assert "not the order" in items["Dose, unrounded"] and f"{r.unrounded_mg:g} mg" in items["Dose, unrounded"]
    ordered = items["DOSE ORDERED (rounded)"]
    assert ordered.startswith(f"{r.mg:g} mg, ") and f"prepare {r.mg:g} mg" in ordered
    assert "from " + f"{r.unrounded_mg:g} mg" in ordered and "at most 5%" in ordered
    # the preparation follows the order: kits and volumes of the rounded dose
    drug = [row.value for row in cyc.administration if row.item == "Drug and dose"][0]
    assert f"Ixempra kit) {r.mg:g} mg" in drug
    assert "mg" not in json.dumps([s.paragraphs + s.bullets for s in visit.sections]).replace("mg/", "")


def test_without_a_rounding_policy_nothing_is_rounded_nor_said() -> None:
    clin, cyc, _v = _reports(_consult(), None)
    assert clin.course.next.rounding_text == ""
    assert "rounded" not in _cycle_text(cyc).lower().replace("unrounded", "")
    assert [r.item for r in cyc.body if r.item.startswith("Dose")] == ["Dose (mg/m² × BSA = mg)"]


def test_a_held_cycle_prints_no_rounded_dose() -> None:
    clin, cyc, _v = _reports(_consult(neutrophils=1200), ROUND_5)
    assert clin.course.next.rounding_text == "" and "DOSE ORDERED" not in _cycle_text(cyc)


def test_cumulative_words_when_an_mg_is_not_recorded() -> None:
    data = course_data()
    del data["course"]["cycles_given"][1]["ixabepilone_mg"]
    d = assess_next_cycle(Consult.model_validate_json(json.dumps(data)), CRITERIA, PRINTED_ON)
    assert d is not None
    assert cumulative_words(d.cumulative) == ("Cumulative ixabepilone: at least 116.2 mg (an mg not recorded), "
                                              "104 mg/m² (3 cycles given)")


# --- amendments ------------------------------------------------------------------------------

def test_an_amendment_shows_in_the_clinicians_course_table_apart_from_the_reason() -> None:
    data = course_data()
    data["course"]["cycles_given"][1]["amendments"] = [
        {"on": "2027-01-10", "reason": "mg typed wrongly", "by": "RN A. First", "changed": ["ixabepilone_mg"]}]
    c = Consult.model_validate_json(json.dumps(data))
    clin = _reports(c, None)[0]
    row = clin.course.rows[1]
    assert row.reason == "Febrile neutropenia after cycle 1: reduce 20%"
    assert row.amendments == ["Changed on 10 Jan 2027 by RN A. First (mg): mg typed wrongly"]


def test_a_cycle_without_amendments_is_written_as_before() -> None:
    c = _consult()
    assert "amendments" not in c.model_dump_json()
    src = (examples_dir() / "08-course-four-cycles-with-reduction.json").read_text(encoding="utf-8")
    assert "amendments" not in load_consult(examples_dir() / "08-course-four-cycles-with-reduction.json").model_dump_json()
    assert "amendments" not in src


# --- the anthracycline exposure beside the attestation -----------------------------------------

def test_the_clinician_summary_shows_the_recorded_exposure_beside_the_attestation() -> None:
    c = load_consult(examples_dir() / "08-course-four-cycles-with-reduction.json")
    a = assess(c, CRITERIA, as_of=date(2027, 2, 17))
    r = build_clinician_report(c, a, CRITERIA, SETTINGS, date(2027, 2, 17))
    att, exposure = r.anthracycline
    assert att == "attestation 'further anthracycline contraindicated': no"
    assert exposure == ("recorded exposure (not deciding it): doxorubicin: 240 mg/m² (regimen 1); "
                        "regimen 4: cumulative pegylated liposomal doxorubicin dose: not recorded")
    # and each regimen says its own, in the history table
    assert [x.anthracycline for x in r.regimens] == [
        "doxorubicin total 240 mg/m²", "", "", "pegylated liposomal doxorubicin total: not recorded"]


def test_the_exposure_is_shown_for_a_consult_without_a_course() -> None:
    c = load_consult(examples_dir() / "02-monotherapy-after-all-three.json")
    assert c.course is None
    r = build_clinician_report(c, assess(c, CRITERIA, as_of=PRINTED_ON), CRITERIA, SETTINGS, PRINTED_ON)
    assert r.course is None
    assert r.regimens[0].anthracycline == "epirubicin total: not recorded"  # EC, no dose recorded
    assert r.anthracycline == []  # no dose recorded anywhere: no per-agent totals to show
