"""The whole path for one network on one chip: map, quantise, lower, simulate, estimate.

Each stage is its own function elsewhere; this module only strings them together
and turns readouts into predictions, so a user can stop after any stage.
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from hwsim.chips import ChipProfile
from hwsim.compiled import CompiledNetwork, compile_network
from hwsim.claims import recost
from hwsim.encoding import rate_encode
from hwsim.energy import estimate_mac, estimate_spiking
from hwsim.errors import SpecError, one_of, short
from hwsim.ir import Graph
from hwsim.kernels.actions import N_ACTIONS
from hwsim.lowering import slot_offsets
from hwsim.memory import check_fits
from hwsim.metrics import neurobench, run_info, timing_figures
from hwsim.noise import NoiseSpec
from hwsim.quantize import quantize_mlp_inputs
from hwsim.realtime import checked_mode
from hwsim.report import Report
from hwsim.simulate import simulate_mlp, simulate_spiking

BATCH = 64  # samples per kernel call, so a progress bar can advance
MAX_STEPS = 10_000_000  # steps per sample a run accepts


RECORDABLE = ("spikes", "v", "u", "v_trace")


@dataclass
class RunResult:
    """A simulated run: the report, the per-sample readout, the predicted classes and what was recorded.

    Attributes
    ----------
    report : Report
        Ops, energy, latency and memory.
    readout : ndarray
        ``(n_samples, n_outputs)`` readout of the first Output (float; state in membrane units).
    predictions : ndarray
        int64 ``(n_samples,)`` predicted class.
    recorded : dict
        What ``run(..., record=...)`` asked for, keyed by quantity then population name:
        ``"spikes"``: uint8 ``(n_samples, n_steps, size)``; ``"v"``: float64 ``(n_samples, size)``, the
        membrane after the last step; ``"u"``: float64 ``(n_samples, n_receptors, size)``, the synaptic
        currents after the last step (both in the graph's membrane units: the chip's integers divided by
        the population's scale); ``"v_trace"``: float64 ``(n_samples, n_steps, size)``, the membrane after every
        step, in the same units.
    """

    report: Report
    readout: np.ndarray
    predictions: np.ndarray
    recorded: dict = field(default_factory=dict)


def _accuracy(predictions: np.ndarray, labels: np.ndarray | None) -> float | None:
    return None if labels is None else float(np.mean(predictions == labels))


def checked_labels(graph: Graph, labels, n_samples: int) -> np.ndarray | None:
    """``labels`` as int64, one whole number per sample in ``0 .. n_classes - 1`` (the first Output's
    population size), or None; anything else is a SpecError (it would score 0 % without a word)."""
    if labels is None:
        return None
    values = np.asarray(labels)
    n_classes = graph.node(graph.outputs()[0].source).size
    where = f"labels ({short(values.dtype.name)}, shape {values.shape})"
    if values.shape != (n_samples,):
        raise SpecError(f"{where}: expected shape ({n_samples},), one class per sample.")
    if values.dtype.kind not in "iuf" or (values.dtype.kind == "f" and not np.all(np.isfinite(values))):
        raise SpecError(f"{where}: expected whole numbers (class indices).")
    whole = values.astype(np.int64)
    if np.any(whole != values):
        raise SpecError(f"{where}: {short(values[whole != values][0].item())} is not a whole number; expected "
                        f"class indices 0..{n_classes - 1}.")
    if n_samples and (whole.min() < 0 or whole.max() >= n_classes):
        raise SpecError(f"{where}: classes {whole.min()}..{whole.max()}; expected 0..{n_classes - 1} "
                        f"(output '{graph.outputs()[0].source}' has {n_classes} neurons). Hint: labels index the "
                        f"output neurons.")
    return whole


def _finite(x: np.ndarray, what: str) -> np.ndarray:
    """``x`` unless it holds NaN or infinite values (a SpecError saying how many and where the first is)."""
    if x.dtype.kind not in "biuf":
        raise SpecError(f"{what}: {short(x.dtype.name)} values; expected numbers.")
    bad = ~np.isfinite(x) if x.dtype.kind == "f" else np.zeros(x.shape, dtype=bool)
    if bad.any():
        raise SpecError(f"{what}: {int(bad.sum()):,} NaN or infinite values (the first at index "
                        f"{tuple(int(i) for i in np.argwhere(bad)[0])}); expected finite numbers.")
    return x


def _steps(graph: Graph, n_steps, what: str) -> int:
    """Steps per sample: ``n_steps``, else ``graph.metadata["n_steps"]``."""
    steps = graph.metadata.get("n_steps") if n_steps is None else n_steps
    if steps is None:
        raise SpecError(f"graph '{graph.name}': {what} need a number of steps; none given and "
                        f"metadata['n_steps'] is not set. Hint: pass n_steps=N (CLI: --steps N).")
    if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)) or not 1 <= steps <= MAX_STEPS:
        raise SpecError(f"graph '{graph.name}': n_steps {short(steps)}; expected an integer in "
                        f"1..{MAX_STEPS}.")
    return int(steps)


def network_inputs(graph: Graph, x, n_steps: int | None = None) -> tuple[np.ndarray, str]:
    """What the kernel takes for ``graph`` from what a user gives, and a description of it.

    Parameters
    ----------
    graph : Graph
        A spiking graph.
    x : array_like or None
        ``(n_samples, n_steps, n_channels)``: per step, spikes (0/1) of spike inputs and values of current
        inputs, as they are (Poisson inputs take no channel here: the kernel draws them).
        ``(n_samples, n_channels)``: values in [0, 1] rate-encoded into spikes
        (spike inputs; the graph's ``metadata["encoding"]``, default ``"regular"``, ``"bernoulli"`` with
        ``metadata["encoding_seed"]``), or a constant current at every step (current inputs: direct input,
        as snnTorch feeds it). None: a graph without inputs other than Poisson ones (one sample).
    n_steps : int, optional
        Steps per sample for 2-D ``x`` and graphs without inputs (default ``metadata["n_steps"]``).

    Returns
    -------
    inputs : ndarray
        ``(n_samples, n_steps, n_channels)``.
    description : str
        How the inputs were formed (for the report).
    """
    inputs = [inp for inp in graph.inputs() if inp.kind != "poisson"]
    kinds = {inp.kind for inp in inputs}
    if x is None:
        if inputs:
            raise SpecError(f"graph '{graph.name}': no inputs given for its {len(inputs)} input node(s) "
                            f"({', '.join(i.name for i in inputs)}); expected an array x.")
        steps = _steps(graph, n_steps, "graphs without inputs")
        return np.zeros((1, steps, 0), dtype=np.uint8), f"no inputs given, {steps} steps"
    x = _finite(np.asarray(x), "inputs")
    if x.ndim in (2, 3) and x.shape[0] == 0:
        raise SpecError(f"inputs: shape {x.shape}, no samples; expected at least one.")
    if x.ndim == 3 and x.shape[1] == 0:
        raise SpecError(f"inputs: shape {x.shape}, zero steps per sample; expected at least one step (a run "
                        f"of no steps would report no work and no energy).")
    if x.ndim == 3:
        what = "currents" if kinds == {"current"} else "spikes" if kinds <= {"spike"} else "spikes and currents"
        return x, f"{what} as given, {x.shape[1]} steps"
    if x.ndim != 2:
        raise SpecError(f"inputs: {x.ndim}-D array of shape {x.shape}; expected (n_samples, n_steps, n_channels) "
                        f"or (n_samples, n_channels).")
    if kinds not in ({"current"}, {"spike"}):
        raise SpecError(f"graph '{graph.name}': 2-D inputs for a graph with spike and current inputs; expected "
                        f"(n_samples, n_steps, n_channels) with spikes and currents per channel.")
    current = kinds == {"current"}
    steps = _steps(graph, n_steps, "2-D current inputs" if current else "values to rate-encode")
    check_fits(f"graph '{graph.name}'", f"inputs of {x.shape[0]:,} samples x {steps:,} steps x {x.shape[1]:,} "
               f"channels", x.shape[0] * steps * x.shape[1] * (8 if current else 1),
               "Hint: fewer samples (--samples) or steps (--steps).")
    if current:
        values = np.asarray(x, dtype=np.float64)
        return np.repeat(values[:, None, :], steps, axis=1), f"constant current (direct input), {steps} steps"
    method = graph.metadata.get("encoding", "regular")
    seed = graph.metadata.get("encoding_seed")
    return rate_encode(x, steps, method, seed), f"values rate-encoded '{method}'" + (
        f" (seed {seed})" if method == "bernoulli" else "") + f", {steps} steps"


def _population_records(parts: dict, qnet, record: tuple) -> dict:
    """Per-population spikes and final states in membrane units (:attr:`RunResult.recorded`)."""
    out = {name: {} for name in record}
    slots = slot_offsets(qnet)
    for pop in qnet.populations:
        cols = slice(pop.offset, pop.offset + pop.size)
        if "spikes" in record:
            out["spikes"][pop.name] = parts["raster"][:, :, cols]
        if "v" in record:
            out["v"][pop.name] = parts["v_final"][:, cols] / pop.scale
        if "v_trace" in record:
            out["v_trace"][pop.name] = parts["v_trace"][:, :, cols] / pop.scale
        if "u" in record:
            first = slots[pop.name]
            u = parts["u_final"][:, first:first + pop.n_receptors * pop.size]
            out["u"][pop.name] = u.reshape(-1, pop.n_receptors, pop.size) / pop.scale
    return out


def _checked_record(record) -> tuple:
    if isinstance(record, str):
        record = (record,)
    record = tuple(record)
    for name in record:
        if name not in RECORDABLE:
            raise SpecError(f"record: {short(name)}; {one_of(name, RECORDABLE)}")
    return record


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


def run_spiking(compiled: CompiledNetwork, x, labels=None, progress: Callable[[int], None] | None = None, *,
                noise: NoiseSpec | None = None, seed: int = 0, record=(), n_steps: int | None = None,
                realtime: str = "scale") -> RunResult:
    """Simulate a compiled spiking network on its neuromorphic chip and estimate its cost.

    Parameters
    ----------
    compiled : CompiledNetwork
        A spiking graph compiled for a neuromorphic chip (:func:`hwsim.compile_network`).
    x : array_like or None
        Inputs as :func:`network_inputs` takes them (None: a graph without inputs).
    labels : array_like, optional
        Class of each sample (for the accuracy).
    progress : callable, optional
        Called with the number of samples finished after each batch.
    noise : NoiseSpec, optional
        Hardware noise (:mod:`hwsim.noise`): static sources change the quantised network, dynamic
        ones are drawn in the kernel at every step.
    seed : int
        Chip instance drawn from ``noise``, and the seed of the Poisson inputs' draws
        (:mod:`hwsim.poisson_sources`).
    record : str or tuple of str
        Any of ``"spikes"``, ``"v"``, ``"u"``, ``"v_trace"`` (:attr:`RunResult.recorded`).
    n_steps : int, optional
        Steps per sample for 2-D ``x`` and graphs without inputs (default ``metadata["n_steps"]``).
    realtime : str
        Real-time chips (SpiNNaker): ``"scale"`` slows the tick by the time-scale factor the busiest core
        needs, ``"pin"`` keeps it and reports the cores that overrun (:mod:`hwsim.realtime`).
    """
    graph, chip, placement = compiled.graph, compiled.chip, compiled.placement
    realtime = checked_mode(realtime)
    record = _checked_record(record)
    inputs, described = network_inputs(graph, x, n_steps)
    labels = checked_labels(graph, labels, inputs.shape[0])
    instance = compiled.instance(noise, seed)
    qnet, arrays, per_step = instance.network, instance.arrays, instance.dynamic
    bytes_per_entry = ("spikes" in record) + 8 * ("v_trace" in record)   # uint8 raster, float64 membranes
    if bytes_per_entry:
        n_neurons = sum(pop.size for pop in graph.populations())
        what = " and ".join(name for name in ("spikes", "v_trace") if name in record)
        check_fits(f"graph '{graph.name}'", f"recording the {what} of {inputs.shape[0]:,} samples x "
                   f"{inputs.shape[1]:,} steps x {n_neurons:,} neurons",
                   bytes_per_entry * inputs.shape[0] * inputs.shape[1] * n_neurons,
                   "Hint: record fewer samples or steps.")
    keys = ("counts", "spike_count", "first_spike", "v_final") + (("u_final",) if "u" in record else ()) \
        + (("raster",) if "spikes" in record else ()) + (("v_trace",) if "v_trace" in record else ())
    parts = {k: [] for k in keys}
    step_counts = None
    for start in range(0, inputs.shape[0], BATCH):
        res = simulate_spiking(arrays, inputs[start:start + BATCH], record_raster="spikes" in record,
                               noise=per_step, first_sample=start, record_v="v_trace" in record, seed=seed)
        for key in parts:
            parts[key].append(getattr(res, key))
        step_counts = res.step_counts if step_counts is None else step_counts + res.step_counts
        if progress is not None:
            progress(res.counts.shape[0])
    merged = {k: v[0] if len(v) == 1 else np.concatenate(v) for k, v in parts.items()}   # one batch: no copy
    if not np.all(np.isfinite(merged["v_final"])):
        warnings.warn(f"graph '{graph.name}' on chip '{chip.name}': {int((~np.isfinite(merged['v_final'])).sum()):,} "
                      f"final membrane values overflowed to infinity or NaN (float64); the spikes after that are "
                      f"meaningless. Hint: check the weights and biases for extreme values.", UserWarning, stacklevel=3)
    readout, predictions = _spiking_prediction(graph, merged, graph.neuron_offsets(), qnet)
    report = estimate_spiking(graph, chip, placement, merged["counts"], step_counts,
                              _accuracy(predictions, labels), realtime=realtime)
    report.claims = recost(graph, chip, placement, merged["counts"], step_counts, report)
    report.metrics = {**neurobench(graph, placement, merged["counts"], inputs.shape[1]), **timing_figures(report)}
    report.run_info = run_info(graph)
    report.noise = _noise_record(noise, seed)
    n_poisson = sum(inp.size for inp in graph.inputs() if inp.kind == "poisson")
    report.data = {"inputs": described + (f"; {n_poisson:,} Poisson channels drawn in the kernel (seed {seed})"
                                          if n_poisson else "")}
    return RunResult(report, readout, predictions, _population_records(merged, qnet, record))


def _mlp_values(x) -> np.ndarray:
    """An MLP's inputs as float64 ``(n_samples, n_inputs)``: finite, with a warning when values fall outside
    the ADC's full scale [0, 1] (they are clipped there, which changes what the network sees)."""
    values = _finite(np.asarray(x), "inputs")
    if values.ndim != 2 or values.shape[0] == 0:
        raise SpecError(f"inputs: shape {values.shape}; expected (n_samples, n_inputs) with at least one sample.")
    values = values.astype(np.float64)
    outside = (values < 0) | (values > 1)
    if outside.any():
        warnings.warn(f"inputs: {int(outside.sum()):,} of {values.size:,} values lie outside [0, 1] (range "
                      f"{values.min():.4g}..{values.max():.4g}); the MAC chip's input ADCs clip them to [0, 1]. "
                      f"Hint: scale the inputs as in training (e.g. digits' 0-16 pixels / 16).", UserWarning,
                      stacklevel=3)
    return values


def run_mlp(compiled: CompiledNetwork, x, labels=None, progress: Callable[[int], None] | None = None, *,
            noise: NoiseSpec | None = None, seed: int = 0) -> RunResult:
    """Run a compiled non-spiking MLP on its MAC chip's integer datapath and estimate its cost.

    Parameters
    ----------
    compiled : CompiledNetwork
        A non-spiking chain compiled for a ``mac`` profile (:func:`hwsim.compile_network`, with its
        calibration inputs).
    x : array_like
        ``(n_samples, n_inputs)`` values in [0, 1] (full scale of the input ADCs).
    labels : array_like, optional
        Class of each sample.
    progress : callable, optional
        Called with the number of samples finished after each batch.
    noise : NoiseSpec, optional
        Static hardware noise applied to the quantised MLP (:mod:`hwsim.noise`); dynamic kinds are
        refused (a MAC circuit evaluates each sample once).
    seed : int
        Chip instance drawn from ``noise`` (ignored without noise).
    """
    graph, chip, placement = compiled.graph, compiled.chip, compiled.placement
    x = _mlp_values(x)
    labels = checked_labels(graph, labels, x.shape[0])
    instance = compiled.instance(noise, seed)   # refuses dynamic kinds
    qmlp, arrays = instance.network, instance.arrays
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
    report.metrics = {**neurobench(graph, placement, full, 1), **timing_figures(report)}
    report.run_info = run_info(graph)
    report.noise = _noise_record(noise, seed)
    return RunResult(report, readout.astype(np.float64), predictions)


def run(graph: Graph | CompiledNetwork, chip: ChipProfile | str | None = None, x=None, labels=None,
        calibration=None, progress: Callable[[int], None] | None = None, *, noise: NoiseSpec | None = None,
        seed: int = 0, record=(), n_steps: int | None = None, realtime: str = "scale") -> RunResult:
    """Run ``graph`` on ``chip``: spiking graphs on neuromorphic chips, MLPs on MAC chips.

    ``noise`` (a :class:`hwsim.noise.NoiseSpec`) and ``seed`` draw one noisy chip instance: static
    sources are applied right after quantisation, dynamic ones are drawn in the kernel at every step,
    and the report's ``noise`` field records both. ``seed`` also seeds the Poisson inputs, which the kernel
    draws (:mod:`hwsim.poisson_sources`). A spiking graph takes ``x`` as :func:`network_inputs` does (None for
    a graph without inputs other than Poisson ones, with ``n_steps``), and ``record``
    (``"spikes"``, ``"v"``, ``"u"``, ``"v_trace"``) returns per-population rasters, final states and membrane
    traces in :attr:`RunResult.recorded`.
    ``chip`` is a :class:`~hwsim.chips.ChipProfile`, or a bundled chip's name or a profile's path.
    ``graph`` may be a :class:`~hwsim.compiled.CompiledNetwork` (:func:`hwsim.compile_network`): the run then
    reuses its mapping, quantisation and lowering (``chip`` None or its chip, ``calibration`` None).
    ``realtime`` (``"scale"`` or ``"pin"``) says how a real-time chip (SpiNNaker) times a run whose cores
    overrun the tick (:mod:`hwsim.realtime`); other chips ignore it.
    """
    realtime = checked_mode(realtime)
    compiled = _compiled(graph, chip, calibration)
    if compiled.graph.is_spiking():
        return run_spiking(compiled, x, labels, progress, noise=noise, seed=seed, record=record, n_steps=n_steps,
                           realtime=realtime)
    if record:
        raise SpecError(f"record: {record!r} for the non-spiking (MLP) graph '{compiled.graph.name}'; only spiking "
                        f"graphs record spikes and states. Hint: the readout holds the MLP's outputs.")
    return run_mlp(compiled, x, labels, progress, noise=noise, seed=seed)


def _compiled(graph, chip, calibration) -> CompiledNetwork:
    """``graph`` compiled for ``chip``, or ``graph`` itself when it is already compiled (for that chip)."""
    if not isinstance(graph, CompiledNetwork):
        if chip is None:
            raise SpecError(f"run: no chip for graph '{getattr(graph, 'name', graph)!s:.60}'; expected a chip "
                            f"profile or a bundled chip's name. Hint: hwsim.run(graph, 'loihi', x).")
        return compile_network(graph, chip, calibration)
    if calibration is not None:
        raise SpecError("run: calibration with a compiled network; its quantisation is already fixed. Hint: pass "
                        "the calibration to hwsim.compile_network instead.")
    if chip is not None:
        name = chip.name if isinstance(chip, ChipProfile) else str(chip)
        if name != graph.chip.name:
            raise SpecError(f"run: chip {short(name)} for a network compiled for '{graph.chip.name}'; expected "
                            f"the chip it was compiled for, or None. Hint: compile it for {short(name)}.")
    return graph
