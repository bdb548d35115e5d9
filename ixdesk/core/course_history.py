"""The course so far: which cycles were toxicity reductions, the per-cycle table, the cumulative
ixabepilone dose and the weight check (issue 11, section 2).

A reduction is counted only when it was made for a toxicity. The cycle's structured
``change_rule`` says so when recorded (a dose-modification row); without it a cycle given below the
previous one counts as a reduction, unless it is the strong CYP3A4 inhibitor's 20 mg/m² given while
a recorded inhibitor was taken: that is not a toxicity, and counting it would make the next
toxicity a "recurrence".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from ixdesk.core.assessment import Missing, State
from ixdesk.core.consult import Consult, CourseMedication, CycleGiven
from ixdesk.core.course_policy import WEIGHT_SETTING, CoursePolicy
from ixdesk.core.course_result import CumulativeDose, CycleHistoryRow, WeightCheck
from ixdesk.core.criteria import Criteria
from ixdesk.core.dosing import BSA_DECIMALS, BSA_FORMULAS
from ixdesk.core.medications import check_class, classify

# The rules a cycle's change_rule may name besides the dose-modification rows.
OTHER_CHANGE_RULES = {
    "cyp3a4.inhibitor": "Strong CYP3A4 inhibitor: 20 mg/m²",
    "cyp3a4.return": "Strong CYP3A4 inhibitor stopped: back to the previous dose",
    "hepatic.step": "Hepatic impairment start: raised in a later cycle (at most 30 mg/m²)",
    "prescriber": "The prescriber's decision",
}
RECURRENCE_ROW = "mod.recurrence"


@dataclass(frozen=True)
class Reductions:
    """Per cycle given: a toxicity reduction from the previous cycle (None: not comparable)."""

    flags: tuple[bool | None, ...]
    rows: frozenset[str]  # the recorded rows of earlier reductions (mod.recurrence aside)
    unrecorded: tuple[int, ...]  # numbers of reduction cycles whose row is not recorded
    notes: tuple[str, ...]

    @property
    def count(self) -> int:
        return sum(1 for f in self.flags if f)


def change_rule_text(rule: str | None, criteria: Criteria) -> str | None:
    if rule is None:
        return None
    for row in criteria.administration.dose_modifications.rows:
        if row.id == rule:
            return f"{row.toxicity}: {row.action}"
    return OTHER_CHANGE_RULES.get(rule)


def _under_inhibitor(day: date | None, meds: list[CourseMedication] | None, criteria: Criteria) -> bool:
    """A recorded strong CYP3A4 inhibitor was taken on that day (its start and stop dates span it)."""
    if day is None or not meds:
        return False
    for med in meds:
        if med.start_date is None or med.start_date > day or (med.stop_date is not None and med.stop_date < day):
            continue
        if check_class(classify([med.name], criteria), "strong_inhibitor").state:
            return True
    return False


def count_reductions(consult: Consult, criteria: Criteria) -> Reductions:
    course = consult.course
    cycles: list[CycleGiven] = course.cycles_given if course else []
    meds = course.next_cycle.medications if course and course.next_cycle else None
    mods = {r.id: r.effect for r in criteria.administration.dose_modifications.rows}
    inhibitor_dose = criteria.dosing.cyp3a4.inhibitor_mg_per_m2
    flags: list[bool | None] = []
    rows: set[str] = set()
    unrecorded: list[int] = []
    notes: list[str] = []
    prev: float | None = None
    for i, c in enumerate(cycles):
        rule = c.change_rule
        if rule is not None and rule not in mods and rule not in OTHER_CHANGE_RULES:
            notes.append(f"Cycle {c.number}: change rule '{rule}' is not one IxDesk knows; read as not recorded")
            rule = None
        cur = c.ixabepilone_mg_per_m2
        flag: bool | None
        if i == 0 or prev is None or cur is None:
            flag = None
        elif cur >= prev:
            flag = False
        elif rule is not None:
            flag = mods.get(rule) in ("reduce", "further_reduce")
        else:
            flag = not (cur == inhibitor_dose and _under_inhibitor(c.date, meds, criteria))
        if flag:
            if rule is None:
                unrecorded.append(c.number)
            elif rule != RECURRENCE_ROW:
                rows.add(rule)
        flags.append(flag)
        prev = cur
    return Reductions(tuple(flags), frozenset(rows), tuple(unrecorded), tuple(notes))


def _bsa(consult: Consult, criteria: Criteria, weight: float | None) -> tuple[float | None, float | None]:
    h = consult.patient.height_cm
    if h is None or weight is None:
        return None, None
    bsa = round(BSA_FORMULAS[consult.plan.bsa_formula](h, weight), BSA_DECIMALS)
    return bsa, min(bsa, criteria.dosing.bsa.cap_m2)


def history(consult: Consult, criteria: Criteria, reductions: Reductions) -> list[CycleHistoryRow]:
    cycles = consult.course.cycles_given if consult.course else []
    out: list[CycleHistoryRow] = []
    running = 0
    for c, flag in zip(cycles, reductions.flags, strict=True):
        running += 1 if flag else 0
        bsa, used = _bsa(consult, criteria, c.weight_kg)
        out.append(CycleHistoryRow(
            number=c.number, date=c.date, weight_kg=c.weight_kg, bsa_m2=bsa, bsa_used_m2=used,
            mg_per_m2=c.ixabepilone_mg_per_m2, mg=c.ixabepilone_mg,
            mg_computed=None if used is None or c.ixabepilone_mg_per_m2 is None else round(c.ixabepilone_mg_per_m2 * used, 1),
            capecitabine_mg_per_dose=c.capecitabine_mg_per_dose,
            reduced=flag, reductions=running, change_rule=c.change_rule,
            change_rule_text=change_rule_text(c.change_rule, criteria), change_reason=c.change_reason,
            verified_by=c.verified_by))
    return out


def _sum(values: list[float]) -> float:
    """Summed in decimal, so 25.6 + 25.6 + 32 is 83.2, not 83.19999."""
    return float(sum((Decimal(str(v)) for v in values), Decimal(0)))


def cumulative(consult: Consult) -> CumulativeDose:
    cycles = consult.course.cycles_given if consult.course else []
    missing: list[Missing] = []
    mg = [c.ixabepilone_mg for c in cycles]
    m2 = [c.ixabepilone_mg_per_m2 for c in cycles]
    for i, c in enumerate(cycles):
        if c.ixabepilone_mg is None:
            missing.append(Missing(field=f"course.cycles_given[{i}].ixabepilone_mg", label=f"cycle {c.number}'s mg given"))
        if c.ixabepilone_mg_per_m2 is None:
            missing.append(Missing(field=f"course.cycles_given[{i}].ixabepilone_mg_per_m2",
                                   label=f"cycle {c.number}'s mg/m² given"))
    mg_known = [v for v in mg if v is not None]
    m2_known = [v for v in m2 if v is not None]
    return CumulativeDose(
        cycles=len(cycles), mg=_sum(mg_known) if len(mg_known) == len(mg) else None,
        mg_per_m2=_sum(m2_known) if len(m2_known) == len(m2) else None,
        mg_recorded=_sum(mg_known), mg_per_m2_recorded=_sum(m2_known), missing=missing)


def weight_check(consult: Consult, weight: float | None, policy: CoursePolicy) -> WeightCheck:
    """The day's weight against the weight the current dose was based on: the last cycle given's
    weight (its dose was computed from it), else the consult's weight (the starting dose's)."""
    cycles = consult.course.cycles_given if consult.course else []
    ref: float | None = None
    field: str | None = None
    for i in range(len(cycles) - 1, -1, -1):
        if cycles[i].weight_kg is not None:
            ref, field = cycles[i].weight_kg, f"course.cycles_given[{i}].weight_kg"
            break
    if ref is None and consult.patient.weight_kg is not None:
        ref, field = consult.patient.weight_kg, "patient.weight_kg"
    threshold = policy.weight_change_percent
    change: float | None = None
    exact: Decimal | None = None
    if ref is not None and weight is not None:
        exact = (Decimal(str(weight)) - Decimal(str(ref))) / Decimal(str(ref)) * 100
        change = round(float(exact), 1)
    state: State
    if threshold is None:
        state = "unknown"
        text = (f"Weight-change threshold not set (clinic setting {WEIGHT_SETTING}; the label gives none): "
                "the weight change is not flagged")
    elif exact is None:
        state = "unknown"
        text = "Weight change not known: " + ("the day's weight" if weight is None else "the weight the dose was based on") \
            + " is not recorded"
    else:
        state = "met" if abs(exact) > Decimal(str(threshold)) else "not_met"
        text = (f"Weight {weight:g} kg, {change:+.1f}% from {ref:g} kg: "
                + ("beyond" if state == "met" else "within")
                + f" the clinic's {threshold:g}% threshold" + (": check the dose with the prescriber" if state == "met" else ""))
    if threshold is None and change is not None:
        text += f" ({change:+.1f}% from {ref:g} kg)"
    start = consult.patient.weight_kg
    since: float | None = None
    if field != "patient.weight_kg" and start is not None and weight is not None:
        since = round(float((Decimal(str(weight)) - Decimal(str(start))) / Decimal(str(start)) * 100), 1)
        text += f"; {since:+.1f}% from {start:g} kg at the consult"
    return WeightCheck(state=state, configured=threshold is not None, threshold_percent=threshold, weight_kg=weight,
                       reference_kg=ref, reference_field=field, change_percent=change, text=text,
                       consult_kg=start if since is not None else None, consult_change_percent=since)
