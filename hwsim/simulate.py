"""Run lowered networks: validate and normalise inputs, allocate outputs, call the kernels.

This is the only module that imports :mod:`hwsim.kernels`. Samples of a batch
are independent; they are split into at most ``numba.get_num_threads()`` chunks
that run in parallel, one thread per chunk. One sample of a large network instead
runs with the threads sharing each step's work, bit-identical to one thread
(:mod:`hwsim.sample_threads` says when and how).
"""
from __future__ import annotations

import math
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Iterator

import numba
import numpy as np

from hwsim.errors import GraphError, SpecError, UnsupportedError, short
from hwsim.ir import Graph
from hwsim.kernels.actions import N_ACTIONS
from hwsim.kernels.resets import RESET_SUBTRACT_RAISED, RESET_VALUE_NEXT
from hwsim.kernels.mlp import run_mlp
from hwsim.kernels.neurons import sends_payload
from hwsim.kernels.poisson import CDF_TERMS, cdf_terms, draw_counts
from hwsim.kernels.spiking import run_spiking
from hwsim.kernels.spiking_threads import run_spiking_threads
from hwsim.lowering import DELAY_DTYPES, PORT_DTYPES, WEIGHT_DTYPES, MlpArrays, SpikingArrays, poisson_channels
from hwsim.memory import check_fits
from hwsim.noise.dynamic import DynamicNoise
from hwsim.ring_dtype import ring_like
from hwsim.noise.spec import check_seed
from hwsim.poisson_sources import stream_seed
from hwsim.sample_threads import plan_threads, within_sample as _within_sample


@dataclass(frozen=True, eq=False)
class SpikingResult:
    """Outputs of :func:`simulate_spiking` (int64 unless noted).

    Attributes
    ----------
    counts : ndarray ``(n_samples, n_groups, N_ACTIONS)``
        Actions of each sample per counter group [count] (columns: ``hwsim.kernels.actions``).
    step_counts : ndarray ``(T, n_groups, N_ACTIONS)``
        Actions per step, summed over the samples [count].
    spike_count : ndarray ``(n_samples, n_neurons)``
        Spikes per neuron [count].
    first_spike : ndarray ``(n_samples, n_neurons)``
        Step of each neuron's first spike [step]; -1 if it never spiked.
    u_final : ndarray ``(n_samples, n_slots)``
        Synaptic currents after the last step, one per receptor slot (``hwsim.lowering.slot_offsets``;
        slot = neuron when every population has one receptor) [state units]; float64 on the float
        datapath (``SpikingArrays.is_float``), int64 otherwise.
    v_final : ndarray ``(n_samples, n_neurons)``
        Membrane after the last step [state units], as ``u_final``.
    raster : ndarray uint8 ``(n_samples, T, n_neurons)`` or None
        1 where a neuron spiked at a step; None unless recorded.
    payload : ndarray ``(n_samples, T, n_neurons)`` or None
        The payload of every graded spike (0 where none; sigma-delta neurons), as ``u_final``; None unless
        the raster is recorded and the network has graded neurons.
    graded_final : ndarray ``(n_samples, 2, n_neurons)`` or None
        Sigma-delta neurons' residue (row 0) and error (row 1) after the last step (their sigma is in
        ``u_final``, their last activation in ``v_final``), as ``u_final``; None without graded neurons.
    v_trace : ndarray ``(n_samples, T, n_neurons)`` or None
        Every neuron's membrane after each step (after soft errors), as ``v_final``; None unless recorded.
    """

    counts: np.ndarray
    step_counts: np.ndarray
    spike_count: np.ndarray
    first_spike: np.ndarray
    u_final: np.ndarray
    v_final: np.ndarray
    raster: np.ndarray | None
    payload: np.ndarray | None = None
    graded_final: np.ndarray | None = None
    v_trace: np.ndarray | None = None


@dataclass(frozen=True, eq=False)
class MlpResult:
    """Outputs of :func:`simulate_mlp` (int64).

    Attributes
    ----------
    counts : ndarray ``(n_samples, n_layers, N_ACTIONS)``
        Actions of each sample per layer [count].
    outputs : ndarray ``(n_samples, n_outputs)``
        Integer outputs of the last layer.
    """

    counts: np.ndarray
    outputs: np.ndarray


@contextmanager
def _chunks(n_samples: int) -> Iterator[np.ndarray]:
    """Yield the bounds of ``min(n_samples, threads)`` near-equal chunks of samples, with numba
    limited to one thread per chunk meanwhile (an idle thread still costs a barrier: ms on a busy machine)."""
    threads = numba.get_num_threads()
    n_chunks = min(n_samples, threads)
    numba.set_num_threads(max(n_chunks, 1))
    try:
        yield (np.arange(n_chunks + 1, dtype=np.int64) * n_samples) // max(n_chunks, 1)
    finally:
        numba.set_num_threads(threads)


def _i64(values) -> np.ndarray:
    """``values`` as a contiguous int64 array (no copy when it already is one)."""
    return np.ascontiguousarray(values, dtype=np.int64)


def _f64(values) -> np.ndarray:
    """``values`` as a contiguous float64 array (no copy when it already is one)."""
    return np.ascontiguousarray(values, dtype=np.float64)


def _u8(values) -> np.ndarray:
    """``values`` as a contiguous uint8 array (no copy when it already is one)."""
    return np.ascontiguousarray(values, dtype=np.uint8)


def _check_integers(where: str, values: np.ndarray, shape: tuple, expected: str, hint: str) -> None:
    """Raise unless ``values`` is a bool/integer array whose shape matches ``shape`` (None: any size)."""
    if values.ndim != len(shape) or any(n is not None and n != m for n, m in zip(shape, values.shape)):
        raise GraphError(f"{where}: shape {values.shape}; expected {expected}. Hint: {hint}")
    if values.dtype.kind not in "biu":
        raise SpecError(f"{where}: dtype {values.dtype}; expected integers or bool. "
                        f"Hint: convert with .astype(np.int64) after rounding.")


def _kept_or(values: np.ndarray, dtypes: tuple, wide: type) -> np.ndarray:
    """``values`` contiguous, in its own dtype when that is one of ``dtypes``, else as ``wide``."""
    return np.ascontiguousarray(values, dtype=values.dtype if values.dtype in dtypes else wide)


def _synapses(a: SpikingArrays) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Ports, weights and delays for the kernel, kept as narrow as the lowering stored them
    (:func:`hwsim.lowering.synapse_dtypes`); other dtypes are widened to the widest of each set (int64
    ports, int64 / float64 weights, uint32 delays).

    Raises
    ------
    GraphError
        If ``syn_delay`` is neither one delay per synapse nor empty with one delay per segment.
    """
    n_syn = a.syn_port.size
    if a.syn_delay.size != n_syn and not (a.syn_delay.size == 0 and np.all(np.asarray(a.seg_delay) >= 0)):
        raise GraphError(f"arrays.syn_delay: {a.syn_delay.size} delays for {n_syn} synapses; expected one per "
                         f"synapse, or none when every segment has one delay (seg_delay >= 0). "
                         f"Hint: build the arrays with hwsim.lower_spiking.")
    port = _kept_or(a.syn_port, PORT_DTYPES, PORT_DTYPES[-1])
    weight = _f64(a.syn_weight) if a.is_float else _kept_or(a.syn_weight, WEIGHT_DTYPES, WEIGHT_DTYPES[-1])
    return port, weight, _kept_or(a.syn_delay, DELAY_DTYPES, DELAY_DTYPES[-1])


def _slice_rows(a: SpikingArrays) -> np.ndarray:
    """``update_slices`` as int64 ``(n_slices, 7)``."""
    return _i64(a.update_slices).reshape(-1, 7)


def _uniform_slices(a: SpikingArrays) -> np.ndarray:
    """Per update slice, 1 when its ``mem_factor``, ``refractory_steps``, ``has_threshold`` and ``reset_mode``
    are each one value, so are ``syn_factor`` and ``bias_syn`` within each receptor, it has one or two
    receptors, and its reset is not a delayed reset to a value or a raised subtraction: the kernel then updates it branch-free with those
    values as loop constants (``v_th``, ``bias`` and ``v_reset`` may differ per neuron)."""
    slices = _slice_rows(a)
    uniform = np.zeros(slices.shape[0], dtype=np.uint8)
    for r, (first, last, _, slot0, n_receptors, stride, _) in enumerate(slices):
        per_neuron = (a.mem_factor, a.refractory_steps, a.has_threshold, a.reset_mode)
        same = last > first and all(np.all(p[first:last] == p[first]) for p in per_neuron)
        for k in range(n_receptors):
            rows = slice(slot0 + k * stride, slot0 + k * stride + last - first)
            same = same and all(np.all(p[rows] == p[rows.start]) for p in (a.syn_factor, a.bias_syn))
        uniform[r] = same and n_receptors <= 2 and a.reset_mode[first] not in (RESET_VALUE_NEXT,
                                                                                RESET_SUBTRACT_RAISED)
    return uniform


def _active_slices(a: SpikingArrays, uniform: np.ndarray) -> np.ndarray:
    """Per update slice, 1 when it is uniform and every neuron of it counts as active at every update
    (a receptor's ``bias_syn`` or every ``bias`` is nonzero): the kernel then counts the slice's neurons
    without testing each one."""
    slices = _slice_rows(a)
    active = np.zeros(slices.shape[0], dtype=np.uint8)
    for r, (first, last, _, slot0, n_receptors, stride, _) in enumerate(slices):
        drive = any(a.bias_syn[slot0 + k * stride] != 0 for k in range(n_receptors))
        active[r] = bool(uniform[r]) and (drive or bool(np.all(a.bias[first:last] != 0)))
    return active


def _per_neuron_noise(noise: DynamicNoise) -> tuple:
    """Current and membrane noise sds for the kernel: both None when all are 0 (the kernel compiles them away),
    else both float64 arrays, an absent kind as zeros (a zero sd draws nothing, so the run is the same). One
    variant for any noise, not one per kind present: each variant of the kernel is a compile of ~30 s."""
    if not (np.any(noise.u_noise_sd) or np.any(noise.v_noise_sd)):
        return None, None
    return _f64(noise.u_noise_sd), _f64(noise.v_noise_sd)


def _checked_noise(noise: DynamicNoise | None, n_neurons: int) -> DynamicNoise:
    """``noise``, or no noise for None; GraphError if its per-neuron arrays do not fit ``n_neurons``."""
    if noise is None:
        return DynamicNoise.off(n_neurons)
    for name in ("u_noise_sd", "v_noise_sd"):
        if np.shape(getattr(noise, name)) != (n_neurons,):
            raise GraphError(f"noise.{name}: shape {np.shape(getattr(noise, name))}; expected ({n_neurons},), "
                             f"one per neuron. Hint: build the noise from the network you simulate "
                             f"(hwsim.noise.dynamic_noise).")
    return noise


def _graded_neurons(a: SpikingArrays) -> np.ndarray:
    """bool ``(n_neurons,)``: the neurons of slices whose model sends graded spikes."""
    mask = np.zeros(a.n_neurons, dtype=bool)
    for first, last, *_, model in _slice_rows(a):
        mask[first:last] = sends_payload(int(model))
    return mask


def _check_graded_noise(noise: DynamicNoise, graded: np.ndarray) -> None:
    """Current and membrane noise are defined for LIF neurons only: refused on graded (sigma-delta) ones."""
    for name in ("u_noise_sd", "v_noise_sd"):
        sd = np.asarray(getattr(noise, name))
        if np.any(sd[graded] != 0):
            raise UnsupportedError(f"noise.{name}: nonzero on {int(np.count_nonzero(sd[graded]))} sigma-delta "
                                   f"neuron(s); expected 0: current and membrane noise act on LIF neurons only. "
                                   f"Hint: leave the sigma-delta populations out of the noise spec.")


def _spike_flags(where: str, x: np.ndarray) -> np.ndarray:
    """0/1 spikes as contiguous uint8 (no copy when they already are); SpecError for any other value."""
    if x.size:
        low, high = x.min(), x.max()
        if low < 0 or high > 1 or (x.dtype.kind == "f" and not np.array_equal(x, x.astype(np.uint8))):
            raise SpecError(f"{where}: spike channels hold values in [{low:g}, {high:g}]; expected 0 or 1. "
                            f"Hint: encode values as spike trains (hwsim.encoding.rate_encode), or give the "
                            f"graph a 'current' input for real-valued direct input.")
    return np.ascontiguousarray(x, dtype=np.uint8)


def _exp_minus(mean: np.ndarray) -> np.ndarray:
    """``exp(-mean)`` per channel from the C library (``math.exp``; numpy's vectorised exp may differ in the last
    bit)."""
    return np.array([math.exp(-m) for m in mean.tolist()], dtype=np.float64)


def _sources(a: SpikingArrays) -> tuple:
    """The kernel's ``sources``: per input channel its column of the input array (-1: a Poisson channel), and the
    Poisson channels' mean count per step, first cumulative probabilities (``kernels/poisson.py``'s ``cdf_terms``,
    from ``exp(-mean)`` as the C library's ``math.exp`` gives it), first step and step after the last (0
    elsewhere)."""
    poisson = poisson_channels(a)
    column = np.where(poisson, -1, np.cumsum(~poisson) - 1).astype(np.int64)
    if not poisson.any():
        zeros = np.zeros(a.n_inputs, dtype=np.int64)
        return column, np.zeros(a.n_inputs), np.ones((CDF_TERMS + 1, a.n_inputs)), zeros, zeros
    mean = _f64(a.poisson_mean)
    return column, mean, cdf_terms(mean, _exp_minus(mean)), _i64(a.poisson_start_step), _i64(a.poisson_stop_step)


def _network_inputs(a: SpikingArrays, inputs) -> tuple[np.ndarray, np.ndarray | None]:
    """``(active, values)`` for the kernel: uint8 flags of the channels active at each step, and float64
    values (None when the network has no current input), one column per input channel that is not a Poisson
    channel. Spike channels must hold 0 or 1 (bool, integer or float); current channels (``a.input_scaled``)
    any finite number."""
    x = np.asarray(inputs)
    poisson = poisson_channels(a)
    n_columns = a.n_inputs - int(poisson.sum())
    expected = f"(n_samples, T, {n_columns}) for the network's {n_columns} input channels" + (
        f" (its {int(poisson.sum())} Poisson channels are drawn in the kernel and take no column)"
        if poisson.any() else "")
    if x.ndim != 3 or x.shape[2] != n_columns:
        raise GraphError(f"input_spikes: shape {x.shape}; expected {expected}. Hint: samples go on axis 0, steps "
                         f"on axis 1; add axis 0 for a single sample.")
    if x.dtype.kind not in "biuf":
        raise SpecError(f"input_spikes: dtype {x.dtype}; expected numbers (0/1 spikes, or currents on current "
                        f"inputs). Hint: convert with .astype(np.float64).")
    scaled = np.asarray(a.input_scaled, dtype=bool)[~poisson]
    if not scaled.any():
        return _spike_flags("input_spikes", x), None
    _spike_flags("input_spikes", x[:, :, ~scaled])
    values = np.ascontiguousarray(x, dtype=np.float64)
    if not np.all(np.isfinite(values)):
        raise SpecError(f"input_spikes: {int(np.count_nonzero(~np.isfinite(values)))} current value(s) are NaN "
                        f"or infinite; expected finite numbers.")
    return np.ascontiguousarray(values != 0, dtype=np.uint8), values


def poisson_counts(graph: Graph, n_steps: int, seed: int = 0, n_samples: int = 1,
                   first_sample: int = 0) -> np.ndarray:
    """The spike counts the kernel draws for ``graph``'s Poisson inputs in a run of ``seed`` (to record them).

    Parameters
    ----------
    graph : Graph
        The network.
    n_steps : int
        Steps of the run.
    seed, n_samples, first_sample : int
        The run's seed, and its samples from ``first_sample`` on (as :func:`simulate_spiking` takes them).

    Returns
    -------
    ndarray uint8 ``(n_samples, n_steps, n_poisson)``
        Counts of the Poisson channels, in channel order (the inputs in the graph's order).
    """
    seed = check_seed("poisson_counts", seed)
    offsets, n_in = graph.source_offsets(), sum(inp.size for inp in graph.inputs())
    mean = np.zeros(n_in)
    start, stop = np.zeros(n_in, dtype=np.int64), np.zeros(n_in, dtype=np.int64)
    channels = [np.zeros(0, dtype=np.int64)]
    for inp in graph.inputs():
        if inp.kind == "poisson":
            rows = slice(offsets[inp.name], offsets[inp.name] + inp.size)
            mean[rows], start[rows], stop[rows] = inp.rate_hz * graph.dt_s, inp.start_step, inp.stop_step
            channels.append(np.arange(rows.start, rows.stop, dtype=np.int64))
    channels = np.concatenate(channels)
    check_fits("poisson_counts", f"the counts of {channels.size:,} Poisson channels over {n_samples:,} samples x "
               f"{n_steps:,} steps", n_samples * n_steps * channels.size, "Hint: fewer steps or channels.")
    out = np.zeros((n_samples, n_steps, channels.size), dtype=np.uint8)
    draw_counts(stream_seed(seed), int(first_sample), channels, mean, cdf_terms(mean, _exp_minus(mean)), start, stop,
                out)
    return out


def simulate_spiking(arrays: SpikingArrays, input_spikes, record_raster: bool = False,
                     noise: DynamicNoise | None = None, first_sample: int = 0,
                     within_sample: bool | None = None, record_v: bool = False, seed: int = 0) -> SpikingResult:
    """Run a batch of inputs through a lowered spiking network.

    Parameters
    ----------
    arrays : SpikingArrays
        The network, from :func:`hwsim.lowering.lower_spiking`.
    input_spikes : array_like ``(n_samples, T, n_columns)``
        Per input channel and step: 1 where a spike channel spikes (0/1; bool, integer or float), the
        value of a current channel (real numbers; float datapath only); T is the number of steps. Poisson
        channels take no column (the kernel draws them): ``n_columns`` counts the other input channels, in
        channel order. A network without such inputs takes ``(n_samples, T, 0)``.
    record_raster : bool
        Also return every neuron's spikes at every step (``n_samples * T * n_neurons`` bytes).
    noise : DynamicNoise, optional
        Per-step noise of one chip instance (:func:`hwsim.noise.dynamic_noise`); None: none.
    first_sample : int
        Index of this batch's first sample in the noise streams, so that a test set run in batches
        draws what it draws in one call (>= 0).
    within_sample : bool, optional
        True: the threads share each sample's steps (samples one after another); False: samples in
        parallel, one thread per chunk of samples; None: whichever :func:`hwsim.sample_threads.within_sample`
        picks (one sample of a large network without delay-0 synapses out of neurons, and on the
        float datapath without Poisson channels: shared). The results are the same either way.
    record_v : bool
        Also return every neuron's membrane after every step (``v_trace``, 8 bytes per sample, step and
        neuron; checked against the memory available first).
    seed : int
        The run's seed (>= 0): Poisson channels draw from :func:`hwsim.poisson_sources.stream_seed` of it,
        keyed by (global sample, step, channel) (``docs/sources.md``).

    Returns
    -------
    SpikingResult
        Counters, spike statistics and final state per sample.

    Raises
    ------
    GraphError
        If the input's shape, or the noise's per-neuron arrays, do not match the network.
    SpecError
        If a spike channel holds values other than 0 and 1, a current is not finite,
        ``first_sample < 0``, ``within_sample`` is not None, True or False, ``record_v`` is not a bool, or the
        membrane trace would not fit in memory.
    UnsupportedError
        If ``within_sample`` is True and a synapse out of a neuron has delay 0.
    """
    a = arrays
    active, values = _network_inputs(a, input_spikes)
    if values is not None and not a.is_float:
        raise SpecError("input_spikes: current inputs on an integer datapath; expected spikes. Hint: quantise "
                        "for a float chip, which takes current inputs.")
    n_samples, n_steps = active.shape[:2]
    if not isinstance(record_v, (bool, np.bool_)):
        raise SpecError(f"record_v: {short(record_v)}; expected True or False.")
    noise = _checked_noise(noise, a.n_neurons)
    graded = _graded_neurons(a)
    _check_graded_noise(noise, graded)
    n_graded = a.n_neurons if graded.any() else 0
    if not isinstance(first_sample, (int, np.integer)) or isinstance(first_sample, bool) or first_sample < 0:
        raise SpecError(f"first_sample: {short(first_sample)}; expected an integer >= 0.")
    seed = check_seed("simulate_spiking", seed)
    counts = np.empty((n_samples, a.n_groups, N_ACTIONS), dtype=np.int64)
    spike_count, first_spike = (np.empty((n_samples, a.n_neurons), dtype=np.int64) for _ in range(2))
    value = _f64 if a.is_float else _i64  # the datapath: float64 values, or the chip's integers
    state_type = np.float64 if a.is_float else np.int64
    u_final = np.empty((n_samples, a.n_slots), dtype=state_type)
    v_final = np.empty((n_samples, a.n_neurons), dtype=state_type)
    raster = np.empty((n_samples, n_steps if record_raster else 0, a.n_neurons), dtype=np.uint8)
    graded_final = np.empty((n_samples, 2, n_graded), dtype=state_type)
    payload = np.empty((n_samples, n_steps if record_raster and n_graded else 0, n_graded), dtype=state_type)
    if record_v:
        check_fits("simulate_spiking", f"recording the membranes of {n_samples:,} samples x {n_steps:,} steps x "
                   f"{a.n_neurons:,} neurons", n_samples * n_steps * a.n_neurons * 8,
                   "Hint: record fewer samples or steps, or only the final membranes.")
    v_trace = np.empty((n_samples, n_steps if record_v else 0, a.n_neurons), dtype=state_type)
    syn_port, syn_weight, syn_delay = _synapses(a)
    slices = _slice_rows(a)
    uniform = _uniform_slices(a)
    active_slices = _active_slices(a, uniform)
    network = (_i64(a.src_seg_ptr), _i64(a.seg_syn_ptr), _i64(a.seg_group), _i64(a.seg_mem_words),
               _i64(a.seg_delay), _i64(a.seg_port0), syn_port, syn_weight, syn_delay, _i64(a.port_shift),
               _i64(a.slot_port_ptr), bool(np.array_equal(a.slot_port_ptr, np.arange(a.n_slots + 1))),
               _i64(a.src_group), _i64(a.src_packets), _i64(a.src_hops_x), _i64(a.src_hops_y))
    neurons = (value(a.syn_factor), value(a.mem_factor), value(a.v_th), value(a.bias), value(a.bias_syn),
               value(a.v_reset), _i64(a.refractory_steps), _u8(a.has_threshold), _u8(a.reset_mode),
               value(a.initial_u), value(a.initial_v), _i64(a.initial_hold),
               int(a.decay_bits), int(a.rounding), int(a.input_shift),
               int(a.state_bits), int(a.syn_overflow), int(a.mem_overflow), int(first_sample),
               np.ascontiguousarray(noise.seeds, dtype=np.uint64), *_per_neuron_noise(noise),
               float(noise.drop_probability), float(noise.jitter_probability), int(noise.jitter_max_steps),
               float(noise.flip_rate), _i64(a.payload_shift), _u8(a.sigma_delta_mode))
    threads = numba.get_num_threads()
    shared = _within_sample(a, n_samples, threads, within_sample)
    ring = ring_like(a, values is not None, bool(n_graded), noise.jitter_probability > 0)
    sizes = (active, values, _u8(a.input_scaled), _sources(a), stream_seed(seed), int(a.n_neurons), int(a.n_groups),
             int(a.max_delay), ring)
    outputs = (spike_count, first_spike, u_final, v_final, graded_final, raster, payload, v_trace)
    if shared:
        plan = plan_threads(a, slices, uniform, active_slices, threads)
        step_counts = np.empty((1, n_steps, a.n_groups, N_ACTIONS), dtype=np.int64)
        run_spiking_threads(*sizes, *network, plan.sub_slices, plan.sub_uniform, plan.sub_active, plan.sub_thread,
                            plan.part_ports, plan.part_groups, plan.group_port_lo, plan.group_port_hi, *neurons,
                            threads, counts, step_counts[0], *outputs)
    else:
        with _chunks(n_samples) as bounds:
            step_counts = np.empty((bounds.size - 1, n_steps, a.n_groups, N_ACTIONS), dtype=np.int64)
            run_spiking(*sizes, *network, slices, uniform, active_slices, *neurons, bounds, counts, step_counts,
                        *outputs)
    return SpikingResult(counts=counts, step_counts=step_counts.sum(axis=0), spike_count=spike_count,
                         first_spike=first_spike, u_final=u_final, v_final=v_final,
                         raster=raster if record_raster else None,
                         payload=payload if payload.shape[1] else None,
                         graded_final=graded_final if n_graded else None,
                         v_trace=v_trace if record_v else None)


def simulate_mlp(arrays: MlpArrays, x_int) -> MlpResult:
    """Run a batch of integer inputs through a lowered MLP.

    Parameters
    ----------
    arrays : MlpArrays
        The layers, from :func:`hwsim.lowering.lower_mlp`.
    x_int : array_like of int ``(n_samples, n_inputs)``
        Integer inputs (e.g. ADC codes).

    Returns
    -------
    MlpResult
        Counters per layer and the last layer's outputs per sample.

    Raises
    ------
    GraphError
        If the input's shape does not match the network's input size.
    SpecError
        If the input is not integer.
    """
    x = np.asarray(x_int)
    _check_integers("x_int", x, (None, arrays.n_inputs),
                    f"(n_samples, {arrays.n_inputs}) for the network's {arrays.n_inputs} inputs",
                    "samples go on axis 0; add axis 0 for a single sample.")
    x = np.ascontiguousarray(x, dtype=np.int64)
    a = arrays
    counts = np.empty((x.shape[0], len(a.layer_names), N_ACTIONS), dtype=np.int64)
    outputs = np.empty((x.shape[0], a.n_outputs), dtype=np.int64)
    with _chunks(x.shape[0]) as bounds:
        run_mlp(x, int(a.max_width), _i64(a.layer_row_ptr), _i64(a.row_syn_ptr), _i64(a.syn_col),
                _i64(a.syn_weight), _i64(a.syn_mask), _i64(a.syn_truncate_bits), _i64(a.row_bias),
                _i64(a.layer_shift), _u8(a.layer_relu), _i64(a.layer_act_max), bounds, counts, outputs)
    return MlpResult(counts=counts, outputs=outputs)
