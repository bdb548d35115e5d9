"""Start the window: ``run_gui(path)`` is what ``ixdesk`` and ``ixdesk FILE`` call."""

from __future__ import annotations

import sys

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication

import ixdesk
from ixdesk.ui.settings import APP, ORG


def ensure_app(argv: list[str] | None = None) -> QApplication:
    """The one QApplication, created with IxDesk's names (QSettings and the desktop file use them)."""
    app = QApplication.instance()
    if app is None:
        QCoreApplication.setOrganizationName(ORG)
        QCoreApplication.setApplicationName(APP)
        QCoreApplication.setApplicationVersion(ixdesk.__version__)
        QGuiApplication.setHighDpiScaleFactorRoundingPolicy(Qt.HighDpiScaleFactorRoundingPolicy.PassThrough)
        app = QApplication(argv if argv is not None else sys.argv[:1])
        QGuiApplication.setDesktopFileName("ixdesk")
    assert isinstance(app, QApplication)
    return app


def run_gui(path: str | None = None) -> int:
    """Open the main window (and ``path`` if given); offer autosave recovery; run the event loop."""
    app = ensure_app()
    from ixdesk.ui.main_window import MainWindow

    window = MainWindow()
    window.show()
    window.repaint()  # paint now: the criteria and the engine load on the next event-loop pass
    recovered = window.offer_recovery()
    if path and not recovered:
        window.open_path(path, ask=False)
    return app.exec()


def main() -> int:
    return run_gui(sys.argv[1] if len(sys.argv) > 1 else None)


if __name__ == "__main__":
    raise SystemExit(main())
