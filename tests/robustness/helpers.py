"""Shared helpers for the robustness suite: a full consult to mutate, the examples, a directory snapshot."""

from __future__ import annotations

import copy
import json
import os
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "resources" / "examples"

# A consult with every section filled: the base that fuzz tests truncate and mutate.
FULL_CONSULT: dict[str, Any] = {
    "schema_version": 1,
    "consult_date": "2025-03-14",
    "patient": {
        "name": "Test Patient",
        "record_number": "TEST-0001",
        "date_of_birth": "1961-07-02",
        "sex": "female",
        "height_cm": 164.0,
        "weight_kg": 61.5,
        "pregnant": False,
        "breastfeeding": False,
    },
    "disease": {
        "extent": "metastatic",
        "er": "positive",
        "pr": "negative",
        "her2_ihc": "1+",
        "her2_ish": "not_done",
        "pdl1_cps": 2.0,
        "germline_brca": "no_mutation",
        "visceral_crisis": False,
        "endocrine_refractory": True,
    },
    "regimens": [
        {
            "agents": ["doxorubicin", "cyclophosphamide"],
            "setting": "adjuvant",
            "start_date": "2019-01-10",
            "last_dose_date": "2019-03-21",
            "ongoing": False,
            "progressed": False,
            "best_response": "not_evaluable",
            "stop_reason": "completed",
        },
        {
            "agents": ["paclitaxel"],
            "setting": "metastatic",
            "start_date": "2023-05-01",
            "last_dose_date": "2023-11-20",
            "ongoing": False,
            "progressed": True,
            "progression_date": "2023-12-01",
            "best_response": "partial",
            "stop_reason": "progression",
            "note": "Progressed in liver.",
        },
        {
            "agents": ["capecitabine"],
            "setting": "metastatic",
            "start_date": "2024-01-10",
            "last_dose_date": "2025-01-15",
            "progressed": True,
            "progression_date": "2025-02-01",
            "stop_reason": "progression",
        },
    ],
    "attestations": {
        "anthracycline_contraindicated": False,
        "tdxd_candidate": False,
        "prescriber_is_oncologist": True,
    },
    "labs": {
        "date": "2025-03-10",
        "neutrophils": {"value": 2.4, "unit": "10^9/L"},
        "platelets": {"value": 210000, "unit": "cells/mm3"},
        "hemoglobin": {"value": 11.8, "unit": "g/dL"},
        "ast": {"value": 30, "uln": 40, "unit": "U/L"},
        "alt": {"value": 28, "uln": 45, "unit": "U/L"},
        "bilirubin": {"value": 0.8, "uln": 1.2, "unit": "mg/dL"},
        "creatinine": {"value": 0.9, "unit": "mg/dL"},
    },
    "history": {
        "ecog": 1,
        "neuropathy_grade": 1,
        "cremophor_hypersensitivity": False,
        "prior_ixabepilone_reaction": False,
        "cardiac_history": False,
        "diabetes": False,
        "medications": ["letrozole", "omeprazole"],
        "grapefruit": False,
    },
    "plan": {"regimen": "monotherapy", "bsa_formula": "mosteller", "prescriber": "Dr Test"},
    "notes": "Fuzz base consult.",
}


def full_consult() -> dict[str, Any]:
    return copy.deepcopy(FULL_CONSULT)


def example_texts() -> list[tuple[str, str]]:
    """(name, text) of every shipped example consult, plus the full base consult."""
    out = [("full_consult", json.dumps(FULL_CONSULT, indent=2))]
    for p in sorted(EXAMPLES.glob("*.json")):
        out.append((p.name, p.read_text(encoding="utf-8")))
    return out


def snapshot(folder: Path) -> dict[str, tuple[int, int, int]]:
    """Every entry under ``folder`` with size, mtime (ns) and mode: to prove nothing was written."""
    snap: dict[str, tuple[int, int, int]] = {}
    for dirpath, dirnames, filenames in os.walk(folder):
        for name in dirnames + filenames:
            p = Path(dirpath) / name
            st = p.lstat()
            snap[str(p.relative_to(folder))] = (st.st_size, st.st_mtime_ns, st.st_mode)
    return snap


