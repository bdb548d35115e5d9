"""Consult files: load with messages a clinician can act on, save atomically, user-only permissions.

A consult file is JSON of :class:`~ixdesk.core.consult.Consult`. Loading never raises anything but
:class:`ConsultFileError`, whose ``problems`` name each field and reason, so the CLI and the window
can show them without a traceback. Saving writes beside the target, flushes, fsyncs and replaces,
so a crash mid-save leaves either the old file or the new one, whole.
"""

from __future__ import annotations

import errno
import json
import math
import os
import re
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from pydantic_core import ErrorDetails

from ixdesk.core.consult import SCHEMA_VERSION, Consult
from ixdesk.core.tempfiles import create_temp, remove_stale_temps
from ixdesk.core.problems import Problem
from ixdesk.core.safe_read import InputReadError, read_file_limited, strip_bom, too_large_text

MAX_FILE_BYTES = 5 * 1024 * 1024
FILE_MODE = 0o600


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


def _friendly(err: ErrorDetails, msg: str) -> str:
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
    if kind == "finite_number":
        return "must be a finite number"
    if kind == "string_too_long":
        return msg.replace("String should have", "must have")
    return msg.replace("Value error, ", "")


MAX_INT_DIGITS = 100  # far above any count in a consult, far below Python's 4300-digit conversion limit


class _Refused:
    """A JSON number the consult format cannot hold, kept in place so its field can be named."""

    def __init__(self, reason: str) -> None:
        self.reason = reason


def _parse_int(text: str) -> int | _Refused:
    digits = len(text.lstrip("-"))
    if digits > MAX_INT_DIGITS:
        return _Refused(f"a number of {digits} digits is not a plausible value")
    return int(text)


def _parse_float(text: str) -> float | _Refused:
    value = float(text)
    if not math.isfinite(value):  # 1e400 overflows to infinity
        return _Refused("the number is too large (not a finite number)")
    return value


def _parse_constant(text: str) -> _Refused:
    return _Refused(f"{text} is not a number a consult can hold (use a finite value, or leave it empty)")


def _object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """A JSON object whose key is given twice with different values is refused at that key: the
    JSON reader would keep the last silently (a height of 160 then 250 cm gave the dose for 250)."""
    out: dict[str, Any] = {}
    for k, v in pairs:
        if k in out and not isinstance(out[k], _Refused) and out[k] != v:
            v = _Refused("is given twice in the file with different values; keep the right one and remove the other")
        elif k in out and isinstance(out[k], _Refused):
            continue
        out[k] = v
    return out


def _refused_numbers(raw: Any) -> list[Problem]:
    """Every refused number with its dotted path; iterative, since the JSON may nest deeply."""
    problems: list[Problem] = []
    stack: list[tuple[tuple[Any, ...], Any]] = [((), raw)]
    while stack:
        loc, value = stack.pop()
        if isinstance(value, _Refused):
            problems.append(Problem(_join(loc), value.reason))
        elif isinstance(value, dict):
            stack.extend(((*loc, k), v) for k, v in reversed(list(value.items())))
        elif isinstance(value, list):
            stack.extend(((*loc, i), v) for i, v in reversed(list(enumerate(value))))
    return problems


def parse_consult(text: str | bytes, path: str | None = None) -> Consult:
    """Validate consult JSON; raise :class:`ConsultFileError` naming every bad field.

    A UTF-8 byte order mark is dropped (Windows editors add one). Numbers the format cannot hold
    (NaN, Infinity, 1e400, integers of thousands of digits) are refused here, naming their field,
    before anything converts them: Python refuses to convert integers over 4300 digits, and a
    non-finite value would be saved as ``null``, leaving a file that no longer opens.
    """
    if isinstance(text, bytes):
        if len(text) > MAX_FILE_BYTES:
            raise ConsultFileError(path, [Problem("", f"file is {too_large_text(MAX_FILE_BYTES)}; not a consult")])
        try:
            text = strip_bom(text).decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ConsultFileError(path, [Problem("", f"not UTF-8 text (byte {exc.start})")]) from None
    elif text.startswith("\ufeff"):
        text = text[1:]
    if len(text) > MAX_FILE_BYTES:
        raise ConsultFileError(path, [Problem("", "file is too large to be a consult")])
    try:
        raw = json.loads(text, parse_int=_parse_int, parse_float=_parse_float, parse_constant=_parse_constant,
                         object_pairs_hook=_object)
    except (json.JSONDecodeError, RecursionError) as exc:
        where = f" at line {exc.lineno}, column {exc.colno}" if isinstance(exc, json.JSONDecodeError) else ""
        reason = exc.msg if isinstance(exc, json.JSONDecodeError) else "nested too deeply"
        raise ConsultFileError(path, [Problem("", f"not valid JSON{where}: {reason}")]) from None
    except ValueError as exc:  # defence in depth: a conversion limit the hooks above did not catch
        raise ConsultFileError(path, [Problem("", f"not valid JSON: {type(exc).__name__}")]) from None
    if not isinstance(raw, dict):
        if isinstance(raw, _Refused):
            raise ConsultFileError(path, [Problem("", raw.reason)])
        raise ConsultFileError(path, [Problem("", "not a consult file (expected a JSON object)")])
    refused = _refused_numbers(raw)
    if refused:
        raise ConsultFileError(path, refused)
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
        raise ConsultFileError(path, [Problem("", f"not a valid consult ({type(exc).__name__})")]) from None


def load_consult(path: str | os.PathLike[str]) -> Consult:
    """Read a regular file of at most ``MAX_FILE_BYTES`` (never a FIFO or device: see ``safe_read``)."""
    p = Path(path)
    try:
        data = read_file_limited(p, MAX_FILE_BYTES)
    except InputReadError as exc:
        reason = exc.reason
        if reason.startswith("is larger than"):
            reason = f"file {reason}; too large to be a consult"
        elif reason.startswith("is a folder"):
            reason = "is a folder, not a consult file"
        raise ConsultFileError(str(p), [Problem("", reason)]) from None
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
