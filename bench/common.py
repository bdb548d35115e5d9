"""What every benchmark shares: the machine's yardstick, wall + CPU timing, interleaved runs, stats.

The goals of issue 13 are ratios measured side by side, so that they hold across machines and
across the load of a shared one. Two rules follow:

* a baseline and the IxDesk path it is compared with are run interleaved (A B A B ...), never as
  two separate blocks, so that a change of the machine's speed during the run hits both alike;
* wall time is printed beside CPU time: on a machine shared with other jobs the wall time also
  counts the time the process waited for a core, and CPU time does not.
"""

from __future__ import annotations

import os
import platform
import statistics
import subprocess
import sys
import time
import timeit
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Sequence

ROOT = Path(__file__).resolve().parents[1]
# first on the path: an editable install puts the checkout last, after a site-packages "tests" package
if sys.path[:1] != [str(ROOT)]:
    sys.path.insert(0, str(ROOT))

YARDSTICK_STMT = "sum(range(1000))"


def yardstick() -> dict[str, Any]:
    """The machine as the figures must be read: a fixed pure-Python loop, the versions, the load.

    ``sum(range(1000))`` takes about 7-9 µs on a 2023-2024 laptop with CPython 3.11: a slower
    figure here means every pure-Python timing is slower in about the same proportion.
    """
    per = min(timeit.repeat(YARDSTICK_STMT, number=2000, repeat=7)) / 2000 * 1e6
    try:
        load = os.getloadavg()
    except OSError:
        load = (float("nan"),) * 3
    return {"yardstick_us": per, "python": platform.python_version(), "implementation": platform.python_implementation(),
            "platform": platform.platform(), "machine": platform.machine(), "cpus": os.cpu_count() or 0,
            "load": load}


def print_yardstick(y: dict[str, Any] | None = None) -> dict[str, Any]:
    y = y or yardstick()
    print(f"machine: {y['platform']} ({y['machine']}), {y['cpus']} CPUs, load average "
          f"{y['load'][0]:.2f} {y['load'][1]:.2f} {y['load'][2]:.2f}")
    print(f"python: {y['implementation']} {y['python']}; yardstick {YARDSTICK_STMT}: {y['yardstick_us']:.2f} µs "
          f"(best of 7; about 7-9 µs on a 2023-24 laptop)")
    return y


def pct(values: Sequence[float], q: float) -> float:
    """The q-quantile (0..1) by nearest rank, as the tables print it."""
    s = sorted(values)
    return s[min(len(s) - 1, max(0, round(q * (len(s) - 1))))]


@dataclass
class Samples:
    """Wall and CPU times (seconds) of repeated runs of one thing."""

    wall: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)

    def add(self, wall: float, cpu: float) -> None:
        self.wall.append(wall)
        self.cpu.append(cpu)

    @property
    def median(self) -> float:
        return statistics.median(self.wall)

    @property
    def p99(self) -> float:
        return pct(self.wall, 0.99)

    @property
    def cpu_median(self) -> float:
        return statistics.median(self.cpu)

    @property
    def cpu_p99(self) -> float:
        return pct(self.cpu, 0.99)

    def extend(self, other: "Samples") -> None:
        self.wall.extend(other.wall)
        self.cpu.extend(other.cpu)


_pc = time.perf_counter
_cpu = time.process_time


def timed(fn: Callable[[], Any]) -> tuple[float, float]:
    """(wall s, CPU s of this process) of one call."""
    c0 = _cpu()
    t0 = _pc()
    fn()
    t1 = _pc()
    return t1 - t0, _cpu() - c0


def interleave(variants: dict[str, Callable[[], Any]], rounds: int, warmup: int = 1) -> dict[str, Samples]:
    """Run each variant once per round, in the same order (A B A B ...), after ``warmup`` rounds."""
    out = {k: Samples() for k in variants}
    for r in range(warmup + rounds):
        for name, fn in variants.items():
            w, c = timed(fn)
            if r >= warmup:
                out[name].add(w, c)
    return out


def run_child(cmd: list[str], env: dict[str, str] | None = None, stdout: Any = subprocess.PIPE,
              cwd: str | None = None) -> tuple[float, float, str]:
    """Run ``cmd`` in a fresh process: (wall s, the child's own CPU s (user + system), its stdout)."""
    t0 = _pc()
    proc = subprocess.Popen(cmd, env=env, stdout=stdout, stderr=subprocess.PIPE, cwd=cwd)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = _pc() - t0
    out = proc.stdout.read().decode() if proc.stdout else ""
    err = proc.stderr.read().decode() if proc.stderr else ""
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode not in (0, 2):
        raise RuntimeError(f"{cmd[:3]} exited {proc.returncode}: {err[-1500:]}")
    return wall, usage.ru_utime + usage.ru_stime, out


def child_env(**extra: str) -> dict[str, str]:
    """The environment of a timed child: bytecode cached as an installed app has it (pip compiles
    a wheel's modules; a sandbox may set PYTHONDONTWRITEBYTECODE, which would time the compiler)."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env.update(PYTHONPATH=str(ROOT), **extra)
    return env


def row(bench: str, metric: str, value: float, unit: str, baseline: float | None = None,
        ratio: float | None = None, target: str = "", ok: bool | None = None, cpu: float | None = None) -> dict[str, Any]:
    return {"bench": bench, "metric": metric, "value": value, "unit": unit, "baseline": baseline, "ratio": ratio,
            "target": target, "ok": ok, "cpu": cpu}


NOISE_NOTE = ("figures from a 2-core machine shared with other jobs: wall times are noisy; "
              "baselines run interleaved with IxDesk, so the ratios are the figures to read")
