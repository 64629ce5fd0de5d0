"""PyNN's Recorder on hwsim: spikes and membrane traces of the last run, in PyNN's units (ms, mV).

Spikes come from the run's raster (neurons) or the sources' inputs (a Poisson source's count of k at a step is k
spikes at that time); a spike at step k is at ``k * dt`` ms. ``v`` has one sample per sampling interval from
t = 0 (the initial value) to the end of the run, sample j being the membrane after ``j`` intervals (as
pyNN.brian2 records it), from the kernel's membrane trace (:meth:`hwsim.pynn.engine.Simulation.membrane_mv`).
"""
from __future__ import annotations

import numpy as np
from pyNN import recording

from hwsim.errors import SpecError, one_of, short
from hwsim.pynn import simulator
from hwsim.pynn.standardmodels import RECORDABLE


class Recorder(recording.Recorder):
    _simulator = simulator

    def record(self, variables, ids, sampling_interval=None, locations=None):
        kind = "source" if self.population.is_source else "neuron"
        names = [variables] if isinstance(variables, str) else list(variables)
        if "all" in names:
            names = list(RECORDABLE[kind])
        where = f"population '{self.population.label}' ({type(self.population.celltype).__name__})"
        for name in names:
            if name not in RECORDABLE[kind]:
                raise SpecError(f"{where}: record {short(name)}; {one_of(name, RECORDABLE[kind])}")
        if sampling_interval is not None:
            dt = self._simulator.state.dt
            if not np.isfinite(sampling_interval) or sampling_interval < dt \
                    or abs(sampling_interval / dt - round(sampling_interval / dt)) > 1e-9:
                raise SpecError(f"{where}: sampling_interval {short(sampling_interval)} ms; expected a whole "
                                f"multiple of the timestep {dt:g} ms.")
        super().record(names, ids, sampling_interval, locations)

    def _record(self, variable, new_ids, sampling_interval=None):
        self.sampling_interval = sampling_interval or self._simulator.state.dt

    def _simulation(self):
        return self._simulator.state.simulation

    def _get_spiketimes(self, ids, clear=False):
        sim = self._simulation()
        ids = np.asarray(sorted(int(i) for i in ids), dtype=np.int64)
        if sim is None or sim.n_steps == 0 or (not self.population.is_source and sim.result is None):
            return np.zeros(0, dtype=np.int64), np.zeros(0)
        per_step = sim.spike_steps(self.population)
        steps, cells = np.nonzero(per_step)
        repeats = per_step[steps, cells]
        steps, cells = np.repeat(steps, repeats), np.repeat(cells, repeats)
        id_array = np.asarray(self.population.all_cells, dtype=np.int64)[cells]
        keep = np.isin(id_array, ids)
        return id_array[keep], steps[keep] * sim.dt_ms

    def _get_all_signals(self, variable, ids, clear=False):
        sim = self._simulation()
        every = int(round(self.sampling_interval / self._simulator.state.dt))
        index = self.population.id_to_index(np.asarray(sorted(int(i) for i in ids), dtype=np.int64))
        if sim is None or sim.result is None:
            values = np.zeros((0, len(ids)))
        else:
            values = sim.membrane_mv(self.population, every)[:, index]
        return values, None

    def _local_count(self, variable, filter_ids=None):
        sim = self._simulation()
        ids = self.filter_recorded(variable, filter_ids)
        if sim is None or sim.result is None and not self.population.is_source:
            return {int(i): 0 for i in ids}
        counts = sim.spike_steps(self.population).sum(axis=0, dtype=np.int64)
        return {int(i): int(counts[self.population.id_to_index(int(i))]) for i in ids}

    def _clear_simulator(self):
        pass

    def _reset(self):
        pass
