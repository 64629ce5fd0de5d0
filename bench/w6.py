"""W6: a DVS-gesture-style conv SNN on 2 x 128 x 128 event input (DVS128 size), built as a NIR graph.

The network is written with the ``nir`` package (what snnTorch, Norse or Sinabs would export) and read
back with :func:`hwsim.interop.nir.import_nir`, which unrolls every Conv2d into synapses; it is the issue's
"conv SNN on DVS128-sized input imported from NIR". Weights are drawn with a fixed seed (no trained
DVS-gesture NIR file is public in a form we can ship), the input is a seeded synthetic event stream.

Layers (``W6`` below; PyTorch shapes, cross-correlation, zero padding)::

    Input 2x128x128 -> Conv2d 2->c1 k? s? -> LIF -> Conv2d c1->c2 k3 s2 p1 -> LIF
        -> Conv2d c2->c3 k3 s2 p1 -> LIF -> Flatten -> Affine -> 11 LIF (the classes)

All neurons are NIR ``LIF`` (snnTorch's Leaky: ``tau = 20 ms``, ``r = tau/dt`` so the input gain
is 1, ``v_threshold = 1``, ``v_reset = 0``) at ``dt = 1 ms``; the graph is imported with
``convention="snntorch"`` and ``min_delay_steps = 1`` (Loihi has no instantaneous projection, so every
layer adds a step on every chip alike). Events: each pixel and polarity fires with probability
``event_p`` per step, independently (seeded), i.e. ``event_p`` of the 32,768 input channels per step.
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
#: W6 cut to fit one Loihi 1 (128 cores; see the module docstring): 8-16-16 channels, a 4x4 stride-4 first conv.
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
