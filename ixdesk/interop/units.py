"""UCUM units of the imported labs, converted into the units a consult stores.

Only exact, unit-for-unit conversions live here (10*3/uL = 10*9/L = 1000 cells/mm³; bilirubin and
creatinine between mass and substance concentration by their molar masses); a unit not listed is
refused with its name, never guessed.
"""

from __future__ import annotations

from dataclasses import dataclass

# molar masses used by laboratories to convert: bilirubin 584.66 g/mol (1 mg/dL = 17.1 µmol/L),
# creatinine 113.12 g/mol (1 mg/dL = 88.4 µmol/L)
BILIRUBIN_UMOL_PER_MG_DL = 17.1
CREATININE_UMOL_PER_MG_DL = 88.4


class UnitError(ValueError):
    """A unit the import cannot convert: the reason names the unit."""


@dataclass(frozen=True, slots=True)
class Converted:
    value: float
    unit: str  # a consult unit


def _norm(unit: str | None) -> str:
    return (unit or "").strip().replace("µ", "u").replace("μ", "u").replace("×", "*").replace(" ", "")


# count units: UCUM spellings and what 1 of them is in 10^9/L
_COUNT_PER_1E9_L: dict[str, float] = {
    "10*9/L": 1.0, "10^9/L": 1.0, "10*3/uL": 1.0, "10^3/uL": 1.0, "K/uL": 1.0, "10*3/mm3": 1.0,
    "/mm3": 0.001, "cells/mm3": 0.001, "/uL": 0.001, "cells/uL": 0.001, "{cells}/uL": 0.001, "/mm^3": 0.001,
    "10*6/L": 0.001,
}


def count(value: float, unit: str | None) -> Converted:
    """A neutrophil or platelet count. Per microlitre and per mm³ stay cells/mm³ (the form's
    default); 10*3/uL and 10*9/L stay 10^9/L (the same number): no rounding is introduced."""
    u = _norm(unit)
    if u not in _COUNT_PER_1E9_L:
        raise UnitError(f"unit '{unit or ''}' is not a count unit IxDesk converts (10*9/L, 10*3/uL, /mm3)")
    factor = _COUNT_PER_1E9_L[u]
    if factor == 1.0:
        return Converted(float(value), "10^9/L")
    if factor == 0.001:
        return Converted(float(value), "cells/mm3")
    raise AssertionError(u)  # pragma: no cover


def hemoglobin(value: float, unit: str | None) -> Converted:
    u = _norm(unit)
    if u == "g/dL":
        return Converted(float(value), "g/dL")
    if u == "g/L":
        return Converted(float(value), "g/L")
    if u == "mg/dL":
        return Converted(round(float(value) / 1000, 6), "g/dL")
    raise UnitError(f"unit '{unit or ''}' is not a haemoglobin unit IxDesk converts (g/dL, g/L)")


def enzyme(value: float, unit: str | None) -> Converted:
    """AST and ALT: U/L and IU/L are the same unit."""
    u = _norm(unit)
    if u in ("U/L", "[IU]/L", "IU/L", "u/L"):
        return Converted(float(value), "U/L")
    raise UnitError(f"unit '{unit or ''}' is not an enzyme unit IxDesk converts (U/L)")


def bilirubin(value: float, unit: str | None) -> Converted:
    u = _norm(unit)
    if u == "mg/dL":
        return Converted(float(value), "mg/dL")
    if u in ("umol/L", "mmol/m3"):
        return Converted(float(value), "umol/L")
    raise UnitError(f"unit '{unit or ''}' is not a bilirubin unit IxDesk converts (mg/dL, umol/L)")


def creatinine(value: float, unit: str | None) -> Converted:
    u = _norm(unit)
    if u == "mg/dL":
        return Converted(float(value), "mg/dL")
    if u in ("umol/L", "mmol/m3"):
        return Converted(float(value), "umol/L")
    if u == "mmol/L":
        return Converted(round(float(value) * 1000, 6), "umol/L")
    raise UnitError(f"unit '{unit or ''}' is not a creatinine unit IxDesk converts (mg/dL, umol/L)")


def to_unit(field: str, value: float, unit: str | None, target: str) -> float:
    """Convert a value already in a consult unit into ``target`` (used to bring a ULN into the
    value's unit): only between the units the consult knows."""
    if unit == target:
        return value
    if field in ("neutrophils", "platelets"):
        if unit == "10^9/L" and target == "cells/mm3":
            return value * 1000
        if unit == "cells/mm3" and target == "10^9/L":
            return value / 1000
    if field == "bilirubin":
        if unit == "mg/dL" and target == "umol/L":
            return round(value * BILIRUBIN_UMOL_PER_MG_DL, 6)
        if unit == "umol/L" and target == "mg/dL":
            return round(value / BILIRUBIN_UMOL_PER_MG_DL, 6)
    if field == "creatinine":
        if unit == "mg/dL" and target == "umol/L":
            return round(value * CREATININE_UMOL_PER_MG_DL, 6)
        if unit == "umol/L" and target == "mg/dL":
            return round(value / CREATININE_UMOL_PER_MG_DL, 6)
    if field == "hemoglobin":
        if unit == "g/L" and target == "g/dL":
            return value / 10
        if unit == "g/dL" and target == "g/L":
            return value * 10
    raise UnitError(f"cannot convert {unit} to {target}")


def height_cm(value: float, unit: str | None) -> float:
    u = _norm(unit)
    factors = {"cm": 1.0, "m": 100.0, "mm": 0.1, "[in_i]": 2.54, "in": 2.54}
    if u not in factors:
        raise UnitError(f"unit '{unit or ''}' is not a height unit IxDesk converts (cm, m, [in_i])")
    return round(float(value) * factors[u], 4)


def weight_kg(value: float, unit: str | None) -> float:
    u = _norm(unit)
    factors = {"kg": 1.0, "g": 0.001, "[lb_av]": 0.45359237, "lb": 0.45359237}
    if u not in factors:
        raise UnitError(f"unit '{unit or ''}' is not a weight unit IxDesk converts (kg, g, [lb_av])")
    return round(float(value) * factors[u], 4)


CONVERTERS = {"neutrophils": count, "platelets": count, "hemoglobin": hemoglobin, "ast": enzyme, "alt": enzyme,
              "bilirubin": bilirubin, "creatinine": creatinine}
