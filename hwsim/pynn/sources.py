"""PyNN's spike sources as the IR's inputs: arrays drawn on the host, Poisson sources drawn in the kernel.

Each source population becomes one Input of the IR graph, one channel per source (a spike at step k is at
``k * dt`` ms):

- ``SpikeSourceArray``: a spike Input whose 0/1 spikes this module fills for steps ``0 .. n_steps - 1``; each
  time goes to the nearest step, ``round(t / dt)`` (a warning says how many times are not on the grid); two
  spikes of one source in one step are refused, as Brian 2 refuses them; times at or after the run's end
  wait for a longer run.
- ``SpikeSourcePoisson``: a Poisson Input (:func:`poisson_input`), drawn in the kernel as sPyNNaker's
  SpikeSourcePoisson cores draw on the chip: at every step ``k`` with ``start <= k * dt <= start +
  duration`` a source sends ``Poisson(rate * dt / 1000)`` spikes (``docs/sources.md``), at most 30 per step
  on average. pyNN.brian2 (Brian 2's PoissonGroup) draws one Bernoulli spike with probability ``rate * dt``
  instead: the two differ by O((rate dt)^2) per step (two or more spikes in one step), 0.5 % of the spikes
  at 100 Hz and 0.1 ms. The counts depend on the run's seed (``setup(seed=...)``) and the source's channel
  (the sources' order) only, not on how the run is split into ``run()`` calls (every run draws from t = 0,
  keyed by the absolute step).
"""
from __future__ import annotations

import warnings

import numpy as np

from hwsim.errors import SpecError, short
from hwsim.ir import MAX_POISSON_PER_STEP, NO_STOP
from hwsim.memory import check_fits
from hwsim.pynn.rounding import RoundingWarning
from hwsim.pynn.standardmodels import SpikeSourceArray

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


def poisson_input(pop, dt_ms: float) -> dict:
    """A SpikeSourcePoisson's ``rate_hz``, ``start_step`` and ``stop_step`` per source, for
    ``Graph.add_input(..., "poisson", ...)``: the steps ``k`` with ``start <= k * dt <= start + duration``."""
    params = {k: np.broadcast_to(np.asarray(pop._parameters[k], dtype=np.float64), (pop.size,))
              for k in ("rate", "start", "duration")}
    where = f"population '{pop.label}' (SpikeSourcePoisson)"
    for name, low in (("rate", 0.0), ("start", 0.0), ("duration", 0.0)):
        values = params[name]
        if not np.all(np.isfinite(values)) or values.min(initial=0.0) < low:
            bad = values[~np.isfinite(values) | (values < low)][0]
            raise SpecError(f"{where}: {name} {short(float(bad))}; expected finite values >= {low:g} "
                            f"({'Hz' if name == 'rate' else 'ms'}).")
    mean = params["rate"].max(initial=0.0) * dt_ms / 1000.0
    if mean > MAX_POISSON_PER_STEP:
        raise SpecError(f"{where}: rate {params['rate'].max():g} Hz at a timestep of {dt_ms:g} ms is {mean:g} spikes "
                        f"per step; expected at most {MAX_POISSON_PER_STEP:g}. Hint: a smaller timestep, or several "
                        f"sources.")
    first = np.ceil(params["start"] / dt_ms - GRID_TOLERANCE)
    after = np.floor((params["start"] + params["duration"]) / dt_ms + GRID_TOLERANCE) + 1
    ends = after < 2.0 ** 62   # else: beyond any run
    stop = np.full(pop.size, NO_STOP, dtype=np.int64)
    stop[ends] = after[ends].astype(np.int64)
    return dict(rate_hz=np.array(params["rate"]), start_step=np.minimum(first, 2.0 ** 62).astype(np.int64),
                stop_step=stop)


def draw(sources: list, dt_ms: float, n_steps: int) -> np.ndarray:
    """The input spikes ``(1, n_steps, n_channels)`` uint8 of the ``SpikeSourceArray`` populations among
    ``sources`` (in the order of the graph's inputs; Poisson sources take no channel: the kernel draws them)."""
    arrays = [pop for pop in sources if isinstance(pop.celltype, SpikeSourceArray)]
    n_channels = sum(pop.size for pop in arrays)
    check_fits("hwsim.pynn", f"the spikes of {n_channels:,} sources over {n_steps:,} steps", n_steps * n_channels,
               "Hint: fewer sources or a shorter run.")
    spikes = np.zeros((n_steps, n_channels), dtype=np.uint8)
    first, off_grid = 0, 0
    for pop in arrays:
        off_grid += _array_spikes(pop, dt_ms, n_steps, spikes[:, first:first + pop.size])
        first += pop.size
    if off_grid:
        warnings.warn(f"hwsim.pynn: {off_grid:,} SpikeSourceArray spike times are not multiples of the timestep "
                      f"({dt_ms:g} ms); each was moved to the nearest step.", RoundingWarning, stacklevel=4)
    return spikes[None]
