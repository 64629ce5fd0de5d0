"""Static noise kinds: drawn once per chip instance and applied to the quantised network.

Each kind is one small function registered in :data:`hwsim.noise.spec.KINDS`. The effect is written
in the chip's own number format: integer chips get integers inside the chip's weight, threshold and
decay registers (round, then clip); the float chip gets plain float64.

Randomness: every source has its own ``numpy.random.Generator`` seeded by
:func:`hwsim.noise.spec.source_seed` (child ``key`` of ``SeedSequence(seed)``, the key fixed per kind),
so adding, removing or reordering other sources does not change a source's draws. Sources are
applied in a fixed physical order (:attr:`NoiseKind.stage`: programming -> ageing -> storage faults
-> stuck faults -> neuron mismatch -> dead/stuck neurons), so the result does not depend on the
order of the spec either.
"""
from __future__ import annotations

from dataclasses import replace

import numpy as np

from hwsim.chips import ChipProfile, SpikingArithmetic
from hwsim.errors import UnsupportedError
from hwsim.noise.spec import (FRACTION, KINDS, SIGMA, NoiseKind, NoiseSpec, Param, check_seed, register_kind,
                              source_seed)
from hwsim.qmlp import QLayer, QuantizedMLP
from hwsim.quantize import QuantizedNetwork


def apply_noise(q, spec: NoiseSpec | None, chip: ChipProfile, seed: int = 0):
    """Return a copy of a quantised network (same type) with the spec's static sources applied, one chip
    instance per ``seed`` (dynamic sources are drawn in the kernels: :mod:`hwsim.noise.dynamic`).

    Parameters
    ----------
    q : QuantizedNetwork or QuantizedMLP
        Output of :func:`hwsim.quantize_spiking` / :func:`hwsim.quantize_mlp` for ``chip``.
    spec : NoiseSpec or None
        None or a spec without static sources returns ``q`` itself.
    chip : ChipProfile
        The chip ``q`` was quantised for (its weight width and encoding bound the results).
    seed : int
        Chip instance; same seed, same arrays (byte for byte).

    Raises
    ------
    UnsupportedError
        A kind that does not apply to this chip (e.g. bit flips on the float chip).
    """
    if spec is None or not spec.sources:
        return q
    seed = check_seed("apply_noise", seed)
    programmed = q
    attr = "mlp" if isinstance(q, QuantizedMLP) else "spiking"
    for src in sorted((s for s in spec.sources if not KINDS[s.kind].dynamic), key=lambda s: KINDS[s.kind].stage):
        fn = getattr(KINDS[src.kind], attr)
        if fn is None:
            target = "a MAC (MLP) chip" if attr == "mlp" else "a spiking chip"
            raise UnsupportedError(f"noise kind '{src.kind}': not supported on {target} ('{chip.name}'). "
                                   f"Hint: remove it from the spec for this chip; see docs/noise.md.")
        q = fn(q, src.params, chip, np.random.default_rng(source_seed(seed, src.kind)), programmed)
    return q


# ---------------------------------------------------------------------------------------------
# Number formats


def _weight_range(w: np.ndarray, chip: ChipProfile, is_float: bool) -> tuple[float, float, int]:
    """``(low, high, step)`` of one projection's weights: the register range of its encoding
    (Loihi sign modes: the mode of the programmed weights is kept), step 2 for Loihi's mixed mode.
    Float chip: ``(-inf, inf, 0)``."""
    if is_float:
        return -np.inf, np.inf, 0
    arith = chip.arithmetic
    bits = arith.weight_bits
    if isinstance(arith, SpikingArithmetic) and arith.weight_encoding == "loihi_sign_modes":
        top = (1 << bits) - 1
        if w.size and w.min() < 0 < w.max():
            return -(1 << bits), (1 << bits) - 2, 2
        if w.size and w.min() < 0:
            return -top, 0, 1
        return 0, top, 1
    top = (1 << (bits - 1)) - 1
    return -top, top, 1


def _to_format(values: np.ndarray, low, high, step) -> np.ndarray:
    """Round to the register grid and clip (integers), or clip as float64 (step 0)."""
    if step == 0:
        return np.clip(np.asarray(values, dtype=np.float64), low, high)
    return np.clip(step * np.round(values / step), low, high).astype(np.int64)


def _max_magnitude(w: np.ndarray, low, high) -> float:
    return float(np.max(np.abs(w), initial=0.0)) if not np.isfinite(high) else float(max(-low, high))


def _map_weights(q, chip, fn, programmed=None):
    """Apply ``fn(w, low, high, step, rng_slice_index) -> new w`` to every projection / layer."""
    if isinstance(q, QuantizedMLP):
        bits = chip.arithmetic.weight_bits
        top = (1 << (bits - 1)) - 1
        return replace(q, layers=tuple(replace(layer, weight=fn(layer.weight.ravel().astype(np.float64), -top, top, 1)
                                               .reshape(layer.weight.shape)) for layer in q.layers))
    projs = []
    for p, p0 in zip(q.projections, (programmed if programmed is not None else q).projections):
        low, high, step = _weight_range(p0.weight, chip, q.is_float)
        new = fn(np.asarray(p.weight, dtype=np.float64), low, high, step)   # within the registers' range
        projs.append(replace(p, weight=new.astype(p.weight.dtype, copy=False)))
    return replace(q, projections=tuple(projs))


def _weights_flat(q) -> tuple[list[np.ndarray], np.ndarray]:
    arrays = [layer.weight.ravel() for layer in q.layers] if isinstance(q, QuantizedMLP) \
        else [p.weight for p in q.projections]
    return arrays, np.cumsum([0] + [a.size for a in arrays])


def _pick(rng: np.random.Generator, n: int, fraction: float) -> np.ndarray:
    """Exactly ``round(fraction * n)`` distinct indices in ``[0, n)``, uniformly at random."""
    return rng.choice(n, size=int(round(fraction * n)), replace=False)


# ---------------------------------------------------------------------------------------------
# Static weight kinds (shared by spiking networks and MLPs)


def _weight_variation(q, p, chip, rng, programmed=None):
    arrays, ends = _weights_flat(q)
    noise = rng.standard_normal(int(ends[-1]))
    sigma, counter = p["sigma"], iter(range(len(arrays)))

    def fn(w, low, high, step):
        k = next(counter)
        n = noise[ends[k]:ends[k + 1]]
        if p["lognormal"]:
            new = w * np.exp(sigma * n)
        elif p["relative"]:
            new = w * (1.0 + sigma * n)
        else:
            new = w + sigma * float(np.max(np.abs(w), initial=0.0)) * n
        return _to_format(new, low, high, step)
    return _map_weights(q, chip, fn, programmed)


def _weight_quantization(q, p, chip, rng, programmed=None):
    levels = (1 << (p["bits"] - 1)) - 1

    def fn(w, low, high, step):
        peak = float(np.max(np.abs(w), initial=0.0))
        if peak == 0:
            return _to_format(w, low, high, step)
        new = np.sign(w) * peak if levels == 0 else np.round(w / peak * levels) * (peak / levels)
        return _to_format(new, low, high, step)
    return _map_weights(q, chip, fn, programmed)


def _stuck_at(value_of):
    def apply(q, p, chip, rng, programmed=None):
        arrays, ends = _weights_flat(q)
        hit = np.zeros(int(ends[-1]), dtype=bool)
        hit[_pick(rng, hit.size, p["fraction"])] = True
        counter = iter(range(len(arrays)))

        def fn(w, low, high, step):
            k = next(counter)
            mask = hit[ends[k]:ends[k + 1]]
            new = np.where(mask, value_of(w, low, high), w)
            return _to_format(new, low, high, step)
        return _map_weights(q, chip, fn, programmed)
    return apply


def _zero(w, low, high):
    return np.zeros_like(w)


def _max_signed(w, low, high):
    """The largest magnitude of the register (float chip: the projection's max |w|), sign kept;
    a zero weight takes the sign the projection allows (+ unless inhibitory-only)."""
    if not np.isfinite(high):
        peak = float(np.max(np.abs(w), initial=0.0))
        return np.where(w < 0, -peak, peak)
    return np.where(w < 0, low, np.where(w > 0, high, high if high > 0 else low))


def _bit_flips_spiking(q, p, chip, rng, programmed=None):
    if q.is_float:
        raise UnsupportedError(f"noise kind 'weight_bit_flips': chip '{chip.name}' stores float64 weights; "
                               f"expected an integer chip. Hint: use weight_variation on the float chip.")
    bits = chip.arithmetic.weight_bits
    arrays, ends = _weights_flat(q)
    n_bits = int(ends[-1]) * bits
    # stored bit b of weight j is bit number j * bits + b; a Binomial count of distinct bits flips
    flipped = rng.choice(n_bits, size=int(rng.binomial(n_bits, p["rate"])), replace=False)
    masks = np.zeros(int(ends[-1]), dtype=np.int64)
    np.add.at(masks, flipped // bits, np.left_shift(np.int64(1), flipped % bits))
    counter = iter(range(len(arrays)))
    encoding = chip.arithmetic.weight_encoding

    def fn(w, low, high, step):
        k = next(counter)
        m = masks[ends[k]:ends[k + 1]]
        w = w.astype(np.int64)
        if encoding == "loihi_sign_modes" and step == 1:   # excitatory / inhibitory: magnitude bits
            sign = -1 if low < 0 else 1
            return (sign * (np.abs(w) ^ m)).astype(np.int64)
        code = (w // step) & ((1 << bits) - 1)             # two's complement of the mantissa
        code = code ^ m
        code = np.where(code >= 1 << (bits - 1), code - (1 << bits), code)
        return np.clip(step * code, low, high).astype(np.int64)
    return _map_weights(q, chip, fn, programmed)


# ---------------------------------------------------------------------------------------------
# Neuron kinds (spiking)


def _threshold_range(q: QuantizedNetwork, chip: ChipProfile) -> tuple[float, float, int]:
    if q.is_float:
        return 0.0, np.inf, 0
    unit = 1 << chip.arithmetic.threshold_shift
    return 0, ((1 << chip.arithmetic.threshold_bits) - 1) * unit, unit


def _threshold_mismatch(q, p, chip, rng, programmed=None):
    low, high, step = _threshold_range(q, chip)
    noise = rng.standard_normal(q.n_neurons)
    pops = []
    for pop in q.populations:
        if not pop.has_threshold:
            pops.append(pop)
            continue
        new = pop.v_th * (1.0 + p["sigma"] * noise[pop.offset:pop.offset + pop.size])
        pops.append(replace(pop, v_th=_to_format(new, low, high, step)))
    return replace(q, populations=tuple(pops))


def _leak_mismatch(q, p, chip, rng, programmed=None):
    full = 1.0 if q.is_float else float(1 << chip.arithmetic.decay_bits)
    step = 0 if q.is_float else 1
    noise = rng.standard_normal((2, q.n_neurons))
    pops = []
    for pop in q.populations:
        sl = slice(pop.offset, pop.offset + pop.size)
        new = {}
        for row, name in enumerate(("syn_factor", "mem_factor")):
            decay = full - np.asarray(getattr(pop, name), dtype=np.float64)
            decay = _to_format(decay * (1.0 + p["sigma"] * noise[row, sl]), 0, full, step)
            decay = np.clip(decay, 0, full)
            new[name] = (full - decay).astype(np.float64 if q.is_float else np.int64)
        pops.append(replace(pop, **new))
    return replace(q, populations=tuple(pops))


def _never_spike(q, chip):
    return np.inf if q.is_float else np.iinfo(np.int64).max


def _always_spike(q, chip):
    # below every reachable membrane value: integer states stay above -2**(state_bits-1) after
    # wrap or saturation; the float value is finite so that reset by subtraction stays finite
    return -1e300 if q.is_float else -(1 << (chip.arithmetic.state_bits - 1)) - 1


def _neuron_fault(threshold_of):
    def apply(q, p, chip, rng, programmed=None):
        eligible = np.concatenate([np.arange(pop.offset, pop.offset + pop.size) for pop in q.populations
                                   if pop.has_threshold] + [np.zeros(0, dtype=np.int64)])
        chosen = np.zeros(q.n_neurons, dtype=bool)
        chosen[eligible[_pick(rng, eligible.size, p["fraction"])]] = True
        value = threshold_of(q, chip)
        pops = []
        for pop in q.populations:
            mask = chosen[pop.offset:pop.offset + pop.size]
            if not mask.any():
                pops.append(pop)
                continue
            v_th = np.where(mask, value, pop.v_th).astype(pop.v_th.dtype)
            refractory = np.where(mask, 0, pop.refractory_steps).astype(np.int64)
            pops.append(replace(pop, v_th=v_th, refractory_steps=refractory))
        return replace(q, populations=tuple(pops))
    return apply


# ---------------------------------------------------------------------------------------------
# MLP-only kinds


def _mlp_rows(q: QuantizedMLP, p, rng, set_row):
    """Pick exactly round(fraction * n_outputs) neurons over all layers and rewrite their rows."""
    sizes = [layer.weight.shape[0] for layer in q.layers]
    ends = np.cumsum([0] + sizes)
    chosen = np.zeros(int(ends[-1]), dtype=bool)
    chosen[_pick(rng, chosen.size, p["fraction"])] = True
    layers = []
    for k, layer in enumerate(q.layers):
        mask = chosen[ends[k]:ends[k + 1]]
        if not mask.any():
            layers.append(layer)
            continue
        weight, bias = layer.weight.copy(), layer.bias.copy()
        weight[mask] = 0
        bias[mask] = set_row(q, k, layer)
        layers.append(replace(layer, weight=weight, bias=bias))
    return replace(q, layers=tuple(layers))


def _dead_mlp(q, p, chip, rng, programmed=None):
    return _mlp_rows(q, p, rng, lambda q_, k, layer: 0)


def _stuck_on_mlp(q, p, chip, rng, programmed=None):
    in_top = (1 << chip.arithmetic.input_bits) - 1

    def top(q_, k, layer: QLayer):
        if layer.act_max >= 0:        # hidden: saturated at the activation's top after the shift
            return layer.act_max << layer.shift
        a_max = in_top if k == 0 else max(q_.layers[k - 1].act_max, 0)
        reach = np.clip(layer.weight, 0, None).sum(axis=1) * a_max + np.clip(layer.bias, 0, None)
        return int(np.max(reach, initial=0)) + 1   # last layer: above every reachable output
    return _mlp_rows(q, p, rng, top)


def _printed_drift(q, p, chip, rng, programmed=None):
    top = (1 << (chip.arithmetic.weight_bits - 1)) - 1
    layers = []
    for layer in q.layers:
        factor_w = 1.0 + p["drift"] + p["sigma"] * rng.standard_normal(layer.weight.shape)
        factor_b = 1.0 + p["drift"] + p["sigma"] * rng.standard_normal(layer.bias.shape)
        layers.append(replace(layer, weight=_to_format(layer.weight * factor_w, -top, top, 1),
                              bias=np.round(layer.bias * factor_b).astype(np.int64)))
    return replace(q, layers=tuple(layers))


def _dead_spiking(q, p, chip, rng, programmed=None):
    return _neuron_fault(_never_spike)(q, p, chip, rng, programmed)


def _lognormal_is_relative(params):
    if params["lognormal"] and not params["relative"]:
        return ("relative", "false with lognormal: true", "expected relative: true (a log-normal factor is "
                "multiplicative)", "Drop 'relative: false' or set lognormal: false.")
    return None


# ---------------------------------------------------------------------------------------------
# Registration (keys are fixed forever: they seed each kind's random stream; dynamic kinds use 101+)

register_kind(NoiseKind("weight_quantization", {"bits": Param(int, minimum=1, maximum=32, unit="bits")}, False, 1, 10,
                        _weight_quantization, _weight_quantization))
register_kind(NoiseKind("weight_variation", {"sigma": SIGMA, "relative": Param(bool, True),
                                             "lognormal": Param(bool, False)}, False, 2, 20,
                        _weight_variation, _weight_variation, _lognormal_is_relative))
register_kind(NoiseKind("printed_drift", {"sigma": SIGMA,
                                          "drift": Param(float, minimum=-1.0, maximum=1000.0, unit="relative")},
                        False, 3, 30, None, _printed_drift))
register_kind(NoiseKind("weight_bit_flips", {"rate": FRACTION}, False, 4, 40, _bit_flips_spiking, None))
register_kind(NoiseKind("stuck_at_zero", {"fraction": FRACTION}, False, 5, 50,
                        _stuck_at(_zero), _stuck_at(_zero)))
register_kind(NoiseKind("stuck_at_max", {"fraction": FRACTION}, False, 6, 51,
                        _stuck_at(_max_signed), _stuck_at(_max_signed)))
register_kind(NoiseKind("threshold_mismatch", {"sigma": SIGMA}, False, 7, 60, _threshold_mismatch, None))
register_kind(NoiseKind("leak_mismatch", {"sigma": SIGMA}, False, 8, 61, _leak_mismatch, None))
register_kind(NoiseKind("dead_neurons", {"fraction": FRACTION}, False, 9, 70, _dead_spiking, _dead_mlp))
register_kind(NoiseKind("stuck_on_neurons", {"fraction": FRACTION}, False, 10, 71,
                        _neuron_fault(_always_spike), _stuck_on_mlp))
