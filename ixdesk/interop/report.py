"""The import's summary in words, for the command line and the window: what was imported (by
field, with its source), what was not and why, and what to check. It never names the patient or
the record number (the command line output is pasted into tickets)."""

from __future__ import annotations

from ixdesk.core.consult import Provenance
from ixdesk.core.form_words import FORM_WORDS, item_words
from ixdesk.interop.fhir_map import UNREAD_REASON, ImportResult

# the paths the import fills, in the form's words (one table: ixdesk.core.form_words)
FIELD_WORDS: dict[str, str] = {p: FORM_WORDS[p] for p in (
    "patient.name", "patient.record_number", "patient.date_of_birth", "patient.sex", "patient.height_cm",
    "patient.weight_kg", "disease.extent", "disease.er", "disease.pr", "disease.her2_ihc", "disease.her2_ish",
    "disease.pdl1_cps", "labs.date", "labs.neutrophils", "labs.platelets", "labs.hemoglobin", "labs.ast",
    "labs.alt", "labs.bilirubin", "labs.creatinine", "history.medications")}


def field_words(path: str) -> str:
    return item_words(path) or FIELD_WORDS.get(path, path)


def source_text(p: Provenance) -> str:
    """One line: "Observation obs-7, 2026-10-28, http://loinc.org|751-8, 2.1 10*3/uL"."""
    parts = [f"{p.resource_type} {p.resource_id}" if p.resource_id else p.resource_type]
    if p.date:
        parts.append(p.date.isoformat())
    if p.code:
        parts.append(p.code)
    if p.original:
        parts.append(p.original)
    elif p.unit:
        parts.append(p.unit)
    return ", ".join(parts)


_IDENTIFYING = ("patient.name", "patient.record_number", "patient.date_of_birth")


def summary_lines(result: ImportResult) -> list[str]:
    prov = result.provenance
    lines = [f"imported {len(prov)} field(s) from FHIR:"]
    for path in sorted(prov):
        words = field_words(path)
        # identifying fields: say that they were imported, not their source text (it is harmless,
        # but the original of a name field is the only place a name could leak)
        lines.append(f"  {words}: " + ("from " + prov[path].resource_type if path in _IDENTIFYING else source_text(prov[path])))
    if result.medication_history:
        lines.append("not current medications (completed or stopped): " + "; ".join(result.medication_history))
    if result.unmapped:
        lines.append(f"not imported ({len(result.unmapped)}):")
        # resource types IxDesk does not read are counted, not listed one by one (a full export
        # holds thousands of claims and encounters)
        by_type: dict[str, int] = {}
        for u in result.unmapped:
            if u.reason.endswith(UNREAD_REASON):
                rtype = u.where.split("/", 1)[0]
                by_type[rtype] = by_type.get(rtype, 0) + 1
            else:
                lines.append(f"  {u}")
        for rtype, n in sorted(by_type.items()):
            lines.append(f"  {rtype}: {n} resource(s): {UNREAD_REASON}")
    if result.notes:
        lines.append("to check:")
        lines.extend(f"  {n}" for n in result.notes)
    if result.history:
        lines.append("older values kept in the import history: " + ", ".join(
            f"{field_words(p)} ({len(h)})" for p, h in sorted(result.history.items()) if p in FIELD_WORDS))
    return lines
