"""The clinic's course policies: the weight-change flag threshold and the optional dose rounding.

Neither has a label default (the facts sheet gives none), so the core never assumes one: with no
setting the weight flag is *not configured* and no dose is rounded. The core stays pure: the CLI
and the window read the clinic settings file (``ixdesk.clinic_settings.clinic_value``) and build a
:class:`CoursePolicy` with :func:`course_policy`, which validates each setting strictly. A bad
setting is not applied, and a note names the setting and the reason, so a typo in the clinic file
never changes a dose silently.
"""

from __future__ import annotations

import math

from ixdesk.core.assessment import Frozen

WEIGHT_SETTING = "weight_change_percent"
ROUNDING_SETTING = "dose_rounding"
_ROUNDING_KEYS = ("step_mg", "max_percent")
# Plausibility limits of a setting (a typo such as 500 % or a 1000 mg step), not clinical numbers.
_MAX_PERCENT = 100.0
_MAX_STEP_MG = 100.0


class DoseRounding(Frozen):
    """Round the dose to a multiple of ``step_mg`` when that changes it by at most ``max_percent``."""

    step_mg: float
    max_percent: float


class CoursePolicy(Frozen):
    """The clinic's policies as applied. ``None``: not set (or refused: ``notes`` says why)."""

    weight_change_percent: float | None = None
    dose_rounding: DoseRounding | None = None
    notes: list[str] = []


def _number(v: object) -> float | None:
    """A JSON number (not a boolean, not NaN or infinite), else None."""
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        return None
    f = float(v)
    return f if math.isfinite(f) else None


def _percent(v: object) -> float | None:
    f = _number(v)
    return f if f is not None and 0 < f <= _MAX_PERCENT else None


def course_policy(weight_change_percent: object = None, dose_rounding: object = None) -> CoursePolicy:
    """The policy from the settings file's raw values (``None``: the key is absent)."""
    notes: list[str] = []
    weight: float | None = None
    if weight_change_percent is not None:
        weight = _percent(weight_change_percent)
        if weight is None:
            notes.append(f"Clinic setting {WEIGHT_SETTING}: must be a number above 0 and at most "
                         f"{_MAX_PERCENT:g} (a percentage); not applied, the weight change is not flagged")
    rounding: DoseRounding | None = None
    if dose_rounding is not None:
        rounding, problem = _rounding(dose_rounding)
        if problem:
            notes.append(f"Clinic setting {ROUNDING_SETTING}: {problem}; not applied, no dose is rounded")
    return CoursePolicy(weight_change_percent=weight, dose_rounding=rounding, notes=notes)


def _rounding(raw: object) -> tuple[DoseRounding | None, str | None]:
    if not isinstance(raw, dict):
        return None, 'must be an object {"step_mg": …, "max_percent": …}'
    extra = sorted(str(k) for k in raw if k not in _ROUNDING_KEYS)
    if extra:
        return None, f"unknown key {', '.join(extra)} (the keys are step_mg and max_percent)"
    absent = [k for k in _ROUNDING_KEYS if k not in raw]
    if absent:
        return None, f"{' and '.join(absent)} not given"
    step = _number(raw["step_mg"])
    if step is None or not 0 < step <= _MAX_STEP_MG:
        return None, f"step_mg must be a number of mg above 0 and at most {_MAX_STEP_MG:g}"
    pct = _percent(raw["max_percent"])
    if pct is None:
        return None, f"max_percent must be a number above 0 and at most {_MAX_PERCENT:g}"
    return DoseRounding(step_mg=step, max_percent=pct), None
