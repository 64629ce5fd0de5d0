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
Neuron ``y = sum_j w_j a_j + b``: one bit heap (carry-save column compression)
    Each non-zero weight's canonical signed digits (:mod:`hwsim.printed.csd`; plain binary
    when it has as few digits) shift copies of its input's bits into columns: digit
    ``+/-2**k`` puts bit ``p`` of ``a`` (weight ``2**p``; ``-2**p`` for a signed input's sign
    bit) into column ``p + k``. With an input-bit mask on the product
    (``QLayer.input_mask``), only the bits ``p`` set in the mask enter the heap: a masked-out
    bit's partial products, and the adder bits that would sum them, are not built; the
    product's range is that of ``a & mask`` (``[0, max(x & mask, x <= hi)]``). A bit ``b`` of negative weight enters as ``~b`` plus the
    constant ``-2**column`` (``-b = ~b - 1``); each such input bit has one inverter, shared by
    the layer. The bias and these constants are one constant ``K``, taken modulo
    ``2**width(lo, hi)`` where ``[lo, hi]`` is the sum's exact range (interval arithmetic),
    so every bit at or above that width is dropped: two's-complement sums are exact modulo
    ``2**width``. Zero weights add nothing; a power of two is wiring. With AxSum
    (``QLayer.axsum_truncate_bits``), a product's magnitude loses its low ``t`` bits: its heap
    bits below column ``t`` are compressed apart and only their carries into column ``t`` join
    the neuron's heap (inverted, with their constant, for a negative weight), which is
    ``floor(P / 2**t) 2**t`` exactly; the ones'-complement -1 is part of the constant.
Column compression
    Columns from the lowest up, each reduced to one output bit; carries go to the next
    column. In a column: if ``K`` has a 1 there and two bits are left,
    ``full_adder_const1`` (``x + y + 1``: sum XNOR, carry OR); then ``full_adder`` on the
    three earliest-arriving bits while three are left (timing-driven, as three-greedy
    Wallace trees); then a ``half_adder`` on two bits, or an ``inverter`` on one bit plus the
    constant 1 (sum ``~x``, carry ``x``: a wire). The top column needs no carry: its
    bits are XOR-ed (``xor2``, plus an ``inverter`` for a constant 1). So each full adder
    absorbs one bit of the heap and a column needs at most one half adder, as a synthesis
    tool's carry-save tree of a multi-operand sum (yosys ``maccmap``) does.
ReLU, shift, clip
    ReLU: one INV on the sign bit and an AND2 per kept bit; the right shift is wiring (bits
    below it are dropped); clipping to ``act_max = 2**m - 1``: an OR tree of the bits above
    ``m`` (the overflow flag) and an OR2 per output bit. No ReLU or clip cells when the range
    shows they cannot act.
Argmax (last layer)
    A tree of ``>=`` comparators in pairs, as the seed papers' generator writes it (earlier
    index wins ties, as ``numpy.argmax``): each compares two values bit-serially
    (``compare_bit`` per bit of the wider one), then a 2:1 mux per value bit (``mux2_bit``,
    plus one ``inverter`` for the select) and per class-index bit; the last comparator
    needs no value mux, and an index mux between two constant indices is wiring. With an
    approximate argmax (``QuantizedMLP.argmax_ignored_bits``) comparator ``c`` has a
    ``compare_bit`` only at bits ``>= t_c`` (a signed pair keeps its sign bit), its value muxes
    only at the bits a later comparator reads, and a removed comparator (or one with no bit
    left) is wiring: its earlier operand passes on. Comparators whose result no later
    comparator can select are still counted (no logic optimisation).

Logic optimisation (``build_netlist(optimise=True)``, the default; :mod:`hwsim.printed.logicopt`)
    Neurons and argmax classes that reach no output build nothing, sums equal up to a signed power
    of two are built once, columns below a right shift build only their carries (the ``*_carry``
    gates of :data:`CARRY_ONLY`), unread ReLU/clip bits build no gate, and the argmax compares
    constants when the circuit is built and a value against a constant with one AND2/OR2 per bit.

Logic depth: every bit carries an arrival time in gate levels; an adder's outputs come
``levels`` after its inputs (:data:`XOR_LEVELS` for adders built around XOR2 cells;
:func:`hwsim.printed.cost.adder_levels` gives the profile's cheapest cells' own levels); an
inverter, XOR2, AND/OR gate is 1 level; a comparator bit 2 levels on the borrow chain (3 and
4 after its two data bits); a mux 2 levels after its select is inverted. The critical path
is the latest output bit.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import numpy as np

from hwsim.errors import GraphError
from hwsim.printed.csd import csd_digits
from hwsim.qmlp import COMPARATOR_REMOVED, QuantizedMLP, check_input_masks, truncated_products

#: Gates the circuit is counted in; :mod:`hwsim.printed.cost` maps each onto library cells.
GATES = ("full_adder", "half_adder", "full_adder_const1", "inverter", "xor2", "and2", "or2",
         "compare_bit", "mux2_bit", "full_adder_carry", "half_adder_carry", "full_adder_const1_carry")
#: The adders whose sum nobody reads (a column below a right shift): only their carry is built.
CARRY_ONLY = {"full_adder": "full_adder_carry", "half_adder": "half_adder_carry",
              "full_adder_const1": "full_adder_const1_carry"}
#: Logic levels of the adders built around XOR2 cells (the default; :func:`hwsim.printed.cost.adder_levels`
#: gives a profile's own): a full adder's outputs after its two earlier inputs (``*_ab``) and after
#: its latest input (``*_c``).
XOR_LEVELS = {"full_adder": {"sum_ab": 2, "sum_c": 1, "carry_ab": 3, "carry_c": 2},
              "half_adder": {"sum": 1, "carry": 1}, "full_adder_const1": {"sum": 1, "carry": 1}}


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


@dataclass(frozen=True)
class Const:
    """A hard-wired integer operand."""

    value: int


def _range(op) -> tuple[int, int]:
    return (op.lo, op.hi) if isinstance(op, Signal) else (op.value, op.value)


@dataclass
class Tally:
    """Gate counts (by :data:`GATES` name) of one part of the circuit."""

    gates: Counter = field(default_factory=Counter)

    def add(self, gate: str, n: int = 1) -> None:
        if n:
            self.gates[gate] += n


def _gate(gate: str, wires: list, emit) -> tuple:
    """Output wires of one gate: ``emit(gate, wires)`` when writing a netlist, else Nones."""
    return emit(gate, wires) if emit else (None, None)


def _by_arrival(bits: list) -> list:
    return sorted(bits, key=lambda bit: bit[0])


def _reduce(bits: list, const_bit: int, tally: Tally, levels: dict, emit, carry_only: bool = False
            ) -> tuple[tuple | None, tuple]:
    """One adder on a column's ``bits`` (``(arrival, wire)``, 1 to 3) and constant bit: (sum, carry) bits.

    One bit plus the constant 1 is an inverter (sum ``~x``, carry ``x``); two bits a half adder
    (``full_adder_const1`` with the constant); three a full adder whose ``c`` input is the latest.
    ``carry_only``: nobody reads the sum (None): the adder's carry-only form (:data:`CARRY_ONLY`; the
    inverter is then not built), its carry timed as the full adder's.
    """
    times, wires = [t for t, _ in bits], [w for _, w in bits]
    t = max(times)
    if len(bits) == 1:
        if carry_only:
            return None, bits[0]
        tally.add("inverter")
        return (t + 1, _gate("inverter", wires, emit)[0]), bits[0]
    if len(bits) == 2:
        gate = "full_adder_const1" if const_bit else "half_adder"
        carry_t = t + levels[gate]["carry"]
        if carry_only:
            tally.add(CARRY_ONLY[gate])
            return None, (carry_t, _gate(CARRY_ONLY[gate], wires, emit)[0])
        tally.add(gate)
        s, carry = _gate(gate, wires, emit)
        return (t + levels[gate]["sum"], s), (carry_t, carry)
    _, b, c = sorted(times)
    fa = levels["full_adder"]
    carry_t = max(b + fa["carry_ab"], c + fa["carry_c"])
    if carry_only:
        tally.add("full_adder_carry")
        return None, (carry_t, _gate("full_adder_carry", wires, emit)[0])
    tally.add("full_adder")
    s, carry = _gate("full_adder", wires, emit)
    return (max(b + fa["sum_ab"], c + fa["sum_c"]), s), (carry_t, carry)


def _parity(bits: list, const_bit: int, tally: Tally, emit) -> tuple:
    """The top column's sum bit (its carries would leave the result): an XOR2 tree, earliest bits first."""
    bits = _by_arrival(bits)
    while len(bits) > 1:
        tally.add("xor2")
        (ta, wa), (tb, wb) = bits[:2]
        bits = _by_arrival(bits[2:] + [(max(ta, tb) + 1, _gate("xor2", [wa, wb], emit)[0])])
    if const_bit:
        tally.add("inverter")
        return bits[0][0] + 1, _gate("inverter", [bits[0][1]], emit)[0]
    return bits[0]


def compress(heap: dict, const: int, lo: int, hi: int, tally: Tally, levels: dict,
             emit=None, unread: int = 0) -> tuple[Signal, list]:
    """Sum a bit heap plus a constant into the signal ``[lo, hi]`` (the module doc's column compression).

    Parameters
    ----------
    heap : dict of int to list of (float, object)
        Column (bit weight ``2**column``) -> each signal bit of weight 1 in it: its arrival and
        its wire (None when only counting).
    const : int
        The constant added (any sign; taken modulo ``2**width(lo, hi)``).
    lo, hi : int
        The exact range of the sum (``lo < hi``).
    tally : Tally
        Gets the gates.
    levels : dict
        Adder logic levels (:data:`XOR_LEVELS` layout).
    emit : callable, optional
        ``emit(gate, input_wires) -> output wires`` (sum, carry for adders; one for
        ``inverter``/``xor2``): called for every gate, in order, to write the netlist.
    unread : int
        Columns below this one (and below the top) are read by nobody (bits a right shift drops): each
        builds only the carries it passes on (:data:`CARRY_ONLY`), and its result bit is the constant 0.

    Returns
    -------
    Signal
        The sum.
    list
        Each result bit, low first: its wire, or the constant 0 or 1 (int).
    """
    top = width(lo, hi)
    const &= (1 << top) - 1
    used = [c for c, bits in heap.items() if bits and c < top]
    start = min(used + ([(const & -const).bit_length() - 1] if const else []) + [top - 1])
    arrival, out = [0.0] * top, [0] * top
    carries: list = []
    for c in range(start, top):
        bits, carries = _by_arrival(heap.get(c, []) + carries), []
        const_bit = (const >> c) & 1
        if c == top - 1:
            if bits:
                arrival[c], out[c] = _parity(bits, const_bit, tally, emit)
            else:
                out[c] = const_bit
            break
        bit, carries = _column(bits, const_bit, tally, levels, emit, c < unread)
        if bit is None:
            out[c] = 0
        elif isinstance(bit, tuple):
            arrival[c], out[c] = bit
        else:
            out[c] = bit
    return Signal(lo, hi, start, arrival), out


def _column(bits: list, const_bit: int, tally: Tally, levels: dict, emit, carry_only: bool = False) -> tuple:
    """One column below the top reduced to one bit (module doc): that bit (``(arrival, wire)``, or the
    constant when no signal bit is left) and the carries into the next column. ``carry_only``: the column's
    own bit is not read, so the adder that would make it builds only its carry, and the bit is None."""
    carries = []
    if const_bit and len(bits) >= 2:
        s, carry = _reduce(bits[:2], 1, tally, levels, emit, carry_only and len(bits) == 2)
        bits, const_bit = _by_arrival(bits[2:] + ([s] if s else [])), 0
        carries.append(carry)
    while len(bits) >= 3:
        s, carry = _reduce(bits[:3], 0, tally, levels, emit, carry_only and len(bits) == 3 and not const_bit)
        bits = _by_arrival(bits[3:] + ([s] if s else []))
        carries.append(carry)
    if len(bits) == 2 or (len(bits) == 1 and const_bit):
        s, carry = _reduce(bits, const_bit, tally, levels, emit, carry_only)
        bits = [s] if s else []
        carries.append(carry)
    if carry_only:
        return None, carries
    return (bits[0] if bits else const_bit), carries


def _truncation_carries(low: dict, const: int, bits: int, tally: Tally, levels: dict, emit) -> list:
    """Carries into column ``bits`` of the sum of a product's low columns ``low`` plus ``const`` (``0 <= const <
    2**bits``): the columns are reduced to one bit each, as :func:`compress` does, and those bits dropped."""
    carries: list = []
    for c in range(bits):
        _, carries = _column(_by_arrival(low.get(c, []) + carries), (const >> c) & 1, tally, levels, emit)
    return carries


def multiplier_digits(magnitude: int) -> list[tuple[int, int]]:
    """Signed digits of a constant multiplier, top first: CSD, or plain binary when it has as few digits.

    Binary digits need no inverted bits, so on a tie (3 = 2 + 1 = 4 - 1) they win.
    """
    csd = csd_digits(magnitude)
    binary = [(k, 1) for k in range(int(magnitude).bit_length()) if (magnitude >> k) & 1]
    return sorted(binary if len(binary) <= len(csd) else csd, reverse=True)


def masked_max(hi: int, mask: int) -> int:
    """Largest ``x & mask`` over ``0 <= x <= hi``: ``hi`` itself, or ``hi`` with one set bit cleared
    and every bit below it set."""
    best = hi & mask
    for p in range(hi.bit_length()):
        if (hi >> p) & 1:
            best = max(best, (((hi >> (p + 1)) << (p + 1)) | ((1 << p) - 1)) & mask)
    return best


def _product_range(a: Signal, w: int, mask: int | None, truncate: int = 0) -> tuple[int, int]:
    """Range of ``w * a`` (``w * (a & mask)`` with a mask, its magnitude's low ``truncate`` bits dropped
    (AxSum) with a truncation; ``a`` is then non-negative)."""
    lo, hi = (a.lo, a.hi) if mask is None else (0, masked_max(a.hi, mask))
    if truncate:
        lo, hi = (((abs(w) * v) >> truncate) << truncate for v in (lo, hi))
        return (lo, hi) if w > 0 else (-hi, -lo)
    return min(w * lo, w * hi), max(w * lo, w * hi)


def heap_bits(inputs: list[Signal], weights: np.ndarray, masks=None):
    """The bits of ``sum_j w_j (a_j & mask_j)`` as a bit heap (module doc), with no constant folded yet.

    Yields
    ------
    column, j, p, negative : int, int, int, bool
        Bit ``p`` of input ``j`` enters column ``column``; ``negative``: its weight there is
        ``-2**column``, so it enters inverted and adds ``-2**column`` to the constant.
    """
    for j, w in enumerate(int(w) for w in weights):
        if w == 0:
            continue
        a = inputs[j]
        top = a.width
        bits = [p for p in range(a.tz, top) if masks is None or (int(masks[j]) >> p) & 1]
        for k, d in multiplier_digits(abs(w)):
            for p in bits:
                yield p + k, j, p, (d * w < 0) != (a.lo < 0 and p == top - 1)  # a signed sign bit weighs -2**p


def neuron(inputs: list[Signal], weights: np.ndarray, bias: int, tally: Tally, levels: dict, inverted: dict,
           emit=None, bit_wire=None, masks=None, truncate=None, unread: int = 0) -> tuple[Signal | Const, list | None]:
    """The accumulator ``sum_j w_j (a_j & mask_j) + bias`` of one neuron (before ReLU and shift), as one bit heap.

    With AxSum truncation (module doc), product ``j``'s magnitude loses its low ``truncate[j]``
    bits: its bits below that column are summed apart (:func:`_truncation_carries`) and only
    their carries join the heap.

    Parameters
    ----------
    inputs : list of Signal
        The layer's inputs (no Const).
    weights : ndarray of int
        The neuron's weights.
    bias : int
        Its bias.
    tally : Tally
        Gets the gates.
    levels : dict
        Adder logic levels (:data:`XOR_LEVELS` layout).
    inverted : dict
        ``(input, bit) -> wire`` of the input bits already inverted in this layer (one shared
        inverter each); filled here.
    emit, bit_wire : callable, optional
        To write the netlist: :func:`compress`'s ``emit``, and ``bit_wire(j, p)`` -> the wire of
        bit ``p`` of input ``j``.
    masks : array_like of int, optional
        The neuron's input-bit mask per input (a row of ``QLayer.input_mask``); None: every bit.
    truncate : array_like of int, optional
        Low bits dropped from each product's magnitude (a row of ``QLayer.axsum_truncate_bits``;
        inputs then non-negative); None: none. AxSum's ones'-complement -1 is the caller's, in ``bias``.
    unread : int
        The sum's low bits nobody reads (:func:`compress`); they are 0 in the returned bits.

    Returns
    -------
    tuple
        The sum (a Const when its range is one value) and each of its bits as
        :func:`compress` gives them (None for a Const).
    """
    cut = [0] * len(inputs) if truncate is None else [int(t) for t in truncate]
    lo = hi = int(bias)
    for j, (w, a) in enumerate(zip((int(w) for w in weights), inputs)):
        if w:
            p_lo, p_hi = _product_range(a, w, None if masks is None else int(masks[j]), cut[j])
            lo, hi = lo + p_lo, hi + p_hi
    if lo == hi:
        return Const(lo), None

    def inverse(j, p, wire):
        if (j, p) not in inverted:
            tally.add("inverter")
            inverted[(j, p)] = _gate("inverter", [wire], emit)[0]
        return inverted[(j, p)]

    heap: dict = {}
    low: dict = {}                                     # product j -> its columns below cut[j] (magnitude form)
    const = int(bias)
    for column, j, p, negative in heap_bits(inputs, weights, masks):
        t, wire = inputs[j].arrival[p], bit_wire(j, p) if bit_wire else None
        if column < cut[j]:                            # the magnitude |w_j| a_j: a digit of |w_j| < 0 inverts
            columns_const = low.setdefault(j, [{}, 0])
            if negative != (weights[j] < 0):
                t, wire = t + 1, inverse(j, p, wire)
                columns_const[1] -= 1 << column
            columns_const[0].setdefault(column, []).append((t, wire))
            continue
        if negative:                                   # -b 2**c = (~b) 2**c - 2**c
            t, wire = t + 1, inverse(j, p, wire)
            const -= 1 << column
        heap.setdefault(column, []).append((t, wire))
    for j, (columns, low_const) in low.items():        # floor(P / 2**t) 2**t = high bits + carries + const
        sign, step = (1 if weights[j] > 0 else -1), 1 << cut[j]
        const += sign * (low_const - low_const % step)
        for t, wire in _truncation_carries(columns, low_const % step, cut[j], tally, levels, emit):
            if sign < 0:
                tally.add("inverter")
                t, wire, const = t + 1, _gate("inverter", [wire], emit)[0], const - step
            heap.setdefault(cut[j], []).append((t, wire))
    return compress(heap, const, lo, hi, tally, levels, emit, unread)


def activation(acc: Signal | Const, relu: bool, shift: int, act_max: int, tally: Tally, read: int = -1
               ) -> Signal | Const:
    """ReLU, right shift (wiring) and clip of one accumulator, as in :mod:`hwsim.qmlp`.

    ``read``: the output bits a later gate reads, as a bit mask (-1: all); the ReLU's AND2 and the clip's
    OR2 of a bit nobody reads are not built (the AND2s under the clip's overflow flag stay).
    """
    if isinstance(acc, Const):
        v = max(acc.value, 0) if relu else acc.value
        v >>= shift
        return Const(min(v, act_max) if act_max >= 0 else v)
    lo, hi, arrival, tz = acc.lo, acc.hi, list(acc.arrival), acc.tz
    if relu and hi <= 0:
        return Const(0)
    m = int(act_max).bit_length()
    clips = 0 <= act_max < hi >> shift and (max(lo, 0) if relu else lo) >> shift < act_max
    if relu and lo < 0:
        sign_t = arrival[acc.width - 1] + 1
        tally.add("inverter")
        lo = 0
        kept = [p for p in range(max(tz, shift), width(0, hi))
                if (read >> (p - shift)) & 1 or (clips and p - shift >= m)]
        tally.add("and2", len(kept))
        arrival = [max(arrival[p], sign_t) + 1 if p in kept else 0.0 for p in range(width(0, hi))]
    lo, hi = lo >> shift, hi >> shift
    out = Signal(lo, hi, max(tz - shift, 0), arrival[shift:] or [0.0])
    if act_max < 0 or hi <= act_max:
        return out
    if lo >= act_max:
        return Const(int(act_max))
    over = out.arrival[m:out.width]
    tally.add("or2", len(over) - 1)
    flag_t = _or_tree_time(over)
    tally.add("or2", sum((read >> p) & 1 for p in range(m)))
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


def _value_bits_read(n_values: int, ignored: list) -> list:
    """Lowest bit of each comparator's output value that a later comparator reads (:data:`_NEVER`
    for none): a comparator reads bits ``>= t`` of both operands; a removed one reads none and
    passes its earlier operand on, so only that side's later readers count."""
    parent = []                                  # (consumer comparator, True on its earlier side)
    producer, n = [None] * n_values, n_values    # comparator that produced each value of a level
    while n > 1:
        nxt = []
        for i in range(0, n - 1, 2):
            for side, earlier in ((producer[i], True), (producer[i + 1], False)):
                if side is not None:
                    parent[side] = (len(parent), earlier)
            nxt.append(len(parent))
            parent.append(None)
        if n % 2:
            nxt.append(producer[n - 1])
        producer, n = nxt, len(nxt)
    lowest = [_NEVER] * len(parent)
    for c in reversed(range(len(parent))):       # a consumer is numbered after its operands' producers
        if parent[c] is None:
            continue
        p, earlier = parent[c]
        if ignored[p] != COMPARATOR_REMOVED:
            lowest[c] = min(ignored[p], lowest[p])
        elif earlier:
            lowest[c] = lowest[p]
    return lowest


#: "No bit is read" in :func:`_value_bits_read`.
_NEVER = 1 << 30


def argmax(values: list[Signal | Const], tally: Tally, ignored=None, idx_bits: int | None = None,
           fold: bool = False) -> float:
    """A pairwise ``>=`` comparator tree; returns the arrival of the class index.

    ``ignored`` (``QuantizedMLP.argmax_ignored_bits``): comparator ``c`` compares only the bits at
    and above ``ignored[c]`` (a signed pair always its sign bit), and passes on only the value bits
    a later comparator reads; a removed comparator, or one left with no bit to compare, has a
    constant select (its earlier operand wins): no gate at all. ``fold``: an exact comparator
    (``ignored[c] == 0``) of two constants is decided when the circuit is built (no gates), and of a
    signal and a constant is a chain of one AND2 or OR2 per bit (:func:`_compare_const`).
    ``idx_bits``: width of the class index (default that of ``len(values) - 1``).
    """
    idx_bits = max(int(len(values) - 1).bit_length(), 0) if idx_bits is None else idx_bits
    ignored = [0] * max(len(values) - 1, 0) if ignored is None else [int(t) for t in ignored]
    read = _value_bits_read(len(values), ignored)
    level = [(v, None) for v in values]              # (value, index arrival or None when constant)
    c = 0
    while len(level) > 1:
        nxt = []
        last = len(level) == 2
        for i in range(0, len(level) - 1, 2):
            (a, ia), (b, ib) = level[i], level[i + 1]
            lo, hi = min(_range(a)[0], _range(b)[0]), max(_range(a)[1], _range(b)[1])
            n_bits = width(lo, hi)
            t = ignored[c]
            first = n_bits if t == COMPARATOR_REMOVED else min(t, n_bits - 1 if lo < 0 else n_bits)
            keep_bits = read[c]
            c += 1
            if first >= n_bits:                      # constant select: a passes on, by wiring
                nxt.append((a, ia))
                continue
            if fold and t == 0 and isinstance(a, Const) and isinstance(b, Const):
                nxt.append((a, ia) if a.value >= b.value else (b, ib))
                continue
            if fold and t == 0 and (isinstance(a, Const) or isinstance(b, Const)):
                # b > a: b >= a + 1 when a is the constant; a >= b when b is
                signal, const = (b, a.value + 1) if isinstance(a, Const) else (a, b.value)
                cmp_t = _compare_const(signal, const, n_bits, lo < 0, tally)
                if isinstance(cmp_t, bool):          # the range decides it
                    nxt.append((a, ia) if cmp_t == (signal is a) else (b, ib))
                    continue
            else:
                cmp_t = 0.0
                for p in range(first, n_bits):
                    cmp_t = max(cmp_t + 2, _t(a, p) + 3, _t(b, p) + 4)
                tally.add("compare_bit", n_bits - first)
            tally.add("inverter")                    # the select's complement for the muxes
            sel = cmp_t + 1
            if ia is None and ib is None:
                index_t = sel
            else:
                tally.add("mux2_bit", idx_bits)
                index_t = max(ia or 0.0, ib or 0.0, sel) + 2
            if last:
                nxt.append((None, index_t))
                continue
            tally.add("mux2_bit", max(n_bits - keep_bits, 0))
            value_t = [max(_t(a, p), _t(b, p), sel) + 2 for p in range(n_bits)]
            nxt.append((Signal(lo, hi, 0, value_t), index_t))
        if len(level) % 2:
            nxt.append(level[-1])
        level = nxt
    return level[0][1] or 0.0


def _compare_const(signal: Signal, const: int, n_bits: int, signed: bool, tally: Tally) -> bool | float:
    """``signal >= const`` on ``n_bits`` bits (two's complement when ``signed``): a bool when the range decides it,
    else the arrival of its result, built from the lowest bit up as ``c' = s & c`` where ``const`` has a 1 and
    ``s | c`` where it has a 0 (``c`` starts true: equal is ``>=``), with ``signal``'s known bits and a constant
    ``c`` folded (no gate); a signed compare inverts both sign bits (an inverter on the signal's)."""
    if signal.lo >= const:
        return True
    if signal.hi < const:
        return False
    offset = 1 << (n_bits - 1) if signed else 0                 # compare x + 2**(n-1): the sign bit flipped
    k = const + offset
    c: bool | float = True
    for p in range(n_bits):
        t, known = signal.bit(p)
        if p == n_bits - 1 and offset:
            if t is None:
                known = 1 - known
            else:
                tally.add("inverter")
                t += 1
        k_bit = (k >> p) & 1
        if t is None:                                # s is the constant `known`
            c = (known > k_bit) or (known == k_bit and c) if isinstance(c, bool) else \
                (c if known == k_bit else bool(known > k_bit))
        elif isinstance(c, bool):                    # s & 1 = s, s | 0 = s; s & 0 = 0, s | 1 = 1
            c = t if c == bool(k_bit) else c
        else:
            tally.add("and2" if k_bit else "or2")
            c = max(c, t) + 1
    return c


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
                  input_widths=None, levels: dict | None = None, optimise: bool = True,
                  gate_cost: dict | None = None) -> Netlist:
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
        ``tz = input_bits - w``), so it adds ``w`` bits per signed digit of a weight.
    levels : dict, optional
        Logic levels of the adder gates (:data:`XOR_LEVELS` layout); default :data:`XOR_LEVELS`.
    optimise : bool
        True: the logic optimisation of :mod:`hwsim.printed.logicopt` (neurons that reach no output,
        classes that never win the argmax included, build nothing; sums equal up to a signed power of two
        are shared). False: every neuron its own heap, every class in the argmax.
    gate_cost : dict, optional
        Cost per gate that decides whether a neuron is built from a shared sum (default 1 per gate;
        :func:`hwsim.printed.cost.printed_cost` passes each gate's leakage).

    Returns
    -------
    Netlist
    """
    from hwsim.printed.logicopt import live_neurons, possible_classes

    if isinstance(input_bits, bool) or not isinstance(input_bits, (int, np.integer)) or input_bits < 1:
        raise GraphError(f"build_netlist: input_bits={input_bits!r}; expected an integer >= 1 (the ADC width).")
    widths = check_input_widths(input_widths, input_bits, qmlp.input_size, "build_netlist")
    check_input_masks(qmlp, int(input_bits), "build_netlist")
    inputs = [Signal(0, ((1 << int(w)) - 1) << (int(input_bits) - int(w)), int(input_bits) - int(w),
                     [0.0] * int(input_bits)) for w in widths]
    signals = inputs
    levels = levels or XOR_LEVELS
    live = live_neurons(qmlp) if optimise else [np.ones(layer.weight.shape[0], dtype=bool) for layer in qmlp.layers]
    parts, ranges, signals = _layers(qmlp, signals, levels, live, optimise, gate_cost)
    classes = np.ones(len(signals), dtype=bool)
    if optimise and argmax_output and len(signals) > 1 and qmlp.argmax_ignored_bits is None:
        classes = possible_classes(ranges[qmlp.layers[-1].name])
        if not classes.all():                        # the classes that never win reach no output either
            parts, ranges, signals = _layers(qmlp, inputs, levels, live_neurons(qmlp, classes), optimise, gate_cost)
    if argmax_output and len(signals) > 1:
        tally = Tally()
        levels = argmax([s for s, c in zip(signals, classes) if c], tally, qmlp.argmax_ignored_bits,
                        int(len(signals) - 1).bit_length(), optimise)
        parts["argmax"] = tally.gates
    else:
        levels = max((max(s.arrival, default=0.0) for s in signals if isinstance(s, Signal)), default=0.0)
    return Netlist(parts, float(levels), ranges)


def _layers(qmlp: QuantizedMLP, signals: list, levels: dict, live: list, optimise: bool, gate_cost) -> tuple:
    """Gates per layer, output ranges per layer and the last layer's outputs (:func:`build_netlist`)."""
    from hwsim.printed.logicopt import read_bits, shared_sums, unread_bits

    parts, ranges = {}, {}
    reads = read_bits(qmlp, live) if optimise else [[-1] * layer.weight.shape[0] for layer in qmlp.layers]
    for layer, built, read in zip(qmlp.layers, live, reads):
        tally, inverted = Tally(), {}
        rows, biases = _folded_constants(layer, signals)
        masks = layer.input_mask
        plan = shared_sums(signals, rows, biases, masks, levels, gate_cost, built) \
            if optimise and layer.axsum_truncate_bits is None else [None] * len(rows)
        accs, shared_inverted, outs = {}, {}, {}
        for r in sorted(range(len(rows)), key=lambda r: plan[r] is not None):     # shared sums first
            # a neuron that reaches no output is built for its range only: its gates go to a scratch tally
            part = tally if built[r] else Tally()
            if plan[r] is None:
                cut = None if layer.axsum_truncate_bits is None else [int(t) for t in layer.axsum_truncate_bits[r]]
                acc, _ = neuron(signals, rows[r], biases[r], part, levels, inverted if built[r] else {},
                                masks=None if masks is None else [int(m) for m in masks[r]], truncate=cut,
                                unread=unread_bits(layer, plan, r) if optimise else 0)
            else:
                base, factor, constant = plan[r]
                acc, _ = neuron([accs[base]], np.array([factor]), constant, part, levels,
                                shared_inverted.setdefault(base, {}), unread=unread_bits(layer, plan, r))
            accs[r] = acc
            outs[r] = activation(acc, layer.relu, layer.shift, layer.act_max, part, read[r])
        signals = [outs[r] for r in range(len(rows))]
        parts[layer.name] = tally.gates
        ranges[layer.name] = [_range(s) for s in signals]
    return parts, ranges, signals


def _folded_constants(layer, signals: list) -> tuple[np.ndarray, list[int]]:
    """The layer's weights with a zero for each constant input, and each neuron's constant: its bias, AxSum
    offset and the constant inputs' products."""
    constant = [isinstance(s, Const) for s in signals]
    rows = layer.weight.copy()
    rows[:, constant] = 0
    biases = []
    for r, row in enumerate(layer.weight):
        masks = None if layer.input_mask is None else [int(m) for m in layer.input_mask[r]]
        cut = None if layer.axsum_truncate_bits is None else [int(t) for t in layer.axsum_truncate_bits[r]]
        biases.append(int(layer.bias[r]) + int(layer.axsum_offset[r]) + sum(
            int(truncated_products(w, s.value if masks is None else s.value & masks[j], 0 if cut is None
                                   else cut[j])) for j, (w, s) in enumerate(zip(row, signals))
            if isinstance(s, Const)))
    return rows, biases
