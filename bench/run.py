"""Run every IxDesk benchmark and print one combined table.

    python bench/run.py [--quick] [--only core,ui,reports,memory]

Runs, in one process on one machine, each benchmark module present in bench/ that has a ``main()``
(bench_core, bench_ui, bench_reports; modules written later are picked up by name), then measures
peak memory (VmHWM, as the child process reports it) of the IxDesk window with a consult open against a bare
PySide6 window of the same size. Each module prints its own detail; ``main()`` may return rows
(dicts with metric, value, unit and optionally baseline, ratio, target, ok) for the combined table.
Exits 1 if any module failed to run (a missed target is reported, not an error).

Every baseline runs interleaved with the IxDesk path it is compared with (A B A B, see
bench/common.py), each table prints wall and CPU time, and the machine's yardstick (a fixed
pure-Python loop, the Python and platform versions, the load) is printed first: on a shared
machine the ratios are the figures to compare, not the milliseconds.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import inspect
import os
import subprocess
import sys
import tempfile
import textwrap
import time
import traceback
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
for p in (str(ROOT), str(BENCH)):
    if p not in sys.path:
        sys.path.insert(0, p)

MODULES = ("bench_core", "bench_ui", "bench_reports")

# Each child reports its own peak resident set: VmHWM is per process and reset by exec.
PEAK_KB = textwrap.dedent(
    """
    def _peak_kb():
        try:
            with open("/proc/self/status") as fh:
                return int(next(l for l in fh if l.startswith("VmHWM:")).split()[1])
        except (OSError, StopIteration):
            import resource
            return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    """
)

BARE_WINDOW = PEAK_KB + textwrap.dedent(
    """
    import sys, time
    from PySide6.QtWidgets import QApplication, QLabel, QMainWindow
    app = QApplication(sys.argv[:1])
    w = QMainWindow()
    w.setCentralWidget(QLabel("bare"))
    w.resize(1400, 900)
    w.show()
    end = time.monotonic() + 1.0
    while time.monotonic() < end:
        app.processEvents()
        time.sleep(0.01)
    print("ok", _peak_kb())
    """
)

IXDESK_WINDOW = PEAK_KB + textwrap.dedent(
    """
    import sys, time
    from ixdesk.ui.app import ensure_app
    app = ensure_app(sys.argv[:1])
    from ixdesk.ui.main_window import MainWindow
    w = MainWindow()
    w.resize(1400, 900)
    w.show()
    if not w.open_path(sys.argv[1], ask=False):
        sys.exit("could not open " + sys.argv[1])
    end = time.monotonic() + 1.0
    while time.monotonic() < end or w.current_assessment() is None:
        app.processEvents()
        time.sleep(0.01)
        if time.monotonic() > end + 20:
            sys.exit("no assessment shown")
    print("ok", _peak_kb())
    """
)


def _child_peak_rss(code: str, *args: str) -> tuple[float, float]:
    """Run ``code`` in a fresh interpreter; return (peak RSS in MB, wall seconds) of that child alone."""
    with tempfile.TemporaryDirectory() as d:
        from bench_ui import child_env

        env = child_env(QT_QPA_PLATFORM=os.environ.get("QT_QPA_PLATFORM", "offscreen"), IXDESK_DATA_DIR=str(Path(d) / "data"),
                        XDG_CONFIG_HOME=str(Path(d) / "config"), XDG_DATA_HOME=str(Path(d) / "share"), HOME=d)
        t0 = time.perf_counter()
        proc = subprocess.Popen([sys.executable, "-c", code, *args], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        _, status, _usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - t0
        out = proc.stdout.read().decode() if proc.stdout else ""
        err = proc.stderr.read().decode() if proc.stderr else ""
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode != 0 or "ok" not in out:
            raise RuntimeError(f"child exited {proc.returncode}: {err[-1500:]}")
    # The child reports its own peak: ru_maxrss from wait4 would include this (large) process's
    # resident set at fork time, which Linux carries across exec.
    kb = float(out.strip().splitlines()[-1].split()[1])  # the child's last line: "ok <peak kB>"
    mb = kb / (1024 * 1024) if sys.platform == "darwin" else kb / 1024
    return mb, wall


def measure_memory(repeats: int = 3) -> list[dict[str, Any]]:
    from ixdesk.paths import examples_dir

    examples = sorted(examples_dir().glob("*.json"))
    if not examples:
        raise RuntimeError("no example consults")
    example = str(examples[0])
    bares: list[float] = []
    ixs: list[float] = []
    for _ in range(repeats):  # interleaved, like every other baseline
        bares.append(_child_peak_rss(BARE_WINDOW)[0])
        ixs.append(_child_peak_rss(IXDESK_WINDOW, example)[0])
    bare, ix = min(bares), min(ixs)
    print(f"peak RSS (min of {repeats} runs): bare PySide6 window {bare:.1f} MB; IxDesk window with "
          f"{Path(example).name} {ix:.1f} MB (+{ix - bare:.1f} MB)")
    return [
        {"bench": "memory", "metric": "peak RSS, bare PySide6 window", "value": bare, "unit": "MB"},
        {"bench": "memory", "metric": "peak RSS, IxDesk window + consult", "value": ix, "unit": "MB",
         "baseline": bare, "ratio": ix / bare},
    ]


def machine_speed() -> dict[str, Any]:
    """A yardstick for comparing figures across machines (see common.yardstick), printed first."""
    from common import NOISE_NOTE, YARDSTICK_STMT, print_yardstick

    y = print_yardstick()
    print(NOISE_NOTE)
    return {"bench": "machine", "metric": f"yardstick: {YARDSTICK_STMT}, best of 7", "value": y["yardstick_us"],
            "unit": "us"}


def _call_main(mod: Any, quick: bool) -> Any:
    fn = mod.main
    params = inspect.signature(fn).parameters
    argv: list[str] = []
    if quick and mod.__name__ == "bench_core":
        argv = ["--rounds", "50", "--batch", "300", "--jsonl-rounds", "2", "--procs", "1", "--no-repeat-rate"]
    elif quick and mod.__name__ == "bench_ui":
        argv = ["--edits", "100", "--opens", "3"]
    elif quick and mod.__name__ == "bench_reports":
        argv = ["--rounds", "3", "--procs", "1"]
    old = sys.argv
    sys.argv = [f"{mod.__name__}.py", *argv]  # modules that read sys.argv see only their own options
    try:
        return fn(argv) if params else fn()
    finally:
        sys.argv = old


def _normalise(name: str, result: Any) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    if isinstance(result, dict) and "rows" in result:
        result = result["rows"]
    if isinstance(result, dict):
        result = [{"metric": k, "value": v} for k, v in result.items()]
    for r in result or []:
        if isinstance(r, dict):
            d = dict(r)
        elif isinstance(r, (tuple, list)):
            d = dict(zip(("metric", "value", "unit", "baseline", "ratio", "target", "ok"), r, strict=False))
        else:
            continue
        d.setdefault("bench", name.replace("bench_", ""))
        d.setdefault("metric", d.get("name", "?"))
        if "ok" not in d and "passed" in d:
            d["ok"] = d["passed"]
        rows.append(d)
    return rows


def _fmt(v: Any) -> str:
    if isinstance(v, bool) or v is None:
        return ""
    if isinstance(v, float):
        return f"{v:,.3f}" if abs(v) < 100 else f"{v:,.0f}"
    if isinstance(v, int):
        return f"{v:,}"
    return str(v)


def print_combined(rows: list[dict[str, Any]]) -> None:
    head = (f"{'bench':<8} {'metric':<48} {'wall':>10} {'cpu':>10} {'unit':<11} {'baseline':>10} {'ratio':>8}  "
            f"{'target':<18} status")
    print("\n" + "=" * len(head))
    print("IxDesk benchmarks, combined")
    print("=" * len(head))
    print(head)
    print("-" * len(head))
    for r in rows:
        ratio = r.get("ratio")
        ratio_s = f"{ratio:.2f}x" if isinstance(ratio, (int, float)) and not isinstance(ratio, bool) else _fmt(ratio)
        status = {True: "ok", False: "MISSED"}.get(r.get("ok"), "")
        print(f"{str(r.get('bench', ''))[:8]:<8} {str(r['metric'])[:48]:<48} {_fmt(r.get('value')):>10} "
              f"{_fmt(r.get('cpu')):>10} {str(r.get('unit') or '')[:11]:<11} {_fmt(r.get('baseline')):>10} {ratio_s:>8}  "
              f"{str(r.get('target') or '')[:18]:<18} {status}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Run all IxDesk benchmarks and print one table.")
    ap.add_argument("--quick", action="store_true", help="fewer repetitions (a smoke run, not for the README)")
    ap.add_argument("--only", default="", help="comma-separated subset: core,ui,reports,memory")
    args = ap.parse_args(argv)
    only = {s.strip() for s in args.only.split(",") if s.strip()}
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

    rows: list[dict[str, Any]] = [machine_speed()]
    failed: list[str] = []
    skipped: list[str] = []
    for name in MODULES:
        short = name.replace("bench_", "")
        if only and short not in only:
            continue
        if not (BENCH / f"{name}.py").exists():
            skipped.append(f"{name} (not written yet)")
            continue
        print(f"\n##### {name}\n", flush=True)
        try:
            mod = importlib.import_module(name)
            if not callable(getattr(mod, "main", None)):
                skipped.append(f"{name} (no main())")
                continue
            with contextlib.ExitStack():
                result = _call_main(mod, args.quick)
            rows.extend(_normalise(name, result))
        except SystemExit as exc:
            if exc.code not in (None, 0):
                failed.append(f"{name}: exited {exc.code}")
        except Exception:
            traceback.print_exc()
            failed.append(f"{name}: {traceback.format_exc(limit=0).strip()}")

    if not only or "memory" in only:
        print("\n##### memory\n", flush=True)
        try:
            rows.extend(measure_memory(1 if args.quick else 3))
        except Exception as exc:
            failed.append(f"memory: {exc}")

    print_combined(rows)
    for s in skipped:
        print(f"skipped: {s}")
    for f in failed:
        print(f"FAILED: {f}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
