"""Small input widgets that keep 'not recorded' distinct from every real answer.

Clinical booleans are a three-way combo (not recorded / yes / no), never a checkbox, because an
unticked box would silently say 'no'. Numbers and dates are line edits so the text the user typed
is kept as typed even when it does not parse; the parse error is reported at the field.
"""

from __future__ import annotations

import math
import re
from datetime import date
from typing import Any, Sequence

from PySide6.QtCore import QDate, QEvent, QObject, QPoint, Signal
from PySide6.QtGui import QColor, QFont, QIcon, QPalette, QWheelEvent
from PySide6.QtWidgets import (
    QAbstractScrollArea, QAbstractSlider, QAbstractSpinBox, QApplication, QCalendarWidget, QComboBox, QFrame,
    QHBoxLayout, QLabel, QLineEdit, QPushButton, QScrollBar, QVBoxLayout, QWidget,
)

from ixdesk.core.count_units import number_text  # no pydantic
from ixdesk.core.dates import PartialDate  # no pydantic
from ixdesk.core.problems import Problem  # no pydantic
from ixdesk.ui.qt_numbers import STRONG_FOCUS, Qt, set_enum_property

FieldProblem = Problem  # the form's name for the file reader's class: one list holds both

NOT_RECORDED = "not recorded"
_DATE_RE = re.compile(r"^\s*(\d{4})-(\d{1,2})-(\d{1,2})\s*$")

ERROR_STYLE = "border: 2px solid #c62828; border-radius: 3px; background: #fff3f3;"


class ParseError(ValueError):
    """Text in a field that cannot be read as the expected kind of value."""


class ChoiceCombo(QComboBox):
    """A combo over fixed values with a first 'not recorded' entry meaning None."""

    def __init__(self, choices: Sequence[tuple[Any, str]], allow_none: bool = True, none_label: str = NOT_RECORDED,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._values: list[Any] = []
        if allow_none:
            self.addItem(none_label)
            self._values.append(None)
        for value, label in choices:
            self.addItem(label)
            self._values.append(value)
        # not WheelFocus: a wheel turned over the form must not even move the focus here
        set_enum_property(self, "focusPolicy", STRONG_FOCUS)  # no Qt namespace yet (ixdesk.ui.qt_numbers)

    def value(self) -> Any:
        i = self.currentIndex()
        return self._values[i] if 0 <= i < len(self._values) else None

    def set_value(self, value: Any) -> None:
        try:
            self.setCurrentIndex(self._values.index(value))
        except ValueError:
            self.setCurrentIndex(0)

    def wheelEvent(self, event: Any) -> None:  # noqa: N802 - Qt override
        """Never change a clinical answer by the wheel (see ``WheelGuard``); let it scroll what holds us."""
        event.ignore()


# --- the mouse wheel never changes a value -----------------------------------------------------

WHEEL_GUARD_PROPERTY = "ixdeskWheelGuard"


def _is_choice(w: QObject) -> bool:
    """A widget whose value the wheel would change: combos, spin/date boxes, sliders (not scroll bars)."""
    return isinstance(w, (QComboBox, QAbstractSpinBox)) or (isinstance(w, QAbstractSlider)
                                                            and not isinstance(w, QScrollBar))


def _choice_under(obj: QObject) -> QWidget | None:
    """The choice widget ``obj`` is (or is part of, e.g. a spin box's line edit), inside a guarded root.

    The walk stops at a window: a combo's open list and a calendar popup are windows of their own,
    and the wheel there scrolls the list or the calendar as usual."""
    w = obj if isinstance(obj, QWidget) else None
    choice: QWidget | None = None
    while w is not None:
        if choice is None and _is_choice(w):
            choice = w
        elif isinstance(w, QScrollBar):
            return None
        if w.property(WHEEL_GUARD_PROPERTY):
            return choice
        if w.isWindow():
            return None
        w = w.parentWidget()
    return None


def _scroll_areas_around(w: QWidget) -> list[QAbstractScrollArea]:
    """Scroll areas whose viewport holds ``w``, innermost first (a table's, then the form's)."""
    out: list[QAbstractScrollArea] = []
    child, p = w, w.parentWidget()
    while p is not None and not child.isWindow():
        if isinstance(p, QAbstractScrollArea) and child is p.viewport():
            out.append(p)
        child, p = p, p.parentWidget()
    return out


_WHEEL = QEvent.Type.Wheel
_POLISH = QEvent.Type.Polish


class WheelGuard(QObject):
    """One application-wide event filter: the wheel over a choice field scrolls the form instead.

    Qt's combo and spin boxes change their value on the wheel, and take the focus from it first
    (focus policy ``WheelFocus``), so a guard inside the widget that checks for focus never fires:
    turning the wheel to scroll the form changed whatever answer passed under the pointer. The filter
    sees every wheel event before any widget does, so it also covers widgets it never met: editors a
    delegate opens inside a table, fields another module adds. It applies under a widget marked by
    :func:`guard_wheel` (the consult form), so dialogs and popups keep Qt's behaviour. Choice widgets
    there get ``StrongFocus`` when first polished, so the wheel does not move the focus either."""

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        # every event of the application passes here (thousands while the window is first laid
        # out and painted): the two kinds it handles are compared with constants looked up once
        kind = event.type()
        if kind != _WHEEL and kind != _POLISH:
            return False
        if kind == _WHEEL:
            choice = _choice_under(obj)
            if choice is None:
                return False
            _forward_wheel(choice, event)  # type: ignore[arg-type]
            event.accept()
            return True  # the choice widget never sees it
        if _is_choice(obj) and not isinstance(obj, ChoiceCombo):  # a Polish event (ours set StrongFocus)
            w: QWidget = obj  # type: ignore[assignment]
            if w.focusPolicy() == Qt.FocusPolicy.WheelFocus and _choice_under(w) is not None:
                w.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        return False


def _forward_wheel(choice: QWidget, event: QWheelEvent) -> None:
    """Send the wheel to the innermost scroll area around ``choice`` that can still scroll."""
    global_pos = event.globalPosition()
    if global_pos.isNull():  # a synthetic event may carry no global position
        global_pos = choice.mapToGlobal(event.position())
    for area in _scroll_areas_around(choice):
        vp = area.viewport()
        fwd = QWheelEvent(vp.mapFromGlobal(global_pos), global_pos, event.pixelDelta(), event.angleDelta(),
                          event.buttons(), event.modifiers(), event.phase(), event.inverted(), event.source())
        fwd.setAccepted(False)
        QApplication.sendEvent(vp, fwd)
        if fwd.isAccepted():
            return


_GUARD: WheelGuard | None = None
_ROOTS_BEFORE_FILTER: list[QWidget] = []  # guarded while the filter waits for the next pass


def guard_wheel(root: QWidget, *, filter_next_pass: bool = False) -> None:
    """Under ``root``, the wheel never changes a choice field; installs the filter once per application.

    ``filter_next_pass``: the window's first form installs the filter on the next event-loop pass,
    once the form is on screen. Every event of the application passes through it (700 while the
    form is first laid out and painted), and the first objects it is handed make PySide build the
    style's and the window's enum classes: about 13 ms on the way to ready to type. Until then
    the form's combo boxes ignore the wheel themselves (``ChoiceCombo.wheelEvent``), so nothing a
    wheel does in that pass can change an answer."""
    global _GUARD
    root.setProperty(WHEEL_GUARD_PROPERTY, True)
    app = QApplication.instance()
    if app is None:
        return
    if _GUARD is None or _GUARD.parent() is not app:
        _GUARD = WheelGuard(app)
        if filter_next_pass:
            from PySide6.QtCore import QTimer

            _ROOTS_BEFORE_FILTER.append(root)  # its choice widgets are seen to when the filter goes in
            QTimer.singleShot(0, _install_filter)
            return
        _install_filter()
    elif _ROOTS_BEFORE_FILTER:
        _ROOTS_BEFORE_FILTER.append(root)
        return
    _strong_focus_under(root)


def _install_filter() -> None:
    app = QApplication.instance()
    if _GUARD is None or app is None:
        return
    app.installEventFilter(_GUARD)
    # choice widgets shown while the filter waited were polished without it
    import shiboken6

    roots, _ROOTS_BEFORE_FILTER[:] = list(_ROOTS_BEFORE_FILTER), []
    for root in roots:
        if shiboken6.isValid(root):
            _strong_focus_under(root)


def _strong_focus_under(root: QWidget) -> None:
    """Choice widgets already polished before the filter saw them: no focus from the wheel either.

    Found by kind: wrapping every widget of the form in a Python object to test it cost a tenth of
    building the form."""
    for kind in (QComboBox, QAbstractSpinBox, QAbstractSlider):
        for w in root.findChildren(kind):
            if isinstance(w, ChoiceCombo):
                continue  # StrongFocus from the start, and reading it would build the Qt namespace
            if _is_choice(w) and w.focusPolicy() == Qt.FocusPolicy.WheelFocus:
                w.setFocusPolicy(Qt.FocusPolicy.StrongFocus)


class TriState(ChoiceCombo):
    """Yes / no / not recorded."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__([(True, "yes"), (False, "no")], parent=parent)


def parse_number(text: str, integer: bool = False) -> float | int | None:
    """A typed number; empty means not recorded. Raises ParseError with the reason in words."""
    text = text.strip()
    if not text:
        return None
    if "," in text:  # "1,500" could mean 1500 or 1.5: refuse rather than guess
        raise ParseError("use a point for decimals and no thousands separator")
    try:
        num = float(text)
    except ValueError:
        raise ParseError("not a number") from None
    if not math.isfinite(num):
        raise ParseError("not a number")
    if integer:
        if num != int(num):
            raise ParseError("must be a whole number")
        return int(num)
    return num


class NumberEdit(QLineEdit):
    """A number typed as text; empty means not recorded."""

    def __init__(self, placeholder: str = "", integer: bool = False, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._integer = integer
        self.setPlaceholderText(placeholder or NOT_RECORDED)

    def value(self) -> float | int | None:
        return parse_number(self.text(), self._integer)

    def set_value(self, value: float | int | None) -> None:
        if value is None:
            self.setText("")
        elif isinstance(value, float) and value.is_integer():
            self.setText(str(int(value)))
        else:
            self.setText(str(value))


def parse_date(text: str) -> date | None:
    """YYYY-MM-DD, or empty for not recorded."""
    if not text.strip():
        return None
    m = _DATE_RE.match(text)
    if not m:
        raise ParseError("not a valid date (use YYYY-MM-DD)")
    try:
        return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        raise ParseError("no such date") from None


def parse_partial_date(text: str) -> PartialDate | None:
    """YYYY-MM-DD, or YYYY-MM when the chart gives no day, or empty for not recorded."""
    if not text.strip():
        return None
    try:
        return PartialDate.parse(text)
    except ValueError as exc:
        raise ParseError(str(exc)) from None


_CALENDAR_ICON: QIcon | None = None


def calendar_icon() -> QIcon:
    """A small calendar, bundled as a PNG (no icon theme is guaranteed offscreen or in a frozen build).

    A file, not drawn here: the painter's overloaded calls (``setPen``, ``drawRoundedRect``) build
    all of PySide's Qt-namespace enum classes on the way to the first field (ixdesk.ui.qt_numbers).
    A missing file gives an empty icon: the Alt+Down key and the action's tooltip still work."""
    global _CALENDAR_ICON
    if _CALENDAR_ICON is None:
        from ixdesk.paths import resources_dir

        try:
            _CALENDAR_ICON = QIcon(str(resources_dir() / "ui" / "calendar.png"))
        except FileNotFoundError:  # no bundled data at all: the window says so elsewhere
            _CALENDAR_ICON = QIcon()
    return _CALENDAR_ICON


class DateEdit(QLineEdit):
    """A date as YYYY-MM-DD text; empty means not recorded (unknown).

    Typing stays the primary way in (fast, and an unparseable entry is kept and reported); the
    calendar button (or Alt+Down) picks a date for those who prefer it and writes the same text.
    With ``month_only`` (the regimen dates) "2022-02" is accepted too, for a chart that gives no
    day; it is shown as typed, and the calendar still picks a full date."""

    def __init__(self, parent: QWidget | None = None, month_only: bool = False) -> None:
        super().__init__(parent)
        self.month_only = month_only
        if month_only:
            self.setPlaceholderText("YYYY-MM-DD or YYYY-MM")
            self.setToolTip("Date as YYYY-MM-DD, or YYYY-MM when the day is not recorded. "
                            "Leave empty if not recorded (unknown). Alt+Down: calendar.")
        else:
            self.setPlaceholderText("YYYY-MM-DD")
            self.setToolTip("Date as YYYY-MM-DD. Leave empty if not recorded (unknown). Alt+Down: calendar.")
        self.setMaxLength(10)
        # room for the placeholder beside the calendar button, so "… or YYYY-MM" is not cut off
        self.setMinimumWidth(max(150, self.fontMetrics().horizontalAdvance(self.placeholderText()) + 44))
        self.calendar_action = self.addAction(calendar_icon(), QLineEdit.ActionPosition.TrailingPosition)
        self.calendar_action.setToolTip("Pick from a calendar (Alt+Down)")
        self.calendar_action.triggered.connect(self.show_calendar)
        self.calendar: QCalendarWidget | None = None  # built on first use: start-up builds many of these

    def value(self) -> date | PartialDate | None:
        return parse_partial_date(self.text()) if self.month_only else parse_date(self.text())

    def set_value(self, value: date | PartialDate | None) -> None:
        self.setText(value.isoformat() if value else "")

    def show_calendar(self) -> None:
        if self.isReadOnly() or not self.isEnabled():
            return
        if self.calendar is None:
            self.calendar = QCalendarWidget(self)
            self.calendar.setWindowFlags(Qt.WindowType.Popup)
            self.calendar.setGridVisible(True)
            self.calendar.setAccessibleName(f"{self.accessibleName() or 'Date'}: calendar")
            self.calendar.clicked.connect(self._picked)
            self.calendar.activated.connect(self._picked)
        try:
            current = self.value()
        except ParseError:
            current = None
        # a month-only date opens its month (on the 1st): the calendar picks a full date
        d = (current.earliest if isinstance(current, PartialDate) else current) or date.today()
        self.calendar.setSelectedDate(QDate(d.year, d.month, d.day))
        self.calendar.adjustSize()
        self.calendar.move(self.mapToGlobal(QPoint(0, self.height())))
        self.calendar.show()
        self.calendar.setFocus()

    def _picked(self, qd: QDate) -> None:
        # setText, not a silent set: the form hears textChanged like a typed date, and undo works
        self.selectAll()
        self.insert(date(qd.year(), qd.month(), qd.day()).isoformat())
        if self.calendar is not None:
            self.calendar.hide()
        self.setFocus()

    def keyPressEvent(self, event: Any) -> None:  # noqa: N802 - Qt override
        if event.key() == Qt.Key.Key_Down and event.modifiers() & Qt.KeyboardModifier.AltModifier:
            self.show_calendar()
            return
        super().keyPressEvent(event)


def tinted(label: QLabel, colour: str, weight: QFont.Weight | None = None) -> QLabel:
    """``label`` in ``colour`` (and ``weight``) through its palette and font, not a style sheet.

    A style sheet gives each widget its own style object, polished at the first show: the form's
    114 note and error lines cost about a sixth of building it, before anything is typed."""
    pal = label.palette()
    pal.setColor(QPalette.ColorRole.WindowText, QColor(colour))
    label.setPalette(pal)
    if weight is not None:
        font = label.font()
        font.setWeight(weight)
        label.setFont(font)
    return label


class FieldBox(QWidget):
    """One form input (or a row of them) with an inline error line below it.

    The error is shown as text, not only as a red border, so it reads without colour vision
    and is announced by screen readers via the tooltip and accessible description.
    """

    def __init__(self, *widgets: QWidget, stretch_last: bool = False, note: str | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(1)
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        for w in widgets:
            row.addWidget(w)
        self._row = row
        self._outer = outer
        self.widgets = list(widgets)
        # The note and the error line are built when first needed: most fields have no note, and
        # an error line is hidden until the user types something wrong (the form and the course
        # section hold about 140 of them, a tenth of the widgets built at start-up).
        self._note: QLabel | None = None
        self._error: QLabel | None = None
        if note:
            self.note.setText(note)
            self.note.setVisible(True)
        if not stretch_last:
            row.addStretch(1)
        outer.addLayout(row)
        self._tips = {id(w): w.toolTip() for w in widgets}

    @property
    def note(self) -> QLabel:
        """The grey note beside the inputs (hidden when empty)."""
        if self._note is None:
            self._note = tinted(QLabel(), "#555")
            self._note.setVisible(False)
            self._row.insertWidget(len(self.widgets), self._note)  # after the inputs, before any stretch
        return self._note

    @property
    def error(self) -> QLabel:
        """The error line under the inputs (hidden while there is no error)."""
        if self._error is None:
            self._error = tinted(QLabel(), "#b71c1c", QFont.Weight.DemiBold)
            self._error.setWordWrap(True)
            self._error.hide()
            self._outer.insertWidget(1, self._error)  # right under the row, above any prompt
        return self._error

    def set_error(self, message: str | None, target: QWidget | None = None) -> None:
        """Show or clear the error; ``target`` picks which of the row's widgets gets the border.

        A no-op when nothing changed: restyling a widget repolishes and repaints it, and this runs
        for every field on every keystroke."""
        state = (message, id(target) if target is not None else None)
        if state == getattr(self, "_error_state", (None, None)):
            return
        self._error_state = state
        targets = [target] if target is not None else self.widgets[:1]
        for w in self.widgets:
            bad = message is not None and w in targets
            w.setStyleSheet(ERROR_STYLE if bad else "")
            w.setToolTip(f"⚠ {message}" if bad else self._tips.get(id(w), ""))
            w.setAccessibleDescription(f"Error: {message}" if bad else "")
        if message:
            self.error.setText(f"⚠ {message}")
            self.error.show()
        elif self._error is not None:
            self._error.clear()
            self._error.hide()


class UnitPrompt(QFrame):
    """The inline, non-modal "did you mean …?" under a count whose unit looks wrong.

    It never changes anything by itself: the user either switches the unit (one click) or confirms
    the value as typed, and until then the model refuses the value, so it reaches no result."""

    use_suggested = Signal(str)
    confirm = Signal()

    def __init__(self, label: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._label = label
        self._suggested: str | None = None
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 2, 0, 2)
        self.use_button = QPushButton()
        self.keep_button = QPushButton()
        self.confirmed = tinted(QLabel(), "#555")
        self.confirmed.setAccessibleName(f"{label}: value confirmed")
        for w in (self.use_button, self.keep_button, self.confirmed):
            row.addWidget(w)
        row.addStretch(1)
        self.use_button.clicked.connect(lambda: self.use_suggested.emit(self._suggested or ""))
        self.keep_button.clicked.connect(self.confirm.emit)
        self.hide()

    def show_doubt(self, doubt: Any, confirmed: bool, unit_words: dict[str, str]) -> None:
        """``doubt`` is a ``count_units.UnitDoubt`` or None; ``confirmed``: the user kept this value."""
        if doubt is None:
            self.hide()
            return
        self._suggested = doubt.suggested
        keep = unit_words[doubt.unit]
        if confirmed and doubt.confirmable:
            self.use_button.hide()
            self.keep_button.hide()
            self.confirmed.setText(f"✔ {number_text(doubt.value)} {keep} confirmed as typed")
            self.confirmed.show()
        else:
            self.confirmed.hide()
            self.use_button.setVisible(doubt.suggested is not None)
            if doubt.suggested is not None:
                self.use_button.setText(f"Use {unit_words[doubt.suggested]}")
                self.use_button.setAccessibleName(f"{self._label}: use {unit_words[doubt.suggested]}")
            self.keep_button.setVisible(doubt.confirmable)
            self.keep_button.setText(f"Keep {keep} (confirmed)")
            self.keep_button.setAccessibleName(f"{self._label}: keep {keep}, value confirmed")
        self.show()


def connect_change(widget: QWidget, slot: Any) -> None:
    """Connect whichever 'user changed the value' signal the widget has."""
    if isinstance(widget, QComboBox):
        widget.currentIndexChanged.connect(lambda *_: slot())
    elif isinstance(widget, QLineEdit):
        widget.textChanged.connect(lambda *_: slot())
    elif hasattr(widget, "textChanged"):
        widget.textChanged.connect(lambda *_: slot())  # QPlainTextEdit
    elif hasattr(widget, "toggled"):
        widget.toggled.connect(lambda *_: slot())
