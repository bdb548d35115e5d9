"""The plain numbers the form sets before the Qt namespace exists are Qt's own, and reach Qt."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFormLayout, QLabel, QScrollArea

from ixdesk.ui import qt_numbers
from ixdesk.ui.inputs import ChoiceCombo, calendar_icon


def test_each_number_is_qts_own() -> None:
    assert qt_numbers.ALIGN_RIGHT == Qt.AlignmentFlag.AlignRight.value
    assert qt_numbers.ALIGN_CENTER == Qt.AlignmentFlag.AlignCenter.value
    assert qt_numbers.SCROLL_BAR_ALWAYS_OFF == Qt.ScrollBarPolicy.ScrollBarAlwaysOff.value
    assert qt_numbers.STRONG_FOCUS == Qt.FocusPolicy.StrongFocus.value


def test_the_lazy_namespace_is_pysides() -> None:
    assert qt_numbers.Qt.AlignmentFlag is Qt.AlignmentFlag
    assert qt_numbers.Qt.FocusReason.OtherFocusReason is Qt.FocusReason.OtherFocusReason


def test_set_as_properties_they_reach_the_setters(qtbot) -> None:  # type: ignore[no-untyped-def]
    layout = QFormLayout()
    qt_numbers.set_enum_property(layout, "labelAlignment", qt_numbers.ALIGN_RIGHT)
    assert layout.labelAlignment() == Qt.AlignmentFlag.AlignRight
    area = QScrollArea()
    qtbot.addWidget(area)
    qt_numbers.set_enum_property(area, "horizontalScrollBarPolicy", qt_numbers.SCROLL_BAR_ALWAYS_OFF)
    assert area.horizontalScrollBarPolicy() == Qt.ScrollBarPolicy.ScrollBarAlwaysOff
    label = QLabel()
    qtbot.addWidget(label)
    qt_numbers.set_enum_property(label, "alignment", qt_numbers.ALIGN_CENTER)
    assert label.alignment() == Qt.AlignmentFlag.AlignCenter


def test_a_property_qt_does_not_have_is_an_error_not_a_silent_no_op(qtbot) -> None:  # type: ignore[no-untyped-def]
    label = QLabel()
    qtbot.addWidget(label)
    with pytest.raises(ValueError, match="labelAlignmnet"):
        qt_numbers.set_enum_property(label, "labelAlignmnet", qt_numbers.ALIGN_RIGHT)


def test_a_choice_field_takes_no_focus_from_the_wheel_from_the_start(qtbot) -> None:  # type: ignore[no-untyped-def]
    # before any value is set and before the wheel guard has seen it polished
    combo = ChoiceCombo([(1, "one")])
    qtbot.addWidget(combo)
    assert combo.focusPolicy() == Qt.FocusPolicy.StrongFocus


def test_the_calendar_icon_is_bundled() -> None:
    icon = calendar_icon()
    assert not icon.isNull()
    assert icon.pixmap(32, 32).width() == 32
