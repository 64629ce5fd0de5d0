"""Run every benchmark and rewrite ``bench/RESULTS.md``: hwsim against its peers, side by side.

Usage (from the repository root, hwsim's environment; the peers need ``python bench/setup_peers.py``
once, and a quiet machine for figures worth keeping)::

    python bench/run_all.py [--quick] [--only W1,W2:1s,W3,W4,start] [--processes 3]

- W1, W2 (:mod:`bench.workloads`): every simulator of :mod:`bench.simulators` that runs the
  workload, ``--processes`` fresh processes each, interleaved (:mod:`bench.harness`); one
  section per workload with compile apart from steady state, steps/s, synaptic events/s, peak
  memory, hwsim's speed relative to each peer and whether the spikes agree with the bare kernel.
- W3: ``bench/bench_lava.py`` (hwsim vs Lava fixed_pt), W4: ``bench/bench_sweep.py`` (1 vs 2
  workers); each rewrites its own section.
- start: ``hwsim run`` in fresh processes (:mod:`bench.cold_start`).

Every measured row is also merged into ``bench/results.json`` (by workload, size and simulator),
from which the goals section is recomputed, so a partial run (``--only``) updates its rows and
keeps the others. ``--quick`` runs the smallest size of each workload, 1 process, no inner repeats.
"""
from __future__ import annotations

import argparse
import json
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the bench package, when run as a script

import numba  # noqa: E402
import numpy as np  # noqa: E402

from bench import cold_start, harness, workloads  # noqa: E402
from bench.results_md import machine, write_section  # noqa: E402
from bench.setup_peers import peer_versions  # noqa: E402
from bench.simulators import REFERENCE, SIMULATORS  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
RESULTS_JSON = ROOT / "bench" / "results.json"
EXTERNAL = ("W3", "W4", "start")
#: ``(goal text, workload, size, peer, kind, threshold)``: ``speed`` = peer time / hwsim time >= threshold,
#: ``slowdown`` = hwsim time / peer time <= threshold.
GOALS = (
    ("W1 b1: >= 20x snnTorch", "W1", "b1", "snntorch", "speed", 20.0),
    ("W1 b1: >= 1.5x Brian2 C++ standalone (1 thread)", "W1", "b1", "brian2-cpp", "speed", 1.5),
    ("W1 b1: within 1.4x of the bare Numba CSR kernel", "W1", "b1", "numba", "slowdown", 1.4),
    ("W1 b64: >= 2x snnTorch (both cores)", "W1", "b64", "snntorch", "speed", 2.0),
    ("W2: >= 1.5x Brian2 C++ standalone (1 thread)", "W2", "1s", "brian2-cpp", "speed", 1.5),
    ("W2: >= 5x Brian2 runtime, Cython (compile apart)", "W2", "1s", "brian2-cython", "speed", 5.0),
)


def _selection(only: str | None, quick: bool) -> tuple[list[tuple[str, str | None]], list[str]]:
    """``([(workload, size or None)], [external benchmarks])`` from ``--only`` and ``--quick``."""
    items = [i.strip() for i in (only or ",".join([*workloads.SIZES, *EXTERNAL])).split(",") if i.strip()]
    selection, external = [], []
    for item in items:
        name, _, size = item.partition(":")
        if name in EXTERNAL:
            external.append(name)
        elif name in workloads.SIZES:
            if size:
                workloads.size(name, size)  # raises listing the valid sizes
            selection.append((name, size or (workloads.SIZES[name][0].name if quick else None)))
        else:
            raise SystemExit(f"--only: unknown benchmark {name!r}; expected one of "
                             f"{[*workloads.SIZES, *EXTERNAL]} (sizes: W1:b1, W2:1s, ...)")
    return selection, external


def _versions() -> str:
    peers = peer_versions()
    text = f"hwsim environment: Python {platform.python_version()}, numpy {np.__version__}, numba {numba.__version__}"
    if peers:
        text += ("; peers environment (`bench/.venv-peers`): " +
                 ", ".join(f"{k} {v}" for k, v in peers.items()))
    return text


def _fmt_s(value: float | None) -> str:
    return "–" if value is None else (f"{value:.3g}" if value < 100 else f"{value:.0f}")


def _row(row: dict, hwsim: dict | None) -> str:
    if "error" in row:
        return f"| {SIMULATORS[row['task'].simulator].label} | | | | error: {row['error']} | | | | | | | |"
    ratio = ("–" if hwsim is None or "error" in hwsim or row is hwsim
             else f"{row['steady_s'] / hwsim['steady_s']:.2f}x")
    spikes = "/".join(f"{v:,}" for v in row["spike_totals"].values())
    flag = f" ({row['contended']} of {row['processes']} contended)" if row["contended"] else ""
    if row["failed"]:
        flag += f" ({len(row['failed'])} more process(es) failed: {row['failed'][-1]})"
    notes = f" ({row['notes']})" if row["notes"] else ""
    return (f"| {row['label']}{notes} | {row['threads']} | {_fmt_s(row['build_s'])} | "
            f"{_fmt_s(row['compile_cold_s'])} / {_fmt_s(row['compile_warm_s'])} | "
            f"{row['steady_s']:.4g} [{row['steady_min_s']:.4g}–{row['steady_max_s']:.4g}]{flag} | "
            f"{row['steps_per_s']:,.0f} | {row['events_per_s'] / 1e6:,.1f} M | "
            f"{row['neuron_updates_per_s'] / 1e6:,.1f} M | {row['peak_rss_mib']:.0f} ({row['rss_after_import_mib']:.0f}) | "
            f"{ratio} | {spikes} | {row['agree']} |")


def workload_section(workload: str, rows: list[dict], command: str, processes: int) -> str:
    """The Markdown section of one workload: one table per size."""
    lines = [f"## {workload}: hwsim and its peers on the same network, inputs and seeds", "",
             f"Machine: {machine()}. {_versions()}.", "", f"Command: `{command}`", "",
             f"Workload: {workloads.describe(workload)}", "",
             f"Method: each row is {processes} fresh process(es), interleaved across simulators; inside a "
             f"process a run is repeated on fresh state until 1 s is spent (3-10 runs). steady = median over "
             f"processes of each process's median [lowest–highest single run]; compile = first call (cold: "
             f"first process of the run, with empty Numba/Cython caches unless an earlier row of the run "
             f"compiled the same kernel; g++ every time for Brian2 standalone; warm: later processes); "
             f"build = constructing and lowering the network. \"contended\": other processes used more than "
             f"{harness.MAX_OTHER_CORES} cores during a timed run. Peak RSS = whole process (after imports in brackets). Events = sum over spikes "
             f"of the fan-out, from each simulator's own spikes. \"hwsim speed\" = peer time / hwsim time "
             f"(> 1: hwsim faster). Spikes must equal the bare Numba kernel's neuron by neuron."]
    for s in workloads.SIZES[workload]:
        size_rows = [r for r in rows if r["task"].size == s.name]
        if not size_rows:
            continue
        hwsim = next((r for r in size_rows if r["task"].simulator == "hwsim"), None)
        events = next((r["events"] for r in size_rows if r["task"].simulator == REFERENCE and "error" not in r), None)
        groups = "/".join(workloads.groups(workload))
        lines += ["", f"### {workload} {s.name}: batch {s.batch}, {s.n_steps} steps" +
                  (f", {events:,} synaptic events (bare Numba)" if events else ""), "",
                  f"| simulator | threads | build s | compile s cold / warm | steady s median [min–max] | "
                  f"steps/s | events/s | neuron updates/s | peak RSS MiB (after imports) | hwsim speed vs this | "
                  f"spikes {groups} | same spikes as bare Numba |",
                  "|---|---|---|---|---|---|---|---|---|---|---|---|"]
        lines += [_row(r, hwsim) for r in size_rows]
    if workload == "W1" and any(r["task"].simulator == "snntorch" for r in rows):
        lines += ["", "snnTorch runs its own standard loop (Linear then Leaky per layer, all layers in one step, "
                      "reset on the next step), not the workload's update order, so it fires more and its events "
                      "are counted from its own spikes (`bench/sim_snntorch.py`)."]
    return "\n".join(lines)


def _merge(rows: list[dict], extra: dict) -> dict:
    """Merge this run's rows into ``bench/results.json`` (keyed workload:size:simulator) and return it all."""
    stored = json.loads(RESULTS_JSON.read_text()) if RESULTS_JSON.is_file() else {}
    stamp = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    for row in rows:
        if "error" not in row:
            t = row["task"]
            stored[f"{t.workload}:{t.size}:{t.simulator}"] = {**{k: v for k, v in row.items() if k != "task"},
                                                               "measured": stamp}
    for key, value in extra.items():
        stored[key] = {**value, "measured": stamp}
    RESULTS_JSON.write_text(json.dumps(stored, indent=1, sort_keys=True) + "\n")
    return stored


def goals_section(stored: dict, command: str) -> str:
    """The goals of issue 7 against the latest stored measurements."""
    lines = ["## Goals (issue 7) against the latest measurements", "",
             f"Machine: {machine()}. Last command: `{command}`. Each row uses the rows stored in "
             f"`bench/results.json` (date in the last column; \"contended\": other processes used more "
             f"than {harness.MAX_OTHER_CORES} cores during some timed runs, so the figure is provisional); "
             f"ratios are of medians measured interleaved in one run.", "", "| goal | measured | met? | measured on |", "|---|---|---|---|"]
    for text, workload, size, peer, kind, threshold in GOALS:
        hw, other = stored.get(f"{workload}:{size}:hwsim"), stored.get(f"{workload}:{size}:{peer}")
        if hw is None or other is None:
            lines.append(f"| {text} | not measured | – | – |")
            continue
        speed = other["steady_s"] / hw["steady_s"]  # > 1: hwsim faster
        if kind == "speed":
            met = speed >= threshold
            shown = f"hwsim {speed:.2f}x faster" if speed >= 1 else f"hwsim {1 / speed:.2f}x slower"
        else:
            met, shown = 1 / speed <= threshold, f"hwsim takes {1 / speed:.2f}x the bare kernel's time"
        contended = " (contended)" if hw["contended"] or other["contended"] else ""
        lines.append(f"| {text} | {shown} | {'yes' if met else 'no'} | {hw['measured']}{contended} |")
    lava = stored.get("W3")
    lines.append("| W3: >= 1000x Lava fixed_pt's steps/s, bit-identical spikes | " + (
        f"{lava['speed_vs_lava']:,.0f}x ({lava['steps']} steps, spikes and final u, v identical) | "
        f"{'yes' if lava['speed_vs_lava'] >= 1000 else 'no'} | {lava['measured']} |" if lava
        else "not measured | – | – |"))
    sweep = stored.get("W4")
    lines.append("| W4: 2 workers (1 thread each) >= 1.8x 1 worker on 1 core | " + (
        f"{sweep['speed_2_vs_1']:.2f}x ({sweep['label']}) | {'yes' if sweep['speed_2_vs_1'] >= 1.8 else 'no'} | "
        f"{sweep['measured']} |" if sweep else "not measured | – | – |"))
    start = stored.get("start")
    if start:
        warm, job = (statistics.median(start[k]) for k in ("start_warm_s", "main_job_s"))
        lines.append(f"| cold start: first `hwsim run` in a fresh process <= 3 s (warm cache) | "
                     f"{warm:.2f} s (`--samples 1`, whole process) | {'yes' if warm <= 3 else 'no'} | {start['measured']} |")
        lines.append(f"| main job (`hwsim run`) <= 30 s | {job:.2f} s | {'yes' if job <= 30 else 'no'} | "
                     f"{start['measured']} |")
    else:
        lines.append("| cold start and main job | not measured | – | – |")
    return "\n".join(lines)


def _external(name: str, quick: bool, folder: Path) -> dict:
    """Run W3 or W4's own script (it rewrites its section); return what the goals need."""
    if name == "W3":
        out = folder / "lava.json"
        args = ["bench/bench_lava.py", "--json", str(out)] + (["--steps", "100", "--repeats", "1"] if quick else [])
        subprocess.run([sys.executable, *args], cwd=ROOT, check=True)
        return {"W3": json.loads(out.read_text())}
    out = folder / "sweep.json"
    args = ["bench/bench_sweep.py", "--json", str(out)] + (["--workload", "3:100", "--repeats", "1"] if quick else [])
    subprocess.run([sys.executable, *args], cwd=ROOT, check=True)
    return {"W4": json.loads(out.read_text())[-1]}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="smallest sizes, 1 process, no inner repeats")
    parser.add_argument("--only", help="comma-separated: W1, W2 (optionally :SIZE), W3, W4, start")
    parser.add_argument("--simulators", help=f"comma-separated subset of {sorted(SIMULATORS)}")
    parser.add_argument("--processes", type=int, help="fresh processes per row (default 3; --quick: 1)")
    parser.add_argument("--max-wait-s", type=float, default=30.0,
                        help="longest wait for a quiet machine before each process")
    parser.add_argument("--retries", type=int, default=1, help="redo a contended process this many times")
    parser.add_argument("--no-write", action="store_true", help="print only; leave bench/RESULTS.md alone")
    args = parser.parse_args(argv)
    argv = sys.argv[1:] if argv is None else argv
    command = "python bench/run_all.py" + "".join(f" {a}" for a in argv)
    selection, external = _selection(args.only, args.quick)
    processes = args.processes or (1 if args.quick else 3)
    sims = args.simulators.split(",") if args.simulators else list(SIMULATORS)
    for workload in dict(selection):
        workloads.load(workload)  # generate the shared arrays once, before any process needs them
    folder = Path(tempfile.mkdtemp(prefix="bench_run_all_"))
    try:
        tasks = harness.plan(selection, sims)
        records = harness.measure_all(tasks, processes, 0.0 if args.quick else 1.0, folder / "cache",
                                      retries=args.retries, max_wait_s=args.max_wait_s)
        rows = harness.summarise_all(records)
        extra = {}
        for name in external:
            print(f"running {name}", flush=True)
            extra.update(_external(name, args.quick, folder) if name != "start" else
                         {"start": cold_start.measure(processes)})
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    sections = {f"peers_{w}": workload_section(w, [r for r in rows if r["task"].workload == w], command, processes)
                for w in dict.fromkeys(w for w, _ in selection)}
    if "start" in extra:
        sections["cold_start"] = cold_start.section(extra["start"], command, machine())
    if not args.no_write:
        stored = _merge(rows, extra)
        sections["goals"] = goals_section(stored, command)
        for name, body in sections.items():
            write_section(name, body)
    print("\n\n".join(sections.values()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
