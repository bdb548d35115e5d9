"""Packaging tests: desktop metadata always; wheel and frozen builds are slow (IXDESK_SKIP_SLOW skips them)."""

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
        if "slow" in item.keywords and "tests/packaging" in str(item.fspath):
            item.add_marker(skip)
