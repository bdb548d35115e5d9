"""Digests of ``assess()`` on the examples and on seeded mutations of them, to prove a refactor of
the engine changes no output.

The mutations are drawn by a seeded ``random.Random`` so the same consults come back on every run
and machine. Each mutation sets one consult field to a value near a rule's threshold, to another
choice of its field, or removes it (unknown), so that every predicate is reached met, not met and
unknown across the set. Fields added to the output after the digests were taken are excluded from
the dump (``NEW_CONDITION_FIELDS``): they are new, so no earlier output can be compared with them.

    python -m tests.core.engine_snapshot --write   # record the digests (only on the reference commit)
"""

from __future__ import annotations

import copy
import hashlib
import json
import random
import sys
from datetime import date
from pathlib import Path
from typing import Any, Callable, Iterator

from pydantic import ValidationError

from ixdesk.core.consult import Consult
from ixdesk.core.criteria import default_criteria
from ixdesk.core.engine import assess
from ixdesk.paths import examples_dir

DIGESTS = Path(__file__).with_name("engine_digests.json")
SEED = 20261203
MUTATED = 500

# Fields the structured Condition gained after the digests were recorded (issue 10).
NEW_CONDITION_FIELDS = ("kind", "label", "operator", "threshold", "options", "values", "missing", "ref")


def _condition_exclude(depth: int) -> dict[Any, Any]:
    inner: dict[Any, Any] = dict.fromkeys(NEW_CONDITION_FIELDS, True)
    if depth:
        inner["children"] = _condition_exclude(depth - 1)
    return {"__all__": inner}


# The criteria block (name, version, sha256, review) changes with any edit of the set; what the edit
# does to a result shows in the findings and the dose, which are compared.
EXCLUDE = {"criteria": True, "findings": {"__all__": {"conditions": _condition_exclude(16)}}}

_TRI = [True, False, None]
_POOLS: dict[str, list[Any]] = {
    "labs.neutrophils": [{"value": v, "unit": "cells/mm3"} for v in (1499, 1500, 1501, 900, 3000)]
    + [{"value": 1.5, "unit": "10^9/L"}, {"value": 1.49, "unit": "10^9/L"}, None],
    "labs.platelets": [{"value": v, "unit": "cells/mm3"} for v in (99_999, 100_000, 100_001, 250_000)] + [None],
    "labs.ast": [{"value": v, "uln": 40, "unit": "U/L"} for v in (30, 40, 60, 100, 101, 120, 400)] + [None],
    "labs.alt": [{"value": v, "uln": 40, "unit": "U/L"} for v in (30, 40, 60, 100, 120, 400)] + [None],
    "labs.bilirubin": [{"value": v, "uln": 1.2, "unit": "mg/dL"} for v in (0.6, 1.2, 1.21, 1.8, 3.0, 3.6, 4.0)]
    + [{"value": 30, "uln": 21, "unit": "umol/L"}, None],
    "labs.date": ["2026-11-16", "2026-11-04", "2026-11-03", "2026-10-01", None],
    "plan.regimen": ["monotherapy", "with_capecitabine", "with_trastuzumab", None],
    "disease.extent": ["early", "locally_advanced", "metastatic", "recurrent_unresectable", None],
    "disease.er": ["positive", "negative", None],
    "disease.pr": ["positive", "negative", None],
    "disease.her2_ihc": ["0", "1+", "2+", "3+", None],
    "disease.her2_ish": ["positive", "negative", "not_done", None],
    "disease.germline_brca": ["mutation", "no_mutation", None],
    "disease.pdl1_cps": [0, 5, 10, 15, None],
    "disease.visceral_crisis": _TRI,
    "disease.endocrine_refractory": _TRI,
    "patient.sex": ["female", "male", None],
    "patient.pregnant": _TRI,
    "patient.breastfeeding": _TRI,
    "patient.height_cm": [150, 170, 200, None],
    "patient.weight_kg": [45, 70, 130, None],
    "attestations.anthracycline_contraindicated": _TRI,
    "attestations.tdxd_candidate": _TRI,
    "attestations.prescriber_is_oncologist": _TRI,
    "history.neuropathy_grade": [0, 1, 2, 3, 4, None],
    "history.cremophor_hypersensitivity": _TRI,
    "history.cremophor_hypersensitivity_grade": [1, 2, 3, 4, None],
    "history.prior_ixabepilone_reaction": _TRI,
    "history.cardiac_history": _TRI,
    "history.diabetes": _TRI,
    "history.grapefruit": _TRI,
    "history.medications": [[], None, ["ketoconazole 200 mg"], ["rifampin"], ["some unknown pill"],
                            ["clarithromycin 500 mg twice daily", "verapamil"], ["ketoconazole 2% shampoo"],
                            ["tamoxifen"]],
    "no_prior_systemic_therapy": [True, False],
}
_REG_POOLS: dict[str, list[Any]] = {
    "setting": ["neoadjuvant", "adjuvant", "metastatic", None],
    "progression_date": ["2025-05-01", "2025-09-30", "2026-06-01", None],
    "last_dose_date": ["2025-04-01", "2025-08-01", "2026-03-02", None],
    "stop_reason": ["progression", "toxicity", "hypersensitivity", "completed", None],
    "hypersensitivity_grade": [1, 2, 3, 4, None],
    "agents": [["doxorubicin", "cyclophosphamide"], ["paclitaxel"], ["docetaxel"], ["AC-T"], ["Xeloda"],
               ["letrozole"], ["ixabepilone"], ["unknown-agent"], ["Abraxane"]],
    "progressed": _TRI,
    "ongoing": [True, False],
}

# several fields at once, where one rule needs them together (a reaction and its grade)
_MERGES: list[tuple[str, dict[str, Any]]] = [
    ("history", {"cremophor_hypersensitivity": True, "cremophor_hypersensitivity_grade": 3}),
    ("history", {"cremophor_hypersensitivity": True, "cremophor_hypersensitivity_grade": 2}),
    ("history", {"cremophor_hypersensitivity": True}),
    ("history", {"prior_ixabepilone_reaction": True}),
]
_REG_MERGES: list[dict[str, Any]] = [
    {"stop_reason": "hypersensitivity", "hypersensitivity_grade": 3, "agents": ["paclitaxel"]},
    {"stop_reason": "hypersensitivity", "hypersensitivity_grade": 2, "agents": ["paclitaxel"]},
    {"stop_reason": "hypersensitivity", "agents": ["AC-T"]},
    {"stop_reason": "hypersensitivity", "hypersensitivity_grade": 4, "agents": ["docetaxel"]},
    {"stop_reason": "hypersensitivity", "hypersensitivity_grade": 3, "agents": ["ixabepilone"]},
]


def _set(data: dict[str, Any], path: str, value: Any) -> None:
    *parents, last = path.split(".")
    node = data
    for p in parents:
        node = node.setdefault(p, {})
    if value is None:
        node.pop(last, None)
    else:
        node[last] = copy.deepcopy(value)


def _mutate(data: dict[str, Any], rng: random.Random) -> None:
    kind = rng.random()
    regs = data.get("regimens") or []
    if kind < 0.25 and regs:
        reg = regs[rng.randrange(len(regs))]
        key = rng.choice(sorted(_REG_POOLS))
        value = rng.choice(_REG_POOLS[key])
        if value is None:
            reg.pop(key, None)
        else:
            reg[key] = copy.deepcopy(value)
    elif kind < 0.3 and regs:
        regs.pop(rng.randrange(len(regs)))
    elif kind < 0.36 and regs:
        regs[rng.randrange(len(regs))].update(copy.deepcopy(rng.choice(_REG_MERGES)))
    elif kind < 0.4:
        section, values = rng.choice(_MERGES)
        data.setdefault(section, {}).update(copy.deepcopy(values))
    else:
        path = rng.choice(sorted(_POOLS))
        _set(data, path, rng.choice(_POOLS[path]))


def examples() -> list[tuple[str, dict[str, Any]]]:
    return [(p.name, json.loads(p.read_text(encoding="utf-8"))) for p in sorted(examples_dir().glob("*.json"))]


def cases() -> Iterator[tuple[str, Consult]]:
    """The examples, then MUTATED valid consults made from them (invalid mutations are skipped)."""
    bases = examples()
    for name, data in bases:
        yield name, Consult.model_validate_json(json.dumps(data))
    # The mutations are drawn from the examples without a course: they change no course field and
    # assess() reads none, so a course example only adds its own digest and the 500 stay the same.
    bases = [(name, data) for name, data in bases if "course" not in data]
    rng = random.Random(SEED)
    made = tries = 0
    while made < MUTATED and tries < MUTATED * 20:
        tries += 1
        name, base = bases[rng.randrange(len(bases))]
        data = copy.deepcopy(base)
        for _ in range(rng.randint(1, 4)):
            _mutate(data, rng)
        try:
            consult = Consult.model_validate_json(json.dumps(data))
        except ValidationError:
            continue
        made += 1
        yield f"{name}#mut{made}", consult


def dump(consult: Consult, run: Callable[..., Any] = assess) -> str:
    a = run(consult, default_criteria(), as_of=consult.consult_date or date(2026, 11, 18))
    return a.model_dump_json(exclude=EXCLUDE)


def digests() -> dict[str, str]:
    return {name: hashlib.sha256(dump(c).encode()).hexdigest() for name, c in cases()}


if __name__ == "__main__":
    if "--write" in sys.argv:
        DIGESTS.write_text(json.dumps(digests(), indent=1, sort_keys=True) + "\n", encoding="utf-8")
        print(f"wrote {DIGESTS}")
    else:
        got = digests()
        want = json.loads(DIGESTS.read_text(encoding="utf-8"))
        bad = [k for k in want if got.get(k) != want[k]]
        print(f"{len(want) - len(bad)}/{len(want)} identical; differ: {bad[:10]}")
