"""Helpers shared by the report tests (plain module: conftest files are not importable)."""

from __future__ import annotations

import io
from datetime import date

from pypdf import PdfReader

from ixdesk.core.consult import Consult
from ixdesk.core.engine import assess
from ixdesk.paths import examples_dir
from ixdesk.reports import ReportSettings

PRINTED_ON = date(2026, 11, 20)
EXAMPLES = sorted(examples_dir().glob("*.json"))
SETTINGS = ReportSettings(clinic_name="Riverside Oncology Clinic", clinic_address="12 Harbour Road\nSpringfield",
                          clinic_phone="+1 555 0100", urgent_phone="+1 555 0199")

NON_LATIN = {
    "cyrillic": "Ольга Петрова",
    "greek": "Ελένη Παπαδοπούλου",
    "arabic": "أمينة الحسن",
    "cjk": "王秀英",
    "vietnamese": "Nguyễn Thị Hương",
}


def pdf_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    return "\n".join(page.extract_text() or "" for page in reader.pages)


def pdf_pages(data: bytes) -> int:
    return len(PdfReader(io.BytesIO(data)).pages)


def squash(text: str) -> str:
    """Whitespace-insensitive form for phrase checks (extraction breaks lines anywhere)."""
    return " ".join(text.split())


def make(consult_dict: dict, criteria):
    consult = Consult.model_validate(consult_dict)
    return consult, assess(consult, criteria, as_of=PRINTED_ON)


