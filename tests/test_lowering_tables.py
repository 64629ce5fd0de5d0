"""The lowering's synapse tables (``kernels/tables.py`` via ``hwsim.lowering.lower_spiking``) against the
plain-numpy reference (``tests/reference_lowering.py``: sorts and ``np.unique``) on random networks and
placements, array by array."""
import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

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
