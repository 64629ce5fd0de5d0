"""Read the integer MLP out of Armeniakos et al.'s published bespoke MLP-C Verilog.

``garmeniakos/Ax-Printed-ML-Classifiers`` (Armeniakos, Zervakis, Soudris, Tahoori, Henkel:
DATE 2022, IEEE TCAD 2023, IEEE TC 2023) publishes its classifiers as register-transfer Verilog
written by one generator, in two forms. Per neuron ``n_<layer>_<neuron>`` and non-zero product
``k`` (input ``k`` of the layer: ``inp[k b + b - 1 : k b]`` for the first, ``n_<layer-1>_k`` after):

- *exact* (the baselines and the coefficient-approximated designs):
  ``n_L_N_po_k = $signed({1'b0, a_k}) * W'sbBITS`` (the weight as a signed constant),
  ``n_L_N_sum = BIAS + n_L_N_po_0 + ...``;
- *AxSum* (TC 2023, "Retrain & AxSum"): ``n_L_N_po_k = $unsigned(a_k) * $unsigned(W'bBITS)``
  (the weight's magnitude), its approximate copy ``n_L_N_po_k_ax``, either the product or
  ``{n_L_N_po_k[h:t], {t{1'b0}}}`` (the low ``t`` bits dropped), the positive products and a
  positive bias summed in ``n_L_N_sum_pos``, the negative ones' magnitudes and a negative
  bias's in ``n_L_N_sum_neg``, and ``n_L_N_sum = $signed({1'b0,sum_pos}) + $signed({1'b1,~sum_neg})``
  (``sum_pos - sum_neg - 1``); a neuron with no ``sum_neg`` is ``sum_pos`` itself
  (``//WARN: only positive weights. Using identity``).

Both end every neuron in a ReLU, ``(sum<0) ? 0 : sum[h:0]``, and classify with a ``>=``
comparator-tree argmax. That is exactly a :class:`hwsim.qmlp.QuantizedMLP` whose layers
have ``relu``, no shift or clipping and, for AxSum, ``axsum_truncate_bits`` = ``t`` per product
(the ``-1`` of ``sum_pos + ~sum_neg`` is hwsim's AxSum offset, applied where a neuron has a
negative weight or bias). The reader checks each declared width against the value ranges
(interval arithmetic from the ``b``-bit inputs), so no wire of the design wraps, and checks that
the argmax is hwsim's tree (operands ``(0, 1), (2, 3), ...`` level by level, ties to the earlier
class). Anything else, such as a gate-level netlist (the repository's netlist-pruned designs) or
a ``>`` comparator, is refused with a :class:`~hwsim.errors.SpecError` naming the line or neuron.

Only the data is taken (weights, biases, truncations); no Verilog is copied into hwsim.
``python -m hwsim.printed.mlpc_import FILE.v`` prints the layers as JSON.
"""
from __future__ import annotations

import re
import sys

import numpy as np

from hwsim.errors import GraphError, SpecError, cut
from hwsim.printed.hdl_import import print_design_cli
from hwsim.qmlp import QLayer, QuantizedMLP

#: Largest design the reader accepts (neurons per layer, inputs; layers): far above the published ones.
MAX_WIDTH = 4096
MAX_LAYERS = 8
#: Widest wire accepted (hwsim's integers are int64).
MAX_WIRE_BITS = 62

_PORT = re.compile(r"^(input|output) \[(\d+):0\] (\w+);$")
_NEURON = re.compile(r"^// layer: (\d+) - neuron: (\d+)$")
_WIRE = re.compile(r"^wire (signed )?(?:\[(\d+):0\] )?(\w+(?:, ?\w+)*);$")
_SOURCE = r"(inp\[(\d+):(\d+)\]|n_(\d+)_(\d+))"
_EXACT_PRODUCT = re.compile(rf"^assign n_(\d+)_(\d+)_po_(\d+) = \$signed\(\{{1'b0, ?{_SOURCE}\}}\) \* "
                            rf"(\d+)'sb([01]+);$")
_AX_PRODUCT = re.compile(rf"^assign n_(\d+)_(\d+)_po_(\d+) = \$unsigned\({_SOURCE}\) \* \$unsigned\((\d+)'b([01]+)\);$")
_AX_FULL = re.compile(r"^assign n_(\d+)_(\d+)_po_(\d+)_ax = n_\1_\2_po_\3\[(\d+):0\];$")
_AX_CUT = re.compile(r"^assign n_(\d+)_(\d+)_po_(\d+)_ax = \{n_\1_\2_po_\3\[(\d+)(?::(\d+))?\], ?\{(\d+)\{1'b0\}\}\};$")
_PART = re.compile(r"^assign n_(\d+)_(\d+)_sum_(pos|neg) = (.+);$")
_AX_SUM = re.compile(r"^assign n_(\d+)_(\d+)_sum = \$signed\(\{1'b0, ?n_\1_\2_sum_pos\}\) \+ "
                     r"\$signed\(\{1'b1, ?~n_\1_\2_sum_neg\}\);$")
_EXACT_SUM = re.compile(r"^assign n_(\d+)_(\d+)_sum = (-?\d+)((?: \+ n_\1_\2_po_\d+)*);$")
_RELU = re.compile(r"^assign n_(\d+)_(\d+) = \(n_\1_\2_sum ?< ?0\) \? \$unsigned\(\{(\d+)\{1'b0\}\}\) : "
                   r"\$unsigned\(n_\1_\2_sum\[(\d+):0\]\);$")
_IDENTITY = re.compile(r"^assign n_(\d+)_(\d+) = n_\1_\2_sum_pos;$")
_CMP = re.compile(r"^assign \{?(cmp_\d+_\d+)\}? = \( ?(\w+) (>=|>) (\w+) ?\);$")
_MUX = re.compile(r"^assign \{?(argmax_(?:val|idx)_\d+_\d+)\}? = \( ?(cmp_\d+_\d+) ?\) \? (\w+|\d+'b[01]+) : "
                  r"(\w+|\d+'b[01]+);$")
_OUT = re.compile(r"^assign out = (argmax_idx_\d+_\d+);$")
_PREDO = re.compile(r"^assign predo = \{[\w, ]+\};$")
_LITERAL = re.compile(r"^(\d+)'b([01]+)$")
_CELL = re.compile(r"^\s*[A-Z][A-Z0-9_]*X\d+ \w+ \(", re.MULTILINE)


class _Neuron:
    """What one neuron's lines declare (filled line by line)."""

    def __init__(self):
        self.products: dict[int, tuple] = {}   # k -> (form, source, magnitude or weight, product wire)
        self.cuts: dict[int, tuple] = {}       # k -> (low bits dropped, top bit kept) of its _ax (AxSum)
        self.parts: dict[str, list[str]] = {}  # "pos"/"neg" -> summed terms
        self.sum: tuple | None = None          # ("axsum",) or ("exact", bias, [k...])
        self.act: tuple | None = None          # ("relu", zero_bits, top_bit) or ("identity",)


def _literal(term: str, at: str) -> int | None:
    m = _LITERAL.match(term)
    if m is None:
        return None
    if len(m.group(2)) > int(m.group(1)) or int(m.group(1)) > MAX_WIRE_BITS:
        raise SpecError(f"{at}: literal '{cut(term)}'; expected at most as many digits as its width, up to "
                        f"{MAX_WIRE_BITS} bits.")
    return int(m.group(2), 2)


def _statement(line: str, at: str, neurons: dict, argmax: dict) -> None:
    """File one ``assign`` line under its neuron or the argmax (SpecError for anything else)."""
    if (m := _EXACT_PRODUCT.match(line)) or (m := _AX_PRODUCT.match(line)):
        key, k = (int(m.group(1)), int(m.group(2))), int(m.group(3))
        bits, digits = int(m.group(9)), m.group(10)
        if len(digits) != bits or bits > MAX_WIRE_BITS:
            raise SpecError(f"{at}: constant {bits}'b{digits}; expected {bits} digits, up to {MAX_WIRE_BITS} bits.")
        value = int(digits, 2)
        if m.re is _EXACT_PRODUCT:
            value -= (value >> (bits - 1)) << bits  # two's complement
        _neuron(neurons, key, at).products[k] = ("exact" if m.re is _EXACT_PRODUCT else "axsum", m.groups()[3:8],
                                                 value, f"n_{key[0]}_{key[1]}_po_{k}")
    elif (m := _AX_FULL.match(line)) or (m := _AX_CUT.match(line)):
        key, k = (int(m.group(1)), int(m.group(2))), int(m.group(3))
        top = int(m.group(4))
        low = 0 if m.re is _AX_FULL else int(m.group(6))
        if m.re is _AX_CUT and int(m.group(5) if m.group(5) is not None else m.group(4)) != low:
            raise SpecError(f"{at}: keeps bits from {m.group(5) or m.group(4)} and pads {low} zeros; expected the "
                            f"kept bits to start where the zeros end.")
        _neuron(neurons, key, at).cuts[k] = (low, top)
    elif (m := _PART.match(line)) is not None:
        _neuron(neurons, (int(m.group(1)), int(m.group(2))), at).parts[m.group(3)] = \
            [t.strip() for t in m.group(4).split("+")]
    elif (m := _AX_SUM.match(line)) is not None:
        _neuron(neurons, (int(m.group(1)), int(m.group(2))), at).sum = ("axsum",)
    elif (m := _EXACT_SUM.match(line)) is not None:
        terms = [int(t.rsplit("_", 1)[1]) for t in m.group(4).split(" + ")[1:]]
        _neuron(neurons, (int(m.group(1)), int(m.group(2))), at).sum = ("exact", int(m.group(3)), terms)
    elif (m := _RELU.match(line)) is not None:
        _neuron(neurons, (int(m.group(1)), int(m.group(2))), at).act = ("relu", int(m.group(3)), int(m.group(4)))
    elif (m := _IDENTITY.match(line)) is not None:
        _neuron(neurons, (int(m.group(1)), int(m.group(2))), at).act = ("identity",)
    elif (m := _CMP.match(line)) is not None:
        if m.group(3) != ">=":
            raise SpecError(f"{at}: comparator '{m.group(2)} > {m.group(4)}' gives ties to the later class; expected "
                            f"'>=' (hwsim's argmax gives ties to the earlier class, as numpy.argmax).")
        argmax.setdefault("cmp", {})[m.group(1)] = (m.group(2), m.group(4))
    elif (m := _MUX.match(line)) is not None:
        argmax.setdefault("mux", {})[m.group(1)] = (m.group(2), m.group(3), m.group(4))
    elif (m := _OUT.match(line)) is not None:
        argmax["out"] = m.group(1)
    elif _PREDO.match(line) is None:
        raise SpecError(f"{at}: '{cut(line)}' is not a statement of the generator; expected its products, sums, "
                        f"ReLUs and argmax (module doc).")


def _neuron(neurons: dict, key: tuple, at: str) -> _Neuron:
    if key not in neurons:
        raise SpecError(f"{at}: n_{key[0]}_{key[1]} outside its '// layer: {key[0]} - neuron: {key[1]}' block; "
                        f"expected each neuron's lines in its block.")
    return neurons[key]


def _read(text: str, where: str) -> tuple[dict, dict, dict, dict]:
    """Ports, wires (name -> (bits, signed)), neurons and the argmax's statements of the design."""
    if (long := re.search(r"\d{63,}", text)) is not None:
        raise SpecError(f"{where}: a number of {len(long.group(0))} digits; expected at most 62 (the widest wire).")
    if (cell := _CELL.search(text)) is not None:
        raise SpecError(f"{where} line {text.count(chr(10), 0, cell.start()) + 1}: cell instance "
                        f"'{cut(cell.group(0).strip(), 40)}'; expected the generator's RTL. A gate-level netlist (such "
                        f"as the repository's netlist-pruned designs) holds no weights to read.")
    ports, wires, neurons, argmax = {}, {}, {}, {}
    for number, raw in enumerate(text.splitlines(), 1):
        line, at = raw.strip(), f"{where} line {number}"
        if not line or line.startswith("//") and _NEURON.match(line) is None:
            continue
        if (m := _NEURON.match(line)) is not None:
            key = (int(m.group(1)), int(m.group(2)))
            if key in neurons or key[0] >= MAX_LAYERS or key[1] >= MAX_WIDTH:
                raise SpecError(f"{at}: neuron {key} repeated or beyond {MAX_LAYERS} layers of {MAX_WIDTH}; "
                                f"expected each '// layer: L - neuron: N' once.")
            neurons[key] = _Neuron()
        elif (m := _PORT.match(line)) is not None:
            ports[m.group(3)] = int(m.group(2)) + 1
        elif (m := _WIRE.match(line)) is not None:
            bits = 1 if m.group(2) is None else int(m.group(2)) + 1
            if bits > MAX_WIRE_BITS:
                raise SpecError(f"{at}: a {bits}-bit wire; expected at most {MAX_WIRE_BITS} bits.")
            for name in re.split(r", ?", m.group(3)):
                wires[name] = (bits, m.group(1) is not None)
        elif line.startswith("assign "):
            _statement(line, at, neurons, argmax)
        elif not re.match(r"^(module top ?\(inp, (predo, )?out\);|endmodule)$", line):
            raise SpecError(f"{at}: '{cut(line)}' is not part of the generator's form; expected its module, ports, "
                            f"wires and assigns (module doc).")
    return ports, wires, neurons, argmax


def _bits(value: int) -> int:
    """Unsigned width of a non-negative value."""
    return max(1, int(value).bit_length())


def _fits_signed(lo: int, hi: int, bits: int) -> bool:
    return -(1 << (bits - 1)) <= lo and hi < 1 << (bits - 1)


def _width(wires: dict, name: str, at: str) -> tuple[int, bool]:
    if name not in wires:
        raise SpecError(f"{at}: '{name}' is used but not declared; expected a 'wire [..:0] {name}' line.")
    return wires[name]


def _source_range(source: tuple, k: int, layer: int, input_bits: int, previous: list, at: str) -> int:
    """Largest value product ``k`` reads (SpecError unless it reads input ``k`` of its layer)."""
    _, high, low, from_layer, neuron = source
    if k >= len(previous):
        raise SpecError(f"{at}: product {k}; expected inputs 0..{len(previous) - 1} of the layer.")
    if layer == 0:
        if high is None or (int(high), int(low)) != (k * input_bits + input_bits - 1, k * input_bits):
            raise SpecError(f"{at}: product {k} reads {'a hidden neuron' if high is None else f'inp[{high}:{low}]'}; "
                            f"expected inp[{k * input_bits + input_bits - 1}:{k * input_bits}].")
        return (1 << input_bits) - 1
    if from_layer is None or (int(from_layer), int(neuron)) != (layer - 1, k):
        found = "the inputs" if from_layer is None else f"n_{from_layer}_{neuron}"
        raise SpecError(f"{at}: product {k} reads {found}; expected n_{layer - 1}_{k}.")
    return previous[k]


def _axsum_neuron(key: tuple, n: _Neuron, wires: dict, reads: dict, at: str) -> tuple[dict, dict, int, int, int]:
    """Weights, cuts, bias, the sum's range ``(lo, hi)`` of an AxSum neuron; checks every width."""
    for k, p in n.products.items():
        bits = _width(wires, p[3], at)[0]
        if p[0] != "axsum" or p[2] == 0 or p[2] * reads[k] >= 1 << bits:
            raise SpecError(f"{at}: product {k} ({p[2]} x up to {reads[k]}) in {bits} bits; expected an AxSum "
                            f"product of a non-zero magnitude and a wire that holds it.")
    weights, cuts, bias, tops = {}, {}, 0, {}
    for part, sign in (("pos", 1), ("neg", -1)):
        top = 0
        for term in n.parts.get(part, []):
            value = _literal(term, at)
            if value is not None:
                bias, top = bias + sign * value, top + value
                continue
            m = re.fullmatch(rf"n_{key[0]}_{key[1]}_po_(\d+)_ax", term)
            k = None if m is None else int(m.group(1))
            if k is None or k not in n.products or k not in n.cuts or k in weights:
                raise SpecError(f"{at}: sum_{part} term '{cut(term)}'; expected literals and this neuron's products' "
                                f"_ax wires, each once.")
            low, high = n.cuts[k]
            bits = _width(wires, f"n_{key[0]}_{key[1]}_po_{k}", at)[0]
            if high != bits - 1 or _width(wires, f"n_{key[0]}_{key[1]}_po_{k}_ax", at)[0] != bits:
                raise SpecError(f"{at}: product {k}'s _ax keeps bits {high}..{low} of a {bits}-bit product; expected "
                                f"its top bit kept and the _ax wire as wide (dropping high bits wraps).")
            weights[k], cuts[k] = sign * n.products[k][2], low
            top += ((n.products[k][2] * reads[k]) >> low) << low
        if part in n.parts:
            bits = _width(wires, f"n_{key[0]}_{key[1]}_sum_{part}", at)[0]
            if top >= 1 << bits:
                raise SpecError(f"{at}: sum_{part} reaches {top} in {bits} bits; expected a width that holds it "
                                f"(the sum would wrap, which hwsim does not express).")
        tops[part] = top
    if "pos" not in n.parts:
        raise SpecError(f"{at}: no sum_pos; expected 'assign n_{key[0]}_{key[1]}_sum_pos = ...'.")
    negative = "neg" in n.parts
    if (n.sum == ("axsum",)) != negative or (n.act and n.act[0] == "identity") == negative:
        raise SpecError(f"{at}: sum_neg {'declared' if negative else 'absent'} with "
                        f"{'a' if n.sum else 'no'} sum_pos + ~sum_neg and a {n.act[0] if n.act else 'missing'} output; "
                        f"expected sum_neg, that sum and a ReLU together, or sum_pos alone as the output.")
    if negative != (any(w < 0 for w in weights.values()) or bias < 0):
        raise SpecError(f"{at}: sum_pos + ~sum_neg subtracts 1 {'without' if negative else 'with'} a negative "
                        f"weight or bias (bias {bias}); expected the -1 exactly where one is (hwsim's AxSum offset).")
    if negative:
        return weights, cuts, bias, -tops["neg"] - 1, tops["pos"] - 1
    return weights, cuts, bias, tops["pos"], tops["pos"]


def _exact_neuron(key: tuple, n: _Neuron, wires: dict, reads: dict, at: str) -> tuple[dict, dict, int, int, int]:
    """Weights, bias and the sum's range of an exact-form neuron; checks every width."""
    if n.sum is None or n.sum[0] != "exact" or n.cuts or any(p[0] != "exact" for p in n.products.values()):
        raise SpecError(f"{at}: signed products with AxSum sums; expected 'n_L_N_sum = BIAS + products' of the "
                        f"exact form.")
    _, bias, terms = n.sum
    if len(set(terms)) != len(terms) or not set(terms) <= set(n.products):
        raise SpecError(f"{at}: sum terms {terms}; expected this neuron's products, each once.")
    lo = hi = bias
    weights = {}
    for k in terms:
        w = n.products[k][2]
        bits, signed = _width(wires, n.products[k][3], at)
        low, high = sorted((0, w * reads[k]))
        if not signed or not _fits_signed(low, high, bits):
            raise SpecError(f"{at}: product {k} ({w} x up to {reads[k]}) into a {'signed' if signed else 'unsigned'} "
                            f"{bits}-bit wire; expected a signed wire that holds it.")
        weights[k], lo, hi = w, lo + low, hi + high
    return weights, {}, bias, lo, hi


def _layer(layer: int, size: int, neurons: dict, wires: dict, input_bits: int, previous: list,
           where: str) -> tuple[dict, list]:
    """One layer's JSON-able record and its outputs' greatest values (``previous``: its inputs' greatest values)."""
    rows, outputs = [], []
    axsum = bool(neurons[(layer, 0)].parts)  # an AxSum neuron sums sum_pos (and sum_neg)
    for i in range(size):
        key, n = (layer, i), neurons[(layer, i)]
        at = f"{where} neuron n_{layer}_{i}"
        if bool(n.parts) != axsum:
            raise SpecError(f"{at}: {'an AxSum' if n.parts else 'an exact'} neuron in a layer whose neuron 0 is "
                            f"{'AxSum' if axsum else 'exact'}; expected one form per layer.")
        reads = {k: _source_range(p[1], k, layer, input_bits, previous, at) for k, p in n.products.items()}
        weights, cuts, bias, lo, hi = (_axsum_neuron if axsum else _exact_neuron)(key, n, wires, reads, at)
        outputs.append(_output(key, n, wires, lo, hi, at))
        rows.append((weights, cuts, bias))
    n_in = len(previous)
    record = {"weight": [[r[0].get(k, 0) for k in range(n_in)] for r in rows], "bias": [r[2] for r in rows],
              "shift": 0, "relu": True, "act_max": -1, "input_mask": None,
              "axsum_truncate_bits": [[r[1].get(k, 0) for k in range(n_in)] for r in rows] if axsum else None}
    return record, outputs


def _output(key: tuple, n: _Neuron, wires: dict, lo: int, hi: int, at: str) -> int:
    """Greatest value of the neuron's output wire (checked against its width); its ReLU's form."""
    out_bits = _width(wires, f"n_{key[0]}_{key[1]}", at)[0]
    if n.act is None:
        raise SpecError(f"{at}: no output; expected a ReLU '(sum<0) ? 0 : sum[h:0]' or sum_pos alone.")
    if n.act[0] == "relu":
        sum_bits, signed = _width(wires, f"n_{key[0]}_{key[1]}_sum", at)
        _, zeros, top = n.act
        if not signed or not _fits_signed(lo, hi, sum_bits) or zeros != top + 1 or top + 1 != out_bits or \
                top >= sum_bits or max(hi, 0) >= 1 << out_bits:
            raise SpecError(f"{at}: sum in [{lo}, {hi}] on a {'signed' if signed else 'unsigned'} {sum_bits}-bit "
                            f"wire, ReLU keeps bits {top}..0 into {out_bits} bits; expected a signed sum that holds "
                            f"its range and a ReLU output that holds every non-negative value (else it wraps).")
    elif hi >= 1 << out_bits:
        raise SpecError(f"{at}: sum_pos reaches {hi} in a {out_bits}-bit output; expected a width that holds it.")
    return max(hi, 0)


def _check_argmax(argmax: dict, wires: dict, layer: int, highs: list, out_bits: int, where: str) -> None:
    """The argmax must be hwsim's pairwise ``>=`` tree over ``n_<layer>_0 ..`` with exact value and index muxes."""
    at = f"{where} argmax"
    classes = {f"n_{layer}_{i}": (i,) for i in range(len(highs))}
    index = {name: None for name in classes}  # leaves: their class literal
    found = set()
    cmp, mux = argmax.get("cmp", {}), argmax.get("mux", {})
    pending = dict(cmp)
    while pending:  # comparators in any order; each reads leaves or earlier comparators' values
        ready = [c for c, (a, b) in pending.items() if a in classes and b in classes]
        if not ready:
            read = sorted({x for p in pending.values() for x in p})
            raise SpecError(f"{at}: comparators {sorted(pending)} read {read}; expected the last layer's outputs "
                            f"and earlier comparators' argmax_val wires.")
        for c in ready:
            a, b = pending.pop(c)
            suffix = c[len("cmp"):]
            val, idx = mux.get("argmax_val" + suffix), mux.get("argmax_idx" + suffix)
            if val != (c, a, b) or idx is None or idx[0] != c or not all(
                    _index_of(x, y, index, classes, at) for x, y in ((idx[1], a), (idx[2], b))):
                raise SpecError(f"{at}: {c} ({a} >= {b}) with value mux {val} and index mux {idx}; expected "
                                f"'{c} ? {a} : {b}' and the two operands' class indices.")
            if _width(wires, "argmax_val" + suffix, at)[0] < max(_bits(highs[i]) for i in classes[a] + classes[b]) \
                    or _width(wires, "argmax_idx" + suffix, at)[0] < (len(highs) - 1).bit_length():
                raise SpecError(f"{at}: argmax_val{suffix} or argmax_idx{suffix} narrower than the values or class "
                                f"indices it passes; expected them whole.")
            classes["argmax_val" + suffix] = classes[a] + classes[b]
            index["argmax_val" + suffix] = "argmax_idx" + suffix
            found.add((classes[a], classes[b]))
    if found != _tree(len(highs)) or argmax.get("out") != index.get(next((v for v, c in classes.items() if
                                                                            len(c) == len(highs)), None), "") or \
            (len(highs) - 1).bit_length() > out_bits:
        raise SpecError(f"{at}: comparisons {sorted(found)} ending in {argmax.get('out')}; expected hwsim's pairwise "
                        f"tree {sorted(_tree(len(highs)))} and out = its last index.")


def _index_of(term: str, operand: str, index: dict, classes: dict, at: str) -> bool:
    """Whether an index mux input is the operand's class index (a literal for a leaf, its index wire otherwise)."""
    if index[operand] is not None:
        return term == index[operand]
    return _literal(term, at) == classes[operand][0]


def _tree(n_classes: int) -> set:
    """The comparisons of hwsim's argmax tree (hwsim.qmlp doc), as pairs of class tuples."""
    items, pairs = [(i,) for i in range(n_classes)], set()
    while len(items) > 1:
        level = []
        for j in range(0, len(items) - 1, 2):
            pairs.add((items[j], items[j + 1]))
            level.append(items[j] + items[j + 1])
        items = level + ([items[-1]] if len(items) % 2 else [])
    return pairs


def parse_design(text: str, where: str = "verilog") -> dict:
    """The integer MLP written in one generator-form Verilog design (module doc).

    Returns
    -------
    dict
        ``form`` (``"exact"`` or ``"axsum"``), ``input_bits``, ``n_inputs``, ``classes``,
        ``out_bits`` (width of the class output ``out``) and ``layers``: per layer ``weight``
        (``n_out x n_in`` ints), ``bias``, ``shift`` (0), ``relu`` (True), ``act_max`` (-1),
        ``input_mask`` (None) and ``axsum_truncate_bits`` (``n_out x n_in`` ints, or None for an
        exact sum).

    Raises
    ------
    SpecError
        If ``text`` is not of that form or a wire would wrap (the message names the line or neuron).
    """
    if not isinstance(text, str):
        raise SpecError(f"{where}: {type(text).__name__}; expected the Verilog text.")
    ports, wires, neurons, argmax = _read(text, where)
    if "inp" not in ports or "out" not in ports or not neurons:
        raise SpecError(f"{where}: no 'input [..:0] inp', 'output [..:0] out' or '// layer: L - neuron: N' blocks; "
                        f"expected a design of the Armeniakos et al. generator (module doc).")
    sizes = [sum(1 for key in neurons if key[0] == layer) for layer in range(max(k[0] for k in neurons) + 1)]
    if any(size == 0 for size in sizes) or any((layer, i) not in neurons for layer, size in enumerate(sizes)
                                               for i in range(size)):
        raise SpecError(f"{where}: neurons {cut(str(sorted(neurons)))}; expected neurons 0..n-1 of layers 0..L-1.")
    slices = {(int(p[1][1]), int(p[1][2])) for (layer, _), n in neurons.items() if layer == 0
              for p in n.products.values() if p[1][1] is not None}
    input_bits = {high - low + 1 for high, low in slices}
    if not input_bits:
        raise SpecError(f"{where}: no product reads inp; expected at least one (the input width is read there).")
    if len(input_bits) != 1 or not 1 <= min(input_bits) <= 16 or ports["inp"] % min(input_bits):
        raise SpecError(f"{where}: inp of {ports['inp']} bits read in slices of {sorted(input_bits)} bits; expected "
                        f"equal fields of 1 to 16 bits.")
    input_bits = input_bits.pop()
    if ports["inp"] // input_bits > MAX_WIDTH:
        raise SpecError(f"{where}: {ports['inp'] // input_bits} inputs; expected at most {MAX_WIDTH}.")
    highs, layers = [(1 << input_bits) - 1] * (ports["inp"] // input_bits), []
    n_inputs = len(highs)
    for layer, size in enumerate(sizes):
        record, highs = _layer(layer, size, neurons, wires, input_bits, highs, where)
        layers.append(record)
    if sizes[-1] < 2:
        raise SpecError(f"{where}: {sizes[-1]} class; expected at least two.")
    _check_argmax(argmax, wires, len(sizes) - 1, highs, ports["out"], where)
    form = "axsum" if any(r["axsum_truncate_bits"] is not None for r in layers) else "exact"
    return {"form": form, "input_bits": input_bits, "n_inputs": n_inputs, "classes": sizes[-1],
            "out_bits": ports["out"], "layers": layers}


def design_mlp(parsed: dict, name: str = "x") -> QuantizedMLP:
    """The :class:`~hwsim.qmlp.QuantizedMLP` of a :func:`parse_design` result (SpecError if hwsim refuses it)."""
    layers = []
    for k, r in enumerate(parsed["layers"]):
        cuts = r["axsum_truncate_bits"]
        try:
            layers.append(QLayer("hidden" if k < len(parsed["layers"]) - 1 else "output",
                                 np.array(r["weight"], dtype=np.int64), np.array(r["bias"], dtype=np.int64),
                                 r["shift"], r["relu"], r["act_max"], None,
                                 None if cuts is None else np.array(cuts, dtype=np.int64)))
        except GraphError as e:
            raise SpecError(f"{name} layer {k}: {e}") from None
    try:
        return QuantizedMLP(name, parsed["n_inputs"], tuple(layers))
    except GraphError as e:
        raise SpecError(f"{name}: {e}") from None


def main(argv: list[str] | None = None) -> int:
    """``python -m hwsim.printed.mlpc_import FILE.v``: print the design's integer layers as JSON."""
    return print_design_cli("mlpc_import", __doc__.split("\n")[0], parse_design, argv)

if __name__ == "__main__":
    sys.exit(main())
