"""The O(n) repeated-pair search (kernels/pairs.py) against a plain-numpy reference that sorts keys."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hwsim.errors import GraphError
from hwsim.ir import Graph
from hwsim.kernels.pairs import first_repeated_pair


def repeated_pairs(pre: np.ndarray, post: np.ndarray, n_post: int) -> set:
    """Every (pre, post) pair that occurs more than once, by sorting int64 keys (shares no code with the kernel)."""
    keys, counts = np.unique(pre.astype(np.int64) * n_post + post.astype(np.int64), return_counts=True)
    return {(int(k // n_post), int(k % n_post)) for k in keys[counts > 1]}


@st.composite
def synapse_lists(draw):
    n_pre, n_post = draw(st.integers(1, 12)), draw(st.integers(1, 12))
    n = draw(st.integers(0, 60))
    pre = np.array(draw(st.lists(st.integers(0, n_pre - 1), min_size=n, max_size=n)), dtype=np.int64)
    post = np.array(draw(st.lists(st.integers(0, n_post - 1), min_size=n, max_size=n)), dtype=np.int64)
    if draw(st.booleans()):  # grouped by pre, as generators and importers usually give them
        order = np.argsort(pre, kind="stable")
        pre, post = pre[order], post[order]
    dtype = draw(st.sampled_from([np.int32, np.int64]))
    return pre.astype(dtype), post.astype(dtype), n_pre, n_post


@settings(max_examples=300, deadline=None)
@given(synapse_lists())
def test_kernel_finds_a_repeated_pair_exactly_when_the_reference_does(case):
    pre, post, n_pre, n_post = case
    expected = repeated_pairs(pre, post, n_post)
    found = tuple(int(x) for x in first_repeated_pair(pre, post, n_pre, n_post))
    if expected:
        assert found in expected
    else:
        assert found == (-1, -1)


@settings(max_examples=100, deadline=None)
@given(st.integers(1, 30), st.integers(1, 30), st.integers(0, 2**32 - 1))
def test_unique_pairs_in_any_order_pass(n_pre, n_post, seed):
    rng = np.random.default_rng(seed)
    keys = rng.permutation(n_pre * n_post)[:rng.integers(0, n_pre * n_post + 1)]
    assert tuple(first_repeated_pair(keys // n_post, keys % n_post, n_pre, n_post)) == (-1, -1)


def test_graph_names_the_repeated_pair_and_stores_narrow_arrays():
    g = Graph("g")
    g.add_input("in", 3)
    g.add_population("p", 4, "lif", v_th=1.0)
    with pytest.raises(GraphError, match=r"duplicate \(pre, post\) synapses, e.g. \(2, 1\)"):
        g.add_projection("in", "p", [1.0, 1.0, 1.0], pre_index=[2, 0, 2], post_index=[1, 3, 1])
    proj = g.add_projection("in", "p", [1.0, 2.0], pre_index=np.array([2, 0], dtype=np.uint64),
                            post_index=[1, 3], delay_steps=[1, 200])
    assert proj.pre_index.dtype == proj.post_index.dtype == np.int32
    assert proj.delay_steps.dtype == np.int16
    pre, post, weight, delay = proj.synapses()
    assert [a.dtype for a in (pre, post, weight, delay)] == [np.int64, np.int64, np.float64, np.int64]
    assert pre.tolist() == [2, 0] and post.tolist() == [1, 3] and delay.tolist() == [1, 200]
