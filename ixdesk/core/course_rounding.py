"""The clinic's optional dose rounding (``dose_rounding``: a step in mg and a largest percentage).

The dose goes to the nearest multiple of the step (a tie goes down) when that changes it by at most
the percentage; if the nearest step is further, the other neighbour is tried; if neither is within
the percentage the dose is not rounded. The rounded dose is never above the dose at this mg/m²
for the largest BSA the label doses (the BSA cap), so rounding never undoes the cap. Computed in
decimal: "exactly 5%" is 5%, not 5.0000001%.
"""

from __future__ import annotations

from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal

from ixdesk.core.course_policy import DoseRounding
from ixdesk.core.course_result import RoundedDose


def _g(d: Decimal) -> str:
    return f"{float(d):g}"


def round_dose(unrounded_mg: float, policy: DoseRounding, bsa_used_m2: float | None,
               ceiling_mg: float | None) -> RoundedDose:
    u = Decimal(str(unrounded_mg))
    step = Decimal(str(policy.step_mg))
    pct = Decimal(str(policy.max_percent))
    down = (u / step).to_integral_value(ROUND_FLOOR) * step
    up = (u / step).to_integral_value(ROUND_CEILING) * step
    ceiling = Decimal(str(ceiling_mg)) if ceiling_mg is not None else None

    def deviation(x: Decimal) -> Decimal:
        return (x - u) / u * 100

    order = [down] if down == up else sorted([down, up], key=lambda x: (abs(x - u), x))
    chosen: Decimal | None = None
    refused: list[str] = []
    for x in order:
        if x <= 0:
            continue
        if abs(deviation(x)) > pct:
            refused.append(f"{_g(x)} mg is {float(deviation(x)):+.2f}%")
            continue
        if ceiling is not None and x > ceiling:
            refused.append(f"{_g(x)} mg is above {_g(ceiling)} mg, the dose at the BSA cap")
            continue
        chosen = x
        break
    mg = chosen if chosen is not None else u
    dev = round(float(deviation(mg)), 2)
    per_m2 = round(float(mg) / bsa_used_m2, 2) if bsa_used_m2 else None
    rule = f"step {_g(step)} mg, at most {_g(pct)}%"
    if chosen is None:
        text = f"Not rounded ({rule}): " + "; ".join(refused)
    elif chosen == u:
        text = f"{_g(u)} mg is already a multiple of {_g(step)} mg ({rule})"
    else:
        text = f"Rounded to {_g(mg)} mg ({rule}): {dev:+.2f}% from {_g(u)} mg"
    return RoundedDose(applied=chosen is not None, step_mg=policy.step_mg, max_percent=policy.max_percent,
                       unrounded_mg=unrounded_mg, mg=float(mg), deviation_percent=dev, mg_per_m2=per_m2, text=text)
