"""Figures derived from a run's counters and report: NeuroBench's names, throughput, power and energy-delay.

NeuroBench (Yik et al., Nature Communications 2025; the ``neurobench`` package's static and workload
metrics) names what every SNN paper reports differently:

* ``ActivationSparsity``: 1 - (spikes emitted) / (neurons x steps), over all spiking layers and per layer;
* ``SynapticOperations``: ``Effective_ACs`` (accumulates triggered by spikes: synaptic events),
  ``Effective_MACs`` (multiply-accumulates of real-valued inputs: currents, MAC layers) and ``Dense`` (the
  operations of the same network run densely at every step), all per inference.

hwsim counts events (never multiplies rates), so these are the run's own counts. The timing figures
follow from the report: throughput = 1 / latency per inference, average power = energy / latency, and
the energy-delay product = energy x latency; each is None when the chip has no time model (latency 0).
"""
from __future__ import annotations

import numpy as np

from hwsim.energy import dense_ann_macs
from hwsim.ir import Graph
from hwsim.kernels.actions import NAMES
from hwsim.mapping import Placement
from hwsim.neuron_models import get_model
from hwsim.report import Report

_SPIKE, _SYNOP, _MAC = NAMES.index("spike"), NAMES.index("synop"), NAMES.index("mac")


def neurobench(graph: Graph, placement: Placement, counts: np.ndarray, n_steps: int) -> dict:
    """NeuroBench's ActivationSparsity and SynapticOperations of a run.

    Parameters
    ----------
    graph : Graph
        The network.
    placement : Placement
        Its mapping (counter group -> population).
    counts : ndarray
        int64 ``(n_samples, n_groups, n_actions)`` counters of the run.
    n_steps : int
        Steps per sample.
    """
    per_sample = counts.sum(axis=0) / max(counts.shape[0], 1)          # (n_groups, n_actions)
    spikes: dict[str, float] = {}
    for group, row in zip(placement.groups, per_sample):
        if group.core >= 0:
            spikes[group.population] = spikes.get(group.population, 0.0) + float(row[_SPIKE])
    spiking = [p for p in graph.populations() if get_model(p.model).spiking]
    per_layer = {p.name: 1.0 - spikes.get(p.name, 0.0) / (p.size * n_steps) for p in spiking}
    total_slots = sum(p.size for p in spiking) * n_steps
    total = 1.0 - sum(spikes.get(p.name, 0.0) for p in spiking) / total_slots if total_slots else None
    return {"ActivationSparsity": {"total": total, "per_layer": per_layer},
            "SynapticOperations": {"Effective_ACs": float(per_sample[:, _SYNOP].sum()),
                                   "Effective_MACs": float(per_sample[:, _MAC].sum()),
                                   "Dense": float(dense_ann_macs(graph) * (n_steps if graph.is_spiking() else 1))}}


def timing_figures(report: Report) -> dict:
    """Throughput (inferences/s), average power (mW) and energy-delay product (uJ x us) of a report."""
    latency_us, energy_uj = report.latency_per_inference_us, report.energy_per_inference_uj
    if not latency_us > 0:
        return {"throughput_inferences_per_s": None, "average_power_mw": None, "energy_delay_product_uj_us": None}
    return {"throughput_inferences_per_s": 1e6 / latency_us,
            "average_power_mw": energy_uj / latency_us * 1e3,                 # uJ / us = W
            "energy_delay_product_uj_us": energy_uj * latency_us}


#: Graph metadata keys that record how a network was imported (:mod:`hwsim.interop`).
IMPORTER_KEYS = ("source", "nir_convention", "nir_reset", "snntorch_reset", "min_delay_steps", "input_kind",
                 "encoding", "encoding_seed", "n_steps", "task", "state_scale")


def run_info(graph: Graph) -> dict:
    """hwsim's version and the graph's importer settings (dt and the metadata keys of ``IMPORTER_KEYS``)."""
    from hwsim import __version__

    importer = {"dt_s": graph.dt_s, **{k: graph.metadata[k] for k in IMPORTER_KEYS if k in graph.metadata}}
    return {"hwsim_version": __version__, "importer": importer}
