"""The Reports menu driven through its actions (file dialogs replaced, viewers never opened)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QDialog, QFileDialog, QMessageBox

from ixdesk.clinic_settings import load_settings, save_settings
from ixdesk.reports.settings import ReportSettings

from .helpers import type_into

EX1 = "01-combination-after-anthracycline-and-taxane.json"


@pytest.fixture
def folder_dialog(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> list[str]:
    calls: list[str] = []
    out = tmp_path / "out"
    out.mkdir()

    def pick(parent: Any, title: str, start: str = "", *a: Any, **k: Any) -> str:
        calls.append(title)
        return str(out)

    monkeypatch.setattr(QFileDialog, "getExistingDirectory", staticmethod(pick))
    return calls


def test_export_all_through_menu(qtbot: Any, window: Any, examples: Path, tmp_path: Path,
                                 folder_dialog: list[str], dialogs: Any) -> None:
    save_settings(ReportSettings(clinic_name="Riverside Oncology", urgent_phone="555-0199"))
    assert window.open_path(str(examples / EX1), ask=False)
    r = window.reports
    assert r.act_all.isEnabled() and r.act_open_after.isChecked() and not r.act_record_number.isChecked()
    texts = [a.text() for a in window.menu_reports.actions()]
    for t in ("Export &clinician summary…", "Export &nurse checklist…", "Export &patient summary…",
              "Export &all reports…", "Clinic &contact details…"):
        assert t in texts
    opened: list[Any] = []
    r.opener = lambda url: opened.append(url.toLocalFile()) or True
    r.act_all.trigger()
    out = tmp_path / "out"
    stem = Path(EX1).stem
    for kind in ("clinician", "nurse", "patient"):
        pdf = out / f"{stem}-{kind}.pdf"
        assert pdf.is_file(), pdf
        assert pdf.read_bytes().startswith(b"%PDF")
    assert folder_dialog and opened == [str(out)]
    assert window.settings.value("reports/last_folder") == str(out)
    assert not [c for c in dialogs.calls if c[0] in ("critical", "warning")]


def test_a_patient_sheet_without_a_number_to_call_is_made_and_the_printer_warned(
        qtbot: Any, window: Any, examples: Path, tmp_path: Path, folder_dialog: list[str], dialogs: Any) -> None:
    """Reader's pass: with no clinic numbers set, the patient sheet's 'number for day and night' is a
    blank line; whoever prints it is told, so the patient does not go home with nothing to call."""
    assert window.open_path(str(examples / EX1), ask=False)
    r = window.reports
    r.opener = lambda url: True
    r.act_all.trigger()
    assert (tmp_path / "out" / f"{Path(EX1).stem}-patient.pdf").is_file()
    [(kind, text)] = [c for c in dialogs.calls if c[0] in ("critical", "warning")]
    assert kind == "warning" and "blank lines for the number to call day and night" in text
    dialogs.calls.clear()
    r.export(("clinician",), str(tmp_path / "out"))  # no patient sheet: nothing to warn of
    assert not [c for c in dialogs.calls if c[0] == "warning"]


def test_single_export_named_after_file_and_opened(qtbot: Any, window: Any, examples: Path, tmp_path: Path,
                                                   folder_dialog: list[str]) -> None:
    window.open_path(str(examples / EX1), ask=False)
    opened: list[str] = []
    window.reports.opener = lambda url: opened.append(url.toLocalFile()) or True
    window.reports.act_nurse.trigger()
    pdf = tmp_path / "out" / f"{Path(EX1).stem}-nurse.pdf"
    assert pdf.read_bytes().startswith(b"%PDF")
    assert opened == [str(pdf)]
    window.reports.act_open_after.setChecked(False)
    window.reports.act_patient.trigger()
    assert len(opened) == 1 and (tmp_path / "out" / f"{Path(EX1).stem}-patient.pdf").is_file()


def test_untitled_consult_uses_stem_consult(qtbot: Any, window: Any, tmp_path: Path, folder_dialog: list[str]) -> None:
    window.reports.act_clinician.trigger()
    assert (tmp_path / "out" / "consult-clinician.pdf").read_bytes().startswith(b"%PDF")


def test_default_opener_never_opens_under_offscreen(window: Any) -> None:
    from PySide6.QtCore import QUrl

    from ixdesk.ui.reports_menu import default_opener
    assert default_opener(QUrl.fromLocalFile("/tmp")) is False


def test_reports_disabled_while_input_has_errors(qtbot: Any, window: Any, examples: Path) -> None:
    window.open_path(str(examples / EX1), ask=False)
    widget, box = window.form.fields["patient.height_cm"]
    type_into(qtbot, widget, "1650")
    qtbot.waitUntil(lambda: not window.reports.act_all.isEnabled())
    for a in window.reports.export_actions:
        assert not a.isEnabled() and "problem" in a.toolTip()
    type_into(qtbot, widget, "165")
    qtbot.waitUntil(window.reports.act_all.isEnabled)


def test_reports_disabled_when_criteria_fail(qtbot: Any, dialogs: Any) -> None:
    from ixdesk.core.criteria import CriteriaError
    from ixdesk.ui.main_window import MainWindow

    def broken() -> Any:
        raise CriteriaError("payers.yaml", 12, "unknown key")

    w = MainWindow(criteria_loader=broken)
    qtbot.addWidget(w)
    w.show()
    qtbot.waitUntil(lambda: w.criteria_error is not None)
    assert not w.reports.act_all.isEnabled() and "criteria" in w.reports.act_all.toolTip()
    assert w.reports.export(("clinician",), folder="/tmp") == []


def test_write_error_shows_message_not_traceback(qtbot: Any, window: Any, examples: Path, tmp_path: Path,
                                                 dialogs: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    window.open_path(str(examples / EX1), ask=False)
    blocker = tmp_path / "file"
    blocker.write_text("x")
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", staticmethod(lambda *a, **k: str(blocker / "sub")))
    window.reports.act_all.trigger()
    crit = [c for c in dialogs.calls if c[0] == "critical"]
    assert len(crit) == 1 and "could not be written" in crit[0][1]


def test_existing_reports_are_replaced_only_when_confirmed(qtbot: Any, window: Any, examples: Path, tmp_path: Path,
                                                           folder_dialog: list[str], dialogs: Any) -> None:
    target = tmp_path / "out" / "consult-patient.pdf"
    target.write_bytes(b"old")
    dialogs.question_answer = QMessageBox.StandardButton.No
    window.reports.act_patient.trigger()
    assert target.read_bytes() == b"old"
    dialogs.question_answer = QMessageBox.StandardButton.Yes
    window.reports.act_patient.trigger()
    assert target.read_bytes().startswith(b"%PDF")


def test_clinic_dialog_saves_settings(qtbot: Any, window: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from ixdesk.ui import clinic_dialog

    save_settings(ReportSettings(clinic_name="Old clinic"))

    def fill(dlg: Any) -> int:
        assert dlg.name.text() == "Old clinic"
        type_into(qtbot, dlg.name, "Riverside Oncology")
        dlg.address.setPlainText("1 River Rd\nSpringfield")
        type_into(qtbot, dlg.phone, "555-0100")
        type_into(qtbot, dlg.urgent, "555-0199")
        dlg.accept()
        return dlg.result()

    monkeypatch.setattr(clinic_dialog.ClinicDialog, "exec", fill)
    window.reports.act_clinic.trigger()
    s = load_settings()
    assert s == ReportSettings(clinic_name="Riverside Oncology", clinic_address="1 River Rd\nSpringfield",
                               clinic_phone="555-0100", urgent_phone="555-0199")


def test_clinic_dialog_refuses_bad_input_and_cancel_keeps_settings(qtbot: Any, window: Any,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    from ixdesk.ui import clinic_dialog

    save_settings(ReportSettings(clinic_name="Kept"))

    def bad(dlg: Any) -> int:
        dlg.phone.setText("555\x07")
        dlg.accept()
        assert not dlg.error.isHidden() and "Control characters" in dlg.error.text() and dlg.result() != QDialog.DialogCode.Accepted
        dlg.reject()
        return dlg.result()

    monkeypatch.setattr(clinic_dialog.ClinicDialog, "exec", bad)
    assert not window.reports.edit_clinic_settings()
    assert load_settings().clinic_name == "Kept"


def test_an_export_waits_for_the_reports_warm_up_under_way(qtbot: Any, window: Any, examples: Path,
                                                           tmp_path: Path, dialogs: Any) -> None:
    """The print does not load reportlab beside the warm-up thread: it waits for it, then writes."""
    import threading

    assert window.open_path(str(examples / EX1), ask=False)
    release = threading.Event()
    order: list[str] = []

    def slow_warm_up() -> None:
        release.wait(5)
        order.append("warm-up done")

    warm = threading.Thread(target=slow_warm_up)
    window._reports_warm_up = warm
    warm.start()
    threading.Timer(1.0, release.set).start()  # longer than the export itself takes
    paths = window.reports.export(("nurse",), folder=str(tmp_path))
    order.append("exported")
    assert order == ["warm-up done", "exported"] and [p.name for p in paths] and not warm.is_alive()
