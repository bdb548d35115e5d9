"""Load ``criteria/*.yaml`` into strict, frozen models, or refuse with file, line and reason.

Criteria are data so that a pharmacist can review a rule without reading Python, and so that every
conclusion can name the document and section it rests on. A broken file must stop the app from
showing results at all: a partial rule set would give confident answers from missing rules.
"""

from __future__ import annotations

import hashlib
import math
import os
import stat
import datetime as _dt
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any, Literal, get_args

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from ixdesk.core.conditions import (  # noqa: F401 - re-exported: the condition language lives in conditions.py
    _COND_TAGS, AllOf, AnyOf, Cond, CpsBelow, CremophorAtLeast, DrugClassName, ExtentIs, FindingRef, FlagIs, FlagName,
    GermlineBrcaIs, Her2Is, HormoneReceptorIs, LabCompare, LabName, LabSpec, LabsOlderThan, LineKind, LineRange,
    MedicationIn, NeuropathyAtLeast, NotOf, PlanIs, PriorLines, Resistant, walk,
)
from ixdesk.core.conditions import CompiledRule, Compiler, Labels, compile_rule
from ixdesk.core.consult import PlanRegimen
from ixdesk.core.criteria_types import (  # noqa: F401 - re-exported: criteria models import their types from here
    BillingUnits, BsaM2, CapecitabineMgPerM2, CpsThreshold, CycleDays, Days, DosesPerDay, FeverCelsius, FinalMgPerMl,
    Grade, InfusionHours, LineCount, MgPerBillingUnit, MgPerM2, Model, Months, NeutrophilsPerMm3, PlateletsPerMm3,
    ReconstitutedMgPerMl, UlnBilirubinMgDl, UlnBilirubinUmolL, UlnUPerL, VialMg, Weeks, XUln, _check_against,
    _plausible,
)
from ixdesk.paths import criteria_dir

Confidence = Literal["label", "trial", "payer", "unverified"]


class CriteriaError(Exception):
    """A criteria file is unusable; the message names the file, the line and the reason."""

    def __init__(self, file: str, line: int | None, reason: str) -> None:
        self.file, self.line, self.reason = file, line, reason
        where = f"{file}, line {line}" if line else file
        super().__init__(f"{where}: {reason}")


class SourceRef(Model):
    document: str
    section: str


# --- rule files ----------------------------------------------------------------------------

class Rule(Model):
    id: Annotated[str, Field(pattern=r"^[a-z0-9_]+(\.[A-Za-z0-9_]+)+$")]
    kind: Literal["indication", "pathway", "payer", "exclusion", "warning"]
    group: str
    title: str
    statement: str
    plans: list[PlanRegimen] | None = None  # the plans this rule concerns; None: all plans
    source: SourceRef
    also: SourceRef | None = None
    confidence: Confidence
    when: Cond


class RuleFile(Model):
    rules: list[Rule] = Field(min_length=1)


class Document(Model):
    id: str
    title: str
    version: str


class SourcesFile(Model):
    documents: list[Document] = Field(min_length=1)


class DrugClass(Model):
    id: str
    label: str
    endocrine_based: bool


class Agent(Model):
    id: str
    name: str
    class_: str = Field(alias="class")
    brands: list[str] = []
    aliases: list[str] = []
    # None: the name covers products with and without Cremophor EL ("taxane" in AC-T: paclitaxel
    # or docetaxel), so a reaction to it leaves the Cremophor question open instead of answering it.
    cremophor: bool | None = False
    model_config = ConfigDict(defer_build=True, extra="forbid", frozen=True, strict=True, populate_by_name=True)


class Combination(Model):
    alias: str
    agents: list[str] = Field(min_length=2)


class FormularyFile(Model):
    classes: list[DrugClass]
    agents: list[Agent]
    combinations: list[Combination] = []


class Window(Model):
    id: str
    setting: Literal["early", "metastatic"]
    months: Months | None = None
    weeks: Weeks | None = None
    statement: str
    source: SourceRef
    also: SourceRef | None = None
    confidence: Confidence

    @model_validator(mode="after")
    def _one_length(self) -> "Window":
        if (self.months is None) == (self.weeks is None):
            raise ValueError("give exactly one of months or weeks")
        return self

    @property
    def length_text(self) -> str:
        if self.months is not None:
            return f"{self.months} month{'s' if self.months != 1 else ''}"
        return f"{self.weeks} week{'s' if self.weeks != 1 else ''}"


class ClassWindows(Model):
    drug_class: DrugClassName
    windows: list[Window]


class OnTherapyRule(Model):
    id: str
    statement: str
    source: SourceRef
    confidence: Confidence


class ResistanceFile(Model):
    classes: list[ClassWindows]
    on_therapy_rule: OnTherapyRule


class LineDefinition(Model):
    kind: LineKind
    label: str
    definition: str
    exclude_endocrine_based: bool
    # Seed 003: first-line therapy is "the first or primary treatment for the diagnosis", so
    # neoadjuvant / adjuvant treatment, however many regimens, is one line before the metastatic ones.
    early_disease_as_first_line: bool = False
    source: SourceRef
    confidence: Confidence


class LinesFile(Model):
    counts: list[LineDefinition]


MedicationClassId = Literal["strong_inhibitor", "moderate_inhibitor", "strong_inducer", "moderate_inducer", "none_known"]
MEDICATION_CLASSES: tuple[MedicationClassId, ...] = get_args(MedicationClassId)


class MedicationClass(Model):
    id: MedicationClassId
    label: str
    # Words that mark a medication line as a topical form ("ketoconazole 2% shampoo"): the match
    # still counts, and the dose card asks the prescriber to confirm the route.
    topical_markers: list[str] = []
    topical_note: str | None = None


class MedicationDrug(Model):
    name: str = Field(min_length=2, max_length=80)
    brands: list[Annotated[str, Field(min_length=2, max_length=80)]] = []
    aliases: list[Annotated[str, Field(min_length=2, max_length=80)]] = []


class MedicationGroup(Model):
    """Drugs that share one class, one source and one confidence: each entry carries them."""

    model_config = ConfigDict(defer_build=True, extra="forbid", frozen=True, strict=True, populate_by_name=True)
    id: str
    class_: MedicationClassId = Field(alias="class")
    source: SourceRef
    confidence: Confidence
    drugs: list[MedicationDrug] = Field(min_length=1)


class MedicationProduct(Model):
    """A brand of several drugs (Paxlovid, Genvoya): it takes the class of every drug it contains."""

    name: str = Field(min_length=2, max_length=80)
    aliases: list[Annotated[str, Field(min_length=2, max_length=80)]] = []
    contains: list[str] = Field(min_length=1)  # drug names defined in a group
    # components the dictionary does not classify: the checks they could change stay unknown
    unclassified: list[str] = []


class MedicationsFile(Model):
    classes: list[MedicationClass] = Field(min_length=1)
    groups: list[MedicationGroup] = Field(min_length=1)
    products: list[MedicationProduct] = []

    def class_(self, class_id: str) -> MedicationClass:
        for c in self.classes:
            if c.id == class_id:
                return c
        raise KeyError(class_id)


class Standard(Model):
    mg_per_m2: MgPerM2
    infusion_hours: InfusionHours
    cycle_days: CycleDays
    source: SourceRef
    confidence: Confidence


class Bsa(Model):
    cap_m2: BsaM2
    formulas: dict[str, str]
    source: SourceRef
    confidence: Confidence


class HepaticRow(Model):
    id: str
    label: str
    transaminases_max_x_uln: XUln | None = None
    bilirubin_max_x_uln: XUln | None = None
    mg_per_m2: MgPerM2 | None
    note: str | None = None
    # the "may rise to at most 30 mg/m2 in later cycles" step of the row (None: no such step)
    later_max_mg_per_m2: float | None = Field(default=None, ge=1, le=40)


class CitedNote(Model):
    note: str
    source: SourceRef
    confidence: Confidence


class Hepatic(Model):
    applies_to: list[PlanRegimen]
    source: SourceRef
    confidence: Confidence
    rows: list[HepaticRow] = Field(min_length=1)
    # said where bilirubin above the first row's limit drives the row (facts sheet 4, 9); optional
    gilbert: CitedNote | None = None


class Cyp3a4(Model):
    inhibitor_mg_per_m2: MgPerM2
    # "about 1 week" after a strong inhibitor stops before the previous dose returns (PI 2)
    inhibitor_washout_days: Days
    inhibitor_note: str
    inducer_note: str
    source: SourceRef
    confidence: Confidence
    # a moderate inhibitor or inducer: a caution, no dose rule (facts sheet section 8)
    moderate: CitedNote
    # a strong inhibitor with a hepatic reduction: the PI gives no rule for both (facts sheet 9, verify)
    with_hepatic: CitedNote


class Kits(Model):
    vials_mg: list[VialMg] = Field(min_length=1)
    reconstituted_mg_per_ml: ReconstitutedMgPerMl
    source: SourceRef
    confidence: Confidence


class DiagnosisCode(Model):
    code: str  # one ICD-10-CM code or a range "C50.011-C50.929"
    text: str
    er: Literal["positive", "negative"] | None = None  # the receptor status the code records, if any


class DiagnosisCodes(Model):
    codes: list[DiagnosisCode] = Field(min_length=1)
    source: SourceRef
    note: str


class Billing(Model):
    hcpcs: str
    mg_per_unit: MgPerBillingUnit
    units_cap_per_cycle: BillingUnits
    source: SourceRef
    confidence: Confidence
    cap_note: str
    diagnosis: DiagnosisCodes | None = None


class CapecitabineDosing(Model):
    mg_per_m2_per_dose: CapecitabineMgPerM2
    doses_per_day: DosesPerDay
    days: str
    # the days of tablets at the start of each cycle ("days 1-14" is 14): the patient sheet says
    # "14 days on, then 7 days off" from it and the cycle length
    days_on: Annotated[int, Field(ge=1, le=28)] | None = None
    source: SourceRef
    confidence: Confidence
    note: str


class PremedItem(Model):
    id: str
    drug: str
    dose: str
    route: str
    timing: str
    # minutes before the infusion starts (one per route when they differ): the nurse checklist
    # prints the planned clock time from the start time the nurse writes in
    minutes_before: list[Annotated[int, Field(ge=0, le=240)]] = []
    when: str
    required: bool


class Premedication(Model):
    source: SourceRef
    confidence: Confidence
    items: list[PremedItem]


class DosingFile(Model):
    standard: Standard
    bsa: Bsa
    hepatic: Hepatic
    cyp3a4: Cyp3a4
    kits: Kits
    billing: Billing
    capecitabine: CapecitabineDosing
    premedication: Premedication


class CycleStart(Model):
    id: str
    statement: str
    neutrophils_min_per_mm3: NeutrophilsPerMm3
    platelets_min_per_mm3: PlateletsPerMm3
    nonhematologic_max_grade: Grade
    source: SourceRef
    confidence: Confidence


ModKind = Literal["neutrophils", "platelets", "neuropathy", "other"]


class ModRow(Model):
    # what the row is about, so that a reader finds the neuropathy rows by field, not by wording
    kind: ModKind
    id: Annotated[str, Field(pattern=r"^mod\.[a-z0-9_]+$")]
    # what the row does to the dose; reduce_percent of the current dose for the reductions
    effect: Literal["reduce", "further_reduce", "discontinue", "no_change"]
    reduce_percent: Annotated[int, Field(gt=0, lt=100)] | None = None
    toxicity: str
    action: str


class CitedText(Model):
    text: str
    confidence: Confidence


class CapecitabineHoldRule(CitedText):
    """A capecitabine hold of the combination, with the count that lets it resume."""

    id: Annotated[str, Field(pattern=r"^cape\.[a-z0-9_]+$")]
    lab: Literal["neutrophils", "platelets"]
    resume_above_per_mm3: float = Field(gt=0, le=1_000_000)


class DoseModifications(Model):
    source: SourceRef
    confidence: Confidence
    rows: list[ModRow]
    days: Days  # the table's "7 days"
    capecitabine: list[CapecitabineHoldRule]


class Preparation(Model):
    source: SourceRef
    steps: list[CitedText]
    # the figures the steps state, for the volumes the checklist computes for the dose
    reconstituted_mg_per_ml: ReconstitutedMgPerMl
    final_mg_per_ml: list[FinalMgPerMl] = Field(min_length=2, max_length=2)
    use_within_hours: InfusionHours

    @model_validator(mode="after")
    def _range(self) -> "Preparation":
        lo, hi = self.final_mg_per_ml
        if not 0 < lo < hi:
            raise ValueError("final_mg_per_ml: give [lowest, highest], both above 0")
        return self


class Hypersensitivity(Model):
    source: SourceRef
    confidence: Confidence
    steps: list[str]


class PregnancyFacts(Model):
    source: SourceRef
    confidence: Confidence
    contraception_female_months: Months
    contraception_male_months: Months
    breastfeeding_weeks: Weeks
    text: str


class NeuropathyRates(Model):
    text: str
    source: SourceRef
    confidence: Confidence


class PatientUrgent(Model):
    source: SourceRef
    fever_celsius: FeverCelsius
    signs: list[str] = Field(min_length=1)


class CitedList(Model):
    source: SourceRef
    confidence: Confidence
    items: list[str] = Field(min_length=1)


class AdministrationFile(Model):
    cycle_start: CycleStart
    dose_modifications: DoseModifications
    preparation: Preparation
    hypersensitivity: Hypersensitivity
    monitoring: list[CitedText]
    pregnancy: PregnancyFacts
    neuropathy_rates: NeuropathyRates
    patient_urgent: PatientUrgent
    capecitabine_teaching: CitedList


class UlnDefault(Model):
    value: float = Field(gt=0)
    unit: str


class UlnUPerLDefault(UlnDefault):
    value: UlnUPerL


class UlnBilirubinMgDlDefault(UlnDefault):
    value: UlnBilirubinMgDl


class UlnBilirubinUmolLDefault(UlnDefault):
    value: UlnBilirubinUmolL


class UlnDefaults(Model):
    """The form's ULN defaults, one field per lab and unit so that each gets its own bound."""

    ast: UlnUPerLDefault | None = None
    alt: UlnUPerLDefault | None = None
    bilirubin_mg_dl: UlnBilirubinMgDlDefault | None = None
    bilirubin_umol_l: UlnBilirubinUmolLDefault | None = None

    def get(self, key: str) -> UlnDefault | None:
        """Dict-style access (``uln.get("ast")``), as when this was a mapping."""
        return getattr(self, key, None) if key in type(self).model_fields else None


class LabDefaultsFile(Model):
    source: SourceRef
    confidence: Confidence
    uln: UlnDefaults


# Limits on what a criteria folder may hold, checked before anything is parsed: the largest shipped
# file is under 10 KB, so 1 MiB leaves room for a full medication dictionary and still refuses a
# file that is not criteria at all (a pasted log, a binary) before it is read into memory.
MAX_FILE_BYTES = 1024 * 1024
MAX_FILES = 64
MAX_DEPTH = 40  # nesting of mappings and sequences; the shipped set nests 9 deep


class SetFile(Model):
    name: str
    version: str
    date: _dt.date
    # The files of the set, so that a missing or stray file is refused at a line of this file.
    files: list[str] = Field(min_length=1, max_length=MAX_FILES)


# --- the loaded set ------------------------------------------------------------------------

_FILES: dict[str, type[Model]] = {
    "set.yaml": SetFile,
    "sources.yaml": SourcesFile,
    "formulary.yaml": FormularyFile,
    "resistance.yaml": ResistanceFile,
    "lines.yaml": LinesFile,
    "medications.yaml": MedicationsFile,
    "dosing.yaml": DosingFile,
    "administration.yaml": AdministrationFile,
    "lab_defaults.yaml": LabDefaultsFile,
    "indications.yaml": RuleFile,
    "exclusions.yaml": RuleFile,
    "warnings.yaml": RuleFile,
    "pathways.yaml": RuleFile,
    "payers.yaml": RuleFile,
}
RULE_FILES = ("indications.yaml", "exclusions.yaml", "warnings.yaml", "pathways.yaml", "payers.yaml")

# What every screen and report says when the loaded set is not the one whose sha256 was recorded
# as reviewed (ixdesk/reviewed_criteria.py, written by ``ixdesk criteria record``).
UNREVIEWED_NOTICE = "criteria modified locally: not the reviewed set"


class Programs:
    """The rules of one set compiled, with the data they were compiled from (checked by identity)."""

    def __init__(self, rules: list[Rule], medications: MedicationsFile, lines: dict[str, LineDefinition],
                 by_id: dict[str, CompiledRule]) -> None:
        self.rules, self.medications, self.lines, self.by_id = rules, medications, lines, by_id

    def __eq__(self, other: object) -> bool:
        # closures never compare equal; two sets are equal when their data are, which Criteria compares
        return isinstance(other, Programs)

    __hash__ = None  # type: ignore[assignment]


class Criteria(BaseModel):
    """The whole validated set, plus lookup tables built once at load."""

    model_config = ConfigDict(defer_build=True, frozen=True, arbitrary_types_allowed=True)

    info: SetFile
    sha256: str
    folder: str
    documents: dict[str, Document]
    formulary: FormularyFile
    resistance: ResistanceFile
    lines: dict[str, LineDefinition]
    medications: MedicationsFile
    dosing: DosingFile
    administration: AdministrationFile
    lab_defaults: LabDefaultsFile
    rules: list[Rule]  # in evaluation order: a rule only refers to rules before it
    # True when ``sha256`` is the recorded sha256 of the reviewed (shipped) set
    reviewed: bool = False
    reviewed_sha256: str | None = None
    # every rule compiled once, by load_criteria (read it through ``programs()``)
    compiled: Programs | None = Field(default=None, repr=False, exclude=True)

    @property
    def version(self) -> str:
        return self.info.version

    @property
    def notice(self) -> str | None:
        """The banner every screen and report shows for a set that is not the reviewed one."""
        return None if self.reviewed else UNREVIEWED_NOTICE

    def programs(self) -> dict[str, CompiledRule]:
        """Rule id -> the compiled rule. ``load_criteria`` compiles once; a set built or copied
        without it (``model_copy`` replacing its rules, medication classes or line counts) gets a
        fresh compilation, never one made for other data."""
        done = self.compiled
        if done is not None and done.rules is self.rules and done.medications is self.medications \
                and done.lines is self.lines:
            return done.by_id
        return _compile(self).by_id

    def program(self, rule: Rule) -> CompiledRule:
        """The compiled rule (compiled now if it is not one of this set's own rules)."""
        prog = self.programs().get(rule.id)
        return prog if prog is not None and prog.rule is rule else compile_rule(rule, Compiler(_labels(self)))

    def rule(self, rule_id: str) -> Rule:
        for r in self.rules:
            if r.id == rule_id:
                return r
        raise KeyError(rule_id)


def _labels(crit: Criteria) -> Labels:
    return Labels(medication_classes={c.id: c.label for c in crit.medications.classes},
                  line_counts={kind: d.label for kind, d in crit.lines.items()})


def _compile(crit: Criteria) -> Programs:
    cc = Compiler(_labels(crit))
    return Programs(crit.rules, crit.medications, crit.lines, {r.id: compile_rule(r, cc) for r in crit.rules})


def _dedupe_tags(loc: tuple[Any, ...]) -> tuple[Any, ...]:
    """Drop the union tag pydantic repeats before a condition's own key ('lab', 'lab' -> 'lab')."""
    out: list[Any] = []
    for part in loc:
        if out and part == out[-1] and part in _COND_TAGS:
            continue
        out.append(part)
    return tuple(out)


def _line_of(node: yaml.Node | None, loc: tuple[Any, ...]) -> int | None:
    """Follow a pydantic error location through the YAML node tree to the deepest line known."""
    line = node.start_mark.line + 1 if node is not None else None
    for key in loc:
        if isinstance(node, yaml.MappingNode):
            for k, v in node.value:
                if k.value == key:
                    line, node = k.start_mark.line + 1, v
                    break
        elif isinstance(node, yaml.SequenceNode) and isinstance(key, int) and key < len(node.value):
            node = node.value[key]
            line = node.start_mark.line + 1
    return line


def _format_loc(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else ("." if out else "") + str(part)
    return out or "(top level)"


# --- reading YAML strictly -----------------------------------------------------------------

class _Refused(yaml.YAMLError):
    """YAML that parses but that a criteria file must not contain (duplicate keys, aliases, ...)."""

    def __init__(self, line: int | None, reason: str) -> None:
        super().__init__(reason)
        self.line, self.reason = line, reason


try:  # libyaml's parser when PyYAML has it (every PyPI wheel does): the pure-Python one is ~5x slower
    from yaml._yaml import CParser as _CParser  # where yaml.cyaml takes it from; absent without libyaml

    class _Base(yaml.composer.Composer, _CParser, yaml.constructor.SafeConstructor, yaml.resolver.Resolver):
        # The composer is the Python one on libyaml's events: it sees every anchor and alias.
        def __init__(self, stream: str) -> None:
            _CParser.__init__(self, stream)
            yaml.constructor.SafeConstructor.__init__(self)
            yaml.resolver.Resolver.__init__(self)
            yaml.composer.Composer.__init__(self)
except ImportError:  # pragma: no cover - PyYAML built without libyaml
    _Base = yaml.SafeLoader  # type: ignore[misc,assignment]


class StrictLoader(_Base):
    """SafeLoader that refuses what lets a criteria file say something other than what it shows.

    A duplicate key silently replaces the first value (``mg_per_m2: 400`` under ``mg_per_m2: 40``);
    anchors and aliases let one line stand for another, and a 5 KB file expand to gigabytes; a
    merge key (``<<``) hides which value wins. Each is refused with its line, before construction.
    """

    _depth = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        event = self.peek_event()
        mark = event.start_mark if event is not None else None
        line = mark.line + 1 if mark is not None else None
        if isinstance(event, yaml.AliasEvent):
            raise _Refused(line, f"alias '*{event.anchor}': anchors and aliases are not "
                           "allowed in criteria files; write the value out")
        if isinstance(event, yaml.NodeEvent) and event.anchor is not None:
            raise _Refused(line, f"anchor '&{event.anchor}': anchors and aliases are not "
                           "allowed in criteria files; write the value out")
        self._depth += 1
        if self._depth > MAX_DEPTH:
            raise _Refused(line, f"nested more than {MAX_DEPTH} levels deep")
        try:
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def construct_mapping(self, node: Any, deep: bool = False) -> Any:
        seen: dict[Any, int] = {}
        for key_node, _ in node.value if isinstance(node, yaml.MappingNode) else ():
            line = key_node.start_mark.line + 1
            if key_node.tag == "tag:yaml.org,2002:merge":
                raise _Refused(line, "merge key '<<' is not allowed in criteria files; write the keys out")
            key = self.construct_object(key_node, deep=True)
            try:
                first = seen.get(key)
            except TypeError:
                continue  # unhashable: the constructor below reports it
            if first is not None:
                raise _Refused(line, f"key '{key_node.value}' appears twice in the same mapping (first at line "
                               f"{first}); YAML would silently keep only the last value")
            seen[key] = line
        return super().construct_mapping(node, deep=deep)


def _parse(name: str, raw: bytes) -> tuple[Any, yaml.Node | None]:
    """Decode and parse one file's bytes; return its data and node tree (for error lines)."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line: int | None = raw[:exc.start].count(b"\n") + 1
        raise CriteriaError(name, line, f"not UTF-8 text (byte {exc.start}, 0x{raw[exc.start]:02x}); "
                            "save the file as UTF-8") from None
    if "\0" in text:
        raise CriteriaError(name, text[:text.index("\0")].count("\n") + 1, "contains a NUL character: not a text file")
    loader = StrictLoader(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except _Refused as exc:
        raise CriteriaError(name, exc.line, exc.reason) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        reason = getattr(exc, "problem", None) or str(exc)
        raise CriteriaError(name, line, f"not valid YAML: {reason}") from None
    except RecursionError:
        raise CriteriaError(name, None, "nested too deeply to read") from None
    finally:
        loader.dispose()
    return data, node


def _num(v: float) -> str:
    """1000000.0 -> '1000000', 2.5 -> '2.5': as a pharmacist would type it, never '1e+06'."""
    return str(int(v)) if isinstance(v, (int, float)) and math.isfinite(v) and float(v).is_integer() else f"{v}"


def _bound_reason(err: Any, where: str) -> str | None:
    """The message of a plausibility-bound error: the value, the bound and what kind of bound it is."""
    ctx = err.get("ctx") or {}
    if err["type"] in ("plausible_max", "plausible_min"):
        side = "maximum" if err["type"] == "plausible_max" else "minimum"
        unit = f" {ctx['unit']}" if ctx.get("unit") else ""
        return (f"{where} = {_num(ctx['value'])} is {'above' if side == 'maximum' else 'below'} the plausible {side} "
                f"{_num(ctx['bound'])}{unit} (a bound against a slipped digit, not a clinical limit)")
    return None


def _validate(name: str, data: Any, node: yaml.Node | None, model: type[Model]) -> Model:
    if not isinstance(data, dict):
        raise CriteriaError(name, 1, "expected a mapping at the top level")
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        clean = _dedupe_tags(tuple(err["loc"]))
        reason = err["msg"]
        if err["type"] == "missing":
            reason = "required field is missing"
        elif err["type"] == "extra_forbidden":
            reason = "unknown key"
        bound = _bound_reason(err, _format_loc(clean))
        more = f" (and {len(exc.errors()) - 1} more problem(s))" if len(exc.errors()) > 1 else ""
        text = bound if bound is not None else f"{_format_loc(clean)}: {reason}"
        raise CriteriaError(name, _line_of(node, clean), f"{text}{more}") from None


def _read_capped(folder: Path, name: str) -> bytes:
    """The file's bytes, refusing anything but a regular file of at most MAX_FILE_BYTES."""
    path = folder / name
    try:
        st = os.stat(path)
        if not stat.S_ISREG(st.st_mode):
            raise CriteriaError(name, None, "not a regular file")
        with open(path, "rb") as fh:
            raw = fh.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise CriteriaError(name, None, f"cannot be read: {exc.strerror or exc}") from None
    if len(raw) > MAX_FILE_BYTES:
        raise CriteriaError(name, None, f"larger than {MAX_FILE_BYTES // 1024} KB, the limit for a criteria file")
    return raw


def _check_source(file: str, line: int | None, ref: SourceRef | None, docs: dict[str, Document], what: str) -> None:
    if ref is None:
        return
    if ref.document not in docs:
        raise CriteriaError(file, line, f"{what}: source document '{ref.document}' is not in sources.yaml")
    if not ref.section.strip():
        raise CriteriaError(file, line, f"{what}: source section is empty")


def _check_manifest(folder: Path, present: list[str], info: SetFile, set_node: yaml.Node | None) -> None:
    """The folder holds exactly the files set.yaml lists, and those are the files IxDesk reads."""
    listed = info.files
    for i, name in enumerate(listed):
        line = _line_of(set_node, ("files", i))
        if name in listed[:i]:
            raise CriteriaError("set.yaml", line, f"files: '{name}' is listed twice")
        if name not in _FILES:
            raise CriteriaError("set.yaml", line, f"files: '{name}' is not a criteria file this version of IxDesk reads")
        if name not in present:
            raise CriteriaError("set.yaml", line, f"files: '{name}' is missing from the criteria folder {folder}")
    for name in _FILES:
        if name not in listed:
            raise CriteriaError("set.yaml", _line_of(set_node, ("files",)),
                                f"files: does not list '{name}', which this version of IxDesk needs")
    for name in present:
        if name not in listed:
            raise CriteriaError(name, 1, f"unexpected file in the criteria folder: set.yaml (line "
                                f"{_line_of(set_node, ('files',))}) does not list it; remove it or add it there")


def _check_hepatic(dosing: DosingFile, node: yaml.Node | None) -> None:
    """The hepatic rows run from mildest to most severe: limits rise and doses fall down the table.

    Within their bounds a slipped digit can still move a row out of order (a bilirubin limit of 15
    for 1.5); the order is what the table means, so a row out of it is refused."""
    rows = dosing.hepatic.rows
    for i in range(1, len(rows)):
        prev, row = rows[i - 1], rows[i]
        for field in ("transaminases_max_x_uln", "bilirubin_max_x_uln", "mg_per_m2"):
            a, b = getattr(prev, field), getattr(row, field)
            if a is None or b is None:
                continue
            wrong = b > a if field == "mg_per_m2" else b < a
            if wrong:
                raise CriteriaError("dosing.yaml", _line_of(node, ("hepatic", "rows", i, field)),
                                    f"hepatic.rows[{i}].{field} = {_num(b)} is {'above' if field == 'mg_per_m2' else 'below'} "
                                    f"the row before ({_num(a)}): the rows go from mildest to most severe")
    for i, row in enumerate(rows):
        if row.mg_per_m2 is not None and row.mg_per_m2 > dosing.standard.mg_per_m2:
            raise CriteriaError("dosing.yaml", _line_of(node, ("hepatic", "rows", i, "mg_per_m2")),
                                f"hepatic.rows[{i}].mg_per_m2 = {_num(row.mg_per_m2)} is above the standard dose "
                                f"{_num(dosing.standard.mg_per_m2)} mg/m2")
    if dosing.cyp3a4.inhibitor_mg_per_m2 > dosing.standard.mg_per_m2:
        raise CriteriaError("dosing.yaml", _line_of(node, ("cyp3a4", "inhibitor_mg_per_m2")),
                            f"cyp3a4.inhibitor_mg_per_m2 = {_num(dosing.cyp3a4.inhibitor_mg_per_m2)} is above the "
                            f"standard dose {_num(dosing.standard.mg_per_m2)} mg/m2")


def reviewed_sha256() -> str | None:
    """The sha256 of the set as last reviewed, recorded outside the hashed folder."""
    try:
        from ixdesk import reviewed_criteria
    except ImportError:  # pragma: no cover - a build without the record: nothing counts as reviewed
        return None
    value = getattr(reviewed_criteria, "SHA256", None)
    return value if isinstance(value, str) and len(value) == 64 else None


def _fold_name(text: str) -> str:
    """As the matcher folds a medication line (ixdesk.core.medications.fold_med), so that two
    spellings of one name are caught as a duplicate here."""
    drop = str.maketrans({"\u2019": None, "\u2018": None, "\u02bc": None, "`": None, "'": None, ".": None})
    return " ".join(text.casefold().translate(drop).split())


def _check_medications(meds: MedicationsFile, node: yaml.Node | None, docs: dict[str, Document]) -> None:
    """Every class defined once, every name in one place only, every product made of known drugs.

    A name listed twice could carry two classes, and the one read last would silently win."""
    file = "medications.yaml"

    def at(*loc: Any) -> int | None:
        return _line_of(node, loc)

    ids = [c.id for c in meds.classes]
    for cid in MEDICATION_CLASSES:
        if ids.count(cid) != 1:
            raise CriteriaError(file, at("classes"), f"medication class '{cid}' must be defined exactly once")
    owner: dict[str, str] = {}
    drug_names: set[str] = set()

    def claim(name: str, who: str, line: int | None) -> None:
        key = _fold_name(name)
        if not key:
            raise CriteriaError(file, line, f"'{who}': an empty name")
        if key in owner:
            raise CriteriaError(file, line,
                                f"'{name}' is listed twice (for '{owner[key]}' and '{who}'): each name belongs in one place")
        owner[key] = who

    for gi, g in enumerate(meds.groups):
        _check_source(file, at("groups", gi, "source", "document"), g.source, docs, g.id)
        for di, d in enumerate(g.drugs):
            drug_names.add(_fold_name(d.name))
            for name in (d.name, *d.brands, *d.aliases):
                claim(name, d.name, at("groups", gi, "drugs", di))
    for pi, prod in enumerate(meds.products):
        line = at("products", pi)
        for name in (prod.name, *prod.aliases):
            claim(name, prod.name, line)
        for part in prod.contains:
            if _fold_name(part) not in drug_names:
                raise CriteriaError(file, line, f"product '{prod.name}': '{part}' is not a drug of any group")
        for part in prod.unclassified:
            if _fold_name(part) in drug_names:
                raise CriteriaError(file, line,
                                    f"product '{prod.name}': '{part}' is classified in a group; list it under contains")


def _check_reader_rules(seen: dict[str, int | None], nodes: dict[str, yaml.Node | None]) -> None:
    """Every rule id a reader names (ixdesk.core.reader_rules) exists: a renamed rule is refused at
    load, at its file's rule list, instead of printing an empty threshold on a report."""
    from ixdesk.core.reader_rules import READER_RULES

    for rule_id, file in READER_RULES.items():
        if rule_id not in seen:
            raise CriteriaError(file, _line_of(nodes.get(file), ("rules",)),
                                f"rule '{rule_id}' is missing: the reports name it (ixdesk/core/reader_rules.py); "
                                "restore the id or change that list")


def load_criteria(folder: Path | str | None = None) -> Criteria:
    """Load and cross-check the set; raise :class:`CriteriaError` on the first problem."""
    folder = Path(folder) if folder is not None else criteria_dir()
    if not folder.is_dir():
        raise CriteriaError(str(folder), None, "criteria folder not found")
    present: list[str] = []
    for p in folder.iterdir():
        if p.name.endswith(".yaml"):
            present.append(p.name)
            if len(present) > MAX_FILES:
                raise CriteriaError(str(folder), None, f"more than {MAX_FILES} .yaml files: not a criteria folder")
    present.sort()
    if "set.yaml" not in present:
        raise CriteriaError("set.yaml", None, f"file is missing from the criteria folder {folder}: it lists the set's files")
    digest = hashlib.sha256()
    raws: dict[str, bytes] = {"set.yaml": _read_capped(folder, "set.yaml")}
    set_data, set_node = _parse("set.yaml", raws["set.yaml"])
    info = _validate("set.yaml", set_data, set_node, SetFile)
    assert isinstance(info, SetFile)
    _check_manifest(folder, present, info, set_node)
    loaded: dict[str, Any] = {"set.yaml": info}
    nodes: dict[str, yaml.Node | None] = {"set.yaml": set_node}
    for name in present:
        raw = raws.get(name) or _read_capped(folder, name)
        digest.update(name.encode() + b"\0" + raw + b"\0")
        if name != "set.yaml":
            data, nodes[name] = _parse(name, raw)
            loaded[name] = _validate(name, data, nodes[name], _FILES[name])

    def at(file: str, *loc: Any) -> int | None:
        return _line_of(nodes.get(file), loc)

    docs = {d.id: d for d in loaded["sources.yaml"].documents}
    formulary: FormularyFile = loaded["formulary.yaml"]
    class_ids = {c.id for c in formulary.classes}
    agent_ids = set()
    for i, a in enumerate(formulary.agents):
        if a.class_ not in class_ids:
            raise CriteriaError("formulary.yaml", at("formulary.yaml", "agents", i, "class"),
                                f"agent '{a.id}': class '{a.class_}' is not defined")
        if a.id in agent_ids:
            raise CriteriaError("formulary.yaml", at("formulary.yaml", "agents", i, "id"), f"agent '{a.id}' is defined twice")
        agent_ids.add(a.id)
    for i, c in enumerate(formulary.combinations):
        for j, ag in enumerate(c.agents):
            if ag not in agent_ids:
                raise CriteriaError("formulary.yaml", at("formulary.yaml", "combinations", i, "agents", j),
                                    f"combination '{c.alias}': agent '{ag}' is not defined")
    for needed in ("anthracycline", "taxane", "capecitabine"):
        if needed not in class_ids:
            raise CriteriaError("formulary.yaml", at("formulary.yaml", "classes"), f"class '{needed}' is required")

    res: ResistanceFile = loaded["resistance.yaml"]
    for i, cw in enumerate(res.classes):
        for j, w in enumerate(cw.windows):
            for part in ("source", "also"):
                _check_source("resistance.yaml", at("resistance.yaml", "classes", i, "windows", j, part, "document"),
                              getattr(w, part), docs, w.id)
    _check_source("resistance.yaml", at("resistance.yaml", "on_therapy_rule", "source", "document"),
                  res.on_therapy_rule.source, docs, res.on_therapy_rule.id)

    lines = {d.kind: d for d in loaded["lines.yaml"].counts}
    medications: MedicationsFile = loaded["medications.yaml"]
    _check_medications(medications, nodes["medications.yaml"], docs)
    dosing: DosingFile = loaded["dosing.yaml"]
    for part in ("standard", "bsa", "hepatic", "cyp3a4", "kits", "billing", "capecitabine", "premedication"):
        _check_source("dosing.yaml", at("dosing.yaml", part, "source", "document"), getattr(dosing, part).source, docs, part)
    if dosing.billing.diagnosis is not None:
        _check_source("dosing.yaml", at("dosing.yaml", "billing", "diagnosis", "source", "document"),
                      dosing.billing.diagnosis.source, docs, "billing.diagnosis")
    if dosing.hepatic.gilbert is not None:
        _check_source("dosing.yaml", at("dosing.yaml", "hepatic", "gilbert", "source", "document"),
                      dosing.hepatic.gilbert.source, docs, "hepatic.gilbert")
    _check_hepatic(dosing, nodes["dosing.yaml"])

    adm: AdministrationFile = loaded["administration.yaml"]
    for what in ("cycle_start", "dose_modifications", "preparation", "hypersensitivity", "pregnancy",
                 "neuropathy_rates", "patient_urgent", "capecitabine_teaching"):
        _check_source("administration.yaml", at("administration.yaml", what, "source", "document"),
                      getattr(adm, what).source, docs, what)
    for i, d in enumerate(loaded["lines.yaml"].counts):
        _check_source("lines.yaml", at("lines.yaml", "counts", i, "source", "document"), d.source, docs, d.kind)
    for part in ("moderate", "with_hepatic"):
        _check_source("dosing.yaml", at("dosing.yaml", "cyp3a4", part, "source", "document"),
                      getattr(dosing.cyp3a4, part).source, docs, f"cyp3a4.{part}")
    _check_source("lab_defaults.yaml", at("lab_defaults.yaml", "source", "document"),
                  loaded["lab_defaults.yaml"].source, docs, "lab defaults")

    rules: list[Rule] = []
    seen: dict[str, int | None] = {}
    for name in RULE_FILES:
        for i, rule in enumerate(loaded[name].rules):
            line = at(name, "rules", i)
            if rule.id in seen:
                raise CriteriaError(name, line, f"rule id '{rule.id}' is defined twice (first at line {seen[rule.id]})")
            _check_source(name, line, rule.source, docs, rule.id)
            _check_source(name, line, rule.also, docs, rule.id)
            for ref in walk(rule.when):
                if isinstance(ref, FindingRef) and ref.finding not in seen:
                    raise CriteriaError(name, line, f"rule '{rule.id}' refers to '{ref.finding}', which is not defined before it")
                if isinstance(ref, MedicationIn) and (ref.medication == "none_known" or
                                                      ref.medication not in {c.id for c in medications.classes}):
                    raise CriteriaError(name, line, f"rule '{rule.id}' refers to medication class '{ref.medication}', "
                                        "which is not an interaction class of medications.yaml")
            seen[rule.id] = line
            rules.append(rule)

    _check_reader_rules(seen, nodes)

    sha = digest.hexdigest()
    recorded = reviewed_sha256()
    crit = Criteria(
        info=info, sha256=sha, folder=str(folder), documents=docs,
        formulary=formulary, resistance=res, lines=lines, medications=medications, dosing=dosing,
        administration=loaded["administration.yaml"], lab_defaults=loaded["lab_defaults.yaml"], rules=rules,
        reviewed=recorded is not None and sha == recorded, reviewed_sha256=recorded,
    )
    return crit.model_copy(update={"compiled": _compile(crit)})


@lru_cache(maxsize=1)
def default_criteria() -> Criteria:
    """The bundled set, loaded once per process."""
    return load_criteria()
