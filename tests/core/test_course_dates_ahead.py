"""Course dates after the as-of date are a data-quality warning naming the cycle and the field
(reader's pass, item 5): 08 printed on 3 Dec 2026 listed cycles 2-4 (16 Dec 2026 - 27 Jan 2027)
as given and cycle 5's labs as drawn 17 Feb 2027, with nothing flagged. A planned date ahead is not
flagged; a date on the as-of day itself is not ahead."""

from __future__ import annotations

from datetime import date, timedelta

from ixdesk.core.course import assess_next_cycle
from ixdesk.core.criteria import default_criteria
from ixdesk.core.engine import assess
from ixdesk.core.files import load_consult
from ixdesk.present.nurse_cycle import build_cycle_check_report
from ixdesk.present.settings import ReportSettings
from tests.conftest import EXAMPLES

CRIT = default_criteria()
EXAMPLE = EXAMPLES / "08-course-four-cycles-with-reduction.json"


def test_08_printed_before_its_course_names_every_date_ahead() -> None:
    d = assess_next_cycle(load_consult(EXAMPLE), CRIT, date(2026, 12, 3))
    assert d is not None
    assert [(x.cycle, x.field, x.on) for x in d.dates_ahead] == [
        (2, "course.cycles_given[1].date", date(2026, 12, 16)),
        (3, "course.cycles_given[2].date", date(2027, 1, 6)),
        (4, "course.cycles_given[3].date", date(2027, 1, 27)),
        (5, "course.next_cycle.labs.date", date(2027, 2, 17)),
    ]


def test_the_as_of_day_itself_is_not_ahead_and_one_day_before_it_is() -> None:
    c = load_consult(EXAMPLE)
    labs_day = date(2027, 2, 17)  # cycle 5's labs, and its planned date
    on_the_day = assess_next_cycle(c, CRIT, labs_day)
    day_before = assess_next_cycle(c, CRIT, labs_day - timedelta(days=1))
    assert on_the_day is not None and on_the_day.dates_ahead == []
    assert day_before is not None and [x.field for x in day_before.dates_ahead] == ["course.next_cycle.labs.date"]


def test_the_cycle_sheet_says_it_where_the_nurse_reads_the_labs_date() -> None:
    c = load_consult(EXAMPLE)
    on = date(2026, 12, 3)
    r = build_cycle_check_report(c, assess(c, CRIT, as_of=on), CRIT, ReportSettings(), on)
    labs = next(g.value for g in r.gate if g.item == "Labs drawn")
    assert labs == "17 Feb 2027 08:10: AFTER the as-of date 3 Dec 2026, check the date"
    assert "CHECK: 3 course dates after the as-of date 3 Dec 2026 (see the notes)" in r.checks
    assert ("Date check: Cycle 2, date given 16 Dec 2026: after the as-of date 3 Dec 2026 (Course, cycles given, "
            "line 2: date given); check the date, or the as-of date") in r.notes
