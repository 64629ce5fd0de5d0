"""Noise-aware training: every minibatch of the built-in SNN trainer sees a fresh noisy chip instance.

The same :class:`hwsim.noise.NoiseSpec` that a sweep evaluates is used in training (the recipe of
noise-injection training, as in the Distance-Forward and printed-MLP papers):

* **static kinds** (weight variation, quantisation, stuck-at faults, threshold / leak mismatch, dead
  and stuck-on neurons) are drawn by hwsim itself: the current weights become an IR graph, are
  quantised for the float chip ``ideal`` and perturbed by :func:`hwsim.noise.apply_noise` with the
  minibatch's seed, so training and evaluation share one definition of every kind;
* **dynamic kinds** are drawn in the training-time simulator: ``membrane_noise`` / ``current_noise``
  add ``sigma * v_th * N(0, 1)`` to v / the current at every step, ``spike_drop`` removes each spike's
  delivery to the next layer with its probability (a layer fits one core in the bundled model's
  mapping, so one spike sends one packet per layer it feeds: the kernel's per-packet rule).

Gradients are computed at the noisy instance and applied to the clean weights (straight-through).
``spike_jitter`` and ``state_bit_flips`` have no counterpart in the float training model and are refused.

The MLP trainer trains against the printed circuit itself (:func:`noisy_mlp`): each minibatch's
weights are quantised for the MAC chip (:func:`hwsim.quantize.quantize_mlp`), perturbed there by
:func:`hwsim.noise.apply_noise` in the chip's own integers, and read back as floats; so the static
kinds act exactly as in evaluation, and training is quantisation-aware as well.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from hwsim.chips import ChipProfile, load_chip
from hwsim.errors import UnsupportedError
from hwsim.ir import Graph
from hwsim.noise import KINDS, NoiseSpec, apply_noise, has_dynamic
from hwsim.quantize import quantize_mlp, quantize_spiking

#: Dynamic kinds the training-time simulator draws.
TRAINABLE_DYNAMIC = ("membrane_noise", "current_noise", "spike_drop")


@dataclass(frozen=True)
class ForwardNoise:
    """Pre-drawn dynamic noise of one minibatch for a chain of layers (each list: one entry per layer).

    Attributes
    ----------
    delivered : list of ndarray
        ``(T, B, n_pre)`` 1.0 where a spike of the layer's input reaches it, 0.0 where it is dropped.
    current : list of ndarray
        ``(T, B, n)`` added to the synaptic current at each step [membrane units].
    membrane : list of ndarray
        ``(T, B, n)`` added to the membrane at each step [membrane units].
    """

    delivered: list
    current: list
    membrane: list


def check_trainable(spec: NoiseSpec | None) -> None:
    """Raise UnsupportedError for a dynamic kind the training-time simulator cannot draw."""
    for src in (() if spec is None else spec.sources):
        if KINDS[src.kind].dynamic and src.kind not in TRAINABLE_DYNAMIC:
            raise UnsupportedError(f"noise-aware training: kind '{src.kind}' has no counterpart in the float "
                                   f"training simulator; expected static kinds or one of "
                                   f"{', '.join(TRAINABLE_DYNAMIC)}. Hint: evaluate it with hwsim noise, "
                                   f"train without it.")


def noisy_chain(graph: Graph, spec: NoiseSpec | None, seed: int) -> list[dict]:
    """Static noise of chip instance ``seed`` applied to a feed-forward chain on the float chip.

    Parameters
    ----------
    graph : Graph
        A chain input -> population -> ... with one dense projection into each population.
    spec : NoiseSpec or None
        Its static sources are applied (dynamic ones are ignored here).
    seed : int
        Chip instance.

    Returns
    -------
    list of dict
        Per population in order: ``weight`` ``(n_post, n_pre)`` and the per-neuron ``decay_syn``,
        ``decay_mem``, ``bias``, ``v_th``, ``v_reset`` after noise (membrane units).
    """
    chip = load_chip("ideal")
    q = apply_noise(quantize_spiking(graph, chip), spec, chip, seed)
    offsets = {inp.name: inp.offset for inp in q.inputs}
    offsets.update({pop.name: q.n_input_channels + pop.offset for pop in q.populations})
    chain, previous_size = [], q.n_input_channels
    for pop in q.populations:
        proj = next(p for p in q.projections if p.post == pop.name)
        weight = np.zeros((pop.size, previous_size))
        np.add.at(weight, (proj.post_index - pop.offset, proj.pre_index - offsets[proj.pre]), proj.weight)
        chain.append({"weight": weight, "decay_syn": 1.0 - pop.syn_factor[0], "decay_mem": 1.0 - pop.mem_factor,
                      "bias": pop.bias, "v_th": pop.v_th, "v_reset": pop.v_reset})
        previous_size = pop.size
    return chain


def forward_noise(spec: NoiseSpec | None, v_th: list[np.ndarray], n_inputs: int, n_steps: int, batch: int,
                  rng: np.random.Generator) -> ForwardNoise | None:
    """Draw one minibatch's dynamic noise for layers with programmed thresholds ``v_th`` (None: no
    dynamic source). Layer ``k`` reads the spikes of layer ``k - 1`` (the input's for ``k = 0``)."""
    check_trainable(spec)
    params = {s.kind: s.params for s in (() if spec is None else spec.sources)}
    if not any(kind in params for kind in TRAINABLE_DYNAMIC):
        return None
    drop = params.get("spike_drop", {}).get("probability", 0.0)
    sigma_u = params.get("current_noise", {}).get("sigma", 0.0)
    sigma_v = params.get("membrane_noise", {}).get("sigma", 0.0)
    sizes = [n_inputs] + [th.size for th in v_th]
    delivered, current, membrane = [], [], []
    for k, th in enumerate(v_th):
        delivered.append((rng.random((n_steps, batch, sizes[k])) >= drop).astype(np.float64))
        current.append(sigma_u * th * rng.standard_normal((n_steps, batch, th.size)))
        membrane.append(sigma_v * th * rng.standard_normal((n_steps, batch, th.size)))
    return ForwardNoise(delivered, current, membrane)


def _scale(real: np.ndarray, codes: np.ndarray) -> float:
    """The real value of one integer unit, ``max|real| / max|codes|`` (0 when all codes are 0): exact for
    weights, whose peak :func:`hwsim.quantize.quantize_mlp` maps to the top code; within half a unit of
    rounding for biases."""
    peak = int(np.max(np.abs(codes), initial=0))
    return float(np.max(np.abs(real))) / peak if peak else 0.0


def noisy_mlp(graph: Graph, chip: ChipProfile, spec: NoiseSpec | None, seed: int,
              calibration: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
    """Chip instance ``seed`` of a float MLP on a MAC chip, as float weights and biases per layer.

    Parameters
    ----------
    graph : Graph
        A chain of dense layers (hidden ``relu``, last ``identity``).
    chip : ChipProfile
        The MAC chip (e.g. ``printed_egfet``).
    spec : NoiseSpec or None
        Static noise (dynamic kinds are refused: a MAC circuit has no steps or packets).
    seed : int
        Chip instance.
    calibration : ndarray
        Inputs in [0, 1] that fix the activation shifts (the training set).

    Returns
    -------
    list of (ndarray, ndarray)
        Per layer ``(W (n_out, n_in), b (n_out,))``: the noisy integers times the real value of one
        integer unit of the clean quantisation, so a noise-free instance returns the quantised weights.

    Raises
    ------
    UnsupportedError
        For dynamic kinds and ``stuck_on_neurons`` (a stuck output has no float-weight equivalent).
    """
    if has_dynamic(spec) or (spec is not None and "stuck_on_neurons" in spec.kinds):
        kind = next(s.kind for s in spec.sources if KINDS[s.kind].dynamic or s.kind == "stuck_on_neurons")
        raise UnsupportedError(f"noise-aware MLP training: kind '{kind}' cannot be expressed as float weights; "
                               f"expected static weight or neuron kinds (weight_variation, stuck_at_*, "
                               f"printed_drift, dead_neurons, weight_quantization). Hint: evaluate it with "
                               f"hwsim noise, train without it.")
    clean = quantize_mlp(graph, chip, calibration)
    noisy = apply_noise(clean, spec, chip, seed)
    params = []
    for layer, before, pop in zip(noisy.layers, clean.layers, graph.populations()):
        weight, bias = next(graph.incoming(pop.name)).weight, np.asarray(pop.params["bias"], dtype=np.float64)
        params.append((_scale(weight, before.weight) * layer.weight,
                       _scale(bias, before.bias) * layer.bias if np.any(before.bias) else bias.copy()))
    return params
