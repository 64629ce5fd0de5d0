"""The Potjans & Diesmann (2014) cortical microcircuit as a PyNN script, for any PyNN backend.

The same network as the bundled model (:mod:`hwsim.models.microcircuit`, ``PD``), written with PyNN's standard
API only, so it runs on hwsim's backend on any chip and on PyNN's own backends alike::

    python models/microcircuit_pynn.py hwsim.spinnaker [--scale 0.1] [--k-scale 0.1] [--background poisson]
    python models/microcircuit_pynn.py brian2 ...        # pyNN.brian2, pyNN.nest, ...

- eight ``IF_curr_exp`` populations (``tau_m`` 10 ms, ``tau_syn`` 0.5 ms, ``cm`` 0.25 nF, threshold -50 mV,
  reset and rest -65 mV, refractory 2 ms), initial membranes from the NEST example's per-population normals;
- one ``FixedTotalNumberConnector`` per nonzero connection probability, with the model's total ``K`` of
  synapses drawn with replacement (NEST's ``fixed_total_number`` with multapses), weights ``normal_clipped``
  (mean 87.8 pA, relative sd 0.1, doubled from L4e to L23e, ``g = -4`` times it and negative for inhibitory
  synapses; clipping at 0 is the redraw NEST's ``redraw`` does) and delays ``normal_clipped`` (mean 1.5 / 0.75
  ms, relative sd 0.5, redrawn below half a step), each backend rounding them to its grid;
- background ``poisson``: one ``SpikeSourcePoisson`` per neuron at ``K_ext x 8 Hz`` with the mean excitatory
  weight, one to one (a delay of one step), or ``dc``: the equivalent current in ``i_offset``;
- at ``scale`` < 1 with in-degrees scaled by ``k_scale``, weights divided by ``sqrt(k_scale)`` and each
  population's lost input given back as DC (van Albada et al. 2015), all numbers from
  :mod:`models.microcircuit`, which imports only numpy so that PyNN's environments can read it.

PyNN connects one target cell at a time, so building takes seconds per 100,000 synapses: use the bundled
model (:func:`hwsim.models.microcircuit_ir.build`) for full scale. Prints each population's rate after the
first ``--transient`` ms beside NEST's: its own run at the example's scaling (scale and in-degrees 0.1, Poisson
background) where that is the one asked for, else its full-scale rates.
"""
from __future__ import annotations

import argparse
import math
import sys
from importlib import import_module
from pathlib import Path

import numpy as np

if __package__ in (None, ""):   # run as a script: the repository's models package
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from models import microcircuit as mc
else:
    from . import microcircuit as mc


def build(sim, scale: float = 0.1, k_scale: float | None = None, background: str = "poisson", seed: int = 0,
          params: mc.Parameters = mc.PD) -> dict:
    """Build the microcircuit on the PyNN backend ``sim`` (after ``sim.setup``) and record its spikes.

    Parameters
    ----------
    sim : module
        A PyNN backend (``hwsim.pynn``, ``pyNN.brian2``, ...).
    scale, k_scale : float
        Fraction of the neurons, and of the in-degrees (default: ``scale``, as NEST's example scales both).
    background : {"poisson", "dc"}
    seed : int
        Seed of the script's ``NumpyRNG`` (connections, weights, delays, membranes, in that order).
    params : models.microcircuit.Parameters
        Its ``multapses`` must be True: PyNN's ``FixedTotalNumberConnector`` always draws with replacement.

    Returns
    -------
    dict
        The eight populations by name.
    """
    sizes = mc.sizes(scale)   # ValueError naming a scale outside (0, 1]
    k_scale = scale if k_scale is None else k_scale
    params = params.replace(k_scale=k_scale).check()
    if background not in ("poisson", "dc") or not params.multapses:
        raise ValueError(f"microcircuit_pynn: background {background!r}, multapses {params.multapses}; expected "
                         f"'poisson' or 'dc', and multapses (PyNN's total-number connector draws with replacement).")
    rng = sim.NumpyRNG(seed=seed)
    dc_na = mc.background_dc_pa(params, background) * 1e-3
    cell = dict(tau_m=params.tau_mem_s * 1e3, tau_syn_E=params.tau_syn_s * 1e3, tau_syn_I=params.tau_syn_s * 1e3,
                cm=params.c_mem_pf * 1e-3, v_rest=params.e_leak_mv, v_reset=params.v_reset_mv,
                v_thresh=params.v_th_mv, tau_refrac=params.refractory_s * 1e3)
    populations = {}
    for k, (name, size) in enumerate(zip(mc.POPULATIONS, sizes)):
        pop = sim.Population(int(size), sim.IF_curr_exp(i_offset=float(dc_na[k]), **cell), label=name)
        mean, sd = ((mc.V0_OPTIMIZED_MEAN_MV[k], mc.V0_OPTIMIZED_SD_MV[k]) if params.v0 == "optimized"
                    else (params.v0_mean_mv, params.v0_sd_mv))
        pop.initialize(v=sim.RandomDistribution("normal", mu=float(mean), sigma=float(sd), rng=rng))
        pop.record("spikes")
        populations[name] = pop
    dt_ms = params.dt_ms
    p, factor = mc.pair_probability(scale, k_scale)
    mean_pa = mc.mean_weights_pa(params) / math.sqrt(k_scale)   # drawn with replacement: never multiplied
    for s, source in enumerate(mc.POPULATIONS):
        excitatory = source.endswith("e")
        delay_ms = params.delay_exc_ms if excitatory else params.delay_inh_ms
        delay = sim.RandomDistribution("normal_clipped", mu=delay_ms, sigma=delay_ms * params.delay_rel_sd,
                                       low=0.5 * dt_ms, high=math.inf, rng=rng)
        for t, target in enumerate(mc.POPULATIONS):
            total = int(round(p[t, s] * factor[t, s] * sizes[s] * sizes[t]))
            if total == 0:
                continue
            mean_na = float(mean_pa[t, s]) * 1e-3
            low, high = (0.0, math.inf) if excitatory else (-math.inf, 0.0)
            weight = sim.RandomDistribution("normal_clipped", mu=mean_na, sigma=abs(mean_na) * params.weight_rel_sd,
                                            low=low, high=high, rng=rng)
            sim.Projection(populations[source], populations[target],
                           sim.FixedTotalNumberConnector(total, with_replacement=True, rng=rng),
                           sim.StaticSynapse(weight=weight, delay=delay),
                           receptor_type="excitatory" if excitatory else "inhibitory", label=f"{source}->{target}")
    if background == "poisson":
        for k, name in enumerate(mc.POPULATIONS):
            rate_hz = float(mc.external_indegrees(params)[k]) * params.background_rate_hz
            source = sim.Population(int(sizes[k]), sim.SpikeSourcePoisson(rate=rate_hz), label=f"bg_{name}")
            sim.Projection(source, populations[name], sim.OneToOneConnector(),
                           sim.StaticSynapse(weight=mc.external_weight_pa(params) * 1e-3, delay=dt_ms),
                           receptor_type="excitatory", label=f"bg->{name}")
    return populations


def rates_hz(populations: dict, t_start_ms: float, t_stop_ms: float) -> dict:
    """Each population's mean rate [Hz] over ``[t_start_ms, t_stop_ms)``, from its recorded spikes."""
    out = {}
    for name, pop in populations.items():
        trains = pop.get_data("spikes").segments[-1].spiketrains
        times = np.concatenate([np.asarray(st.magnitude) for st in trains]) if trains else np.zeros(0)
        count = np.count_nonzero((times >= t_start_ms) & (times < t_stop_ms))
        out[name] = count / pop.size / ((t_stop_ms - t_start_ms) * 1e-3)
    return out


def _backend(name: str):
    """``hwsim`` / ``hwsim.<chip>`` (hwsim's backend) or a PyNN backend's name (``brian2``, ``nest``, ...)."""
    if name == "hwsim" or name.startswith("hwsim."):
        from hwsim.pynn.utility import backend
        return backend(name)
    try:
        return import_module(f"pyNN.{name}")
    except ModuleNotFoundError as exc:
        raise ValueError(f"microcircuit_pynn: simulator {name[:80]!r}: {exc}; expected hwsim, hwsim.<chip> or an "
                         f"installed PyNN backend (brian2, nest, neuron, ...).") from None


def _user_errors() -> tuple:
    """What a bad command line raises: ValueError (this script, the model's checks, hwsim's SpecError) and, where
    hwsim is installed, every hwsim error (a chip that cannot run the network)."""
    try:
        from hwsim.errors import HwsimError
    except ImportError:   # a PyNN environment without hwsim
        return (ValueError,)
    return (ValueError, HwsimError)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("simulator", help="hwsim, hwsim.<chip> (e.g. hwsim.spinnaker) or a PyNN backend (brian2, ...)")
    parser.add_argument("--scale", type=float, default=0.1, help="fraction of the neurons (default 0.1)")
    parser.add_argument("--k-scale", type=float, default=None, help="fraction of the in-degrees (default: scale)")
    parser.add_argument("--background", choices=("poisson", "dc"), default="poisson")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--t-sim", type=float, default=1000.0, help="biological time [ms] (default 1000)")
    parser.add_argument("--transient", type=float, default=100.0, help="ms left out of the rates (default 100)")
    args = parser.parse_args(argv)
    if not 0 <= args.transient < args.t_sim:
        parser.error(f"--transient {args.transient:g} ms, --t-sim {args.t_sim:g} ms; expected 0 <= transient < t-sim.")
    k_scale = args.scale if args.k_scale is None else args.k_scale
    try:
        sim = _backend(args.simulator)
        sim.setup(timestep=mc.PD.dt_ms, min_delay=mc.PD.dt_ms, max_delay=20.0)
        populations = build(sim, args.scale, k_scale, args.background, args.seed)
        sim.run(args.t_sim)
    except _user_errors() as exc:
        parser.exit(2, f"{exc}\n")
    rates = rates_hz(populations, args.transient, args.t_sim)
    scaled = args.scale == k_scale == 0.1 and args.background == "poisson"
    references, label = ((mc.NEST_RATES_SCALE_01_HZ, "NEST at this scaling") if scaled
                         else (mc.FULL_MEAN_RATES_HZ, "NEST, full scale"))
    print(f"Microcircuit (PyNN script) on {args.simulator}: scale {args.scale}, in-degrees x {k_scale}, "
          f"{args.background} background, seed {args.seed}, {args.t_sim:g} ms\n\n| population | rate (Hz) | "
          f"{label} (Hz) |\n|---|---|---|")
    for name, reference in zip(mc.POPULATIONS, references):
        print(f"| {name} | {rates[name]:.3f} | {reference:.3f} |")
    sim.end()
    return 0


if __name__ == "__main__":
    sys.exit(main())
