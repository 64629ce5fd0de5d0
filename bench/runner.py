"""Measure one simulator on one workload size, in this process; as a script, print the record as JSON.

Usage (what ``bench/run_all.py`` starts in a fresh process per measurement, with the
interpreter of the simulator's environment and its thread limits in the environment)::

    python bench/runner.py SIMULATOR WORKLOAD SIZE [--min-total-s 1.0]

The last line of stdout is ``RESULT <json>``: the record of :func:`measure`.
"""
from __future__ import annotations

import argparse
import importlib
import json
import statistics
import sys
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make the ``bench`` package importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import workloads  # noqa: E402
from bench.simulators import SIMULATORS  # noqa: E402
from bench.timing import peak_rss_mib  # noqa: E402

#: Fields every record carries (the smoke test checks them).
FIELDS = ("simulator", "workload", "size", "batch", "n_steps", "threads", "build_s", "compile_s", "runs",
          "steady_s", "events", "neuron_updates", "spike_counts", "spike_totals", "rss_after_import_mib",
          "peak_rss_mib", "other_cores_max", "notes", "versions")


def measure(simulator: str, workload: str, size_name: str, min_total_s: float = 1.0) -> dict:
    """Run ``simulator`` on ``workload`` at ``size_name`` in this process and return its record.

    ``threads`` is the configuration's thread limit (:meth:`bench.simulators.Simulator.threads_for`,
    which the driver also puts in the thread variables of the process's environment). The record
    holds the raw timings (``runs``: one entry per inner repetition, in s, with the
    cores other processes used meanwhile), their median ``steady_s`` [s], ``build_s`` and
    ``compile_s`` [s] (first call), spikes per neuron and per group, synaptic ``events``
    (sum of spikes x fan-out) and the process's peak RSS [MiB], before the run and at its end.
    """
    sim = SIMULATORS[simulator]
    module_name, function = sim.target.split(":")
    run = getattr(importlib.import_module(module_name), function)
    size = workloads.size(workload, size_name)
    data = workloads.load(workload)
    rss_after_import = peak_rss_mib()
    raw = run(workload, size, data, min_total_s=min_total_s, **sim.kwargs)
    counts = raw.pop("spike_counts")
    record = {"simulator": simulator, "workload": workload, "size": size.name, "batch": size.batch,
              "n_steps": size.n_steps, "threads": sim.threads_for(size.batch), "notes": "", **raw,
              "steady_s": statistics.median(r["s"] for r in raw["runs"]),
              "events": workloads.events(workload, data, counts),
              "neuron_updates": workloads.neuron_updates(workload, size),
              "spike_counts": counts, "spike_totals": {g: int(sum(c)) for g, c in counts.items()},
              "rss_after_import_mib": rss_after_import, "peak_rss_mib": peak_rss_mib(),
              "other_cores_max": max((r["other_cores"] or 0.0) for r in raw["runs"])}
    return record


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("simulator", choices=sorted(SIMULATORS))
    parser.add_argument("workload", choices=sorted(workloads.SIZES))
    parser.add_argument("size")
    parser.add_argument("--min-total-s", type=float, default=1.0,
                        help="repeat a run on fresh state until this much time is spent (at least 3, at most 10)")
    args = parser.parse_args(argv)
    record = measure(args.simulator, args.workload, args.size, args.min_total_s)
    print("RESULT " + json.dumps(record))
    return 0


if __name__ == "__main__":
    sys.exit(main())
