"""Course dates after the as-of date (reader's pass, item 5): a data-quality warning, never a rule.

A cycle recorded as given, an amendment made, or labs drawn after the date the consult is assessed
(and its reports printed) as of is a typo, the wrong year, or an as-of date left at today while the
course was entered ahead: either way the readers must see it, naming the cycle and the field. A
planned date ahead is what a plan is, and is not flagged.
"""

from __future__ import annotations

from datetime import date

from ixdesk.core.consult import Consult
from ixdesk.core.course_result import DateAhead


def dates_ahead(consult: Consult, as_of: date) -> list[DateAhead]:
    """Every course date after ``as_of`` that records something done (given, amended, drawn)."""
    course = consult.course
    if course is None:
        return []
    out: list[DateAhead] = []
    for i, c in enumerate(course.cycles_given):
        if c.date is not None and c.date > as_of:
            out.append(DateAhead(field=f"course.cycles_given[{i}].date", cycle=c.number, what="date given",
                                 on=c.date, as_of=as_of))
        for k, a in enumerate(c.amendments):
            if a.on > as_of:
                out.append(DateAhead(field=f"course.cycles_given[{i}].amendments[{k}].on", cycle=c.number,
                                     what="amended on", on=a.on, as_of=as_of))
    nc = course.next_cycle
    if nc is not None and nc.labs.date is not None and nc.labs.date > as_of:
        number = nc.number if nc.number is not None else (
            course.cycles_given[-1].number + 1 if course.cycles_given else 1)
        out.append(DateAhead(field="course.next_cycle.labs.date", cycle=number, what="labs drawn on",
                             on=nc.labs.date, as_of=as_of))
    return out


__all__ = ["dates_ahead"]
