"""The dtype of the kernel's ring buffer: int32 where a bound proves every sum fits, else the state's dtype.

The ring holds, per (slot, port), the sum of the weight mantissas arriving at one step (``kernels/spiking.py``);
the neuron update widens each sum to the state's int64 before shifting it (``kernels/lif.py``
``port_input``). On an integer datapath a slot receives each synapse into a port at most once per step when
every source sends at most one plain spike per step: no current inputs, no graded payloads, no jittered
packets (a late packet can land in a slot beside the same synapse's next spike). Then
``sum over the port's synapses of |weight|`` bounds every sum the port ever holds (a Poisson channel's synapses
count :data:`~hwsim.kernels.poisson.MAX_COUNT` times: a count of k sends the channel k times), and when the largest
such bound is within int32 the ring is stored as int32: half the memory of int64, so a large network's ring
(W5 at full scale: 65 MB with a port per projection, 20 MB since integer chips share one port per receptor)
stays twice as long in cache. The results are the same bit for bit, since no sum overflows.

Threads that share a sample (``kernels/spiking_threads.py``) take it too: each writes a ring of its own, and the
rings' sums at a port add up to the one ring's sum, so the same bound holds.
"""
from __future__ import annotations

import numpy as np

from hwsim.kernels.poisson import MAX_COUNT
from hwsim.lowering import SpikingArrays, poisson_channels

#: The largest sum an int32 ring port may hold.
RING32_MAX = np.iinfo(np.int32).max
#: Synapses per chunk of the bound's sum (keeps its float64 temporaries at 128 MB).
CHUNK = 1 << 24


def port_weight_bound(arrays: SpikingArrays) -> int:
    """The largest ``sum of |syn_weight| x sends per step`` over the synapses into one port (0 without synapses;
    a Poisson channel sends up to ``MAX_COUNT`` times per step, anything else once); kept on ``arrays`` (a new
    SpikingArrays, as static noise makes, computes its own)."""
    cache = arrays.__dict__
    if "_port_weight_bound" not in cache:
        port, weight = arrays.syn_port, arrays.syn_weight
        total = np.zeros(arrays.port_shift.shape[0], dtype=np.float64)
        for first in range(0, port.size, CHUNK):
            total += np.bincount(port[first:first + CHUNK], np.abs(weight[first:first + CHUNK].astype(np.float64)),
                                 minlength=total.size)
        poisson = poisson_channels(arrays)
        if poisson.any():
            total += _poisson_extra(arrays, poisson, total.size)
        cache["_port_weight_bound"] = int(total.max()) if total.size else 0
    return cache["_port_weight_bound"]


def _poisson_extra(arrays: SpikingArrays, poisson: np.ndarray, n_ports: int) -> np.ndarray:
    """Per port, ``(MAX_COUNT - 1) x |weight|`` summed over the synapses of Poisson channels (the input channels
    are the first sources, so their synapses lead the synapse table)."""
    first_segment = np.asarray(arrays.src_seg_ptr, dtype=np.int64)[:poisson.size + 1]
    seg = np.asarray(arrays.seg_syn_ptr, dtype=np.int64)[first_segment]
    per_channel = np.diff(seg)
    extra = np.repeat(np.where(poisson, MAX_COUNT - 1, 0).astype(np.float64), per_channel)
    n = int(seg[-1])
    return np.bincount(arrays.syn_port[:n], extra * np.abs(arrays.syn_weight[:n].astype(np.float64)), minlength=n_ports)


def ring_like(arrays: SpikingArrays, current_inputs: bool, graded: bool, jitter: bool) -> np.ndarray:
    """An empty array of the ring's dtype (the kernels allocate the ring with it): float64 on a float datapath;
    int32 on an integer one when each port's sum is bounded within int32 (module docstring), else int64."""
    if arrays.is_float:
        return np.zeros(0, dtype=np.float64)
    narrow = not (current_inputs or graded or jitter) and port_weight_bound(arrays) <= RING32_MAX
    return np.zeros(0, dtype=np.int32 if narrow else np.int64)
