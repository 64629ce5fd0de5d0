"""Claims re-costed: the three energies as hand arithmetic, the break-even rate checked by simulation,
the accelerator file's rules, and ``hwsim claims`` on the bundled digits SNN and an imported conv SNN."""
from __future__ import annotations

import json
import math
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
import yaml
from hypothesis import given, settings, strategies as st

from hwsim.accelerator import activation_bits, ann_energy, load_accelerator
from hwsim.chips import load_chip
from hwsim.claims import chip_energy_at, recost, spike_sources
from hwsim.cli import main
from hwsim.energy import HOROWITZ_AC_PJ, HOROWITZ_MAC_PJ, estimate_spiking
from hwsim.errors import SpecError
from hwsim.ir import Graph
from hwsim.kernels.actions import NAMES
from hwsim.lowering import lower_spiking
from hwsim.mapping import map_graph
from hwsim.pipeline import run
from hwsim.quantize import quantize_spiking
from hwsim.simulate import simulate_spiking
from test_energy import one_spike, two_layer
from toy import PJ, const, toy_chip, with_static

ROOT = Path(__file__).resolve().parent.parent
BUNDLED = ROOT / "hwsim" / "accelerators" / "horowitz45.yaml"
CONV_NIR = ROOT / "models" / "data" / "snntorch" / "conv_subtract_nodelay_current.nir"


def test_hand_counted_three_energies():
    report = run(two_layer(), toy_chip(neurons_per_core=4, n_cores=4), one_spike()).report
    c = report.claims
    # (a) 9 synaptic events (1 x 3 + 3 x 2), no MAC; the dense ANN has 3 + 6 MACs
    assert c["op_proxy_snn_uj"] == pytest.approx(9 * HOROWITZ_AC_PJ / 1e6)
    assert c["op_proxy_ann_uj"] == pytest.approx(9 * HOROWITZ_MAC_PJ / 1e6)
    assert c["paper_ratio"] == pytest.approx(HOROWITZ_MAC_PJ / HOROWITZ_AC_PJ)
    # (b) as tests/test_energy.py counts it
    dynamic_pj = (9 * PJ["synop"] + 10 * PJ["neuron_active"] + 10 * PJ["neuron_idle"] + 6 * PJ["spike"]
                  + 4 * PJ["packet"] + 3 * PJ["hop_x"] + 4 * PJ["mem_read"])
    assert c["chip_dynamic_uj"] == pytest.approx(dynamic_pj / 1e6, rel=1e-12)
    # (c) T = 4 -> ceil(log2 5) = 3-bit activations; toy weights 8 bits; 8 KB SRAM at 10 pJ per 64 bits
    mult_pj = 0.2 * 3 * 8 / 64
    add_in_a = 0.03 + (11 - 8) / 8 * 0.02          # 3 + 8 + ceil(log2 1) = 11 bits
    add_a_b = 0.03 + (13 - 8) / 8 * 0.02           # 3 + 8 + ceil(log2 3) = 13 bits
    weights_pj = 9 * 8 / 64 * 10
    reads_pj = (1 + 3) * 3 / 64 * 10               # inputs of in->a and a->b, once each
    writes_pj = (3 + 2) * 3 / 64 * 10              # outputs of a and b, once each
    ann_pj = 9 * mult_pj + 3 * add_in_a + 6 * add_a_b + weights_pj + reads_pj + writes_pj
    assert c["bit_matched_ann_uj"] == pytest.approx(ann_pj / 1e6, rel=1e-12)
    assert c["memory_aware_ratio"] == pytest.approx(ann_pj / dynamic_pj)
    # spike rate: 6 spikes over (1 input + 5 neurons) x 4 steps
    assert c["spike_rate"] == pytest.approx(6 / (6 * 4))
    # the toy chip's neuron updates alone (10 x 10 + 10 x 100 pJ) exceed the ANN: no break-even
    assert c["break_even_spike_rate"] is None and "even with no spikes" in c["break_even_note"]


def test_memory_level_follows_the_buffer_sizes():
    acc = load_accelerator()

    def dense(n_out, n_in):
        g = Graph("d")
        g.add_input("in", n_in)
        g.add_population("p", n_out, "if", v_th=1.0)
        g.add_projection("in", "p", np.ones((n_out, n_in)))
        return g

    # 8-bit weights: 1 KB, 10 KB, 1,000,000 B (<= 1 MiB) and 1.1 MB
    for (n_out, n_in), level, pj in (((32, 32), "sram_8kb", 10), ((100, 100), "sram_32kb", 20),
                                     ((1000, 1000), "sram_1mb", 100), ((1100, 1000), "dram", 1300)):
        out = ann_energy(dense(n_out, n_in), acc, 3, 8)
        assert out["weights_in"] == level
        assert out["energy_by_part_uj"]["weight_read"] == pytest.approx(n_out * n_in * 8 / 64 * pj / 1e6)


def test_multiplier_scaling_reproduces_the_wider_published_multiplier():
    acc = load_accelerator()
    # E(8) x a b / 64 predicts the 32-bit multiply within 4 % (0.2 x 16 = 3.2 against 3.1 pJ)
    assert acc.mult_energy_pj(32, 32) == pytest.approx(acc.mult_pj[32].value, rel=0.04)
    assert acc.add_energy_pj(16) == acc.add_pj[16].value and acc.add_energy_pj(4) == pytest.approx(0.015)
    assert [activation_bits(t) for t in (1, 3, 4, 5, 7, 8, 24, 25)] == [1, 2, 3, 3, 3, 4, 5, 5]
    assert all(text for text in acc.provenance().values())


def _input_driven(n_in=8, n_out=4) -> Graph:
    """Spike inputs onto IF neurons that never fire but are active every step (bias): every event is
    input-driven and the neuron updates do not depend on the input rate."""
    g = Graph("driven", dt_s=1e-3)
    g.add_input("in", n_in)
    g.add_population("p", n_out, "if", v_th=1e9, bias=0.5)
    g.add_projection("in", "p", np.ones((n_out, n_in)))
    g.add_output("o", "p")
    return g


def _raster(n_spikes, shape=(16, 8), seed=0):
    flat = np.zeros(shape[0] * shape[1], dtype=np.uint8)
    flat[np.random.default_rng(seed).choice(flat.size, n_spikes, replace=False)] = 1
    return flat.reshape(1, *shape)


def _priced_chip():
    ideal = load_chip("ideal")
    prices = {name: 0.0 for name in NAMES}
    prices.update(synop=1.0, spike=1.0, packet=1.0, neuron_active=0.001)
    return replace(ideal, energy_pj={k: const(v, "pJ") for k, v in prices.items()})


def test_break_even_rate_checked_by_simulation():
    graph, chip = _input_driven(), _priced_chip()
    measured = run(graph, chip, _raster(20)).report
    rate = measured.claims["break_even_spike_rate"]
    target_uj = measured.claims["bit_matched_ann_uj"]
    assert 0 < rate < 1 and measured.claims["break_even_note"] == "solved"
    n_even = rate * spike_sources(graph) * 16       # input spikes at the break-even rate
    below, above = (run(graph, chip, _raster(k, seed=1)).report for k in (math.floor(n_even), math.ceil(n_even)))
    assert below.dynamic_energy_per_inference_uj <= target_uj <= above.dynamic_energy_per_inference_uj
    # the linear model the rate was solved from (spike-driven energy x factor + the rest) predicts each
    # simulated run exactly
    by_action = measured.energy_by_action_uj
    fixed_uj = by_action["neuron_active"] + by_action["neuron_idle"] + by_action["mac"]
    events_uj = measured.dynamic_energy_per_inference_uj - fixed_uj
    for sim in (below, above):
        factor = sim.ops_per_inference["spike"] / measured.ops_per_inference["spike"]
        assert fixed_uj + factor * events_uj == pytest.approx(sim.dynamic_energy_per_inference_uj, rel=1e-12)


def test_break_even_rates_recompute_to_the_ann_energy():
    graph = _input_driven()
    chip = with_static(_priced_chip(), chip_mw=0.0, core_mw=0.0)
    chip = replace(chip, time_ns={**chip.time_ns, "synop": const(1.0, "ns"), "neuron_active": const(1.0, "ns")},
                   static_power_mw={"chip": const(1e-3, "mW"), "core": const(0.0, "mW")})
    x = _raster(20)
    placement = map_graph(graph, chip)
    arrays = lower_spiking(quantize_spiking(graph, chip), placement, chip.capacity.bits_per_synapse,
                           chip.capacity.memory_word_bits)
    res = simulate_spiking(arrays, x)
    report = estimate_spiking(graph, chip, placement, res.counts, res.step_counts)
    c = recost(graph, chip, placement, res.counts, res.step_counts, report)
    assert c["break_even_note_total"] == "solved" and c["break_even_spike_rate_total"] < c["break_even_spike_rate"]
    for key, total in (("break_even_spike_rate", False), ("break_even_spike_rate_total", True)):
        at = chip_energy_at(graph, chip, placement, res.counts, res.step_counts, c[key] / c["spike_rate"])
        energy = at.energy_per_inference_uj if total else at.dynamic_energy_per_inference_uj
        assert energy == pytest.approx(c["bit_matched_ann_uj"], rel=1e-9)
    events = c["break_even_spike_rate_events"] / c["spike_rate"]
    spike_driven = report.dynamic_energy_per_inference_uj - 4 * 16 * 0.001 / 1e6
    assert events * spike_driven == pytest.approx(c["bit_matched_ann_uj"], rel=1e-9)


# ---------------------------------------------------------------------------------------------
# The command


def test_cli_claims_digits_snn(tmp_path, capsys):
    out = tmp_path / "claims.json"
    assert main(["claims", "--chip", "loihi", "--chip", "ideal", "--samples", "4", "--json", str(out)]) == 0
    text = capsys.readouterr().out
    assert "| loihi | digits_snn |" in text and "bit-matched ANN" in text and "break-even" in text
    rows = json.loads(out.read_text())
    assert [r["chip"] for r in rows] == ["loihi", "ideal"]
    loihi = rows[0]["claims"]
    assert loihi["bit_matched_ann"]["activation_bits"] == 5 and loihi["bit_matched_ann"]["weight_bits"] == 8
    assert loihi["chip_uj"] > loihi["chip_dynamic_uj"] > 0


def test_cli_claims_imported_conv_snn(capsys):
    argv = ["claims", str(CONV_NIR), "--dt", "1e-4", "--convention", "snntorch", "--reset-mechanism", "subtract",
            "--no-reset-delay", "--input-kind", "current", "--task", "digits", "--steps", "25", "--chip", "ideal",
            "--samples", "4"]
    assert main(argv) == 0
    text = capsys.readouterr().out
    assert "| ideal | conv_subtract_nodelay_current |" in text and "(5-bit a, 64-bit w)" in text


@pytest.mark.parametrize("argv, message", [
    (["claims", "--chip", "lohi"], "Did you mean 'loihi'?"),
    (["claims", "--chip", "printed_egfet"], "expected a spiking (neuromorphic) chip"),
    (["claims", str(ROOT / "models" / "data" / "digits_mlp.npz"), "--chip", "loihi"], "not a spiking network"),
])
def test_cli_claims_bad_input(argv, message, capsys):
    assert main(argv) == 2
    assert message in capsys.readouterr().err


# ---------------------------------------------------------------------------------------------
# The accelerator file


def _edited(tmp_path, edit) -> Path:
    raw = yaml.safe_load(BUNDLED.read_text())
    edit(raw)
    path = tmp_path / "acc.yaml"
    path.write_text(yaml.safe_dump(raw))
    return path


@pytest.mark.parametrize("edit, fragment", [
    (lambda r: r.pop("memory"), "memory: missing"),
    (lambda r: r.update(extra=1), "unknown key 'extra'"),
    (lambda r: r.update(version=2), "version: found 2"),
    (lambda r: r["memory"][1].update(capacity_bytes=4096), "memory[1].capacity_bytes: found 4096"),
    (lambda r: r["memory"][3].update(capacity_bytes=1 << 30), "expected null (the last level is unbounded)"),
    (lambda r: r["memory"][0]["read_64b"].update(unit="pj"), "Did you mean 'pJ'?"),
    (lambda r: r["memory"][0]["read_64b"].pop("source"), "found no source, derived or estimate"),
    (lambda r: r["add_pj"].update({0: r["add_pj"][8]}), "add_pj.0: found 0"),
    (lambda r: r["mult_pj"].clear(), "mult_pj: found no entries"),
    (lambda r: r["mult_pj"][8].update(value=-1), "expected a number >= 0"),
    (lambda r: r.update(name=""), "name: found ''"),
    (lambda r: r.update(description=3), "description: found 3"),
    (lambda r: r.update(memory={}), "expected a list of levels"),
    (lambda r: r["memory"][0].update(name=3), "memory[0].name: found 3"),
    (lambda r: r["memory"][0].pop("read_64b"), "memory[0].read_64b: missing"),
])
def test_accelerator_bad_files(tmp_path, edit, fragment):
    with pytest.raises(SpecError) as err:
        load_accelerator(_edited(tmp_path, edit))
    assert fragment in str(err.value)


def test_accelerator_unknown_name_and_missing_file(tmp_path):
    with pytest.raises(SpecError, match="Did you mean 'horowitz45'"):
        load_accelerator("horowitz")
    with pytest.raises(SpecError, match="no such file"):
        load_accelerator(tmp_path / "none.yaml")


_JUNK = st.one_of(st.none(), st.booleans(), st.integers(-5, 1 << 40), st.floats(allow_nan=True),
                  st.text(max_size=5), st.lists(st.integers(), max_size=2),
                  st.dictionaries(st.text(max_size=3), st.integers(), max_size=2))


def _paths(node, prefix=()):
    yield prefix
    items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
    for key, value in items:
        yield from _paths(value, prefix + (key,))


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_accelerator_loader_fuzz(tmp_path_factory, data):
    raw = yaml.safe_load(BUNDLED.read_text())
    paths = [p for p in _paths(raw) if p]
    path = data.draw(st.sampled_from(paths))
    parent = raw
    for key in path[:-1]:
        parent = parent[key]
    if data.draw(st.booleans()) and isinstance(parent, dict):
        del parent[path[-1]]
    else:
        parent[path[-1]] = data.draw(_JUNK)
    file = tmp_path_factory.mktemp("fuzz") / "acc.yaml"
    file.write_text(yaml.safe_dump(raw))
    try:
        load_accelerator(file)
    except SpecError:
        pass


def test_per_mac_ratio_as_arithmetic():
    from hwsim.claims import per_mac_ratio

    # 3-bit activations, 8-bit weights, fan-in 1024: a 21-bit accumulate, an 8-bit read of a 1 MB SRAM
    accumulate = 0.05 + (21 - 16) / 16 * 0.05
    weight = 8 / 64 * 100
    ann = 0.2 * 3 * 8 / 64 + accumulate + weight
    assert per_mac_ratio(0.5, 3, 8, 1024, "sram_1mb") == pytest.approx(ann / (0.5 * (accumulate + weight)))
    with pytest.raises(SpecError, match="Did you mean 'sram_1mb'"):
        per_mac_ratio(0.5, 3, 8, 1024, "sram_1m")
