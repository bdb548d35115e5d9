"""Engine sentences that hold dates, kept as words and dates so that each reader prints the dates
in its own format.

The resistance reasons and notes were f-strings with ISO dates ("window ending 2025-02-28"); the
clinician report then rewrote them with a regular expression to its one date format, and month-only
dates ("2024-02") slipped through. Now the engine builds them as :class:`Said` (a tuple of words and
dates): ``str()`` gives the ISO text the JSON has always carried (``reason``, ``notes``, ``summary``
keep their exact wording), and :func:`parts` the structured form (``reason_parts`` ...) that readers
format without parsing anything.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Iterable, Union

from ixdesk.core.assessment import TextPart
from ixdesk.core.dates import PartialDate

Piece = Union[str, date, PartialDate, "Said"]


@dataclass(frozen=True, slots=True)
class Said:
    """Words and dates in reading order (adjacent words merged)."""

    pieces: tuple[str | date | PartialDate, ...]

    def __str__(self) -> str:
        return "".join(p if isinstance(p, str) else p.isoformat() for p in self.pieces)

    def __bool__(self) -> bool:
        return any(p != "" for p in self.pieces)

    def __add__(self, other: "Said | str") -> "Said":
        return said(self, other)

    def __radd__(self, other: str) -> "Said":
        return said(other, self)


def said(*pieces: Piece) -> Said:
    """``said("progression on ", d, ", within the window")``: words and dates, flattened."""
    out: list[str | date | PartialDate] = []
    for p in pieces:
        for q in (p.pieces if isinstance(p, Said) else (p,)):
            if isinstance(q, str) and out and isinstance(out[-1], str):
                out[-1] += q
            elif q != "":
                out.append(q)
    return Said(tuple(out))


def join(sep: str, items: Iterable[Piece]) -> Said:
    """``sep.join`` for sentences that may hold dates."""
    out: list[Piece] = []
    for i, item in enumerate(items):
        if i:
            out.append(sep)
        out.append(item)
    return said(*out)


def parts(s: Said | str) -> list[TextPart]:
    """The structured form: a word part or a date part per piece (a full date as a PartialDate)."""
    pieces = s.pieces if isinstance(s, Said) else (s,)
    return [TextPart(text=p) if isinstance(p, str) else
            TextPart(date=p if isinstance(p, PartialDate) else PartialDate.of(p)) for p in pieces if p != ""]


def from_parts(items: list[TextPart]) -> Said:
    """Back from the structured form (a class summary quotes its regimens' notes)."""
    return said(*(p.date if p.date is not None else p.text for p in items))
