"""Mapping: slices under every limit, conservation of neurons, and one MappingError per limit."""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from hwsim.chips import available_chips, load_chip
from hwsim.errors import MappingError
from hwsim.ir import Graph
from hwsim.mapping import map_graph
from toy import toy_chip


def chain(n_in=3, sizes=(10,), weight=1.0, delay=1) -> Graph:
    g = Graph("chain")
    g.add_input("in", n_in)
    prev, prev_size = "in", n_in
    for k, size in enumerate(sizes):
        g.add_population(f"p{k}", size, "if", v_th=1.0)
        g.add_projection(prev, f"p{k}", np.full((size, prev_size), weight), delay_steps=delay)
        prev, prev_size = f"p{k}", size
    g.add_output("o", prev)
    return g


def test_slices_follow_neurons_per_core_and_conserve_neurons():
    placement = map_graph(chain(sizes=(10, 3)), toy_chip(neurons_per_core=4, n_cores=8))
    assert placement.neuron_core.tolist() == [0] * 4 + [1] * 4 + [2] * 2 + [3] * 3
    assert np.bincount(placement.neuron_core).sum() == 10 + 3
    assert [(g.core, g.population) for g in placement.groups] == [(-1, "in"), (0, "p0"), (1, "p0"), (2, "p0"), (3, "p1")]
    assert placement.input_group.tolist() == [0, 0, 0]
    assert placement.neuron_group.tolist() == [1] * 4 + [2] * 4 + [3] * 2 + [4] * 3
    assert placement.limits["cores"] == (4, 8)
    assert placement.limits["neurons_per_core"] == (4, 4)


def test_synaptic_memory_shrinks_slices():
    # each p0 neuron has 3 synapses x 16 bits = 48 bits; 100 bits per core hold 2 neurons
    placement = map_graph(chain(sizes=(5,)), toy_chip(neurons_per_core=4, n_cores=8, synapse_memory_bits_per_core=100))
    assert placement.neuron_core.tolist() == [0, 0, 1, 1, 2]
    assert placement.limits["synapse_memory_bits_per_core"] == (2 * 3 * 16, 100)


def test_memory_bytes_per_core_by_kind():
    placement = map_graph(chain(sizes=(10, 3)), toy_chip(neurons_per_core=4, n_cores=8))
    # core 0: 4 neurons x 3 synapses x 16 bits; 4 x 64-bit state; one route (to core 3) x 32 bits
    assert placement.memory_bytes[0] == {"synapses": 4 * 3 * 16 // 8, "neuron_state": 4 * 64 // 8, "routing": 4}
    # core 3 (p1): 3 neurons x 10 synapses; no outgoing route
    assert placement.memory_bytes[3] == {"synapses": 3 * 10 * 16 // 8, "neuron_state": 3 * 8, "routing": 0}


def test_use_of_each_core_by_limit():
    placement = map_graph(chain(sizes=(10, 3)), toy_chip(neurons_per_core=4, n_cores=8))
    # p0 cores 0-2 (4, 4, 2 neurons, each with 3 input synapses from the 3 inputs, sending to core 3); p1 on core 3
    # (3 neurons x 10 synapses from the 10 p0 neurons, sending nowhere)
    assert placement.core_use[0] == {"neurons_per_core": 4, "synapse_memory_bits_per_core": 4 * 3 * 16,
                                     "fan_in_per_core": 3, "fan_out_per_core": 1}
    assert placement.core_use[2]["neurons_per_core"] == 2
    assert placement.core_use[3] == {"neurons_per_core": 3, "synapse_memory_bits_per_core": 3 * 10 * 16,
                                     "fan_in_per_core": 10, "fan_out_per_core": 0}
    for key, (peak, _) in placement.limits.items():
        if key in placement.core_use[0]:
            assert peak == max(use[key] for use in placement.core_use.values())


def test_route_hops_on_the_mesh():
    # 4 cores in a row (tile_mesh 4 x 1): p0 on cores 0-2, p1 on core 3: longest route 3 hops east-west
    placement = map_graph(chain(sizes=(10, 3)), toy_chip(neurons_per_core=4, n_cores=4))
    assert placement.longest_route_hops == (3, 0)
    assert placement.core_xy[:4].tolist() == [[0, 0], [1, 0], [2, 0], [3, 0]]


def test_deterministic():
    a = map_graph(chain(sizes=(10, 3)), toy_chip(n_cores=8))
    b = map_graph(chain(sizes=(10, 3)), toy_chip(n_cores=8))
    assert np.array_equal(a.neuron_core, b.neuron_core) and a.memory_bytes == b.memory_bytes


@pytest.mark.parametrize("limits, graph, message", [
    (dict(n_cores=2), chain(sizes=(10,)), r"needs 3 cores \(p0: 3\) but chip 'toy' has 2"),
    (dict(fan_in_per_core=2), chain(n_in=3, sizes=(2,)), r"neuron 0 alone needs fan_in_per_core = 3 .* allows 2"),
    (dict(synapse_memory_bits_per_core=40), chain(n_in=3, sizes=(2,)),
     r"neuron 0 alone needs synapse_memory_bits_per_core = 48 .* allows 40"),
    (dict(fan_out_per_core=1, n_cores=8), chain(sizes=(4, 8)), r"core 0: fan_out_per_core = 2 .* allows 1"),
    (dict(router_entries_per_chip=2, n_cores=8), chain(sizes=(8, 1)), r"chip 0: router_entries_per_chip = 3 .* allows 2"),
    (dict(max_delay_steps=4), chain(sizes=(2,), delay=5), r"delay of 5 steps .* at most 4"),
], ids=["cores", "fan_in", "synapse_memory", "fan_out", "router_entries", "delay"])
def test_each_limit_raises_a_named_error(limits, graph, message):
    with pytest.raises(MappingError, match=message):
        map_graph(graph, toy_chip(**limits))


NEUROMORPHIC = [name for name in available_chips() if load_chip(name).kind == "neuromorphic"]
# chips whose whole capacity is a graph one can build (the float 'ideal' chip is effectively unlimited)
FINITE = [name for name in NEUROMORPHIC
          if load_chip(name).topology.n_cores * load_chip(name).capacity.neurons_per_core < 10**8]


def test_the_ideal_chip_is_the_only_unlimited_one():
    assert sorted(set(NEUROMORPHIC) - set(FINITE)) == ["ideal"]


@pytest.mark.parametrize("name", FINITE)
def test_network_too_big_for_each_chip(name):
    chip = load_chip(name)
    capacity = chip.topology.n_cores * chip.capacity.neurons_per_core
    g = Graph("too_big")
    g.add_input("in", 1)
    size = capacity + 1
    g.add_population("huge", size, "if", v_th=1.0)
    g.add_projection("in", "huge", np.ones(size), pre_index=np.zeros(size, np.int64), post_index=np.arange(size))
    g.add_output("o", "huge")
    cores = chip.topology.n_cores
    with pytest.raises(MappingError, match=rf"needs {cores + 1} cores \(huge: {cores + 1}\) but chip '{name}' has {cores}") as err:
        map_graph(g, chip)
    assert "Hint" in str(err.value)


def test_instantaneous_projection_maps_where_the_chip_allows_it():
    placement = map_graph(chain(sizes=(2,), delay=0), toy_chip(min_delay_steps=0))
    assert placement.neuron_core.size == 2


def test_delay_below_a_chips_minimum_names_the_minimum():
    with pytest.raises(MappingError, match=r"delay of 1 steps but chip 'toy' takes at least 2 step\(s\) per "
                                           r"projection \(capacity.min_delay_steps = 2\)"):
        map_graph(chain(sizes=(2,), delay=1), toy_chip(min_delay_steps=2))


def test_instantaneous_projection_needs_a_chip_that_allows_it():
    with pytest.raises(MappingError, match=r"delay of 0 steps \(instantaneous\) but chip 'toy' takes at least 1"):
        map_graph(chain(sizes=(2,), delay=0), toy_chip())


def _slices_by_scanning(indptr, sources, max_neurons, max_synapses, max_fan_in):
    """Plain reference of greedy_slices: from each start, the largest count whose neurons, synapses and distinct
    sources are within the limits, found by trying every count."""
    out, start, n = [], 0, indptr.size - 1
    while start < n:
        def use(k):
            return k, int(indptr[start + k] - indptr[start]), len(set(sources[indptr[start]:indptr[start + k]]))
        fits = [k for k in range(1, n - start + 1)
                if all(u <= m for u, m in zip(use(k), (max_neurons, max_synapses, max_fan_in)))]
        if not fits:
            return start
        out.append(use(max(fits)))
        start += max(fits)
    return out


@settings(max_examples=200, deadline=None)
@given(data=st.data())
def test_greedy_slices_are_the_largest_every_limit_allows(data):
    """kernels/slicing.greedy_slices against a plain scan over every count, slice after slice."""
    from hwsim.kernels.slicing import greedy_slices

    n = data.draw(st.integers(1, 40))
    per_neuron = data.draw(st.lists(st.integers(0, 6), min_size=n, max_size=n))
    indptr = np.concatenate([[0], np.cumsum(per_neuron)]).astype(np.int64)
    sources = np.array(data.draw(st.lists(st.integers(0, 15), min_size=int(indptr[-1]), max_size=int(indptr[-1]))),
                       dtype=np.int64)
    limits = (data.draw(st.integers(1, 30)), data.draw(st.integers(0, 60)), data.draw(st.integers(1, 16)))
    out = [np.zeros(n, dtype=np.int64) for _ in range(3)]
    distinct = np.zeros(sources.size, dtype=np.int64)
    n_slices = greedy_slices(indptr, sources - 3, 3, 16, *limits, *out, distinct)
    expected = _slices_by_scanning(indptr, sources, *limits)
    if isinstance(expected, int):
        assert n_slices == -1 - expected
        return
    assert [tuple(int(o[k]) for o in out) for k in range(n_slices)] == expected
    start, first = 0, 0
    for neurons, _, fan_in in expected:   # each slice's distinct sources, in order of first appearance
        mine = sources[indptr[first]:indptr[first + neurons]]
        assert distinct[start:start + fan_in].tolist() == list(dict.fromkeys(mine.tolist()))
        start, first = start + fan_in, first + neurons


@settings(max_examples=200, deadline=None)
@given(data=st.data())
def test_cut_by_counts_is_the_greedy_cut_without_fan_in(data):
    """kernels/slicing.cut_by_counts against the plain scan with no fan-in limit."""
    from hwsim.kernels.slicing import cut_by_counts

    per_neuron = np.array(data.draw(st.lists(st.integers(0, 6), min_size=1, max_size=40)), dtype=np.int64)
    limits = (data.draw(st.integers(1, 30)), data.draw(st.integers(0, 60)))
    indptr = np.concatenate([[0], np.cumsum(per_neuron)]).astype(np.int64)
    out = [np.zeros(per_neuron.size, dtype=np.int64) for _ in range(2)]
    n_slices = cut_by_counts(per_neuron, *limits, *out)
    expected = _slices_by_scanning(indptr, np.zeros(int(indptr[-1]), dtype=np.int64), *limits, 1)
    if isinstance(expected, int):
        assert n_slices == -1 - expected
        return
    assert [(int(out[0][k]), int(out[1][k])) for k in range(n_slices)] == [use[:2] for use in expected]


@settings(max_examples=100, deadline=None)
@given(data=st.data(), threads=st.integers(1, 2))
def test_mark_slice_sources_marks_each_slices_sources(data, threads):
    """kernels/slicing.mark_slice_sources against sets of (slice, source) pairs, on one thread or two."""
    import numba

    from hwsim.kernels.slicing import mark_slice_sources, mark_sources
    from hwsim.setup_parallel import thread_parts

    n_targets, n_sources = data.draw(st.integers(1, 12)), data.draw(st.integers(3, 10))
    n_syn = data.draw(st.integers(0, 50))
    pre = np.array(data.draw(st.lists(st.integers(0, n_sources - 3), min_size=n_syn, max_size=n_syn)), dtype=np.int32)
    post = np.array(data.draw(st.lists(st.integers(0, n_targets - 1), min_size=n_syn, max_size=n_syn)),
                    dtype=np.int32)
    slice_of = np.sort(np.array(data.draw(st.lists(st.integers(0, 4), min_size=n_targets, max_size=n_targets)),
                                dtype=np.int32))
    n_slices = int(slice_of.max()) + 1
    marks = np.zeros((n_slices, n_sources), dtype=bool)
    previous = numba.get_num_threads()
    numba.set_num_threads(min(threads, numba.config.NUMBA_NUM_THREADS))
    try:
        bounds = thread_parts(np.arange(n_slices + 1))
        mark_slice_sources(pre, post, 2, slice_of, bounds, marks)
    finally:
        numba.set_num_threads(previous)
    expected = {(int(slice_of[t]), int(s) + 2) for s, t in zip(pre, post)}
    assert set(zip(*(axis.tolist() for axis in np.nonzero(marks)))) == expected
    one_row = np.zeros(n_sources, dtype=bool)
    mark_sources(pre, 2, one_row)   # the one-slice kernel: every synapse marks its source
    assert set(np.flatnonzero(one_row).tolist()) == {int(s) + 2 for s in pre}
