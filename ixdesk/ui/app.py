"""Start the window: ``run_gui(path)`` is what ``ixdesk`` and ``ixdesk FILE`` call;
``smoke_test(path)`` is what ``ixdesk --smoke-test FILE`` calls (frozen-build check)."""

from __future__ import annotations

import os
import sys
import time
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QGuiApplication, QIcon
from PySide6.QtWidgets import QApplication

import ixdesk
from ixdesk.ui.settings import APP, ORG

if TYPE_CHECKING:
    from ixdesk.core.autosave_slots import Slot

DESKTOP_FILE_NAME = "io.ixdesk.IxDesk"  # resources/desktop/io.ixdesk.IxDesk.desktop


def app_icon() -> QIcon:
    """The application icon from resources/desktop/icons (an empty icon if the files are missing)."""
    icon = QIcon()
    try:
        from ixdesk.paths import resources_dir

        folder = resources_dir() / "desktop" / "icons"
    except FileNotFoundError:
        return icon
    for size in (48, 128, 256):
        p = folder / f"{DESKTOP_FILE_NAME}-{size}.png"
        if p.is_file():
            icon.addFile(str(p))
    svg = folder / f"{DESKTOP_FILE_NAME}.svg"
    if icon.isNull() and svg.is_file():
        icon.addFile(str(svg))
    return icon


def ensure_app(argv: list[str] | None = None) -> QApplication:
    """The one QApplication, created with IxDesk's names (QSettings and the desktop file use them)."""
    app = QApplication.instance()
    if app is None:
        QCoreApplication.setOrganizationName(ORG)
        QCoreApplication.setApplicationName(APP)
        QCoreApplication.setApplicationVersion(ixdesk.__version__)
        # The high-DPI rounding policy stays Qt 6's default, PassThrough (tests check it): setting it
        # here named ``Qt``, whose first use builds ~110 Python enum classes (about 40 ms of CPU)
        # before the first paint, which needs none of them
        app = QApplication(argv if argv is not None else sys.argv[:1])
        QGuiApplication.setDesktopFileName(DESKTOP_FILE_NAME)
        app.setWindowIcon(app_icon())
    assert isinstance(app, QApplication)
    return app


def take_instance_slot() -> "Slot | None":
    """At start-up: tidy the autosave folder (temp files of killed saves hold patient data; slots
    left empty) and take this instance's own slot, locked until it exits or crashes. None if the
    data folder cannot be used: the window then reports each failed autosave."""
    from ixdesk.core import autosave_slots

    root = autosave_slots.autosave_dir()
    try:
        autosave_slots.make_private_folder(root)
        autosave_slots.tidy(root)
        return autosave_slots.acquire_slot(root)
    except OSError:
        return None


def run_gui(path: str | None = None) -> int:
    """Open the main window (and ``path`` if given); offer autosave recovery; run the event loop."""
    app = ensure_app()
    from ixdesk.ui.main_window import MainWindow

    window = MainWindow(slot=take_instance_slot())
    window.show()
    window.repaint()  # paint now: the form follows on the next pass, the core loads in a worker

    def after_load() -> None:
        recovered = window.offer_recovery()
        if path and not recovered:
            # ask=True: anything typed while the core loaded is not replaced without a question
            window.open_path(path, ask=window.isWindowModified())

    window.call_when_ready(after_load)
    return app.exec()


def smoke_test(path: str | None, timeout_s: float = 30.0) -> int:
    """Open the window (offscreen unless a platform is chosen), open ``path``, wait for the
    assessment, check the panel shows it, close without prompts. 0 on success; otherwise a
    message on stderr and a non-zero code. Never touches the user's settings or autosave."""
    import tempfile

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    os.environ.setdefault("IXDESK_DATA_DIR", tempfile.mkdtemp(prefix="ixdesk-smoke-"))

    def fail(msg: str, code: int = 1) -> int:
        print(f"ixdesk --smoke-test: FAILED: {msg}", file=sys.stderr)
        return code

    try:
        app = ensure_app([sys.argv[0] if sys.argv else "ixdesk"])
        from PySide6.QtWidgets import QMessageBox

        from ixdesk.ui.main_window import MainWindow

        boxes: list[str] = []

        def no_dialog(kind: str):  # a message box would block a headless check: record and fail
            def f(_parent, title, text, *a, **k):
                boxes.append(f"{kind}: {title}: {text}")
                return QMessageBox.StandardButton.No if kind == "question" else QMessageBox.StandardButton.Ok
            return staticmethod(f)

        for kind in ("critical", "warning", "information", "question"):
            setattr(QMessageBox, kind, no_dialog(kind))

        win = MainWindow()
        win.show()
        if path:
            if not os.path.isfile(path):
                return fail(f"no such file: {path}", 2)
            if not win.open_path(path, ask=False):
                return fail(f"could not open {path}: {'; '.join(boxes) or 'unknown error'}")
        deadline = time.monotonic() + timeout_s
        while win.current_assessment() is None and time.monotonic() < deadline:
            app.processEvents()
            if win.criteria_error:
                return fail(f"criteria could not be loaded: {win.criteria_error}")
            time.sleep(0.01)
        for _ in range(3):
            app.processEvents()
        assessment = win.current_assessment()
        if assessment is None:
            probs = "; ".join(str(p) for p in win.input_problems()) or "no assessment within the time limit"
            return fail(f"no assessment: {probs}")
        panel = win.panel
        if panel.tree.topLevelItemCount() == 0 or not panel.headline.text():
            return fail("the assessment panel shows no results")
        if panel.banner.isVisible():
            return fail(f"the panel shows a warning banner: {panel.banner.text()}")
        if boxes:
            return fail("; ".join(boxes))
        win.setWindowModified(False)  # close without the unsaved-changes prompt
        win.close()
        app.processEvents()
        name = os.path.basename(path) if path else "empty consult"
        print(f"ixdesk --smoke-test: OK ({name}: {panel.tree.topLevelItemCount()} sections, "
              f"{len(assessment.findings)} findings)")
        return 0
    except Exception as exc:  # noqa: BLE001 - a smoke test reports, never tracebacks
        return fail(f"{type(exc).__name__}: {exc}")


def main() -> int:
    return run_gui(sys.argv[1] if len(sys.argv) > 1 else None)


if __name__ == "__main__":
    raise SystemExit(main())
