"""Dynamic noise kinds: drawn every step or every event inside the spiking kernel.

A spec's dynamic sources become one :class:`DynamicNoise` (per-neuron standard deviations, per-packet
probabilities, a bit error rate and one 64-bit seed per kind) that :func:`hwsim.simulate.simulate_spiking`
passes to the kernel. The kernel draws from a counter-based generator (``kernels/counter_rng.py``):
each draw is a pure function of (kind seed, sample, step, index), so results do not depend on batching
or threads, and the same chip-instance seed gives the same spikes and counters, byte for byte.

Kinds (the kernel's exact rules are in ``kernels/spiking.py`` and ``docs/noise.md``):

- ``current_noise`` / ``membrane_noise`` (``sigma``): at every update, neuron ``i``'s synaptic current /
  membrane gets ``sigma * v_th[i] * N(0, 1)`` (rounded half up on integer chips), ``v_th`` of the
  network as programmed (before static noise); neurons without a threshold get none.
- ``spike_drop`` (``probability``): each packet (spike x destination core) is lost.
- ``spike_jitter`` (``probability``, ``max_steps``): each packet arrives 1 .. max_steps steps late.
- ``state_bit_flips`` (``rate``): every bit of every neuron's u and v registers flips at the end of
  each step (integer chips only).
"""
from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np

from hwsim.chips import ChipProfile
from hwsim.errors import UnsupportedError
from hwsim.noise.spec import FRACTION, KINDS, SIGMA, NoiseKind, NoiseSpec, Param, check_seed, register_kind, \
    source_seed
from hwsim.qmlp import QuantizedMLP
from hwsim.quantize import QuantizedNetwork

#: Position of each dynamic kind's seed in :attr:`DynamicNoise.seeds` (the kernel's ``noise_seeds``).
STREAMS = {"current_noise": 0, "membrane_noise": 1, "spike_drop": 2, "spike_jitter": 3, "state_bit_flips": 4}


@dataclass(frozen=True, eq=False)
class DynamicNoise:
    """What the spiking kernel draws from, for one chip instance.

    Attributes
    ----------
    seeds : ndarray uint64 ``(5,)``
        Seed of each kind, in :data:`STREAMS` order (0 for absent kinds).
    u_noise_sd, v_noise_sd : ndarray float64 ``(n_neurons,)``
        Standard deviation of the current / membrane noise per update [state units].
    drop_probability, jitter_probability : float
        Per-packet probability of loss / late delivery.
    jitter_max_steps : int
        Largest lateness [steps].
    flip_rate : float
        Probability per state bit per step of a flip.
    """

    seeds: np.ndarray
    u_noise_sd: np.ndarray
    v_noise_sd: np.ndarray
    drop_probability: float = 0.0
    jitter_probability: float = 0.0
    jitter_max_steps: int = 1
    flip_rate: float = 0.0

    @classmethod
    def off(cls, n_neurons: int) -> "DynamicNoise":
        """No dynamic noise for a network of ``n_neurons``."""
        return cls(np.zeros(len(STREAMS), dtype=np.uint64), np.zeros(n_neurons), np.zeros(n_neurons))


def has_dynamic(spec: NoiseSpec | None) -> bool:
    """True when ``spec`` has a dynamic source."""
    return spec is not None and any(KINDS[s.kind].dynamic for s in spec.sources)


def dynamic_noise(q, spec: NoiseSpec | None, chip: ChipProfile, seed: int = 0) -> DynamicNoise | None:
    """The dynamic sources of ``spec`` for chip instance ``seed`` of a programmed network.

    Parameters
    ----------
    q : QuantizedNetwork or QuantizedMLP
        The network as quantised for ``chip``, before static noise (its thresholds scale the noise).
    spec : NoiseSpec or None
        The spec; its static sources are ignored here (:func:`hwsim.noise.apply_noise`).
    chip : ChipProfile
        The chip ``q`` was quantised for.
    seed : int
        Chip instance (>= 0); each kind's seed is ``source_seed(seed, kind)``'s first 64-bit word.

    Returns
    -------
    DynamicNoise or None
        None when the spec has no dynamic source.

    Raises
    ------
    UnsupportedError
        A dynamic kind on a MAC (MLP) chip, which evaluates each sample once with no steps or packets,
        or state bit flips on the float chip.
    """
    if not has_dynamic(spec):
        return None
    seed = check_seed("dynamic_noise", seed)
    sources = [s for s in spec.sources if KINDS[s.kind].dynamic]
    if isinstance(q, QuantizedMLP):
        raise UnsupportedError(f"noise kind '{sources[0].kind}': dynamic (drawn every step), but chip "
                               f"'{chip.name}' evaluates each sample once with no steps or packets; expected "
                               f"static kinds on a MAC chip. Hint: use weight_variation, printed_drift or "
                               f"the stuck-at kinds for printed circuits.")
    values = {f.name: getattr(DynamicNoise.off(q.n_neurons), f.name) for f in fields(DynamicNoise)}
    seeds = values["seeds"]
    for src in sources:
        values.update(KINDS[src.kind].kernel(src.params, q, chip))
        seeds[STREAMS[src.kind]] = source_seed(seed, src.kind).generate_state(1, dtype=np.uint64)[0]
    return DynamicNoise(**values)


def _threshold_scale(q: QuantizedNetwork) -> np.ndarray:
    """Per neuron: its threshold [state units] if it has one, else 0 (float64)."""
    out = np.zeros(q.n_neurons)
    for pop in q.populations:
        if pop.has_threshold:
            out[pop.offset:pop.offset + pop.size] = pop.v_th
    return out


def _current(p, q, chip):
    return {"u_noise_sd": p["sigma"] * _threshold_scale(q)}


def _membrane(p, q, chip):
    return {"v_noise_sd": p["sigma"] * _threshold_scale(q)}


def _drop(p, q, chip):
    return {"drop_probability": p["probability"]}


def _jitter(p, q, chip):
    return {"jitter_probability": p["probability"], "jitter_max_steps": p["max_steps"]}


def _state_flips(p, q, chip):
    if q.is_float:
        raise UnsupportedError(f"noise kind 'state_bit_flips': chip '{chip.name}' keeps float64 state, not "
                               f"registers; expected an integer chip. Hint: use membrane_noise on '{chip.name}'.")
    return {"flip_rate": p["rate"]}


register_kind(NoiseKind("membrane_noise", {"sigma": SIGMA}, True, 101, kernel=_membrane))
register_kind(NoiseKind("spike_drop", {"probability": FRACTION}, True, 102, kernel=_drop))
register_kind(NoiseKind("state_bit_flips", {"rate": FRACTION}, True, 103, kernel=_state_flips))
register_kind(NoiseKind("current_noise", {"sigma": SIGMA}, True, 104, kernel=_current))
register_kind(NoiseKind("spike_jitter", {"probability": FRACTION,
                                         "max_steps": Param(int, 1, minimum=1, maximum=1024, unit="steps")},
                        True, 105, kernel=_jitter))
