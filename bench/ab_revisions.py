"""Before/after timing of two git revisions of hwsim on W1 and W2, interleaved in fresh processes.

Each revision is exported (``git archive``) to a temporary folder in the installed layout (``hwsim``, with
``kernels/`` as ``hwsim.kernels``, ``models/`` as ``hwsim.models``, ``chips/`` as ``hwsim.profiles``); every
round runs W1 b1, W1 b64 and W2 1s (``bench.sim_hwsim``: the ``ideal`` profile, ``simulate_spiking`` timed,
median of its repeats) once per revision, each in a new Python process with that revision first on
``sys.path``, revisions alternating so that a busy machine slows both alike. A first round per revision
fills its Numba cache and is not counted.

Usage (from the repository root, hwsim's environment)::

    python bench/ab_revisions.py BEFORE AFTER [--rounds 5]

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


def one_round(package: Path) -> dict:
    """W1 b1, W1 b64 and W2 1s in a fresh process that imports hwsim from ``package``."""
    proc = subprocess.run([sys.executable, "-c", ROUND], capture_output=True, text=True, check=True, cwd=package,
                          env={"PYTHONPATH": str(package), "PATH": "/usr/bin:/bin"})
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("before")
    parser.add_argument("after")
    parser.add_argument("--rounds", type=int, default=5, help="interleaved rounds (after one uncounted warm-up)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        packages = {rev: export(rev, Path(tmp) / f"rev{k}") for k, rev in enumerate((args.before, args.after))}
        for package in packages.values():
            one_round(package)                                  # fills the Numba cache
        times = {(rev, case): [] for rev in packages for case in (f"{w} {s}" for w, s in CASES)}
        for _ in range(args.rounds):
            for rev, package in packages.items():
                for case, seconds in one_round(package).items():
                    times[rev, case].append(seconds)
    before, after = args.before, args.after
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
