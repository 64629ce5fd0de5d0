"""``cost="synth"``: a printed MLP costed by logic synthesis of its own Verilog, beside the analytic model.

The design is hwsim's Verilog (:func:`hwsim.printed.verilog.verilog_for`, the analytic model's very gates),
synthesised by yosys + ABC onto the profile's cells (:func:`hwsim.printed.eda.synthesize_yosys`): the
synthesiser propagates constants, removes logic that reaches no output, shares equal sub-expressions
and remaps the adders. Its figures, with the same formulas as the analytic model
(:mod:`hwsim.printed.cost`):

* ``area_cm2`` = Σ cells × area, ``power_mw`` = Σ cells × leakage (the liberty's leakage);
* ``critical_path_ms``: static timing of the mapped netlist with each cell's ``delay_ms``
  (:mod:`hwsim.printed.sta`); the clock rule and energy as the analytic model's.

Results are cached by the SHA-256 of everything the synthesis reads (the Verilog, the liberty, the
flow, the cells' delays, the yosys version) under ``$HWSIM_CACHE_DIR/synth/`` (default
``~/.cache/hwsim/synth/``), one JSON file each, so a design is synthesised once.
"""
from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from hwsim.chips import ChipProfile
from hwsim.printed.celllib import library_cells, liberty_text
from hwsim.printed.eda import ABC_SCRIPT, synthesize_yosys, tool_versions
from hwsim.printed.verilog import verilog_for
from hwsim.qmlp import QuantizedMLP

#: The figures compared between the two models, and the report block's keys.
COMPARED = ("area_cm2", "power_mw", "critical_path_ms", "energy_per_inference_uj")
#: What a cache entry keeps of :func:`hwsim.printed.eda.synthesize_yosys`'s result.
CACHED = ("cells", "n_cells", "area_cm2", "power_mw", "stat_area_um2", "logic_depth", "critical_path_ms",
          "critical_path_cells", "seconds", "yosys")
TOP = "mlp"


def cache_dir() -> Path:
    """``$HWSIM_CACHE_DIR/synth``, default ``~/.cache/hwsim/synth``."""
    return Path(os.environ.get("HWSIM_CACHE_DIR") or Path.home() / ".cache" / "hwsim") / "synth"


def synthesis_key(verilog: str, chip: ChipProfile) -> str:
    """SHA-256 of the design, the library (areas, leakages, delays), the flow and the yosys version."""
    cells, _ = library_cells(chip)
    content = {"verilog": verilog, "liberty": liberty_text(chip.name, cells), "abc": ABC_SCRIPT,
               "delays_ms": {name: cell.delay_ms for name, cell in cells.items()},
               "gate_delay_ms": chip.timing["gate_delay_ms"].value,
               "yosys": tool_versions(("yosys",))["yosys"]}
    return hashlib.sha256(json.dumps(content, sort_keys=True).encode()).hexdigest()


def synthesize_cached(verilog: str, chip: ChipProfile, folder: Path | None = None) -> tuple[dict, bool]:
    """:func:`hwsim.printed.eda.synthesize_yosys` of ``verilog`` (fields :data:`CACHED`), from the cache if there.

    Returns
    -------
    result : dict
    cached : bool
        Whether it came from the cache.
    """
    folder = cache_dir() if folder is None else Path(folder)
    path = folder / f"{synthesis_key(verilog, chip)}.json"
    if path.is_file():
        return json.loads(path.read_text()), True
    full = synthesize_yosys(verilog, chip, TOP)
    result = {k: full[k] for k in CACHED}
    folder.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(f".{os.getpid()}.tmp")
    partial.write_text(json.dumps(result, indent=1, sort_keys=True) + "\n")
    os.replace(partial, path)
    return result, False


def synth_block(analytic, synth) -> dict:
    """The report's ``synth`` block: both models' figures and ``difference_pct`` = analytic / synth - 1 (%)."""
    return {"analytic": {k: getattr(analytic, k) for k in COMPARED},
            "synth": {k: getattr(synth, k) for k in COMPARED},
            "difference_pct": {k: 100.0 * (getattr(analytic, k) / getattr(synth, k) - 1.0)
                               if getattr(synth, k) else None for k in COMPARED}}


def synthesised_cost(qmlp: QuantizedMLP, chip: ChipProfile, analytic, input_bits: int, input_widths=None,
                     folder: Path | None = None):
    """``analytic`` (a :class:`~hwsim.printed.cost.PrintedCost`) re-costed by synthesis of ``qmlp``'s Verilog.

    The result keeps the analytic model's ADC front end (counted or not, as there) and battery, takes the
    synthesised cells, area, power and critical path, and carries the comparison in ``synth``.
    """
    from hwsim.printed.cost import PrintedCost, clock_period_ms, gate_leakage_uw

    result, cached = synthesize_cached(verilog_for(qmlp, input_bits, TOP, input_widths, gate_leakage_uw(chip)),
                                       chip, folder)
    area = {"circuit": result["area_cm2"]}
    power = {"circuit": result["power_mw"]}
    if analytic.adc_inputs:
        area["adc"], power["adc"] = analytic.area_by_part_cm2["adc"], analytic.power_by_part_mw["adc"]
    total_power = float(sum(power.values()))
    period_ms = clock_period_ms(chip, result["critical_path_ms"])
    cost = PrintedCost(
        cells=result["cells"], gates={}, area_cm2=float(sum(area.values())), power_mw=total_power,
        area_by_part_cm2=area, power_by_part_mw=power, critical_levels=float(result["critical_path_cells"]),
        critical_path_ms=result["critical_path_ms"], period_ms=period_ms,
        energy_per_inference_uj=total_power * period_ms, adc_inputs=analytic.adc_inputs,
        battery_power_mw=analytic.battery_power_mw, within_battery=total_power <= analytic.battery_power_mw,
        adc_front_end=analytic.adc_front_end)
    cost.synth = {**synth_block(analytic, cost), "cells": result["n_cells"], "logic_depth": result["logic_depth"],
                  "stat_area_um2": result["stat_area_um2"], "yosys": result["yosys"], "cached": cached,
                  "seconds": result["seconds"]}
    return cost


def synth_table(cost) -> str:
    """The ``synth`` block of a synthesised cost as a small text table: analytic, synth and their difference."""
    block = cost.synth
    head = f"{'':22s} {'area_cm2':>10s} {'power_mw':>10s} {'critical_path_ms':>17s} {'energy_uj':>10s}"
    rows = [head]
    for name, key in (("analytic (hwsim)", "analytic"), (f"synth ({block['cells']} cells)", "synth")):
        v = block[key]
        rows.append(f"{name:22s} {v['area_cm2']:10.4g} {v['power_mw']:10.4g} {v['critical_path_ms']:17.4g} "
                    f"{v['energy_per_inference_uj']:10.4g}")
    d = block["difference_pct"]
    rows.append(f"{'analytic / synth - 1':22s} " + " ".join(
        f"{'-' if d[k] is None else f'{d[k]:+.1f}%':>{w}s}" for k, w in zip(COMPARED, (10, 10, 17, 10))))
    return "\n".join(rows) + "\n"
