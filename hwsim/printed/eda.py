"""Open-source EDA tools for the printed MLP's Verilog: Icarus Verilog and yosys.

::

    python -m hwsim.printed.eda     # install iverilog and yosys if missing, print their versions

Installation uses Debian's packages (``apt-get install -y --no-install-recommends iverilog yosys``,
with one ``apt-get update`` when the package lists are missing or stale); it needs root and apt.
Elsewhere install the two tools with the system's package manager and put them on ``PATH``.

:func:`simulate_iverilog` runs a design and its testbench (from :mod:`hwsim.printed.verilog`)
and returns the classes it printed; :func:`synthesize_yosys` maps a design onto the chip
profile's standard cells (:mod:`hwsim.printed.celllib`) and prices the netlist: cell counts,
area and leakage power.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from hwsim.chips import ChipProfile
from hwsim.errors import HwsimError, UnsupportedError, exit_status
from hwsim.printed.celllib import library_cells, liberty_text, verilog_models
from hwsim.printed.sta import critical_path_ms

#: Debian package -> the executables it provides that hwsim runs.
PACKAGES = {"iverilog": ("iverilog", "vvp"), "yosys": ("yosys",)}
INSTALL_HINT = "Hint: run 'python -m hwsim.printed.eda' (as root on Debian/Ubuntu: installs iverilog and yosys)."
_VECTOR_LINE = re.compile(r"^vector (\d+): class (\d+) expected (\d+)", re.MULTILINE)
_MISMATCH_LINE = re.compile(r"^mismatches (\d+) of (\d+)$", re.MULTILINE)
_LTP_LINE = re.compile(r"Longest topological path in \S+ \(length=(\d+)\)")
_CHIP_AREA_LINE = re.compile(r"Chip area for module '\\?\S+': ([0-9.eE+-]+)")
#: ABC script: structural hashing, SAT sweeping of equivalent nodes (``ifraig``), rewriting
#: (``dc2``, ``dch``), then ABC's area-oriented standard-cell mapper ``amap``: area is a printed
#: circuit's figure of merit and its clock (200 ms) is far above the critical path. yosys's
#: default (``&fraig -x; scorr; ...; &nf``) needs a buffer cell, which the profile's library lacks,
#: and its ``&fraig -x`` ran over 5 minutes on the digits MLP (``ifraig``: 14 s).
ABC_SCRIPT = "+strash;ifraig;dc2;strash;dch,-f;amap"


def tool_path(executable: str) -> str:
    """Absolute path of ``executable`` (``iverilog``, ``vvp`` or ``yosys``).

    Raises
    ------
    HwsimError
        If it is not on ``PATH``.
    """
    found = shutil.which(executable)
    if found is None:
        raise HwsimError(f"eda: '{executable}' not found on PATH; expected Icarus Verilog (iverilog, vvp) and "
                         f"yosys installed. {INSTALL_HINT}")
    return found


def _run(cmd: list[str], what: str, cwd: Path | None = None, env: dict | None = None) -> str:
    """Run ``cmd``; return its stdout and stderr together, or raise HwsimError showing their tail."""
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=cwd, env=env)
    if proc.returncode != 0:
        raise HwsimError(f"eda: {what} failed (exit {proc.returncode}): {' '.join(cmd)}\n"
                         f"{proc.stdout[-3000:]}{proc.stderr[-3000:]}")
    return proc.stdout + proc.stderr


def tool_versions(executables: tuple[str, ...] = ("iverilog", "yosys")) -> dict[str, str]:
    """First line of each ``executable -V`` (default iverilog and yosys; HwsimError if one is missing)."""
    versions = {}
    for executable in executables:
        proc = subprocess.run([tool_path(executable), "-V"], capture_output=True, text=True)
        versions[executable] = (proc.stdout or proc.stderr).strip().splitlines()[0]
    return versions


def missing_packages() -> list[str]:
    """Debian packages of :data:`PACKAGES` with an executable not on ``PATH``."""
    return [pkg for pkg, executables in PACKAGES.items() if any(shutil.which(e) is None for e in executables)]


def install_tools(log=print) -> list[str]:
    """Install the missing packages with apt-get; return the ones installed (empty: nothing to do).

    Parameters
    ----------
    log : callable
        Receives one line per action.

    Raises
    ------
    HwsimError
        If apt-get is missing, the process is not root, or the installation fails.
    """
    missing = missing_packages()
    if not missing:
        return []
    if shutil.which("apt-get") is None:
        raise HwsimError(f"eda: {', '.join(missing)} missing and apt-get not found; expected a Debian-like system "
                         f"to install them automatically. Hint: install them with your package manager "
                         f"(e.g. 'brew install icarus-verilog yosys', 'dnf install iverilog yosys').")
    if os.geteuid() != 0:
        raise HwsimError(f"eda: {', '.join(missing)} missing and this process is not root; expected root to run "
                         f"apt-get. Hint: sudo apt-get install -y --no-install-recommends {' '.join(missing)}")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    install = ["apt-get", "install", "-y", "--no-install-recommends", *missing]
    log(f"installing {', '.join(missing)} with apt-get")
    if subprocess.run(install, capture_output=True, text=True, env=env).returncode != 0:
        log("apt-get install failed; running apt-get update once and retrying")
        _run(["apt-get", "update"], "apt-get update", env=env)
        _run(install, "apt-get install", env=env)
    return missing


def simulate_iverilog(verilog: str, testbench: str) -> np.ndarray:
    """Compile and run a design with its testbench in Icarus Verilog; return the classes it printed.

    Parameters
    ----------
    verilog : str
        The design (:func:`hwsim.printed.verilog.verilog_for`).
    testbench : str
        Its testbench (:func:`hwsim.printed.verilog.testbench_for`), which prints one
        ``vector k: class c expected e`` line per vector and a ``mismatches m of n`` line.

    Returns
    -------
    ndarray
        int64 ``(n_vectors,)`` class the circuit produced for each vector, in vector order.

    Raises
    ------
    HwsimError
        If a tool is missing, compilation fails, or the output lacks a vector's line.
    """
    iverilog, vvp = tool_path("iverilog"), tool_path("vvp")
    with tempfile.TemporaryDirectory(prefix="hwsim_iverilog_") as tmp:
        folder = Path(tmp)
        (folder / "design.v").write_text(verilog)
        (folder / "testbench.v").write_text(testbench)
        _run([iverilog, "-g2001", "-o", "sim.vvp", "design.v", "testbench.v"], "iverilog compilation", folder)
        output = _run([vvp, "-n", "sim.vvp"], "vvp simulation", folder)
    summary = _MISMATCH_LINE.search(output)
    lines = {int(k): int(c) for k, c, _ in _VECTOR_LINE.findall(output)}
    if summary is None or sorted(lines) != list(range(int(summary.group(2)))):
        raise HwsimError(f"eda: the testbench printed {len(lines)} vector lines and "
                         f"{'no' if summary is None else 'a'} summary; expected one 'vector k: ...' line per "
                         f"vector and 'mismatches m of n'. Output tail:\n{output[-2000:]}")
    return np.array([lines[k] for k in range(len(lines))], dtype=np.int64)


def _yosys_script(top: str) -> str:
    """The flow over ``design.v`` and ``cells.lib``, writing ``stat.json``, ``stat_liberty.txt`` (yosys's own
    area from the liberty), ``netlist.v`` and ``netlist.json``.

    The cells' port directions (``read_liberty -lib``) are loaded only after mapping, for ``ltp``:
    loaded before, they change ABC's result.
    """
    return "\n".join([
        "read_verilog design.v",
        f"synth -top {top} -flatten",
        f"abc -liberty cells.lib -script {ABC_SCRIPT}",
        "opt_clean -purge",
        "tee -q -o stat.json stat -json",
        "tee -q -o stat_liberty.txt stat -liberty cells.lib",
        "write_verilog -noattr netlist.v",
        "write_json netlist.json",
        "read_liberty -lib cells.lib",
        "ltp -noff",
    ]) + "\n"


def synthesize_yosys(verilog: str, chip: ChipProfile, top: str = "mlp") -> dict:
    """Synthesise a combinational design onto the chip's standard cells with yosys and ABC.

    The flow is ``read_verilog; synth -top TOP -flatten; abc -liberty LIB -script ABC_SCRIPT;
    opt_clean -purge; stat -json; stat -liberty LIB; write_verilog; write_json; read_liberty -lib LIB; ltp -noff``,
    with ``LIB`` the liberty file of :func:`hwsim.printed.celllib.liberty_text` and :data:`ABC_SCRIPT` an
    area-oriented mapping. The critical path is the mapped netlist's static timing with the cells' own delays
    (:func:`hwsim.printed.sta.critical_path_ms`).

    Parameters
    ----------
    verilog : str
        Synthesizable Verilog-2001 holding module ``top``.
    chip : ChipProfile
        A ``mac`` profile with a ``cells`` section (area_um2, leakage_uw per cell).
    top : str
        Top module name.

    Returns
    -------
    dict
        ``cells`` (count per library cell, only cells the netlist uses), ``n_cells``,
        ``area_cm2`` (Σ count × cell area), ``power_mw`` (Σ count × cell leakage: static power
        only), ``stat_area_um2`` (the area yosys's ``stat -liberty`` reports), ``logic_depth`` (cells on the
        longest input-to-output path, yosys ``ltp``), ``critical_path_ms`` and ``critical_path_cells`` (static
        timing with the profile's cell delays: the latest output's arrival and the cells on its path), ``library``
        (the cells ABC could choose), ``netlist`` (the mapped design as structural Verilog),
        ``cell_models`` (a behavioural module per library cell, to simulate the netlist),
        ``notes`` (profile cells left out of the library, and why), ``seconds`` (yosys wall time) and ``yosys`` (its version line).

    Raises
    ------
    HwsimError
        If yosys is missing or fails.
    UnsupportedError
        If the netlist holds cells outside the library (e.g. flip-flops: the library is combinational).
    """
    yosys = tool_path("yosys")
    cells, notes = library_cells(chip)
    start = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="hwsim_yosys_") as tmp:
        folder = Path(tmp)
        (folder / "design.v").write_text(verilog)
        (folder / "cells.lib").write_text(liberty_text(chip.name, cells))
        (folder / "flow.ys").write_text(_yosys_script(top))
        log = _run([yosys, "-q", "-l", "yosys.log", "-s", "flow.ys"], "yosys synthesis", folder)
        log += (folder / "yosys.log").read_text()
        stat = json.loads((folder / "stat.json").read_text())
        stat_area = _CHIP_AREA_LINE.search((folder / "stat_liberty.txt").read_text())
        netlist = (folder / "netlist.v").read_text()
        mapped = json.loads((folder / "netlist.json").read_text())
    seconds = time.perf_counter() - start
    counts = {name: int(n) for name, n in stat["design"]["num_cells_by_type"].items()}
    foreign = sorted(name for name in counts if name not in cells)
    if foreign:
        raise UnsupportedError(f"yosys netlist of '{top}': cells {', '.join(foreign)} are not in chip "
                               f"'{chip.name}''s library ({', '.join(cells)}); expected only library cells. "
                               f"Hint: the library is combinational; export a design without registers.")
    depth = _LTP_LINE.search(log)
    path_ms, path_cells = critical_path_ms(mapped, top, cells, chip.timing["gate_delay_ms"].value)
    return {
        "cells": dict(sorted(counts.items())),
        "n_cells": sum(counts.values()),
        "area_cm2": sum(n * cells[name].area_um2 for name, n in counts.items()) * 1e-8,
        "power_mw": sum(n * cells[name].leakage_uw for name, n in counts.items()) * 1e-3,
        "stat_area_um2": float(stat_area.group(1)) if stat_area else None,
        "logic_depth": int(depth.group(1)) if depth else None,
        "critical_path_ms": path_ms,
        "critical_path_cells": path_cells,
        "library": sorted(cells),
        "netlist": netlist,
        "cell_models": verilog_models(cells),
        "notes": notes,
        "seconds": seconds,
        "yosys": tool_versions(("yosys",))["yosys"],
    }


def main(argv: list[str] | None = None) -> int:
    """Command line entry: ``python -m hwsim.printed.eda``."""
    parser = argparse.ArgumentParser(prog="python -m hwsim.printed.eda", description=__doc__.split("\n")[0])
    parser.parse_args(argv)

    def install_and_report() -> None:
        installed = install_tools()
        print(f"installed: {', '.join(installed)}" if installed else "iverilog and yosys already installed")
        for executable, version in tool_versions().items():
            print(f"{executable}: {version}")

    return exit_status(parser.prog, install_and_report)


if __name__ == "__main__":
    sys.exit(main())
