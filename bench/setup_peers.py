"""Create ``bench/.venv-peers``: the benchmark's own environment for the peer simulators.

The peers of ``bench/run_all.py`` that hwsim's environment does not hold run there, as
subprocesses of ``bench/runners.py``: snnTorch 1.0.0 on torch 2.13.0 (CPU) and Brian2 2.9.0
(Cython runtime and C++ standalone). Brian2 2.9.0 does not import with numpy 2.4
(``numpy.ndarray.ptp`` is gone), so the environment pins ``numpy==2.3.5``, which numba 0.68
also accepts; hwsim itself stays in its own environment and is not installed here.

Usage (from the repository root; idempotent, a few seconds when complete)::

    python bench/setup_peers.py [--venv bench/.venv-peers]

``torch==2.13.0`` is always pinned: it resolves to the local CPU wheel, while an unpinned
torch pulls the CUDA build and its packages. The test suite never needs this environment.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_VENV = ROOT / "bench" / ".venv-peers"
#: Installed in this order: torch alone first (pinned, CPU wheel), then the rest under the numpy pin.
STEPS = (("torch==2.13.0",),
         ("snntorch==1.0.0", "brian2==2.9.0", "cython", "numba", "numpy==2.3.5"))
MARKER = "bench-peers.json"
VERIFY = ("import json, sys, numpy, numba, torch, snntorch, brian2, Cython; "
          "print(json.dumps({'python': sys.version.split()[0], 'numpy': numpy.__version__, "
          "'numba': numba.__version__, 'torch': torch.__version__, 'snntorch': snntorch.__version__, "
          "'brian2': brian2.__version__, 'cython': Cython.__version__}))")


def peers_python(venv_dir: Path = DEFAULT_VENV) -> Path:
    """The interpreter of the peers environment (it may not exist yet)."""
    return venv_dir / "bin" / "python"


def peer_versions(venv_dir: Path = DEFAULT_VENV) -> dict | None:
    """Versions recorded when the environment was verified, or None when it is not set up."""
    marker = venv_dir / MARKER
    return json.loads(marker.read_text()) if marker.is_file() else None


def setup(venv_dir: Path) -> dict:
    """Create (or complete) the environment, verify the imports and record the versions."""
    python = peers_python(venv_dir)
    if not python.is_file():
        print(f"creating {venv_dir}")
        venv.create(venv_dir, with_pip=True)
    for packages in STEPS:
        print("pip install " + " ".join(packages), flush=True)
        subprocess.run([str(python), "-m", "pip", "install", "-q", *packages], check=True)
    out = subprocess.run([str(python), "-c", VERIFY], check=True, capture_output=True, text=True).stdout
    versions = json.loads(out.strip().splitlines()[-1])
    (venv_dir / MARKER).write_text(json.dumps(versions, indent=1) + "\n")
    return versions


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--venv", type=Path, default=DEFAULT_VENV)
    args = parser.parse_args(argv)
    versions = setup(args.venv.resolve())
    print("peers environment ready: " + ", ".join(f"{k} {v}" for k, v in versions.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
