"""Drive the form like a user: type into line edits, pick combo entries, press buttons."""

from __future__ import annotations

from datetime import date
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QLineEdit, QPlainTextEdit

from ixdesk.core.consult import Consult
from ixdesk.ui.inputs import ChoiceCombo


def type_into(qtbot: Any, widget: Any, text: str) -> None:
    if isinstance(widget, QPlainTextEdit):
        widget.clear()
        widget.setFocus()
        for i, line in enumerate(text.split("\n")):
            if i:
                qtbot.keyClick(widget, Qt.Key.Key_Return)
            qtbot.keyClicks(widget, line)
        return
    widget.selectAll()
    widget.clear()
    if text:
        qtbot.keyClicks(widget, text)


def _text(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, date):
        return v.isoformat()
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def fill_consult(qtbot: Any, window: Any, consult: Consult) -> None:
    """Enter every field of ``consult`` through the widgets of a fresh form."""
    form = window.form
    for path, (widget, _box) in list(form.fields.items()):
        if path.endswith((".uln", ".unit")):
            continue
        obj: Any = consult
        for part in path.split("."):
            obj = getattr(obj, part)
        if isinstance(widget, ChoiceCombo):
            widget.set_value(obj)
        elif path == "history.medications":
            for line in obj or []:  # one medication per line: typed, then Enter
                type_into(qtbot, widget.entry, line)
                qtbot.keyClick(widget.entry, Qt.Key.Key_Return)
            if obj == []:
                widget.none_box.setChecked(True)
        elif path.startswith("labs.") and path != "labs.date":
            if obj is not None:
                type_into(qtbot, widget, _text(obj.value))
                form.fields[f"{path}.unit"][0].set_value(obj.unit)
                if f"{path}.uln" in form.fields:
                    type_into(qtbot, form.fields[f"{path}.uln"][0], _text(obj.uln))
        elif isinstance(widget, QCheckBox):
            widget.setChecked(bool(obj))
        elif isinstance(widget, (QLineEdit, QPlainTextEdit)):
            type_into(qtbot, widget, _text(obj))
    reg = form.regimens
    for r in consult.regimens:
        qtbot.mouseClick(reg.add_button, Qt.MouseButton.LeftButton)
        type_into(qtbot, reg.agents, ", ".join(r.agents))
        reg.setting.set_value(r.setting)
        type_into(qtbot, reg.start_date, _text(r.start_date))
        type_into(qtbot, reg.last_dose_date, _text(r.last_dose_date))
        if r.ongoing:
            reg.ongoing.setChecked(True)
        reg.progressed.set_value(r.progressed)
        type_into(qtbot, reg.progression_date, _text(r.progression_date))
        reg.best_response.set_value(r.best_response)
        reg.stop_reason.set_value(r.stop_reason)
        reg.hypersensitivity_grade.set_value(r.hypersensitivity_grade)
        if r.note:
            type_into(qtbot, reg.note, r.note)
