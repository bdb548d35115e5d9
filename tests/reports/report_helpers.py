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


def page_texts(data: bytes) -> list[str]:
    """Each page's text, squashed: for what must stay on one page."""
    return [squash(page.extract_text() or "") for page in PdfReader(io.BytesIO(data)).pages]


def assert_double_check_on_one_page(data: bytes) -> None:
    """A cycle sheet with a dose: everything both checkers verify and sign is on page 1 (issue 11:
    one page where possible). The infusion part the start checklist also has (hypersensitivity
    watch and act; infusion start, end and observation) follows the signatures, kept together: on
    page 1 when it fits, else alone on page 2 (never a third page, never split)."""
    pages = page_texts(data)
    assert len(pages) <= 2, len(pages)
    first = pages[0]
    for phrase in ("1. Patient", "3. Cycle-start gate", "Premedication", "Independent double check: First checker",
                   "Independent double check: Second checker (independent)"):
        assert phrase in first, phrase
    infusion = ("Hypersensitivity: watch and act", "Infusion start (time)", "Infusion end (time)",
                "Patient observed after infusion (initials / time)")
    last = pages[-1]
    for phrase in infusion:
        assert phrase in last, phrase
    if len(pages) == 2:  # page 2 holds the infusion part only
        assert "checker" not in last and "Premedication (planned" not in last, last


def squash(text: str) -> str:
    """Whitespace-insensitive form for phrase checks (extraction breaks lines anywhere)."""
    return " ".join(text.split())


def make(consult_dict: dict, criteria):
    consult = Consult.model_validate(consult_dict)
    return consult, assess(consult, criteria, as_of=PRINTED_ON)


