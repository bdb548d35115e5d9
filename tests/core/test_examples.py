"""Each bundled example consult with the key results a clinician would expect of it."""

from __future__ import annotations

import pytest

from ixdesk.core.files import load_consult
from tests.conftest import EXAMPLES
from tests.core.helpers import run

EXPECTED = {
    "01-combination-after-anthracycline-and-taxane": dict(
        resistance={"anthracycline": "resistant", "taxane": "resistant", "capecitabine": "not_exposed"},
        met=["label.combination", "pathway.B", "payer003.overall", "payer004.overall"],
        not_met=["label.monotherapy"], blocking=[], dose_mg=70.6, mg_m2=40),
    "02-monotherapy-after-all-three": dict(
        resistance={"anthracycline": "resistant", "taxane": "resistant", "capecitabine": "resistant"},
        met=["label.monotherapy", "pathway.A", "pathway.E", "payer003.overall", "warning.diabetes"],
        not_met=[], blocking=[], dose_mg=64.8, mg_m2=40),
    "03-hepatic-impairment-monotherapy": dict(
        resistance={"anthracycline": "resistant", "taxane": "resistant", "capecitabine": "resistant"},
        met=["label.monotherapy", "warning.hepatic_monotherapy_caution", "pathway.F"],
        not_met=["exclusion.hepatic_monotherapy"], blocking=[], dose_mg=60.2, mg_m2=32),
    "04-blocked-by-neutrophils": dict(
        resistance={"anthracycline": "resistant", "taxane": "resistant"},
        met=["exclusion.neutrophils", "warning.cyp3a4_inhibitor", "label.combination"],
        not_met=["payer003.overall", "exclusion.platelets"], blocking=["exclusion.neutrophils"], dose_mg=30.2, mg_m2=20),
    "05-her2-positive-with-trastuzumab": dict(
        resistance={"anthracycline": "not_exposed", "taxane": "resistant", "capecitabine": "resistant"},
        met=["pathway.C", "pathway.D", "payer003.overall", "warning.cardiac"],
        not_met=["label.monotherapy"], blocking=[], dose_mg=64.1, mg_m2=40),
    "06-triple-negative-first-line": dict(
        resistance={"anthracycline": "not_resistant", "taxane": "not_resistant", "capecitabine": "not_exposed"},
        met=["pathway.F", "payer003.overall"],
        not_met=["label.monotherapy", "label.combination", "pathway.A"], blocking=[], dose_mg=69.9, mg_m2=40),
    "07-incomplete-consult": dict(
        resistance={"anthracycline": "unknown", "taxane": "resistant"},
        met=["warning.labs_stale"], not_met=[], blocking=[], dose_mg=None, mg_m2=None,
        unknown=["label.combination", "exclusion.platelets", "payer003.overall"]),
    # the consult of example 01's kind four cycles later; its course is checked in tests/core/test_course_example.py
    "08-course-four-cycles-with-reduction": dict(
        resistance={"anthracycline": "resistant", "taxane": "resistant", "capecitabine": "not_exposed"},
        met=["label.combination", "pathway.B", "payer003.overall", "payer004.overall"],
        not_met=["label.monotherapy"], blocking=[], dose_mg=70.6, mg_m2=40),
}


def test_every_example_is_listed() -> None:
    assert {p.stem for p in EXAMPLES.glob("*.json")} == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_example(name: str) -> None:
    exp = EXPECTED[name]
    a = run(load_consult(EXAMPLES / f"{name}.json"))
    for cls, result in exp["resistance"].items():
        assert a.resistance_for(cls).result == result, cls
    for fid in exp["met"]:
        assert a.finding(fid).state == "met", fid
    for fid in exp["not_met"]:
        assert a.finding(fid).state == "not_met", fid
    for fid in exp.get("unknown", []):
        assert a.finding(fid).state == "unknown", fid
        assert a.finding(fid).missing, fid
    assert a.blocking == exp["blocking"]
    assert a.dose.dose_mg == exp["dose_mg"]
    assert a.dose.mg_per_m2 == exp["mg_m2"]
