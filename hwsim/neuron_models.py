"""Registry of the IR's neuron models and their discrete-time parameters.

A model is declared once here: its name, whether it spikes, its parameters
with defaults (``None`` means required), which of them belong to a synaptic
receptor (one row per receptor), the state it keeps (and so may start from), and
its equations. The semantics of a step are in :mod:`hwsim.ir`; units are the graph's
own membrane units (the dimensionless unit in which weights, thresholds and biases
are expressed). The kernel's update rules of each model live in ``kernels/``
(``kernels/neurons.py`` lists them); their plain-numpy references in ``tests/reference.py``.

A new model is one :class:`NeuronModel` entry passed to :func:`register`.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping

from hwsim.errors import GraphError, one_of

#: The IR's resets (see :mod:`hwsim.ir` for their exact semantics).
RESET_MODES = ("value", "value_next", "subtract", "subtract_next", "subtract_raised", "none")


@dataclass(frozen=True)
class NeuronModel:
    """Static description of a neuron model.

    Attributes
    ----------
    name : str
        Registry key, e.g. ``"lif"``.
    spiking : bool
        True when the model emits spikes (it has a threshold).
    stateful : bool
        True when the model keeps state between steps (i, v).
    params : mapping of str to float or None
        Per-neuron parameters and their defaults; ``None`` marks a required one.
    receptor_params : tuple of str
        The parameters of one synaptic receptor (current): with ``n_receptors`` receptors they
        hold one row per receptor, shape ``(n_receptors, size)``. Empty: the model has no synaptic
        current, and exactly one (implicit) receptor.
    state : tuple of str
        The state a population may start from (``initial``): ``u`` (synaptic current, one row per
        receptor), ``v`` (membrane), ``refractory`` (steps of refractory period left).
    equations : str
        The update, in the notation of :mod:`hwsim.ir`.
    graded : bool
        True when the model's spikes carry a payload (graded spikes): its outgoing projections multiply
        each weight by it, and a chip needs ``graded_spike_bits > 0`` to run it.
    ranges : mapping of str to (float, float, bool)
        Parameters checked against ``(low, high, whole)``: the values must lie in ``[low, high]`` and,
        when ``whole``, be whole numbers (the other parameters only need to be finite).
    """

    name: str
    spiking: bool
    stateful: bool
    params: Mapping[str, float | None] = field(default_factory=dict)
    receptor_params: tuple[str, ...] = ()
    state: tuple[str, ...] = ()
    equations: str = ""
    graded: bool = False
    ranges: Mapping[str, tuple[float, float, bool]] = field(default_factory=dict)


MODELS: dict[str, NeuronModel] = {}


def register(model: NeuronModel) -> NeuronModel:
    """Add ``model`` to the registry; a duplicate name is an error."""
    if model.name in MODELS:
        raise GraphError(f"neuron model '{model.name}': already registered; expected a new name.")
    MODELS[model.name] = model
    return model


def get_model(name: str, where: str = "population") -> NeuronModel:
    """Return the registered model ``name`` or raise a :class:`GraphError` listing the options."""
    if name not in MODELS:
        raise GraphError(f"{where}: unknown neuron model '{name}'; {one_of(name, MODELS)}")
    return MODELS[name]


register(NeuronModel(
    "lif", spiking=True, stateful=True,
    params={"decay_syn": 0.0, "decay_mem": 0.0, "v_th": None, "bias": 0.0, "bias_syn": 0.0, "v_reset": 0.0,
            "refractory_steps": 0.0},
    receptor_params=("decay_syn", "bias_syn"), state=("u", "v", "refractory"),
    equations=("i_r[t] = (1-decay_syn_r)*i_r[t-1] + (x_r[t] + bias_syn_r) per receptor r;  "
               "v[t] = (1-decay_mem)*v[t-1] + sum_r i_r[t] + bias;  spike if v[t] > v_th, then reset"),
))
register(NeuronModel(
    "if", spiking=True, stateful=True,
    params={"v_th": None, "bias": 0.0, "v_reset": 0.0, "refractory_steps": 0.0},
    state=("v", "refractory"),
    equations="v[t] = v[t-1] + x[t] + bias;  spike if v[t] > v_th, then reset",
))
register(NeuronModel(
    "li", spiking=False, stateful=True,
    params={"decay_syn": 0.0, "decay_mem": 0.0, "bias": 0.0, "bias_syn": 0.0},
    receptor_params=("decay_syn", "bias_syn"), state=("u", "v"),
    equations=("i_r[t] = (1-decay_syn_r)*i_r[t-1] + (x_r[t] + bias_syn_r) per receptor r;  "
               "v[t] = (1-decay_mem)*v[t-1] + sum_r i_r[t] + bias  (no threshold)"),
))
register(NeuronModel(
    "relu", spiking=False, stateful=False, params={"bias": 0.0},
    equations="y = max(0, x + bias)",
))
register(NeuronModel(
    "identity", spiking=False, stateful=False, params={"bias": 0.0},
    equations="y = x + bias",
))
register(NeuronModel(
    "sigma_delta", spiking=True, stateful=True, graded=True,
    params={"v_th": None, "bias": 0.0, "relu": 1.0, "cum_error": 0.0, "spike_exp": 0.0, "state_exp": 0.0},
    ranges={"v_th": (0.0, float("inf"), False), "relu": (0.0, 1.0, True), "cum_error": (0.0, 1.0, True),
            "spike_exp": (0.0, 7.0, True), "state_exp": (0.0, 7.0, True)},
    equations=("sigma[t] = sigma[t-1] + x[t];  act[t] = relu(sigma[t] + bias) (or sigma[t] + bias when relu = 0);  "
               "d = act[t] - act[t-1] + r[t-1];  s[t] = d if |d| >= v_th else 0 (cum_error = 1: if |e| >= v_th with "
               "e = e[t-1] + d, and e <- 0 when s[t] != 0);  r[t] = d - s[t];  the payload s[t] is sent "
               "when nonzero (spike_exp, state_exp: Lava's fixed-point format, see hwsim.ir)"),
))
