"""What ``assess_next_cycle()`` returns: frozen data for the window, the reports and ``--json``.

Kept beside ``assessment.py`` rather than inside ``Assessment`` so that the decision of one moment
(start or not, at what dose) keeps its recorded outputs byte for byte; ``--json`` adds this object
as ``next_cycle`` (docs/assessment-json.md).
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from ixdesk.core.assessment import Confidence, Frozen, Missing, State
from ixdesk.core.course_policy import CoursePolicy

Gate = Literal["go", "hold", "unknown"]
# first_cycle: nothing given yet, the assessment's starting dose applies
DoseAction = Literal["no_change", "reduce", "discontinue", "unknown", "first_cycle"]
InhibitorState = Literal["none", "continues", "stopped_under_washout", "stopped_washed_out", "unknown"]


class GateCheck(Frozen):
    """One condition of the cycle-start gate: a count, or the non-haematologic grade now."""

    check: Literal["neutrophils", "platelets", "nonhematologic"]
    label: str
    threshold: str  # "≥ 1500/mm³", "grade ≤ 1"
    value: float | None
    state: State


class ModRowResult(Frozen):
    """One row of the PI's dose-modification table against the previous cycle's toxicities."""

    id: str
    toxicity: str
    action: str
    effect: Literal["reduce", "further_reduce", "discontinue", "no_change"]
    state: State
    missing: list[Missing]


class CapecitabineHold(Frozen):
    id: str
    text: str  # the rule as written, with its resumption threshold
    confidence: Confidence
    lab: Literal["neutrophils", "platelets"]
    resume_above_per_mm3: float
    state: State  # met: the hold applies after the previous cycle
    resume: State  # met: the day's count is above the threshold (only meaningful when the hold applies)


class CycleHistoryRow(Frozen):
    """One cycle given, as the per-cycle history table shows it. The BSA is recomputed from that
    cycle's own weight (and the consult's height), so a dose can be checked against the weight of
    its day; ``None`` where an input is not recorded."""

    number: int
    date: date | None
    weight_kg: float | None
    bsa_m2: float | None  # from the height and this cycle's weight, before the cap
    bsa_used_m2: float | None  # after the BSA cap
    mg_per_m2: float | None
    mg: float | None
    # mg/m² x this cycle's BSA used, 1 decimal: what the recorded mg can be checked against (a dose
    # rounded by the clinic's policy differs from it by its deviation)
    mg_computed: float | None
    capecitabine_mg_per_dose: float | None
    reduced: bool | None  # below the previous cycle's mg/m² for a toxicity (None: not comparable)
    reductions: int  # toxicity reductions counted up to and including this cycle
    change_rule: str | None  # the recorded rule of the change (CycleGiven.change_rule)
    change_rule_text: str | None  # that rule in words, when IxDesk knows it
    change_reason: str | None
    verified_by: str | None


class CumulativeDose(Frozen):
    """The ixabepilone given over the cycles given, summed as recorded (never derived)."""

    cycles: int  # cycles given
    mg: float | None  # total mg; None when a cycle's mg is not recorded
    mg_per_m2: float | None  # total mg/m²; None when a cycle's mg/m² is not recorded
    mg_recorded: float  # the sum over the cycles whose mg is recorded (a lower bound when mg is None)
    mg_per_m2_recorded: float
    missing: list[Missing]


class AnthracyclineAgentTotal(Frozen):
    agent: str  # the formulary's name (doxorubicin, epirubicin, pegylated liposomal doxorubicin, …)
    cumulative_mg_per_m2: float  # the recorded doses summed, this agent only
    regimens: list[int]  # 0-based indices of the regimens the doses come from


class AnthracyclineExposure(Frozen):
    """Prior cumulative anthracycline exposure, per agent, where the regimens record it. Shown
    beside the attestation "further anthracycline therapy is contraindicated", never deciding it;
    agents are never added into one equivalent number (no conversion factor is sourced)."""

    agents: list[AnthracyclineAgentTotal]
    # regimens with an anthracycline whose cumulative dose is not recorded (the totals then are
    # lower bounds for their agents)
    not_recorded: list[int]
    notes: list[str]
    missing: list[Missing]


class WeightCheck(Frozen):
    """The day's weight against the weight the dose was based on, flagged beyond the clinic's
    threshold (``weight_change_percent``; no label default). ``state`` met: the change is beyond
    the threshold (flag it for the prescriber); not_met: within it (exactly the threshold is
    within); unknown: the threshold is not set, or a weight is not recorded."""

    state: State
    configured: bool  # the clinic has set a valid threshold
    threshold_percent: float | None
    weight_kg: float | None  # the day's weight
    reference_kg: float | None  # the weight the current dose was based on
    reference_field: str | None  # where it comes from: course.cycles_given[i].weight_kg or patient.weight_kg
    change_percent: float | None  # signed, (day - reference) / reference, 1 decimal
    text: str
    # the day's weight against the consult's (patient.weight_kg) as well, when the reference is a
    # cycle's: a loss spread over cycles is shown, never hidden by the last-cycle comparison. Shown
    # only: the flag stays the clinic threshold against the dose's weight (no other is sourced).
    # None when the reference is the consult's weight or a weight is not recorded
    consult_kg: float | None = None
    consult_change_percent: float | None = None


class RoundedDose(Frozen):
    """The dose rounded by the clinic's policy (``dose_rounding``), with its deviation always shown."""

    applied: bool  # False: no step within the percentage (or above the ceiling): the dose stands
    step_mg: float
    max_percent: float
    unrounded_mg: float
    mg: float  # the dose to give: rounded when applied, else the unrounded dose
    deviation_percent: float  # (mg - unrounded) / unrounded, signed, 2 decimals
    mg_per_m2: float | None  # mg / BSA used, 2 decimals: what the rounded dose is per m²
    text: str


class LiverTest(Frozen):
    """One liver test of the combination's contraindication, as drawn (value None: not drawn)."""

    name: str  # ast, alt, bilirubin: the consult's lab field
    label: str  # "AST", "Total bilirubin"
    limit_x_uln: float  # above this multiple of the ULN the combination is contraindicated
    value: float | None
    uln: float | None
    unit: str | None
    x_uln: float | None
    above: State  # met: above the limit; unknown: not drawn (or not judged: the consult's last values)


class LiverCheck(Frozen):
    """The combination's liver-test contraindication (``exclusion.hepatic_combination``) on the
    cycle's labs. ``state`` met: a test is above its limit, the cycle holds (label contraindication);
    not_met: every test drawn and within; unknown: a test not drawn with the cycle's labs. The PI
    asks for no liver tests before each cycle, so unknown never holds the cycle: it is a check item
    (``missing``), shown with the consult's last values (``last``)."""

    rule: str
    statement: str
    source: str  # "PI, Boxed Warning; 4 Contraindications; 5.3"
    state: State
    labs_date: date | None  # the cycle's labs
    tests: list[LiverTest]
    last_date: date | None  # the consult's labs, given when a cycle test is not drawn
    last: list[LiverTest]  # the consult's tests that were drawn, judged in place of those not drawn
    missing: list[Missing]
    # the rule on the cycle's tests with the consult's last values in place of those not drawn:
    # met (one of those earlier values is above its limit) holds the cycle too; None when every
    # test was drawn with the cycle's labs
    last_state: State | None = None

    @property
    def holds(self) -> bool:
        """The label contraindication holds: a cycle test above its limit, or, for a test not drawn
        with the cycle's labs, the consult's last value of it (nothing newer says otherwise)."""
        return self.state == "met" or self.last_state == "met"


class DateAhead(Frozen):
    """A course date after the as-of date that records something done (a data-quality warning)."""

    field: str  # course.cycles_given[1].date, course.next_cycle.labs.date, …
    cycle: int | None  # the cycle it belongs to
    what: str  # "date given", "amended on", "labs drawn on"
    on: date
    as_of: date


class NextCycleDecision(Frozen):
    cycle_number: int | None
    cycle_date: date | None  # the planned date, else the as-of date (see notes)
    gate: Gate
    gate_checks: list[GateCheck]
    action: DoseAction
    rule: str | None  # id of the row or rule that set the dose (mod.*, cyp3a4.*, hepatic.*, first_cycle)
    rule_text: str | None
    rows: list[ModRowResult]
    reductions_before: int  # 20% reductions counted in the cycles given
    reductions: int  # including this cycle's
    current_mg_per_m2: float | None  # the last cycle given
    mg_per_m2: float | None  # the dose the rules give for this cycle
    max_mg_per_m2: float | None  # the largest dose allowed (the hepatic 30 mg/m² step, the standard dose)
    bsa_m2: float | None
    bsa_used_m2: float | None
    bsa_capped: bool
    weight_kg: float | None
    mg: float | None
    inhibitor: InhibitorState
    capecitabine: list[CapecitabineHold]
    basis: list[str]  # the rule texts the result rests on, with their sources
    notes: list[str]
    missing: list[Missing]
    unverified: list[str]
    # added (issue 11, sections 1-2 continued); absent from older output means empty / null
    recurrence: State | None = None  # a reduction after an earlier one: the same toxicity recurs (met)
    recurrence_rows: list[str] = []  # the earlier reductions' rows that recur now
    history: list[CycleHistoryRow] = []
    cumulative: CumulativeDose | None = None
    weight_check: WeightCheck | None = None
    rounding: RoundedDose | None = None  # None: no rounding policy, or no mg to round
    policy: CoursePolicy = CoursePolicy()
    anthracycline: AnthracyclineExposure | None = None
    # the combination's liver tests on the cycle's labs (None: not the combination)
    liver: LiverCheck | None = None
    # course dates after the as-of date (given, amended, labs drawn): a data-quality warning
    dates_ahead: list[DateAhead] = []
