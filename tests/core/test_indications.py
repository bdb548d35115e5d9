"""Label indications, NCCN pathways A-F and the payer policies, branch by branch."""

from __future__ import annotations

import pytest

from tests.core.helpers import consult, reg, run, state

ANTHRA_RES = reg("doxorubicin", "metastatic", start="2024-01-01", last="2024-04-01", prog="2024-05-01")
TAXANE_RES = reg("paclitaxel", "metastatic", start="2024-06-01", last="2024-09-01", prog="2024-10-01")
CAPE_RES = reg("capecitabine", "metastatic", start="2024-11-01", last="2025-03-01", prog="2025-02-20")
TAXANE_OLD = reg("docetaxel", "adjuvant", start="2015-01-01", last="2015-04-01", prog="2020-01-01")


@pytest.mark.parametrize("regimens,attest,expected", [
    ([ANTHRA_RES, TAXANE_RES], {}, "met"),
    ([TAXANE_RES], {"anthracycline_contraindicated": True}, "met"),
    ([TAXANE_RES], {"anthracycline_contraindicated": False}, "not_met"),
    ([TAXANE_RES], {"anthracycline_contraindicated": None}, "unknown"),
    ([ANTHRA_RES, TAXANE_OLD], {"anthracycline_contraindicated": True}, "not_met"),
])
def test_label_combination(regimens: list, attest: dict, expected: str) -> None:
    c = consult(regimens=regimens, attestations=attest, plan={"regimen": "with_capecitabine"})
    assert state(c, "label.combination") == expected


def test_label_indications_need_advanced_disease() -> None:
    c = consult(regimens=[ANTHRA_RES, TAXANE_RES, CAPE_RES], disease={"extent": "early"})
    assert state(c, "label.monotherapy") == "not_met"
    c = consult(regimens=[ANTHRA_RES, TAXANE_RES, CAPE_RES], disease={"extent": "locally_advanced"})
    assert state(c, "label.monotherapy") == "met"


def test_label_monotherapy_requires_all_three() -> None:
    assert state(consult(regimens=[ANTHRA_RES, TAXANE_RES, CAPE_RES]), "label.monotherapy") == "met"
    assert state(consult(regimens=[ANTHRA_RES, TAXANE_RES]), "label.monotherapy") == "not_met"


def test_applies_to_plan() -> None:
    a = run(consult(plan={"regimen": "monotherapy"}))
    assert a.finding("label.monotherapy").applies_to_plan is True
    assert a.finding("label.combination").applies_to_plan is False
    assert run(consult(plan={"regimen": None})).finding("label.combination").applies_to_plan is None


def lines(n: int, setting: str = "metastatic") -> list[dict]:
    return [reg("gemcitabine", setting, start=f"20{10 + i}-01-01", last=f"20{10 + i}-03-01", prog=f"20{10 + i}-04-01") for i in range(n)]


@pytest.mark.parametrize("n,expected", [(0, "not_met"), (1, "not_met"), (2, "met"), (3, "met")])
def test_pathway_a_two_prior_lines(n: int, expected: str) -> None:
    assert state(consult(regimens=lines(n)), "pathway.A") == expected


def test_pathway_a_unknown_setting_gives_unknown_naming_regimen() -> None:
    # adjuvant treatment is line 1; regimen 2 is line 2 if metastatic, part of line 1 if adjuvant
    f = run(consult(regimens=lines(1, setting="adjuvant") + lines(1, setting=None))).finding("pathway.A")  # type: ignore[arg-type]
    assert f.state == "unknown"
    assert "regimens[1].setting" in [m.field for m in f.missing]


def test_unknown_setting_without_known_early_treatment_adds_exactly_one_line() -> None:
    """Early or metastatic, a single regimen of unknown setting is one line since diagnosis."""
    a = run(consult(regimens=lines(1) + lines(1, setting=None)))  # type: ignore[arg-type]
    since = next(lc for lc in a.lines if lc.kind == "since_diagnosis")
    assert (since.minimum, since.maximum) == (2, 2)
    assert a.finding("pathway.A").state == "met"
    metastatic = next(lc for lc in a.lines if lc.kind == "metastatic_all")
    assert (metastatic.minimum, metastatic.maximum) == (1, 2)


def test_adjuvant_endocrine_therapy_alone_is_not_the_first_line_of_a_and_b() -> None:
    tam = reg("tamoxifen", "adjuvant", start="2015-01-01", last="2020-01-01", prog="2023-01-01")
    a = run(consult(regimens=[tam] + [reg(["letrozole", "palbociclib"], "metastatic", start="2023-02-01",
                                            last="2025-01-01", prog="2025-01-01")]))
    since = next(lc for lc in a.lines if lc.kind == "since_diagnosis")
    assert (since.minimum, since.excluded_endocrine) == (1, [0])
    assert a.finding("pathway.A").state == "not_met"


@pytest.mark.parametrize("agents", [["anastrazole"], ["tamoxifen", "zzfoo"]])
def test_an_unrecognised_adjuvant_agent_may_be_endocrine_therapy_alone(agents: list[str]) -> None:
    # the hunt: a misspelt adjuvant anastrozole counted for certain as the first line, so one metastatic
    # line made "two prior lines" and pathway A met; it may be endocrine therapy alone (then one line)
    early = reg(agents, "adjuvant", start="2015-01-01", last="2020-01-01", prog="2023-01-01")
    a = run(consult(regimens=[early] + lines(1)))
    since = next(lc for lc in a.lines if lc.kind == "since_diagnosis")
    assert (since.minimum, since.maximum, since.uncertain) == (1, 2, [0])
    f = a.finding("pathway.A")
    assert f.state == "unknown" and "regimens[0].agents" in [m.field for m in f.missing]
    # beside a recognised chemotherapy in the adjuvant setting it is within that one line either way
    chemo = reg("AC", "adjuvant", start="2014-01-01", last="2014-06-01", prog="2023-01-01")
    b = run(consult(regimens=[chemo, early] + lines(1)))
    since = next(lc for lc in b.lines if lc.kind == "since_diagnosis")
    assert (since.minimum, since.maximum) == (2, 2) and b.finding("pathway.A").state == "met"
    # of unknown setting it no longer raises the minimum on its own (adjuvant endocrine alone adds none)
    c = run(consult(regimens=[{**early, "setting": None}] + lines(1)))
    since = next(lc for lc in c.lines if lc.kind == "since_diagnosis")
    assert (since.minimum, since.maximum) == (1, 2)


def test_endocrine_only_metastatic_lines_count_but_the_result_is_marked_unverified() -> None:
    """Seed 003's A says "two prior lines of therapy"; whether endocrine lines are such lines is a reading."""
    endo = [reg(["letrozole", "palbociclib"], "metastatic", start="2022-01-01", last="2023-06-01", prog="2023-06-01"),
            reg("fulvestrant", "metastatic", start="2023-07-01", last="2025-01-01", prog="2025-01-01")]
    a = run(consult(regimens=endo))
    since = next(lc for lc in a.lines if lc.kind == "since_diagnosis")
    assert (since.minimum, since.endocrine_counted) == (2, [0, 1])
    f = a.finding("pathway.A")
    assert f.state == "met"
    assert f.unverified_basis
    # chemotherapy lines alone leave no such doubt
    assert run(consult(regimens=lines(2))).finding("pathway.A").unverified_basis == []


def test_pathway_a_early_disease_treatment_is_one_line() -> None:
    """Seed 003: first-line therapy is the first treatment for the diagnosis; any number of early regimens is one line."""
    assert state(consult(regimens=lines(2, setting="adjuvant")), "pathway.A") == "not_met"
    assert state(consult(regimens=lines(1, setting="neoadjuvant") + lines(1, setting="adjuvant")), "pathway.A") == "not_met"
    assert state(consult(regimens=lines(2, setting="adjuvant") + lines(1)), "pathway.A") == "met"


def test_pathway_b() -> None:
    assert state(consult(regimens=lines(2), plan={"regimen": "with_capecitabine"}), "pathway.B") == "met"
    c = consult(regimens=[TAXANE_RES], attestations={"anthracycline_contraindicated": True}, plan={"regimen": "with_capecitabine"})
    assert state(c, "pathway.B") == "met"
    assert state(consult(regimens=lines(2), plan={"regimen": "monotherapy"}), "pathway.B") == "not_met"


HER2POS = {"her2_ihc": "3+", "er": "negative", "pr": "negative"}


def test_pathway_c_and_d() -> None:
    plan = {"regimen": "with_trastuzumab"}
    assert state(consult(regimens=[TAXANE_RES], disease=HER2POS, plan=plan), "pathway.C") == "met"
    assert state(consult(regimens=[ANTHRA_RES], disease=HER2POS, plan=plan), "pathway.C") == "not_met"
    assert state(consult(regimens=lines(3), disease=HER2POS, plan=plan), "pathway.D") == "met"  # fourth line
    assert state(consult(regimens=lines(2), disease=HER2POS, plan=plan), "pathway.D") == "not_met"
    assert state(consult(regimens=lines(3), disease={"her2_ihc": "2+", "her2_ish": "positive"}, plan=plan), "pathway.D") == "met"
    f = run(consult(regimens=lines(3), disease={"her2_ihc": "2+", "her2_ish": None}, plan=plan)).finding("pathway.D")
    assert f.state == "unknown" and [m.field for m in f.missing] == ["disease.her2_ish"]


HRPOS_HER2NEG = {"er": "positive", "pr": "negative", "her2_ihc": "1+", "visceral_crisis": False, "endocrine_refractory": True}
ENDO = reg(["letrozole", "ribociclib"], "metastatic", start="2020-01-01", last="2021-01-01", prog="2021-01-01")


@pytest.mark.parametrize("regimens,disease,attest,expected", [
    ([], {"germline_brca": "no_mutation"}, {}, "met"),               # first line, no gBRCA
    ([], {"germline_brca": "mutation"}, {}, "not_met"),
    ([], {"germline_brca": None}, {}, "unknown"),
    ([ENDO], {"germline_brca": "no_mutation"}, {}, "met"),           # endocrine lines do not count
    (lines(1), {"germline_brca": "mutation"}, {"tdxd_candidate": False}, "met"),  # second line
    (lines(1), {}, {"tdxd_candidate": True}, "not_met"),
    (lines(1), {}, {"tdxd_candidate": None}, "unknown"),
    (lines(2), {"germline_brca": None}, {"tdxd_candidate": None}, "met"),  # third line and beyond
    (lines(2), {"visceral_crisis": False, "endocrine_refractory": False}, {}, "not_met"),
    (lines(2), {"her2_ihc": "3+"}, {}, "not_met"),
    (lines(2), {"er": "negative", "pr": "negative"}, {}, "not_met"),
])
def test_pathway_e(regimens: list, disease: dict, attest: dict, expected: str) -> None:
    c = consult(regimens=regimens, disease={**HRPOS_HER2NEG, **disease}, attestations=attest)
    assert state(c, "pathway.E") == expected


TNBC = {"er": "negative", "pr": "negative", "her2_ihc": "0", "germline_brca": "no_mutation", "pdl1_cps": 5}


@pytest.mark.parametrize("regimens,disease,expected", [
    ([], {}, "met"),
    ([], {"pdl1_cps": 10}, "not_met"),      # CPS exactly 10 is not < 10
    ([], {"pdl1_cps": 9.9}, "met"),
    ([], {"pdl1_cps": None}, "unknown"),
    ([], {"germline_brca": "mutation"}, "not_met"),
    (lines(1), {"pdl1_cps": 50, "germline_brca": "mutation"}, "met"),  # second line and beyond
    ([], {"extent": "locally_advanced"}, "not_met"),
    ([], {"her2_ihc": "2+", "her2_ish": "negative"}, "met"),  # HER2-low counts as HER2-negative
])
def test_pathway_f(regimens: list, disease: dict, expected: str) -> None:
    assert state(consult(regimens=regimens, disease={**TNBC, **disease}), "pathway.F") == expected


def test_payer_003_overall_and_exclusions() -> None:
    ok = consult(regimens=lines(2))
    assert state(ok, "payer003.overall") == "met"
    blocked = consult(regimens=lines(2), labs={"platelets": {"value": 50000, "unit": "cells/mm3"}})
    assert state(blocked, "payer003.overall") == "not_met"


@pytest.mark.parametrize("extent,oncologist,expected", [
    ("metastatic", True, "met"),
    ("recurrent_unresectable", True, "met"),
    ("locally_advanced", True, "not_met"),
    ("metastatic", False, "not_met"),
    ("metastatic", None, "unknown"),
])
def test_payer_004(extent: str, oncologist: bool | None, expected: str) -> None:
    c = consult(disease={"extent": extent}, attestations={"prescriber_is_oncologist": oncologist})
    assert state(c, "payer004.overall") == expected


def test_every_finding_is_cited() -> None:
    a = run(consult())
    for f in a.findings:
        assert f.source.document and f.source.section and f.source.version
        assert f.conditions, f.id


# --- an empty regimen table is "not recorded", not "no prior therapy" ----------------------------

def test_empty_regimens_without_statement_leave_history_dependent_results_unknown() -> None:
    a = run(consult(regimens=[], no_prior_systemic_therapy=False,
                    disease={**TNBC}, plan={"regimen": "monotherapy"}))
    for cls in ("anthracycline", "taxane", "capecitabine"):
        r = a.resistance_for(cls)
        assert r.result == "unknown" and [m.field for m in r.missing] == ["regimens"]
    assert all(lc.maximum is None and [m.field for m in lc.missing] == ["regimens"] for lc in a.lines)
    for fid in ("label.monotherapy", "label.combination", "pathway.A", "pathway.F"):
        f = a.finding(fid)
        assert f.state == "unknown", fid
        assert "regimens" in [m.field for m in f.missing], fid
    assert "regimens" in [m.field for m in a.missing]


def test_no_prior_therapy_stated_gives_first_line() -> None:
    a = run(consult(regimens=[], no_prior_systemic_therapy=True, disease={**TNBC}))
    assert {r.result for r in a.resistance} == {"not_exposed"}
    assert all((lc.minimum, lc.maximum) == (0, 0) for lc in a.lines)
    assert a.finding("pathway.F").state == "met"  # first line, CPS 5, no gBRCA
    assert a.finding("pathway.A").state == "not_met"


def test_no_prior_therapy_beside_listed_regimens_is_refused() -> None:
    from pydantic import ValidationError

    with pytest.raises(ValidationError, match="no_prior_systemic_therapy"):
        consult(regimens=lines(1), no_prior_systemic_therapy=True)


def test_early_disease_line_interpretation_is_shown_where_it_changes_the_result() -> None:
    """Pathways A and B count since diagnosis (seed 003); the NCCN lines of E and F count metastatic
    regimens only, and say where seed 003's definition would give another answer."""
    adj = reg("AC", "adjuvant", start="2020-01-01", last="2020-04-01", prog="2023-01-01")
    a = run(consult(regimens=[adj] + lines(1), plan={"regimen": "with_capecitabine"}))
    assert a.finding("pathway.B").state == "met"  # adjuvant AC is line 1, the metastatic regimen line 2
    since = next(lc for lc in a.lines if lc.kind == "since_diagnosis")
    assert (since.minimum, since.maximum, since.counted, since.early_disease, since.early_disease_counted) == \
        (2, 2, [1], [0], True)
    met = next(lc for lc in a.lines if lc.kind == "metastatic_all")
    assert (met.minimum, met.early_disease, met.confidence) == (1, [0], "unverified")
    # TNBC first metastatic line after adjuvant chemotherapy with CPS 50: F1 not met by metastatic lines,
    # while seed 003's definition would make it second line (F2): the finding says so beside the count.
    tn = run(consult(regimens=[adj], disease={**TNBC, "pdl1_cps": 50}))
    f = tn.finding("pathway.F")
    assert f.state == "not_met"
    assert any("seed 003" in v.value for v in f.values)
    # where the reading does not matter, nothing is added
    b = run(consult(regimens=[adj] + lines(3), disease={**TNBC}))
    assert not any("seed 003" in v.value for v in b.finding("pathway.F").values)


def test_result_resting_on_an_unverified_item_says_so() -> None:
    """Capecitabine resistance by its 8-week window (study 081, unverified) carries into the label finding."""
    cape_window = reg("capecitabine", "metastatic", start="2024-11-01", last="2025-03-01", prog="2025-04-15")
    a = run(consult(regimens=[ANTHRA_RES, TAXANE_RES, cape_window]))
    assert a.resistance_for("capecitabine").result == "resistant"
    f = a.finding("label.monotherapy")
    assert f.state == "met" and f.confidence == "label"
    assert any("capecitabine resistance window" in u for u in f.unverified_basis)
    # on therapy (a label rule) leaves nothing unverified
    b = run(consult(regimens=[ANTHRA_RES, TAXANE_RES, CAPE_RES]))
    assert b.finding("label.monotherapy").unverified_basis == []
    # a false child without unverified items decides "all of ... not met" on its own
    c = run(consult(regimens=lines(1), disease={"her2_ihc": "0"}, plan={"regimen": "with_trastuzumab"}))
    assert c.finding("pathway.D").state == "not_met" and c.finding("pathway.D").unverified_basis == []


def test_other_regimens_pathway_state_stays_for_the_plan_and_its_condition_is_kept() -> None:
    """Pathway B for a monotherapy consult is not met (wrong plan) but would be met with capecitabine."""
    a = run(consult(regimens=lines(2), plan={"regimen": "monotherapy"}))
    b = a.finding("pathway.B")
    assert (b.state, b.condition_state, b.applies_to_plan) == ("not_met", "met", False)
    assert "would be met with ixabepilone with capecitabine" in b.summary
    assert a.finding("pathway.A").condition_state == "met" and a.finding("pathway.A").state == "met"
    # no plan recorded: the plan decides, so unknown, yet the condition is firm
    n = run(consult(regimens=lines(2), plan={"regimen": None})).finding("pathway.B")
    assert (n.state, n.condition_state) == ("unknown", "met")
    assert "plan.regimen" in [m.field for m in n.missing]
    # rules that are not plan-limited have no separate condition
    assert a.finding("payer004.overall").condition_state is None


def test_another_regimens_pathway_keeps_its_unverified_basis_and_names_its_contraindication() -> None:
    early = lines(1, setting="adjuvant") + lines(1)  # since diagnosis: 2 lines, resting on the early-disease reading
    a = run(consult(regimens=early, plan={"regimen": "monotherapy"},
                    labs={**consult().labs.model_dump(mode="json"), "ast": {"value": 220, "uln": 40, "unit": "U/L"}}))
    b = a.finding("pathway.B")
    assert b.other_plan == "met"
    assert b.unverified_basis, "the count it would rest on is unverified"
    assert b.contraindicated_by == ["exclusion.hepatic_combination"]
    assert "contraindicated with that plan" in b.summary
    # the plan's own pathway is not marked
    assert a.finding("pathway.A").contraindicated_by == []
