"""Where W2's time goes: neuron updates against synaptic events, hwsim beside the bare Numba kernel.

W2 (:mod:`bench.workloads`) is run twice by each simulator in this one process, interleaved:
as is, and with its synapses removed (the CUBA neurons still fire, since their resting potential
is above threshold, but no spike reaches anyone). The second run is the cost of the neuron
updates and spike bookkeeping alone (the silent network fires more, so it is an upper bound):
when it takes as long as W2 itself, W2 is bound by the neuron update loop, and the time per
neuron update says how far hwsim's loop is from the yardstick's.

Usage (from the repository root, hwsim's environment)::

    python bench/profile_w2.py [--rounds 5]

Prints a markdown table; it writes nothing.
"""
from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the bench package, when run as a script

from bench import sim_hwsim, sim_numba, workloads  # noqa: E402

SIMULATORS = {"hwsim (ideal, float64)": sim_hwsim, "bare Numba CSR kernel": sim_numba}


def _median_s(module, data: dict, size: workloads.Size) -> tuple[float, dict]:
    """Median steady-state time of one simulator's run on ``data`` and its spike counts."""
    record = module.run("W2", size, data, min_total_s=0.5)
    return statistics.median(r["wall_s"] for r in record["runs"]), record["spike_counts"]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5, help="interleaved rounds (medians over them)")
    args = parser.parse_args(argv)
    size = workloads.size("W2", "1s")
    full = workloads.load("W2")
    silent = dict(full, pre=full["pre"][:0], post=full["post"][:0])
    updates = workloads.neuron_updates("W2", size)
    times = {(name, kind): [] for name in SIMULATORS for kind in ("full", "silent")}
    events = {}
    for _ in range(args.rounds):
        for name, module in SIMULATORS.items():
            for kind, data in (("full", full), ("silent", silent)):
                t, counts = _median_s(module, data, size)
                times[name, kind].append(t)
                if kind == "full":
                    events[name] = workloads.events("W2", full, counts)
    print(f"W2 1s: {updates:,} neuron updates; medians of {args.rounds} interleaved rounds.\n")
    print("| simulator | W2 s | without synapses s | ns per neuron update (without synapses) | synaptic events in W2 |")
    print("|---|---|---|---|---|")
    for name in SIMULATORS:
        t_full, t_silent = (statistics.median(times[name, kind]) for kind in ("full", "silent"))
        print(f"| {name} | {t_full:.4f} | {t_silent:.4f} | {1e9 * t_silent / updates:.2f} | {events[name]:,} |")


if __name__ == "__main__":
    main()
