"""The clinician report lists the sources of imported data; a typed consult has no such section."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

from pypdf import PdfReader

from ixdesk.core.criteria import default_criteria
from ixdesk.core.engine import assess
from ixdesk.core.files import load_consult
from ixdesk.interop.fhir_map import import_file
from ixdesk.reports import ReportSettings, build_clinician_report, render

DATA = Path(__file__).resolve().parents[1] / "data" / "fhir"
DAY = dt.date(2026, 11, 18)


def _text(pdf: bytes) -> str:
    return " ".join(" ".join(p.extract_text() or "" for p in PdfReader(io.BytesIO(pdf)).pages).split())


def test_clinician_report_lists_imported_sources() -> None:
    crit = default_criteria()
    consult = import_file(str(DATA / "example-a-bundle.json"), crit, DAY).consult
    a = assess(consult, crit, DAY)
    r = build_clinician_report(consult, a, crit, ReportSettings(), DAY)
    rows = dict(r.imported_sources)
    assert rows["Neutrophils"] == "Observation anc1, 2026-10-28, http://loinc.org|751-8, sent as 2.1 10*3/uL"
    assert rows["Prior regimen 2"].startswith("MedicationAdministration pac0, 2022-03-07")
    text = _text(render("clinician", consult, a, crit, ReportSettings(), DAY))
    assert "Imported data and its sources" in text and "Observation anc1" in text


def test_typed_consult_has_no_imported_section() -> None:
    crit = default_criteria()
    example = sorted((Path(__file__).resolve().parents[2] / "resources" / "examples").glob("*.json"))[0]
    consult = load_consult(example)
    a = assess(consult, crit, DAY)
    r = build_clinician_report(consult, a, crit, ReportSettings(), DAY)
    assert r.imported_sources == []
    assert "Imported data" not in _text(render("clinician", consult, a, crit, ReportSettings(), DAY))
