"""Approximation-aware retraining of printed MLPs and the search knobs that use it."""
import numpy as np
import pytest

from hwsim.chips import load_chip
from hwsim.errors import GraphError, SpecError
from hwsim.lowering import lower_mlp
from hwsim.models.train_printed import load_task, load_task_model
from hwsim.printed import approx
from hwsim.printed.cost import printed_cost
from hwsim.printed.retrain import chain_layers, integer_forward, resize_hidden, retrain
from hwsim.printed.search import (KNOBS, build_design, canonical, design_knobs, input_chip, input_codes, input_widths,
                                  search)
from hwsim.qmlp import QLayer, QuantizedMLP
from hwsim.quantize import quantize_mlp_inputs
from hwsim.simulate import simulate_mlp

CHIP = load_chip("printed_egfet")


@pytest.fixture(scope="module")
def iris():
    return load_task_model("iris"), load_task("iris")


def genes(**changes) -> tuple:
    knobs = {name: levels[0] for name, levels in KNOBS.items()} | changes
    return tuple(KNOBS[name].index(value) for name, value in knobs.items())


def test_integer_forward_matches_the_kernel():
    rng = np.random.default_rng(1)
    hidden = QLayer("h", rng.integers(-127, 128, (5, 6)), rng.integers(-500, 501, 5), 3, True, 63)
    out = QLayer("o", rng.integers(-127, 128, (4, 5)), rng.integers(-500, 501, 4), 0, False, -1)
    q = QuantizedMLP("x", 6, (hidden, out))
    codes = rng.integers(0, 16, (50, 6))
    np.testing.assert_array_equal(integer_forward(q, codes)[-1][1], simulate_mlp(lower_mlp(q), codes).outputs)


def test_retraining_is_deterministic_improves_accuracy_and_keeps_the_knobs(iris):
    graph, (x_train, y_train, _, _) = iris
    k = dict(input_bits=2, weight_bits=3, powers_of_two=True, prune_fraction=0.4)
    plain, chip, _ = build_design(graph, CHIP, genes(**k), x_train, y_train)
    a, _, _ = build_design(graph, CHIP, genes(**k, retrain_epochs=60), x_train, y_train, seed=5)
    b, _, _ = build_design(graph, CHIP, genes(**k, retrain_epochs=60), x_train, y_train, seed=5)
    for la, lb in zip(a.layers, b.layers):
        np.testing.assert_array_equal(la.weight, lb.weight)
        np.testing.assert_array_equal(la.bias, lb.bias)
    codes = quantize_mlp_inputs(x_train, chip)
    assert chip.arithmetic.input_bits == 2 and codes.max() == 3 and codes.min() == 0     # 2-bit ADC codes
    assert approx.accuracy(a, codes, y_train) > approx.accuracy(plain, codes, y_train) + 0.05
    for layer in a.layers:
        mag = np.abs(layer.weight[layer.weight != 0])
        assert np.all(mag & (mag - 1) == 0) and mag.max() <= 4     # powers of two of 3-bit weights (3 -> 4)
    # the first layer's operands are 2 bits wide: cheaper than the same circuit on 4-bit codes
    assert printed_cost(a, chip).power_mw < printed_cost(a, CHIP).power_mw


def test_hidden_knob_resizes_and_removes_the_hidden_layer(iris):
    graph, (x_train, y_train, x_test, y_test) = iris
    q, chip, _ = build_design(graph, CHIP, genes(hidden_kept=0.0, retrain_epochs=20), x_train, y_train)
    assert len(q.layers) == 1 and q.layers[0].weight.shape == (3, 4) and chip.arithmetic.input_bits == 4
    assert printed_cost(q, chip).area_cm2 > 0
    assert approx.accuracy(q, quantize_mlp_inputs(x_test, chip), y_test) >= 0.8
    smaller = resize_hidden(graph, 2, x_train)
    assert [layer["weight"].shape for layer in chain_layers(smaller)] == [(2, 4), (3, 2)]
    merged = chain_layers(resize_hidden(graph, 0, x_train))[0]
    hidden, output = chain_layers(graph)
    np.testing.assert_allclose(merged["weight"], output["weight"] @ hidden["weight"])


def test_bad_knob_values_are_refused(iris):
    graph, (x_train, y_train, *_) = iris
    with pytest.raises(GraphError, match="n_hidden=4; expected an integer in 0..3"):
        resize_hidden(graph, 4, x_train)
    with pytest.raises(GraphError, match="epochs=-1; expected an integer >= 0"):
        retrain(graph, lambda g: None, np.zeros((1, 4), dtype=np.int64), np.zeros(1, dtype=np.int64), 1.0,
                epochs=-1, seed=0)
    with pytest.raises(SpecError, match=f"expected {len(KNOBS)} level indices"):
        design_knobs((0, 0))
    with pytest.raises(SpecError, match=r"each below \(4, 7, 6, "):
        design_knobs((4,) + (0,) * (len(KNOBS) - 1))
    with pytest.raises(SpecError, match="reads 3-bit inputs; expected 4"):
        search(graph, input_chip(CHIP, 3), load_task("iris"), population=2, generations=0)


def test_wide_inputs_reads_the_least_important_inputs_at_one_bit(iris):
    graph, (x_train, y_train, x_test, _) = iris
    k = dict(input_bits=3, hidden_kept=0.0)             # no retraining: the importance is the resized graph's
    q, chip, widths = build_design(graph, CHIP, genes(**k, wide_inputs=0.5), x_train, y_train)
    assert sorted(widths.tolist()) == [1, 1, 3, 3]
    importance = approx.input_importance(approx.requantize(resize_hidden(graph, 0, x_train), chip, 8, x_train),
                                         quantize_mlp_inputs(x_train, chip))
    assert min(importance[widths == 3]) >= max(importance[widths == 1])
    codes = input_codes(x_test, chip, widths)
    assert set(np.unique(codes[:, widths == 1])) <= {0, 4}                     # 1 bit: the code's top bit
    np.testing.assert_array_equal(codes[:, widths == 3], quantize_mlp_inputs(x_test, chip)[:, widths == 3])
    np.testing.assert_array_equal(codes[:, widths == 1] == 4, x_test[:, widths == 1] >= 0.5)
    full, _, all_wide = build_design(graph, CHIP, genes(**k), x_train, y_train)
    assert all_wide.tolist() == [3] * 4
    assert printed_cost(q, chip, input_widths=widths).power_mw < printed_cost(full, chip).power_mw
    one_bit = genes(input_bits=1, wide_inputs=0.2)
    assert canonical(one_bit) == genes(input_bits=1)                            # nothing to narrow
    for bad in (0.0, 1.5, True):
        with pytest.raises(SpecError, match="wide="):
            input_widths(graph, chip, bad, x_train)
