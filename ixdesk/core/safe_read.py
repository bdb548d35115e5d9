"""Reading untrusted input with a size limit, from regular files only.

Every consult, batch and criteria file passes through here before it is parsed, because a path can
name something that is not a file: ``/dev/zero`` never ends (the reader fills memory), a FIFO blocks
forever on open, a terminal waits for typing. Opening with ``O_NONBLOCK`` and checking ``fstat`` on
the open descriptor refuses all of them at once, without a race between a check and the open, and
reading at most ``limit + 1`` bytes proves a file too large without holding more than that.

Errors are :class:`InputReadError` with a reason in the user's words (no path, no content), so
each caller can put it beside its own name for the input.
"""

from __future__ import annotations

import os
import stat
from typing import BinaryIO, Iterator

__all__ = ["InputReadError", "LineTooLong", "iter_lines_limited", "open_regular_file", "read_file_limited",
           "read_stream_limited", "strip_bom", "too_large_text"]

UTF8_BOM = b"\xef\xbb\xbf"
CHUNK = 1 << 16


class InputReadError(Exception):
    """The input cannot be read as a file: ``reason`` says why, for a message beside the input's name."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def too_large_text(limit: int) -> str:
    """'larger than 5 MB' (or KB / bytes for small limits): the same wording wherever a limit bites."""
    if limit >= 1024 * 1024 and limit % (1024 * 1024) == 0:
        return f"larger than {limit // (1024 * 1024)} MB"
    if limit >= 1024 and limit % 1024 == 0:
        return f"larger than {limit // 1024} KB"
    return f"larger than {limit} bytes"


def open_regular_file(path: str | os.PathLike[str]) -> BinaryIO:
    """Open ``path`` for reading only if it is a regular file (a symlink to one is fine).

    ``O_NONBLOCK`` makes the open of a FIFO with no writer return at once instead of blocking; the
    ``fstat`` of the open descriptor then refuses it, and devices, sockets and folders with it.
    """
    nonblock = getattr(os, "O_NONBLOCK", 0)  # POSIX; Windows has no FIFOs to block on
    flags = os.O_RDONLY | nonblock | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(os.fspath(path), flags)
    except FileNotFoundError:
        raise InputReadError("file not found") from None
    except IsADirectoryError:
        raise InputReadError("is a folder, not a file") from None
    except PermissionError:
        raise InputReadError("permission denied") from None
    except OSError as exc:
        raise InputReadError(f"cannot be read ({exc.strerror or type(exc).__name__})") from None
    try:
        mode = os.fstat(fd).st_mode
        if stat.S_ISDIR(mode):
            raise InputReadError("is a folder, not a file")
        if not stat.S_ISREG(mode):
            kind = ("a named pipe (FIFO)" if stat.S_ISFIFO(mode) else "a device" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode)
                    else "a socket" if stat.S_ISSOCK(mode) else "not a regular file")
            raise InputReadError(f"is {kind}, not a regular file; only files are read")
        if nonblock:
            os.set_blocking(fd, True)  # a regular file: ordinary reads from here on
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def read_stream_limited(stream: BinaryIO, limit: int) -> bytes:
    """All of ``stream``, or :class:`InputReadError` once more than ``limit`` bytes have come."""
    chunks: list[bytes] = []
    total = 0
    while True:
        try:
            chunk = stream.read(min(CHUNK, limit + 1 - total))
        except OSError as exc:
            raise InputReadError(f"cannot be read ({exc.strerror or type(exc).__name__})") from None
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)
        total += len(chunk)
        if total > limit:
            raise InputReadError(f"is {too_large_text(limit)}")


def read_file_limited(path: str | os.PathLike[str], limit: int) -> bytes:
    """The bytes of a regular file of at most ``limit`` bytes; anything else is :class:`InputReadError`.

    The size is checked from ``fstat`` first (a huge file is refused without reading it) and again
    while reading (a file that grows meanwhile, or one whose size the file system does not report).
    """
    with open_regular_file(path) as fh:
        try:
            size = os.fstat(fh.fileno()).st_size
        except OSError:
            size = 0
        if size > limit:
            raise InputReadError(f"is {too_large_text(limit)}")
        return read_stream_limited(fh, limit)


def strip_bom(data: bytes) -> bytes:
    """Drop a UTF-8 byte order mark: some Windows editors add one, and it is not part of the JSON."""
    return data[len(UTF8_BOM):] if data.startswith(UTF8_BOM) else data


class LineTooLong:
    """Stands in for a line longer than the limit, which was skipped without being kept in memory."""

    def __init__(self, limit: int) -> None:
        self.limit = limit

    @property
    def reason(self) -> str:
        return f"line is {too_large_text(self.limit)}"


def iter_lines_limited(stream: BinaryIO, limit: int, max_skip: int | None = None,
                       ) -> Iterator[tuple[int, bytes | LineTooLong]]:
    """``(line number, bytes without the line end)`` for each line of ``stream``, holding at most
    ``limit + 1`` bytes of one line in memory.

    A longer line is yielded as :class:`LineTooLong` and the rest of it is skipped, so one huge line
    costs one error, not the batch. Skipping stops with :class:`InputReadError` (for the line after
    the last one yielded) after ``max_skip``
    bytes (default 16 × ``limit``) without a line end: an endless stream such as ``/dev/zero`` then
    ends the batch with a message instead of reading forever.
    """
    max_skip = 16 * limit if max_skip is None else max_skip
    number = 0
    while True:
        try:
            line = stream.readline(limit + 2)  # the limit, the line end, and one byte to prove "too long"
        except OSError as exc:
            raise InputReadError(f"cannot be read ({exc.strerror or type(exc).__name__})") from None
        if not line:
            return
        number += 1
        body = line[:-1] if line.endswith(b"\n") else line
        if body.endswith(b"\r"):
            body = body[:-1]
        if len(body) <= limit:
            yield number, body
            continue
        skipped = len(line)
        while not line.endswith(b"\n"):
            line = stream.readline(CHUNK)
            if not line:
                break
            skipped += len(line)
            if skipped > max_skip and not line.endswith(b"\n"):
                raise InputReadError(f"line is {too_large_text(max_skip)} without a line end; "
                                     "the rest of the input was not read")
        yield number, LineTooLong(limit)
