"""Read the constants hwsim prices from a SANA-FE architecture YAML (e.g. its wheel's ``loihi.yaml``).

:func:`read_sanafe_arch` returns, keyed by the hwsim profile's key path, the value in hwsim's units
(pJ, ns, tiles, neurons), from the first tile and core of the file (SANA-FE's Loihi file repeats one
tile). The mapping, and what hwsim prices differently:

===============================  ==========================================================
hwsim                            SANA-FE
===============================  ==========================================================
``energy_pj.synop`` / time       the core's first (default) synapse unit, ``*_process_spike``
``energy_pj.neuron_idle`` / time the first soma unit's ``*_access_neuron``
``energy_pj.neuron_active``      ``*_access_neuron`` + ``*_update_neuron``
``energy_pj.spike`` / time       ``*_spike_out``
``energy_pj.packet``             axon-out ``energy_message_out`` (axon-in energy must be 0)
``time_ns.packet``               axon-out ``latency_message_out`` + axon-in ``latency_message_in``
``timing.message_out_ns`` / in   axon-out ``latency_message_out`` / axon-in ``latency_message_in``
``energy_pj.hop_x`` / ``hop_y``  tile ``*_east_hop`` (= west) / ``*_north_hop`` (= south)
``barrier_by_tiles.N``           ``latency_sync`` table (``sync_model: table``)
``topology.tile_mesh``           ``width``, ``height``
``topology.cores_per_tile``      the core name's range ``[a..b]``
``capacity.neurons_per_core``    ``max_neurons_supported``
===============================  ==========================================================

Not used by hwsim: further synapse units (SANA-FE's Loihi file has sparse 33.6 pJ / 4.7 ns and conv
24.0 pJ / 3.1 ns beside dense 35.5 pJ / 3.8 ns; hwsim has one synapse price), dendrite units (0 pJ in
that file) and the NoC buffer size (SANA-FE's blocking model).
"""
from __future__ import annotations

import re
from pathlib import Path

import yaml

from hwsim.errors import SpecError, short

PJ, NS = 1e12, 1e9


class _Reader:
    """Lookups into the parsed file that fail with the key path and what was expected."""

    def __init__(self, name: str):
        self.name = name

    def error(self, path: str, found: str, expected: str) -> SpecError:
        return SpecError(f"SANA-FE architecture {self.name}: {path}: {found}; {expected}. "
                         f"Hint: compare with sanafe/examples/loihi.yaml.")

    def get(self, node, key: str, path: str, kind=dict):
        value = node.get(key) if isinstance(node, dict) else None
        if isinstance(value, list) and kind is dict:
            value = value[0] if value and isinstance(value[0], dict) else None
        if kind is float and isinstance(value, (int, float)) and not isinstance(value, bool):
            return float(value)
        if not isinstance(value, kind):
            raise self.error(f"{path}.{key}", "missing" if value is None else f"found {short(value)}",
                             f"expected {'a number' if kind is float else 'a ' + kind.__name__}")
        return value


def _range_size(name: str) -> int:
    match = re.search(r"\[(\d+)\.\.(\d+)\]$", name)
    return int(match.group(2)) - int(match.group(1)) + 1 if match else 1


def read_sanafe_arch(path: str | Path) -> dict[str, float | tuple | dict]:
    """hwsim key path -> value in hwsim units, read from SANA-FE's architecture file (module docstring).

    Raises
    ------
    SpecError
        If the file is not YAML or lacks a field hwsim reads, naming the field's path.
    """
    r = _Reader(short(str(path)))
    try:
        raw = yaml.safe_load(Path(path).read_text())
    except (OSError, yaml.YAMLError) as exc:
        raise r.error("(file)", f"unreadable ({short(str(exc))})", "expected a YAML file") from None
    arch = r.get(raw, "architecture", "(top level)")
    attrs = r.get(arch, "attributes", "architecture")
    tile = r.get(arch, "tile", "architecture")
    tile_attrs = r.get(tile, "attributes", "architecture.tile")
    core = r.get(tile, "core", "architecture.tile")
    units = {unit: r.get(core, unit, "architecture.tile.core") for unit in ("soma", "synapse", "axon_in", "axon_out")}
    soma, syn = (r.get(units[u], "attributes", f"architecture.tile.core.{u}") for u in ("soma", "synapse"))
    ax_in, ax_out = (r.get(units[u], "attributes", f"architecture.tile.core.{u}") for u in ("axon_in", "axon_out"))

    def num(node, key, where):
        return r.get(node, key, where, float)

    hop = {}
    for axis, (a, b) in {"x": ("east", "west"), "y": ("north", "south")}.items():
        for kind, scale, section in (("energy", PJ, "energy_pj"), ("latency", NS, "time_ns")):
            pair = [num(tile_attrs, f"{kind}_{d}_hop", "architecture.tile.attributes") for d in (a, b)]
            if pair[0] != pair[1]:
                raise r.error(f"architecture.tile.attributes.{kind}_{a}_hop", f"{pair[0]} vs {b} {pair[1]}",
                              "expected equal costs both ways (hwsim prices one hop per axis)")
            hop[f"{section}.hop_{axis}"] = pair[0] * scale
    where = "architecture.tile.core.axon_in.attributes"
    if num(ax_in, "energy_message_in", where) != 0.0:
        raise r.error(f"{where}.energy_message_in", "non-zero", "expected 0 (hwsim prices a message once, axon-out)")
    sync = r.get(attrs, "latency_sync", "architecture.attributes")
    if not all(isinstance(k, int) and k > 0 and isinstance(v, (int, float)) for k, v in sync.items()):
        raise r.error("architecture.attributes.latency_sync", f"found {short(sync)}",
                      "expected a table {tiles: seconds}")
    soma_where = "architecture.tile.core.soma.attributes"
    access, update = (num(soma, f"energy_{k}_neuron", soma_where) for k in ("access", "update"))
    t_access, t_update = (num(soma, f"latency_{k}_neuron", soma_where) for k in ("access", "update"))
    return {
        "energy_pj.synop": num(syn, "energy_process_spike", "architecture.tile.core.synapse.attributes") * PJ,
        "time_ns.synop": num(syn, "latency_process_spike", "architecture.tile.core.synapse.attributes") * NS,
        "energy_pj.neuron_idle": access * PJ, "time_ns.neuron_idle": t_access * NS,
        "energy_pj.neuron_active": (access + update) * PJ, "time_ns.neuron_active": (t_access + t_update) * NS,
        "energy_pj.spike": num(soma, "energy_spike_out", "architecture.tile.core.soma.attributes") * PJ,
        "time_ns.spike": num(soma, "latency_spike_out", "architecture.tile.core.soma.attributes") * NS,
        "energy_pj.packet": num(ax_out, "energy_message_out", "architecture.tile.core.axon_out.attributes") * PJ,
        "time_ns.packet": (num(ax_out, "latency_message_out", "architecture.tile.core.axon_out.attributes")
                           + num(ax_in, "latency_message_in", where)) * NS,
        "timing.message_out_ns": num(ax_out, "latency_message_out", "architecture.tile.core.axon_out.attributes") * NS,
        "timing.message_in_ns": num(ax_in, "latency_message_in", where) * NS,
        **hop,
        "barrier_by_tiles": {int(k): float(v) * NS for k, v in sync.items()},
        "timing.barrier_ns": max(sync.values()) * NS,
        "topology.tile_mesh": (int(num(attrs, "width", "architecture.attributes")),
                               int(num(attrs, "height", "architecture.attributes"))),
        "topology.cores_per_tile": _range_size(str(r.get(core, "name", "architecture.tile.core", str))),
        "capacity.neurons_per_core": int(num(r.get(core, "attributes", "architecture.tile.core"),
                                             "max_neurons_supported", "architecture.tile.core.attributes")),
    }
