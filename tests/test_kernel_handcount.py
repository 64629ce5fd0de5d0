"""Hand-counted cases: tiny networks whose spikes, state and counters are written as arithmetic.

Mesh of :mod:`strategies`: cores 0, 1 at (0, 0); 2, 3 at (1, 0); 4, 5 at (0, 1); 6, 7 at (1, 1).
Unless a test says otherwise: no decay of v (mem_factor = 2**12), u holds one step's
input only (syn_factor = 0), input_shift 0, 16-bit wrapping state.
"""
from dataclasses import replace

import numpy as np
import pytest

from hwsim.errors import GraphError, SpecError
from hwsim.kernels.actions import (HOP_X, HOP_Y, MAC, MEM_READ, NEURON_ACTIVE, NEURON_IDLE, PACKET, SPIKE,
                                   SYNOP)
from hwsim.lowering import lower_mlp, lower_spiking
from hwsim.mapping import Group, Placement
from hwsim.qmlp import QLayer, QuantizedMLP
from hwsim.quantize import IntegerArithmetic, QInput, QPopulation, QProjection, QuantizedNetwork
from hwsim.simulate import simulate_mlp, simulate_spiking
from strategies import core_xy

NO_DECAY = 1 << 12


def arith(rounding=0, input_shift=0, state_bits=16, overflow=0):
    return IntegerArithmetic(decay_bits=12, rounding=rounding, input_shift=input_shift,
                             state_bits=state_bits, syn_overflow=overflow, mem_overflow=overflow)


def pop(name, offset, size=1, v_th=0, threshold=True, bias=0, v_reset=0, subtract=False, refractory=0,
        syn_factor=0, mem_factor=NO_DECAY):
    def full(value):
        return np.full(size, value, dtype=np.int64)

    return QPopulation(name=name, model="lif", size=size, offset=offset, syn_factor=full(syn_factor),
                       mem_factor=full(mem_factor), v_th=full(v_th), has_threshold=threshold, bias=full(bias),
                       v_reset=full(v_reset), reset="subtract" if subtract else "value", refractory_steps=full(refractory),
                       scale=1.0)


def proj(pre, post, pre_index, post_index, weight, delay=1, shift=0):
    n = len(pre_index)
    return QProjection(pre, post, np.array(pre_index, dtype=np.int64), np.array(post_index, dtype=np.int64),
                       np.broadcast_to(np.array(weight, dtype=np.int64), (n,)).copy(),
                       np.full(n, delay, dtype=np.int64), shift)


def network(arithmetic, inputs, pops, projections):
    """The network, its projections' global ids (as the tests write them) made local to their ends."""
    n_in = sum(i.size for i in inputs)
    offsets = {**{i.name: i.offset for i in inputs}, **{p.name: n_in + p.offset for p in pops}}
    local = [replace(p, pre_local=p.pre_local - offsets[p.pre], post_local=p.post_local - offsets[p.post] + n_in,
                     pre_offset=offsets[p.pre], post_offset=offsets[p.post] - n_in) for p in projections]
    return QuantizedNetwork(arithmetic, tuple(inputs), tuple(pops), tuple(local), n_in, sum(p.size for p in pops))


def place(qnet, neuron_core, input_xy=(0, 0)):
    """Placement with groups: inputs first, then each population's cores ascending; returns (placement, ids)."""
    neuron_core = np.array(neuron_core, dtype=np.int64)
    groups = [Group(-1, i.name) for i in qnet.inputs]
    for p in qnet.populations:
        groups += [Group(int(c), p.name) for c in np.unique(neuron_core[p.offset:p.offset + p.size])]
    ids = {(g.core, g.population): k for k, g in enumerate(groups)}
    neuron_group = np.array([ids[(int(neuron_core[k]), p.name)] for p in qnet.populations
                             for k in range(p.offset, p.offset + p.size)], dtype=np.int64)
    input_group = np.array([ids[(-1, i.name)] for i in qnet.inputs for _ in range(i.size)], dtype=np.int64)
    placement = Placement("toy8", neuron_core, neuron_group, input_group, tuple(groups), core_xy(),
                          input_xy, tuple(int(c) for c in np.unique(neuron_core)))
    return placement, ids


def run(qnet, placement, spikes, bits=16, word=64):
    spikes = np.asarray(spikes, dtype=np.uint8)
    return simulate_spiking(lower_spiking(qnet, placement, bits, word), spikes, record_raster=True)


def test_feedforward_chain_counts():
    # in (1 channel) -> a (2 neurons on cores 0 and 2, v_th 5, w 3) -> b (1 readout neuron on core 1, w 2, delay 2)
    qnet = network(arith(), [QInput("in", 1, 0, "spike")],
                   [pop("a", 0, size=2, v_th=5), pop("b", 2, threshold=False)],
                   [proj("in", "a", [0, 0], [0, 1], 3), proj("a", "b", [1, 2], [2, 2], 2, delay=2)])
    placement, g = place(qnet, [0, 2, 1], input_xy=(0, 1))
    # input spikes at 0, 2, 4 arrive at 1, 3, 5: v_a = 3, 3, 6 > 5 (spike at 3, reset 0), ..., 3
    r = run(qnet, placement, [[[1], [0], [1], [0], [1], [0]]])
    c = r.counts[0]
    np.testing.assert_array_equal(r.raster[0, :, :2].T, [[0, 0, 0, 1, 0, 0]] * 2)
    np.testing.assert_array_equal(r.first_spike[0], [3, 3, -1])
    np.testing.assert_array_equal(r.u_final[0], [3, 3, 2 + 2])  # b: both a spikes of step 3 arrive at 5
    np.testing.assert_array_equal(r.v_final[0], [3, 3, 2 + 2])
    inp, a0, a2, b1 = g[(-1, "in")], g[(0, "a")], g[(2, "a")], g[(1, "b")]
    assert c[inp, SPIKE] == 3
    assert c[inp, PACKET] == 3 * 2                   # cores 0 and 2
    assert c[inp, HOP_X] == 3 * (0 + 1)              # (0, 1) -> (0, 0) and (1, 0)
    assert c[inp, HOP_Y] == 3 * (1 + 1)
    for grp in (a0, a2):
        assert c[grp, SYNOP] == 3 * 1
        assert c[grp, MEM_READ] == 3 * 1             # ceil(1 * 16 / 64)
        assert c[grp, NEURON_ACTIVE] == 5            # idle only at step 0 (input, u and v all 0)
        assert c[grp, NEURON_IDLE] == 1
        assert c[grp, SPIKE] == 1
        assert c[grp, PACKET] == 1                   # to core 1
    assert c[a0, HOP_X] + c[a0, HOP_Y] == 0          # core 0 and core 1 share a tile
    assert c[a2, HOP_X] == 1 and c[a2, HOP_Y] == 0   # (1, 0) -> (0, 0)
    assert c[b1, SYNOP] == 2 * 1 and c[b1, MEM_READ] == 2 * 1
    assert c[b1, NEURON_ACTIVE] == 1 and c[b1, NEURON_IDLE] == 5
    assert r.step_counts[3, a0, SPIKE] == 1 and r.step_counts[5, b1, NEURON_ACTIVE] == 1
    assert r.counts[0, :, MAC].sum() == 0


def test_memory_words_and_packets_per_destination_core():
    # one input spike to 4 neurons: 3 on core 0 (one segment), 1 on core 7 at (1, 1)
    qnet = network(arith(), [QInput("in", 1, 0, "spike")], [pop("a", 0, size=4, v_th=100)],
                   [proj("in", "a", [0, 0, 0, 0], [0, 1, 2, 3], 1)])
    placement, g = place(qnet, [0, 0, 0, 7])
    c = run(qnet, placement, [[[1], [0]]], bits=24, word=16).counts[0]
    assert c[g[(0, "a")], SYNOP] == 3 and c[g[(7, "a")], SYNOP] == 1
    assert c[g[(0, "a")], MEM_READ] == -(-3 * 24 // 16)     # ceil(4.5) = 5
    assert c[g[(7, "a")], MEM_READ] == -(-1 * 24 // 16)     # ceil(1.5) = 2
    assert c[g[(-1, "in")], PACKET] == 2
    assert c[g[(-1, "in")], HOP_X] == 0 + 1 and c[g[(-1, "in")], HOP_Y] == 0 + 1


@pytest.mark.parametrize("overflow, bias, expected_v", [
    (0, 100, 2 * 100 - 2 ** 8),       # wrap: 200 > 128 -> 200 - 256
    (1, 100, 2 ** 7 - 1),             # saturate at 127
    (0, -64, -128 + 2 ** 8),          # wrap: -128 <= -128 -> +256
    (1, -64, -(2 ** 7 - 1)),          # saturate at -127
])
def test_membrane_overflow(overflow, bias, expected_v):
    qnet = network(arith(state_bits=8, overflow=overflow), [QInput("in", 1, 0, "spike")],
                   [pop("a", 0, threshold=False, bias=bias)], [])
    placement, g = place(qnet, [3])
    r = run(qnet, placement, [[[0], [0]]])
    assert r.v_final[0, 0] == expected_v
    assert r.spike_count[0, 0] == 0                              # no threshold, though v > v_th = 0
    assert r.counts[0, g[(3, "a")], NEURON_ACTIVE] == 2          # bias != 0 keeps it active


@pytest.mark.parametrize("rounding, expected_v", [
    (0, -((5 * 2048) >> 12) - 5),      # toward zero: -2.5 -> -2
    (1, ((-5 * 2048) >> 12) - 5),      # floor: -2.5 -> -3
])
def test_decay_rounding(rounding, expected_v):
    qnet = network(arith(rounding=rounding), [QInput("in", 1, 0, "spike")],
                   [pop("a", 0, threshold=False, bias=-5, mem_factor=2048)], [])
    placement, _ = place(qnet, [0])
    assert run(qnet, placement, [[[0], [0]]]).v_final[0, 0] == expected_v


@pytest.mark.parametrize("subtract, v_reset, spikes, v_final", [
    # v = 4, 8, 12 > 10 -> 2, held, held, 6, 10, 14 > 10 -> 4
    (True, 0, [0, 0, 1, 0, 0, 0, 0, 1], 14 - 10),
    # v = 4, 8, 12 -> -3, held, held, 1, 5, 9
    (False, -3, [0, 0, 1, 0, 0, 0, 0, 0], -3 + 3 * 4),
])
def test_reset_and_refractory(subtract, v_reset, spikes, v_final):
    qnet = network(arith(), [QInput("in", 1, 0, "spike")],
                   [pop("a", 0, v_th=10, bias=4, v_reset=v_reset, subtract=subtract, refractory=2)], [])
    placement, _ = place(qnet, [0])
    r = run(qnet, placement, np.zeros((1, 8, 1)))
    np.testing.assert_array_equal(r.raster[0, :, 0], spikes)
    assert r.first_spike[0, 0] == 2 and r.spike_count[0, 0] == sum(spikes)
    assert r.v_final[0, 0] == v_final


def test_port_shifts_apply_per_projection():
    # channel 0: w 3, shift -1 -> 1; channel 1: w -3, shift -1 -> floor(-1.5) = -2; channel 2: w 3, shift 2 -> 12
    qnet = network(arith(input_shift=6), [QInput("in", 3, 0, "spike")],
                   [pop("a", 0, threshold=False, syn_factor=NO_DECAY)],
                   [proj("in", "a", [0], [0], 3, shift=-1), proj("in", "a", [1], [0], -3, shift=-1),
                    proj("in", "a", [2], [0], 3, shift=2)])
    placement, _ = place(qnet, [0])
    r = run(qnet, placement, [[[1, 1, 0], [0, 0, 0]], [[0, 0, 1], [0, 0, 0]]])
    np.testing.assert_array_equal(r.u_final[:, 0], [(1 - 2) << 6, 12 << 6])


def test_port_shift_applies_per_emission_step():
    # one projection, shift -1: channel 0 (delay 2) spikes at step 0 and channel 1 (delay 1) at step 1, both
    # arriving at step 2 with weight 3: Lava's DelayDense gives floor(3/2) + floor(3/2) = 2, not floor(6/2) = 3;
    # spikes of one step that arrive together (channels 2, 3, delay 1, step 1) share one shift: floor(6/2) = 3
    syn = QProjection("in", "a", np.array([0, 1, 2, 3]), np.zeros(4, dtype=np.int64), np.full(4, 3),
                      np.array([2, 1, 1, 1]), -1)
    qnet = network(arith(), [QInput("in", 4, 0, "spike")], [pop("a", 0, threshold=False)], [syn])
    placement, _ = place(qnet, [0])
    r = run(qnet, placement, [[[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 0, 0]],
                              [[0, 0, 0, 0], [0, 0, 1, 1], [0, 0, 0, 0]]])
    np.testing.assert_array_equal(r.v_final[:, 0], [1 + 1, 3])


def test_self_loop_counts_spikes_sent_after_the_last_step():
    # an input spike at 0 starts a neuron that re-excites itself every step (v_th 0, w 1, delay 1)
    qnet = network(arith(), [QInput("in", 1, 0, "spike")], [pop("a", 0, v_th=0)],
                   [proj("in", "a", [0], [0], 1), proj("a", "a", [1], [0], 1)])
    placement, g = place(qnet, [4])
    n_steps = 5
    r = run(qnet, placement, np.eye(1, n_steps).reshape(1, n_steps, 1))
    assert r.spike_count[0, 0] == n_steps - 1                    # steps 1 .. 4
    assert r.counts[0, g[(4, "a")], SYNOP] == 1 + (n_steps - 1) * 1  # the spike of step 4 is still sent
    assert r.counts[0, g[(4, "a")], PACKET] == n_steps - 1


def test_mlp_hand_counted():
    fc0 = QLayer("fc0", np.array([[1, 2], [0, -1], [3, 0]]), np.array([1, 0, -4]), shift=1, relu=True, act_max=3)
    fc1 = QLayer("fc1", np.array([[1, 1, 1]]), np.array([-3]), shift=1, relu=False, act_max=-1)
    arrays = lower_mlp(QuantizedMLP("x", 2, (fc0, fc1)))
    r = simulate_mlp(arrays, np.array([[2, 3], [0, 0]]))
    # [2, 3]: fc0 = min([9, -3, 2] relu >> 1, 3) = [3, 0, 1]; fc1 = (4 - 3) >> 1 = 0
    # [0, 0]: fc0 = [1, 0, -4] relu >> 1 = [0, 0, 0];         fc1 = -3 >> 1 = -2
    np.testing.assert_array_equal(r.outputs, [[0], [-2]])
    np.testing.assert_array_equal(r.counts[:, :, MAC], [[2 + 1 + 1, 3]] * 2)
    np.testing.assert_array_equal(r.counts[:, :, NEURON_ACTIVE], [[3, 1]] * 2)


@pytest.mark.parametrize("spikes, error, match", [
    (np.zeros((2, 3)), GraphError, r"input_spikes: shape \(2, 3\); expected \(n_samples, T, 1\)"),
    (np.zeros((1, 3, 2)), GraphError, r"input_spikes: shape \(1, 3, 2\)"),
        (np.full((1, 3, 1), "1"), SpecError, "dtype <U1; expected numbers"),
        (np.full((1, 3, 1), 0.5), SpecError, r"values in \[0.5, 0.5\]; expected 0 or 1"),
    (np.full((1, 3, 1), 2), SpecError, r"values in \[2, 2\]; expected 0 or 1"),
])
def test_bad_input_spikes(spikes, error, match):
    qnet = network(arith(), [QInput("in", 1, 0, "spike")], [pop("a", 0)], [])
    placement, _ = place(qnet, [0])
    with pytest.raises(error, match=match):
        simulate_spiking(lower_spiking(qnet, placement, 16, 64), spikes)


def test_bad_mlp_input_width():
    arrays = lower_mlp(QuantizedMLP("x", 2, (QLayer("fc0", np.ones((1, 2), np.int64), np.zeros(1, np.int64),
                                                    0, False, -1),)))
    with pytest.raises(GraphError, match=r"x_int: shape \(1, 3\); expected \(n_samples, 2\)"):
        simulate_mlp(arrays, np.ones((1, 3), np.int64))


def test_mlp_layer_widths_must_chain():
    fc0 = QLayer("fc0", np.ones((3, 2), np.int64), np.zeros(3, np.int64), 0, True, -1)
    fc1 = QLayer("fc1", np.ones((1, 4), np.int64), np.zeros(1, np.int64), 0, False, -1)
    with pytest.raises(GraphError, match="layer 'fc1': weight has 4 inputs but the previous layer has 3"):
        QuantizedMLP("x", 2, (fc0, fc1))


def test_mlp_weights_must_be_integers():
    with pytest.raises(GraphError, match="layer 'fc0': weight dtype float64, bias dtype int64; expected integers"):
        QLayer("fc0", np.ones((1, 2)), np.zeros(1, np.int64), 0, False, -1)


def test_placement_must_cover_the_network():
    qnet = network(arith(), [QInput("in", 1, 0, "spike")], [pop("a", 0, size=2)], [])
    placement, _ = place(qnet, [0, 1])
    small = network(arith(), [QInput("in", 1, 0, "spike")], [pop("a", 0, size=3)], [])
    with pytest.raises(GraphError, match="2 neurons and 1 input channels; expected 3 and 1"):
        lower_spiking(small, placement, 16, 64)
