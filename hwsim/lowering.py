"""Lower a quantised network and its placement to the flat arrays kernels take.

:class:`SpikingArrays` is the contract between hwsim and ``kernels/spiking.py``.
Sources are numbered inputs first, then neurons (see :mod:`hwsim.quantize`).
Each source's synapses are sorted by destination group and cut into
*segments*, one per (source, destination group); the kernel walks a spiking
source's segments, adds each synapse's weight into the ring buffer slot of its
arrival step, and counts SYNOP and MEM_READ on the segment's group.
A neuron keeps one synaptic current per receptor in a *slot*: the populations' slots follow each other in
graph order, each population's receptor-major (receptor ``k`` of neuron ``j`` of a population is slot
``base + k * size + j``; :func:`slot_offsets`). A *port* is a sum of synaptic input into one slot, kept
apart from the slot's other ports until the neuron update adds them:

- a projection that shifts its sums (``QProjection.shift`` != 0, integer chips) has a port per (delay, slot),
  so that its shift applies to the sum of the spikes emitted at one step, as Lava's DelayDense shifts each
  delay column (``hwsim.quantize.QProjection``);
- on an integer datapath the projections that do not shift share one port per slot, as SpiNNaker's input
  buffers and Loihi's dendritic accumulators sum every synapse into a neuron's receptor: an integer sum does
  not depend on its grouping, and the ring is as wide as the slots (W5: 7.6 times narrower than a port per
  projection);
- on a float datapath each projection has its own port per slot (a float sum is rounded in spike order, and
  the ports are added in projection order).

The delays of a port share it, so a network with many distinct delays keeps a small ring buffer.

Every per-synapse step runs in linear passes (``kernels/tables.py``: counting sorts by source, a check or
sort of each source's synapses by (group, port), runs cut into segments), a few ns per synapse.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from hwsim.errors import GraphError
from hwsim.kernels.neurons import MODEL_IDS
from hwsim.kernels.resets import RESET_IDS
from hwsim.kernels import tables as tables_kernels
from hwsim.kernels.sigma_delta import CUM_ERROR, RELU
from hwsim.mapping import Placement
from hwsim.setup_parallel import setup_threads, thread_parts
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
    input_poisson : ndarray ``(n_inputs,)`` uint8 or None
        1 for a Poisson channel (its spikes are drawn in the kernel, ``docs/sources.md``); None: none is.
    poisson_mean, poisson_start_step, poisson_stop_step : ndarray ``(n_inputs,)`` or None
        A Poisson channel's mean count per step (float64) and the steps ``start <= t < stop`` it draws at
        (0 on other channels); None with ``input_poisson``.
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
    input_poisson: np.ndarray | None = None
    poisson_mean: np.ndarray | None = None
    poisson_start_step: np.ndarray | None = None
    poisson_stop_step: np.ndarray | None = None


#: The dtypes a synapse table may use, narrowest first (the kernel compiles one specialisation per
#: combination a run meets, so the set stays small).
PORT_DTYPES = (np.uint16, np.uint32, np.int64)
WEIGHT_DTYPES = (np.int8, np.int16, np.int32, np.int64)
DELAY_DTYPES = (np.uint8, np.uint16, np.uint32)


def _narrowest(dtypes: tuple, low: int, high: int) -> type:
    """The first of ``dtypes`` that holds every integer in ``low .. high``."""
    return next(t for t in dtypes if np.iinfo(t).min <= low and high <= np.iinfo(t).max)


def poisson_channels(a: SpikingArrays) -> np.ndarray:
    """bool ``(n_inputs,)``: the Poisson channels of ``a`` (drawn in the kernel; no column of the input array)."""
    return np.zeros(a.n_inputs, dtype=bool) if a.input_poisson is None else np.asarray(a.input_poisson, dtype=bool)


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


def _stored_delays(delays: np.ndarray, seg_delay: np.ndarray) -> np.ndarray:
    """``syn_delay`` as stored: every synapse's delay where some segment mixes them (``seg_delay`` -1), else
    empty (the kernel reads ``seg_delay``)."""
    return delays if np.any(seg_delay < 0) else np.zeros(0, dtype=delays.dtype)


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


def _reset_modes(qnet: QuantizedNetwork) -> np.ndarray:
    """uint8 reset mode of every neuron (the kernel's RESET_* values)."""
    out = np.zeros(qnet.n_neurons, dtype=np.uint8)
    for pop in qnet.populations:
        out[pop.offset:pop.offset + pop.size] = RESET_IDS[pop.reset]
    return out


@dataclass(frozen=True)
class _Ports:
    """The ports of a network: ``table[p][j, d - delay_min[p]]`` is the port of projection ``p``'s synapses of
    delay ``d`` into its target's neuron ``j`` (receptor ``p``'s); ports are numbered by slot, then projection,
    then delay. ``shift``, ``neuron``: each port's shift and neuron; ``slot_port_ptr``: ports of each slot."""

    table: tuple
    delay_min: tuple
    shift: np.ndarray
    neuron: np.ndarray
    slot_port_ptr: np.ndarray


def _delays(proj) -> np.ndarray:
    """A projection's delays as a 1-D integer array (no copy): one per synapse, or one for all (shape ``(1,)``)."""
    delay = np.asarray(proj.delay_steps).reshape(-1)
    if delay.size > 1 and delay.min() == delay.max():
        return delay[:1].astype(np.int64)
    return delay


def _port_tables(qnet: QuantizedNetwork) -> _Ports:
    """Number the ports (:class:`_Ports`) receptor by receptor: mark which (neuron, column) carry synapses, then
    rank the marks in slot order (rows: the receptor's slots; columns: on an integer datapath one column that
    every projection without a shift shares, then each shifting projection's delays; on a float datapath one
    column per projection)."""
    delays = [_delays(p) for p in qnet.projections]
    delay_min = tuple(int(d.min()) if d.size else 0 for d in delays)
    widths = [int(d.max(initial=0)) - low + 1 if p.shift else 1
              for p, d, low in zip(qnet.projections, delays, delay_min)]
    tables, shifts, neurons, per_slot = [None] * len(qnet.projections), [], [], []
    for pop in qnet.populations:
        for receptor in range(pop.n_receptors):
            into = [k for k, p in enumerate(qnet.projections) if p.post == pop.name and p.receptor == receptor]
            blocks = _port_blocks(qnet, into, widths)
            marks = [np.zeros((pop.size, width), dtype=bool) for _, width, _ in blocks]
            for (members, width, _), mark in zip(blocks, marks):
                for k in members:
                    proj = qnet.projections[k]
                    bad = tables_kernels.mark_ports(proj.post_local, delays[k], delay_min[k], int(width > 1), mark) \
                        if proj.post_local.size else -1
                    if bad >= 0:
                        raise _index_error(proj, "post", int(proj.post_local[bad]), pop.size)
            marks = np.concatenate(marks + [np.zeros((pop.size, 0), dtype=bool)], axis=1)
            rank = (np.cumsum(marks.ravel()) - 1 + sum(map(len, neurons))).reshape(marks.shape)
            columns = np.cumsum([0] + [width for _, width, _ in blocks])
            column_shift = np.repeat([shift for _, _, shift in blocks], np.diff(columns)).astype(np.int64)
            for (members, _, _), lo, hi in zip(blocks, columns[:-1], columns[1:]):
                for k in members:
                    tables[k] = rank[:, lo:hi]
            shifts.append(np.broadcast_to(column_shift, marks.shape)[marks])
            neurons.append(np.broadcast_to((pop.offset + np.arange(pop.size))[:, None], marks.shape)[marks])
            per_slot.append(marks.sum(axis=1))
    empty = np.zeros(0, dtype=np.int64)
    return _Ports(tuple(tables), delay_min, np.concatenate(shifts + [empty]), np.concatenate(neurons + [empty]),
                  _ptr(np.concatenate(per_slot + [empty])))


def _port_blocks(qnet: QuantizedNetwork, into: list[int], widths: list[int]) -> list[tuple[list[int], int, int]]:
    """The port columns of one receptor as blocks ``(projections, width, shift)``: on an integer datapath the
    projections ``into`` it that do not shift share one column (their sums add in any order to the same
    integer, and one port per slot keeps the ring small and lets the update read it directly), then each
    shifting projection's delays; on a float datapath each projection keeps its own column (its sum rounds in
    spike order, then the ports add in projection order)."""
    shared = [k for k in into if not qnet.is_float and not qnet.projections[k].shift]
    blocks = [(shared, 1, 0)] if shared else []
    return blocks + [([k], widths[k], int(qnet.projections[k].shift)) for k in into if k not in shared]


def _values(weight: np.ndarray, value_type: type) -> np.ndarray:
    """A projection's weights as the datapath takes them: integers in their own type (no widening copy),
    anything else converted to ``value_type``."""
    weight = np.asarray(weight)
    return weight if weight.dtype.kind == np.dtype(value_type).kind else weight.astype(value_type)


def _used(array: np.ndarray, n: int) -> np.ndarray:
    """The first ``n`` entries of a table allocated with room to spare: a view when they fill at least half of
    it (no copy of a large table), else a copy (the room is freed)."""
    return array[:n] if 2 * n >= array.size else array[:n].copy()


def _name(proj) -> str:
    """A projection's name for messages (``"<pre>-><post>"`` when it has none)."""
    return proj.name or f"{proj.pre}->{proj.post}"


def _index_error(proj, end: str, index: int, size: int) -> GraphError:
    return GraphError(f"projection '{_name(proj)}': {end} index {index} within "
                      f"'{getattr(proj, end)}'; expected 0..{size - 1}. Hint: QProjection holds indices within "
                      f"its source and target (pre_local, post_local) and their global offsets apart.")


def _check_offsets(qnet: QuantizedNetwork) -> dict[str, int]:
    """Refuse a projection whose offsets are not its source's and target's global ids; return the source sizes."""
    offsets = {inp.name: inp.offset for inp in qnet.inputs}
    offsets.update({pop.name: qnet.n_input_channels + pop.offset for pop in qnet.populations})
    targets = {pop.name: pop.offset for pop in qnet.populations}
    for proj in qnet.projections:
        for end, offset, known in (("pre", proj.pre_offset, offsets), ("post", proj.post_offset, targets)):
            name = getattr(proj, end)
            if known.get(name) != offset:
                raise GraphError(f"projection '{_name(proj)}': {end}_offset {offset}; "
                                 f"expected {known.get(name)}, the first global id of '{name}'. Hint: build "
                                 f"networks with hwsim.quantize_spiking.")
    return {**{inp.name: inp.size for inp in qnet.inputs}, **{pop.name: pop.size for pop in qnet.populations}}


def _synapse_table(qnet: QuantizedNetwork, ports: _Ports, n_sources: int, source_sizes: dict[str, int]) -> tuple:
    """Every synapse's port, weight and delay, grouped by source (in each projection's order within a source):
    ``(src_syn_ptr, syn_port, syn_weight, syn_delay)``, each array as narrow as its values allow."""
    projs = qnet.projections
    counts = np.zeros(n_sources, dtype=np.int64)
    low, high, longest = 0, 0, 0
    for proj in projs:
        if proj.pre_local.size:
            size = source_sizes[proj.pre]
            bad = tables_kernels.count_indices(proj.pre_local, proj.pre_offset, size, counts)
            if bad >= 0:
                raise _index_error(proj, "pre", int(proj.pre_local[bad]), size)
            low, high = min(low, proj.weight.min()), max(high, proj.weight.max())
            longest = max(longest, int(np.max(proj.delay_steps)))
    value_type = np.float64 if qnet.is_float else np.int64
    port_dtype, weight_dtype = synapse_dtypes(ports.shift.size, np.array([low, high], dtype=value_type))
    src_syn_ptr = _ptr(counts)
    n_syn = int(src_syn_ptr[-1])
    syn_port, syn_weight = np.empty(n_syn, dtype=port_dtype), np.empty(n_syn, dtype=weight_dtype)
    syn_delay = np.empty(n_syn, dtype=_narrowest(DELAY_DTYPES, 0, longest))
    cursor = src_syn_ptr[:-1].copy()
    source_bounds = thread_parts(src_syn_ptr)
    for k, proj in enumerate(projs):
        if proj.pre_local.size:
            tables_kernels.scatter_by_source(
                proj.pre_local, proj.pre_offset, proj.post_local, _values(proj.weight, value_type),
                _delays(proj), ports.delay_min[k], int(ports.table[k].shape[1] > 1), ports.table[k], source_bounds,
                cursor, syn_port, syn_weight, syn_delay)
    return src_syn_ptr, syn_port, syn_weight, syn_delay


def _check_delay_zero(qnet: QuantizedNetwork) -> None:
    """Refuse a delay-0 synapse into a population updated no later than its source in a step."""
    order = [p.name for p in qnet.populations_in_update_order()]
    rank = {name: k for k, name in enumerate(order)}
    for proj in qnet.projections:
        if proj.pre not in rank or not proj.pre_local.size or rank[proj.pre] < rank[proj.post]:
            continue
        delay = np.broadcast_to(np.asarray(proj.delay_steps), proj.pre_local.shape)
        if delay.min() == 0:
            j = int(np.argmax(delay == 0))
            raise GraphError(f"network: a delay-0 synapse from neuron {int(proj.pre_index[j]) - qnet.n_input_channels} "
                             f"to neuron "
                             f"{int(proj.post_index[j])} goes against the update order {order}; expected delay-0 "
                             f"synapses only into populations updated later in the step. Hint: quantise the graph "
                             f"with hwsim.quantize_spiking, which uses Graph.update_order().")


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
        and the x / y mesh hops from its core (``placement.input_xy`` for inputs on the host) to each of them.

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
    n_sources, n_groups = n_in + n_neurons, len(placement.groups)
    n_slots = sum(p.n_receptors * p.size for p in qnet.populations)
    source_sizes = _check_offsets(qnet)
    _check_delay_zero(qnet)
    ports = _port_tables(qnet)
    group_of_neuron = placement.neuron_group.astype(np.int64)
    port_group = group_of_neuron[ports.neuron].astype(np.int32)   # narrow: looked up once per synapse
    with setup_threads(sum(proj.weight.size for proj in qnet.projections)):
        src_syn_ptr, syn_port, syn_weight, syn_delay = _synapse_table(qnet, ports, n_sources, source_sizes)
        room = _ptr(np.minimum(np.diff(src_syn_ptr), n_groups))   # at most one segment per synapse and group
        source_bounds = thread_parts(src_syn_ptr)
        src_segs = np.zeros(n_sources, dtype=np.int64)
        seg_syn_ptr = np.empty(int(room[-1]) + 1, dtype=np.int64)
        seg_group, seg_delay, seg_port0 = (np.empty(int(room[-1]), dtype=np.int64) for _ in range(3))
        n_segs = tables_kernels.cut_segments(src_syn_ptr, port_group, syn_port, syn_weight, syn_delay,
                                             source_bounds, room[source_bounds[:-1]], src_segs, seg_syn_ptr,
                                             seg_group, seg_delay, seg_port0)
    seg_syn_ptr = _used(seg_syn_ptr, n_segs + 1)
    seg_group, seg_delay, seg_port0 = (_used(a, n_segs) for a in (seg_group, seg_delay, seg_port0))
    seg_len = np.diff(seg_syn_ptr)
    src_seg_ptr = _ptr(src_segs)
    src_xy = np.empty((n_sources, 2), dtype=np.int64)
    src_xy[:n_in] = placement.input_xy
    if placement.input_core is not None:   # Poisson source cores
        on_core = placement.input_core >= 0
        src_xy[:n_in][on_core] = placement.core_xy[placement.input_core[on_core]]
    src_xy[n_in:] = placement.core_xy[placement.neuron_core]
    group_core = np.array([g.core for g in placement.groups] + [0], dtype=np.int64)
    src_packets, src_hops_x, src_hops_y = (np.zeros(n_sources, dtype=np.int64) for _ in range(3))
    tables_kernels.route_costs(src_seg_ptr, seg_group, group_core, src_xy, placement.core_xy.astype(np.int64),
                               src_packets, src_hops_x, src_hops_y)
    port_shift = ports.shift
    value_type = np.float64 if qnet.is_float else np.int64

    if qnet.is_float:
        scalars = dict(decay_bits=0, rounding=0, input_shift=0, state_bits=64, syn_overflow=0, mem_overflow=0)
        port_shift = np.zeros_like(port_shift)
    else:
        arith = qnet.arithmetic
        scalars = dict(decay_bits=arith.decay_bits, rounding=arith.rounding, input_shift=arith.input_shift,
                       state_bits=arith.state_bits, syn_overflow=arith.syn_overflow,
                       mem_overflow=arith.mem_overflow)
    neuron_group = group_of_neuron
    slot_neuron = np.concatenate([np.tile(np.arange(p.offset, p.offset + p.size), p.n_receptors)
                                  for p in qnet.populations] + [np.zeros(0, dtype=np.int64)]).astype(np.int64)
    return SpikingArrays(
        n_inputs=n_in, n_neurons=n_neurons, n_slots=n_slots, n_groups=n_groups,
        max_delay=int(syn_delay.max()) if syn_delay.size else 1,
        input_scaled=np.concatenate([np.full(i.size, i.kind == "current", dtype=np.uint8) for i in qnet.inputs]
                                    + [np.zeros(0, dtype=np.uint8)]),
        src_seg_ptr=src_seg_ptr,
        seg_syn_ptr=seg_syn_ptr,
        seg_group=seg_group,
        seg_mem_words=(seg_len * bits_per_synapse + memory_word_bits - 1) // memory_word_bits,
        seg_delay=seg_delay,
        seg_port0=seg_port0,
        syn_port=syn_port,
        syn_weight=syn_weight,
        syn_delay=_stored_delays(syn_delay, seg_delay),
        port_shift=port_shift,
        slot_port_ptr=ports.slot_port_ptr,
        slot_neuron=slot_neuron,
        src_group=np.concatenate((placement.input_group, placement.neuron_group)).astype(np.int64),
        src_packets=src_packets,
        src_hops_x=src_hops_x,
        src_hops_y=src_hops_y,
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
        **_poisson_fields(qnet),
    )


def _poisson_fields(qnet: QuantizedNetwork) -> dict:
    """:class:`SpikingArrays`' Poisson fields, per input channel (0 on the other channels)."""
    def per_channel(name: str, dtype) -> np.ndarray:
        return np.concatenate([np.zeros(i.size, dtype=dtype) if i.kind != "poisson" else
                               np.asarray(getattr(i, name), dtype=dtype) for i in qnet.inputs]
                              + [np.zeros(0, dtype=dtype)])
    return dict(input_poisson=np.concatenate([np.full(i.size, i.kind == "poisson", dtype=np.uint8)
                                              for i in qnet.inputs] + [np.zeros(0, dtype=np.uint8)]),
                poisson_mean=per_channel("mean_per_step", np.float64),
                poisson_start_step=per_channel("start_step", np.int64),
                poisson_stop_step=per_channel("stop_step", np.int64))


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
    syn_mask : ndarray ``(n_nonzero,)``, or ``(0,)`` when no layer has masks
        Bit mask each product applies to its input (``QLayer.input_mask``; -1: every bit).
    syn_truncate_bits : ndarray ``(n_nonzero,)``, or ``(0,)`` when no layer sums by AxSum
        Low bits AxSum drops from each product's magnitude (``QLayer.axsum_truncate_bits``; 0:
        none). When present, ``syn_mask`` is too.
    row_bias : ndarray ``(n_rows,)``
        Bias of each output row, with AxSum's ones'-complement -1 folded in
        (``QLayer.axsum_offset``).
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
    syn_mask: np.ndarray
    syn_truncate_bits: np.ndarray
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
        The layers' rows stacked in order; zero weights and products masked to 0 are dropped
        (they cost no MAC).
    """
    layers = qmlp.layers
    weights = [np.asarray(layer.weight, dtype=np.int64) for layer in layers]
    masks = [np.full(w.shape, -1, dtype=np.int64) if layer.input_mask is None
             else np.asarray(layer.input_mask, dtype=np.int64) for w, layer in zip(weights, layers)]
    truncations = [np.zeros(w.shape, dtype=np.int64) if layer.axsum_truncate_bits is None
                   else np.asarray(layer.axsum_truncate_bits, dtype=np.int64) for w, layer in zip(weights, layers)]
    rows, cols = zip(*(np.nonzero((w != 0) & (m != 0)) for w, m in zip(weights, masks)))
    axsum = any(layer.axsum_truncate_bits is not None for layer in layers)
    return MlpArrays(
        n_inputs=qmlp.input_size,
        n_outputs=weights[-1].shape[0],
        max_width=max([qmlp.input_size] + [w.shape[0] for w in weights]),
        layer_names=tuple(layer.name for layer in layers),
        layer_row_ptr=_ptr([w.shape[0] for w in weights]),
        row_syn_ptr=_ptr(np.concatenate([np.bincount(r, minlength=w.shape[0]) for r, w in zip(rows, weights)])),
        syn_col=np.concatenate(cols).astype(np.int64),
        syn_weight=np.concatenate([w[r, c] for w, r, c in zip(weights, rows, cols)]),
        syn_mask=np.concatenate([m[r, c] for m, r, c in zip(masks, rows, cols)]) if axsum or any(
            layer.input_mask is not None for layer in layers) else np.zeros(0, dtype=np.int64),
        syn_truncate_bits=np.concatenate([t[r, c] for t, r, c in zip(truncations, rows, cols)]) if axsum
        else np.zeros(0, dtype=np.int64),
        row_bias=np.concatenate([layer.bias + layer.axsum_offset for layer in layers]).astype(np.int64),
        layer_shift=np.array([layer.shift for layer in layers], dtype=np.int64),
        layer_act_max=np.array([layer.act_max for layer in layers], dtype=np.int64),
        layer_relu=np.array([layer.relu for layer in layers], dtype=np.uint8),
    )
