"""Headless screenshot of the window with a consult: ``python -m ixdesk.ui.screenshot IN.json OUT.png``.

Used to judge the look without a display and for the README. Autosave and settings go to a
temporary folder so a screenshot never touches the user's data.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile


def _same_file(a: str, b: str) -> bool:
    """Whether two paths name one file (the same path, a symlink or a hard link to it)."""
    try:
        return os.path.exists(a) and os.path.exists(b) and os.path.samefile(a, b)
    except OSError:
        return False


def _other_kind(path: str) -> bool:
    """An existing file that is not a PNG (a consult, a report): never replaced by a screenshot."""
    try:
        with open(path, "rb") as f:
            return f.read(8) != b"\x89PNG\r\n\x1a\n"
    except FileNotFoundError:
        return False
    except OSError:
        return False  # the write itself will say why


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m ixdesk.ui.screenshot", description=__doc__)
    ap.add_argument("consult", help="consult JSON file")
    ap.add_argument("out", help="PNG to write")
    ap.add_argument("--size", default="1280x800", help="window size WxH (default 1280x800, the smallest the window is made for)")
    ap.add_argument("--expand", action="append", default=[], help="finding id to expand (repeatable)")
    ap.add_argument("--select", default=None, help="finding id to select (shows its basis below)")
    args = ap.parse_args(argv)
    if _same_file(args.consult, args.out):
        print(f"screenshot: {args.out} is the consult being shown; give the PNG another name", file=sys.stderr)
        return 2
    if _other_kind(args.out):
        print(f"screenshot: {args.out} exists and is not a PNG; nothing written", file=sys.stderr)
        return 2
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    os.environ.setdefault("IXDESK_DATA_DIR", tempfile.mkdtemp(prefix="ixdesk-shot-"))
    w, h = (int(x) for x in args.size.lower().split("x"))

    from ixdesk.ui.app import ensure_app
    from ixdesk.ui.main_window import MainWindow

    app = ensure_app([sys.argv[0]])
    win = MainWindow()
    if not win.open_path(args.consult, ask=False):
        return 1
    win.resize(w, h)
    win.splitter.setSizes([int(w * 0.42), int(w * 0.58)])
    win.show()
    for fid in args.expand:
        item = win.panel.item_for_finding(fid)
        if item is not None:
            item.setExpanded(True)
    if args.select:
        item = win.panel.item_for_finding(args.select)
        if item is not None:
            win.panel.tree.setCurrentItem(item)
    for _ in range(5):
        app.processEvents()
    # encoded in memory, then written in one step: Qt's save truncates its file before it knows
    # whether it can write it (a failed save left an empty file where the path was)
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice

    from ixdesk.core.files import atomic_write_bytes

    data = QByteArray()
    buf = QBuffer(data)
    buf.open(QIODevice.OpenModeFlag.WriteOnly)
    ok = win.grab().save(buf, "PNG")
    buf.close()
    win.setWindowModified(False)
    win.close()
    if not ok:
        print("screenshot: the window could not be encoded as PNG; nothing written", file=sys.stderr)
        return 2
    try:
        atomic_write_bytes(args.out, bytes(data.data()))
    except OSError as exc:
        print(f"screenshot: cannot write {args.out}: {exc.strerror or type(exc).__name__}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
