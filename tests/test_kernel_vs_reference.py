"""Property tests: the kernels (through lowering and simulate) against the plain-numpy reference."""
import numpy as np
from hypothesis import given, settings

from hwsim.kernels.actions import N_ACTIONS, NEURON_ACTIVE, NEURON_IDLE, SYNOP
from hwsim.lowering import lower_mlp, lower_spiking
from hwsim.simulate import simulate_mlp, simulate_spiking
from compare import assert_same, by_column
from reference import reference_mlp, reference_spiking
from strategies import mlp_cases, spiking_cases

SPIKING = settings(max_examples=250, deadline=None)
MLP = settings(max_examples=150, deadline=None)


@SPIKING
@given(spiking_cases())
def test_spiking_matches_reference(case):
    qnet, placement, spikes, bits, word = case
    result = simulate_spiking(lower_spiking(qnet, placement, bits, word), spikes, record_raster=True)
    ref = reference_spiking(qnet, placement, spikes, bits, word)
    assert_same(result, ref)


@SPIKING
@given(spiking_cases(float_datapath=True))
def test_float_spiking_matches_reference_exactly(case):
    """The float datapath: same operations in the same order per neuron, dyadic inputs (exact sums in
    any order), so states are bit-identical, not merely close."""
    qnet, placement, spikes, bits, word = case
    arrays = lower_spiking(qnet, placement, bits, word)
    assert arrays.is_float and arrays.syn_weight.dtype == np.float64
    result = simulate_spiking(arrays, spikes, record_raster=True)
    ref = reference_spiking(qnet, placement, spikes, bits, word)
    assert result.v_final.dtype == np.float64
    assert_same(result, ref)


@SPIKING
@given(spiking_cases())
def test_spiking_invariants(case):
    qnet, placement, spikes, bits, word = case
    n_samples, n_steps, n_in = spikes.shape
    result = simulate_spiking(lower_spiking(qnet, placement, bits, word), spikes)
    fan_out = np.zeros(n_in + qnet.n_neurons, dtype=np.int64)
    for proj in qnet.projections:
        np.add.at(fan_out, proj.pre_index, 1)
    source_spikes = np.concatenate([spikes.sum(axis=1), result.spike_count], axis=1)
    np.testing.assert_array_equal(result.counts[:, :, SYNOP].sum(axis=1), source_spikes @ fan_out)
    updates = result.counts[:, :, NEURON_ACTIVE] + result.counts[:, :, NEURON_IDLE]
    np.testing.assert_array_equal(updates.sum(axis=1), np.full(n_samples, qnet.n_neurons * n_steps))
    np.testing.assert_array_equal(result.step_counts.sum(axis=0), result.counts.sum(axis=0))
    assert result.raster is None
    assert result.step_counts.shape == (n_steps, len(placement.groups), N_ACTIONS)


@SPIKING
@given(spiking_cases())
def test_spiking_batch_equals_single_samples(case):
    qnet, placement, spikes, bits, word = case
    arrays = lower_spiking(qnet, placement, bits, word)
    batch = simulate_spiking(arrays, spikes, record_raster=True)
    singles = [simulate_spiking(arrays, spikes[s:s + 1], record_raster=True) for s in range(spikes.shape[0])]
    for field in ("counts", "spike_count", "first_spike", "u_final", "v_final", "raster"):
        np.testing.assert_array_equal(getattr(batch, field),
                                      np.concatenate([getattr(r, field) for r in singles]), err_msg=field)
    np.testing.assert_array_equal(batch.step_counts, sum(r.step_counts for r in singles))


@MLP
@given(mlp_cases())
def test_mlp_matches_reference(case):
    qmlp, x = case
    result = simulate_mlp(lower_mlp(qmlp), x)
    outputs, counts = reference_mlp(qmlp, x)
    np.testing.assert_array_equal(result.outputs, outputs)
    np.testing.assert_array_equal(result.counts, by_column(counts, result.counts.shape[:2]))


@MLP
@given(mlp_cases())
def test_mlp_batch_equals_single_samples(case):
    qmlp, x = case
    arrays = lower_mlp(qmlp)
    batch = simulate_mlp(arrays, x)
    singles = [simulate_mlp(arrays, x[s:s + 1]) for s in range(x.shape[0])]
    np.testing.assert_array_equal(batch.outputs, np.concatenate([r.outputs for r in singles]))
    np.testing.assert_array_equal(batch.counts, np.concatenate([r.counts for r in singles]))
    np.testing.assert_array_equal(batch.counts[:, :, NEURON_ACTIVE].sum(axis=1),
                                  sum(layer.weight.shape[0] for layer in qmlp.layers))
