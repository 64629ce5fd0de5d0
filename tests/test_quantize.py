"""Quantisation to a chip's integers: Lava's registers, weight modes, and unsupported features."""
from dataclasses import replace

import numpy as np
import pytest

from hwsim.errors import UnsupportedError
from hwsim.ir import Graph
from hwsim.quantize import _bias_integers, _decay_factor, _weight_mantissas, quantize_spiking
from toy import toy_chip


def test_decay_registers_follow_lava_offsets():
    # Lava: u factor (4096 - (du + 1)), du in -1..4095 (du = -1: no decay, as netx uses); v factor (4096 - dv)
    assert _decay_factor(np.array([0.0, 0.5, 1.0]), 12, 1).tolist() == [4096, 2048, 0]
    assert _decay_factor(np.array([0.0, 0.25, 1.0]), 12, 0).tolist() == [4096, 3072, 0]


def test_mixed_sign_weights_are_even_and_fill_the_range():
    arith = toy_chip().arithmetic
    mant, exp = _weight_mantissas(np.array([-1.0, 0.5, 0.251]) * 254 * 4, arith)
    assert exp == 2
    assert mant.tolist() == [-254, 128, 64]
    assert np.all(mant % 2 == 0)


def test_single_sign_weights_use_all_mantissas():
    arith = toy_chip().arithmetic
    mant, exp = _weight_mantissas(np.array([255.0, 3.0, 1.0]), arith)
    assert (mant.tolist(), exp) == ([255, 3, 1], 0)
    mant, exp = _weight_mantissas(np.array([-255.0, -3.0]), arith)
    assert (mant.tolist(), exp) == ([-255, -3], 0)


def test_bias_mantissa_and_exponent():
    # 13-bit signed mantissa (|m| <= 4095), exponent 0..7
    assert _bias_integers(np.array([100.0, 4095.0, 8190.0, -8191.0, 1e9]), 13, 7).tolist() == [
        100, 4095, 4095 * 2, -4096 * 2, 4095 << 7]


def _lif_graph(**params) -> Graph:
    g = Graph("q")
    g.add_input("in", 2)
    g.add_population("p", 2, "lif", **params)
    g.add_projection("in", "p", np.array([[1.0, -0.5], [0.25, 0.0]]))
    g.add_output("o", "p")
    return g


def test_threshold_sits_below_the_state_range():
    q = quantize_spiking(_lif_graph(v_th=2.0, decay_mem=0.1, bias=0.01), toy_chip())
    pop = q.populations[0]
    assert pop.scale == 2.0 ** 20 / 2.0
    assert pop.v_th.tolist() == [2 ** 20, 2 ** 20]
    assert pop.bias.tolist() == [round(0.01 * pop.scale / 2) * 2] * 2   # 5242.9 > 4095: exponent 1
    proj = q.projections[0]
    # weights in input units (scale / 64) -> mantissa at exponent `shift`
    assert np.allclose(proj.weight * 2.0 ** (proj.shift + 6) / pop.scale, [1.0, -0.5, 0.25], atol=2 ** (proj.shift + 7) / pop.scale)


@pytest.mark.parametrize("graph, message", [
    (lambda: _lif_graph(v_th=1.0, v_reset=0.5), r"reset 'value' is not supported by chip 'toy'"),
    (lambda: _lif_graph(v_th=1.0, refractory_steps=2), r"refractory_steps > 0 but chip 'toy'"),
], ids=["reset", "refractory"])
def test_unsupported_features_are_named(graph, message):
    with pytest.raises(UnsupportedError, match=message):
        quantize_spiking(graph(), toy_chip())


def test_model_not_on_chip():
    chip = replace(toy_chip(), neuron_models=("if",))
    with pytest.raises(UnsupportedError, match=r"population 'p': chip 'toy' has no neuron model 'lif'; supported: if"):
        quantize_spiking(_lif_graph(v_th=1.0), chip)


def test_subtract_reset_needs_support():
    g = Graph("s")
    g.add_input("in", 1)
    g.add_population("p", 1, "if", v_th=1.0, reset="subtract")
    g.add_projection("in", "p", np.ones((1, 1)))
    g.add_output("o", "p")
    with pytest.raises(UnsupportedError, match="reset 'subtract'"):
        quantize_spiking(g, toy_chip())
    chip = replace(toy_chip(), arithmetic=replace(toy_chip().arithmetic, reset_modes=("zero", "subtract")))
    assert quantize_spiking(g, chip).populations[0].reset == "subtract"


def test_synaptic_bias_folds_into_v_only_without_current_memory():
    q = quantize_spiking(_lif_graph(v_th=1.0, decay_syn=1.0, bias=0.001, bias_syn=0.001), toy_chip())
    assert q.populations[0].bias.tolist() == [round(0.002 * q.populations[0].scale)] * 2
    with pytest.raises(UnsupportedError, match="bias_syn with a decaying synaptic current"):
        quantize_spiking(_lif_graph(v_th=1.0, decay_syn=0.5, bias_syn=0.25), toy_chip())


def test_float_chip_quantisation_is_the_identity():
    from hwsim.chips import load_chip
    g = _lif_graph(v_th=0.7, decay_syn=0.3, decay_mem=0.1, bias=0.01, bias_syn=0.02, v_reset=-0.1,
                   reset="subtract_next")
    q = quantize_spiking(g, load_chip("ideal"))
    pop = q.populations[0]
    assert q.is_float and pop.scale == 1.0 and pop.reset == "subtract_next"
    np.testing.assert_array_equal(pop.syn_factor, [[1 - 0.3] * 2])     # one receptor
    np.testing.assert_array_equal(pop.bias_syn, [[0.02] * 2])
    np.testing.assert_array_equal(pop.mem_factor, [1 - 0.1] * 2)
    for name, value in (("v_th", 0.7), ("bias", 0.01), ("v_reset", -0.1)):
        np.testing.assert_array_equal(getattr(pop, name), [value] * 2)
    proj = q.projections[0]
    assert proj.shift == 0 and proj.weight.dtype == np.float64
    np.testing.assert_array_equal(proj.weight, [1.0, -0.5, 0.25])


def test_subtract_next_needs_support():
    g = _lif_graph(v_th=1.0, reset="subtract_next")
    with pytest.raises(UnsupportedError, match="reset 'subtract_next' is not supported by chip 'toy'"):
        quantize_spiking(g, toy_chip())
    chip = replace(toy_chip(), arithmetic=replace(toy_chip().arithmetic, reset_modes=("subtract_next",)))
    pop = quantize_spiking(g, chip).populations[0]
    assert pop.reset == "subtract_next"
