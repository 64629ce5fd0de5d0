"""Map an IR graph onto a chip: neurons to cores under every capacity limit.

Counter groups: each (core, population) pair that holds neurons is one group,
and each input is one group on the host (core -1). Kernels count actions per
group, so a report can sum them by core or by layer.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from hwsim.chips import ChipProfile
from hwsim.errors import MappingError
from hwsim.ir import Graph, Population


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



@dataclass(frozen=True)
class _Incoming:
    """Synapses into one population, sorted by target: ``sources[indptr[k]:indptr[k+1]]`` feed neuron k."""

    indptr: np.ndarray
    sources: np.ndarray


def _incoming(graph: Graph, pop: Population, source_offsets: dict[str, int]) -> _Incoming:
    pres, posts = [], []
    for proj in graph.incoming(pop.name):
        pre, post, _, _ = proj.synapses()
        pres.append(pre + source_offsets[proj.pre])
        posts.append(post)
    pre = np.concatenate(pres) if pres else np.zeros(0, np.int64)
    post = np.concatenate(posts) if posts else np.zeros(0, np.int64)
    order = np.argsort(post, kind="stable")
    indptr = np.zeros(pop.size + 1, dtype=np.int64)
    np.cumsum(np.bincount(post, minlength=pop.size), out=indptr[1:])
    return _Incoming(indptr, pre[order])


def _fits(inc: _Incoming, start: int, count: int, chip: ChipProfile) -> tuple[bool, dict]:
    """Whether neurons ``start .. start+count-1`` fit one core; also the use of each limit."""
    cap = chip.capacity
    lo, hi = inc.indptr[start], inc.indptr[start + count]
    use = {"neurons_per_core": count,
           "synapse_memory_bits_per_core": int(hi - lo) * cap.bits_per_synapse,
           "fan_in_per_core": int(np.unique(inc.sources[lo:hi]).size)}
    return all(use[k] <= getattr(cap, k) for k in use), use


def _largest_slice(inc: _Incoming, start: int, remaining: int, chip: ChipProfile) -> int:
    """Largest neuron count from ``start`` that fits one core. Every limit grows with the count, so the answer
    is the smallest of each limit's own largest count: neurons directly, synapse memory from the cumulative
    synapse counts, fan-in from where the (limit + 1)-th distinct source first appears (one ``np.unique`` per
    core, not one per candidate count)."""
    cap = chip.capacity
    high = min(remaining, cap.neurons_per_core)
    base = inc.indptr[start]
    ends = inc.indptr[start + 1:start + high + 1] - base           # synapses of the first k neurons, k = 1..high
    max_synapses = cap.synapse_memory_bits_per_core // cap.bits_per_synapse
    high = min(high, int(np.searchsorted(ends, max_synapses, side="right")))
    if high == 0:
        return 0
    sources = inc.sources[base:base + ends[high - 1]]
    first_seen = np.sort(np.unique(sources, return_index=True)[1])  # where each distinct source first appears
    if first_seen.size > cap.fan_in_per_core:
        # the neuron holding synapse first_seen[limit] brings one source too many: stop before it
        high = min(high, int(np.searchsorted(ends[:high], first_seen[cap.fan_in_per_core], side="right")))
    return high


def _single_neuron_error(pop: Population, inc: _Incoming, start: int, chip: ChipProfile) -> MappingError:
    _, use = _fits(inc, start, 1, chip)
    cap = chip.capacity
    for key, value in use.items():
        limit = getattr(cap, key)
        if value > limit:
            return MappingError(
                f"population '{pop.name}': neuron {start} alone needs {key} = {value} but chip "
                f"'{chip.name}' allows {limit} per core; expected one neuron to fit one core. "
                f"Hint: reduce that neuron's fan-in (prune or split the layer) or choose a chip with "
                f"more synaptic memory per core.")
    return MappingError(f"population '{pop.name}': neuron {start} does not fit one core of '{chip.name}'.")


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
        if d > chip.capacity.max_delay_steps:
            raise MappingError(f"projection '{proj.pre}' -> '{proj.post}': delay of {d} steps but chip "
                               f"'{chip.name}' supports at most {chip.capacity.max_delay_steps}. "
                               f"Hint: shorten the delays or insert relay neurons.")
        longest = max(longest, d)
    return longest


def _assign_cores(graph: Graph, chip: ChipProfile, source_offsets: dict[str, int]):
    """Fill cores population by population; return neuron cores, slices, the largest use per limit and each
    core's use."""
    neuron_core, slices, peak, core, core_use = [], [], {}, 0, {}
    for pop in graph.populations():
        inc = _incoming(graph, pop, source_offsets)
        start = 0
        while start < pop.size:
            count = _largest_slice(inc, start, pop.size - start, chip)
            if count == 0:
                raise _single_neuron_error(pop, inc, start, chip)
            use = _fits(inc, start, count, chip)[1]
            for key, value in use.items():
                peak[key] = max(peak.get(key, 0), value)
            slices.append((core, pop.name, count, use["synapse_memory_bits_per_core"]))
            core_use[core] = {**use, "fan_out_per_core": 0}
            neuron_core.append(np.full(count, core, dtype=np.int64))
            start += count
            core += 1
    if core > chip.topology.n_cores:
        per_pop = {}
        for _, name, _, _ in slices:
            per_pop[name] = per_pop.get(name, 0) + 1
        detail = ", ".join(f"{name}: {n}" for name, n in per_pop.items())
        raise MappingError(f"graph '{graph.name}': needs {core} cores ({detail}) but chip '{chip.name}' "
                           f"has {chip.topology.n_cores}; expected at most {chip.topology.n_cores}. "
                           f"Hint: shrink the largest layer or choose a profile with more chips.")
    return np.concatenate(neuron_core), slices, peak, core_use


def _source_cores(neuron_core: np.ndarray, input_group: np.ndarray) -> np.ndarray:
    """Core of each global source; inputs get -1 - group (distinct negative ids per input)."""
    return np.concatenate([-1 - input_group, neuron_core])


def _routes(graph: Graph, source_core: np.ndarray, neuron_core: np.ndarray,
            offsets: dict[str, int], neuron_offsets: dict[str, int]) -> np.ndarray:
    """Unique (source core, destination core) pairs used by any synapse, in lexicographic order."""
    src, dst = [], []
    for proj in graph.projections():
        pre, post, _, _ = proj.synapses()
        src.append(source_core[pre + offsets[proj.pre]])
        dst.append(neuron_core[post + neuron_offsets[proj.post]])
    if not src or not sum(map(len, src)):
        return np.zeros((0, 2), np.int64)
    src, dst = np.concatenate(src).astype(np.int64), np.concatenate(dst).astype(np.int64)
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
    neuron_offsets = graph.neuron_offsets()
    longest_delay = _check_delays(graph, chip)
    neuron_core, slices, peak, core_use = _assign_cores(graph, chip, offsets)
    inputs = graph.inputs()
    groups = tuple(Group(-1, inp.name) for inp in inputs) + tuple(Group(c, name) for c, name, _, _ in slices)
    input_group = np.concatenate([np.full(inp.size, k, dtype=np.int64) for k, inp in enumerate(inputs)]
                                 + [np.zeros(0, dtype=np.int64)])
    neuron_group = np.concatenate([np.full(count, len(inputs) + k, dtype=np.int64)
                                   for k, (_, _, count, _) in enumerate(slices)])
    source_core = _source_cores(neuron_core, input_group)
    routes = _routes(graph, source_core, neuron_core, offsets, neuron_offsets)
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
    limits = {key: (int(peak.get(key, 0)), getattr(cap, key)) for key in
              ("neurons_per_core", "synapse_memory_bits_per_core", "fan_in_per_core", "fan_out_per_core",
               "router_entries_per_chip", "max_delay_steps")}
    limits["max_delay_steps"] = (longest_delay, cap.max_delay_steps)
    limits["cores"] = (len(slices), topo.n_cores)
    core_xy = np.array([topo.core_xy(c) for c in range(topo.n_cores)], dtype=np.int64)
    input_xy = (0, 0)
    src_xy = np.where(routes[:, :1] >= 0, core_xy[np.maximum(routes[:, 0], 0)], np.array(input_xy))
    span = np.abs(src_xy - core_xy[routes[:, 1]]) if len(routes) else np.zeros((1, 2), np.int64)
    return Placement(chip.name, neuron_core, neuron_group, input_group, groups, core_xy, input_xy,
                     tuple(sorted(memory)), memory, limits, (int(span[:, 0].max()), int(span[:, 1].max())),
                     core_use)


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
