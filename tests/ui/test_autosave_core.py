"""Autosave without Qt."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from ixdesk.core import autosave
from ixdesk.core.consult import Consult


def test_round_trip_and_clear(tmp_path: Path) -> None:
    c = Consult(notes="hello")
    path = autosave.write_autosave(c, "/x/y.json", folder=tmp_path)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(tmp_path / autosave.MARKER_NAME).st_mode) == 0o600
    rec = autosave.read_autosave(tmp_path)
    assert rec is not None and rec.consult == c and rec.original_path == "/x/y.json" and not rec.problems
    autosave.clear_autosave(tmp_path)
    assert autosave.read_autosave(tmp_path) is None


def test_corrupt_autosave_reported(tmp_path: Path) -> None:
    (tmp_path / autosave.CONSULT_NAME).write_text("{nope", encoding="utf-8")
    rec = autosave.read_autosave(tmp_path)
    assert rec is not None and rec.consult is None and rec.problems


def test_env_override(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setenv(autosave.ENV_DATA_DIR, str(tmp_path))
    assert autosave.autosave_dir() == tmp_path / "autosave"
