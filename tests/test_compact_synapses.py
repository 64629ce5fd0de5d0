"""Compact synapse tables: the narrowest dtypes that hold a table, delays stored only where a segment mixes
them, and the kernel's results unchanged by either."""
from dataclasses import replace

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from hwsim import Graph, load_chip, map_graph, quantize_spiking
from hwsim.errors import GraphError
from hwsim.lowering import DELAY_DTYPES, _narrowest, _stored_delays, lower_spiking, synapse_delays, synapse_dtypes
from hwsim.simulate import simulate_spiking
from compare import common_synapse_dtypes
from strategies import dynamic_noises, placements, quantized_networks, spike_inputs

FIELDS = ("raster", "spike_count", "first_spike", "u_final", "v_final", "graded_final", "payload", "counts",
          "step_counts")


@pytest.mark.parametrize("low, high, expected", [
    (0, 127, np.int8), (-128, 0, np.int8), (0, 128, np.int16), (-129, 0, np.int16),
    (-32768, 32767, np.int16), (0, 32768, np.int32), (-32769, 0, np.int32),
    (-2**31, 2**31 - 1, np.int32), (0, 2**31, np.int64), (-2**31 - 1, 0, np.int64)])
def test_integer_weights_take_the_narrowest_signed_type(low, high, expected):
    assert synapse_dtypes(10, np.array([low, high]))[1] == expected


@pytest.mark.parametrize("n_ports, expected", [(0, np.uint16), (65536, np.uint16), (65537, np.uint32),
                                               (2**32, np.uint32), (2**32 + 1, np.int64)])
def test_ports_take_uint16_up_to_65536_ports(n_ports, expected):
    assert synapse_dtypes(n_ports, np.zeros(1, dtype=np.int64))[0] == expected


def test_float_and_empty_weight_tables():
    assert synapse_dtypes(3, np.array([1e300])) == (np.uint16, np.float64)
    assert synapse_dtypes(3, np.zeros(0, dtype=np.int64)) == (np.uint16, np.int8)


@pytest.mark.parametrize("max_delay, expected", [(0, np.uint8), (255, np.uint8), (256, np.uint16),
                                                 (65535, np.uint16), (65536, np.uint32)])
def test_delays_take_the_narrowest_unsigned_type(max_delay, expected):
    assert _narrowest(DELAY_DTYPES, 0, max_delay) == expected


def test_delays_are_stored_only_when_a_segment_mixes_them():
    delays = np.array([2, 2, 5, 5, 5, 300], dtype=np.uint16)
    kept = _stored_delays(delays, np.array([2, 5, -1]))
    assert kept is delays
    left_out = _stored_delays(delays, np.array([2, 5, 300]))
    assert left_out.shape == (0,) and left_out.dtype == np.uint16


@st.composite
def cases(draw):
    """A random network on either datapath with its placement, inputs (currents on float chips) and dynamic
    noise (packet drop and jitter take the per-synapse path)."""
    qnet = draw(st.booleans().flatmap(lambda float_datapath: quantized_networks(float_datapath)))
    current = np.concatenate([np.full(i.size, i.kind == "current") for i in qnet.inputs] + [np.zeros(0, bool)])
    return (qnet, draw(placements(qnet)), draw(spike_inputs(qnet.n_input_channels, current)),
            draw(dynamic_noises(qnet)))


@settings(max_examples=60, deadline=None)
@given(cases())
def test_kernel_results_are_the_same_with_delays_stored_or_left_out(case):
    """syn_delay stored for every synapse or left empty (when every segment has one delay): the same run,
    on the plain path, with packet noise, graded spikes and current inputs."""
    qnet, placement, spikes, noise = case
    arrays = common_synapse_dtypes(lower_spiking(qnet, placement, 16, 64))
    one_each = bool(np.all(arrays.seg_delay >= 0))
    assert (arrays.syn_delay.size == 0) == one_each
    delays = np.concatenate([np.asarray(p.delay_steps, dtype=np.int64) for p in qnet.projections]
                            + [np.zeros(0, dtype=np.int64)])
    np.testing.assert_array_equal(np.sort(synapse_delays(arrays)), np.sort(delays))
    stored = replace(arrays, syn_delay=synapse_delays(arrays).astype(np.uint8))
    for kwargs in ({}, {"noise": noise}):
        a = simulate_spiking(arrays, spikes, record_raster=True, **kwargs)
        b = simulate_spiking(stored, spikes, record_raster=True, **kwargs)
        for name in FIELDS:
            np.testing.assert_array_equal(getattr(a, name), getattr(b, name), err_msg=name)


def test_simulate_refuses_missing_delays_of_mixed_segments():
    graph = Graph("mixed", dt_s=1e-3)
    graph.add_input("in", 1)
    graph.add_population("pop", 2, "lif", v_th=1.0, decay_mem=0.0, decay_syn=1.0)
    graph.add_projection("in", "pop", np.full((2, 1), 0.5), delay_steps=np.array([[1], [2]]))
    graph.add_output("out", "pop")
    chip = load_chip("ideal")
    arrays = lower_spiking(quantize_spiking(graph, chip), map_graph(graph, chip), 16, 64)
    assert arrays.syn_delay.tolist() == [1, 2] and arrays.seg_delay.tolist() == [-1]
    with pytest.raises(GraphError, match=r"arrays\.syn_delay: 0 delays for 2 synapses; expected one per synapse"):
        simulate_spiking(replace(arrays, syn_delay=arrays.syn_delay[:0]), np.ones((1, 3, 1), dtype=np.uint8))


def test_a_loihi_network_stores_four_bytes_per_synapse():
    """Loihi's weight mantissas (at most 9 bits signed in mixed sign mode) fit int16, a few hundred ports
    uint16, and one delay per projection needs no per-synapse delays: 2 + 2 + 0 bytes per synapse."""
    rng = np.random.default_rng(0)
    graph = Graph("dense", dt_s=1e-3)
    graph.add_input("in", 100)
    graph.add_population("hidden", 200, "lif", v_th=1.0, decay_mem=0.1, decay_syn=0.2)
    graph.add_projection("in", "hidden", rng.normal(0.0, 0.3, (200, 100)))
    graph.add_output("out", "hidden")
    chip = load_chip("loihi")
    arrays = lower_spiking(quantize_spiking(graph, chip), map_graph(graph, chip), chip.capacity.bits_per_synapse,
                           chip.capacity.memory_word_bits)
    assert arrays.syn_weight.dtype == np.int16 and np.abs(arrays.syn_weight).max() > 127
    assert arrays.syn_port.dtype == np.uint16 and arrays.syn_delay.size == 0
    table = arrays.syn_port.nbytes + arrays.syn_weight.nbytes + arrays.syn_delay.nbytes
    assert table == 4 * 200 * 100
