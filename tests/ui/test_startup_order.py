"""Start-up order: the form is built and painted before anything loads pydantic or the criteria.

The core loads in a worker thread; building the window's body must not import pydantic on the UI
thread (the plan comparison's headings once did, through ``ixdesk.present.plans``), and the worker
must not start before the form has painted (it holds the GIL while the form is laid out)."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run_child(code: str, tmp_path: Path) -> str:
    """What a fresh interpreter running ``code`` prints: a window started as a user's would be, with
    its settings and data in ``tmp_path`` (a test process has loaded everything already)."""
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "IXDESK_DATA_DIR": str(tmp_path / "data"),
           "XDG_CONFIG_HOME": str(tmp_path / "config"), "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120,
                          check=True).stdout

CHILD = textwrap.dedent(
    """
    import sys
    from ixdesk.ui.app import ensure_app
    from ixdesk.ui.main_window import MainWindow
    app = ensure_app()
    w = MainWindow()
    w.show()
    w._ensure_body()  # what the first event-loop pass builds: the form, the verdict, the plans, the panel
    print("pydantic" in sys.modules, "ixdesk.core.assessment" in sys.modules, w._loader is None)
    w.setWindowModified(False)
    """
)


def test_building_the_form_imports_no_pydantic(tmp_path: Path) -> None:
    out = run_child(CHILD, tmp_path).split()
    assert out == ["False", "False", "True"]


def test_the_core_loads_after_the_form_has_painted(qtbot) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtWidgets import QApplication

    from ixdesk.ui.main_window import MainWindow

    w = MainWindow()
    qtbot.addWidget(w)
    w.show()
    w._start_loading()  # the first event-loop pass: the body is built ...
    assert w.form is not None and w._loader is None  # ... and nothing loads before it has painted
    w.repaint()
    qtbot.waitUntil(lambda: w._loader is not None, timeout=5000)  # then the worker starts
    qtbot.waitUntil(lambda: w.current_assessment() is not None, timeout=30000)
    QApplication.processEvents()
    w.setWindowModified(False)


FIRST_PAINT_CHILD = textwrap.dedent(
    """
    import PySide6.QtCore as QtCore
    from PySide6.QtGui import QGuiApplication, QKeySequence
    from ixdesk.ui.app import ensure_app
    from ixdesk.ui.main_window import MainWindow
    app = ensure_app()
    w = MainWindow()
    w.resize(1280, 800)
    w.show()
    w.repaint()
    # PySide builds every Python enum class of the Qt namespace on its first use (~110, about 40 ms)
    print("Qt" in vars(QtCore))
    # nor are the dialogs' classes (each brings its own enum classes) loaded before they are needed
    import PySide6.QtWidgets as QtWidgets
    print(any(c in vars(QtWidgets) for c in ("QMessageBox", "QFileDialog", "QDialog")))
    app.processEvents()  # the next pass: the form, painted: ready to type
    w.repaint()
    print(w.form is not None, "Qt" in vars(QtCore))
    # the menus' shortcuts were set with the menus, before the first paint
    SK = QKeySequence.StandardKey
    print(w.act_open.shortcut() == QKeySequence(SK.Open), w.act_save.shortcut() == QKeySequence(SK.Save),
          not w.act_quit.shortcut().isEmpty(), w.menu_edit.actions()[0].shortcut() == QKeySequence(SK.Undo))
    from PySide6.QtCore import Qt
    print(QGuiApplication.highDpiScaleFactorRoundingPolicy() == Qt.HighDpiScaleFactorRoundingPolicy.PassThrough)
    w.setWindowModified(False)
    """
)


def test_ready_to_type_needs_no_qt_namespace_enums_and_the_shortcuts_are_set(tmp_path: Path) -> None:
    out = run_child(FIRST_PAINT_CHILD, tmp_path).split()
    assert out == ["False", "False", "True", "False", "True", "True", "True", "True", "True"]


NO_RESOLVE_CHILD = textwrap.dedent(
    """
    import PySide6.QtWidgets as QtWidgets
    from ixdesk.ui.app import ensure_app
    from ixdesk.ui.main_window import MainWindow
    app = ensure_app()
    w = MainWindow()
    w.resize(1280, 800)
    w.show()
    w.repaint()
    app.processEvents()  # the next pass: the form, with the wheel guard's application-wide filter
    w.repaint()
    # the filter sees every event; an object of a class PySide does not export (the animation timer
    # of the main window's layout) makes PySide resolve every lazily loaded class: QWizard stands for
    # the ~110 enum classes that builds. It happens once, but not on the way to ready to type.
    print(w.form is not None, w.form.property("ixdeskWheelGuard") is True, "QWizard" in vars(QtWidgets))
    w.setWindowModified(False)
    """
)


def test_building_the_form_resolves_no_unneeded_pyside_classes(tmp_path: Path) -> None:
    out = run_child(NO_RESOLVE_CHILD, tmp_path).split()
    assert out == ["True", "True", "False"]


WARM_UP_CHILD = textwrap.dedent(
    """
    import sys, time
    import ixdesk.ui.main_window as mw
    from ixdesk.ui.app import ensure_app
    app = ensure_app()
    w = mw.MainWindow()
    w.show()
    w.ensure_ready()
    app.processEvents()
    # the core is ready; reportlab is not loaded yet (the consult comes first), then it is, off the UI thread
    print("reportlab" in sys.modules, w._reports_warm_up is None)
    end = time.monotonic() + 60
    while (w._reports_warm_up is None or w._reports_warm_up.is_alive()) and time.monotonic() < end:
        app.processEvents()
        time.sleep(0.02)
    from ixdesk.reports import fonts
    print("ixdesk.reports.renderers" in sys.modules, fonts._registered, w._reports_warm_up.name)
    w.setWindowModified(False)
    """
)


def test_what_a_first_print_needs_loads_after_the_core_off_the_ui_thread(tmp_path: Path) -> None:
    out = run_child(WARM_UP_CHILD, tmp_path).split()
    assert out == ["False", "True", "True", "True", "ixdesk-reports-warm-up"]


def test_fonts_registered_from_two_threads_at_once_are_registered_once(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import threading

    from ixdesk.reports import fonts

    calls: list[str] = []
    started = threading.Barrier(2)

    def slow_register() -> None:
        calls.append(threading.current_thread().name)
        threading.Event().wait(0.2)  # long enough for the other thread to ask meanwhile

    monkeypatch.setattr(fonts, "_registered", False)
    monkeypatch.setattr(fonts, "_register", slow_register)

    def ask() -> None:
        started.wait()
        fonts.register_fonts()

    threads = [threading.Thread(target=ask, name=f"t{i}") for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(calls) == 1 and fonts._registered


BUILT_CHILD = textwrap.dedent(
    """
    import sys
    from pydantic import BaseModel
    from ixdesk.ui.app import ensure_app
    from ixdesk.ui.main_window import MainWindow
    from ixdesk.core.model_build import _subclasses
    app = ensure_app()
    w = MainWindow()
    w.show()
    w._start_worker()
    w._loader.join()
    # every model the worker imported is built by the worker (they are declared defer_build=True):
    # none is left for the UI thread to build while it shows the first consult
    ours = [m for m in _subclasses(BaseModel) if m.__module__.startswith("ixdesk.")]
    print(len(ours) > 50, [m.__name__ for m in ours if not m.__pydantic_complete__])
    w.ensure_ready()
    w.setWindowModified(False)
    """
)


def test_the_worker_builds_the_models_the_ui_thread_would_otherwise_build(tmp_path: Path) -> None:
    out = run_child(BUILT_CHILD, tmp_path).strip()
    assert out == "True []"
