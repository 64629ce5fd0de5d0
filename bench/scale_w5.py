"""W5, the cortical microcircuit at scale: hwsim (per stage, per chip) beside Brian2 C++ standalone.

For every scale (a size of ``bench.workloads.W5_SIZES``), each measurement runs in a fresh process:

- hwsim on each chip: build the IR graph (``models/microcircuit_ir.py``), ``map_graph``, ``quantize_spiking``,
  ``lower_spiking``, the background input, the first call (``simulate_spiking`` on 2 steps: compile or cache
  load) and the timed run of the size's steps. Each stage reports its wall time and its own peak RSS (the
  kernel's high-water mark is reset before it, ``/proc/self/clear_refs``) with the RSS it leaves; every
  earlier stage's result stays alive, as a user's session holds them. Time to first step = map + quantise +
  lower + first call (graph construction apart).
- Brian2 2.9 C++ standalone (peers environment, ``bench/sim_brian2.py:run_w5``) with 1 and 2 threads on the
  same synapses: build (network + code generation), compile, run time of the binary, its peak RSS.

The network is ``--variant unique`` (the paper's weight and delay spreads with unique pairs,
``models.microcircuit.UNIQUE``; called ``published`` in RESULTS before session 30), ``published`` (the same with
NEST's multapses, ``PD``) or ``fixed`` (issue 18's one weight and delay per projection, ``FIXED``), with in-degrees times ``--k-scale``
(1: kept). Rates count the spikes after ``--transient-ms`` (hwsim records the raster for it, Brian2 every
spike) and sit beside NEST's published rates (:data:`NEST_RATES_HZ`).

A watchdog kills a process whose RSS passes ``--max-rss-gib`` or when the machine's available memory falls
under 1.5 GiB (the machine is shared), and records the stage it reached. Rates per population (spikes per
neuron per second) of every run are printed beside each other.

Usage (from the repository root, hwsim's environment; Brian2 needs ``python bench/setup_peers.py``)::

    python bench/scale_w5.py [--sizes 0.1 0.3 1] [--chips ideal spinnaker] [--background dc|poisson|poisson_source]
                             [--within-sample auto|yes|no] [--variant unique|published|fixed] [--k-scale 1] [--transient-ms 0] [--lean]
                             [--brian2-threads 1 2] [--steps N] [--max-rss-gib 14] [--write]

``--write`` puts the tables in the ``w5`` section of ``bench/RESULTS.md`` with the command.
"""
from __future__ import annotations

import argparse
import dataclasses
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if __package__ in (None, ""):  # run as a script: make the ``bench`` and ``models`` packages importable
    sys.path.insert(0, str(ROOT))

from bench import workloads  # noqa: E402
from bench.setup_peers import peers_python  # noqa: E402

STAGES = ("build", "map", "quantise", "lower", "inputs", "first_call", "run")
MIN_AVAILABLE_GIB = 1.5
#: Published full-scale rates of the microcircuit [Hz], L23e .. L6i: Potjans & Diesmann 2014 (Fig. 6, as
#: tabulated by Romaro et al. 2021, Neural Comput. 33(7), Table A.1, with NEST 2.x), Romaro's NetPyNE
#: reimplementation at 100 %, and NEST's ``Potjans_2014`` example (``full_mean_rates``: NEST 2.x; 12 MPI
#: processes before the delay-rounding fix; NEST 3 with 4 threads, 2022). Their range per population is the
#: spread a reimplementation is held to.
NEST_RATES_HZ = {
    "PD 2014": (0.86, 2.8, 4.45, 5.7, 7.59, 8.7, 1.09, 7.7),
    "NetPyNE 100 %": (0.90, 2.80, 4.39, 5.70, 6.80, 8.22, 1.14, 7.60),
    "NEST 2.x example": (0.971, 2.868, 4.746, 5.396, 8.142, 9.078, 0.991, 7.523),
    "NEST example, 12 MPI": (0.943, 3.026, 4.368, 5.882, 7.733, 8.664, 1.096, 7.851),
    "NEST 3 example": (0.903, 2.965, 4.414, 5.876, 7.569, 8.633, 1.105, 7.829),
}


def _status_mib(key: str, pid: int | str = "self") -> float:
    """``VmRSS`` or ``VmHWM`` of a process [MiB] (0 when it has gone)."""
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(key + ":"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def _available_gib() -> float:
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) / 1024 ** 2
    return float("inf")


def _stage(report: dict, name: str, call):
    """Run ``call`` as stage ``name``: its wall time, its own peak RSS and the RSS it leaves, into ``report``."""
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")  # reset the high-water mark: VmHWM is then this stage's own peak
    print(f"STAGE {name}", flush=True)
    start = time.perf_counter()
    result = call()
    report[name] = {"s": time.perf_counter() - start, "peak_mib": _status_mib("VmHWM"),
                    "rss_after_mib": _status_mib("VmRSS")}
    return result


def child_hwsim(size: workloads.Size, chip_name: str, background: str, seed: int, variant: str = "unique",
                k_scale: float = 1.0, transient_steps: int = 0, lean: bool = False,
                within_sample: bool | None = None) -> dict:
    """hwsim's stages on one chip, in this process (hwsim is imported here: the Brian2 child has no hwsim).

    ``lean``: drop the graph and the quantised network once the inputs are drawn (the run needs only the
    kernel arrays), as a long Poisson run at full scale needs: ``simulate_spiking`` holds current inputs as
    float64, 8 bytes per neuron and step (6.2 GB for 1 s at full scale). ``within_sample``: as
    ``simulate_spiking`` takes it (None: its rule; True: the threads share the sample; False: one thread).
    """
    import gc

    import numpy as np

    import hwsim
    from hwsim.kernels.actions import SYNOP
    from hwsim.models import microcircuit as mc
    from hwsim.models import microcircuit_ir

    stages: dict = {}
    scale = float(size.name)
    params = mc.VARIANTS[variant].replace(k_scale=k_scale)
    graph = _stage(stages, "build", lambda: microcircuit_ir.build(scale, seed, background, params))
    chip = hwsim.load_chip(chip_name)
    placement = _stage(stages, "map", lambda: hwsim.map_graph(graph, chip))
    qnet = _stage(stages, "quantise", lambda: hwsim.quantize_spiking(graph, chip))
    arrays = _stage(stages, "lower", lambda: hwsim.lower_spiking(qnet, placement, chip.capacity.bits_per_synapse,
                                                                  chip.capacity.memory_word_bits))
    x = _stage(stages, "inputs", lambda: microcircuit_ir.background_inputs(graph, size.n_steps))
    synapses, sizes = int(sum(p.n_synapses for p in graph.projections())), list(graph.metadata["sizes"])
    if lean:
        del graph, qnet
        gc.collect()
    _stage(stages, "first_call", lambda: hwsim.simulate_spiking(arrays, x[:, :2], within_sample=within_sample))
    result = _stage(stages, "run", lambda: hwsim.simulate_spiking(arrays, x, record_raster=transient_steps > 0,
                                                                   within_sample=within_sample))
    counts = (result.raster[0, transient_steps:].sum(axis=0, dtype=np.int64) if transient_steps
              else result.spike_count[0])
    return {"stages": stages, "spike_count": counts.tolist(), "synapses": synapses,
            "synops": int(result.counts[0, :, SYNOP].sum()), "cores": int(placement.limits["cores"][0]),
            "sizes": sizes, "versions": {"hwsim": hwsim.__version__,
                                                                 "numpy": np.__version__}}


def child_brian2(size: workloads.Size, threads: int, background: str, seed: int, variant: str = "unique",
                 k_scale: float = 1.0, transient_steps: int = 0) -> dict:
    """Brian2 C++ standalone with ``threads`` threads (peers environment)."""
    from bench import sim_brian2

    return sim_brian2.run_w5(float(size.name), size.n_steps, background, seed, threads, variant, k_scale,
                             transient_steps)


def run_child(args: list[str], python: Path, max_rss_gib: float, timeout_s: float) -> dict:
    """Run ``scale_w5.py --child ...`` in a fresh process under the memory watchdog; its record or an error."""
    env = dict(os.environ, PYTHONPATH=str(ROOT), OMP_NUM_THREADS="1", NUMBA_NUM_THREADS="2")
    proc = subprocess.Popen([str(python), str(Path(__file__).resolve()), "--child", *args], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    lines, peak = [], [0.0]

    def read():
        for line in proc.stdout:
            lines.append(line)
    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    start, killed = time.monotonic(), None
    while proc.poll() is None:
        rss_gib = _status_mib("VmRSS", proc.pid) / 1024
        peak[0] = max(peak[0], rss_gib)
        if rss_gib > max_rss_gib or _available_gib() < MIN_AVAILABLE_GIB or time.monotonic() - start > timeout_s:
            killed = (f"killed at {rss_gib:.1f} GiB RSS ({_available_gib():.1f} GiB available, "
                      f"{time.monotonic() - start:.0f} s)")
            proc.kill()
        time.sleep(0.1)
    reader.join()
    stderr = proc.stderr.read()
    stage = next((line.split()[1] for line in reversed(lines) if line.startswith("STAGE ")), None)
    results = [line for line in lines if line.startswith("RESULT ")]
    if killed or proc.returncode != 0 or not results:
        reason = killed or (stderr.strip().splitlines() or ["no output"])[-1]
        return {"error": f"{reason} in stage {stage}", "watched_peak_gib": peak[0]}
    return json.loads(results[-1][len("RESULT "):])


def rates_hz(record: dict, size: workloads.Size, transient_steps: int = 0) -> list[float]:
    """Mean rate of each population after the transient [spikes per neuron per second]."""
    counts, sizes = record["spike_count"], record["sizes"]
    seconds = (size.n_steps - transient_steps) * 1e-4
    out, start = [], 0
    for n in sizes:
        out.append(sum(counts[start:start + n]) / n / seconds)
        start += n
    return out


def _size(name: str, steps: int | None) -> workloads.Size:
    """The declared W5 size ``name``, run for ``steps`` steps instead of its own when given."""
    size = workloads.w5_size(name)
    return size if steps is None else dataclasses.replace(size, n_steps=steps)


def _gib(mib: float) -> str:
    return f"{mib / 1024:.2f}"


def tables(results: dict, background: str, steps: int | None = None, variant: str = "unique",
           k_scale: float = 1.0, transient_steps: int = 0) -> str:
    """Markdown: hwsim's stages per scale and chip, the Brian2 rows, and the rates side by side with NEST's."""
    import numpy as np

    from models import microcircuit as mc

    out = ["| scale | chip | synapses | cores | " + " | ".join(f"{s} s / peak GiB" for s in STAGES) +
           " | time to first step s | max peak GiB |", "|" + "---|" * (len(STAGES) + 6)]
    for (name, key), rec in results.items():
        if not key.startswith("hwsim:"):
            continue
        chip = key.split(":")[1]
        if "error" in rec:
            out.append(f"| {name} | {chip} | – | – | " + " | ".join("–" for _ in STAGES) +
                       f" | {rec['error']} (watchdog saw {rec['watched_peak_gib']:.1f} GiB) | – |")
            continue
        st = rec["stages"]
        first = sum(st[k]["s"] for k in ("map", "quantise", "lower", "first_call"))
        out.append(f"| {name} | {chip} | {rec['synapses']:,} | {rec['cores']} | " +
                   " | ".join(f"{st[k]['s']:.2f} / {_gib(st[k]['peak_mib'])}" for k in STAGES) +
                   f" | {first:.1f} | {_gib(max(v['peak_mib'] for v in st.values()))} |")
    out += ["", "| scale | Brian2 C++ standalone | build s | compile s | run s (each run) | binary peak GiB | "
                "Python peak GiB |", "|---|---|---|---|---|---|---|"]
    for (name, key), rec in results.items():
        if not key.startswith("brian2:"):
            continue
        if "error" in rec:
            out.append(f"| {name} | {key.split(':')[1]} thread(s) | {rec['error']} | | | | |")
            continue
        out.append(f"| {name} | {rec['threads']} thread(s) | {rec['build_s']:.1f} | {rec['compile_s']:.1f} | "
                   f"{', '.join(f'{r:.2f}' for r in rec['runs_s'])} | {_gib(rec['binary_rss_mib'])} | "
                   f"{_gib(rec['python_rss_mib'])} |")
    out += ["", f"Population rates [Hz] ({variant} variant, {background} background, in-degrees x {k_scale:g}, "
                f"spikes after the first {transient_steps / 10:g} ms; the published full-scale rates below: "
                f"Poisson background, 1 s after a transient):", "",
            "| scale | run | " + " | ".join(mc.POPULATIONS) + " | hwsim run s per biological s | speed vs Brian2 1 thread |",
            "|" + "---|" * (len(mc.POPULATIONS) + 4)]
    for (name, key), rec in results.items():
        if "error" in rec:
            continue
        size = _size(name, steps)
        seconds = size.n_steps * 1e-4
        run_s = rec["stages"]["run"]["s"] if "stages" in rec else min(rec["runs_s"])
        brian = results.get((name, "brian2:1"), {})
        speed = (f"{min(brian['runs_s']) / run_s:.2f}x" if "runs_s" in brian and key.startswith("hwsim:") else "")
        out.append(f"| {name} | {key} | " + " | ".join(f"{r:.2f}" for r in rates_hz(rec, size, transient_steps)) +
                   f" | {run_s / seconds:.2f} | {speed} |")
    for label, rates in NEST_RATES_HZ.items():
        out.append(f"| 1 | {label} | " + " | ".join(f"{r:.2f}" for r in rates) + " | | |")
    published = np.asarray(list(NEST_RATES_HZ.values()))
    low, high = published.min(axis=0), published.max(axis=0)
    out.append("| 1 | published range | " + " | ".join(f"{a:.2f}-{b:.2f}" for a, b in zip(low, high)) + " | | |")
    return "\n".join(out)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", nargs="+", default=["0.1"], help="W5 sizes (fractions of the neurons)")
    parser.add_argument("--chips", nargs="+", default=["ideal", "spinnaker"])
    parser.add_argument("--background", choices=("poisson", "poisson_source", "dc"), default="dc",
                        help="poisson: host-drawn counts (current inputs); poisson_source: Poisson inputs the kernel "
                             "draws (Brian2 keeps its PoissonInput); dc: a bias current")
    parser.add_argument("--brian2-threads", nargs="*", type=int, default=[1, 2])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--variant", choices=("unique", "published", "fixed"), default="unique",
                        help="the paper's weight and delay spreads with unique pairs or with NEST's multapses, or "
                             "issue 18's fixed ones")
    parser.add_argument("--k-scale", type=float, default=1.0, help="in-degrees times this (NEST's K_scaling)")
    parser.add_argument("--transient-ms", type=float, default=0.0, help="rates leave out the first ms")
    parser.add_argument("--lean", action="store_true", help="hwsim drops its graph before running (long runs)")
    parser.add_argument("--within-sample", choices=("auto", "yes", "no"), default="auto",
                        help="hwsim's threads share the sample (yes), one thread (no), or simulate_spiking's rule")
    parser.add_argument("--steps", type=int, default=None, help="steps of 0.1 ms to run (default: the size's own)")
    parser.add_argument("--max-rss-gib", type=float, default=14.0, help="kill a process whose RSS passes this")
    parser.add_argument("--timeout-s", type=float, default=3600.0)
    parser.add_argument("--write", action="store_true", help="write the tables into bench/RESULTS.md")
    parser.add_argument("--child", nargs=2, metavar=("KIND", "ARG"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    transient_steps = int(round(args.transient_ms * 10))
    if args.child:
        size = _size(args.sizes[0], args.steps)
        kind, arg = args.child
        options = (args.variant, args.k_scale, transient_steps)
        shared = {"auto": None, "yes": True, "no": False}[args.within_sample]
        record = (child_hwsim(size, arg, args.background, args.seed, *options, args.lean, shared)
                  if kind == "hwsim" else
                  child_brian2(size, int(arg), "poisson" if args.background == "poisson_source" else args.background,
                               args.seed, *options))
        print("RESULT " + json.dumps(record), flush=True)
        return
    results = {}
    common = ["--background", args.background, "--seed", str(args.seed), "--variant", args.variant,
              "--k-scale", str(args.k_scale), "--transient-ms", str(args.transient_ms)]
    common += ["--lean"] if args.lean else []
    common += ["--within-sample", args.within_sample]
    common += [] if args.steps is None else ["--steps", str(args.steps)]
    for name in args.sizes:
        workloads.w5_size(name)  # raises listing the valid sizes
        runs = [(f"hwsim:{c}", ["hwsim", c], Path(sys.executable)) for c in args.chips]
        runs += [(f"brian2:{t}", ["brian2", str(t)], peers_python()) for t in args.brian2_threads]
        for key, child, python in runs:
            if not python.is_file():
                results[(name, key)] = {"error": "peers environment missing (python bench/setup_peers.py)",
                                        "watched_peak_gib": 0.0}
                continue
            print(f"W5:{name} {key} ...", flush=True)
            results[(name, key)] = run_child([*child, "--sizes", name, *common], python, args.max_rss_gib,
                                             args.timeout_s)
            print(json.dumps({k: v for k, v in results[(name, key)].items() if k != "spike_count"}), flush=True)
    body = tables(results, args.background, args.steps, args.variant, args.k_scale, transient_steps)
    print(body)
    if args.write:
        from bench.results_md import write_section

        command = "python bench/scale_w5.py " + " ".join(sys.argv[1:] if argv is None else argv)
        write_section("w5", f"Command: `{command}`\n\n{body}", ROOT / "bench" / "RESULTS.md")


if __name__ == "__main__":
    main()
