"""Page templates shared by the three renderers: header, footer with 'Page X of Y', metadata.

The footer needs the page count, so pages are kept until the end and decorated in ``save`` (the
usual reportlab 'numbered canvas'). The document is built in invariant mode and its creation date is
the print date, so the same inputs give byte-identical files.
"""

from __future__ import annotations

import io
import re
from datetime import date
from typing import Any, Callable

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, Frame, PageTemplate, Paragraph

from ixdesk.present.report_base import Meta
from ixdesk.reports.fonts import FONT, FONT_BOLD, esc, plain_width_fit, register_fonts
from ixdesk.reports.styles import MUTED, NOT_MET, RULE, stylesheet

PAGE = A4
MARGIN_X = 16 * mm
MARGIN_TOP = 20 * mm
MARGIN_BOTTOM = 20 * mm


def _canvas_class(meta: Meta) -> type[Canvas]:
    from reportlab.lib.enums import TA_RIGHT
    from reportlab.lib.styles import ParagraphStyle

    header_style = ParagraphStyle("header_right", parent=stylesheet(8).header, alignment=TA_RIGHT,
                                  fontName=FONT_BOLD, fontSize=8, leading=9.5)

    class NumberedCanvas(Canvas):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            kwargs["invariant"] = 1
            super().__init__(*args, **kwargs)
            d = meta.printed_on
            self.setDateFormatter(lambda *_: f"D:{d.year:04d}{d.month:02d}{d.day:02d}120000+00'00'")
            self.setTitle(meta.title)
            self.setSubject(meta.subject)
            self.setAuthor("IxDesk")
            self.setCreator(f"IxDesk {meta.app_version}")
            self.setProducer("IxDesk (ReportLab)")
            self.setKeywords(f"criteria {meta.criteria_version} sha256 {meta.criteria_sha256}")
            self._pages: list[dict[str, Any]] = []

        def showPage(self) -> None:  # noqa: N802 (reportlab API)
            self._pages.append(dict(self.__dict__))
            self._startPage()  # type: ignore[attr-defined]  # reportlab's private page reset, not in its stubs

        def save(self) -> None:
            total = len(self._pages)
            for number, state in enumerate(self._pages, start=1):
                self.__dict__.update(state)
                self._decorate(number, total)
                Canvas.showPage(self)
            Canvas.save(self)

        def _decorate(self, number: int, total: int) -> None:
            width, height = self._pagesize  # type: ignore[attr-defined]  # set by Canvas.__init__, not in the stubs
            left, right = MARGIN_X, width - MARGIN_X
            top = height - 11 * mm
            self.saveState()
            self.setStrokeColor(RULE)
            self.setLineWidth(0.5)
            self.line(left, top - 2.5 * mm, right, top - 2.5 * mm)
            self.setFont(FONT_BOLD, 8)
            self.setFillColor(MUTED)
            self.drawString(left, top, meta.header_left)
            if meta.header_right:
                avail = (right - left) * 0.55
                text = plain_width_fit(meta.header_right, FONT_BOLD, 8, avail - 2)
                p = Paragraph(esc(text), header_style)
                _, h = p.wrap(avail, 30)
                p.drawOn(self, right - avail, top - h + 9)
            if meta.criteria_banner:  # between the header rule and the body, on every page
                self.setFont(FONT_BOLD, 8)
                self.setFillColor(NOT_MET)
                self.drawCentredString((left + right) / 2, top - 6.5 * mm, meta.criteria_banner)
                self.setFillColor(MUTED)
            bottom = 10 * mm
            self.line(left, bottom + 6 * mm, right, bottom + 6 * mm)
            self.setFont(FONT, 6.5)
            self.drawString(left, bottom + 3 * mm, meta.footer_line1)
            self.drawString(left, bottom, meta.footer_line2)
            self.drawString(left, bottom - 3 * mm, meta.footer_line3)
            self.setFont(FONT_BOLD, 8)
            self.drawRightString(right, bottom + 3 * mm, f"Page {number} of {total}")
            self.restoreState()

    return NumberedCanvas


def build_pdf(meta: Meta, story: list[Any], on_page: Callable[..., None] | None = None) -> bytes:
    """Lay out ``story`` on A4 with the shared page frame and return the PDF bytes."""
    register_fonts()
    buf = io.BytesIO()
    doc = BaseDocTemplate(
        buf, pagesize=PAGE, leftMargin=MARGIN_X, rightMargin=MARGIN_X, topMargin=MARGIN_TOP,
        bottomMargin=MARGIN_BOTTOM, title=meta.title, subject=meta.subject, author="IxDesk",
        creator=f"IxDesk {meta.app_version}", invariant=1, initialFontName=FONT,
    )
    frame = Frame(doc.leftMargin, doc.bottomMargin, doc.width, doc.height, id="body",
                  leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)
    doc.addPageTemplates([PageTemplate(id="page", frames=[frame])])
    doc.build(story, canvasmaker=_canvas_class(meta))
    return buf.getvalue()


# Parsed paragraph markup, by (text, style, bullet text, case sensitivity): see ``parsed``.
_PARSED: dict[tuple[Any, ...], tuple[str, Any, list[Any], Any]] = {}
PARSED_MAX = 8192  # entries; about 500 a consult's three reports, three quarters of them shared between consults


def _fresh(frags: list[Any]) -> list[Any]:
    """Copies of cached fragments that layout may change without touching the cache's."""
    out = []
    for f in frags:
        g = f.clone()
        for k, v in g.__dict__.items():
            if isinstance(v, list):
                g.__dict__[k] = list(v)  # a fragment's links and underlines
        out.append(g)
    return out


def parsed(text: str, style: Any, bullet_text: Any, case_sensitive: int,
           parse: Callable[[], tuple[str, Any, list[Any], Any]]) -> tuple[str, Any, list[Any], Any]:
    """A paragraph's parsed markup (its cleaned text, style, fragments and bullet), parsed once.

    Parsing the markup is a quarter of the reports' time, and the same fragments recur: the
    checkbox and "Met" cells within one report, and the rules' texts, sources and checklists
    across consults (three quarters of a consult's distinct paragraphs appear in another's). The
    parse depends only on the text, the style object (the stylesheets are built once per size, see
    ``styles.stylesheet``) and the bullet, so a repeat gets copies of the first parse's fragments:
    the PDF is the same bytes. ``parse`` runs reportlab's own parser on a miss."""
    try:
        key = (text, style, bullet_text, case_sensitive)
        hit = _PARSED.get(key)
    except TypeError:  # a bullet given as fragments: not hashable, parse it as reportlab does
        return parse()
    if hit is None:
        hit = parse()
        if len(_PARSED) >= PARSED_MAX:
            _PARSED.clear()
        _PARSED[key] = (hit[0], hit[1], _fresh(hit[2]), _copy_bullet(hit[3]))
        return hit
    return hit[0], hit[1], _fresh(hit[2]), _copy_bullet(hit[3])


# What reportlab's parser makes of a paragraph's markup with each run of text replaced by one
# letter, by (that skeleton, style, case sensitivity): see ``template_parse``. None when the
# skeleton's parse is not one plain fragment per run of text.
_TEMPLATES: dict[tuple[str, Any, int], tuple[Any, list[Any]] | None] = {}
# the tags the renderers write (bold, italic, underline, a font colour or size): anything else
# (a line break, an image, a link, an entity) goes to the parser
_TAG = re.compile(r'</?(?:b|i|u|font)(?:\s+[a-z]+="[^"<>&]*")*\s*>')
PLACEHOLDER = "x"


def template_parse(text: str, style: Any, bullet_text: Any, case_sensitive: int, cleaner: Callable[[str], str]
                   ) -> tuple[str, Any, list[Any], Any] | None:
    """What reportlab's parser makes of a paragraph, without running it on this text; None when
    it must run.

    Parsing markup is a fifth of a process's first print, and reportlab's parser gives one fragment
    per run of text between tags: a copy of the fragment style and tags open at that point, with
    the font of its weight, and the run as its text. Nothing in a fragment but its text depends on
    the text, so the paragraph's skeleton (its tags, each run of text replaced by one letter) is
    parsed once per style, and its fragments are copied with the runs put in. Four in five of a
    consult's distinct paragraphs are plain text (one run), most others a bold lead or a coloured
    mark. Text with an entity (``&``) or any other tag, empty text, a style that transforms case,
    and any skeleton whose parse is not one plain fragment per run go to the parser. The PDFs are
    the same bytes (tested against reportlab's own ``_setup``)."""
    if "&" in text or getattr(style, "textTransform", None):
        return None
    cleaned = cleaner(text)
    if not cleaned:
        return None
    if "<" in cleaned:
        runs = _TAG.split(cleaned)
        if any("<" in r or ">" in r for r in runs):
            return None  # a tag the renderers do not write, or a stray bracket: the parser decides
        tags = _TAG.findall(cleaned)
        skeleton = "".join(PLACEHOLDER * bool(r) + t for r, t in zip(runs[:-1], tags, strict=True)) + PLACEHOLDER * bool(runs[-1])
        texts = [r for r in runs if r]
    else:
        if ">" in cleaned:
            return None
        skeleton, texts = PLACEHOLDER, [cleaned]
    key = (skeleton, style, case_sensitive)
    try:
        tpl = _TEMPLATES[key]
    except KeyError:
        tpl = _TEMPLATES[key] = _template(skeleton, style, case_sensitive, len(texts))
    if tpl is None:
        return None
    frags = _fresh(tpl[1])
    for frag, run in zip(frags, texts, strict=True):
        frag.text = run
    return cleaned, tpl[0], frags, bullet_text


def _template(skeleton: str, style: Any, case_sensitive: int, runs: int) -> tuple[Any, list[Any]] | None:
    from reportlab.platypus.paraparser import ParaParser

    parser = ParaParser()
    parser.caseSensitive = case_sensitive
    out_style, frags, bullet_frags = parser.parse(skeleton, style)
    if not frags or len(frags) != runs or bullet_frags:
        return None
    for f in frags:
        if f.text != PLACEHOLDER or getattr(f, "greek", 0) or hasattr(f, "cbDefn") or getattr(f, "lineBreak", False):
            return None
    return out_style, frags


def _copy_bullet(bullet: Any) -> Any:
    return _fresh(bullet) if isinstance(bullet, list) else bullet


def parse_key(text: Any, style: Any, bullet_text: Any, case_sensitive: int) -> tuple[Any, ...] | None:
    """The key ``parsed`` files a paragraph under, or None when it has none (a bullet given as fragments)."""
    key = (text, style, bullet_text, case_sensitive)
    try:
        hash(key)
    except TypeError:
        return None
    return key


# Broken lines, by (parse key, width): what reportlab's Paragraph.wrap made of that paragraph at
# that width (the attributes it set, its lines, its height).
_BROKEN: dict[tuple[Any, ...], tuple[dict[str, Any], Any, float]] = {}


def line_breaks(key: tuple[Any, ...], width: float) -> tuple[dict[str, Any], Any, float] | None:
    """Lines broken before for the same paragraph at the same width (``keep_line_breaks``).

    Breaking lines is the largest part of laying out the reports once each paragraph breaks once
    per width (``renderers.Paragraph.wrap``), and the same cell at the same column width recurs,
    within a report and between consults. Reportlab reads a paragraph's lines to measure and draw
    it; only a split changes them (it appends a space to a line's last word), and the renderers'
    Paragraph splits a private copy. So paragraphs with the same text, style and width share one
    set of lines, and the PDF is the same bytes."""
    return _BROKEN.get((key, width))


def keep_line_breaks(key: tuple[Any, ...], width: float, broken: tuple[dict[str, Any], Any, float]) -> None:
    if len(_BROKEN) >= PARSED_MAX:
        _BROKEN.clear()
    _BROKEN[(key, width)] = broken


def content_width() -> float:
    return PAGE[0] - 2 * MARGIN_X


__all__ = ["build_pdf", "content_width", "date", "keep_line_breaks", "line_breaks", "parse_key", "parsed"]
