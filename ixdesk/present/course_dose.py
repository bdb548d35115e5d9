"""Which dose every reader shows as "the dose" of a consult with a treatment course (Qt-free).

A consult with cycles given is past its first cycle: the assessment's dose is the starting dose
(cycle 1), computed on the consult's weight, before any reduction. 08 once printed 68 kg, 40 mg/m²
and 70.6 mg on the start checklist, the verdict and the clinician summary while the cycle 5 double
check gave 63 kg, 32 mg/m² and 54.4 mg (a 20% reduction for febrile neutropenia). So it is decided
here, once: with cycles given, the dose is the next cycle's, from the core's next-cycle decision
(``ixdesk.core.course.assess_next_cycle``), and may be none (hold, discontinue, not decided), with
the reason; the starting dose is labelled as such wherever it is still shown.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from ixdesk.core.dosing import bsa_text
from ixdesk.present.formats import fmt_num

if TYPE_CHECKING:
    from ixdesk.core.assessment import Assessment
    from ixdesk.core.consult import Consult
    from ixdesk.core.course_policy import CoursePolicy
    from ixdesk.core.course_result import NextCycleDecision, RoundedDose
    from ixdesk.core.criteria import Criteria

STARTING_DOSE = "starting dose (cycle 1)"


@dataclass(frozen=True)
class CourseDose:
    """The next cycle's dose as "the dose" of the consult, or why there is none."""

    cycle: int | None
    shown: bool  # a dose may be printed (the gate is go and the dose is decided)
    mg_per_m2: float | None
    mg: float | None
    bsa_used_m2: float | None
    bsa_capped: bool
    weight_kg: float | None
    reason: str  # why no dose is printed ("" when shown): "the cycle is on hold", "discontinue ixabepilone"
    decision: NextCycleDecision
    # the clinic's rounding when it rounded this dose: ``mg`` is then the rounded order, and every
    # reader prints the product to the unrounded mg and the rounding with its deviation
    rounding: RoundedDose | None = None

    @property
    def cycle_words(self) -> str:
        return f"cycle {self.cycle}" if self.cycle is not None else "the next cycle"

    @property
    def product(self) -> str:
        """'32 mg/m² × 1.7000 m²': the BSA at the precision the mg was computed with."""
        bsa = bsa_text(self.bsa_used_m2) if self.bsa_used_m2 is not None else "?"
        base = f"{fmt_num(self.mg_per_m2)} mg/m² × {bsa} m²{', capped' if self.bsa_capped else ''}"
        r = self.rounding
        if r is None:
            return base
        return f"{base} = {fmt_num(r.unrounded_mg)} mg, {self.rounded_words}"

    @property
    def rounded_words(self) -> str:
        """'rounded to 55 mg (+1.10%, the clinic's 5 mg step)': the deviation always shown."""
        r = self.rounding
        if r is None:
            return ""
        return f"rounded to {fmt_num(r.mg)} mg ({r.deviation_percent:+.2f}%, the clinic's {fmt_num(r.step_mg)} mg step)"

    @property
    def calculation(self) -> str:
        """The product and its result as printed: '32 mg/m² × 1.6993 m² = 54.4 mg' (then the rounding)."""
        if self.rounding is not None:
            return self.product
        return f"{self.product} = {fmt_num(self.mg)} mg"

    @property
    def short(self) -> str:
        """'Cycle 5: 54.4 mg (32 mg/m²)' or 'Cycle 5: no dose (the cycle is on hold)'."""
        head = self.cycle_words[:1].upper() + self.cycle_words[1:]
        if self.shown and self.mg is not None:
            return f"{head}: {fmt_num(self.mg)} mg ({fmt_num(self.mg_per_m2)} mg/m²)"
        return f"{head}: no dose ({self.reason})"

    @property
    def double_check_pointer(self) -> str:
        return f"This consult has a course: print the {self.cycle_words} double check"


def course_dose(consult: Consult | None, criteria: Criteria | None, assessment: Assessment,
                policy: CoursePolicy | None = None) -> CourseDose | None:
    """None for a consult without cycles given (its readers print the assessment's dose, as ever).

    ``policy``: the clinic's course policies, as the Course section and the double check use them,
    so that a rounded order reads the same in every reader."""
    if consult is None or consult.course is None or not consult.course.cycles_given:
        return None
    from ixdesk.core.course import assess_next_cycle
    from ixdesk.core.criteria import default_criteria
    from ixdesk.present.course_history import cycle_dose, dose_may_be_given, mg_words

    d = assess_next_cycle(consult, criteria if criteria is not None else default_criteria(), assessment.as_of, policy)
    if d is None:
        return None
    shown = dose_may_be_given(d, assessment)
    m2, mg = cycle_dose(d, assessment)
    reason = "" if shown else mg_words(d, assessment).removeprefix("No dose: ")
    if shown and mg is None:
        shown, reason = False, "not computed (weight or height missing)"
    rounding = d.rounding if d.rounding is not None and d.rounding.applied and d.action != "first_cycle" else None
    return CourseDose(cycle=d.cycle_number, shown=shown, mg_per_m2=m2, mg=mg, bsa_used_m2=d.bsa_used_m2,
                      bsa_capped=d.bsa_capped, weight_kg=d.weight_kg, reason=reason, decision=d,
                      rounding=rounding)


__all__ = ["STARTING_DOSE", "CourseDose", "course_dose"]
