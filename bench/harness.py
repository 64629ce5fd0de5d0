"""The benchmark driver: fresh processes, interleaved rounds, contention checks and medians.

Every measurement (simulator x workload x size) runs ``processes`` times, each in a fresh
process of :mod:`bench.runner` started with its environment's interpreter and thread limits.
Rounds are interleaved (hwsim, peer, peer, ..., hwsim, peer, ...), so that a slow phase of the
machine hits every simulator alike. Before each process the driver waits for the machine to be
quiet (``peers.md``: under 0.15 cores used by others for 3 s, or gives up after a while); a
process whose timed runs saw more than :data:`MAX_OTHER_CORES` cores of other work is redone
(up to ``retries`` times) and otherwise kept, flagged as contended.
"""
from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from bench import workloads
from bench.setup_peers import peers_python
from bench.simulators import CACHE_VARIABLE, REFERENCE, SIMULATORS
from bench.timing import wait_quiet

ROOT = Path(__file__).resolve().parents[1]
MAX_OTHER_CORES = 0.2
THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMBA_NUM_THREADS")


@dataclass(frozen=True)
class Task:
    """One measurement: a simulator on one size of a workload."""

    simulator: str
    workload: str
    size: str


def plan(selection: list[tuple[str, str | None]], simulators: list[str]) -> list[Task]:
    """Tasks for ``(workload, size or None for all sizes)`` pairs and the simulators that run them."""
    tasks = []
    for workload, size_name in selection:
        for s in workloads.SIZES[workload]:
            if size_name not in (None, s.name):
                continue
            tasks += [Task(k, workload, s.name) for k in simulators if SIMULATORS[k].runs(workload, s.batch)]
    return tasks


def interpreter(simulator: str) -> Path | None:
    """The Python that runs ``simulator``, or None when its environment is missing."""
    if SIMULATORS[simulator].env == "main":
        return Path(sys.executable)
    python = peers_python()
    return python if python.is_file() else None


def run_process(task: Task, min_total_s: float, cache: Path, timeout_s: float) -> dict:
    """Run one task in a fresh process whose compile caches (Numba, Brian2's Cython) live under ``cache``;
    return its record, or ``{"error": text}``."""
    sim = SIMULATORS[task.simulator]
    python = interpreter(task.simulator)
    if python is None:
        return {"error": "peers environment missing (python bench/setup_peers.py)"}
    threads = sim.threads_for(workloads.size(task.workload, task.size).batch)
    env = dict(os.environ, NUMBA_CACHE_DIR=str(cache / f"numba-{sim.env}"), PYTHONPATH=str(ROOT),
               **{CACHE_VARIABLE: str(cache)}, **{v: str(threads) for v in THREAD_VARIABLES})
    cmd = [str(python), str(ROOT / "bench" / "runner.py"), task.simulator, task.workload, task.size,
           "--min-total-s", str(min_total_s)]
    try:
        out = subprocess.run(cmd, env=env, cwd=ROOT, capture_output=True, text=True, timeout=timeout_s)
    except subprocess.TimeoutExpired:
        return {"error": f"timed out after {timeout_s:.0f} s"}
    lines = [line for line in out.stdout.splitlines() if line.startswith("RESULT ")]
    if out.returncode != 0 or not lines:
        return {"error": (out.stderr.strip().splitlines() or ["no output"])[-1]}
    return json.loads(lines[-1][len("RESULT "):])


def measure_all(tasks: list[Task], processes: int, min_total_s: float, cache: Path, retries: int = 1,
                max_wait_s: float = 30.0, timeout_s: float = 900.0,
                log: Callable[[str], None] = print) -> dict[Task, list[dict]]:
    """Interleaved rounds: every task once per round, ``processes`` rounds; records per task.

    ``cache`` is new for a run of the driver, so the first process of a simulator finds empty
    compile caches: its first attempt's ``compile_s`` is kept as ``compile_cold_s`` (a redone
    process loads the cache); later processes are warm.
    """
    records: dict[Task, list[dict]] = {t: [] for t in tasks}
    for round_index in range(processes):
        for task in tasks:
            if records[task] and "error" in records[task][-1]:
                continue
            cold = None
            for attempt in range(retries + 1):
                waited = wait_quiet(max_wait_s=max_wait_s)
                record = run_process(task, min_total_s, cache, timeout_s)
                record["waited_s"] = waited
                cold = record.get("compile_s") if cold is None else cold
                if "error" in record or record["other_cores_max"] <= MAX_OTHER_CORES or attempt == retries:
                    break
                log(f"  redo {task.simulator} {task.workload}:{task.size} (others used "
                    f"{record['other_cores_max']:.2f} cores)")
            if round_index == 0:
                record["compile_cold_s"] = cold
            records[task].append(record)
            log(f"round {round_index + 1}/{processes} {task.simulator:15s} {task.workload}:{task.size:5s} " +
                (f"ERROR {record['error']}" if "error" in record else
                 f"steady {record['steady_s']:.4f} s, compile {record['compile_s']:.2f} s, others "
                 f"{record['other_cores_max']:.2f} cores, waited {record['waited_s']:.0f} s for quiet"))
    return records


def summarise(task: Task, records: list[dict], reference: list[dict] | None) -> dict:
    """One table row: medians over processes, the range of single timings, spike agreement with the reference.

    ``steady_s`` is the median over processes of each process's median; ``steady_min_s`` /
    ``steady_max_s`` the extremes of every single timing; ``compile_cold_s`` the first call of the
    first process (empty caches) and ``compile_warm_s`` the median of the others'.
    """
    ok = [r for r in records if "error" not in r]
    if not ok:
        return {"task": task, "error": records[-1]["error"] if records else "not run"}
    singles = [run["s"] for r in ok for run in r["runs"]]
    steady = statistics.median(r["steady_s"] for r in ok)
    first = ok[0]
    row = {"task": task, "label": SIMULATORS[task.simulator].label, "threads": first["threads"],
           "processes": len(ok), "contended": sum(r["other_cores_max"] > MAX_OTHER_CORES for r in ok),
           "failed": [r["error"] for r in records if "error" in r],
           "steady_s": steady, "steady_min_s": min(singles), "steady_max_s": max(singles),
           "build_s": statistics.median(r["build_s"] for r in ok),
           "compile_cold_s": first.get("compile_cold_s", first["compile_s"]),
           "compile_warm_s": statistics.median(r["compile_s"] for r in ok[1:]) if len(ok) > 1 else None,
           "steps_per_s": first["n_steps"] / steady, "events": first["events"],
           "events_per_s": first["events"] / steady, "neuron_updates_per_s": first["neuron_updates"] / steady,
           "peak_rss_mib": statistics.median(r["peak_rss_mib"] for r in ok),
           "rss_after_import_mib": statistics.median(r["rss_after_import_mib"] for r in ok),
           "spike_totals": first["spike_totals"], "notes": first.get("notes", ""),
           "versions": first["versions"], "synops": first.get("synops")}
    row["agree"] = agreement(first, reference[0] if reference else None)
    return row


def agreement(record: dict, reference: dict | None) -> str:
    """``"yes"`` when every neuron's spike count equals the reference's; else how many neurons and spikes differ."""
    if reference is None or "error" in reference:
        return "n/a"
    pairs = [(a, b) for g in reference["spike_counts"]
             for a, b in zip(record["spike_counts"][g], reference["spike_counts"][g])]
    differ = sum(a != b for a, b in pairs)
    if differ == 0:
        return "yes"
    spikes = sum(abs(a - b) for a, b in pairs)
    return (f"no: {differ:,} of {len(pairs):,} neurons differ, by {spikes:,} of "
            f"{sum(b for _, b in pairs):,} spikes")


def summarise_all(records: dict[Task, list[dict]]) -> list[dict]:
    """Rows for every task, spike counts compared with :data:`bench.simulators.REFERENCE` of the same size."""
    ok = {t: [r for r in rs if "error" not in r] for t, rs in records.items()}
    return [summarise(t, rs, ok.get(Task(REFERENCE, t.workload, t.size))) for t, rs in records.items()]
