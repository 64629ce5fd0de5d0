"""Robustness-sweep throughput: points per second with 1 vs 2 local workers.

Workload: the bundled digits SNN on ``chips/loihi.yaml``, ``weight_variation.sigma`` at 0, 0.1, 0.2,
0.3 x INSTANCES chip instances, SAMPLES held-out samples per point (defaults: 40 points x 360
samples, a sweep of a few seconds, and 200 points x 360 samples). Sweeps in each configuration
run interleaved (one of each in turn) after one untimed warm-up of each (Numba cache, imports, the
pool's fork server); the table gives medians of whole ``hwsim.sweep.sweep`` calls. 2 workers are
this process and one helper forked from the fork server, which the warm-up started: that is every
sweep after the first in a session. The first sweep of a fresh process (what a one-shot
``hwsim noise`` pays: the kernels' first load, and for 2 workers the fork server's start) is
measured apart, in fresh interpreters, 1 and 2 workers interleaved. All must give identical points.

Usage (from the repository root)::

    python bench/bench_sweep.py [--workload 10:360 --workload 50:360] [--repeats 3] [--no-write]

Prints a table and replaces this benchmark's section of ``bench/RESULTS.md``.
"""
from __future__ import annotations

import argparse
import json
import pickle
import platform
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the bench package, when run as a script

import numba
import numpy as np

from hwsim.chips import load_chip
from hwsim.cli import _bundled_model
from hwsim.ir import Graph
from hwsim.sweep import sweep
from hwsim.tasks import task_data

from bench.results_md import machine, write_section

SECTION = "bench_sweep"
ROOT = Path(__file__).resolve().parents[1]
VALUES = [0.0, 0.1, 0.2, 0.3]


#: The configurations compared: (label, local workers, Numba threads of this process).
CONFIGS = (("1 core: 1 worker, 1 thread", 1, 1),
           ("2 cores: 1 worker, 2 threads", 1, 2),
           ("2 cores: 2 workers x 1 thread", 2, 1))
SPEC = {"version": 1, "sources": [{"kind": "weight_variation", "sigma": 0.1}]}


def _timed_sweep(graph, chip, x, y, instances: int, workers: int, threads: int):
    """One whole sweep on ``threads`` Numba threads in this process: (seconds, SweepResult)."""
    saved = numba.get_num_threads()
    numba.set_num_threads(threads)
    try:
        t0 = time.perf_counter()
        res = sweep(graph, chip, x, y, SPEC, "weight_variation", "sigma", VALUES, instances=instances,
                    seed=0, workers=workers, progress=False)
        return time.perf_counter() - t0, res
    finally:
        numba.set_num_threads(saved)


def first_sweep(instances: int, samples: int, workers: int) -> None:
    """In a fresh interpreter: print the first sweep's seconds and its result (``to_json``) as one JSON line."""
    graph = _bundled_model("digits_snn.npz")
    data = task_data(graph, None, samples)
    x, y = data.x, data.y
    dt, res = _timed_sweep(graph, load_chip("loihi"), x, y, instances, workers, 1)
    print(json.dumps({"seconds": dt, "points": res.to_json()}))


def _first_sweeps(instances: int, samples: int, repeats: int) -> dict:
    """First sweep of fresh processes, 1 and 2 workers interleaved: median seconds per worker count."""
    import subprocess

    code = "import sys; from bench.bench_sweep import first_sweep; first_sweep(*map(int, sys.argv[1:]))"
    times, texts = {1: [], 2: []}, set()
    for _ in range(repeats):
        for workers in (1, 2):
            out = subprocess.run([sys.executable, "-c", code, str(instances), str(samples), str(workers)],
                                 cwd=ROOT, check=True, capture_output=True, text=True).stdout
            rec = json.loads(out.splitlines()[-1])
            times[workers].append(rec["seconds"])
            texts.add(rec["points"])
    return {"times": times, "median": {w: statistics.median(v) for w, v in times.items()},
            "identical": len(texts) == 1}


def _measure(graph, chip, instances: int, samples: int, repeats: int) -> tuple[list[str], dict]:
    """Interleaved sweeps in each of :data:`CONFIGS`; return table rows and facts."""
    data = task_data(graph, None, samples)
    x, y = data.x, data.y
    n_points = len(VALUES) * instances

    times = {label: [] for label, _, _ in CONFIGS}
    results = {}
    for label, workers, threads in CONFIGS:  # warm-up
        _, results[label] = _timed_sweep(graph, chip, x, y, instances, workers, threads)
    for _ in range(repeats):
        for label, workers, threads in CONFIGS:
            dt, res = _timed_sweep(graph, chip, x, y, instances, workers, threads)
            times[label].append(dt)
            assert res.points == results[label].points
    med = {label: statistics.median(v) for label, v in times.items()}
    base = CONFIGS[0][0]
    rows = [f"| {n_points} x {len(x)} | {label} | {med[label]:.2f} s | {n_points / med[label]:.2f} | "
            f"{med[base] / med[label]:.2f}x | {', '.join(f'{v:.2f}' for v in times[label])} |"
            for label, _, _ in CONFIGS]
    acc = ", ".join(f"{r['value']:g}: {100 * r['accuracy_mean']:.1f} %" for r in results[base].levels)
    texts = {label: results[label].to_json() for label in results}
    return rows, {"identical": len(set(texts.values())) == 1, "label": f"{n_points} points x {len(x)} samples",
                  "speed": {label: med[base] / med[label] for label, _, _ in CONFIGS[1:]}, "acc": acc}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workload", action="append",
                        help="INSTANCES:SAMPLES per level (repeatable; default 10:360 and 50:360)")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--no-write", action="store_true", help="print only; leave bench/RESULTS.md alone")
    parser.add_argument("--json", type=Path, help="also write each workload's speeds against 1 core here (speed_2_vs_1: 2 workers x 1 thread)")
    args = parser.parse_args(argv)
    workloads = [tuple(int(v) for v in w.split(":")) for w in (args.workload or ["10:360", "50:360"])]
    if numba.config.NUMBA_NUM_THREADS < 2:
        parser.error(f"Numba may use {numba.config.NUMBA_NUM_THREADS} core here; this benchmark compares 1 and 2 cores.")
    graph = _bundled_model("digits_snn.npz")
    chip = load_chip("loihi")

    # shipping the graph: pickled Graph object vs its to_arrays() form
    t = time.perf_counter()
    blob_graph = pickle.dumps(graph, protocol=5)
    t_graph = time.perf_counter() - t
    t = time.perf_counter()
    blob_arrays = pickle.dumps(graph.to_arrays(), protocol=5)
    t_arrays = time.perf_counter() - t
    t = time.perf_counter()
    Graph.from_arrays(*pickle.loads(blob_arrays))
    t_rebuild = time.perf_counter() - t

    rows = ["| workload | configuration | median time | points/s | speed vs 1 core | runs (s) |",
            "|---|---|---|---|---|---|"]
    facts = []
    for instances, samples in workloads:
        r, f = _measure(graph, chip, instances, samples, args.repeats)
        rows += r
        facts.append(f)
    cold_instances, cold_samples = workloads[-1]
    cold = _first_sweeps(cold_instances, cold_samples, args.repeats)
    cold_speed = cold["median"][1] / cold["median"][2]
    flags = " ".join(f"--workload {i}:{s}" for i, s in workloads)
    section = "\n".join([
        "## Robustness sweep throughput: 1 core vs 2 local cores",
        "",
        f"Machine: {machine()}. Python {platform.python_version()}, numpy {np.__version__}, "
        f"numba {numba.__version__}.",
        "",
        f"Command: `python bench/bench_sweep.py {flags} --repeats {args.repeats}`",
        "",
        f"Workload: bundled digits SNN on loihi, weight_variation.sigma in {VALUES} x INSTANCES chip instances, "
        f"SAMPLES held-out samples per point; interleaved runs (one of each configuration in turn) after one "
        f"warm-up each, "
        f"medians of {args.repeats}; whole `sweep()` calls.",
        "",
        *rows,
        "",
        "; ".join(f"{f['label']}: " + ", ".join(f"{label} **{v:.2f}x**" for label, v in f["speed"].items())
                  + f" the points/s of 1 core; identical points: {'yes' if f['identical'] else 'NO'}"
                  for f in facts) + ".",
        f"Accuracy per level ({facts[-1]['label']}): {facts[-1]['acc']}.",
        "",
        f"First sweep of a fresh process ({facts[-1]['label']}, 1 Numba thread in this process; fresh "
        f"interpreters, interleaved, medians of {args.repeats}): 1 worker {cold['median'][1]:.2f} s "
        f"({', '.join(f'{v:.2f}' for v in cold['times'][1])}), 2 workers {cold['median'][2]:.2f} s "
        f"({', '.join(f'{v:.2f}' for v in cold['times'][2])}): **{cold_speed:.2f}x**; identical points: "
        f"{'yes' if cold['identical'] else 'NO'}. The 2-worker figure includes starting the fork server "
        f"(a fresh interpreter importing hwsim and building Numba's compiler contexts), which this process "
        f"overlaps with points of its own.",
        "",
        "The default (1 worker, in-process) runs the kernel on every core, parallel over the samples of a "
        "point; with 2 workers this process and the helper use 1 thread each and take whole points.",
        "",
        f"Shipping the graph: pickled `Graph` {len(blob_graph) / 1024:.1f} KiB in {1000 * t_graph:.2f} ms; "
        f"`to_arrays()` form {len(blob_arrays) / 1024:.1f} KiB in {1000 * t_arrays:.2f} ms, rebuilt with "
        f"`Graph.from_arrays` in {1000 * t_rebuild:.1f} ms once per worker (sent once per worker, not per point).",
    ])
    print(section)
    if not args.no_write:
        write_section(SECTION, section)
    if args.json:
        args.json.write_text(json.dumps([{"label": f["label"], "speed_2_vs_1": f["speed"][CONFIGS[2][0]],
                                          "speeds_vs_1_core": f["speed"], "identical": f["identical"],
                                          "first_sweep_speed_2_vs_1": cold_speed}
                                         for f in facts]))


if __name__ == "__main__":
    main()
