"""What a run spends before its first step: map, quantise and lower W1 (or W5) on each chip.

W1 (:mod:`bench.workloads`: 784-1000-1000-10, 1.8 M synapses) or W5 (the cortical microcircuit,
``models/microcircuit_ir.py`` at ``--scale``, fixed variant, DC background) is mapped, quantised and lowered on
each chip named (W1 without its refractory step on chips that have none, Loihi's). Each stage is called ``1 + --repeats`` times
in this process, the previous result dropped before each call: the first call's time (fresh memory: on a VM
its page faults can cost more than the work) and the fastest of the others are reported, per synapse too, with
the bytes per synapse of the lowered arrays (:func:`bytes_per_synapse`).

Usage (from the repository root, hwsim's environment)::

    python bench/setup_cost.py [--chips loihi loihi2 ideal spinnaker] [--repeats 3] [--network W5 --scale 1]

Prints a markdown table; it writes nothing.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the bench package, when run as a script

from bench import sim_hwsim, workloads  # noqa: E402
from hwsim import load_chip, lower_spiking, map_graph, quantize_spiking  # noqa: E402
from hwsim.lowering import SpikingArrays  # noqa: E402

#: The lowered arrays whose size grows with the synapses: the synapse table, the segments (one per source
#: and destination group) and the per-source segment pointers.
SYNAPSE_ARRAYS = ("syn_port", "syn_weight", "syn_delay", "seg_syn_ptr", "seg_group", "seg_mem_words", "seg_delay",
                  "seg_port0", "src_seg_ptr")


def _timed_s(call, repeats: int) -> tuple[float, float, object]:
    """``(first call s, fastest of the next `repeats` s, result)``; each call's predecessor is dropped first."""
    start = time.perf_counter()
    result = call()
    first = best = time.perf_counter() - start
    for _ in range(repeats):
        result = None
        start = time.perf_counter()
        result = call()
        best = min(best, time.perf_counter() - start)
    return first, best, result


def _graph(network: str, scale: float, data, chip):
    """W1 (without a refractory step on chips that have none) or W5 at ``scale``."""
    if network == "W5":
        from hwsim.models import microcircuit, microcircuit_ir
        return microcircuit_ir.build(scale, 1, "dc", microcircuit.FIXED)   # issue 18's fixed variant
    graph = sim_hwsim.w1_graph(data)
    if not getattr(chip.arithmetic, "refractory", True):
        for pop in graph.populations():
            pop.params["refractory_steps"] = np.zeros(pop.size)
    return graph


def bytes_per_synapse(arrays: SpikingArrays) -> float:
    """Bytes of :data:`SYNAPSE_ARRAYS` per synapse (segments and source pointers amortised over the synapses)."""
    return sum(getattr(arrays, name).nbytes for name in SYNAPSE_ARRAYS) / max(arrays.syn_port.size, 1)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chips", nargs="+", default=["loihi", "loihi2", "ideal", "spinnaker"],
                        help="chip profiles")
    parser.add_argument("--repeats", type=int, default=3, help="timed calls per stage (fastest kept)")
    parser.add_argument("--network", choices=("W1", "W5"), default="W1", help="workload")
    parser.add_argument("--scale", type=float, default=1.0, help="W5's scale (1: 77,169 neurons, 0.3 B synapses)")
    args = parser.parse_args(argv)
    data = workloads.load("W1") if args.network == "W1" else None
    print(f"{args.network}{f' scale {args.scale:g}' if args.network == 'W5' else ''}: first call and fastest of "
          f"{args.repeats} further calls per stage\n")
    print("| chip | synapses | cores | map s | quantise s | lower s | total ns per synapse | first calls: total ns "
          "per synapse | bytes per synapse |\n|---|---|---|---|---|---|---|---|---|")
    for name in args.chips:
        chip = load_chip(name)
        graph = _graph(args.network, args.scale, data, chip)
        n_synapses = sum(p.n_synapses for p in graph.projections())
        map_first, map_s, placement = _timed_s(lambda: map_graph(graph, chip), args.repeats)
        quant_first, quant_s, qnet = _timed_s(lambda: quantize_spiking(graph, chip), args.repeats)
        lower_first, lower_s, arrays = _timed_s(lambda: lower_spiking(
            qnet, placement, chip.capacity.bits_per_synapse, chip.capacity.memory_word_bits), args.repeats)
        total_ns = (map_s + quant_s + lower_s) / n_synapses * 1e9
        first_ns = (map_first + quant_first + lower_first) / n_synapses * 1e9
        print(f"| {name} | {n_synapses:,} | {placement.limits['cores'][0]} | {map_s:.3f} | {quant_s:.3f} | "
              f"{lower_s:.3f} | {total_ns:.0f} | {first_ns:.0f} | {bytes_per_synapse(arrays):.2f} |", flush=True)
        del graph, placement, qnet, arrays

if __name__ == "__main__":
    main()
