"""Synapse tables for ``hwsim.lowering``: a network's synapses ordered by source, destination group and port,
and cut into segments, in a few linear passes (counting sorts instead of comparison sorts).

A synapse is identified by its port (``hwsim.lowering``: a projection's synapses of one delay into one receptor
slot); ``port_group[port]`` is the counter group of the port's neuron. Within a source, synapses are ordered
by ``(port_group[port], port)``: one *segment* per (source, group).
"""
import numpy as np
from numba import njit, prange

from ._config import JIT


@njit(**JIT)
def count_indices(index, offset, n_local, out_counts):
    """Count one projection's synapses by one end (``out_counts[index[i] + offset] += 1``); return the first
    ``i`` whose ``index[i]`` is outside ``0 .. n_local-1`` (nothing counted from there on), or -1."""
    for i in range(index.shape[0]):
        if index[i] < 0 or index[i] >= n_local:
            return i
        out_counts[index[i] + offset] += 1
    return -1


@njit(parallel=True, **JIT)
def scatter_by_source(pre, source_offset, post, weight, delay, delay_min, delay_step, port_table, source_bounds,
                      cursor, out_port, out_weight, out_delay):
    """Append one projection's synapses to their sources' runs: synapse ``i`` goes to position
    ``cursor[pre[i] + source_offset]`` (then incremented) with port ``port_table[post[i], (delay_i - delay_min) *
    delay_step]`` (``delay_step`` 0: one port per target for every delay).

    ``delay`` holds one delay per synapse, or a single one for all (shape ``(1,)``). The sources are cut into
    parts ``source_bounds[p] .. source_bounds[p+1]-1`` that threads fill side by side: each part's runs and
    cursors are its own, so the result does not depend on the threads.
    """
    one_delay = delay.shape[0] == 1
    for part in prange(source_bounds.shape[0] - 1):
        lo, hi = source_bounds[part], source_bounds[part + 1]
        for i in range(pre.shape[0]):
            src = pre[i] + source_offset
            if src < lo or src >= hi:
                continue
            d = delay[0] if one_delay else delay[i]
            pos = cursor[src]
            cursor[src] = pos + 1
            out_port[pos] = port_table[post[i], (d - delay_min) * delay_step]
            out_weight[pos] = weight[i]
            out_delay[pos] = d


@njit(**JIT)
def _in_order(port_group, a, b):
    """True when port ``a`` comes no later than port ``b`` in (group, port) order."""
    return port_group[a] < port_group[b] or (port_group[a] == port_group[b] and a <= b)


@njit(**JIT)
def _sort_run(port_group, syn_port, syn_weight, syn_delay, lo, hi):
    """Sort synapses ``lo .. hi-1`` by (group of their port, port), stably, unless they already are."""
    for j in range(lo + 1, hi):
        a, b = syn_port[j - 1], syn_port[j]
        if port_group[a] > port_group[b] or (port_group[a] == port_group[b] and a > b):
            break
    else:
        return
    ports = syn_port[lo:hi].astype(np.int64)
    keys = port_group[ports].astype(np.int64) * (np.int64(port_group.shape[0]) + 1) + ports
    perm = np.argsort(keys, kind="mergesort")
    syn_port[lo:hi] = syn_port[lo:hi][perm]
    syn_weight[lo:hi] = syn_weight[lo:hi][perm]
    syn_delay[lo:hi] = syn_delay[lo:hi][perm]


@njit(**JIT)
def _cut_sources(first_source, last_source, first_seg, src_syn_ptr, port_group, syn_port, syn_weight, syn_delay,
                 out_src_segs, out_seg_syn_ptr, out_seg_group, out_seg_delay, out_seg_port0):
    """:func:`cut_segments` for sources ``first_source .. last_source-1``, their segments written from
    ``first_seg`` on; return the number written."""
    k = first_seg - 1
    for s in range(first_source, last_source):
        lo, hi = src_syn_ptr[s], src_syn_ptr[s + 1]
        _sort_run(port_group, syn_port, syn_weight, syn_delay, lo, hi)
        first = k + 1
        group = -1
        for j in range(lo, hi):
            p = np.int64(syn_port[j])
            g = port_group[p]
            if j == lo or g != group:
                group = g
                k += 1
                out_seg_syn_ptr[k] = j
                out_seg_group[k] = g
                out_seg_delay[k] = syn_delay[j]
                out_seg_port0[k] = p
                continue
            if out_seg_delay[k] != syn_delay[j]:
                out_seg_delay[k] = -1
            if out_seg_port0[k] >= 0 and p != np.int64(syn_port[j - 1]) + 1:
                out_seg_port0[k] = -1
        out_src_segs[s] = k + 1 - first
    return k + 1 - first_seg


@njit(parallel=True, **JIT)
def cut_segments(src_syn_ptr, port_group, syn_port, syn_weight, syn_delay, source_bounds, part_first_seg,
                 out_src_segs, out_seg_syn_ptr, out_seg_group, out_seg_delay, out_seg_port0):
    """Order each source's synapses by (group of their port, port) in place (a run already in order, the usual
    case, is only checked), then cut it into segments, runs of one group: fill the segments of each source,
    each segment's first synapse, group, shared delay (-1: mixed) and first port when its ports are
    consecutive (-1: not). Return the number of segments.

    Threads cut the parts of sources ``source_bounds[p] .. source_bounds[p+1]-1`` side by side, part ``p``'s
    segments written from ``part_first_seg[p]`` on (room for all of them: at most one per synapse and group
    of each source), then moved down to follow each other. The ``out_seg_*`` arrays must hold that room."""
    n_parts = source_bounds.shape[0] - 1
    written = np.zeros(n_parts, dtype=np.int64)
    for part in prange(n_parts):
        written[part] = _cut_sources(source_bounds[part], source_bounds[part + 1], part_first_seg[part],
                                     src_syn_ptr, port_group, syn_port, syn_weight, syn_delay, out_src_segs,
                                     out_seg_syn_ptr, out_seg_group, out_seg_delay, out_seg_port0)
    end = written[0]
    for part in range(1, n_parts):
        start = part_first_seg[part]
        for k in range(written[part]):   # down, never onto a segment not yet moved
            out_seg_syn_ptr[end + k] = out_seg_syn_ptr[start + k]
            out_seg_group[end + k] = out_seg_group[start + k]
            out_seg_delay[end + k] = out_seg_delay[start + k]
            out_seg_port0[end + k] = out_seg_port0[start + k]
        end += written[part]
    out_seg_syn_ptr[end] = src_syn_ptr[src_syn_ptr.shape[0] - 1]
    return end


@njit(**JIT)
def route_costs(src_seg_ptr, seg_group, group_core, src_xy, core_xy, out_packets, out_hops_x, out_hops_y):
    """Per source: packets (distinct destination cores of its segments) and the x / y mesh hops from
    ``src_xy[s]`` to each of them, summed."""
    last_source = np.full(core_xy.shape[0], -1, dtype=np.int64)
    for s in range(src_seg_ptr.shape[0] - 1):
        packets, hops_x, hops_y = 0, 0, 0
        for k in range(src_seg_ptr[s], src_seg_ptr[s + 1]):
            core = group_core[seg_group[k]]
            if last_source[core] == s:
                continue
            last_source[core] = s
            packets += 1
            hops_x += abs(core_xy[core, 0] - src_xy[s, 0])
            hops_y += abs(core_xy[core, 1] - src_xy[s, 1])
        out_packets[s] = packets
        out_hops_x[s] = hops_x
        out_hops_y[s] = hops_y


@njit(**JIT)
def mark_ports(post, delay, delay_min, delay_step, out_present):
    """Mark ``out_present[post[i], (delay_i - delay_min) * delay_step]`` for every synapse of one
    projection (``delay``: one per synapse, or a single one for all, shape ``(1,)``); return the first ``i`` whose
    ``post[i]`` is outside ``out_present``'s rows (nothing marked from there on), or -1."""
    one_delay = delay.shape[0] == 1
    for i in range(post.shape[0]):
        if post[i] < 0 or post[i] >= out_present.shape[0]:
            return i
        d = delay[0] if one_delay else delay[i]
        out_present[post[i], (d - delay_min) * delay_step] = True
    return -1
