"""The PyNN standard models hwsim.pynn offers, with PyNN's names and units as their native ones.

Native parameters are PyNN's own (ms, mV, nA, nF, Hz): the translation into the IR's units happens in one
place, :mod:`hwsim.pynn.translate`, when a run builds the graph. ``IF_cond_exp`` is declared so that scripts
can name it, and refused when a population is created (:data:`REFUSED`).
"""
from __future__ import annotations

from pyNN.standardmodels import build_translations, cells, synapses

from hwsim.pynn.simulator import state


def _native(base: type) -> type:
    """A subclass of PyNN's ``base`` model with PyNN's translations that keep every parameter's name and value
    (the backend's native units are PyNN's)."""
    translations = build_translations(*((p, p) for p in base.default_parameters))
    return type(base.__name__, (base,), {"__doc__": base.__doc__, "__module__": __name__,
                                         "translations": translations})


IF_curr_exp = _native(cells.IF_curr_exp)
IF_curr_delta = _native(cells.IF_curr_delta)
IF_cond_exp = _native(cells.IF_cond_exp)
SpikeSourcePoisson = _native(cells.SpikeSourcePoisson)
SpikeSourceArray = _native(cells.SpikeSourceArray)


class StaticSynapse(synapses.StaticSynapse):
    __doc__ = synapses.StaticSynapse.__doc__
    translations = build_translations(("weight", "weight"), ("delay", "delay"))

    def _get_minimum_delay(self):
        return state.dt if state.min_delay == "auto" else state.min_delay


#: Cell types a population may use, and those refused with the reason.
NEURONS = (IF_curr_exp, IF_curr_delta)
SOURCES = (SpikeSourcePoisson, SpikeSourceArray)
REFUSED = {
    IF_cond_exp: "conductance-based synapses need the membrane's distance to a reversal potential in every "
                 "synaptic current, which the IR's current-based neurons (hwsim.ir: i_r decays, v sums them) "
                 "cannot express",
}
#: PyNN's recordables that hwsim returns (per cell kind).
RECORDABLE = {"neuron": ("spikes", "v"), "source": ("spikes",)}
