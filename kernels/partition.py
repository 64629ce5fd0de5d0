"""What one thread sends when threads share one sample: its share of the synapses, and the spikes it counts.

Threads that run one sample together (``kernels/spiking_threads.py``) each own a set of the ring buffer's
ports, so that every ring entry is written by one thread only. A thread sends every spike of a step, as a
single thread does, but adds only the synapses into its ports; the adds into one port then happen in the same
order as on one thread, and float sums are bit-identical. A thread owns the ports that lie both in its *port
range* and in its *group range* (a port belongs to one counter group: that of its neuron):

- a group range ``group_lo .. group_hi-1``: a source's segments are sorted by group
  (``hwsim.lowering.lower_spiking``), so the thread's segments of a spike are one run, found by two binary
  searches on ``seg_group``, and it walks only those;
- a port range ``port_lo .. port_hi-1``: a segment's synapses are sorted by port, so those in the range are
  one run of the segment, the whole segment or none when its destination group's port span lies inside or
  outside the range, else found by binary search.

A *part* is ``(port_lo, port_hi, group_lo, group_hi, group_port_lo, group_port_hi, counts_spikes)``: the
thread's port and group ranges; per counter group the span ``group_port_lo[g] .. group_port_hi[g]-1`` of the
ports of its slots (empty for input groups); and whether this thread counts each spike's SPIKE, PACKET and
hops (one thread does). The single-threaded event loop passes None: every synapse and count, compiled as
before. The choices are inlined into the event loop: called per segment with the part's arrays as some 30
arguments, they took a third of a spinnaker network's send phase.
"""
from numba import njit, types
from numba.extending import overload

from ._config import JIT

_OVERLOAD = {k: v for k, v in JIT.items() if k != "cache"}


@njit(**JIT)
def _lower_bound(ascending, first, last, value):
    """The first ``j`` in ``first .. last`` with ``ascending[j] >= value`` (``ascending[first:last]`` ascending)."""
    while first < last:
        middle = (first + last) >> 1
        if ascending[middle] < value:
            first = middle + 1
        else:
            last = middle
    return first


def own_segments(part, first, last, seg_group):
    """The segments ``first .. last-1`` of one source into the part's groups, as a range ``(start, stop)``;
    ``(first, last)`` itself with ``part`` None."""


@overload(own_segments, jit_options=_OVERLOAD, inline="always")
def _select_own_segments(part, first, last, seg_group):
    """Compile-time choice: with ``part`` None every segment, with no search."""
    if isinstance(part, types.NoneType):
        return lambda part, first, last, seg_group: (first, last)

    def own(part, first, last, seg_group):
        group_lo, group_hi = part[2], part[3]
        return _lower_bound(seg_group, first, last, group_lo), _lower_bound(seg_group, first, last, group_hi)
    return own


def own_range(part, group, first, last, syn_port):
    """The synapses ``first .. last-1`` of a segment into ``group`` whose ports are in the part's port range,
    as a range ``(start, stop)`` (empty when none are); ``(first, last)`` itself with ``part`` None."""


@overload(own_range, jit_options=_OVERLOAD, inline="always")
def _select_own_range(part, group, first, last, syn_port):
    """Compile-time choice: with ``part`` None the whole segment, with no test."""
    if isinstance(part, types.NoneType):
        return lambda part, group, first, last, syn_port: (first, last)

    def own(part, group, first, last, syn_port):
        port_lo, port_hi, _, _, group_port_lo, group_port_hi, _ = part
        if group_port_lo[group] >= port_lo and group_port_hi[group] <= port_hi:
            return first, last
        if group_port_hi[group] <= port_lo or group_port_lo[group] >= port_hi:
            return first, first
        return _lower_bound(syn_port, first, last, port_lo), _lower_bound(syn_port, first, last, port_hi)
    return own


def counts_spikes(part):
    """Whether this thread counts each spike's SPIKE, PACKET and hops: True with ``part`` None."""


@overload(counts_spikes, jit_options=_OVERLOAD, inline="always")
def _select_counts_spikes(part):
    """Compile-time choice on ``part``'s type."""
    if isinstance(part, types.NoneType):
        return lambda part: True
    return lambda part: part[6]
