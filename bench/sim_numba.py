"""The "bare metal" yardstick: minimal Numba CSR event kernels for W1 and W2, written for the benchmark.

No counters, no groups, no ring buffer: each kernel is the least work the workload needs, in
the workload's own update order (:mod:`bench.workloads`).

- W1: float32 state and weights (as the Numba reference of ``peers.md``), one CSR table over all
  sources (inputs, then neurons); per step decay all, threshold, propagate, reset. Batch 1 runs
  serially; larger batches run samples in parallel (``prange``).
- W2: float64 (as Brian2), a float64 weight per synapse in CSR, exact integration with two
  synaptic currents (``ge`` fed by the excitatory sources, ``gi`` by the inhibitory ones),
  refractory countdown; serial.
"""
from __future__ import annotations

import numba
import numpy as np
from numba import njit, prange

from bench import workloads
from bench.timing import repeat_runs, timed

JIT = dict(cache=True, nogil=True, fastmath=False)


@njit(**JIT)
def _ff_sample(raster, indptr, indices, weights, beta, v_th, v_reset, v, spiked, out_counts):
    """One W1 sample. ``raster`` uint8 (T, n_in); ``v`` float32 (n_neurons,) scratch;
    ``out_counts`` int64 (n_in + n_neurons,) spikes per source [count], accumulated."""
    n_in = raster.shape[1]
    n = v.shape[0]
    v[:] = 0
    for t in range(raster.shape[0]):
        for i in range(n):
            v[i] *= beta
        n_sp = 0
        for i in range(n):
            if v[i] > v_th:
                spiked[n_sp] = i
                n_sp += 1
        for ch in range(n_in):
            if raster[t, ch] != 0:
                out_counts[ch] += 1
                for k in range(indptr[ch], indptr[ch + 1]):
                    v[indices[k]] += weights[k]
        for j in range(n_sp):
            src = n_in + spiked[j]
            out_counts[src] += 1
            for k in range(indptr[src], indptr[src + 1]):
                v[indices[k]] += weights[k]
        for j in range(n_sp):
            v[spiked[j]] = v_reset


@njit(parallel=True, **JIT)
def _ff_batch(raster, indptr, indices, weights, beta, v_th, v_reset, n_neurons, out_counts):
    """W1 samples in parallel: ``raster`` (B, T, n_in), ``out_counts`` int64 (B, n_in + n_neurons)."""
    for s in prange(raster.shape[0]):
        v = np.empty(n_neurons, dtype=np.float32)
        spiked = np.empty(n_neurons, dtype=np.int64)
        _ff_sample(raster[s], indptr, indices, weights, beta, v_th, v_reset, v, spiked, out_counts[s])


@njit(**JIT)
def _cuba(n_steps, indptr, indices, weights, n_excitatory, v0, m, a_e, a_i, c_e, c_i, v_rest, v_th, v_reset,
          refractory_steps, out_counts):
    """W2 with two synaptic currents: per step the exact update of (v, ge, gi) from the old ge, gi (v held
    while refractory), threshold, ``ge[post] += w`` (sources below ``n_excitatory``) or ``gi[post] += w``
    (the others) for this step's spikes, reset to ``v_reset``."""
    n = v0.shape[0]
    v = v0.copy()
    ge = np.zeros(n)
    gi = np.zeros(n)
    held = np.zeros(n, dtype=np.int64)
    spiked = np.empty(n, dtype=np.int64)
    for t in range(n_steps):
        n_sp = 0
        for i in range(n):
            gei = ge[i]
            gii = gi[i]
            ge[i] = gei * a_e
            gi[i] = gii * a_i
            if held[i] > 0:
                held[i] -= 1
                continue
            vi = v_rest + (v[i] - v_rest) * m + gei * c_e + gii * c_i
            if vi > v_th:
                spiked[n_sp] = i
                n_sp += 1
                vi = v_reset
                held[i] = refractory_steps
            v[i] = vi
        for j in range(n_sp):
            src = spiked[j]
            out_counts[src] += 1
            g = ge if src < n_excitatory else gi
            for k in range(indptr[src], indptr[src + 1]):
                g[indices[k]] += weights[k]


def ff_tables(data: dict) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """W1 as one CSR table over sources (inputs, then L1, L2, out): indptr int64, indices int32, weights float32."""
    sizes = workloads.W1.layer_sizes
    offsets = np.cumsum((0,) + sizes[1:])
    cols = [np.tile(np.arange(sizes[k + 1], dtype=np.int32) + offsets[k], sizes[k]) for k in range(len(sizes) - 1)]
    vals = [data[f"w{k}"].ravel() for k in range(len(sizes) - 1)]
    fan = workloads.fan_out("W1", data)
    indptr = np.concatenate(([0], np.cumsum(np.concatenate([fan[g] for g in workloads.groups("W1")]))))
    return indptr, np.concatenate(cols).astype(np.int32), np.concatenate(vals).astype(np.float32)


def cuba_tables(data: dict, p: workloads.Cuba) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """W2 as CSR: indptr int64, indices int32, weights float64 [mV] (``w_e`` or ``w_i`` by source; the
    excitatory sources' synapses come first, ``indptr[n_excitatory]`` of them)."""
    indptr, order = workloads.csr(data["pre"], data["post"], p.n_neurons)
    pre = data["pre"][order]
    weights = np.where(pre < p.n_excitatory, p.w_e_mv, p.w_i_mv)
    return indptr, data["post"][order].astype(np.int32), weights.astype(np.float64)


def run(workload: str, size: workloads.Size, data: dict, min_total_s: float = 1.0) -> dict:
    """Build, compile (first 2-step call) and time the kernel; return the runner's raw record."""
    if workload == "W1":
        p = workloads.W1
        (indptr, indices, weights), build_s = timed(lambda: ff_tables(data))
        raster = np.ascontiguousarray(data["raster"][:size.batch, :size.n_steps])
        n = sum(p.layer_sizes[1:])
        beta, v_th, v_reset = np.float32(p.beta), np.float32(p.v_th), np.float32(p.v_reset)
        counts = np.zeros((size.batch, sum(p.layer_sizes)), dtype=np.int64)
        if size.batch == 1:
            v, spiked = np.empty(n, dtype=np.float32), np.empty(n, dtype=np.int64)

            def once(steps=size.n_steps):
                counts[:] = 0
                _ff_sample(raster[0, :steps], indptr, indices, weights, beta, v_th, v_reset, v, spiked, counts[0])
        else:
            def once(steps=size.n_steps):
                counts[:] = 0
                _ff_batch(raster[:, :steps], indptr, indices, weights, beta, v_th, v_reset, n, counts)
    else:
        p = workloads.W2
        (indptr, indices, weights), build_s = timed(lambda: cuba_tables(data, p))
        m, a_e, a_i, c_e, c_i = p.exact_factors()
        counts = np.zeros((1, p.n_neurons), dtype=np.int64)

        def once(steps=size.n_steps):
            counts[:] = 0
            _cuba(steps, indptr, indices, weights, p.n_excitatory, data["v0_mv"], m, a_e, a_i, c_e, c_i,
                  p.v_rest_mv, p.v_th_mv, p.v_reset_mv, p.refractory_steps, counts[0])
    _, compile_s = timed(lambda: once(2))
    runs = repeat_runs(once, min_total_s)
    return {"build_s": build_s, "compile_s": compile_s, "runs": runs,
            "spike_counts": workloads.split_counts(workload, counts.sum(axis=0)),
            "versions": {"numba": numba.__version__, "numpy": np.__version__}}
