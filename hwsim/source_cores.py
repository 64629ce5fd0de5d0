"""SpiNNaker's Poisson source cores: where Poisson inputs run on chips that run them on cores of their own.

sPyNNaker places each ``SpikeSourcePoisson`` population on cores of its own, ``DEFAULT_MAX_ATOMS_PER_CORE`` =
500 sources per core (``spynnaker/pyNN/models/spike_source/spike_source_poisson.py``), each source holding 10
words of parameters (``spike_source_poisson_vertex.py``: 2 per source + 8 per rate). A profile with
``capacity.poisson_sources_per_core`` and ``capacity.poisson_source_bytes`` does the same: every Poisson input
is cut into consecutive slices of at most ``poisson_sources_per_core`` channels, one slice per core, numbered
after the neuron cores. Its spikes then start at that core (their packets and hops are counted from there, and
its routes count against fan-out and router entries), and the core holds ``poisson_source_bytes`` per source.
On other profiles every input stays on the host, as before.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from hwsim.chips import ChipProfile
from hwsim.ir import Graph


@dataclass(frozen=True)
class SourceCores:
    """The Poisson source cores of one placement.

    Attributes
    ----------
    input_core : ndarray
        int64 ``(n_input_channels,)`` core of each input channel, -1 for those on the host.
    cores : tuple of (int, str, int)
        ``(core, input name, channels)`` per source core, in core order.
    """

    input_core: np.ndarray
    cores: tuple[tuple[int, str, int], ...]


def source_cores(graph: Graph, chip: ChipProfile, first_core: int) -> SourceCores:
    """Cut each Poisson input of ``graph`` into cores numbered from ``first_core`` where ``chip`` runs Poisson
    sources on cores (``capacity.poisson_sources_per_core``); every other input channel stays on the host."""
    per_core = chip.capacity.poisson_sources_per_core
    parts, cores, core = [], [], first_core
    for inp in graph.inputs():
        if per_core is None or inp.kind != "poisson":
            parts.append(np.full(inp.size, -1, dtype=np.int64))
            continue
        parts.append(core + np.arange(inp.size, dtype=np.int64) // per_core)
        for first in range(0, inp.size, per_core):
            cores.append((core, inp.name, min(per_core, inp.size - first)))
            core += 1
    return SourceCores(np.concatenate(parts + [np.zeros(0, dtype=np.int64)]), tuple(cores))
