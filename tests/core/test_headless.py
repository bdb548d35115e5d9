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


def test_window_reaches_first_paint_and_form_without_pydantic() -> None:
    """The form is typeable while a worker imports pydantic: building it (and its HER2 status line)
    must not import pydantic on the UI thread."""
    code = """
import os, sys
os.environ["QT_QPA_PLATFORM"] = "offscreen"
from ixdesk.ui.app import ensure_app
app = ensure_app()
from ixdesk.ui.form import ConsultForm
from ixdesk.ui.panel import AssessmentPanel
form = ConsultForm(None); AssessmentPanel()
form.fields["disease.her2_ihc"][0].set_value("2+")
form.fields["disease.her2_ish"][0].set_value("negative")
assert form.her2_status.text() == "HER2-low", form.her2_status.text()
print(",".join(sorted(m for m in sys.modules if m.split(".")[0] in ("pydantic", "pydantic_core"))))
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, check=True)
    assert out.stdout.strip() == "", f"pydantic loaded before the core: {out.stdout}"
