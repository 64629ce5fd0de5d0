"""The registry of benchmarked simulators: where each runs, on what, with how many threads.

A new simulator is one :class:`Simulator` entry and a ``run(workload, size, data, ...)`` function
returning the raw record of :mod:`bench.runner`.
"""
from __future__ import annotations

from dataclasses import dataclass, field

MAX_THREADS = 2  # peers.md: at most 2 threads everywhere
#: Environment variable naming the folder of one driver run's compile caches (Numba's, Brian2's Cython).
CACHE_VARIABLE = "HWSIM_BENCH_CACHE"


@dataclass(frozen=True)
class Simulator:
    """One benchmarked configuration.

    Attributes
    ----------
    key : str
        Command-line and record name.
    label : str
        Text of the tables.
    target : str
        ``"module:function"`` called by :mod:`bench.runner`.
    env : str
        ``"main"`` (hwsim's environment) or ``"peers"`` (``bench/.venv-peers``).
    workloads : tuple of str
        Workloads it runs.
    threads : int or None
        Threads it may use; None: 1 for batch 1, :data:`MAX_THREADS` for larger batches.
    max_batch : int or None
        Largest batch it runs (None: any).
    kwargs : dict
        Extra keyword arguments of the run function.
    """

    key: str
    label: str
    target: str
    env: str
    workloads: tuple
    threads: int | None = None
    max_batch: int | None = None
    kwargs: dict = field(default_factory=dict)

    def threads_for(self, batch: int) -> int:
        """Threads this configuration uses for ``batch`` samples."""
        if self.threads is not None:
            return self.threads
        return 1 if batch == 1 else MAX_THREADS

    def runs(self, workload: str, batch: int) -> bool:
        """True when it runs ``workload`` at ``batch``."""
        return workload in self.workloads and (self.max_batch is None or batch <= self.max_batch)


SIMULATORS = {s.key: s for s in (
    Simulator("hwsim", "hwsim (ideal, float64)", "bench.sim_hwsim:run", "main", ("W1", "W2")),
    Simulator("numba", "bare Numba CSR kernel", "bench.sim_numba:run", "main", ("W1", "W2")),
    Simulator("numpy", "NumPy", "bench.sim_numpy:run", "main", ("W1", "W2")),
    Simulator("brian2-cpp", "Brian2 C++ standalone", "bench.sim_brian2:run_standalone", "peers", ("W1", "W2"),
              threads=1, max_batch=1, kwargs={"threads": 1}),
    Simulator("brian2-cpp-omp", "Brian2 C++ standalone OpenMP", "bench.sim_brian2:run_standalone", "peers",
              ("W1", "W2"), threads=2, max_batch=1, kwargs={"threads": 2}),
    Simulator("brian2-cython", "Brian2 runtime, Cython", "bench.sim_brian2:run_runtime", "peers", ("W1", "W2"),
              threads=1, max_batch=1),
    Simulator("snntorch", "snnTorch, torch CPU", "bench.sim_snntorch:run", "peers", ("W1",), threads=2,
              kwargs={"threads": 2}),
)}
#: The spike-exact oracle every simulator's per-neuron spike counts are compared with.
REFERENCE = "numba"
