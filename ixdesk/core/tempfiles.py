"""Temp files of atomic saves: one short name pattern, a lock while in use, removal once stale.

An atomic save writes a temp file beside its target and renames it over the target. A save that is
killed leaves its temp file behind, and that file holds patient data. So each temp is locked
(``flock``) by the process writing it, and the next save into the same folder, or the start-up
tidy of the autosave folder, removes every temp of ours whose writer is gone.

The name is short (``.ixd-<8 random>.tmp``, 17 bytes) so that a target whose name is already at the
file system's 255-byte limit can still be saved; older IxDesk versions named temps after the
target (``.<target name>.<8 random>.tmp``), and those leftovers are removed too.

No pydantic and no Qt here: the window imports this at start-up.
"""

from __future__ import annotations

import os
import re
import time
from pathlib import Path

try:
    import fcntl
except ImportError:  # Windows: no flock; age alone decides there
    fcntl = None  # type: ignore[assignment]

TEMP_PREFIX = ".ixd-"
TEMP_SUFFIX = ".tmp"
_OURS = re.compile(r"^\.ixd-[0-9a-f]{8}\.tmp$")
# Left by IxDesk before this naming: tempfile.mkstemp(prefix=".<name>.", suffix=".tmp").
_LEGACY = re.compile(r"^\..+\.(?:json|pdf|ini|conf)\.[a-z0-9_]{8}\.tmp$")

# A temp whose writer holds no lock is stale once it is this old. The lock is taken right after the
# file is created, so the age only covers that instant (and a writer stopped within it).
STALE_UNLOCKED_S = 30.0
# Where locks cannot be probed (no flock, a share without locks), only a temp this old is stale.
STALE_UNPROBED_S = 600.0


def is_temp_name(name: str) -> bool:
    """True for a temp file name made by IxDesk (this version or an older one)."""
    return bool(_OURS.match(name) or _LEGACY.match(name))


def create_temp(folder: Path, mode: int = 0o600) -> tuple[int, Path]:
    """Create a new temp file in ``folder`` (``O_EXCL``, user-only), locked by this process.

    The caller keeps the descriptor open until the temp has been renamed over its target, so the
    lock holds for the whole save."""
    flags = os.O_RDWR | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)
    for _ in range(100):
        path = folder / f"{TEMP_PREFIX}{os.urandom(4).hex()}{TEMP_SUFFIX}"
        try:
            fd = os.open(str(path), flags, mode)
        except FileExistsError:
            continue
        if fcntl is not None:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                pass  # a file system without locks: the age rule protects this temp
        return fd, path
    raise FileExistsError(f"no free temp file name in {folder}")


def _writer_alive(path: Path) -> bool | None:
    """True if a live process holds the temp's lock, False if none does, None if it cannot be told."""
    if fcntl is None:
        return None
    try:
        fd = os.open(str(path), os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except OSError:
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    except OSError:
        return None
    finally:
        os.close(fd)  # also drops the probe's own lock
    return False


def remove_stale_temps(folder: str | os.PathLike[str], now: float | None = None) -> int:
    """Remove IxDesk temp files in ``folder`` whose writer is gone; return how many were removed.

    Never raises: a folder that cannot be listed, or a temp that cannot be removed, is left as is
    (the save itself reports real problems)."""
    now = time.time() if now is None else now
    removed = 0
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return 0
    for entry in entries:
        if not is_temp_name(entry.name):
            continue
        try:
            if not entry.is_file(follow_symlinks=False):
                continue
            age = now - entry.stat(follow_symlinks=False).st_mtime
        except OSError:
            continue
        alive = _writer_alive(Path(entry.path))
        if alive or (alive is None and age < STALE_UNPROBED_S) or age < STALE_UNLOCKED_S:
            continue
        try:
            os.unlink(entry.path)
            removed += 1
        except OSError:
            pass
    return removed
