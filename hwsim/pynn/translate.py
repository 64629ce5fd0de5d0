"""PyNN's parameters and units into the IR (:mod:`hwsim.ir`): the one place the discretisation is stated.

Membrane potentials become mV above ``v_rest`` (so a neuron at rest holds 0 and costs an idle update), or
above ``v_reset`` for neurons whose ``v_rest`` is not below ``v_thresh`` (integer chips hold thresholds >= 0);
currents become mV of membrane change per step. With ``m = exp(-dt/tau_m)``, ``a_r = exp(-dt/tau_syn_r)``
and ``R = tau_m / cm`` [MOhm], the exact one-step solution of PyNN's ``IF_curr_exp``::

    cm dv/dt = cm (v_rest - v) / tau_m + I_exc + I_inh + i_offset,     dI_r/dt = -I_r / tau_syn_r

is the IR's ``lif`` with two receptors (0 excitatory, 1 inhibitory), ``z`` the membrane the IR's 0 stands for::

    decay_mem = 1 - m,  decay_syn_r = 1 - a_r,  bias = (1 - m) (v_rest - z + R i_offset),
    weight [mV] = c_r w [nA],  c_r = R tau_syn_r / (tau_syn_r - tau_m) (a_r - m)   (R (dt/tau_m) m when equal)
    v_th = v_thresh - z,  v_reset = v_reset - z,  refractory_steps = max(round(tau_refrac / dt) - 1, 0)

The IR's current ``i_r[t]`` is ``c_r`` times PyNN's current after the arrivals of the step before, so a
synapse of delay ``d`` ms takes ``round(d / dt) + 1`` IR steps: a spike at step ``n`` changes the membrane
at step ``n + round(d/dt) + 1``, as in Brian 2 (update, threshold, synapses, reset within a step). Brian 2
lets a neuron that spiked at step ``n`` update again at step ``n + round(tau_refrac/dt)`` (its refractory test
``t - lastspike >= tau_refrac`` runs before that step's update), so the IR holds v for one step less than
``tau_refrac`` (NEST holds it for all of it).
``IF_curr_delta`` (a jump of ``w`` mV) is ``lif`` with one receptor that keeps no current
(``decay_syn = 1``) and weight ``m w`` at the same delay: Brian 2 adds the jump after the step's threshold,
so it is seen decayed once, at the next step's threshold. Initial values: ``v - z`` and ``c_r isyn``.
Recorded ``v`` goes back as ``v_IR + z`` mV.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from hwsim import multapses
from hwsim.errors import SpecError, UnsupportedError, short
from hwsim.ir import Graph
from hwsim.pynn.rounding import to_steps
from hwsim.pynn.sources import poisson_input
from hwsim.pynn.standardmodels import IF_curr_delta, IF_curr_exp, SpikeSourcePoisson

RECEPTORS = {IF_curr_exp: ("excitatory", "inhibitory"), IF_curr_delta: ("excitatory", "inhibitory")}
#: Parameters checked per cell type: ``(name, lowest, strict)`` (all must also be finite).
POSITIVE = {"tau_m": True, "cm": True, "tau_syn_E": True, "tau_syn_I": True, "tau_refrac": False}


@dataclass(frozen=True)
class NeuronTranslation:
    """One population's IR parameters and the factors that turn its PyNN weights into IR weights.

    Attributes
    ----------
    params : dict
        Keyword arguments of :meth:`hwsim.ir.Graph.add_population` (model, arrays, reset, initial state).
    weight_mv : ndarray ``(n_receptors_pynn, size)``
        IR weight per PyNN weight unit (nA or mV) of an excitatory (row 0) and inhibitory (row 1) synapse
        onto each neuron.
    receptor : tuple of int
        The IR receptor of PyNN's excitatory and inhibitory synapses.
    zero_mv : ndarray
        The membrane the IR's 0 stands for [mV] (``v_rest``, or ``v_reset`` where ``v_rest >= v_thresh``).
    """

    params: dict
    weight_mv: np.ndarray
    receptor: tuple
    zero_mv: np.ndarray


def _values(pop, names, where: str) -> dict:
    out = {}
    for name in names:
        values = np.broadcast_to(np.asarray(pop._parameters[name], dtype=np.float64), (pop.size,))
        if not np.all(np.isfinite(values)):
            raise SpecError(f"{where}: {name} holds NaN or infinite values; expected finite numbers in "
                            f"{pop.celltype.units[name]}.")
        strict = POSITIVE.get(name)
        if strict is not None and (values.min(initial=1.0) <= 0 if strict else values.min(initial=0.0) < 0):
            bad = float(values.min())
            raise SpecError(f"{where}: {name} {short(bad)} {pop.celltype.units[name]}; expected "
                            f"{'> 0' if strict else '>= 0'} {pop.celltype.units[name]}.")
        out[name] = values
    return out


def exact_factors(dt_ms: float, tau_m_ms: np.ndarray, tau_syn_ms: np.ndarray) -> tuple[np.ndarray, np.ndarray,
                                                                                        np.ndarray]:
    """``(m, a, k)`` of the exact step of a current-based LIF: ``m = exp(-dt/tau_m)``, ``a = exp(-dt/tau_syn)``
    and ``k = tau_syn / (tau_syn - tau_m) (a - m)`` (``(dt / tau_m) m`` where the two are equal), so that a
    current ``I`` [nA] moves the membrane by ``R k I`` [mV] over the next step."""
    m, a = np.exp(-dt_ms / tau_m_ms), np.exp(-dt_ms / tau_syn_ms)
    equal = np.isclose(tau_syn_ms, tau_m_ms, rtol=1e-9, atol=0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        k = np.where(equal, dt_ms / tau_m_ms * m, tau_syn_ms / (tau_syn_ms - tau_m_ms) * (a - m))
    return m, a, k


def neuron_population(pop, dt_ms: float) -> NeuronTranslation:
    """The IR translation of a PyNN population of ``IF_curr_exp`` or ``IF_curr_delta`` neurons."""
    kind = type(pop.celltype)
    where = f"population '{pop.label}' ({kind.__name__})"
    p = _values(pop, pop.celltype.default_parameters, where)
    r_mohm = p["tau_m"] / p["cm"]
    m = np.exp(-dt_ms / p["tau_m"])
    if np.any(p["v_reset"] >= p["v_thresh"]):
        bad = np.flatnonzero(p["v_reset"] >= p["v_thresh"])[0]
        raise SpecError(f"{where}: v_reset {p['v_reset'][bad]:g} mV is not below v_thresh {p['v_thresh'][bad]:g} mV "
                        f"(neuron {bad}); expected v_reset < v_thresh (the neuron would fire at every step).")
    refractory = to_steps(p["tau_refrac"], dt_ms, "tau_refrac", where)
    zero = np.where(p["v_rest"] < p["v_thresh"], p["v_rest"], p["v_reset"])
    common = dict(model="lif", reset="value", decay_mem=1.0 - m, v_th=p["v_thresh"] - zero,
                  v_reset=p["v_reset"] - zero, bias=(1.0 - m) * (p["v_rest"] - zero + r_mohm * p["i_offset"]),
                  refractory_steps=np.maximum(refractory - 1, 0).astype(np.float64))
    v0 = _initial(pop, "v", where) - zero
    if kind is IF_curr_delta:
        params = dict(common, n_receptors=1, decay_syn=np.ones(pop.size), initial={"v": v0})
        return NeuronTranslation(params, np.stack([m, m]), (0, 0), zero)
    factors = [exact_factors(dt_ms, p["tau_m"], p[tau]) for tau in ("tau_syn_E", "tau_syn_I")]
    weight = np.stack([r_mohm * k for _, _, k in factors])
    u0 = np.stack([weight[r] * _initial(pop, name, where) for r, name in enumerate(("isyn_exc", "isyn_inh"))])
    params = dict(common, n_receptors=2, decay_syn=np.stack([1.0 - a for _, a, _ in factors]),
                  initial={"v": v0, "u": u0})
    return NeuronTranslation(params, weight, (0, 1), zero)


def _initial(pop, variable: str, where: str) -> np.ndarray:
    values = np.broadcast_to(pop._initial.get(variable, pop.celltype.default_initial_values[variable]), (pop.size,))
    values = np.asarray(values, dtype=np.float64)
    if not np.all(np.isfinite(values)):
        raise SpecError(f"{where}: initial {variable} holds NaN or infinite values; expected finite numbers in "
                        f"{pop.celltype.units[variable]}.")
    return values


def node_name(pop, taken: set) -> str:
    """A graph node name for ``pop``: its label, made unique."""
    name, k = str(pop.label), 1
    while name in taken:
        name, k = f"{pop.label}_{k}", k + 1
    taken.add(name)
    return name


def build_graph(populations: list, projections: list, dt_ms: float, chip) -> tuple[Graph, dict, dict]:
    """The IR graph of a PyNN network: one Input per source population (Poisson or spike,
    :mod:`hwsim.pynn.sources`), one ``lif`` Population per
    neuron population (with a spike-count Output), one sparse Projection per PyNN projection (a projection that
    joins a pair more than once, as connectors drawing with replacement do, becomes one per layer of
    :func:`hwsim.multapses.layers`).

    Returns
    -------
    graph : Graph
    names : dict
        Graph node name of each PyNN population (by ``id``).
    translations : dict
        :class:`NeuronTranslation` of each neuron population (by ``id``).
    """
    graph = Graph("pynn", dt_s=dt_ms * 1e-3, metadata={"source": "hwsim.pynn"})
    names, translations, taken = {}, {}, set()
    for pop in populations:
        names[id(pop)] = node_name(pop, taken)
        if isinstance(pop.celltype, SpikeSourcePoisson):
            graph.add_input(names[id(pop)], pop.size, "poisson", **poisson_input(pop, dt_ms))
            continue
        if pop.is_source:
            graph.add_input(names[id(pop)], pop.size, "spike")
            continue
        tr = neuron_population(pop, dt_ms)
        translations[id(pop)] = tr
        params = dict(tr.params)
        graph.add_population(names[id(pop)], pop.size, params.pop("model"), params.pop("reset"),
                             n_receptors=params.pop("n_receptors"), initial=params.pop("initial"), **params)
        graph.add_output(f"spikes_{names[id(pop)]}", names[id(pop)])
    for k, prj in enumerate(projections):
        for pre, post, pre_index, post_index, weight, delay in _pieces(prj):
            tr = translations[id(post)]
            receptor = RECEPTORS[type(post.celltype)].index(prj.receptor_type)
            where = f"projection '{prj.label}'"
            steps = to_steps(delay, dt_ms, "delay", where) + 1
            _check_delays(steps, chip, dt_ms, where)
            weight_mv = weight * tr.weight_mv[receptor][post_index]
            for layer, chosen in enumerate(multapses.layers(pre_index, post_index, post.size)):
                graph.add_projection(names[id(pre)], names[id(post)], weight_mv[chosen],
                                     pre_index[chosen].astype(np.int32), post_index[chosen].astype(np.int32),
                                     delay_steps=steps[chosen], receptor=tr.receptor[receptor],
                                     name=multapses.layer_name(f"{k}:{names[id(pre)]}->{names[id(post)]}", layer))
    return graph, names, translations


def _pieces(prj):
    """``(pre_population, post_population, pre_index, post_index, weight, delay)`` of a projection, split by the
    populations of its source and target (a PopulationView or Assembly spans parts of several)."""
    pre_all, post_all = prj._array("presynaptic_index"), prj._array("postsynaptic_index")
    weight, delay = prj._array("weight"), prj._array("delay")
    pre_pop, pre_local = _owners(prj.pre, pre_all)
    post_pop, post_local = _owners(prj.post, post_all)
    keys = np.stack([pre_pop, post_pop]) if pre_all.size else np.zeros((2, 0), dtype=np.int64)
    for a, b in sorted({(int(x), int(y)) for x, y in keys.T}):
        sel = (pre_pop == a) & (post_pop == b)
        yield (_populations(prj.pre)[a], _populations(prj.post)[b], pre_local[sel], post_local[sel], weight[sel],
               delay[sel])


def _populations(cells) -> list:
    """The base populations under a Population, PopulationView or Assembly, in order."""
    if hasattr(cells, "populations"):
        return [p for part in cells.populations for p in _populations(part)]
    return [cells.grandparent if hasattr(cells, "grandparent") else cells]


def _owners(cells, index: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For indices into ``cells``: which of :func:`_populations` holds each, and the index in it."""
    ids = np.asarray(cells.all_cells, dtype=np.int64)[index]
    pops = _populations(cells)
    owner = np.zeros(index.size, dtype=np.int64)
    local = np.zeros(index.size, dtype=np.int64)
    for k, pop in enumerate(pops):
        first = int(pop.first_id)
        inside = (ids >= first) & (ids < first + pop.size)
        owner[inside], local[inside] = k, ids[inside] - first
    return owner, local


def _check_delays(steps: np.ndarray, chip, dt_ms: float, where: str) -> None:
    high = chip.capacity.longest_delay_steps   # the row's field, plus any delay-extension stages
    if steps.size and high is not None and steps.max() > high:
        raise UnsupportedError(f"{where}: delay {(steps.max() - 1) * dt_ms:g} ms takes {steps.max()} steps of "
                               f"{dt_ms:g} ms on chip '{chip.name}' (the delay plus the step in which a current "
                               f"reaches the membrane); expected at most {high} steps, delays up to "
                               f"{(high - 1) * dt_ms:g} ms. Hint: a larger timestep (SpiNNaker runs at 1 ms), or "
                               f"shorter delays.")
