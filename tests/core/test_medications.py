"""The open-world CYP3A4 check (issue 9 section 2): the medication dictionary, names with dose text,
brands and combinations, unrecognised names, moderate classes, a strong inhibitor with a hepatic
reduction, the neuropathy warning from grade 1, and the JSON fields that show it."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from ixdesk.cli import main
from ixdesk.core.criteria import CriteriaError, criteria_dir, default_criteria, load_criteria
from ixdesk.core.medications import classify
from tests.conftest import EXAMPLES
from tests.core.helpers import consult, labs, run

STRONG_INH, STRONG_IND = "warning.cyp3a4_inhibitor", "warning.cyp3a4_inducer"
MOD_INH = MOD_IND = MODERATE = "warning.cyp3a4_moderate"  # one caution for both: no dose rule either way
CYP = (STRONG_INH, STRONG_IND, MODERATE)
# BSA of the helper's consult (165 cm, 65 kg, Mosteller): 1.7260 m2
BSA = 1.726


def meds(*lines: str):
    return run(consult(history={"medications": list(lines)}))


# --- the names the closed-world check missed --------------------------------------------------

@pytest.mark.parametrize("line", [
    "posaconazole 300 mg daily", "Noxafil 300 mg", "Genvoya", "Genvoya 1 tab po od", "Stribild",
    "cobicistat 150 mg", "Tybost", "Paxlovid 300/100 mg BID x5d", "nirmatrelvir/ritonavir", "Kaletra 2 tabs bid",
    "Prezcobix", "darunavir 800 mg", "Ketoconazole 200 mg twice daily", "KETOCONAZOLE 200MG PO OD",
    "Nizoral 200 mg", "itraconazole 200 mg daily", "clarithromycin 500 mg bid", "Biaxin",
])
def test_strong_inhibitor_names_and_brands_reduce_to_20(line: str) -> None:
    a = meds(line)
    f = a.finding(STRONG_INH)
    assert f.state == "met" and f.severity == "warning", line
    assert a.dose.state == "computed" and a.dose.mg_per_m2 == 20, line
    assert a.dose.dose_mg == pytest.approx(round(20 * BSA, 1))


@pytest.mark.parametrize("line", [
    "enzalutamide 160 mg daily", "Xtandi 160 mg", "apalutamide 240 mg od", "Erleada",
    "mitotane 2 g tds", "Lysodren", "primidone 250 mg", "rifampin 600 mg daily", "Tegretol 200 mg bid",
    # the PI names these among its strong-inducer examples: the PI's class stands (FDA: moderate)
    "rifabutin 300 mg", "dexamethasone 8 mg daily", "St John\u2019s wort 300 mg",
])
def test_strong_inducer_names_and_brands_warn_without_changing_the_dose(line: str) -> None:
    a = meds(line)
    assert a.finding(STRONG_INH).state == "not_met", line
    assert a.finding(STRONG_IND).state == "met", line
    assert a.finding(MODERATE).state == "not_met", line  # one class per drug
    assert a.dose.state == "computed" and a.dose.mg_per_m2 == 40


def test_pi_examples_are_label_and_fda_summary_is_unverified() -> None:
    a = meds("ketoconazole 200 mg")
    assert a.finding(STRONG_INH).unverified_basis == []
    assert a.dose.unverified == []
    b = meds("posaconazole 300 mg daily")
    assert any("posaconazole" in u and "FDA" in u for u in b.finding(STRONG_INH).unverified_basis)
    assert any("posaconazole" in u for u in b.dose.unverified)
    # a PI example on the list makes the result firm even beside an unverified one
    c = meds("posaconazole 300 mg daily", "ritonavir 100 mg")
    assert c.finding(STRONG_INH).unverified_basis == []


def test_dictionary_entries_carry_source_and_confidence() -> None:
    m = default_criteria().medications
    by_class: dict[str, set[str]] = {}
    for g in m.groups:
        assert g.source.document in ("PI", "fda-cyp3a") and g.source.section.strip()
        assert g.confidence == ("label" if g.source.document == "PI" else "unverified")
        by_class.setdefault(g.class_, set()).update(d.name.casefold() for d in g.drugs)
    assert {"rifabutin", "dexamethasone", "st john's wort"} <= by_class["strong_inducer"]
    assert not {"rifabutin", "dexamethasone", "st john's wort"} & by_class["moderate_inducer"]
    assert {"aprepitant", "fosaprepitant", "netupitant", "cimetidine", "ribociclib"} <= by_class["moderate_inhibitor"]
    # drugs that some sources class as CYP3A modulators but the facts sheet does not list stay unknown
    known = set().union(*by_class.values())
    assert not {"fluvoxamine", "fluoxetine", "ciprofloxacin", "rifaximin", "metronidazole", "doxycycline",
                "oxcarbazepine", "tucatinib", "elvitegravir"} & known
    for name in ("fluvoxamine 50 mg", "ciprofloxacin 500 mg bid", "tucatinib 300 mg bid"):
        assert meds(name).finding(STRONG_INH).state == "unknown", name


# --- open world: an unrecognised name is unknown, never "not present" ---------------------------

def test_unknown_name_is_unknown_and_named() -> None:
    a = meds("zzfoo 10 mg")
    for fid in CYP:
        f = a.finding(fid)
        assert f.state == "unknown", fid
        assert not f.summary.startswith("Not present"), fid
        labels = [m.label for m in f.missing]
        assert any("zzfoo 10 mg" in lb and "not recognised: check for CYP3A4 interaction" in lb for lb in labels), fid
        assert {m.field for m in f.missing} == {"history.medications"}
    assert any("zzfoo 10 mg" in m.label for m in a.missing)
    assert any("zzfoo 10 mg" in n and "not recognised" in n for n in a.data_notes)


def test_unknown_name_makes_the_dose_conditional_not_silently_full() -> None:
    d = meds("omeprazole 20 mg daily", "zzfoo 10 mg").dose
    assert d.state == "unknown" and d.dose_mg is None and d.mg_per_m2 is None
    assert d.unrecognised_medications == ["zzfoo 10 mg"]
    assert d.mg_per_m2_unless_strong_inhibitor == 40 and d.mg_per_m2_if_strong_inhibitor == 20
    assert d.dose_mg_unless_strong_inhibitor == pytest.approx(round(40 * BSA, 1))
    assert d.dose_mg_if_strong_inhibitor == pytest.approx(round(20 * BSA, 1))
    assert "unless zzfoo 10 mg is a strong CYP3A4 inhibitor" in d.summary and "20 mg/m²" in d.summary
    assert any("40 mg/m² unless zzfoo 10 mg is a strong CYP3A4 inhibitor (then 20 mg/m²)" in n for n in d.notes)
    assert [m.field for m in d.missing] == ["history.medications"] and "zzfoo 10 mg" in d.missing[0].label
    assert d.vials == [] and d.hcpcs_units is None


def test_a_strong_inhibitor_elsewhere_decides_the_inhibitor_check_and_the_dose() -> None:
    a = meds("zzfoo 10 mg", "itraconazole 200 mg")
    assert a.finding(STRONG_INH).state == "met"
    assert a.finding(STRONG_IND).state == "unknown"  # zzfoo could still be an inducer
    assert a.dose.state == "computed" and a.dose.mg_per_m2 == 20


def test_one_known_drug_does_not_vouch_for_an_unknown_one_on_the_same_line() -> None:
    a = meds("omeprazole 20 mg, zzfoo 5 mg")
    assert a.finding(STRONG_INH).state == "unknown"
    assert any("zzfoo" in m.label for m in a.finding(STRONG_INH).missing)
    # dose words after a separator name nothing
    assert meds("omeprazole 20 mg, 2 tablets as needed").finding(STRONG_INH).state == "not_met"


@pytest.mark.parametrize("line,unknown", [
    ("metformin (ketoconazol)", "ketoconazol"), ("omeprazole/posaconazol", "posaconazol"),
    ("omeprazole 20 mg posaconazol 300 mg", "posaconazol"), ("omeprazole with clarithromicin", "clarithromicin"),
    ("metformin 500 mg twice daily then ketoconazol", "ketoconazol"), ("amlodipine\tposaconazol", "posaconazol"),
])
def test_a_known_drug_does_not_vouch_for_a_misspelt_one_without_a_separator(line: str, unknown: str) -> None:
    # the hunt: each of these gave 'not present' and the full 40 mg/m2 beside a misspelt strong inhibitor
    a = meds(line)
    assert a.finding(STRONG_INH).state == "unknown", line
    assert any(unknown in m.label for m in a.finding(STRONG_INH).missing), line
    assert a.dose.state == "unknown" and a.dose.dose_mg is None
    assert (a.dose.mg_per_m2_unless_strong_inhibitor, a.dose.mg_per_m2_if_strong_inhibitor) == (40, 20)
    # form and dose words beside a known name still name nothing
    for fine in ("omeprazole 20 mg daily", "ketoconazole 2% shampoo", "diphenhydramine 50 mg po",
                 "omeprazole 20 MG Delayed Release Oral Capsule", "sertraline hydrochloride 50 mg",
                 "omeprazole 20 mg OD (for GERD)", "ondansetron 8 mg prn nausea",
                 # a prescription's own words (the lead's pass after the merge: these three were unknown)
                 "omeprazole 20 mg before breakfast", "paracetamol 1 g up to four times a day",
                 "levothyroxine 75 mcg once daily on an empty stomach", "metformin 1 tablet two times a day"):
        assert classify([fine], default_criteria())[0].unrecognised == [], fine


def test_a_product_component_not_classified_leaves_the_other_checks_open() -> None:
    a = meds("Genvoya")
    assert a.finding(STRONG_INH).state == "met"
    f = a.finding(STRONG_IND)
    assert f.state == "unknown" and any("elvitegravir" in m.label for m in f.missing)


@pytest.mark.parametrize("line", [
    "omeprazole 20mg po od", "pantoprazole 40 mg", "ondansetron 8 mg prn", "Zofran", "palonosetron",
    "diphenhydramine 50 mg po", "famotidine 20 mg", "paracetamol 1 g qid", "oxycodone 5 mg prn", "apixaban 5 mg bid",
    "Eliquis", "enoxaparin 40 mg sc daily", "metformin 500 mg twice daily", "insulin glargine 20 units nocte",
    "sertraline 50 mg", "letrozole 2.5 mg", "tamoxifen", "Arimidex", "fulvestrant 500 mg im", "vitamin D3 1000 IU",
    "calcium carbonate", "amlodipine 5 mg", "gabapentin 300 mg tid",
])
def test_none_known_drugs_are_not_present(line: str) -> None:
    a = meds(line)
    for fid in CYP:
        assert a.finding(fid).state == "not_met", (line, fid)
    assert a.dose.state == "computed" and a.dose.mg_per_m2 == 40
    # "not present" rests on the FDA summary's lists, a secondary copy
    assert any("FDA classification summary" in u for u in a.finding(STRONG_INH).unverified_basis)


@pytest.mark.parametrize("line,fid", [
    ("fluconazole 200 mg daily", MOD_INH), ("Emend 125 mg day 1", MOD_INH), ("aprepitant", MOD_INH),
    ("fosaprepitant 150 mg iv", MOD_INH), ("Akynzeo", MOD_INH), ("netupitant/palonosetron", MOD_INH),
    ("cimetidine 400 mg", MOD_INH), ("Kisqali 600 mg", MOD_INH), ("diltiazem 120 mg", MOD_INH),
    ("grapefruit juice", MOD_INH),
    ("efavirenz 600 mg", MOD_IND), ("modafinil 100 mg", MOD_IND), ("bosentan", MOD_IND), ("Atripla", MOD_IND),
])
def test_moderate_is_a_caution_without_a_dose_rule(line: str, fid: str) -> None:
    a = meds(line)
    f = a.finding(fid)
    assert f.state == "met" and f.severity == "warning" and f.confidence == "unverified", line
    assert fid in a.warnings
    assert a.finding(STRONG_INH).state == "not_met" and a.finding(STRONG_IND).state == "not_met"
    assert a.dose.state == "computed" and a.dose.mg_per_m2 == 40 and a.dose.adjustments == []
    assert any("no dose rule" in n for n in a.dose.notes)


@pytest.mark.parametrize("line", [
    "Paxlovid (nirmatrelvir/ritonavir)", "ritonavir-boosted regimen", "Kaletra (lopinavir and ritonavir)",
])
def test_combination_lines_take_every_class(line: str) -> None:
    lines = classify([line], default_criteria())
    assert {h.entry.class_id for h in lines[0].hits} == {"strong_inhibitor"} and lines[0].unrecognised == []
    both = classify(["Kisqali Femara Co-Pack"], default_criteria())[0]
    assert {h.entry.name for h in both.hits} == {"ribociclib", "letrozole"}
    assert {h.entry.class_id for h in both.hits} == {"moderate_inhibitor", "none_known"}


def test_empty_list_is_no_interaction_and_a_list_not_recorded_leaves_the_dose_open() -> None:
    a = meds()
    assert all(a.finding(fid).state == "not_met" for fid in CYP) and a.dose.state == "computed"
    b = run(consult(history={"medications": None}))
    assert all(b.finding(fid).state == "unknown" for fid in CYP)
    d = b.dose  # any medication could be a strong inhibitor: not one silent full dose either
    assert d.state == "unknown" and d.dose_mg is None and d.unrecognised_medications == []
    assert (d.mg_per_m2_unless_strong_inhibitor, d.mg_per_m2_if_strong_inhibitor) == (40, 20)
    assert "unless a current medication is a strong CYP3A4 inhibitor" in d.summary
    assert [m.field for m in d.missing] == ["history.medications"]
    # at 20 mg/m2 already (hepatic row 3) the list cannot change the dose: decided
    c = run(consult(labs=ROW3, history={"medications": None})).dose
    assert c.state == "computed" and c.mg_per_m2 == 20
    assert any("only if no current medication is a strong CYP3A4 inhibitor" in n for n in c.notes)


# --- a strong inhibitor together with a hepatic reduction (facts sheet section 9, verify) -------

ROW2 = labs(ast={"value": 120, "uln": 40, "unit": "U/L"})  # 3 x ULN: 32 mg/m2
ROW3 = labs(bilirubin={"value": 2.4, "uln": 1.2, "unit": "mg/dL"})  # 2 x ULN: 20 mg/m2, later up to 30


@pytest.mark.parametrize("lab,med", [(ROW2, "ketoconazole 200 mg"), (ROW2, "posaconazole 300 mg daily"),
                                     (ROW3, "voriconazole 200 mg bid"), (ROW3, "Paxlovid")])
def test_strong_inhibitor_with_hepatic_reduction_takes_the_lower_dose_and_no_30_step(lab: dict, med: str) -> None:
    d = run(consult(labs=lab, history={"medications": [med]})).dose
    assert d.state == "computed" and d.mg_per_m2 == 20
    assert not any("may be raised to at most 30" in n for n in d.notes)
    assert any("not offered while the strong CYP3A4 inhibitor continues" in n for n in d.notes) is (lab is ROW3)
    assert any("not studied" in u for u in d.unverified)
    assert any("lower of the two" in a for a in d.adjustments)


def test_hepatic_row3_alone_still_offers_the_later_30_step() -> None:
    d = run(consult(labs=ROW3)).dose
    assert d.mg_per_m2 == 20 and any("may be raised to at most 30" in n for n in d.notes)
    assert not any("not studied" in u for u in d.unverified)


def test_hepatic_row2_with_an_unknown_medication_depends_on_it() -> None:
    d = run(consult(labs=ROW2, history={"medications": ["zzfoo 10 mg"]})).dose
    assert d.state == "unknown"
    assert (d.mg_per_m2_unless_strong_inhibitor, d.mg_per_m2_if_strong_inhibitor) == (32, 20)


def test_hepatic_row3_with_an_unknown_medication_is_decided_with_a_note() -> None:
    d = run(consult(labs=ROW3, history={"medications": ["zzfoo 10 mg"]})).dose
    assert d.state == "computed" and d.mg_per_m2 == 20  # 20 mg/m2 whatever zzfoo is
    assert d.unrecognised_medications == ["zzfoo 10 mg"] and d.mg_per_m2_if_strong_inhibitor is None
    assert any("only if none of zzfoo 10 mg is a strong CYP3A4 inhibitor" in n for n in d.notes)


# --- pre-existing neuropathy: the PI gives no grade ----------------------------------------------

@pytest.mark.parametrize("grade,state", [(0, "not_met"), (1, "met"), (2, "met"), (4, "met"), (None, "unknown")])
def test_neuropathy_warning_from_grade_1(grade: int | None, state: str) -> None:
    f = run(consult(history={"neuropathy_grade": grade})).finding("warning.neuropathy")
    assert f.state == state
    assert "2 or more" not in f.title and "no grade" in f.source.section


# --- the criteria refuse a dictionary that contradicts itself ------------------------------------

def _copy(tmp_path: Path) -> Path:
    dst = tmp_path / "criteria"
    shutil.copytree(criteria_dir(), dst)
    return dst


def test_a_name_listed_twice_is_refused_with_its_line(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    p = folder / "medications.yaml"
    text = p.read_text(encoding="utf-8")
    p.write_text(text.replace("- {name: ondansetron, brands: [Zofran]}", "- {name: ondansetron, brands: [Noxafil]}"),
                 encoding="utf-8")
    with pytest.raises(CriteriaError) as err:
        load_criteria(folder)
    assert err.value.file == "medications.yaml" and err.value.line is not None and "Noxafil" in err.value.reason


def test_a_product_of_an_unknown_drug_is_refused(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    p = folder / "medications.yaml"
    p.write_text(p.read_text(encoding="utf-8").replace("contains: [lopinavir, ritonavir]", "contains: [lopinavir, zzfoo]"),
                 encoding="utf-8")
    with pytest.raises(CriteriaError, match="zzfoo"):
        load_criteria(folder)


def test_a_rule_on_the_none_known_class_is_refused(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    p = folder / "warnings.yaml"
    p.write_text(p.read_text(encoding="utf-8").replace("medication: moderate_inducer", "medication: none_known"),
                 encoding="utf-8")
    with pytest.raises(CriteriaError, match="none_known"):
        load_criteria(folder)


# --- assess --json: fields added, none renamed ----------------------------------------------------

def test_json_dose_has_the_new_fields_and_keeps_the_old(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src = json.loads((EXAMPLES / "01-combination-after-anthracycline-and-taxane.json").read_text(encoding="utf-8"))
    src["history"]["medications"] = ["omeprazole 20 mg daily", "zzfoo 10 mg"]
    f = tmp_path / "c.json"
    f.write_text(json.dumps(src), encoding="utf-8")
    assert main(["assess", str(f), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    dose = data["dose"]
    for old in ("state", "summary", "mg_per_m2", "dose_mg", "adjustments", "notes", "missing", "unverified", "vials"):
        assert old in dose
    assert dose["state"] == "unknown" and dose["dose_mg"] is None
    assert dose["unrecognised_medications"] == ["zzfoo 10 mg"]
    assert dose["mg_per_m2_unless_strong_inhibitor"] == 40 and dose["mg_per_m2_if_strong_inhibitor"] == 20
    assert dose["dose_mg_unless_strong_inhibitor"] == 70.6
    states = {x["id"]: x["state"] for x in data["findings"]}
    assert states[STRONG_INH] == "unknown" and states[MOD_INH] == "unknown"
