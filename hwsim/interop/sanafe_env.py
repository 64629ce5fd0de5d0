"""Create ``.venv-sanafe``: a virtual environment holding SANA-FE, the peer hwsim is compared with.

SANA-FE (``sanafe`` on PyPI, SLAM-Lab/SANA-FE, Boyle et al., IEEE TCAD 2025) is GPL-3.0. hwsim never
imports it: it runs as a separate process in its own environment, driven by
:mod:`hwsim.interop.sanafe_runner` (a script that only that environment executes), and its files are
read as data. The environment lives at the repository root::

    python -m hwsim.interop.sanafe_env            # create or check .venv-sanafe
    python -m hwsim.interop.sanafe_env --venv DIR # somewhere else (or set $HWSIM_SANAFE_VENV)

The step is idempotent. It creates the environment with the running Python unless it exists;
unless a marker file records that :data:`PACKAGES` are installed, installs them; then verifies the
result by running SANA-FE's bundled two-neuron example. About 15 s with network access; a second
or two when complete. It prints what it did and exits non-zero with a message when a step fails.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

from hwsim.errors import HwsimError, exit_status
from hwsim.interop.lava_env import lava_python

SANAFE_VERSION = "2.2.9"
#: What the environment holds (the runner needs numpy; SANA-FE's own files are YAML).
PACKAGES = (f"sanafe=={SANAFE_VERSION}", "numpy>=1.24,<3", "pyyaml>=6,<7")
MARKER = "hwsim-sanafe-env.json"
REPO_ROOT = Path(__file__).resolve().parents[2]
VENV_ENV_VAR = "HWSIM_SANAFE_VENV"

# Runs inside the new environment: SANA-FE's bundled example must simulate and report energy.
_VERIFY = """
import sanafe
from importlib.metadata import version
arch, net = sanafe.load_example()
chip = sanafe.SpikingChip(arch)
chip.load(net)
result = chip.sim(3)
if result["timesteps_executed"] != 3 or not result["energy"]["total"] > 0:
    raise SystemExit(f"SANA-FE example: {result}")
print(f"sanafe {version('sanafe')}: example ran 3 steps, {result['energy']['total']:.3g} J")
"""


def default_venv() -> Path:
    """The SANA-FE environment's folder: ``$HWSIM_SANAFE_VENV`` if set, else ``.venv-sanafe`` at the repository root."""
    return Path(os.environ.get(VENV_ENV_VAR) or REPO_ROOT / ".venv-sanafe")


def sanafe_python(venv: Path | None = None) -> Path:
    """The Python interpreter of the SANA-FE environment (it may not exist yet)."""
    return lava_python(default_venv() if venv is None else Path(venv))


def _run(cmd: list[str], what: str) -> str:
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        raise HwsimError(f"sanafe_env: {what} failed (exit {proc.returncode}): {cmd[0]} ...\n"
                         f"{proc.stdout[-3000:]}{proc.stderr[-3000:]}\n"
                         f"Hint: pip needs network access to PyPI; fix the cause above and run again "
                         f"('--force' repeats the installation; deleting the environment folder starts over).")
    return proc.stdout


def ensure_sanafe_env(venv: Path | None = None, force: bool = False, log=print) -> Path:
    """Create, install and verify the SANA-FE environment; return its Python.

    Parameters
    ----------
    venv : Path, optional
        Environment folder; :func:`default_venv` when omitted.
    force : bool
        Install even if the marker says the environment is complete.
    log : callable
        Receives one line per action.

    Raises
    ------
    HwsimError
        If a step fails.
    """
    venv = (default_venv() if venv is None else Path(venv)).resolve()
    python = sanafe_python(venv)
    start = time.perf_counter()
    if not python.is_file():
        _run([sys.executable, "-m", "venv", str(venv)], f"creating {venv}")
        log(f"created virtual environment {venv} ({sys.version.split()[0]})")
    marker = venv / MARKER
    spec = {"packages": list(PACKAGES), "python": list(sys.version_info[:2])}
    if force or not marker.is_file() or json.loads(marker.read_text()) != spec:
        marker.unlink(missing_ok=True)
        _run([str(python), "-m", "pip", "install", "--quiet", *PACKAGES], "installing " + ", ".join(PACKAGES))
        log(f"installed {', '.join(PACKAGES)}")
    else:
        log(f"sanafe {SANAFE_VERSION} already installed in {venv}")
    log("verified: " + _run([str(python), "-c", _VERIFY], "verifying SANA-FE").strip())
    marker.write_text(json.dumps(spec, indent=1))
    log(f"done in {time.perf_counter() - start:.1f} s; SANA-FE's interpreter: {python}")
    return python


def main(argv: list[str] | None = None) -> int:
    """Command line entry: ``python -m hwsim.interop.sanafe_env [--venv DIR] [--force]``."""
    parser = argparse.ArgumentParser(prog="python -m hwsim.interop.sanafe_env", description=__doc__.split("\n")[0])
    parser.add_argument("--venv", type=Path, default=None,
                        help=f"environment folder (default: .venv-sanafe at the repository root, or ${VENV_ENV_VAR})")
    parser.add_argument("--force", action="store_true", help="install even if the marker says it is done")
    args = parser.parse_args(argv)
    return exit_status(parser.prog, lambda: ensure_sanafe_env(args.venv, args.force) and None)


if __name__ == "__main__":
    sys.exit(main())
