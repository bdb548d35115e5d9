"""Import into an open consult without overwriting what the user typed.

An empty field takes the imported value; a field holding the same value gains its source; a field
holding another value is a *conflict*, shown with both values, and only the fields the user chose
to replace take the imported value. Imported medication lines are added to the list, never
replace it; imported regimens fill an empty table, and replace typed ones only when chosen.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from ixdesk.core.consult import Consult, Provenance
from ixdesk.core.medications import fold_med
from ixdesk.interop.fhir_map import ImportResult
from ixdesk.interop.report import field_words, source_text

# scalar fields an import can fill (paths in the consult)
SCALAR_FIELDS = (
    "patient.name", "patient.record_number", "patient.date_of_birth", "patient.sex", "patient.height_cm",
    "patient.weight_kg", "disease.extent", "disease.er", "disease.pr", "disease.her2_ihc", "disease.her2_ish",
    "disease.pdl1_cps", "labs.date", "labs.neutrophils", "labs.platelets", "labs.hemoglobin", "labs.ast",
    "labs.alt", "labs.bilirubin", "labs.creatinine",
)
REGIMENS = "regimens"


@dataclass(frozen=True, slots=True)
class Conflict:
    path: str  # a field path, or "regimens"
    words: str  # the form's words
    current: str  # what the consult holds, as text
    imported: str  # the imported value, as text
    source: str  # where the imported value came from


def _get(doc: dict[str, Any], path: str) -> Any:
    cur: Any = doc
    for part in path.split("."):
        if not isinstance(cur, dict):
            return None
        cur = cur.get(part)
    return cur


def _set(doc: dict[str, Any], path: str, value: Any) -> None:
    parts = path.split(".")
    cur = doc
    for part in parts[:-1]:
        cur = cur.setdefault(part, {})
    cur[parts[-1]] = value


def value_text(value: Any) -> str:
    """A value as the clinician reads it: "2.1 10^9/L (ULN 40)", "positive", "2026-10-27"."""
    if value is None:
        return "(empty)"
    if isinstance(value, dict) and "value" in value:
        out = f"{value['value']:g} {value.get('unit', '')}".strip()
        return out + (f" (ULN {value['uln']:g})" if value.get("uln") is not None else "")
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, list):
        return "; ".join(value_text(v) for v in value)
    if isinstance(value, dict) and "agents" in value:
        return " + ".join(value["agents"]) + f", {value.get('start_date') or '?'} to {value.get('last_dose_date') or '?'}"
    return str(value)


def _doc(c: Consult) -> dict[str, Any]:
    doc: dict[str, Any] = json.loads(c.model_dump_json())
    return doc


def conflicts(current: Consult, result: ImportResult) -> list[Conflict]:
    """The fields where the consult and the import hold different values (both not empty)."""
    cur, new = _doc(current), _doc(result.consult)
    prov = result.provenance
    out: list[Conflict] = []
    for path in SCALAR_FIELDS:
        a, b = _get(cur, path), _get(new, path)
        if a is not None and b is not None and a != b:
            src = source_text(prov[path]) if path in prov else ("the imported labs' oldest date" if path == "labs.date" else "")
            out.append(Conflict(path, field_words(path), value_text(a), value_text(b), src))
    if new["regimens"] and (cur["regimens"] or cur.get("no_prior_systemic_therapy")) and cur["regimens"] != new["regimens"]:
        typed = value_text(cur["regimens"]) if cur["regimens"] else "No prior systemic therapy (ticked)"
        out.append(Conflict(REGIMENS, "Prior regimens", typed, value_text(new["regimens"]),
                            f"{len(new['regimens'])} regimen(s) grouped from the dose records"))
    return out


def merge(current: Consult, result: ImportResult, replace: set[str] | frozenset[str] = frozenset()) -> Consult:
    """The consult with the import applied: empty fields filled, conflicts replaced only where
    ``replace`` names them, medication lines added. Raises pydantic's ``ValidationError`` if the
    combination is not a valid consult (e.g. an imported lab date after the consult date)."""
    cur, new = _doc(current), _doc(result.consult)
    iprov = result.provenance
    prov: dict[str, Any] = dict(cur.get("provenance") or {})
    for path in SCALAR_FIELDS:
        a, b = _get(cur, path), _get(new, path)
        if b is None:
            if path in iprov and a is None:  # e.g. HER2 negative without a score: the source of the gap
                prov[path] = iprov[path].model_dump(mode="json")
            continue
        if a is None or a == b or path in replace:
            _set(cur, path, b)
            if path in iprov:
                prov[path] = iprov[path].model_dump(mode="json")
            else:
                prov.pop(path, None)
    # medications: add the imported lines that are not on the list yet
    meds: list[str] = list(_get(cur, "history.medications") or [])
    have = {fold_med(m) for m in meds}
    for i, line in enumerate(_get(new, "history.medications") or []):
        if fold_med(line) in have:
            continue
        have.add(fold_med(line))
        meds.append(line)
        p = iprov.get(f"history.medications[{i}]")
        if p is not None:
            prov[f"history.medications[{len(meds) - 1}]"] = p.model_dump(mode="json")
    if meds:
        _set(cur, "history.medications", meds[:100])
    # regimens: fill an empty table; replace typed ones only when chosen
    if new["regimens"]:
        take = (not cur["regimens"] and not cur.get("no_prior_systemic_therapy")) or REGIMENS in replace
        if take:
            cur["regimens"] = new["regimens"]
            cur["no_prior_systemic_therapy"] = False
            prov = {k: v for k, v in prov.items() if not k.startswith("regimens[")}
            for k, v in iprov.items():
                if re.fullmatch(r"regimens\[\d+\]", k):
                    prov[k] = v.model_dump(mode="json")
    cur["provenance"] = prov
    return Consult.model_validate_json(json.dumps(cur))


def provenance_of(consult: Consult, path: str) -> Provenance | None:
    return consult.provenance.get(path)
