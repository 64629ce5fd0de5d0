"""One network, run in hwsim and in SANA-FE on the same placement, measured the same way.

:func:`compare` runs hwsim's pipeline on ``loihi_sanafe`` (with SANA-FE's capacity limits,
:func:`~hwsim.interop.sanafe_peer.sanafe_limits`) and SANA-FE (:func:`~hwsim.interop.sanafe_peer.run_sanafe`)
and returns a :class:`Comparison`: neurons fired, energy per SANA-FE unit, latency per step and
synaptic events per second of both. hwsim's energy here is its dynamic energy (SANA-FE's Loihi file
has no static power). Wall times are of the simulation alone, the fastest of ``repeats`` runs
(hwsim: compiled runs of the kernel; SANA-FE: ``chip.sim``, untraced with ``time_untraced``);
``setup_s`` is quantising and lowering (hwsim) or building and loading the network (SANA-FE),
reported apart.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field

from hwsim.chips import ChipProfile, load_chip
from hwsim.energy import estimate_spiking
from hwsim.interop.sanafe_peer import UNITS, SanafeRun, run_sanafe, sanafe_limits
from hwsim.ir import Graph
from hwsim.lowering import lower_spiking
from hwsim.mapping import Placement, map_graph
from hwsim.pipeline import network_inputs
from hwsim.quantize import quantize_spiking
from hwsim.simulate import simulate_spiking


@dataclass
class Comparison:
    """Side-by-side figures of one network (``hwsim`` and ``sanafe`` dicts of the same keys).

    Keys: ``neurons_fired``, ``synaptic_events``, ``packets``, ``energy_uj`` (per unit and ``total``),
    ``latency_per_step_ns`` (mean), ``wall_s`` (the simulation alone), ``setup_s``, ``events_per_s`` and
    ``events_per_cpu_s`` (per second of CPU time, all threads; SANA-FE's only with ``time_untraced``);
    hwsim's also ``spike_counts`` (spikes per neuron, in the graph's neuron order).
    """

    name: str
    n_steps: int
    cores: int
    hwsim: dict = field(default_factory=dict)
    sanafe: dict = field(default_factory=dict)
    sanafe_run: SanafeRun | None = None

    def error(self, key: str, unit: str | None = None) -> float:
        """Relative difference of hwsim from SANA-FE for ``key`` (``energy_uj`` takes a unit)."""
        ours, theirs = (d[key][unit] if unit else d[key] for d in (self.hwsim, self.sanafe))
        return (ours - theirs) / theirs if theirs else float(ours != theirs)


def _hwsim_figures(graph: Graph, chip: ChipProfile, placement: Placement, n_steps: int, repeats: int) -> dict:
    """hwsim's stages run one by one, so the setup (quantise, lower) and the simulation are timed apart."""
    start = time.perf_counter()
    arrays = lower_spiking(quantize_spiking(graph, chip), placement, chip.capacity.bits_per_synapse,
                           chip.capacity.memory_word_bits)
    setup = time.perf_counter() - start
    inputs, _ = network_inputs(graph, None, n_steps)
    simulate_spiking(arrays, inputs)                               # compile (Numba caches per signature)
    wall = cpu = float("inf")
    for _ in range(repeats):
        start, start_cpu = time.perf_counter(), time.process_time()
        result = simulate_spiking(arrays, inputs)
        wall, cpu = min(wall, time.perf_counter() - start), min(cpu, time.process_time() - start_cpu)
    report = estimate_spiking(graph, chip, placement, result.counts, result.step_counts)
    ops, by_action = report.ops_per_inference, report.energy_by_action_uj
    energy = {unit: sum(by_action[a] for a in actions) for unit, actions in UNITS.items()}
    energy["total"] = report.dynamic_energy_per_inference_uj
    return {"neurons_fired": int(ops["spike"]), "synaptic_events": int(ops["synop"]), "packets": int(ops["packet"]),
            "energy_uj": energy, "latency_per_step_ns": report.latency_per_step_ns["mean"], "wall_s": wall,
            "setup_s": setup, "events_per_s": ops["synop"] / wall, "events_per_cpu_s": ops["synop"] / cpu,
            "spike_counts": result.spike_count[0]}


def compare(graph: Graph, n_steps: int, chip: ChipProfile | None = None, repeats: int = 1,
            time_untraced: bool = False) -> Comparison:
    """Run ``graph`` for ``n_steps`` in hwsim and SANA-FE on one placement; see the module docstring.

    ``repeats``: timed runs of each simulator, the fastest kept. ``time_untraced``: time SANA-FE on
    runs without its traces (:func:`run_sanafe`), else on its traced run.
    """
    chip = sanafe_limits(chip or load_chip("loihi_sanafe"))
    placement = map_graph(graph, chip)
    peer = run_sanafe(graph, placement, chip, n_steps, time_untraced=repeats if time_untraced else 0)
    theirs = {"neurons_fired": peer.neurons_fired, "synaptic_events": peer.synaptic_events, "packets": peer.packets,
              "energy_uj": peer.energy_uj, "latency_per_step_ns": float(peer.latency_per_step_ns.mean()),
              "wall_s": peer.sim_wall_s, "setup_s": peer.build_wall_s,
              "events_per_s": peer.synaptic_events / peer.sim_wall_s,
              "events_per_cpu_s": peer.synaptic_events / peer.sim_cpu_s if peer.sim_cpu_s else None}
    ours = _hwsim_figures(graph, chip, placement, n_steps, repeats)
    return Comparison(graph.name, n_steps, len(placement.cores_used), ours, theirs, peer)
