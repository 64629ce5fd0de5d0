"""Every snnTorch neuron x reset x reset_delay, with spike and with direct (current) input, against
snnTorch's own recording (``models/data/snntorch``, made by ``models/fixtures/make_snntorch_matrix.py``
with snnTorch 1.0.0: its exporter's .nir, its forward pass in float64).

Each network is imported as a user would (``convention="snntorch"``, snnTorch's ``reset_mechanism`` and
``reset_delay``, the input kind) and run on the float ``ideal`` chip through ``hwsim.run``; every layer's
spikes must equal snnTorch's, and so must the output spike counts and the stored membranes (and Synaptic
currents) after the last step: bit for bit in feed-forward networks, within a few float64 roundings in
recurrent ones (snnTorch adds ``W_rec s + b_rec`` after ``beta * mem + (W x + b)``; hwsim sums every input
into the current first).
"""
import json
from pathlib import Path

import numpy as np
import pytest

import hwsim
from hwsim.interop.nir import import_nir

DATA = Path(__file__).resolve().parents[1] / "models" / "data" / "snntorch"
INDEX = json.loads((DATA / "index.json").read_text())
NETWORKS = {net["name"]: net for net in INDEX["networks"]}
IDEAL = hwsim.load_chip("ideal")


def _import(net: dict, **reset):
    kind = "current" if net["input_kind"] == "current" else "spike"
    reset = reset or {"reset_mechanism": net["reset_mechanism"], "reset_delay": net["reset_delay"]}
    return import_nir(DATA / f"{net['name']}.nir", INDEX["dt_s"], "snntorch", min_delay_steps=0, input_kind=kind,
                      **reset)


def _layer_key(node: str) -> str:
    return node.split(".")[0]          # NIR node "1.lif" (RLeaky, RSynaptic) records as "1"


def test_the_matrix_is_complete():
    combos = {(n["neuron"], n["reset_mechanism"], n["reset_delay"], n["input_kind"]) for n in NETWORKS.values()}
    assert len(combos) == 4 * 3 * 2 * 2
    assert "conv_subtract_nodelay_current" in NETWORKS


@pytest.mark.parametrize("name", sorted(NETWORKS))
def test_ideal_chip_reproduces_snntorch(name):
    net = NETWORKS[name]
    expected = np.load(DATA / f"{name}.expected.npz")
    graph = _import(net)
    result = hwsim.run(graph, IDEAL, expected["input"], record=("spikes", "v", "u"))
    atol = 1e-13 if net["neuron"].startswith("R") else 0.0
    for node in net["spiking_nodes"]:
        key = _layer_key(node)
        got = result.recorded["spikes"][node].reshape(expected[f"spk_{key}"].shape)
        mismatches = int(np.count_nonzero(got != expected[f"spk_{key}"]))
        assert mismatches == 0, f"{name} layer {node}: {mismatches} differing spikes"
        np.testing.assert_allclose(result.recorded["v"][node], expected[f"mem_{key}"], rtol=0, atol=atol,
                                   err_msg=f"{name} layer {node}: final membrane")
        if f"syn_{key}" in expected.files:
            np.testing.assert_allclose(result.recorded["u"][node][:, 0], expected[f"syn_{key}"], rtol=0, atol=atol,
                                       err_msg=f"{name} layer {node}: final synaptic current")
    np.testing.assert_array_equal(result.readout, expected["counts"])


def test_raised_subtraction_is_what_makes_the_conv_model_exact():
    """The conv model (subtract, reset_delay=False, direct input) keeps stored membranes above threshold; the
    textbook same-step subtraction (IR "subtract") then differs from snnTorch, "subtract_raised" does not."""
    net = NETWORKS["conv_subtract_nodelay_current"]
    assert sum(net["stored_mem_above_threshold_40"].values()) > 0
    expected = np.load(DATA / f"{net['name']}.expected.npz")
    out = _layer_key(net["spiking_nodes"][-1])
    textbook = hwsim.run(_import(net, reset="subtract"), IDEAL, expected["input"], record="spikes")
    raised = hwsim.run(_import(net), IDEAL, expected["input"], record="spikes")
    layer = net["spiking_nodes"][-1]
    assert np.count_nonzero(textbook.recorded["spikes"][layer] != expected[f"spk_{out}"]) > 0
    assert np.count_nonzero(raised.recorded["spikes"][layer] != expected[f"spk_{out}"]) == 0
