"""Core benchmarks: ``assess()`` latency and batch throughput against pydantic validation alone.

    python bench/bench_core.py [--runs N] [--batch N] [--profile]

Measured on this machine, in this run:

* latency of ``assess(consult, criteria)`` on each example consult: median and p99 over ``--runs``
  calls after a warm-up (target: median <= 1 ms);
* throughput over the example texts repeated to ``--batch`` consults (default 20,000):
  pydantic validation alone (``Consult.model_validate_json``) is the baseline; then
  ``parse_consult`` + ``assess`` in a loop, and the real CLI, ``ixdesk assess --jsonl --quiet FILE``
  and ``ixdesk assess --quiet FOLDER``, called in-process (target: >= 5,000 consults/s per core).
  Slow paths run for a time budget (``--budget`` seconds) rather than the whole batch, and report
  the count they managed;
* where the latency target is missed, a cProfile of ``assess`` with the top functions by own time.

``main()`` prints a table and returns its rows (dicts) for ``bench/run.py``.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import io
import os
import pstats
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Callable, Sequence

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from ixdesk.core.consult import Consult  # noqa: E402
from ixdesk.core.criteria import default_criteria  # noqa: E402
from ixdesk.core.engine import assess  # noqa: E402
from ixdesk.core.files import parse_consult  # noqa: E402
from ixdesk.paths import examples_dir  # noqa: E402

LATENCY_TARGET_MS = 1.0
THROUGHPUT_TARGET = 5000.0


def _examples() -> list[tuple[str, str]]:
    out = [(p.name, p.read_text(encoding="utf-8")) for p in sorted(examples_dir().glob("*.json"))]
    if not out:
        raise SystemExit("bench_core: no example consults in resources/examples")
    return out


def _pct(values: Sequence[float], q: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, max(0, round(q * (len(s) - 1))))]


def _rate(fn: Callable[[int], int], budget: float) -> tuple[float, int]:
    """Call ``fn(n)`` (which processes n consults and returns how many it did) for about ``budget`` s."""
    t0 = time.perf_counter()
    fn(20)  # calibrate (and warm up): then run enough consults to fill the budget
    one = max((time.perf_counter() - t0) / 20, 1e-7)
    n = max(20, int(budget / one))
    t0 = time.perf_counter()
    done = fn(n)
    return done / (time.perf_counter() - t0), done


def measure_latency(consults: list[tuple[str, Consult]], runs: int) -> dict[str, tuple[float, float]]:
    crit = default_criteria()
    out: dict[str, tuple[float, float]] = {}
    all_times: list[float] = []
    for name, c in consults:
        for _ in range(max(5, runs // 10)):
            assess(c, crit)
        times = []
        for _ in range(runs):
            t = time.perf_counter_ns()
            assess(c, crit)
            times.append((time.perf_counter_ns() - t) / 1e6)
        out[name] = (statistics.median(times), _pct(times, 0.99))
        all_times.extend(times)
    out["all examples"] = (statistics.median(all_times), _pct(all_times, 0.99))
    return out


def measure_throughput(texts: list[str], batch: int, budget: float) -> dict[str, tuple[float, int]]:
    crit = default_criteria()
    corpus = (texts * (batch // len(texts) + 1))[:batch]
    res: dict[str, tuple[float, int]] = {}

    t0 = time.perf_counter()
    for t in corpus:
        Consult.model_validate_json(t)
    res["pydantic model_validate_json"] = (len(corpus) / (time.perf_counter() - t0), len(corpus))

    t0 = time.perf_counter()
    for t in corpus:
        parse_consult(t)
    res["parse_consult (checks + pydantic)"] = (len(corpus) / (time.perf_counter() - t0), len(corpus))

    parsed = [parse_consult(t) for t in texts]

    def assess_only(n: int) -> int:
        for i in range(n):
            assess(parsed[i % len(parsed)], crit)
        return n

    res["assess() on parsed consults"] = _rate(assess_only, budget)

    def parse_and_assess(n: int) -> int:
        for i in range(n):
            assess(parse_consult(corpus[i % len(corpus)]), crit)
        return n

    res["parse_consult + assess()"] = _rate(parse_and_assess, budget)

    try:
        from ixdesk.cli import main as cli_main
    except ImportError:
        return res
    with tempfile.TemporaryDirectory() as d:
        lines = [" ".join(t.split()) for t in texts]  # one consult per line

        def cli_jsonl(n: int) -> int:
            f = Path(d) / "batch.jsonl"
            f.write_text("\n".join((lines * (n // len(lines) + 1))[:n]) + "\n", encoding="utf-8")
            with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
                rc = cli_main(["assess", "--jsonl", "--quiet", str(f)])
            if rc not in (0, 2):
                raise RuntimeError(f"ixdesk assess --jsonl exited {rc}")
            return n

        res["ixdesk assess --jsonl (in-process)"] = _rate(cli_jsonl, budget)

        def cli_folder(n: int) -> int:
            folder = Path(d) / f"folder{n}"
            folder.mkdir()
            for i in range(n):
                (folder / f"c{i:06d}.json").write_text(texts[i % len(texts)], encoding="utf-8")
            with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
                rc = cli_main(["assess", "--quiet", str(folder)])
            if rc not in (0, 2):
                raise RuntimeError(f"ixdesk assess FOLDER exited {rc}")
            return n

        res["ixdesk assess FOLDER (in-process)"] = _rate(cli_folder, budget)
    return res


def profile_assess(consults: list[tuple[str, Consult]], rounds: int = 30, top: int = 12) -> str:
    crit = default_criteria()
    prof = cProfile.Profile()
    prof.enable()
    for _ in range(rounds):
        for _, c in consults:
            assess(c, crit)
    prof.disable()
    buf = io.StringIO()
    st = pstats.Stats(prof, stream=buf)
    st.sort_stats("tottime").print_stats(top)
    text = buf.getvalue()
    root = str(ROOT) + os.sep
    return text.replace(root, "").replace(str(Path(sys.prefix)) + os.sep, "<venv>/")


def _row(metric: str, value: float, unit: str, baseline: float | None = None, ratio: float | None = None,
         target: str = "", ok: bool | None = None) -> dict[str, Any]:
    return {"bench": "core", "metric": metric, "value": value, "unit": unit, "baseline": baseline,
            "ratio": ratio, "target": target, "ok": ok}


def print_table(rows: list[dict[str, Any]], out=sys.stdout) -> None:
    head = f"{'metric':<46} {'value':>12} {'unit':<11} {'baseline':>11} {'ratio':>7}  {'target':<14} status"
    print(head, file=out)
    print("-" * len(head), file=out)
    for r in rows:
        b = f"{r['baseline']:.4g}" if isinstance(r.get("baseline"), (int, float)) else ""
        ra = f"{r['ratio']:.2f}x" if isinstance(r.get("ratio"), (int, float)) else ""
        v = r["value"]
        vs = f"{v:,.3f}" if isinstance(v, float) and v < 100 else (f"{v:,.0f}" if isinstance(v, (int, float)) else str(v))
        status = {True: "ok", False: "MISSED", None: ""}[r.get("ok")]
        print(f"{r['metric'][:46]:<46} {vs:>12} {r.get('unit', ''):<11} {b:>11} {ra:>7}  {r.get('target', ''):<14} {status}", file=out)


def main(argv: Sequence[str] | None = None) -> list[dict[str, Any]]:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=300, help="assess() calls per example for latency (default 300)")
    ap.add_argument("--batch", type=int, default=20_000, help="consults in the throughput corpus (default 20000)")
    ap.add_argument("--budget", type=float, default=3.0, help="seconds per slow throughput path (default 3)")
    ap.add_argument("--profile", action="store_true", help="always print the assess() profile")
    ap.add_argument("--no-profile", action="store_true", help="never print the profile")
    args = ap.parse_args(list(argv) if argv is not None else [])

    ex = _examples()
    consults = [(n, parse_consult(t)) for n, t in ex]
    default_criteria()  # loaded once, outside every timing

    rows: list[dict[str, Any]] = []
    lat = measure_latency(consults, args.runs)
    for name, (med, p99) in lat.items():
        overall = name == "all examples"
        rows.append(_row(f"assess() median, {name}", med, "ms", target="<= 1 ms" if overall else "",
                         ok=(med <= LATENCY_TARGET_MS) if overall else None))
        if overall:
            rows.append(_row(f"assess() p99, {name}", p99, "ms"))

    thr = measure_throughput([t for _, t in ex], args.batch, args.budget)
    base = thr["pydantic model_validate_json"][0]
    for name, (rate, n) in thr.items():
        is_base = name.startswith("pydantic")
        cli = name.startswith("ixdesk assess")
        rows.append(_row(f"{name} [{n:,}]", rate, "consults/s", None if is_base else base,
                         None if is_base else base / rate,
                         target=">= 5,000/s" if cli else "", ok=(rate >= THROUGHPUT_TARGET) if cli else None))

    print(f"IxDesk core benchmarks — Python {sys.version.split()[0]}, {len(ex)} example consults, "
          f"{os.cpu_count()} CPUs (single-threaded)")
    print("ratio = pydantic validation rate / this path's rate (how many times slower than validation alone)\n")
    print_table(rows)

    missed = lat["all examples"][0] > LATENCY_TARGET_MS
    if (missed and not args.no_profile) or args.profile:
        print(f"\nassess() median {lat['all examples'][0]:.2f} ms "
              f"{'misses' if missed else 'meets'} the 1 ms target; top functions by own time (cProfile, "
              f"{30 * len(consults)} calls):\n")
        print(profile_assess(consults))
    return rows


if __name__ == "__main__":
    main(sys.argv[1:])
