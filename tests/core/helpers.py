"""Small builders so each table row states only what it varies."""

from __future__ import annotations

from datetime import date
from typing import Any

from ixdesk.core.consult import Consult
from ixdesk.core.criteria import default_criteria
from ixdesk.core.engine import assess

CONSULT_DATE = date(2026, 11, 18)


def labs(**over: Any) -> dict[str, Any]:
    base = {
        "date": "2026-11-16",
        "neutrophils": {"value": 3000, "unit": "cells/mm3"},
        "platelets": {"value": 200000, "unit": "cells/mm3"},
        "ast": {"value": 30, "uln": 40, "unit": "U/L"},
        "alt": {"value": 30, "uln": 40, "unit": "U/L"},
        "bilirubin": {"value": 0.6, "uln": 1.2, "unit": "mg/dL"},
    }
    base.update(over)
    return base


def consult(**over: Any) -> Consult:
    """A complete, unremarkable metastatic consult; keyword sections replace or update parts."""
    data: dict[str, Any] = {
        "consult_date": "2026-11-18",
        "patient": {"sex": "female", "height_cm": 165, "weight_kg": 65, "pregnant": False, "breastfeeding": False},
        "disease": {"extent": "metastatic", "er": "positive", "pr": "positive", "her2_ihc": "0",
                    "germline_brca": "no_mutation", "visceral_crisis": True, "endocrine_refractory": True, "pdl1_cps": 1},
        "regimens": [],
        "attestations": {"anthracycline_contraindicated": False, "tdxd_candidate": False, "prescriber_is_oncologist": True},
        "labs": labs(),
        "history": {"ecog": 1, "neuropathy_grade": 0, "cremophor_hypersensitivity": False, "prior_ixabepilone_reaction": False,
                    "cardiac_history": False, "diabetes": False, "medications": [], "grapefruit": False},
        "plan": {"regimen": "monotherapy"},
    }
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(data.get(key), dict):
            data[key] = {**data[key], **value}
        else:
            data[key] = value
    if not data["regimens"] and "no_prior_systemic_therapy" not in over:
        data["no_prior_systemic_therapy"] = True  # complete: an empty table here means "none", stated
    return Consult.model_validate(data, strict=False)


def reg(agents: list[str] | str, setting: str | None = "metastatic", start: str | None = "2025-01-01",
        last: str | None = "2025-03-01", prog: str | None = None, **kw: Any) -> dict[str, Any]:
    d: dict[str, Any] = {"agents": [agents] if isinstance(agents, str) else agents, "setting": setting,
                         "start_date": start, "last_dose_date": last}
    if prog is not None:
        d["progression_date"] = prog
        d["progressed"] = True
    d.update(kw)
    return d


def run(c: Consult):
    return assess(c, default_criteria())


def state(c: Consult, finding_id: str) -> str:
    return run(c).finding(finding_id).state


def resistance(c: Consult, cls: str) -> str:
    return run(c).resistance_for(cls).result


def assert_regimen_rows_and_findings(a: Any, cs: dict[str, Any], ctx: str) -> None:
    """The checks both independent-case tables share: per-regimen resistance rows (result, window
    setting and end, confidence) and finding states."""
    for cls, idx, result, window_setting, window_end in cs.get("regimens", []):
        rows = [r for r in a.resistance_for(cls).regimens if r.regimen_index == idx]
        assert len(rows) == 1, f"{ctx}\nno {cls} row for regimen {idx}"
        r = rows[0]
        assert r.result == result, f"{ctx}\n{cls} regimen {idx}: {r.reason}"
        if window_setting is not None:
            assert r.window_setting == window_setting, f"{ctx}\n{cls} regimen {idx} window setting"
        if window_end is not None:
            assert r.window_end == date.fromisoformat(window_end), f"{ctx}\n{cls} regimen {idx} window end"
    for (cls, idx), conf in cs.get("regimen_confidence", {}).items():
        r = next(r for r in a.resistance_for(cls).regimens if r.regimen_index == idx)
        assert r.confidence == conf, f"{ctx}\n{cls} regimen {idx} confidence"
    for fid, want in cs.get("findings", {}).items():
        f = a.finding(fid)
        assert f.state == want, f"{ctx}\n{fid}: {f.summary}"
