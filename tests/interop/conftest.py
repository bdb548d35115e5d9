"""The window fixtures of tests/ui (modal dialogs replaced, so no test can block)."""

from tests.ui.conftest import dialogs, window  # noqa: F401 - fixtures
