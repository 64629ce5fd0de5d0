"""Map an IR graph onto a chip: neurons to cores under every capacity limit.

Counter groups: each (core, population) pair that holds neurons is one group,
and each input is one group on the host (core -1), or, for Poisson inputs on chips that run them on cores
of their own (SpiNNaker, :mod:`hwsim.source_cores`), one group per source core. Kernels count actions per
group, so a report can sum them by core or by layer.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from hwsim.chips import ChipProfile
from hwsim.delay_extension import DelayCores, delay_cores
from hwsim.errors import MappingError
from hwsim.ir import Graph, Population
from hwsim.kernels import slicing, tables
from hwsim.setup_parallel import setup_threads, thread_parts
from hwsim.source_cores import SourceCores, source_cores


@dataclass(frozen=True)
class Group:
    """A counter row: the neurons of ``population`` on ``core`` (core -1: an input on the host)."""

    core: int
    population: str


@dataclass(frozen=True)
class Placement:
    """Where every neuron lives, and what each core holds.

    Attributes
    ----------
    chip : str
        Profile name.
    neuron_core : ndarray
        int64 ``(n_neurons,)`` core of each global neuron (numbering of :mod:`hwsim.quantize`).
    neuron_group, input_group : ndarray
        int64 group of each neuron / of each input channel.
    groups : tuple of Group
        Counter rows, indexed by group id.
    core_xy : ndarray
        int64 ``(n_cores_on_chip, 2)`` mesh coordinate of every core of the chip(s).
    input_xy : tuple of int
        Mesh coordinate where input spikes enter (the host link).
    cores_used : tuple of int
        Cores holding at least one neuron, ascending.
    memory_bytes : dict
        ``{core: {"synapses": b, "neuron_state": b, "routing": b}}`` for used cores.
    limits : dict
        ``{limit name: (largest use on any core, capacity)}`` for the report.
    longest_route_hops : tuple of int
        Largest x and largest y hop count of any route (packets' worst-case path, for latency).
    core_use : dict
        ``{core: {limit name: use}}`` for used cores: neurons, synapse memory bits, fan-in and fan-out (the
        per-core limits of ``limits``), for utilisation maps.
    delay_cores : tuple of int
        SpiNNaker's delay-extension cores (:mod:`hwsim.delay_extension`), after the neuron cores; they hold no
        neurons, and have ``memory_bytes`` (kind ``delay_stages``) and ``core_use`` entries.
    delay_packets_per_spike : ndarray or None
        float64 ``(n_groups, 3)``: packets, x hops and y hops the delay path adds per spike of each group
        (the mean over its sources), which :mod:`hwsim.energy` adds from the spike counts; None without
        delay cores.
    delay_core_neurons : tuple of int
        Neurons (or input channels) of the source slice each delay core serves, in ``delay_cores`` order: the
        size of its work at every step (:mod:`hwsim.energy`).
    source_cores : tuple of int
        SpiNNaker's Poisson source cores (:mod:`hwsim.source_cores`), after the neuron cores and before the delay
        cores; they hold no neurons, and have ``memory_bytes`` (kind ``poisson_sources``) and ``core_use``
        entries.
    input_core : ndarray or None
        int64 ``(n_input_channels,)`` core of each input channel (-1: the host, entering at ``input_xy``);
        None: every input is on the host.
    """

    chip: str
    neuron_core: np.ndarray
    neuron_group: np.ndarray
    input_group: np.ndarray
    groups: tuple[Group, ...]
    core_xy: np.ndarray
    input_xy: tuple[int, int]
    cores_used: tuple[int, ...]
    memory_bytes: dict = field(default_factory=dict)
    limits: dict = field(default_factory=dict)
    longest_route_hops: tuple[int, int] = (0, 0)
    core_use: dict = field(default_factory=dict)
    delay_cores: tuple[int, ...] = ()
    delay_packets_per_spike: np.ndarray | None = None
    delay_core_neurons: tuple[int, ...] = ()
    source_cores: tuple[int, ...] = ()
    input_core: np.ndarray | None = None

    @property
    def cores_on(self) -> tuple[int, ...]:
        """Every core in use: neuron cores, Poisson source cores, then delay-extension cores."""
        return self.cores_used + self.source_cores + self.delay_cores


#: Largest table of (slice, source) marks :func:`_cut_by_counts` allocates for one population, in bytes.
MAX_MARKS_BYTES = 1 << 27


def _synapses_per_target(pop: Population, projections: list) -> np.ndarray:
    """int64 ``(pop.size,)`` number of synapses into each neuron of ``pop`` from ``projections``."""
    counts = np.zeros(pop.size, dtype=np.int64)
    for proj in projections:
        if proj.is_sparse:
            tables.count_indices(proj.post_index, 0, pop.size, counts)
        else:
            counts += np.count_nonzero(proj.weight, axis=1)
    return counts


def _incoming(graph: Graph, pop: Population, source_offsets: dict[str, int]) -> tuple[np.ndarray, np.ndarray, int]:
    """The synapses into one population as CSR by target: ``(indptr, sources, offset)``, ``sources[indptr[k]:
    indptr[k+1]] + offset`` being the global sources of neuron k. A single projection listed by target (a dense
    one always is) is taken as it is."""
    projections = list(graph.incoming(pop.name))
    indptr = _ptr(_synapses_per_target(pop, projections))
    if len(projections) == 1:
        proj = projections[0]
        post = proj.post_index
        if not proj.is_sparse or np.all(post[1:] >= post[:-1]):
            return indptr, proj.synapses(narrow=True)[0], source_offsets[proj.pre]
    n_sources = sum(node.size for node in graph.inputs() + graph.populations())
    dtype = np.int32 if n_sources <= np.iinfo(np.int32).max else np.int64
    sources, cursor = np.empty(int(indptr[-1]), dtype=dtype), indptr[:-1].copy()
    target_bounds = thread_parts(indptr)
    for proj in projections:
        pre, post, _, _ = proj.synapses(narrow=True)
        slicing.scatter_by_target(pre, post, source_offsets[proj.pre], target_bounds, cursor, sources)
    return indptr, sources, 0


def _cut_by_counts(graph: Graph, pop: Population, source_offsets: dict[str, int], n_sources: int,
                   chip: ChipProfile) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray] | None:
    """Cut the population by neuron and synapse counts alone, without listing its synapses by target, then mark
    each slice's distinct sources. When every slice's fan-in is within the limit, the greedy cut under all three
    limits is the same cut (no prefix of a slice has more sources than the slice), and this returns each slice's
    neurons, synapses and distinct sources, and the bool ``(n_slices, n_sources)`` table of the global sources
    each slice receives from; else, or when the table would exceed :data:`MAX_MARKS_BYTES`, None (then
    :func:`slicing.greedy_slices` cuts it from the rows by target)."""
    cap = chip.capacity
    max_synapses = cap.synapse_memory_bits_per_core // cap.bits_per_synapse
    projections = list(graph.incoming(pop.name))
    n_syn = sum(proj.n_synapses for proj in projections)
    if pop.size <= cap.neurons_per_core and n_syn <= max_synapses:   # one core: no counts per target needed
        counts, synapses, n_slices = np.array([pop.size]), np.array([n_syn]), 1
    else:
        counts, synapses = np.zeros(pop.size, dtype=np.int64), np.zeros(pop.size, dtype=np.int64)
        n_slices = slicing.cut_by_counts(_synapses_per_target(pop, projections), cap.neurons_per_core,
                                         max_synapses, counts, synapses)
        if n_slices < 0 or n_slices * n_sources > MAX_MARKS_BYTES:
            return None
    counts, synapses = counts[:n_slices], synapses[:n_slices]
    marks = np.zeros((n_slices, n_sources), dtype=bool)
    slice_of = np.repeat(np.arange(n_slices, dtype=np.int32), counts)
    slice_bounds = thread_parts(_ptr(synapses))
    for proj in projections:
        pre, post, _, _ = proj.synapses(narrow=True)
        if n_slices == 1:   # every synapse marks row 0: its targets need not be read
            slicing.mark_sources(pre, source_offsets[proj.pre], marks[0])
        else:
            slicing.mark_slice_sources(pre, post, source_offsets[proj.pre], slice_of, slice_bounds, marks)
    fan_in = np.count_nonzero(marks, axis=1)
    if fan_in.max() > cap.fan_in_per_core:
        return None
    return counts, synapses, fan_in, marks


def _single_neuron_error(pop: Population, indptr: np.ndarray, sources: np.ndarray, k: int,
                         chip: ChipProfile) -> MappingError:
    cap = chip.capacity
    mine = sources[indptr[k]:indptr[k + 1]]   # one neuron's sources (the offset does not change their count)
    use = {"neurons_per_core": 1, "synapse_memory_bits_per_core": int(mine.size) * cap.bits_per_synapse,
           "fan_in_per_core": int(np.unique(mine).size)}
    for key, value in use.items():
        limit = getattr(cap, key)
        if value > limit:
            return MappingError(
                f"population '{pop.name}': neuron {k} alone needs {key} = {value} but chip "
                f"'{chip.name}' allows {limit} per core; expected one neuron to fit one core. "
                f"Hint: reduce that neuron's fan-in (prune or split the layer) or choose a chip with "
                f"more synaptic memory per core.")
    return MappingError(f"population '{pop.name}': neuron {k} does not fit one core of '{chip.name}'.")


def _check_delays(graph: Graph, chip: ChipProfile) -> int:
    longest = 1
    for proj in graph.projections():
        low = chip.capacity.min_delay_steps
        if proj.delay_steps.size and proj.delay_steps.min() < low:
            d_min = int(proj.delay_steps.min())
            what = " (instantaneous)" if d_min == 0 else ""
            raise MappingError(f"projection '{proj.pre}' -> '{proj.post}': delay of {d_min} steps{what} but chip "
                               f"'{chip.name}' takes at least {low} step(s) per projection "
                               f"(capacity.min_delay_steps = {low}). Hint: add {low - d_min} step(s) of latency "
                               f"per layer (delay_steps={low}), as Lava does, or check the network on the float "
                               f"chip 'ideal', which runs delay-0 projections.")
        d = int(np.max(proj.delay_steps)) if proj.delay_steps.size else 1
        cap = chip.capacity
        if d > cap.max_delay_steps and cap.delay_extension_stages is None:
            raise MappingError(f"projection '{proj.pre}' -> '{proj.post}': delay of {d} steps but chip "
                               f"'{chip.name}' supports at most {chip.capacity.max_delay_steps}. "
                               f"Hint: shorten the delays or insert relay neurons.")
        if d > cap.longest_delay_steps:
            raise MappingError(f"projection '{proj.pre}' -> '{proj.post}': delay of {d} steps but chip "
                               f"'{chip.name}' supports at most {cap.longest_delay_steps} "
                               f"(capacity.max_delay_steps {cap.max_delay_steps} in a synaptic row + "
                               f"delay_extension_stages {cap.delay_extension_stages} x delay_extension_stage_steps "
                               f"{cap.delay_extension_stage_steps} on delay-extension cores); expected at most "
                               f"{cap.longest_delay_steps}. Hint: shorten the delays or insert relay neurons.")
        longest = max(longest, d)
    return longest


@dataclass(frozen=True)
class _Senders:
    """The distinct global sources of one population's cores ``first_core, first_core + 1, ...``: a bool table
    ``marks[k, source]`` (:func:`_cut_by_counts`), or lists (core ``first_core + k`` receives from
    ``sources[sum(fan_in[:k]):sum(fan_in[:k+1])]``, :func:`slicing.greedy_slices`)."""

    first_core: int
    marks: np.ndarray | None = None
    fan_in: np.ndarray | None = None
    sources: np.ndarray | None = None

    def pairs(self, source_core: np.ndarray, runs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``(source cores, destination cores)`` of every (core, distinct source), a pair per source core for a
        table: ``runs`` are the first sources of the runs of equal ``source_core`` (a core's neurons follow each
        other), so one OR over each run's columns finds the source cores."""
        if self.marks is not None:
            rows, run = np.nonzero(np.logical_or.reduceat(self.marks, runs, axis=1))
            return source_core[runs[run]], self.first_core + rows
        dst = self.first_core + np.repeat(np.arange(self.fan_in.size, dtype=np.int64), self.fan_in)
        return source_core[self.sources], dst


def _assign_cores(graph: Graph, chip: ChipProfile, source_offsets: dict[str, int]):
    """Fill cores population by population, each slice as large as one core allows (:func:`_cut_by_counts`, else
    :func:`slicing.greedy_slices`); return neuron cores, slices, the largest use per limit, each core's use, and
    each population's :class:`_Senders`."""
    cap = chip.capacity
    n_sources = sum(node.size for node in graph.inputs() + graph.populations())
    neuron_core, slices, peak, core, core_use, senders = [], [], {}, 0, {}, []
    for pop in graph.populations():
        by_counts = _cut_by_counts(graph, pop, source_offsets, n_sources, chip)
        if by_counts is not None:
            counts, synapses, fan_in, marks = by_counts
            senders.append(_Senders(core, marks=marks))
        else:
            indptr, sources, offset = _incoming(graph, pop, source_offsets)
            counts, synapses, fan_in = (np.zeros(pop.size, dtype=np.int64) for _ in range(3))
            seen = np.empty(sources.size, dtype=np.int64)
            n_slices = slicing.greedy_slices(indptr, sources, offset, n_sources, cap.neurons_per_core,
                                             cap.synapse_memory_bits_per_core // cap.bits_per_synapse,
                                             cap.fan_in_per_core, counts, synapses, fan_in, seen)
            if n_slices < 0:
                raise _single_neuron_error(pop, indptr, sources, -1 - n_slices, chip)
            counts, synapses, fan_in = counts[:n_slices], synapses[:n_slices], fan_in[:n_slices]
            senders.append(_Senders(core, fan_in=fan_in, sources=seen[:int(fan_in.sum())]))
        for count, n_syn, n_in in zip(counts.tolist(), synapses.tolist(), fan_in.tolist()):
            use = {"neurons_per_core": count, "synapse_memory_bits_per_core": n_syn * cap.bits_per_synapse,
                   "fan_in_per_core": n_in}
            for key, value in use.items():
                peak[key] = max(peak.get(key, 0), value)
            slices.append((core, pop.name, count, use["synapse_memory_bits_per_core"]))
            core_use[core] = {**use, "fan_out_per_core": 0}
            neuron_core.append(np.full(count, core, dtype=np.int64))
            core += 1
    return np.concatenate(neuron_core), slices, peak, core_use, senders


def _check_core_count(graph: Graph, chip: ChipProfile, slices: list, n_source_cores: int,
                      n_delay_cores: int) -> None:
    """The neuron cores (one per slice), Poisson source cores and delay-extension cores must fit the chip."""
    n_cores = len(slices) + n_source_cores + n_delay_cores
    if n_cores > chip.topology.n_cores:
        per_pop = {}
        for _, name, _, _ in slices:
            per_pop[name] = per_pop.get(name, 0) + 1
        detail = ", ".join([f"{name}: {n}" for name, n in per_pop.items()]
                           + ([f"Poisson sources: {n_source_cores}"] if n_source_cores else [])
                           + ([f"delay extensions: {n_delay_cores}"] if n_delay_cores else []))
        raise MappingError(f"graph '{graph.name}': needs {n_cores} cores ({detail}) but chip '{chip.name}' "
                           f"has {chip.topology.n_cores}; expected at most {chip.topology.n_cores}. "
                           f"Hint: shrink the largest layer or choose a profile with more chips.")


def _ptr(counts: np.ndarray) -> np.ndarray:
    return np.concatenate(([0], np.cumsum(counts))).astype(np.int64)


def _source_cores(neuron_core: np.ndarray, input_group: np.ndarray, input_core: np.ndarray) -> np.ndarray:
    """Core of each global source; inputs on the host (``input_core`` -1) get -1 - group (distinct negative ids
    per input)."""
    return np.concatenate([np.where(input_core >= 0, input_core, -1 - input_group), neuron_core])


def _routes(source_core: np.ndarray, senders: list[_Senders]) -> np.ndarray:
    """Unique (source core, destination core) pairs used by any synapse, in lexicographic order: each core's
    distinct sources (``senders``) send to it from their own core."""
    runs = np.flatnonzero(np.concatenate(([True], source_core[1:] != source_core[:-1])))
    pairs = [sender.pairs(source_core, runs) for sender in senders]
    src = np.concatenate([p[0] for p in pairs] + [np.zeros(0, np.int64)])
    dst = np.concatenate([p[1] for p in pairs] + [np.zeros(0, np.int64)])
    if not src.size:
        return np.zeros((0, 2), np.int64)
    lowest = int(src.min())
    used = np.zeros((int(src.max()) - lowest + 1, int(dst.max()) + 1), bool)  # a few cores squared
    used[src - lowest, dst] = True
    route_src, route_dst = np.nonzero(used)
    return np.stack([route_src + lowest, route_dst], axis=1).astype(np.int64)


def _check_limit(chip: ChipProfile, key: str, counts: np.ndarray, owners: np.ndarray, what: str,
                 limit: int | None, hint: str) -> int:
    peak = int(counts.max()) if counts.size else 0
    if limit is not None and peak > limit:
        owner = int(owners[int(np.argmax(counts))])
        raise MappingError(f"{what} {owner}: {key} = {peak} but chip '{chip.name}' allows {limit}. Hint: {hint}")
    return peak


def map_graph(graph: Graph, chip: ChipProfile) -> Placement:
    """Place every neuron of ``graph`` on a core of ``chip`` under every capacity limit.

    Populations are cut into consecutive slices, each as large as one core allows
    (neurons, synaptic memory, fan-in), one population per core; fan-out, routing
    entries, delays and the core count are then checked. Deterministic.

    Parameters
    ----------
    graph : Graph
        The network (validated here).
    chip : ChipProfile
        Target chip.

    Returns
    -------
    Placement
        Cores, counter groups, memory per core and the use of every limit.

    Raises
    ------
    MappingError
        Naming the population or core, the limit, the numbers and a remedy.
    """
    graph.validate()
    if chip.kind == "mac":
        return _map_mac(graph, chip)
    cap, topo = chip.capacity, chip.topology
    offsets = graph.source_offsets()
    longest_delay = _check_delays(graph, chip)
    with setup_threads(sum(proj.n_synapses for proj in graph.projections())):
        neuron_core, slices, peak, core_use, senders = _assign_cores(graph, chip, offsets)
    sources = source_cores(graph, chip, len(slices))
    input_groups, input_group = _input_groups(graph, sources)
    groups = input_groups + tuple(Group(c, name) for c, name, _, _ in slices)
    neuron_group = np.concatenate([np.full(count, len(input_groups) + k, dtype=np.int64)
                                   for k, (_, _, count, _) in enumerate(slices)])
    source_core = _source_cores(neuron_core, input_group, sources.input_core)
    n_source_cores = len(sources.cores)
    _check_core_count(graph, chip, slices, n_source_cores, 0)
    core_xy = np.array([topo.core_xy(c) for c in range(topo.n_cores)], dtype=np.int64)
    input_xy = (0, 0)
    first_delay_core = len(slices) + n_source_cores
    delays = delay_cores(graph, chip, neuron_core, source_core, core_xy, input_xy, first_delay_core,
                         lambda n: _check_core_count(graph, chip, slices, n_source_cores, n))
    routes = _routes(source_core, senders) if delays is None else delays.with_routes(_routes(source_core, senders))
    delay_core_ids = tuple(range(first_delay_core, first_delay_core + (delays.source_slice.size if delays else 0)))
    for core in delay_core_ids:
        core_use[core] = {"neurons_per_core": 0, "synapse_memory_bits_per_core": 0, "fan_in_per_core": 1,
                          "fan_out_per_core": 0}
    for core, _, _ in sources.cores:
        core_use[core] = {"neurons_per_core": 0, "synapse_memory_bits_per_core": 0, "fan_in_per_core": 0,
                          "fan_out_per_core": 0}
    on_chip = routes[routes[:, 0] >= 0]
    src_cores, fan_out = np.unique(on_chip[:, 0], return_counts=True)
    peak["fan_out_per_core"] = _check_limit(
        chip, "fan_out_per_core", fan_out, src_cores, "core", cap.fan_out_per_core,
        "spread the sending population over more cores or reduce its connectivity.")
    for core, n_out in zip(src_cores.tolist(), fan_out.tolist()):
        core_use[core]["fan_out_per_core"] = n_out
    chip_pairs = np.unique(np.stack([routes[:, 0], routes[:, 1] // topo.cores_per_chip], axis=1), axis=0)
    dst_chips, entries = np.unique(chip_pairs[:, 1], return_counts=True)
    peak["router_entries_per_chip"] = _check_limit(
        chip, "router_entries_per_chip", entries, dst_chips, "chip", cap.router_entries_per_chip,
        "merge small populations so fewer source cores send to one chip.")
    n_per_core = np.bincount(neuron_core)
    memory = {}
    for core, name, count, syn_bits in slices:
        routing_entries = int(np.count_nonzero(on_chip[:, 0] == core))
        memory[core] = {"synapses": -(-syn_bits // 8),
                        "neuron_state": -(-int(n_per_core[core]) * cap.neuron_state_bits // 8),
                        "routing": -(-routing_entries * cap.routing_bits_per_entry // 8)}
    for core, _, count in sources.cores:
        routing_entries = int(np.count_nonzero(on_chip[:, 0] == core))
        memory[core] = {"synapses": 0, "neuron_state": 0, "poisson_sources": count * cap.poisson_source_bytes,
                        "routing": -(-routing_entries * cap.routing_bits_per_entry // 8)}
    for core, bits in zip(delay_core_ids, delays.memory_bits.tolist() if delays else []):
        routing_entries = int(np.count_nonzero(on_chip[:, 0] == core))
        memory[core] = {"synapses": 0, "neuron_state": 0, "delay_stages": -(-bits // 8),
                        "routing": -(-routing_entries * cap.routing_bits_per_entry // 8)}
    limits = {key: (int(peak.get(key, 0)), getattr(cap, key)) for key in
              ("neurons_per_core", "synapse_memory_bits_per_core", "fan_in_per_core", "fan_out_per_core",
               "router_entries_per_chip", "max_delay_steps")}
    limits["max_delay_steps"] = (longest_delay, cap.longest_delay_steps)
    limits["cores"] = (len(slices) + n_source_cores + len(delay_core_ids), topo.n_cores)
    src_xy = np.where(routes[:, :1] >= 0, core_xy[np.maximum(routes[:, 0], 0)], np.array(input_xy))
    span = np.abs(src_xy - core_xy[routes[:, 1]]) if len(routes) else np.zeros((1, 2), np.int64)
    return Placement(chip.name, neuron_core, neuron_group, input_group, groups, core_xy, input_xy,
                     tuple(c for c, _, _, _ in slices), memory, limits,
                     (int(span[:, 0].max()), int(span[:, 1].max())), core_use, delay_core_ids,
                     _per_group_mean(delays.extra_per_source, np.concatenate([input_group, neuron_group]),
                                     len(groups)) if delays else None,
                     tuple(delays.neurons.tolist()) if delays else (),
                     tuple(core for core, _, _ in sources.cores),
                     sources.input_core if n_source_cores else None)


def _input_groups(graph: Graph, sources: SourceCores) -> tuple[tuple[Group, ...], np.ndarray]:
    """The inputs' counter groups (one per input on the host, one per source core) and the group of each input
    channel."""
    groups, channel_group = [], []
    first = 0
    for inp in graph.inputs():
        cores = sources.input_core[first:first + inp.size]
        if cores[0] < 0:
            channel_group.append(np.full(inp.size, len(groups), dtype=np.int64))
            groups.append(Group(-1, inp.name))
        else:
            channel_group.append(len(groups) + cores - cores[0])
            groups.extend(Group(int(c), inp.name) for c in range(int(cores[0]), int(cores[-1]) + 1))
        first += inp.size
    return tuple(groups), np.concatenate(channel_group + [np.zeros(0, dtype=np.int64)])


def _per_group_mean(per_source: np.ndarray, source_group: np.ndarray, n_groups: int) -> np.ndarray:
    """float64 ``(n_groups, k)`` mean of ``per_source`` ``(n_sources, k)`` over each group's sources."""
    n = np.maximum(np.bincount(source_group, minlength=n_groups), 1)
    return np.stack([np.bincount(source_group, weights=col, minlength=n_groups) / n for col in per_source.T], axis=1)


def _map_mac(graph: Graph, chip: ChipProfile) -> Placement:
    """A bespoke MAC circuit has no cores: one counter group per layer, all on 'core' 0."""
    pops = graph.populations()
    inputs = graph.inputs()
    groups = tuple(Group(-1, inp.name) for inp in inputs) + tuple(Group(0, p.name) for p in pops)
    neuron_group = np.concatenate([np.full(p.size, len(inputs) + k, dtype=np.int64) for k, p in enumerate(pops)])
    input_group = np.concatenate([np.full(inp.size, k, dtype=np.int64) for k, inp in enumerate(inputs)]
                                 + [np.zeros(0, dtype=np.int64)])
    n_neurons = int(sum(p.size for p in pops))
    return Placement(chip.name, np.zeros(n_neurons, dtype=np.int64), neuron_group, input_group, groups,
                     np.zeros((1, 2), dtype=np.int64), (0, 0), (0,), {}, {})
