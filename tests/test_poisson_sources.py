"""Poisson inputs drawn in the kernel (``kernels/poisson.py``, ``docs/sources.md``): the kernels against the
plain-numpy reference's own draws on random networks, one thread against two, batches split anywhere, the
counts' mean and variance, the IR's checks and round trip, and runs through ``hwsim.run``."""
import numba
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import hwsim
from hwsim import Graph, load_chip, map_graph, quantize_spiking
from hwsim.errors import GraphError, MappingError, SpecError
from hwsim.ir import MAX_POISSON_PER_STEP, NO_STOP
from hwsim.kernels.actions import PACKET, SPIKE, SYNOP
from hwsim.lowering import lower_spiking
from hwsim.mapping import Group
from hwsim.simulate import poisson_counts, simulate_spiking
from compare import assert_same, common_synapse_dtypes
from reference import reference_spiking
from strategies import dynamic_noises, placements, spike_inputs, input_columns, quantized_networks, spiking_cases
from test_sample_threads import without_instant_synapses

CASES = settings(max_examples=40, deadline=None)
SEEDS = st.integers(0, 2**63)


@CASES
@given(spiking_cases(poisson=True), SEEDS, st.integers(0, 1000))
def test_poisson_inputs_match_reference(case, seed, first_sample):
    qnet, placement, spikes, bits, word = case
    result = simulate_spiking(common_synapse_dtypes(lower_spiking(qnet, placement, bits, word)), spikes,
                              record_raster=True, record_v=True, first_sample=first_sample, seed=seed)
    assert_same(result, reference_spiking(qnet, placement, spikes, bits, word, first_sample=first_sample, seed=seed))


@CASES
@given(spiking_cases(float_datapath=True, poisson=True), SEEDS, st.data())
def test_poisson_inputs_match_reference_float_and_noise(case, seed, data):
    """The float datapath (spike, current and Poisson inputs), with dynamic noise half the time."""
    qnet, placement, spikes, bits, word = case
    noise = data.draw(dynamic_noises(qnet)) if data.draw(st.booleans()) else None
    result = simulate_spiking(common_synapse_dtypes(lower_spiking(qnet, placement, bits, word)), spikes,
                              record_raster=True, noise=noise, seed=seed)
    assert_same(result, reference_spiking(qnet, placement, spikes, bits, word, noise=noise, seed=seed))


@CASES
@given(st.data(), st.booleans(), SEEDS)
def test_poisson_inputs_two_threads_equal_one(data, float_datapath, seed):
    """One sample with two threads sharing its steps equals one thread and the reference."""
    qnet = without_instant_synapses(data.draw(quantized_networks(float_datapath, poisson=True)))
    placement = data.draw(placements(qnet))
    n_columns, current = input_columns(qnet)
    spikes = data.draw(spike_inputs(n_columns, current))[:1]
    arrays = common_synapse_dtypes(lower_spiking(qnet, placement, 8, 32))
    before = numba.get_num_threads()
    numba.set_num_threads(min(2, numba.config.NUMBA_NUM_THREADS))
    try:
        shared = simulate_spiking(arrays, spikes, record_raster=True, within_sample=True, seed=seed)
    finally:
        numba.set_num_threads(before)
    alone = simulate_spiking(arrays, spikes, record_raster=True, within_sample=False, seed=seed)
    for name in ("counts", "step_counts", "spike_count", "u_final", "v_final", "raster"):
        np.testing.assert_array_equal(getattr(shared, name), getattr(alone, name), err_msg=name)
    assert_same(shared, reference_spiking(qnet, placement, spikes, 8, 32, seed=seed))


@CASES
@given(spiking_cases(poisson=True), SEEDS, st.data())
def test_poisson_inputs_independent_of_batches(case, seed, data):
    """Samples run in two batches (the second from ``first_sample = cut``) equal one batch."""
    qnet, placement, spikes, bits, word = case
    arrays = common_synapse_dtypes(lower_spiking(qnet, placement, bits, word))
    cut = data.draw(st.integers(0, spikes.shape[0]))
    whole = simulate_spiking(arrays, spikes, record_raster=True, seed=seed)
    parts = [simulate_spiking(arrays, spikes[a:b], record_raster=True, first_sample=a, seed=seed)
             for a, b in ((0, cut), (cut, spikes.shape[0])) if b > a]
    for name in ("counts", "spike_count", "v_final", "raster"):
        np.testing.assert_array_equal(getattr(whole, name), np.concatenate([getattr(p, name) for p in parts]))


def _one_source(mean_per_step, size=1, dt_s=1e-3, start_step=0, stop_step=None):
    """A Poisson input of ``size`` channels into as many silent readout neurons (one synapse each)."""
    g = Graph("poisson", dt_s)
    g.add_input("src", size, "poisson", rate_hz=np.asarray(mean_per_step) / dt_s, start_step=start_step,
                stop_step=stop_step)
    g.add_population("sink", size, "lif", v_th=50.0)
    g.add_projection("src", "sink", np.ones(size), np.arange(size), np.arange(size))
    g.add_output("out", "sink")
    return g


def _arrays(graph, chip="ideal"):
    chip = load_chip(chip)
    qnet = quantize_spiking(graph, chip)
    return lower_spiking(qnet, map_graph(graph, chip), chip.capacity.bits_per_synapse, chip.capacity.memory_word_bits)


@pytest.mark.parametrize("mean", [0.05, 1.6, 12.0, MAX_POISSON_PER_STEP])
def test_counts_have_the_poisson_mean_and_variance(mean):
    """200,000 draws (4 channels x 50,000 steps): the sample mean within 5 standard errors of ``mean`` and the
    sample variance within 5 of its standard errors (``sqrt((mu4 - var**2) / n)``, mu4 = m + 3 m**2) of
    ``mean``; P(0) as exp(-mean) within 5 standard errors."""
    counts = poisson_counts(_one_source(np.full(4, mean), 4), 50_000, seed=7).astype(np.float64).ravel()
    n = counts.size
    assert abs(counts.mean() - mean) < 5 * np.sqrt(mean / n)
    assert abs(counts.var(ddof=1) - mean) < 5 * np.sqrt((mean + 3 * mean ** 2 - mean ** 2) / n)
    p0 = np.exp(-mean)
    assert abs(np.mean(counts == 0) - p0) < 5 * np.sqrt(p0 * (1 - p0) / n) + 1e-12


def test_kernel_sends_the_drawn_counts_as_spikes_and_packets():
    """Each drawn count k is k spikes, k packets and k synaptic events on the source's counters, in the window
    only; a different seed draws differently."""
    graph = _one_source([1.5, 0.0, 4.0], 3, start_step=[0, 0, 5], stop_step=[40, 40, 30])
    arrays = _arrays(graph, "spinnaker")
    counts = poisson_counts(graph, 40, seed=11, n_samples=2)
    assert counts[:, :, 1].sum() == 0 and counts[:, :5, 2].sum() == 0 and counts[:, 30:, 2].sum() == 0
    result = simulate_spiking(arrays, np.zeros((2, 40, 0), np.uint8), seed=11)
    group = int(arrays.src_group[0])
    np.testing.assert_array_equal(result.counts[:, group, SPIKE], counts.sum(axis=(1, 2)))
    np.testing.assert_array_equal(result.counts[:, group, PACKET], counts.sum(axis=(1, 2)) * arrays.src_packets[0])
    assert result.counts[:, :, SYNOP].sum() == counts.sum()
    assert not np.array_equal(poisson_counts(graph, 40, seed=12, n_samples=2), counts)


@pytest.mark.parametrize("kwargs, message", [
    (dict(kind="poisson"), "kind 'poisson' without rate_hz"),
    (dict(kind="poisson", rate_hz=-1.0), "rate_hz -1.0; expected rates >= 0 Hz"),
    (dict(kind="poisson", rate_hz=np.nan), "rate_hz"),
    (dict(kind="poisson", rate_hz=[1.0, 2.0]), "shape (2,); expected () or (3,)"),
    (dict(kind="poisson", rate_hz=40_000.0), "40 spikes per step; expected at most 30"),
    (dict(kind="poisson", rate_hz=1.0, start_step=-1), "start_step -1; expected steps in 0"),
    (dict(kind="poisson", rate_hz=1.0, start_step=1.5), "start_step of dtype float64"),
    (dict(kind="poisson", rate_hz=1.0, start_step=5, stop_step=[9, 4, 9]), "channel 1 stops at step 4 before it "
                                                                            "starts at step 5"),
    (dict(kind="spike", rate_hz=1.0), "rate_hz, start_step or stop_step for kind 'spike'"),
])
def test_bad_poisson_inputs_are_refused(kwargs, message):
    with pytest.raises(GraphError, match=message.replace("(", r"\(").replace(")", r"\)")):
        Graph("g", 1e-3).add_input("src", 3, **kwargs)


def test_poisson_inputs_round_trip(tmp_path):
    graph = _one_source([0.5, 2.0], 2, start_step=[0, 3], stop_step=[10, NO_STOP])
    loaded = hwsim.load_graph(hwsim.save_graph(graph, tmp_path / "g"))
    a, b = graph.node("src"), loaded.node("src")
    assert b.kind == "poisson"
    for key in ("rate_hz", "start_step", "stop_step"):
        np.testing.assert_array_equal(getattr(a, key), getattr(b, key))
        assert getattr(a, key).dtype == getattr(b, key).dtype


def _mixed_graph():
    g = Graph("mixed", 1e-3)
    g.add_input("stim", 2, "spike")
    g.add_input("bg", 3, "poisson", rate_hz=400.0)
    g.add_population("p", 3, "lif", v_th=1.0, decay_mem=0.1, decay_syn=0.5)
    g.add_projection("stim", "p", np.full((3, 2), 0.4))
    g.add_projection("bg", "p", np.full(3, 0.3), np.arange(3), np.arange(3))
    g.add_output("out", "p")
    return g


@pytest.mark.parametrize("chip", ["ideal", "spinnaker"])
def test_run_takes_poisson_only_and_mixed_graphs(chip):
    """``hwsim.run`` runs a graph whose only input is Poisson with x None, and a mixed one with x holding the
    spike input's channels only; the seed is the run's seed; input spikes are counted with the Poisson ones."""
    only = _one_source(np.full(3, 0.4), 3)
    first = hwsim.run(only, chip, None, n_steps=50, seed=1)
    again = hwsim.run(only, chip, None, n_steps=50, seed=1)
    other = hwsim.run(only, chip, None, n_steps=50, seed=2)
    assert first.report.ops_per_inference == again.report.ops_per_inference
    assert first.report.ops_per_inference != other.report.ops_per_inference
    assert "3 Poisson channels drawn in the kernel (seed 1)" in first.report.data["inputs"]
    x = np.zeros((2, 30, 2), dtype=np.uint8)
    x[:, ::3] = 1
    mixed = hwsim.run(_mixed_graph(), chip, x, seed=5)
    assert mixed.readout.shape == (2, 3)
    with pytest.raises(GraphError, match="its 3 Poisson channels are drawn in the kernel and take no column"):
        hwsim.run(_mixed_graph(), chip, np.zeros((1, 30, 5), np.uint8))
    with pytest.raises(SpecError, match="no inputs given for its 1 input node"):
        hwsim.run(_mixed_graph(), chip, None, n_steps=10)


def _sourced_graph(n_sources=1200):
    """A spike input and ``n_sources`` Poisson channels, the first 1200 of them 4 per neuron into 300 neurons."""
    g = Graph("sourced", 1e-3)
    g.add_input("stim", 4, "spike")
    g.add_input("bg", n_sources, "poisson", rate_hz=10.0)
    g.add_population("p", 300, "lif", v_th=1.0, decay_mem=0.1, decay_syn=0.5)
    g.add_projection("bg", "p", np.full(1200, 0.2), np.arange(1200), np.arange(1200) % 300)
    g.add_projection("stim", "p", np.full((300, 4), 0.1))
    g.add_output("out", "p")
    return g


def test_spinnaker_runs_poisson_sources_on_cores_of_their_own():
    """sPyNNaker's 500 sources per core and 40 bytes per source: 1200 channels take 3 cores after the 2 neuron
    cores, each one counter group; their spikes' packets start there (one per destination core); the spike input
    stays on the host; other chips keep every input on the host."""
    graph = _sourced_graph()
    chip = load_chip("spinnaker")
    placement = map_graph(graph, chip)
    assert placement.cores_used == (0, 1) and placement.source_cores == (2, 3, 4)
    assert placement.cores_on == (0, 1, 2, 3, 4) and placement.limits["cores"][0] == 5
    np.testing.assert_array_equal(placement.input_core, np.repeat([-1, 2, 3, 4], [4, 500, 500, 200]))
    assert [placement.memory_bytes[c]["poisson_sources"] for c in (2, 3, 4)] == [500 * 40, 500 * 40, 200 * 40]
    assert [g for g in placement.groups if g.population == "bg"] == [Group(c, "bg") for c in (2, 3, 4)]
    arrays = lower_spiking(quantize_spiking(graph, chip), placement, chip.capacity.bits_per_synapse,
                           chip.capacity.memory_word_bits)
    bg = slice(4, 1204)
    np.testing.assert_array_equal(arrays.src_packets[bg], 1)   # each source reaches its target's core only
    first_target_core = placement.neuron_core[np.arange(1200) % 300]
    hops = np.abs(placement.core_xy[placement.input_core[bg]] - placement.core_xy[first_target_core])
    np.testing.assert_array_equal(arrays.src_hops_x[bg], hops[:, 0])
    report = hwsim.run(graph, chip, np.zeros((1, 20, 4), np.uint8), seed=2).report
    assert {"2", "3", "4"} <= set(report.energy_by_core_uj)
    host = map_graph(graph, load_chip("loihi"))
    assert host.input_core is None and host.source_cores == ()
    assert all(g.core == -1 for g in host.groups if g.population in ("stim", "bg"))


def test_too_many_source_cores_are_refused():
    with pytest.raises(MappingError, match="Poisson sources: 770"):
        map_graph(_sourced_graph(385_000), load_chip("spinnaker"))
