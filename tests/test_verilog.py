"""Verilog export of a printed MLP: iverilog must classify exactly as hwsim's integer kernel,
and yosys's netlist must be priced from the profile's cells.

The tools come from ``python -m hwsim.printed.eda``; without them these tests fail with that hint.
"""
import dataclasses

import re

import numpy as np
import pytest

from hwsim.chips import load_chip
from hwsim.errors import HwsimError, SpecError, UnsupportedError
from hwsim.cli import main
from hwsim.ir import Graph, load_graph, save_graph
from hwsim.lowering import lower_mlp
from hwsim.models.digits import bundled_model_path, load_digits_split
from hwsim.pipeline import run
from hwsim.printed import eda
from hwsim.printed.approx import approximate_argmax, predict
from hwsim.printed.celllib import library_cells, liberty_text
from hwsim.printed.eda import simulate_iverilog, synthesize_yosys
from hwsim.printed.netcost import build_netlist
from hwsim.printed import verilog
from hwsim.printed.verilog import signed_bits, verilog_for, write_verilog
from hwsim.qmlp import COMPARATOR_REMOVED, QLayer, QuantizedMLP
from hwsim.quantize import quantize_mlp, quantize_mlp_inputs
from hwsim.simulate import simulate_mlp

CHIP = load_chip("printed_egfet")


def _kernel_classes(qmlp: QuantizedMLP, x: np.ndarray) -> np.ndarray:
    """hwsim's integer model: the MLP kernel's last layer, argmax as hwsim.pipeline.run_mlp takes it."""
    return np.argmax(simulate_mlp(lower_mlp(qmlp), x).outputs, axis=1)


def _tree_classes(outputs: np.ndarray, ignored_bits: np.ndarray) -> np.ndarray:
    """The approximate argmax tree (hwsim.qmlp) in plain numpy, level by level over whole columns."""
    value, index = outputs.astype(np.int64), np.broadcast_to(np.arange(outputs.shape[1]), outputs.shape)
    comparators = iter(int(t) for t in ignored_bits)
    while value.shape[1] > 1:
        pairs = value.shape[1] // 2
        cols, idx = [], []
        for k in range(pairs):
            t = next(comparators)
            a, b = value[:, 2 * k], value[:, 2 * k + 1]
            take = np.zeros(a.shape, bool) if t == COMPARATOR_REMOVED else (b >> t) > (a >> t)
            cols.append(np.where(take, b, a))
            idx.append(np.where(take, index[:, 2 * k + 1], index[:, 2 * k]))
        value = np.column_stack(cols + [value[:, 2 * pairs:]] if value.shape[1] % 2 else cols)
        index = np.column_stack(idx + [index[:, 2 * pairs:]] if index.shape[1] % 2 else idx)
    return index[:, 0]


def _random_mlp(seed: int, masked: bool = False, axsum: bool = False) -> tuple[QuantizedMLP, int, np.ndarray]:
    """A random integer MLP (signed weights with zeros, biases, shifts, optional ReLU and clip) and inputs.

    The last layer's rows 0 and 1 are equal, so those two classes always tie (class 0 must win).
    ``masked``: random input-bit masks on every layer whose inputs are unsigned with a known width
    (the first layer, and layers after a clipped ReLU). ``axsum``: AxSum with 0-5 truncated bits per product
    on every layer whose inputs are unsigned (the first layer, and layers after a ReLU).
    """
    rng = np.random.default_rng(seed)
    input_bits, n_in = int(rng.integers(1, 5)), int(rng.integers(1, 7))
    n_layers = int(rng.integers(1, 4))
    layers, width, mask_bits = [], n_in, input_bits
    for k in range(n_layers):
        last = k == n_layers - 1
        n_out = int(rng.integers(2, 6)) if last else int(rng.integers(1, 7))
        weight = rng.integers(-40, 41, size=(n_out, width)) * (rng.random((n_out, width)) < 0.7)
        bias = rng.integers(-300, 301, size=n_out)
        if last:
            weight[1], bias[1] = weight[0], bias[0]
        act_max = -1 if rng.random() < 0.3 else int(rng.integers(0, 40))
        shift, relu = int(rng.integers(0, 5)), bool(rng.random() < 0.6)
        mask = rng.integers(0, 1 << mask_bits, size=(n_out, width)) if masked and mask_bits else None
        if mask is not None and last:
            mask[1] = mask[0]
        cut = rng.integers(0, 6, size=(n_out, width)) if axsum and (k == 0 or layers[-1].relu) else None
        if cut is not None and last:
            cut[1] = cut[0]
        layers.append(QLayer(f"layer{k}", weight.astype(np.int64), bias.astype(np.int64), shift, relu, act_max,
                             mask, cut))
        width, mask_bits = n_out, act_max.bit_length() if relu and act_max >= 0 else 0
    top = (1 << input_bits) - 1
    x = np.vstack([np.zeros(n_in), np.full(n_in, top), rng.integers(0, top + 1, size=(60, n_in))])
    return QuantizedMLP("x", n_in, tuple(layers)), input_bits, x.astype(np.int64)


def test_tools_are_installed():
    versions = eda.tool_versions()  # fails with "run 'python -m hwsim.printed.eda'" when missing
    assert versions["iverilog"].startswith("Icarus Verilog")
    assert versions["yosys"].startswith("Yosys")


@pytest.mark.parametrize("seed", range(10))
def test_random_mlps_classify_as_the_kernel(seed):
    qmlp, input_bits, x = _random_mlp(seed)
    expected = _kernel_classes(qmlp, x)
    got = simulate_iverilog(verilog_for(qmlp, input_bits), verilog.testbench_for(qmlp, x, expected, input_bits))
    assert got.tolist() == expected.tolist()


@pytest.mark.parametrize("seed", range(6))
def test_random_masked_mlps_classify_as_the_kernel(seed):
    qmlp, input_bits, x = _random_mlp(100 + seed, masked=True)
    assert qmlp.layers[0].input_mask is not None
    expected = _kernel_classes(qmlp, x)
    got = simulate_iverilog(verilog_for(qmlp, input_bits), verilog.testbench_for(qmlp, x, expected, input_bits))
    assert got.tolist() == expected.tolist()


@pytest.mark.parametrize("seed", range(6))
def test_random_axsum_mlps_classify_as_the_kernel(seed):
    qmlp, input_bits, x = _random_mlp(200 + seed, masked=seed % 2 == 1, axsum=True)
    assert qmlp.layers[0].axsum_truncate_bits is not None
    expected = _kernel_classes(qmlp, x)
    got = simulate_iverilog(verilog_for(qmlp, input_bits), verilog.testbench_for(qmlp, x, expected, input_bits))
    assert got.tolist() == expected.tolist()


@pytest.mark.parametrize("seed", range(6))
def test_random_approximate_argmax_classifies_as_the_kernel(seed):
    qmlp, input_bits, x = _random_mlp(300 + seed, masked=seed % 2 == 1)
    rng = np.random.default_rng(seed)
    n = qmlp.layers[-1].weight.shape[0] - 1
    bits = np.where(rng.random(n) < 0.25, COMPARATOR_REMOVED, rng.integers(0, 6, n))
    qmlp = approximate_argmax(qmlp, bits)
    expected = predict(qmlp, x)
    outputs = simulate_mlp(lower_mlp(qmlp), x).outputs
    assert expected.tolist() == _tree_classes(outputs, bits).tolist()
    got = simulate_iverilog(verilog_for(qmlp, input_bits), verilog.testbench_for(qmlp, x, expected, input_bits))
    assert got.tolist() == expected.tolist()


def test_axsum_accumulator_bit_by_bit():
    """Every value of one AxSum neuron, read off as classes: class 0 wins where the accumulator is >= a threshold."""
    # acc = 13 (x & 15) >> 2 << 2 - (7 y >> 2 << 2) + 5 - 1 over 4-bit x, y: CSD products (13 = 16 - 4 + 1,
    # 7 = 8 - 1) with inverted digits and carries below the cut, and a negative product's carries inverted
    weight, cut = np.array([[13, -7], [0, 0]]), np.full((2, 2), 2)
    x = np.array([[a, b] for a in range(16) for b in range(16)])
    acc = ((13 * x[:, 0]) >> 2 << 2) - ((7 * x[:, 1]) >> 2 << 2) + 5 - 1
    for threshold in (-60, -3, 0, 1, 17, 100, 150):
        layer = QLayer("l", weight, np.array([5, threshold]), 0, False, -1, None, cut)
        qmlp = QuantizedMLP("x", 2, (layer,))
        expected = np.where(acc >= threshold - (threshold < 0), 0, 1)    # a negative bias alone also takes -1
        assert _kernel_classes(qmlp, x).tolist() == expected.tolist()
        got = simulate_iverilog(verilog_for(qmlp, 4), verilog.testbench_for(qmlp, x, expected, 4))
        assert got.tolist() == expected.tolist()


def test_masked_bits_are_not_wired():
    # out = 3 * (x & 0b0101): only bits 0 and 2 of the 4-bit input reach the circuit
    layer = QLayer("l", np.array([[3], [0]]), np.array([0, 1]), 0, False, -1, np.array([[0b0101], [0b1111]]))
    design = verilog_for(QuantizedMLP("x", 1, (layer,)), 4)
    assert "in0[0]" in design and "in0[2]" in design
    assert "in0[1]" not in design and "in0[3]" not in design
    x = np.arange(16)[:, None]
    expected = _kernel_classes(QuantizedMLP("x", 1, (layer,)), x)
    assert expected.tolist() == [1 if 3 * (v & 5) < 1 else 0 for v in range(16)]


def test_negative_accumulators_ties_and_clip_by_hand():
    # in = (a, b) in 0..3; hidden: h0 = a - 2b - 1 (no ReLU, >> 1 floor, clip at 1), h1 = max(b - a, 0)
    # output: o0 = h0 + h1, o1 = h0 + h1 (always tied -> class 0), o2 = -h0
    hidden = QLayer("h", np.array([[1, -2], [-1, 1]]), np.array([-1, 0]), 1, False, 1)
    hidden_relu = dataclasses.replace(hidden, relu=True)
    out = QLayer("o", np.array([[1, 1], [1, 1], [-1, 0]]), np.zeros(3, dtype=np.int64), 0, False, -1)
    x = np.array([[a, b] for a in range(4) for b in range(4)])
    for first in (hidden, hidden_relu):
        qmlp = QuantizedMLP("x", 2, (first, out))
        a, b = x[:, 0], x[:, 1]
        h0 = np.minimum((a - 2 * b - 1) >> 1, 1)
        h1 = np.minimum((b - a) >> 1, 1)
        if first.relu:
            h0 = np.minimum(np.maximum(a - 2 * b - 1, 0) >> 1, 1)
            h1 = np.minimum(np.maximum(b - a, 0) >> 1, 1)
        scores = np.stack([h0 + h1, h0 + h1, -h0], axis=1)
        expected = np.argmax(scores, axis=1)
        assert expected.tolist() == _kernel_classes(qmlp, x).tolist()
        assert simulate_iverilog(verilog_for(qmlp, 2), verilog.testbench_for(qmlp, x, expected, 2)).tolist() == \
            expected.tolist()


def test_bundled_digits_mlp_classifies_every_held_out_vector_as_hwsim():
    graph = load_graph(bundled_model_path("digits_mlp"))
    x_train, _, x_test, y_test = load_digits_split()
    result = run(graph, CHIP, x_test, y_test, x_train)
    qmlp = quantize_mlp(graph, CHIP, x_train)
    codes = quantize_mlp_inputs(x_test, CHIP)
    bits = CHIP.arithmetic.input_bits
    got = simulate_iverilog(verilog_for(qmlp, bits), verilog.testbench_for(qmlp, codes, result.predictions, bits))
    assert len(got) == len(x_test) == 360
    assert int(np.sum(got != result.predictions)) == 0


def test_widths_are_exact():
    assert [signed_bits(lo, hi) for lo, hi in [(0, 0), (-1, 0), (0, 1), (-128, 127), (-129, 0), (0, 128)]] == \
        [1, 1, 2, 8, 9, 9]
    # acc = 3 + 2*a - 5*b, a, b in 0..15: range [3 - 75, 3 + 30] = [-72, 33] -> 8 bits signed;
    # the accumulator is the concatenation of its bit heap's result bits, the constant's low bit included
    layer = QLayer("l", np.array([[2, -5]]), np.array([3]), 0, False, -1)
    text = verilog_for(QuantizedMLP("x", 2, (layer,)), 4)
    assert re.search(r"wire signed \[7:0\] l0_acc0 = \{[^;]*\};  // \[-72, 33\]", text)


@pytest.mark.parametrize("seed, axsum", [(seed, False) for seed in range(6)] + [(seed, True) for seed in range(3)])
def test_the_verilog_has_exactly_the_adders_hwsim_counts(seed, axsum):
    """One wire per gate output: full/half adders 2, inverter, XOR2 and carry-only adders 1; same counts as
    build_netlist.

    ReLU and clipping are left out (their inverters are counted but written as expressions); with ``axsum``
    the first layer sums by AxSum (the later ones then have signed inputs, so they sum exactly).
    """
    qmlp, input_bits, _ = _random_mlp(seed, axsum=axsum)
    qmlp = dataclasses.replace(qmlp, layers=tuple(dataclasses.replace(
        layer, relu=False, act_max=-1, axsum_truncate_bits=None if k else layer.axsum_truncate_bits)
        for k, layer in enumerate(qmlp.layers)))
    text = verilog_for(qmlp, input_bits)
    outputs = {"full_adder": 2, "half_adder": 2, "full_adder_const1": 2, "inverter": 1, "xor2": 1,
               "full_adder_carry": 1, "half_adder_carry": 1, "full_adder_const1_carry": 1}
    for index, layer in enumerate(qmlp.layers):
        gates = build_netlist(qmlp, input_bits).gates_by_part[layer.name]  # the Verilog ends in the argmax
        adder_gates = sum(n * outputs[g] for g, n in gates.items() if g in outputs)
        assert len(re.findall(rf"^  wire l{index}_n\d+_\d+ = ", text, flags=re.M)) == adder_gates


def test_synthesis_is_priced_from_the_library_cells_and_classifies_as_the_kernel():
    qmlp, input_bits, x = _random_mlp(5)
    result = synthesize_yosys(verilog_for(qmlp, input_bits), CHIP)
    cells = CHIP.cells
    assert result["cells"] and set(result["cells"]) <= set(cells)
    assert result["n_cells"] == sum(result["cells"].values())
    area_cm2 = sum(n * cells[c]["area_um2"].value for c, n in result["cells"].items()) * 1e-8
    power_mw = sum(n * cells[c]["leakage_uw"].value for c, n in result["cells"].items()) * 1e-3
    assert result["area_cm2"] == pytest.approx(area_cm2, rel=1e-12) and area_cm2 > 0
    assert result["power_mw"] == pytest.approx(power_mw, rel=1e-12) and power_mw > 0
    assert result["logic_depth"] >= 1
    # the mapped netlist, simulated with a behavioural model of each cell, is the same classifier
    expected = _kernel_classes(qmlp, x)
    netlist = result["netlist"] + result["cell_models"]
    assert simulate_iverilog(netlist, verilog.testbench_for(qmlp, x, expected, input_bits)).tolist() == \
        expected.tolist()


def test_library_leaves_out_cells_without_a_known_function():
    cells = {**CHIP.cells, "DFFNRX1": CHIP.cells["INVX1"]}
    library, notes = library_cells(dataclasses.replace(CHIP, cells=cells))
    assert "DFFNRX1" not in library and set(library) == set(CHIP.cells)
    assert any("DFFNRX1" in note for note in notes)
    text = liberty_text("lib", library)
    assert 'cell(NAND2X1)' in text and 'function : "!(A&B)"' in text


def test_library_needs_cells():
    with pytest.raises(SpecError, match="no 'cells' section"):
        library_cells(dataclasses.replace(CHIP, cells={}))
    with pytest.raises(SpecError, match="expected at least one of"):
        library_cells(dataclasses.replace(CHIP, cells={"DFFX1": CHIP.cells["INVX1"]}))


def test_write_verilog_writes_design_testbench_and_vectors(tmp_path):
    qmlp, input_bits, x = _random_mlp(1)
    expected = _kernel_classes(qmlp, x)
    paths = write_verilog(tmp_path / "out", qmlp, x, expected, input_bits, top="net")
    assert paths["design"].read_text().startswith("// net:")
    assert "module net_tb;" in paths["testbench"].read_text()
    table = np.loadtxt(paths["vectors"], delimiter=",", skiprows=1, dtype=np.int64, ndmin=2)
    assert np.array_equal(table[:, :-1], x) and np.array_equal(table[:, -1], expected)


def test_bad_inputs_are_rejected():
    qmlp, input_bits, x = _random_mlp(0)
    expected = _kernel_classes(qmlp, x)
    with pytest.raises(SpecError, match="not a Verilog identifier"):
        verilog_for(qmlp, input_bits, top="2mlp")
    with pytest.raises(SpecError, match="input_bits 0"):
        verilog_for(qmlp, 0)
    with pytest.raises(SpecError, match="expected 0 .. "):
        verilog.testbench_for(qmlp, x + (1 << input_bits), expected, input_bits)
    with pytest.raises(SpecError, match="expected integer codes of shape"):
        verilog.testbench_for(qmlp, x[:, :-1] if x.shape[1] > 1 else np.hstack([x, x]), expected, input_bits)
    with pytest.raises(SpecError, match="expected integer codes"):
        verilog.testbench_for(qmlp, x.astype(float), expected, input_bits)
    with pytest.raises(SpecError, match="one per vector"):
        verilog.testbench_for(qmlp, x, expected[:-1], input_bits)
    with pytest.raises(SpecError, match="the last layer's width"):
        verilog.testbench_for(qmlp, x, expected + 100, input_bits)


def test_a_layer_field_without_a_translation_is_unsupported():
    truncating = dataclasses.make_dataclass("TruncatingQLayer", [("acc_bits", int, dataclasses.field(default=-1))],
                                            bases=(QLayer,), frozen=True, eq=False)
    layer = QLayer("l", np.array([[1, -1]]), np.array([0]), 0, False, -1)
    fields = {f.name: getattr(layer, f.name) for f in dataclasses.fields(layer)}
    verilog_for(QuantizedMLP("x", 2, (truncating(**fields),)), 4)   # the default: nothing to translate
    with pytest.raises(UnsupportedError, match="field 'acc_bits' = 12 has no Verilog translation"):
        verilog_for(QuantizedMLP("x", 2, (truncating(**fields, acc_bits=12),)), 4)


def test_missing_tools_name_the_installer(monkeypatch):
    monkeypatch.setenv("PATH", "")
    with pytest.raises(HwsimError, match="python -m hwsim.printed.eda"):
        simulate_iverilog("", "")
    monkeypatch.setattr(eda.os, "geteuid", lambda: 0)
    with pytest.raises(HwsimError, match="apt-get not found"):
        eda.install_tools(log=lambda line: None)


def test_cli_exports_checks_and_synthesises_a_small_mlp(tmp_path, capsys):
    rng = np.random.default_rng(0)
    graph = Graph("tiny_mlp")
    graph.add_input("features", 3, kind="value")
    graph.add_population("hidden", 3, "relu", bias=rng.normal(size=3))
    graph.add_population("output", 2, "identity", bias=rng.normal(size=2))
    graph.add_projection("features", "hidden", rng.normal(size=(3, 3)))
    graph.add_projection("hidden", "output", rng.normal(size=(2, 3)))
    graph.add_output("readout", "output", readout="value")
    save_graph(graph, tmp_path / "tiny.npz")
    np.savez(tmp_path / "data.npz", x=rng.random((20, 3)), calibration=rng.random((50, 3)))
    out = tmp_path / "out"
    assert main(["export-verilog", str(tmp_path / "tiny.npz"), "--inputs", str(tmp_path / "data.npz"),
                 "--vectors", "12", "--out", str(out), "--top", "tiny"]) == 0
    printed = capsys.readouterr().out
    assert "iverilog: 0 mismatches of 12 vectors" in printed and "yosys + ABC" in printed
    assert {p.name for p in out.iterdir()} == {"tiny.v", "tiny_tb.v", "tiny_vectors.csv", "tiny_netlist.v",
                                              "tiny_synth.json"}


def test_mixed_input_widths_read_only_the_top_bits():
    qmlp, _, _ = _random_mlp(3)
    rng = np.random.default_rng(3)
    widths = rng.integers(1, 5, qmlp.input_size)
    low = 4 - widths
    x = np.vstack([np.zeros(qmlp.input_size, int), rng.integers(0, 16, (40, qmlp.input_size))])
    expected = _kernel_classes(qmlp, (x >> low) << low)          # the circuit ignores the low bits
    source = verilog_for(qmlp, 4, input_widths=widths)
    assert simulate_iverilog(source, verilog.testbench_for(qmlp, x, expected, 4)).tolist() == expected.tolist()
    with pytest.raises(HwsimError, match="input_widths"):
        verilog_for(qmlp, 4, input_widths=np.full(qmlp.input_size, 5))
