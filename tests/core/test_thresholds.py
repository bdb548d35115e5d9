"""Exclusions and warnings exactly at their thresholds, and the tri-state when inputs are missing."""

from __future__ import annotations

import pytest

from tests.core.helpers import consult, labs, run, state


@pytest.mark.parametrize("value,unit,expected", [
    (1500, "cells/mm3", "not_met"),  # exactly 1500 is allowed
    (1499, "cells/mm3", "met"),
    (1.5, "10^9/L", "not_met"),
    (1.49, "10^9/L", "met"),
    (0, "cells/mm3", "met"),
])
def test_neutrophils(value: float, unit: str, expected: str) -> None:
    c = consult(labs=labs(neutrophils={"value": value, "unit": unit}))
    assert state(c, "exclusion.neutrophils") == expected


@pytest.mark.parametrize("value,unit,expected", [
    (100000, "cells/mm3", "not_met"),
    (99999, "cells/mm3", "met"),
    (100, "10^9/L", "not_met"),
    (99, "10^9/L", "met"),
])
def test_platelets(value: float, unit: str, expected: str) -> None:
    c = consult(labs=labs(platelets={"value": value, "unit": unit}))
    assert state(c, "exclusion.platelets") == expected


@pytest.mark.parametrize("lab,value,uln,expected", [
    ("ast", 100, 40, "not_met"),   # exactly 2.5 x ULN is allowed
    ("ast", 101, 40, "met"),
    ("alt", 82.5, 33, "not_met"),  # 2.5 x 33, a float product
    ("alt", 82.6, 33, "met"),
    ("bilirubin", 1.2, 1.2, "not_met"),  # exactly 1 x ULN
    ("bilirubin", 1.21, 1.2, "met"),
    ("bilirubin", 21, 21, "not_met"),
])
def test_hepatic_combination(lab: str, value: float, uln: float, expected: str) -> None:
    unit = "U/L" if lab != "bilirubin" else ("mg/dL" if uln < 5 else "umol/L")
    c = consult(plan={"regimen": "with_capecitabine"}, labs=labs(**{lab: {"value": value, "uln": uln, "unit": unit}}))
    assert state(c, "exclusion.hepatic_combination") == expected


def test_hepatic_combination_not_for_monotherapy_and_unknown_without_plan() -> None:
    bad = labs(ast={"value": 200, "uln": 40, "unit": "U/L"})
    assert state(consult(plan={"regimen": "monotherapy"}, labs=bad), "exclusion.hepatic_combination") == "not_met"
    f = run(consult(plan={"regimen": None}, labs=bad)).finding("exclusion.hepatic_combination")
    assert f.state == "unknown" and [m.field for m in f.missing] == ["plan.regimen"]
    # normal liver tests: not met even without a plan (Kleene: false AND unknown = false)
    assert state(consult(plan={"regimen": None}), "exclusion.hepatic_combination") == "not_met"


def test_missing_lab_is_unknown_and_named() -> None:
    f = run(consult(labs=labs(neutrophils=None))).finding("exclusion.neutrophils")
    assert f.state == "unknown"
    assert [m.field for m in f.missing] == ["labs.neutrophils"]


@pytest.mark.parametrize("hist,regimens,expected", [
    ({"cremophor_hypersensitivity": True, "cremophor_hypersensitivity_grade": 3}, [], "met"),
    ({"cremophor_hypersensitivity": True, "cremophor_hypersensitivity_grade": 2}, [], "not_met"),
    ({"cremophor_hypersensitivity": True, "cremophor_hypersensitivity_grade": None}, [], "unknown"),
    ({"cremophor_hypersensitivity": None}, [], "unknown"),
    ({"cremophor_hypersensitivity": False}, [{"agents": ["Taxol"], "stop_reason": "hypersensitivity", "hypersensitivity_grade": 4}], "met"),
    ({"cremophor_hypersensitivity": False}, [{"agents": ["Taxol"], "stop_reason": "hypersensitivity", "hypersensitivity_grade": 2}], "not_met"),
    ({"cremophor_hypersensitivity": False}, [{"agents": ["Taxol"], "stop_reason": "hypersensitivity"}], "unknown"),
    # docetaxel is not formulated in Cremophor EL
    ({"cremophor_hypersensitivity": False}, [{"agents": ["docetaxel"], "stop_reason": "hypersensitivity", "hypersensitivity_grade": 4}], "not_met"),
    # an unspecified taxane (AC-T) with a severe reaction: which taxane decides it
    ({"cremophor_hypersensitivity": False}, [{"agents": ["AC-T"], "stop_reason": "hypersensitivity", "hypersensitivity_grade": 3}], "unknown"),
    ({"cremophor_hypersensitivity": False}, [{"agents": ["AC-T"], "stop_reason": "hypersensitivity"}], "unknown"),
    # ... but a mild one is below the threshold whichever taxane it was
    ({"cremophor_hypersensitivity": False}, [{"agents": ["AC-T"], "stop_reason": "hypersensitivity", "hypersensitivity_grade": 2}], "not_met"),
    ({"cremophor_hypersensitivity": False}, [{"agents": ["AC-P"], "stop_reason": "hypersensitivity", "hypersensitivity_grade": 3}], "met"),
    # Ixempra's own diluent is polyoxyethylated castor oil: a severe reaction to it is one too
    ({"cremophor_hypersensitivity": False}, [{"agents": ["Ixempra"], "stop_reason": "hypersensitivity", "hypersensitivity_grade": 4}], "met"),
    ({"cremophor_hypersensitivity": False}, [{"agents": ["ixabepilone"], "stop_reason": "hypersensitivity", "hypersensitivity_grade": 2}], "not_met"),
    # the hunt: an agent the formulary does not recognise may be a Cremophor EL product (it gave "not present")
    ({"cremophor_hypersensitivity": False}, [{"agents": ["paclitaxl"], "stop_reason": "hypersensitivity", "hypersensitivity_grade": 4}], "unknown"),
    ({"cremophor_hypersensitivity": False}, [{"agents": ["docetaxel", "zzfoo"], "stop_reason": "hypersensitivity", "hypersensitivity_grade": 3}], "unknown"),
    ({"cremophor_hypersensitivity": False}, [{"agents": ["zzfoo"], "stop_reason": "hypersensitivity"}], "unknown"),
    ({"cremophor_hypersensitivity": False}, [{"agents": ["zzfoo"], "stop_reason": "hypersensitivity", "hypersensitivity_grade": 2}], "not_met"),
    ({"cremophor_hypersensitivity": False}, [{"agents": ["zzfoo"], "stop_reason": "progression"}], "not_met"),
    # a regimen's severe reaction outweighs an unknown history
    ({"cremophor_hypersensitivity": None}, [{"agents": ["paclitaxel"], "stop_reason": "hypersensitivity", "hypersensitivity_grade": 3}], "met"),
])
def test_cremophor(hist: dict, regimens: list, expected: str) -> None:
    c = consult(history=hist, regimens=[{"setting": "metastatic", **r} for r in regimens])
    assert state(c, "exclusion.cremophor") == expected


def test_unspecified_taxane_reaction_asks_which_taxane() -> None:
    c = consult(regimens=[{"setting": "metastatic", "agents": ["AC-T"], "stop_reason": "hypersensitivity",
                           "hypersensitivity_grade": 3}])
    f = run(c).finding("exclusion.cremophor")
    assert f.state == "unknown"
    assert "regimens[0].agents" in {m.field for m in f.missing}


def test_unrecognised_agent_reaction_names_the_agent() -> None:
    c = consult(history={"cremophor_hypersensitivity": False},
                regimens=[{"setting": "metastatic", "agents": ["paclitaxl"], "stop_reason": "hypersensitivity",
                           "hypersensitivity_grade": 4}])
    f = run(c).finding("exclusion.cremophor")
    assert [(m.field, m.label) for m in f.missing] == [
        ("regimens[0].agents", "regimen 1: 'paclitaxl' not recognised: whether it contains Cremophor EL")]


@pytest.mark.parametrize("field,value,rule,expected", [
    ("neuropathy_grade", 2, "warning.neuropathy", "met"),
    ("neuropathy_grade", 1, "warning.neuropathy", "met"),  # the PI gives no grade (facts sheet 9)
    ("neuropathy_grade", 0, "warning.neuropathy", "not_met"),
    ("neuropathy_grade", None, "warning.neuropathy", "unknown"),
    ("diabetes", True, "warning.diabetes", "met"),
    ("cardiac_history", True, "warning.cardiac", "met"),
    ("grapefruit", True, "warning.grapefruit", "met"),
    ("grapefruit", None, "warning.grapefruit", "unknown"),
    ("medications", ["Ketoconazole 200 mg"], "warning.cyp3a4_inhibitor", "met"),
    ("medications", ["ritonavir-boosted regimen"], "warning.cyp3a4_inhibitor", "met"),
    ("medications", ["omeprazole"], "warning.cyp3a4_inhibitor", "not_met"),
    ("medications", None, "warning.cyp3a4_inhibitor", "unknown"),
    ("medications", ["St John's wort"], "warning.cyp3a4_inducer", "met"),
    ("medications", ["St John\u2019s wort 300 mg"], "warning.cyp3a4_inducer", "met"),  # typographic apostrophe
    ("medications", ["St Johns wort"], "warning.cyp3a4_inducer", "met"),
    ("medications", ["ST. JOHN'S WORT"], "warning.cyp3a4_inducer", "met"),
    ("medications", ["Tegretol 200 mg bid"], "warning.cyp3a4_inducer", "met"),
    ("medications", ["rifampicin"], "warning.cyp3a4_inducer", "met"),
])
def test_history_warnings(field: str, value: object, rule: str, expected: str) -> None:
    assert state(consult(history={field: value}), rule) == expected


def test_pregnancy_warning_and_male_patient() -> None:
    assert state(consult(patient={"pregnant": True}), "warning.pregnancy") == "met"
    assert state(consult(patient={"pregnant": None}), "warning.pregnancy") == "unknown"
    assert state(consult(patient={"sex": "male", "pregnant": None}), "warning.pregnancy") == "not_met"


@pytest.mark.parametrize("ast,expected", [(200, "not_met"), (201, "met")])
def test_monotherapy_ast_caution_above_5_uln(ast: float, expected: str) -> None:
    c = consult(labs=labs(ast={"value": ast, "uln": 40, "unit": "U/L"}))
    assert state(c, "warning.hepatic_monotherapy_caution") == expected


@pytest.mark.parametrize("lab_date,expected", [("2026-11-04", "not_met"), ("2026-11-03", "met")])
def test_labs_older_than_14_days(lab_date: str, expected: str) -> None:
    assert state(consult(labs=labs(date=lab_date)), "warning.labs_stale") == expected


def test_blocking_list_and_severity() -> None:
    a = run(consult(labs=labs(neutrophils={"value": 900, "unit": "cells/mm3"})))
    assert a.blocking == ["exclusion.neutrophils"]
    assert a.finding("exclusion.neutrophils").severity == "blocking"
    assert a.finding("payer003.not_excluded").state == "not_met"


def test_other_plans_contraindication_with_missing_labs_is_not_checkable_never_ruled_out() -> None:
    c = consult(labs=labs(ast=None, bilirubin=None), plan={"regimen": "monotherapy"})
    f = run(c).finding("exclusion.hepatic_combination")
    assert (f.state, f.condition_state, f.other_plan) == ("not_met", "unknown", "unknown")
    assert f.summary.startswith("Not checkable, for another plan")
    assert {"labs.ast", "labs.bilirubin"} <= {m.field for m in f.missing}


def test_prior_ixabepilone_reaction_in_the_history_leaves_the_cremophor_question_open() -> None:
    """Ixempra's diluent is polyoxyethylated castor oil: a reaction of unrecorded grade may be severe."""
    f = run(consult(history={"prior_ixabepilone_reaction": True})).finding("exclusion.cremophor")
    assert f.state == "unknown"
    assert "history.cremophor_hypersensitivity_grade" in {m.field for m in f.missing}
    graded = consult(history={"prior_ixabepilone_reaction": True, "cremophor_hypersensitivity": True,
                              "cremophor_hypersensitivity_grade": 2})
    assert state(graded, "exclusion.cremophor") == "not_met"
