"""The core and the report models run without Qt: importing them must not load PySide6."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import REPO

CODE = """
import sys
import ixdesk.core.consult, ixdesk.core.criteria, ixdesk.core.engine, ixdesk.core.dosing
import ixdesk.core.files, ixdesk.core.resistance, ixdesk.core.evaluate, ixdesk.core.lines
import ixdesk.cli
from ixdesk.core.engine import assess
from ixdesk.core.consult import Consult
assess(Consult())
try:
    import ixdesk.reports
except ImportError:
    pass
bad = sorted(m for m in sys.modules if m.split('.')[0] in ('PySide6', 'shiboken6'))
print(','.join(bad))
"""


def test_core_never_imports_qt() -> None:
    out = subprocess.run([sys.executable, "-c", CODE], capture_output=True, text=True, cwd=REPO, check=True)
    assert out.stdout.strip() == "", f"Qt modules loaded by the core: {out.stdout}"


def test_no_qt_import_statements_in_core() -> None:
    for path in (REPO / "ixdesk" / "core").rglob("*.py"):
        text = path.read_text()
        assert "PySide6" not in text and "shiboken6" not in text, path
