"""Headless screenshot of the window with a consult: ``python -m ixdesk.ui.screenshot IN.json OUT.png``.

Used to judge the look without a display and for the README. Autosave and settings go to a
temporary folder so a screenshot never touches the user's data.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m ixdesk.ui.screenshot", description=__doc__)
    ap.add_argument("consult", help="consult JSON file")
    ap.add_argument("out", help="PNG to write")
    ap.add_argument("--size", default="1280x800", help="window size WxH (default 1280x800, the smallest the window is made for)")
    ap.add_argument("--expand", action="append", default=[], help="finding id to expand (repeatable)")
    ap.add_argument("--select", default=None, help="finding id to select (shows its basis below)")
    args = ap.parse_args(argv)
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
    ok = win.grab().save(args.out)
    win.setWindowModified(False)
    win.close()
    return 0 if ok else 2


if __name__ == "__main__":
    raise SystemExit(main())
