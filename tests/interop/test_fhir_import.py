"""FHIR import: mapping per resource type, units, LOINC families, HER2 without a score, medications,
regimens, provenance through save and open, malformed files and the command line."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from ixdesk.cli import main
from ixdesk.core.consult import CountLab
from ixdesk.core.criteria import default_criteria
from ixdesk.core.files import consult_to_json, load_consult, parse_consult, save_consult
from ixdesk.interop import loinc, units
from ixdesk.interop.fhir_map import ImportRefused, import_file, import_resources
from ixdesk.interop.fhir_read import FhirReadError, parse_text
from tests.interop import make_bundles as mb

DATA = Path(__file__).resolve().parents[1] / "data" / "fhir"
DAY = dt.date(2026, 11, 18)
CRIT = default_criteria()


def run(resources: list[dict[str, Any]], day: dt.date = DAY):
    return import_resources(parse_text(json.dumps(mb.bundle(resources))), CRIT, day, "t.json")


def test_the_shipped_bundles_are_the_generator_s_output(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(mb, "OUT", tmp_path)
    mb.main()
    for f in tmp_path.iterdir():
        assert f.read_text() == (DATA / f.name).read_text(), f.name


# --- example bundles ----------------------------------------------------------------------

def test_example_a_us_style_bundle() -> None:
    r = import_file(str(DATA / "example-a-bundle.json"), CRIT, DAY)
    c = r.consult
    assert (c.patient.name, c.patient.record_number, c.patient.sex) == ("Alba Testpatient", "MRN-A-0001", "female")
    assert c.patient.date_of_birth == dt.date(1968, 4, 12)
    assert (c.patient.height_cm, c.patient.weight_kg) == (165, 68.5)  # the latest weight
    assert c.labs.neutrophils == CountLab(value=2.1, unit="10^9/L")  # 2026-11-20 is after the consult
    assert c.labs.platelets is not None and c.labs.platelets.per_mm3 == 210_000
    assert c.labs.ast is not None and (c.labs.ast.value, c.labs.ast.uln) == (30, 40)
    assert c.labs.bilirubin is not None and (c.labs.bilirubin.value, c.labs.bilirubin.uln, c.labs.bilirubin.unit) == (0.8, 1.2, "mg/dL")
    assert c.labs.date == dt.date(2026, 10, 27)  # the oldest chosen lab
    assert (c.disease.er, c.disease.pr, c.disease.her2_ihc, c.disease.her2_ish) == ("positive", "negative", "2+", "negative")
    assert c.disease.her2_status == "low"
    assert c.disease.extent == "metastatic"
    assert c.history.medications == ["omeprazole 20 MG Delayed Release Oral Capsule", "metformin 500 MG Oral Tablet",
                                     "ondansetron 8 MG Oral Tablet"]
    assert [r.agents for r in c.regimens] == [["cyclophosphamide", "doxorubicin"], ["paclitaxel"]]
    assert [str(r.last_dose_date) for r in c.regimens] == ["2022-02-21", "2022-05-23"]
    assert all(r.setting == "adjuvant" and r.progression_date is None and r.progressed is None for r in c.regimens)
    # older and later neutrophil values are in the history, newest first
    assert [h.value["value"] for h in r.history["labs.neutrophils"]] == [3.0, 1.2]


def test_example_b_mcode_like_bundle_other_codes_and_units() -> None:
    r = import_file(str(DATA / "example-b-mcode-like-bundle.json"), CRIT, DAY)
    c = r.consult
    assert c.patient.height_cm == 158  # 1.58 m
    assert c.labs.neutrophils == CountLab(value=1500, unit="cells/mm3")  # 26499-4 in /mm3
    assert c.labs.platelets == CountLab(value=95, unit="10^9/L")  # 26515-7
    assert c.labs.bilirubin is not None and (c.labs.bilirubin.unit, c.labs.bilirubin.uln) == ("umol/L", 21)
    assert c.labs.creatinine is not None and c.labs.creatinine.unit == "umol/L"
    assert c.labs.hemoglobin is not None and c.labs.hemoglobin.g_dl == pytest.approx(11.8)
    assert (c.disease.er, c.disease.pr) == ("positive", "positive")  # 40556-3 as text, 85339-0 coded
    assert c.disease.pdl1_cps == 12
    assert c.disease.extent == "metastatic"  # C79.51; C77.3 alone would not say so
    reg = c.regimens[0]
    assert reg.agents == ["docetaxel", "pertuzumab", "trastuzumab"] and reg.setting == "metastatic"
    assert reg.agent_last_dose("docetaxel") is not None and str(reg.agent_last_dose("docetaxel")) == "2025-06-16"
    assert str(reg.last_dose_date) == "2025-12-01"
    assert "tamoxifen 20 MG Oral Tablet (stopped)" in r.medication_history
    assert not any("tamoxifen" in m for m in c.history.medications or [])
    assert any("C77" in u.code for u in r.unmapped)


def test_example_c_synthea_mcode_shaped_transaction() -> None:
    r = import_file(str(DATA / "example-c-synthea-mcode-like-transaction.json"), CRIT, DAY)
    c = r.consult
    assert c.patient.record_number == "MRN-C-0003"  # the old v2-0203 system still says MR
    assert (c.patient.height_cm, c.patient.weight_kg) == (162.56, 68.04)  # [in_i] and [lb_av]
    assert c.labs.neutrophils == CountLab(value=1.9, unit="10^9/L")  # 753-4 newer than 768-2
    assert r.provenance["labs.neutrophils"].code == "http://loinc.org|753-4"
    assert [h.provenance.code for h in r.history["labs.neutrophils"]] == ["http://loinc.org|768-2"]
    assert c.labs.date == dt.date(2026, 11, 16)  # the date of a date-time with a zone, as written
    assert (c.disease.er, c.disease.pr) == ("negative", "positive")  # 16112-5; 40557-1 in SNOMED words
    assert c.disease.her2_ihc == "1+" and c.disease.her2_status == "low"  # the negative interpretation adds nothing
    assert c.disease.extent == "metastatic"  # SNOMED secondary malignant neoplasm of bone
    ac, cape = c.regimens
    assert ac.agents == ["cyclophosphamide", "doxorubicin"] and ac.setting is None  # curative: not a setting
    assert cape.agents == ["capecitabine"] and cape.last_dose_date is None and cape.ongoing  # an active order
    assert any("curative" in n for n in r.notes) and any("orders only" in n for n in r.notes)
    reasons = {u.where: u.reason for u in r.unmapped}
    assert "entered in error" in reasons["MedicationStatement/c-ms1"]
    # rifampin on hold: on the current list with a note, never left out (it may be restarted)
    assert "MedicationStatement/c-ms2" not in reasons
    assert c.history.medications == ["rifampin 300 MG Oral Capsule"]
    assert any("rifampin" in n and "'on-hold'" in n and "remove it if" in n for n in r.notes)


def test_ndjson_variant_gives_the_same_consult() -> None:
    a = import_file(str(DATA / "example-a-bundle.json"), CRIT, DAY).consult
    b = import_file(str(DATA / "example-a-bulk.ndjson"), CRIT, DAY).consult
    assert a.model_dump(exclude={"provenance"}) == b.model_dump(exclude={"provenance"})
    assert a.provenance.keys() == b.provenance.keys()


# --- HER2 ---------------------------------------------------------------------------------

def test_her2_negative_without_score_never_becomes_ihc_0() -> None:
    r = run([mb.obs("h", "48676-1", "HER2 [Interpretation] in Tissue", "2025-01-01", answer=("LA6577-6", "Negative"))])
    assert r.consult.disease.her2_ihc is None and r.consult.disease.her2_ish is None
    assert r.consult.disease.her2_status is None
    assert "no score" in (r.provenance["disease.her2_ihc"].original or "")
    assert any("HER2 negative without an IHC score" in n for n in r.notes)


def test_her2_ihc_negative_text_without_score_is_not_0_but_a_score_0_is() -> None:
    neg = run([mb.obs("h", "18474-7", "HER2 Ag [Presence] in Tissue by Immune stain", "2025-01-01", text="Negative")])
    assert neg.consult.disease.her2_ihc is None
    zero = run([mb.obs("h", "18474-7", "HER2 Ag", "2025-01-01", text="Negative (Score 0)")])
    assert zero.consult.disease.her2_ihc == "0"


@pytest.mark.parametrize("code", loinc.HER2_IHC_CODES)
def test_her2_ihc_family(code: str) -> None:
    assert run([mb.obs("h", code, "HER2 IHC", "2025-01-01", text="3+")]).consult.disease.her2_ihc == "3+"


def test_her2_ish_amplified() -> None:
    r = run([mb.obs("h", "85318-4", "ERBB2 FISH", "2025-01-01", text="Amplified")])
    assert r.consult.disease.her2_ish == "positive" and r.consult.disease.her2_status == "positive"


@pytest.mark.parametrize(("name", "codes"), [("er", loinc.ER_CODES), ("pr", loinc.PR_CODES)])
def test_receptor_families(name: str, codes: tuple[str, ...]) -> None:
    for code in codes:
        c = run([mb.obs("r", code, "receptor", "2025-01-01", answer=("LA6576-8", "Positive"))]).consult
        assert getattr(c.disease, name) == "positive", code


# --- labs and units -----------------------------------------------------------------------

@pytest.mark.parametrize("code", loinc.LAB_FAMILIES["neutrophils"])
def test_neutrophil_family(code: str) -> None:
    c = run([mb.obs("n", code, "ANC", "2026-11-10", 1.5, "10*9/L")]).consult
    assert c.labs.neutrophils is not None and c.labs.neutrophils.per_mm3 == 1500


def test_count_units_at_the_boundary() -> None:
    """1500/mm³ and 1.5 × 10⁹/L (and 1.5 10*3/uL) are the same count, exactly the label's threshold."""
    a, b, c = units.count(1500, "/mm3"), units.count(1.5, "10*9/L"), units.count(1.5, "10*3/uL")
    per = [CountLab(value=x.value, unit=x.unit).per_mm3 for x in (a, b, c)]  # type: ignore[arg-type]
    assert per == [1500, 1500, 1500]
    assert units.count(100, "10*3/uL").value * 1000 == 100_000
    with pytest.raises(units.UnitError, match="mmol"):
        units.count(1.5, "mmol/L")


def test_bilirubin_uln_in_another_unit_is_converted_to_the_value_s_unit() -> None:
    r = run([mb.obs("b", "1975-2", "Bilirubin", "2026-11-10", 1.0, "mg/dL", high=17.1, high_unit="umol/L")])
    bili = r.consult.labs.bilirubin
    assert bili is not None and bili.unit == "mg/dL" and bili.uln == pytest.approx(1.0) and bili.x_uln == 1.0


def test_liver_test_without_reference_range_is_not_imported_and_says_why() -> None:
    r = run([mb.obs("a", "1920-8", "AST", "2026-11-10", 30, "U/L")])
    assert r.consult.labs.ast is None
    assert any("referenceRange.high" in u.reason and u.where == "Observation/a" for u in r.unmapped)


def test_unknown_unit_and_implausible_count_are_listed() -> None:
    r = run([mb.obs("p", "777-3", "Platelets", "2026-11-10", 150, "mmol/L"),
             mb.obs("n", "751-8", "ANC", "2026-11-10", 1500, "10*9/L")])
    assert r.consult.labs.platelets is None and r.consult.labs.neutrophils is None
    reasons = " ".join(u.reason for u in r.unmapped)
    assert "mmol/L" in reasons and "1500 10*9/L" in reasons


def test_latest_lab_on_the_consult_date_is_taken_one_day_later_is_not() -> None:
    r = run([mb.obs("n1", "751-8", "ANC", "2026-11-18", 2.0, "10*9/L"),
             mb.obs("n2", "751-8", "ANC", "2026-11-19", 3.0, "10*9/L"),
             mb.obs("n0", "751-8", "ANC", "2026-11-01", 1.0, "10*9/L")])
    assert r.consult.labs.neutrophils is not None and r.consult.labs.neutrophils.value == 2.0
    assert r.provenance["labs.neutrophils"].resource_id == "n1"
    assert [h.provenance.resource_id for h in r.history["labs.neutrophils"]] == ["n2", "n0"]


def test_preliminary_and_unknown_observations_are_listed() -> None:
    o = mb.obs("n", "751-8", "ANC", "2026-11-10", 2.0, "10*9/L")
    o["status"] = "preliminary"
    r = run([o, mb.obs("x", "2093-3", "Cholesterol", "2026-11-10", 190, "mg/dL")])
    assert r.consult.labs.neutrophils is None
    assert {u.where for u in r.unmapped} == {"Observation/n", "Observation/x"}


# --- conditions, medications, regimens ----------------------------------------------------

def test_metastatic_site_gives_extent_resolved_does_not() -> None:
    c = mb.cond("c", mb.ICD10, "C78.01", "Secondary malignant neoplasm of right lung", "2026-01-01")
    assert run([c]).consult.disease.extent == "metastatic"
    c["clinicalStatus"]["coding"][0]["code"] = "resolved"
    assert run([c]).consult.disease.extent is None


def test_completed_and_stopped_medications_are_history_not_current() -> None:
    r = run([mb.statement("m1", "clarithromycin 500 MG Oral Tablet", "1", "completed", "2026-01-01"),
             mb.statement("m2", "rifampin 300 MG", "2", "stopped", "2026-01-01"),
             mb.statement("m3", "omeprazole 20 MG", "3", "active", "2026-01-01")])
    assert r.consult.history.medications == ["omeprazole 20 MG"]
    assert r.medication_history == ["clarithromycin 500 MG Oral Tablet (completed)", "rifampin 300 MG (stopped)"]
    assert r.provenance["history.medications[0]"].resource_id == "m3"


def test_a_current_medication_sent_as_a_code_alone_keeps_the_cyp3a4_check_unknown() -> None:
    """Left out, a code-only statement would read as 'no strong CYP3A4 inhibitor' and the full dose."""
    from ixdesk.core.engine import assess

    coded = mb.statement("m9", "x", "21212", "active", "2026-01-01")
    coded["medicationCodeableConcept"] = {"coding": [{"system": mb.RXNORM, "code": "21212"}]}  # no display, no text
    gone = mb.statement("m8", "x", "197", "completed", "2026-01-01")
    gone["medicationCodeableConcept"] = {"coding": [{"system": mb.RXNORM, "code": "197"}]}
    r = run([coded, gone, mb.statement("m3", "omeprazole 20 MG", "3", "active", "2026-01-01")])
    meds = r.consult.history.medications
    assert len(meds) == 2 and meds[0].startswith("unnamed medication (code ") and "21212" in meds[0]
    assert any("m9" in n and "code alone" in n for n in r.notes)
    assert any(u.where == "MedicationStatement/m8" for u in r.unmapped)  # not current: not added
    a = assess(r.consult, CRIT, as_of=DAY)
    states = {f.id: f.state for f in a.findings}
    assert states["warning.cyp3a4_inhibitor"] == "unknown"  # the strong-inhibitor warning, naming the line


@pytest.mark.parametrize("status", ["on-hold", "unknown"])
def test_a_medication_on_hold_or_of_unknown_status_is_weighed_not_left_out(status: str) -> None:
    """Clarithromycin on hold may be restarted during the cycle: left out, the rest of the list
    (omeprazole) read as complete and the strong-inhibitor warning as not present."""
    from ixdesk.core.engine import assess

    held = mb.statement("m1", "clarithromycin 500 MG Oral Tablet", "1", status, "2026-10-01")
    request = {"resourceType": "MedicationRequest", "id": "m2", "status": status, "intent": "order",  # the same
               "medicationCodeableConcept": {"text": "itraconazole 100 MG"}, "subject": {"reference": "Patient/p1"},
               "authoredOn": "2026-10-01"}
    r = run([held, request, mb.statement("m3", "omeprazole 20 MG", "3", "active", "2026-01-01")])
    # the current ones first, then those on hold or of unknown status
    assert r.consult.history.medications == ["omeprazole 20 MG", "clarithromycin 500 MG Oral Tablet", "itraconazole 100 MG"]
    assert not [u for u in r.unmapped if u.where in ("MedicationStatement/m1", "MedicationRequest/m2")]
    assert sum(f"'{status}'" in n or f"'request {status}'" in n for n in r.notes) == 2
    a = assess(r.consult, CRIT, as_of=DAY)
    assert {f.id: f.state for f in a.findings}["warning.cyp3a4_inhibitor"] == "met"


def test_an_on_hold_medication_stopped_later_is_not_current_and_one_already_current_is_not_doubled() -> None:
    """A later record that says it ended is the record's last word; a medication listed as current
    is not listed twice; an on-hold cancer agent keeps the note that asks to check the regimens."""
    from ixdesk.core.engine import assess

    r = run([mb.statement("h1", "clarithromycin 500 MG Oral Tablet", "1", "on-hold", "2026-06-01"),
             mb.statement("h2", "clarithromycin 500 MG Oral Tablet", "1", "stopped", "2026-09-01"),
             mb.statement("h3", "omeprazole 20 MG", "3", "on-hold", "2026-06-01"),
             mb.statement("h4", "omeprazole 20 MG", "3", "active", "2026-06-01"),
             mb.statement("h5", "itraconazole 100 MG", "4", "on-hold", "2026-10-01"),
             mb.statement("h6", "itraconazole 100 MG", "4", "completed", "2026-01-01"),
             mb.statement("h7", "capecitabine 500 MG", "5", "on-hold", "2026-10-01"),
             mb.statement("h8", "ketoconazole 200 MG", "6", "on-hold", "2026-06-01"),
             mb.statement("h9", "ketoconazole 200 MG", "6", "entered-in-error", "2026-09-01")])
    # an entered-in-error record says nothing of whether ketoconazole ended: it stays weighed
    assert r.consult.history.medications == ["omeprazole 20 MG", "itraconazole 100 MG", "capecitabine 500 MG",
                                             "ketoconazole 200 MG"]
    assert any("h1" in n and "h2" in n and "'stopped'" in n and "not on the current" in n for n in r.notes)
    assert any("capecitabine" in n and "check the prior regimens" in n for n in r.notes)
    a = assess(r.consult, CRIT, as_of=DAY)  # itraconazole: on hold since after it was completed
    assert {f.id: f.state for f in a.findings}["warning.cyp3a4_inhibitor"] == "met"


def test_regimen_grouping_agents_together_and_apart() -> None:
    rs = [mb.admin(f"d{i}", "docetaxel", "1", d) for i, d in enumerate(mb.dates("2024-01-01", 4, 21))]
    rs += [mb.admin(f"t{i}", "trastuzumab", "2", d) for i, d in enumerate(mb.dates("2024-01-03", 8, 21))]
    rs += [mb.admin(f"c{i}", "capecitabine 500 MG", "3", d) for i, d in enumerate(mb.dates("2025-01-01", 3, 21))]
    rs += [mb.admin("o1", "ondansetron 8 MG", "4", "2024-01-01")]
    r = run(rs)
    regs = r.consult.regimens
    assert [g.agents for g in regs] == [["docetaxel", "trastuzumab"], ["capecitabine"]]
    assert str(regs[0].start_date) == "2024-01-01" and str(regs[0].last_dose_date) == "2024-05-29"
    assert [(a.agent, str(a.last_dose_date)) for a in regs[0].agent_last_doses] == [("docetaxel", "2024-03-04")]
    assert regs[0].setting is None  # no coded intent: left for the clinician
    assert any(u.where == "MedicationAdministration/o1" for u in r.unmapped)
    assert r.provenance["regimens[1]"].resource_id == "c0"


# --- provenance and files -----------------------------------------------------------------

def test_provenance_round_trip_through_save_and_open(tmp_path: Path) -> None:
    c = import_file(str(DATA / "example-a-bundle.json"), CRIT, DAY).consult
    p = c.provenance["labs.neutrophils"]
    assert (p.resource_type, p.resource_id, p.date, p.code, p.unit, p.original) == (
        "Observation", "anc1", dt.date(2026, 10, 28), "http://loinc.org|751-8", "10*3/uL", "2.1 10*3/uL")
    save_consult(c, tmp_path / "c.json")
    back = load_consult(tmp_path / "c.json")
    assert back == c and back.provenance == c.provenance


def test_a_consult_without_provenance_keeps_its_exact_form() -> None:
    for f in sorted((Path(__file__).resolve().parents[2] / "resources" / "examples").glob("*.json")):
        saved = consult_to_json(parse_consult(f.read_text()))
        assert '"provenance"' not in saved, f.name  # no new key: the file is what it was before
        assert consult_to_json(parse_consult(saved)) == saved


# --- malformed input ----------------------------------------------------------------------

def test_malformed_bundle_names_resource_and_field() -> None:
    with pytest.raises(FhirReadError) as info:
        import_file(str(DATA / "malformed-bundle.json"), CRIT, DAY)
    assert [str(p) for p in info.value.problems] == ["Observation/wt0, valueQuantity.value: is not a number"]


@pytest.mark.parametrize(("text", "expected"), [
    ("", "file: is empty"),
    ("[1, 2]", "neither a FHIR Bundle"),
    ('{"resourceType": "Patient"}\n{"resourceType": "Observation", "id": "o", oops}\n', "line 2: is not valid JSON"),
    ('{"resourceType": "Bundle", "type": "collection", "entry": [{"resource": {"resourceType": "wizard!", "id": "w"}}]}',
     "resourceType: 'wizard!' is not a FHIR R4 resource type"),
    ('{"resourceType": "Bundle", "type": "collection", "entry": [{"resource": {"resourceType": "Patient", "id": "p", "birthDate": "12/04/1968"}}]}',
     "Patient/p, birthDate"),
])
def test_malformed_inputs(text: str, expected: str) -> None:
    with pytest.raises(FhirReadError) as info:
        parse_text(text)
    assert expected in " ".join(map(str, info.value.problems))


def test_types_ixdesk_does_not_read_are_listed_unvalidated_and_unknown_types_named() -> None:
    """A Claim an R4B model would fault must not refuse a chart whose labs are fine."""
    r = run([{"resourceType": "Claim", "id": "cl1", "status": 12},
             {"resourceType": "Wizard", "id": "w"},
             mb.obs("n", "751-8", "ANC", "2026-11-10", 2.0, "10*9/L")])
    assert r.consult.labs.neutrophils is not None
    assert {(u.where, u.reason) for u in r.unmapped} == {
        ("Claim/cl1", "IxDesk does not read this resource type"), ("Wizard/w", "not a FHIR R4 resource type")}


def test_a_value_with_a_comparator_is_not_exact() -> None:
    o = mb.obs("b", "1975-2", "Bilirubin", "2026-11-10", 0.1, "mg/dL", high=1.2)
    o["valueQuantity"]["comparator"] = "<"
    r = run([o])
    assert r.consult.labs.bilirubin is None
    assert any("'<' value" in u.reason for u in r.unmapped)


def test_control_characters_in_resource_text_never_break_the_import() -> None:
    """The consult refuses control characters; text from a resource is cleaned, not refused whole."""
    r = import_resources(parse_text(json.dumps(mb.bundle([
        mb.patient("p1", "Te\x0bst", "A\x01b", "MR\x02N", "1970-01-01"),
        mb.statement("m", "omeprazole\x0b 20 mg", "1", "active", "2026-01-01")]))), CRIT, DAY, "f\nx.json")
    assert (r.consult.patient.name, r.consult.patient.record_number) == ("A b Te st", "MR N")
    assert r.consult.history.medications == ["omeprazole 20 mg"]
    assert r.provenance["patient.name"].file == "f x.json"


def test_two_patients_are_refused() -> None:
    with pytest.raises(ImportRefused, match="2 patients"):
        run([mb.patient("p1", "A", "B", "1", "1970-01-01"), mb.patient("p2", "C", "D", "2", "1971-01-01")])


def test_r4_medication_fields_are_read_with_the_r4b_models() -> None:
    """R5 dropped MedicationStatement.medicationCodeableConcept; the R4B models keep it."""
    r = run([mb.statement("m", "omeprazole 20 MG", "1", "active", "2026-01-01")])
    assert r.consult.history.medications == ["omeprazole 20 MG"]


# --- command line -------------------------------------------------------------------------

def test_cli_import_writes_the_consult_and_no_identifiers(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "c.json"
    assert main(["import", str(DATA / "example-a-bundle.json"), "-o", str(out), "--consult-date", "2026-11-18"]) == 0
    text = capsys.readouterr().out
    assert "Alba" not in text and "MRN-A-0001" not in text and "1968" not in text
    assert "Encounter: 1 resource(s): IxDesk does not read this resource type" in text and "clarithromycin" in text
    assert load_consult(out).labs.neutrophils is not None
    # never replaces an existing file without --force
    assert main(["import", str(DATA / "example-a-bundle.json"), "-o", str(out)]) == 2
    assert "exists" in capsys.readouterr().err


def test_cli_import_never_replaces_the_export_it_reads(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # the hunt: 'import b.json -o b.json --force' replaced the FHIR bundle with the consult made from it
    src = tmp_path / "b.json"
    src.write_bytes((DATA / "example-a-bundle.json").read_bytes())
    before = src.read_bytes()
    link = tmp_path / "link.json"
    link.symlink_to(src)
    for target in (src, link, tmp_path / "." / "b.json"):
        assert main(["import", str(src), "-o", str(target), "--force", "--consult-date", "2026-11-18"]) == 2
        assert "is the file being imported" in capsys.readouterr().err
        assert src.read_bytes() == before


def test_cli_import_malformed_exit_2_without_traceback(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "c.json"
    assert main(["import", str(DATA / "malformed-bundle.json"), "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert "Observation/wt0, valueQuantity.value: is not a number" in err and "Traceback" not in err
    assert not out.exists()


def test_a_key_given_twice_with_different_values_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # the hunt: a resource with "value" twice was read with the last one, silently
    text = (DATA / "example-a-bundle.json").read_text(encoding="utf-8")
    i = text.index('"value":')
    twice = text[:i] + '"value": 99999, ' + text[i:]
    with pytest.raises(FhirReadError) as info:
        parse_text(twice, "x.json")
    assert [(p.field, p.message) for p in info.value.problems] == [("value", "is given twice in one object with different values")]
    src = tmp_path / "b.json"
    src.write_text(twice, encoding="utf-8")
    assert main(["import", str(src), "-o", str(tmp_path / "c.json")]) == 2
    assert "is given twice" in capsys.readouterr().err and not (tmp_path / "c.json").exists()
    parse_text(text, "x.json")  # the file as it is still reads


def test_a_number_of_thousands_of_digits_is_refused_not_an_internal_error(capsys: pytest.CaptureFixture[str],
                                                                          tmp_path: Path) -> None:
    # the hunt: a 5,001-digit integer gave "internal error (ValueError in fhir_read.py)"
    text = (DATA / "example-a-bundle.json").read_text(encoding="utf-8")
    i = text.index('"value":', text.index('"valueQuantity"'))
    j = text.index(",", i)
    long = text[:i] + '"value": 1' + "0" * 5000 + text[j:]
    with pytest.raises(FhirReadError) as info:
        parse_text(long, "x.json")
    assert [p.message for p in info.value.problems] == ["holds a number of 5001 digits: not a plausible value"]
    src = tmp_path / "b.json"
    src.write_text(long, encoding="utf-8")
    assert main(["import", str(src), "-o", str(tmp_path / "c.json")]) == 2
    err = capsys.readouterr().err
    assert "5001 digits" in err and "internal error" not in err
