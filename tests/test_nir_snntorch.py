"""Spike agreement of imported snnTorch NIR fixtures with snnTorch's recorded spikes.

Three levels:

1. The imported IR, simulated by a plain-numpy float64 transcription of :mod:`hwsim.ir`'s
   semantics (below), reproduces snnTorch's spikes exactly, layer by layer: this checks the
   importer (discretisation, gains, biases, reset, latency) independently of the chips.
2. The same graph run through hwsim's pipeline on ``chips/ideal.yaml`` (float64, delay 0) gives
   the same spikes and the same accuracy.
3. On ``chips/loihi.yaml`` (quantised, ``min_delay_steps`` 1, reset to zero only) the accuracy over
   the whole digits test split stays within ``LOIHI_MARGIN`` of snnTorch's float accuracy.
"""
import json
from pathlib import Path

import numpy as np
import pytest

import hwsim
from hwsim.interop.nir import import_nir

FIXTURES = Path(__file__).resolve().parents[1] / "models" / "data" / "nir"
NAMES = ("leaky_ff", "leaky_ff_zero", "synaptic_ff", "rleaky", "conv")
LOIHI_MARGIN = 0.05       # quantised (Loihi) accuracy vs snnTorch's float accuracy over the 360 test samples


def fixture(name):
    meta = json.loads((FIXTURES / f"{name}.json").read_text())
    with np.load(FIXTURES / f"{name}.expected.npz", allow_pickle=False) as data:
        expected = {k: data[k] for k in data.files}
    layers = [entry for entry in meta["layers"] if "reset_mechanism" in entry]
    mech = layers[0]["reset_mechanism"]
    reset = "value" if mech == "zero" else ("subtract_next" if layers[0]["reset_delay"] else "subtract")
    return meta, expected, layers, reset


def simulate_ir(graph, raster):
    """float64 numpy simulation of hwsim.ir's discrete-time semantics; ``{population: spikes (S, T, n)}``."""
    raster = np.asarray(raster, dtype=np.float64)
    n_samples, n_steps, _ = raster.shape
    pops = {p.name: p for p in graph.populations()}
    spikes = {name: np.zeros((n_samples, n_steps, p.size)) for name, p in pops.items()}
    sources, offset = dict(spikes), 0
    for inp in graph.inputs():
        sources[inp.name] = raster[:, :, offset:offset + inp.size]
        offset += inp.size
    incoming = {}
    for name, pop in pops.items():
        incoming[name] = []
        for proj in graph.incoming(name):
            pre, post, w, d = proj.synapses()
            for delay in np.unique(d):
                sel = d == delay
                mat = np.zeros((pop.size, graph.node(proj.pre).size))
                mat[post[sel], pre[sel]] = w[sel]
                incoming[name].append((proj.pre, int(delay), mat))
    i = {name: np.zeros((n_samples, p.size)) for name, p in pops.items()}
    v = {name: np.zeros((n_samples, p.size)) for name, p in pops.items()}
    pending = {name: np.zeros((n_samples, p.size)) for name, p in pops.items()}
    order = graph.update_order()
    for t in range(n_steps):
        for name in order:
            pop, prm = pops[name], pops[name].params
            x = np.zeros((n_samples, pop.size))
            for src, delay, mat in incoming[name]:
                if t >= delay:
                    x += sources[src][:, t - delay] @ mat.T
            if pop.model in ("lif", "li"):
                i[name] = (1 - prm["decay_syn"]) * i[name] + x + prm["bias_syn"]
                v[name] = (1 - prm["decay_mem"]) * v[name] + i[name] + prm["bias"]
            else:
                v[name] = v[name] + x + prm["bias"]
            if pop.model == "li":
                continue
            if pop.reset == "subtract_next":
                v[name] = v[name] - prm["v_th"] * pending[name]
            s = (v[name] > prm["v_th"]).astype(np.float64)
            spikes[name][:, t] = s
            if pop.reset == "value":
                v[name] = np.where(s > 0, prm["v_reset"], v[name])
            elif pop.reset == "subtract":
                v[name] = v[name] - prm["v_th"] * s
            else:
                pending[name] = s
    return spikes


@pytest.mark.parametrize("name", NAMES)
def test_imported_ir_semantics_reproduce_snntorch_spikes(name):
    meta, expected, layers, reset = fixture(name)
    graph = import_nir(FIXTURES / f"{name}.nir", meta["dt_s"], "snntorch", reset=reset, min_delay_steps=0)
    got = simulate_ir(graph, expected["input"])
    for layer in layers:
        ref = expected[f"spk_{layer['index']}"]
        mismatches = int(np.count_nonzero(got[layer["nir_node"]] != ref))
        print(f"{name} layer {layer['nir_node']}: {mismatches} / {ref.size} spike mismatches "
              f"({int(ref.sum())} snnTorch spikes)")
        assert mismatches == 0


def _layer_rasters(graph, chip, raster):
    """Per-population spike rasters of ``graph`` on ``chip`` (pipeline stages, record_raster=True)."""
    placement = hwsim.map_graph(graph, chip)
    qnet = hwsim.quantize_spiking(graph, chip)
    arrays = hwsim.lower_spiking(qnet, placement, chip.capacity.bits_per_synapse, chip.capacity.memory_word_bits)
    result = hwsim.simulate_spiking(arrays, raster, record_raster=True)
    offsets = graph.neuron_offsets()
    return {p.name: result.raster[:, :, offsets[p.name]:offsets[p.name] + p.size] for p in graph.populations()}


def _test_split(graph):
    from hwsim.models.digits import load_digits_split

    _, _, x_test, y_test = load_digits_split(0.2, 0)
    return hwsim.rate_encode(x_test, 25, "regular"), y_test


@pytest.mark.parametrize("name", NAMES)
def test_ideal_chip_reproduces_snntorch_spikes(name):
    meta, expected, layers, reset = fixture(name)
    chip = hwsim.load_chip("ideal")
    graph = import_nir(FIXTURES / f"{name}.nir", meta["dt_s"], "snntorch", reset=reset,
                       min_delay_steps=int(getattr(chip.capacity, "min_delay_steps", 1)))
    got = _layer_rasters(graph, chip, expected["input"])
    for layer in layers:
        ref = expected[f"spk_{layer['index']}"]
        mismatches = int(np.count_nonzero(got[layer["nir_node"]] != ref))
        print(f"{name} on ideal, layer {layer['nir_node']}: {mismatches} / {ref.size} spike mismatches")
        assert mismatches == 0
    run40 = hwsim.run(graph, chip, expected["input"], expected["y"])
    np.testing.assert_array_equal(run40.predictions, expected["pred_hwsim_rule"])
    raster, y = _test_split(graph)
    full = hwsim.run(graph, chip, raster, y)
    print(f"{name} on ideal: accuracy {full.report.accuracy:.4f} (snnTorch, same tie rule: "
          f"{meta['accuracy']['float64_hwsim_rule_360']:.4f})")
    assert full.report.accuracy == pytest.approx(meta["accuracy"]["float64_hwsim_rule_360"], abs=1e-12)


def _bias_syn_into_v(graph):
    """Loihi's bias enters v: replace ``bias_syn`` by its steady-state effect ``bias_syn / decay_syn`` on v
    (an approximation during the first 1/decay_syn steps; snnTorch's Synaptic layers have such biases)."""
    header, arrays = graph.to_arrays()
    for node in header["nodes"]:
        if node.get("model") == "lif":
            key = f"node/{node['name']}/"
            arrays[key + "bias"] = arrays[key + "bias"] + (arrays[key + "bias_syn"] / arrays[key + "decay_syn"]).sum(0)
            arrays[key + "bias_syn"] = np.zeros_like(arrays[key + "bias_syn"])
    return type(graph).from_arrays(header, arrays)


@pytest.mark.parametrize("name", NAMES)
def test_loihi_accuracy_within_margin(name):
    meta, _, _, _ = fixture(name)
    chip = hwsim.load_chip("loihi")
    # Loihi resets to zero only, and every projection takes >= 1 step (capacity.min_delay_steps).
    graph = import_nir(FIXTURES / f"{name}.nir", meta["dt_s"], "snntorch", reset="value",
                       min_delay_steps=int(getattr(chip.capacity, "min_delay_steps", 1)))
    graph = _bias_syn_into_v(graph)
    raster, y = _test_split(graph)
    accuracy = hwsim.run(graph, chip, raster, y).report.accuracy
    reference = meta["accuracy"]["float64_first_max_360"]
    print(f"{name} on loihi: accuracy {accuracy:.4f} vs snnTorch float {reference:.4f}")
    assert accuracy >= reference - LOIHI_MARGIN
