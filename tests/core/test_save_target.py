"""Where a save writes: through a symbolic link to its target, never over a read-only file, any
name length the file system allows, and no temp files of killed saves left to hold patient data."""

from __future__ import annotations

import os
import stat
import time
from pathlib import Path

import pytest

from ixdesk.core.consult import Consult, Patient
from ixdesk.core.files import ReadOnlyFileError, load_consult, save_consult
from ixdesk.core.tempfiles import STALE_UNLOCKED_S, remove_stale_temps

A = Consult(patient=Patient(name="Alpha A"))
B = Consult(patient=Patient(name="Beta B"))


def test_saving_through_a_symlink_writes_its_target_and_keeps_the_link(tmp_path: Path) -> None:
    real = tmp_path / "store" / "alpha.json"
    real.parent.mkdir()
    save_consult(A, real)
    link = tmp_path / "desktop-link.json"
    link.symlink_to(real)
    save_consult(B, link)
    assert link.is_symlink() and os.readlink(link) == str(real)
    assert load_consult(real) == B
    assert sorted(p.name for p in real.parent.iterdir()) == ["alpha.json"]  # temp was beside the target
    assert stat.S_IMODE(real.stat().st_mode) == 0o600


def test_saving_through_a_relative_symlink_chain(tmp_path: Path) -> None:
    (tmp_path / "d").mkdir()
    save_consult(A, tmp_path / "d" / "real.json")
    (tmp_path / "d" / "mid.json").symlink_to("real.json")
    (tmp_path / "top.json").symlink_to("d/mid.json")
    save_consult(B, tmp_path / "top.json")
    assert (tmp_path / "top.json").is_symlink() and (tmp_path / "d" / "mid.json").is_symlink()
    assert load_consult(tmp_path / "d" / "real.json") == B


def test_read_only_file_is_refused_and_left_alone(tmp_path: Path) -> None:
    target = tmp_path / "locked.json"
    save_consult(A, target)
    target.chmod(0o400)
    before = target.read_bytes()
    with pytest.raises(ReadOnlyFileError) as info:
        save_consult(B, target)
    assert isinstance(info.value, PermissionError)  # callers that catch OSError show it
    assert "read-only" in str(info.value.strerror)
    assert target.read_bytes() == before
    assert stat.S_IMODE(target.stat().st_mode) == 0o400  # never chmodded
    assert [p.name for p in tmp_path.iterdir()] == ["locked.json"]


def test_read_only_target_behind_a_symlink_is_refused(tmp_path: Path) -> None:
    target = tmp_path / "locked.json"
    save_consult(A, target)
    target.chmod(0o444)
    (tmp_path / "link.json").symlink_to(target)
    with pytest.raises(ReadOnlyFileError):
        save_consult(B, tmp_path / "link.json")
    assert load_consult(target) == A and (tmp_path / "link.json").is_symlink()


def test_longest_file_name_saves(tmp_path: Path) -> None:
    name_max = os.pathconf(tmp_path, "PC_NAME_MAX")
    target = tmp_path / ("p" * (name_max - len(".json")) + ".json")
    save_consult(A, target)
    assert load_consult(target) == A
    save_consult(B, target)  # and over an existing one
    assert load_consult(target) == B
    assert [p.name for p in tmp_path.iterdir()] == [target.name]


def test_next_save_removes_stale_temps_of_killed_saves(tmp_path: Path) -> None:
    old = time.time() - STALE_UNLOCKED_S - 1
    leftovers = [tmp_path / ".ixd-0a1b2c3d.tmp", tmp_path / ".consult.json.k9x_2abc.tmp",  # an older IxDesk's
                 tmp_path / ".report.pdf.abcd1234.tmp"]
    for p in leftovers:
        p.write_text('{"patient": {"name": "Leaked Patient"}}', encoding="utf-8")
        os.utime(p, (old, old))
    fresh = tmp_path / ".ixd-99999999.tmp"  # may be another window saving right now
    fresh.write_text("x", encoding="utf-8")
    mine = tmp_path / ".ixd-notes.tmp"  # not our pattern: a user's file is never touched
    mine.write_text("x", encoding="utf-8")
    os.utime(mine, (old, old))
    save_consult(A, tmp_path / "consult.json")
    assert not any(p.exists() for p in leftovers)
    assert fresh.exists() and mine.exists()
    assert remove_stale_temps(tmp_path / "missing-folder") == 0  # never raises
