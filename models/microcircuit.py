"""The cortical microcircuit of Potjans & Diesmann (2014) as plain arrays: populations, synapses, background.

Potjans T.C., Diesmann M. (2014), "The cell-type specific cortical microcircuit: relating structure and
activity in a full-scale spiking network model", Cerebral Cortex 24(3):785-806. Numbers from its Table 5
(the same as NEST's ``Potjans_2014`` example): 8 populations of one 1 mm^2 column,

========  ======  ======  ======  ======  ======  ======  ======  ======
          L23e    L23i    L4e     L4i     L5e     L5i     L6e     L6i
========  ======  ======  ======  ======  ======  ======  ======  ======
N         20683   5834    21915   5479    4850    1065    14395   2948
K_ext     1600    1500    2100    1900    2000    1900    2900    2100
========  ======  ======  ======  ======  ======  ======  ======  ======

the connection probabilities :data:`CONNECTION_P` (target row, source column), current-based LIF neurons
with exponential synaptic currents (``tau_m`` 10 ms, ``tau_syn`` 0.5 ms, ``C`` 250 pF, ``E_L`` = ``V_reset``
= -65 mV, ``V_th`` -50 mV, refractory 2 ms), excitatory weight 87.8 pA (doubled from L4e to L23e), inhibitory
``g = -4`` times that, delays 1.5 ms (excitatory) and 0.75 ms (inhibitory), initial membranes N(-58, 10) mV,
and a background of ``K_ext`` Poisson sources of 8 Hz per neuron, each with the excitatory weight.

The variant followed here (stated so that hwsim and its peers build identical networks from it):

- **Synapse numbers.** A projection's expected synapse count is the paper's
  ``K = ln(1 - C) / ln(1 - 1/(N_pre N_post))`` (the NEST example's fixed total number, ~0.30 B synapses at
  full scale). They are drawn as independent pairs (each ordered pair a synapse with probability
  ``p = K / (N_pre N_post)``; no multapses, autapses allowed) rather than with replacement: a multapse
  only doubles a weight, and unique pairs are what the IR and both simulators store.
- **Weights and delays** are fixed per projection (the paper's normal spreads are left out): every synapse
  of a projection has the same weight and delay, which also lets simulators store one delay per projection.
  Delays are whole steps of the 0.1 ms grid from a spike to its first effect on the target's membrane:
  15 steps (1.5 ms) excitatory, 8 steps (0.8 ms: 0.75 ms rounded up, as NEST rounds it to the grid)
  inhibitory.
- **Scale.** ``scale`` multiplies every population's size and keeps every neuron's mean in-degree: the pair
  probability becomes ``K / (N_post N_pre_scaled)``. Where that exceeds 1 (only below scale ~0.38), the
  projection connects all pairs and its weight is multiplied by the excess, so each neuron's mean input is
  kept (its fluctuations are then smaller than at full scale).
- **Background.** ``"poisson"``: per neuron and step, the number of background spikes is drawn as
  Binomial(K_ext, 8 Hz x dt) (what Brian2's ``PoissonInput`` draws); ``"dc"``: the paper's alternative, a
  constant current ``K_ext x 8 Hz x w x tau_syn``.

Everything is generated from a seed with numpy's ``Generator`` (one stream per projection, so any projection
can be regenerated alone), vectorised, with int32 indices. This module imports only numpy, so the benchmark's
peer environment can build the same network (:mod:`hwsim.models.microcircuit_ir` builds hwsim's IR graph).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Iterator

import numpy as np

POPULATIONS = ("L23e", "L23i", "L4e", "L4i", "L5e", "L5i", "L6e", "L6i")
FULL_SIZES = (20683, 5834, 21915, 5479, 4850, 1065, 14395, 2948)
#: Background Poisson sources per neuron (Potjans & Diesmann 2014, Table 5, layer-specific input).
K_EXT = (1600, 1500, 2100, 1900, 2000, 1900, 2900, 2100)
#: Connection probabilities C[target, source] (Potjans & Diesmann 2014, Table 5).
CONNECTION_P = np.array([
    [0.1009, 0.1689, 0.0437, 0.0818, 0.0323, 0.0, 0.0076, 0.0],
    [0.1346, 0.1371, 0.0316, 0.0515, 0.0755, 0.0, 0.0042, 0.0],
    [0.0077, 0.0059, 0.0497, 0.1350, 0.0067, 0.0003, 0.0453, 0.0],
    [0.0691, 0.0029, 0.0794, 0.1597, 0.0033, 0.0, 0.1057, 0.0],
    [0.1004, 0.0622, 0.0505, 0.0057, 0.0831, 0.3726, 0.0204, 0.0],
    [0.0548, 0.0269, 0.0257, 0.0022, 0.0600, 0.3158, 0.0086, 0.0],
    [0.0156, 0.0066, 0.0211, 0.0166, 0.0572, 0.0197, 0.0396, 0.2252],
    [0.0364, 0.0010, 0.0034, 0.0005, 0.0277, 0.0080, 0.0658, 0.1443]])
BACKGROUND_KINDS = ("poisson", "dc")
_CHUNK = 1 << 22  # geometric gaps drawn per chunk (32 MiB of int64)


@dataclass(frozen=True)
class Parameters:
    """The neuron, synapse and simulation parameters (units in the names)."""

    dt_s: float = 1e-4
    tau_mem_s: float = 10e-3
    tau_syn_s: float = 0.5e-3
    c_mem_pf: float = 250.0
    e_leak_mv: float = -65.0
    v_th_mv: float = -50.0
    v_reset_mv: float = -65.0
    refractory_s: float = 2e-3
    w_exc_pa: float = 87.8
    g: float = -4.0
    l4e_to_l23e_factor: float = 2.0
    delay_exc_steps: int = 15
    delay_inh_steps: int = 8
    background_rate_hz: float = 8.0
    v0_mean_mv: float = -58.0
    v0_sd_mv: float = 10.0

    @property
    def r_mem_mohm(self) -> float:
        """Membrane resistance tau_m / C [MOhm] (mV per nA)."""
        return self.tau_mem_s / (self.c_mem_pf * 1e-12) * 1e-6

    @property
    def refractory_steps(self) -> int:
        """Steps after a spike's step during which v is held (Brian2's and NEST's rule on the grid)."""
        return int(round(self.refractory_s / self.dt_s)) - 1

    def exact_factors(self) -> tuple[float, float, float]:
        """``(m, a, c_mv_per_pa)`` of the exact one-step solution (``I`` in pA, ``v`` in mV)::

            v(t + dt) = E_L + (v - E_L) * m + R * I_dc * (1 - m) + c * I,    I(t + dt) = a * I

        ``m = exp(-dt/tau_m)``, ``a = exp(-dt/tau_syn)``, ``c = R tau_syn / (tau_syn - tau_m) * (a - m)``
        with ``R = tau_m / C``.
        """
        m = math.exp(-self.dt_s / self.tau_mem_s)
        a = math.exp(-self.dt_s / self.tau_syn_s)
        c_mv_per_pa = self.r_mem_mohm * 1e-3 * self.tau_syn_s / (self.tau_syn_s - self.tau_mem_s) * (a - m)
        return m, a, c_mv_per_pa


PD = Parameters()


@dataclass(frozen=True)
class Projection:
    """The synapses of one source population onto one target population (indices local to each)."""

    source: str
    target: str
    pre: np.ndarray
    post: np.ndarray
    weight_pa: float
    delay_steps: int


def sizes(scale: float = 1.0) -> tuple[int, ...]:
    """Neurons per population at ``scale`` (``round(N * scale)``, at least 1)."""
    if not (isinstance(scale, (int, float)) and 0 < scale <= 1):
        raise ValueError(f"microcircuit: scale {scale!r}; expected a fraction in (0, 1].")
    return tuple(max(1, int(round(n * scale))) for n in FULL_SIZES)


def full_synapse_counts() -> np.ndarray:
    """Expected synapses per projection at full scale, ``K[target, source]`` (float)."""
    n = np.asarray(FULL_SIZES, dtype=np.float64)
    pairs = np.outer(n, n)
    return np.log1p(-CONNECTION_P) / np.log1p(-1.0 / pairs)


def pair_probability(scale: float = 1.0) -> tuple[np.ndarray, np.ndarray]:
    """``(p, weight_factor)`` per ``[target, source]``: the pair probability at ``scale`` (mean in-degree
    kept) capped at 1, and the factor (>= 1) that multiplies the weight of a capped projection."""
    n_full = np.asarray(FULL_SIZES, dtype=np.float64)
    n = np.asarray(sizes(scale), dtype=np.float64)
    raw = full_synapse_counts() / np.outer(n_full, n)
    return np.minimum(raw, 1.0), np.maximum(raw, 1.0)


def _bernoulli_pairs(rng: np.random.Generator, p: float, n_pre: int, n_post: int) -> tuple[np.ndarray, np.ndarray]:
    """Every pair ``(pre, post)`` independently with probability ``p``, in pre-major order, as int32 arrays.

    The gaps between successive chosen pairs (of ``pre * n_post + post``) are geometric, drawn in chunks:
    O(synapses) time, no memory per unchosen pair, and 8 bytes per synapse of transient memory (one chunk's
    positions, then the joined int32 halves).
    """
    n_pairs = n_pre * n_post
    if n_pairs > np.iinfo(np.int32).max:
        raise ValueError(f"microcircuit: {n_pairs:,} pairs in one projection; expected fewer than 2**31.")
    if p >= 1.0:
        flat = np.arange(n_pairs, dtype=np.int32)
        return np.divmod(flat, np.int32(n_post))
    pre_parts, post_parts, last = [], [], -1
    expected = p * n_pairs
    chunk = min(_CHUNK, int(expected + 6 * math.sqrt(expected) + 64))
    while last < n_pairs - 1:
        positions = np.cumsum(rng.geometric(p, chunk), dtype=np.int64)
        positions += last
        last = int(positions[-1])
        pre, post = np.divmod(positions[:np.searchsorted(positions, n_pairs)].astype(np.int32), np.int32(n_post))
        pre_parts.append(pre)
        post_parts.append(post)
    return np.concatenate(pre_parts), np.concatenate(post_parts)


def projections(scale: float = 1.0, seed: int = 0, params: Parameters = PD) -> Iterator[Projection]:
    """The network's projections at ``scale``, source-major (``L23e -> L23e``, ``L23e -> L23i``, ...).

    Each projection's synapses come from its own stream, ``np.random.default_rng([seed, target, source])``,
    so the same seed gives the same network in every process and any projection can be regenerated alone.
    Zero-probability projections are left out.
    """
    n = sizes(scale)
    p, factor = pair_probability(scale)
    for s, source in enumerate(POPULATIONS):
        excitatory = source.endswith("e")
        for t, target in enumerate(POPULATIONS):
            if p[t, s] == 0:
                continue
            rng = np.random.default_rng([seed, t, s])
            pre, post = _bernoulli_pairs(rng, float(p[t, s]), n[s], n[t])
            weight = params.w_exc_pa * (1.0 if excitatory else params.g) * factor[t, s]
            if (source, target) == ("L4e", "L23e"):
                weight *= params.l4e_to_l23e_factor
            delay = params.delay_exc_steps if excitatory else params.delay_inh_steps
            yield Projection(source, target, pre, post, float(weight), int(delay))


def initial_v_mv(scale: float = 1.0, seed: int = 0, params: Parameters = PD) -> np.ndarray:
    """Initial membranes of every neuron (populations in order), N(v0_mean, v0_sd) mV, float64."""
    rng = np.random.default_rng([seed, len(POPULATIONS), 0])
    return rng.normal(params.v0_mean_mv, params.v0_sd_mv, sum(sizes(scale)))


def background_dc_pa(params: Parameters = PD) -> np.ndarray:
    """The DC background of each population, ``K_ext x rate x w x tau_syn`` [pA]."""
    return (np.asarray(K_EXT, dtype=np.float64) * params.background_rate_hz * params.w_exc_pa
            * params.tau_syn_s)


def background_counts(scale: float, n_steps: int, seed: int = 0, params: Parameters = PD) -> np.ndarray:
    """Background spikes per step and neuron, uint8 ``(n_steps, n_neurons)``: Binomial(K_ext, rate x dt).

    Drawn population by population in blocks of steps (about 1 byte per entry of transient memory);
    the mean is 1.2-2.3 spikes per step, and 255 is never reached in practice (it is checked).
    """
    n = sizes(scale)
    out = np.empty((n_steps, sum(n)), dtype=np.uint8)
    rng = np.random.default_rng([seed, len(POPULATIONS), 1])
    start = 0
    block = max(1, _CHUNK // max(n))
    for size, k_ext in zip(n, K_EXT):
        for t0 in range(0, n_steps, block):
            counts = rng.binomial(k_ext, params.background_rate_hz * params.dt_s, (min(block, n_steps - t0), size))
            if counts.max(initial=0) > 255:
                raise ValueError("microcircuit: a background count above 255; expected uint8 counts.")
            out[t0:t0 + counts.shape[0], start:start + size] = counts
        start += size
    return out
