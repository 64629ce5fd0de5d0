"""The event-driven intermediate representation (IR) of a network.

A :class:`Graph` is a ``networkx.DiGraph`` whose nodes are :class:`Input`,
:class:`Population` and :class:`Output` records and whose edges carry
:class:`Projection` records (pre -> post) or readouts (population -> output).
Every array lives in plain numpy; nothing here knows about chips or kernels.

Discrete-time semantics (the one place they are defined)
-------------------------------------------------------
Time advances in steps ``t = 0 .. T-1`` of ``dt_s`` seconds; all state starts at 0.

1. **Arrival.** A spike emitted by source ``j`` at step ``t`` through a synapse
   ``(j -> i, w, d)`` with integer delay ``d >= 0`` adds ``w`` to the input of
   ``i`` at step ``t + d``. Input channels emit at the step their raster says.
   With ``d >= 1`` (the default, and the minimum on Loihi-like and SpiNNaker-like
   chips: ``capacity.min_delay_steps``) an input spike at step 0 reaches the first
   layer at step 1, as in Lava, where each Dense layer adds one step and DelayDense
   with delay ``k`` arrives ``k + 1`` steps later. ``d = 0`` is an instantaneous
   edge (NIR's and the PyTorch frameworks' semantics): the target sees the spike in
   the step it was emitted. ``x_i[t]`` is the sum over all projections into ``i``.
2. **Order within a step**, for every neuron at once::

       i[t] = (1 - decay_syn) * i[t-1] + x[t] + bias_syn   # synaptic current (lif, li)
       v[t] = (1 - decay_mem) * v[t-1] + i[t] + bias    # membrane (lif, li)
       v[t] = v[t-1] + x[t] + bias                       # membrane (if)
       spike s[t] = 1  if  v[t] > v_th                   # strict; lif and if only
       on a spike: v[t] <- v_reset      (reset="value")
                   v[t] <- v[t] - v_th  (reset="subtract")
                   v[t] kept, and v_th is subtracted from v[t+1] after its update
                                        (reset="subtract_next", snnTorch's default
                                         delayed reset: v[t+1] = (1-decay_mem)*v[t]
                                         + i[t+1] + bias - v_th)
                   and the neuron is refractory for ``refractory_steps`` steps,
                   during which v is held and no spike is emitted (i still integrates);
                   a pending "subtract_next" waits for the first update after it.

   Populations update in a topological order of the delay-0 projections (which
   must not form a cycle); a delay-0 spike is seen by its target in the same step,
   every other spike at ``t + d``, never earlier.
3. **Non-spiking graphs** (only ``relu`` / ``identity`` populations, value inputs)
   are MLPs: they run once per sample, layer by layer in topological order,
   ``y = f(W x + bias)``; their delays must be 1.
4. **Readouts** turn a population's activity over a run into one vector per
   sample: ``spike_count`` (spikes per neuron), ``v_final`` (membrane at the last
   step), ``first_spike`` (step of the first spike, -1 if none) or ``value``
   (the output of a non-spiking population). The predicted class is the argmax;
   for ``spike_count`` ties go to the higher final membrane potential, then to the
   lower index; for ``first_spike`` it is the earliest spike (silent neurons last).

Weights, thresholds and biases share one dimensionless membrane unit per
population; chips quantise them in :mod:`hwsim.quantize` (the identity on float chips).
"""
from __future__ import annotations

import io
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator, Mapping

import networkx as nx
import numpy as np

from hwsim.errors import GraphError, one_of
from hwsim.neuron_models import RESET_MODES, get_model

INPUT_KINDS = ("spike", "value")
READOUTS = ("spike_count", "v_final", "first_spike", "value")
FORMAT_VERSION = 1


@dataclass(frozen=True, eq=False)
class Input:
    """An entry of the network: ``size`` channels of spikes or real values.

    Attributes
    ----------
    name : str
        Node name.
    size : int
        Number of channels.
    kind : str
        ``"spike"`` (binary events per step) or ``"value"`` (real values, MLPs).
    """

    name: str
    size: int
    kind: str = "spike"


@dataclass(frozen=True, eq=False)
class Population:
    """``size`` neurons of one model with per-neuron parameter arrays.

    Attributes
    ----------
    name : str
        Node name (a layer).
    size : int
        Number of neurons.
    model : str
        Key of :data:`hwsim.neuron_models.MODELS`.
    params : mapping of str to ndarray
        float64 arrays of shape ``(size,)``, one per model parameter, in membrane units
        (``decay_*`` are fractions per step, ``refractory_steps`` a whole number).
    reset : str
        ``"value"`` (v <- v_reset), ``"subtract"`` (v <- v - v_th) or ``"subtract_next"``
        (v_th subtracted after the next update, snnTorch's delayed reset).
    """

    name: str
    size: int
    model: str
    params: Mapping[str, np.ndarray] = field(default_factory=dict)
    reset: str = "value"


@dataclass(frozen=True, eq=False)
class Projection:
    """Synapses from ``pre`` to ``post``, dense or sparse, with integer delays.

    Attributes
    ----------
    pre, post : str
        Source node (Input or Population) and target Population.
    weight : ndarray
        Dense: float64 ``(n_post, n_pre)``. Sparse: float64 ``(n_syn,)`` matching the indices.
    pre_index, post_index : ndarray or None
        Sparse only: int64 ``(n_syn,)`` source and target neuron of each synapse.
    delay_steps : ndarray
        int64, a scalar (0-d) or one per synapse (same shape as ``weight``); each >= 0 (0: instantaneous).
    """

    pre: str
    post: str
    weight: np.ndarray
    pre_index: np.ndarray | None = None
    post_index: np.ndarray | None = None
    delay_steps: np.ndarray = field(default_factory=lambda: np.asarray(1, dtype=np.int64))

    @property
    def is_sparse(self) -> bool:
        """True when the synapses are stored as index lists."""
        return self.pre_index is not None

    def synapses(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Return ``(pre_index, post_index, weight, delay_steps)`` of every stored synapse.

        Dense projections list all ``n_post * n_pre`` entries except exact zeros
        (a zero weight is no synapse). Arrays are int64, int64, float64, int64.
        """
        if self.is_sparse:
            delays = np.broadcast_to(self.delay_steps, self.weight.shape).astype(np.int64)
            return (self.pre_index.astype(np.int64), self.post_index.astype(np.int64),
                    self.weight.astype(np.float64), delays)
        post, pre = np.nonzero(self.weight)
        delays = np.broadcast_to(self.delay_steps, self.weight.shape)[post, pre].astype(np.int64)
        return pre.astype(np.int64), post.astype(np.int64), self.weight[post, pre], delays

    @property
    def n_synapses(self) -> int:
        """Number of synapses (non-zero weights for dense projections)."""
        return int(self.weight.size if self.is_sparse else np.count_nonzero(self.weight))


@dataclass(frozen=True, eq=False)
class Output:
    """A readout of one population.

    Attributes
    ----------
    name : str
        Node name.
    source : str
        The population read.
    readout : str
        One of :data:`READOUTS`.
    """

    name: str
    source: str
    readout: str = "spike_count"


def _as_finite(where: str, values, dtype=np.float64) -> np.ndarray:
    try:
        arr = np.array(values, dtype=dtype)
    except (TypeError, ValueError) as exc:
        raise GraphError(f"{where}: could not read the values as numbers ({exc}); "
                         f"expected a numeric array.") from None
    if not np.all(np.isfinite(arr)):
        bad = int(np.count_nonzero(~np.isfinite(arr)))
        raise GraphError(f"{where}: {bad} value(s) are NaN or infinite; expected finite numbers. "
                         f"Hint: check the trained weights or the importer's conversion.")
    return arr


def _check_name(name: str) -> str:
    if not isinstance(name, str) or not name or "/" in name:
        raise GraphError(f"node name {name!r}: expected a non-empty string without '/'.")
    return name


def _check_size(where: str, size) -> int:
    if isinstance(size, bool) or not isinstance(size, (int, np.integer)) or size < 1:
        raise GraphError(f"{where}: size {size!r}; expected a positive integer.")
    return int(size)


class Graph:
    """A network: inputs, populations, projections and outputs on a ``networkx.DiGraph``.

    Parameters
    ----------
    name : str
        Name of the network.
    dt_s : float
        Duration of one step in seconds.
    metadata : dict, optional
        JSON-serialisable facts about the model (task, steps per sample, input encoding);
        saved with the graph.
    """

    def __init__(self, name: str, dt_s: float = 1e-3, metadata: dict | None = None):
        if not (isinstance(dt_s, (int, float)) and np.isfinite(dt_s) and dt_s > 0):
            raise GraphError(f"graph '{name}': dt_s={dt_s!r}; expected a positive number of seconds.")
        self.name = str(name)
        self.dt_s = float(dt_s)
        self.metadata = dict(metadata or {})
        self.nx = nx.DiGraph()

    # ------------------------------------------------------------------ building
    def _new_node(self, node) -> None:
        _check_name(node.name)
        if node.name in self.nx:
            raise GraphError(f"graph '{self.name}': node '{node.name}' already exists; expected a unique name.")
        self.nx.add_node(node.name, node=node)

    def add_input(self, name: str, size: int, kind: str = "spike") -> Input:
        """Add an :class:`Input` of ``size`` channels (``kind`` "spike" or "value")."""
        size = _check_size(f"input '{name}'", size)
        if kind not in INPUT_KINDS:
            raise GraphError(f"input '{name}': kind '{kind}'; {one_of(kind, INPUT_KINDS)}")
        node = Input(name, size, kind)
        self._new_node(node)
        return node

    def add_population(self, name: str, size: int, model: str, reset: str = "value",
                       **params) -> Population:
        """Add a :class:`Population`; each parameter is a scalar or a ``(size,)`` array.

        Parameters
        ----------
        name : str
            Node name.
        size : int
            Number of neurons.
        model : str
            Neuron model (see :mod:`hwsim.neuron_models`).
        reset : str
            ``"value"``, ``"subtract"`` or ``"subtract_next"`` (spiking models only).
        **params
            Model parameters; missing ones take the model's defaults.
        """
        where = f"population '{name}'"
        size = _check_size(where, size)
        spec = get_model(model, where)
        if reset not in RESET_MODES:
            raise GraphError(f"{where}: reset '{reset}'; {one_of(reset, RESET_MODES)}")
        unknown = sorted(set(params) - set(spec.params))
        if unknown:
            raise GraphError(f"{where}: unknown parameter '{unknown[0]}' for model '{model}'; "
                             f"{one_of(unknown[0], spec.params)}")
        arrays = {}
        for key, default in spec.params.items():
            if key not in params and default is None:
                raise GraphError(f"{where}: model '{model}' needs parameter '{key}'; none was given.")
            value = _as_finite(f"{where}: {key}", params.get(key, default))
            if value.ndim == 0:
                value = np.full(size, float(value))
            if value.shape != (size,):
                raise GraphError(f"{where}: {key} has shape {value.shape}; expected () or ({size},).")
            arrays[key] = value
        for key in ("decay_syn", "decay_mem"):
            if key in arrays and (arrays[key].min() < 0 or arrays[key].max() > 1):
                raise GraphError(f"{where}: {key} outside [0, 1]; expected the fraction lost per step.")
        if "refractory_steps" in arrays:
            ref = arrays["refractory_steps"]
            if ref.min() < 0 or np.any(ref != np.round(ref)):
                raise GraphError(f"{where}: refractory_steps must be whole numbers >= 0.")
        node = Population(name, size, model, arrays, reset)
        self._new_node(node)
        return node

    def add_projection(self, pre: str, post: str, weight, pre_index=None, post_index=None,
                       delay_steps=1) -> Projection:
        """Connect ``pre`` to ``post`` with dense ``weight (n_post, n_pre)`` or sparse index lists.

        Parameters
        ----------
        pre, post : str
            Existing source (Input or Population) and target Population.
        weight : array_like
            Dense ``(n_post, n_pre)`` matrix, or ``(n_syn,)`` with ``pre_index``/``post_index``.
        pre_index, post_index : array_like, optional
            Sparse connectivity, one entry per synapse.
        delay_steps : int or array_like
            Integer delays >= 0 (0: instantaneous), scalar or one per weight entry.
        """
        where = f"projection '{pre}' -> '{post}'"
        for end in (pre, post):
            if end not in self.nx:
                raise GraphError(f"{where}: node '{end}' does not exist; "
                                 f"{one_of(end, self.nx.nodes)} Hint: add nodes before projections.")
        src, dst = self.node(pre), self.node(post)
        if isinstance(src, Output):
            raise GraphError(f"{where}: '{pre}' is an Output; expected an Input or a Population as source.")
        if not isinstance(dst, Population):
            raise GraphError(f"{where}: '{post}' is a {type(dst).__name__}; expected a Population as target.")
        if self.nx.has_edge(pre, post):
            raise GraphError(f"{where}: a projection between these nodes already exists; "
                             f"expected one per pair. Hint: sum the weights into one projection.")
        w = _as_finite(f"{where}: weight", weight)
        if (pre_index is None) != (post_index is None):
            raise GraphError(f"{where}: give both pre_index and post_index for sparse weights, or neither.")
        if pre_index is None:
            if w.shape != (dst.size, src.size):
                raise GraphError(f"{where}: weight shape {w.shape}; expected ({dst.size}, {src.size}) "
                                 f"= ({post} size, {pre} size).")
            pi = qi = None
        else:
            pi = np.asarray(pre_index)
            qi = np.asarray(post_index)
            if w.ndim != 1 or pi.shape != w.shape or qi.shape != w.shape:
                raise GraphError(f"{where}: sparse weight, pre_index, post_index have shapes "
                                 f"{w.shape}, {pi.shape}, {qi.shape}; expected three equal 1-D shapes.")
            if not (np.issubdtype(pi.dtype, np.integer) and np.issubdtype(qi.dtype, np.integer)) and w.size:
                raise GraphError(f"{where}: pre_index/post_index must be integers.")
            pi = pi.astype(np.int64)
            qi = qi.astype(np.int64)
            if w.size and (pi.min() < 0 or pi.max() >= src.size or qi.min() < 0 or qi.max() >= dst.size):
                raise GraphError(f"{where}: an index is out of range; expected pre_index in "
                                 f"[0, {src.size}) and post_index in [0, {dst.size}).")
            if w.size and len(np.unique(pi * dst.size + qi)) != w.size:
                raise GraphError(f"{where}: duplicate (pre, post) synapses; expected each pair once. "
                                 f"Hint: sum duplicate weights.")
        d = np.asarray(delay_steps)
        if not np.issubdtype(d.dtype, np.integer):
            if not np.all(np.isfinite(d)) or np.any(d != np.round(d)):
                raise GraphError(f"{where}: delay_steps must be whole numbers of steps.")
        d = d.astype(np.int64)
        if d.ndim != 0 and d.shape != w.shape:
            raise GraphError(f"{where}: delay_steps shape {d.shape}; expected a scalar or {w.shape}.")
        if d.size and d.min() < 0:
            raise GraphError(f"{where}: delay_steps {int(d.min())}; expected integers >= 0.")
        proj = Projection(pre, post, w, pi, qi, d)
        self.nx.add_edge(pre, post, projection=proj)
        return proj

    def add_output(self, name: str, source: str, readout: str = "spike_count") -> Output:
        """Add an :class:`Output` reading population ``source``."""
        where = f"output '{name}'"
        if source not in self.nx or not isinstance(self.node(source), Population):
            raise GraphError(f"{where}: source '{source}' is not a population; "
                             f"{one_of(source, [p.name for p in self.populations()])}")
        if readout not in READOUTS:
            raise GraphError(f"{where}: readout '{readout}'; {one_of(readout, READOUTS)}")
        model = get_model(self.node(source).model)
        if readout in ("spike_count", "first_spike") and not model.spiking:
            raise GraphError(f"{where}: readout '{readout}' of non-spiking model '{model.name}'; "
                             f"expected 'v_final' or 'value'.")
        node = Output(name, source, readout)
        self._new_node(node)
        self.nx.add_edge(source, name, readout=True)
        return node

    # ------------------------------------------------------------------ queries
    def node(self, name: str):
        """Return the node record called ``name``."""
        if name not in self.nx:
            raise GraphError(f"graph '{self.name}': no node '{name}'; {one_of(name, self.nx.nodes)}")
        return self.nx.nodes[name]["node"]

    def _of_type(self, cls) -> list:
        return [d["node"] for _, d in self.nx.nodes(data=True) if isinstance(d["node"], cls)]

    def inputs(self) -> list[Input]:
        """Inputs in insertion order."""
        return self._of_type(Input)

    def populations(self) -> list[Population]:
        """Populations in insertion order."""
        return self._of_type(Population)

    def outputs(self) -> list[Output]:
        """Outputs in insertion order."""
        return self._of_type(Output)

    def projections(self) -> list[Projection]:
        """Projections in insertion order."""
        return [d["projection"] for _, _, d in self.nx.edges(data=True) if "projection" in d]

    def incoming(self, post: str) -> Iterator[Projection]:
        """Projections into population ``post``."""
        for pre in self.nx.predecessors(post):
            yield self.nx.edges[pre, post]["projection"]

    def neuron_offsets(self) -> dict[str, int]:
        """Global index of each population's first neuron (populations in insertion order)."""
        offsets, total = {}, 0
        for pop in self.populations():
            offsets[pop.name] = total
            total += pop.size
        return offsets

    def source_offsets(self) -> dict[str, int]:
        """Global source id of each input's and population's first channel: inputs first, then neurons."""
        offsets, total = {}, 0
        for inp in self.inputs():
            offsets[inp.name] = total
            total += inp.size
        for name, start in self.neuron_offsets().items():
            offsets[name] = total + start
        return offsets

    def is_spiking(self) -> bool:
        """True when any population uses a spiking or stateful model (the graph runs for many steps)."""
        return any(get_model(p.model).stateful for p in self.populations())

    def is_recurrent(self) -> bool:
        """True when projections form a cycle (including self-loops)."""
        return not nx.is_directed_acyclic_graph(self.nx)

    def instantaneous(self) -> nx.DiGraph:
        """The subgraph of projections with a delay-0 synapse (they order updates within a step)."""
        edges = [(p.pre, p.post) for p in self.projections() if p.delay_steps.size and p.delay_steps.min() == 0]
        sub = nx.DiGraph()
        sub.add_nodes_from(self.nx.nodes)
        sub.add_edges_from(edges)
        return sub

    def update_order(self) -> list[str]:
        """Populations in the order they update within a step: topological over delay-0 projections,
        otherwise insertion order (a delay-0 cycle is a :class:`GraphError`)."""
        sub = self.instantaneous()
        try:
            order = list(nx.lexicographical_topological_sort(sub, key=list(self.nx.nodes).index))
        except nx.NetworkXUnfeasible:
            edges = nx.find_cycle(sub)
            cycle = " -> ".join([u for u, _ in edges] + [edges[0][0]])
            raise GraphError(f"graph '{self.name}': delay-0 projections form a cycle ({cycle}); expected "
                             f"every loop to take at least one step. Hint: give a recurrent projection "
                             f"delay_steps=1.") from None
        return [name for name in order if isinstance(self.node(name), Population)]

    # ------------------------------------------------------------------ validation
    def validate(self) -> "Graph":
        """Check the whole graph; raise :class:`GraphError` naming the first problem. Returns self."""
        if not self.inputs():
            raise GraphError(f"graph '{self.name}': no Input node; expected at least one. "
                             f"Hint: graph.add_input(name, size).")
        if not self.outputs():
            raise GraphError(f"graph '{self.name}': no Output node; expected at least one. "
                             f"Hint: graph.add_output(name, source_population).")
        self.update_order()
        for pop in self.populations():
            if self.nx.in_degree(pop.name) == 0:
                raise GraphError(f"population '{pop.name}': no incoming projection; "
                                 f"expected it to be reachable from an input.")
        reachable = set()
        for inp in self.inputs():
            reachable |= nx.descendants(self.nx, inp.name)
        for out in self.outputs():
            if out.name not in reachable:
                raise GraphError(f"output '{out.name}': not reachable from any input; "
                                 f"expected a path input -> ... -> '{out.source}'.")
        spiking = self.is_spiking()
        for inp in self.inputs():
            if not spiking and inp.kind != "value":
                raise GraphError(f"input '{inp.name}': kind 'spike' in a non-spiking (MLP) graph; "
                                 f"expected kind 'value'.")
        if not spiking:
            if self.is_recurrent():
                raise GraphError(f"graph '{self.name}': a non-spiking (MLP) graph has a cycle; "
                                 f"expected a feed-forward graph.")
            for proj in self.projections():
                if np.any(proj.delay_steps != 1):
                    raise GraphError(f"projection '{proj.pre}' -> '{proj.post}': delays in a non-spiking "
                                     f"(MLP) graph; expected delay_steps 1.")
        return self

    # ------------------------------------------------------------------ persistence
    def to_arrays(self) -> tuple[dict, dict[str, np.ndarray]]:
        """Return ``(header, arrays)``: a JSON-able description and the named arrays it refers to."""
        header = {"format": "hwsim-graph", "version": FORMAT_VERSION, "name": self.name,
                  "dt_s": self.dt_s, "metadata": self.metadata,
                  "nodes": [], "projections": []}
        arrays: dict[str, np.ndarray] = {}
        for name, data in self.nx.nodes(data=True):
            node = data["node"]
            if isinstance(node, Input):
                header["nodes"].append({"type": "Input", "name": name, "size": node.size, "kind": node.kind})
            elif isinstance(node, Population):
                header["nodes"].append({"type": "Population", "name": name, "size": node.size,
                                        "model": node.model, "reset": node.reset,
                                        "params": sorted(node.params)})
                for key, value in node.params.items():
                    arrays[f"node/{name}/{key}"] = value
            else:
                header["nodes"].append({"type": "Output", "name": name, "source": node.source,
                                        "readout": node.readout})
        for k, proj in enumerate(self.projections()):
            header["projections"].append({"pre": proj.pre, "post": proj.post, "sparse": proj.is_sparse})
            arrays[f"proj/{k}/weight"] = proj.weight
            arrays[f"proj/{k}/delay_steps"] = proj.delay_steps
            if proj.is_sparse:
                arrays[f"proj/{k}/pre_index"] = proj.pre_index
                arrays[f"proj/{k}/post_index"] = proj.post_index
        return header, arrays

    @classmethod
    def from_arrays(cls, header: dict, arrays: Mapping[str, np.ndarray], where: str = "graph") -> "Graph":
        """Rebuild a graph from :meth:`to_arrays` output (validating everything again)."""
        if header.get("format") != "hwsim-graph" or header.get("version") != FORMAT_VERSION:
            raise GraphError(f"{where}: format {header.get('format')!r} version {header.get('version')!r}; "
                             f"expected 'hwsim-graph' version {FORMAT_VERSION}.")
        try:
            graph = cls(header["name"], header["dt_s"], header.get("metadata"))
            for spec in header["nodes"]:
                if spec["type"] == "Input":
                    graph.add_input(spec["name"], spec["size"], spec["kind"])
                elif spec["type"] == "Population":
                    params = {k: arrays[f"node/{spec['name']}/{k}"] for k in spec["params"]}
                    graph.add_population(spec["name"], spec["size"], spec["model"], spec["reset"], **params)
            for k, spec in enumerate(header["projections"]):
                sparse = spec["sparse"]
                graph.add_projection(spec["pre"], spec["post"], arrays[f"proj/{k}/weight"],
                                     arrays[f"proj/{k}/pre_index"] if sparse else None,
                                     arrays[f"proj/{k}/post_index"] if sparse else None,
                                     arrays[f"proj/{k}/delay_steps"])
            for spec in header["nodes"]:
                if spec["type"] == "Output":
                    graph.add_output(spec["name"], spec["source"], spec["readout"])
        except KeyError as exc:
            raise GraphError(f"{where}: missing entry {exc}; expected a file written by hwsim.save_graph.") from None
        return graph


def save_graph(graph: Graph, path: str | Path) -> Path:
    """Write ``graph`` to one ``.npz`` file (a JSON header plus its arrays, no pickle).

    Parameters
    ----------
    graph : Graph
        The network.
    path : str or Path
        Destination; ``.npz`` is appended by numpy when missing.
    """
    header, arrays = graph.to_arrays()
    path = Path(path)
    if path.suffix != ".npz":
        path = path.with_name(path.name + ".npz")
    payload = {"__header__": np.frombuffer(json.dumps(header).encode(), dtype=np.uint8)}
    payload.update(arrays)
    buffer = io.BytesIO()
    np.savez_compressed(buffer, **payload)
    path.write_bytes(buffer.getvalue())
    return path


def load_graph(path: str | Path) -> Graph:
    """Read a graph written by :func:`save_graph`."""
    path = Path(path)
    if not path.is_file():
        raise GraphError(f"{path}: no such file; expected a graph written by hwsim.save_graph (.npz).")
    try:
        with np.load(path, allow_pickle=False) as data:
            arrays = {k: data[k] for k in data.files}
    except (OSError, ValueError) as exc:
        raise GraphError(f"{path}: not a readable .npz file ({exc}); expected a graph written by "
                         f"hwsim.save_graph.") from None
    if "__header__" not in arrays:
        raise GraphError(f"{path}: no '__header__' entry; expected a graph written by hwsim.save_graph.")
    header = json.loads(arrays.pop("__header__").tobytes().decode())
    return Graph.from_arrays(header, arrays, where=str(path))
