"""Window fixtures: modal dialogs are replaced so no test can block, and each call is recorded."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QMessageBox

EXAMPLES = Path(__file__).resolve().parents[2] / "resources" / "examples"


class Dialogs:
    """Answers for QMessageBox; tests set ``.answer`` and read ``.calls``."""

    def __init__(self) -> None:
        self.answer: Any = QMessageBox.StandardButton.Discard
        self.question_answer: Any = QMessageBox.StandardButton.Yes
        self.calls: list[tuple[str, str]] = []


@pytest.fixture
def dialogs(monkeypatch: pytest.MonkeyPatch) -> Dialogs:
    d = Dialogs()

    def exec_(box: QMessageBox) -> Any:
        d.calls.append(("exec", box.text()))
        return d.answer

    def static(kind: str, result: Any = None) -> Any:
        def f(parent: Any, title: str, text: str, *a: Any, **k: Any) -> Any:
            d.calls.append((kind, f"{title}: {text}"))
            return d.question_answer if kind == "question" else (result or QMessageBox.StandardButton.Ok)
        return f

    monkeypatch.setattr(QMessageBox, "exec", exec_)
    for kind in ("critical", "warning", "information", "question"):
        monkeypatch.setattr(QMessageBox, kind, staticmethod(static(kind)))
    monkeypatch.setattr(QMessageBox, "about", staticmethod(lambda *a, **k: d.calls.append(("about", a[2]))))
    return d


@pytest.fixture
def window(qtbot: Any, dialogs: Dialogs) -> Any:
    from ixdesk.ui.main_window import MainWindow

    w = MainWindow()
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    qtbot.waitUntil(lambda: w.current_assessment() is not None)  # criteria load after first paint
    return w


@pytest.fixture
def examples() -> Path:
    return EXAMPLES
