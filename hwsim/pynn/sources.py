"""PyNN's spike sources drawn on the host into the IR's input spikes (the one place to swap for in-kernel sources).

Each source population becomes one spike Input of the IR graph, one channel per source; this module fills
its 0/1 spikes for steps ``0 .. n_steps - 1`` of ``dt`` ms (a spike at step k is at ``k * dt`` ms).

- ``SpikeSourceArray``: each time goes to the nearest step, ``round(t / dt)`` (a warning says how many times
  are not on the grid); two spikes of one source in one step are refused, as Brian 2 refuses them; times at
  or after the run's end wait for a longer run.
- ``SpikeSourcePoisson``: at every step ``k`` with ``start <= k * dt <= start + duration`` a source spikes
  with probability ``rate * dt / 1000`` (Brian 2's and pyNN.brian2's rule: one Bernoulli draw per step,
  so ``rate * dt`` must not exceed 1000 Hz ms). Source ``c`` (its global PyNN id) draws from its own
  stream, ``numpy.random.Generator(PCG64(SeedSequence(seed, spawn_key=(c,))))``, one uniform per step in
  step order: its spikes depend on the seed, its id and dt only, not on the other sources, on how the
  run is split into ``run()`` calls, or on batches and threads.
"""
from __future__ import annotations

import warnings

import numpy as np

from hwsim.errors import SpecError, short
from hwsim.memory import check_fits
from hwsim.pynn.rounding import RoundingWarning
from hwsim.pynn.standardmodels import SpikeSourceArray, SpikeSourcePoisson

#: Spike times closer to a step than this fraction of dt count as on the grid (no warning).
GRID_TOLERANCE = 1e-9


def spike_array_steps(times_ms, dt_ms: float, where: str) -> np.ndarray:
    """The steps (int64, ascending) of one ``SpikeSourceArray`` source's spike times, checked."""
    times = np.asarray(times_ms, dtype=np.float64).reshape(-1)
    if not np.all(np.isfinite(times)):
        raise SpecError(f"{where}: spike_times hold NaN or infinite values; expected finite times in ms.")
    if times.size and times.min() < 0:
        raise SpecError(f"{where}: spike time {times.min():g} ms; expected times >= 0 ms.")
    steps = np.round(times / dt_ms).astype(np.int64)
    if np.any(np.diff(steps) < 0):
        raise SpecError(f"{where}: spike_times not in increasing order; expected sorted times.")
    repeated = np.flatnonzero(np.diff(steps) == 0)
    if repeated.size:
        k = repeated[0]
        raise SpecError(f"{where}: spike times {times[k]:g} and {times[k + 1]:g} ms fall in one step of {dt_ms:g} "
                        f"ms; expected at most one spike per source per step. Hint: a smaller timestep.")
    return steps


def _array_spikes(pop, dt_ms: float, n_steps: int, out: np.ndarray) -> int:
    """Fill ``out`` (n_steps, size) from a SpikeSourceArray; return how many times were moved to the grid."""
    off_grid = 0
    for j, sequence in enumerate(pop._parameters["spike_times"]):
        times = getattr(sequence, "value", sequence)
        steps = spike_array_steps(times, dt_ms, f"population '{pop.label}' source {j}")
        off_grid += int(np.count_nonzero(np.abs(np.asarray(times, dtype=float) / dt_ms - steps) > GRID_TOLERANCE))
        out[steps[steps < n_steps], j] = 1
    return off_grid


def _poisson_spikes(pop, dt_ms: float, n_steps: int, seed: int, out: np.ndarray) -> None:
    """Fill ``out`` (n_steps, size) from a SpikeSourcePoisson (see the module docstring)."""
    params = {k: np.broadcast_to(np.asarray(pop._parameters[k], dtype=np.float64), (pop.size,))
              for k in ("rate", "start", "duration")}
    where = f"population '{pop.label}' (SpikeSourcePoisson)"
    for name, low in (("rate", 0.0), ("start", 0.0), ("duration", 0.0)):
        values = params[name]
        if not np.all(np.isfinite(values)) or values.min(initial=0.0) < low:
            bad = values[~np.isfinite(values) | (values < low)][0]
            raise SpecError(f"{where}: {name} {short(float(bad))}; expected finite values >= {low:g} "
                            f"({'Hz' if name == 'rate' else 'ms'}).")
    p = params["rate"] * dt_ms / 1000.0
    if p.max(initial=0.0) > 1.0:
        raise SpecError(f"{where}: rate {params['rate'].max():g} Hz at a timestep of {dt_ms:g} ms is "
                        f"{p.max():g} spikes per step; expected at most 1 (one draw per step). Hint: a smaller "
                        f"timestep, or several sources.")
    times = np.arange(n_steps) * dt_ms
    for j in range(pop.size):
        stream = np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed, spawn_key=(int(pop.all_cells[j]),))))
        window = (times >= params["start"][j]) & (times <= params["start"][j] + params["duration"][j])
        out[:, j] = (stream.random(n_steps) < p[j]) & window


def draw(sources: list, dt_ms: float, n_steps: int, seed: int) -> np.ndarray:
    """The input spikes ``(1, n_steps, n_channels)`` uint8 of ``sources`` (source populations, in the order of
    the graph's inputs)."""
    n_channels = sum(pop.size for pop in sources)
    check_fits("hwsim.pynn", f"the spikes of {n_channels:,} sources over {n_steps:,} steps", n_steps * n_channels,
               "Hint: fewer sources or a shorter run.")
    spikes = np.zeros((n_steps, n_channels), dtype=np.uint8)
    first, off_grid = 0, 0
    for pop in sources:
        block = spikes[:, first:first + pop.size]
        if isinstance(pop.celltype, SpikeSourceArray):
            off_grid += _array_spikes(pop, dt_ms, n_steps, block)
        elif isinstance(pop.celltype, SpikeSourcePoisson):
            _poisson_spikes(pop, dt_ms, n_steps, seed, block)
        first += pop.size
    if off_grid:
        warnings.warn(f"hwsim.pynn: {off_grid:,} SpikeSourceArray spike times are not multiples of the timestep "
                      f"({dt_ms:g} ms); each was moved to the nearest step.", RoundingWarning, stacklevel=4)
    return spikes[None]
