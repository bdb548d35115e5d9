"""Consult files: load with messages a clinician can act on, save atomically, user-only permissions.

A consult file is JSON of :class:`~ixdesk.core.consult.Consult`. Loading never raises anything but
:class:`ConsultFileError`, whose ``problems`` name each field and reason, so the CLI and the window
can show them without a traceback. Saving writes beside the target, flushes, fsyncs and replaces,
so a crash mid-save leaves either the old file or the new one, whole.
"""

from __future__ import annotations

import errno
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from ixdesk.core.consult import SCHEMA_VERSION, Consult
from ixdesk.core.tempfiles import create_temp, remove_stale_temps

MAX_FILE_BYTES = 5 * 1024 * 1024
FILE_MODE = 0o600


@dataclass(frozen=True)
class Problem:
    """One reason a consult is invalid: ``field`` is a dotted path such as ``regimens[0].start_date``."""

    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.field}: {self.message}" if self.field else self.message


class ConsultFileError(Exception):
    def __init__(self, path: str | None, problems: list[Problem]) -> None:
        self.path = path
        self.problems = problems
        head = f"{path}: " if path else ""
        super().__init__(head + "; ".join(str(p) for p in problems))


_PREFIXED = re.compile(r"^(?:Value error, )?([A-Za-z_][\w.\[\]]*): (.*)$", re.S)


def _join(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else ("." if out else "") + str(part)
    return out


def describe_validation_error(exc: ValidationError) -> list[Problem]:
    """Turn pydantic errors into field + reason, folding model-level messages onto their field."""
    problems: list[Problem] = []
    for err in exc.errors(include_url=False):
        loc = tuple(p for p in err["loc"] if not (isinstance(p, str) and p.startswith(("function-", "literal["))))
        msg = str(err["msg"])
        m = _PREFIXED.match(msg)
        if err["type"] == "value_error" and m:
            field = _join(loc + tuple(_split_path(m.group(1))))
            msg = m.group(2)
        else:
            field = _join(loc)
            msg = _friendly(err, msg)
        problems.append(Problem(field, msg))
    return problems


def _split_path(path: str) -> list[Any]:
    parts: list[Any] = []
    for token in re.findall(r"[A-Za-z_]\w*|\[\d+\]", path):
        parts.append(int(token[1:-1]) if token.startswith("[") else token)
    return parts


def _friendly(err: dict[str, Any], msg: str) -> str:
    kind = err["type"]
    if kind == "extra_forbidden":
        return "unknown field (not part of the consult format)"
    if kind == "missing":
        return "required"
    if kind == "literal_error":
        return msg.replace("Input should be", "must be")
    if kind in ("date_from_datetime_parsing", "date_parsing", "date_type"):
        return "not a valid date (use YYYY-MM-DD)"
    if kind.startswith(("greater_than", "less_than")):
        return msg.replace("Input should be", "must be")
    if kind.endswith("_type"):
        return msg.replace("Input should be", "must be")
    if kind == "string_too_long":
        return msg.replace("String should have", "must have")
    return msg.replace("Value error, ", "")


def parse_consult(text: str | bytes, path: str | None = None) -> Consult:
    """Validate consult JSON; raise :class:`ConsultFileError` naming every bad field."""
    if isinstance(text, bytes):
        if len(text) > MAX_FILE_BYTES:
            raise ConsultFileError(path, [Problem("", f"file is larger than {MAX_FILE_BYTES // 1024 // 1024} MB; not a consult")])
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ConsultFileError(path, [Problem("", f"not UTF-8 text (byte {exc.start})")]) from None
    if len(text) > MAX_FILE_BYTES:
        raise ConsultFileError(path, [Problem("", "file is too large to be a consult")])
    try:
        raw = json.loads(text)
    except (json.JSONDecodeError, RecursionError) as exc:
        where = f" at line {exc.lineno}, column {exc.colno}" if isinstance(exc, json.JSONDecodeError) else ""
        reason = exc.msg if isinstance(exc, json.JSONDecodeError) else "nested too deeply"
        raise ConsultFileError(path, [Problem("", f"not valid JSON{where}: {reason}")]) from None
    if not isinstance(raw, dict):
        raise ConsultFileError(path, [Problem("", "not a consult file (expected a JSON object)")])
    version = raw.get("schema_version", SCHEMA_VERSION)
    if isinstance(version, int) and not isinstance(version, bool) and version > SCHEMA_VERSION:
        raise ConsultFileError(path, [Problem(
            "schema_version",
            f"the file was written by a newer IxDesk (format {version}; this version reads format {SCHEMA_VERSION}). "
            "Update IxDesk to open it; the file was not changed.",
        )])
    try:
        return Consult.model_validate_json(text)
    except ValidationError as exc:
        raise ConsultFileError(path, describe_validation_error(exc)) from None
    except (RecursionError, ValueError) as exc:
        raise ConsultFileError(path, [Problem("", f"not a valid consult: {exc}")]) from None


def load_consult(path: str | os.PathLike[str]) -> Consult:
    p = Path(path)
    try:
        size = p.stat().st_size
        if size > MAX_FILE_BYTES:
            raise ConsultFileError(str(p), [Problem("", "file is too large to be a consult")])
        data = p.read_bytes()
    except FileNotFoundError:
        raise ConsultFileError(str(p), [Problem("", "file not found")]) from None
    except IsADirectoryError:
        raise ConsultFileError(str(p), [Problem("", "is a folder, not a consult file")]) from None
    except PermissionError:
        raise ConsultFileError(str(p), [Problem("", "permission denied")]) from None
    except OSError as exc:
        raise ConsultFileError(str(p), [Problem("", f"cannot be read ({exc.strerror})")]) from None
    return parse_consult(data, str(p))


def consult_to_json(consult: Consult) -> str:
    """Stable text form: keys in model order, two-space indent, trailing newline."""
    return consult.model_dump_json(indent=2) + "\n"


class ReadOnlyFileError(PermissionError):
    """The target exists and is read-only: IxDesk never overwrites it (nor changes its mode)."""


def resolve_save_target(path: str | os.PathLike[str]) -> Path:
    """The file a save really writes: a symbolic link's target (the link itself stays a link)."""
    target = Path(path)
    if target.is_symlink():
        target = Path(os.path.realpath(target))
    return target


def atomic_write_bytes(path: str | os.PathLike[str], data: bytes, mode: int = FILE_MODE) -> None:
    """Write beside the target, flush and fsync, then replace: the old file survives any crash.

    Used for consults, autosaves, settings and PDF reports alike, all of which may hold patient data,
    hence the user-only ``mode`` by default. A symbolic link is followed, so the file it points to
    is replaced and the link stays; a read-only target is refused with :class:`ReadOnlyFileError`.
    The temp file has a short name (a 255-byte target name still fits) and is locked while in use;
    temps that killed saves left in the folder are removed first (see :mod:`ixdesk.core.tempfiles`).
    """
    target = resolve_save_target(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        st = os.stat(target)
    except FileNotFoundError:
        st = None
    if st is not None and os.path.isfile(target) and (not os.access(target, os.W_OK) or not st.st_mode & 0o222):
        # os.access alone would let root through; a file with no write bit at all is read-only to everyone
        raise ReadOnlyFileError(errno.EACCES, "the file is read-only; IxDesk does not overwrite it. "
                                "Save under another name, or make the file writable first", str(target))
    remove_stale_temps(target.parent)
    fd, tmp = create_temp(target.parent, mode)
    try:
        try:
            if hasattr(os, "fchmod"):  # POSIX; on Windows the user's profile folder already guards it
                try:
                    os.fchmod(fd, mode)
                except OSError:
                    pass  # a file system without modes (vfat, some shares): created 0600 where it could
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view):]
            os.fsync(fd)
            if os.name == "nt":  # Windows cannot rename an open file; elsewhere the lock spans the rename
                os.close(fd)
                fd = -1
            os.replace(tmp, target)
        finally:
            if fd >= 0:
                os.close(fd)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    try:  # make the rename itself durable
        dfd = os.open(str(target.parent), os.O_RDONLY)
        try:
            os.fsync(dfd)
        finally:
            os.close(dfd)
    except OSError:
        pass


def atomic_write_text(path: str | os.PathLike[str], text: str, mode: int = FILE_MODE) -> None:
    """UTF-8 with ``\n`` line ends on every platform, written as :func:`atomic_write_bytes` does."""
    atomic_write_bytes(path, text.encode("utf-8"), mode)


def save_consult(consult: Consult, path: str | os.PathLike[str]) -> None:
    """Save atomically, readable by the user only. The consult is already valid by construction."""
    atomic_write_text(path, consult_to_json(consult))
