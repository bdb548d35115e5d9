"""The verdict: the consult answered in one line, the way a clinician weighs it (Qt-free).

The window used to open on a tree in which a red "no label indication met" outshouted a plan that
NCCN pathways and both payers support. A clinician reads the plan under discussion in this order:
can it be given today (a contraindication or a missing safety input says no), is it in the label,
is it on a pathway, will the payers cover it, and what dose. So the verdict is built in that order,
and its tones follow what each status means for the patient: only a contraindication is red; being
outside the label is neutral when a pathway and the payers support the plan, and a caution when
nothing does; a payer "not met" is a coverage caution, never a safety alarm.

The verdict follows the consult's decision state (``ixdesk.present.decision``): it never prints a
dose as an order while the consult is on hold or not decided. When a hold could resolve, it says
which dose would then apply, with the condition stated; when the dose was lowered for a strong
CYP3A4 inhibitor, it gives the dose once the inhibitor is stopped, computed by re-running the
engine without that medication (never by arithmetic here).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from ixdesk.core.assessment import Assessment, Dose, Finding, Missing
from ixdesk.present.course_dose import CourseDose, course_dose
from ixdesk.present.decision import DecisionKind, DecisionState, decision_state
from ixdesk.present.findings import value_text
from ixdesk.present.formats import fmt_date, fmt_num
from ixdesk.present.words import DECISION_WORDS, plan_long, plan_short

if TYPE_CHECKING:
    from ixdesk.core.course_policy import CoursePolicy
    from ixdesk.core.consult import Consult
    from ixdesk.core.criteria import Criteria

# good: supports the plan; neutral: a fact that neither supports nor blocks (outside the label,
# but supported elsewhere); caution: needs attention (missing, coverage not met); bad: blocks
Tone = Literal["good", "neutral", "caution", "bad"]
StatusState = Literal["met", "not_met", "unknown", "none"]

STATE_MARK = {"met": "✔", "not_met": "✘", "unknown": "?", "none": "–"}


@dataclass(frozen=True)
class Status:
    """One of the label / pathway / payer answers for the plan under discussion."""

    key: str  # "label", "pathways", or the payer group ("Payer policy 003")
    name: str  # as the header prints it: "FDA label", "Pathways", "Payer 003"
    state: StatusState
    text: str  # "met (with capecitabine)", "B", "not met", "undetermined"
    tone: Tone
    detail: str  # one sentence for a tooltip or a screen reader
    finding_ids: tuple[str, ...] = ()
    # the answer rests on an unverified item (IxDesk's line counting, a window tagged verify): a
    # "met" is only as firm as that, and the header says so beside it
    unverified: bool = False
    letters: tuple[str, ...] = ()  # the pathways met, by their letters ("A", "E"); empty elsewhere

    @property
    def mark(self) -> str:
        return STATE_MARK[self.state]


@dataclass(frozen=True)
class Verdict:
    kind: DecisionKind
    tone: Tone
    plan: str | None
    plan_words: str  # "ixabepilone with capecitabine"
    headline: str  # "On hold: baseline neutrophils below 1,500 cells/mm³"
    statuses: tuple[Status, ...]
    dose: str  # the dose line (or why there is none)
    dose_is_order: bool  # True: the dose may be given as printed (ready / outside the label)
    dose_alternatives: tuple[str, ...]  # "60.4 mg (40 mg/m²) about a week after clarithromycin is stopped; ..."
    holds: tuple[str, ...]  # what holds the consult, one line each (with the patient's value)
    hold_ids: tuple[str, ...]
    waiting_for: tuple[Missing, ...]  # inputs the decision waits for (links to fields)
    # inputs the label indication still needs, beyond those (the label is decided after safety)
    label_waiting: tuple[Missing, ...]
    warnings: tuple[str, ...]  # titles of the warnings that apply
    footnote: str  # "as of 18 Nov 2026 · criteria 2026.12.1"
    state: DecisionState
    # "contraindication overridden by Dr X": said beside "On hold", which stays (the decision is computed)
    override_note: str = ""
    # (finding id, title) of overrides made for another result or other values: to review
    stale_overrides: tuple[tuple[str, str], ...] = ()
    # the two doses of a strong CYP3A4 inhibitor (stopped / not avoidable); None without one, or
    # when the verdict was built without the consult
    inhibitor: InhibitorDoses | None = None
    # a dose that may be given: its amount ("70.6 mg"), which ``dose`` begins with, for a reader
    # that sets it apart (the header prints it bold) without splitting ``dose``; "" otherwise
    dose_amount: str = ""
    # a consult with cycles given: the next cycle's dose is "the dose" (``ixdesk.present.course_dose``)
    course: CourseDose | None = None

    @property
    def line(self) -> str:
        """The whole verdict in one line, for a status bar, the command line or a screen reader."""
        parts = [self.headline]
        parts += [f"{s.name} {s.mark} {s.text}" + (" (rests on unverified)" if s.unverified else "")
                  for s in self.statuses]
        parts.append(self.dose)
        return " · ".join(parts)


# --- the statuses ---------------------------------------------------------------------------

def _for_plan(f: Finding) -> bool:
    return f.applies_to_plan is not False


def _letter(f: Finding) -> str:
    """'B' for 'B. With capecitabine …'; the whole title when it has no letter."""
    head = f.title.split(".", 1)[0].strip()
    return head if len(head) <= 3 else f.title


def policy_results(a: Assessment) -> list[Finding]:
    """Each payer policy's own answer: the last finding of its group.

    The rule set writes a policy's combining rule after the criteria it combines (a test checks
    this holds for the shipped rules), so no reader needs to know rule ids or parse titles."""
    last: dict[str, Finding] = {}
    for f in a.findings:
        if f.kind == "payer":
            last[f.group] = f
    return list(last.values())


def _payer_name(group: str) -> str:
    return group.replace("Payer policy", "Payer").strip()


def label_status(a: Assessment) -> Status:
    label = next((f for f in a.findings if f.kind == "indication" and f.applies_to_plan is True), None)
    if a.plan is None:
        return Status("label", "FDA label", "unknown", "plan not chosen", "caution",
                      "No plan is recorded, so no label indication can be judged.")
    if label is None:
        return Status("label", "FDA label", "none", "not a label indication", "neutral",
                      f"Ixabepilone {plan_short(a.plan)} is not an FDA label indication.")
    if label.state == "met":
        return Status("label", "FDA label", "met", "met", "good", label.summary, (label.id,))
    if label.state == "unknown":
        return Status("label", "FDA label", "unknown", "undetermined", "caution", label.summary, (label.id,))
    return Status("label", "FDA label", "not_met", "not met", "neutral", label.summary, (label.id,))


def pathway_status(a: Assessment) -> Status:
    mine = [f for f in a.findings if f.kind == "pathway" and _for_plan(f)]
    met = [f for f in mine if f.state == "met"]
    unknown = [f for f in mine if f.state == "unknown"]
    ids = tuple(f.id for f in met or unknown)
    if met:
        letters = tuple(_letter(f) for f in met)
        word = "pathway" if len(met) == 1 else "pathways"
        return Status("pathways", "Pathways", "met", f"{', '.join(letters)} met", "good",
                      f"Payer 003 {word} (NCCN 2A / label) met: " + "; ".join(f.title for f in met), ids,
                      letters=letters)
    if unknown:
        return Status("pathways", "Pathways", "unknown", "undetermined", "caution",
                      "Not yet decidable: " + "; ".join(f.title for f in unknown), ids)
    if not mine:
        return Status("pathways", "Pathways", "none", "none for this plan", "neutral",
                      "No pathway concerns this plan.")
    return Status("pathways", "Pathways", "not_met", "none met", "caution",
                  "None of pathways A–F (payer 003) is met for this plan.")


def payer_statuses(a: Assessment) -> list[Status]:
    out: list[Status] = []
    for f in policy_results(a):
        name = _payer_name(f.group)
        if f.state == "met":
            out.append(Status(f.group, name, "met", "met", "good", f.summary, (f.id,)))
        elif f.state == "unknown":
            out.append(Status(f.group, name, "unknown", "undetermined", "caution", f.summary, (f.id,)))
        else:
            out.append(Status(f.group, name, "not_met", "not met", "caution", f.summary, (f.id,)))
    return out


# --- the dose -------------------------------------------------------------------------------

def _bsa_text(d: Dose) -> str:
    # the BSA to the precision the dose was computed with, so the product adds up as printed
    bsa = d.bsa_used_m2 if d.bsa_used_m2 is not None else d.bsa_m2
    cap = ", capped" if d.bsa_capped else ""
    return f"{fmt_num(bsa)} m²{cap}"


def dose_text(d: Dose) -> str:
    """'70.6 mg IV over 3 h every 21 days (40 mg/m² × 1.7654 m²)'; or why there is no single number."""
    if d.state == "computed" and d.dose_mg is not None and d.mg_per_m2 is not None:
        return (f"{fmt_num(d.dose_mg)} mg IV over {fmt_num(d.infusion_hours)} h every {d.cycle_days} days "
                f"({fmt_num(d.mg_per_m2)} mg/m² × BSA {_bsa_text(d)})")
    if d.mg_per_m2_unless_strong_inhibitor is not None and d.dose_mg_unless_strong_inhibitor is not None:
        meds = "; ".join(d.unrecognised_medications) or "a current medication"
        alt = ""
        if d.mg_per_m2_if_strong_inhibitor is not None and d.dose_mg_if_strong_inhibitor is not None:
            alt = (f", {fmt_num(d.dose_mg_if_strong_inhibitor)} mg ({fmt_num(d.mg_per_m2_if_strong_inhibitor)} mg/m²)"
                   " if it is")
        return (f"{fmt_num(d.dose_mg_unless_strong_inhibitor)} mg ({fmt_num(d.mg_per_m2_unless_strong_inhibitor)} "
                f"mg/m²) unless {meds} is a strong CYP3A4 inhibitor{alt}")
    if d.state == "not_recommended":
        return f"No dose: {d.summary}"
    if d.missing:
        return "No dose yet: needs " + ", ".join(m.label for m in d.missing)
    return f"No dose yet: {d.summary}"


def course_dose_text(cd: CourseDose, infusion_hours: float | None = None) -> str:
    """'54.4 mg IV over 3 h, cycle 5 (32 mg/m² × BSA 1.6993 m²)'; or 'No dose for cycle 5: the
    cycle is on hold'. The next cycle's dose, never the starting dose, for a consult with a course."""
    if cd.shown and cd.mg is not None:
        over = f" IV over {fmt_num(infusion_hours)} h" if infusion_hours else ""
        return f"{fmt_num(cd.mg)} mg{over}, {cd.cycle_words} ({cd.product.replace(' × ', ' × BSA ', 1)})"
    return f"No dose for {cd.cycle_words}: {cd.reason}"


def _inhibitor_lines(a: Assessment, consult: Consult) -> list[str]:
    """The medication lines the engine matched as strong CYP3A4 inhibitors (its values name them)."""
    meds = consult.history.medications or []
    hits: list[str] = []
    for f in a.findings:
        if f.kind == "warning" and f.state == "met" and f.id.startswith("warning.cyp3a4_inhibitor"):
            hits += [v.value for v in f.values if v.field == "history.medications" and v.value in meds]
    return hits


def strong_inhibitor_lines(a: Assessment, consult: Consult) -> list[str]:
    """The consult's medication lines the engine matched as strong CYP3A4 inhibitors (the patient
    sheet names them when the hold's only dose depends on stopping one)."""
    return list(dict.fromkeys(_inhibitor_lines(a, consult)))


@dataclass(frozen=True)
class InhibitorDoses:
    """The dose once a strong CYP3A4 inhibitor is stopped, and the reduced one if it cannot be.

    Both are the engine's (the first from a run without the inhibitor); the header, the plan
    comparison and the reports print them from these numbers, so they cannot disagree."""

    medications: tuple[str, ...]  # the medication lines matched as strong inhibitors
    stopped_mg: float
    stopped_mg_per_m2: float
    reduced_mg: float
    reduced_mg_per_m2: float

    @property
    def names(self) -> str:
        return " and ".join(self.medications)

    @property
    def stopped_when(self) -> str:
        return f"about a week after {self.names} is stopped"

    reduced_when = "only if it cannot be avoided"

    @property
    def stopped_line(self) -> str:
        return f"{fmt_num(self.stopped_mg)} mg ({fmt_num(self.stopped_mg_per_m2)} mg/m²) {self.stopped_when}"

    @property
    def reduced_line(self) -> str:
        return f"{fmt_num(self.reduced_mg)} mg ({fmt_num(self.reduced_mg_per_m2)} mg/m²) {self.reduced_when}"

    @property
    def line(self) -> str:
        """'60.4 mg (40 mg/m²) about a week after clarithromycin … is stopped; 30.2 mg (20 mg/m²) only
        if it cannot be avoided'."""
        return f"{self.stopped_line}; {self.reduced_line}"

    # on hold: the two doses per m² only, no mg (see held_dose_text)
    @property
    def stopped_rate_line(self) -> str:
        return f"{fmt_num(self.stopped_mg_per_m2)} mg/m² {self.stopped_when}"

    @property
    def reduced_rate_line(self) -> str:
        return f"{fmt_num(self.reduced_mg_per_m2)} mg/m² {self.reduced_when}"

    @property
    def rate_line(self) -> str:
        return f"{self.stopped_rate_line}; {self.reduced_rate_line}"


# On hold no reader prints an mg (a number in mg reads as an order), as the capecitabine line has
# it ("1,000 mg/m² per dose …; the mg is printed once the hold resolves"): the mg/m² the rules give
# once the hold resolves, with its condition, and this.
HELD_MG = "the mg is computed once the hold resolves"


def held_rate(d: Dose, inhibitor: InhibitorDoses | None, course: CourseDose | None) -> str | None:
    """The mg/m² a held consult would get once the hold resolves, with its condition; None when the
    rules give none (the reason is the dose's own line)."""
    if course is not None:
        return f"{fmt_num(course.mg_per_m2)} mg/m², {course.cycle_words}" if course.shown and course.mg_per_m2 else None
    if inhibitor is not None:
        return inhibitor.rate_line
    if d.state == "computed" and d.mg_per_m2 is not None:
        return f"{fmt_num(d.mg_per_m2)} mg/m² IV over {fmt_num(d.infusion_hours)} h every {d.cycle_days} days"
    return None


def held_dose_text(rate: str) -> str:
    """'No dose while on hold: 40 mg/m² IV over 3 h every 21 days; the mg is computed once the hold
    resolves'."""
    return f"No dose while on hold: {rate}; {HELD_MG}"


def _without_inhibitor(a: Assessment, consult: Consult, criteria: Criteria | None) -> InhibitorDoses | None:
    """The dose once the strong inhibitor is stopped, from the engine run without it."""
    d = a.dose
    lines = _inhibitor_lines(a, consult)
    if not lines or d.state != "computed" or d.mg_per_m2 is None or d.dose_mg is None:
        return None
    from ixdesk.core.engine import assess

    meds = [m for m in consult.history.medications or [] if m not in lines]
    other = consult.model_copy(update={"history": consult.history.model_copy(update={"medications": meds})})
    d2 = assess(other, criteria, a.as_of).dose
    if d2.state != "computed" or d2.mg_per_m2 is None or d2.dose_mg is None or d2.mg_per_m2 == d.mg_per_m2:
        return None
    return InhibitorDoses(medications=tuple(lines), stopped_mg=d2.dose_mg, stopped_mg_per_m2=d2.mg_per_m2,
                          reduced_mg=d.dose_mg, reduced_mg_per_m2=d.mg_per_m2)


# --- the verdict ----------------------------------------------------------------------------

def _hold_line(f: Finding) -> str:
    vals = "; ".join(value_text(v) for v in f.values)
    return f"{f.title} ({vals})" if vals else f.title


def _support(statuses: list[Status]) -> tuple[list[str], bool]:
    """What supports an off-label plan, in words, and whether it is fully supported."""
    path = next(s for s in statuses if s.key == "pathways")
    payers = [s for s in statuses if s.key not in ("label", "pathways")]
    parts: list[str] = []
    if path.state == "met":
        letters = path.letters or (path.text,)
        parts.append(("pathway " if len(letters) == 1 else "pathways ") + ", ".join(letters))
    met_payers = [s for s in payers if s.state == "met"]
    if payers and len(met_payers) == len(payers):
        parts.append("both payer policies" if len(payers) == 2 else "every payer policy")
    elif met_payers:
        parts.append(" and ".join(s.name for s in met_payers))
    return parts, path.state == "met" and bool(payers) and len(met_payers) == len(payers)


def _mark_unverified(a: Assessment, s: Status) -> Status:
    by_id = {f.id: f for f in a.findings}
    shaky = [by_id[i] for i in s.finding_ids if i in by_id
             and (by_id[i].confidence == "unverified" or by_id[i].unverified_basis)]
    if not shaky or s.state not in ("met", "not_met"):
        return s
    basis = sorted({u for f in shaky for u in f.unverified_basis} | {f"{f.title} (unverified rule)"
                                                                    for f in shaky if f.confidence == "unverified"})
    from dataclasses import replace

    return replace(s, unverified=True, detail=f"{s.detail} — rests on unverified: " + "; ".join(basis))


def build_verdict(a: Assessment, consult: Consult | None = None, criteria: Criteria | None = None,
                  policy: CoursePolicy | None = None) -> Verdict:
    """The verdict for ``a``; with the consult, the dose after a strong inhibitor is stopped too."""
    st = decision_state(a)
    statuses = [_mark_unverified(a, s) for s in (label_status(a), pathway_status(a), *payer_statuses(a))]
    by_id = {f.id: f for f in a.findings}
    holds = tuple(_hold_line(f) for f in st.holds)
    if not holds and a.dose.state == "not_recommended":
        holds = (a.dose.summary,)
    warnings = tuple(by_id[w].title for w in a.warnings if w in by_id)
    course = course_dose(consult, criteria, a, policy)
    if course is not None:  # past cycle 1: the next cycle's dose, the course's own inhibitor rules
        dose = course_dose_text(course, a.dose.infusion_hours)
        inhibitor = None
        computed = course.shown
        mg = course.mg
    else:
        dose = dose_text(a.dose)
        inhibitor = _without_inhibitor(a, consult, criteria) if consult is not None else None
        computed = a.dose.state == "computed"
        mg = a.dose.dose_mg
    alternatives = [inhibitor.line] if inhibitor is not None else []
    dose_is_order = st.dose_may_be_given and computed
    amount = f"{fmt_num(mg)} mg" if dose_is_order and mg is not None else ""
    tone: Tone
    if st.kind == "on_hold":
        tone = "bad"
        headline = "On hold: " + "; ".join(f.title for f in st.holds) if st.holds else f"On hold: {a.dose.summary}"
        rate = held_rate(a.dose, inhibitor, course) if computed else None
        alternatives = []  # no mg while on hold, not even an alternative's
        if rate is not None:
            dose = held_dose_text(rate)
    elif st.kind == "not_decided":
        tone = "caution"
        n = len(st.waiting_for)
        if a.plan is None:
            headline = "Not decided: choose the plan under discussion"
        else:
            headline = f"Not decided: waiting for {n} input{'s' if n != 1 else ''}"
        if computed:
            dose = "Dose once decided: " + dose
        elif course is not None:
            pass  # the course's own reason stands
        elif a.dose.missing and {m.field for m in a.dose.missing} <= {m.field for m in st.waiting_for}:
            # the inputs are listed once, with what the decision waits for; the dose names the first
            more = len(a.dose.missing) - 1
            dose = f"No dose yet: needs {a.dose.missing[0].label}" + (
                f" and {more} more of the inputs waited for" if more else "")
    elif st.kind == "outside_label":
        parts, full = _support(statuses)
        if parts:
            headline = "Outside the FDA label, supported by " + " and ".join(parts)
        else:
            headline = "Outside the FDA label: no pathway or payer policy supports this plan"
        tone = "neutral" if full else "caution"
    else:
        tone = "good"
        headline = f"Ready: {plan_long(a.plan)}, within the FDA label"
    label_waiting: tuple[Missing, ...] = ()
    if st.label is not None and st.label.state == "unknown":
        waited = {m.field for m in st.waiting_for}
        label_waiting = tuple(m for m in st.label.missing if m.field not in waited)
    override_note = ""
    stale: tuple[tuple[str, str], ...] = ()
    if consult is not None and consult.overrides:
        from ixdesk.present.overrides import hold_note, override_views

        views = override_views(consult.overrides, a)
        stale = tuple((v.finding_id, v.title) for v in views.values() if v.stale)
        override_note = hold_note(views, (f.id for f in st.holds)) if st.kind == "on_hold" else ""
        if override_note:
            headline = f"{headline} — {override_note}"
    footnote = f"as of {fmt_date(a.as_of)} · criteria {a.criteria.version}"
    if a.criteria.notice:
        footnote += f" · {a.criteria.notice}"
    return Verdict(kind=st.kind, tone=tone, plan=a.plan, plan_words=plan_long(a.plan), headline=headline,
                   statuses=tuple(statuses), dose=dose, dose_is_order=dose_is_order,
                   dose_alternatives=tuple(alternatives), holds=holds, hold_ids=tuple(f.id for f in st.holds),
                   waiting_for=st.waiting_for, label_waiting=label_waiting, warnings=warnings, footnote=footnote, state=st,
                   override_note=override_note, stale_overrides=stale,
                   inhibitor=inhibitor, dose_amount=amount, course=course)


__all__ = ["DECISION_WORDS", "HELD_MG", "InhibitorDoses", "held_dose_text", "held_rate", "course_dose_text", "strong_inhibitor_lines", "Status", "Verdict", "build_verdict", "dose_text", "label_status",
           "pathway_status", "payer_statuses", "policy_results"]
