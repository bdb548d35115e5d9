"""With the clinic's rounding policy on, every reader gives the same order for a course consult:
the rounded dose, the product to the unrounded mg, and the deviation (example 08, cycle 5)."""

from __future__ import annotations

from datetime import date

from ixdesk.core.course_policy import course_policy
from ixdesk.core.criteria import default_criteria
from ixdesk.core.engine import assess
from ixdesk.core.files import load_consult
from ixdesk.present.clinician import glance_dose
from ixdesk.present.decision import decision_state
from ixdesk.present.sections import present
from ixdesk.present.text import assessment_text
from ixdesk.present.verdict import build_verdict
from tests.conftest import EXAMPLES

EX8 = EXAMPLES / "08-course-four-cycles-with-reduction.json"
DAY = date(2027, 2, 17)
ROUNDED = "55 mg"
DEVIATION = "+1.10%"


def _setup():  # type: ignore[no-untyped-def]
    crit = default_criteria()
    c = load_consult(str(EX8))
    return crit, c, assess(c, crit, as_of=DAY), course_policy(None, {"step_mg": 5, "max_percent": 5})


def test_every_reader_gives_the_rounded_order_with_its_deviation() -> None:
    crit, c, a, policy = _setup()
    v = build_verdict(a, c, crit, policy)
    assert v.dose.startswith(ROUNDED) and "54.4 mg" in v.dose and DEVIATION in v.dose
    glance = glance_dose(c, a, crit, decision_state(a), policy)
    assert "= 54.4 mg, rounded to 55 mg (+1.10%" in glance
    p = present(a, crit, (), c, policy)
    dose_points = [k for k in p.key_points if "cycle 5" in str(k).lower()]
    assert dose_points and all(ROUNDED in str(k) and DEVIATION in str(k) for k in dose_points)
    text = assessment_text(a, "08", crit, (), c, policy)
    assert "rounded to 55 mg (+1.10%" in text


def test_without_a_policy_the_unrounded_dose_stands_everywhere() -> None:
    crit, c, a, _ = _setup()
    v = build_verdict(a, c, crit)
    assert v.dose.startswith("54.4 mg") and "rounded" not in v.dose
    assert "= 54.4 mg" in glance_dose(c, a, crit, decision_state(a)) and "rounded" not in glance_dose(
        c, a, crit, decision_state(a))
