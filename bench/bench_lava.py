"""hwsim vs Lava on the same fixed-point network, side by side, with identical spikes required.

Network: 1000 input channels -> Dense 1000x1000 -> LIF 1000 -> Dense 1000x1000 -> LIF 1000,
weights drawn once (seed 0) and quantised for ``chips/loihi.yaml``; inputs are Bernoulli spike
trains at 5 % per step. Lava 0.10.0 runs it in ``.venv-lava`` (``Loihi2SimCfg(select_tag=
"fixed_pt")``, through ``tests/lava_oracle.py``); hwsim runs it in this environment, timed after a
warm-up call so Numba's compile time is reported apart. Both simulate the same steps and must
give the same spikes and final u, v.

Usage (from the repository root, after ``python -m hwsim.interop.lava_env``)::

    python bench/bench_lava.py [--steps 1000] [--repeats 3] [--no-write]

Prints a table and replaces this benchmark's section of ``bench/RESULTS.md``.
"""
from __future__ import annotations

import argparse
import atexit
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

# an empty Numba cache, so that the first call's time is the full compile time
os.environ["NUMBA_CACHE_DIR"] = tempfile.mkdtemp(prefix="bench_lava_numba_")
atexit.register(shutil.rmtree, os.environ["NUMBA_CACHE_DIR"], True)

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # the bench package, when run as a script

import numba  # noqa: E402  (after NUMBA_CACHE_DIR is set)
import numpy as np  # noqa: E402

import hwsim  # noqa: E402
from bench.results_md import machine, write_section  # noqa: E402
from bench.w3 import INPUT_RATE, N, SEED, inputs, network  # noqa: E402
from hwsim.interop.lava_cases import save_cases  # noqa: E402
from hwsim.interop.lava_env import lava_python  # noqa: E402
from hwsim.kernels.actions import SYNOP  # noqa: E402

SECTION = "bench_lava"


def build(n_steps: int):
    """The quantised 2-layer network, its placement on Loihi, and one input raster ``(n_steps, N)``."""
    rng = np.random.default_rng(SEED)
    graph = network(rng)
    chip = hwsim.load_chip("loihi")
    qnet, placement = hwsim.quantize_spiking(graph, chip), hwsim.map_graph(graph, chip)
    arrays = hwsim.lower_spiking(qnet, placement, chip.capacity.bits_per_synapse, chip.capacity.memory_word_bits)
    return qnet, arrays, inputs(rng, n_steps)


def run_hwsim(arrays, spikes, repeats: int) -> dict:
    """Compile on a 2-step call, then time ``repeats`` full runs; report the best."""
    start = time.perf_counter()
    hwsim.simulate_spiking(arrays, spikes[None, :2], record_raster=True)
    compile_s = time.perf_counter() - start
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        result = hwsim.simulate_spiking(arrays, spikes[None], record_raster=True)
        times.append(time.perf_counter() - start)
    return {"result": result, "compile_s": compile_s, "run_s": min(times), "repeats": repeats}


def run_lava(qnet, spikes) -> dict:
    """Run the network once in Lava's environment; time the whole subprocess as well."""
    python = lava_python()
    if not python.is_file():
        raise SystemExit(f"{python} not found; run 'python -m hwsim.interop.lava_env' first.")
    with tempfile.TemporaryDirectory() as folder:
        source, destination = Path(folder) / "in.npz", Path(folder) / "out.npz"
        save_cases(source, [(qnet, spikes)])
        start = time.perf_counter()
        subprocess.run([str(python), str(ROOT / "tests" / "lava_oracle.py"), str(source), str(destination)],
                       check=True, capture_output=True, text=True)
        process_s = time.perf_counter() - start
        with np.load(destination) as out:
            raster, u, v, wall = (out[f"case0/{k}"] for k in ("raster", "u", "v", "wall_s"))
    return {"raster": raster, "u": u, "v": v, "first_step_s": float(wall[0]), "run_s": float(wall[1]),
            "read_s": float(wall[2]), "process_s": process_s}


def _lava_versions() -> str:
    out = subprocess.run([str(lava_python()), "-c", "import sys, numpy; from importlib.metadata import version; "
                          "print(sys.version.split()[0], version('lava-nc'), numpy.__version__)"],
                         capture_output=True, text=True, check=True).stdout.split()
    return f"Python {out[0]}, lava-nc {out[1]}, numpy {out[2]}"


def report(n_steps: int, hw: dict, lava: dict, synops: int, spikes: tuple, command: str) -> str:
    """The Markdown section: machine, command and the table."""
    hw_rate = n_steps / hw["run_s"]
    lava_rate = (n_steps - 1) / lava["run_s"]
    lava_total = n_steps / (lava["first_step_s"] + lava["run_s"])
    rows = [
        ("hwsim (Numba, 1 thread)", f"{hw_rate:,.0f}", f"{synops / hw['run_s']:,.3g}",
         f"{hw['run_s']:.3f} s", f"compile {hw['compile_s']:.1f} s (first call, empty Numba cache); "
                                 f"best of {hw['repeats']} runs"),
        ("Lava 0.10.0 fixed_pt", f"{lava_rate:,.0f}", f"{synops / lava['run_s'] * (n_steps - 1) / n_steps:,.3g}",
         f"{lava['run_s']:.2f} s", f"start-up + first step {lava['first_step_s']:.2f} s ({lava_total:,.0f} "
                                   f"steps/s with it); reading the spikes back {lava['read_s']:.0f} s "
                                   f"(`Var.get` sends values one by one); whole subprocess {lava['process_s']:.0f} s"),
    ]
    lines = ["## hwsim vs Lava: 1000 + 1000 LIF, 2 Dense layers, fixed point", "",
             f"Machine: {machine()}. "
             f"hwsim: Python {platform.python_version()}, numpy {np.__version__}, numba {numba.__version__}. "
             f"Lava: {_lava_versions()} (`.venv-lava`).", "",
             f"Command: `{command}`", "",
             f"Network: 1000 inputs (Bernoulli, {INPUT_RATE:.0%} per step) -> Dense 1000x1000 -> LIF 1000 -> "
             f"Dense 1000x1000 -> LIF 1000, quantised for `chips/loihi.yaml`, {n_steps} steps. "
             f"Spikes: {spikes[0]:,} inputs, {spikes[1]:,} in h1, {spikes[2]:,} in h2; "
             f"{synops:,} synaptic events. Spikes and final u, v identical in both: yes.", "",
             "| simulator | steps/s | synaptic events/s | time for the steps | notes |",
             "|---|---|---|---|---|"]
    lines += [f"| {' | '.join(row)} |" for row in rows]
    lines += ["", f"hwsim / Lava steady-state speed: **{hw_rate / lava_rate:,.0f}x** "
                  f"(with Lava's start-up counted: {hw_rate / lava_total:,.0f}x). Lava runs every process "
                  f"(source, 2 Dense, 2 LIF, 2 sinks) as an OS process; hwsim runs one sample on one thread. "
                  f"On a shared machine timings move between runs: compare the two columns of one run."]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--steps", type=int, default=1000)
    parser.add_argument("--repeats", type=int, default=3, help="hwsim timing repeats (best is kept)")
    parser.add_argument("--no-write", action="store_true", help="print only; leave bench/RESULTS.md alone")
    parser.add_argument("--json", type=Path, help="also write the steady-state speed against Lava here")
    args = parser.parse_args(argv)
    qnet, arrays, spikes = build(args.steps)
    hw = run_hwsim(arrays, spikes, args.repeats)
    lava = run_lava(qnet, spikes)
    result = hw["result"]
    same = (np.array_equal(result.raster[0], lava["raster"]) and np.array_equal(result.u_final[0], lava["u"])
            and np.array_equal(result.v_final[0], lava["v"]))
    if not same:
        print(f"MISMATCH: {int((result.raster[0] != lava['raster']).sum())} spike bins differ", file=sys.stderr)
        return 1
    synops = int(result.counts[0, :, SYNOP].sum())
    counts = (int(spikes.sum()), int(result.raster[0, :, :N].sum()), int(result.raster[0, :, N:].sum()))
    command = "python bench/bench_lava.py" + "".join(f" {a}" for a in (argv if argv is not None else sys.argv[1:]))
    section = report(args.steps, hw, lava, synops, counts, command)
    print(section)
    if not args.no_write:
        write_section(SECTION, section)
    if args.json:
        speed = (args.steps / hw["run_s"]) / ((args.steps - 1) / lava["run_s"])
        args.json.write_text(json.dumps({"speed_vs_lava": speed, "identical": True, "steps": args.steps}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
