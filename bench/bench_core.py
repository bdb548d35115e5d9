"""Core benchmarks: ``assess()``, ``assess_next_cycle()`` and ``--jsonl``, each against validation.

    python bench/bench_core.py [--rounds N] [--batch N] [--profile]

Every figure is a ratio to a baseline measured interleaved with it in this run (see common.py):

* ``assess()`` on each example consult against ``parse_consult`` (JSON parse + the consult's
  checks + pydantic validation) of the same consult's text, A B A B per consult, median and p99;
  goal: median <= 8x the parse, p99 <= 2x its own median;
* ``assess_next_cycle()`` the same, on course consults built here from example 01 by adding
  cycles (a clean cycle 2; a cycle 4 after two reductions and febrile neutropenia; a cycle 3 with a
  strong CYP3A4 inhibitor stopped five days ago), against the parse of the same course consult;
* ``ixdesk assess --jsonl FILE`` with its JSON written to a file on disk, in-process, against
  validation alone (``parse_consult`` of every line) of the same lines, alternating; and the same
  as whole processes (``python -m ixdesk assess --jsonl FILE > out``) against a process that only
  validates. The corpus is the examples plus the 500 seeded mutations the engine digests use
  (tests/core/engine_snapshot.py), repeated to ``--batch`` lines. Goal: >= 1/15 of validation's rate;
  stretch 5,000 consults/s per core;
* the repeat rate: per rule, how many of the corpus's findings are an exact repeat of one already
  seen (an upper bound on what a cache per distinct inputs could save on this corpus).

The process runs as the CLI batch and the window do: ``gc.freeze()`` after the criteria load when
the engine offers it (``ixdesk.core.engine.batch_collector``). ``main()`` returns rows for run.py.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import io
import json
import os
import pstats
import sys
import tempfile
from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any, Sequence

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import ROOT, NOISE_NOTE, Samples, child_env, interleave, print_yardstick, row, run_child, timed  # noqa: E402

from ixdesk.core.criteria import default_criteria  # noqa: E402
from ixdesk.core.engine import assess  # noqa: E402
from ixdesk.core.files import parse_consult  # noqa: E402
from ixdesk.paths import examples_dir  # noqa: E402

ASSESS_MEDIAN_GOAL = 8.0  # x parse + validate
P99_GOAL = 2.0  # x own median
JSONL_GOAL = 1 / 15  # of validation alone's rate
STRETCH = 5000.0


def _examples() -> list[tuple[str, str]]:
    out = [(p.name, p.read_text(encoding="utf-8")) for p in sorted(examples_dir().glob("*.json"))]
    if not out:
        raise SystemExit("bench_core: no example consults in resources/examples")
    return out


def _freeze(stack: contextlib.ExitStack) -> None:
    """Do what the CLI batch does after loading the criteria, until ``stack`` closes (when the
    engine has it: ``ixdesk.core.engine.batch_collector``; the window freezes the same way).

    The context manager is held by ``stack``: entered and dropped, a generator-based one is closed
    at once by reference counting, which ran its exit and undid the setting before the first
    measurement (the p99 then measured Python's full collections, 35-65 ms each)."""
    try:
        from ixdesk.core.engine import batch_collector  # type: ignore[attr-defined]
    except ImportError:
        return
    stack.enter_context(batch_collector())


CLEAN_TOX: dict[str, Any] = {
    "neutrophils_below_500_days": 0, "febrile_neutropenia": False, "platelets_low": "none", "bleeding": False,
    "neuropathy_grade": 0, "neuropathy_days": 0, "neuropathy_disabling": False, "neuropathy_grade_now": 0,
    "other_grade3": False, "transient_grade3_arthralgia_myalgia_fatigue": False,
    "grade3_hand_foot_syndrome": False, "any_grade4": False, "diarrhoea_or_stomatitis": False,
}


def course_texts() -> list[tuple[str, str]]:
    """Course consults made from example 01 (ixabepilone with capecitabine) by adding cycles."""
    base = json.loads((examples_dir() / "01-combination-after-anthracycline-and-taxane.json").read_text("utf-8"))
    start = date(2026, 11, 18)

    def cyc(doses: Sequence[float]) -> list[dict[str, Any]]:
        return [{"number": i + 1, "date": date.fromordinal(start.toordinal() + 21 * i).isoformat(), "weight_kg": 68,
                 "ixabepilone_mg_per_m2": d, "capecitabine_mg_per_dose": 1650, "verified_by": "RN Two"}
                for i, d in enumerate(doses)]

    def consult(doses: Sequence[float], tox: dict[str, Any], meds: list[dict[str, Any]], labs: dict[str, Any]) -> str:
        planned = date.fromordinal(start.toordinal() + 21 * len(doses)).isoformat()
        data = {**base, "schema_version": 2, "course": {"cycles_given": cyc(doses), "next_cycle": {
            "planned_date": planned, "weight_kg": 67, "labs": {"date": planned, **labs},
            "medications": meds, "toxicity": {**CLEAN_TOX, **tox}}}}
        return json.dumps(data, indent=2)

    ok_labs = {"neutrophils": {"value": 2100}, "platelets": {"value": 180000}}
    return [
        ("01+cycle 2, clean", consult([40], {}, [], ok_labs)),
        ("01+cycle 4, after reductions, febrile neutropenia", consult(
            [40, 32, 32], {"febrile_neutropenia": True, "neutrophils_below_500_days": 8}, [], ok_labs)),
        ("01+cycle 3, strong inhibitor stopped", consult(
            [40, 20], {"neuropathy_grade": 2, "neuropathy_days": 3}, [
                {"name": "ketoconazole 200 mg", "start_date": "2026-11-20", "stop_date": "2026-12-25"}],
            {"neutrophils": {"value": 1400}, "platelets": {"value": 90000}})),
    ]


def spin(n: int) -> int:
    """Pure-Python arithmetic that allocates nothing: its tail is the machine's, not any program's."""
    x = 0
    for i in range(n):
        x += i * i
    return x


def spin_count(seconds: float) -> int:
    """Loop count for ``spin`` to take about ``seconds`` of CPU here (best of five)."""
    n = 20_000
    best = min(timed(lambda: spin(n))[1] for _ in range(5))
    return max(1, round(n * seconds / max(best, 1e-6)))


def measure_pairs(items: list[tuple[str, str]], fn: Any, rounds: int
                  ) -> dict[str, tuple[Samples, Samples, Samples]]:
    """Per consult: (parse + validate of its text, ``fn(consult)``, a pure loop of about
    ``fn``'s length), interleaved A B C A B C. The loop shows how much of the tail the machine
    makes by itself at the same moments: on a shared VM slow calls come in bursts of tens of
    milliseconds, and a loop that allocates nothing slows down in the same bursts."""
    out: dict[str, tuple[Samples, Samples, Samples]] = {}
    for name, text in items:
        consult = parse_consult(text)
        length = sorted(timed(lambda c=consult: fn(c))[1] for _ in range(11))[5]
        n = spin_count(length)
        s = interleave({"parse": lambda t=text: parse_consult(t), "engine": lambda c=consult: fn(c),
                        "spin": lambda n=n: spin(n)}, rounds, warmup=max(5, rounds // 10))
        out[name] = (s["parse"], s["engine"], s["spin"])
    return out


def pair_rows(label: str, pairs: dict[str, tuple[Samples, Samples, Samples]]) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    allp, alle, alls = Samples(), Samples(), Samples()
    for name, (p, e, sp) in pairs.items():
        allp.extend(p)
        alle.extend(e)
        alls.extend(sp)
        rows.append(row("core", f"{label} median, {name}", e.median * 1e3, "ms", p.median * 1e3,
                        e.median / p.median, cpu=e.cpu_median * 1e3))
    ratio = alle.median / allp.median
    rows.append(row("core", f"{label} median, all", alle.median * 1e3, "ms", allp.median * 1e3, ratio,
                    f"<= {ASSESS_MEDIAN_GOAL:g}x parse", ratio <= ASSESS_MEDIAN_GOAL, cpu=alle.cpu_median * 1e3))
    cratio = alle.cpu_median / allp.cpu_median
    rows.append(row("core", f"  {label} median in CPU time, all", alle.cpu_median * 1e3, "ms", allp.cpu_median * 1e3,
                    cratio, f"<= {ASSESS_MEDIAN_GOAL:g}x parse", cratio <= ASSESS_MEDIAN_GOAL))
    tail = alle.p99 / alle.median
    rows.append(row("core", f"{label} p99, all", alle.p99 * 1e3, "ms", alle.median * 1e3, tail,
                    f"<= {P99_GOAL:g}x median", tail <= P99_GOAL, cpu=alle.cpu_p99 * 1e3))
    ctail = alle.cpu_p99 / alle.cpu_median
    rows.append(row("core", f"  {label} p99 in CPU time, all", alle.cpu_p99 * 1e3, "ms", alle.cpu_median * 1e3, ctail,
                    f"<= {P99_GOAL:g}x median", ctail <= P99_GOAL))
    rows.append(row("core", "  parse + validate p99 (baseline), all", allp.p99 * 1e3, "ms", allp.median * 1e3,
                    allp.p99 / allp.median, cpu=allp.cpu_p99 * 1e3))
    rows.append(row("core", "  the machine: a pure loop as long, p99", alls.p99 * 1e3, "ms", alls.median * 1e3,
                    alls.p99 / alls.median, cpu=alls.cpu_p99 * 1e3))
    return rows


def corpus_lines() -> list[str]:
    """The examples and the digests' 500 seeded mutations, one consult per line."""
    from tests.core.engine_snapshot import cases

    return [c.model_dump_json() for _, c in cases()]


def repeat_rate(lines: list[str]) -> tuple[float, dict[str, float]]:
    """Share of (rule, finding) outputs that repeat an earlier one exactly: a cache keyed by each
    rule's distinct inputs could skip at most these (equal output does not imply equal inputs)."""
    crit = default_criteria()
    seen: dict[str, set[str]] = {}
    total: Counter[str] = Counter()
    for ln in lines:
        c = parse_consult(ln)
        a = assess(c, crit, c.consult_date or date(2026, 11, 18))
        for f in a.findings:
            seen.setdefault(f.id, set()).add(f.model_dump_json())
            total[f.id] += 1
    per = {k: 1 - len(v) / total[k] for k, v in seen.items()}
    overall = 1 - sum(len(v) for v in seen.values()) / sum(total.values())
    return overall, per


VALIDATE_ONLY = """
import sys
from ixdesk.core.files import parse_consult
n = 0
with open(sys.argv[1], "rb") as fh:
    for line in fh:
        if line.strip():
            parse_consult(line); n += 1
print(n)
"""


def measure_jsonl(lines: list[str], batch: int, rounds: int, procs: int) -> dict[str, Any]:
    from ixdesk.cli import main as cli_main

    corpus = (lines * (batch // len(lines) + 1))[:batch]
    res: dict[str, Any] = {"n": len(corpus)}
    with tempfile.TemporaryDirectory() as d:
        src = Path(d) / "batch.jsonl"
        src.write_text("\n".join(corpus) + "\n", encoding="utf-8")
        dst = Path(d) / "out.jsonl"
        raw = [ln.encode() for ln in corpus]

        def validate() -> None:
            for b in raw:
                parse_consult(b)

        def jsonl() -> None:
            with open(dst, "w", encoding="utf-8") as out, contextlib.redirect_stdout(out), \
                    contextlib.redirect_stderr(io.StringIO()):
                rc = cli_main(["assess", "--jsonl", str(src)])
            if rc not in (0, 2):
                raise RuntimeError(f"ixdesk assess --jsonl exited {rc}")

        def quiet() -> None:
            with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
                cli_main(["assess", "--jsonl", "--quiet", str(src)])

        s = interleave({"validate": validate, "jsonl": jsonl, "quiet": quiet}, rounds, warmup=1)
        res["in-process"] = s
        res["bytes"] = dst.stat().st_size
        if procs:
            env = child_env()
            vcode = [sys.executable, "-c", VALIDATE_ONLY, str(src)]
            icode = [sys.executable, "-c", "import sys; from ixdesk.cli import main; sys.exit(main())", "assess", "--jsonl", str(src)]
            pv, pi = Samples(), Samples()
            for _ in range(procs):
                w, c, _ = run_child(vcode, env)
                pv.add(w, c)
                with open(dst, "wb") as out:
                    w, c, _ = run_child(icode, env, stdout=out)
                pi.add(w, c)
            res["process"] = (pv, pi)
    return res


def profile(fn: Any, items: list[Any], rounds: int = 30, top: int = 14) -> str:
    prof = cProfile.Profile()
    prof.enable()
    for _ in range(rounds):
        for c in items:
            fn(c)
    prof.disable()
    buf = io.StringIO()
    pstats.Stats(prof, stream=buf).sort_stats("tottime").print_stats(top)
    return buf.getvalue().replace(str(ROOT) + os.sep, "").replace(str(Path(sys.prefix)) + os.sep, "<venv>/")


def print_table(rows: list[dict[str, Any]]) -> None:
    head = f"{'metric':<58} {'wall':>9} {'cpu':>9} {'unit':<10} {'baseline':>9} {'ratio':>8}  {'goal':<18} status"
    print(head)
    print("-" * len(head))
    for r in rows:
        def f(v: Any) -> str:
            return "" if not isinstance(v, (int, float)) else (f"{v:,.3f}" if v < 100 else f"{v:,.0f}")
        ra = f"{r['ratio']:.2f}x" if isinstance(r.get("ratio"), (int, float)) else ""
        status = {True: "ok", False: "MISSED", None: ""}[r.get("ok")]
        print(f"{r['metric'][:58]:<58} {f(r['value']):>9} {f(r.get('cpu')):>9} {r.get('unit', ''):<10} "
              f"{f(r.get('baseline')):>9} {ra:>8}  {r.get('target', ''):<18} {status}")


def main(argv: Sequence[str] | None = None) -> list[dict[str, Any]]:
    ap = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    ap.add_argument("--rounds", type=int, default=300, help="interleaved rounds per consult for latency (default 300)")
    ap.add_argument("--batch", type=int, default=1000, help="lines in the --jsonl corpus (default 1000)")
    ap.add_argument("--jsonl-rounds", type=int, default=5, help="interleaved --jsonl rounds (default 5)")
    ap.add_argument("--procs", type=int, default=3, help="whole-process --jsonl pairs (default 3; 0 skips)")
    ap.add_argument("--profile", action="store_true", help="print the cProfile of assess() and assess_next_cycle()")
    ap.add_argument("--no-repeat-rate", action="store_true", help="skip the repeat-rate count")
    args = ap.parse_args(list(argv) if argv is not None else [])

    print_yardstick()
    print(NOISE_NOTE + "\n")
    crit = default_criteria()
    with contextlib.ExitStack() as stack:
        _freeze(stack)
        return _measure(args, crit)


def _measure(args: argparse.Namespace, crit: Any) -> list[dict[str, Any]]:
    ex = _examples()
    rows: list[dict[str, Any]] = []
    rows += pair_rows("assess()", measure_pairs(ex, lambda c: assess(c, crit), args.rounds))

    from ixdesk.core.course import assess_next_cycle

    courses = course_texts()
    day = date(2026, 12, 30)
    rows += pair_rows("assess_next_cycle()", measure_pairs(
        courses, lambda c: assess_next_cycle(c, crit, day), args.rounds))

    lines = corpus_lines()
    j = measure_jsonl(lines, args.batch, args.jsonl_rounds, args.procs)
    n = j["n"]
    s = j["in-process"]
    v_rate, j_rate, q_rate = n / s["validate"].median, n / s["jsonl"].median, n / s["quiet"].median
    rows.append(row("core", f"validation alone, parse_consult [{n:,} lines]", v_rate, "consults/s",
                    cpu=n / s["validate"].cpu_median))
    rows.append(row("core", f"--jsonl, JSON written ({j['bytes'] / n / 1024:.1f} kB/line), in-process", j_rate,
                    "consults/s", v_rate, j_rate / v_rate, ">= 1/15 (0.067x)", j_rate / v_rate >= JSONL_GOAL,
                    cpu=n / s["jsonl"].cpu_median))
    rows.append(row("core", "  the same, per core (CPU time)", n / s["jsonl"].cpu_median, "consults/s",
                    target=">= 5,000/s stretch", ok=n / s["jsonl"].cpu_median >= STRETCH))
    rows.append(row("core", "--jsonl --quiet (nothing written), in-process", q_rate, "consults/s", v_rate,
                    q_rate / v_rate, cpu=n / s["quiet"].cpu_median))
    if "process" in j:
        pv, pi = j["process"]
        rows.append(row("core", "whole process: validate only", n / pv.median, "consults/s", cpu=n / pv.cpu_median))
        rows.append(row("core", "whole process: ixdesk assess --jsonl > file", n / pi.median, "consults/s",
                        n / pv.median, pv.median / pi.median, ">= 1/15 (0.067x)", pv.median / pi.median >= JSONL_GOAL,
                        cpu=n / pi.cpu_median))

    if not args.no_repeat_rate:
        overall, per = repeat_rate(lines)
        rows.append(row("core", f"repeat rate of findings over the {len(lines)} corpus consults", overall * 100, "%"))
        worst = sorted(per.items(), key=lambda kv: kv[1])[:3]
        print("repeat rate per rule (lowest three): " + ", ".join(f"{k} {v:.0%}" for k, v in worst))

    print(f"\nIxDesk core: {len(ex)} example consults, {len(courses)} course consults, {len(lines)} corpus consults "
          "(ratio = IxDesk / baseline for times; rate / baseline rate for throughputs)\n")
    print_table(rows)
    if args.profile:
        parsed = [parse_consult(t) for _, t in ex]
        print("\nassess(), top by own time:\n" + profile(lambda c: assess(c, crit), parsed))
        pc = [parse_consult(t) for _, t in courses]
        print("\nassess_next_cycle(), top by own time:\n" + profile(lambda c: assess_next_cycle(c, crit, day), pc))
    return rows


if __name__ == "__main__":
    main(sys.argv[1:])
