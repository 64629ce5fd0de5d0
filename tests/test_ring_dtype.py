"""The kernel's ring buffer in int32 where a per-port bound proves every sum fits (hwsim/ring_dtype.py)."""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from hwsim import ring_dtype
from hwsim.kernels.poisson import MAX_COUNT
from hwsim.lowering import lower_spiking
from hwsim.ring_dtype import RING32_MAX, port_weight_bound, ring_like
from hwsim.simulate import simulate_spiking
from compare import common_synapse_dtypes
from strategies import placements, quantized_networks, spike_inputs

FIELDS = ("counts", "step_counts", "spike_count", "first_spike", "u_final", "v_final", "raster")


@settings(max_examples=50, deadline=None)
@given(st.integers(1, 40), st.integers(0, 300), st.integers(0, 2**32 - 1))
def test_port_bound_is_the_largest_sum_of_absolute_weights_into_a_port(n_ports, n_syn, seed):
    rng = np.random.default_rng(seed)
    port = rng.integers(0, n_ports, n_syn).astype(np.uint16)
    weight = rng.integers(-32768, 32768, n_syn).astype(np.int16)   # -32768 must count as 32768
    arrays = _Stub(port, weight, np.zeros(n_ports, dtype=np.int64))
    by_hand = max((sum(abs(int(w)) for p, w in zip(port, weight) if p == k) for k in range(n_ports)), default=0)
    assert port_weight_bound(arrays) == by_hand


def test_the_bound_is_summed_in_chunks(monkeypatch):
    monkeypatch.setattr(ring_dtype, "CHUNK", 3)
    port = np.array([0, 1, 0, 0, 1, 0, 0], dtype=np.uint16)
    weight = np.array([5, -7, -9, 1, 2, 3, -4], dtype=np.int8)
    assert port_weight_bound(_Stub(port, weight, np.zeros(2, dtype=np.int64))) == 5 + 9 + 1 + 3 + 4


def test_a_poisson_channels_synapses_count_as_many_times_as_its_largest_count():
    """Sources 0 (Poisson) and 1 (spikes) are inputs, 2 a neuron; each source one segment."""
    arrays = _Stub(np.array([0, 1, 0, 1], dtype=np.uint16), np.array([3, -1, 2, 5], dtype=np.int16),
                   np.zeros(2, dtype=np.int64))
    arrays.input_poisson = np.array([1, 0], dtype=np.uint8)
    arrays.src_seg_ptr, arrays.seg_syn_ptr = np.array([0, 1, 2, 3]), np.array([0, 2, 3, 4])
    assert port_weight_bound(arrays) == max(MAX_COUNT * 3 + 2, MAX_COUNT * 1 + 5)


@pytest.mark.parametrize("bound, current, graded, jitter, expected", [
    (RING32_MAX, False, False, False, np.int32),
    (RING32_MAX + 1, False, False, False, np.int64),
    (10, True, False, False, np.int64),     # a current's value multiplies the weight
    (10, False, True, False, np.int64),     # so does a graded payload
    (10, False, False, True, np.int64),     # a late packet can land beside the same synapse's next spike
])
def test_int32_only_where_the_bound_holds(bound, current, graded, jitter, expected):
    arrays = _Stub(np.zeros(1, dtype=np.uint16), np.array([bound], dtype=np.int64), np.zeros(1, dtype=np.int64))
    assert ring_like(arrays, current, graded, jitter).dtype == expected


def test_a_float_datapath_keeps_a_float64_ring():
    arrays = _Stub(np.zeros(1, dtype=np.uint16), np.array([0.5]), np.zeros(1, dtype=np.int64), is_float=True)
    assert ring_like(arrays, False, False, False).dtype == np.float64


@settings(max_examples=25, deadline=None)
@given(st.data())
def test_an_int32_ring_gives_the_int64_rings_results(data):
    """Random integer networks whose bound fits int32, run with the ring in int32 and forced to int64: the
    same spikes, states and counters (the reference comparisons in test_kernel_vs_reference run int32)."""
    qnet = data.draw(quantized_networks(False))
    arrays = common_synapse_dtypes(lower_spiking(qnet, data.draw(placements(qnet)), 16, 64))
    spikes = data.draw(spike_inputs(qnet.n_input_channels, np.zeros(qnet.n_input_channels, dtype=bool)))
    narrow = simulate_spiking(arrays, spikes, record_raster=True)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(ring_dtype, "RING32_MAX", -1)
        wide = simulate_spiking(arrays, spikes, record_raster=True)
    for name in FIELDS:
        np.testing.assert_array_equal(getattr(narrow, name), getattr(wide, name), err_msg=name)


class _Stub:
    """The three arrays and the datapath flag the bound reads, and no Poisson channel (a test sets
    ``input_poisson``)."""

    def __init__(self, syn_port, syn_weight, port_shift, is_float=False):
        self.syn_port, self.syn_weight, self.port_shift, self.is_float = syn_port, syn_weight, port_shift, is_float
        self.n_inputs, self.input_poisson = 0, None
