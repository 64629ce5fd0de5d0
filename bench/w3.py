"""W3: the fixed-point network of ``bench/bench_lava.py`` (hwsim vs Lava), without that script's side effects.

1000 input channels -> Dense 1000x1000 -> LIF 1000 -> Dense 1000x1000 -> LIF 1000 (``decay_syn = 0.5``,
``decay_mem = 0.1``, ``v_th = 1``), weights drawn once (seed 0), quantised for ``chips/loihi.yaml`` by the
pipeline; inputs are Bernoulli spike trains at 5 % per step.
"""
from __future__ import annotations

import numpy as np

import hwsim

N, INPUT_RATE, SEED = 1000, 0.05, 0


def network(rng: np.random.Generator) -> hwsim.Graph:
    """The 2-layer network (W3), its weights drawn from ``rng``."""
    graph = hwsim.Graph("bench_lava")
    graph.add_input("in", N)
    for name in ("h1", "h2"):
        graph.add_population(name, N, "lif", v_th=1.0, decay_syn=0.5, decay_mem=0.1)
    graph.add_projection("in", "h1", rng.normal(-0.001, 0.06, (N, N)))
    graph.add_projection("h1", "h2", rng.normal(0.0, 0.045, (N, N)))
    graph.add_output("out", "h2")
    return graph


def inputs(rng: np.random.Generator, n_steps: int) -> np.ndarray:
    """One input raster ``(n_steps, N)``: Bernoulli spikes at ``INPUT_RATE``."""
    return (rng.random((n_steps, N)) < INPUT_RATE).astype(np.uint8)
