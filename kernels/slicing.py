"""Placement tables for ``hwsim.mapping``: populations cut into core-sized slices and the core-to-core routes
their synapses use, in linear passes over the synapses."""
import numpy as np
from numba import njit, prange

from ._config import JIT


@njit(parallel=True, **JIT)
def scatter_by_target(pre, post, source_offset, target_bounds, cursor, out_sources):
    """Append one projection's sources (``pre + source_offset``) to their target neurons' runs: synapse ``i``
    goes to ``cursor[post[i]]`` (then incremented). Threads fill the parts of targets ``target_bounds[p] ..
    target_bounds[p+1]-1`` side by side; the result does not depend on them."""
    for part in prange(target_bounds.shape[0] - 1):
        lo, hi = target_bounds[part], target_bounds[part + 1]
        for i in range(pre.shape[0]):
            if post[i] < lo or post[i] >= hi:
                continue
            pos = cursor[post[i]]
            cursor[post[i]] = pos + 1
            out_sources[pos] = pre[i] + source_offset


@njit(**JIT)
def greedy_slices(indptr, sources, source_offset, n_sources, max_neurons, max_synapses, max_fan_in, out_neurons,
                  out_synapses, out_fan_in, out_distinct):
    """Cut neurons ``0 .. n-1`` (neuron ``k``'s sources: ``sources[indptr[k]:indptr[k+1]] + source_offset``)
    into consecutive slices, each the largest that keeps its neurons, synapses and distinct sources within the
    limits. Fill each slice's counts into ``out_*``, its distinct sources one slice after another into
    ``out_distinct``, and return the number of slices, or ``-1 - k`` when neuron ``k`` alone does not fit."""
    stamp = np.full(n_sources, -1, dtype=np.int64)   # the last slice each source was counted in
    n = indptr.shape[0] - 1
    n_slices, neurons, synapses, fan_in, n_distinct = 0, 0, 0, 0, 0
    k = 0
    while k < n:
        lo, hi = indptr[k], indptr[k + 1]
        new = 0
        for j in range(lo, hi):
            src = sources[j] + source_offset
            if stamp[src] != n_slices:
                stamp[src] = n_slices
                out_distinct[n_distinct + new] = src
                new += 1
        if neurons + 1 <= max_neurons and synapses + hi - lo <= max_synapses and fan_in + new <= max_fan_in:
            neurons += 1
            synapses += hi - lo
            fan_in += new
            n_distinct += new
            k += 1
            continue
        if neurons == 0:
            return -1 - k
        out_neurons[n_slices], out_synapses[n_slices], out_fan_in[n_slices] = neurons, synapses, fan_in
        n_slices += 1
        neurons, synapses, fan_in = 0, 0, 0   # neuron k is counted again in the new slice
    if neurons > 0:
        out_neurons[n_slices], out_synapses[n_slices], out_fan_in[n_slices] = neurons, synapses, fan_in
        n_slices += 1
    return n_slices


@njit(**JIT)
def cut_by_counts(per_target, max_neurons, max_synapses, out_neurons, out_synapses):
    """Cut neurons ``0 .. n-1`` (neuron ``k`` has ``per_target[k]`` synapses) into consecutive slices, each the
    largest that keeps its neurons and synapses within the limits (distinct sources are not looked at). Fill
    each slice's counts into ``out_*`` and return the number of slices, or ``-1 - k`` when neuron ``k`` alone
    does not fit."""
    n_slices, neurons, synapses = 0, 0, 0
    for k in range(per_target.shape[0]):
        if per_target[k] > max_synapses:
            return -1 - k
        if neurons + 1 > max_neurons or synapses + per_target[k] > max_synapses:
            out_neurons[n_slices], out_synapses[n_slices] = neurons, synapses
            n_slices += 1
            neurons, synapses = 0, 0
        neurons += 1
        synapses += per_target[k]
    if neurons > 0:
        out_neurons[n_slices], out_synapses[n_slices] = neurons, synapses
        n_slices += 1
    return n_slices


@njit(parallel=True, **JIT)
def mark_slice_sources(pre, post, source_offset, slice_of, slice_bounds, out_marks):
    """Mark ``out_marks[slice_of[post[i]], pre[i] + source_offset]`` for every synapse ``i`` of one projection.
    Threads mark the rows of slices ``slice_bounds[p] .. slice_bounds[p+1]-1`` side by side, each its own."""
    for part in prange(slice_bounds.shape[0] - 1):
        lo, hi = slice_bounds[part], slice_bounds[part + 1]
        for i in range(pre.shape[0]):
            row = slice_of[post[i]]
            if lo <= row < hi:
                out_marks[row, pre[i] + source_offset] = True


@njit(**JIT)
def mark_sources(pre, source_offset, out_marks):
    """Mark ``out_marks[pre[i] + source_offset]`` for every synapse ``i`` of one projection."""
    for i in range(pre.shape[0]):
        out_marks[pre[i] + source_offset] = True
