"""Hardware noise: a :class:`NoiseSpec` of sources, loaded strictly, and applied to a quantised network.

A spec lists noise *sources*, each one *kind* with its parameters (``docs/noise.md``). Kinds are
*static* (drawn once per chip instance and applied to the quantised network before lowering) or
*dynamic* (drawn every step inside the kernels). Only static kinds run in this version; dynamic
kinds are known to the schema and rejected with :class:`~hwsim.errors.UnsupportedError`.

Each kind is one small function in :data:`KINDS` (a registry, not an if/elif chain). The effect is
written in the chip's own number format: integer chips get integers inside the chip's weight,
threshold and decay registers (round, then clip); the float chip gets plain float64.

Randomness: :func:`apply_noise` gives every source its own ``numpy.random.Generator`` seeded by
``SeedSequence(seed, spawn_key=(k,))``, i.e. child ``k`` of ``SeedSequence(seed).spawn``, where
``k`` is a fixed number of the source's kind (:attr:`NoiseKind.key`) rather than its position.
So a source's draws depend only on the seed and its own parameters: adding, removing or reordering
other sources does not change them. Sources are applied in a fixed physical order
(:attr:`NoiseKind.stage`: programming -> ageing -> storage faults -> stuck faults -> neuron
mismatch -> dead/stuck neurons), so the result does not depend on the order of the spec either.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Callable, Mapping

import numpy as np

from hwsim.chips import ChipProfile, SpikingArithmetic, _File, _found, _is_int, _parse_yaml
from hwsim.errors import SpecError, UnsupportedError, did_you_mean, one_of
from hwsim.qmlp import QLayer, QuantizedMLP
from hwsim.quantize import QuantizedNetwork

NOISE_VERSION = 1

# ---------------------------------------------------------------------------------------------
# Parameters and kinds


@dataclass(frozen=True)
class Param:
    """One parameter of a noise kind: ``type`` float, bool or int, a default (None: required)
    and, for numbers, a closed range ``[minimum, maximum]`` (None: unbounded)."""

    type: type
    default: Any = None
    minimum: float | None = None
    maximum: float | None = None
    unit: str = ""

    @property
    def expected(self) -> str:
        if self.type is bool:
            return "expected true or false"
        what = "an integer" if self.type is int else "a number"
        if self.minimum is not None and self.maximum is not None:
            return f"expected {what} in [{self.minimum}, {self.maximum}]"
        if self.minimum is not None:
            return f"expected {what} >= {self.minimum}"
        return f"expected {what}"

    def check(self, value: Any, fail: Callable[[str, str, str], SpecError]):
        if self.type is bool:
            if not isinstance(value, bool):
                raise fail(_found(value), self.expected, "Write true or false without quotes.")
            return value
        ok_type = _is_int(value) if self.type is int else (
            (isinstance(value, (int, float)) and not isinstance(value, bool)) or isinstance(value, np.floating))
        if not ok_type:
            raise fail(_found(value), self.expected,
                       "true/false is not a number." if isinstance(value, bool) else "")
        value = int(value) if self.type is int else float(value)
        if not np.isfinite(value) or (self.minimum is not None and value < self.minimum) or \
                (self.maximum is not None and value > self.maximum):
            raise fail(_found(value), self.expected, "")
        return value


@dataclass(frozen=True)
class NoiseKind:
    """A registered noise kind.

    Attributes
    ----------
    name : str
        The ``kind`` written in specs.
    params : dict
        ``{name: Param}``.
    dynamic : bool
        True: drawn every step in the kernels (not yet supported).
    key : int
        Fixed spawn key of the kind's random stream (never reuse or renumber one).
    stage : int
        Application order among the static kinds of one spec.
    spiking, mlp : callable or None
        ``f(q, params, chip, rng, programmed) -> q`` for a QuantizedNetwork / QuantizedMLP (``programmed``:
        the network as quantised, before any noise, whose Loihi sign modes the noise keeps); None:
        unsupported there.
    check : callable or None
        ``check(params)`` -> None, or ``(key, found, expected, hint)`` for a rule across parameters.
    """

    name: str
    params: dict
    dynamic: bool
    key: int
    stage: int = 0
    spiking: Callable | None = None
    mlp: Callable | None = None
    check: Callable[[dict], tuple[str, str, str, str] | None] | None = None


KINDS: dict[str, NoiseKind] = {}


def register_kind(kind: NoiseKind) -> NoiseKind:
    """Add a kind to :data:`KINDS` (names and keys must be new)."""
    if kind.name in KINDS or any(k.key == kind.key for k in KINDS.values()):
        raise ValueError(f"noise kind '{kind.name}' (key {kind.key}) is already registered")
    KINDS[kind.name] = kind
    return kind


# ---------------------------------------------------------------------------------------------
# The spec


@dataclass(frozen=True)
class NoiseSource:
    """One source: a kind and its parameters (every parameter, defaults filled in)."""

    kind: str
    params: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        return {"kind": self.kind, **self.params}


@dataclass(frozen=True)
class NoiseSpec:
    """A validated list of noise sources (each kind at most once).

    Attributes
    ----------
    version : int
        Format version (1).
    sources : tuple of NoiseSource
        The sources as written; application order is fixed by the kinds (see module doc).
    """

    version: int = NOISE_VERSION
    sources: tuple[NoiseSource, ...] = ()

    def __post_init__(self):
        checked = _validate({"version": self.version, "sources": [s.to_dict() if isinstance(s, NoiseSource)
                                                                  else s for s in self.sources]},
                            _File("NoiseSpec"))
        object.__setattr__(self, "sources", checked.sources)

    @property
    def kinds(self) -> tuple[str, ...]:
        return tuple(s.kind for s in self.sources)

    def source(self, kind: str) -> NoiseSource:
        """The source of ``kind``, or SpecError."""
        for s in self.sources:
            if s.kind == kind:
                return s
        raise SpecError(f"noise spec: kind '{kind}' is not in this spec (it has: "
                        f"{', '.join(self.kinds) or 'none'}); expected one of its kinds."
                        f"{did_you_mean(kind, self.kinds)} Hint: add the source to the spec first.")

    def with_param(self, kind: str, param: str, value) -> "NoiseSpec":
        """A copy with ``param`` of the ``kind`` source set to ``value`` (validated): the sweep axis."""
        self.source(kind)
        sources = [s.to_dict() for s in self.sources]
        for s in sources:
            if s["kind"] == kind:
                s[param] = value
        return NoiseSpec(self.version, tuple(sources))

    def to_dict(self) -> dict:
        """Plain data: ``{"version": 1, "sources": [{"kind": ..., param: value, ...}, ...]}``."""
        return {"version": self.version, "sources": [s.to_dict() for s in self.sources]}


def _validate(raw: Any, where: _File) -> NoiseSpec:
    """Check plain data and return a NoiseSpec whose sources carry every parameter."""
    if not isinstance(raw, Mapping):
        raise where.error("(top level)", _found(raw), "expected a mapping with keys version, sources")
    unknown = set(raw) - {"version", "sources"}
    if unknown:
        key = sorted(map(str, unknown))[0]
        raise where.error(key, "unknown key", one_of(key, ("version", "sources")))
    version = raw.get("version", NOISE_VERSION)
    if not _is_int(version) or version != NOISE_VERSION:
        raise where.error("version", _found(version), f"expected {NOISE_VERSION}",
                          "This hwsim reads noise spec version 1.")
    sources = raw.get("sources")
    if not isinstance(sources, (list, tuple)):
        raise where.error("sources", _found(sources), "expected a list of sources (each a mapping with 'kind')")
    out, seen = [], {}
    for i, src in enumerate(sources):
        path = f"sources[{i}]"
        if isinstance(src, NoiseSource):
            src = src.to_dict()
        if not isinstance(src, Mapping):
            raise where.error(path, _found(src), "expected a mapping with 'kind' and its parameters")
        if "kind" not in src:
            raise where.error(path, "no 'kind'", f"expected a kind, {one_of('', KINDS)}")
        name = src["kind"]
        if not isinstance(name, str) or name not in KINDS:
            raise where.error(f"{path}.kind", f"unknown kind {name!r}", one_of(str(name), KINDS))
        if name in seen:
            raise where.error(f"{path}.kind", f"'{name}' again (first at sources[{seen[name]}])",
                              "expected each kind once", "Merge the two entries into one.")
        seen[name] = i
        kind = KINDS[name]
        params = {}
        for key, value in src.items():
            if key == "kind":
                continue
            if key not in kind.params:
                raise where.error(f"{path}.{key}", f"unknown parameter of '{name}'",
                                  one_of(str(key), kind.params) if kind.params else "expected none")

            def fail(found, expected, hint="", _p=f"{path}.{key}"):
                return where.error(_p, found, expected, hint)
            params[key] = kind.params[key].check(value, fail)
        for key, param in kind.params.items():
            if key not in params:
                if param.default is None:
                    raise where.error(f"{path}.{key}", "missing", f"expected it for kind '{name}' "
                                      f"({param.expected.removeprefix('expected ')})")
                params[key] = param.default
        if kind.check is not None:
            problem = kind.check(params)
            if problem is not None:
                key, found, expected, hint = problem
                raise where.error(f"{path}.{key}", found, expected, hint)
        if kind.dynamic:
            raise UnsupportedError(f"{where.name}: {path}.kind: '{name}' is a dynamic kind (drawn every step); "
                                   f"not yet supported, expected a static kind. Hint: static kinds are "
                                   f"{', '.join(k for k in KINDS if not KINDS[k].dynamic)}.")
        out.append(NoiseSource(name, params))
    spec = object.__new__(NoiseSpec)
    object.__setattr__(spec, "version", version)
    object.__setattr__(spec, "sources", tuple(out))
    return spec


def load_noise(path_or_mapping) -> NoiseSpec:
    """Load and validate a noise spec from a YAML file or a mapping.

    Parameters
    ----------
    path_or_mapping : str, os.PathLike or mapping
        A YAML file (``version: 1`` and ``sources: [{kind: ..., param: value}, ...]``) or the same
        data as a dict.

    Raises
    ------
    SpecError
        Unknown kinds or parameters (with a did-you-mean), wrong types, values out of range; the
        message names the file and the key path (``sources[1].sigma``).
    UnsupportedError
        A dynamic kind (not yet supported).
    """
    if isinstance(path_or_mapping, Mapping):
        return _validate(path_or_mapping, _File("noise spec"))
    if not isinstance(path_or_mapping, (str, os.PathLike)):
        raise SpecError(f"load_noise: {_found(path_or_mapping)}; expected a path to a YAML file or a mapping.")
    path = Path(path_or_mapping)
    where = _File(str(path))
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise where.error("(file)", "not found", "expected an existing noise spec (.yaml)") from None
    except (OSError, UnicodeDecodeError) as err:
        raise where.error("(file)", f"cannot be read ({err})", "expected a readable UTF-8 text file") from None
    return _validate(_parse_yaml(text, where), where)


# ---------------------------------------------------------------------------------------------
# Applying a spec


def source_rng(seed: int, kind: str) -> np.random.Generator:
    """The generator of ``kind``'s draws for chip instance ``seed``."""
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(KINDS[kind].key,)))


def apply_noise(q, spec: NoiseSpec | None, chip: ChipProfile, seed: int = 0):
    """Return a noisy copy of a quantised network (same type), one chip instance per ``seed``.

    Parameters
    ----------
    q : QuantizedNetwork or QuantizedMLP
        Output of :func:`hwsim.quantize_spiking` / :func:`hwsim.quantize_mlp` for ``chip``.
    spec : NoiseSpec or None
        None or an empty spec returns ``q`` itself.
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
    if not (_is_int(seed) or isinstance(seed, np.integer)) or seed < 0:
        raise SpecError(f"apply_noise: seed {_found(seed)}; expected an integer >= 0.")
    programmed = q
    attr = "mlp" if isinstance(q, QuantizedMLP) else "spiking"
    for src in sorted(spec.sources, key=lambda s: KINDS[s.kind].stage):
        fn = getattr(KINDS[src.kind], attr)
        if fn is None:
            target = "a MAC (MLP) chip" if attr == "mlp" else "a spiking chip"
            raise UnsupportedError(f"noise kind '{src.kind}': not supported on {target} ('{chip.name}'). "
                                   f"Hint: remove it from the spec for this chip; see docs/noise.md.")
        q = fn(q, src.params, chip, source_rng(int(seed), src.kind), programmed)
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
        projs.append(replace(p, weight=fn(np.asarray(p.weight, dtype=np.float64), low, high, step)))
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
# The registry (keys are fixed forever: they seed each kind's random stream)

_SIGMA = Param(float, minimum=0.0, unit="relative (1 = 100 %)")
_FRACTION = Param(float, minimum=0.0, maximum=1.0, unit="fraction")

register_kind(NoiseKind("weight_quantization", {"bits": Param(int, minimum=1, unit="bits")}, False, 1, 10,
                        _weight_quantization, _weight_quantization))
register_kind(NoiseKind("weight_variation", {"sigma": _SIGMA, "relative": Param(bool, True),
                                             "lognormal": Param(bool, False)}, False, 2, 20,
                        _weight_variation, _weight_variation, _lognormal_is_relative))
register_kind(NoiseKind("printed_drift", {"sigma": _SIGMA, "drift": Param(float, minimum=-1.0, unit="relative")},
                        False, 3, 30, None, _printed_drift))
register_kind(NoiseKind("weight_bit_flips", {"rate": _FRACTION}, False, 4, 40, _bit_flips_spiking, None))
register_kind(NoiseKind("stuck_at_zero", {"fraction": _FRACTION}, False, 5, 50,
                        _stuck_at(_zero), _stuck_at(_zero)))
register_kind(NoiseKind("stuck_at_max", {"fraction": _FRACTION}, False, 6, 51,
                        _stuck_at(_max_signed), _stuck_at(_max_signed)))
register_kind(NoiseKind("threshold_mismatch", {"sigma": _SIGMA}, False, 7, 60, _threshold_mismatch, None))
register_kind(NoiseKind("leak_mismatch", {"sigma": _SIGMA}, False, 8, 61, _leak_mismatch, None))
register_kind(NoiseKind("dead_neurons", {"fraction": _FRACTION}, False, 9, 70, _dead_spiking, _dead_mlp))
register_kind(NoiseKind("stuck_on_neurons", {"fraction": _FRACTION}, False, 10, 71,
                        _neuron_fault(_always_spike), _stuck_on_mlp))
# dynamic kinds: schema only, rejected when loaded until the kernels draw per-step noise
register_kind(NoiseKind("membrane_noise", {"sigma": _SIGMA}, True, 101))
register_kind(NoiseKind("spike_drop", {"probability": _FRACTION}, True, 102))
register_kind(NoiseKind("state_bit_flips", {"rate": _FRACTION}, True, 103))
