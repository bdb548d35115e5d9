"""The window at 1280×800, the smallest it is made for: the form never scrolls sideways and no label
is cut ("rogesterone receptor (PR)", "ease and receptors" were), for every bundled example."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QAbstractButton, QApplication, QGroupBox, QLabel, QWidget

EXAMPLES = sorted((Path(__file__).resolve().parents[2] / "resources" / "examples").glob("*.json"))


def _settle() -> None:
    for _ in range(4):
        QApplication.processEvents()


def clipped_labels(root: QWidget) -> list[str]:
    """Visible one-line labels, buttons and check boxes narrower than their text needs."""
    out: list[str] = []
    for w in root.findChildren(QWidget):
        if not w.isVisibleTo(root):
            continue
        if isinstance(w, QLabel) and not w.wordWrap() and w.text():
            if w.sizeHint().width() > w.width():
                out.append(f"label {w.text()!r}: needs {w.sizeHint().width()} px, has {w.width()}")
        elif isinstance(w, QAbstractButton) and w.text() and w.sizeHint().width() > w.width():
            out.append(f"button {w.text()!r}: needs {w.sizeHint().width()} px, has {w.width()}")
    return out


def outside_viewport(form: Any) -> list[str]:
    """Group boxes and inputs whose left or right edge lies outside the form's visible width."""
    view = form.viewport()
    out: list[str] = []
    for w in form.widget().findChildren(QWidget):
        if not w.isVisibleTo(form.widget()) or (not isinstance(w, (QGroupBox, QLabel, QAbstractButton)) \
                and w not in [f[0] for f in form.fields.values()]):
            continue
        left = w.mapTo(view, w.rect().topLeft()).x()
        right = w.mapTo(view, w.rect().topRight()).x()
        if left < 0 or right > view.width():
            out.append(f"{type(w).__name__} {w.accessibleName() or getattr(w, 'title', lambda: '')()!r}: "
                       f"{left}..{right} of {view.width()}")
    return out


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name[:2])
def test_every_example_fits_at_1280x800(qtbot: Any, window: Any, path: Path) -> None:
    window.resize(1280, 800)
    window.splitter.setSizes([560, 720])  # the first start's split
    assert window.open_path(str(path), ask=False)
    _settle()
    form = window.form
    assert form.horizontalScrollBar().maximum() == 0, "the form scrolls sideways"
    assert form.widget().width() <= form.viewport().width()
    assert outside_viewport(form) == []
    assert clipped_labels(form.widget()) == []
    # focusing a field (as a message's link does) never shifts the form sideways either
    for field in ("disease.pr", "history.medications", "labs.bilirubin"):
        assert form.focus_field(field)
        _settle()
        assert form.horizontalScrollBar().value() == 0
    # the assessment side: the verdict and the comparison fit without cutting a label either
    assert clipped_labels(window.verdict) == []
    assert window.verdict.width() <= window.assessment_side.width()
    window.setWindowModified(False)


@pytest.mark.parametrize("path", [EXAMPLES[0], EXAMPLES[-1]], ids=lambda p: p.name[:2])
def test_the_narrowest_form_still_fits(qtbot: Any, window: Any, path: Path) -> None:
    """Dragging the splitter as far as it goes leaves the form readable, not scrolled sideways."""
    window.resize(1280, 800)
    assert window.open_path(str(path), ask=False)
    window.splitter.setSizes([1, 1279])
    _settle()
    form = window.form
    assert form.width() >= form.minimumWidth()
    assert form.widget().width() <= form.viewport().width()
    assert clipped_labels(form.widget()) == []
    window.setWindowModified(False)


def test_medications_box_is_a_usable_list(qtbot: Any, window: Any) -> None:
    window.resize(1280, 800)
    window.splitter.setSizes([560, 720])
    _settle()
    meds = window.form.medications
    assert meds.list.width() >= 250 and meds.list.height() >= 4 * meds.list.fontMetrics().height()
