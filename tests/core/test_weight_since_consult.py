"""The cycle's weight against the consult's as well as the last cycle's (reader's pass, item 6):
08 reads 63 kg, -4.5% from 66 kg (last cycle), and -7.4% from the consult's 68 kg was not shown.
Shown only: the clinic's weight_change_percent against the dose's weight stays the one flag (no
other threshold is sourced)."""

from __future__ import annotations

import json
from datetime import date

import pytest

from ixdesk.core.consult import Consult
from ixdesk.core.course import assess_next_cycle
from ixdesk.core.course_policy import course_policy
from ixdesk.core.criteria import default_criteria
from ixdesk.core.files import load_consult
from ixdesk.present.course_history import weight_words
from tests.conftest import EXAMPLES

CRIT = default_criteria()
DAY = date(2027, 2, 17)
EXAMPLE = EXAMPLES / "08-course-four-cycles-with-reduction.json"


def test_08_shows_the_change_since_the_consult_without_a_threshold() -> None:
    d = assess_next_cycle(load_consult(EXAMPLE), CRIT, DAY)
    assert d is not None and d.weight_check is not None
    w = d.weight_check
    assert (w.reference_kg, w.change_percent, w.consult_kg, w.consult_change_percent) == (66, -4.5, 68, -7.4)
    assert w.state == "unknown"  # no clinic threshold: never flagged
    text, flagged = weight_words(w)
    assert "−7.4% from 68 kg (consult)" in text and not flagged


@pytest.mark.parametrize("threshold", [10, 9.9])
def test_the_consult_change_is_shown_and_the_flag_stays_the_clinic_threshold_on_the_dose_weight(threshold: float) -> None:
    data = load_consult(EXAMPLE).model_dump(mode="json")
    data["patient"]["weight_kg"] = 70  # 63 kg on the day: exactly -10% since the consult
    c = Consult.model_validate_json(json.dumps(data))
    d = assess_next_cycle(c, CRIT, DAY, course_policy(threshold, None))
    assert d is not None and d.weight_check is not None
    w = d.weight_check
    assert w.consult_change_percent == -10 and w.consult_kg == 70
    assert w.state == "not_met"  # -4.5% from the last cycle's 66 kg: within; no second threshold invented
    text, flagged = weight_words(w)
    assert "−10.0% from 70 kg (consult)" in text and not flagged


def test_no_consult_line_when_the_reference_is_the_consult_weight() -> None:
    data = load_consult(EXAMPLE).model_dump(mode="json")
    data["course"]["cycles_given"] = []
    c = Consult.model_validate_json(json.dumps(data))
    d = assess_next_cycle(c, CRIT, DAY)
    assert d is not None and d.weight_check is not None
    assert d.weight_check.reference_field == "patient.weight_kg" and d.weight_check.consult_change_percent is None
