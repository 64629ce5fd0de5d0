"""The whole path for one network on one chip: map, quantise, lower, simulate, estimate.

Each stage is its own function elsewhere; this module only strings them together
and turns readouts into predictions, so a user can stop after any stage.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from hwsim.chips import ChipProfile
from hwsim.encoding import rate_encode
from hwsim.energy import estimate_mac, estimate_spiking
from hwsim.errors import SpecError
from hwsim.ir import Graph
from hwsim.kernels.actions import N_ACTIONS
from hwsim.lowering import lower_mlp, lower_spiking
from hwsim.mapping import map_graph
from hwsim.noise import NoiseSpec, apply_noise, dynamic_noise
from hwsim.quantize import quantize_mlp, quantize_mlp_inputs, quantize_spiking
from hwsim.report import Report
from hwsim.simulate import simulate_mlp, simulate_spiking

BATCH = 64  # samples per kernel call, so a progress bar can advance


@dataclass
class RunResult:
    """A simulated run: the report, the per-sample readout and the predicted classes.

    Attributes
    ----------
    report : Report
        Ops, energy, latency and memory.
    readout : ndarray
        ``(n_samples, n_outputs)`` readout of the first Output (float; state in membrane units).
    predictions : ndarray
        int64 ``(n_samples,)`` predicted class.
    """

    report: Report
    readout: np.ndarray
    predictions: np.ndarray


def _accuracy(predictions: np.ndarray, labels) -> float | None:
    if labels is None:
        return None
    labels = np.asarray(labels)
    if labels.shape != predictions.shape:
        raise SpecError(f"labels: shape {labels.shape}; expected {predictions.shape} (one per sample).")
    return float(np.mean(predictions == labels))


def spike_inputs(graph: Graph, x: np.ndarray) -> np.ndarray:
    """Spike raster for ``graph``: ``x`` is already a raster (3-D) or values in [0, 1] (2-D) to rate-encode.

    Values are encoded with the graph's ``metadata["n_steps"]`` and ``metadata["encoding"]``
    (default ``"regular"``; ``"bernoulli"`` uses ``metadata["encoding_seed"]``).
    """
    x = np.asarray(x)
    if x.ndim == 3:
        return x
    if "n_steps" not in graph.metadata:
        raise SpecError(f"graph '{graph.name}': value inputs need metadata['n_steps'] to be rate-encoded; "
                        f"none is set. Hint: pass a spike raster (n_samples, n_steps, n_channels) instead.")
    return rate_encode(x, int(graph.metadata["n_steps"]), graph.metadata.get("encoding", "regular"),
                       graph.metadata.get("encoding_seed"))


def _spiking_prediction(graph: Graph, result_parts: dict, neuron_offsets: dict, qnet) -> tuple:
    out = graph.outputs()[0]
    pop = graph.node(out.source)
    sl = slice(neuron_offsets[pop.name], neuron_offsets[pop.name] + pop.size)
    scale = next(p.scale for p in qnet.populations if p.name == pop.name)
    v = result_parts["v_final"][:, sl] / scale
    if out.readout == "spike_count":
        counts = result_parts["spike_count"][:, sl].astype(np.float64)
        # most spikes; ties go to the higher final membrane potential, then to the lower index
        lowest_first = np.broadcast_to(-np.arange(pop.size), counts.shape)
        best = np.lexsort((lowest_first, v, counts), axis=-1)[:, -1]
        return counts, best.astype(np.int64)
    if out.readout == "first_spike":
        first = result_parts["first_spike"][:, sl].astype(np.float64)
        keyed = np.where(first < 0, np.inf, first)
        return first, np.argmin(keyed, axis=1).astype(np.int64)
    return v, np.argmax(v, axis=1).astype(np.int64)


def _noise_record(noise: NoiseSpec | None, seed: int) -> dict:
    """The report's ``noise`` field: the spec as data and the chip-instance seed (empty without noise)."""
    return {} if noise is None else {**noise.to_dict(), "seed": int(seed)}


def run_spiking(graph: Graph, chip: ChipProfile, x, labels=None,
                progress: Callable[[int], None] | None = None, *, noise: NoiseSpec | None = None,
                seed: int = 0) -> RunResult:
    """Simulate a spiking graph on a neuromorphic chip and estimate its cost.

    Parameters
    ----------
    graph : Graph
        Spiking network.
    chip : ChipProfile
        Neuromorphic profile.
    x : array_like
        Spike raster ``(n_samples, n_steps, n_channels)`` or values in [0, 1] ``(n_samples, n_channels)``.
    labels : array_like, optional
        Class of each sample (for the accuracy).
    progress : callable, optional
        Called with the number of samples finished after each batch.
    noise : NoiseSpec, optional
        Hardware noise (:mod:`hwsim.noise`): static sources change the quantised network, dynamic
        ones are drawn in the kernel at every step.
    seed : int
        Chip instance drawn from ``noise`` (ignored without noise).
    """
    placement = map_graph(graph, chip)
    programmed = quantize_spiking(graph, chip)
    qnet = apply_noise(programmed, noise, chip, seed)
    per_step = dynamic_noise(programmed, noise, chip, seed)
    arrays = lower_spiking(qnet, placement, chip.capacity.bits_per_synapse, chip.capacity.memory_word_bits)
    raster = spike_inputs(graph, x)
    parts = {k: [] for k in ("counts", "spike_count", "first_spike", "v_final")}
    step_counts = None
    for start in range(0, raster.shape[0], BATCH):
        res = simulate_spiking(arrays, raster[start:start + BATCH], noise=per_step, first_sample=start)
        for key in parts:
            parts[key].append(getattr(res, key))
        step_counts = res.step_counts if step_counts is None else step_counts + res.step_counts
        if progress is not None:
            progress(res.counts.shape[0])
    merged = {k: np.concatenate(v) for k, v in parts.items()}
    readout, predictions = _spiking_prediction(graph, merged, graph.neuron_offsets(), qnet)
    report = estimate_spiking(graph, chip, placement, merged["counts"], step_counts,
                              _accuracy(predictions, labels))
    report.noise = _noise_record(noise, seed)
    return RunResult(report, readout, predictions)


def run_mlp(graph: Graph, chip: ChipProfile, x, labels=None, calibration=None,
            progress: Callable[[int], None] | None = None, *, noise: NoiseSpec | None = None,
            seed: int = 0) -> RunResult:
    """Run a non-spiking MLP on a MAC chip's integer datapath and estimate its cost.

    Parameters
    ----------
    graph : Graph
        Non-spiking chain.
    chip : ChipProfile
        ``mac`` profile.
    x : array_like
        ``(n_samples, n_inputs)`` values in [0, 1] (full scale of the input ADCs).
    labels : array_like, optional
        Class of each sample.
    calibration : array_like, optional
        Representative inputs that fix the activation shifts (e.g. the training set).
    progress : callable, optional
        Called with the number of samples finished after each batch.
    noise : NoiseSpec, optional
        Static hardware noise applied to the quantised MLP (:mod:`hwsim.noise`); dynamic kinds are
        refused (a MAC circuit evaluates each sample once).
    seed : int
        Chip instance drawn from ``noise`` (ignored without noise).
    """
    placement = map_graph(graph, chip)
    programmed = quantize_mlp(graph, chip, calibration)
    dynamic_noise(programmed, noise, chip, seed)   # raises for dynamic kinds
    qmlp = apply_noise(programmed, noise, chip, seed)
    arrays = lower_mlp(qmlp)
    codes = quantize_mlp_inputs(x, chip)
    outputs, counts = [], []
    for start in range(0, codes.shape[0], BATCH):
        res = simulate_mlp(arrays, codes[start:start + BATCH])
        outputs.append(res.outputs)
        counts.append(res.counts)
        if progress is not None:
            progress(res.outputs.shape[0])
    layer_counts = np.concatenate(counts)
    group_of = {g.population: k for k, g in enumerate(placement.groups)}
    full = np.zeros((layer_counts.shape[0], len(placement.groups), N_ACTIONS), dtype=np.int64)
    for layer, name in enumerate(arrays.layer_names):
        full[:, group_of[name]] = layer_counts[:, layer]
    readout = np.concatenate(outputs)
    predictions = np.argmax(readout, axis=1).astype(np.int64)
    report = estimate_mac(graph, chip, placement, full, _accuracy(predictions, labels), qmlp=qmlp)
    report.noise = _noise_record(noise, seed)
    return RunResult(report, readout.astype(np.float64), predictions)


def run(graph: Graph, chip: ChipProfile, x, labels=None, calibration=None,
        progress: Callable[[int], None] | None = None, *, noise: NoiseSpec | None = None,
        seed: int = 0) -> RunResult:
    """Run ``graph`` on ``chip``: spiking graphs on neuromorphic chips, MLPs on MAC chips.

    ``noise`` (a :class:`hwsim.noise.NoiseSpec`) and ``seed`` draw one noisy chip instance: static
    sources are applied right after quantisation, dynamic ones are drawn in the kernel at every step,
    and the report's ``noise`` field records both.
    """
    graph.validate()
    if graph.is_spiking():
        return run_spiking(graph, chip, x, labels, progress, noise=noise, seed=seed)
    return run_mlp(graph, chip, x, labels, calibration, progress, noise=noise, seed=seed)
