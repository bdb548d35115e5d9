"""A clinical date that may lack its day: "2022-02" when the chart gives only the month.

Prior regimens are often summarised from letters that say "docetaxel until February 2022". Forcing
a day would invent data (and a made-up 1st or 15th can flip a resistance window); leaving the date
empty throws away what is known. A month-only date is therefore kept as such, saved as "YYYY-MM",
and read by the engine as the range of days it allows (:attr:`PartialDate.earliest` ..
:attr:`PartialDate.latest`). A full date saves as "YYYY-MM-DD", exactly as a plain ``date`` did.

There is deliberately no ``<`` between partial dates: whether "2022-02" is before "2022-02-10"
depends on the missing day, so every comparison must pick a bound, and the bound it picks says
which way it errs. Equality with a ``datetime.date`` holds for a full date, so code and tests that
compare a full date with a ``date`` keep working.

No pydantic import at module level: the form (which avoids pydantic at start-up) parses with it.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

_FULL = re.compile(r"^\s*(\d{4})-(\d{1,2})-(\d{1,2})\s*$")
_MONTH = re.compile(r"^\s*(\d{4})-(\d{1,2})\s*$")
_JSON = re.compile(r"^(\d{4})-(\d{2})(?:-(\d{2}))?$")  # what a file holds: zero-padded, no spaces
JSON_PATTERN = r"^\d{4}-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?$"
FORMAT_HINT = "use YYYY-MM-DD, or YYYY-MM when the day is not recorded"


class PartialDate:
    """A date known to the day, or to the month only (``day`` None). Immutable."""

    __slots__ = ("year", "month", "day")
    year: int
    month: int
    day: int | None

    def __init__(self, year: int, month: int, day: int | None = None) -> None:
        if not 1 <= month <= 12:
            raise ValueError("no such month")
        if day is not None:
            date(year, month, day)  # raises ValueError for 30 Feb
        elif not 1 <= year <= 9999:
            raise ValueError("year is out of range")
        object.__setattr__(self, "year", year)
        object.__setattr__(self, "month", month)
        object.__setattr__(self, "day", day)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("PartialDate is immutable")

    # --- construction -------------------------------------------------------------------------

    @classmethod
    def of(cls, value: "PartialDate | date") -> "PartialDate":
        """A full PartialDate from a ``date`` (not a datetime: a time of day is not a clinical date)."""
        if isinstance(value, PartialDate):
            return value
        if isinstance(value, datetime) or not isinstance(value, date):
            raise TypeError("expected a date")
        return cls(value.year, value.month, value.day)

    @classmethod
    def parse(cls, text: str) -> "PartialDate":
        """'2022-02-15' or '2022-02' (as typed in the form: one-digit month and day allowed)."""
        m = _FULL.match(text)
        try:
            if m:
                return cls(int(m.group(1)), int(m.group(2)), int(m.group(3)))
            m = _MONTH.match(text)
            if m and 1 <= int(m.group(2)) <= 12:  # "2024-0" is a date half typed, not a month
                return cls(int(m.group(1)), int(m.group(2)))
        except ValueError:
            raise ValueError("no such date") from None
        raise ValueError(f"not a valid date ({FORMAT_HINT})")

    @classmethod
    def from_json(cls, text: str) -> "PartialDate":
        """The file's form only: 'YYYY-MM-DD' or 'YYYY-MM', zero-padded."""
        m = _JSON.match(text)
        if not m:
            raise ValueError(f"not a valid date ({FORMAT_HINT})")
        try:
            return cls(int(m.group(1)), int(m.group(2)), int(m.group(3)) if m.group(3) else None)
        except ValueError:
            raise ValueError("no such date") from None

    # --- reading ------------------------------------------------------------------------------

    @property
    def is_full(self) -> bool:
        return self.day is not None

    @property
    def as_date(self) -> date | None:
        """The date, when the day is known."""
        return date(self.year, self.month, self.day) if self.day is not None else None

    @property
    def earliest(self) -> date:
        """The first day it can be: itself, or the 1st of the month."""
        return date(self.year, self.month, self.day or 1)

    @property
    def latest(self) -> date:
        """The last day it can be: itself, or the month's last day (29 Feb in a leap year)."""
        import calendar  # here, not at import: it brings locale, on the way to the window's first form

        return date(self.year, self.month, self.day or calendar.monthrange(self.year, self.month)[1])

    def isoformat(self) -> str:
        """'2022-02-15' or '2022-02': what the file holds and what the form shows."""
        if self.day is None:
            return f"{self.year:04d}-{self.month:02d}"
        return f"{self.year:04d}-{self.month:02d}-{self.day:02d}"

    __str__ = isoformat

    def __repr__(self) -> str:
        return f"PartialDate({self.isoformat()!r})"

    def __eq__(self, other: object) -> bool:
        if isinstance(other, PartialDate):
            return (self.year, self.month, self.day) == (other.year, other.month, other.day)
        if isinstance(other, date) and not isinstance(other, datetime):
            return self.day is not None and self.earliest == other
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self.earliest) if self.day is not None else hash((self.year, self.month, None))

    def __reduce__(self) -> tuple[Any, ...]:
        return (PartialDate, (self.year, self.month, self.day))

    # --- pydantic -----------------------------------------------------------------------------

    @classmethod
    def __get_pydantic_core_schema__(cls, source: Any, handler: Any) -> Any:
        """JSON: a 'YYYY-MM-DD' or 'YYYY-MM' string. Python: a PartialDate, a ``date`` (never a
        datetime), or the same string. Always saved by ``isoformat``, so a full date round-trips
        byte for byte."""
        from pydantic_core import core_schema as cs

        def from_str(v: Any) -> PartialDate:
            if not isinstance(v, str):
                raise ValueError(f"not a valid date ({FORMAT_HINT})")
            return cls.from_json(v)

        def from_python(v: Any) -> PartialDate:
            if isinstance(v, PartialDate):
                return v
            if isinstance(v, date) and not isinstance(v, datetime):
                return cls.of(v)
            if isinstance(v, str):  # a dict read from JSON (the file's form only)
                return cls.from_json(v)
            raise ValueError(f"not a valid date ({FORMAT_HINT})")

        return cs.json_or_python_schema(
            json_schema=cs.no_info_plain_validator_function(from_str),
            python_schema=cs.no_info_plain_validator_function(from_python),
            serialization=cs.plain_serializer_function_ser_schema(lambda v: v.isoformat(), when_used="json"),
        )

    @classmethod
    def __get_pydantic_json_schema__(cls, core_schema: Any, handler: Any) -> dict[str, Any]:
        return {"type": "string", "pattern": JSON_PATTERN,
                "description": "a date (YYYY-MM-DD), or a month (YYYY-MM) when the day is not recorded"}


def earliest(d: PartialDate | date) -> date:
    """Lower bound of a date that may be month-only (a plain ``date`` is its own bound)."""
    return d.earliest if isinstance(d, PartialDate) else d


def latest(d: PartialDate | date) -> date:
    """Upper bound of a date that may be month-only."""
    return d.latest if isinstance(d, PartialDate) else d


def is_month_only(d: PartialDate | date | None) -> bool:
    return isinstance(d, PartialDate) and d.day is None
