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

import os
import sys
import time
from pathlib import Path

from hwsim.interop.side_env import env_cli, needs_install, run_step, venv_python, verify_and_mark

SANAFE_VERSION = "2.2.9"
#: What the environment holds (the runner needs numpy; SANA-FE's own files are YAML).
PACKAGES = (f"sanafe=={SANAFE_VERSION}", "numpy>=1.24,<3", "pyyaml>=6,<7")
MARKER = "hwsim-sanafe-env.json"
REPO_ROOT = Path(__file__).resolve().parents[2]
VENV_ENV_VAR = "HWSIM_SANAFE_VENV"
PROG = "sanafe_env"

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
    return venv_python(default_venv() if venv is None else Path(venv))


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
        run_step([sys.executable, "-m", "venv", str(venv)], f"creating {venv}", PROG)
        log(f"created virtual environment {venv} ({sys.version.split()[0]})")
    marker = venv / MARKER
    spec = {"packages": list(PACKAGES), "python": list(sys.version_info[:2])}
    if needs_install(marker, spec, force):
        run_step([str(python), "-m", "pip", "install", "--quiet", *PACKAGES], "installing " + ", ".join(PACKAGES),
                 PROG)
        log(f"installed {', '.join(PACKAGES)}")
    else:
        log(f"sanafe {SANAFE_VERSION} already installed in {venv}")
    return verify_and_mark(python, _VERIFY, "SANA-FE", PROG, marker, spec, start, log)


def main(argv: list[str] | None = None) -> int:
    """Command line entry: ``python -m hwsim.interop.sanafe_env [--venv DIR] [--force]``."""
    return env_cli("hwsim.interop.sanafe_env", __doc__, ".venv-sanafe", VENV_ENV_VAR, ensure_sanafe_env, argv)


if __name__ == "__main__":
    sys.exit(main())
