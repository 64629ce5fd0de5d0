"""How the setup passes (mapping, quantisation, lowering) share the machine's threads.

The passes that write a large table per synapse (``kernels/slicing.py``'s ``scatter_by_target``,
``kernels/tables.py``'s ``scatter_by_source`` and ``cut_segments``, ``kernels/mantissas.py``) cut its rows into
one part per thread (:func:`thread_parts`) and fill the parts side by side; each thread writes its own rows, so
the tables do not depend on the number of threads. A parallel region costs ~0.1 ms to start and, when another
process keeps a core busy, milliseconds waiting for the second thread: networks below
:data:`MIN_SYNAPSES` run their passes on one thread (:func:`setup_threads`).
"""
from __future__ import annotations

from contextlib import contextmanager

import numba
import numpy as np

#: Fewest synapses for which the setup passes run on every thread.
MIN_SYNAPSES = 1 << 22


@contextmanager
def setup_threads(n_synapses: int):
    """Within the block, Numba runs on every thread for ``n_synapses`` >= :data:`MIN_SYNAPSES`, else on one."""
    previous = numba.get_num_threads()
    numba.set_num_threads(previous if n_synapses >= MIN_SYNAPSES else 1)
    try:
        yield
    finally:
        numba.set_num_threads(previous)


def thread_parts(indptr: np.ndarray) -> np.ndarray:
    """The rows of a CSR pointer cut into one part per thread (``numba.get_num_threads()``) of about equal
    entry counts: part ``p`` is rows ``bounds[p] .. bounds[p+1]-1``."""
    threads = numba.get_num_threads()
    bounds = np.searchsorted(indptr, indptr[-1] * np.arange(threads + 1) // threads).astype(np.int64)
    bounds[-1] = indptr.size - 1
    return bounds
