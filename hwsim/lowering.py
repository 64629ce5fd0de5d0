"""Lower a quantised network and its placement to the flat arrays kernels take.

:class:`SpikingArrays` is the contract between hwsim and ``kernels/spiking.py``.
Sources are numbered inputs first, then neurons (see :mod:`hwsim.quantize`).
Each source's synapses are sorted by destination group and cut into
*segments*, one per (source, destination group); the kernel walks a spiking
source's segments, adds each synapse's weight into the ring buffer slot of its
arrival step, and counts SYNOP and MEM_READ on the segment's group.
A neuron keeps one synaptic current per receptor in a *slot*: the populations' slots follow each other in
graph order, each population's receptor-major (receptor ``k`` of neuron ``j`` of a population is slot
``base + k * size + j``; :func:`slot_offsets`). A *port* is (projection, delay, slot): the synaptic
input that a projection's synapses of one delay bring to one receptor of one neuron, accumulated
separately so that the projection's shift applies to the sum of the spikes emitted at one step, as
Lava's DelayDense shifts each delay column (``hwsim.quantize.QProjection``).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from hwsim.errors import GraphError
from hwsim.kernels.neurons import MODEL_IDS
from hwsim.kernels.resets import RESET_IDS
from hwsim.kernels.sigma_delta import CUM_ERROR, RELU
from hwsim.mapping import Placement
from hwsim.qmlp import QuantizedMLP
from hwsim.quantize import QuantizedNetwork

#: The kernel neuron model (``kernels/neurons.py``) of each IR model.
KERNEL_MODELS = {"lif": MODEL_IDS["cuba_lif"], "if": MODEL_IDS["cuba_lif"], "li": MODEL_IDS["cuba_lif"],
                 "sigma_delta": MODEL_IDS["sigma_delta"]}


@dataclass(frozen=True)
class SpikingArrays:
    """Flat arrays of a spiking network (all int64 unless noted).

    On the float datapath (``is_float``) ``syn_weight`` and the neuron parameters except
    ``refractory_steps`` are float64 and hold the IR's values (see :mod:`hwsim.quantize`).

    Attributes
    ----------
    n_inputs, n_neurons, n_slots, n_groups, max_delay : int
        Sizes (``n_slots``: receptor slots, one per neuron and receptor); the ring buffer has more than
        ``max_delay`` slots.
    input_scaled : ndarray ``(n_inputs,)`` uint8
        1 for a current input channel (its values multiply its synapses' weights), 0 for a spike channel.
    src_seg_ptr : ndarray ``(n_sources + 1,)``
        Segments of source s are ``src_seg_ptr[s] .. src_seg_ptr[s+1]-1``.
    seg_syn_ptr : ndarray ``(n_segs + 1,)``
        Synapses of segment k are ``seg_syn_ptr[k] .. seg_syn_ptr[k+1]-1``.
    seg_group : ndarray ``(n_segs,)``
        Destination group of segment k (SYNOP and MEM_READ are counted there).
    seg_mem_words : ndarray ``(n_segs,)``
        Synaptic-memory words read when segment k is processed.
    seg_delay : ndarray ``(n_segs,)``
        The delay shared by all synapses of segment k, or -1 when they differ (the kernel then reads
        ``syn_delay`` synapse by synapse; it is stored only then).
    seg_port0 : ndarray ``(n_segs,)``
        The first port of segment k when its ports are consecutive (``p0, p0 + 1, ...``: a dense
        block, which the kernel adds to the ring as one vectorised run), else -1.
    syn_port, syn_weight : ndarray ``(n_syn,)``
        Target port and weight. The kernel streams the ports and weights of every spike's synapses, so
        they are stored narrow (:func:`synapse_dtypes`): ports uint16 (uint32 beyond 65,536 ports),
        integer weights int8 / int16 / int32 / int64 by their range, float weights float64.
    syn_delay : ndarray ``(n_syn,)`` or ``(0,)``, uint8 / uint16 / uint32
        Delay of each synapse in steps (0 .. max_delay), the narrowest type that holds max_delay; empty
        when every segment has one delay (``seg_delay``; :func:`synapse_delays` gives them per synapse).
    port_shift : ndarray ``(n_ports,)``
        Shift of each port's accumulated input (``<<`` if >= 0, floor ``>>`` if < 0).
    slot_port_ptr : ndarray ``(n_slots + 1,)``
        Ports of slot s are ``slot_port_ptr[s] .. slot_port_ptr[s+1]-1``.
    slot_neuron : ndarray ``(n_slots,)``
        The neuron whose receptor each slot is.
    src_group, src_packets, src_hops_x, src_hops_y : ndarray ``(n_sources,)``
        Per spike of source s: SPIKE and PACKET/HOP counts go to ``src_group[s]``;
        ``src_packets`` = destination cores reached, ``src_hops_*`` = mesh hops summed over them.
    neuron_group : ndarray ``(n_neurons,)``
        Group counting the neuron's updates.
    update_slices : ndarray ``(n_slices, 7)``
        ``[first, last, group, slot0, n_receptors, stride, model]``: the populations in the update order,
        each cut where its neurons' counter group changes (a slice is one population on one core); receptor
        ``k`` of neuron ``first + j`` is slot ``slot0 + k * stride + j``; ``model`` is the kernel neuron
        model (:data:`KERNEL_MODELS`). The kernel propagates one slice's spikes before the next slice
        updates, so delay-0 synapses (never within a population: that would be a cycle) arrive in the
        same step.
    syn_factor, bias_syn : ndarray ``(n_slots,)``
        Receptor parameters (see :class:`hwsim.quantize.QPopulation`).
    mem_factor, v_th, bias, v_reset, refractory_steps : ndarray ``(n_neurons,)``
        Neuron parameters.
    has_threshold, reset_mode : ndarray ``(n_neurons,)`` uint8
        Per-neuron flags; reset_mode is one of ``hwsim.kernels.resets.RESET_IDS``' values.
    initial_u, initial_v, initial_hold : ndarray ``(n_slots,)``, ``(n_neurons,)``, ``(n_neurons,)``
        The state every sample starts from (``initial_hold``: twice the refractory steps left).
    decay_bits, rounding, input_shift, state_bits, syn_overflow, mem_overflow : int
        Datapath scalars (see :class:`hwsim.quantize.IntegerArithmetic`; 0 on the float datapath).
    payload_shift : ndarray ``(n_neurons,)``
        Sigma-delta neurons: right shift from the state to the payload (0 elsewhere).
    sigma_delta_mode : ndarray ``(n_neurons,)`` uint8
        Sigma-delta neurons: ``RELU | CUM_ERROR`` flags (``hwsim.kernels.sigma_delta``); 0 elsewhere.
    is_float : bool
        True for the float64 datapath.
    """

    n_inputs: int
    n_neurons: int
    n_slots: int
    n_groups: int
    max_delay: int
    input_scaled: np.ndarray
    src_seg_ptr: np.ndarray
    seg_syn_ptr: np.ndarray
    seg_group: np.ndarray
    seg_mem_words: np.ndarray
    seg_delay: np.ndarray
    seg_port0: np.ndarray
    syn_port: np.ndarray
    syn_weight: np.ndarray
    syn_delay: np.ndarray
    port_shift: np.ndarray
    slot_port_ptr: np.ndarray
    slot_neuron: np.ndarray
    src_group: np.ndarray
    src_packets: np.ndarray
    src_hops_x: np.ndarray
    src_hops_y: np.ndarray
    neuron_group: np.ndarray
    update_slices: np.ndarray
    syn_factor: np.ndarray
    mem_factor: np.ndarray
    v_th: np.ndarray
    bias: np.ndarray
    bias_syn: np.ndarray
    v_reset: np.ndarray
    refractory_steps: np.ndarray
    has_threshold: np.ndarray
    reset_mode: np.ndarray
    initial_u: np.ndarray
    initial_v: np.ndarray
    initial_hold: np.ndarray
    decay_bits: int
    rounding: int
    input_shift: int
    state_bits: int
    syn_overflow: int
    mem_overflow: int
    payload_shift: np.ndarray
    sigma_delta_mode: np.ndarray
    is_float: bool = False


def _unique_inverse(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``np.unique(keys, return_inverse=True)`` for non-negative integer keys; when their range is at most a
    few times their number (ports of dense layers), by marking a table instead of sorting (same result)."""
    if keys.size == 0 or int(keys.max()) > 4 * keys.size + 1024:
        return np.unique(keys, return_inverse=True)
    present = np.zeros(int(keys.max()) + 1, dtype=bool)
    present[keys] = True
    rank = np.cumsum(present) - 1
    return np.flatnonzero(present), rank[keys]


def _runs(sorted_keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``np.unique(sorted_keys, return_counts=True)`` for keys already in ascending order, without sorting."""
    if sorted_keys.size == 0:
        return sorted_keys.copy(), np.zeros(0, dtype=np.int64)
    starts = np.flatnonzero(np.concatenate([[True], sorted_keys[1:] != sorted_keys[:-1]]))
    return sorted_keys[starts], np.diff(np.append(starts, sorted_keys.size))


#: The dtypes a synapse table may use, narrowest first (the kernel compiles one specialisation per
#: combination a run meets, so the set stays small).
PORT_DTYPES = (np.uint16, np.uint32, np.int64)
WEIGHT_DTYPES = (np.int8, np.int16, np.int32, np.int64)
DELAY_DTYPES = (np.uint8, np.uint16, np.uint32)


def _narrowest(dtypes: tuple, low: int, high: int) -> type:
    """The first of ``dtypes`` that holds every integer in ``low .. high``."""
    return next(t for t in dtypes if np.iinfo(t).min <= low and high <= np.iinfo(t).max)


def synapse_dtypes(n_ports: int, weight: np.ndarray) -> tuple[type, type]:
    """The narrowest (port, weight) dtypes of a synapse table with ``n_ports`` ports and these weights:
    ports uint16, uint32 (beyond 65,536 ports) or int64; float weights float64; integer weights int8,
    int16, int32 or int64, the first that holds every one."""
    port = _narrowest(PORT_DTYPES, 0, n_ports - 1)
    if weight.dtype.kind == "f":
        return port, np.float64
    if weight.size == 0:
        return port, WEIGHT_DTYPES[0]
    return port, _narrowest(WEIGHT_DTYPES, int(weight.min()), int(weight.max()))


def _stored_delays(delays: np.ndarray, seg_len: np.ndarray) -> np.ndarray:
    """``syn_delay`` of segments of ``seg_len`` synapses with these (sorted) delays: empty when every segment
    has one delay (the kernel reads ``seg_delay``), else every synapse's delay; in the narrowest of
    :data:`DELAY_DTYPES` that holds the largest."""
    dtype = _narrowest(DELAY_DTYPES, 0, int(delays.max(initial=0)))
    one_each = (delays.size == 0 or delays.min() == delays.max()
                or bool(np.all(_segment_delays(delays, seg_len) >= 0)))
    return np.zeros(0, dtype=dtype) if one_each else delays.astype(dtype)


def synapse_delays(arrays: SpikingArrays) -> np.ndarray:
    """Every synapse's delay [step] (int64 ``(n_syn,)``), from ``syn_delay`` or, where the lowering left it
    empty (one delay per segment), from ``seg_delay``."""
    if arrays.syn_delay.size == arrays.syn_port.size:
        return arrays.syn_delay.astype(np.int64)
    return np.repeat(np.asarray(arrays.seg_delay, dtype=np.int64), np.diff(arrays.seg_syn_ptr))


def slot_offsets(qnet: QuantizedNetwork) -> dict[str, int]:
    """The first receptor slot of each population (``n_receptors * size`` slots each, in graph order)."""
    offsets, total = {}, 0
    for pop in qnet.populations:
        offsets[pop.name] = total
        total += pop.n_receptors * pop.size
    return offsets


def _ptr(counts: np.ndarray) -> np.ndarray:
    """CSR pointer ``[0, c0, c0 + c1, ...]`` from per-row counts."""
    return np.concatenate(([0], np.cumsum(counts))).astype(np.int64)


def _per_neuron(qnet: QuantizedNetwork, field: str, dtype=np.int64) -> np.ndarray:
    """Concatenate a population field (array or per-population flag) over the global neurons (None: 0)."""
    out = np.zeros(qnet.n_neurons, dtype=dtype)
    for pop in qnet.populations:
        value = getattr(pop, field)
        if value is not None:
            out[pop.offset:pop.offset + pop.size] = value
    return out


def _per_slot(qnet: QuantizedNetwork, field: str, dtype) -> np.ndarray:
    """Concatenate a population's receptor field ``(n_receptors, size)`` over the slots (None: 0)."""
    parts = [np.zeros(pop.n_receptors * pop.size, dtype=dtype) if getattr(pop, field) is None
             else np.asarray(getattr(pop, field), dtype=dtype).ravel() for pop in qnet.populations]
    return np.concatenate(parts + [np.zeros(0, dtype=dtype)])


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


def _slices(qnet: QuantizedNetwork, neuron_group: np.ndarray) -> np.ndarray:
    """``[first, last, group, slot0, n_receptors, stride, model]`` rows: each population in the update
    order, cut where ``neuron_group`` changes."""
    rows = []
    bases = slot_offsets(qnet)
    for pop in qnet.populations_in_update_order():
        first, last = pop.offset, pop.offset + pop.size
        cuts = first + 1 + np.flatnonzero(np.diff(neuron_group[first:last]))
        bounds = np.concatenate(([first], cuts, [last]))
        rows += [(a, b, neuron_group[a], bases[pop.name] + a - first, pop.n_receptors, pop.size,
                  KERNEL_MODELS[pop.model]) for a, b in zip(bounds[:-1], bounds[1:])]
    return np.array(rows, dtype=np.int64).reshape(-1, 7)


def _synapse_slots(qnet: QuantizedNetwork) -> np.ndarray:
    """The receptor slot of every synapse, projections in order."""
    bases = slot_offsets(qnet)
    by_name = {p.name: p for p in qnet.populations}
    parts = []
    for proj in qnet.projections:
        pop = by_name[proj.post]
        if not 0 <= proj.receptor < pop.n_receptors:
            raise GraphError(f"projection '{proj.name or proj.pre + '->' + proj.post}': receptor {proj.receptor}; "
                             f"'{pop.name}' has {pop.n_receptors} receptor(s).")
        parts.append(np.asarray(proj.post_index, dtype=np.int64) - pop.offset + bases[pop.name]
                     + proj.receptor * pop.size)
    return np.concatenate(parts + [np.zeros(0, dtype=np.int64)])


def _reset_modes(qnet: QuantizedNetwork) -> np.ndarray:
    """uint8 reset mode of every neuron (the kernel's RESET_* values)."""
    out = np.zeros(qnet.n_neurons, dtype=np.uint8)
    for pop in qnet.populations:
        out[pop.offset:pop.offset + pop.size] = RESET_IDS[pop.reset]
    return out


def lower_spiking(qnet: QuantizedNetwork, placement: Placement, bits_per_synapse: int,
                  memory_word_bits: int) -> SpikingArrays:
    """Flatten a quantised spiking network and its placement into kernel arrays.

    Parameters
    ----------
    qnet : QuantizedNetwork
        Integer network (sources: input channels, then neurons).
    placement : Placement
        Core and counter group of every neuron and input channel, and the cores' mesh coordinates.
    bits_per_synapse : int
        Synaptic-memory bits one synapse occupies [bit].
    memory_word_bits : int
        Width of one synaptic-memory read [bit].

    Returns
    -------
    SpikingArrays
        Segments per (source, destination group) with ``ceil(n_syn * bits_per_synapse /
        memory_word_bits)`` words each; per source, one packet per distinct destination core
        and the x / y mesh hops from its core (``placement.input_xy`` for inputs) to each of them.

    Raises
    ------
    GraphError
        If the placement does not cover the network's neurons and input channels.
    """
    n_in, n_neurons, n_groups = qnet.n_input_channels, qnet.n_neurons, len(placement.groups)
    if placement.neuron_core.shape != (n_neurons,) or placement.input_group.shape != (n_in,):
        raise GraphError(f"placement for chip '{placement.chip}': {placement.neuron_core.size} neurons and "
                         f"{placement.input_group.size} input channels; expected {n_neurons} and {n_in}. "
                         f"Hint: map the graph the network was quantised from.")
    n_sources, n_proj = n_in + n_neurons, len(qnet.projections)
    n_slots = sum(p.n_receptors * p.size for p in qnet.populations)
    projs = qnet.projections
    value_type = np.float64 if qnet.is_float else np.int64
    pre, post, weight, delay = (np.concatenate([np.asarray(getattr(p, name), dtype=dtype) for p in projs]
                                               + [np.zeros(0, dtype=dtype)])
                                for name, dtype in (("pre_index", np.int64), ("post_index", np.int64),
                                                    ("weight", value_type), ("delay_steps", np.int64)))
    proj_id = np.repeat(np.arange(n_proj, dtype=np.int64), [p.pre_index.size for p in projs])

    # ports: (projection, delay, receptor slot), sorted by slot, then projection, then delay
    n_delays = int(delay.max()) + 1 if delay.size else 1
    port_keys, syn_port = _unique_inverse((_synapse_slots(qnet) * n_proj + proj_id) * n_delays + delay)
    port_slot = port_keys // (max(n_proj, 1) * n_delays)
    port_shift = np.array([p.shift for p in projs], dtype=np.int64)[port_keys // n_delays % max(n_proj, 1)]

    # segments: synapses sorted by (source, destination group)
    group = placement.neuron_group[post].astype(np.int64)
    order = np.lexsort((syn_port, group, pre))
    seg_keys, seg_len = _runs(pre[order] * n_groups + group[order])
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

    if qnet.is_float:
        scalars = dict(decay_bits=0, rounding=0, input_shift=0, state_bits=64, syn_overflow=0, mem_overflow=0)
        port_shift = np.zeros_like(port_shift)
    else:
        arith = qnet.arithmetic
        scalars = dict(decay_bits=arith.decay_bits, rounding=arith.rounding, input_shift=arith.input_shift,
                       state_bits=arith.state_bits, syn_overflow=arith.syn_overflow,
                       mem_overflow=arith.mem_overflow)
    rank = np.empty(n_neurons, dtype=np.int64)   # position of each neuron's population in the update order
    for k, pop in enumerate(qnet.populations_in_update_order()):
        rank[pop.offset:pop.offset + pop.size] = k
    neuron_group = placement.neuron_group.astype(np.int64)
    late = (delay == 0) & (pre >= n_in)
    late[late] = rank[pre[late] - n_in] >= rank[post[late]]
    if np.any(late):
        j = int(np.argmax(late))
        raise GraphError(f"network: a delay-0 synapse from neuron {int(pre[j]) - n_in} to neuron {int(post[j])} "
                         f"goes against the update order {[p.name for p in qnet.populations_in_update_order()]}; "
                         f"expected delay-0 synapses only into populations updated later in the step. "
                         f"Hint: quantise the graph with hwsim.quantize_spiking, which uses Graph.update_order().")
    port_dtype, weight_dtype = synapse_dtypes(port_keys.size, weight)
    slot_neuron = np.concatenate([np.tile(np.arange(p.offset, p.offset + p.size), p.n_receptors)
                                  for p in qnet.populations] + [np.zeros(0, dtype=np.int64)]).astype(np.int64)
    return SpikingArrays(
        n_inputs=n_in, n_neurons=n_neurons, n_slots=n_slots, n_groups=n_groups,
        max_delay=int(delay.max()) if delay.size else 1,
        input_scaled=np.concatenate([np.full(i.size, i.kind == "current", dtype=np.uint8) for i in qnet.inputs]
                                    + [np.zeros(0, dtype=np.uint8)]),
        src_seg_ptr=_ptr(np.bincount(seg_src, minlength=n_sources)),
        seg_syn_ptr=_ptr(seg_len),
        seg_group=(seg_keys % n_groups).astype(np.int64),
        seg_mem_words=(seg_len * bits_per_synapse + memory_word_bits - 1) // memory_word_bits,
        seg_delay=_segment_delays(delay[order], seg_len),
        seg_port0=_segment_runs(syn_port[order], seg_len),
        syn_port=syn_port[order].astype(port_dtype),
        syn_weight=weight[order].astype(weight_dtype),
        syn_delay=_stored_delays(delay[order], seg_len),
        port_shift=port_shift,
        slot_port_ptr=_ptr(np.bincount(port_slot, minlength=n_slots)),
        slot_neuron=slot_neuron,
        src_group=np.concatenate((placement.input_group, placement.neuron_group)).astype(np.int64),
        src_packets=np.bincount(route_src, minlength=n_sources).astype(np.int64),
        src_hops_x=src_hops[:, 0].copy(),
        src_hops_y=src_hops[:, 1].copy(),
        neuron_group=neuron_group,
        update_slices=_slices(qnet, neuron_group),
        syn_factor=_per_slot(qnet, "syn_factor", value_type),
        mem_factor=_per_neuron(qnet, "mem_factor", value_type),
        v_th=_per_neuron(qnet, "v_th", value_type),
        bias=_per_neuron(qnet, "bias", value_type),
        bias_syn=_per_slot(qnet, "bias_syn", value_type),
        v_reset=_per_neuron(qnet, "v_reset", value_type),
        refractory_steps=_per_neuron(qnet, "refractory_steps"),
        has_threshold=_per_neuron(qnet, "has_threshold", np.uint8),
        reset_mode=_reset_modes(qnet),
        initial_u=_per_slot(qnet, "initial_u", value_type),
        initial_v=_per_neuron(qnet, "initial_v", value_type),
        initial_hold=2 * _per_neuron(qnet, "initial_refractory"),
        payload_shift=_per_neuron(qnet, "payload_shift"),
        sigma_delta_mode=(RELU * _per_neuron(qnet, "relu", np.uint8)
                          | CUM_ERROR * _per_neuron(qnet, "cum_error", np.uint8)).astype(np.uint8),
        is_float=qnet.is_float,
        **scalars,
    )


@dataclass(frozen=True)
class MlpArrays:
    """Flat arrays of a quantised MLP (all int64 unless noted); layer ``l`` is counter group ``l``.

    Attributes
    ----------
    n_inputs, n_outputs, max_width : int
        Input channels, outputs of the last layer, and the widest of inputs and layer outputs.
    layer_names : tuple of str
        Name of each layer (counter group).
    layer_row_ptr : ndarray ``(n_layers + 1,)``
        Output rows of layer l are ``layer_row_ptr[l] .. layer_row_ptr[l+1]-1`` (global row ids).
    row_syn_ptr : ndarray ``(n_rows + 1,)``
        Non-zero weights of row r are ``row_syn_ptr[r] .. row_syn_ptr[r+1]-1``.
    syn_col, syn_weight : ndarray ``(n_nonzero,)``
        Column (index into the previous layer's outputs) and weight of each non-zero weight.
    row_bias : ndarray ``(n_rows,)``
        Bias of each output row.
    layer_shift, layer_act_max : ndarray ``(n_layers,)``
        Right shift and clip top (-1: none) of each layer.
    layer_relu : ndarray ``(n_layers,)`` uint8
        1 where the layer applies ReLU before the shift.
    """

    n_inputs: int
    n_outputs: int
    max_width: int
    layer_names: tuple[str, ...]
    layer_row_ptr: np.ndarray
    row_syn_ptr: np.ndarray
    syn_col: np.ndarray
    syn_weight: np.ndarray
    row_bias: np.ndarray
    layer_shift: np.ndarray
    layer_act_max: np.ndarray
    layer_relu: np.ndarray


def lower_mlp(qmlp: QuantizedMLP) -> MlpArrays:
    """Flatten a quantised MLP into CSR rows of its non-zero weights.

    Parameters
    ----------
    qmlp : QuantizedMLP
        Integer layers.

    Returns
    -------
    MlpArrays
        The layers' rows stacked in order; zero weights are dropped (they cost no MAC).
    """
    layers = qmlp.layers
    weights = [np.asarray(layer.weight, dtype=np.int64) for layer in layers]
    rows, cols = zip(*(np.nonzero(w) for w in weights))
    return MlpArrays(
        n_inputs=qmlp.input_size,
        n_outputs=weights[-1].shape[0],
        max_width=max([qmlp.input_size] + [w.shape[0] for w in weights]),
        layer_names=tuple(layer.name for layer in layers),
        layer_row_ptr=_ptr([w.shape[0] for w in weights]),
        row_syn_ptr=_ptr(np.concatenate([np.bincount(r, minlength=w.shape[0]) for r, w in zip(rows, weights)])),
        syn_col=np.concatenate(cols).astype(np.int64),
        syn_weight=np.concatenate([w[r, c] for w, r, c in zip(weights, rows, cols)]),
        row_bias=np.concatenate([layer.bias for layer in layers]).astype(np.int64),
        layer_shift=np.array([layer.shift for layer in layers], dtype=np.int64),
        layer_act_max=np.array([layer.act_max for layer in layers], dtype=np.int64),
        layer_relu=np.array([layer.relu for layer in layers], dtype=np.uint8),
    )
