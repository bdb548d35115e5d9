"""UI responsiveness: re-assessment latency after an edit, and window open time vs a bare QMainWindow.

    python bench/bench_ui.py [--edits 400] [--opens 7]

(a) edits the weight and neutrophil fields of an example consult many times through the widgets
    and times the cycle the user waits for: collect form -> validate Consult -> assess() -> update
    panel; then, separately, the same plus the layout and repaint that follow (processEvents).
(b) starts fresh interpreters that each create a QApplication and show either a bare QMainWindow
    or the IxDesk window, and time import + construction + first paint. IxDesk's first paint is the
    frame, menus and "Loading…" lines; the form and the panel are built on the next event-loop pass
    (ready to type), while a worker thread imports pydantic and the engine and loads the criteria.
    The time until the form is ready to type into, and until an example consult is open and
    assessed (which waits for the worker), are printed too, for honesty.
Prints a table; figures go into the README. Not a test: timings never gate CI.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("IXDESK_DATA_DIR", tempfile.mkdtemp(prefix="ixdesk-bench-"))

REPO = Path(__file__).resolve().parent.parent
EXAMPLE = REPO / "resources" / "examples" / "01-combination-after-anthracycline-and-taxane.json"

BARE = """
import time, os; t0 = time.perf_counter()
from PySide6.QtWidgets import QApplication, QMainWindow
app = QApplication([]); w = QMainWindow(); w.resize(1280, 800); w.show(); w.repaint()
print(time.perf_counter() - t0)
"""
IXDESK = """
import time, os, sys; t0 = time.perf_counter()
from ixdesk.ui.app import ensure_app
from ixdesk.ui.main_window import MainWindow
app = ensure_app(); w = MainWindow(); w.resize(1280, 800); w.show(); w.repaint()
t1 = time.perf_counter()
app.processEvents()  # the form and the panel, as after first paint (the core loads in a worker)
w.repaint()
tr = time.perf_counter()
w.open_path(sys.argv[1], ask=False); app.processEvents()
t2 = time.perf_counter()
assert w.current_assessment() is not None
print(t1 - t0, t2 - t0, tr - t0)
w.setWindowModified(False)
"""


def pct(values: list[float], p: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, round(p / 100 * (len(s) - 1)))]


def bench_edits(n: int) -> dict[str, float]:
    from ixdesk.ui.app import ensure_app
    from ixdesk.ui.main_window import MainWindow

    app = ensure_app()
    win = MainWindow()
    win.show()
    assert win.open_path(str(EXAMPLE), ask=False)
    app.processEvents()
    weight = win.form.fields["patient.weight_kg"][0]
    anc = win.form.fields["labs.neutrophils"][0]
    times: list[float] = []
    painted: list[float] = []
    for i in range(n):
        # alternate edits that change the result (dose, exclusion) with ones that do not
        if i % 2:
            weight.setText(f"{60 + (i % 40)}")
        else:
            anc.setText(str(900 + (i % 7) * 200))
        t0 = time.perf_counter()
        win.reassess()
        t1 = time.perf_counter()
        app.processEvents()  # layout and repaint of what changed, as the user sees it
        t2 = time.perf_counter()
        times.append((t1 - t0) * 1000)
        painted.append((t2 - t0) * 1000)
    win.setWindowModified(False)
    win.close()
    app.processEvents()
    return {"median": statistics.median(times), "p99": pct(times, 99), "max": max(times), "n": n,
            "painted_median": statistics.median(painted), "painted_p99": pct(painted, 99)}


def child_env(**extra: str) -> dict[str, str]:
    """The environment of a timed child: bytecode cached as an installed app has it (pip compiles
    a wheel's modules; a sandbox may set PYTHONDONTWRITEBYTECODE, which would time the compiler)."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env.update(PYTHONPATH=str(REPO), **extra)
    return env


def bench_open(runs: int) -> dict[str, float]:
    env = child_env()

    def run(code: str, *args: str) -> list[float]:
        out = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, env=env, check=True)
        return [float(x) for x in out.stdout.strip().splitlines()[0].split()]

    run(BARE)
    run(IXDESK, str(EXAMPLE))  # warm the OS file cache and .pyc files
    bare = [run(BARE)[0] for _ in range(runs)]
    ix = [run(IXDESK, str(EXAMPLE)) for _ in range(runs)]
    shown = [x[0] for x in ix]
    assessed = [x[1] for x in ix]
    ready = [x[2] for x in ix]
    return {"bare": statistics.median(bare) * 1000, "ixdesk": statistics.median(shown) * 1000,
            "assessed": statistics.median(assessed) * 1000, "ready": statistics.median(ready) * 1000,
            "ratio": statistics.median(shown) / statistics.median(bare), "runs": runs}


def main(argv: list[str] | None = None) -> list[dict]:
    ap = argparse.ArgumentParser()
    ap.add_argument("--edits", type=int, default=400)
    ap.add_argument("--opens", type=int, default=7)
    args = ap.parse_args(argv)
    e = bench_edits(args.edits)
    o = bench_open(args.opens)
    ready_ratio = o["ready"] / o["bare"]
    print(f"{'measure':<44}{'value':>12}  target")
    print("-" * 66)
    print(f"{'re-assess after edit, median (ms)':<44}{e['median']:>12.2f}  < 16")
    print(f"{'re-assess after edit, p99 (ms)':<44}{e['p99']:>12.2f}  < 16")
    print(f"{'re-assess after edit, max (ms)':<44}{e['max']:>12.2f}")
    print(f"{'  incl. layout + repaint, median (ms)':<44}{e['painted_median']:>12.2f}")
    print(f"{'  incl. layout + repaint, p99 (ms)':<44}{e['painted_p99']:>12.2f}")
    print(f"{'  edits measured':<44}{e['n']:>12d}")
    print(f"{'bare QMainWindow open, median (ms)':<44}{o['bare']:>12.1f}")
    print(f"{'IxDesk window painted, median (ms)':<44}{o['ixdesk']:>12.1f}")
    print(f"{'  + form and panel: ready to type (ms)':<44}{o['ready']:>12.1f}")
    print(f"{'  + example consult opened and assessed (ms)':<44}{o['assessed']:>12.1f}")
    print(f"{'first-paint ratio (IxDesk / bare)':<44}{o['ratio']:>12.2f}")
    print(f"{'ready-to-type ratio (IxDesk / bare)':<44}{ready_ratio:>12.2f}  <= 1.5")
    print(f"{'  fresh processes per variant':<44}{o['runs']:>12d}")
    return [
        {"metric": "re-assess after an edit, median", "value": e["median"], "unit": "ms", "target": "< 16 ms",
         "ok": e["median"] < 16},
        {"metric": "re-assess after an edit, p99", "value": e["p99"], "unit": "ms", "target": "< 16 ms", "ok": e["p99"] < 16},
        {"metric": "  incl. layout + repaint, median", "value": e["painted_median"], "unit": "ms"},
        {"metric": "  incl. layout + repaint, p99", "value": e["painted_p99"], "unit": "ms"},
        {"metric": "cold start, bare PySide6 window shown", "value": o["bare"], "unit": "ms"},
        {"metric": "cold start, IxDesk window first paint", "value": o["ixdesk"], "unit": "ms", "baseline": o["bare"],
         "ratio": o["ratio"]},
        {"metric": "cold start, IxDesk ready to type", "value": o["ready"], "unit": "ms", "baseline": o["bare"],
         "ratio": ready_ratio, "target": "<= 1.5x", "ok": ready_ratio <= 1.5},
        {"metric": "  + example consult opened and assessed", "value": o["assessed"], "unit": "ms", "baseline": o["bare"],
         "ratio": o["assessed"] / o["bare"]},
    ]


if __name__ == "__main__":
    main()
