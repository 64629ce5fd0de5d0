"""The Potjans & Diesmann microcircuit (models/microcircuit.py, models/microcircuit_ir.py) and W5's smoke run.

Connectivity: deterministic per seed, int32, unique pairs in pre-major order, as many synapses as the
published counts predict (within the binomial spread), capped projections' weights compensated. Dynamics:
hwsim's graph on ``ideal`` spikes exactly as a plain-numpy simulation of the published equations written
in Brian2's order and units (absolute mV, pA; shares no code with hwsim's translation), with either
background. The bench script's hwsim child runs at the smallest W5 size and its table renders.
"""
import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import hwsim  # noqa: E402
from bench import scale_w5, workloads  # noqa: E402
from hwsim.errors import GraphError  # noqa: E402
from hwsim.models import microcircuit as mc  # noqa: E402
from hwsim.models import microcircuit_ir  # noqa: E402

SCALE = 0.01


def test_connectivity_is_seeded_unique_and_as_many_as_published():
    first, again = list(mc.projections(0.05, seed=3)), list(mc.projections(0.05, seed=3))
    other = list(mc.projections(0.05, seed=4))
    n = mc.sizes(0.05)
    p, factor = mc.pair_probability(0.05)
    assert len(first) == np.count_nonzero(mc.CONNECTION_P)
    assert any(a.pre.size != b.pre.size or np.any(a.pre != b.pre) for a, b in zip(first, other))
    for a, b in zip(first, again):
        s, t = mc.POPULATIONS.index(a.source), mc.POPULATIONS.index(a.target)
        assert a.pre.dtype == a.post.dtype == np.int32
        np.testing.assert_array_equal(a.pre, b.pre)
        np.testing.assert_array_equal(a.post, b.post)
        keys = a.pre.astype(np.int64) * n[t] + a.post
        assert np.all(np.diff(keys) > 0)  # unique pairs, pre-major
        assert a.pre.max() < n[s] and a.post.max() < n[t]
        expected = p[t, s] * n[s] * n[t]
        assert abs(a.pre.size - expected) <= 6 * np.sqrt(expected * (1 - p[t, s])) + 1
        sign = 1.0 if a.source.endswith("e") else mc.PD.g
        double = 2.0 if (a.source, a.target) == ("L4e", "L23e") else 1.0
        assert a.weight_pa == pytest.approx(mc.PD.w_exc_pa * sign * double * factor[t, s])


def test_full_scale_counts_and_kept_in_degrees():
    assert mc.full_synapse_counts().sum() == pytest.approx(2.9888e8, rel=1e-4)  # the published ~0.3 B
    p, factor = mc.pair_probability(0.5)
    n = np.asarray(mc.sizes(0.5))
    in_degree = (p * factor * n[None, :]).sum(axis=1)  # synapses x weight factor per target neuron
    full = (mc.full_synapse_counts() / np.asarray(mc.FULL_SIZES)[:, None]).sum(axis=1)
    np.testing.assert_allclose(in_degree, full, rtol=1e-3)


def test_background_counts_are_binomial_and_seeded():
    counts = mc.background_counts(SCALE, 400, seed=7)
    assert counts.dtype == np.uint8 and counts.shape == (400, sum(mc.sizes(SCALE)))
    np.testing.assert_array_equal(counts, mc.background_counts(SCALE, 400, seed=7))
    start = 0
    for size, k_ext in zip(mc.sizes(SCALE), mc.K_EXT):
        block = counts[:, start:start + size]
        mean = k_ext * 8.0 * 1e-4
        assert abs(block.mean() - mean) < 6 * np.sqrt(mean / block.size)
        start += size


def test_bad_options_are_graph_errors():
    with pytest.raises(GraphError, match="scale 0; expected a fraction"):
        microcircuit_ir.build(0)
    with pytest.raises(GraphError, match="background 'poison'.*Did you mean 'poisson'"):
        microcircuit_ir.build(SCALE, background="poison")


def reference_spike_counts(scale: float, background: str, n_steps: int, seed: int = 0) -> np.ndarray:
    """Spikes per neuron of the published equations, simulated densely in Brian2's order and units.

    Per step: exact update of v from the old I (unless refractory) and decay of I; threshold; delivery of
    the spikes emitted (hwsim delay - 1) steps ago and of this step's background counts; reset.
    """
    p = mc.PD
    sizes = mc.sizes(scale)
    offsets = np.concatenate([[0], np.cumsum(sizes)])
    n = int(offsets[-1])
    m, a = np.exp(-p.dt_s / p.tau_mem_s), np.exp(-p.dt_s / p.tau_syn_s)
    r_gohm = p.tau_mem_s / (p.c_mem_pf * 1e-12) * 1e-9  # mV per pA
    c = r_gohm * p.tau_syn_s / (p.tau_syn_s - p.tau_mem_s) * (a - m)
    weights = {d: np.zeros((n, n)) for d in (p.delay_exc_steps - 1, p.delay_inh_steps - 1)}
    for proj in mc.projections(scale, seed):
        s, t = mc.POPULATIONS.index(proj.source), mc.POPULATIONS.index(proj.target)
        d = (p.delay_exc_steps if proj.source.endswith("e") else p.delay_inh_steps) - 1
        weights[d][proj.post + offsets[t], proj.pre + offsets[s]] = proj.weight_pa
    dc_mv = np.repeat(np.asarray(mc.K_EXT) * p.background_rate_hz * p.w_exc_pa * p.tau_syn_s, sizes) * r_gohm
    if background == "poisson":
        dc_mv[:] = 0.0
        bg = mc.background_counts(scale, n_steps, 1).astype(np.float64) * p.w_exc_pa
    v = mc.initial_v_mv(scale, seed).copy()
    current_pa = np.zeros(n)
    last = np.full(n, -10 ** 9)
    history = np.zeros((n_steps, n))
    for t in range(n_steps):
        active = t - last >= int(round(p.refractory_s / p.dt_s))
        v = np.where(active, p.e_leak_mv + (v - p.e_leak_mv) * m + dc_mv * (1 - m) + c * current_pa, v)
        current_pa = a * current_pa
        spiked = active & (v > p.v_th_mv)
        history[t] = spiked
        for d, w in weights.items():
            if t - d >= 0:
                current_pa += w @ history[t - d]
        if background == "poisson":
            current_pa += bg[t]
        v[spiked] = p.v_reset_mv
        last[spiked] = t
    return history.sum(axis=0).astype(np.int64)


@pytest.mark.parametrize("background", ["dc", "poisson"])
def test_hwsim_spikes_as_the_published_equations(background):
    n_steps = 600
    graph = microcircuit_ir.build(SCALE, 0, background)
    chip = hwsim.load_chip("ideal")
    arrays = hwsim.lower_spiking(hwsim.quantize_spiking(graph, chip), hwsim.map_graph(graph, chip),
                                 chip.capacity.bits_per_synapse, chip.capacity.memory_word_bits)
    result = hwsim.simulate_spiking(arrays, microcircuit_ir.background_inputs(graph, n_steps))
    expected = reference_spike_counts(SCALE, background, n_steps)
    assert expected.sum() > 100
    np.testing.assert_array_equal(result.spike_count[0], expected)


def test_bench_child_records_every_stage_and_the_table_renders():
    size = workloads.w5_size("0.01")
    record = scale_w5.child_hwsim(size, "ideal", "dc", 0)
    assert set(record["stages"]) == set(scale_w5.STAGES)
    assert all(st["s"] >= 0 and st["peak_mib"] > 0 for st in record["stages"].values())
    assert record["synapses"] == sum(p.pre.size for p in mc.projections(SCALE, 0))
    assert len(record["spike_count"]) == sum(mc.sizes(SCALE)) and sum(record["spike_count"]) > 0
    table = scale_w5.tables({("0.01", "hwsim:ideal"): record}, "dc")
    assert "| 0.01 | ideal | " in table and "| 0.01 | hwsim:ideal | " in table
