"""Before/after timing of two git revisions of hwsim on W1 and W2, interleaved in fresh processes.

Each revision is exported (``git archive``) to a temporary folder in the installed layout (``hwsim``, with
``kernels/`` as ``hwsim.kernels``, ``models/`` as ``hwsim.models``, ``chips/`` as ``hwsim.profiles``); every
round runs W1 b1, W1 b64 and W2 1s (``bench.sim_hwsim``: the ``ideal`` profile, ``simulate_spiking`` timed,
median of its repeats) once per revision, each in a new Python process with that revision first on
``sys.path``, revisions alternating so that a busy machine slows both alike. A first round per revision
fills its Numba cache and is not counted.

With ``--sanafe NETWORK ...`` the rounds run networks of ``bench/bench_sanafe.py`` instead (``dvs``, ``dense``,
``sparse``, ``recurrent``, ``leaky`` on ``loihi_sanafe`` with SANA-FE's limits, 1000 steps, hwsim alone): the CPU
seconds of ``simulate_spiking`` (all threads; steadier than wall-clock time on a shared machine), the fastest of 5
runs, and the synaptic events per CPU second; both revisions must count the same events and spikes.

Usage (from the repository root, hwsim's environment)::

    python bench/ab_revisions.py BEFORE AFTER [--rounds 5] [--sanafe recurrent dvs ...]

Prints a markdown table (min and median over the rounds, and the median of the per-round ratios); it writes
nothing in the repository.
"""
from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CASES = (("W1", "b1"), ("W1", "b64"), ("W2", "1s"))
LAYOUT = {"hwsim": "hwsim", "kernels": "hwsim/kernels", "models": "hwsim/models", "chips": "hwsim/profiles"}
ROUND = f"""
import json, statistics, sys
sys.path.append({str(ROOT)!r})
from bench import sim_hwsim, workloads
out = {{}}
for workload, size in {CASES!r}:
    record = sim_hwsim.run(workload, workloads.size(workload, size), workloads.load(workload), min_total_s=1.0)
    out[workload + " " + size] = statistics.median(r["wall_s"] for r in record["runs"])
print(json.dumps(out))
"""
SANAFE_ROUND = f"""
import json, sys, time
from pathlib import Path
from hwsim.chips import load_chip
from hwsim.interop.sanafe_cases import CASES
from hwsim.interop.sanafe_dvs import read_dvs_npz
from hwsim.interop.sanafe_peer import sanafe_example, sanafe_limits
from hwsim.lowering import lower_spiking
from hwsim.mapping import map_graph
from hwsim.pipeline import network_inputs
from hwsim.quantize import quantize_spiking
from hwsim.simulate import simulate_spiking
chip = sanafe_limits(load_chip("loihi_sanafe"))
out = {{}}
for name in sys.argv[1:]:
    graph = (read_dvs_npz(sanafe_example("dvs_challenge.npz", venv=Path({str(ROOT / ".venv-sanafe")!r})))
             if name == "dvs" else CASES[name](1.0))
    arrays = lower_spiking(quantize_spiking(graph, chip), map_graph(graph, chip), chip.capacity.bits_per_synapse,
                           chip.capacity.memory_word_bits)
    inputs, _ = network_inputs(graph, None, 1000)
    result = simulate_spiking(arrays, inputs)
    cpu_s = []
    for _ in range(5):
        start = time.process_time()
        simulate_spiking(arrays, inputs)
        cpu_s.append(time.process_time() - start)
    out[name] = [min(cpu_s), int(result.counts[..., 0].sum()), int(result.spike_count.sum())]
print(json.dumps(out))
"""


def export(revision: str, folder: Path) -> Path:
    """``revision``'s tree in the installed layout under ``folder``; returns the folder to put on sys.path."""
    folder.mkdir(parents=True)
    archive = folder / "tree.tar"
    subprocess.run(["git", "-C", str(ROOT), "archive", "-o", str(archive), revision], check=True)
    tree = folder / "tree"
    with tarfile.open(archive) as tar:
        tar.extractall(tree, filter="data")
    package = folder / "package"
    for source, target in LAYOUT.items():
        shutil.copytree(tree / source, package / target, dirs_exist_ok=True)
    return package


def one_round(package: Path, sanafe: list[str] | None = None) -> dict:
    """W1 b1, W1 b64 and W2 1s (or the ``sanafe`` networks: ``[cpu_s, events, spikes]`` each) in a fresh
    process that imports hwsim from ``package``."""
    code = [SANAFE_ROUND, *sanafe] if sanafe else [ROUND]
    proc = subprocess.run([sys.executable, "-c", *code], capture_output=True, text=True, check=True, cwd=package,
                          env={"PYTHONPATH": str(package), "PATH": "/usr/bin:/bin"})
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _sanafe_table(times: dict, before: str, after: str, networks: list[str]) -> None:
    """Print the ``--sanafe`` table; exits 1 when the revisions count different events or spikes."""
    print(f"| network | {before} min / median CPU s | {after} min / median CPU s | M events per CPU s, "
          f"{before} / {after} | after / before (median of rounds) |")
    print("|---|---|---|---|---|")
    for name in networks:
        b, a = times[before, name], times[after, name]
        if {tuple(r[1:]) for r in b + a} != {tuple(b[0][1:])}:
            sys.exit(f"{name}: the revisions count different synaptic events or spikes")
        cpu_b, cpu_a, events = [r[0] for r in b], [r[0] for r in a], b[0][1]
        ratio = statistics.median(y / x for x, y in zip(cpu_b, cpu_a))
        print(f"| {name} | {min(cpu_b):.4f} / {statistics.median(cpu_b):.4f} | {min(cpu_a):.4f} / "
              f"{statistics.median(cpu_a):.4f} | {events / min(cpu_b) / 1e6:.0f} / {events / min(cpu_a) / 1e6:.0f} "
              f"| {ratio:.2f} |")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("before")
    parser.add_argument("after")
    parser.add_argument("--rounds", type=int, default=5, help="interleaved rounds (after one uncounted warm-up)")
    parser.add_argument("--sanafe", nargs="+", choices=("dvs", "dense", "sparse", "recurrent", "leaky"),
                        help="time these networks of bench/bench_sanafe.py instead of W1 and W2")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        packages = {rev: export(rev, Path(tmp) / f"rev{k}") for k, rev in enumerate((args.before, args.after))}
        for package in packages.values():
            one_round(package, args.sanafe)                     # fills the Numba cache
        times = {}
        for _ in range(args.rounds):
            for rev, package in packages.items():
                for case, seconds in one_round(package, args.sanafe).items():
                    times.setdefault((rev, case), []).append(seconds)
    before, after = args.before, args.after
    if args.sanafe:
        print(f"{args.rounds} interleaved rounds; CPU seconds of simulate_spiking, fastest of 5 runs per round.\n")
        _sanafe_table(times, before, after, args.sanafe)
        return
    print(f"{args.rounds} interleaved rounds; seconds of simulate_spiking (median of each run's repeats).\n")
    print(f"| workload | {before} min / median s | {after} min / median s | after / before (median of rounds) |")
    print("|---|---|---|---|")
    for case in (f"{w} {s}" for w, s in CASES):
        b, a = times[before, case], times[after, case]
        ratio = statistics.median(y / x for x, y in zip(b, a))
        print(f"| {case} | {min(b):.4f} / {statistics.median(b):.4f} | {min(a):.4f} / {statistics.median(a):.4f} "
              f"| {ratio:.2f} |")


if __name__ == "__main__":
    main()
