"""The IR: building, validation errors (one test per rule) and lossless save/load."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hwsim.errors import GraphError
from hwsim.ir import Graph, load_graph, save_graph


def small_graph() -> Graph:
    g = Graph("small", dt_s=1e-3, metadata={"task": "toy", "n_steps": 4})
    g.add_input("in", 3)
    g.add_population("hid", 2, "lif", decay_syn=0.5, decay_mem=[0.1, 0.2], v_th=1.0, reset="subtract")
    g.add_population("out", 2, "li", decay_mem=0.25)
    g.add_projection("in", "hid", np.arange(6.0).reshape(2, 3) - 2.5, delay_steps=2)
    g.add_projection("hid", "hid", [0.5, -0.5], pre_index=[0, 1], post_index=[1, 0], delay_steps=[1, 3])
    g.add_projection("hid", "out", np.eye(2))
    g.add_output("readout", "out", "v_final")
    return g


def assert_same_graph(a: Graph, b: Graph) -> None:
    assert (a.name, a.dt_s, a.metadata) == (b.name, b.dt_s, b.metadata)
    assert list(a.nx.nodes) == list(b.nx.nodes)
    for pa, pb in zip(a.populations(), b.populations()):
        assert (pa.name, pa.size, pa.model, pa.reset) == (pb.name, pb.size, pb.model, pb.reset)
        assert pa.params.keys() == pb.params.keys()
        for key in pa.params:
            np.testing.assert_array_equal(pa.params[key], pb.params[key])
    for qa, qb in zip(a.projections(), b.projections()):
        assert (qa.pre, qa.post, qa.is_sparse) == (qb.pre, qb.post, qb.is_sparse)
        for x, y in zip(qa.synapses(), qb.synapses()):
            np.testing.assert_array_equal(x, y)
            assert x.dtype == y.dtype
    assert [(o.name, o.source, o.readout) for o in a.outputs()] == [(o.name, o.source, o.readout) for o in b.outputs()]


def test_round_trip_is_exact(tmp_path):
    g = small_graph().validate()
    path = save_graph(g, tmp_path / "g")
    assert path.suffix == ".npz"
    assert_same_graph(g, load_graph(path))


@settings(max_examples=25, deadline=None)
@given(st.integers(1, 6), st.integers(1, 6), st.integers(0, 2**31 - 1), st.booleans())
def test_round_trip_random_weights(n_in, n_out, seed, sparse):
    rng = np.random.default_rng(seed)
    g = Graph("r", dt_s=float(rng.uniform(1e-5, 1e-2)))
    g.add_input("in", n_in)
    g.add_population("p", n_out, "lif", v_th=rng.uniform(0.1, 2, n_out), decay_mem=rng.uniform(0, 1, n_out))
    if sparse:
        pairs = rng.permutation(n_in * n_out)[: max(1, n_in * n_out // 2)]
        g.add_projection("in", "p", rng.normal(size=pairs.size), pre_index=pairs // n_out,
                         post_index=pairs % n_out, delay_steps=rng.integers(1, 5, pairs.size))
    else:
        g.add_projection("in", "p", rng.normal(size=(n_out, n_in)), delay_steps=rng.integers(1, 5, (n_out, n_in)))
    g.add_output("o", "p")
    header, arrays = g.to_arrays()
    assert_same_graph(g, Graph.from_arrays(header, arrays))


def test_dense_zero_weight_is_no_synapse():
    g = Graph("z")
    g.add_input("in", 2)
    g.add_population("p", 2, "if", v_th=1.0)
    proj = g.add_projection("in", "p", [[0.0, 1.0], [2.0, 0.0]])
    assert proj.n_synapses == 2
    pre, post, w, d = proj.synapses()
    assert pre.tolist() == [1, 0] and post.tolist() == [0, 1] and w.tolist() == [1.0, 2.0] and d.tolist() == [1, 1]


def test_offsets_number_inputs_then_neurons():
    g = small_graph()
    assert g.neuron_offsets() == {"hid": 0, "out": 2}
    assert g.source_offsets() == {"in": 0, "hid": 3, "out": 5}


# --- one test per validation rule: error type and a message that names the problem ---------------

def _base():
    g = Graph("bad")
    g.add_input("in", 3)
    g.add_population("p", 2, "lif", v_th=1.0)
    return g


def _mlp_without_projection():
    """An MLP whose second layer has no incoming projection."""
    m = Graph("m")
    m.add_input("v", 2, "value")
    m.add_population("r", 2, "relu")
    m.add_population("r2", 2, "relu")
    m.add_projection("v", "r", np.ones((2, 2)))
    m.add_output("o", "r2", "value")
    return m.validate()


BAD = [
    ("unknown model", lambda g: g.add_population("q", 2, "alif", v_th=1.0), r"unknown neuron model 'alif'.*lif"),
    ("did you mean", lambda g: g.add_population("q", 2, "lf", v_th=1.0), r"Did you mean 'lif'"),
    ("missing param", lambda g: g.add_population("q", 2, "lif"), r"needs parameter 'v_th'"),
    ("unknown param", lambda g: g.add_population("q", 2, "lif", v_th=1, tau=3), r"unknown parameter 'tau'"),
    ("param shape", lambda g: g.add_population("q", 2, "lif", v_th=[1, 2, 3]), r"v_th has shape \(3,\); expected"),
    ("nan param", lambda g: g.add_population("q", 2, "lif", v_th=np.nan), r"NaN or infinite"),
    ("decay range", lambda g: g.add_population("q", 2, "lif", v_th=1, decay_mem=1.5), r"decay_mem outside \[0, 1\]"),
    ("bad size", lambda g: g.add_population("q", 0, "lif", v_th=1), r"size 0; expected an integer in 1\.\.100,000,000"),
    ("huge size", lambda g: g.add_population("q", 10 ** 9, "lif", v_th=1), r"size 1000000000; expected an integer in"),
    ("huge input", lambda g: g.add_input("i2", 10 ** 10), r"size 10000000000; expected an integer in 1\.\."),
    ("bad reset", lambda g: g.add_population("q", 2, "lif", v_th=1, reset="zero"), r"reset 'zero'"),
    ("refractory", lambda g: g.add_population("q", 2, "lif", v_th=1, refractory_steps=0.5), r"refractory_steps"),
    ("duplicate node", lambda g: g.add_input("p", 2), r"node 'p' already exists"),
    ("input kind", lambda g: g.add_input("x", 2, kind="analog"), r"kind 'analog'"),
    ("dangling edge", lambda g: g.add_projection("in", "nope", np.ones((2, 3))), r"node 'nope' does not exist"),
    ("shape mismatch", lambda g: g.add_projection("in", "p", np.ones((3, 2))),
     r"weight shape \(3, 2\); expected \(2, 3\)"),
    ("nan weight", lambda g: g.add_projection("in", "p", np.full((2, 3), np.inf)), r"NaN or infinite"),
    ("negative delay", lambda g: g.add_projection("in", "p", np.ones((2, 3)), delay_steps=-1), r"delay_steps -1"),
    ("delay-0 cycle", lambda g: (g.add_projection("in", "p", np.ones((2, 3))), g.add_projection("p", "p", np.eye(2),
                                 delay_steps=0), g.add_output("o", "p"), g.validate()), r"delay-0 projections form a cycle \(p -> p\)"),
    ("fractional delay", lambda g: g.add_projection("in", "p", np.ones((2, 3)), delay_steps=1.5), r"whole numbers"),
    ("sparse index range", lambda g: g.add_projection("in", "p", [1.0], pre_index=[5], post_index=[0]),
     r"index is out of range"),
    ("sparse duplicate", lambda g: g.add_projection("in", "p", [1.0, 2.0], pre_index=[0, 0], post_index=[1, 1]),
     r"duplicate \(pre, post\)"),
    ("sparse half", lambda g: g.add_projection("in", "p", [1.0], pre_index=[0]), r"give both pre_index"),
    ("projection into input", lambda g: g.add_projection("p", "in", np.ones((3, 2))), r"expected a Population as target"),
    ("output of input", lambda g: g.add_output("o", "in"), r"source 'in' is not a population"),
    ("bad readout", lambda g: g.add_output("o", "p", "rate"), r"readout 'rate'"),
    ("mlp no projection", lambda g: _mlp_without_projection(), r"population 'r2': no incoming projection"),
    ("value input in spiking graph", lambda g: (g.add_input("v", 2, "value"), g.add_output("o", "p"), g.validate()),
     r"input 'v': kind 'value' in a spiking graph"),
    ("negative receptor", lambda g: g.add_projection("in", "p", np.ones((2, 3)), receptor=-1),
     r"receptor -1; expected an integer in 0..0"),
    ("receptor beyond", lambda g: g.add_projection("in", "p", np.ones((2, 3)), receptor=1),
     r"receptor 1; expected an integer in 0..0 \('p' has 1 receptor"),
    ("receptors of if", lambda g: g.add_population("q", 2, "if", v_th=1, n_receptors=2), r"no synaptic current"),
    ("zero receptors", lambda g: g.add_population("q", 2, "lif", v_th=1, n_receptors=0), r"n_receptors 0"),
    ("receptor param shape", lambda g: g.add_population("q", 3, "lif", v_th=1, n_receptors=2, decay_syn=[0.1] * 4),
     r"decay_syn has shape \(4,\); expected \(\), \(2,\) or \(2, 3\)"),
    ("unknown sign mode", lambda g: g.add_projection("in", "p", np.ones((2, 3)), sign_mode="positive"),
     r"sign_mode 'positive'; expected one of: auto, excitatory, inhibitory, mixed"),
    ("weight bits 0", lambda g: g.add_projection("in", "p", np.ones((2, 3)), weight_bits=0), r"weight_bits 0; expected"),
    ("weight bits 9", lambda g: g.add_projection("in", "p", np.ones((2, 3)), weight_bits=9),
     r"weight_bits 9; expected an integer in 1..8"),
    ("weight exp text", lambda g: g.add_projection("in", "p", np.ones((2, 3)), weight_exp="3"), r"weight_exp '3'"),
    ("initial shape", lambda g: g.add_population("q", 2, "lif", v_th=1, initial={"v": [0.1, 0.2, 0.3]}),
     r"initial v has shape \(3,\); expected \(\) or \(2,\)"),
    ("initial u shape", lambda g: g.add_population("q", 2, "lif", v_th=1, n_receptors=2, initial={"u": np.ones((3, 2))}),
     r"initial u has shape \(3, 2\)"),
    ("initial unknown", lambda g: g.add_population("q", 2, "if", v_th=1, initial={"u": 0.5}),
     r"unknown initial state 'u' for model 'if'"),
    ("initial refractory", lambda g: g.add_population("q", 2, "lif", v_th=1, initial={"refractory": -1}),
     r"initial refractory must be whole numbers"),
    ("initial not mapping", lambda g: g.add_population("q", 2, "lif", v_th=1, initial=[0.1, 0.2]),
     r"initial list; expected a mapping"),
    ("duplicate projection name", lambda g: (g.add_projection("in", "p", np.ones((2, 3)), name="a"),
                                            g.add_projection("in", "p", np.ones((2, 3)), name="a")),
     r"a projection named 'a' already exists"),
    ("no output", lambda g: (g.add_projection("in", "p", np.ones((2, 3))), g.validate()), r"no Output node"),
]


@pytest.mark.parametrize("case, action, message", BAD, ids=[b[0] for b in BAD])
def test_bad_graph_input(case, action, message):
    g = _base()
    with pytest.raises(GraphError, match=message):
        action(g)


def test_mlp_rules():
    g = Graph("mlp")
    g.add_input("in", 2)
    g.add_population("h", 2, "relu")
    g.add_projection("in", "h", np.ones((2, 2)))
    g.add_output("o", "h", "value")
    with pytest.raises(GraphError, match="kind 'spike' in a non-spiking"):
        g.validate()
    with pytest.raises(GraphError, match="readout 'spike_count' of non-spiking model 'relu'"):
        g.add_output("o2", "h", "spike_count")


def test_bad_dt_and_files(tmp_path):
    with pytest.raises(GraphError, match=r"dt_s=-1.*positive number of seconds"):
        Graph("g", dt_s=-1)
    with pytest.raises(GraphError, match="no such file"):
        load_graph(tmp_path / "missing.npz")
    (tmp_path / "junk.npz").write_bytes(b"not a zip")
    with pytest.raises(GraphError, match="not a readable .npz"):
        load_graph(tmp_path / "junk.npz")
    np.savez(tmp_path / "plain.npz", a=np.zeros(2))
    with pytest.raises(GraphError, match="no '__header__'"):
        load_graph(tmp_path / "plain.npz")


def test_update_order_follows_instantaneous_projections():
    g = Graph("order")
    g.add_input("in", 1)
    g.add_population("late", 1, "if", v_th=1.0)
    g.add_population("early", 1, "if", v_th=1.0)
    g.add_projection("in", "early", np.ones((1, 1)), delay_steps=0)
    g.add_projection("early", "late", np.ones((1, 1)), delay_steps=0)
    g.add_projection("late", "early", np.ones((1, 1)), delay_steps=1)   # a loop through a 1-step edge is fine
    g.add_output("o", "late")
    assert g.validate().update_order() == ["early", "late"]
