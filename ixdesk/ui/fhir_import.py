"""File > Import from FHIR…: read a FHIR R4 bundle or NDJSON export into the open consult.

Never silent: a value the user typed is never replaced without showing both values and asking
(one row per field, "keep" preselected); what could not be imported is listed afterwards with the
reason; a malformed file is refused with the resource and field named, and the form is untouched.
"""

from __future__ import annotations

import os

from datetime import date
from typing import TYPE_CHECKING, Any, Callable

from PySide6.QtWidgets import (
    QButtonGroup, QDialog, QDialogButtonBox, QFileDialog, QGridLayout, QLabel, QMessageBox, QRadioButton,
    QScrollArea, QVBoxLayout, QWidget,
)

if TYPE_CHECKING:
    from ixdesk.interop.merge import Conflict
    from ixdesk.ui.main_window import MainWindow

FHIR_FILTER = "FHIR bundle or NDJSON (*.json *.ndjson *.jsonl);;All files (*)"


class ConflictDialog(QDialog):
    """One row per field where the consult and the import disagree: both values, keep or replace."""

    def __init__(self, conflicts: list["Conflict"], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Imported values differ from the consult")
        self.conflicts = conflicts
        col = QVBoxLayout(self)
        intro = QLabel("These fields already hold a value that differs from the imported one. Nothing is "
                       "replaced unless you choose it.")
        intro.setWordWrap(True)
        col.addWidget(intro)
        grid_host = QWidget()
        grid = QGridLayout(grid_host)
        for c, head in enumerate(("Field", "In the consult", "Imported (source)", "Keep", "Replace")):
            lab = QLabel(f"<b>{head}</b>")
            grid.addWidget(lab, 0, c)
        self.groups: dict[str, QButtonGroup] = {}
        self.replace_buttons: dict[str, QRadioButton] = {}
        for r, conf in enumerate(conflicts, start=1):
            grid.addWidget(QLabel(conf.words), r, 0)
            cur = QLabel(conf.current)
            cur.setWordWrap(True)
            grid.addWidget(cur, r, 1)
            new = QLabel(conf.imported + (f"\n({conf.source})" if conf.source else ""))
            new.setWordWrap(True)
            grid.addWidget(new, r, 2)
            keep, repl = QRadioButton(), QRadioButton()
            keep.setAccessibleName(f"Keep {conf.words}")
            repl.setAccessibleName(f"Replace {conf.words} with the imported value")
            keep.setChecked(True)
            group = QButtonGroup(self)
            group.addButton(keep)
            group.addButton(repl)
            grid.addWidget(keep, r, 3)
            grid.addWidget(repl, r, 4)
            self.groups[conf.path] = group
            self.replace_buttons[conf.path] = repl
        grid.setRowStretch(len(conflicts) + 1, 1)  # rows at the top, not spread over the height
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(grid_host)
        col.addWidget(scroll)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText("Import with these choices")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        col.addWidget(buttons)
        self.resize(820, min(600, 160 + 48 * len(conflicts)))

    def replaced(self) -> set[str]:
        return {path for path, b in self.replace_buttons.items() if b.isChecked()}

    @staticmethod
    def ask(conflicts: list["Conflict"], parent: QWidget | None) -> set[str] | None:
        """The fields to replace, or None when the user cancels the import."""
        dlg = ConflictDialog(conflicts, parent)
        return dlg.replaced() if dlg.exec() == QDialog.DialogCode.Accepted else None


def _inform(parent: QWidget | None, title: str, text: str, details: list[str], warning: bool = False) -> None:
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Warning if warning else QMessageBox.Icon.Information)
    box.setWindowTitle(title)
    box.setText(text)
    if details:
        box.setDetailedText("\n".join(details))
    box.exec()


Resolver = Callable[[list["Conflict"], QWidget | None], "set[str] | None"]
Informer = Callable[[QWidget | None, str, str, list[str], bool], None]


def import_dialog(window: "MainWindow") -> None:
    window.ensure_ready()
    path, _ = QFileDialog.getOpenFileName(window, "Import from FHIR", window.start_folder(), FHIR_FILTER)
    if path:
        import_path(window, path)


def import_path(window: "MainWindow", path: str, resolve: Resolver = ConflictDialog.ask,
                inform: Informer = _inform) -> dict[str, Any] | None:
    """Import ``path`` into the window's consult; returns what happened (None if nothing changed)."""
    from pydantic import ValidationError

    from ixdesk.core.files import describe_validation_error
    from ixdesk.interop.fhir_map import ImportRefused, import_file
    from ixdesk.interop.fhir_read import FhirReadError
    from ixdesk.interop.merge import conflicts, merge
    from ixdesk.interop.report import summary_lines

    window.ensure_ready()
    title = "Import from FHIR"
    if window.criteria is None:
        inform(window, title, "The criteria set is not loaded; nothing was imported.", [], True)
        return None
    current = window.current_consult()
    if window.input_problems() or current is None:
        inform(window, title, "Some fields hold values that cannot be read. Correct them first: nothing was "
               "imported, and nothing you typed was changed.",
               [window.form.describe_problem(p) for p in window.input_problems()], True)
        return None
    try:
        result = import_file(path, window.criteria, current.consult_date or date.today())
    except FhirReadError as exc:
        inform(window, title, "The file is not a valid FHIR R4 export; nothing was imported.",
               [str(p) for p in exc.problems], True)
        return None
    except ImportRefused as exc:
        inform(window, title, f"Not imported: {exc}.", [], True)
        return None
    except Exception as exc:  # noqa: BLE001 - a bug in the import must not cost what the user typed
        inform(window, title, f"The import failed ({type(exc).__name__}); nothing was imported, and nothing "
               "you typed was changed. Please report this.", [], True)
        return None
    found = conflicts(current, result)
    replace: set[str] = set()
    if found:
        chosen = resolve(found, window)
        if chosen is None:
            return None  # cancelled: the consult is unchanged
        replace = chosen
    try:
        merged = merge(current, result, replace)
    except ValidationError as exc:
        inform(window, title, "The imported values do not fit this consult; nothing was imported.",
               [f"{p.field}: {p.message}" for p in describe_validation_error(exc)], True)
        return None
    # the import goes into the trail first; the values it changed follow as changed inputs
    window.audit.record("import", {"format": "FHIR R4", "file": os.path.basename(path),
                                   "fields": len(result.provenance), "replaced": sorted(replace),
                                   "kept": len(found) - len(replace), "not_imported": len(result.unmapped)})
    window.load_consult_into_form(merged, window.path, modified=True, new_trail=False)
    lines = summary_lines(result)
    n_un = len(result.unmapped)
    text = (f"Imported from {len(result.provenance)} source field(s); {len(replace)} value(s) replaced at your "
            f"choice, {len(found) - len(replace)} kept." if found else f"Imported {len(result.provenance)} field(s).")
    if n_un:
        text += f" {n_un} resource(s) or code(s) could not be imported: see the details."
    if result.notes:
        text += " Some values need checking: see the details."
    inform(window, title, text, lines, False)
    return {"conflicts": found, "replaced": replace, "unmapped": result.unmapped, "notes": result.notes,
            "summary": lines}
