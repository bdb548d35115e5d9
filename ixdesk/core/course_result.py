"""What ``assess_next_cycle()`` returns: frozen data for the window, the reports and ``--json``.

Kept beside ``assessment.py`` rather than inside ``Assessment`` so that the decision of one moment
(start or not, at what dose) keeps its recorded outputs byte for byte; ``--json`` adds this object
as ``next_cycle`` (docs/assessment-json.md).
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from ixdesk.core.assessment import Confidence, Frozen, Missing, State

Gate = Literal["go", "hold", "unknown"]
# first_cycle: nothing given yet, the assessment's starting dose applies
DoseAction = Literal["no_change", "reduce", "discontinue", "unknown", "first_cycle"]
InhibitorState = Literal["none", "continues", "stopped_under_washout", "stopped_washed_out", "unknown"]


class GateCheck(Frozen):
    """One condition of the cycle-start gate: a count, or the non-haematologic grade now."""

    check: Literal["neutrophils", "platelets", "nonhematologic"]
    label: str
    threshold: str  # "≥ 1500/mm³", "grade ≤ 1"
    value: float | None
    state: State


class ModRowResult(Frozen):
    """One row of the PI's dose-modification table against the previous cycle's toxicities."""

    id: str
    toxicity: str
    action: str
    effect: Literal["reduce", "further_reduce", "discontinue", "no_change"]
    state: State
    missing: list[Missing]


class CapecitabineHold(Frozen):
    id: str
    text: str  # the rule as written, with its resumption threshold
    confidence: Confidence
    lab: Literal["neutrophils", "platelets"]
    resume_above_per_mm3: float
    state: State  # met: the hold applies after the previous cycle
    resume: State  # met: the day's count is above the threshold (only meaningful when the hold applies)


class NextCycleDecision(Frozen):
    cycle_number: int | None
    cycle_date: date | None  # the planned date, else the as-of date (see notes)
    gate: Gate
    gate_checks: list[GateCheck]
    action: DoseAction
    rule: str | None  # id of the row or rule that set the dose (mod.*, cyp3a4.*, hepatic.*, first_cycle)
    rule_text: str | None
    rows: list[ModRowResult]
    reductions_before: int  # 20% reductions counted in the cycles given
    reductions: int  # including this cycle's
    current_mg_per_m2: float | None  # the last cycle given
    mg_per_m2: float | None  # the dose the rules give for this cycle
    max_mg_per_m2: float | None  # the largest dose allowed (the hepatic 30 mg/m² step, the standard dose)
    bsa_m2: float | None
    bsa_used_m2: float | None
    bsa_capped: bool
    weight_kg: float | None
    mg: float | None
    inhibitor: InhibitorState
    capecitabine: list[CapecitabineHold]
    basis: list[str]  # the rule texts the result rests on, with their sources
    notes: list[str]
    missing: list[Missing]
    unverified: list[str]
