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
def order_runs(src_syn_ptr, port_group, syn_port, syn_weight, syn_delay):
    """Sort each source's run of synapses by (group of its port, port), in place; a run already in order (the
    usual case: projections listed by target) is only checked."""
    for s in range(src_syn_ptr.shape[0] - 1):
        lo, hi = src_syn_ptr[s], src_syn_ptr[s + 1]
        ordered = True
        for j in range(lo + 1, hi):
            if not _in_order(port_group, syn_port[j - 1], syn_port[j]):
                ordered = False
                break
        if ordered:
            continue
        ports = syn_port[lo:hi].astype(np.int64)
        keys = port_group[ports] * (np.int64(port_group.shape[0]) + 1) + ports
        perm = np.argsort(keys, kind="mergesort")
        syn_port[lo:hi] = syn_port[lo:hi][perm]
        syn_weight[lo:hi] = syn_weight[lo:hi][perm]
        syn_delay[lo:hi] = syn_delay[lo:hi][perm]


@njit(**JIT)
def count_segments(src_syn_ptr, port_group, syn_port, out_src_segs):
    """Segments of each source (runs of equal group in its ordered synapses) into ``out_src_segs``; return the
    total."""
    total = 0
    for s in range(src_syn_ptr.shape[0] - 1):
        n = 0
        for j in range(src_syn_ptr[s], src_syn_ptr[s + 1]):
            if j == src_syn_ptr[s] or port_group[syn_port[j]] != port_group[syn_port[j - 1]]:
                n += 1
        out_src_segs[s] = n
        total += n
    return total


@njit(**JIT)
def fill_segments(src_syn_ptr, port_group, syn_port, syn_delay, out_seg_syn_ptr, out_seg_group, out_seg_delay,
                  out_seg_port0):
    """Each segment's synapses (``out_seg_syn_ptr``), group, shared delay (-1: mixed) and first port when its
    ports are consecutive (-1: not)."""
    k = -1
    for s in range(src_syn_ptr.shape[0] - 1):
        for j in range(src_syn_ptr[s], src_syn_ptr[s + 1]):
            p = np.int64(syn_port[j])
            if j == src_syn_ptr[s] or port_group[p] != port_group[syn_port[j - 1]]:
                k += 1
                out_seg_syn_ptr[k] = j
                out_seg_group[k] = port_group[p]
                out_seg_delay[k] = syn_delay[j]
                out_seg_port0[k] = p
                continue
            if out_seg_delay[k] != syn_delay[j]:
                out_seg_delay[k] = -1
            if out_seg_port0[k] >= 0 and p != np.int64(syn_port[j - 1]) + 1:
                out_seg_port0[k] = -1
    out_seg_syn_ptr[k + 1] = src_syn_ptr[src_syn_ptr.shape[0] - 1]


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
