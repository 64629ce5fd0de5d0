"""Start-up cost of the CLI: ``hwsim run`` in fresh processes, with an empty and with a warm Numba cache.

Measured as whole-process wall time (imports, loading the bundled model and chips, Numba's
compile or cache load, simulation, report):

- ``hwsim run --samples 1``: the start-up a user waits for before any real work; the first
  process finds an empty Numba cache (cold compile), the later ones a warm one;
- ``hwsim run``: the main job (the bundled digits SNN on every bundled chip, all held-out samples),
  warm cache.
"""
from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
COMMANDS = {"start": ["run", "--samples", "1"], "main_job": ["run"]}


def _wall_s(args: list[str], cache: Path, folder: Path) -> float:
    env = dict(os.environ, NUMBA_CACHE_DIR=str(cache))
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "hwsim.cli", *args, "--json", str(folder / "report.json")],
                   env=env, cwd=folder, check=True, capture_output=True)
    return time.perf_counter() - start


def measure(processes: int = 3) -> dict:
    """Wall times [s]: ``start_cold_s`` (first process, empty cache), ``start_warm_s`` and
    ``main_job_s`` (lists over ``processes`` fresh processes, warm cache), interleaved."""
    folder = Path(tempfile.mkdtemp(prefix="bench_start_"))
    try:
        cache = folder / "numba_cache"
        result = {"start_cold_s": _wall_s(COMMANDS["start"], cache, folder), "start_warm_s": [], "main_job_s": []}
        for _ in range(processes):
            result["start_warm_s"].append(_wall_s(COMMANDS["start"], cache, folder))
            result["main_job_s"].append(_wall_s(COMMANDS["main_job"], cache, folder))
        return result
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def section(result: dict, command: str, machine: str) -> str:
    """The Markdown section of ``bench/RESULTS.md``."""
    def fmt(values):
        return f"{statistics.median(values):.2f} s ({', '.join(f'{v:.2f}' for v in values)})"
    return "\n".join([
        "## Cold start: `hwsim run` in a fresh process", "",
        f"Machine: {machine}. Command: `{command}`", "",
        "| measurement | Numba cache | wall time, median (all runs) |", "|---|---|---|",
        f"| `hwsim run --samples 1` (start-up) | empty (cold compile) | {result['start_cold_s']:.2f} s |",
        f"| `hwsim run --samples 1` (start-up) | warm | {fmt(result['start_warm_s'])} |",
        f"| `hwsim run` (main job: every bundled chip, all held-out samples) | warm | {fmt(result['main_job_s'])} |",
        "", "Whole processes: imports, model and chip loading, compile or cache load, simulation and report.",
    ])
