"""The clinic contact dialog of the Reports menu: what every report prints as the clinic's block.

Its own module so that the window's start-up, which builds the Reports menu, never loads the dialog
classes (their PySide enum classes cost a few ms on the way to the first paint)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit, QPlainTextEdit, QVBoxLayout, QWidget

if TYPE_CHECKING:
    from ixdesk.reports.settings import ReportSettings


class ClinicDialog(QDialog):
    """Clinic name, address, phone and urgent number, as printed on every report."""

    def __init__(self, settings: ReportSettings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Clinic contact details")
        self.value: ReportSettings | None = None
        layout = QVBoxLayout(self)
        intro = QLabel("Printed on every report. The patient summary tells the patient to call the "
                       "urgent number for the warning signs; leave a field empty to print a blank line "
                       "to fill in by hand.")
        intro.setWordWrap(True)
        layout.addWidget(intro)
        form = QFormLayout()
        self.name = QLineEdit(settings.clinic_name)
        self.address = QPlainTextEdit(settings.clinic_address)
        self.address.setTabChangesFocus(True)
        self.address.setFixedHeight(self.address.fontMetrics().lineSpacing() * 4 + 12)
        self.phone = QLineEdit(settings.clinic_phone)
        self.urgent = QLineEdit(settings.urgent_phone)
        for w, label, acc in ((self.name, "Clinic &name:", "Clinic name"),
                              (self.address, "&Address:", "Clinic address"),
                              (self.phone, "&Phone:", "Clinic phone"),
                              (self.urgent, "&Urgent phone (day and night):", "Urgent phone")):
            w.setAccessibleName(acc)
            lab = QLabel(label)
            lab.setBuddy(w)
            form.addRow(lab, w)
        for w in (self.name, self.phone, self.urgent):
            w.setMaxLength(300)
        layout.addLayout(form)
        self.error = QLabel()
        self.error.setStyleSheet("color: #b00020;")
        self.error.setWordWrap(True)
        self.error.hide()
        layout.addWidget(self.error)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(460, self.sizeHint().height())

    def accept(self) -> None:
        from pydantic import ValidationError

        from ixdesk.reports.settings import ReportSettings

        fields = {"clinic_name": self.name.text().strip(), "clinic_address": self.address.toPlainText().strip(),
                  "clinic_phone": self.phone.text().strip(), "urgent_phone": self.urgent.text().strip()}
        bad = [k for k, v in fields.items()
               if any(ord(ch) < 32 and ch not in ("\n" if k == "clinic_address" else "") for ch in v)]
        if bad:
            self._error("Control characters are not allowed (" + ", ".join(bad) + ").")
            return
        try:
            self.value = ReportSettings(**fields)
        except ValidationError as exc:
            self._error("; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors()))
            return
        super().accept()

    def _error(self, text: str) -> None:
        self.error.setText(text)
        self.error.show()
