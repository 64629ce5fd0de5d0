"""A repeated (pre, post) pair among a projection's synapses, found in O(n) time without sorting.

Used by :meth:`hwsim.ir.Graph.add_projection` on sparse projections of any size (0.3 B synapses for the
cortical microcircuit), where ``np.unique`` over int64 keys would take seconds and 16 bytes per synapse.
"""
import numpy as np
from numba import njit

from ._config import JIT


@njit(**JIT)
def _scan(pre, post, stamp):
    """The first ``k`` whose pair repeats an earlier one, when each pre's synapses are contiguous; else -1.

    ``stamp[j]`` holds the last pre seen with post ``j`` (initially -1): within one pre's contiguous run a
    repeated post finds its own pre there, and a stamp of another pre never matches.
    """
    for k in range(pre.size):
        if stamp[post[k]] == pre[k]:
            return k
        stamp[post[k]] = pre[k]
    return -1


@njit(**JIT)
def _contiguous(pre):
    """True when ``pre`` is non-decreasing (every pre's synapses form one run)."""
    for k in range(1, pre.size):
        if pre[k] < pre[k - 1]:
            return False
    return True


@njit(**JIT)
def first_repeated_pair(pre, post, n_pre, n_post):
    """``(pre, post)`` of a pair that occurs more than once, or ``(-1, -1)`` when every pair is unique.

    Parameters
    ----------
    pre, post : ndarray of int32 or int64 ``(n,)``
        Source and target of each synapse, in ``[0, n_pre)`` and ``[0, n_post)`` (trusted).
    n_pre, n_post : int
        Number of sources and targets.

    Notes
    -----
    Time O(n + n_pre + n_post). Synapses already grouped by pre (non-decreasing ``pre``) are scanned in
    place with one int64 stamp per target; otherwise their targets are first grouped by pre with a counting
    sort into one array of ``post``'s dtype (4 bytes per synapse for int32 indices).
    """
    stamp = np.full(n_post, -1, dtype=np.int64)
    if _contiguous(pre):
        k = _scan(pre, post, stamp)
        return (-1, -1) if k < 0 else (np.int64(pre[k]), np.int64(post[k]))
    start = np.zeros(n_pre + 1, dtype=np.int64)
    for k in range(pre.size):
        start[pre[k] + 1] += 1
    for i in range(n_pre):
        start[i + 1] += start[i]
    grouped = np.empty_like(post)
    fill = start[:-1].copy()
    for k in range(pre.size):
        grouped[fill[pre[k]]] = post[k]
        fill[pre[k]] += 1
    for i in range(n_pre):
        for k in range(start[i], start[i + 1]):
            if stamp[grouped[k]] == i:
                return (np.int64(i), np.int64(grouped[k]))
            stamp[grouped[k]] = i
    return (-1, -1)
