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

import sys
from pathlib import Path

from hwsim.interop.side_env import PipEnv, env_cli

PACKAGES = ("PyNN==0.13.0", "brian2==2.9.0", "numpy>=1.24,<2.4")
MARKER = "hwsim-brian2-env.json"
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


ENV = PipEnv(what="pyNN.brian2", prog=PROG, folder=".venv-brian2", venv_var=VENV_ENV_VAR, packages=PACKAGES,
             marker=MARKER, verify_script=_VERIFY)


def default_venv() -> Path:
    """The environment's folder: ``$HWSIM_BRIAN2_VENV`` if set, else ``.venv-brian2`` at the repository root."""
    return ENV.default_venv()


def brian2_python(venv: Path | None = None) -> Path:
    """The environment's Python interpreter (it may not exist yet)."""
    return ENV.python(venv)


def ensure_brian2_env(venv: Path | None = None, force: bool = False, log=print) -> Path:
    """Create, install and verify the environment (:meth:`~hwsim.interop.side_env.PipEnv.ensure`); return its
    Python."""
    return ENV.ensure(venv, force, log)


def main(argv: list[str] | None = None) -> int:
    """Command line entry: ``python -m hwsim.interop.brian2_env [--venv DIR] [--force]``."""
    return env_cli("hwsim.interop.brian2_env", __doc__, ".venv-brian2", VENV_ENV_VAR, ensure_brian2_env, argv)


if __name__ == "__main__":
    sys.exit(main())
