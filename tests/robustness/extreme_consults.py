"""Extreme but schema-valid consults: every list at its maximum length, every text at its maximum
length without a single space, in scripts other than Latin. The reports must lay out all of them."""

from __future__ import annotations

import copy
from typing import Any, Callable

from tests.robustness.helpers import full_consult

MAX_REGIMENS, MAX_AGENTS, MAX_AGENT_CHARS = 40, 12, 80
MAX_MEDS, MAX_MED_CHARS, MAX_SHORT, MAX_LONG = 100, 200, 200, 5000

# one character from each script family the fonts must cope with, repeated without spaces
SCRIPTS = {"latin": "Q", "cjk": "紫杉醇", "arabic": "دواء", "cyrillic": "Препарат", "devanagari": "दवा"}


def _word(seed: str, n: int) -> str:
    """A text of exactly ``n`` characters with no space: the worst case for line breaking."""
    return (seed * (n // len(seed) + 1))[:n]


def _regimen(i: int, script: str) -> dict[str, Any]:
    ch = SCRIPTS[script]
    return {
        "agents": [(f"{i:02d}{j:02d}" + _word(ch, MAX_AGENT_CHARS))[:MAX_AGENT_CHARS] for j in range(MAX_AGENTS)],
        "setting": ("neoadjuvant", "adjuvant", "metastatic")[i % 3],
        "start_date": "2010-01-01",
        "last_dose_date": "2010-06-01",
        "progressed": True,
        "progression_date": "2010-07-01",
        "stop_reason": "progression",
        "note": _word(ch, MAX_LONG),
    }


def many_long_agents(script: str = "latin") -> dict[str, Any]:
    doc = full_consult()
    doc["regimens"] = [_regimen(i, script) for i in range(MAX_REGIMENS)]
    return doc


def long_texts(script: str = "latin") -> dict[str, Any]:
    ch = SCRIPTS[script]
    doc = full_consult()
    doc["patient"]["name"] = _word(ch, MAX_SHORT)
    doc["patient"]["record_number"] = _word(ch, 64)
    doc["plan"]["prescriber"] = _word(ch, MAX_SHORT)
    doc["notes"] = _word(ch, MAX_LONG)
    doc["attestations"]["anthracycline_contraindicated"] = True
    doc["attestations"]["anthracycline_contraindication_reason"] = _word(ch, MAX_LONG)
    doc["history"]["cardiac_history"] = True
    doc["history"]["cardiac_history_detail"] = _word(ch, MAX_LONG)
    doc["history"]["medications"] = [(f"{k:03d}" + _word(ch, MAX_MED_CHARS))[:MAX_MED_CHARS] for k in range(MAX_MEDS)]
    for reg in doc["regimens"]:
        reg["note"] = _word(ch, MAX_LONG)
    return doc


def everything(script: str = "latin") -> dict[str, Any]:
    doc = long_texts(script)
    doc["regimens"] = many_long_agents(script)["regimens"]
    return doc


EXTREMES: dict[str, Callable[[], dict[str, Any]]] = {
    "many_long_agents_latin": lambda: many_long_agents("latin"),
    "many_long_agents_cjk": lambda: many_long_agents("cjk"),
    "long_texts_latin": lambda: long_texts("latin"),
    "long_texts_arabic": lambda: long_texts("arabic"),
    "long_texts_cyrillic": lambda: long_texts("cyrillic"),
    "long_texts_devanagari": lambda: long_texts("devanagari"),
    "everything_cjk": lambda: everything("cjk"),
}


def extreme(name: str) -> dict[str, Any]:
    return copy.deepcopy(EXTREMES[name]())
