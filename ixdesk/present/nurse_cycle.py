"""The nurse's independent double check for the cycle about to start, as data.

The 2024 ASCO/ONS antineoplastic administration safety standards ask for an independent double
check before each administration: two people verify, each on their own, the patient, the order
and the preparation. This sheet carries the values the consult holds (the two identifiers, the
day's weight and labs, the dose the next-cycle decision gives, the volumes and pump rate the PI's
concentrations give) with a blank beside each for the second checker's own figure.

Same rule as the start sheet (``ixdesk.present.nurse``): when the gate is hold or not decided, or the
dose is discontinue or not decided, the sheet prints NO dose, volume or draw-up amount; it says
what holds, why, and whom to call. Every number comes from the criteria (preparation, kits,
premedication, standard infusion time) or from the consult; nothing clinical is typed here.
"""

from __future__ import annotations

import math
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from ixdesk.core.assessment import Assessment
from ixdesk.core.consult import Consult
from ixdesk.core.course import assess_next_cycle
from ixdesk.core.course_policy import CoursePolicy
from ixdesk.core.course_result import NextCycleDecision
from ixdesk.core.criteria import Criteria, Preparation
from ixdesk.core.dosing import bsa_text, vial_plan
from ixdesk.present import course_liver as liver_words
from ixdesk.present.course_history import (
    NextCycleSummary, cumulative_words, cycle_dose, date_ahead_words, dose_words, signed, summarise, weight_words,
)
from ixdesk.present.formats import NOT_RECORDED, fmt_date, fmt_num
from ixdesk.present.nurse import INFUSION_SIGN_FIELDS, hypersensitivity_source, hypersensitivity_steps
from ixdesk.present.report_base import (
    Data, Meta, PatientId, PremedRow, fmt_source, join_nonempty, make_meta, mark, plan_text, premedication_rows,
)
from ixdesk.present.settings import ReportSettings
from ixdesk.present.words import contraception_text


class CheckRow(Data):
    """One line both checkers verify: what the consult holds, and a blank for each checker."""

    item: str
    value: str
    unverified: bool = False
    alert: bool = False  # printed in red: the value itself stops the cycle


class CycleCheckReport(Data):
    meta: Meta
    title: str  # "Cycle 4 double check"
    cycle_day: str  # "Cycle 4, day 1"
    cycle_date: str
    plan: str
    prescriber: str
    patient: PatientId
    dose_shown: bool
    state_text: str  # "GO", "HOLD", "NOT DECIDED", "DISCONTINUE"
    hold: list[str]  # why no dose is printed, one line each
    checks: list[str]  # beside a GO: what both checkers look at before giving (liver tests not drawn)
    call: str
    identity: list[CheckRow]  # identifiers, consent, allergies, pregnancy
    body: list[CheckRow]  # height, weight, BSA, dose: recomputed by the second checker
    gate: list[CheckRow]
    gate_source: str
    toxicity: list[str]
    dose_change: str
    changed_by: list[str]
    capecitabine: list[str]  # with capecitabine: its holds after the previous cycle, with their resumption
    administration: list[CheckRow]  # empty unless the dose is shown
    administration_source: str
    premedication: list[PremedRow]
    premedication_source: str
    notes: list[str]
    signatures: list[str]
    recurrence: str = ""  # which toxicity recurred after its reduction ("" when none)
    cumulative: str = ""  # the cumulative ixabepilone of the cycles given (printed beside the dose)
    # with a dose shown, as on the start checklist (one source each, ``ixdesk.present.nurse``): what
    # to watch for and do in a reaction, and the infusion's start, end and observation lines
    hypersensitivity: list[str] = []
    hypersensitivity_source: str = ""
    infusion_signatures: list[str] = []


def _draw_up(dose_mg: float, prep: Preparation) -> Decimal:
    # decimal arithmetic, rounded half up, as the start sheet does (64.1 / 2 is 32.05, not 32.0)
    return (Decimal(repr(dose_mg)) / Decimal(repr(prep.reconstituted_mg_per_ml))).quantize(
        Decimal("0.1"), rounding=ROUND_HALF_UP)


def final_volume_range(dose_mg: float, prep: Preparation) -> tuple[int, int]:
    """Whole mL of final volume that keep the concentration within the PI's range (rounded inward)."""
    lo, hi = prep.final_mg_per_ml
    return math.ceil(round(dose_mg / hi, 6)), math.floor(round(dose_mg / lo, 6))


def pump_rate(volume_ml: float, hours: float) -> str:
    """mL/h to one decimal (the pump's usual resolution), rounded half up."""
    return str((Decimal(repr(volume_ml)) / Decimal(repr(hours))).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def _yn(v: bool | None, yes: str, no: str) -> str:
    return NOT_RECORDED if v is None else (yes if v else no)


def _identity(consult: Consult, patient: PatientId, criteria: Criteria) -> list[CheckRow]:
    h, p = consult.history, consult.patient
    ids = join_nonempty([f"Name: {patient.name}", f"Date of birth: {patient.date_of_birth}",
                         f"Record number: {patient.record_number}" if patient.record_number else None], "; ")
    allergy = "; ".join([
        "Cremophor EL (paclitaxel, Ixempra) hypersensitivity: " + _yn(
            h.cremophor_hypersensitivity,
            "YES" + (f", grade {h.cremophor_hypersensitivity_grade}" if h.cremophor_hypersensitivity_grade else ""), "none"),
        "prior reaction to ixabepilone: " + _yn(h.prior_ixabepilone_reaction, "YES: corticosteroid premedication", "none"),
        "other allergies: check the chart",
    ])
    rows = [
        CheckRow(item="Two patient identifiers", value=ids + " (ask the patient; match wristband and order)"),
        CheckRow(item="Consent on file", value="not held in IxDesk: check the chart"),
        CheckRow(item="Allergies and prior reactions", value=allergy,
                 alert=bool(h.cremophor_hypersensitivity or h.prior_ixabepilone_reaction)),
    ]
    if p.sex != "male":
        preg = criteria.administration.pregnancy
        rows.append(CheckRow(item="Pregnancy status",
                             value=_yn(p.pregnant, "PREGNANT recorded", "not pregnant (at consult)")
                             + "; confirm today. " + contraception_text(preg.contraception_female_months, preg.contraception_male_months, p.sex).capitalize(),
                             unverified=preg.confidence == "unverified", alert=p.pregnant is True))
    return rows


def _body(consult: Consult, d: NextCycleDecision, shown: bool, assessment: Assessment | None) -> list[CheckRow]:
    h = consult.patient.height_cm
    formula = {"mosteller": "Mosteller", "dubois": "DuBois"}[consult.plan.bsa_formula]
    weight, flagged = weight_words(d.weight_check, with_weight=False)  # the change, on the weight's line
    rows = [CheckRow(item="Height; weight today",
                     value=(f"{fmt_num(h)} cm" if h is not None else "height " + NOT_RECORDED) + "; " +
                           (f"{fmt_num(d.weight_kg)} kg" if d.weight_kg is not None else "weight " + NOT_RECORDED)
                           + (f": {weight}" if weight else ""), alert=flagged)]
    bsa = NOT_RECORDED
    if d.bsa_m2 is not None:
        bsa = f"{bsa_text(d.bsa_m2)} m²" + (f" → dosed as {bsa_text(d.bsa_used_m2)} m² (cap)"
                                             if d.bsa_capped and d.bsa_used_m2 is not None else "")
    rows.append(CheckRow(item=f"BSA ({formula}, today's weight)", value=bsa))
    if shown:
        m2, mg = cycle_dose(d, assessment)
        r = d.rounding
        cum = cumulative_words(d.cumulative)  # the course so far, beside the dose it adds to
        so_far = f". {cum}" if cum and d.cumulative is not None and d.cumulative.cycles else ""
        if r is not None and r.applied and r.mg != r.unrounded_mg and mg is not None:
            # the clinic rounds: both checkers recompute the unrounded dose, and the order is the rounded one
            rows.append(CheckRow(item="Dose, unrounded",
                                 value=f"{fmt_num(m2)} mg/m² × {bsa_text(d.bsa_used_m2 or 0)} m² = "
                                       f"{fmt_num(r.unrounded_mg)} mg (not the order: rounded below)" + so_far))
            rows.append(CheckRow(item="DOSE ORDERED (rounded)",
                                 value=f"{fmt_num(r.mg)} mg, {signed(r.deviation_percent, 2)}% from {fmt_num(r.unrounded_mg)} mg "
                                       f"(clinic policy: step {fmt_num(r.step_mg)} mg, at most "
                                       f"{fmt_num(r.max_percent)}%): prepare {fmt_num(r.mg)} mg"))
        else:
            rows.append(CheckRow(item="Dose (mg/m² × BSA = mg)",
                                 value=(f"{fmt_num(m2)} mg/m² × {bsa_text(d.bsa_used_m2 or 0)} m² = {fmt_num(mg)} mg"
                                        if mg is not None else f"{fmt_num(m2)} mg/m²; mg not computed") + so_far))
            if r is not None:
                rows.append(CheckRow(item="Dose rounding (clinic policy)",
                                     value=f"not rounded: {fmt_num(mg)} mg is the order ({r.text})"))
    return rows


def _administration(dose_mg: float, hours: float, criteria: Criteria) -> list[CheckRow]:
    prep, kits = criteria.administration.preparation, criteria.dosing.kits
    vials = vial_plan(dose_mg, kits.vials_mg)
    v_min, v_max = final_volume_range(dose_mg, prep)
    lo, hi = prep.final_mg_per_ml
    steps = {s.text: s.confidence for s in prep.steps}
    diluent = next((t for t in steps if t.startswith("Dilute")), "")
    filt = next((t for t in steps if "filter" in t), "")
    conc = fmt_num(prep.reconstituted_mg_per_ml)
    return [
        CheckRow(item="Drug and dose", value=f"Ixabepilone (Ixempra kit) {fmt_num(dose_mg)} mg; kits: "
                 + " + ".join(f"{v.count} × {fmt_num(v.size_mg)} mg" for v in vials)
                 + f" ({fmt_num(sum(v.size_mg * v.count for v in vials))} mg)"),
        CheckRow(item="Volume to draw up",
                 value=f"{_draw_up(dose_mg, prep)} mL of the reconstituted {conc} mg/mL solution "
                       f"({fmt_num(dose_mg)} mg ÷ {conc} mg/mL)"),
        CheckRow(item="Diluent and bag", value=diluent, unverified=steps.get(diluent) == "unverified"),
        CheckRow(item="Final volume in the bag",
                 value=f"{v_min}–{v_max} mL gives {fmt_num(lo)}–{fmt_num(hi)} mg/mL; volume used: ______ mL"),
        CheckRow(item="Route and set", value="Intravenous infusion. " + filt, unverified=steps.get(filt) == "unverified"),
        CheckRow(item="Infusion duration", value=f"{fmt_num(hours)} hours"),
        CheckRow(item="Pump rate (mL/h)",
                 value=f"final volume ÷ {fmt_num(hours)} h = ______ mL/h ({v_min} mL → {pump_rate(v_min, hours)} mL/h; "
                       f"{v_max} mL → {pump_rate(v_max, hours)} mL/h)"),
        CheckRow(item="Must finish by",
                 value=f"prepared at __:__ + {fmt_num(prep.use_within_hours)} h = finish by __:__ "
                       f"(start the {fmt_num(hours)}-hour infusion by __:__, prepared + "
                       f"{fmt_num(prep.use_within_hours - hours)} h)"),
    ]


def build_cycle_check_report(consult: Consult, assessment: Assessment, criteria: Criteria,
                             settings: ReportSettings, printed_on: date,
                             policy: CoursePolicy | None = None) -> CycleCheckReport:
    """The double check for the cycle about to start. A consult without a course gets the first
    cycle's sheet (the course is empty): the gate then needs the day's labs like any cycle."""
    from ixdesk.core.consult import Course

    course_consult = consult if consult.course is not None else consult.model_copy(update={"course": Course()})
    d = assess_next_cycle(course_consult, criteria, printed_on, policy)
    assert d is not None  # the consult has a course
    s: NextCycleSummary = summarise(course_consult, d, assessment)
    patient = PatientId.from_consult(consult)
    n = d.cycle_number or 1
    title = f"Cycle {n} double check"
    header_right = join_nonempty([patient.name, f"MRN {patient.record_number}" if patient.record_number else None,
                                  f"DOB {patient.date_of_birth}"])
    meta = make_meta("nurse", title, f"Ixabepilone cycle {n} double check for {patient.name}", header_right,
                     consult, assessment, criteria, printed_on)
    shown = s.dose_shown
    hold: list[str] = []
    if d.gate == "hold":
        state_text = "HOLD"
        hold.append("The cycle-start gate is not met: do not prepare or give ixabepilone.")
        hold += [f"{g.label}: {g.value} (needs {g.threshold})" + (f": {g.note}" if g.note else "")
                 for g in s.gate_lines if g.state == "not_met"]
    elif d.gate == "unknown":
        state_text = "NOT DECIDED"
        hold.append("The cycle-start gate cannot be checked: do not prepare ixabepilone.")
    elif d.action == "discontinue":
        state_text = "DISCONTINUE"
        hold.append("The dose rules say discontinue: do not prepare or give ixabepilone. " + (s.rule_text or ""))
    elif not shown:
        state_text = "NOT DECIDED"
        hold.append("The dose is not decided: do not prepare ixabepilone until the prescriber completes the order.")
    else:
        state_text = "GO"
    if not shown and s.missing:
        hold.append("Missing: " + "; ".join(s.missing))
    prescriber = (consult.plan.prescriber or "").strip()
    phone = settings.clinic_phone.strip()
    call = join_nonempty([f"the prescriber, {prescriber}" if prescriber else "the prescriber (name not recorded)",
                          f"clinic {phone}" if phone else "clinic number: ______________"], "; ")
    cs = criteria.administration.cycle_start
    labs_ahead = next((x for x in d.dates_ahead if x.field == "course.next_cycle.labs.date"), None)
    gate = [CheckRow(item="Labs drawn", value=s.labs_when + (
        f": AFTER the as-of date {fmt_date(labs_ahead.as_of)}, check the date" if labs_ahead else ""))]
    # a line with its own note (the combination's liver tests) says it in place of "not decided"; not
    # drawn, the check at the top gives the fields and the limits
    gate += [CheckRow(item=g.label, value=(g.value if g.note and g.state == "unknown" else
                                           f"{g.value} (needs {g.threshold}): "
                                           + {"met": "met", "not_met": "NOT MET", "unknown": "not decided"}[g.state]
                                           + (f": {g.note}" if g.note and g.state == "not_met" else "")),
                      alert=g.state == "not_met", unverified=cs.confidence == "unverified") for g in s.gate_lines]
    gate_text = s.gate_text
    liver_check = liver_words.short_check_words(d.liver) if d.liver is not None else ""
    if d.gate == "go" and not s.dose_shown:  # the counts allow a cycle, the dose does not: say both
        gate_text = "Counts and toxicity grade allow a cycle; but no dose is decided: see the box above"
    elif d.gate == "go" and liver_check:  # never a bare Go beside liver tests not drawn (one line)
        gate_text = f"Go on counts and toxicity; {liver_check}"
    gate.append(CheckRow(item="Gate", value=gate_text, alert=d.gate != "go" or not s.dose_shown))
    adm: list[CheckRow] = []
    _m2, mg = cycle_dose(d, assessment)
    std_hours = criteria.dosing.standard.infusion_hours
    hours = assessment.dose.infusion_hours or std_hours
    ahead = sum(1 for x in d.dates_ahead if x is not labs_ahead)
    # the labs' date ahead is said on the labs' own line; the cycles given ahead here
    notes = [f"Date check: {date_ahead_words(x)}" for x in d.dates_ahead if x is not labs_ahead] + list(s.notes)
    if hours != std_hours:
        notes.append(f"This order infuses over {fmt_num(hours)} hours (not the standard {fmt_num(std_hours)}).")
    if shown and mg is not None:
        adm = _administration(mg, hours, criteria)
        if consult.plan.regimen == "with_capecitabine" and d.bsa_m2 is not None:
            cape = criteria.dosing.capecitabine
            adm.append(CheckRow(
                item="Capecitabine (tablets at home)",
                value=f"{fmt_num(cape.mg_per_m2_per_dose)} mg/m² × {bsa_text(d.bsa_m2)} m² = "
                      f"{fmt_num(round(cape.mg_per_m2_per_dose * d.bsa_m2))} mg per dose, twice daily, {cape.days}; "
                      f"{cape.note}", unverified=cape.confidence == "unverified"))
    elif shown:  # decided, but the mg needs the weight or height: no volumes without it
        shown = False
        state_text = "NOT DECIDED"
        hold.append("The dose in mg cannot be computed: " + "; ".join(s.missing or ["weight or height missing"]))
    dosing = criteria.dosing
    return CycleCheckReport(
        meta=meta, title=title, cycle_day=f"Cycle {n}, day 1", cycle_date=s.date, plan=plan_text(consult.plan.regimen),
        prescriber=prescriber or NOT_RECORDED, patient=patient, dose_shown=shown, state_text=state_text, hold=hold,
        # on the GO line itself (one line): the liver tests' line and the gate row give the detail
        checks=([f"CHECK FIRST: liver tests {liver_words.NOT_DRAWN_SHORT}"] if liver_check else [])
        # the course dates ahead the notes list (the labs' is on its own line)
        + ([f"CHECK: {ahead} course date{'s' if ahead != 1 else ''} after the as-of date {fmt_date(printed_on)} "
            "(see the notes)"] if ahead else []),
        call=call, identity=_identity(consult, patient, criteria), body=_body(consult, d, shown, assessment),
        # which toxicity recurred, read with the toxicities recorded (the recurrence row is in the dose change)
        gate=gate, gate_source=fmt_source(cs.source), toxicity=s.toxicities + ([s.recurrence_text] if s.recurrence_text else []),
        dose_change=s.dose_text if shown else dose_words(d, assessment, numbers=False),
        changed_by=s.changed_by, capecitabine=s.capecitabine, administration=adm,
        administration_source=fmt_source(criteria.administration.preparation.source),
        premedication=premedication_rows(assessment, criteria) if shown else [],
        premedication_source=fmt_source(dosing.premedication.source) + mark(dosing.premedication.confidence),
        notes=notes,
        signatures=["First checker", "Second checker (independent)"] if shown else
        ["Prescriber informed", "Checked by (nurse)"],
        # a held sheet prints no mg/m² at all (nothing to mistake for a dose): the course total is on
        # the clinician summary and the window
        recurrence=s.recurrence_text, cumulative=s.cumulative_text if shown else "",
        hypersensitivity=hypersensitivity_steps(criteria) if shown else [],
        hypersensitivity_source=hypersensitivity_source(criteria) if shown else "",
        infusion_signatures=list(INFUSION_SIGN_FIELDS) if shown else [],
    )


__all__ = ["CheckRow", "CycleCheckReport", "build_cycle_check_report", "final_volume_range", "pump_rate"]
