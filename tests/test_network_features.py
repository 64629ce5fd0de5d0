"""The IR's receptors, initial state, graphs without Input, named projections, current inputs and
recording, end to end (graph -> save/load -> quantise -> lower -> kernel -> pipeline), with expectations
written as arithmetic; and a named error for every new field's bad value."""
import numpy as np
import pytest

import hwsim
from hwsim.errors import GraphError, SpecError, UnsupportedError
from hwsim.ir import Graph, load_graph, save_graph

IDEAL = hwsim.load_chip("ideal")


def _recorded(graph, chip, x=None, n_steps=None, record=("spikes", "v", "u")):
    return hwsim.run(graph, chip, x, n_steps=n_steps, record=record).recorded


def test_two_receptors_decay_apart():
    """One neuron, exc receptor (decay 1/2) and inh receptor (decay 1/4), no membrane leak, no threshold
    reached: the membrane is the sum of the two currents' histories."""
    g = Graph("cuba", dt_s=1e-4)
    g.add_input("in", 2)
    g.add_population("n", 1, "lif", v_th=100.0, n_receptors=2, decay_syn=[0.5, 0.25], decay_mem=0.0)
    g.add_projection("in", "n", [[1.0, 0.0]], delay_steps=1, receptor=0, name="exc")
    g.add_projection("in", "n", [[0.0, -2.0]], delay_steps=1, receptor=1, name="inh")
    g.add_output("o", "n", "v_final")
    x = np.zeros((1, 4, 2), dtype=np.uint8)
    x[0, 0] = 1                          # both channels spike at step 0: arrive at step 1
    rec = _recorded(g, IDEAL, x)
    # step 1: i_e = 1, i_i = -2; step 2: 0.5, -1.5; step 3: 0.25, -1.125
    np.testing.assert_array_equal(rec["u"]["n"][0, :, 0], [0.25, -1.125])
    assert rec["v"]["n"][0, 0] == (1 - 2) + (0.5 - 1.5) + (0.25 - 1.125)


def test_initial_state_and_refractory_count():
    """v starts at 0.75 and u at 0.25 with no decay: the first update gives v = 1.0 + 0.25 = 1.25 > 1; neuron 1
    starts 2 steps refractory, so its v is held for steps 0 and 1."""
    g = Graph("init")
    g.add_population("p", 2, "lif", v_th=1.0, initial={"v": [0.75, 0.75], "u": 0.25, "refractory": [0, 2]})
    g.add_output("o", "p")
    rec = _recorded(g, IDEAL, n_steps=3)
    spikes = rec["spikes"]["p"][0]
    # neuron 0: t0 v = 0.75 + 0.25 = 1.0 (not > 1), t1 1.25 spike -> 0, t2 0.25
    np.testing.assert_array_equal(spikes[:, 0], [0, 1, 0])
    # neuron 1: held at 0.75 for t0, t1; t2 0.75 + 0.25 = 1.0, no spike
    np.testing.assert_array_equal(spikes[:, 1], [0, 0, 0])
    np.testing.assert_array_equal(rec["v"]["p"][0], [0.25, 1.0])


def test_graph_without_input_runs_from_its_bias_on_every_chip_kind():
    g = Graph("bias_only")
    g.add_population("p", 3, "lif", v_th=1.0, bias=[0.3, 0.5, 0.0])
    g.add_output("o", "p")
    for chip in (IDEAL, hwsim.load_chip("loihi")):
        result = hwsim.run(g, chip, n_steps=12, record="spikes")
        counts = result.recorded["spikes"]["p"][0].sum(axis=0)
        # v grows by the bias each step and resets to 0 above 1: 0.3 -> every 4th step, 0.5 -> every 3rd
        assert counts.tolist() == [3, 4, 0], chip.name
    with pytest.raises(SpecError, match="graphs without inputs need a number of steps"):
        hwsim.run(g, IDEAL)


def test_two_projections_join_one_pair_with_their_own_delays():
    g = Graph("pair")
    g.add_input("in", 1)
    g.add_population("p", 1, "if", v_th=10.0)
    g.add_projection("in", "p", [[1.0]], delay_steps=1)
    g.add_projection("in", "p", [[2.0]], delay_steps=3)
    assert [p.name for p in g.projections()] == ["in->p", "in->p#2"]
    g.add_output("o", "p", "v_final")
    x = np.zeros((1, 5, 1), dtype=np.uint8)
    x[0, 0] = 1
    rec = _recorded(g, IDEAL, x, record="v")
    assert rec["v"]["p"][0, 0] == 3.0          # 1 at step 1, 2 more at step 3


def test_current_input_multiplies_the_weights():
    """Direct input: a real value a on a channel adds w * a; 2-D x is fed at every step."""
    g = Graph("direct", metadata={"n_steps": 3})
    g.add_input("in", 2, "current")
    g.add_population("p", 1, "if", v_th=100.0)
    g.add_projection("in", "p", [[2.0, -1.0]], delay_steps=0)
    g.add_output("o", "p", "v_final")
    result = hwsim.run(g, IDEAL, np.array([[0.5, 0.25]]), record=("v", "v_trace"))
    assert result.recorded["v"]["p"][0, 0] == 3 * (2 * 0.5 - 0.25)
    assert result.recorded["v_trace"]["p"][0, :, 0].tolist() == [0.75, 1.5, 2.25]   # after each step
    assert result.report.data["inputs"] == "constant current (direct input), 3 steps"
    # a current is a multiply-accumulate on the synapse, not a synaptic op
    assert result.report.ops_per_inference["mac"] == 6 and result.report.ops_per_inference["synop"] == 0


def test_recording_matches_the_kernel_result():
    from hwsim.models.digits import bundled_model_path, load_digits_split

    graph = load_graph(bundled_model_path("digits_snn"))
    chip = hwsim.load_chip("loihi")
    _, _, x, y = load_digits_split()
    result = hwsim.run(graph, chip, x[:3], y[:3], record=("spikes", "v", "u", "v_trace"))
    spikes = result.recorded["spikes"]
    assert set(spikes) == {p.name for p in graph.populations()}
    out = graph.outputs()[0].source
    np.testing.assert_array_equal(spikes[out].sum(axis=1), result.readout)       # spike_count readout
    for pop in graph.populations():
        assert spikes[pop.name].shape == (3, graph.metadata["n_steps"], pop.size)
        assert result.recorded["u"][pop.name].shape == (3, 1, pop.size)
        assert result.recorded["v"][pop.name].shape == (3, pop.size)
        np.testing.assert_array_equal(result.recorded["v_trace"][pop.name][:, -1], result.recorded["v"][pop.name])


def test_membrane_trace_option_is_a_bool_and_checked_against_memory(monkeypatch):
    from hwsim import memory

    chip = hwsim.load_chip("loihi")
    graph = Graph("trace", metadata={"n_steps": 4})
    graph.add_input("in", 2)
    graph.add_population("p", 3, "lif", v_th=1.0)
    graph.add_projection("in", "p", np.full((3, 2), 0.5))
    graph.add_output("o", "p")
    arrays = hwsim.lower_spiking(hwsim.quantize_spiking(graph, chip), hwsim.map_graph(graph, chip), 16, 64)
    spikes = np.ones((2, 4, 2), dtype=np.uint8)
    with pytest.raises(SpecError, match=r"record_v: 'yes'; expected True or False\."):
        hwsim.simulate_spiking(arrays, spikes, record_v="yes")
    monkeypatch.setattr(memory, "available_memory_bytes", lambda: 100)
    with pytest.raises(SpecError, match=r"simulate_spiking: recording the membranes of 2 samples x 4 steps x 3 "
                                        r"neurons would take 192 bytes; expected at most the 100 bytes"):
        hwsim.simulate_spiking(arrays, spikes, record_v=True)
    with pytest.raises(SpecError, match=r"graph 'trace': recording the spikes and v_trace of 2 samples x 4 steps x "
                                        r"3 neurons would take 216 bytes"):   # the whole run, before any batch
        hwsim.run(graph, chip, spikes, record=("spikes", "v_trace"))


def test_save_load_round_trip_of_the_new_fields(tmp_path):
    g = Graph("all", metadata={"n_steps": 5})
    g.add_input("x", 2, "current")
    g.add_population("p", 3, "lif", v_th=1.0, n_receptors=2, decay_syn=np.array([[0.1, 0.2, 0.3], [0.5, 0.5, 0.5]]),
                     reset="subtract_raised", initial={"u": [[0.1, 0.2, 0.3], [0, 0, 0]], "v": 0.5,
                                                       "refractory": [0, 1, 2]})
    g.add_population("q", 1, "lif", v_th=1.0, reset="value_next")
    g.add_projection("x", "p", np.ones((3, 2)), receptor=1, name="drive", weight_bits=6, sign_mode="mixed",
                     weight_exp=-2)
    g.add_projection("p", "q", np.ones((1, 3)), delay_steps=2)
    g.add_projection("p", "q", -np.ones((1, 3)), delay_steps=4, sign_mode="inhibitory")
    g.add_output("o", "q")
    back = load_graph(save_graph(g, tmp_path / "all"))
    p, bp = g.node("p"), back.node("p")
    assert (bp.n_receptors, bp.reset) == (2, "subtract_raised")
    for key in ("u", "v", "refractory"):
        np.testing.assert_array_equal(bp.initial[key], p.initial[key])
    np.testing.assert_array_equal(bp.params["decay_syn"], p.params["decay_syn"])
    assert back.node("x").kind == "current"
    for a, b in zip(g.projections(), back.projections()):
        assert (a.name, a.receptor, a.weight_bits, a.sign_mode, a.weight_exp) == \
            (b.name, b.receptor, b.weight_bits, b.sign_mode, b.weight_exp)
    x = np.random.default_rng(0).random((2, 5, 2))
    first, second = (hwsim.run(graph, IDEAL, x, record=("spikes", "v", "u")).recorded for graph in (g, back))
    for what in first:
        for name in first[what]:
            np.testing.assert_array_equal(first[what][name], second[what][name])


# --- one named error per new field or rule --------------------------------------------------------

def _two_receptor_graph():
    g = Graph("two")
    g.add_input("in", 1)
    g.add_population("p", 1, "lif", v_th=1.0, n_receptors=2)
    g.add_projection("in", "p", [[1.0]], receptor=1)
    g.add_output("o", "p")
    return g


def _initial_graph():
    g = Graph("init")
    g.add_input("in", 1)
    g.add_population("p", 1, "lif", v_th=1.0, initial={"v": 0.5})
    g.add_projection("in", "p", [[1.0]])
    g.add_output("o", "p")
    return g


def _current_graph():
    g = Graph("cur")
    g.add_input("in", 1, "current")
    g.add_population("p", 1, "lif", v_th=1.0)
    g.add_projection("in", "p", [[1.0]])
    g.add_output("o", "p")
    return g


def _no_initial_state(chip):
    from dataclasses import replace

    return replace(chip, arithmetic=replace(chip.arithmetic, initial_state=False))


BAD_RUNS = [
    ("receptors on loihi", lambda: hwsim.quantize_spiking(_two_receptor_graph(), hwsim.load_chip("loihi")),
     UnsupportedError, r"2 synaptic currents \(receptors\) per neuron but chip 'loihi' has 1\. Hint"),
    ("initial state unsupported", lambda: hwsim.quantize_spiking(_initial_graph(),
                                                                  _no_initial_state(hwsim.load_chip("loihi"))),
     UnsupportedError, r"initial state \(v\) but chip 'loihi' starts every neuron at 0"),
    ("current input on loihi", lambda: hwsim.quantize_spiking(_current_graph(), hwsim.load_chip("loihi")),
     UnsupportedError, r"kind 'current' .* binary spikes only.*rate_encode \('regular' or 'bernoulli'"),
    ("record unknown", lambda: hwsim.run(_current_graph(), IDEAL, np.ones((1, 2, 1)), record="w"),
     SpecError, r"record: 'w'; expected one of: spikes, u, v"),
    ("bad n_steps", lambda: hwsim.run(_current_graph(), IDEAL, np.ones((1, 1)), n_steps=0),
     SpecError, r"n_steps 0; expected an integer in 1\.\."),
    ("current input not finite", lambda: hwsim.run(_current_graph(), IDEAL, np.full((1, 2, 1), np.nan)),
     SpecError, r"inputs: 2 NaN or infinite values \(the first at index \(0, 0, 0\)\); expected finite numbers"),
    ("zero steps", lambda: hwsim.run(_current_graph(), IDEAL, np.ones((1, 0, 1))),
     SpecError, r"zero steps per sample; expected at least one step"),
    ("labels out of range", lambda: hwsim.run(_current_graph(), IDEAL, np.ones((2, 2, 1)), labels=[0, 7]),
     SpecError, r"labels .*: classes 0\.\.7; expected 0\.\.\d+"),
    ("labels not whole", lambda: hwsim.run(_current_graph(), IDEAL, np.ones((2, 2, 1)), labels=[0, 0.5]),
     SpecError, r"labels .*: 0\.5 is not a whole number"),
    ("labels text", lambda: hwsim.run(_current_graph(), IDEAL, np.ones((2, 2, 1)), labels=["a", "b"]),
     SpecError, r"labels .*: expected whole numbers"),
    ("spike channel real", lambda: hwsim.run(_two_receptor_graph(), IDEAL, np.full((1, 2, 1), 0.5)),
     SpecError, r"spike channels hold values in \[0\.5, 0\.5\]; expected 0 or 1"),
    ("inputs missing", lambda: hwsim.run(_two_receptor_graph(), IDEAL), SpecError,
     r"no inputs given for its 1 input node"),
    ("initial v beyond the state", lambda: hwsim.quantize_spiking(
        (lambda g: (g.add_population("p", 1, "lif", v_th=1.0, initial={"v": 1e9}), g.add_output("o", "p"), g)[-1])(
            Graph("big")), hwsim.load_chip("loihi")),
     UnsupportedError, r"initial v up to 1e\+09 .* beyond chip 'loihi''s 24-bit state"),
]


@pytest.mark.parametrize("case, action, error, message", BAD_RUNS, ids=[b[0] for b in BAD_RUNS])
def test_bad_use_of_the_new_features_is_named(case, action, error, message):
    with pytest.raises(error, match=message):
        action()


def test_two_receptors_run_on_spinnaker():
    """SpiNNaker's IF_curr_exp has an excitatory and an inhibitory current: the profile takes 2 receptors."""
    result = hwsim.run(_two_receptor_graph(), hwsim.load_chip("spinnaker"), np.ones((1, 4, 1), dtype=np.uint8),
                       record="u")
    assert result.recorded["u"]["p"].shape == (1, 2, 1) and result.recorded["u"]["p"][0, 1, 0] > 0


def test_graph_errors_for_models_and_receptors():
    with pytest.raises(GraphError, match=r"receptor 2; expected an integer in 0\.\.1"):
        g = Graph("r")
        g.add_input("in", 1)
        g.add_population("p", 1, "lif", v_th=1.0, n_receptors=2)
        g.add_projection("in", "p", [[1.0]], receptor=2)


def test_inputs_that_cannot_fit_in_memory_are_refused_before_allocating():
    g = Graph("wide", dt_s=1e-3)
    g.add_input("in", 1000)
    g.add_population("p", 2, "lif", v_th=1.0)
    g.add_projection("in", "p", np.ones((2, 1000)))
    g.add_output("o", "p")
    with pytest.raises(SpecError, match=r"inputs of 1,000 samples x 10,000,000 steps x 1,000 channels would "
                                         r"take 10,000,000,000,000 bytes; expected at most"):
        hwsim.run(g, IDEAL, np.zeros((1000, 1000)), n_steps=10_000_000)


def test_weights_that_overflow_are_refused_or_warned_about():
    g = Graph("big", dt_s=1e-3)
    g.add_input("in", 2)
    g.add_population("p", 2, "lif", v_th=1.0)
    g.add_projection("in", "p", np.array([[1e308, 1.0], [1.0, -1e308]]), name="fc")
    g.add_output("o", "p")
    with pytest.raises(UnsupportedError, match=r"projection 'fc': weights up to 1e\+308 overflow chip 'loihi'"):
        hwsim.run(g, "loihi", np.ones((1, 3, 2), np.uint8))
    with pytest.warns(UserWarning, match=r"1 final membrane values overflowed to infinity or NaN"):
        hwsim.run(g, IDEAL, np.ones((1, 3, 2), np.uint8))
