"""Robustness suite setup: headless Qt, and the ``slow`` marker.

Slow tests (subprocess kill loops, wheel and frozen builds) carry ``@pytest.mark.slow`` and are
skipped when ``IXDESK_SKIP_SLOW`` is set to a non-empty value.
"""

from __future__ import annotations

import os

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "slow: slow test (subprocesses, builds); skipped when IXDESK_SKIP_SLOW is set")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if not os.environ.get("IXDESK_SKIP_SLOW"):
        return
    skip = pytest.mark.skip(reason="IXDESK_SKIP_SLOW is set")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)
