"""Invariants of mapping: every neuron placed once, limits respected, and counts that do
not depend on where neurons sit (only packets, hops and memory reads may change)."""
import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from hwsim import setup_parallel
from hwsim.ir import Graph
from hwsim.kernels.actions import HOP_X, HOP_Y, MEM_READ, N_ACTIONS, PACKET
from hwsim.lowering import lower_spiking
from hwsim.mapping import map_graph
from hwsim.quantize import quantize_spiking
from hwsim.simulate import simulate_spiking
from toy import toy_chip

PLACEMENT_DEPENDENT = [PACKET, HOP_X, HOP_Y, MEM_READ]


def random_graph(rng: np.random.Generator, sizes: list[int], recurrent: bool) -> Graph:
    g = Graph("random")
    g.add_input("in", 4)
    prev, prev_size = "in", 4
    for k, size in enumerate(sizes):
        name = f"p{k}"
        g.add_population(name, size, "lif", v_th=rng.uniform(0.5, 2.0), decay_mem=rng.uniform(0, 0.5),
                         decay_syn=rng.uniform(0.5, 1.0))
        w = rng.normal(0.8, 1.0, (size, prev_size)) * (rng.random((size, prev_size)) < 0.7)
        g.add_projection(prev, name, w, delay_steps=rng.integers(1, 4, (size, prev_size)))
        if recurrent:
            g.add_projection(name, name, rng.normal(0, 0.3, (size, size)) * (rng.random((size, size)) < 0.3))
        prev, prev_size = name, size
    g.add_output("o", prev)
    return g


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 2**31 - 1), st.lists(st.integers(1, 9), min_size=1, max_size=3), st.booleans(),
       st.integers(1, 4), st.integers(1, 4))
def test_placement_changes_only_routing_counts(seed, sizes, recurrent, per_core_a, per_core_b):
    rng = np.random.default_rng(seed)
    graph = random_graph(rng, sizes, recurrent)
    spikes = (rng.random((2, 12, 4)) < 0.4).astype(np.uint8)
    results = []
    for per_core in (per_core_a, per_core_b):
        chip = toy_chip(neurons_per_core=per_core, n_cores=32, cores_per_tile=2)
        placement = map_graph(graph, chip)
        # every neuron is placed exactly once and no core holds more than it may
        assert placement.neuron_core.shape == (sum(sizes),)
        assert np.bincount(placement.neuron_core).max() <= per_core
        assert sorted(set(placement.neuron_core.tolist())) == list(placement.cores_used)
        for group in np.unique(placement.neuron_group):
            cores = placement.neuron_core[placement.neuron_group == group]
            assert np.all(cores == placement.groups[group].core)
        arrays = lower_spiking(quantize_spiking(graph, chip), placement, chip.capacity.bits_per_synapse,
                               chip.capacity.memory_word_bits)
        results.append(simulate_spiking(arrays, spikes, record_raster=True))
    a, b = results
    np.testing.assert_array_equal(a.raster, b.raster)
    np.testing.assert_array_equal(a.v_final, b.v_final)
    independent = [k for k in range(N_ACTIONS) if k not in PLACEMENT_DEPENDENT]
    np.testing.assert_array_equal(a.counts.sum(axis=1)[:, independent], b.counts.sum(axis=1)[:, independent])


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 2**31 - 1), st.lists(st.integers(1, 9), min_size=1, max_size=3), st.booleans(),
       st.integers(1, 12), st.integers(4, 60), st.integers(2, 16))
def test_cut_by_counts_places_as_the_greedy_cut(seed, sizes, recurrent, per_core, synapses, fan_in):
    """Populations are cut by neuron and synapse counts without listing their synapses by target
    (``mapping._cut_by_counts``, one core or several, falling back when a slice's fan-in is over the limit);
    the placement equals the one the greedy cut gives (its rows by target filled on every thread), field by
    field, and the marks are filled on every thread too."""
    import hwsim.mapping as mapping
    graph = random_graph(np.random.default_rng(seed), sizes, recurrent)
    chip = toy_chip(neurons_per_core=per_core, n_cores=64, synapse_memory_bits_per_core=synapses * 16,
                    fan_in_per_core=fan_in)
    def place():
        try:
            return map_graph(graph, chip)
        except mapping.MappingError as error:
            return str(error)

    smallest, setup_parallel.MIN_SYNAPSES = setup_parallel.MIN_SYNAPSES, 0   # every pass on every thread
    original = mapping._cut_by_counts
    try:
        shortcut = place()
        mapping._cut_by_counts = lambda *args: None
        greedy = place()
    finally:
        mapping._cut_by_counts = original
        setup_parallel.MIN_SYNAPSES = smallest
    assert type(shortcut) is type(greedy)
    if isinstance(greedy, str):
        assert shortcut == greedy
        return
    for name in greedy.__dataclass_fields__:
        a, b = getattr(shortcut, name), getattr(greedy, name)
        if isinstance(a, np.ndarray):
            np.testing.assert_array_equal(a, b, err_msg=name)
        else:
            assert a == b, name
