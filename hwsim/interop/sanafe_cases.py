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


def _sparse(graph: Graph, rng: np.random.Generator, pre: str, post: str, density: float, low: int, high: int) -> None:
    """Random synapses pre -> post: every pair kept with probability ``density``, integer weights in [low, high)."""
    keep = rng.random((graph.node(pre).size, graph.node(post).size)) < density
    pre_index, post_index = np.nonzero(keep)
    weight = rng.integers(low, high, pre_index.size).astype(float)
    weight[weight == 0] = 1.0
    graph.add_projection(pre, post, weight, pre_index=pre_index, post_index=post_index, name=f"{pre}->{post}")


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


def _layered(name: str, seed: int, n_source: int, layers: tuple) -> Graph:
    """A biased source, then ``layers`` of ``(population, size, v_th, [(pre, density, low, high), ...])``."""
    rng = np.random.default_rng(seed)
    graph = Graph(name, metadata={"seed": seed})
    _source(graph, rng, n_source)
    for population, size, v_th, incoming in layers:
        graph.add_population(population, size, "if", v_th=v_th)
        for pre, density, low, high in incoming:
            _sparse(graph, rng, pre, population, density, low, high)
    graph.add_output("readout", layers[-1][0])
    return graph.validate()


def sparse(scale: float = 1.0, seed: int = 1) -> Graph:
    """Source -> a wide layer at 2 % connectivity -> a second at 5 %: many cores, few synapses each."""
    n_src, n_a, n_b = (max(8, int(n * scale)) for n in (2048, 4096, 1024))
    return _layered("sanafe_sparse", seed, n_src, (("wide", n_a, 24.0, [("source", 0.02, -4, 13)]),
                                                   ("narrow", n_b, 40.0, [("wide", 0.05, -6, 11)])))


def recurrent(scale: float = 1.0, seed: int = 2) -> Graph:
    """Source -> an excitatory/inhibitory recurrent layer (sparse self-connections of both signs)."""
    n_src, n_rec = (max(8, int(n * scale)) for n in (512, 2048))
    return _layered("sanafe_recurrent", seed, n_src,
                    (("rec", n_rec, 48.0, [("source", 0.05, 0, 12), ("rec", 0.02, -10, 8)]),))


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
