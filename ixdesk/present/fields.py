"""The form's words for each consult field, so a missing input reads as the form labels it.

The engine names a missing input in its own words ("pregnant", "AST with its upper limit of
normal"); a clinician looks for the field the form shows ("Pregnant", "AST"). The window's form is
Qt and loads late, so its labels are kept here as plain data; a window test checks that the two agree.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ixdesk.core.assessment import Missing
# the table lives in the core (the FHIR import names fields too); re-exported for the readers
from ixdesk.core.form_words import FORM_WORDS as FORM_WORDS

# the regimen editor's labels (ixdesk/ui/regimens.py), for regimens[i].<key>
REGIMEN_WORDS: dict[str, str] = {
    "agents": "Agents", "setting": "Setting", "start_date": "Start date", "last_dose_date": "Last dose date",
    "ongoing": "Ongoing", "progressed": "Progressed on it", "progression_date": "Progression date",
    "best_response": "Best response", "stop_reason": "Stopped for",
    "hypersensitivity_grade": "Hypersensitivity grade", "note": "Note",
}

# the regimen editor's expanding sections (ixdesk/ui/regimens.py, their toggles' names), for
# regimens[i].<key> and regimens[i].<key>[k].<field>
REGIMEN_SECTION_WORDS: dict[str, str] = {
    "agent_last_doses": "Agents stopped on different days",
    "anthracycline_doses": "Cumulative anthracycline dose",
}
REGIMEN_SECTION_ITEM_WORDS: dict[str, str] = {
    "agent": "its agent", "last_dose_date": "last dose", "cumulative_mg_per_m2": "mg/m²",
}
# the Course section's labels for the cycle about to start (ixdesk/ui/course.py), a window test
# checks they agree; an indented sub-field is named with the field above it
COURSE_NEXT_WORDS: dict[str, str] = {
    "number": "Cycle number", "planned_date": "Planned date", "weight_kg": "Weight that day",
    "labs.date": "Labs drawn on", "labs_time": "Labs drawn on: time drawn", "labs.neutrophils": "Neutrophils (ANC)",
    "labs.platelets": "Platelets", "medications": "Current medications",
    "toxicity.neutrophils_below_500_days": "Neutrophils < 500/mm³",
    "toxicity.febrile_neutropenia": "Febrile neutropenia", "toxicity.platelets_low": "Lowest platelets",
    "toxicity.bleeding": "Lowest platelets: with bleeding", "toxicity.neuropathy_grade": "Neuropathy, worst grade",
    "toxicity.neuropathy_days": "Neuropathy: lasting", "toxicity.neuropathy_disabling": "Neuropathy: disabling",
    "toxicity.neuropathy_grade_now": "Neuropathy: grade now", "toxicity.other_grade3": "Other grade 3 toxicity",
    "toxicity.other_grade3_name": "Other grade 3 toxicity: its name",
    "toxicity.other_grade3_grade_now": "Other grade 3 toxicity: its grade now",
    "toxicity.transient_grade3_arthralgia_myalgia_fatigue": "Transient grade 3 arthralgia, myalgia, fatigue",
    "toxicity.grade3_hand_foot_syndrome": "Grade 3 hand-foot syndrome", "toxicity.any_grade4": "Any grade 4 toxicity",
    "toxicity.diarrhoea_or_stomatitis": "Diarrhoea or stomatitis",
}
# a cycle given, as the record dialog and the history table label it (ixdesk/ui/course.py)
CYCLE_GIVEN_WORDS: dict[str, str] = {
    "date": "date given", "weight_kg": "weight that day (kg)", "ixabepilone_mg_per_m2": "ixabepilone given (mg/m²)",
    "ixabepilone_mg": "ixabepilone given (mg)", "capecitabine_mg_per_dose": "capecitabine per dose (mg)",
    "change_reason": "reason for change", "verified_by": "verified by (second checker)",
    "change_rule": "rule of its dose change (kept when it was recorded)",
    "amendments": "changes made after recording",
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
    rest = key.lstrip(".")
    key = rest.split(".")[0].split("[")[0]
    n = int(index) + 1
    if key in REGIMEN_SECTION_WORDS:
        section = REGIMEN_SECTION_WORDS[key]
        words = section[0].lower() + section[1:]
        m = re.match(rf"^{key}\[(\d+)\]\.?(\w*)", rest)
        if m:
            item = REGIMEN_SECTION_ITEM_WORDS.get(m.group(2), "")
            return f"Regimen {n}: {words}, entry {int(m.group(1)) + 1}" + (f": {item}" if item else "")
        return f"Regimen {n}: {words}"
    label = REGIMEN_WORDS.get(key)
    return f"Regimen {n}: {label[0].lower() + label[1:]}" if label else f"Regimen {n}"


def _course_words(path: str) -> str | None:
    """'course.next_cycle.toxicity.bleeding' -> 'Course, next cycle: lowest platelets: with bleeding';
    'course.cycles_given[2].ixabepilone_mg' -> 'Course, cycles given, line 3: ixabepilone given (mg)'."""
    m = re.match(r"^course\.cycles_given(?:\[(\d+)\])?\.?(\w*)", path)
    if m:
        if m.group(1) is None:
            return "Course, cycles given"
        words = CYCLE_GIVEN_WORDS.get(m.group(2), "")
        return f"Course, cycles given, line {int(m.group(1)) + 1}" + (f": {words}" if words else "")
    if not path.startswith("course.next_cycle"):
        return "Course" if path == "course" else None
    rest = path[len("course.next_cycle"):].lstrip(".")
    m = re.match(r"^medications\[(\d+)\]\.?(\w*)", rest)
    if m:
        what = {"name": "name", "start_date": "start date", "stop_date": "stop date"}.get(m.group(2), "")
        return f"Course, next cycle: current medications, line {int(m.group(1)) + 1}" + (f", {what}" if what else "")
    parts = rest.split(".")
    while parts:
        found = COURSE_NEXT_WORDS.get(".".join(parts))
        if found:
            return f"Course, next cycle: {found[0].lower() + found[1:] if not found[1:2].isupper() else found}"
        parts.pop()
    return "Course, next cycle"


def field_words(path: str, fallback: str = "") -> str:
    """The form's words for a consult path ('labs.ast' -> 'AST', 'regimens[0].setting' ->
    'Regimen 1: setting'); ``fallback`` (the engine's label) for a path the form does not show."""
    words = FORM_WORDS.get(path) or _regimen_words(path) or _course_words(path)
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
