"""The reader of Armeniakos et al.'s MLP-C Verilog (exact and AxSum forms), on Verilog written here.

The published designs (garmeniakos/Ax-Printed-ML-Classifiers) have no licence, so none is kept in
hwsim: the modules below are written by hand in the generator's form, and ``_axsum_verilog`` writes
random ones in that form for the property test. ``bench/published_axsum.py`` runs the reader on the
published files.
"""
from __future__ import annotations

import json
import re
import shutil

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hwsim.errors import SpecError
from hwsim.printed.approx import predict
from hwsim.printed import mlpc_import
from hwsim.printed.mlpc_import import design_mlp, parse_design
from strategies import damaged_texts

needs_iverilog = pytest.mark.skipif(shutil.which("iverilog") is None or shutil.which("vvp") is None,
                                    reason="iverilog not installed (python -m hwsim.printed.eda)")

# A 2-2-3 AxSum design in the generator's form, written by hand. Inputs a0 = inp[3:0], a1 = inp[7:4].
# n_0_0 = relu(((3 a0) >> 2 << 2) - ((2 a1) >> 3 << 3) - 1)        (bias 0; a negative weight: the -1)
# n_0_1 = a0 + 6 a1 - 5 - 1  -> relu                               (negative bias in sum_neg; products exact)
# n_1_0 = (1 h0) + 2 h1                                            (only positive: identity, no -1)
# n_1_1 = relu(20 - ((4 h1) >> 5 << 5) - 1)                        (one bit of the product kept)
# n_1_2 = 7                                                        (no weights: a constant)
AX = """//weights: not read
module top (inp, out);
input [7:0] inp;
output [1:0] out;

// layer: 0 - neuron: 0
    //weight 3 : 2'b11
    wire [5:0] n_0_0_po_0, n_0_0_po_0_ax;
    assign n_0_0_po_0 = $unsigned(inp[3:0]) * $unsigned(2'b11);
    assign n_0_0_po_0_ax = {n_0_0_po_0[5:2], {2{1'b0}}};

    //weight abs(-2) : 2'b10
    wire [4:0] n_0_0_po_1, n_0_0_po_1_ax;
    assign n_0_0_po_1 = $unsigned(inp[7:4]) * $unsigned(2'b10);
    assign n_0_0_po_1_ax = {n_0_0_po_1[4:3], {3{1'b0}}};

    //accumulate positive/negative subproducts
    wire [5:0] n_0_0_sum_pos;
    assign n_0_0_sum_pos = n_0_0_po_0_ax;
    wire [4:0] n_0_0_sum_neg;
    assign n_0_0_sum_neg = n_0_0_po_1_ax;
    wire signed [6:0] n_0_0_sum;
    assign n_0_0_sum = $signed({1'b0,n_0_0_sum_pos}) + $signed({1'b1,~n_0_0_sum_neg});

    //relu
    wire [5:0] n_0_0;
    assign n_0_0 = (n_0_0_sum<0) ? $unsigned({6{1'b0}}) : $unsigned(n_0_0_sum[5:0]);

// layer: 0 - neuron: 1
    //weight 1 : 1'b1
    wire [3:0] n_0_1_po_0, n_0_1_po_0_ax;
    assign n_0_1_po_0 = $unsigned(inp[3:0]) * $unsigned(1'b1);
    assign n_0_1_po_0_ax = n_0_1_po_0[3:0];

    //weight 6 : 3'b110
    wire [6:0] n_0_1_po_1, n_0_1_po_1_ax;
    assign n_0_1_po_1 = $unsigned(inp[7:4]) * $unsigned(3'b110);
    assign n_0_1_po_1_ax = n_0_1_po_1[6:0];

    //accumulate positive/negative subproducts
    wire [6:0] n_0_1_sum_pos;
    assign n_0_1_sum_pos = n_0_1_po_0_ax + n_0_1_po_1_ax;
    wire [2:0] n_0_1_sum_neg;
    assign n_0_1_sum_neg = 3'b101;
    wire signed [7:0] n_0_1_sum;
    assign n_0_1_sum = $signed({1'b0,n_0_1_sum_pos}) + $signed({1'b1,~n_0_1_sum_neg});

    //relu
    wire [6:0] n_0_1;
    assign n_0_1 = (n_0_1_sum<0) ? $unsigned({7{1'b0}}) : $unsigned(n_0_1_sum[6:0]);

// layer: 1 - neuron: 0
    //weight 1 : 1'b1
    wire [5:0] n_1_0_po_0, n_1_0_po_0_ax;
    assign n_1_0_po_0 = $unsigned(n_0_0) * $unsigned(1'b1);
    assign n_1_0_po_0_ax = n_1_0_po_0[5:0];

    //weight 2 : 2'b10
    wire [7:0] n_1_0_po_1, n_1_0_po_1_ax;
    assign n_1_0_po_1 = $unsigned(n_0_1) * $unsigned(2'b10);
    assign n_1_0_po_1_ax = n_1_0_po_1[7:0];

    //accumulate positive/negative subproducts
    wire [8:0] n_1_0_sum_pos;
    assign n_1_0_sum_pos = n_1_0_po_0_ax + n_1_0_po_1_ax;

    //WARN: only positive weights. Using identity
    wire [8:0] n_1_0;
    assign n_1_0 = n_1_0_sum_pos;

// layer: 1 - neuron: 1
    //weight 0 : skip
    //weight abs(-4) : 3'b100
    wire [8:0] n_1_1_po_1, n_1_1_po_1_ax;
    assign n_1_1_po_1 = $unsigned(n_0_1) * $unsigned(3'b100);
    assign n_1_1_po_1_ax = {n_1_1_po_1[8], {8{1'b0}}};

    //accumulate positive/negative subproducts
    wire [4:0] n_1_1_sum_pos;
    assign n_1_1_sum_pos = 5'b10100;
    wire [8:0] n_1_1_sum_neg;
    assign n_1_1_sum_neg = n_1_1_po_1_ax;
    wire signed [9:0] n_1_1_sum;
    assign n_1_1_sum = $signed({1'b0,n_1_1_sum_pos}) + $signed({1'b1,~n_1_1_sum_neg});

    //relu
    wire [4:0] n_1_1;
    assign n_1_1 = (n_1_1_sum<0) ? $unsigned({5{1'b0}}) : $unsigned(n_1_1_sum[4:0]);

// layer: 1 - neuron: 2
    //weight 0 : skip
    //weight 0 : skip
    //accumulate positive/negative subproducts
    wire [2:0] n_1_2_sum_pos;
    assign n_1_2_sum_pos = 3'b111;

    //WARN: only positive weights. Using identity
    wire [2:0] n_1_2;
    assign n_1_2 = n_1_2_sum_pos;

// argmax: 3 classes, need 2 bits
// argmax inp: n_1_0, n_1_1, n_1_2
    //comp level 0
    wire cmp_0_0;
    wire [8:0] argmax_val_0_0;
    wire [1:0] argmax_idx_0_0;
    assign {cmp_0_0} = ( n_1_0 >= n_1_1 );
    assign {argmax_val_0_0} = ( cmp_0_0 ) ? n_1_0 : n_1_1;
    assign {argmax_idx_0_0} = ( cmp_0_0 ) ? 2'b00 : 2'b01;

    //comp level 1
    wire cmp_1_0;
    wire [8:0] argmax_val_1_0;
    wire [1:0] argmax_idx_1_0;
    assign {cmp_1_0} = ( argmax_val_0_0 >= n_1_2 );
    assign {argmax_val_1_0} = ( cmp_1_0 ) ? argmax_val_0_0 : n_1_2;
    assign {argmax_idx_1_0} = ( cmp_1_0 ) ? argmax_idx_0_0 : 2'b10;

    assign out = argmax_idx_1_0;

endmodule
"""

# A 2-2-2 exact-form design (signed constant products, integer bias, ReLU, predo), written by hand:
# n_0_0 = relu(5 a0 - 3 a1 + 4), n_0_1 = relu(-2 a0 + 7 a1 - 9), n_1_0 = relu(h0 - h1 + 2), n_1_1 = relu(2 h1 - 30).
EXACT = """//weights: not read
module top (inp, predo, out);
input [7:0] inp;
output [15:0] predo;
output [0:0] out;

// layer: 0 - neuron: 0
    wire signed [8:0] n_0_0_po_0;
    //weight 5: 4'sb0101
    assign n_0_0_po_0 = $signed({1'b0, inp[3:0]}) * 4'sb0101;

    wire signed [8:0] n_0_0_po_1;
    //weight -3: 4'sb1101
    assign n_0_0_po_1 = $signed({1'b0, inp[7:4]}) * 4'sb1101;

    wire signed [8:0] n_0_0_sum;
    assign n_0_0_sum = 4 + n_0_0_po_0 + n_0_0_po_1;
    //relu
    wire [7:0] n_0_0;
    assign n_0_0 = (n_0_0_sum<0) ? $unsigned({8{1'b0}}) : $unsigned(n_0_0_sum[7:0]);

// layer: 0 - neuron: 1
    wire signed [8:0] n_0_1_po_0;
    //weight -2: 4'sb1110
    assign n_0_1_po_0 = $signed({1'b0, inp[3:0]}) * 4'sb1110;

    wire signed [8:0] n_0_1_po_1;
    //weight 7: 4'sb0111
    assign n_0_1_po_1 = $signed({1'b0, inp[7:4]}) * 4'sb0111;

    wire signed [8:0] n_0_1_sum;
    assign n_0_1_sum = -9 + n_0_1_po_0 + n_0_1_po_1;
    //relu
    wire [7:0] n_0_1;
    assign n_0_1 = (n_0_1_sum<0) ? $unsigned({8{1'b0}}) : $unsigned(n_0_1_sum[7:0]);

// layer: 1 - neuron: 0
    wire signed [10:0] n_1_0_po_0;
    //weight 1: 3'sb001
    assign n_1_0_po_0 = $signed({1'b0, n_0_0}) * 3'sb001;

    wire signed [10:0] n_1_0_po_1;
    //weight -1: 3'sb111
    assign n_1_0_po_1 = $signed({1'b0, n_0_1}) * 3'sb111;

    wire signed [10:0] n_1_0_sum;
    assign n_1_0_sum = 2 + n_1_0_po_0 + n_1_0_po_1;
    //relu
    wire [9:0] n_1_0;
    assign n_1_0 = (n_1_0_sum<0) ? $unsigned({10{1'b0}}) : $unsigned(n_1_0_sum[9:0]);

// layer: 1 - neuron: 1
    wire signed [10:0] n_1_1_po_0;
    //weight 0: 3'sb000
    assign n_1_1_po_0 = $signed({1'b0, n_0_0}) * 3'sb000;

    wire signed [10:0] n_1_1_po_1;
    //weight 2: 3'sb010
    assign n_1_1_po_1 = $signed({1'b0, n_0_1}) * 3'sb010;

    wire signed [10:0] n_1_1_sum;
    assign n_1_1_sum = -30 + n_1_1_po_0 + n_1_1_po_1;
    //relu
    wire [9:0] n_1_1;
    assign n_1_1 = (n_1_1_sum<0) ? $unsigned({10{1'b0}}) : $unsigned(n_1_1_sum[9:0]);

    assign predo = {n_1_0,n_1_1};
// argmax: 2 classes, need 1 bits
    wire cmp_0_0;
    wire [10:0] argmax_val_0_0;
    wire [0:0] argmax_idx_0_0;
    assign {cmp_0_0} = ( n_1_0 >= n_1_1 );
    assign {argmax_val_0_0} = ( cmp_0_0 ) ? n_1_0 : n_1_1;
    assign {argmax_idx_0_0} = ( cmp_0_0 ) ? 1'b0 : 1'b1;

    assign out = argmax_idx_0_0;

endmodule
"""

ALL_CODES = np.array([[a, b] for a in range(16) for b in range(16)])


def _iverilog_classes(verilog: str, parsed: dict, codes: np.ndarray) -> np.ndarray:
    from hwsim.printed.eda import simulate_iverilog
    from hwsim.printed.verilog import testbench_for, wrapper_for

    mlp = design_mlp(parsed)
    wrapper = wrapper_for(parsed["n_inputs"], parsed["input_bits"], parsed["classes"], parsed["out_bits"])
    return simulate_iverilog(verilog + wrapper, testbench_for(mlp, codes, predict(mlp, codes), parsed["input_bits"]))


def test_axsum_design_reads_as_its_arithmetic():
    parsed = parse_design(AX)
    assert (parsed["form"], parsed["input_bits"], parsed["n_inputs"], parsed["classes"], parsed["out_bits"]) == \
        ("axsum", 4, 2, 3, 2)
    hidden, output = parsed["layers"]
    assert hidden["weight"] == [[3, -2], [1, 6]] and hidden["bias"] == [0, -5]
    assert hidden["axsum_truncate_bits"] == [[2, 3], [0, 0]]
    assert output["weight"] == [[1, 2], [0, -4], [0, 0]] and output["bias"] == [0, 20, 7]
    assert output["axsum_truncate_bits"] == [[0, 0], [0, 8], [0, 0]]
    assert all(layer["relu"] and layer["shift"] == 0 and layer["act_max"] == -1 and layer["input_mask"] is None
               for layer in parsed["layers"])


def test_axsum_design_integer_model_by_hand():
    mlp = design_mlp(parse_design(AX))
    # a=(15, 15): h0 = relu(44 - 24 - 1) = 19, h1 = relu(15 + 90 - 5 - 1) = 99
    #             scores: 19 + 198 = 217; relu(20 - (396 >> 8 << 8) - 1) = relu(20 - 256 - 1) = 0; 7 -> class 0
    # a=(0, 0):   h0 = relu(0 - 0 - 1) = 0, h1 = relu(-6) = 0; scores 0, 19, 7 -> class 1
    # a=(5, 1):   h0 = relu(12 - 0 - 1) = 11 (15 >> 2 << 2 = 12; 2 >> 3 << 3 = 0), h1 = relu(5 + 6 - 6) = 5
    #             scores: 11 + 10 = 21, relu(20 - 0 - 1) = 19 (20 >> 8 = 0), 7 -> class 0
    # a=(1, 0):   h0 = relu(0 - 1) = 0 (3 >> 2 << 2 = 0), h1 = relu(1 - 6) = 0; scores 0, 19, 7 -> class 1
    codes = np.array([[15, 15], [0, 0], [5, 1], [1, 0]])
    assert predict(mlp, codes).tolist() == [0, 1, 0, 1]


def test_exact_design_reads_as_its_arithmetic():
    parsed = parse_design(EXACT)
    assert (parsed["form"], parsed["classes"], parsed["out_bits"]) == ("exact", 2, 1)
    hidden, output = parsed["layers"]
    assert hidden["weight"] == [[5, -3], [-2, 7]] and hidden["bias"] == [4, -9]
    assert output["weight"] == [[1, -1], [0, 2]] and output["bias"] == [2, -30]
    assert hidden["axsum_truncate_bits"] is None and output["axsum_truncate_bits"] is None
    # a=(15, 0): h = (79, 0) -> (81, 0) -> class 0; a=(0, 15): h = (0, 96) -> (0, 162) -> class 1
    assert predict(design_mlp(parsed), np.array([[15, 0], [0, 15]])).tolist() == [0, 1]


@needs_iverilog
@pytest.mark.parametrize("verilog", [AX, EXACT], ids=["axsum", "exact"])
def test_iverilog_matches_rebuild_on_every_input(verilog):
    parsed = parse_design(verilog)
    assert np.array_equal(_iverilog_classes(verilog, parsed, ALL_CODES), predict(design_mlp(parsed), ALL_CODES))


def _axsum_verilog(layers: list, input_bits: int) -> str:
    """A design in the AxSum generator's form: ``layers`` = [(weights, biases, cuts)], ReLU/identity, argmax.

    A cut is kept below its product's width (the top bit always stays); ``cuts`` is updated to what was written.
    """
    n_in = len(layers[0][0][0])
    lines = ["module top (inp, out);", f"input [{n_in * input_bits - 1}:0] inp;"]
    highs, body = [(1 << input_bits) - 1] * n_in, []
    for li, (weights, biases, cuts) in enumerate(layers):
        outs = []
        for i, (row, bias) in enumerate(zip(weights, biases)):
            body.append(f"// layer: {li} - neuron: {i}")
            parts = {"pos": [bin(bias)[1:].replace("b", f"{max(1, bias.bit_length())}'b")] if bias > 0 else [],
                     "neg": [f"{(-bias).bit_length()}'b{-bias:b}"] if bias < 0 else []}
            tops = {"pos": max(bias, 0), "neg": max(-bias, 0)}
            for k, w in enumerate(row):
                if w == 0:
                    body.append("    //weight 0 : skip")
                    continue
                name, src, top = f"n_{li}_{i}_po_{k}", (f"inp[{k * input_bits + input_bits - 1}:{k * input_bits}]"
                                                        if li == 0 else f"n_{li - 1}_{k}"), abs(w) * highs[k]
                bits = max(1, top.bit_length())
                t = cuts[i][k] = min(cuts[i][k], bits - 1)
                body += [f"    wire [{bits - 1}:0] {name}, {name}_ax;",
                         f"    assign {name} = $unsigned({src}) * $unsigned({abs(w).bit_length()}'b{abs(w):b});",
                         f"    assign {name}_ax = " + (f"{name}[{bits - 1}:0];" if t == 0 else
                                                       f"{{{name}[{bits - 1}:{t}], {{{t}{{1'b0}}}}}};")]
                parts["pos" if w > 0 else "neg"].append(f"{name}_ax")
                tops["pos" if w > 0 else "neg"] += (top >> t) << t
            wp = max(1, tops["pos"].bit_length())
            body += [f"    wire [{wp - 1}:0] n_{li}_{i}_sum_pos;",
                     f"    assign n_{li}_{i}_sum_pos = {' + '.join(parts['pos']) or '1' + chr(39) + 'b0'};"]
            if parts["neg"]:
                wn = max(1, tops["neg"].bit_length())
                ws = max(wp, wn) + 1
                body += [f"    wire [{wn - 1}:0] n_{li}_{i}_sum_neg;",
                         f"    assign n_{li}_{i}_sum_neg = {' + '.join(parts['neg'])};",
                         f"    wire signed [{ws - 1}:0] n_{li}_{i}_sum;",
                         f"    assign n_{li}_{i}_sum = $signed({{1'b0,n_{li}_{i}_sum_pos}}) + "
                         f"$signed({{1'b1,~n_{li}_{i}_sum_neg}});",
                         f"    wire [{wp - 1}:0] n_{li}_{i};",
                         f"    assign n_{li}_{i} = (n_{li}_{i}_sum<0) ? $unsigned({{{wp}{{1'b0}}}}) : "
                         f"$unsigned(n_{li}_{i}_sum[{wp - 1}:0]);"]
                outs.append(max(tops["pos"] - 1, 0))
            else:
                body += [f"    wire [{wp - 1}:0] n_{li}_{i};", f"    assign n_{li}_{i} = n_{li}_{i}_sum_pos;"]
                outs.append(tops["pos"])
        highs = outs
    n_classes, last = len(highs), len(layers) - 1
    vbits, cbits = max(max(1, h.bit_length()) for h in highs), max(1, (n_classes - 1).bit_length())
    items, level = [(f"n_{last}_{c}", f"{cbits}'b{c:0{cbits}b}") for c in range(n_classes)], 0
    while len(items) > 1:
        nxt = []
        for j in range(0, len(items) - 1, 2):
            (a, ia), (b, ib), s = items[j], items[j + 1], f"{level}_{j}"
            body += [f"    wire cmp_{s};", f"    wire [{vbits - 1}:0] argmax_val_{s};",
                     f"    wire [{cbits - 1}:0] argmax_idx_{s};", f"    assign {{cmp_{s}}} = ( {a} >= {b} );",
                     f"    assign {{argmax_val_{s}}} = ( cmp_{s} ) ? {a} : {b};",
                     f"    assign {{argmax_idx_{s}}} = ( cmp_{s} ) ? {ia} : {ib};"]
            nxt.append((f"argmax_val_{s}", f"argmax_idx_{s}"))
        items, level = nxt + ([items[-1]] if len(items) % 2 else []), level + 1
    lines.insert(2, f"output [{cbits - 1}:0] out;")
    return "\n".join(lines + body + [f"    assign out = {items[0][1]};", "endmodule", ""])


@st.composite
def _axsum_layers(draw):
    sizes = [draw(st.integers(1, 3)), draw(st.integers(1, 3)), draw(st.integers(2, 5))]
    layers = []
    for n_in, n_out in zip(sizes, sizes[1:]):
        weights = [[draw(st.integers(-9, 9)) for _ in range(n_in)] for _ in range(n_out)]
        weights[0][0] = weights[0][0] or 1  # a product reads each layer's input 0 (the input width is read there)
        biases = [draw(st.integers(-40, 40)) for _ in range(n_out)]
        cuts = [[draw(st.integers(0, 6)) if w else 0 for w in row] for row in weights]
        layers.append((weights, biases, cuts))
    return layers, draw(st.integers(1, 4))


@needs_iverilog
@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_axsum_layers(), st.integers(0, 2**31 - 1))
def test_random_axsum_designs_read_back_and_match_iverilog(case, seed):
    layers, input_bits = case
    verilog = _axsum_verilog(layers, input_bits)
    parsed = parse_design(verilog)
    for (weights, biases, cuts), layer in zip(layers, parsed["layers"]):
        assert layer["weight"] == weights and layer["bias"] == biases and layer["axsum_truncate_bits"] == cuts
    codes = np.random.default_rng(seed).integers(0, 1 << input_bits, (64, len(layers[0][0][0])))
    assert np.array_equal(_iverilog_classes(verilog, parsed, codes), predict(design_mlp(parsed), codes))


@pytest.mark.parametrize("old, new, message", [
    ("( n_1_0 >= n_1_1 )", "( n_1_0 > n_1_1 )", "gives ties to the later class"),
    ("wire [5:0] n_0_0_sum_pos;", "wire [4:0] n_0_0_sum_pos;", "sum_pos reaches 44 in 5 bits"),
    ("n_0_0_po_0_ax = {n_0_0_po_0[5:2], {2{1'b0}}}", "n_0_0_po_0_ax = {n_0_0_po_0[4:2], {2{1'b0}}}",
     "expected its top bit kept"),
    ("n_0_0_po_0_ax = {n_0_0_po_0[5:2], {2{1'b0}}}", "n_0_0_po_0_ax = {n_0_0_po_0[5:3], {2{1'b0}}}",
     "expected the kept bits to start where the zeros end"),
    ("assign n_0_1_sum_neg = 3'b101;", "assign n_0_1_sum_neg = 3'b000;", "subtracts 1 without a negative weight"),
    ("( argmax_val_0_0 >= n_1_2 )", "( n_1_2 >= argmax_val_0_0 )", "expected 'cmp_1_0 ? n_1_2 : argmax_val_0_0'"),
    ("$unsigned(inp[7:4]) * $unsigned(2'b10)", "$unsigned(inp[3:0]) * $unsigned(2'b10)", "expected inp[7:4]"),
    ("wire [6:0] n_0_1;", "wire [5:0] n_0_1;", "ReLU keeps bits 6..0 into 6 bits"),
    ("wire [8:0] argmax_val_1_0;", "wire [4:0] argmax_val_1_0;", "narrower than the values"),
    ("    assign n_1_2 = n_1_2_sum_pos;", "    assign n_1_2 = n_1_2_sum_pos;\n    always @(*) x = 1;",
     "is not part of the generator's form"),
    ("    assign out = argmax_idx_1_0;", "    assign out = argmax_idx_0_0;", "out = its last index"),
])
def test_bad_axsum_verilog_is_refused(old, new, message):
    assert AX.count(old) >= 1
    with pytest.raises(SpecError, match=re.escape(message)):
        parse_design(AX.replace(old, new, 1))


@pytest.mark.parametrize("old, new, message", [
    ("wire signed [8:0] n_0_0_po_0;", "wire signed [5:0] n_0_0_po_0;", "expected a signed wire that holds it"),
    ("wire signed [10:0] n_1_0_sum;", "wire signed [8:0] n_1_0_sum;", "expected a signed sum that holds its range"),
    ("assign n_0_0_sum = 4 + n_0_0_po_0 + n_0_0_po_1;", "assign n_0_0_sum = 4 + n_0_0_po_0 + n_0_0_po_0;",
     "each once"),
    ("assign n_0_0_po_0 = $signed({1'b0, inp[3:0]}) * 4'sb0101;",
     "assign n_0_0_po_0 = $signed({1'b0, inp[3:0]}) * 4'sb01011;", "expected 4 digits"),
])
def test_bad_exact_verilog_is_refused(old, new, message):
    assert EXACT.count(old) == 1
    with pytest.raises(SpecError, match=re.escape(message)):
        parse_design(EXACT.replace(old, new))


def test_other_verilog_is_refused():
    with pytest.raises(SpecError, match="expected the Verilog text"):
        parse_design(b"bytes")
    with pytest.raises(SpecError, match="a number of 70 digits; expected at most 62"):
        parse_design(AX.replace("3'b101;", "70'b" + "1" * 70 + ";"))
    with pytest.raises(SpecError, match="expected equal fields of 1 to 16 bits"):
        parse_design(AX.replace("inp[3:0]", "inp[0:3]"))
    with pytest.raises(SpecError, match="expected at most 4096"):
        parse_design(AX.replace("input [7:0] inp;", "input [99999999:0] inp;"))
    with pytest.raises(SpecError, match="expected a design of the Armeniakos et al. generator"):
        parse_design("module top (inp, out);\ninput [3:0] inp;\noutput [0:0] out;\nendmodule\n")
    netlist = "module top ( inp, out );\n  input [3:0] inp;\n  NAND2X1 U12 ( .A(inp[0]), .B(inp[1]), .Y(n1) );\n"
    with pytest.raises(SpecError, match=r"line 3: cell instance 'NAND2X1 U12 \('.*holds no weights"):
        parse_design(netlist)
    head, rest = AX.split("// layer: 0 - neuron: 1")
    exact_neuron = EXACT.split("// layer: 0 - neuron: 0")[1].split("// layer: 0 - neuron: 1")[0]
    mixed = head + "// layer: 0 - neuron: 1" + exact_neuron.replace("n_0_0", "n_0_1") + \
        "// layer: 1 - neuron: 0" + rest.split("// layer: 1 - neuron: 0")[1]
    with pytest.raises(SpecError, match="neuron n_0_1: an exact neuron in a layer whose neuron 0 is AxSum"):
        parse_design(mixed)


@settings(max_examples=150, deadline=None)
@given(st.sampled_from([AX, EXACT]).flatmap(damaged_texts))
def test_fuzz_reader_never_crashes(text):
    try:
        design_mlp(parse_design(text))
    except SpecError:
        pass


def test_command_line_prints_the_layers_or_a_one_line_error(tmp_path, capsys):
    """``python -m hwsim.printed.mlpc_import FILE.v``: the parsed design as JSON, or exit status 1 and the
    reader's message, for a design, a file that is not the generator's form and one that is missing."""
    good, bad = tmp_path / "ax.v", tmp_path / "bad.v"
    good.write_text(AX)
    bad.write_text("module top (x);\n")
    assert mlpc_import.main([str(good)]) == 0
    assert json.loads(capsys.readouterr().out) == json.loads(json.dumps(parse_design(AX, str(good))))
    assert mlpc_import.main([str(bad)]) == 1
    assert "is not part of the generator's form" in capsys.readouterr().err
    assert mlpc_import.main([str(tmp_path / "missing.v")]) == 1
    assert "cannot be read" in capsys.readouterr().err
