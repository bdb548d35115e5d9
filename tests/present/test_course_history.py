"""The course in words (ixdesk.present.course_history, nurse_cycle): when a dose may be printed, the
volumes and pump rate at their rounding edges, unknown toxicities said as not recorded."""

from __future__ import annotations

import json
from typing import Any

import pytest

from ixdesk.core.consult import Consult
from ixdesk.core.course import assess_next_cycle
from ixdesk.core.criteria import default_criteria
from ixdesk.core.engine import assess
from ixdesk.present.course_history import build_course_history, dose_may_be_given, toxicity_lines
from ixdesk.present.nurse_cycle import build_cycle_check_report, final_volume_range, pump_rate
from ixdesk.present.settings import ReportSettings
from tests.present.course_data import PRINTED_ON, course_consult, course_data

CRITERIA = default_criteria()


def _decide(c: Consult) -> Any:
    return assess_next_cycle(c, CRITERIA, PRINTED_ON)


@pytest.mark.parametrize(("kw", "shown"), [
    ({}, True),
    ({"neutrophils": 1500, "platelets": 100000}, True),  # exactly the thresholds go
    ({"neutrophils": 1499}, False),
    ({"platelets": 99999}, False),
    ({"tox": {"neuropathy_grade_now": 2}}, False),
    ({"tox": {"febrile_neutropenia": True}}, True),
    ({"tox": {"any_grade4": True}}, False),
    ({"tox": {"any_grade4": None}}, False),
    ({"weight": None}, False),
])
def test_a_dose_is_printed_only_when_the_gate_goes_and_the_dose_is_decided(kw: dict[str, Any], shown: bool) -> None:
    c = course_consult(**kw)
    a = assess(c, CRITERIA, as_of=PRINTED_ON)
    assert dose_may_be_given(_decide(c), a) is shown
    r = build_cycle_check_report(c, a, CRITERIA, ReportSettings(), PRINTED_ON)
    assert r.dose_shown is shown
    assert bool(r.administration) is shown
    assert (r.state_text == "GO") is shown
    dump = r.model_dump_json()
    if not shown:
        assert "mL" not in dump and "mg/m² ×" not in dump and "Dose (mg/m² × BSA = mg)" not in dump


def test_the_first_cycle_follows_the_consults_decision() -> None:
    data = course_data()
    data["course"]["cycles_given"] = []
    data["course"]["next_cycle"]["number"] = 1
    c = Consult.model_validate_json(json.dumps(data))
    a = assess(c, CRITERIA, as_of=PRINTED_ON)
    r = build_cycle_check_report(c, a, CRITERIA, ReportSettings(), PRINTED_ON)
    assert r.title == "Cycle 1 double check" and r.dose_shown
    dose = next(row.value for row in r.body if row.item == "Dose (mg/m² × BSA = mg)")
    assert dose == "40 mg/m² × 1.5986 m² = 63.9 mg"  # the assessment's 40 mg/m² on the day's BSA


def test_a_consult_without_a_course_has_no_course_history_and_a_not_decided_sheet() -> None:
    c = Consult.model_validate_json(json.dumps({k: v for k, v in course_data().items() if k != "course"}))
    assert build_course_history(c, CRITERIA, PRINTED_ON) is None
    r = build_cycle_check_report(c, assess(c, CRITERIA, as_of=PRINTED_ON), CRITERIA, ReportSettings(), PRINTED_ON)
    assert r.title == "Cycle 1 double check" and not r.dose_shown and r.state_text == "NOT DECIDED"


def test_unrecorded_toxicities_are_said_to_be_not_recorded() -> None:
    c = course_consult(tox={"febrile_neutropenia": None, "neuropathy_grade_now": None, "other_grade3": True})
    lines = toxicity_lines(c.course.next_cycle.toxicity)  # type: ignore[union-attr]
    assert "Febrile neutropenia: not recorded" in lines
    assert "Neuropathy: worst grade 1, 5 day(s); grade now not recorded" in lines
    assert "Other grade 3 toxicity: yes (name not recorded; grade now not recorded)" in lines


def test_the_history_rows_are_the_cycles_given() -> None:
    h = build_course_history(course_consult(), CRITERIA, PRINTED_ON)
    assert h is not None and [r.cycle for r in h.rows] == ["1", "2", "3"]
    assert h.rows[1].reason == "Febrile neutropenia after cycle 1: reduce 20%" and h.rows[0].reason == "—"
    assert h.next is not None and h.next.cycle == "Cycle 4" and h.next.labs_when == "27 Jan 2027 08:40"


@pytest.mark.parametrize(("mg", "expected"), [
    (51.2, (86, 256)),  # 85.33 up, 256 exactly
    (60.0, (100, 300)),  # both ends exact: kept
    (88.0, (147, 440)),  # the BSA cap's largest dose
    (70.6, (118, 353)),  # 70.6 / 0.2 is 352.999… in floating point: 353, not 352
])
def test_final_volume_range_is_rounded_inward(mg: float, expected: tuple[int, int]) -> None:
    assert final_volume_range(mg, CRITERIA.administration.preparation) == expected


@pytest.mark.parametrize(("ml", "hours", "rate"), [(86, 3, "28.7"), (256, 3, "85.3"), (100, 3, "33.3"),
                                                  (250, 3, "83.3"), (250.5, 3, "83.5"), (300, 4, "75.0")])
def test_pump_rate_rounds_half_up_to_a_tenth(ml: float, hours: float, rate: str) -> None:
    assert pump_rate(ml, hours) == rate
