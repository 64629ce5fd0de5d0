"""Threads sharing one sample (``kernels/spiking_threads.py``, ``hwsim.sample_threads``): bit-identical to one
thread and to the plain-numpy reference on random networks (integer and float, graded spikes, dynamic and
packet noise), under the balanced plan and under arbitrary cuts of ports, groups (or both at once) and slices
among parts; the rules that pick the path and the mode; the lowering's order that the ranges rely on."""
from contextlib import contextmanager
from dataclasses import replace
from unittest import mock

import numba
import numpy as np
from numba import njit
import pytest
from hypothesis import given, settings, strategies as st

from hwsim import Graph, load_chip, map_graph, quantize_spiking, simulate
from hwsim.kernels.partition import own_channels, own_spikes
from hwsim.errors import SpecError, UnsupportedError
from hwsim.lowering import lower_spiking
from hwsim.sample_threads import (MIN_SYNAPSES, SEGMENT_COST, _group_bounds, has_instant_neuron_synapses,
                                  plan_threads, send_ranges, within_sample)
from hwsim.simulate import _active_slices, _slice_rows, _uniform_slices, simulate_spiking
from compare import assert_same, common_synapse_dtypes
from reference import reference_spiking
from strategies import dynamic_noises, placements, quantized_networks, spike_inputs

THREADS = settings(max_examples=150, deadline=None)
FIELDS = ("counts", "step_counts", "spike_count", "first_spike", "u_final", "v_final", "raster", "payload",
          "graded_final", "v_trace")


@pytest.fixture(autouse=True)
def two_threads():
    """Run every test with numba on 2 threads (the machine's cores)."""
    before = numba.get_num_threads()
    numba.set_num_threads(min(2, numba.config.NUMBA_NUM_THREADS))
    yield
    numba.set_num_threads(before)


def without_instant_synapses(qnet):
    """``qnet`` with every delay-0 synapse out of a neuron given delay 1 (inputs keep theirs)."""
    n_in = qnet.n_input_channels
    projections = tuple(replace(p, delay_steps=np.where(np.asarray(p.pre_index) >= n_in,
                                                        np.maximum(p.delay_steps, 1), p.delay_steps))
                        for p in qnet.projections)
    return replace(qnet, projections=projections)


@st.composite
def cases(draw, float_datapath: bool):
    """``(qnet, placement, inputs, noise)`` without delay-0 synapses out of neurons; noise half the time."""
    qnet = without_instant_synapses(draw(quantized_networks(float_datapath)))
    current = np.concatenate([np.full(i.size, i.kind == "current") for i in qnet.inputs] + [np.zeros(0, bool)])
    noise = draw(dynamic_noises(qnet)) if draw(st.booleans()) else None
    return qnet, draw(placements(qnet)), draw(spike_inputs(qnet.n_input_channels, current)), noise


def balanced_plan(a, n_threads):
    """``plan_threads`` of ``a`` with the update slices and flags that ``simulate_spiking`` passes."""
    uniform = _uniform_slices(a)
    return plan_threads(a, _slice_rows(a), uniform, _active_slices(a, uniform), n_threads)


def drawn_cuts(data, n_items, label):
    """``(n, 2)`` ranges ``[lo, hi)`` of 1-3 contiguous runs covering ``0 .. n_items-1``, cut anywhere."""
    n = data.draw(st.integers(1, 3), label=f"{label} ranges")
    cuts = sorted(data.draw(st.lists(st.integers(0, n_items), min_size=n - 1, max_size=n - 1), label=f"{label} cuts"))
    bounds = [0, *cuts, n_items]
    return [(lo, hi) for lo, hi in zip(bounds[:-1], bounds[1:])]


@contextmanager
def arbitrary_parts(data):
    """Make ``simulate_spiking`` share samples among parts cut anywhere: every (port range, group range) pair
    of 1-3 drawn port ranges and 1-3 drawn group ranges is a part (ports only, groups only, or both), in a
    drawn order, and the sub-slices go to drawn parts."""
    def plan(a, slices, uniform, active, n_threads):
        pairs = [(p, g) for p in drawn_cuts(data, a.port_shift.size, "port")
                 for g in drawn_cuts(data, a.n_groups, "group")]
        pairs = data.draw(st.permutations(pairs), label="part order")
        balanced = plan_threads(a, slices, uniform, active, len(pairs))
        threads = np.array(data.draw(st.lists(st.integers(0, len(pairs) - 1), min_size=balanced.sub_thread.size,
                                              max_size=balanced.sub_thread.size), label="slice threads"))
        return replace(balanced, part_ports=np.array([p for p, _ in pairs], dtype=np.int64).reshape(-1, 2),
                       part_groups=np.array([g for _, g in pairs], dtype=np.int64).reshape(-1, 2),
                       sub_thread=threads.astype(np.int64))
    with mock.patch.object(simulate, "plan_threads", plan):
        yield


def assert_identical(one, other):
    for field in FIELDS:
        a, b = getattr(one, field), getattr(other, field)
        assert (a is None) == (b is None), field
        if a is not None:
            assert a.dtype == b.dtype, field
            np.testing.assert_array_equal(a, b, err_msg=field)


def run_both(qnet, placement, spikes, noise):
    arrays = common_synapse_dtypes(lower_spiking(qnet, placement, 16, 64))
    one = simulate_spiking(arrays, spikes, record_raster=True, noise=noise, within_sample=False, record_v=True)
    shared = simulate_spiking(arrays, spikes, record_raster=True, noise=noise, within_sample=True, record_v=True)
    return one, shared


def test_threads_take_the_lowerings_narrowest_tables():
    """The tests above run uint16 ports and int16 weights (:func:`compare.common_synapse_dtypes`); here a
    network on loihi with its per-synapse uint8 delays and int8 weights (its mantissas divided by 4 to fit, as
    the lowering stores a chip's narrower mantissas), on both paths alike."""
    rng = np.random.default_rng(3)
    graph = Graph("narrow", dt_s=1e-3)
    graph.add_input("in", 40)
    graph.add_population("pop", 300, "lif", v_th=1.0, decay_mem=0.05, decay_syn=0.3)
    for pre, n_pre in (("in", 40), ("pop", 300)):
        pairs = np.unique(rng.integers(0, n_pre * 300, 3000))
        graph.add_projection(pre, "pop", rng.normal(0.05, 0.2, pairs.size), pre_index=pairs % n_pre,
                             post_index=pairs // n_pre, delay_steps=rng.integers(1, 6, pairs.size))
    graph.add_output("out", "pop")
    chip = load_chip("loihi")
    arrays = lower_spiking(quantize_spiking(graph, chip), map_graph(graph, chip), chip.capacity.bits_per_synapse,
                           chip.capacity.memory_word_bits)
    assert arrays.syn_delay.dtype == np.uint8 and arrays.syn_delay.size == arrays.syn_port.size
    arrays = replace(arrays, syn_weight=(arrays.syn_weight // 4).astype(np.int8))
    spikes = (rng.random((1, 60, 40)) < 0.2).astype(np.uint8)
    one = simulate_spiking(arrays, spikes, record_raster=True, within_sample=False)
    shared = simulate_spiking(arrays, spikes, record_raster=True, within_sample=True)
    assert one.spike_count.sum() > 0
    assert_identical(one, shared)


@THREADS
@given(cases(float_datapath=False))
def test_integer_threads_match_one_thread(case):
    assert_identical(*run_both(*case))


@THREADS
@given(cases(float_datapath=True))
def test_float_threads_match_one_thread(case):
    """Float sums into one port happen in one thread's order, so they are bit-identical, dyadic or not."""
    qnet, placement, spikes, noise = case
    qnet = replace(qnet, projections=tuple(replace(p, weight=p.weight * np.pi) for p in qnet.projections))
    assert_identical(*run_both(qnet, placement, spikes, noise))


@THREADS
@given(st.booleans(), st.data())
def test_any_cut_of_ports_and_slices_matches_one_thread(float_datapath, data):
    case = data.draw(cases(float_datapath))
    with arbitrary_parts(data):
        assert_identical(*run_both(*case))


@settings(max_examples=80, deadline=None)
@given(st.booleans(), st.data())
def test_threads_match_the_reference(float_datapath, data):
    qnet, placement, spikes, noise = data.draw(cases(float_datapath))
    with arbitrary_parts(data):
        result = simulate_spiking(common_synapse_dtypes(lower_spiking(qnet, placement, 16, 64)), spikes,
                                  record_raster=True, noise=noise, within_sample=True, record_v=True)
    assert_same(result, reference_spiking(qnet, placement, spikes, 16, 64, noise=noise))


@settings(max_examples=60, deadline=None)
@given(quantized_networks(), st.data())
def test_instant_neuron_synapses_are_found_and_refused(qnet, data):
    placement = data.draw(placements(qnet))
    arrays = lower_spiking(qnet, placement, 16, 64)
    n_in = qnet.n_input_channels
    instant = any(np.any((np.asarray(p.pre_index) >= n_in) & (np.asarray(p.delay_steps) == 0))
                  for p in qnet.projections)
    assert has_instant_neuron_synapses(arrays) == instant
    spikes = data.draw(spike_inputs(n_in))
    if instant:
        with pytest.raises(UnsupportedError, match="within_sample: the network has delay-0 synapses"):
            simulate_spiking(arrays, spikes, within_sample=True)
        assert not within_sample(arrays, 1, 2, None)


@settings(max_examples=60, deadline=None)
@given(st.booleans(), st.data())
def test_plan_covers_every_neuron_and_synapse_once(float_datapath, data):
    qnet, placement, _, _ = data.draw(cases(float_datapath))
    a = lower_spiking(qnet, placement, 16, 64)
    slices = _slice_rows(a)
    n_threads = data.draw(st.integers(1, 5))
    plan = balanced_plan(a, n_threads)
    sub = plan.sub_slices
    np.testing.assert_array_equal(np.concatenate([np.arange(f, l) for f, l in sub[:, :2]]),
                                  np.concatenate([np.arange(f, l) for f, l in slices[:, :2]]))
    assert np.all(sub[:, 1] > sub[:, 0]) and np.all(np.diff(plan.sub_thread) >= 0)
    assert plan.sub_thread.min() >= 0 and plan.sub_thread.max() < n_threads
    for f, l, g, slot0, n_rec, stride, model in sub:
        parent = slices[(slices[:, 0] <= f) & (slices[:, 1] >= l)][0]
        assert (g, slot0, n_rec, stride, model) == (parent[2], parent[3] + f - parent[0], *parent[4:])
    assert (plan.mode == "sources") == (not float_datapath)
    if plan.mode == "sources":   # every thread sends its sources whole: every port and group is each thread's
        assert np.all(plan.part_ports == [0, a.port_shift.size]) and np.all(plan.part_groups == [0, a.n_groups])
        return
    whole, cut = {"groups": (plan.part_ports, plan.part_groups), "ports": (plan.part_groups, plan.part_ports)}[
        plan.mode]
    n_whole = a.port_shift.size if plan.mode == "groups" else a.n_groups
    n_cut = a.n_groups if plan.mode == "groups" else a.port_shift.size
    assert whole.shape == cut.shape == (n_threads, 2)
    assert np.all(whole[:, 0] == 0) and np.all(whole[:, 1] == n_whole)
    assert cut[0, 0] == 0 and cut[-1, 1] == n_cut and np.all(cut[1:, 0] == cut[:-1, 1])
    assert np.all(cut[:, 1] >= cut[:, 0])
    port = a.syn_port.astype(np.int64)
    group = np.repeat(a.seg_group, np.diff(a.seg_syn_ptr))
    owners = sum(((port >= pp[0]) & (port < pp[1]) & (group >= pg[0]) & (group < pg[1])).astype(int)
                 for pp, pg in zip(plan.part_ports, plan.part_groups))
    assert np.all(owners == 1)


def test_group_mode_when_the_groups_balance_the_threads():
    """Four groups of 100 synapses in one segment each on 2 threads: 2 groups each, 2 * (100 + SEGMENT_COST);
    ports: an even share 400 / 2 and every segment walked, 200 + 4 * SEGMENT_COST."""
    a = mock.Mock(n_groups=4, seg_group=np.arange(4), seg_syn_ptr=np.arange(5) * 100)
    bounds, groups_work, ports_work = _group_bounds(a, 2)
    np.testing.assert_array_equal(bounds, [0, 2, 4])
    assert (groups_work, ports_work) == (2 * (100 + SEGMENT_COST), 200 + 4 * SEGMENT_COST)
    assert groups_work <= ports_work


def test_port_mode_when_one_group_holds_most_synapses():
    """Groups of 300 and 100 synapses (one segment each) on 2 threads: the heavier group alone is
    300 + SEGMENT_COST; ports: 400 / 2 + 2 * SEGMENT_COST."""
    a = mock.Mock(n_groups=3, seg_group=np.array([1, 2]), seg_syn_ptr=np.array([0, 300, 400]))
    bounds, groups_work, ports_work = _group_bounds(a, 2)
    np.testing.assert_array_equal(bounds, [0, 2, 3])
    assert (groups_work, ports_work) == (300 + SEGMENT_COST, 200 + 2 * SEGMENT_COST)
    assert groups_work > ports_work


def test_integer_datapaths_share_the_sources():
    """On an integer datapath every thread has every port and group: it sends its share of the sources whole."""
    a = mock.Mock(is_float=False, n_groups=3, port_shift=np.zeros(5))
    mode, part_ports, part_groups = send_ranges(a, 2)
    assert mode == "sources"
    np.testing.assert_array_equal(part_ports, [[0, 5], [0, 5]])
    np.testing.assert_array_equal(part_groups, [[0, 3], [0, 3]])


@njit
def _source_shares(n_items, n_parts, offset, block):
    """How often each of ``n_items`` channels (taken ``block`` at a time), and each of ``n_items`` spikes listed
    after ``offset`` others, is some source part's, and how many channels and spikes went to a part other than
    their index (in the step) modulo ``n_parts``."""
    channels = np.zeros(n_items, dtype=np.int64)
    spikes = np.zeros(n_items, dtype=np.int64)
    misplaced = 0
    listed = np.arange(n_items)
    for p in range(n_parts):
        part = (np.int64(p), np.int64(n_parts))
        for lo in range(0, n_items, block):
            start, stop, stride = own_channels(part, lo, min(lo + block, n_items))
            for ch in range(start, stop, stride):
                misplaced += ch % n_parts != p
                channels[ch] += 1
        for i in own_spikes(part, listed, offset):
            misplaced += (offset + i) % n_parts != p
            spikes[i] += 1
    return channels, spikes, misplaced


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 40), st.integers(1, 9), st.integers(0, 30), st.integers(1, 12))
def test_source_parts_send_every_channel_and_spike_once(n_items, n_parts, offset, block):
    channels, spikes, misplaced = _source_shares(n_items, n_parts, offset, block)
    assert np.all(channels == 1) and np.all(spikes == 1) and misplaced == 0


@settings(max_examples=60, deadline=None)
@given(st.booleans(), st.data())
def test_segments_are_sorted_as_the_ranges_need(float_datapath, data):
    """What the threads' ranges rely on: a source's segments ascend by group (group ranges), a segment's ports
    ascend and lie in its group's span (port ranges)."""
    qnet, placement, _, _ = data.draw(cases(float_datapath))
    a = lower_spiking(qnet, placement, 16, 64)
    plan = balanced_plan(a, 2)
    for s in range(a.src_seg_ptr.size - 1):
        assert np.all(np.diff(a.seg_group[a.src_seg_ptr[s]:a.src_seg_ptr[s + 1]]) > 0)
    ports = a.syn_port.astype(np.int64)
    for k in range(a.seg_group.size):
        run = ports[a.seg_syn_ptr[k]:a.seg_syn_ptr[k + 1]]
        assert np.all(np.diff(run) >= 0)
        g = a.seg_group[k]
        assert plan.group_port_lo[g] <= run.min() and run.max() < plan.group_port_hi[g]


def test_rule_picks_threads_for_one_sample_of_a_large_network():
    big = mock.Mock(syn_port=np.zeros(MIN_SYNAPSES, dtype=np.uint16), input_poisson=None, n_inputs=0, is_float=True)
    small = mock.Mock(syn_port=np.zeros(MIN_SYNAPSES - 1, dtype=np.uint16), input_poisson=None, n_inputs=0,
                      is_float=True)
    drawn = mock.Mock(syn_port=np.zeros(MIN_SYNAPSES, dtype=np.uint16), input_poisson=np.array([0, 1], np.uint8),
                      n_inputs=2, is_float=True)
    drawn_integer = mock.Mock(syn_port=drawn.syn_port, input_poisson=drawn.input_poisson, n_inputs=2, is_float=False)
    with mock.patch("hwsim.sample_threads.has_instant_neuron_synapses", return_value=False):
        assert within_sample(big, 1, 2, None)
        assert within_sample(big, 2, 4, None) and not within_sample(big, 3, 4, None)
        assert not within_sample(big, 2, 2, None)
        assert not within_sample(small, 1, 2, None)
        assert within_sample(small, 5, 2, True)
        assert not within_sample(big, 1, 1, True)
        assert not within_sample(big, 1, 2, False)
        assert not within_sample(drawn, 1, 2, None) and within_sample(drawn, 1, 2, True)
        assert within_sample(drawn_integer, 1, 2, None)   # integer threads share the channels too
    with mock.patch("hwsim.sample_threads.has_instant_neuron_synapses", return_value=True):
        assert not within_sample(big, 1, 2, None)


@pytest.mark.parametrize("value", ["yes", 1, 0.5])
def test_within_sample_must_be_none_or_a_bool(value):
    with pytest.raises(SpecError, match=r"within_sample: .*; expected None \(automatic\), True or False"):
        within_sample(mock.Mock(syn_port=np.zeros(3)), 1, 2, value)
