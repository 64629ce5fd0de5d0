"""Run a lava-dl netx file in Lava the way netx builds it: the oracle for hwsim's netx import.

Meant for the Lava environment (``python -m hwsim.interop.lava_env`` builds ``.venv-lava``)::

    .venv-lava/bin/python tests/lava_netx_oracle.py NET.net SPIKES.npz OUT.npz

It reads the file with h5py alone and builds what ``lava.lib.dl.netx.hdf5.Network`` (lava-dl
0.6.0) would, without needing lava-dl: per layer a ``Dense`` (``DelayDense`` with ``max_delay=62``
when the layer has delays) fed with netx's ``optimize_weight_bits`` weights, ``weight_exp`` and
``num_weight_bits`` (the rule is reproduced in :func:`hwsim.interop.netx.optimize_weight_bits`),
or a ``Conv`` with the flipped kernel in (W, H, C) order, and a ``LIF`` with ``vth = vThMant``,
``du = iDecay - 1``, ``dv = vDecay``, ``bias_mant = bias``, ``bias_exp = 6``; an SDNN layer a
``SigmaDelta(vth = vThMant, bias, spike_exp = 6, state_exp = 6)`` (a ``Sigma`` with ``sigma_output``), and
the synapse after it ``num_message_bits = messageBits`` (default 16). A ``dense_rec``
layer also gets its recurrent ``Dense`` (weights optimised together with the forward ones).
An input layer only gives the input's shape: its neurons, if any, are skipped, as
``import_netx(..., drop_input_neurons=True)`` does, unless ``SPIKES.npz`` also holds ``input_bias``
(one integer per input neuron, (C, H, W) order): then the input layer is netx's ``Input`` block, a
``LIF`` whose ``bias_mant`` is that bias (as lava-dl's PilotNet sets ``net.in_layer.neuron.bias``),
reported as ``layer0``, and the raster only gives the number of steps. It runs
``Loihi2SimCfg(select_tag="fixed_pt")``.

``SPIKES.npz`` holds ``spikes``: a 0/1 raster ``(T, n_inputs)`` in hwsim's input order
((C, H, W) row-major). ``OUT.npz`` gets, for every layer ``i`` with neurons, ``layer<i>_spikes``
``(T, n)`` and ``layer<i>_u``, ``layer<i>_v`` ``(n,)`` after the last step, all in hwsim's (C, H, W)
neuron order (an SDNN layer: ``_spikes`` holds its payloads, ``_u`` its sigma, ``_v`` its activation and
``layer<i>_residue``, ``layer<i>_error`` the rest of its state; a Sigma layer: ``_u`` and ``_v`` its sigma). Column ``t`` of a Lava sink is hwsim's step ``t``. hwsim (which lava_env installs
there) provides the weight rule; h5py must be installed there too.
"""
from __future__ import annotations

import sys
import h5py
import numpy as np
from lava.magma.core.run_conditions import RunSteps
from lava.magma.core.run_configs import Loihi2SimCfg
from lava.proc.conv.process import Conv
from lava.proc.dense.process import DelayDense, Dense
from lava.proc.io.sink import RingBuffer as Sink
from lava.proc.io.source import RingBuffer as Source
from lava.proc.lif.process import LIF
from lava.proc.sdn.process import Sigma, SigmaDelta

from hwsim.interop.netx import (NETX_DEFAULT_NEURON, SDNN_MESSAGE_BITS, SDNN_SPIKE_EXP, SDNN_STATE_EXP,
                                optimize_weight_bits)


def _value(group, key, default=None):
    return group[key][()] if key in group else default


def _text(value) -> str:
    item = np.asarray(value).ravel()[0]
    return item.decode("ascii") if isinstance(item, bytes) else str(item)


def _pair(value) -> tuple[int, int]:
    """(H, W) from the file as Lava's (X, Y) = (W, H)."""
    h, w = np.broadcast_to(np.asarray(value).ravel(), (2,))
    return int(w), int(h)


def _neuron(group, shape: tuple, bias: np.ndarray):
    """The layer's neuron process and the num_message_bits of the synapses it feeds."""
    neuron = ({k: group["neuron"][k][()] for k in group["neuron"]} if "neuron" in group
              else NETX_DEFAULT_NEURON)
    if _text(neuron["type"]) != "SDNN":
        return LIF(shape=shape, vth=int(neuron["vThMant"]), du=int(neuron["iDecay"]) - 1, dv=int(neuron["vDecay"]),
                   bias_mant=bias.astype(np.int32), bias_exp=6), 0
    bits = int(neuron.get("messageBits", SDNN_MESSAGE_BITS))
    if "sigma_output" in neuron:
        return Sigma(shape=shape), bits
    return SigmaDelta(shape=shape, vth=int(neuron["vThMant"]), bias=bias.astype(np.int32), spike_exp=SDNN_SPIKE_EXP,
                      state_exp=SDNN_STATE_EXP), bits


def _dense(group, n_out: int, message_bits: int) -> tuple[Dense, Dense | None]:
    """The layer's synapse (and recurrent synapse for dense_rec), as netx parameterises them."""
    weight = group["weight"][()].astype(int).reshape(n_out, -1)
    n_in = weight.shape[1]
    if "weight_rec" in group:
        weight = np.hstack([weight, group["weight_rec"][()].astype(int).reshape(n_out, -1)])
    weight, num_weight_bits, weight_exp, _ = optimize_weight_bits(weight)
    args = {"weight_exp": weight_exp, "num_weight_bits": num_weight_bits, "num_message_bits": message_bits}
    recurrent = Dense(weights=weight[:, n_in:], **args) if weight.shape[1] > n_in else None
    if "delay" not in group:
        return Dense(weights=weight[:, :n_in], **args), recurrent
    delay = np.clip(np.asarray(group["delay"][()]), 0, 62)
    if delay.ndim == 1:
        delay = (delay.reshape(-1, 1) if delay.size == n_out else delay.reshape(1, -1)) * np.ones((n_out, n_in))
    delay = np.broadcast_to(delay, (n_out, n_in)).astype(int)
    return DelayDense(weights=weight[:, :n_in], delays=delay, max_delay=62, **args), recurrent


def _conv(group, in_shape: tuple, message_bits: int) -> tuple[Conv, tuple]:
    weight = group["weight"][()].astype(int)
    weight = weight.reshape(weight.shape[:4])[:, :, ::-1, ::-1].transpose(0, 3, 2, 1)
    conv = Conv(weight=weight, input_shape=in_shape, stride=_pair(_value(group, "stride", 1)),
                padding=_pair(_value(group, "padding", 0)), dilation=_pair(_value(group, "dilation", 1)),
                groups=int(_value(group, "groups", 1)), num_message_bits=message_bits)
    return conv, tuple(int(n) for n in group["shape"][()][::-1])


def build(handle: h5py.File, n_steps: int, raster: np.ndarray, input_bias: np.ndarray | None = None):
    """The source and, per layer, ``(name, lif, sink, is_conv)``, wired as netx wires them."""
    layers = [handle["layer"][str(i)] for i in range(len(handle["layer"]))]
    shape, port, flatten, after_conv, message_bits = None, None, False, False, 0
    source, built = None, []
    for index, group in enumerate(layers):
        kind = _text(group["type"][()])
        if kind == "input":
            shape = tuple(int(n) for n in group["shape"][()][::-1])         # (W, H, C)
            if input_bias is not None:
                bias = input_bias.reshape(shape[::-1]).transpose(2, 1, 0)      # (C, H, W) -> (W, H, C)
                source, message_bits = _neuron(group, shape, bias)
                sink = Sink(shape=shape, buffer=n_steps)
                source.s_out.connect(sink.a_in)
                built.append((f"layer{index}", source, sink, True))
                port, after_conv = source.s_out, True
            continue
        if kind == "flatten":
            flatten = True
            continue
        if source is None:
            data = raster.T if kind == "dense" else raster.reshape(n_steps, *shape[::-1]).transpose(3, 2, 1, 0)
            source = Source(data=data)
            port = source.s_out
        if kind == "conv":
            synapse, shape = _conv(group, shape, message_bits)
            recurrent = None
        else:
            n_out = int(np.prod(group["shape"][()]))
            synapse, recurrent = _dense(group, n_out, message_bits)
            shape = (n_out,)
            if flatten and after_conv:
                port = port.transpose([2, 1, 0]).flatten()
        bias = np.zeros(shape)
        if "bias" in group:
            bias[...] = group["bias"][()].astype(int).reshape(-1)   # per neuron, or per channel (last axis)
        lif, message_bits = _neuron(group, shape, bias)
        port.connect(synapse.s_in)
        synapse.a_out.connect(lif.a_in)
        if recurrent is not None:
            lif.s_out.connect(recurrent.s_in)
            recurrent.a_out.connect(lif.a_in)
        sink = Sink(shape=shape, buffer=n_steps)
        lif.s_out.connect(sink.a_in)
        built.append((f"layer{index}", lif, sink, kind == "conv"))
        port, flatten, after_conv = lif.s_out, False, kind == "conv"
    return source, built


def _hwsim_order(values: np.ndarray, is_conv: bool) -> np.ndarray:
    """(W, H, C[, T]) -> (C*H*W[, T]) in (C, H, W) row-major order."""
    if not is_conv:
        return values
    axes = (2, 1, 0) + tuple(range(3, values.ndim))
    moved = values.transpose(axes)
    return moved.reshape(-1, *moved.shape[3:])


def main(net_path: str, spikes_path: str, out_path: str) -> None:
    with np.load(spikes_path) as given:
        raster = given["spikes"].astype(int)
        input_bias = given["input_bias"].astype(int) if "input_bias" in given.files else None
    n_steps = raster.shape[0]
    with h5py.File(net_path, "r") as handle:
        source, built = build(handle, n_steps, raster, input_bias)
    source.run(condition=RunSteps(num_steps=n_steps), run_cfg=Loihi2SimCfg(select_tag="fixed_pt"))
    out = {}
    for name, lif, sink, is_conv in built:
        out[f"{name}_spikes"] = _hwsim_order(sink.data.get(), is_conv).T.astype(np.int64)
        state = {"u": "u", "v": "v"} if isinstance(lif, LIF) else (
            {"u": "sigma", "v": "sigma"} if isinstance(lif, Sigma) else
            {"u": "sigma", "v": "act", "residue": "residue", "error": "error"})
        for key, var in state.items():
            out[f"{name}_{key}"] = _hwsim_order(getattr(lif, var).get(), is_conv).astype(np.int64)
    source.stop()
    np.savez(out_path, **out)
    print(f"{net_path}: {n_steps} steps, " + ", ".join(f"{k} {int(v.sum())}" for k, v in out.items()
                                                         if k.endswith("_spikes")))


if __name__ == "__main__":
    if len(sys.argv) != 4:
        raise SystemExit(__doc__)
    main(*sys.argv[1:])
