"""Files that end up in the right place: recovery names the patient and the file, never offers a live
window's or a discarded autosave, Save never defaults into the bundled examples, settings are user-only."""

from __future__ import annotations

import os
import stat
import time
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QFileDialog, QMessageBox

from ixdesk.core import autosave, autosave_slots
from ixdesk.core.consult import Consult
from ixdesk.core.files import load_consult, save_consult
from ixdesk.ui.main_window import MainWindow, is_bundled

from .helpers import type_into

EX1 = "01-combination-after-anthracycline-and-taxane.json"


def crashed(consult: Consult, original: str | None) -> Path:
    """What a session killed with unsaved changes leaves: a record in a slot nobody holds."""
    slot = autosave_slots.acquire_slot(autosave.autosave_dir())
    autosave.write_autosave(consult, original, folder=slot.folder)
    slot.abandon()
    return slot.folder


def named(consult: Consult, name: str) -> Consult:
    return consult.model_copy(update={"patient": consult.patient.model_copy(update={"name": name})})


def new_window(qtbot: Any) -> MainWindow:
    w = MainWindow()
    qtbot.addWidget(w)
    w.show()
    qtbot.waitUntil(lambda: w.current_assessment() is not None)
    return w


def edit(qtbot: Any, w: MainWindow, text: str) -> None:
    type_into(qtbot, w.form.fields["patient.name"][0], text)
    qtbot.waitUntil(lambda: w.current_consult() is not None and w.current_consult().patient.name == text)


def questions(dialogs: Any) -> list[str]:
    return [text for kind, text in dialogs.calls if kind == "question"]


def test_recovery_names_the_patient_and_the_file_and_saves_to_that_file_only(
        qtbot: Any, dialogs: Any, examples: Path, tmp_path: Path) -> None:
    base = load_consult(examples / EX1)
    file_a, file_b = tmp_path / "alpha.json", tmp_path / "beta.json"
    save_consult(named(base, "Alpha Patient"), file_a)
    save_consult(named(base, "Beta Patient"), file_b)
    crashed(named(base, "Alpha Patient").model_copy(update={"notes": "A edited"}), str(file_a))
    time.sleep(0.01)
    newest = crashed(named(base, "Beta Patient").model_copy(update={"notes": "B edited"}), str(file_b))
    os.utime(newest / autosave.RECORD_NAME)  # newest for sure, whatever the clock's resolution
    w = new_window(qtbot)
    dialogs.question_answer = QMessageBox.StandardButton.Yes
    assert w.offer_recovery()
    [asked] = questions(dialogs)  # the newest first; one recovered, the other waits for the next start
    assert "Patient: Beta Patient\n" in asked and f"File: {file_b}" in asked and "Note" not in asked
    assert w.path == str(file_b) and w.isWindowModified()
    dialogs.answer = QMessageBox.StandardButton.Save
    assert w.save()
    assert load_consult(file_b).notes == "B edited"
    assert load_consult(file_a).notes != "A edited"  # the other patient's file untouched
    remaining = autosave.stale_records()
    assert len(remaining) == 1
    rec = autosave.read_record(remaining[0])
    assert rec is not None and rec.consult.notes == "A edited" and rec.original_path == str(file_a)


def test_recovery_never_saves_over_a_file_that_now_holds_another_patient(
        qtbot: Any, dialogs: Any, examples: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    base = load_consult(examples / EX1)
    shared = tmp_path / "consult.json"
    crashed(named(base, "Alpha Patient"), str(shared))
    beta = named(base, "Beta Patient")
    beta = beta.model_copy(update={"patient": beta.patient.model_copy(update={"record_number": "EX-0002"})})
    save_consult(beta, shared)  # the file was reused for another patient since
    w = new_window(qtbot)
    assert w.offer_recovery()
    [asked] = questions(dialogs)
    assert "Patient: Alpha Patient" in asked and "different patient" in asked and "not saved yet" in asked
    assert w.path is None
    dialog = SaveDialog("")
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(dialog))
    assert not w.save() and dialog.started_at  # Save asks; Beta's file is untouched
    assert load_consult(shared).patient.name == "Beta Patient"
    w.setWindowModified(False)


def test_a_corrected_name_with_the_same_record_number_is_the_same_patient(
        qtbot: Any, dialogs: Any, examples: Path, tmp_path: Path) -> None:
    base = load_consult(examples / EX1)
    own = tmp_path / "alpha.json"
    save_consult(named(base, "Jon Alpha"), own)
    crashed(named(base, "John Alpha"), str(own))
    w = new_window(qtbot)
    assert w.offer_recovery() and w.path == str(own)
    w.setWindowModified(False)


def test_recovery_keeps_the_file_when_it_holds_the_same_patient(qtbot: Any, dialogs: Any, examples: Path,
                                                                tmp_path: Path) -> None:
    base = load_consult(examples / EX1)
    own = tmp_path / "alpha.json"
    save_consult(named(base, "Alpha  patient"), own)
    crashed(named(base, "Alpha Patient").model_copy(update={"notes": "edited"}), str(own))
    w = new_window(qtbot)
    assert w.offer_recovery() and w.path == str(own)
    w.setWindowModified(False)


def test_recovered_consult_survives_a_second_crash(qtbot: Any, dialogs: Any, examples: Path) -> None:
    """The recovered pair moves into the new window's own slot before the old slot is removed."""
    folder = crashed(named(load_consult(examples / EX1), "Twice Crashed"), "/data/twice.json")
    w = new_window(qtbot)
    assert w.offer_recovery()
    assert not folder.exists()
    rec = autosave.read_record(w.slot.folder)
    assert rec is not None and rec.patient_name == "Twice Crashed" and rec.original_path == "/data/twice.json"
    w.slot.abandon()  # crash again
    w.setWindowModified(False)
    assert autosave.stale_records() == [w.slot.folder]


def test_a_live_windows_autosave_is_not_offered_to_a_second_window(qtbot: Any, dialogs: Any, window: Any) -> None:
    edit(qtbot, window, "Live Patient")
    assert window.autosave_now()
    w2 = new_window(qtbot)
    assert not w2.offer_recovery()
    assert not questions(dialogs)
    assert (window.slot.folder / autosave.RECORD_NAME).is_file()  # and not removed either
    window.setWindowModified(False)


def test_discarded_edits_are_not_offered(qtbot: Any, dialogs: Any, window: Any) -> None:
    edit(qtbot, window, "Discarded Patient")
    assert window.autosave_now()
    folder = window.slot.folder
    dialogs.answer = QMessageBox.StandardButton.Discard
    assert window.close()
    assert not folder.exists()
    w2 = new_window(qtbot)
    assert not w2.offer_recovery() and not questions(dialogs)


def test_edits_discarded_for_another_file_are_not_offered_after_a_crash(
        qtbot: Any, dialogs: Any, window: Any, examples: Path) -> None:
    edit(qtbot, window, "Discarded For Another")
    assert window.autosave_now()
    dialogs.answer = QMessageBox.StandardButton.Discard
    assert window.open_path(str(examples / EX1), ask=True)
    assert any(kind == "exec" for kind, _ in dialogs.calls)
    window.slot.abandon()  # crash before anything else is autosaved
    w2 = new_window(qtbot)
    assert not w2.offer_recovery() and not questions(dialogs)


def test_saved_edits_are_not_offered(qtbot: Any, dialogs: Any, window: Any, tmp_path: Path,
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    edit(qtbot, window, "Saved Patient")
    assert window.autosave_now()
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: (str(tmp_path / "s.json"), "")))
    assert window.save()
    assert not (window.slot.folder / autosave.RECORD_NAME).exists()
    window.slot.abandon()  # even a crash right after the save leaves nothing to offer
    w2 = new_window(qtbot)
    assert not w2.offer_recovery() and not questions(dialogs)


def test_declined_recovery_is_not_offered_again(qtbot: Any, dialogs: Any, examples: Path) -> None:
    crashed(named(load_consult(examples / EX1), "Declined"), None)
    w = new_window(qtbot)
    dialogs.question_answer = QMessageBox.StandardButton.No
    assert not w.offer_recovery()
    assert "Patient: Declined" in questions(dialogs)[0] and "not saved yet" in questions(dialogs)[0]
    w2 = new_window(qtbot)
    assert not w2.offer_recovery() and len(questions(dialogs)) == 1


def test_start_up_tidies_the_autosave_folder_and_takes_a_locked_slot(tmp_path: Path) -> None:
    from ixdesk.ui.app import take_instance_slot

    root = autosave.autosave_dir()
    root.mkdir(parents=True)
    leaked = root / ".ixd-0badf00d.tmp"
    leaked.write_text('{"patient": {"name": "Leaked"}}', encoding="utf-8")
    old = time.time() - 3600
    os.utime(leaked, (old, old))
    slot = take_instance_slot()
    try:
        assert slot is not None and slot.held and autosave_slots.is_live(slot.folder)
        assert not leaked.exists()
        assert stat.S_IMODE(root.stat().st_mode) == 0o700
    finally:
        assert slot is not None
        slot.release()
    assert not slot.folder.exists()


# --- the Save dialog ----------------------------------------------------------------------------

class SaveDialog:
    def __init__(self, answer: str = "") -> None:
        self.answer = answer
        self.started_at: list[str] = []

    def __call__(self, _parent: Any, _title: str, suggested: str, *a: Any, **k: Any) -> tuple[str, str]:
        self.started_at.append(suggested)
        return self.answer, ""


def test_save_of_an_opened_example_asks_and_starts_in_documents(
        qtbot: Any, window: Any, examples: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    original = (examples / EX1).read_bytes()
    dialog = SaveDialog("")  # the user cancels
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(dialog))
    assert window.open_path(str(examples / EX1), ask=False)
    edit(qtbot, window, "Not An Example")
    assert not window.save()  # Save on a bundled example asks where, it never overwrites it
    assert (examples / EX1).read_bytes() == original
    [suggested] = dialog.started_at
    start = Path(suggested).parent
    assert not is_bundled(start)
    from PySide6.QtCore import QStandardPaths

    docs = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    assert str(start) in ({docs} if os.path.isdir(docs) else {str(Path.home())})
    window.setWindowModified(False)


def test_save_dialog_starts_in_the_last_folder_used_never_a_bundled_one(
        qtbot: Any, window: Any, examples: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    chosen = tmp_path / "clinic"
    chosen.mkdir()
    dialog = SaveDialog(str(chosen / "first.json"))
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(dialog))
    edit(qtbot, window, "First")
    assert window.save_as()
    assert window.open_path(str(examples / EX1), ask=False)  # opening an example is not "using" its folder
    dialog.answer = ""
    window.save_as()
    assert Path(dialog.started_at[-1]).parent == chosen
    window.settings.setValue("last_folder", str(examples))  # what an older version remembered
    window.save_as()
    assert not is_bundled(Path(dialog.started_at[-1]).parent)


def test_save_as_explicitly_into_any_folder_still_works(qtbot: Any, window: Any, tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(SaveDialog(str(tmp_path / "x"))))
    edit(qtbot, window, "Anywhere")
    assert window.save_as() and load_consult(tmp_path / "x.ixdesk.json").patient.name == "Anywhere"


def test_saving_over_a_read_only_file_says_so(qtbot: Any, dialogs: Any, window: Any, examples: Path,
                                              tmp_path: Path) -> None:
    target = tmp_path / "ro.json"
    save_consult(load_consult(examples / EX1), target)
    target.chmod(0o444)
    assert window.open_path(str(target), ask=False)
    edit(qtbot, window, "Changed")
    assert not window.save()
    [(kind, text)] = [c for c in dialogs.calls if c[0] == "critical"]
    assert "read-only" in text and str(target) in text
    assert load_consult(target).patient.name != "Changed" and stat.S_IMODE(target.stat().st_mode) == 0o444
    assert window.isWindowModified()
    window.setWindowModified(False)


# --- settings file --------------------------------------------------------------------------

def test_settings_file_is_user_only(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from ixdesk.ui.settings import add_recent, make_settings

    data = tmp_path / "fresh" / "data"
    monkeypatch.setenv("IXDESK_DATA_DIR", str(data))
    old = os.umask(0o022)
    try:
        s = make_settings()
        add_recent(s, "/clinic/Jane Doe consult.json")
        s.sync()
        path = Path(s.fileName())
        assert path.is_file() and stat.S_IMODE(path.stat().st_mode) == 0o600
        assert stat.S_IMODE(data.stat().st_mode) == 0o700
        path.chmod(0o644)  # made by an older version
        s2 = make_settings()
        add_recent(s2, "/clinic/other.json")
        s2.sync()
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    finally:
        os.umask(old)


def test_native_settings_file_is_user_only(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from ixdesk.ui.settings import add_recent, make_settings

    monkeypatch.delenv("IXDESK_DATA_DIR")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    s = make_settings()
    try:
        add_recent(s, "/clinic/Jane Doe consult.json")
        s.sync()
        path = Path(s.fileName())
        assert path.is_file() and stat.S_IMODE(path.stat().st_mode) == 0o600, path
    finally:
        s.clear()
        s.sync()


@pytest.mark.parametrize("stored", [5, 2.5, True, {"a": "b"}])
def test_a_recent_files_setting_that_is_not_a_list_is_no_list(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                              stored: object) -> None:
    """A hand-edited or foreign settings value: no recent files, and a new one can still be added."""
    from ixdesk.ui.settings import add_recent, make_settings, recent_files

    monkeypatch.setenv("IXDESK_DATA_DIR", str(tmp_path / "data"))
    s = make_settings()
    s.setValue("recent_files", stored)
    assert recent_files(s) == []
    assert add_recent(s, "/clinic/next.json") == ["/clinic/next.json"]
