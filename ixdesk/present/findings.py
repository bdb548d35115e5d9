"""What one finding means to each reader: its label, tone, scope, basis and missing inputs.

The engine's ``Finding`` is tri-state and plan-gated, and the gate makes its plain ``state`` easy to
misread: a contraindication of another regimen is ``not_met`` for the plan discussed although it is
present, and an exclusion that is ``not_met`` is good news. Before this module the panel, the CLI and
the clinician report each re-derived that (and printed "[not met] Not present"); here it is decided
once, from the finding's structured fields only (``state``, ``applies_to_plan``, ``condition_state``
through ``other_plan``, ``contraindicated_by``), never from its summary or condition texts.

Semantics (README, "Semantics worth knowing"):
- scope: ``this_plan`` (``applies_to_plan`` True), ``other_plan`` (False), ``no_plan`` (None: the
  plan is not recorded, so the rule may concern it);
- ``other_plan == "met"``: a pathway that would be met with its plan, or a contraindication / warning
  present for a plan not under discussion: never "ruled out";
- ``other_plan == "unknown"``: not checkable for that plan: never "ruled out" either;
- a pathway whose plan is contraindicated (``contraindicated_by``) reads "would be met, but
  contraindicated", not as good news.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Literal

from ixdesk.core.assessment import Condition, Finding, Source, Value
from ixdesk.present.fields import MissingInput, missing_inputs
from ixdesk.present.formats import fmt_parts
from ixdesk.present.words import NCCN_DOCUMENTS, document_name, plan_long

if TYPE_CHECKING:
    from ixdesk.core.criteria import Criteria
    from ixdesk.present.overrides import OverrideView

Audience = Literal["clinician", "nurse", "patient", "cli", "panel"]
AUDIENCES: tuple[Audience, ...] = ("clinician", "nurse", "patient", "cli", "panel")
Tone = Literal["critical", "warning", "good", "missing", "neutral"]
Scope = Literal["this_plan", "other_plan", "no_plan"]
# What the finding says, one word per case; every reader's words are chosen from it.
Reading = Literal[
    "met", "not_met", "unknown",  # indications, pathways, payer criteria for the plan
    "applies", "ruled_out", "not_ruled_out",  # contraindications (exclusions)
    "warns", "does_not_apply", "warning_unknown",  # warnings
    "would_be_met", "would_be_met_contraindicated",  # a pathway of another (or an unset) plan
    "present_elsewhere",  # a contraindication / warning present for another (or an unset) plan
    "not_checkable_elsewhere",  # the condition cannot be checked for another plan
]

TONE: dict[Reading, Tone] = {
    "met": "good", "not_met": "neutral", "unknown": "missing",
    "applies": "critical", "ruled_out": "good", "not_ruled_out": "missing",
    "warns": "warning", "does_not_apply": "good", "warning_unknown": "missing",
    "would_be_met": "good", "would_be_met_contraindicated": "warning",
    "present_elsewhere": "warning", "not_checkable_elsewhere": "missing",
}
MARK: dict[Reading, str] = {
    "met": "✔", "not_met": "✘", "unknown": "?", "applies": "⊘", "ruled_out": "✔", "not_ruled_out": "?",
    "warns": "⚠", "does_not_apply": "✔", "warning_unknown": "?", "would_be_met": "✔",
    "would_be_met_contraindicated": "⚠", "present_elsewhere": "⚠", "not_checkable_elsewhere": "?",
}
# The short result, as the panel's Result column and the CLI's bracket print it (capitals: the
# words a reader must not miss); the clinician report prints the same in sentence case.
RESULT: dict[Reading, str] = {
    "met": "MET", "not_met": "NOT MET", "unknown": "UNKNOWN",
    "applies": "APPLIES", "ruled_out": "ruled out", "not_ruled_out": "not ruled out",
    "warns": "APPLIES", "does_not_apply": "does not apply", "warning_unknown": "unknown",
    "would_be_met": "would be met", "would_be_met_contraindicated": "contraindicated",
    "present_elsewhere": "present", "not_checkable_elsewhere": "not checkable",
}
CLINICIAN_RESULT: dict[Reading, str] = {
    "met": "Met", "not_met": "Not met", "unknown": "Unknown",
    "applies": "Applies", "ruled_out": "Ruled out", "not_ruled_out": "Not yet checkable",
    "warns": "Applies", "does_not_apply": "Does not apply", "warning_unknown": "Not yet checkable",
    "would_be_met": "Would be met", "would_be_met_contraindicated": "Would be met, but contraindicated",
    "present_elsewhere": "Present", "not_checkable_elsewhere": "Not checkable",
}
SCOPE_NOTE: dict[Scope, str] = {"this_plan": "", "other_plan": "other plan", "no_plan": "plan not set"}
_PREFIX: dict[tuple[str, str], str] = {
    ("indication", "met"): "Meets label indication:", ("indication", "not_met"): "Does not meet label indication:",
    ("indication", "unknown"): "Label indication undetermined:",
    ("payer", "met"): "Meets payer criterion:", ("payer", "not_met"): "Does not meet payer criterion:",
    ("payer", "unknown"): "Payer criterion undetermined:",
    ("*", "met"): "Meets", ("*", "not_met"): "Does not meet", ("*", "unknown"): "Undetermined:",
    ("*", "applies"): "Contraindication present:", ("*", "ruled_out"): "Ruled out:",
    ("*", "not_ruled_out"): "Not yet checkable:", ("*", "warns"): "Warning:", ("*", "does_not_apply"): "Does not apply:",
    ("*", "warning_unknown"): "Not yet checkable:",
}
CONDITION_MARK = {"met": "✔", "not_met": "✘", "unknown": "?"}
CONDITION_RESULT = {"met": "MET", "not_met": "NOT MET", "unknown": "UNKNOWN"}


@dataclass(frozen=True)
class SourceView:
    document: str  # the short id ("PI", "payer-003")
    name: str  # as readers call it ("FDA label (PI)", "Payer 003")
    title: str
    section: str
    version: str

    @property
    def short(self) -> str:
        """'payer-003, Clinical Criteria II.B' (one line under a result)."""
        return f"{self.document}, {self.section}"

    @property
    def full(self) -> str:
        return f"{self.document} — {self.title}, {self.section} (version {self.version})"


@dataclass(frozen=True)
class ConditionStep:
    """One step of a rule's logic: what it tests (the condition's ``label``), then for a leaf the
    patient values it read, each from its structured form (dates in the one date format)."""

    text: str
    state: str
    mark: str
    result: str
    children: tuple["ConditionStep", ...]


@dataclass(frozen=True)
class ValueView:
    field: str
    label: str
    value: str  # as shown, with its unit; a date in the one date format
    # a measured value apart, as the chart gives it ("1.2" in "× 10⁹/L"): a reader that prints the
    # number and its unit in separate places takes them from here, never by splitting ``value``
    number: float | None = None
    unit: str = ""


def value_text(v: Value) -> str:
    """A patient value as every reader prints it: the engine's words, its dates in the one format."""
    return fmt_parts(v.parts) if v.parts else v.value


def value_view(v: Value) -> ValueView:
    return ValueView(field=v.field, label=v.label, value=value_text(v), number=v.number, unit=v.unit)


def condition_text(c: Condition) -> str:
    """'Neutrophils < 1,500 cells/mm³ — Neutrophils: 1,200 cells/mm³' built from the structured
    fields (label, values), never by editing ``Condition.text``; a condition from JSON written
    before the fields existed (``kind`` None) is shown as its text."""
    if c.kind is None:
        return c.text
    if not c.values:
        return c.label
    return f"{c.label} — " + "; ".join(f"{v.label}: {value_text(v)}" for v in c.values)


@dataclass(frozen=True)
class Basis:
    """Why the finding says what it says, as ordered steps: the rule, the patient's values, the
    conditions (thresholds), the missing inputs, the source and how firm it is."""

    statement: str
    values: tuple[ValueView, ...]
    conditions: tuple[ConditionStep, ...]
    missing: tuple[MissingInput, ...]
    source: SourceView
    confidence: str
    unverified: bool  # the rule itself is unverified
    unverified_basis: tuple[str, ...]  # unverified items a met / not met result rests on


@dataclass(frozen=True)
class BasisStep:
    """One step of a basis in reading order; ``kind`` tells a renderer how to draw it."""

    kind: Literal["rule", "condition", "value", "missing", "source", "confidence", "unverified"]
    text: str
    state: str = ""  # a condition's met / not_met / unknown
    depth: int = 0  # a condition's nesting
    field: str = ""  # a value's or a missing input's consult field


def basis_steps(b: Basis) -> tuple[BasisStep, ...]:
    """The rule, its conditions (thresholds) with their results, the patient's values, what is
    missing, the source (document, section, version) and how firm it is, in that order."""
    out = [BasisStep("rule", b.statement)]

    def walk(cs: tuple[ConditionStep, ...], depth: int) -> None:
        for c in cs:
            out.append(BasisStep("condition", c.text, c.state, depth))
            walk(c.children, depth + 1)

    walk(b.conditions, 0)
    out += [BasisStep("value", f"{v.label}: {v.value}", field=v.field) for v in b.values]
    out += [BasisStep("missing", m.words, field=m.field) for m in b.missing]
    out.append(BasisStep("source", b.source.full))
    out.append(BasisStep("confidence", "unverified" if b.unverified else b.confidence))
    out += [BasisStep("unverified", u) for u in b.unverified_basis]
    return tuple(out)


@dataclass(frozen=True)
class FindingView:
    id: str
    kind: str
    title: str  # as the criteria type it (typographic at the source)
    state: str  # the engine's plan-gated state (met / not_met / unknown)
    reading: Reading
    tone: Tone
    scope: Scope
    plans: tuple[str, ...]  # the plans the rule concerns (empty: every plan, or not known here)
    contraindicated_by: tuple[str, ...]  # titles of that plan's contraindications that hold
    # the rule's name as its source calls it ("Payer 003 Clinical Criteria II.B: B. With ...");
    # the title alone for every rule that is not a payer's own pathway criterion
    name: str
    missing: tuple[MissingInput, ...]
    finding: Finding = field(repr=False)  # the engine's result this view reads (its basis is built from it)
    # a clinician's override or acknowledgement, beside the computed result (ixdesk.present.overrides)
    override: "OverrideView | None" = None

    @cached_property
    def basis(self) -> Basis:
        """Built when a reader asks (a panel row's basis is built on first expand: most stay closed)."""
        f = self.finding
        return Basis(
            statement=f.statement,
            values=tuple(value_view(v) for v in f.values),
            conditions=_steps(f.conditions),
            missing=self.missing,
            source=source_view(f.source),
            confidence=f.confidence,
            unverified=f.confidence == "unverified",
            unverified_basis=tuple(f.unverified_basis),
        )

    @property
    def holds(self) -> bool:
        """The contraindication or warning holds for the plan under discussion."""
        return self.reading in ("applies", "warns")

    @property
    def for_this_plan(self) -> bool:
        """Shown in the main list (this plan, or no plan recorded); other plans are kept apart."""
        return self.scope != "other_plan"

    @property
    def unverified_mark(self) -> str:
        if self.finding.confidence == "unverified":
            return "[unverified]"
        return "[rests on unverified]" if self.finding.unverified_basis else ""

    def result(self, audience: Audience) -> str:
        """The short result for ``audience`` ('✔ MET', '⚠ present · other plan', 'Ruled out')."""
        word = RESULT[self.reading]
        scope = SCOPE_NOTE[self.scope]
        if audience == "panel":
            if self.reading == "would_be_met":
                return "✔ met if chosen" if self.scope == "other_plan" else "✔ met for that plan"
            text = f"{MARK[self.reading]} {word}"
            if self.reading in ("present_elsewhere", "not_checkable_elsewhere") and scope:
                text += f" · {scope}"
            return text
        if audience == "cli":
            return {"would_be_met": "WOULD", "would_be_met_contraindicated": "CONTRA",
                    "present_elsewhere": "PRESENT", "not_checkable_elsewhere": "? other",
                    "applies": "BLOCKS", "warns": "WARN", "ruled_out": "clear", "does_not_apply": "clear",
                    "not_ruled_out": "?", "warning_unknown": "?", "unknown": "?"}.get(self.reading, word)
        text = CLINICIAN_RESULT[self.reading]
        if self.reading in ("present_elsewhere", "not_checkable_elsewhere") and scope:
            text += f", {scope}"
        return text

    def heading(self, audience: Audience) -> str:
        """The row's title: the rule's name, with its scope and unverified marks for list readers."""
        text = self.name
        if audience in ("panel", "cli") and self.scope == "other_plan":
            text += "  (other plan)"
        if audience in ("panel", "cli", "clinician") and self.unverified_mark:
            text += f"  {self.unverified_mark}"
        return text

    def line(self, audience: Audience = "clinician") -> str:
        """One sentence for a list: what the finding says, for which plan, and what it waits for."""
        r, t = self.reading, self.name
        plans = " or ".join(plan_long(p) for p in self.plans) or "another plan"
        if r == "would_be_met" or r == "would_be_met_contraindicated":
            text = f"{t}: would be met {'with ' + plans if self.plans else 'for another plan'}"
            text += " (another regimen than the one discussed)" if self.scope == "other_plan" else " — plan not recorded"
            if self.contraindicated_by:
                text += "; but contraindicated with that plan: " + "; ".join(self.contraindicated_by)
            return text
        which = f" ({plans})" if self.plans else ""
        if r == "present_elsewhere":
            return (f"Present, for another plan{which}: {t}" if self.scope == "other_plan"
                    else f"Present, for {plans} — plan not recorded: {t}")
        if r == "not_checkable_elsewhere":
            return f"Not checkable, for another plan{which}: {t}" + self._needs()
        prefix = _PREFIX.get((self.kind, r)) or _PREFIX[("*", r)]
        text = f"{prefix} {t}"
        if r in ("unknown", "not_ruled_out", "warning_unknown"):
            text += self._needs()
        if self.scope == "other_plan" and r in ("met", "not_met", "unknown"):
            text += f" — another plan: {plans}" if self.plans else " — another plan"
        return text

    def _needs(self) -> str:
        if not self.missing:
            return ""
        return " — enter: " + ", ".join(m.words for m in self.missing)


def _reading(f: Finding) -> Reading:
    other = f.other_plan
    if other == "unknown":
        return "not_checkable_elsewhere"
    if other == "met":
        if f.kind == "pathway":
            return "would_be_met_contraindicated" if f.contraindicated_by else "would_be_met"
        if f.kind in ("exclusion", "warning"):
            return "present_elsewhere"
        return "met"
    if f.kind == "exclusion":
        return {"met": "applies", "not_met": "ruled_out", "unknown": "not_ruled_out"}[f.state]  # type: ignore[return-value]
    if f.kind == "warning":
        return {"met": "warns", "not_met": "does_not_apply", "unknown": "warning_unknown"}[f.state]  # type: ignore[return-value]
    return f.state


def _scope(f: Finding) -> Scope:
    return "this_plan" if f.applies_to_plan is True else "other_plan" if f.applies_to_plan is False else "no_plan"


def source_view(s: Source) -> SourceView:
    return SourceView(document=s.document, name=document_name(s.document), title=s.title, section=s.section,
                      version=s.version)


def _steps(conds: list[Condition]) -> tuple[ConditionStep, ...]:
    return tuple(ConditionStep(text=condition_text(c), state=c.state, mark=CONDITION_MARK[c.state],
                               result=CONDITION_RESULT[c.state], children=_steps(c.children)) for c in conds)


def is_payer_pathway(f: Finding) -> bool:
    """A payer's own pathway criterion (seed 003's A–F), not an NCCN document of its own."""
    return f.kind == "pathway" and f.source.document not in NCCN_DOCUMENTS


LABEL_SUFFIX = " (label indication)"


def indication_name(title: str) -> str:
    """A label indication's title without its '(label indication)': every reader's words before the
    name say so already ('Meets label indication: With capecitabine', not '... (label indication)')."""
    return title.removesuffix(LABEL_SUFFIX)


def finding_name(f: Finding) -> str:
    """'Payer 003 Clinical Criteria II.B: B. With capecitabine …' for a payer's own pathway; a label
    indication's title without its kind (``indication_name``); else the title."""
    title = f.title
    if is_payer_pathway(f):
        return f"{document_name(f.source.document)} {f.source.section}: {title}"
    if f.kind == "indication":
        return indication_name(title)
    return title


_PLANS: dict[int, tuple["Criteria", dict[str, tuple[str, ...]]]] = {}


def rule_plans(criteria: "Criteria | None", rule_id: str) -> tuple[str, ...]:
    """The plans a rule concerns (empty: every plan, or no criteria given), read once per rule set."""
    if criteria is None:
        return ()
    hit = _PLANS.get(id(criteria))
    if hit is None or hit[0] is not criteria:
        hit = _PLANS[id(criteria)] = (criteria, {r.id: tuple(r.plans or ()) for r in criteria.rules})
    return hit[1].get(rule_id, ())


def finding_view(f: Finding, criteria: "Criteria | None" = None, titles: dict[str, str] | None = None) -> FindingView:
    """``titles``: finding id -> title, to name a pathway's contraindications (the assessment's own)."""
    reading = _reading(f)
    names = titles or {}
    return FindingView(
        id=f.id, kind=f.kind, title=f.title, state=f.state, reading=reading, tone=TONE[reading],
        scope=_scope(f), plans=rule_plans(criteria, f.id),
        contraindicated_by=tuple(names.get(i, i) for i in f.contraindicated_by),
        name=finding_name(f), missing=missing_inputs(f.missing), finding=f,
    )
