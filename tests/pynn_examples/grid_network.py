"""A small PyNN network whose times all lie on the 0.1 ms grid, for exact comparisons of backends.

    python grid_network.py pyNN.brian2        (or hwsim.pynn)

Spike sources of known times drive IF_curr_exp and IF_curr_delta populations through excitatory and inhibitory
synapses of several delays and connectors; Poisson sources drive a third population (statistics only: each
backend draws its own Poisson spikes). Every spike time and delay is a whole number of 0.1 ms steps, so the
pyNN.brian2 backend (whose spike generators run on a 0.1 ms clock) and a float hwsim chip compute the same
discrete-time system. Part of hwsim's tests (MIT licence, as hwsim).
"""
import sys
from importlib import import_module

import numpy as np
from pyNN.random import NumpyRNG

sim = import_module(sys.argv[1])
sim.setup(timestep=0.1, min_delay=0.1, max_delay=2.0)
rng = np.random.default_rng(7)
times = [np.unique(np.round(rng.uniform(1.0, 290.0, 30), 1)) for _ in range(6)]

stim = sim.Population(6, sim.SpikeSourceArray(spike_times=times), label="stim")
exc = sim.Population(8, sim.IF_curr_exp(tau_m=15.0, tau_syn_E=2.0, tau_syn_I=4.0, tau_refrac=2.0, cm=0.5,
                                        i_offset=[0.0, 0.1, 0.2, 0.0, 0.3, 0.0, 0.1, 0.0]),
                     initial_values={"v": [-65.0, -60.0, -55.0, -62.0, -65.0, -58.0, -64.0, -61.0]}, label="exc")
inh = sim.Population(4, sim.IF_curr_delta(tau_m=10.0, tau_refrac=1.0, v_reset=-70.0), label="inh")
noise = sim.Population(20, sim.SpikeSourcePoisson(rate=40.0, start=5.0, duration=250.0), label="noise")
driven = sim.Population(10, sim.IF_curr_exp(tau_syn_E=3.0), label="driven")

sim.Projection(stim, exc, sim.FixedProbabilityConnector(0.6, rng=NumpyRNG(seed=3)),
               sim.StaticSynapse(weight=0.9, delay=1.0), receptor_type="excitatory")
sim.Projection(stim, inh, sim.AllToAllConnector(), sim.StaticSynapse(weight=2.5, delay=0.5),
               receptor_type="excitatory")
sim.Projection(exc[:4], inh, sim.OneToOneConnector(), sim.StaticSynapse(weight=4.0, delay=0.3),
               receptor_type="excitatory")
sim.Projection(inh, exc, sim.FromListConnector([(0, 1, -0.6, 0.7), (1, 2, -0.4, 1.2), (2, 4, -1.0, 0.1),
                                                (3, 7, -0.8, 0.4), (3, 0, -0.5, 0.9)],
                                               column_names=["weight", "delay"]),
               receptor_type="inhibitory")
sim.Projection(noise, driven, sim.FixedNumberPreConnector(6, rng=NumpyRNG(seed=5)),
               sim.StaticSynapse(weight=1.5, delay=1.0), receptor_type="excitatory")
sim.Projection(driven, driven, sim.FixedNumberPostConnector(2, rng=NumpyRNG(seed=6)),
               sim.StaticSynapse(weight=-0.3, delay=1.4), receptor_type="inhibitory")

for pop in (stim, exc, inh, noise, driven):
    pop.record("spikes")
exc.record("v")
sim.run(150.0)
sim.run(150.0)
sim.end()
