"""Autosave of the open consult, without Qt, so crash recovery is testable headless.

One autosave slot lives in ``<data dir>/autosave/``: the consult JSON and a small marker naming the
file it belongs to (or none for an unsaved consult). Both are written atomically with mode 0600
because they hold patient data. A clean shutdown removes them; their presence at start means the
last session did not end cleanly, and the window offers to recover.

``IXDESK_DATA_DIR`` overrides the platform data folder so tests never touch the real user folder.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from ixdesk.core.consult import Consult
from ixdesk.core.files import ConsultFileError, atomic_write_text, consult_to_json, parse_consult

ENV_DATA_DIR = "IXDESK_DATA_DIR"
CONSULT_NAME = "consult.json"
MARKER_NAME = "origin.json"
MODE = 0o600


def data_dir() -> Path:
    """The user data folder: ``$IXDESK_DATA_DIR`` if set, else platformdirs' user data dir."""
    env = os.environ.get(ENV_DATA_DIR)
    if env:
        return Path(env)
    import platformdirs  # imported late: only the window needs it

    return Path(platformdirs.user_data_dir("ixdesk", appauthor=False))


def autosave_dir() -> Path:
    return data_dir() / "autosave"


@dataclass(frozen=True)
class Recovered:
    """What a previous session left behind."""

    consult: Consult | None  # None when the autosave itself is unreadable
    original_path: str | None  # the file the consult was opened from / saved to, if any
    saved_at: str | None  # ISO timestamp of the autosave
    problems: list[str]


def write_autosave(consult: Consult, original_path: str | None, folder: Path | None = None) -> Path:
    """Write the consult and its marker atomically, user-only; return the consult file's path."""
    folder = folder or autosave_dir()
    folder.mkdir(parents=True, exist_ok=True)
    try:
        os.chmod(folder, 0o700)
    except OSError:
        pass
    target = folder / CONSULT_NAME
    atomic_write_text(target, consult_to_json(consult), mode=MODE)
    marker = {"original_path": original_path, "saved_at": datetime.now().isoformat(timespec="seconds")}
    atomic_write_text(folder / MARKER_NAME, json.dumps(marker, indent=2) + "\n", mode=MODE)
    return target


def has_autosave(folder: Path | None = None) -> bool:
    return ((folder or autosave_dir()) / CONSULT_NAME).is_file()


def read_autosave(folder: Path | None = None) -> Recovered | None:
    """Return what is in the slot, or None if it is empty. Never raises on bad content."""
    folder = folder or autosave_dir()
    path = folder / CONSULT_NAME
    if not path.is_file():
        return None
    original: str | None = None
    saved_at: str | None = None
    problems: list[str] = []
    try:
        marker = json.loads((folder / MARKER_NAME).read_text(encoding="utf-8"))
        if isinstance(marker, dict):
            op = marker.get("original_path")
            original = op if isinstance(op, str) and op else None
            sa = marker.get("saved_at")
            saved_at = sa if isinstance(sa, str) else None
    except (OSError, ValueError):
        problems.append("the autosave marker is missing or unreadable; the original file name is unknown")
    try:
        consult: Consult | None = parse_consult(path.read_bytes(), str(path))
    except ConsultFileError as exc:
        consult = None
        problems.extend(str(p) for p in exc.problems)
    except OSError as exc:
        consult = None
        problems.append(f"cannot read the autosave ({exc.strerror})")
    return Recovered(consult, original, saved_at, problems)


def clear_autosave(folder: Path | None = None) -> None:
    """Remove the slot: called on clean shutdown, after a save, or when recovery is declined."""
    folder = folder or autosave_dir()
    for name in (CONSULT_NAME, MARKER_NAME):
        try:
            (folder / name).unlink()
        except FileNotFoundError:
            pass
