"""Brian2 2.9 on W1 (batch 1) and W2: the Cython runtime target and C++ standalone (peers environment).

The networks are written as in Brian2's examples: W1 as three ``NeuronGroup`` layers
(``dv/dt = -v/tau``, exact) fed by a ``SpikeGeneratorGroup`` through ``Synapses`` with
``on_pre="v_post += w"`` (delay 0: Brian2's schedule is update, threshold, synapses, reset);
W2 as Brian2's own CUBA example (``bench.workloads.W2``): two synaptic currents ``ge`` and ``gi``
(``dge/dt = -ge/taue``, ``dgi/dt = -gi/taui``, ``dv/dt = (ge + gi - (v - El))/taum`` unless
refractory, exact) and two ``Synapses`` objects, ``ge += we`` and ``gi += wi``. Spikes are
counted with ``SpikeMonitor(record=False)``.

Timing (``peers.md``, "Method"):

- runtime (Cython): build = constructing the network, synapses included (their code is compiled
  then too); compile = the first ``net.run(0*ms)`` (code generation, Cython compile or cache load;
  the cache is the driver's own, so the first process compiles cold); steady = the wall time of
  ``net.run(T)`` minus ``Network.before_run`` / ``after_run``, repeated on restored state.
- standalone: build = constructing the network and code generation; compile = ``g++`` (``make``);
  steady = the binary's internal main-loop time (``device._last_run_time``), one per ``device.run()``.
  The binary's own peak RSS is read from ``wait4`` on one extra run of ``./main``.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time

import numpy as np

from bench import workloads
from bench.simulators import CACHE_VARIABLE
from bench.timing import repeat_runs, timed


def _w1_network(b2, data: dict, size: workloads.Size) -> tuple[list, list]:
    """The W1 objects and the spike monitors of (input, L1, L2, out)."""
    p = workloads.W1
    raster = data["raster"][0, :size.n_steps]
    steps, channels = np.nonzero(raster)
    source = b2.SpikeGeneratorGroup(p.layer_sizes[0], channels, steps * p.dt_s * b2.second)
    tau = p.tau_mem_s * b2.second
    layers = [b2.NeuronGroup(n, "dv/dt = -v / tau : 1", threshold=f"v > {p.v_th}", reset=f"v = {p.v_reset}",
                             method="exact", namespace={"tau": tau}) for n in p.layer_sizes[1:]]
    objects, groups = [source, *layers], [source, *layers]
    for k, (pre, post) in enumerate(zip(groups[:-1], groups[1:])):
        syn = b2.Synapses(pre, post, "w : 1", on_pre="v_post += w")
        w = data[f"w{k}"].astype(np.float64)
        i, j = np.indices(w.shape)
        syn.connect(i=i.ravel(), j=j.ravel())
        syn.w = w.ravel()
        objects.append(syn)
    monitors = [b2.SpikeMonitor(g, record=False) for g in groups]
    return objects + monitors, monitors


def _w2_network(b2, data: dict, size: workloads.Size) -> tuple[list, list]:
    """The W2 objects and the spike monitor."""
    p = workloads.W2
    mv, sec = b2.mV, b2.second
    ns = {"taum": p.tau_mem_s * sec, "taue": p.tau_e_s * sec, "taui": p.tau_i_s * sec, "El": p.v_rest_mv * mv,
          "Vt": p.v_th_mv * mv, "Vr": p.v_reset_mv * mv, "we": p.w_e_mv * mv, "wi": p.w_i_mv * mv}
    group = b2.NeuronGroup(p.n_neurons, "dv/dt = (ge + gi - (v - El)) / taum : volt (unless refractory)\n"
                                        "dge/dt = -ge / taue : volt\n"
                                        "dgi/dt = -gi / taui : volt",
                           threshold="v > Vt", reset="v = Vr", refractory=p.refractory_s * sec,
                           method="exact", namespace=ns)
    group.v = data["v0_mv"] * mv
    group.ge = 0 * mv
    group.gi = 0 * mv
    pre, post = data["pre"], data["post"]
    objects = [group]
    for on_pre, sel in (("ge += we", pre < p.n_excitatory), ("gi += wi", pre >= p.n_excitatory)):
        syn = b2.Synapses(group, group, on_pre=on_pre, namespace=ns)
        syn.connect(i=pre[sel], j=post[sel])
        objects.append(syn)
    monitor = b2.SpikeMonitor(group, record=False)
    return objects + [monitor], [monitor]


NETWORKS = {"W1": _w1_network, "W2": _w2_network}


def _counts(workload: str, monitors: list) -> dict:
    return {g: np.asarray(m.count[:], dtype=np.int64).tolist() for g, m in zip(workloads.groups(workload), monitors)}


def run_runtime(workload: str, size: workloads.Size, data: dict, min_total_s: float = 1.0) -> dict:
    """Cython runtime target, one thread."""
    import brian2 as b2

    b2.prefs.codegen.target = "cython"
    if os.environ.get(CACHE_VARIABLE):  # the driver's own cache: the first process compiles cold
        b2.prefs.codegen.runtime.cython.cache_dir = os.path.join(os.environ[CACHE_VARIABLE], "cython")
    p = workloads.PARAMS[workload]
    b2.defaultclock.dt = p.dt_s * b2.second
    (objects, monitors), build_s = timed(lambda: NETWORKS[workload](b2, data, size))
    net = b2.Network(*objects)
    _, compile_s = timed(lambda: net.run(0 * b2.ms))
    net.store()
    overhead = []
    for name in ("before_run", "after_run"):
        method = getattr(net, name)

        def wrapped(*args, _method=method, **kwargs):
            start = time.perf_counter()
            _method(*args, **kwargs)
            overhead.append(time.perf_counter() - start)
        setattr(net, name, wrapped)

    def once():
        net.restore()
        overhead.clear()
        start = time.perf_counter()
        net.run(size.n_steps * p.dt_s * b2.second)
        return time.perf_counter() - start - sum(overhead)
    runs = repeat_runs(once, min_total_s)
    return {"build_s": build_s, "compile_s": compile_s, "runs": runs,
            "spike_counts": _counts(workload, monitors), "versions": {"brian2": b2.__version__}}


def run_standalone(workload: str, size: workloads.Size, data: dict, threads: int = 1,
                   min_total_s: float = 1.0) -> dict:
    """C++ standalone, ``threads`` OpenMP threads (1: OpenMP off)."""
    import brian2 as b2

    folder = tempfile.mkdtemp(prefix="bench_brian2_")
    try:
        b2.set_device("cpp_standalone", build_on_run=False, directory=folder)
        b2.prefs.devices.cpp_standalone.openmp_threads = 0 if threads == 1 else threads
        p = workloads.PARAMS[workload]
        b2.defaultclock.dt = p.dt_s * b2.second

        def build():
            objects, monitors = NETWORKS[workload](b2, data, size)
            b2.Network(*objects).run(size.n_steps * p.dt_s * b2.second)
            return monitors
        monitors, build_s = timed(build)
        _, compile_s = timed(lambda: b2.device.build(directory=folder, compile=True, run=False))

        def once():
            b2.device.run(directory=folder)
            return b2.device._last_run_time
        runs = repeat_runs(once, min_total_s)
        counts = _counts(workload, monitors)
        binary = subprocess.Popen(["./main"], cwd=folder, stdout=subprocess.DEVNULL)
        binary_rss_mib = os.wait4(binary.pid, 0)[2].ru_maxrss / 1024
        return {"build_s": build_s, "compile_s": compile_s, "runs": runs,
                "spike_counts": counts, "binary_rss_mib": binary_rss_mib,
                "notes": f"binary peak RSS {binary_rss_mib:.0f} MiB", "versions": {"brian2": b2.__version__}}
    finally:
        shutil.rmtree(folder, ignore_errors=True)
