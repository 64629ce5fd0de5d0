"""Property tests: the kernels (through lowering and simulate) against the plain-numpy reference."""
from dataclasses import replace

import numpy as np
from hypothesis import given, settings, strategies as st

from hwsim import Graph, load_chip, map_graph, quantize_spiking
from hwsim.kernels.actions import N_ACTIONS, NEURON_ACTIVE, NEURON_IDLE, SYNOP
from hwsim.kernels.mlp import run_argmax_tree
from hwsim.lowering import lower_mlp, lower_spiking
from hwsim.qmlp import COMPARATOR_REMOVED
from hwsim.simulate import _uniform_slices, simulate_mlp, simulate_spiking
from compare import assert_same, by_column, common_synapse_dtypes
from reference import reference_argmax_tree, reference_mlp, reference_spiking
from strategies import mlp_cases, spiking_cases

SPIKING = settings(max_examples=250, deadline=None)
MLP = settings(max_examples=150, deadline=None)


@SPIKING
@given(spiking_cases())
def test_spiking_matches_reference(case):
    qnet, placement, spikes, bits, word = case
    result = simulate_spiking(lower_spiking(qnet, placement, bits, word), spikes, record_raster=True, record_v=True)
    ref = reference_spiking(qnet, placement, spikes, bits, word)
    assert_same(result, ref)   # the membrane after every step too


@SPIKING
@given(spiking_cases(float_datapath=True))
def test_float_spiking_matches_reference_exactly(case):
    """The float datapath: same operations in the same order per neuron, dyadic inputs (exact sums in
    any order), so states are bit-identical, not merely close."""
    qnet, placement, spikes, bits, word = case
    arrays = lower_spiking(qnet, placement, bits, word)
    assert arrays.is_float and arrays.syn_weight.dtype == np.float64
    result = simulate_spiking(arrays, spikes, record_raster=True, record_v=True)
    ref = reference_spiking(qnet, placement, spikes, bits, word)
    assert result.v_final.dtype == np.float64
    assert_same(result, ref)


@SPIKING
@given(spiking_cases())
def test_spiking_invariants(case):
    qnet, placement, spikes, bits, word = case
    n_samples, n_steps, n_in = spikes.shape
    result = simulate_spiking(lower_spiking(qnet, placement, bits, word), spikes)
    fan_out = np.zeros(n_in + qnet.n_neurons, dtype=np.int64)
    for proj in qnet.projections:
        np.add.at(fan_out, proj.pre_index, 1)
    source_spikes = np.concatenate([spikes.sum(axis=1), result.spike_count], axis=1)
    np.testing.assert_array_equal(result.counts[:, :, SYNOP].sum(axis=1), source_spikes @ fan_out)
    updates = result.counts[:, :, NEURON_ACTIVE] + result.counts[:, :, NEURON_IDLE]
    np.testing.assert_array_equal(updates.sum(axis=1), np.full(n_samples, qnet.n_neurons * n_steps))
    np.testing.assert_array_equal(result.step_counts.sum(axis=0), result.counts.sum(axis=0))
    assert result.raster is None
    assert result.step_counts.shape == (n_steps, len(placement.groups), N_ACTIONS)


@SPIKING
@given(spiking_cases())
def test_spiking_batch_equals_single_samples(case):
    qnet, placement, spikes, bits, word = case
    arrays = lower_spiking(qnet, placement, bits, word)
    batch = simulate_spiking(arrays, spikes, record_raster=True)
    singles = [simulate_spiking(arrays, spikes[s:s + 1], record_raster=True) for s in range(spikes.shape[0])]
    for field in ("counts", "spike_count", "first_spike", "u_final", "v_final", "raster"):
        np.testing.assert_array_equal(getattr(batch, field),
                                      np.concatenate([getattr(r, field) for r in singles]), err_msg=field)
    np.testing.assert_array_equal(batch.step_counts, sum(r.step_counts for r in singles))


@MLP
@given(mlp_cases())
def test_mlp_matches_reference(case):
    qmlp, x = case
    result = simulate_mlp(lower_mlp(qmlp), x)
    outputs, counts = reference_mlp(qmlp, x)
    np.testing.assert_array_equal(result.outputs, outputs)
    np.testing.assert_array_equal(result.counts, by_column(counts, result.counts.shape[:2]))


@MLP
@given(mlp_cases())
def test_mlp_batch_equals_single_samples(case):
    qmlp, x = case
    arrays = lower_mlp(qmlp)
    batch = simulate_mlp(arrays, x)
    singles = [simulate_mlp(arrays, x[s:s + 1]) for s in range(x.shape[0])]
    np.testing.assert_array_equal(batch.outputs, np.concatenate([r.outputs for r in singles]))
    np.testing.assert_array_equal(batch.counts, np.concatenate([r.counts for r in singles]))
    np.testing.assert_array_equal(batch.counts[:, :, NEURON_ACTIVE].sum(axis=1),
                                  sum(layer.weight.shape[0] for layer in qmlp.layers))


@settings(max_examples=40, deadline=None)
@given(st.booleans().flatmap(lambda float_datapath: spiking_cases(float_datapath)))
def test_segment_runs_mark_exactly_the_consecutive_port_segments(case):
    """seg_port0 is a segment's first port iff its ports are p0, p0 + 1, ...; with every segment marked
    -1 (port by port) the run is the same."""
    qnet, placement, spikes, bits, word = case
    a = lower_spiking(qnet, placement, bits, word)
    for k in range(a.seg_port0.size):
        ports = a.syn_port[a.seg_syn_ptr[k]:a.seg_syn_ptr[k + 1]].astype(np.int64)
        consecutive = np.array_equal(ports, ports[0] + np.arange(ports.size))
        assert a.seg_port0[k] == (ports[0] if consecutive else -1)
    by_port = replace(a, seg_port0=np.full_like(a.seg_port0, -1))
    x, y = simulate_spiking(a, spikes, record_raster=True), simulate_spiking(by_port, spikes, record_raster=True)
    for name in ("raster", "u_final", "v_final", "counts", "step_counts"):
        np.testing.assert_array_equal(getattr(x, name), getattr(y, name), err_msg=name)


@settings(max_examples=40, deadline=None)
@given(st.booleans().flatmap(lambda float_datapath: spiking_cases(float_datapath)))
def test_wide_synapse_tables_give_the_same_run(case):
    """int64 ports and weights (the widest a table may use) run the same network as narrow tables (uint16 ports,
    int16 weights: :func:`compare.common_synapse_dtypes`; tests/test_compact_synapses.py runs the narrowest)."""
    qnet, placement, spikes, bits, word = case
    narrow = common_synapse_dtypes(lower_spiking(qnet, placement, bits, word))
    wide = replace(narrow, syn_port=narrow.syn_port.astype(np.int64),
                   syn_weight=narrow.syn_weight.astype(np.float64 if narrow.is_float else np.int64))
    assert narrow.syn_port.dtype == np.uint16
    a, b = simulate_spiking(wide, spikes, record_raster=True), simulate_spiking(narrow, spikes, record_raster=True)
    for name in ("raster", "spike_count", "first_spike", "u_final", "v_final", "counts", "step_counts"):
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name), err_msg=name)


def test_every_spiking_neuron_of_wide_uniform_slices_is_listed():
    """Uniform slices wider than one flag word (8 neurons) and not a multiple of it, a wide one updated
    before a narrow one: every neuron spikes at its own steps, and the kernel lists each spike (spike
    counts, raster, the spikes its synapses carry onward) as the reference does."""
    n_wide, n_narrow, n_steps = 45, 5, 60
    graph = Graph("wide", dt_s=1e-3)
    graph.add_input("in", 1)
    graph.add_population("wide", n_wide, "lif", v_th=1.0, decay_mem=0.0, decay_syn=1.0,
                         bias=np.linspace(0.05, 0.9, n_wide))
    graph.add_population("narrow", n_narrow, "lif", v_th=2.5, decay_mem=0.0, decay_syn=1.0)
    graph.add_projection("in", "wide", np.full((n_wide, 1), 0.25))
    graph.add_projection("wide", "narrow", np.random.default_rng(3).uniform(0.0, 0.5, (n_narrow, n_wide)))
    graph.add_output("out", "narrow")
    chip = load_chip("ideal")
    qnet, placement = quantize_spiking(graph, chip), map_graph(graph, chip)
    bits, word = chip.capacity.bits_per_synapse, chip.capacity.memory_word_bits
    arrays = lower_spiking(qnet, placement, bits, word)
    assert _uniform_slices(arrays).all()
    spikes = (np.arange(n_steps)[None, :, None] % 3 == 0).astype(np.uint8)
    result = simulate_spiking(arrays, spikes, record_raster=True)
    assert (result.spike_count[0, :n_wide] > 0).all() and result.spike_count[0, n_wide:].sum() > 0
    assert_same(result, reference_spiking(qnet, placement, spikes, bits, word))


@MLP
@given(st.integers(1, 9), st.integers(0, 2**32 - 1), st.sampled_from([0, 1, 3, 8, 62, COMPARATOR_REMOVED]))
def test_approximate_argmax_matches_reference(n_classes, seed, top):
    """The comparator-tree kernel against the plain reference, ties included (small values), and the
    exact tree (every comparator at 0 ignored bits) against numpy.argmax."""
    rng = np.random.default_rng(seed)
    outputs = rng.integers(-40, 41, (7, n_classes)) << rng.integers(0, 4)
    bits = rng.integers(0, top + 1, n_classes - 1)
    classes = np.empty(7, dtype=np.int64)
    run_argmax_tree(outputs, bits, COMPARATOR_REMOVED, classes)
    np.testing.assert_array_equal(classes, reference_argmax_tree(outputs, bits, COMPARATOR_REMOVED))
    run_argmax_tree(outputs, np.zeros(n_classes - 1, dtype=np.int64), COMPARATOR_REMOVED, classes)
    np.testing.assert_array_equal(classes, np.argmax(outputs, axis=1))
