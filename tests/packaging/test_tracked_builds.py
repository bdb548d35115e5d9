"""Builds ship only tracked files, and refuse to start on untracked data or an old Python.

An untracked resources/examples/zz-real-patient.json and an editor swap file once ended up in both
the wheel and the frozen bundle; build_frozen.sh under Python 3.10 silently installed no
dependencies and install_linux.sh installed the broken result. Each test works in a throwaway git
repository holding this checkout's tracked files (fast: the refusals come before any build).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
GIT = ["git", "-c", "user.name=test", "-c", "user.email=test@example.invalid", "-c", "init.defaultBranch=main"]
BUILDERS = ["packaging/build_wheel.sh", "packaging/check_wheel.sh", "packaging/build_frozen.sh"]


@pytest.fixture
def clone(tmp_path: Path) -> Path:
    """A git repository with this checkout's tracked files, as they are in the working tree."""
    dest = tmp_path / "repo"
    files = subprocess.run(["git", "-C", str(ROOT), "ls-files", "-z"], capture_output=True, check=True).stdout
    for rel in filter(None, files.decode().split("\0")):
        src = ROOT / rel
        if src.is_file():
            (dest / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / rel)
    # This checkout's new packaging files may not be committed yet: take them from the working tree.
    for f in (ROOT / "packaging").iterdir():
        if f.is_file():
            shutil.copy2(f, dest / "packaging" / f.name)
    subprocess.run([*GIT, "init", "-q", str(dest)], check=True)
    subprocess.run([*GIT, "-C", str(dest), "add", "-A"], check=True)
    subprocess.run([*GIT, "-C", str(dest), "commit", "-q", "-m", "snapshot"], check=True)
    return dest


def _build(repo: Path, script: str, **env: str) -> subprocess.CompletedProcess[str]:
    full = {**os.environ, "BUILD_DIR": str(repo / "build"), "DIST_DIR": str(repo / "dist"), **env}
    full.pop("SKIP_BUILD", None)
    return subprocess.run(["bash", str(repo / script)], cwd=repo, env=full, capture_output=True, text=True,
                          timeout=120)


@pytest.mark.parametrize("script", BUILDERS)
def test_untracked_patient_file_refuses_the_build(clone: Path, script: str) -> None:
    (clone / "resources" / "examples" / "zz-real-patient.json").write_text('{"patient": {"name": "Jane Doe"}}')
    p = _build(clone, script)
    assert p.returncode != 0, p.stdout + p.stderr
    assert "refusing to build" in p.stderr
    assert "resources/examples/zz-real-patient.json" in p.stderr
    assert not list((clone / "dist").glob("*")) if (clone / "dist").exists() else True
    assert not (clone / "build" / "venv-frozen").exists()


@pytest.mark.parametrize("script", ["packaging/build_wheel.sh", "packaging/build_frozen.sh"])
def test_ignored_swap_file_and_changed_criteria_refuse_the_build(clone: Path, script: str) -> None:
    """A swap file counts even when git ignores it (it would still be copied), and so does a
    criteria file changed since the last commit (the build would not be the committed set)."""
    (clone / ".git" / "info" / "exclude").write_text("*.swp\n")
    (clone / "resources" / "examples" / ".01.json.swp").write_bytes(b"b0VIM 9.0\0patient")
    crit = sorted((clone / "criteria").glob("*.yaml"))[0]
    crit.write_text(crit.read_text() + "\n# local edit\n")
    p = _build(clone, script)
    assert p.returncode != 0
    assert "resources/examples/.01.json.swp" in p.stderr
    assert f"criteria/{crit.name}" in p.stderr


def test_untracked_files_elsewhere_are_not_exported(clone: Path, tmp_path: Path) -> None:
    """Outside resources/ and criteria/ an untracked file does not stop the build, but it is not
    copied into the tree the build is made from."""
    (clone / "ixdesk" / "zz_stray.py").write_text("SECRET = 1\n")
    (clone / "ixdesk" / "paths.py").write_text((clone / "ixdesk" / "paths.py").read_text() + "# edited\n")
    dest = tmp_path / "export"
    subprocess.run(["bash", "-c", f'. packaging/tracked_tree.sh && refuse_unclean_data . && export_tracked_tree . "{dest}"'],
                   cwd=clone, check=True, capture_output=True)
    assert (dest / "ixdesk" / "paths.py").read_text().endswith("# edited\n")
    assert not (dest / "ixdesk" / "zz_stray.py").exists()
    assert (dest / "resources" / "examples").is_dir() and (dest / "criteria").is_dir()


def test_data_check_names_files_git_does_not_track(clone: Path, tmp_path: Path) -> None:
    listing = subprocess.run(["git", "-C", str(clone), "ls-files", "criteria", "resources"],
                             capture_output=True, text=True, check=True).stdout
    good = tmp_path / "good.txt"
    good.write_text(listing)
    bad = tmp_path / "bad.txt"
    bad.write_text(listing + "resources/examples/zz-real-patient.json\n")
    check = '. packaging/tracked_tree.sh && check_data_is_tracked . "$0"'
    assert subprocess.run(["bash", "-c", check, str(good)], cwd=clone, capture_output=True).returncode == 0
    p = subprocess.run(["bash", "-c", check, str(bad)], cwd=clone, capture_output=True, text=True)
    assert p.returncode != 0 and "resources/examples/zz-real-patient.json" in p.stderr


def _python_310(tmp_path: Path) -> str:
    """A Python 3.10: the real one if this machine has it, else a stand-in that answers like one."""
    real = shutil.which("python3.10")
    if real and subprocess.run([real, "-c", "import sys; assert sys.version_info[:2] == (3, 10)"],
                               capture_output=True).returncode == 0:
        return real
    fake = tmp_path / "python3.10"
    fake.write_text('#!/bin/sh\ncase "$2" in *print*) echo 3.10 ;; *) exit 1 ;; esac\n')
    fake.chmod(0o755)
    return str(fake)


@pytest.mark.parametrize("script", [*BUILDERS, "scripts/setup.sh"])
def test_python_below_3_11_stops_before_anything_is_built(clone: Path, tmp_path: Path, script: str) -> None:
    py = _python_310(tmp_path)
    p = _build(clone, script, PYTHON=py)
    assert p.returncode != 0, p.stdout + p.stderr
    assert "needs Python >= 3.11" in p.stderr and "3.10" in p.stderr
    assert not (clone / "build" / "venv-frozen").exists()
    assert not (clone / ".venv").exists()
    assert not (clone / "dist").exists() or not list((clone / "dist").iterdir())


def test_frozen_build_stops_when_dependencies_cannot_be_read() -> None:
    """The 3.10 failure mode itself: reading pyproject.toml failed inside a process substitution,
    which set -e does not see, so pip installed PyInstaller alone. The read is now checked."""
    text = (ROOT / "packaging" / "build_frozen.sh").read_text()
    assert "< <(" not in text
    assert 'fail "could not read the dependencies from pyproject.toml"' in text
    assert "set -euo pipefail" in text
