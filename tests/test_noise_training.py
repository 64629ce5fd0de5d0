"""Noise-aware training: the trainer's noisy instances come from hwsim.noise, its dynamic draws behave
as specified, and training with a NoiseSpec is deterministic and really different from clean training."""
from dataclasses import replace

import numpy as np
import pytest

from hwsim.errors import SpecError, UnsupportedError
from hwsim.models import noise_training as nt
from hwsim.models import train_digits as td
from hwsim.noise import load_noise
from hwsim.sweep import SweepResult, plot_comparison

CONFIG = td.SnnConfig(n_hidden=12, epochs=2, batch_size=32)


def _weights(seed=0):
    rng = np.random.default_rng(seed)
    return [rng.normal(0, 0.3, (CONFIG.n_hidden, td.N_FEATURES)), rng.normal(0, 0.3, (td.N_CLASSES, CONFIG.n_hidden))]


def _spec(*sources):
    return load_noise({"sources": list(sources)})


def test_without_static_noise_the_chain_is_the_trained_one():
    weights = _weights()
    chain = nt.noisy_chain(td.build_snn_graph(weights, CONFIG, {}), _spec({"kind": "spike_drop", "probability": 0.5}),
                           seed=3)
    for params, w in zip(chain, weights):
        np.testing.assert_array_equal(params["weight"], w)
        np.testing.assert_array_equal(params["v_th"], 1.0)
        np.testing.assert_array_equal(params["decay_mem"], CONFIG.decay_mem)


def test_static_noise_is_hwsims_own_definition():
    """stuck_at_zero draws exactly round(fraction * n_synapses) synapses over both projections."""
    weights = _weights()
    n = sum(w.size for w in weights)
    chain = nt.noisy_chain(td.build_snn_graph(weights, CONFIG, {}), _spec({"kind": "stuck_at_zero", "fraction": 0.25}),
                           seed=1)
    zeroed = sum(int(np.sum((p["weight"] == 0) & (w != 0))) for p, w in zip(chain, weights))
    assert zeroed == round(0.25 * n)
    again = nt.noisy_chain(td.build_snn_graph(weights, CONFIG, {}), _spec({"kind": "stuck_at_zero", "fraction": 0.25}),
                           seed=1)
    for a, b in zip(chain, again):
        np.testing.assert_array_equal(a["weight"], b["weight"])


def test_forward_noise_draws_what_the_spec_says():
    spec = _spec({"kind": "spike_drop", "probability": 0.3}, {"kind": "membrane_noise", "sigma": 0.2})
    noise = nt.forward_noise(spec, [np.ones(50), np.full(10, 2.0)], 64, 20, 40, np.random.default_rng(0))
    assert [d.shape for d in noise.delivered] == [(20, 40, 64), (20, 40, 50)]
    assert abs(np.mean(noise.delivered[0]) - 0.7) < 0.01
    assert abs(np.std(noise.membrane[0]) - 0.2) < 0.01 and abs(np.std(noise.membrane[1]) - 0.4) < 0.03
    np.testing.assert_array_equal(noise.current[1], 0.0)
    assert nt.forward_noise(_spec({"kind": "weight_variation", "sigma": 0.1}), [np.ones(2)], 1, 2, 1,
                            np.random.default_rng(0)) is None


def test_dropped_spikes_never_arrive_and_carry_no_gradient():
    weights = _weights()
    raster = np.ones((4, CONFIG.n_steps, td.N_FEATURES), dtype=np.uint8)
    layers = [td.make_lif_layer(w, CONFIG) for w in weights]
    all_dropped = nt.ForwardNoise([np.zeros((CONFIG.n_steps, 4, n)) for n in (64, CONFIG.n_hidden)],
                                  [np.zeros((CONFIG.n_steps, 4, n)) for n in (CONFIG.n_hidden, 10)],
                                  [np.zeros((CONFIG.n_steps, 4, n)) for n in (CONFIG.n_hidden, 10)])
    trace = td.simulate_snn(raster, layers, all_dropped)
    assert all(np.all(x == 0) for x, _, _ in trace)
    g_h, g_o = td.snn_gradients(weights, raster, np.arange(4), CONFIG, layers, all_dropped)
    np.testing.assert_array_equal(g_h, 0.0)
    np.testing.assert_array_equal(g_o, 0.0)


def test_clean_gradients_are_unchanged_by_the_hook():
    weights = _weights()
    raster = (np.random.default_rng(2).random((8, CONFIG.n_steps, 64)) < 0.3).astype(np.uint8)
    labels = np.arange(8) % 10
    default = td.snn_gradients(weights, raster, labels, CONFIG)
    explicit = td.snn_gradients(weights, raster, labels, CONFIG, [td.make_lif_layer(w, CONFIG) for w in weights],
                                nt.ForwardNoise([np.ones((CONFIG.n_steps, 8, n)) for n in (64, CONFIG.n_hidden)],
                                                [np.zeros((CONFIG.n_steps, 8, n)) for n in (CONFIG.n_hidden, 10)],
                                                [np.zeros((CONFIG.n_steps, 8, n)) for n in (CONFIG.n_hidden, 10)]))
    for a, b in zip(default, explicit):
        np.testing.assert_allclose(a, b, rtol=0, atol=1e-15)


def test_noise_aware_training_is_seeded_and_differs_from_clean_training():
    x, y, _, _ = td.load_digits_split()
    x, y = x[:256], y[:256]
    spec = _spec({"kind": "weight_variation", "sigma": 0.3}, {"kind": "dead_neurons", "fraction": 0.1},
                 {"kind": "spike_drop", "probability": 0.2})
    a = td.train_snn(x, y, CONFIG, np.random.default_rng(5), spec)
    b = td.train_snn(x, y, CONFIG, np.random.default_rng(5), spec)
    clean = td.train_snn(x, y, CONFIG, np.random.default_rng(5))
    for wa, wb, wc in zip(a, b, clean):
        np.testing.assert_array_equal(wa, wb)
        assert np.all(np.isfinite(wa)) and not np.array_equal(wa, wc)


@pytest.mark.parametrize("kind,params", [("spike_jitter", {"probability": 0.1}), ("state_bit_flips", {"rate": 0.01})])
def test_kinds_the_trainer_cannot_draw_are_refused(kind, params):
    with pytest.raises(UnsupportedError, match=f"noise-aware training: kind '{kind}'"):
        td.train_snn(np.zeros((2, 64)), np.zeros(2, int), CONFIG, np.random.default_rng(0),
                     _spec({"kind": kind, **params}))


def _result(kind="weight_variation", param="sigma", model="m"):
    levels = [{"value": v, "accuracy_mean": a, "accuracy_ci95_low": a - 0.01, "accuracy_ci95_high": a + 0.01}
              for v, a in ((0.0, 0.9), (0.5, 0.8))]
    return SweepResult(kind, param, [0.0, 0.5], 2, 0, [], levels, model, "loihi")


def test_comparison_plot_overlays_sweeps_of_one_axis(tmp_path):
    path = plot_comparison([_result(), _result(model="n")], ["before", "after"], tmp_path / "cmp.png")
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    with pytest.raises(SpecError, match="expected one noise kind and parameter"):
        plot_comparison([_result(), _result(kind="stuck_at_zero", param="fraction")], ["a", "b"], tmp_path / "x.png")
    with pytest.raises(SpecError, match="expected one label per sweep"):
        plot_comparison([_result()], ["a", "b"], tmp_path / "x.png")


def test_sweep_json_round_trips_and_bad_files_are_named(tmp_path):
    original = replace(_result(), sweep_hash="abc")
    original.to_json(tmp_path / "sweep.json")
    assert SweepResult.from_json(tmp_path / "sweep.json") == original
    (tmp_path / "bad.json").write_text("{\"kind\": 1}")
    with pytest.raises(SpecError, match="bad.json: not a sweep result"):
        SweepResult.from_json(tmp_path / "bad.json")
    with pytest.raises(SpecError, match="missing.json: not found"):
        SweepResult.from_json(tmp_path / "missing.json")


# ------------------------------------------------------------------ the MLP trainer (printed circuit)
MLP = td.MlpConfig(epochs=3)


def _mlp_params(seed=0):
    rng = np.random.default_rng(seed)
    return {"w_h": rng.normal(0, 0.3, (10, 64)), "b_h": rng.normal(0, 0.1, 10),
            "w_o": rng.normal(0, 0.3, (10, 10)), "b_o": rng.normal(0, 0.1, 10)}


def test_noise_free_mlp_instance_is_the_quantised_circuit():
    from hwsim.chips import load_chip
    params = _mlp_params()
    x = np.random.default_rng(1).random((50, 64))
    layers = nt.noisy_mlp(td.build_mlp_graph(params, {}), load_chip("printed_egfet"), None, 0, x)
    for (w, b), key in zip(layers, ("h", "o")):
        step = np.max(np.abs(params[f"w_{key}"])) / 127           # one 8-bit weight unit
        assert np.max(np.abs(w - params[f"w_{key}"])) <= 0.5 * step + 1e-12
        np.testing.assert_allclose(w / step, np.round(w / step), atol=1e-9)


def test_mlp_instance_applies_hwsims_noise_in_the_chips_integers():
    from hwsim.chips import load_chip
    params = _mlp_params()
    x = np.random.default_rng(1).random((50, 64))
    spec = _spec({"kind": "stuck_at_zero", "fraction": 0.2}, {"kind": "dead_neurons", "fraction": 0.1})
    layers = nt.noisy_mlp(td.build_mlp_graph(params, {}), load_chip("printed_egfet"), spec, 3, x)
    dead = sum(int(np.sum(np.all(w == 0, axis=1) & (b == 0))) for w, b in layers)
    assert dead == round(0.1 * 20)
    with pytest.raises(UnsupportedError, match="noise-aware MLP training: kind 'spike_drop'"):
        nt.noisy_mlp(td.build_mlp_graph(params, {}), load_chip("printed_egfet"),
                     _spec({"kind": "spike_drop", "probability": 0.1}), 0, x)


def test_noise_aware_mlp_training_is_seeded_and_differs_from_clean_training():
    x, y, _, _ = td.load_digits_split()
    spec = _spec({"kind": "weight_variation", "sigma": 0.2, "lognormal": True})
    a = td.train_mlp(x[:300], y[:300], MLP, np.random.default_rng(2), spec)
    b = td.train_mlp(x[:300], y[:300], MLP, np.random.default_rng(2), spec)
    clean = td.train_mlp(x[:300], y[:300], MLP, np.random.default_rng(2))
    for key in a:
        np.testing.assert_array_equal(a[key], b[key])
        assert not np.array_equal(a[key], clean[key])
