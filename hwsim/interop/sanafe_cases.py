"""Networks of different shapes run side by side in SANA-FE and hwsim (bench/bench_sanafe.py, the parity tests).

Every network is driven by a biased source layer (SANA-FE's DVS example drives its input the same
way) and uses integer weights, biases and thresholds with ``if`` neurons, where SANA-FE's float
soma and hwsim's float datapath agree exactly; :func:`leaky` adds a membrane leak, where SANA-FE's
1/64 truncation of the potential differs from hwsim (docs/sanafe.md). ``scale`` multiplies the
layer sizes (1: the benchmark; the tests use small fractions). Deterministic for a given seed.
"""
from __future__ import annotations

import numpy as np

from hwsim.ir import Graph


def _source(graph: Graph, rng: np.random.Generator, size: int, v_th: float = 63.0) -> str:
    """A layer of biased ``if`` neurons, each firing every ``ceil((v_th + 1) / bias)`` steps or so."""
    graph.add_population("source", size, "if", v_th=v_th, bias=rng.integers(1, 17, size).astype(float))
    return "source"


def _sparse(rng: np.random.Generator, n_pre: int, n_post: int, density: float, low: int, high: int):
    """Random synapses: every (pre, post) pair kept with probability ``density``, integer weights in [low, high)."""
    keep = rng.random((n_pre, n_post)) < density
    pre, post = np.nonzero(keep)
    weight = rng.integers(low, high, pre.size).astype(float)
    weight[weight == 0] = 1.0
    return weight, pre, post


def dense(scale: float = 1.0, seed: int = 0) -> Graph:
    """Source -> dense hidden layer -> dense output: all-to-all weights, excitation and inhibition."""
    rng = np.random.default_rng(seed)
    n_src, n_hid, n_out = (max(4, int(n * scale)) for n in (512, 1024, 128))
    graph = Graph("sanafe_dense", metadata={"seed": seed})
    src = _source(graph, rng, n_src)
    graph.add_population("hidden", n_hid, "if", v_th=float(4 * n_src // 16))
    graph.add_projection(src, "hidden", rng.integers(-6, 9, (n_hid, n_src)).astype(float))
    graph.add_population("out", n_out, "if", v_th=float(n_hid // 8))
    graph.add_projection("hidden", "out", rng.integers(-4, 7, (n_out, n_hid)).astype(float))
    graph.add_output("readout", "out")
    return graph.validate()


def sparse(scale: float = 1.0, seed: int = 1) -> Graph:
    """Source -> a wide layer at 2 % connectivity -> a second at 5 %: many cores, few synapses each."""
    rng = np.random.default_rng(seed)
    n_src, n_a, n_b = (max(8, int(n * scale)) for n in (2048, 4096, 1024))
    graph = Graph("sanafe_sparse", metadata={"seed": seed})
    src = _source(graph, rng, n_src)
    graph.add_population("wide", n_a, "if", v_th=24.0)
    w, pre, post = _sparse(rng, n_src, n_a, 0.02, -4, 13)
    graph.add_projection(src, "wide", w, pre_index=pre, post_index=post)
    graph.add_population("narrow", n_b, "if", v_th=40.0)
    w, pre, post = _sparse(rng, n_a, n_b, 0.05, -6, 11)
    graph.add_projection("wide", "narrow", w, pre_index=pre, post_index=post)
    graph.add_output("readout", "narrow")
    return graph.validate()


def recurrent(scale: float = 1.0, seed: int = 2) -> Graph:
    """Source -> an excitatory/inhibitory recurrent layer (sparse self-connections of both signs)."""
    rng = np.random.default_rng(seed)
    n_src, n_rec = (max(8, int(n * scale)) for n in (512, 2048))
    graph = Graph("sanafe_recurrent", metadata={"seed": seed})
    src = _source(graph, rng, n_src)
    graph.add_population("rec", n_rec, "if", v_th=48.0)
    w, pre, post = _sparse(rng, n_src, n_rec, 0.05, 0, 12)
    graph.add_projection(src, "rec", w, pre_index=pre, post_index=post)
    w, pre, post = _sparse(rng, n_rec, n_rec, 0.02, -10, 8)
    graph.add_projection("rec", "rec", w, pre_index=pre, post_index=post, name="rec->rec")
    graph.add_output("readout", "rec")
    return graph.validate()


def leaky(scale: float = 1.0, seed: int = 3) -> Graph:
    """The dense network's shape with leaky (``lif``) neurons: membrane decay 1/8 per step, current decay 1/2."""
    rng = np.random.default_rng(seed)
    n_src, n_out = (max(4, int(n * scale)) for n in (512, 512))
    graph = Graph("sanafe_leaky", metadata={"seed": seed})
    src = _source(graph, rng, n_src)
    graph.add_population("out", n_out, "lif", v_th=float(n_src // 8), decay_mem=0.125, decay_syn=0.5)
    graph.add_projection(src, "out", rng.integers(-6, 9, (n_out, n_src)).astype(float))
    graph.add_output("readout", "out")
    return graph.validate()


#: name -> builder, in the order the benchmark runs them.
CASES = {"dense": dense, "sparse": sparse, "recurrent": recurrent, "leaky": leaky}
#: Cases whose neuron rules agree exactly in both simulators (neurons fired must be equal).
EXACT = ("dense", "sparse", "recurrent")
