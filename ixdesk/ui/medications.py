"""Current medications as a list: one line per drug, added, edited and removed one at a time.

The CYP3A4 check reads each line as one product, so the input must make "one line, one drug"
obvious; a 60 px text box made it a guess. A pasted block of lines becomes one entry per line. Text
typed into the entry line but not yet added counts as a medication (it is read and saved like the
others): a drug someone typed must never be left out of the interaction check because Enter was not
pressed.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QGuiApplication, QKeyEvent, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QHBoxLayout,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)


class _Entry(QLineEdit):
    """The entry line; a paste of several lines adds one medication per line."""

    pasted_lines = Signal(list)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt override
        if event.matches(QKeySequence.StandardKey.Paste):
            text = QGuiApplication.clipboard().text()
            lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
            if len(lines) > 1:
                self.pasted_lines.emit(lines)
                return
        super().keyPressEvent(event)


class MedicationList(QWidget):
    """A list of medication lines with an entry line, Add and Remove, and "no current medications"."""

    textChanged = Signal()  # any change of the value (the form's change hub listens to it)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        col = QVBoxLayout(self)
        col.setContentsMargins(0, 0, 0, 0)
        col.setSpacing(3)
        self.list = QListWidget()
        self.list.setAccessibleName("Current medications, one per line")
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.list.setEditTriggers(QAbstractItemView.EditTrigger.DoubleClicked
                                  | QAbstractItemView.EditTrigger.EditKeyPressed
                                  | QAbstractItemView.EditTrigger.SelectedClicked)
        self.list.setMinimumHeight(self.list.fontMetrics().height() * 4 + 10)
        self.list.setMaximumHeight(self.list.fontMetrics().height() * 6 + 10)
        self.list.itemChanged.connect(self._item_changed)
        self.list.itemSelectionChanged.connect(self._update_buttons)
        col.addWidget(self.list)
        row = QHBoxLayout()
        row.setSpacing(4)
        self.entry = _Entry()
        self.entry.setPlaceholderText("add a medication, then Enter")
        self.entry.setAccessibleName("New medication")
        self.entry.setClearButtonEnabled(True)
        self.entry.returnPressed.connect(self.add_entry)
        self.entry.textChanged.connect(lambda *_: self._changed())
        self.entry.editingFinished.connect(self._commit_on_leave)
        self.entry.pasted_lines.connect(self.add_lines)
        row.addWidget(self.entry, 1)
        self.add_button = QPushButton("Add")
        self.add_button.setAccessibleName("Add medication")
        self.add_button.clicked.connect(self.add_entry)
        row.addWidget(self.add_button)
        self.remove_button = QPushButton("Remove")
        self.remove_button.setAccessibleName("Remove selected medication")
        self.remove_button.clicked.connect(self.remove_selected)
        row.addWidget(self.remove_button)
        col.addLayout(row)
        self.none_box = QCheckBox("No current medications")
        self.none_box.setAccessibleName("No current medications")
        self.none_box.toggled.connect(lambda *_: self._changed())
        col.addWidget(self.none_box)
        self._quiet = False
        self._update_buttons()

    # --- value ------------------------------------------------------------------------------

    def lines(self) -> list[str]:
        """Every medication, in order, including one typed in the entry line but not added yet."""
        out = [t for t in (self.list.item(i).text().strip() for i in range(self.list.count())) if t]
        pending = self.entry.text().strip()
        if pending:
            out.append(pending)
        return out

    def value(self) -> list[str] | None:
        """The consult's ``history.medications``: the lines; [] if "none" is ticked; None: not recorded."""
        lines = self.lines()
        if lines:
            return lines
        return [] if self.none_box.isChecked() else None

    def set_value(self, v: list[str] | None) -> None:
        self._quiet = True
        try:
            self.list.clear()
            for line in v or []:
                self._append(line)
            self.entry.clear()
            self.none_box.setChecked(v == [])
        finally:
            self._quiet = False
        self._update_buttons()
        self.textChanged.emit()

    def toPlainText(self) -> str:  # noqa: N802 - Qt override
        return "\n".join(self.lines())

    def snapshot(self) -> tuple[tuple[str, ...], bool]:
        return tuple(self.lines()), self.none_box.isChecked()

    # --- editing ----------------------------------------------------------------------------

    def _append(self, text: str) -> QListWidgetItem:
        item = QListWidgetItem(text)
        item.setFlags(item.flags() | Qt.ItemFlag.ItemIsEditable)
        self.list.addItem(item)
        return item

    def add_lines(self, lines: list[str]) -> None:
        for line in lines:
            if line.strip():
                self._append(line.strip())
        if lines and self.none_box.isChecked():
            self.none_box.setChecked(False)  # the list now answers the question
        self._update_buttons()
        self._changed()

    def add_entry(self) -> None:
        text = self.entry.text().strip()
        if not text:
            return
        self._quiet = True  # one change for the move from the entry line to the list
        try:
            self.entry.clear()
            self._append(text)
            if self.none_box.isChecked():
                self.none_box.setChecked(False)
        finally:
            self._quiet = False
        self._update_buttons()
        self._changed()

    def _commit_on_leave(self) -> None:
        if self.entry.text().strip() and not self.entry.hasFocus():
            self.add_entry()

    def remove_selected(self) -> None:
        rows = sorted({self.list.row(it) for it in self.list.selectedItems()}, reverse=True)
        if not rows and self.list.currentRow() >= 0:
            rows = [self.list.currentRow()]
        for r in rows:
            self.list.takeItem(r)
        self._update_buttons()
        if rows:
            self._changed()

    def _item_changed(self, item: QListWidgetItem) -> None:
        if self._quiet:
            return
        if not item.text().strip():  # an entry edited to nothing is removed
            self.list.takeItem(self.list.row(item))
        self._changed()

    def _update_buttons(self) -> None:
        self.remove_button.setEnabled(bool(self.list.selectedItems()) or self.list.currentRow() >= 0)

    def _changed(self) -> None:
        if not self._quiet:
            self.textChanged.emit()

    def focus_line(self, index: int | None) -> None:
        """Focus the list (on line ``index``, when given) for a problem named there."""
        if index is not None and 0 <= index < self.list.count():
            self.list.setCurrentRow(index)
            self.list.setFocus(Qt.FocusReason.OtherFocusReason)
        elif index is not None and index == self.list.count() and self.entry.text().strip():
            self.entry.setFocus(Qt.FocusReason.OtherFocusReason)
        else:
            self.list.setFocus(Qt.FocusReason.OtherFocusReason)

    def setFocus(self, reason: Qt.FocusReason = Qt.FocusReason.OtherFocusReason) -> None:  # noqa: N802 - Qt override
        """The form focuses a field through its widget: the list when it has lines, else the entry."""
        (self.list if self.list.count() else self.entry).setFocus(reason)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt override
        if event.key() in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace) and self.list.hasFocus():
            self.remove_selected()
            return
        super().keyPressEvent(event)
