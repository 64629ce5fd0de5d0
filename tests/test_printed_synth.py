"""``cost="synth"`` (yosys + ABC on hwsim's Verilog), its cache and static timing, the ADC front end of every
printed cost, and the clock rule.

Synthesis runs on small MLPs only (a few seconds each); each test caches under its own tmp folder.
"""
from __future__ import annotations

import dataclasses
import shutil

import numpy as np
import pytest

from hwsim.chips import load_chip
from hwsim.cli import main
from hwsim.errors import HwsimError, SpecError, UnsupportedError
from hwsim.printed.celllib import library_cells
from hwsim.printed.cost import (GATE_DECOMPOSITIONS, adc_line, adder_levels, clock_period_ms, printed_cost,
                                used_inputs)
from hwsim.printed.netcost import XOR_LEVELS
from hwsim.printed.sta import critical_path_ms
from hwsim.printed.synth import synthesis_key, synth_table
from hwsim.printed.verilog import verilog_for
from hwsim.qmlp import QLayer, QuantizedMLP

CHIP = load_chip("printed_egfet")
CELLS, _ = library_cells(CHIP)


def _small_mlp() -> QuantizedMLP:
    """A 3-2-2 MLP whose input 2 is read by no weight (two ADCs, not three)."""
    hidden = QLayer("hidden", np.array([[5, -3, 0], [7, 2, 0]]), np.array([4, -9]), 0, True, -1)
    output = QLayer("output", np.array([[3, -2], [-1, 4]]), np.array([0, 5]), 0, False, -1)
    return QuantizedMLP("x", 3, (hidden, output))


def test_synth_cost_is_the_yosys_netlist_beside_the_analytic_model(tmp_path):
    q = _small_mlp()
    analytic = printed_cost(q, CHIP)
    assert analytic.synth is None                       # the default never runs yosys
    synth = printed_cost(q, CHIP, cost="synth", cache_dir=tmp_path)
    block = synth.synth
    assert block["analytic"]["area_cm2"] == analytic.area_cm2 and block["synth"]["area_cm2"] == synth.area_cm2
    # the synthesised area is the sum of the cells yosys reports, and equals yosys's own stat -liberty area
    cells = CHIP.cells
    assert synth.area_cm2 == pytest.approx(sum(n * cells[c]["area_um2"].value for c, n in synth.cells.items()) / 1e8)
    assert synth.area_cm2 == pytest.approx(block["stat_area_um2"] / 1e8, rel=1e-9)
    assert synth.power_mw == pytest.approx(sum(n * cells[c]["leakage_uw"].value for c, n in synth.cells.items()) / 1e3)
    assert block["cells"] == sum(synth.cells.values()) > 0
    for key in ("area_cm2", "power_mw", "critical_path_ms", "energy_per_inference_uj"):
        assert block["difference_pct"][key] == pytest.approx(100 * (block["analytic"][key] / block["synth"][key] - 1))
    # the path is static timing over the mapped cells: between depth x fastest and depth x slowest cell
    delays = [c.delay_ms for c in CELLS.values()]
    depth = synth.critical_levels
    assert depth * min(delays) <= synth.critical_path_ms <= depth * max(delays)
    assert synth.period_ms == clock_period_ms(CHIP, synth.critical_path_ms)
    assert synth.energy_per_inference_uj == pytest.approx(synth.power_mw * synth.period_ms)
    assert "analytic / synth - 1" in synth_table(synth)


def test_synthesis_is_cached_by_the_verilog_hash(tmp_path, monkeypatch):
    q = _small_mlp()
    first = printed_cost(q, CHIP, cost="synth", cache_dir=tmp_path / "cache")
    only_yosys = tmp_path / "bin"                       # synthesis needs yosys, not iverilog
    only_yosys.mkdir()
    (only_yosys / "yosys").symlink_to(shutil.which("yosys"))
    monkeypatch.setenv("PATH", str(only_yosys))
    again = printed_cost(q, CHIP, cost="synth", cache_dir=tmp_path / "cache")
    assert not first.synth["cached"] and again.synth["cached"]
    assert (again.cells, again.area_cm2, again.critical_path_ms) == (first.cells, first.area_cm2, first.critical_path_ms)
    key = synthesis_key(verilog_for(q, CHIP.arithmetic.input_bits), CHIP)
    assert [p.name for p in (tmp_path / "cache").iterdir()] == [f"{key}.json"]
    other = QuantizedMLP("x", 3, (q.layers[0], QLayer("output", q.layers[1].weight + 1, q.layers[1].bias, 0, False,
                                                      -1)))
    assert synthesis_key(verilog_for(other, CHIP.arithmetic.input_bits), CHIP) != key


def test_synth_without_yosys_names_the_installer(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(HwsimError, match=r"python -m hwsim\.printed\.eda"):
        printed_cost(_small_mlp(), CHIP, cost="synth", cache_dir=tmp_path)


def test_unknown_cost_mode_lists_the_modes():
    with pytest.raises(SpecError, match="expected one of: analytic, synth. Did you mean 'synth'"):
        printed_cost(_small_mlp(), CHIP, cost="synt")


def _netlist(cells: dict, outputs: list) -> dict:
    return {"modules": {"top": {"ports": {"a": {"direction": "input", "bits": [2]},
                                          "b": {"direction": "input", "bits": [3]},
                                          "y": {"direction": "output", "bits": outputs}},
                                "cells": cells}}}


def test_static_timing_hand_counted():
    # y = XOR(INV(NAND(a, b)), a); z = NAND(a, "1") leaves at one NAND2 delay
    cells = {"n1": {"type": "NAND2X1", "connections": {"A": [2], "B": [3], "Y": [4]}},
             "n2": {"type": "INVX1", "connections": {"A": [4], "Y": [5]}},
             "n3": {"type": "XOR2X1", "connections": {"A": [5], "B": [2], "Y": [6]}},
             "n4": {"type": "NAND2X1", "connections": {"A": [2], "B": ["1"], "Y": [7]}}}
    path, depth = critical_path_ms(_netlist(cells, [6, 7]), "top", CELLS, 1.0)
    assert depth == 3 and path == pytest.approx(1.138 + 0.715 + 5.546)
    assert critical_path_ms(_netlist(cells, [7]), "top", CELLS, 1.0) == (1.138, 1)
    # a cell without a delay counts one logic level of unit_ms
    bare = {name: type(cell)(cell.name, cell.inputs, cell.function, cell.area_um2, cell.leakage_uw)
            for name, cell in CELLS.items()}
    assert critical_path_ms(_netlist(cells, [6]), "top", bare, 2.5) == (7.5, 3)


def test_static_timing_refuses_loops_and_foreign_cells():
    loop = {"n1": {"type": "NAND2X1", "connections": {"A": [2], "B": [5], "Y": [4]}},
            "n2": {"type": "INVX1", "connections": {"A": [4], "Y": [5]}}}
    with pytest.raises(UnsupportedError, match="2 cells on a combinational loop"):
        critical_path_ms(_netlist(loop, [5]), "top", CELLS, 1.0)
    foreign = {"f": {"type": "DFFX1", "connections": {"D": [2], "Y": [4]}}}
    with pytest.raises(UnsupportedError, match="DFFX1 are not in the library"):
        critical_path_ms(_netlist(foreign, [4]), "top", CELLS, 1.0)


def test_adc_front_end_is_in_every_cost_and_counted_only_when_asked():
    q = _small_mlp()
    plain, counted = printed_cost(q, CHIP), printed_cost(q, CHIP, adc=True)
    area, power = CHIP.mac_costs["adc_area_cm2"].value, CHIP.mac_costs["adc_power_mw"].value
    for cost, is_counted in ((plain, False), (counted, True)):
        adcs = cost.adc_front_end
        assert adcs["inputs"] == used_inputs(q) == 2
        assert (adcs["area_cm2"], adcs["power_mw"], adcs["counted"]) == (2 * area, 2 * power, is_counted)
        assert "Afentaki" in adcs["source"] and "ADC front end: 2 kept inputs" in adc_line(cost)
    assert counted.area_cm2 == pytest.approx(plain.area_cm2 + 2 * area)
    assert counted.power_mw == pytest.approx(plain.power_mw + 2 * power)
    assert "not included" in adc_line(plain) and "included in the totals" in adc_line(counted)


def test_clock_rule_runs_at_the_clock_when_the_path_meets_it():
    clock = CHIP.timing["clock_ms"].value
    assert clock_period_ms(CHIP, 0.5 * clock) == clock == clock_period_ms(CHIP, clock)
    assert clock_period_ms(CHIP, 1.25 * clock) == 1.25 * clock


def test_adder_levels_follow_the_cells_delays():
    levels = adder_levels(CHIP)
    nand = CHIP.timing["gate_delay_ms"].value
    assert levels["full_adder"] == {"sum_ab": 6, "sum_c": 3, "carry_ab": 5, "carry_c": 2}   # 9 NAND2 (1.138 ms)
    assert levels["half_adder"]["carry"] == pytest.approx(1 + 0.715 / nand)                # NAND2 then INV
    assert levels["full_adder_const1"] == pytest.approx({"sum": 6.588 / nand, "carry": 2.118 / nand})


def test_cli_export_with_synth_cost_prints_both_models_and_the_adcs(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("HWSIM_CACHE_DIR", str(tmp_path / "cache"))
    genes = ",".join(["0"] * 11)
    assert main(["printed", "export", "--dataset", "iris", "--genes", genes, "--cost", "synth",
                 "--out", str(tmp_path / "design")]) == 0
    printed = capsys.readouterr().out
    assert "synth cost" in printed and "analytic / synth - 1" in printed
    assert "ADC front end: 4 kept inputs x (0.1706 cm2, 1.296 mW)" in printed
    assert list((tmp_path / "cache" / "synth").glob("*.json"))


def test_without_cell_delays_every_cell_is_one_level():
    """A profile without ``delay_ms`` keeps the unit-level model: the XOR2-built adders have
    netcost's XOR_LEVELS, the NAND-built ones their NAND counts."""
    ones = {base: 1.0 for base in ("INV", "NAND2", "AND2", "OR2", "XOR2", "XNOR2")}
    for gate, levels in XOR_LEVELS.items():
        assert GATE_DECOMPOSITIONS[gate][0].levels(ones) == levels
    assert GATE_DECOMPOSITIONS["full_adder"][1].levels(ones) == {"sum_ab": 6, "sum_c": 3, "carry_ab": 5,
                                                                "carry_c": 2}
    bare = {name: {k: v for k, v in cell.items() if k != "delay_ms"} for name, cell in CHIP.cells.items()}
    assert adder_levels(dataclasses.replace(CHIP, cells=bare))["half_adder"] == {"sum": 3, "carry": 2}
