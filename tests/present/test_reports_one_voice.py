"""A rule's wording lives in one place: rename it in a temporary criteria copy and every report that
names it follows (issue 10, "Done when")."""

from __future__ import annotations

import io
import json
import shutil
from datetime import date
from pathlib import Path

import pytest
from pypdf import PdfReader

from ixdesk.core.consult import Consult
from ixdesk.core.criteria import Criteria, load_criteria
from ixdesk.core.engine import assess
from ixdesk.paths import criteria_dir, examples_dir
from ixdesk.present.settings import ReportSettings
from ixdesk.reports import render

NEW_TITLE = "Neutrophil count under the start threshold (renamed title)"
NEW_SIGN = "A brand new sign we list for this test."


def _text(data: bytes) -> str:
    return " ".join(" ".join(p.extract_text() or "" for p in PdfReader(io.BytesIO(data)).pages).split())


def _renamed_copy(tmp_path: Path) -> Path:
    dst = tmp_path / "criteria"
    shutil.copytree(criteria_dir(), dst)
    f = dst / "exclusions.yaml"
    old = "title: Baseline neutrophils below 1,500 cells/mm³"
    text = f.read_text(encoding="utf-8")
    assert text.count(old) == 1
    f.write_text(text.replace(old, f"title: {NEW_TITLE}"), encoding="utf-8")
    adm = dst / "administration.yaml"
    atext = adm.read_text(encoding="utf-8")
    assert "    - Chest pain.\n" in atext
    adm.write_text(atext.replace("    - Chest pain.\n", f"    - {NEW_SIGN}\n"), encoding="utf-8")
    return dst


def _outputs(criteria: Criteria) -> dict[str, str]:
    """The five outputs for example 04 (held by the renamed rule): panel, CLI text and the three PDFs."""
    from .test_one_voice import OUTPUTS

    data = json.loads(next(examples_dir().glob("04-*.json")).read_text(encoding="utf-8"))
    consult = Consult.model_validate_json(json.dumps(data))
    a = assess(consult, criteria)
    out = {k: _text(render(k, consult, a, criteria, ReportSettings(), date(2026, 11, 20)))
           for k in ("clinician", "nurse", "patient")}
    out.update({k: fn(criteria, consult) for k, fn in OUTPUTS.items()})
    return out


def test_renamed_rule_title_reaches_every_report(tmp_path: Path) -> None:
    criteria = load_criteria(_renamed_copy(tmp_path))
    out = _outputs(criteria)
    assert sorted(out) == ["cli text", "clinician", "nurse", "panel data", "patient"]
    for reader in ("panel data", "cli text", "clinician", "nurse"):
        assert NEW_TITLE in out[reader], reader
        assert "Baseline neutrophils below" not in out[reader], reader
    # The patient sheet is exempt from rule titles by design: it names no rule (a title is clinical
    # language, above the sheet's reading level), so neither the old nor the new title is on it.
    # What it says of this hold comes from one place, asserted in the next test; its criteria-held
    # wording (the urgent list) follows the renamed copy like every other reader.
    assert NEW_TITLE not in out["patient"] and "Baseline neutrophils below" not in out["patient"]
    assert NEW_SIGN in out["patient"] and "Chest pain" not in out["patient"]
    assert "Your last blood test showed that your blood counts are too low" in out["patient"]


def test_the_patient_wording_of_a_hold_lives_in_one_place(monkeypatch: pytest.MonkeyPatch) -> None:
    """The patient's plain words for a hold are kept once (``patient._HOLD_WORDS``, keyed by the input
    the hold rests on, never by rule id): changing them there changes the patient sheet, and nothing
    else prints them."""
    from ixdesk.present import patient

    old_why, old_next = next((why, nxt) for prefix, why, nxt in patient._HOLD_WORDS if prefix == "labs.neutrophils")
    new_why, new_next = "Plain words changed in one place for this test.", "The next step, reworded once."
    monkeypatch.setattr(patient, "_HOLD_WORDS", tuple(
        (prefix, new_why, new_next) if prefix == "labs.neutrophils" else (prefix, why, nxt)
        for prefix, why, nxt in patient._HOLD_WORDS))
    out = _outputs(load_criteria(criteria_dir()))
    assert new_why in out["patient"] and new_next in out["patient"]
    assert old_why.split(".")[0] not in out["patient"] and old_next.split(".")[0] not in out["patient"]
    for reader in ("panel data", "cli text", "clinician", "nurse"):
        assert new_why not in out[reader], reader
