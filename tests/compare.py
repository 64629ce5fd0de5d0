"""Assertions shared by the kernel-vs-reference tests."""
import numpy as np

from hwsim.kernels.actions import NAMES


def by_column(counts_by_name: dict, shape: tuple) -> np.ndarray:
    """Stack the reference's counters (by action name) into kernel column order."""
    return np.stack([counts_by_name.get(name, np.zeros(shape, dtype=np.int64)) for name in NAMES], axis=-1)


def assert_same(result, ref) -> None:
    """Spikes, first spikes, final u/v, graded payloads and sigma-delta state, and every counter of the kernel
    equal the reference's exactly."""
    np.testing.assert_array_equal(result.raster, ref["raster"])
    np.testing.assert_array_equal(result.spike_count, ref["spike_count"])
    np.testing.assert_array_equal(result.first_spike, ref["first_spike"])
    np.testing.assert_array_equal(result.u_final, ref["u"])
    np.testing.assert_array_equal(result.v_final, ref["v"])
    np.testing.assert_array_equal(result.counts, by_column(ref["counts"], result.counts.shape[:2]))
    np.testing.assert_array_equal(result.step_counts, by_column(ref["step_counts"], result.step_counts.shape[:2]))
    graded = np.any(ref["residue"] != 0) or np.any(ref["error"] != 0) or np.any(ref["payload"] != 0)
    if result.graded_final is None:
        assert not graded, "the kernel reports no sigma-delta neurons where the reference has some"
    else:
        np.testing.assert_array_equal(result.graded_final[:, 0], ref["residue"])
        np.testing.assert_array_equal(result.graded_final[:, 1], ref["error"])
    if result.v_trace is not None:
        np.testing.assert_array_equal(result.v_trace, ref["v_trace"])
    if result.payload is not None:
        np.testing.assert_array_equal(result.payload, ref["payload"])
    elif result.raster is not None:
        assert not np.any(ref["payload"] != 0), "payloads sent but not recorded"


def common_synapse_dtypes(arrays):
    """``arrays`` with uint16 ports and, on integer chips, int16 weights where the values fit, so that the runs
    of a property test share a few compiled kernels instead of one per narrowest dtype the lowering picks
    (the kernels compile per dtype; tests/test_compact_synapses.py covers the dtypes themselves)."""
    from dataclasses import replace

    port, weight = arrays.syn_port, arrays.syn_weight
    if port.max(initial=0) < 1 << 16:
        port = port.astype(np.uint16)
    if not arrays.is_float and np.abs(weight.astype(np.int64)).max(initial=0) < 1 << 15:
        weight = weight.astype(np.int16)
    return replace(arrays, syn_port=port, syn_weight=weight)
