"""One way to print a number, a date and a unit, for every reader.

The panel printed "1,500" and the PDFs "1500"; a nurse comparing the two should never wonder.
Counts of 1000 and more take a thousands separator, as in the label ("100,000 cells/mm³").
"""

from __future__ import annotations

import re
from functools import lru_cache
from datetime import date

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


_TYPO = (
    (re.compile(r"<="), "≤"), (re.compile(r">="), "≥"),
    (re.compile(r"(?<=\d) x (?=ULN|\d)"), " × "),
    (re.compile(r"\bmm3\b"), "mm³"), (re.compile(r"(?<=/)m2\b|(?<=\s)m2\b"), "m²"),
    (re.compile(r"10\^9"), "10⁹"),
    (re.compile(r"(?<![\d.,])(\d{1,3})(\d{3})(?= cells\b)"), r"\1,\2"),
)


@lru_cache(maxsize=8192)
def typographic(text: str) -> str:
    """Rule-authored text as a reader sees it: 'below 1500 cells/mm3' -> 'below 1,500 cells/mm³',
    '2.5 x ULN' -> '2.5 × ULN', '<=' -> '≤', 'mg/m2' -> 'mg/m²'.

    The criteria YAML is typed on a plain keyboard; every reader prints the typographic form. Only
    the spelling of units and operators changes, never a word or a number's value."""
    for pattern, repl in _TYPO:
        text = pattern.sub(repl, text)
    return text
