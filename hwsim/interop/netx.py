"""Import lava-dl netx ``.net`` files (HDF5) into hwsim's IR, without lava-dl.

A netx file is what lava-dl's SLAYER blocks write with ``export_hdf5`` and what
``lava.lib.dl.netx.hdf5.Network`` turns into Lava processes. It is already in
Loihi's integers, so the import is lossless and keeps them visible.

Layout read (lava-dl 0.6.0)::

    /layer/<i>/type          (1,) bytes: input | dense | dense_rec | conv | flatten | ...
    /layer/<i>/shape         neuron shape (C, H, W), or (N,) / (N, 1, 1) for dense layers
    /layer/<i>/neuron/       type (CUBA | LOIHI), iDecay, vDecay, vThMant, refDelay, gradedSpike
    /layer/<i>/weight        dense (out, in) (or 1-D, reshaped); conv (Cout, Cin/groups, kH, kW[, 1])
    /layer/<i>/weight_rec    dense_rec only: (out, out)
    /layer/<i>/bias          integers; dense: scalar or per neuron; conv: per output channel
    /layer/<i>/delay         dense only: scalar, (out, in), per output (out,) or per input (in,)
    /layer/<i>/stride, padding, dilation   (H, W) pairs or scalars; groups scalar
    /simulation/Ts, tSample  sampling step and steps per sample (no unit in the file)

Mapping (netx -> IR)
--------------------
The IR's membrane unit is one netx weight unit, which is 64 Lava state units
(Lava shifts ``a_in``, ``vth`` and, with netx's ``bias_exp = 6``, the bias left by 6).
``graph.metadata["state_scale"]`` records that scale (64.0) for every population, so a
quantiser whose scale floats (Loihi) can use it instead of choosing its own.

* CUBA / LOIHI neuron -> ``lif`` with ``decay_syn = iDecay / 4096``, ``decay_mem = vDecay / 4096``,
  ``v_th = vThMant``, ``bias = bias`` (the file's integers), reset to 0 (``reset="value"``),
  no refractory period (``refDelay`` <= 1: SLAYER always writes 1, which on Loihi means none).
  netx gives Lava ``du = iDecay - 1``, ``dv = vDecay``, ``vth = vThMant``, ``bias_mant = bias``,
  ``bias_exp = 6``.
* A neuron whose threshold cannot be reached (``vThMant << 6`` above Lava's saturated membrane
  ``2**23 - 1``, i.e. ``vThMant >= 2**17``) is the non-spiking readout ``li``: SLAYER writes
  ``vThMant = 2**18 - 1`` for layers without spiking dynamics, and a dense layer without a
  ``neuron`` group gets netx's default (iDecay 0, vDecay 4096, vThMant ``1 << 17``).
* ``dense`` -> a dense projection of the file's integer weights. netx hands Lava
  ``optimize_weight_bits(W)``, i.e. ``W << s`` with ``weight_exp = -s``; Lava shifts the summed
  input right by ``s``, which gives back exactly the sum of the file's weights, so the IR keeps
  the file's weights. Delay ``d`` (Lava ``DelayDense``, arriving ``d + 1`` steps later) becomes IR
  delay ``d + 1``; no delay is IR delay 1 (Lava ``Dense``). Delays above 62 are clipped to 62 with
  a warning, as netx does. A per-output delay (length = outputs) applies, as in netx, to every
  synapse into that neuron; a per-input delay (length = inputs) to every synapse from that input;
  when both lengths are equal netx reads it per output.
* ``dense_rec`` -> the same plus a projection from the layer to itself (``weight_rec``, delay 1).
* ``conv`` -> a sparse projection between populations flattened in **(C, H, W) row-major order**
  (index ``c*H*W + h*W + w``), the order PyTorch and the file use. netx's Lava ``Conv`` works
  in (W, H, C) with a flipped, transposed kernel; that is the same cross-correlation
  ``y[co, oh, ow] = sum W[co, ci, kh, kw] * x[g*Cin/groups + ci, oh*sH - pH + kh*dH, ow*sW - pW + kw*dW]``.
  Per-channel biases are repeated over H*W.
* ``flatten`` -> nothing: netx transposes (W, H, C) back to (C, H, W) before flattening, which
  is already hwsim's order, so the following dense layer's inputs are the (C, H, W) indices.
* ``input`` without a ``neuron`` group -> an ``Input`` of ``prod(shape)`` spike channels in
  (C, H, W) order (netx only takes its shape). An input layer *with* neurons is driven in netx
  through the neurons' bias (each sample sets ``bias_mant``; the file's scalar ``weight`` and
  ``bias`` describe that encoding), which hwsim's spike inputs cannot express: it raises
  :class:`~hwsim.errors.UnsupportedError` unless ``drop_input_neurons=True``, which imports the
  layer as a plain spike ``Input`` carrying the spikes those neurons would emit and records the
  neuron and its transform under ``metadata["netx_input_neurons"]``.
* The last layer is read out with ``spike_count`` (``lif``) or ``v_final`` (``li``);
  ``simulation/tSample // Ts`` becomes ``metadata["n_steps"]``.

Exactness on chips/loihi.yaml
-----------------------------
Once :func:`hwsim.quantize.quantize_spiking` takes a population's scale from
``metadata["state_scale"]`` (for chips whose scale floats), quantising the imported graph gives
Lava's integers: ``v_th = vThMant << 6``, ``bias = bias << 6``, syn factor ``4096 - iDecay``
(du = iDecay - 1; ``iDecay = 0`` gives du = -1, no decay, as netx), mem factor ``4096 - vDecay``,
delays ``d + 1``. Every dense projection carries the precision netx hands Lava's Dense
(:func:`optimize_weight_bits`: ``weight_bits``, ``weight_exp``, sign mode left to Lava, for a
``dense_rec`` layer optimised over its forward and recurrent weights together), so the quantiser
applies Lava's own clipping and truncation: hwsim's spikes and final u, v equal Lava's bit for bit,
also where Lava departs from the file (weights all <= 0 with a minimum of -256, which Lava's
inhibitory range clips to -255). Conv projections carry no precision (netx gives Lava's Conv the
file's weights); the quantiser keeps in-range conv weights exactly.

SDNN neurons become ``sigma_delta`` populations as netx builds them: ``SigmaDelta(vth = vThMant, bias,
spike_exp = 6, state_exp = 6)`` with Lava's default ReLU (netx does not read ``activation``), a layer with
``sigma_output`` a ``Sigma`` (a sigma-delta population with threshold 0 and no activation: its final
sigma is the output); every projection out of an SDNN layer carries its ``messageBits`` (default 16) as
``message_bits``, and the IR weights are netx's integers times the source's payload scale
(``2**spike_exp``) over the target's input scale (``2**(spike_exp + state_exp)`` for a sigma-delta target),
so that the quantiser hands Lava netx's own mantissas. An SDNN input layer (a Delta encoder of real-valued
frames) is imported with ``drop_input_neurons=True`` as binary spike channels, as for CUBA input neurons.

Unsupported (raising :class:`~hwsim.errors.UnsupportedError` that names the layer): pool,
average, concat, convT, unpool, complex dense, RF neurons, graded spikes of CUBA neurons, refractory
delays above 1, delays on conv layers (netx ignores them) and on ``dense_rec`` layers, weights
outside Loihi's 8-bit synapse, biases outside its 13-bit mantissa.

:func:`optimize_weight_bits` reproduces netx's weight rule (the reference for what Lava is
given); :func:`write_netx` and the layer helpers write files in lava-dl's layout.
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping, Sequence

import h5py
import numpy as np

from hwsim.errors import GraphError, SpecError, UnsupportedError, cut, one_of, short
from hwsim.hdf5_check import check_hdf5
from hwsim.interop.conv import conv_output_shape, conv_to_sparse
from hwsim.interop.conventions import LAVA_BIAS_MANT_RANGE, LAVA_DECAY_UNIT, LAVA_STATE_SCALE
from hwsim.ir import Graph

STATE_SCALE = LAVA_STATE_SCALE   #: Lava state units per IR membrane unit (the << 6 of a_in, vth and bias)
DECAY_UNIT = LAVA_DECAY_UNIT     #: iDecay / vDecay of 4096 = decay of 1 (12-bit decay registers)
MAX_DELAY = 62                #: netx clips delays to 0..62
V_TH_MANT_LIMIT = 1 << 17     #: vThMant << 6 at or above 2**23 never spikes (v saturates at 2**23 - 1)
BIAS_RANGE = LAVA_BIAS_MANT_RANGE                   #: Loihi's signed 13-bit bias mantissa
NETX_DEFAULT_NEURON = {"type": "CUBA", "iDecay": 0, "vDecay": DECAY_UNIT, "vThMant": 1 << 17,
                       "refDelay": 1, "gradedSpike": False}
NEURON_TYPES = ("CUBA", "LOIHI", "SDNN")
SDNN_SPIKE_EXP = 6            #: netx's SigmaDelta spike_exp (Network(spike_exp=6))
SDNN_STATE_EXP = 6            #: netx's SigmaDelta state_exp
SDNN_MESSAGE_BITS = 16        #: netx's num_message_bits after an SDNN layer without messageBits


# ---------------------------------------------------------------------------- netx's weight rule
def optimize_weight_bits(weight: np.ndarray) -> tuple[np.ndarray, int, int, str]:
    """Reproduce lava-dl netx's ``optimize_weight_bits``: what netx hands Lava's ``Dense``.

    Parameters
    ----------
    weight : ndarray
        Integer weights of one layer, as stored in the file.

    Returns
    -------
    weight : ndarray
        int64 ``weight << s``, where ``s`` is the largest shift that keeps the weights in
        Loihi's 8-bit synapse (255 excitatory, 256 inhibitory, 127/128 times 2 mixed).
    num_weight_bits : int
        ``8 - s - n``, ``n`` being the trailing zero bits all weights share (minus 1 when mixed).
    weight_exp : int
        ``-s``.
    sign_mode : str
        ``"excitatory"`` (min >= 0), ``"inhibitory"`` (max < 0) or ``"mixed"``.

    Notes
    -----
    Weights beyond ``[-256, 254]`` are clipped there when they have both signs, as netx does
    (with a warning). Single-sign weights beyond 255 / -256 and all-zero matrices, which netx
    mis-shifts or fails on, raise :class:`~hwsim.errors.UnsupportedError`.
    """
    w = np.asarray(weight)
    if w.max() > 254 and w.min() < 0 or w.min() < -256 and w.max() > 0:
        warnings.warn(f"optimize_weight_bits: weights span [{w.min()}, {w.max()}]; clipped to [-256, 254] "
                      f"as netx does.", stacklevel=2)
        w = np.clip(w, -256, 254)
    w_max, w_min = float(w.max()), float(w.min())
    if w_max == 0 and w_min == 0:
        raise UnsupportedError("optimize_weight_bits: all weights are zero; netx cannot optimise them "
                               "(log2 of an infinite scale).")
    if w_max < 0:
        sign_mode, signed, scale = "inhibitory", 0, -256 / w_min
    elif w_min >= 0:
        sign_mode, signed, scale = "excitatory", 0, 255 / w_max
    else:
        pos = 127 / w_max if w_max > 0 else np.inf
        sign_mode, signed, scale = "mixed", 1, min(pos, -128 / w_min)
    shift = int(np.floor(np.log2(scale))) + signed
    if shift < 0:
        raise UnsupportedError(f"optimize_weight_bits: {sign_mode} weights in [{w_min:g}, {w_max:g}] exceed "
                               f"Loihi's synapse; netx would shift them by {shift} bits (undefined).")
    n = 8
    while n > 0 and np.any(w / 2.0 ** n != np.round(w / 2.0 ** n)):
        n -= 1
    num_weight_bits = 8 - shift - (n - signed)
    return np.left_shift(w.astype(np.int64), shift), num_weight_bits, -shift, sign_mode


# ---------------------------------------------------------------------------- convolution
def _pair(where: str, name: str, value) -> tuple[int, int]:
    """A scalar or an (H, W) pair of whole numbers, as a tuple."""
    arr = np.asarray(value).ravel()
    if arr.size not in (1, 2) or np.any(arr != np.round(arr)):
        raise GraphError(f"{where}: {name} {np.asarray(value).tolist()}; expected an integer or an (H, W) pair.")
    arr = np.broadcast_to(arr.astype(np.int64), (2,))
    return int(arr[0]), int(arr[1])


# ---------------------------------------------------------------------------- reading datasets
_MISSING = object()


def _read(group, key: str, where: str, default=_MISSING):
    """The value of dataset ``group[key]`` (``default`` when absent and given)."""
    if key not in group:
        if default is not _MISSING:
            return default
        raise GraphError(f"{where}: no '{key}' dataset; expected one, as lava-dl's export_hdf5 writes it.")
    item = group[key]
    if not isinstance(item, h5py.Dataset):
        raise GraphError(f"{where}: '{key}' is a group; expected a dataset.")
    return item[()]


def _text(value, where: str) -> str:
    """A string stored as bytes, str, or a one-element array of either."""
    arr = np.asarray(value)
    if arr.size != 1:
        raise GraphError(f"{where}: {arr.size} strings; expected one.")
    item = arr.ravel()[0]
    if not isinstance(item, bytes):
        return str(item)
    try:
        return item.decode("ascii")
    except UnicodeDecodeError:
        raise GraphError(f"{where}: {short(item)} is not ASCII text; expected a name such as 'dense'.") from None


def _integers(where: str, value) -> np.ndarray:
    """``value`` as int64 after checking every entry is a finite whole number."""
    try:
        arr = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise GraphError(f"{where}: {value!r} is not numeric; expected integers.") from None
    bad = arr[~np.isfinite(arr) | (arr != np.round(arr))]
    if bad.size:
        raise GraphError(f"{where}: non-integer values (e.g. {bad[0]}); "
                         f"expected integers (netx files hold Loihi's integers). Hint: re-export the "
                         f"network with lava-dl's quantised export_hdf5.")
    return arr.astype(np.int64)


def _scalar(where: str, value, low: int, high: int | None) -> int:
    """One integer in ``[low, high]`` (``high`` None: unbounded)."""
    arr = _integers(where, value)
    if arr.size != 1:
        raise GraphError(f"{where}: {arr.size} values; expected one scalar (netx takes one value per layer).")
    number = int(arr.ravel()[0])
    if number < low or (high is not None and number > high):
        top = "" if high is None else f", {high}"
        raise GraphError(f"{where}: {number}; expected an integer in [{low}{top}].")
    return number


def _shape(group, where: str) -> tuple[int, int, int]:
    """The layer's neuron shape as (C, H, W): (N,) -> (N, 1, 1), (H, W) -> (1, H, W)."""
    dims = _integers(f"{where}/shape", _read(group, "shape", where)).ravel().tolist()
    if not 1 <= len(dims) <= 3 or min(dims) < 1:
        raise GraphError(f"{where}/shape: {dims}; expected 1 to 3 positive sizes (C, H, W).")
    if len(dims) == 2:
        return (1, *dims)
    return tuple(dims + [1] * (3 - len(dims)))


# ---------------------------------------------------------------------------- neurons
def _neuron_config(group, where: str, default: Mapping | None = None) -> dict:
    """The layer's ``neuron`` group as a dict of values (netx's default when absent and given)."""
    if "neuron" not in group:
        if default is None:
            raise GraphError(f"{where}: no 'neuron' group; expected one (netx reads it for this layer).")
        return dict(default)
    sub = group["neuron"]
    if not isinstance(sub, h5py.Group):
        raise GraphError(f"{where}/neuron: a dataset; expected a group.")
    return {key: sub[key][()] for key in sub if isinstance(sub[key], h5py.Dataset)}


def _neuron(config: Mapping, where: str) -> tuple[str, dict]:
    """``(model, IR parameters)`` of a neuron configuration (:data:`_NEURON_READERS`)."""
    where = f"{where}/neuron"
    if "type" not in config:
        raise GraphError(f"{where}: no 'type'; expected one of {', '.join(NEURON_TYPES)}.")
    kind = _text(config["type"], f"{where}/type")
    if kind not in NEURON_TYPES:
        raise UnsupportedError(f"{where}: neuron type '{kind}' is not supported; supported: "
                               f"{', '.join(NEURON_TYPES)} (Loihi CUBA LIF, sigma-delta). Hint: resonate-and-fire "
                               f"neurons have no hwsim model.")
    return _NEURON_READERS[kind](config, where)


def _sdnn(config: Mapping, where: str) -> tuple[str, dict]:
    """An SDNN neuron as netx builds it: ``SigmaDelta(vth = vThMant, spike_exp 6, state_exp 6)`` with Lava's
    default ReLU activation (netx does not read ``activation``), or with ``sigma_output`` a ``Sigma`` (the
    summed input, as a sigma-delta neuron with threshold 0, no activation and no exponents)."""
    if bool(np.any(config.get("sigma_output", False))):
        return "sigma_delta", {"v_th": 0.0, "relu": 0.0}
    if "vThMant" not in config:
        raise GraphError(f"{where}: no 'vThMant'; expected the delta threshold of an SDNN neuron.")
    v_th = _scalar(f"{where}/vThMant", config["vThMant"], 0, None)
    return "sigma_delta", {"v_th": float(v_th), "spike_exp": SDNN_SPIKE_EXP, "state_exp": SDNN_STATE_EXP}


def _message_bits(config: Mapping, where: str) -> int | None:
    """The payload bits of a layer's spikes as netx passes them on (``num_message_bits``): None for binary
    (CUBA) neurons, ``messageBits`` (default 16) for SDNN neurons."""
    if _text(config.get("type", "CUBA"), f"{where}/neuron/type") != "SDNN":
        return None
    return _scalar(f"{where}/neuron/messageBits", config.get("messageBits", SDNN_MESSAGE_BITS), 1, 64)


def _cuba(config: Mapping, where: str) -> tuple[str, dict]:
    """A CUBA / LOIHI neuron: ``lif``, or ``li`` when its threshold is out of reach."""
    if bool(np.any(config.get("gradedSpike", False))) or int(np.max(config.get("messageBits", 0))) > 0:
        raise UnsupportedError(f"{where}: graded spikes are not supported; expected binary spikes "
                               f"(gradedSpike false, messageBits 0).")
    for key in ("iDecay", "vDecay", "vThMant"):
        if key not in config:
            raise GraphError(f"{where}: no '{key}'; expected iDecay, vDecay and vThMant.")
    i_decay = _scalar(f"{where}/iDecay", config["iDecay"], 0, DECAY_UNIT)
    v_decay = _scalar(f"{where}/vDecay", config["vDecay"], 0, DECAY_UNIT)
    v_th = _scalar(f"{where}/vThMant", config["vThMant"], 0, None)
    ref = _scalar(f"{where}/refDelay", config.get("refDelay", 1), 0, None)
    if ref > 1:
        raise UnsupportedError(f"{where}: refDelay {ref}; supported: 0 or 1 (no refractory period). netx "
                               f"ignores refDelay and Lava's LIF has none.")
    params = {"decay_syn": i_decay / DECAY_UNIT, "decay_mem": v_decay / DECAY_UNIT}
    if v_th >= V_TH_MANT_LIMIT:
        return "li", params
    return "lif", {**params, "v_th": float(v_th)}


_NEURON_READERS = {"CUBA": _cuba, "LOIHI": _cuba, "SDNN": _sdnn}


def _bias(group, where: str, n_neurons: int, per_channel: int | None = None) -> np.ndarray:
    """Per-neuron bias integers: scalar or per neuron (dense), per output channel (conv)."""
    if "bias" not in group:
        return np.zeros(n_neurons)
    bias = _integers(f"{where}/bias", _read(group, "bias", where)).ravel()
    if bias.size and (bias.min() < BIAS_RANGE[0] or bias.max() > BIAS_RANGE[1]):
        raise UnsupportedError(f"{where}/bias: values in [{bias.min()}, {bias.max()}]; supported: Loihi's "
                               f"13-bit bias mantissa [{BIAS_RANGE[0]}, {BIAS_RANGE[1]}] (bias_exp 6).")
    if per_channel is not None:
        if bias.size != per_channel:
            raise GraphError(f"{where}/bias: {bias.size} values; expected one per output channel ({per_channel}).")
        return np.repeat(bias, n_neurons // per_channel).astype(np.float64)
    if bias.size not in (1, n_neurons):
        raise GraphError(f"{where}/bias: {bias.size} values; expected 1 or one per neuron ({n_neurons}).")
    return np.broadcast_to(bias, (n_neurons,)).astype(np.float64)


# ---------------------------------------------------------------------------- weights and delays
def _synapse_range(where: str, weight: np.ndarray) -> np.ndarray:
    """Check integer weights fit Loihi's 8-bit synapse (mixed [-256, 254], else |w| <= 255)."""
    if not weight.size:
        return weight
    low, high = (-256, 254) if weight.min() < 0 < weight.max() else (-255, 255)
    if weight.min() < low or weight.max() > high:
        raise UnsupportedError(f"{where}: weights in [{weight.min()}, {weight.max()}]; supported: Loihi's 8-bit "
                               f"synapse, [{low}, {high}] for these signs (netx would clip or mis-shift them).")
    return weight


def _weight(group, key: str, where: str, n_out: int) -> np.ndarray:
    """A dense layer's integer weight matrix ``(n_out, n_in)``."""
    if key in group and isinstance(group[key], h5py.Group):
        raise UnsupportedError(f"{where}: complex weights ('{key}/real', '{key}/imag') are not supported; "
                               f"expected a real '{key}' dataset.")
    weight = _integers(f"{where}/{key}", _read(group, key, where))
    if weight.ndim == 1 and weight.size % n_out == 0:
        weight = weight.reshape(n_out, -1)
    if weight.ndim != 2 or weight.shape[0] != n_out:
        raise GraphError(f"{where}/{key}: shape {weight.shape}; expected ({n_out}, inputs) for {n_out} neurons.")
    return _synapse_range(f"{where}/{key}", weight)


def _delays(group, where: str, shape: tuple[int, int]) -> np.ndarray:
    """IR delays ``(n_out, n_in)`` (netx delay + 1), broadcast as netx does; 1 without a delay."""
    if "delay" not in group:
        return np.asarray(1, dtype=np.int64)
    delay = _integers(f"{where}/delay", _read(group, "delay", where))
    if delay.size and delay.min() < 0:
        raise GraphError(f"{where}/delay: {delay.min()}; expected delays >= 0.")
    if delay.size and delay.max() > MAX_DELAY:
        warnings.warn(f"{where}/delay: found a delay of {delay.max()}; clipped to {MAX_DELAY} as netx does.",
                      stacklevel=4)
        delay = np.minimum(delay, MAX_DELAY)
    if delay.ndim == 0 or delay.shape == shape:
        return np.broadcast_to(delay, shape) + 1
    if delay.ndim == 1 and delay.size == shape[0]:
        return np.repeat(delay.reshape(-1, 1), shape[1], axis=1) + 1
    if delay.ndim == 1 and delay.size == shape[1]:
        return np.repeat(delay.reshape(1, -1), shape[0], axis=0) + 1
    raise GraphError(f"{where}/delay: shape {delay.shape}; expected a scalar, {shape}, ({shape[0]},) per output "
                     f"or ({shape[1]},) per input.")


def _check_count(group, key: str, where: str, expected: int) -> None:
    """If ``group`` records ``key`` (inFeatures, outChannels, ...), it must equal ``expected``."""
    if key in group:
        found = _scalar(f"{where}/{key}", _read(group, key, where), 0, None)
        if found != expected:
            raise GraphError(f"{where}/{key}: {found}; expected {expected} (from the weights and shapes).")


# ---------------------------------------------------------------------------- building the graph
@dataclass
class _Chain:
    """Where the next layer connects: the feeding node, its (C, H, W), whether it is a conv
    layer and whether a flatten layer followed it."""

    graph: Graph
    drop_input_neurons: bool
    input_bias: np.ndarray | None = None
    source: str | None = None
    shape: tuple[int, int, int] | None = None
    from_conv: bool = False
    flattened: bool = False
    state_scale: dict = field(default_factory=dict)
    last_model: str | None = None
    graded: dict = field(default_factory=dict)
    input_scale: dict = field(default_factory=dict)


def _add_population(chain: _Chain, name: str, config: Mapping, bias: np.ndarray, where: str) -> None:
    """Add a layer's neurons (one per bias entry) and record their state scale (LIF), or their payload bits and
    scale (sigma-delta), and the scale of their input."""
    model, params = _neuron(config, where)
    if model == "sigma_delta" and "spike_exp" not in params and np.any(bias != 0):
        raise UnsupportedError(f"{where}/bias: a bias on a sigma_output layer; netx's Sigma process has none.")
    chain.graph.add_population(name, bias.size, model, reset="value", bias=bias, **params)
    if model == "sigma_delta":
        # sigma takes a_in unshifted, at 2**(spike_exp + state_exp) state units per membrane unit
        chain.input_scale[name] = float(1 << (params.get("spike_exp", 0) + params.get("state_exp", 0)))
        chain.graded[name] = (_message_bits(config, where), float(1 << params.get("spike_exp", 0)))
    else:
        chain.input_scale[name] = 1.0         # 64 state units per membrane unit (pinned), a_in << 6
        chain.state_scale[name] = STATE_SCALE
    chain.last_model = model


def _weight_terms(chain: _Chain, source: str, target: str) -> tuple[float, dict]:
    """The factor from netx's integer weights to IR weights of a projection ``source -> target`` (the
    source's payload scale over the target's input scale, so that hwsim's mantissas are netx's) and the
    projection's ``message_bits`` (a graded source's)."""
    bits, payload_scale = chain.graded.get(source, (None, 1.0))
    return payload_scale / chain.input_scale[target], {} if bits is None else {"message_bits": bits}


def _add_input(chain: _Chain, group, index: int, where: str) -> None:
    """An ``input`` layer: the graph's spike Input, in (C, H, W) order."""
    if chain.source is not None:
        raise GraphError(f"{where}: an input layer after other layers; expected it to be layer 0.")
    shape = _shape(group, where)
    if chain.input_bias is not None:
        _add_biased_input(chain, group, shape, where)
        return
    if "neuron" in group:
        if not chain.drop_input_neurons:
            raise UnsupportedError(
                f"{where}: an input layer with neurons; netx drives them through their bias (each sample sets "
                f"bias_mant from the layer's weight and bias), which hwsim's spike inputs cannot express. "
                f"Hint: import_netx(..., drop_input_neurons=True) feeds spikes in place of these neurons' spikes.")
        config = _neuron_config(group, where)
        chain.graph.metadata["netx_input_neurons"] = {
            "neuron": {k: np.asarray(v).tolist() if not isinstance(v, bytes) else v.decode("ascii")
                       for k, v in config.items()},
            "weight": _integers(f"{where}/weight", _read(group, "weight", where, 64)).ravel().tolist(),
            "bias": _integers(f"{where}/bias", _read(group, "bias", where, 0)).ravel().tolist()}
    chain.graph.add_input("input", int(np.prod(shape)))
    chain.source, chain.shape = "input", shape


def _add_biased_input(chain: _Chain, group, shape: tuple[int, int, int], where: str) -> None:
    """An ``input`` layer with neurons driven by one sample's bias (``import_netx(input_bias=...)``)."""
    if "neuron" not in group:
        raise GraphError(f"{where}: input_bias given for an input layer without neurons; expected an input "
                         f"layer with a 'neuron' group (netx drives only those through their bias).")
    bias = np.asarray(chain.input_bias)
    n = int(np.prod(shape))
    if bias.size != n or not np.issubdtype(bias.dtype, np.number) or not np.all(np.isfinite(bias)) \
            or not np.array_equal(bias, np.round(bias)):
        raise GraphError(f"{where}: input_bias {short(bias.shape)} of dtype {bias.dtype}; expected {n} finite "
                         f"integers, one per input neuron in (C, H, W) = {list(shape)} order.")
    bias = bias.astype(np.float64).ravel()
    if bias.min() < BIAS_RANGE[0] or bias.max() > BIAS_RANGE[1]:
        raise UnsupportedError(f"{where}: input_bias in [{bias.min():g}, {bias.max():g}]; supported: Loihi's "
                               f"13-bit bias mantissa [{BIAS_RANGE[0]}, {BIAS_RANGE[1]}] (bias_exp 6).")
    name = "layer0"
    _add_population(chain, name, _neuron_config(group, where), bias, where)
    chain.graph.metadata["netx_input_bias"] = "the input layer's neurons run on the chip, driven by the bias given"
    chain.source, chain.shape = name, shape


def _dense_inputs(chain: _Chain, where: str, n_in: int) -> None:
    """Make sure a dense layer with ``n_in`` inputs can follow ``chain`` (adding the Input if first)."""
    if chain.source is None:
        chain.graph.add_input("input", n_in)
        chain.source, chain.shape = "input", (n_in, 1, 1)
    if chain.from_conv and not chain.flattened:
        raise GraphError(f"{where}: a dense layer right after '{chain.source}' of shape {chain.shape}; expected a "
                         f"'flatten' layer between them (netx connects them only through flatten).")
    if int(np.prod(chain.shape)) != n_in:
        raise GraphError(f"{where}: weights take {n_in} inputs; expected {int(np.prod(chain.shape))} "
                         f"(the size of '{chain.source}', shape {chain.shape}).")


def _lava_precision(weight: np.ndarray) -> dict:
    """The precision netx hands Lava's Dense for these weights (:func:`optimize_weight_bits`) as IR projection
    fields: ``weight_bits``, ``weight_exp`` and ``sign_mode="auto"`` (netx leaves the sign mode to Lava's
    ``determine_sign_mode``); empty for weights netx cannot optimise (all zero), which hwsim then quantises
    by its own rule."""
    if not weight.size or not np.any(weight):
        return {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")          # the clipping netx warns about is reported by _synapse_range
        _, bits, exp, _ = optimize_weight_bits(weight)
    return {"weight_bits": bits, "weight_exp": exp, "sign_mode": "auto"} if 1 <= bits <= 8 else {}


def _add_dense(chain: _Chain, group, index: int, where: str, weight_rec: np.ndarray | None = None) -> None:
    """A ``dense`` layer: its neurons and a dense projection from the previous layer (with ``weight_rec``, a
    ``dense_rec`` layer's recurrent weights, whose exponent and bits netx optimises together with these)."""
    shape = _shape(group, where)
    n_out = int(np.prod(shape))
    weight = _weight(group, "weight", where, n_out)
    _dense_inputs(chain, where, weight.shape[1])
    _check_count(group, "inFeatures", where, weight.shape[1])
    _check_count(group, "outFeatures", where, n_out)
    name = f"layer{index}"
    _add_population(chain, name, _neuron_config(group, where, NETX_DEFAULT_NEURON), _bias(group, where, n_out), where)
    together = weight if weight_rec is None else np.hstack([weight, weight_rec])
    precision = _lava_precision(together)
    unit, graded = _weight_terms(chain, chain.source, name)
    chain.graph.add_projection(chain.source, name, weight.astype(np.float64) * unit,
                               delay_steps=_delays(group, where, weight.shape), **precision, **graded)
    if weight_rec is not None:
        unit, graded = _weight_terms(chain, name, name)
        chain.graph.add_projection(name, name, weight_rec.astype(np.float64) * unit, **precision, **graded)
    chain.source, chain.shape, chain.from_conv, chain.flattened = name, (n_out, 1, 1), False, False


def _add_dense_rec(chain: _Chain, group, index: int, where: str) -> None:
    """A ``dense_rec`` layer: a dense layer plus its projection to itself (``weight_rec``, delay 1)."""
    if "delay" in group:
        raise UnsupportedError(f"{where}: delays on a dense_rec layer are not supported (netx builds its "
                               f"delayed recurrent synapses without the weight exponent); expected no 'delay'.")
    if _message_bits(_neuron_config(group, where, NETX_DEFAULT_NEURON), where) is not None:
        raise UnsupportedError(f"{where}: a dense_rec layer of SDNN neurons is not supported (its recurrent synapse "
                               f"would carry graded spikes, which this importer does not check against netx); "
                               f"expected CUBA neurons.")
    n_out = int(np.prod(_shape(group, where)))
    weight_rec = _weight(group, "weight_rec", where, n_out)
    if weight_rec.shape != (n_out, n_out):
        raise GraphError(f"{where}/weight_rec: shape {weight_rec.shape}; expected ({n_out}, {n_out}).")
    _add_dense(chain, group, index, where, weight_rec)


def _conv_kernel(group, where: str, in_channels: int) -> tuple[np.ndarray, int]:
    """The conv kernel ``(Cout, Cin/groups, kH, kW)`` and ``groups``, checked against the input."""
    weight = _integers(f"{where}/weight", _read(group, "weight", where))
    if weight.ndim == 5 and weight.shape[-1] == 1:
        weight = weight[..., 0]
    if weight.ndim != 4:
        raise GraphError(f"{where}/weight: shape {weight.shape}; expected (Cout, Cin/groups, kH, kW).")
    groups = _scalar(f"{where}/groups", _read(group, "groups", where, 1), 1, None)
    if in_channels % groups or weight.shape[0] % groups or weight.shape[1] * groups != in_channels:
        raise GraphError(f"{where}/weight: shape {weight.shape} with groups={groups}; expected (Cout, "
                         f"{in_channels}/groups, kH, kW) with Cout and {in_channels} input channels divisible "
                         f"by groups.")
    _check_count(group, "inChannels", where, in_channels)
    _check_count(group, "outChannels", where, weight.shape[0])
    if "kernelSize" in group and _pair(where, "kernelSize", _read(group, "kernelSize", where)) != weight.shape[2:]:
        raise GraphError(f"{where}/kernelSize: {_read(group, 'kernelSize', where).tolist()}; expected "
                         f"{list(weight.shape[2:])} (the kernel's kH, kW).")
    return _synapse_range(f"{where}/weight", weight), groups


def _add_conv(chain: _Chain, group, index: int, where: str) -> None:
    """A ``conv`` layer: its (C, H, W) neurons and the convolution as a sparse projection."""
    if chain.source is None:
        raise GraphError(f"{where}: the input shape of the first conv layer is unknown; expected an 'input' "
                         f"layer with its (C, H, W) shape before it.")
    if chain.flattened:
        raise GraphError(f"{where}: a conv layer after 'flatten'; expected a dense layer after flatten.")
    if "delay" in group:
        raise UnsupportedError(f"{where}: delays on conv layers are not supported (netx ignores them, so Lava "
                               f"would not run the trained delays); expected no 'delay'.")
    weight, groups = _conv_kernel(group, where, chain.shape[0])
    geometry = [_pair(where, key, _read(group, key, where, default))
                for key, default in (("stride", 1), ("padding", 0), ("dilation", 1))]
    pre, post, w, out_shape = conv_to_sparse(weight, chain.shape, *geometry, groups=groups)
    shape = _shape(group, where)
    if shape != out_shape:
        raise GraphError(f"{where}/shape: {list(shape)}; expected {list(out_shape)} (C, H, W) from the input "
                         f"{list(chain.shape)}, kernel, stride, padding and dilation.")
    name = f"layer{index}"
    n_out = int(np.prod(shape))
    _add_population(chain, name, _neuron_config(group, where), _bias(group, where, n_out, shape[0]), where)
    unit, graded = _weight_terms(chain, chain.source, name)
    chain.graph.add_projection(chain.source, name, w * unit, pre_index=pre, post_index=post, **graded)
    chain.source, chain.shape, chain.from_conv = name, shape, True


def _add_flatten(chain: _Chain, group, index: int, where: str) -> None:
    """A ``flatten`` layer: no node; it allows a dense layer after a conv layer."""
    if chain.source is None:
        raise GraphError(f"{where}: flatten as the first layer; expected an input, dense or conv layer before it.")
    if "shape" in group and int(np.prod(_shape(group, where))) != int(np.prod(chain.shape)):
        raise GraphError(f"{where}/shape: {int(np.prod(_shape(group, where)))} neurons; expected "
                         f"{int(np.prod(chain.shape))} (the layer it flattens).")
    chain.flattened = True


_BUILDERS = {"input": _add_input, "dense": _add_dense, "dense_rec": _add_dense_rec, "conv": _add_conv,
             "flatten": _add_flatten}


def _layer_groups(handle, where: str) -> list:
    """The ``/layer/<i>`` groups in index order, checking they are numbered 0..n-1."""
    if "layer" not in handle or not isinstance(handle["layer"], h5py.Group):
        raise GraphError(f"{where}: no '/layer' group; expected a lava-dl netx file (/layer/0, /layer/1, ...).")
    names = list(handle["layer"].keys())
    if not names or sorted(names) != sorted(str(i) for i in range(len(names))):
        raise GraphError(f"{where}/layer: entries {sorted(names)}; expected layers numbered 0..n-1.")
    groups = [handle["layer"][str(i)] for i in range(len(names))]
    for index, group in enumerate(groups):
        if not isinstance(group, h5py.Group):
            raise GraphError(f"{where}/layer/{index}: a dataset; expected a group of the layer's datasets.")
    return groups


def _simulation_steps(handle, where: str) -> dict:
    """``{"n_steps": tSample // Ts}`` when ``/simulation`` records both, else ``{}``."""
    sim = handle.get("simulation")
    if not isinstance(sim, h5py.Group) or not {"Ts", "tSample"} <= set(sim.keys()):
        return {}
    ts = float(np.asarray(sim["Ts"][()]).ravel()[0])
    t_sample = float(np.asarray(sim["tSample"][()]).ravel()[0])
    if not (ts > 0 and t_sample >= ts):
        raise GraphError(f"{where}/simulation: Ts={ts}, tSample={t_sample}; expected 0 < Ts <= tSample.")
    return {"n_steps": int(t_sample // ts)}


def _open(path: Path) -> h5py.File:
    """Open ``path`` for reading, or raise a GraphError saying why it cannot be a netx file."""
    expected = "a lava-dl netx .net (HDF5) file"
    check_hdf5(path, GraphError, expected)
    try:
        return h5py.File(path, "r")
    except OSError as exc:
        raise GraphError(f"{cut(path)}: not a readable HDF5 file ({cut(exc, 100)}); "
                         f"expected {expected}.") from None


def import_netx(path: str | Path, dt_s: float = 1e-3, drop_input_neurons: bool = False,
                input_bias=None) -> Graph:
    """Read a lava-dl netx ``.net`` file into an IR :class:`~hwsim.ir.Graph`.

    Parameters
    ----------
    path : str or Path
        The HDF5 file.
    dt_s : float
        Seconds per step (netx's ``Ts`` has no unit).
    drop_input_neurons : bool
        Import an input layer that has neurons as a plain spike input (see the module doc).
    input_bias : array_like, optional
        Integers, one per neuron of an input layer that has neurons, in (C, H, W) order: the bias
        ``bias_mant`` that netx sets for one sample (lava-dl's PilotNet: ``net.in_layer.neuron.bias =
        image``). The input layer is then imported as a population ``layer0`` with that bias and the
        graph has no Input: it runs the one sample for as many steps as asked, as netx does.

    Returns
    -------
    Graph
        A validated graph: ``input`` -> ``layer<i>`` (netx layer index) -> ... -> ``output``.
        ``metadata["state_scale"]`` maps each population to 64.0 Lava state units per membrane unit.

    Raises
    ------
    UnsupportedError
        A layer, neuron or value netx allows but hwsim cannot represent.
    GraphError
        A malformed file.
    """
    path = Path(path)
    with _open(path) as handle:
        layers = _layer_groups(handle, str(path))
        graph = Graph(path.stem, dt_s, metadata={"source": "lava-dl netx", **_simulation_steps(handle, str(path))})
        if input_bias is not None and drop_input_neurons:
            raise SpecError(f"{path}: input_bias and drop_input_neurons both given; expected one of them "
                            f"(input_bias keeps the input neurons, drop_input_neurons replaces them).")
        chain = _Chain(graph, drop_input_neurons, None if input_bias is None else np.asarray(input_bias))
        for index, group in enumerate(layers):
            where = f"{path}: layer {index}"
            kind = _text(_read(group, "type", where), f"{where}/type")
            builder = _BUILDERS.get(kind)
            if builder is None:
                raise UnsupportedError(f"{where} ({kind}): layer type '{kind}' is not supported; "
                                       f"{one_of(kind, _BUILDERS)} Hint: netx itself implements none of pool, "
                                       f"convT, unpool, average and concat.")
            builder(chain, group, index, f"{where} ({kind})")
    if chain.flattened:
        raise GraphError(f"{path}: the last layer is 'flatten'; expected a dense layer after it.")
    if chain.last_model is None:
        raise GraphError(f"{path}: no dense or conv layer; expected at least one layer of neurons.")
    graph.metadata["state_scale"] = chain.state_scale
    graph.add_output("output", chain.source, "spike_count" if chain.last_model == "lif" else "v_final")
    return graph.validate()


# ---------------------------------------------------------------------------- writing files
def sdnn_neuron(v_th_mant: int, message_bits: int | None = None, sigma_output: bool = False) -> dict:
    """A ``neuron`` group of an SDNN layer as lava-dl writes it (``activation`` relu, which netx ignores)."""
    neuron = {"type": "SDNN", "activation": "relu", "vThMant": int(v_th_mant)}
    if message_bits is not None:
        neuron["messageBits"] = int(message_bits)
    if sigma_output:
        neuron["sigma_output"] = True
    return neuron


def cuba_neuron(i_decay: int, v_decay: int, v_th_mant: int, ref_delay: int = 1, graded_spike: bool = False,
                kind: str = "CUBA") -> dict:
    """A ``neuron`` group as SLAYER's CUBA ``device_params`` writes it."""
    return {"type": kind, "iDecay": int(i_decay), "vDecay": int(v_decay), "vThMant": int(v_th_mant),
            "refDelay": int(ref_delay), "gradedSpike": bool(graded_spike)}


def input_layer(shape: Sequence[int], neuron: Mapping | None = None, weight: float | None = None,
                bias: float | None = None) -> dict:
    """An ``input`` layer of neuron ``shape`` (C, H, W) or (N,), optionally with neurons and a transform."""
    layer = {"type": "input", "shape": np.asarray(shape, dtype=np.int64)}
    if neuron is not None:
        layer["neuron"] = dict(neuron)
    if weight is not None:
        layer["weight"] = np.float32(weight)
    if bias is not None:
        layer["bias"] = np.float32(bias)
    return layer


def dense_layer(weight, neuron: Mapping | None = None, bias=None, delay=None, weight_rec=None) -> dict:
    """A ``dense`` layer (``dense_rec`` when ``weight_rec`` is given); weights ``(out, in)`` as float32."""
    weight = np.asarray(weight, dtype=np.float32)
    layer = {"type": "dense" if weight_rec is None else "dense_rec",
             "shape": np.asarray([weight.shape[0]], dtype=np.int64),
             "inFeatures": weight.shape[1], "outFeatures": weight.shape[0], "weight": weight}
    if neuron is not None:
        layer["neuron"] = dict(neuron)
    for key, value in (("bias", bias), ("delay", delay), ("weight_rec", weight_rec)):
        if value is not None:
            layer[key] = np.asarray(value, dtype=np.float32)
    return layer


def conv_layer(weight, in_shape: Sequence[int], neuron: Mapping, bias=None, stride=1, padding=0, dilation=1,
               groups: int = 1, delay=None) -> dict:
    """A ``conv`` layer with kernel ``(Cout, Cin/groups, kH, kW)`` on an input of (C, H, W) ``in_shape``."""
    weight = np.asarray(weight, dtype=np.float32)
    geometry = [_pair("conv_layer", name, value) for name, value in
                (("stride", stride), ("padding", padding), ("dilation", dilation))]
    out_hw = conv_output_shape(in_shape, weight.shape[2:], *geometry)
    layer = {"type": "conv", "shape": np.asarray([weight.shape[0], *out_hw], dtype=np.int64),
             "inChannels": int(in_shape[0]), "outChannels": weight.shape[0],
             "kernelSize": np.asarray(weight.shape[2:], dtype=np.int64),
             "stride": np.asarray(geometry[0]), "padding": np.asarray(geometry[1]),
             "dilation": np.asarray(geometry[2]), "groups": int(groups), "weight": weight, "neuron": dict(neuron)}
    for key, value in (("bias", bias), ("delay", delay)):
        if value is not None:
            layer[key] = np.asarray(value, dtype=np.float32)
    return layer


def flatten_layer(shape: Sequence[int]) -> dict:
    """A ``flatten`` layer; ``shape`` is its output, e.g. ``(C*H*W, 1, 1)``."""
    return {"type": "flatten", "shape": np.asarray(shape, dtype=np.int64)}


def _write_group(group, entries: Mapping) -> None:
    """Write ``entries`` into an HDF5 group; nested mappings become subgroups."""
    for key, value in entries.items():
        if isinstance(value, Mapping):
            _write_group(group.create_group(key), value)
        elif key == "type" and group.name.endswith("/neuron"):
            group.create_dataset(key, data=str(value))                 # scalar string, as lava-dl writes it
        elif key == "type":
            group.create_dataset(key, (1,), "S10", [str(value).encode("ascii")])
        else:
            group.create_dataset(key, data=value)


def write_netx(path: str | Path, layers: Sequence[Mapping], ts: int = 1, t_sample: int | None = None) -> Path:
    """Write ``layers`` (from :func:`input_layer`, :func:`dense_layer`, ... or any mappings) as a netx file.

    Parameters
    ----------
    path : str or Path
        Destination ``.net`` file (overwritten).
    layers : sequence of mapping
        One mapping of dataset name to value per layer; a nested mapping becomes a group
        (``neuron``). A layer's ``type`` is written as lava-dl does: ``(1,)`` ``S10`` bytes; the
        neuron's ``type`` as a scalar string.
    ts, t_sample : int
        ``/simulation/Ts`` and ``/simulation/tSample`` (no simulation group when ``t_sample`` is None).

    Returns
    -------
    Path
        The file written.
    """
    path = Path(path)
    with h5py.File(path, "w") as handle:
        for index, layer in enumerate(layers):
            _write_group(handle.create_group(f"layer/{index}"), layer)
        if t_sample is not None:
            handle.create_dataset("simulation/Ts", data=ts)
            handle.create_dataset("simulation/tSample", data=t_sample)
    return path
