"""The reports' speed-ups change no byte: each paragraph breaks its lines once per width, and
plain ASCII text is escaped without the per-character font walk (issue 13)."""

from __future__ import annotations

from collections import Counter
from datetime import date
from typing import Any

import pytest
from reportlab.platypus import Paragraph as RLParagraph

import ixdesk.reports.renderers as renderers
from ixdesk.core.criteria import default_criteria
from ixdesk.core.engine import assess
from ixdesk.core.files import load_consult
from ixdesk.reports import KINDS, ReportSettings, render
from ixdesk.reports.fonts import esc
from tests.conftest import EXAMPLES

PRINTED = date(2026, 11, 20)
SETTINGS = ReportSettings(clinic_name="Bench Clinic", clinic_phone="+1 555 0100", urgent_phone="+1 555 0199")


def _renders() -> dict[str, bytes]:
    crit = default_criteria()
    out = {}
    for p in sorted(EXAMPLES.glob("*.json")):
        c = load_consult(p)
        a = assess(c, crit)
        for k in KINDS:
            out[f"{p.name}:{k}"] = render(k, c, a, crit, SETTINGS, PRINTED)
    return out


def test_the_pdfs_are_the_same_bytes_without_the_wrap_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    cached = _renders()
    monkeypatch.setattr(renderers.Paragraph, "wrap", RLParagraph.wrap)
    assert _renders() == cached


def test_a_paragraph_breaks_its_lines_about_once(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: Counter[tuple[int, float]] = Counter()
    alive: list[Any] = []  # held, so that no id is reused by a later paragraph
    real = RLParagraph.breakLines

    def counting(self: Any, width: Any) -> Any:
        alive.append(self)
        calls[(id(self), tuple(width) if isinstance(width, list) else width)] += 1
        return real(self, width)

    monkeypatch.setattr(RLParagraph, "breakLines", counting)
    c = load_consult(EXAMPLES / "01-combination-after-anthracycline-and-taxane.json")
    crit = default_criteria()
    render("clinician", c, assess(c, crit), crit, SETTINGS, PRINTED)
    # a table sized its cells' paragraphs two to three times each before; what is left are widths
    # one float ulp apart and paragraphs pushed whole to the next page
    assert calls and sum(calls.values()) <= 1.25 * len({pid for pid, _ in calls})


@pytest.mark.parametrize("text", ["AST > 2.5 × ULN", "plain & <tag> \"quoted\"\nnext line", "", "40 mg/m2", "a\tb"])
def test_ascii_fast_path_escapes_as_the_font_walk_does(text: str) -> None:
    from xml.sax.saxutils import escape

    if text.isascii():
        assert esc(text) == escape(text).replace("\n", "<br/>")
    assert esc("Ärztin " + text) == "Ärztin " + esc(text)  # the walk, on text that is not ASCII


def test_the_pdfs_are_the_same_bytes_without_the_parse_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    import ixdesk.reports.layout as layout

    first = _renders()
    again = _renders()  # every paragraph a cache hit now
    monkeypatch.setattr(renderers.Paragraph, "_setup", RLParagraph._setup)
    monkeypatch.setattr(layout, "_PARSED", {})
    assert first == again == _renders()


def test_a_paragraph_seen_before_is_not_parsed_again(monkeypatch: pytest.MonkeyPatch) -> None:
    import ixdesk.reports.layout as layout
    from reportlab.platypus.paraparser import ParaParser

    monkeypatch.setattr(layout, "_PARSED", {})
    parses: list[str] = []
    made: list[str] = []
    real_parse, real_init = ParaParser.parse, renderers.Paragraph.__init__

    def counting_parse(self: Any, text: str, style: Any) -> Any:
        parses.append(text)
        return real_parse(self, text, style)

    def counting_init(self: Any, text: Any, *args: Any, **kwargs: Any) -> None:
        made.append(text)
        real_init(self, text, *args, **kwargs)

    monkeypatch.setattr(ParaParser, "parse", counting_parse)
    monkeypatch.setattr(renderers.Paragraph, "__init__", counting_init)
    c = load_consult(EXAMPLES / "01-combination-after-anthracycline-and-taxane.json")
    crit = default_criteria()
    a = assess(c, crit)
    render("clinician", c, a, crit, SETTINGS, PRINTED)
    first, n_made = len(parses), len(made)
    assert first < 0.95 * n_made  # the checkbox and "Met" cells repeat within one report
    parses.clear()
    render("clinician", c, a, crit, SETTINGS, PRINTED)
    assert len(parses) <= 5  # only the page header's line (its own style, drawn on each page) is parsed again


def test_a_paragraph_seen_before_at_the_same_width_breaks_no_lines(monkeypatch: pytest.MonkeyPatch) -> None:
    import ixdesk.reports.layout as layout

    monkeypatch.setattr(layout, "_PARSED", {})
    monkeypatch.setattr(layout, "_BROKEN", {})
    calls: list[Any] = []
    real = RLParagraph.breakLines

    def counting(self: Any, width: Any) -> Any:
        calls.append(self)
        return real(self, width)

    monkeypatch.setattr(RLParagraph, "breakLines", counting)
    c = load_consult(EXAMPLES / "04-blocked-by-neutrophils.json")
    crit = default_criteria()
    a = assess(c, crit)
    first = render("clinician", c, a, crit, SETTINGS, PRINTED)
    n_first = len(calls)
    calls.clear()
    assert render("clinician", c, a, crit, SETTINGS, PRINTED) == first
    # left: the page header's line (its own style) and the second halves of split paragraphs
    assert n_first > 100 and len(calls) <= 0.1 * n_first


def test_text_and_simple_markup_are_not_run_through_the_parser(monkeypatch: pytest.MonkeyPatch) -> None:
    """A paragraph gets its fragments from its skeleton's template (``layout.template_parse``):
    reportlab's parser sees each skeleton once per style (its runs of text one letter each) and
    only the paragraphs the templates do not cover. The bytes are checked against reportlab's own
    ``_setup`` by the test above. (The page header, drawn by reportlab's own Paragraph, is not the
    renderers' and is not counted.)"""
    import ixdesk.reports.layout as layout
    from reportlab.platypus.paraparser import ParaParser

    monkeypatch.setattr(layout, "_PARSED", {})
    monkeypatch.setattr(layout, "_TEMPLATES", {})
    parses: list[str] = []
    inside = [False]
    real_parse, real_setup = ParaParser.parse, renderers.Paragraph._setup

    def counting_parse(self: Any, text: str, style: Any) -> Any:
        if inside[0]:
            parses.append(text)
        return real_parse(self, text, style)

    def flagged_setup(self: Any, *args: Any) -> None:
        inside[0] = True
        try:
            real_setup(self, *args)
        finally:
            inside[0] = False

    monkeypatch.setattr(ParaParser, "parse", counting_parse)
    monkeypatch.setattr(renderers.Paragraph, "_setup", flagged_setup)
    c = load_consult(EXAMPLES / "01-combination-after-anthracycline-and-taxane.json")
    crit = default_criteria()
    render("clinician", c, assess(c, crit), crit, SETTINGS, PRINTED)
    skeletons = {k[0] for k in layout._TEMPLATES}
    assert "x" in skeletons and any("<b>" in k for k in skeletons)  # plain text, and a bold lead
    templates = [t for t in parses if t in skeletons]
    assert len(templates) == len(layout._TEMPLATES)  # each skeleton parsed once per style
    others = [t for t in parses if t not in skeletons]
    # what is left: empty cells, entities (&lt; &gt;), line breaks and attributes without quotes
    assert all(not t.strip() or "&" in t or "<br/>" in t or "size=7" in t for t in others)
    assert len(others) < 0.1 * len(layout._PARSED)  # nearly every paragraph came from a template
