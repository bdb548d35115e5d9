"""Evaluate the criteria's condition language on a consult, in three-valued (Kleene) logic.

Every predicate returns met / not met / unknown together with the patient values it looked at and,
when unknown, the consult fields that would decide it. ``all`` is not met as soon as one part is
not met, whatever else is unknown; ``any`` is met as soon as one part is met. That is what lets a
consult with gaps still give firm answers where the gaps cannot change them.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any, Callable

from ixdesk.core.assessment import ClassResistance, Condition, Finding, LineCount, State
from ixdesk.core.assessment import Missing as _Missing
from ixdesk.core.assessment import Value as _Value
from ixdesk.core.consult import Consult, UlnLab
from ixdesk.core.criteria import (
    AllOf, AnyOf, CpsBelow, CremophorAtLeast, Criteria, ExtentIs, FindingRef, FlagIs, GermlineBrcaIs,
    Her2Is, HormoneReceptorIs, LabCompare, LabsOlderThan, MedicationIn, NeuropathyAtLeast, NotOf,
    PlanIs, PriorLines, Resistant, Rule,
)
from ixdesk.core.medications import ClassCheck, MedLine, check_class, classify, unrecognised_label
from ixdesk.core.resistance import RegimenAgents, cached_source

Tri = bool | None

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


V = tuple[str, str, str]  # (field, label, value): plain tuples while evaluating, models at the end
M = tuple[str, str]  # (field, label)


@dataclass(slots=True)
class Ev:
    state: Tri
    text: str
    values: list[V] = field(default_factory=list)
    missing: list[M] = field(default_factory=list)
    children: list["Ev"] = field(default_factory=list)
    ref: bool = False  # a reference to another finding: its values belong to that finding's own basis
    unverified: list[str] = field(default_factory=list)  # unverified items the result rests on


def to_state(t: Tri) -> State:
    return "unknown" if t is None else ("met" if t else "not_met")


@dataclass
class Context:
    consult: Consult
    criteria: Criteria
    as_of: date
    agents: list[RegimenAgents]
    resistance: dict[str, ClassResistance]
    lines: dict[str, LineCount]
    # Flags the regimen table already answers yes (a reaction recorded as a regimen's stop reason),
    # with the value that shows where the answer came from.
    derived_flags: dict[str, V] = field(default_factory=dict)
    findings: dict[str, Finding] = field(default_factory=dict)
    evals: dict[str, Ev] = field(default_factory=dict)
    leaves: dict[str, Ev] = field(default_factory=dict)
    conditions: dict[int, Condition] = field(default_factory=dict)
    _values: dict[V, _Value] = field(default_factory=dict)
    _missings: dict[M, _Missing] = field(default_factory=dict)

    def value(self, v: V) -> _Value:
        obj = self._values.get(v)
        if obj is None:
            obj = self._values[v] = _Value.trusted(field=v[0], label=v[1], value=v[2])
        return obj

    def missing(self, m: M) -> _Missing:
        obj = self._missings.get(m)
        if obj is None:
            obj = self._missings[m] = _Missing.trusted(field=m[0], label=m[1])
        return obj
    _med_lines: list[MedLine] | None = None
    _med_checks: dict[str, ClassCheck] = field(default_factory=dict)
    _shifted: "Context | None" = None

    def shifted(self) -> "Context | None":
        """This context with early-disease treatment counted as the first line in the metastatic
        counts (seed 003's reading), built once per assessment; None when no count would change."""
        if self._shifted is None:
            lines = {}
            for kind, lc in self.lines.items():
                if lc.early_disease and not lc.early_disease_counted and lc.maximum is not None:
                    lines[kind] = lc.model_copy(update={"minimum": lc.minimum + 1, "maximum": lc.maximum + 1})
            if not lines:
                self._shifted = self  # marker: nothing to shift
            else:
                leaves = {k: v for k, v in self.leaves.items() if not k.startswith("PriorLines")}
                self._shifted = replace(self, lines={**self.lines, **lines}, leaves=leaves, conditions={})
        return None if self._shifted is self else self._shifted

    def medication_lines(self) -> list[MedLine]:
        """The medication list classified once per assessment (empty when not recorded)."""
        if self._med_lines is None:
            self._med_lines = classify(self.consult.history.medications or [], self.criteria)
        return self._med_lines

    def medication_check(self, class_id: str) -> ClassCheck:
        hit = self._med_checks.get(class_id)
        if hit is None:
            hit = self._med_checks[class_id] = check_class(self.medication_lines(), class_id)
        return hit


def _missing(path: str, label: str) -> list[M]:
    return [(path, label)]


def Value(*, field: str, label: str, value: str) -> V:  # noqa: N802 - reads like the model it becomes
    return (field, label, value)


_TEXT: dict[int, tuple[Any, str]] = {}


def _static(cond: Any, make: Callable[[], str]) -> str:
    """Condition texts depend only on the criteria: build each once (the rule set outlives this cache's use)."""
    hit = _TEXT.get(id(cond))
    if hit is not None and hit[0] is cond:
        return hit[1]
    text = make()
    _TEXT[id(cond)] = (cond, text)
    return text


_KEYS: dict[int, tuple[Any, str]] = {}
_COMPOSITE = (AllOf, AnyOf, NotOf, FindingRef)


def _leaf_key(cond: Any) -> str:
    """Equal leaves in different rules (plan, extent, resistance, ...) share one evaluation."""
    hit = _KEYS.get(id(cond))
    if hit is not None and hit[0] is cond:
        return hit[1]
    key = type(cond).__name__ + cond.model_dump_json(by_alias=True)
    _KEYS[id(cond)] = (cond, key)
    return key


def evaluate(cond: Any, ctx: Context) -> Ev:
    """Dispatch on the condition's type; each handler documents its own rule of evidence."""
    if isinstance(cond, _COMPOSITE):
        return _HANDLERS[type(cond)](cond, ctx)
    key = _leaf_key(cond)
    ev = ctx.leaves.get(key)
    if ev is None:
        ev = ctx.leaves[key] = _HANDLERS[type(cond)](cond, ctx)
    return ev


def _eval_all_of(cond: AllOf, ctx: Context) -> Ev:
    kids = [evaluate(x, ctx) for x in cond.all]
    states = [k.state for k in kids]
    st: Tri = False if False in states else (None if None in states else True)
    return _combine("all of", st, kids, all_of=True)


def _eval_any_of(cond: AnyOf, ctx: Context) -> Ev:
    kids = [evaluate(x, ctx) for x in cond.any]
    states = [k.state for k in kids]
    st = True if True in states else (None if None in states else False)
    return _combine("any of", st, kids)


def _eval_not_of(cond: NotOf, ctx: Context) -> Ev:
    kid = evaluate(cond.not_, ctx)
    st = None if kid.state is None else not kid.state
    return Ev(st, "none of", kid.values, kid.missing if st is None else [], kid.children if kid.text == "any of" else [kid],
              unverified=kid.unverified)


def _eval_plan_is(cond: PlanIs, ctx: Context) -> Ev:
    c = ctx.consult
    plan = c.plan.regimen
    text = _static(cond, lambda: "plan is " + " or ".join(PLAN_TEXT[p] for p in cond.plan))
    if plan is None:
        return Ev(None, text, [], _missing("plan.regimen", "planned regimen"))
    return Ev(plan in cond.plan, text, [Value(field="plan.regimen", label="Plan", value=PLAN_TEXT[plan])])


def _eval_extent_is(cond: ExtentIs, ctx: Context) -> Ev:
    c = ctx.consult
    text = _static(cond, lambda: "disease is " + " or ".join(EXTENT_TEXT[e] for e in cond.extent))
    ext = c.disease.extent
    if ext is None:
        return Ev(None, text, [], _missing("disease.extent", "extent of disease"))
    return Ev(ext in cond.extent, text, [Value(field="disease.extent", label="Extent", value=EXTENT_TEXT[ext])])


def _eval_her2_is(cond: Her2Is, ctx: Context) -> Ev:
    c = ctx.consult
    names = {"positive": "positive", "low": "low", "negative": "0 (negative)"}
    text = "HER2 " + " or ".join(names[h] for h in cond.her2)
    status = c.disease.her2_status
    if status is None:
        if c.disease.her2_ihc is None and c.disease.her2_ish in (None, "not_done", "negative"):
            miss = _missing("disease.her2_ihc", "HER2 IHC score")
        else:
            miss = _missing("disease.her2_ish", "HER2 ISH result (IHC 2+)")
        return Ev(None, text, [], miss)
    shown = f"{names[status]} (IHC {c.disease.her2_ihc or 'not recorded'}, ISH {c.disease.her2_ish or 'not recorded'})"
    return Ev(status in cond.her2, text, [Value(field="disease.her2_ihc", label="HER2", value=shown)])


def _eval_hormone_receptor_is(cond: HormoneReceptorIs, ctx: Context) -> Ev:
    c = ctx.consult
    text = f"hormone receptor-{cond.hormone_receptor}"
    hr = c.disease.hormone_receptor
    vals = [Value(field="disease.er", label="ER / PR", value=f"ER {c.disease.er or 'not recorded'}, PR {c.disease.pr or 'not recorded'}")]
    if hr is None:
        miss: list[M] = []
        if c.disease.er is None:
            miss += _missing("disease.er", "ER status")
        if c.disease.pr is None:
            miss += _missing("disease.pr", "PR status")
        return Ev(None, text, vals, miss)
    return Ev(hr == cond.hormone_receptor, text, vals)


def _eval_flag_is(cond: FlagIs, ctx: Context) -> Ev:
    c = ctx.consult
    path, label = FLAGS[cond.flag]
    text = label if cond.is_ else f"not {label}"
    if cond.flag in ("pregnant", "breastfeeding") and c.patient.sex == "male":
        return Ev(not cond.is_, text, [Value(field="patient.sex", label="Sex", value="male")])
    derived = ctx.derived_flags.get(cond.flag)
    if derived is not None:
        return Ev(cond.is_, text, [derived])
    section, name = path.split(".")
    v = getattr(getattr(c, section), name)
    if v is None:
        return Ev(None, text, [], _missing(path, label))
    return Ev(v == cond.is_, text, [Value(field=path, label=label[0].upper() + label[1:], value=yes_no(v))])


def _eval_resistant(cond: Resistant, ctx: Context) -> Ev:
    r = ctx.resistance[cond.resistant]
    text = f"{cond.resistant}-resistant"
    vals = [Value(field="regimens", label=f"{r.label} resistance", value=r.summary)]
    if r.result == "unknown":
        return Ev(None, text, vals, [(m.field, m.label) for m in r.missing] or _missing("regimens", f"{r.label.lower()} history (needs clinical judgement)"))
    # Resistant rests on an unverified window only if every resistant regimen needed one; not
    # resistant, if any regimen was judged by one.
    deciding = [rr for rr in r.regimens if rr.result == r.result]
    weak = [rr for rr in deciding if rr.confidence == "unverified"]
    shaky = bool(weak) and (len(weak) == len(deciding) or r.result == "not_resistant")
    unverified = [f"{r.label.lower()} resistance window: {weak[0].window}"] if shaky else []
    return Ev(r.result == "resistant", text, vals, unverified=unverified)


def _eval_prior_lines(cond: PriorLines, ctx: Context) -> Ev:
    c = ctx.consult
    spec = cond.prior_lines
    lc = ctx.lines[spec.count]
    lo_req = spec.min if spec.min is not None else 0
    hi_req = spec.max if spec.max is not None else 10**6
    text = _static(cond, lambda: _lines_text(spec, lc.label))
    shown = lc.text
    state = _range_state(lc.minimum, lc.maximum, lo_req, hi_req)
    vals = [Value(field="regimens", label=lc.label[0].upper() + lc.label[1:], value=shown)]
    if state is not None:
        # The counting rules are IxDesk's reading; they can only disagree when the history has
        # early-disease or endocrine-only regimens (left out, or counted). Without those the count is firm.
        contested = lc.confidence == "unverified" and bool(lc.early_disease or lc.excluded_endocrine or lc.endocrine_counted)
        return Ev(state, text, vals, unverified=[f"counting of {lc.label}"] if contested else [])
    miss = [(m.field, m.label) for m in lc.missing]
    for i in lc.uncertain:
        reg = c.regimens[i]
        if reg.setting is None:
            miss += _missing(f"regimens[{i}].setting", f"regimen {i + 1}: setting")
        else:
            miss += _missing(f"regimens[{i}].agents", f"regimen {i + 1}: agents not recognised")
    return Ev(None, text, vals, miss)


def _range_state(lo: int, hi: int | None, lo_req: int, hi_req: int) -> Tri:
    """Whether every count in [lo, hi] (hi None: unbounded) meets [lo_req, hi_req]: yes, no, or it depends."""
    if lo >= lo_req and (hi_req >= 10**6 or (hi is not None and hi <= hi_req)):
        return True
    if lo > hi_req or (hi is not None and hi < lo_req):
        return False
    return None


def _lines_text(spec: Any, label: str) -> str:
    if spec.min is not None and spec.max is not None:
        want = f"exactly {spec.min}" if spec.min == spec.max else f"{spec.min} to {spec.max}"
    elif spec.min is not None:
        want = f"at least {spec.min}"
    else:
        want = "no" if spec.max == 0 else f"at most {spec.max}"
    return f"{want} {label}"


def _eval_germline_brca_is(cond: GermlineBrcaIs, ctx: Context) -> Ev:
    c = ctx.consult
    text = "no germline BRCA1/2 mutation" if cond.germline_brca == "no_mutation" else "germline BRCA1/2 mutation"
    g = c.disease.germline_brca
    if g is None:
        return Ev(None, text, [], _missing("disease.germline_brca", "germline BRCA1/2 status"))
    shown = "mutation" if g == "mutation" else "no mutation"
    return Ev(g == cond.germline_brca, text, [Value(field="disease.germline_brca", label="Germline BRCA1/2", value=shown)])


def _eval_cps_below(cond: CpsBelow, ctx: Context) -> Ev:
    c = ctx.consult
    text = f"PD-L1 CPS < {fmt_num(cond.pdl1_cps.below)}"
    v = c.disease.pdl1_cps
    if v is None:
        return Ev(None, text, [], _missing("disease.pdl1_cps", "PD-L1 CPS"))
    return Ev(v < cond.pdl1_cps.below, text, [Value(field="disease.pdl1_cps", label="PD-L1 CPS", value=fmt_num(v))])


def _eval_lab_compare(cond: LabCompare, ctx: Context) -> Ev:
    return _lab(cond, ctx)


def _eval_neuropathy_at_least(cond: NeuropathyAtLeast, ctx: Context) -> Ev:
    c = ctx.consult
    text = f"neuropathy grade ≥ {cond.neuropathy_grade.min}"
    g = c.history.neuropathy_grade
    if g is None:
        return Ev(None, text, [], _missing("history.neuropathy_grade", "baseline neuropathy grade"))
    return Ev(g >= cond.neuropathy_grade.min, text, [Value(field="history.neuropathy_grade", label="Neuropathy grade", value=str(g))])


def _eval_cremophor_at_least(cond: CremophorAtLeast, ctx: Context) -> Ev:
    return _cremophor(cond.cremophor_hypersensitivity.min_grade, ctx)


def _eval_medication_in(cond: MedicationIn, ctx: Context) -> Ev:
    """Open-world: a medication line that names no dictionary entry leaves the check unknown (it
    could be of this class), unless another line already decides it."""
    c = ctx.consult
    label = ctx.criteria.medications.class_(cond.medication).label
    text = f"taking a {label}"
    if c.history.medications is None:
        return Ev(None, text, [], _missing("history.medications", "current medications"))
    chk = ctx.medication_check(cond.medication)
    n = len(c.history.medications)
    if chk.hits:
        shown = "; ".join(chk.hits)
    elif chk.unrecognised:
        shown = "not recognised: " + "; ".join(chk.unrecognised)
    else:
        shown = f"none of {n} listed"
    vals = [Value(field="history.medications", label="Medications", value=shown)]
    if chk.state is None:
        return Ev(None, text, vals, _missing("history.medications", unrecognised_label(chk.unrecognised)))
    return Ev(chk.state, text, vals, unverified=list(chk.unverified))


def _eval_labs_older_than(cond: LabsOlderThan, ctx: Context) -> Ev:
    c = ctx.consult
    n = cond.labs_older_than_days
    text = f"labs more than {n} days old at the consult date"
    if c.labs.date is None:
        return Ev(None, text, [], _missing("labs.date", "date the labs were drawn"))
    ref = c.consult_date or ctx.as_of
    age = (ref - c.labs.date).days
    which = "consult date" if c.consult_date else "assessment date"
    return Ev(age > n, text, [Value(field="labs.date", label="Labs drawn", value=f"{c.labs.date.isoformat()} ({age} days before the {which})")])


def _eval_finding_ref(cond: FindingRef, ctx: Context) -> Ev:
    f = ctx.findings[cond.finding]
    ev = ctx.evals[cond.finding]
    own = [f"{f.title} (an unverified rule)"] if f.confidence == "unverified" and ev.state is not None else []
    return Ev(ev.state, f.title, list(ev.values), list(ev.missing) if ev.state is None else [], ref=True,
              unverified=own + ev.unverified)


_HANDLERS: dict[type, Callable[[Any, Context], Ev]] = {
    AllOf: _eval_all_of,
    AnyOf: _eval_any_of,
    NotOf: _eval_not_of,
    PlanIs: _eval_plan_is,
    ExtentIs: _eval_extent_is,
    Her2Is: _eval_her2_is,
    HormoneReceptorIs: _eval_hormone_receptor_is,
    FlagIs: _eval_flag_is,
    Resistant: _eval_resistant,
    PriorLines: _eval_prior_lines,
    GermlineBrcaIs: _eval_germline_brca_is,
    CpsBelow: _eval_cps_below,
    LabCompare: _eval_lab_compare,
    NeuropathyAtLeast: _eval_neuropathy_at_least,
    CremophorAtLeast: _eval_cremophor_at_least,
    MedicationIn: _eval_medication_in,
    LabsOlderThan: _eval_labs_older_than,
    FindingRef: _eval_finding_ref,
}

def _combine(text: str, st: Tri, kids: list[Ev], all_of: bool = False) -> Ev:
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
    return Ev(st, text, values, missing, kids, unverified=unverified)


def _lab(cond: LabCompare, ctx: Context) -> Ev:
    spec = cond.lab
    lab = getattr(ctx.consult.labs, spec.name)
    label = LAB_LABEL[spec.name]
    op = OP_TEXT[spec.op]
    path = f"labs.{spec.name}"
    if spec.value is not None:
        text = f"{label} {op} {fmt_num(spec.value)} cells/mm³"
        if lab is None:
            return Ev(None, text, [], _missing(path, label.lower() if spec.name != "ast" else label))
        v = lab.per_mm3
        shown = f"{fmt_num(lab.value)} {UNIT_TEXT.get(lab.unit, lab.unit)}"
        if lab.unit != "cells/mm3":
            shown += f" = {fmt_num(v)} cells/mm³"
        return Ev(OPS[spec.op](v, spec.value), text, [Value(field=path, label=label, value=shown)])
    x_uln = spec.x_uln
    assert x_uln is not None  # LabSpec holds exactly one of value and x_uln
    text = f"{label} {op} {fmt_num(x_uln)} × ULN"
    if lab is None:
        return Ev(None, text, [], _missing(path, f"{label} with its upper limit of normal"))
    assert isinstance(lab, UlnLab)
    ratio = lab.x_uln
    shown = f"{fmt_num(lab.value)} {UNIT_TEXT.get(lab.unit, lab.unit)} = {ratio:.2f} × ULN ({fmt_num(lab.uln)})"
    return Ev(OPS[spec.op](ratio, x_uln), text, [Value(field=path, label=label, value=shown)])


def _cremophor(min_grade: int, ctx: Context) -> Ev:
    """Severe reaction to a Cremophor EL product, from the history or from a prior regimen's stop."""
    c = ctx.consult
    text = f"hypersensitivity grade ≥ {min_grade} to a Cremophor EL-containing agent"
    kids: list[Ev] = []
    h = c.history
    hist_text = "history of Cremophor EL hypersensitivity"
    if h.cremophor_hypersensitivity is None:
        kids.append(Ev(None, hist_text, [], _missing("history.cremophor_hypersensitivity", "history of Cremophor EL hypersensitivity (paclitaxel, Ixempra)")))
    elif not h.cremophor_hypersensitivity:
        kids.append(Ev(False, hist_text, [Value(field="history.cremophor_hypersensitivity", label="Cremophor EL hypersensitivity", value="no")]))
    elif h.cremophor_hypersensitivity_grade is None:
        kids.append(Ev(None, hist_text, [Value(field="history.cremophor_hypersensitivity", label="Cremophor EL hypersensitivity", value="yes, grade not recorded")],
                       _missing("history.cremophor_hypersensitivity_grade", "grade of the Cremophor EL reaction")))
    else:
        g = h.cremophor_hypersensitivity_grade
        kids.append(Ev(g >= min_grade, hist_text, [Value(field="history.cremophor_hypersensitivity_grade", label="Cremophor EL hypersensitivity", value=f"yes, grade {g}")]))
    ixa_in_table = any("epothilone" in a.classes and c.regimens[a.index].stop_reason == "hypersensitivity"
                       for a in ctx.agents)
    if h.prior_ixabepilone_reaction and not ixa_in_table and h.cremophor_hypersensitivity_grade is None:
        # Ixempra's diluent is a Cremophor EL product: a prior reaction to it, of a grade not recorded,
        # may be the severe one the label contraindicates
        kids.append(Ev(None, "prior hypersensitivity reaction to ixabepilone (a Cremophor EL-containing product)",
                       [Value(field="history.prior_ixabepilone_reaction", label="Prior reaction to ixabepilone", value="yes")],
                       _missing("history.cremophor_hypersensitivity_grade",
                                "grade of the prior reaction to ixabepilone (record it as the Cremophor EL hypersensitivity grade)")))
    for a in ctx.agents:
        reg = c.regimens[a.index]
        if a.cremophor is False or reg.stop_reason != "hypersensitivity":
            continue
        path = f"regimens[{a.index}]"
        rtext = f"regimen {a.index + 1} ({', '.join(a.matched)}) stopped for hypersensitivity"
        grade = reg.hypersensitivity_grade
        vals = [] if grade is None else [Value(field=f"{path}.hypersensitivity_grade", label=f"Regimen {a.index + 1} reaction", value=f"grade {grade}")]
        miss = [] if grade is not None else _missing(f"{path}.hypersensitivity_grade", f"regimen {a.index + 1}: grade of the hypersensitivity reaction")
        if a.cremophor is None and (grade is None or grade >= min_grade):
            # An unspecified taxane (AC-T): paclitaxel is a Cremophor EL product, docetaxel is not.
            miss += _missing(f"{path}.agents", f"regimen {a.index + 1}: which taxane (paclitaxel contains Cremophor EL, docetaxel does not)")
            kids.append(Ev(None, rtext, vals, miss))
        else:
            kids.append(Ev(None if grade is None else grade >= min_grade, rtext, vals, miss))
    states = [k.state for k in kids]
    st: Tri = True if True in states else (None if None in states else False)
    ev = _combine(text, st, kids)
    return ev


def to_condition(ev: Ev, cache: dict[int, Condition] | None = None) -> Condition:
    """The basis tree of a finding; shared leaves (see ``evaluate``) become one shared Condition."""
    if cache is not None:
        hit = cache.get(id(ev))
        if hit is not None:
            return hit
    text = ev.text
    if ev.children:
        children = [to_condition(k, cache) for k in ev.children]
    else:
        children = []
        if ev.values and not ev.ref:
            text += " — " + "; ".join([v[1] + ": " + v[2] for v in ev.values])
    # Built as Frozen.trusted() does, inlined: this runs ~100 times per assess(), once per keystroke.
    cond = _new(Condition)
    _set(cond, "__dict__", {"text": text, "state": _STATE[ev.state], "children": children})
    _set(cond, "__pydantic_fields_set__", {"text", "state", "children"})
    _set(cond, "__pydantic_extra__", None)
    _set(cond, "__pydantic_private__", None)
    if cache is not None:
        cache[id(ev)] = cond
    return cond


_new = object.__new__
_set = object.__setattr__


_STATE: dict[Tri, State] = {None: "unknown", True: "met", False: "not_met"}
_STATE_WORD: dict[Tri, str] = {None: "undetermined", True: "met", False: "not met"}


SUMMARY = {
    ("indication", "met"): "Meets label indication: {t}",
    ("indication", "not_met"): "Does not meet label indication: {t}",
    ("indication", "unknown"): "Label indication undetermined: {t}",
    ("pathway", "met"): "Meets pathway {t}",
    ("pathway", "not_met"): "Does not meet pathway {t}",
    ("pathway", "unknown"): "Pathway undetermined: {t}",
    ("payer", "met"): "Meets payer criterion: {t}",
    ("payer", "not_met"): "Does not meet payer criterion: {t}",
    ("payer", "unknown"): "Payer criterion undetermined: {t}",
    ("exclusion", "met"): "CONTRAINDICATION PRESENT: {t}",
    ("exclusion", "not_met"): "Not present: {t}",
    ("exclusion", "unknown"): "Not yet checkable: {t}",
    ("warning", "met"): "Warning: {t}",
    ("warning", "not_met"): "Not present: {t}",
    ("warning", "unknown"): "Not yet checkable: {t}",
}


_LINE_KINDS: dict[int, tuple[Any, frozenset[str]]] = {}


def _line_kinds(rule: Rule) -> frozenset[str]:
    """The line counts a rule's own conditions use (not through references to other findings)."""
    hit = _LINE_KINDS.get(id(rule))
    if hit is not None and hit[0] is rule:
        return hit[1]
    kinds: set[str] = set()

    def walk(c: Any) -> None:
        if isinstance(c, PriorLines):
            kinds.add(c.prior_lines.count)
        elif isinstance(c, AllOf):
            for k in c.all:
                walk(k)
        elif isinstance(c, AnyOf):
            for k in c.any:
                walk(k)
        elif isinstance(c, NotOf):
            walk(c.not_)

    walk(rule.when)
    _LINE_KINDS[id(rule)] = (rule, frozenset(kinds))
    return _LINE_KINDS[id(rule)][1]


def _other_line_reading(rule: Rule, ctx: Context, state: Tri, gated: bool = True) -> Tri | str:
    """The result if early-disease treatment counted as the first line (seed 003's definition of
    first-line therapy) in the metastatic counts this rule uses; "same" when that changes nothing."""
    kinds = _line_kinds(rule)
    if not kinds:
        return "same"
    other = ctx.shifted()
    if other is None or all(other.lines[k] is ctx.lines[k] for k in kinds):
        return "same"
    alt = _judge(rule, other)[0 if gated else 1].state
    return "same" if alt is state else alt


_PLAN_GATES: dict[int, tuple[Rule, PlanIs]] = {}


def _plan_gate(rule: Rule) -> PlanIs:
    hit = _PLAN_GATES.get(id(rule))
    if hit is None or hit[0] is not rule:
        hit = _PLAN_GATES[id(rule)] = (rule, PlanIs(plan=list(rule.plans or ())))
    return hit[1]


GATED_KINDS = ("pathway", "exclusion", "warning")


def _judge(rule: Rule, ctx: Context) -> tuple[Ev, Ev]:
    """(result for the plan under discussion, the condition alone).

    Pathways, exclusions and warnings limited to some plans judge their condition whatever the plan,
    then gate it by the plan. The gated result is the finding's state; the condition alone
    (``condition_state``) still tells the clinician weighing regimens that another plan's pathway
    would be met, or that another plan's contraindication is present."""
    cond = evaluate(rule.when, ctx)
    if rule.plans is None or rule.kind not in GATED_KINDS:
        return cond, cond
    gate = evaluate(_plan_gate(rule), ctx)
    # "plan is X and (a and b)" reads as one list: the gate joins a top-level "all of"
    kids = [gate, *cond.children] if isinstance(rule.when, AllOf) else [gate, cond]
    states = [k.state for k in kids]
    st: Tri = False if False in states else (None if None in states else True)
    return _combine("all of", st, kids, all_of=True), cond


def evaluate_rule(rule: Rule, ctx: Context) -> Finding:
    ev, cond_ev = _judge(rule, ctx)
    plan = ctx.consult.plan.regimen
    applies = True if rule.plans is None else (None if plan is None else plan in rule.plans)
    # for another regimen the condition is what the clinician reads: its basis and its other reading
    basis = cond_ev if applies is False and cond_ev is not ev else ev
    values = [ctx.value(v) for v in ev.values]
    if basis.state is not None:
        alt = _other_line_reading(rule, ctx, basis.state, gated=basis is ev)
        if not isinstance(alt, str):  # not "same"
            values.append(ctx.value((
                "regimens", "Another reading of the line count",
                f"{_STATE_WORD[alt]} if early-disease treatment counted as the first line "
                "(seed 003's definition of first-line therapy)")))
    state = to_state(ev.state)
    severity = "info"
    if state == "met" and rule.kind == "exclusion":
        severity = "blocking"
    elif state == "met" and rule.kind == "warning":
        severity = "warning"
    condition_state = to_state(cond_ev.state) if cond_ev is not ev else None
    plans = " or ".join(PLAN_TEXT[p] for p in rule.plans or ())
    blocked_by = _contraindications_of(rule, ctx) if condition_state == "met" and rule.kind == "pathway" else []
    if condition_state == "unknown" and state == "not_met" and applies is False:
        summary = (f"Not checkable, for another plan (applies to {plans}): {rule.title} — missing: "
                   + ", ".join(label for _, label in cond_ev.missing))
    elif condition_state == "met" and state != "met":
        if rule.kind == "pathway":
            summary = (f"Pathway {rule.title}: would be met with {plans} (another regimen than the one discussed)"
                       if applies is False else f"Pathway {rule.title}: would be met with {plans} — plan not recorded")
            if blocked_by:
                summary += "; but contraindicated with that plan: " + "; ".join(ctx.findings[i].title for i in blocked_by)
        else:
            summary = (f"Present, for another plan (applies to {plans}): {rule.title}" if applies is False
                       else f"Present, applies to {plans} — plan not recorded: {rule.title}")
    else:
        summary = SUMMARY[(rule.kind, state)].format(t=rule.title)
        if state == "unknown" and ev.missing:
            summary += " — missing: " + ", ".join(label for _, label in ev.missing)
    ctx.evals[rule.id] = ev
    return Finding.trusted(
        id=rule.id, kind=rule.kind, group=rule.group, title=rule.title,
        statement=_static(rule, lambda: " ".join(rule.statement.split())),
        state=state, severity=severity, summary=summary,
        conditions=[to_condition(ev, ctx.conditions)],
        values=values,
        missing=([ctx.missing(m) for m in ev.missing] if state == "unknown" else
                 [ctx.missing(m) for m in cond_ev.missing] if condition_state == "unknown" and applies is False else []),
        source=cached_source(rule.source, ctx.criteria), confidence=rule.confidence, applies_to_plan=applies,
        unverified_basis=list(basis.unverified) if basis.state is not None else [],
        condition_state=condition_state, contraindicated_by=blocked_by,
    )


def _contraindications_of(rule: Rule, ctx: Context) -> list[str]:
    """Exclusions, judged before the pathways, whose condition holds and which apply to every plan
    this rule is for (an exclusion without ``plans`` applies to all)."""
    plans = set(rule.plans or ())
    out = []
    for f in ctx.findings.values():
        if f.kind != "exclusion" or (f.condition_state or f.state) != "met":
            continue
        limited_to = ctx.criteria.rule(f.id).plans
        if limited_to is None or plans <= set(limited_to):
            out.append(f.id)
    return out
