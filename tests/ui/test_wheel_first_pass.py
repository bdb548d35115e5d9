"""The window's start-up form installs the wheel guard's filter one event-loop pass later
(``guard_wheel(..., filter_next_pass=True)``): nothing a wheel does in that pass changes an answer,
and choice widgets shown in it still lose WheelFocus once the filter is in."""

from __future__ import annotations

from typing import Any, Iterator

import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import QApplication, QComboBox

from ixdesk.ui import inputs
from ixdesk.ui.form import ConsultForm


@pytest.fixture
def fresh_guard(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """No wheel filter in the application yet, as at start-up; the session's own is put back after."""
    app = QApplication.instance()
    old = inputs._GUARD
    if old is not None:
        app.removeEventFilter(old)
    monkeypatch.setattr(inputs, "_GUARD", None)
    monkeypatch.setattr(inputs, "_ROOTS_BEFORE_FILTER", [])
    try:
        yield
    finally:
        if inputs._GUARD is not None:
            app.removeEventFilter(inputs._GUARD)
        if old is not None:
            app.installEventFilter(old)


def wheel(widget: Any, dy: int) -> None:
    pos = QPointF(widget.rect().center())
    ev = QWheelEvent(pos, QPointF(widget.mapToGlobal(pos)), QPoint(0, 0), QPoint(0, dy), Qt.MouseButton.NoButton,
                     Qt.KeyboardModifier.NoModifier, Qt.ScrollPhase.NoScrollPhase, False)
    QApplication.sendEvent(widget, ev)


def test_before_and_after_the_deferred_filter_the_wheel_changes_nothing(qtbot: Any, fresh_guard: None) -> None:
    form = ConsultForm(None, wheel_filter_next_pass=True)
    qtbot.addWidget(form)
    form.resize(600, 400)
    form.show()
    sex = form.fields["patient.sex"][0]
    # a widget of a kind the form does not make, shown before the filter is in (as a later module might)
    plain = QComboBox(form.body)
    plain.addItems(["a", "b", "c"])
    plain.show()  # polished now, without the filter
    assert plain.focusPolicy() == Qt.FocusPolicy.WheelFocus
    # the first pass: the form's own combos ignore the wheel themselves
    for dy in (-120, 120, -360):
        wheel(sex, dy)
    assert sex.currentIndex() == 0
    qtbot.waitUntil(lambda: not inputs._ROOTS_BEFORE_FILTER)  # the next pass: the filter is in
    assert plain.focusPolicy() == Qt.FocusPolicy.StrongFocus
    for dy in (-120, 120, -360):
        wheel(plain, dy)
        wheel(sex, dy)
    assert plain.currentIndex() == 0 and sex.currentIndex() == 0


def test_without_deferral_the_filter_is_in_at_once(qtbot: Any, fresh_guard: None) -> None:
    form = ConsultForm(None)
    qtbot.addWidget(form)
    form.show()
    plain = QComboBox(form.body)
    plain.addItems(["a", "b", "c"])
    plain.show()
    assert plain.focusPolicy() == Qt.FocusPolicy.StrongFocus  # the filter saw it polished
    wheel(plain, -120)
    assert plain.currentIndex() == 0
