"""The condition language of the rules: its models, one ``children()`` walk, and its interpreter.

Every predicate class is followed by its compiler: a function, registered for that class, that
turns one condition of the criteria into a closure ``ctx -> Ev``. A rule's whole condition is
compiled once, when the criteria set is loaded (``compile_rule``), so that texts, thresholds and
the keys that let equal leaves of different rules share one evaluation are worked out once per set
rather than looked up per call. The closures then run on every ``assess()``.

Evaluation is three-valued (Kleene): every predicate returns met / not met / unknown together with
the patient values it looked at and, when unknown, the consult fields that would decide it.
``all`` is not met as soon as one part is not met, whatever else is unknown; ``any`` is met as
soon as one part is met. That is what lets a consult with gaps still give firm answers where the
gaps cannot change them.

This module imports neither ``criteria`` nor ``evaluate`` (they import it); the evaluation
context (``evaluate.Context``) is only named in type hints.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Annotated, Any, Callable, Iterator, Literal, Union

from pydantic import BaseModel, ConfigDict, Discriminator, Field, Tag, ValidationInfo, field_validator, model_validator

from ixdesk.core.assessment import ConditionKind, Operator, Threshold
from ixdesk.core.dated_text import Said, from_parts, said
from ixdesk.core.consult import Extent, Her2Status, PlanRegimen, ReceptorStatus, UlnLab
from ixdesk.core.criteria_types import _LAB_VALUE_TYPE, CpsThreshold, Days, Grade, LineCount, Model, XUln, _check_against

if TYPE_CHECKING:
    from ixdesk.core.criteria import Rule
    from ixdesk.core.evaluate import Context

Tri = bool | None
# (field, label, value, number, unit, dated): plain tuples while evaluating, models at the end;
# ``dated`` is the value as words and dates when it holds a date (else None)
V = tuple[str, str, str, "float | None", str, "Said | None"]
M = tuple[str, str]  # (field, label)


# --- words ---------------------------------------------------------------------------------

PLAN_TEXT = {
    "monotherapy": "ixabepilone alone",
    "with_capecitabine": "ixabepilone with capecitabine",
    "with_trastuzumab": "ixabepilone with trastuzumab",
}
EXTENT_TEXT = {
    "early": "early", "locally_advanced": "locally advanced", "metastatic": "metastatic",
    "recurrent_unresectable": "recurrent unresectable",
}
OP_TEXT = {"lt": "<", "le": "≤", "gt": ">", "ge": "≥"}
OPS: dict[str, Callable[[float, float], bool]] = {
    "lt": lambda a, b: a < b, "le": lambda a, b: a <= b, "gt": lambda a, b: a > b, "ge": lambda a, b: a >= b,
}
LAB_LABEL = {"neutrophils": "Neutrophils", "platelets": "Platelets", "ast": "AST", "alt": "ALT", "bilirubin": "Total bilirubin"}
UNIT_TEXT = {"cells/mm3": "cells/mm³", "10^9/L": "× 10⁹/L", "umol/L": "µmol/L"}

FLAGS: dict[str, tuple[str, str]] = {
    # flag -> (consult path, label)
    "visceral_crisis": ("disease.visceral_crisis", "visceral crisis"),
    "endocrine_refractory": ("disease.endocrine_refractory", "endocrine-refractory disease"),
    "tdxd_candidate": ("attestations.tdxd_candidate", "candidate for fam-trastuzumab deruxtecan"),
    "anthracycline_contraindicated": ("attestations.anthracycline_contraindicated", "further anthracycline therapy contraindicated"),
    "prescriber_is_oncologist": ("attestations.prescriber_is_oncologist", "prescribed by or with an oncologist"),
    "pregnant": ("patient.pregnant", "pregnant"),
    "breastfeeding": ("patient.breastfeeding", "breastfeeding"),
    "cardiac_history": ("history.cardiac_history", "history of cardiac disease"),
    "diabetes": ("history.diabetes", "diabetes mellitus"),
    "grapefruit": ("history.grapefruit", "grapefruit or grapefruit juice"),
    "prior_ixabepilone_reaction": ("history.prior_ixabepilone_reaction", "prior hypersensitivity reaction to ixabepilone"),
}


def fmt_num(x: float) -> str:
    """Thousands separators, no trailing .0: 100,000 and 1.5, as a clinician writes them."""
    if float(x).is_integer():
        return f"{int(x):,}"
    return f"{x:,.2f}".rstrip("0").rstrip(".")


def yes_no(v: bool | None) -> str:
    return "not recorded" if v is None else ("yes" if v else "no")


# --- results -------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Step:
    """What a condition step is, decided at compile time: the structured part of its Condition."""

    kind: ConditionKind
    operator: Operator | None = None
    threshold: Threshold | None = None
    options: list[str] = field(default_factory=list)  # shared by every Condition of the step: never mutate
    ref: str | None = None


@dataclass(slots=True)
class Ev:
    state: Tri
    text: str
    values: list[V] = field(default_factory=list)
    missing: list[M] = field(default_factory=list)
    children: list["Ev"] = field(default_factory=list)
    ref: bool = False  # a reference to another finding: its values belong to that finding's own basis
    unverified: list[str] = field(default_factory=list)  # unverified items the result rests on
    step: Step = field(default_factory=lambda: _ALL)


Fn = Callable[["Context"], Ev]


def _missing(path: str, label: str) -> list[M]:
    return [(path, label)]


def Value(*, field: str, label: str, value: str | Said, number: float | None = None,  # noqa: N802 - reads like the model it becomes
          unit: str = "") -> V:
    if isinstance(value, Said):
        return (field, label, str(value), number, unit, value)
    return (field, label, value, number, unit, None)


def kleene_all(states: list[Tri]) -> Tri:
    """Not met if any part is not met, whatever else is unknown; met only if every part is met."""
    return False if False in states else (None if None in states else True)


def kleene_any(states: list[Tri]) -> Tri:
    """Met if any part is met, whatever else is unknown; not met only if every part is not met."""
    return True if True in states else (None if None in states else False)


def combine(text: str, st: Tri, kids: list[Ev], all_of: bool = False, step: Step | None = None) -> Ev:
    values = list(dict.fromkeys(v for k in kids for v in k.values))
    missing = list(dict.fromkeys(m for k in kids if k.state is None for m in k.missing)) if st is None else []
    # What decided the result: the children that agree with it. Where one of them alone suffices
    # (a false child of "all of", a true child of any other), one firm child makes the result firm.
    deciding = [k for k in kids if k.state is st]
    one_suffices = (st is False) if all_of else (st is True)
    if one_suffices and any(not k.unverified for k in deciding):
        unverified: list[str] = []
    else:
        unverified = list(dict.fromkeys(u for k in deciding for u in k.unverified))
    return Ev(st, text, values, missing, kids, unverified=unverified,
              step=step if step is not None else (_ALL if all_of else _ANY))


_ALL: Step = Step("all")
_ANY = Step("any")
_NOT = Step("not")


# --- compiling -----------------------------------------------------------------------------

@dataclass(frozen=True)
class Labels:
    """The words of the criteria set a condition's text uses, besides the condition itself."""

    medication_classes: dict[str, str]  # medication class id -> label (medications.yaml)
    line_counts: dict[str, str]  # line-count kind -> label (lines.yaml)


@dataclass(eq=False)
class Compiler:
    """Compiles the conditions of one criteria set; equal leaves share one compiled closure."""

    labels: Labels
    leaves: dict[str, Fn] = field(default_factory=dict)

    def compile(self, cond: Any) -> Fn:
        make = _COMPILERS[type(cond)]
        if isinstance(cond, _COMPOSITE):
            return make(cond, self)
        key = leaf_key(cond)
        hit = self.leaves.get(key)
        if hit is None:
            hit = self.leaves[key] = _memoised(key, make(cond, self))
        return hit


def leaf_key(cond: Any) -> str:
    """Equal leaves in different rules (plan, extent, resistance, ...) share one evaluation per
    assessment under this key (``Context.leaves``); prior-line keys start with "PriorLines"."""
    return type(cond).__name__ + cond.model_dump_json(by_alias=True)


def _memoised(key: str, run: Fn) -> Fn:
    def leaf(ctx: Context) -> Ev:
        ev = ctx.leaves.get(key)
        if ev is None:
            ev = ctx.leaves[key] = run(ctx)
        return ev
    return leaf


_COMPILERS: dict[type, Callable[[Any, Compiler], Fn]] = {}


def compiles(cls: type) -> Callable[[Callable[[Any, Compiler], Fn]], Callable[[Any, Compiler], Fn]]:
    """Register the compiler of one condition class (written right below the class)."""
    def register(fn: Callable[[Any, Compiler], Fn]) -> Callable[[Any, Compiler], Fn]:
        _COMPILERS[cls] = fn
        return fn
    return register


class CondModel(Model):
    """A condition of the language: a leaf predicate, or all / any / not of other conditions."""

    def children(self) -> tuple["Cond", ...]:
        """The conditions directly inside this one (none for a predicate)."""
        return ()


def walk(cond: CondModel) -> Iterator[Any]:
    """This condition and every condition inside it, depth first, in the order they are written."""
    yield cond
    for child in cond.children():
        yield from walk(child)


# --- the condition language ----------------------------------------------------------------

FlagName = Literal[
    "visceral_crisis", "endocrine_refractory", "tdxd_candidate", "anthracycline_contraindicated",
    "prescriber_is_oncologist", "pregnant", "breastfeeding", "cardiac_history", "diabetes", "grapefruit",
    "prior_ixabepilone_reaction",
]
LabName = Literal["neutrophils", "platelets", "ast", "alt", "bilirubin"]
LineKind = Literal["metastatic_all", "metastatic_nonendocrine", "since_diagnosis"]
DrugClassName = Literal["anthracycline", "taxane", "capecitabine"]


class AllOf(CondModel):
    all: list["Cond"] = Field(min_length=1)

    def children(self) -> tuple["Cond", ...]:
        return tuple(self.all)


@compiles(AllOf)
def _compile_all_of(cond: AllOf, cc: Compiler) -> Fn:
    parts = [cc.compile(x) for x in cond.all]

    def run(ctx: Context) -> Ev:
        kids = [p(ctx) for p in parts]
        return combine("all of", kleene_all([k.state for k in kids]), kids, all_of=True)
    return run


class AnyOf(CondModel):
    any: list["Cond"] = Field(min_length=1)

    def children(self) -> tuple["Cond", ...]:
        return tuple(self.any)


@compiles(AnyOf)
def _compile_any_of(cond: AnyOf, cc: Compiler) -> Fn:
    parts = [cc.compile(x) for x in cond.any]

    def run(ctx: Context) -> Ev:
        kids = [p(ctx) for p in parts]
        return combine("any of", kleene_any([k.state for k in kids]), kids)
    return run


class NotOf(CondModel):
    model_config = ConfigDict(defer_build=True, extra="forbid", frozen=True, strict=True, populate_by_name=True)
    not_: "Cond" = Field(alias="not")

    def children(self) -> tuple["Cond", ...]:
        return (self.not_,)


@compiles(NotOf)
def _compile_not_of(cond: NotOf, cc: Compiler) -> Fn:
    part = cc.compile(cond.not_)

    def run(ctx: Context) -> Ev:
        kid = part(ctx)
        st = None if kid.state is None else not kid.state
        # "not (any of a, b)" reads as "none of a, b"
        return Ev(st, "none of", kid.values, kid.missing if st is None else [],
                  kid.children if kid.text == "any of" else [kid], unverified=kid.unverified, step=_NOT)
    return run


class PlanIs(CondModel):
    plan: list[PlanRegimen] = Field(min_length=1)


def _choice_in(text: str, step: Step, wanted: frozenset[str], path: str, missing_label: str, value_label: str,
               words: Callable[[str], str]) -> Fn:
    """A consult field whose recorded value is one of ``wanted`` (plan, extent, germline BRCA): unknown
    naming the field when it is not recorded, the value in the rule's words otherwise."""
    section, name = path.split(".")

    def run(ctx: Context) -> Ev:
        v = getattr(getattr(ctx.consult, section), name)
        if v is None:
            return Ev(None, text, [], _missing(path, missing_label), step=step)
        return Ev(v in wanted, text, [Value(field=path, label=value_label, value=words(v))], step=step)
    return run


@compiles(PlanIs)
def _compile_plan_is(cond: PlanIs, cc: Compiler) -> Fn:
    return _choice_in("plan is " + " or ".join(PLAN_TEXT[p] for p in cond.plan),
                      Step("plan", "in", options=list(cond.plan)), frozenset(cond.plan),
                      "plan.regimen", "planned regimen", "Plan", PLAN_TEXT.__getitem__)


class ExtentIs(CondModel):
    extent: list[Extent] = Field(min_length=1)


@compiles(ExtentIs)
def _compile_extent_is(cond: ExtentIs, cc: Compiler) -> Fn:
    return _choice_in("disease is " + " or ".join(EXTENT_TEXT[e] for e in cond.extent),
                      Step("extent", "in", options=list(cond.extent)), frozenset(cond.extent),
                      "disease.extent", "extent of disease", "Extent", EXTENT_TEXT.__getitem__)


class Her2Is(CondModel):
    her2: list[Her2Status] = Field(min_length=1)


_HER2_NAMES = {"positive": "positive", "low": "low", "negative": "0 (negative)"}


@compiles(Her2Is)
def _compile_her2_is(cond: Her2Is, cc: Compiler) -> Fn:
    text = "HER2 " + " or ".join(_HER2_NAMES[h] for h in cond.her2)
    step = Step("her2", "in", options=list(cond.her2))
    wanted = frozenset(cond.her2)

    def run(ctx: Context) -> Ev:
        d = ctx.consult.disease
        status = d.her2_status
        if status is None:
            if d.her2_ihc is None and d.her2_ish in (None, "not_done", "negative"):
                miss = _missing("disease.her2_ihc", "HER2 IHC score")
            else:
                miss = _missing("disease.her2_ish", "HER2 ISH result (IHC 2+)")
            return Ev(None, text, [], miss, step=step)
        shown = f"{_HER2_NAMES[status]} (IHC {d.her2_ihc or 'not recorded'}, ISH {(d.her2_ish or 'not recorded').replace('_', ' ')})"
        return Ev(status in wanted, text, [Value(field="disease.her2_ihc", label="HER2", value=shown)], step=step)
    return run


class HormoneReceptorIs(CondModel):
    hormone_receptor: ReceptorStatus


@compiles(HormoneReceptorIs)
def _compile_hormone_receptor_is(cond: HormoneReceptorIs, cc: Compiler) -> Fn:
    text = f"hormone receptor-{cond.hormone_receptor}"
    step = Step("hormone_receptor", "eq", options=[cond.hormone_receptor])
    wanted = cond.hormone_receptor

    def run(ctx: Context) -> Ev:
        d = ctx.consult.disease
        hr = d.hormone_receptor
        vals = [Value(field="disease.er", label="ER / PR", value=f"ER {d.er or 'not recorded'}, PR {d.pr or 'not recorded'}")]
        if hr is None:
            miss: list[M] = []
            if d.er is None:
                miss += _missing("disease.er", "ER status")
            if d.pr is None:
                miss += _missing("disease.pr", "PR status")
            return Ev(None, text, vals, miss, step=step)
        return Ev(hr == wanted, text, vals, step=step)
    return run


class FlagIs(CondModel):
    model_config = ConfigDict(defer_build=True, extra="forbid", frozen=True, strict=True, populate_by_name=True)
    flag: FlagName
    is_: bool = Field(default=True, alias="is")


@compiles(FlagIs)
def _compile_flag_is(cond: FlagIs, cc: Compiler) -> Fn:
    path, label = FLAGS[cond.flag]
    text = label if cond.is_ else f"not {label}"
    step = Step("flag", "is", options=[yes_no(cond.is_)])
    section, name = path.split(".")
    flag, want = cond.flag, cond.is_
    shown_label = label[0].upper() + label[1:]
    sex_decides = flag in ("pregnant", "breastfeeding")

    def run(ctx: Context) -> Ev:
        c = ctx.consult
        if sex_decides and c.patient.sex == "male":
            return Ev(not want, text, [Value(field="patient.sex", label="Sex", value="male")], step=step)
        derived = ctx.derived_flags.get(flag)
        if derived is not None:
            return Ev(want, text, [derived], step=step)
        v = getattr(getattr(c, section), name)
        if v is None:
            return Ev(None, text, [], _missing(path, label), step=step)
        return Ev(v == want, text, [Value(field=path, label=shown_label, value=yes_no(v))], step=step)
    return run


class Resistant(CondModel):
    resistant: DrugClassName


@compiles(Resistant)
def _compile_resistant(cond: Resistant, cc: Compiler) -> Fn:
    text = f"{cond.resistant}-resistant"
    step = Step("resistant", options=[cond.resistant])
    drug_class = cond.resistant

    def run(ctx: Context) -> Ev:
        r = ctx.resistance[drug_class]
        vals = [Value(field="regimens", label=f"{r.label} resistance", value=from_parts(r.summary_parts))]
        if r.result == "unknown":
            return Ev(None, text, vals, [(m.field, m.label) for m in r.missing]
                      or _missing("regimens", f"{r.label.lower()} history (needs clinical judgement)"), step=step)
        # Resistant rests on an unverified window only if every resistant regimen needed one; not
        # resistant, if any regimen was judged by one.
        deciding = [rr for rr in r.regimens if rr.result == r.result]
        weak = [rr for rr in deciding if rr.confidence == "unverified"]
        shaky = bool(weak) and (len(weak) == len(deciding) or r.result == "not_resistant")
        unverified = [f"{r.label.lower()} resistance window: {weak[0].window}"] if shaky else []
        return Ev(r.result == "resistant", text, vals, unverified=unverified, step=step)
    return run


class LineRange(Model):
    count: LineKind
    min: LineCount | None = None
    max: LineCount | None = None

    @model_validator(mode="after")
    def _some_bound(self) -> "LineRange":
        if self.min is None and self.max is None:
            raise ValueError("give min, max or both")
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError("min is greater than max")
        return self


class PriorLines(CondModel):
    prior_lines: LineRange


def range_state(lo: int, hi: int | None, lo_req: int, hi_req: int) -> Tri:
    """Whether every count in [lo, hi] (hi None: unbounded) meets [lo_req, hi_req]: yes, no, or it depends."""
    if lo >= lo_req and (hi_req >= 10**6 or (hi is not None and hi <= hi_req)):
        return True
    if lo > hi_req or (hi is not None and hi < lo_req):
        return False
    return None


def lines_text(spec: LineRange, label: str) -> str:
    if spec.min is not None and spec.max is not None:
        want = f"exactly {spec.min}" if spec.min == spec.max else f"{spec.min} to {spec.max}"
    elif spec.min is not None:
        want = f"at least {spec.min}"
    else:
        want = "no" if spec.max == 0 else f"at most {spec.max}"
    one = (spec.min == 1 and spec.max in (None, 1)) or (spec.min is None and spec.max == 1)
    return f"{want} {label.replace('lines', 'line', 1) if one else label}"


def _lines_step(spec: LineRange) -> Step:
    if spec.min is not None and spec.max is not None:
        if spec.min == spec.max:
            return Step("prior_lines", "eq", Threshold(value=spec.min, unit="lines"))
        return Step("prior_lines", "between", Threshold(value=spec.min, unit="lines", upper=spec.max))
    if spec.min is not None:
        return Step("prior_lines", "ge", Threshold(value=spec.min, unit="lines"))
    assert spec.max is not None
    return Step("prior_lines", "le", Threshold(value=spec.max, unit="lines"))


@compiles(PriorLines)
def _compile_prior_lines(cond: PriorLines, cc: Compiler) -> Fn:
    spec = cond.prior_lines
    kind = spec.count
    lo_req = spec.min if spec.min is not None else 0
    hi_req = spec.max if spec.max is not None else 10**6
    text = lines_text(spec, cc.labels.line_counts[kind])
    step = _lines_step(spec)

    def run(ctx: Context) -> Ev:
        lc = ctx.lines[kind]
        state = range_state(lc.minimum, lc.maximum, lo_req, hi_req)
        vals = [Value(field="regimens", label=lc.label[0].upper() + lc.label[1:], value=lc.text)]
        if state is not None:
            # The counting rules are IxDesk's reading; they can only disagree when the history has
            # early-disease or endocrine-only regimens (left out, or counted). Without those the count is firm.
            contested = lc.confidence == "unverified" and bool(lc.early_disease or lc.excluded_endocrine or lc.endocrine_counted)
            return Ev(state, text, vals, unverified=[f"counting of {lc.label}"] if contested else [], step=step)
        miss = [(m.field, m.label) for m in lc.missing]
        for i in lc.uncertain:
            reg = ctx.consult.regimens[i]
            if reg.setting is None:
                miss += _missing(f"regimens[{i}].setting", f"regimen {i + 1}: setting")
            else:
                miss += _missing(f"regimens[{i}].agents", f"regimen {i + 1}: agents not recognised")
        return Ev(None, text, vals, miss, step=step)
    return run


class GermlineBrcaIs(CondModel):
    germline_brca: Literal["mutation", "no_mutation"]


@compiles(GermlineBrcaIs)
def _compile_germline_brca_is(cond: GermlineBrcaIs, cc: Compiler) -> Fn:
    text = "no germline BRCA1/2 mutation" if cond.germline_brca == "no_mutation" else "germline BRCA1/2 mutation"
    return _choice_in(text, Step("germline_brca", "eq", options=[cond.germline_brca]), frozenset([cond.germline_brca]),
                      "disease.germline_brca", "germline BRCA1/2 status", "Germline BRCA1/2",
                      lambda g: "mutation" if g == "mutation" else "no mutation")


class CpsBelow(CondModel):
    class Spec(Model):
        below: CpsThreshold

    pdl1_cps: Spec


@compiles(CpsBelow)
def _compile_cps_below(cond: CpsBelow, cc: Compiler) -> Fn:
    below = cond.pdl1_cps.below
    text = f"PD-L1 CPS < {fmt_num(below)}"
    step = Step("pdl1_cps", "lt", Threshold(value=below, unit="CPS"))

    def run(ctx: Context) -> Ev:
        v = ctx.consult.disease.pdl1_cps
        if v is None:
            return Ev(None, text, [], _missing("disease.pdl1_cps", "PD-L1 CPS"), step=step)
        return Ev(v < below, text, [Value(field="disease.pdl1_cps", label="PD-L1 CPS", value=fmt_num(v))], step=step)
    return run


class LabSpec(Model):
    name: LabName
    op: Literal["lt", "le", "gt", "ge"]
    value: float | None = None  # absolute, cells/mm3 for counts (bounded by the lab's type below)
    x_uln: XUln | None = None  # multiple of the upper limit of normal

    @field_validator("value")
    @classmethod
    def _plausible_value(cls, v: float | None, info: ValidationInfo) -> float | None:
        tp = _LAB_VALUE_TYPE.get(info.data.get("name", ""))
        return _check_against(tp, v) if v is not None and tp is not None else v

    @model_validator(mode="after")
    def _one_threshold(self) -> "LabSpec":
        if (self.value is None) == (self.x_uln is None):
            raise ValueError("give exactly one of value or x_uln")
        if self.x_uln is not None and self.name in ("neutrophils", "platelets"):
            raise ValueError(f"{self.name} has no upper limit of normal; use value")
        if self.value is not None and self.name not in ("neutrophils", "platelets"):
            raise ValueError(f"{self.name} is compared as a multiple of its ULN; use x_uln")
        return self


class LabCompare(CondModel):
    lab: LabSpec


@compiles(LabCompare)
def _compile_lab_compare(cond: LabCompare, cc: Compiler) -> Fn:
    spec = cond.lab
    name = spec.name
    label = LAB_LABEL[name]
    op = OP_TEXT[spec.op]
    compare = OPS[spec.op]
    path = f"labs.{name}"
    if spec.value is not None:
        limit = spec.value
        text = f"{label} {op} {fmt_num(limit)} cells/mm³"
        step = Step("lab", spec.op, Threshold(value=limit, unit="cells/mm³"))
        miss = _missing(path, label.lower() if name != "ast" else label)

        def count(ctx: Context) -> Ev:
            lab = getattr(ctx.consult.labs, name)
            if lab is None:
                return Ev(None, text, [], miss, step=step)
            v = lab.per_mm3
            shown = f"{fmt_num(lab.value)} {UNIT_TEXT.get(lab.unit, lab.unit)}"
            if lab.unit != "cells/mm3":
                shown += f" = {fmt_num(v)} cells/mm³"
            return Ev(compare(v, limit), text, [Value(field=path, label=label, value=shown, number=lab.value,
                                                      unit=UNIT_TEXT.get(lab.unit, lab.unit))], step=step)
        return count
    assert spec.x_uln is not None
    times = spec.x_uln
    text = f"{label} {op} {fmt_num(times)} × ULN"
    step = Step("lab", spec.op, Threshold(value=times, unit="× ULN"))
    uln_miss = _missing(path, f"{label} with its upper limit of normal")

    def ratio(ctx: Context) -> Ev:
        lab = getattr(ctx.consult.labs, name)
        if lab is None:
            return Ev(None, text, [], uln_miss, step=step)
        assert isinstance(lab, UlnLab)
        r = lab.x_uln
        shown = f"{fmt_num(lab.value)} {UNIT_TEXT.get(lab.unit, lab.unit)} = {r:.2f} × ULN ({fmt_num(lab.uln)})"
        return Ev(compare(r, times), text, [Value(field=path, label=label, value=shown, number=lab.value,
                                                  unit=UNIT_TEXT.get(lab.unit, lab.unit))], step=step)
    return ratio


class NeuropathyAtLeast(CondModel):
    class Spec(Model):
        min: Grade

    neuropathy_grade: Spec


@compiles(NeuropathyAtLeast)
def _compile_neuropathy_at_least(cond: NeuropathyAtLeast, cc: Compiler) -> Fn:
    least = cond.neuropathy_grade.min
    text = f"neuropathy grade ≥ {least}"
    step = Step("neuropathy_grade", "ge", Threshold(value=least, unit="grade"))

    def run(ctx: Context) -> Ev:
        g = ctx.consult.history.neuropathy_grade
        if g is None:
            return Ev(None, text, [], _missing("history.neuropathy_grade", "baseline neuropathy grade"), step=step)
        return Ev(g >= least, text, [Value(field="history.neuropathy_grade", label="Neuropathy grade", value=str(g))], step=step)
    return run


class CremophorAtLeast(CondModel):
    class Spec(Model):
        min_grade: int = Field(ge=1, le=4)

    cremophor_hypersensitivity: Spec


_IXA_REACTION = Step("ixabepilone_reaction")


@compiles(CremophorAtLeast)
def _compile_cremophor_at_least(cond: CremophorAtLeast, cc: Compiler) -> Fn:
    """Severe reaction to a Cremophor EL product, from the history or from a prior regimen's stop."""
    min_grade = cond.cremophor_hypersensitivity.min_grade
    text = f"hypersensitivity grade ≥ {min_grade} to a Cremophor EL-containing agent"
    grade = Threshold(value=min_grade, unit="grade")
    step = Step("cremophor_hypersensitivity", "ge", grade)
    hist_step = Step("cremophor_history", "ge", grade)
    reg_step = Step("regimen_reaction", "ge", grade)
    hist_text = "history of Cremophor EL hypersensitivity"

    def run(ctx: Context) -> Ev:
        c = ctx.consult
        kids: list[Ev] = []
        h = c.history
        if h.cremophor_hypersensitivity is None:
            kids.append(Ev(None, hist_text, [], _missing("history.cremophor_hypersensitivity", "history of Cremophor EL hypersensitivity (paclitaxel, Ixempra)"), step=hist_step))
        elif not h.cremophor_hypersensitivity:
            kids.append(Ev(False, hist_text, [Value(field="history.cremophor_hypersensitivity", label="Cremophor EL hypersensitivity", value="no")], step=hist_step))
        elif h.cremophor_hypersensitivity_grade is None:
            kids.append(Ev(None, hist_text, [Value(field="history.cremophor_hypersensitivity", label="Cremophor EL hypersensitivity", value="yes, grade not recorded")],
                           _missing("history.cremophor_hypersensitivity_grade", "grade of the Cremophor EL reaction"), step=hist_step))
        else:
            g = h.cremophor_hypersensitivity_grade
            kids.append(Ev(g >= min_grade, hist_text, [Value(field="history.cremophor_hypersensitivity_grade", label="Cremophor EL hypersensitivity", value=f"yes, grade {g}")], step=hist_step))
        ixa_in_table = any("epothilone" in a.classes and c.regimens[a.index].stop_reason == "hypersensitivity"
                           for a in ctx.agents)
        if h.prior_ixabepilone_reaction and not ixa_in_table and h.cremophor_hypersensitivity_grade is None:
            # Ixempra's diluent is a Cremophor EL product: a prior reaction to it, of a grade not recorded,
            # may be the severe one the label contraindicates
            kids.append(Ev(None, "prior hypersensitivity reaction to ixabepilone (a Cremophor EL-containing product)",
                           [Value(field="history.prior_ixabepilone_reaction", label="Prior reaction to ixabepilone", value="yes")],
                           _missing("history.cremophor_hypersensitivity_grade",
                                    "grade of the prior reaction to ixabepilone (record it as the Cremophor EL hypersensitivity grade)"),
                           step=_IXA_REACTION))
        for a in ctx.agents:
            reg = c.regimens[a.index]
            # an agent the formulary does not recognise may be a Cremophor EL product: never "not present"
            unsure = a.cremophor is None or (a.cremophor is False and bool(a.unrecognised))
            if (a.cremophor is False and not unsure) or reg.stop_reason != "hypersensitivity":
                continue
            path = f"regimens[{a.index}]"
            rtext = f"regimen {a.index + 1} ({', '.join(a.matched + a.unrecognised)}) stopped for hypersensitivity"
            rgrade = reg.hypersensitivity_grade
            vals = [] if rgrade is None else [Value(field=f"{path}.hypersensitivity_grade", label=f"Regimen {a.index + 1} reaction", value=f"grade {rgrade}")]
            miss = [] if rgrade is not None else _missing(f"{path}.hypersensitivity_grade", f"regimen {a.index + 1}: grade of the hypersensitivity reaction")
            if unsure and (rgrade is None or rgrade >= min_grade):
                if a.cremophor is None:
                    # An unspecified taxane (AC-T): paclitaxel is a Cremophor EL product, docetaxel is not.
                    miss += _missing(f"{path}.agents", f"regimen {a.index + 1}: which taxane (paclitaxel contains Cremophor EL, docetaxel does not)")
                else:
                    names = ", ".join(repr(u) for u in a.unrecognised)
                    miss += _missing(f"{path}.agents", f"regimen {a.index + 1}: {names} not recognised: whether it contains Cremophor EL")
                kids.append(Ev(None, rtext, vals, miss, step=reg_step))
            else:
                kids.append(Ev(None if rgrade is None else rgrade >= min_grade, rtext, vals, miss, step=reg_step))
        return combine(text, kleene_any([k.state for k in kids]), kids, step=step)
    return run


class MedicationIn(CondModel):
    medication: str  # a medication class id of medications.yaml (not none_known)


@compiles(MedicationIn)
def _compile_medication_in(cond: MedicationIn, cc: Compiler) -> Fn:
    """Open-world: a medication line that names no dictionary entry leaves the check unknown (it
    could be of this class), unless another line already decides it."""
    from ixdesk.core.medications import unrecognised_label  # medications imports criteria, which imports this

    class_id = cond.medication
    text = f"taking a {cc.labels.medication_classes[class_id]}"
    step = Step("medication", "in", options=[class_id])

    def run(ctx: Context) -> Ev:
        meds = ctx.consult.history.medications
        if meds is None:
            return Ev(None, text, [], _missing("history.medications", "current medications"), step=step)
        chk = ctx.medication_check(class_id)
        if chk.hits:
            shown = "; ".join(chk.hits)
        elif chk.unrecognised:
            shown = "not recognised: " + "; ".join(chk.unrecognised)
        else:
            shown = f"none of {len(meds)} listed"
        vals = [Value(field="history.medications", label="Medications", value=shown)]
        if chk.state is None:
            return Ev(None, text, vals, _missing("history.medications", unrecognised_label(chk.unrecognised)), step=step)
        return Ev(chk.state, text, vals, unverified=list(chk.unverified), step=step)
    return run


class LabsOlderThan(CondModel):
    labs_older_than_days: Days


@compiles(LabsOlderThan)
def _compile_labs_older_than(cond: LabsOlderThan, cc: Compiler) -> Fn:
    n = cond.labs_older_than_days
    text = f"labs more than {n} days old at the consult date"
    step = Step("labs_older_than_days", "gt", Threshold(value=n, unit="days"))

    def run(ctx: Context) -> Ev:
        c = ctx.consult
        if c.labs.date is None:
            return Ev(None, text, [], _missing("labs.date", "date the labs were drawn"), step=step)
        ref = c.consult_date or ctx.as_of
        age = (ref - c.labs.date).days
        which = "consult date" if c.consult_date else "assessment date"
        return Ev(age > n, text, [Value(field="labs.date", label="Labs drawn",
                                        value=said(c.labs.date, f" ({age} days before the {which})"))], step=step)
    return run


class FindingRef(CondModel):
    finding: str


@compiles(FindingRef)
def _compile_finding_ref(cond: FindingRef, cc: Compiler) -> Fn:
    """The result of a finding judged before this rule, with its values and missing inputs."""
    rule_id = cond.finding
    step = Step("finding", ref=rule_id)

    def run(ctx: Context) -> Ev:
        f = ctx.findings[rule_id]
        ev = ctx.evals[rule_id]
        own = [f"{f.title} (an unverified rule)"] if f.confidence == "unverified" and ev.state is not None else []
        return Ev(ev.state, f.title, list(ev.values), list(ev.missing) if ev.state is None else [], ref=True,
                  unverified=own + ev.unverified, step=step)
    return run


_COMPOSITE = (AllOf, AnyOf, NotOf, FindingRef)  # never memoised: they read other results

_COND_TAGS = {
    "all": AllOf, "any": AnyOf, "not": NotOf, "plan": PlanIs, "extent": ExtentIs, "her2": Her2Is,
    "hormone_receptor": HormoneReceptorIs, "flag": FlagIs, "resistant": Resistant,
    "prior_lines": PriorLines, "germline_brca": GermlineBrcaIs, "pdl1_cps": CpsBelow,
    "lab": LabCompare, "neuropathy_grade": NeuropathyAtLeast,
    "cremophor_hypersensitivity": CremophorAtLeast, "medication": MedicationIn,
    "labs_older_than_days": LabsOlderThan, "finding": FindingRef,
}
assert set(_COND_TAGS.values()) == set(_COMPILERS), "every condition class has its compiler"


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


if TYPE_CHECKING:  # the same union, spelled out: a type checker cannot read the one built below
    Cond = (AllOf | AnyOf | NotOf | PlanIs | ExtentIs | Her2Is | HormoneReceptorIs | FlagIs | Resistant | PriorLines
            | GermlineBrcaIs | CpsBelow | LabCompare | NeuropathyAtLeast | CremophorAtLeast | MedicationIn
            | LabsOlderThan | FindingRef)
else:
    Cond = Annotated[
        Union[tuple(Annotated[cls, Tag(tag)] for tag, cls in _COND_TAGS.items())],  # noqa: UP007 - built at run time
        Discriminator(
            _cond_tag,
            custom_error_type="unknown_condition",
            custom_error_message="not a known condition; expected exactly one of: " + ", ".join(_COND_TAGS),
        ),
    ]

for _cls in (AllOf, AnyOf, NotOf):
    _cls.model_rebuild()


# --- rules ---------------------------------------------------------------------------------

GATED_KINDS = ("pathway", "exclusion", "warning")


@dataclass(eq=False)
class CompiledRule:
    """One rule, compiled once per criteria set: what ``evaluate_rule`` runs on every assessment."""

    rule: Rule
    labels: Labels
    when: Fn  # the rule's condition
    # Pathways, exclusions and warnings limited to some plans: "plan is one of rule.plans", which
    # gates the condition (None for every other rule)
    gate: Fn | None
    gate_joins: bool  # the gate joins the condition's own top-level "all of" list
    line_kinds: frozenset[str]  # the line counts the rule's own conditions use (not through references)
    statement: str  # the rule's statement on one line

    def __eq__(self, other: object) -> bool:
        # two loads of the same files give equal criteria sets: compare what was compiled, not closures
        return isinstance(other, CompiledRule) and other.rule == self.rule and other.labels == self.labels

    __hash__ = None  # type: ignore[assignment]


def compile_rule(rule: Rule, cc: Compiler) -> CompiledRule:
    gate = None
    if rule.plans is not None and rule.kind in GATED_KINDS:
        gate = cc.compile(PlanIs(plan=list(rule.plans)))
    return CompiledRule(
        rule=rule, labels=cc.labels, when=cc.compile(rule.when), gate=gate, gate_joins=isinstance(rule.when, AllOf),
        line_kinds=frozenset(c.prior_lines.count for c in walk(rule.when) if isinstance(c, PriorLines)),
        statement=" ".join(rule.statement.split()),
    )
