"""Read a SANA-FE SNN description (its YAML format, e.g. the wheel's ``tutorial_snn.yaml``) into an hwsim Graph.

The file's ``network`` holds ``groups`` (each ``name``, ``attributes`` and ``neurons``: ids or ranges
``a..b`` with their own attributes) and ``edges`` (``g.i -> h.j: [weight: w]`` for one synapse,
``g -> h: [type: dense, weight: [...]]`` for all pairs, the weights listed pre-major). Attributes are
lists of one-key mappings or a mapping, flat or under ``soma`` / ``synapse``. One group becomes one
population: ``if`` when it has SANA-FE's defaults ``leak_decay`` 1 and ``input_decay`` 0, else ``lif``
with ``decay_mem = 1 - leak_decay`` and ``decay_syn = 1 - input_decay`` (hwsim.interop.sanafe_peer's
table); ``threshold``, ``reset`` and ``bias`` may differ per neuron; ``reset_mode`` hard / soft / none is
hwsim's value / subtract / none. Every edge has delay 1 (SANA-FE's accumulator dendrite).

Ignored: trace flags (``log_*``), hardware names (``*_hw_name``, ``soma`` / ``synapse`` hardware in
``mappings``: hwsim maps the network itself) and ``force_update``. Anything else -- input spike
trains, refractory delays, reverse thresholds, other soma models -- raises
:class:`~hwsim.errors.UnsupportedError`; a malformed file raises :class:`~hwsim.errors.GraphError`.
"""
from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import yaml

from hwsim.errors import GraphError, UnsupportedError, short
from hwsim.ir import Graph

RESETS = {"hard": "value", "soft": "subtract", "none": "none"}
SOMA_KEYS = ("threshold", "reset", "bias", "leak_decay", "input_decay", "reset_mode")
IGNORED = re.compile(r"^(log_\w+|\w+_hw_name|force_update(_every_timestep)?|model)$")
DEFAULTS = {"threshold": 0.0, "reset": 0.0, "bias": 0.0, "leak_decay": 1.0, "input_decay": 0.0, "reset_mode": "hard"}


class _File:
    def __init__(self, path):
        self.name = short(str(path))

    def error(self, where: str, found: str, expected: str) -> GraphError:
        return GraphError(f"SANA-FE SNN {self.name}: {where}: {found}; {expected}. "
                          f"Hint: compare with sanafe/examples/tutorial_snn.yaml.")


def _attributes(raw, where: str, f: _File) -> dict:
    """Flatten SANA-FE's attribute forms (a mapping, or a list of one-key mappings; ``soma: {...}`` nested)."""
    if raw is None:
        return {}
    if isinstance(raw, dict):
        items = list(raw.items())
    elif isinstance(raw, list) and all(isinstance(a, dict) for a in raw):
        items = [kv for a in raw for kv in a.items()]
    else:
        raise f.error(where, f"found {short(raw)}", "expected a mapping or a list of one-key mappings")
    out = {}
    for key, value in items:
        if key in ("soma", "synapse", "dendrite") and isinstance(value, dict):
            out.update(_attributes(value, f"{where}.{key}", f))
        elif IGNORED.match(str(key)):
            continue
        elif key in SOMA_KEYS or key in ("weight", "w", "type"):
            out[key] = value
        else:
            raise UnsupportedError(f"SANA-FE SNN {f.name}: {where}.{key}: attribute {short(key)} is not "
                                   f"translated; expected one of {', '.join(SOMA_KEYS)}, weight, type or trace "
                                   f"flags. Hint: hwsim runs SANA-FE's Loihi LIF soma only.")
    return out


def _number(value, where: str, f: _File) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not np.isfinite(value):
        raise f.error(where, f"found {short(value)}", "expected a finite number")
    return float(value)


def _neuron_ids(key, count_hint: str, f: _File) -> range:
    match = re.fullmatch(r"(\d+)(?:\.\.(\d+))?", str(key))
    if not match:
        raise f.error(count_hint, f"neuron id {short(key)}", "expected an id or a range 'a..b'")
    first = int(match.group(1))
    return range(first, int(match.group(2) or first) + 1)


def _group(raw, index: int, f: _File) -> tuple[str, dict]:
    where = f"network.groups[{index}]"
    if not isinstance(raw, dict) or "name" not in raw or not isinstance(raw.get("neurons"), list):
        raise f.error(where, f"found {short(raw)}", "expected a mapping with name, attributes and a list neurons")
    name = str(raw["name"])
    shared = {**DEFAULTS, **_attributes(raw.get("attributes"), f"{where}.attributes", f)}
    per_neuron = {}
    for k, entry in enumerate(raw["neurons"]):
        if not isinstance(entry, dict) or len(entry) != 1:
            raise f.error(f"{where}.neurons[{k}]", f"found {short(entry)}", "expected one '<id or a..b>: attributes'")
        (key, attrs), = entry.items()
        values = _attributes(attrs, f"{where}.neurons[{k}]", f)
        for i in _neuron_ids(key, f"{where}.neurons[{k}]", f):
            if i in per_neuron:
                raise f.error(f"{where}.neurons[{k}]", f"neuron {i} defined twice", "expected each id once")
            per_neuron[i] = values
    if sorted(per_neuron) != list(range(len(per_neuron))):
        raise f.error(f"{where}.neurons", f"ids {short(sorted(per_neuron))}", "expected ids 0 .. n-1")
    size = len(per_neuron)
    params = {}
    for key in SOMA_KEYS:
        values = [per_neuron[i].get(key, shared[key]) for i in range(size)]
        params[key] = values if key == "reset_mode" else np.array(
            [_number(v, f"{where}.{key}", f) for v in values])
    return name, {"size": size, **params}


def _population(graph: Graph, name: str, spec: dict, f: _File) -> None:
    modes = set(spec["reset_mode"])
    if len(modes) != 1 or next(iter(modes)) not in RESETS:
        raise UnsupportedError(f"SANA-FE SNN {f.name}: group '{name}': reset_mode {sorted(map(str, modes))}; "
                               f"expected one of {', '.join(RESETS)} for the whole group.")
    common = dict(v_th=spec["threshold"], v_reset=spec["reset"], bias=spec["bias"])
    if np.all(spec["leak_decay"] == 1.0) and np.all(spec["input_decay"] == 0.0):
        graph.add_population(name, spec["size"], "if", RESETS[modes.pop()], **common)
    else:
        graph.add_population(name, spec["size"], "lif", RESETS[modes.pop()], decay_mem=1.0 - spec["leak_decay"],
                             decay_syn=1.0 - spec["input_decay"], **common)


def _edge(raw, index: int, sizes: dict, f: _File):
    where = f"network.edges[{index}]"
    if not isinstance(raw, dict) or len(raw) != 1:
        raise f.error(where, f"found {short(raw)}", "expected one 'pre -> post: attributes'")
    (text, attrs), = raw.items()
    match = re.fullmatch(r"\s*([^.\s]+)(?:\.(\d+))?\s*->\s*([^.\s]+)(?:\.(\d+))?\s*", str(text))
    if not match or match.group(1) not in sizes or match.group(3) not in sizes:
        raise f.error(where, f"edge {short(text)}", f"expected 'g.i -> h.j' or 'g -> h' between groups {sorted(sizes)}")
    pre, i, post, j = match.groups()
    values = _attributes(attrs, where, f)
    weight = values.get("weight", values.get("w"))
    if i is not None and j is not None:
        if int(i) >= sizes[pre] or int(j) >= sizes[post]:
            raise f.error(where, f"edge {short(text)}", "expected neuron ids inside their groups")
        return pre, post, int(i), int(j), _number(weight, f"{where}.weight", f)
    if values.get("type") != "dense" or i is not None or j is not None:
        raise UnsupportedError(f"SANA-FE SNN {f.name}: {where}: group edge of type {short(values.get('type'))}; "
                               f"only 'dense' group edges are translated.")
    w = np.array([_number(v, f"{where}.weight", f) for v in (weight if isinstance(weight, list) else [weight])])
    if w.size != sizes[pre] * sizes[post]:
        raise f.error(f"{where}.weight", f"{w.size} weights", f"expected {sizes[pre]} x {sizes[post]} (pre-major)")
    pre_idx, post_idx = np.divmod(np.arange(w.size), sizes[post])
    return pre, post, pre_idx, post_idx, w


def read_snn_yaml(path: str | Path) -> Graph:
    """The network of a SANA-FE SNN YAML file as an hwsim Graph (module docstring); one output per group.

    Raises
    ------
    GraphError
        If the file is not YAML or is malformed, naming the entry.
    UnsupportedError
        If it uses a feature hwsim does not translate.
    """
    f = _File(path)
    try:
        raw = yaml.safe_load(Path(path).read_text())
    except (OSError, yaml.YAMLError, UnicodeDecodeError) as exc:
        raise f.error("(file)", f"unreadable ({short(str(exc))})", "expected a YAML file") from None
    net = raw.get("network") if isinstance(raw, dict) else None
    if not isinstance(net, dict) or not isinstance(net.get("groups"), list) or not net["groups"]:
        raise f.error("network", f"found {short(net)}", "expected a mapping with a non-empty list 'groups'")
    graph = Graph(str(net.get("name", Path(path).stem)), metadata={"source": f"SANA-FE SNN {f.name}"})
    specs = dict(_group(g, k, f) for k, g in enumerate(net["groups"]))
    for name, spec in specs.items():
        _population(graph, name, spec, f)
    synapses: dict = {}
    edges = net.get("edges") or []
    if not isinstance(edges, list):
        raise f.error("network.edges", f"found {short(edges)}", "expected a list")
    for k, e in enumerate(edges):
        pre, post, i, j, w = _edge(e, k, {n: s["size"] for n, s in specs.items()}, f)
        parts = synapses.setdefault((pre, post), ([], [], []))
        for part, value in zip(parts, (i, j, w)):
            part.append(np.atleast_1d(value))
    for (pre, post), (i, j, w) in synapses.items():
        graph.add_projection(pre, post, np.concatenate(w), pre_index=np.concatenate(i).astype(np.int64),
                             post_index=np.concatenate(j).astype(np.int64))
    for name in specs:
        graph.add_output(f"{name}_spikes", name)
    return graph.validate()
