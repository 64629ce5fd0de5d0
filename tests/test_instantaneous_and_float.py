"""Hand-counted cases for delay-0 projections, the subtract_next reset and the float datapath.

Written as arithmetic, in the conventions of :mod:`test_kernel_handcount` (no decay of v,
u holds one step's input only, 16-bit wrapping state, input_shift 0) unless a test says otherwise.
"""
from dataclasses import replace

import numpy as np
import pytest

import hwsim
from hwsim.errors import GraphError, MappingError, UnsupportedError
from hwsim.kernels.actions import SPIKE, SYNOP
from hwsim.lowering import lower_spiking
from hwsim.mapping import map_graph
from hwsim.quantize import QInput, quantize_spiking
from hwsim.simulate import simulate_spiking
from test_kernel_handcount import arith, network, place, pop, proj, run


def _chain(delay_ab, order=("a", "b", "c")):
    """in -> a -> b -> c (weights 1, v_th 0: a neuron spikes in the step an input spike reaches it)."""
    qnet = network(arith(), [QInput("in", 1, 0, "spike")], [pop("a", 0), pop("b", 1), pop("c", 2)],
                   [proj("in", "a", [0], [0], 1, delay=0), proj("a", "b", [1], [1], 1, delay=delay_ab),
                    proj("b", "c", [2], [2], 1, delay=0)])
    return replace(qnet, update_order=tuple(order))


def test_delay_zero_chain_spikes_in_the_same_step():
    qnet = _chain(delay_ab=0)
    placement, g = place(qnet, [0, 1, 2])
    r = run(qnet, placement, [[[0], [1], [0]]])
    # input at step 1 reaches a, b and c at 1 + 0 + 0 + 0 = 1; each v = 1 > 0 then resets to 0
    np.testing.assert_array_equal(r.raster[0].T, [[0, 1, 0]] * 3)
    np.testing.assert_array_equal(r.first_spike[0], [1, 1, 1])
    assert r.step_counts[1, g[(2, "c")], SYNOP] == 1 and r.step_counts[1, g[(1, "b")], SPIKE] == 1


def test_one_delay_one_link_postpones_the_rest_of_the_chain():
    qnet = _chain(delay_ab=1)
    placement, _ = place(qnet, [0, 1, 2])
    r = run(qnet, placement, [[[1], [0], [0]]])
    np.testing.assert_array_equal(r.first_spike[0], [0 + 0, 0 + 1, 0 + 1 + 0])


def test_delay_zero_against_the_update_order_is_refused():
    qnet = _chain(delay_ab=0, order=("c", "b", "a"))
    placement, _ = place(qnet, [0, 1, 2])
    with pytest.raises(GraphError, match=r"delay-0 synapse from neuron 0 to neuron 1 goes against the update order"):
        lower_spiking(qnet, placement, 16, 64)


def test_subtract_next_keeps_v_and_subtracts_after_the_next_update():
    # one neuron, v_th 10, input weight 6 at every step, subtract_next
    qnet = network(arith(), [QInput("in", 1, 0, "spike")], [replace(pop("a", 0, v_th=10), reset="subtract_next")],
                   [proj("in", "a", [0], [0], 6, delay=0)])
    placement, _ = place(qnet, [0])
    r = run(qnet, placement, [[[1]] * 5])
    # t0: v = 6; t1: v = 12 > 10 spike, kept 12; t2: v = 12 + 6 - 10 = 8; t3: v = 14 spike, kept;
    # t4: v = 14 + 6 - 10 = 10, not > 10
    np.testing.assert_array_equal(r.raster[0, :, 0], [0, 1, 0, 1, 0])
    assert r.v_final[0, 0] == 14 + 6 - 10
    # reset="subtract" for comparison: t1: 12 - 10 = 2; t2: 8; t3: 14 -> 4; t4: 10
    sub = network(arith(), [QInput("in", 1, 0, "spike")], [pop("a", 0, v_th=10, subtract=True)],
                  [proj("in", "a", [0], [0], 6, delay=0)])
    assert run(sub, placement, [[[1]] * 5]).v_final[0, 0] == 14 - 10 + 6


def test_subtract_next_waits_out_the_refractory_period():
    # v_th 10, weight 11, refractory 1: t0 spike (v 11 kept); t1 held (v 11); t2: v = 11 + 11 - 10 = 12 spike
    qnet = network(arith(), [QInput("in", 1, 0, "spike")],
                   [replace(pop("a", 0, v_th=10, refractory=1), reset="subtract_next")],
                   [proj("in", "a", [0], [0], 11, delay=0)])
    placement, _ = place(qnet, [0])
    r = run(qnet, placement, [[[1]] * 3])
    np.testing.assert_array_equal(r.raster[0, :, 0], [1, 0, 1])
    assert r.v_final[0, 0] == 11 + 11 - 10


def _float_graph():
    g = hwsim.Graph("float_chain")
    g.add_input("in", 1)
    g.add_population("a", 1, "lif", v_th=1.0, decay_syn=0.5, decay_mem=0.25, bias_syn=0.125,
                     reset="subtract_next")
    g.add_population("b", 1, "lif", v_th=0.0, decay_syn=1.0)
    g.add_projection("in", "a", [[1.0]], delay_steps=0)
    g.add_projection("a", "b", [[1.0]], delay_steps=0)
    g.add_output("out", "b")
    return g


def test_float_run_follows_the_ir_equations():
    g, chip = _float_graph(), hwsim.load_chip("ideal")
    qnet = quantize_spiking(g, chip)
    assert qnet.is_float and qnet.update_order == ("a", "b")
    arrays = lower_spiking(qnet, map_graph(g, chip), 96, 64)
    r = simulate_spiking(arrays, np.array([[[1], [0], [0]]], dtype=np.uint8), record_raster=True)
    # a: i0 = 0.5*0 + 1 + 0.125 = 1.125, v0 = 0.75*0 + 1.125 = 1.125 > 1: spike (v kept)
    #    i1 = 0.5*1.125 + 0 + 0.125 = 0.6875, v1 = 0.75*1.125 + 0.6875 - 1 = 0.53125
    #    i2 = 0.5*0.6875 + 0.125 = 0.46875, v2 = 0.75*0.53125 + 0.46875 = 0.8671875
    # b: its spike input arrives at step 0 (delay 0): v0 = 1 > 0, reset to 0
    np.testing.assert_array_equal(r.raster[0].T, [[1, 0, 0], [1, 0, 0]])
    assert r.u_final[0, 0] == 0.46875 and r.v_final[0, 0] == 0.8671875
    assert r.v_final.dtype == np.float64


def test_float_chip_through_the_pipeline_and_energy():
    g, chip = _float_graph(), hwsim.load_chip("ideal")
    result = hwsim.run(g, chip, np.array([[[1], [0], [0]]], dtype=np.uint8))
    np.testing.assert_array_equal(result.readout, [[1.0]])     # b spikes once
    report = result.report
    # synops: in -> a (1) and a -> b (1) = 2 x 0.9 pJ; neuron updates: a active at 3 steps; b active at
    # step 0 (input) and step 1 (u = 1 from step 0), idle at step 2: 5 x 11.9 + 1 x 0.9 pJ
    expected_pj = 2 * 0.9 + 5 * 11.9 + 1 * 0.9
    assert report.energy_per_inference_uj == pytest.approx(expected_pj * 1e-6)


def test_integer_chips_refuse_what_only_the_float_chip_runs():
    g = _float_graph()
    with pytest.raises(MappingError, match=r"delay of 0 steps \(instantaneous\) but chip 'loihi' takes at least 1"):
        map_graph(g, hwsim.load_chip("loihi"))
    g2 = hwsim.Graph("next")
    g2.add_input("in", 1)
    g2.add_population("a", 1, "lif", v_th=1.0, reset="subtract_next")
    g2.add_projection("in", "a", [[1.0]])
    g2.add_output("out", "a")
    with pytest.raises(UnsupportedError, match=r"reset 'subtract_next' is not supported by chip 'loihi'"):
        quantize_spiking(g2, hwsim.load_chip("loihi"))
