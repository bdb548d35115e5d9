"""Where imported values came from, in the clinician report's words (FHIR import provenance).

The report lists each imported field with its source (resource, date, original code and value), so
the clinician can check it against the chart; typed values are not listed."""

from __future__ import annotations

import re

from ixdesk.core.consult import Consult, Provenance
from ixdesk.core.form_words import item_words

FIELD_WORDS: dict[str, str] = {
    "patient.name": "Name", "patient.record_number": "Record number", "patient.date_of_birth": "Date of birth",
    "patient.sex": "Sex", "patient.height_cm": "Height", "patient.weight_kg": "Weight",
    "disease.extent": "Extent", "disease.er": "ER", "disease.pr": "PR", "disease.her2_ihc": "HER2 IHC",
    "disease.her2_ish": "HER2 ISH", "disease.pdl1_cps": "PD-L1 CPS", "labs.date": "Lab date",
    "labs.neutrophils": "Neutrophils", "labs.platelets": "Platelets", "labs.hemoglobin": "Hemoglobin",
    "labs.ast": "AST", "labs.alt": "ALT", "labs.bilirubin": "Total bilirubin", "labs.creatinine": "Creatinine",
}
_ORDER = list(FIELD_WORDS)


def field_words(path: str) -> str:
    return item_words(path, regimen="Prior regimen") or FIELD_WORDS.get(path, path)


def source_words(p: Provenance) -> str:
    parts = [f"{p.resource_type} {p.resource_id}" if p.resource_id else p.resource_type]
    if p.date:
        parts.append(p.date.isoformat())
    if p.code:
        parts.append(p.code)
    if p.original and not p.original.startswith("Patient."):
        parts.append(f"sent as {p.original}")
    elif p.unit:
        parts.append(p.unit)
    return ", ".join(parts)


def _key(path: str) -> tuple[int, int]:
    m = re.fullmatch(r"(\w+(?:\.\w+)?)\[(\d+)\]", path)
    if m:
        return (len(_ORDER) + (0 if m.group(1) == "regimens" else 1), int(m.group(2)))
    return (_ORDER.index(path) if path in _ORDER else len(_ORDER) + 2, 0)


def imported_sources(consult: Consult) -> list[tuple[str, str]]:
    """(field, source) for every imported value the consult still holds, in the form's order."""
    return [(field_words(p), source_words(consult.provenance[p])) for p in sorted(consult.provenance, key=_key)]
