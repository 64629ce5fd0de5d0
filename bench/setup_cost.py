"""What a run spends before its first step: map, quantise and lower W1 on each chip.

W1 (:mod:`bench.workloads`: 784-1000-1000-10, 1.8 M synapses) is mapped, quantised and lowered on each
chip named (without its refractory step on chips that have none, Loihi's); each stage's time is the fastest of
``--repeats`` calls in this process (the first call of each is a warm-up), and the table gives it per synapse
too, with the bytes per synapse of the lowered arrays (:func:`bytes_per_synapse`).

Usage (from the repository root, hwsim's environment)::

    python bench/setup_cost.py [--chips loihi loihi2 ideal spinnaker] [--repeats 3]

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


def _fastest_s(call, repeats: int) -> tuple[float, object]:
    result = call()
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        result = call()
        best = min(best, time.perf_counter() - start)
    return best, result


def bytes_per_synapse(arrays: SpikingArrays) -> float:
    """Bytes of :data:`SYNAPSE_ARRAYS` per synapse (segments and source pointers amortised over the synapses)."""
    return sum(getattr(arrays, name).nbytes for name in SYNAPSE_ARRAYS) / max(arrays.syn_port.size, 1)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chips", nargs="+", default=["loihi", "loihi2", "ideal", "spinnaker"],
                        help="chip profiles")
    parser.add_argument("--repeats", type=int, default=3, help="timed calls per stage (fastest kept)")
    args = parser.parse_args(argv)
    data = workloads.load("W1")
    graph = sim_hwsim.w1_graph(data)
    n_synapses = sum(p.n_synapses for p in graph.projections())
    print(f"W1: {n_synapses:,} synapses; fastest of {args.repeats} calls per stage\n")
    print("| chip | cores | map s | quantise s | lower s | total ns per synapse | bytes per synapse |\n"
          "|---|---|---|---|---|---|---|")
    for name in args.chips:
        chip = load_chip(name)
        graph = sim_hwsim.w1_graph(data)
        if not getattr(chip.arithmetic, "refractory", True):
            for pop in graph.populations():
                pop.params["refractory_steps"] = np.zeros(pop.size)
        map_s, placement = _fastest_s(lambda: map_graph(graph, chip), args.repeats)
        quant_s, qnet = _fastest_s(lambda: quantize_spiking(graph, chip), args.repeats)
        lower_s, arrays = _fastest_s(lambda: lower_spiking(qnet, placement, chip.capacity.bits_per_synapse,
                                                           chip.capacity.memory_word_bits), args.repeats)
        total_ns = (map_s + quant_s + lower_s) / n_synapses * 1e9
        print(f"| {name} | {placement.limits['cores'][0]} | {map_s:.3f} | {quant_s:.3f} | {lower_s:.3f} | "
              f"{total_ns:.0f} | {bytes_per_synapse(arrays):.2f} |")


if __name__ == "__main__":
    main()
