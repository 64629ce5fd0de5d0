"""hwsim.multapses.layers against a plain reference: every synapse in exactly one layer, layer j holding each
pair's j-th synapse in the order given, sorted or not."""
from __future__ import annotations

import numpy as np
from hypothesis import given, settings, strategies as st

from hwsim.multapses import layer_name, layers


def _reference(pre, post) -> list:
    """Layer of each synapse by counting earlier synapses of its pair, one at a time."""
    seen, rank = {}, []
    for pair in zip(pre.tolist(), post.tolist()):
        rank.append(seen.get(pair, 0))
        seen[pair] = rank[-1] + 1
    rank = np.asarray(rank, dtype=np.int64)
    if rank.size == 0 or rank.max() == 0:
        return [slice(None)]
    return [np.flatnonzero(rank == j) for j in range(int(rank.max()) + 1)]


@settings(max_examples=200, deadline=None)
@given(n_pre=st.integers(1, 6), n_post=st.integers(1, 6), data=st.data(), sort=st.booleans())
def test_layers_match_the_reference(n_pre, n_post, data, sort):
    n = data.draw(st.integers(0, 40))
    pre = np.asarray(data.draw(st.lists(st.integers(0, n_pre - 1), min_size=n, max_size=n)), dtype=np.int32)
    post = np.asarray(data.draw(st.lists(st.integers(0, n_post - 1), min_size=n, max_size=n)), dtype=np.int32)
    if sort:   # the microcircuit's pre-major draws take the path without a sort
        order = np.lexsort((post, pre))
        pre, post = pre[order], post[order]
    got, want = layers(pre, post, n_post), _reference(pre, post)
    assert len(got) == len(want)
    for a, b in zip(got, want):
        if isinstance(b, slice):
            assert a == slice(None)
        else:
            np.testing.assert_array_equal(a, b)
            keys = pre[a].astype(np.int64) * n_post + post[a]
            assert np.unique(keys).size == keys.size   # a pair at most once per layer


def test_layer_names():
    assert [layer_name("A->B", j) for j in range(3)] == ["A->B", "A->B#2", "A->B#3"]
