"""``ixdesk assess FILE`` (text): the layer's words laid out, in the window's order."""

from __future__ import annotations

import re

import pytest

from ixdesk.cli import render_text
from ixdesk.core.criteria import default_criteria
from ixdesk.present.sections import present

from .helpers import STEMS, assessed


@pytest.mark.parametrize("stem", STEMS)
def test_text_follows_the_sections_and_keeps_other_plans_last(stem: str) -> None:
    a = assessed(stem)
    p = present(a, default_criteria())
    text = render_text(a, "x.json", default_criteria())
    at = [text.index("\n" + s.title) for s in p.sections]
    assert at == sorted(at)
    if p.other_plans:
        other = text.index("For the other plans")
        assert other > at[-1]
        for v in p.other_plans:
            assert text.index(v.line("cli")) > other, v.id
    for v in p.findings.values():
        assert v.line("cli") in text, v.id
    assert text.splitlines()[3].strip() == p.key_points[0].text


@pytest.mark.parametrize("stem", STEMS)
def test_no_double_negatives_no_ascii_units(stem: str) -> None:
    text = render_text(assessed(stem), "x.json", default_criteria())
    assert "[ not met ] Not present" not in text and "Not present:" not in text
    assert not re.search(r"mm3\b|\d x ULN|<=|>=|mg/m2\b", text), stem
    assert "NCCN pathways" not in text
    assert "missing: pregnant" not in text


def test_dates_in_the_header_use_the_one_format() -> None:
    text = render_text(assessed("01"), "x.json")
    assert "as of 18 Nov 2026" in text
