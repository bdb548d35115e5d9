"""BSA, cap, hepatic table rows at their edges, CYP3A4, vials, billing and capecitabine."""

from __future__ import annotations

import math

import pytest

from ixdesk.core.dosing import bsa_dubois, bsa_mosteller, vial_plan
from tests.core.helpers import consult, labs, run


def test_bsa_formulas() -> None:
    assert bsa_mosteller(165, 65) == pytest.approx(math.sqrt(165 * 65 / 3600))
    assert bsa_dubois(165, 65) == pytest.approx(0.007184 * 165**0.725 * 65**0.425)


@pytest.mark.parametrize("height,weight,capped,used", [
    (176, 99, False, 2.2),     # Mosteller exactly 2.2 m2: not above the cap
    (176, 100, True, 2.2),     # 2.211 m2: dosed as 2.2
    (190, 130, True, 2.2),
])
def test_bsa_cap(height: float, weight: float, capped: bool, used: float) -> None:
    d = run(consult(patient={"height_cm": height, "weight_kg": weight})).dose
    assert d.bsa_capped is capped
    assert d.bsa_used_m2 == pytest.approx(used)
    assert d.dose_mg == pytest.approx(88.0)  # 40 mg/m2 x 2.2 m2 maximum


def test_dubois_selectable() -> None:
    d = run(consult(plan={"bsa_formula": "dubois"})).dose
    assert d.bsa_formula == "dubois"
    assert d.bsa_m2 == pytest.approx(round(bsa_dubois(165, 65), 4))


@pytest.mark.parametrize("ast,bili,expected", [
    (100, 1.2, 40),     # 2.5 x ULN and 1 x ULN: normal row
    (101, 1.2, 32),     # AST just above 2.5 x ULN
    (30, 1.21, 32),     # bilirubin just above 1 x ULN
    (400, 1.8, 32),     # 10 x ULN and 1.5 x ULN exactly
    (30, 1.81, 20),     # bilirubin just above 1.5 x ULN
    (30, 3.6, 20),      # exactly 3 x ULN
    (30, 3.61, None),   # above 3 x ULN: not recommended
    (401, 0.5, None),   # AST above 10 x ULN: not recommended
])
def test_hepatic_table_monotherapy(ast: float, bili: float, expected: float | None) -> None:
    c = consult(labs=labs(ast={"value": ast, "uln": 40, "unit": "U/L"}, bilirubin={"value": bili, "uln": 1.2, "unit": "mg/dL"}))
    d = run(c).dose
    if expected is None:
        assert d.state == "not_recommended" and d.dose_mg is None
    else:
        assert d.state == "computed" and d.mg_per_m2 == expected


def test_not_recommended_is_also_a_blocking_finding() -> None:
    c = consult(labs=labs(bilirubin={"value": 4.0, "uln": 1.2, "unit": "mg/dL"}))
    a = run(c)
    assert "exclusion.hepatic_monotherapy" in a.blocking


def test_combination_with_abnormal_liver_has_no_dose() -> None:
    c = consult(plan={"regimen": "with_capecitabine"}, labs=labs(ast={"value": 120, "uln": 40, "unit": "U/L"}))
    assert run(c).dose.state == "not_recommended"


def test_strong_inhibitor_reduces_to_20() -> None:
    d = run(consult(history={"medications": ["itraconazole 200 mg"]})).dose
    assert d.mg_per_m2 == 20
    assert any("CYP3A4" in a for a in d.adjustments)


def test_inducer_is_a_note_not_a_dose_change() -> None:
    d = run(consult(history={"medications": ["phenytoin 300 mg"]})).dose
    assert d.mg_per_m2 == 40
    assert any("60 mg/m²" in n for n in d.notes)  # typographic units in the criteria text (issue 10)


def test_unknown_inputs() -> None:
    d = run(consult(patient={"height_cm": None})).dose
    assert d.state == "unknown" and "patient.height_cm" in [m.field for m in d.missing]
    d = run(consult(history={"medications": None})).dose
    assert "history.medications" in [m.field for m in d.missing]


@pytest.mark.parametrize("dose,expected", [
    (88.0, [(45, 2)]),
    (70.6, [(45, 1), (15, 2)]),
    (45.0, [(45, 1)]),
    (30.2, [(45, 1)]),
    (29.9, [(15, 2)]),
    (15.0, [(15, 1)]),
])
def test_vial_plan_minimises_waste(dose: float, expected: list) -> None:
    assert [(v.size_mg, v.count) for v in vial_plan(dose, [15, 45])] == expected


def test_billing_units_and_capecitabine() -> None:
    d = run(consult(plan={"regimen": "with_capecitabine"})).dose
    assert d.hcpcs_code == "J9207"
    assert d.hcpcs_units == math.ceil(d.dose_mg)
    assert d.capecitabine is not None
    assert d.capecitabine.mg_per_dose == round(1000 * d.bsa_m2)
    assert "days 1–14" in d.capecitabine.schedule


def test_premedication() -> None:
    d = run(consult()).dose
    ids = {p.id: p for p in d.premedication}
    assert ids["premed.h1"].required and ids["premed.h2"].required
    assert "premed.corticosteroid" not in ids  # no prior reaction
    d = run(consult(history={"prior_ixabepilone_reaction": True})).dose
    assert {p.id: p for p in d.premedication}["premed.corticosteroid"].required
    d = run(consult(history={"prior_ixabepilone_reaction": None})).dose
    assert not {p.id: p for p in d.premedication}["premed.corticosteroid"].required


def test_trastuzumab_with_abnormal_liver_tests_says_why_there_is_no_dose() -> None:
    """Nothing is missing: the PI's hepatic table is for monotherapy, so the prescriber decides."""
    c = consult(plan={"regimen": "with_trastuzumab"},
                labs=labs(ast={"value": 120, "unit": "U/L", "uln": 40}))
    d = run(c).dose
    assert d.state == "unknown" and d.missing == [] and d.dose_mg is None
    assert d.summary.startswith("No dose computed: ") and "prescriber's decision" in d.summary


def test_topical_inhibitor_still_reduces_but_asks_to_confirm_route() -> None:
    d = run(consult(history={"medications": ["ketoconazole 2% shampoo"]})).dose
    assert d.mg_per_m2 == 20
    assert any("topical form" in n and "ketoconazole 2% shampoo" in n for n in d.notes)
    plain = run(consult(history={"medications": ["ketoconazole 200 mg daily"]})).dose
    assert plain.mg_per_m2 == 20 and not any("topical form" in n for n in plain.notes)


def test_paxlovid_is_recognised_as_ritonavir() -> None:
    a = run(consult(history={"medications": ["Paxlovid"]}))
    assert a.finding("warning.cyp3a4_inhibitor").state == "met"
    assert a.dose.mg_per_m2 == 20


def test_liqui_gel_capsule_is_not_read_as_topical() -> None:
    d = run(consult(history={"medications": ["ritonavir liqui-gel 100 mg"]})).dose
    assert d.mg_per_m2 == 20 and not any("topical form" in n for n in d.notes)
