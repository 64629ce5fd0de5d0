"""Area, power, critical path and energy of a bespoke printed MLP from its gate counts.

Each gate of :mod:`hwsim.printed.netcost` is made of the profile's standard cells
(``cells:`` of a ``mac`` profile, found by their logic function, so any drive suffix works).
Where a gate has several decompositions, the one drawing the least leakage in the profile's
cells is used (then the smaller area), with its own logic levels for the critical path
(:func:`decompositions`); the EGFET library's NAND2 is so small that its full and half adders
are NAND-only (9 NAND2 for a full adder: 66.6 uW against 76.6 uW with XOR2 cells):

=====================  ==================================  =========================================
gate                   cells (alternatives)                logic
=====================  ==================================  =========================================
``full_adder``         2 XOR2 + 3 NAND2, or 9 NAND2         s = a^b^c, co = NAND(NAND(a,b), NAND(a^b,c));
                                                           the XORs as 4 NAND2 sharing NAND(a,b)
``half_adder``         XOR2 + AND2, or 4 NAND2 + INV        s = a^b, co = a&b = ~NAND(a,b)
``full_adder_const1``  XNOR2 + OR2                          a + b + 1: s = XNOR(a,b), co = a|b
``inverter``           INV
``xor2``               XOR2                                 top column of a sum (no carry)
``and2`` / ``or2``     AND2 / OR2                           ReLU gating / clip saturation
``compare_bit``        INV + 3 NAND2 + OR2                  borrow chain of a >= b (carry of a + ~b + 1):
                                                           co = NAND(NAND(a,~b), NAND(c, a|~b))
``mux2_bit``           3 NAND2                              NAND(NAND(a,s), NAND(b,~s))
``*_carry``            majority: 3 NAND2 + OR2, 6 NAND2,   an adder whose sum nobody reads
                       or XOR2 + 3 NAND2; AND2 or NAND2 +  (:data:`hwsim.printed.netcost.CARRY_ONLY`),
                       INV; OR2                            timed as the full adder's carry
=====================  ==================================  =========================================

Then (all per inference, one inference per clock):

* ``area_cm2 = sum_cells count x area_um2 / 1e8``;
* ``power_mw = sum_cells count x leakage_uw / 1000`` (static only: the EGFET reports are
  94-97 % leakage; dynamic power is not modelled);
* ``critical_path_ms = logic levels x timing.gate_delay_ms``, a level being one NAND2 stage: each
  adder output's levels are the sum over the cells on its path of ``delay_ms / gate_delay_ms``
  (the profile's per-cell delays; a cell without one counts 1), the other gates of
  :mod:`hwsim.printed.netcost` 1 level each;
* the clock rule (:func:`clock_period_ms`): a design whose critical path meets ``timing.clock_ms``
  runs at that clock; one whose path is longer runs at a period equal to its critical path (the
  clock is stretched, ``clock_covers_critical_path`` is false and energy per inference grows with it);
* ``energy_per_inference_uj = power_mw x period_ms`` (mW x ms = uJ);
* the ADC front end (``mac_costs.adc_area_cm2`` / ``adc_power_mw`` per input actually used) is always
  reported on its own (``adc_front_end``), and added to area and power only when ``adc=True``; with
  ``adc_pruned`` each is a pruned flash ADC priced by the comparators it keeps (:mod:`hwsim.printed.adc`);
* the battery check: ``power_mw <= mac_costs.battery_power_mw``.

``cost="synth"`` costs the same circuit by logic synthesis instead (:mod:`hwsim.printed.synth`), with
both models' figures in the result's ``synth`` block.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import numpy as np

from hwsim.chips import ChipProfile
from hwsim.errors import SpecError, one_of
from hwsim.printed.adc import REFERENCE_ADC_BITS, adc_comparators
from hwsim.printed.celllib import CELL_FUNCTIONS, LibraryCell, library_cells
from hwsim.printed.netcost import GATES, XOR_LEVELS, Netlist, build_netlist
from hwsim.qmlp import QuantizedMLP


@dataclass(frozen=True)
class Decomposition:
    """One way to build a gate from library cells.

    Attributes
    ----------
    cells : dict of str to int
        Logic function (``NAND2``, see :mod:`hwsim.printed.celllib`) -> count.
    paths : dict of str to tuple of str
        For adders, the cells on the longest path from inputs to each output
        (:data:`hwsim.printed.netcost.XOR_LEVELS` layout); empty for the other gates.
    """

    cells: dict
    paths: dict

    def levels(self, cell_levels: dict[str, float]) -> dict:
        """Each output's delay in logic levels: the sum of ``cell_levels`` (levels per cell) over its path."""
        return {out: sum(cell_levels[cell] for cell in path) for out, path in self.paths.items()}


_NAND = "NAND2"
#: Each gate's decompositions into library cells (module doc).
GATE_DECOMPOSITIONS: dict[str, tuple[Decomposition, ...]] = {
    "full_adder": (Decomposition({"XOR2": 2, "NAND2": 3},
                                 {"sum_ab": ("XOR2", "XOR2"), "sum_c": ("XOR2",),
                                  "carry_ab": ("XOR2", _NAND, _NAND), "carry_c": (_NAND, _NAND)}),
                   Decomposition({"NAND2": 9}, {"sum_ab": (_NAND,) * 6, "sum_c": (_NAND,) * 3,
                                                "carry_ab": (_NAND,) * 5, "carry_c": (_NAND,) * 2})),
    "half_adder": (Decomposition({"XOR2": 1, "AND2": 1}, {"sum": ("XOR2",), "carry": ("AND2",)}),
                   Decomposition({"NAND2": 4, "INV": 1}, {"sum": (_NAND,) * 3, "carry": (_NAND, "INV")})),
    "full_adder_const1": (Decomposition({"XNOR2": 1, "OR2": 1}, {"sum": ("XNOR2",), "carry": ("OR2",)}),),
    # carry-only adders (a column whose sum nobody reads): majority = NAND(NAND(a,b), NAND(c, a|b)), or the 9-NAND2
    # adder's 6 carry NAND2s, or NAND(NAND(a,b), NAND(a^b, c)); a & b; a | b
    "full_adder_carry": (Decomposition({"NAND2": 3, "OR2": 1}, {}), Decomposition({"NAND2": 6}, {}),
                         Decomposition({"XOR2": 1, "NAND2": 3}, {})),
    "half_adder_carry": (Decomposition({"AND2": 1}, {}), Decomposition({"NAND2": 1, "INV": 1}, {})),
    "full_adder_const1_carry": (Decomposition({"OR2": 1}, {}),),
    "inverter": (Decomposition({"INV": 1}, {}),),
    "xor2": (Decomposition({"XOR2": 1}, {}),),
    "and2": (Decomposition({"AND2": 1}, {}),),
    "or2": (Decomposition({"OR2": 1}, {}),),
    "compare_bit": (Decomposition({"INV": 1, "NAND2": 3, "OR2": 1}, {}),),
    "mux2_bit": (Decomposition({"NAND2": 3}, {}),),
}
UM2_PER_CM2 = 1e8
UW_PER_MW = 1e3


@dataclass
class PrintedCost:
    """Cost of one bespoke printed MLP circuit.

    Attributes
    ----------
    cells : dict of str to int
        Count of each library cell (profile names).
    gates : dict of str to int
        Count of each gate (:data:`hwsim.printed.netcost.GATES`).
    area_cm2, power_mw : float
        Logic area (cm2) and leakage power (mW), ADCs included when ``adc_inputs > 0``.
    area_by_part_cm2, power_by_part_mw : dict
        The same per layer, ``argmax`` and ``adc``.
    critical_levels : float
        Logic levels on the longest path.
    critical_path_ms, period_ms : float
        Critical path delay and the clock period used (>= the profile's clock).
    energy_per_inference_uj : float
        ``power_mw x period_ms``.
    adc_inputs : int
        Inputs with an ADC counted (0: ADCs left out).
    battery_power_mw : float
        The profile's battery budget.
    within_battery : bool
        ``power_mw <= battery_power_mw``.
    adc_front_end : dict
        The input ADCs of the used inputs, whether counted in the totals or not (:func:`adc_front_end`).
    synth : dict or None
        With ``cost="synth"``: both models' figures and their difference (:func:`hwsim.printed.synth.synth_block`).
    """

    cells: dict
    gates: dict
    area_cm2: float
    power_mw: float
    area_by_part_cm2: dict
    power_by_part_mw: dict
    critical_levels: float
    critical_path_ms: float
    period_ms: float
    energy_per_inference_uj: float
    adc_inputs: int
    battery_power_mw: float
    within_battery: bool
    adc_front_end: dict
    synth: dict | None = None


#: How a design is costed: the gate-count model (default) or logic synthesis with yosys + ABC.
COST_MODES = ("analytic", "synth")


def clock_period_ms(chip: ChipProfile, critical_path_ms: float) -> float:
    """The clock rule: ``timing.clock_ms`` when the critical path meets it, else the critical path itself."""
    return max(chip.timing["clock_ms"].value, critical_path_ms)


def adc_front_end(qmlp: QuantizedMLP, chip: ChipProfile, counted: bool, pruned: bool = False,
                  input_bits: int | None = None, input_widths=None) -> dict:
    """One ``mac_costs`` ADC per used input, or with ``pruned`` each input's kept comparators' share of one
    (:func:`hwsim.printed.adc.adc_comparators`): ``inputs``, ``area_cm2``, ``power_mw``, ``counted``, ``pruned``
    and ``source``."""
    area, power = chip.mac_costs["adc_area_cm2"], chip.mac_costs["adc_power_mw"]
    n = share = used_inputs(qmlp)
    if pruned:
        bits = chip.arithmetic.input_bits if input_bits is None else input_bits
        kept = adc_comparators(qmlp, bits, input_widths)
        n, share = int(np.count_nonzero(kept)), float(kept.sum()) / ((1 << REFERENCE_ADC_BITS) - 1)
    label = "estimate: " if area.estimate or power.estimate else ""
    cited, power_cited = area.source.partition(": ")[0], power.source.partition(": ")[0]
    source = cited if cited == power_cited else f"{area.source}; {power.source}"
    return {"inputs": n, "area_cm2": share * area.value, "power_mw": share * power.value, "counted": counted,
            "pruned": pruned,
            "per_input_area_cm2": area.value, "per_input_power_mw": power.value, "source": label + source}


def _cell_table(chip: ChipProfile) -> dict[str, LibraryCell]:
    """Logic function (``XOR2``, ...) -> the profile's smallest cell of that function."""
    cells, _ = library_cells(chip)
    table = {}
    for base, (_, function) in CELL_FUNCTIONS.items():
        matches = [c for c in cells.values() if c.function == function]
        if matches:
            table[base] = min(matches, key=lambda c: c.area_um2)
    return table


def decompositions(chip: ChipProfile) -> dict[str, Decomposition]:
    """Each gate's cheapest decomposition in ``chip``'s cells: least leakage, then least area.

    Raises
    ------
    SpecError
        If some gate has no decomposition the profile's cells can build.
    """
    return _cheapest(_cell_table(chip), chip.name)


def _cheapest(table: dict[str, LibraryCell], chip_name: str) -> dict[str, Decomposition]:
    """:func:`decompositions` from the profile's cell table (:func:`_cell_table`)."""
    chosen, missing = {}, set()
    for gate, options in GATE_DECOMPOSITIONS.items():
        buildable = [d for d in options if all(base in table for base in d.cells)]
        if not buildable:
            missing.update(base for base in options[0].cells if base not in table)
            continue
        chosen[gate] = min(buildable, key=lambda d: (sum(k * table[b].leakage_uw for b, k in d.cells.items()),
                                                     sum(k * table[b].area_um2 for b, k in d.cells.items())))
    if missing:
        raise SpecError(f"chip '{chip_name}': cells: no cell for {', '.join(sorted(missing))}; expected the "
                        f"library to build every gate ({', '.join(GATE_DECOMPOSITIONS)}). Hint: add them to the "
                        f"profile's cells: section (name ending in a drive suffix, e.g. X1).")
    return chosen


def adder_levels(chip: ChipProfile) -> dict:
    """Delays of the adders as ``chip``'s cheapest cells build them, in logic levels (``build_netlist(levels=...)``).

    A level is one ``timing.gate_delay_ms``; a cell with a ``delay_ms`` counts ``delay_ms / gate_delay_ms``
    levels, a cell without one counts 1 (:func:`stage_levels`).
    """
    table = _cell_table(chip)
    return _levels(_cheapest(table, chip.name), stage_levels(table, chip))


def stage_levels(table: dict[str, LibraryCell], chip: ChipProfile) -> dict[str, float]:
    """Logic function -> the levels one of its cells adds to a path: ``delay_ms / timing.gate_delay_ms``, or 1."""
    unit_ms = chip.timing["gate_delay_ms"].value
    return {base: 1.0 if cell.delay_ms is None else cell.delay_ms / unit_ms for base, cell in table.items()}


def _levels(chosen: dict[str, Decomposition], cell_levels: dict[str, float]) -> dict:
    return {gate: chosen[gate].levels(cell_levels) for gate in XOR_LEVELS}


def cells_of(gates: Counter, table: dict[str, LibraryCell], chosen: dict[str, Decomposition]) -> Counter:
    """Library cell counts (by profile cell name) of a gate count, each gate as ``chosen`` builds it."""
    cells = Counter()
    for gate, n in gates.items():
        for base, k in chosen[gate].cells.items():
            cells[table[base].name] += n * k
    return cells


def gate_leakage_uw(chip: ChipProfile) -> dict[str, float]:
    """Each gate's leakage (uW) as ``chip``'s cheapest cells build it: the cost that decides which neurons are built
    from a shared sum (``build_netlist(gate_cost=...)``, :mod:`hwsim.printed.logicopt`)."""
    table = _cell_table(chip)
    return _gate_leakage(table, _cheapest(table, chip.name))


def _gate_leakage(table: dict[str, LibraryCell], chosen: dict[str, Decomposition]) -> dict[str, float]:
    return {gate: sum(k * table[base].leakage_uw for base, k in d.cells.items()) for gate, d in chosen.items()}


def adc_line(cost: PrintedCost) -> str:
    """The ADC front end as one report line beside the circuit: per kept input, total, counted or not, source."""
    adcs = cost.adc_front_end
    counted = "included in the totals" if adcs["counted"] else "not included in the totals"
    return (f"ADC front end: {adcs['inputs']} kept inputs x ({adcs['per_input_area_cm2']:g} cm2, "
            f"{adcs['per_input_power_mw']:g} mW) = {adcs['area_cm2']:.4g} cm2, {adcs['power_mw']:.4g} mW, {counted} "
            f"({adcs['source']})")


def used_inputs(qmlp: QuantizedMLP) -> int:
    """Inputs read by at least one non-zero first-layer weight (the ADCs the circuit needs)."""
    return int(np.count_nonzero(np.any(qmlp.layers[0].weight != 0, axis=0)))


def printed_cost(qmlp: QuantizedMLP, chip: ChipProfile, input_bits: int | None = None,
                 adc: bool = False, netlist: Netlist | None = None, input_widths=None,
                 adc_pruned: bool = False, cost: str = "analytic", cache_dir=None) -> PrintedCost:
    """Gate-level cost of ``qmlp`` as a bespoke circuit in ``chip``'s cells (module doc).

    Parameters
    ----------
    qmlp : QuantizedMLP
        Integer layers (hard-wired weights).
    chip : ChipProfile
        A ``mac`` profile with ``cells``, ``timing.gate_delay_ms``, ``timing.clock_ms`` and
        ``mac_costs.battery_power_mw`` (and the ADC costs when ``adc``).
    input_bits : int, optional
        Input (ADC) width; default the profile's ``arithmetic.input_bits``.
    adc : bool
        Add one ADC per used input to area and power.
    netlist : Netlist, optional
        Gate counts already built for ``qmlp`` with ``levels=adder_levels(chip)`` and
        ``gate_cost=gate_leakage_uw(chip)`` (otherwise built here).
    input_widths : array_like of int, optional
        Bits each input's ADC resolves (mixed input precision,
        :func:`hwsim.printed.netcost.build_netlist`); default all ``input_bits``. The ADC
        cost (``adc=True``) stays one ``mac_costs`` ADC per used input whatever its width,
        unless ``adc_pruned``.
    adc_pruned : bool
        With ``adc``: each input's ADC is a pruned flash ADC costing its kept comparators' share
        of the profile's ADC (:func:`hwsim.printed.adc.adc_comparators`, Afentaki et al., ESL 2024):
        narrowed inputs and masked-out input bits save ADC levels, pruned inputs the whole ADC.
    cost : {"analytic", "synth"}
        ``"synth"``: area, power and critical path of the circuit's Verilog synthesised by yosys + ABC
        (:func:`hwsim.printed.synth.synthesised_cost`, cached), with the analytic figures beside them in
        ``synth``. Needs yosys (``python -m hwsim.printed.eda``).
    cache_dir : path, optional
        Where ``"synth"`` caches its results (default :func:`hwsim.printed.synth.cache_dir`).

    Raises
    ------
    SpecError
        If ``cost`` is not one of :data:`COST_MODES`.
    HwsimError
        With ``cost="synth"``, if yosys is missing or fails.
    """
    if cost not in COST_MODES:
        raise SpecError(f"printed cost: cost={cost!r}; {one_of(str(cost), COST_MODES)} Hint: 'synth' runs yosys + "
                        f"ABC on the circuit's Verilog; 'analytic' counts its gates.")
    bits = chip.arithmetic.input_bits if input_bits is None else input_bits
    table = _cell_table(chip)
    chosen = _cheapest(table, chip.name)
    net = netlist or build_netlist(qmlp, bits, input_widths=input_widths,
                                   levels=_levels(chosen, stage_levels(table, chip)),
                                   gate_cost=_gate_leakage(table, chosen))
    by_name = {cell.name: cell for cell in table.values()}
    area, power = {}, {}
    for part, gates in net.gates_by_part.items():
        cells = cells_of(gates, table, chosen)
        area[part] = sum(n * by_name[name].area_um2 for name, n in cells.items()) / UM2_PER_CM2
        power[part] = sum(n * by_name[name].leakage_uw for name, n in cells.items()) / UW_PER_MW
    adcs = adc_front_end(qmlp, chip, adc, adc_pruned, bits, input_widths)
    n_adc = adcs["inputs"] if adc else 0
    if adc:
        area["adc"], power["adc"] = adcs["area_cm2"], adcs["power_mw"]
    total_power = float(sum(power.values()))
    critical_ms = net.critical_levels * chip.timing["gate_delay_ms"].value
    period_ms = clock_period_ms(chip, critical_ms)
    battery = chip.mac_costs["battery_power_mw"].value
    gates = net.gates
    analytic = PrintedCost(
        cells=dict(sorted(cells_of(gates, table, chosen).items())), gates={g: gates[g] for g in GATES if gates[g]},
        area_cm2=float(sum(area.values())), power_mw=total_power, area_by_part_cm2=area,
        power_by_part_mw=power, critical_levels=net.critical_levels, critical_path_ms=critical_ms,
        period_ms=period_ms, energy_per_inference_uj=total_power * period_ms, adc_inputs=n_adc,
        battery_power_mw=battery, within_battery=total_power <= battery, adc_front_end=adcs)
    if cost == "analytic":
        return analytic
    from hwsim.printed.synth import synthesised_cost
    return synthesised_cost(qmlp, chip, analytic, bits, input_widths, cache_dir)

