"""Quantise an IR graph to a chip's integer arithmetic (or, on a float chip, keep its values).

The result, a :class:`QuantizedNetwork`, is still layer-structured (one record
per population and projection) so that it can be read, checked and simulated by
the plain-numpy reference; :mod:`hwsim.lowering` flattens it into kernel arrays.

Global neuron numbering: populations in graph order, neuron ``k`` of population
``p`` is ``p.offset + k``. Global source numbering (used by projections' ``pre``
side): input channels first (``inp.offset + k``, offsets counted over inputs),
then neurons at ``n_input_channels + neuron index``.

A chip with ``arithmetic.kind: float`` (``chips/ideal.yaml``) gets the same records with
float64 parameters (:class:`FloatDatapath` as the arithmetic): decay factors ``1 - decay``,
thresholds, biases, resets and weights exactly as in the graph, every scale 1 and every
shift 0, so the float kernel computes the IR's equations literally.
"""
from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from hwsim.chips import ChipProfile, FloatArithmetic, SpikingArithmetic
from hwsim.errors import GraphError, UnsupportedError, one_of, short
from hwsim.ir import Graph, Population, Projection
from hwsim.kernels import mantissas as mantissas_kernels
from hwsim.setup_parallel import setup_threads
from hwsim.neuron_models import RESET_MODES, get_model

ROUNDING_IDS = {"toward_zero": 0, "floor": 1}
OVERFLOW_IDS = {"wrap": 0, "saturate": 1}


@dataclass(frozen=True)
class IntegerArithmetic:
    """Scalars of the integer LIF datapath, as ints the kernel takes.

    Attributes
    ----------
    decay_bits : int
        Decay products are ``x * factor`` shifted right by ``decay_bits``.
    rounding : int
        0: toward zero (``sign(x) * (|x * f| >> D)``), 1: floor (``(x * f) >> D``).
    input_shift : int
        Left shift applied to the summed (port-shifted) input before it enters u.
    state_bits : int
        Width of u and v.
    syn_overflow, mem_overflow : int
        0: wrap (``x - 2**B`` if ``x > 2**(B-1)``, ``x + 2**B`` if ``x <= -2**(B-1)``, once);
        1: saturate to ``[-(2**(B-1) - 1), 2**(B-1) - 1]``.
    """

    decay_bits: int
    rounding: int
    input_shift: int
    state_bits: int
    syn_overflow: int
    mem_overflow: int


@dataclass(frozen=True)
class FloatDatapath:
    """The float datapath of a ``float`` chip: IR values as they are, no shifts, no overflow.

    Attributes
    ----------
    bits : int
        Width of the floats (64: float64).
    """

    bits: int = 64


@dataclass(frozen=True)
class QInput:
    """An input of ``size`` channels whose global source ids start at ``offset`` (``kind`` "spike",
    "current": a current input's values multiply its synapses' weights, or "poisson": counts drawn in the
    kernel with mean ``mean_per_step`` at steps ``start_step <= t < stop_step``, per channel; None for the
    other kinds)."""

    name: str
    size: int
    offset: int
    kind: str
    mean_per_step: np.ndarray | None = field(default=None, compare=False)
    start_step: np.ndarray | None = field(default=None, compare=False)
    stop_step: np.ndarray | None = field(default=None, compare=False)


def _rows(value, size: int, dtype) -> np.ndarray:
    """A receptor field as ``(n_receptors, size)``: a ``(size,)`` array is one receptor."""
    arr = np.asarray(value, dtype=dtype)
    return arr.reshape(1, size) if arr.ndim <= 1 else arr


@dataclass(frozen=True)
class QPopulation:
    """Integer parameters of one population (arrays of shape ``(size,)``, int64 unless noted).

    Attributes
    ----------
    name, model : str
        Layer name and IR model.
    size, offset : int
        Neurons and global index of the first one.
    syn_factor : ndarray ``(n_receptors, size)``
        Decay multipliers of each receptor's current over ``2**decay_bits`` (``u <- round(u * syn_factor
        >> D)``); float datapath: ``1 - decay_syn`` (float64, as every value array below). A ``(size,)``
        array given here is one receptor.
    mem_factor : ndarray
        Membrane decay multiplier, as ``syn_factor``.
    v_th : ndarray
        Threshold in state units (already shifted); compared with ``v > v_th``.
    has_threshold : bool
        False for non-spiking stateful models (``li``).
    bias : ndarray
        Added to v each step, in state units.
    v_reset : ndarray
        Value v takes after a spike (``reset`` "value") or at the next update ("value_next").
    refractory_steps : ndarray
        int64 steps during which v is held after a spike.
    scale : float
        State units per IR membrane unit (``v_int = scale * v``; 1 on the float datapath).
    reset : str
        The IR's reset (:data:`hwsim.neuron_models.RESET_MODES`).
    bias_syn : ndarray ``(n_receptors, size)`` or None
        Added to each receptor's current every step, in state units (None: zero). Integer chips fold
        the IR's ``bias_syn`` into ``bias`` instead (exact only when decay_syn = 1).
    initial_u : ndarray ``(n_receptors, size)`` or None
        Each receptor's current at the start of a sample [state units] (None: 0).
    initial_v : ndarray or None
        Membrane at the start of a sample [state units] (None: 0).
    initial_refractory : ndarray or None
        int64 refractory steps left at the start of a sample (None: 0).
    relu, cum_error : ndarray or None
        ``sigma_delta`` only: uint8 1 where the activation is a ReLU / the spike decision accumulates the
        error (None for the other models). ``v_th`` is then the delta threshold, ``bias`` the activation's.
    payload_shift : ndarray or None
        ``sigma_delta`` only: int64 right shift from the state to the payload (Lava's ``state_exp``; 0 on
        the float datapath).
    """

    name: str
    model: str
    size: int
    offset: int
    syn_factor: np.ndarray
    mem_factor: np.ndarray
    v_th: np.ndarray
    has_threshold: bool
    bias: np.ndarray
    v_reset: np.ndarray
    refractory_steps: np.ndarray
    scale: float
    reset: str = "value"
    bias_syn: np.ndarray | None = None
    initial_u: np.ndarray | None = None
    initial_v: np.ndarray | None = None
    initial_refractory: np.ndarray | None = None
    relu: np.ndarray | None = None
    cum_error: np.ndarray | None = None
    payload_shift: np.ndarray | None = None

    def __post_init__(self):
        if self.reset not in RESET_MODES:
            raise GraphError(f"population '{self.name}': reset {short(self.reset)}; "
                             f"{one_of(self.reset, RESET_MODES)}")
        dtype = np.asarray(self.mem_factor).dtype
        object.__setattr__(self, "syn_factor", _rows(self.syn_factor, self.size, dtype))
        for name in ("bias_syn", "initial_u"):
            if getattr(self, name) is not None:
                object.__setattr__(self, name, _rows(getattr(self, name), self.size, dtype))
        shapes = [np.shape(getattr(self, name)) for name in ("syn_factor", "bias_syn", "initial_u")
                  if getattr(self, name) is not None]
        if any(len(s) != 2 or s != shapes[0] or s[1] != self.size for s in shapes):
            raise GraphError(f"population '{self.name}': receptor arrays of shapes {shapes}; expected one shape "
                             f"(n_receptors, {self.size}).")

    @property
    def n_receptors(self) -> int:
        """Synaptic currents per neuron."""
        return int(self.syn_factor.shape[0])


@dataclass(frozen=True)
class QProjection:
    """Integer synapses of one projection.

    The synapses keep the IR's indices within their source node and target population (no copy); global ids
    (see the module doc) are those plus the offsets, :attr:`pre_index` and :attr:`post_index`, computed when
    first read.

    Attributes
    ----------
    pre, post : str
        Source node and target population.
    pre_local : ndarray
        Index of each synapse's source within ``pre`` (any integer type; the IR stores int32 or int64).
    post_local : ndarray
        Index of each synapse's target within ``post``, as ``pre_local``.
    weight : ndarray
        Integer weight mantissas: the narrowest signed type that holds the chip's range (int64 where the
        projection states Lava's precision); float64 weights on the float datapath.
    delay_steps : ndarray
        Integer delays >= 0, one per synapse, in any integer type (0: seen by the target in the step it was emitted).
    shift : int
        Applied, per target neuron and delay, to the sum of the weights of this projection's
        synapses whose sources spiked at one step: ``acc << shift`` if ``shift >= 0`` else
        ``acc >> -shift`` (floor). Spikes of different steps (or delays) that arrive together are
        shifted separately, as Lava's DelayDense shifts each delay column per emission step.
    receptor : int
        The target's receptor the synapses feed.
    name : str
        The IR projection's name (default ``"<pre>-><post>"``).
    weight_bits : int
        Weight bits Lava's Dense is given (``num_weight_bits``); the mantissas are already truncated to them.
    sign_mode : str or None
        Lava's explicit sign mode (``"excitatory"``, ``"inhibitory"``, ``"mixed"``), or None: from the
        mantissas' signs.
    message_bits : int
        0: binary spikes; else the payload bits of a projection from a graded (``sigma_delta``) source, whose
        weights multiply the payload (Lava's ``num_message_bits``).
    pre_offset, post_offset : int
        Global id of ``pre``'s first source and ``post``'s first neuron.
    """

    pre: str
    post: str
    pre_local: np.ndarray
    post_local: np.ndarray
    weight: np.ndarray
    delay_steps: np.ndarray
    shift: int
    receptor: int = 0
    name: str = ""
    weight_bits: int = 8
    sign_mode: str | None = None
    message_bits: int = 0
    pre_offset: int = 0
    post_offset: int = 0

    @cached_property
    def pre_index(self) -> np.ndarray:
        """Global source id of each synapse (input channel or neuron, see the module doc), int64."""
        return np.add(self.pre_local, self.pre_offset, dtype=np.int64)

    @cached_property
    def post_index(self) -> np.ndarray:
        """Global neuron id of each synapse's target, int64."""
        return np.add(self.post_local, self.post_offset, dtype=np.int64)


@dataclass(frozen=True)
class QuantizedNetwork:
    """A spiking graph in a chip's integers (or in float64 on a float chip).

    Attributes
    ----------
    arithmetic : IntegerArithmetic or FloatDatapath
        Datapath scalars; :class:`FloatDatapath` marks a float network.
    inputs, populations, projections : tuple
        Records in graph order.
    n_input_channels, n_neurons : int
        Totals over inputs and populations.
    update_order : tuple of str
        Population names in the order they update within a step (``Graph.update_order``);
        empty means graph order.
    """

    arithmetic: IntegerArithmetic | FloatDatapath
    inputs: tuple[QInput, ...]
    populations: tuple[QPopulation, ...]
    projections: tuple[QProjection, ...]
    n_input_channels: int
    n_neurons: int
    update_order: tuple[str, ...] = ()

    @property
    def is_float(self) -> bool:
        """True for a float64 network (a float chip)."""
        return isinstance(self.arithmetic, FloatDatapath)

    def populations_in_update_order(self) -> tuple[QPopulation, ...]:
        """The populations in :attr:`update_order` (graph order when it is empty)."""
        if not self.update_order:
            return self.populations
        by_name = {p.name: p for p in self.populations}
        return tuple(by_name[name] for name in self.update_order)


def _check_supported(graph: Graph, chip: ChipProfile) -> None:
    for pop in graph.populations():
        if pop.model not in chip.neuron_models:
            raise UnsupportedError(f"population '{pop.name}': chip '{chip.name}' has no neuron model "
                                   f"'{pop.model}'; supported: {', '.join(chip.neuron_models)}. "
                                   f"Hint: choose another chip or convert the layer.")


def _check_graded(graph: Graph, chip: ChipProfile) -> None:
    """Graded populations (``sigma_delta``) only on a chip with graded spikes, and every projection's
    ``message_bits`` within the chip's ``graded_spike_bits``."""
    bits = chip.arithmetic.graded_spike_bits
    for pop in graph.populations():
        if get_model(pop.model).graded and bits == 0:
            raise UnsupportedError(f"population '{pop.name}': model '{pop.model}' sends graded spikes but chip "
                                   f"'{chip.name}' sends binary spikes only (graded_spike_bits 0). Hint: run on a "
                                   f"chip with graded spikes (loihi2, or ideal).")
    for proj in graph.projections():
        if proj.message_bits is not None and proj.message_bits > bits:
            raise UnsupportedError(f"projection '{proj.name}': message_bits {proj.message_bits}; chip "
                                   f"'{chip.name}' carries payloads of at most {bits} bits (graded_spike_bits). "
                                   f"Hint: lower message_bits.")


def _check_neurons(graph: Graph, chip: ChipProfile) -> None:
    """Receptors per neuron and initial state against what the chip's neurons support."""
    arith = chip.arithmetic
    for pop in graph.populations():
        if pop.n_receptors > arith.receptors:
            raise UnsupportedError(f"population '{pop.name}': {pop.n_receptors} synaptic currents (receptors) per "
                                   f"neuron but chip '{chip.name}' has {arith.receptors}. Hint: merge projections "
                                   f"into one receptor when their currents decay alike, or run on a chip with "
                                   f"{pop.n_receptors} (spinnaker: exc/inh; ideal).")
        if pop.initial and not arith.initial_state:
            raise UnsupportedError(f"population '{pop.name}': an initial state ({', '.join(sorted(pop.initial))}) "
                                   f"but chip '{chip.name}' starts every neuron at 0. Hint: drop 'initial' or "
                                   f"choose a chip that loads it.")


def _inputs(graph: Graph, chip: ChipProfile) -> tuple[QInput, ...]:
    """The graph's inputs as records; current inputs only where the datapath takes real values."""
    offsets = graph.source_offsets()
    inputs = []
    for inp in graph.inputs():
        if inp.kind == "current" and not isinstance(chip.arithmetic, FloatArithmetic):
            raise UnsupportedError(f"input '{inp.name}': kind 'current' (real-valued direct input) on chip "
                                   f"'{chip.name}', whose cores take binary spikes only; expected spike inputs. "
                                   f"Hint: encode the values as spikes with hwsim.encoding.rate_encode ('regular' "
                                   f"or 'bernoulli'; CLI: --input-kind values --encoding ...), or run the current "
                                   f"input on the float chip 'ideal'.")
        if inp.kind not in ("spike", "current", "poisson"):
            raise UnsupportedError(f"input '{inp.name}': kind '{inp.kind}' on neuromorphic chip '{chip.name}'; "
                                   f"expected spike, current or poisson inputs. Hint: rate-encode the values "
                                   f"(hwsim.encoding.rate_encode) and use kind 'spike'.")
        poisson = (inp.rate_hz * graph.dt_s, inp.start_step, inp.stop_step) if inp.kind == "poisson" else ()
        inputs.append(QInput(inp.name, inp.size, offsets[inp.name], inp.kind, *poisson))
    return tuple(inputs)


def _decay_factor(decay: np.ndarray, bits: int, offset: int) -> np.ndarray:
    """Integer multiplier over ``2**bits`` for a fraction ``decay`` lost per step.

    The register holds ``d = round(decay * 2**bits) - offset`` in ``[-offset, 2**bits - offset]``
    and the factor is ``2**bits - d - offset`` (Lava: du with offset 1, dv with offset 0). A decay
    of 0 gives Lava's ``du = -1`` (no decay), which Lava's bit-accurate model and netx use.
    """
    full = 1 << bits
    register = np.clip(np.round(decay * full).astype(np.int64) - offset, -offset, full - offset)
    return full - register - offset


def warn_clipped(where: str, what: str, values: np.ndarray, low: float, high: float) -> None:
    """Warn, with the numbers, when some of ``values`` lie outside ``[low, high]`` (the chip will saturate them)."""
    values = np.asarray(values, dtype=np.float64)
    outside = (values < low) | (values > high)
    if outside.any():
        _warn_outside(where, what, int(outside.sum()), values.size, values.min(), values.max(), low, high, 5)


def _warn_outside(where: str, what: str, n_outside: int, n: int, lowest: float, highest: float, low: float,
                  high: float, stacklevel: int) -> None:
    warnings.warn(f"{where}: {n_outside:,} of {n:,} {what} lie outside the chip's range [{low:g}, {high:g}] (found "
                  f"{lowest:.4g}..{highest:.4g}); they are saturated to it. Hint: rescale the network or choose a "
                  f"chip with wider fields.", UserWarning, stacklevel=stacklevel)


def _bias_integers(bias_state: np.ndarray, mant_bits: int, exp_max: int, population: str = "") -> np.ndarray:
    """Round state-unit biases to ``mantissa << exponent``, a signed ``mant_bits`` mantissa in
    ``[-2**(mant_bits-1), 2**(mant_bits-1) - 1]`` (Loihi: -4096..4095) and the smallest exponent in
    ``0..exp_max`` that holds it (values beyond the largest are clipped)."""
    low, high = -(1 << (mant_bits - 1)), (1 << (mant_bits - 1)) - 1
    out = np.zeros(bias_state.shape, dtype=np.int64)
    todo = np.ones(bias_state.shape, dtype=bool)
    for exp in range(exp_max + 1):
        mant = np.round(bias_state / float(1 << exp))
        fits = todo & (mant >= low) & (mant <= high)
        out[fits] = mant[fits].astype(np.int64) << exp
        todo &= ~fits
    wanted = np.round(bias_state[todo] / float(1 << exp_max))
    warn_clipped(f"population '{population}'", f"biases (mantissas at exponent {exp_max})", wanted, low, high)
    out[todo] = np.clip(wanted, low, high).astype(np.int64) << exp_max
    return out


def _reset_rule(pop: Population, arith: SpikingArithmetic | FloatArithmetic, chip: ChipProfile) -> None:
    """Check that the chip supports the population's reset (``"zero"``: "value" with v_reset = 0) and
    refractory period."""
    if pop.reset != "value":
        mode = pop.reset
    elif np.all(pop.params.get("v_reset", np.zeros(1)) == 0):
        mode = "zero"
    else:
        mode = "value"
    allowed = set(arith.reset_modes) | ({"zero"} if "value" in arith.reset_modes else set())
    if get_model(pop.model).spiking and mode not in allowed:
        raise UnsupportedError(f"population '{pop.name}': reset '{mode}' is not supported by chip "
                               f"'{chip.name}'; supported: {', '.join(arith.reset_modes)}. "
                               f"Hint: use reset 'value' with v_reset = 0 (CLI: --reset value), or run on a chip that "
                               f"supports '{mode}' such as 'ideal'.")
    if np.any(pop.params.get("refractory_steps", np.zeros(1)) > 0) and not arith.refractory:
        raise UnsupportedError(f"population '{pop.name}': refractory_steps > 0 but chip '{chip.name}' "
                               f"has no refractory period. Hint: set refractory_steps=0.")


def _synaptic_bias_into_v(pop: Population, decay_syn: np.ndarray, chip: ChipProfile) -> np.ndarray:
    """``bias_syn`` (summed over receptors) as a membrane bias: exact when the currents keep no memory
    (decay_syn = 1)."""
    bias_syn = pop.params.get("bias_syn", np.zeros((1, pop.size)))
    if np.any((bias_syn != 0) & (decay_syn != 1)):
        raise UnsupportedError(f"population '{pop.name}': bias_syn with a decaying synaptic current is not "
                               f"supported by chip '{chip.name}' (its bias enters v). Hint: fold the bias "
                               f"into v (bias = bias_syn / decay_syn in steady state) or use decay_syn = 1.")
    return bias_syn.sum(axis=0)


def _membrane_scale(pop: Population, graph: Graph, arith: SpikingArithmetic, headroom_bits: int) -> float:
    """State units per membrane unit: fixed by the chip, or chosen so v_th sits ``headroom_bits`` below the state range."""
    if arith.fraction_bits is not None:
        return float(1 << arith.fraction_bits)
    pinned = graph.metadata.get("state_scale", {}).get(pop.name)
    if pinned is not None:  # e.g. netx files: already in Loihi's integers, one weight unit = 64 state units
        return float(pinned)
    model = get_model(pop.model)
    top = float(1 << (arith.state_bits - 1 - headroom_bits))
    if model.spiking and np.max(pop.params["v_th"]) > 0:
        return top / float(np.max(pop.params["v_th"]))
    w_max = max((np.max(np.abs(p.weight)) if p.weight.size else 0.0 for p in graph.incoming(pop.name)),
                default=0.0)
    if w_max == 0:
        return 1.0
    # non-spiking stateful readout: largest weight at the largest mantissa with exponent 0
    return ((1 << arith.weight_bits) - 1) * float(1 << arith.input_shift) / w_max


def _weight_mantissas(weight: np.ndarray, arith: SpikingArithmetic, name: str = "", scale: float = 1.0,
                      input_div: float = 1.0, payload_div: float = 1.0, chip_name: str = "") -> tuple[np.ndarray, int]:
    """Quantise one projection's weights to ``(mantissas, exponent)``, rounding to nearest (hwsim's own choice,
    used when the projection states no precision). A weight is ``weight * scale / input_div / payload_div``
    state units (``scale`` and ``payload_div`` > 0, ``input_div`` a power of two). The mantissas come in the narrowest signed integer type that
    holds the chip's range, in one pass without temporaries (``kernels/mantissas.py``); the exponent from the
    weights' extremes, which the scaling keeps (it is monotonic)."""
    if math.frexp(input_div)[0] != 0.5:
        raise ValueError(f"input_div {input_div}: expected a power of two (an input shift)")
    weight = np.asarray(weight, dtype=np.float64)
    extremes = np.array([min(float(weight.min(initial=0.0)), 0.0), max(float(weight.max(initial=0.0)), 0.0)])
    extremes *= scale
    for divisor in (input_div, payload_div):
        if divisor != 1.0:
            extremes /= divisor
    lowest, highest = float(extremes[0]), float(extremes[1])
    if not (np.isfinite(lowest) and np.isfinite(highest)):   # min and max carry any inf or nan
        raise UnsupportedError(f"projection '{name}': weights up to {np.abs(weight).max():.3g} overflow chip "
                               f"'{chip_name}''s state scale ({scale:g} state units per membrane unit); expected "
                               f"weights a {arith.state_bits}-bit state can hold. Hint: rescale the network.")
    if arith.weight_encoding == "loihi_sign_modes":
        mixed = lowest < 0 < highest
        high = (1 << arith.weight_bits) - (2 if mixed else 1)
        low = -(1 << arith.weight_bits) if mixed else -high
    else:
        mixed = False
        high = (1 << (arith.weight_bits - 1)) - 1
        low = -high
    exp = _fitting_exponent(lowest, highest, low, high, arith)
    mantissas = np.empty(weight.shape, dtype=np.promote_types(np.min_scalar_type(low), np.min_scalar_type(high)))
    n_outside, found_low, found_high = mantissas_kernels.weight_mantissas(
        weight.reshape(-1), float(scale), float(input_div), float(payload_div), float(2.0 ** exp), mixed, low, high,
        mantissas.reshape(-1))
    if n_outside:
        _warn_outside(f"projection '{name}'", f"weights (mantissas at the largest exponent, {exp})", n_outside,
                      weight.size, found_low, found_high, low, high, 4)
    return mantissas, exp


def _fitting_exponent(lowest: float, highest: float, low: float, high: float, arith: SpikingArithmetic) -> int:
    """The smallest exponent (within the chip's range) that brings weights from ``lowest`` to ``highest``
    (0 included) into ``[low, high]``."""
    need = max(float(highest) / high, float(lowest) / low if low else 0.0)
    exp = 0 if need == 0 else int(np.ceil(np.log2(need)))
    return int(np.clip(exp, arith.weight_exp_min, arith.weight_exp_max))


def _lava_mantissas(w_state: np.ndarray, proj: Projection, arith: SpikingArithmetic,
                    chip: ChipProfile) -> tuple[np.ndarray, int, int, str]:
    """Quantise one projection exactly as Lava's Dense does with the projection's precision.

    The mantissas before Lava's steps are ``w_state / 2**weight_exp`` truncated toward zero (Lava casts its
    weights to int32); then (``lava.utils.weightutils``): an inhibitory projection is negated, the values
    are clipped to ``[-2**B * mixed, 2**B - 1]`` (``B`` = the chip's weight bits, 8), their
    ``B - weight_bits + mixed`` low bits are cleared by an arithmetic (floor) shift, and an inhibitory
    projection is negated back. An explicit sign mode overrides the weights' signs (an excitatory
    projection keeps only its positive weights); ``"auto"`` takes Lava's rule (excitatory when every
    weight is >= 0, inhibitory when every one is <= 0, else mixed). Without ``weight_exp`` the exponent
    is the smallest that fits the sign mode's range; without ``weight_bits``, ``B``.

    Returns ``(mantissas, exponent, weight_bits, sign_mode)``.
    """
    where = f"projection '{proj.name}'"
    if arith.weight_encoding != "loihi_sign_modes":
        raise UnsupportedError(f"{where}: Loihi weight precision (weight_bits/sign_mode/weight_exp) on chip "
                               f"'{chip.name}', whose synapses are '{arith.weight_encoding}'. Hint: drop the "
                               f"precision fields, or run on a Loihi-like chip.")
    top = arith.weight_bits
    bits = top if proj.weight_bits is None else proj.weight_bits
    if bits > top:
        raise UnsupportedError(f"{where}: weight_bits {bits}; chip '{chip.name}' holds {top}.")
    mode = proj.sign_mode or "auto"
    if mode == "auto":
        mode = "excitatory" if w_state.min(initial=0.0) >= 0 else (
            "inhibitory" if w_state.max(initial=0.0) <= 0 else "mixed")
    mixed, inhibitory = int(mode == "mixed"), mode == "inhibitory"
    low, high = -(1 << top) * mixed, (1 << top) - 1
    if proj.weight_exp is None:
        signed = -w_state if inhibitory else w_state
        exp = _fitting_exponent(signed.min(initial=0.0), signed.max(initial=0.0), low, high, arith)
    else:
        exp = proj.weight_exp
        if not arith.weight_exp_min <= exp <= arith.weight_exp_max:
            raise UnsupportedError(f"{where}: weight_exp {exp}; chip '{chip.name}' takes "
                                   f"{arith.weight_exp_min}..{arith.weight_exp_max}.")
    raw = np.trunc(w_state / float(2.0 ** exp))
    raw = np.clip(-raw if inhibitory else raw, low, high).astype(np.int64)
    cut = top - bits + mixed
    mant = (raw >> cut) << cut
    return (-mant if inhibitory else mant), exp, bits, mode


def _float_network(graph: Graph, chip: ChipProfile, inputs: tuple[QInput, ...], n_in: int) -> QuantizedNetwork:
    """The identity "quantisation" of a float chip: the graph's own values in float64 records."""
    offsets = graph.source_offsets()
    pops, n_neurons = [], 0
    for pop in graph.populations():
        model = get_model(pop.model)
        _reset_rule(pop, chip.arithmetic, chip)
        size, params = pop.size, pop.params
        zeros = np.zeros(size)
        init = pop.initial
        pops.append(QPopulation(
            name=pop.name, model=pop.model, size=size, offset=n_neurons,
            syn_factor=1.0 - params.get("decay_syn", np.ones((1, size))),
            mem_factor=1.0 - params.get("decay_mem", zeros),
            v_th=np.asarray(params["v_th"], dtype=np.float64) if model.spiking else zeros,
            has_threshold=model.spiking, bias=np.asarray(params["bias"], dtype=np.float64),
            v_reset=np.asarray(params.get("v_reset", zeros), dtype=np.float64),
            refractory_steps=params.get("refractory_steps", zeros).astype(np.int64),
            scale=1.0, reset=pop.reset,
            bias_syn=np.asarray(params.get("bias_syn", np.zeros((1, size))), dtype=np.float64),
            initial_u=init.get("u"), initial_v=init.get("v"), initial_refractory=init.get("refractory"),
            **_graded_fields(pop, 0)))
        n_neurons += size
    by_name = {p.name: p for p in pops}
    projections = []
    for proj in graph.projections():
        pre, post, weight, delay = proj.synapses(narrow=True)
        projections.append(QProjection(proj.pre, proj.post, pre, post, weight, delay, 0, proj.receptor, proj.name,
                                       message_bits=_message_bits(proj, by_name.get(proj.pre), chip),
                                       pre_offset=offsets[proj.pre], post_offset=by_name[proj.post].offset))
    return QuantizedNetwork(FloatDatapath(chip.arithmetic.bits), inputs, tuple(pops), tuple(projections),
                            n_in, n_neurons, tuple(graph.update_order()))


def _state_integers(pop: Population, scale: float, arith: SpikingArithmetic, chip: ChipProfile) -> dict:
    """The population's initial u and v in state units (rounded), refused when outside the state range."""
    out = {"initial_refractory": pop.initial.get("refractory")}
    top = (1 << (arith.state_bits - 1)) - 1
    for key in ("u", "v"):
        if key not in pop.initial:
            out[f"initial_{key}"] = None
            continue
        value = np.round(scale * pop.initial[key])
        if np.abs(value).max() > top:
            raise UnsupportedError(f"population '{pop.name}': initial {key} up to {np.abs(pop.initial[key]).max():g} "
                                   f"(membrane units) is {np.abs(value).max():.0f} state units, beyond chip "
                                   f"'{chip.name}''s {arith.state_bits}-bit state (|x| <= {top}).")
        out[f"initial_{key}"] = value.astype(np.int64)
    return out


def _graded_fields(pop: Population, payload_shift: int) -> dict:
    """A ``sigma_delta`` population's ``relu``, ``cum_error`` and ``payload_shift`` fields (none for the others)."""
    if not get_model(pop.model).graded:
        return {}
    return dict(relu=pop.params["relu"].astype(np.uint8), cum_error=pop.params["cum_error"].astype(np.uint8),
                payload_shift=np.full(pop.size, payload_shift, dtype=np.int64))


def _message_bits(proj: Projection, source: QPopulation | None, chip: ChipProfile) -> int:
    """A projection's payload bits: 0 from a binary source; from a graded one its ``message_bits``, or the
    chip's ``graded_spike_bits`` when it states none."""
    if source is None or source.payload_shift is None:
        return 0
    return chip.arithmetic.graded_spike_bits if proj.message_bits is None else proj.message_bits


def _sigma_delta_population(pop: Population, graph: Graph, chip: ChipProfile, offset: int,
                            headroom_bits: int) -> QPopulation:
    """A ``sigma_delta`` population in the chip's integers, as Lava's ``SigmaDelta`` process computes them:
    state units ``2**(spike_exp + state_exp)`` per membrane unit, ``v_th`` and ``bias`` multiplied by it
    and truncated (Lava casts them to int32), payloads ``>> state_exp``."""
    arith = chip.arithmetic
    exps = []
    for key in ("spike_exp", "state_exp"):
        values = np.unique(pop.params[key])
        if values.size != 1:
            raise UnsupportedError(f"population '{pop.name}': {key} takes {values.size} values; Lava's SigmaDelta "
                                   f"holds one per population. Hint: split the population by {key}.")
        exps.append(int(values[0]))
    scale = float(1 << sum(exps))
    top = (1 << (arith.state_bits - 1)) - 1
    fixed = {}
    for key in ("v_th", "bias"):
        fixed[key] = np.trunc(scale * pop.params[key]).astype(np.int64)
        if np.abs(fixed[key]).max() > top:
            raise UnsupportedError(f"population '{pop.name}': {key} up to {np.abs(pop.params[key]).max():g} "
                                   f"(membrane units) is {np.abs(fixed[key]).max()} state units at scale 2**"
                                   f"{sum(exps)}, beyond chip '{chip.name}''s {arith.state_bits}-bit state (|x| <= "
                                   f"{top}). Hint: lower spike_exp + state_exp.")
    zeros = np.zeros(pop.size, dtype=np.int64)
    return QPopulation(name=pop.name, model=pop.model, size=pop.size, offset=offset, syn_factor=zeros,
                       mem_factor=zeros, v_th=fixed["v_th"], has_threshold=True, bias=fixed["bias"], v_reset=zeros,
                       refractory_steps=zeros, scale=scale, **_graded_fields(pop, exps[1]))


def _integer_population(pop: Population, graph: Graph, chip: ChipProfile, offset: int,
                        headroom_bits: int) -> QPopulation:
    arith = chip.arithmetic
    model = get_model(pop.model)
    _reset_rule(pop, arith, chip)
    scale = _membrane_scale(pop, graph, arith, headroom_bits)
    size = pop.size
    decay_syn = pop.params.get("decay_syn", np.ones((1, size)))
    bias = pop.params["bias"] + _synaptic_bias_into_v(pop, decay_syn, chip)
    decay_mem = pop.params.get("decay_mem", np.zeros(size))
    thr_unit = 1 << arith.threshold_shift
    if model.spiking:
        wanted = np.round(scale * pop.params["v_th"] / thr_unit)
        warn_clipped(f"population '{pop.name}'", "thresholds (v_th mantissas)", wanted, 0,
                     (1 << arith.threshold_bits) - 1)
        mant = np.clip(wanted, 0, (1 << arith.threshold_bits) - 1)
        v_th = mant.astype(np.int64) * thr_unit
    else:
        v_th = np.zeros(size, dtype=np.int64)
    return QPopulation(
        name=pop.name, model=pop.model, size=size, offset=offset,
        syn_factor=_decay_factor(decay_syn, arith.decay_bits, arith.syn_decay_offset),
        mem_factor=_decay_factor(decay_mem, arith.decay_bits, arith.mem_decay_offset),
        v_th=v_th, has_threshold=model.spiking,
        bias=_bias_integers(scale * bias, arith.bias_mant_bits, arith.bias_exp_max, pop.name),
        v_reset=np.round(scale * pop.params.get("v_reset", np.zeros(size))).astype(np.int64),
        refractory_steps=pop.params.get("refractory_steps", np.zeros(size)).astype(np.int64),
        scale=scale, reset=pop.reset, **_state_integers(pop, scale, arith, chip))


#: The integer quantiser of each model that is not quantised as CUBA LIF (:func:`_integer_population`).
_INTEGER_POPULATIONS = {"sigma_delta": _sigma_delta_population}


def _integer_projection(proj: Projection, source_offset: int, source: QPopulation | None, target: QPopulation,
                        chip: ChipProfile) -> QProjection:
    """One projection's mantissas and exponent: a weight ``w`` (membrane units of the target per unit of the
    source's spike) becomes ``w * target.scale`` state units, divided by the target's input shift (a
    sigma-delta neuron's sigma takes its input unshifted, as Lava's) and by the source's payload scale
    (a graded source sends ``2**spike_exp`` per membrane unit)."""
    arith = chip.arithmetic
    pre, post, weight, delay = proj.synapses(narrow=True)
    input_shift = 0 if target.payload_shift is not None else arith.input_shift
    payload_scale = 1.0 if source is None or source.payload_shift is None else (
        source.scale / float(1 << int(source.payload_shift[0])))
    if proj.has_precision:
        w_state = weight * target.scale / float(1 << input_shift) / payload_scale
        if not np.all(np.isfinite(w_state)):
            raise UnsupportedError(f"projection '{proj.name}': weights up to {np.abs(weight).max():.3g} overflow chip "
                                   f"'{chip.name}''s state scale ({target.scale:g} state units per membrane unit); "
                                   f"expected weights a {arith.state_bits}-bit state can hold. Hint: rescale the "
                                   f"network.")
        mant, exp, bits, mode = _lava_mantissas(w_state, proj, arith, chip)
    else:
        mant, exp = _weight_mantissas(weight, arith, proj.name, target.scale, float(1 << input_shift), payload_scale,
                                      chip.name)
        bits, mode = arith.weight_bits, None
    return QProjection(proj.pre, proj.post, pre, post, mant, delay, exp, proj.receptor, proj.name, bits, mode,
                       _message_bits(proj, source, chip), pre_offset=source_offset, post_offset=target.offset)


def quantize_spiking(graph: Graph, chip: ChipProfile, headroom_bits: int = 3) -> QuantizedNetwork:
    """Quantise a spiking graph to a neuromorphic chip's integer datapath (a float chip: keep the values).

    Parameters
    ----------
    graph : Graph
        A validated spiking graph.
    chip : ChipProfile
        A ``neuromorphic`` profile.
    headroom_bits : int
        When the chip lets the scale float (Loihi), thresholds are placed ``headroom_bits``
        below the top of the state range so inputs up to ``2**headroom_bits`` thresholds fit.
        A graph can pin a population's scale instead with ``metadata["state_scale"][name]``
        (state units per membrane unit), as imported netx files do.

    Returns
    -------
    QuantizedNetwork
        Integer parameters; each population's ``scale`` records state units per membrane unit. A
        projection with Loihi precision (``weight_bits``, ``sign_mode``, ``weight_exp``) is quantised
        as Lava's Dense does (:func:`_lava_mantissas`); the others round to nearest with the
        smallest exponent that fits.
    """
    arith = chip.arithmetic
    if chip.kind != "neuromorphic":
        raise UnsupportedError(f"chip '{chip.name}': kind '{chip.kind}' runs MLPs, not spiking graphs. "
                               f"Hint: choose a neuromorphic chip.")
    _check_supported(graph, chip)
    _check_graded(graph, chip)
    _check_neurons(graph, chip)
    inputs = _inputs(graph, chip)
    n_in = sum(inp.size for inp in inputs)
    for pop in graph.populations():
        if not get_model(pop.model).stateful:
            raise UnsupportedError(f"population '{pop.name}': non-spiking model '{pop.model}' inside a "
                                   f"spiking graph on '{chip.name}'. Hint: use 'li' for a readout.")
    if isinstance(arith, FloatArithmetic):
        return _float_network(graph, chip, inputs, n_in)
    pops, n_neurons = [], 0
    for pop in graph.populations():
        quantise = _INTEGER_POPULATIONS.get(pop.model, _integer_population)
        pops.append(quantise(pop, graph, chip, n_neurons, headroom_bits))
        n_neurons += pop.size
    by_name = {p.name: p for p in pops}
    offsets = graph.source_offsets()
    with setup_threads(sum(proj.n_synapses for proj in graph.projections())):
        projections = tuple(_integer_projection(proj, offsets[proj.pre], by_name.get(proj.pre), by_name[proj.post],
                                                chip) for proj in graph.projections())
    integer = IntegerArithmetic(arith.decay_bits, ROUNDING_IDS[arith.rounding], arith.input_shift,
                                arith.state_bits, OVERFLOW_IDS[arith.syn_overflow],
                                OVERFLOW_IDS[arith.mem_overflow])
    return QuantizedNetwork(integer, inputs, tuple(pops), projections, n_in, n_neurons,
                            tuple(graph.update_order()))


def mlp_chain(graph: Graph) -> list[Population]:
    """Populations of a non-spiking graph as a chain from its single value input, or UnsupportedError."""
    inputs = graph.inputs()
    chain, current = [], inputs[0].name if len(inputs) == 1 else None
    while current is not None:
        succ = [n for n in graph.nx.successors(current) if isinstance(graph.node(n), Population)]
        if len(succ) > 1 or (succ and graph.nx.in_degree(succ[0]) != 1):
            current = None
            chain = []
            break
        current = succ[0] if succ else None
        if current is not None:
            chain.append(graph.node(current))
    if not chain or len(chain) != len(graph.populations()):
        raise UnsupportedError(f"graph '{graph.name}': a MAC chip runs a chain input -> layer -> ... -> "
                               f"layer with one value input; this graph branches or merges. "
                               f"Hint: flatten the network into a sequential MLP.")
    for pop in chain[:-1]:
        if pop.model != "relu":
            raise UnsupportedError(f"population '{pop.name}': hidden model '{pop.model}' on a MAC chip; "
                                   f"expected 'relu' for hidden layers ('identity' only for the last).")
    return chain


def quantize_mlp_inputs(x: np.ndarray, chip: ChipProfile) -> np.ndarray:
    """Map values in [0, 1] to the chip's unsigned input codes (ADC), clipping outside values.

    Parameters
    ----------
    x : ndarray
        ``(n_samples, n_inputs)`` values, 1.0 = full scale.
    chip : ChipProfile
        A ``mac`` profile.

    Returns
    -------
    ndarray
        int64 codes in ``[0, 2**input_bits - 1]``.
    """
    top = (1 << chip.arithmetic.input_bits) - 1
    return np.clip(np.round(np.asarray(x, dtype=np.float64) * top), 0, top).astype(np.int64)


def quantize_mlp(graph: Graph, chip: ChipProfile, calibration: np.ndarray | None = None):
    """Quantise a non-spiking chain to a MAC chip's integers.

    Weights of each layer become signed ``weight_bits`` integers on one power-free scale
    ``max|W| / (2**(weight_bits-1) - 1)``; biases join the accumulator's scale; each hidden
    layer's ReLU output is shifted right by the smallest shift that keeps it below
    ``2**activation_bits`` over ``calibration`` (or, without it, for the worst-case input);
    the last layer is not shifted or clipped (its argmax is the class).

    Parameters
    ----------
    graph : Graph
        A validated non-spiking graph.
    chip : ChipProfile
        A ``mac`` profile.
    calibration : ndarray, optional
        ``(n, n_inputs)`` representative inputs in [0, 1] (e.g. the training set).

    Returns
    -------
    hwsim.qmlp.QuantizedMLP
    """
    from hwsim.qmlp import QLayer, QuantizedMLP

    if chip.kind != "mac":
        raise UnsupportedError(f"chip '{chip.name}': kind '{chip.kind}' runs spiking graphs; this graph "
                               f"is a non-spiking MLP. Hint: choose a 'mac' chip such as printed_egfet.")
    _check_supported(graph, chip)
    arith = chip.arithmetic
    chain = mlp_chain(graph)
    inp = graph.inputs()[0]
    w_top = (1 << (arith.weight_bits - 1)) - 1
    act_top = (1 << arith.activation_bits) - 1
    step_in = 1.0 / ((1 << arith.input_bits) - 1)            # value of one input code
    a_cal = None if calibration is None else quantize_mlp_inputs(calibration, chip)
    a_max = (1 << arith.input_bits) - 1
    layers = []
    for k, pop in enumerate(chain):
        weight = next(graph.incoming(pop.name)).weight
        peak = float(np.max(np.abs(weight))) or 1.0
        step_w = peak / w_top
        w_int = np.round(weight / step_w).astype(np.int64)
        b_int = np.round(pop.params["bias"] / (step_w * step_in)).astype(np.int64)
        last = k == len(chain) - 1
        shift = 0
        if not last:
            if a_cal is not None:
                top = int(np.max(np.maximum(a_cal @ w_int.T + b_int, 0), initial=0))
            else:
                top = int(np.max(np.clip(w_int, 0, None).sum(axis=1) * a_max + np.maximum(b_int, 0), initial=0))
            shift = max(0, int(top).bit_length() - arith.activation_bits)
        layer = QLayer(pop.name, w_int, b_int, shift, pop.model == "relu", -1 if last else act_top)
        layers.append(layer)
        if a_cal is not None and not last:
            a_cal = np.minimum(np.maximum(a_cal @ w_int.T + b_int, 0) >> shift, act_top)
        step_in = step_w * step_in * (1 << shift)
        a_max = act_top
    return QuantizedMLP(inp.name, inp.size, tuple(layers))
