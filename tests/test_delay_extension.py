"""SpiNNaker delay-extension cores: delays above the row's field map through one core per source slice."""
from dataclasses import replace

import numpy as np
import pytest

from hwsim.chips import load_chip
from hwsim.energy import with_delay_packets
from hwsim.errors import MappingError
from hwsim.ir import Graph
from hwsim.kernels.actions import NAMES
from hwsim.mapping import map_graph
from hwsim.pipeline import run

SPINNAKER = load_chip("spinnaker")   # max_delay_steps 15, 8 stages of 16 steps, 256 neurons per core


def delayed(delays=(20, 40, 5, 3, 30), dt_s=1e-3) -> Graph:
    """in (2) -> a (300 neurons: cores 0 and 1) -> b (10: core 2); a's synapses into b: neuron 0 -> b0, b1, b2
    and neurons 256, 257 -> b0, b3 with ``delays``."""
    g = Graph("delayed", dt_s=dt_s)
    g.add_input("in", 2)
    g.add_population("a", 300, "lif", v_th=1.0)
    g.add_population("b", 10, "lif", v_th=1.0)
    g.add_projection("in", "a", np.full((300, 2), 0.6), delay_steps=1)
    g.add_projection("a", "b", np.full(5, 0.8), pre_index=[0, 0, 0, 256, 257], post_index=[0, 1, 2, 0, 3],
                     delay_steps=np.array(delays))
    g.add_output("o", "b")
    return g


def test_delays_above_the_row_field_get_one_delay_core_per_source_slice():
    p = map_graph(delayed(), SPINNAKER)
    # a's slices (cores 0, 1) both have synapses of delay > 15 (20, 40 on core 0; 30 on core 1): delay cores 3, 4
    assert p.cores_used == (0, 1, 2)
    assert p.delay_cores == (3, 4)
    assert p.limits["cores"] == (3 + 2, 48 * 16)
    assert p.limits["max_delay_steps"] == (40, 15 + 8 * 16)
    # delay state: one bit per neuron and stage, in 32-bit words
    assert p.memory_bytes[3]["delay_stages"] == 256 * 8 // 8
    assert p.memory_bytes[4]["delay_stages"] == -(-44 * 8 // 32) * 4
    # core 0 sends to b (core 2, neuron 0's delay-5 synapse) and to its delay core; core 1 to b (neuron 256's
    # delay 3) and to its delay core; each delay core to b
    assert [p.core_use[c]["fan_out_per_core"] for c in range(5)] == [2, 2, 0, 1, 1]
    # routes into chip 0: from the input, cores 0, 1 and both delay cores
    assert p.limits["router_entries_per_chip"][0] == 5


def test_packets_per_spike_follow_the_delay_path():
    p = map_graph(delayed(), SPINNAKER)
    group = {(g.core, g.population): k for k, g in enumerate(p.groups)}
    packets = p.delay_packets_per_spike[:, 0]
    # core 0: every spike 1 packet to the delay core; neuron 0 also 2 stages (20 -> 1, 40 -> 2) to core 2, which
    # keeps its direct packet (delay 5): (1 + 2) + 255 x 1 over 256 neurons
    assert packets[group[(0, "a")]] == (3 + 255 * 1) / 256
    # core 1: every spike 1 packet to the delay core; neuron 257 reaches core 2 only through stage 1 (30):
    # +1 stage packet, -1 direct packet the chip does not send: (1 + 1 - 1) + 43 x 1 over 44 neurons
    assert packets[group[(1, "a")]] == ((1 + 1 - 1) + 43 * 1) / 44
    assert packets[group[(-1, "in")]] == 0 and packets[group[(2, "b")]] == 0
    assert not p.delay_packets_per_spike[:, 1:].any()   # one chip: no chip-to-chip hops


def test_a_direct_route_with_only_delayed_synapses_is_dropped():
    p = map_graph(delayed(delays=(20, 40, 5, 30, 30)), SPINNAKER)   # core 1 reaches b only through stages
    assert [p.core_use[c]["fan_out_per_core"] for c in range(5)] == [2, 1, 0, 1, 1]


def test_spike_counts_get_the_delay_packets():
    p = map_graph(delayed(), SPINNAKER)
    counts = np.zeros((1, len(p.groups), len(NAMES)), dtype=np.int64)
    counts[0, 1, NAMES.index("spike")] = 10
    counts[0, 1, NAMES.index("packet")] = 4
    out = with_delay_packets(p, counts)
    assert out[0, 1, NAMES.index("packet")] == 4 + 10 * (3 + 255) / 256
    assert out[0, 1, NAMES.index("spike")] == 10


def test_without_delay_cores_counts_are_unchanged():
    p = map_graph(delayed(delays=(2, 4, 5, 3, 15)), SPINNAKER)
    assert p.delay_cores == () and p.delay_packets_per_spike is None
    counts = np.arange(len(p.groups) * len(NAMES)).reshape(1, len(p.groups), len(NAMES))
    assert with_delay_packets(p, counts) is counts


def test_a_chip_without_the_extension_keeps_todays_error():
    chip = replace(SPINNAKER, capacity=replace(SPINNAKER.capacity, delay_extension_stages=None,
                                               delay_extension_stage_steps=None))
    with pytest.raises(MappingError, match=r"^projection 'a' -> 'b': delay of 40 steps but chip 'spinnaker' "
                                           r"supports at most 15\. Hint: shorten the delays or insert relay "
                                           r"neurons\.$"):
        map_graph(delayed(), chip)


def test_delays_beyond_the_extension_are_refused():
    with pytest.raises(MappingError, match=r"delay of 144 steps but chip 'spinnaker' supports at most 143 "
                                           r"\(capacity.max_delay_steps 15 in a synaptic row \+ "
                                           r"delay_extension_stages 8 x delay_extension_stage_steps 16"):
        map_graph(delayed(delays=(20, 144, 5, 3, 30)), SPINNAKER)


def test_spikes_do_not_depend_on_the_delay_cores():
    """The delays are simulated exactly either way: the same neurons on the same cores spike alike."""
    plain = replace(SPINNAKER, capacity=replace(SPINNAKER.capacity, max_delay_steps=143, delay_extension_stages=None,
                                                delay_extension_stage_steps=None))
    x = np.ones((1, 60, 2))
    ours = run(delayed(), SPINNAKER, x, record=("spikes",))
    theirs = run(delayed(), plain, x, record=("spikes",))
    assert ours.recorded["spikes"]["b"].any()
    for name in ("a", "b"):
        np.testing.assert_array_equal(ours.recorded["spikes"][name], theirs.recorded["spikes"][name])
    assert ours.report.ops_per_inference["synop"] == theirs.report.ops_per_inference["synop"]
    assert ours.report.ops_per_inference["packet"] > theirs.report.ops_per_inference["packet"]


def test_delay_cores_work_every_step_and_are_priced_at_a_working_cores_power():
    """sPyNNaker's delay extension is time-driven: 640 ns per neuron of its slice at every tick (128 cycles at
    200 MHz), priced at 34 mW; delay core 3 serves a's first slice (256 neurons), core 4 its second (44)."""
    steps = 30
    report = run(delayed(), SPINNAKER, np.ones((1, steps, 2))).report
    work_ns = {"3": 256 * 640.0, "4": 44 * 640.0}
    for core, ns in work_ns.items():
        assert report.energy_by_core_uj[core] == pytest.approx(34.0 * ns * steps / 1e6)   # mW x ns = pJ
    total = sum(report.energy_by_core_uj[c] for c in work_ns)
    assert report.energy_by_action_uj["delay_extension"] == pytest.approx(total)
    assert report.energy_by_layer_uj["delay_extension"] == pytest.approx(total)
    assert sum(report.energy_by_layer_uj.values()) == pytest.approx(report.dynamic_energy_per_inference_uj)
    assert sum(v for k, v in report.energy_by_action_uj.items() if k != "static") == pytest.approx(
        report.dynamic_energy_per_inference_uj)


def test_a_delay_cores_work_counts_in_the_realtime_load():
    """At a 0.1 ms tick the 256-neuron delay core needs 256 x 640 ns = 163.84 us: an overrun of its own, beside
    the neuron cores (core 0: 256 x 1,230 ns = 314.88 us when no synaptic event arrives)."""
    report = run(delayed(dt_s=1e-4), SPINNAKER, np.zeros((1, 5, 2)), realtime="pin").report
    overrun = report.realtime["overrunning_cores"]
    assert overrun["3"] == pytest.approx(256 * 640 / 1e5)
    assert "4" not in overrun                                   # 44 x 640 ns = 28.16 us fits
    assert overrun["0"] == pytest.approx(256 * 1230 / 1e5)


def test_a_profile_prices_delay_core_work_with_both_keys_or_neither(tmp_path):
    from hwsim.chips import load_chip as load
    from hwsim.errors import SpecError
    text = (SPINNAKER.path and open(SPINNAKER.path).read())
    lines = [line for line in text.splitlines() if not line.lstrip().startswith("core_active:")]
    path = tmp_path / "spinnaker_half.yaml"
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(SpecError, match=r"static_power_mw\.core_active.*missing.*expected both "
                                        r"timing\.delay_core_per_neuron_ns and static_power_mw\.core_active"):
        load(str(path))
