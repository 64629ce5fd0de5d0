"""Static timing of a mapped combinational netlist: the longest input-to-output path in ms.

The netlist is yosys's ``write_json`` of a design mapped onto a profile's library
(:func:`hwsim.printed.eda.synthesize_yosys`): cells whose ``connections`` are lists of bit ids, the
inputs the cell's :class:`~hwsim.printed.celllib.LibraryCell` pins and the output ``Y``. Each cell
adds its own delay (the profile's ``delay_ms``; a cell without one adds ``unit_ms``, one logic
level) to the latest arrival among its inputs; input ports and constant bits arrive at 0. No
slew, load or wire delay: the cells' delays are medians from a published timing report
(``chips/printed_egfet.yaml``), which already hold their typical load.
"""
from __future__ import annotations

from collections import deque

from hwsim.errors import UnsupportedError
from hwsim.printed.celllib import LibraryCell


def critical_path_ms(netlist: dict, top: str, cells: dict[str, LibraryCell], unit_ms: float) -> tuple[float, int]:
    """Longest input-to-output path of module ``top`` and the number of cells on it.

    Parameters
    ----------
    netlist : dict
        yosys ``write_json`` output.
    top : str
        Module name.
    cells : dict of str to LibraryCell
        The library the netlist was mapped onto (:func:`hwsim.printed.celllib.library_cells`).
    unit_ms : float
        Delay of a cell without ``delay_ms`` (the profile's ``timing.gate_delay_ms``).

    Returns
    -------
    delay_ms : float
        Arrival of the latest output bit.
    depth : int
        Cells on that path.

    Raises
    ------
    UnsupportedError
        If a cell is not in ``cells`` or the netlist has a combinational loop.
    """
    module = netlist["modules"][top]
    instances = list(module["cells"].values())
    foreign = sorted({c["type"] for c in instances if c["type"] not in cells})
    if foreign:
        raise UnsupportedError(f"static timing of '{top}': cells {', '.join(foreign)} are not in the library "
                               f"({', '.join(cells)}); expected a netlist mapped onto the profile's cells.")
    driver = {c["connections"]["Y"][0]: k for k, c in enumerate(instances)}
    fanin = [[b for pin in cells[c["type"]].inputs for b in c["connections"][pin] if b in driver]
             for c in instances]
    readers: dict[int, list[int]] = {}
    for k, bits in enumerate(fanin):
        for b in bits:
            readers.setdefault(driver[b], []).append(k)
    waiting = [len(bits) for bits in fanin]
    arrival, depth = [0.0] * len(instances), [0] * len(instances)
    ready, done = deque(k for k, n in enumerate(waiting) if n == 0), 0
    while ready:
        k = ready.popleft()
        done += 1
        cell = cells[instances[k]["type"]]
        latest = max(fanin[k], key=lambda b: arrival[driver[b]], default=None)
        start, levels = (0.0, 0) if latest is None else (arrival[driver[latest]], depth[driver[latest]])
        arrival[k] = start + (unit_ms if cell.delay_ms is None else cell.delay_ms)
        depth[k] = levels + 1
        for reader in readers.get(k, ()):
            waiting[reader] -= 1
            if waiting[reader] == 0:
                ready.append(reader)
    if done != len(instances):
        raise UnsupportedError(f"static timing of '{top}': {len(instances) - done} cells on a combinational loop; "
                               f"expected an acyclic netlist.")
    outputs = [b for port in module["ports"].values() if port["direction"] == "output"
               for b in port["bits"] if b in driver]
    last = max(outputs, key=lambda b: arrival[driver[b]], default=None)
    return (0.0, 0) if last is None else (arrival[driver[last]], depth[driver[last]])
