"""Where W5's run time goes: the full network, its Poisson background alone, and its neurons alone.

W5 (``models/microcircuit_ir.py``, ``mc.UNIQUE``, in-degrees kept) at ``--scale`` on one chip, one sample, one
thread, built three ways in this process: as it is (``poisson_source`` background), without its recurrent
projections (the background's channels and one-to-one synapses only), and without any projection (DC background).
Each is mapped, quantised and lowered, run once for 2 steps (compiles), then timed as the fastest of
``--repeats`` runs of ``--steps`` steps. The differences between rows price the neuron updates, the Poisson feed
and the recurrent synapses (bench/RESULTS.md, "Where W5's time goes at scale 0.3"). The network without
projections is built by giving ``microcircuit_ir.build`` a ``projections`` that yields none.

Usage (repository root, hwsim's environment)::

    python bench/w5_parts.py [--chip spinnaker] [--scale 0.3] [--steps 2000] [--repeats 2]
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from unittest import mock

import numpy as np

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import hwsim  # noqa: E402
from hwsim.kernels.actions import SYNOP  # noqa: E402
from hwsim.models import microcircuit as mc  # noqa: E402
from hwsim.models import microcircuit_ir  # noqa: E402


def _timed(graph, chip, steps: int, repeats: int) -> tuple[float, object]:
    arrays = hwsim.lower_spiking(hwsim.quantize_spiking(graph, chip), hwsim.map_graph(graph, chip),
                                 chip.capacity.bits_per_synapse, chip.capacity.memory_word_bits)
    x = np.zeros((1, steps, 0), dtype=np.uint8)
    hwsim.simulate_spiking(arrays, x[:, :2], within_sample=False)
    best, result = float("inf"), None
    for _ in range(repeats):
        start = time.perf_counter()
        result = hwsim.simulate_spiking(arrays, x, within_sample=False)
        best = min(best, time.perf_counter() - start)
    return best, result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chip", default="spinnaker")
    parser.add_argument("--scale", type=float, default=0.3)
    parser.add_argument("--steps", type=int, default=2000)
    parser.add_argument("--repeats", type=int, default=2)
    args = parser.parse_args(argv)
    chip = hwsim.load_chip(args.chip)
    print(f"W5 (unique pairs) at scale {args.scale} on {args.chip}, {args.steps} steps of 0.1 ms, one thread, "
          f"fastest of {args.repeats}\n\n| network | s | s per biological second | spikes | synaptic events |\n"
          "|---|---|---|---|---|")
    for label, background, recurrent in (("full", "poisson_source", True),
                                         ("background only (no recurrent projections)", "poisson_source", False),
                                         ("neurons only (DC, no projections)", "dc", False)):
        with mock.patch.object(mc, "projections", mc.projections if recurrent else lambda *a, **k: iter(())):
            graph = microcircuit_ir.build(args.scale, 0, background, mc.UNIQUE)
        seconds, result = _timed(graph, chip, args.steps, args.repeats)
        print(f"| {label} | {seconds:.3f} | {seconds / (args.steps * 1e-4):.2f} | {int(result.spike_count.sum()):,} | "
              f"{int(result.counts[0, :, SYNOP].sum()):,} |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
