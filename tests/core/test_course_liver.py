"""The combination's liver-test contraindication on the cycle's own labs (reader's pass, item 3).

Facts sheet 4-6: with capecitabine, ixabepilone is contraindicated when AST or ALT > 2.5 × ULN or
bilirubin > 1 × ULN; the per-cycle gate itself is counts and toxicity. So a cycle test above the
limit holds the cycle, exactly the limit does not, and tests not drawn leave the gate as the counts
give it, named for the checkers (never read as within the limits)."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest

from ixdesk.core.consult import Consult
from ixdesk.core.course import assess_next_cycle
from ixdesk.core.course_result import NextCycleDecision
from ixdesk.core.criteria import default_criteria
from ixdesk.core.files import load_consult
from tests.conftest import EXAMPLES

CRIT = default_criteria()
DAY = date(2027, 2, 17)
EXAMPLE = EXAMPLES / "08-course-four-cycles-with-reduction.json"


def with_cycle_liver(consult: Consult, **tests: tuple[float, float] | None) -> Consult:
    """The example with the cycle's labs given these liver tests, (value, ULN) each."""
    data: dict[str, Any] = consult.model_dump(mode="json")
    labs = data["course"]["next_cycle"]["labs"]
    for name, pair in tests.items():
        if pair is None:
            labs.pop(name, None)
        else:
            labs[name] = {"value": pair[0], "uln": pair[1], "unit": "mg/dL" if name == "bilirubin" else "U/L"}
    return Consult.model_validate_json(json.dumps(data))


def decide(consult: Consult) -> NextCycleDecision:
    d = assess_next_cycle(consult, CRIT, DAY)
    assert d is not None
    return d


def test_tests_not_drawn_keep_the_gate_and_are_named_with_the_consults_last_values() -> None:
    c = load_consult(EXAMPLE)
    d = decide(c)
    assert d.gate == "go" and d.liver is not None and d.liver.state == "unknown"
    assert [m.field for m in d.liver.missing] == [
        "course.next_cycle.labs.ast", "course.next_cycle.labs.alt", "course.next_cycle.labs.bilirubin"]
    assert d.liver.last_date == c.labs.date and [t.name for t in d.liver.last] == ["ast", "alt", "bilirubin"]
    assert d.liver.source.startswith("PI, Boxed Warning")
    assert d.missing == []  # not an input the gate needs: the PI's gate is counts and toxicity


@pytest.mark.parametrize(("tests", "gate", "state"), [
    ({"ast": (100, 40), "alt": (40, 40), "bilirubin": (1.2, 1.2)}, "go", "not_met"),  # exactly 2.5 and 1 × ULN
    ({"ast": (101, 40), "alt": (40, 40), "bilirubin": (1.2, 1.2)}, "hold", "met"),  # AST above 2.5 × ULN
    ({"ast": (40, 40), "alt": (100, 40), "bilirubin": (1.0, 1.2)}, "go", "not_met"),  # ALT exactly 2.5 × ULN
    ({"ast": (40, 40), "alt": (100.1, 40), "bilirubin": (1.0, 1.2)}, "hold", "met"),
    ({"ast": (40, 40), "alt": (40, 40), "bilirubin": (1.21, 1.2)}, "hold", "met"),  # bilirubin above 1 × ULN
    ({"ast": None, "alt": None, "bilirubin": (1.3, 1.2)}, "hold", "met"),  # decided whatever AST and ALT are
    ({"ast": (100, 40), "alt": None, "bilirubin": (1.2, 1.2)}, "go", "unknown"),  # ALT not drawn: a check
])
def test_the_limits_exactly_and_just_above(tests: dict[str, Any], gate: str, state: str) -> None:
    d = decide(with_cycle_liver(load_consult(EXAMPLE), **tests))
    assert d.liver is not None and (d.gate, d.liver.state) == (gate, state)
    if state == "met":
        assert any("contraindicated" in b and "Boxed Warning" in b for b in d.basis)
    if state == "not_met":
        assert d.liver.missing == [] and d.liver.last == []


def test_monotherapy_has_no_combination_liver_check() -> None:
    c = load_consult(EXAMPLE)
    c = c.model_copy(update={"plan": c.plan.model_copy(update={"regimen": "monotherapy"})})
    d = decide(with_cycle_liver(c, ast=(400, 40)))
    assert d.liver is None and d.gate == "go"


def with_consult_liver(consult: Consult, **tests: tuple[float, float]) -> Consult:
    """The consult's own (baseline) labs given these liver tests, (value, ULN) each."""
    data: dict[str, Any] = consult.model_dump(mode="json")
    for name, (value, uln) in tests.items():
        data["labs"][name] = {"value": value, "uln": uln, "unit": "mg/dL" if name == "bilirubin" else "U/L"}
    return Consult.model_validate_json(json.dumps(data))


def test_a_consult_value_above_the_limit_holds_a_cycle_that_drew_no_liver_tests() -> None:
    """Review: the consult's AST 3.75 × ULN was shown beside 'not drawn' while the sheet said GO."""
    c = with_consult_liver(load_consult(EXAMPLE), ast=(150, 40))
    d = decide(c)
    assert d.liver is not None and d.liver.state == "unknown" and d.liver.last_state == "met" and d.liver.holds
    assert d.gate == "hold" and any("contraindicated" in b for b in d.basis)
    assert [t.name for t in d.liver.last if t.above == "met"] == ["ast"]
    # exactly at the limit, the earlier value does not hold it
    d = decide(with_consult_liver(load_consult(EXAMPLE), ast=(100, 40), bilirubin=(1.2, 1.2)))
    assert d.liver is not None and d.liver.last_state == "not_met" and not d.liver.holds and d.gate == "go"


def test_a_newer_cycle_value_within_the_limit_stands_over_the_consults() -> None:
    c = with_cycle_liver(with_consult_liver(load_consult(EXAMPLE), ast=(150, 40)), ast=(60, 40))
    d = decide(c)
    assert d.liver is not None and d.liver.last_state == "not_met" and not d.liver.holds and d.gate == "go"
    assert [t.name for t in d.liver.last] == ["alt", "bilirubin"]  # the consult's, for the tests not drawn


def test_with_no_plan_recorded_the_liver_check_still_runs() -> None:
    """Review: with the plan blank the check was skipped, and AST 10 × ULN printed GO."""
    c = load_consult(EXAMPLE)
    c = c.model_copy(update={"plan": c.plan.model_copy(update={"regimen": None})})
    d = decide(with_cycle_liver(c, ast=(400, 40), alt=(40, 40), bilirubin=(0.5, 1.2)))
    assert d.liver is not None and d.liver.state == "met" and d.gate != "go"
