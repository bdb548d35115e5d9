"""The condition language's interpreter on small hand-made conditions and rule sets.

Each predicate met / not met / unknown, Kleene all / any / not with unknown parts, thresholds at
exactly their value, the missing inputs named, and the structured Condition fields that readers
use instead of splitting ``Condition.text``. The shipped YAML is used only for its dictionaries
(formulary, medication classes, line definitions), never for its rules.
"""

from __future__ import annotations

import gc
import weakref
from datetime import date
from typing import Any

import pytest
from pydantic import TypeAdapter

from ixdesk.core import conditions
from ixdesk.core.assessment import Assessment, Condition
from ixdesk.core.conditions import Compiler, Cond, Ev, Labels, walk
from ixdesk.core.consult import Consult
from ixdesk.core.criteria import Criteria, Rule, default_criteria
from ixdesk.core.engine import assess
from ixdesk.core.evaluate import Context, evaluate_rule, to_condition
from ixdesk.core.lines import count_lines
from ixdesk.core.resistance import assess_resistance, classify_regimens
from tests.core.helpers import consult as make_consult
from tests.core.helpers import labs, reg

_COND: TypeAdapter[Any] = TypeAdapter(Cond)


def _labels(crit: Criteria) -> Labels:
    return Labels(medication_classes={c.id: c.label for c in crit.medications.classes},
                  line_counts={k: d.label for k, d in crit.lines.items()})


def _context(c: Consult, crit: Criteria | None = None) -> Context:
    crit = crit or default_criteria()
    agents = classify_regimens(c, crit)
    return Context(consult=c, criteria=crit, as_of=c.consult_date or date(2026, 11, 18), agents=agents,
                   resistance={r.drug_class: r for r in assess_resistance(c, crit, agents)},
                   lines={lc.kind: lc for lc in count_lines(c, crit, agents)})


def run(cond: dict[str, Any], c: Consult, ctx: Context | None = None) -> tuple[Ev, Condition]:
    """Compile one condition written as in the YAML and evaluate it on the consult."""
    model = _COND.validate_python(cond)
    ctx = ctx or _context(c)
    ev = Compiler(_labels(ctx.criteria)).compile(model)(ctx)
    return ev, to_condition(ev, ctx)


STATE = {True: "met", False: "not_met", None: "unknown"}


# --- each predicate: met, not met, unknown ---------------------------------------------------

PREDICATES: list[tuple[str, dict[str, Any], dict[str, Any], dict[str, Any], dict[str, Any], str]] = [
    # (name, condition, consult met, consult not met, consult unknown, missing field)
    ("plan", {"plan": ["monotherapy"]}, {"plan": {"regimen": "monotherapy"}},
     {"plan": {"regimen": "with_capecitabine"}}, {"plan": {"regimen": None}}, "plan.regimen"),
    ("extent", {"extent": ["metastatic", "locally_advanced"]}, {"disease": {"extent": "locally_advanced"}},
     {"disease": {"extent": "early"}}, {"disease": {"extent": None}}, "disease.extent"),
    ("her2", {"her2": ["negative"]}, {"disease": {"her2_ihc": "0"}}, {"disease": {"her2_ihc": "3+"}},
     {"disease": {"her2_ihc": None}}, "disease.her2_ihc"),
    ("her2 ish", {"her2": ["positive"]}, {"disease": {"her2_ihc": "2+", "her2_ish": "positive"}},
     {"disease": {"her2_ihc": "2+", "her2_ish": "negative"}}, {"disease": {"her2_ihc": "2+"}}, "disease.her2_ish"),
    ("hormone receptor", {"hormone_receptor": "positive"}, {"disease": {"er": "positive", "pr": "negative"}},
     {"disease": {"er": "negative", "pr": "negative"}}, {"disease": {"er": "negative", "pr": None}}, "disease.pr"),
    ("flag", {"flag": "visceral_crisis"}, {"disease": {"visceral_crisis": True}},
     {"disease": {"visceral_crisis": False}}, {"disease": {"visceral_crisis": None}}, "disease.visceral_crisis"),
    ("flag is false", {"flag": "cardiac_history", "is": False}, {"history": {"cardiac_history": False}},
     {"history": {"cardiac_history": True}}, {"history": {"cardiac_history": None}}, "history.cardiac_history"),
    ("resistant", {"resistant": "taxane"},
     {"regimens": [reg("paclitaxel", start="2025-01-01", last="2025-06-01", prog="2025-06-20")]},
     {"regimens": [reg("paclitaxel", start="2025-01-01", last="2025-03-01", prog="2026-06-01")]},
     {"regimens": [reg("paclitaxel", setting=None, start="2025-01-01", last="2025-03-01", prog="2025-08-01")]},
     "regimens[0].setting"),
    ("prior lines", {"prior_lines": {"count": "metastatic_all", "min": 1}},
     {"regimens": [reg("paclitaxel")]}, {"regimens": []}, {"regimens": [reg("paclitaxel", setting=None)]},
     "regimens[0].setting"),
    ("germline brca", {"germline_brca": "no_mutation"}, {"disease": {"germline_brca": "no_mutation"}},
     {"disease": {"germline_brca": "mutation"}}, {"disease": {"germline_brca": None}}, "disease.germline_brca"),
    ("pdl1 cps", {"pdl1_cps": {"below": 10}}, {"disease": {"pdl1_cps": 1}}, {"disease": {"pdl1_cps": 20}},
     {"disease": {"pdl1_cps": None}}, "disease.pdl1_cps"),
    ("lab count", {"lab": {"name": "neutrophils", "op": "lt", "value": 1500}},
     {"labs": labs(neutrophils={"value": 1000, "unit": "cells/mm3"})}, {"labs": labs()},
     {"labs": labs(neutrophils=None)}, "labs.neutrophils"),
    ("lab x uln", {"lab": {"name": "bilirubin", "op": "gt", "x_uln": 1}},
     {"labs": labs(bilirubin={"value": 2.4, "uln": 1.2, "unit": "mg/dL"})}, {"labs": labs()},
     {"labs": labs(bilirubin=None)}, "labs.bilirubin"),
    ("neuropathy", {"neuropathy_grade": {"min": 2}}, {"history": {"neuropathy_grade": 3}},
     {"history": {"neuropathy_grade": 1}}, {"history": {"neuropathy_grade": None}}, "history.neuropathy_grade"),
    ("cremophor", {"cremophor_hypersensitivity": {"min_grade": 3}},
     {"history": {"cremophor_hypersensitivity": True, "cremophor_hypersensitivity_grade": 3}},
     {"history": {"cremophor_hypersensitivity": False}}, {"history": {"cremophor_hypersensitivity": None}},
     "history.cremophor_hypersensitivity"),
    ("medication", {"medication": "strong_inhibitor"}, {"history": {"medications": ["ketoconazole 200 mg"]}},
     {"history": {"medications": ["tamoxifen"]}}, {"history": {"medications": None}}, "history.medications"),
    ("medication unrecognised", {"medication": "strong_inhibitor"}, {"history": {"medications": ["ketoconazole"]}},
     {"history": {"medications": []}}, {"history": {"medications": ["zorblatinex"]}}, "history.medications"),
    ("labs older than", {"labs_older_than_days": 14}, {"labs": labs(date="2026-11-01")}, {"labs": labs()},
     {"labs": labs(date=None)}, "labs.date"),
]


@pytest.mark.parametrize("name, cond, met, not_met, unknown, field", PREDICATES, ids=[p[0] for p in PREDICATES])
def test_each_predicate_is_met_not_met_and_unknown_naming_the_missing_input(
        name: str, cond: dict[str, Any], met: dict[str, Any], not_met: dict[str, Any], unknown: dict[str, Any],
        field: str) -> None:
    for over, want in ((met, True), (not_met, False), (unknown, None)):
        ev, out = run(cond, make_consult(**over))
        assert ev.state is want, (name, over)
        assert out.state == STATE[want]
        if want is None:
            assert field in [m.field for m in out.missing], (name, out.missing)
            assert [(m.field, m.label) for m in out.missing] == ev.missing
        else:
            assert out.missing == []


def test_a_man_is_not_pregnant_whatever_the_field_says() -> None:
    ev, out = run({"flag": "pregnant"}, make_consult(patient={"sex": "male", "pregnant": None}))
    assert ev.state is False
    assert [(v.field, v.value) for v in out.values] == [("patient.sex", "male")]


def test_a_finding_reference_takes_the_earlier_findings_result_and_its_missing_inputs() -> None:
    crit = default_criteria()
    first = Rule.model_validate({
        "id": "t.first", "kind": "indication", "group": "test", "title": "Neutrophils low", "statement": "x",
        "source": {"document": "PI", "section": "1"}, "confidence": "label",
        "when": {"lab": {"name": "neutrophils", "op": "lt", "value": 1500}}})
    second = Rule.model_validate({
        "id": "t.second", "kind": "exclusion", "group": "test", "title": "Second", "statement": "x",
        "source": {"document": "PI", "section": "1"}, "confidence": "label",
        "when": {"not": {"finding": "t.first"}}})
    small = crit.model_copy(update={"rules": [first, second]})
    for neut, want in (({"value": 1000, "unit": "cells/mm3"}, "not_met"), (None, "unknown"),
                       ({"value": 3000, "unit": "cells/mm3"}, "met")):
        ctx = _context(make_consult(labs=labs(neutrophils=neut)), small)
        for rule in small.rules:
            ctx.findings[rule.id] = evaluate_rule(rule, ctx)
        f = ctx.findings["t.second"]
        assert f.state == want
        ref = f.conditions[0].children[0]
        assert (ref.kind, ref.ref, ref.label, ref.text) == ("finding", "t.first", "Neutrophils low", "Neutrophils low")
        assert ref.values == []  # they belong to the referenced finding's own basis
        assert [m.field for m in ref.missing] == (["labs.neutrophils"] if want == "unknown" else [])


# --- Kleene logic ----------------------------------------------------------------------------

MET = {"plan": ["monotherapy"]}  # the helper consult's plan
NOT_MET = {"extent": ["early"]}  # the helper consult is metastatic
UNKNOWN = {"pdl1_cps": {"below": 10}}  # unknown once pdl1_cps is removed


def _gappy() -> Consult:
    return make_consult(disease={"pdl1_cps": None})


@pytest.mark.parametrize("cond, want", [
    ({"any": [UNKNOWN, MET, UNKNOWN]}, True),  # one met part decides an any, whatever else is unknown
    ({"any": [UNKNOWN, NOT_MET]}, None),
    ({"any": [NOT_MET, NOT_MET]}, False),
    ({"all": [UNKNOWN, NOT_MET, UNKNOWN]}, False),  # one not-met part decides an all
    ({"all": [UNKNOWN, MET]}, None),
    ({"all": [MET, MET]}, True),
    ({"not": UNKNOWN}, None),
    ({"not": MET}, False),
    ({"not": NOT_MET}, True),
    ({"not": {"any": [UNKNOWN, MET]}}, False),
    ({"not": {"all": [UNKNOWN, NOT_MET]}}, True),
    ({"any": [{"all": [MET, UNKNOWN]}, {"not": NOT_MET}]}, True),
])
def test_kleene_all_any_not_with_unknown_parts(cond: dict[str, Any], want: bool | None) -> None:
    ev, out = run(cond, _gappy())
    assert ev.state is want
    assert out.state == STATE[want]
    # the missing input is named where the result is unknown, and only there
    assert ("disease.pdl1_cps" in [m for m, _ in ev.missing]) is (want is None)


def test_composite_steps_are_structured_and_carry_no_values_of_their_own() -> None:
    _, out = run({"all": [MET, {"not": {"any": [NOT_MET, UNKNOWN]}}]}, _gappy())
    assert (out.kind, out.label, out.text, out.operator, out.values) == ("all", "all of", "all of", None, [])
    none_of = out.children[1]
    assert (none_of.kind, none_of.label, none_of.values) == ("not", "none of", [])
    assert [c.kind for c in none_of.children] == ["extent", "pdl1_cps"]  # "not any" reads as "none of"
    # an unknown step names what it lacked, at every level
    for step in (out, none_of, none_of.children[1]):
        assert [m.field for m in step.missing] == ["disease.pdl1_cps"]
    assert none_of.children[0].missing == [] and out.children[0].missing == []


# --- thresholds at exactly their value --------------------------------------------------------

@pytest.mark.parametrize("cond, over, want", [
    ({"lab": {"name": "neutrophils", "op": "lt", "value": 1500}}, {"labs": labs(neutrophils={"value": 1500, "unit": "cells/mm3"})}, False),
    ({"lab": {"name": "neutrophils", "op": "lt", "value": 1500}}, {"labs": labs(neutrophils={"value": 1499, "unit": "cells/mm3"})}, True),
    ({"lab": {"name": "neutrophils", "op": "lt", "value": 1500}}, {"labs": labs(neutrophils={"value": 1.5, "unit": "10^9/L"})}, False),
    ({"lab": {"name": "neutrophils", "op": "le", "value": 1500}}, {"labs": labs(neutrophils={"value": 1500, "unit": "cells/mm3"})}, True),
    ({"lab": {"name": "platelets", "op": "ge", "value": 100000}}, {"labs": labs(platelets={"value": 100000, "unit": "cells/mm3"})}, True),
    ({"lab": {"name": "platelets", "op": "gt", "value": 100000}}, {"labs": labs(platelets={"value": 100000, "unit": "cells/mm3"})}, False),
    ({"lab": {"name": "ast", "op": "gt", "x_uln": 1.5}}, {"labs": labs(ast={"value": 60, "uln": 40, "unit": "U/L"})}, False),
    ({"lab": {"name": "ast", "op": "ge", "x_uln": 1.5}}, {"labs": labs(ast={"value": 60, "uln": 40, "unit": "U/L"})}, True),
    ({"lab": {"name": "bilirubin", "op": "le", "x_uln": 1}}, {"labs": labs(bilirubin={"value": 1.2, "uln": 1.2, "unit": "mg/dL"})}, True),
    ({"pdl1_cps": {"below": 10}}, {"disease": {"pdl1_cps": 10}}, False),
    ({"neuropathy_grade": {"min": 2}}, {"history": {"neuropathy_grade": 2}}, True),
    ({"cremophor_hypersensitivity": {"min_grade": 3}}, {"history": {"cremophor_hypersensitivity": True, "cremophor_hypersensitivity_grade": 3}}, True),
    ({"cremophor_hypersensitivity": {"min_grade": 3}}, {"history": {"cremophor_hypersensitivity": True, "cremophor_hypersensitivity_grade": 2}}, False),
    ({"labs_older_than_days": 14}, {"labs": labs(date="2026-11-04")}, False),  # 14 days before 2026-11-18
    ({"labs_older_than_days": 14}, {"labs": labs(date="2026-11-03")}, True),
    ({"prior_lines": {"count": "metastatic_all", "min": 2}}, {"regimens": [reg("paclitaxel"), reg("Xeloda", start="2025-04-01", last="2025-06-01")]}, True),
    ({"prior_lines": {"count": "metastatic_all", "max": 1}}, {"regimens": [reg("paclitaxel")]}, True),
    ({"prior_lines": {"count": "metastatic_all", "max": 0}}, {"regimens": [reg("paclitaxel")]}, False),
])
def test_thresholds_at_exactly_their_value(cond: dict[str, Any], over: dict[str, Any], want: bool) -> None:
    ev, _ = run(cond, make_consult(**over))
    assert ev.state is want


# --- the structured Condition -----------------------------------------------------------------

def test_a_leaf_gives_its_label_operator_threshold_and_values_apart() -> None:
    _, out = run({"lab": {"name": "ast", "op": "gt", "x_uln": 1.5}},
                 make_consult(labs=labs(ast={"value": 100, "uln": 40, "unit": "U/L"})))
    assert (out.kind, out.operator, out.label) == ("lab", "gt", "AST > 1.5 × ULN")
    assert out.threshold is not None and (out.threshold.value, out.threshold.unit) == (1.5, "× ULN")
    assert [(v.field, v.label, v.value) for v in out.values] == [("labs.ast", "AST", "100 U/L = 2.50 × ULN (40)")]
    # the old text is exactly the label and the values glued with " — "
    assert out.text == "AST > 1.5 × ULN — AST: 100 U/L = 2.50 × ULN (40)"


@pytest.mark.parametrize("cond, kind, operator, threshold, options", [
    ({"plan": ["monotherapy", "with_capecitabine"]}, "plan", "in", None, ["monotherapy", "with_capecitabine"]),
    ({"flag": "diabetes", "is": False}, "flag", "is", None, ["no"]),
    ({"hormone_receptor": "negative"}, "hormone_receptor", "eq", None, ["negative"]),
    ({"resistant": "anthracycline"}, "resistant", None, None, ["anthracycline"]),
    ({"medication": "strong_inducer"}, "medication", "in", None, ["strong_inducer"]),
    ({"lab": {"name": "platelets", "op": "lt", "value": 100000}}, "lab", "lt", (100000, "cells/mm³", None), []),
    ({"pdl1_cps": {"below": 10}}, "pdl1_cps", "lt", (10, "CPS", None), []),
    ({"labs_older_than_days": 14}, "labs_older_than_days", "gt", (14, "days", None), []),
    ({"neuropathy_grade": {"min": 2}}, "neuropathy_grade", "ge", (2, "grade", None), []),
    ({"prior_lines": {"count": "metastatic_all", "min": 1, "max": 3}}, "prior_lines", "between", (1, "lines", 3), []),
    ({"prior_lines": {"count": "metastatic_all", "min": 2, "max": 2}}, "prior_lines", "eq", (2, "lines", None), []),
    ({"prior_lines": {"count": "metastatic_all", "max": 0}}, "prior_lines", "le", (0, "lines", None), []),
    ({"cremophor_hypersensitivity": {"min_grade": 3}}, "cremophor_hypersensitivity", "ge", (3, "grade", None), []),
])
def test_every_predicate_says_what_it_tests(cond: dict[str, Any], kind: str, operator: str | None,
                                            threshold: tuple[float, str, float | None] | None, options: list[str]) -> None:
    _, out = run(cond, make_consult())
    assert (out.kind, out.operator, out.options) == (kind, operator, options)
    got = None if out.threshold is None else (out.threshold.value, out.threshold.unit, out.threshold.upper)
    assert got == threshold
    assert out.label and " — " not in out.label


def test_every_condition_of_every_example_keeps_its_text_and_gives_the_same_parts() -> None:
    """Over the whole shipped rule set: text == label (+ " — " + the values), for every step."""
    from ixdesk.core.files import load_consult
    from tests.conftest import EXAMPLES

    seen_kinds: set[str] = set()

    def check(c: Condition) -> None:
        assert c.kind is not None
        seen_kinds.add(c.kind)
        glued = "; ".join(f"{v.label}: {v.value}" for v in c.values)
        assert c.text == (f"{c.label} — {glued}" if c.values else c.label)
        if c.state != "unknown":
            assert c.missing == []
        for k in c.children:
            check(k)

    for path in sorted(EXAMPLES.glob("*.json")):
        for f in assess(load_consult(path), default_criteria()).findings:
            for c in f.conditions:
                check(c)
    assert {"all", "any", "not", "lab", "plan", "finding", "resistant", "prior_lines", "flag"} <= seen_kinds


def test_json_written_before_the_structured_fields_still_reads() -> None:
    from tests.core.engine_snapshot import EXCLUDE

    a = assess(make_consult(disease={"pdl1_cps": None}), default_criteria())
    # only the structured condition fields are left out: the digests' EXCLUDE also drops the criteria
    # block (commit 42c9ece), which every written assessment has always carried
    conditions_only = {k: v for k, v in EXCLUDE.items() if k != "criteria"}
    old = Assessment.model_validate_json(a.model_dump_json(exclude=conditions_only))
    assert old.findings[0].conditions[0].text == a.findings[0].conditions[0].text
    assert old.findings[0].conditions[0].kind is None


# --- one walk, compiled once ------------------------------------------------------------------

def test_walk_visits_every_condition_in_written_order() -> None:
    cond = _COND.validate_python({"all": [MET, {"not": {"any": [NOT_MET, {"finding": "a.b"}]}}, UNKNOWN]})
    names = [type(c).__name__ for c in walk(cond)]
    assert names == ["AllOf", "PlanIs", "NotOf", "AnyOf", "ExtentIs", "FindingRef", "CpsBelow"]


def test_rules_are_compiled_at_load_not_per_assessment(monkeypatch: pytest.MonkeyPatch) -> None:
    crit = default_criteria()
    assert crit.programs() is crit.programs()
    assert set(crit.programs()) == {r.id for r in crit.rules}

    def refuse(*_: Any) -> Any:
        raise AssertionError("compiled during an assessment")

    monkeypatch.setattr(conditions, "_COMPILERS", dict.fromkeys(conditions._COMPILERS, refuse))
    assess(make_consult(), crit)
    assess(make_consult(disease={"pdl1_cps": None}, regimens=[reg("paclitaxel", setting="adjuvant")]), crit)


def test_a_copy_with_other_rules_never_runs_the_rules_compiled_for_the_original() -> None:
    crit = default_criteria()
    rule = crit.rules[0]
    flipped = rule.model_copy(update={"when": _COND.validate_python({"not": rule.when.model_dump(by_alias=True)})})
    changed = crit.model_copy(update={"rules": [flipped, *crit.rules[1:]]})
    a, b = assess(make_consult(), crit).findings[0], assess(make_consult(), changed).findings[0]
    assert {a.state, b.state} == {"met", "not_met"}


def test_an_assessment_context_holds_no_reference_to_itself() -> None:
    """Issue 13: ``_shifted = self`` made a cycle per assessment, freed only by the cycle collector."""
    ctx = _context(make_consult())
    assert ctx.shifted() is None  # nothing to shift: no early-disease treatment
    ref = weakref.ref(ctx)
    gc.disable()
    try:
        del ctx
        assert ref() is None
    finally:
        gc.enable()
