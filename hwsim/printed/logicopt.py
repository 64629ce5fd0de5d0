"""Logic optimisation of a bespoke MLP circuit before it is counted: what a synthesiser removes or shares.

Both :func:`hwsim.printed.netcost.build_netlist` (the count) and :func:`hwsim.printed.verilog.verilog_for`
(the netlist) build a layer from this plan, so the Verilog stays the circuit hwsim counts:

Removal of logic that reaches no output (:func:`live_neurons`)
    A neuron is live when a live neuron of the next layer reads it (a non-zero weight whose input-bit
    mask, if any, keeps some bit); the last layer's neurons are all live (the argmax reads them). A
    neuron that is not live builds no cells; its value is still known (its range), so the next layers
    are unchanged (they multiply it by zero). Of a live neuron, the ReLU's AND2 and clip's OR2 of an
    output bit that no input-bit mask of the next layer keeps are not built (:func:`read_bits`); the
    accumulator's bits below the right shift are read by nobody, so their columns build only the carries
    they pass on: the last adder of such a column is its carry-only form (a full adder's majority, a half
    adder's AND2, an ``x + y + 1`` adder's OR2), and a bit plus the constant 1 needs no inverter
    (:func:`unread_bits`). A class whose range shows it never wins the argmax
    (:func:`possible_classes`) leaves the comparator tree, and its neuron is not live.
Constant propagation
    Kept in the bit heap (:mod:`hwsim.printed.netcost`): constant inputs fold into the bias, a zero
    weight or a masked bit puts nothing in the heap, constant bits of the heap fold into one constant
    (a column with one bit and a constant 1 is an inverter, a full adder with a constant 1 is an
    XNOR2 + OR2), ReLU and clip steps the range shows cannot act build nothing, and a neuron whose range
    is one value is a constant. In the argmax, two constants are compared when the circuit is built,
    and a signal against a constant is one AND2 or OR2 per bit (:func:`hwsim.printed.netcost.argmax`).
Merging of sums equal up to a signed power of two (:func:`shared_sums`)
    Neurons whose weights (and input-bit masks) are ``s 2**k w`` for one integer vector ``w``
    (``s = +/-1``) share one bit heap: the one with the smallest ``k`` (the earliest on a tie), the base,
    is built as usual, and each other member is ``acc = f acc_base + c`` with ``f = +/-2**d`` and
    ``c = b - f b_base``: a bit heap of the base's bits (shifted, inverted when ``f < 0``) plus a
    constant. A member takes that form only when it costs no more than its own heap less that heap's
    inverters (which the layer may share), and its known-zero low bits are as many as its own heap's
    (so the next layer's heap is no larger): merging never adds cost.
"""
from __future__ import annotations

import numpy as np

from hwsim.printed.netcost import Const, Tally, neuron
from hwsim.qmlp import QuantizedMLP


def possible_classes(ranges: list[tuple[int, int]]) -> np.ndarray:
    """A bool per class: can it win the argmax (ties to the lowest index) given each class's ``(lo, hi)`` range?

    Class ``j`` never wins when an earlier class's smallest value reaches its largest, or a later class's
    smallest value exceeds it; removing such classes leaves the argmax of every input unchanged.
    """
    return np.array([not any((i < j and lo >= ranges[j][1]) or (i > j and lo > ranges[j][1])
                             for i, (lo, _) in enumerate(ranges)) for j in range(len(ranges))], dtype=bool)


def live_neurons(qmlp: QuantizedMLP, classes=None) -> list[np.ndarray]:
    """Per layer, a bool per neuron: does its value reach the class output (module doc)? ``classes``: the last
    layer's neurons that count (:func:`possible_classes`; default all)."""
    layers = qmlp.layers
    live = [np.ones(layers[-1].weight.shape[0], dtype=bool) if classes is None else np.asarray(classes, dtype=bool)]
    for layer in layers[:0:-1]:
        reads = layer.weight != 0
        if layer.input_mask is not None:
            reads &= np.asarray(layer.input_mask) != 0
        live.insert(0, np.any(reads[live[0]], axis=0))
    return live


def read_bits(qmlp: QuantizedMLP, live: list[np.ndarray]) -> list[list[int]]:
    """Per layer, per neuron: the bits of its output that a live neuron of the next layer reads, as a bit mask
    (the OR of the input-bit masks of its non-zero weights; -1, every bit, without masks and in the last layer)."""
    reads = []
    for layer, after in zip(qmlp.layers, list(qmlp.layers[1:]) + [None]):
        if after is None:
            reads.append([-1] * layer.weight.shape[0])
            continue
        readers = after.weight[live[len(reads) + 1]] != 0
        masks = None if after.input_mask is None else np.asarray(after.input_mask)[live[len(reads) + 1]]
        reads.append([int(np.bitwise_or.reduce(masks[readers[:, r], r], initial=0)) if masks is not None
                      else (-1 if readers[:, r].any() else 0) for r in range(layer.weight.shape[0])])
    return reads


def unread_bits(layer, plan: list, r: int) -> int:
    """Low bits of neuron ``r``'s accumulator that nobody reads: the ``layer.shift`` bits its right shift drops,
    unless another neuron is built from this accumulator (:func:`shared_sums`)."""
    return 0 if any(p is not None and p[0] == r for p in plan) else int(layer.shift)


def gates_cost(tally: Tally, gate_cost: dict | None, leave_out: tuple = ()) -> float:
    """``sum count x gate_cost[gate]`` over ``tally`` (each gate 1 when ``gate_cost`` is None), less ``leave_out``."""
    return float(sum(n * (1.0 if gate_cost is None else gate_cost[g])
                     for g, n in tally.gates.items() if g not in leave_out))


def _scale(row: np.ndarray) -> tuple[int, int]:
    """``(s, k)`` with ``row = s 2**k w``: ``s`` the sign of the first non-zero weight, ``2**k`` the largest power
    of two dividing every weight."""
    nonzero = [int(w) for w in row if w]
    k = min((abs(w) & -abs(w)).bit_length() - 1 for w in nonzero)
    return (1 if nonzero[0] > 0 else -1), k


def shared_sums(signals: list, rows: np.ndarray, biases: list[int], masks, levels: dict,
                gate_cost: dict | None = None, live=None) -> list:
    """The merging plan of one layer's neurons (module doc).

    Parameters
    ----------
    signals : list of Signal
        The layer's inputs (a constant one must have a zero weight in ``rows``).
    rows : ndarray of int
        Weights, one row per neuron.
    biases : list of int
        Each neuron's constant (bias and any folded constants).
    masks : ndarray of int or None
        Input-bit masks per neuron and input (``QLayer.input_mask``), or None.
    levels : dict
        Adder levels (only for building the candidates; the plan depends on gate counts alone).
    gate_cost : dict, optional
        Cost of each gate to compare the forms by (default 1 each).
    live : array_like of bool, optional
        Neurons that are built (default all); only live neurons are merged.

    Returns
    -------
    list
        Per neuron: None (its own heap) or ``(base, factor, constant)``: ``acc = factor x acc[base] + constant``.
    """
    groups: dict = {}
    for r, row in enumerate(rows):
        if not np.any(row) or (live is not None and not live[r]):
            continue
        s, k = _scale(row)
        key = (tuple(int(w) * s >> k for w in row), None if masks is None else tuple(int(m) for m in masks[r]))
        groups.setdefault(key, []).append((k, r, s))
    plan: list = [None] * len(rows)
    for members in groups.values():
        if len(members) < 2:
            continue
        k0, base, s0 = min(members)
        mask = None if masks is None else masks[base]
        acc, _ = neuron(signals, rows[base], biases[base], Tally(), levels, {}, masks=mask)
        if isinstance(acc, Const):
            continue
        for k, r, s in members:
            if r == base:
                continue
            factor = s * s0 << (k - k0)
            constant = int(biases[r]) - factor * int(biases[base])
            alone, derived = Tally(), Tally()
            own, _ = neuron(signals, rows[r], biases[r], alone, levels, {}, masks=None if masks is None else masks[r])
            shared, _ = neuron([acc], np.array([factor]), constant, derived, levels, {})
            if shared.tz >= own.tz and gates_cost(derived, gate_cost) <= gates_cost(alone, gate_cost, ("inverter",)):
                plan[r] = (base, factor, constant)
    return plan
