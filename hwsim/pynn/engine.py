"""A PyNN run on hwsim's pipeline: build the IR graph, compile it for the chip, draw the sources, simulate.

Every ``run()`` simulates from t = 0 to the new end time (the kernel starts each run from the initial state);
the graph and its compiled network are reused while the network is unchanged, and the sources are drawn so that
a longer run extends a shorter one (:mod:`hwsim.pynn.sources`: spike arrays on the host, Poisson sources in the
kernel, keyed by the absolute step), so ``run(a); run(b)`` gives what ``run(a + b)`` gives. Changing the network
after a run needs ``reset()`` first.

A recorded ``v`` is the kernel's membrane trace (``record=("v_trace",)``: every neuron after every step), taken
by one more run of the same network and inputs the first time a population's ``v`` is read (the kernel is
deterministic, so that run repeats this one exactly), then sampled at the recording interval.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from hwsim.compiled import CompiledNetwork, compile_network
from hwsim.errors import SpecError, UnsupportedError
from hwsim.ir import Graph
from hwsim.pipeline import RunResult, run_spiking
from hwsim.simulate import poisson_counts
from hwsim.pynn import sources as source_draws
from hwsim.pynn.rounding import warn_chip_rounding
from hwsim.pynn.standardmodels import SpikeSourcePoisson
from hwsim.pynn.translate import build_graph

@dataclass
class Compiled:
    """The network as the chip runs it, for one version of the PyNN network."""

    version: int
    graph: Graph
    compiled: CompiledNetwork | None
    names: dict
    translations: dict
    sources: list


@dataclass
class Simulation:
    """One run from t = 0 to ``t_stop_ms``: the array sources' inputs, the hwsim result, and the membrane trace and
    the Poisson sources' counts once read."""

    compiled: Compiled
    dt_ms: float
    n_steps: int
    seed: int
    inputs: np.ndarray
    result: RunResult | None
    _trace: dict | None = None
    _poisson: np.ndarray | None = None

    @property
    def t_stop_ms(self) -> float:
        return self.n_steps * self.dt_ms

    def spike_steps(self, pop) -> np.ndarray:
        """uint8 ``(n_steps, size)`` spikes per step of ``pop``: a source's inputs (0/1 of an array source, the
        kernel's counts of a Poisson source), a neuron population's raster."""
        if pop.is_source:
            poisson = isinstance(pop.celltype, SpikeSourcePoisson)
            if poisson and self._poisson is None:
                self._poisson = poisson_counts(self.compiled.graph, self.n_steps, self.seed)[0]
            first = 0
            for src in self.compiled.sources:
                if src is pop:
                    return (self._poisson if poisson else self.inputs[0])[:, first:first + pop.size]
                first += src.size if isinstance(src.celltype, SpikeSourcePoisson) == poisson else 0
        return self.result.recorded["spikes"][self.compiled.names[id(pop)]][0]

    def membrane_mv(self, pop, every_steps: int) -> np.ndarray:
        """``pop``'s membrane [mV] ``(n_samples, size)`` at steps ``0, s, 2s, ...`` of the run (sample 0: the
        initial value; sample j: after ``j s`` steps, ``s = every_steps``)."""
        if self._trace is None:
            rerun = run_spiking(self.compiled.compiled, self.inputs if self.inputs.shape[2] else None,
                                record=("v_trace",), n_steps=self.n_steps, seed=self.seed)
            self._trace = rerun.recorded["v_trace"]
        name, tr = self.compiled.names[id(pop)], self.compiled.translations[id(pop)]
        every = max(int(every_steps), 1)
        after = self._trace[name][0, every - 1::every]
        return np.vstack([tr.params["initial"]["v"][None], after]) + tr.zero_mv


def compile_state(state) -> Compiled:
    """The state's network compiled for its chip (reused while the network is unchanged)."""
    if state.compiled is not None and state.compiled.version == state.version:
        return state.compiled
    sources = [pop for pop in state.populations if pop.is_source]
    graph, names, translations = build_graph(state.populations, state.projections, state.dt, state.chip)
    compiled = None
    if translations:
        compiled = compile_network(graph, state.chip)
        warn_chip_rounding(graph, compiled.programmed, state.chip)
    state.compiled = Compiled(state.version, graph, compiled, names, translations, sources)
    return state.compiled


def simulate(state, tstop_ms: float) -> Simulation:
    """Run the state's network from t = 0 to ``tstop_ms`` (rounded to a whole step)."""
    previous = state.simulation
    if previous is not None and previous.compiled.version != state.version:
        raise UnsupportedError("hwsim.pynn: the network changed after run(); expected reset() before changing "
                               "populations, projections, parameters or initial values (hwsim runs from t = 0). "
                               "Hint: sim.reset(), then change, then run again.")
    if not np.isfinite(tstop_ms) or tstop_ms < 0:
        raise SpecError(f"hwsim.pynn: run until {tstop_ms!r} ms; expected a finite time >= 0 ms.")
    n_steps = int(round(tstop_ms / state.dt))
    built = compile_state(state)
    inputs = source_draws.draw(built.sources, state.dt, n_steps)
    result = None
    if built.compiled is not None and n_steps > 0:
        result = run_spiking(built.compiled, inputs if inputs.shape[2] else None, record=("spikes",),
                             n_steps=n_steps, seed=state.seed)
    return Simulation(built, state.dt, n_steps, state.seed, inputs, result)
