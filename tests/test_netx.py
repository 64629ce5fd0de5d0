"""lava-dl netx import: graphs, conv lowering, Lava's integers, and every refused input.

The Lava side is written here independently of the importer: netx's weight rule
(:func:`hwsim.interop.netx.optimize_weight_bits`) followed by Lava 0.10's ``Dense`` weight
preprocessing (``clip_weights``, ``truncate_weights``) and a plain-numpy run of Lava's fixed-point
``Dense`` / ``DelayDense`` / ``Conv`` / ``LIF`` models (``/work/shared/reference/formats.md`` §1).
"""
import subprocess
import warnings
from pathlib import Path

import h5py
import numpy as np
import pytest

from hwsim import quantize
from hwsim.chips import load_chip
from hwsim.errors import GraphError, SpecError, UnsupportedError
from hwsim.interop.netx import (conv_layer, conv_to_sparse, cuba_neuron, dense_layer, flatten_layer,
                                import_netx, input_layer, optimize_weight_bits, sdnn_neuron, write_netx)
from hwsim.interop.lava_env import lava_python
from hwsim.lowering import lower_spiking
from hwsim.mapping import map_graph
from hwsim.simulate import simulate_spiking
from lava_networks import graded_chip

LOIHI = load_chip("loihi")
NETX_ORACLE = Path(__file__).with_name("lava_netx_oracle.py")
NEURON = cuba_neuron(i_decay=1024, v_decay=512, v_th_mant=40)
READOUT = cuba_neuron(i_decay=2048, v_decay=0, v_th_mant=(1 << 18) - 1)   # SLAYER's non-spiking readout


# ---------------------------------------------------------------------------- quantiser
@pytest.fixture
def loihi_quantize():
    """``quantize_spiking`` for chips/loihi.yaml (it honours ``metadata['state_scale']``)."""
    return lambda graph: quantize.quantize_spiking(graph, LOIHI)


def test_quantiser_honours_state_scale(tmp_path):
    graph = import_netx(write_netx(tmp_path / "n.net", [input_layer((3,)), dense_layer(np.ones((2, 3)), NEURON)]))
    assert [p.scale for p in quantize.quantize_spiking(graph, LOIHI).populations] == [64.0]


# ---------------------------------------------------------------------------- Lava's side
def _lava_weights(weight: np.ndarray) -> tuple[np.ndarray, int]:
    """Lava's effective integer weights and weight_exp for a netx dense layer."""
    shifted, num_weight_bits, weight_exp, _ = optimize_weight_bits(weight)
    inhibitory = shifted.max() <= 0 and shifted.min() < 0          # Lava's determine_sign_mode
    mixed = shifted.min() < 0 < shifted.max()
    w = -shifted if inhibitory else shifted.copy()
    w = np.clip(w, -256 * mixed, 255)                                 # clip_weights(num_bits=8)
    k = 8 - num_weight_bits + mixed                                   # truncate_weights
    w = (w >> k) << k
    return (-w if inhibitory else w), weight_exp


def _numpy_conv(x, w, stride, padding, dilation, groups):
    """Direct cross-correlation of ``x (C, H, W)`` with ``w (Cout, Cin/groups, kH, kW)``."""
    c_out, c_group, k_h, k_w = w.shape
    xp = np.pad(x, ((0, 0), (padding[0], padding[0]), (padding[1], padding[1])))
    h_out = (xp.shape[1] - dilation[0] * (k_h - 1) - 1) // stride[0] + 1
    w_out = (xp.shape[2] - dilation[1] * (k_w - 1) - 1) // stride[1] + 1
    y = np.zeros((c_out, h_out, w_out), dtype=np.int64)
    for co in range(c_out):
        first = (co // (c_out // groups)) * c_group
        for ci in range(c_group):
            for i in range(k_h):
                for j in range(k_w):
                    rows = slice(i * dilation[0], i * dilation[0] + stride[0] * (h_out - 1) + 1, stride[0])
                    cols = slice(j * dilation[1], j * dilation[1] + stride[1] * (w_out - 1) + 1, stride[1])
                    y[co] += w[co, ci, i, j] * xp[first + ci, rows, cols]
    return y


def _trunc(x):
    return np.sign(x) * (np.abs(x) >> 12)


def _lava_run(path, raster):
    """Plain-numpy Lava run of the processes netx builds from ``path``; raster ``(T, n_in)``.

    Returns ``{layer name: (spikes (T, n), u, v)}`` in (C, H, W) order.
    """
    n_steps = raster.shape[0]
    layers, shape = [], None
    with h5py.File(path, "r") as f:
        groups = [f["layer"][str(i)] for i in range(len(f["layer"]))]
        for i, g in enumerate(groups):
            kind = g["type"][0].decode()
            if kind == "input":
                shape = tuple(g["shape"][()])
            if kind not in ("dense", "dense_rec", "conv"):
                continue
            layer = {"name": f"layer{i}", "kind": kind, "in_shape": shape}
            neuron = {k: int(g["neuron"][k][()]) for k in ("iDecay", "vDecay", "vThMant")}
            layer["factor_u"], layer["factor_v"] = 4096 - neuron["iDecay"], 4096 - neuron["vDecay"]
            layer["vth"] = neuron["vThMant"] << 6
            if kind == "conv":
                layer["kernel"] = g["weight"][()].astype(int)
                layer["geometry"] = [tuple(g[k][()]) for k in ("stride", "padding", "dilation")]
                layer["groups"] = int(g["groups"][()])
                shape = tuple(g["shape"][()])
                layer["bias"] = np.repeat(g["bias"][()].astype(int), shape[1] * shape[2])
            else:
                w = g["weight"][()].astype(int)
                n_in = w.shape[1]
                if kind == "dense_rec":
                    w = np.hstack([w, g["weight_rec"][()].astype(int)])
                w, exp = _lava_weights(w)
                layer["w"], layer["w_rec"], layer["exp"] = w[:, :n_in], w[:, n_in:], exp
                delay = np.zeros(w[:, :n_in].shape, dtype=int)
                if "delay" in g:
                    d = g["delay"][()].astype(int)
                    delay[...] = d.reshape(-1, 1) if d.ndim == 1 and d.size == delay.shape[0] else d
                layer["delay"] = delay
                shape = (w.shape[0],)
                layer["bias"] = np.broadcast_to(g["bias"][()].astype(int), shape) if "bias" in g else np.zeros(shape, int)
            layer["n"] = int(np.prod(shape))
            layers.append(layer)
    horizon = n_steps + 64
    for layer in layers:
        layer["buffer"] = np.zeros((horizon, layer["n"]), dtype=np.int64)
        layer["u"] = np.zeros(layer["n"], dtype=np.int64)
        layer["v"] = np.zeros(layer["n"], dtype=np.int64)
        layer["spikes"] = np.zeros((n_steps, layer["n"]), dtype=np.int64)

    def shift(acc, exp):
        return acc << exp if exp > 0 else acc >> -exp

    def deliver(layer, s, t):
        if layer["kind"] == "conv":
            x = s.reshape(layer["in_shape"])
            layer["buffer"][t + 1] += _numpy_conv(x, layer["kernel"], *layer["geometry"], layer["groups"]).ravel()
            return
        for k in np.unique(layer["delay"]):
            acc = (layer["w"] * (layer["delay"] == k))[:, s != 0].sum(axis=1)
            layer["buffer"][t + k + 1] += shift(acc, layer["exp"])

    for t in range(n_steps):
        deliver(layers[0], raster[t], t)
        for index, layer in enumerate(layers):
            u = _trunc(layer["u"] * layer["factor_u"]) + (layer["buffer"][t] << 6)
            u = np.where(u > 2 ** 23, u - 2 ** 24, np.where(u <= -2 ** 23, u + 2 ** 24, u))
            v = _trunc(layer["v"] * layer["factor_v"]) + u + (layer["bias"] << 6)
            v = np.clip(v, -(2 ** 23 - 1), 2 ** 23 - 1)
            s = (v > layer["vth"]).astype(np.int64)
            layer["u"], layer["v"], layer["spikes"][t] = u, np.where(s == 1, 0, v), s
            if layer["kind"] == "dense_rec":
                layer["buffer"][t + 1] += shift(layer["w_rec"][:, s != 0].sum(axis=1), layer["exp"])
            if index + 1 < len(layers):
                deliver(layers[index + 1], s, t)
    return {layer["name"]: (layer["spikes"], layer["u"], layer["v"]) for layer in layers}


# ---------------------------------------------------------------------------- netx's weight rule
@pytest.mark.parametrize("weight, expected", [
    ([3, 1], ([192, 64], 2, -6, "excitatory")),       # scale 255/3 -> s = 6; no shared zero bits
    ([2, -4], ([128, -256], 2, -6, "mixed")),          # min(127/2, 128/4) = 32 -> s = 5 + 1; n = 1 - 1
    ([-1, -3], ([-64, -192], 2, -6, "inhibitory")),    # 256/3 -> s = 6
    ([254, -256], ([254, -256], 8, 0, "mixed")),       # s = -1 + 1 = 0; even: n = 1 - 1 = 0
    ([253, -256], ([253, -256], 9, 0, "mixed")),       # odd: n = 0 - 1 -> 9 bits, so Lava keeps 253
])
def test_optimize_weight_bits_follows_netx(weight, expected):
    shifted, bits, exp, mode = optimize_weight_bits(np.array(weight))
    assert (shifted.tolist(), bits, exp, mode) == expected


def test_netx_weights_reach_lava_unchanged_within_the_synapse():
    rng = np.random.default_rng(3)
    for w in (rng.integers(-128, 128, (6, 5)) * 2, rng.integers(-100, 101, (6, 5)),
              rng.integers(0, 256, (6, 5)), rng.integers(-255, 0, (6, 5))):
        lava, exp = _lava_weights(w)
        assert np.array_equal(lava * 2.0 ** exp, w)


# ---------------------------------------------------------------------------- graphs
def _write(tmp_path, layers, **kwargs):
    return write_netx(tmp_path / "net.net", layers, **kwargs)


def test_dense_chain(tmp_path):
    rng = np.random.default_rng(0)
    w1, w2 = rng.integers(-20, 21, (6, 4)), rng.integers(-20, 21, (3, 6))
    bias = rng.integers(-50, 50, 6)
    other = cuba_neuron(i_decay=4096, v_decay=100, v_th_mant=7)
    graph = import_netx(_write(tmp_path, [input_layer((4,)), dense_layer(w1, NEURON, bias=bias),
                                          dense_layer(w2, other)], t_sample=20), dt_s=2e-3)
    assert graph.dt_s == 2e-3 and graph.name == "net"
    assert [(p.name, p.size, p.model) for p in graph.populations()] == [("layer1", 6, "lif"), ("layer2", 3, "lif")]
    assert [(p.pre, p.post) for p in graph.projections()] == [("input", "layer1"), ("layer1", "layer2")]
    p1, p2 = graph.projections()
    assert np.array_equal(p1.weight, w1) and np.array_equal(p2.weight, w2) and int(p1.delay_steps) == 1
    layer1 = graph.node("layer1").params
    assert layer1["decay_syn"][0, 0] == 1024 / 4096 and layer1["decay_mem"][0] == 512 / 4096
    assert layer1["v_th"][0] == 40 and np.array_equal(layer1["bias"], bias)
    assert graph.node("layer2").params["decay_syn"][0, 0] == 1.0
    assert graph.node("layer1").reset == "value"
    assert not np.any(layer1["v_reset"]) and not np.any(layer1["refractory_steps"])
    assert graph.outputs()[0].source == "layer2" and graph.outputs()[0].readout == "spike_count"
    assert graph.metadata["n_steps"] == 20
    assert graph.metadata["state_scale"] == {"layer1": 64.0, "layer2": 64.0}


def test_first_dense_layer_creates_the_input_and_default_neuron_is_a_readout(tmp_path):
    w = np.arange(-6, 6).reshape(3, 4)
    graph = import_netx(_write(tmp_path, [dense_layer(w)]))
    assert [(i.name, i.size) for i in graph.inputs()] == [("input", 4)]
    pop = graph.node("layer0")
    # netx's default: iDecay 0, vDecay 4096, vThMant 1 << 17 (unreachable) -> li
    assert pop.model == "li" and pop.params["decay_syn"][0, 0] == 0 and pop.params["decay_mem"][0] == 1
    assert graph.outputs()[0].readout == "v_final"


def test_reachable_threshold_stays_lif(tmp_path):
    top = cuba_neuron(4096, 0, (1 << 17) - 1)     # 131071 << 6 = 8388544 < 2**23 - 1: can spike
    graph = import_netx(_write(tmp_path, [dense_layer(np.ones((1, 2)), top), dense_layer(np.ones((1, 1)), READOUT)]))
    assert [p.model for p in graph.populations()] == ["lif", "li"]


@pytest.mark.parametrize("stride, padding, dilation, groups", [
    ((1, 1), (0, 0), (1, 1), 1), ((2, 1), (1, 0), (1, 1), 1), ((1, 2), (2, 1), (2, 1), 1),
    ((1, 1), (1, 1), (1, 1), 2), ((2, 2), (0, 1), (1, 2), 3),
])
def test_conv_lowering_equals_numpy_convolution(stride, padding, dilation, groups):
    rng = np.random.default_rng(sum(stride + padding + dilation) + groups)
    in_shape = (groups * 2, 7, 8)
    w = rng.integers(-9, 10, (groups * 2, 2, 3, 2))
    w[0, 0, 0, 0] = 0                                           # zeros are not synapses
    pre, post, weight, out_shape = conv_to_sparse(w, in_shape, stride, padding, dilation, groups)
    assert len(set(zip(pre.tolist(), post.tolist()))) == pre.size and np.all(weight != 0)
    for _ in range(3):
        x = rng.integers(0, 2, in_shape)
        y = np.zeros(int(np.prod(out_shape)), dtype=np.int64)
        np.add.at(y, post, (weight * x.ravel()[pre]).astype(np.int64))
        expected = _numpy_conv(x, w, stride, padding, dilation, groups)
        assert out_shape == expected.shape and np.array_equal(y, expected.ravel())


def _conv_net(rng):
    """input (2, 6, 6) -> conv 3x3 pad 1 -> conv 2x2 stride 2 -> flatten -> dense -> dense_rec -> readout."""
    k1 = rng.integers(-30, 31, (4, 2, 3, 3)) * 2
    k2 = rng.integers(-60, 61, (3, 4, 2, 2))
    c1 = conv_layer(k1, (2, 6, 6), NEURON, bias=rng.integers(-20, 20, 4), padding=1)
    c2 = conv_layer(k2, tuple(c1["shape"]), cuba_neuron(2048, 256, 30), bias=rng.integers(-5, 5, 3), stride=2)
    d1 = dense_layer(rng.integers(-127, 128, (10, 27)) * 2, cuba_neuron(512, 1024, 60),
                     bias=rng.integers(-30, 30, 10), delay=rng.integers(0, 4, 10))
    d2 = dense_layer(rng.integers(-40, 41, (5, 10)), cuba_neuron(4096, 300, 50),
                     weight_rec=rng.integers(-40, 41, (5, 5)))
    d3 = dense_layer(rng.integers(0, 256, (3, 5)), READOUT)
    return [input_layer((2, 6, 6)), c1, c2, flatten_layer((27, 1, 1)), d1, d2, d3]


def test_conv_flatten_dense(tmp_path):
    layers = _conv_net(np.random.default_rng(1))
    graph = import_netx(_write(tmp_path, layers))
    sizes = [(p.name, p.size, p.model) for p in graph.populations()]
    assert sizes == [("layer1", 36 * 4, "lif"), ("layer2", 27, "lif"), ("layer4", 10, "lif"),
                     ("layer5", 5, "lif"), ("layer6", 3, "li")]
    conv = graph.projection("input->layer1")
    assert conv.is_sparse and conv.n_synapses == np.count_nonzero(conv.weight)
    # (C, H, W) order: channel c's bias covers neurons c*36 .. c*36 + 35
    assert np.array_equal(graph.node("layer1").params["bias"], np.repeat(layers[1]["bias"], 36))
    dense = graph.projection("layer2->layer4")
    assert np.array_equal(dense.weight, layers[4]["weight"])   # flatten keeps (C, H, W) indices
    assert graph.nx.has_edge("layer5", "layer5") and graph.is_recurrent()


@pytest.mark.parametrize("delay, expected", [
    (np.float32(3), np.full((2, 3), 4)),
    (np.array([[0, 1, 2], [3, 4, 5]]), np.array([[1, 2, 3], [4, 5, 6]])),
    (np.array([2, 7]), np.array([[3, 3, 3], [8, 8, 8]])),             # per output (netx: "axonal")
    (np.array([1, 0, 5]), np.array([[2, 1, 6], [2, 1, 6]])),          # per input
])
def test_delays_of_each_kind(tmp_path, delay, expected):
    graph = import_netx(_write(tmp_path, [dense_layer(np.ones((2, 3)), NEURON, delay=delay)]))
    assert np.array_equal(np.broadcast_to(graph.projections()[0].delay_steps, (2, 3)), expected)


def test_delays_above_62_are_clipped_as_netx_does(tmp_path):
    with pytest.warns(UserWarning, match=r"layer 0 \(dense\)/delay: found a delay of 70; clipped to 62"):
        graph = import_netx(_write(tmp_path, [dense_layer(np.ones((1, 2)), NEURON, delay=np.array([70, 1]))]))
    assert graph.projections()[0].delay_steps.tolist() == [[63, 2]]


def test_input_neurons_can_be_dropped(tmp_path):
    layers = [input_layer((3,), NEURON, weight=40, bias=36), dense_layer(np.ones((2, 3)), NEURON)]
    with pytest.raises(UnsupportedError, match=r"layer 0 \(input\): an input layer with neurons.*drop_input_neurons"):
        import_netx(_write(tmp_path, layers))
    graph = import_netx(_write(tmp_path, layers), drop_input_neurons=True)
    assert [(i.name, i.size) for i in graph.inputs()] == [("input", 3)]
    recorded = graph.metadata["netx_input_neurons"]
    assert recorded["weight"] == [40] and recorded["bias"] == [36] and recorded["neuron"]["vThMant"] == 40


def test_written_layout_matches_lava_dl(tmp_path):
    path = _write(tmp_path, [input_layer((2, 6, 6)), *_conv_net(np.random.default_rng(2))[1:]], t_sample=16)
    with h5py.File(path, "r") as f:
        kind = f["layer/1/type"]
        assert kind.dtype == np.dtype("S10") and kind.shape == (1,) and kind[0] == b"conv"
        assert f["layer/1/neuron/type"].shape == () and f["layer/1/neuron/type"][()] == b"CUBA"
        assert f["layer/1/weight"].dtype == np.float32 and f["layer/1/shape"][()].tolist() == [4, 6, 6]
        assert f["layer/1/stride"][()].tolist() == [1, 1] and f["layer/1/groups"][()] == 1
        assert f["layer/4/delay"].dtype == np.float32 and f["layer/4/inFeatures"][()] == 27
        assert f["simulation/Ts"][()] == 1 and f["simulation/tSample"][()] == 16


# ---------------------------------------------------------------------------- Lava's integers
def _effective(qnet, proj, n_post, n_pre):
    """A projection's ``mantissa * 2**shift`` and delays as dense (post, pre) matrices (local indices)."""
    post = proj.post_index - next(p.offset for p in qnet.populations if p.name == proj.post)
    pre_offset = next((i.offset for i in qnet.inputs if i.name == proj.pre), None)
    if pre_offset is None:
        pre_offset = qnet.n_input_channels + next(p.offset for p in qnet.populations if p.name == proj.pre)
    weight, delay = np.zeros((n_post, n_pre)), np.zeros((n_post, n_pre), dtype=np.int64)
    weight[post, proj.pre_index - pre_offset] = proj.weight * 2.0 ** proj.shift
    delay[post, proj.pre_index - pre_offset] = proj.delay_steps
    return weight, delay


def test_quantised_integers_are_lavas(tmp_path, loihi_quantize):
    rng = np.random.default_rng(4)
    layers = _conv_net(rng)
    layers[5] = dense_layer(rng.integers(-255, 0, (5, 10)), cuba_neuron(4096, 300, 50),   # inhibitory
                            bias=rng.integers(-4096, 4096, 5))
    graph = import_netx(_write(tmp_path, layers))
    qnet = loihi_quantize(graph)
    sizes = {p.name: p.size for p in qnet.populations} | {"input": 72}
    for proj in qnet.projections:
        layer = layers[int(proj.post[5:])]
        weight, delay = _effective(qnet, proj, sizes[proj.post], sizes[proj.pre])
        if layer["type"] == "conv":    # Lava's Conv: the file's kernel, weight_exp 0
            expected = np.zeros_like(weight)
            ir = graph.projection(f"{proj.pre}->{proj.post}")
            expected[ir.post_index, ir.pre_index] = ir.weight
            assert np.array_equal(weight, expected)
            assert np.all(delay[weight != 0] == 1)
            continue
        lava, exp = _lava_weights(layer["weight"].astype(int))
        assert np.array_equal(weight, lava * 2.0 ** exp), proj.post
        netx_delay = np.broadcast_to(layer.get("delay", np.zeros(1)).reshape(-1, 1), weight.shape)
        assert np.array_equal(delay[weight != 0], netx_delay[weight != 0] + 1)
    for pop in qnet.populations:
        neuron, layer = layers[int(pop.name[5:])]["neuron"], layers[int(pop.name[5:])]
        assert np.all(pop.syn_factor == 4096 - (neuron["iDecay"] - 1) - 1)     # Lava du = iDecay - 1
        assert np.all(pop.mem_factor == 4096 - neuron["vDecay"])                 # Lava dv = vDecay
        assert np.all(pop.v_th == (neuron["vThMant"] << 6 if pop.has_threshold else 0))
        bias = np.asarray(layer.get("bias", 0)).astype(int)
        per_neuron = np.repeat(bias, pop.size // bias.size) if layer["type"] == "conv" else bias
        assert np.array_equal(pop.bias, np.broadcast_to(per_neuron << 6, (pop.size,)))  # bias_exp 6
        assert pop.reset == "value" and not np.any(pop.v_reset) and not np.any(pop.refractory_steps)


def _compare_with(lava: dict, path, raster, loihi_quantize, input_bias=None) -> int:
    """Assert hwsim's run of the netx file equals ``lava``'s spikes and final u, v; return the spikes.
    With ``input_bias`` the input layer's neurons run on the chip driven by it (``raster`` has 0 channels)."""
    graph = import_netx(path, drop_input_neurons=input_bias is None, input_bias=input_bias)
    qnet = loihi_quantize(graph)
    assert set(lava) == {p.name for p in qnet.populations}
    placement = map_graph(graph, LOIHI)
    arrays = lower_spiking(qnet, placement, LOIHI.capacity.bits_per_synapse, LOIHI.capacity.memory_word_bits)
    result = simulate_spiking(arrays, raster[None], record_raster=True)
    total = 0
    for pop in qnet.populations:
        sl = slice(pop.offset, pop.offset + pop.size)
        spikes, u, v = lava[pop.name]
        assert np.array_equal(result.raster[0, :, sl], spikes), pop.name
        assert np.array_equal(result.u_final[0, sl], u) and np.array_equal(result.v_final[0, sl], v), pop.name
        total += spikes.sum()
    return total


def _oracle_arrays(tmp_path, path, **arrays) -> dict:
    """Run ``tests/lava_netx_oracle.py`` in .venv-lava (real Lava 0.10, netx's processes) on ``path`` with
    ``arrays`` (``spikes``, ``input_bias``); returns the oracle's arrays."""
    python = lava_python()
    if not python.exists():
        pytest.fail(f"{python}: no Lava environment; expected it for the parity tests. "
                    f"Hint: run `python -m hwsim.interop.lava_env`.")
    np.savez(tmp_path / "spikes.npz", **arrays)
    subprocess.run([str(python), str(NETX_ORACLE), str(path), str(tmp_path / "spikes.npz"),
                    str(tmp_path / "out.npz")], check=True, capture_output=True, text=True, timeout=600)
    with np.load(tmp_path / "out.npz") as out:
        return {name: out[name] for name in out.files}


def _live_lava(tmp_path, path, **arrays) -> dict:
    """Each population's spikes, final u and v from the oracle (:func:`_oracle_arrays`)."""
    out = _oracle_arrays(tmp_path, path, **arrays)
    return {name[:-len("_spikes")]: (out[name], out[name[:-6] + "u"], out[name[:-6] + "v"])
            for name in out if name.endswith("_spikes")}


def _lava_netx(tmp_path, layers, raster) -> tuple[Path, dict]:
    """Write ``layers`` as a netx file and run it with ``raster`` in the oracle; the file and its arrays."""
    path = _write(tmp_path, layers)
    return path, _oracle_arrays(tmp_path, path, spikes=raster)


@pytest.mark.parametrize("seed", [0, 1])
def test_simulation_is_bit_identical_to_lava_itself(tmp_path, loihi_quantize, seed):
    """The netx file run by real Lava 0.10 (netx's processes, in .venv-lava) against hwsim's import."""
    rng = np.random.default_rng(seed)
    path = _write(tmp_path, _conv_net(rng))
    raster = (rng.random((40, 72)) < 0.3).astype(np.int64)
    lava = _live_lava(tmp_path, path, spikes=raster)
    assert _compare_with(lava, path, raster, loihi_quantize) > 50   # the network is active


def _sdnn_net(rng):
    """input (2, 8, 8) with SDNN (Delta) neurons -> SDNN conv 3x3 stride 2 -> SDNN conv 2x2 (24-bit messages) ->
    flatten -> SDNN dense -> SDNN dense -> sigma_output dense: PilotNet SDNN's layer kinds, small. Binary input
    spikes are small against the state scale 2**12, so the hidden thresholds are 0 (every delta is sent, shifted
    by state_exp 6) but the last one's (1: 4096 state units)."""
    c1 = conv_layer(rng.integers(-30, 31, (4, 2, 3, 3)), (2, 8, 8), sdnn_neuron(0), bias=rng.integers(-3, 4, 4),
                    stride=2)
    c2 = conv_layer(rng.integers(-20, 21, (3, 4, 2, 2)), tuple(c1["shape"]), sdnn_neuron(0, message_bits=24),
                    bias=rng.integers(-3, 4, 3))
    d1 = dense_layer(rng.integers(-12, 13, (10, 12)), sdnn_neuron(0), bias=rng.integers(-4, 5, 10))
    d2 = dense_layer(rng.integers(-12, 13, (6, 10)), sdnn_neuron(1), bias=rng.integers(-2, 3, 6))
    out = dense_layer(rng.integers(-10, 11, (2, 6)), sdnn_neuron(6, sigma_output=True))
    return [input_layer((2, 8, 8), neuron=sdnn_neuron(6)), c1, c2, flatten_layer((12, 1, 1)), d1, d2, out]


def test_sdnn_layers_import_as_sigma_delta(tmp_path):
    graph = import_netx(_write(tmp_path, _sdnn_net(np.random.default_rng(0))), drop_input_neurons=True)
    pops = {p.name: p for p in graph.populations()}
    assert {p.model for p in pops.values()} == {"sigma_delta"}
    assert pops["layer5"].params["v_th"][0] == 1 and pops["layer1"].params["spike_exp"][0] == 6
    assert pops["layer6"].params["relu"][0] == 0 and pops["layer6"].params["state_exp"][0] == 0
    bits = {p.name: p.message_bits for p in graph.projections()}
    assert bits == {"input->layer1": None, "layer1->layer2": 16, "layer2->layer4": 24, "layer4->layer5": 16,
                    "layer5->layer6": 16}
    chip = graded_chip()
    weights = {p.name: p for p in quantize.quantize_spiking(graph, chip).projections}
    d1 = weights["layer2->layer4"]
    layers = _sdnn_net(np.random.default_rng(0))
    effective = np.zeros((10, 12))
    effective[d1.post_index - d1.post_index.min(), d1.pre_index - d1.pre_index.min()] = d1.weight * 2.0 ** d1.shift
    np.testing.assert_array_equal(effective, layers[4]["weight"])      # netx's integers reach the synapse


@pytest.mark.parametrize("seed", [0, 1])
def test_sdnn_simulation_is_bit_identical_to_lava_itself(tmp_path, seed):
    """SDNN conv and dense layers run by Lava 0.10 (netx's SigmaDelta, Sigma, Conv and graded Dense) against
    hwsim's import on a chip with graded spikes: payloads at every step and final sigma, act, residue, error."""
    rng = np.random.default_rng(seed)
    layers = _sdnn_net(rng)
    raster = (rng.random((40, 128)) < 0.3).astype(np.int64)
    path, out = _lava_netx(tmp_path, layers, raster)
    graph = import_netx(path, drop_input_neurons=True)
    chip = graded_chip()
    qnet = quantize.quantize_spiking(graph, chip)
    arrays = lower_spiking(qnet, map_graph(graph, chip), chip.capacity.bits_per_synapse,
                           chip.capacity.memory_word_bits)
    result = simulate_spiking(arrays, raster[None], record_raster=True)
    for pop in qnet.populations:
        sl = slice(pop.offset, pop.offset + pop.size)
        np.testing.assert_array_equal(result.u_final[0, sl], out[f"{pop.name}_u"], err_msg=pop.name)
        np.testing.assert_array_equal(result.v_final[0, sl], out[f"{pop.name}_v"], err_msg=pop.name)
        if pop.name == "layer6":           # Lava's Sigma sends its sigma every step, not a payload
            continue
        np.testing.assert_array_equal(result.payload[0, :, sl], out[f"{pop.name}_spikes"], err_msg=pop.name)
        np.testing.assert_array_equal(result.graded_final[0, :, sl], [out[f"{pop.name}_residue"],
                                                                       out[f"{pop.name}_error"]], err_msg=pop.name)
        assert np.count_nonzero(result.payload[0, :, sl]) > 0, pop.name          # every layer is active


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_simulation_is_bit_identical_to_lavas_netx_processes(tmp_path, loihi_quantize, seed):
    rng = np.random.default_rng(seed)
    path = _write(tmp_path, _conv_net(rng))
    raster = (rng.random((40, 72)) < 0.3).astype(np.int64)
    assert _compare_with(_lava_run(path, raster), path, raster, loihi_quantize) > 50   # the network is active


def test_zero_current_decay_keeps_the_current(tmp_path, loihi_quantize):
    graph = import_netx(_write(tmp_path, [dense_layer(np.ones((1, 1)))]))   # netx default neuron: iDecay 0
    assert loihi_quantize(graph).populations[0].syn_factor.tolist() == [[4096]]


def test_mixed_weights_down_to_minus_256_stay_exact(tmp_path, loihi_quantize):
    w = np.array([[-256, 2, 100]])
    qnet = loihi_quantize(import_netx(_write(tmp_path, [dense_layer(w, NEURON)])))
    weight, _ = _effective(qnet, qnet.projections[0], 1, 3)
    lava, exp = _lava_weights(w)
    assert np.array_equal(weight, lava * 2.0 ** exp)


# ---------------------------------------------------------------------------- refused inputs
def _dense(**changes):
    layer = dense_layer(np.ones((2, 3)), NEURON)
    layer.update(changes)
    return layer


def _neuron(**changes):
    return _dense(neuron={**NEURON, **changes})


def _conv(**changes):
    layer = conv_layer(np.ones((2, 1, 3, 3)), (1, 5, 5), NEURON)
    layer.update(changes)
    return layer


UNSUPPORTED = {
    "pool": ([input_layer((1, 4, 4)), {"type": "pool", "shape": np.array([1, 2, 2])}],
             r"layer 1 \(pool\): layer type 'pool' is not supported; expected one of: conv, dense"),
    "average": ([_dense(), {"type": "average", "shape": np.array([1])}], r"layer 1 \(average\): layer type"),
    "concat": ([{"type": "concat"}], r"layer 0 \(concat\): layer type 'concat'"),
    "sdnn_sigma_bias": ([dense_layer(np.ones((2, 3)), sdnn_neuron(1, sigma_output=True), bias=np.ones(2))],
                        r"layer 0 \(dense\)/bias: a bias on a sigma_output layer"),
    "sdnn_dense_rec": ([dense_layer(np.ones((2, 3)), sdnn_neuron(1), weight_rec=np.ones((2, 2)))],
                       r"layer 0 \(dense_rec\): a dense_rec layer of SDNN neurons is not supported"),
    "rf": ([dense_layer(np.ones((3, 2)), NEURON), _neuron(type="RF_IZ")],
           r"layer 1 \(dense\)/neuron: neuron type 'RF_IZ' is not supported; supported: CUBA, LOIHI, SDNN"),
    "graded": ([_neuron(gradedSpike=True)], r"layer 0 \(dense\)/neuron: graded spikes are not supported"),
    "message_bits": ([_neuron(messageBits=16)], r"layer 0 \(dense\)/neuron: graded spikes"),
    "refractory": ([_neuron(refDelay=3)], r"layer 0 \(dense\)/neuron: refDelay 3; supported: 0 or 1"),
    "conv_delay": ([input_layer((1, 5, 5)), _conv(delay=np.ones(2))],
                   r"layer 1 \(conv\): delays on conv layers are not supported"),
    "rec_delay": ([dense_layer(np.ones((2, 3)), NEURON, delay=1, weight_rec=np.ones((2, 2)))],
                  r"layer 0 \(dense_rec\): delays on a dense_rec layer"),
    "weight_range": ([_dense(weight=np.full((2, 3), 300, np.float32))],
                     r"layer 0 \(dense\)/weight: weights in \[300, 300\]; supported: Loihi's 8-bit synapse"),
    "mixed_range": ([_dense(weight=np.array([[255, -1, 0], [0, 0, 0]], np.float32))],
                    r"weights in \[-1, 255\]; supported: .*\[-256, 254\]"),
    "bias_range": ([_dense(bias=np.array([5000, 0], np.float32))],
                   r"layer 0 \(dense\)/bias: values in \[0, 5000\]; supported: Loihi's 13-bit bias"),
    "complex": ([{**_dense(), "weight": {"real": np.ones((2, 3)), "imag": np.ones((2, 3))}}],
                r"layer 0 \(dense\): complex weights"),
}


@pytest.mark.parametrize("layers, message", UNSUPPORTED.values(), ids=UNSUPPORTED.keys())
def test_unsupported_layers_are_named(tmp_path, layers, message):
    with pytest.raises(UnsupportedError, match=message):
        import_netx(_write(tmp_path, layers))


MALFORMED = {
    "type_missing": ([{"shape": np.array([2])}], r"layer 0: no 'type' dataset"),
    "weight_missing": ([{k: v for k, v in _dense().items() if k != "weight"}],
                       r"layer 0 \(dense\): no 'weight' dataset"),
    "non_integer": ([_dense(weight=np.full((2, 3), 0.5, np.float32))], r"layer 0 \(dense\)/weight: non-integer"),
    "nan_bias": ([_dense(bias=np.array([np.nan, 0]))], r"layer 0 \(dense\)/bias: non-integer"),
    "weight_shape": ([_dense(shape=np.array([4]))], r"layer 0 \(dense\)/weight: shape \(2, 3\); expected \(4, inputs\)"),
    "in_features": ([_dense(inFeatures=5)], r"layer 0 \(dense\)/inFeatures: 5; expected 3"),
    "inputs_mismatch": ([input_layer((4,)), _dense()], r"layer 1 \(dense\): weights take 3 inputs; expected 4"),
    "bias_size": ([_dense(bias=np.ones(3))], r"layer 0 \(dense\)/bias: 3 values; expected 1 or one per neuron \(2\)"),
    "i_decay": ([_neuron(iDecay=5000)], r"layer 0 \(dense\)/neuron/iDecay: 5000; expected an integer in \[0, 4096\]"),
    "v_th_missing": ([_dense(neuron={k: v for k, v in NEURON.items() if k != "vThMant"})],
                     r"layer 0 \(dense\)/neuron: no 'vThMant'"),
    "per_neuron_decay": ([_neuron(vDecay=np.array([1, 2]))], r"neuron/vDecay: 2 values; expected one scalar"),
    "delay_negative": ([_dense(delay=np.array([-1.0]))], r"layer 0 \(dense\)/delay: -1; expected delays >= 0"),
    "delay_shape": ([_dense(delay=np.ones(4))], r"layer 0 \(dense\)/delay: shape \(4,\); expected a scalar"),
    "conv_first": ([_conv()], r"layer 0 \(conv\): the input shape of the first conv layer is unknown"),
    "conv_shape": ([input_layer((1, 5, 5)), _conv(shape=np.array([2, 4, 4]))],
                   r"layer 1 \(conv\)/shape: \[2, 4, 4\]; expected \[2, 3, 3\]"),
    "conv_channels": ([input_layer((2, 5, 5)), _conv()], r"layer 1 \(conv\)/weight: shape \(2, 1, 3, 3\) with groups=1"),
    "conv_no_neuron": ([input_layer((1, 5, 5)), {k: v for k, v in _conv().items() if k != "neuron"}],
                       r"layer 1 \(conv\): no 'neuron' group"),
    "conv_stride": ([input_layer((1, 5, 5)), _conv(stride=np.array([1, 2, 3]))],
                    r"layer 1 \(conv\): stride \[1, 2, 3\]; expected an integer or an \(H, W\) pair"),
    "dense_after_conv": ([input_layer((1, 5, 5)), _conv(), dense_layer(np.ones((2, 18)), NEURON)],
                         r"layer 2 \(dense\): a dense layer right after 'layer1'.*expected a 'flatten' layer"),
    "conv_after_flatten": ([input_layer((1, 5, 5)), flatten_layer((25, 1, 1)), _conv()],
                           r"layer 2 \(conv\): a conv layer after 'flatten'"),
    "flatten_last": ([_dense(), flatten_layer((2, 1, 1))], r"the last layer is 'flatten'"),
    "flatten_size": ([input_layer((1, 5, 5)), flatten_layer((24, 1, 1))], r"layer 1 \(flatten\)/shape: 24 neurons"),
    "input_late": ([_dense(), input_layer((2,))], r"layer 1 \(input\): an input layer after other layers"),
    "no_neurons": ([input_layer((3,))], r"no dense or conv layer"),
    "shape": ([_dense(shape=np.array([2, 0]))], r"layer 0 \(dense\)/shape: \[2, 0\]; expected 1 to 3 positive"),
}


@pytest.mark.parametrize("layers, message", MALFORMED.values(), ids=MALFORMED.keys())
def test_malformed_files_are_named(tmp_path, layers, message):
    with pytest.raises(GraphError, match=message):
        import_netx(_write(tmp_path, layers))


def test_malformed_containers(tmp_path):
    with pytest.raises(GraphError, match=r"missing\.net: no such file"):
        import_netx(tmp_path / "missing.net")
    (tmp_path / "text.net").write_text("not hdf5")
    with pytest.raises(GraphError, match=r"text\.net: not a readable HDF5 file"):
        import_netx(tmp_path / "text.net")
    with h5py.File(tmp_path / "empty.net", "w"):
        pass
    with pytest.raises(GraphError, match=r"empty\.net: no '/layer' group"):
        import_netx(tmp_path / "empty.net")
    with h5py.File(tmp_path / "gap.net", "w") as f:
        f.create_group("layer/0")
        f.create_group("layer/2")
    with pytest.raises(GraphError, match=r"gap\.net/layer: entries \['0', '2'\]; expected layers numbered 0..n-1"):
        import_netx(tmp_path / "gap.net")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        write_netx(tmp_path / "sim.net", [_dense()], ts=2, t_sample=1)
    with pytest.raises(GraphError, match=r"sim\.net/simulation: Ts=2.0, tSample=1.0"):
        import_netx(tmp_path / "sim.net")


# ---------------------------------------------------------------------------- input neurons driven by a bias
BIASED_INPUT = cuba_neuron(i_decay=4096, v_decay=1024, v_th_mant=25)   # PilotNet's input neurons


def test_input_bias_keeps_the_input_neurons_on_chip(tmp_path):
    layers = [input_layer((3,), BIASED_INPUT, weight=40, bias=36), dense_layer(np.ones((2, 3)), NEURON)]
    graph = import_netx(_write(tmp_path, layers), input_bias=[36, 10, 0])
    assert graph.inputs() == [] and [p.name for p in graph.populations()] == ["layer0", "layer1"]
    assert graph.node("layer0").params["bias"].tolist() == [36.0, 10.0, 0.0]
    placement = map_graph(graph, LOIHI)
    arrays = lower_spiking(quantize.quantize_spiking(graph, LOIHI), placement, LOIHI.capacity.bits_per_synapse,
                           LOIHI.capacity.memory_word_bits)
    raster = simulate_spiking(arrays, np.zeros((1, 8, 0), np.uint8), record_raster=True).raster[0, :, :3]
    # Lava's integers (x 64): v <- v * (4096 - 1024) / 4096 + bias, spike when v > 25 * 64 = 1600, reset to 0.
    # bias 36 * 64 = 2304 > 1600 at every step; bias 640: v = 640, 1120, 1480, 1750 -> a spike every 4th step
    assert raster[:, 0].tolist() == [1] * 8
    assert raster[:, 1].tolist() == [0, 0, 0, 1, 0, 0, 0, 1]
    assert raster[:, 2].tolist() == [0] * 8


@pytest.mark.parametrize("bias, kwargs, error, message", [
    ([36, 10], {}, GraphError, r"layer 0 \(input\): input_bias \(2,\) of dtype int64; expected 3 finite integers"),
    ([36, 10.5, 0], {}, GraphError, r"expected 3 finite integers, one per input neuron in \(C, H, W\)"),
    ([36, np.nan, 0], {}, GraphError, r"expected 3 finite integers"),
    ([36, 5000, 0], {}, UnsupportedError, r"input_bias in \[0, 5000\]; supported: Loihi's 13-bit bias mantissa"),
    ([36, 10, 0], {"drop_input_neurons": True}, SpecError, r"input_bias and drop_input_neurons both given"),
])
def test_bad_input_bias_is_named(tmp_path, bias, kwargs, error, message):
    layers = [input_layer((3,), BIASED_INPUT), dense_layer(np.ones((2, 3)), NEURON)]
    with pytest.raises(error, match=message):
        import_netx(_write(tmp_path, layers), input_bias=bias, **kwargs)


def test_input_bias_needs_input_neurons(tmp_path):
    with pytest.raises(GraphError, match=r"input_bias given for an input layer without neurons"):
        import_netx(_write(tmp_path, [input_layer((3,)), dense_layer(np.ones((2, 3)), NEURON)]), input_bias=[1, 2, 3])


@pytest.mark.parametrize("seed", [0, 1])
def test_biased_input_layer_is_bit_identical_to_lava_itself(tmp_path, loihi_quantize, seed):
    """An input layer with neurons driven by one sample's bias (lava-dl's PilotNet), run by real Lava 0.10."""
    rng = np.random.default_rng(seed)
    layers = _conv_net(rng)
    layers[0] = input_layer((2, 6, 6), BIASED_INPUT, weight=40, bias=36)
    path = _write(tmp_path, layers)
    input_bias = rng.integers(-10, 60, 72)
    lava = _live_lava(tmp_path, path, spikes=np.zeros((40, 72), np.int64), input_bias=input_bias)
    raster = np.zeros((40, 0), np.int64)
    assert _compare_with(lava, path, raster, loihi_quantize, input_bias=input_bias) > 50
    assert lava["layer0"][0].sum() > 50 and lava["layer1"][0].sum() > 0   # the input neurons drive the network
