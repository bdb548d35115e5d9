"""The "Override / acknowledge…" dialog: a clinician records a disagreement with one finding.

The dialog shows the computed result first and never changes it; it asks what the clinician says
(overridden: "I disagree"; acknowledged: "I accept it and go on"), a coded reason from
``resources/override_reasons.yaml``, a comment, and the user's name when the clinic settings give
none. An override of a contraindication asks a second time, in a box that names what is being
overridden and says that the consult stays on hold; cancelling it records nothing.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QButtonGroup, QComboBox, QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit, QMessageBox, QPlainTextEdit,
    QRadioButton, QVBoxLayout, QWidget,
)

if TYPE_CHECKING:
    from ixdesk.core.overrides import Override, OverrideKind, ReasonCodes
    from ixdesk.present.findings import FindingView

COMMENT_MAX = 2000
SECOND_TITLE = "Override a contraindication?"


def local_now() -> datetime:
    """The time on the user's clock, with its UTC offset (the file says which clock it was)."""
    return datetime.now().astimezone().replace(microsecond=0)


class OverrideDialog(QDialog):
    """Asks for the kind, the reason, a comment and (if the settings give none) the user's name."""

    def __init__(self, view: FindingView, reasons: ReasonCodes, user_name: str | None,
                 existing: Override | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.view, self.reasons = view, reasons
        self.setWindowTitle("Override / acknowledge a finding")
        self.setAccessibleName("Override or acknowledge a finding")
        col = QVBoxLayout(self)
        head = QLabel(f"<b>{_esc(view.name)}</b><br>Computed: <b>{_esc(view.result('clinician'))}</b> "
                      "— the computed result stays as it is; your judgement is recorded beside it.")
        head.setWordWrap(True)
        head.setTextFormat(Qt.TextFormat.RichText)
        col.addWidget(head)
        if view.kind == "exclusion":
            warn = QLabel("This is a contraindication: you will be asked to confirm a second time, and the "
                          "override is printed on the nurse checklist.")
            warn.setWordWrap(True)
            warn.setStyleSheet("background: #ffd6d6; padding: 4px;")
            col.addWidget(warn)
        form = QFormLayout()
        col.addLayout(form)
        self.overridden = QRadioButton("Overridden: I disagree with the computed result")
        self.acknowledged = QRadioButton("Acknowledged: I accept it and go on")
        self._kinds = QButtonGroup(self)
        for b in (self.overridden, self.acknowledged):
            self._kinds.addButton(b)
        kind_box = QVBoxLayout()
        kind_box.setContentsMargins(0, 0, 0, 0)
        kind_box.addWidget(self.overridden)
        kind_box.addWidget(self.acknowledged)
        holder = QWidget()
        holder.setLayout(kind_box)
        form.addRow("What you record", holder)
        self.reason = QComboBox()
        self.reason.setAccessibleName("Reason")
        form.addRow("Reason", self.reason)
        self.comment = QPlainTextEdit()
        self.comment.setAccessibleName("Comment")
        self.comment.setPlaceholderText("For example: resistant per clinic note of 12 Oct (dates not in the chart)")
        self.comment.setFixedHeight(80)
        form.addRow("Comment", self.comment)
        self.user = QLineEdit(user_name or "")
        self.user.setAccessibleName("Your name")
        self.user.setMaxLength(120)
        if user_name:
            self.user.setReadOnly(True)  # from the clinic settings: the record says who, not what was typed
        else:
            self.user.setPlaceholderText("Your name, as it should appear on the record")
        form.addRow("Recorded by", self.user)
        self.problem = QLabel()
        self.problem.setWordWrap(True)
        self.problem.setStyleSheet("color: #a11d1d;")
        col.addWidget(self.problem)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        assert ok is not None
        ok.setText("Record")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        col.addWidget(self.buttons)

        (self.acknowledged if view.kind == "warning" else self.overridden).setChecked(True)
        if existing is not None:  # editing: start from what was recorded
            (self.overridden if existing.kind == "overridden" else self.acknowledged).setChecked(True)
        self._fill_reasons()
        if existing is not None:
            i = self.reason.findData(existing.reason.code)
            if i >= 0:
                self.reason.setCurrentIndex(i)
            self.comment.setPlainText(existing.comment or "")
        self._kinds.buttonToggled.connect(lambda *_: self._fill_reasons())
        self.reason.currentIndexChanged.connect(self._check)
        self.comment.textChanged.connect(self._check)
        self.user.textChanged.connect(self._check)
        self._check()

    def kind(self) -> OverrideKind:
        return "overridden" if self.overridden.isChecked() else "acknowledged"

    def _fill_reasons(self) -> None:
        current = self.reason.currentData()
        self.reason.blockSignals(True)
        self.reason.clear()
        self.reason.addItem("Choose a reason…", None)
        for r in self.reasons.for_kind(self.kind()):
            self.reason.addItem(r.display, r.code)
        i = self.reason.findData(current) if current else -1
        self.reason.setCurrentIndex(max(i, 0))
        self.reason.blockSignals(False)
        self._check()

    def missing(self) -> str:
        """What still stops the record, in words ('' when it can be recorded)."""
        code = self.reason.currentData()
        if not code:
            return "Choose a reason."
        comment = self.comment.toPlainText().strip()
        if self.reasons.get(code).comment_required and not comment:
            return "This reason needs a comment."
        if len(self.comment.toPlainText()) > COMMENT_MAX:
            return f"The comment is longer than {COMMENT_MAX} characters."
        if not self.user.text().strip():
            return "Enter your name: the record says who made it."
        return ""

    def _check(self) -> None:
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        problem = self.missing()
        self.problem.setText(problem)
        if ok is not None:
            ok.setEnabled(not problem)

    def accept(self) -> None:
        if self.missing():
            return
        super().accept()

    def build(self, at: datetime) -> Override:
        """The override as entered (``confirmed_twice`` False: the second box sets it)."""
        from ixdesk.core.overrides import Override, finding_values

        comment = self.comment.toPlainText().strip()
        return Override(
            finding_id=self.view.id, finding_title=self.view.title, kind=self.kind(),
            reason=self.reasons.coding(str(self.reason.currentData())), comment=comment or None,
            user=" ".join(self.user.text().split()), at=at, computed_state_at_the_time=self.view.state,  # type: ignore[arg-type]
            values_at_the_time=finding_values(self.view.finding),
        )


def second_confirmation_text(view: FindingView, o: Override) -> str:
    what = "override" if o.kind == "overridden" else "acknowledge"
    return (f"You are about to {what} a contraindication:\n\n{view.name}\nComputed: {view.result('clinician')}\n\n"
            f"Reason: {o.reason.display}" + (f"\nComment: {o.comment}" if o.comment else "") +
            "\n\nThe computed decision stays on hold: no dose is printed on the nurse checklist, which "
            "prints this override. Record it?")


def confirm_contraindication(parent: QWidget | None, view: FindingView, o: Override) -> bool:
    """The second confirmation; Cancel is the default button."""
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Warning)
    box.setWindowTitle(SECOND_TITLE)
    box.setText(second_confirmation_text(view, o))
    box.setStandardButtons(QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel)
    yes = box.button(QMessageBox.StandardButton.Yes)
    if yes is not None:
        yes.setText("Record the override")
    box.setDefaultButton(QMessageBox.StandardButton.Cancel)
    box.setEscapeButton(QMessageBox.StandardButton.Cancel)
    return box.exec() == QMessageBox.StandardButton.Yes


def ask_override(parent: QWidget | None, view: FindingView, reasons: ReasonCodes, user_name: str | None,
                 existing: Override | None = None, now: Callable[[], datetime] = local_now) -> Override | None:
    """The override the user recorded, or None (cancelled in either dialog: nothing is recorded)."""
    dlg = OverrideDialog(view, reasons, user_name, existing, parent)
    if dlg.exec() != QDialog.DialogCode.Accepted:
        return None
    o = dlg.build(now())
    if view.kind == "exclusion":
        if not confirm_contraindication(parent, view, o):
            return None
        o = o.model_copy(update={"confirmed_twice": True})
    return o


def _esc(text: str) -> str:
    import html

    return html.escape(text)


__all__ = ["OverrideDialog", "SECOND_TITLE", "ask_override", "confirm_contraindication", "local_now",
           "second_confirmation_text"]
