"""reportlab platypus renderers: one class per reader, sharing the stylesheet and the page frame.

Every piece of user or criteria text goes through :func:`esc` (XML escaping, CJK font runs) and
into a Paragraph, so long names and notes wrap instead of overflowing table cells.
"""

from __future__ import annotations

import copy

from dataclasses import replace
from typing import Any, Iterable

from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import CondPageBreak, Flowable, KeepTogether, Spacer, Table, TableStyle
from reportlab.platypus import Paragraph as _Paragraph

from ixdesk.present.clinician import MARKS, ClinicianReport, FindingRow
from ixdesk.present.course_history import STATE_MARK
from ixdesk.present.report_base import UNVERIFIED_MARK, Meta, fmt_date
from ixdesk.reports.fonts import esc
from ixdesk.reports.layout import build_pdf, content_width, keep_line_breaks, line_breaks, parse_key, parsed, template_parse
from ixdesk.present.nurse import NurseReport
from ixdesk.present.patient import PatientReport
from ixdesk.reports.styles import (
    BLOCK_BG, MUTED, NOT_MET, RULE, SHADE, STATE_COLOURS, UNVERIFIED, WARN_BG, Styles, grid_style, stylesheet,
)

BOX = "☐"


# what reportlab's Paragraph.wrap and breakLines set on a paragraph, besides its lines (blPara)
_BROKEN_STATE = ("width", "height", "_wrapWidths", "_width_max", "_splitLongWordCount", "_hyphenations")


class Paragraph(_Paragraph):
    """A Paragraph that breaks its lines once per width.

    A table asks each cell's paragraph for its size several times at the same width (to size the
    rows, to split the table across pages, to draw), and reportlab breaks the lines anew every
    time: more than half of the reports' layout. The lines depend only on the width (the
    available height only decides a split, which makes new paragraphs, or drops the lines of a
    paragraph pushed whole to the next page), so a repeat at the width of the last call, with
    its lines still held, returns that call's result; the PDF is byte for byte the same.
    """

    _wrapped: tuple[float, tuple[float, float]] | None = None

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:  # noqa: N803 (reportlab API)
        last = self._wrapped
        if last is not None and last[0] == availWidth and "blPara" in self.__dict__:  # split() may drop the lines
            return last[1]
        key = self._parse_key
        if key is not None and availWidth >= 1e-8:  # reportlab's _FUZZ: narrower never fits
            hit = line_breaks(key, availWidth)
            if hit is not None:
                # what breaking the lines set on the paragraph (its widths, its widest line, ...)
                self.__dict__.update({k: list(v) if isinstance(v, list) else v for k, v in hit[0].items()})
                self.blPara = hit[1]
                self._shared_lines = True  # copied before a split changes them (see ``split``)
                size = (availWidth, hit[2])
                self._wrapped = (availWidth, size)
                return size
        frags = self.frags
        size = super().wrap(availWidth, availHeight)
        self._wrapped = (availWidth, size)
        self._shared_lines = False
        if key is not None and "blPara" in self.__dict__:
            state = {k: self.__dict__[k] for k in _BROKEN_STATE if k in self.__dict__}
            if self.frags is not frags:  # breaking the lines replaced the fragments by their words
                state["frags"] = list(self.frags)
            keep_line_breaks(key, availWidth, (state, self.blPara, size[1]))
            self._shared_lines = True  # the cache holds them now
        return size

    _parse_key: tuple[Any, ...] | None = None  # this paragraph's key in the parse cache, if it has one
    _shared_lines = False  # self.blPara is held by the line-break cache (layout.line_breaks)

    def split(self, availWidth: float, availHeight: float) -> list[Any]:  # noqa: N803 (reportlab API)
        """Reportlab's split, on a private copy of shared lines: it appends spaces to their words."""
        if self._shared_lines and "blPara" in self.__dict__:
            self.blPara = copy.deepcopy(self.blPara)
            self._shared_lines = False
        return super().split(availWidth, availHeight)

    def _setup(self, text: Any, style: Any, bulletText: Any, frags: Any, cleaner: Any) -> None:  # noqa: N803 (reportlab API)
        """Markup parsed once per (text, style, bullet): see ``layout.parsed``."""
        if frags is not None:  # a split's second half, given its fragments
            super()._setup(text, style, bulletText, frags, cleaner)  # type: ignore[misc]
            return

        def parse() -> tuple[str, Any, list[Any], Any]:
            quick = template_parse(text, style, bulletText, self.caseSensitive, cleaner)
            if quick is not None:
                return quick
            super(Paragraph, self)._setup(text, style, bulletText, frags, cleaner)  # type: ignore[misc]
            return self.text, self.style, self.frags, self.bulletText

        self.text, self.style, self.frags, self.bulletText = parsed(text, style, bulletText, self.caseSensitive, parse)
        self._parse_key = parse_key(text, style, bulletText, self.caseSensitive)
        self.debug = 0


def _hex(c: colors.Color) -> str:
    return c.hexval().replace("0x", "#")


UNV = f' <font color="{_hex(UNVERIFIED)}"><b>{esc(UNVERIFIED_MARK)}</b></font>'


class Renderer:
    base_size: float = 9

    def __init__(self) -> None:
        self.s: Styles = stylesheet(self.base_size)
        self.width = content_width()

    # small builders ---------------------------------------------------------------------
    def p(self, text: str, style: Any = None, unverified: bool = False, raw: bool = False) -> Paragraph:
        body = text if raw else esc(text)
        return Paragraph(body + (UNV if unverified else ""), style or self.s.body)

    def c(self, text: str, unverified: bool = False, bold: bool = False, raw: bool = False) -> Paragraph:
        return self.p(text, self.s.cell_bold if bold else self.s.cell, unverified, raw)

    def bullets(self, items: Iterable[tuple[str, bool] | str], style: Any = None, bullet: str = "•") -> list[Any]:
        out = []
        for it in items:
            text, unv = (it, False) if isinstance(it, str) else it
            out.append(Paragraph(esc(text) + (UNV if unv else ""), style or self.s.bullet, bulletText=bullet))
        return out

    def table(self, rows: list[list[Any]], widths: list[float], header: bool = True,
              extra: list[tuple] | None = None, repeat: bool = True) -> Table:
        total = sum(widths)
        cols = [w / total * self.width for w in widths]
        t = Table(rows, colWidths=cols, repeatRows=1 if (header and repeat) else 0, hAlign="LEFT", splitInRow=1)
        t.setStyle(TableStyle(grid_style(1 if header else 0) + (extra or [])))
        return t

    def kv_table(self, pairs: list[tuple[str, str]], cols: int = 2, label_w: float = 1.0, value_w: float = 2.2,
                 ) -> Table:
        rows: list[list[Any]] = []
        for i in range(0, len(pairs), cols):
            row: list[Any] = []
            for k, v in pairs[i:i + cols]:
                row += [self.c(k, bold=True), self.c(v)]
            while len(row) < cols * 2:
                row += ["", ""]
            rows.append(row)
        t = self.table(rows, [label_w, value_w] * cols, header=False,
                       extra=[("BACKGROUND", (i * 2, 0), (i * 2, -1), SHADE) for i in range(cols)])
        return t

    def state(self, state: str, text: str) -> str:
        return f'<font color="{_hex(STATE_COLOURS.get(state, MUTED))}"><b>{esc(text)}</b></font>'

    def hypersensitivity(self, heading: str, steps: list[str], style: Any, source: str = "") -> list[Any]:
        """'Hypersensitivity: watch and act', drawn alike on the start checklist and the cycle double
        check: the first step is what to watch for, the others what to do. ``source`` '' leaves the
        source to a sheet's own sources line. The caller keeps it together (a KeepTogether inside
        another pushed the cycle sheet's infusion part past a page with room for it)."""
        watch, act = steps[:1], steps[1:]
        parts: list[Any] = [
            self.p(f"{heading}Hypersensitivity: watch and act", style),
            self.table([[self.c("Watch", bold=True), self.c("Act", bold=True)],
                        [self.c("<br/>".join(esc(x) for x in watch), raw=True),
                         self.c("<br/>".join("• " + esc(x) for x in act), raw=True)]], [1, 1.4])]
        if source:
            parts.append(self.p(f"Source: {source}", self.s.note))
        return parts

    def render(self, report: Any) -> bytes:
        return build_pdf(report.meta, self.story(report))

    def story(self, report: Any) -> list[Any]:  # pragma: no cover - abstract
        raise NotImplementedError


# --- clinician ---------------------------------------------------------------------------------

class ClinicianRenderer(Renderer):
    base_size = 9
    COLS = [1.05, 4.6, 2.35, 1.9]  # Result | Rule | Key values | Source

    def story(self, r: ClinicianReport) -> list[Any]:
        s = self.s
        out: list[Any] = [self.p("Ixabepilone consult summary", s.title)]
        tone = {"ready": "met", "on_hold": "not_met", "not_decided": "unknown", "outside_label": "unknown"}[r.state]
        out.append(self.p(f'<font size="{self.base_size + 2}">{self.state(tone, r.verdict)}</font>', s.body, raw=True))
        if r.clinic.name:
            out.append(self.p(r.clinic.name + (f" · {r.clinic.address}" if r.clinic.address else ""), s.small))
        out.append(Spacer(1, 1.5 * mm))
        out.append(self.kv_table([
            ("Patient", r.patient.name), ("Record number", r.patient.record_number or "not recorded"),
            ("Date of birth", r.patient.date_of_birth), ("Sex", r.patient.sex or "not recorded"),
            ("Consult date", r.consult_date), ("Prescriber", r.prescriber),
            ("Assessed as of", r.as_of), ("Printed", fmt_date(r.meta.printed_on)),
        ], label_w=1.0, value_w=2.3))
        out += self._key_points(r)
        out.append(self.p("The question", s.h1))
        out.append(self.p(r.question, s.body))
        if r.criteria_mismatch:
            out.append(self.p(r.criteria_mismatch, s.body))

        out.append(self.p("Disease and labs", s.h1))
        out.append(self.kv_table(r.disease, label_w=1.55, value_w=1.75))
        out += self._history(r)
        out += self._criteria(r)
        out += self._safety(r)
        out += self._overrides(r)
        out += self._dose(r)
        out += self._course(r)
        out += self._premed(r)
        out += self._monitoring(r)

        out.append(self.p("Information still missing", s.h1))
        if r.missing:
            # two columns of short items with a box each: a to-do list to work through, not a paragraph
            cells = [self.c(f"{BOX} {m[0].upper() + m[1:]}") for m in r.missing]
            half = (len(cells) + 1) // 2
            rows = [[cells[i], cells[half + i] if half + i < len(cells) else ""] for i in range(half)]
            out.append(self.table(rows, [1, 1], header=False, extra=[("GRID", (0, 0), (-1, -1), 0, colors.white),
                                                                       ("TOPPADDING", (0, 0), (-1, -1), 0.5),
                                                                       ("BOTTOMPADDING", (0, 0), (-1, -1), 0.5)]))
        else:
            out.append(self.p("Nothing the rules need is missing.", s.body))
        if r.data_notes:
            out.append(self.p("Notes on the entered data", s.h2))
            out += self.bullets(r.data_notes)
        if r.imported_sources:
            out.append(self.p("Imported data and its sources", s.h2))
            out.append(self.table([[self.c("Field"), self.c("Source (FHIR import)")]]
                                  + [[self.c(f), self.c(src)] for f, src in r.imported_sources], [1.3, 5.4]))
            out.append(Spacer(1, 1.5 * mm))
        out.append(self.p("<b>Sources.</b> " + esc(" · ".join(f"{doc}: {title}" for doc, title in r.sources)),
                          s.note, raw=True))

        lines = [[""] for _ in range(4)]
        sign: list[Flowable] = [self.p("Discussion notes", s.h1)]
        if r.notes:
            sign.append(self.p(r.notes, s.body))
        sign.append(self.table(lines, [1], header=False, extra=[
            ("GRID", (0, 0), (-1, -1), 0, colors.white), ("LINEBELOW", (0, 0), (-1, -1), 0.4, RULE),
            ("TOPPADDING", (0, 0), (-1, -1), 8)]))
        # the signature block never splits (08 once ended a page on an empty "Discussed by | Signature
        # | Date" header and repeated it overleaf); short notes stay with it, long ones may run on
        block: list[Flowable] = [Spacer(1, 3 * mm),
                                 self.table([[self.c("Discussed by"), self.c("Signature"), self.c("Date")],
                                             ["\n\n", "", ""]], [2, 2, 1], header=True),
                                 Spacer(1, 1.5 * mm),
                                 self.p("This summary supports the treating clinician's judgement; it does not make "
                                        "the decision. Findings marked [unverified] rest on a source we could not "
                                        "confirm, or on IxDesk's own reading where the sources are not precise "
                                        "(line counting).", s.note)]
        if r.notes and len(r.notes) > self.NOTES_KEPT_WITH_SIGNATURE:
            out += sign
            out.append(KeepTogether(block))
        else:
            out.append(KeepTogether(sign + block))
        return out

    NOTES_KEPT_WITH_SIGNATURE = 1200  # characters of discussion notes kept on the signature's page

    TONES = {"block": "not_met", "warn": "unknown", "ok": "met", "unknown": "unknown", "info": "info"}

    def _key_points(self, r: ClinicianReport) -> list[Any]:
        """The verdict, a red box per contraindication, then the key points and the dose (all chosen
        by the report data; drawn here)."""
        s = self.s
        out: list[Any] = []
        for f in r.blocking:
            values = "; ".join(f.values)
            box = Table([[self.p(f"<b>CONTRAINDICATION: {esc(f.title)}</b>" + (UNV if f.unverified else "") +
                                 (f"<br/>{esc(values)}" if values else "") +
                                 (f"<br/><b>{esc(f.override)}</b>" if f.override else "") +
                                 f'<br/><font size="{self.base_size - 1}">{esc(f.source)}</font>', s.body, raw=True)]],
                        colWidths=[self.width], hAlign="LEFT")
            box.setStyle(TableStyle([("BOX", (0, 0), (-1, -1), 1.5, NOT_MET), ("BACKGROUND", (0, 0), (-1, -1), BLOCK_BG),
                                     ("TOPPADDING", (0, 0), (-1, -1), 3), ("BOTTOMPADDING", (0, 0), (-1, -1), 4)]))
            out += [Spacer(1, 1.5 * mm), box]
        pts = [(self.state(self.TONES.get(k.tone, "info"), "•") + " " + esc(self._glance(k.text)) + (UNV if k.unverified else ""))
               for k in r.key_points]
        pts.append(f"<b>{esc(self._glance(r.glance_dose))}</b>")
        if r.missing_line:
            pts.append(esc(r.missing_line))
        out.append(self.p("At a glance", s.h1))
        out += [Paragraph(t, s.bullet) for t in pts]
        return out

    GLANCE_CHARS = 600

    def _glance(self, text: str) -> str:
        """A key point of at most about GLANCE_CHARS: a summary whose missing list runs to pages
        (dozens of unrecognised agent names) is shortened, saying where the full list is."""
        if len(text) <= self.GLANCE_CHARS:
            return text
        head, sep, _ = text.partition(" — missing: ")
        if sep and len(head) < self.GLANCE_CHARS:
            cut = text[:self.GLANCE_CHARS]
            cut = cut[:cut.rfind(", ")] if cut.rfind(", ") > len(head) + len(sep) else cut
            return cut + " … (shortened here: every missing item is listed under 'Information still missing')"
        return text[:self.GLANCE_CHARS] + " … (shortened here: see the Criteria section for the full text)"

    def _history(self, r: ClinicianReport) -> list[Any]:
        s = self.s
        out: list[Any] = [self.p("Treatment history and resistance", s.h1)]
        if not r.regimens:
            out.append(self.p("No prior systemic therapy (stated by the clinician)." if r.no_prior_therapy else
                              "No prior regimens recorded: resistance and prior lines are unknown until they are "
                              "entered or 'no prior systemic therapy' is stated.", s.body))
        else:
            rows: list[list[Any]] = [[self.c(h, bold=True) for h in
                                      ("#", "Regimen", "Setting", "Dates", "Outcome", "Resistance computation")]]
            for reg in r.regimens:
                comp = "<br/>".join(
                    f"<b>{esc(st.drug_class)}: {esc(st.result)}</b> — {esc(st.text)}" + (UNV if st.unverified else "")
                    for st in reg.resistance) or esc("no anthracycline, taxane or capecitabine")
                agents = esc(reg.agents) + (f"<br/><font size={s.note.fontSize}>{esc(reg.anthracycline)}</font>"
                                            if reg.anthracycline else "")  # the recorded exposure, per regimen
                rows.append([self.c(str(reg.number)), self.c(agents, raw=True), self.c(reg.setting), self.c(reg.dates),
                             self.c(reg.outcome), self.c(comp, raw=True)])
            out.append(self.table(rows, [0.25, 1.65, 1.15, 1.45, 1.7, 3.8]))
            noted = [reg for reg in r.regimens if reg.note]
            if noted:  # below the table: a long note must be able to break across pages
                out += self.bullets([f"Regimen {reg.number}: {reg.note}" for reg in noted], style=s.note)
        if r.class_summaries:
            parts = []
            for cs in r.class_summaries:
                st = {"resistant": "met", "not resistant": "not_met"}.get(cs.result, "unknown")
                parts.append(f"<b>{esc(cs.label)}</b>: {self.state(st, cs.result)} ({esc(cs.summary)})")
            src = ("; source: " + esc(" · ".join(r.resistance_sources))) if r.resistance_sources else ""
            out.append(self.p("By drug class: " + " · ".join(parts) + src + self._anthracycline(r), s.note, raw=True))
        elif r.anthracycline:
            out.append(self.p(self._anthracycline(r).removeprefix(" · "), s.note, raw=True))
        if r.lines:
            rows = []
            for ln in r.lines:
                rows.append([self.c(f"<b>{esc(ln.value)}</b> {esc(ln.label)}", raw=True),
                             Paragraph(esc(ln.detail) + (UNV if ln.unverified else ""), s.cell_small)])
            out.append(self.table(rows, [2.4, 6.6], header=False))
        return out

    def _anthracycline(self, r: ClinicianReport) -> str:
        """The attestation, and beside it the recorded exposure (never deciding it), on its own line."""
        if not r.anthracycline:
            return ""
        return " · <b>Anthracycline</b>: " + "; ".join(esc(t) for t in r.anthracycline)

    # criteria tables ---------------------------------------------------------------------
    def _marks(self, state: str) -> str:
        return f'<font color="{_hex(STATE_COLOURS[state])}"><b>{MARKS[state]}</b></font>'

    def _inline_marks(self, text: str) -> str:
        out = esc(text)
        for st, m in MARKS.items():
            out = out.replace(m + " ", self._marks(st) + " ")
        return out

    def _override_para(self, text: str, stale: bool) -> Paragraph:
        """A clinician's override under the computed result (stale ones in the 'not met' colour)."""
        colour = _hex(NOT_MET if stale else STATE_COLOURS["unknown"])
        return Paragraph(f'<font color="{colour}"><b>{esc(text)}</b></font>', self.s.cond)

    def _rule_cell(self, f: FindingRow, steps: bool) -> list[Any]:
        first = f"<b>{esc(f.title)}</b>" + (UNV if f.unverified else "")
        cell: list[Any] = [self.c(first, raw=True)]
        if f.override:
            cell.append(self._override_para(f.override, f.override_stale))
        if f.unverified_basis:
            cell.append(Paragraph(f'<font color="{_hex(UNVERIFIED)}">rests on unverified: '
                                  f'{esc("; ".join(f.unverified_basis))}</font>', self.s.cond))
        if steps:
            for c in f.conditions:
                lead = "" if f.composite else self._marks(c.state) + " "
                cell.append(Paragraph(lead + self._inline_marks(c.text), self.s.cond))
        return cell

    # A table cell is laid out again at every page it spans, so a cell of pages (40 regimens of 12
    # unrecognised 80-character names, all missing from one rule) takes minutes to print. Past this
    # many characters a rule's missing list is shortened in its cell, saying so; the report's
    # "Information still missing" section lists every item in full.
    MISSING_IN_CELL = 1200

    def _missing_text(self, missing: list[str]) -> str:
        shown: list[str] = []
        used = 0
        for item in missing:
            if shown and used + len(item) > self.MISSING_IN_CELL:
                break
            shown.append(item)
            used += len(item) + 2
        text = ", ".join(shown)
        rest = len(missing) - len(shown)
        if rest:
            text += f" … and {rest} more (all listed under 'Information still missing')"
        return text

    def _values_cell(self, f: FindingRow, values: list[str]) -> Paragraph:
        vals = "<br/>".join(esc(v) for v in values)
        if f.missing:
            vals += ("<br/>" if vals else "") + \
                f'<font color="{_hex(STATE_COLOURS["unknown"])}"><b>missing:</b> {esc(self._missing_text(f.missing))}</font>'
        return self.c(vals, raw=True)

    def _full_row(self, f: FindingRow, values: list[str] | None = None, steps: bool = True) -> list[Any]:
        return [self.c(self.state(f.tone, f.state_text), raw=True), self._rule_cell(f, steps),
                self._values_cell(f, f.key_values if values is None else values),
                Paragraph(esc(f.source), self.s.cell_small)]

    def _compact_row(self, f: FindingRow) -> list[Any]:
        """One line: result, then rule title, missing inputs and source in a cell spanning the other columns."""
        extra = ""
        if f.contraindicated:
            extra = f' <font color="{_hex(STATE_COLOURS["unknown"])}">— but contraindicated with that plan (see Contraindications)</font>'
        if f.missing:
            what = "not recorded" if f.missing_is_subject else f"missing: {esc(self._missing_text(f.missing))}"
            extra = f' <font color="{_hex(STATE_COLOURS["unknown"])}">— {what}</font>'
        if f.override:  # beside the computed result, in the compact rows too
            colour = _hex(NOT_MET if f.override_stale else STATE_COLOURS["unknown"])
            extra += f' <font color="{colour}"><b>— {esc(f.override)}</b></font>'
        text = (esc(f.title) + (UNV if f.unverified else "") + extra +
                f' <font color="{_hex(MUTED)}">· {esc(f.source)}</font>')
        return [Paragraph(self.state(f.tone, f.state_text), self.s.cell_small), Paragraph(text, self.s.cell_small),
                "", ""]

    def _rule_table(self, sections: list[tuple[str | None, list[list[Any]], bool]],
                    backgrounds: Iterable[tuple[int, Any]] = ()) -> Table:
        rows: list[list[Any]] = [[self.c(h, bold=True) for h in ("Result", "Rule", "Key values", "Source")]]
        extra: list[tuple] = []
        for title, body, compact in sections:
            if title:
                extra += [("SPAN", (0, len(rows)), (-1, len(rows))), ("BACKGROUND", (0, len(rows)), (-1, len(rows)), SHADE)]
                rows.append([Paragraph(f"<b>{esc(title)}</b>", self.s.cell), "", "", ""])
            for row in body:
                if compact:
                    extra += [("SPAN", (1, len(rows)), (3, len(rows))), ("TOPPADDING", (0, len(rows)), (-1, len(rows)), 1),
                              ("BOTTOMPADDING", (0, len(rows)), (-1, len(rows)), 1.5)]
                rows.append(row)
        for i, bg in backgrounds:
            extra.append(("BACKGROUND", (0, i), (-1, i), bg))
        return self.table(rows, self.COLS, extra=extra)

    def _criteria(self, r: ClinicianReport) -> list[Any]:
        s = self.s
        out: list[Any] = [CondPageBreak(40 * mm), self.p("Criteria", s.h1_loose),
                          self.p("Met / not met / unknown for each rule; unknown names what is missing. Rule steps: "
                                 "✓ met, ✗ not met, ? unknown. Values already shown above are not repeated.", s.note)]
        for g in r.criteria_groups:
            out += [CondPageBreak(30 * mm), self.p(g.heading, s.h2_loose)]
            if not g.subgroups and not g.other_plans:
                out.append(self.p("No rules in this group.", s.body))
                continue
            sections: list[tuple[str | None, list[list[Any]], bool]] = []
            for sub, rows in g.subgroups:
                sections.append((sub if sub != g.heading or len(g.subgroups) > 1 else None,
                                 [self._full_row(f) for f in rows], False))
            if g.other_plans:
                sections.append(("For another regimen (not the plan under discussion)",
                                 [self._compact_row(f) for f in g.other_plans], True))
            out.append(self._rule_table(sections))
        return out

    def _safety(self, r: ClinicianReport) -> list[Any]:
        s = self.s
        out: list[Any] = [CondPageBreak(30 * mm), self.p("Contraindications and warnings", s.h1_loose)]
        if not r.blocking:
            out.append(self.p("No contraindication holds on the information entered.", s.body))
        sections: list[tuple[str | None, list[list[Any]], bool]] = []
        backgrounds: list[tuple[int, Any]] = []
        row = 1
        for title, items, bg in (("Blocking: these contraindications hold", r.blocking, BLOCK_BG),
                                 ("Warnings that apply", r.warnings, WARN_BG)):
            if items:
                row += 1
                sections.append((title, [self._full_row(f, f.values, steps=False) for f in items], False))
                backgrounds += [(row + i, bg) for i in range(len(items))]
                row += len(items)
        if r.other_plan_present:
            row += 1
            sections.append(("Present, for another regimen than the plan under discussion" if r.plan else
                             "Present: applies to one regimen (plan not recorded)",
                             [self._full_row(f, f.values, steps=False) for f in r.other_plan_present], False))
            backgrounds += [(row + i, WARN_BG) for i in range(len(r.other_plan_present))]
            row += len(r.other_plan_present)
        unknown = [f for f in r.exclusions_clear if f.state == "unknown" or f.other_plan == "unknown"]
        clear = [f for f in r.exclusions_clear if f not in unknown]
        if unknown:
            sections.append(("Unknown: information missing", [self._compact_row(f) for f in unknown], True))
        if clear:
            # one flowing cell: a dozen ruled-out checks read as a list, not as a dozen table rows
            text = " · ".join(esc(f.title) + (UNV if f.unverified else "") + f' <font color="{_hex(MUTED)}">({esc(f.source)})</font>'
                              + (f' <b>— {esc(f.override)}</b>' if f.override else "") for f in clear)
            sections.append(("Checked: not present on the information entered",
                             [[Paragraph(self.state("met", "Not present"), self.s.cell_small),
                               Paragraph(text, self.s.cell_small), "", ""]], True))
        if sections:
            out.append(self._rule_table(sections, backgrounds))
        return out

    def _overrides(self, r: ClinicianReport) -> list[Any]:
        """Every override and acknowledgement in one list, beside the computed results above."""
        if not r.overrides:
            return []
        out: list[Any] = [CondPageBreak(25 * mm), self.p("Overrides and acknowledgements", self.s.h1_loose),
                          self.p("The computed results above are unchanged; these are the clinicians' judgements "
                                 "recorded beside them. A stale one was made for a result that has since changed.",
                                 self.s.note)]
        rows = [[self.c(o.title, bold=True), self._override_para(o.text, o.stale)] for o in r.overrides]
        out.append(self.table(rows, [2.6, 6.4], header=False))
        return out

    def _dose(self, r: ClinicianReport) -> list[Any]:
        s = self.s
        out: list[Any] = [self.p(r.dose_heading, s.h1),
                          self.p(f"<b>{esc(r.dose_summary)}</b>", s.body, raw=True)]
        rows = [[self.c(d.label, bold=True), self.c(d.value, d.unverified)] for d in r.dose_lines]
        out.append(self.table(rows, [1.4, 7.6], header=False, extra=[("BACKGROUND", (0, 0), (0, -1), SHADE),
                                                                      ("TOPPADDING", (0, 0), (-1, -1), 1),
                                                                      ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5)]))
        if r.dose_notes:
            out += self.bullets([(n.text, n.unverified) for n in r.dose_notes], style=s.note)
        return out

    def _course(self, r: ClinicianReport) -> list[Any]:
        """The course history (one row per cycle given) and the next-cycle decision with its basis."""
        c = r.course
        if c is None:
            return []
        s = self.s
        out: list[Any] = [self.p("Treatment course", s.h1)]
        if c.rows:
            rows: list[list[Any]] = [[self.c(h, bold=True) for h in
                                      ("Cycle", "Date", "Weight", "BSA", "mg/m²", "mg", "Reason for change",
                                       "Verified by")]]
            for x in c.rows:
                reason = esc(x.reason) + "".join(f"<br/><i>{esc(a)}</i>" for a in x.amendments)
                rows.append([self.c(x.cycle), self.c(x.date), self.c(x.weight), self.c(x.bsa or "—"),
                             self.c(x.mg_per_m2), self.c(x.mg), self.c(reason, raw=True), self.c(x.verified_by)])
            out.append(self.table(rows, [0.62, 1.05, 0.65, 0.95, 0.6, 0.55, 3.0, 1.4]))
        else:
            out.append(self.p("No cycle given yet.", s.body))
        if c.cumulative_text:
            out.append(self.p(c.cumulative_text, s.note))
        n = c.next
        if n is None:
            return out
        tone = {"go": "met", "hold": "not_met"}.get(n.gate, "unknown")
        out.append(self.p(f"{esc(n.cycle)} ({esc(n.date)}): {self.state(tone, n.gate_text)} · "
                          f"<b>{esc(n.dose_text)}</b> · {esc(n.mg_text)}", s.body, raw=True))
        gate = " · ".join(f"{g.label} {g.value} (needs {g.threshold}) {STATE_MARK[g.state]}" for g in n.gate_lines)
        lines = [("Labs", f"{n.labs_when}: {gate}"), ("Previous cycle", " · ".join(n.toxicities))]
        if n.changed_by:
            lines.append(("Rows that applied", "; ".join(n.changed_by)))
        if n.rule_text:
            lines.append(("Rule", n.rule_text))
        if n.recurrence_text:
            lines.append(("Recurrence", n.recurrence_text))
        if n.weight_text:
            lines.append(("Weight", n.weight_text))
        if n.rounding_text:
            lines.append(("Rounding", n.rounding_text))
        lines += [("Capecitabine", t) for t in n.capecitabine]
        lines += [("Check", t) for t in n.checks]
        lines += [("Date check", t) for t in n.date_warnings]
        if n.missing:
            lines.append(("Missing", "; ".join(n.missing)))
        rows = [[self.c(k, bold=True),
                 self.c(f'<font color="{_hex(NOT_MET)}"><b>{esc(v)}</b></font>', raw=True)
                 if k == "Weight" and n.weight_flag else self.c(v)] for k, v in lines]
        out.append(self.table(rows, [1.4, 7.6], header=False, extra=[("BACKGROUND", (0, 0), (0, -1), SHADE)]))
        out += self.bullets([("Basis: " + b, False) for b in n.basis] + [(x, False) for x in n.notes], style=s.note)
        return out

    def _premed(self, r: ClinicianReport) -> list[Any]:
        s = self.s
        rows: list[list[Any]] = [[self.c(h, bold=True) for h in ("Drug", "Dose", "Route", "Timing", "For")]]
        for pm in r.premedication:
            rows.append([self.c(pm.drug), self.c(pm.dose), self.c(pm.route), self.c(pm.timing),
                         self.c(pm.when if not pm.required else f"{pm.when} (required)")])
        return [self.p("Premedication", s.h1), self.table(rows, [2.7, 1.3, 1.3, 1.6, 2.1]),
                self.p(f"Source: {r.premedication_source}", s.note)]

    def _monitoring(self, r: ClinicianReport) -> list[Any]:
        s = self.s
        out: list[Any] = [self.p("Monitoring plan", s.h1),
                          self.p(r.cycle_start.text, s.body, r.cycle_start.unverified)]
        out += self.bullets([(m.text, m.unverified) for m in r.monitoring])
        by_action: dict[str, list[str]] = {}
        for tox, action in r.dose_modifications:
            by_action.setdefault(action, []).append(tox)
        text = " · ".join(f"<b>{esc(a[:1].upper() + a[1:])}</b>: {esc('; '.join(t))}" for a, t in by_action.items())
        out.append(self.p("<b>Dose modification for the next cycle</b> (worst toxicity of the previous cycle). "
                          + text + f". Source: {esc(r.dose_modifications_source)}", s.note, raw=True))
        return out


# --- nurse -------------------------------------------------------------------------------------

class NurseRenderer(Renderer):
    base_size = 8.5

    def story(self, r: NurseReport) -> list[Any]:
        s = self.s
        out: list[Any] = [self.p("Ixabepilone pre-infusion checklist", s.title)]
        out.append(self.kv_table([
            ("Patient", r.patient.name), ("Record number", r.patient.record_number or "not recorded"),
            ("Date of birth", r.patient.date_of_birth), ("Plan", r.plan),
            ("Prescriber", r.prescriber), ("Consult / labs", f"{r.consult_date} / {r.labs_date}"),
            ("Cycle number", "______"), ("Date of infusion", "______________"),
        ]))
        if r.alerts or r.hold:
            out.append(Spacer(1, 1.5 * mm))
            rows: list[list[Any]] = [[self.c(a, bold=not a.startswith("Warning"))] for a in r.alerts]
            rows += [[self.c("• " + h)] for h in r.hold]
            if r.hold:
                rows.append([self.c(f"Call: {r.call}", bold=True)])
            out.append(self.table(rows, [1], header=False, extra=[
                ("BACKGROUND", (0, 0), (-1, -1), BLOCK_BG if r.hold else WARN_BG), ("BOX", (0, 0), (-1, -1), 1.5, NOT_MET)]))
        if r.contraindication_overrides:
            out.append(Spacer(1, 1.5 * mm))
            rows = [[self.c(r.overrides_title.upper(), bold=True)]]
            rows += [[self.c("• " + o, bold=True)] for o in r.contraindication_overrides]
            out.append(self.table(rows, [1], header=False, extra=[
                ("BACKGROUND", (0, 0), (-1, -1), WARN_BG), ("BOX", (0, 0), (-1, -1), 2, NOT_MET)]))

        out.append(self.p("1. Go / no-go before the cycle", s.h1))
        rows = [[self.c(h, bold=True) for h in ("Check", "Threshold to go", "At consult", "Today", "OK")]]
        for ch in r.checks:
            baseline = (self.c(f'<font color="{_hex(NOT_MET)}"><b>{esc(ch.baseline)} — below the limit</b></font>', raw=True)
                        if ch.fails else self.c(ch.baseline))
            rows.append([self.c(ch.item, bold=True), self.c(ch.threshold, ch.unverified), baseline, "",
                         self.c(BOX) if ch.box else ""])
        failing = [("BACKGROUND", (0, i + 1), (-1, i + 1), BLOCK_BG) for i, ch in enumerate(r.checks) if ch.fails]
        out.append(self.table(rows, [1.7, 3.0, 2.0, 2.1, 0.35], extra=failing + [("TOPPADDING", (0, 1), (-1, -1), 4),
                                                                                 ("BOTTOMPADDING", (0, 1), (-1, -1), 4)]))
        out.append(self.p(f"Source: {r.checks_source}. If any check fails: do not start; inform the prescriber.",
                          s.note))

        out.append(self.p("2. Premedication", s.h1))
        if not r.premedication:  # held, not decided, or a course: nothing is scheduled on this sheet
            out.append(self.p("Not planned on this sheet: the cycle double check schedules it."
                              if r.course_pointer else
                              f"Not planned on this sheet: no premedication until {r.waiting_for}; then print a "
                              "new checklist.", s.body))
        else:
            rows = [[self.c(h, bold=True) for h in ("Drug", "Dose / route", "For", "Planned time", "Given at / initials")]]
            for pm in r.premedication:
                planned = "; ".join(f"start − {m} min: __:__" for m in pm.minutes_before) or pm.timing
                rows.append([self.c(pm.drug), self.c(f"{pm.dose}, {pm.route}"),
                             self.c(f"{pm.when}" + ("" if not pm.required else " (required)")),
                             self.c(planned if pm.applies else "not planned"),
                             self.c(BOX + " __:__ ____" if pm.applies else "")])
            out.append(self.table(rows, [2.6, 1.9, 1.7, 1.5, 1.3]))
            out.append(self.p(f"Infusion start planned at: ______ (write it in; each premedication time is counted back "
                              f"from it). Source: {r.premedication_source}", s.note))

        if r.course_pointer:
            out.append(self.p("3. Dose, preparation and infusion", s.h1))
            out.append(self.p(f"<b>{esc(r.course_pointer)}.</b> The start checklist prints no dose, volumes or "
                              "draw-up amounts for a consult past its first cycle.", s.body, raw=True))
            return out
        if not r.dose_shown:
            out.append(self.p("3. Dose, preparation and infusion", s.h1))
            out.append(self.p(f"<b>{esc(r.state_text)}: no dose, volumes or draw-up amounts are printed.</b> "
                              f"Print a new checklist once {esc(r.waiting_for)}.",
                              s.body, raw=True))
            out.append(self.p("Sign-off", s.h1))
            out.append(self.table([[self.c(f, bold=True), ""] for f in r.sign_fields], [2.2, 3.0], header=False,
                                  extra=[("TOPPADDING", (0, 0), (-1, -1), 5), ("BOTTOMPADDING", (0, 0), (-1, -1), 5)]))
            out.append(Spacer(1, 1.5 * mm))
            out.append(self.table([[self.c(f"{BOX} NO-GO: prescriber informed (name / time): ____________", bold=True)]],
                                  [1], header=False))
            return out

        out.append(self.p("3. Dose verification", s.h1))
        rows = [[self.c(h, bold=True) for h in ("Item", "On the order / calculated", "Recalculated today", "OK")]]
        for f in r.dose_fields:
            rows.append([self.c(f.label, bold=True), self.c(f.planned), "", self.c(BOX)])
        out.append(self.table(rows, [1.6, 3.6, 2.2, 0.35]))
        out.append(self.p(r.dose_summary, s.note))

        out.append(self.p("4. Preparation and infusion", s.h1))
        prep = [[self.c(BOX), self.c(f"{i}. {st.text}", st.unverified)] for i, st in enumerate(r.preparation, 1)]
        if r.preparation_for_dose:
            prep.append([self.c(BOX), self.c(r.preparation_for_dose, bold=True)])
        if r.infusion:
            prep.append([self.c(BOX), self.c(r.infusion, bold=True)])
        out.append(self.table(prep, [0.3, 9], header=False, extra=[("GRID", (0, 0), (-1, -1), 0, colors.white)]))
        out.append(self.p(f"Source: {r.preparation_source}", s.note))

        out.append(KeepTogether(self.hypersensitivity("5. ", r.hypersensitivity, s.h1, r.hypersensitivity_source)))

        if r.capecitabine:
            out.append(KeepTogether([self.p("6. Capecitabine teaching points", s.h1)] +
                                    self.bullets([(t.text, t.unverified) for t in r.capecitabine])))

        out.append(self.p("Sign-off", s.h1))
        rows = []
        fields = r.sign_fields
        for i in range(0, len(fields), 2):
            pair = fields[i:i + 2]
            row: list[Any] = []
            for label in pair:
                row += [self.c(label, bold=True), ""]
            if len(pair) == 1:
                row += ["", ""]
            rows.append(row)
        out.append(self.table(rows, [2.2, 1.5, 2.2, 1.5], header=False,
                              extra=[("TOPPADDING", (0, 0), (-1, -1), 5), ("BOTTOMPADDING", (0, 0), (-1, -1), 5)]))
        out.append(Spacer(1, 1.5 * mm))
        out.append(self.table([[self.c(f"{BOX} GO: every check met", bold=True),
                                self.c(f"{BOX} NO-GO: prescriber informed (name / time): ____________", bold=True)]],
                              [1, 1.6], header=False))
        return out


# --- patient -----------------------------------------------------------------------------------

class PatientRenderer(Renderer):
    base_size = 12.5

    def __init__(self) -> None:
        super().__init__()
        # a little less air above headings keeps the summary on two sheets at 12.5 pt
        self.s = replace(self.s, h1=ParagraphStyle("h1_patient", parent=self.s.h1, spaceBefore=self.base_size * 0.6))

    def c(self, text: str, unverified: bool = False, bold: bool = False, raw: bool = False) -> Paragraph:
        """Patients get full-size text in tables too (never below 12 pt)."""
        body = text if raw else esc(text)
        return Paragraph((f"<b>{body}</b>" if bold else body) + (UNV if unverified else ""), self.s.body)

    def story(self, r: PatientReport) -> list[Any]:
        s = self.s
        out: list[Any] = [self.p(r.title, s.title)]
        who = []
        if r.name:
            who.append(f"For: <b>{esc(r.name)}</b>")
        if r.record_number:
            who.append(f"Record number: {esc(r.record_number)}")
        who.append(f"Date: {esc(r.date_text)}")
        out.append(self.p("<br/>".join(who), s.body, raw=True))
        for sec in r.sections:
            parts: list[Any] = [self.p(sec.heading, s.h1)]
            parts += [self.p(t, s.body) for t in sec.paragraphs] if not sec.boxed else []
            parts += self.bullets(sec.bullets)
            if sec.boxed:
                inner: list[Any] = [self.p(sec.heading, s.h1)]
                inner += [self._two_columns(sec.bullets, self.width - 16)] if len(sec.bullets) >= 7 else self.bullets(sec.bullets)
                inner += [self.p(t, s.body) for t in sec.paragraphs]
                box = Table([[inner]], colWidths=[self.width], hAlign="LEFT")
                box.setStyle(TableStyle([("BOX", (0, 0), (-1, -1), 2, NOT_MET), ("BACKGROUND", (0, 0), (-1, -1), BLOCK_BG),
                                         ("LEFTPADDING", (0, 0), (-1, -1), 8), ("RIGHTPADDING", (0, 0), (-1, -1), 8),
                                         ("TOPPADDING", (0, 0), (-1, -1), 2), ("BOTTOMPADDING", (0, 0), (-1, -1), 8)]))
                out.append(KeepTogether([Spacer(1, 2 * mm), box]))
            else:
                if len(sec.bullets) >= 7:  # a long list of short items: two columns
                    parts = parts[:1 + len(sec.paragraphs)] + [self._two_columns(sec.bullets)]
                out.append(KeepTogether(parts[:2]))
                out += parts[2:]
        out.append(KeepTogether([self.p("How to reach your care team", s.h1), self._contact(r)]))
        lines = [[""] for _ in range(2)]
        out.append(KeepTogether([self.p(r.notes_heading, s.h1), self.table(lines, [1], header=False, extra=[
            ("GRID", (0, 0), (-1, -1), 0, colors.white), ("LINEBELOW", (0, 0), (-1, -1), 0.6, RULE),
            ("TOPPADDING", (0, 0), (-1, -1), 12)])]))
        return out

    def _two_columns(self, bullets: list[str], width: float | None = None) -> Table:
        items = self.bullets(bullets)
        rows = [items[i:i + 2] + [""] * (2 - len(items[i:i + 2])) for i in range(0, len(items), 2)]
        t = Table(rows, colWidths=[(width or self.width) / 2] * 2, hAlign="LEFT")  # one row per pair: splits across pages
        t.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0),
                               ("RIGHTPADDING", (0, 0), (-1, -1), 4), ("TOPPADDING", (0, 0), (-1, -1), 0),
                               ("BOTTOMPADDING", (0, 0), (-1, -1), 0)]))
        return t

    def _phone_line(self, r: PatientReport, urgent: bool) -> Paragraph:
        c = r.clinic
        number = c.call_number
        text = (f"Urgent number, day and night: <b>{esc(number)}</b>" if number
                else "Urgent number, day and night: ______________________")
        return self.p(text, self.s.body, raw=True)

    def _contact(self, r: PatientReport) -> Table:
        c = r.clinic
        blank = "________________"
        rows = [
            [self.c("Clinic", bold=True), self.c(c.name or blank), self.c("Phone", bold=True), self.c(c.phone or blank)],
            [self.c("Address", bold=True), self.c(c.address or blank), self.c("Urgent, day and night", bold=True),
             self.c(c.urgent_phone or blank)],
        ]
        return self.table(rows, [0.9, 2.0, 1.15, 1.45], header=False, extra=[
            ("BACKGROUND", (0, 0), (0, -1), SHADE), ("BACKGROUND", (2, 0), (2, -1), SHADE),
            ("TOPPADDING", (0, 0), (-1, -1), 3), ("BOTTOMPADDING", (0, 0), (-1, -1), 4)])


RENDERERS: dict[str, type[Renderer]] = {"clinician": ClinicianRenderer, "nurse": NurseRenderer,
                                        "patient": PatientRenderer}
__all__ = ["ClinicianRenderer", "NurseRenderer", "PatientRenderer", "RENDERERS", "Meta"]


# --- the cycle's independent double check ----------------------------------------------------

class CycleCheckRenderer(Renderer):
    """One page where possible: identity, body and dose, gate, toxicities, administration, signatures.
    Each row has a box for each checker, ticked independently."""

    base_size = 8

    def __init__(self) -> None:
        super().__init__()
        # tighter headings: the whole double check on one page, the combination's rows included
        self.s = replace(self.s, h2=ParagraphStyle("h2_cycle", parent=self.s.h2, spaceBefore=self.base_size * 0.2,
                                                   spaceAfter=self.base_size * 0.15))

    def _rows(self, rows: list[Any], head: str = "As recorded / calculated") -> Table:
        out: list[list[Any]] = [[self.c(h, bold=True) for h in ("Check", head, "1st", "2nd")]]
        for r in rows:
            value = (self.c(f'<font color="{_hex(NOT_MET)}"><b>{esc(r.value)}</b></font>', r.unverified, raw=True)
                     if r.alert else self.c(r.value, r.unverified))
            out.append([self.c(r.item, bold=True), value, self.c(BOX), self.c(BOX)])
        alerts = [("BACKGROUND", (0, i + 1), (-1, i + 1), BLOCK_BG) for i, r in enumerate(rows) if r.alert]
        # 1 pt below each row (1.5 before the liver-test row of the combination): still one page
        return self.table(out, [2.0, 6.4, 0.42, 0.42], extra=alerts + [("TOPPADDING", (0, 0), (-1, -1), 1),
                                                                      ("BOTTOMPADDING", (0, 0), (-1, -1), 1)])

    def story(self, r: Any) -> list[Any]:
        s = self.s
        out: list[Any] = [self.p(f"Ixabepilone — {r.title}", s.title)]
        out.append(self.kv_table([
            ("Cycle and day", r.cycle_day), ("Date", r.cycle_date), ("Plan", r.plan), ("Prescriber", r.prescriber),
        ]))
        tone = "met" if r.state_text == "GO" else "not_met"
        out.append(Spacer(1, 1 * mm))
        if r.hold:
            rows: list[list[Any]] = [[self.p(self.state(tone, f"{r.state_text}: no dose, volumes or draw-up amounts "
                                                         "are printed on this sheet"), s.body, raw=True)]]
            rows += [[self.c("• " + h)] for h in r.hold]
            rows.append([self.c(f"Call: {r.call}", bold=True)])
            out.append(self.table(rows, [1], header=False, extra=[
                ("BACKGROUND", (0, 0), (-1, -1), BLOCK_BG), ("BOX", (0, 0), (-1, -1), 1.5, NOT_MET)]))
        else:
            # what the checkers look at before giving goes on the GO line itself: never a bare GO
            checks = "".join(f'; <font color="{_hex(NOT_MET)}"><b>{esc(c)}</b></font>' for c in r.checks)
            out.append(self.p(self.state(tone, f"{r.state_text}: both checkers verify every line on their own")
                              + checks, s.body, raw=True))
        out.append(self.p("1. Patient", s.h2))
        out.append(self._rows(r.identity))
        out.append(self.p("2. Height, weight, BSA" + (" and dose (second checker recomputes)" if r.dose_shown else ""),
                          s.h2))
        out.append(self._rows(r.body))
        out.append(self.p("3. Cycle-start gate with today's labs", s.h2))
        out.append(self._rows(r.gate))
        out.append(self.p("4. Previous cycle's toxicities and the dose change", s.h2))
        tox = " · ".join(esc(t) for t in r.toxicity) or "no course recorded"
        change = esc(r.dose_change) + (" — " + esc("; ".join(r.changed_by)) if r.changed_by else "")
        rows = [[self.c("Recorded", bold=True), self.c(tox, raw=True)],
                [self.c("Dose change", bold=True), self.c(f"<b>{change}</b>", raw=True)]]
        rows += [[self.c("Capecitabine", bold=True), self.c(t)] for t in r.capecitabine]
        out.append(self.table(rows, [2.0, 7.24], header=False, extra=[("BACKGROUND", (0, 0), (0, -1), SHADE)]))
        if r.administration:
            out.append(self.p("5. Drug, preparation and infusion", s.h2))
            out.append(self._rows(r.administration, "On the order / calculated"))
        if not r.premedication:
            out.append(self.p("5. Premedication", s.h2))
            out.append(self.p("Not planned on this sheet: no premedication before the prescriber has resolved the "
                              "hold and a new double check is printed.", s.body))
        else:
            out += self._premed_rows(r)
        if r.notes:
            out += self.bullets(r.notes, style=s.note)
        sources = [f"gate {r.gate_source}"] + ([f"preparation {r.administration_source}"] if r.administration else []) \
            + ([f"premedication {r.premedication_source}"] if r.premedication else [])
        out.append(self.p("Sources: " + "; ".join(sources) + ".", s.note))
        out += self._signatures(r)
        out += self._infusion(r)
        return out

    def _infusion(self, r: Any) -> list[Any]:
        """With a dose shown: the start checklist's hypersensitivity watch and act, and its infusion
        start, end and observation lines. After the two checkers' signatures and kept together: when
        the page is full they go whole onto the next one, and the double check stays on its page."""
        if not r.hypersensitivity and not r.infusion_signatures:
            return []
        parts: list[Any] = []
        if r.hypersensitivity:
            parts += self.hypersensitivity(("7" if r.administration else "6") + ". ", r.hypersensitivity,
                                           self.s.h2, r.hypersensitivity_source)
        if r.infusion_signatures:
            parts.append(self.table([[self.c(f, bold=True) for f in r.infusion_signatures]],
                                    [1] * len(r.infusion_signatures), header=False,
                                    extra=[("TOPPADDING", (0, 0), (-1, -1), 4), ("BOTTOMPADDING", (0, 0), (-1, -1), 9),
                                           ("VALIGN", (0, 0), (-1, -1), "TOP")]))
        return [KeepTogether([Spacer(1, 1 * mm), *parts])]

    def _premed_rows(self, r: Any) -> list[Any]:
        s = self.s
        out: list[Any] = []
        out.append(self.p(("6" if r.administration else "5") + ". Premedication (planned times counted back from the "
                          "infusion start: __:__)", s.h2))
        rows = [[self.c(h, bold=True) for h in ("Drug", "Dose / route", "Planned time", "Given at / initials")]]
        for pm in r.premedication:
            if not pm.applies:
                continue
            planned = "; ".join(f"start − {m} min: __:__" for m in pm.minutes_before) or pm.timing
            rows.append([self.c(pm.drug), self.c(f"{pm.dose}, {pm.route}"), self.c(planned), self.c(BOX + " __:__ ____")])
        out.append(self.table(rows, [3.4, 2.6, 1.6, 1.3], extra=[("TOPPADDING", (0, 0), (-1, -1), 1),
                                                                 ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5)]))
        later = "; ".join(f"{pm.drug} {pm.dose}, {pm.when.split(' (')[0]}" for pm in r.premedication if not pm.applies)
        if later:
            out.append(self.p(f"Not planned: {later}.", s.note))
        return out

    def _signatures(self, r: Any) -> list[Any]:
        out: list[Any] = []
        head = "Independent double check" if r.dose_shown else "Sign-off"
        sig: list[list[Any]] = [[self.c(f"{head}: {label}", bold=True), self.c("Name:"), self.c("Signature:"),
                                 self.c("Time:")] for label in r.signatures]
        out.append(KeepTogether([Spacer(1, 1 * mm),
                                 self.table(sig, [2.8, 2.5, 2.4, 1.0], header=False,
                                            extra=[("TOPPADDING", (0, 0), (-1, -1), 4),
                                                   ("BOTTOMPADDING", (0, 0), (-1, -1), 9),
                                                   ("VALIGN", (0, 0), (-1, -1), "TOP")])]))
        return out


RENDERERS["cycle"] = CycleCheckRenderer
RENDERERS["visit"] = PatientRenderer
