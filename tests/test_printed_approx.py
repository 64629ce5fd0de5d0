"""Input-bit masks (approximate accumulation) and AxSum: the approximation functions and every bad setting refused."""
from dataclasses import replace

import numpy as np
import pytest

from hwsim.chips import load_chip
from hwsim.errors import GraphError
from hwsim.lowering import lower_mlp
from hwsim.printed.adc import adc_comparators
from hwsim.printed.approx import approximate_argmax, axsum, mask_input_bits, mask_small_products, predict
from hwsim.printed.retrain import integer_forward
from hwsim.printed.cost import printed_cost
from hwsim.printed.netcost import build_netlist
from hwsim.printed.verilog import verilog_for
from hwsim.qmlp import COMPARATOR_REMOVED, QLayer, QuantizedMLP
from hwsim.simulate import simulate_mlp

CHIP = load_chip("printed_egfet")


def _mlp(seed: int = 0) -> QuantizedMLP:
    rng = np.random.default_rng(seed)
    hidden = QLayer("h", rng.integers(-60, 61, (5, 4)), rng.integers(-200, 201, 5), 3, True, 15)
    out = QLayer("o", rng.integers(-60, 61, (3, 5)), rng.integers(-200, 201, 3), 0, False, -1)
    return QuantizedMLP("x", 4, (hidden, out))


def test_small_products_keep_exactly_the_significant_bits():
    # |w| 2**p >= 24: w = 3 keeps bits 3 (24); w = -20 keeps bits 1..3 (40, 80, 160); w = 0 keeps none
    q = QuantizedMLP("x", 3, (QLayer("l", np.array([[3, -20, 0]]), np.array([0]), 0, False, -1),))
    masked = mask_small_products(q, 0, 4, 24)
    assert masked.layers[0].input_mask.tolist() == [[0b1000, 0b1110, 0]]
    assert q.layers[0].input_mask is None                                      # the argument is untouched
    x = np.arange(16)[:, None].repeat(3, axis=1)
    assert simulate_mlp(lower_mlp(masked), x).outputs[:, 0].tolist() == [3 * (v & 8) - 20 * (v & 14) for v in range(16)]
    assert mask_small_products(q, 0, 4, 0).layers[0].input_mask.tolist() == [[15, 15, 15]]
    # masks compose by AND with those already set
    twice = mask_input_bits(masked, 0, np.array([[0b0110, 0b0110, 0b0001]]), 4)
    assert twice.layers[0].input_mask.tolist() == [[0, 0b0110, 0]]


def test_masking_removes_gates_and_hidden_layers_follow_their_clip_width():
    q = _mlp()
    masked = mask_small_products(mask_small_products(q, 0, 4, 64), 1, 4, 64)
    assert masked.layers[1].input_mask.max() < 16                               # the hidden act_max is 15: 4 bits
    full, cut = printed_cost(q, CHIP), printed_cost(masked, CHIP)
    assert sum(cut.gates.values()) < sum(full.gates.values()) and cut.area_cm2 < full.area_cm2
    x = np.random.default_rng(1).integers(0, 16, (200, 4))
    assert predict(masked, x).shape == (200,)


def _layer(**fields):
    base = dict(name="l", weight=np.ones((2, 3), np.int64), bias=np.zeros(2, np.int64), shift=0, relu=True,
                act_max=15)
    return QLayer(**{**base, **fields})


@pytest.mark.parametrize("mask, message", [
    (np.ones((3, 2), np.int64), r"layer 'l': input_mask shape \(3, 2\), dtype int64; expected integers of the "
                                r"weight's shape \(2, 3\)"),
    (np.ones((2, 3)), r"input_mask shape \(2, 3\), dtype float64; expected integers"),
    (np.full((2, 3), -1), r"layer 'l': input_mask from -1 to -1; expected bit masks in 0 .. 2\*\*62 - 1. "
                          r"Hint: use None"),
    (np.full((2, 3), 1 << 62), r"input_mask from 4611686018427387904 to 4611686018427387904; expected bit masks"),
])
def test_bad_mask_fields_are_refused(mask, message):
    with pytest.raises(GraphError, match=message):
        _layer(input_mask=mask)


def test_masks_need_unsigned_inputs_of_known_width():
    first = _layer(weight=np.ones((3, 3), np.int64), bias=np.zeros(3, np.int64))
    with pytest.raises(GraphError, match=r"layer 'm': input_mask on the outputs of layer 'l', which has no ReLU; "
                                         r"expected non-negative inputs"):
        QuantizedMLP("x", 3, (replace(first, relu=False), _layer(name="m", input_mask=np.ones((2, 3), np.int64))))
    with pytest.raises(GraphError, match=r"layer 'm': input_mask reaches bit 4; expected masks within the 4-bit "
                                         r"outputs of layer 'l' \(act_max 15\)"):
        QuantizedMLP("x", 3, (first, _layer(name="m", input_mask=np.full((2, 3), 16))))
    wide = QuantizedMLP("x", 3, (_layer(input_mask=np.full((2, 3), 0b10001)),))
    for fn in (lambda: build_netlist(wide, 4), lambda: verilog_for(wide, 4), lambda: printed_cost(wide, CHIP)):
        with pytest.raises(GraphError, match=r"layer 'l' input_mask reaches bit 4; expected masks within the "
                                             r"4-bit input codes"):
            fn()


def test_bad_approximation_arguments_are_refused():
    q = _mlp()
    with pytest.raises(GraphError, match=r"mask_small_products: min_weight=-1; expected an integer in 0\.\."):
        mask_small_products(q, 0, 4, -1)
    with pytest.raises(GraphError, match=r"mask_small_products: input_bits=99; expected an integer in 0\.\.62"):
        mask_small_products(q, 0, 99, 4)
    with pytest.raises(GraphError, match=r"mask_small_products: layer 2; expected a layer index in 0\.\.1"):
        mask_small_products(q, 2, 4, 4)
    unclipped = replace(q, layers=(replace(q.layers[0], act_max=-1), q.layers[1]))
    with pytest.raises(GraphError, match=r"layer 1's inputs are not clipped \(act_max -1\)"):
        mask_small_products(unclipped, 1, 4, 4)
    with pytest.raises(GraphError, match=r"mask_input_bits: layer -1; expected a layer index"):
        mask_input_bits(q, -1, np.ones((5, 4), np.int64), 4)
    with pytest.raises(GraphError, match=r"mask_input_bits: layer 'h' input_mask reaches bit 4"):
        mask_input_bits(q, 0, np.full((5, 4), 16), 4)
    with pytest.raises(GraphError, match=r"layer 'h': input_mask shape \(4, 5\)"):
        mask_input_bits(q, 0, np.ones((4, 5), np.int64), 4)


def test_axsum_per_layer_neuron_and_product_and_its_sums():
    q = _mlp()
    per_layer, per_neuron = axsum(q, 0, 2), axsum(q, 0, np.arange(5))
    assert per_layer.layers[0].axsum_truncate_bits.tolist() == [[2] * 4] * 5 and q.layers[0].axsum_truncate_bits is None
    assert per_neuron.layers[0].axsum_truncate_bits[:, 0].tolist() == [0, 1, 2, 3, 4]
    both = axsum(axsum(q, 0, np.full((5, 4), 3)), 1, 1)
    x = np.random.default_rng(2).integers(0, 16, (300, 4))
    # the integer model the retraining steps through (QLayer.accumulate) is the kernel's
    np.testing.assert_array_equal(integer_forward(both, x)[-1][1], simulate_mlp(lower_mlp(both), x).outputs)
    # by hand: y = (5 x0 >> 2 << 2) - (6 x1 >> 2 << 2) + 3 - 1 (a negative weight: ones' complement)
    one = axsum(QuantizedMLP("x", 2, (QLayer("l", np.array([[5, -6]]), np.array([3]), 0, False, -1),)), 0, 2)
    v = np.array([[a, b] for a in range(16) for b in range(16)])
    assert simulate_mlp(lower_mlp(one), v).outputs[:, 0].tolist() == [
        (5 * a) // 4 * 4 - (6 * b) // 4 * 4 + 2 for a, b in v]
    assert printed_cost(both, CHIP).area_cm2 < printed_cost(q, CHIP).area_cm2


@pytest.mark.parametrize("bits, message", [
    (np.ones((4, 5), np.int64), r"layer 'l': axsum_truncate_bits shape \(4, 5\), dtype int64; expected integers of "
                                r"the weight's shape \(2, 3\) \(one per product\). Hint: np.full"),
    (np.ones((2, 3)), r"axsum_truncate_bits shape \(2, 3\), dtype float64; expected integers"),
    (np.full((2, 3), -1), r"layer 'l': axsum_truncate_bits from -1 to -1; expected 0 \.\. 62 low product bits "
                          r"dropped. Hint: use None for an exact sum"),
    (np.full((2, 3), 63), r"axsum_truncate_bits from 63 to 63; expected 0 \.\. 62"),
])
def test_bad_axsum_fields_are_refused(bits, message):
    with pytest.raises(GraphError, match=message):
        _layer(weight=np.ones((2, 3), np.int64), axsum_truncate_bits=bits)


def test_axsum_needs_unsigned_inputs_and_good_arguments():
    first = _layer(weight=np.ones((3, 3), np.int64), bias=np.zeros(3, np.int64), relu=False)
    with pytest.raises(GraphError, match=r"layer 'm': axsum_truncate_bits on the outputs of layer 'l', which has "
                                         r"no ReLU; expected non-negative inputs"):
        QuantizedMLP("x", 3, (first, _layer(name="m", axsum_truncate_bits=np.ones((2, 3), np.int64))))
    q = _mlp()
    with pytest.raises(GraphError, match=r"axsum: layer 2; expected a layer index in 0\.\.1"):
        axsum(q, 2, 1)
    with pytest.raises(GraphError, match=r"axsum: truncate_bits shape \(4,\), dtype int64; expected integers: one, "
                                         r"\(5,\) per neuron or \(5, 4\) per product of layer 'h'"):
        axsum(q, 0, np.ones(4, np.int64))
    with pytest.raises(GraphError, match=r"axsum: truncate_bits shape \(\), dtype float64"):
        axsum(q, 0, 1.5)
    with pytest.raises(GraphError, match=r"layer 'h': axsum_truncate_bits from -2 to -2"):
        axsum(q, 0, -2)


def _scores(n_out: int = 5) -> QuantizedMLP:
    """A 1-layer identity MLP whose outputs are its inputs' codes (so the argmax sees them directly)."""
    return QuantizedMLP("x", n_out, (QLayer("o", np.eye(n_out, dtype=np.int64), np.zeros(n_out, np.int64), 0,
                                            False, -1),))


def test_approximate_argmax_by_hand_ties_and_removed_comparators():
    q = _scores()
    # tree of 5: c0 = (0, 1), c1 = (2, 3), 4 passes; c2 = (w01, w23), 4 passes; c3 = (w, 4)
    x = np.array([[4, 7, 0, 0, 6], [9, 8, 1, 2, 3], [0, 3, 0, 3, 3]])
    assert predict(q, x).tolist() == [1, 0, 1]                                         # exact = numpy.argmax
    assert predict(approximate_argmax(q, 0), x).tolist() == np.argmax(x, axis=1).tolist()
    # ignoring 3 low bits: 4 vs 7 -> 0 >= 0, the earlier (0) wins; 6 vs 4 then 0 >= 0 too -> class 0
    assert predict(approximate_argmax(q, 3), x).tolist() == [0, 0, 0]
    # ignoring 1 low bit: row 0: 4>>1=2 < 7>>1=3 -> 1; 0 vs 0 -> 2; 7 vs 0 -> 1; 7>>1=3 vs 6>>1=3 -> tie, 1 wins
    assert predict(approximate_argmax(q, 1), x).tolist() == [1, 0, 1]
    # c3 removed: class 4 never wins (it is the later operand of the removed comparator)
    removed = approximate_argmax(q, np.array([0, 0, 0, COMPARATOR_REMOVED]))
    assert predict(removed, np.array([[0, 0, 0, 0, 9]])).tolist() == [0]


def test_approximate_argmax_removes_comparator_bits_and_muxes():
    q = _mlp()
    exact = build_netlist(q, 4).gates_by_part["argmax"]
    assert build_netlist(approximate_argmax(q, 0), 4).gates_by_part["argmax"] == exact
    cut = build_netlist(approximate_argmax(q, 2), 4).gates_by_part["argmax"]
    assert cut["compare_bit"] == exact["compare_bit"] - 2 * 2                      # 2 comparators, 2 bits each
    assert cut["mux2_bit"] == exact["mux2_bit"] - 2                                # the first one's 2 low value bits
    gone = build_netlist(approximate_argmax(q, COMPARATOR_REMOVED), 4).gates_by_part.get("argmax", {})
    assert sum(gone.values()) == 0                                                 # a constant class: wiring
    assert printed_cost(approximate_argmax(q, 2), CHIP).area_cm2 < printed_cost(q, CHIP).area_cm2


@pytest.mark.parametrize("bits, message", [
    (np.zeros(3, np.int64), r"MLP 'x': argmax_ignored_bits shape \(3,\), dtype int64; expected integers of shape "
                            r"\(2,\), one per comparator of the 3-class argmax tree"),
    (np.zeros(2), r"argmax_ignored_bits shape \(2,\), dtype float64; expected integers"),
    (np.array([0, -1]), r"MLP 'x': argmax_ignored_bits from -1 to 0; expected 0 \.\. 62 ignored low bits, or 63 "
                        r"\(COMPARATOR_REMOVED\). Hint: use None for an exact argmax"),
    (np.array([64, 0]), r"argmax_ignored_bits from 0 to 64; expected 0 \.\. 62"),
])
def test_bad_argmax_fields_are_refused(bits, message):
    with pytest.raises(GraphError, match=message):
        replace(_mlp(), argmax_ignored_bits=bits)
    with pytest.raises(GraphError, match=r"approximate_argmax: ignored_bits shape \(3,\), dtype int64; expected "
                                         r"integers: one, or \(2,\) one per comparator"):
        approximate_argmax(_mlp(), np.zeros(3, np.int64))


def test_pruned_flash_adcs_keep_the_comparators_of_the_bits_read():
    w = np.array([[1, 2, 0, 3, 1], [1, 0, 0, 4, 0]])
    masks = np.array([[15, 15, 15, 0b1000, 0b0001], [15, 15, 15, 0b0100, 0]])
    q = QuantizedMLP("x", 5, (QLayer("o", w, np.zeros(2, np.int64), 0, False, -1, input_mask=masks),))
    # input 0: every bit, 15; input 1 read at its top 2 bits: 3; input 2 pruned: 0;
    # input 3 reads bits 3 and 2: 3 thresholds; input 4 reads only bit 0, which flips at every code: 15
    assert adc_comparators(q, 4, np.array([4, 2, 4, 4, 4])).tolist() == [15, 3, 0, 3, 15]
    full = printed_cost(q, CHIP, adc=True, input_widths=np.array([4, 2, 4, 4, 4]))
    pruned = printed_cost(q, CHIP, adc=True, input_widths=np.array([4, 2, 4, 4, 4]), adc_pruned=True)
    adc_area = CHIP.mac_costs["adc_area_cm2"].value
    assert full.adc_inputs == 4 and np.isclose(full.area_by_part_cm2["adc"], 4 * adc_area)
    assert pruned.adc_inputs == 4 and np.isclose(pruned.area_by_part_cm2["adc"], 36 / 15 * adc_area)
    assert np.isclose(pruned.power_by_part_mw["adc"], 36 / 15 * CHIP.mac_costs["adc_power_mw"].value)
    assert "adc" not in printed_cost(q, CHIP, adc_pruned=True).area_by_part_cm2          # no ADCs without adc=True
    with pytest.raises(GraphError, match=r"read_bits: input_widths \[4, 2\]; expected 5 integers in 1\.\.4"):
        adc_comparators(q, 4, np.array([4, 2]))
