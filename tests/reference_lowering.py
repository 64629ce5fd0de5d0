"""Plain-numpy reference of ``hwsim.lowering.lower_spiking``'s synapse tables (sorts and ``np.unique``, no
Numba): the segments, ports and routes of a quantised network, computed the straightforward way, for the
property tests that compare the two (tests/test_lowering_tables.py)."""
import numpy as np


def _ptr(counts):
    return np.concatenate(([0], np.cumsum(counts))).astype(np.int64)


def _segment_delays(delays: np.ndarray, seg_len: np.ndarray) -> np.ndarray:
    """Per segment (consecutive runs of ``seg_len`` synapses): the delay they all share, or -1."""
    if seg_len.size == 0:
        return np.zeros(0, dtype=np.int64)
    starts = _ptr(seg_len)[:-1]
    low, high = np.minimum.reduceat(delays, starts), np.maximum.reduceat(delays, starts)
    return np.where(low == high, low, -1).astype(np.int64)


def _segment_runs(ports: np.ndarray, seg_len: np.ndarray) -> np.ndarray:
    """Per segment (consecutive runs of ``seg_len`` synapses): its first port when its ports are
    consecutive integers, else -1."""
    if seg_len.size == 0:
        return np.zeros(0, dtype=np.int64)
    starts = _ptr(seg_len)[:-1]
    ports = ports.astype(np.int64)
    breaks = np.concatenate(([0], np.cumsum(np.diff(ports) != 1)))   # non-consecutive steps before each synapse
    consecutive = breaks[starts + seg_len - 1] == breaks[starts]
    return np.where(consecutive, ports[starts], -1).astype(np.int64)


def synapse_tables(qnet, placement, bits_per_synapse, memory_word_bits):
    """The synapse-proportional arrays of ``lower_spiking`` as a dict (every synapse's delay in ``delay``)."""
    n_in, n_neurons, n_groups = qnet.n_input_channels, qnet.n_neurons, len(placement.groups)
    n_sources, n_proj = n_in + n_neurons, len(qnet.projections)
    n_slots = sum(p.n_receptors * p.size for p in qnet.populations)
    projs = qnet.projections
    value_type = np.float64 if qnet.is_float else np.int64
    pre, post, weight, delay = (np.concatenate([np.asarray(getattr(p, name), dtype=dtype) for p in projs]
                                               + [np.zeros(0, dtype=dtype)])
                                for name, dtype in (("pre_index", np.int64), ("post_index", np.int64),
                                                    ("weight", value_type), ("delay_steps", np.int64)))
    proj_id = np.repeat(np.arange(n_proj, dtype=np.int64), [p.pre_index.size for p in projs])

    # ports: (column, delay, receptor slot), sorted by slot, then column, then delay; column 0 is shared by the
    # projections that do not shift on an integer datapath, column 1 + p is projection p's own
    n_delays = int(delay.max()) + 1 if delay.size else 1
    shifted = np.array([p.shift != 0 for p in projs] + [False])[proj_id]   # per-delay ports only where shifted
    column = np.where(shifted | qnet.is_float, proj_id + 1, 0)
    port_keys, syn_port = np.unique((_synapse_slots(qnet) * (n_proj + 1) + column) * n_delays + delay * shifted,
                                    return_inverse=True)
    port_slot = port_keys // ((n_proj + 1) * n_delays)
    port_column = port_keys // n_delays % (n_proj + 1)
    port_shift = np.array([0] + [p.shift for p in projs], dtype=np.int64)[port_column]

    # segments: synapses sorted by (source, destination group)
    group = placement.neuron_group[post].astype(np.int64)
    order = np.lexsort((syn_port, group, pre))
    seg_keys, seg_len = np.unique(pre[order] * n_groups + group[order], return_counts=True)
    seg_src = seg_keys // n_groups

    # routes: one packet per (source, destination core)
    n_cores = placement.core_xy.shape[0]
    route_keys = np.unique(pre * n_cores + placement.neuron_core[post])
    route_src, route_core = route_keys // n_cores, route_keys % n_cores
    src_xy = np.empty((n_sources, 2), dtype=np.int64)
    src_xy[:n_in] = placement.input_xy
    src_xy[n_in:] = placement.core_xy[placement.neuron_core]
    hops = np.abs(placement.core_xy[route_core] - src_xy[route_src])
    src_hops = np.zeros((n_sources, 2), dtype=np.int64)
    np.add.at(src_hops, route_src, hops)

    return dict(src_seg_ptr=_ptr(np.bincount(seg_src, minlength=n_sources)), seg_syn_ptr=_ptr(seg_len),
                seg_group=seg_keys % n_groups,
                seg_mem_words=(seg_len * bits_per_synapse + memory_word_bits - 1) // memory_word_bits,
                seg_delay=_segment_delays(delay[order], seg_len), seg_port0=_segment_runs(syn_port[order], seg_len),
                syn_port=syn_port[order], syn_weight=weight[order], delay=delay[order], port_shift=port_shift
                if not qnet.is_float else np.zeros_like(port_shift),
                slot_port_ptr=_ptr(np.bincount(port_slot, minlength=n_slots)),
                src_packets=np.bincount(route_src, minlength=n_sources), src_hops_x=src_hops[:, 0],
                src_hops_y=src_hops[:, 1])


def _synapse_slots(qnet):
    bases, total = {}, 0
    for pop in qnet.populations:
        bases[pop.name] = total
        total += pop.n_receptors * pop.size
    by_name = {p.name: p for p in qnet.populations}
    parts = [np.asarray(proj.post_index, dtype=np.int64) - by_name[proj.post].offset + bases[proj.post]
             + proj.receptor * by_name[proj.post].size for proj in qnet.projections]
    return np.concatenate(parts + [np.zeros(0, dtype=np.int64)])
