"""Synapse tables for ``hwsim.lowering``: a network's synapses ordered by source, destination group and port,
and cut into segments, in a few linear passes (counting sorts instead of comparison sorts).

A synapse is identified by its port (``hwsim.lowering``: a projection's synapses of one delay into one receptor
slot); ``port_group[port]`` is the counter group of the port's neuron. Within a source, synapses are ordered
by ``(port_group[port], port)``: one *segment* per (source, group).
"""
import numpy as np
from numba import njit

from ._config import JIT


@njit(**JIT)
def scatter_by_source(pre, post, weight, delay, post_offset, delay_min, delay_step, port_table, cursor, out_port,
                      out_weight, out_delay):
    """Append one projection's synapses to their sources' runs: synapse ``i`` goes to position
    ``cursor[pre[i]]`` (then incremented) with port ``port_table[post[i] - post_offset, (delay_i - delay_min) *
    delay_step]`` (``delay_step`` 0: one port per target for every delay).

    ``delay`` holds one delay per synapse, or a single one for all (shape ``(1,)``).
    """
    one_delay = delay.shape[0] == 1
    for i in range(pre.shape[0]):
        d = delay[0] if one_delay else delay[i]
        pos = cursor[pre[i]]
        cursor[pre[i]] = pos + 1
        out_port[pos] = port_table[post[i] - post_offset, (d - delay_min) * delay_step]
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
def cut_segments(src_syn_ptr, port_group, syn_port, syn_weight, syn_delay, out_src_segs, out_seg_syn_ptr,
                 out_seg_group, out_seg_delay, out_seg_port0):
    """Order each source's synapses by (group of their port, port) in place (a run already in order, the usual
    case, is only checked), then cut it into segments, runs of one group: fill the segments of each source,
    each segment's first synapse, group, shared delay (-1: mixed) and first port when its ports are
    consecutive (-1: not). The ``out_seg_*`` arrays must hold every segment; return their number."""
    k = -1
    for s in range(src_syn_ptr.shape[0] - 1):
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
    out_seg_syn_ptr[k + 1] = src_syn_ptr[src_syn_ptr.shape[0] - 1]
    return k + 1


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
def mark_ports(post, delay, post_offset, delay_min, delay_step, out_present):
    """Mark ``out_present[post[i] - post_offset, (delay_i - delay_min) * delay_step]`` for every synapse of one
    projection (``delay``: one per synapse, or a single one for all, shape ``(1,)``)."""
    one_delay = delay.shape[0] == 1
    for i in range(post.shape[0]):
        d = delay[0] if one_delay else delay[i]
        out_present[post[i] - post_offset, (d - delay_min) * delay_step] = True
