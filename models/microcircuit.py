"""The cortical microcircuit of Potjans & Diesmann (2014) as plain arrays: populations, synapses, background.

Potjans T.C., Diesmann M. (2014), "The cell-type specific cortical microcircuit: relating structure and
activity in a full-scale spiking network model", Cerebral Cortex 24(3):785-806. Numbers from its Table 5
and from NEST's ``Potjans_2014`` example (``pynest/examples/Potjans_2014/network_params.py`` and
``network.py`` at nest-simulator commit 33ff34a, 2024; moved out of NEST in 2025): 8 populations of one 1 mm^2 column,

========  ======  ======  ======  ======  ======  ======  ======  ======
          L23e    L23i    L4e     L4i     L5e     L5i     L6e     L6i
========  ======  ======  ======  ======  ======  ======  ======  ======
N         20683   5834    21915   5479    4850    1065    14395   2948
K_ext     1600    1500    2100    1900    2000    1900    2900    2100
========  ======  ======  ======  ======  ======  ======  ======  ======

the connection probabilities :data:`CONNECTION_P` (target row, source column), current-based LIF neurons
with exponential synaptic currents (NEST's ``iaf_psc_exp``: ``tau_m`` 10 ms, ``tau_syn`` 0.5 ms, ``C``
250 pF, ``E_L`` = ``V_reset`` = -65 mV, ``V_th`` -50 mV, refractory 2 ms), and a background of ``K_ext``
Poisson sources of 8 Hz per neuron, each with the mean excitatory weight.

**The published model** (:data:`PD`, the default), as NEST's example builds it:

- **Weights** per synapse: normal, mean 87.8 pA excitatory (the paper's Table 5; the example converts a
  0.15 mV PSP to 87.81 pA), doubled from L4e to L23e, ``g = -4`` times it inhibitory, relative sd 0.1
  (``weight_rel_std``), redrawn until the sign is kept (``nest.math.redraw``, min 0 for excitatory, max 0
  for inhibitory synapses). The background's weight is the mean excitatory one, without spread.
- **Delays** per synapse: normal, mean 1.5 ms excitatory and 0.75 ms inhibitory, relative sd 0.5
  (``delay_rel_std``), redrawn below half a step (``min = resolution - 0.5 * resolution``), then rounded
  to the 0.1 ms grid as NEST rounds every delay (``Time::delay_ms_to_steps``: ``floor(ms / dt + 0.5)``), so
  at least one step. A NEST delay of ``d`` steps reaches the membrane ``d + 1`` steps after the spike's step
  (``iaf_psc_exp::update`` adds a step's arrivals to the current after the membrane's update; the event
  is delivered ``stamp + d - 1``, stamped one step after the update that fired), so hwsim's delay (from a
  spike's step to its first effect on the membrane) is ``d + 1`` steps: 16 for the mean excitatory delay,
  9 for the inhibitory one (0.75 ms rounds to 8 steps), up to ~60 at 0.3 B synapses (int8).
- **Refractory period**: NEST counts ``round(t_ref / dt)`` = 20 steps after the spike's step during which
  the membrane is held (``RefractoryCounts``).
- **Initial membranes**: ``v0="optimized"`` (the example's default), normal per population with the
  example's means and sds (:data:`V0_OPTIMIZED_MEAN_MV`, :data:`V0_OPTIMIZED_SD_MV`), which shortens the
  start-up burst; ``v0="original"``, N(-58, 10) mV for every neuron, as in the paper.

**The fixed variant** (:data:`FIXED`), on which issue 18's benchmarks were measured: every synapse of a
projection has the mean weight and one delay, 15 steps excitatory and 8 inhibitory from the spike's step
to the membrane (Brian2's reading of 1.5 ms and 0.75 ms: NEST's 1.4 and 0.7 ms), 19 refractory steps, and
``v0="original"``, unique pairs. It fits SpiNNaker's 15 in-row delay steps; the published model's delays do
not. :data:`UNIQUE` is the published model with unique pairs, which issue 18's W5 comparisons with Brian2 use
(``bench/scale_w5.py --variant unique``; ``published`` meant it before multapses became the default).

Common to all three (:data:`PD`, :data:`UNIQUE`, :data:`FIXED`):

- **Synapse numbers.** A projection's expected synapse count is the paper's
  ``K = ln(1 - C) / ln(1 - 1/(N_pre N_post))`` (the NEST example's fixed total number, ~0.30 B synapses at
  full scale). The published model draws them as NEST does (``multapses=True``, the default): the expected
  total ``K`` (rounded) of pairs, source and target each uniform, with replacement, so a pair drawn k times is
  k synapses, each with its own weight and delay (at scales where the pair probability would pass 1, the
  total is kept and the weights are not multiplied). With unique pairs NEST's reference rates were missed in
  three populations on every seed (``bench/RESULTS.md``, "The microcircuit with NEST's multapses"): the same
  mean input, but less of its variance. ``multapses=False`` (:data:`UNIQUE`, and the fixed variant) draws
  independent pairs instead, each ordered pair a synapse with probability ``p = K / (N_pre N_post)`` (autapses
  allowed; where ``p`` would pass 1 every pair is connected and the weight multiplied by the excess).
- **Scale.** ``scale`` multiplies every population's size (the example's ``N_scaling``), and
  ``Parameters.k_scale`` every in-degree (``K_scaling``, 1: in-degrees kept): the pair probability becomes
  ``K k_scale / (N_post N_pre_scaled)``. Where that exceeds 1 (in-degrees kept below scale ~0.38), the
  projection connects all pairs and its weight is multiplied by the excess. With ``k_scale < 1`` weights
  are divided by ``sqrt(k_scale)`` (the background's too, from ``round(K_ext k_scale)`` sources) and each
  population gets the DC that restores its mean input, ``tau_syn (1 - sqrt(k_scale))`` times its recurrent
  input at the full-scale rates :data:`FULL_MEAN_RATES_HZ` (plus its background input with the Poisson
  background): van Albada, Helias, Diesmann (2015), PLoS Comput Biol 11(9):e1004490, as the example's
  ``adjust_weights_and_input_to_synapse_scaling`` computes it. Mean and variance of each neuron's input
  are then kept, correlations are not.
- **Background.** ``"poisson"``: per neuron and step, the number of background spikes is drawn as
  Binomial(K_ext, 8 Hz x dt) (what Brian2's ``PoissonInput`` draws) on the host (:func:`background_counts`);
  ``"poisson_source"``: the same background as one Poisson source per neuron of rate ``K_ext x 8 Hz``, whose
  count per step, Poisson(K_ext x 8 Hz x dt), the simulator draws itself (it differs from the Binomial only
  at O(1 / K_ext) in the variance), so no count array is stored and integer chips run it; ``"dc"``: the
  paper's alternative, a constant current ``K_ext x 8 Hz x w x tau_syn``.

Everything is generated from a seed with numpy's ``Generator``, one stream per projection and purpose
(pairs ``[seed, target, source]``, weights ``[..., 1]``, delays ``[..., 2]``), so the same seed gives the
same network in every process and any projection can be regenerated alone; vectorised, with int32 indices,
float64 weights (the IR stores float64: float32 here would save nothing and add a rounding the peers would
have to copy) and int8 delays. This module imports only numpy, so the benchmark's peer environment can
build the same network (:mod:`hwsim.models.microcircuit_ir` builds hwsim's IR graph).
"""
from __future__ import annotations

import dataclasses
import difflib
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
#: Initial membranes with ``v0="optimized"`` (NEST example, ``V0_mean`` / ``V0_std`` ``'optimized'``) [mV].
V0_OPTIMIZED_MEAN_MV = (-68.28, -63.16, -63.33, -63.45, -63.11, -61.66, -66.72, -61.43)
V0_OPTIMIZED_SD_MV = (5.36, 4.57, 4.74, 4.94, 4.94, 4.55, 5.46, 4.48)
#: Full-scale rates the in-degree scaling's DC assumes (NEST example ``full_mean_rates``: one NEST 3 run,
#: 4 threads, N_scaling = K_scaling = 1) [Hz].
FULL_MEAN_RATES_HZ = (0.903, 2.965, 4.414, 5.876, 7.569, 8.633, 1.105, 7.829)
#: NEST's own rates at N_scaling = K_scaling = 0.1 (its Potjans_2014 example's reference_data, rate0-7.dat:
#: mean over each population's neurons, 1 s after 500 ms, default parameters, NEST 3, 2022-12-02) [Hz].
NEST_RATES_SCALE_01_HZ = (0.402, 2.017, 3.880, 4.958, 6.575, 7.726, 0.831, 6.986)
BACKGROUND_KINDS = ("poisson", "poisson_source", "dc")
V0_KINDS = ("original", "optimized")
_CHUNK = 1 << 22  # geometric gaps drawn per chunk (32 MiB of int64)


@dataclass(frozen=True)
class Parameters:
    """The neuron, synapse, scaling and simulation parameters (units in the names).

    :meth:`problem` says what is wrong with a set of them (every function here checks it).
    """

    dt_s: float = 1e-4
    tau_mem_s: float = 10e-3
    tau_syn_s: float = 0.5e-3
    c_mem_pf: float = 250.0
    e_leak_mv: float = -65.0
    v_th_mv: float = -50.0
    v_reset_mv: float = -65.0
    refractory_s: float = 2e-3
    w_exc_pa: float = 87.8
    weight_rel_sd: float = 0.1
    g: float = -4.0
    l4e_to_l23e_factor: float = 2.0
    delay_exc_ms: float = 1.5
    delay_inh_ms: float = 0.75
    delay_rel_sd: float = 0.5
    background_rate_hz: float = 8.0
    v0: str = "optimized"
    v0_mean_mv: float = -58.0
    v0_sd_mv: float = 10.0
    k_scale: float = 1.0
    multapses: bool = True

    def problem(self) -> str | None:
        """What is wrong with these parameters, in hwsim's error format, or None."""
        where = "microcircuit Parameters"
        for name in ("weight_rel_sd", "delay_rel_sd"):
            value = getattr(self, name)
            if not _is_number(value) or not 0 <= value <= 10:
                return f"{where}: {name} {value!r}; expected a relative sd in [0, 10] (0: no spread)."
        for name in ("delay_exc_ms", "delay_inh_ms"):
            value = getattr(self, name)
            if not _is_number(value) or not 0.5 * self.dt_ms <= value <= 100 * self.dt_ms:
                return (f"{where}: {name} {value!r}; expected a mean delay in [{0.5 * self.dt_ms:g}, "
                        f"{100 * self.dt_ms:g}] ms (half a step to 100 steps). Hint: the paper's are 1.5 and 0.75.")
        if not _is_number(self.refractory_s) or not 0 <= self.refractory_s <= 0.1:
            return f"{where}: refractory_s {self.refractory_s!r}; expected seconds in [0, 0.1]."
        if self.v0 not in V0_KINDS:
            close = difflib.get_close_matches(str(self.v0), V0_KINDS, n=1, cutoff=0.6)
            hint = f" Did you mean '{close[0]}'?" if close else ""
            return f"{where}: v0 {self.v0!r}; expected one of: {', '.join(V0_KINDS)}.{hint}"
        if not isinstance(self.multapses, (bool, np.bool_)):
            return f"{where}: multapses {self.multapses!r}; expected True or False."
        if not _is_number(self.k_scale) or not 0 < self.k_scale <= 1:
            return (f"{where}: k_scale {self.k_scale!r}; expected a fraction of the in-degrees in (0, 1]. "
                    f"Hint: the NEST example scales in-degrees as it scales neurons (0.1 and 0.1).")
        return None

    def check(self) -> "Parameters":
        """Raise ``ValueError`` (this module imports only numpy) with :meth:`problem`'s message, if any."""
        message = self.problem()
        if message:
            raise ValueError(message)
        return self

    @property
    def dt_ms(self) -> float:
        """The step [ms]."""
        return self.dt_s * 1e3

    @property
    def r_mem_mohm(self) -> float:
        """Membrane resistance tau_m / C [MOhm] (mV per nA)."""
        return self.tau_mem_s / (self.c_mem_pf * 1e-12) * 1e-6

    @property
    def refractory_steps(self) -> int:
        """Steps after a spike's step during which v is held (NEST's ``RefractoryCounts``, ``round(t_ref/dt)``)."""
        return int(round(self.refractory_s / self.dt_s))

    @property
    def delay_exc_steps(self) -> int:
        """hwsim's delay of the mean excitatory delay (NEST's steps + 1, see the module docstring)."""
        return int(delay_steps_of_ms(np.asarray(self.delay_exc_ms), self.dt_ms))

    @property
    def delay_inh_steps(self) -> int:
        """hwsim's delay of the mean inhibitory delay (NEST's steps + 1)."""
        return int(delay_steps_of_ms(np.asarray(self.delay_inh_ms), self.dt_ms))

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

    def replace(self, **changes) -> "Parameters":
        """A copy with ``changes`` (``dataclasses.replace``)."""
        return dataclasses.replace(self, **changes)


def _is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


#: The published model (weights and delays with their spreads, NEST's delays, refractoriness and multapses).
PD = Parameters()
#: The published model with unique pairs (issue 18's W5 benchmarks before multapses became the default).
UNIQUE = PD.replace(multapses=False)
#: The fixed variant of issue 18's benchmarks (one weight and one delay per projection, unique pairs).
FIXED = Parameters(weight_rel_sd=0.0, delay_exc_ms=1.4, delay_inh_ms=0.7, delay_rel_sd=0.0, refractory_s=1.9e-3,
                   v0="original", multapses=False)
#: The variants by name (``bench/scale_w5.py --variant``).
VARIANTS = {"published": PD, "unique": UNIQUE, "fixed": FIXED}


@dataclass(frozen=True)
class Projection:
    """The synapses of one source population onto one target population (indices local to each).

    ``weight_pa``: float64, one per synapse. ``delay_steps``: hwsim's delays (int8, see the module
    docstring), one per synapse, or a 0-d array when every synapse has the same (``delay_rel_sd`` 0).
    """

    source: str
    target: str
    pre: np.ndarray
    post: np.ndarray
    weight_pa: np.ndarray
    delay_steps: np.ndarray


def sizes(scale: float = 1.0) -> tuple[int, ...]:
    """Neurons per population at ``scale`` (``round(N * scale)``, at least 1)."""
    if not (_is_number(scale) and 0 < scale <= 1):
        raise ValueError(f"microcircuit: scale {scale!r}; expected a fraction in (0, 1].")
    return tuple(max(1, int(round(n * scale))) for n in FULL_SIZES)


def full_synapse_counts() -> np.ndarray:
    """Expected synapses per projection at full scale, ``K[target, source]`` (float)."""
    n = np.asarray(FULL_SIZES, dtype=np.float64)
    pairs = np.outer(n, n)
    return np.log1p(-CONNECTION_P) / np.log1p(-1.0 / pairs)


def pair_probability(scale: float = 1.0, k_scale: float = 1.0) -> tuple[np.ndarray, np.ndarray]:
    """``(p, weight_factor)`` per ``[target, source]``: the pair probability at ``scale`` with the in-degrees
    times ``k_scale``, capped at 1, and the factor (>= 1) that multiplies the weight of a capped projection."""
    n_full = np.asarray(FULL_SIZES, dtype=np.float64)
    n = np.asarray(sizes(scale), dtype=np.float64)
    raw = full_synapse_counts() * k_scale / np.outer(n_full, n)
    return np.minimum(raw, 1.0), np.maximum(raw, 1.0)


def mean_weights_pa(params: Parameters = PD) -> np.ndarray:
    """Mean weight per ``[target, source]`` at full scale [pA]: signed, L4e -> L23e doubled."""
    sign = np.where([s.endswith("e") for s in POPULATIONS], 1.0, params.g)
    w = np.tile(params.w_exc_pa * sign, (len(POPULATIONS), 1))
    w[POPULATIONS.index("L23e"), POPULATIONS.index("L4e")] *= params.l4e_to_l23e_factor
    return w


def delay_steps_of_ms(delay_ms: np.ndarray, dt_ms: float) -> np.ndarray:
    """hwsim's delays of NEST delays [ms]: NEST's rounding to the grid, ``floor(ms / dt + 0.5)``, plus one
    (module docstring), int8 where they fit (int16 otherwise), of the same shape."""
    steps = np.floor(delay_ms / dt_ms + 0.5) + 1
    return steps.astype(np.int8 if steps.size == 0 or steps.max() <= np.iinfo(np.int8).max else np.int16)


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


def _drawn_pairs(rng: np.random.Generator, n_synapses: int, n_pre: int, n_post: int) -> tuple[np.ndarray, np.ndarray]:
    """NEST's ``fixed_total_number`` with multapses and autapses: ``n_synapses`` pairs, each source and target
    drawn uniformly and independently (with replacement), sorted pre-major, as int32 arrays."""
    pre = rng.integers(0, n_pre, n_synapses, dtype=np.int32)
    post = rng.integers(0, n_post, n_synapses, dtype=np.int32)
    order = np.lexsort((post, pre))
    return pre[order], post[order]


def _redrawn_normal(rng: np.random.Generator, mean: float, sd: float, n: int, low: float, high: float) -> np.ndarray:
    """``n`` draws of N(mean, sd), each redrawn until it lies in ``[low, high]`` (``nest.math.redraw``)."""
    x = rng.normal(mean, sd, n)
    bad = np.flatnonzero((x < low) | (x > high))
    while bad.size:
        x[bad] = rng.normal(mean, sd, bad.size)
        bad = bad[(x[bad] < low) | (x[bad] > high)]
    return x


def _weights_pa(rng: np.random.Generator, mean_pa: float, rel_sd: float, n: int) -> np.ndarray:
    """Per-synapse weights: N(mean, |mean| rel_sd) redrawn until the sign is the mean's (min 0 or max 0)."""
    if rel_sd == 0:
        return np.full(n, mean_pa)
    low, high = (0.0, np.inf) if mean_pa >= 0 else (-np.inf, 0.0)
    return _redrawn_normal(rng, mean_pa, abs(mean_pa) * rel_sd, n, low, high)


def _delays(rng: np.random.Generator, mean_ms: float, params: Parameters, n: int) -> np.ndarray:
    """hwsim's per-synapse delays: N(mean, mean rel_sd) ms redrawn below half a step, on NEST's grid, + 1;
    a 0-d array without spread."""
    if params.delay_rel_sd == 0:
        return delay_steps_of_ms(np.asarray(mean_ms), params.dt_ms)
    ms = _redrawn_normal(rng, mean_ms, mean_ms * params.delay_rel_sd, n, 0.5 * params.dt_ms, np.inf)
    return delay_steps_of_ms(ms, params.dt_ms)


def projections(scale: float = 1.0, seed: int = 0, params: Parameters = PD) -> Iterator[Projection]:
    """The network's projections at ``scale``, source-major (``L23e -> L23e``, ``L23e -> L23i``, ...).

    Each projection's synapses come from its own streams, ``np.random.default_rng([seed, target, source])``
    for the pairs and ``[seed, target, source, 1]`` / ``[..., 2]`` for the weights / delays, so the same seed
    gives the same network in every process and any projection can be regenerated alone. Zero-probability
    projections are left out.
    """
    params.check()
    n = sizes(scale)
    p, factor = pair_probability(scale, params.k_scale)
    mean_pa = mean_weights_pa(params) / math.sqrt(params.k_scale) * factor
    for s, source in enumerate(POPULATIONS):
        mean_ms = params.delay_exc_ms if source.endswith("e") else params.delay_inh_ms
        for t, target in enumerate(POPULATIONS):
            if p[t, s] == 0:
                continue
            pairs_rng = np.random.default_rng([seed, t, s])
            if params.multapses:
                pre, post = _drawn_pairs(pairs_rng, int(round(p[t, s] * factor[t, s] * n[s] * n[t])), n[s], n[t])
                mean = float(mean_pa[t, s]) / factor[t, s]
            else:
                pre, post = _bernoulli_pairs(pairs_rng, float(p[t, s]), n[s], n[t])
                mean = float(mean_pa[t, s])
            weight = _weights_pa(np.random.default_rng([seed, t, s, 1]), mean, params.weight_rel_sd, pre.size)
            delay = _delays(np.random.default_rng([seed, t, s, 2]), mean_ms, params, pre.size)
            yield Projection(source, target, pre, post, weight, delay)


def initial_v_mv(scale: float = 1.0, seed: int = 0, params: Parameters = PD) -> np.ndarray:
    """Initial membranes of every neuron (populations in order), float64: N(v0_mean, v0_sd) mV for
    ``v0="original"``, the NEST example's per-population normals for ``"optimized"``."""
    params.check()
    rng = np.random.default_rng([seed, len(POPULATIONS), 0])
    if params.v0 == "original":
        return rng.normal(params.v0_mean_mv, params.v0_sd_mv, sum(sizes(scale)))
    n = sizes(scale)
    return rng.normal(np.repeat(V0_OPTIMIZED_MEAN_MV, n), np.repeat(V0_OPTIMIZED_SD_MV, n))


def external_indegrees(params: Parameters = PD) -> np.ndarray:
    """Background sources per neuron of each population, ``round(K_ext k_scale)`` (int64)."""
    return np.round(np.asarray(K_EXT) * params.k_scale).astype(np.int64)


def external_weight_pa(params: Parameters = PD) -> float:
    """The weight of a background source [pA]: the mean excitatory weight divided by ``sqrt(k_scale)``."""
    return params.w_exc_pa / math.sqrt(params.k_scale)


def background_dc_pa(params: Parameters = PD, background: str = "dc") -> np.ndarray:
    """The DC of each population [pA]: the ``"dc"`` background ``K_ext x rate x w x tau_syn``, plus, with
    ``k_scale < 1``, the compensation ``tau_syn (1 - sqrt(k_scale))`` x (recurrent input at
    :data:`FULL_MEAN_RATES_HZ` [+ background input with a Poisson background]) (van Albada et al. 2015)."""
    params.check()
    k_ext = np.asarray(K_EXT, dtype=np.float64)
    dc = (k_ext * params.background_rate_hz * params.w_exc_pa * params.tau_syn_s if background == "dc"
          else np.zeros(len(POPULATIONS)))
    if params.k_scale == 1:
        return dc
    in_degree = full_synapse_counts() / np.asarray(FULL_SIZES, dtype=np.float64)[:, None]
    drive = (mean_weights_pa(params) * in_degree * np.asarray(FULL_MEAN_RATES_HZ)).sum(axis=1)
    if background != "dc":
        drive += params.w_exc_pa * k_ext * params.background_rate_hz
    return dc + params.tau_syn_s * (1.0 - math.sqrt(params.k_scale)) * drive


def background_counts(scale: float, n_steps: int, seed: int = 0, params: Parameters = PD) -> np.ndarray:
    """Background spikes per step and neuron, uint8 ``(n_steps, n_neurons)``: Binomial(K_ext', rate x dt)
    with ``K_ext' = round(K_ext k_scale)``.

    Drawn population by population in blocks of steps (about 1 byte per entry of transient memory);
    the mean is 1.2-2.3 spikes per step, and 255 is never reached in practice (it is checked).
    """
    params.check()
    n = sizes(scale)
    out = np.empty((n_steps, sum(n)), dtype=np.uint8)
    rng = np.random.default_rng([seed, len(POPULATIONS), 1])
    start = 0
    block = max(1, _CHUNK // max(n))
    for size, k_ext in zip(n, external_indegrees(params)):
        for t0 in range(0, n_steps, block):
            counts = rng.binomial(k_ext, params.background_rate_hz * params.dt_s, (min(block, n_steps - t0), size))
            if counts.max(initial=0) > 255:
                raise ValueError("microcircuit: a background count above 255; expected uint8 counts.")
            out[t0:t0 + counts.shape[0], start:start + size] = counts
        start += size
    return out
