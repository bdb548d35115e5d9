"""The nurse pre-infusion checklist as data: go / no-go checks, premedication, dose check, preparation.

The checklist follows the consult's decision state (``ixdesk.present.decision``): while the consult
is on hold or not decided it carries no dose, no volumes and no draw-up amounts (04 once said "on
hold" and then printed 30.2 mg and "draw up 15.1 mL" in bold); it says what holds, why, and whom to
call. The cycle-start gate is decided in ``ixdesk.core.cycle_start``.

Thresholds come from ``criteria.administration`` (cycle start, preparation, hypersensitivity) and
``criteria.dosing`` (premedication, kits, infusion time); liver limits from the rules that hold them.
The baseline values from the consult are printed beside each check so the nurse sees what the
prescriber saw, with room for today's value.
"""

from __future__ import annotations

import math
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from ixdesk.core.assessment import Assessment, Finding
from ixdesk.core.consult import Consult
from ixdesk.core.criteria import Criteria, Preparation
from ixdesk.core.cycle_start import cycle_start_gate, modification_rows
from ixdesk.core.dosing import bsa_text
from ixdesk.present.course_dose import course_dose
from ixdesk.present.decision import decision_state
from ixdesk.present.overrides import NURSE_SECTION_TITLE, contraindication_overrides, hold_overrides, override_views
from ixdesk.present.findings import value_text
from ixdesk.present.report_base import (
    NOT_RECORDED, Data, Meta, PatientId, count_text, fmt_date, fmt_num, fmt_source, join_nonempty, make_meta, PremedRow, premedication_rows,
    mark, plan_text, rule_lab_limits, uln_text,
)
from ixdesk.present.words import DECISION_WORDS, WAITING_FOR, contraception_text, formula_name
from ixdesk.present.settings import ReportSettings


# The infusion's own sign-off lines, after the premedication: the start checklist and every cycle's
# double check print these same words (the cycle sheet once had none of them)
INFUSION_SIGN_FIELDS: tuple[str, ...] = ("Infusion start (time)", "Infusion end (time)",
                                         "Patient observed after infusion (initials / time)")


def hypersensitivity_steps(criteria: Criteria) -> list[str]:
    """What to watch for and what to do, from ``administration.hypersensitivity``: the first step is
    what to watch, the others what to do. Every infusion needs it, so the start checklist and the
    cycle double check take it from here."""
    return list(criteria.administration.hypersensitivity.steps)


def hypersensitivity_source(criteria: Criteria) -> str:
    hs = criteria.administration.hypersensitivity
    return fmt_source(hs.source) + mark(hs.confidence)


class Check(Data):
    item: str
    threshold: str
    baseline: str
    unverified: bool = False
    fails: bool = False  # the value at consult is already outside the threshold to go
    box: bool = True  # False: a heading row (the liver limits), nothing to tick



class Field(Data):
    label: str
    planned: str  # from the consult / assessment; the nurse writes the recalculated value


class TextItem(Data):
    text: str
    unverified: bool = False


class NurseReport(Data):
    meta: Meta
    state: str  # the decision state kind (ready / on_hold / not_decided / outside_label)
    state_text: str  # "On hold"
    dose_shown: bool  # False: no dose, volumes or draw-up amounts on this sheet
    waiting_for: str = ""  # with no dose shown: what a new checklist waits for ("the prescriber has ...")
    hold: list[str]  # while on hold / not decided: what holds and why, one line each
    call: str  # whom to call while on hold: the prescriber, the clinic's number
    liver_limits: str = ""  # the liver limits for this plan (the AST / ALT / bilirubin rows refer to it)
    patient: PatientId
    plan: str
    prescriber: str
    consult_date: str
    labs_date: str
    alerts: list[str]  # blocking findings and key warnings the chair must know
    checks: list[Check]
    checks_source: str
    premedication: list[PremedRow]
    premedication_source: str
    dose_fields: list[Field]
    dose_summary: str
    preparation: list[TextItem]
    preparation_for_dose: str = ""  # volumes computed for this dose from the PI's concentrations
    preparation_source: str
    infusion: str
    hypersensitivity: list[str]
    hypersensitivity_source: str
    capecitabine: list[TextItem]  # empty unless the plan is with_capecitabine
    sign_fields: list[str]
    # a consult with cycles given: this start sheet prints no dose and points to the cycle's double
    # check ("This consult has a course: print the cycle 5 double check"); "" without a course
    course_pointer: str = ""
    # "Overrides of contraindications": printed prominently; they never put a dose on a held sheet
    overrides_title: str = NURSE_SECTION_TITLE
    contraindication_overrides: list[str] = []


def build_nurse_report(consult: Consult, assessment: Assessment, criteria: Criteria,
                       settings: ReportSettings, printed_on: date) -> NurseReport:
    patient = PatientId.from_consult(consult)
    header_right = join_nonempty([patient.name, f"MRN {patient.record_number}" if patient.record_number else None,
                                  f"DOB {patient.date_of_birth}"])
    meta = make_meta("nurse", "Pre-infusion checklist", "Ixabepilone pre-infusion checklist for " + patient.name,
                     header_right, consult, assessment, criteria, printed_on)
    adm, dosing = criteria.administration, criteria.dosing
    cs = adm.cycle_start
    labs = consult.labs
    plan = consult.plan.regimen
    cs_unv = cs.confidence == "unverified"
    state = decision_state(assessment)
    # past cycle 1 the starting dose is not today's: the cycle double check carries the dose
    course = course_dose(consult, criteria, assessment)
    shown = state.dose_may_be_given and course is None
    gate = cycle_start_gate(consult, criteria)

    checks: list[Check] = [Check(item="Blood drawn today (time)", threshold="before the cycle; the rows below are from it",
                                 baseline=f"labs at consult: {fmt_date(labs.date)}")]
    for g in gate.counts:
        checks.append(Check(item=g.label, threshold=f"≥ {fmt_num(g.minimum_per_mm3)}/mm³",
                            baseline=count_text(getattr(labs, g.lab)), unverified=cs_unv, fails=g.state == "not_met"))
    hep_rows = dosing.hepatic.rows
    full = hep_rows[0]
    mono_limit = (f"Full dose ({fmt_num(full.mg_per_m2)} mg/m²) if {full.label}; otherwise the dose on the order "
                  f"must follow the hepatic table; not recommended if {rule_lab_limits(criteria, 'exclusion.hepatic_monotherapy')}")
    combo_limit = f"Do NOT give with capecitabine if {rule_lab_limits(criteria, 'exclusion.hepatic_combination')}"
    if plan == "with_capecitabine":
        liver = combo_limit
    elif plan in dosing.hepatic.applies_to:
        liver = mono_limit
    elif plan is not None:  # with trastuzumab: the PI's hepatic table covers monotherapy only
        liver = (f"Full dose ({fmt_num(full.mg_per_m2)} mg/m²) if {full.label}; otherwise the dose is the "
                 f"prescriber's decision (no label hepatic dosing for this combination): confirm it on the order")
    else:
        liver = f"Plan not recorded. {combo_limit}. Alone: {mono_limit}"
    liver_unv = dosing.hepatic.confidence == "unverified"
    checks.append(Check(item="Liver tests (AST, ALT, bilirubin × ULN)", threshold=liver, baseline="one row each below",
                        unverified=liver_unv, box=False))
    for name, lab in (("AST", labs.ast), ("ALT", labs.alt), ("Bilirubin", labs.bilirubin)):
        checks.append(Check(item=name, threshold="× ULN, as the liver limits above", baseline=uln_text(lab),
                            unverified=liver_unv))
    checks.append(Check(item="Non-haematologic toxicity",
                        threshold=f"resolved or improved to grade ≤ {cs.nonhematologic_max_grade}",
                        baseline="grade today: ____", unverified=cs_unv))
    neuro_rows = modification_rows(criteria, "neuropathy")
    checks.append(Check(
        item="Neuropathy assessed (numbness, tingling, burning, weakness)",
        threshold="record the grade today; worse than at consult: inform the prescriber (dose rules: " +
                  "; ".join(f"{r.toxicity[:1].lower() + r.toxicity[1:]}: {r.action}" for r in neuro_rows) + ")",
        baseline=("grade at consult: " + (str(consult.history.neuropathy_grade)
                                          if consult.history.neuropathy_grade is not None else NOT_RECORDED))))
    preg = adm.pregnancy
    if consult.patient.sex != "male":  # tick boxes only for what applies
        pregnant = {True: "PREGNANT recorded", False: "not pregnant (at consult)", None: NOT_RECORDED}[consult.patient.pregnant]
        checks.append(Check(item="Pregnancy status confirmed",
                            threshold="not pregnant; " + contraception_text(preg.contraception_female_months,
                                                                           preg.contraception_male_months,
                                                                           consult.patient.sex),
                            baseline=pregnant, unverified=preg.confidence == "unverified"))
    else:  # a male patient: the partner rule (facts sheet 9), no pregnancy status to confirm
        checks.append(Check(item="Contraception discussed",
                            threshold=contraception_text(preg.contraception_female_months,
                                                         preg.contraception_male_months, "male"),
                            baseline="", unverified=preg.confidence == "unverified"))
    reaction = {True: "YES: add corticosteroid", False: "none recorded", None: NOT_RECORDED}[
        assessment.dose.prior_reaction]
    checks.append(Check(item="Prior reaction to ixabepilone", threshold="if yes, corticosteroid premedication given",
                        baseline=reaction))

    alerts: list[str] = []
    hold: list[str] = []
    d = assessment.dose
    if state.kind == "on_hold":
        alerts.append("ON HOLD: do not prepare or give ixabepilone. No dose is printed on this sheet.")
        for f in state.holds:
            hold.append(f"{f.title}{_values(f)}")
        if not state.holds and d.state == "not_recommended":
            hold.append(d.summary)
    elif not state.dose_may_be_given:  # a course consult that may go ahead: its pointer says where the dose is
        alerts.append("NOT DECIDED: do not prepare ixabepilone. No dose is printed on this sheet until the "
                      "prescriber completes the order.")
        if state.waiting_for:
            hold.append("Waiting for: " + "; ".join(m.label for m in state.waiting_for))
        if d.unrecognised_medications:
            hold.append("Medication not recognised (it could be a strong CYP3A4 inhibitor, which changes the dose): "
                        + "; ".join(d.unrecognised_medications))
    # warnings are printed whatever the state: a held or undecided sheet must still say them
    for fid in assessment.warnings:
        try:
            f = assessment.finding(fid)
        except KeyError:
            continue
        alerts.append(f"Warning: {f.title}{_values(f)}.")
    if course is not None:
        alerts.insert(0, f"{course.double_check_pointer}. This start checklist prints no dose, volumes or "
                         f"draw-up amounts: the {course.cycle_words} dose is on the double check.")
    views = override_views(consult.overrides, assessment)
    contra = contraindication_overrides(views.values())
    if state.kind == "on_hold" and hold_overrides(views, (f.id for f in state.holds)):
        alerts.insert(1, "A contraindication has been OVERRIDDEN by the prescriber (see 'Overrides of "
                         "contraindications'). The sheet stays on hold: no dose is printed; give only against a "
                         "signed order.")
    prescriber = (consult.plan.prescriber or "").strip()
    phone = settings.clinic_phone.strip()
    call = join_nonempty([f"the prescriber, {prescriber}" if prescriber else "the prescriber (name not recorded)",
                          f"clinic {phone}" if phone else "clinic number: ______________"], "; ")

    # no premedication is scheduled before the hold is resolved (the held cycle sheet says the same),
    # nor on a course's start sheet (the cycle double check schedules it)
    premeds = premedication_rows(assessment, criteria) if shown else []
    dose_fields: list[Field] = []
    if shown:
        vials = " + ".join(f"{v.count} × {fmt_num(v.size_mg)} mg" for v in d.vials) or NOT_RECORDED
        bsa = (f"{bsa_text(d.bsa_m2)} m²" if d.bsa_m2 is not None else NOT_RECORDED) + \
            (f" → {bsa_text(d.bsa_used_m2)} m² (cap {fmt_num(dosing.bsa.cap_m2)} m²)" if d.bsa_capped and d.bsa_used_m2 else "")
        dose_text = "not computed"
        if d.dose_mg is not None and d.mg_per_m2 is not None and d.bsa_used_m2 is not None:
            dose_text = f"{fmt_num(d.mg_per_m2)} mg/m² × {bsa_text(d.bsa_used_m2)} m² = {d.dose_mg:g} mg"
        dose_fields = [
            Field(label="Height", planned=f"{fmt_num(d.height_cm)} cm" if d.height_cm else NOT_RECORDED),
            Field(label="Weight", planned=f"{fmt_num(d.weight_kg)} kg" if d.weight_kg else NOT_RECORDED),
            Field(label=f"BSA ({formula_name(d.bsa_formula)}, to 4 decimals as used)", planned=bsa),
            Field(label="Dose per m²", planned=f"{fmt_num(d.mg_per_m2)} mg/m²" if d.mg_per_m2 is not None else NOT_RECORDED),
            Field(label="Dose (mg)", planned=dose_text),
            Field(label="Vials", planned=vials + (f" ({fmt_num(d.vial_total_mg)} mg)" if d.vial_total_mg else "")),
        ]
        if d.capecitabine is not None:
            c = d.capecitabine
            dose_fields.append(Field(label="Capecitabine per dose",
                                     planned=f"{fmt_num(c.mg_per_m2_per_dose)} mg/m² × {bsa_text(c.bsa_m2)} m² = "
                                             f"{fmt_num(c.mg_per_dose)} mg; {dosing.capecitabine.note}"))

    std = dosing.standard
    infusion = ""
    if shown and d.infusion_hours and d.infusion_hours != std.infusion_hours:
        infusion = f"This order: infuse over {fmt_num(d.infusion_hours)} hours (not the standard {fmt_num(std.infusion_hours)})."
    cape: list[TextItem] = []
    if plan == "with_capecitabine" and shown:
        cape_rule = dosing.capecitabine
        teach = adm.capecitabine_teaching
        per_dose = f"{fmt_num(d.capecitabine.mg_per_dose)} mg" if d.capecitabine else f"{fmt_num(cape_rule.mg_per_m2_per_dose)} mg/m²"
        times = {1: "once", 2: "twice", 3: "three times"}.get(cape_rule.doses_per_day, f"{cape_rule.doses_per_day} times")
        cape = [
            TextItem(text=f"Capecitabine tablets at home: {per_dose} {times} a day, {cape_rule.days}; then a break until "
                          f"the next cycle.", unverified=cape_rule.confidence == "unverified"),
        ] + [TextItem(text=t, unverified=teach.confidence == "unverified") for t in teach.items] + [TextItem(text=t.text, unverified=t.confidence == "unverified") for t in adm.dose_modifications.capecitabine]
    return NurseReport(
        meta=meta, state=state.kind, state_text=DECISION_WORDS[state.kind], dose_shown=shown, hold=hold, call=call,
        waiting_for=WAITING_FOR[state.kind],
        liver_limits=liver,
        patient=patient, plan=plan_text(plan),
        prescriber=prescriber or NOT_RECORDED,
        consult_date=fmt_date(consult.consult_date), labs_date=fmt_date(labs.date), alerts=alerts,
        checks=checks, checks_source=fmt_source(cs.source),
        premedication=premeds,
        premedication_source=fmt_source(dosing.premedication.source) + mark(dosing.premedication.confidence),
        dose_fields=dose_fields, dose_summary="" if not shown else "Check each line against the signed order.",
        preparation=[TextItem(text=s.text, unverified=s.confidence == "unverified") for s in adm.preparation.steps]
        if shown else [],
        preparation_for_dose=_volumes(d.dose_mg, adm.preparation) if shown else "",
        preparation_source=fmt_source(adm.preparation.source), infusion=infusion,
        hypersensitivity=hypersensitivity_steps(criteria), hypersensitivity_source=hypersensitivity_source(criteria),
        capecitabine=cape,
        sign_fields=["Checks done by (initials / time)", "Second check of dose (initials / time)",
                     "Prepared at (time)", f"Finish infusion by (≤ {fmt_num(adm.preparation.use_within_hours)} h after preparation)",
                     "Premedication given (time)", *INFUSION_SIGN_FIELDS] if shown else
                    ["Prescriber informed (name / time)", "Checked by (initials / time)"],
        contraindication_overrides=[f"{v.title}: {v.line}" for v in contra],
        course_pointer=course.double_check_pointer if course is not None else "",
    )


def _values(f: Finding) -> str:
    """' (Neutrophils 1200 cells/mm³)': what the chair needs to see of why a rule holds."""
    values = "; ".join(dict.fromkeys(f"{v.label}: {value_text(v)}" for v in f.values if v.field != "plan.regimen"))
    return f" ({values})" if values else ""


def _volumes(dose_mg: float | None, prep: Preparation) -> str:
    """The arithmetic a nurse does at the bench, from the PI's concentrations: what to draw up and
    the bag volume that keeps the final concentration within range."""
    if dose_mg is None:
        return ""
    # decimal arithmetic, rounded half up: 64.1 / 2 is 32.05, which float rounding printed as 32.0
    draw = (Decimal(repr(dose_mg)) / Decimal(repr(prep.reconstituted_mg_per_ml))).quantize(
        Decimal("0.1"), rounding=ROUND_HALF_UP)
    lo, hi = prep.final_mg_per_ml
    # rounded inward (6 decimals first: 70.6 / 0.2 is 352.99999... in floating point)
    v_min, v_max = math.ceil(round(dose_mg / hi, 6)), math.floor(round(dose_mg / lo, 6))
    return (f"For this dose ({dose_mg:g} mg): draw up {draw} mL of the reconstituted "
            f"{fmt_num(prep.reconstituted_mg_per_ml)} mg/mL solution ({dose_mg:g} mg ÷ {fmt_num(prep.reconstituted_mg_per_ml)} mg/mL); "
            f"a final volume of {v_min}–{v_max} mL gives {fmt_num(lo)}–{fmt_num(hi)} mg/mL. Verify against the order.")


__all__ = ["INFUSION_SIGN_FIELDS", "Check", "Field", "NurseReport", "TextItem", "build_nurse_report",
           "hypersensitivity_source", "hypersensitivity_steps"]
