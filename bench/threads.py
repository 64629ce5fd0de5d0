"""One sample of a large network on one thread and on the threads sharing it (``within_sample``).

The network (``--network``): ``random`` (:func:`network`), a random sparse balanced network of LIF neurons, 80 %
excitatory and 20 % inhibitory, each receiving about ``--in-degree`` synapses from random neurons (80 % of them
excitatory; pairs drawn twice kept once) with random delays of 1..15 steps, plus ``--in-degree / 10`` from 1,000
Poisson input channels; a bias drives every neuron towards its threshold, and the membranes start at random
values. dt = 0.1 ms.
Or ``w5``: the cortical microcircuit (``models/microcircuit_ir.py``, its fixed variant ``microcircuit.FIXED``)
at ``--scale`` with its DC background
(77,169 neurons and 299 M synapses at scale 1: ~11 GiB to build and lower, so run it with >= 16 GiB free).

Per chip the network is mapped, quantised and lowered once; then ``simulate_spiking`` runs one sample with
``within_sample=False`` (today's path: one thread) and ``within_sample=True`` (``numba.get_num_threads()``
threads), alternately, each the fastest of ``--repeats`` warm runs (a 2-step call compiles first), after
waiting up to ``--max-wait-s`` for other processes to use under 0.3 cores. The two must give identical
results (checked). The table gives the send phase's mode (``hwsim.sample_threads.send_ranges``: on integer
chips each thread its share of the sources, on ``ideal`` a range of counter groups or of ports), the times, synaptic events per second and the ratio, the machine's load
average (``os.getloadavg``) before and after each chip, and the cores other processes used during the
fastest runs (``bench.timing.CpuMeter``): threads that share a sample wait for each other twice per step, so
a core taken by another process slows them far more than it slows one thread. A last line measures that
synchronisation: a network of 64 unconnected neurons run for ``--steps`` steps.

Usage (from the repository root, hwsim's environment)::

    python bench/threads.py [--neurons 60000] [--in-degree 1000] [--steps 1000] [--repeats 5]
                            [--chips ideal spinnaker] [--network random|w5] [--scale 1.0]

Prints a markdown table; it writes nothing.
"""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import numba
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the bench package, when run as a script

import hwsim  # noqa: E402
from bench.timing import CpuMeter, wait_quiet  # noqa: E402
from hwsim.kernels.actions import SYNOP  # noqa: E402
from hwsim.sample_threads import send_ranges  # noqa: E402

N_INPUTS = 1000
INPUT_RATE = 0.02      # Poisson input spikes per channel per step
MAX_DELAY_STEPS = 15   # SpiNNaker's longest in-row delay
DT_S = 1e-4


def network(n_neurons: int, in_degree: int, seed: int = 7) -> hwsim.Graph:
    """The benchmark network (module docstring): populations ``exc`` and ``inh``, input ``poisson``."""
    rng = np.random.default_rng(seed)
    n_exc = n_neurons * 4 // 5
    sizes = {"exc": n_exc, "inh": n_neurons - n_exc}
    graph = hwsim.Graph("threads", dt_s=DT_S)
    graph.add_input("poisson", N_INPUTS)
    for name, size in sizes.items():
        graph.add_population(name, size, "lif", decay_syn=0.2, decay_mem=0.01, v_th=1.0, v_reset=0.0,
                             bias=0.0095, refractory_steps=20, initial={"v": rng.uniform(0.0, 1.0, size)})
    sources = {"poisson": (N_INPUTS, in_degree // 10, 0.001), "exc": (n_exc, in_degree * 4 // 5, 0.001),
               "inh": (sizes["inh"], in_degree // 5, -0.008)}
    for pre, (n_pre, k, weight) in sources.items():
        for post, n_post in sizes.items():
            pairs = np.unique(np.repeat(np.arange(n_post), k) * n_pre + rng.integers(0, n_pre, n_post * k))
            delays = rng.integers(1, MAX_DELAY_STEPS + 1, pairs.size)
            graph.add_projection(pre, post, np.full(pairs.size, weight), pre_index=pairs % n_pre,
                                 post_index=pairs // n_pre, delay_steps=delays, name=f"{pre}-{post}")
    graph.add_output("readout", "exc")
    return graph


def lowered(graph: hwsim.Graph, chip_name: str):
    """``graph`` mapped, quantised and lowered for chip ``chip_name``."""
    chip = hwsim.load_chip(chip_name)
    placement = hwsim.map_graph(graph, chip)
    qnet = hwsim.quantize_spiking(graph, chip)
    return hwsim.lower_spiking(qnet, placement, chip.capacity.bits_per_synapse, chip.capacity.memory_word_bits)


def fastest(arrays, inputs, repeats: int) -> tuple[dict, dict, object]:
    """Fastest of ``repeats`` warm runs of one sample on one thread and with the threads sharing it, alternately:
    ``({within: seconds}, {within: cores other processes used during that run}, results)``."""
    for within in (False, True):
        hwsim.simulate_spiking(arrays, inputs[:, :2], within_sample=within)   # compiles
    best, others, results = {False: np.inf, True: np.inf}, {}, {}
    for _ in range(repeats):
        for within in (False, True):
            with CpuMeter() as meter:
                results[within] = hwsim.simulate_spiking(arrays, inputs, within_sample=within)
            if meter.wall_s < best[within]:
                best[within], others[within] = meter.wall_s, meter.other_cores
    return best, others, results


def same(one, other) -> bool:
    """Whether two results agree bit for bit."""
    fields = ("counts", "step_counts", "spike_count", "first_spike", "u_final", "v_final")
    return all(np.array_equal(getattr(one, f), getattr(other, f)) for f in fields)


def load() -> str:
    """The 1, 5 and 15 minute load averages."""
    return "/".join(f"{x:.1f}" for x in os.getloadavg())


def cores(others: dict) -> str:
    """Cores other processes used during the fastest runs (one thread, shared)."""
    return ", ".join("?" if others[w] is None else f"{others[w]:.1f}" for w in (False, True))


def workload(args: argparse.Namespace) -> tuple[hwsim.Graph, np.ndarray, str]:
    """The graph of ``args.network``, its input for one sample of ``args.steps`` steps, and a description."""
    if args.network == "w5":
        from hwsim.models import microcircuit, microcircuit_ir

        graph = microcircuit_ir.build(args.scale, seed=0, background="dc", params=microcircuit.FIXED)
        inputs = microcircuit_ir.background_inputs(graph, args.steps)
        return graph, inputs, f"W5 microcircuit (fixed variant) at scale {args.scale} (DC background)"
    rng = np.random.default_rng(1)
    inputs = (rng.random((1, args.steps, N_INPUTS)) < INPUT_RATE).astype(np.uint8)
    return network(args.neurons, args.in_degree), inputs, "random balanced network"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--network", choices=("random", "w5"), default="random")
    parser.add_argument("--neurons", type=int, default=60_000, help="random network: neurons")
    parser.add_argument("--in-degree", type=int, default=1000, help="random network: recurrent synapses per neuron")
    parser.add_argument("--scale", type=float, default=1.0, help="w5: fraction of the microcircuit's neurons")
    parser.add_argument("--steps", type=int, default=1000)
    parser.add_argument("--repeats", type=int, default=5, help="timed runs per path (fastest kept)")
    parser.add_argument("--chips", nargs="+", default=["ideal", "spinnaker"])
    parser.add_argument("--max-wait-s", type=float, default=120.0,
                        help="longest wait for a quiet machine before each chip's runs")
    args = parser.parse_args(argv)
    threads = numba.get_num_threads()
    graph, inputs, what = workload(args)
    n_neurons = sum(p.size for p in graph.populations())
    n_syn = sum(p.n_synapses for p in graph.projections())
    print(f"{what}: {n_neurons:,} LIF neurons, {n_syn:,} synapses, {args.steps} steps, one sample; "
          f"{threads} threads; fastest of {args.repeats} warm runs\n")
    print("| chip | groups | mode | spikes per step | synaptic events | 1 thread s | 1 thread events/s | "
          f"{threads} threads s | {threads} threads events/s | ratio | identical | load avg before, after | "
          "other processes' cores (1 thread, shared) |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for name in args.chips:
        arrays = lowered(graph, name)
        wait_quiet(max_cores=0.3, max_wait_s=args.max_wait_s)
        before = load()
        best, others, results = fastest(arrays, inputs, args.repeats)
        events = int(results[True].counts[:, :, SYNOP].sum())
        spikes = results[True].spike_count.sum() / args.steps
        print(f"| {name} | {arrays.n_groups} | {send_ranges(arrays, threads)[0]} | {spikes:.0f} | {events:,} | "
              f"{best[False]:.3f} | {events / best[False]:.3g} | {best[True]:.3f} | {events / best[True]:.3g} | "
              f"{best[False] / best[True]:.2f} | {same(results[False], results[True])} | {before}, {load()} | "
              f"{cores(others)} |", flush=True)
        del arrays, results   # the next chip's lowering needs the memory (W5 at full scale)
    empty = hwsim.Graph("empty", dt_s=DT_S)
    empty.add_population("idle", 64, "lif", decay_syn=0.2, decay_mem=0.01, v_th=1.0)
    empty.add_output("readout", "idle")
    arrays = lowered(empty, "ideal")
    wait_quiet(max_cores=0.3, max_wait_s=args.max_wait_s)
    before = load()
    best, others, _ = fastest(arrays, np.zeros((1, args.steps, 0), dtype=np.uint8), args.repeats)
    per_step_us = (best[True] - best[False]) / args.steps * 1e6
    print(f"\nSynchronisation (64 unconnected neurons, {args.steps} steps): {best[False]:.4f} s on one thread, "
          f"{best[True]:.4f} s shared: {per_step_us:.1f} us per step for its two phases (load average {before}, "
          f"{load()}; other processes' cores {cores(others)}).")


if __name__ == "__main__":
    main()
