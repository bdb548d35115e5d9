"""The cycle-start gate and the rule ids readers need, decided and checked in the core (issue 10)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from ixdesk.core.consult import Consult
from ixdesk.core.criteria import CriteriaError, default_criteria, load_criteria
from ixdesk.core.cycle_start import cycle_start_gate, modification_rows
from ixdesk.core.reader_rules import READER_RULES
from ixdesk.paths import criteria_dir


def consult(neutrophils: float | None, platelets: float | None) -> Consult:
    labs = {}
    if neutrophils is not None:
        labs["neutrophils"] = {"value": neutrophils, "unit": "cells/mm3"}
    if platelets is not None:
        labs["platelets"] = {"value": platelets, "unit": "cells/mm3"}
    return Consult.model_validate({"labs": labs})


@pytest.mark.parametrize("anc,plt,state", [
    (1500, 100000, "met"),  # exactly at both thresholds: a new cycle may start
    (1499, 100000, "not_met"),
    (1500, 99999, "not_met"),
    (None, 100000, "unknown"),
    (1500, None, "unknown"),
    (1000, None, "not_met"),  # below one threshold: not met whatever the missing count
])
def test_cycle_start_gate_boundaries(anc, plt, state):
    gate = cycle_start_gate(consult(anc, plt), default_criteria())
    assert gate.state == state
    if anc is not None:
        assert gate.count("neutrophils").value_per_mm3 == anc


def test_gate_reads_thresholds_from_criteria():
    c = default_criteria()
    adm = c.administration
    changed = c.model_copy(update={"administration": adm.model_copy(update={
        "cycle_start": adm.cycle_start.model_copy(update={"neutrophils_min_per_mm3": 2000.0})})})
    assert cycle_start_gate(consult(1500, 100000), changed).state == "not_met"


def test_modification_rows_by_kind():
    rows = modification_rows(default_criteria(), "neuropathy")
    assert [r.action for r in rows] == ["reduce 20%", "reduce 20%", "discontinue"]


def test_every_reader_rule_exists_in_the_shipped_set():
    ids = {r.id for r in default_criteria().rules}
    assert set(READER_RULES) <= ids


def test_a_renamed_reader_rule_is_refused_at_load(tmp_path: Path):
    """The nurse sheet printed an empty liver limit when a rule was renamed; now the load refuses it."""
    dst = tmp_path / "criteria"
    shutil.copytree(criteria_dir(), dst)
    f = dst / "exclusions.yaml"
    f.write_text(f.read_text(encoding="utf-8").replace("id: exclusion.hepatic_monotherapy",
                                                       "id: exclusion.hepatic_mono_renamed"), encoding="utf-8")
    with pytest.raises(CriteriaError) as exc:
        load_criteria(dst)
    err = exc.value
    assert err.file == "exclusions.yaml" and err.line is not None
    assert "exclusion.hepatic_monotherapy" in err.reason and "reader_rules" in err.reason


def test_a_dose_modification_row_needs_a_kind(tmp_path: Path):
    dst = tmp_path / "criteria"
    shutil.copytree(criteria_dir(), dst)
    f = dst / "administration.yaml"
    f.write_text(f.read_text(encoding="utf-8").replace("{kind: other, toxicity: Febrile neutropenia",
                                                       "{toxicity: Febrile neutropenia"), encoding="utf-8")
    with pytest.raises(CriteriaError) as exc:
        load_criteria(dst)
    assert exc.value.file == "administration.yaml" and "kind" in exc.value.reason
