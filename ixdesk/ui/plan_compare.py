"""The three regimens side by side (monotherapy | with capecitabine | with trastuzumab).

Shows what ``ixdesk.present.plans`` computed: each column is the engine run with that plan, so a
clinician weighing regimens reads the other plans' label, pathways, payers, contraindications and
dose here instead of in grey rows mixed into the plan under discussion. The plan under discussion is
marked by its heading and a faint tint; colour otherwise only follows the status words.
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QFrame, QGridLayout, QLabel, QWidget

from ixdesk.ui.inputs import tinted
from ixdesk.ui.verdict import TONES

if TYPE_CHECKING:
    from ixdesk.present.plans import PlanColumn
    from ixdesk.present.verdict import Status

ROWS = ("Decision", "FDA label", "Pathways", "Payer 003", "Payer 004", "Contraindications", "Dose")
DECISION_TONE = {"ready": "good", "on_hold": "bad", "not_decided": "caution", "outside_label": "neutral"}
CURRENT_TINT = "#eef3fb"


def _status(s: Status | None) -> tuple[str, str]:
    if s is None:
        return "–", ""
    return (f"<span style='color:{TONES[s.tone][2]}'>{s.mark} {html.escape(s.text)}</span>", s.detail)


class PlanCompare(QFrame):
    """A grid of word-wrapped labels: one row per question, one column per plan."""


    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("plan_compare")
        self.setAccessibleName("Plan comparison")
        self.setStyleSheet("QFrame#plan_compare { border:1px solid #d0d4d8; border-radius:3px; background:#ffffff; }")
        self.grid = QGridLayout(self)
        self.grid.setContentsMargins(8, 6, 8, 6)
        self.grid.setHorizontalSpacing(10)
        self.grid.setVerticalSpacing(3)
        self.columns: list[PlanColumn] = []
        self.cells: dict[tuple[str, str], QLabel] = {}  # (row, plan) -> label
        self.headings: dict[str, QLabel] = {}
        bold = QFont(self.font())
        bold.setBold(True)
        for r, name in enumerate(ROWS, start=1):
            lab = tinted(QLabel(name), "#555")  # a palette, not a style sheet per label (start-up)
            lab.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
            self.grid.addWidget(lab, r, 0)
        from ixdesk.present.plan_names import PLAN_HEADINGS, PLANS  # no pydantic: drawn before the core loads

        for c, plan in enumerate(PLANS, start=1):
            head = QLabel(PLAN_HEADINGS[plan])
            head.setFont(bold)
            head.setWordWrap(True)
            head.setAccessibleName(f"Plan {PLAN_HEADINGS[plan]}")
            self.grid.addWidget(head, 0, c)
            self.headings[plan] = head
            for r, name in enumerate(ROWS, start=1):
                cell = QLabel()
                cell.setWordWrap(True)
                cell.setTextFormat(Qt.TextFormat.RichText)
                cell.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
                cell.setAccessibleName(f"{PLAN_HEADINGS[plan]}: {name}")
                cell.setContentsMargins(4, 1, 4, 1)
                self.grid.addWidget(cell, r, c)
                self.cells[(name, plan)] = cell
            self.grid.setColumnStretch(c, 1)
        self.grid.setColumnStretch(0, 0)

    def clear(self) -> None:
        self.columns = []
        for cell in self.cells.values():
            cell.clear()
            cell.setToolTip("")

    def show_columns(self, columns: list[PlanColumn]) -> None:
        self.columns = list(columns)
        for col in columns:
            head = self.headings[col.plan]
            head.setText(col.heading)
            head.setAccessibleName(f"Plan {col.heading}" + (" (under discussion)" if col.current else ""))
            head.setToolTip("The plan under discussion" if col.current else f"Had {col.words} been chosen")
            tint = f"background:{CURRENT_TINT};" if col.current else ""
            payers = {s.name: s for s in col.payers}
            tone = TONES[DECISION_TONE[col.decision]][2]
            if col.contraindications:
                ci = "<br>".join(f"<span style='color:#a11d1d'>⊘ {html.escape(t)}</span>" for t in col.contraindications)
                ci_tip = "\n".join(col.contraindication_details)
            elif col.unchecked:
                ci = f"<span style='color:#7a4a00'>? {len(col.unchecked)} not yet checkable</span>"
                ci_tip = "\n".join(col.unchecked)
            else:
                ci, ci_tip = "<span style='color:#1b5e20'>✔ none present</span>", ""
            values: dict[str, tuple[str, str]] = {
                "Decision": (f"<b style='color:{tone}'>{html.escape(col.decision_words)}</b>", col.verdict.headline),
                "FDA label": _status(col.label),
                "Pathways": _status(col.pathways),
                "Payer 003": _status(payers.get("Payer 003")),
                "Payer 004": _status(payers.get("Payer 004")),
                "Contraindications": (ci, ci_tip),
                "Dose": ("<br>".join(html.escape(x) for x in col.dose_lines), col.dose_detail),
            }
            for row, (text, tip) in values.items():
                cell = self.cells[(row, col.plan)]
                if cell.text() != text:
                    cell.setText(text)
                cell.setToolTip(tip)
                cell.setStyleSheet(tint)
            head.setStyleSheet(tint + ("border-bottom:2px solid #3b6fb6; padding-bottom:2px;" if col.current
                                       else "border-bottom:2px solid transparent; padding-bottom:2px;"))
