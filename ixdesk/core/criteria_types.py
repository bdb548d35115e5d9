"""The strict base model and the plausibility-bounded number types of every criteria model.

Kept apart from ``criteria.py`` so that the condition language (``conditions.py``) and the rule
files can both use them without importing each other.
"""

from __future__ import annotations

import math
from typing import Any, Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict
from pydantic_core import PydanticCustomError


class Model(BaseModel):
    model_config = ConfigDict(defer_build=True, extra="forbid", frozen=True, strict=True)


# --- plausibility bounds -------------------------------------------------------------------
# Every clinical number in the criteria has a type with a plausibility bound, so that a slipped
# digit (400 for 40 mg/m2, 15000 for 1500 cells/mm3, 2.2 typed as 22 m2, 100.4 °F in a °C field) is
# refused at load instead of reaching a dose. The bounds are NOT clinical facts and no rule reads
# them: they are deliberately generous limits (well beyond every value the label states) that still
# refuse the shipped value multiplied or divided by 10. Changing a criteria value within its bound
# needs no code change; a value outside it needs a reviewed change of the bound here. New models
# reuse these types: ``dose: MgPerM2``.

def _plausible(lo: float, hi: float, unit: str) -> AfterValidator:
    """A check of ``lo <= value <= hi`` whose error names the bound and says it is a plausibility one."""

    def check(value: float) -> float:
        if isinstance(value, float) and not math.isfinite(value):
            raise PydanticCustomError("plausible_finite", "{value} is not a finite number", {"value": value})
        if value < lo:
            raise PydanticCustomError("plausible_min", "{value} is below the plausible minimum {bound} {unit}",
                                      {"value": value, "bound": lo, "unit": unit})
        if value > hi:
            raise PydanticCustomError("plausible_max", "{value} is above the plausible maximum {bound} {unit}",
                                      {"value": value, "bound": hi, "unit": unit})
        return value

    check.bounds = (lo, hi, unit)  # type: ignore[attr-defined]
    return AfterValidator(check)


# ixabepilone doses: label 40 (20, 30, 32 in the hepatic and inhibitor rows; 60 with an inducer)
MgPerM2 = Annotated[float, _plausible(5, 60, "mg/m2")]
# capecitabine per dose: 1000 in study 046
CapecitabineMgPerM2 = Annotated[float, _plausible(200, 2500, "mg/m2")]
BsaM2 = Annotated[float, _plausible(1.0, 3.0, "m2")]  # the BSA cap: 2.2
InfusionHours = Annotated[float, _plausible(1, 24, "hours")]  # 3; 4 with an inducer; use within 6
CycleDays = Annotated[int, _plausible(7, 42, "days")]  # 21
DosesPerDay = Annotated[int, _plausible(1, 4, "doses per day")]  # capecitabine: 2
NeutrophilsPerMm3 = Annotated[float, _plausible(250, 5000, "cells/mm3")]  # 1500
PlateletsPerMm3 = Annotated[float, _plausible(20_000, 400_000, "cells/mm3")]  # 100,000
XUln = Annotated[float, _plausible(0.5, 20, "x ULN")]  # 1, 1.5, 2.5, 3, 5, 10
UlnUPerL = Annotated[float, _plausible(10, 200, "U/L")]  # AST, ALT upper limit of normal: 40
UlnBilirubinMgDl = Annotated[float, _plausible(0.3, 5, "mg/dL")]  # 1.2
UlnBilirubinUmolL = Annotated[float, _plausible(5, 85, "umol/L")]  # 21
Months = Annotated[int, _plausible(1, 24, "months")]  # resistance 3, 4, 6, 12; contraception 4, 7
Weeks = Annotated[int, _plausible(1, 26, "weeks")]  # resistance 8; breastfeeding 2
Days = Annotated[int, _plausible(1, 90, "days")]  # labs older than 14 days
VialMg = Annotated[int, _plausible(5, 100, "mg")]  # kits: 15, 45
ReconstitutedMgPerMl = Annotated[float, _plausible(0.5, 5, "mg/mL")]  # 2
FinalMgPerMl = Annotated[float, _plausible(0.05, 1.5, "mg/mL")]  # 0.2-0.6
MgPerBillingUnit = Annotated[float, _plausible(0.5, 5, "mg per unit")]  # J9207: 1
BillingUnits = Annotated[int, _plausible(10, 500, "units")]  # 90 per cycle
FeverCelsius = Annotated[float, _plausible(37, 40, "°C")]  # 38; refuses a Fahrenheit 100.4
CpsThreshold = Annotated[float, _plausible(1, 50, "CPS")]  # PD-L1 CPS below 10
LineCount = Annotated[int, _plausible(0, 10, "lines")]  # prior lines: 1, 2, 3
Grade = Annotated[int, _plausible(0, 4, "grade")]  # CTCAE grade

# the bound of a lab value compared as an absolute number, by the lab's name
_LAB_VALUE_TYPE: dict[str, Any] = {"neutrophils": NeutrophilsPerMm3, "platelets": PlateletsPerMm3}


def _check_against(tp: Any, value: Any) -> Any:
    """Apply the plausibility check of an Annotated bound type to ``value`` (for context-dependent fields)."""
    for meta in getattr(tp, "__metadata__", ()):
        if isinstance(meta, AfterValidator):
            value = meta.func(value)  # type: ignore[call-arg]
    return value
