"""Chain of integer dense layers (a quantised MLP): the MAC kernel, and the approximate argmax tree.

The arrays are those of ``hwsim.lowering.MlpArrays``. Each layer ``l`` computes,
in int64, from the previous activations ``a`` (the input for layer 0)::

    y = W_l @ (a & M_l) + b_l;  if relu_l: y = max(y, 0);  y = y >> shift_l (floor);
    if act_max_l >= 0: y = min(y, act_max_l)

``W_l`` is stored as CSR rows holding its non-zero weights only, so MAC counts
``nnz(W_l)`` per sample and NEURON_ACTIVE counts the layer's outputs. ``M_l`` holds one bit
mask per product (``a_j & M_l[i, j]`` feeds weight ``(i, j)``; -1 where every bit is read).
With AxSum (``hwsim.qmlp``), each product's magnitude loses its low ``T_l[i, j]`` bits
(``sign(w) ((|w| a) >> t << t)``); the ones'-complement -1 is already in the bias.
"""
import numpy as np
from numba import njit, prange

from ._config import JIT
from .actions import MAC, NEURON_ACTIVE


@njit(parallel=True, **JIT)
def run_mlp(x, max_width, layer_row_ptr, row_syn_ptr, syn_col, syn_weight, syn_mask, syn_truncate_bits, row_bias,
            layer_shift, layer_relu, layer_act_max, chunk_bounds, out_counts, out_y):
    """Run a batch of samples through the layers, chunks of samples in parallel.

    Parameters
    ----------
    x : ndarray int64 ``(n_samples, n_inputs)``
        Integer inputs.
    max_width : int
        Largest of ``n_inputs`` and every layer's outputs.
    layer_row_ptr, row_syn_ptr, syn_col, syn_weight, syn_mask, row_bias : ndarray int64
        CSR rows of every layer's non-zero weights, their input bit masks (empty: no masks, every
        bit read), and the biases (see ``hwsim.lowering.MlpArrays``).
    syn_truncate_bits : ndarray int64
        Low bits AxSum drops from each product's magnitude; empty: exact sums (then
        ``syn_mask`` may be empty too; when not empty, ``syn_mask`` is full).
    layer_shift, layer_act_max : ndarray int64 ``(n_layers,)``
        Right shift [bit] and clip top (-1: none) of each layer.
    layer_relu : ndarray uint8 ``(n_layers,)``
        1 where the layer applies ReLU before the shift.
    chunk_bounds : ndarray int64 ``(n_chunks + 1,)``
        Chunk c runs samples ``chunk_bounds[c] .. chunk_bounds[c+1]-1`` one after another.
    out_counts : ndarray int64 ``(n_samples, n_layers, N_ACTIONS)``
        Filled with each sample's actions per layer [count].
    out_y : ndarray int64 ``(n_samples, n_outputs)``
        Filled with the last layer's outputs.
    """
    n_layers = layer_shift.shape[0]
    masked = syn_mask.shape[0] > 0
    truncated = syn_truncate_bits.shape[0] > 0
    for c in prange(chunk_bounds.shape[0] - 1):
        a = np.empty(max_width, dtype=np.int64)
        y = np.empty(max_width, dtype=np.int64)
        for s in range(chunk_bounds[c], chunk_bounds[c + 1]):
            n = x.shape[1]
            a[:n] = x[s]
            out_counts[s] = 0
            for layer in range(n_layers):
                first, last = layer_row_ptr[layer], layer_row_ptr[layer + 1]
                for r in range(first, last):
                    acc = row_bias[r]
                    if truncated:
                        for j in range(row_syn_ptr[r], row_syn_ptr[r + 1]):
                            p = syn_weight[j] * (a[syn_col[j]] & syn_mask[j])
                            t = syn_truncate_bits[j]
                            if p >= 0:
                                acc += (p >> t) << t
                            else:
                                acc -= ((-p) >> t) << t
                    elif masked:
                        for j in range(row_syn_ptr[r], row_syn_ptr[r + 1]):
                            acc += syn_weight[j] * (a[syn_col[j]] & syn_mask[j])
                    else:
                        for j in range(row_syn_ptr[r], row_syn_ptr[r + 1]):
                            acc += syn_weight[j] * a[syn_col[j]]
                    if layer_relu[layer] != 0 and acc < 0:
                        acc = 0
                    acc >>= layer_shift[layer]
                    if 0 <= layer_act_max[layer] < acc:
                        acc = layer_act_max[layer]
                    y[r - first] = acc
                out_counts[s, layer, MAC] = row_syn_ptr[last] - row_syn_ptr[first]
                out_counts[s, layer, NEURON_ACTIVE] = last - first
                n = last - first
                a, y = y, a
            out_y[s] = a[:n]


@njit(parallel=True, **JIT)
def run_argmax_tree(y, ignored_bits, removed, out_class):
    """Class of each sample by the pairwise comparator tree of ``hwsim.qmlp`` (approximate argmax).

    Parameters
    ----------
    y : ndarray int64 ``(n_samples, n_classes)``
        The last layer's outputs.
    ignored_bits : ndarray int64 ``(n_classes - 1,)``
        Low bits comparator ``c`` ignores (``(a >> t) >= (b >> t)``: ``a`` wins), or ``removed``.
    removed : int
        The value of a removed comparator (its earlier operand ``a`` always wins).
    out_class : ndarray int64 ``(n_samples,)``
        Filled with each sample's class.
    """
    n_classes = y.shape[1]
    for s in prange(y.shape[0]):
        value = y[s].copy()
        index = np.arange(n_classes)
        n, c = n_classes, 0
        while n > 1:
            for i in range(0, n - 1, 2):
                t = ignored_bits[c]
                c += 1
                win = i if t == removed or (value[i] >> t) >= (value[i + 1] >> t) else i + 1
                value[i // 2] = value[win]
                index[i // 2] = index[win]
            if n % 2:
                value[n // 2] = value[n - 1]
                index[n // 2] = index[n - 1]
            n = (n + 1) // 2
        out_class[s] = index[0]
