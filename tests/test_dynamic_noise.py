"""Dynamic noise (drawn every step or packet in the kernel): kernel vs the numpy reference on random
networks, determinism and batching, the distributions it draws, and the spec rules."""
import json

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from hwsim.chips import load_chip
from hwsim.errors import GraphError, SpecError, UnsupportedError
from hwsim.ir import Graph, load_graph
from hwsim.kernels.actions import PACKET, SPIKE, SYNOP
from hwsim.lowering import lower_spiking
from hwsim.mapping import map_graph
from hwsim.models.digits import bundled_model_path, load_digits_split
from hwsim.noise import DynamicNoise, dynamic_noise, load_noise
from hwsim.pipeline import run
from hwsim.quantize import quantize_mlp, quantize_spiking
from hwsim.simulate import simulate_spiking
from compare import assert_same, common_synapse_dtypes
from reference import reference_spiking
from strategies import dynamic_noises, quantized_networks, placements, spike_inputs

NOISY = settings(max_examples=120, deadline=None)


@st.composite
def noisy_cases(draw, float_datapath: bool = False):
    qnet = draw(quantized_networks(float_datapath))
    return (qnet, draw(placements(qnet)), draw(spike_inputs(qnet.n_input_channels)),
            draw(st.sampled_from([1, 16])), 64, draw(dynamic_noises(qnet, independent_sd=True)),
            draw(st.integers(0, 1000)))


@NOISY
@given(noisy_cases())
def test_integer_kernel_with_dynamic_noise_matches_reference(case):
    qnet, placement, spikes, bits, word, noise, first = case
    result = simulate_spiking(common_synapse_dtypes(lower_spiking(qnet, placement, bits, word)), spikes,
                              record_raster=True, noise=noise, first_sample=first)
    assert_same(result, reference_spiking(qnet, placement, spikes, bits, word, noise=noise, first_sample=first))


@NOISY
@given(noisy_cases(float_datapath=True))
def test_float_kernel_with_dynamic_noise_matches_reference(case):
    qnet, placement, spikes, bits, word, noise, first = case
    result = simulate_spiking(common_synapse_dtypes(lower_spiking(qnet, placement, bits, word)), spikes,
                              record_raster=True, noise=noise, first_sample=first)
    assert_same(result, reference_spiking(qnet, placement, spikes, bits, word, noise=noise, first_sample=first))


@settings(max_examples=60, deadline=None)
@given(noisy_cases())
def test_draws_depend_on_the_global_sample_not_on_the_batch(case):
    qnet, placement, spikes, bits, word, noise, _ = case
    arrays = common_synapse_dtypes(lower_spiking(qnet, placement, bits, word))
    whole = simulate_spiking(arrays, spikes, record_raster=True, noise=noise)
    for s in range(spikes.shape[0]):
        one = simulate_spiking(arrays, spikes[s:s + 1], record_raster=True, noise=noise, first_sample=s)
        for field in ("counts", "raster", "u_final", "v_final"):
            np.testing.assert_array_equal(getattr(one, field)[0], getattr(whole, field)[s], err_msg=field)


# ---------------------------------------------------------------------------------------------
# Small hand-built networks on the float chip: what the draws look like


def _relay(n_inputs: int, n_out: int, weight: float, decay_mem: float = 0.0, v_th: float = 0.5) -> Graph:
    """Inputs -> one LIF population (dense weights, delay 1), float parameters."""
    g = Graph("relay", dt_s=1e-3)
    g.add_input("x", n_inputs)
    g.add_population("p", n_out, "lif", decay_syn=1.0, decay_mem=decay_mem, v_th=v_th)
    g.add_projection("x", "p", np.full((n_out, n_inputs), weight), delay_steps=1)
    g.add_output("out", "p")
    return g


def _simulate(graph: Graph, spikes: np.ndarray, spec: dict, seed: int, chip: str = "ideal"):
    profile = load_chip(chip)
    q = quantize_spiking(graph, profile)
    placement = map_graph(graph, profile)
    arrays = lower_spiking(q, placement, profile.capacity.bits_per_synapse, profile.capacity.memory_word_bits)
    noise = dynamic_noise(q, load_noise({"sources": [spec]}), profile, seed)
    return simulate_spiking(arrays, spikes, record_raster=True, noise=noise), noise


def test_spike_drop_loses_each_packet_with_its_probability_and_still_counts_what_was_sent():
    graph = _relay(1, 1, weight=1.0)
    spikes = np.ones((400, 10, 1), dtype=np.uint8)
    for p in (0.0, 0.3, 1.0):
        result, _ = _simulate(graph, spikes, {"kind": "spike_drop", "probability": p}, seed=7)
        delivered = result.counts[:, :, SYNOP].sum()
        sent = spikes.sum()
        assert result.counts[:, :, SPIKE].sum() >= sent          # every input spike is still sent and counted
        n = sent + result.spike_count.sum()                       # packets from inputs and from the neuron (none: no fan-out)
        assert result.counts[:, :, PACKET].sum() == sent
        if p == 0.0:
            assert delivered == sent
        elif p == 1.0:
            assert delivered == 0 and result.spike_count.sum() == 0
        else:  # binomial: 4000 packets, sd = sqrt(4000 * 0.3 * 0.7) = 29
            assert abs(delivered - (1 - p) * sent) < 4 * np.sqrt(sent * p * (1 - p)), (delivered, n)


def test_spike_jitter_delays_packets_by_one_to_max_steps_uniformly():
    """One input spike at step 0 into a neuron that fires on any input (delay 1): the neuron's first
    spike is at step 1 + lateness, lateness 0 with probability 1 - p, else uniform in 1..max_steps."""
    graph = _relay(1, 1, weight=1.0)
    spikes = np.zeros((3000, 12, 1), dtype=np.uint8)
    spikes[:, 0, 0] = 1
    result, _ = _simulate(graph, spikes, {"kind": "spike_jitter", "probability": 0.5, "max_steps": 4}, seed=3)
    lateness = result.first_spike[:, 0] - 1
    counts = np.bincount(lateness, minlength=5)
    assert lateness.min() == 0 and lateness.max() == 4 and counts.sum() == 3000
    assert abs(counts[0] - 1500) < 4 * np.sqrt(3000 * 0.25)           # on time with probability 1 - p
    for k in range(1, 5):                                             # each lateness with probability p / 4
        assert abs(counts[k] - 375) < 4 * np.sqrt(3000 * 0.125 * 0.875)


def test_membrane_noise_is_gaussian_with_sigma_times_threshold():
    """No input, no leak memory (decay_mem = 1, so v = noise each step), threshold out of reach: the final
    membranes are independent N(0, (sigma * v_th)^2) draws."""
    graph = _relay(1, 50, weight=0.0, decay_mem=1.0, v_th=1e6)
    spikes = np.zeros((200, 3, 1), dtype=np.uint8)
    result, noise = _simulate(graph, spikes, {"kind": "membrane_noise", "sigma": 0.25}, seed=11)
    np.testing.assert_array_equal(noise.v_noise_sd, np.full(50, 0.25e6))
    z = result.v_final.ravel() / 0.25e6                               # 10 000 draws
    assert abs(z.mean()) < 4 / np.sqrt(z.size)
    assert abs(z.std() - 1.0) < 0.03
    assert abs(np.mean(np.abs(z) < 1.0) - 0.6827) < 0.02             # the normal's one-sigma mass
    assert np.all(result.u_final == 0.0)


def test_current_noise_integer_chip_rounds_half_up_and_reaches_the_membrane():
    graph = _relay(1, 20, weight=0.0, decay_mem=0.5, v_th=1.0)
    spikes = np.zeros((50, 8, 1), dtype=np.uint8)
    result, noise = _simulate(graph, spikes, {"kind": "current_noise", "sigma": 0.3}, seed=5, chip="loihi")
    assert result.u_final.dtype == np.int64 and np.any(result.u_final != 0)
    assert np.any(result.v_final != 0) or result.spike_count.sum() > 0
    assert np.all(noise.v_noise_sd == 0) and np.all(noise.u_noise_sd > 0)


def test_state_bit_flips_at_rate_one_invert_every_bit():
    """Rate 1: every bit of u and v flips at the end of each step; an idle neuron's 0 becomes -1
    (all ones), and the next step's flips act on what the update made of it."""
    graph = _relay(1, 3, weight=0.0, decay_mem=0.0, v_th=1.0)
    spikes = np.zeros((1, 1, 1), dtype=np.uint8)
    result, _ = _simulate(graph, spikes, {"kind": "state_bit_flips", "rate": 1.0}, seed=0, chip="loihi")
    np.testing.assert_array_equal(result.u_final, -1)
    np.testing.assert_array_equal(result.v_final, -1)


# ---------------------------------------------------------------------------------------------
# Through the pipeline: determinism, seeds, errors


@pytest.fixture(scope="module")
def digits():
    graph = load_graph(bundled_model_path("digits_snn"))
    _, _, x, y = load_digits_split()
    return graph, x[:60], y[:60]


def test_same_seed_same_report_byte_for_byte_and_seeds_differ(digits):
    graph, x, y = digits
    spec = load_noise({"sources": [{"kind": "membrane_noise", "sigma": 0.2}, {"kind": "spike_drop", "probability": 0.2},
                                   {"kind": "spike_jitter", "probability": 0.1, "max_steps": 2},
                                   {"kind": "state_bit_flips", "rate": 1e-3}, {"kind": "current_noise", "sigma": 0.1},
                                   {"kind": "weight_variation", "sigma": 0.1}]})
    chip = load_chip("loihi")
    a, b = (json.dumps(run(graph, chip, x, y, noise=spec, seed=4).report.to_dict(), sort_keys=True) for _ in range(2))
    assert a == b
    c = run(graph, chip, x, y, noise=spec, seed=5)
    assert json.dumps(c.report.to_dict(), sort_keys=True) != a
    clean = run(graph, chip, x, y)
    assert clean.report.ops_per_inference["synop"] != c.report.ops_per_inference["synop"]


def test_pipeline_batches_draw_as_one_call(digits, monkeypatch):
    """The pipeline runs the test set in batches; draws follow the global sample index."""
    import hwsim.pipeline as pipeline
    graph, x, y = digits
    spec = load_noise({"sources": [{"kind": "spike_drop", "probability": 0.3}]})
    chip = load_chip("loihi")
    whole = run(graph, chip, x, y, noise=spec, seed=1)
    monkeypatch.setattr(pipeline, "BATCH", 7)
    batched = run(graph, chip, x, y, noise=spec, seed=1)
    np.testing.assert_array_equal(whole.predictions, batched.predictions)
    assert whole.report.to_dict() == batched.report.to_dict()


def test_dynamic_kinds_refused_where_they_cannot_act():
    printed, ideal = load_chip("printed_egfet"), load_chip("ideal")
    mlp = load_graph(bundled_model_path("digits_mlp"))
    with pytest.raises(UnsupportedError, match="'spike_drop': dynamic.*printed_egfet.*static kinds"):
        dynamic_noise(quantize_mlp(mlp, printed), load_noise({"sources": [{"kind": "spike_drop", "probability": 0.1}]}),
                      printed, 0)
    snn = load_graph(bundled_model_path("digits_snn"))
    with pytest.raises(UnsupportedError, match="'state_bit_flips'.*float64 state"):
        dynamic_noise(quantize_spiking(snn, ideal), load_noise({"sources": [{"kind": "state_bit_flips", "rate": 0.1}]}),
                      ideal, 0)


@pytest.mark.parametrize("source,match", [
    ({"kind": "spike_drop", "probability": 1.5}, r"sources\[0\]\.probability: found 1.5 \(float\); expected a number in \[0.0, 1.0\]"),
    ({"kind": "spike_jitter", "probability": 0.1, "max_steps": 0}, r"sources\[0\]\.max_steps: found 0"),
    ({"kind": "membrane_noise", "sigma": -0.1}, r"sources\[0\]\.sigma: found -0.1"),
    ({"kind": "membrane_noise", "sigmma": 0.1}, r"sigmma: unknown parameter.*Did you mean 'sigma'"),
    ({"kind": "spike_jiter", "probability": 0.1}, r"unknown kind 'spike_jiter'.*Did you mean 'spike_jitter'"),
])
def test_bad_dynamic_sources_name_the_key(source, match):
    with pytest.raises(SpecError, match=match):
        load_noise({"sources": [source]})


def test_simulate_checks_the_noise_it_is_given():
    graph = _relay(1, 2, weight=1.0)
    chip = load_chip("ideal")
    q = quantize_spiking(graph, chip)
    arrays = lower_spiking(q, map_graph(graph, chip), 8, 64)
    with pytest.raises(GraphError, match=r"noise.v_noise_sd: shape \(3,\); expected \(2,\)"):
        simulate_spiking(arrays, np.zeros((1, 2, 1), np.uint8),
                         noise=DynamicNoise(np.zeros(5, np.uint64), np.zeros(2), np.zeros(3)))
    with pytest.raises(SpecError, match="first_sample: -1"):
        simulate_spiking(arrays, np.zeros((1, 2, 1), np.uint8), first_sample=-1)


def test_cli_sweeps_a_dynamic_kind_and_compares_sweeps(tmp_path, capsys):
    from hwsim.cli import main
    args = ["noise", "--kind", "spike_drop", "--param", "probability", "--values", "0,0.5", "--instances", "2",
            "--samples", "40", "--chip", "loihi"]
    assert main(args + ["--out", str(tmp_path / "a")]) == 0
    table = capsys.readouterr().out
    rows = [line for line in table.splitlines() if line.startswith("| 0")]
    assert len(rows) == 2 and "| +0.0 % |" in rows[0]
    points = [json.loads(line) for line in (tmp_path / "a" / "points.jsonl").read_text().splitlines()]
    assert {p["value"] for p in points} == {0, 0.5}
    energy = {p["value"]: p["energy_per_inference_uj"] for p in points}
    assert energy[0.5] < energy[0]                    # half the packets lost: less synaptic work
    assert main(["noise-compare", str(tmp_path / "a"), str(tmp_path / "a"), "--labels", "x,y",
                 "--out", str(tmp_path / "c.png")]) == 0
    assert (tmp_path / "c.png").read_bytes()[:4] == b"\x89PNG"
