"""Recording an override in the window: the dialog, the second confirmation of a contraindication,
the panel showing both, and the override kept through save and open."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QMessageBox

from ixdesk.ui import override_dialog
from ixdesk.ui.override_dialog import SECOND_TITLE, OverrideDialog

HELD = "exclusion.neutrophils"


def _open_04(window: Any, examples: Path) -> None:
    assert window.open_path(str(next(examples.glob("04-*.json"))), ask=False)


@pytest.fixture
def user(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Any:
    """The clinic settings give 'Dr X' unless a test clears them."""
    monkeypatch.setenv("IXDESK_DATA_DIR", str(tmp_path))
    (tmp_path / "clinic.json").write_text(json.dumps({"user_name": "Dr X"}), encoding="utf-8")
    return tmp_path


@pytest.fixture
def fills(monkeypatch: pytest.MonkeyPatch) -> list[OverrideDialog]:
    """The first dialog answered as a user would: a reason, a comment, Record. Each one is kept."""
    shown: list[OverrideDialog] = []

    def exec_(dlg: OverrideDialog) -> int:
        shown.append(dlg)
        dlg.reason.setCurrentIndex(1)
        dlg.comment.setPlainText("repeat ANC 1,650 this morning")
        ok = dlg.buttons.button(QDialogButtonBox.StandardButton.Ok)
        assert ok is not None and ok.isEnabled()
        ok.click()
        return int(dlg.result())

    monkeypatch.setattr(OverrideDialog, "exec", exec_)
    return shown


def _events(window: Any) -> list[Any]:
    events: list[Any] = []
    window.override_recorded.connect(events.append)
    return events


def test_cancelling_the_second_confirmation_records_nothing(window: Any, examples: Path, dialogs: Any, user: Any,
                                                            fills: list[OverrideDialog]) -> None:
    _open_04(window, examples)
    events = _events(window)
    dialogs.answer = QMessageBox.StandardButton.Cancel
    assert window.override_finding(HELD) is False
    assert len(fills) == 1  # the first dialog was filled in and accepted ...
    (second,) = [text for kind, text in dialogs.calls if kind == "exec"]  # ... then the second one asked
    assert "override a contraindication" in second and "Baseline neutrophils below 1,500 cells/mm³" in second
    assert "stays on hold" in second
    assert window.current_consult().overrides == [] and events == []
    assert not window.isWindowModified()


def test_confirming_twice_records_it_beside_the_computed_result(window: Any, examples: Path, dialogs: Any, user: Any,
                                                                fills: list[OverrideDialog], tmp_path: Path) -> None:
    _open_04(window, examples)
    events = _events(window)
    dialogs.answer = QMessageBox.StandardButton.Yes
    assert window.override_finding(HELD) is True
    (o,) = window.current_consult().overrides
    assert o.finding_id == HELD and o.kind == "overridden" and o.user == "Dr X" and o.confirmed_twice
    assert o.computed_state_at_the_time == "met" and o.at.tzinfo is not None
    assert [e.action for e in events] == ["recorded"] and events[0].override == o
    assert window.isWindowModified()
    # the computed result is still there, the override beside it
    assert window.current_assessment().finding(HELD).state == "met"
    item = window.panel.item_for_finding(HELD)
    assert item is not None and item.text(1) == "⊘ APPLIES · overridden"
    assert "Overridden by Dr X" in item.toolTip(0)
    assert "contraindication overridden by Dr X" in window.verdict.headline.text()
    assert window.verdict.headline.text().startswith("On hold")
    # saved and opened again, it is still there
    path = tmp_path / "saved.json"
    assert window._save_to(str(path))
    assert window.open_path(str(path), ask=False)
    assert window.current_consult().overrides == [o]
    assert window.panel.item_for_finding(HELD).text(1) == "⊘ APPLIES · overridden"


def test_a_warning_is_acknowledged_without_a_second_dialog(window: Any, examples: Path, dialogs: Any, user: Any,
                                                           fills: list[OverrideDialog]) -> None:
    _open_04(window, examples)
    assert window.override_finding("warning.neuropathy") is True
    assert [k for k, _ in dialogs.calls if k == "exec"] == []
    (o,) = window.current_consult().overrides
    assert o.kind == "acknowledged" and not o.confirmed_twice
    assert fills[0].acknowledged.isChecked()  # a warning starts as "acknowledged"


def test_withdrawing_gives_the_event_and_removes_it(window: Any, examples: Path, dialogs: Any, user: Any,
                                                    fills: list[OverrideDialog]) -> None:
    _open_04(window, examples)
    assert window.override_finding("warning.neuropathy")
    events = _events(window)
    menu = window.panel.override_menu(window.panel.item_for_finding("warning.neuropathy"))
    assert [a.text() for a in menu.actions()] == ["Change the override / acknowledgement…", "Withdraw the override"]
    assert window.withdraw_override("warning.neuropathy") is True
    assert window.current_consult().overrides == [] and [e.action for e in events] == ["withdrawn"]
    assert window.panel.item_for_finding("warning.neuropathy").text(1) == "⚠ APPLIES"


def test_the_dialog_asks_for_a_name_when_the_settings_give_none(qtbot: Any, monkeypatch: pytest.MonkeyPatch,
                                                                 tmp_path: Path) -> None:
    from ixdesk.core.criteria import default_criteria
    from ixdesk.core.engine import assess
    from ixdesk.core.files import load_consult
    from ixdesk.core.overrides import load_reason_codes
    from ixdesk.paths import examples_dir
    from ixdesk.present.findings import finding_view

    c = load_consult(next(examples_dir().glob("04-*.json")))
    a = assess(c, default_criteria())
    dlg = OverrideDialog(finding_view(a.finding("warning.neuropathy"), default_criteria()), load_reason_codes(), None)
    qtbot.addWidget(dlg)
    ok = dlg.buttons.button(QDialogButtonBox.StandardButton.Ok)
    assert ok is not None and not ok.isEnabled() and dlg.missing() == "Choose a reason."
    dlg.reason.setCurrentIndex(dlg.reason.findData("other"))
    assert dlg.missing() == "This reason needs a comment."
    dlg.comment.setPlainText("seen by neurology")
    assert not dlg.user.isReadOnly() and dlg.missing().startswith("Enter your name")
    dlg.user.setText("  Dr   Y ")
    assert ok.isEnabled() and dlg.missing() == ""
    o = dlg.build(override_dialog.local_now())
    assert o.user == "Dr Y" and o.reason.code == "other" and o.comment == "seen by neurology"
    # reasons follow the kind: "risk discussed" is an acknowledgement's reason only
    assert dlg.reason.findData("risk-discussed-will-monitor") >= 0
    dlg.overridden.setChecked(True)
    assert dlg.reason.findData("risk-discussed-will-monitor") < 0
    assert dlg.reason.currentData() == "other"  # kept: offered for both


def test_cancelling_the_first_dialog_records_nothing(window: Any, examples: Path, dialogs: Any, user: Any,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    _open_04(window, examples)
    monkeypatch.setattr(OverrideDialog, "exec", lambda self: int(QDialog.DialogCode.Rejected))
    assert window.override_finding(HELD) is False
    assert window.current_consult().overrides == [] and dialogs.calls == []


def test_the_second_box_defaults_to_cancel(qtbot: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    seen: dict[str, Any] = {}

    def exec_(box: QMessageBox) -> Any:
        seen["title"] = box.windowTitle()
        seen["default"] = box.defaultButton()
        seen["cancel"] = box.button(QMessageBox.StandardButton.Cancel)
        return QMessageBox.StandardButton.Cancel

    monkeypatch.setattr(QMessageBox, "exec", exec_)
    from datetime import UTC, datetime

    from ixdesk.core.overrides import Override, load_reason_codes

    class View:
        name, kind = "Baseline neutrophils below 1,500 cells/mm³", "exclusion"

        def result(self, audience: str) -> str:
            return "Applies"

    o = Override(finding_id=HELD, finding_title="t", kind="overridden", reason=load_reason_codes().coding("other"),
                 user="Dr X", at=datetime(2026, 12, 3, tzinfo=UTC), computed_state_at_the_time="met")
    assert override_dialog.confirm_contraindication(None, View(), o) is False  # type: ignore[arg-type]
    assert seen["title"] == SECOND_TITLE and seen["default"] is seen["cancel"]


def test_an_override_and_its_withdrawal_go_into_the_audit_trail(window: Any, examples: Path, dialogs: Any,
                                                                user: Any, fills: list[OverrideDialog]) -> None:
    _open_04(window, examples)
    dialogs.answer = QMessageBox.StandardButton.Yes
    assert window.override_finding(HELD) is True
    last = window.audit.trail.entries[-1]
    assert last.kind == "override" and last.detail["finding_id"] == HELD and last.detail["action"] == "recorded"
    assert last.detail["confirmed_twice"] is True and last.detail["computed"] == "met"
    assert last.detail["overrideReason"]["code"]
    assert window.withdraw_override(HELD, ask=False)
    last = window.audit.trail.entries[-1]
    assert last.kind == "override" and last.detail["action"] == "withdrawn"
