"""SpiNNaker's real-time semantics (time-scale factor, pinned tick) and its activity-dependent energy.

Expectations are written as arithmetic from the profiles' constants: a SpiNNaker core's work costs
34 mW x its time (a neuron update 1,230 ns, a synaptic event 200 ns), the idle chip 0.35 W over the run
time, a packet 1 nJ per router traversal; the tick is 1 ms.
"""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import hwsim
from hwsim.chips import load_chip
from hwsim.errors import SpecError
from hwsim.ir import Graph
from hwsim.realtime import pinned_finish_ns, realtime_timing
from hwsim.report import comparison_table

TICK_NS = 1e6
IDLE_CHIP_MW = 350.0
CORE_ACTIVE_MW = 34.0                   # SpiNNMachine: active overhead per core, 27.5 W / 806 cores
SYNOP_NS, NEURON_NS = 200.0, 1230.0
SYNOP_PJ, NEURON_PJ, PACKET_PJ = CORE_ACTIVE_MW * SYNOP_NS, CORE_ACTIVE_MW * NEURON_NS, 1000.0   # mW x ns = pJ


def fan_in(n_in: int, n: int) -> Graph:
    """``n_in`` input channels, all-to-all onto ``n`` IF neurons that never fire (one core, one chip)."""
    g = Graph("fan_in", dt_s=1e-3)
    g.add_input("in", n_in)
    g.add_population("p", n, "if", v_th=1000.0)
    g.add_projection("in", "p", np.full((n, n_in), 1e-3))
    g.add_output("o", "p")
    return g


def raster(n_steps: int, n_in: int, spikes: int) -> np.ndarray:
    """One sample; the first ``spikes`` (step, channel) slots in step-major order spike."""
    x = np.zeros((1, n_steps * n_in), np.uint8)
    x[0, :spikes] = 1
    return x.reshape(1, n_steps, n_in)


# --- energy that follows activity ------------------------------------------------------------------------

def test_spinnaker_energy_is_idle_chip_plus_events_by_hand():
    """20 inputs onto 20 neurons, 4 steps (real time holds): each input spike is one packet to the one core
    and 20 synaptic events; every neuron is updated every step."""
    n, steps, spikes = 20, 4, 7
    report = hwsim.run(fan_in(n, n), load_chip("spinnaker"), raster(steps, n, spikes)).report
    ops = report.ops_per_inference
    assert (ops["synop"], ops["packet"], ops["hop_x"] + ops["hop_y"]) == (spikes * n, spikes, 0)
    assert ops["neuron_active"] + ops["neuron_idle"] == n * steps
    assert report.realtime["time_scale_factor"] == 1 and report.realtime["held"] is True
    dynamic_pj = n * steps * NEURON_PJ + spikes * n * SYNOP_PJ + spikes * PACKET_PJ
    static_pj = IDLE_CHIP_MW * steps * TICK_NS                     # one chip; cores cost nothing while asleep
    assert report.dynamic_energy_per_inference_uj == pytest.approx(dynamic_pj / 1e6, rel=1e-12)
    assert report.static_energy_per_inference_uj == pytest.approx(static_pj / 1e6, rel=1e-12)
    assert report.energy_per_inference_uj == pytest.approx((dynamic_pj + static_pj) / 1e6, rel=1e-12)


@pytest.mark.parametrize("chip_name", ["spinnaker", "spinnaker2"])
def test_energy_grows_with_synaptic_events_as_the_model_says(chip_name):
    """Same network, same run time, more input spikes: the energy grows by exactly the events' price."""
    chip = load_chip(chip_name)
    n, steps = 20, 4
    low = hwsim.run(fan_in(n, n), chip, raster(steps, n, 3)).report
    high = hwsim.run(fan_in(n, n), chip, raster(steps, n, 50)).report
    assert high.energy_per_inference_uj > low.energy_per_inference_uj
    assert high.latency_per_inference_us == low.latency_per_inference_us
    per_spike_pj = n * chip.energy_pj["synop"].value + chip.energy_pj["packet"].value
    assert high.energy_per_inference_uj - low.energy_per_inference_uj == pytest.approx(
        (50 - 3) * per_spike_pj / 1e6, rel=1e-9)


def test_profiles_price_a_cores_work_at_its_active_power():
    """The per-action energies are the active core (PE) power x the action's time, so the run-time core power
    is 0 and nothing is counted twice (chips/spinnaker.yaml, spinnaker2.yaml headers)."""
    for name, active_mw in (("spinnaker", CORE_ACTIVE_MW), ("spinnaker2", 3.99)):
        chip = load_chip(name)
        assert chip.static_power_mw["core"].value == 0.0
        for action in ("synop", "neuron_active", "neuron_idle", "spike", "mac", "mem_read"):
            assert chip.energy_pj[action].value == pytest.approx(active_mw * chip.time_ns[action].value, rel=1e-9)
            assert chip.energy_pj[action].estimate


# --- real-time semantics ---------------------------------------------------------------------------------

def test_overrun_is_scaled_by_the_smallest_integer_factor_by_hand():
    """100 inputs all spiking onto 100 neurons: each step the core does 100 x 100 events x 200 ns + 100
    updates x 1,230 ns = 2.123 ms of work in a 1 ms tick, so the run needs a time-scale factor of 3."""
    n, steps = 100, 4
    report = hwsim.run(fan_in(n, n), load_chip("spinnaker"), raster(steps, n, steps * n)).report
    work_ns = n * n * SYNOP_NS + n * NEURON_NS
    r = report.realtime
    assert r["mode"] == "scale" and r["held"] is False
    assert r["core_load_max"] == pytest.approx(work_ns / TICK_NS) == pytest.approx(2.123)
    assert r["time_scale_factor"] == 3 and r["step_ns"] == 3 * TICK_NS
    assert r["overrunning_cores"] == {"0": pytest.approx(2.123)} and r["steps_overrun"] == steps
    assert report.checks["realtime_budget"] is False
    assert report.latency_per_inference_us == pytest.approx(steps * 3 * TICK_NS / 1000)
    # static power x the longer run time; the events cost what they cost in real time
    assert report.static_energy_per_inference_uj == pytest.approx(IDLE_CHIP_MW * steps * 3 * TICK_NS / 1e6)
    dynamic_pj = steps * (n * n * SYNOP_PJ + n * NEURON_PJ + n * PACKET_PJ)
    assert report.dynamic_energy_per_inference_uj == pytest.approx(dynamic_pj / 1e6, rel=1e-12)
    assert "time_scale_factor: 3" in comparison_table([report])
    assert "time-scale factor 3, NOT held" in report.to_markdown()


def test_pinned_tick_reports_the_overrunning_cores_and_the_late_run():
    """The same run with the tick pinned: the core runs its late ticks back to back (4 x 2.123 ms), the
    report names the core and says the run was not real time."""
    n, steps = 100, 4
    report = hwsim.run(fan_in(n, n), load_chip("spinnaker"), raster(steps, n, steps * n), realtime="pin").report
    r = report.realtime
    assert r["mode"] == "pin" and r["time_scale_factor"] == 1 and r["held"] is False
    assert r["overrunning_cores"] == {"0": pytest.approx(2.123)}
    assert report.latency_per_inference_us == pytest.approx(steps * 2.123e6 / 1000)
    assert report.static_energy_per_inference_uj == pytest.approx(IDLE_CHIP_MW * steps * 2.123e6 / 1e6)
    assert any(note.startswith("NOT REAL TIME (tick pinned at 1 ms): 1 core overrun") for note in report.notes)
    assert "NOT REAL TIME: 1 core overrun" in comparison_table([report])
    assert "core 0 212.3%" in report.to_markdown()


def test_pinned_tick_that_holds_is_plain_real_time():
    report = hwsim.run(fan_in(20, 20), load_chip("spinnaker"), raster(4, 20, 7), realtime="pin").report
    assert report.realtime["held"] is True and report.realtime["overrunning_cores"] == {}
    assert report.latency_per_inference_us == pytest.approx(4 * TICK_NS / 1000)
    assert report.realtime["slowdown_vs_model_time"] == pytest.approx(1.0)    # dt 1 ms on a 1 ms tick


def test_timing_by_hand():
    """Two cores, three steps: core 1 needs 2.1 ticks at step 0 -> factor 3; pinned, it finishes step 0 at
    2.1, step 1 at max(2.1, 1) + 0.2 = 2.3, step 2 at max(2.3, 2) + 0.9 = 3.2 ticks."""
    work = np.array([[0.5, 2.1], [1.0, 0.2], [0.3, 0.9]]) * 1000.0
    scaled = realtime_timing(work, 1000.0, "scale")
    assert (scaled.time_scale_factor, scaled.latency_ns, scaled.steps_overrun) == (3, 9000.0, 1)
    assert scaled.overrunning_cores == {"1": 2.1} and scaled.held is False
    pinned = realtime_timing(work, 1000.0, "pin")
    assert pinned.latency_ns == pytest.approx(3200.0) and pinned.time_scale_factor == 1
    exact = realtime_timing(np.array([[2000.0]]), 1000.0, "scale")          # exactly two ticks: factor 2
    assert exact.time_scale_factor == 2 and exact.overrunning_cores == {"0": 2.0}
    light = realtime_timing(np.array([[10.0], [1000.0]]), 1000.0, "pin")     # a full tick is not an overrun
    assert light.held is True and light.latency_ns == 2000.0


def _finish_reference(work: np.ndarray, tick: float) -> float:
    """Step by step, core by core: start at the tick or when the previous step ends, whichever is later."""
    latest = 0.0
    for core in range(work.shape[1]):
        finish = 0.0
        for t in range(work.shape[0]):
            finish = max(finish, t * tick) + work[t, core]
        latest = max(latest, finish)
    return latest


@settings(max_examples=200, deadline=None)
@given(st.integers(1, 12), st.integers(1, 4), st.integers(0, 2 ** 32 - 1), st.sampled_from([1.0, 3.0, 1000.0]))
def test_pinned_finish_matches_the_step_by_step_queue(n_steps, n_cores, seed, tick):
    work = np.random.default_rng(seed).integers(0, 4 * int(tick) + 1, (n_steps, n_cores)).astype(np.float64)
    assert pinned_finish_ns(work, tick) == pytest.approx(_finish_reference(work, tick), rel=1e-12)


@settings(max_examples=100, deadline=None)
@given(st.integers(1, 12), st.integers(1, 4), st.integers(0, 2 ** 32 - 1))
def test_scaled_tick_is_the_smallest_that_fits(n_steps, n_cores, seed):
    work = np.random.default_rng(seed).integers(0, 5000, (n_steps, n_cores)).astype(np.float64)
    k = realtime_timing(work, 1000.0, "scale").time_scale_factor
    assert work.max() <= k * 1000.0 and (k == 1 or work.max() > (k - 1) * 1000.0)


def test_chips_without_a_tick_have_no_realtime_field():
    report = hwsim.run(fan_in(4, 4), load_chip("loihi"), raster(3, 4, 5)).report
    assert report.realtime == {} and "realtime" not in report.to_dict()
    assert "realtime" in hwsim.run(fan_in(4, 4), load_chip("spinnaker"), raster(3, 4, 5)).report.to_dict()


@pytest.mark.parametrize("bad", ["scal", "PIN", None, 1, ["scale"]])
def test_bad_realtime_mode_is_a_clear_error(bad):
    with pytest.raises(SpecError, match=r"^realtime: .+; expected one of: pin, scale\..* Hint: 'scale' slows "):
        hwsim.run(fan_in(4, 4), load_chip("spinnaker"), raster(3, 4, 5), realtime=bad)
    if bad == "scal":
        with pytest.raises(SpecError, match="Did you mean 'scale'"):
            hwsim.run(fan_in(4, 4), load_chip("loihi"), raster(3, 4, 5), realtime=bad)


def test_cli_realtime_option(tmp_path, capsys):
    from hwsim.cli import main
    from hwsim.ir import save_graph
    model = save_graph(fan_in(100, 100), tmp_path / "dense")
    inputs = tmp_path / "x.npz"
    np.savez(inputs, x=raster(4, 100, 400))
    out = tmp_path / "r.json"
    assert main(["run", str(model), "--chip", "spinnaker", "--inputs", str(inputs), "--realtime", "pin",
                 "--json", str(out)]) == 0
    assert "NOT REAL TIME: 1 core overrun" in capsys.readouterr().out
    assert main(["run", str(model), "--chip", "spinnaker", "--inputs", str(inputs), "--realtime", "fast"]) == 2
    assert "argument --realtime: invalid choice: 'fast'" in capsys.readouterr().err


def test_claims_recost_a_run_in_its_own_realtime_mode():
    """The break-even bisection re-estimates the run's counters with the mode the run used: pinned counters
    re-estimated pinned give the pinned report's energy, scaled ones the scaled report's."""
    from hwsim.claims import chip_energy_at
    from hwsim.energy import estimate_spiking
    from hwsim.lowering import lower_spiking
    from hwsim.mapping import map_graph
    from hwsim.quantize import quantize_spiking
    from hwsim.simulate import simulate_spiking
    graph, chip = fan_in(100, 100), load_chip("spinnaker")
    placement = map_graph(graph, chip)
    arrays = lower_spiking(quantize_spiking(graph, chip), placement, chip.capacity.bits_per_synapse,
                           chip.capacity.memory_word_bits)
    res = simulate_spiking(arrays, raster(4, 100, 400))
    for mode in ("scale", "pin"):
        report = estimate_spiking(graph, chip, placement, res.counts, res.step_counts, realtime=mode)
        again = chip_energy_at(graph, chip, placement, res.counts, res.step_counts, 1.0, report.realtime["mode"])
        assert again.energy_per_inference_uj == pytest.approx(report.energy_per_inference_uj, rel=1e-12)
    pinned = estimate_spiking(graph, chip, placement, res.counts, res.step_counts, realtime="pin")
    scaled = estimate_spiking(graph, chip, placement, res.counts, res.step_counts)
    assert scaled.energy_per_inference_uj - pinned.energy_per_inference_uj == pytest.approx(
        IDLE_CHIP_MW * (4 * 3e6 - 4 * 2.123e6) / 1e6)           # the idle chip over the longer run only
