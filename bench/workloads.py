"""The benchmark workloads W1, W2 and W5: exact parameters, seeds, sizes and the shared arrays.

Parameters are those of ``/work/shared/reference/peers.md`` ("Workloads"). Every simulator
loads the same arrays from one ``.npz`` per workload (:func:`load`), generated once with fixed
seeds under ``bench/.data/`` (git-ignored), so the input rasters, weights, connectivity and
initial membranes are identical everywhere. W5 (the cortical microcircuit) is generated from its seed
by ``models/microcircuit.py`` in each process instead (0.3 B synapses at full scale: faster to draw than to load).

W1 "feedforward": 784 -> 1000 -> 1000 -> 10 fully connected current-based LIF (delta synapses:
a spike adds w to v_post), v <- beta * v per step with beta = exp(-dt / tau_mem), spike when
v > 1 then v = 0, no refractory period, dt = 1 ms. Inputs: 784 Bernoulli sources at p = 0.02 per
step, one raster per batch sample (seed 1234). Update order within a step (Brian2's schedule):
decay all, threshold, propagate this step's spikes (input, L1, L2), reset the neurons that spiked;
input delivered at step t first counts at the threshold of step t + 1.

W2 "recurrent": the CUBA network (Vogels & Abbott 2005; Brian2's example) as it is: 4000 LIF,
3200 excitatory, connection probability 0.02 with self-connections (seed 4321), v0 ~ U(Vr, Vt),
dt = 0.1 ms, 1 s, exact integration, two synaptic currents ``ge`` (tau_e = 5 ms, we = 1.62 mV per
excitatory spike) and ``gi`` (tau_i = 10 ms, wi = -9 mV per inhibitory spike), refractory 5 ms
(Brian2: v held while ``timestep(t - lastspike) < timestep(5 ms)``, i.e. for 49 steps after the
spike's step). Update order within a step (Brian2's schedule): exact update of v from the old
ge, gi (:meth:`Cuba.exact_factors`; v held while refractory) and decay of ge, gi; threshold;
``ge += we`` / ``gi += wi`` for this step's spikes; reset of the neurons that spiked.
"""
from __future__ import annotations

import math
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

DATA_DIR = Path(os.environ.get("HWSIM_BENCH_DATA", Path(__file__).resolve().parent / ".data"))
FORMAT = 1  # bump when the generation below changes, so stale .npz files are regenerated


@dataclass(frozen=True)
class Size:
    """One declared size of a workload.

    Attributes
    ----------
    name : str
        Label used on the command line and in the tables (``W1:b1``).
    batch : int
        Independent samples per run.
    n_steps : int
        Steps per sample.
    """

    name: str
    batch: int
    n_steps: int


@dataclass(frozen=True)
class FeedForward:
    """W1's parameters (units in the names; membrane values are dimensionless)."""

    layer_sizes: tuple = (784, 1000, 1000, 10)
    dt_s: float = 1e-3
    tau_mem_s: float = 20e-3
    v_th: float = 1.0
    v_reset: float = 0.0
    input_p_per_step: float = 0.02
    weight_mean: tuple = (0.0027, 0.0028, 0.0040)
    weight_std: tuple = (0.020, 0.020, 0.030)
    max_batch: int = 64
    max_steps: int = 1000
    seed: int = 1234

    @property
    def beta(self) -> float:
        """Membrane decay factor per step, exp(-dt / tau_mem)."""
        return math.exp(-self.dt_s / self.tau_mem_s)


@dataclass(frozen=True)
class Cuba:
    """W2's parameters (potentials in mV, times in s)."""

    n_neurons: int = 4000
    n_excitatory: int = 3200
    connection_p: float = 0.02
    dt_s: float = 1e-4
    tau_mem_s: float = 20e-3
    tau_e_s: float = 5e-3
    tau_i_s: float = 10e-3
    v_th_mv: float = -50.0
    v_reset_mv: float = -60.0
    v_rest_mv: float = -49.0
    w_e_mv: float = 60 * 0.27 / 10
    w_i_mv: float = -20 * 4.5 / 10
    refractory_s: float = 5e-3
    max_steps: int = 10000
    seed: int = 4321

    @property
    def refractory_steps(self) -> int:
        """Steps after a spike's step during which v is held (Brian2's ``timestep`` rule)."""
        return int(round(self.refractory_s / self.dt_s)) - 1

    def exact_factors(self) -> tuple[float, float, float, float, float]:
        """``(m, a_e, a_i, c_e, c_i)`` of the exact one-step solution with two synaptic currents::

            v(t + dt) = v_rest + (v - v_rest) * m + ge * c_e + gi * c_i
            ge(t + dt) = ge * a_e,   gi(t + dt) = gi * a_i

        with ``m = exp(-dt/tau_mem)``, ``a_x = exp(-dt/tau_x)``, ``c_x = tau_x / (tau_x - tau_mem) * (a_x - m)``.
        """
        m = math.exp(-self.dt_s / self.tau_mem_s)
        a_e = math.exp(-self.dt_s / self.tau_e_s)
        a_i = math.exp(-self.dt_s / self.tau_i_s)
        c_e = self.tau_e_s / (self.tau_e_s - self.tau_mem_s) * (a_e - m)
        c_i = self.tau_i_s / (self.tau_i_s - self.tau_mem_s) * (a_i - m)
        return m, a_e, a_i, c_e, c_i


W1 = FeedForward()
W2 = Cuba()

#: Declared sizes per workload, smallest first (the smoke test and ``--quick`` run the first).
SIZES = {
    "W1": (Size("t100", 1, 100), Size("b1", 1, 1000), Size("b64", 64, 1000)),
    "W2": (Size("0.1s", 1, 1000), Size("1s", 1, 10000)),
}
PARAMS = {"W1": W1, "W2": W2}
#: W5, the Potjans & Diesmann (2014) cortical microcircuit (``models/microcircuit.py``) at a fraction of its
#: 77,169 neurons (the size's name), in-degrees kept, dt 0.1 ms. Not in :data:`SIZES`: hwsim and Brian2 agree
#: on it in population rates, not spike by spike, so ``bench/scale_w5.py`` runs it, not the driver.
W5_SIZES = (Size("0.01", 1, 2000), Size("0.1", 1, 10000), Size("0.3", 1, 10000), Size("1", 1, 10000))


def w5_size(name: str) -> Size:
    """The declared W5 size ``name`` (its scale is ``float(name)``); raises ``KeyError`` listing the valid ones."""
    for s in W5_SIZES:
        if s.name == name:
            return s
    raise KeyError(f"W5: no size {name!r}; expected one of {[s.name for s in W5_SIZES]}")


def size(workload: str, name: str) -> Size:
    """The declared size ``name`` of ``workload``; raises ``KeyError`` listing the valid ones."""
    for s in SIZES[workload]:
        if s.name == name:
            return s
    raise KeyError(f"{workload}: no size {name!r}; expected one of {[s.name for s in SIZES[workload]]}")


def _generate_w1(p: FeedForward) -> dict:
    rng = np.random.default_rng(p.seed)
    arrays = {"raster": (rng.random((p.max_batch, p.max_steps, p.layer_sizes[0])) < p.input_p_per_step)
              .astype(np.uint8)}
    for k, (n_pre, n_post) in enumerate(zip(p.layer_sizes[:-1], p.layer_sizes[1:])):
        arrays[f"w{k}"] = rng.normal(p.weight_mean[k], p.weight_std[k], (n_pre, n_post)).astype(np.float32)
    return arrays


def _generate_w2(p: Cuba) -> dict:
    rng = np.random.default_rng(p.seed)
    pre, post = np.nonzero(rng.random((p.n_neurons, p.n_neurons)) < p.connection_p)
    v0 = p.v_reset_mv + rng.random(p.n_neurons) * (p.v_th_mv - p.v_reset_mv)
    return {"pre": pre.astype(np.int32), "post": post.astype(np.int32), "v0_mv": v0}


_GENERATORS = {"W1": (_generate_w1, W1), "W2": (_generate_w2, W2)}


def path(workload: str) -> Path:
    """Where the workload's arrays are stored."""
    return DATA_DIR / f"{workload}_v{FORMAT}.npz"


def load(workload: str) -> dict:
    """The workload's arrays, generated and stored on first use (written atomically).

    W1: ``raster`` uint8 ``(64, 1000, 784)``, ``w0 w1 w2`` float32 ``(n_pre, n_post)``.
    W2: ``pre``, ``post`` int32 synapse lists in pre-major order, ``v0_mv`` float64 ``(4000,)``.
    """
    target = path(workload)
    if not target.is_file():
        generate, params = _GENERATORS[workload]
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_suffix(f".{os.getpid()}.tmp.npz")
        np.savez(partial, **generate(params))
        os.replace(partial, target)
    with np.load(target) as data:
        return {k: data[k] for k in data.files}


def csr(pre: np.ndarray, post: np.ndarray, n_pre: int) -> tuple[np.ndarray, np.ndarray]:
    """``(indptr int64 (n_pre + 1,), order)``: the synapses ``order`` sorted by source, rows delimited by indptr."""
    order = np.argsort(pre, kind="stable")
    indptr = np.zeros(n_pre + 1, dtype=np.int64)
    np.cumsum(np.bincount(pre, minlength=n_pre), out=indptr[1:])
    return indptr, order


def fan_out(workload: str, data: dict) -> dict[str, np.ndarray]:
    """Synapses leaving each source, per source group (the groups of :func:`groups`)."""
    if workload == "W1":
        n = W1.layer_sizes
        return {name: np.full(n[k], n[k + 1] if k + 1 < len(n) else 0, dtype=np.int64)
                for k, name in enumerate(groups("W1"))}
    return {"neurons": np.bincount(data["pre"], minlength=W2.n_neurons).astype(np.int64)}


def groups(workload: str) -> tuple[str, ...]:
    """Names of the spike-count groups every simulator reports, in order."""
    return ("input", "L1", "L2", "out") if workload == "W1" else ("neurons",)


def split_counts(workload: str, per_source: np.ndarray) -> dict[str, list]:
    """Spikes per source (inputs first, then neurons in layer order) as lists per group of :func:`groups`."""
    sizes = W1.layer_sizes if workload == "W1" else (W2.n_neurons,)
    bounds = np.cumsum((0,) + tuple(sizes))
    return {g: per_source[bounds[k]:bounds[k + 1]].tolist() for k, g in enumerate(groups(workload))}


def events(workload: str, data: dict, spike_counts: dict) -> int:
    """Synaptic events: the sum over all spikes of the fan-out of the neuron that emitted it."""
    fan = fan_out(workload, data)
    return int(sum(int(np.dot(np.asarray(spike_counts[g], dtype=np.int64), fan[g])) for g in fan))


def neuron_updates(workload: str, s: Size) -> int:
    """Neuron state updates per run (all simulated neurons x steps x batch)."""
    n = sum(W1.layer_sizes[1:]) if workload == "W1" else W2.n_neurons
    return n * s.n_steps * s.batch


def describe(workload: str) -> str:
    """One line naming the workload's parameters (for the results)."""
    if workload == "W1":
        p = W1
        return (f"W1 feed-forward {'-'.join(map(str, p.layer_sizes))} current-based LIF (delta synapses), "
                f"tau_mem {p.tau_mem_s * 1e3:g} ms (beta {p.beta:.6f}), v_th {p.v_th:g}, reset to {p.v_reset:g}, "
                f"dt {p.dt_s * 1e3:g} ms, Bernoulli inputs p={p.input_p_per_step} per step, weights N(mu, sigma) "
                f"mu={p.weight_mean} sigma={p.weight_std}, seed {p.seed}; order per step: decay, threshold, "
                f"propagate, reset.")
    p = W2
    return (f"W2 recurrent CUBA, {p.n_neurons} LIF ({p.n_excitatory} excitatory), p={p.connection_p} with "
            f"self-connections, seed {p.seed}, dt {p.dt_s * 1e3:g} ms, tau_mem {p.tau_mem_s * 1e3:g} ms, "
            f"Vt {p.v_th_mv:g} mV, Vr {p.v_reset_mv:g} mV, El {p.v_rest_mv:g} mV, refractory "
            f"{p.refractory_s * 1e3:g} ms, exact integration, v0 ~ U(Vr, Vt); two synaptic currents: "
            f"tau_e {p.tau_e_s * 1e3:g} ms, we {p.w_e_mv:g} mV, tau_i {p.tau_i_s * 1e3:g} ms, wi {p.w_i_mv:g} mV; "
            f"order per step: exact update from the old currents, threshold, propagate, reset.")
