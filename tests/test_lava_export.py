"""The Lava exporter without Lava: parameters it computes, networks it refuses, and its helpers."""
import sys
from dataclasses import replace

import numpy as np
import pytest

from hwsim.chips import load_chip
from hwsim.errors import HwsimError, UnsupportedError
from hwsim.interop.lava import LOIHI_ARITHMETIC, export_graph, lava_spec, to_lava
from hwsim.interop.lava_cases import load_cases, save_cases
from hwsim.interop.lava_env import PATCH, patch_file
from hwsim.ir import load_graph
from hwsim.models.digits import bundled_model_path
from hwsim.quantize import QInput, QPopulation, QProjection, QuantizedNetwork
from lava_networks import random_network


def _pop(size=3, **fields):
    values = dict(syn_factor=3685, mem_factor=3072, v_th=100 << 6, bias=0)
    values.update(fields)
    arrays = {k: np.broadcast_to(np.asarray(v, dtype=np.int64), (size,)).copy() for k, v in values.items()}
    return QPopulation(name="p", model="lif", size=size, offset=0, has_threshold=True,
                       v_reset=np.zeros(size, dtype=np.int64),
                       refractory_steps=np.zeros(size, dtype=np.int64), scale=1.0, **arrays)


def _net(pop=None, weight=(2, -4), pre=(0, 1), post=(0, 1), delay=(1, 1), shift=0, arithmetic=LOIHI_ARITHMETIC):
    pop = _pop() if pop is None else pop
    proj = QProjection("in", "p", np.array(pre), np.array(post), np.array(weight), np.array(delay), shift)
    return QuantizedNetwork(arithmetic, (QInput("in", 2, 0, "spike"),), (pop,), (proj,), 2, pop.size)


def test_registers_follow_lava():
    pop = _pop(bias=[5, 3 << 12, -4096 << 7])     # the smallest exponent whose mantissa fits 13 bits
    spec = lava_spec(_net(pop, weight=(2, -4), delay=(1, 3), shift=-2))
    lif = spec.lifs[0]
    assert (lif.du, lif.dv, lif.vth) == (4095 - 3685, 4096 - 3072, 100)
    assert lif.bias_mant.tolist() == [5, 3072, -4096] and lif.bias_exp.tolist() == [0, 2, 7]
    conn = spec.conns[0]
    assert (conn.kind, conn.sign_mode, conn.weight_exp) == ("DelayDense", "MIXED", -2)
    assert conn.weights.tolist() == [[2, 0], [0, -4], [0, 0]]
    assert conn.delays.tolist() == [[0, 0], [0, 2], [0, 0]]     # Lava delay = hwsim delay - 1


@pytest.mark.parametrize("weight, mode, kind", [((3, 255), "EXCITATORY", "Dense"), ((-255, -1), "INHIBITORY", "Dense"),
                                                ((0, 0), "EXCITATORY", "Dense")])
def test_sign_modes_keep_single_sign_mantissas(weight, mode, kind):
    conn = lava_spec(_net(weight=weight)).conns[0]
    assert (conn.sign_mode, conn.kind) == (mode, kind)


def test_no_current_decay_is_du_minus_one():
    assert lava_spec(_net(_pop(syn_factor=4096, mem_factor=4096))).lifs[0].du == -1
    with pytest.raises(UnsupportedError, match=r"syn_factor 4097, mem_factor 4096; expected 0..4096"):
        lava_spec(_net(_pop(syn_factor=4097, mem_factor=4096)))


def test_sparse_below_density():
    pop = _pop(size=10)
    conn = lava_spec(_net(pop, weight=(2, 4)), sparse_below=0.25).conns[0]    # 2 of 20 pairs
    assert conn.kind == "Sparse"


@pytest.mark.parametrize("network, message", [
    (lambda: _net(_pop(syn_factor=[1, 2, 3])), r"population 'p': syn_factor takes 3 values"),
    (lambda: _net(_pop(mem_factor=[1, 1, 3])), r"mem_factor takes 2 values"),
    (lambda: _net(_pop(v_th=[64, 128, 64])), r"v_th takes 2 values .* Lava's LIF holds one per population"),
    (lambda: _net(_pop(v_th=100)), r"v_th 100; expected vth << 6"),
    (lambda: _net(_pop(bias=[4097, 0, 0])), r"neuron 0 has bias 4097"),
    (lambda: _net(replace(_pop(), has_threshold=False, model="li")), r"model 'li' has no threshold"),
    (lambda: _net(replace(_pop(), reset="subtract")), r"reset 'subtract'"),
    (lambda: _net(weight=(3, -4)), r"weight 3 in a MIXED projection; Lava keeps even mantissas in \[-256, 254\]"),
    (lambda: _net(weight=(256, 4)), r"weight 256 in a EXCITATORY projection"),
    (lambda: _net(pre=(0, 0), post=(1, 1)), r"several synapses join the same neuron pair"),
    (lambda: _net(delay=(1, 65)), r"delays in \[1, 65\]; Lava's DelayDense takes 1..64"),
    (lambda: _net(arithmetic=replace(LOIHI_ARITHMETIC, rounding=1)), r"Lava's bit-accurate Loihi models compute"),
], ids=["du", "dv", "vth", "vth-lsb", "bias", "li", "subtract", "mixed-odd", "exc-range", "duplicate", "delay",
        "arithmetic"])
def test_refusals_are_named(network, message):
    with pytest.raises(UnsupportedError, match=message):
        lava_spec(network())


def test_without_lava_the_error_says_how_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "lava", None)       # makes `import lava...` fail even where it is installed
    with pytest.raises(UnsupportedError, match=r"Lava is not importable .*'python -m hwsim.interop.lava_env'"):
        to_lava(_net(), np.zeros((4, 2)))
    graph = load_graph(bundled_model_path("digits_snn"))
    with pytest.raises(UnsupportedError, match="hwsim.interop.lava_env"):   # quantised and checked first
        export_graph(graph, load_chip("loihi"), np.zeros((24, 64)))


def test_cases_round_trip(tmp_path):
    cases = [random_network(seed, 20) for seed in (0, 1)]
    save_cases(tmp_path / "c.npz", cases)
    loaded = load_cases(tmp_path / "c.npz")
    for (qnet, spikes), (back, back_spikes) in zip(cases, loaded):
        np.testing.assert_array_equal(spikes, back_spikes)
        assert back.arithmetic == qnet.arithmetic and back.inputs == qnet.inputs
        for a, b in zip(qnet.populations + qnet.projections, back.populations + back.projections):
            for name, value in a.__dict__.items():
                np.testing.assert_array_equal(getattr(b, name), value, err_msg=name)


def test_lava_patch_is_idempotent(tmp_path):
    path = tmp_path / "var_model.py"
    path.write_text(f"from dataclasses import dataclass\n\n\n{PATCH[1]}\n    base: int = 0\n")
    assert patch_file(path) is True
    patched = path.read_text()
    assert PATCH[2] in patched
    assert patch_file(path) is False and path.read_text() == patched
    path.write_text("class Other:\n    pass\n")
    with pytest.raises(HwsimError, match="neither the original nor the patched ByteEncoder"):
        patch_file(path)
