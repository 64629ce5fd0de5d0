"""Read SANA-FE's DVS-gesture network (the arrays of its wheel's ``dvs_challenge.npz``) into an hwsim Graph.

SANA-FE's tutorial 5 builds, from the file's arrays, a 32 x 32 input layer of Loihi somas whose
biases are the input frame (``inputs``), four convolutions (``conv1`` with stride 2, ``conv2`` to
``conv4`` with stride 1, no padding: 15 x 15 x 16, 13 x 13 x 32, 11 x 11 x 64, 9 x 9 x 11) and a
dense layer of 11 (``dense1``), every layer with the threshold of its entry in ``thresholds`` and
SANA-FE's defaults otherwise: no leak (``leak_decay`` 1), no current memory (``input_decay`` 0),
hard reset to 0. That is hwsim's ``if`` model with ``v_reset`` 0.

SANA-FE's convolution (``connect_neurons_conv2d``) numbers neurons channel first,
``(c * height + y) * width + x``, and reads kernels stored ``[ky][kx][c_in][c_out]``; its dense
connection reads ``[pre][post]``. The convolutions become sparse projections with those indices.
"""
from __future__ import annotations

import zipfile
from pathlib import Path

import numpy as np

from hwsim.errors import GraphError, short
from hwsim.ir import Graph

INPUT_SIDE = 32
#: (layer, stride) in order; each kernel is (ky, kx, c_in, c_out).
CONV_LAYERS = (("conv1", 2), ("conv2", 1), ("conv3", 1), ("conv4", 1))
KEYS = ("inputs", "thresholds", *(name for name, _ in CONV_LAYERS), "dense1")


def conv_synapses(kernel: np.ndarray, side: int, stride: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    """Sparse synapses of a valid (unpadded) convolution over a ``side`` x ``side`` x ``c_in`` layer.

    Returns
    -------
    pre, post, weight : ndarray
        Source and target neuron (channel-first order) and weight of every synapse.
    out_side : int
        Width (= height) of the output layer.
    """
    ky, kx, c_in, c_out = kernel.shape
    out_side = 1 + (side - kx) // stride
    c, y, x, fy, fx, ci = np.meshgrid(np.arange(c_out), np.arange(out_side), np.arange(out_side), np.arange(ky),
                                      np.arange(kx), np.arange(c_in), indexing="ij")
    post = (c * out_side + y) * out_side + x
    pre = (ci * side + y * stride + fy) * side + x * stride + fx
    return pre.ravel(), post.ravel(), kernel[fy, fx, ci, c].ravel().astype(np.float64), out_side


def _array(data, key: str, where: str, ndim: int) -> np.ndarray:
    if key not in data:
        raise GraphError(f"{where}: no array '{key}'; expected the keys {', '.join(KEYS)}. "
                         f"Hint: use the dvs_challenge.npz SANA-FE's wheel ships.")
    value = np.asarray(data[key])
    if value.ndim != ndim or not np.issubdtype(value.dtype, np.number) or not np.all(np.isfinite(value)):
        raise GraphError(f"{where}: '{key}' has shape {value.shape} and dtype {value.dtype}; expected {ndim} "
                         f"dimension(s) of finite numbers.")
    return value.astype(np.float64)


def read_dvs_npz(path: str | Path, name: str = "sanafe_dvs_gesture") -> Graph:
    """The DVS-gesture network of ``path`` (SANA-FE's ``dvs_challenge.npz``) as an hwsim Graph.

    Raises
    ------
    GraphError
        If the file is not an npz archive or its arrays are missing, of the wrong shape or inconsistent.
    """
    where = f"SANA-FE DVS arrays {short(str(path))}"
    try:
        data = np.load(path, allow_pickle=False)
        if not isinstance(data, np.lib.npyio.NpzFile):
            raise ValueError("a single array, not an archive")
        with data:
            arrays = {key: data[key] for key in data.files}
    except (OSError, ValueError, EOFError, zipfile.BadZipFile) as exc:
        raise GraphError(f"{where}: not a readable npz archive ({short(str(exc))}); expected numpy's .npz. "
                         f"Hint: pass sanafe/examples/dvs_challenge.npz.") from None
    inputs = _array(arrays, "inputs", where, 1)
    thresholds = _array(arrays, "thresholds", where, 1)
    if inputs.size != INPUT_SIDE * INPUT_SIDE or thresholds.size != len(CONV_LAYERS) + 2:
        raise GraphError(f"{where}: {inputs.size} inputs and {thresholds.size} thresholds; expected "
                         f"{INPUT_SIDE * INPUT_SIDE} inputs (a 32 x 32 frame) and {len(CONV_LAYERS) + 2} thresholds.")
    graph = Graph(name, metadata={"source": "SANA-FE tutorial 5 (dvs_challenge.npz)"})
    graph.add_population("input", inputs.size, "if", v_th=thresholds[0], bias=inputs)
    prev, side, channels = "input", INPUT_SIDE, 1
    for k, (layer, stride) in enumerate(CONV_LAYERS):
        kernel = _array(arrays, layer, where, 4)
        if kernel.shape[2] != channels or kernel.shape[0] != kernel.shape[1] or kernel.shape[0] > side:
            raise GraphError(f"{where}: '{layer}' has shape {kernel.shape}; expected a square kernel over "
                             f"{channels} input channel(s) no wider than the {side} x {side} layer before it.")
        pre, post, weight, side = conv_synapses(kernel, side, stride)
        channels = kernel.shape[3]
        graph.add_population(layer, side * side * channels, "if", v_th=thresholds[k + 1])
        keep = weight != 0
        graph.add_projection(prev, layer, weight[keep], pre_index=pre[keep], post_index=post[keep])
        prev = layer
    dense = _array(arrays, "dense1", where, 2)
    n_prev = side * side * channels
    if dense.shape[0] != n_prev:
        raise GraphError(f"{where}: 'dense1' has shape {dense.shape}; expected ({n_prev}, n_out), one row per "
                         f"neuron of {prev}.")
    graph.add_population("dense1", dense.shape[1], "if", v_th=thresholds[-1])
    graph.add_projection(prev, "dense1", dense.T)
    graph.add_output("gesture", "dense1")
    return graph.validate()
