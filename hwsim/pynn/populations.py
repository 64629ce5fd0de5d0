"""PyNN's Population, PopulationView and Assembly on hwsim: cells hold their parameters in PyNN units.

Parameters and initial values are evaluated once, when given (as ``pyNN.brian2`` does), so that random
distributions draw from the script's generators in the same order as on PyNN's other backends.
"""
from __future__ import annotations

import numpy as np
from pyNN import common
from pyNN.parameters import ParameterSpace, simplify

from hwsim.errors import UnsupportedError, one_of, short
from hwsim.pynn import simulator
from hwsim.pynn.recording import Recorder
from hwsim.pynn.standardmodels import NEURONS, REFUSED, SOURCES


def _check_celltype(celltype, label: str) -> None:
    kind = type(celltype)
    if kind in REFUSED:
        raise UnsupportedError(f"population '{label}': cell type {kind.__name__}; {REFUSED[kind]}. Hint: use "
                               f"IF_curr_exp (current-based) instead.")
    if kind not in NEURONS + SOURCES:
        names = [c.__name__ for c in NEURONS + SOURCES]
        raise UnsupportedError(f"population '{label}': cell type {short(kind.__name__)} from "
                               f"{short(kind.__module__)}; {one_of(kind.__name__, names)} Hint: take the cell "
                               f"types from hwsim.pynn (sim.IF_curr_exp, ...).")


class Assembly(common.Assembly):
    _simulator = simulator


class PopulationView(common.PopulationView):
    _assembly_class = Assembly
    _simulator = simulator

    def _get_parameters(self, *names):
        native = self.parent._get_native_parameters(*self.celltype.get_native_names(*names))
        values = {name: simplify(np.asarray(value.evaluate(simplify=False))[self.mask])
                  for name, value in native.items()}
        return self.celltype.reverse_translate(ParameterSpace(values, shape=(self.size,)))

    def _set_parameters(self, parameter_space):
        parameter_space.evaluate(simplify=False)
        for name, value in parameter_space.items():
            self.parent._parameters[name][self.mask] = value
        simulator.state.changed()

    def _set_initial_value_array(self, variable, initial_values):
        values = self.parent._initial.setdefault(variable, np.zeros(self.parent.size))
        values[self.mask] = initial_values.evaluate(simplify=False)
        simulator.state.changed()

    def _get_view(self, selector, label=None):
        return PopulationView(self, selector, label)


class Population(common.Population):
    __doc__ = common.Population.__doc__
    _simulator = simulator
    _recorder_class = Recorder
    _assembly_class = Assembly

    def _create_cells(self):
        state = simulator.state
        state.require_setup(f"Population '{self.label}'")
        _check_celltype(self.celltype, self.label)
        self.all_cells = np.array([simulator.ID(i) for i in range(state.id_counter, state.id_counter + self.size)],
                                  dtype=simulator.ID)
        self._mask_local = np.ones(self.size, dtype=bool)
        parameter_space = self.celltype.native_parameters
        parameter_space.shape = (self.size,)
        parameter_space.evaluate(simplify=False)
        self._parameters = parameter_space.as_dict()
        self._initial = {}
        for cell in self.all_cells:
            cell.parent = self
        state.id_counter += self.size
        state.populations.append(self)
        state.changed()

    @property
    def is_source(self) -> bool:
        """True for spike sources (the IR's inputs, :mod:`hwsim.pynn.sources`)."""
        return isinstance(self.celltype, SOURCES)

    def _set_initial_value_array(self, variable, initial_values):
        self._initial[variable] = np.array(initial_values.evaluate(simplify=False), dtype=np.float64).reshape(-1)
        simulator.state.changed()

    def _get_view(self, selector, label=None):
        return PopulationView(self, selector, label)

    def _get_parameters(self, *names):
        native = self._get_native_parameters(*self.celltype.get_native_names(*names))
        return self.celltype.reverse_translate(native)

    def _get_native_parameters(self, *names):
        return ParameterSpace({name: simplify(self._parameters[name]) for name in names}, shape=(self.size,))

    def _set_parameters(self, parameter_space):
        parameter_space.evaluate(simplify=False)
        for name, value in parameter_space.items():
            self._parameters[name] = value
        simulator.state.changed()
