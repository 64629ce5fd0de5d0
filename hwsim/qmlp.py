"""A non-spiking network (MLP) in a MAC chip's integers.

Each layer computes, in int64, from the previous layer's outputs ``a`` (the
integer input for the first layer)::

    y = weight @ a + bias;  if relu: y = max(y, 0);  y = y >> shift (floor);
    if act_max >= 0: y = min(y, act_max)

A layer may carry per-product input-bit masks (approximate accumulation, Afentaki et al.,
ICCAD 2023): then the product of weight ``(i, j)`` reads ``a_j & input_mask[i, j]``, i.e.
``y_i = sum_j weight[i, j] (a_j & input_mask[i, j]) + bias_i``. Masks act on non-negative
inputs only (input codes, or the outputs of a ReLU layer).

A layer may sum approximately (AxSum, Armeniakos et al., IEEE TC 2023, as their published
Verilog builds it): with ``axsum_truncate_bits`` set, each product's magnitude
``P_ij = |weight[i, j]| (a_j & input_mask[i, j])`` loses its low ``t_ij`` bits
(``T_ij = (P_ij >> t_ij) << t_ij``), the positive and the negative products (and a positive or
negative bias) are summed apart, and the negative sum enters ones'-complemented::

    y_i = S_pos - S_neg - 1   if neuron i has a negative weight or bias (S_pos + ~S_neg),
    y_i = S_pos               otherwise,

i.e. ``y_i = bias_i + sum_j sign(w_ij) T_ij - [neuron i has a negative term]``. AxSum, too,
acts on non-negative inputs only.

The class is the argmax of the last layer's outputs by a pairwise comparator tree: level by
level, outputs ``(0, 1), (2, 3), ...`` meet in comparators numbered in that order (an odd last
one passes to the next level), and the earlier operand ``a`` wins when ``a >= b``, so the exact
tree is ``numpy.argmax`` (earliest maximum). An approximate argmax (approximate comparators of
the printed-ML papers) sets ``argmax_ignored_bits``: comparator ``c`` then compares only the top
bits, ``(a >> t_c) >= (b >> t_c)`` (floor shifts; ties in those bits go to ``a``), and
``t_c = COMPARATOR_REMOVED`` removes it: ``a`` always wins. The winner passes its full value on.

:mod:`hwsim.lowering` flattens a :class:`QuantizedMLP` into kernel arrays.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from hwsim.errors import GraphError


@dataclass(frozen=True, eq=False)
class QLayer:
    """One integer dense layer.

    Attributes
    ----------
    name : str
        Layer (population) name; it names the layer's counter group.
    weight : ndarray
        int64 ``(n_out, n_in)`` weights in accumulator units.
    bias : ndarray
        int64 ``(n_out,)`` biases in accumulator units.
    shift : int
        Right shift (floor, >= 0) from accumulator units to the next layer's input units.
    relu : bool
        True: negative accumulators become 0 before the shift.
    act_max : int
        Largest output after the shift (the activation width's top); -1: no clipping.
    input_mask : ndarray, optional
        int64 ``(n_out, n_in)`` bit masks, each in ``0 .. 2**MASK_BITS - 1``: the product of
        weight ``(i, j)`` reads only the bits of input ``j`` set in ``input_mask[i, j]``
        (module doc). None: every bit.
    axsum_truncate_bits : ndarray, optional
        int64 ``(n_out, n_in)`` low product bits dropped, each in ``0 .. MASK_BITS``: the
        layer sums by AxSum (module doc). None: exact sum.
    """

    name: str
    weight: np.ndarray
    bias: np.ndarray
    shift: int
    relu: bool
    act_max: int
    input_mask: np.ndarray | None = None
    axsum_truncate_bits: np.ndarray | None = None

    def __post_init__(self):
        where = f"layer '{self.name}'"
        if self.weight.ndim != 2 or self.bias.shape != (self.weight.shape[0],):
            raise GraphError(f"{where}: weight shape {self.weight.shape} and bias shape {self.bias.shape}; "
                             f"expected (n_out, n_in) and (n_out,).")
        if self.weight.dtype.kind not in "iu" or self.bias.dtype.kind not in "iu":
            raise GraphError(f"{where}: weight dtype {self.weight.dtype}, bias dtype {self.bias.dtype}; "
                             f"expected integers. Hint: quantise first (round, then .astype(np.int64)).")
        if self.shift < 0:
            raise GraphError(f"{where}: shift {self.shift}; expected >= 0. Hint: fold left shifts "
                             f"into the weights.")
        if self.input_mask is not None:
            _check_mask(np.asarray(self.input_mask), self.weight.shape, where)
        if self.axsum_truncate_bits is not None:
            _check_truncation(np.asarray(self.axsum_truncate_bits), self.weight.shape, where)

    @property
    def axsum_offset(self) -> np.ndarray:
        """int64 ``(n_out,)``: -1 where AxSum ones'-complements a negative sum (module doc), else 0."""
        if self.axsum_truncate_bits is None:
            return np.zeros(self.weight.shape[0], dtype=np.int64)
        return -(np.any(self.weight < 0, axis=1) | (self.bias < 0)).astype(np.int64)

    def accumulate(self, a: np.ndarray) -> np.ndarray:
        """The accumulators per sample, with the input masks and AxSum applied (int64 ``(n, n_in) -> (n, n_out)``)."""
        a = np.asarray(a, dtype=np.int64)
        if self.input_mask is None and self.axsum_truncate_bits is None:
            return a @ self.weight.T.astype(np.int64) + self.bias
        mask = -1 if self.input_mask is None else np.asarray(self.input_mask, dtype=np.int64)[None]
        weight = self.weight.astype(np.int64)
        if self.axsum_truncate_bits is None:
            return np.einsum("ij,sij->si", weight, a[:, None, :] & mask) + self.bias
        products = truncated_products(weight[None], a[:, None, :] & mask, self.axsum_truncate_bits[None])
        return products.sum(axis=2) + self.bias + self.axsum_offset


def truncated_products(weight, a, truncate_bits):
    """AxSum's signed products ``sign(w) ((|w| a) >> t << t)`` (``a >= 0``), elementwise (int64)."""
    weight, truncate_bits = np.asarray(weight, dtype=np.int64), np.asarray(truncate_bits, dtype=np.int64)
    return np.sign(weight) * (((np.abs(weight) * np.asarray(a, dtype=np.int64)) >> truncate_bits) << truncate_bits)


#: Bits a mask may cover (the int64 datapath's non-negative range less one bit of headroom).
MASK_BITS = 62
#: ``QuantizedMLP.argmax_ignored_bits`` value of a removed comparator (its earlier operand always wins).
COMPARATOR_REMOVED = MASK_BITS + 1


def _check_mask(mask: np.ndarray, shape: tuple, where: str) -> None:
    if mask.shape != shape or mask.dtype.kind not in "iu":
        raise GraphError(f"{where}: input_mask shape {mask.shape}, dtype {mask.dtype}; expected integers of the "
                         f"weight's shape {shape} (one mask per product).")
    if mask.size and (mask.min() < 0 or mask.max() >= 1 << MASK_BITS):
        raise GraphError(f"{where}: input_mask from {mask.min()} to {mask.max()}; expected bit masks in "
                         f"0 .. 2**{MASK_BITS} - 1. Hint: use None for 'every bit', not -1.")


def _check_truncation(bits: np.ndarray, shape: tuple, where: str) -> None:
    if bits.shape != shape or bits.dtype.kind not in "iu":
        raise GraphError(f"{where}: axsum_truncate_bits shape {bits.shape}, dtype {bits.dtype}; expected integers "
                         f"of the weight's shape {shape} (one per product). Hint: np.full(weight.shape, t) for one "
                         f"setting per layer.")
    if bits.size and (bits.min() < 0 or bits.max() > MASK_BITS):
        raise GraphError(f"{where}: axsum_truncate_bits from {bits.min()} to {bits.max()}; expected 0 .. "
                         f"{MASK_BITS} low product bits dropped. Hint: use None for an exact sum.")


def _check_argmax(bits: np.ndarray, n_classes: int, where: str) -> None:
    if bits.shape != (max(n_classes - 1, 0),) or bits.dtype.kind not in "iu":
        raise GraphError(f"{where}: argmax_ignored_bits shape {bits.shape}, dtype {bits.dtype}; expected integers of "
                         f"shape ({max(n_classes - 1, 0)},), one per comparator of the {n_classes}-class argmax tree.")
    if bits.size and (bits.min() < 0 or bits.max() > COMPARATOR_REMOVED):
        raise GraphError(f"{where}: argmax_ignored_bits from {bits.min()} to {bits.max()}; expected 0 .. {MASK_BITS} "
                         f"ignored low bits, or {COMPARATOR_REMOVED} (COMPARATOR_REMOVED). Hint: use None for an exact "
                         f"argmax.")


def mask_bits_needed(mask: np.ndarray | None) -> int:
    """Highest masked-in bit + 1 over a layer's masks (0 for None or all-zero masks)."""
    return 0 if mask is None or not np.asarray(mask).size else int(np.max(mask)).bit_length()


def check_input_masks(qmlp: "QuantizedMLP", input_bits: int, where: str) -> None:
    """Raise GraphError when the first layer's masks reach above the ``input_bits``-bit input codes."""
    needed = mask_bits_needed(qmlp.layers[0].input_mask)
    if needed > input_bits:
        raise GraphError(f"{where}: layer '{qmlp.layers[0].name}' input_mask reaches bit {needed - 1}; expected "
                         f"masks within the {input_bits}-bit input codes (below 2**{input_bits}). Hint: mask "
                         f"with (2**input_bits - 1) & mask.")


@dataclass(frozen=True, eq=False)
class QuantizedMLP:
    """A chain of integer dense layers fed by one value input.

    Attributes
    ----------
    input_name : str
        Name of the value input.
    input_size : int
        Number of input channels (integers, e.g. ADC codes).
    layers : tuple of QLayer
        Layers in order; layer ``l`` reads layer ``l - 1``'s outputs.
    argmax_ignored_bits : ndarray, optional
        int64 ``(n_classes - 1,)``: low bits each comparator of the argmax tree ignores, in
        ``0 .. MASK_BITS``, or :data:`COMPARATOR_REMOVED` (module doc). None: exact argmax.
    """

    input_name: str
    input_size: int
    layers: tuple[QLayer, ...]
    argmax_ignored_bits: np.ndarray | None = None

    def __post_init__(self):
        if not self.layers:
            raise GraphError(f"MLP '{self.input_name}': no layers; expected at least one.")
        width = self.input_size
        for layer in self.layers:
            if layer.weight.shape[1] != width:
                raise GraphError(f"layer '{layer.name}': weight has {layer.weight.shape[1]} inputs but "
                                 f"the previous layer has {width} outputs; expected equal widths.")
            width = layer.weight.shape[0]
        for prev, layer in zip(self.layers, self.layers[1:]):
            for name in ("input_mask", "axsum_truncate_bits"):
                if getattr(layer, name) is not None and not prev.relu:
                    raise GraphError(f"layer '{layer.name}': {name} on the outputs of layer '{prev.name}', which "
                                     f"has no ReLU; expected non-negative inputs (masks and AxSum act on unsigned "
                                     f"values). Hint: approximate only the first layer or layers after a ReLU.")
            if layer.input_mask is None:
                continue
            top = int(prev.act_max).bit_length() if prev.act_max >= 0 else MASK_BITS
            if mask_bits_needed(layer.input_mask) > top:
                raise GraphError(f"layer '{layer.name}': input_mask reaches bit "
                                 f"{mask_bits_needed(layer.input_mask) - 1}; expected masks within the "
                                 f"{top}-bit outputs of layer '{prev.name}' (act_max {prev.act_max}).")
        if self.argmax_ignored_bits is not None:
            _check_argmax(np.asarray(self.argmax_ignored_bits), width, f"MLP '{self.input_name}'")
