"""hwsim.compile_network: a compiled network runs exactly as its graph does, with or without noise, and bad
combinations of a compiled network with other arguments are refused with a clear error."""
import json

import numpy as np
import pytest

import hwsim
from hwsim.chips import load_chip
from hwsim.cli import _bundled_model
from hwsim.errors import SpecError
from hwsim.models.digits import load_digits_split
from hwsim.noise import NoiseSpec


@pytest.fixture(scope="module")
def digits():
    x_train, _, x_test, y_test = load_digits_split(0.2, 0)
    return x_train, x_test[:24], y_test[:24]


def _same(a, b):
    assert json.dumps(a.report.to_dict(), sort_keys=True) == json.dumps(b.report.to_dict(), sort_keys=True)
    np.testing.assert_array_equal(a.readout, b.readout)


@pytest.mark.parametrize("chip", ["loihi", "ideal", "spinnaker"])
def test_a_compiled_snn_gives_the_graphs_report_byte_for_byte(digits, chip):
    _, x, y = digits
    graph = _bundled_model("digits_snn.npz")
    compiled = hwsim.compile_network(graph, chip)
    _same(hwsim.run(compiled, x=x, labels=y), hwsim.run(graph, chip, x, y))
    _same(hwsim.run(compiled, chip, x, y), hwsim.run(compiled, x=x, labels=y))   # twice: nothing is consumed


def test_a_compiled_network_reapplies_only_its_instances_noise(digits):
    _, x, y = digits
    graph = _bundled_model("digits_snn.npz")
    noise = NoiseSpec(sources=({"kind": "weight_variation", "sigma": 0.2}, {"kind": "membrane_noise", "sigma": 0.05}))
    compiled = hwsim.compile_network(graph, "loihi")
    for seed in (0, 1, 0):
        _same(hwsim.run(compiled, x=x, labels=y, noise=noise, seed=seed),
              hwsim.run(graph, "loihi", x, y, noise=noise, seed=seed))
    assert compiled.instance(None).arrays is compiled.noise_free.arrays   # no static noise: no new lowering


def test_a_compiled_mlp_keeps_its_calibration(digits):
    x_train, x, y = digits
    graph = _bundled_model("digits_mlp.npz")
    compiled = hwsim.compile_network(graph, "printed_egfet", calibration=x_train)
    _same(hwsim.run(compiled, x=x, labels=y), hwsim.run(graph, "printed_egfet", x, y, calibration=x_train))


def test_compiled_networks_refuse_what_would_change_them(digits):
    x_train, x, _ = digits
    compiled = hwsim.compile_network(_bundled_model("digits_snn.npz"), load_chip("loihi"))
    with pytest.raises(SpecError, match=r"run: chip 'spinnaker' for a network compiled for 'loihi'"):
        hwsim.run(compiled, "spinnaker", x)
    with pytest.raises(SpecError, match=r"run: calibration with a compiled network"):
        hwsim.run(compiled, None, x, calibration=x_train)
    with pytest.raises(SpecError, match=r"run: no chip for graph 'digits_snn'"):
        hwsim.run(_bundled_model("digits_snn.npz"), None, x)
