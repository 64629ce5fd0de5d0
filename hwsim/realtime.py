"""Real-time chips (SpiNNaker): the tick a run needs, or what a pinned tick costs.

A real-time chip (``timing.realtime_step_ns``) starts every step on a timer tick of the graph's time step
``dt_s`` (sPyNNaker's ``setup(timestep=...)``; the profile's value is the toolchain's default). When a core's work
for a step does not fit in the tick, the run is not real time, and hwsim says so in one of two ways
(the ``realtime`` option of :func:`hwsim.run` and ``hwsim run --realtime``):

``"scale"`` (default)
    Slow the tick down, as sPyNNaker's ``time_scale_factor`` does: its hardware timer period is the
    simulation time step x ``time_scale_factor``, set once for the whole run
    (SpiNNakerManchester/SpiNNFrontEndCommon ``spinn_front_end_common/data/fec_data_writer.py``:
    ``set_up_timings`` -> ``_set_hardware_timestep``, ``raw = simulation_time_step_us x
    time_scale_factor``; its automatic choice was an integer, ``max(1.0,
    ceil(simulation_time_step_per_ms))``). One factor serves every step, so it must fit the busiest
    step: the factor is the smallest integer ``k >= 1`` with every core's work at every step
    <= ``k x tick`` (``ceil`` of the largest load). Latency is ``steps x tick x k`` and static energy
    is static power x that run time; the per-action energies do not change.
``"pin"``
    Keep the tick. A core whose work overruns its tick runs the next tick's work late: the spin1 API
    queues the timer callback that arrives while the previous one still runs and counts it
    (SpiNNakerManchester/spinnaker_tools ``spin1_api/spin1_isr.c``, ``timer1_isr``:
    ``diagnostics.total_times_tick_tic_callback_overran``), so a core finishes step ``t`` at
    ``f[t] = max(f[t-1], t x tick) + work[t]``. The run ends when the last core finishes, or at the last
    tick; the report lists the cores that overran and by how much, and marks the run as not real time.
    On the chip their spikes then arrive late (or are dropped); hwsim's simulation delivers them on time,
    so its spikes are those of a chip that kept up.

Work per step is the batch-mean work of each core (:func:`hwsim.energy.estimate_spiking`).
"""
from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import numpy as np

from hwsim.errors import SpecError, one_of, short

REALTIME_MODES = ("scale", "pin")
#: Relative slack on the load before a larger factor is needed: work summed in float64 may exceed an exact
#: multiple of the tick by rounding alone.
LOAD_SLACK = 1e-9


def checked_mode(mode) -> str:
    """``mode`` if it is one of :data:`REALTIME_MODES`, else a :class:`~hwsim.errors.SpecError`."""
    if not isinstance(mode, str) or mode not in REALTIME_MODES:
        raise SpecError(f"realtime: {short(mode)}; {one_of(str(mode), REALTIME_MODES)} Hint: 'scale' slows the "
                        f"tick until every core fits (sPyNNaker's time_scale_factor), 'pin' keeps the tick and "
                        f"reports the cores that overrun it.")
    return mode


@dataclass(frozen=True)
class RealtimeTiming:
    """How a run on a real-time chip was timed.

    Attributes
    ----------
    mode : str
        ``"scale"`` or ``"pin"`` (module docstring).
    tick_ns : float
        The real-time tick: the graph's time step ``dt_s`` in ns.
    time_scale_factor : int
        Ticks per step: the smallest integer that fits the busiest core's busiest step (``"scale"``), 1 when
        pinned.
    step_ns : float
        Wall-clock time per step, ``tick_ns x time_scale_factor``.
    latency_ns : float
        Wall-clock time of the run: ``steps x step_ns`` (``"scale"``), or when the last core finishes its
        queued ticks (``"pin"``).
    core_load_max : float
        The busiest core's work at its busiest step over the tick.
    held : bool
        Whether every core's work fitted in one tick at every step (real time held).
    overrunning_cores : dict
        ``{core: load}``, each core whose work exceeded one tick at some step, with its largest load
        (work / tick; 1.28 is an overrun of 28 % of the tick).
    steps_overrun : int
        Steps at which some core's work exceeded one tick.
    """

    mode: str
    tick_ns: float
    time_scale_factor: int
    step_ns: float
    latency_ns: float
    core_load_max: float
    held: bool
    overrunning_cores: dict
    steps_overrun: int

    def to_dict(self) -> dict:
        """Plain dict for :attr:`hwsim.report.Report.realtime`."""
        return asdict(self)


def realtime_timing(core_work_ns: np.ndarray, tick_ns: float, mode: str = "scale") -> RealtimeTiming:
    """Time a run of ``core_work_ns.shape[0]`` steps on a real-time chip.

    Parameters
    ----------
    core_work_ns : ndarray
        float ``(n_steps, n_cores)``: each core's work at each step, in ns (column = core index).
    tick_ns : float
        The chip's tick (> 0).
    mode : str
        ``"scale"`` or ``"pin"``.
    """
    mode = checked_mode(mode)
    n_steps = core_work_ns.shape[0]
    core_load = core_work_ns.max(axis=0) / tick_ns if n_steps else np.zeros(core_work_ns.shape[1])
    load_max = float(core_load.max()) if core_load.size else 0.0
    overrunning = {str(int(c)): round(float(core_load[c]), 6) for c in np.flatnonzero(core_load > 1.0)}
    steps_overrun = int((core_work_ns > tick_ns).any(axis=1).sum())
    if mode == "scale":
        factor = max(1, math.ceil(load_max * (1.0 - LOAD_SLACK)))
        latency_ns = n_steps * tick_ns * factor
    else:
        factor = 1
        latency_ns = max(n_steps * tick_ns, pinned_finish_ns(core_work_ns, tick_ns))
    return RealtimeTiming(mode=mode, tick_ns=float(tick_ns), time_scale_factor=int(factor),
                          step_ns=float(tick_ns * factor), latency_ns=float(latency_ns),
                          core_load_max=round(load_max, 6), held=not overrunning,
                          overrunning_cores=overrunning, steps_overrun=steps_overrun)


def cores_phrase(n: int) -> str:
    """``"1 core"``, ``"3 cores"``: for the notes and tables that count overrunning cores."""
    return f"{n} core{'s' if n != 1 else ''}"


def pinned_finish_ns(core_work_ns: np.ndarray, tick_ns: float) -> float:
    """When the last core finishes its last step with the tick pinned (0 for no steps or cores).

    Core ``c`` starts step ``t`` at its tick ``t x tick`` or when it finishes step ``t - 1``, whichever is
    later: ``f[t] = max(f[t-1], t x tick) + w[t]``. Unrolled, ``f[t] = W[t] + max over s <= t of
    (s x tick - W[s-1])`` with ``W`` the cumulative work (``W[-1] = 0``), one cumulative maximum.
    """
    if core_work_ns.size == 0:
        return 0.0
    work = np.cumsum(core_work_ns, axis=0)
    before = np.vstack([np.zeros((1, work.shape[1])), work[:-1]])
    ticks = np.arange(core_work_ns.shape[0], dtype=np.float64)[:, None] * tick_ns
    finish = work + np.maximum.accumulate(ticks - before, axis=0)
    return float(finish[-1].max())
