"""The import contracts in pyproject.toml catch what they promise to (scripts/test.sh runs them).

A copy of the package with one forbidden import per contract must break each one; the unchanged copy
keeps them. Without this a contract can pass by matching nothing (a misspelt module, an external
package not analysed).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO

LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")
pytestmark = pytest.mark.skipif(not LINT_IMPORTS.exists(), reason="import-linter not installed (pip install -e '.[test]')")


def _copy(tmp_path: Path) -> Path:
    shutil.copytree(REPO / "ixdesk", tmp_path / "ixdesk", ignore=shutil.ignore_patterns("__pycache__", "_data"))
    return tmp_path / "ixdesk"


def _lint(root: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(root)}
    return subprocess.run([str(LINT_IMPORTS), "--config", str(REPO / "pyproject.toml"), "--no-cache"],
                          cwd=root, env=env, capture_output=True, text=True, timeout=120)


def test_the_package_as_it_is_keeps_every_contract(tmp_path: Path) -> None:
    _copy(tmp_path)
    out = _lint(tmp_path)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "broken" in out.stdout and "0 broken" in out.stdout


def test_each_contract_catches_its_violation(tmp_path: Path) -> None:
    pkg = _copy(tmp_path)
    with (pkg / "core" / "lines.py").open("a") as f:  # core -> Qt, inside a function as well
        f.write("\n\ndef _violation() -> None:\n    import PySide6.QtCore  # noqa: F401\n")
    with (pkg / "core" / "dosing.py").open("a") as f:  # core -> reportlab
        f.write("\nimport reportlab.lib  # noqa: E402,F401\n")
    with (pkg / "reports" / "settings.py").open("a") as f:  # reports -> ui (upward)
        f.write("\nimport ixdesk.ui.settings  # noqa: E402,F401\n")
    (pkg / "present").mkdir(exist_ok=True)
    (pkg / "present" / "__init__.py").write_text("import ixdesk.reports.common  # noqa: F401\n")  # present -> reports
    (pkg / "interop").mkdir(exist_ok=True)
    (pkg / "interop" / "__init__.py").write_text("import ixdesk.present  # noqa: F401\n")  # interop: the core only
    (pkg / "stray.py").write_text('"""A new top-level module nobody placed in the layers."""\n')
    out = _lint(tmp_path)
    text = " ".join(out.stdout.split())
    assert out.returncode != 0, text
    assert "ixdesk.core.lines -> PySide6" in text
    assert "ixdesk.core.dosing -> reportlab" in text
    assert "ixdesk.reports.settings -> ixdesk.ui.settings" in text
    assert "ixdesk.present -> ixdesk.reports.common" in text
    assert "ixdesk.interop -> ixdesk.present" in text
    assert "ixdesk.stray" in text  # exhaustive: every top-level module has a layer


def test_the_interop_contracts_catch_their_violations(tmp_path: Path) -> None:
    """The FHIR import stays Qt-free and reportlab-free, and the core never reaches into it."""
    pkg = _copy(tmp_path)
    with (pkg / "interop" / "units.py").open("a") as f:
        f.write("\n\ndef _violation() -> None:\n    import PySide6.QtCore  # noqa: F401\n")
    with (pkg / "interop" / "loinc.py").open("a") as f:
        f.write("\nimport reportlab.lib  # noqa: E402,F401\n")
    with (pkg / "core" / "lines.py").open("a") as f:
        f.write("\nimport ixdesk.interop.loinc  # noqa: E402,F401\n")
    out = _lint(tmp_path)
    text = " ".join(out.stdout.split())
    assert out.returncode != 0, text
    assert "ixdesk.interop.units -> PySide6" in text
    assert "ixdesk.interop.loinc -> reportlab" in text
    assert "ixdesk.core.lines -> ixdesk.interop.loinc" in text
