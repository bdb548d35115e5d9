"""The consult: everything the oncologist enters for one ixabepilone decision.

This model *is* the saved file's schema (``ixdesk schema`` prints it). It is strict and refuses
unknown keys so that a typo in a file is reported instead of silently dropped. Every clinical
input is optional: ``None`` means *not recorded*, and the engine turns it into an *unknown*
finding naming the field, never into a silent yes or no.

Ranges enforced here are plausibility limits that catch typing errors (a height of 1650 cm, a
negative count, a last dose before the first); they are not clinical thresholds, which live in
``criteria/``.
"""

from __future__ import annotations

import datetime as _dt
import math
from collections.abc import Iterator
from datetime import date
from typing import Annotated, Final, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator, model_validator

from ixdesk.core import count_units, receptors
from ixdesk.core.audit import AuditTrail
from ixdesk.core.dates import PartialDate
from ixdesk.core.overrides import MAX_OVERRIDES, Override, check_overrides

# Version 2 added the treatment course (``Consult.course``). A version 1 file is a version 2 file
# without a course: it loads unchanged and is saved as version 2.
SCHEMA_VERSION: Final = 2
EARLIEST_DATE = date(1900, 1, 1)
# A plausibility limit, not a clinical number: a later date is a typo (9999 for 2025). It also keeps
# every date far enough from year 9999 that window ends and ages can always be computed.
LATEST_DATE = date(2199, 12, 31)


def _plausible_values(value: object) -> None:
    """Refuse a date after LATEST_DATE or a non-finite number anywhere in a field's value
    (lists and dicts of them included); nested models check their own fields."""
    stack = [value]
    while stack:
        v = stack.pop()
        if isinstance(v, BaseModel):
            continue
        if isinstance(v, date) and v > LATEST_DATE:
            raise ValueError(f"is after {LATEST_DATE.isoformat()}; not a plausible date (check the year)")
        if isinstance(v, PartialDate) and v.earliest > LATEST_DATE:
            raise ValueError(f"is after {LATEST_DATE.isoformat()}; not a plausible date (check the year)")
        if isinstance(v, float) and not math.isfinite(v):
            raise ValueError("must be a finite number")
        if isinstance(v, (list, tuple, set, frozenset)):
            stack.extend(v)
        elif isinstance(v, dict):
            stack.extend(v.keys())
            stack.extend(v.values())


class StrictModel(BaseModel):
    """Base for every consult part: strict types, no unknown keys, assignment re-validated.

    Two checks hold for every field of every part, present and future, so a new field cannot forget
    them: no NaN or infinity (``allow_inf_nan``; JSON cannot save them, so the file would no longer
    open) and no date after :data:`LATEST_DATE`.
    """

    model_config = ConfigDict(defer_build=True, strict=True, extra="forbid", validate_assignment=True, allow_inf_nan=False)

    @field_validator("*", mode="after")
    @classmethod
    def _plausible_everywhere(cls, v: object) -> object:
        _plausible_values(v)
        return v


def _no_control_chars(value: str | None) -> str | None:
    if value is None:
        return value
    bad = [c for c in value if ord(c) < 32 and c not in "\n\t"]
    if bad:
        raise ValueError("contains control characters")
    return value


def _agent_clean(v: str) -> str:
    v = v.strip()
    if not v:
        raise ValueError("the agent name is empty")
    _no_control_chars(v)
    return v


# one agent's name as typed (a regimen's own last dose of it, its cumulative anthracycline dose)
AgentName = Annotated[str, Field(min_length=1, max_length=80), AfterValidator(_agent_clean)]


ShortText = Annotated[str, Field(max_length=200)]
LongText = Annotated[str, Field(max_length=5000)]


# --- patient -------------------------------------------------------------------------------

class Patient(StrictModel):
    """The patient. The date of birth is a full date, never month-only: it identifies the patient
    (the nurse checklist matches name and date of birth before the infusion), a chart always holds
    it to the day, and no rule reads it as a range."""

    name: ShortText | None = None
    record_number: Annotated[str, Field(max_length=64)] | None = None
    date_of_birth: date | None = None
    sex: Literal["female", "male"] | None = None
    height_cm: Annotated[float, Field(ge=100, le=250)] | None = None
    weight_kg: Annotated[float, Field(ge=25, le=300)] | None = None
    pregnant: bool | None = None
    breastfeeding: bool | None = None

    _text = field_validator("name", "record_number")(_no_control_chars)

    @field_validator("date_of_birth")
    @classmethod
    def _dob_plausible(cls, v: date | None) -> date | None:
        if v is not None and v < EARLIEST_DATE:
            raise ValueError("is before 1900")
        return v


# --- disease -------------------------------------------------------------------------------

Extent = Literal["early", "locally_advanced", "metastatic", "recurrent_unresectable"]
ReceptorStatus = Literal["positive", "negative"]
Her2Ihc = Literal["0", "1+", "2+", "3+"]
Her2Ish = Literal["positive", "negative", "not_done"]
Her2Status = Literal["positive", "low", "negative"]


class Disease(StrictModel):
    extent: Extent | None = None
    er: ReceptorStatus | None = None
    pr: ReceptorStatus | None = None
    her2_ihc: Her2Ihc | None = None
    her2_ish: Her2Ish | None = None
    pdl1_cps: Annotated[float, Field(ge=0, le=100)] | None = None
    germline_brca: Literal["mutation", "no_mutation"] | None = None
    visceral_crisis: bool | None = None
    endocrine_refractory: bool | None = None

    @property
    def her2_status(self) -> Her2Status | None:
        """HER2 by ASCO/CAP: IHC 3+ or ISH-amplified is positive; 1+ or 2+/ISH- is 'low'."""
        return receptors.her2_status(self.her2_ihc, self.her2_ish)

    @property
    def hormone_receptor(self) -> ReceptorStatus | None:
        """HR-positive if ER or PR is positive; negative only when both are known negative."""
        return receptors.hormone_receptor(self.er, self.pr)


# --- prior regimens ------------------------------------------------------------------------

Setting = Literal["neoadjuvant", "adjuvant", "metastatic"]
StopReason = Literal["progression", "toxicity", "hypersensitivity", "completed", "other"]
BestResponse = Literal["complete", "partial", "stable", "progression", "not_evaluable"]


class AgentLastDose(StrictModel):
    """One agent's own last dose, where a regimen's agents stopped on different days.

    Resistance runs from the last dose of the drug class, not of the regimen: docetaxel stopped
    after six cycles while trastuzumab and pertuzumab continued has its taxane last dose where the
    docetaxel stopped (facts sheet section 11). ``agent`` is one of the regimen's agent names as typed.
    """

    agent: AgentName
    last_dose_date: PartialDate  # month-only when the chart gives no day (see ixdesk.core.dates)


class AnthracyclineDose(StrictModel):
    """The cumulative dose of one anthracycline given in a regimen, as the chart records it.

    Kept per agent in its own mg/m²: IxDesk never converts one anthracycline into another (no
    equivalence factor is in the facts sheet), so the course shows each agent's sum on its own.
    ``agent`` is the anthracycline's name as typed (doxorubicin for an "AC" regimen)."""

    agent: AgentName
    # a plausibility limit that catches a typo (mg for mg/m², an extra digit), not a clinical limit
    cumulative_mg_per_m2: Annotated[float, Field(gt=0, le=2000)]


class Regimen(StrictModel):
    """One prior regimen. Its dates may be month-only ("2022-02", :class:`PartialDate`): letters
    summarising earlier treatment often give no day, and the engine reads such a date as the range
    of days it allows. Checks between dates refuse only what no day of the month could make true."""

    agents: Annotated[list[Annotated[str, Field(min_length=1, max_length=80)]], Field(min_length=1, max_length=12)]
    setting: Setting | None = None
    start_date: PartialDate | None = None
    last_dose_date: PartialDate | None = None
    ongoing: bool = False
    progressed: bool | None = None
    progression_date: PartialDate | None = None
    best_response: BestResponse | None = None
    stop_reason: StopReason | None = None
    hypersensitivity_grade: Annotated[int, Field(ge=1, le=4)] | None = None
    note: LongText | None = None
    # Agents that stopped before the rest (an empty list: every agent's last dose is the regimen's).
    agent_last_doses: Annotated[list[AgentLastDose], Field(max_length=12)] = Field(default_factory=list)
    # Cumulative anthracycline doses where the chart records them (empty: not recorded). Written to
    # the file only when given, so consults without them keep exactly their old form.
    anthracycline_doses: Annotated[list[AnthracyclineDose], Field(max_length=12)] = Field(
        default_factory=list, exclude_if=lambda v: not v)

    _text = field_validator("note")(_no_control_chars)

    @field_validator("agents")
    @classmethod
    def _agents_clean(cls, v: list[str]) -> list[str]:
        cleaned = [a.strip() for a in v]
        if any(not a for a in cleaned):
            raise ValueError("an agent name is empty")
        for a in cleaned:
            _no_control_chars(a)
        return cleaned

    @model_validator(mode="after")
    def _dates_consistent(self) -> "Regimen":
        for name in ("start_date", "last_dose_date", "progression_date"):
            d = getattr(self, name)
            if d is not None and d.latest < EARLIEST_DATE:
                raise ValueError(f"{name}: is before 1900")
        # a month-only date is refused only if every day of its month is impossible: last dose
        # "2022-02" after a start on 2022-02-15 is fine
        if self.start_date and self.last_dose_date and self.last_dose_date.latest < self.start_date.earliest:
            raise ValueError("last_dose_date: is before the start date")
        if self.start_date and self.progression_date and self.progression_date.latest < self.start_date.earliest:
            raise ValueError("progression_date: is before the start date")
        if self.progression_date is not None and self.progressed is False:
            raise ValueError("progressed: is 'no' but a progression date is given")
        if self.stop_reason == "progression" and self.progressed is False:
            raise ValueError("progressed: is 'no' but the regimen stopped for progression")
        if self.hypersensitivity_grade is not None and self.stop_reason != "hypersensitivity":
            raise ValueError("hypersensitivity_grade: given but the regimen did not stop for hypersensitivity")
        self._agent_dates_consistent()
        seen: set[str] = set()
        for k, dose in enumerate(self.anthracycline_doses):
            key = dose.agent.casefold()
            if key in seen:
                raise ValueError(f"anthracycline_doses[{k}].agent: '{dose.agent}' has two cumulative doses")
            seen.add(key)
        return self

    def _agent_dates_consistent(self) -> None:
        """An agent's own last dose belongs to one of the regimen's agents, once, and lies between the
        regimen's start and its last dose: the engine takes the regimen's last dose as the latest any
        agent can have had."""
        names = {a.casefold() for a in self.agents}
        seen: set[str] = set()
        for k, ald in enumerate(self.agent_last_doses):
            p = f"agent_last_doses[{k}]"
            key = ald.agent.casefold()
            if key not in names:
                raise ValueError(f"{p}.agent: '{ald.agent}' is not one of this regimen's agents")
            if key in seen:
                raise ValueError(f"{p}.agent: '{ald.agent}' has two last-dose dates")
            seen.add(key)
            d = ald.last_dose_date
            if d.latest < EARLIEST_DATE:
                raise ValueError(f"{p}.last_dose_date: is before 1900")
            if self.start_date and d.latest < self.start_date.earliest:
                raise ValueError(f"{p}.last_dose_date: {ald.agent}'s last dose is before the regimen's start date")
            if self.last_dose_date and d.earliest > self.last_dose_date.latest:
                raise ValueError(f"{p}.last_dose_date: {ald.agent}'s last dose is after the regimen's last dose date")

    def agent_last_dose(self, agent: str) -> PartialDate | None:
        """The agent's own last-dose date, if it stopped before the rest (matched as typed, any case)."""
        key = agent.strip().casefold()
        return next((a.last_dose_date for a in self.agent_last_doses if a.agent.casefold() == key), None)

    @property
    def has_progressed(self) -> bool | None:
        """A progression date or a stop for progression implies progression."""
        if self.progression_date is not None or self.stop_reason == "progression":
            return True
        return self.progressed


# --- attestations --------------------------------------------------------------------------

class Attestations(StrictModel):
    """What only the clinician can say; no data in the consult can derive these."""

    anthracycline_contraindicated: bool | None = None
    anthracycline_contraindication_reason: LongText | None = None
    tdxd_candidate: bool | None = None
    prescriber_is_oncologist: bool | None = None

    _text = field_validator("anthracycline_contraindication_reason")(_no_control_chars)


# --- labs ----------------------------------------------------------------------------------

CountUnit = Literal["cells/mm3", "10^9/L"]


class CountLab(StrictModel):
    """A neutrophil or platelet count.

    ``unit_confirmed`` records that the user confirmed a value the form doubted as typed in the wrong
    unit (see ``ixdesk.core.count_units``), e.g. a real count of 40 cells/mm³. It is written to the
    file only when true, so consults without a doubted value keep exactly their old form."""

    value: Annotated[float, Field(ge=0)]
    unit: CountUnit = "cells/mm3"
    unit_confirmed: bool = Field(default=False, exclude_if=lambda v: v is False)

    @property
    def per_mm3(self) -> float:
        """Counts in cells/mm³; 1 × 10⁹/L equals 1000 cells/mm³."""
        return self.value * 1000 if self.unit == "10^9/L" else self.value


class HemoglobinLab(StrictModel):
    value: Annotated[float, Field(ge=0)]
    unit: Literal["g/dL", "g/L"] = "g/dL"

    @property
    def g_dl(self) -> float:
        return self.value / 10 if self.unit == "g/L" else self.value


class UlnLab(StrictModel):
    """A liver test with its laboratory's upper limit of normal, in the same unit."""

    value: Annotated[float, Field(ge=0)]
    uln: Annotated[float, Field(gt=0)]
    unit: Literal["U/L", "mg/dL", "umol/L"]

    @property
    def x_uln(self) -> float:
        """Multiple of ULN, rounded to 9 decimals so that exactly 2.5 x ULN compares as 2.5."""
        return round(self.value / self.uln, 9)


class CreatinineLab(StrictModel):
    value: Annotated[float, Field(ge=0)]
    unit: Literal["mg/dL", "umol/L"] = "mg/dL"


class Labs(StrictModel):
    """Baseline labs. Their date stays a full date, never month-only: a lab is drawn on one day,
    the report always carries it, and the labs' age (the 14-day staleness warning) is counted in
    days, where a month-wide range would leave the warning unknown for no reason."""

    date: _dt.date | None = None
    neutrophils: CountLab | None = None
    platelets: CountLab | None = None
    hemoglobin: HemoglobinLab | None = None
    ast: UlnLab | None = None
    alt: UlnLab | None = None
    bilirubin: UlnLab | None = None
    creatinine: CreatinineLab | None = None

    @model_validator(mode="after")
    def _plausible(self) -> "Labs":
        for name in ("neutrophils", "platelets"):
            count: CountLab | None = getattr(self, name)
            if count is None:
                continue
            doubt = count_units.unit_doubt(name, count.value, count.unit)
            # a confirmed low count is real (profound neutropenia); a value above the maximum never is
            if doubt is not None and not (doubt.confirmable and count.unit_confirmed):
                raise ValueError(f"{name}: {doubt.message()}")
        if self.hemoglobin and self.hemoglobin.g_dl > 25:
            raise ValueError("hemoglobin: above 25 g/dL; check the unit")
        for name in ("ast", "alt"):
            lab: UlnLab | None = getattr(self, name)
            if lab is not None and lab.unit != "U/L":
                raise ValueError(f"{name}: unit must be U/L")
        if self.bilirubin is not None and self.bilirubin.unit == "U/L":
            raise ValueError("bilirubin: unit must be mg/dL or umol/L")
        if self.date is not None and self.date < EARLIEST_DATE:
            raise ValueError("date: is before 1900")
        return self


# --- history and medications ---------------------------------------------------------------

class History(StrictModel):
    ecog: Annotated[int, Field(ge=0, le=4)] | None = None
    neuropathy_grade: Annotated[int, Field(ge=0, le=4)] | None = None
    cremophor_hypersensitivity: bool | None = None
    cremophor_hypersensitivity_grade: Annotated[int, Field(ge=1, le=4)] | None = None
    prior_ixabepilone_reaction: bool | None = None
    cardiac_history: bool | None = None
    cardiac_history_detail: LongText | None = None
    diabetes: bool | None = None
    medications: Annotated[list[Annotated[str, Field(max_length=200)]], Field(max_length=100)] | None = None
    grapefruit: bool | None = None
    # radiotherapy at any time before: the patient sheet then warns of radiation recall (seed 001)
    radiotherapy: bool | None = None

    @field_validator("medications")
    @classmethod
    def _meds_clean(cls, v: list[str] | None) -> list[str] | None:
        for m in v or []:
            _no_control_chars(m)
        return v

    _text = field_validator("cardiac_history_detail")(_no_control_chars)

    @model_validator(mode="after")
    def _grade_needs_history(self) -> "History":
        if self.cremophor_hypersensitivity is False and self.cremophor_hypersensitivity_grade is not None:
            raise ValueError("cremophor_hypersensitivity_grade: given but no hypersensitivity is recorded")
        return self


# --- plan ----------------------------------------------------------------------------------

PlanRegimen = Literal["monotherapy", "with_capecitabine", "with_trastuzumab"]


class Plan(StrictModel):
    regimen: PlanRegimen | None = None
    bsa_formula: Literal["mosteller", "dubois"] = "mosteller"
    prescriber: ShortText | None = None

    _text = field_validator("prescriber")(_no_control_chars)


# --- the treatment course ------------------------------------------------------------------

CycleNumber = Annotated[int, Field(ge=1, le=100)]
CourseDays = Annotated[int, Field(ge=0, le=42)]  # a 21-day cycle; 42 leaves room for a delayed one
CtcGrade = Annotated[int, Field(ge=0, le=4)]


class Amendment(StrictModel):
    """A change made to a cycle after it was recorded as given (the cycle is locked): when, why, by
    whom and which fields changed. Kept apart from ``change_reason``, which stays the clinical
    reason for the dose change, so an amendment never rewrites the reason the next cycle reads."""

    on: _dt.date
    reason: Annotated[str, Field(min_length=1, max_length=2000)]
    by: ShortText | None = Field(default=None, exclude_if=lambda v: v is None)
    changed: Annotated[list[Annotated[str, Field(max_length=60)]], Field(max_length=20)] = Field(
        default_factory=list, exclude_if=lambda v: not v)

    _text = field_validator("reason", "by")(_no_control_chars)


class CycleGiven(StrictModel):
    """One cycle as given: what the prescriber and the second checker confirmed. The mg/m² is
    the reference the next cycle's reductions are counted from."""

    number: CycleNumber
    date: _dt.date | None = None
    weight_kg: Annotated[float, Field(ge=25, le=300)] | None = None
    ixabepilone_mg_per_m2: Annotated[float, Field(gt=0, le=100)] | None = None
    ixabepilone_mg: Annotated[float, Field(gt=0, le=300)] | None = None
    capecitabine_mg_per_dose: Annotated[float, Field(gt=0, le=10000)] | None = None
    change_reason: LongText | None = None
    verified_by: ShortText | None = None
    # The rule that set this cycle's change from the previous dose, structured beside the reason's
    # words: a dose-modification row id (``mod.febrile_neutropenia``), ``cyp3a4.inhibitor``,
    # ``cyp3a4.return``, ``hepatic.step`` or ``prescriber``. It tells a recurrence of the same
    # toxicity (a further 20%) from a new one, and an inhibitor's 20 mg/m² from a reduction.
    # Written only when given.
    change_rule: Annotated[str, Field(max_length=60, pattern=r"^[a-z0-9_]+(\.[a-z0-9_]+)*$")] | None = Field(
        default=None, exclude_if=lambda v: v is None)
    # Changes made after the cycle was recorded, oldest first. Written only when there is one, so a
    # file without amendments keeps exactly its old form.
    amendments: Annotated[list[Amendment], Field(max_length=50)] = Field(
        default_factory=list, exclude_if=lambda v: not v)

    _text = field_validator("change_reason", "verified_by")(_no_control_chars)


class CourseMedication(StrictModel):
    """A current medication of the cycle about to start; the dates matter for CYP3A4 drugs (the
    previous dose returns about a week after a strong inhibitor stops)."""

    name: Annotated[str, Field(min_length=1, max_length=200)]
    start_date: _dt.date | None = None
    stop_date: _dt.date | None = None

    _text = field_validator("name")(_no_control_chars)

    @model_validator(mode="after")
    def _order(self) -> "CourseMedication":
        if self.start_date and self.stop_date and self.stop_date < self.start_date:
            raise ValueError("stop_date: is before the start date")
        return self


PlateletLow = Literal["none", "below_50000", "below_25000"]


class PreviousCycleToxicity(StrictModel):
    """The previous cycle's worst toxicities in the PI table's terms (facts sheet section 6).
    ``None`` is not recorded; 0 days or grade 0 is a recorded absence."""

    neutrophils_below_500_days: CourseDays | None = None
    febrile_neutropenia: bool | None = None
    platelets_low: PlateletLow | None = None
    bleeding: bool | None = None
    neuropathy_grade: CtcGrade | None = None
    neuropathy_days: CourseDays | None = None
    neuropathy_disabling: bool | None = None
    neuropathy_grade_now: CtcGrade | None = None
    other_grade3: bool | None = None
    other_grade3_name: ShortText | None = None
    other_grade3_grade_now: CtcGrade | None = None
    transient_grade3_arthralgia_myalgia_fatigue: bool | None = None
    grade3_hand_foot_syndrome: bool | None = None
    any_grade4: bool | None = None
    # with capecitabine: diarrhoea or stomatitis alongside the low counts holds capecitabine
    diarrhoea_or_stomatitis: bool | None = None

    _text = field_validator("other_grade3_name")(_no_control_chars)


class NextCycle(StrictModel):
    """The cycle about to start: its date, that day's weight and labs, medications, and the
    previous cycle's toxicities."""

    number: CycleNumber | None = None
    planned_date: _dt.date | None = None
    weight_kg: Annotated[float, Field(ge=25, le=300)] | None = None
    labs: Labs = Field(default_factory=Labs)
    labs_time: _dt.time | None = None
    medications: Annotated[list[CourseMedication], Field(max_length=100)] | None = None
    toxicity: PreviousCycleToxicity = Field(default_factory=PreviousCycleToxicity)


class Course(StrictModel):
    cycles_given: Annotated[list[CycleGiven], Field(max_length=100)] = Field(default_factory=list)
    next_cycle: NextCycle | None = None

    @model_validator(mode="after")
    def _numbers_in_order(self) -> "Course":
        for i in range(1, len(self.cycles_given)):
            a, b = self.cycles_given[i - 1], self.cycles_given[i]
            if b.number <= a.number:
                raise ValueError(f"cycles_given[{i}].number: cycle {b.number} is not after cycle {a.number}")
            if a.date and b.date and b.date < a.date:
                raise ValueError(f"cycles_given[{i}].date: is before cycle {a.number}'s date")
        return self


# --- provenance of imported values --------------------------------------------------------

class Provenance(StrictModel):
    """Where an imported value came from (a FHIR resource), so that the clinician can check it
    against the chart: the form shows it in the field's tooltip and the clinician report lists it.
    A value the user typed has no provenance; editing an imported value drops its provenance."""

    source: Literal["fhir"] = "fhir"
    resource_type: Annotated[str, Field(min_length=1, max_length=64)]
    resource_id: Annotated[str, Field(max_length=64)] | None = None
    date: _dt.date | None = None
    code: Annotated[str, Field(max_length=200)] | None = None  # "http://loinc.org|751-8", as sent
    unit: Annotated[str, Field(max_length=64)] | None = None  # the original unit, before conversion
    original: Annotated[str, Field(max_length=200)] | None = None  # the original value as sent
    file: Annotated[str, Field(max_length=255)] | None = None  # the imported file's name (no folder)

    _text = field_validator("resource_type", "resource_id", "code", "unit", "original", "file")(_no_control_chars)


# A field path: "labs.neutrophils", "disease.er", "regimens[0]", "history.medications[2]".
ProvenancePath = Annotated[str, Field(min_length=1, max_length=80, pattern=r"^[a-z_]+(\[\d+\])?(\.[a-z_0-9]+(\[\d+\])?)*$")]


# --- the consult ---------------------------------------------------------------------------

class Consult(StrictModel):
    # 1 is read as 2 (the course is new and optional): the migration of version 1 files
    schema_version: Literal[1, 2] = SCHEMA_VERSION
    consult_date: date | None = None
    patient: Patient = Field(default_factory=Patient)
    disease: Disease = Field(default_factory=Disease)
    regimens: Annotated[list[Regimen], Field(max_length=40)] = Field(default_factory=list)
    # An empty regimen list is "not recorded yet", never "no prior therapy": resistance and line
    # counts stay unknown until regimens are entered or this is ticked.
    no_prior_systemic_therapy: bool = False
    attestations: Attestations = Field(default_factory=Attestations)
    labs: Labs = Field(default_factory=Labs)
    history: History = Field(default_factory=History)
    plan: Plan = Field(default_factory=Plan)
    notes: LongText | None = None
    course: Course | None = None
    # Clinicians' overrides and acknowledgements of findings, beside the computed results (see
    # ixdesk.core.overrides). Written only when there is one: a consult without keeps its old form.
    overrides: Annotated[list[Override], Field(max_length=MAX_OVERRIDES)] = Field(
        default_factory=list, exclude_if=lambda v: not v)
    # Where imported values came from (FHIR import), by field path. Written only when not empty, so a
    # consult without imported values keeps exactly its old form.
    provenance: Annotated[dict[ProvenancePath, Provenance], Field(max_length=400)] = Field(
        default_factory=dict, exclude_if=lambda v: not v)
    # The audit trail (ixdesk.core.audit): written only once there is one, so a file without a trail
    # that is opened and saved untouched keeps exactly its bytes. The engine never reads it.
    audit: AuditTrail | None = Field(default=None, exclude_if=lambda v: v is None)

    _text = field_validator("notes")(_no_control_chars)

    @model_validator(mode="after")
    def _one_override_per_finding(self) -> "Consult":
        check_overrides(self.overrides)  # its message names the field from the consult's top
        return self

    @field_validator("schema_version", mode="after")
    @classmethod
    def _migrate(cls, v: int) -> int:
        """Version 1 has every field of version 2 but the course: nothing else to convert."""
        return SCHEMA_VERSION

    def _dated_fields(self) -> Iterator[tuple[str, date, date]]:
        """Every date of a treatment or a lab, as (field path, earliest, latest): the two range checks
        below walk the same fields, in the same order."""
        if self.labs.date:
            yield "labs.date", self.labs.date, self.labs.date
        for i, reg in enumerate(self.regimens):
            for name in ("start_date", "last_dose_date", "progression_date"):
                d = getattr(reg, name)
                if d is not None:
                    yield f"regimens[{i}].{name}", d.earliest, d.latest
            for k, ald in enumerate(reg.agent_last_doses):
                d = ald.last_dose_date
                yield f"regimens[{i}].agent_last_doses[{k}].last_dose_date", d.earliest, d.latest

    @model_validator(mode="after")
    def _nothing_before_birth(self) -> "Consult":
        """A treatment or a lab dated before the patient was born is a typo (the wrong year, or the
        wrong patient's date of birth); judged as entered it would count as resistance evidence."""
        dob = self.patient.date_of_birth
        if dob is None:
            return self
        for path, _, latest in self._dated_fields():
            # a month-only date in the month of birth is fine (its late days are possible)
            if latest < dob:
                raise ValueError(f"{path}: is before the date of birth")
        return self

    @model_validator(mode="after")
    def _nothing_after_consult(self) -> "Consult":
        """Dates after the consult date are impossible: a typo, or the wrong year. A stated absence of
        prior therapy beside listed regimens is a contradiction."""
        if self.no_prior_systemic_therapy and self.regimens:
            raise ValueError("no_prior_systemic_therapy: is ticked, but prior regimens are listed")
        ref = self.consult_date
        if ref is None:
            return self
        if self.patient.date_of_birth and self.patient.date_of_birth > ref:
            raise ValueError("patient.date_of_birth: is after the consult date")
        for path, earliest, _ in self._dated_fields():
            # a month-only date in the consult's own month is fine (its early days are possible)
            if earliest > ref:
                raise ValueError(f"{path}: is after the consult date")
        return self
