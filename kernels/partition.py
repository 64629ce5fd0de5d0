"""What one thread sends when threads share one sample: its ports' synapses, and the spikes it counts.

Threads that run one sample together (``kernels/spiking_threads.py``) split the ring buffer's ports into
contiguous ranges, one per thread, so that every ring entry is written by one thread only. A thread
sends every spike of a step, as a single thread does, but adds only the synapses whose port lies in its
range: a segment's synapses are sorted by port (``hwsim.lowering.lower_spiking``), so they are one run of
the segment, found from the segment's destination group's port span or by binary search. The adds into
one port then happen in the same order as on one thread, and float sums are bit-identical.

A *part* is ``(port_lo, port_hi, group_port_lo, group_port_hi, counts_spikes)``: the thread's ports
``port_lo .. port_hi-1``; per counter group the span ``group_port_lo[g] .. group_port_hi[g]-1`` of the ports
of its slots (empty for input groups); and whether this thread counts each spike's SPIKE, PACKET and hops
(one thread does). The single-threaded event loop passes None: every synapse and count, compiled as before.
"""
from numba import njit, types
from numba.extending import overload

from ._config import JIT

_OVERLOAD = {k: v for k, v in JIT.items() if k != "cache"}


@njit(**JIT)
def _lower_bound(syn_port, first, last, port):
    """The first ``j`` in ``first .. last`` with ``syn_port[j] >= port`` (``syn_port[first:last]`` ascending)."""
    while first < last:
        middle = (first + last) >> 1
        if syn_port[middle] < port:
            first = middle + 1
        else:
            last = middle
    return first


def own_range(part, group, first, last, syn_port):
    """The synapses ``first .. last-1`` of a segment into ``group`` whose ports are the part's, as a range
    ``(start, stop)`` (empty when none are); ``(first, last)`` itself with ``part`` None."""


@overload(own_range, jit_options=_OVERLOAD)
def _select_own_range(part, group, first, last, syn_port):
    """Compile-time choice: with ``part`` None the whole segment, with no test."""
    if isinstance(part, types.NoneType):
        return lambda part, group, first, last, syn_port: (first, last)

    def own(part, group, first, last, syn_port):
        port_lo, port_hi, group_port_lo, group_port_hi, _ = part
        if group_port_lo[group] >= port_lo and group_port_hi[group] <= port_hi:
            return first, last
        if group_port_hi[group] <= port_lo or group_port_lo[group] >= port_hi:
            return first, first
        return _lower_bound(syn_port, first, last, port_lo), _lower_bound(syn_port, first, last, port_hi)
    return own


def counts_spikes(part):
    """Whether this thread counts each spike's SPIKE, PACKET and hops: True with ``part`` None."""


@overload(counts_spikes, jit_options=_OVERLOAD)
def _select_counts_spikes(part):
    """Compile-time choice on ``part``'s type."""
    if isinstance(part, types.NoneType):
        return lambda part: True
    return lambda part: part[4]
