"""Each finding's reading, tone, scope, words and basis, decided once (ixdesk.present.findings)."""

from __future__ import annotations

import pytest

from ixdesk.core.consult import Consult
from ixdesk.core.criteria import default_criteria
from ixdesk.core.engine import assess
from ixdesk.present.findings import AUDIENCES, FindingView, finding_view
from ixdesk.present.sections import present

from .helpers import STEMS, assessed, example


def view(stem: str, finding_id: str) -> FindingView:
    return present(assessed(stem), default_criteria()).findings[finding_id]


def all_words(v: FindingView) -> list[str]:
    out = [v.name, v.title, v.line(), v.basis.statement, *(v.result(a) for a in AUDIENCES),
           *(v.heading(a) for a in AUDIENCES), *(x.value for x in v.basis.values), *(m.words for m in v.missing)]
    stack = list(v.basis.conditions)
    while stack:
        c = stack.pop()
        out.append(c.text)
        stack.extend(c.children)
    return out


def test_a_contraindication_that_holds_is_critical() -> None:
    v = view("04", "exclusion.neutrophils")
    assert (v.reading, v.tone, v.scope, v.holds) == ("applies", "critical", "this_plan", True)
    assert v.result("panel") == "⊘ APPLIES" and v.result("cli") == "BLOCKS"
    assert v.line() == "Contraindication present: Baseline neutrophils below 1,500 cells/mm³"


def test_a_contraindication_ruled_out_is_good_news_without_a_double_negative() -> None:
    v = view("01", "exclusion.neutrophils")
    assert (v.reading, v.tone) == ("ruled_out", "good")
    assert v.line() == "Ruled out: Baseline neutrophils below 1,500 cells/mm³"
    for stem in STEMS:
        for f in present(assessed(stem)).findings.values():
            for a in AUDIENCES:
                assert "not present" not in f.line(a).lower(), (stem, f.id)
                if f.kind in ("exclusion", "warning") and f.tone == "good":
                    assert "not met" not in f.result(a).lower(), (stem, f.id, a)


def test_a_warning_that_applies_is_a_warning() -> None:
    v = view("01", "warning.neuropathy")
    assert (v.reading, v.tone, v.holds) == ("warns", "warning", True)
    assert view("01", "warning.pregnancy").reading == "does_not_apply"


def test_a_met_indication_is_good_and_an_unknown_one_missing() -> None:
    assert (view("01", "label.combination").reading, view("01", "label.combination").tone) == ("met", "good")
    v = view("07", "label.combination")
    assert (v.reading, v.tone) == ("unknown", "missing")
    assert [m.field for m in v.missing] == ["regimens[0].progressed", "attestations.anthracycline_contraindicated"]
    assert [m.words for m in v.missing] == ["Regimen 1: progressed on it", "Anthracycline contraindicated"]


def test_missing_inputs_are_named_in_the_forms_words_and_never_twice() -> None:
    """Not "Pregnant — missing: pregnant": the input is named once, as the form labels it."""
    v = view("07", "warning.pregnancy")
    assert v.reading == "warning_unknown" and v.tone == "missing"
    assert v.line() == "Not yet checkable: Pregnancy — enter: Pregnant"
    assert [m.words for m in view("07", "exclusion.platelets").missing] == ["Platelets"]
    assert [m.words for m in view("07", "exclusion.hepatic_combination").missing] == ["AST", "ALT", "Total bilirubin"]
    for f in present(assessed("07")).findings.values():
        assert "missing:" not in f.line(), f.id


def test_a_contraindication_of_another_plan_reads_present_never_ruled_out() -> None:
    v = view("03", "exclusion.hepatic_combination")  # monotherapy, AST 5.5 x ULN
    assert (v.reading, v.scope, v.tone) == ("present_elsewhere", "other_plan", "warning")
    assert v.result("panel") == "⚠ present · other plan"
    assert v.line() == ("Present, for another plan (ixabepilone with capecitabine): "
                        "With capecitabine and AST/ALT > 2.5 × ULN or bilirubin > 1 × ULN")
    assert not v.holds and not v.for_this_plan


def test_a_pathway_of_another_plan_would_be_met_unless_that_plan_is_contraindicated() -> None:
    v = view("01", "pathway.A")
    assert (v.reading, v.tone, v.scope) == ("would_be_met", "good", "other_plan")
    assert "would be met with ixabepilone alone (monotherapy)" in v.line()
    blocked = view("04", "pathway.A")  # neutrophils below 1,500 hold for every plan
    assert (blocked.reading, blocked.tone) == ("would_be_met_contraindicated", "warning")
    assert blocked.contraindicated_by == ("Baseline neutrophils below 1,500 cells/mm³",)
    assert blocked.result("panel") == "⚠ contraindicated"


def test_a_condition_not_checkable_for_another_plan_is_missing_not_ruled_out() -> None:
    v = view("07", "exclusion.hepatic_monotherapy")
    assert (v.reading, v.tone, v.scope) == ("not_checkable_elsewhere", "missing", "other_plan")
    assert v.result("panel") == "? not checkable · other plan"
    assert [m.words for m in v.missing] == ["AST", "ALT", "Total bilirubin"]


def test_no_plan_recorded_scopes_plan_bound_rules_as_no_plan() -> None:
    c = example("03")
    c = c.model_copy(update={"plan": c.plan.model_copy(update={"regimen": None})})
    views = present(assess(c, default_criteria()), default_criteria()).findings
    v = views["exclusion.hepatic_combination"]
    assert (v.scope, v.reading) == ("no_plan", "present_elsewhere")
    assert v.result("panel") == "⚠ present · plan not set" and v.for_this_plan
    assert v.line().startswith("Present, for ixabepilone with capecitabine — plan not recorded")


def test_payer_003_pathways_are_called_payer_003_criteria_not_nccn() -> None:
    """sources.yaml cites no NCCN document of its own: seed 003's A–F are payer 003's criteria."""
    v = view("01", "pathway.B")
    assert v.name.startswith("Payer 003 Clinical Criteria II.B: B. With capecitabine")
    assert v.line().startswith("Meets Payer 003 Clinical Criteria II.B")
    for stem in STEMS:
        p = present(assessed(stem))
        for f in p.findings.values():
            if f.kind == "pathway":
                assert not any("NCCN" in w for w in (f.name, f.line(), f.heading("panel"), f.heading("cli"))), f.id
        assert not any(s.title.startswith("NCCN") for s in p.sections)


def test_typographic_units_in_everything_the_layer_says() -> None:
    for stem in STEMS:
        for f in present(assessed(stem)).findings.values():
            for w in all_words(f):
                for bad in ("mm3", " x ULN", "<=", ">=", "mg/m2"):
                    assert bad not in w, (stem, f.id, w)


def test_basis_is_structured_steps() -> None:
    v = view("04", "exclusion.neutrophils")
    b = v.basis
    assert b.statement and b.source.document == "PI" and b.source.section == "4 Contraindications"
    assert b.source.version and b.source.name == "FDA label (PI)"
    assert [x.field for x in b.values] == ["labs.neutrophils"]
    assert b.conditions and b.conditions[0].state == "met" and b.conditions[0].mark == "✔"
    assert not b.unverified
    cardiac = view("01", "warning.cardiac")
    assert cardiac.basis.unverified and cardiac.unverified_mark == "[unverified]"
    assert view("01", "pathway.B").unverified_mark == "[rests on unverified]"


def test_without_criteria_plans_read_another_plan() -> None:
    f = assessed("03").finding("exclusion.hepatic_combination")
    v = finding_view(f)
    assert v.plans == ()
    assert v.line() == "Present, for another plan: With capecitabine and AST/ALT > 2.5 × ULN or bilirubin > 1 × ULN"


@pytest.mark.parametrize("stem", STEMS)
def test_every_finding_has_a_result_for_every_audience(stem: str) -> None:
    for f in present(assessed(stem)).findings.values():
        for a in AUDIENCES:
            assert f.result(a).strip() and f.heading(a).strip() and f.line(a).strip()


def test_empty_consult_everything_unknown() -> None:
    p = present(assess(Consult(), default_criteria()), default_criteria())
    assert p.decision.kind == "not_decided"
    for f in p.findings.values():
        assert f.scope in ("this_plan", "no_plan")
        assert f.tone in ("missing", "neutral", "good"), (f.id, f.reading)
        assert f.for_this_plan
    assert not p.other_plans


def test_basis_steps_in_reading_order() -> None:
    from ixdesk.present.findings import basis_steps

    steps = basis_steps(view("04", "exclusion.neutrophils").basis)
    kinds = [s.kind for s in steps]
    assert kinds[0] == "rule" and kinds[-1] == "confidence"
    assert kinds.index("condition") < kinds.index("value") < kinds.index("source")
    assert next(s for s in steps if s.kind == "value").field == "labs.neutrophils"
    assert "4 Contraindications" in next(s for s in steps if s.kind == "source").text
