"""A rule's wording lives in one place: rename it in a temporary criteria copy and every report that
names it follows (issue 10, "Done when")."""

from __future__ import annotations

import io
import json
import shutil
from datetime import date
from pathlib import Path

from pypdf import PdfReader

from ixdesk.core.consult import Consult
from ixdesk.core.criteria import load_criteria
from ixdesk.core.engine import assess
from ixdesk.paths import criteria_dir, examples_dir
from ixdesk.present.settings import ReportSettings
from ixdesk.reports import render

NEW_TITLE = "Neutrophil count under the start threshold (renamed title)"
NEW_SIGN = "A brand new sign we list for this test."


def _text(data: bytes) -> str:
    return " ".join(" ".join(p.extract_text() or "" for p in PdfReader(io.BytesIO(data)).pages).split())


def test_renamed_rule_title_reaches_every_report(tmp_path: Path):
    dst = tmp_path / "criteria"
    shutil.copytree(criteria_dir(), dst)
    f = dst / "exclusions.yaml"
    old = "title: Baseline neutrophils below 1500 cells/mm³"
    text = f.read_text(encoding="utf-8")
    assert old in text
    f.write_text(text.replace(old, f"title: {NEW_TITLE}"), encoding="utf-8")
    adm = dst / "administration.yaml"
    atext = adm.read_text(encoding="utf-8")
    assert "    - Chest pain.\n" in atext
    adm.write_text(atext.replace("    - Chest pain.\n", f"    - {NEW_SIGN}\n"), encoding="utf-8")
    criteria = load_criteria(dst)

    data = json.loads(next(examples_dir().glob("04-*.json")).read_text(encoding="utf-8"))
    consult = Consult.model_validate_json(json.dumps(data))
    a = assess(consult, criteria)
    pdfs = {k: _text(render(k, consult, a, criteria, ReportSettings(), date(2026, 11, 20)))
            for k in ("clinician", "nurse", "patient")}
    assert NEW_TITLE in pdfs["clinician"] and NEW_TITLE in pdfs["nurse"]
    assert "Baseline neutrophils below" not in pdfs["clinician"] + pdfs["nurse"]
    # the patient sheet names no rule (plain words keyed by the input the hold rests on); its
    # criteria-held wording (the urgent list) follows the copy the same way
    assert NEW_SIGN in pdfs["patient"] and "Chest pain" not in pdfs["patient"]
    assert "Your blood counts are too low today" in pdfs["patient"]
