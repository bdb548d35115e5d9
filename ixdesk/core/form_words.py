"""The form's words for each consult field, as plain data: the one table every reader names a
field by (the panel's missing inputs, the audit trail, the FHIR import's summary and conflicts).

Kept in the core, not in ``ixdesk.present.fields``, because the FHIR import (``ixdesk.interop``)
names fields too and may not import the presentation layer; a window test checks that the form's
own labels agree with it.
"""

from __future__ import annotations

FORM_WORDS: dict[str, str] = {
    "patient.name": "Name",
    "patient.record_number": "Record number",
    "patient.date_of_birth": "Date of birth",
    "patient.sex": "Sex",
    "patient.height_cm": "Height",
    "patient.weight_kg": "Weight",
    "patient.pregnant": "Pregnant",
    "patient.breastfeeding": "Breastfeeding",
    "disease.extent": "Extent",
    "disease.er": "Estrogen receptor (ER)",
    "disease.pr": "Progesterone receptor (PR)",
    "disease.her2_ihc": "HER2 IHC",
    "disease.her2_ish": "HER2 ISH",
    "disease.pdl1_cps": "PD-L1 CPS",
    "disease.germline_brca": "Germline BRCA",
    "disease.visceral_crisis": "Visceral crisis",
    "disease.endocrine_refractory": "Endocrine refractory",
    "labs.date": "Lab date",
    "labs.neutrophils": "Neutrophils (ANC)",
    "labs.platelets": "Platelets",
    "labs.hemoglobin": "Hemoglobin",
    "labs.ast": "AST",
    "labs.alt": "ALT",
    "labs.bilirubin": "Total bilirubin",
    "labs.creatinine": "Creatinine",
    "history.ecog": "ECOG performance status",
    "history.neuropathy_grade": "Neuropathy grade (CTCAE)",
    "history.cremophor_hypersensitivity": "Cremophor EL hypersensitivity (paclitaxel, Ixempra)",
    "history.cremophor_hypersensitivity_grade": "Cremophor EL hypersensitivity: its grade",
    "history.prior_ixabepilone_reaction": "Prior reaction to ixabepilone",
    "history.cardiac_history": "Cardiac history",
    "history.cardiac_history_detail": "Cardiac history: details",
    "history.diabetes": "Diabetes",
    "history.radiotherapy": "Radiotherapy before (radiation recall)",
    "history.medications": "Current medications",
    "history.grapefruit": "Grapefruit juice",
    "plan.regimen": "Planned regimen",
    "plan.bsa_formula": "BSA formula",
    "plan.prescriber": "Prescriber",
    "consult_date": "Consult date",
    "attestations.prescriber_is_oncologist": "Prescriber is an oncologist",
    "attestations.anthracycline_contraindicated": "Anthracycline contraindicated",
    "attestations.anthracycline_contraindication_reason": "Anthracycline contraindicated: reason",
    "attestations.tdxd_candidate": "Candidate for T-DXd",
    "no_prior_systemic_therapy": "No prior systemic therapy",
    "regimens": "Prior regimens",
    "notes": "Notes",
}


def item_words(path: str, regimen: str = "Regimen") -> str | None:
    """A whole item of one of the consult's lists, by its place: 'regimens[1]' -> 'Regimen 2',
    'history.medications[0]' -> 'Medication 1' (``regimen`` is the word a reader gives a regimen);
    None for any other path."""
    name, sep, rest = path.partition("[")
    if not sep or not rest.endswith("]") or not (rest[:-1].isascii() and rest[:-1].isdigit()):
        return None
    n = int(rest[:-1]) + 1
    if name == "regimens":
        return f"{regimen} {n}"
    if name == "history.medications":
        return f"Medication {n}"
    return None
