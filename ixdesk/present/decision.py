"""The consult's decision state: the one answer every reader follows.

Before this existed each reader decided for itself whether the consult was ready, and the patient
of a blocked consult got the go-ahead sheet. The state is decided once here, from the assessment
alone, in an order that puts safety first:

1. no plan recorded: **not decided** (nothing can be said for a plan nobody chose);
2. a contraindication (or "not recommended") holds for the plan: **on hold**, naming it;
3. a contraindication for the plan cannot be checked, or the dose cannot be given as one number:
   **not decided**, naming what is missing (a missing safety input never reads as ready);
4. the plan has no FDA label indication (with trastuzumab), or its indication is not met:
   **outside the label** (NCCN pathways or a payer may still support it; readers say which);
5. the plan's label indication cannot be decided: **not decided**;
6. otherwise **ready**.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from ixdesk.core.assessment import Assessment, Finding, Missing

DecisionKind = Literal["ready", "on_hold", "not_decided", "outside_label"]


@dataclass(frozen=True)
class DecisionState:
    kind: DecisionKind
    # the contraindications (exclusion findings) that hold the consult, in the engine's order
    holds: tuple[Finding, ...]
    # the inputs the decision waits for (deduplicated by field), empty unless not decided
    waiting_for: tuple[Missing, ...]
    # the label indication finding for the plan (None: no plan, or the plan has none)
    label: Finding | None
    # exclusion findings for the plan that could not be checked (they make the state not decided)
    unchecked: tuple[Finding, ...]
    # True when the dose card could not give one number (missing input, unrecognised medication)
    dose_open: bool

    @property
    def ready(self) -> bool:
        return self.kind == "ready"

    @property
    def dose_may_be_given(self) -> bool:
        """Whether a reader may print a dose, volumes or draw-up amounts as an order to follow."""
        return self.kind in ("ready", "outside_label") and not self.dose_open


def _for_plan(f: Finding) -> bool:
    # applies_to_plan None means "plan unknown": such a rule may concern the plan, so it counts
    return f.applies_to_plan is not False


def _dedupe(items: list[Missing]) -> tuple[Missing, ...]:
    seen: dict[str, Missing] = {}
    for m in items:
        seen.setdefault(m.field, m)
    return tuple(seen.values())


def decision_state(a: Assessment) -> DecisionState:
    by_id = {f.id: f for f in a.findings}
    holds = tuple(by_id[i] for i in a.blocking if i in by_id)
    label = next((f for f in a.findings if f.kind == "indication" and f.applies_to_plan is True), None)
    unchecked = tuple(f for f in a.findings if f.kind == "exclusion" and _for_plan(f) and f.state == "unknown")
    dose_open = a.dose.state == "unknown"

    def state(kind: DecisionKind, waiting: list[Missing] | None = None) -> DecisionState:
        return DecisionState(kind=kind, holds=holds, waiting_for=_dedupe(waiting or []), label=label,
                             unchecked=unchecked, dose_open=dose_open)

    if a.plan is None:
        return state("not_decided", [Missing(field="plan.regimen", label="plan under discussion")])
    if holds or a.dose.state == "not_recommended":
        return state("on_hold")
    if unchecked or dose_open:
        waiting = [m for f in unchecked for m in f.missing] + (list(a.dose.missing) if dose_open else [])
        return state("not_decided", waiting)
    if label is None or label.state == "not_met":
        return state("outside_label")
    if label.state == "unknown":
        return state("not_decided", list(label.missing))
    return state("ready")
