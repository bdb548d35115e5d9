"""The IxDesk main window: consult form on the left, live assessment on the right, files that are never lost.

Flow on every edit: the form yields plain data, the pydantic ``Consult`` validates it, and only a
valid consult reaches ``assess()``. Invalid input is marked at its field; the panel then names the
invalid fields and shows no result (none computed from an earlier keystroke). The window holds no
clinical logic.
"""

from __future__ import annotations

import os
import re
import threading
from datetime import date
from functools import partial
from pathlib import Path
from typing import Any, Callable

from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray, QCoreApplication, QEvent, QObject, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import QApplication, QLabel, QMainWindow, QMenu, QSplitter, QWidget

import ixdesk
from ixdesk.ui.qt_numbers import ALIGN_CENTER, set_enum_property
from ixdesk.ui.settings import add_recent, make_settings, recent_files, remove_recent

AUTOSAVE_MS = 30_000
# consult files have their own type (*.ixdesk.json, registered by the desktop install); Open still
# shows plain .json, which older IxDesk versions and the examples use
SAVE_FILTER = "IxDesk consult (*.ixdesk.json);;All files (*)"
OPEN_FILTER = "IxDesk consult (*.ixdesk.json *.json);;All files (*)"
FILE_FILTER = OPEN_FILTER  # the name older code used
CONSULT_SUFFIX = ".ixdesk.json"
_UNSAFE_IN_NAME = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|]+')
_EXTENSION = re.compile(r"\.[A-Za-z0-9]{1,8}")


def suggested_file_name(patient_name: str | None) -> str:
    """'<patient>.ixdesk.json' (characters no file system takes replaced), else 'consult.ixdesk.json'."""
    name = _UNSAFE_IN_NAME.sub("-", patient_name or "").strip(" .-")
    name = re.sub(r"\s+", " ", name)[:80].strip(" .-")
    return (name or "consult") + CONSULT_SUFFIX


def with_consult_suffix(path: str) -> str:
    """The path as typed, plus '.ixdesk.json' when the name has no extension ('Doe' or 'J. Doe')."""
    if _EXTENSION.fullmatch(Path(path).suffix):
        return path
    return path + CONSULT_SUFFIX

if TYPE_CHECKING:
    from ixdesk.core.assessment import Assessment
    from ixdesk.core.autosave_slots import Slot
    from ixdesk.core.consult import Consult
    from ixdesk.core.criteria import Criteria
    from ixdesk.core.files import Problem
    from ixdesk.ui.form import ConsultForm
    from ixdesk.ui.panel import AssessmentPanel

# pydantic, the criteria and the engine take a few times longer to import and load than Qt
# itself, and the form's ~60 inputs take as long to build as a bare window takes to open. So the
# first paint shows the frame, menus and a "Loading…" line; on the next event-loop pass the form and
# the panel (Qt only) are built and can be typed into, while a worker thread imports pydantic and
# the engine and loads the criteria (pure Python, no Qt); when it is done the main thread finishes
# (ensure_ready) and assesses whatever has been typed. Anything that needs the core earlier (open,
# recovery, a test) calls ensure_ready, which waits for the worker.


def is_bundled(path: str | os.PathLike[str]) -> bool:
    """True for a path inside IxDesk's own bundled folders (examples, resources, criteria): a Save
    never goes there by default, and they are never remembered as the user's folder."""
    from ixdesk.paths import criteria_dir, resources_dir

    p = Path(os.path.realpath(path))
    for get in (resources_dir, criteria_dir):
        try:
            folder = Path(os.path.realpath(get()))
        except FileNotFoundError:
            continue
        if p == folder or folder in p.parents:
            return True
    return False


def _take_slot() -> "Slot | None":
    """This window's own autosave slot, locked while it lives (None if the data folder is unusable:
    the window works, and each autosave then reports that it failed)."""
    from ixdesk.core import autosave_slots

    try:
        return autosave_slots.acquire_slot(autosave_slots.autosave_dir())
    except OSError:
        return None


def _discard(slot: "Slot", keep_folder: bool) -> None:
    """Remove a claimed autosave (declined, unreadable or moved); the autosave folder itself stays."""
    slot.clear()
    if keep_folder:
        slot.abandon()
    else:
        slot.release(remove=True)


def _default_assess(consult: "Consult", criteria: "Criteria") -> "Assessment":
    from ixdesk.core.engine import assess

    return assess(consult, criteria)


def _default_criteria() -> "Criteria":
    from ixdesk.core.criteria import default_criteria

    return default_criteria()


WORKER_FALLBACK_MS = 300  # the core-loading worker starts at the latest this long after the form is built
# a second worker loads what a first print needs (reportlab, the fonts) this long after the core is
# ready: a process's first export otherwise waits most of a second for them (bench/bench_ui.py)
REPORTS_WARM_UP_MS = 1000


def _warm_up_reports() -> None:
    """Worker: import reportlab and register the fonts ahead of the first print; no Qt here."""
    try:
        from ixdesk.reports import warm_up

        warm_up()
    except Exception:  # noqa: BLE001 - the print itself reports what is wrong, in a message box
        pass


class _AfterFirstPaint(QObject):
    """Calls ``fn`` from the event loop once ``widget`` has painted for the first time."""

    def __init__(self, widget: QWidget, fn: Callable[[], Any]) -> None:
        super().__init__(widget)
        self._fn: Callable[[], Any] | None = fn
        widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt API)
        if event.type() == QEvent.Type.Paint and self._fn is not None:
            fn, self._fn = self._fn, None
            watched.removeEventFilter(self)
            QTimer.singleShot(0, fn)  # after this paint has finished
        return False


class MainWindow(QMainWindow):
    """One consult per window."""

    # an ixdesk.core.overrides.OverrideEvent, after an override was recorded, replaced or withdrawn
    # and applied to the consult: the audit trail's hook
    override_recorded = Signal(object)

    def __init__(self, criteria_loader: Callable[[], "Criteria"] = _default_criteria,
                 assess_fn: Callable[["Consult", "Criteria"], "Assessment"] = _default_assess,
                 autosave_ms: int = AUTOSAVE_MS, report_opener: Callable[[Any], bool] | None = None,
                 slot: "Slot | None" = None) -> None:
        super().__init__()
        # this window's autosave slot (app.py takes it at start-up; otherwise taken here)
        self.slot: Slot | None = slot if slot is not None else _take_slot()
        self._report_opener = report_opener  # how "Open after export" opens a PDF (tests inject one)
        self.settings = make_settings()
        self._assess_fn = assess_fn
        self._criteria_loader = criteria_loader
        self._ready = False  # the core is loaded and the form holds a consult
        self._body_built = False
        self._loader: threading.Thread | None = None
        self._reports_warm_up: threading.Thread | None = None  # see REPORTS_WARM_UP_MS
        self._loaded: tuple[Criteria | None, str | None] | None = None  # set by the worker
        self._blank: Any = None  # the form's snapshot before anyone typed
        self._poll: QTimer | None = None
        self._first_paint: _AfterFirstPaint | None = None  # starts the worker once the form has painted
        self._when_ready: list[Callable[[], Any]] = []
        self.criteria: Criteria | None = None
        self.criteria_error: str | None = None

        self.path: str | None = None
        self._consult: Consult | None = None  # last valid
        self._assessment: Assessment | None = None  # for the last valid consult
        self._problems: list[Problem] = []
        self._baseline: Any = None
        self._loading = False

        self.form: ConsultForm = None  # type: ignore[assignment]  # built by ensure_ready
        self.panel: AssessmentPanel = None  # type: ignore[assignment]
        # No ``Qt`` before the first paint: PySide builds all of the Qt namespace's Python enum
        # classes (~110, about 40 ms of CPU) on its first use, and the frame needs none of them
        self.splitter = QSplitter()  # Qt.Orientation.Horizontal, QSplitter's default
        for text in ("Loading the consult form…", "Loading criteria…"):
            placeholder = QLabel(text)
            set_enum_property(placeholder, "alignment", ALIGN_CENTER)
            self.splitter.addWidget(placeholder)
        self.splitter.setStretchFactor(0, 5)
        self.splitter.setStretchFactor(1, 6)
        self.splitter.setChildrenCollapsible(False)
        self.setCentralWidget(self.splitter)
        self.status_label = QLabel()
        self.statusBar().addPermanentWidget(self.status_label)

        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self.reassess)

        self.autosave_timer = QTimer(self)
        self.autosave_timer.setInterval(autosave_ms)
        self.autosave_timer.timeout.connect(self.autosave_now)
        self.autosave_timer.start()

        self._build_menus()
        from ixdesk.ui.audit_hooks import AuditHooks

        self.audit = AuditHooks(self)  # the open consult's audit trail (ixdesk/ui/audit_hooks.py)
        self.override_recorded.connect(self._audit_override)
        self.resize(1280, 800)
        geom = self.settings.value("geometry", QByteArray())
        if isinstance(geom, QByteArray) and not geom.isEmpty():
            self.restoreGeometry(geom)
        state = self.settings.value("splitter", QByteArray())
        if isinstance(state, QByteArray) and not state.isEmpty():
            self.splitter.restoreState(state)
        else:
            self.splitter.setSizes([560, 720])
        self._update_title()
        QTimer.singleShot(0, self._start_loading)

    def _start_loading(self) -> None:
        """Right after the first paint: the form (typeable at once), then, in a worker, the core.

        The worker holds the GIL for most of its imports and the criteria load, so started now it
        would halve the UI thread's share while the form is laid out and painted for the first
        time: it starts once the form has painted (or after ``WORKER_FALLBACK_MS`` if it never
        does, e.g. a window not shown)."""
        if self._ready or self._loader is not None:
            return
        # What the first show posted is delivered before the form is built: QMainWindow's layout moves
        # its central widget through a zero-length animation, whose events go to Qt's animation
        # timer, a class PySide does not export. Seen by the wheel guard's application-wide filter
        # (ixdesk.ui.inputs.WheelGuard, installed on the next pass), wrapping it would make PySide
        # resolve every lazily loaded class and build ~110 Python enum classes (50-70 ms of CPU).
        # It still happens once, later, when the assessment side's first text box sends an event to
        # Qt's gesture manager (another such class), off the ready-to-type path.
        QCoreApplication.sendPostedEvents()
        self._ensure_form()
        self._first_paint = _AfterFirstPaint(self.form, self._start_worker)
        # the assessment side (verdict, plans, detail) says "Loading criteria…" until the core has
        # loaded, as its placeholder does: it is built on the next pass, after the form is on screen
        QTimer.singleShot(0, self._ensure_body)
        QTimer.singleShot(WORKER_FALLBACK_MS, self._start_worker)

    def _start_worker(self) -> None:
        if self._ready or self._loader is not None:
            return  # started already, or the core was loaded on this thread meanwhile
        self._loader = threading.Thread(target=self._load_core, name="ixdesk-core-loader", daemon=True)
        self._loader.start()
        self._poll = QTimer(self)
        self._poll.setInterval(15)
        self._poll.timeout.connect(self._check_loaded)
        self._poll.start()

    def _load_core(self) -> None:
        """Worker (or main thread when nothing was started): imports and criteria; no Qt here."""
        crit: Criteria | None = None
        err: str | None = None
        try:
            import ixdesk.core.engine  # pydantic and the engine, imported off the UI thread
            import ixdesk.core.files  # noqa: F401
            from ixdesk.core.criteria import CriteriaError

            try:
                crit = self._criteria_loader()
            except CriteriaError as exc:
                err = str(exc)
            from ixdesk.core.model_build import build_models

            build_models()  # here, not on the UI thread at the first consult shown (defer_build)
        except Exception as exc:  # noqa: BLE001 - any failure to load rules means no results
            crit, err = None, f"{type(exc).__name__}: {exc}"
        self._loaded = (crit, err)

    def _check_loaded(self) -> None:
        if self._loaded is not None or (self._loader is not None and not self._loader.is_alive()):
            self.ensure_ready()  # loads on this thread if the worker died without a result

    def call_when_ready(self, fn: Callable[[], Any]) -> None:
        """Run ``fn`` once the core is loaded (now, if it is and nothing else is waiting)."""
        if self._ready and not self._when_ready:
            fn()
        else:
            self._when_ready.append(fn)

    def ensure_ready(self) -> None:
        """Finish loading (waiting for the worker, or loading here if none ran) and show a consult:
        an empty one, or what was typed while the core loaded. Runs once."""
        if self._ready:
            return
        self._ready = True
        self._ensure_body()
        if self._loader is not None:
            self._loader.join()
        if self._loaded is None:
            self._load_core()
        if self._poll is not None:
            self._poll.stop()
        from ixdesk.core.consult import Consult

        assert self._loaded is not None
        self.criteria, self.criteria_error = self._loaded
        if self.criteria is not None:
            self.form.set_criteria(self.criteria)
            self.panel.show_criteria_notice(self.criteria.notice, self.criteria.sha256)
        if self.criteria_error:
            self.panel.show_criteria_error(self.criteria_error)
            self.reports.update_enabled()
        if self.form.snapshot() != self._blank:
            # typed while the core loaded: keep every keystroke, date the consult, assess it
            self.form.set_if_empty("consult_date", date.today())
            self._baseline = None
            self.reassess()
            self.setWindowModified(True)
        else:
            # not new_consult(): that clears the autosave slot before recovery could be offered
            self.load_consult_into_form(Consult(consult_date=date.today()), None)
        # the criteria, pydantic's schemas and Qt's wrappers live as long as the window: move them out
        # of the collector's view so its full passes (every few hundred edits) stay short
        import gc

        gc.collect()
        gc.freeze()
        QTimer.singleShot(REPORTS_WARM_UP_MS, self._start_reports_warm_up)
        if self._when_ready:
            # from the event loop, not from inside whatever needed the core (a close, a save)
            QTimer.singleShot(0, self._run_when_ready)

    def _start_reports_warm_up(self) -> None:
        if self._reports_warm_up is None and self.isVisible():
            self._reports_warm_up = threading.Thread(target=_warm_up_reports, name="ixdesk-reports-warm-up", daemon=True)
            self._reports_warm_up.start()

    def wait_for_reports_warm_up(self) -> None:
        """A print waits for a warm-up under way (at most what it would spend loading the same
        modules itself) instead of importing reportlab and registering fonts beside it."""
        if self._reports_warm_up is not None:
            self._reports_warm_up.join()

    def _run_when_ready(self) -> None:
        """Run what waited for the core (autosave recovery, the file argument), once, in order."""
        if not self._ready or not self.isVisible():
            return  # closed before: the autosave is kept for the next start (see closeEvent)
        pending, self._when_ready = self._when_ready, []
        for fn in pending:
            fn()

    def _ensure_form(self) -> None:
        """The form, first: what the user types into (the assessment side follows, ``_ensure_body``)."""
        if self.form is None:
            self._build_form()
            self._blank = self.form.snapshot()

    def _ensure_body(self) -> None:
        """The form and the assessment side: everything but what the core loads."""
        if not self._body_built:
            self._ensure_form()
            self._body_built = True
            self.form.build_deferred()
            self._build_body()

    def _build_form(self) -> None:
        from ixdesk.ui.form import ConsultForm

        sizes = self.splitter.sizes()
        self.form = ConsultForm(None, wheel_filter_next_pass=True)  # ready to type sooner (guard_wheel)
        old = self.splitter.replaceWidget(0, self.form)
        if old is not None:
            old.deleteLater()
        if sum(sizes) > 0:
            self.splitter.setSizes(sizes)
        self.form.changed.connect(self._timer.start)
        # the course section is built on first use (ixdesk.ui.form.ConsultForm.course)
        self.form.when_course_built(
            lambda course: course.print_button.clicked.connect(lambda *_: self.reports.export(("cycle",))))

    def _build_body(self) -> None:
        from PySide6.QtWidgets import QVBoxLayout, QWidget

        from ixdesk.ui.panel import AssessmentPanel
        from ixdesk.ui.plan_compare import PlanCompare
        from ixdesk.ui.verdict import VerdictHeader

        sizes = self.splitter.sizes()
        self.panel = AssessmentPanel()
        self.panel.show_loading()
        # the assessment side: the verdict first, the plans side by side, then the detail (the panel)
        self.verdict = VerdictHeader()
        self.plan_compare = PlanCompare()
        self.panel.headline_shown = False  # the verdict header says it, first
        side = QWidget()
        side.setAccessibleName("Assessment")
        col = QVBoxLayout(side)
        col.setContentsMargins(4, 4, 4, 0)
        col.setSpacing(6)
        col.addWidget(self.verdict)
        col.addWidget(self.plan_compare)
        col.addWidget(self.panel, 1)
        self.assessment_side = side
        show_compare = str(self.settings.value("compare_plans", "true")).lower() != "false"
        self.verdict.compare_button.setChecked(show_compare)
        self.plan_compare.setVisible(show_compare)
        self.verdict.compare_toggled.connect(self._toggle_compare)
        self.verdict.field_requested.connect(self.focus_field)
        self.verdict.finding_requested.connect(self.select_finding)
        self._compare_timer = QTimer(self)
        self._compare_timer.setSingleShot(True)
        self._compare_timer.setInterval(120)  # after the verdict and the panel, once typing pauses
        self._compare_timer.timeout.connect(self._update_compare)
        old = self.splitter.replaceWidget(1, side)
        if old is not None:
            old.deleteLater()
        if sum(sizes) > 0:
            self.splitter.setSizes(sizes)
        self.panel.field_requested.connect(self.focus_field)
        self.panel.override_requested.connect(self.override_finding)
        self.panel.override_withdraw_requested.connect(self.withdraw_override)

    # --- verdict and plan comparison --------------------------------------------------------

    def _show_verdict(self) -> None:
        """The header for the current assessment, or a line saying why there is none."""
        a = self.current_assessment()
        if a is None:
            if self.criteria is None:
                self.verdict.show_message("No verdict: the criteria could not be loaded.", "bad")
            elif self._problems:
                self.verdict.show_message("No verdict while a field is invalid: correct it (see below).", "caution")
            else:
                self.verdict.show_message("No verdict: the assessment failed (see below).", "bad")
            self.plan_compare.clear()
            return
        from ixdesk.present.verdict import build_verdict

        try:
            self.verdict.show_verdict(build_verdict(a, self._consult, self.criteria, self.form.course_policy()))
        except Exception as exc:  # noqa: BLE001 - a presentation bug must not take the window down
            self.verdict.show_message(f"The verdict could not be built: {type(exc).__name__}: {exc}", "bad")
        if not self.verdict.compare_button.isChecked():
            return
        if self._loading:
            self._update_compare()  # an opened consult shows its comparison at once
        else:
            # while typing: recomputed when typing pauses; meanwhile it is greyed, being for an earlier input
            self.plan_compare.setEnabled(False)
            self._compare_timer.start()

    def _update_compare(self) -> None:
        a, consult = self.current_assessment(), self._consult
        if a is None or consult is None or not self.verdict.compare_button.isChecked():
            return
        from ixdesk.present.plans import compare_plans

        try:
            self.plan_compare.show_columns(compare_plans(consult, self.criteria, a, self.form.course_policy()))
        except Exception:  # noqa: BLE001 - the comparison is an extra: never lose the window over it
            self.plan_compare.clear()
        self.plan_compare.setEnabled(True)

    def _toggle_compare(self, on: bool) -> None:
        self.plan_compare.setVisible(on)
        self.settings.setValue("compare_plans", "true" if on else "false")
        if on:
            self._update_compare()

    def select_finding(self, finding_id: str) -> None:
        """Select a rule's row in the detail list (from a link in the verdict) and show its basis."""
        from PySide6.QtCore import Qt

        item = self.panel.item_for_finding(finding_id)
        if item is None:
            for it in self.panel.find_items(""):
                key = it.data(0, Qt.ItemDataRole.UserRole + 1)
                if isinstance(key, str) and key.endswith(f"finding:{finding_id}"):
                    item = it
                    break
        if item is not None:
            self.panel.tree.setCurrentItem(item)
            self.panel.tree.scrollToItem(item)

    # --- menus ------------------------------------------------------------------------------

    def _action(self, menu: QMenu, text: str, slot: Callable[[], Any],
                shortcut: QKeySequence.StandardKey | None = None) -> QAction:
        act = QAction(text, self)
        if shortcut is not None:
            # the platform's bindings for the standard key, set as a list: QKeySequence's constructor,
            # given anything, builds all of PySide's Qt-namespace enum classes (~40 ms of CPU) on the
            # way to the first field one can type into (ixdesk/ui/qt_numbers.py)
            act.setShortcuts(shortcut)
        act.triggered.connect(lambda *_: slot())
        menu.addAction(act)
        return act

    def _build_menus(self) -> None:
        bar = self.menuBar()
        m = bar.addMenu("&File")
        self.menu_file = m
        SK = QKeySequence.StandardKey
        self.act_new = self._action(m, "&New consult", self.new_consult, SK.New)
        self.act_open = self._action(m, "&Open…", self.open_dialog, SK.Open)
        self.menu_recent = m.addMenu("Open &recent")
        self._rebuild_recent()
        self.act_import_fhir = self._action(m, "&Import from FHIR…", self.import_fhir)
        m.addSeparator()
        self.act_save = self._action(m, "&Save", self.save, SK.Save)
        self.act_save_as = self._action(m, "Save &as…", self.save_as, SK.SaveAs)
        m.addSeparator()
        self.act_quit = self._action(m, "&Quit", self.close, SK.Quit)
        if self.act_quit.shortcut().isEmpty():  # Ctrl+Q where the platform has none
            self.act_quit.setShortcuts(QKeySequence.listFromString("Ctrl+Q"))
        e = bar.addMenu("&Edit")
        self.menu_edit = e
        # The focused field keeps its own shortcuts (a line edit claims Ctrl+Z before the window does);
        # the menu makes them discoverable and reachable with the mouse.
        for text, method, key in (("&Undo", "undo", SK.Undo), ("&Redo", "redo", SK.Redo), (None, None, None),
                                  ("Cu&t", "cut", SK.Cut), ("&Copy", "copy", SK.Copy), ("&Paste", "paste", SK.Paste),
                                  ("Select &all", "selectAll", SK.SelectAll)):
            if text is None or method is None:
                e.addSeparator()
                continue
            self._action(e, text, partial(self._edit_focused, method), key)
        self.menu_reports = bar.addMenu("&Reports")
        from ixdesk.ui.reports_menu import ReportsMenu

        self.reports = ReportsMenu(self, self.menu_reports, **({"opener": self._report_opener}
                                                               if self._report_opener else {}))
        h = bar.addMenu("&Help")
        self._action(h, "&About IxDesk", self.about)

    def _edit_focused(self, method: str) -> None:
        w = QApplication.focusWidget()
        fn = getattr(w, method, None)
        if callable(fn):
            fn()

    def _rebuild_recent(self) -> None:
        self.menu_recent.clear()
        items = recent_files(self.settings)
        for p in items:
            act = self.menu_recent.addAction(p)
            act.triggered.connect(lambda *_, p=p: self.open_path(p, ask=True))
        self.menu_recent.setEnabled(bool(items))

    # --- public API for reports and the CLI -------------------------------------------------

    def current_consult(self) -> Consult | None:
        """The last valid consult (None when nothing valid has been entered yet)."""
        return self._consult

    def current_assessment(self) -> Assessment | None:
        """The assessment of the current input, or None if the input is invalid or criteria failed."""
        return self._assessment if not self._problems and self.criteria is not None else None

    def input_problems(self) -> list[Problem]:
        return list(self._problems)

    # --- assessment -------------------------------------------------------------------------

    def reassess(self) -> None:
        """Validate the form and, if valid, assess; never raises."""
        self._timer.stop()
        if not self._ready:
            # ensure_ready assesses what was typed once the core is loaded; until then the marker
            # alone tells that there is input to keep (maybe_save, close and open rely on it)
            self.setWindowModified(self.form is not None and self.form.snapshot() != self._blank)
            return
        from pydantic import ValidationError

        from ixdesk.core.consult import Consult
        from ixdesk.core.files import Problem, describe_validation_error

        data, problems = self.form.collect()
        consult: Consult | None = None
        if not problems:
            try:
                consult = self.form.provenance.attach(Consult.model_validate(data))  # imported values' sources
            except ValidationError as exc:
                problems = describe_validation_error(exc)
            except Exception as exc:  # noqa: BLE001 - never crash on input
                problems = [Problem("", f"cannot read the input: {exc}")]
        self._problems = problems
        unplaced = self.form.mark_errors(problems)
        if consult is not None and consult == self._consult and self._assessment is not None:
            self.panel.set_stale(None)  # e.g. an edit that was undone: same input, same results
        elif consult is not None:
            self._consult = consult
            if self.criteria is not None:
                try:
                    self._assessment = self._assess_fn(consult, self.criteria)
                except Exception as exc:  # noqa: BLE001 - engine bug: say so, show nothing stale
                    self._assessment = None
                    self.panel.show_criteria_error(f"The assessment failed: {type(exc).__name__}: {exc}")
                else:
                    self.panel.show_assessment(self._assessment, self.criteria, consult.overrides, consult,
                                               self.form.course_policy())
                    self.panel.set_stale(None)
        elif self.criteria is not None:
            msgs = [self.form.describe_problem(p) for p in problems]  # the field in the form's words
            self.panel.set_stale(msgs, [p.field for p in problems])
            self.form.course.set_stale()
        if consult is not None and self._assessment is not None:  # the next cycle, from the same consult
            self.form.course.show_result(consult, self.criteria, self._assessment)
        self._show_verdict()
        self._update_modified()
        n = len(problems)
        self.status_label.setText(f"⚠ {n} input problem(s)" if n else "")
        if unplaced:
            self.statusBar().showMessage("; ".join(self.form.describe_problem(p) for p in unplaced), 10_000)
        self.reports.update_enabled()

    # --- overrides ----------------------------------------------------------------------------

    def override_finding(self, finding_id: str) -> bool:
        """Ask for an override (or acknowledgement) of one finding and record it in the consult; the
        computed result is unchanged. True if one was recorded (then ``override_recorded`` fired)."""
        from PySide6.QtWidgets import QMessageBox

        self.ensure_ready()
        self.reassess()
        a, consult = self.current_assessment(), self._consult
        if a is None or consult is None:
            self.statusBar().showMessage("Correct the input first: an override needs a current result", 8000)
            return False
        from ixdesk.clinic_settings import clinic_user_name
        from ixdesk.core.overrides import OverrideRefused, ReasonCodesError, load_reason_codes, record_override
        from ixdesk.present.findings import finding_view
        from ixdesk.ui.override_dialog import ask_override

        try:
            f = a.finding(finding_id)
            reasons = load_reason_codes()
        except KeyError:
            return False
        except ReasonCodesError as exc:
            QMessageBox.warning(self, "Override reasons unreadable", f"No override can be recorded: {exc}")
            return False
        view = finding_view(f, self.criteria, {x.id: x.title for x in a.findings})
        existing = next((o for o in consult.overrides if o.finding_id == finding_id), None)
        o = ask_override(self, view, reasons, clinic_user_name(), existing)
        if o is None:
            return False
        try:
            new, event = record_override(consult, o, a, reasons)
        except OverrideRefused as exc:
            QMessageBox.warning(self, "Override not recorded", str(exc))
            return False
        self.form.set_held("overrides", new.overrides)
        self.reassess()
        self.override_recorded.emit(event)
        return True

    def _audit_override(self, event: object) -> None:
        """An override, acknowledgement or withdrawal goes into the trail (CDS Hooks feedback terms)."""
        from ixdesk.core.overrides import OverrideEvent

        if not isinstance(event, OverrideEvent):
            return
        o = event.override
        kind = "acknowledge" if o.kind == "acknowledged" else "override"
        self.audit.record(kind, {
            "action": event.action, "finding_id": o.finding_id, "finding_title": o.finding_title,
            "overrideReason": o.reason.model_dump(mode="json"), "userComment": o.comment,
            "computed": o.computed_state_at_the_time, "confirmed_twice": o.confirmed_twice})

    def withdraw_override(self, finding_id: str, ask: bool = True) -> bool:
        """Remove the override of one finding (the computed result was never changed by it)."""
        from PySide6.QtWidgets import QMessageBox

        consult = self._consult
        if consult is None:
            return False
        from ixdesk.core.overrides import withdraw_override

        done = withdraw_override(consult, finding_id)
        if done is None:
            return False
        new, event = done
        if ask and QMessageBox.question(
                self, "Withdraw the override?",
                f"Withdraw the override of “{event.override.finding_title}” by {event.override.user}?") \
                != QMessageBox.StandardButton.Yes:
            return False
        self.form.set_held("overrides", new.overrides)
        self.reassess()
        self.override_recorded.emit(event)
        return True

    def focus_field(self, path: str) -> None:
        if not self.form.focus_field(path):
            self.statusBar().showMessage(f"No field on the form for {path}", 5000)

    # --- modified state and title -----------------------------------------------------------

    def _update_modified(self) -> None:
        if self._loading:
            return
        self.setWindowModified(self.form.snapshot() != self._baseline or self.audit.unsaved)

    def _set_baseline(self) -> None:
        self._baseline = self.form.snapshot()
        self.setWindowModified(False)

    def _update_title(self) -> None:
        name = Path(self.path).name if self.path else "Untitled consult"
        notice = f" ({self.criteria.notice})" if self.criteria is not None and self.criteria.notice else ""
        self.setWindowTitle(f"{name}[*] — IxDesk{notice}")
        self.setWindowFilePath(self.path or "")

    # --- files ------------------------------------------------------------------------------

    def maybe_save(self) -> bool:
        """Ask about unsaved changes; True if it is fine to continue (saved or discarded)."""
        from PySide6.QtWidgets import QMessageBox

        self.ensure_ready()  # input typed while the core loaded is assessed and marked modified
        if not self.isWindowModified():
            return True
        box = QMessageBox(self)
        box.setIcon(QMessageBox.Icon.Warning)
        box.setWindowTitle("Unsaved changes")
        box.setText("The consult has unsaved changes.")
        box.setInformativeText("Save them before continuing?")
        box.setStandardButtons(QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Discard
                               | QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(QMessageBox.StandardButton.Save)
        answer = box.exec()
        if answer == QMessageBox.StandardButton.Save:
            return self.save()
        if answer == QMessageBox.StandardButton.Discard:
            self._clear_own_autosave()  # discarded edits are never offered for recovery
            return True
        return False

    def new_consult(self, ask: bool = True) -> None:
        self.ensure_ready()
        if ask and not self.maybe_save():
            return
        from ixdesk.core.consult import Consult

        self.load_consult_into_form(Consult(consult_date=date.today()), None)
        self._clear_own_autosave()

    def load_consult_into_form(self, consult: Consult, path: str | None, modified: bool = False,
                               new_trail: bool = True) -> None:
        """Show ``consult``. ``new_trail=False`` (an import into the open consult) keeps the open
        consult's audit trail and its recorded values, so what changed is recorded as changed."""
        self.ensure_ready()  # a no-op when called from ensure_ready itself
        # what the form held is saved, discarded or being replaced: its autosave must not come back
        # (a recovered consult is written to the slot again right after this)
        self._clear_own_autosave()
        self._loading = True
        try:
            self.path = path
            self._consult = None
            self._assessment = None
            self.form.load(consult)
            self.reassess()
        finally:
            self._loading = False
        self._set_baseline()
        if modified:
            self._baseline = None
            self.setWindowModified(True)
        self._update_title()
        if new_trail:
            self.audit.begin(consult, "autosave" if modified else "file" if path else "new")

    def open_dialog(self) -> None:
        from PySide6.QtWidgets import QFileDialog

        self.ensure_ready()
        self._run_when_ready()  # a pending recovery question comes before the file dialog
        if not self.maybe_save():
            return
        path, _ = QFileDialog.getOpenFileName(self, "Open consult", self.start_folder(), OPEN_FILTER)
        if path:
            self.open_path(path, ask=False)

    def import_fhir(self) -> None:
        from ixdesk.ui.fhir_import import import_dialog

        import_dialog(self)

    def open_path(self, path: str, ask: bool = True) -> bool:
        """Open a consult file; a corrupt or newer file is refused with its problems, never touched."""
        self.ensure_ready()
        if ask and not self.maybe_save():
            return False
        from ixdesk.core.files import ConsultFileError, load_consult

        try:
            consult = load_consult(path)
        except ConsultFileError as exc:
            self._show_file_error(path, exc.problems)
            if any("not found" in p.message for p in exc.problems):
                remove_recent(self.settings, path)
                self._rebuild_recent()
            return False
        self.load_consult_into_form(consult, os.path.abspath(path))
        self._remember(path)
        return True

    def _show_file_error(self, path: str, problems: list[Problem]) -> None:
        # each field in the form's words ("Regimen 3, last dose date: …"), never "regimens[2].last_dose_date"
        import html
        from PySide6.QtWidgets import QMessageBox

        words = self.form.describe_problem if self.form is not None else str
        items = "".join(f"<li>{html.escape(words(p))}</li>" for p in problems[:20])
        more = f"<p>… and {len(problems) - 20} more.</p>" if len(problems) > 20 else ""
        QMessageBox.critical(self, "Cannot open consult",
                             f"<p><b>{html.escape(path)}</b> was not opened:</p><ul>{items}</ul>{more}"
                             "<p>The file was not changed.</p>")

    def _remember(self, path: str) -> None:
        if not is_bundled(path):  # an opened example must not make the examples folder the Save default
            self.settings.setValue("last_folder", str(Path(path).resolve().parent))
        add_recent(self.settings, os.path.abspath(path))
        self._rebuild_recent()

    def start_folder(self) -> str:
        """Where the Open and Save dialogs start: the last folder the user used, else the documents
        folder, else home; never a bundled folder (an older version remembered the examples)."""
        from PySide6.QtCore import QStandardPaths

        last = str(self.settings.value("last_folder", "") or "")
        if last and os.path.isdir(last) and not is_bundled(last):
            return last
        docs = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
        if docs and os.path.isdir(docs) and not is_bundled(docs):
            return docs
        return str(Path.home())

    def save(self) -> bool:
        self.ensure_ready()
        if self.path is None or is_bundled(self.path):
            return self.save_as()  # a bundled example is never overwritten by a plain Save
        return self._save_to(self.path)

    def save_as(self) -> bool:
        from PySide6.QtWidgets import QFileDialog

        self.ensure_ready()
        if self.path and not is_bundled(self.path):
            name = Path(self.path).name  # Save as… of a file of the user's: start from its name
        else:
            consult = self._consult
            name = suggested_file_name(consult.patient.name if consult is not None else None)
        suggested = str(Path(self.start_folder()) / name)
        path, _ = QFileDialog.getSaveFileName(self, "Save consult as", suggested, SAVE_FILTER)
        if not path:
            return False
        return self._save_to(with_consult_suffix(path))

    def _save_to(self, path: str) -> bool:
        from PySide6.QtWidgets import QMessageBox

        from ixdesk.core.files import save_consult

        self.reassess()
        if self._problems or self._consult is None:
            listed = "".join(f"\n• {self.form.describe_problem(p)}" for p in self._problems[:10])
            QMessageBox.warning(self, "Cannot save yet",
                                "Some fields have problems (marked in red). Correct them before saving; "
                                "your input is kept and autosaved as of the last valid state." + listed)
            return False
        self.audit.flush()
        try:
            save_consult(self.audit.attach(self._consult), path)
        except OSError as exc:
            QMessageBox.critical(self, "Save failed", f"Could not save {path}: {exc.strerror or exc}. "
                                                      "The previous file, if any, is unchanged.")
            return False
        self.path = os.path.abspath(path)
        self._remember(path)
        self.audit.saved()
        self._set_baseline()
        self._update_title()
        self._clear_own_autosave()
        self.statusBar().showMessage(f"Saved {path}", 4000)
        return True

    # --- autosave ---------------------------------------------------------------------------

    def autosave_now(self) -> bool:
        """Write the last valid consult and its file, as one record, to this window's slot if there
        are unsaved changes."""
        if not self.isWindowModified() or self._consult is None:
            return False
        from ixdesk.core import autosave

        try:
            if self.slot is None or not self.slot.held:
                self.slot = _take_slot()
            if self.slot is None:
                raise OSError(f"no autosave folder could be created in {autosave.autosave_dir()}")
            self.audit.flush()
            autosave.write_autosave(self.audit.attach(self._consult), self.path, folder=self.slot.folder)
        except OSError as exc:
            self.statusBar().showMessage(f"Autosave failed: {exc}", 10_000)
            return False
        return True

    def _clear_own_autosave(self) -> None:
        """Saved, discarded or replaced: this window's record must never be offered again."""
        if self.slot is not None and self.slot.held:
            self.slot.clear()

    def offer_recovery(self) -> bool:
        """Offer each autosave that a session which did not close cleanly left (newest first) until
        one is restored; True if one was. A slot a live window holds is never offered; a declined or
        unreadable one is removed."""
        from PySide6.QtWidgets import QMessageBox

        self.ensure_ready()
        from ixdesk.core import autosave, autosave_slots

        root = autosave.autosave_dir()
        for folder in autosave.stale_records(root):
            if self.slot is not None and folder == self.slot.folder:
                continue
            claimed = autosave_slots.claim(folder)  # another window starting now may offer it too: not both
            if claimed is None:
                continue
            legacy_root = folder == root  # an older IxDesk's autosave: the folder itself stays
            rec = autosave.read_record(folder)
            if rec is None or rec.consult is None:
                if rec is not None:
                    QMessageBox.warning(self, "Autosave unreadable",
                                        "An autosave from a previous session could not be read and was discarded:\n"
                                        + "\n".join(rec.problems[:10]))
                _discard(claimed, keep_folder=legacy_root)
                continue
            consult = rec.consult
            rec = autosave.detach_if_another_patient(rec)  # never Save over a file that changed hands
            if self._ask_recover(rec):
                self.load_consult_into_form(consult, rec.original_path, modified=True)
                try:  # the recovered pair moves to this window's slot before the old slot goes
                    if self.slot is None or not self.slot.held:
                        raise OSError("no autosave slot")
                    autosave.write_autosave(consult, rec.original_path, folder=self.slot.folder)
                except OSError:
                    claimed.abandon()  # kept as it is: offered again at the next start
                else:
                    _discard(claimed, keep_folder=legacy_root)
                return True
            _discard(claimed, keep_folder=legacy_root)
        return False

    def _ask_recover(self, rec: Any) -> bool:
        """Ask about one autosave, naming the patient and the file it will be saved to."""
        from PySide6.QtWidgets import QMessageBox

        name = rec.patient_name or "(no name entered)"
        where = rec.original_path or "not saved yet: Save will ask for a file name"
        when = f"\nAutosaved: {rec.saved_at}" if rec.saved_at else ""
        notes = "".join(f"\n\nNote: {p}" for p in rec.problems[:3])
        typed = ("\n\nWhat you have entered in this window since it opened will be replaced."
                 if self.isWindowModified() else "")
        self.autosave_timer.stop()  # nothing is autosaved while the user decides
        try:
            answer = QMessageBox.question(
                self, "Recover unsaved consult?",
                "IxDesk did not close normally. An autosave of unsaved changes was found.\n\n"
                f"Patient: {name}\nFile: {where}{when}{notes}\n\n"
                "Recover it? (No discards it.)" + typed,
                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, QMessageBox.StandardButton.Yes)
        finally:
            self.autosave_timer.start()
        return answer == QMessageBox.StandardButton.Yes

    # --- about and close --------------------------------------------------------------------

    def about(self) -> None:
        from PySide6.QtWidgets import QMessageBox

        QMessageBox.about(self, "About IxDesk", self.about_text())

    def about_text(self) -> str:
        import html

        if self.criteria is not None:
            crit = (f"Criteria: {html.escape(self.criteria.info.name)} version {html.escape(self.criteria.version)}"
                    f"<br>sha256 <code>{self.criteria.sha256}</code>")
            if self.criteria.notice:
                crit += f"<br><b>⚠ {html.escape(self.criteria.notice)}</b>"
        else:
            crit = f"Criteria could not be loaded: {html.escape(self.criteria_error or '')}"
        return (f"<h3>IxDesk {ixdesk.__version__}</h3><p>Decision support for ixabepilone (Ixempra) "
                f"in breast cancer. It does not replace clinical judgement.</p><p>{crit}</p>")

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt override
        if not self.maybe_save():
            event.ignore()
            return
        self.settings.setValue("geometry", self.saveGeometry())
        self.settings.setValue("splitter", self.splitter.saveState())
        self.settings.sync()
        self.autosave_timer.stop()
        # saved or discarded: this window's slot goes (another session's autosave, not offered yet
        # if the window closes before recovery was offered, lives in its own slot and is kept)
        if self.slot is not None:
            self.slot.release(remove=True)
        event.accept()

