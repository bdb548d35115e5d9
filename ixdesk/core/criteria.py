"""Load ``criteria/*.yaml`` into strict, frozen models, or refuse with file, line and reason.

Criteria are data so that a pharmacist can review a rule without reading Python, and so that every
conclusion can name the document and section it rests on. A broken file must stop the app from
showing results at all: a partial rule set would give confident answers from missing rules.
"""

from __future__ import annotations

import hashlib
import re
import datetime as _dt
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any, Literal, Union

import yaml
from pydantic import BaseModel, ConfigDict, Discriminator, Field, Tag, ValidationError, model_validator

from ixdesk.core.consult import Extent, Her2Status, PlanRegimen, ReceptorStatus
from ixdesk.paths import criteria_dir

Confidence = Literal["label", "trial", "payer", "unverified"]


class CriteriaError(Exception):
    """A criteria file is unusable; the message names the file, the line and the reason."""

    def __init__(self, file: str, line: int | None, reason: str) -> None:
        self.file, self.line, self.reason = file, line, reason
        where = f"{file}, line {line}" if line else file
        super().__init__(f"{where}: {reason}")


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class SourceRef(Model):
    document: str
    section: str


# --- the condition language ----------------------------------------------------------------

FlagName = Literal[
    "visceral_crisis", "endocrine_refractory", "tdxd_candidate", "anthracycline_contraindicated",
    "prescriber_is_oncologist", "pregnant", "breastfeeding", "cardiac_history", "diabetes", "grapefruit",
    "prior_ixabepilone_reaction",
]
LabName = Literal["neutrophils", "platelets", "ast", "alt", "bilirubin"]
LineKind = Literal["metastatic_all", "metastatic_nonendocrine", "since_diagnosis"]
DrugClassName = Literal["anthracycline", "taxane", "capecitabine"]


class AllOf(Model):
    all: list["Cond"] = Field(min_length=1)


class AnyOf(Model):
    any: list["Cond"] = Field(min_length=1)


class NotOf(Model):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, populate_by_name=True)
    not_: "Cond" = Field(alias="not")


class PlanIs(Model):
    plan: list[PlanRegimen] = Field(min_length=1)


class ExtentIs(Model):
    extent: list[Extent] = Field(min_length=1)


class Her2Is(Model):
    her2: list[Her2Status] = Field(min_length=1)


class HormoneReceptorIs(Model):
    hormone_receptor: ReceptorStatus


class FlagIs(Model):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, populate_by_name=True)
    flag: FlagName
    is_: bool = Field(default=True, alias="is")


class Resistant(Model):
    resistant: DrugClassName


class LineRange(Model):
    count: LineKind
    min: int | None = Field(default=None, ge=0)
    max: int | None = Field(default=None, ge=0)

    @model_validator(mode="after")
    def _some_bound(self) -> "LineRange":
        if self.min is None and self.max is None:
            raise ValueError("give min, max or both")
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError("min is greater than max")
        return self


class PriorLines(Model):
    prior_lines: LineRange


class GermlineBrcaIs(Model):
    germline_brca: Literal["mutation", "no_mutation"]


class CpsBelow(Model):
    class Spec(Model):
        below: float = Field(gt=0)

    pdl1_cps: Spec


class LabSpec(Model):
    name: LabName
    op: Literal["lt", "le", "gt", "ge"]
    value: float | None = None  # absolute, cells/mm3 for counts
    x_uln: float | None = Field(default=None, gt=0)  # multiple of the upper limit of normal

    @model_validator(mode="after")
    def _one_threshold(self) -> "LabSpec":
        if (self.value is None) == (self.x_uln is None):
            raise ValueError("give exactly one of value or x_uln")
        if self.x_uln is not None and self.name in ("neutrophils", "platelets"):
            raise ValueError(f"{self.name} has no upper limit of normal; use value")
        if self.value is not None and self.name not in ("neutrophils", "platelets"):
            raise ValueError(f"{self.name} is compared as a multiple of its ULN; use x_uln")
        return self


class LabCompare(Model):
    lab: LabSpec


class NeuropathyAtLeast(Model):
    class Spec(Model):
        min: int = Field(ge=0, le=4)

    neuropathy_grade: Spec


class CremophorAtLeast(Model):
    class Spec(Model):
        min_grade: int = Field(ge=1, le=4)

    cremophor_hypersensitivity: Spec


class MedicationIn(Model):
    medication: str  # a medication class id of medications.yaml (not none_known)


class LabsOlderThan(Model):
    labs_older_than_days: int = Field(ge=0)


class FindingRef(Model):
    finding: str


_COND_TAGS = {
    "all": AllOf, "any": AnyOf, "not": NotOf, "plan": PlanIs, "extent": ExtentIs, "her2": Her2Is,
    "hormone_receptor": HormoneReceptorIs, "flag": FlagIs, "resistant": Resistant,
    "prior_lines": PriorLines, "germline_brca": GermlineBrcaIs, "pdl1_cps": CpsBelow,
    "lab": LabCompare, "neuropathy_grade": NeuropathyAtLeast,
    "cremophor_hypersensitivity": CremophorAtLeast, "medication": MedicationIn,
    "labs_older_than_days": LabsOlderThan, "finding": FindingRef,
}


def _cond_tag(value: Any) -> str | None:
    """Pick the condition type by its one predicate key; unknown shapes fail with a clear message."""
    if isinstance(value, dict):
        keys = [k for k in value if k in _COND_TAGS]
        return keys[0] if len(keys) == 1 else None
    if isinstance(value, BaseModel):
        for tag, cls in _COND_TAGS.items():
            if type(value) is cls:
                return tag
    return None


Cond = Annotated[
    Union[tuple(Annotated[cls, Tag(tag)] for tag, cls in _COND_TAGS.items())],  # type: ignore[misc]
    Discriminator(
        _cond_tag,
        custom_error_type="unknown_condition",
        custom_error_message="not a known condition; expected exactly one of: " + ", ".join(_COND_TAGS),
    ),
]

for _cls in (AllOf, AnyOf, NotOf):
    _cls.model_rebuild()


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
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, populate_by_name=True)


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
    months: int | None = Field(default=None, gt=0)
    weeks: int | None = Field(default=None, gt=0)
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
    on_therapy: bool
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
MEDICATION_CLASSES: tuple[str, ...] = ("strong_inhibitor", "moderate_inhibitor", "strong_inducer", "moderate_inducer", "none_known")


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

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, populate_by_name=True)
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
    mg_per_m2: float = Field(gt=0)
    infusion_hours: float = Field(gt=0)
    cycle_days: int = Field(gt=0)
    source: SourceRef
    confidence: Confidence


class Bsa(Model):
    cap_m2: float = Field(gt=0)
    default_formula: Literal["mosteller", "dubois"]
    formulas: dict[str, str]
    formula_note: str
    source: SourceRef
    confidence: Confidence


class HepaticRow(Model):
    id: str
    label: str
    transaminases_max_x_uln: float | None = None
    bilirubin_max_x_uln: float | None = None
    mg_per_m2: float | None
    note: str | None = None
    # the "may rise to at most 30 mg/m2 in later cycles" step of the row (None: no such step)
    later_max_mg_per_m2: float | None = Field(default=None, ge=1, le=40)


class Hepatic(Model):
    applies_to: list[PlanRegimen]
    source: SourceRef
    confidence: Confidence
    rows: list[HepaticRow] = Field(min_length=1)


class CitedNote(Model):
    note: str
    source: SourceRef
    confidence: Confidence


class Cyp3a4(Model):
    inhibitor_mg_per_m2: float
    inhibitor_note: str
    inducer_max_mg_per_m2: float
    inducer_infusion_hours: float
    inducer_note: str
    source: SourceRef
    confidence: Confidence
    # a moderate inhibitor or inducer: a caution, no dose rule (facts sheet section 8)
    moderate: CitedNote
    # a strong inhibitor with a hepatic reduction: the PI gives no rule for both (facts sheet 9, verify)
    with_hepatic: CitedNote


class Kits(Model):
    vials_mg: list[int] = Field(min_length=1)
    reconstituted_mg_per_ml: float
    diluent: str
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
    mg_per_unit: float
    units_cap_per_cycle: int
    source: SourceRef
    confidence: Confidence
    cap_note: str
    diagnosis: DiagnosisCodes | None = None


class CapecitabineDosing(Model):
    mg_per_m2_per_dose: float
    doses_per_day: int
    days: str
    source: SourceRef
    confidence: Confidence
    note: str


class PremedItem(Model):
    id: str
    drug: str
    dose: str
    route: str
    timing: str
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
    neutrophils_min_per_mm3: float
    platelets_min_per_mm3: float
    nonhematologic_max_grade: int
    source: SourceRef
    confidence: Confidence


class ModRow(Model):
    toxicity: str
    action: str


class CitedText(Model):
    text: str
    confidence: Confidence


class DoseModifications(Model):
    source: SourceRef
    confidence: Confidence
    rows: list[ModRow]
    capecitabine: list[CitedText]


class Preparation(Model):
    source: SourceRef
    steps: list[CitedText]
    # the figures the steps state, for the volumes the checklist computes for the dose
    reconstituted_mg_per_ml: float = Field(gt=0)
    final_mg_per_ml: list[float] = Field(min_length=2, max_length=2)
    use_within_hours: float = Field(gt=0)

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
    contraception_female_months: int
    contraception_male_months: int
    breastfeeding_weeks: int
    text: str


class NeuropathyRates(Model):
    text: str
    source: SourceRef
    confidence: Confidence


class PatientUrgent(Model):
    source: SourceRef
    fever_celsius: float
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


class LabDefaultsFile(Model):
    source: SourceRef
    confidence: Confidence
    uln: dict[Literal["ast", "alt", "bilirubin_mg_dl", "bilirubin_umol_l"], UlnDefault]


class SetFile(Model):
    name: str
    version: str
    date: _dt.date


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


class Criteria(BaseModel):
    """The whole validated set, plus lookup tables built once at load."""

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

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

    @property
    def version(self) -> str:
        return self.info.version

    def rule(self, rule_id: str) -> Rule:
        for r in self.rules:
            if r.id == rule_id:
                return r
        raise KeyError(rule_id)


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


# libyaml when PyYAML has it (every PyPI wheel does): the pure-Python parser took most of the
# window's start-up time. Both report the same line marks.
_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _load_file(path: Path, model: type[Model]) -> Model:
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise CriteriaError(path.name, None, f"not UTF-8 text (byte {exc.start})") from None
    try:
        data = yaml.load(text, Loader=_LOADER)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        reason = getattr(exc, "problem", None) or str(exc)
        raise CriteriaError(path.name, line, f"not valid YAML: {reason}") from None
    if not isinstance(data, dict):
        raise CriteriaError(path.name, 1, "expected a mapping at the top level")
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        node = yaml.compose(text, Loader=_LOADER)  # only now: its marks give the line of the bad field
        err = exc.errors()[0]
        clean = _dedupe_tags(tuple(err["loc"]))
        reason = err["msg"]
        if err["type"] == "missing":
            reason = "required field is missing"
        elif err["type"] == "extra_forbidden":
            reason = "unknown key"
        more = f" (and {len(exc.errors()) - 1} more problem(s))" if len(exc.errors()) > 1 else ""
        raise CriteriaError(path.name, _line_of(node, clean), f"{_format_loc(clean)}: {reason}{more}") from None


def _iter_refs(cond: Any) -> list[FindingRef | MedicationIn]:
    found: list[Any] = []
    if isinstance(cond, (FindingRef, MedicationIn)):
        found.append(cond)
    elif isinstance(cond, (AllOf, AnyOf)):
        for c in (cond.all if isinstance(cond, AllOf) else cond.any):
            found.extend(_iter_refs(c))
    elif isinstance(cond, NotOf):
        found.extend(_iter_refs(cond.not_))
    return found


def _rule_lines(path: Path) -> dict[str, int]:
    """Line of each rule id in a rule file, for cross-reference errors."""
    lines: dict[str, int] = {}
    for n, text in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        m = re.match(r"\s*-\s*id:\s*(\S+)", text)
        if m:
            lines[m.group(1)] = n
    return lines


def _check_source(file: str, line: int | None, ref: SourceRef | None, docs: dict[str, Document], what: str) -> None:
    if ref is None:
        return
    if ref.document not in docs:
        raise CriteriaError(file, line, f"{what}: source document '{ref.document}' is not in sources.yaml")
    if not ref.section.strip():
        raise CriteriaError(file, line, f"{what}: source section is empty")


def _fold_name(text: str) -> str:
    """As the matcher folds a medication line (ixdesk.core.medications.fold_med), so that two
    spellings of one name are caught as a duplicate here."""
    drop = str.maketrans({"\u2019": None, "\u2018": None, "\u02bc": None, "`": None, "'": None, ".": None})
    return " ".join(text.casefold().translate(drop).split())


def _line_with(path: Path, needle: str) -> int | None:
    """First line of a file that mentions a name, for cross-reference errors."""
    for n, text in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if needle in text:
            return n
    return None


def _check_medications(path: Path, meds: MedicationsFile, docs: dict[str, Document]) -> None:
    """Every class defined once, every name in one place only, every product made of known drugs.

    A name listed twice could carry two classes, and the one read last would silently win."""
    file = path.name
    ids = [c.id for c in meds.classes]
    for cid in MEDICATION_CLASSES:
        if ids.count(cid) != 1:
            raise CriteriaError(file, _line_with(path, "classes:"), f"medication class '{cid}' must be defined exactly once")
    owner: dict[str, str] = {}
    drug_names: set[str] = set()

    def claim(name: str, who: str) -> None:
        key = _fold_name(name)
        if not key:
            raise CriteriaError(file, _line_with(path, who), f"'{who}': an empty name")
        if key in owner:
            raise CriteriaError(file, _line_with(path, name),
                                f"'{name}' is listed twice (for '{owner[key]}' and '{who}'): each name belongs in one place")
        owner[key] = who

    for g in meds.groups:
        _check_source(file, _line_with(path, f"id: {g.id}"), g.source, docs, g.id)
        for d in g.drugs:
            drug_names.add(_fold_name(d.name))
            for name in (d.name, *d.brands, *d.aliases):
                claim(name, d.name)
    for p in meds.products:
        for name in (p.name, *p.aliases):
            claim(name, p.name)
        for part in p.contains:
            if _fold_name(part) not in drug_names:
                raise CriteriaError(file, _line_with(path, p.name), f"product '{p.name}': '{part}' is not a drug of any group")
        for part in p.unclassified:
            if _fold_name(part) in drug_names:
                raise CriteriaError(file, _line_with(path, p.name),
                                    f"product '{p.name}': '{part}' is classified in a group; list it under contains")


def load_criteria(folder: Path | str | None = None) -> Criteria:
    """Load and cross-check the set; raise :class:`CriteriaError` on the first problem."""
    folder = Path(folder) if folder is not None else criteria_dir()
    if not folder.is_dir():
        raise CriteriaError(str(folder), None, "criteria folder not found")
    present = sorted(p.name for p in folder.glob("*.yaml"))
    for name in _FILES:
        if name not in present:
            raise CriteriaError(name, None, "file is missing from the criteria set")
    for name in present:
        if name not in _FILES:
            raise CriteriaError(name, None, "unexpected file in the criteria folder")
    digest = hashlib.sha256()
    loaded: dict[str, Any] = {}
    for name in present:
        raw = (folder / name).read_bytes()
        digest.update(name.encode() + b"\0" + raw + b"\0")
        loaded[name] = _load_file(folder / name, _FILES[name])

    docs = {d.id: d for d in loaded["sources.yaml"].documents}
    formulary: FormularyFile = loaded["formulary.yaml"]
    class_ids = {c.id for c in formulary.classes}
    agent_ids = set()
    for a in formulary.agents:
        if a.class_ not in class_ids:
            raise CriteriaError("formulary.yaml", None, f"agent '{a.id}': class '{a.class_}' is not defined")
        if a.id in agent_ids:
            raise CriteriaError("formulary.yaml", None, f"agent '{a.id}' is defined twice")
        agent_ids.add(a.id)
    for c in formulary.combinations:
        for ag in c.agents:
            if ag not in agent_ids:
                raise CriteriaError("formulary.yaml", None, f"combination '{c.alias}': agent '{ag}' is not defined")
    for needed in ("anthracycline", "taxane", "capecitabine"):
        if needed not in class_ids:
            raise CriteriaError("formulary.yaml", None, f"class '{needed}' is required")

    res: ResistanceFile = loaded["resistance.yaml"]
    for cw in res.classes:
        for w in cw.windows:
            _check_source("resistance.yaml", None, w.source, docs, w.id)
            _check_source("resistance.yaml", None, w.also, docs, w.id)
    _check_source("resistance.yaml", None, res.on_therapy_rule.source, docs, res.on_therapy_rule.id)

    lines = {d.kind: d for d in loaded["lines.yaml"].counts}
    medications: MedicationsFile = loaded["medications.yaml"]
    _check_medications(folder / "medications.yaml", medications, docs)
    dosing: DosingFile = loaded["dosing.yaml"]
    for part in ("standard", "bsa", "hepatic", "cyp3a4", "kits", "billing", "capecitabine", "premedication"):
        _check_source("dosing.yaml", None, getattr(dosing, part).source, docs, part)
    if dosing.billing.diagnosis is not None:
        _check_source("dosing.yaml", None, dosing.billing.diagnosis.source, docs, "billing.diagnosis")

    adm: AdministrationFile = loaded["administration.yaml"]
    for what, ref in [("cycle_start", adm.cycle_start.source), ("dose_modifications", adm.dose_modifications.source),
                      ("preparation", adm.preparation.source), ("hypersensitivity", adm.hypersensitivity.source),
                      ("pregnancy", adm.pregnancy.source), ("neuropathy_rates", adm.neuropathy_rates.source),
                      ("patient_urgent", adm.patient_urgent.source), ("capecitabine_teaching", adm.capecitabine_teaching.source)]:
        _check_source("administration.yaml", None, ref, docs, what)
    for d in lines.values():
        _check_source("lines.yaml", None, d.source, docs, d.kind)
    _check_source("dosing.yaml", None, dosing.cyp3a4.moderate.source, docs, "cyp3a4.moderate")
    _check_source("dosing.yaml", None, dosing.cyp3a4.with_hepatic.source, docs, "cyp3a4.with_hepatic")
    _check_source("lab_defaults.yaml", None, loaded["lab_defaults.yaml"].source, docs, "lab defaults")

    rules: list[Rule] = []
    seen: set[str] = set()
    for name in RULE_FILES:
        rule_lines = _rule_lines(folder / name)
        for rule in loaded[name].rules:
            line = rule_lines.get(rule.id)
            if rule.id in seen:
                raise CriteriaError(name, line, f"rule id '{rule.id}' is defined twice")
            _check_source(name, line, rule.source, docs, rule.id)
            _check_source(name, line, rule.also, docs, rule.id)
            for ref in _iter_refs(rule.when):
                if isinstance(ref, FindingRef) and ref.finding not in seen:
                    raise CriteriaError(name, line, f"rule '{rule.id}' refers to '{ref.finding}', which is not defined before it")
                if isinstance(ref, MedicationIn) and (ref.medication == "none_known" or
                                                      ref.medication not in {c.id for c in medications.classes}):
                    raise CriteriaError(name, line, f"rule '{rule.id}' refers to medication class '{ref.medication}', "
                                        "which is not an interaction class of medications.yaml")
            seen.add(rule.id)
            rules.append(rule)

    return Criteria(
        info=loaded["set.yaml"], sha256=digest.hexdigest(), folder=str(folder), documents=docs,
        formulary=formulary, resistance=res, lines=lines, medications=medications, dosing=dosing,
        administration=loaded["administration.yaml"], lab_defaults=loaded["lab_defaults.yaml"], rules=rules,
    )


@lru_cache(maxsize=1)
def default_criteria() -> Criteria:
    """The bundled set, loaded once per process."""
    return load_criteria()
