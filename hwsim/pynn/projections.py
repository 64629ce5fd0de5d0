"""PyNN's Projection on hwsim: PyNN's own connectors fill index, weight and delay arrays (PyNN units).

A connector calls :meth:`Projection._convergent_connect` once per target cell; the synapses are kept as
arrays (nA or mV, ms), not one object per connection, and translated into the IR when a run builds the
graph (:mod:`hwsim.pynn.translate`).
"""
from __future__ import annotations

import numbers

import numpy as np
from pyNN import common
from pyNN.connectors import (FixedNumberPostConnector, FixedNumberPreConnector, FixedProbabilityConnector,
                             FixedTotalNumberConnector, FromListConnector)
from pyNN.space import Space

from hwsim.errors import SpecError, UnsupportedError, short
from hwsim.pynn import simulator
from hwsim.pynn.standardmodels import StaticSynapse

FIELDS = ("presynaptic_index", "postsynaptic_index", "weight", "delay")


def check_connector(connector, n_pre: int, n_post: int, where: str) -> None:
    """Refuse connector arguments PyNN accepts silently (a probability above 1, a list naming cells that do
    not exist: PyNN drops them) or fails on without a message."""
    name = type(connector).__name__
    if isinstance(connector, FixedProbabilityConnector):
        p = connector.p_connect
        if not isinstance(p, numbers.Real) or not 0.0 <= p <= 1.0:
            raise SpecError(f"{where}: {name} p_connect {short(p)}; expected a probability in [0, 1].")
    if isinstance(connector, (FixedNumberPreConnector, FixedNumberPostConnector)) and \
            isinstance(connector.n, numbers.Number):
        n, size = connector.n, n_pre if isinstance(connector, FixedNumberPreConnector) else n_post
        if isinstance(n, bool) or not isinstance(n, numbers.Integral) or n < 0 or \
                (n > size and not connector.with_replacement):
            raise SpecError(f"{where}: {name} n {short(n)}; expected a whole number in 0..{size} (or "
                            f"with_replacement=True).")
    if isinstance(connector, FixedTotalNumberConnector) and not connector.with_replacement:
        raise UnsupportedError(f"{where}: {name} with_replacement=False; expected True (PyNN 0.13's connector "
                               f"draws the total with replacement whatever the flag says, so pyNN.brian2 builds "
                               f"multapses too). Hint: FixedNumberPreConnector(n) draws without "
                               f"replacement per target.")
    if isinstance(connector, FromListConnector):
        table = np.asarray(connector.conn_list, dtype=np.float64).reshape(len(connector.conn_list), -1)
        for column, what, size in ((0, "source", n_pre), (1, "target", n_post)):
            index = table[:, column] if table.size else np.zeros(0)
            bad = (index < 0) | (index >= size) | (index != np.round(index))
            if bad.any():
                raise SpecError(f"{where}: {name} {what} index {short(float(index[bad][0]))}; expected whole "
                                f"numbers 0..{size - 1} (the {what} has {size} cells; PyNN would drop it silently).")


class Connection(common.Connection):
    """One synapse of a projection, read from its arrays (what ``Projection[i]`` returns)."""

    def __init__(self, projection, index: int):
        self.projection, self.index = projection, index

    def __getattr__(self, name):
        if name in FIELDS:
            return self.projection._array(name)[self.index]
        raise AttributeError(name)

    def as_tuple(self, *attribute_names):
        return tuple(getattr(self, name) for name in attribute_names)


class Projection(common.Projection):
    __doc__ = common.Projection.__doc__
    _simulator = simulator
    _static_synapse_class = StaticSynapse

    def __init__(self, presynaptic_population, postsynaptic_population, connector, synapse_type=None,
                 source=None, receptor_type=None, space=Space(), label=None):
        state = simulator.state
        state.require_setup("Projection")
        if synapse_type is not None and not isinstance(synapse_type, StaticSynapse):
            raise UnsupportedError(f"projection '{label or presynaptic_population.label}': synapse type "
                                   f"{short(type(synapse_type).__name__)}; "
                                   f"expected hwsim.pynn.StaticSynapse (plastic and short-term dynamic synapses are "
                                   f"not modelled). Hint: sim.StaticSynapse(weight=..., delay=...).")
        if not getattr(postsynaptic_population, "receptor_types", ("excitatory",)):
            name = label or f"{presynaptic_population.label}->{postsynaptic_population.label}"
            raise SpecError(f"projection '{name}': its target {short(postsynaptic_population.label)} is a spike "
                            f"source; expected a population of neurons (IF_curr_exp, IF_curr_delta).")
        common.Projection.__init__(self, presynaptic_population, postsynaptic_population, connector, synapse_type,
                                   source, receptor_type, space, label)
        self._parts = {name: [] for name in FIELDS}
        self._arrays = None
        check_connector(connector, self.pre.size, self.post.size, f"projection '{self.label}'")
        connector.connect(self)
        state.projections.append(self)
        state.changed()

    def _convergent_connect(self, presynaptic_indices, postsynaptic_index, location_selector=None,
                            **connection_parameters):
        if location_selector is not None:
            raise UnsupportedError(f"projection '{self.label}': location_selector {short(location_selector)}; "
                                   f"expected None (hwsim's neurons are point neurons).")
        pre = np.asarray([int(i) for i in np.atleast_1d(presynaptic_indices)], dtype=np.int64)
        if isinstance(postsynaptic_index, simulator.ID):
            postsynaptic_index = self.post.id_to_index(postsynaptic_index)
        if pre.size and isinstance(np.atleast_1d(presynaptic_indices)[0], simulator.ID):
            pre = np.asarray(self.pre.id_to_index(pre), dtype=np.int64)
        self._parts["presynaptic_index"].append(pre)
        self._parts["postsynaptic_index"].append(np.full(pre.size, int(postsynaptic_index), dtype=np.int64))
        for name in ("weight", "delay"):
            value = np.asarray(connection_parameters[name], dtype=np.float64)
            self._parts[name].append(np.broadcast_to(value, pre.shape).copy())
        self._arrays = None

    def _array(self, name: str) -> np.ndarray:
        """All synapses' ``name`` (one of :data:`FIELDS`) as one array."""
        if self._arrays is None:
            self._arrays = {k: np.concatenate(v) if v else np.zeros(0, dtype=np.int64 if "index" in k else float)
                            for k, v in self._parts.items()}
            self._parts = {k: [v] for k, v in self._arrays.items()}
        return self._arrays[name]

    def __len__(self):
        return int(self._array("weight").size)

    def __getitem__(self, i):
        if not -len(self) <= i < len(self):
            raise IndexError(f"projection '{self.label}': connection {i} of {len(self)}")
        return Connection(self, int(i) % len(self))

    def _get_attributes_as_list(self, names):
        return list(zip(*(self._array(name.rstrip("s") if name.endswith("s") and name[:-1] in FIELDS else name)
                          .tolist() for name in names)))

    def _get_attributes_as_arrays(self, names, multiple_synapses="sum"):
        pre, post = self._array("presynaptic_index"), self._array("postsynaptic_index")
        out = []
        for name in names:
            values = self._array(name.rstrip("s") if name[:-1] in FIELDS else name)
            table = np.full((self.pre.size, self.post.size), np.nan)
            for k in range(values.size):   # in order, so that 'first' and 'last' mean what PyNN says
                old = table[pre[k], post[k]]
                table[pre[k], post[k]] = values[k] if np.isnan(old) else \
                    self.MULTI_SYNAPSE_OPERATIONS[multiple_synapses](old, values[k])
            out.append(table)
        return out

    def _set_attributes(self, parameter_space):
        raise UnsupportedError(f"projection '{self.label}': set() after creation; expected weights and delays given "
                               f"to the synapse type. Hint: StaticSynapse(weight=..., delay=...) before connecting.")
