"""PyNN's VA benchmark (CUBA, full size: 4000 cells, 1 s at 0.1 ms) on hwsim's chips beside pyNN.brian2.

``tests/pynn_examples/VAbenchmarks.py`` is PyNN's own script. pyNN.brian2 (``.venv-brian2``, numpy code
generation, as ``tests/pynn_runner.py`` sets it) runs it as it is; hwsim runs a copy whose import line reads
``from hwsim.pynn.utility import ...``, with ``hwsim.<chip> CUBA`` as its command line. Each run is a fresh
process (``tests/pynn_runner.py``); the table gives each population's mean rate with its standard error (batch
means over 50 ms windows), the script's own build / simulation / writing times (its ``Timer``) and the whole
script's wall time. The backends' connectivity differs on the same seed (``tests/test_pynn_va.py`` says why),
so rates agree only statistically.

Usage (repository root, hwsim's environment)::

    python bench/pynn_va.py [--backends ideal spinnaker brian2]
"""
from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

from hwsim.interop.brian2_env import brian2_python

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "tests" / "pynn_examples" / "VAbenchmarks.py"
RUNNER = ROOT / "tests" / "pynn_runner.py"
IMPORT = ("from pyNN.utility import get_simulator", "from hwsim.pynn.utility import get_simulator")
TSTOP_MS, WINDOW_MS = 1000.0, 50.0
TIMES = ("Build time", "Simulation time", "Writing time")


def _run(backend: str, folder: Path) -> dict:
    """Run the benchmark on ``backend`` (a chip name, or "brian2"); its rates, times and wall time."""
    out = folder / f"{backend}.npz"
    if backend == "brian2":
        command = [str(brian2_python()), str(RUNNER), "brian2", str(SCRIPT), str(out), "brian2", "CUBA"]
    else:
        script = folder / "VAbenchmarks_hwsim.py"
        script.write_text(SCRIPT.read_text().replace(*IMPORT))
        command = [sys.executable, str(RUNNER), f"hwsim:{backend}", str(script), str(out), f"hwsim.{backend}",
                   "CUBA"]
    proc = subprocess.run(command, cwd=folder, capture_output=True, text=True)
    if proc.returncode:
        raise SystemExit(f"pynn_va: {backend} failed:\n{proc.stderr[-3000:]}")
    row = {name: float(re.search(rf"{name} +: ([0-9.e+-]+) s", proc.stdout).group(1)) for name in TIMES}
    with np.load(out) as data:
        row["wall_s"] = float(data["__wall_s"])
        for label in ("Excitatory_Cells", "Inhibitory_Cells"):
            n_cells = data[f"{label}/counts"].size
            edges = np.arange(0.0, TSTOP_MS + WINDOW_MS / 2, WINDOW_MS)
            hz = np.histogram(data[f"{label}/spikes"], bins=edges)[0] / n_cells / (WINDOW_MS / 1000.0)
            row[label] = (hz.mean(), hz.std(ddof=1) / np.sqrt(hz.size))
    return row


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backends", nargs="+", default=["ideal", "spinnaker", "brian2"],
                        help="hwsim chips and/or brian2 (default: ideal spinnaker brian2)")
    args = parser.parse_args(argv)
    print("| backend | excitatory rate (Hz) | inhibitory rate (Hz) | build (s) | simulation (s) | writing (s) | "
          "script wall (s) |")
    print("|---|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as tmp:
        for backend in args.backends:
            row = _run(backend, Path(tmp))
            rates = " | ".join(f"{row[label][0]:.3f} ± {row[label][1]:.3f}"
                               for label in ("Excitatory_Cells", "Inhibitory_Cells"))
            name = "pyNN.brian2 (numpy)" if backend == "brian2" else f"hwsim `{backend}`"
            print(f"| {name} | {rates} | " + " | ".join(f"{row[t]:.3g}" for t in TIMES)
                  + f" | {row['wall_s']:.3g} |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
