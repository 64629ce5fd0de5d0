"""Read the integer MLP out of a published bespoke printed MLP's Verilog.

The printed-MLP papers of Afentaki et al. (ICCAD 2023, DATE 2024, IEEE ESL 2024;
``floAfentaki/Approximation-Techniques-Targeting-Printed-MLPs``) publish each final design as
Verilog written by one generator. Per neuron ``n_<layer>_<neuron>`` it declares, for each
non-zero weight ``k``, a product ``n_L_N_po_k`` (a comment ``//weight W`` or
``//weight abs(-W)`` gives the weight, an optional ``//mask M : [bits]`` the input bits the
product reads), sums the positive and the negative products with the bias as literals
(``sum_pos``, ``sum_neg``), then either ``//linear``, a ReLU, or a ReLU through DesignWare's
``DW01_satrnd #(width, msb, lsb)`` (keep bits ``msb..lsb``, saturating), and ends in a
``>=`` comparator-tree argmax. :func:`parse_design` turns that text into the integer layers of
a :class:`hwsim.qmlp.QuantizedMLP`::

    y = sum_j w_j (a_j & mask_j) + b;  ReLU;  y >> lsb;  min(y, 2**(msb - lsb + 1) - 1)

Only the data is taken (weights, biases, masks, widths); the Verilog itself is not copied
into hwsim. ``python -m hwsim.printed.hdl_import FILE.v`` prints the layers as JSON.
Anything outside this generator's form is refused with a :class:`~hwsim.errors.SpecError`
naming the line; the rebuilt design is checked against the original with iverilog
(``tests/test_printed_published.py``).
"""
from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

from hwsim.errors import SpecError, cut, exit_status

_INPUT = re.compile(r"^\s*input\s*\[(\d+):0\]\s*inp\s*;", re.MULTILINE)
_OUTPUT = re.compile(r"^\s*output\s*\[(\d+):0\]\s*out\s*;", re.MULTILINE)
_NEURON = re.compile(r"^// layer: (\d+) - neuron: (\d+)\s*$")
_WEIGHT = re.compile(r"^//weight (?:abs\((-\d+)\)|(\d+))\s*:")
_MASK = re.compile(r"^//mask (\d+) :")
_PRODUCT = re.compile(r"^assign n_(\d+)_(\d+)_po_(\d+)(_a)? = (.+);$")
_SUM = re.compile(r"^assign n_(\d+)_(\d+)_sum_(pos|neg) = (.+);$")
_SUM_TOTAL = re.compile(r"^assign n_(\d+)_(\d+)_sum = (.+);$")
_ZERO = re.compile(r"^\$signed\(\{\d+\{1'b0\}\}\)$")
_SLICE = re.compile(r"^assign n_(\d+)_(\d+)_qrelu = n_\1_\2_sum_f\[(\d+):(\d+)\];$")
_SATRND = re.compile(r"^DW01_satrnd #\((\d+), (\d+), (\d+)\) USR_n_(\d+)_(\d+) ")
_RELU = re.compile(r"^assign n_(\d+)_(\d+) = \(n_\1_\2_sum_f<0\) \? \$unsigned\(\{\d+\{1'b0\}\}\) : "
                   r"\$unsigned\(n_\1_\2_(qrelu|sum_f)\);$")
_ZERO_OUT = re.compile(r"^assign n_(\d+)_(\d+) = \$unsigned\(\{\d+\{1'b0\}\}\);$")
_LINEAR = re.compile(r"^assign n_(\d+)_(\d+) = n_\1_\2_sum_f;$")
_OUT_WIRE = re.compile(r"^wire (?:signed )?\[(\d+):0\] n_(\d+)_(\d+)(?:,|;)")
_SUM_WIRE = re.compile(r"^wire signed \[(\d+):0\] n_(\d+)_(\d+)_sum_f;")
_LITERAL = re.compile(r"^(\d+)'([bd])([0-9_]+)$")
_SOURCE_INPUT = re.compile(r"inp\[(\d+):(\d+)\]")
_SOURCE_HIDDEN = re.compile(r"\bn_(\d+)_(\d+)\b(?!_)")

#: Largest design the reader accepts (neurons per layer, inputs, layers): far above the published ones.
MAX_WIDTH = 4096
MAX_LAYERS = 8


def _literal(term: str, where: str) -> int | None:
    """Value of a Verilog literal ``W'bBITS`` / ``W'dDEC``, or None when ``term`` is a wire."""
    m = _LITERAL.match(term)
    if m is None:
        return None
    digits = m.group(3).replace("_", "")
    try:
        return int(digits, 2 if m.group(2) == "b" else 10)
    except ValueError:
        raise SpecError(f"{where}: literal '{cut(term)}'; expected binary or decimal digits.") from None


class _Neuron:
    """What one neuron's lines declare (filled line by line)."""

    def __init__(self):
        self.weights: dict[int, int] = {}
        self.masks: dict[int, int] = {}
        self.products: dict[int, str] = {}
        self.sums: dict[str, list[str]] = {}
        self.total: str | None = None
        self.act: tuple | None = None
        self.out_bits: int | None = None
        self.sum_bits: int | None = None


def _read_neurons(lines: list[str], where: str) -> dict[tuple[int, int], _Neuron]:
    neurons: dict[tuple[int, int], _Neuron] = {}
    current, weight, mask = None, None, None
    for number, raw in enumerate(lines, 1):
        line, at = raw.strip(), f"{where} line {number}"
        if (m := _NEURON.match(line)) is not None:
            key = (int(m.group(1)), int(m.group(2)))
            if key in neurons or key[0] >= MAX_LAYERS or key[1] >= MAX_WIDTH:
                raise SpecError(f"{at}: neuron {key} repeated or beyond {MAX_LAYERS} layers of {MAX_WIDTH}; "
                                f"expected each '// layer: L - neuron: N' once.")
            current = neurons[key] = _Neuron()
            weight, mask = None, None
            continue
        if current is None or not line:
            continue
        if (m := _WEIGHT.match(line)) is not None:
            weight = int(m.group(1) or m.group(2))
        elif (m := _MASK.match(line)) is not None:
            mask = int(m.group(1))
        elif (m := _PRODUCT.match(line)) is not None:
            k = int(m.group(3))
            if k >= MAX_WIDTH:
                raise SpecError(f"{at}: product index {k}; expected below {MAX_WIDTH}.")
            current.products[k] = current.products.get(k, "") + " " + m.group(5)
            if m.group(4) is None:
                if weight is None:
                    raise SpecError(f"{at}: product po_{k} without a '//weight' comment before it; expected the "
                                    f"generator's '//weight W : ...' line.")
                current.weights[k] = weight
                if mask is not None:
                    current.masks[k] = mask
                weight, mask = None, None
        elif (m := _SUM.match(line)) is not None:
            current.sums[m.group(3)] = [t.strip() for t in m.group(4).split("+")]
        elif (m := _SUM_TOTAL.match(line)) is not None:
            current.total = m.group(3).replace(" ", "")
        elif (m := _SLICE.match(line)) is not None:
            current.act = ("slice", int(m.group(3)), int(m.group(4)))
        elif (m := _SATRND.match(line)) is not None:
            current.act = ("satrnd", int(m.group(1)), int(m.group(2)), int(m.group(3)))
        elif (m := _RELU.match(line)) is not None:
            if m.group(3) == "sum_f":
                current.act = ("relu",)
            elif current.act is None or current.act[0] not in ("satrnd", "slice"):
                raise SpecError(f"{at}: ReLU of n_{m.group(1)}_{m.group(2)}_qrelu without a DW01_satrnd before it; "
                                f"expected the saturating ReLU's two lines together.")
        elif _ZERO_OUT.match(line) is not None:
            current.act = ("zero",)
        elif _LINEAR.match(line) is not None:
            current.act = ("linear",)
        elif (m := _OUT_WIRE.match(line)) is not None:
            current.out_bits = int(m.group(1)) + 1
        elif (m := _SUM_WIRE.match(line)) is not None:
            current.sum_bits = int(m.group(1)) + 1
    return neurons


def _source(expr: str, k: int, layer: int, input_bits: int, at: str) -> None:
    """Check that product ``k`` of a neuron in ``layer`` reads input ``k`` of that layer."""
    if layer == 0:
        found = _SOURCE_INPUT.findall(expr)
        expected = (str(k * input_bits + input_bits - 1), str(k * input_bits))
        if not found or any(f != expected for f in found):
            raise SpecError(f"{at}: product {k} reads {cut(expr)}; expected inp[{expected[0]}:{expected[1]}].")
    else:
        found = _SOURCE_HIDDEN.findall(expr)
        if not found or any(f != (str(layer - 1), str(k)) for f in found):
            raise SpecError(f"{at}: product {k} reads {cut(expr)}; expected n_{layer - 1}_{k}.")


def _neuron_row(key: tuple[int, int], n: _Neuron, n_in: int, input_bits: int, where: str) -> dict:
    at = f"{where} neuron n_{key[0]}_{key[1]}"
    row_w, row_mask, bias = [0] * n_in, [None] * n_in, 0
    for k, expr in n.products.items():
        if k >= n_in:
            raise SpecError(f"{at}: product {k}; expected inputs 0..{n_in - 1}.")
        _source(expr, k, key[0], input_bits, at)
        row_w[k] = n.weights.get(k, 0)
        row_mask[k] = n.masks.get(k)
    parts = _summed_parts(n, at)
    used = set()
    for part, sign in (("pos", 1), ("neg", -1)):
        for term in n.sums[part] if part in parts else ():
            value = _literal(term, at)
            if value is not None:
                bias += sign * value
                continue
            m = re.fullmatch(rf"n_{key[0]}_{key[1]}_po_(\d+)", term)
            if m is None or int(m.group(1)) not in n.products:
                raise SpecError(f"{at}: sum_{part} term '{cut(term)}'; expected this neuron's products or literals.")
            k = int(m.group(1))
            if row_w[k] == 0 or (row_w[k] > 0) != (sign > 0):
                raise SpecError(f"{at}: product {k} of weight {row_w[k]} in sum_{part}; expected positive weights "
                                f"in sum_pos, negative in sum_neg.")
            used.add(k)
    for k in set(range(n_in)) - used:  # declared but left out of the sum: the circuit drops them
        row_w[k], row_mask[k] = 0, None
    return {"weight": row_w, "mask": row_mask, "bias": bias, "act": _activation(n, at)}


def _summed_parts(n: _Neuron, at: str) -> set[str]:
    """Which of ``sum_pos`` / ``sum_neg`` the neuron's ``sum`` adds (none: the generator's constant 0)."""
    total = n.total
    if total is None:
        raise SpecError(f"{at}: no 'assign n_L_N_sum = ...'; expected the neuron's sum.")
    if _ZERO.match(total):
        return set()
    pos = re.fullmatch(r"\$signed\(\{1'b0,n_\d+_\d+_sum_pos\}\)(-\$signed\(\{1'b0,n_\d+_\d+_sum_neg\}\))?", total)
    if pos is None:
        raise SpecError(f"{at}: sum '{cut(total)}'; expected sum_pos - sum_neg, sum_pos, or a constant 0.")
    parts = {"pos", "neg"} if pos.group(1) else {"pos"}
    if not parts <= set(n.sums):
        raise SpecError(f"{at}: the sum adds {sorted(parts)} but declares {sorted(n.sums)}; expected each declared.")
    return parts


def _activation(n: _Neuron, at: str) -> tuple:
    """``(relu, shift, act_max)`` of a neuron; None for a neuron wired to 0 (any activation gives 0)."""
    if n.act is None:
        raise SpecError(f"{at}: no activation; expected '//linear', a ReLU or a DW01_satrnd ReLU.")
    if n.act[0] == "zero":
        if n.total is None or not _ZERO.match(n.total):
            raise SpecError(f"{at}: output wired to 0 from a sum that is not the constant 0; expected both.")
        return None
    if n.act[0] == "linear":
        return False, 0, -1
    if n.act[0] == "satrnd":
        _, width, msb, lsb = n.act
        if not 0 <= lsb <= msb < width or (n.out_bits is not None and n.out_bits != msb - lsb + 1):
            raise SpecError(f"{at}: DW01_satrnd #({width}, {msb}, {lsb}) into {n.out_bits} bits; expected "
                            f"0 <= lsb <= msb < width and an output of msb - lsb + 1 bits.")
        if n.sum_bits is not None and n.sum_bits - 1 > width:
            raise SpecError(f"{at}: DW01_satrnd reads {width} of the sum's {n.sum_bits - 1} magnitude bits; "
                            f"expected the whole non-negative sum.")
        return True, lsb, (1 << (msb - lsb + 1)) - 1
    if n.act[0] == "slice":
        _, hi, lo = n.act
        if n.sum_bits is None or not 0 <= lo <= hi or hi + 1 < n.sum_bits - 1 or n.out_bits != hi - lo + 1:
            raise SpecError(f"{at}: ReLU output sum_f[{hi}:{lo}] of a {n.sum_bits}-bit signed sum into "
                            f"{n.out_bits} bits; expected every magnitude bit above lo kept (a narrower slice wraps).")
        return True, lo, (1 << (hi - lo + 1)) - 1  # never reached: the kept bits hold every value
    if n.out_bits is None or n.sum_bits is None or n.out_bits < n.sum_bits - 1:
        raise SpecError(f"{at}: ReLU output of {n.out_bits} bits from a {n.sum_bits}-bit signed sum; expected the "
                        f"whole non-negative sum (a narrower output wraps, which hwsim does not express).")
    return True, 0, -1


def parse_design(text: str, where: str = "verilog") -> dict:
    """The integer MLP written in one generator-form Verilog design (module doc).

    Returns
    -------
    dict
        ``input_bits``, ``n_inputs``, ``classes`` and ``layers``: per layer ``weight``
        (``n_out x n_in`` ints), ``bias``, ``shift``, ``relu``, ``act_max`` and ``input_mask``
        (``n_out x n_in`` ints, or None when every product reads every bit).

    Raises
    ------
    SpecError
        If ``text`` is not of that form (the message names the line or neuron).
    """
    if not isinstance(text, str):
        raise SpecError(f"{where}: {type(text).__name__}; expected the Verilog text.")
    m_in, m_out = _INPUT.search(text), _OUTPUT.search(text)
    neurons = _read_neurons(text.splitlines(), where)
    if m_in is None or m_out is None or not neurons:
        raise SpecError(f"{where}: no 'input [..:0] inp', 'output [..:0] out' or '// layer: L - neuron: N' "
                        f"blocks; expected a design of the Afentaki et al. generator (module doc).")
    layer_sizes = [sum(1 for key in neurons if key[0] == layer) for layer in range(max(k[0] for k in neurons) + 1)]
    if any(size == 0 for size in layer_sizes) or any((layer, i) not in neurons for layer, size in
                                                      enumerate(layer_sizes) for i in range(size)):
        raise SpecError(f"{where}: neurons {sorted(neurons)}; expected neurons 0..n-1 of layers 0..L-1.")
    width = int(m_in.group(1)) + 1
    first_inputs = 1 + max((k for n in (neurons[(0, i)] for i in range(layer_sizes[0])) for k in n.products),
                           default=0)
    input_bits = next((b for b in range(1, 17) if width % b == 0 and width // b >= first_inputs and
                       all(_SOURCE_INPUT.search(e) is None or all(int(h) - int(lo) + 1 == b for h, lo in
                                                                  _SOURCE_INPUT.findall(e))
                           for n in neurons.values() for e in n.products.values())), None)
    if input_bits is None:
        raise SpecError(f"{where}: a {width}-bit inp whose slices are not of one width; expected equal input fields.")
    n_in, in_bits, layers = width // input_bits, input_bits, []
    for layer, size in enumerate(layer_sizes):
        rows = [_neuron_row((layer, i), neurons[(layer, i)], n_in, input_bits, where) for i in range(size)]
        acts = {r["act"] for r in rows} - {None} or {(True, 0, -1)}
        if len(acts) != 1:
            raise SpecError(f"{where}: layer {layer} mixes activations {sorted(acts)}; expected one per layer.")
        relu, shift, act_max = acts.pop()
        masked = any(m is not None for r in rows for m in r["mask"])
        full = (1 << in_bits) - 1  # every bit the layer's inputs can carry
        layers.append({"weight": [r["weight"] for r in rows], "bias": [r["bias"] for r in rows], "shift": shift,
                       "relu": relu, "act_max": act_max,
                       "input_mask": [[full if m is None else m for m in r["mask"]] for r in rows] if masked else None})
        n_in = size
        in_bits = max(neurons[(layer, i)].out_bits or 0 for i in range(size))
        if relu and not 0 < in_bits <= 62:
            raise SpecError(f"{where}: layer {layer} outputs of {in_bits} bits; expected 1 to 62 declared bits.")
    classes = layer_sizes[-1]
    if classes < 2 or (classes - 1).bit_length() > int(m_out.group(1)) + 1:
        raise SpecError(f"{where}: {classes} classes on a {int(m_out.group(1)) + 1}-bit out; expected at least two "
                        f"classes and at least {max(1, (classes - 1).bit_length())} bits.")
    return {"input_bits": input_bits, "n_inputs": width // input_bits, "classes": classes, "layers": layers}


def print_design_cli(module: str, description: str, parse, argv: list[str] | None = None) -> int:
    """``python -m hwsim.printed.<module> FILE.v``: print ``parse(text, FILE)``'s integer layers as JSON (the
    command line of this reader and of :mod:`hwsim.printed.mlpc_import`)."""
    parser = argparse.ArgumentParser(prog=f"python -m hwsim.printed.{module}", description=description)
    parser.add_argument("verilog", type=Path)
    args = parser.parse_args(argv)

    def run() -> int:
        try:
            text = args.verilog.read_text(encoding="utf-8", errors="strict")
        except (OSError, UnicodeDecodeError) as e:
            raise SpecError(f"{args.verilog}: cannot be read ({e}); expected a UTF-8 Verilog file.") from None
        print(json.dumps(parse(text, str(args.verilog))))
        return 0

    return exit_status(module, run)


def main(argv: list[str] | None = None) -> int:
    """``python -m hwsim.printed.hdl_import FILE.v``: print the design's integer layers as JSON."""
    return print_design_cli("hdl_import", __doc__.split("\n")[0], parse_design, argv)

if __name__ == "__main__":
    sys.exit(main())
