"""The PyNN standard models hwsim.pynn offers, with PyNN's names and units as their native ones.

Native parameters are PyNN's own (ms, mV, nA, nF, Hz): the translation into the IR's units happens in one
place, :mod:`hwsim.pynn.translate`, when a run builds the graph. ``IF_cond_exp`` is declared so that scripts
can name it, and refused when a population is created (:data:`REFUSED`).
"""
from __future__ import annotations

from pyNN.standardmodels import build_translations, cells, synapses

from hwsim.pynn.simulator import state


def _identity(cls) -> dict:
    """PyNN's translations that keep every parameter's name and value."""
    return build_translations(*((p, p) for p in cls.default_parameters))


class IF_curr_exp(cells.IF_curr_exp):
    __doc__ = cells.IF_curr_exp.__doc__
    translations = _identity(cells.IF_curr_exp)


class IF_curr_delta(cells.IF_curr_delta):
    __doc__ = cells.IF_curr_delta.__doc__
    translations = _identity(cells.IF_curr_delta)


class IF_cond_exp(cells.IF_cond_exp):
    __doc__ = cells.IF_cond_exp.__doc__
    translations = _identity(cells.IF_cond_exp)


class SpikeSourcePoisson(cells.SpikeSourcePoisson):
    __doc__ = cells.SpikeSourcePoisson.__doc__
    translations = _identity(cells.SpikeSourcePoisson)


class SpikeSourceArray(cells.SpikeSourceArray):
    __doc__ = cells.SpikeSourceArray.__doc__
    translations = _identity(cells.SpikeSourceArray)


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
