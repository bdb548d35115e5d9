"""Qt's own numbers for the few ``Qt``-namespace values set before the form is first painted.

The first time any member of PySide's ``Qt`` namespace is touched (``Qt.AlignmentFlag``, a
``QKeySequence`` made from anything, a getter that returns a ``Qt`` enum), PySide builds all of the
namespace's ~110 Python enum classes: about 40 ms of CPU, a fifth of a bare window's start-up, on the
path to the first field the user can type into. Set as Qt properties, these plain numbers reach the
same C++ setters without that cost. ``tests/ui/test_qt_numbers.py`` checks each against PySide's
enum, so a number here can never drift from Qt's.

Even ``from PySide6.QtCore import Qt`` builds it, so the modules the form needs import :data:`Qt`
from here: the same namespace, fetched from PySide on first use. Code that runs once the window is
ready (a calendar opened, a field focused) uses the enums as usual.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject

if TYPE_CHECKING:
    from PySide6.QtCore import Qt
else:
    class _LazyQt:
        """PySide's ``Qt`` namespace, looked up on the first attribute read rather than at import."""

        def __getattr__(self, name: str) -> Any:
            from PySide6 import QtCore

            return getattr(QtCore.Qt, name)

    Qt = _LazyQt()

ALIGN_RIGHT = 0x0002  # Qt.AlignmentFlag.AlignRight
ALIGN_CENTER = 0x0084  # Qt.AlignmentFlag.AlignCenter (AlignHCenter | AlignVCenter)
SCROLL_BAR_ALWAYS_OFF = 1  # Qt.ScrollBarPolicy.ScrollBarAlwaysOff
STRONG_FOCUS = 0x0B  # Qt.FocusPolicy.StrongFocus (TabFocus | ClickFocus | 0x8)


def set_enum_property(obj: QObject, name: str, value: int) -> None:
    """Set the Qt property ``name`` (an enum or flags property) to Qt's number ``value``.

    Raises ValueError if Qt refused it (no such property, or a number it does not accept), rather
    than leaving a silently unchanged widget."""
    if not obj.setProperty(name, value):
        raise ValueError(f"{type(obj).__name__} has no settable property {name!r}")
