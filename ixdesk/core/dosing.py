"""The starting dose: BSA and its cap, hepatic table, CYP3A4 adjustment, mg, vials, billing units.

Every number comes from criteria/dosing.yaml. The dose is proposed for the prescriber to verify:
the card shows each step so a pharmacist can recompute it by hand.
"""

from __future__ import annotations

import math
import re
from typing import Literal

from ixdesk.core.assessment import CapecitabineDose, Dose, Missing, Premedication, Vial
from ixdesk.core.consult import Consult
from ixdesk.core.criteria import Criteria, DosingFile, HepaticRow
from ixdesk.core.medications import unrecognised_label

BSA_DECIMALS = 4  # float noise must not decide whether 2.2 m2 is 'above 2.2'


def bsa_text(bsa: float) -> str:
    """The BSA as the dose used it (4 decimals, '1.7654'; the cap '2.2'): a printed product
    'mg/m2 × BSA = mg' then adds up from the printed numbers ('× 1.77' did not: 70.8, not 70.6)."""
    return f"{bsa:.{BSA_DECIMALS}f}".rstrip("0").rstrip(".")


def bsa_mosteller(height_cm: float, weight_kg: float) -> float:
    return math.sqrt(height_cm * weight_kg / 3600.0)


def bsa_dubois(height_cm: float, weight_kg: float) -> float:
    return 0.007184 * height_cm**0.725 * weight_kg**0.425


BSA_FORMULAS = {"mosteller": bsa_mosteller, "dubois": bsa_dubois}


def _best_kit(sizes: list[int], i: int, remaining: float, chosen: dict[int, int],
              best: tuple[float, int, dict[int, int]] | None) -> tuple[float, int, dict[int, int]] | None:
    """Depth-first over the counts of each size, largest first; keeps the first plan with the
    fewest mg, then the fewest vials. A module function, not a closure that calls itself: such a
    closure is a reference cycle, left to the cyclic collector after every dose computed."""
    if i == len(sizes) - 1:
        n = max(0, math.ceil(round(remaining / sizes[i], 9)))
        plan = {**chosen, sizes[i]: n}
        key = (sum(s * c for s, c in plan.items()), sum(plan.values()))
        return (key[0], key[1], plan) if best is None or key < best[:2] else best
    for n in range(math.ceil(remaining / sizes[i]) + 1):
        best = _best_kit(sizes, i + 1, remaining - n * sizes[i], {**chosen, sizes[i]: n}, best)
    return best


def vial_plan(dose_mg: float, sizes: list[int]) -> list[Vial]:
    """Fewest milligrams wasted, then fewest vials, from the available kit sizes."""
    if dose_mg <= 0:
        return []
    ordered = sorted(set(sizes), reverse=True)
    best = _best_kit(ordered, 0, dose_mg, {}, None)
    assert best is not None
    return [Vial(size_mg=s, count=c) for s, c in sorted(best[2].items(), reverse=True) if c]


def hepatic_row(d: DosingFile, ast_x: float, alt_x: float, bili_x: float) -> HepaticRow:
    """First row whose limits all hold, top-down, as the PI table is read."""
    for row in d.hepatic.rows:
        t_ok = row.transaminases_max_x_uln is None or (ast_x <= row.transaminases_max_x_uln and alt_x <= row.transaminases_max_x_uln)
        b_ok = row.bilirubin_max_x_uln is None or bili_x <= row.bilirubin_max_x_uln
        if t_ok and b_ok:
            return row
    return d.hepatic.rows[-1]


def compute_dose(consult: Consult, criteria: Criteria, inhibitors: list[str] | None, inducers: list[str] | None,
                 *, prior_reaction: bool | None, unrecognised: list[str] | None = None,
                 moderate_inhibitors: list[str] | None = None, moderate_inducers: list[str] | None = None,
                 inhibitor_unverified: list[str] | None = None) -> Dose:
    """``inhibitors``/``inducers``: lines naming a strong CYP3A4 inhibitor / inducer, or None when
    medications are not recorded; ``unrecognised``: lines the dictionary does not recognise, any of
    which could be a strong inhibitor, so the full dose is never given silently beside them;
    ``inhibitor_unverified``: the inhibitor match rests on the FDA summary only (unverified);
    ``prior_reaction``: to ixabepilone, from the history or a regimen stopped for hypersensitivity."""
    d = criteria.dosing
    p, labs, plan = consult.patient, consult.labs, consult.plan.regimen
    missing: list[Missing] = []
    notes: list[str] = []
    adjustments: list[str] = []
    unverified: list[str] = []
    state: Literal["computed", "unknown", "not_recommended"] = "computed"
    unrec = list(unrecognised or []) if inhibitors is not None else []

    # body surface area
    formula = consult.plan.bsa_formula
    bsa = bsa_used = None
    capped = False
    if p.height_cm is None:
        missing.append(Missing(field="patient.height_cm", label="height"))
    if p.weight_kg is None:
        missing.append(Missing(field="patient.weight_kg", label="weight"))
    if p.height_cm is not None and p.weight_kg is not None:
        bsa = round(BSA_FORMULAS[formula](p.height_cm, p.weight_kg), BSA_DECIMALS)
        capped = bsa > d.bsa.cap_m2
        bsa_used = d.bsa.cap_m2 if capped else bsa
        if capped:
            adjustments.append(f"BSA {bsa:.2f} m² is above {d.bsa.cap_m2:g} m²: dosed as {d.bsa.cap_m2:g} m²")

    # mg/m2: hepatic function and plan
    mg_m2: float | None = None
    row_label: str | None = None
    undecided: str | None = None  # why no dose when nothing is missing
    hepatic_mg: float | None = None  # the hepatic row's dose when it is a reduction
    later_row: HepaticRow | None = None  # a row with a later step up (20 -> at most 30 mg/m2)
    liver = {name: getattr(labs, name) for name in ("ast", "alt", "bilirubin")}
    for name, lab in liver.items():
        if lab is None:
            missing.append(Missing(field=f"labs.{name}", label=f"{'total bilirubin' if name == 'bilirubin' else name.upper()} with its ULN"))
    if plan is None:
        missing.append(Missing(field="plan.regimen", label="planned regimen"))
    if all(lab is not None for lab in liver.values()):
        ast_x, alt_x, bili_x = (liver[n].x_uln for n in ("ast", "alt", "bilirubin"))
        row = hepatic_row(d, ast_x, alt_x, bili_x)
        if plan == "with_capecitabine":
            normal = d.hepatic.rows[0]
            if row.id == normal.id:
                mg_m2, row_label = d.standard.mg_per_m2, normal.label
            else:
                state = "not_recommended"
                row_label = "contraindicated with capecitabine (AST/ALT > 2.5 × ULN or bilirubin > 1 × ULN)"
                notes.append("Ixabepilone with capecitabine is contraindicated at these liver tests (boxed warning).")
        elif plan is not None and plan not in d.hepatic.applies_to:
            if row.id == d.hepatic.rows[0].id:
                mg_m2, row_label = d.standard.mg_per_m2, row.label
            else:
                row_label = f"{row.label} — the PI's hepatic table covers monotherapy only"
                undecided = ("Liver tests are outside the normal row and the PI gives no hepatic dosing for this "
                             "combination: the starting dose is the prescriber's decision.")
                notes.append(undecided)
        elif plan in d.hepatic.applies_to:
            row_label = row.label
            if row.mg_per_m2 is None:
                state = "not_recommended"
                notes.append(f"Hepatic table: {row.label}: {row.note or 'not recommended'}.")
            else:
                mg_m2 = row.mg_per_m2
                if mg_m2 != d.standard.mg_per_m2:
                    adjustments.append(f"Hepatic impairment ({row.label}): {mg_m2:g} mg/m²")
                    hepatic_mg = mg_m2
                if row.later_max_mg_per_m2 is not None:
                    later_row = row  # its note depends on the inhibitor check, below
                elif row.note:
                    notes.append(f"Hepatic table: {row.note}.")

    # CYP3A4
    if inhibitors is None or inducers is None:
        missing.append(Missing(field="history.medications", label="current medications (CYP3A4 check)"))
        notes.append("Medications are not recorded: strong CYP3A4 inhibitors and inducers could not be checked.")
    inhibitor_class = criteria.medications.class_("strong_inhibitor")
    topical: list[str] = []
    if inhibitors and inhibitor_class.topical_note:
        # whole words only: "liqui-gel" is a capsule, not a gel
        markers = [re.compile(r"(?<![\w-])" + re.escape(m.casefold()) + r"(?![\w-])") for m in inhibitor_class.topical_markers]
        topical = [med for med in inhibitors if any(m.search(med.casefold()) for m in markers)]
        notes.extend(f"{med}: " + " ".join(inhibitor_class.topical_note.split()) for med in topical)
    inhibitor_mg = d.cyp3a4.inhibitor_mg_per_m2
    if inhibitors and mg_m2 is not None:
        route = " — a topical form is listed: confirm the route" if topical else ""
        if hepatic_mg is not None:
            # The PI gives the two adjustments separately and no rule for both: never above the lower.
            mg_m2 = min(hepatic_mg, inhibitor_mg)
            adjustments.append(f"Strong CYP3A4 inhibitor ({'; '.join(inhibitors)}) with hepatic impairment: the lower of "
                               f"the two doses, {mg_m2:g} mg/m² (hepatic row {hepatic_mg:g} mg/m², inhibitor "
                               f"{inhibitor_mg:g} mg/m²) if the inhibitor cannot be avoided{route}")
            notes.append(" ".join(d.cyp3a4.with_hepatic.note.split()))
            unverified.append("Strong CYP3A4 inhibitor with hepatic impairment: this pairing was not studied; the "
                              "lower of the two doses is IxDesk's reading (no source states a combined rule)")
        elif mg_m2 > inhibitor_mg:
            adjustments.append(f"Strong CYP3A4 inhibitor ({'; '.join(inhibitors)}): reduced to {inhibitor_mg:g} mg/m² if it cannot be avoided"
                               + route)
            mg_m2 = inhibitor_mg
        notes.append(" ".join(d.cyp3a4.inhibitor_note.split()))
    if inhibitors and inhibitor_unverified:
        unverified.extend(f"Strong CYP3A4 inhibitor: {u}" for u in inhibitor_unverified)
    if later_row is not None:
        step = f"the later step up to {later_row.later_max_mg_per_m2:g} mg/m²"
        if inhibitors:
            notes.append(f"Hepatic table: {step} is not offered while the strong CYP3A4 inhibitor continues.")
        elif unrec:
            notes.append(f"Hepatic table: {later_row.note}, but only if none of {'; '.join(unrec)} is a strong "
                         "CYP3A4 inhibitor (not recognised: check for CYP3A4 interaction).")
        elif inhibitors is None:
            notes.append(f"Hepatic table: {later_row.note}, but only if no current medication is a strong CYP3A4 "
                         "inhibitor (medications not recorded).")
        elif later_row.note:
            notes.append(f"Hepatic table: {later_row.note}.")
    if inducers:
        notes.append(f"Strong CYP3A4 inducer ({'; '.join(inducers)}): " + " ".join(d.cyp3a4.inducer_note.split()))
    for kind, lines in (("inhibitor", moderate_inhibitors), ("inducer", moderate_inducers)):
        if lines:
            notes.append(f"Moderate CYP3A4 {kind} ({'; '.join(lines)}): " + " ".join(d.cyp3a4.moderate.note.split()))

    # An unrecognised medication may be a strong inhibitor: the dose then depends on it, unless the
    # dose is already at or below the inhibitor's (then every answer gives the same dose: a note).
    unless_mg = if_mg = None
    unrec_text = "; ".join(unrec)
    if unrec and not inhibitors:
        unrec_missing = Missing(field="history.medications", label=unrecognised_label(unrec))
        if mg_m2 is not None and mg_m2 > inhibitor_mg and state == "computed":
            unless_mg, if_mg = mg_m2, inhibitor_mg
            missing.append(unrec_missing)
            notes.append(f"{unless_mg:g} mg/m² unless {unrec_text} is a strong CYP3A4 inhibitor (then {if_mg:g} mg/m²): "
                         "not recognised: check for CYP3A4 interaction.")
            state = "unknown"
        elif mg_m2 is not None and state == "computed":
            notes.append(f"{unrec_text}: not recognised; the dose is {mg_m2:g} mg/m² whether or not it is a strong CYP3A4 "
                         "inhibitor, but check for CYP3A4 interaction.")
        elif state == "computed" and undecided is None:
            missing.append(unrec_missing)
    elif inhibitors is None and mg_m2 is not None and mg_m2 > inhibitor_mg and state == "computed":
        # not recorded: the same open question, for the whole list (it is already named as missing)
        unless_mg, if_mg = mg_m2, inhibitor_mg
        notes.append(f"{unless_mg:g} mg/m² unless a current medication is a strong CYP3A4 inhibitor "
                     f"(then {if_mg:g} mg/m²): record the current medications.")
        state = "unknown"

    if state == "computed" and (mg_m2 is None or bsa_used is None):
        state = "unknown"
    unless_dose = round(unless_mg * bsa_used, 1) if unless_mg is not None and bsa_used is not None else None
    if_dose = round(if_mg * bsa_used, 1) if if_mg is not None and bsa_used is not None else None

    dose_mg = round(mg_m2 * bsa_used, 1) if (state == "computed" and mg_m2 is not None and bsa_used is not None) else None
    vials = vial_plan(dose_mg, d.kits.vials_mg) if dose_mg else []
    units = math.ceil(round(dose_mg / d.billing.mg_per_unit, 6)) if dose_mg else None
    if units is not None and units > d.billing.units_cap_per_cycle:
        notes.append(f"{units} units of {d.billing.hcpcs} exceed the {d.billing.units_cap_per_cycle} units per {d.standard.cycle_days} days that payers commonly allow.")

    cape = None
    if plan == "with_capecitabine" and bsa is not None:
        c = d.capecitabine
        cape = CapecitabineDose(
            mg_per_m2_per_dose=c.mg_per_m2_per_dose, bsa_m2=bsa,
            mg_per_dose=round(c.mg_per_m2_per_dose * bsa), schedule=f"twice daily, {c.days}",
        )
        notes.append(c.note)

    premeds: list[Premedication] = []
    reaction = prior_reaction
    for item in d.premedication.items:
        conditional = not item.required
        if conditional and reaction is False:
            continue
        required = item.required or reaction is True
        when = item.when if not conditional or reaction else f"{item.when} — prior reaction not recorded"
        premeds.append(Premedication(id=item.id, drug=item.drug, dose=item.dose, route=item.route,
                                     timing=item.timing, when=when, required=required))
    if reaction is True:
        notes.append("Prior hypersensitivity to ixabepilone: corticosteroid added; consider a longer infusion.")

    if state == "computed":
        assert bsa_used is not None  # a computed dose had a BSA
        vial_text = " + ".join(f"{v.count} × {v.size_mg:g} mg" for v in vials)
        summary = (f"{dose_mg:g} mg ({mg_m2:g} mg/m² × {bsa_text(bsa_used)} m²) IV over {d.standard.infusion_hours:g} hours "
                   f"every {d.standard.cycle_days} days; kits {vial_text}")
    elif state == "not_recommended":
        summary = "No starting dose: " + (notes[0] if notes else "not recommended")
    elif undecided:  # entering what is missing would not give a dose either
        summary = "No dose computed: " + undecided
    elif unless_mg is not None and bsa_used is not None and len(missing) == 1:
        who, todo = ((unrec_text, "check for CYP3A4 interaction") if unrec else
                     ("a current medication", "medications not recorded"))
        what = "a medication not recognised" if unrec else "the medications"
        summary = (f"Dose depends on {what}: {unless_dose:g} mg ({unless_mg:g} mg/m² × {bsa_text(bsa_used)} m²) "
                   f"unless {who} is a strong CYP3A4 inhibitor (then {if_dose:g} mg, {if_mg:g} mg/m²) — {todo}")
    elif missing:
        summary = "Dose not yet computable — missing: " + ", ".join(m.label for m in missing)
    else:
        summary = "No dose computed: the starting dose is the prescriber's decision."

    return Dose(
        state=state, summary=summary, bsa_formula=formula, height_cm=p.height_cm, weight_kg=p.weight_kg,
        bsa_m2=bsa, bsa_used_m2=bsa_used, bsa_capped=capped, standard_mg_per_m2=d.standard.mg_per_m2,
        hepatic_row=row_label, mg_per_m2=mg_m2 if state == "computed" else None, adjustments=adjustments,
        dose_mg=dose_mg, vials=vials, vial_total_mg=sum(v.size_mg * v.count for v in vials) if vials else None,
        hcpcs_code=d.billing.hcpcs, hcpcs_units=units, infusion_hours=d.standard.infusion_hours,
        cycle_days=d.standard.cycle_days, capecitabine=cape, premedication=premeds,
        prior_reaction=reaction, notes=notes,
        missing=missing, unverified=unverified, unrecognised_medications=unrec,
        mg_per_m2_unless_strong_inhibitor=unless_mg, dose_mg_unless_strong_inhibitor=unless_dose,
        mg_per_m2_if_strong_inhibitor=if_mg, dose_mg_if_strong_inhibitor=if_dose,
    )
