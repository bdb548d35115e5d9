"""Write the synthetic FHIR test bundles in tests/data/fhir (no real patient: names, numbers and
dates are invented). Run: python -m tests.interop.make_bundles"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

OUT = Path(__file__).resolve().parents[1] / "data" / "fhir"
LOINC = "http://loinc.org"
UCUM = "http://unitsofmeasure.org"
RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
ICD10 = "http://hl7.org/fhir/sid/icd-10-cm"
SCT = "http://snomed.info/sct"
INTENT = "http://hl7.org/fhir/us/mcode/StructureDefinition/mcode-treatment-intent"


def obs(oid: str, code: str, display: str, when: str, value: float | None = None, unit: str | None = None,
        high: float | None = None, high_unit: str | None = None, answer: tuple[str, str] | None = None,
        text: str | None = None, **extra: Any) -> dict[str, Any]:
    o: dict[str, Any] = {"resourceType": "Observation", "id": oid, "status": "final",
                         "code": {"coding": [{"system": LOINC, "code": code, "display": display}]},
                         "subject": {"reference": "Patient/p1"}, "effectiveDateTime": when}
    if value is not None:
        o["valueQuantity"] = {"value": value, "unit": unit, "system": UCUM, "code": unit}
    if high is not None:
        o["referenceRange"] = [{"high": {"value": high, "unit": high_unit or unit, "system": UCUM, "code": high_unit or unit}}]
    if answer is not None:
        o["valueCodeableConcept"] = {"coding": [{"system": LOINC, "code": answer[0], "display": answer[1]}]}
    if text is not None:
        o["valueCodeableConcept"] = {"text": text}
    o.update(extra)
    return o


def cond(cid: str, system: str, code: str, display: str, onset: str) -> dict[str, Any]:
    return {"resourceType": "Condition", "id": cid,
            "clinicalStatus": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/condition-clinical", "code": "active"}]},
            "code": {"coding": [{"system": system, "code": code, "display": display}], "text": display},
            "subject": {"reference": "Patient/p1"}, "onsetDateTime": onset}


def admin(aid: str, name: str, rxcui: str, when: str, intent: tuple[str, str] | None = None,
          ref: str | None = None) -> dict[str, Any]:
    a: dict[str, Any] = {"resourceType": "MedicationAdministration", "id": aid, "status": "completed",
                         "subject": {"reference": "Patient/p1"}, "effectiveDateTime": when}
    if ref:
        a["medicationReference"] = {"reference": ref}
    else:
        a["medicationCodeableConcept"] = {"coding": [{"system": RXNORM, "code": rxcui, "display": name}], "text": name}
    if intent:
        a["extension"] = [{"url": INTENT, "valueCodeableConcept": {"coding": [{"system": SCT, "code": intent[0], "display": intent[1]}]}}]
    return a


def statement(sid: str, name: str, rxcui: str, status: str, start: str) -> dict[str, Any]:
    return {"resourceType": "MedicationStatement", "id": sid, "status": status,
            "medicationCodeableConcept": {"coding": [{"system": RXNORM, "code": rxcui, "display": name}], "text": name},
            "subject": {"reference": "Patient/p1"}, "effectivePeriod": {"start": start}}


def patient(pid: str, family: str, given: str, mrn: str, dob: str) -> dict[str, Any]:
    return {"resourceType": "Patient", "id": pid,
            "identifier": [{"type": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v2-0203", "code": "MR"}]},
                            "system": "urn:example:mrn", "value": mrn},
                           {"type": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v2-0203", "code": "SS"}]},
                            "value": "000-00-0000"}],
            "name": [{"use": "official", "family": family, "given": [given]}], "gender": "female", "birthDate": dob}


def dates(start: str, n: int, every: int) -> list[str]:
    import datetime as dt

    d0 = dt.date.fromisoformat(start)
    return [(d0 + dt.timedelta(days=every * i)).isoformat() for i in range(n)]


def bundle(resources: list[dict[str, Any]]) -> dict[str, Any]:
    return {"resourceType": "Bundle", "id": "b1", "type": "collection",
            "entry": [{"fullUrl": f"urn:uuid:{r['id']}", "resource": r} for r in resources]}


def example_a() -> list[dict[str, Any]]:
    """US-style export: counts in 10*3/uL, liver tests with ranges, adjuvant AC then weekly
    paclitaxel (coded curative/adjuvant intent), current and completed medications."""
    adj = ("373846009", "Adjuvant - intent")
    rs: list[dict[str, Any]] = [patient("p1", "Testpatient", "Alba", "MRN-A-0001", "1968-04-12")]
    rs += [obs("ht1", "8302-2", "Body height", "2026-10-01", 165, "cm"),
           obs("wt0", "29463-7", "Body weight", "2026-06-01", 70, "kg"),
           obs("wt1", "29463-7", "Body weight", "2026-10-28", 68.5, "kg"),
           obs("anc0", "751-8", "Neutrophils [#/volume] in Blood by Automated count", "2026-10-01", 1.2, "10*3/uL"),
           obs("anc1", "751-8", "Neutrophils [#/volume] in Blood by Automated count", "2026-10-28", 2.1, "10*3/uL"),
           obs("anc2", "751-8", "Neutrophils [#/volume] in Blood by Automated count", "2026-11-20", 3.0, "10*3/uL"),
           obs("plt1", "777-3", "Platelets [#/volume] in Blood by Automated count", "2026-10-28", 210, "10*3/uL"),
           obs("hb1", "718-7", "Hemoglobin [Mass/volume] in Blood", "2026-10-28", 11.8, "g/dL"),
           obs("ast1", "1920-8", "AST", "2026-10-27", 30, "U/L", high=40),
           obs("alt1", "1742-6", "ALT", "2026-10-27", 25, "U/L", high=35),
           obs("bil1", "1975-2", "Bilirubin.total", "2026-10-27", 0.8, "mg/dL", high=1.2),
           obs("cr1", "2160-0", "Creatinine", "2026-10-27", 0.9, "mg/dL", high=1.1),
           obs("chol", "2093-3", "Cholesterol [Mass/volume] in Serum or Plasma", "2026-10-27", 190, "mg/dL"),
           obs("er1", "85337-4", "Estrogen receptor Ag [Presence] in Breast cancer specimen by Immune stain", "2021-11-02", answer=("LA6576-8", "Positive")),
           obs("pr1", "16113-3", "Progesterone receptor [Interpretation] in Tissue", "2021-11-02", answer=("LA6577-6", "Negative")),
           obs("her2ihc", "85319-2", "HER2 [Presence] in Breast cancer specimen by Immune stain", "2021-11-02", text="2+ (equivocal)"),
           obs("her2ish", "85318-4", "ERBB2 gene duplication [Presence] in Breast cancer specimen by FISH", "2021-11-09", text="Not amplified"),
           cond("c1", ICD10, "C50.911", "Malignant neoplasm of unspecified site of right female breast", "2021-10-20"),
           cond("c2", ICD10, "C78.7", "Secondary malignant neoplasm of liver", "2026-09-15"),
           cond("c3", ICD10, "E11.9", "Type 2 diabetes mellitus without complications", "2015-01-01"),
           statement("ms1", "omeprazole 20 MG Delayed Release Oral Capsule", "311", "active", "2024-01-01"),
           statement("ms2", "clarithromycin 500 MG Oral Tablet", "197517", "completed", "2026-08-01"),
           statement("ms3", "metformin 500 MG Oral Tablet", "861007", "active", "2015-02-01"),
           {"resourceType": "MedicationRequest", "id": "mr1", "status": "active", "intent": "order",
            "medicationCodeableConcept": {"coding": [{"system": RXNORM, "code": "312086", "display": "ondansetron 8 MG Oral Tablet"}]},
            "subject": {"reference": "Patient/p1"}, "authoredOn": "2026-10-20"},
           {"resourceType": "Encounter", "id": "enc1", "status": "finished",
            "class": {"system": "http://terminology.hl7.org/CodeSystem/v3-ActCode", "code": "AMB"}}]
    for i, d in enumerate(dates("2022-01-10", 4, 14)):
        rs.append(admin(f"dox{i}", "doxorubicin hydrochloride 2 MG/ML Injectable Solution", "1790099", d, adj))
        rs.append(admin(f"cyc{i}", "cyclophosphamide 1000 MG Injection", "1734340", d, adj))
    for i, d in enumerate(dates("2022-03-07", 12, 7)):
        rs.append(admin(f"pac{i}", "paclitaxel 6 MG/ML Injectable Solution", "583214", d, adj))
    return rs


def example_b() -> list[dict[str, Any]]:
    """mCODE-like export with other code choices: neutrophils 26499-4 per mm3 and platelets 26515-7
    in 10*9/L, bilirubin in umol/L, ER by 40556-3 as text, HER2 by interpretation only (negative, no
    score), PD-L1 CPS as a component, metastatic docetaxel + trastuzumab + pertuzumab with docetaxel
    stopped first (palliative intent), medications by reference to Medication resources."""
    pal = ("363676003", "Palliative - intent")
    rs: list[dict[str, Any]] = [patient("p1", "Examplecase", "Berta", "MRN-B-0002", "1975-09-30")]
    rs += [obs("b-ht", "8302-2", "Body height", "2026-09-01", 1.58, "m"),
           obs("b-wt", "29463-7", "Body weight", "2026-11-10", 61, "kg"),
           obs("b-anc", "26499-4", "Neutrophils [#/volume] in Blood", "2026-11-12", 1500, "/mm3"),
           obs("b-plt", "26515-7", "Platelets [#/volume] in Blood", "2026-11-12", 95, "10*9/L"),
           obs("b-hb", "718-7", "Hemoglobin [Mass/volume] in Blood", "2026-11-12", 118, "g/L"),
           obs("b-ast", "1920-8", "AST", "2026-11-12", 100, "U/L", high=40),
           obs("b-alt", "1742-6", "ALT", "2026-11-12", 35, "U/L", high=35),
           obs("b-bil", "1975-2", "Bilirubin.total", "2026-11-12", 20, "umol/L", high=21),
           obs("b-cr", "2160-0", "Creatinine", "2026-11-12", 70, "umol/L"),
           obs("b-er", "40556-3", "Estrogen receptor Ag [Presence] in Tissue by Immune stain", "2023-05-04", text="Positive (90%)"),
           obs("b-pr", "85339-0", "Progesterone receptor Ag [Presence] in Breast cancer specimen by Immune stain", "2023-05-04", answer=("LA6576-8", "Positive")),
           obs("b-her2", "48676-1", "HER2 [Interpretation] in Tissue", "2023-05-04", answer=("LA6577-6", "Negative")),
           obs("b-pdl1", "83052-1", "PD-L1 by clone 22C3 [Presence] in Tissue by Immune stain", "2023-05-04",
               component=[{"code": {"text": "PD-L1 combined positive score (CPS)"},
                           "valueQuantity": {"value": 12, "unit": "{score}", "system": UCUM, "code": "{score}"}}]),
           cond("b-c1", SCT, "254837009", "Malignant neoplasm of breast", "2023-04-20"),
           cond("b-c2", ICD10, "C79.51", "Secondary malignant neoplasm of bone", "2025-02-01"),
           cond("b-c3", ICD10, "C77.3", "Secondary and unspecified malignant neoplasm of axilla and upper limb lymph nodes", "2023-04-20"),
           {"resourceType": "Medication", "id": "med-doc", "code": {"coding": [{"system": RXNORM, "code": "1790479", "display": "docetaxel 20 MG/ML Injectable Solution"}]}},
           {"resourceType": "Medication", "id": "med-tra", "code": {"coding": [{"system": RXNORM, "code": "2119714", "display": "trastuzumab 150 MG Injection"}]}},
           {"resourceType": "Medication", "id": "med-per", "code": {"text": "Perjeta (pertuzumab) 420 MG/14 ML"}},
           statement("b-ms1", "tamoxifen 20 MG Oral Tablet", "198240", "stopped", "2023-07-01"),
           statement("b-ms2", "zzfoo 10 MG Oral Tablet", "0000", "active", "2026-01-01"),
           statement("b-ms3", "itraconazole 100 MG Oral Capsule", "197859", "active", "2026-10-15")]
    for i, d in enumerate(dates("2025-03-03", 6, 21)):
        rs.append(admin(f"b-doc{i}", "", "", d, pal, ref="Medication/med-doc"))
    for i, d in enumerate(dates("2025-03-03", 14, 21)):
        rs.append(admin(f"b-tra{i}", "", "", d, pal, ref="urn:uuid:med-tra"))
        rs.append(admin(f"b-per{i}", "", "", d, pal, ref="Medication/med-per"))
    return rs


def example_c() -> list[dict[str, Any]]:
    """A Synthea / mCODE-shaped transaction bundle (request entries, old v2 identifier system,
    date-times with zones, SNOMED conditions, mCODE procedure-intent extension) with yet other
    codes: neutrophils by manual count (753-4) and segmented (768-2) on the same day, ER by
    interpretation (16112-5), PR by 40557-1 answered in SNOMED words, HER2 IHC 1+ (18474-7) beside a
    "negative" interpretation, curative intent, capecitabine known only from an order."""
    cur = ("373808002", "Curative - procedure intent (qualifier value)")
    pat = patient("p1", "Synthcase", "Carla", "MRN-C-0003", "1959-02-28")
    pat["identifier"][0]["type"]["coding"][0]["system"] = "http://hl7.org/fhir/v2/0203"
    pat["extension"] = [{"url": "http://hl7.org/fhir/us/core/StructureDefinition/us-core-birthsex", "valueCode": "F"}]
    rs: list[dict[str, Any]] = [pat]
    when = "2026-11-16T08:45:00-05:00"
    rs += [obs("c-ht", "8302-2", "Body Height", "2026-11-16T08:30:00-05:00", 64, "[in_i]", category=[{"coding": [{"system": "http://terminology.hl7.org/CodeSystem/observation-category", "code": "vital-signs"}]}]),
           obs("c-wt", "29463-7", "Body Weight", "2026-11-16T08:30:00-05:00", 150, "[lb_av]"),
           obs("c-anc-man", "753-4", "Neutrophils [#/volume] in Blood by Manual count", when, 1.9, "10*3/uL"),
           obs("c-seg", "768-2", "Segmented neutrophils [#/volume] in Blood by Manual count", "2026-11-02T09:00:00-05:00", 1.4, "10*3/uL"),
           obs("c-plt", "777-3", "Platelets [#/volume] in Blood by Automated count", when, 180, "10*3/uL"),
           obs("c-hb", "718-7", "Hemoglobin [Mass/volume] in Blood", when, 12.4, "g/dL"),
           obs("c-ast", "1920-8", "Aspartate aminotransferase [Enzymatic activity/volume] in Serum or Plasma", when, 22, "U/L", high=34),
           obs("c-alt", "1742-6", "Alanine aminotransferase [Enzymatic activity/volume] in Serum or Plasma", when, 19, "U/L", high=55),
           obs("c-bil", "1975-2", "Bilirubin.total [Mass/volume] in Serum or Plasma", when, 0.1, "mg/dL", high=1.2),
           obs("c-cr", "2160-0", "Creatinine [Mass/volume] in Serum or Plasma", when, 0.8, "mg/dL"),
           obs("c-er", "16112-5", "Estrogen receptor [Interpretation] in Tissue", "2019-06-01", answer=("LA6577-6", "Negative")),
           obs("c-pr", "40557-1", "Progesterone receptor Ag [Presence] in Tissue by Immune stain", "2019-06-01"),
           obs("c-her2", "18474-7", "HER2 Ag [Presence] in Tissue by Immune stain", "2019-06-01", text="1+"),
           obs("c-her2i", "48676-1", "HER2 [Interpretation] in Tissue", "2019-06-01", answer=("LA6577-6", "Negative")),
           cond("c-c1", SCT, "254837009", "Malignant neoplasm of breast (disorder)", "2019-05-20"),
           cond("c-c2", SCT, "94222008", "Secondary malignant neoplasm of bone (disorder)", "2026-08-01"),
           {**statement("c-ms1", "Acetaminophen 325 MG Oral Tablet", "313782", "entered-in-error", "2026-01-01")},
           {**statement("c-ms2", "rifampin 300 MG Oral Capsule", "197696", "on-hold", "2026-10-01")},
           {"resourceType": "MedicationRequest", "id": "c-mr-cape", "status": "active", "intent": "order",
            "medicationCodeableConcept": {"coding": [{"system": RXNORM, "code": "200328", "display": "capecitabine 500 MG Oral Tablet"}]},
            "subject": {"reference": "Patient/p1"}, "authoredOn": "2026-09-01T10:00:00-05:00"}]
    pr = next(r for r in rs if r["id"] == "c-pr")
    pr["valueCodeableConcept"] = {"coding": [{"system": SCT, "code": "10828004", "display": "Positive (qualifier value)"}]}
    for i, d in enumerate(dates("2019-07-01", 4, 21)):
        a = admin(f"c-cyc{i}", "2 ML cyclophosphamide 500 MG/ML Injection", "2644738", d, cur)
        b = admin(f"c-dox{i}", "10 ML doxorubicin hydrochloride 2 MG/ML Injection", "1790099", d, cur)
        for x in (a, b):
            x["effectivePeriod"] = {"start": d + "T09:00:00-05:00", "end": d + "T11:00:00-05:00"}
            del x["effectiveDateTime"]
        rs += [a, b]
    rs.append({"resourceType": "Claim", "id": "c-claim", "status": "active"})
    return rs


def transaction(resources: list[dict[str, Any]]) -> dict[str, Any]:
    return {"resourceType": "Bundle", "type": "transaction",
            "entry": [{"fullUrl": f"urn:uuid:{r['id']}", "resource": r,
                       "request": {"method": "POST", "url": r["resourceType"]}} for r in resources]}


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    a, b = example_a(), example_b()
    (OUT / "example-a-bundle.json").write_text(json.dumps(bundle(a), indent=1) + "\n")
    (OUT / "example-b-mcode-like-bundle.json").write_text(json.dumps(bundle(b), indent=1) + "\n")
    (OUT / "example-c-synthea-mcode-like-transaction.json").write_text(json.dumps(transaction(example_c()), indent=1) + "\n")
    (OUT / "example-a-bulk.ndjson").write_text("".join(json.dumps(r) + "\n" for r in a))
    bad = bundle(a[:3])
    bad["entry"][2]["resource"]["valueQuantity"]["value"] = "seventy"
    (OUT / "malformed-bundle.json").write_text(json.dumps(bad, indent=1) + "\n")


if __name__ == "__main__":
    main()
