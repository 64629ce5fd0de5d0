"""Issue 18's scale table: synapses, time to first step, simulation, ``hwsim.run`` end to end and peak memory.

Rows (``WORKLOAD:chip``), each measured in a fresh process of its own:

- ``W1:ideal``: 784-1000-1000-10 (:mod:`bench.workloads`, :func:`bench.sim_hwsim.w1_graph`), batch 1, 1000 steps;
- ``W3:loihi``: 1000 -> 1000 -> 1000 fixed point (:mod:`bench.w3`, the network of ``bench/bench_lava.py``),
  1000 steps;
- ``W5:ideal``, ``W5:spinnaker``: the microcircuit at ``--w5-size`` (``bench.workloads.W5_SIZES``,
  ``models/microcircuit_ir.py``, fixed variant) with its DC background (a graph without inputs), 1 s of
  biological time;
- ``W6:ideal``: the conv SNN on 2 x 128 x 128 events imported from NIR (:mod:`bench.w6`), 300 steps;
- ``W6-loihi:loihi``, ``W6-loihi:ideal``: W6 cut to fit one Loihi 1 (:data:`bench.w6.W6_LOIHI`).

Per row: the graph is built (W6: the NIR graph written and imported, Conv2d unrolled: "build s"), a first
``hwsim.run`` on 2 steps compiles the kernel or loads it from Numba's cache ("first call s"), then
``--repeats`` rounds time ``map_graph``, ``quantize_spiking``, ``lower_spiking``, ``simulate_spiking`` on the
whole input and ``hwsim.run`` on the whole input (end to end: the same stages, the energy estimate, claims
and report), then ``hwsim.compile_network`` ("compile s") and ``hwsim.run`` of the compiled network ("run
(compiled)": what a user who keeps the compiled network pays per run). Time to first step = map + quantise +
lower; "rest" = run - (map + quantise + lower + simulate) in the same round, median over the rounds (the
energy estimate, claims and report; noise can make it negative). Other times are the minimum over the rounds (with the median); peak RSS is the process's
high-water mark (``resource.getrusage``) at its end. The machine's load average is printed before and after.

The digits row: the bundled digits SNN on ``loihi``, its 360 test samples. hwsim: ``hwsim.run`` on all of them
(min of the rounds, after a first call). Lava 0.10 (``.venv-lava``, ``tests/lava_oracle.py``) runs the first
``--lava-samples`` one after another, each a new Lava network as its users run them; its time per sample
(start-up + steps, without reading the rasters back) is scaled to 360. hwsim's spikes must equal Lava's on
those samples.

Usage (from the repository root, hwsim's environment; Lava via ``python -m hwsim.interop.lava_env``)::

    python bench/scale.py [--rows W1:ideal W6:ideal ... digits] [--repeats 3] [--lava-samples 60]
                          [--w5-size 0.1] [--tiny] [--no-write] [--json PATH]

``--tiny`` runs small sizes (the smoke test). Prints the table and writes it to the ``scale`` section of
``bench/RESULTS.md`` unless ``--no-write`` (or ``--tiny``).
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if __package__ in (None, ""):  # run as a script: the bench package
    sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

import hwsim  # noqa: E402
from bench import sim_hwsim, w3, w6, workloads  # noqa: E402
from bench.results_md import machine, write_section  # noqa: E402

SECTION = "scale"
ROWS = ("W1:ideal", "W3:loihi", "W5:ideal", "W5:spinnaker", "W6:ideal", "W6-loihi:loihi", "W6-loihi:ideal", "digits")
DIGITS_SAMPLES = 360
NS_PER_SYNAPSE_GOAL = 30
STAGES = ("map_s", "quantise_s", "lower_s", "simulate_s")


class Unavailable(Exception):
    """A workload this checkout does not have yet (W5 before it lands)."""


# ---------------------------------------------------------------------------- workloads
def _w1(tiny: bool, args) -> tuple:
    steps = 20 if tiny else 1000
    return sim_hwsim.w1_graph(workloads.load("W1")), workloads.load("W1")["raster"][:1, :steps], {}


def _w3(tiny: bool, args) -> tuple:
    rng = np.random.default_rng(w3.SEED)
    graph = w3.network(rng)
    return graph, w3.inputs(rng, 20 if tiny else 1000)[None], {}


def _w5(tiny: bool, args) -> tuple:
    sizes = getattr(workloads, "W5_SIZES", None)
    try:
        from hwsim.models import microcircuit, microcircuit_ir
    except ImportError:
        microcircuit_ir = None
    if sizes is None or microcircuit_ir is None:
        raise Unavailable("bench.workloads has no W5 yet")
    size = next(s for s in sizes if s.name == ("0.01" if tiny else args.w5_size))
    # issue 18's fixed variant (it fits spinnaker's delays), DC background: a graph without inputs
    graph = microcircuit_ir.build(float(size.name), 0, "dc", microcircuit.FIXED)
    return graph, np.zeros((1, size.n_steps, 0), dtype=np.uint8), {"scale": size.name}


def _w6(params: w6.ConvSNN) -> callable:
    def build(tiny: bool, args) -> tuple:
        p = w6.W6_TINY if tiny else params
        start = time.perf_counter()
        source = w6.nir_graph(p)
        graph = w6.import_graph(source, p)
        return graph, w6.events(p), {"import_s": time.perf_counter() - start}
    return build


BUILDERS = {"W1": _w1, "W3": _w3, "W5": _w5, "W6": _w6(w6.W6), "W6-loihi": _w6(w6.W6_LOIHI)}


def _goal(workload: str, rec: dict) -> tuple[str, str]:
    """The issue's goal for the row and whether this row's figures meet it."""
    ns_ok = rec["first_step_ns_per_synapse"] <= NS_PER_SYNAPSE_GOAL
    if workload == "W1":
        ratio = rec["run_compiled_s"] / rec["simulate_s"]
        return (f"run (compiled) <= 1.5x simulate (here {ratio:.2f}x); <= {NS_PER_SYNAPSE_GOAL} ns/synapse; >= 20x "
                f"snnTorch (bench/run_all.py)", "yes" if ratio <= 1.5 and ns_ok else "no")
    if workload == "W3":
        return (f"run <= 0.15 s incl. map, quantise, lower; <= {NS_PER_SYNAPSE_GOAL} ns/synapse",
                "yes" if rec["run_s"] <= 0.15 and ns_ok else "no")
    if workload == "W5":
        ok = rec["first_step_s"] <= 60 and rec["peak_rss_mib"] <= 12 * 1024 and ns_ok
        return (f"first step <= 60 s, peak <= 12 GiB, <= {NS_PER_SYNAPSE_GOAL} ns/synapse (Brian2: "
                f"bench/scale_w5.py)", "yes" if ok else "no")
    return "none set (the issue asks for the measurement)", "-"


# ---------------------------------------------------------------------------- one row, in a child process
def _timed(call):
    start = time.perf_counter()
    result = call()
    return result, time.perf_counter() - start


def measure(row: str, repeats: int, tiny: bool, args) -> dict:
    """Build and time one ``WORKLOAD:chip`` row in this process (see the module docstring)."""
    workload, chip_name = row.split(":")
    chip = hwsim.load_chip(chip_name)
    (graph, x, info), build_s = _timed(lambda: BUILDERS[workload](tiny, args))
    if not getattr(chip.arithmetic, "refractory", True):
        for pop in graph.populations():            # W1's refractory step, on chips that have none (as setup_cost)
            pop.params["refractory_steps"] = np.zeros(pop.size)
    n_synapses = sum(p.n_synapses for p in graph.projections())

    def run(network, steps=None):   # hwsim.run on the row's input (a graph without inputs: its steps)
        steps = x.shape[1] if steps is None else steps
        if x.shape[2] == 0:
            return hwsim.run(network, None if isinstance(network, hwsim.CompiledNetwork) else chip, None,
                             n_steps=steps)
        return hwsim.run(network, None if isinstance(network, hwsim.CompiledNetwork) else chip, x[:, :steps])

    _, first_s = _timed(lambda: run(graph, 2))
    times = {k: [] for k in ("map_s", "quantise_s", "lower_s", "simulate_s", "run_s", "compile_s", "run_compiled_s")}
    cap = chip.capacity
    for _ in range(repeats):
        placement, t = _timed(lambda: hwsim.map_graph(graph, chip))
        times["map_s"].append(t)
        qnet, t = _timed(lambda: hwsim.quantize_spiking(graph, chip))
        times["quantise_s"].append(t)
        arrays, t = _timed(lambda: hwsim.lower_spiking(qnet, placement, cap.bits_per_synapse, cap.memory_word_bits))
        times["lower_s"].append(t)
        _, t = _timed(lambda: hwsim.simulate_spiking(arrays, x))
        times["simulate_s"].append(t)
        cores = int(placement.limits["cores"][0])
        del placement, qnet, arrays
        _, t = _timed(lambda: run(graph))
        times["run_s"].append(t)
        compiled, t = _timed(lambda: hwsim.compile_network(graph, chip))
        times["compile_s"].append(t)
        _, t = _timed(lambda: run(compiled))
        times["run_compiled_s"].append(t)
        del compiled
    rec = {k: min(v) for k, v in times.items()}
    rec.update({k[:-2] + "_median_s": statistics.median(v) for k, v in times.items()})
    rec["first_step_s"] = rec["map_s"] + rec["quantise_s"] + rec["lower_s"]
    rec["first_step_median_s"] = statistics.median(sum(times[k][r] for k in STAGES[:3]) for r in range(repeats))
    rec.update(row=row, workload=workload, chip=chip_name, build_s=build_s, first_call_s=first_s,
               neurons=sum(p.size for p in graph.populations()), synapses=n_synapses, steps=int(x.shape[1]),
               cores=cores,
               first_step_ns_per_synapse=rec["first_step_s"] / max(n_synapses, 1) * 1e9,
               rest_s=statistics.median(times["run_s"][r] - sum(times[k][r] for k in STAGES) for r in range(repeats)),
               peak_rss_mib=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, repeats=repeats, **info)
    rec["goal"], rec["met"] = _goal(workload, rec)
    return rec


def measure_digits(repeats: int, lava_samples: int) -> dict:
    """hwsim.run on the digits test set vs Lava on its first ``lava_samples`` (module docstring)."""
    from hwsim.interop.lava_cases import save_cases
    from hwsim.interop.lava_env import lava_python
    from hwsim.models.digits import bundled_model_path, load_digits_split
    from hwsim.pipeline import network_inputs

    graph, chip = hwsim.load_graph(bundled_model_path("digits_snn")), hwsim.load_chip("loihi")
    _, _, x_test, y_test = load_digits_split()
    _, first_s = _timed(lambda: hwsim.run(graph, chip, x_test[:2]))
    runs = []
    for _ in range(repeats):
        result, t = _timed(lambda: hwsim.run(graph, chip, x_test, y_test))
        runs.append(t)
    raster = network_inputs(graph, x_test)[0][:lava_samples]
    qnet, placement = hwsim.quantize_spiking(graph, chip), hwsim.map_graph(graph, chip)
    arrays = hwsim.lower_spiking(qnet, placement, chip.capacity.bits_per_synapse, chip.capacity.memory_word_bits)
    ours = hwsim.simulate_spiking(arrays, raster, record_raster=True).raster
    python = lava_python()
    if not python.is_file():
        raise SystemExit(f"{python} not found; run 'python -m hwsim.interop.lava_env' first.")
    with tempfile.TemporaryDirectory() as folder:
        source, destination = Path(folder) / "in.npz", Path(folder) / "out.npz"
        save_cases(source, [(qnet, sample) for sample in raster])
        _, process_s = _timed(lambda: subprocess.run(
            [str(python), str(ROOT / "tests" / "lava_oracle.py"), str(source), str(destination)],
            check=True, capture_output=True, text=True))
        with np.load(destination) as out:
            walls = np.array([out[f"case{k}/wall_s"] for k in range(len(raster))])
            identical = all(np.array_equal(out[f"case{k}/raster"], ours[k]) for k in range(len(raster)))
    lava_per_sample_s = float(np.mean(walls[:, 0] + walls[:, 1]))
    return {"row": "digits", "samples": int(x_test.shape[0]), "steps": int(raster.shape[1]),
            "hwsim_run_s": min(runs), "hwsim_run_median_s": statistics.median(runs), "hwsim_first_call_s": first_s,
            "accuracy": result.report.accuracy, "lava_samples": len(raster), "lava_per_sample_s": lava_per_sample_s,
            "lava_read_back_per_sample_s": float(np.mean(walls[:, 2])), "lava_process_s": process_s,
            "lava_360_s": lava_per_sample_s * x_test.shape[0],
            "speedup": lava_per_sample_s * x_test.shape[0] / min(runs), "identical": identical,
            "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


# ---------------------------------------------------------------------------- table
def _cell(rec: dict, key: str) -> str:
    return f"{rec[key]:.3g} ({rec[key[:-2] + '_median_s']:.3g})"


def table(records: list[dict]) -> str:
    """The Markdown tables of the rows and of the digits goal."""
    columns = ("row", "neurons", "synapses", "cores", "build s", "first call s", "map s", "quantise s", "lower s",
               "first step s, min (median)", "ns per synapse", "simulate s", "run s, min (median)", "rest s, median",
               "compile s", "run (compiled) s, min (median)", "peak RSS MiB", "goal", "met")
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    digits = None
    for rec in records:
        if rec["row"] == "digits":
            digits = rec
        elif "unavailable" in rec:
            lines.append(f"| {rec['row']} |" + " - |" * (len(columns) - 3)
                         + f" not measured: {rec['unavailable']} | - |")
        else:
            extra = f" (import {rec['import_s']:.2f})" if "import_s" in rec else ""
            lines.append(
                f"| {rec['row']} ({rec['steps']} steps) | {rec['neurons']:,} | {rec['synapses']:,} | {rec['cores']} | "
                f"{rec['build_s']:.2f}{extra} | {rec['first_call_s']:.2f} | {rec['map_s']:.3g} | "
                f"{rec['quantise_s']:.3g} | {rec['lower_s']:.3g} | {_cell(rec, 'first_step_s')} | "
                f"{rec['first_step_ns_per_synapse']:.0f} | {_cell(rec, 'simulate_s')} | {_cell(rec, 'run_s')} | "
                f"{rec['rest_s']:.3g} | {rec['compile_s']:.3g} | {_cell(rec, 'run_compiled_s')} | "
                f"{rec['peak_rss_mib']:,.0f} | {rec['goal']} | {rec['met']} |")
    if digits is not None:
        d = digits
        lines += ["", f"Digits end to end (bundled digits SNN on loihi, {d['samples']} test samples of {d['steps']} "
                      f"steps): hwsim.run {d['hwsim_run_s']:.3f} s (median {d['hwsim_run_median_s']:.3f} s; first call "
                      f"{d['hwsim_first_call_s']:.2f} s; accuracy {d['accuracy']:.3f}). Lava 0.10 ran the first "
                      f"{d['lava_samples']} samples one after another: {d['lava_per_sample_s']:.3f} s per sample "
                      f"(start-up + steps; reading the rasters back another {d['lava_read_back_per_sample_s']:.3f} s; "
                      f"whole subprocess {d['lava_process_s']:.1f} s), so {d['lava_360_s']:.0f} s for "
                      f"{d['samples']}: **{d['speedup']:,.0f}x** (goal >= 1000x: "
                      f"{'met' if d['speedup'] >= 1000 else 'not met'}). Spikes identical to Lava's on those "
                      f"samples: {'yes' if d['identical'] else 'NO'}."]
    return "\n".join(lines)


def _load(averages: tuple) -> str:
    return ", ".join(f"{a:.1f}" for a in averages)


def _child(row: str, args) -> dict:
    command = [sys.executable, str(Path(__file__).resolve()), "--child", row, "--repeats", str(args.repeats),
               "--lava-samples", str(args.lava_samples), "--w5-size", args.w5_size] + (["--tiny"] if args.tiny else [])
    done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT)
    if done.returncode != 0:
        raise SystemExit(f"{row}: the measuring process failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", nargs="+", default=list(ROWS), help=f"rows to measure (default {' '.join(ROWS)})")
    parser.add_argument("--repeats", type=int, default=3, help="timed rounds per row (min and median reported)")
    parser.add_argument("--lava-samples", type=int, default=60, help="digits samples Lava runs (scaled to 360)")
    parser.add_argument("--w5-size", default="0.1", help="W5 size (bench.workloads.W5_SIZES name)")
    parser.add_argument("--tiny", action="store_true", help="small sizes (smoke test); implies --no-write")
    parser.add_argument("--no-write", action="store_true", help="leave bench/RESULTS.md alone")
    parser.add_argument("--json", type=Path, help="also write the records here")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    for row in args.rows:
        workload = row.split(":")[0]
        if row != "digits" and (":" not in row or workload not in BUILDERS):
            parser.error(f"--rows: {row!r}; expected 'digits' or WORKLOAD:chip with WORKLOAD one of {list(BUILDERS)}")
    if args.child:
        if args.child == "digits":
            rec = measure_digits(args.repeats, args.lava_samples)
        else:
            try:
                rec = measure(args.child, args.repeats, args.tiny, args)
            except Unavailable as why:
                rec = {"row": args.child, "unavailable": str(why)}
        print(json.dumps(rec))
        return 0
    records, load_before = [], os.getloadavg()
    for row in args.rows:
        records.append(_child(row, args))
        print(f"{row}: done", file=sys.stderr, flush=True)
    command = "python bench/scale.py" + "".join(f" {a}" for a in (argv if argv is not None else sys.argv[1:]))
    body = "\n".join([f"## Scale: time to first step, simulation and hwsim.run end to end (issue 18)", "",
                      f"Machine: {machine()}; load average (1, 5, 15 min) {_load(load_before)} before, "
                      f"{_load(os.getloadavg())} after. Command: `{command}` (each row in a fresh process).", "",
                      table(records)])
    print(body)
    if not (args.no_write or args.tiny):
        write_section(SECTION, body)
    if args.json:
        args.json.write_text(json.dumps(records, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
