"""The clinician consult summary as data: built from consult + assessment + criteria, then drawn.

Every line states what the assessment found and on what it rests (the patient's values, the rule's
source); wording supports the prescriber's judgement ("meets label indication ...") and never
decides for them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date

from ixdesk.core.assessment import Assessment, Condition, Finding
from ixdesk.core.consult import Consult
from ixdesk.core.criteria import Criteria, FindingRef
from ixdesk.core.dosing import bsa_text, compute_dose
from ixdesk.core.medications import check_class, classify
from ixdesk.core.resistance import cached_source
from ixdesk.core.course_policy import CoursePolicy
from ixdesk.present.course_dose import STARTING_DOSE, course_dose
from ixdesk.present.course_history import (
    CourseHistory, anthracycline_block, anthracycline_regimen_words, build_course_history,
)
from ixdesk.present.decision import DecisionState, decision_state
from ixdesk.present.overrides import OverrideView, hold_note, override_views
from ixdesk.present.report_base import (
    NOT_RECORDED, STATE_TEXT, Clinic, Data, Meta, PatientId, cond_leaves, count_text, fmt_date, lab_short, fmt_num, fmt_source, join_nonempty,
    make_meta, mark, plan_text, PremedRow, premedication_rows,
)
from ixdesk.present.findings import indication_name, value_text
from ixdesk.present.formats import fmt_parts
from ixdesk.present.settings import ReportSettings
from ixdesk.present.sections import gilbert_note
from ixdesk.present.verdict import HELD_MG, build_verdict, held_rate
from ixdesk.present.words import formula_name

GROUP_ORDER = (("indication", "FDA label"), ("pathway", "NCCN pathways"), ("payer", "Payer policies"))


class KeyPoint(Data):
    """One line of "At a glance"; ``tone`` is its colour's meaning (block / warn / ok / unknown / info)."""

    text: str
    tone: str
    unverified: bool = False


class ConditionLine(Data):
    """One first-level step of a rule: ``text`` may hold inline ✓/✗/? marks for nested steps."""

    depth: int
    text: str
    state: str


class FindingRow(Data):
    id: str
    kind: str
    group: str
    title: str
    state: str  # met / not_met / unknown
    state_text: str
    severity: str
    summary: str
    statement: str
    values: list[str]  # every value the rule used ("label: value"), deduplicated
    key_values: list[str]  # those not already printed in the header, disease/labs or history tables
    missing: list[str]
    conditions: list[ConditionLine]  # first-level steps (values left to key_values)
    composite: bool  # the rule only combines other findings (payer overall, indication A-F)
    source: str
    confidence: str
    unverified: bool
    unverified_basis: list[str]  # unverified items a met / not met result rests on
    for_plan: bool | None
    holds: bool  # for exclusions / warnings: the condition is met
    present: bool = False  # the condition holds, for this plan or another (a pathway that would be met)
    other_plan: str | None = None  # Finding.other_plan: met / unknown for a plan not under discussion
    contraindicated: list[str] = []  # a pathway that would be met: ids of that plan's contraindications that hold
    # the one missing input is what the rule's title names ("Pregnancy" missing "pregnant"): printed
    # as "not recorded", never "Pregnancy — missing: pregnant"
    missing_is_subject: bool = False
    # a clinician's override beside the computed result: "Computed: not met · Overridden by Dr X, …"
    override: str = ""
    override_stale: bool = False

    @property
    def tone(self) -> str:
        """The colour's meaning: for a safety rule, a condition present is bad news (red) and one ruled
        out good news (green), the reverse of an indication's met / not met."""
        if self.other_plan == "unknown" or self.contraindicated:
            return "unknown"
        if self.kind not in ("exclusion", "warning"):
            return "met" if self.present else self.state
        if self.state == "unknown" and not self.present:
            return self.state
        return "not_met" if self.present else "met"


class FindingGroup(Data):
    kind: str  # the finding kind the group holds (indication / pathway / payer)
    heading: str  # "FDA label"
    subgroups: list[tuple[str, list[FindingRow]]]  # rules for the plan under discussion (or every plan if unknown)
    other_plans: list[FindingRow]  # rules that concern another regimen: one line each


class ResistanceStep(Data):
    drug_class: str
    result: str
    text: str
    unverified: bool


class RegimenRow(Data):
    note: str | None = None
    number: int
    agents: str
    setting: str
    dates: str
    outcome: str
    resistance: list[ResistanceStep]
    anthracycline: str = ""  # its anthracyclines' cumulative doses as recorded (beside the attestation's rows)


class ClassSummary(Data):
    label: str
    result: str
    summary: str


class LineRow(Data):
    label: str
    value: str
    detail: str
    unverified: bool


class DoseLine(Data):
    label: str
    value: str
    unverified: bool = False



class TextItem(Data):
    text: str
    unverified: bool = False


class OverrideItem(Data):
    """One override for the report's own list: the finding's title and the override line."""

    title: str
    text: str
    stale: bool
    contraindication: bool


class ClinicianReport(Data):
    meta: Meta
    state: str  # the decision state kind
    verdict: str  # the first line: the verdict in one sentence
    key_points: list[KeyPoint]  # "At a glance", in order, after the red boxes of the contraindications
    glance_dose: str  # the dose if the hold resolves, with its condition stated
    dose_heading: str = "Proposed dose"  # says "on hold" / "not decided" when the dose is not an order
    clinic: Clinic
    patient: PatientId
    consult_date: str
    as_of: str
    prescriber: str
    plan: str | None
    question: str
    disease: list[tuple[str, str]]
    regimens: list[RegimenRow]
    no_prior_therapy: bool  # stated by the clinician; an empty list without it means "not recorded"
    class_summaries: list[ClassSummary]
    resistance_sources: list[str]
    lines: list[LineRow]
    criteria_groups: list[FindingGroup]
    blocking: list[FindingRow]
    warnings: list[FindingRow]
    exclusions_clear: list[FindingRow]  # exclusions / warnings not met or unknown
    # exclusions / warnings of another regimen (or of one, with no plan recorded) whose condition
    # holds: not blocking this plan, but never to be read as "not present"
    other_plan_present: list[FindingRow] = []
    dose_state: str
    dose_summary: str
    dose_lines: list[DoseLine]
    dose_notes: list[TextItem]
    premedication: list[PremedRow]
    premedication_source: str
    monitoring: list[TextItem]
    cycle_start: TextItem
    dose_modifications: list[tuple[str, str]]
    dose_modifications_source: str
    missing: list[str]
    missing_line: str  # 'At a glance': how many items are missing, and how they relate to the headline's
    data_notes: list[str]
    notes: str | None
    criteria_mismatch: str | None
    sources: list[tuple[str, str]]  # document id -> "title (version)"
    overrides: list[OverrideItem] = []  # every override in the consult, stale ones and orphans included
    # (field, source) of the values imported from FHIR (ixdesk.present.imported); empty when typed
    imported_sources: list[tuple[str, str]] = []
    # the treatment course: cycles given and the next-cycle decision (None: the consult has no course)
    course: CourseHistory | None = None
    # the anthracycline attestation with the recorded cumulative exposure beside it (never deciding it)
    anthracycline: list[str] = []

    def all_text(self) -> str:
        """Everything printable, for tests that look for a phrase regardless of layout."""
        return self.model_dump_json()


# --- building ------------------------------------------------------------------------------

MARKS = {"met": "✓", "not_met": "✗", "unknown": "?"}
_COMBINATORS = ("all of", "any of", "none of")
_SHORT = re.compile(r"^((?:[A-Z]|[IVX]{1,4})\.)\s")
# Values printed in the header, disease/labs and history tables: not repeated beside each rule.
SHOWN_ELSEWHERE = ("disease.", "labs.", "plan.regimen", "regimens", "history.neuropathy_grade")


# What a referenced finding says for another plan, beside its mark for this plan in a composite line
ELSEWHERE_WORDS = {"met": "would be met, other plan", "unknown": "unknown, other plan"}


def elsewhere(findings: Iterable[Finding]) -> dict[str, str]:
    """Finding id -> what it says for another plan, for the findings whose result for this plan
    (✗) would read as a contradiction of their row ("Would be met", "Unknown, other plan")."""
    return {f.id: ELSEWHERE_WORDS[o] for f in findings if (o := f.other_plan) is not None}


def _inline(c: Condition, short: bool, others: dict[str, str] | None = None) -> str:
    """A step without its values (they have their own column): the condition's ``label``."""
    if c.label in _COMBINATORS and c.children:
        return f"{MARKS[c.state]} {c.label}: " + ", ".join(_inline(k, short, others) for k in c.children)
    text = c.label
    if short:
        m = _SHORT.match(text)
        text = m.group(1).rstrip(".") if m else text
    if others and c.ref in others:
        text += f" ({others[c.ref]})"
    return f"{MARKS[c.state]} {text}"


def _steps(f: Finding, composite: bool, others: dict[str, str] | None = None) -> list[ConditionLine]:
    """The rule's first-level steps; a composite rule's referenced results on one line, each
    marked for this plan, with what it says for another plan where that differs (``others``)."""
    conds = list(f.conditions)
    if len(conds) == 1 and conds[0].label == "all of" and conds[0].children:
        conds = list(conds[0].children)
    if composite:
        return [ConditionLine(depth=0, text=" · ".join(_inline(c, True, others) for c in conds), state=f.state)]
    out = []
    for c in conds:
        text = _inline(c, False)[2:]  # the line's own mark is drawn by the renderer
        out.append(ConditionLine(depth=0, text=text, state=c.state))
    return out


def _is_composite(criteria: Criteria | None, finding_id: str) -> bool:
    if criteria is None:
        return False
    try:
        rule = criteria.rule(finding_id)
    except KeyError:
        return False
    leaves = cond_leaves(rule.when)
    return bool(leaves) and all(isinstance(x, FindingRef) for x in leaves)


def finding_row(f: Finding, criteria: Criteria | None = None, others: dict[str, str] | None = None) -> FindingRow:
    """``others``: :func:`elsewhere` of the assessment, for a composite rule's line."""
    holds = f.state == "met"
    other = f.other_plan
    if f.kind in ("exclusion", "warning") and other == "met":
        state_text = "Present, other plan" if f.applies_to_plan is False else "Present"
    elif other == "unknown":
        state_text = "Unknown, other plan"
    elif f.kind in ("exclusion", "warning"):
        state_text = {"met": "Applies", "not_met": "Not present", "unknown": "Unknown"}[f.state]
    elif other == "met":  # a pathway of another regimen
        state_text = "Would be met"
    else:
        state_text = STATE_TEXT[f.state]
    composite = _is_composite(criteria, f.id)
    values = list(dict.fromkeys(f"{v.label}: {value_text(v)}" for v in f.values))
    key = [] if composite else list(dict.fromkeys(
        f"{v.label}: {value_text(v)}" for v in f.values if not v.field.startswith(SHOWN_ELSEWHERE)))
    return FindingRow(
        id=f.id, kind=f.kind, group=f.group, title=f.title, state=f.state, state_text=state_text,
        severity=f.severity, summary=f.summary, statement=f.statement, values=values, key_values=key,
        missing=list(dict.fromkeys(m.label for m in f.missing)), conditions=_steps(f, composite, others),
        composite=composite, source=fmt_source(f.source), confidence=f.confidence,
        unverified=f.confidence == "unverified", unverified_basis=list(f.unverified_basis),
        for_plan=f.applies_to_plan, holds=holds, present=holds or other == "met", other_plan=other,
        contraindicated=list(f.contraindicated_by),
        missing_is_subject=len(f.missing) == 1 and f.missing[0].label[:6].lower() in f.title.lower(),
    )


def _with_override(row: FindingRow, views: dict[str, OverrideView] | None) -> FindingRow:
    v = (views or {}).get(row.id)
    return row if v is None else row.model_copy(update={"override": v.line, "override_stale": v.stale})


def _groups(assessment: Assessment, criteria: Criteria,
            views: dict[str, OverrideView] | None = None) -> list[FindingGroup]:
    out: list[FindingGroup] = []
    for_other_plans = elsewhere(assessment.findings)
    for kind, heading in GROUP_ORDER:
        if kind == "pathway":
            heading = _pathway_heading(assessment, criteria)
        rows = [_with_override(finding_row(f, criteria, for_other_plans), views) for f in assessment.findings
                if f.kind == kind]
        subgroups: dict[str, list[FindingRow]] = {}
        for r in rows:
            if r.for_plan is not False:
                subgroups.setdefault(r.group, []).append(r)
        out.append(FindingGroup(kind=kind, heading=heading, subgroups=list(subgroups.items()),
                                other_plans=[r for r in rows if r.for_plan is False]))
    return out


def _regimens(consult: Consult, assessment: Assessment) -> list[RegimenRow]:
    steps: dict[int, list[ResistanceStep]] = {}
    for cls in assessment.resistance:
        for rr in cls.regimens:
            reason = fmt_parts(rr.reason_parts)
            parts = [reason]
            if rr.elapsed and rr.elapsed not in reason and rr.window_setting != "on_therapy":
                parts.append(f"elapsed {rr.elapsed}")
            if rr.window and rr.window not in reason:
                parts.append(f"window {rr.window}" + (f", ends {fmt_date(rr.window_end)}" if rr.window_end else ""))
            if rr.missing:
                parts.append("missing: " + ", ".join(m.label for m in rr.missing))
            steps.setdefault(rr.regimen_index, []).append(ResistanceStep(
                drug_class=cls.label, result=rr.result.replace("_", " "), text="; ".join(parts),
                unverified=rr.confidence == "unverified"))
    rows: list[RegimenRow] = []
    for i, reg in enumerate(consult.regimens):
        # each date unbroken ("10 Jan 2022 – 14 / Mar 2022" once wrapped mid-date): lines break at the dash
        dates = f"{_nb(fmt_date(reg.start_date))} – " + ("ongoing" if reg.ongoing else _nb(fmt_date(reg.last_dose_date)))
        dates += "".join(f"; {a.agent} to {_nb(fmt_date(a.last_dose_date))}" for a in reg.agent_last_doses)  # stopped earlier
        prog = reg.has_progressed
        outcome = join_nonempty([
            ("progression " + fmt_date(reg.progression_date) if reg.progression_date else
             {True: "progressed (date not recorded)", False: "no progression", None: "progression not recorded"}[prog]),
            f"best response: {reg.best_response.replace('_', ' ')}" if reg.best_response else None,
            f"stopped: {reg.stop_reason}" + (f" (grade {reg.hypersensitivity_grade})" if reg.hypersensitivity_grade else "")
            if reg.stop_reason else None,
        ], "; ")
        rows.append(RegimenRow(number=i + 1, agents=" + ".join(reg.agents), setting=reg.setting or NOT_RECORDED,
                               dates=dates, outcome=outcome, resistance=steps.get(i, []),
                               note=(reg.note or "").strip() or None))
    return rows


def _nb(text: str) -> str:
    """A date that never wraps inside itself (no-break spaces)."""
    return text.replace(" ", "\u00a0")


def _count_label(count: str, label: str) -> str:
    """'1 prior metastatic line', not '1 prior metastatic lines': the label agrees with its count."""
    return label.replace("lines", "line", 1) if count.strip() == "1" else label


def _disease(consult: Consult) -> list[tuple[str, str]]:
    d = consult.disease
    her2 = d.her2_status
    her2_detail = join_nonempty([f"IHC {d.her2_ihc}" if d.her2_ihc else None,
                                 f"ISH {d.her2_ish.replace('_', ' ')}" if d.her2_ish else None], ", ")
    yn = {True: "yes", False: "no", None: NOT_RECORDED}
    return [
        ("Extent", (d.extent or NOT_RECORDED).replace("_", " ")),
        ("ER / PR", f"{d.er or NOT_RECORDED} / {d.pr or NOT_RECORDED}"),
        ("HER2", (her2 or "not determined") + (f" ({her2_detail})" if her2_detail else "")),
        ("PD-L1 CPS", fmt_num(d.pdl1_cps)),
        ("Germline BRCA1/2", (d.germline_brca or NOT_RECORDED).replace("_", " ")),
        ("Visceral crisis / endocrine-refractory", f"{yn[d.visceral_crisis]} / {yn[d.endocrine_refractory]}"),
        ("ECOG / neuropathy grade", f"{fmt_num(consult.history.ecog)} / {fmt_num(consult.history.neuropathy_grade)}"),
        ("Labs drawn", fmt_date(consult.labs.date)),
        ("Neutrophils / platelets", f"{count_text(consult.labs.neutrophils)} / {count_text(consult.labs.platelets)}"),
        ("AST / ALT", f"{lab_short(consult.labs.ast)} / {lab_short(consult.labs.alt)}"),
        ("Bilirubin", lab_short(consult.labs.bilirubin)),
    ]


def _dose(consult: Consult, assessment: Assessment, criteria: Criteria,
          if_resolves: str = "") -> tuple[list[DoseLine], list[TextItem]]:
    """The dose section's lines. ``if_resolves``: the consult is on hold, and this is the dose if
    the hold resolves, with its condition (:func:`glance_dose`); no mg, vials, waste, billing units
    or capecitabine mg are printed then, as if an order."""
    d = assessment.dose
    dosing = criteria.dosing
    lines: list[DoseLine] = []
    add = lambda label, value, unv=False: lines.append(DoseLine(label=label, value=value, unverified=unv))  # noqa: E731
    unit = lambda x, u: f"{fmt_num(x)} {u}" if x is not None else NOT_RECORDED  # noqa: E731 (never "not recorded kg")
    add("Height / weight", f"{unit(d.height_cm, 'cm')} / {unit(d.weight_kg, 'kg')}")
    formula = dosing.bsa.formulas.get(d.bsa_formula, "")
    add("BSA", (f"{bsa_text(d.bsa_m2)} m² ({formula_name(d.bsa_formula)}: {formula}; to 4 decimals, as the dose uses it)" if d.bsa_m2 is not None
                else f"{NOT_RECORDED} ({formula_name(d.bsa_formula)})"))
    if d.bsa_m2 is not None:
        add("BSA used", f"{bsa_text(d.bsa_used_m2 or d.bsa_m2)} m²" + (f" (capped: BSA above {fmt_num(dosing.bsa.cap_m2)} m² is dosed as "
                                                    f"{fmt_num(dosing.bsa.cap_m2)} m²)" if d.bsa_capped else " (no cap needed)"))
    add("Standard dose", f"{fmt_num(d.standard_mg_per_m2)} mg/m² IV over {fmt_num(d.infusion_hours)} hours every "
                         f"{d.cycle_days} days")
    if d.hepatic_row:
        add("Hepatic table row", d.hepatic_row)
        bili = consult.labs.bilirubin
        gilbert = gilbert_note(criteria, d, bili.x_uln if bili is not None else None)
        if gilbert:
            add("Gilbert's syndrome", gilbert.removesuffix(" [unverified]"),
                criteria.dosing.hepatic.gilbert is not None and criteria.dosing.hepatic.gilbert.confidence == "unverified")
    for a in d.adjustments:
        add("Adjustment", a)
    unless, if_inh = d.mg_per_m2_unless_strong_inhibitor, d.mg_per_m2_if_strong_inhibitor
    if unless is not None and if_inh is not None:  # an unrecognised medication decides between two doses
        meds = "; ".join(d.unrecognised_medications) or "a current medication (not recorded)"
        add("Dose per m²", f"{fmt_num(unless)} mg/m² unless {meds} is a strong CYP3A4 inhibitor (then {fmt_num(if_inh)} mg/m²)")
    elif if_resolves:  # on hold: the mg/m² with its condition, and no mg (as capecitabine's line)
        add("Dose per m²", f"once the hold resolves: {if_resolves}")
    else:
        add("Dose per m²", f"{fmt_num(d.mg_per_m2)} mg/m²" if d.mg_per_m2 is not None else NOT_RECORDED if d.state == "unknown"
            else "not recommended")
    if if_resolves:
        add("Dose", f"None while on hold: {HELD_MG}")
    elif d.dose_mg is not None and d.bsa_used_m2 is not None and d.mg_per_m2 is not None:
        add("Dose", _dose_text(d.mg_per_m2, d.bsa_used_m2, d.dose_mg) + " (rounded to 0.1 mg)")
    elif d.dose_mg_unless_strong_inhibitor is not None and d.dose_mg_if_strong_inhibitor is not None:
        add("Dose", f"not computed: {d.dose_mg_unless_strong_inhibitor:g} mg, or {d.dose_mg_if_strong_inhibitor:g} mg if "
                    "a medication not recognised is a strong CYP3A4 inhibitor (check for CYP3A4 interaction)")
    else:
        add("Dose", "not computed")
    if d.vials and not if_resolves:
        add("Vials", " + ".join(f"{v.count} × {fmt_num(v.size_mg)} mg" for v in d.vials) +
            (f" = {fmt_num(d.vial_total_mg)} mg (waste {d.vial_total_mg - d.dose_mg:g} mg)"
             if d.vial_total_mg is not None and d.dose_mg is not None else ""))
    if d.hcpcs_units is not None and not if_resolves:
        cap = dosing.billing.units_cap_per_cycle
        over = " — above the usual payer cap" if d.hcpcs_units > cap else ""
        add("Billing", f"{d.hcpcs_code}: {d.hcpcs_units} units ({fmt_num(dosing.billing.mg_per_unit)} mg per unit; "
                       f"{dosing.billing.cap_note}){over}", dosing.billing.confidence == "unverified")
    dx = dosing.billing.diagnosis
    if dx is not None:
        er = consult.disease.er
        # codes only (the clinician knows C50); the ER code is the one the consult records
        codes = [c.code + (f" ({'ER+' if c.er == 'positive' else 'ER-'})" if c.er else "")
                 for c in dx.codes if c.er is None or er is None or c.er == er]
        add("ICD-10", "Payer 003 lists " + ", ".join(codes) + (" — ER status not recorded" if er is None else "") +
            f". {dx.note} ({fmt_source(cached_source(dx.source, criteria))})")
    if d.capecitabine is not None and if_resolves:
        c = d.capecitabine
        add("Capecitabine", f"{fmt_num(c.mg_per_m2_per_dose)} mg/m² per dose, {c.schedule}; the mg is printed once "
                            "the hold resolves", dosing.capecitabine.confidence == "unverified")
    elif d.capecitabine is not None:
        c = d.capecitabine
        add("Capecitabine", f"{fmt_num(c.mg_per_m2_per_dose)} mg/m² × {bsa_text(c.bsa_m2)} m² = {fmt_num(c.mg_per_dose)} mg per dose "
                            "(rounded to 1 mg); "
                            f"{c.schedule}", dosing.capecitabine.confidence == "unverified")
    notes = [TextItem(text=n) for n in d.notes]
    notes += [TextItem(text=u, unverified=True) for u in d.unverified]
    if d.missing:
        notes.append(TextItem(text="Missing for the dose: " + ", ".join(m.label for m in d.missing)))
    return lines, notes


def _pathway_heading(assessment: Assessment, criteria: Criteria) -> str:
    """'Payer 003 criteria A–F' when the pathways are a payer's own list (seed 003) citing no NCCN
    version; 'NCCN pathways' only when an NCCN version is cited by the rules' source."""
    rows = [f for f in assessment.findings if f.kind == "pathway"]
    docs = {f.source.document for f in rows}
    if len(docs) != 1:
        return "NCCN pathways"
    doc_id = next(iter(docs))
    doc = criteria.documents.get(doc_id)
    if doc is None or not doc_id.startswith("payer-") or "NCCN" in f"{doc.title} {doc.version}":
        return "NCCN pathways"
    letters = [m.group(1).rstrip(".") for f in rows if (m := _SHORT.match(f.title))]
    span = f" {letters[0]}–{letters[-1]}" if len(letters) > 1 else ""
    return f"Payer {doc_id.removeprefix('payer-')} criteria{span}"


def _dose_text(mg_m2: float, bsa: float, mg: float) -> str:
    return f"{fmt_num(mg_m2)} mg/m² × {bsa_text(bsa)} m² = {mg:g} mg"


def glance_dose(consult: Consult, assessment: Assessment, criteria: Criteria, state: DecisionState,
                policy: CoursePolicy | None = None) -> str:
    """The dose at a glance, with its condition. On hold no mg: the verdict's line (the mg/m² once
    the hold resolves), so the window and the report say the same.

    A strong CYP3A4 inhibitor lowers the dose to 20 mg/m² only if it cannot be avoided (facts sheet
    section 8): the first dose to name is the one once the inhibitor has been stopped for about a
    week, computed here by the core's dose rules without the inhibitor."""
    d = assessment.dose
    if state.kind == "on_hold":  # the verdict's words: the mg/m² once it resolves, never an mg
        return build_verdict(assessment, consult, criteria, policy).dose + "."
    course = course_dose(consult, criteria, assessment, policy)
    if course is not None:  # past cycle 1: the next cycle's dose, the starting dose named as such
        if not course.shown or course.mg is None:
            return f"No dose for {course.cycle_words}: {course.reason}."
        lead = f"Dose for {course.cycle_words}: "
        start = f"; {STARTING_DOSE} {fmt_num(d.dose_mg)} mg" if d.state == "computed" and d.dose_mg is not None else ""
        return f"{lead}{course.calculation}{start}."
    if d.state == "not_recommended":
        return d.summary  # the engine's "No starting dose: ..." as it is
    if d.state != "computed" or d.dose_mg is None or d.mg_per_m2 is None or d.bsa_used_m2 is None:
        return d.summary
    meds = consult.history.medications
    lines = classify(meds or [], criteria) if meds is not None else []
    inhib = check_class(lines, "strong_inhibitor").hits if lines else []
    if inhib:
        alt = compute_dose(consult, criteria, [], check_class(lines, "strong_inducer").hits,
                           prior_reaction=d.prior_reaction,
                           unrecognised=list(dict.fromkeys(u for ln in lines for u in ln.unrecognised)),
                           moderate_inhibitors=check_class(lines, "moderate_inhibitor").hits,
                           moderate_inducers=check_class(lines, "moderate_inducer").hits)
        if (alt.state == "computed" and alt.dose_mg is not None and alt.mg_per_m2 is not None
                and alt.bsa_used_m2 is not None and alt.mg_per_m2 != d.mg_per_m2):
            who = "; ".join(inhib)
            return (f"Dose {_dose_text(alt.mg_per_m2, alt.bsa_used_m2, alt.dose_mg)} once {who} has been "
                    f"stopped for about a week; {_dose_text(d.mg_per_m2, d.bsa_used_m2, d.dose_mg)} only if the "
                    "strong CYP3A4 inhibitor cannot be avoided.")
    return f"Dose: {_dose_text(d.mg_per_m2, d.bsa_used_m2, d.dose_mg)} IV over {fmt_num(d.infusion_hours)} hours every {d.cycle_days} days."


def missing_line(n: int, state: DecisionState) -> str:
    """'At a glance': the count of every missing item, and, when the headline named fewer, that
    those are among them: a reader saw '7 items are needed' at the top and '24 items are missing'
    below with nothing to join the two. (Only that: filling the headline's items need not decide
    every rule the others leave unknown.)"""
    if not n:
        return ""
    line = f"{n} item{'s' if n != 1 else ''} of information {'are' if n != 1 else 'is'} missing (listed at the end)"
    needed = len(state.waiting_for) if state.kind == "not_decided" else 0
    if needed and needed < n:
        line += f", the {'one' if needed == 1 else needed} named at the top among them"
    return line + "."


def verdict(state: DecisionState, plan: str | None) -> str:
    """The first line of the summary: the decision state in one sentence."""
    what = plan_text(plan)
    if state.kind == "ready":
        return f"Ready: {what} meets its FDA label indication and no contraindication holds on the information entered."
    if state.kind == "on_hold":
        why = "; ".join(f.title for f in state.holds) or "the dose rules give no starting dose"
        return f"On hold: {what} should not start while this holds: {why}."
    if state.kind == "not_decided":
        items = ", ".join(m.label for m in state.waiting_for)
        n = len(state.waiting_for)
        return (f"Not decided: {n} item{'s are' if n != 1 else ' is'} needed before {what} can be decided: "
                f"{items}.")
    if state.label is None:
        return (f"Outside the FDA label: {what} is not an FDA label indication; see the payer and pathway criteria "
                "below for what supports it.")
    return (f"Outside the FDA label: the label indication for {what} is not met; see the payer and pathway "
            "criteria below for what supports it.")


def _referenced(criteria: Criteria) -> set[str]:
    """Ids of the rules another rule refers to: a composite rule nobody refers to is a policy's overall result."""
    return {x.finding for r in criteria.rules for x in cond_leaves(r.when) if isinstance(x, FindingRef)}


_LABEL_RESULT = {"met": "met", "not_met": "not met", "unknown": "undetermined"}


def label_point(f: FindingRow) -> str:
    """'FDA label indication met: With capecitabine': the result said once. The lead 'FDA label:'
    before the engine's summary printed 'FDA label: Meets label indication: With capecitabine (label
    indication)'; the rule's title names its kind, which the lead now says, and what it waits for
    follows as in the summary."""
    title = indication_name(f.title)
    missing = f" — missing: {', '.join(f.missing)}" if f.state == "unknown" and f.missing else ""
    return f"FDA label indication {_LABEL_RESULT.get(f.state, f.state_text)}: {title}{missing}"


def key_points(rows: dict[str, FindingRow], groups: list["FindingGroup"], assessment: Assessment,
               plan: str | None, pathway_heading: str, referenced: set[str]) -> list[KeyPoint]:
    """'At a glance' after the red boxes: the label, pathway and payer results for the plan, then the
    warnings. Chosen here, by finding kind, so the renderer only draws."""
    pts: list[KeyPoint] = []
    tone = {"met": "ok", "not_met": "block", "unknown": "unknown"}
    for g in groups:
        found = [f for _, sub in g.subgroups for f in sub]
        if g.kind == "indication":
            pts += [KeyPoint(text=label_point(f), tone=tone[f.state],
                             unverified=f.unverified or bool(f.unverified_basis)) for f in found]
            if not found and plan:
                pts.append(KeyPoint(text=f"FDA label: {plan_text(plan)} is not an FDA label indication "
                                         f"(see {pathway_heading} and payer policies)", tone="warn"))
        elif g.kind == "pathway":
            hits = [f for f in found if f.state != "not_met"]
            for f in hits:
                word = "meets" if f.state == "met" else "unknown:"
                pts.append(KeyPoint(text=f"{pathway_heading}: {word} {f.title}", tone=tone[f.state],
                                    unverified=f.unverified or bool(f.unverified_basis)))
            if found and not hits:
                pts.append(KeyPoint(text=f"{pathway_heading}: none met for this plan", tone="warn"))
        elif g.kind == "payer":
            pts += [KeyPoint(text=f.summary, tone=tone[f.state], unverified=f.unverified or bool(f.unverified_basis))
                    for f in found if f.composite and f.id not in referenced]
    for fid in assessment.warnings:
        if fid in rows:
            pts.append(KeyPoint(text=f"Warning: {rows[fid].title}", tone="warn", unverified=rows[fid].unverified))
    return pts


def build_clinician_report(consult: Consult, assessment: Assessment, criteria: Criteria,
                           settings: ReportSettings, printed_on: date,
                           policy: CoursePolicy | None = None) -> ClinicianReport:
    patient = PatientId.from_consult(consult)
    header_right = join_nonempty([patient.name, f"MRN {patient.record_number}" if patient.record_number else None])
    meta = make_meta("clinician", "Clinician consult summary", "Ixabepilone consult summary for " + patient.name,
                     header_right, consult, assessment, criteria, printed_on)
    plan = consult.plan.regimen
    question = f"Is {plan_text(plan)} appropriate for this patient?" if plan else \
        "Which ixabepilone regimen, if any (plan not recorded: findings for every regimen are shown)."

    views = override_views(consult.overrides, assessment)
    for_other_plans = elsewhere(assessment.findings)
    rows = {f.id: _with_override(finding_row(f, criteria, for_other_plans), views) for f in assessment.findings}
    blocking = [rows[i] for i in assessment.blocking if i in rows]
    warnings = [rows[i] for i in assessment.warnings if i in rows]
    shown = set(assessment.blocking) | set(assessment.warnings)
    present_elsewhere = {f.id for f in assessment.findings if f.kind in ("exclusion", "warning") and f.other_plan == "met"}
    other_present = [rows[i] for i in rows if i in present_elsewhere]
    others = [r for r in rows.values() if r.kind in ("exclusion", "warning") and r.id not in shown
              and r.id not in present_elsewhere]
    others.sort(key=lambda r: (0 if r.state == "unknown" or r.other_plan == "unknown" else 1, r.kind != "exclusion"))

    state = decision_state(assessment)
    groups = _groups(assessment, criteria, views)
    pathway_heading = next(g.heading for g in groups if g.kind == "pathway")
    glance = glance_dose(consult, assessment, criteria, state, policy)
    held = state.kind == "on_hold" and assessment.dose.state == "computed" \
        and course_dose(consult, criteria, assessment) is None
    v = build_verdict(assessment, consult, criteria, policy) if held else None
    rate = held_rate(assessment.dose, v.inhibitor, v.course) if v is not None else None
    dose_lines, dose_notes = _dose(consult, assessment, criteria, rate or "")
    premed_src = criteria.dosing.premedication
    premeds = premedication_rows(assessment, criteria)
    adm = criteria.administration
    cs = adm.cycle_start
    lines = [LineRow(label=_count_label(lc.text, lc.label), value=lc.text,
                     detail=join_nonempty([*lc.breakdown, lc.definition], "; "),
                     unverified=lc.confidence == "unverified")
             for lc in assessment.lines]
    mismatch = None
    if assessment.criteria.sha256 != criteria.sha256:
        mismatch = (f"The assessment was computed with criteria {assessment.criteria.version} "
                    f"(sha256 {assessment.criteria.sha256[:16]}), not the set printed in the footer.")
    return ClinicianReport(
        meta=meta, state=state.kind, verdict=_verdict_with_overrides(state, plan, views),
        key_points=key_points(rows, groups, assessment, plan, pathway_heading, _referenced(criteria)),
        glance_dose=glance,
        dose_heading=_dose_heading(consult, assessment, criteria, state), clinic=Clinic.from_settings(settings), patient=patient,
        consult_date=fmt_date(consult.consult_date), as_of=fmt_date(assessment.as_of),
        prescriber=(consult.plan.prescriber or "").strip() or NOT_RECORDED, plan=plan, question=question,
        disease=_disease(consult),
        regimens=[row.model_copy(update={"anthracycline": words}) for row, words in
                  zip(_regimens(consult, assessment), anthracycline_regimen_words(consult, criteria), strict=True)],
        no_prior_therapy=consult.no_prior_systemic_therapy,
        class_summaries=[ClassSummary(label=c.label, result=c.result.replace("_", " "), summary=fmt_parts(c.summary_parts))
                         for c in assessment.resistance],
        resistance_sources=list(dict.fromkeys(
            fmt_source(r.source) for c in assessment.resistance for r in c.regimens if r.source)),
        lines=lines, criteria_groups=groups, blocking=blocking, warnings=warnings,
        exclusions_clear=others, other_plan_present=other_present, dose_state=assessment.dose.state,
        dose_summary="No dose while on hold." if held else assessment.dose.summary,
        dose_lines=dose_lines, dose_notes=dose_notes,
        premedication=premeds,
        premedication_source=fmt_source(premed_src.source) + mark(premed_src.confidence),
        monitoring=[TextItem(text=m.text, unverified=m.confidence == "unverified") for m in adm.monitoring],
        cycle_start=TextItem(text=cs.statement, unverified=cs.confidence == "unverified"),
        dose_modifications=[(r.toxicity, r.action) for r in adm.dose_modifications.rows],
        dose_modifications_source=fmt_source(adm.dose_modifications.source),
        missing=[m.label for m in assessment.missing],  # the form's own words; field paths are for the JSON
        missing_line=missing_line(len(assessment.missing), state),
        data_notes=[fmt_parts(n) for n in assessment.data_notes_parts], notes=(consult.notes or "").strip() or None,
        criteria_mismatch=mismatch, sources=_sources(assessment, criteria),
        overrides=[OverrideItem(title=rows[v.finding_id].title if v.finding_id in rows else v.title, text=v.line, stale=v.stale, contraindication=v.contraindication)
                   for v in views.values()],
        imported_sources=_imported_sources(consult),
        course=build_course_history(consult, criteria, assessment.as_of, assessment, policy),
        anthracycline=anthracycline_block(consult, criteria),
    )


def _dose_heading(consult: Consult, assessment: Assessment, criteria: Criteria, state: DecisionState) -> str:
    """'Proposed dose', or with a course 'Starting dose (cycle 1)': the next cycle's is in the course."""
    if course_dose(consult, criteria, assessment) is not None:
        return (f"{STARTING_DOSE[:1].upper() + STARTING_DOSE[1:]}: not the next cycle's dose "
                "(see the treatment course)")
    return {"on_hold": "Proposed dose (on hold: not to be given while the contraindication holds)",
            "not_decided": "Proposed dose (not decided)"}.get(state.kind, "Proposed dose")


def _verdict_with_overrides(state: DecisionState, plan: str | None, views: dict[str, OverrideView]) -> str:
    """The verdict as computed; an overridden hold is said beside it, never instead of it."""
    text = verdict(state, plan)
    note = hold_note(views, (f.id for f in state.holds)) if state.kind == "on_hold" else ""
    return f"{text} {note[:1].upper() + note[1:]}; the computed decision stays on hold." if note else text


def _sources(assessment: Assessment, criteria: Criteria) -> list[tuple[str, str]]:
    used: list[str] = []
    for f in assessment.findings:
        used.append(f.source.document)
    for c in assessment.resistance:
        used += [r.source.document for r in c.regimens if r.source]
    used += [criteria.dosing.premedication.source.document, criteria.administration.cycle_start.source.document]
    out = []
    for doc_id in dict.fromkeys(used):
        d = criteria.documents.get(doc_id)
        out.append((doc_id, f"{d.title} (version: {d.version})" if d else doc_id))
    return out


def _imported_sources(consult: Consult) -> list[tuple[str, str]]:
    """The sources of the values imported from FHIR (the report lists them beside its own sources)."""
    from ixdesk.present.imported import imported_sources

    return imported_sources(consult)


__all__ = ["ClinicianReport", "FindingGroup", "FindingRow", "KeyPoint", "OverrideItem", "MARKS", "build_clinician_report",
           "finding_row", "glance_dose", "key_points", "verdict"]
