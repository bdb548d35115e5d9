"""Fonts: the bundled DejaVu Sans (embedded, subset) with a fallback for CJK ideographs.

DejaVu Sans covers Latin, Greek, Cyrillic, Armenian, Georgian, Hebrew and Arabic letters. It has no
CJK ideographs; a CJK run is set in reportlab's built-in CID fonts (STSong-Light, HeiseiMin-W3,
HYSMyeongJo-Medium). Those are *not embedded*: the PDF names the font and the viewer supplies it
(Acrobat, poppler with a CJK font installed), and the text stays extractable. Arabic and Hebrew runs
are put in visual order (see :func:`visual_order`); Arabic letters print unjoined, because reportlab
has no shaping without extra libraries.
Characters no font covers are kept (so search and copy still work).
"""

from __future__ import annotations

import re
import threading
from functools import lru_cache
from xml.sax.saxutils import escape

from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFont

from ixdesk.paths import resources_dir

FONT = "IxDejaVuSans"
FONT_BOLD = "IxDejaVuSans-Bold"
CJK_FONTS = {"han": "STSong-Light", "kana": "HeiseiMin-W3", "hangul": "HYSMyeongJo-Medium"}


_REGISTERING = threading.Lock()
_registered = False


def register_fonts() -> None:
    """Register the fonts once per process, whichever thread asks first.

    The window registers them on a worker thread after start-up (``ixdesk.reports.warm_up``) while a
    print on the UI thread may ask at the same moment; registering twice would swap the font object
    under a document being laid out, so the second caller waits for the first."""
    global _registered
    if _registered:
        return
    with _REGISTERING:
        if not _registered:
            _register()
            _registered = True


def _register() -> None:
    folder = resources_dir() / "fonts"
    pdfmetrics.registerFont(TTFont(FONT, str(folder / "DejaVuSans.ttf")))
    pdfmetrics.registerFont(TTFont(FONT_BOLD, str(folder / "DejaVuSans-Bold.ttf")))
    pdfmetrics.registerFontFamily(FONT, normal=FONT, bold=FONT_BOLD, italic=FONT, boldItalic=FONT_BOLD)
    addMapping(FONT, 0, 0, FONT)
    addMapping(FONT, 1, 0, FONT_BOLD)
    addMapping(FONT, 0, 1, FONT)
    addMapping(FONT, 1, 1, FONT_BOLD)
    for cid in CJK_FONTS.values():
        pdfmetrics.registerFont(UnicodeCIDFont(cid))


@lru_cache(maxsize=1)
def _covered() -> frozenset[int]:
    register_fonts()
    font = pdfmetrics.getFont(FONT)
    assert isinstance(font, TTFont)  # registered above from DejaVuSans.ttf
    return frozenset(font.face.charToGlyph)


def _script(ch: str) -> str | None:
    o = ord(ch)
    if 0x3040 <= o <= 0x30FF or 0x31F0 <= o <= 0x31FF:
        return "kana"
    if 0xAC00 <= o <= 0xD7AF or 0x1100 <= o <= 0x11FF or 0x3130 <= o <= 0x318F:
        return "hangul"
    if (0x4E00 <= o <= 0x9FFF or 0x3400 <= o <= 0x4DBF or 0x20000 <= o <= 0x2FA1F or 0xF900 <= o <= 0xFAFF
            or 0x3000 <= o <= 0x303F or 0xFF00 <= o <= 0xFFEF):
        return "han"
    return None


_RTL = re.compile(r"[\u0590-\u05FF\u0600-\u06FF\u0750-\u077F\uFB1D-\uFDFF\uFE70-\uFEFF]"
                  r"(?:[\u0590-\u05FF\u0600-\u06FF\u0750-\u077F\uFB1D-\uFDFF\uFE70-\uFEFF\s.,'-]*"
                  r"[\u0590-\u05FF\u0600-\u06FF\u0750-\u077F\uFB1D-\uFDFF\uFE70-\uFEFF])?")


def visual_order(text: str) -> str:
    """Put right-to-left runs (Arabic, Hebrew) in visual order, since reportlab lays text out left to right.

    A minimal bidi: each run of RTL letters (with the spaces and punctuation inside it) is reversed.
    Letters are not joined (no shaping), which reads as separate letters but in the right order, and
    text extraction (pypdf) returns the name in its logical order.
    """
    return _RTL.sub(lambda m: m.group(0)[::-1], text)


def esc(text: object) -> str:
    """Escape user text for a Paragraph, order RTL runs visually and switch CJK runs to a CID font."""
    s = "" if text is None else str(text)
    if s.isascii():  # nearly every string: no RTL run to reorder, every character in DejaVu Sans
        return escape(s).replace("\n", "<br/>")
    s = visual_order(s)
    cov = _covered()
    out: list[str] = []
    run_script: str | None = None
    run: list[str] = []

    def flush() -> None:
        if not run:
            return
        chunk = escape("".join(run))
        out.append(f'<font name="{CJK_FONTS[run_script]}">{chunk}</font>' if run_script else chunk)
        run.clear()

    for ch in s:
        script = None if ord(ch) in cov else _script(ch)
        if script != run_script:
            flush()
            run_script = script
        run.append(ch)
    flush()
    return "".join(out).replace("\n", "<br/>")


def plain_width_fit(text: str, font: str, size: float, width: float) -> str:
    """Shorten ``text`` with an ellipsis so it fits ``width`` when drawn as one line (header use)."""
    register_fonts()
    if pdfmetrics.stringWidth(text, font, size) <= width:
        return text
    lo, hi = 0, len(text)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if pdfmetrics.stringWidth(text[:mid] + "…", font, size) <= width:
            lo = mid
        else:
            hi = mid - 1
    return text[:lo].rstrip() + "…"
