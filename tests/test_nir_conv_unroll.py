"""The conv unrolling (``hwsim.interop.conv.conv_to_csr``, used by the NIR and netx importers) against the
tap-major construction it replaced, and the imported synapses against a plain loop over output positions and
kernel taps.

Before, each Conv2d/pool matrix was ``csr_array((w, (post, pre)))`` of synapse lists built kernel tap by kernel
tap (:func:`_tap_major`, kept here as the reference) and sorted with a lexsort; now the CSR is built row by row in
sorted order. Both must give the same matrix entry for entry.
"""
import nir
import numpy as np
import scipy.sparse as sp
from hypothesis import given, settings, strategies as st

from hwsim.interop.conv import conv_output_shape, conv_to_csr, conv_to_sparse
from hwsim.interop.nir import import_nir

DT = 1e-3


@st.composite
def convs(draw):
    """A small conv: weight (with zeros), input shape, stride, padding, dilation, groups."""
    groups = draw(st.integers(1, 3))
    c_in, c_out = groups * draw(st.integers(1, 2)), groups * draw(st.integers(1, 3))
    k_h, k_w = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    stride = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    dilation = (draw(st.integers(1, 2)), draw(st.integers(1, 2)))
    padding = (draw(st.integers(0, 2)), draw(st.integers(0, 2)))
    h = draw(st.integers(dilation[0] * (k_h - 1) + 1 - 2 * padding[0], 9).filter(lambda v: v >= 1))
    w = draw(st.integers(dilation[1] * (k_w - 1) + 1 - 2 * padding[1], 9).filter(lambda v: v >= 1))
    rng = np.random.default_rng(draw(st.integers(0, 2 ** 16)))
    weight = rng.normal(size=(c_out, c_in // groups, k_h, k_w))
    weight[rng.random(weight.shape) < draw(st.sampled_from([0.0, 0.3, 1.0]))] = 0.0
    return weight, (c_in, h, w), stride, padding, dilation, groups


def _tap_major(weight, in_shape, stride, padding, dilation, groups):
    """The former construction: synapse lists kernel tap by kernel tap (plain numpy broadcasting)."""
    c_out, c_in_group, k_h, k_w = weight.shape
    c_in, h_in, w_in = in_shape
    h_out, w_out = conv_output_shape(in_shape, (k_h, k_w), stride, padding, dilation)
    full = (c_out, c_in_group, h_out, w_out)
    co = np.arange(c_out).reshape(-1, 1, 1, 1)
    ci = (co // (c_out // groups)) * c_in_group + np.arange(c_in_group).reshape(1, -1, 1, 1)
    oh, ow = np.arange(h_out).reshape(1, 1, -1, 1), np.arange(w_out).reshape(1, 1, 1, -1)
    post = np.broadcast_to((co * h_out + oh) * w_out + ow, full)
    pre, post_all, values = [], [], []
    for kh in range(k_h):
        ih = oh * stride[0] - padding[0] + kh * dilation[0]
        for kw in range(k_w):
            iw = ow * stride[1] - padding[1] + kw * dilation[1]
            w = np.broadcast_to(weight[:, :, kh, kw].reshape(c_out, c_in_group, 1, 1), full)
            keep = (w != 0) & (ih >= 0) & (ih < h_in) & (iw >= 0) & (iw < w_in)
            pre.append(np.broadcast_to((ci * h_in + ih) * w_in + iw, full)[keep])
            post_all.append(post[keep])
            values.append(w[keep])
    return np.concatenate(pre), np.concatenate(post_all), np.concatenate(values), (c_out, h_out, w_out)


@settings(max_examples=150, deadline=None)
@given(convs())
def test_conv_to_csr_equals_the_former_construction(case):
    weight, in_shape, stride, padding, dilation, groups = case
    pre, post, w, out_shape = _tap_major(weight, in_shape, stride, padding, dilation, groups)
    former = sp.csr_array((w, (post, pre)), shape=(int(np.prod(out_shape)), int(np.prod(in_shape))))
    matrix, shape = conv_to_csr(weight, in_shape, stride, padding, dilation, groups)
    assert shape == out_shape and matrix.shape == former.shape
    np.testing.assert_array_equal(matrix.indptr, former.indptr)
    np.testing.assert_array_equal(matrix.indices, former.indices)
    np.testing.assert_array_equal(matrix.data, former.data)      # exact: the same float64 weights
    assert not np.any(matrix.data == 0)
    check = sp.csr_array((matrix.data, matrix.indices, matrix.indptr), shape=matrix.shape)
    assert check.has_canonical_format                         # sorted, without duplicates, as claimed
    lists = conv_to_sparse(weight, in_shape, stride, padding, dilation, groups)   # netx's lists: the CSR's rows
    np.testing.assert_array_equal(sp.csr_array((lists[2], (lists[1], lists[0])), shape=matrix.shape).toarray(),
                                  matrix.toarray())


def _looped_synapses(weight, in_shape, stride, padding, pool):
    """``{(post, pre): weight}`` of (SumPool2d 2x2 stride 1 if ``pool``, then) the conv, by explicit loops."""
    c_in, h, w = in_shape
    if pool:                                                  # pooled input (c, i, j) sums raw (c, i+a, j+b)
        h, w = h - 1, w - 1
    c_out, _, k_h, k_w = weight.shape
    h_out, w_out = (h + 2 * padding - k_h) // stride + 1, (w + 2 * padding - k_w) // stride + 1
    synapses = {}
    for co in range(c_out):
        for oh in range(h_out):
            for ow in range(w_out):
                post = (co * h_out + oh) * w_out + ow
                for ci in range(c_in):
                    for kh in range(k_h):
                        for kw in range(k_w):
                            ih, iw = oh * stride - padding + kh, ow * stride - padding + kw
                            if not (0 <= ih < h and 0 <= iw < w):
                                continue
                            taps = [(ih + a, iw + b) for a in (0, 1) for b in (0, 1)] if pool else [(ih, iw)]
                            for i, j in taps:
                                pre = (ci * in_shape[1] + i) * in_shape[2] + j
                                synapses[(post, pre)] = synapses.get((post, pre), 0.0) + weight[co, ci, kh, kw]
    return {k: v for k, v in synapses.items() if v != 0}, (c_out, h_out, w_out)


@settings(max_examples=40, deadline=None)
@given(st.integers(1, 3), st.integers(1, 3), st.integers(1, 2), st.integers(0, 1), st.booleans(),
       st.integers(0, 2 ** 16))
def test_imported_conv_synapses_equal_a_loop(c_in, c_out, stride, padding, pool, seed):
    rng = np.random.default_rng(seed)
    in_shape = (c_in, 6, 7)
    weight = rng.integers(-3, 4, (c_out, c_in, 3, 3)).astype(np.float64)   # integers: pooled sums are exact
    expected, out_shape = _looped_synapses(weight, in_shape, stride, padding, pool)
    ones = np.ones(out_shape)
    nodes = {"input": nir.Input(input_type=np.array(in_shape)),
             "conv": nir.Conv2d(input_shape=(in_shape[1] - pool, in_shape[2] - pool), weight=weight, stride=stride,
                                padding=padding, dilation=1, groups=1, bias=np.zeros(c_out)),
             "lif": nir.LIF(tau=ones * 0.01, r=ones * 0.01 / DT, v_leak=0 * ones, v_threshold=ones, v_reset=0 * ones),
             "output": nir.Output(output_type=np.array(out_shape))}
    edges = [("input", "conv"), ("conv", "lif"), ("lif", "output")]
    if pool:
        nodes["pool"] = nir.SumPool2d(kernel_size=np.array([2, 2]), stride=np.array([1, 1]), padding=np.array([0, 0]))
        edges = [("input", "pool"), ("pool", "conv")] + edges[1:]
    graph = import_nir(nir.NIRGraph(nodes=nodes, edges=edges, type_check=False), DT, "snntorch", min_delay_steps=1)
    projections = graph.projections()
    if not expected:
        assert projections == []
        return
    (proj,) = projections
    keys = sorted(expected)                                   # (post, pre) order, as the importer stores them
    np.testing.assert_array_equal(proj.post_index, [k[0] for k in keys])
    np.testing.assert_array_equal(proj.pre_index, [k[1] for k in keys])
    np.testing.assert_array_equal(proj.weight, [expected[k] for k in keys])
    assert proj.delay_steps.shape == () and int(proj.delay_steps) == 1
