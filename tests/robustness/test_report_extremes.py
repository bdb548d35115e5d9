"""Every schema-valid consult prints all three reports.

Measured on main: the clinician report crashed with reportlab's LayoutError on a valid consult with
many long unrecognised agent names (a table row taller than a page). The extremes here sit at the
consult model's own limits; the property test draws ordinary but messy consults.
"""

from __future__ import annotations

import io
import json
from datetime import date
from typing import Any

import pypdf
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from ixdesk.core.criteria import default_criteria
from ixdesk.core.engine import assess
from ixdesk.core.files import ConsultFileError, parse_consult
from ixdesk.reports import KINDS, render

from tests.robustness.extreme_consults import EXTREMES, MAX_AGENTS, MAX_REGIMENS, extreme
from tests.robustness.helpers import full_consult

PRINTED = date(2025, 3, 14)
CASES = ["many_long_agents_latin", "long_texts_latin", "long_texts_arabic", "long_texts_cyrillic",
         "long_texts_devanagari", "everything_cjk"]


def _pdf_text(data: bytes) -> tuple[int, str]:
    reader = pypdf.PdfReader(io.BytesIO(data))
    return len(reader.pages), "".join(p.extract_text() or "" for p in reader.pages)


_RENDERED: dict[str, dict[str, bytes]] = {}


def _render_extreme(name: str) -> dict[str, bytes]:
    """Each extreme is laid out once per session: some take seconds."""
    if name not in _RENDERED:
        _RENDERED[name] = _render_all(extreme(name))
    return _RENDERED[name]


def _render_all(doc: dict[str, Any]) -> dict[str, bytes]:
    criteria = default_criteria()
    consult = parse_consult(json.dumps(doc, ensure_ascii=False))
    a = assess(consult, criteria)
    return {k: render(k, consult, a, criteria, None, PRINTED) for k in KINDS}


def test_the_extremes_are_valid_consults() -> None:
    for name in EXTREMES:
        c = parse_consult(json.dumps(extreme(name), ensure_ascii=False))
        if name.startswith(("many", "everything")):
            assert len(c.regimens) == MAX_REGIMENS and all(len(r.agents) == MAX_AGENTS for r in c.regimens)


@pytest.mark.parametrize("name", CASES)
def test_extreme_valid_consult_prints_all_three_reports(name: str) -> None:
    pdfs = _render_extreme(name)
    for kind, data in pdfs.items():
        assert data.startswith(b"%PDF"), kind
        pages, text = _pdf_text(data)
        assert pages >= 1 and "Page 1 of" in text, kind


def test_many_unrecognised_agents_are_shortened_in_cells_with_a_note() -> None:
    """A rule's missing list of 40 regimens' unrecognised names is cut in its cell, saying where the
    full list is; that section still names every regimen."""
    pages, text = _pdf_text(_render_extreme("many_long_agents_latin")["clinician"])
    flat = text.replace("\n", "")
    assert "all listed under 'Information still missing'" in flat
    assert "Information still missing" in flat
    for i in (1, 20, 40):
        assert f"regimen {i}: agent(s) not" in flat or f"Regimen {i}: agent(s) not" in flat, i


# --- property: ordinary but messy consults -------------------------------------------------

KNOWN = ["paclitaxel", "docetaxel", "doxorubicin", "epirubicin", "capecitabine", "trastuzumab", "Abraxane",
         "letrozole", "ixabepilone"]
no_controls = st.characters(blacklist_categories=("Cc", "Cs"))
agent = st.sampled_from(KNOWN) | st.text(no_controls, min_size=1, max_size=80).filter(lambda s: s.strip())
regimen = st.fixed_dictionaries({
    "agents": st.lists(agent, min_size=1, max_size=MAX_AGENTS),
    "setting": st.sampled_from(["neoadjuvant", "adjuvant", "metastatic"]),
    "start_date": st.dates(date(2000, 1, 1), date(2024, 12, 31)).map(date.isoformat),
}, optional={"note": st.text(no_controls, max_size=400)})


@settings(max_examples=4, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(regs=st.lists(regimen, max_size=6), name=st.text(no_controls, max_size=200),
       meds=st.lists(st.text(no_controls, max_size=200), max_size=12), notes=st.text(no_controls, max_size=600))
def test_any_valid_consult_prints_all_three_reports(regs: list[dict[str, Any]], name: str, meds: list[str],
                                                    notes: str) -> None:
    doc = full_consult()
    doc["regimens"], doc["notes"] = regs or doc["regimens"], notes
    doc["patient"]["name"], doc["history"]["medications"] = name, meds
    try:
        parse_consult(json.dumps(doc, ensure_ascii=False))
    except ConsultFileError:
        assume(False)
    for kind, data in _render_all(doc).items():
        assert data.startswith(b"%PDF"), kind
