"""Autosave slots: one folder per open window, held by a lock that the OS drops when the process dies.

``<autosave folder>/slot-<random>/`` holds a ``lock`` file, locked (``flock``) for as long as its
window lives, and at most one record (``autosave.json``, see :mod:`ixdesk.core.autosave`). A slot
whose lock nobody holds belongs to a session that ended without closing cleanly: its record is what
the next start may offer to recover. A slot whose lock is held belongs to a live window and is never
offered, read for recovery or tidied away. Closing a window cleanly (after saving or discarding)
removes its slot, so discarded edits are never offered again.

No pydantic and no Qt here: the window takes its slot while its first paint is still pending.
"""

from __future__ import annotations

import os
from pathlib import Path

from ixdesk.core import tempfiles

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None  # type: ignore[assignment]
    import msvcrt
else:
    msvcrt = None  # type: ignore[assignment]

LOCK_NAME = "lock"
RECORD_NAME = "autosave.json"
SLOT_PREFIX = "slot-"
# Names a slot may hold; removing a slot removes these and nothing else the user may have put there.
LEGACY_NAMES = ("consult.json", "origin.json")
FOLDER_MODE = 0o700
FILE_MODE = 0o600
ENV_DATA_DIR = "IXDESK_DATA_DIR"


def data_dir() -> Path:
    """The user data folder: ``$IXDESK_DATA_DIR`` if set, else platformdirs' user data dir."""
    env = os.environ.get(ENV_DATA_DIR)
    if env:
        return Path(env)
    import platformdirs  # imported late: only the window needs it

    return Path(platformdirs.user_data_dir("ixdesk", appauthor=False))


def autosave_dir() -> Path:
    return data_dir() / "autosave"


def _lock(fd: int) -> bool | None:
    """Take the slot lock without waiting: True if taken, False if another holder has it,
    None if this file system cannot lock (the slot then works as an unlocked one)."""
    try:
        if fcntl is not None:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        else:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
    except BlockingIOError:
        return False
    except PermissionError:  # msvcrt reports a held lock this way
        return False
    except OSError:
        return None
    return True


def make_private_folder(folder: Path) -> None:
    """Create ``folder`` (and its parents) and make it user-only: it will hold patient data."""
    folder.mkdir(parents=True, exist_ok=True, mode=FOLDER_MODE)
    try:
        os.chmod(folder, FOLDER_MODE)
    except OSError:
        pass


class Slot:
    """A slot folder and the open descriptor of its lock file (the lock lives as long as it)."""

    def __init__(self, folder: Path, fd: int) -> None:
        self.folder = folder
        self._fd: int | None = fd

    @property
    def held(self) -> bool:
        return self._fd is not None

    @property
    def record(self) -> Path:
        return self.folder / RECORD_NAME

    def clear(self) -> None:
        """Remove the record (after a save, a discard or a declined recovery); the slot stays held."""
        for name in (RECORD_NAME, *LEGACY_NAMES):
            try:
                (self.folder / name).unlink()
            except FileNotFoundError:
                pass

    def release(self, remove: bool = True) -> None:
        """Give the slot up; with ``remove`` (a clean close) delete its record and folder first."""
        if self._fd is None:
            return
        if remove:
            try:
                self.clear()
                tempfiles.remove_stale_temps(self.folder)
                (self.folder / LOCK_NAME).unlink()
                self.folder.rmdir()
            except OSError:
                pass  # something else in the folder: leave it; an empty slot is harmless
        self.abandon()

    def abandon(self) -> None:
        """Drop the lock and keep everything, as a crash does (tests use it to play a crash)."""
        if self._fd is not None:
            try:
                os.close(self._fd)
            finally:
                self._fd = None

    def __repr__(self) -> str:
        return f"Slot({str(self.folder)!r}, held={self.held})"


def claim(folder: Path) -> Slot | None:
    """Lock an existing slot folder; None if a live window (or another claimer) holds it."""
    flags = os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0)
    try:
        fd = os.open(str(folder / LOCK_NAME), flags, FILE_MODE)
    except OSError:
        return None
    if _lock(fd) is False:
        os.close(fd)
        return None
    return Slot(folder, fd)


def acquire_slot(root: Path) -> Slot:
    """A new slot of this process's own under ``root``, locked until released or the process ends."""
    make_private_folder(root)
    for _ in range(100):
        folder = root / f"{SLOT_PREFIX}{os.urandom(6).hex()}"
        try:
            folder.mkdir(mode=FOLDER_MODE)
        except FileExistsError:
            continue
        slot = claim(folder)
        if slot is not None:
            return slot
    raise OSError(f"cannot create an autosave slot in {root}")


def is_live(folder: Path) -> bool:
    """True if a live window holds the slot's lock. A slot without a lock file is not live."""
    try:
        fd = os.open(str(folder / LOCK_NAME), os.O_RDWR | getattr(os, "O_NOFOLLOW", 0))
    except OSError:
        return False
    try:
        return _lock(fd) is False
    finally:
        os.close(fd)  # also drops the probe's own lock


def slot_folders(root: Path) -> list[Path]:
    """Every slot folder under ``root`` that holds a record, newest record first."""
    found: list[tuple[float, Path]] = []
    try:
        entries = list(os.scandir(root))
    except OSError:
        return []
    for entry in entries:
        try:
            if not entry.is_dir(follow_symlinks=False):
                continue
            st = os.stat(os.path.join(entry.path, RECORD_NAME), follow_symlinks=False)
        except OSError:
            continue
        found.append((st.st_mtime, Path(entry.path)))
    found.sort(key=lambda t: t[0], reverse=True)
    return [p for _, p in found]


def tidy(root: Path) -> int:
    """At start-up: remove stale temp files in the autosave folder and in slots no live window
    holds, and slots left empty. Records are kept (recovery decides about them). Never raises."""
    removed = tempfiles.remove_stale_temps(root)
    try:
        entries = list(os.scandir(root))
    except OSError:
        return removed
    for entry in entries:
        try:
            if not entry.is_dir(follow_symlinks=False) or not entry.name.startswith(SLOT_PREFIX):
                continue
        except OSError:
            continue
        slot = claim(Path(entry.path))
        if slot is None:
            continue  # a live window's slot
        try:
            removed += tempfiles.remove_stale_temps(slot.folder)
            names = set(os.listdir(slot.folder)) - {LOCK_NAME}
        except OSError:
            names = {"?"}
        slot.release(remove=not names)
    return removed
