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
hops (one thread does).

On an integer ring a thread may instead write a ring of its own (``kernels/spiking_threads.py`` adds the rings
up before the update reads them: integer sums, the same whatever the order). Then the threads share the
*sources*: a *source part* ``(p, n_parts)`` (two int64) sends every synapse of each ``n_parts``-th spike and
input channel, starting at the ``p``-th, and counts their spikes.

The single-threaded event loop passes None: every synapse, channel and count, compiled as before. The choices
are inlined into the event loop: called per segment with the part's arrays as some 30 arguments, they took a
third of a spinnaker network's send phase.
"""
import numpy as np
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


def _is_source_part(part):
    """Whether ``part``'s type is a source part's ``(p, n_parts)`` (compile time)."""
    return isinstance(part, types.UniTuple) and part.count == 2


def _takes_all(part):
    """Whether a thread of ``part``'s type walks every synapse of what it sends (compile time)."""
    return isinstance(part, types.NoneType) or _is_source_part(part)


def own_segments(part, first, last, seg_group):
    """The segments ``first .. last-1`` of one source into the part's groups, as a range ``(start, stop)``;
    ``(first, last)`` itself with ``part`` None."""


@overload(own_segments, jit_options=_OVERLOAD, inline="always")
def _select_own_segments(part, first, last, seg_group):
    """Compile-time choice: with ``part`` None or a source part every segment, with no search."""
    if _takes_all(part):
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
    """Compile-time choice: with ``part`` None or a source part the whole segment, with no test."""
    if _takes_all(part):
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
    if _takes_all(part):
        return lambda part: True
    return lambda part: part[6]


def own_channels(part, lo, hi):
    """The input channels among ``lo .. hi-1`` that the part sends, as a range's ``(start, stop, step)``: with a
    source part ``(p, n_parts)`` those whose index is ``p`` modulo ``n_parts``, else all, ``(lo, hi, 1)``."""


@overload(own_channels, jit_options=_OVERLOAD, inline="always")
def _select_own_channels(part, lo, hi):
    """Compile-time choice on ``part``'s type (constants the loop folds but for a source part)."""
    if _is_source_part(part):
        def every_nth(part, lo, hi):
            p, n_parts = part
            return lo + (p - lo) % n_parts, hi, n_parts   # Python's modulo: never negative
        return every_nth
    return lambda part, lo, hi: (lo, hi, 1)


def own_spikes(part, spiked, offset):
    """The spikes of ``spiked`` (a slice's, listed after ``offset`` spikes of the step) that the part sends:
    with a source part ``(p, n_parts)`` those whose index in the step is ``p`` modulo ``n_parts``, else all."""


@overload(own_spikes, jit_options=_OVERLOAD, inline="always")
def _select_own_spikes(part, spiked, offset):
    """Compile-time choice on ``part``'s type."""
    if _is_source_part(part):
        def every_nth(part, spiked, offset):
            p, n_parts = part
            return spiked[(p - offset) % n_parts::n_parts]
        return every_nth
    return lambda part, spiked, offset: spiked


def ring_copies(ring_like, n_parts):
    """How many rings ``n_parts`` threads sharing a sample write: one each on an integer ring (``ring_like``'s
    dtype; they share the sources), one on a float ring (they share the ports: float sums keep their order)."""


@overload(ring_copies, jit_options=_OVERLOAD, inline="always")
def _select_ring_copies(ring_like, n_parts):
    """Compile-time choice from the ring's dtype."""
    if isinstance(ring_like.dtype, types.Float):
        return lambda ring_like, n_parts: 1
    return lambda ring_like, n_parts: n_parts


def thread_part(rings, p, n_parts, part_ports, part_groups, group_port_lo, group_port_hi):
    """Thread ``p``'s part of the send phase: a source part ``(p, n_parts)`` on integer ``rings``, else its port
    and group ranges (``part_ports[p]``, ``part_groups[p]``; thread 0 counts the spikes)."""


@overload(thread_part, jit_options=_OVERLOAD, inline="always")
def _select_thread_part(rings, p, n_parts, part_ports, part_groups, group_port_lo, group_port_hi):
    """Compile-time choice from the rings' dtype, as :func:`ring_copies`."""
    if isinstance(rings.dtype, types.Float):
        def ranges(rings, p, n_parts, part_ports, part_groups, group_port_lo, group_port_hi):
            return (part_ports[p, 0], part_ports[p, 1], part_groups[p, 0], part_groups[p, 1], group_port_lo,
                    group_port_hi, p == 0)
        return ranges
    return lambda rings, p, n_parts, part_ports, part_groups, group_port_lo, group_port_hi: (np.int64(p),
                                                                                           np.int64(n_parts))
