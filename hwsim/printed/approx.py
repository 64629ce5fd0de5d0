"""Approximations of a bespoke printed MLP, each a function ``QuantizedMLP -> QuantizedMLP``.

Every function returns a new model and leaves its argument untouched; cost the result with
:func:`hwsim.printed.cost.printed_cost` and measure it with :func:`accuracy` (hwsim's integer
kernel), so each approximation reports accuracy and area/power after the change.

* :func:`requantize` -- weights to fewer bits (from the float graph, ``hwsim.quantize``).
* :func:`powers_of_two` -- every weight to a signed power of two (no multiplier at all).
* :func:`approximate_coefficients` -- each weight to the cheapest constant within a tolerance
  (Armeniakos et al., DATE 2022, coefficient approximation).
* :func:`prune_weights` -- the smallest weights of each layer to zero (their multiplier and
  adder vanish).
* :func:`prune_inputs` -- whole inputs dropped (their ADC, multipliers and adders vanish).
* :func:`truncate_accumulator` -- a hidden layer's accumulator loses its low bits (the output
  shift grows); the next layer's multipliers and adders narrow.
* :func:`clip_activation` -- approximate ReLU saturating at fewer bits.
* :func:`mask_input_bits` / :func:`mask_small_products` -- per-product input-bit masks
  (approximate accumulation, Afentaki et al., ICCAD 2023): a product reads only some bits of
  its input, so the other bits' partial products and their adder bits vanish.
* :func:`axsum` -- approximate summation (AxSum, Armeniakos et al., IEEE TC 2023): each
  product's low bits dropped, the negative products summed apart and ones'-complemented.
* :func:`approximate_argmax` -- comparators of the argmax tree look at top bits only, or are
  removed (the earlier class wins).
"""
from __future__ import annotations

from dataclasses import replace

import numpy as np

from hwsim.chips import ChipProfile
from hwsim.errors import GraphError
from hwsim.ir import Graph
from hwsim.lowering import lower_mlp
from hwsim.printed.csd import cheapest_near
from hwsim.kernels.mlp import run_argmax_tree
from hwsim.qmlp import COMPARATOR_REMOVED, MASK_BITS, QuantizedMLP, check_input_masks
from hwsim.quantize import quantize_mlp
from hwsim.simulate import simulate_mlp


def predict(qmlp: QuantizedMLP, codes: np.ndarray) -> np.ndarray:
    """Class of each sample: the argmax output of hwsim's integer kernel (lowest index on ties), by
    the approximate comparator tree when ``qmlp.argmax_ignored_bits`` is set (:mod:`hwsim.qmlp`).

    Parameters
    ----------
    qmlp : QuantizedMLP
        The model.
    codes : ndarray
        int64 ``(n, n_inputs)`` input codes (``hwsim.quantize.quantize_mlp_inputs``).
    """
    outputs = simulate_mlp(lower_mlp(qmlp), codes).outputs
    if qmlp.argmax_ignored_bits is None:
        return np.argmax(outputs, axis=1)
    classes = np.empty(outputs.shape[0], dtype=np.int64)
    run_argmax_tree(np.ascontiguousarray(outputs, dtype=np.int64),
                    np.asarray(qmlp.argmax_ignored_bits, dtype=np.int64), COMPARATOR_REMOVED, classes)
    return classes


def accuracy(qmlp: QuantizedMLP, codes: np.ndarray, labels: np.ndarray) -> float:
    """Fraction of samples whose :func:`predict` class equals the label (``labels``: ``(n,)`` classes)."""
    return float(np.mean(predict(qmlp, codes) == np.asarray(labels)))


def requantize(graph: Graph, chip: ChipProfile, weight_bits: int, calibration: np.ndarray | None = None
               ) -> QuantizedMLP:
    """Quantise ``graph`` with ``weight_bits``-bit signed weights (``hwsim.quantize.quantize_mlp``)."""
    if isinstance(weight_bits, bool) or not isinstance(weight_bits, (int, np.integer)) or weight_bits < 2:
        raise GraphError(f"requantize: weight_bits={weight_bits!r}; expected an integer >= 2.")
    narrow = replace(chip, arithmetic=replace(chip.arithmetic, weight_bits=int(weight_bits)))
    return quantize_mlp(graph, narrow, calibration)


def _map_weights(qmlp: QuantizedMLP, fn) -> QuantizedMLP:
    return replace(qmlp, layers=tuple(replace(layer, weight=fn(layer.weight, k)) for k, layer in enumerate(qmlp.layers)))


def powers_of_two(qmlp: QuantizedMLP) -> QuantizedMLP:
    """Each non-zero weight to ``sign(w) 2**round(log2 |w|)`` (QKeras ``quantized_po2`` rounding)."""
    def po2(w, _):
        mag = np.abs(w)
        out = np.where(mag > 0, np.left_shift(1, np.round(np.log2(np.maximum(mag, 1))).astype(np.int64)), 0)
        return (np.sign(w) * out).astype(np.int64)
    return _map_weights(qmlp, po2)


def approximate_coefficients(qmlp: QuantizedMLP, tolerance: int) -> QuantizedMLP:
    """Each weight to the cheapest constant (fewest CSD digits) within ``tolerance`` of it.

    The layer's largest magnitude bounds the new values, so the weight width does not grow.
    """
    if tolerance < 0:
        raise GraphError(f"approximate_coefficients: tolerance={tolerance}; expected >= 0.")

    def near(w, _):
        top = int(np.max(np.abs(w), initial=0))
        values, where = np.unique(w, return_inverse=True)
        return np.array([cheapest_near(int(v), int(tolerance), top) for v in values],
                        dtype=np.int64)[where].reshape(w.shape)
    return _map_weights(qmlp, near)


def prune_weights(qmlp: QuantizedMLP, fraction: float) -> QuantizedMLP:
    """Zero the ``fraction`` of each layer's non-zero weights with the smallest magnitude (ties: lower index)."""
    if not 0.0 <= fraction <= 1.0:
        raise GraphError(f"prune_weights: fraction={fraction}; expected a number in [0, 1].")

    def prune(w, _):
        flat = w.ravel().copy()
        nz = np.flatnonzero(flat)
        drop = nz[np.argsort(np.abs(flat[nz]), kind="stable")[:int(round(fraction * nz.size))]]
        flat[drop] = 0
        return flat.reshape(w.shape)
    return _map_weights(qmlp, prune)


def prune_inputs(qmlp: QuantizedMLP, n_drop: int, importance: np.ndarray) -> QuantizedMLP:
    """Drop the ``n_drop`` inputs of least ``importance`` (their first-layer weights become zero).

    ``importance`` is one number per input, e.g. ``sum_i |w_ij| x mean input j``
    (:func:`input_importance`); ties go to the lower index.
    """
    importance = np.asarray(importance, dtype=np.float64)
    if importance.shape != (qmlp.input_size,):
        raise GraphError(f"prune_inputs: importance shape {importance.shape}; expected ({qmlp.input_size},).")
    drop = np.argsort(importance, kind="stable")[:int(n_drop)]

    def cut(w, k):
        if k:
            return w
        out = w.copy()
        out[:, drop] = 0
        return out
    return _map_weights(qmlp, cut)


def input_importance(qmlp: QuantizedMLP, codes: np.ndarray) -> np.ndarray:
    """``sum_i |w_ij| x mean_n codes[n, j]``: how much each input moves the first layer."""
    return np.abs(qmlp.layers[0].weight).sum(axis=0) * np.asarray(codes, dtype=np.float64).mean(axis=0)


def _hidden(qmlp: QuantizedMLP, layer: int, what: str) -> None:
    if not 0 <= layer < len(qmlp.layers) - 1:
        raise GraphError(f"{what}: layer {layer}; expected a hidden layer index in 0..{len(qmlp.layers) - 2}.")


def truncate_accumulator(qmlp: QuantizedMLP, layer: int, bits: int) -> QuantizedMLP:
    """Drop the ``bits`` low bits of hidden layer ``layer``'s accumulator.

    The layer's shift grows by ``bits`` and its clip top shrinks to match
    (``act_max >> bits``), so its outputs are ``bits`` narrower; the next layer's biases are
    rescaled (``round(b / 2**bits)``) and its shift reduced by up to ``bits`` to keep its
    output scale (its argmax is scale-free when it is the last layer).
    """
    _hidden(qmlp, layer, "truncate_accumulator")
    if bits <= 0:
        return qmlp
    layers = list(qmlp.layers)
    cur, nxt = layers[layer], layers[layer + 1]
    layers[layer] = replace(cur, shift=cur.shift + bits, act_max=cur.act_max >> bits if cur.act_max >= 0 else -1)
    bias = np.round(nxt.bias / float(1 << bits)).astype(np.int64)
    layers[layer + 1] = replace(nxt, bias=bias, shift=max(nxt.shift - bits, 0))
    return replace(qmlp, layers=tuple(layers))


def clip_activation(qmlp: QuantizedMLP, layer: int, bits: int) -> QuantizedMLP:
    """Approximate ReLU of hidden layer ``layer``: outputs saturate at ``2**bits - 1`` (same scale)."""
    _hidden(qmlp, layer, "clip_activation")
    top = (1 << int(bits)) - 1
    cur = qmlp.layers[layer]
    new_top = top if cur.act_max < 0 else min(cur.act_max, top)
    layers = list(qmlp.layers)
    layers[layer] = replace(cur, act_max=new_top)
    return replace(qmlp, layers=tuple(layers))


def mask_input_bits(qmlp: QuantizedMLP, layer: int, masks, input_bits: int) -> QuantizedMLP:
    """Layer ``layer``'s products read only the bits of their input set in ``masks``.

    ``masks`` (``(n_out, n_in)`` non-negative integers, ``QLayer.input_mask``) is AND-ed with
    the layer's masks already set; ``input_bits`` is the input code width, which the first
    layer's masks must fit (a hidden layer's masks must fit its input's ``act_max``).
    """
    if not 0 <= layer < len(qmlp.layers):
        raise GraphError(f"mask_input_bits: layer {layer}; expected a layer index in 0..{len(qmlp.layers) - 1}.")
    if isinstance(input_bits, bool) or not isinstance(input_bits, (int, np.integer)) or not 1 <= input_bits <= MASK_BITS:
        raise GraphError(f"mask_input_bits: input_bits={input_bits!r}; expected an integer in 1..{MASK_BITS}.")
    masks = np.asarray(masks)
    cur = qmlp.layers[layer]
    if masks.shape == cur.weight.shape and masks.dtype.kind in "iu" and cur.input_mask is not None:
        masks = masks & np.asarray(cur.input_mask)       # the QLayer check refuses anything else
    layers = list(qmlp.layers)
    layers[layer] = replace(cur, input_mask=masks)
    out = replace(qmlp, layers=tuple(layers))
    check_input_masks(out, input_bits, "mask_input_bits")
    return out


def mask_small_products(qmlp: QuantizedMLP, layer: int, input_bits: int, min_weight: int) -> QuantizedMLP:
    """Mask out bit ``p`` of input ``j`` in neuron ``i`` wherever ``|w_ij| 2**p < min_weight``.

    Those partial products are the ones that move the accumulator least; every bit of a
    product with ``|w_ij| 2**p >= min_weight`` is kept (``min_weight <= 1`` keeps every bit).
    The layer's input width is ``input_bits`` for the first layer, else the width of the
    previous layer's ``act_max`` (which must clip).
    """
    for name, value, top in (("min_weight", min_weight, 1 << MASK_BITS), ("input_bits", input_bits, MASK_BITS)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or not 0 <= value <= top:
            raise GraphError(f"mask_small_products: {name}={value!r}; expected an integer in 0..{top}.")
    if not 0 <= layer < len(qmlp.layers):
        raise GraphError(f"mask_small_products: layer {layer}; expected a layer index in 0..{len(qmlp.layers) - 1}.")
    top = input_bits if layer == 0 else int(qmlp.layers[layer - 1].act_max).bit_length()
    if layer and qmlp.layers[layer - 1].act_max < 0:
        raise GraphError(f"mask_small_products: layer {layer}'s inputs are not clipped (act_max -1), so their width "
                         f"is unknown; expected a previous layer with act_max >= 0. Hint: clip_activation first.")
    weight = np.abs(qmlp.layers[layer].weight).astype(np.int64)
    least = np.array([-(-int(min_weight) >> p) for p in range(top)], dtype=np.int64)  # ceil(min_weight / 2**p)
    keep = weight[:, :, None] >= least                                 # (n_out, n_in, bit)
    return mask_input_bits(qmlp, layer, (keep.astype(np.int64) << np.arange(top, dtype=np.int64)).sum(axis=2),
                           input_bits)


def axsum(qmlp: QuantizedMLP, layer: int, truncate_bits) -> QuantizedMLP:
    """Layer ``layer`` sums by AxSum, each product's magnitude losing its low ``truncate_bits`` bits.

    ``truncate_bits`` is one integer (the whole layer), ``(n_out,)`` integers (per neuron) or
    ``(n_out, n_in)`` (per product, ``QLayer.axsum_truncate_bits``), each in ``0 .. 62``; 0 keeps
    the products exact but still sums them apart with the ones'-complement -1 (module doc of
    :mod:`hwsim.qmlp`). The layer's inputs must be non-negative (the first layer, or one after a ReLU).
    """
    if not 0 <= layer < len(qmlp.layers):
        raise GraphError(f"axsum: layer {layer}; expected a layer index in 0..{len(qmlp.layers) - 1}.")
    cur = qmlp.layers[layer]
    bits = np.asarray(truncate_bits)
    n_out, n_in = cur.weight.shape
    if bits.dtype.kind not in "iu" or bits.shape not in ((), (n_out,), (n_out, n_in)):
        raise GraphError(f"axsum: truncate_bits shape {bits.shape}, dtype {bits.dtype}; expected integers: one, "
                         f"({n_out},) per neuron or ({n_out}, {n_in}) per product of layer '{cur.name}'.")
    per_product = np.broadcast_to(bits.reshape(n_out, 1) if bits.ndim == 1 else bits, cur.weight.shape)
    layers = list(qmlp.layers)
    layers[layer] = replace(cur, axsum_truncate_bits=per_product.astype(np.int64))
    return replace(qmlp, layers=tuple(layers))


def approximate_argmax(qmlp: QuantizedMLP, ignored_bits) -> QuantizedMLP:
    """The argmax tree's comparators ignore the low ``ignored_bits`` bits of their operands.

    ``ignored_bits`` is one integer (every comparator) or ``(n_classes - 1,)`` integers, one per
    comparator in the tree's order (:mod:`hwsim.qmlp`), each in ``0 .. MASK_BITS`` or
    ``COMPARATOR_REMOVED`` (the comparator is removed and its earlier operand wins).
    """
    n = max(qmlp.layers[-1].weight.shape[0] - 1, 0)
    bits = np.asarray(ignored_bits)
    if bits.dtype.kind not in "iu" or bits.shape not in ((), (n,)):
        raise GraphError(f"approximate_argmax: ignored_bits shape {bits.shape}, dtype {bits.dtype}; expected "
                         f"integers: one, or ({n},) one per comparator.")
    return replace(qmlp, argmax_ignored_bits=np.broadcast_to(bits, (n,)).astype(np.int64))
