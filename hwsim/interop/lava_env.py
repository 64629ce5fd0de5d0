"""Create ``.venv-lava``: a second virtual environment with Lava 0.10.0 and hwsim, for parity runs.

Lava (``lava-nc`` 0.10.0), whose fixed-point models are the executable specification of
hwsim's Loihi-like arithmetic, declares Python 3.10 only and needs ``numpy<2`` and
``networkx<=2.8.7``. So that hwsim's own environment keeps current numpy and networkx,
Lava lives in its own virtual environment at the repository root::

    python -m hwsim.interop.lava_env            # create or check .venv-lava
    python -m hwsim.interop.lava_env --venv DIR # somewhere else (or set $HWSIM_LAVA_VENV)

The step is idempotent. It

1. creates the environment with the running Python (3.10 or 3.11) unless it exists;
2. unless a marker file records that this exact set is installed: installs hwsim (editable,
   with its dependencies) and Lava's requirements under the pins of :data:`CONSTRAINTS`
   (numpy stays below 2; the numba that resolves, 0.68, supports numpy 1.22-2.5), then
   ``lava-nc==0.10.0`` alone with ``--no-deps --ignore-requires-python`` (the flag must not
   reach the other packages, or pip picks releases for newer Pythons), then runs ``pip check``;
3. applies Lava's one Python 3.11 fix, :data:`PATCH` (skipped when already applied);
4. verifies the result by importing Lava and hwsim there and running one tiny Lava network.

About 55 s and 660 MB on a fresh machine with network access; a few seconds when complete.

It prints what it did and exits non-zero with a message when a step fails.
:func:`lava_python` is where the parity tests and the benchmark find the interpreter.
"""
from __future__ import annotations

import hashlib
import os
import sys
import time
from pathlib import Path

from hwsim.errors import HwsimError
from hwsim.interop.side_env import env_cli, needs_install, run_step, venv_python, verify_and_mark

LAVA_VERSION = "0.10.0"
CONSTRAINTS = ("numpy>=1.24.4,<2", "networkx<=2.8.7", "scipy<1.15", "scikit-learn>=1.5,<1.6",
               "asteval>=0.9.31,<0.10")
#: ``(file under site-packages, text before, text after)``: Python 3.11 refuses a dataclass
#: default whose type is unhashable, and Lava's ``CoreEncoder`` defaults to ``ByteEncoder()``.
PATCH = ("lava/magma/compiler/var_model.py", "@dataclass\nclass ByteEncoder:",
         "@dataclass(unsafe_hash=True)\nclass ByteEncoder:")
MARKER = "hwsim-lava-env.json"
REPO_ROOT = Path(__file__).resolve().parents[2]
VENV_ENV_VAR = "HWSIM_LAVA_VENV"

# Runs inside the new environment: a spike at step 1 through weight 200 (<< 6 = 12,800 > vth << 6 = 6,400)
# must fire the LIF at step 2 (Dense adds one step) and at no other step.
_VERIFY = """
import numpy as np, lava, numba
from importlib.metadata import version
from lava.magma.core.run_conditions import RunSteps
from lava.magma.core.run_configs import Loihi2SimCfg
from lava.proc.dense.process import Dense
from lava.proc.io.sink import RingBuffer as Sink
from lava.proc.io.source import RingBuffer as Source
from lava.proc.lif.process import LIF
import hwsim.interop.lava
src = Source(data=np.array([[1, 0, 0, 0]]))
dense = Dense(weights=np.array([[200]]))
lif = LIF(shape=(1,), du=4095, dv=0, vth=100)
sink = Sink(shape=(1,), buffer=4)
src.s_out.connect(dense.s_in); dense.a_out.connect(lif.a_in); lif.s_out.connect(sink.a_in)
lif.run(condition=RunSteps(num_steps=4), run_cfg=Loihi2SimCfg(select_tag="fixed_pt"))
spikes = sink.data.get().astype(int).ravel().tolist()
lif.stop()
if spikes != [0, 1, 0, 0]:
    raise SystemExit(f"tiny Lava network: spikes {spikes}; expected [0, 1, 0, 0]")
print(f"lava-nc {version('lava-nc')}, numpy {np.__version__}, numba {numba.__version__}, "
      f"networkx {version('networkx')}: tiny network spikes {spikes}")
"""


def default_venv() -> Path:
    """The Lava environment's folder: ``$HWSIM_LAVA_VENV`` if set, else ``.venv-lava`` at the repository root."""
    return Path(os.environ.get(VENV_ENV_VAR) or REPO_ROOT / ".venv-lava")


def lava_python(venv: Path | None = None) -> Path:
    """The Python interpreter of the Lava environment (it may not exist yet).

    Parameters
    ----------
    venv : Path, optional
        Environment folder; :func:`default_venv` when omitted.
    """
    return venv_python(default_venv() if venv is None else Path(venv))


def _run(cmd: list[str], what: str) -> str:
    """Run ``cmd``; return its stdout, or raise HwsimError with its output when it fails."""
    return run_step(cmd, what, "lava_env")


def _spec() -> dict:
    """What the environment must hold; a change (e.g. hwsim's setup.cfg) triggers a reinstall."""
    setup_cfg = REPO_ROOT / "setup.cfg"
    return {"lava-nc": LAVA_VERSION, "constraints": list(CONSTRAINTS), "hwsim": str(REPO_ROOT),
            "setup.cfg sha256": hashlib.sha256(setup_cfg.read_bytes()).hexdigest(),
            "python": list(sys.version_info[:2])}


def _install(python: Path) -> None:
    _run([str(python), "-m", "pip", "install", "--quiet", "--upgrade", "pip"], "upgrading pip")
    pip = [str(python), "-m", "pip", "install", "--quiet"]
    # Lava's own requirements (the pins) and hwsim with its dependencies, resolved together for this Python ...
    _run(pip + [*CONSTRAINTS, "-e", str(REPO_ROOT)], "installing hwsim and Lava's pinned requirements")
    # ... then Lava alone: --ignore-requires-python must not reach the others (it would pick releases
    # for newer Pythons), and every requirement of lava-nc is already in place.
    _run(pip + ["--no-deps", "--ignore-requires-python", f"lava-nc=={LAVA_VERSION}"],
         f"installing lava-nc {LAVA_VERSION}")
    _run([str(python), "-m", "pip", "check"], "checking installed requirements")


def patch_file(path: Path) -> bool:
    """Apply :data:`PATCH` to Lava's ``var_model.py`` at ``path``; return True if the file changed.

    Raises
    ------
    HwsimError
        If the file is missing or holds neither the original nor the patched declaration.
    """
    if not path.is_file():
        raise HwsimError(f"lava_env: {path} not found; expected Lava {LAVA_VERSION}'s var_model.py. "
                         f"Hint: delete the environment and run again.")
    text = path.read_text()
    if PATCH[2] in text:
        return False
    if PATCH[1] not in text:
        raise HwsimError(f"lava_env: {path} holds neither the original nor the patched ByteEncoder "
                         f"declaration; expected Lava {LAVA_VERSION}. Hint: delete the environment and run again.")
    path.write_text(text.replace(PATCH[1], PATCH[2], 1))
    return True


def _site_packages(python: Path) -> Path:
    return Path(_run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                     "locating site-packages").strip())


def ensure_lava_env(venv: Path | None = None, force: bool = False, log=print) -> Path:
    """Create, install, patch and verify the Lava environment; return its Python.

    Parameters
    ----------
    venv : Path, optional
        Environment folder; :func:`default_venv` when omitted.
    force : bool
        Run the installation steps even if the marker says the environment is complete.
    log : callable
        Receives one line per action.

    Returns
    -------
    Path
        The environment's interpreter.

    Raises
    ------
    HwsimError
        If hwsim is not a source checkout, the Python version is not 3.10 or 3.11, or a step fails.
    """
    if not (REPO_ROOT / "setup.cfg").is_file():
        raise HwsimError(f"lava_env: no setup.cfg in {REPO_ROOT}; expected a source checkout of hwsim. "
                         f"Hint: clone the repository and run 'pip install -e .' there.")
    if sys.version_info[:2] not in ((3, 10), (3, 11)):
        raise HwsimError(f"lava_env: Python {sys.version_info[0]}.{sys.version_info[1]}; expected 3.10 or 3.11 "
                         f"(lava-nc {LAVA_VERSION} and its numpy<2 pins). Hint: run it with python3.11.")
    venv = (default_venv() if venv is None else Path(venv)).resolve()
    python = lava_python(venv)
    start = time.perf_counter()
    if not python.is_file():
        _run([sys.executable, "-m", "venv", str(venv)], f"creating {venv}")
        log(f"created virtual environment {venv} ({sys.version.split()[0]})")
    marker = venv / MARKER
    spec = _spec()
    if needs_install(marker, spec, force):
        _install(python)
        log(f"installed lava-nc {LAVA_VERSION}, hwsim (editable) and pins: {', '.join(CONSTRAINTS)}")
    else:
        log(f"lava-nc {LAVA_VERSION} and hwsim already installed in {venv}")
    log(f"patched {PATCH[0]} (ByteEncoder is now hashable)" if patch_file(_site_packages(python) / PATCH[0])
        else f"{PATCH[0]} already patched")
    return verify_and_mark(python, _VERIFY, "Lava", "lava_env", marker, spec, start, log)


def main(argv: list[str] | None = None) -> int:
    """Command line entry: ``python -m hwsim.interop.lava_env [--venv DIR] [--force]``."""
    return env_cli("hwsim.interop.lava_env", __doc__, ".venv-lava", VENV_ENV_VAR, ensure_lava_env, argv)


if __name__ == "__main__":
    sys.exit(main())
