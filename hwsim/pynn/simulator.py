"""The state of the one hwsim.pynn simulation: time step, chip, seed, the network built so far, the last run.

PyNN keeps one module-level simulator state per backend (``pyNN/mock/simulator.py`` is the template); the
common PyNN code reads ``state.t``, ``state.dt``, ``state.min_delay``, ``state.recorders`` and the MPI fields.
hwsim runs everything in one process (rank 0 of 1). Nothing here simulates: :mod:`hwsim.pynn.engine` does.
"""
from __future__ import annotations

from pyNN import common

from hwsim.errors import SpecError

name = "hwsim"
#: The chip ``setup()`` takes when neither it nor the script's command line names one.
DEFAULT_CHIP = "spinnaker"


class ID(int, common.IDMixin):
    """A cell's global id (an int that knows its population, as PyNN's ``IDMixin`` gives)."""

    def __init__(self, n):
        int.__init__(n)
        common.IDMixin.__init__(self)


class State(common.control.BaseState):
    """What ``setup()`` fixes and what the script has built and run since.

    Attributes
    ----------
    dt : float
        Time step [ms].
    min_delay, max_delay : float or str
        PyNN's delay bounds [ms] (``"auto"``: one time step / unbounded).
    chip : ChipProfile or None
        The chip the network runs on (None before ``setup``).
    default_chip : ChipProfile or str
        The chip ``setup()`` takes when given none: :data:`DEFAULT_CHIP`, or the chip a script's command line named
        (``hwsim.<chip>``, :func:`hwsim.pynn.utility.get_simulator`).
    seed : int
        Seed of the Poisson sources, which the kernel draws (:mod:`hwsim.pynn.sources`).
    populations, projections : list
        Everything created since ``setup``, in creation order.
    simulation : hwsim.pynn.engine.Simulation or None
        The last run (None before ``run`` and after ``reset``).
    version : int
        Bumped on every change of the network, so a compiled network is reused only while it is current.
    """

    def __init__(self):
        common.control.BaseState.__init__(self)
        self.mpi_rank = 0
        self.num_processes = 1
        self.ready = False
        self.dt = 0.1
        self.min_delay = "auto"
        self.max_delay = "auto"
        self.chip = None
        self.default_chip = DEFAULT_CHIP
        self.seed = 0
        self.clear()

    def require_setup(self, what: str) -> None:
        """Raise unless ``setup()`` has been called (PyNN's own backends accept this silently)."""
        if not self.ready:
            raise SpecError(f"hwsim.pynn: {what} before setup(); expected sim.setup(timestep=..., chip=...) "
                            f"first. Hint: setup() also chooses the chip (default 'spinnaker').")

    def changed(self) -> None:
        """Note a change of the network (populations, projections, parameters, initial values)."""
        self.version += 1

    def run(self, simtime: float) -> None:
        self.run_until(self.t + simtime)

    def run_until(self, tstop: float) -> None:
        from hwsim.pynn.engine import simulate   # the engine imports this module
        self.require_setup("run()")
        self.simulation = simulate(self, tstop)
        self.t = self.simulation.t_stop_ms
        self.running = True

    def clear(self) -> None:
        self.recorders = set()
        self.id_counter = 0
        self.segment_counter = -1
        self.populations = []
        self.projections = []
        self.version = 0
        self.compiled = None
        self.reset()

    def reset(self) -> None:
        """Back to t = 0 (the network and what is recorded stay)."""
        self.running = False
        self.t = 0.0
        self.t_start = 0.0
        self.simulation = None
        self.segment_counter += 1


state = State()
