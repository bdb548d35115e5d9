"""Judge the criteria's rules on a consult: the evaluation context, and each rule's Finding.

The condition language itself (its models, and the interpreter of each predicate, compiled once
per criteria set) lives in ``ixdesk.core.conditions``; this module runs a rule's compiled
condition, gates it by the plan, and turns the result into the Finding every reader shows.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from enum import Enum

from ixdesk.core.assessment import ClassResistance, Condition, Finding, LineCount, State
from ixdesk.core.assessment import Missing as _Missing
from ixdesk.core.assessment import Value as _Value
from ixdesk.core.conditions import (  # noqa: F401 - re-exported: these were defined here before
    EXTENT_TEXT, FLAGS, LAB_LABEL, OP_TEXT, OPS, PLAN_TEXT, UNIT_TEXT, M, V, CompiledRule, Ev, Tri, Value, combine,
    fmt_num, kleene_all, yes_no,
)
from ixdesk.core.consult import Consult
from ixdesk.core.dated_text import parts
from ixdesk.core.criteria import Criteria, Rule
from ixdesk.core.medications import ClassCheck, MedLine, check_class, classify
from ixdesk.core.resistance import RegimenAgents, cached_source


def to_state(t: Tri) -> State:
    return "unknown" if t is None else ("met" if t else "not_met")


def from_state(s: State) -> Tri:
    return None if s == "unknown" else s == "met"


class _Shift(Enum):
    NOTHING = "nothing to shift"  # the marker of a context whose line counts the other reading leaves alone


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
    # equal leaves of different rules, evaluated once per assessment (keys: conditions.leaf_key)
    leaves: dict[str, Ev] = field(default_factory=dict)
    conditions: dict[int, Condition] = field(default_factory=dict)
    _values: dict[V, _Value] = field(default_factory=dict)
    _missings: dict[M, _Missing] = field(default_factory=dict)
    _med_lines: list[MedLine] | None = None
    _med_checks: dict[str, ClassCheck] = field(default_factory=dict)
    # None: not built yet; _Shift.NOTHING: no count would change (a sentinel, not ``self``, so that
    # a context holds no reference to itself and is freed without the cycle collector)
    _shifted: "Context | _Shift | None" = None
    programs: dict[str, CompiledRule] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.programs:
            self.programs = self.criteria.programs()

    def value(self, v: V) -> _Value:
        obj = self._values.get(v)
        if obj is None:
            obj = self._values[v] = _Value.trusted(field=v[0], label=v[1], value=v[2], number=v[3], unit=v[4],
                                                   parts=parts(v[5]) if v[5] is not None else [])
        return obj

    def missing(self, m: M) -> _Missing:
        obj = self._missings.get(m)
        if obj is None:
            obj = self._missings[m] = _Missing.trusted(field=m[0], label=m[1])
        return obj

    def shifted(self) -> "Context | None":
        """This context with early-disease treatment counted as the first line in the metastatic
        counts (seed 003's reading), built once per assessment; None when no count would change."""
        if self._shifted is None:
            lines = {}
            for kind, lc in self.lines.items():
                if lc.early_disease and not lc.early_disease_counted and lc.maximum is not None:
                    lines[kind] = lc.model_copy(update={"minimum": lc.minimum + 1, "maximum": lc.maximum + 1})
            if not lines:
                self._shifted = _Shift.NOTHING
            else:
                leaves = {k: v for k, v in self.leaves.items() if not k.startswith("PriorLines")}
                self._shifted = replace(self, lines={**self.lines, **lines}, leaves=leaves, conditions={})
        return None if self._shifted is _Shift.NOTHING else self._shifted

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


def to_condition(ev: Ev, ctx: Context) -> Condition:
    """The basis tree of a finding; shared leaves (see ``conditions.leaf_key``) become one shared Condition.

    A leaf's text glues its values on after " — " as it always has; the structured fields carry
    the same parts apart, so that no reader needs to split the text."""
    cache = ctx.conditions
    hit = cache.get(id(ev))
    if hit is not None:
        return hit
    text = ev.text
    step = ev.step
    values: list[_Value] = []
    missing = [ctx.missing(m) for m in ev.missing] if ev.state is None else []
    if ev.children:
        children = [to_condition(k, ctx) for k in ev.children]
    else:
        children = []
        if ev.values and not ev.ref:
            text += " — " + "; ".join([v[1] + ": " + v[2] for v in ev.values])
            values = [ctx.value(v) for v in ev.values]
    # Built as Frozen.trusted() does, inlined: this runs ~100 times per assess(), once per keystroke.
    cond = _new(Condition)
    _set(cond, "__dict__", {
        "text": text, "state": _STATE[ev.state], "children": children, "kind": step.kind, "label": ev.text,
        "operator": step.operator, "threshold": step.threshold, "options": step.options, "values": values,
        "missing": missing, "ref": step.ref,
    })
    _set(cond, "__pydantic_fields_set__", set(_CONDITION_FIELDS))
    _set(cond, "__pydantic_extra__", None)
    _set(cond, "__pydantic_private__", None)
    cache[id(ev)] = cond
    return cond


_new = object.__new__
_set = object.__setattr__
_CONDITION_FIELDS = tuple(Condition.model_fields)


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


def _other_line_reading(prog: CompiledRule, ctx: Context, state: Tri, gated: bool = True) -> Tri | str:
    """The result if early-disease treatment counted as the first line (seed 003's definition of
    first-line therapy) in the metastatic counts this rule uses; "same" when that changes nothing."""
    kinds = prog.line_kinds
    if not kinds:
        return "same"
    other = ctx.shifted()
    if other is None or all(other.lines[k] is ctx.lines[k] for k in kinds):
        return "same"
    alt = _judge(prog, other)[0 if gated else 1].state
    return "same" if alt is state else alt


def _judge(prog: CompiledRule, ctx: Context) -> tuple[Ev, Ev]:
    """(result for the plan under discussion, the condition alone).

    Pathways, exclusions and warnings limited to some plans judge their condition whatever the plan,
    then gate it by the plan. The gated result is the finding's state; the condition alone
    (``condition_state``) still tells the clinician weighing regimens that another plan's pathway
    would be met, or that another plan's contraindication is present."""
    cond = prog.when(ctx)
    if prog.gate is None:
        return cond, cond
    gate = prog.gate(ctx)
    # "plan is X and (a and b)" reads as one list: the gate joins a top-level "all of"
    kids = [gate, *cond.children] if prog.gate_joins else [gate, cond]
    return combine("all of", kleene_all([k.state for k in kids]), kids, all_of=True), cond


def evaluate_rule(rule: Rule, ctx: Context) -> Finding:
    prog = ctx.programs.get(rule.id)
    if prog is None or prog.rule is not rule:
        prog = ctx.criteria.program(rule)
    ev, cond_ev = _judge(prog, ctx)
    plan = ctx.consult.plan.regimen
    applies = True if rule.plans is None else (None if plan is None else plan in rule.plans)
    # for another regimen the condition is what the clinician reads: its basis and its other reading
    basis = cond_ev if applies is False and cond_ev is not ev else ev
    values = [ctx.value(v) for v in ev.values]
    if basis.state is not None:
        alt = _other_line_reading(prog, ctx, basis.state, gated=basis is ev)
        if alt != "same" and not isinstance(alt, str):
            values.append(ctx.value(Value(
                field="regimens", label="Another reading of the line count",
                value=f"{_STATE_WORD[alt]} if early-disease treatment counted as the first line "
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
        statement=prog.statement,
        state=state, severity=severity, summary=summary,
        conditions=[to_condition(ev, ctx)],
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
