"""The window says 'criteria modified locally: not the reviewed set' above the results, and in its title."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from ixdesk.core.criteria import UNREVIEWED_NOTICE, load_criteria
from ixdesk.paths import criteria_dir


def _window(qtbot: Any, loader: Any) -> Any:
    from ixdesk.ui.main_window import MainWindow

    w = MainWindow(criteria_loader=loader)
    qtbot.addWidget(w)
    w.show()
    qtbot.waitUntil(lambda: w.current_assessment() is not None)
    return w


def test_unreviewed_criteria_show_a_banner_above_the_results(qtbot: Any, dialogs: Any, tmp_path: Path,
                                                             examples: Path) -> None:
    shutil.copytree(criteria_dir(), tmp_path / "c")
    f = tmp_path / "c" / "warnings.yaml"
    f.write_text(f.read_text(encoding="utf-8") + "\n# a local edit\n", encoding="utf-8")
    crit = load_criteria(tmp_path / "c")
    w = _window(qtbot, lambda: crit)
    notice = w.panel.criteria_notice
    assert notice.isVisible() and UNREVIEWED_NOTICE in notice.text().lower()
    assert UNREVIEWED_NOTICE in w.windowTitle()
    assert UNREVIEWED_NOTICE in w.about_text()
    # stays through input problems and other consults (the input banner is a different label)
    assert w.open_path(str(examples / "04-blocked-by-neutrophils.json"), ask=False)
    assert notice.isVisible() and UNREVIEWED_NOTICE in w.windowTitle()


def test_the_reviewed_set_shows_no_banner(qtbot: Any, window: Any) -> None:
    assert not window.panel.criteria_notice.isVisible()
    assert "modified locally" not in window.windowTitle()
