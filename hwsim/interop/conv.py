"""2-D convolutions unrolled into synapses between (C, H, W) row-major flattened neurons, for the NIR and netx
importers: the output shape (PyTorch's rule), the size check before anything is allocated, and the unrolling
itself, row by row in sorted order (:func:`conv_to_csr`) or as synapse lists (:func:`conv_to_sparse`)."""
from __future__ import annotations

from typing import Sequence

import numpy as np
import scipy.sparse as sp

from hwsim.errors import GraphError
from hwsim.memory import check_fits


def conv_output_shape(in_shape: Sequence[int], kernel: Sequence[int], stride: Sequence[int],
                      padding: Sequence[int], dilation: Sequence[int]) -> tuple[int, int]:
    """Output (H, W) of a 2-D convolution (PyTorch's rule) on an input of (.., H, W)."""
    return tuple((size + 2 * p - d * (k - 1) - 1) // s + 1
                 for size, k, s, p, d in zip(in_shape[-2:], kernel, stride, padding, dilation))


#: Bytes the unrolled synapse arrays take per synapse at most (int64 pre, post, float64 weight as synapse lists,
#: and the CSR's arrays they are taken from).
CONV_BYTES_PER_SYNAPSE = 48


def check_conv_size(kernel_shape: Sequence[int], in_shape: Sequence[int], out_hw: tuple[int, int]) -> None:
    """Refuse a convolution whose output is empty, or whose unrolled synapses cannot fit in memory."""
    c_out, c_in_group, k_h, k_w = kernel_shape
    where = f"conv {tuple(kernel_shape)} on input {tuple(int(n) for n in in_shape)}"
    if min(out_hw) < 1:
        raise GraphError(f"{where}: output size {out_hw}; expected at least 1 x 1. Hint: check stride, padding "
                         f"and dilation against the input size.")
    n_synapses = c_out * c_in_group * k_h * k_w * out_hw[0] * out_hw[1]
    check_fits(where, f"unrolling to {n_synapses:,} synapses", n_synapses * CONV_BYTES_PER_SYNAPSE,
               "Hint: check the layer's shapes, stride and padding.", error=GraphError)


def conv_to_csr(weight: np.ndarray, in_shape: Sequence[int], stride=(1, 1), padding=(0, 0),
                dilation=(1, 1), groups: int = 1) -> tuple[sp.csr_array, tuple]:
    """The synapses of a 2-D convolution (PyTorch's cross-correlation, kernel ``(Cout, Cin // groups, kH, kW)``)
    between (C, H, W) row-major flattened neurons, as a canonical ``(n_out, n_in)`` CSR matrix.

    Rows are the (Cout, H_out, W_out) outputs, columns the (Cin, H, W) inputs, both row-major; within a row
    the taps run in (Cin, kH, kW) order, which is increasing input index, so the matrix is canonical (sorted
    indices, no duplicates) without a sort. Zero weights and taps on the padding are left out. Indices are
    int32 where they fit (else int64); one output channel's index temporaries exist at a time.

    Returns
    -------
    matrix : scipy.sparse.csr_array
        float64 weights.
    out_shape : tuple of int
        ``(Cout, H_out, W_out)``.
    """
    c_out, c_in_group, k_h, k_w = weight.shape
    c_in, h_in, w_in = in_shape
    h_out, w_out = conv_output_shape(in_shape, (k_h, k_w), stride, padding, dilation)
    check_conv_size(weight.shape, in_shape, (h_out, w_out))
    ih = np.arange(h_out)[:, None] * stride[0] - padding[0] + np.arange(k_h)[None, :] * dilation[0]  # (h_out, k_h)
    iw = np.arange(w_out)[:, None] * stride[1] - padding[1] + np.arange(k_w)[None, :] * dilation[1]  # (w_out, k_w)
    inside = (((ih >= 0) & (ih < h_in))[:, None, None, :, None]
              & ((iw >= 0) & (iw < w_in))[None, :, None, None, :])          # (h_out, w_out, 1, k_h, k_w)
    keep = (weight != 0)[:, None, None] & inside                          # (c_out, h_out, w_out, cig, k_h, k_w)
    per_row = keep.reshape(c_out * h_out * w_out, -1).sum(axis=1)
    n_in = c_in * h_in * w_in
    index = np.int32 if max(n_in, int(per_row.sum())) < 2 ** 31 else np.int64
    indptr = np.zeros(per_row.size + 1, dtype=index)
    np.cumsum(per_row, out=indptr[1:])
    indices = np.empty(int(indptr[-1]), dtype=index)
    data = np.empty(int(indptr[-1]), dtype=np.float64)
    offset = ((ih * w_in)[:, None, None, :, None] + iw[None, :, None, None, :]).astype(index)  # like `inside`
    rows = h_out * w_out
    for co in range(c_out):
        first = (co // (c_out // groups)) * c_in_group
        channel = ((first + np.arange(c_in_group, dtype=index)) * (h_in * w_in))[None, None, :, None, None]
        span = slice(int(indptr[co * rows]), int(indptr[(co + 1) * rows]))
        indices[span] = (channel + offset)[keep[co]]
        data[span] = np.broadcast_to(weight[co].astype(np.float64), keep.shape[1:])[keep[co]]
    matrix = sp.csr_array((data, indices, indptr), shape=(c_out * rows, n_in))
    matrix.has_canonical_format = True
    return matrix, (c_out, h_out, w_out)


def conv_to_sparse(weight: np.ndarray, in_shape: Sequence[int], stride=(1, 1), padding=(0, 0),
                   dilation=(1, 1), groups: int = 1) -> tuple[np.ndarray, np.ndarray, np.ndarray, tuple]:
    """Lower a 2-D convolution to sparse synapses between (C, H, W) row-major flattened neurons.

    Parameters
    ----------
    weight : ndarray
        ``(Cout, Cin // groups, kH, kW)`` kernel (cross-correlation, as PyTorch).
    in_shape : sequence of int
        Input ``(Cin, H, W)``.
    stride, padding, dilation : pair of int
        ``(H, W)`` values; padding is zero padding on both sides.
    groups : int
        Channel groups.

    Returns
    -------
    pre_index, post_index : ndarray
        int64 flattened input and output neuron of each non-zero synapse.
    weight : ndarray
        float64 weight of each synapse.
    out_shape : tuple of int
        ``(Cout, H_out, W_out)``.
    """
    matrix, out_shape = conv_to_csr(weight, in_shape, stride, padding, dilation, groups)
    post = np.repeat(np.arange(matrix.shape[0], dtype=np.int64), np.diff(matrix.indptr))
    return matrix.indices.astype(np.int64), post, matrix.data, out_shape
