"""Agent names as clinicians type them: shorthand for sequences, dose-dense regimens, arrows.

Only the drug class drives resistance, so a shorthand whose taxane is not named (AC-T: paclitaxel
or docetaxel) still counts as a taxane; it is the Cremophor EL question that stays open.
"""

from __future__ import annotations

import pytest

from ixdesk.core.criteria import default_criteria
from ixdesk.core.formulary import match_agent

from .helpers import consult, reg, resistance, run


def classes(name: str) -> set[str]:
    return {a.class_ for a in match_agent(name, default_criteria())}


@pytest.mark.parametrize("typed,expected", [
    ("ddAC", {"anthracycline", "alkylating"}),
    ("dd-AC", {"anthracycline", "alkylating"}),
    ("AC-T", {"anthracycline", "alkylating", "taxane"}),
    ("AC→T", {"anthracycline", "alkylating", "taxane"}),
    ("AC -> T", {"anthracycline", "alkylating", "taxane"}),
    ("ac/t", {"anthracycline", "alkylating", "taxane"}),
    ("ddAC-T", {"anthracycline", "alkylating", "taxane"}),
    ("ddAC-P", {"anthracycline", "alkylating", "taxane"}),
    ("FEC-D", {"antimetabolite", "anthracycline", "alkylating", "taxane"}),
    ("EC-T", {"anthracycline", "alkylating", "taxane"}),
    ("TCH", {"taxane", "platinum", "her2_antibody"}),
    ("THP", {"taxane", "her2_antibody"}),
    ("AC-THP", {"anthracycline", "alkylating", "taxane", "her2_antibody"}),
    ("taxane", {"taxane"}),
])
def test_shorthand_classes(typed: str, expected: set[str]) -> None:
    assert classes(typed) == expected


@pytest.mark.parametrize("typed", ["T", "AC T X", "ACTT", "dd"])
def test_no_guessing(typed: str) -> None:
    """Exact names only: a near miss is 'not recognised', never a silent class."""
    assert classes(typed) == set()


def test_ac_t_adjuvant_gives_both_resistances() -> None:
    # last dose 2025-03-01 + 6 months = 2025-09-01 (anthracycline) / + 12 months (taxane): recurrence 2025-08-01
    c = consult(regimens=[reg("AC-T", "adjuvant", "2024-10-01", "2025-03-01", "2025-08-01")])
    assert resistance(c, "anthracycline") == "resistant"
    assert resistance(c, "taxane") == "resistant"
    assert run(c).data_notes == []


def test_ixabepilone_stopped_for_hypersensitivity_is_a_prior_reaction() -> None:
    """The regimen table says it even when the history checkbox is not ticked: corticosteroid added."""
    regs = [reg("ixabepilone", "metastatic", "2025-01-01", "2025-02-01", stop_reason="hypersensitivity",
                hypersensitivity_grade=2)]
    for flag in (None, False):
        a = run(consult(regimens=regs, history={"prior_ixabepilone_reaction": flag}))
        f = a.finding("warning.prior_ixabepilone_reaction")
        assert f.state == "met", flag
        assert any("regimen 1" in v.value for v in f.values)
        assert a.dose.prior_reaction is True
        assert any(p.required and "dexamethasone" in p.drug.lower() for p in a.dose.premedication)
        contradiction = [n for n in a.data_notes if "history says no prior reaction" in n]
        assert bool(contradiction) is (flag is False)


def test_ixabepilone_stopped_for_progression_is_no_reaction() -> None:
    regs = [reg("Ixempra", "metastatic", "2025-01-01", "2025-02-01", stop_reason="progression")]
    a = run(consult(regimens=regs, history={"prior_ixabepilone_reaction": False}))
    assert a.finding("warning.prior_ixabepilone_reaction").state == "not_met"
    assert a.dose.prior_reaction is False
