"""The treatment course as every reader prints it: the cycles given, and the next-cycle decision.

One wording for the clinician summary, the nurse's cycle double check, the patient's next-visit
sheet and the window's Course section, so that "reduce 20%: 40 → 32 mg/m²" reads the same on all of
them. The decision itself is the core's (``ixdesk.core.course.assess_next_cycle``); here it is only
put into words. Whether a dose may be printed as an order is decided once, in :func:`dose_may_be_given`,
by the same rule as the start sheet: a hold, an unknown gate or an undecided dose prints none.
"""

from __future__ import annotations

from datetime import date

from ixdesk.core.assessment import Assessment
from ixdesk.core.consult import Amendment, Consult, CycleGiven, PreviousCycleToxicity
from ixdesk.core.course import assess_next_cycle
from ixdesk.core.course_anthracycline import anthracycline_exposure
from ixdesk.core.course_policy import CoursePolicy
from ixdesk.core.course_result import (
    AnthracyclineExposure, CapecitabineHold, CumulativeDose, CycleHistoryRow, DateAhead, NextCycleDecision, RoundedDose,
    WeightCheck,
)
from ixdesk.core.criteria import Criteria
from ixdesk.core.dosing import bsa_text
from ixdesk.present import course_liver as liver_words
from ixdesk.present.decision import decision_state
from ixdesk.present.fields import field_words
from ixdesk.present.formats import NOT_RECORDED, fmt_date, fmt_num
from ixdesk.present.patient import TAKE_HOME, PatientReport, Section, visit_paragraphs
from ixdesk.present.report_base import UNVERIFIED_MARK, Clinic, Data, make_meta
from ixdesk.present.settings import ReportSettings

GATE_WORDS = {"go": "Go: the cycle may start", "hold": "Hold: do not start the cycle",
              "unknown": "Not decided: information is missing"}
GATE_SHORT = {"go": "GO", "hold": "HOLD", "unknown": "NOT DECIDED"}
STATE_MARK = {"met": "✓", "not_met": "✗", "unknown": "?"}


class CycleRow(Data):
    """One cycle given, as the per-cycle table prints it."""

    cycle: str
    date: str
    weight: str
    mg_per_m2: str
    mg: str
    reason: str
    verified_by: str
    bsa: str = ""  # "1.74 m²" from that cycle's weight (the core's history), "" when not known
    amendments: list[str] = []  # "Changed on 9 Dec 2026 by RN J. Park (weight): reason"


class GateLine(Data):
    label: str
    threshold: str
    value: str
    state: str  # met / not_met / unknown
    note: str = ""  # why the line holds the cycle, or what to check (the liver tests of the combination)


class NextCycleSummary(Data):
    """The next-cycle decision in words, with the basis it rests on."""

    cycle: str  # "Cycle 4"
    date: str
    gate: str  # go / hold / unknown
    gate_text: str
    gate_lines: list[GateLine]
    labs_when: str  # "9 Dec 2026 08:30" or "not recorded"
    action: str  # the core's DoseAction
    dose_text: str  # "Reduce 20%: 40 → 32 mg/m²"
    dose_shown: bool  # False: no dose may be printed as an order
    mg_text: str  # "32 mg/m² × 1.7 m² = 54.4 mg", or why there is none
    rule_text: str
    toxicities: list[str]  # the previous cycle's toxicities as recorded, in the label's terms
    changed_by: list[str]  # the table's rows that applied ("Febrile neutropenia: reduce 20%")
    capecitabine: list[str]
    basis: list[str]
    notes: list[str]
    missing: list[str]
    unverified: list[str]
    # issue 11 wiring: the clinic policies and the cumulative picture, in the same words everywhere
    weight_text: str = ""
    weight_flag: bool = False  # beyond the clinic's threshold: flag it for the prescriber
    rounding_text: str = ""  # "" when no rounding policy is set (or no dose to round)
    recurrence_text: str = ""
    cumulative_text: str = ""
    # items the checkers look at before giving, beside a Go (liver tests not drawn with the combination)
    checks: list[str] = []
    # course dates after the as-of date, naming the cycle and the field (a data-quality warning)
    date_warnings: list[str] = []


class CourseHistory(Data):
    rows: list[CycleRow]
    next: NextCycleSummary | None
    cumulative_text: str = ""


# The cycle's fields in the form's words, for "which fields an amendment changed".
_CYCLE_FIELD_WORDS = {"date": "date given", "weight_kg": "weight", "ixabepilone_mg_per_m2": "mg/m²",
                      "ixabepilone_mg": "mg", "capecitabine_mg_per_dose": "capecitabine dose",
                      "change_reason": "reason for change", "verified_by": "verified by", "change_rule": "rule"}


def amendment_words(a: Amendment) -> str:
    """'Changed on 9 Dec 2026 by RN J. Park (weight, mg): scale recalibrated'."""
    by = f" by {a.by.strip()}" if a.by and a.by.strip() else ""
    fields = f" ({', '.join(_CYCLE_FIELD_WORDS.get(f, f.replace('_', ' ')) for f in a.changed)})" if a.changed else ""
    return f"Changed on {fmt_date(a.on)}{by}{fields}: {a.reason.strip()}"


def cycle_row(c: CycleGiven, h: CycleHistoryRow | None = None) -> CycleRow:
    """``h``: the core's history row of the cycle (its BSA from that day's weight), when computed."""
    bsa = ""
    if h is not None and h.bsa_used_m2 is not None:
        bsa = f"{bsa_text(h.bsa_used_m2)} m²" + (" (cap)" if h.bsa_m2 is not None and h.bsa_m2 != h.bsa_used_m2 else "")
    return CycleRow(
        cycle=str(c.number), date=fmt_date(c.date),
        weight=f"{fmt_num(c.weight_kg)} kg" if c.weight_kg is not None else NOT_RECORDED,
        mg_per_m2=fmt_num(c.ixabepilone_mg_per_m2), mg=fmt_num(c.ixabepilone_mg),
        reason=(c.change_reason or "").strip() or "—", verified_by=(c.verified_by or "").strip() or NOT_RECORDED,
        bsa=bsa, amendments=[amendment_words(a) for a in c.amendments],
    )


def cycle_rows(consult: Consult, d: NextCycleDecision | None) -> list[CycleRow]:
    """Every cycle given, each with the core's history row of the same number where there is one."""
    cycles = consult.course.cycles_given if consult.course else []
    hist = {h.number: h for h in (d.history if d is not None else [])}
    return [cycle_row(c, hist.get(c.number)) for c in cycles]


# --- the clinic policies and the cumulative picture, in words (one wording for every reader) -------

THRESHOLD_NOT_SET = "threshold not set in clinic settings"


def signed(x: float, decimals: int) -> str:
    """'+1.10', '−4.5' (a typographic minus, as the criteria's text): a deviation reads with its sign."""
    text = f"{x:+.{decimals}f}"
    return "−" + text[1:] if text.startswith("-") else text


def _reference_words(field: str | None) -> str:
    if field and field.startswith("course.cycles_given["):
        return "last cycle"
    return "at the consult" if field == "patient.weight_kg" else "the dose's weight"


def weight_words(w: WeightCheck | None, with_weight: bool = True) -> tuple[str, bool]:
    """(text, flagged): the day's weight against the weight the dose was based on, with the clinic's
    threshold shown by its value; without one it says the threshold is not set (the label has none).
    ``with_weight=False`` leaves the day's weight out, for a line that already shows it."""
    if w is None:
        return "", False
    change = ""
    since = w.consult_change_percent is not None and w.consult_kg is not None  # the drift since the consult too, shown
    if w.change_percent is not None and w.reference_kg is not None and w.weight_kg is not None:
        if with_weight or not since:
            change = ((f"{fmt_num(w.weight_kg)} kg, " if with_weight else "")
                      + f"{signed(w.change_percent, 1)}% from {fmt_num(w.reference_kg)} kg ({_reference_words(w.reference_field)})")
        else:  # the short form, on one line of a sheet
            change = f"{signed(w.change_percent, 1)}% ({_reference_words(w.reference_field)}, {fmt_num(w.reference_kg)} kg)"
    if w.consult_change_percent is not None and w.consult_kg is not None:
        pct = signed(w.consult_change_percent, 1)
        change += (f", {pct}% from {fmt_num(w.consult_kg)} kg (consult)" if with_weight
                   else f", {pct}% (consult, {fmt_num(w.consult_kg)} kg)")
    if not w.configured:
        if not with_weight:  # the short form, beside the weight it follows
            return (change + "; " if change else "") + f"weight-change {THRESHOLD_NOT_SET}", False
        return "Weight change " + (change + ": " if change else "not known: ") + \
            f"{THRESHOLD_NOT_SET}, not flagged", False
    limit = f"the clinic's {fmt_num(w.threshold_percent)}% threshold"
    if w.state == "met":
        return f"FLAG for the prescriber: weight {change}, beyond {limit}: check the dose", True
    if w.state == "not_met":
        return f"Weight {change}: within {limit}", False
    what = "the day's weight" if w.weight_kg is None else "the weight the dose was based on"
    return f"Weight change not known ({limit}): {what} is not recorded", False


def rounding_words(r: RoundedDose | None) -> str:
    """The rounded dose with its signed deviation from the unrounded one; '' without a policy."""
    if r is None:
        return ""
    rule = f"clinic policy: step {fmt_num(r.step_mg)} mg, at most {fmt_num(r.max_percent)}%"
    if not r.applied:
        return f"Not rounded ({rule}): {fmt_num(r.unrounded_mg)} mg stands; {r.text}"
    if r.mg == r.unrounded_mg:
        return f"{fmt_num(r.mg)} mg is already a multiple of {fmt_num(r.step_mg)} mg ({rule})"
    return (f"Rounded: {fmt_num(r.mg)} mg ({signed(r.deviation_percent, 2)}% from the unrounded "
            f"{fmt_num(r.unrounded_mg)} mg; {rule})")


def recurrence_words(d: NextCycleDecision) -> str:
    """Which toxicity recurred after its earlier reduction (and at which cycle that was); '' if none."""
    if d.recurrence != "met" or not d.recurrence_rows:
        return "" if d.recurrence != "unknown" else "Recurrence not decided: information is missing"
    names = {r.id: r.toxicity for r in d.rows}
    parts = []
    for rid in d.recurrence_rows:
        at = [str(h.number) for h in d.history if h.change_rule == rid and h.reduced]
        when = f", first reduced at cycle {', '.join(at)}" if at else ""
        name = names.get(rid, rid)
        name = name[:1].lower() + name[1:] if not name[1:2].isupper() else name
        parts.append(f"{name}{when}")
    return "Recurrence of " + "; ".join(parts)


def cumulative_words(c: CumulativeDose | None) -> str:
    """'Cumulative ixabepilone over 4 cycles: 252.1 mg, 144 mg/m²'; a missing cycle makes it a lower bound."""
    if c is None or c.cycles == 0:
        return "Cumulative ixabepilone: none given yet" if c is not None else ""
    mg = f"{fmt_num(c.mg)} mg" if c.mg is not None else f"at least {fmt_num(c.mg_recorded)} mg (an mg not recorded)"
    m2 = (f"{fmt_num(c.mg_per_m2)} mg/m²" if c.mg_per_m2 is not None else
          f"at least {fmt_num(c.mg_per_m2_recorded)} mg/m² (an mg/m² not recorded)")
    return f"Cumulative ixabepilone: {mg}, {m2} ({c.cycles} cycle{'s' if c.cycles != 1 else ''} given)"


def anthracycline_words(e: AnthracyclineExposure, consult: Consult) -> list[str]:
    """Prior cumulative anthracycline exposure per agent, as recorded, for the reader to set beside the
    attestation; IxDesk never decides the attestation from it, and never adds agents together."""
    lines = []
    for a in e.agents:
        regs = ", ".join(str(i + 1) for i in a.regimens)
        lines.append(f"{a.agent}: {fmt_num(a.cumulative_mg_per_m2)} mg/m² (regimen{'s' if len(a.regimens) > 1 else ''} {regs})")
    for m in e.missing:
        lines.append(m.label + ": not recorded")
    if not lines:
        return ["No anthracycline among the prior regimens recorded"] if consult.regimens else             ["No prior regimens recorded"]
    return lines + [n for n in e.notes if "not recognised" in n or "not counted" in n]


def anthracycline_attestation_words(consult: Consult) -> str:
    at = consult.attestations
    v = at.anthracycline_contraindicated
    text = {None: "not recorded", True: "yes", False: "no"}[v]
    reason = (at.anthracycline_contraindication_reason or "").strip()
    return f"attestation 'further anthracycline contraindicated': {text}" + (f" ({reason})" if reason else "")


def anthracycline_block(consult: Consult, criteria: Criteria) -> list[str]:
    """The attestation and, beside it, the recorded exposure per agent that does not decide it; empty
    when no dose is recorded (each regimen then says its own, see :func:`anthracycline_regimen_words`)."""
    e = anthracycline_exposure(consult, criteria)
    if not e.agents:
        return []
    return [anthracycline_attestation_words(consult),
            "recorded exposure (not deciding it): " + "; ".join(anthracycline_words(e, consult))]


def anthracycline_regimen_words(consult: Consult, criteria: Criteria) -> list[str]:
    """Per regimen (by index): its anthracyclines' cumulative doses ("total") as recorded, or that one
    is not recorded; '' for a regimen without an anthracycline."""
    e = anthracycline_exposure(consult, criteria)
    out = []
    for i, reg in enumerate(consult.regimens):
        parts = [f"{d.agent} total {fmt_num(d.cumulative_mg_per_m2)} mg/m²" for d in reg.anthracycline_doses]
        for m in e.missing:
            if m.field == f"regimens[{i}].anthracycline_doses":
                what = m.label.split(": ", 1)[-1]  # "cumulative epirubicin dose"
                agent = what.removeprefix("cumulative ").removesuffix(" dose")
                parts.append(f"{agent} total: not recorded")
        out.append("; ".join(parts))
    return out


def toxicity_lines(t: PreviousCycleToxicity) -> list[str]:
    """What the course records of the previous cycle, in the PI table's terms; 'not recorded' is said."""
    def yn(v: bool | None) -> str:
        return NOT_RECORDED if v is None else ("yes" if v else "no")

    plt = {None: NOT_RECORDED, "none": "not below 50,000/mm³", "below_50000": "below 50,000/mm³",
           "below_25000": "below 25,000/mm³"}[t.platelets_low]
    out = [
        "Neutrophils < 500/mm³: " + (NOT_RECORDED if t.neutrophils_below_500_days is None
                                     else f"{t.neutrophils_below_500_days} day(s)"),
        f"Febrile neutropenia: {yn(t.febrile_neutropenia)}",
        f"Lowest platelets: {plt}" + (f"; bleeding: {yn(t.bleeding)}" if t.platelets_low == "below_50000" else ""),
        "Neuropathy: " + (NOT_RECORDED if t.neuropathy_grade is None else
                          f"worst grade {t.neuropathy_grade}"
                          + (f", {t.neuropathy_days} day(s)" if t.neuropathy_days is not None else "")
                          + (", disabling" if t.neuropathy_disabling else "")
                          + (f"; grade now {t.neuropathy_grade_now}" if t.neuropathy_grade_now is not None else
                             "; grade now not recorded")),
        "Other grade 3 toxicity: " + (yn(t.other_grade3) if not t.other_grade3 else
                                      f"yes ({(t.other_grade3_name or 'name not recorded').strip()}; grade now "
                                      f"{t.other_grade3_grade_now if t.other_grade3_grade_now is not None else NOT_RECORDED})"),
        f"Transient grade 3 arthralgia, myalgia or fatigue: {yn(t.transient_grade3_arthralgia_myalgia_fatigue)}",
        f"Grade 3 hand-foot syndrome: {yn(t.grade3_hand_foot_syndrome)}",
        f"Any grade 4 toxicity: {yn(t.any_grade4)}",
    ]
    if t.diarrhoea_or_stomatitis is not None:
        out.append(f"Diarrhoea or stomatitis with the low counts: {yn(t.diarrhoea_or_stomatitis)}")
    return out


def dose_may_be_given(d: NextCycleDecision, assessment: Assessment | None) -> bool:
    """Whether a dose, volumes and draw-up amounts may be printed for the cycle: the gate is go and
    the dose is decided. The first cycle follows the consult's own decision state as well."""
    if d.gate != "go":
        return False
    if d.action == "first_cycle":
        return assessment is not None and decision_state(assessment).dose_may_be_given
    return d.action in ("no_change", "reduce") and d.mg is not None and d.mg_per_m2 is not None


def cycle_dose(d: NextCycleDecision, assessment: Assessment | None) -> tuple[float | None, float | None]:
    """(mg/m², mg) of the cycle from the decision, the mg being the dose to give: the rounded dose when
    the clinic's rounding policy rounded it. The first cycle takes the assessment's mg/m² on the
    day's BSA (rounded as the core rounds the next-cycle mg)."""
    if d.action == "first_cycle":
        m2 = assessment.dose.mg_per_m2 if assessment is not None else None
        if m2 is None or d.bsa_used_m2 is None:
            return m2, None
        return m2, round(m2 * d.bsa_used_m2, 1)
    if d.rounding is not None and d.rounding.applied:
        return d.mg_per_m2, d.rounding.mg  # the clinic's rounding: the rounded dose is the order
    return d.mg_per_m2, d.mg


def dose_words(d: NextCycleDecision, assessment: Assessment | None = None, numbers: bool = True) -> str:
    """The dose change in words; ``numbers=False`` leaves every mg/m² out (a held sheet prints none)."""
    cur = d.current_mg_per_m2
    if not numbers:
        return {"reduce": f"Reduce 20% from the last dose ({d.reductions} reduction{'s' if d.reductions != 1 else ''}"
                          " in this course); the dose is printed once the cycle may start",
                "no_change": "No change from the last dose; the dose is printed once the cycle may start",
                "first_cycle": "First cycle: the starting dose of the assessment, printed once the cycle may start",
                }.get(d.action) or dose_words(d, assessment)
    if d.action == "discontinue":
        return "Discontinue ixabepilone"
    if d.action == "unknown":
        return "Dose not decided: information is missing"
    if d.action == "first_cycle":
        m2, _ = cycle_dose(d, assessment)
        return "First cycle: the starting dose of the assessment" + (f" ({fmt_num(m2)} mg/m²)" if m2 else "")
    if d.action == "reduce":
        n = d.reductions
        return (f"Reduce 20%: {fmt_num(cur)} → {fmt_num(d.mg_per_m2)} mg/m² "
                f"({n} reduction{'s' if n != 1 else ''} in this course)")
    if d.mg_per_m2 is not None and cur is not None and d.mg_per_m2 != cur:
        return f"Changed: {fmt_num(cur)} → {fmt_num(d.mg_per_m2)} mg/m²"
    return f"No change: {fmt_num(d.mg_per_m2)} mg/m²"


def mg_words(d: NextCycleDecision, assessment: Assessment | None) -> str:
    m2, mg = cycle_dose(d, assessment)
    if not dose_may_be_given(d, assessment):
        return {"hold": "No dose: the cycle is on hold", "unknown": "No dose: the gate is not decided"}.get(
            d.gate, "No dose: " + dose_words(d, assessment).lower())
    if m2 is None or mg is None or d.bsa_used_m2 is None:
        return "not computed (weight or height missing)"
    capped = f" (BSA {bsa_text(d.bsa_m2)} m², capped)" if d.bsa_capped and d.bsa_m2 is not None else ""
    r = d.rounding
    if r is not None and r.applied and r.mg != r.unrounded_mg:
        return (f"{fmt_num(m2)} mg/m² × {bsa_text(d.bsa_used_m2)} m²{capped} = {fmt_num(r.unrounded_mg)} mg, "
                f"rounded to {fmt_num(r.mg)} mg ({signed(r.deviation_percent, 2)}%)")
    return f"{fmt_num(m2)} mg/m² × {bsa_text(d.bsa_used_m2)} m²{capped} = {fmt_num(mg)} mg"


def _cape_status(c: CapecitabineHold) -> str:
    if c.state == "met":
        return {"met": "HOLD applies; resume today (count above the threshold)",
                "not_met": "HOLD capecitabine (count not above the threshold today)",
                "unknown": "HOLD applies; today's count not recorded"}[c.resume]
    return "Not triggered" if c.state == "not_met" else "Not decided (information missing)"


def _gate_value(check: str, value: float | None) -> str:
    if value is None:
        return NOT_RECORDED
    return f"grade {value:g}" if check == "nonhematologic" else f"{fmt_num(round(value))}/mm³"


def date_ahead_words(x: DateAhead) -> str:
    """'Cycle 2, date given 16 Dec 2026: after the as-of date 3 Dec 2026 (Course, cycles given, line 2:
    date given); check the date, or the as-of date'."""
    cycle = f"Cycle {x.cycle}, " if x.cycle is not None else ""
    return (f"{cycle}{x.what} {fmt_date(x.on)}: after the as-of date {fmt_date(x.as_of)} "
            f"({field_words(x.field)}); check the date, or the as-of date")


def summarise(consult: Consult, d: NextCycleDecision, assessment: Assessment | None) -> NextCycleSummary:
    nc = consult.course.next_cycle if consult.course else None
    labs_date = nc.labs.date if nc else None
    labs_time = nc.labs_time if nc else None
    when = fmt_date(labs_date) if labs_date else NOT_RECORDED
    if labs_date and labs_time:
        when += f" {labs_time.strftime('%H:%M')}"
    elif labs_date:
        when += " (time not recorded)"
    met = [r for r in d.rows if r.state == "met" and r.effect != "no_change"] or \
        [r for r in d.rows if r.state == "met"]
    changed = [f"{r.toxicity}: {r.action}" for r in met]
    # a hold not triggered in one short line; one that applies or cannot be decided with its full rule
    cape = [f"Not triggered: the capecitabine hold for low {c.lab}" if c.state == "not_met" else
            _cape_status(c) + ": " + c.text + (f" {UNVERIFIED_MARK}" if c.confidence == "unverified" else "")
            for c in d.capecitabine]
    gate_lines = [GateLine(label=g.label, threshold=g.threshold, value=_gate_value(g.check, g.value), state=g.state)
                  for g in d.gate_checks]
    gate_text = GATE_WORDS[d.gate]
    checks: list[str] = []
    if d.liver is not None:
        liver = d.liver
        check = liver_words.check_words(liver)
        gate_lines.append(GateLine(
            label=liver_words.LIVER_LABEL, threshold=liver_words.threshold_words(liver),
            value=liver_words.value_words(liver), state=liver_words.gate_state(liver),
            note=liver_words.contraindication_words(liver) if liver.holds else
            ("check before giving" if check else "")))
        if check:
            checks.append(check)
            if d.gate == "go":  # never an unqualified Go beside liver tests not drawn
                gate_text += " (counts, toxicity); check the liver tests: not drawn"
    return NextCycleSummary(
        cycle=f"Cycle {d.cycle_number}" if d.cycle_number else "Next cycle", date=fmt_date(d.cycle_date),
        gate=d.gate, gate_text=gate_text, gate_lines=gate_lines, checks=checks,
        date_warnings=[date_ahead_words(x) for x in d.dates_ahead],
        labs_when=when, action=d.action, dose_text=dose_words(d, assessment),
        dose_shown=dose_may_be_given(d, assessment), mg_text=mg_words(d, assessment),
        rule_text=d.rule_text or "", toxicities=toxicity_lines(nc.toxicity) if nc else [],
        changed_by=changed, capecitabine=cape, basis=list(d.basis), notes=list(d.notes),
        missing=[m.label for m in d.missing], unverified=list(dict.fromkeys(d.unverified)),
        weight_text=weight_words(d.weight_check)[0], weight_flag=weight_words(d.weight_check)[1],
        rounding_text=rounding_words(d.rounding) if dose_may_be_given(d, assessment) else "",
        recurrence_text=recurrence_words(d), cumulative_text=cumulative_words(d.cumulative),
    )


def build_course_history(consult: Consult, criteria: Criteria, as_of: date,
                         assessment: Assessment | None = None, policy: CoursePolicy | None = None) -> CourseHistory | None:
    """None when the consult has no course (the reports then print nothing of it). ``policy``: the
    clinic's weight threshold and dose rounding, read by the caller (the window, the CLI)."""
    if consult.course is None:
        return None
    d = assess_next_cycle(consult, criteria, as_of, policy)
    nxt = summarise(consult, d, assessment) if d is not None and consult.course.next_cycle is not None else None
    return CourseHistory(rows=cycle_rows(consult, d), next=nxt,
                         cumulative_text=cumulative_words(d.cumulative) if d is not None else "")


# --- the patient's sheet for the next visit -------------------------------------------------

# Why the dose changed, in plain words, by the dose-modification row that applied (keyed by row id,
# the words are the patient's; the row's own wording stays on the clinician's and nurse's sheets).
_REASON_WORDS: dict[str, str] = {
    "mod.neutrophils_500_7d": "your white blood cells were very low for a week or more",
    "mod.febrile_neutropenia": "you had a fever while your white blood cells were low",
    "mod.platelets": "your platelets (the cells that stop bleeding) were very low",
    "mod.neuropathy_g2_7d": "you had numbness or tingling for a week or more",
    "mod.neuropathy_g3_lt7d": "you had strong numbness or tingling",
    "mod.neuropathy_g3_7d": "you had strong numbness or tingling for a week or more",
    "mod.other_g3": "you had a strong side effect",
    "mod.grade4": "you had a very strong side effect",
}


def _weight_words(consult: Consult, d: NextCycleDecision,
                  assessment: Assessment | None) -> tuple[list[str], bool, bool]:
    """(sentences, known, changed): the day's weight against the last cycle's, in plain words, and
    for a dose that stays the same per body size whether the amount of drug goes down or up with it
    (the mg the sheet never prints). ``known``: both weights are recorded; ``changed``: they differ.
    Past a clinic threshold the flag's own sentence says it (the doctor checks the dose); nothing
    here claims a flag."""
    w = d.weight_check
    if (w is None or w.weight_kg is None or w.reference_kg is None
            or not (w.reference_field or "").startswith("course.cycles_given")):
        return [], False, False
    changed = w.weight_kg != w.reference_kg
    if not changed or w.state == "met" or d.action == "discontinue":
        return [], True, changed
    way = "down" if w.weight_kg < w.reference_kg else "up"
    out = [f"Your weight went {way} since your last cycle, from {fmt_num(w.reference_kg)} kg to "
           f"{fmt_num(w.weight_kg)} kg."]
    if d.action == "no_change" and d.mg_per_m2 == d.current_mg_per_m2:
        last = consult.course.cycles_given[-1].ixabepilone_mg if consult.course and consult.course.cycles_given else None
        _m2, mg = cycle_dose(d, assessment)
        if last is not None and mg is not None:
            out.append("So you will get " + ("less" if mg < last else "more") + " of the drug than last time."
                       if mg != last else "The amount of drug stays the same as last time.")
    return out, True, True


def _may_give_drip(d: NextCycleDecision) -> bool:
    """A visit that may give the drip: not a held cycle, not a stop."""
    return d.action != "discontinue" and d.gate != "hold"


def _visit_sections(consult: Consult, d: NextCycleDecision, criteria: Criteria,
                    assessment: Assessment | None = None) -> list[Section]:
    when = fmt_date(d.cycle_date, long=True) if consult.course and consult.course.next_cycle and \
        consult.course.next_cycle.planned_date else "the date your team gives you"
    n = d.cycle_number
    visit = [f"Your next visit is on {when}." + (f" It is for cycle {n} of your treatment." if n else ""),
             "Each treatment is called a cycle. We check your blood before each cycle."]
    if _may_give_drip(d):  # how long the visit takes (the ride home follows the urgent list)
        visit += visit_paragraphs(consult.plan.regimen, criteria)
    checks = ["A blood test. We count your white blood cells and your platelets. They must be high enough to go ahead.",
              "We ask how you felt since the last time. Tell us about any numbness, tingling, pain or tiredness.",
              "We weigh you. Your dose is worked out from your height and weight."]
    if consult.plan.regimen == "with_capecitabine":
        checks.append("We ask about loose stools and mouth sores. Bring your tablets with you.")
    weight, weight_known, weight_changed = _weight_words(consult, d, assessment)
    reasons = list(dict.fromkeys(_REASON_WORDS[r.id] for r in d.rows
                                 if r.state == "met" and r.id in _REASON_WORDS))
    because = (" This is because " + " and ".join(reasons) + ".") if reasons else ""
    if d.action == "reduce" and d.recurrence == "met":
        dose = [f"Your dose will be lower again this time.{because}",
                "The same side effect came back after your dose was lowered before. "
                "Lowering it once more is the usual step."]
    elif d.action == "reduce":
        dose = [f"Your dose will be lower this time.{because}",
                "This is the usual step after a side effect like this."]
    elif d.action == "discontinue":
        dose = [f"Your doctor will talk with you about stopping this drug.{because}",
                "Your team will talk with you about what comes next."]
    elif d.action == "no_change":
        dose = ["Your dose stays the same as last time."]
        if d.mg_per_m2 is not None and d.current_mg_per_m2 is not None and d.mg_per_m2 > d.current_mg_per_m2:
            dose = ["Your dose goes back up to what it was before."]
        elif weight_changed:  # the same per body size, never "the same" beside a weight that changed it
            dose = ["Your dose for your body size stays the same as last time."]
    elif d.action == "first_cycle":
        dose = ["This is your first cycle. Your team has worked out your dose."]
    else:
        dose = ["Your team will decide your dose at the visit, once they have all your results."]
    if d.weight_check is not None and d.weight_check.state == "met":
        dose.append("Your weight has changed since your last cycle. Your doctor will check your dose for your "
                    "weight today.")
    elif weight_known:  # what happened, from the two weights recorded
        dose += weight
    else:
        dose.append("If your weight has changed, the dose may change a little too.")
    if d.gate == "hold":
        dose.append("Your last blood test or side effects mean your team may wait before the next cycle. "
                    "They will tell you what to do.")
    return [Section(heading="Your next visit", paragraphs=visit),
            Section(heading="What we will check", bullets=checks),
            Section(heading="Your dose", paragraphs=dose)]


def build_next_visit_report(consult: Consult, assessment: Assessment, criteria: Criteria, settings: ReportSettings,
                            printed_on: date, show_record_number: bool = False,
                            policy: CoursePolicy | None = None) -> PatientReport:
    """The patient's sheet for the next visit: the date, what will be checked, what changed in the
    dose and why, in plain words; drawn by the patient sheet's renderer."""
    from ixdesk.core.consult import Course
    from ixdesk.present.patient import _questions, _urgent

    course_consult = consult if consult.course is not None else consult.model_copy(update={"course": Course()})
    d = assess_next_cycle(course_consult, criteria, printed_on, policy)
    assert d is not None
    name = (consult.patient.name or "").strip()
    record = (consult.patient.record_number or "").strip() if show_record_number else ""
    title = "Your next treatment visit"
    meta = make_meta("patient", title, "Next visit: ixabepilone (Ixempra)", name, consult, assessment,
                     criteria, printed_on)
    clinic = Clinic.from_settings(settings)
    body = _visit_sections(course_consult, d, criteria, assessment)
    # the ride home in the treatment sheet's words; after the urgent list, which stays on page 1
    bring = [Section(heading="What to bring", bullets=[TAKE_HOME])] if _may_give_drip(d) else []
    sections = body + [_urgent(criteria, clinic)] + bring + [_questions("planned")]
    return PatientReport(
        meta=meta, sheet="planned", title=title, name=name, record_number=record or None,
        date_text=fmt_date(printed_on, long=True), clinic=clinic, sections=sections,
        notes_heading="My notes and questions", urgent_number=clinic.call_number,
    )


__all__ = ["THRESHOLD_NOT_SET", "date_ahead_words", "signed", "amendment_words", "anthracycline_attestation_words", "anthracycline_block",
           "anthracycline_regimen_words",
           "anthracycline_words", "cumulative_words", "cycle_rows", "recurrence_words", "rounding_words", "weight_words",
           "CourseHistory", "build_next_visit_report", "CycleRow", "GATE_WORDS", "GateLine", "NextCycleSummary", "build_course_history",
           "cycle_dose", "cycle_row", "dose_may_be_given", "dose_words", "mg_words", "summarise", "toxicity_lines"]
