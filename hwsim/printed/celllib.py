"""A chip profile's standard cells as a liberty library for logic synthesis (yosys / ABC).

A profile's ``cells:`` section gives each cell's area and leakage but not its logic
function, which a synthesis tool needs. The function comes from the cell's name: the
drive-strength suffix (``X1``, ``X2``, ...) is dropped and the rest looked up in
:data:`CELL_FUNCTIONS` (``NAND2X1`` -> ``NAND2`` -> ``!(A&B)``). A new combinational cell
is one entry there. Cells with no entry (e.g. flip-flops) stay out of the library, with
a note saying so.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from hwsim.chips import ChipProfile
from hwsim.errors import SpecError

#: Base cell name -> (input pins, output function in liberty syntax); the output pin is ``Y``.
CELL_FUNCTIONS: dict[str, tuple[tuple[str, ...], str]] = {
    "BUF": (("A",), "A"),
    "INV": (("A",), "!A"),
    "NAND2": (("A", "B"), "!(A&B)"),
    "NOR2": (("A", "B"), "!(A|B)"),
    "AND2": (("A", "B"), "(A&B)"),
    "OR2": (("A", "B"), "(A|B)"),
    "XOR2": (("A", "B"), "(A^B)"),
    "XNOR2": (("A", "B"), "!(A^B)"),
}
_DRIVE_SUFFIX = re.compile(r"X\d+$")


@dataclass(frozen=True)
class LibraryCell:
    """One combinational cell of the synthesis library.

    Attributes
    ----------
    name : str
        Cell name as in the profile (``NAND2X1``).
    inputs : tuple of str
        Input pin names.
    function : str
        Output ``Y`` as a liberty boolean expression of the inputs.
    area_um2 : float
        Cell area in um2.
    leakage_uw : float
        Cell leakage power in uW.
    delay_ms : float or None
        Cell delay in ms (the profile's optional ``delay_ms``); None when the profile gives none.
    """

    name: str
    inputs: tuple[str, ...]
    function: str
    area_um2: float
    leakage_uw: float
    delay_ms: float | None = None


def library_cells(chip: ChipProfile) -> tuple[dict[str, LibraryCell], list[str]]:
    """The profile's cells whose function is known, and notes on the cells left out.

    Parameters
    ----------
    chip : ChipProfile
        A profile with a ``cells`` section.

    Returns
    -------
    cells : dict of str to LibraryCell
        By cell name, in the profile's order.
    notes : list of str
        One line per profile cell without a known function, and one saying the library has no
        sequential cells when it has none.

    Raises
    ------
    SpecError
        If the profile declares no cells, or none with a known function.
    """
    if not chip.cells:
        raise SpecError(f"chip '{chip.name}': no 'cells' section; expected standard cells with area_um2 and "
                        f"leakage_uw for synthesis. Hint: use a printed profile such as printed_egfet.")
    cells, notes = {}, []
    for name, constants in chip.cells.items():
        base = _DRIVE_SUFFIX.sub("", name)
        if base not in CELL_FUNCTIONS:
            notes.append(f"cell {name}: no known logic function (known: {', '.join(CELL_FUNCTIONS)}); "
                         f"left out of the synthesis library")
            continue
        inputs, function = CELL_FUNCTIONS[base]
        delay = constants.get("delay_ms")
        cells[name] = LibraryCell(name, inputs, function, constants["area_um2"].value,
                                  constants["leakage_uw"].value, None if delay is None else delay.value)
    if not cells:
        raise SpecError(f"chip '{chip.name}': cells {', '.join(chip.cells)}; expected at least one of "
                        f"{', '.join(CELL_FUNCTIONS)} (with any X<n> drive suffix) to synthesise onto.")
    notes.append("the library has no flip-flops: the exported circuit is combinational (one inference "
                 "per clock, as hwsim models it)")
    return cells, notes


def liberty_text(library: str, cells: dict[str, LibraryCell]) -> str:
    """A liberty file of ``cells``: area (um2), leakage (uW) and function per cell, no timing tables.

    Parameters
    ----------
    library : str
        Library name.
    cells : dict of str to LibraryCell
        From :func:`library_cells`.
    """
    lines = [f"library({library}) {{", '  leakage_power_unit : "1uW";']
    for cell in cells.values():
        lines += [f"  cell({cell.name}) {{", f"    area : {cell.area_um2:g};",
                  f"    cell_leakage_power : {cell.leakage_uw:g};"]
        lines += [f"    pin({pin}) {{ direction : input; }}" for pin in cell.inputs]
        lines += [f'    pin(Y) {{ direction : output; function : "{cell.function}"; }}', "  }"]
    return "\n".join(lines + ["}"]) + "\n"


def verilog_models(cells: dict[str, LibraryCell]) -> str:
    """Behavioural Verilog module per cell (``assign Y = <function>;``), to simulate a mapped netlist.

    Parameters
    ----------
    cells : dict of str to LibraryCell
        From :func:`library_cells`.
    """
    modules = []
    for cell in cells.values():
        ports = ", ".join([f"input {pin}" for pin in cell.inputs] + ["output Y"])
        modules.append(f"module {cell.name}({ports});\n  assign Y = {cell.function.replace('!', '~')};\nendmodule")
    return "\n".join(modules) + "\n"
