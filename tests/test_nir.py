"""NIR import/export: every node type, conv/pool lowering, the snnTorch fixtures, round trips, errors, CLI."""
import json
from pathlib import Path

import nir
import numpy as np
import pytest

from hwsim.errors import GraphError, UnsupportedError
from hwsim.interop.nir import export_nir, import_nir, write_nir
from hwsim.ir import Graph

DT = 1e-3
FIXTURES = Path(__file__).resolve().parents[1] / "models" / "data" / "nir"
NAMES = ("leaky_ff", "leaky_ff_zero", "synaptic_ff", "rleaky", "conv")
RNG = np.random.default_rng(0)


def chain(*nodes, n_in=None, type_check=True):
    """``input -> n0 -> n1 -> ... -> output`` with names input, n0, n1, ..., output."""
    names = [f"n{k}" for k in range(len(nodes))]
    graph_nodes = {"input": nir.Input(input_type=np.array(n_in)), **dict(zip(names, nodes))}
    out_shape = nodes[-1].output_type["output"]
    graph_nodes["output"] = nir.Output(output_type=np.asarray(out_shape))
    order = ["input", *names, "output"]
    return nir.NIRGraph(nodes=graph_nodes, edges=list(zip(order[:-1], order[1:])), type_check=type_check)


def proj(graph, pre, post):
    return graph.projection(f"{pre}->{post}")


def dense(p, graph, what=2):
    """The projection as a dense (n_post, n_pre) matrix of weights (``what=3``: of delays)."""
    syn = p.synapses()
    out = np.zeros((graph.node(p.post).size, graph.node(p.pre).size))
    out[syn[1], syn[0]] = syn[what]
    return out


def lif(n, tau=0.01, r=1.0, v_leak=0.0, thr=1.0, v_reset=0.0):
    full = lambda v: np.broadcast_to(np.asarray(v, dtype=np.float64), (n,)).copy()
    return nir.LIF(tau=full(tau), r=full(r), v_leak=full(v_leak), v_threshold=full(thr), v_reset=full(v_reset))


# ---------------------------------------------------------------------------- neuron nodes
def test_lif_literal_discretisation():
    w, b = RNG.normal(size=(4, 3)), RNG.normal(size=4)
    tau, r, v_leak = np.array([.01, .02, .005, .004]), np.array([2., 3., 1., .5]), np.array([.1, 0, -.2, .3])
    node = nir.LIF(tau=tau, r=r, v_leak=v_leak, v_threshold=np.full(4, 1.5), v_reset=np.full(4, -.25))
    g = import_nir(chain(nir.Affine(weight=w, bias=b), node, n_in=[3]), DT, "literal")
    pop = g.node("n1")
    assert pop.model == "lif" and pop.reset == "value"
    np.testing.assert_array_equal(pop.params["decay_mem"], DT / tau)
    np.testing.assert_array_equal(pop.params["decay_syn"], 1.0)
    np.testing.assert_array_equal(pop.params["v_th"], 1.5)
    np.testing.assert_array_equal(pop.params["v_reset"], -.25)
    gain = r * DT / tau
    np.testing.assert_allclose(pop.params["bias_syn"][0], gain * b, rtol=1e-15)     # an input current
    np.testing.assert_allclose(pop.params["bias"], DT / tau * v_leak, rtol=1e-15)
    np.testing.assert_allclose(dense(proj(g, "input", "n1"), g), w * gain[:, None], rtol=1e-15)
    assert int(proj(g, "input", "n1").delay_steps) == 0
    assert g.outputs()[0].source == "n1" and g.outputs()[0].readout == "spike_count"


def test_lif_snntorch_and_norse_conventions():
    w = RNG.normal(size=(2, 3))
    tau = np.array([4e-4, 1e-3])
    snn = chain(nir.Linear(weight=w), lif(2, tau=tau, r=tau / 1e-4), n_in=[3])
    g = import_nir(snn, 1e-4, "snntorch", reset="subtract_next")
    np.testing.assert_array_equal(dense(proj(g, "input", "n1"), g), w)          # unit gain, exactly
    assert g.node("n1").reset == "subtract_next"
    with pytest.raises(GraphError, match="snntorch.*convention expects r = tau/dt"):
        import_nir(snn, 2e-4, "snntorch")                                      # wrong dt -> gain 2
    norse = chain(nir.Linear(weight=w), lif(2, tau=tau, r=1.0), n_in=[3])
    g = import_nir(norse, 1e-4, "norse")
    np.testing.assert_allclose(dense(proj(g, "input", "n1"), g), w * (1e-4 / tau)[:, None], rtol=1e-15)
    with pytest.raises(GraphError, match="'norse' convention expects 1"):
        import_nir(snn, 1e-4, "norse")


def test_cubalif_and_cubali():
    n = 3
    w, b = RNG.normal(size=(n, 2)), RNG.normal(size=n)
    ts, tm = np.array([.002, .004, .01]), np.array([.01, .02, .05])
    r, w_in, v_leak = np.array([1., 2., 3.]), np.array([.5, 1., 2.]), np.array([.1, .2, .3])
    node = nir.CubaLIF(tau_syn=ts, tau_mem=tm, r=r, v_leak=v_leak, v_threshold=np.ones(n), v_reset=np.zeros(n),
                       w_in=w_in)
    g = import_nir(chain(nir.Affine(weight=w, bias=b), node, n_in=[2]), DT, "literal", reset="subtract")
    p = g.node("n1")
    gain = (w_in * DT / ts) * (r * DT / tm)
    np.testing.assert_array_equal(p.params["decay_syn"][0], DT / ts)
    np.testing.assert_array_equal(p.params["decay_mem"], DT / tm)
    np.testing.assert_allclose(dense(proj(g, "input", "n1"), g), w * gain[:, None], rtol=1e-15)
    np.testing.assert_allclose(p.params["bias_syn"][0], gain * b, rtol=1e-15)
    np.testing.assert_allclose(p.params["bias"], DT / tm * v_leak, rtol=1e-15)
    assert p.reset == "subtract"
    li = nir.CubaLI(tau_syn=ts, tau_mem=tm, r=r, v_leak=v_leak, w_in=w_in)
    g = import_nir(chain(nir.Affine(weight=w, bias=b), li, n_in=[2]), DT, "literal")
    assert g.node("n1").model == "li" and g.outputs()[0].readout == "v_final"
    np.testing.assert_allclose(g.node("n1").params["bias_syn"][0], gain * b, rtol=1e-15)


def test_li_if_i_threshold():
    w = RNG.normal(size=(2, 2))
    g = import_nir(chain(nir.Linear(weight=w), nir.LI(tau=np.full(2, .01), r=np.full(2, 2.), v_leak=np.ones(2)),
                         n_in=[2]), DT, "literal")
    p = g.node("n1")
    assert p.model == "li" and g.outputs()[0].readout == "v_final"
    np.testing.assert_allclose(dense(proj(g, "input", "n1"), g), w * 2 * DT / .01, rtol=1e-15)
    np.testing.assert_allclose(p.params["bias"], DT / .01, rtol=1e-15)
    g = import_nir(chain(nir.Linear(weight=w), nir.IF(r=np.full(2, 4.), v_threshold=np.full(2, .5),
                                                    v_reset=np.full(2, .1)), n_in=[2]), DT, "literal")
    p = g.node("n1")
    assert p.model == "if"
    np.testing.assert_allclose(dense(proj(g, "input", "n1"), g), w * 4 * DT, rtol=1e-15)
    np.testing.assert_array_equal(p.params["v_reset"], .1)
    g = import_nir(chain(nir.Linear(weight=w), nir.I(r=np.full(2, 1 / DT)), n_in=[2]), DT, "snntorch")
    p = g.node("n1")
    assert p.model == "li"
    np.testing.assert_array_equal(p.params["decay_mem"], 0.0)
    np.testing.assert_array_equal(p.params["decay_syn"], 1.0)
    np.testing.assert_array_equal(dense(proj(g, "input", "n1"), g), w)
    g = import_nir(chain(nir.Affine(weight=w, bias=np.array([.5, -.5])), nir.Threshold(threshold=np.full(2, .3)),
                         n_in=[2]), DT, "literal", reset="subtract_next")
    p = g.node("n1")
    assert p.model == "lif" and p.reset == "value"      # stateless z = H(x - threshold)
    np.testing.assert_array_equal(p.params["decay_mem"], 1.0)
    np.testing.assert_array_equal(p.params["decay_syn"], 1.0)
    np.testing.assert_array_equal(p.params["v_th"], .3)
    np.testing.assert_array_equal(p.params["bias_syn"][0], [.5, -.5])


# ---------------------------------------------------------------------------- linear nodes
def test_affine_scale_linear_chain_is_composed():
    w1, b1 = RNG.normal(size=(4, 3)), RNG.normal(size=4)
    s = RNG.normal(size=4)
    w2 = RNG.normal(size=(2, 4))
    tau = np.full(2, 1e-3)
    g = import_nir(chain(nir.Affine(weight=w1, bias=b1), nir.Scale(scale=s), nir.Linear(weight=w2),
                         lif(2, tau=tau, r=tau / DT), n_in=[3]), DT, "snntorch")
    assert [p.name for p in g.populations()] == ["n3"] and len(g.projections()) == 1
    np.testing.assert_allclose(dense(proj(g, "input", "n3"), g), w2 @ (s[:, None] * w1), rtol=1e-12)
    np.testing.assert_allclose(g.node("n3").params["bias_syn"][0], w2 @ (s * b1), rtol=1e-12)


def test_delay_nodes_become_steps():
    w = RNG.normal(size=(3, 2))
    tau = np.full(3, 1e-3)
    g = import_nir(chain(nir.Linear(weight=w), nir.Delay(delay=np.array([2, 2, 5]) * DT), lif(3, tau, tau / DT),
                         n_in=[2]), DT, "snntorch", min_delay_steps=1)
    p = proj(g, "input", "n2")
    np.testing.assert_array_equal(p.delay_steps, np.array([[3, 3], [3, 3], [6, 6]]))
    uniform = chain(nir.Delay(delay=np.full(2, 4 * DT)), nir.Linear(weight=w), lif(3, tau, tau / DT), n_in=[2])
    assert int(proj(import_nir(uniform, DT, "snntorch"), "input", "n2").delay_steps) == 4
    odd = chain(nir.Linear(weight=w), nir.Delay(delay=np.full(3, 2.4 * DT)), lif(3, tau, tau / DT), n_in=[2])
    with pytest.raises(GraphError, match="whole number of steps.*delay_rounding='nearest'"):
        import_nir(odd, DT, "snntorch")
    g = import_nir(odd, DT, "snntorch", delay_rounding="nearest")
    assert int(proj(g, "input", "n2").delay_steps) == 2


def _conv_numpy(x, w, stride, padding, dilation, groups):
    """Direct PyTorch-style cross-correlation of one (C, H, W) input."""
    c_out, cig, kh, kw = w.shape
    xp = np.pad(x, ((0, 0), (padding[0],) * 2, (padding[1],) * 2))
    h_out = (x.shape[1] + 2 * padding[0] - dilation[0] * (kh - 1) - 1) // stride[0] + 1
    w_out = (x.shape[2] + 2 * padding[1] - dilation[1] * (kw - 1) - 1) // stride[1] + 1
    y = np.zeros((c_out, h_out, w_out))
    per_group = c_out // groups
    for co in range(c_out):
        g0 = (co // per_group) * cig
        for i in range(h_out):
            for j in range(w_out):
                patch = xp[g0:g0 + cig, i * stride[0]:i * stride[0] + dilation[0] * (kh - 1) + 1:dilation[0],
                           j * stride[1]:j * stride[1] + dilation[1] * (kw - 1) + 1:dilation[1]]
                y[co, i, j] = np.sum(patch * w[co])
    return y


def _lowered(graph_nir, src="input", dst=None):
    g = import_nir(graph_nir, DT, "literal")
    dst = dst or g.populations()[0].name
    p = proj(g, src, dst)
    assert p.is_sparse
    return g, dense(p, g)


@pytest.mark.parametrize("stride,padding,dilation,groups", [((1, 1), (0, 0), (1, 1), 1), ((2, 1), (1, 2), (1, 2), 2)])
def test_conv2d_matches_numpy(stride, padding, dilation, groups):
    c_in, c_out, h, w_ = 4, 6, 7, 9
    weight = RNG.normal(size=(c_out, c_in // groups, 3, 2))
    bias = RNG.normal(size=c_out)
    conv = nir.Conv2d(input_shape=(h, w_), weight=weight, stride=stride, padding=padding, dilation=dilation,
                      groups=groups, bias=bias)
    x = (RNG.random((c_in, h, w_)) < .5).astype(float)
    ref = _conv_numpy(x, weight, stride, padding, dilation, groups)
    g, mat = _lowered(chain(conv, nir.LIF(tau=np.full(ref.shape, .01), r=np.full(ref.shape, 10.),
                                          v_leak=np.zeros(ref.shape), v_threshold=np.ones(ref.shape),
                                          v_reset=np.zeros(ref.shape)), n_in=[c_in, h, w_],
                                type_check=False))   # nir 1.0.8 infers groups/non-square kernels wrongly
    np.testing.assert_allclose(mat @ x.ravel(), ref.ravel(), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(g.node("n1").params["bias_syn"][0], np.repeat(bias, ref[0].size), rtol=1e-15)


def test_conv1d_matches_numpy():
    weight = RNG.normal(size=(3, 2, 3))
    conv = nir.Conv1d(input_shape=10, weight=weight, stride=2, padding=1, dilation=1, groups=1, bias=np.zeros(3))
    x = (RNG.random((2, 10)) < .5).astype(float)
    ref = _conv_numpy(x[:, None, :], weight[:, :, None, :], (1, 2), (0, 1), (1, 1), 1)[:, 0, :]
    shape = ref.shape
    node = nir.LIF(tau=np.full(shape, .01), r=np.full(shape, 10.), v_leak=np.zeros(shape),
                   v_threshold=np.ones(shape), v_reset=np.zeros(shape))
    _, mat = _lowered(chain(conv, node, n_in=[2, 10]))
    np.testing.assert_allclose(mat @ x.ravel(), ref.ravel(), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("kind", ["SumPool2d", "AvgPool2d"])
def test_pool_and_flatten_match_numpy(kind):
    x = (RNG.random((3, 6, 4)) < .5).astype(float)
    pool = getattr(nir, kind)(kernel_size=np.array([2, 2]), stride=np.array([2, 2]), padding=np.array([0, 0]))
    ref = x.reshape(3, 3, 2, 2, 2).sum(axis=(2, 4))
    ref = ref / 4 if kind == "AvgPool2d" else ref
    nodes = {"input": nir.Input(input_type=np.array([3, 6, 4])), "pool": pool,
             "flat": nir.Flatten(input_type={"input": np.array([3, 3, 2])}, start_dim=0, end_dim=-1),
             "lif": lif(18, r=10.), "output": nir.Output(output_type=np.array([18]))}
    graph = nir.NIRGraph(nodes=nodes, edges=[("input", "pool"), ("pool", "flat"), ("flat", "lif"),
                                             ("lif", "output")])
    _, mat = _lowered(graph)
    np.testing.assert_allclose(mat @ x.ravel(), ref.ravel(), rtol=1e-15)


def test_subgraph_and_recurrent_edges():
    tau = np.full(3, 1e-3)
    w_rec = RNG.normal(size=(3, 3))
    sub = nir.NIRGraph(nodes={"input": nir.Input(input_type=np.array([3])), "lif": lif(3, tau, tau / DT),
                              "w_rec": nir.Linear(weight=w_rec), "output": nir.Output(output_type=np.array([3]))},
                       edges=[("input", "lif"), ("lif", "w_rec"), ("w_rec", "lif"), ("lif", "output")])
    w0, w2 = RNG.normal(size=(3, 2)), RNG.normal(size=(2, 3))
    graph = nir.NIRGraph(nodes={"input": nir.Input(input_type=np.array([2])), "w0": nir.Linear(weight=w0),
                                "rec": sub, "w2": nir.Linear(weight=w2), "out": lif(2, tau[:2], tau[:2] / DT),
                                "output": nir.Output(output_type=np.array([2]))},
                         edges=[("input", "w0"), ("w0", "rec"), ("rec", "w2"), ("w2", "out"), ("out", "output")])
    g = import_nir(graph, DT, "snntorch")
    assert [p.name for p in g.populations()] == ["rec.lif", "out"]
    assert int(proj(g, "input", "rec.lif").delay_steps) == 0
    assert int(proj(g, "rec.lif", "rec.lif").delay_steps) == 1          # the loop takes one step
    assert int(proj(g, "rec.lif", "out").delay_steps) == 0
    np.testing.assert_array_equal(dense(proj(g, "rec.lif", "rec.lif"), g), w_rec)
    g = import_nir(graph, DT, "snntorch", min_delay_steps=2)
    assert int(proj(g, "rec.lif", "rec.lif").delay_steps) == 2
    assert int(proj(g, "input", "rec.lif").delay_steps) == 2


# ---------------------------------------------------------------------------- fixtures
def _reset_of(meta):
    layer = next(entry for entry in meta["layers"] if "reset_mechanism" in entry)
    if layer["reset_mechanism"] == "zero":
        return "value"
    return "subtract_next" if layer["reset_delay"] else "subtract"


@pytest.mark.parametrize("name", NAMES)
def test_fixture_structure_matches_json(name):
    meta = json.loads((FIXTURES / f"{name}.json").read_text())
    g = import_nir(FIXTURES / f"{name}.nir", meta["dt_s"], "snntorch", reset=_reset_of(meta))
    layers = [entry for entry in meta["layers"] if "beta" in entry]
    assert [p.name for p in g.populations()] == [entry["nir_node"] for entry in layers]
    for entry in layers:
        pop = g.node(entry["nir_node"])
        assert pop.size == entry["n"] and pop.model == "lif" and pop.reset == _reset_of(meta)
        np.testing.assert_allclose(1 - pop.params["decay_mem"], entry["beta"], rtol=0, atol=1e-7)
        np.testing.assert_array_equal(pop.params["v_th"], entry["threshold"])
        if "alpha" in entry:
            np.testing.assert_allclose(1 - pop.params["decay_syn"][0], entry["alpha"], rtol=0, atol=1e-7)
        else:
            np.testing.assert_array_equal(pop.params["decay_syn"], 1.0)
    assert g.inputs()[0].size == 64 and g.outputs()[0].source == layers[-1]["nir_node"]
    recurrent = [p for p in g.projections() if p.pre == p.post]
    assert len(recurrent) == (1 if name == "rleaky" else 0)
    for p in g.projections():
        assert int(np.max(p.delay_steps)) == (1 if p.pre == p.post else 0)
        assert p.is_sparse == (name == "conv")
    g1 = import_nir(FIXTURES / f"{name}.nir", meta["dt_s"], "snntorch", min_delay_steps=1)
    assert all(int(np.min(p.delay_steps)) == 1 for p in g1.projections())


def test_rleaky_recurrent_bias_goes_into_the_membrane():
    nir_graph = nir.read(str(FIXTURES / "rleaky.nir"))
    g = import_nir(nir_graph, 1e-4, "snntorch")
    expected = np.asarray(nir_graph.nodes["0"].bias, float) + np.asarray(nir_graph.nodes["1.w_rec"].bias, float)
    np.testing.assert_allclose(g.node("1.lif").params["bias_syn"][0], expected, rtol=1e-15)
    np.testing.assert_array_equal(dense(proj(g, "1.lif", "1.lif"), g), np.asarray(nir_graph.nodes["1.w_rec"].weight,
                                                                                   float))


# ---------------------------------------------------------------------------- round trip
def _ir_graph(li_decay=0.0):
    rng = np.random.default_rng(1)
    g = Graph("rt", dt_s=DT, metadata={"task": "x"})
    g.add_input("in", 5)
    g.add_population("h", 4, "lif", decay_syn=1.0, decay_mem=rng.choice([.25, .125, .5], 4),
                     v_th=rng.random(4) + .5, bias=rng.normal(size=4), v_reset=-.5)
    g.add_population("c", 3, "lif", decay_syn=[.5, .25, .125], decay_mem=[.0625, .5, .25], v_th=1.0,
                     bias=[.5, .25, -.25], bias_syn=[.1, .2, .3])
    g.add_population("f", 2, "if", v_th=2.0, bias=[.5, 0.0])
    g.add_population("o", 2, "li", decay_syn=1.0, decay_mem=[.25, li_decay], bias=[.1, .2])   # 0: tau = inf
    g.add_projection("in", "h", rng.normal(size=(4, 5)), delay_steps=0)
    g.add_projection("h", "h", rng.normal(size=(4, 4)), delay_steps=1)
    g.add_projection("h", "c", rng.normal(size=(3, 4)), delay_steps=3)
    g.add_projection("c", "f", rng.normal(size=(2, 3)), delay_steps=np.array([[0] * 3, [2] * 3]))
    g.add_projection("f", "o", rng.normal(size=(2, 2)), delay_steps=0)
    g.add_output("out", "o", "v_final")
    g.add_output("spikes", "c", "spike_count")
    return g.validate()


def _same(a: Graph, b: Graph, exact=True):
    check = np.testing.assert_array_equal if exact else lambda x, y: np.testing.assert_allclose(x, y, rtol=1e-14)
    assert [i.name for i in a.inputs()] == [i.name for i in b.inputs()]
    assert {p.name for p in a.populations()} == {p.name for p in b.populations()}
    for p in a.populations():
        q = b.node(p.name)
        assert (q.model, q.size, q.reset) == (p.model, p.size, p.reset)
        assert set(q.params) == set(p.params)
        memoryless = np.all(p.params.get("decay_syn", 0.0) == 1)   # bias and bias_syn act alike: compare the sum
        for key in p.params:
            if memoryless and key in ("bias", "bias_syn"):
                check(q.params["bias"] + q.params["bias_syn"].sum(0), p.params["bias"] + p.params["bias_syn"].sum(0))
            else:
                check(q.params[key], p.params[key])
    assert {(p.pre, p.post) for p in a.projections()} == {(p.pre, p.post) for p in b.projections()}
    for p in a.projections():
        q = proj(b, p.pre, p.post)
        check(dense(q, b), dense(p, a))
        np.testing.assert_array_equal(dense(q, b, 3), dense(p, a, 3))
    assert {(o.name, o.source, o.readout) for o in a.outputs()} == {(o.name, o.source, o.readout) for o in b.outputs()}


def test_round_trip_ir_nir_ir(tmp_path):
    g = _ir_graph()
    path = write_nir(g, tmp_path / "rt.nir")
    back = import_nir(nir.read(str(path)), DT, "snntorch")        # nir.read accepts what we write
    _same(g, back, exact=True)
    back = import_nir(path, DT, "snntorch", min_delay_steps=0)
    _same(g, back, exact=True)
    with pytest.raises(UnsupportedError, match="decay of 0"):
        export_nir(g, convention="norse")
    finite = _ir_graph(li_decay=.5)
    norse = import_nir(export_nir(finite, convention="norse"), DT, "norse")
    _same(finite, norse, exact=False)
    with pytest.raises(UnsupportedError, match="delay 0 steps; expected >= 1"):
        export_nir(_delay0_only(), min_delay_steps=1)


def test_metadata_and_save(tmp_path):
    from hwsim.ir import load_graph, save_graph

    g = import_nir(FIXTURES / "conv.nir", 1e-4, "snntorch", reset="subtract_next",
                   metadata={"task": "digits", "n_steps": 25, "encoding": "regular"})
    assert g.metadata["task"] == "digits" and g.metadata["n_steps"] == 25
    assert g.metadata["nir_convention"] == "snntorch" and g.metadata["min_delay_steps"] == 0
    back = load_graph(save_graph(g, tmp_path / "conv.npz"))
    _same(g, back)
    exported = import_nir(export_nir(_delay0_only()), DT, "snntorch")
    assert exported.metadata["nir_metadata"]["producer"] == "hwsim"


def _delay0_only():
    g = Graph("d0", dt_s=DT)
    g.add_input("in", 2)
    g.add_population("p", 2, "lif", decay_syn=1.0, decay_mem=.5, v_th=1.0)
    g.add_projection("in", "p", np.eye(2), delay_steps=0)
    g.add_output("out", "p")
    return g


@pytest.mark.parametrize("name", NAMES)
def test_fixture_round_trip(name, tmp_path):
    g = import_nir(FIXTURES / f"{name}.nir", 1e-4, "snntorch")
    back = import_nir(write_nir(g, tmp_path / "x.nir", min_delay_steps=0), 1e-4, "snntorch")
    _same(g, back, exact=False)      # decays: dt/(dt/d) may differ from d by an ulp; sparse comes back dense


def test_export_refuses_what_nir_cannot_express():
    g = Graph("r", dt_s=DT)
    g.add_input("in", 2)
    g.add_population("p", 2, "lif", reset="subtract_next", decay_syn=1.0, decay_mem=.5, v_th=1.0)
    g.add_projection("in", "p", np.eye(2), delay_steps=0)
    g.add_output("out", "p")
    with pytest.raises(UnsupportedError, match="reset 'subtract_next'.*lossy_reset"):
        export_nir(g)
    assert isinstance(export_nir(g, lossy_reset=True).nodes["p"], nir.LIF)
    g = Graph("ref", dt_s=DT)
    g.add_input("in", 2)
    g.add_population("p", 2, "lif", decay_syn=1.0, decay_mem=.5, v_th=1.0, refractory_steps=2)
    g.add_projection("in", "p", np.eye(2), delay_steps=0)
    g.add_output("out", "p")
    with pytest.raises(UnsupportedError, match="refractory"):
        export_nir(g)


# ---------------------------------------------------------------------------- errors
def test_bad_arguments_and_files(tmp_path):
    path = FIXTURES / "leaky_ff.nir"
    with pytest.raises(GraphError, match="convention 'snntoch'.*Did you mean 'snntorch'"):
        import_nir(path, 1e-4, "snntoch")
    with pytest.raises(GraphError, match="dt_s=0"):
        import_nir(path, 0, "snntorch")
    with pytest.raises(GraphError, match="reset 'zero'"):
        import_nir(path, 1e-4, "snntorch", reset="zero")
    with pytest.raises(GraphError, match="min_delay_steps=-1"):
        import_nir(path, 1e-4, "snntorch", min_delay_steps=-1)
    with pytest.raises(GraphError, match="no such file"):
        import_nir(tmp_path / "missing.nir", 1e-4, "snntorch")
    junk = tmp_path / "junk.nir"
    junk.write_text("not hdf5")
    with pytest.raises(GraphError, match="not a readable HDF5 file.*expected a NIR graph"):
        import_nir(junk, 1e-4, "snntorch")
    with pytest.raises(GraphError, match="tau.*expected tau >= dt_s"):
        import_nir(path, 1e-2, "literal")


def test_unsupported_nodes_and_structures():
    from nir.ir.graph import Identity

    graph = nir.NIRGraph(nodes={"input": nir.Input(input_type=np.array([2])),
                                "id": Identity(input_type={"input": np.array([2])}),
                                "lif": lif(2), "output": nir.Output(output_type=np.array([2]))},
                         edges=[("input", "id"), ("id", "lif"), ("lif", "output")], type_check=False)
    with pytest.raises(UnsupportedError, match="node 'id' of type Identity is not supported; expected one of: "
                                               "Affine, AvgPool2d"):
        import_nir(graph, DT, "literal")
    li = nir.LI(tau=np.full(2, .01), r=np.ones(2), v_leak=np.zeros(2))
    with pytest.raises(UnsupportedError, match="non-spiking layer 'n0'"):
        import_nir(chain(li, nir.Linear(weight=np.eye(2)), lif(2), n_in=[2]), DT, "literal")
    with pytest.raises(UnsupportedError, match="Output 'output' reads node 'n1' \\(Linear\\)"):
        import_nir(chain(lif(2), nir.Linear(weight=np.eye(2)), n_in=[2]), DT, "literal")


# ---------------------------------------------------------------------------- CLI
def test_cli_runs_a_nir_file(tmp_path, capsys):
    from hwsim.cli import main

    expected = np.load(FIXTURES / "leaky_ff.expected.npz")
    inputs = tmp_path / "in.npz"
    np.savez(inputs, x=expected["input"][:4], y=expected["y"][:4])
    args = [str(FIXTURES / "leaky_ff.nir"), "--chip", "loihi", "--inputs", str(inputs),
            "--json", str(tmp_path / "r.json")]
    assert main(["run", *args]) == 2
    assert "needs --dt and --convention" in capsys.readouterr().err
    assert main(["run", *args, "--dt", "1e-4", "--convention", "snntorch"]) == 0
    out = capsys.readouterr().out
    assert "leaky_ff" in out and "loihi" in out
    assert main(["run", str(FIXTURES / "leaky_ff.nir"), "--dt", "1e-4", "--convention", "snntorch",
                 "--json", str(tmp_path / "r.json")]) == 2
    assert "no inputs" in capsys.readouterr().err


def _one_neuron_graph(name, population=None, projection=None):
    """in -> p (1 LIF neuron) -> o, with extra population and projection keywords."""
    g = Graph(name, dt_s=DT)
    g.add_input("in", 1)
    g.add_population("p", 1, "lif", v_th=1.0, decay_mem=0.5, **(population or {}))
    g.add_projection("in", "p", [[1.0]], **(projection or {}))
    g.add_output("o", "p")
    return g


def test_export_refuses_what_nir_cannot_say():
    g = _one_neuron_graph("r", {"n_receptors": 2}, {"receptor": 1})
    with pytest.raises(UnsupportedError, match="2 synaptic currents \\(receptors\\); a NIR CubaLIF has one"):
        export_nir(g)
    g = _one_neuron_graph("i", {"initial": {"v": 0.5}}, {"weight_bits": 4})
    with pytest.raises(UnsupportedError, match="an initial state \\(v\\); NIR starts every state at 0"):
        export_nir(g)
    g = _one_neuron_graph("w", projection={"weight_bits": 4, "name": "fc"})
    with pytest.warns(UserWarning, match="fc state Loihi weight precision"):
        graph_nir = export_nir(g)
    assert "fc" in graph_nir.nodes
