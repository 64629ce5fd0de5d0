"""Timing primitives shared by every simulator runner (standard library only).

The method is that of ``peers.md`` ("Method"): a run shorter than ``min_total_s`` is repeated
(at least 3, at most 10 times) on fresh state and each timing is kept; every timed region
records how many cores other processes used meanwhile (``/proc/stat`` minus this process's own
CPU time, children included), so a contended run can be recognised and redone.
"""
from __future__ import annotations

import os
import resource
import time
from typing import Callable

TICK_S = 1.0 / os.sysconf("SC_CLK_TCK")


def busy_cpu_s() -> float | None:
    """CPU seconds all processes have spent busy since boot (``/proc/stat``), or None off Linux."""
    try:
        with open("/proc/stat") as f:
            fields = [int(x) for x in f.readline().split()[1:]]
    except OSError:
        return None
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle + iowait
    return (sum(fields[:8]) - idle) * TICK_S


def own_cpu_s() -> float:
    """CPU seconds used by this process and its waited-for children."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


class CpuMeter:
    """Wall time of a region and the cores other processes used during it.

    Use as a context manager; afterwards ``wall_s`` [s] and ``other_cores`` [cores, about
    +-0.3 for regions under 0.2 s because of tick quantisation; None off Linux] are set.
    """

    def __enter__(self) -> "CpuMeter":
        self._busy, self._own = busy_cpu_s(), own_cpu_s()
        self._start = time.perf_counter()
        return self

    def __exit__(self, *exc) -> None:
        self.wall_s = time.perf_counter() - self._start
        busy = busy_cpu_s()
        if busy is None or self._busy is None:
            self.other_cores = None
        else:
            others_s = (busy - self._busy) - (own_cpu_s() - self._own)
            self.other_cores = max(others_s, 0.0) / max(self.wall_s, TICK_S)


def repeat_runs(run: Callable[[], float | None], min_total_s: float = 1.0, min_runs: int = 3,
                max_runs: int = 10) -> list[dict]:
    """Call ``run`` (fresh state each call) until ``min_total_s`` is spent or ``max_runs`` calls.

    ``run`` returns None to be timed from outside, or its own duration in seconds (e.g. a
    simulator's internal main-loop time), which then replaces the wall time.

    Returns
    -------
    list of dict
        One ``{"s": seconds, "wall_s": seconds, "other_cores": cores}`` per call.
    """
    runs = []
    while len(runs) < max_runs and (len(runs) < min_runs or sum(r["wall_s"] for r in runs) < min_total_s):
        with CpuMeter() as meter:
            inner = run()
        runs.append({"s": meter.wall_s if inner is None else float(inner), "wall_s": meter.wall_s,
                     "other_cores": meter.other_cores})
    return runs


def timed(fn: Callable[[], object]) -> tuple[object, float]:
    """``(fn(), seconds it took)``."""
    start = time.perf_counter()
    value = fn()
    return value, time.perf_counter() - start


def peak_rss_mib() -> float:
    """Peak resident memory of this process so far [MiB] (``ru_maxrss``, KiB on Linux)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def wait_quiet(max_cores: float = 0.15, quiet_s: int = 3, max_wait_s: float = 60.0) -> float:
    """Wait until all processes together use under ``max_cores`` for ``quiet_s`` consecutive seconds.

    Gives up after ``max_wait_s`` [s]. Returns the seconds waited (``max_wait_s`` or more: never quiet).
    """
    start, quiet = time.perf_counter(), 0
    while quiet < quiet_s and time.perf_counter() - start < max_wait_s:
        before, own = busy_cpu_s(), own_cpu_s()
        if before is None:
            return 0.0
        time.sleep(1.0)
        used = (busy_cpu_s() - before) - (own_cpu_s() - own)
        quiet = quiet + 1 if used < max_cores else 0
    return time.perf_counter() - start
