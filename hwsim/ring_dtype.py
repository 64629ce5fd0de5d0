"""The dtype of the kernel's ring buffer: int32 where a bound proves every sum fits, else the state's dtype.

The ring holds, per (slot, port), the sum of the weight mantissas arriving at one step (``kernels/spiking.py``);
the neuron update widens each sum to the state's int64 before shifting it (``kernels/lif.py``
``port_input``). On an integer datapath a slot receives each synapse into a port at most once per step when
every source sends at most one plain spike per step: no current inputs, no graded payloads, no jittered
packets (a late packet can land in a slot beside the same synapse's next spike). Then
``sum over the port's synapses of |weight|`` bounds every sum the port ever holds, and when the largest
such bound is within int32 the ring is stored as int32: half the memory of int64, so a large network's ring
(W5: 65 MB) stays twice as long in cache. The results are the same bit for bit, since no sum overflows.
"""
from __future__ import annotations

import numpy as np

from hwsim.lowering import SpikingArrays

#: The largest sum an int32 ring port may hold.
RING32_MAX = np.iinfo(np.int32).max
#: Synapses per chunk of the bound's sum (keeps its float64 temporaries at 128 MB).
CHUNK = 1 << 24


def port_weight_bound(arrays: SpikingArrays) -> int:
    """The largest ``sum of |syn_weight|`` over the synapses into one port (0 without synapses); kept on
    ``arrays`` (a new SpikingArrays, as static noise makes, computes its own)."""
    cache = arrays.__dict__
    if "_port_weight_bound" not in cache:
        port, weight = arrays.syn_port, arrays.syn_weight
        total = np.zeros(arrays.port_shift.shape[0], dtype=np.float64)
        for first in range(0, port.size, CHUNK):
            total += np.bincount(port[first:first + CHUNK], np.abs(weight[first:first + CHUNK].astype(np.float64)),
                                 minlength=total.size)
        cache["_port_weight_bound"] = int(total.max()) if total.size else 0
    return cache["_port_weight_bound"]


def ring_like(arrays: SpikingArrays, current_inputs: bool, graded: bool, jitter: bool) -> np.ndarray:
    """An empty array of the ring's dtype (the kernels allocate the ring with it): float64 on a float datapath;
    int32 on an integer one when each port's sum is bounded within int32 (module docstring), else int64."""
    if arrays.is_float:
        return np.zeros(0, dtype=np.float64)
    narrow = not (current_inputs or graded or jitter) and port_weight_bound(arrays) <= RING32_MAX
    return np.zeros(0, dtype=np.int32 if narrow else np.int64)
