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

import sys
from pathlib import Path

from hwsim.interop.side_env import PipEnv, env_cli

SANAFE_VERSION = "2.2.9"
#: What the environment holds (the runner needs numpy; SANA-FE's own files are YAML).
PACKAGES = (f"sanafe=={SANAFE_VERSION}", "numpy>=1.24,<3", "pyyaml>=6,<7")
MARKER = "hwsim-sanafe-env.json"
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


ENV = PipEnv(what="SANA-FE", prog=PROG, folder=".venv-sanafe", venv_var=VENV_ENV_VAR, packages=PACKAGES,
             marker=MARKER, verify_script=_VERIFY)


def default_venv() -> Path:
    """The environment's folder: ``$HWSIM_SANAFE_VENV`` if set, else ``.venv-sanafe`` at the repository root."""
    return ENV.default_venv()


def sanafe_python(venv: Path | None = None) -> Path:
    """The environment's Python interpreter (it may not exist yet)."""
    return ENV.python(venv)


def ensure_sanafe_env(venv: Path | None = None, force: bool = False, log=print) -> Path:
    """Create, install and verify the environment (:meth:`~hwsim.interop.side_env.PipEnv.ensure`); return its
    Python."""
    return ENV.ensure(venv, force, log)


def main(argv: list[str] | None = None) -> int:
    """Command line entry: ``python -m hwsim.interop.sanafe_env [--venv DIR] [--force]``."""
    return env_cli("hwsim.interop.sanafe_env", __doc__, ".venv-sanafe", VENV_ENV_VAR, ensure_sanafe_env, argv)


if __name__ == "__main__":
    sys.exit(main())
