"""Printed approximations, the genetic search, the published baselines and the CLI."""
import json
import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hwsim.chips import load_chip
from hwsim.cli import main
from hwsim.errors import GraphError, SpecError
from hwsim.models.train_printed import load_task, load_task_model
from hwsim.printed import approx
from hwsim.printed.baselines import BASELINES, baseline_mlp, get_baseline, validate, validation_table
from hwsim.printed.cost import printed_cost
from hwsim.printed.csd import nonzero_digits
from hwsim.printed.netcost import build_netlist
from hwsim.printed.search import KNOBS, pareto_front, search
from hwsim.qmlp import QLayer, QuantizedMLP

CHIP = load_chip("printed_egfet")


def random_mlp(seed: int) -> QuantizedMLP:
    rng = np.random.default_rng(seed)
    n_in, n_h, n_out = rng.integers(2, 7, size=3)
    hidden = QLayer("h", rng.integers(-127, 128, (n_h, n_in)), rng.integers(-500, 501, n_h), 4, True, 255)
    out = QLayer("o", rng.integers(-127, 128, (n_out, n_h)), rng.integers(-500, 501, n_out), 0, False, -1)
    return QuantizedMLP("x", int(n_in), (hidden, out))


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 2**31 - 1))
def test_pruning_never_increases_area(seed):
    q = random_mlp(seed)
    areas = [printed_cost(approx.prune_weights(q, f), CHIP).area_cm2 for f in (0.0, 0.25, 0.5, 0.75, 1.0)]
    assert all(b <= a + 1e-12 for a, b in zip(areas, areas[1:]))


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 2**31 - 1))
def test_powers_of_two_need_no_multiplier_and_coefficients_stay_near(seed):
    q = random_mlp(seed)
    po2 = approx.powers_of_two(q)
    for layer in po2.layers:
        for w in np.unique(np.abs(layer.weight[layer.weight != 0])):
            assert nonzero_digits(int(w)) == 1         # one shifted copy of the input: no multiplier
    near = approx.approximate_coefficients(q, 3)
    for before, after in zip(q.layers, near.layers):
        assert np.max(np.abs(after.weight - before.weight)) <= 3
    assert printed_cost(near, CHIP).area_cm2 <= printed_cost(q, CHIP).area_cm2 * 1.05


def test_truncation_narrows_the_hidden_layer_and_clip_saturates():
    q = random_mlp(3)
    before = build_netlist(q, 4).output_ranges["h"]
    after = build_netlist(approx.truncate_accumulator(q, 0, 2), 4).output_ranges["h"]
    assert all(hi_a <= hi_b >> 2 for (_, hi_a), (_, hi_b) in zip(after, before))
    clipped = approx.clip_activation(q, 0, 3)
    assert clipped.layers[0].act_max == 7 and all(hi <= 7 for _, hi in build_netlist(clipped, 4).output_ranges["h"])
    with pytest.raises(GraphError, match="expected a hidden layer index"):
        approx.truncate_accumulator(q, 1, 1)


def test_prune_inputs_drops_the_least_important():
    q = random_mlp(4)
    dropped = approx.prune_inputs(q, 2, np.arange(q.input_size, 0, -1))     # the last two are least important
    assert not dropped.layers[0].weight[:, -2:].any()
    np.testing.assert_array_equal(dropped.layers[0].weight[:, :-2], q.layers[0].weight[:, :-2])


@pytest.fixture(scope="module")
def iris():
    return load_task_model("iris"), load_task("iris")


def test_search_is_deterministic_and_its_front_is_non_dominated(iris):
    graph, data = iris
    a = search(graph, CHIP, data, "iris", population=6, generations=2, seed=3)
    b = search(graph, CHIP, data, "iris", population=6, generations=2, seed=3)
    assert a.to_dict() == b.to_dict()
    assert a.baseline.knobs == {k: v[0] for k, v in KNOBS.items()}
    for d in a.front:
        assert not any(o.train_accuracy > d.train_accuracy and o.area_cm2 < d.area_cm2 for o in a.designs)
    assert pareto_front(a.front) == a.front
    best = a.best_within_battery()
    assert best is None or best.power_mw <= 30.0


def test_baselines_table_reports_relative_errors():
    rows = validate(CHIP)
    assert [b.dataset for b, _ in rows] == list(BASELINES)
    table = validation_table(rows)
    for b, c in rows:
        assert f"{100 * (c.area_cm2 / b.area_cm2 - 1):+.1f} %" in table
    # the published Cardio circuit declares 13-bit hidden and 20-bit output activations ("act size [4, 13, 20]");
    # hwsim's range analysis of the same weights never needs more
    cardio = build_netlist(baseline_mlp(get_baseline("Cardio")), 4).output_ranges
    assert max(hi for _, hi in cardio["hidden"]).bit_length() <= 13
    assert max(hi for _, hi in cardio["output"]).bit_length() <= 20
    # the errors documented in docs/printed.md: published-weight designs 6-35 % smaller and 35-50 % lower in
    # power than the published (Synopsys-synthesised) circuits, as yosys + ABC's mapping of the same Verilog is
    for b, c in rows:
        if b.weights == "published":
            assert -0.40 < c.area_cm2 / b.area_cm2 - 1 < 0.0 and -0.50 < c.power_mw / b.power_mw - 1 < -0.30
    with pytest.raises(SpecError, match="Did you mean 'Cardio'"):
        get_baseline("Cardo")


def test_cli_printed_baselines_and_search(tmp_path, capsys):
    assert main(["printed", "baselines"]) == 0
    out = capsys.readouterr().out
    assert "| Cardio | 21-3-3 | published | 33.4 |" in out and "| breast_cancer | 30-3-2 |" in out
    assert main(["printed", "search", "--dataset", "iris", "--population", "4", "--generations", "1",
                 "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "| exact 8-bit |" in out
    data = json.loads((tmp_path / "iris_pareto.json").read_text())
    assert data["battery_power_mw"] == 30.0 and data["front"]
    assert (tmp_path / "iris_pareto.png").stat().st_size > 1000
    # the front's last design rebuilt, written, checked by iverilog on the test split and synthesised
    genes = ",".join(map(str, data["front"][-1]["genes"]))
    assert main(["printed", "export", "--dataset", "iris", "--genes", genes, "--out", str(tmp_path / "v")]) == 0
    out = capsys.readouterr().out
    assert f"test accuracy {data['front'][-1]['test_accuracy']:.1%}" in out
    assert re.search(r"iverilog: 0 mismatches of \d+ vectors", out) and "hwsim estimate" in out
    assert (tmp_path / "v" / "mlp_netlist.v").exists()
    assert main(["printed", "export", "--dataset", "iris", "--genes", "9,9"]) == 2
    assert f"expected {len(KNOBS)} comma-separated level indices" in capsys.readouterr().err


def test_printed_tasks_are_scaled_and_bundled_models_classify():
    from hwsim.pipeline import run

    x_train, y_train, x_test, y_test = load_task("breast_cancer")
    assert x_train.shape[1] == 30 and x_train.min() == 0.0 and x_train.max() == 1.0
    assert 0.0 <= x_test.min() and x_test.max() <= 1.0
    graph = load_task_model("breast_cancer")
    assert graph.metadata["task"] == "breast_cancer"
    report = run(graph, CHIP, x_test, y_test, calibration=x_train).report
    assert report.accuracy >= 0.93 and report.cells and report.checks["battery_budget"] is False
    with pytest.raises(SpecError, match="Did you mean 'iris'"):
        load_task("irs")


def test_profile_without_needed_cells_is_refused_and_without_cells_falls_back(tmp_path):
    from dataclasses import replace

    from hwsim.pipeline import run

    q = random_mlp(5)
    no_xor = replace(CHIP, cells={k: v for k, v in CHIP.cells.items() if not k.startswith("XOR")})
    with pytest.raises(SpecError, match="no cell for XOR2"):
        printed_cost(q, no_xor)
    # a mac profile without cells is costed per operator (Mubarik 2020): non-zero weights x MAC + ReLUs x ReLU
    x_train, y_train, x_test, y_test = load_task("iris")
    report = run(load_task_model("iris"), replace(CHIP, cells={}), x_test, y_test, calibration=x_train).report
    macs = report.ops_per_inference["mac"]
    assert report.cells == {}
    assert report.area_cm2 == pytest.approx(macs * 1.1 + 3 * 0.03)
    assert report.area_cm2 == pytest.approx(report.op_based["operator_level"]["area_cm2"])


def test_search_and_export_take_a_users_dataset(tmp_path, capsys):
    """--data: a CSV (header, class in the last column) with an MLP trained on it here, or an .npz with the
    user's own split and model; bad files are named errors."""
    from sklearn.datasets import load_iris

    from hwsim.cli import main
    from hwsim.models.train_printed import load_user_data

    data = load_iris()
    rows = ["a,b,c,d,class"] + [",".join(map(str, [*x, y])) for x, y in zip(data.data, data.target)]
    (tmp_path / "flowers.csv").write_text("\n".join(rows) + "\n")
    x_train, y_train, x_test, y_test = load_user_data(str(tmp_path / "flowers.csv"))
    assert (len(x_train), len(x_test)) == (120, 30) and x_train.min() == 0.0 and x_train.max() == 1.0
    assert main(["printed", "search", "--data", str(tmp_path / "flowers.csv"), "--population", "4",
                 "--generations", "1", "--out", str(tmp_path / "s")]) == 0
    out = capsys.readouterr().out
    assert "trained a 4-3-3 MLP on" in out and (tmp_path / "s" / "flowers_pareto.json").is_file()
    np.savez(tmp_path / "mine.npz", x=data.data[:100], y=data.target[:100], x_test=data.data[100:],
             y_test=data.target[100:])
    assert load_user_data(str(tmp_path / "mine.npz"))[2].shape == (50, 4)
    for text, message in (("a,b\n1,x\n", "non-numbers"), ("1,2\n3,4\n", "at least 10 samples")):
        (tmp_path / "bad.csv").write_text(text)
        assert main(["printed", "search", "--data", str(tmp_path / "bad.csv"), "--out", str(tmp_path / "b")]) == 2
        assert message in capsys.readouterr().err
    assert main(["printed", "search", "--dataset", "iris", "--data", "x.csv"]) == 2
    assert "exactly one" in capsys.readouterr().err


def test_mask_and_axsum_genes_are_searched_and_build_bit_exact_designs(iris):
    from hwsim.cli import _genes
    from hwsim.printed.eda import simulate_iverilog
    from hwsim.printed.search import rebuild_design
    from hwsim.printed.verilog import testbench_for, verilog_for

    graph, data = iris
    names = list(KNOBS)
    genes = [0] * len(KNOBS)
    genes[names.index("mask_fraction")], genes[names.index("axsum_bits")] = 3, 3       # 1/8, 2 bits
    design = rebuild_design(graph, CHIP, tuple(genes), data)
    assert all(layer.input_mask is not None and layer.axsum_truncate_bits is not None for layer in design.qmlp.layers)
    assert design.cost.area_cm2 < rebuild_design(graph, CHIP, (0,) * len(KNOBS), data).cost.area_cm2
    bits = design.chip.arithmetic.input_bits
    got = simulate_iverilog(verilog_for(design.qmlp, bits, input_widths=design.widths),
                            testbench_for(design.qmlp, design.test_codes, design.test_predictions, bits))
    assert got.tolist() == design.test_predictions.tolist()
    result = search(graph, CHIP, data, "iris", population=6, generations=1, seed=5)
    assert {d.knobs["axsum_bits"] for d in result.designs} - {-1}
    assert {d.knobs["mask_fraction"] for d in result.designs} - {0.0}
    # genes saved before these two knobs rebuild with both exact
    assert _genes("2,0,5,2,0,0,0,4,0,0,2", KNOBS) == (2, 0, 5, 2, 0, 0, 0, 4, 0, 0, 2, 0, 0, 0)
    assert _genes("2,0,5,2,0,0,0,4,0,0,2,3,3", KNOBS) == (2, 0, 5, 2, 0, 0, 0, 4, 0, 0, 2, 3, 3, 0)


def test_argmax_gene_and_pruned_adcs_are_searched_and_build_bit_exact_designs(iris):
    from hwsim.printed.eda import simulate_iverilog
    from hwsim.printed.search import rebuild_design
    from hwsim.printed.verilog import testbench_for, verilog_for

    graph, data = iris
    names = list(KNOBS)
    genes = [0] * len(KNOBS)
    genes[names.index("argmax_bits")] = 4                                                   # 4 low bits ignored
    design = rebuild_design(graph, CHIP, tuple(genes), data)
    assert design.qmlp.argmax_ignored_bits.tolist() == [4, 4]
    exact = rebuild_design(graph, CHIP, (0,) * len(KNOBS), data)
    assert design.cost.area_by_part_cm2["argmax"] < exact.cost.area_by_part_cm2["argmax"]
    bits = design.chip.arithmetic.input_bits
    got = simulate_iverilog(verilog_for(design.qmlp, bits, input_widths=design.widths),
                            testbench_for(design.qmlp, design.test_codes, design.test_predictions, bits))
    assert got.tolist() == design.test_predictions.tolist()
    full = search(graph, CHIP, data, "iris", population=6, generations=1, seed=5, adc=True)
    pruned = search(graph, CHIP, data, "iris", population=6, generations=1, seed=5, adc=True, adc_pruned=True)
    assert {d.knobs["argmax_bits"] for d in pruned.designs} - {0}
    assert pruned.to_dict()["adc_pruned"] and not full.to_dict()["adc_pruned"]
    # the same designs; a narrowed input's ADC keeps fewer comparators, so no design costs more
    by_genes = {d.genes: d for d in full.designs}
    assert all(d.area_cm2 <= by_genes[d.genes].area_cm2 + 1e-12 for d in pruned.designs)
    assert any(d.area_cm2 < by_genes[d.genes].area_cm2 - 1e-9 for d in pruned.designs)
