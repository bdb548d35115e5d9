"""The next-cycle decision: may the cycle about to start go, and at what dose (PI 2; facts sheet 6, 8).

Pure: the consult's course, the criteria and the as-of date in, a :class:`NextCycleDecision` out.
Every input the course does not record stays unknown and is named; a result is decided only when
every value of the missing inputs would give it. The dose-modification rows are the YAML's
(``administration.dose_modifications``), each reduction 20% of the current dose, so a toxicity that
recurs after a reduction is a further 20% (40 → 32 → 25.6 mg/m²).
"""

from __future__ import annotations

from datetime import date

from ixdesk.core.assessment import Missing, State
from ixdesk.core.consult import Consult, CycleGiven, NextCycle, PreviousCycleToxicity
from ixdesk.core.course_anthracycline import anthracycline_exposure
from ixdesk.core.course_dates import dates_ahead
from ixdesk.core.course_liver import liver_check
from ixdesk.core.course_history import Reductions, count_reductions, cumulative, history, weight_check
from ixdesk.core.course_policy import CoursePolicy
from ixdesk.core.course_result import (
    CapecitabineHold, DoseAction, Gate, GateCheck, InhibitorState, ModRowResult, NextCycleDecision, RoundedDose,
)
from ixdesk.core.course_rounding import round_dose
from ixdesk.core.criteria import Criteria, ModRow
from ixdesk.core.cycle_start import cycle_start_gate
from ixdesk.core.dosing import BSA_DECIMALS, BSA_FORMULAS, hepatic_row
from ixdesk.core.medications import check_class, classify, unrecognised_label

_NC = "course.next_cycle"
_TOX = f"{_NC}.toxicity"


def _m(field: str, label: str) -> Missing:
    return Missing(field=f"{_TOX}.{field}", label=label)


def _flag(v: bool | None, field: str, label: str) -> tuple[State, list[Missing]]:
    if v is None:
        return "unknown", [_m(field, label)]
    return ("met" if v else "not_met"), []


def _row_state(row: ModRow, t: PreviousCycleToxicity, days: int) -> tuple[State, list[Missing]]:
    """One row against the toxicities; the recurrence row is decided afterwards."""
    rid = row.id
    if rid == "mod.neutrophils_500_7d":
        if t.neutrophils_below_500_days is None:
            return "unknown", [_m("neutrophils_below_500_days", "days with neutrophils below 500/mm³")]
        return ("met" if t.neutrophils_below_500_days >= days else "not_met"), []
    if rid == "mod.febrile_neutropenia":
        return _flag(t.febrile_neutropenia, "febrile_neutropenia", "febrile neutropenia")
    if rid == "mod.platelets":
        if t.platelets_low is None:
            return "unknown", [_m("platelets_low", "lowest platelets")]
        if t.platelets_low == "below_25000":
            return "met", []
        if t.platelets_low == "none":
            return "not_met", []
        return _flag(t.bleeding, "bleeding", "bleeding with platelets below 50,000/mm³")
    if rid.startswith("mod.neuropathy_"):
        return _neuropathy(rid, t, days)
    if rid == "mod.other_g3":
        return _flag(t.other_grade3, "other_grade3", "other grade 3 toxicity")
    if rid == "mod.transient_g3":
        return _flag(t.transient_grade3_arthralgia_myalgia_fatigue, "transient_grade3_arthralgia_myalgia_fatigue",
                     "transient grade 3 arthralgia, myalgia or fatigue")
    if rid == "mod.hand_foot_g3":
        return _flag(t.grade3_hand_foot_syndrome, "grade3_hand_foot_syndrome", "grade 3 hand-foot syndrome")
    if rid == "mod.grade4":
        if t.any_grade4 or t.neuropathy_grade == 4:
            return "met", []
        return _flag(t.any_grade4, "any_grade4", "any grade 4 toxicity")
    raise ValueError(f"dose-modification row {rid}: no reading of it is defined")


def _neuropathy(rid: str, t: PreviousCycleToxicity, days: int) -> tuple[State, list[Missing]]:
    grade, n, disabling = t.neuropathy_grade, t.neuropathy_days, t.neuropathy_disabling
    if grade is None:
        return "unknown", [_m("neuropathy_grade", "worst neuropathy grade")]
    need_days = [_m("neuropathy_days", "days the neuropathy lasted")]
    need_dis = [_m("neuropathy_disabling", "whether the neuropathy was disabling")]
    if rid == "mod.neuropathy_g2_7d":
        if grade != 2:
            return "not_met", []
        return ("unknown", need_days) if n is None else (("met" if n >= days else "not_met"), [])
    if grade != 3:
        return "not_met", []
    long_ = None if n is None else n >= days
    if rid == "mod.neuropathy_g3_7d":  # lasting ≥ 7 days, or disabling: discontinue
        if long_ or disabling:
            return "met", []
        if long_ is False and disabling is False:
            return "not_met", []
        return "unknown", (need_days if n is None else []) + (need_dis if disabling is None else [])
    # mod.neuropathy_g3_lt7d: lasting < 7 days and not disabling: reduce
    if long_ or disabling:
        return "not_met", []
    if long_ is False and disabling is False:
        return "met", []
    return "unknown", (need_days if n is None else []) + (need_dis if disabling is None else [])


def _labs_not_since(nc: NextCycle, last_given: CycleGiven | None) -> bool:
    """Whether the cycle's labs were drawn on or before the last cycle given: drawn before its
    myelosuppression, they cannot say that the counts have recovered for this one."""
    return (last_given is not None and last_given.date is not None and nc.labs.date is not None
            and nc.labs.date <= last_given.date)


def _gate(consult: Consult, criteria: Criteria, nc: NextCycle,
          last_given: CycleGiven | None = None) -> tuple[Gate, list[GateCheck], list[Missing]]:
    counts = cycle_start_gate(consult.model_copy(update={"labs": nc.labs}), criteria)
    checks: list[GateCheck] = []
    missing: list[Missing] = []
    stale = _labs_not_since(nc, last_given)
    for c in counts.counts:
        count_state: State = "unknown" if stale and c.state == "met" else c.state
        checks.append(GateCheck(check=c.lab, label=c.label, threshold=f"≥ {c.minimum_per_mm3:,.0f}/mm³",
                                value=c.value_per_mm3, state=count_state))
        if stale and c.state == "met":
            assert last_given is not None and last_given.date is not None
            missing.append(Missing(field=f"{_NC}.labs.{c.lab}",
                                   label=f"{c.label.lower()} on the day (the labs were drawn on or before cycle {last_given.number}'s "
                                         f"day, {last_given.date.isoformat()})"))
        elif count_state == "unknown":
            missing.append(Missing(field=f"{_NC}.labs.{c.lab}", label=f"{c.label.lower()} on the day"))
    t = nc.toxicity
    top = counts.nonhematologic_max_grade
    grades: list[int | None] = [t.neuropathy_grade_now]
    need = [] if t.neuropathy_grade_now is not None else [_m("neuropathy_grade_now", "neuropathy grade now")]
    if t.other_grade3 is not False:  # another grade 3 (or not recorded): its grade now is needed
        grades.append(t.other_grade3_grade_now)
        if t.other_grade3_grade_now is None:
            need.append(_m("other_grade3_grade_now", "the other grade 3 toxicity's grade now"))
    known = [g for g in grades if g is not None]
    state: State = "not_met" if any(g > top for g in known) else ("unknown" if need else "met")
    if state != "unknown":
        need = []
    checks.append(GateCheck(check="nonhematologic", label="Non-haematologic toxicity now",
                            threshold=f"resolved or grade ≤ {top}", value=max(known) if known else None, state=state))
    missing += need
    states = [c.state for c in checks]
    gate: Gate = "hold" if "not_met" in states else ("unknown" if "unknown" in states else "go")
    return gate, checks, missing if gate == "unknown" else []


def _since_reduced(prev: float, after: int, cycles: list[CycleGiven], counted: Reductions,
                   criteria: Criteria) -> tuple[float, list[str], list[str]]:
    """The dose before the inhibitor less every toxicity reduction made since (cycles after index
    ``after``): a reduction for a toxicity under the inhibitor is not undone by its stopping. The
    PI gives no rule for both: IxDesk's reading, so unverified. Returns dose, notes, unverified."""
    rows = criteria.administration.dose_modifications.rows
    pct = {r.id: r.reduce_percent for r in rows if r.reduce_percent is not None}
    widest = max(pct.values(), default=0)
    dose, made = prev, []
    for k in range(after + 1, len(cycles)):
        if counted.flags[k]:
            c = cycles[k]
            p = pct.get(c.change_rule or "", widest)  # a reduction whose row is not recorded: the widest
            dose = dose * (1 - p / 100)
            made.append(f"cycle {c.number}: {p:g}%")
    if not made:
        return prev, [], []
    dose = round(dose, 2)
    note = (f"The dose before the strong CYP3A4 inhibitor was {prev:g} mg/m²; the toxicity reduction"
            f"{'s' if len(made) > 1 else ''} made since ({', '.join(made)}) still appl{'y' if len(made) > 1 else 'ies'}: "
            f"{dose:g} mg/m²")
    unv = ("Return after a strong CYP3A4 inhibitor with a toxicity reduction made meanwhile: the previous dose less "
           "that reduction is IxDesk's reading (the PI gives no rule for both)")
    return dose, [note], [unv]


def _inhibitor(nc: NextCycle, criteria: Criteria, cycle_date: date | None, cycles: list[CycleGiven],
               counted: Reductions) -> tuple[InhibitorState, float | None, list[str], list[Missing], list[str]]:
    """The strong-inhibitor state on the cycle's date, and the dose before the inhibitor when it has
    washed out, less the toxicity reductions made since (None: the last cycle's dose stands).
    Returns state, previous dose, notes, missing, unverified."""
    washout = criteria.dosing.cyp3a4.inhibitor_washout_days
    if nc.medications is None:
        return "unknown", None, [], [Missing(field=f"{_NC}.medications", label="current medications")], []
    notes: list[str] = []
    missing: list[Missing] = []
    unverified: list[str] = []
    continues = under_washout = washed = unknown = False
    previous: float | None = None
    for i, med in enumerate(nc.medications):
        check = check_class(classify([med.name], criteria), "strong_inhibitor")
        unverified += check.unverified
        if check.state is None:
            unknown = True
            notes.append(unrecognised_label(check.unrecognised))
            missing.append(Missing(field=f"{_NC}.medications[{i}].name", label=f"{med.name}: CYP3A4 class"))
            continue
        if not check.state:
            continue
        if med.stop_date is None:
            continues = True
            notes.append(f"{med.name} (strong CYP3A4 inhibitor) continues")
            continue
        if cycle_date is None:
            unknown = True
            missing.append(Missing(field=f"{_NC}.planned_date", label="the cycle's date"))
            continue
        since = (cycle_date - med.stop_date).days
        if since < washout:
            under_washout = True
            notes.append(f"{med.name} (strong CYP3A4 inhibitor) stopped {med.stop_date.isoformat()}, "
                         f"{max(since, 0)} days before the cycle: under {washout} days, the dose stays reduced")
            continue
        notes.append(f"{med.name} (strong CYP3A4 inhibitor) stopped {med.stop_date.isoformat()}, {since} days "
                     f"before the cycle: the previous dose returns")
        washed = True
        # the previous dose: the last cycle given before the inhibitor started
        need_start = Missing(field=f"{_NC}.medications[{i}].start_date",
                             label=f"{med.name}: start date (the dose before it)")
        if med.start_date is None or any(c.date is None for c in cycles):
            unknown = True
            missing.append(need_start if med.start_date is None else
                           Missing(field="course.cycles_given", label="the dates of the cycles given"))
            continue
        start = med.start_date
        if not any(start <= c.date <= med.stop_date for c in cycles if c.date is not None):
            continue  # no cycle was given under the inhibitor: the last cycle's dose stands
        before = [k for k, c in enumerate(cycles) if c.date is not None and c.date < start]
        prev = cycles[before[-1]].ixabepilone_mg_per_m2 if before else None
        if prev is None:
            unknown = True
            missing.append(Missing(field="course.cycles_given", label=f"the dose before {med.name} started"))
            continue
        prev, since_notes, since_unv = _since_reduced(prev, before[-1], cycles, counted, criteria)
        notes += since_notes
        unverified += since_unv
        previous = prev if previous is None else min(previous, prev)
    if continues:
        return "continues", None, notes, [], unverified
    if under_washout:
        return "stopped_under_washout", None, notes, [], unverified
    if unknown:
        return "unknown", None, notes, missing, unverified
    return ("stopped_washed_out" if washed else "none"), previous, notes, [], unverified


def _consult_names_inhibitor(consult: Consult, criteria: Criteria) -> bool:
    """Whether the consult's own medication list names a strong CYP3A4 inhibitor (the assessment's
    starting dose is then already the inhibitor's)."""
    meds = consult.history.medications or []
    return check_class(classify(meds, criteria), "strong_inhibitor").state is True


def _hepatic_step(consult: Consult, criteria: Criteria) -> float | None:
    """The hepatic row's later ceiling (30 mg/m²) when the consult's baseline labs put the start on
    the 20 mg/m² row of a plan the hepatic table applies to; None otherwise or when not computable."""
    d, labs = criteria.dosing, consult.labs
    if consult.plan.regimen not in d.hepatic.applies_to:
        return None
    if labs.ast is None or labs.alt is None or labs.bilirubin is None:
        return None
    row = hepatic_row(d, labs.ast.x_uln, labs.alt.x_uln, labs.bilirubin.x_uln)
    return row.later_max_mg_per_m2


def assess_next_cycle(consult: Consult, criteria: Criteria, as_of: date,
                      policy: CoursePolicy | None = None) -> NextCycleDecision | None:
    """None when the consult has no course. ``policy``: the clinic's weight-change threshold and
    dose rounding, read by the caller (None: neither is set, the label gives no default)."""
    course = consult.course
    if course is None:
        return None
    policy = policy or CoursePolicy()
    nc = course.next_cycle or NextCycle()
    mods = criteria.administration.dose_modifications
    dosing = criteria.dosing
    src = f"{mods.source.document}, {mods.source.section}"
    notes: list[str] = []
    missing: list[Missing] = []
    unverified: list[str] = []
    basis: list[str] = []
    cycles = course.cycles_given
    cycle_date = nc.planned_date
    if cycle_date is None:
        cycle_date = as_of
        notes.append(f"No planned date: the cycle is assessed as of {as_of.isoformat()}")
    number = nc.number if nc.number is not None else (cycles[-1].number + 1 if cycles else 1)
    if nc.labs.date is not None and nc.labs.date != cycle_date:
        notes.append(f"The labs are from {nc.labs.date.isoformat()}, not the cycle's date {cycle_date.isoformat()}")
    last_given = cycles[-1] if cycles else None
    if last_given is not None and last_given.date is not None:
        gap = (cycle_date - last_given.date).days
        if 0 <= gap < dosing.standard.cycle_days:
            notes.append(f"Cycle {number} is {gap} day{'s' if gap != 1 else ''} after cycle {last_given.number} "
                         f"({last_given.date.isoformat()}): ixabepilone is given every {dosing.standard.cycle_days} "
                         "days; check the dates")
        if _labs_not_since(nc, last_given):
            assert nc.labs.date is not None
            notes.append(f"The labs of {nc.labs.date.isoformat()} were drawn on or before cycle {last_given.number}'s day "
                         f"({last_given.date.isoformat()}): counts drawn since are needed to start this cycle")

    gate, checks, gate_missing = _gate(consult, criteria, nc, last_given)
    cs = criteria.administration.cycle_start
    basis.append(f"{cs.statement} ({cs.source.document}, {cs.source.section})")
    liver = liver_check(consult, criteria, nc, cycle_date)
    if liver is not None and liver.holds:
        # the label contraindication of the combination: the cycle holds whatever the counts
        gate, gate_missing = "hold", []
        basis.append(f"{liver.statement} ({liver.source})")
    missing += gate_missing

    # the table
    rows: list[ModRowResult] = []
    for row in mods.rows:
        if row.effect == "further_reduce":
            continue
        state, need = _row_state(row, nc.toxicity, mods.days)
        rows.append(ModRowResult(id=row.id, toxicity=row.toxicity, action=row.action, effect=row.effect,
                                 state=state, missing=need))
    counted = count_reductions(consult, criteria)
    reductions_before = counted.count
    notes += counted.notes
    disc = [r for r in rows if r.effect == "discontinue"]
    red = [r for r in rows if r.effect == "reduce"]
    action: DoseAction
    applied: list[ModRowResult]
    if any(r.state == "met" for r in disc):
        action, applied = "discontinue", [r for r in disc if r.state == "met"]
    elif any(r.state == "unknown" for r in disc):
        action, applied = "unknown", [r for r in disc if r.state == "unknown"]
    elif any(r.state == "met" for r in red):
        action, applied = "reduce", [r for r in red if r.state == "met"]
        if any(r.state == "unknown" for r in red):
            notes.append("Other reduction rows are unknown; one 20% reduction is made whatever they are")
    elif any(r.state == "unknown" for r in red):
        action, applied = "unknown", [r for r in red if r.state == "unknown"]
    else:
        action, applied = "no_change", [r for r in rows if r.effect == "no_change" and r.state == "met"]
    if action == "unknown":
        for r in applied:
            missing += r.missing
    recurrence = next(r for r in mods.rows if r.effect == "further_reduce")
    recurs: State | None = None
    recurs_rows: list[str] = []
    if action == "reduce" and reductions_before > 0:
        # the same toxicity again: a further 20%; a new one after a reduction is its own row's 20% of
        # the current dose (the same number: only which rule it is differs)
        recurs_rows = sorted({r.id for r in applied} & counted.rows)
        recurs = "met" if recurs_rows else ("unknown" if counted.unrecorded else "not_met")
        need = [Missing(field=f"course.cycles_given[{i}].change_rule",
                        label=f"cycle {c.number}: the toxicity its reduction was for")
                for i, c in enumerate(cycles) if c.number in counted.unrecorded] if recurs == "unknown" else []
        rows.append(ModRowResult(id=recurrence.id, toxicity=recurrence.toxicity, action=recurrence.action,
                                 effect=recurrence.effect, state=recurs, missing=need))
        if recurs == "unknown":
            notes.append("Whether the same toxicity recurs is not recorded (the earlier reduction's rule): "
                         "the dose is 20% below the current dose either way")
        elif recurs == "not_met":
            notes.append("A different toxicity from the earlier reduction's: 20% below the current dose")
    rule: str | None = applied[0].id if applied and action != "unknown" else None
    rule_text = "; ".join(f"{r.toxicity}: {r.action}" for r in applied) if applied and action != "unknown" else None
    if recurs in ("met", "unknown"):
        rule, rule_text = recurrence.id, f"{rule_text}; {recurrence.toxicity}: {recurrence.action}"
    if rule_text:
        basis.append(f"{rule_text} ({src})")

    # the dose
    current = cycles[-1].ixabepilone_mg_per_m2 if cycles else None
    mg_m2: float | None = None
    max_m2: float | None = None
    inhibitor: InhibitorState = "unknown"
    standard = dosing.standard.mg_per_m2
    if not cycles:
        if action != "discontinue":
            action, rule, rule_text = "first_cycle", "first_cycle", "First cycle: the starting dose of the assessment"
    elif current is None:
        missing.append(Missing(field=f"course.cycles_given[{len(cycles) - 1}].ixabepilone_mg_per_m2",
                               label=f"cycle {cycles[-1].number}'s mg/m²"))
    inhibitor, previous, inh_notes, inh_missing, inh_unv = _inhibitor(nc, criteria, cycle_date, cycles, counted)
    notes += inh_notes
    unverified += inh_unv
    if action == "first_cycle" and inhibitor in ("continues", "stopped_under_washout", "unknown") \
            and nc.medications is not None and not _consult_names_inhibitor(consult, criteria):
        # the first cycle gives the assessment's dose, computed from the consult's medication list: a
        # strong inhibitor on the cycle's list only (or a name not recognised there) is not in it
        action, rule, rule_text = "unknown", None, None
        notes.append("The cycle's medications may include a strong CYP3A4 inhibitor that the consult's medication "
                     f"list does not: the starting dose of the assessment did not take it into account (with one, "
                     f"{dosing.cyp3a4.inhibitor_mg_per_m2:g} mg/m²); record it in the consult's medications")
        missing += inh_missing or [Missing(field="history.medications",
                                           label="current medications: the strong CYP3A4 inhibitor of the cycle's list")]
    if cycles and current is not None and action in ("no_change", "reduce"):
        base = current
        if inhibitor == "stopped_washed_out" and previous is not None:
            base = previous
            rule, rule_text = "cyp3a4.return", (f"Strong CYP3A4 inhibitor stopped {dosing.cyp3a4.inhibitor_washout_days}"
                                                 " days or more ago: back to the previous dose")
            if action == "reduce":
                rule_text += " before the reduction"
            basis.append(f"{dosing.cyp3a4.inhibitor_note} ({dosing.cyp3a4.source.document}, {dosing.cyp3a4.source.section})")
        pct = next((r.reduce_percent for r in mods.rows if r.id == (applied[0].id if applied else "")), None)
        dose = base * (1 - (pct or 0) / 100) if action == "reduce" else base
        dose = round(dose, 2)
        if dose > standard:
            notes.append(f"{dose:g} mg/m² is above the standard {standard:g} mg/m²: capped")
            dose = standard
        hepatic_max = _hepatic_step(consult, criteria)
        top = dose
        if inhibitor in ("continues", "stopped_under_washout"):
            cap = dosing.cyp3a4.inhibitor_mg_per_m2
            if dose > cap:
                dose = top = cap
                rule, rule_text = "cyp3a4.inhibitor", f"Strong CYP3A4 inhibitor: {cap:g} mg/m²"
            basis.append(f"{dosing.cyp3a4.inhibitor_note} ({dosing.cyp3a4.source.document}, {dosing.cyp3a4.source.section})")
            if hepatic_max is not None:
                notes.append(f"The hepatic step to {hepatic_max:g} mg/m² is not offered while a strong CYP3A4 inhibitor continues")
        elif inhibitor == "unknown":
            missing += inh_missing
            returns = any("previous dose returns" in n for n in inh_notes)  # the earlier dose might return
            if dose > dosing.cyp3a4.inhibitor_mg_per_m2 or returns:
                notes.append(f"The dose holds unless a strong CYP3A4 inhibitor is taken "
                             f"({dosing.cyp3a4.inhibitor_mg_per_m2:g} mg/m² then)")
                action = "unknown"
        elif hepatic_max is not None and action == "no_change" and dose < hepatic_max:
            top = hepatic_max
            basis.append(f"Hepatic impairment start at 20 mg/m²: may be raised to at most {hepatic_max:g} mg/m² "
                         f"in later cycles if tolerated ({dosing.hepatic.source.document}, {dosing.hepatic.source.section})")
            notes.append(f"Tolerated: the dose may rise to at most {hepatic_max:g} mg/m² (the prescriber's choice)")
        if action != "unknown":
            mg_m2, max_m2 = dose, top
    elif inhibitor == "unknown":
        missing += inh_missing

    # BSA from the day's weight
    h, w = consult.patient.height_cm, nc.weight_kg
    bsa = bsa_used = mg = None
    capped = False
    if w is None:
        missing.append(Missing(field=f"{_NC}.weight_kg", label="weight on the day"))
    if h is None:
        missing.append(Missing(field="patient.height_cm", label="height"))
    if h is not None and w is not None:
        bsa = round(BSA_FORMULAS[consult.plan.bsa_formula](h, w), BSA_DECIMALS)
        capped = bsa > dosing.bsa.cap_m2
        bsa_used = dosing.bsa.cap_m2 if capped else bsa
        if capped:
            notes.append(f"BSA {bsa:.2f} m² is above {dosing.bsa.cap_m2:g} m²: dosed as {dosing.bsa.cap_m2:g} m²")
        if mg_m2 is not None:
            mg = round(mg_m2 * bsa_used, 1)
    rounding: RoundedDose | None = None
    if policy.dose_rounding is not None and mg is not None and mg_m2 is not None:
        rounding = round_dose(mg, policy.dose_rounding, bsa_used, round(mg_m2 * dosing.bsa.cap_m2, 1))
    notes += policy.notes

    cape = _capecitabine(consult, criteria, nc, rows)
    for c in cape:
        if c.confidence == "unverified":
            unverified.append(c.text)
    seen: set[str] = set()
    missing = [m for m in missing if not (m.field in seen or seen.add(m.field))]  # type: ignore[func-returns-value]
    return NextCycleDecision(
        cycle_number=number, cycle_date=cycle_date, gate=gate, gate_checks=checks, action=action, rule=rule,
        rule_text=rule_text, rows=rows, reductions_before=reductions_before,
        reductions=reductions_before + (1 if action == "reduce" else 0), current_mg_per_m2=current,
        mg_per_m2=mg_m2, max_mg_per_m2=max_m2, bsa_m2=bsa, bsa_used_m2=bsa_used, bsa_capped=capped, weight_kg=w,
        mg=mg, inhibitor=inhibitor, capecitabine=cape, basis=basis, notes=notes, missing=missing,
        unverified=unverified, recurrence=recurs, recurrence_rows=recurs_rows,
        history=history(consult, criteria, counted), cumulative=cumulative(consult),
        weight_check=weight_check(consult, w, policy), rounding=rounding, policy=policy,
        anthracycline=anthracycline_exposure(consult, criteria), liver=liver, dates_ahead=dates_ahead(consult, as_of),
    )


def _capecitabine(consult: Consult, criteria: Criteria, nc: NextCycle, rows: list[ModRowResult]) -> list[CapecitabineHold]:
    """The combination's capecitabine holds: the low count (the ixabepilone rows) with concurrent
    diarrhoea or stomatitis; each resumes once the day's count is above its threshold."""
    if consult.plan.regimen != "with_capecitabine":
        return []
    by_id = {r.id: r.state for r in rows}
    out = []
    for rule in criteria.administration.dose_modifications.capecitabine:
        trigger = ["mod.platelets"] if rule.lab == "platelets" else ["mod.neutrophils_500_7d", "mod.febrile_neutropenia"]
        states = [by_id.get(t, "unknown") for t in trigger]
        low: State = "met" if "met" in states else ("unknown" if "unknown" in states else "not_met")
        d = nc.toxicity.diarrhoea_or_stomatitis
        state: State = ("not_met" if low == "not_met" or d is False else
                        "met" if low == "met" and d is True else "unknown")
        count = getattr(nc.labs, rule.lab)
        resume: State = "unknown" if count is None else ("met" if count.per_mm3 > rule.resume_above_per_mm3 else "not_met")
        out.append(CapecitabineHold(id=rule.id, text=rule.text, confidence=rule.confidence, lab=rule.lab,
                                    resume_above_per_mm3=rule.resume_above_per_mm3, state=state, resume=resume))
    return out
