"""W6: a DVS-gesture-style conv SNN on 2 x 128 x 128 event input (DVS128 size), built as a NIR graph.

The network is written with the ``nir`` package (what snnTorch, Norse or Sinabs would export) and read
back with :func:`hwsim.interop.nir.import_nir`, which unrolls every Conv2d into synapses; it is the issue's
"conv SNN on DVS128-sized input imported from NIR". Weights are drawn with a fixed seed and the input is a
seeded synthetic event stream: the trained conv SNN published with NIR (neuromorphs/NIR,
``paper/02_cnn/scnn_mnist.nir``) takes N-MNIST's 2 x 34 x 34 input, and we found no trained NIR file of
DVS128 size in a public repository.

Layers (``W6`` below; PyTorch shapes, cross-correlation, zero padding)::

    Input 2x128x128 -> Conv2d 2->16 k5 s2 p2 -> LIF 16x64x64 -> Conv2d 16->32 k3 s2 p1 -> LIF 32x32x32
        -> Conv2d 32->32 k3 s2 p1 -> LIF 32x16x16 -> Flatten -> Affine 8192->11 -> LIF 11 (the classes)

106,507 neurons and 10,188,576 synapses once unrolled. All neurons are NIR ``LIF`` (snnTorch's Leaky:
``tau = 20 ms``, ``r = tau/dt`` so the input gain is 1, ``v_threshold = 1``, ``v_reset = 0``) at
``dt = 1 ms``; the graph is imported with ``convention="snntorch"`` and ``min_delay_steps = 1`` (Loihi has no
instantaneous projection, so every layer adds a step on every chip alike). Weights are normal with the
means and spreads below over ``sqrt(fan_in)``, chosen so that every layer fires at 3-12 % per step on the
events. Events: each pixel and polarity fires with probability ``event_p`` per step, independently (seeded).

W6 does not fit one Loihi 1 (``chips/loihi.yaml``, and the profiles have no multi-chip Loihi): each readout
neuron has 8,192 distinct sources against ``fan_in_per_core`` = 4,096, and with that fan-in cut to 4,096
the rest needs 1,196 cores (synaptic memory and fan-in per core bind; lif0 158, lif1 688, lif2 349 cores)
against 128. :data:`W6_LOIHI` is a variant on the same 2 x 128 x 128 input that fits:
Conv2d 2->8 k4 s4 -> 8x32x32 -> Conv2d 8->16 k3 s2 p1 -> 16x16x16 -> Conv2d 16->16 k3 s2 p1 -> 16x8x8 ->
Affine 1024->11: 13,323 neurons, 691,584 synapses on 104 of the 128 cores.
"""
from __future__ import annotations

from dataclasses import dataclass

import nir
import numpy as np

import hwsim
from hwsim.interop.nir import import_nir


@dataclass(frozen=True)
class ConvSNN:
    """W6's parameters (units in the names).

    Attributes
    ----------
    in_shape : tuple
        ``(polarities, height, width)`` of the event input.
    convs : tuple
        ``(out_channels, kernel, stride, padding)`` per Conv2d layer.
    n_classes : int
        Output neurons (DVS gesture has 11 classes).
    weight_mean, weight_std : tuple
        Normal weights per layer (the convs, then the dense readout), before the fan-in scaling
        ``1 / sqrt(fan_in)``.
    """

    in_shape: tuple = (2, 128, 128)
    convs: tuple = ((16, 5, 2, 2), (32, 3, 2, 1), (32, 3, 2, 1))
    n_classes: int = 11
    dt_s: float = 1e-3
    tau_s: float = 20e-3
    v_th: float = 1.0
    weight_mean: tuple = (0.5, 0.15, 0.1, 0.05)
    weight_std: tuple = (0.4, 0.5, 0.5, 0.5)
    event_p: float = 0.02
    n_steps: int = 300
    seed: int = 6

    @property
    def n_inputs(self) -> int:
        """Input channels (polarities x pixels)."""
        return int(np.prod(self.in_shape))


W6 = ConvSNN()
#: W6 cut to fit one Loihi 1 (104 of its 128 cores; see the module docstring).
W6_LOIHI = ConvSNN(convs=((8, 4, 4, 0), (16, 3, 2, 1), (16, 3, 2, 1)), weight_mean=(0.6, 0.25, 0.15, 0.05))
#: A tiny variant with the same structure (smoke tests).
W6_TINY = ConvSNN(in_shape=(2, 16, 16), convs=((4, 4, 4, 0), (4, 3, 2, 1)), n_steps=20)


def _lif(shape: tuple, p: ConvSNN) -> nir.LIF:
    full = np.ones(shape)
    return nir.LIF(tau=full * p.tau_s, r=full * p.tau_s / p.dt_s, v_leak=full * 0.0,
                   v_threshold=full * p.v_th, v_reset=full * 0.0)


def nir_graph(p: ConvSNN = W6) -> nir.NIRGraph:
    """W6 as a ``nir.NIRGraph`` (seeded weights; see the module docstring)."""
    rng = np.random.default_rng(p.seed)
    nodes = {"input": nir.Input(input_type=np.array(p.in_shape))}
    edges, prev, shape = [], "input", tuple(p.in_shape)
    for k, (c_out, kernel, stride, padding) in enumerate(p.convs):
        c_in, h, w = shape
        fan_in = c_in * kernel * kernel
        weight = rng.normal(p.weight_mean[k], p.weight_std[k], (c_out, c_in, kernel, kernel)) / np.sqrt(fan_in)
        h_out, w_out = ((n + 2 * padding - kernel) // stride + 1 for n in (h, w))
        nodes[f"conv{k}"] = nir.Conv2d(input_shape=(h, w), weight=weight, stride=stride, padding=padding,
                                       dilation=1, groups=1, bias=np.zeros(c_out))
        shape = (c_out, h_out, w_out)
        nodes[f"lif{k}"] = _lif(shape, p)
        edges += [(prev, f"conv{k}"), (f"conv{k}", f"lif{k}")]
        prev = f"lif{k}"
    n_flat = int(np.prod(shape))
    weight = rng.normal(p.weight_mean[-1], p.weight_std[-1], (p.n_classes, n_flat)) / np.sqrt(n_flat)
    nodes["flatten"] = nir.Flatten(input_type={"input": np.array(shape)}, start_dim=0, end_dim=-1)
    nodes["fc"] = nir.Affine(weight=weight, bias=np.zeros(p.n_classes))
    nodes["out"] = _lif((p.n_classes,), p)
    nodes["output"] = nir.Output(output_type=np.array([p.n_classes]))
    edges += [(prev, "flatten"), ("flatten", "fc"), ("fc", "out"), ("out", "output")]
    return nir.NIRGraph(nodes=nodes, edges=edges, metadata={"producer": "hwsim bench/w6.py", "dt_s": p.dt_s})


def import_graph(source: nir.NIRGraph, p: ConvSNN = W6) -> hwsim.Graph:
    """The NIR graph imported as hwsim does it (snnTorch convention, one step per layer)."""
    return import_nir(source, p.dt_s, "snntorch", min_delay_steps=1, name="W6")


def events(p: ConvSNN = W6, batch: int = 1, n_steps: int | None = None) -> np.ndarray:
    """Seeded synthetic events ``uint8 (batch, n_steps, 2 * H * W)``: each channel fires with ``event_p``."""
    rng = np.random.default_rng(p.seed + 1)
    steps = p.n_steps if n_steps is None else n_steps
    return (rng.random((batch, steps, p.n_inputs), dtype=np.float32) < p.event_p).astype(np.uint8)
