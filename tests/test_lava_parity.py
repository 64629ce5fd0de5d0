"""Parity with Lava itself: hwsim's Loihi-like arithmetic against Lava 0.10.0's bit-accurate models.

Every case runs through ``hwsim.simulate_spiking`` here and through Lava (``Loihi2SimCfg(
select_tag="fixed_pt")``) in ``.venv-lava``, all cases in one Lava process (``tests/lava_oracle.py``).
Spike rasters of every population and the final u and v must be exactly equal. The Lava
environment is part of the test setup (``python -m hwsim.interop.lava_env``); without it these
tests fail, never skip.

The ``lava_*`` cases are graphs written with Lava's own parameters (``lava_networks.precision_graphs``):
hwsim quantises them with each projection's weight bits, sign mode and exponent, while Lava receives the
raw weights with the same parameters and clips and truncates them itself.

The ``graded_*`` cases (``lava_networks.graded_graphs``) are sigma-delta populations (Lava's ``SigmaDelta``) and
graded Dense, Sparse and DelayDense chains into sigma-delta and LIF populations: their payloads at every step and
their final sigma, activation, residue and error must be exactly equal too.
"""
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from hwsim.chips import load_chip
from hwsim.interop.lava import lava_spec
from hwsim.interop.lava_cases import save_cases
from hwsim.interop.lava_env import lava_python
from hwsim.ir import load_graph
from hwsim.lowering import lower_spiking
from hwsim.mapping import map_graph
from hwsim.models.digits import bundled_model_path, load_digits_split
from hwsim.pipeline import network_inputs
from hwsim.quantize import quantize_spiking
from hwsim.simulate import simulate_spiking
from lava_networks import (SIGN_MODES, V_MAX, extremes_network, graded_chip, graded_graphs, islands_network, lava_raw,
                           placement, precision_graphs, random_network)

N_STEPS = 250
SEEDS = tuple(range(8))
DIGITS_SAMPLES = 4
ORACLE = Path(__file__).with_name("lava_oracle.py")


def _digits():
    """The bundled digits SNN on chips/loihi.yaml and the first test samples, rate-encoded."""
    graph, chip = load_graph(bundled_model_path("digits_snn")), load_chip("loihi")
    _, _, x_test, _ = load_digits_split()
    return graph, chip, network_inputs(graph, x_test[:DIGITS_SAMPLES])[0]


def _cases() -> dict:
    """``{case id: (qnet, input raster (T, channels), placement, the network Lava runs)}`` in a fixed order."""
    cases = {}
    for seed in SEEDS:
        qnet, spikes = random_network(seed, N_STEPS)
        cases[f"random{seed}"] = (qnet, spikes, placement(qnet), qnet)
    for name, build in (("extremes", extremes_network), ("islands", islands_network)):
        qnet, spikes = build(N_STEPS)
        cases[name] = (qnet, spikes, placement(qnet), qnet)
    graph, chip, raster = _digits()
    qnet, digits_placement = quantize_spiking(graph, chip), map_graph(graph, chip)
    for s in range(DIGITS_SAMPLES):
        cases[f"digits{s}"] = (qnet, raster[s], digits_placement, qnet)
    for name, (graph, spikes, n_steps) in precision_graphs().items():
        qnet = quantize_spiking(graph, chip)
        spikes = np.zeros((n_steps, 0), dtype=np.uint8) if spikes is None else spikes
        cases[f"lava_{name}"] = (qnet, spikes, placement(qnet), lava_raw(qnet, graph))
    for name, (graph, spikes, n_steps) in graded_graphs().items():
        qnet = quantize_spiking(graph, graded_chip())
        cases[f"graded_{name}"] = (qnet, spikes, placement(qnet), qnet)
    return cases


CASES = _cases()


def _hwsim(case_id: str):
    qnet, spikes, place, _ = CASES[case_id]
    return simulate_spiking(lower_spiking(qnet, place, 24, 64), spikes[None], record_raster=True)


@pytest.fixture(scope="module")
def lava(tmp_path_factory) -> dict:
    """Run every case through Lava once; ``{case id: {"raster", "u", "v"}}``."""
    python = lava_python()
    if not python.is_file():
        pytest.fail(f"Lava environment missing: {python} does not exist; these parity tests need it. "
                    f"Run 'python -m hwsim.interop.lava_env' once (CI does) and re-run the tests.")
    folder = tmp_path_factory.mktemp("lava")
    save_cases(folder / "in.npz", [(lava_net, spikes) for _, spikes, _, lava_net in CASES.values()])
    proc = subprocess.run([str(python), str(ORACLE), str(folder / "in.npz"), str(folder / "out.npz")],
                          capture_output=True, text=True, timeout=900)
    if proc.returncode != 0:
        pytest.fail(f"Lava oracle failed (exit {proc.returncode}):\n{proc.stdout[-3000:]}\n{proc.stderr[-6000:]}")
    sys.stdout.write(proc.stdout)
    with np.load(folder / "out.npz") as out:
        return {case_id: {key: out[f"case{k}/{key}"] for key in ("raster", "u", "v", "payload", "residue", "error")}
                for k, case_id in enumerate(CASES)}


@pytest.mark.parametrize("case_id", list(CASES))
def test_spikes_and_state_equal_lava(lava, case_id):
    result = _hwsim(case_id)
    qnet = CASES[case_id][0]
    for pop in qnet.populations:
        cols = slice(pop.offset, pop.offset + pop.size)
        np.testing.assert_array_equal(result.raster[0][:, cols], lava[case_id]["raster"][:, cols],
                                      err_msg=f"{case_id}: spikes of '{pop.name}'")
    np.testing.assert_array_equal(result.u_final[0], lava[case_id]["u"], err_msg=f"{case_id}: final u")
    np.testing.assert_array_equal(result.v_final[0], lava[case_id]["v"], err_msg=f"{case_id}: final v")


GRADED = [case_id for case_id in CASES if case_id.startswith("graded_")]


@pytest.mark.parametrize("case_id", GRADED)
def test_graded_payloads_and_sigma_delta_state_equal_lava(lava, case_id):
    result = _hwsim(case_id)
    np.testing.assert_array_equal(result.payload[0], lava[case_id]["payload"], err_msg=f"{case_id}: payloads")
    np.testing.assert_array_equal(result.graded_final[0, 0], lava[case_id]["residue"], err_msg=f"{case_id}: residue")
    np.testing.assert_array_equal(result.graded_final[0, 1], lava[case_id]["error"], err_msg=f"{case_id}: error")


def test_graded_cases_exercise_sigma_delta_and_graded_dense():
    """Thresholds 0..40, exponents up to 6, ReLU and not, cumulative error and not; graded Dense, Sparse and
    DelayDense at 8, 16 and 24 message bits into sigma-delta and LIF populations, a recurrent graded projection;
    payloads beyond 8 bits, negative ones too; every population spikes."""
    specs = {case_id: lava_spec(CASES[case_id][0]) for case_id in GRADED}
    sds = [sd for spec in specs.values() for sd in spec.sigma_deltas]
    assert {sd.vth for sd in sds} >= {0, 1, 3, 10, 40}
    assert {(sd.relu, sd.cum_error) for sd in sds} == {(True, False), (True, True), (False, False), (False, True)}
    assert max(sd.spike_exp for sd in sds) == 3 and max(sd.state_exp for sd in sds) == 6
    graded = [c for spec in specs.values() for c in spec.conns if c.message_bits > 0]
    assert {c.message_bits for c in graded} == {8, 16, 24}
    assert {c.kind for c in graded} == {"Dense", "Sparse", "DelayDense"}
    assert any(c.pre == c.post for c in graded)
    assert any(c.post == "lif" for c in graded)
    for case_id in GRADED:
        qnet = CASES[case_id][0]
        result = _hwsim(case_id)
        for pop in qnet.populations:
            assert result.spike_count[0, pop.offset:pop.offset + pop.size].sum() > 0, (case_id, pop.name)
        payload = result.payload[0]
        assert payload.min() < 0 < payload.max() and np.abs(payload).max() >= 1 << 8


def test_random_cases_cover_every_lava_feature():
    specs = [lava_spec(CASES[f"random{seed}"][0]) for seed in SEEDS]
    conns = [c for spec in specs for c in spec.conns]
    lifs = [lif for spec in specs for lif in spec.lifs]
    assert {-1, 0, 4095} <= {lif.du for lif in lifs} and {0, 4096} <= {lif.dv for lif in lifs}
    assert {c.kind for c in conns} == {"Dense", "Sparse", "DelayDense"}
    assert {c.sign_mode for c in conns} == set(SIGN_MODES)
    assert min(c.weight_exp for c in conns) < 0 < max(c.weight_exp for c in conns)
    assert any(c.pre == c.post for c in conns)                                   # recurrence
    assert any(c.kind == "DelayDense" and c.weight_exp < 0 for c in conns)       # per-column shift matters
    for seed in SEEDS:
        qnet = CASES[f"random{seed}"][0]
        assert all(np.any(p.bias != 0) for p in qnet.populations)
        counts = _hwsim(f"random{seed}").spike_count[0]
        per_population = [int(counts[p.offset:p.offset + p.size].sum()) for p in qnet.populations]
        assert min(per_population) > 0, (seed, per_population)


def test_extremes_saturate_v_and_wrap_u():
    qnet, spikes, _, _ = CASES["extremes"]
    result = _hwsim("extremes")
    wrap, sat = qnet.populations
    assert np.all(result.v_final[0, sat.offset:sat.offset + sat.size] == -V_MAX)
    # u of "wrap" without the 24-bit wrap (it depends on the inputs only): far beyond 2**23
    proj = qnet.projections[0]
    weight = np.zeros((wrap.size, spikes.shape[1]), dtype=np.int64)
    weight[proj.post_index - wrap.offset, proj.pre_index] = proj.weight
    u = np.zeros(wrap.size, dtype=np.int64)
    for t in range(1, spikes.shape[0]):
        u = np.sign(u) * ((np.abs(u) * wrap.syn_factor) >> 12) + (((weight @ spikes[t - 1]) << proj.shift) << 6)
    assert np.all(u > 1 << 23)
    assert not np.array_equal(result.u_final[0, :wrap.size], u)


def test_islands_are_separate_lava_runs():
    qnet = CASES["islands"][0]
    assert sorted(map(sorted, lava_spec(qnet).components())) == [["alone"], ["px"], ["py"]]
    assert _hwsim("islands").spike_count[0, qnet.populations[2].offset:].sum() > 0    # bias alone drives it


def test_digits_samples_spike():
    assert all(_hwsim(f"digits{s}").spike_count.sum() > 0 for s in range(DIGITS_SAMPLES))


def test_precision_cases_exercise_lavas_rules():
    """The graph cases do what the issue lists: explicit sign modes change weights (Lava clips the other sign to
    0), 2-8 weight bits truncate, exponents span -3..3 and 7, a delay of 64 steps, bias mantissa -4096 at
    exponent 7, no input, two projections joining one pair; and every population spikes."""
    cases = {name[5:]: CASES[name] for name in CASES if name.startswith("lava_")}
    signs = cases["signs_bits"][0]
    lava_input = cases["signs_bits"][3]
    changed = [np.any(q.weight != raw.weight) for q, raw in zip(signs.projections, lava_input.projections)]
    assert all(changed)                                          # clipping or truncation moved every projection
    assert {(q.sign_mode, q.weight_bits) for q in signs.projections} >= {
        (m, b) for m in ("excitatory", "inhibitory", "mixed") for b in (2, 4, 6, 8)}
    exc = next(q for q in signs.projections if q.sign_mode == "excitatory")
    assert exc.weight.min() >= 0 and next(r for r in lava_input.projections if r.sign_mode == "excitatory"
                                          and r.name == exc.name).weight.min() < 0
    assert sorted(q.shift for q in cases["exponents"][0].projections) == [-3, -2, -1, 0, 1, 2, 3, 7]
    assert int(cases["delays_pair"][0].projections[0].delay_steps.max()) == 64
    pair = [q for q in cases["delays_pair"][0].projections if q.post == "pair"]
    assert len(pair) == 2 and pair[0].shift != pair[1].shift
    assert lava_spec(cases["bias_driven"][0]).inputs == {}
    assert any(-4096 in lif.bias_mant.tolist() and 7 in lif.bias_exp.tolist()
               for lif in lava_spec(cases["bias_driven"][0]).lifs)
    for name in cases:
        counts = _hwsim(f"lava_{name}").spike_count[0]
        for pop in cases[name][0].populations:
            assert counts[pop.offset:pop.offset + pop.size].sum() > 0, (name, pop.name)
