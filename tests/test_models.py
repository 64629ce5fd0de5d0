"""The bundled digits models, their data split, the rate encoder and the training-time model."""
from __future__ import annotations

import numpy as np
import pytest

from hwsim.encoding import rate_encode
from hwsim.errors import SpecError
from hwsim.ir import load_graph
from hwsim.models import train_digits as td
from hwsim.models.digits import BUNDLED_MODELS, bundled_model_path, load_digits_split

TASK_KEYS = {"task", "dataset", "split", "feature_scale", "n_steps", "encoding", "readout", "prediction",
             "training_seed", "training", "fake_quantisation", "test_accuracy_float",
             "test_accuracy_fake_quantised"}


@pytest.fixture(scope="module")
def split():
    return load_digits_split()


@pytest.fixture(scope="module")
def snn():
    return load_graph(bundled_model_path("digits_snn"))


@pytest.fixture(scope="module")
def mlp():
    return load_graph(bundled_model_path("digits_mlp"))


# ------------------------------------------------------------------ bundled graphs
@pytest.mark.parametrize("name", BUNDLED_MODELS)
def test_bundled_graph_loads_validates_and_is_small(name):
    path = bundled_model_path(name)
    graph = load_graph(path).validate()
    assert graph.name == name
    assert path.stat().st_size < 200 * 1024
    assert TASK_KEYS <= set(graph.metadata)
    meta = graph.metadata
    assert (meta["task"], meta["dataset"]) == ("digits", "sklearn.datasets.load_digits")
    assert meta["split"] == {"test_fraction": 0.2, "seed": 0, "stratified": True}
    assert meta["feature_scale"] == 1 / 16


def test_snn_structure(snn):
    (inp,), (hidden, output), (readout,) = snn.inputs(), snn.populations(), snn.outputs()
    n_hidden = snn.metadata["training"]["n_hidden"]
    assert (inp.name, inp.size, inp.kind) == ("pixels", 64, "spike")
    assert (hidden.size, output.size) == (n_hidden, 10)
    for pop in (hidden, output):
        assert (pop.model, pop.reset) == ("lif", "value")
        np.testing.assert_array_equal(pop.params["v_th"], 1.0)
        np.testing.assert_array_equal(pop.params["v_reset"], 0.0)
        np.testing.assert_array_equal(pop.params["decay_syn"], 1.0)  # i[t] = x[t]
        np.testing.assert_array_equal(pop.params["bias"], 0.0)
        np.testing.assert_array_equal(pop.params["refractory_steps"], 0.0)
    shapes = {(p.pre, p.post): p.weight.shape for p in snn.projections()}
    assert shapes == {("pixels", "hidden"): (n_hidden, 64), ("hidden", "output"): (10, n_hidden)}
    assert all(np.all(p.delay_steps == 1) for p in snn.projections())
    assert (readout.source, readout.readout) == ("output", "spike_count")
    meta = snn.metadata
    assert meta["encoding"] == "regular" and 20 <= meta["n_steps"] <= 40
    assert meta["n_steps"] == meta["training"]["n_steps"]
    assert min(meta["test_accuracy_float"], meta["test_accuracy_fake_quantised"]) >= 0.93
    assert set(meta["test_mean_spikes_per_sample"]) == {"input", "hidden", "output"}
    assert meta["test_max_abs_input_v_th"] < 8  # inside Loihi's 24-bit current range (8 v_th)


def test_mlp_structure(mlp):
    (inp,), (hidden, output), (readout,) = mlp.inputs(), mlp.populations(), mlp.outputs()
    assert (inp.name, inp.size, inp.kind) == ("pixels", 64, "value")
    assert hidden.model == "relu" and 8 <= hidden.size <= 20
    assert (output.model, output.size) == ("identity", 10)
    assert (readout.source, readout.readout) == ("output", "value")
    assert not mlp.is_spiking()
    assert mlp.metadata["n_steps"] == 1
    assert min(mlp.metadata["test_accuracy_float"], mlp.metadata["test_accuracy_fake_quantised"]) >= 0.90


def test_recorded_snn_accuracies_are_reproduced(snn, split):
    _, _, x_test, y_test = split
    one_sample = 1.0 / len(y_test)
    measured = td.evaluate_snn(snn, x_test, y_test)
    quantised = td.evaluate_snn(snn, x_test, y_test, fake_quantise=True)
    assert measured["accuracy"] == pytest.approx(snn.metadata["test_accuracy_float"], abs=one_sample)
    recorded_quantised = snn.metadata["test_accuracy_fake_quantised"]
    assert quantised["accuracy"] == pytest.approx(recorded_quantised, abs=one_sample)
    recorded = snn.metadata["test_mean_spikes_per_sample"]
    for layer, value in measured["mean_spikes_per_sample"].items():
        assert value == pytest.approx(recorded[layer], rel=1e-2)


def test_recorded_mlp_accuracies_are_reproduced(mlp, split):
    x_train, _, x_test, y_test = split
    one_sample = 1.0 / len(y_test)
    measured = td.evaluate_mlp(mlp, x_train, x_test, y_test)
    assert measured["accuracy_float"] == pytest.approx(mlp.metadata["test_accuracy_float"], abs=one_sample)
    assert measured["accuracy_fake_quantised"] == pytest.approx(
        mlp.metadata["test_accuracy_fake_quantised"], abs=one_sample)
    assert measured["hidden_shift"] == mlp.metadata["hidden_shift"]


def test_unknown_bundled_model_names_the_options():
    with pytest.raises(SpecError, match="digits_snn.*Did you mean 'digits_snn'"):
        bundled_model_path("digits_sn")


# ------------------------------------------------------------------ data split
def test_split_is_deterministic_scaled_and_stratified(split):
    x_train, y_train, x_test, y_test = split
    again = load_digits_split()
    for a, b in zip(split, again):
        np.testing.assert_array_equal(a, b)
    assert (x_train.shape, x_test.shape) == ((1437, 64), (360, 64))  # 1797 samples, ceil(0.2 * 1797) = 360
    for x in (x_train, x_test):
        assert x.min() == 0.0 and x.max() == 1.0
        np.testing.assert_array_equal(x * 16, np.round(x * 16))  # pixels 0..16 scaled by 1/16
    total = np.bincount(np.concatenate([y_train, y_test]), minlength=10)
    assert np.all(np.abs(np.bincount(y_test, minlength=10) - 0.2 * total) <= 1)
    other = load_digits_split(seed=1)
    assert not np.array_equal(other[3], y_test)


@pytest.mark.parametrize("kwargs, message", [
    ({"test_fraction": 0.0}, "test_fraction=0.0; expected a number in \\(0, 1\\)"),
    ({"test_fraction": 1.5}, "test_fraction=1.5"),
    ({"seed": "zero"}, "seed='zero'; expected an integer"),
])
def test_split_rejects_bad_arguments(kwargs, message):
    with pytest.raises(SpecError, match=message):
        load_digits_split(**kwargs)


# ------------------------------------------------------------------ rate encoding
def test_regular_spike_counts_are_floor_of_steps_times_rate():
    p = np.array([[0.0, 1 / 16, 0.25, 0.5, 0.7, 1.0]])
    raster = rate_encode(p, 24)
    assert raster.dtype == np.uint8 and raster.shape == (1, 24, 6)
    # floor(24 * p): 0, floor(1.5) = 1, 6, 12, floor(16.8) = 16, 24
    np.testing.assert_array_equal(raster.sum(axis=1), [[0, 1, 6, 12, 16, 24]])


def test_regular_spikes_fall_where_the_phase_wraps():
    raster = rate_encode(np.array([[0.25, 0.5]]), 8)
    # p = 0.25 spikes when floor((t+1)/4) > floor(t/4): t = 3, 7; p = 0.5 at odd t
    np.testing.assert_array_equal(raster[0, :, 0], [0, 0, 0, 1, 0, 0, 0, 1])
    np.testing.assert_array_equal(raster[0, :, 1], [0, 1, 0, 1, 0, 1, 0, 1])


def test_bernoulli_is_reproducible_per_seed_and_has_the_requested_rate():
    x = np.array([[0.0, 0.3, 1.0]] * 4)
    first = rate_encode(x, 500, "bernoulli", seed=7)
    np.testing.assert_array_equal(first, rate_encode(x, 500, "bernoulli", seed=7))
    assert not np.array_equal(first, rate_encode(x, 500, "bernoulli", seed=8))
    assert first.dtype == np.uint8 and first.shape == (4, 500, 3)
    assert first[:, :, 0].sum() == 0 and first[:, :, 2].sum() == 4 * 500
    assert abs(first[:, :, 1].mean() - 0.3) < 0.03  # 2000 draws: std 0.01


@pytest.mark.parametrize("x, n_steps, method, seed, message", [
    (np.array([[0.5, 1.2]]), 10, "regular", None, "1 value\\(s\\) of x outside \\[0, 1\\]"),
    (np.array([[-0.1]]), 10, "regular", None, "outside \\[0, 1\\]"),
    (np.array([[np.nan, 0.5]]), 10, "regular", None, "1 NaN value"),
    (np.array([0.5, 0.5]), 10, "regular", None, "x has 1 dimension\\(s\\).*expected 2"),
    ([["a"]], 10, "regular", None, "could not be read as numbers"),
    (np.array([[0.5]]), 0, "regular", None, "n_steps=0; expected an integer >= 1"),
    (np.array([[0.5]]), 2.5, "regular", None, "n_steps=2.5"),
    (np.array([[0.5]]), 10, "poisson", None, "method 'poisson'; expected one of: bernoulli, regular"),
    (np.array([[0.5]]), 10, "regualr", None, "Did you mean 'regular'"),
    (np.array([[0.5]]), 10, "bernoulli", None, "'bernoulli' without a seed"),
])
def test_rate_encode_rejects_bad_inputs(x, n_steps, method, seed, message):
    with pytest.raises(SpecError, match=message):
        rate_encode(x, n_steps, method, seed)


# ------------------------------------------------------------------ training-time model
def _layer(weight, decay_mem=0.0):
    weight = np.asarray(weight, dtype=float)
    n = weight.shape[0]
    return td.LifLayer(weight, np.ones(n), np.full(n, decay_mem),
                       np.zeros(n), np.ones(n), np.zeros(n))


def test_each_projection_adds_one_step_and_threshold_is_strict():
    raster = np.zeros((1, 5, 1), dtype=np.uint8)
    raster[0, 0, 0] = 1  # one input spike at step 0
    (_, _, s_hidden), (_, v_out, s_out) = td.simulate_snn(raster, [_layer([[1.5]]), _layer([[1.0], [1.25]])])
    np.testing.assert_array_equal(s_hidden[:, 0, 0], [0, 1, 0, 0, 0])   # arrives at step 1, 1.5 > 1
    np.testing.assert_array_equal(s_out[:, 0, 1], [0, 0, 1, 0, 0])      # arrives at step 2, 1.25 > 1
    np.testing.assert_array_equal(s_out[:, 0, 0], 0)                    # v = 1.0 is not > v_th = 1
    np.testing.assert_array_equal(v_out[:, 0, 0], [0, 0, 1.0, 1.0, 1.0])  # no leak, no spike: held


def test_membrane_leaks_then_resets_to_zero():
    raster = np.ones((1, 4, 1), dtype=np.uint8)  # spikes at steps 0..2 arrive at 1..3; step 3's never
    ((_, v, s),) = td.simulate_snn(raster, [_layer([[0.6]], decay_mem=0.25)])
    # v[1] = 0.6; v[2] = 0.75 * 0.6 + 0.6 = 1.05 > 1 -> spike, reset; v[3] = 0 + 0.6
    np.testing.assert_allclose(v[:, 0, 0], [0.0, 0.6, 1.05, 0.6])
    np.testing.assert_array_equal(s[:, 0, 0], [0, 0, 1, 0])


def test_loihi_fake_quantise_keeps_even_mantissas_of_one_exponent():
    # units = w * 2**14 = 4915.2, -1638.4; exp = ceil(log2(4915.2 / 254)) = 5;
    # mantissas 2 * round(153.6 / 2) = 154, 2 * round(-51.2 / 2) = -52; unit 2**(5 - 14) = 1/512
    np.testing.assert_array_equal(td.loihi_fake_quantise(np.array([0.3, -0.1])), [154 / 512, -52 / 512])
    # single sign: any mantissa, up to 255; exp = ceil(log2(4915.2 / 255)) = 5, round(51.2) = 51
    np.testing.assert_array_equal(td.loihi_fake_quantise(np.array([0.3, 0.1])), [154 / 512, 51 / 512])


def test_ties_go_to_higher_final_membrane_then_lower_index():
    counts = np.array([[3, 5, 5, 1], [2, 2, 0, 0]])
    v_final = np.array([[0.0, 0.2, 0.7, 0.9], [0.5, 0.5, 0.0, 0.0]])
    np.testing.assert_array_equal(td.predict_from_counts(counts, v_final), [2, 0])


def test_integer_mlp_follows_the_printed_mac_rules():
    params = {"w_h": np.array([[1.0, -0.5]]), "b_h": np.array([0.2]),
              "w_o": np.array([[2.0], [-1.0]]), "b_o": np.array([0.0, 0.5])}
    x = np.array([[1.0, 0.0], [0.4, 0.8]])
    model = td.quantise_mlp(params, x)
    # s_h = 1/127: w = [127, round(-63.5) = -64]; b = round(0.2 / (s_h / 15)) = round(381.0) = 381
    np.testing.assert_array_equal(model.w_hidden, [[127, -64]])
    np.testing.assert_array_equal(model.b_hidden, [381])
    # codes [15, 0] and [6, 12]: accumulators 127*15 + 381 = 2286 and 762 - 768 + 381 = 375;
    # 2286 needs 12 bits, so shift 12 - 8 = 4: activations 2286 >> 4 = 142 and 375 >> 4 = 23
    assert model.hidden_shift == 4
    # s_o = 2/127: w_o = [127, -64]; b_o = round(0.5 / (s_o * s_h / 15 * 2**4))
    #   = round(0.5 * 127**2 * 15 / 32) = round(3780.23) = 3780
    np.testing.assert_array_equal(model.w_out, [[127], [-64]])
    np.testing.assert_array_equal(model.b_out, [0, 3780])
    np.testing.assert_array_equal(td.integer_mlp_scores(model, x),
                                  [[127 * 142, -64 * 142 + 3780], [127 * 23, -64 * 23 + 3780]])


def test_default_split_without_sklearn_equals_sklearns_own():
    """The default split reads sklearn's CSV and the stored indices; both equal load_digits + train_test_split."""
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split
    from hwsim.models.digits import FEATURE_SCALE, SPLIT_FILE

    assert SPLIT_FILE.is_file()
    digits = load_digits()
    x, y = digits.data.astype(np.float64) * FEATURE_SCALE, digits.target.astype(np.int64)
    for fraction, seed in ((0.2, 0), (0.3, 1)):
        x_train, x_test, y_train, y_test = train_test_split(x, y, test_size=fraction, random_state=seed, stratify=y)
        for ours, theirs in zip(load_digits_split(fraction, seed), (x_train, y_train, x_test, y_test)):
            assert ours.dtype == theirs.dtype
            np.testing.assert_array_equal(ours, theirs)
