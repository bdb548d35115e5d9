"""The form's words for each consult field, so a missing input reads as the form labels it.

The engine names a missing input in its own words ("pregnant", "AST with its upper limit of
normal"); a clinician looks for the field the form shows ("Pregnant", "AST"). The window's form is
Qt and loads late, so its labels are kept here as plain data; a window test checks that the two agree.
"""

from __future__ import annotations

from dataclasses import dataclass

from ixdesk.core.assessment import Missing

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
# the regimen editor's labels (ixdesk/ui/regimens.py), for regimens[i].<key>
REGIMEN_WORDS: dict[str, str] = {
    "agents": "Agents", "setting": "Setting", "start_date": "Start date", "last_dose_date": "Last dose date",
    "ongoing": "Ongoing", "progressed": "Progressed on it", "progression_date": "Progression date",
    "best_response": "Best response", "stop_reason": "Stopped for",
    "hypersensitivity_grade": "Hypersensitivity grade", "note": "Note",
}


@dataclass(frozen=True)
class MissingInput:
    """One input to enter: ``words`` as the form labels it, ``detail`` the engine's own explanation."""

    field: str
    words: str
    detail: str


def _regimen_words(path: str) -> str | None:
    # paths are the engine's structured field paths ("regimens[2].setting"), not prose
    if not path.startswith("regimens[") or "]" not in path:
        return None
    index, _, key = path[len("regimens["):].partition("]")
    if not index.isdigit():
        return None
    key = key.lstrip(".").split(".")[0].split("[")[0]
    words = REGIMEN_WORDS.get(key)
    return f"Regimen {int(index) + 1}: {words[0].lower() + words[1:]}" if words else f"Regimen {int(index) + 1}"


def field_words(path: str, fallback: str = "") -> str:
    """The form's words for a consult path ('labs.ast' -> 'AST', 'regimens[0].setting' ->
    'Regimen 1: setting'); ``fallback`` (the engine's label) for a path the form does not show."""
    words = FORM_WORDS.get(path) or _regimen_words(path)
    if words:
        return words
    return (fallback[:1].upper() + fallback[1:]) if fallback else path


def missing_input(m: Missing) -> MissingInput:
    return MissingInput(field=m.field, words=field_words(m.field, m.label), detail=m.label)


def missing_inputs(items: list[Missing] | tuple[Missing, ...]) -> tuple[MissingInput, ...]:
    """Deduplicated by field, in order: one line per field the user has to fill."""
    seen: dict[str, MissingInput] = {}
    for m in items:
        if m.field not in seen:
            seen[m.field] = missing_input(m)
    return tuple(seen.values())
