"""Sigma-delta neurons and graded spikes: hand-counted steps, invariants, save/load and one test per input rule.

The kernel against the plain-numpy reference on random networks with sigma-delta populations is in
``test_kernel_vs_reference.py``; against Lava itself in ``test_lava_parity.py``.
"""
from dataclasses import replace

import numpy as np
import pytest

from hwsim.chips import load_chip
from hwsim.errors import GraphError, UnsupportedError
from hwsim.interop.lava import lava_spec
from hwsim.ir import Graph, load_graph, save_graph
from hwsim.lowering import lower_spiking
from hwsim.mapping import map_graph
from hwsim.noise import DynamicNoise
from hwsim.quantize import quantize_spiking
from hwsim.simulate import simulate_spiking
from lava_networks import graded_chip, placement


def _run(graph, chip, spikes):
    qnet = quantize_spiking(graph.validate(), chip)
    arrays = lower_spiking(qnet, map_graph(graph, chip), 16, 64)
    return qnet, simulate_spiking(arrays, spikes, record_raster=True)


def _one_neuron(**params):
    """``in`` (1 channel) -> one sigma-delta neuron ``sd`` (weight 8 membrane units) -> a LIF that keeps no current
    (decay_syn 1) and sums it in v (64 state units per membrane unit, pinned)."""
    g = Graph("one", metadata={"state_scale": {"lif": 64.0}})
    g.add_input("in", 1)
    g.add_population("sd", 1, "sigma_delta", **params)
    g.add_population("lif", 1, "lif", v_th=1000.0, decay_syn=1.0)
    g.add_projection("in", "sd", [[8.0]])
    g.add_projection("sd", "lif", [[2.0]])
    g.add_output("o", "lif")
    return g


def test_one_neuron_step_by_step_on_the_integer_datapath():
    """spike_exp 1, state_exp 2: 8 state units per membrane unit, payloads at 2 per unit. Input spikes at steps
    0, 1, 3 reach sigma at steps 1, 2, 4 (64 state units each); bias 1 (8 units), v_th 3 (24 units), ReLU."""
    chip = graded_chip()
    qnet, result = _run(_one_neuron(v_th=3.0, bias=1.0, spike_exp=1, state_exp=2), chip,
                        np.array([[[1], [1], [0], [1], [0], [0]]], dtype=np.uint8))
    sd = qnet.populations[0]
    assert (sd.scale, int(sd.v_th[0]), int(sd.bias[0]), int(sd.payload_shift[0])) == (8.0, 24, 8, 2)
    # step: sigma, act = sigma + 8, d = act - act_prev + r, s = d if |d| >= 24, payload = s >> 2
    # t0: 0, 8, 8 - 0 + 0 = 8 (below), r = 8
    # t1: 64, 72, 72 - 8 + 8 = 72 -> s = 72, payload 18, r = 0
    # t2: 128, 136, 64 -> payload 16;  t3: 128, 136, 0 -> none;  t4: 192, 200, 64 -> payload 16;  t5: 0 -> none
    np.testing.assert_array_equal(result.payload[0, :, 0], [0, 72 >> 2, 64 >> 2, 0, 64 >> 2, 0])
    assert (result.u_final[0, 0], result.v_final[0, 0]) == (192, 200)
    np.testing.assert_array_equal(result.graded_final[0, :, 0], [0, 0])
    # the LIF receives weight x payload: weight 2 membrane units per sigma-delta unit is 2 * 64 / 2**6 / 2 = 1
    # per payload unit (64 LIF state units per membrane unit, input shift 6), so its u adds 18, 16, 16 at
    # steps 2, 3, 5 (shifted by 6 into u); u is not kept (decay_syn 1) and v does not decay (decay_mem 0)
    lif = qnet.populations[1]
    assert lif.scale * 2.0 / 2 ** 6 / 2 == 1.0 and qnet.projections[1].weight[0] * 2.0 ** qnet.projections[1].shift == 1
    assert result.v_final[0, 1] == (18 + 16 + 16) << 6


def test_cumulative_error_and_threshold_on_the_float_datapath():
    """ideal: the IR equations in float64. Input 8 arrives at steps 2 and 5; bias -1, no ReLU, v_th 9, cum_error:
    the error sums the deltas (each carrying the residue, as Lava's does) until |e| >= 9."""
    g = _one_neuron(v_th=9.0, relu=0.0, cum_error=1.0, bias=-1.0)
    _, result = _run(g, load_chip("ideal"), np.array([[[0], [1], [0], [0], [1], [0]]], dtype=np.uint8))
    # t0: act -1, d = -1, e = -1, r = -1;   t1: act -1, d = 0 - 1 = -1, e = -2, r = -1
    # t2: act 7, d = 8 - 1 = 7, e = 5, r = 7;   t3: act 7, d = 0 + 7 = 7, e = 12 >= 9: s = 7, e = 0, r = 0
    # t4: d = 0;   t5: act 15, d = 8, e = 8, r = 8
    np.testing.assert_array_equal(result.payload[0, :, 0], [0.0, 0.0, 0.0, 7.0, 0.0, 0.0])
    assert (result.u_final[0, 0], result.v_final[0, 0]) == (16.0, 15.0)
    np.testing.assert_array_equal(result.graded_final[0, :, 0], [8.0, 8.0])


@pytest.mark.parametrize("chip", [graded_chip(), load_chip("ideal")], ids=["integer", "float"])
def test_payloads_sum_to_the_activation_less_the_residue(chip):
    """Sum over t of s[t] = act[T] - r[T] (the deltas telescope), exactly, with state_exp 0 (payload = s)."""
    rng = np.random.default_rng(5)
    g = Graph("sum")
    g.add_input("in", 6)
    g.add_population("a", 5, "sigma_delta", v_th=2.0, bias=rng.integers(-3, 4, 5).astype(float), spike_exp=3)
    g.add_population("b", 4, "sigma_delta", v_th=[0.0, 1.0, 4.0, 9.0], relu=0.0, cum_error=[0, 1, 0, 1])
    g.add_projection("in", "a", rng.integers(-4, 5, (5, 6)).astype(float))
    g.add_projection("a", "b", rng.integers(-3, 4, (4, 5)).astype(float), message_bits=16)
    g.add_output("o", "b")
    _, result = _run(g, chip, (rng.random((2, 40, 6)) < 0.4).astype(np.uint8))
    np.testing.assert_array_equal(result.payload.sum(axis=1), result.v_final - result.graded_final[:, 0])
    assert np.count_nonzero(result.payload) > 50 and np.any(result.graded_final[:, 0] != 0)


def test_save_and_load_keep_sigma_delta_parameters_and_message_bits(tmp_path):
    g = _one_neuron(v_th=[3.0], bias=1.5, relu=0.0, cum_error=1.0, spike_exp=2, state_exp=5)
    g.add_population("sd2", 2, "sigma_delta", v_th=1.0)
    g.add_projection("sd", "sd2", [[1.0], [2.0]], message_bits=24)
    back = load_graph(save_graph(g, tmp_path / "g"))
    pop = back.node("sd")
    assert {k: float(v[0]) for k, v in pop.params.items()} == {"v_th": 3.0, "bias": 1.5, "relu": 0.0,
                                                                "cum_error": 1.0, "spike_exp": 2.0, "state_exp": 5.0}
    assert [p.message_bits for p in back.projections()] == [None, None, 24]


def test_lava_spec_of_a_sigma_delta_population():
    g = _one_neuron(v_th=5.0, bias=-2.0, relu=0.0, cum_error=1.0, spike_exp=3, state_exp=1)
    qnet = quantize_spiking(g.validate(), graded_chip())
    spec = lava_spec(qnet)
    (sd,) = spec.sigma_deltas
    assert (sd.vth, sd.bias.tolist(), sd.relu, sd.cum_error, sd.spike_exp, sd.state_exp) == (5, [-2], False, True, 3, 1)
    assert [c.message_bits for c in spec.conns] == [0, 32]          # binary input, graded (the chip's 32 bits)


# --- one test per input rule ------------------------------------------------------------------------------


def _graph():
    g = Graph("bad")
    g.add_input("in", 2)
    g.add_population("sd", 2, "sigma_delta", v_th=1.0)
    g.add_population("lif", 2, "lif", v_th=1.0)
    return g


BAD_GRAPHS = [
    ("negative v_th", lambda g: g.add_population("q", 2, "sigma_delta", v_th=-1.0),
     r"v_th -1\.0; expected values in \[0, inf\]"),
    ("relu not a flag", lambda g: g.add_population("q", 2, "sigma_delta", v_th=1.0, relu=2),
     r"relu 2\.0; expected whole numbers in \[0, 1\]"),
    ("cum_error fraction", lambda g: g.add_population("q", 2, "sigma_delta", v_th=1.0, cum_error=0.5),
     r"cum_error 0\.5; expected whole numbers in \[0, 1\]"),
    ("spike_exp beyond 7", lambda g: g.add_population("q", 2, "sigma_delta", v_th=1.0, spike_exp=8),
     r"spike_exp 8\.0; expected whole numbers in \[0, 7\]"),
    ("negative state_exp", lambda g: g.add_population("q", 2, "sigma_delta", v_th=1.0, state_exp=[0, -1]),
     r"state_exp -1\.0"),
    ("fractional state_exp", lambda g: g.add_population("q", 2, "sigma_delta", v_th=1.0, state_exp=1.5),
     r"state_exp 1\.5"),
    ("reset of sigma_delta", lambda g: g.add_population("q", 2, "sigma_delta", v_th=1.0, reset="subtract"),
     r"reset 'subtract' for model 'sigma_delta'"),
    ("receptors of sigma_delta", lambda g: g.add_population("q", 2, "sigma_delta", v_th=1.0, n_receptors=2),
     r"no synaptic current"),
    ("initial state of sigma_delta", lambda g: g.add_population("q", 2, "sigma_delta", v_th=1.0, initial={"v": 1}),
     r"unknown initial state 'v' for model 'sigma_delta'"),
    ("message_bits from lif", lambda g: g.add_projection("lif", "sd", np.ones((2, 2)), message_bits=8),
     r"message_bits 8 on a projection from 'lif' \(model 'lif'\), which sends binary spikes"),
    ("message_bits from input", lambda g: g.add_projection("in", "sd", np.ones((2, 2)), message_bits=8),
     r"from 'in' \(an input\)"),
    ("message_bits 0", lambda g: g.add_projection("sd", "lif", np.ones((2, 2)), message_bits=0),
     r"message_bits 0; expected an integer in 1\.\.64"),
    ("message_bits 65", lambda g: g.add_projection("sd", "lif", np.ones((2, 2)), message_bits=65),
     r"message_bits 65"),
    ("message_bits bool", lambda g: g.add_projection("sd", "lif", np.ones((2, 2)), message_bits=True),
     r"message_bits True"),
    ("message_bits text", lambda g: g.add_projection("sd", "lif", np.ones((2, 2)), message_bits="8"),
     r"message_bits '8'"),
]


@pytest.mark.parametrize("case, action, message", BAD_GRAPHS, ids=[b[0] for b in BAD_GRAPHS])
def test_bad_graph_input(case, action, message):
    with pytest.raises(GraphError, match=message):
        action(_graph())


def test_a_file_with_bad_message_bits_is_refused(tmp_path):
    g = _graph()
    g.add_projection("sd", "lif", np.ones((2, 2)), message_bits=8)
    g.add_output("o", "lif")
    header, arrays = g.to_arrays()
    header["projections"][0]["message_bits"] = "many"
    with pytest.raises(GraphError, match="message_bits 'many'"):
        Graph.from_arrays(header, arrays)


def _chain(message_bits=None, **sd_params):
    g = Graph("chain")
    g.add_input("in", 2)
    g.add_population("sd", 3, "sigma_delta", **({"v_th": 1.0} | sd_params))
    g.add_population("lif", 2, "lif", v_th=1.0)
    g.add_projection("in", "sd", np.ones((3, 2)))
    g.add_projection("sd", "lif", np.ones((2, 3)), message_bits=message_bits)
    g.add_output("o", "lif")
    return g.validate()


def test_a_chip_without_the_model_refuses_sigma_delta():
    with pytest.raises(UnsupportedError, match=r"chip 'loihi' has no neuron model 'sigma_delta'"):
        quantize_spiking(_chain(), load_chip("loihi"))


def test_a_chip_without_graded_spikes_refuses_sigma_delta():
    chip = graded_chip()
    binary = replace(chip, arithmetic=replace(chip.arithmetic, graded_spike_bits=0))
    with pytest.raises(UnsupportedError, match=r"sends graded spikes but chip .* binary spikes only "
                                               r"\(graded_spike_bits 0\)\. Hint: run on a chip with graded spikes"):
        quantize_spiking(_chain(), binary)


def test_message_bits_beyond_the_chip_are_refused():
    with pytest.raises(UnsupportedError, match=r"message_bits 40; chip 'loihi2' carries payloads of at most 32"):
        quantize_spiking(_chain(message_bits=40), graded_chip())


def test_exponents_vary_within_a_population():
    with pytest.raises(UnsupportedError, match=r"spike_exp takes 2 values; Lava's SigmaDelta holds one"):
        quantize_spiking(_chain(spike_exp=[0, 1, 1]), graded_chip())


def test_threshold_beyond_the_state_is_refused():
    with pytest.raises(UnsupportedError, match=r"v_th up to 3e\+06 .* beyond chip 'loihi2''s 24-bit state"):
        quantize_spiking(_chain(v_th=3e6, spike_exp=2), graded_chip())


def test_noise_on_sigma_delta_neurons_is_refused():
    chip = graded_chip()
    g = _chain()
    arrays = lower_spiking(quantize_spiking(g, chip), map_graph(g, chip), 16, 64)
    noise = DynamicNoise.off(arrays.n_neurons)
    noise = replace(noise, v_noise_sd=np.array([0.0, 2.0, 0.0, 0.0, 0.0]))
    with pytest.raises(UnsupportedError, match=r"noise.v_noise_sd: nonzero on 1 sigma-delta neuron"):
        simulate_spiking(arrays, np.zeros((1, 3, 2), dtype=np.uint8), noise=noise)


def test_lava_export_needs_one_threshold_per_population():
    qnet = quantize_spiking(_chain(v_th=[1.0, 2.0, 1.0]), graded_chip())
    with pytest.raises(UnsupportedError, match=r"population 'sd': v_th takes 2 values"):
        lava_spec(qnet)
