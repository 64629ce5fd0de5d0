"""Brian2 2.9 on W1 (batch 1), W2 and W5: the Cython runtime target and C++ standalone (peers environment).

The networks are written as in Brian2's examples: W1 as three ``NeuronGroup`` layers
(``dv/dt = -v/tau``, exact) fed by a ``SpikeGeneratorGroup`` through ``Synapses`` with
``on_pre="v_post += w"`` (delay 0: Brian2's schedule is update, threshold, synapses, reset);
W2 as Brian2's own CUBA example (``bench.workloads.W2``): two synaptic currents ``ge`` and ``gi``
(``dge/dt = -ge/taue``, ``dgi/dt = -gi/taui``, ``dv/dt = (ge + gi - (v - El))/taum`` unless
refractory, exact) and two ``Synapses`` objects, ``ge += we`` and ``gi += wi``. Spikes are
counted with ``SpikeMonitor(record=False)``. W5 (:func:`run_w5`, started by ``bench/scale_w5.py``) is the
Potjans & Diesmann microcircuit of :mod:`models.microcircuit` on the same synapses (see :func:`_w5_network`).

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
import resource
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


def _w5_network(b2, scale: float, background: str, seed: int, params) -> tuple[list, object, dict]:
    """The microcircuit (:mod:`models.microcircuit` with ``params``) as Brian2 objects, its spike monitor and
    its sizes.

    One ``NeuronGroup`` of every neuron (populations in order): ``dv/dt = (-(v - E_L) + R (I + I_dc)) / tau_m``
    (unless refractory), ``dI/dt = -I / tau_syn``, exact integration, threshold ``v > V_th``, reset to
    ``V_reset``, refractory ``(refractory_steps + 1) dt`` (Brian2 holds ``v`` for ``round(t_ref / dt) - 1``
    steps after the spike's step), ``v`` from ``initial_v_mv`` (the arrays hwsim's graph holds), ``I_dc`` from
    ``background_dc_pa``. Two ``Synapses`` objects, excitatory and inhibitory, with per-synapse weights ``w``
    [pA] and delays ``(d - 1) dt`` for hwsim's ``delay_steps`` d (Brian2 adds to ``I`` at the end of the
    delivery step, so the membrane sees it one step later, as in hwsim): the same pairs, weights and delays
    as hwsim's (one delay for the object where all its synapses share it, as in the fixed variant).
    Background ``"poisson"``: one ``PoissonInput`` per population (``N = round(K_ext k_scale)`` sources of
    8 Hz, weight ``external_weight_pa`` on ``I``): the same rates as hwsim's pre-drawn counts, not the same
    draws. Every spike is recorded (index and time), so that a transient can be left out.
    """
    from models import microcircuit as mc

    p = params
    dt = p.dt_s * b2.second
    sizes = mc.sizes(scale)
    offsets = np.concatenate([[0], np.cumsum(sizes)])
    ns = {"E_L": p.e_leak_mv * b2.mV, "R": p.r_mem_mohm * b2.Mohm, "tau_m": p.tau_mem_s * b2.second,
          "tau_syn": p.tau_syn_s * b2.second, "V_th": p.v_th_mv * b2.mV, "V_reset": p.v_reset_mv * b2.mV}
    group = b2.NeuronGroup(int(offsets[-1]), "dv/dt = (-(v - E_L) + R * (I + I_dc)) / tau_m : volt (unless refractory)\n"
                                             "dI/dt = -I / tau_syn : amp\n"
                                             "I_dc : amp (constant)",
                           threshold="v > V_th", reset="v = V_reset", refractory=(p.refractory_steps + 1) * dt,
                           method="exact", namespace=ns)
    group.v = mc.initial_v_mv(scale, seed, p) * b2.mV
    group.I_dc = np.repeat(mc.background_dc_pa(p, background), sizes) * b2.pA
    objects = [group]
    if background == "poisson":
        objects += [b2.PoissonInput(group[int(offsets[k]):int(offsets[k + 1])], "I", N=int(k_ext),
                                    rate=p.background_rate_hz * b2.Hz, weight=mc.external_weight_pa(p) * b2.pA)
                    for k, k_ext in enumerate(mc.external_indegrees(p))]
    parts = {True: ([], [], [], []), False: ([], [], [], [])}
    for proj in mc.projections(scale, seed, p):
        s, t = mc.POPULATIONS.index(proj.source), mc.POPULATIONS.index(proj.target)
        i, j, w, d = parts[proj.source.endswith("e")]
        i.append(proj.pre + np.int32(offsets[s]))
        j.append(proj.post + np.int32(offsets[t]))
        w.append(proj.weight_pa)
        d.append(np.broadcast_to(proj.delay_steps, proj.pre.shape))
    for i, j, w, d in parts.values():
        delays = np.concatenate(d)
        one = delays.size and delays.min() == delays.max()
        syn = b2.Synapses(group, group, "w : amp (constant)", on_pre="I_post += w",
                          delay=(int(delays[0]) - 1) * dt if one else None)
        syn.connect(i=np.concatenate(i), j=np.concatenate(j))
        syn.w = np.concatenate(w) * b2.pA
        if not one:
            syn.delay = (delays - 1.0) * dt
        objects.append(syn)
        del delays
        for part in (i, j, w, d):
            part.clear()
    monitor = b2.SpikeMonitor(group, variables=[], record=True)
    return objects + [monitor], monitor, {"sizes": list(sizes)}


def _binary_peak_mib(folder: str) -> float:
    """Run ``./main`` once and return its peak RSS [MiB], its ``VmHWM`` sampled every 20 ms until it exits
    (``wait4``'s ``ru_maxrss`` would include the Python parent's pages copied at fork)."""
    binary = subprocess.Popen(["./main"], cwd=folder, stdout=subprocess.DEVNULL)
    peak = 0.0
    while binary.poll() is None:
        try:
            with open(f"/proc/{binary.pid}/status") as f:
                peak = max([peak] + [int(line.split()[1]) / 1024 for line in f if line.startswith("VmHWM:")])
        except OSError:
            pass
        time.sleep(0.02)
    return peak


def run_w5(scale: float, n_steps: int, background: str = "poisson", seed: int = 0, threads: int = 1,
           variant: str = "unique", k_scale: float = 1.0, transient_steps: int = 0) -> dict:
    """W5 on C++ standalone with ``threads`` OpenMP threads (1: OpenMP off): times, peak memory, spikes.

    ``variant``: ``models.microcircuit.VARIANTS`` name, with ``k_scale``. ``build_s``: constructing the network
    (synapses included) and code generation; ``compile_s``: ``make``; ``runs``: the binary's main-loop time,
    of ``device.run()`` and of one more run of ``./main`` whose peak RSS is sampled (``binary_rss_mib``,
    :func:`_binary_peak_mib`); ``python_rss_mib``: this process's peak (network construction and code
    generation); ``spike_count``: spikes per neuron from step ``transient_steps`` on.
    """
    import brian2 as b2
    from models import microcircuit as mc

    params = mc.VARIANTS[variant].replace(k_scale=k_scale)
    folder = tempfile.mkdtemp(prefix="bench_brian2_w5_")
    try:
        b2.set_device("cpp_standalone", build_on_run=False, directory=folder)
        b2.prefs.devices.cpp_standalone.openmp_threads = 0 if threads == 1 else threads
        b2.defaultclock.dt = params.dt_s * b2.second

        def build():
            objects, monitor, info = _w5_network(b2, scale, background, seed, params)
            b2.Network(*objects).run(n_steps * params.dt_s * b2.second)
            return monitor, info
        (monitor, info), build_s = timed(build)
        _, compile_s = timed(lambda: b2.device.build(directory=folder, compile=True, run=False))
        b2.device.run(directory=folder)
        runs = [b2.device._last_run_time]
        steps = np.round(np.asarray(monitor.t[:] / b2.second) / params.dt_s).astype(np.int64)
        counts = np.bincount(np.asarray(monitor.i[:])[steps >= transient_steps], minlength=sum(info["sizes"]))
        binary_rss_mib = _binary_peak_mib(folder)
        with open(os.path.join(folder, "results", "last_run_info.txt")) as f:
            runs.append(float(f.read().split()[0]))
        python_rss_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        return {"build_s": build_s, "compile_s": compile_s, "runs_s": runs, "spike_count": counts.tolist(),
                "binary_rss_mib": binary_rss_mib, "python_rss_mib": python_rss_mib, "threads": threads,
                "versions": {"brian2": b2.__version__}, **info}
    finally:
        shutil.rmtree(folder, ignore_errors=True)
