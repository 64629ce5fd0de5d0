"""The event-driven intermediate representation (IR) of a network.

A :class:`Graph` is a ``networkx.MultiDiGraph`` whose nodes are :class:`Input`,
:class:`Population` and :class:`Output` records and whose edges carry
:class:`Projection` records (pre -> post, keyed by the projection's own name, so several
may join one pair) or readouts (population -> output). Every array lives in plain numpy;
nothing here knows about chips or kernels.

Discrete-time semantics (the one place they are defined)
-------------------------------------------------------
Time advances in steps ``t = 0 .. T-1`` of ``dt_s`` seconds. State starts at 0, or at a
population's ``initial`` state (per neuron: ``u`` per receptor, ``v``, ``refractory`` steps left).

1. **Arrival.** An Input channel carries at each step either a spike (``kind="spike"``,
   ``a[t] = 0`` or ``1``), a real value (``kind="current"``: direct input, a current or graded
   value; nothing is sent when ``a[t] = 0``), or a count of spikes the simulator draws itself
   (``kind="poisson"``: ``a[t] ~ Poisson(rate_hz * dt_s)`` while ``start_step <= t < stop_step``, else 0;
   ``a[t]`` spikes are ``a[t]`` synaptic events, each adding ``w``; ``docs/sources.md``). A spike emitted by
   neuron ``j`` at step ``t`` is ``a[t] = 1``. Through a synapse ``(j -> i, w, d)`` with integer delay
   ``d >= 0`` it adds ``w * a[t]`` to the input of ``i``'s receptor ``r`` (the projection's ``receptor``) at step
   ``t + d``. With ``d >= 1`` (the default, and the minimum on Loihi-like and SpiNNaker-like
   chips: ``capacity.min_delay_steps``) an input at step 0 reaches the first layer at step 1,
   as in Lava, where each Dense layer adds one step and DelayDense with delay ``k`` arrives
   ``k + 1`` steps later. ``d = 0`` is an instantaneous edge (NIR's and the PyTorch frameworks'
   semantics): the target sees it in the step it was emitted. ``x_r[t]`` is the sum over all
   projections into receptor ``r``.
2. **Order within a step**, for every neuron at once (``r`` runs over the population's
   ``n_receptors`` receptors; ``if`` has no synaptic current and adds ``x`` to ``v`` directly)::

       i_r[t] = (1 - decay_syn_r) * i_r[t-1] + (x_r[t] + bias_syn_r)   # synaptic currents (lif, li)
       v[t]   = (1 - decay_mem) * v[t-1] + sum_r i_r[t] + bias           # membrane (lif, li)
       v[t]   = v[t-1] + x[t] + bias                                     # membrane (if)
       spike s[t] = 1  if  v[t] > v_th                                   # strict; lif and if only

   and on a spike, by the population's ``reset``:

   ``"value"``           ``v[t] <- v_reset``.
   ``"value_next"``      ``v[t]`` kept; the neuron's next update starts from ``v_reset`` instead of
                         ``v[t]`` (``v[t+1] = (1 - decay_mem) * v_reset + ...``; a refractory neuron is
                         held at ``v_reset``). snnTorch's delayed reset to zero.
   ``"subtract"``        ``v[t] <- v[t] - v_th``.
   ``"subtract_next"``   ``v[t]`` kept, and ``v_th`` is subtracted from ``v[t+1]`` after its update
                         (``v[t+1] = (1-decay_mem)*v[t] + sum_r i_r[t+1] + bias - v_th``; snnTorch's
                         default delayed subtraction); a refractory period makes it wait for the first
                         update after it.
   ``"subtract_raised"`` as ``"subtract"``, except that a neuron whose stored membrane ``v[t-1]`` is
                         still above ``v_th`` decides its spike on ``v1 = v[t] - v_th`` (``s[t] = v1 >
                         v_th``) and then stores ``v1 - v_th`` if it spikes, ``v1 + v_th`` if not
                         (snnTorch's subtraction with ``reset_delay=False``, computed in its order).
   ``"none"``            ``v[t]`` kept (no reset).

   After a spike the neuron is refractory for ``refractory_steps`` steps, during which v is held and
   no spike is emitted (``i`` still integrates).

   Populations update in a topological order of the delay-0 projections (which must not form a
   cycle); a delay-0 input is seen by its target in the same step, every other at ``t + d``, never
   earlier. A graph needs no Input: biases, initial state and recurrence can drive it alone.

   **Sigma-delta neurons** (``sigma_delta``, Lava's ``SigmaDelta``) keep ``sigma`` (the summed input),
   ``act`` (the last activation), the residue ``r`` and the error ``e``, and send a *graded spike*: a
   payload ``s[t]`` that every outgoing synapse multiplies by its weight (the source's ``a[t] = s[t]`` in 1.)::

       sigma[t] = sigma[t-1] + x[t]
       act[t]   = max(0, sigma[t] + bias)  if relu = 1,  else  sigma[t] + bias
       d        = act[t] - act[t-1] + r[t-1]
       s[t]     = d  if |d| >= v_th  else 0                 (cum_error = 0)
       e        = e[t-1] + d;  s[t] = d if |e| >= v_th else 0;  e[t] = 0 if s[t] != 0 else e   (cum_error = 1)
       r[t]     = d - s[t]

   A spike is sent when ``s[t] != 0``. On an integer chip the state is held at ``2**(spike_exp +
   state_exp)`` state units per membrane unit and the payload sent is ``s[t] >> state_exp`` (floor), as
   Lava's fixed-point model computes; a projection's ``message_bits`` (Lava's ``num_message_bits``) must
   fit the chip's ``graded_spike_bits``.
3. **Non-spiking graphs** (only ``relu`` / ``identity`` populations, value inputs)
   are MLPs: they run once per sample, layer by layer in topological order,
   ``y = f(W x + bias)``; their delays must be 1.
4. **Readouts** turn a population's activity over a run into one vector per
   sample: ``spike_count`` (spikes per neuron), ``v_final`` (membrane at the last
   step), ``first_spike`` (step of the first spike, -1 if none) or ``value``
   (the output of a non-spiking population). The predicted class is the argmax;
   for ``spike_count`` ties go to the higher final membrane potential, then to the
   lower index; for ``first_spike`` it is the earliest spike (silent neurons last).

Weights, thresholds and biases share one dimensionless membrane unit per
population; chips quantise them in :mod:`hwsim.quantize` (the identity on float chips). A
projection may also state the chip-level precision it was trained for (Loihi's
``weight_bits``, ``sign_mode`` and ``weight_exp``, as Lava's Dense takes them); integer
chips with Loihi's synapse encoding then quantise it exactly as Lava does.
"""
from __future__ import annotations

import functools
import io
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator, Mapping

import networkx as nx
import numpy as np

from hwsim.errors import GraphError, cut, one_of, short
from hwsim.kernels.pairs import first_repeated_pair
from hwsim.npz import NpzReader
from hwsim.neuron_models import RESET_MODES, NeuronModel, get_model

INPUT_KINDS = ("spike", "current", "value", "poisson")
#: Largest mean count per step of a Poisson input channel (``rate_hz * dt_s``): the kernel draws each count
#: by inversion, a search whose length grows with the mean (``docs/sources.md``).
MAX_POISSON_PER_STEP = 30.0
#: A Poisson channel's ``stop_step`` when it never stops.
NO_STOP = np.iinfo(np.int64).max
READOUTS = ("spike_count", "v_final", "first_spike", "value")
SIGN_MODES = ("auto", "excitatory", "inhibitory", "mixed")
#: Lava's ``num_weight_bits`` range: Loihi's synapse holds at most 8 weight bits.
WEIGHT_BITS_RANGE = (1, 8)
#: Payload bits of a graded message (``Projection.message_bits``): Lava's ``num_message_bits`` >= 1, up to a
#: float64 payload.
MESSAGE_BITS_RANGE = (1, 64)
FORMAT_VERSION = 2
READABLE_VERSIONS = (1, 2)


@dataclass(frozen=True, eq=False)
class Input:
    """An entry of the network: ``size`` channels of spikes, currents or values.

    Attributes
    ----------
    name : str
        Node name.
    size : int
        Number of channels.
    kind : str
        ``"spike"`` (0/1 events per step), ``"current"`` (a real value per step: direct input,
        injected through the input's projections), ``"value"`` (an MLP's real-valued input) or
        ``"poisson"`` (spike counts the simulator draws, see ``rate_hz``).
    rate_hz : ndarray float64 ``(size,)`` or None
        Poisson inputs: each channel's rate [Hz]; its count at step t has mean ``rate_hz * dt_s``.
    start_step, stop_step : ndarray int64 ``(size,)`` or None
        Poisson inputs: each channel draws at steps ``start_step <= t < stop_step`` only
        (``stop_step`` :data:`NO_STOP`: to the end of the run).
    """

    name: str
    size: int
    kind: str = "spike"
    rate_hz: np.ndarray | None = None
    start_step: np.ndarray | None = None
    stop_step: np.ndarray | None = None


@dataclass(frozen=True, eq=False)
class Population:
    """``size`` neurons of one model with per-neuron parameter arrays.

    Attributes
    ----------
    name : str
        Node name (a layer).
    size : int
        Number of neurons.
    model : str
        Key of :data:`hwsim.neuron_models.MODELS`.
    params : mapping of str to ndarray
        float64 arrays, one per model parameter, in membrane units (``decay_*`` are fractions per
        step, ``refractory_steps`` a whole number): shape ``(size,)``, or ``(n_receptors, size)`` for
        the model's receptor parameters (``decay_syn``, ``bias_syn``).
    reset : str
        One of :data:`hwsim.neuron_models.RESET_MODES` (see the module docstring).
    n_receptors : int
        Synaptic currents per neuron, each with its own decay; projections choose one.
    initial : mapping of str to ndarray
        Initial state, for the keys given: ``u`` float64 ``(n_receptors, size)``, ``v`` float64
        ``(size,)``, ``refractory`` int64 ``(size,)``; the others start at 0.
    """

    name: str
    size: int
    model: str
    params: Mapping[str, np.ndarray] = field(default_factory=dict)
    reset: str = "value"
    n_receptors: int = 1
    initial: Mapping[str, np.ndarray] = field(default_factory=dict)


@dataclass(frozen=True, eq=False)
class Projection:
    """Synapses from ``pre`` to ``post``, dense or sparse, with integer delays, feeding one receptor.

    Attributes
    ----------
    name : str
        Unique among the graph's projections (default ``"<pre>-><post>"``).
    pre, post : str
        Source node (Input or Population) and target Population.
    weight : ndarray
        Dense: float64 ``(n_post, n_pre)``. Sparse: float64 ``(n_syn,)`` matching the indices.
    pre_index, post_index : ndarray or None
        Sparse only: ``(n_syn,)`` source and target neuron of each synapse, stored in the narrowest of
        int32 / int64 that holds both nodes' sizes (:func:`index_dtype`; int32 for every node hwsim
        accepts). :meth:`synapses` returns them as int64.
    delay_steps : ndarray
        A scalar (0-d) or one per synapse (same shape as ``weight``); each >= 0 (0: instantaneous).
        Stored in the narrowest signed integer type that holds the largest (:func:`narrowest_int`: int8
        for delays up to 127 steps); :meth:`synapses` returns them as int64.
    receptor : int
        The target's receptor (synaptic current) these synapses feed.
    weight_bits, weight_exp : int or None
        Loihi's precision as Lava's Dense takes it (``num_weight_bits`` 1..8 and the shared exponent);
        None: the quantiser chooses.
    sign_mode : str or None
        ``"auto"`` (from the weights' signs), ``"excitatory"``, ``"inhibitory"`` or ``"mixed"``; an
        explicit mode overrides the weights' signs as Lava's does. None: the quantiser chooses.
    message_bits : int or None
        Only on a projection from a graded population (``sigma_delta``): the payload bits its messages
        carry (Lava's ``num_message_bits``; the chip's ``graded_spike_bits`` must hold them). None: the
        payload as the source computes it. The weights multiply the payload either way.
    """

    name: str
    pre: str
    post: str
    weight: np.ndarray
    pre_index: np.ndarray | None = None
    post_index: np.ndarray | None = None
    delay_steps: np.ndarray = field(default_factory=lambda: np.asarray(1, dtype=np.int64))
    receptor: int = 0
    weight_bits: int | None = None
    sign_mode: str | None = None
    weight_exp: int | None = None
    message_bits: int | None = None

    @property
    def is_sparse(self) -> bool:
        """True when the synapses are stored as index lists."""
        return self.pre_index is not None

    @property
    def has_precision(self) -> bool:
        """True when any of Loihi's precision fields is given (the quantiser then follows Lava's rule)."""
        return self.weight_bits is not None or self.sign_mode is not None or self.weight_exp is not None

    def synapses(self, narrow: bool = False) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Return ``(pre_index, post_index, weight, delay_steps)`` of every stored synapse, read-only.

        Dense projections list all ``n_post * n_pre`` entries except exact zeros (a zero weight is no
        synapse), row by row (ascending target, then source). Arrays are int64, int64, float64, int64; with
        ``narrow`` the indices and delays keep the integer types they are stored in (int32 indices, int8
        delays, ...: no copies of a sparse projection's arrays; a fully dense one's indices are int32 too;
        callers then mind overflow). They may be views
        of the projection's own arrays.
        """
        index = None if narrow else np.int64
        if self.is_sparse:
            out = (self.pre_index.astype(index or self.pre_index.dtype, copy=False),
                   self.post_index.astype(index or self.post_index.dtype, copy=False),
                   self.weight.astype(np.float64, copy=False), self._delays_of(self.weight.size, None, narrow))
        elif self.weight.all():   # no zeros: the indices in closed form, the weights as they are
            n_post, n_pre = self.weight.shape
            out = (*_dense_indices(n_pre, n_post, index or index_dtype(n_pre, n_post)), self.weight.reshape(-1),
                   self._delays_of(self.weight.size, None, narrow))
        else:
            flat = np.flatnonzero(self.weight)
            post, pre = np.divmod(flat, self.weight.shape[1])
            out = (pre, post, self.weight.reshape(-1)[flat], self._delays_of(flat.size, flat, narrow))
        return tuple(_read_only(a) for a in out)

    def _delays_of(self, n: int, flat: np.ndarray | None, narrow: bool) -> np.ndarray:
        """The delays of ``n`` synapses (int64 unless ``narrow``): ``flat`` picks them from a dense projection's
        per-entry delays."""
        d = self.delay_steps if narrow else self.delay_steps.astype(np.int64, copy=False)
        if d.ndim == 0:
            return np.broadcast_to(d, (n,))
        return d.reshape(-1) if flat is None else d.reshape(-1)[flat]

    @property
    def n_synapses(self) -> int:
        """Number of synapses (non-zero weights for dense projections)."""
        return int(self.weight.size if self.is_sparse else np.count_nonzero(self.weight))


@dataclass(frozen=True, eq=False)
class Output:
    """A readout of one population.

    Attributes
    ----------
    name : str
        Node name.
    source : str
        The population read.
    readout : str
        One of :data:`READOUTS`.
    """

    name: str
    source: str
    readout: str = "spike_count"


def _read_only(a: np.ndarray) -> np.ndarray:
    """A read-only view of ``a`` (callers get the projection's arrays without copies and cannot change them)."""
    view = a.view()
    view.flags.writeable = False
    return view


def _as_finite(where: str, values, dtype=np.float64) -> np.ndarray:
    try:
        arr = np.array(values, dtype=dtype)
    except (TypeError, ValueError) as exc:
        raise GraphError(f"{where}: could not read the values as numbers ({str(exc)[:120]}); "
                         f"expected a numeric array.") from None
    if not np.all(np.isfinite(arr)):
        bad = int(np.count_nonzero(~np.isfinite(arr)))
        raise GraphError(f"{where}: {bad} value(s) are NaN or infinite; expected finite numbers. "
                         f"Hint: check the trained weights or the importer's conversion.")
    return arr


def _check_name(name: str) -> str:
    if not isinstance(name, str) or not name or "/" in name:
        raise GraphError(f"node name {short(name)}: expected a non-empty string without '/'.")
    return name


#: Most neurons or channels in one node: 1e8 (each per-neuron parameter is then 800 MB of float64).
MAX_NODE_SIZE = 10 ** 8
_SIGNED = (np.int8, np.int16, np.int32, np.int64)


def narrowest_int(largest: int) -> type:
    """The narrowest signed numpy integer type (int8 .. int64) holding every value in ``[0, largest]``."""
    return next(t for t in _SIGNED if largest <= np.iinfo(t).max)


@functools.lru_cache(maxsize=8)
def _dense_indices(n_pre: int, n_post: int, dtype: type) -> tuple[np.ndarray, np.ndarray]:
    """Every ``(pre, post)`` pair of an ``n_post x n_pre`` matrix, row by row, read-only: built once per shape
    and reused (mapping, quantisation and lowering each read them)."""
    pre = np.tile(np.arange(n_pre, dtype=dtype), n_post)
    post = np.repeat(np.arange(n_post, dtype=dtype), n_pre)
    pre.flags.writeable = post.flags.writeable = False
    return pre, post


def index_dtype(*sizes: int) -> type:
    """The dtype of a sparse projection's stored indices into nodes of ``sizes``: int32 when every index
    fits (always, below :data:`MAX_NODE_SIZE`), else int64."""
    return np.int32 if max(sizes) - 1 <= np.iinfo(np.int32).max else np.int64


def _check_count(where: str, what: str, value) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or not 1 <= value <= MAX_NODE_SIZE:
        raise GraphError(f"{where}: {what} {short(value)}; expected an integer in 1..{MAX_NODE_SIZE:,}.")
    return int(value)


def _per_neuron(where: str, key: str, value, size: int) -> np.ndarray:
    """A parameter as float64 ``(size,)``: a scalar is repeated."""
    arr = _as_finite(f"{where}: {key}", value)
    if arr.ndim == 0:
        arr = np.full(size, float(arr))
    if arr.shape != (size,):
        raise GraphError(f"{where}: {key} has shape {arr.shape}; expected () or ({size},).")
    return arr


def _steps_per_channel(where: str, key: str, value, size: int) -> np.ndarray:
    """Integer numbers of steps in 0 .. :data:`NO_STOP` as int64 ``(size,)``: a scalar is repeated."""
    arr = np.asarray(value)
    if arr.dtype.kind not in "iu" or arr.ndim > 1 or (arr.ndim == 1 and arr.shape != (size,)):
        raise GraphError(f"{where}: {key} of dtype {arr.dtype} and shape {arr.shape}; expected an integer or "
                         f"({size},) integers (steps).")
    if arr.size and (arr.min() < 0 or arr.max() > NO_STOP):
        bad = arr[(arr < 0) | (arr > NO_STOP)][0]
        raise GraphError(f"{where}: {key} {short(int(bad))}; expected steps in 0..{NO_STOP}.")
    return np.broadcast_to(arr.astype(np.int64), (size,)).copy()


def _poisson_channels(where: str, size: int, dt_s: float, rate_hz, start_step, stop_step) -> tuple:
    """A Poisson input's checked ``(rate_hz, start_step, stop_step)`` per channel (see :meth:`Graph.add_input`)."""
    if rate_hz is None:
        raise GraphError(f"{where}: kind 'poisson' without rate_hz; expected rates in Hz (a scalar or one per "
                         f"channel).")
    rate = _per_neuron(where, "rate_hz", rate_hz, size)
    if rate.min() < 0:
        raise GraphError(f"{where}: rate_hz {short(float(rate[rate < 0][0]))}; expected rates >= 0 Hz.")
    mean = rate.max() * dt_s
    if mean > MAX_POISSON_PER_STEP:
        raise GraphError(f"{where}: rate_hz {rate.max():g} at dt_s {dt_s:g} is {mean:g} spikes per step; expected at "
                         f"most {MAX_POISSON_PER_STEP:g}. Hint: a shorter step, or the rate split over several "
                         f"channels.")
    start = _steps_per_channel(where, "start_step", start_step, size)
    stop = np.full(size, NO_STOP, dtype=np.int64) if stop_step is None else \
        _steps_per_channel(where, "stop_step", stop_step, size)
    if np.any(stop < start):
        j = int(np.flatnonzero(stop < start)[0])
        raise GraphError(f"{where}: channel {j} stops at step {stop[j]} before it starts at step {start[j]}; "
                         f"expected stop_step >= start_step.")
    return rate, start, stop


def _per_receptor(where: str, key: str, value, size: int, n_receptors: int) -> np.ndarray:
    """A receptor parameter as float64 ``(n_receptors, size)``: a scalar, one value per neuron (one
    receptor), one per receptor ``(n_receptors,)`` or a full ``(n_receptors, size)`` array."""
    arr = _as_finite(f"{where}: {key}", value)
    shape = (n_receptors, size)
    if arr.ndim == 0:
        return np.full(shape, float(arr))
    if arr.ndim == 1 and n_receptors == 1 and arr.size == size:
        return arr.reshape(shape)
    if arr.ndim == 1 and n_receptors > 1 and arr.size == n_receptors and size != n_receptors:
        return np.repeat(arr[:, None], size, axis=1)
    if arr.shape == shape:
        return arr
    expected = f"() or ({size},)" if n_receptors == 1 else f"(), ({n_receptors},) or {shape}"
    raise GraphError(f"{where}: {key} has shape {arr.shape}; expected {expected} ({n_receptors} receptor(s) "
                     f"x {size} neurons).")


def _initial_state(where: str, model: NeuronModel, initial, size: int, n_receptors: int) -> dict:
    """Validate a population's initial state: only the model's state, in the right shapes."""
    if initial is None:
        return {}
    if not isinstance(initial, Mapping):
        raise GraphError(f"{where}: initial {type(initial).__name__}; expected a mapping such as "
                         f"{{'v': array of {size}}}.")
    unknown = sorted(set(initial) - set(model.state))
    if unknown:
        options = model.state or ("(none: model '" + model.name + "' keeps no state)",)
        raise GraphError(f"{where}: unknown initial state {short(unknown[0])} for model '{model.name}'; "
                         f"{one_of(unknown[0], options)}")
    out = {}
    for key, value in initial.items():
        if key == "u":
            out[key] = _per_receptor(where, "initial u", value, size, n_receptors)
        elif key == "v":
            out[key] = _per_neuron(where, "initial v", value, size)
        else:
            steps = _per_neuron(where, "initial refractory", value, size)
            if steps.min() < 0 or np.any(steps != np.round(steps)):
                raise GraphError(f"{where}: initial refractory must be whole numbers of steps >= 0.")
            out[key] = steps.astype(np.int64)
    return out


def _projection_precision(where: str, weight_bits, sign_mode, weight_exp) -> tuple:
    """Validate Loihi's optional per-projection precision (Lava's Dense parameters)."""
    if weight_bits is not None:
        low, high = WEIGHT_BITS_RANGE
        if isinstance(weight_bits, bool) or not isinstance(weight_bits, (int, np.integer)) \
                or not low <= weight_bits <= high:
            raise GraphError(f"{where}: weight_bits {short(weight_bits)}; expected an integer in "
                             f"{low}..{high} (Lava's num_weight_bits: Loihi's synapse holds at most {high} bits).")
        weight_bits = int(weight_bits)
    if sign_mode is not None and sign_mode not in SIGN_MODES:
        raise GraphError(f"{where}: sign_mode {short(sign_mode)}; {one_of(sign_mode, SIGN_MODES)}")
    if weight_exp is not None:
        if isinstance(weight_exp, bool) or not isinstance(weight_exp, (int, np.integer)) or abs(weight_exp) > 64:
            raise GraphError(f"{where}: weight_exp {short(weight_exp)}; expected an integer in -64..64 "
                             f"(the shift of the projection's summed input).")
        weight_exp = int(weight_exp)
    return weight_bits, sign_mode, weight_exp


def _message_bits(where: str, src, message_bits) -> int | None:
    """Validate a projection's ``message_bits``: only from a graded population, an integer in
    :data:`MESSAGE_BITS_RANGE`."""
    if message_bits is None:
        return None
    graded = isinstance(src, Population) and get_model(src.model).graded
    if not graded:
        what = f"model '{src.model}'" if isinstance(src, Population) else "an input"
        raise GraphError(f"{where}: message_bits {short(message_bits)} on a projection from '{src.name}' ({what}), "
                         f"which sends binary spikes; expected None. Hint: message_bits belongs to projections "
                         f"from graded populations (sigma_delta).")
    low, high = MESSAGE_BITS_RANGE
    if isinstance(message_bits, bool) or not isinstance(message_bits, (int, np.integer)) \
            or not low <= message_bits <= high:
        raise GraphError(f"{where}: message_bits {short(message_bits)}; expected an integer in {low}..{high} "
                         f"(Lava's num_message_bits of a graded Dense).")
    return int(message_bits)


class Graph:
    """A network: inputs, populations, projections and outputs on a ``networkx.MultiDiGraph``.

    Parameters
    ----------
    name : str
        Name of the network.
    dt_s : float
        Duration of one step in seconds.
    metadata : dict, optional
        JSON-serialisable facts about the model (task, steps per sample, input encoding);
        saved with the graph.
    """

    def __init__(self, name: str, dt_s: float = 1e-3, metadata: dict | None = None):
        if not (isinstance(dt_s, (int, float)) and not isinstance(dt_s, bool) and np.isfinite(dt_s) and dt_s > 0):
            raise GraphError(f"graph {short(name)}: dt_s={short(dt_s)}; expected a positive number of "
                             f"seconds.")
        self.name = str(name)
        self.dt_s = float(dt_s)
        self.metadata = dict(metadata or {})
        self.nx = nx.MultiDiGraph()
        self._projections: dict[str, Projection] = {}

    # ------------------------------------------------------------------ building
    def _new_node(self, node) -> None:
        _check_name(node.name)
        if node.name in self.nx:
            raise GraphError(f"graph '{self.name}': node '{node.name}' already exists; expected a unique name.")
        self.nx.add_node(node.name, node=node)

    def add_input(self, name: str, size: int, kind: str = "spike", *, rate_hz=None, start_step=0,
                  stop_step=None) -> Input:
        """Add an :class:`Input` of ``size`` channels.

        Parameters
        ----------
        name : str
            Node name.
        size : int
            Number of channels.
        kind : str
            "spike", "current", "value" or "poisson" (see :class:`Input`).
        rate_hz : float or array_like ``(size,)``, optional
            Poisson inputs only (and required there): rates >= 0 [Hz], at most
            :data:`MAX_POISSON_PER_STEP` spikes per step (``rate_hz * dt_s``).
        start_step, stop_step : int or array_like ``(size,)``, optional
            Poisson inputs only: draw at steps ``start_step <= t < stop_step`` (default: from 0 to the end).
        """
        where = f"input '{name}'"
        size = _check_count(where, "size", size)
        if kind not in INPUT_KINDS:
            raise GraphError(f"{where}: kind {short(kind)}; {one_of(kind, INPUT_KINDS)}")
        if kind != "poisson":
            if rate_hz is not None or stop_step is not None or not (np.ndim(start_step) == 0 and start_step == 0):
                raise GraphError(f"{where}: rate_hz, start_step or stop_step for kind '{kind}'; expected them for "
                                 f"kind 'poisson' only. Hint: add_input(name, size, 'poisson', rate_hz=...).")
            node = Input(name, size, kind)
        else:
            node = Input(name, size, kind, *_poisson_channels(where, size, self.dt_s, rate_hz, start_step, stop_step))
        self._new_node(node)
        return node

    def add_population(self, name: str, size: int, model: str, reset: str = "value", *,
                       n_receptors: int = 1, initial: Mapping | None = None, **params) -> Population:
        """Add a :class:`Population`.

        Parameters
        ----------
        name : str
            Node name.
        size : int
            Number of neurons.
        model : str
            Neuron model (see :mod:`hwsim.neuron_models`).
        reset : str
            One of :data:`hwsim.neuron_models.RESET_MODES` (spiking models only).
        n_receptors : int
            Synaptic currents per neuron (models with receptor parameters only).
        initial : mapping, optional
            Initial state: ``u`` (per receptor), ``v``, ``refractory`` (steps left), each a scalar or
            per neuron (``u``: as a receptor parameter); missing ones start at 0.
        **params
            Model parameters; missing ones take the model's defaults. Each is a scalar or ``(size,)``;
            a receptor parameter (``decay_syn``, ``bias_syn``) may also be ``(n_receptors,)`` or
            ``(n_receptors, size)``.
        """
        where = f"population '{name}'"
        size = _check_count(where, "size", size)
        spec = get_model(model, where)
        if reset not in RESET_MODES:
            raise GraphError(f"{where}: reset {short(reset)}; {one_of(reset, RESET_MODES)}")
        if spec.graded and reset != "value":
            raise GraphError(f"{where}: reset '{reset}' for model '{model}', which has no membrane to reset; "
                             f"expected the default 'value'.")
        n_receptors = _check_count(where, "n_receptors", n_receptors)
        if n_receptors > 1 and not spec.receptor_params:
            raise GraphError(f"{where}: n_receptors {n_receptors} for model '{model}', which has no synaptic "
                             f"current; expected 1. Hint: use 'lif' for several synaptic currents.")
        unknown = sorted(set(params) - set(spec.params))
        if unknown:
            raise GraphError(f"{where}: unknown parameter '{unknown[0]}' for model '{model}'; "
                             f"{one_of(unknown[0], spec.params)}")
        arrays = {}
        for key, default in spec.params.items():
            if key not in params and default is None:
                raise GraphError(f"{where}: model '{model}' needs parameter '{key}'; none was given.")
            value = params.get(key, default)
            arrays[key] = (_per_receptor(where, key, value, size, n_receptors) if key in spec.receptor_params
                           else _per_neuron(where, key, value, size))
        for key in ("decay_syn", "decay_mem"):
            if key in arrays and (arrays[key].min() < 0 or arrays[key].max() > 1):
                raise GraphError(f"{where}: {key} outside [0, 1]; expected the fraction lost per step.")
        if "refractory_steps" in arrays:
            ref = arrays["refractory_steps"]
            if ref.min() < 0 or np.any(ref != np.round(ref)):
                raise GraphError(f"{where}: refractory_steps must be whole numbers >= 0.")
        for key, (low, high, whole) in spec.ranges.items():
            value = arrays[key]
            if value.min() < low or value.max() > high or (whole and np.any(value != np.round(value))):
                bad = value[(value < low) | (value > high) | ((value != np.round(value)) if whole else False)][0]
                kind = "whole numbers" if whole else "values"
                raise GraphError(f"{where}: {key} {short(float(bad))}; expected {kind} in [{low:g}, {high:g}] for "
                                 f"model '{model}'.")
        state = _initial_state(where, spec, initial, size, n_receptors)
        node = Population(name, size, model, arrays, reset, n_receptors, state)
        self._new_node(node)
        return node

    def add_projection(self, pre: str, post: str, weight, pre_index=None, post_index=None,
                       delay_steps=1, *, name: str | None = None, receptor: int = 0,
                       weight_bits: int | None = None, sign_mode: str | None = None,
                       weight_exp: int | None = None, message_bits: int | None = None) -> Projection:
        """Connect ``pre`` to ``post`` with dense ``weight (n_post, n_pre)`` or sparse index lists.

        Parameters
        ----------
        pre, post : str
            Existing source (Input or Population) and target Population.
        weight : array_like
            Dense ``(n_post, n_pre)`` matrix, or ``(n_syn,)`` with ``pre_index``/``post_index``.
        pre_index, post_index : array_like, optional
            Sparse connectivity, one entry per synapse.
        delay_steps : int or array_like
            Integer delays >= 0 (0: instantaneous), scalar or one per weight entry.
        name : str, optional
            Unique projection name; default ``"<pre>-><post>"`` (then ``"<pre>-><post>#2"``, ... when
            several join the same pair).
        receptor : int
            The target's receptor (0 .. n_receptors - 1) these synapses feed.
        weight_bits, sign_mode, weight_exp : optional
            Loihi's precision as Lava's Dense takes it (see :class:`Projection`).
        message_bits : int, optional
            Payload bits of a projection from a graded (``sigma_delta``) population (see :class:`Projection`).
        """
        where = f"projection '{name}'" if name is not None else f"projection '{pre}' -> '{post}'"
        for end in (pre, post):
            if end not in self.nx:
                raise GraphError(f"{where}: node {short(end)} does not exist; "
                                 f"{one_of(end, self.nx.nodes)} Hint: add nodes before projections.")
        src, dst = self.node(pre), self.node(post)
        if isinstance(src, Output):
            raise GraphError(f"{where}: '{pre}' is an Output; expected an Input or a Population as source.")
        if not isinstance(dst, Population):
            raise GraphError(f"{where}: '{post}' is a {type(dst).__name__}; expected a Population as target.")
        name = self._projection_name(pre, post, name, where)
        if isinstance(receptor, bool) or not isinstance(receptor, (int, np.integer)) \
                or not 0 <= receptor < dst.n_receptors:
            raise GraphError(f"{where}: receptor {short(receptor)}; expected an integer in "
                             f"0..{dst.n_receptors - 1} ('{post}' has {dst.n_receptors} receptor(s)). Hint: "
                             f"add_population(..., n_receptors=N) gives a population N synaptic currents.")
        precision = _projection_precision(where, weight_bits, sign_mode, weight_exp)
        message_bits = _message_bits(where, src, message_bits)
        w = _as_finite(f"{where}: weight", weight)
        if (pre_index is None) != (post_index is None):
            raise GraphError(f"{where}: give both pre_index and post_index for sparse weights, or neither.")
        if pre_index is None:
            if w.shape != (dst.size, src.size):
                raise GraphError(f"{where}: weight shape {w.shape}; expected ({dst.size}, {src.size}) "
                                 f"= ({post} size, {pre} size).")
            pi = qi = None
        else:
            pi, qi = self._sparse_indices(where, w, pre_index, post_index, src.size, dst.size)
        d = self._delays(where, delay_steps, w.shape)
        proj = Projection(name, pre, post, w, pi, qi, d, int(receptor), *precision, message_bits)
        self.nx.add_edge(pre, post, key=name, projection=proj)
        self._projections[name] = proj
        return proj

    def _projection_name(self, pre: str, post: str, name, where: str) -> str:
        if name is None:
            name, k = f"{pre}->{post}", 1
            while name in self._projections:
                k += 1
                name = f"{pre}->{post}#{k}"
            return name
        if not isinstance(name, str) or not name:
            raise GraphError(f"{where}: name {short(name)}; expected a non-empty string.")
        if name in self._projections:
            raise GraphError(f"{where}: a projection named '{name}' already exists; expected a unique name.")
        return name

    @staticmethod
    def _sparse_indices(where: str, w: np.ndarray, pre_index, post_index, n_pre: int, n_post: int):
        pi, qi = np.asarray(pre_index), np.asarray(post_index)
        if w.ndim != 1 or pi.shape != w.shape or qi.shape != w.shape:
            raise GraphError(f"{where}: sparse weight, pre_index, post_index have shapes "
                             f"{w.shape}, {pi.shape}, {qi.shape}; expected three equal 1-D shapes.")
        if not (np.issubdtype(pi.dtype, np.integer) and np.issubdtype(qi.dtype, np.integer)) and w.size:
            raise GraphError(f"{where}: pre_index/post_index must be integers.")
        if w.size and (pi.min() < 0 or pi.max() >= n_pre or qi.min() < 0 or qi.max() >= n_post):
            raise GraphError(f"{where}: an index is out of range; expected pre_index in "
                             f"[0, {n_pre}) and post_index in [0, {n_post}).")
        dtype = index_dtype(n_pre, n_post)
        pi, qi = pi.astype(dtype), qi.astype(dtype)
        pair = first_repeated_pair(pi, qi, n_pre, n_post) if w.size else (-1, -1)
        if pair[0] >= 0:
            raise GraphError(f"{where}: duplicate (pre, post) synapses, e.g. ({pair[0]}, {pair[1]}); expected "
                             f"each pair once. Hint: sum duplicate weights, or put synapses of other delays in "
                             f"another projection.")
        return pi, qi

    @staticmethod
    def _delays(where: str, delay_steps, shape: tuple) -> np.ndarray:
        d = np.asarray(delay_steps)
        if d.dtype.kind not in "biuf":
            raise GraphError(f"{where}: delay_steps of dtype {d.dtype}; expected whole numbers of steps.")
        if not np.issubdtype(d.dtype, np.integer):
            if not np.all(np.isfinite(d)) or np.any(d != np.round(d)) or (d.size and np.abs(d).max() > 2**40):
                raise GraphError(f"{where}: delay_steps must be whole numbers of steps.")
        if d.ndim != 0 and d.shape != shape:
            raise GraphError(f"{where}: delay_steps shape {d.shape}; expected a scalar or {shape}.")
        low, high = (int(d.min()), int(d.max())) if d.size else (0, 0)
        if low < 0:
            raise GraphError(f"{where}: delay_steps {low}; expected integers >= 0.")
        if high > np.iinfo(np.int64).max:
            raise GraphError(f"{where}: delay_steps {high}; expected integers below 2**63.")
        return d.astype(narrowest_int(high))

    def add_output(self, name: str, source: str, readout: str = "spike_count") -> Output:
        """Add an :class:`Output` reading population ``source``."""
        where = f"output '{name}'"
        if source not in self.nx or not isinstance(self.node(source), Population):
            raise GraphError(f"{where}: source {short(source)} is not a population; "
                             f"{one_of(source, [p.name for p in self.populations()])}")
        if readout not in READOUTS:
            raise GraphError(f"{where}: readout {short(readout)}; {one_of(readout, READOUTS)}")
        model = get_model(self.node(source).model)
        if readout in ("spike_count", "first_spike") and not model.spiking:
            raise GraphError(f"{where}: readout '{readout}' of non-spiking model '{model.name}'; "
                             f"expected 'v_final' or 'value'.")
        node = Output(name, source, readout)
        self._new_node(node)
        self.nx.add_edge(source, name, key="readout", readout=True)
        return node

    # ------------------------------------------------------------------ queries
    def node(self, name: str):
        """Return the node record called ``name``."""
        if name not in self.nx:
            raise GraphError(f"graph '{self.name}': no node {short(name)}; {one_of(name, self.nx.nodes)}")
        return self.nx.nodes[name]["node"]

    def projection(self, name: str) -> Projection:
        """Return the projection called ``name``."""
        if name not in self._projections:
            raise GraphError(f"graph '{self.name}': no projection {short(name)}; "
                             f"{one_of(name, self._projections)}")
        return self._projections[name]

    def _of_type(self, cls) -> list:
        return [d["node"] for _, d in self.nx.nodes(data=True) if isinstance(d["node"], cls)]

    def inputs(self) -> list[Input]:
        """Inputs in insertion order."""
        return self._of_type(Input)

    def populations(self) -> list[Population]:
        """Populations in insertion order."""
        return self._of_type(Population)

    def outputs(self) -> list[Output]:
        """Outputs in insertion order."""
        return self._of_type(Output)

    def projections(self) -> list[Projection]:
        """Projections in insertion order."""
        return list(self._projections.values())

    def incoming(self, post: str) -> Iterator[Projection]:
        """Projections into population ``post``, in insertion order."""
        return (p for p in self._projections.values() if p.post == post)

    def neuron_offsets(self) -> dict[str, int]:
        """Global index of each population's first neuron (populations in insertion order)."""
        offsets, total = {}, 0
        for pop in self.populations():
            offsets[pop.name] = total
            total += pop.size
        return offsets

    def source_offsets(self) -> dict[str, int]:
        """Global source id of each input's and population's first channel: inputs first, then neurons."""
        offsets, total = {}, 0
        for inp in self.inputs():
            offsets[inp.name] = total
            total += inp.size
        for name, start in self.neuron_offsets().items():
            offsets[name] = total + start
        return offsets

    def is_spiking(self) -> bool:
        """True when any population uses a spiking or stateful model (the graph runs for many steps)."""
        return any(get_model(p.model).stateful for p in self.populations())

    def is_recurrent(self) -> bool:
        """True when projections form a cycle (including self-loops)."""
        return not nx.is_directed_acyclic_graph(self.nx)

    def instantaneous(self) -> nx.DiGraph:
        """The subgraph of projections with a delay-0 synapse (they order updates within a step)."""
        edges = [(p.pre, p.post) for p in self.projections() if p.delay_steps.size and p.delay_steps.min() == 0]
        sub = nx.DiGraph()
        sub.add_nodes_from(self.nx.nodes)
        sub.add_edges_from(edges)
        return sub

    def update_order(self) -> list[str]:
        """Populations in the order they update within a step: topological over delay-0 projections,
        otherwise insertion order (a delay-0 cycle is a :class:`GraphError`)."""
        sub = self.instantaneous()
        try:
            order = list(nx.lexicographical_topological_sort(sub, key=list(self.nx.nodes).index))
        except nx.NetworkXUnfeasible:
            edges = nx.find_cycle(sub)
            cycle = " -> ".join([u for u, _ in edges] + [edges[0][0]])
            raise GraphError(f"graph '{self.name}': delay-0 projections form a cycle ({cycle}); expected "
                             f"every loop to take at least one step. Hint: give a recurrent projection "
                             f"delay_steps=1.") from None
        return [name for name in order if isinstance(self.node(name), Population)]

    # ------------------------------------------------------------------ validation
    def validate(self) -> "Graph":
        """Check the whole graph; raise :class:`GraphError` naming the first problem. Returns self.

        A spiking graph may have no Input and populations without incoming projections (biases,
        initial state and recurrence drive them); an MLP needs an Input reaching every Output.
        """
        if not self.outputs():
            raise GraphError(f"graph '{self.name}': no Output node; expected at least one. "
                             f"Hint: graph.add_output(name, source_population).")
        self.update_order()
        spiking = self.is_spiking()
        for inp in self.inputs():
            if spiking and inp.kind == "value":
                raise GraphError(f"input '{inp.name}': kind 'value' in a spiking graph; expected 'spike' or "
                                 f"'current'. Hint: rate-encode values into spikes, or inject them as a current.")
            if not spiking and inp.kind != "value":
                raise GraphError(f"input '{inp.name}': kind '{inp.kind}' in a non-spiking (MLP) graph; "
                                 f"expected kind 'value'.")
        if not spiking:
            self._validate_mlp()
        return self

    def _validate_mlp(self) -> None:
        if not self.inputs():
            raise GraphError(f"graph '{self.name}': no Input node in a non-spiking (MLP) graph; expected one. "
                             f"Hint: graph.add_input(name, size, 'value').")
        for pop in self.populations():
            if self.nx.in_degree(pop.name) == 0:
                raise GraphError(f"population '{pop.name}': no incoming projection; "
                                 f"expected it to be reachable from an input.")
        reachable = set()
        for inp in self.inputs():
            reachable |= nx.descendants(self.nx, inp.name)
        for out in self.outputs():
            if out.name not in reachable:
                raise GraphError(f"output '{out.name}': not reachable from any input; "
                                 f"expected a path input -> ... -> '{out.source}'.")
        if self.is_recurrent():
            raise GraphError(f"graph '{self.name}': a non-spiking (MLP) graph has a cycle; "
                             f"expected a feed-forward graph.")
        for proj in self.projections():
            if np.any(proj.delay_steps != 1):
                raise GraphError(f"projection '{proj.name}': delays in a non-spiking (MLP) graph; expected "
                                 f"delay_steps 1.")

    # ------------------------------------------------------------------ persistence
    def to_arrays(self) -> tuple[dict, dict[str, np.ndarray]]:
        """Return ``(header, arrays)``: a JSON-able description and the named arrays it refers to."""
        header = {"format": "hwsim-graph", "version": FORMAT_VERSION, "name": self.name,
                  "dt_s": self.dt_s, "metadata": self.metadata,
                  "nodes": [], "projections": []}
        arrays: dict[str, np.ndarray] = {}
        for name, data in self.nx.nodes(data=True):
            node = data["node"]
            if isinstance(node, Input):
                header["nodes"].append({"type": "Input", "name": name, "size": node.size, "kind": node.kind})
                if node.kind == "poisson":
                    for key in ("rate_hz", "start_step", "stop_step"):
                        arrays[f"input/{name}/{key}"] = getattr(node, key)
            elif isinstance(node, Population):
                header["nodes"].append({"type": "Population", "name": name, "size": node.size,
                                        "model": node.model, "reset": node.reset, "params": sorted(node.params),
                                        "n_receptors": node.n_receptors, "initial": sorted(node.initial)})
                for key, value in node.params.items():
                    arrays[f"node/{name}/{key}"] = value
                for key, value in node.initial.items():
                    arrays[f"init/{name}/{key}"] = value
            else:
                header["nodes"].append({"type": "Output", "name": name, "source": node.source,
                                        "readout": node.readout})
        for k, proj in enumerate(self.projections()):
            header["projections"].append({"name": proj.name, "pre": proj.pre, "post": proj.post,
                                          "sparse": proj.is_sparse, "receptor": proj.receptor,
                                          "weight_bits": proj.weight_bits, "sign_mode": proj.sign_mode,
                                          "weight_exp": proj.weight_exp, "message_bits": proj.message_bits})
            arrays[f"proj/{k}/weight"] = proj.weight
            arrays[f"proj/{k}/delay_steps"] = proj.delay_steps
            if proj.is_sparse:
                arrays[f"proj/{k}/pre_index"] = proj.pre_index
                arrays[f"proj/{k}/post_index"] = proj.post_index
        return header, arrays

    @classmethod
    def from_arrays(cls, header: dict, arrays: Mapping[str, np.ndarray], where: str = "graph") -> "Graph":
        """Rebuild a graph from :meth:`to_arrays` output (validating everything again; version 1 files too)."""
        if not isinstance(header, dict) or header.get("format") != "hwsim-graph" \
                or header.get("version") not in READABLE_VERSIONS:
            found = (header.get("format"), header.get("version")) if isinstance(header, dict) else (None, None)
            raise GraphError(f"{where}: format {short(found[0])} version {short(found[1])}; expected "
                             f"'hwsim-graph' version {' or '.join(map(str, READABLE_VERSIONS))}.")
        try:
            graph = cls(header["name"], header["dt_s"], header.get("metadata"))
            for spec in header["nodes"]:
                if spec["type"] == "Input":
                    poisson = {k: arrays[f"input/{spec['name']}/{k}"] for k in ("rate_hz", "start_step", "stop_step")
                               } if spec["kind"] == "poisson" else {}
                    graph.add_input(spec["name"], spec["size"], spec["kind"], **poisson)
                elif spec["type"] == "Population":
                    params = {k: arrays[f"node/{spec['name']}/{k}"] for k in spec["params"]}
                    initial = {k: arrays[f"init/{spec['name']}/{k}"] for k in spec.get("initial", ())}
                    graph.add_population(spec["name"], spec["size"], spec["model"], spec["reset"],
                                         n_receptors=spec.get("n_receptors", 1), initial=initial, **params)
            for k, spec in enumerate(header["projections"]):
                sparse = spec["sparse"]
                graph.add_projection(spec["pre"], spec["post"], arrays[f"proj/{k}/weight"],
                                     arrays[f"proj/{k}/pre_index"] if sparse else None,
                                     arrays[f"proj/{k}/post_index"] if sparse else None,
                                     arrays[f"proj/{k}/delay_steps"], name=spec.get("name"),
                                     receptor=spec.get("receptor", 0), weight_bits=spec.get("weight_bits"),
                                     sign_mode=spec.get("sign_mode"), weight_exp=spec.get("weight_exp"),
                                     message_bits=spec.get("message_bits"))
            for spec in header["nodes"]:
                if spec["type"] == "Output":
                    graph.add_output(spec["name"], spec["source"], spec["readout"])
        except KeyError as exc:
            raise GraphError(f"{where}: missing entry {str(exc)[:80]}; expected a file written by "
                             f"hwsim.save_graph.") from None
        except (TypeError, AttributeError) as exc:
            raise GraphError(f"{where}: malformed header ({str(exc)[:80]}); expected a file written by "
                             f"hwsim.save_graph.") from None
        return graph


def save_graph(graph: Graph, path: str | Path) -> Path:
    """Write ``graph`` to one ``.npz`` file (a JSON header plus its arrays, no pickle).

    Parameters
    ----------
    graph : Graph
        The network.
    path : str or Path
        Destination; ``.npz`` is appended by numpy when missing.
    """
    header, arrays = graph.to_arrays()
    path = Path(path)
    if path.suffix != ".npz":
        path = path.with_name(path.name + ".npz")
    payload = {"__header__": np.frombuffer(json.dumps(header).encode(), dtype=np.uint8)}
    payload.update(arrays)
    buffer = io.BytesIO()
    np.savez_compressed(buffer, **payload)
    path.write_bytes(buffer.getvalue())
    return path


def load_graph(path: str | Path) -> Graph:
    """Read a graph written by :func:`save_graph` (format version 1 or 2).

    The file is checked before anything is allocated (:class:`hwsim.npz.NpzReader`): a damaged or
    hostile file raises :class:`GraphError`, and only the arrays the header names are read.
    """
    with NpzReader(path, GraphError, "a graph written by hwsim.save_graph (.npz)") as arrays:
        if "__header__" not in arrays:
            raise GraphError(f"{cut(path)}: no '__header__' entry; expected a graph written by "
                             f"hwsim.save_graph.")
        try:
            header = json.loads(arrays["__header__"].tobytes().decode())
        except (UnicodeDecodeError, ValueError, RecursionError) as exc:
            raise GraphError(f"{cut(path)}: its header is not JSON ({str(exc)[:80]}); expected a "
                             f"graph written by hwsim.save_graph.") from None
        return Graph.from_arrays(header, arrays, where=cut(path))
