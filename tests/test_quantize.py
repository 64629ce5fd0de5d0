"""Quantisation to a chip's integers: Lava's registers, weight modes, and unsupported features."""
from dataclasses import replace

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import hwsim
from hwsim.chips import load_chip
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


# --- Loihi precision stated per projection (Lava's Dense parameters) --------------------------------

def _lava_graph(weights, **precision):
    """One projection of Lava integer weights into a population pinned at 64 state units per membrane unit
    (the IR weight is Lava's weight times 2**weight_exp)."""
    weights = np.asarray(weights, dtype=np.float64).reshape(1, -1)
    g = Graph("lava", metadata={"state_scale": {"p": 64.0}})
    g.add_input("in", weights.shape[1])
    g.add_population("p", 1, "lif", v_th=100.0)
    g.add_projection("in", "p", weights * 2.0 ** precision.get("weight_exp", 0), **precision)
    g.add_output("o", "p")
    return g


@pytest.mark.parametrize("weights, precision, mantissas, shift", [
    # mixed: clip to [-256, 255], then the LSB is dropped even at 8 bits (floor: -3 -> -4, 3 -> 2)
    ([3, -3, 300, -300], dict(sign_mode="mixed", weight_bits=8, weight_exp=0), [2, -4, 254, -256], 0),
    # without weight_exp the quantiser picks the smallest exponent that fits the range (exp 1); -301 / 2 is
    # truncated toward zero (Lava casts to int32) to -150, which is even, so the LSB drop keeps it
    ([3, -3, 300, -301], dict(sign_mode="mixed"), [0, -2, 150, -150], 1),
    # 4 bits, mixed: 8 - 4 + 1 = 5 low bits cleared (floor)
    ([40, -40, 100, 31], dict(sign_mode="mixed", weight_bits=4, weight_exp=2), [32, -64, 96, 0], 2),
    # explicit excitatory overrides the data's signs: negative weights clip to 0
    ([50, -50, 255, 256], dict(sign_mode="excitatory", weight_bits=8, weight_exp=0), [50, 0, 255, 255], 0),
    # explicit inhibitory: positive weights clip to 0, magnitudes to 255, 6 bits clear 2 bits of the magnitude
    ([-7, 9, -300, -1], dict(sign_mode="inhibitory", weight_bits=6, weight_exp=-3), [-4, 0, -252, 0], -3),
    # auto picks Lava's rule: all >= 0 excitatory, 2 bits keep multiples of 64
    ([0, 63, 64, 200], dict(sign_mode="auto", weight_bits=2), [0, 0, 64, 192], 0),
])
def test_loihi_precision_is_lavas_clip_and_truncate(weights, precision, mantissas, shift):
    proj = quantize_spiking(_lava_graph(weights, **precision), load_chip("loihi")).projections[0]
    order = np.argsort(proj.pre_index)
    assert proj.weight[order].tolist() == [m for w, m in zip(weights, mantissas) if w != 0]
    assert proj.shift == shift
    assert proj.weight_bits == precision.get("weight_bits", 8)


def test_loihi_precision_needs_a_loihi_synapse_and_its_range():
    with pytest.raises(UnsupportedError, match="Loihi weight precision .* chip 'spinnaker', whose synapses are "
                                               "'signed'"):
        quantize_spiking(_lava_graph([1, 2], weight_bits=4), load_chip("spinnaker"))
    with pytest.raises(UnsupportedError, match="weight_exp 9; chip 'loihi' takes -8..7"):
        quantize_spiking(_lava_graph([1, 2], weight_exp=9), load_chip("loihi"))


def test_bias_mantissa_reaches_minus_4096():
    g = Graph("bias", metadata={"state_scale": {"p": 64.0}})
    g.add_population("p", 3, "lif", v_th=100.0, bias=np.array([-4096 << 7, -4096, 4095 << 7]) / 64.0)
    g.add_output("o", "p")
    pop = quantize_spiking(g, load_chip("loihi")).populations[0]
    assert pop.bias.tolist() == [-4096 << 7, -4096, 4095 << 7]        # before: -4095 << 7 and -4095 << 1


def test_loihi_takes_lavas_longest_delay():
    g = _lava_graph([1, 2])
    g2 = Graph("d")
    g2.add_input("in", 1)
    g2.add_population("p", 1, "lif", v_th=1.0)
    g2.add_projection("in", "p", [[1.0]], delay_steps=64)       # DelayDense delay 63
    g2.add_output("o", "p")
    chip = load_chip("loihi")
    assert hwsim.map_graph(g2, chip).limits["max_delay_steps"] == (64, 64) and g.validate()


def test_values_beyond_the_chips_fields_are_warned_about_with_the_numbers():
    """A negative threshold, a bias beyond the mantissa at the largest exponent and a weight beyond the largest
    exponent are saturated by the chip: each is said, with how many and the range."""
    import warnings as _warnings

    g = Graph("clip")
    g.add_input("in", 2)
    g.add_population("p", 2, "lif", v_th=np.array([-1.0, 1.0]), bias=np.array([0.0, 1e6]))
    g.add_projection("in", "p", np.array([[1.0, 1e9], [0.5, 0.5]]), name="fc")
    g.add_output("o", "p")
    with _warnings.catch_warnings(record=True) as caught:
        _warnings.simplefilter("always")
        quantize_spiking(g, load_chip("loihi"))
    messages = [str(w.message) for w in caught]
    assert any(m.startswith("population 'p': 1 of 2 thresholds (v_th mantissas) lie outside the chip's range "
                            "[0, 131071]") for m in messages)
    assert any(m.startswith("population 'p': 1 of 1 biases") and "[-4096, 4095]" in m for m in messages)
    assert any(m.startswith("projection 'fc': 1 of 4 weights") for m in messages)



@settings(max_examples=200, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(1, 300), ties=st.booleans(),
       scale=st.sampled_from([1.0, 3.7, 1e3, 2.0**-7]), input_div=st.sampled_from([1.0, 64.0]),
       payload_div=st.sampled_from([1.0, 0.3, 5.0]), sign=st.sampled_from([-1, 1, 0]))
def test_weight_mantissas_equal_the_plain_expressions(seed, n, ties, scale, input_div, payload_div, sign):
    """The in-place quantiser gives what the plain array expressions give: state values, the smallest fitting
    exponent, round half to even (to even mantissas when signs are mixed), saturation."""
    rng = np.random.default_rng(seed)
    weight = rng.integers(-600, 600, n) / 2.0 if ties else rng.normal(0, 100, n)
    weight = np.abs(weight) * sign if sign else weight
    arith = toy_chip().arithmetic
    mant, exp = _weight_mantissas(weight, arith, "p", scale, input_div, payload_div)
    w_state = weight * scale / input_div / payload_div
    mixed = w_state.min() < 0 < w_state.max()
    high = (1 << arith.weight_bits) - (2 if mixed else 1)
    low = -(1 << arith.weight_bits) if mixed else -high
    need = max(w_state.max(initial=0.0) / high, w_state.min(initial=0.0) / low)
    expected_exp = int(np.clip(0 if need == 0 else np.ceil(np.log2(need)), arith.weight_exp_min, arith.weight_exp_max))
    scaled = w_state / 2.0 ** expected_exp
    expected = np.clip(2 * np.round(scaled / 2) if mixed else np.round(scaled), low, high).astype(np.int64)
    assert exp == expected_exp
    np.testing.assert_array_equal(mant, expected)


def test_weight_mantissas_across_threads_blocks_and_saturation():
    """Many blocks of ``kernels/mantissas.py`` (shared among threads) and saturated weights: the mantissas, the
    count of saturated ones and the range the warning reports are those of the plain expressions."""
    from hwsim.kernels.mantissas import BLOCK
    weight = np.random.default_rng(7).normal(0, 100, 3 * BLOCK + 5)
    weight[::1000] *= 1e4   # beyond the largest exponent: saturated
    arith = toy_chip().arithmetic
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        mant, exp = _weight_mantissas(weight, arith, "p")
    high = (1 << arith.weight_bits) - 2
    low = -(1 << arith.weight_bits)
    rounded = 2 * np.round(weight / 2.0 ** exp / 2)
    np.testing.assert_array_equal(mant, np.clip(rounded, low, high))
    outside = (rounded < low) | (rounded > high)
    assert exp == arith.weight_exp_max and outside.sum() > 0
    assert [str(w.message).split(" lie")[0] for w in caught] == [
        f"projection 'p': {outside.sum():,} of {weight.size:,} weights (mantissas at the largest exponent, {exp})"]
    assert f"(found {rounded.min():.4g}..{rounded.max():.4g})" in str(caught[0].message)
