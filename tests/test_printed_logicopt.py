"""Logic optimisation of the printed cost model (hwsim.printed.logicopt): hand-counted cases, never more cost.

Gate counts are written as arithmetic column by column; 4-bit unsigned inputs throughout.
"""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from hwsim.chips import load_chip
from hwsim.lowering import lower_mlp
from hwsim.printed.cost import gate_leakage_uw
from hwsim.printed.eda import simulate_iverilog
from hwsim.printed.logicopt import gates_cost, live_neurons, shared_sums
from hwsim.printed.netcost import XOR_LEVELS, Signal, Tally, build_netlist
from hwsim.printed.published import get_design
from hwsim.printed import verilog
from hwsim.qmlp import QLayer, QuantizedMLP
from hwsim.simulate import simulate_mlp

CHIP = load_chip("printed_egfet")
# a0 + a1, a in 0..15: range [0, 30], 5 bits. Column 0: two bits, a half adder; columns 1-3: two bits and a
# carry, a full adder each; column 4 (the top) holds the last carry alone: a wire.
SUM_A0_A1 = {"half_adder": 1, "full_adder": 3}


def _mlp(hidden, output, mask=None) -> QuantizedMLP:
    hidden, output = np.array(hidden, dtype=np.int64), np.array(output, dtype=np.int64)
    return QuantizedMLP("x", hidden.shape[1], (
        QLayer("hidden", hidden, np.zeros(len(hidden), dtype=np.int64), 0, True, 15),
        QLayer("output", output, np.zeros(len(output), dtype=np.int64), 0, False, -1,
               None if mask is None else np.array(mask, dtype=np.int64))))


def test_a_hidden_neuron_no_output_reads_builds_nothing():
    # hidden 1 = a0 + 3 a1 has a zero column in the output layer: only hidden 0 = a0 + a1 is built
    # (a0 + a1 >= 0 and the clip to 15 acts: an OR2 tree over bit 4 alone, no gate, and 4 OR2s)
    qmlp = _mlp([[1, 1], [1, 3]], [[1, 0], [2, 0]])
    assert [v.tolist() for v in live_neurons(qmlp)] == [[True, False], [True, True]]
    assert dict(build_netlist(qmlp, 4).gates_by_part["hidden"]) == {**SUM_A0_A1, "or2": 4}
    alone = build_netlist(qmlp, 4, optimise=False).gates_by_part["hidden"]
    assert alone["full_adder"] + alone["half_adder"] > 4


def test_a_hidden_neuron_whose_every_read_is_masked_builds_nothing():
    # the output layer reads hidden 1 through masks 0 only: its bits reach no output
    qmlp = _mlp([[1, 1], [1, 3]], [[1, 5], [2, 7]], mask=[[15, 0], [15, 0]])
    assert live_neurons(qmlp)[0].tolist() == [True, False]
    assert dict(build_netlist(qmlp, 4).gates_by_part["hidden"]) == {**SUM_A0_A1, "or2": 4}


def test_two_neurons_x_and_2x_build_one_sum():
    # hidden 1 = 2 (a0 + a1) = 2 acc0: the bits of acc0 one column up, wiring; its clip to 15 (range [0, 60]):
    # an OR2 over bits 4, 5 (the flag) and 4 OR2s
    qmlp = _mlp([[1, 1], [2, 2]], [[1, 1], [1, 2]])
    signals = [Signal(0, 15, 0, [0.0] * 4)] * 2
    assert shared_sums(signals, qmlp.layers[0].weight, [0, 0], None, XOR_LEVELS) == [None, (0, 2, 0)]
    assert dict(build_netlist(qmlp, 4).gates_by_part["hidden"]) == {**SUM_A0_A1, "or2": 4 + 1 + 4}


def test_a_negated_neuron_is_the_complement_of_the_sum_plus_one():
    # hidden 1 = -(a0 + a1) = ~acc0 + 1 over 6 bits (range [-30, 0]): five inverted bits of acc0 (5 inverters), the
    # constant -31 + 0 = 33 mod 64 = 0b100001: column 0 ~b0 + 1: an inverter (carry ~b0); columns 1-4: a bit and
    # a carry, a half adder each; column 5 (top): the carry and the constant 1, an inverter. No ReLU here: on a
    # value <= 0 it would make the neuron the constant 0. On its own, -a0 - a1 is 8 inverters, 2 full adders, 5 half
    # adders and an x + y + 1 adder: more leakage in EGFET cells, though fewer gates.
    qmlp = QuantizedMLP("x", 2, (QLayer("hidden", np.array([[1, 1], [-1, -1]]), np.array([0, 0]), 0, False, -1),
                                 QLayer("output", np.array([[1, 1], [1, 2]]), np.array([0, 0]), 0, False, -1)))
    hidden = build_netlist(qmlp, 4, gate_cost=gate_leakage_uw(CHIP)).gates_by_part["hidden"]
    assert dict(hidden) == {"full_adder": 3, "half_adder": 1 + 4, "inverter": 5 + 1 + 1}
    alone = build_netlist(qmlp, 4, optimise=False).gates_by_part["hidden"]
    assert dict(alone) == {"full_adder": 3 + 2, "half_adder": 1 + 5, "inverter": 8 + 1, "full_adder_const1": 1}


def test_balance_shares_its_hidden_sum():
    """ESL 2024 Balance: hidden 0 = -16 S and hidden 1 = 8 S, S = -a0 - a1 + a2 + a3, one heap."""
    qmlp = get_design("esl24_balance").mlp
    signals = [Signal(0, 15, 0, [0.0] * 4)] * 4
    layer = qmlp.layers[0]
    plan = shared_sums(signals, layer.weight, [int(b) for b in layer.bias], None, XOR_LEVELS)
    assert plan == [(1, -2, 0), None, None]
    assert build_netlist(qmlp, 4).gates["full_adder"] < build_netlist(qmlp, 4, optimise=False).gates["full_adder"]


def _linear(weight, bias) -> QuantizedMLP:
    weight = np.array(weight, dtype=np.int64)
    return QuantizedMLP("x", weight.shape[1], (QLayer("output", weight, np.array(bias, dtype=np.int64), 0, False,
                                                      -1),))


def test_a_comparator_against_a_constant_is_one_and_or_per_bit():
    # class 0 = a in 0..15, class 1 = the constant 5 (a zero weight): class 1 wins when not a >= 5. From bit 0
    # up, c = 1 (equal is >=): bit 0 (5 has a 1): c = a0 & 1 = a0, a wire; bit 1 (0): a1 | c, an OR2; bit 2 (1):
    # a2 & c, an AND2; bit 3 (0): a3 | c, an OR2. Plus the select's inverter; indices and values need no mux.
    net = build_netlist(_linear([[1], [0]], [0, 5]), 4)
    assert dict(net.gates_by_part["argmax"]) == {"or2": 2, "and2": 1, "inverter": 1}
    # against 8 = 0b1000 the chain is a wire (a >= 8 is a3): the inverter alone
    assert dict(build_netlist(_linear([[1], [0]], [0, 8]), 4).gates_by_part["argmax"]) == {"inverter": 1}
    # the full comparator: 4 compare bits
    assert dict(build_netlist(_linear([[1], [0]], [0, 5]), 4, optimise=False).gates_by_part["argmax"]) == \
        {"compare_bit": 4, "inverter": 1}


def test_two_constants_and_a_class_that_never_wins_build_no_comparator():
    # classes: a0 + a1 (0..30), the constant 40 (always wins over it), a0 (0..15, never above class 0's least? no:
    # it is dominated by the constant 40): only class 1 can win, so the circuit is the constant 1 and builds nothing
    net = build_netlist(_linear([[1, 1], [0, 0], [1, 0]], [0, 40, 0]), 4)
    assert net.gates_by_part == {"output": {}, "argmax": {}}
    # a0 + a1 + 16 (16..46) against a0 (0..15), which never reaches it: class 1 leaves; class 0 against the
    # constant 20 = 0b10100 (with 46 the compare has 6 bits): bits 0, 1: c stays 1; bit 2: a wire; bit 3: OR2;
    # bit 4: AND2; bit 5 (0): OR2; and the select's inverter
    net = build_netlist(_linear([[1, 1], [1, 0], [0, 0]], [16, 0, 20]), 4)
    assert dict(net.gates_by_part["argmax"]) == {"or2": 2, "and2": 1, "inverter": 1}
    assert dict(net.gates_by_part["output"]) == dict(build_netlist(_linear([[1, 1]], [16]), 4,
                                                                   argmax_output=False).gates_by_part["output"])


@pytest.mark.parametrize("name", ["esl24_balance", "date24_whitewine", "date24_redwine"])
def test_the_verilog_of_shared_and_removed_neurons_classifies_as_the_kernel(name):
    qmlp = get_design(name).mlp
    x = np.random.default_rng(0).integers(0, 16, size=(300, qmlp.input_size))
    expected = np.argmax(simulate_mlp(lower_mlp(qmlp), x).outputs, axis=1)
    got = simulate_iverilog(verilog.verilog_for(qmlp, 4), verilog.testbench_for(qmlp, x, expected, 4))
    assert got.tolist() == expected.tolist()


@st.composite
def _mlps(draw):
    n_in, n_hidden, n_out = draw(st.integers(1, 4)), draw(st.integers(1, 5)), draw(st.integers(2, 4))
    base = np.array(draw(st.lists(st.integers(-20, 20), min_size=n_in, max_size=n_in)))
    rows = []
    for _ in range(n_hidden):          # many rows are signed powers of two times one base row, or zero
        kind = draw(st.sampled_from(["scaled", "own", "zero"]))
        if kind == "scaled":
            rows.append(base * draw(st.sampled_from([1, -1, 2, -2, 4, -8])))
        else:
            rows.append(np.array(draw(st.lists(st.integers(-20, 20), min_size=n_in, max_size=n_in)))
                        * (kind == "own"))
    out = np.array(draw(st.lists(st.lists(st.integers(-6, 6), min_size=n_hidden, max_size=n_hidden),
                                 min_size=n_out, max_size=n_out)))
    biases = np.array(draw(st.lists(st.integers(-100, 100), min_size=n_hidden, max_size=n_hidden)))
    relu = draw(st.booleans())
    act_max = draw(st.sampled_from([-1, 15, 63])) if relu else -1
    masks = None                        # input-bit masks on the output layer where its inputs have a known width
    if act_max >= 0 and draw(st.booleans()):
        masks = np.array(draw(st.lists(st.lists(st.integers(0, act_max), min_size=n_hidden, max_size=n_hidden),
                                       min_size=n_out, max_size=n_out)), dtype=np.int64)
    output_bias = np.array(draw(st.lists(st.integers(-200, 200), min_size=n_out, max_size=n_out)), dtype=np.int64)
    return QuantizedMLP("x", n_in, (
        QLayer("hidden", np.array(rows, dtype=np.int64), biases, draw(st.integers(0, 3)), relu, act_max),
        QLayer("output", out.astype(np.int64), output_bias, 0, False, -1, masks)))


@settings(max_examples=60, deadline=None)
@given(_mlps())
def test_the_optimised_circuit_never_costs_more_and_keeps_every_range(qmlp):
    cost = gate_leakage_uw(CHIP)
    optimised = build_netlist(qmlp, 4, gate_cost=cost)
    plain = build_netlist(qmlp, 4, optimise=False, gate_cost=cost)
    assert optimised.output_ranges == plain.output_ranges
    for part, gates in optimised.gates_by_part.items():
        assert gates_cost(Tally(gates), cost) <= gates_cost(Tally(plain.gates_by_part[part]), cost) + 1e-9
    uniform = build_netlist(qmlp, 4)
    assert sum(uniform.gates.values()) <= sum(build_netlist(qmlp, 4, optimise=False).gates.values())


def test_relu_bits_no_mask_reads_are_not_gated():
    # hidden = a0 - a1 in [-15, 15], ReLU to [0, 15] (act_max 15 cannot act): one inverter on the sign and an AND2
    # per bit, 4; the output layer reads bits 0 and 1 only (masks 0b01 and 0b10): 2 AND2s
    layers = (QLayer("hidden", np.array([[1, -1]]), np.array([0]), 0, True, 15),
              QLayer("output", np.array([[1], [2]]), np.array([0, 0]), 0, False, -1, np.array([[1], [2]])))
    qmlp = QuantizedMLP("x", 2, layers)
    assert build_netlist(qmlp, 4).gates_by_part["hidden"]["and2"] == 2
    assert build_netlist(qmlp, 4, optimise=False).gates_by_part["hidden"]["and2"] == 4


def test_columns_below_the_shift_build_only_their_carries():
    # hidden = (a0 + a1) >> 2: columns 0 and 1 are read by nobody. Column 0: two bits, only the carry: an AND2
    # (half_adder_carry); column 1: two bits and that carry, only the carry: a majority (full_adder_carry);
    # columns 2, 3: full adders; column 4: the last carry, a wire
    layers = (QLayer("hidden", np.array([[1, 1]]), np.array([0]), 2, False, -1),
              QLayer("output", np.array([[1], [2]]), np.array([0, 0]), 0, False, -1))
    qmlp = QuantizedMLP("x", 2, layers)
    assert dict(build_netlist(qmlp, 4).gates_by_part["hidden"]) == {"half_adder_carry": 1, "full_adder_carry": 1,
                                                                     "full_adder": 2}
    assert dict(build_netlist(qmlp, 4, optimise=False).gates_by_part["hidden"]) == SUM_A0_A1
