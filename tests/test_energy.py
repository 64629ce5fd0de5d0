"""Energy and latency: hand-counted runs whose expectations are written as arithmetic."""
import numpy as np
import pytest

from hwsim.energy import HOROWITZ_AC_PJ, HOROWITZ_MAC_PJ, estimate_spiking
from hwsim.ir import Graph
from hwsim.kernels.actions import N_ACTIONS, NAMES
from hwsim.pipeline import run
from toy import NS, PJ, toy_chip, with_static


def two_layer() -> Graph:
    """in (1 channel) -> a (3 IF) -> b (2 IF), all weights 1, thresholds 0.5."""
    g = Graph("hand", dt_s=1e-3)
    g.add_input("in", 1)
    g.add_population("a", 3, "if", v_th=0.5)
    g.add_population("b", 2, "if", v_th=0.5)
    g.add_projection("in", "a", np.ones((3, 1)))
    g.add_projection("a", "b", np.ones((2, 3)))
    g.add_output("o", "b")
    return g


def one_spike(n_steps=4) -> np.ndarray:
    raster = np.zeros((1, n_steps, 1), dtype=np.uint8)
    raster[0, 0, 0] = 1
    return raster


def test_hand_counted_ops_energy_latency():
    chip = with_static(toy_chip(neurons_per_core=4, n_cores=4), chip_mw=1.0, core_mw=0.5)
    report = run(two_layer(), chip, one_spike(), labels=[0]).report
    ops = report.ops_per_inference
    # t=0: the input spike reaches a's 3 synapses; t=1: a's 3 spikes each reach b's 2 synapses
    assert ops["synop"] == 1 * 3 + 3 * 2
    assert ops["spike"] == 1 + 3 + 2                    # input, a at t=1, b at t=2
    assert ops["packet"] == 1 + 3 * 1                   # one destination core each; b sends nowhere
    assert ops["hop_x"] == 3 * 1 and ops["hop_y"] == 0  # a (core 0, x=0) -> b (core 1, x=1)
    # updates with input or non-zero u/v: a at t=1 (input) and t=2 (u still holds it); b at t=2, t=3
    assert ops["neuron_active"] == 3 * 2 + 2 * 2
    assert ops["neuron_idle"] == (3 + 2) * 4 - 10
    # 16-bit synapses in 64-bit words: each segment (<= 3 synapses) is one word
    assert ops["mem_read"] == 1 + 3
    dynamic_pj = (9 * PJ["synop"] + 10 * PJ["neuron_active"] + 10 * PJ["neuron_idle"] + 6 * PJ["spike"]
                  + 4 * PJ["packet"] + 3 * PJ["hop_x"] + 4 * PJ["mem_read"])
    assert report.dynamic_energy_per_inference_uj == pytest.approx(dynamic_pj / 1e6, rel=1e-12)
    route_ns = 1 * NS["hop_x"] + NS["packet"]          # longest route: one hop east
    step_ns = [
        3 * NS["synop"] + 1 * NS["mem_read"] + 3 * NS["neuron_idle"] + route_ns,            # t=0, core 0
        6 * NS["synop"] + 3 * NS["mem_read"] + 2 * NS["neuron_idle"] + route_ns,            # t=1, core 1
        2 * NS["neuron_active"] + 2 * NS["spike"],                                           # t=2, core 1
        3 * NS["neuron_idle"],                                                               # t=3, core 0
    ]
    latency_ns = sum(step_ns) + 4 * 100.0
    assert report.latency_per_inference_us == pytest.approx(latency_ns / 1000, rel=1e-12)
    static_pj = (1.0 * 1 + 0.5 * 2) * latency_ns       # mW x ns = pJ
    assert report.static_energy_per_inference_uj == pytest.approx(static_pj / 1e6, rel=1e-12)
    assert report.energy_per_inference_uj == pytest.approx((dynamic_pj + static_pj) / 1e6, rel=1e-12)
    assert report.energy_by_layer_uj["in"] == pytest.approx((PJ["spike"] + PJ["packet"]) / 1e6)
    assert sum(report.energy_by_layer_uj.values()) == pytest.approx(dynamic_pj / 1e6)
    assert report.accuracy == 1.0
    assert report.op_based["accumulates_per_inference"] == 9
    assert report.op_based["energy_per_inference_uj"] == pytest.approx(9 * HOROWITZ_AC_PJ / 1e6)
    assert report.op_based["dense_ann_macs"] == 3 * 1 + 2 * 3
    assert report.op_based["dense_ann_energy_uj"] == pytest.approx(9 * HOROWITZ_MAC_PJ / 1e6)


def test_silent_input_leaves_idle_and_static_energy_only():
    chip = with_static(toy_chip(), chip_mw=2.0, core_mw=0.0)
    report = run(two_layer(), chip, np.zeros((1, 5, 1), np.uint8)).report
    assert report.ops_per_inference["synop"] == 0 and report.ops_per_inference["spike"] == 0
    assert report.dynamic_energy_per_inference_uj == pytest.approx(5 * 5 * PJ["neuron_idle"] / 1e6)
    assert report.static_energy_per_inference_uj == pytest.approx(2.0 * report.latency_per_inference_us * 1000 / 1e6)


def test_energy_is_linear_in_counts():
    chip = toy_chip()
    g = two_layer()
    from hwsim.mapping import map_graph
    placement = map_graph(g, chip)
    rng = np.random.default_rng(0)
    counts = rng.integers(0, 50, (3, len(placement.groups), N_ACTIONS))
    steps = rng.integers(0, 50, (4, len(placement.groups), N_ACTIONS))
    one = estimate_spiking(g, chip, placement, counts, steps)
    double = estimate_spiking(g, chip, placement, 2 * counts, steps)
    assert double.dynamic_energy_per_inference_uj == pytest.approx(2 * one.dynamic_energy_per_inference_uj)
    expected = sum(counts[:, :, k].sum() / 3 * PJ[name] for k, name in enumerate(NAMES)) / 1e6
    assert one.dynamic_energy_per_inference_uj == pytest.approx(expected)


# --- supply rails (Loihi 2's profiler split: VDD, VDD-M, VDD-IO) ---------------------------------------
RAIL_OF = {"synop": "vdd", "neuron_active": "vdd_m", "neuron_idle": "vdd_m", "spike": "vdd", "packet": "vdd",
           "hop_x": "vdd", "hop_y": "vdd", "mac": "vdd", "mem_read": "vdd_m"}


def test_rails_split_the_hand_counted_energy():
    from dataclasses import replace
    from toy import const
    base = with_static(toy_chip(neurons_per_core=4, n_cores=4), chip_mw=1.0, core_mw=0.0)
    chip = replace(base, energy_pj={k: replace(c, rail=RAIL_OF[k]) for k, c in base.energy_pj.items()},
                   rail_static_power_mw={"vdd": const(0.25, "mW"), "vdd_m": const(0.7, "mW"),
                                         "vdd_io": const(0.05, "mW")})
    report = run(two_layer(), chip, one_spike()).report
    plain = run(two_layer(), base, one_spike()).report
    # the counts of test_hand_counted_ops_energy_latency, grouped by rail
    vdd_pj = 9 * PJ["synop"] + 6 * PJ["spike"] + 4 * PJ["packet"] + 3 * PJ["hop_x"]
    vdd_m_pj = 10 * PJ["neuron_active"] + 10 * PJ["neuron_idle"] + 4 * PJ["mem_read"]
    latency_ns = report.latency_per_inference_us * 1000
    rails = report.energy_by_rail_uj
    assert rails["vdd"]["dynamic"] == pytest.approx(vdd_pj / 1e6, rel=1e-12)
    assert rails["vdd_m"]["dynamic"] == pytest.approx(vdd_m_pj / 1e6, rel=1e-12)
    assert rails["vdd_io"] == {"dynamic": 0.0, "static": pytest.approx(0.05 * latency_ns / 1e6, rel=1e-12)}
    assert rails["vdd_m"]["static"] == pytest.approx(0.7 * latency_ns / 1e6, rel=1e-12)   # mW x ns = pJ
    assert sum(r["dynamic"] + r["static"] for r in rails.values()) == pytest.approx(report.energy_per_inference_uj)
    # rails only add a breakdown: the totals are those of the same chip without rails
    assert report.energy_per_inference_uj == pytest.approx(plain.energy_per_inference_uj, rel=1e-12)
    assert "energy_by_rail_uj" in report.to_dict() and "| energy by rail (uJ)" in report.to_markdown()


def test_profiles_without_rails_report_no_rail_breakdown():
    report = run(two_layer(), toy_chip(), one_spike()).report
    assert report.energy_by_rail_uj == {}
    assert "energy_by_rail_uj" not in report.to_dict() and "by rail" not in report.to_markdown()


def test_every_report_field_is_documented_in_docs_report_md():
    import dataclasses
    import re
    from pathlib import Path

    from hwsim.report import Report

    text = (Path(__file__).resolve().parents[1] / "docs" / "report.md").read_text()
    documented = set(re.findall(r"^\| `([a-z_0-9]+)`", text, flags=re.M))
    documented |= {name for cell in re.findall(r"^\| (`[^|]+`(?:, `[^|]+`)+) \|", text, flags=re.M)
                   for name in re.findall(r"`([a-z_0-9]+)`", cell)}
    missing = {f.name for f in dataclasses.fields(Report)} - documented
    assert not missing, f"fields of Report not in docs/report.md: {sorted(missing)}"


def test_metrics_count_events_and_timing_follows_the_report():
    """NeuroBench figures from the counters, written as arithmetic; throughput, power and EDP from the report."""
    from hwsim.chips import load_chip
    from hwsim.cli import _bundled_model
    from hwsim.pipeline import run
    from hwsim.tasks import task_data

    graph = _bundled_model("digits_snn.npz")
    data = task_data(graph, samples=4)
    result = run(graph, load_chip("loihi"), data.x, data.y, record="spikes")
    report, spikes = result.report, result.recorded["spikes"]
    metrics = report.metrics
    hidden = spikes["hidden"]
    assert metrics["ActivationSparsity"]["per_layer"]["hidden"] == pytest.approx(1 - hidden.sum() / hidden.size)
    total = sum(int(s.sum()) for s in spikes.values())
    assert metrics["ActivationSparsity"]["total"] == pytest.approx(1 - total / (4 * 24 * (96 + 10)))
    assert metrics["SynapticOperations"]["Effective_ACs"] == report.ops_per_inference["synop"]
    assert metrics["SynapticOperations"]["Dense"] == (64 * 96 + 96 * 10) * 24
    latency_s = report.latency_per_inference_us * 1e-6
    assert metrics["throughput_inferences_per_s"] == pytest.approx(1 / latency_s)
    assert metrics["average_power_mw"] == pytest.approx(report.energy_per_inference_uj * 1e-6 / latency_s * 1e3)
    ideal = run(graph, load_chip("ideal"), data.x, data.y).report
    assert ideal.metrics["throughput_inferences_per_s"] is None and "Infinity" not in ideal.to_json()
