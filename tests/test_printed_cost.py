"""Printed gate-level cost model: CSD recoding, hand-counted circuits, range soundness, battery check."""
from dataclasses import replace
from functools import lru_cache

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hwsim.chips import Constant, load_chip
from hwsim.errors import GraphError
from hwsim.lowering import lower_mlp
from hwsim.printed.cost import printed_cost
from hwsim.printed.csd import cheapest_near, csd_digits, nonzero_digits
from hwsim.printed.netcost import Signal, build_netlist, heap_bits, multiplier_digits
from hwsim.qmlp import QLayer, QuantizedMLP
from hwsim.simulate import simulate_mlp

CHIP = load_chip("printed_egfet")


@lru_cache(maxsize=None)
def min_signed_digits(n: int) -> int:
    """Fewest signed powers of two summing to n (exhaustive recursion on the lowest bit)."""
    if n <= 1:
        return n
    if n % 2 == 0:
        return min_signed_digits(n // 2)
    return 1 + min(min_signed_digits((n - 1) // 2), min_signed_digits((n + 1) // 2))


@given(st.integers(-(1 << 16), 1 << 16))
def test_csd_reconstructs_is_non_adjacent_and_minimal(n):
    digits = csd_digits(n)
    assert sum(d << k for k, d in digits) == n
    positions = [k for k, _ in digits]
    assert all(b - a >= 2 for a, b in zip(positions, positions[1:]))
    assert all(d in (-1, 1) for _, d in digits)
    assert nonzero_digits(n) == min_signed_digits(abs(n))


@given(st.integers(-127, 127), st.integers(0, 8))
def test_cheapest_near_is_within_tolerance_and_no_costlier(n, tol):
    v = cheapest_near(n, tol, 127)
    assert abs(v - n) <= tol and abs(v) <= 127
    assert nonzero_digits(v) <= nonzero_digits(n)


def _net(weights, bias, relu=False, shift=0, act_max=-1):
    w = np.array(weights, dtype=np.int64)
    return QuantizedMLP("x", w.shape[1], (QLayer("l", w, np.array(bias, dtype=np.int64), shift, relu, act_max),))


def test_powers_of_two_and_zero_cost_no_multiplier():
    for w in (1, 2, 4, 64, 128):
        assert not build_netlist(_net([[w, 0]], [0]), 4).gates        # a shifted input: wiring
    assert not build_netlist(_net([[0, 0, 0]], [0]), 4).gates


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 2**31 - 1))
def test_the_bit_heap_sums_to_the_neuron(seed):
    """Every heap bit (inverted when negative) at its column, plus the constant, is exactly w . a + b."""
    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 6))
    weights = rng.integers(-130, 131, n) * (rng.random(n) < 0.8)
    signals = []
    for _ in range(n):
        bits, tz = int(rng.integers(1, 7)), int(rng.integers(0, 3))
        signed = bool(rng.integers(0, 2))
        lo, hi = (-(1 << (bits - 1)) << tz, ((1 << (bits - 1)) - 1) << tz) if signed else (0, ((1 << bits) - 1) << tz)
        signals.append(Signal(lo, hi, tz, [0.0] * (bits + tz)))
    entries = list(heap_bits(signals, weights))
    for _ in range(20):
        a = [int(rng.integers(s.lo >> s.tz, (s.hi >> s.tz) + 1)) << s.tz for s in signals]
        total = 0
        for column, j, p, negative in entries:
            bit = (a[j] >> p) & 1                        # two's complement bits of a[j]
            total += ((1 - bit) - 1 if negative else bit) << column
        assert total == int(np.dot(weights, a))


def test_hand_counted_neuron_0_4_5_minus3():
    """y = 0*a0 + 4*a1 + 5*a2 - 3*a3 on 4-bit inputs (0..15), no bias, no ReLU, one output."""
    net = build_netlist(_net([[0, 4, 5, -3]], [0]), 4)
    # range -45..135: 9 bits. Digits 4 = 2**2, 5 = 2**2 + 1, 3 = 2 + 1 (binary wins CSD's 4 - 1 on a tie).
    # Heap: 4a1 -> a1 in columns 2..5; 5a2 -> columns 2..5 and 0..3; -3a3 -> ~a3 in columns 1..4 and
    # 0..3 (4 shared inverters), constant -(2 * 15 + 15) = -45 = 467 mod 512 (bits 0, 1, 4, 6, 7, 8).
    # Bits per column 0..5: 2, 3, 5, 5, 3, 2. Column by column (+ carries in, const):
    #   0: 2+const -> FA+1                       carries 1
    #   1: 3+1 +const -> FA+1, FA                carries 2
    #   2: 5+2 -> 3 FA                           carries 3
    #   3: 5+3 -> 3 FA, HA                       carries 4
    #   4: 3+4 +const -> FA+1, 2 FA, HA          carries 4
    #   5: 2+4 -> 2 FA, HA                       carries 3
    #   6: 3 +const -> FA+1, HA                  carries 2
    #   7: 2 +const -> FA+1                      carries 1
    #   8 (top, no carry): 1 + const -> inverter
    assert dict(net.gates) == {"inverter": 4 + 1, "full_adder_const1": 5, "full_adder": 11, "half_adder": 4}
    cost = printed_cost(_net([[0, 4, 5, -3]], [0]), CHIP)
    # cheapest EGFET cells: FA = 9 NAND2 (66.6 uW, not 2 XOR2 + 3 NAND2 = 76.6 uW), HA = 4 NAND2 + INV
    # (37.5 uW, not XOR2 + AND2 = 46.3 uW), FA+1 = XNOR2 + OR2
    assert cost.cells == {"NAND2X1": 9 * 11 + 4 * 4, "INVX1": 5 + 4, "XNOR2X1": 5, "OR2X1": 5}
    area_um2 = 115 * 247860 + 9 * 228420 + 5 * 1347557 + 5 * 563530
    assert cost.area_cm2 == pytest.approx(area_um2 / 1e8)
    assert cost.power_mw == pytest.approx((115 * 7.4 + 9 * 7.9 + 5 * 32.9 + 5 * 15.2) / 1e3)


def test_the_cheapest_decomposition_follows_the_library():
    """With an XOR2 cheaper than 4 NAND2 + ..., full adders go back to XOR2 cells, with their own levels."""
    cheap_xor = replace(CHIP, cells={**CHIP.cells, "XOR2X1": {"area_um2": Constant(1.0, "um2", "test"),
                                                               "leakage_uw": Constant(0.1, "uW", "test")}})
    q = _net([[0, 4, 5, -3]], [0])
    default, xor = printed_cost(q, CHIP), printed_cost(q, cheap_xor)
    assert "XOR2X1" not in default.cells and xor.cells["XOR2X1"] == 2 * 11 + 4
    assert xor.critical_levels < default.critical_levels        # NAND-only adders are deeper
    assert xor.power_mw < default.power_mw


def test_hand_counted_relu_clip_and_argmax():
    # two outputs a0 + 8 and a1 on 4-bit inputs: a0 + 8 is 8..23 (5 bits): bit 3: a0_3 + 1 -> inverter,
    # carry a0_3 (wire); bit 4: carry only -> wire. The argmax compares 5 bits (compare_bit each) and
    # inverts the select once; its index mux picks between two constants (wiring), no value mux at the end.
    net = build_netlist(_net([[1, 0], [0, 1]], [8, 0]), 4)
    assert dict(net.gates_by_part["l"]) == {"inverter": 1}
    assert dict(net.gates_by_part["argmax"]) == {"compare_bit": 5, "inverter": 1}
    # ReLU of a1 - a0 (-15..15): inverter on the sign + an AND2 per magnitude bit (4); then clip to 0..3:
    # overflow flag = OR of bits 2, 3 (1 OR2), one OR2 per kept bit (2)
    net = build_netlist(_net([[-1, 1]], [0], relu=True, act_max=3), 4)
    gates = net.gates_by_part["l"]
    assert gates["and2"] == 4 and gates["or2"] == 1 + 2
    assert net.output_ranges["l"] == [(0, 3)]


@settings(max_examples=80, deadline=None)
@given(st.integers(0, 2**31 - 1))
def test_output_ranges_bound_the_kernel(seed):
    rng = np.random.default_rng(seed)
    n_in, n_h, n_out = rng.integers(1, 6, size=3)
    sparse = rng.random((n_h, n_in)) < 0.6              # zero weights and whole zero rows (constant neurons)
    hidden = QLayer("h", rng.integers(-40, 41, (n_h, n_in)) * sparse, rng.integers(-200, 201, n_h),
                    int(rng.integers(0, 4)), bool(rng.integers(0, 2)), int(rng.choice([-1, 15, 63])))
    out = QLayer("o", rng.integers(-40, 41, (n_out, n_h)), rng.integers(-200, 201, n_out), 0, bool(rng.integers(0, 2)),
                 -1)
    q = QuantizedMLP("x", int(n_in), (hidden, out))
    ranges = build_netlist(q, 4).output_ranges
    x = np.vstack([rng.integers(0, 16, (64, n_in)), np.zeros((1, n_in), int), np.full((1, n_in), 15)])
    for layer, net in (("o", q), ("h", QuantizedMLP("x", int(n_in), (hidden,)))):
        y = simulate_mlp(lower_mlp(net), x).outputs
        lo, hi = np.array(ranges[layer]).T
        assert np.all(y >= lo) and np.all(y <= hi)


def test_battery_check_and_energy():
    q = _net([[3, 5, 7]], [0])
    cost = printed_cost(q, CHIP)
    assert cost.within_battery is (cost.power_mw <= 30.0)
    assert cost.period_ms == max(200.0, cost.critical_path_ms)
    assert cost.energy_per_inference_uj == pytest.approx(cost.power_mw * cost.period_ms)
    tiny = replace(CHIP, mac_costs={**CHIP.mac_costs, "battery_power_mw": Constant(cost.power_mw / 2, "mW", "test")})
    assert printed_cost(q, tiny).within_battery is False
    with_adc = printed_cost(q, CHIP, adc=True)
    assert with_adc.power_mw == pytest.approx(cost.power_mw + 3 * 1.296)
    assert with_adc.area_cm2 == pytest.approx(cost.area_cm2 + 3 * 0.1706)


def _random_case(seed: int, max_inputs: int):
    """A random one-layer net of 2..max_inputs inputs with a random width of 1..4 bits per input."""
    rng = np.random.default_rng(seed)
    n_in, n_out = int(rng.integers(2, max_inputs + 1)), int(rng.integers(2, 5))
    q = _net(rng.integers(-60, 61, (n_out, n_in)), rng.integers(-100, 101, n_out))
    return rng, q, rng.integers(1, 5, n_in)


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 2**31 - 1))
def test_narrow_inputs_cost_less_and_their_ranges_stay_sound(seed):
    rng, q, widths = _random_case(seed, max_inputs=6)
    n_in = widths.size
    mixed = build_netlist(q, 4, input_widths=widths)
    assert printed_cost(q, CHIP, input_widths=widths).power_mw <= printed_cost(q, CHIP).power_mw
    one_bit = printed_cost(q, CHIP, input_widths=np.ones(n_in, dtype=int))
    assert one_bit.power_mw <= printed_cost(q, CHIP, input_widths=widths).power_mw
    low = 4 - widths                                    # a w-bit input is the top w bits of its 4-bit code
    x = (rng.integers(0, 16, (64, n_in)) >> low) << low
    y = simulate_mlp(lower_mlp(q), np.vstack([x, ((15 >> low) << low)[None]])).outputs
    lo, hi = np.array(mixed.output_ranges["l"]).T
    assert np.all(y >= lo) and np.all(y <= hi)


def test_a_one_bit_input_needs_one_adder_bit_per_digit():
    # 5 a + 11 b on 4-bit codes: on 1-bit inputs (tz = 3) every partial sum is 1 bit per digit
    q = _net([[5, 11]], [0])
    full = build_netlist(q, 4, input_widths=[4, 4]).gates
    narrow = build_netlist(q, 4, input_widths=[1, 1]).gates
    assert sum(narrow.values()) < sum(full.values())
    assert narrow["full_adder"] <= 3 and full["full_adder"] > narrow["full_adder"]
    with pytest.raises(GraphError, match="input_widths"):
        build_netlist(q, 4, input_widths=[0, 4])
    with pytest.raises(GraphError, match="expected 2 integers in 1..4"):
        build_netlist(q, 4, input_widths=[4, 4, 4])
    with pytest.raises(GraphError, match="input_widths"):
        printed_cost(q, CHIP, input_widths=[5, 1])


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 2**31 - 1))
def test_a_top_bits_mask_costs_as_a_narrow_input(seed):
    # masking every product of input j to its top w bits is the circuit of input j read at w bits
    _, q, widths = _random_case(seed, max_inputs=5)
    n_out = q.layers[0].weight.shape[0]
    top_bits = ((1 << widths) - 1) << (4 - widths)
    masked = replace(q, layers=(replace(q.layers[0], input_mask=np.tile(top_bits, (n_out, 1))),))
    narrow, by_mask = build_netlist(q, 4, input_widths=widths), build_netlist(masked, 4)
    assert by_mask.gates == narrow.gates
    assert by_mask.critical_levels == narrow.critical_levels and by_mask.output_ranges == narrow.output_ranges


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 2**31 - 1))
def test_masked_ranges_bound_the_kernel_and_masks_remove_adders(seed):
    rng = np.random.default_rng(seed)
    n_in, n_h, n_out = (int(n) for n in rng.integers(1, 6, size=3))
    hidden = QLayer("h", rng.integers(-40, 41, (n_h, n_in)), rng.integers(-200, 201, n_h), int(rng.integers(0, 4)),
                    True, int(rng.choice([-1, 15, 63])), rng.integers(0, 16, (n_h, n_in)))
    mask_top = 6 if hidden.act_max < 0 else int(hidden.act_max).bit_length()
    out = QLayer("o", rng.integers(-40, 41, (n_out, n_h)), rng.integers(-200, 201, n_out), 0, False, -1,
                 rng.integers(0, 1 << mask_top, (n_out, n_h)))
    q = QuantizedMLP("x", n_in, (hidden, out))
    ranges = build_netlist(q, 4).output_ranges
    x = np.vstack([rng.integers(0, 16, (64, n_in)), np.zeros((1, n_in), int), np.full((1, n_in), 15)])
    for layer, net in (("o", q), ("h", QuantizedMLP("x", n_in, (hidden,)))):
        y = simulate_mlp(lower_mlp(net), x).outputs
        lo, hi = np.array(ranges[layer]).T
        assert np.all(y >= lo) and np.all(y <= hi)
    bits = [Signal(0, 15, 0, [0.0] * 4)] * n_in           # every masked-in bit of every digit enters the heap once
    n_kept = sum(1 for r in range(n_h) for _ in heap_bits(bits, hidden.weight[r], hidden.input_mask[r]))
    assert n_kept == sum(len(multiplier_digits(abs(int(w)))) * bin(int(m)).count("1")
                         for w, m in zip(hidden.weight.ravel(), hidden.input_mask.ravel()) if w)


def _masked(weights, masks):
    q = _net(weights, [0])
    return replace(q, layers=(replace(q.layers[0], input_mask=np.array(masks)),))


def test_masked_bits_leave_the_heap_by_hand_and_bad_masks_are_refused():
    # 5 x = x + 4 x on 4-bit x: columns 2 and 3 hold two bits each -> adders
    assert build_netlist(_net([[5]], [0]), 4).gates["half_adder"] + build_netlist(_net([[5]], [0]), 4).gates[
        "full_adder"] > 0
    # 5 (x & 0b0110) = 2 b1 + 4 b2 + 8 b1 + 16 b2: one bit per column, no gate at all
    masked = build_netlist(_masked([[5]], [[0b0110]]), 4)
    assert not masked.gates and masked.output_ranges["l"] == [(0, 30)]
    # 3 (x & 0b0100): bit 2 into columns 2 and 3 -- wiring; a zero mask removes the product
    assert not build_netlist(_masked([[3]], [[0b0100]]), 4).gates
    assert build_netlist(_masked([[7, 9]], [[0, 0]]), 4).output_ranges["l"] == [(0, 0)]
    q = _net([[5, 7]], [0])
    wide = replace(q, layers=(replace(q.layers[0], input_mask=np.array([[0b10000, 1]])),))
    with pytest.raises(GraphError, match=r"build_netlist: layer 'l' input_mask reaches bit 4; expected masks "
                                         r"within the 4-bit input codes"):
        printed_cost(wide, CHIP)


def _axsum_case(seed: int, power_of_two: bool = False):
    """A random input -> ReLU hidden -> output MLP with AxSum on both layers, and inputs with the extremes."""
    rng = np.random.default_rng(seed)
    n_in, n_h, n_out = (int(n) for n in rng.integers(1, 6, size=3))

    def weights(shape):
        if power_of_two:
            return rng.choice([-1, 1], shape) * (1 << rng.integers(0, 5, shape)) * (rng.random(shape) < 0.8)
        return rng.integers(-40, 41, shape)
    hidden = QLayer("h", weights((n_h, n_in)), rng.integers(-200, 201, n_h), int(rng.integers(0, 4)), True,
                    int(rng.choice([-1, 15, 63])), None, rng.integers(0, 7, (n_h, n_in)))
    out = QLayer("o", weights((n_out, n_h)), rng.integers(-200, 201, n_out), 0, False, -1, None,
                 rng.integers(0, 7, (n_out, n_h)))
    x = np.vstack([rng.integers(0, 16, (64, n_in)), np.zeros((1, n_in), int), np.full((1, n_in), 15)])
    return QuantizedMLP("x", n_in, (hidden, out)), x


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 2**31 - 1))
def test_axsum_ranges_bound_the_kernel(seed):
    q, x = _axsum_case(seed)
    ranges = build_netlist(q, 4).output_ranges
    for layer, net in (("o", q), ("h", QuantizedMLP("x", q.input_size, q.layers[:1]))):
        y = simulate_mlp(lower_mlp(net), x).outputs
        lo, hi = np.array(ranges[layer]).T
        assert np.all(y >= lo) and np.all(y <= hi)


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 2**31 - 1))
def test_axsum_on_powers_of_two_is_a_mask_of_the_low_bits(seed):
    # w = +/-2**k: the product's bits below column t are input bits below t - k, one per column (no carry), so
    # AxSum is the input mask ~(2**(t-k) - 1) plus the ones'-complement -1 in the bias: same values, same gates
    q, x = _axsum_case(seed, power_of_two=True)
    q = replace(q, layers=q.layers[:1])                 # inputs from 0: a mask's range is then as tight
    layer = q.layers[0]
    k = np.log2(np.maximum(np.abs(layer.weight), 1)).astype(np.int64)
    mask = ~((1 << np.maximum(layer.axsum_truncate_bits - k, 0)) - 1) & 15
    masked = replace(q, layers=(replace(layer, axsum_truncate_bits=None, input_mask=mask,
                                        bias=layer.bias + layer.axsum_offset),))
    np.testing.assert_array_equal(simulate_mlp(lower_mlp(q), x).outputs, simulate_mlp(lower_mlp(masked), x).outputs)
    # as built, before the logic optimisation: sums shared across neurons are found in mask layers, not AxSum ones
    by_axsum, by_mask = build_netlist(q, 4, optimise=False), build_netlist(masked, 4, optimise=False)
    assert by_axsum.gates == by_mask.gates and by_axsum.output_ranges == by_mask.output_ranges
    assert by_axsum.critical_levels == by_mask.critical_levels


def test_axsum_by_hand():
    # 5 x = x + 4 x on 4-bit x: columns 0 and 1 hold one bit each, so cutting 2 bits drops them (no gate); cutting
    # 3 bits still sums column 2 (x0 + x2) in the half adder the exact circuit has, and only its carry goes on
    # (its sum is left unconnected: hwsim counts the structure, a synthesiser would remove that XOR)
    exact, cut2, cut3 = (build_netlist(_axsum([[5]], [[t]]), 4) for t in (0, 2, 3))
    assert cut2.gates == exact.gates and cut2.output_ranges["l"] == [(0, 72)]
    assert cut3.gates == exact.gates and cut3.output_ranges["l"] == [(0, 72)]
    # x + y: exact, column 0 is a half adder and columns 1..3 full adders (range 30, 5 bits); cut at 1, both
    # products drop bit 0 and column 1 needs a half adder only: one full adder fewer
    exact, cut1 = build_netlist(_axsum([[1, 1]], [[0, 0]]), 4), build_netlist(_axsum([[1, 1]], [[1, 1]]), 4)
    assert dict(exact.gates) == {"half_adder": 1, "full_adder": 3} and cut1.output_ranges["l"] == [(0, 28)]
    assert dict(cut1.gates) == {"half_adder": 1, "full_adder": 2}
    # a negative weight: -(3 x >> 1 << 1) - 1 (ones' complement); 3 x's column 0 holds x0 alone: dropped
    assert build_netlist(_axsum([[-3]], [[1]]), 4).output_ranges["l"] == [(-45, -1)]    # 3 x 15 = 45 -> 44, - 1
    x = np.arange(16)[:, None]
    assert simulate_mlp(lower_mlp(_axsum([[-3]], [[1]])), x).outputs[:, 0].tolist() == [
        -((3 * v) // 2 * 2) - 1 for v in range(16)]


def _axsum(weights, cuts):
    q = _net(weights, [0])
    return replace(q, layers=(replace(q.layers[0], axsum_truncate_bits=np.array(cuts)),))
