"""What each framework's parameters mean in hwsim's IR: the one place importers and exporters look.

snnTorch 1.0.0 (``snntorch/_neurons``, ``snntorch/export_nir.py``)
------------------------------------------------------------------
* Time step: its NIR exporter writes ``tau = dt / (1 - beta)`` and ``r = tau / dt`` with ``dt = 1e-4``
  s hard-coded (CubaLIF: ``tau_syn = dt / (1 - alpha)``, ``w_in = tau_syn / dt``), so forward Euler at
  ``dt_s = 1e-4`` gives back ``beta`` and a unit input gain (:func:`input_gain`, convention ``"snntorch"``).
* Edges have no latency: a layer sees the previous layer's output of the same step
  (``min_delay_steps=0``); the recurrent loop of RLeaky / RSynaptic takes one step.
* Neuron classes in NIR: ``Leaky`` is LIF, ``Synaptic`` CubaLIF; ``RLeaky`` / ``RSynaptic`` are the same
  nodes with a recurrent projection onto themselves (the exporter's subgraph ``lif`` + ``w_rec``).
* Its reset (``reset_mechanism`` and ``reset_delay``) is not in the NIR file; :func:`snntorch_reset` maps
  it per class to the IR's reset and refractory period (``snntorch_reset.__doc__`` has the table). Exact
  for thresholds > 0 and membranes that start at 0, as snnTorch's initial state is.
* Direct input (real-valued features fed to the first layer at every step) is an Input of kind
  ``"current"``; rate-coded input an Input of kind ``"spike"``.

Norse 1.1 (``norse.torch.utils.export_nir``)
--------------------------------------------
``r = 1`` and ``w_in = 1``: the input gains are ``dt / tau`` and ``dt / tau_syn`` as forward Euler
gives them (convention ``"norse"``); the reset is to ``v_reset`` in the spike's step (IR ``"value"``).

Lava 0.10 / Loihi (bit-accurate fixed point; ``shared/reference/formats.md`` §1)
---------------------------------------------------------------------------------
``du``, ``dv`` are 12-bit decay registers (current factor ``4096 - (du + 1)``, voltage ``4096 - dv``); the
summed input, ``vth`` and netx's biases are shifted left by 6 (:data:`LAVA_STATE_SCALE` state units per
weight unit); ``bias = bias_mant << bias_exp`` with a signed 13-bit mantissa (:data:`LAVA_BIAS_MANT_RANGE`)
and ``bias_exp`` 0..7; Dense's ``num_weight_bits``, ``sign_mode`` and ``weight_exp`` are the IR
projection's ``weight_bits``, ``sign_mode`` and ``weight_exp``; a DelayDense delay ``k`` (0..63) is IR
delay ``k + 1``.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from hwsim.errors import GraphError, one_of

#: The time step snnTorch's NIR exporter assumes [s].
SNNTORCH_DT_S = 1e-4
SNNTORCH_CLASSES = ("Leaky", "Synaptic", "RLeaky", "RSynaptic")
SNNTORCH_RESET_MECHANISMS = ("subtract", "zero", "none")
#: The frameworks' spellings of the NIR input gains (``r`` / ``w_in``).
CONVENTIONS = ("snntorch", "norse", "literal")
#: Relative tolerance of the snnTorch convention's unit-gain check.
CONVENTION_RTOL = 1e-5

LAVA_STATE_SCALE = 64.0                         #: Lava state units per weight unit (the << 6 of a_in, vth, bias)
LAVA_VTH_SHIFT = 6
LAVA_VTH_MAX = (1 << 17) - 1                    #: 17-bit vth mantissa
LAVA_BIAS_MANT_RANGE = (-(1 << 12), (1 << 12) - 1)   #: signed 13-bit bias mantissa
LAVA_BIAS_EXP_MAX = 7
LAVA_DECAY_UNIT = 4096                          #: du / dv of 4096 = a decay of 1 (12-bit registers)
LAVA_MAX_DELAY = 63                             #: DelayDense delays 0..63 (IR delays 1..64)


@dataclass(frozen=True)
class ResetRule:
    """An IR reset and the refractory period that reproduce a framework's reset.

    Attributes
    ----------
    reset : str
        One of :data:`hwsim.neuron_models.RESET_MODES`.
    refractory_steps : int
        Steps the membrane is held after a spike.
    """

    reset: str
    refractory_steps: int = 0


def snntorch_reset(neuron_class: str, reset_mechanism: str, reset_delay: bool) -> ResetRule:
    """The IR reset of an snnTorch 1.0.0 neuron (``m``: its stored membrane, ``r = m[t-1] > thr``).

    =====================  ===========  =================================================  ====================
    class                  mechanism    snnTorch's update                                  IR
    =====================  ===========  =================================================  ====================
    any                    subtract,    ``m = beta*m + x - r*thr``                         subtract_next
                           delay
    Leaky, Synaptic,       subtract,    ``m1 = beta*m + x - r*thr; s = m1 > thr;``         subtract_raised
    RLeaky                 no delay     ``m = m1 - (s - r)*thr``
    Leaky                  zero, delay  ``m = beta*(1-r)*m + x`` (stored unreset)          value_next
    Synaptic, RLeaky,      zero, delay  ``m = (beta*m + x)*(1-r)``: the step after a       value_next, 1 step
    RSynaptic                           spike stays at 0 and cannot spike                  refractory
    Leaky, Synaptic,       zero,        reset to 0 in the spike's step                     value (v_reset 0)
    RLeaky                 no delay
    any                    none         no reset                                           none
    =====================  ===========  =================================================  ====================

    RSynaptic with ``reset_delay=False``: snnTorch 1.0.0 computes its same-step reset into a local
    variable that is never stored (and raises with ``init_hidden=True``), so it behaves as with
    ``reset_delay=True``; the rule follows what it computes.
    """
    if neuron_class not in SNNTORCH_CLASSES:
        raise GraphError(f"snnTorch neuron class {neuron_class!r}; {one_of(neuron_class, SNNTORCH_CLASSES)}")
    if reset_mechanism not in SNNTORCH_RESET_MECHANISMS:
        raise GraphError(f"snnTorch reset_mechanism {reset_mechanism!r}; "
                         f"{one_of(reset_mechanism, SNNTORCH_RESET_MECHANISMS)}")
    if not isinstance(reset_delay, (bool, np.bool_)):
        raise GraphError(f"snnTorch reset_delay {reset_delay!r}; expected True or False.")
    if reset_mechanism == "none":
        return ResetRule("none")
    delayed = bool(reset_delay) or neuron_class == "RSynaptic"
    if reset_mechanism == "subtract":
        return ResetRule("subtract_next" if delayed else "subtract_raised")
    if not delayed:
        return ResetRule("value")
    return ResetRule("value_next", 0 if neuron_class == "Leaky" else 1)


def snntorch_class(nir_type: str, recurrent: bool) -> str:
    """The snnTorch class a NIR neuron node comes from: LIF is Leaky, CubaLIF Synaptic; with a recurrent
    projection onto itself RLeaky / RSynaptic."""
    base = {"LIF": "Leaky", "CubaLIF": "Synaptic"}.get(nir_type)
    if base is None:
        raise GraphError(f"NIR node type {nir_type!r}: snnTorch exports LIF (Leaky, RLeaky) and CubaLIF "
                         f"(Synaptic, RSynaptic) only.")
    return "R" + base if recurrent else base


def snntorch_decay(tau, dt_s: float) -> np.ndarray:
    """``1 - beta`` (or ``1 - alpha``) of the snnTorch layer whose exporter wrote ``tau`` (``tau_syn``).

    snnTorch's parameters are float32 and its exporter computes ``tau = dt / (1 - beta)`` in the file's dtype
    (float32 for Leaky / Synaptic, float64 for RLeaky / RSynaptic). Forward Euler's ``dt / tau`` is then off
    by a rounding (about 1e-8 relative), which compounds over the steps; so the float32 ``beta`` whose
    exporter arithmetic gives back ``tau`` exactly is searched among the float32 values nearest to
    ``1 - dt / tau``, and ``1 - beta`` (exact in float64) returned. Where none reproduces ``tau`` (a model
    with float64 parameters, another exporter), the result is ``dt / tau``.
    """
    raw = np.asarray(tau)
    tau64 = raw.astype(np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        plain = dt_s / tau64
    if raw.dtype not in (np.float32, np.float64):
        return plain
    guess = (1.0 - plain).astype(np.float32)
    found = np.isinf(tau64)                  # tau = inf: beta = 1, no decay
    beta = np.where(found, np.float32(1), guess).astype(np.float32)
    for step in (0, 1, -1, 2, -2):
        candidate = guess
        for _ in range(abs(step)):
            candidate = np.nextafter(candidate, np.float32(2 if step > 0 else -1))
        with np.errstate(divide="ignore", invalid="ignore"):
            if raw.dtype == np.float32:
                again = np.float32(dt_s) / (np.float32(1) - candidate)
            else:
                again = dt_s / (1.0 - candidate.astype(np.float64))
        hit = ~found & (again == raw)
        beta[hit] = candidate[hit]
        found |= hit
    return np.where(found, 1.0 - beta.astype(np.float64), plain)


def input_gain(convention: str, r: np.ndarray, dt_s: float, tau: np.ndarray | None, where: str,
               what: str) -> np.ndarray:
    """The input gain ``r * dt / tau`` (``tau`` None: ``r * dt``) a framework means by its NIR file.

    ``"literal"``: the file's values. ``"norse"``: ``r`` (``w_in``) must be 1, the gain is ``dt / tau``.
    ``"snntorch"``: ``r = tau / dt`` (IF: ``1 / dt``) within :data:`CONVENTION_RTOL`, the gain exactly 1
    (``r = tau = inf`` too: unit input).
    """
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        literal = r * dt_s / tau if tau is not None else r * dt_s
    both_inf = np.isinf(r) & np.isinf(tau) if tau is not None else np.zeros(r.shape, dtype=bool)
    if convention != "snntorch" and not np.all(np.isfinite(literal)):
        raise GraphError(f"{where}: {what} and the time constant give a non-finite input gain; expected "
                         f"finite {what}. Hint: convention='snntorch' reads r = tau = inf as unit input.")
    if convention == "literal":
        return literal
    if convention == "norse":
        if not np.all(r == 1):
            raise GraphError(f"{where}: {what} {r.min()}..{r.max()}; the 'norse' convention expects 1. "
                             f"Hint: use convention='literal' to honour the file's values.")
        return literal
    with np.errstate(invalid="ignore"):
        ok = np.isclose(literal, 1.0, rtol=CONVENTION_RTOL, atol=0) | both_inf
    if not np.all(ok):
        expected = "tau/dt" if tau is not None else "1/dt"
        raise GraphError(f"{where}: {what} gives an input gain {what}*dt/tau in "
                         f"{np.nanmin(literal):g}..{np.nanmax(literal):g} at dt_s={dt_s}; the 'snntorch' "
                         f"convention expects {what} = {expected} (gain 1). Hint: check dt_s (snnTorch uses "
                         f"{SNNTORCH_DT_S:g}) or use convention='literal'.")
    return np.ones_like(literal)
