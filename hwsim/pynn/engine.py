"""A PyNN run on hwsim's pipeline: build the IR graph, compile it for the chip, draw the sources, simulate.

Every ``run()`` simulates from t = 0 to the new end time (the kernel starts each run from the initial state);
the graph and its compiled network are reused while the network is unchanged, and the sources are drawn so that
a longer run extends a shorter one (:mod:`hwsim.pynn.sources`), so ``run(a); run(b)`` gives what ``run(a + b)``
gives. Changing the network after a run needs ``reset()`` first.

The kernel returns the membrane after the last step only, so a recorded ``v`` trace is rebuilt from *replays*:
the state after ``k`` steps is the final state of a run of the first ``k`` steps (the kernel is deterministic,
so a replay repeats the run exactly). A sample costs a replay of up to the whole run, so at most
:data:`REPLAY_BUDGET` neuron updates are replayed per recorded population; a finer sampling is coarsened to the
finest whole multiple of the requested interval that fits, with a :class:`~hwsim.pynn.rounding.RoundingWarning`.
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np

from hwsim.compiled import CompiledNetwork, compile_network
from hwsim.errors import SpecError, UnsupportedError
from hwsim.pipeline import RunResult, run_spiking
from hwsim.pynn import sources as source_draws
from hwsim.pynn.rounding import RoundingWarning, warn_chip_rounding
from hwsim.pynn.translate import build_graph

#: Neuron updates (steps x neurons of the network) replayed at most to rebuild one population's recorded membrane
#: (see the module docstring): about a second of kernel time.
REPLAY_BUDGET = 100_000_000


@dataclass
class Compiled:
    """The network as the chip runs it, for one version of the PyNN network."""

    version: int
    compiled: CompiledNetwork | None
    names: dict
    translations: dict
    sources: list


@dataclass
class Simulation:
    """One run from t = 0 to ``t_stop_ms``: the inputs drawn, the hwsim result, and memoised replays."""

    compiled: Compiled
    dt_ms: float
    n_steps: int
    inputs: np.ndarray
    result: RunResult | None
    _membranes: dict = field(default_factory=dict)

    @property
    def t_stop_ms(self) -> float:
        return self.n_steps * self.dt_ms

    def spike_steps(self, pop) -> np.ndarray:
        """uint8 ``(n_steps, size)`` spikes of ``pop`` (a source's drawn inputs, a neuron population's raster)."""
        if pop.is_source:
            first = 0
            for src in self.compiled.sources:
                if src is pop:
                    return self.inputs[0, :, first:first + pop.size]
                first += src.size
        return self.result.recorded["spikes"][self.compiled.names[id(pop)]][0]

    def membrane_mv(self, pop, every_steps: int) -> tuple[np.ndarray, int]:
        """``pop``'s membrane [mV] ``(n_samples, size)`` at steps ``0, s, 2s, ...`` of the run (sample 0: the
        initial value; sample j: after ``j s`` steps), and the interval ``s`` used (see the module docstring)."""
        n_neurons = sum(tr.params["v_th"].size for tr in self.compiled.translations.values())
        every = _affordable(every_steps, self.n_steps, REPLAY_BUDGET // max(n_neurons, 1), pop.label)
        key = (id(pop), every)
        if key not in self._membranes:
            name, tr = self.compiled.names[id(pop)], self.compiled.translations[id(pop)]
            rows = [tr.params["initial"]["v"]]
            for k in range(every, self.n_steps + 1, every):
                replay = run_spiking(self.compiled.compiled, self.inputs[:, :k] if self.inputs.shape[2] else None,
                                     record=("v",), n_steps=k)
                rows.append(replay.recorded["v"][name][0])
            self._membranes[key] = np.stack(rows) + tr.zero_mv
        return self._membranes[key], every


def _affordable(every_steps: int, n_steps: int, budget_steps: int, label: str) -> int:
    """The finest multiple of ``every_steps`` whose replays take at most ``budget_steps`` steps (with a warning
    when it is not ``every_steps``)."""
    every = max(int(every_steps), 1)
    replayed = lambda s: (n_steps // s) * (n_steps // s + 1) // 2 * s   # noqa: E731  (sum of s, 2s, ...)
    factor = 1
    while replayed(every * factor) > budget_steps:
        factor += 1
    if factor > 1:
        warnings.warn(f"population '{label}': recording v every {every} steps of a {n_steps:,}-step run would replay "
                      f"{replayed(every):,} steps (hwsim's kernels return the membrane at the end of a run only, so "
                      f"each sample is a replay); sampled every {every * factor} steps instead, "
                      f"{replayed(every * factor):,} steps.", RoundingWarning, stacklevel=6)
    return every * factor


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
    state.compiled = Compiled(state.version, compiled, names, translations, sources)
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
    inputs = source_draws.draw(built.sources, state.dt, n_steps, state.seed)
    result = None
    if built.compiled is not None and n_steps > 0:
        result = run_spiking(built.compiled, inputs if inputs.shape[2] else None, record=("spikes",),
                             n_steps=n_steps)
    return Simulation(built, state.dt, n_steps, inputs, result)
