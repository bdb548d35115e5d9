"""A treatment course on example 02 (monotherapy, ready): three cycles given, one reduction after
febrile neutropenia, cycle 4 about to start. Shared by the course tests of present, reports and ui."""

from __future__ import annotations

import copy
import json
from datetime import date
from typing import Any

from ixdesk.core.consult import Consult
from ixdesk.paths import examples_dir

PRINTED_ON = date(2027, 1, 20)
CLEAN_TOX: dict[str, Any] = {
    "neutrophils_below_500_days": 0, "febrile_neutropenia": False, "platelets_low": "none", "bleeding": False,
    "neuropathy_grade": 1, "neuropathy_days": 5, "neuropathy_disabling": False, "neuropathy_grade_now": 1,
    "other_grade3": False, "transient_grade3_arthralgia_myalgia_fatigue": False,
    "grade3_hand_foot_syndrome": False, "any_grade4": False,
}


def course_data(tox: dict[str, Any] | None = None, neutrophils: float = 2100, platelets: float = 164000,
                weight: float | None = 57.5) -> dict[str, Any]:
    data = json.loads((examples_dir() / "02-monotherapy-after-all-three.json").read_text(encoding="utf-8"))
    data = copy.deepcopy(data)
    data["course"] = {
        "cycles_given": [
            {"number": 1, "date": "2026-11-25", "weight_kg": 59, "ixabepilone_mg_per_m2": 40, "ixabepilone_mg": 64.8,
             "verified_by": "RN A. First"},
            {"number": 2, "date": "2026-12-16", "weight_kg": 58.5, "ixabepilone_mg_per_m2": 32, "ixabepilone_mg": 51.6,
             "change_reason": "Febrile neutropenia after cycle 1: reduce 20%", "change_rule": "mod.febrile_neutropenia",
             "verified_by": "RN A. First"},
            {"number": 3, "date": "2027-01-06", "weight_kg": 58, "ixabepilone_mg_per_m2": 32, "ixabepilone_mg": 51.4,
             "verified_by": "RN C. Third"},
        ],
        "next_cycle": {
            "number": 4, "planned_date": "2027-01-27", "weight_kg": weight,
            "labs": {"date": "2027-01-27", "neutrophils": {"value": neutrophils}, "platelets": {"value": platelets}},
            "labs_time": "08:40:00",
            "medications": [{"name": "metformin"}, {"name": "amlodipine"}],
            "toxicity": {**CLEAN_TOX, **(tox or {})},
        },
    }
    if weight is None:
        del data["course"]["next_cycle"]["weight_kg"]
    return data


def course_consult(**kw: Any) -> Consult:
    return Consult.model_validate_json(json.dumps(course_data(**kw)))
