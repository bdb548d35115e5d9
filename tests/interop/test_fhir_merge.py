"""Import into an open consult (Qt-free): empty fields filled, typed values only replaced when
chosen, medication lines added, typed regimens kept unless chosen."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from ixdesk.core.consult import Consult
from ixdesk.core.criteria import default_criteria
from ixdesk.interop.fhir_map import import_file
from ixdesk.interop.merge import REGIMENS, conflicts, merge

DATA = Path(__file__).resolve().parents[1] / "data" / "fhir"
DAY = dt.date(2026, 11, 18)
CRIT = default_criteria()


def _consult(doc: dict) -> Consult:
    return Consult.model_validate_json(json.dumps({"consult_date": "2026-11-18", **doc}))


def _result():
    return import_file(str(DATA / "example-a-bundle.json"), CRIT, DAY)


def test_no_conflict_when_empty_and_every_field_filled() -> None:
    current, r = _consult({}), _result()
    assert conflicts(current, r) == []
    merged = merge(current, r)
    assert merged.model_dump(exclude={"provenance"}) == r.consult.model_dump(exclude={"provenance"})
    assert merged.provenance == r.provenance


def test_typed_values_are_conflicts_and_kept_unless_replaced() -> None:
    current = _consult({"patient": {"weight_kg": 70, "name": "Alba Testpatient"},
                        "labs": {"date": "2026-11-01", "neutrophils": {"value": 1800, "unit": "cells/mm3"}}})
    r = _result()
    found = {c.path: c for c in conflicts(current, r)}
    assert set(found) == {"patient.weight_kg", "labs.date", "labs.neutrophils"}  # the same name is no conflict
    assert (found["labs.neutrophils"].current, found["labs.neutrophils"].imported) == ("1800 cells/mm3", "2.1 10^9/L")
    kept = merge(current, r)
    assert kept.patient.weight_kg == 70 and kept.labs.neutrophils is not None and kept.labs.neutrophils.value == 1800
    assert kept.labs.date == dt.date(2026, 11, 1)
    assert "patient.weight_kg" not in kept.provenance and "patient.name" in kept.provenance  # same value: sourced
    replaced = merge(current, r, {"labs.neutrophils"})
    assert replaced.labs.neutrophils is not None and replaced.labs.neutrophils.value == 2.1
    assert replaced.provenance["labs.neutrophils"].resource_id == "anc1"


def test_medication_lines_are_added_never_replaced() -> None:
    current = _consult({"history": {"medications": ["Omeprazole 20 mg delayed release oral capsule", "aspirin 81 mg"]}})
    merged = merge(current, _result())
    assert merged.history.medications == ["Omeprazole 20 mg delayed release oral capsule", "aspirin 81 mg",
                                          "metformin 500 MG Oral Tablet", "ondansetron 8 MG Oral Tablet"]
    assert {p for p in merged.provenance if p.startswith("history.")} == {"history.medications[2]", "history.medications[3]"}
    assert merged.provenance["history.medications[2]"].resource_id == "ms3"


def test_typed_regimens_are_a_conflict_and_kept_by_default() -> None:
    current = _consult({"regimens": [{"agents": ["AC"], "setting": "adjuvant", "last_dose_date": "2022-02"}]})
    r = _result()
    assert REGIMENS in {c.path for c in conflicts(current, r)}
    assert [g.agents for g in merge(current, r).regimens] == [["AC"]]
    assert not any(p.startswith("regimens[") for p in merge(current, r).provenance)
    assert len(merge(current, r, {REGIMENS}).regimens) == 2


def test_no_prior_therapy_ticked_is_a_conflict_too() -> None:
    current = _consult({"no_prior_systemic_therapy": True})
    r = _result()
    assert any(c.path == REGIMENS and "No prior systemic therapy" in c.current for c in conflicts(current, r))
    m = merge(current, r)
    assert m.no_prior_systemic_therapy and m.regimens == []
    m2 = merge(current, r, {REGIMENS})
    assert not m2.no_prior_systemic_therapy and len(m2.regimens) == 2
