"""One way to print a number, a date and a unit, for every reader.

The panel printed "1,500" and the PDFs "1500"; a nurse comparing the two should never wonder.
Counts of 1000 and more take a thousands separator, as in the label ("100,000 cells/mm³").
Text the rules author (titles, statements, units) is typed typographically at its source, in the
criteria YAML (a test keeps ASCII forms such as "<=" or "mm3" out of it), so no reader respells it.
"""

from __future__ import annotations

from datetime import date

from ixdesk.core.assessment import TextPart
from ixdesk.core.dates import PartialDate

NOT_RECORDED = "not recorded"

_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_MONTHS_LONG = ("January", "February", "March", "April", "May", "June", "July", "August",
                "September", "October", "November", "December")


def fmt_num(x: float | int | None, decimals: int | None = None) -> str:
    """1500 -> '1,500', 100000 -> '100,000', 2.0 -> '2', 1.83 -> '1.83'; None -> 'not recorded'."""
    if x is None:
        return NOT_RECORDED
    if decimals is not None:
        return f"{x:,.{decimals}f}"
    if float(x).is_integer():
        return f"{int(x):,}"
    return f"{x:,.6g}" if abs(x) < 1000 else f"{x:,.2f}".rstrip("0").rstrip(".")


def fmt_date(d: date | PartialDate | None, long: bool = False) -> str:
    """'3 Dec 2026' (or '3 December 2026'): one date format for every report; a month-only regimen
    date as 'Feb 2022', the same format without the day."""
    if d is None:
        return NOT_RECORDED
    months = _MONTHS_LONG if long else _MONTHS
    if isinstance(d, PartialDate) and d.day is None:
        return f"{months[d.month - 1]} {d.year}"
    return f"{d.day} {months[d.month - 1]} {d.year}"


def fmt_parts(parts: list[TextPart], long: bool = False) -> str:
    """An engine sentence with dates (a resistance reason, a note) in this reader's date format:
    its words as written, each date through :func:`fmt_date`. Nothing is parsed: the engine gives
    the words and the dates apart."""
    return "".join(p.text if p.date is None else fmt_date(p.date, long) for p in parts)
