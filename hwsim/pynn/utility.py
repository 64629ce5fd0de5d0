"""PyNN's script tools (``pyNN.utility``) with hwsim among the simulators a script's command line may name.

PyNN's example scripts choose their backend on the command line (``python VAbenchmarks.py nest CUBA``) through
``pyNN.utility.get_simulator``, which imports ``pyNN.<name>``. With the script's import line changed from
``from pyNN.utility import ...`` to ``from hwsim.pynn.utility import ...``, the same command line also takes
``hwsim`` (on setup's default chip, spinnaker) or ``hwsim.<chip>`` (``hwsim.ideal``, ``hwsim.loihi2``, a
profile's path after the dot); every other name still means ``pyNN.<name>``. The other tools are PyNN's own.
"""
from __future__ import annotations

import argparse
from importlib import import_module

from pyNN.utility import (ProgressBar, SimulationProgressBar, Timer, get_script_args,  # noqa: F401
                          init_logging, normalized_filename, notify)

import hwsim.pynn
from hwsim.chips import load_chip
from hwsim.errors import SpecError, short

#: The simulator name that means hwsim (``hwsim.<chip>`` picks the chip).
NAME = hwsim.pynn.simulator.name


def backend(name: str):
    """The PyNN backend module a script's simulator argument names (``hwsim[.<chip>]`` or a PyNN backend).

    Raises
    ------
    SpecError
        ``hwsim.`` with no chip after the dot, a chip hwsim does not know (with the bundled names), or a name
        that is neither hwsim nor an importable ``pyNN.<name>``.
    """
    if name != NAME and not name.startswith(NAME + "."):
        try:
            return import_module(f"pyNN.{name}")
        except ModuleNotFoundError as exc:
            raise SpecError(f"hwsim.pynn.utility: simulator {short(name)}: {exc}; expected 'hwsim', "
                            f"'hwsim.<chip>' or an installed PyNN backend (nest, neuron, brian2, ...).") from None
    chip = name[len(NAME) + 1:]
    if name.startswith(NAME + ".") and not chip:
        raise SpecError(f"hwsim.pynn.utility: simulator {short(name)}; expected 'hwsim' or 'hwsim.<chip>' "
                        f"(e.g. hwsim.ideal, hwsim.spinnaker).")
    hwsim.pynn.simulator.state.default_chip = load_chip(chip) if chip else hwsim.pynn.simulator.DEFAULT_CHIP
    return hwsim.pynn


def get_simulator(*arguments):
    """Parse the command line as ``pyNN.utility.get_simulator`` does and return ``(backend module, arguments)``.

    Parameters
    ----------
    *arguments : tuple
        The script's further arguments, each ``(name, help_text)`` or ``(name, help_text, argparse_kwargs)``.
    """
    parser = argparse.ArgumentParser()
    parser.add_argument("simulator", help=f"{NAME}, {NAME}.<chip> (e.g. {NAME}.ideal) or a PyNN backend "
                                          f"(nest, neuron, brian2, ...)")
    for argument in arguments:
        parser.add_argument(argument[0], help=argument[1], **(argument[2] if len(argument) > 2 else {}))
    args = parser.parse_args()
    return backend(args.simulator), args
