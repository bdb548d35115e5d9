"""The three regimens side by side: what the label, the pathways, the payers, the contraindications
and the dose say for each (Qt-free).

This is the question a second opinion brings ("compare single-drug treatment with a combination
including capecitabine", seed clinic page). The main list shows the plan under discussion; the
rules it judged for the other plans (``condition_state``, ``other_plan``, ``contraindicated_by``)
are answered here, each plan in its own column.

Each column comes from the engine itself, run on a copy of the consult with that plan: the findings
of a plan not under discussion only say whether their condition holds, while a column needs that
plan's dose (its hepatic rows differ: a combination's AST/ALT limits are not monotherapy's), its
own label indication and its payers' answers. ``assess()`` is pure and takes a few milliseconds, so
nothing is guessed from the current plan's results.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from ixdesk.core.assessment import Assessment
from ixdesk.present.decision import DecisionKind
from ixdesk.present.formats import fmt_num
from ixdesk.present.verdict import HELD_MG, Status, Verdict, build_verdict, held_rate
from ixdesk.present.words import DECISION_WORDS, plan_long

if TYPE_CHECKING:
    from ixdesk.core.course_policy import CoursePolicy
    from ixdesk.core.consult import Consult
    from ixdesk.core.criteria import Criteria

from ixdesk.present.plan_names import PLAN_HEADINGS, PLANS  # noqa: E402 - defined apart, so the window can draw them early


@dataclass(frozen=True)
class PlanColumn:
    plan: str
    heading: str  # "With capecitabine"
    words: str  # "ixabepilone with capecitabine"
    current: bool  # the plan under discussion
    decision: DecisionKind
    decision_words: str  # "Ready", "On hold", ...
    label: Status
    pathways: Status
    payers: tuple[Status, ...]
    contraindications: tuple[str, ...]  # present for this plan (rule titles)
    contraindication_details: tuple[str, ...]  # the same with the patient's values
    unchecked: tuple[str, ...]  # contraindications of this plan that cannot be checked yet
    # short: "70.6 mg (40 mg/m²)", "on hold · 40 mg/m² about a week after clarithromycin … is stopped;
    # 20 mg/m² only if it cannot be avoided; the mg is computed once the hold resolves", "not yet: needs weight"
    dose: str
    # the same as lines for a narrow cell: the state, then one line per dose (the inhibitor's two)
    dose_lines: tuple[str, ...]
    dose_detail: str  # the verdict's full dose line
    verdict: Verdict
    assessment: Assessment


def _short_dose(a: Assessment, v: Verdict) -> str:
    if v.course is not None:  # past cycle 1: the next cycle's dose (or why none), never the starting dose
        c = v.course
        number_c = f"{fmt_num(c.mg)} mg ({fmt_num(c.mg_per_m2)} mg/m²), {c.cycle_words}" if c.shown else None
        if number_c is None:
            return f"{c.cycle_words}: no dose ({c.reason})"
        if v.kind == "on_hold":
            return _held(held_rate(a.dose, None, c))
        return f"{number_c} once decided" if v.kind == "not_decided" else number_c
    d = a.dose
    inh = v.inhibitor
    # a dose lowered for an interaction or the liver says so; the reasons are in the detail
    adjusted = ", adjusted" if d.adjustments and inh is None else ""
    number = (f"{fmt_num(d.dose_mg)} mg ({fmt_num(d.mg_per_m2)} mg/m²{adjusted})"
              if d.state == "computed" and d.dose_mg is not None and d.mg_per_m2 is not None else None)
    if inh is not None:
        # the header's two doses, from the same numbers: the full one once the inhibitor is stopped,
        # the reduced one only if it cannot be avoided
        number = inh.line
    if v.kind == "on_hold":
        return _held(held_rate(d, inh, None) if number else None)
    if number is None:
        if d.state == "not_recommended":
            return "not recommended"
        if d.mg_per_m2_unless_strong_inhibitor is not None:
            return (f"{fmt_num(d.dose_mg_unless_strong_inhibitor)} mg unless a medication is a strong CYP3A4 "
                    "inhibitor")
        if d.missing:
            n = len(d.missing)
            return f"not yet: needs {d.missing[0].label}" + (f" and {n - 1} more" if n > 1 else "")
        return d.summary
    if v.kind == "not_decided":
        return f"{number} once decided"
    return number


def _held(rate: str | None) -> str:
    """On hold: the mg/m² once it resolves, never an mg (the verdict's rule, ``held_dose_text``)."""
    return f"on hold · {rate}; {HELD_MG}" if rate else "on hold"


def _dose_lines(a: Assessment, v: Verdict) -> tuple[str, ...]:
    inh = v.inhibitor
    if inh is None:
        return (_short_dose(a, v),)
    if v.kind == "on_hold":
        return (f"on hold · {HELD_MG}:", inh.stopped_rate_line, inh.reduced_rate_line)
    head = {"not_decided": "once decided:"}.get(v.kind)
    return ((head,) if head else ()) + (inh.stopped_line, inh.reduced_line)


def column(a: Assessment, plan: str, current: bool, consult: Consult | None = None,
           criteria: Criteria | None = None, policy: CoursePolicy | None = None) -> PlanColumn:
    """One plan's column; with ``consult`` (that plan's), the inhibitor's two doses as the header has them."""
    v = build_verdict(a, consult, criteria, policy)
    st = v.state
    payers = tuple(s for s in v.statuses if s.key not in ("label", "pathways"))
    return PlanColumn(
        plan=plan, heading=PLAN_HEADINGS[plan], words=plan_long(plan), current=current, decision=v.kind,
        decision_words=DECISION_WORDS[v.kind], label=v.statuses[0], pathways=v.statuses[1], payers=payers,
        contraindications=(tuple(f.title for f in st.holds) or v.holds[:1]) if v.kind == "on_hold" else (),
        contraindication_details=v.holds, unchecked=tuple(f.title for f in st.unchecked),
        dose=_short_dose(a, v), dose_lines=_dose_lines(a, v), dose_detail="\n".join([v.dose, *(a.dose.adjustments if v.course is None else ())]), verdict=v, assessment=a)


def _with_plan(consult: Consult, plan: str) -> Consult:
    return consult.model_copy(update={"plan": consult.plan.model_copy(update={"regimen": plan})})


def assess_plan(consult: Consult, plan: str, criteria: Criteria | None = None,
                as_of: object = None) -> Assessment:
    """The engine's assessment of the consult had ``plan`` been chosen (nothing else changed)."""
    from ixdesk.core.engine import assess

    return assess(_with_plan(consult, plan), criteria, as_of)  # type: ignore[arg-type]


def compare_plans(consult: Consult, criteria: Criteria | None = None,
                  current: Assessment | None = None, policy: CoursePolicy | None = None) -> list[PlanColumn]:
    """One column per regimen, in the order monotherapy | with capecitabine | with trastuzumab.

    ``current``, the assessment already on screen, is reused for its own plan and gives the date the
    other plans are judged on, so the columns never disagree with the main list about the day."""
    as_of = current.as_of if current is not None else None
    cols: list[PlanColumn] = []
    for plan in PLANS:
        if current is not None and current.plan == plan:
            a = current
        else:
            a = assess_plan(consult, plan, criteria, as_of)
        cols.append(column(a, plan, consult.plan.regimen == plan, _with_plan(consult, plan), criteria, policy))
    return cols
