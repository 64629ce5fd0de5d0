"""setup, run, reset, end and the state queries of hwsim.pynn, plus :func:`hwsim_report`."""
from __future__ import annotations

import numbers

import numpy as np
from pyNN import common
from pyNN.common.control import DEFAULT_MIN_DELAY, DEFAULT_TIMESTEP
from pyNN.recording import get_io

from hwsim.chips import ChipProfile, load_chip
from hwsim.errors import SpecError, short
from hwsim.pynn import simulator
from hwsim.report import Report

#: setup()'s keyword arguments that PyNN's other backends take and hwsim ignores (one process, one thread).
IGNORED = ("threads", "rng_seeds_seed", "rng_seed", "filename", "label", "debug", "quit_on_end", "rank",
           "num_processes", "use_cpp", "spike_precision", "verbosity", "grng_seed")


def setup(timestep=DEFAULT_TIMESTEP, min_delay=DEFAULT_MIN_DELAY, chip: ChipProfile | str | None = None,
          seed: int = 0, **extra_params):
    """Start a new network on hwsim (any earlier one is discarded); return the MPI rank, 0.

    Parameters
    ----------
    timestep : float
        Time step [ms] (the IR's ``dt``).
    min_delay : float or "auto"
        Smallest synaptic delay [ms] ("auto": one time step); ``max_delay`` may be given too.
    chip : ChipProfile or str, optional
        The chip to run on: a profile, or a bundled chip's name or a profile's path ("ideal" for float64);
        default the state's ``default_chip`` ("spinnaker", or what the command line's ``hwsim.<chip>`` named,
        :mod:`hwsim.pynn.utility`).
    seed : int
        Seed of the ``SpikeSourcePoisson`` sources, which the kernel draws (the run's seed).
    """
    where = "hwsim.pynn.setup"
    if isinstance(timestep, bool) or not isinstance(timestep, numbers.Real) or not np.isfinite(timestep) \
            or timestep <= 0:
        raise SpecError(f"{where}: timestep {short(timestep)}; expected a time step > 0 ms.")
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or seed < 0:
        raise SpecError(f"{where}: seed {short(seed)}; expected an integer >= 0.")
    unknown = sorted(set(extra_params) - set(IGNORED) - {"max_delay"})
    if unknown:
        raise SpecError(f"{where}: unknown argument {short(unknown[0])}; expected timestep, min_delay, max_delay, "
                        f"chip, seed (or one of PyNN's: {', '.join(IGNORED)}).")
    chip = simulator.state.default_chip if chip is None else chip
    profile = chip if isinstance(chip, ChipProfile) else load_chip(chip)
    if profile.kind != "neuromorphic":
        raise SpecError(f"{where}: chip '{profile.name}' is a '{profile.kind}' chip; expected a neuromorphic chip "
                        f"(spiking neurons). Hint: chip='spinnaker' or 'ideal'.")
    common.setup(timestep, min_delay, **extra_params)
    state = simulator.state
    state.clear()
    state.dt = float(timestep)
    state.min_delay = min_delay
    state.max_delay = extra_params.get("max_delay", "auto")
    state.chip = profile
    state.seed = int(seed)
    state.ready = True
    return 0


def end(compatible_output=True):
    """Write the data that ``write_on_end`` asked for; the network stays until the next ``setup``."""
    for population, variables, filename in simulator.state.write_on_end:
        population.write_data(get_io(filename), variables)
    simulator.state.write_on_end = []


def hwsim_report() -> Report:
    """The hwsim report of the last run: energy, latency, memory and the mapping onto the chip's cores.

    Raises
    ------
    SpecError
        Before a run (or after ``reset``), or when the network has no neurons (sources only).
    """
    sim = simulator.state.simulation
    if sim is None or sim.result is None:
        raise SpecError("hwsim.pynn.hwsim_report: no run of a network with neurons; expected sim.run(...) first "
                        "(after reset() the report of the earlier run is gone).")
    return sim.result.report


run, run_until = common.build_run(simulator)
run_for = run
reset = common.build_reset(simulator)
initialize = common.initialize
get_current_time, get_time_step, get_min_delay, get_max_delay, num_processes, rank = \
    common.build_state_queries(simulator)
