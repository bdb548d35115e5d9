"""The verdict header at the top of the assessment side: the answer first, the detail below.

It shows what ``ixdesk.present.verdict`` decided and nothing else: the decision in one sentence, the
label / pathway / payer statuses for the plan under discussion, the dose (or why there is none), and
what holds the consult. Colour is kept for what it means: a thin bar and a faint tint carry the
tone; only a contraindication is red. Every status is also written out in words and marks
(✔ ✘ ? –), so the header reads in greyscale and to a screen reader.
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ixdesk.ui.inputs import tinted

if TYPE_CHECKING:
    from ixdesk.present.verdict import Status, Verdict

# bar colour, tint behind the header, text colour of a status of that tone
TONES = {
    "good": ("#2e7d32", "#f7fbf7", "#1b5e20"),
    "neutral": ("#607d8b", "#f7f8f9", "#37474f"),
    "caution": ("#c07800", "#fffbf2", "#7a4a00"),
    "bad": ("#c62828", "#fdf6f6", "#a11d1d"),
}
KIND_TAG = {"ready": "READY", "on_hold": "ON HOLD", "not_decided": "NOT DECIDED", "outside_label": "OUTSIDE THE LABEL"}


def status_html(s: Status) -> str:
    colour = TONES[s.tone][2]
    link = f"finding:{s.finding_ids[0]}" if s.finding_ids else ""
    name = html.escape(s.name)
    body = f"<span style='color:{colour}; font-weight:600'>{s.mark} {html.escape(s.text)}</span>"
    if s.unverified:  # a met that rests on IxDesk's unverified reading is said to, beside it
        body += "<span style='color:#7a4a00'>&nbsp;(unverified)</span>"
    inner = f"<span style='color:#555'>{name}</span>&nbsp;{body}"
    if link:
        inner = f"<a href='{html.escape(link, quote=True)}' style='text-decoration:none'>{inner}</a>"
    return inner


class VerdictHeader(QFrame):
    """The one-line answer, then the statuses, the dose and the holds; links go to fields and rules."""

    field_requested = Signal(str)
    finding_requested = Signal(str)
    compare_toggled = Signal(bool)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("verdict")
        self.setAccessibleName("Verdict")
        self.verdict: Verdict | None = None
        self.tone: str | None = None
        # every tone's tint in one style sheet, chosen by the "tone" property (see ``_tone``)
        self.setStyleSheet("".join(
            f'QFrame#verdict[tone="{name}"] {{ background:{tint}; border:1px solid #d0d4d8; border-radius:3px; }}'
            for name, (_, tint, _) in TONES.items()))
        outer = QHBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(0)
        self.bar = QFrame()
        self.bar.setFixedWidth(6)
        outer.addWidget(self.bar)
        body = QVBoxLayout()
        body.setContentsMargins(12, 8, 10, 8)
        body.setSpacing(4)
        outer.addLayout(body, 1)

        top = QHBoxLayout()
        top.setSpacing(8)
        self.tag = QLabel()
        self.tag.setAccessibleName("Decision")
        tag_font = QFont(self.font())
        tag_font.setBold(True)
        tag_font.setPointSizeF(max(7.0, self.font().pointSizeF() * 0.85))
        tag_font.setLetterSpacing(QFont.SpacingType.PercentageSpacing, 108)
        self.tag.setFont(tag_font)
        top.addWidget(self.tag)
        self.plan = QLabel()
        self.plan.setAccessibleName("Plan under discussion")
        tinted(self.plan, "#555")  # a palette, not a style sheet (start-up)
        top.addWidget(self.plan, 1)
        self.compare_button = QToolButton()
        self.compare_button.setText("Compare plans")
        self.compare_button.setCheckable(True)
        self.compare_button.setChecked(True)
        self.compare_button.setToolTip("Show the three regimens side by side: label, pathways, payers, "
                                       "contraindications and dose for each")
        self.compare_button.toggled.connect(self.compare_toggled)
        top.addWidget(self.compare_button)
        body.addLayout(top)

        self.headline = QLabel()
        self.headline.setAccessibleName("Verdict headline")
        self.headline.setWordWrap(True)
        head_font = QFont(self.font())
        head_font.setPointSizeF(self.font().pointSizeF() * 1.35)
        head_font.setBold(True)
        self.headline.setFont(head_font)
        self.headline.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        body.addWidget(self.headline)

        self.statuses = self._rich("Label, pathway and payer status")
        body.addWidget(self.statuses)
        self.dose = self._rich("Dose")
        dose_font = QFont(self.font())
        dose_font.setPointSizeF(self.font().pointSizeF() * 1.1)
        self.dose.setFont(dose_font)
        body.addWidget(self.dose)
        self.holds = self._rich("What holds the consult")
        body.addWidget(self.holds)
        self.notes = self._rich("Warnings")
        body.addWidget(self.notes)
        self.footnote = QLabel()
        self.footnote.setAccessibleName("Date and criteria")
        tinted(self.footnote, "#666")  # a palette, not a style sheet (start-up)
        small = QFont(self.font())
        small.setPointSizeF(max(7.0, self.font().pointSizeF() * 0.9))
        self.footnote.setFont(small)
        body.addWidget(self.footnote)
        self.show_message("Loading criteria…")

    def _rich(self, name: str) -> QLabel:
        lab = QLabel()
        lab.setAccessibleName(name)
        lab.setWordWrap(True)
        lab.setTextFormat(Qt.TextFormat.RichText)
        lab.linkActivated.connect(self._link)
        return lab

    def _link(self, url: str) -> None:
        if url.startswith("field:"):
            self.field_requested.emit(url[len("field:"):])
        elif url.startswith("finding:"):
            self.finding_requested.emit(url[len("finding:"):])

    def _tone(self, tone: str) -> None:
        """The bar, the tint and the tag's colour of ``tone``, when it changes.

        A new style sheet on the header re-polished every label in it (about 2 ms, on most edits
        that change the verdict): the tint is chosen by a property instead, and only the header
        itself is polished again; the bar and the tag have no children."""
        if tone == self.tone:
            return
        self.tone = tone
        bar, _, text = TONES[tone]
        self.bar.setStyleSheet(f"background:{bar}; border:none;")
        self.setProperty("tone", tone)
        self.style().unpolish(self)
        self.style().polish(self)
        self.tag.setStyleSheet(f"color:{text}")

    # --- states -----------------------------------------------------------------------------

    def show_message(self, text: str, tone: str = "neutral") -> None:
        """No verdict (loading, invalid input, criteria error): one line and nothing that reads as an answer."""
        self.verdict = None
        self._tone(tone)
        self.tag.setText("")
        self.plan.setText("")
        self.headline.setText(text)
        for lab in (self.statuses, self.dose, self.holds, self.notes, self.footnote):
            lab.clear()
            lab.hide()

    def show_verdict(self, v: Verdict) -> None:
        if v == self.verdict:
            return
        self.verdict = v
        self._tone(v.tone)
        self.tag.setText(KIND_TAG[v.kind])
        self.plan.setText(f"Plan: {v.plan_words}")
        self.headline.setText(v.headline)
        self.headline.setToolTip(v.line)
        self.statuses.setText("&nbsp;&nbsp;·&nbsp;&nbsp;".join(status_html(s) for s in v.statuses))
        self.statuses.setToolTip("\n".join(f"{s.name}: {s.detail}" for s in v.statuses))
        self.statuses.show()
        self.dose.setText(self._dose_html(v))
        self.dose.show()
        holds = self._holds_html(v)
        self.holds.setText(holds)
        self.holds.setVisible(bool(holds))
        notes = ""
        if v.warnings:
            notes = ("<span style='color:#7a4a00'>⚠ " + html.escape("; ".join(v.warnings)) + "</span>")
        self.notes.setText(notes)
        self.notes.setVisible(bool(notes))
        self.footnote.setText(v.footnote)
        self.footnote.show()

    @staticmethod
    def _dose_html(v: Verdict) -> str:
        text = html.escape(v.dose)
        if v.dose_is_order:
            # the amount first and bold, the calculation after it (the layer gives the amount apart)
            rest = v.dose[len(v.dose_amount):]
            text = f"<b>{html.escape(v.dose_amount)}</b>{html.escape(rest)}" if v.dose_amount else f"<b>{text}</b>"
            out = f"<span style='color:#555'>Dose</span>&nbsp; {text}"
        else:
            out = f"<span style='color:#555'>Dose</span>&nbsp; <span style='color:#444'>{text}</span>"
        for alt in v.dose_alternatives:
            out += f"<br><span style='color:#555'>&nbsp;&nbsp;&nbsp;&nbsp;{html.escape(alt)}</span>"
        return out

    @staticmethod
    def _holds_html(v: Verdict) -> str:
        parts: list[str] = []
        for fid, line in zip(v.hold_ids, v.holds, strict=True):
            parts.append(f"<a href='finding:{html.escape(fid, quote=True)}' style='color:#a11d1d; "
                         f"text-decoration:none'><b>⊘ Contraindication:</b> {html.escape(line)}</a>")
        if not v.hold_ids:
            parts += [f"<span style='color:#a11d1d'><b>⊘</b> {html.escape(h)}</span>" for h in v.holds]
        if v.waiting_for:
            links = " · ".join(f"<a href='field:{html.escape(m.field, quote=True)}' style='color:#0b57d0; "
                               f"text-decoration:none'>{html.escape(m.label)}</a>" for m in v.waiting_for)
            parts.append(f"<span style='color:#7a4a00'><b>Waiting for:</b></span> {links}")
        for fid, title in v.stale_overrides:  # made for another result: never carried over silently
            parts.append(f"<a href='finding:{html.escape(fid, quote=True)}' style='color:#7a4a00; "
                         f"text-decoration:none'><b>⚠ Override to review (stale):</b> {html.escape(title)}</a>")
        if v.label_waiting:
            links = " · ".join(f"<a href='field:{html.escape(m.field, quote=True)}' style='color:#0b57d0; "
                               f"text-decoration:none'>{html.escape(m.label)}</a>" for m in v.label_waiting)
            parts.append(f"<span style='color:#7a4a00'><b>For the FDA label:</b></span> {links}")
        return "<br>".join(parts)
