"""The audit trail in the window: opened (in memory only), one entry per field per edit session,
reports printed, kept through save, reopen, autosave and recovery; a tampered trail is flagged."""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QLineEdit, QMessageBox

from ixdesk.core import autosave
from ixdesk.core.audit import append_entry, verify
from ixdesk.core.consult import Consult
from ixdesk.core.files import consult_to_json, load_consult, save_consult
from ixdesk.ui.main_window import MainWindow

from .helpers import type_into

EX1 = "01-combination-after-anthracycline-and-taxane.json"


def user_file(examples: Path, tmp_path: Path, consult: Consult | None = None) -> Path:
    """An example saved as the user's own file (bundled examples are never saved over)."""
    target = tmp_path / "patient.ixdesk.json"
    save_consult(consult or load_consult(examples / EX1), target)
    return target


def kinds(w: MainWindow) -> list[str]:
    return [e.kind for e in w.audit.trail.entries] if w.audit.trail is not None else []


def leave_field(qtbot: Any, w: MainWindow, path: str, text: str) -> None:
    """Type into a field key by key, then move the focus to another field (the edit session ends)."""
    if not w.isActiveWindow():
        w.activateWindow()
        qtbot.waitActive(w)
    widget = w.form.fields[path][0]
    widget.setFocus()
    type_into(qtbot, widget, text)
    qtbot.waitUntil(lambda: not w._timer.isActive())
    other = w.form.fields["plan.prescriber"][0] if path != "plan.prescriber" else w.form.fields["patient.name"][0]
    other.setFocus()
    qtbot.waitUntil(lambda: other.hasFocus())


def test_opening_records_in_memory_only_and_stays_unmodified(qtbot: Any, window: MainWindow, examples: Path,
                                                             tmp_path: Path) -> None:
    target = user_file(examples, tmp_path)
    before = target.read_bytes()
    assert window.open_path(str(target))
    assert kinds(window) == ["opened"]
    assert window.audit.trail is not None and window.audit.trail.entries[0].detail["source"] == "file"
    assert not window.isWindowModified()  # the trail alone never asks "save changes?"
    assert not window.autosave_now()
    assert window.maybe_save()  # closing asks nothing
    assert target.read_bytes() == before and b'"audit"' not in before


def test_one_entry_per_field_per_edit_session(qtbot: Any, window: MainWindow, examples: Path, tmp_path: Path,
                                              caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    window.open_path(str(user_file(examples, tmp_path)))
    old_name = window.current_consult().patient.name
    leave_field(qtbot, window, "patient.name", "Zelda Quintero")  # 14 keystrokes
    leave_field(qtbot, window, "patient.weight_kg", "63.5")
    changed = [e for e in window.audit.trail.entries if e.kind == "input_changed"]
    assert [e.detail["field"] for e in changed] == ["patient.name", "patient.weight_kg"]
    assert changed[0].detail == {"field": "patient.name", "label": "Name", "old": old_name, "new": "Zelda Quintero"}
    assert changed[1].detail["label"] == "Weight" and changed[1].detail["new"] == 63.5
    assert verify(window.audit.trail).ok
    # focus in and out again without typing: nothing new
    leave_field(qtbot, window, "patient.weight_kg", "63.5")
    assert len([e for e in window.audit.trail.entries if e.kind == "input_changed"]) == 2
    assert "Zelda" not in caplog.text and (old_name or "@@") not in caplog.text  # never in a log


def test_invalid_input_is_recorded_once_valid(qtbot: Any, window: MainWindow, examples: Path, tmp_path: Path) -> None:
    window.open_path(str(user_file(examples, tmp_path)))
    leave_field(qtbot, window, "patient.height_cm", "16x")  # does not parse: nothing recorded
    assert kinds(window) == ["opened"]
    leave_field(qtbot, window, "patient.height_cm", "171")
    [e] = [e for e in window.audit.trail.entries if e.kind == "input_changed"]
    assert e.detail["field"] == "patient.height_cm" and e.detail["new"] == 171.0


def test_trail_is_saved_and_continues_after_reopening(qtbot: Any, dialogs: Any, window: MainWindow, examples: Path,
                                                     tmp_path: Path) -> None:
    target = user_file(examples, tmp_path)
    window.open_path(str(target))
    widget = window.form.fields["patient.weight_kg"][0]
    assert isinstance(widget, QLineEdit)
    type_into(qtbot, widget, "61")  # saved without leaving the field: the save records it first
    assert window.save()
    saved = load_consult(target)
    assert saved.audit is not None and verify(saved.audit).ok
    assert [e.kind for e in saved.audit.entries] == ["opened", "input_changed"]
    assert not window.isWindowModified()
    dialogs.answer = QMessageBox.StandardButton.Discard
    window.new_consult()
    assert window.open_path(str(target))
    assert [e.seq for e in window.audit.trail.entries] == [1, 2, 3] and kinds(window)[-1] == "opened"
    assert window.audit.bar is None or not window.audit.bar.isVisible()


def test_report_printed_is_recorded_and_saved(qtbot: Any, window: MainWindow, examples: Path, tmp_path: Path) -> None:
    target = user_file(examples, tmp_path)
    window.open_path(str(target))
    # the clinic settings file, in the test's own data folder (tests/conftest.py)
    (Path(os.environ["IXDESK_DATA_DIR"]) / "clinic.json").write_text(json.dumps({"user_name": "Dr  A. Rivera"}),
                                                                     encoding="utf-8")
    out = tmp_path / "out"
    out.mkdir()
    assert window.reports.export(("nurse",), folder=str(out))
    entry = window.audit.trail.entries[-1]
    assert entry.kind == "report_printed" and entry.detail == {"reports": ["nurse"], "record_number_shown": False}
    assert entry.user == "Dr A. Rivera"
    assert window.isWindowModified()  # the entry belongs in the file: Save (or autosave) keeps it
    assert window.save()
    assert [e.kind for e in load_consult(target).audit.entries] == ["opened", "report_printed"]


def test_autosave_carries_the_trail_and_recovery_keeps_it(qtbot: Any, dialogs: Any, examples: Path,
                                                          tmp_path: Path) -> None:
    target = user_file(examples, tmp_path)
    w = MainWindow()
    qtbot.addWidget(w)
    w.show()
    qtbot.waitUntil(lambda: w.current_assessment() is not None)
    w.open_path(str(target))
    type_into(qtbot, w.form.fields["notes"][0], "seen with her daughter")
    qtbot.waitUntil(lambda: w.isWindowModified())
    assert w.autosave_now()  # a pending edit is recorded first
    rec = autosave.read_record(w.slot.folder)
    assert rec is not None and rec.consult is not None and rec.consult.audit is not None
    assert [e.kind for e in rec.consult.audit.entries] == ["opened", "input_changed"]
    # the window dies without closing: its slot is left as a crash leaves it
    w.slot.abandon()
    w.slot = None
    w.autosave_timer.stop()
    w.setWindowModified(False)
    w.close()
    w2 = MainWindow()
    qtbot.addWidget(w2)
    w2.show()
    qtbot.waitUntil(lambda: w2.current_assessment() is not None)
    dialogs.question_answer = QMessageBox.StandardButton.Yes
    assert w2.offer_recovery()
    assert kinds(w2) == ["opened", "input_changed", "opened"]
    assert w2.audit.trail.entries[-1].detail["source"] == "autosave"
    assert w2.save()
    saved = load_consult(target)
    assert saved.notes == "seen with her daughter" and verify(saved.audit).ok and len(saved.audit.entries) == 3


def test_tampered_trail_is_flagged_without_blocking(qtbot: Any, dialogs: Any, window: MainWindow, examples: Path,
                                                    tmp_path: Path) -> None:
    c = load_consult(examples / EX1)
    trail = None
    for i in range(4):
        trail = append_entry(trail, "input_changed", {"field": "labs.ast", "old": i, "new": i + 1}, None)
    doc = json.loads(consult_to_json(c.model_copy(update={"audit": trail})))
    del doc["audit"]["entries"][1]  # an entry removed by hand
    target = tmp_path / "tampered.ixdesk.json"
    target.write_text(json.dumps(doc), encoding="utf-8")
    calls = len(dialogs.calls)
    assert window.open_path(str(target))
    assert len(dialogs.calls) == calls  # no dialog: a bar
    bar = window.audit.bar
    assert bar is not None and bar.isVisible()
    assert window.audit.bar_label is not None and "broken at entry 2" in window.audit.bar_label.text()
    assert window.current_assessment() is not None  # assessed as usual
    assert not window.isWindowModified()
    window.grab().save(str(tmp_path / "tampered.png"))
    # an intact consult opened next hides the bar
    window.open_path(str(user_file(examples, tmp_path)))
    assert not bar.isVisible()


def test_typed_before_the_core_loaded_is_recorded(qtbot: Any, dialogs: Any) -> None:
    w = MainWindow()
    qtbot.addWidget(w)
    w.show()
    w.ensure_ready()
    type_into(qtbot, w.form.fields["plan.prescriber"][0], "Dr B")
    w.audit.flush()
    changed = [e.detail for e in w.audit.trail.entries if e.kind == "input_changed"]
    assert changed == [{"field": "plan.prescriber", "label": "Prescriber", "old": None, "new": "Dr B"}]
