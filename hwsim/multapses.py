"""Multapses (several synapses joining the same pre and post) as layers of unique pairs.

The IR holds a ``(pre, post)`` pair at most once per projection (:meth:`hwsim.ir.Graph.add_projection`), but
simulators that draw connections with replacement (NEST's ``fixed_total_number``, PyNN's
``FixedTotalNumberConnector`` and ``with_replacement=True`` connectors) join a pair k times, each synapse with
its own weight and delay. :func:`layers` splits such synapses into layers that each hold a pair once; each
layer becomes a projection of its own (``"A->B"``, ``"A->B#2"``, ...). On integer chips the layers share their
targets' ports (:mod:`hwsim.lowering`), so the run adds the same numbers as one projection would; on a float
chip each layer is summed on its own port, as a separate projection is.
"""
from __future__ import annotations

import numpy as np


def layers(pre: np.ndarray, post: np.ndarray, n_post: int) -> list:
    """Indices of each layer of the synapses ``(pre[k], post[k])``: layer ``j`` holds every pair's ``j``-th
    synapse in the order given, as an ascending index array; ``[slice(None)]`` when no pair repeats.

    Parameters
    ----------
    pre, post : ndarray of int ``(n,)``
        Source and target of each synapse, ``0 <= post < n_post`` (trusted).
    n_post : int
        Number of targets.

    Notes
    -----
    O(n) when the synapses are sorted by ``(pre, post)`` (the microcircuit's draws); otherwise a stable sort of
    the int64 keys, O(n log n) time and 16 bytes per synapse.
    """
    if pre.size == 0:
        return [slice(None)]
    keys = pre.astype(np.int64) * np.int64(n_post) + post
    order = None if bool(np.all(keys[1:] >= keys[:-1])) else np.argsort(keys, kind="stable")
    ordered = keys if order is None else keys[order]
    first = np.concatenate(([True], ordered[1:] != ordered[:-1]))
    run_start = np.maximum.accumulate(np.where(first, np.arange(keys.size), 0))
    rank = np.arange(keys.size) - run_start
    if rank.max() == 0:
        return [slice(None)]
    if order is not None:   # back to the synapses' own order
        own = np.empty_like(rank)
        own[order] = rank
        rank = own
    return [np.flatnonzero(rank == j) for j in range(int(rank.max()) + 1)]


def layer_name(name: str, layer: int) -> str:
    """The projection name of ``layer`` (0-based) of projection ``name``: ``name`` itself, then ``name#2``, ..."""
    return name if layer == 0 else f"{name}#{layer + 1}"
