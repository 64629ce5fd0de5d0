"""Static hardware noise (hwsim.noise): each kind's effect as arithmetic or exact statistics,
number formats, seeding, validation (one bad input per rule) and end-to-end runs."""
from pathlib import Path

import numpy as np
import pytest
import yaml

import hwsim
from hwsim.chips import load_chip
from hwsim.errors import SpecError, UnsupportedError
from hwsim.noise import NoiseSpec, apply_noise, load_noise
from hwsim.quantize import quantize_mlp, quantize_spiking

ROOT = Path(__file__).resolve().parent.parent
N_IN, N_A, N_B = 20, 20, 10          # 400 mixed-sign synapses in->a, 200 excitatory a->b


def _graph():
    rng = np.random.default_rng(7)
    g = hwsim.Graph("noise_toy")
    g.add_input("in", N_IN)
    g.add_population("a", N_A, "lif", v_th=1.0, decay_syn=0.5, decay_mem=0.25)
    g.add_population("b", N_B, "lif", v_th=2.0, decay_syn=1.0, decay_mem=0.0)
    g.add_population("r", 3, "li", decay_syn=1.0, decay_mem=0.1)
    w_a = rng.uniform(0.2, 1.0, (N_A, N_IN)) * rng.choice([-1.0, 1.0], (N_A, N_IN))
    g.add_projection("in", "a", w_a)
    g.add_projection("a", "b", rng.uniform(0.2, 1.0, (N_B, N_A)))
    g.add_projection("b", "r", rng.uniform(0.2, 1.0, (3, N_B)))
    g.add_output("out", "b")
    return g


@pytest.fixture(scope="module")
def graph():
    return _graph()


@pytest.fixture(scope="module", params=["loihi", "spinnaker", "ideal"])
def chip_q(request, graph):
    chip = load_chip(request.param)
    return chip, quantize_spiking(graph, chip)


def spec(*sources):
    return load_noise({"version": 1, "sources": [dict(s) for s in sources]})


def _weights(q):
    return np.concatenate([p.weight for p in q.projections])


def _same(a, b):
    """Byte-identical quantised networks (every array of every record)."""
    for pa, pb in zip(a.projections, b.projections):
        if pa.weight.dtype != pb.weight.dtype or not np.array_equal(pa.weight, pb.weight):
            return False
    for pa, pb in zip(a.populations, b.populations):
        for name in ("v_th", "syn_factor", "mem_factor", "refractory_steps", "bias"):
            x, y = getattr(pa, name), getattr(pb, name)
            if x.dtype != y.dtype or x.tobytes() != y.tobytes():
                return False
    return True


def _in_range(q, chip):
    """Weights keep the dtype and the register range of the chip (Loihi: each projection's sign mode)."""
    for p in q.projections:
        if q.is_float:
            assert p.weight.dtype == np.float64
            continue
        assert p.weight.dtype.kind == "i"
        bits = chip.arithmetic.weight_bits
        if chip.arithmetic.weight_encoding == "signed":
            assert np.all(np.abs(p.weight) <= (1 << (bits - 1)) - 1)
        else:
            assert np.all(p.weight >= -(1 << bits)) and np.all(p.weight <= (1 << bits) - 1)


# ---------------------------------------------------------------------------------------------
# Identity, seeding, order


LEVEL_ZERO = [{"kind": "weight_variation", "sigma": 0.0}, {"kind": "weight_variation", "sigma": 0.0, "lognormal": True},
              {"kind": "stuck_at_zero", "fraction": 0.0}, {"kind": "stuck_at_max", "fraction": 0.0},
              {"kind": "dead_neurons", "fraction": 0.0}, {"kind": "stuck_on_neurons", "fraction": 0.0},
              {"kind": "threshold_mismatch", "sigma": 0.0}, {"kind": "leak_mismatch", "sigma": 0.0}]


@pytest.mark.parametrize("source", LEVEL_ZERO, ids=lambda s: s["kind"])
def test_zero_level_noise_is_the_identity(chip_q, source):
    chip, q = chip_q
    assert _same(apply_noise(q, spec(source), chip, seed=3), q)


def test_zero_bit_flip_rate_is_the_identity_and_none_returns_the_network(chip_q):
    chip, q = chip_q
    assert apply_noise(q, None, chip, 0) is q and apply_noise(q, NoiseSpec(), chip, 0) is q
    if not q.is_float:
        assert _same(apply_noise(q, spec({"kind": "weight_bit_flips", "rate": 0.0}), chip, 1), q)


ALL_STATIC = [{"kind": "weight_variation", "sigma": 0.2}, {"kind": "stuck_at_zero", "fraction": 0.1},
              {"kind": "stuck_at_max", "fraction": 0.05}, {"kind": "threshold_mismatch", "sigma": 0.1},
              {"kind": "leak_mismatch", "sigma": 0.1}, {"kind": "dead_neurons", "fraction": 0.1},
              {"kind": "stuck_on_neurons", "fraction": 0.1}, {"kind": "weight_quantization", "bits": 4}]


def test_same_seed_same_arrays_different_seed_different(chip_q):
    chip, q = chip_q
    s = spec(*ALL_STATIC)
    assert _same(apply_noise(q, s, chip, 5), apply_noise(q, s, chip, 5))
    assert not _same(apply_noise(q, s, chip, 5), apply_noise(q, s, chip, 6))
    _in_range(apply_noise(q, s, chip, 5), chip)


def test_spec_order_does_not_matter(chip_q):
    chip, q = chip_q
    assert _same(apply_noise(q, spec(*ALL_STATIC), chip, 9), apply_noise(q, spec(*ALL_STATIC[::-1]), chip, 9))


def test_a_sources_draws_do_not_depend_on_the_other_sources(chip_q):
    chip, q = chip_q
    alone = apply_noise(q, spec({"kind": "stuck_at_zero", "fraction": 0.2}), chip, 4)
    with_more = apply_noise(q, spec({"kind": "threshold_mismatch", "sigma": 0.3},
                                    {"kind": "stuck_at_zero", "fraction": 0.2},
                                    {"kind": "dead_neurons", "fraction": 0.5}), chip, 4)
    assert np.array_equal(_weights(alone) == 0, _weights(with_more) == 0)


# ---------------------------------------------------------------------------------------------
# Each kind


def test_stuck_at_zero_zeroes_exactly_round_fraction_times_synapses(chip_q):
    chip, q = chip_q
    before = _weights(q)
    assert before.size == 400 + 200 + 30 and np.count_nonzero(before == 0) == 0
    after = _weights(apply_noise(q, spec({"kind": "stuck_at_zero", "fraction": 0.25}), chip, 0))
    assert np.count_nonzero(after == 0) == round(0.25 * 630)
    assert np.array_equal(after[after != 0], before[after != 0])     # the others untouched


def test_stuck_at_max_forces_the_register_extreme_with_the_sign_kept(chip_q):
    chip, q = chip_q
    noisy = apply_noise(q, spec({"kind": "stuck_at_max", "fraction": 0.1}), chip, 2)
    n_hit = 0
    for p, r in zip(q.projections, noisy.projections):
        if q.is_float:
            top, low = np.max(np.abs(p.weight)), -np.max(np.abs(p.weight))
        elif chip.arithmetic.weight_encoding == "signed":
            top = (1 << (chip.arithmetic.weight_bits - 1)) - 1
            low = -top
        else:   # Loihi: mixed projection [-256, 254], excitatory [0, 255]
            mixed = p.weight.min() < 0 < p.weight.max()
            top, low = (254, -256) if mixed else (255, -255)
        changed = r.weight != p.weight
        assert np.all(np.where(p.weight[changed] > 0, r.weight[changed] == top, r.weight[changed] == low))
        n_hit += np.count_nonzero((r.weight == top) | (r.weight == low))
    assert round(0.1 * 630) <= n_hit <= round(0.1 * 630) + sum(
        np.count_nonzero(np.abs(p.weight) == np.max(np.abs(p.weight))) + 1 for p in q.projections)


def test_loihi_sign_modes_of_the_programmed_weights_are_kept():
    chip = load_chip("loihi")
    g = hwsim.Graph("inhibitory")
    g.add_input("in", 4)
    g.add_population("a", 5, "lif", v_th=1.0)
    g.add_projection("in", "a", -np.linspace(0.1, 1.0, 20).reshape(5, 4))
    g.add_output("out", "a")
    q = quantize_spiking(g, chip)
    noisy = apply_noise(q, spec({"kind": "stuck_at_zero", "fraction": 1.0}, {"kind": "stuck_at_max", "fraction": 1.0}),
                        chip, 0)
    assert np.all(noisy.projections[0].weight == -255)   # all-zero after the first fault, still inhibitory
    flipped = apply_noise(q, spec({"kind": "weight_bit_flips", "rate": 0.5}), chip, 0)
    assert flipped.projections[0].weight.max() <= 0


def test_specs_pickle_and_compare_as_values():
    import pickle
    s = load_noise(ROOT / "models" / "noise" / "example.yaml")
    assert pickle.loads(pickle.dumps(s)) == s
    assert s.with_param("weight_variation", "sigma", 0.05) == s != s.with_param("weight_variation", "sigma", 0.06)


def test_weight_variation_relative_has_the_stated_statistics():
    chip = load_chip("ideal")
    q = quantize_spiking(_graph(), chip)
    ratios = []
    for seed in range(20):
        noisy = apply_noise(q, spec({"kind": "weight_variation", "sigma": 0.1}), chip, seed)
        ratios.append(_weights(noisy) / _weights(q) - 1.0)
    ratios = np.concatenate(ratios)                       # 12600 draws of 0.1 * N(0, 1)
    assert abs(ratios.mean()) < 4 * 0.1 / np.sqrt(ratios.size)
    assert ratios.std() == pytest.approx(0.1, rel=0.03)


def test_weight_variation_lognormal_and_absolute():
    chip = load_chip("ideal")
    q = quantize_spiking(_graph(), chip)
    w = _weights(q)
    logn = _weights(apply_noise(q, spec({"kind": "weight_variation", "sigma": 0.2, "lognormal": True}), chip, 1))
    assert np.all(np.sign(logn) == np.sign(w))            # a log-normal factor never flips a sign
    assert np.log(logn / w).std() == pytest.approx(0.2, rel=0.1)
    absolute = apply_noise(q, spec({"kind": "weight_variation", "sigma": 0.1, "relative": False}), chip, 1)
    first = q.projections[0]
    delta = absolute.projections[0].weight - first.weight  # std = sigma * max|w| of the projection
    assert delta.std() == pytest.approx(0.1 * np.max(np.abs(first.weight)), rel=0.15)


def test_weight_variation_on_integer_chips_rounds_and_clips(graph):
    chip = load_chip("loihi")
    q = quantize_spiking(graph, chip)
    noisy = apply_noise(q, spec({"kind": "weight_variation", "sigma": 3.0}), chip, 0)
    _in_range(noisy, chip)
    mixed, excit = noisy.projections[0].weight, noisy.projections[1].weight
    assert np.all(mixed % 2 == 0)                          # Loihi's mixed mode drops the LSB
    assert excit.min() >= 0 and excit.max() == 255         # excitatory mode stays excitatory, clipped at 255


def test_weight_quantization_keeps_bits_signed_levels_of_max_abs(graph):
    chip = load_chip("ideal")
    q = quantize_spiking(graph, chip)
    noisy = apply_noise(q, spec({"kind": "weight_quantization", "bits": 3}), chip, 0)
    for p, r in zip(q.projections, noisy.projections):
        peak = np.max(np.abs(p.weight))
        assert np.allclose(r.weight, np.round(p.weight / peak * 3) * peak / 3)
        assert len(np.unique(r.weight)) <= 7
    binary = apply_noise(q, spec({"kind": "weight_quantization", "bits": 1}), chip, 0)
    assert np.array_equal(np.abs(binary.projections[1].weight), np.full(200, np.max(np.abs(q.projections[1].weight))))


def test_weight_bit_flips_flip_binomially_many_bits_in_range(graph):
    chip = load_chip("loihi")
    q = quantize_spiking(graph, chip)
    rate, total = 0.05, 0
    n_bits = 630 * 8
    for seed in range(5):
        noisy = apply_noise(q, spec({"kind": "weight_bit_flips", "rate": rate}), chip, seed)
        _in_range(noisy, chip)
        for p, r in zip(q.projections, noisy.projections):
            mixed = p.weight.min() < 0 < p.weight.max()
            if mixed:
                old, new = (p.weight // 2) & 0xFF, (r.weight // 2) & 0xFF
            else:
                old, new = np.abs(p.weight), np.abs(r.weight)
            total += sum(bin(int(v)).count("1") for v in old ^ new)
    mean, sd = 5 * n_bits * rate, np.sqrt(5 * n_bits * rate * (1 - rate))
    assert abs(total - mean) < 5 * sd


def test_weight_bit_flips_twos_complement_on_signed_chips(graph):
    chip = load_chip("spinnaker")
    q = quantize_spiking(graph, chip)
    noisy = apply_noise(q, spec({"kind": "weight_bit_flips", "rate": 1.0}), chip, 0)
    for p, r in zip(q.projections, noisy.projections):   # every bit flipped: ~w = -w - 1 (16-bit)
        assert np.array_equal(r.weight, np.maximum(-p.weight - 1, -(1 << 15) + 1))


def test_threshold_mismatch_stays_on_the_threshold_grid(chip_q):
    chip, q = chip_q
    noisy = apply_noise(q, spec({"kind": "threshold_mismatch", "sigma": 0.5}), chip, 0)
    a, r = noisy.populations[0], noisy.populations[2]
    assert np.array_equal(r.v_th, q.populations[2].v_th)      # li: no threshold
    assert np.all(a.v_th >= 0)
    if not q.is_float:
        unit = 1 << chip.arithmetic.threshold_shift
        assert a.v_th.dtype == np.int64 and np.all(a.v_th % unit == 0)
        assert np.all(a.v_th <= ((1 << chip.arithmetic.threshold_bits) - 1) * unit)
    assert len(np.unique(a.v_th)) > 10


def test_threshold_mismatch_relative_statistics_on_the_float_chip():
    chip = load_chip("ideal")
    big = hwsim.Graph("big")
    big.add_input("in", 1)
    big.add_population("p", 5000, "lif", v_th=2.0)
    big.add_projection("in", "p", np.ones((5000, 1)))
    big.add_output("out", "p")
    q = quantize_spiking(big, chip)
    v_th = apply_noise(q, spec({"kind": "threshold_mismatch", "sigma": 0.05}), chip, 0).populations[0].v_th
    assert (v_th / 2.0 - 1).std() == pytest.approx(0.05, rel=0.05)


def test_leak_mismatch_keeps_decays_in_the_register(chip_q):
    chip, q = chip_q
    noisy = apply_noise(q, spec({"kind": "leak_mismatch", "sigma": 2.0}), chip, 0)
    full = 1.0 if q.is_float else 1 << chip.arithmetic.decay_bits
    for p, r in zip(q.populations, noisy.populations):
        for name in ("syn_factor", "mem_factor"):
            new, old = getattr(r, name), getattr(p, name)
            assert new.dtype == old.dtype and np.all((new >= 0) & (new <= full))
            assert np.all(new[old == full] == full)               # no decay stays no decay (relative)
    b = noisy.populations[1]
    assert np.all(b.mem_factor == full)                            # IF: decay_mem = 0


@pytest.mark.parametrize("kind", ["dead_neurons", "stuck_on_neurons"])
def test_neuron_faults_hit_exactly_round_fraction_of_spiking_neurons(chip_q, kind):
    chip, q = chip_q
    noisy = apply_noise(q, spec({"kind": kind, "fraction": 0.3}), chip, 0)
    changed = sum(np.count_nonzero(r.v_th != p.v_th) for p, r in zip(q.populations, noisy.populations))
    assert changed == round(0.3 * (N_A + N_B))                     # the li readout is not eligible
    assert np.array_equal(noisy.populations[2].v_th, q.populations[2].v_th)


# ---------------------------------------------------------------------------------------------
# Dead and stuck-on neurons in real runs


def _fault_graph(reset):
    rng = np.random.default_rng(3)
    g = hwsim.Graph("faults")
    g.add_input("in", 6)
    g.add_population("a", 12, "lif", v_th=1.0, decay_syn=0.5, decay_mem=0.2, reset=reset)
    g.add_projection("in", "a", rng.uniform(-2.0, 2.0, (12, 6)))
    g.add_output("out", "a")
    return g


@pytest.mark.parametrize("chip_name,reset", [("loihi", "value"), ("spinnaker", "value"),
                                             ("ideal", "subtract"), ("ideal", "subtract_next")])
def test_dead_never_spike_and_stuck_on_spike_every_step_in_a_run(chip_name, reset):
    chip, g = load_chip(chip_name), _fault_graph(reset)
    raster = (np.random.default_rng(0).random((8, 30, 6)) < 0.4).astype(np.uint8)
    clean = hwsim.run(g, chip, raster).readout
    assert 0 < clean.mean() < 30
    q = quantize_spiking(g, chip)
    for kind, expected in (("dead_neurons", 0), ("stuck_on_neurons", 30)):
        s = spec({"kind": kind, "fraction": 0.25})
        hit = apply_noise(q, s, chip, 11).populations[0].v_th != q.populations[0].v_th
        assert np.count_nonzero(hit) == 3
        counts = hwsim.run(g, chip, raster, noise=s, seed=11).readout
        assert np.all(counts[:, hit] == expected)
        assert np.array_equal(counts[:, ~hit], clean[:, ~hit])  # one layer: the others are unaffected


# ---------------------------------------------------------------------------------------------
# Printed MLP


@pytest.fixture(scope="module")
def mlp():
    from hwsim.cli import _bundled_model
    from hwsim.models.digits import load_digits_split
    x_train, _, x_test, y_test = load_digits_split(0.2, 0)
    chip = load_chip("printed_egfet")
    graph = _bundled_model("digits_mlp.npz")
    return graph, chip, quantize_mlp(graph, chip, x_train), x_train, x_test[:60], y_test[:60]


def test_printed_drift_scales_weights_and_biases(mlp):
    graph, chip, q, *_ = mlp
    top = (1 << (chip.arithmetic.weight_bits - 1)) - 1
    noisy = apply_noise(q, spec({"kind": "printed_drift", "sigma": 0.0, "drift": 0.1}), chip, 0)
    for a, b in zip(q.layers, noisy.layers):
        assert b.weight.dtype == np.int64 and b.bias.dtype == np.int64
        assert np.array_equal(b.weight, np.clip(np.round(a.weight * 1.1), -top, top))
        assert np.array_equal(b.bias, np.round(a.bias * 1.1))


def test_mlp_dead_and_stuck_on_rows_and_weight_kinds(mlp):
    graph, chip, q, *_ = mlp
    dead = apply_noise(q, spec({"kind": "dead_neurons", "fraction": 0.5}), chip, 0)
    n_rows = sum(layer.weight.shape[0] for layer in q.layers)
    zero_rows = sum(np.count_nonzero(~layer.weight.any(axis=1) & (layer.bias == 0)) for layer in dead.layers)
    assert zero_rows == round(0.5 * n_rows)
    stuck = apply_noise(q, spec({"kind": "stuck_on_neurons", "fraction": 1.0}), chip, 0)
    hidden = stuck.layers[0]
    assert np.all(hidden.weight == 0) and np.all(hidden.bias >> hidden.shift == hidden.act_max)
    noisy = apply_noise(q, spec({"kind": "weight_variation", "sigma": 0.5, "lognormal": True}), chip, 0)
    top = (1 << (chip.arithmetic.weight_bits - 1)) - 1
    assert all(layer.weight.dtype == np.int64 and np.abs(layer.weight).max() <= top for layer in noisy.layers)


def test_kinds_refused_where_they_do_not_apply(mlp, graph):
    _, printed, q_mlp, *_ = mlp
    for kind, extra in (("threshold_mismatch", {"sigma": 0.1}), ("weight_bit_flips", {"rate": 0.1})):
        with pytest.raises(UnsupportedError, match=f"'{kind}': not supported on a MAC"):
            apply_noise(q_mlp, spec({"kind": kind, **extra}), printed, 0)
    loihi = load_chip("loihi")
    with pytest.raises(UnsupportedError, match="'printed_drift': not supported on a spiking chip"):
        apply_noise(quantize_spiking(graph, loihi), spec({"kind": "printed_drift", "sigma": 0.1, "drift": 0.0}),
                    loihi, 0)
    ideal = load_chip("ideal")
    with pytest.raises(UnsupportedError, match="stores float64 weights"):
        apply_noise(quantize_spiking(graph, ideal), spec({"kind": "weight_bit_flips", "rate": 0.1}), ideal, 0)


def test_mlp_run_with_noise_records_it(mlp):
    graph, chip, _, x_train, x, y = mlp
    s = spec({"kind": "printed_drift", "sigma": 0.05, "drift": -0.1})
    a = hwsim.run(graph, chip, x, y, calibration=x_train, noise=s, seed=2)
    b = hwsim.run(graph, chip, x, y, calibration=x_train, noise=s, seed=2)
    assert a.report.to_json() == b.report.to_json()
    assert a.report.noise == {"version": 1, "sources": [{"kind": "printed_drift", "sigma": 0.05, "drift": -0.1}],
                              "seed": 2}
    assert "- static noise (seed 2): printed_drift, sigma=0.05, drift=-0.1" in a.report.to_markdown()
    assert "static noise" not in hwsim.run(graph, chip, x, y, calibration=x_train).report.to_markdown()


# ---------------------------------------------------------------------------------------------
# Pipeline


@pytest.fixture(scope="module")
def digits_snn():
    from hwsim.cli import _bundled_model
    from hwsim.models.digits import load_digits_split
    _, _, x_test, y_test = load_digits_split(0.2, 0)
    return _bundled_model("digits_snn.npz"), load_chip("loihi"), x_test[:60], y_test[:60]


def test_without_noise_the_run_is_unchanged(digits_snn):
    graph, chip, x, y = digits_snn
    plain = hwsim.run(graph, chip, x, y)
    none = hwsim.run(graph, chip, x, y, noise=None, seed=123)
    empty = hwsim.run(graph, chip, x, y, noise=NoiseSpec(), seed=0)
    assert plain.report.to_json() == none.report.to_json()
    assert plain.report.noise == {} and '"noise": {}' in plain.report.to_json()
    assert np.array_equal(plain.readout, empty.readout) and np.array_equal(plain.predictions, empty.predictions)
    zero = hwsim.run(graph, chip, x, y, noise=spec({"kind": "weight_variation", "sigma": 0.0}), seed=4)
    assert np.array_equal(plain.readout, zero.readout)
    assert zero.report.energy_per_inference_uj == plain.report.energy_per_inference_uj


def test_digits_snn_loses_accuracy_as_weight_variation_grows(digits_snn):
    graph, chip, x, y = digits_snn
    base = load_noise(ROOT / "models" / "noise" / "example.yaml").with_param("weight_variation", "sigma", 0.0)
    base = NoiseSpec(1, (base.source("weight_variation"),))

    def accuracy(sigma):
        s = base.with_param("weight_variation", "sigma", sigma)
        return np.mean([hwsim.run(graph, chip, x, y, noise=s, seed=seed).report.accuracy for seed in range(3)])

    clean, mild, strong = accuracy(0.0), accuracy(0.1), accuracy(0.5)
    assert strong < clean
    assert strong <= mild <= clean + 1 / 60


# ---------------------------------------------------------------------------------------------
# Loading and validation (one bad input per rule)


def test_example_file_loads_and_round_trips():
    s = load_noise(ROOT / "models" / "noise" / "example.yaml")
    assert s.kinds == ("weight_variation", "threshold_mismatch", "leak_mismatch", "stuck_at_zero", "dead_neurons")
    assert load_noise(s.to_dict()) == s
    assert s.with_param("stuck_at_zero", "fraction", 0.5).source("stuck_at_zero").params == {"fraction": 0.5}
    assert s.source("stuck_at_zero").params == {"fraction": 0.001}            # unchanged: specs are values
    assert load_noise({"sources": [{"kind": "weight_variation", "sigma": 1}]}).sources[0].params == \
        {"sigma": 1.0, "relative": True, "lognormal": False}                  # defaults filled, ints as floats


BAD = [
    ({"sources": [{"kind": "weight_varation", "sigma": 0.1}]},
     r"sources\[0\]\.kind: unknown kind 'weight_varation'.*Did you mean 'weight_variation'"),
    ({"sources": [{"kind": "weight_variation", "sigmaa": 0.1}]},
     r"sources\[0\]\.sigmaa: unknown parameter of 'weight_variation'.*Did you mean 'sigma'"),
    ({"sources": [{"kind": "weight_variation", "sigma": "0.1"}]},
     r"sources\[0\]\.sigma: found '0.1' \(str\); expected a number"),
    ({"sources": [{"kind": "weight_variation", "sigma": True}]}, r"sources\[0\]\.sigma: found True \(bool\)"),
    ({"sources": [{"kind": "weight_variation", "sigma": -0.1}]},
     r"sources\[0\]\.sigma: found -0.1.*expected a number in \[0\.0, 1000\.0\]"),
    ({"sources": [{"kind": "weight_variation", "sigma": 0.1, "relative": "yes"}]},
     r"sources\[0\]\.relative: found 'yes' \(str\); expected true or false"),
    ({"sources": [{"kind": "stuck_at_zero", "fraction": 1.5}]}, r"sources\[0\]\.fraction: found 1.5.*\[0.0, 1.0\]"),
    ({"sources": [{"kind": "weight_quantization", "bits": 0}]}, r"sources\[0\]\.bits: found 0.*integer in \[1, 32\]"),
    ({"sources": [{"kind": "weight_quantization", "bits": 10 ** 9}]},
     r"sources\[0\]\.bits: found 1000000000.*integer in \[1, 32\]"),
    ({"sources": [{"kind": "spike_jitter", "probability": 0.1, "max_steps": 10 ** 9}]},
     r"max_steps: found 1000000000.*integer in \[1, 1024\]"),
    ({"sources": [{"kind": "weight_variation", "sigma": 10 ** 400}]}, r"sigma: found 1000000000000.*\(int\); expected a number in \[0\.0, 1000\.0\]"),
    ({"sources": [{"kind": "weight_quantization", "bits": 4.5}]}, r"sources\[0\]\.bits: found 4.5 \(float\)"),
    ({"sources": [{"kind": "printed_drift", "sigma": 0.1}]}, r"sources\[0\]\.drift: missing"),
    ({"sources": [{"kind": "printed_drift", "sigma": 0.1, "drift": -2}]}, r"sources\[0\]\.drift: found -2.0"),
    ({"sources": [{"kind": "dead_neurons", "fraction": 0.1}, {"kind": "dead_neurons", "fraction": 0.2}]},
     r"sources\[1\]\.kind: 'dead_neurons' again"),
    ({"sources": [{"kind": "weight_variation", "sigma": 0.1, "lognormal": True, "relative": False}]},
     r"sources\[0\]\.relative: false with lognormal"),
    ({"sources": [{"sigma": 0.1}]}, r"sources\[0\]: no 'kind'"),
    ({"sources": ["weight_variation"]}, r"sources\[0\]: found 'weight_variation' \(str\)"),
    ({"sources": {"kind": "weight_variation"}}, r"sources: found .*expected a list"),
    ({"version": 2, "sources": []}, r"version: found 2"),
    ({"sources": [], "source": []}, r"source: unknown key.*Did you mean 'sources'"),
    ([1, 2], r"\(top level\): found \[1, 2\]"),
    ({"sources": [{"kind": "stuck_at_zero", "fraction": float("nan")}]}, r"fraction: found nan"),
]


@pytest.mark.parametrize("raw,match", BAD, ids=range(len(BAD)))
def test_bad_specs_are_spec_errors_naming_the_key_path(raw, match):
    with pytest.raises(SpecError, match=match):
        load_noise(raw) if isinstance(raw, dict) else hwsim.noise.spec._validate(raw, hwsim.chips._File("noise spec"))


def test_file_errors_name_the_file(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump({"version": 1, "sources": [{"kind": "stuck_at_max", "fraction": 2}]}))
    with pytest.raises(SpecError, match=r"bad\.yaml: sources\[0\]\.fraction: found 2"):
        load_noise(path)
    with pytest.raises(SpecError, match=r"missing\.yaml: \(file\): not found"):
        load_noise(tmp_path / "missing.yaml")
    path.write_text("version: 1\nversion: 1\nsources: []\n")
    with pytest.raises(SpecError, match="duplicate key 'version'"):
        load_noise(path)
    with pytest.raises(SpecError, match="load_noise: found 3"):
        load_noise(3)


def test_with_param_validates_and_names_missing_kinds():
    s = spec({"kind": "weight_variation", "sigma": 0.1})
    with pytest.raises(SpecError, match=r"kind 'weight_varation' is not in this spec.*Did you mean 'weight_variation'"):
        s.with_param("weight_varation", "sigma", 0.2)
    with pytest.raises(SpecError, match=r"sources\[0\]\.sigma: found -1.0"):
        s.with_param("weight_variation", "sigma", -1.0)
    with pytest.raises(SpecError, match=r"sources\[0\]\.sigmx: unknown parameter"):
        s.with_param("weight_variation", "sigmx", 0.2)
    with pytest.raises(SpecError, match="seed"):
        apply_noise(quantize_spiking(_graph(), load_chip("ideal")), s, load_chip("ideal"), seed=-1)


def test_direct_construction_is_validated_too():
    from hwsim.noise import NoiseSource
    with pytest.raises(SpecError, match=r"NoiseSpec: sources\[0\]\.fraction"):
        NoiseSpec(1, (NoiseSource("stuck_at_zero", {"fraction": -1.0}),))
    assert NoiseSpec(1, (NoiseSource("stuck_at_zero", {"fraction": 0.5}),)).sources[0].params == {"fraction": 0.5}
