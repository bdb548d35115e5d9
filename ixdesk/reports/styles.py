"""One named stylesheet for the three reports: sizes per reader, shared colours and table styles."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT
from reportlab.lib.styles import ParagraphStyle

from ixdesk.reports.fonts import FONT, FONT_BOLD, register_fonts

INK = colors.HexColor("#1a1a1a")
MUTED = colors.HexColor("#555555")
RULE = colors.HexColor("#9a9a9a")
SHADE = colors.HexColor("#eeeeee")
HEAD_BG = colors.HexColor("#dde6ee")
MET = colors.HexColor("#1d6b2f")
NOT_MET = colors.HexColor("#a11d1d")
UNKNOWN = colors.HexColor("#8a5a00")
BLOCK_BG = colors.HexColor("#fbe3e3")
WARN_BG = colors.HexColor("#fff3d6")
UNVERIFIED = colors.HexColor("#7a2a8c")

STATE_COLOURS = {"met": MET, "not_met": NOT_MET, "unknown": UNKNOWN}


@dataclass(frozen=True)
class Styles:
    base: int
    title: ParagraphStyle
    h1: ParagraphStyle
    h2: ParagraphStyle
    body: ParagraphStyle
    small: ParagraphStyle
    cell: ParagraphStyle
    cell_bold: ParagraphStyle
    cell_small: ParagraphStyle
    bullet: ParagraphStyle
    note: ParagraphStyle
    header: ParagraphStyle
    cond: ParagraphStyle
    h1_loose: ParagraphStyle
    h2_loose: ParagraphStyle


@lru_cache(maxsize=16)
def stylesheet(base: float) -> Styles:
    """Styles scaled from one body size: 8.5 pt for the chair-side checklist, 13 pt for patients.

    Built once per size and shared: the styles are never changed after this (a renderer that needs
    another heading makes a new style from one of these), and the same style objects let a
    paragraph's parsed markup be reused (``layout.parsed``)."""
    register_fonts()
    lead = base * 1.3

    def ps(name: str, **kw: object) -> ParagraphStyle:
        d = dict(fontName=FONT, fontSize=base, leading=lead, textColor=INK, alignment=TA_LEFT,
                 wordWrap=None, splitLongWords=1)
        d.update(kw)
        return ParagraphStyle(name, **d)  # type: ignore[arg-type]

    small = base * 0.85
    return Styles(
        base=int(base),
        title=ps("title", fontName=FONT_BOLD, fontSize=base * 1.55, leading=base * 1.9, spaceAfter=base * 0.3),
        h1=ps("h1", fontName=FONT_BOLD, fontSize=base * 1.2, leading=base * 1.5, spaceBefore=base * 0.9,
              spaceAfter=base * 0.3, keepWithNext=1),
        h2=ps("h2", fontName=FONT_BOLD, fontSize=base * 1.02, leading=base * 1.3, spaceBefore=base * 0.5,
              spaceAfter=base * 0.15, keepWithNext=1),
        body=ps("body", spaceAfter=base * 0.35),
        small=ps("small", fontSize=small, leading=small * 1.3, textColor=MUTED),
        cell=ps("cell", fontSize=small, leading=small * 1.25),
        cell_bold=ps("cell_bold", fontName=FONT_BOLD, fontSize=small, leading=small * 1.25),
        cell_small=ps("cell_small", fontSize=small * 0.92, leading=small * 1.15, textColor=MUTED),
        bullet=ps("bullet", leftIndent=base * 1.3, bulletIndent=base * 0.3, spaceAfter=base * 0.15),
        note=ps("note", fontSize=small, leading=small * 1.3, textColor=MUTED, spaceAfter=base * 0.3),
        header=ps("header", fontSize=7.5, leading=9, textColor=MUTED),
        h1_loose=ps("h1_loose", fontName=FONT_BOLD, fontSize=base * 1.2, leading=base * 1.5, spaceBefore=base * 0.9,
                    spaceAfter=base * 0.3),
        h2_loose=ps("h2_loose", fontName=FONT_BOLD, fontSize=base * 1.02, leading=base * 1.3, spaceBefore=base * 0.5,
                    spaceAfter=base * 0.15),
        cond=ps("cond", fontSize=small * 0.92, leading=small * 1.15, leftIndent=base * 0.7),
    )


def grid_style(header_rows: int = 1, font_size: float = 8) -> list[tuple]:
    """The table look shared by every report: hairline grid, shaded header, top-aligned cells."""
    cmds: list[tuple] = [
        ("GRID", (0, 0), (-1, -1), 0.4, RULE),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
    ]
    if header_rows:
        cmds.append(("BACKGROUND", (0, 0), (-1, header_rows - 1), HEAD_BG))
    return cmds
