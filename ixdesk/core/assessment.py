"""What ``assess()`` returns: plain, frozen data that the window, the reports and ``--json`` show.

The JSON form of :class:`Assessment` is a documented, stable interface (see docs/assessment-json.md):
fields are only ever added, never renamed, within one ``format_version``.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Literal, Self

from pydantic import BaseModel, ConfigDict

from ixdesk.core.dates import PartialDate

FORMAT_VERSION = 1

State = Literal["met", "not_met", "unknown"]
Severity = Literal["info", "warning", "blocking"]
Confidence = Literal["label", "trial", "payer", "unverified"]
FindingKind = Literal["indication", "pathway", "payer", "exclusion", "warning"]
ResistanceResult = Literal["resistant", "not_resistant", "unknown", "not_exposed"]


_new = object.__new__
_set = object.__setattr__


class Frozen(BaseModel):
    model_config = ConfigDict(defer_build=True, frozen=True, extra="forbid")

    @classmethod
    def trusted(cls, **values: Any) -> Self:
        """Build from values the engine itself produced, skipping validation.

        ``assess()`` runs on every keystroke and builds a few hundred of these; pydantic's
        ``model_construct`` costs more than the clinical logic. Every field must be given (a test
        checks that each trusted object equals its validated twin).
        """
        obj = _new(cls)
        _set(obj, "__dict__", values)
        _set(obj, "__pydantic_fields_set__", set(values))
        _set(obj, "__pydantic_extra__", None)
        _set(obj, "__pydantic_private__", None)
        return obj


class Source(Frozen):
    """Where a rule comes from, precisely enough for a clinician to look it up."""

    document: str  # short id, e.g. "PI", "payer-003"
    title: str  # full title of the document
    section: str
    version: str


class TextPart(Frozen):
    """One piece of an engine sentence that holds dates: words, or a date (month-only when the chart
    gave no day) that each reader prints in its own date format. The sentence is its parts in order;
    the plain-text field beside it (``reason``, ``notes``, ``summary``) is the same with ISO dates."""

    text: str = ""
    date: PartialDate | None = None


class Value(Frozen):
    """One patient value used by a rule, with the consult field it came from."""

    field: str  # dotted path into the consult, e.g. "labs.neutrophils" or "regimens[2].setting"
    label: str  # what a clinician calls it
    value: str  # as shown, with unit (and any conversion: "1.2 × 10⁹/L = 1,200 cells/mm³")
    # A measured value as the chart gives it, apart: ``number`` in ``unit`` ("1.2", "× 10⁹/L"), so no
    # reader splits ``value``; None and "" when the value is words (a status, a yes/no, a resistance)
    number: float | None = None
    unit: str = ""
    # ``value`` as words and dates when it holds a date (the labs' date, a resistance note), so each
    # reader prints the date in its own format; empty otherwise
    parts: list[TextPart] = []


class Missing(Frozen):
    """An input the rule needed and did not have; ``field`` lets the window focus it."""

    field: str
    label: str


ConditionKind = Literal[
    "all", "any", "not", "plan", "extent", "her2", "hormone_receptor", "flag", "resistant", "prior_lines",
    "germline_brca", "pdl1_cps", "lab", "neuropathy_grade", "cremophor_hypersensitivity", "medication",
    "labs_older_than_days", "finding",
    # the steps inside cremophor_hypersensitivity: the history's answer, a prior ixabepilone
    # reaction of unrecorded grade, a prior regimen stopped for hypersensitivity
    "cremophor_history", "ixabepilone_reaction", "regimen_reaction",
]
Operator = Literal["lt", "le", "gt", "ge", "eq", "between", "in", "is"]


class Threshold(Frozen):
    """The number a condition compares a patient value with, in the condition's own unit."""

    value: float
    unit: str  # "cells/mm³", "× ULN", "CPS", "grade", "days", "lines"
    upper: float | None = None  # operator "between": the range runs from value to upper, both included


class Condition(Frozen):
    """One step of a rule's logic with its tri-state result: the basis of a finding.

    ``text`` is the step as one line (the label, then for a leaf " — " and the values it read);
    it stays for compatibility. Readers use the structured fields and never split ``text``.
    """

    text: str
    state: State
    children: list["Condition"] = []
    kind: ConditionKind | None = None  # None only in JSON written before the field existed
    label: str = ""  # what the step tests, without the patient values
    # "lt" ... "ge" with ``threshold``; "between" (prior lines from ``threshold.value`` to
    # ``threshold.upper``); "in" (the patient's value is one of ``options``); "is" (a yes/no
    # question answered as ``options[0]``); "eq" (a status equal to ``options[0]``). None for
    # all / any / not, a resistance, and a reference to another finding.
    operator: Operator | None = None
    threshold: Threshold | None = None
    options: list[str] = []  # the values that meet an "in" / "is" / "eq" step (plan ids, statuses, classes)
    # the patient values this step read itself (the ones ``text`` glues on); a step with children
    # leaves them to its children, a reference to the referenced finding's own basis
    values: list[Value] = []
    # the inputs an unknown step lacked, its children's included (empty when it is decided)
    missing: list[Missing] = []
    ref: str | None = None  # kind "finding": the id of the finding this step refers to


class Finding(Frozen):
    id: str
    kind: FindingKind
    group: str  # "FDA label", "NCCN pathways (seed 003)", "Payer policy 003", ...
    title: str
    statement: str  # the rule as its source says it
    state: State
    severity: Severity  # blocking / warning only when the condition holds, else info
    summary: str  # one line for a list: "Meets label indication ...", "Unknown: ... missing"
    conditions: list[Condition]
    values: list[Value]
    missing: list[Missing]
    source: Source
    confidence: Confidence
    applies_to_plan: bool | None  # does this rule concern the plan under discussion (None: plan unknown)
    # Unverified items a met / not met result rests on (a resistance window, IxDesk's line counting),
    # even when the rule itself is from the label: the result is then only as firm as they are.
    unverified_basis: list[str]
    # Pathways, exclusions and warnings limited to some plans: their condition judged whatever the
    # plan (met = the pathway would be met with its plan / the contraindication is present), so a
    # clinician weighing regimens sees both, and a contraindication of the plan not chosen is never
    # read as "ruled out". None for every other rule.
    condition_state: State | None = None
    # a pathway that would be met with another plan, but that plan's contraindication holds
    contraindicated_by: list[str] = []

    @property
    def other_plan(self) -> State | None:
        """What the condition says for a plan not under discussion (or with no plan recorded), when
        the plan-bound state would hide it: "met" (present / would be met) or "unknown" (not
        checkable, so never "ruled out"). None when there is nothing more to say."""
        if self.condition_state is None or self.applies_to_plan is True:
            return None
        if self.condition_state == "met" and self.state != "met":
            return "met"
        if self.condition_state == "unknown" and self.state == "not_met":
            return "unknown"
        return None


class RegimenResistance(Frozen):
    """The resistance computation for one regimen and one drug class, every step shown."""

    regimen_index: int
    agents: list[str]
    drug_class: str
    setting: str | None
    window_setting: Literal["on_therapy", "early", "metastatic"] | None
    # the regimen's dates as recorded: month-only ("2024-02") when the chart gave no day
    start_date: PartialDate | None
    last_dose_date: PartialDate | None
    ongoing: bool
    progression_date: PartialDate | None
    elapsed: str | None  # "2 months 11 days" from last dose to progression
    elapsed_days: int | None  # the same in days (negative: progression before the last dose)
    window: str | None  # "6 months (adjuvant/neoadjuvant)"
    window_end: date | None
    result: ResistanceResult
    reason: str
    missing: list[Missing]
    source: Source | None
    confidence: Confidence | None
    # The last dose the class's window runs from: the latest own last dose of the regimen's agents of
    # this class, or the regimen's last dose for an agent without its own (None: not recorded, or the
    # class still given). ``class_last_dose_agent`` names the agent whose own date it is (None: the
    # regimen's last dose).
    class_last_dose_date: PartialDate | None = None
    class_last_dose_agent: str | None = None
    # A result decided although an input is missing, because every possible value gives it
    # ("setting not recorded: resistant in either setting"); empty otherwise.
    notes: list[str] = []
    # The month-only dates the computation used, as field paths ("regimens[1].last_dose_date"): it
    # was judged at the first and the last possible day. When the class's last dose is such a
    # range, the window's end is one too: its earliest and latest possible end (else None).
    month_only_dates: list[str] = []
    window_end_earliest: date | None = None
    window_end_latest: date | None = None
    # ``reason`` and each of ``notes`` as words and dates (TextPart), for readers to print the dates
    # in their own format without parsing the text
    reason_parts: list[TextPart] = []
    notes_parts: list[list[TextPart]] = []


class ClassResistance(Frozen):
    drug_class: str
    label: str
    result: ResistanceResult
    summary: str
    regimens: list[RegimenResistance]
    missing: list[Missing]
    summary_parts: list[TextPart] = []  # ``summary`` as words and dates (see TextPart)


class LineCount(Frozen):
    """Prior lines in the metastatic setting; a range when some regimens are unclear.

    ``maximum`` is None when no regimens are recorded and "no prior systemic therapy" is not stated:
    the count could be anything, and ``missing`` says what to enter.
    """

    kind: str  # "metastatic_all" or "metastatic_nonendocrine"
    label: str
    minimum: int
    maximum: int | None
    counted: list[int]  # metastatic regimen indexes counted, one line each
    uncertain: list[int]  # regimen indexes that may or may not count
    early_disease: list[int]  # neoadjuvant / adjuvant regimens of the kind counted
    early_disease_counted: bool  # they count as one line together (since_diagnosis), or not at all
    excluded_endocrine: list[int]  # regimens of endocrine-based agents only, left out of this count
    # metastatic regimens of endocrine-based agents only that this count includes: whether they are
    # "lines of therapy" for a criterion is a reading, so a result resting on them is unverified
    endocrine_counted: list[int] = []
    definition: str
    confidence: Confidence
    missing: list[Missing]

    @property
    def text(self) -> str:
        """As shown to people: '2', '1–2', or 'unknown' with the reason."""
        if self.maximum is None:
            return "unknown (prior regimens not recorded)"
        return str(self.minimum) if self.minimum == self.maximum else f"{self.minimum}–{self.maximum}"

    @property
    def breakdown(self) -> list[str]:
        """Which regimens made the count, in words (the window and the clinician summary show it)."""
        def regs(idx: list[int]) -> str:
            return ("regimen " if len(idx) == 1 else "regimens ") + ", ".join(str(i + 1) for i in idx)

        out: list[str] = []
        if self.early_disease_counted:
            out.append(f"early-disease treatment ({regs(self.early_disease)}) as one line")
        out.append(f"counted (metastatic): {regs(self.counted)}" if self.counted else "no metastatic regimen counted")
        if self.early_disease and not self.early_disease_counted:
            out.append(f"not counted (neoadjuvant / adjuvant): {regs(self.early_disease)}")
        if self.endocrine_counted:
            out.append(f"of these, endocrine-based only: {regs(self.endocrine_counted)} (whether they are lines is a reading)")
        if self.excluded_endocrine:
            out.append(f"not counted (endocrine-based only): {regs(self.excluded_endocrine)}")
        if self.uncertain:
            out.append(f"may count (setting or agents unclear): {regs(self.uncertain)}")
        return out


class Vial(Frozen):
    size_mg: float
    count: int


class Premedication(Frozen):
    id: str
    drug: str
    dose: str
    route: str
    timing: str
    when: str  # "all patients" or the condition that calls for it
    required: bool


class CapecitabineDose(Frozen):
    mg_per_m2_per_dose: float
    bsa_m2: float
    mg_per_dose: float
    schedule: str


class Dose(Frozen):
    state: Literal["computed", "unknown", "not_recommended"]
    summary: str
    bsa_formula: str
    height_cm: float | None
    weight_kg: float | None
    bsa_m2: float | None  # as calculated
    bsa_used_m2: float | None  # after the cap
    bsa_capped: bool
    standard_mg_per_m2: float
    hepatic_row: str | None
    mg_per_m2: float | None
    adjustments: list[str]
    dose_mg: float | None
    vials: list[Vial]
    vial_total_mg: float | None
    hcpcs_code: str
    hcpcs_units: int | None
    infusion_hours: float
    cycle_days: int
    capecitabine: CapecitabineDose | None
    premedication: list[Premedication]
    # prior reaction to ixabepilone the premedication was chosen from (history or a regimen's stop)
    prior_reaction: bool | None
    notes: list[str]
    missing: list[Missing]
    unverified: list[str]
    # Medication lines the CYP3A4 dictionary does not recognise (or a product's unclassified part).
    # When one of them could be a strong CYP3A4 inhibitor and that would lower the dose, the dose is
    # not given as one number: state is "unknown", and the two fields pairs below say
    # "<unless> mg/m2 unless one is a strong CYP3A4 inhibitor (then <if> mg/m2)".
    unrecognised_medications: list[str] = []
    mg_per_m2_unless_strong_inhibitor: float | None = None
    dose_mg_unless_strong_inhibitor: float | None = None
    mg_per_m2_if_strong_inhibitor: float | None = None
    dose_mg_if_strong_inhibitor: float | None = None


class CriteriaInfo(Frozen):
    name: str
    version: str
    sha256: str
    # False when sha256 is not the recorded sha256 of the reviewed set: then ``notice`` is the
    # banner every output shows ("criteria modified locally: not the reviewed set")
    reviewed: bool
    reviewed_sha256: str | None
    notice: str | None


class Assessment(Frozen):
    format_version: int = FORMAT_VERSION
    as_of: date
    consult_date: date | None
    plan: str | None
    criteria: CriteriaInfo
    resistance: list[ClassResistance]
    lines: list[LineCount]
    findings: list[Finding]
    blocking: list[str]  # ids of exclusions that hold
    warnings: list[str]  # ids of warnings that hold
    dose: Dose
    data_notes: list[str]  # input problems that are not errors (unrecognised agents, ...)
    missing: list[Missing]  # every missing input named anywhere, deduplicated
    data_notes_parts: list[list[TextPart]] = []  # ``data_notes`` as words and dates (see TextPart)

    def finding(self, finding_id: str) -> Finding:
        for f in self.findings:
            if f.id == finding_id:
                return f
        raise KeyError(finding_id)

    def resistance_for(self, drug_class: str) -> ClassResistance:
        for r in self.resistance:
            if r.drug_class == drug_class:
                return r
        raise KeyError(drug_class)

    def json_bytes(self) -> bytes:
        """``model_dump_json()`` as UTF-8, byte for byte, written by orjson (about half the time).

        Every model here is frozen, has no serializer of its own and holds its fields in declaration
        order (validated, or ``Frozen.trusted`` with every field given in that order), so each
        one's ``__dict__`` is what pydantic writes; dates are ISO dates in both, a month-only date
        its own text. ``tests/core/test_jsonl_bytes.py`` compares the two on the examples and the
        engine digests' mutated consults, so any model that stops fitting this shows at once.
        """
        return _orjson_dumps(self, default=_json_default)


def _json_default(o: Any) -> Any:
    if isinstance(o, BaseModel):
        return o.__dict__
    if isinstance(o, PartialDate):
        return o.isoformat()
    raise TypeError(f"{type(o).__name__} is not part of an Assessment")


from orjson import dumps as _orjson_dumps  # noqa: E402 - beside its one use
