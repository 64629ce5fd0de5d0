"""What the side environments (``.venv-lava``, ``.venv-sanafe``, ``.venv-brian2``) share: running a step, the
marker, the CLI, and (:class:`PipEnv`) the whole build of an environment that pip alone fills.

Each side environment is a virtual environment at the repository root holding a peer simulator
that hwsim's own environment must not (Lava's pins, SANA-FE's licence); its builder module
(:mod:`hwsim.interop.lava_env`, :mod:`hwsim.interop.sanafe_env`) installs it idempotently and
records what it installed in a marker file.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from hwsim.errors import HwsimError, exit_status

REPO_ROOT = Path(__file__).resolve().parents[2]


def venv_python(venv: Path) -> Path:
    """The interpreter of the virtual environment at ``venv`` (it may not exist yet)."""
    return Path(venv) / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def run_step(cmd: list[str], what: str, prog: str) -> str:
    """Run ``cmd``; return its stdout, or raise HwsimError (``prog: what failed``) with its output."""
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        shown = " ".join(arg if "\n" not in arg else "<script>" for arg in cmd)
        raise HwsimError(f"{prog}: {what} failed (exit {proc.returncode}): {shown}\n"
                         f"{proc.stdout[-4000:]}{proc.stderr[-4000:]}\n"
                         f"Hint: pip needs network access to PyPI; fix the cause above and run again "
                         f"('--force' repeats the installation; deleting the environment folder starts over).")
    return proc.stdout


def needs_install(marker: Path, spec: dict, force: bool) -> bool:
    """True (and the marker removed) unless the marker records exactly ``spec``."""
    if force or not marker.is_file() or json.loads(marker.read_text()) != spec:
        marker.unlink(missing_ok=True)
        return True
    return False


def verify_and_mark(python: Path, script: str, what: str, prog: str, marker: Path, spec: dict,
                    start: float, log: Callable[[str], None]) -> Path:
    """Run the verification ``script`` in the environment, write the marker, log the time; return ``python``."""
    log("verified: " + run_step([str(python), "-c", script], f"verifying {what}", prog).strip())
    marker.write_text(json.dumps(spec, indent=1))
    log(f"done in {time.perf_counter() - start:.1f} s; {what}'s interpreter: {python}")
    return python


def env_cli(module: str, doc: str, default_name: str, venv_var: str,
            ensure: Callable[[Path | None, bool], object], argv: list[str] | None) -> int:
    """``python -m MODULE [--venv DIR] [--force]``: build the side environment with ``ensure(venv, force)``."""
    parser = argparse.ArgumentParser(prog=f"python -m {module}", description=doc.split("\n")[0])
    parser.add_argument("--venv", type=Path, default=None,
                        help=f"environment folder (default: {default_name} at the repository root, or ${venv_var})")
    parser.add_argument("--force", action="store_true",
                        help="run the installation steps even if the marker says they are done")
    args = parser.parse_args(argv)

    def build() -> None:
        ensure(args.venv, args.force)

    return exit_status(parser.prog, build)


@dataclass(frozen=True)
class PipEnv:
    """A side environment that ``pip install`` of fixed packages fills, checked by running a script in it.

    Attributes
    ----------
    what, prog : str
        The peer's name in messages, and the builder's (``sanafe_env``).
    folder, venv_var : str
        The default folder at the repository root (``.venv-sanafe``) and the variable that overrides it.
    packages : tuple of str
        pip requirements, pinned.
    marker : str
        File in the environment that records what was installed.
    verify_script : str
        Python run in the environment after installing; it prints one line, or exits non-zero.
    """

    what: str
    prog: str
    folder: str
    venv_var: str
    packages: tuple
    marker: str
    verify_script: str

    def default_venv(self) -> Path:
        """``$venv_var`` if set, else ``folder`` at the repository root."""
        return Path(os.environ.get(self.venv_var) or REPO_ROOT / self.folder)

    def python(self, venv: Path | None = None) -> Path:
        """The environment's interpreter (it may not exist yet)."""
        return venv_python(self.default_venv() if venv is None else Path(venv))

    def ensure(self, venv: Path | None = None, force: bool = False, log=print) -> Path:
        """Create the environment unless it exists, install :attr:`packages` unless the marker records them (or
        ``force``), verify it; return its Python. Raises :class:`~hwsim.errors.HwsimError` if a step fails."""
        venv = (self.default_venv() if venv is None else Path(venv)).resolve()
        python = venv_python(venv)
        start = time.perf_counter()
        if not python.is_file():
            run_step([sys.executable, "-m", "venv", str(venv)], f"creating {venv}", self.prog)
            log(f"created virtual environment {venv} ({sys.version.split()[0]})")
        marker = venv / self.marker
        spec = {"packages": list(self.packages), "python": list(sys.version_info[:2])}
        if needs_install(marker, spec, force):
            run_step([str(python), "-m", "pip", "install", "--quiet", *self.packages],
                     "installing " + ", ".join(self.packages), self.prog)
            log(f"installed {', '.join(self.packages)}")
        else:
            log(f"{', '.join(self.packages)} already installed in {venv}")
        return verify_and_mark(python, self.verify_script, self.what, self.prog, marker, spec, start, log)
