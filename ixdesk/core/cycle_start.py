"""The cycle-start gate (PI 2, facts sheet section 6): may a new cycle start on these counts?

It was decided inside the nurse report, where no other reader could use it and no core test saw
it. It is decided here, tri-state per count (met / not met / unknown when the count is missing),
from the thresholds of ``administration.cycle_start``. Non-haematologic toxicity is graded by the
nurse on the day and is never decided from the consult.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from ixdesk.core.consult import Consult
from ixdesk.core.criteria import Criteria, ModRow

GateState = Literal["met", "not_met", "unknown"]


@dataclass(frozen=True)
class CountGate:
    lab: Literal["neutrophils", "platelets"]
    label: str  # "Neutrophils"
    minimum_per_mm3: float
    value_per_mm3: float | None  # None: not recorded
    state: GateState  # met: at or above the minimum (the minimum itself is enough to start)


@dataclass(frozen=True)
class CycleStartGate:
    counts: tuple[CountGate, ...]
    nonhematologic_max_grade: int

    @property
    def state(self) -> GateState:
        """not met if any count is below its minimum, unknown if one is missing, else met."""
        states = [c.state for c in self.counts]
        if "not_met" in states:
            return "not_met"
        return "unknown" if "unknown" in states else "met"

    def count(self, lab: str) -> CountGate:
        return next(c for c in self.counts if c.lab == lab)


def cycle_start_gate(consult: Consult, criteria: Criteria) -> CycleStartGate:
    cs = criteria.administration.cycle_start
    labs = consult.labs
    out = []
    for lab, label, minimum in (("neutrophils", "Neutrophils", cs.neutrophils_min_per_mm3),
                                ("platelets", "Platelets", cs.platelets_min_per_mm3)):
        value = getattr(labs, lab)
        per = None if value is None else value.per_mm3
        state: GateState = "unknown" if per is None else ("met" if per >= minimum else "not_met")
        out.append(CountGate(lab=lab, label=label, minimum_per_mm3=minimum, value_per_mm3=per,  # type: ignore[arg-type]
                             state=state))
    return CycleStartGate(counts=tuple(out), nonhematologic_max_grade=cs.nonhematologic_max_grade)


def modification_rows(criteria: Criteria, kind: str) -> list[ModRow]:
    """The dose-modification rows of one kind (``neuropathy``, ...), by the field the YAML gives."""
    return [r for r in criteria.administration.dose_modifications.rows if r.kind == kind]
