"""Gate counts and logic depth of a bespoke (hard-wired weight) MLP circuit.

The circuit of a :class:`hwsim.qmlp.QuantizedMLP` is built bit by bit from value ranges, so
every adder is exactly as wide as the sums it carries need:

Signals
    A signal is an integer with a known range ``[lo, hi]`` (interval arithmetic from the
    inputs' range ``[0, 2**input_bits - 1]``; an input read at ``w < input_bits`` bits is the
    top ``w`` bits of its code, range ``[0, (2**w - 1) 2**(input_bits - w)]``, with
    ``input_bits - w`` low bits wired to 0) and ``tz`` trailing bits known to be zero. Its
    width is ``hi.bit_length()`` when ``lo >= 0`` (unsigned), else
    ``max(hi.bit_length(), (-lo - 1).bit_length()) + 1`` (two's complement). Bits at
    ``tz <= p < width`` are wires; above the width a signed signal repeats its sign bit.
Constant multiplier ``|w| * a``
    ``|w|``'s canonical signed digits (:mod:`hwsim.printed.csd`) from the top one down:
    ``a << k_top``, then one adder or subtractor per further digit, ``acc +/- (a << k)``.
    Zero weights are absent; a power of two is wiring (no cells).
Neuron ``y = sum_j w_j a_j + b``
    The products of positive weights are summed by an adder tree that always adds the two
    narrowest operands first (Huffman order; ties by input index), likewise the negative
    weights' magnitudes; then ``P - N`` (or ``0 - N``), then ``+ b`` (a constant adder).
    ReLU: one INV on the sign bit and an AND2 per kept bit; the right shift is wiring (bits
    below it are dropped); clipping to ``act_max = 2**m - 1``: an OR tree of the bits above
    ``m`` (the overflow flag) and an OR2 per output bit. No ReLU or clip cells when the range
    shows they cannot act.
Ripple-carry adder ``A + B`` or ``A - B`` (``A + ~B + 1``: an INV per signal bit of B, carry-in
    1 at B's lowest bit), bit position by position from the lower ``tz`` to the result's top bit,
    with ``s`` signal inputs (A, B, incoming carry) and constant bit ``c``:

    ======  ====  ==================================  ===========================
    s       c     cell                                outputs
    ======  ====  ==================================  ===========================
    0, 1    0     none (wire or constant)             no carry
    1       1     ``inverter`` (sum = ~x)             carry = x (wire)
    2       0     ``half_adder``                      sum, carry
    2       1     ``full_adder_const1`` (x + y + 1)   sum = XNOR, carry = OR
    3       0     ``full_adder``                      sum, carry
    ======  ====  ==================================  ===========================

Argmax (last layer)
    A tree of ``>=`` comparators in pairs, as the seed papers' generator writes it (earlier
    index wins ties, as ``numpy.argmax``): each compares two values bit-serially
    (``compare_bit`` per bit of the wider one), then a 2:1 mux per value bit (``mux2_bit``,
    plus one ``inverter`` for the select) and per class-index bit; the last comparator
    needs no value mux, and an index mux between two constant indices is wiring.

Logic depth: every bit carries an arrival time in gate levels; a full adder's sum is 2
levels after its inputs, its carry 2 levels after ``(a xor b, c)`` (``XOR2`` + 3 ``NAND2``);
a half adder, ``full_adder_const1``, AND/OR gate is 1 level; a comparator bit 2 levels on
the borrow chain; a mux 2 levels after its select is inverted. The critical path is the
latest output bit.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import numpy as np

from hwsim.errors import GraphError
from hwsim.printed.csd import csd_digits
from hwsim.qmlp import QuantizedMLP

#: Gates the circuit is counted in; :mod:`hwsim.printed.cost` maps each onto library cells.
GATES = ("full_adder", "half_adder", "full_adder_const1", "inverter", "and2", "or2",
         "compare_bit", "mux2_bit")


def width(lo: int, hi: int) -> int:
    """Bits of a signal with range ``[lo, hi]``: unsigned when ``lo >= 0``, else two's complement."""
    if lo >= 0:
        return int(hi).bit_length()
    return max(int(hi).bit_length(), int(-lo - 1).bit_length()) + 1


@dataclass
class Signal:
    """An integer wire bundle: range, known-zero low bits and each bit's arrival (gate levels).

    Attributes
    ----------
    lo, hi : int
        Smallest and largest value.
    tz : int
        Bits ``0 .. tz-1`` are constant 0.
    arrival : list of float
        Arrival time of bit ``p`` (``p < width``); entries below ``tz`` are unused.
    """

    lo: int
    hi: int
    tz: int
    arrival: list

    @property
    def width(self) -> int:
        return width(self.lo, self.hi)

    def bit(self, p: int) -> tuple[float | None, int]:
        """``(arrival, 0)`` for a signal bit at position ``p``, ``(None, constant)`` for a constant bit."""
        w = self.width
        if p < self.tz or (p >= w and self.lo >= 0) or w == 0:
            return None, 0
        return self.arrival[min(p, w - 1)], 0

    def shifted(self, k: int) -> "Signal":
        """``self << k`` (wiring)."""
        return Signal(self.lo << k, self.hi << k, self.tz + k, [0.0] * k + list(self.arrival))


@dataclass(frozen=True)
class Const:
    """A hard-wired integer operand."""

    value: int

    def bit(self, p: int) -> tuple[None, int]:
        return None, (self.value >> p) & 1


def _tz(op) -> int:
    if isinstance(op, Signal):
        return op.tz
    v = abs(op.value)
    return (v & -v).bit_length() - 1 if v else 1 << 30


def _range(op) -> tuple[int, int]:
    return (op.lo, op.hi) if isinstance(op, Signal) else (op.value, op.value)


@dataclass
class Tally:
    """Gate counts (by :data:`GATES` name) of one part of the circuit."""

    gates: Counter = field(default_factory=Counter)

    def add(self, gate: str, n: int = 1) -> None:
        if n:
            self.gates[gate] += n


def _cell(n_sig: int, const_bit: int, times: list, tally: Tally) -> tuple[float, float | None]:
    """One bit position of a ripple adder: (sum arrival, carry arrival or None)."""
    t = max(times) if times else 0.0
    if n_sig == 0 or (n_sig == 1 and const_bit == 0):
        return t, None
    if n_sig == 1:
        tally.add("inverter")
        return t + 1, t
    if n_sig == 2:
        tally.add("full_adder_const1" if const_bit else "half_adder")
        return t + 1, t + 1
    a, b, c = times
    x1 = max(a, b) + 1
    tally.add("full_adder")
    return max(x1, c) + 1, max(max(a, b) + 1, max(x1, c) + 1) + 1


def add(a, b, tally: Tally, subtract: bool = False, known: tuple[int, int] | None = None) -> Signal:
    """``a + b`` or ``a - b`` as a ripple-carry adder (see the module doc); ``a`` or ``b`` may be a Const.

    ``known`` is the result's range when it is tighter than interval arithmetic gives (the
    partial sums of a constant multiplier are multiples of one input).
    """
    if isinstance(b, Const) and subtract:
        b, subtract = Const(-b.value), False
    (alo, ahi), (blo, bhi) = _range(a), _range(b)
    lo, hi = known or ((alo - bhi, ahi - blo) if subtract else (alo + blo, ahi + bhi))
    tz_b = _tz(b)
    start = min(_tz(a), tz_b)
    top = width(lo, hi)
    arrival = [0.0] * max(top, 0)
    carry_sig, carry_const = None, 0
    for p in range(start, top):
        times, const, inverted = [], carry_const, None
        for op, invert in ((a, False), (b, subtract)):
            t, c = op.bit(p)
            if t is not None and invert:
                tally.add("inverter")
                inverted = t
                times.append(t + 1)
            elif t is not None:
                times.append(t)
            elif invert and p >= tz_b:
                const += 1                     # ~0 above B's top: sign extension of ~B
            else:
                const += c
        if subtract and p == tz_b:
            const += 1                         # the +1 of two's complement negation
        if carry_sig is not None:
            times.append(carry_sig)
        if len(times) == 1 and inverted is not None and const & 1:
            arrival[p], carry_sig = inverted, inverted + 1     # ~b + 1 = b, carry ~b: the one INV
        else:
            arrival[p], carry_sig = _cell(len(times), const & 1, times, tally)
        carry_const = const >> 1
    return Signal(lo, hi, min(start, top), arrival)


def multiplier_digits(magnitude: int) -> list[tuple[int, int]]:
    """Signed digits of a constant multiplier, top first: CSD, or plain binary when it has as few digits.

    Binary digits need no subtractor (no inverters), so on a tie (3 = 2 + 1 = 4 - 1) they win.
    """
    csd = csd_digits(magnitude)
    binary = [(k, 1) for k in range(int(magnitude).bit_length()) if (magnitude >> k) & 1]
    return sorted(binary if len(binary) <= len(csd) else csd, reverse=True)


def multiply(a: Signal, magnitude: int, tally: Tally) -> Signal:
    """``magnitude * a`` (``magnitude > 0``, ``a >= 0``) by shifts and adds, top digit first.

    Every partial sum is ``c * a`` for a positive partial constant ``c``, so its range is
    ``[c * a.lo, c * a.hi]``.
    """
    digits = multiplier_digits(magnitude)
    k0 = digits[0][0]
    acc, partial = a.shifted(k0), 1 << k0
    for k, d in digits[1:]:
        partial += d << k
        acc = add(acc, a.shifted(k), tally, subtract=d < 0, known=(partial * a.lo, partial * a.hi))
    return acc


def _tree(terms: list[Signal], tally: Tally) -> Signal:
    """Sum of non-negative signals, always adding the two narrowest first (stable order on ties)."""
    pool = list(terms)
    while len(pool) > 1:
        order = sorted(range(len(pool)), key=lambda i: (pool[i].hi - pool[i].lo, i))
        i, j = sorted(order[:2])
        total = add(pool[i], pool[j], tally)
        pool = [s for k, s in enumerate(pool) if k not in (i, j)] + [total]
    return pool[0]


def neuron(inputs: list[Signal], weights: np.ndarray, bias: int, tally: Tally) -> Signal | Const:
    """The accumulator ``sum_j w_j a_j + bias`` of one neuron (before ReLU and shift)."""
    pos = [multiply(inputs[j], int(w), tally) for j, w in enumerate(weights) if w > 0]
    neg = [multiply(inputs[j], -int(w), tally) for j, w in enumerate(weights) if w < 0]
    if not pos and not neg:
        return Const(int(bias))
    acc = _tree(pos, tally) if pos else Const(0)
    if neg:
        acc = add(acc, _tree(neg, tally), tally, subtract=True)
    return add(acc, Const(int(bias)), tally) if bias else acc


def activation(acc: Signal | Const, relu: bool, shift: int, act_max: int, tally: Tally) -> Signal | Const:
    """ReLU, right shift (wiring) and clip of one accumulator, as in :mod:`hwsim.qmlp`."""
    if isinstance(acc, Const):
        v = max(acc.value, 0) if relu else acc.value
        v >>= shift
        return Const(min(v, act_max) if act_max >= 0 else v)
    lo, hi, arrival, tz = acc.lo, acc.hi, list(acc.arrival), acc.tz
    if relu and hi <= 0:
        return Const(0)
    if relu and lo < 0:
        sign_t = arrival[acc.width - 1] + 1
        tally.add("inverter")
        lo = 0
        kept = range(max(tz, shift), width(0, hi))
        tally.add("and2", len(kept))
        arrival = [max(arrival[p], sign_t) + 1 if p in kept else 0.0 for p in range(width(0, hi))]
    lo, hi = lo >> shift, hi >> shift
    out = Signal(lo, hi, max(tz - shift, 0), arrival[shift:] or [0.0])
    if act_max < 0 or hi <= act_max:
        return out
    if lo >= act_max:
        return Const(int(act_max))
    m = int(act_max).bit_length()
    over = out.arrival[m:out.width]
    tally.add("or2", len(over) - 1)
    flag_t = _or_tree_time(over)
    tally.add("or2", m)
    arrival = [max(out.arrival[p], flag_t) + 1 for p in range(m)]
    arrival += [out.arrival[-1]] * (width(lo, act_max) - m)       # a signed output keeps its sign bit
    return Signal(lo, act_max, 0, arrival)


def _or_tree_time(times: list) -> float:
    """Arrival of a balanced OR2 tree over signals arriving at ``times``."""
    times = sorted(times)
    while len(times) > 1:
        a, b = times.pop(0), times.pop(0)
        times.append(max(a, b) + 1)
        times.sort()
    return times[0]


def argmax(values: list[Signal | Const], tally: Tally) -> float:
    """A pairwise ``>=`` comparator tree; returns the arrival of the class index."""
    idx_bits = max(int(len(values) - 1).bit_length(), 0)
    level = [(v, None) for v in values]              # (value, index arrival or None when constant)
    while len(level) > 1:
        nxt = []
        last = len(level) == 2
        for i in range(0, len(level) - 1, 2):
            (a, ia), (b, ib) = level[i], level[i + 1]
            lo, hi = min(_range(a)[0], _range(b)[0]), max(_range(a)[1], _range(b)[1])
            n_bits = width(lo, hi)
            c = 0.0
            for p in range(n_bits):
                c = max(c, _t(a, p), _t(b, p) + 1) + 2
            tally.add("compare_bit", n_bits)
            tally.add("inverter")                    # the select's complement for the muxes
            sel = c + 1
            if ia is None and ib is None:
                index_t = sel
            else:
                tally.add("mux2_bit", idx_bits)
                index_t = max(ia or 0.0, ib or 0.0, sel) + 2
            if last:
                nxt.append((None, index_t))
                continue
            tally.add("mux2_bit", n_bits)
            value_t = [max(_t(a, p), _t(b, p), sel) + 2 for p in range(n_bits)]
            nxt.append((Signal(lo, hi, 0, value_t), index_t))
        if len(level) % 2:
            nxt.append(level[-1])
        level = nxt
    return level[0][1] or 0.0


def _t(v, p: int) -> float:
    if not isinstance(v, Signal):
        return 0.0
    t, _ = v.bit(p)
    return 0.0 if t is None else t


@dataclass
class Netlist:
    """Gate counts of a bespoke MLP circuit.

    Attributes
    ----------
    gates_by_part : dict of str to Counter
        Gate counts (:data:`GATES`) per layer name and ``"argmax"``.
    critical_levels : float
        Logic levels on the longest input-to-class path.
    output_ranges : dict of str to list of (int, int)
        ``(lo, hi)`` of each neuron's output per layer (after ReLU, shift and clip).
    """

    gates_by_part: dict
    critical_levels: float
    output_ranges: dict

    @property
    def gates(self) -> Counter:
        """Gate counts of the whole circuit."""
        total = Counter()
        for part in self.gates_by_part.values():
            total.update(part)
        return total


def check_input_widths(input_widths, input_bits: int, n_inputs: int, where: str) -> np.ndarray:
    """``input_widths`` as an int array, or all ``input_bits`` when None (see :func:`build_netlist`)."""
    if input_widths is None:
        return np.full(n_inputs, int(input_bits), dtype=np.int64)
    widths = np.asarray(input_widths)
    if widths.shape != (n_inputs,) or widths.dtype.kind not in "iu" or np.any(widths < 1) \
            or np.any(widths > input_bits):
        raise GraphError(f"{where}: input_widths {np.asarray(input_widths).tolist()!r}; expected {n_inputs} "
                         f"integers in 1..{input_bits} (one per input, at most the code width input_bits).")
    return widths.astype(np.int64)


def build_netlist(qmlp: QuantizedMLP, input_bits: int, argmax_output: bool = True,
                  input_widths=None) -> Netlist:
    """Count the gates of ``qmlp`` as a bespoke combinational circuit (module doc).

    Parameters
    ----------
    qmlp : QuantizedMLP
        Integer layers with hard-wired weights.
    input_bits : int
        Unsigned width of every input code (ADC code), >= 1.
    argmax_output : bool
        True: the circuit ends in a comparator tree giving the class index.
    input_widths : array_like of int, optional
        Bits each input's ADC resolves, 1 .. ``input_bits`` (default all ``input_bits``): an
        input of width ``w`` is the top ``w`` bits of its ``input_bits``-bit code and the low
        ``input_bits - w`` bits are wired to 0 (range ``[0, (2**w - 1) 2**(input_bits - w)]``,
        ``tz = input_bits - w``), so its adders are ``w`` bits wide.

    Returns
    -------
    Netlist
    """
    if isinstance(input_bits, bool) or not isinstance(input_bits, (int, np.integer)) or input_bits < 1:
        raise GraphError(f"build_netlist: input_bits={input_bits!r}; expected an integer >= 1 (the ADC width).")
    widths = check_input_widths(input_widths, input_bits, qmlp.input_size, "build_netlist")
    signals = [Signal(0, ((1 << int(w)) - 1) << (int(input_bits) - int(w)), int(input_bits) - int(w),
                      [0.0] * int(input_bits)) for w in widths]
    parts, ranges = {}, {}
    for layer in qmlp.layers:
        tally = Tally()
        outs = []
        for r in range(layer.weight.shape[0]):
            row = layer.weight[r].copy()
            # a constant input (e.g. a dead neuron) folds into the bias
            bias = int(layer.bias[r]) + sum(int(w) * s.value for w, s in zip(row, signals) if isinstance(s, Const))
            row[[isinstance(s, Const) for s in signals]] = 0
            acc = neuron(signals, row, bias, tally)
            outs.append(activation(acc, layer.relu, layer.shift, layer.act_max, tally))
        parts[layer.name] = tally.gates
        ranges[layer.name] = [_range(s) for s in outs]
        signals = outs
    if argmax_output and len(signals) > 1:
        tally = Tally()
        levels = argmax(signals, tally)
        parts["argmax"] = tally.gates
    else:
        levels = max((max(s.arrival, default=0.0) for s in signals if isinstance(s, Signal)), default=0.0)
    return Netlist(parts, float(levels), ranges)
