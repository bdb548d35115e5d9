"""Autosave of the open consult, without Qt, so crash recovery is testable headless.

The consult and the file it belongs to are ONE record (``autosave.json``: the consult, its original
path and the time), written atomically with mode 0600 because it holds patient data. Two files
written one after the other could be left half-updated by a kill, pairing one patient's consult with
another patient's file; one atomically replaced file is always a consistent pair or the previous one.

Each open window autosaves into its own slot, a folder under ``<data dir>/autosave/`` held by a lock
(:mod:`ixdesk.core.autosave_slots`). A clean close removes the slot; an unlocked slot with a record
means a session did not end cleanly, and the next window offers to recover it. A slot held by a live
window is never offered.

The functions below keep their older, folder-based signatures:

- ``write_autosave(consult, path, folder=F)`` writes the record ``F/autosave.json``. Without a folder
  it writes into this process's own slot (taken and locked on first use).
- ``read_autosave(F)`` returns the record in ``F`` if ``F`` holds one (``F`` is a slot). Otherwise ``F``
  is taken as the autosave folder: it returns the newest record among the slots no live process
  holds, or this process's own slot; None if there is none. Without a folder, ``F`` is the
  autosave folder. The pair returned is always one written together.

``IXDESK_DATA_DIR`` overrides the platform data folder so tests never touch the real user folder.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from ixdesk.core import autosave_slots as slots
from ixdesk.core.autosave_slots import ENV_DATA_DIR, autosave_dir, data_dir  # noqa: F401 - public here too
from ixdesk.core.consult import Consult
from ixdesk.core.files import MAX_FILE_BYTES, ConsultFileError, atomic_write_text, consult_to_json, parse_consult
from ixdesk.core.safe_read import InputReadError, read_file_limited

# a record is the consult plus its path and time: a little more than the largest consult file
MAX_RECORD_BYTES = MAX_FILE_BYTES + 64 * 1024

RECORD_NAME = slots.RECORD_NAME
CONSULT_NAME = RECORD_NAME  # the one file of an autosave (the name older callers know it by)
LEGACY_CONSULT_NAME, MARKER_NAME = slots.LEGACY_NAMES  # the two files IxDesk wrote before; read, never written
RECORD_FORMAT = 1
MODE = 0o600


@dataclass(frozen=True)
class Recovered:
    """What a previous session left behind."""

    consult: Consult | None  # None when the autosave itself is unreadable
    original_path: str | None  # the file the consult was opened from / saved to, if any
    saved_at: str | None  # ISO timestamp of the autosave
    problems: list[str]
    folder: Path | None = field(default=None, compare=False)  # the slot it was read from

    @property
    def patient_name(self) -> str | None:
        return self.consult.patient.name if self.consult is not None and self.consult.patient.name else None


_own_slots: dict[Path, slots.Slot] = {}  # this process's slot per autosave folder (write_autosave without folder)


def own_slot(root: Path | None = None) -> slots.Slot:
    """This process's own slot under ``root`` (the autosave folder), taken and locked on first use."""
    root = root or autosave_dir()
    slot = _own_slots.get(root)
    if slot is None or not slot.held:
        slot = _own_slots[root] = slots.acquire_slot(root)
    return slot


def record_json(consult: Consult, original_path: str | None) -> str:
    """The record's text: the consult and its file in one JSON object."""
    doc: dict[str, Any] = {
        "ixdesk_autosave": RECORD_FORMAT,
        "saved_at": datetime.now().isoformat(timespec="seconds"),
        "original_path": original_path,
        "consult": json.loads(consult_to_json(consult)),
    }
    return json.dumps(doc, ensure_ascii=False, indent=1) + "\n"


def write_autosave(consult: Consult, original_path: str | None, folder: Path | None = None) -> Path:
    """Write the consult and its original path as one record, atomically, user-only; return its path."""
    folder = Path(folder) if folder is not None else own_slot().folder
    slots.make_private_folder(folder)
    target = folder / RECORD_NAME
    atomic_write_text(target, record_json(consult, original_path), mode=MODE)
    return target


def _is_own(folder: Path) -> bool:
    return any(s.held and s.folder == folder for s in _own_slots.values())


def _recoverable(root: Path) -> list[Path]:
    """Slot folders under ``root`` with a record that no live process holds, or this process's own."""
    return [f for f in slots.slot_folders(root) if _is_own(f) or not slots.is_live(f)]


def stale_records(root: Path | None = None) -> list[Path]:
    """Folders whose record a window may offer to recover: slots under ``root`` (the autosave folder)
    that no live process holds, newest first, then ``root`` itself if it holds a record (an older
    IxDesk's two files, or ``write_autosave(folder=root)``). This process's own slots are live, so never listed."""
    root = Path(root) if root is not None else autosave_dir()
    found = [f for f in slots.slot_folders(root) if not slots.is_live(f)]
    if (root / RECORD_NAME).is_file() or (root / LEGACY_CONSULT_NAME).is_file():
        found.append(root)  # written there by an older IxDesk, or by write_autosave(folder=root)
    return found


def has_autosave(folder: Path | None = None) -> bool:
    folder = Path(folder) if folder is not None else autosave_dir()
    return (folder / RECORD_NAME).is_file() or (folder / LEGACY_CONSULT_NAME).is_file() or bool(_recoverable(folder))


def detach_if_another_patient(rec: Recovered) -> Recovered:
    """The record, without its file if that file now holds another patient's consult (with a note)."""
    if not file_holds_another_patient(rec):
        return rec
    note = (f"{rec.original_path} now holds a consult of a different patient (name or record number "
            "differs), so Save will ask for a file name instead of overwriting it")
    return replace(rec, original_path=None, problems=[*rec.problems, note])


def read_record(folder: Path) -> Recovered | None:
    """The record in the slot ``folder`` (or an older IxDesk's two files there); None if empty.
    Never raises on bad content: the problems are listed instead."""
    path = folder / RECORD_NAME
    if not path.exists():
        return _read_legacy(folder)
    try:
        # one read of one file: the consult and its path belong together
        data = read_file_limited(path, MAX_RECORD_BYTES)
    except FileNotFoundError:
        return _read_legacy(folder)
    except InputReadError as exc:
        return Recovered(None, None, None, [f"the autosave {exc.reason}"], folder)
    except OSError as exc:
        return Recovered(None, None, None, [f"cannot read the autosave ({exc.strerror})"], folder)
    try:
        doc = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        return Recovered(None, None, None, ["the autosave is damaged (not a readable record)"], folder)
    if not isinstance(doc, dict) or "consult" not in doc:
        return Recovered(None, None, None, ["the autosave is not an IxDesk autosave record"], folder)
    op, sa = doc.get("original_path"), doc.get("saved_at")
    original = op if isinstance(op, str) and op else None
    saved_at = sa if isinstance(sa, str) else None
    try:
        consult: Consult | None = parse_consult(json.dumps(doc["consult"]), str(path))
        problems: list[str] = []
    except (ConsultFileError, ValueError) as exc:
        consult = None
        problems = [str(p) for p in exc.problems] if isinstance(exc, ConsultFileError) else [str(exc)]
    return Recovered(consult, original, saved_at, problems, folder)


def _read_legacy(folder: Path) -> Recovered | None:
    """An older IxDesk's autosave: its consult alone. Its origin marker was a second file that a kill
    could leave from another consult, so the file it names is not trusted: the consult comes back
    unsaved, to be saved under a name the user chooses."""
    path = folder / LEGACY_CONSULT_NAME
    if not path.exists():
        return None
    try:
        data = read_file_limited(path, MAX_RECORD_BYTES)
    except FileNotFoundError:
        return None
    except InputReadError as exc:
        return Recovered(None, None, None, [f"the autosave {exc.reason}"], folder)
    except OSError as exc:
        return Recovered(None, None, None, [f"cannot read the autosave ({exc.strerror})"], folder)
    note = "autosave of an older IxDesk: the file it belonged to is not known; save it under a new name"
    try:
        return Recovered(parse_consult(data, str(path)), None, None, [note], folder)
    except ConsultFileError as exc:
        return Recovered(None, None, None, [str(p) for p in exc.problems], folder)


def _who(consult: Consult) -> tuple[str, str]:
    p = consult.patient
    return (" ".join((p.name or "").split()).casefold(), (p.record_number or "").strip().casefold())


def file_holds_another_patient(rec: Recovered) -> bool:
    """True if the record's file now holds another patient's consult, so that a Save must not
    overwrite it unasked: the record numbers differ (when both have one), else the names differ
    (when both have one). An unreadable or missing file is not evidence either way: False."""
    if rec.consult is None or not rec.original_path:
        return False
    from ixdesk.core.files import load_consult

    try:
        on_disk = load_consult(rec.original_path)
    except ConsultFileError:
        return False
    (name_a, number_a), (name_b, number_b) = _who(rec.consult), _who(on_disk)
    if number_a and number_b:  # the record number decides when both have one (a corrected name is fine)
        return number_a != number_b
    return bool(name_a and name_b and name_a != name_b)


def read_autosave(folder: Path | None = None) -> Recovered | None:
    """The record in ``folder`` if it is a slot, else the newest recoverable one under it (see the
    module docstring); None if there is none. Never raises on bad content."""
    folder = Path(folder) if folder is not None else autosave_dir()
    rec = read_record(folder)
    if rec is not None:
        return rec
    for slot_folder in _recoverable(folder):
        rec = read_record(slot_folder)
        if rec is not None:
            return rec
    return None


def clear_autosave(folder: Path | None = None) -> None:
    """Remove what :func:`read_autosave` of the same folder would return: the slot's record, or,
    for the autosave folder, every record no live process holds. (The window clears its own slot
    through :class:`~ixdesk.core.autosave_slots.Slot` and never calls this.)"""
    folder = Path(folder) if folder is not None else autosave_dir()
    targets = [folder] if (folder / RECORD_NAME).exists() or (folder / LEGACY_CONSULT_NAME).exists() else []
    for f in targets or _recoverable(folder):
        for name in (RECORD_NAME, *slots.LEGACY_NAMES):
            try:
                (f / name).unlink()
            except FileNotFoundError:
                pass
