"""The Reports menu: export the three PDFs, choose what the patient summary shows, edit the clinic
contact block printed on them.

The report package (reportlab), the clinic dialog and the message boxes load only when first used,
so they cost nothing at start-up (the menu is built before the first paint). Exports are refused (actions disabled, tooltip says why) while the input has
errors or the criteria failed: a report must describe exactly the consult on screen. Writing
errors are shown in a message box; nothing here raises into the event loop.
"""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu

if TYPE_CHECKING:
    from PySide6.QtCore import QUrl

    from ixdesk.reports import ReportKind
    from ixdesk.ui.main_window import MainWindow

REPORT_LABELS = {"clinician": "clinician summary", "nurse": "nurse checklist", "patient": "patient summary",
                 "cycle": "cycle double check", "visit": "next-visit sheet"}
HEADLESS_PLATFORMS = {"offscreen", "minimal", "vnc"}


def default_opener(url: QUrl) -> bool:
    """Open a file or folder in the desktop's viewer; never under a headless platform (tests, CI)."""
    platform = os.environ.get("QT_QPA_PLATFORM", "").split(":")[0]
    if platform in HEADLESS_PLATFORMS:
        return False
    from PySide6.QtGui import QDesktopServices

    return QDesktopServices.openUrl(url)


class ReportsMenu:
    """Builds the Reports menu into ``window`` and keeps its actions' enabled state current."""

    def __init__(self, window: MainWindow, menu: QMenu, opener: Callable[[QUrl], bool] = default_opener) -> None:
        self.window = window
        self.menu = menu
        self.opener = opener
        self.opened: list[str] = []  # what was handed to the opener (tests read it)
        menu.setToolTipsVisible(True)

        def act(text: str, slot: Callable[[], Any]) -> QAction:
            a = QAction(text, window)
            a.triggered.connect(lambda *_: slot())
            menu.addAction(a)
            return a

        self.act_clinician = act("Export &clinician summary…", lambda: self.export(("clinician",)))
        self.act_nurse = act("Export &nurse checklist…", lambda: self.export(("nurse",)))
        self.act_patient = act("Export &patient summary…", lambda: self.export(("patient",)))
        self.act_all = act("Export &all reports…", lambda: self.export(("clinician", "nurse", "patient")))
        menu.addSeparator()
        # the course's sheets, for the cycle about to start (ixdesk.ui.course)
        self.act_cycle = act("Export c&ycle double check…", lambda: self.export(("cycle",)))
        self.act_visit = act("Export patient next-&visit sheet…", lambda: self.export(("visit",)))
        self.export_actions = (self.act_clinician, self.act_nurse, self.act_patient, self.act_all, self.act_cycle,
                               self.act_visit)
        menu.addSeparator()
        self.act_record_number = QAction("Show &record number on patient summary", window, checkable=True)
        self.act_record_number.setChecked(False)  # per session: a take-home sheet shows it only when asked
        self.act_record_number.setToolTip("The patient summary is taken home; it shows the record number "
                                          "only when this is ticked.")
        menu.addAction(self.act_record_number)
        self.act_open_after = QAction("&Open after export", window, checkable=True)
        self.act_open_after.setChecked(self._bool_setting("reports/open_after_export", True))
        self.act_open_after.toggled.connect(
            lambda on: window.settings.setValue("reports/open_after_export", bool(on)))
        menu.addAction(self.act_open_after)
        menu.addSeparator()
        self.act_clinic = act("Clinic &contact details…", self.edit_clinic_settings)
        self.update_enabled()

    def _bool_setting(self, key: str, default: bool) -> bool:
        v = self.window.settings.value(key, default)
        if isinstance(v, str):
            return v.lower() in ("1", "true", "yes")
        return bool(v)

    # --- state ------------------------------------------------------------------------------

    def why_disabled(self) -> str | None:
        w = self.window
        if w.criteria_error:
            return "Reports are unavailable: the criteria could not be loaded, so there are no results to report."
        if not w._ready or w.criteria is None:
            return "Reports are available once the criteria have loaded."
        if w.input_problems():
            n = len(w.input_problems())
            return (f"Reports are unavailable while the input has {n} problem(s) (marked in red on the form): "
                    "a report must match the consult on screen.")
        if w.current_assessment() is None or w.current_consult() is None:
            return "Reports are unavailable: there is no assessment of the current input."
        return None

    def update_enabled(self) -> None:
        why = self.why_disabled()
        for a in self.export_actions:
            a.setEnabled(why is None)
            a.setToolTip(why or a.text().replace("&", "").rstrip("…") + " as PDF into a folder you choose")
            a.setStatusTip(why or "")

    # --- export -----------------------------------------------------------------------------

    def stem(self) -> str:
        return Path(self.window.path).stem if self.window.path else "consult"

    def choose_folder(self, what: str) -> str:
        from PySide6.QtWidgets import QFileDialog

        s = self.window.settings
        start = str(s.value("reports/last_folder", "") or s.value("last_folder", "") or str(Path.home()))
        return QFileDialog.getExistingDirectory(self.window, f"Export {what} to folder", start)

    def export(self, kinds: tuple[ReportKind, ...], folder: str | None = None) -> list[Path]:
        """Write the chosen reports into a folder (asked for unless given); [] if nothing written."""
        from PySide6.QtWidgets import QMessageBox

        w = self.window
        w.reassess()  # a pending edit must be in the report
        why = self.why_disabled()
        if why is not None:
            QMessageBox.warning(w, "Cannot export", why)
            return []
        what = REPORT_LABELS[kinds[0]] if len(kinds) == 1 else "all reports"
        if folder is None:
            folder = self.choose_folder(what)
        if not folder:
            return []
        w.wait_for_reports_warm_up()
        from ixdesk.reports import report_filename

        stem = self.stem()
        existing = [report_filename(stem, k) for k in kinds if (Path(folder) / report_filename(stem, k)).exists()]
        if existing:
            answer = QMessageBox.question(
                w, "Replace reports?", f"{', '.join(existing)} already exist in {folder}. Replace them?",
                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, QMessageBox.StandardButton.No)
            if answer != QMessageBox.StandardButton.Yes:
                return []
        w.settings.setValue("reports/last_folder", str(Path(folder)))
        try:
            from ixdesk.clinic_settings import load_settings
            from ixdesk.reports import write_reports

            consult, assessment = w.current_consult(), w.current_assessment()
            assert consult is not None and assessment is not None and w.criteria is not None
            clinic = load_settings()
            paths = write_reports(list(kinds), consult, assessment, w.criteria, clinic, date.today(),
                                  folder, stem=stem, show_record_number=self.act_record_number.isChecked(),
                                  policy=w.form.course.policy)
        except OSError as exc:
            import html

            QMessageBox.critical(w, "Export failed",
                                 f"<p>The {html.escape(what)} could not be written to <b>{html.escape(folder)}</b>:"
                                 f"</p><p>{html.escape(exc.strerror or str(exc))}"
                                 f"{' (' + html.escape(str(exc.filename)) + ')' if exc.filename else ''}</p>")
            return []
        except Exception as exc:  # noqa: BLE001 - a report bug must not take the consult down with it
            import html

            QMessageBox.critical(w, "Export failed",
                                 f"<p>The {html.escape(what)} could not be made:</p>"
                                 f"<p>{html.escape(type(exc).__name__)}: {html.escape(str(exc))}</p>"
                                 "<p>Your consult is unchanged.</p>")
            return []
        names = ", ".join(p.name for p in paths)
        # which reports, never their file names (they carry the patient's name)
        w.audit.record("report_printed", {"reports": list(kinds), "record_number_shown": self.act_record_number.isChecked()})
        w.statusBar().showMessage(f"Exported {names} to {folder}", 8000)
        from ixdesk.present.settings import no_number_warning

        no_number = no_number_warning(clinic, kinds)
        if no_number:  # after the export: the sheet is made either way, the person printing it must know
            QMessageBox.warning(w, "No number for the patient to call", no_number[0].upper() + no_number[1:] + ".")
        if self.act_open_after.isChecked():
            target = str(paths[0]) if len(paths) == 1 else str(Path(folder))
            self.opened.append(target)
            from PySide6.QtCore import QUrl

            self.opener(QUrl.fromLocalFile(target))
        return paths

    # --- clinic contact ---------------------------------------------------------------------

    def edit_clinic_settings(self) -> bool:
        """Edit the clinic block printed on reports; True if saved."""
        from PySide6.QtWidgets import QDialog, QMessageBox

        from ixdesk.clinic_settings import load_settings, save_settings
        from ixdesk.ui.clinic_dialog import ClinicDialog

        dlg = ClinicDialog(load_settings(), self.window)
        if dlg.exec() != QDialog.DialogCode.Accepted or dlg.value is None:
            return False
        try:
            save_settings(dlg.value)
        except OSError as exc:
            QMessageBox.critical(self.window, "Clinic details not saved",
                                 f"Could not save the clinic details: {exc.strerror or exc}")
            return False
        self.window.statusBar().showMessage("Clinic contact details saved", 4000)
        return True
