"""The whole assessment as its readers see it: key points, then ordered sections with their counts.

Sections are for the plan under discussion (or every plan, when none is recorded): label,
contraindications, warnings, missing inputs, the payer's pathway criteria, payers, resistance,
lines, dose. Results that concern another regimen are kept apart in ``other_plans`` (the window's
plan comparison shows them); they are never mixed into the main list or its counts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ixdesk.core.assessment import Assessment, ClassResistance, Dose, LineCount
from ixdesk.core.dosing import bsa_text
from ixdesk.present.course_dose import STARTING_DOSE, CourseDose, course_dose
from ixdesk.present.decision import DecisionState, decision_state
from ixdesk.present.fields import MissingInput, missing_inputs
from ixdesk.present.findings import FindingView, Tone, finding_name, finding_view, is_payer_pathway, source_view
from ixdesk.present.formats import fmt_date, fmt_num, fmt_parts
from ixdesk.present.words import DECISION_WORDS, document_name, formula_name, plan_long, plan_short

if TYPE_CHECKING:
    from ixdesk.core.course_policy import CoursePolicy
    from collections.abc import Iterable

    from ixdesk.core.assessment import Finding
    from ixdesk.core.consult import Consult
    from ixdesk.core.criteria import Criteria
    from ixdesk.core.overrides import Override
    from ixdesk.present.overrides import OverrideView

RESISTANCE_RESULT = {"resistant": "RESISTANT", "not_resistant": "NOT RESISTANT", "unknown": "? UNKNOWN",
                     "not_exposed": "not exposed"}
# resistance is a fact about the disease, neither good nor bad: never green or red
RESISTANCE_TONE: dict[str, Tone | None] = {"resistant": "neutral", "not_resistant": None, "unknown": "missing",
                                            "not_exposed": None}
BASIS_HEADINGS = {
    "summary": "Summary", "statement": "Rule", "conditions": "Conditions", "values": "Patient values used",
    "missing": "Missing inputs", "source": "Source", "confidence": "Confidence",
    "unverified": "Rests on unverified", "go_to_field": "go to field ›",
    "missing_hint": "click one to go to its field",
}
OTHER_PLANS_TITLE = "For the other plans (not the plan under discussion)"
DECISION_MARK = {"ready": "✔", "on_hold": "⊘", "not_decided": "?", "outside_label": "!"}
DECISION_TONE: dict[str, Tone] = {"ready": "good", "on_hold": "critical", "not_decided": "missing",
                                  "outside_label": "warning"}


@dataclass(frozen=True)
class Row:
    """A row that is not a finding (resistance, lines, dose): text, short result, tone, field to focus."""

    key: str
    text: str
    result: str = ""
    tone: Tone | None = None
    field: str = ""
    tip: str = ""
    children: tuple["Row", ...] = ()
    missing: tuple[MissingInput, ...] = ()
    unverified: bool = False
    drug_class: str = ""  # a resistance row: the class whose computation it shows


@dataclass(frozen=True)
class Section:
    key: str  # stable: "label", "contraindications", "warnings", "missing", "pathways", "payer:<group>", ...
    title: str
    count: str
    tone: Tone | None
    findings: tuple[FindingView, ...] = ()
    rows: tuple[Row, ...] = ()
    missing: tuple[MissingInput, ...] = ()
    expand: bool = True
    # contraindications ruled out / warnings that do not apply: listed, folded away, after the rest
    cleared: tuple[FindingView, ...] = ()
    cleared_title: str = ""
    summary: str = ""  # one line under the title (the dose card's summary)

    @property
    def heading(self) -> str:
        """Title and summary on one line, as a list's section row shows them."""
        return f"{self.title}: {self.summary}" if self.summary else self.title


@dataclass(frozen=True)
class KeyPoint:
    key: str  # "decision", "label", "dose", "warnings", "missing", "context"
    lead: str  # the words to stand out ("✔ FDA label:", "Dose (on hold: a contraindication holds):")
    rest: str
    tone: Tone | None = None

    @property
    def text(self) -> str:
        return f"{self.lead} {self.rest}".strip()


@dataclass(frozen=True)
class Presentation:
    decision: DecisionState
    plan: str | None
    plan_words: str
    key_points: tuple[KeyPoint, ...]
    sections: tuple[Section, ...]
    other_plans: tuple[FindingView, ...]  # for the plan comparison; never in ``sections``
    missing: tuple[MissingInput, ...]
    findings: dict[str, FindingView] = field(default_factory=dict)
    criteria_line: str = ""
    criteria_notice: str | None = None
    data_notes: tuple[str, ...] = ()
    # the clinicians' overrides, by finding id (each also on its finding's view); stale ones included
    overrides: "dict[str, OverrideView]" = field(default_factory=dict)

    def section(self, key: str) -> Section:
        for s in self.sections:
            if s.key == key:
                return s
        raise KeyError(key)


# --- counts --------------------------------------------------------------------------------

def _join(parts: list[str], empty: str) -> str:
    return " · ".join(parts) if parts else empty


def _count_criteria(views: list[FindingView]) -> str:
    if not views:
        return "none for this plan"
    met = sum(v.reading == "met" for v in views)
    unk = sum(v.reading == "unknown" for v in views)
    return f"{met} met · {unk} unknown"


def _count_checks(views: list[FindingView], word: str) -> str:
    holds = sum(v.holds for v in views)
    unk = sum(v.tone == "missing" for v in views)
    parts = [f"{holds} {'applies' if holds == 1 else word}" if holds else "", f"{unk} unknown" if unk else ""]
    return _join([p for p in parts if p], f"none of {len(views)} applies" if views else "none")


# --- dose ------------------------------------------------------------------------------------

def _bsa(v: float | None) -> str:
    """BSA with two decimals where it is shown on its own; inside a product the BSA as the dose used
    it (:func:`_bsa_used`), so that '40 mg/m² × 1.7654 m²' gives the 70.6 mg printed beside it."""
    return "?" if v is None else fmt_num(v, 2)


def _bsa_used(v: float | None) -> str:
    return "?" if v is None else bsa_text(v)


def _mg(v: float | None) -> str:
    return "?" if v is None else fmt_num(v)


def dose_head(d: Dose, decision: DecisionState) -> tuple[str, Tone]:
    """The dose card's short result, and whether it may be read as an order."""
    if d.state == "not_recommended":
        return "⊘ NOT RECOMMENDED", "critical"
    if d.state == "unknown":
        return "? UNKNOWN", "missing"
    head = f"{_mg(d.dose_mg)} mg" if d.dose_mg is not None else "computed"
    if decision.kind == "on_hold":  # no amount beside "on hold": it would read as the order
        return "on hold", "warning"
    return head, "good"


def dose_title(d: Dose, decision: DecisionState) -> str:
    if d.state == "computed" and decision.kind == "on_hold":
        return "Dose card (on hold: a contraindication holds)"
    return "Dose card"


def dose_rows(d: Dose, if_resolves: str = "", gilbert: str = "") -> tuple[Row, ...]:
    """The dose card's rows. ``if_resolves``: the consult is on hold, and this is the verdict's line
    for the dose if the hold resolves; no mg, vials, billing or capecitabine mg is printed then, as
    if an order (04 once printed 30.2 mg, a kit and J9207 × 31 units while on hold)."""
    rows: list[Row] = []
    add = lambda text, result="", tone=None, tip="": rows.append(  # noqa: E731
        Row(key=f"dose/{len(rows)}", text=text, result=result, tone=tone, tip=tip or text))
    hw = [f"height {fmt_num(d.height_cm)} cm" if d.height_cm is not None else "",
          f"weight {fmt_num(d.weight_kg)} kg" if d.weight_kg is not None else ""]
    if d.bsa_m2 is not None:
        cap = f" → capped at {_bsa_used(d.bsa_used_m2)} m²" if d.bsa_capped and d.bsa_used_m2 is not None else ""
        add(f"BSA ({formula_name(d.bsa_formula)}): {_bsa_used(d.bsa_m2)} m²{cap}  [{', '.join(p for p in hw if p)}]",
            "capped" if d.bsa_capped else "")
    if d.hepatic_row:
        add(f"Hepatic row: {d.hepatic_row}")
        if gilbert:
            add(f"Note: {gilbert}")
    if d.mg_per_m2 is not None:
        add(f"Dose rate: {fmt_num(d.mg_per_m2)} mg/m² (standard {fmt_num(d.standard_mg_per_m2)} mg/m²)")
    elif d.mg_per_m2_unless_strong_inhibitor is not None and d.mg_per_m2_if_strong_inhibitor is not None:
        meds = "; ".join(d.unrecognised_medications) or "a current medication (not recorded)"
        add(f"Dose rate: {fmt_num(d.mg_per_m2_unless_strong_inhibitor)} mg/m² unless {meds} is a strong CYP3A4 "
            f"inhibitor (then {fmt_num(d.mg_per_m2_if_strong_inhibitor)} mg/m²): check for CYP3A4 interaction",
            "depends", "missing")
    for adj in d.adjustments:
        add(f"Adjustment: {adj}", "adjusted", "warning")
    if if_resolves:  # the section's summary says the dose if the hold resolves
        add("Dose: none while on hold", "on hold", "warning")
    elif d.dose_mg is not None:
        add(f"Dose: {_mg(d.dose_mg)} mg IV over {fmt_num(d.infusion_hours)} h every {d.cycle_days} days")
    if d.vials and not if_resolves:
        vials = " + ".join(f"{v.count} × {fmt_num(v.size_mg)} mg kit" for v in d.vials)
        add(f"Vials: {vials}" + (f" ({fmt_num(d.vial_total_mg)} mg)" if d.vial_total_mg else ""))
    if d.hcpcs_units is not None and not if_resolves:
        add(f"Billing: {d.hcpcs_code} × {d.hcpcs_units} units")
    if d.capecitabine is not None and if_resolves:
        c = d.capecitabine
        add(f"Capecitabine: {fmt_num(c.mg_per_m2_per_dose)} mg/m² per dose, {c.schedule} (the mg is printed once the "
            "hold resolves)")
    elif d.capecitabine is not None:
        c = d.capecitabine
        add(f"Capecitabine: {_mg(c.mg_per_dose)} mg per dose ({fmt_num(c.mg_per_m2_per_dose)} mg/m² × "
            f"{_bsa_used(c.bsa_m2)} m²), {c.schedule}")
    if d.premedication:
        pre = [Row(key=f"dose/pre/{i}", text=f"{p.drug} {p.dose} {p.route}, {p.timing}"
                                                + ("" if p.required else f" — {p.when}"),
                   result="required" if p.required else "if indicated", tone=None if p.required else "missing",
                   tip=p.when)
               for i, p in enumerate(d.premedication)]
        rows.append(Row(key="dose/pre", text="Premedication (1 hour before infusion)", children=tuple(pre)))
    for n in d.notes:
        add(f"Note: {n}")
    for u in d.unverified:
        add(f"Unverified: {u}", "UNVERIFIED", "missing")
    return tuple(rows)


def dose_key_point(d: Dose, decision: DecisionState, course: "CourseDose | None" = None,
                   held: str = "") -> KeyPoint:
    """The dose line of the key points; with a course (cycles given), the next cycle's dose, the
    starting dose named as such beside it (``ixdesk.present.course_dose``)."""
    if course is not None:
        lead = f"Dose ({course.cycle_words}):"
        if course.shown and course.mg is not None:
            on_hold = decision.kind == "on_hold"
            start = starting_dose_words_of(d)
            return KeyPoint("dose", lead if not on_hold else f"Dose ({course.cycle_words}, on hold: a contraindication "
                                                             "holds):",
                            f"{_mg(course.mg)} mg ({course.product})" + (f"; {start}" if start else ""),
                            "warning" if on_hold else None)
        action = course.decision.action
        return KeyPoint("dose", lead, f"no dose: {course.reason}",
                        "critical" if action == "discontinue" or course.decision.gate == "hold" else "missing")
    if held and decision.kind == "on_hold":  # the verdict's words: no dose while on hold, and if it resolves
        return KeyPoint("dose", "Dose (on hold: a contraindication holds):", held, "warning")
    if d.state == "computed" and d.dose_mg is not None:
        vials = " + ".join(f"{v.count} × {fmt_num(v.size_mg)} mg" for v in d.vials)
        hold = " (on hold: a contraindication holds)" if decision.kind == "on_hold" else ""
        return KeyPoint("dose", f"Dose{hold}:", f"{_mg(d.dose_mg)} mg ({fmt_num(d.mg_per_m2)} mg/m² × "
                                              f"{_bsa_used(d.bsa_used_m2)} m²{', capped' if d.bsa_capped else ''}); kits {vials}",
                        "warning" if hold else None)
    return KeyPoint("dose", "Dose:", d.summary, "critical" if d.state == "not_recommended" else "missing")


def gilbert_note(criteria: "Criteria | None", d: Dose, bilirubin_x_uln: float | None) -> str:
    """The Gilbert's syndrome note where bilirubin above the first hepatic row's limit drives the
    dose row (facts sheet 4, 9), with its source; '' otherwise."""
    if criteria is None or d.hepatic_row is None or bilirubin_x_uln is None:
        return ""
    hep = criteria.dosing.hepatic
    limit = hep.rows[0].bilirubin_max_x_uln
    if hep.gilbert is None or limit is None or bilirubin_x_uln <= limit:
        return ""
    g = hep.gilbert
    mark = " [unverified]" if g.confidence == "unverified" else ""
    return f"{g.note} (source: {g.source.document}, {g.source.section}){mark}"


def starting_dose_words_of(d: Dose) -> str:
    """'starting dose (cycle 1): 70.6 mg (40 mg/m²)', or '' when none was computed."""
    if d.state != "computed" or d.dose_mg is None:
        return ""
    return f"{STARTING_DOSE}: {_mg(d.dose_mg)} mg ({fmt_num(d.mg_per_m2)} mg/m²)"


# --- resistance and lines ----------------------------------------------------------------------

def resistance_rows(resistance: list[ClassResistance]) -> tuple[Row, ...]:
    out: list[Row] = []
    for r in resistance:
        kids: list[Row] = []
        for rr in r.regimens:
            steps = [f"regimen {rr.regimen_index + 1} ({', '.join(rr.agents)})", rr.setting or "setting not recorded"]
            if rr.start_date:
                steps.append(f"start {fmt_date(rr.start_date)}")
            steps.append("ongoing" if rr.ongoing else f"last dose {fmt_date(rr.last_dose_date)}")
            steps.append(f"progression {fmt_date(rr.progression_date)}" if rr.progression_date else "no progression date")
            if rr.elapsed:
                steps.append(f"elapsed {rr.elapsed}")
            if rr.window:
                steps.append(f"window {rr.window}" + (f" (to {fmt_date(rr.window_end)})" if rr.window_end else ""))
            sub = [Row(key=f"res:{r.drug_class}:{rr.regimen_index}/reason", text=f"→ {fmt_parts(rr.reason_parts)}")]
            if rr.source:
                s = source_view(rr.source)
                sub.append(Row(key=f"res:{r.drug_class}:{rr.regimen_index}/source",
                               text=f"Source: {s.full} · confidence: {rr.confidence}"))
            kids.append(Row(key=f"res:{r.drug_class}:{rr.regimen_index}", text=" · ".join(steps),
                            result=RESISTANCE_RESULT[rr.result], tone=RESISTANCE_TONE[rr.result], children=tuple(sub),
                            missing=missing_inputs(rr.missing), drug_class=r.drug_class))
        out.append(Row(key=f"res:{r.drug_class}", text=f"{r.label}: {fmt_parts(r.summary_parts)}", result=RESISTANCE_RESULT[r.result],
                       tone=RESISTANCE_TONE[r.result], children=tuple(kids), missing=missing_inputs(r.missing),
                       drug_class=r.drug_class))
    return tuple(out)


def line_rows(lines: list[LineCount]) -> tuple[Row, ...]:
    out = []
    for lc in lines:
        parts = lc.breakdown
        # the "may count" part is the breakdown's last one when some regimens are uncertain
        kids = [Row(key=f"lines:{lc.kind}/{i}", text=part,
                    result="uncertain" if lc.uncertain and i == len(parts) - 1 else "",
                    tone="missing" if lc.uncertain and i == len(parts) - 1 else None)
                for i, part in enumerate(parts)]
        kids.append(Row(key=f"lines:{lc.kind}/definition", text=f"definition: {lc.definition}"))
        out.append(Row(key=f"lines:{lc.kind}", text=lc.label, result=lc.text, tip=lc.definition,
                       children=tuple(kids), missing=missing_inputs(lc.missing), unverified=lc.confidence == "unverified"))
    return tuple(out)


# --- the whole assessment ---------------------------------------------------------------------

def _order(v: FindingView) -> int:
    return {"critical": 0, "warning": 1, "missing": 2, "good": 3, "neutral": 4}[v.tone]


def _criteria_order(v: FindingView) -> int:
    return {"met": 0, "unknown": 1}.get(v.reading, 2)


def _stale_in(views: "Iterable[FindingView]") -> str:
    """' · 1 override to review' for a folded list holding stale overrides (else ''): the fold
    would hide them."""
    n = sum(v.override is not None and v.override.stale for v in views)
    return f" · {n} override{'s' if n != 1 else ''} to review" if n else ""


def decision_sentence(s: DecisionState, a: Assessment) -> str:
    word = DECISION_WORDS[s.kind]
    if s.kind == "on_hold":
        what = "; ".join(f.title for f in s.holds) or a.dose.summary
        return f"{word} — blocked by: {what}"
    if s.kind == "not_decided":
        waiting = missing_inputs(s.waiting_for)
        return f"{word} — waiting for: " + ", ".join(m.words for m in waiting) if waiting else word
    if s.kind == "outside_label":
        if s.label is None:
            return f"{word} — {plan_long(a.plan)} is not an FDA label indication"
        return f"{word} — label indication not met: {finding_name(s.label)}"
    return f"{word} — meets label indication: {finding_name(s.label)}" if s.label else word


def present(a: Assessment, criteria: "Criteria | None" = None, overrides: "Iterable[Override]" = (),
            consult: "Consult | None" = None, policy: "CoursePolicy | None" = None) -> Presentation:
    """Everything the panel and the command line print for ``a``, decided once.

    ``criteria`` names the plans a plan-bound rule concerns ("would be met with capecitabine");
    without it those read "another plan". ``overrides`` (the consult's) sit beside the findings
    they concern; they change no result and no decision. ``consult``: with cycles given, the dose
    key point is the next cycle's and the dose card is titled as the starting dose."""
    decision = decision_state(a)
    course = course_dose(consult, criteria, a, policy)
    titles = {f.id: f.title for f in a.findings}
    views = {f.id: finding_view(f, criteria, titles) for f in a.findings}
    ov: dict[str, OverrideView] = {}
    if overrides:
        from dataclasses import replace

        from ixdesk.present.overrides import override_views

        ov = override_views(overrides, a)
        views = {k: replace(v, override=ov[k]) if k in ov else v for k, v in views.items()}
    by_kind: dict[str, list[tuple["Finding", FindingView]]] = {}
    for f in a.findings:
        by_kind.setdefault(f.kind, []).append((f, views[f.id]))
    mine = {k: [v for _, v in fv if v.for_this_plan] for k, fv in by_kind.items()}
    sections: list[Section] = []

    label = mine.get("indication", [])
    label_count = _count_criteria(label)
    sections.append(Section("label", "FDA label", label_count,
                            "good" if any(v.reading == "met" for v in label) else None,
                            tuple(sorted(label, key=_criteria_order))))
    contra = mine.get("exclusion", [])
    sections.append(Section("contraindications", "Contraindications and label “not recommended”",
                            _count_checks(contra, "apply"), "critical" if any(v.holds for v in contra) else None,
                            tuple(sorted((v for v in contra if v.tone != "good"), key=_order)),
                            cleared=tuple(v for v in contra if v.tone == "good"),
                            cleared_title=f"Ruled out ({sum(v.tone == 'good' for v in contra)})"
                            + _stale_in(v for v in contra if v.tone == "good")))
    warn = mine.get("warning", [])
    sections.append(Section("warnings", "Warnings", _count_checks(warn, "apply"),
                            "warning" if any(v.holds for v in warn) else None,
                            tuple(sorted((v for v in warn if v.tone != "good"), key=_order)),
                            cleared=tuple(v for v in warn if v.tone == "good"),
                            cleared_title=f"Do not apply ({sum(v.tone == 'good' for v in warn)})"
                            + _stale_in(v for v in warn if v.tone == "good")))
    missing = missing_inputs(a.missing)
    if missing:  # the most actionable list while a consult is incomplete
        sections.append(Section("missing", f"Missing inputs ({BASIS_HEADINGS['missing_hint']})", str(len(missing)),
                                "missing", missing=missing, expand=len(missing) <= 6))
    pathway_groups: dict[str, list[FindingView]] = {}
    for f, v in by_kind.get("pathway", []):
        if v.for_this_plan:
            head = (f"{document_name(f.source.document)} criteria (its pathways)" if is_payer_pathway(f)
                    else f"NCCN pathways ({f.source.version})")
            pathway_groups.setdefault(head, []).append(v)
    for head, vs in pathway_groups.items():
        sections.append(Section("pathways" if len(pathway_groups) == 1 else f"pathways:{head}", head,
                                _count_criteria(vs), None, tuple(sorted(vs, key=_criteria_order))))
    payer_groups: dict[str, list[FindingView]] = {}
    for f, v in by_kind.get("payer", []):
        if v.for_this_plan:
            payer_groups.setdefault(f.group, []).append(v)
    for group, vs in payer_groups.items():
        sections.append(Section(f"payer:{group}", group, _count_criteria(vs), None, tuple(vs)))
    res = resistance_rows(a.resistance)
    n_res = sum(r.result == "resistant" for r in a.resistance)
    sections.append(Section("resistance", "Resistance by drug class", f"{n_res} resistant" if n_res else "",
                            None, rows=res))
    if a.lines:
        sections.append(Section("lines", "Prior lines", "", None, rows=line_rows(a.lines)))
    head, tone = dose_head(a.dose, decision)
    held = ""
    if decision.kind == "on_hold" and course is None and a.dose.state == "computed":
        from ixdesk.present.verdict import build_verdict

        held = build_verdict(a, consult, criteria).dose  # "No dose while on hold. If it resolves: …"
    title = dose_title(a.dose, decision)
    if course is not None:
        title = f"{title}: {STARTING_DOSE} — {course.short}"
    sections.append(Section("dose", title, head, tone, rows=dose_rows(a.dose, held, gilbert_note(
                                criteria, a.dose, consult.labs.bilirubin.x_uln
                                if consult is not None and consult.labs.bilirubin is not None else None)),
                            missing=missing_inputs(a.dose.missing), summary=held or a.dose.summary))
    if a.data_notes:
        sections.append(Section("notes", "Notes on the input", str(len(a.data_notes)), None,
                                rows=tuple(Row(key=f"notes/{i}", text=fmt_parts(n)) for i, n in enumerate(a.data_notes_parts))))

    points = [KeyPoint("decision", f"{DECISION_MARK[decision.kind]} {decision_sentence(decision, a)}", "",
                       DECISION_TONE[decision.kind])]
    stale = [o for o in ov.values() if o.stale]
    if stale:  # an override made for another result is never carried over silently
        points.insert(1, KeyPoint("overrides", f"⚠ {len(stale)} override{'s' if len(stale) != 1 else ''} to review (stale):",
                                  "; ".join(o.title for o in stale), "warning"))
    if ov and decision.kind == "on_hold":
        from ixdesk.present.overrides import hold_note

        note = hold_note(ov, (f.id for f in decision.holds))
        if note:
            points[0] = KeyPoint("decision", f"{points[0].lead} — {note} (the computed decision stays on hold)", "",
                                 points[0].tone)
    pathways_met = [v for vs in pathway_groups.values() for v in vs if v.reading == "met"]
    if decision.kind == "outside_label":
        first = points[0]
        points[0] = KeyPoint(first.key, first.lead, f"· {len(pathways_met)} payer pathway criteria met (see below)"
                             if pathways_met else "(see the payer criteria and policies)", first.tone)
    lab_met = [v for v in label if v.reading == "met"]
    lab_unk = [v for v in label if v.reading == "unknown"]
    if decision.kind == "ready" or (decision.kind == "outside_label" and decision.label is None):
        pass  # the decision already says what the label says
    elif lab_met:
        points.append(KeyPoint("label", "✔ FDA label:", "; ".join(f"indication met: {v.name}" for v in lab_met), "good"))
    elif lab_unk:
        n = len({m.field for v in lab_unk for m in v.missing})
        points.append(KeyPoint("label", "? FDA label:", f"undetermined — {n} input{'s' if n != 1 else ''} missing" if n
                               else "undetermined", "missing"))
    elif not label and a.plan:
        points.append(KeyPoint("label", "✘ FDA label:", "this plan is not an FDA label indication "
                                                       "(see the payer criteria and policies)", "neutral"))
    else:
        points.append(KeyPoint("label", "✘ FDA label:", "no label indication met for this plan", "neutral"))
    points.append(dose_key_point(a.dose, decision, course, held))
    warns = [v for v in warn if v.holds]
    if warns:
        points.append(KeyPoint("warnings", f"⚠ {len(warns)} warning{'s' if len(warns) != 1 else ''}:", "; ".join(v.title for v in warns), "warning"))
    if missing:
        points.append(KeyPoint("missing", f"{len(missing)} input{'s' if len(missing) != 1 else ''} missing", "— listed under 'Missing inputs'; "
                                                                             "click one to go to its field", "missing"))
    points.append(KeyPoint("context", "", f"Plan: {plan_short(a.plan)} · as of {fmt_date(a.as_of)} · "
                                          f"criteria {a.criteria.version}"))
    return Presentation(
        decision=decision, plan=a.plan, plan_words=plan_long(a.plan), key_points=tuple(points),
        sections=tuple(sections), other_plans=tuple(v for v in views.values() if not v.for_this_plan),
        missing=missing, findings=views,
        criteria_line=f"criteria {a.criteria.version} (sha256 {a.criteria.sha256[:16]}…)",
        criteria_notice=a.criteria.notice, data_notes=tuple(fmt_parts(n) for n in a.data_notes_parts), overrides=ov,
    )
