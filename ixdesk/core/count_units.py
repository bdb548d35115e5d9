"""Is a blood count typed in the wrong unit? One rule, used by the consult model and the form.

Neutrophil and platelet counts come in cells/mm³ or in × 10⁹/L, a factor of 1000 apart, and the same
digits are plausible in one unit and absurd in the other. A count in the wrong unit gives a silent
wrong answer (1.8 meant as × 10⁹/L but read as 1.8 cells/mm³ is a false contraindication), so a value
that is implausible in its chosen unit but plausible in the other is *doubted*: the form asks "did you
mean …?" at the field and the model refuses it until the unit is changed or the value is confirmed.

These are typo-catching plausibility limits, not clinical thresholds (those live in ``criteria/``):

* **Above the maximum** (neutrophils 100,000 cells/mm³, platelets 3,000,000 cells/mm³, the limits
  the model already had): impossible in either unit, never confirmable. When the same digits are a
  plausible count in cells/mm³, the message says so ("did you mean 1500 cells/mm³?").
* **In cells/mm³, above zero and below a small bound**: the digits read as a plausible count in
  × 10⁹/L. Neutrophils: below 100 cells/mm³, because 100 is the × 10⁹/L maximum above, so every
  smaller number is also a possible × 10⁹/L count (1.8, 2.5, 12). Platelets: below 1000 cells/mm³
  (1 × 10⁹/L), the bound the model already refused at; a × 10⁹/L platelet count is typed in the
  hundreds (160, 245), while 1000–3000 cells/mm³ would doubt real severe thrombocytopenia. A cells/mm³
  value with a fraction (1.8) always falls under these bounds, since it is only a unit slip there.
  Zero is the same in both units and never doubted.
* Such a low count can be real (profound neutropenia), so this doubt is **confirmable**: the user
  confirms the value as typed and the confirmation is saved with it (``CountLab.unit_confirmed``).

No pydantic, no Qt: the form imports this while the core is still loading.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

PER_MM3 = "cells/mm3"
PER_L = "10^9/L"
UNIT_WORDS = {PER_MM3: "cells/mm³", PER_L: "× 10⁹/L"}
BUTTON_WORDS = {PER_MM3: "cells/mm³", PER_L: "×10⁹/L"}


@dataclass(frozen=True)
class CountBounds:
    max_per_mm3: float  # above this, the value is impossible in any unit
    doubt_below_per_mm3: float  # a cells/mm³ value in (0, this) reads as a × 10⁹/L count


BOUNDS = {"neutrophils": CountBounds(100_000, 100), "platelets": CountBounds(3_000_000, 1000)}


def number_text(value: float) -> str:
    """1.8 -> '1.8', 160.0 -> '160': the number as the user would have typed it."""
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def per_mm3(value: float, unit: str) -> float:
    return value * 1000 if unit == PER_L else value


def _plausible(lab: str, value: float, unit: str) -> bool:
    b = BOUNDS[lab]
    v = per_mm3(value, unit)
    if v > b.max_per_mm3:
        return False
    return not (unit == PER_MM3 and 0 < v < b.doubt_below_per_mm3)


@dataclass(frozen=True)
class UnitDoubt:
    """A count implausible in its unit; ``suggested`` is the other unit if the digits fit it there."""

    lab: str
    value: float
    unit: str
    suggested: str | None
    confirmable: bool

    def message(self) -> str:
        """Why the value is refused, in the style of ``Labs._plausible`` (without the field prefix)."""
        typed = f"{number_text(self.value)} {UNIT_WORDS[self.unit]}"
        if self.suggested is None:
            return f"above {BOUNDS[self.lab].max_per_mm3:,.0f} cells/mm³; check the unit"
        meant = f"{number_text(self.value)} {UNIT_WORDS[self.suggested]}"
        if self.confirmable:
            return f"{typed} is implausible; did you mean {meant}? Change the unit or confirm the value"
        return f"{typed} is implausible; did you mean {meant}? Change the unit"


def unit_doubt(lab: str, value: float, unit: str) -> UnitDoubt | None:
    """The doubt about ``value`` in ``unit`` for ``lab`` (neutrophils or platelets), or None."""
    if lab not in BOUNDS or unit not in UNIT_WORDS or math.isnan(value):
        return None
    if _plausible(lab, value, unit):
        return None
    other = PER_L if unit == PER_MM3 else PER_MM3
    suggested = other if _plausible(lab, value, other) else None
    confirmable = per_mm3(value, unit) <= BOUNDS[lab].max_per_mm3  # only the low cells/mm³ doubt
    return UnitDoubt(lab, value, unit, suggested, confirmable)
