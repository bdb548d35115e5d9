"""The window's side of the audit trail: what it records, when, and the warning for a broken trail.

The trail lives here while the consult is open, not in the form: the form yields the consult the
user typed, and the trail is attached only to what is saved or autosaved (:meth:`AuditHooks.attach`),
so an entry never makes the form's input differ and re-assessment never depends on it.

- **Opened.** Opening a consult (a file, a new one, a recovered autosave) appends "opened" in memory
  only. It reaches the file with the next save; an opened consult nobody touched is not marked
  modified because of it, and a file opened and closed untouched keeps its bytes.
- **Inputs changed.** One entry per field per edit session, never per keystroke: when the focus
  leaves a field of the form (and before any save, autosave or report), the consult as now valid is
  compared field by field with the consult as last recorded, and each changed field gets one entry
  with its path, the form's words for it, the old and the new value. An invalid input is recorded
  once it is valid. Nothing of it goes to a log: names and record numbers stay in the file.
- **Events** (a report printed; later overrides, imports, cycles): :meth:`AuditHooks.record`. They
  mark the consult modified, so the entry is saved or autosaved like an edit.
- **A broken trail** (:func:`ixdesk.core.audit.verify`) is shown in a bar at the top of the window,
  naming the first broken entry; it blocks nothing, and the consult is assessed as usual.

Pydantic and the core load after the first paint, so this module imports them only when needed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QApplication, QLabel, QSizePolicy, QToolBar, QWidget

if TYPE_CHECKING:
    from ixdesk.core.audit import AuditCheck, AuditTrail
    from ixdesk.core.consult import Consult
    from ixdesk.ui.main_window import MainWindow

OpenedFrom = Literal["file", "new", "autosave"]
# parts of the consult whose fields are compared one by one; lists by item; anything else whole
_SECTIONS = ("patient", "disease", "labs", "history", "plan", "attestations")
# not inputs of the form: the trail itself, the format version, and what has entries of its own kind
_NOT_INPUTS = {"audit", "schema_version", "overrides"}
# events that are news the file must get (recording them marks the consult modified)
_QUIET_KINDS = ("opened", "input_changed")


def consult_fields(consult: Consult) -> dict[str, Any]:
    """The consult as {field path: JSON value}: one entry per form field (``labs.neutrophils`` with
    its value and unit), per regimen (``regimens[1]``), and per other top-level part."""
    data = consult.model_dump(mode="json")
    out: dict[str, Any] = {}
    for key, value in data.items():
        if key in _NOT_INPUTS:
            continue
        if key in _SECTIONS and isinstance(value, dict):
            out.update({f"{key}.{k}": v for k, v in value.items()})
        elif key == "regimens" and isinstance(value, list):
            out.update({f"regimens[{i}]": r for i, r in enumerate(value)})
        else:
            out[key] = value
    return out


def changes(old: dict[str, Any], new: dict[str, Any]) -> list[dict[str, Any]]:
    """One detail per changed field, in the consult's order: path, the form's words, old, new."""
    from ixdesk.present.fields import field_words

    paths = list(old) + [p for p in new if p not in old]
    return [{"field": p, "label": field_words(p), "old": old.get(p), "new": new.get(p)}
            for p in paths if old.get(p) != new.get(p)]


def _user() -> str | None:
    from ixdesk.clinic_settings import clinic_user_name

    return clinic_user_name()


class AuditHooks(QObject):
    """The open consult's trail, its recording and its warning bar (one per window)."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.trail: AuditTrail | None = None
        self.check: AuditCheck | None = None  # the trail's state when the consult was opened
        self._recorded: dict[str, Any] | None = None  # field values as last recorded
        self.unsaved = False  # an event entry not yet saved (makes the window modified)
        self.bar: QToolBar | None = None
        self.bar_label: QLabel | None = None
        app = QApplication.instance()
        if isinstance(app, QApplication):
            app.focusChanged.connect(self._focus_changed)

    # --- the consult's life ---------------------------------------------------------------

    def begin(self, consult: Consult, source: OpenedFrom) -> None:
        """A consult is now in the window: take its trail, check it, append "opened" (in memory)."""
        from ixdesk.core.audit import verify

        import ixdesk

        self.trail = consult.audit
        self.check = verify(consult.audit)
        # compared later with what the form yields, so taken from the form's own reading of it
        shown = self.window.current_consult() if self.window._ready and not self.window.input_problems() else None
        self._recorded = consult_fields(shown if shown is not None else consult)
        self.unsaved = False
        self._show_check(self.check)
        self._append("opened", {"source": source, "ixdesk": ixdesk.__version__})

    def record(self, kind: str, detail: dict[str, Any]) -> None:
        """Append an event (``report_printed``, ``override``, ``acknowledge``, ``import``,
        ``cycle_recorded``) with the clinic's user name and the time; pending edits go first."""
        self.flush()
        self._append(kind, detail)
        if kind not in _QUIET_KINDS:
            self.unsaved = True
            self.window.setWindowModified(True)

    def flush(self) -> None:
        """Record each field changed since the last record, if the input is valid now."""
        w = self.window
        if not w._ready or w.form is None:
            return
        if w._timer.isActive():  # an edit not assessed yet
            w.reassess()
        consult = w.current_consult()
        if consult is None or w.input_problems():
            return  # recorded once valid: the trail holds values the consult could hold
        if self._recorded is None:  # typed before any consult was loaded (the core was loading)
            from ixdesk.core.consult import Consult

            self.begin(Consult(), "new")
        assert self._recorded is not None
        now = consult_fields(consult)
        for detail in changes(self._recorded, now):
            self._append("input_changed", detail)
        self._recorded = now

    def attach(self, consult: Consult) -> Consult:
        """The consult as it is saved or autosaved: with the trail."""
        return consult if self.trail is None else consult.model_copy(update={"audit": self.trail})

    def saved(self) -> None:
        self.unsaved = False

    def _append(self, kind: str, detail: dict[str, Any]) -> None:
        from ixdesk.core.audit import append_entry

        try:
            self.trail = append_entry(self.trail, kind, detail, _user())
        except ValueError as exc:  # a full trail: say so, never lose the consult over it
            self.window.statusBar().showMessage(f"Audit trail not extended: {exc}", 10_000)

    def _focus_changed(self, old: QWidget | None, new: QWidget | None) -> None:
        try:
            form = self.window.form
            inside = old is not None and form is not None and (old is form or form.isAncestorOf(old))
        except RuntimeError:  # the window is being destroyed (its widgets go first)
            return
        if inside:
            self.flush()

    # --- the warning bar ------------------------------------------------------------------

    def _show_check(self, check: AuditCheck) -> None:
        if check.ok:
            if self.bar is not None:
                self.bar.hide()
            return
        if self.bar is None:
            from PySide6.QtCore import Qt  # not at import: the window's first paint needs no Qt enums

            bar = QToolBar("Audit trail warning", self.window)
            bar.setObjectName("audit_warning")
            bar.setMovable(False)
            bar.setFloatable(False)
            label = QLabel()
            label.setWordWrap(True)
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            label.setStyleSheet("QLabel { background: #fff3cd; color: #5c3c00; padding: 4px 8px; }")
            label.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Maximum)
            label.setMaximumHeight(label.fontMetrics().lineSpacing() * 3 + 12)  # two or three lines, never a block
            bar.addWidget(label)
            bar.addAction("Dismiss", bar.hide)
            self.window.addToolBar(Qt.ToolBarArea.TopToolBarArea, bar)
            self.bar, self.bar_label = bar, label
        assert self.bar_label is not None
        self.bar_label.setText(
            f"⚠ This consult's audit trail was changed outside IxDesk: {check.message}. The consult is "
            "assessed as usual; new entries follow the break, which stays visible ('ixdesk audit FILE' lists the trail).")
        self.bar_label.setAccessibleName("Audit trail warning")
        self.bar.show()
