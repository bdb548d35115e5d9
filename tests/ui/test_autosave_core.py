"""Autosave without Qt: one atomic record per slot, slots held by a lock, stale temp files removed."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from ixdesk.core import autosave, autosave_slots, tempfiles
from ixdesk.core.consult import Consult, Patient

ROOT = Path(__file__).resolve().parents[2]


def test_round_trip_and_clear(tmp_path: Path) -> None:
    c = Consult(notes="hello")
    path = autosave.write_autosave(c, "/x/y.json", folder=tmp_path)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    # the consult and its file are one record: no second file that could be left from another consult
    assert [p.name for p in tmp_path.iterdir()] == [autosave.RECORD_NAME]
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


def test_record_holds_consult_and_path_together(tmp_path: Path) -> None:
    a = Consult(patient=Patient(name="Alpha A"))
    b = Consult(patient=Patient(name="Beta B"))
    autosave.write_autosave(a, "/data/alpha.json", folder=tmp_path)
    autosave.write_autosave(b, "/data/beta.json", folder=tmp_path)
    doc = json.loads((tmp_path / autosave.RECORD_NAME).read_text(encoding="utf-8"))
    assert doc["original_path"] == "/data/beta.json" and doc["consult"]["patient"]["name"] == "Beta B"
    rec = autosave.read_autosave(tmp_path)
    assert rec is not None and rec.patient_name == "Beta B" and rec.original_path == "/data/beta.json"


def test_older_two_file_autosave_comes_back_without_its_path(tmp_path: Path) -> None:
    """The old marker could name another consult's file: the consult is recovered as unsaved."""
    (tmp_path / autosave.LEGACY_CONSULT_NAME).write_text(Consult(patient=Patient(name="Beta B")).model_dump_json(),
                                                         encoding="utf-8")
    (tmp_path / autosave.MARKER_NAME).write_text(json.dumps({"original_path": "/data/alpha.json"}), encoding="utf-8")
    rec = autosave.read_autosave(tmp_path)
    assert rec is not None and rec.patient_name == "Beta B"
    assert rec.original_path is None and "not known" in rec.problems[0]


def test_default_write_goes_to_this_process_slot_and_reads_back(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv(autosave.ENV_DATA_DIR, str(tmp_path))
    c = Consult(patient=Patient(name="Own Slot"))
    path = autosave.write_autosave(c, "/data/own.json")
    assert path.parent.parent == tmp_path / "autosave" and path.parent.name.startswith(autosave_slots.SLOT_PREFIX)
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert autosave_slots.is_live(path.parent)  # held by this process
    for folder in (None, tmp_path / "autosave", path.parent):
        rec = autosave.read_autosave(folder)
        assert rec is not None and rec.consult == c and rec.original_path == "/data/own.json", folder
    # a window never offers a slot that a live process holds, this one included
    assert path.parent not in autosave.stale_records()
    autosave.clear_autosave()
    assert autosave.read_autosave() is None and not autosave.has_autosave()


HOLDER = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from ixdesk.core import autosave_slots
    from ixdesk.core.autosave import write_autosave
    from ixdesk.core.consult import Consult, Patient
    slot = autosave_slots.acquire_slot(Path(sys.argv[1]))
    write_autosave(Consult(patient=Patient(name=sys.argv[2])), "/data/live.json", folder=slot.folder)
    print(slot.folder, flush=True)
    sys.stdin.read()    # alive until the test closes stdin or kills it
    if sys.argv[3] == "clean":
        slot.release(remove=True)
    """
)


def _holder(tmp_path: Path, name: str, mode: str) -> tuple[subprocess.Popen, Path]:
    script = tmp_path / "holder.py"
    script.write_text(HOLDER, encoding="utf-8")
    proc = subprocess.Popen([sys.executable, str(script), str(tmp_path / "autosave"), name, mode],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert proc.stdout is not None
    return proc, Path(proc.stdout.readline().decode().strip())


def test_live_slot_is_not_offered_until_its_process_dies(tmp_path: Path) -> None:
    root = tmp_path / "autosave"
    proc, folder = _holder(tmp_path, "Live Patient", "crash")
    try:
        assert autosave_slots.is_live(folder)
        assert autosave.stale_records(root) == []
        assert autosave.read_autosave(root) is None
        assert autosave_slots.claim(folder) is None
        autosave_slots.tidy(root)
        assert (folder / autosave.RECORD_NAME).is_file()  # tidying never touches a live slot
    finally:
        proc.kill()
        proc.wait()
    # the OS dropped the lock with the process: now it is what a crash left behind
    assert not autosave_slots.is_live(folder)
    assert autosave.stale_records(root) == [folder]
    rec = autosave.read_autosave(root)
    assert rec is not None and rec.patient_name == "Live Patient" and rec.folder == folder


def test_clean_close_leaves_nothing_to_offer(tmp_path: Path) -> None:
    proc, folder = _holder(tmp_path, "Closed Patient", "clean")
    assert proc.stdin is not None
    proc.stdin.close()
    assert proc.wait() == 0
    assert not folder.exists()
    assert autosave.read_autosave(tmp_path / "autosave") is None


def test_tidy_removes_stale_temps_and_empty_slots(tmp_path: Path) -> None:
    root = tmp_path / "autosave"
    crashed = root / "slot-0123456789ab"
    crashed.mkdir(parents=True)
    (crashed / autosave_slots.LOCK_NAME).write_bytes(b"")
    autosave.write_autosave(Consult(notes="kept"), None, folder=crashed)
    empty = root / "slot-ba9876543210"
    empty.mkdir()
    (empty / autosave_slots.LOCK_NAME).write_bytes(b"")
    old = time.time() - 3600
    temps = [root / ".ixd-0badc0de.tmp", crashed / ".ixd-deadbeef.tmp", crashed / ".autosave.json.ab12cd34.tmp"]
    for t in temps:
        t.write_text('{"patient": {"name": "Leaked"}}', encoding="utf-8")
        os.utime(t, (old, old))
    fresh = root / ".ixd-00000001.tmp"  # maybe a save in progress right now: kept
    fresh.write_text("x", encoding="utf-8")
    user_file = root / ".notes.tmp"  # not our pattern
    user_file.write_text("x", encoding="utf-8")
    os.utime(user_file, (old, old))
    assert autosave_slots.tidy(root) == 3
    assert not any(t.exists() for t in temps)
    assert fresh.exists() and user_file.exists()
    assert not empty.exists()
    assert autosave.read_autosave(crashed) is not None  # a record is recovery's to decide


def test_locked_temp_is_never_removed(tmp_path: Path) -> None:
    fd, path = tempfiles.create_temp(tmp_path)
    try:
        old = time.time() - 3600
        os.utime(path, (old, old))
        assert tempfiles.remove_stale_temps(tmp_path) == 0 and path.exists()
    finally:
        os.close(fd)
    assert tempfiles.remove_stale_temps(tmp_path) == 1 and not path.exists()
