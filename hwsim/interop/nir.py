"""Import and export NIR graphs (the Neuromorphic Intermediate Representation, ``nir`` >= 1.0.8).

NIR nodes are continuous-time systems without a ``dt`` (see the NIR docs); a consumer picks a
step and an integrator. :func:`import_nir` therefore needs ``dt_s`` and the producer's
``convention`` for the input gains ``r`` / ``w_in``, both explicit (nothing is guessed).

Discretisation (forward Euler, as every framework that reads or writes NIR does)
-------------------------------------------------------------------------------
``dt`` is ``dt_s``; ``b`` is the summed bias of the linear nodes feeding a neuron (Affine, Conv
biases); ``W`` the composed weights of those nodes. Per node (parameters per neuron, flattened in
row-major order):

==========  ==================================================================================
LIF         ``lif``: ``decay_syn = 1`` (no synaptic memory), ``decay_mem = dt/tau``,
            weights ``g*W``, ``bias_syn = g*b``, ``bias = (dt/tau)*v_leak``, ``v_th = v_threshold``,
            ``v_reset = v_reset``; gain ``g = r*dt/tau``
LI          ``li``: as LIF without threshold
CubaLIF     ``lif``: ``decay_syn = dt/tau_syn``, ``decay_mem = dt/tau_mem``; weights
            ``gs*gm*W``, ``bias_syn = gs*gm*b``, ``bias = (dt/tau_mem)*v_leak``;
            current gain ``gs = w_in*dt/tau_syn``, membrane gain ``gm = r*dt/tau_mem``
CubaLI      ``li``: as CubaLIF without threshold
IF          ``if``: weights ``g*W``, ``bias = g*b``, ``g = r*dt``
I           ``li``: ``decay_syn = 1``, ``decay_mem = 0``, weights ``g*W``, ``bias_syn = g*b``, ``g = r*dt``
Threshold   ``lif``: ``decay_syn = decay_mem = 1`` (stateless), ``v_th = threshold``, gain 1, ``bias_syn = b``,
            always ``reset="value"`` to 0 (so ``z = H(x - threshold)``)
==========  ==================================================================================

The gains depend on ``convention``:

* ``"snntorch"``: unit input, ``g = gs = gm = 1`` exactly (snnTorch writes ``r = tau/dt``,
  ``w_in = tau_syn/dt``; IF/I: ``r = 1/dt``). The file's ``r`` / ``w_in`` must agree with that
  to a relative 1e-5, else :class:`~hwsim.errors.GraphError` (wrong convention or dt).
  snnTorch's exporter uses ``dt = 1e-4`` s.
* ``"norse"``: Norse's ``to_nir`` writes ``r = 1`` and ``w_in = 1``; they must be 1, and the
  gains are those of the table (``g = dt/tau``, ``gs = dt/tau_syn``), as Norse's ``from_nir`` does.
* ``"literal"``: the table with ``r`` and ``w_in`` exactly as written.

``decay = dt/tau`` must lie in [0, 1] (``tau >= dt``); ``tau = inf`` is no decay.

Linear nodes and edges
----------------------
Every chain of linear nodes between neuron layers (Affine, Linear, Scale, Delay, Conv1d,
Conv2d, Flatten, SumPool2d, AvgPool2d, and the Input/Output nodes inside subgraphs) is composed
into one projection per (source layer, target layer); several edges into a node sum. Conv and
pool nodes follow PyTorch (cross-correlation, zero padding; Conv1d is Conv2d on (C, 1, N));
activity is flattened in (C, H, W) row-major order, so Flatten only changes the shape. AvgPool2d
is SumPool2d times ``1/(kH*kW)``. Projections that pass through a conv/pool node are sparse, the
others dense. A Delay of ``tau`` adds ``tau/dt`` steps to the synapses it lies on; ``tau/dt``
must be within 1e-9 (relative) of a whole number unless ``delay_rounding="nearest"``. Biases are
constant and present from step 0 (a Delay does not hold them back).

Latency: NIR edges are instantaneous. A feed-forward projection gets ``min_delay_steps`` (+ its
Delay steps); a projection that closes a cycle (a back edge of a depth-first walk from the
inputs, self-loops included) gets at least 1 step: ``max(1, min_delay_steps + delay steps)``.
That is snnTorch's RLeaky (its loop feeds back the previous step's spikes), exported as the flat
nodes ``1.lif`` and ``1.w_rec``. Nested ``NIRGraph`` nodes are flattened (inner names are
``<subgraph>.<node>``; an edge to or from a subgraph uses its Input / Output node).

Reset
-----
NIR only has ``v_reset`` (reset to a value). ``reset`` applies one IR reset to every spiking layer
(``"value"``, NIR's literal meaning, by default). For snnTorch exports give snnTorch's own
``reset_mechanism`` and ``reset_delay`` instead: each layer then gets the IR reset (and refractory
period) of its snnTorch class, read from the graph (LIF: Leaky, CubaLIF: Synaptic; with a recurrent
projection onto itself RLeaky / RSynaptic), as :mod:`hwsim.interop.conventions` tabulates; the
snnTorch default (subtract, delayed) is ``"subtract_next"``.

Inputs: ``input_kind="spike"`` (0/1 spikes, e.g. rate-coded) or ``"current"`` (real-valued direct
input, what snnTorch, SpikingJelly and Norse models fed with raw features see).

Biases: an Affine bias feeding a neuron is an input current, ``bias_syn`` (LIF and LI too, whose current
has no memory), computed in snnTorch's order ``beta * mem + (W x + b)``; ``v_leak`` terms are ``bias``.

Readout: each graph-level Output reads the neuron layer feeding it (``spike_count`` for spiking
layers, ``v_final`` for LI / CubaLI / I). Projections carry spikes only, so a non-spiking layer
(LI, CubaLI, I) must feed Outputs only.

:func:`export_nir` is the inverse: IR -> NIR with the same ``dt_s``, ``convention`` and
``min_delay_steps``.
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping, Sequence

import numpy as np
import scipy.sparse as sp

import nir

from hwsim.errors import GraphError, UnsupportedError, cut, one_of, short
from hwsim.hdf5_check import check_hdf5
from hwsim.interop.conventions import (CONVENTIONS, SNNTORCH_RESET_MECHANISMS, input_gain, snntorch_class,
                                       snntorch_decay, snntorch_reset)
from hwsim.interop.conv import conv_output_shape, conv_to_csr
from hwsim.ir import Graph
from hwsim.neuron_models import RESET_MODES

RESETS = RESET_MODES
INPUT_KINDS = ("spike", "current")
DELAY_ROUNDING = ("strict", "nearest")
NEURON_TYPES = ("LIF", "CubaLIF", "LI", "CubaLI", "IF", "I", "Threshold")
LINEAR_TYPES = ("Affine", "Linear", "Scale", "Delay", "Conv1d", "Conv2d", "Flatten", "SumPool2d", "AvgPool2d")
SUPPORTED = ("Input", "Output", "NIRGraph") + NEURON_TYPES + LINEAR_TYPES
DELAY_RTOL = 1e-9


# ---------------------------------------------------------------------------- flattening
@dataclass
class _Flat:
    nodes: dict = field(default_factory=dict)        # name -> nir node
    kinds: dict = field(default_factory=dict)        # name -> "input" | "output" | "pass" | type name
    edges: list = field(default_factory=list)


def _type(node) -> str:
    return type(node).__name__


def _flatten(graph, where: str, prefix: str = "", flat: _Flat | None = None) -> tuple[_Flat, list, list]:
    """Inline subgraphs; return the flat graph and this level's Input and Output node names."""
    flat = _Flat() if flat is None else flat
    if not isinstance(graph, nir.NIRGraph):
        raise GraphError(f"{where}: a {type(graph).__name__}; expected a nir.NIRGraph.")
    ends: dict[str, tuple[str, str]] = {}
    inputs, outputs = [], []
    for name, node in graph.nodes.items():
        full = prefix + str(name)
        kind = _type(node)
        if kind not in SUPPORTED:
            raise UnsupportedError(f"{where}: node '{full}' of type {kind} is not supported; "
                                   f"{one_of(kind, SUPPORTED)}")
        if kind == "NIRGraph":
            _, sub_in, sub_out = _flatten(node, where, full + ".", flat)
            if len(sub_in) != 1 or len(sub_out) != 1:
                raise UnsupportedError(f"{where}: subgraph '{full}' has {len(sub_in)} Input and {len(sub_out)} "
                                       f"Output nodes; expected one of each to wire edges to it.")
            ends[full] = (sub_in[0], sub_out[0])
            continue
        if full in flat.nodes:
            raise GraphError(f"{where}: node name '{full}' occurs twice after inlining subgraphs; "
                             f"expected unique names.")
        flat.nodes[full] = node
        if kind == "Input":
            flat.kinds[full] = "input" if not prefix else "pass"
            inputs.append(full)
        elif kind == "Output":
            flat.kinds[full] = "output" if not prefix else "pass"
            outputs.append(full)
        else:
            flat.kinds[full] = kind
    for edge in graph.edges:
        if len(edge) != 2:
            raise GraphError(f"{where}: edge {edge!r}; expected a (source, target) pair.")
        src, dst = prefix + str(edge[0]), prefix + str(edge[1])
        src = ends[src][1] if src in ends else src          # existence is checked after flattening
        dst = ends[dst][0] if dst in ends else dst
        flat.edges.append((src, dst))
    return flat, inputs, outputs


# ---------------------------------------------------------------------------- linear expressions
@dataclass
class _Expr:
    """A vector = sum over sources and delays of ``W[d] @ spikes(source)[t - d]`` plus ``bias``.

    Every ``W[d]`` is a scipy CSR matrix, so a source's identity, a convolution or a pooling costs
    memory per synapse, not per (output, input) pair (a DVS-sized input is 32,768 channels).
    """

    shape: tuple
    terms: dict                       # source name -> {delay steps: (m, n_src) scipy.sparse CSR}
    bias: np.ndarray
    sparse: bool = False

    @property
    def size(self) -> int:
        return int(np.prod(self.shape)) if len(self.shape) else 1

    def apply(self, matrix, bias=None, shape=None, sparse=False) -> "_Expr":
        matrix = sp.csr_array(matrix)
        terms = {s: {d: matrix if _is_identity(w) else matrix @ w for d, w in ds.items()}
                 for s, ds in self.terms.items()}
        b = matrix @ self.bias + (0.0 if bias is None else bias)
        return _Expr(tuple(shape), terms, b, self.sparse or sparse)


def _is_identity(w) -> bool:
    """Whether CSR ``w`` is an identity (a source's own term), so that ``matrix @ w`` is ``matrix``."""
    n = w.shape[0]
    return (w.shape == (n, n) and w.nnz == n and np.array_equal(w.indptr, np.arange(n + 1))
            and np.array_equal(w.indices, np.arange(n)) and bool(np.all(w.data == 1)))


def _add(a: _Expr | None, b: _Expr, where: str) -> _Expr:
    if a is None:
        return b
    if a.size != b.size:
        raise GraphError(f"{where}: inputs of {a.size} and {b.size} values are summed; expected equal sizes.")
    terms = {s: dict(ds) for s, ds in a.terms.items()}
    for s, ds in b.terms.items():
        for d, w in ds.items():
            tgt = terms.setdefault(s, {})
            tgt[d] = tgt[d] + w if d in tgt else w
    return _Expr(a.shape, terms, a.bias + b.bias, a.sparse or b.sparse)


def _synapses(by_delay: dict, min_delay_steps: int, recurrent: bool, where: str, src: str) -> tuple:
    """The non-zero synapses of one source's terms: ``post, pre, weight, delay_steps`` ordered by (post, pre), one
    delay per pair (UnsupportedError when paths of different delays reach the same pair). ``delay_steps`` is a 0-d
    int64 array when there is one delay, else one per synapse."""
    def steps(d: int) -> int:
        return max(1, min_delay_steps + d) if recurrent else min_delay_steps + d

    if len(by_delay) == 1:
        ((d, w),) = by_delay.items()
        w = w if w.has_sorted_indices else w.sorted_indices()
        if w.has_canonical_format:                    # rows in order, sorted columns: (post, pre) order already
            nonzero = w.data != 0
            post = np.repeat(np.arange(w.shape[0], dtype=np.int64), np.diff(w.indptr))
            return (post[nonzero], w.indices[nonzero].astype(np.int64), w.data[nonzero].astype(np.float64),
                    np.asarray(steps(d), dtype=np.int64))
    parts = []
    for d, w in sorted(by_delay.items()):
        coo = sp.coo_array(w)
        coo.eliminate_zeros()
        parts.append((coo.row, coo.col, coo.data, np.full(coo.nnz, steps(d), dtype=np.int64)))
    post, pre, weight, delay = (np.concatenate(column) for column in zip(*parts))
    order = np.lexsort((pre, post))
    post, pre, weight, delay = post[order].astype(np.int64), pre[order].astype(np.int64), weight[order], delay[order]
    if np.any((post[1:] == post[:-1]) & (pre[1:] == pre[:-1])):
        raise UnsupportedError(f"{where}: paths from '{src}' with different delays reach the same neuron pair; "
                               f"expected one delay per synapse.")
    return post, pre, weight.astype(np.float64), _one_delay(delay)


def _one_delay(delay: np.ndarray) -> np.ndarray:
    """Per-synapse delays as a 0-d int64 array when they are all equal (the IR's one delay per projection)."""
    return np.asarray(delay[0], dtype=np.int64) if delay.ndim and delay.size and np.all(delay == delay[0]) else delay


def _arr(node, key, where) -> np.ndarray:
    try:
        return np.asarray(getattr(node, key), dtype=np.float64)
    except (TypeError, ValueError):
        raise GraphError(f"{where}: field '{key}' {getattr(node, key)!r} is not numeric; expected numbers.") from None


def _pair(where: str, name: str, value, n: int = 2) -> tuple:
    arr = np.asarray(value).ravel()
    if arr.size not in (1, n) or arr.dtype.kind not in "iuf" or np.any(arr != np.round(arr)):
        raise GraphError(f"{where}: {name} {np.asarray(value).tolist()}; expected an integer or {n} integers.")
    return tuple(int(v) for v in np.broadcast_to(arr, (n,)))


def _conv_padding(where, padding, kernel, dilation, stride, n):
    if isinstance(padding, (str, np.str_, bytes)):
        padding = padding.decode() if isinstance(padding, bytes) else str(padding)
        if padding == "valid":
            return (0,) * n
        if padding == "same":
            total = [d * (k - 1) for k, d in zip(kernel, dilation)]
            if any(t % 2 for t in total) or any(s != 1 for s in stride):
                raise UnsupportedError(f"{where}: padding 'same' with an even kernel or stride > 1 pads "
                                       f"asymmetrically; expected symmetric padding. Hint: give explicit padding.")
            return tuple(t // 2 for t in total)
        raise GraphError(f"{where}: padding '{padding}'; expected an integer, 'same' or 'valid'.")
    return _pair(where, "padding", padding, n)


class _Importer:
    def __init__(self, flat: _Flat, where: str, dt_s: float, convention: str, delay_rounding: str):
        self.flat, self.where, self.dt = flat, where, dt_s
        self.convention, self.delay_rounding = convention, delay_rounding
        self.preds: dict[str, list[str]] = {n: [] for n in flat.nodes}
        self.succs: dict[str, list[str]] = {n: [] for n in flat.nodes}
        for src, dst in flat.edges:
            for end in (src, dst):
                if end not in flat.nodes:
                    raise GraphError(f"{where}: edge ({src!r}, {dst!r}) names node '{end}', which does not exist; "
                                     f"{one_of(end, flat.nodes)}")
            self.preds[dst].append(src)
            self.succs[src].append(dst)
        self.memo: dict[str, _Expr] = {}
        self.active: set[str] = set()
        self.shapes: dict[str, tuple] = {}

    # -- helpers
    def is_source(self, name: str) -> bool:
        return self.flat.kinds[name] == "input" or self.flat.kinds[name] in NEURON_TYPES

    def node_where(self, name: str) -> str:
        return f"{self.where}: node '{name}' ({_type(self.flat.nodes[name])})"

    def source_shape(self, name: str) -> tuple:
        if name in self.shapes:
            return self.shapes[name]
        node, kind, where = self.flat.nodes[name], self.flat.kinds[name], self.node_where(name)
        if kind == "input":
            shape = np.asarray(node.input_type["input"]).ravel()
        else:
            key = {"LIF": "tau", "LI": "tau", "CubaLIF": "tau_mem", "CubaLI": "tau_mem", "IF": "r", "I": "r",
                   "Threshold": "threshold"}[kind]
            shape = np.asarray(getattr(node, key)).shape
            if len(shape) == 0:
                shape = np.asarray(node.input_type.get("input", [])).ravel()
        shape = tuple(int(s) for s in shape)
        if not shape or min(shape) < 1:
            raise GraphError(f"{where}: shape {list(shape)}; expected a known positive shape. Hint: give "
                             f"per-neuron parameter arrays (0-d parameters leave the shape unknown).")
        self.shapes[name] = shape
        return shape

    def expr(self, name: str) -> _Expr:
        """The linear expression of node ``name``'s output in terms of source spikes."""
        if self.is_source(name):
            shape = self.source_shape(name)
            n = int(np.prod(shape))
            return _Expr(shape, {name: {0: sp.identity(n, dtype=np.float64, format="csr")}}, np.zeros(n))
        if name in self.memo:
            return self.memo[name]
        where = self.node_where(name)
        if name in self.active:
            raise UnsupportedError(f"{where}: a loop made only of linear nodes; expected every cycle to pass "
                                   f"through a neuron layer.")
        if not self.preds[name]:
            raise GraphError(f"{where}: no incoming edge; expected it to be fed by an input or a neuron layer.")
        self.active.add(name)
        total = None
        for pred in self.preds[name]:
            if self.flat.kinds[pred] == "output":
                raise GraphError(f"{where}: fed by the graph Output '{pred}'; expected Output nodes to be leaves.")
            if self.flat.kinds[pred] in ("LI", "CubaLI", "I"):
                raise UnsupportedError(f"{where}: fed by the non-spiking layer '{pred}' ({self.flat.kinds[pred]}); "
                                       f"hwsim's projections carry spikes, so LI/CubaLI/I may feed Outputs only.")
            total = _add(total, self.expr(pred), where)
        self.active.discard(name)
        out = self.linear(name, total)
        self.memo[name] = out
        return out

    def linear(self, name: str, x: _Expr) -> _Expr:
        node, kind, where = self.flat.nodes[name], self.flat.kinds[name], self.node_where(name)
        if kind in ("pass", "output"):
            return x
        if kind in ("Affine", "Linear"):
            w = _arr(node, "weight", where)
            if w.ndim != 2 or w.shape[1] != x.size:
                raise GraphError(f"{where}: weight shape {list(w.shape)}; expected (out, {x.size}) for its "
                                 f"{x.size} inputs.")
            bias = None
            if kind == "Affine":
                bias = _arr(node, "bias", where)
                if bias.size not in (1, w.shape[0]):
                    raise GraphError(f"{where}: bias of {bias.size} values; expected {w.shape[0]}.")
                bias = np.broadcast_to(bias.ravel(), (w.shape[0],))
            return x.apply(w, bias, (w.shape[0],))
        if kind == "Scale":
            s = _arr(node, "scale", where)
            try:
                s = np.broadcast_to(s, x.shape).ravel() if s.ndim <= len(x.shape) else None
            except ValueError:
                s = None
            if s is None:
                raise GraphError(f"{where}: scale shape {list(_arr(node, 'scale', where).shape)}; expected it to "
                                 f"broadcast to the input shape {list(x.shape)}.")
            return x.apply(sp.diags_array(s), None, x.shape)
        if kind == "Delay":
            return self.delay(node, x, where)
        if kind == "Flatten":
            nd = len(x.shape)
            start, end = int(node.start_dim), int(node.end_dim)
            start, end = start % nd if nd else 0, end % nd if nd else 0
            if start > end:
                raise GraphError(f"{where}: start_dim {node.start_dim} after end_dim {node.end_dim} for an input "
                                 f"of shape {list(x.shape)}; expected start <= end.")
            shape = x.shape[:start] + (int(np.prod(x.shape[start:end + 1])),) + x.shape[end + 1:]
            return _Expr(shape, x.terms, x.bias, x.sparse)
        if kind in ("Conv1d", "Conv2d"):
            return self.conv(node, kind, x, where)
        if kind in ("SumPool2d", "AvgPool2d"):
            if len(x.shape) != 3:
                raise GraphError(f"{where}: input shape {list(x.shape)}; expected (C, H, W).")
            kernel = _pair(where, "kernel_size", node.kernel_size)
            stride = _pair(where, "stride", node.stride)
            padding = _pair(where, "padding", node.padding)
            c = x.shape[0]
            value = 1.0 / (kernel[0] * kernel[1]) if kind == "AvgPool2d" else 1.0
            weight = np.full((c, 1) + kernel, value)
            mat, out_shape = conv_to_csr(weight, x.shape, stride, padding, (1, 1), c)
            return x.apply(mat, None, out_shape, sparse=True)
        raise UnsupportedError(f"{where}: a {kind} node between layers; expected a linear node.")

    def delay(self, node, x: _Expr, where: str) -> _Expr:
        tau = _arr(node, "delay", where)
        try:
            tau = np.broadcast_to(tau, x.shape).ravel()
        except ValueError:
            raise GraphError(f"{where}: delay shape {list(tau.shape)}; expected it to broadcast to "
                             f"{list(x.shape)}.") from None
        steps = tau / self.dt
        rounded = np.round(steps)
        if np.any(~np.isfinite(steps)) or np.any(rounded < 0):
            raise GraphError(f"{where}: delays {tau.min()}..{tau.max()} s; expected finite delays >= 0.")
        off = np.abs(steps - rounded) > DELAY_RTOL * np.maximum(np.abs(rounded), 1.0)
        if self.delay_rounding == "strict" and np.any(off):
            k = int(np.argmax(off))
            raise GraphError(f"{where}: delay {tau[k]} s is {steps[k]} steps of dt_s={self.dt}; expected a whole "
                             f"number of steps (to 1e-9). Hint: pass delay_rounding='nearest' to round.")
        rounded = rounded.astype(np.int64)
        terms = {}
        for s, ds in x.terms.items():
            out = {}
            for d, w in ds.items():
                for extra in np.unique(rounded):
                    part = sp.csr_array(sp.diags_array((rounded == extra).astype(np.float64)) @ w)
                    part.eliminate_zeros()
                    if part.nnz:
                        key = int(d + extra)
                        out[key] = out[key] + part if key in out else part
            terms[s] = out
        return _Expr(x.shape, terms, x.bias, x.sparse)

    def conv(self, node, kind: str, x: _Expr, where: str) -> _Expr:
        w = _arr(node, "weight", where)
        n = 2 if kind == "Conv2d" else 1
        if w.ndim != n + 2:
            raise GraphError(f"{where}: weight shape {list(w.shape)}; expected {n + 2} dimensions "
                             f"(Cout, Cin/groups, kernel...).")
        in_shape = x.shape
        if len(in_shape) != n + 1:
            raise GraphError(f"{where}: input shape {list(in_shape)}; expected {n + 1} dimensions (C, ...).")
        declared = node.input_shape
        if declared is not None and tuple(_pair(where, "input_shape", declared, n)) != tuple(in_shape[1:]):
            raise GraphError(f"{where}: input_shape {np.asarray(declared).tolist()}; the graph feeds it "
                             f"{list(in_shape[1:])}.")
        stride = _pair(where, "stride", node.stride, n)
        dilation = _pair(where, "dilation", node.dilation, n)
        padding = _conv_padding(where, node.padding, w.shape[2:], dilation, stride, n)
        groups = int(np.asarray(node.groups).ravel()[0])
        if groups < 1 or in_shape[0] % groups or w.shape[0] % groups or w.shape[1] * groups != in_shape[0]:
            raise GraphError(f"{where}: weight {list(w.shape)} with groups={groups} on {in_shape[0]} input "
                             f"channels; expected Cin = weight.shape[1] * groups.")
        if n == 1:
            w, in2 = w[:, :, None, :], (in_shape[0], 1, in_shape[1])
            stride, padding, dilation = (1,) + stride, (0,) + padding, (1,) + dilation
        else:
            in2 = in_shape
        mat, out_shape = conv_to_csr(w, in2, stride, padding, dilation, groups)
        if min(out_shape) < 1:
            raise GraphError(f"{where}: output shape {list(out_shape)}; expected a non-empty output.")
        if n == 1:
            out_shape = (out_shape[0], out_shape[2])
        bias = np.broadcast_to(_arr(node, "bias", where).ravel(), (w.shape[0],)) if node.bias is not None else 0
        bias = np.repeat(np.asarray(bias, dtype=np.float64) * np.ones(w.shape[0]),
                         int(np.prod(out_shape[1:])))
        return x.apply(mat, bias, out_shape, sparse=True)

    # -- neuron parameters
    def gain(self, where, r, tau, what: str) -> np.ndarray:
        """Input gain ``r*dt/tau`` (``tau=None``: ``r*dt``) under the convention."""
        return input_gain(self.convention, r, self.dt, tau, where, what)

    def decay(self, where, tau, what, raw=None) -> np.ndarray:
        """``dt / tau``; under the snnTorch convention the exact inverse of its exporter
        (:func:`hwsim.interop.conventions.snntorch_decay`; ``raw``: the file's array, with its dtype)."""
        with np.errstate(divide="ignore"):
            d = self.dt / tau
        if self.convention == "snntorch" and raw is not None:
            exact = snntorch_decay(raw, self.dt).reshape(-1)
            d = np.broadcast_to(exact if exact.size == d.size else exact[:1], d.shape).astype(np.float64)
        if np.any(~(tau > 0)) or np.any(d > 1):
            raise GraphError(f"{where}: {what} in [{tau.min():g}, {tau.max():g}] s at dt_s={self.dt}; expected "
                             f"{what} >= dt_s (forward Euler: decay dt/{what} <= 1). Hint: use a smaller dt_s.")
        return d

    def neuron(self, name: str, n: int):
        """``(model, params, row gain of weights, bias gain, bias key, spiking)`` of neuron node ``name``."""
        node, kind, where = self.flat.nodes[name], self.flat.kinds[name], self.node_where(name)
        shape = self.source_shape(name)

        def get(key):
            v = _arr(node, key, where)
            try:
                return np.broadcast_to(v, shape).ravel().astype(np.float64)
            except ValueError:
                raise GraphError(f"{where}: {key} shape {list(v.shape)}; expected {list(shape)}.") from None

        if kind in ("LIF", "LI"):
            tau, r = get("tau"), get("r")
            dm = self.decay(where, tau, "tau", node.tau)
            g = self.gain(where, r, tau, "r")
            params = {"decay_syn": 1.0, "decay_mem": dm, "bias": dm * get("v_leak")}
            if kind == "LIF":
                params.update(v_th=get("v_threshold"), v_reset=get("v_reset"))
            return ("lif" if kind == "LIF" else "li"), params, g, "bias_syn"
        if kind in ("CubaLIF", "CubaLI"):
            ts, tm, r, w_in = get("tau_syn"), get("tau_mem"), get("r"), get("w_in")
            ds, dm = self.decay(where, ts, "tau_syn", node.tau_syn), self.decay(where, tm, "tau_mem", node.tau_mem)
            g = self.gain(where, w_in, ts, "w_in") * self.gain(where, r, tm, "r")
            params = {"decay_syn": ds, "decay_mem": dm, "bias": dm * get("v_leak")}
            if kind == "CubaLIF":
                params.update(v_th=get("v_threshold"), v_reset=get("v_reset"))
            return ("lif" if kind == "CubaLIF" else "li"), params, g, "bias_syn"
        if kind == "IF":
            g = self.gain(where, get("r"), None, "r")
            return "if", {"v_th": get("v_threshold"), "v_reset": get("v_reset")}, g, "bias"
        if kind == "I":
            g = self.gain(where, get("r"), None, "r")
            return "li", {"decay_syn": 1.0, "decay_mem": 0.0}, g, "bias_syn"
        return "lif", {"decay_syn": 1.0, "decay_mem": 1.0, "v_th": get("threshold"), "v_reset": 0.0}, \
            np.ones(n), "bias_syn"


def _back_edges(order: list[str], succ: Mapping[str, list[str]], roots: list[str]) -> set:
    """Edges of a depth-first walk (from ``roots``, then the rest in ``order``) that close a cycle."""
    color, back = {}, set()
    for root in roots + order:
        if root in color:
            continue
        stack = [(root, iter(succ.get(root, [])))]
        color[root] = 1
        while stack:
            node, it = stack[-1]
            nxt = next(it, None)
            if nxt is None:
                color[node] = 2
                stack.pop()
            elif color.get(nxt) == 1:
                back.add((node, nxt))
            elif nxt not in color:
                color[nxt] = 1
                stack.append((nxt, iter(succ.get(nxt, []))))
    return back


def _jsonable(value):
    """A file's metadata value as JSON-serialisable data (it is saved with the graph)."""
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    if isinstance(value, np.ndarray):
        return _jsonable(value.tolist()) if value.dtype.kind in "SO" else value.tolist()
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    return value if isinstance(value, (str, int, float, bool, type(None))) else str(value)


def _read(source, where: str):
    if isinstance(source, nir.NIRGraph):
        return source
    expected = "a NIR graph (.nir, HDF5) written by nir.write (NIR >= 1.0.8)"
    check_hdf5(source, GraphError, expected)
    try:
        return nir.read(str(source))
    except Exception as exc:  # nir raises KeyError/ValueError/OSError/TypeError for foreign files
        raise GraphError(f"{cut(source)}: not a readable NIR file ({type(exc).__name__}: "
                         f"{cut(exc, 100)}); expected {expected}.") from None


def import_nir(source, dt_s: float, convention: str, reset: str | None = None, min_delay_steps: int = 0,
               name: str | None = None, metadata: Mapping | None = None,
               delay_rounding: str = "strict", *, reset_mechanism: str | None = None,
               reset_delay: bool = True, input_kind: str = "spike") -> Graph:
    """Read a NIR graph into an IR :class:`~hwsim.ir.Graph` (semantics in the module doc).

    Parameters
    ----------
    source : str, Path or nir.NIRGraph
        A ``.nir`` file or an in-memory graph.
    dt_s : float
        Seconds per step (NIR files have no dt; snnTorch exports assume 1e-4).
    convention : str
        ``"snntorch"`` (unit input gains), ``"norse"`` (r = w_in = 1) or ``"literal"``.
    reset : str, optional
        The IR reset (:data:`hwsim.neuron_models.RESET_MODES`) of every spiking layer (default ``"value"``,
        NIR's own meaning). Give this or ``reset_mechanism``, not both.
    min_delay_steps : int
        Steps on every feed-forward projection (0: NIR's and PyTorch's instantaneous edges;
        a chip's ``capacity.min_delay_steps``). Recurrent projections get at least 1.
    name : str, optional
        Graph name (default: the file's stem, or ``"nir"``).
    metadata : mapping, optional
        Merged into ``graph.metadata`` (e.g. ``task="digits"``, ``n_steps=25``, ``encoding="regular"``).
    delay_rounding : str
        ``"strict"`` (a Delay must be a whole number of steps) or ``"nearest"``.
    reset_mechanism : str, optional
        With ``convention="snntorch"``: snnTorch's ``reset_mechanism`` (``"subtract"``, ``"zero"``,
        ``"none"``) of every spiking layer; with ``reset_delay`` it becomes each layer's IR reset and
        refractory period by its snnTorch class (:func:`hwsim.interop.conventions.snntorch_reset`).
    reset_delay : bool
        snnTorch's ``reset_delay`` (its default True), with ``reset_mechanism``.
    input_kind : str
        Kind of every graph Input: ``"spike"`` (0/1 spikes, e.g. rate-coded) or ``"current"`` (real-valued
        direct input added to the first layer's input at every step).

    Raises
    ------
    UnsupportedError
        A node type or structure hwsim cannot express.
    GraphError
        A malformed graph, or parameters that contradict ``dt_s`` / ``convention``.
    """
    where = str(source) if not isinstance(source, nir.NIRGraph) else (name or "NIR graph")
    if not (isinstance(dt_s, (int, float)) and not isinstance(dt_s, bool) and np.isfinite(dt_s) and dt_s > 0):
        raise GraphError(f"import_nir: dt_s={dt_s!r}; expected a positive number of seconds (NIR files carry "
                         f"no dt). Hint: snnTorch exports use 1e-4.")
    if convention not in CONVENTIONS:
        raise GraphError(f"import_nir: convention {convention!r}; {one_of(convention, CONVENTIONS)}")
    if reset is not None and reset_mechanism is not None:
        raise GraphError(f"import_nir: reset {reset!r} and reset_mechanism {reset_mechanism!r} both given; "
                         f"expected one. Hint: reset_mechanism (with reset_delay) is snnTorch's spelling.")
    if reset_mechanism is not None:
        if convention != "snntorch":
            raise GraphError(f"import_nir: reset_mechanism {reset_mechanism!r} with convention {convention!r}; "
                             f"expected convention 'snntorch' (reset_mechanism is snnTorch's parameter). Hint: "
                             f"give an IR reset instead.")
        if reset_mechanism not in SNNTORCH_RESET_MECHANISMS:
            raise GraphError(f"import_nir: reset_mechanism {short(reset_mechanism)}; "
                             f"{one_of(reset_mechanism, SNNTORCH_RESET_MECHANISMS)}")
        if not isinstance(reset_delay, (bool, np.bool_)):
            raise GraphError(f"import_nir: reset_delay {short(reset_delay)}; expected True or False.")
    reset = "value" if reset is None else reset
    if reset not in RESETS:
        raise GraphError(f"import_nir: reset {short(reset)}; {one_of(reset, RESETS)}")
    if input_kind not in INPUT_KINDS:
        raise GraphError(f"import_nir: input_kind {short(input_kind)}; {one_of(input_kind, INPUT_KINDS)}")
    if delay_rounding not in DELAY_ROUNDING:
        raise GraphError(f"import_nir: delay_rounding {delay_rounding!r}; {one_of(delay_rounding, DELAY_ROUNDING)}")
    if isinstance(min_delay_steps, bool) or not isinstance(min_delay_steps, (int, np.integer)) or min_delay_steps < 0:
        raise GraphError(f"import_nir: min_delay_steps={min_delay_steps!r}; expected an integer >= 0.")
    graph_nir = _read(source, where)
    flat, _, _ = _flatten(graph_nir, where)
    imp = _Importer(flat, where, float(dt_s), convention, delay_rounding)
    inputs = [n for n, k in flat.kinds.items() if k == "input"]
    outputs = [n for n, k in flat.kinds.items() if k == "output"]
    if not inputs or not outputs:
        raise GraphError(f"{where}: {len(inputs)} Input and {len(outputs)} Output nodes; expected at least one "
                         f"of each.")
    # populations in depth-first order from the inputs (stable whatever the file's node order)
    order, seen, stack = [], set(), list(reversed(inputs))
    while stack:
        n = stack.pop()
        if n in seen:
            continue
        seen.add(n)
        order.append(n)
        stack.extend(reversed(imp.succs[n]))
    order += [n for n in flat.nodes if n not in seen]
    neurons = [n for n in order if flat.kinds[n] in NEURON_TYPES]
    exprs = {}
    for n in neurons:
        total = None
        for pred in imp.preds[n]:
            if flat.kinds[pred] in ("LI", "CubaLI", "I"):
                raise UnsupportedError(f"{imp.node_where(n)}: fed by the non-spiking layer '{pred}'; hwsim's "
                                       f"projections carry spikes, so LI/CubaLI/I may feed Outputs only.")
            total = _add(total, imp.expr(pred), imp.node_where(n))
        if total is None:
            raise GraphError(f"{imp.node_where(n)}: no incoming edge; expected it to be fed by the graph.")
        if total.size != int(np.prod(imp.source_shape(n))):
            raise GraphError(f"{imp.node_where(n)}: fed {total.size} values; expected "
                             f"{int(np.prod(imp.source_shape(n)))} (its shape {list(imp.source_shape(n))}).")
        exprs[n] = total
    succ = {n: [] for n in inputs + neurons}
    for n in neurons:
        for src in exprs[n].terms:
            succ[src].append(n)
    back = _back_edges(neurons, succ, inputs)
    meta = {"source": "nir", "nir_convention": convention, "nir_reset": reset, "min_delay_steps": int(min_delay_steps),
            "input_kind": input_kind}
    if reset_mechanism is not None:
        meta.update(nir_reset=None, snntorch_reset={"reset_mechanism": reset_mechanism, "reset_delay": bool(reset_delay)})
    file_meta = graph_nir.metadata if isinstance(graph_nir.metadata, Mapping) else {}
    if file_meta:
        meta["nir_metadata"] = {str(k): _jsonable(v) for k, v in file_meta.items()}
    meta.update(dict(metadata or {}))
    gname = name or (Path(source).stem if not isinstance(source, nir.NIRGraph) else "nir")
    graph = Graph(gname, dt_s, metadata=meta)
    for n in inputs:
        graph.add_input(n, int(np.prod(imp.source_shape(n))), input_kind)
    gains = {}
    for n in neurons:
        size = exprs[n].size
        model, params, g, bias_key = imp.neuron(n, size)
        params = dict(params)
        params[bias_key] = params.get(bias_key, 0.0) + g * exprs[n].bias
        pop_reset = "value" if flat.kinds[n] == "Threshold" or model == "li" else reset
        if reset_mechanism is not None and flat.kinds[n] in ("LIF", "CubaLIF"):
            rule = snntorch_reset(snntorch_class(flat.kinds[n], n in exprs[n].terms), reset_mechanism,
                                  bool(reset_delay))
            pop_reset, params["refractory_steps"] = rule.reset, rule.refractory_steps
        graph.add_population(n, size, model, pop_reset, **params)
        gains[n] = g
    for n in neurons:
        for src, ds in exprs[n].terms.items():
            post, pre, weight, delay = _synapses(ds, min_delay_steps, (src, n) in back, imp.node_where(n), src)
            weight = weight * gains[n][post]
            keep = weight != 0
            if not keep.any():
                continue
            if not keep.all():
                post, pre, weight = post[keep], pre[keep], weight[keep]
                delay = _one_delay(delay[keep]) if delay.ndim else delay
            if exprs[n].sparse:
                graph.add_projection(src, n, weight, pre_index=pre, post_index=post, delay_steps=delay)
            else:
                shape = next(iter(ds.values())).shape
                dense = np.zeros(shape)
                dense[post, pre] = weight
                if delay.ndim:
                    dl = np.zeros(shape, dtype=np.int64)
                    dl[post, pre] = delay
                    delay = dl
                graph.add_projection(src, n, dense, delay_steps=delay)
    for out in outputs:
        src = out
        while flat.kinds[src] in ("output", "pass", "Flatten"):
            preds = imp.preds[src]
            if len(preds) != 1:
                raise UnsupportedError(f"{where}: Output '{out}' is fed by {len(preds)} nodes; expected exactly one "
                                       f"neuron layer.")
            src = preds[0]
        if flat.kinds[src] not in NEURON_TYPES:
            raise UnsupportedError(f"{where}: Output '{out}' reads node '{src}' ({flat.kinds[src]}); expected a "
                                   f"neuron layer (hwsim reads out populations, not linear maps).")
        model = graph.node(src).model
        graph.add_output(out, src, "v_final" if model == "li" else "spike_count")
    return graph.validate()


# ---------------------------------------------------------------------------- export
def _recurrent_projections(graph: Graph) -> set:
    succ = {}
    for proj in graph.projections():
        succ.setdefault(proj.pre, []).append(proj.post)
    return _back_edges([p.name for p in graph.populations()], succ, [i.name for i in graph.inputs()])


def export_nir(graph: Graph, dt_s: float | None = None, convention: str = "snntorch", min_delay_steps: int = 0,
               lossy_reset: bool = False):
    """Write an IR graph as a ``nir.NIRGraph``: the inverse of :func:`import_nir` with the same arguments.

    Parameters
    ----------
    graph : Graph
        A spiking graph (``lif``, ``li``, ``if`` populations).
    dt_s : float, optional
        Seconds per step (default ``graph.dt_s``).
    convention : str
        ``"snntorch"`` (``r = tau/dt``, ``w_in = tau_syn/dt``, IF ``r = 1/dt``: weights unchanged),
        ``"norse"`` (``r = w_in = 1``: weights divided by the gains) or ``"literal"`` (as snntorch).
    min_delay_steps : int
        The import's ``min_delay_steps``: delays above it become Delay nodes.
    lossy_reset : bool
        Write ``reset="subtract"``/``"subtract_next"`` populations as NIR's reset to ``v_reset`` (what
        snnTorch's exporter does) instead of raising.

    Node names: populations and inputs keep theirs; a projection keeps its name (``"<pre>-><post>"`` by
    default; Affine when it carries the population's bias, else Linear), its Delay ``"<name>.delay"``;
    outputs keep theirs.
    A ``lif`` with ``decay_syn = 1`` becomes LIF, otherwise CubaLIF; ``li`` likewise LI / CubaLI; ``if`` IF.
    ``bias`` goes into an Affine bias (``v_leak = 0``) except on CubaLIF/CubaLI, where ``bias_syn`` is the
    Affine bias and ``bias`` becomes ``v_leak = bias / decay_mem``. Sparse projections are written dense.

    Raises
    ------
    UnsupportedError
        relu/identity populations, refractory periods, several receptors, an initial state, resets other
        than ``"value"`` (unless ``lossy_reset``), delays that are neither uniform, per target nor per
        source, or below ``min_delay_steps``. Loihi weight precision is dropped with a warning (NIR weights
        are real numbers).
    """
    dt = float(graph.dt_s if dt_s is None else dt_s)
    if convention not in CONVENTIONS:
        raise GraphError(f"export_nir: convention {convention!r}; {one_of(convention, CONVENTIONS)}")
    nodes, edges = {}, []
    for inp in graph.inputs():
        nodes[inp.name] = nir.Input(input_type=np.array([inp.size]))
    row_gain, bias_out = {}, {}
    for pop in graph.populations():
        where = f"export_nir: population '{pop.name}' ({pop.model})"
        if pop.n_receptors != 1:
            raise UnsupportedError(f"{where}: {pop.n_receptors} synaptic currents (receptors); a NIR CubaLIF has one.")
        if pop.initial:
            raise UnsupportedError(f"{where}: an initial state ({', '.join(sorted(pop.initial))}); NIR starts every "
                                   f"state at 0.")
        p = {k: np.asarray(v, dtype=np.float64).reshape(-1) for k, v in pop.params.items()}
        if pop.model not in ("lif", "li", "if"):
            raise UnsupportedError(f"{where}: model '{pop.model}' has no NIR node; expected lif, li or if.")
        if np.any(p.get("refractory_steps", 0) != 0):
            raise UnsupportedError(f"{where}: refractory_steps > 0; NIR cannot express a refractory period.")
        if pop.model != "li" and pop.reset != "value" and not lossy_reset:
            raise UnsupportedError(f"{where}: reset '{pop.reset}'; NIR only resets to v_reset. Hint: "
                                   f"lossy_reset=True writes it as reset to v_reset, as snnTorch does.")
        with np.errstate(divide="ignore", invalid="ignore"):
            if pop.model == "if":
                r = np.full(pop.size, 1.0 if convention == "norse" else 1.0 / dt)
                g = np.ones(pop.size) if convention != "norse" else r * dt
                nodes[pop.name] = nir.IF(r=r, v_threshold=p["v_th"], v_reset=p["v_reset"])
                row_gain[pop.name], bias_out[pop.name] = g, p["bias"] / g
                continue
            dm = p["decay_mem"]
            if convention == "norse" and (np.any(dm == 0) or np.any(p["decay_syn"] == 0)):
                raise UnsupportedError(f"{where}: a decay of 0 (tau = inf); with r = w_in = 1 ('norse') its input "
                                       f"gain dt/tau would be 0. Hint: use convention='snntorch'.")
            tau = dt / dm
            cuba = np.any(p["decay_syn"] != 1)
            r = np.ones(pop.size) if convention == "norse" else tau / dt
            gm = dm if convention == "norse" else np.ones(pop.size)
            if not cuba:
                if np.any(p["bias_syn"] != 0):
                    bias = p["bias"] + p["bias_syn"]
                else:
                    bias = p["bias"]
                kw = dict(tau=tau, r=r, v_leak=np.zeros(pop.size))
                if pop.model == "lif":
                    nodes[pop.name] = nir.LIF(v_threshold=p["v_th"], v_reset=p["v_reset"], **kw)
                else:
                    nodes[pop.name] = nir.LI(**kw)
                row_gain[pop.name], bias_out[pop.name] = gm, bias / gm
            else:
                ds = p["decay_syn"]
                tau_syn = dt / ds
                w_in = np.ones(pop.size) if convention == "norse" else tau_syn / dt
                gs = ds if convention == "norse" else np.ones(pop.size)
                if np.any((dm == 0) & (p["bias"] != 0)):
                    raise UnsupportedError(f"{where}: a bias with decay_mem = 0 and a synaptic current; NIR's "
                                           f"v_leak cannot express it.")
                v_leak = np.where(dm == 0, 0.0, p["bias"] / np.where(dm == 0, 1.0, dm))
                kw = dict(tau_syn=tau_syn, tau_mem=tau, r=r, v_leak=v_leak, w_in=w_in)
                if pop.model == "lif":
                    nodes[pop.name] = nir.CubaLIF(v_threshold=p["v_th"], v_reset=p["v_reset"], **kw)
                else:
                    nodes[pop.name] = nir.CubaLI(**kw)
                row_gain[pop.name], bias_out[pop.name] = gs * gm, p["bias_syn"] / (gs * gm)
    precise = [p.name for p in graph.projections() if p.has_precision]
    if precise:
        warnings.warn(f"export_nir: projection(s) {', '.join(precise[:5])} state Loihi weight precision "
                      f"(weight_bits / sign_mode / weight_exp), which NIR cannot carry; their real weights are "
                      f"written without it.", stacklevel=2)
    recurrent = _recurrent_projections(graph)
    for pop in graph.populations():
        for k, proj in enumerate(graph.incoming(pop.name)):
            where = f"export_nir: projection '{proj.pre}' -> '{proj.post}'"
            pre, post, w, d = proj.synapses()
            n_pre = graph.node(proj.pre).size
            dense = np.zeros((pop.size, n_pre))
            dense[post, pre] = w
            dense /= row_gain[pop.name][:, None]
            base = max(1, min_delay_steps) if (proj.pre, proj.post) in recurrent else min_delay_steps
            if d.size and d.min() < base:
                kind = "recurrent, at least 1" if base > min_delay_steps else "feed-forward"
                raise UnsupportedError(f"{where}: delay {int(d.min())} steps; expected >= {base} "
                                       f"({kind}; min_delay_steps {min_delay_steps}).")
            extra_syn = np.where(d == base, 0, d - min_delay_steps) if d.size else d
            name = proj.name
            b = bias_out[pop.name] if k == 0 else None
            lin = nir.Affine(weight=dense, bias=b) if b is not None and np.any(b != 0) else nir.Linear(weight=dense)
            nodes[name] = lin
            per_post = np.zeros(pop.size, dtype=np.int64)
            per_pre = np.zeros(n_pre, dtype=np.int64)
            for arr, idx in ((per_post, post), (per_pre, pre)):
                arr[idx] = extra_syn
            ok_post = np.array_equal(per_post[post], extra_syn)
            ok_pre = np.array_equal(per_pre[pre], extra_syn)
            if not np.any(extra_syn):
                edges += [(proj.pre, name), (name, proj.post)]
            elif ok_post:
                nodes[name + ".delay"] = nir.Delay(delay=per_post * dt)
                edges += [(proj.pre, name), (name, name + ".delay"), (name + ".delay", proj.post)]
            elif ok_pre:
                nodes[name + ".delay"] = nir.Delay(delay=per_pre * dt)
                edges += [(proj.pre, name + ".delay"), (name + ".delay", name), (name, proj.post)]
            else:
                raise UnsupportedError(f"{where}: per-synapse delays that are neither uniform, per target nor per "
                                       f"source; NIR's Delay node is per element.")
    for out in graph.outputs():
        if out.readout not in ("spike_count", "v_final"):
            raise UnsupportedError(f"export_nir: output '{out.name}' readout '{out.readout}'; NIR has no readout "
                                   f"modes (spike_count and v_final are implied by the layer type).")
        nodes[out.name] = nir.Output(output_type=np.array([graph.node(out.source).size]))
        edges.append((out.source, out.name))
    return nir.NIRGraph(nodes=nodes, edges=edges,
                        metadata={"producer": "hwsim", "dt_s": dt, "convention": convention,
                                  "min_delay_steps": int(min_delay_steps)})


def write_nir(graph: Graph, path: str | Path, dt_s: float | None = None, convention: str = "snntorch",
              min_delay_steps: int = 0, lossy_reset: bool = False) -> Path:
    """Write ``graph`` to a ``.nir`` file with ``nir.write`` (see :func:`export_nir`)."""
    path = Path(path)
    nir.write(str(path), export_nir(graph, dt_s, convention, min_delay_steps, lossy_reset))
    return path
