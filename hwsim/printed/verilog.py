"""Synthesizable Verilog of a bespoke printed MLP, and a self-checking testbench for it.

:func:`verilog_for` turns a :class:`hwsim.qmlp.QuantizedMLP` into one combinational
Verilog-2001 module with every weight and bias hard-wired::

    module mlp(input [N*B-1:0] x, output [C-1:0] class_out);

Input ``i`` is the unsigned ``B``-bit code ``x[i*B +: B]`` (with mixed input precision, an
input read at ``w < B`` bits uses only the top ``w`` bits of its code, the rest wired to 0,
as :func:`hwsim.printed.netcost.build_netlist` counts it). Every neuron is a chain of
signed wires computing exactly what :mod:`hwsim.qmlp` defines, in the same order:

* ``acc = bias + Σ (a_i & m_i) * w_i`` over the non-zero weights (``m_i``: the product's
  input-bit mask, ``QLayer.input_mask``; a masked-out bit is simply not wired into the heap; with
  AxSum, each product's magnitude loses its low bits, whose own adders pass only their carries
  on, and the bias carries the ones'-complement -1): the gates of hwsim's cost model
  (:func:`hwsim.printed.netcost.neuron`), one ``wire`` per gate output: the bits of each
  input shifted by the weight's canonical signed digits into one bit heap, inverted where
  the digit is negative (one inverter per input bit and layer), reduced column by column by
  full adders, half adders and ``x + y + 1`` adders, the constant folded in; so the circuit
  iverilog simulates and yosys maps is the one hwsim counts, adder for adder;
* ``relu``: ``acc < 0 ? 0 : acc``; ``shift``: ``>>> shift`` (arithmetic: floor);
  ``act_max``: ``v > act_max ? act_max : v``.

Bit widths are exact: interval arithmetic over the input codes' range gives each wire's
smallest and largest value, the wire is the narrowest signed width holding both (its range
is in a comment beside it), and a step that cannot change its input's range (a ReLU of a
non-negative value, a clip above the largest value) is left out. Partial sums may wrap, but
two's-complement addition is exact modulo ``2**width``, so a sum whose true value fits its
wire is exact. ``class_out`` is the argmax of the last layer by the comparator tree that
:mod:`hwsim.printed.netcost` counts (:mod:`hwsim.qmlp`: pairs in index order, the later operand
wins only when strictly larger, so ties go to the lowest index, as ``numpy.argmax`` in
:func:`hwsim.pipeline.run_mlp`), its comparators approximate as ``argmax_ignored_bits`` sets.

The circuit is the one :func:`hwsim.printed.netcost.build_netlist` counts after its logic optimisation
(:mod:`hwsim.printed.logicopt`): a neuron that reaches no output (classes whose range shows they never
win the argmax included) is the constant 0 and those classes leave the comparator chain, and a neuron
whose weights are a signed power of two times another's is built from that neuron's accumulator.

A layer field this module cannot express (one the gate-level model may add, e.g. an
accumulator truncation) must hold its default value, or :class:`UnsupportedError` is raised;
supporting one is one entry in :data:`NEURON_STEPS`.
"""
from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np

from hwsim.errors import SpecError, UnsupportedError, short
from hwsim.printed.logicopt import live_neurons, possible_classes, shared_sums, unread_bits
from hwsim.printed.netcost import XOR_LEVELS, Const, Signal, Tally, build_netlist, check_input_widths, neuron, width
from hwsim.qmlp import COMPARATOR_REMOVED, QLayer, QuantizedMLP, check_input_masks

_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
TERMS_PER_LINE = 8


@dataclass(frozen=True)
class Wire:
    """A signed Verilog wire with the range of values it can carry.

    Attributes
    ----------
    name : str
        Verilog identifier.
    lo, hi : int
        Smallest and largest value over every input the circuit can receive.
    tz : int
        Low bits known to be 0 (as :class:`hwsim.printed.netcost.Signal`).
    """

    name: str
    lo: int
    hi: int
    tz: int = 0

    @property
    def bits(self) -> int:
        """Narrowest two's-complement width holding ``lo`` .. ``hi``."""
        return signed_bits(self.lo, self.hi)

    def declare(self, expression: str) -> str:
        """``wire signed [bits-1:0] name = expression;`` with the range as a comment."""
        return f"  wire signed [{self.bits - 1}:0] {self.name} = {expression};  // [{self.lo}, {self.hi}]"


def signed_bits(lo: int, hi: int) -> int:
    """Smallest ``b >= 1`` with ``-2**(b-1) <= lo`` and ``hi <= 2**(b-1) - 1`` (signed even when ``lo >= 0``)."""
    return width(min(lo, -1), hi)


def literal(value: int) -> str:
    """``value`` as a sized signed decimal literal wide enough for its magnitude (``-9'sd128``)."""
    magnitude = abs(int(value))
    return f"{'-' if value < 0 else ''}{signed_bits(magnitude, magnitude)}'sd{magnitude}"


#: Verilog of each gate of :mod:`hwsim.printed.netcost` on its input wires ``{0}, {1}, {2}``: one
#: expression per output (sum, carry for the adders).
GATE_VERILOG: dict[str, tuple[str, ...]] = {
    "inverter": ("~{0}",),
    "xor2": ("{0} ^ {1}",),
    "half_adder": ("{0} ^ {1}", "{0} & {1}"),
    "full_adder_const1": ("~({0} ^ {1})", "{0} | {1}"),
    "full_adder": ("{0} ^ {1} ^ {2}", "({0} & {1}) | ({2} & ({0} ^ {1}))"),
    "full_adder_carry": ("({0} & {1}) | ({2} & ({0} ^ {1}))",),
    "half_adder_carry": ("{0} & {1}",),
    "full_adder_const1_carry": ("{0} | {1}",),
}


class _GateWriter:
    """``emit`` for :func:`hwsim.printed.netcost.compress`: one ``wire`` line per gate output."""

    def __init__(self, prefix: str):
        self.prefix, self.lines, self.count = prefix, [], 0

    def __call__(self, gate: str, wires: list) -> tuple[str, ...]:
        outputs = []
        for expression in GATE_VERILOG[gate]:
            name = f"{self.prefix}{self.count}"
            self.count += 1
            self.lines.append(f"  wire {name} = {expression.format(*wires)};")
            outputs.append(name)
        return tuple(outputs)


def _accumulate(inputs: list[Wire], weights: np.ndarray, bias: int, name: str, inverted: dict,
                writer: _GateWriter, masks=None, cut=None, unread: int = 0) -> tuple[list[str], Wire]:
    """``acc = bias + Σ a_i * w_i`` as the gates of :func:`hwsim.printed.netcost.neuron`'s bit heap.

    The adders are written exactly as hwsim counts them (same heap, same column compression),
    so iverilog checks the cost model's circuit and yosys maps that circuit's gates. The ``unread`` low
    bits (those the shift drops) are not built: they read 0, so the wire holds ``acc`` rounded down to a
    multiple of ``2**unread``, which the shift maps to the same value.
    """
    signals = _signals(inputs)
    first = len(writer.lines)
    acc, bits = neuron(signals, weights, bias, Tally(), XOR_LEVELS, inverted, emit=writer,
                       bit_wire=lambda j, p: f"{inputs[j].name}[{p}]", masks=masks, truncate=cut, unread=unread)
    if isinstance(acc, Const):
        wire = Wire(name, acc.value, acc.value)
        return writer.lines[first:] + [wire.declare(literal(acc.value))], wire
    wire = Wire(name, acc.lo, acc.hi, acc.tz)
    msb_first = ["1'b0"] * (wire.bits - len(bits)) + [bit if isinstance(bit, str) else f"1'b{bit}"
                                                      for bit in reversed(bits)]
    terms = [", ".join(msb_first[k:k + TERMS_PER_LINE]) for k in range(0, len(msb_first), TERMS_PER_LINE)]
    return writer.lines[first:] + [wire.declare("{" + ",\n      ".join(terms) + "}")], wire


def _signals(inputs: list[Wire]) -> list[Signal]:
    return [Signal(a.lo, a.hi, a.tz, [0.0] * max(width(a.lo, a.hi), 1)) for a in inputs]


def _relu(layer: QLayer, value: Wire, name: str) -> tuple[str, Wire] | None:
    if not layer.relu or value.lo >= 0:
        return None
    wire = Wire(name, 0, max(value.hi, 0), value.tz)
    return wire.declare(f"({value.name} < 0) ? 1'sd0 : {value.name}"), wire


def _shift(layer: QLayer, value: Wire, name: str) -> tuple[str, Wire] | None:
    if layer.shift == 0:
        return None
    wire = Wire(name, value.lo >> layer.shift, value.hi >> layer.shift, max(value.tz - layer.shift, 0))
    return wire.declare(f"{value.name} >>> {layer.shift}"), wire


def _clip(layer: QLayer, value: Wire, name: str) -> tuple[str, Wire] | None:
    if layer.act_max < 0 or value.hi <= layer.act_max:
        return None
    top = literal(layer.act_max)
    wire = Wire(name, min(value.lo, layer.act_max), layer.act_max)
    return wire.declare(f"({value.name} > {top}) ? {top} : {value.name}"), wire


#: After the accumulation, in order: (wire suffix, the QLayer fields it reads, the step). A step
#: returns the declaration of its output wire, or None when it cannot change the value.
NEURON_STEPS: tuple[tuple[str, tuple[str, ...], Callable], ...] = (
    ("relu", ("relu",), _relu),
    ("shr", ("shift",), _shift),
    ("clip", ("act_max",), _clip),
)
#: QLayer fields with a Verilog translation; any other field must hold its default value.
TRANSLATED_FIELDS = frozenset({"name", "weight", "bias", "input_mask", "axsum_truncate_bits"}.union(
    *(fields for _, fields, _ in NEURON_STEPS)))


def _check_translatable(layer: QLayer) -> None:
    for field in dataclasses.fields(layer):
        if field.name in TRANSLATED_FIELDS:
            continue
        if field.default is not dataclasses.MISSING:
            default = field.default
        elif field.default_factory is not dataclasses.MISSING:
            default = field.default_factory()
        else:
            default = dataclasses.MISSING
        value = getattr(layer, field.name)
        if default is dataclasses.MISSING or not np.array_equal(np.asarray(value), np.asarray(default)):
            raise UnsupportedError(f"layer '{layer.name}': field '{field.name}' = {value!r} has no Verilog "
                                   f"translation; expected its default"
                                   f"{'' if default is dataclasses.MISSING else f' {default!r}'} (translated "
                                   f"fields: {', '.join(sorted(TRANSLATED_FIELDS))}). Hint: add a step for it "
                                   f"to hwsim.printed.verilog.NEURON_STEPS.")


def _check_identifier(top: str) -> None:
    if not isinstance(top, str) or not _IDENTIFIER.fullmatch(top):
        raise SpecError(f"top {short(top)}: not a Verilog identifier; expected letters, digits and '_', not starting "
                        f"with a digit, e.g. 'mlp'.")


def _check_input_bits(input_bits: int) -> None:
    if isinstance(input_bits, bool) or not isinstance(input_bits, (int, np.integer)) or input_bits < 1:
        raise SpecError(f"input_bits {input_bits!r}; expected an integer >= 1 (the chip's "
                        f"arithmetic.input_bits).")


def class_bits(n_classes: int) -> int:
    """Width of ``class_out`` for ``n_classes`` classes (at least 1)."""
    return max(1, (n_classes - 1).bit_length())


def wrapper_for(n_inputs: int, input_bits: int, n_classes: int, out_bits: int, top: str = "top") -> str:
    """A module ``mlp(x, class_out)``, what :func:`testbench_for` drives, around a published design ``top(inp, out)``.

    ``inp`` holds input ``j`` in bits ``[j b + b - 1 : j b]`` (as ``x``), ``out`` is ``out_bits`` wide;
    other ports of ``top`` (such as ``predo``) are left unconnected.
    """
    _check_identifier(top)
    _check_input_bits(input_bits)
    ports = f"input [{n_inputs * input_bits - 1}:0] x, output [{class_bits(n_classes) - 1}:0] class_out"
    return (f"\nmodule mlp({ports});\n"
            f"  wire [{out_bits - 1}:0] o;\n  {top} dut(.inp(x), .out(o));\n  assign class_out = o;\nendmodule\n")


def _layer_lines(layer: QLayer, index: int, inputs: list[Wire], built: np.ndarray, gate_cost: dict | None
                 ) -> tuple[list[str], list[Wire]]:
    """One layer's lines, as :func:`hwsim.printed.netcost.build_netlist` builds it: a neuron not ``built`` (it
    reaches no output) is the constant 0, a neuron of a shared sum is built from its base's accumulator."""
    lines = [f"  // layer {index} '{layer.name}': {layer.weight.shape[1]} -> {layer.weight.shape[0]}, "
             f"relu {layer.relu}, shift {layer.shift}, act_max {layer.act_max}"]
    biases = [int(b) + int(o) for b, o in zip(layer.bias, layer.axsum_offset)]
    plan = shared_sums(_signals(inputs), layer.weight, biases, layer.input_mask, XOR_LEVELS, gate_cost, built) \
        if layer.axsum_truncate_bits is None else [None] * len(biases)
    inverted, shared_inverted, accs, outputs = {}, {}, {}, {}
    for row in sorted(range(len(biases)), key=lambda r: plan[r] is not None):     # shared sums first
        name = f"l{index}_acc{row}"
        if not built[row]:
            outputs[row] = Wire(name, 0, 0)
            lines.append(outputs[row].declare(literal(0)) + "  // reaches no output")
            continue
        writer = _GateWriter(f"l{index}_n{row}_")
        if plan[row] is None:
            acc_lines, value = _accumulate(
                inputs, layer.weight[row], biases[row], name, inverted, writer,
                None if layer.input_mask is None else [int(m) for m in layer.input_mask[row]],
                None if layer.axsum_truncate_bits is None else [int(t) for t in layer.axsum_truncate_bits[row]],
                unread_bits(layer, plan, row))
        else:
            base, factor, constant = plan[row]
            acc_lines, value = _accumulate([accs[base]], np.array([factor]), constant, name,
                                           shared_inverted.setdefault(base, {}), writer,
                                           unread=unread_bits(layer, plan, row))
        lines += acc_lines
        accs[row] = value
        for suffix, _, step in NEURON_STEPS:
            done = step(layer, value, f"l{index}_{suffix}{row}")
            if done is not None:
                line, value = done
                lines.append(line)
        outputs[row] = value
    return lines, [outputs[r] for r in range(len(biases))]


def _argmax_lines(scores: list[Wire], ignored_bits, classes: np.ndarray) -> list[str]:
    """The argmax comparator tree of :mod:`hwsim.qmlp` over the ``scores`` of the ``classes`` that can win:
    comparator ``c`` takes its later operand only when that is larger in the bits at and above
    ``ignored_bits[c]`` (all bits when None), so ties go to the earlier index; a removed comparator is
    wiring."""
    width = class_bits(len(scores))
    kept = [j for j in range(len(scores)) if classes[j]]
    ignored = [0] * (len(kept) - 1) if ignored_bits is None else [int(t) for t in ignored_bits]
    lines = ["  // argmax: a tree of comparators in pairs; the later operand wins only when strictly larger"]
    if len(kept) < len(scores):
        lines.append(f"  // classes {', '.join(str(j) for j in range(len(scores)) if not classes[j])} never win "
                     f"(their ranges): left out")
    level = [(scores[j], f"{width}'d{j}") for j in kept]
    c = 0
    while len(level) > 1:
        nxt = []
        for (a, ia), (b, ib) in zip(level[0::2], level[1::2]):
            t = ignored[c]
            if t == COMPARATOR_REMOVED:
                lines.append(f"  // comparator {c} removed: {a.name} passes on")
                nxt.append((a, ia))
            else:
                cmp = f"{b.name} > {a.name}" if t == 0 else f"({b.name} >>> {t}) > ({a.name} >>> {t})"
                lines += [f"  wire take{c} = {cmp};",
                          Wire(f"best{c}", min(a.lo, b.lo), max(a.hi, b.hi)).declare(f"take{c} ? {b.name} : {a.name}"),
                          f"  wire [{width - 1}:0] index{c} = take{c} ? {ib} : {ia};"]
                nxt.append((Wire(f"best{c}", min(a.lo, b.lo), max(a.hi, b.hi)), f"index{c}"))
            c += 1
        level = nxt + level[len(nxt) * 2:]
    return lines + [f"  assign class_out = {level[0][1]};"]


def verilog_for(qmlp: QuantizedMLP, input_bits: int, top: str = "mlp", input_widths=None,
                gate_cost: dict | None = None) -> str:
    """Verilog-2001 of ``qmlp`` as one combinational module with hard-wired constants.

    Parameters
    ----------
    qmlp : QuantizedMLP
        The integer network (:func:`hwsim.quantize.quantize_mlp`).
    input_bits : int
        Unsigned width of each input code (the chip's ``arithmetic.input_bits``).
    top : str
        Module name.
    input_widths : array_like of int, optional
        Bits each input resolves, 1 .. ``input_bits`` (default all): input ``i`` reads only the
        top ``input_widths[i]`` bits of its code, the low ones are wired to 0.

    Returns
    -------
    str
        Module ``top`` with ports ``input [n_inputs*input_bits-1:0] x`` (input ``i`` at
        ``x[i*input_bits +: input_bits]``) and ``output [C-1:0] class_out``, ``C`` =
        :func:`class_bits` of the last layer's width.

    Raises
    ------
    SpecError
        If ``top`` is not a Verilog identifier or ``input_bits`` < 1.
    GraphError
        If ``input_widths`` is not one integer in 1 .. ``input_bits`` per input, or the first
        layer's input masks reach above ``input_bits``.
    UnsupportedError
        If a layer has a field without a Verilog translation set away from its default.
    """
    _check_identifier(top)
    _check_input_bits(input_bits)
    widths = check_input_widths(input_widths, input_bits, qmlp.input_size, "verilog_for")
    check_input_masks(qmlp, int(input_bits), "verilog_for")
    for layer in qmlp.layers:
        _check_translatable(layer)
    n_in, n_classes = qmlp.input_size, qmlp.layers[-1].weight.shape[0]
    lines = [f"// {top}: bespoke MLP '{qmlp.input_name}' ({n_in}-"
             + "-".join(str(layer.weight.shape[0]) for layer in qmlp.layers)
             + f"), {input_bits}-bit unsigned inputs; generated by hwsim.printed.verilog.",
             "// Combinational: every weight and bias is a constant; each wire is as wide as its range",
             "// (in the comment beside it) needs, so no value overflows.",
             f"module {top}(",
             f"  input [{n_in * input_bits - 1}:0] x,",
             f"  output [{class_bits(n_classes) - 1}:0] class_out",
             ");"]
    values = []
    for i, w in enumerate(int(w) for w in widths):
        zeros = input_bits - w
        wire = Wire(f"in{i}", 0, ((1 << w) - 1) << zeros, zeros)
        low = f", {zeros}'b0" if zeros else ""
        lines.append(wire.declare(f"{{1'b0, x[{i * input_bits + zeros} +: {w}]{low}}}"))
        values.append(wire)
    classes = np.ones(qmlp.layers[-1].weight.shape[0], dtype=bool)
    if qmlp.argmax_ignored_bits is None:         # as build_netlist: the classes that never win are left out
        ranges = build_netlist(qmlp, input_bits, input_widths=input_widths, gate_cost=gate_cost).output_ranges
        classes = possible_classes(ranges[qmlp.layers[-1].name])
    for index, (layer, built) in enumerate(zip(qmlp.layers, live_neurons(qmlp, classes))):
        layer_lines, values = _layer_lines(layer, index, values, built, gate_cost)
        lines += layer_lines
    return "\n".join(lines + _argmax_lines(values, qmlp.argmax_ignored_bits, classes) + ["endmodule"]) + "\n"


def _check_vectors(qmlp: QuantizedMLP, inputs_int, expected_classes, input_bits: int
                   ) -> tuple[np.ndarray, np.ndarray]:
    x, expected = np.asarray(inputs_int), np.asarray(expected_classes)
    top_code, n_classes = (1 << input_bits) - 1, qmlp.layers[-1].weight.shape[0]
    if x.ndim != 2 or x.shape[0] == 0 or x.shape[1] != qmlp.input_size or x.dtype.kind not in "iu":
        raise SpecError(f"testbench inputs: shape {x.shape}, dtype {x.dtype}; expected integer codes of shape "
                        f"(n_vectors >= 1, {qmlp.input_size}). Hint: hwsim.quantize.quantize_mlp_inputs(x, chip).")
    if x.min() < 0 or x.max() > top_code:
        raise SpecError(f"testbench inputs: codes from {x.min()} to {x.max()}; expected 0 .. {top_code} "
                        f"({input_bits}-bit unsigned).")
    if expected.shape != (x.shape[0],) or expected.dtype.kind not in "iu":
        raise SpecError(f"testbench expected classes: shape {expected.shape}, dtype {expected.dtype}; expected "
                        f"integers of shape ({x.shape[0]},), one per vector.")
    if expected.min() < 0 or expected.max() >= n_classes:
        raise SpecError(f"testbench expected classes: from {expected.min()} to {expected.max()}; expected "
                        f"0 .. {n_classes - 1} (the last layer's width).")
    return x.astype(np.int64), expected.astype(np.int64)


def testbench_for(qmlp: QuantizedMLP, inputs_int, expected_classes, input_bits: int, top: str = "mlp") -> str:
    """A self-checking Verilog testbench ``<top>_tb`` for :func:`verilog_for`'s module, vectors inlined.

    For each vector it applies the inputs, waits 1 ns and prints
    ``vector k: class c expected e`` (``... MISMATCH`` when they differ); at the end
    ``mismatches m of n``.

    Parameters
    ----------
    qmlp : QuantizedMLP
        The network the design was generated from.
    inputs_int : array_like of int
        ``(n_vectors, n_inputs)`` input codes in ``[0, 2**input_bits - 1]``.
    expected_classes : array_like of int
        ``(n_vectors,)`` class hwsim predicts for each vector.
    input_bits : int
        Unsigned width of each input code.
    top : str
        Name of the design's module.

    Raises
    ------
    SpecError
        If the vectors' shapes, types or ranges do not fit the network.
    """
    _check_identifier(top)
    _check_input_bits(input_bits)
    x, expected = _check_vectors(qmlp, inputs_int, expected_classes, input_bits)
    n, n_in = x.shape
    x_bits, c_bits = n_in * input_bits, class_bits(qmlp.layers[-1].weight.shape[0])
    word_bits = x_bits + c_bits
    shifts = [i * input_bits for i in range(n_in)]
    lines = ["`timescale 1ns / 1ps",
             f"// Self-checking testbench of module {top}: {n} vectors, each {{expected class, x}}; "
             f"generated by hwsim.printed.verilog.",
             f"module {top}_tb;",
             f"  reg [{word_bits - 1}:0] vectors [0:{n - 1}];",
             f"  reg [{x_bits - 1}:0] x;",
             f"  wire [{c_bits - 1}:0] class_out;",
             "  integer k;",
             "  integer mismatches;",
             f"  {top} dut (.x(x), .class_out(class_out));",
             "  initial begin"]
    for k in range(n):
        word = (int(expected[k]) << x_bits) | sum(int(v) << s for v, s in zip(x[k], shifts))
        lines.append(f"    vectors[{k}] = {word_bits}'h{word:x};")
    expected_field = f"vectors[k][{word_bits - 1}:{x_bits}]"
    lines += ["    mismatches = 0;",
              f"    for (k = 0; k < {n}; k = k + 1) begin",
              f"      x = vectors[k][{x_bits - 1}:0];",
              "      #1;",
              f"      if (class_out === {expected_field})",
              f'        $display("vector %0d: class %0d expected %0d", k, class_out, {expected_field});',
              "      else begin",
              "        mismatches = mismatches + 1;",
              f'        $display("vector %0d: class %0d expected %0d MISMATCH", k, class_out, {expected_field});',
              "      end",
              "    end",
              f'    $display("mismatches %0d of %0d", mismatches, {n});',
              "    $finish;",
              "  end",
              "endmodule"]
    return "\n".join(lines) + "\n"


def write_verilog(out_dir, qmlp: QuantizedMLP, inputs_int, expected_classes, input_bits: int,
                  top: str = "mlp", input_widths=None) -> dict[str, Path]:
    """Write the design, its testbench and the test vectors into ``out_dir`` (created if missing).

    Parameters
    ----------
    out_dir : str or Path
        Output folder.
    qmlp, inputs_int, expected_classes, input_bits, top, input_widths :
        As :func:`verilog_for` and :func:`testbench_for`.

    Returns
    -------
    dict of str to Path
        ``design`` (``<top>.v``), ``testbench`` (``<top>_tb.v``) and ``vectors`` (``<top>_vectors.csv``:
        one row per vector, the input codes then the expected class).
    """
    testbench = testbench_for(qmlp, inputs_int, expected_classes, input_bits, top)
    design = verilog_for(qmlp, input_bits, top, input_widths)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = {"design": out / f"{top}.v", "testbench": out / f"{top}_tb.v", "vectors": out / f"{top}_vectors.csv"}
    paths["design"].write_text(design)
    paths["testbench"].write_text(testbench)
    table = np.column_stack([np.asarray(inputs_int), np.asarray(expected_classes)]).astype(np.int64)
    header = ",".join([f"x{i}" for i in range(qmlp.input_size)] + ["class"])
    np.savetxt(paths["vectors"], table, fmt="%d", delimiter=",", header=header, comments="")
    return paths
