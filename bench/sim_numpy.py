"""Plain vectorised numpy implementations of W1 and W2 (no compiler), in the workloads' update order.

- W1, batch 1: row gather (the weight rows of this step's spikes, summed), float32.
- W1, batch > 1: dense matmul of the step's spike vectors with each weight matrix (BLAS), float32.
- W2: the exact update with two synaptic currents vectorised, the synaptic input of this step's
  spikes gathered from CSR and summed per target and current with ``np.bincount``, float64.
"""
from __future__ import annotations

import numpy as np

from bench import workloads
from bench.sim_numba import cuba_tables
from bench.timing import repeat_runs, timed


def ff_run(raster: np.ndarray, weights: list[np.ndarray], beta: np.float32, v_th: np.float32,
           v_reset: np.float32) -> list[np.ndarray]:
    """W1 on a raster ``(B, T, n_in)``; returns the spikes per neuron (int64, summed over B) of every group."""
    batch, n_steps, n_in = raster.shape
    v = [np.zeros((batch, w.shape[1]), dtype=np.float32) for w in weights]
    counts = [np.zeros(n_in, dtype=np.int64)] + [np.zeros(w.shape[1], dtype=np.int64) for w in weights]
    gather = batch == 1
    for t in range(n_steps):
        for layer in v:
            layer *= beta
        spikes = [raster[:, t].astype(bool)] + [layer > v_th for layer in v]
        for k, w in enumerate(weights):
            if gather:
                rows = np.flatnonzero(spikes[k][0])
                if rows.size:
                    v[k][0] += w[rows].sum(axis=0)
            else:
                v[k] += spikes[k].astype(np.float32) @ w
        for k, s in enumerate(spikes):
            counts[k] += s.sum(axis=0)
        for k, layer in enumerate(v):
            layer[spikes[k + 1]] = v_reset
    return counts


def cuba_run(n_steps: int, indptr: np.ndarray, indices: np.ndarray, weights: np.ndarray, v0: np.ndarray,
             p: workloads.Cuba) -> np.ndarray:
    """W2 (two synaptic currents, ``ge`` from the excitatory sources, ``gi`` from the inhibitory ones);
    returns the spikes per neuron (int64)."""
    m, a_e, a_i, c_e, c_i = p.exact_factors()
    n = p.n_neurons
    first_inhibitory = indptr[p.n_excitatory]  # CSR rows are sorted by source: excitatory synapses first
    v, ge, gi = v0.copy(), np.zeros(n), np.zeros(n)
    held = np.zeros(n, dtype=np.int64)
    counts = np.zeros(n, dtype=np.int64)
    for _ in range(n_steps):
        free = held == 0
        v = np.where(free, p.v_rest_mv + (v - p.v_rest_mv) * m + ge * c_e + gi * c_i, v)
        ge *= a_e
        gi *= a_i
        np.subtract(held, 1, out=held, where=~free)
        spiked = np.flatnonzero(free & (v > p.v_th_mv))
        if spiked.size:
            counts[spiked] += 1
            starts, lengths = indptr[spiked], indptr[spiked + 1] - indptr[spiked]
            syn = np.repeat(starts - np.cumsum(lengths) + lengths, lengths) + np.arange(lengths.sum())
            split = np.searchsorted(syn, first_inhibitory)  # syn is ascending
            ge += np.bincount(indices[syn[:split]], weights[syn[:split]], minlength=n)
            gi += np.bincount(indices[syn[split:]], weights[syn[split:]], minlength=n)
            v[spiked] = p.v_reset_mv
            held[spiked] = p.refractory_steps
    return counts


def run(workload: str, size: workloads.Size, data: dict, min_total_s: float = 1.0) -> dict:
    """Build and time the numpy implementation (no compile step); return the runner's raw record."""
    out = {}
    if workload == "W1":
        p = workloads.W1
        raster = np.ascontiguousarray(data["raster"][:size.batch, :size.n_steps])
        weights = [data[f"w{k}"] for k in range(len(p.layer_sizes) - 1)]

        def once():
            out["counts"] = ff_run(raster, weights, np.float32(p.beta), np.float32(p.v_th), np.float32(p.v_reset))
        build_s = 0.0
    else:
        p = workloads.W2
        (indptr, indices, weights), build_s = timed(lambda: cuba_tables(data, p))

        def once():
            out["counts"] = [cuba_run(size.n_steps, indptr, indices, weights, data["v0_mv"], p)]
    runs = repeat_runs(once, min_total_s)
    return {"build_s": build_s, "compile_s": 0.0, "runs": runs,
            "spike_counts": {g: c.tolist() for g, c in zip(workloads.groups(workload), out["counts"])},
            "notes": "row gather" if workload == "W2" or size.batch == 1 else "dense matmul (BLAS)",
            "versions": {"numpy": np.__version__}}
