"""Run an hwsim graph in SANA-FE, as a peer process, with hwsim's own mapping.

:func:`run_sanafe` writes the graph and hwsim's placement to an exchange file
(:func:`write_exchange`), runs :mod:`hwsim.interop.sanafe_runner` with ``.venv-sanafe``'s Python
(:mod:`hwsim.interop.sanafe_env`) and returns a :class:`SanafeRun`. SANA-FE (GPL-3.0) is never
imported here.

What translates (the rest raises :class:`~hwsim.errors.UnsupportedError`): populations of the
``if`` and ``lif`` models with one receptor, no synaptic bias, no refractory period and no initial
state, their thresholds, decays and resets uniform per population (biases may differ per neuron);
projections of delay 1 (SANA-FE's accumulator dendrite delivers a spike one step after it is sent,
hwsim's delay 1); no Input nodes (drive the network with biased neurons, as SANA-FE's DVS example
does). The correspondence, per population::

    SANA-FE leaky_integrate_fire    hwsim
    threshold                       v_th
    leak_decay                      1 - decay_mem   (if: 1)
    input_decay                     1 - decay_syn   (if: 0)
    bias (per neuron)               bias
    reset_mode hard / soft / none   reset value (to v_reset) / subtract / none

Cores: hwsim's core ``c`` sits on tile ``c // cores_per_tile`` at mesh position
``(tile % width, tile // width)``; SANA-FE numbers its tiles down the columns (x = id // height), so
the same position is SANA-FE tile ``x * height + y`` and both simulators count the same hops.
"""
from __future__ import annotations

import json
import subprocess
import tempfile
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from hwsim.chips import ChipProfile
from hwsim.errors import HwsimError, UnsupportedError
from hwsim.interop.sanafe_env import default_venv, sanafe_python
from hwsim.ir import Graph, Population
from hwsim.mapping import Placement

RUNNER = Path(__file__).with_name("sanafe_runner.py")
RESET_MODES = {"value": "hard", "subtract": "soft", "none": "none"}
#: SANA-FE's energy units (its result keys) -> the hwsim actions priced into them.
UNITS = {"synapse": ("synop",), "dendrite": (), "soma": ("neuron_active", "neuron_idle", "spike"),
         "network": ("packet", "hop_x", "hop_y")}


@dataclass
class SanafeRun:
    """What SANA-FE reported for one run.

    Attributes
    ----------
    energy_uj : dict
        Energy per SANA-FE unit (``synapse``, ``dendrite``, ``soma``, ``network``) and ``total``, in uJ.
    latency_per_step_ns : ndarray
        Simulated time of every step (its ``sim_time`` trace), in ns.
    fired_per_step : ndarray
        Neurons fired at every step.
    spike_counts : dict of str to ndarray
        Spikes of every neuron, per population.
    synaptic_events : int
        Synapses processed (SANA-FE's ``spikes``).
    packets : int
        Spike messages sent.
    neurons_updated : int
        Neuron updates that changed state (SANA-FE's ``neurons_updated``).
    sim_wall_s, build_wall_s : float
        Wall time of ``chip.sim`` (the fastest untraced rerun when there were any, else the run with its
        spike and performance traces) and of building and loading the network.
    sim_cpu_s : float or None
        CPU time of the fastest untraced rerun (None without reruns).
    """

    energy_uj: dict
    latency_per_step_ns: np.ndarray
    fired_per_step: np.ndarray
    spike_counts: dict
    synaptic_events: int
    packets: int
    neurons_updated: int
    sim_wall_s: float
    build_wall_s: float
    sim_cpu_s: float | None = None

    @property
    def neurons_fired(self) -> int:
        """Spikes over the run (SANA-FE's ``neurons_fired``)."""
        return int(self.fired_per_step.sum())


def sanafe_example(name: str, venv: Path | None = None) -> Path:
    """Path of a file SANA-FE's wheel ships in ``sanafe/examples`` (``loihi.yaml``, ``dvs_challenge.npz``).

    Raises
    ------
    HwsimError
        If the SANA-FE environment or the file is missing.
    """
    root = default_venv() if venv is None else Path(venv)
    found = sorted(root.glob(f"lib*/python*/site-packages/sanafe/examples/{name}"))
    if not found:
        raise HwsimError(f"sanafe: no sanafe/examples/{name} under {root}; expected SANA-FE's wheel there. "
                         f"Hint: run 'python -m hwsim.interop.sanafe_env'.")
    return found[0]


def _uniform(pop: Population, key: str, default: float) -> float:
    values = np.asarray(pop.params.get(key, default), dtype=np.float64)
    if values.size and np.ptp(values) != 0:
        raise UnsupportedError(f"population '{pop.name}': {key} differs between neurons; SANA-FE's soma attributes "
                               f"are set per group here. Hint: split the population by its {key}.")
    return float(values.ravel()[0]) if values.size else default


def soma_attributes(pop: Population) -> dict:
    """SANA-FE ``leaky_integrate_fire`` attributes of an hwsim population (module docstring's table)."""
    where = f"population '{pop.name}'"
    if pop.model not in ("if", "lif"):
        raise UnsupportedError(f"{where}: model '{pop.model}'; SANA-FE's Loihi soma runs 'if' and 'lif'. "
                               f"Hint: use one of those.")
    if pop.reset not in RESET_MODES:
        raise UnsupportedError(f"{where}: reset '{pop.reset}'; SANA-FE resets {sorted(RESET_MODES)}.")
    if pop.n_receptors != 1 or pop.initial or _uniform(pop, "refractory_steps", 0.0) \
            or np.any(np.asarray(pop.params.get("bias_syn", 0.0))):
        raise UnsupportedError(f"{where}: several receptors, a synaptic bias, a refractory period or an initial "
                               f"state; expected none (SANA-FE's Loihi soma has one current and no such terms "
                               f"in this translation).")
    return {"threshold": _uniform(pop, "v_th", 0.0), "reset": _uniform(pop, "v_reset", 0.0),
            "reset_mode": RESET_MODES[pop.reset], "leak_decay": 1.0 - _uniform(pop, "decay_mem", 0.0),
            "input_decay": 1.0 - _uniform(pop, "decay_syn", 1.0)}


def sanafe_limits(chip: ChipProfile) -> ChipProfile:
    """``chip`` with SANA-FE's capacity limits: neurons per core only.

    SANA-FE checks no synaptic memory, fan-in or fan-out; hwsim stores a convolution's synapses one by one,
    so its DVS-gesture layers would need more cores than the chip has. Lifting those three limits lets both
    simulators run the same placement (docs/sanafe.md).
    """
    unlimited = 1 << 62
    capacity = replace(chip.capacity, synapse_memory_bits_per_core=unlimited, fan_in_per_core=unlimited,
                       fan_out_per_core=unlimited)
    return replace(chip, capacity=capacity)


def sanafe_cores(chip: ChipProfile, cores: np.ndarray) -> np.ndarray:
    """SANA-FE's index (in ``arch.cores()``) of each hwsim core, at the same mesh position."""
    topo = chip.topology
    if topo.chip_mesh != (1, 1):
        raise UnsupportedError(f"chip '{chip.name}': chip_mesh {topo.chip_mesh}; SANA-FE's architecture here is one "
                               f"chip. Hint: keep chip_mesh [1, 1].")
    width, height = topo.tile_mesh
    tile, within = np.divmod(np.asarray(cores, dtype=np.int64), topo.cores_per_tile)
    return ((tile % width) * height + tile // width) * topo.cores_per_tile + within


def write_exchange(graph: Graph, placement: Placement, chip: ChipProfile, path: Path, n_steps: int,
                   arch: Path | None = None, timing_model: str = "detailed", snn: Path | None = None,
                   time_untraced: int = 0) -> Path:
    """Write the exchange file :mod:`hwsim.interop.sanafe_runner` reads (its docstring gives the layout).

    With ``snn`` (a SANA-FE SNN YAML file, the source of ``graph``) SANA-FE loads that file itself;
    ``time_untraced`` asks for that many more runs without traces, the fastest timed on its own.
    """
    header = {"n_steps": int(n_steps), "arch": None if arch is None else str(arch), "timing_model": timing_model,
              "snn": None if snn is None else str(snn), "time_untraced": time_untraced, "populations": [],
              "projections": []}
    if snn is not None:                      # SANA-FE reads the file; only the groups to count are needed
        header["populations"] = [{"name": p.name, "size": p.size} for p in graph.populations()]
        np.savez(path, header=np.array(json.dumps(header)))
        return Path(path)
    if graph.inputs():
        raise UnsupportedError(f"graph '{graph.name}': Input nodes {[i.name for i in graph.inputs()]}; the SANA-FE "
                               f"runner takes populations only. Hint: drive the network with biased neurons.")
    offsets = graph.neuron_offsets()
    cores = sanafe_cores(chip, placement.neuron_core)
    arrays = {}
    for i, pop in enumerate(graph.populations()):
        header["populations"].append({"name": pop.name, "size": pop.size, "attributes": soma_attributes(pop)})
        arrays[f"pop{i}_bias"] = np.broadcast_to(pop.params.get("bias", 0.0), (pop.size,)).astype(np.float64)
        arrays[f"pop{i}_core"] = cores[offsets[pop.name]:offsets[pop.name] + pop.size]
    for k, proj in enumerate(graph.projections()):
        pre, post, weight, delay = proj.synapses()
        if np.any(delay != 1):
            raise UnsupportedError(f"projection '{proj.name}': delays other than 1; SANA-FE's accumulator "
                                   f"dendrite delivers every spike one step later (hwsim delay 1).")
        header["projections"].append({"pre": proj.pre, "post": proj.post})
        arrays.update({f"proj{k}_pre": pre, f"proj{k}_post": post, f"proj{k}_weight": weight})
    np.savez(path, header=np.array(json.dumps(header)), **arrays)
    return Path(path)


def run_sanafe(graph: Graph, placement: Placement, chip: ChipProfile, n_steps: int, *,
               arch: Path | None = None, timing_model: str = "detailed", venv: Path | None = None,
               timeout_s: float = 1800.0, snn: Path | None = None, time_untraced: int = 0) -> SanafeRun:
    """Run ``graph`` for ``n_steps`` in SANA-FE with ``placement``'s cores; see the module docstring.

    With ``snn``, SANA-FE runs that SNN YAML file as it reads it (its own mapping), and ``graph`` (the
    file as :func:`hwsim.interop.sanafe_snn.read_snn_yaml` reads it) names the groups to count; SANA-FE
    traces the spikes of groups with ``log_spikes: true`` only (the others count 0 in ``spike_counts``).
    ``time_untraced``: run the network that many more times without traces and report the fastest wall time.

    Raises
    ------
    HwsimError
        If ``.venv-sanafe`` is missing (build it with ``python -m hwsim.interop.sanafe_env``) or SANA-FE fails.
    """
    python = sanafe_python(venv)
    if not python.is_file():
        raise HwsimError(f"sanafe: no SANA-FE environment at {default_venv() if venv is None else venv}; expected "
                         f"one built by hwsim. Hint: run 'python -m hwsim.interop.sanafe_env'.")
    with tempfile.TemporaryDirectory(prefix="hwsim-sanafe-") as tmp:
        network, result = Path(tmp) / "network.npz", Path(tmp) / "result.json"
        write_exchange(graph, placement, chip, network, n_steps, arch, timing_model, snn, time_untraced)
        proc = subprocess.run([str(python), str(RUNNER), str(network), str(result)], capture_output=True,
                              text=True, timeout=timeout_s)
        if proc.returncode != 0:
            raise HwsimError(f"sanafe: SANA-FE failed (exit {proc.returncode}) on graph '{graph.name}':\n"
                             f"{proc.stderr[-3000:]}\nHint: rebuild the environment with "
                             f"'python -m hwsim.interop.sanafe_env --force'.")
        out = json.loads(result.read_text())
    perf = out["perf"]
    return SanafeRun(
        energy_uj={key: value * 1e6 for key, value in out["energy"].items()},
        latency_per_step_ns=np.asarray(perf["sim_time"]) * 1e9,
        fired_per_step=np.asarray(perf["fired"], dtype=np.int64),
        spike_counts={name: np.asarray(c, dtype=np.int64) for name, c in out["spike_counts"].items()},
        synaptic_events=int(out["spikes"]), packets=int(out["packets_sent"]),
        neurons_updated=int(out["neurons_updated"]),
        sim_wall_s=float(out["untraced_sim_wall_s"] or out["sim_wall_s"]),
        build_wall_s=float(out["build_wall_s"]), sim_cpu_s=out["untraced_sim_cpu_s"])
