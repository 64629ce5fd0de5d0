"""The Potjans & Diesmann (2014) microcircuit (:mod:`hwsim.models.microcircuit`) as an hwsim IR graph.

One ``lif`` population per cortical population, one receptor (excitatory and inhibitory currents share
``tau_syn`` = 0.5 ms, so signed weights feed one current), one sparse projection per nonzero connection
probability. The exact one-step solution of ``C dv/dt = -(v - E_L) C / tau_m + I``, ``dI/dt = -I / tau_syn``
(:meth:`~hwsim.models.microcircuit.Parameters.exact_factors`) in the IR's terms (:mod:`hwsim.ir`), membrane
in mV above ``E_L`` (so that thresholds are positive, as integer chips store them):

- ``decay_syn = 1 - a`` and weights ``c * w`` [mV]: the IR's current ``i[t]`` is ``c * I`` after the
  previous step's arrivals, so a projection's ``delay_steps`` d is the time from a spike to its first effect
  on the membrane (Brian2 with synaptic delay ``(d - 1) dt`` computes the same);
- ``decay_mem = 1 - m`` and ``bias = (1 - m) R I_dc`` (``I_dc``: the DC background, and the in-degree
  scaling's compensation when ``k_scale < 1``; 0 otherwise);
- ``v_th`` 15 (-50 mV), ``v_reset`` 0 (-65 mV), ``refractory_steps`` 20 (NEST's count for 2 ms; 19 in the
  fixed variant), initial ``v`` from :func:`~hwsim.models.microcircuit.initial_v_mv` minus ``E_L``;
- per-synapse weights ``c * w`` and delays as :func:`~hwsim.models.microcircuit.projections` draws them
  (one delay per projection in the fixed variant).

Background ``"poisson"``: one ``current`` Input per population (``bg_L23e``, ...), one channel per neuron,
projected one-to-one with weight ``c * w_ext`` and delay 1; its values per step are the counts of
:func:`~hwsim.models.microcircuit.background_counts` (a float chip is needed: integer chips take spikes only).
Background ``"poisson_source"``: the same Inputs and projections, but each a ``poisson`` Input of rate
``round(K_ext k_scale) x 8 Hz`` per channel whose counts the kernel draws (seeded by the run's seed, see
``docs/sources.md``): no count array, and every chip runs it.
Background ``"dc"``: no Input; the current is in ``bias``, and the graph runs on any chip whose delays reach
the projections' (the published model's reach ~60 steps; the fixed variant's 15). Outputs: the spike count
of every population (``rate_L23e``, ...). The graph's metadata holds the parameters (``"params"``), so
:func:`background_inputs` draws the background the graph was built for.
"""
from __future__ import annotations

import dataclasses

import numpy as np

from hwsim import multapses
from hwsim.errors import GraphError, one_of
from hwsim.ir import Graph
from hwsim.models import microcircuit as mc


def build(scale: float = 1.0, seed: int = 0, background: str = "poisson",
          params: mc.Parameters = mc.PD) -> Graph:
    """The microcircuit at ``scale`` (fraction of neurons; in-degrees times ``params.k_scale``) as an IR graph.

    Parameters
    ----------
    scale : float
        Fraction of every population's neurons, in (0, 1] (see :mod:`hwsim.models.microcircuit`).
    seed : int
        Seed of the connectivity and initial membranes (the background counts take their own).
    background : str
        ``"poisson"`` (current inputs to fill with background counts), ``"poisson_source"`` (Poisson inputs the
        kernel draws) or ``"dc"`` (a bias current).
    params : Parameters
        Neuron, synapse, scaling and simulation parameters: ``mc.PD`` (the published model, default),
        ``mc.FIXED`` (issue 18's fixed weights and delays) or any :class:`~hwsim.models.microcircuit.Parameters`.
    """
    where = "microcircuit"
    if isinstance(scale, bool) or not isinstance(scale, (int, float)) or not 0 < scale <= 1:
        raise GraphError(f"{where}: scale {scale!r}; expected a fraction of the neurons in (0, 1]. "
                         f"Hint: 0.1 keeps 7,717 of the 77,169 neurons.")
    if background not in mc.BACKGROUND_KINDS:
        raise GraphError(f"{where}: background {background!r}; {one_of(background, mc.BACKGROUND_KINDS)}")
    if not isinstance(params, mc.Parameters):
        raise GraphError(f"{where}: params of type {type(params).__name__}; expected microcircuit.Parameters "
                         f"(mc.PD, mc.FIXED or mc.PD.replace(...)).")
    if params.problem():
        raise GraphError(params.problem())
    m, a, c = params.exact_factors()
    sizes = mc.sizes(scale)
    dc_pa = mc.background_dc_pa(params, background)
    graph = Graph("microcircuit", dt_s=params.dt_s,
                  metadata={"model": "Potjans & Diesmann 2014", "scale": scale, "seed": seed,
                            "background": background, "populations": list(mc.POPULATIONS),
                            "sizes": list(sizes), "params": dataclasses.asdict(params)})
    v0 = np.split(mc.initial_v_mv(scale, seed, params), np.cumsum(sizes)[:-1])
    k_ext = mc.external_indegrees(params)
    for name, size, dc, v, k in zip(mc.POPULATIONS, sizes, dc_pa, v0, k_ext):
        if background == "poisson":
            graph.add_input(f"bg_{name}", size, "current")
        elif background == "poisson_source":
            graph.add_input(f"bg_{name}", size, "poisson", rate_hz=float(k) * params.background_rate_hz)
        graph.add_population(name, size, "lif", decay_syn=1.0 - a, decay_mem=1.0 - m,
                             v_th=params.v_th_mv - params.e_leak_mv, v_reset=params.v_reset_mv - params.e_leak_mv,
                             bias=(1.0 - m) * params.r_mem_mohm * 1e-3 * dc,
                             refractory_steps=params.refractory_steps, initial={"v": v - params.e_leak_mv})
    if background != "dc":
        for name, size in zip(mc.POPULATIONS, sizes):
            one_to_one = np.arange(size, dtype=np.int32)
            graph.add_projection(f"bg_{name}", name, np.full(size, c * mc.external_weight_pa(params)), one_to_one,
                                 one_to_one, delay_steps=1, name=f"bg->{name}")
    for proj in mc.projections(scale, seed, params):
        size = sizes[mc.POPULATIONS.index(proj.target)]
        layers = multapses.layers(proj.pre, proj.post, size) if params.multapses else [slice(None)]
        for copy, chosen in enumerate(layers):
            name = multapses.layer_name(f"{proj.source}->{proj.target}", copy)
            delay = proj.delay_steps if proj.delay_steps.ndim == 0 else proj.delay_steps[chosen]
            graph.add_projection(proj.source, proj.target, c * proj.weight_pa[chosen], proj.pre[chosen],
                                 proj.post[chosen], delay_steps=delay, name=name)
    for name in mc.POPULATIONS:
        graph.add_output(f"rate_{name}", name)
    return graph


def background_inputs(graph: Graph, n_steps: int, seed: int = 1, params: mc.Parameters | None = None) -> np.ndarray:
    """The input array ``(1, n_steps, n_inputs)`` uint8 of ``graph`` (built by :func:`build`): background
    counts for ``"poisson"``, an empty ``(1, n_steps, 0)`` for ``"dc"`` and ``"poisson_source"`` (the kernel
    draws that one). ``params``: those the graph was built with (its metadata) unless given."""
    if graph.metadata.get("background") in ("dc", "poisson_source"):
        return np.zeros((1, n_steps, 0), dtype=np.uint8)
    params = params or mc.Parameters(**graph.metadata["params"])
    return mc.background_counts(graph.metadata["scale"], n_steps, seed, params)[None]
