"""Create ``.venv-brian2``: a virtual environment holding PyNN with Brian 2, the peer of ``hwsim.pynn``.

Brian 2 2.9.0, the last release for Python 3.11, uses ``numpy.ndarray.ptp``, which numpy 2.4 removed; so that
hwsim's own environment keeps current numpy, pyNN.brian2 lives in its own environment at the repository
root, and the tests run PyNN scripts there as separate processes (``tests/pynn_runner.py``)::

    python -m hwsim.interop.brian2_env            # create or check .venv-brian2
    python -m hwsim.interop.brian2_env --venv DIR # somewhere else (or set $HWSIM_BRIAN2_VENV)

The step is idempotent. It creates the environment with the running Python unless it exists; unless a marker
file records that :data:`PACKAGES` are installed, installs them; then verifies the result by running a
one-neuron PyNN network on pyNN.brian2 (numpy code generation, no C compiler needed). About 30 s with network
access; a few seconds when complete.
"""
from __future__ import annotations

import os
import sys
import time
from pathlib import Path

from hwsim.interop.side_env import env_cli, needs_install, run_step, venv_python, verify_and_mark

PACKAGES = ("PyNN==0.13.0", "brian2==2.9.0", "numpy>=1.24,<2.4")
MARKER = "hwsim-brian2-env.json"
REPO_ROOT = Path(__file__).resolve().parents[2]
VENV_ENV_VAR = "HWSIM_BRIAN2_VENV"
PROG = "brian2_env"

# A 2 nA step into one IF_curr_exp neuron (R = 20 MOhm, 40 mV above rest at steady state) must fire it.
_VERIFY = """
import brian2
brian2.prefs.codegen.target = "numpy"
import pyNN.brian2 as sim
from importlib.metadata import version
sim.setup(timestep=0.1)
cell = sim.Population(1, sim.IF_curr_exp(i_offset=2.0))
cell.record("spikes")
sim.run(50.0)
n = cell.get_data().segments[0].spiketrains[0].size
if n < 1:
    raise SystemExit(f"pyNN.brian2: the driven neuron did not fire ({n} spikes)")
print(f"PyNN {version('PyNN')}, brian2 {version('brian2')}: a driven IF_curr_exp fired {n} times in 50 ms")
"""


def default_venv() -> Path:
    """The environment's folder: ``$HWSIM_BRIAN2_VENV`` if set, else ``.venv-brian2`` at the repository root."""
    return Path(os.environ.get(VENV_ENV_VAR) or REPO_ROOT / ".venv-brian2")


def brian2_python(venv: Path | None = None) -> Path:
    """The Python interpreter of the pyNN.brian2 environment (it may not exist yet)."""
    return venv_python(default_venv() if venv is None else Path(venv))


def ensure_brian2_env(venv: Path | None = None, force: bool = False, log=print) -> Path:
    """Create, install and verify the pyNN.brian2 environment; return its Python.

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
    python = brian2_python(venv)
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
        log(f"{', '.join(PACKAGES)} already installed in {venv}")
    return verify_and_mark(python, _VERIFY, "pyNN.brian2", PROG, marker, spec, start, log)


def main(argv: list[str] | None = None) -> int:
    """Command line entry: ``python -m hwsim.interop.brian2_env [--venv DIR] [--force]``."""
    return env_cli("hwsim.interop.brian2_env", __doc__, ".venv-brian2", VENV_ENV_VAR, ensure_brian2_env, argv)


if __name__ == "__main__":
    sys.exit(main())
