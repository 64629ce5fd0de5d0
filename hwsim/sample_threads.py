"""Threads within one sample: when they pay, and how a network's work is shared out among them.

:func:`hwsim.simulate.simulate_spiking` runs a batch with its samples spread over the threads (one thread per
chunk of samples), so a single sample runs on one thread. For one sample of a large network it can instead
share each step's work among the threads (``kernels/spiking_threads.py``), bit-identical to one thread:

- the neuron updates: the update slices, in update order, are cut into ``n_threads`` runs of about equal
  work (neurons x (receptors + 1)); a slice may be cut in two at a neuron;
- the synaptic adds, in one of three modes:

  - *sources* (integer datapaths): each thread writes a ring of its own and sends every ``n_threads``-th
    spike and input channel whole; the rings are added up at each neuron's ports before its update (integer
    sums: the same in any order). No thread walks another's spikes or channels;
  - *groups* (float datapath, each thread owning a set of ports, every port one thread's): the counter groups
    (a population on one core) are cut into ``n_threads`` contiguous ranges of group ids of about equal send
    work; a thread owns every port of its groups, and walks only its groups' segments of each spike (two
    binary searches per spike: a source's segments are sorted by group);
  - *ports* (float datapath, as groups): the ring buffer's ports are cut into ``n_threads`` contiguous ranges
    holding about equal numbers of synapses (counted on an evenly strided sample of at most
    :data:`PORT_SAMPLE` synapses); every thread walks every segment of each spike and adds the synapses into
    its ports (a test per segment, a binary search where a group's ports straddle two threads).

  On the float datapath :func:`send_ranges` estimates the send work of the busiest thread in groups and in
  ports mode, with a segment walked costing :data:`SEGMENT_COST` synapses: in group mode the heaviest range's
  synapses + SEGMENT_COST x its segments (the group cuts balance exactly that), in port mode an even share of
  the synapses + SEGMENT_COST x every segment; it takes group mode when its estimate is no larger.

The rule (:func:`within_sample`): threads share a sample when there are at most half as many samples as
threads (on 2 threads: one sample), the network has at least :data:`MIN_SYNAPSES` synapses, no synapse out of
a neuron has delay 0 (the update phase needs each step's inputs complete before it starts) and, on the float
datapath, no Poisson input channel: there every thread draws and walks every channel (only the counts are
shared by key, not the work), and on W5 at scale 0.1 with its Poisson background (5,000 steps,
``bench/scale_w5.py --within-sample yes|no``, bench/RESULTS.md) two threads took 2.58 s on ``ideal`` against
2.00 s on one. Callers override it with ``within_sample=True`` / ``False``; True on a network with delay-0
synapses out of neurons raises :class:`hwsim.errors.UnsupportedError`. ``bench/threads.py`` measures the gain
(``bench/RESULTS.md``, "One sample on both cores" and "Threads share the sources on integer chips").
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from hwsim.errors import SpecError, UnsupportedError, short
from hwsim.lowering import SpikingArrays, poisson_channels

#: Fewest synapses for which the automatic rule shares one sample among threads.
MIN_SYNAPSES = 4_000_000
#: Most synapses whose ports are counted to balance the threads' ports.
PORT_SAMPLE = 1 << 16
#: Send work of walking one segment of a spike, in synapses' adds: on one thread, ``bench/threads.py``'s
#: network took 25.4 ns per synapse on spinnaker (segments of 4.6 synapses) against 14.5 on ideal (535), so a
#: segment costs about 50 ns, 3.4 adds (``bench/RESULTS.md``, "One sample on both cores").
SEGMENT_COST = 3


@dataclass(frozen=True, eq=False)
class ThreadPlan:
    """How one sample's work is shared among threads (arrays for ``run_spiking_threads``, all int64 but the
    uint8 flags).

    Attributes
    ----------
    sub_slices : ndarray ``(n_sub, 7)``
        The update slices in update order (``SpikingArrays.update_slices`` columns), some cut in two.
    sub_uniform, sub_active : ndarray uint8 ``(n_sub,)``
        The uniform / all-active flags of the slice each sub-slice comes from.
    sub_thread : ndarray ``(n_sub,)``
        The thread that updates each sub-slice.
    part_ports, part_groups : ndarray ``(n_threads, 2)``
        Thread ``p`` adds the synapses into the ports ``part_ports[p, 0] .. part_ports[p, 1]-1`` of the counter
        groups ``part_groups[p, 0] .. part_groups[p, 1]-1`` (one of the two is every port / group; both in
        sources mode, where the kernel does not read them).
    group_port_lo, group_port_hi : ndarray ``(n_groups,)``
        Span of the ports of each counter group's slots (lo >= hi: a group without slots).
    mode : str
        ``"sources"`` (integer datapaths: each thread its share of the spikes and channels, into a ring of its
        own), ``"groups"`` (each thread a range of groups) or ``"ports"`` (each thread a range of ports).
    """

    sub_slices: np.ndarray
    sub_uniform: np.ndarray
    sub_active: np.ndarray
    sub_thread: np.ndarray
    part_ports: np.ndarray
    part_groups: np.ndarray
    group_port_lo: np.ndarray
    group_port_hi: np.ndarray
    mode: str


def has_instant_neuron_synapses(a: SpikingArrays) -> bool:
    """Whether any synapse out of a neuron has delay 0 (a later slice's input within the same step)."""
    first_seg = int(a.src_seg_ptr[a.n_inputs])
    delays = np.asarray(a.seg_delay[first_seg:])
    if np.any(delays == 0):
        return True
    if not np.any(delays < 0):
        return False
    per_synapse = np.asarray(a.syn_delay[int(a.seg_syn_ptr[first_seg]):])
    return per_synapse.size > 0 and int(per_synapse.min()) == 0


def within_sample(a: SpikingArrays, n_samples: int, n_threads: int, requested: bool | None) -> bool:
    """Whether ``n_samples`` samples of ``a`` run with threads sharing each sample (see the module docstring).

    Raises
    ------
    SpecError
        If ``requested`` is not None, True or False.
    UnsupportedError
        If ``requested`` is True and a synapse out of a neuron has delay 0.
    """
    if requested is not None and not isinstance(requested, (bool, np.bool_)):
        raise SpecError(f"within_sample: {short(requested)}; expected None (automatic), True or False.")
    if requested is False or n_threads < 2:
        return False
    if requested is None and (n_samples > n_threads // 2 or a.syn_port.size < MIN_SYNAPSES
                              or (a.is_float and poisson_channels(a).any())):
        return False
    if has_instant_neuron_synapses(a):
        if requested:
            raise UnsupportedError("within_sample: the network has delay-0 synapses out of neurons; expected "
                                   "delays >= 1 there to share one sample among threads (a later slice's input "
                                   "would not be complete before its update). Hint: leave within_sample to None "
                                   "or False, or give those projections a delay of at least one step.")
        return False
    return True


def _thread_cuts(weight: np.ndarray, n_threads: int) -> np.ndarray:
    """Start positions of threads 1..n-1 along a run of items of these integer ``weight``s: for each
    ``p / n_threads`` of the total weight, the item index whose preceding items' weight is nearest to it (the
    lower index on a tie)."""
    before = np.concatenate(([0], np.cumsum(weight, dtype=np.int64)))   # weight of the items before each index
    targets = (before[-1] * np.arange(1, n_threads)) // n_threads
    above = np.minimum(np.searchsorted(before, targets, side="left"), before.size - 1)
    below = np.maximum(above - 1, 0)
    nearest = np.where(targets - before[below] <= before[above] - targets, below, above)
    return np.maximum.accumulate(nearest) if nearest.size else nearest


def _split_slices(slices: np.ndarray, uniform: np.ndarray, active: np.ndarray, n_threads: int):
    """Cut the update slices into runs of about equal update work, one per thread: ``(sub_slices,
    sub_uniform, sub_active, sub_thread)``."""
    receptors = slices[:, 4]
    sizes = slices[:, 1] - slices[:, 0]
    per_neuron = np.repeat(receptors + 1, sizes)               # neurons in update order
    starts = _thread_cuts(per_neuron, n_threads)                # the first neuron (in update order) of each thread
    offset = np.concatenate(([0], np.cumsum(sizes)))
    rows, thread = [], 0
    for r, (first, last, group, slot0, n_receptors, stride, model) in enumerate(slices):
        # threads may start at the same neuron (more threads than neurons): cut there once
        cuts = np.unique(starts[(starts > offset[r]) & (starts < offset[r + 1])]) - offset[r] + first
        bounds = [first, *cuts.tolist(), last]
        for a, b in zip(bounds[:-1], bounds[1:]):
            thread = int(np.searchsorted(starts, offset[r] + a - first, side="right"))
            rows.append((a, b, group, slot0 + a - first, n_receptors, stride, model, uniform[r], active[r], thread))
    table = np.array(rows, dtype=np.int64).reshape(-1, 10)
    return (np.ascontiguousarray(table[:, :7]), table[:, 7].astype(np.uint8), table[:, 8].astype(np.uint8),
            np.ascontiguousarray(table[:, 9]))


def _ranges(bounds: np.ndarray) -> np.ndarray:
    """``(n, 2)`` rows ``[bounds[p], bounds[p+1]]`` of ``n + 1`` ascending bounds."""
    return np.ascontiguousarray(np.stack((bounds[:-1], bounds[1:]), axis=1), dtype=np.int64)


def _whole(n_items: int, n_threads: int) -> np.ndarray:
    """``(n_threads, 2)`` rows ``[0, n_items]``: every thread has every item."""
    return np.tile(np.array([[0, n_items]], dtype=np.int64), (n_threads, 1))


def _port_bounds(a: SpikingArrays, n_threads: int) -> np.ndarray:
    """Port ranges of about equal synapse counts, one per thread (the ports of an evenly strided sample of at
    most :data:`PORT_SAMPLE` synapses counted)."""
    n_ports = int(np.asarray(a.port_shift).size)
    stride = max(1, a.syn_port.size // PORT_SAMPLE)
    counts = np.bincount(np.asarray(a.syn_port[::stride], dtype=np.int64), minlength=n_ports)
    return np.concatenate(([0], np.minimum(_thread_cuts(counts, n_threads), n_ports), [n_ports])).astype(np.int64)


def _group_bounds(a: SpikingArrays, n_threads: int) -> tuple[np.ndarray, int, int]:
    """Group ranges of about equal send work (synapses + :data:`SEGMENT_COST` x segments into the groups), one
    per thread: ``(bounds, the heaviest range's work, port mode's estimate)`` (module docstring)."""
    seg_group = np.asarray(a.seg_group, dtype=np.int64)
    synapses = np.bincount(seg_group, weights=np.diff(np.asarray(a.seg_syn_ptr, dtype=np.int64)),
                           minlength=a.n_groups).astype(np.int64)
    work = synapses + SEGMENT_COST * np.bincount(seg_group, minlength=a.n_groups)
    bounds = np.concatenate(([0], _thread_cuts(work, n_threads), [a.n_groups])).astype(np.int64)
    ends = np.concatenate(([0], np.cumsum(work)))
    heaviest = int(np.max(ends[bounds[1:]] - ends[bounds[:-1]]))
    return bounds, heaviest, -(-int(synapses.sum()) // n_threads) + SEGMENT_COST * seg_group.size


def _group_port_spans(a: SpikingArrays, slices: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per counter group, the lowest port and one past the highest port of its slots."""
    lo = np.full(a.n_groups, np.asarray(a.port_shift).size, dtype=np.int64)
    hi = np.zeros(a.n_groups, dtype=np.int64)
    ptr = np.asarray(a.slot_port_ptr, dtype=np.int64)
    for first, last, group, slot0, n_receptors, stride, _ in slices:
        for k in range(n_receptors):
            start = slot0 + k * stride
            lo[group] = min(lo[group], ptr[start])
            hi[group] = max(hi[group], ptr[start + last - first])
    return lo, hi


def send_ranges(a: SpikingArrays, n_threads: int) -> tuple[str, np.ndarray, np.ndarray]:
    """The send phase's share of each of ``n_threads`` threads (module docstring): ``(mode, part_ports,
    part_groups)`` as :class:`ThreadPlan` holds them (every port and group for each thread in sources mode)."""
    n_ports = int(np.asarray(a.port_shift).size)
    if not a.is_float:
        return "sources", _whole(n_ports, n_threads), _whole(a.n_groups, n_threads)
    group_bounds, group_work, port_work = _group_bounds(a, n_threads)
    if group_work <= port_work:
        return "groups", _whole(n_ports, n_threads), _ranges(group_bounds)
    return "ports", _ranges(_port_bounds(a, n_threads)), _whole(a.n_groups, n_threads)


def plan_threads(a: SpikingArrays, slices: np.ndarray, uniform: np.ndarray, active: np.ndarray,
                 n_threads: int) -> ThreadPlan:
    """Share one sample of ``a`` among ``n_threads`` threads (see the module docstring); ``slices``,
    ``uniform`` and ``active``: the update slices and their flags as the kernel takes them."""
    sub_slices, sub_uniform, sub_active, sub_thread = _split_slices(slices, uniform, active, n_threads)
    lo, hi = _group_port_spans(a, slices)
    mode, part_ports, part_groups = send_ranges(a, n_threads)
    return ThreadPlan(sub_slices=sub_slices, sub_uniform=sub_uniform, sub_active=sub_active, sub_thread=sub_thread,
                      part_ports=part_ports, part_groups=part_groups, group_port_lo=lo, group_port_hi=hi, mode=mode)
