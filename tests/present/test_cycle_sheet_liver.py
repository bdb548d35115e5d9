"""The cycle double check of the combination shows the liver tests (reader's pass, item 3): values
and draw date, or "not drawn with this cycle's labs" with the consult's last values and a check item
naming the fields; a test above the label's limit holds the cycle with its source. Never a bare Go."""

from __future__ import annotations

from datetime import date

from ixdesk.core.criteria import default_criteria
from ixdesk.core.engine import assess
from ixdesk.core.files import load_consult
from ixdesk.present.course_history import build_course_history
from ixdesk.present.nurse_cycle import CycleCheckReport, build_cycle_check_report
from ixdesk.present.settings import ReportSettings
from tests.conftest import EXAMPLES
from tests.core.test_course_liver import with_cycle_liver

CRIT = default_criteria()
DAY = date(2027, 2, 17)
EXAMPLE = EXAMPLES / "08-course-four-cycles-with-reduction.json"


def sheet(**tests: tuple[float, float] | None) -> CycleCheckReport:
    c = with_cycle_liver(load_consult(EXAMPLE), **tests) if tests else load_consult(EXAMPLE)
    return build_cycle_check_report(c, assess(c, CRIT, as_of=DAY), CRIT, ReportSettings(), DAY)


def row(r: CycleCheckReport, item: str) -> str:
    return next(g.value for g in r.gate if g.item == item)


def test_example_08_go_carries_the_liver_check_item_and_the_last_values() -> None:
    r = sheet()
    assert r.state_text == "GO" and r.dose_shown
    assert r.checks == ["CHECK FIRST: liver tests not drawn"]  # on the GO line: never a bare GO
    liver = row(r, "Liver tests")
    assert liver == "not drawn with this cycle's labs; consult values 16 Nov 2026: AST 0.7, ALT 0.6, bilirubin 0.58 × ULN"
    gate = row(r, "Gate")
    assert gate == "Go on counts and toxicity; check first: AST, ALT ≤ 2.5 × ULN; total bilirubin ≤ 1 × ULN (not drawn)"


def test_drawn_within_the_limits_shows_values_and_date_and_no_check() -> None:
    r = sheet(ast=(100, 40), alt=(24, 40), bilirubin=(1.2, 1.2))  # exactly 2.5 and 1 × ULN: within
    liver = row(r, "Liver tests")
    assert liver.startswith("drawn 17 Feb 2027: AST 100 U/L = 2.50 × ULN (40)") and liver.endswith(": met")
    assert r.checks == [] and r.state_text == "GO" and row(r, "Gate") == "Go: the cycle may start"


def test_a_cycle_test_above_the_limit_holds_with_the_contraindication_and_its_source() -> None:
    r = sheet(ast=(28, 40), alt=(24, 40), bilirubin=(1.21, 1.2))
    assert r.state_text == "HOLD" and not r.dose_shown and r.administration == []
    assert any("total bilirubin above 1 × ULN: ixabepilone with capecitabine is contraindicated "
               "(PI, Boxed Warning; 4 Contraindications; 5.3)" in h for h in r.hold)


def test_the_clinician_summary_and_window_words_carry_the_same_check() -> None:
    c = load_consult(EXAMPLE)
    h = build_course_history(c, CRIT, DAY, assess(c, CRIT, as_of=DAY))
    assert h is not None and h.next is not None
    assert h.next.checks == ["Check first: liver tests not drawn with this cycle's labs (AST, ALT, total bilirubin); "
                             "contraindicated if AST or ALT > 2.5 × ULN or total bilirubin > 1 × ULN."]
    assert h.next.gate_text == "Go: the cycle may start (counts, toxicity); check the liver tests: not drawn"
    line = next(g for g in h.next.gate_lines if g.label == "Liver tests")
    assert line.state == "unknown" and line.value == row(sheet(), "Liver tests")


def test_a_consult_value_above_the_limit_holds_the_sheet_naming_its_date() -> None:
    """Review: a cycle without liver tests printed GO beside the consult's AST 3.75 × ULN."""
    from tests.core.test_course_liver import with_consult_liver

    c = with_consult_liver(load_consult(EXAMPLE), ast=(150, 40))
    r = build_cycle_check_report(c, assess(c, CRIT, as_of=DAY), CRIT, ReportSettings(), DAY)
    assert r.state_text == "HOLD" and not r.dose_shown
    assert any("AST above 2.5 × ULN on the consult's labs of 16 Nov 2026 (not drawn with this cycle's labs): "
               "ixabepilone with capecitabine is contraindicated" in h for h in r.hold), r.hold


def test_a_value_just_above_the_limit_never_prints_as_the_limit() -> None:
    r = sheet(ast=(100.1, 40), alt=(24, 40), bilirubin=(1.0, 1.2))  # 2.5025 × ULN
    assert r.state_text == "HOLD"
    assert "AST 100.1 U/L = 2.502 × ULN (40)" in row(r, "Liver tests")  # not "2.50", beside "above 2.5"
