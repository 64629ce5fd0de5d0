"""The lowering's synapse tables (``kernels/tables.py`` via ``hwsim.lowering.lower_spiking``) against the
plain-numpy reference (``tests/reference_lowering.py``: sorts and ``np.unique``) on random networks and
placements, array by array."""
from dataclasses import replace

import numba
import numpy as np
import pytest
from hypothesis import find, given, settings
from hypothesis import strategies as st

from hwsim import setup_parallel
from hwsim.errors import GraphError
from hwsim.lowering import lower_spiking, synapse_delays
from reference_lowering import synapse_tables
from strategies import spiking_cases


@settings(max_examples=150, deadline=None)
@given(st.booleans().flatmap(lambda float_datapath: spiking_cases(float_datapath)))
def test_synapse_tables_equal_the_plain_reference(case):
    qnet, placement, _, bits, word = case
    lowered = lower_spiking(qnet, placement, bits, word)
    expected = synapse_tables(qnet, placement, bits, word)
    for name, want in expected.items():
        got = synapse_delays(lowered) if name == "delay" else getattr(lowered, name)
        np.testing.assert_array_equal(np.asarray(got, dtype=np.float64), np.asarray(want, dtype=np.float64),
                                      err_msg=name)


def _case():
    """The first random network (derandomised) whose first projection has synapses."""
    return find(spiking_cases(False), lambda case: bool(case[0].projections and case[0].projections[0].pre_local.size),
                settings=settings(database=None, derandomize=True, max_examples=200))


@pytest.mark.parametrize("change, message", [
    (lambda p: {"post_offset": p.post_offset + 1}, r"post_offset \d+; expected \d+, the first global id"),
    (lambda p: {"pre_offset": p.pre_offset + 1}, r"pre_offset \d+; expected \d+, the first global id"),
    (lambda p: {"post_local": p.post_local + 10_000}, r"post index 1\d{4} within '.*'; expected 0\.\.\d+"),
    (lambda p: {"pre_local": p.pre_local - 10_000}, r"pre index -\d+ within '.*'; expected 0\.\.\d+"),
])
def test_inconsistent_projection_indices_are_refused(change, message):
    qnet, placement, _, bits, word = _case()
    bad = replace(qnet.projections[0], **change(qnet.projections[0]))
    qnet = replace(qnet, projections=(bad,) + qnet.projections[1:])
    with pytest.raises(GraphError, match=message):
        lower_spiking(qnet, placement, bits, word)


@pytest.mark.skipif(numba.config.NUMBA_NUM_THREADS < 2, reason="one thread only: nothing to compare")
@settings(max_examples=25, deadline=None)
@given(spiking_cases(False))
def test_tables_do_not_depend_on_the_threads(case):
    """The lowering fills its tables in one part per thread (``hwsim.setup_parallel``, here for every size)."""
    qnet, placement, _, bits, word = case
    previous, smallest = numba.get_num_threads(), setup_parallel.MIN_SYNAPSES
    setup_parallel.MIN_SYNAPSES = 0
    try:
        numba.set_num_threads(1)
        one = lower_spiking(qnet, placement, bits, word)
        numba.set_num_threads(2)
        two = lower_spiking(qnet, placement, bits, word)
    finally:
        numba.set_num_threads(previous)
        setup_parallel.MIN_SYNAPSES = smallest
    for name in one.__dataclass_fields__:
        a, b = getattr(one, name), getattr(two, name)
        if isinstance(a, np.ndarray):
            np.testing.assert_array_equal(a, b, err_msg=name)
            assert a.dtype == b.dtype, name
        else:
            assert a == b, name
