"""Shared test setup: headless Qt, no test touches the developer's real data or settings, slow tests skippable."""

from __future__ import annotations

import os
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = REPO / "resources" / "examples"


@pytest.fixture(autouse=True)
def _private_data_dir(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Autosaves, settings and recent files go to a throwaway folder."""
    d = tmp_path_factory.mktemp("ixdesk-data")
    monkeypatch.setenv("IXDESK_DATA_DIR", str(d))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(d / "config"))
    return d


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """``IXDESK_SKIP_SLOW`` (non-empty) skips tests marked slow: kill loops, wheel and frozen builds."""
    if not os.environ.get("IXDESK_SKIP_SLOW"):
        return
    skip = pytest.mark.skip(reason="IXDESK_SKIP_SLOW is set")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)
