"""Issue 10's "Done when", checked from the printed PDFs only (the text a reader gets), with this
file's own patterns: nothing here is shared with the layer or the renderers' own tests.

- no dose, volume or draw-up amount on the nurse sheet of a held consult;
- distinct patient sheets for the held (04) and the undecided (07) consult, both unlike the go-ahead
  sheet (01), and none describing a treatment that is not going ahead;
- every report in one date format, with typographic units and no ISO date.
"""

from __future__ import annotations

import io
import re
from datetime import date
from functools import cache

import pytest
from pypdf import PdfReader

from ixdesk.core.criteria import default_criteria
from ixdesk.present.settings import ReportSettings
from ixdesk.reports import render

from .helpers import STEMS, assessed, example

# "May" is the same in both forms, so it tells neither apart
MONTHS_LONG = "January|February|March|April|June|July|August|September|October|November|December"
MONTHS_SHORT = "Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Oct|Nov|Dec"


@cache
def printed(stem: str, kind: str) -> str:
    data = render(kind, example(stem), assessed(stem), default_criteria(), ReportSettings(), date(2026, 12, 3))
    return " ".join(" ".join(p.extract_text() or "" for p in PdfReader(io.BytesIO(data)).pages).split())


def test_the_held_nurse_sheet_prints_no_dose_volume_or_draw_up() -> None:
    text = printed("04", "nurse")
    d = assessed("04").dose
    doses = {x for x in (d.dose_mg, d.dose_mg_if_strong_inhibitor, d.dose_mg_unless_strong_inhibitor) if x}
    assert doses  # the engine did compute one: the sheet must still not print it
    for x in doses:
        assert not re.search(rf"\b{re.escape(f'{x:g}')} ?mg\b", text), x
    assert not re.search(r"\bmL\b", text) and "draw up" not in text.lower()
    assert not re.search(r"\d ?mg/m²", text)  # no ixabepilone dose rate either
    assert "ON HOLD" in text and "Baseline neutrophils" in text  # the hold and its reason instead


def test_a_ready_nurse_sheet_does_print_them() -> None:
    """The check above can fail: the go-ahead sheet of 01 prints the dose and the draw-up volume."""
    text = printed("01", "nurse")
    assert "70.6 mg" in text and re.search(r"\bmL\b", text) and "draw up" in text.lower()


def test_held_and_undecided_patient_sheets_are_their_own() -> None:
    ready, held, undecided = printed("01", "patient"), printed("04", "patient"), printed("07", "patient")
    assert len({ready, held, undecided}) == 3
    for text in (held, undecided):
        # nothing that describes a treatment going ahead: no drip times, no capecitabine schedule
        assert "capecitabine pills" not in text.lower() and "14 days" not in text, text[:200]
        assert not re.search(r"\b\d+ hours?\b.{0,40}\bdrip\b", text)
    assert "blood counts are too low" in held and "today" not in held and "repeated" in held
    assert "waiting for" in undecided.lower() and "too low" not in undecided
    assert "capecitabine" in ready.lower() and "14 days" in ready


@pytest.mark.parametrize("kind", ["clinician", "nurse", "patient"])
@pytest.mark.parametrize("stem", STEMS)
def test_one_date_format_and_typographic_units(stem: str, kind: str) -> None:
    text = printed(stem, kind)
    assert not re.findall(r"\b\d{4}-\d{2}-\d{2}\b|\b\d{4}-\d{2}\b(?!\d)", text)
    long_ = re.findall(rf"\b\d{{1,2}} (?:{MONTHS_LONG}) \d{{4}}", text)
    short = re.findall(rf"\b\d{{1,2}} (?:{MONTHS_SHORT}) \d{{4}}", text)
    assert not (long_ and short), (long_[:2], short[:2])
    assert not re.findall(r"<=|>=|\bmm3\b|(?<![\w.])m2\b|\d x ULN|not recorded kg|\[not met\] Not present", text)
