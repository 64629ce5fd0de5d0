"""SpiNNaker's delay-extension cores: where delays longer than a synaptic row holds go.

A chip with ``capacity.delay_extension_stages`` (sPyNNaker) stores in-row delays up to
``max_delay_steps``; a synapse of delay d above that goes through the delay-extension core of its
source's slice (a population's core, or ``neurons_per_core`` channels of an input), stage
``k = ceil((d - max_delay_steps) / stage_steps)``: the source core sends every spike of the slice to
its delay core (one route, one packet per spike), which re-sends it after k stages, one packet per
(stage in use, destination core) of the spiking source. A destination core that receives a source's
synapses only through stages gets no direct packet from that source, and its core no direct route.

The kernels count one packet per (spike, destination core) from the source's core; this module
derives, per source, the packets and hops the delay path adds or removes, and the placement
keeps their mean per counter group (exact when a group's neurons spike equally often or have
equal delayed fan-out), which :mod:`hwsim.energy` adds from the spike counts.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from hwsim.chips import ChipProfile
from hwsim.errors import MappingError
from hwsim.ir import Graph
from hwsim.memory import check_fits


@dataclass(frozen=True)
class DelayCores:
    """The delay-extension cores of one placement.

    Attributes
    ----------
    source_slice : ndarray
        int64 ``(n_delay_cores,)`` source slice each delay core serves (slice ids of :func:`source_slices`).
    routes : ndarray
        int64 ``(n, 2)`` (source core, destination core) pairs the delay path adds: source slice -> its delay
        core, delay core -> each core holding its delayed synapses (inputs' cores negative, as routes).
    direct_only_long : ndarray
        int64 ``(n, 2)`` direct (source core, destination core) routes that carry only delayed synapses, so
        the chip does not have them.
    extra_per_source : ndarray
        int64 ``(n_sources, 3)`` packets, x hops and y hops each spike of a source adds on the delay path
        (minus the direct packets to cores it reaches only through stages).
    memory_bits : ndarray
        int64 ``(n_delay_cores,)`` delay state of each delay core: one bit per neuron of its slice and stage.
    neurons : ndarray
        int64 ``(n_delay_cores,)`` neurons (or input channels) of the slice each delay core serves: its work per
        step (sPyNNaker's delay extension is time-driven, a fixed cost per neuron of its slice and tick).
    """

    source_slice: np.ndarray
    routes: np.ndarray
    direct_only_long: np.ndarray
    extra_per_source: np.ndarray
    memory_bits: np.ndarray
    neurons: np.ndarray

    def with_routes(self, routes: np.ndarray) -> np.ndarray:
        """Unique (source core, destination core) ``routes`` without the direct routes that carry only delayed
        synapses, plus the delay paths' routes, in lexicographic order."""
        return np.unique(np.concatenate([_rows_not_in(routes, self.direct_only_long), self.routes]), axis=0)


def source_slices(graph: Graph, neuron_core: np.ndarray, neurons_per_core: int) -> tuple[np.ndarray, int]:
    """Slice id of every global source, and the number of input slices: inputs' channels in chunks of
    ``neurons_per_core`` (ids ``0 .. n_input_slices - 1``), then a population's neuron by its core
    (``n_input_slices + core``)."""
    parts, n_input_slices = [], 0
    for inp in graph.inputs():
        parts.append(n_input_slices + np.arange(inp.size, dtype=np.int64) // neurons_per_core)
        n_input_slices += -(-inp.size // neurons_per_core)
    return np.concatenate(parts + [n_input_slices + neuron_core.astype(np.int64)]), n_input_slices


def _stage(delay: np.ndarray, chip: ChipProfile) -> np.ndarray:
    """Stage of each delay: 0 within a row, else ``ceil((d - max_delay_steps) / stage_steps)``."""
    cap = chip.capacity
    over = np.maximum(delay.astype(np.int64) - cap.max_delay_steps, 0)
    return -(-over // cap.delay_extension_stage_steps)


def _long_projections(graph: Graph, chip: ChipProfile) -> dict[tuple[str, str], list]:
    """Projections with any delay above ``max_delay_steps``, by (pre, post) pair."""
    pairs: dict[tuple[str, str], list] = {}
    for proj in graph.projections():
        if proj.delay_steps.size and int(np.max(proj.delay_steps)) > chip.capacity.max_delay_steps:
            pairs.setdefault((proj.pre, proj.post), []).append(proj)
    return pairs


def delay_cores(graph: Graph, chip: ChipProfile, neuron_core: np.ndarray, source_core: np.ndarray,
                core_xy: np.ndarray, input_xy: tuple[int, int], first_core: int,
                check_count: Callable[[int], None]) -> DelayCores | None:
    """Allocate a delay core (numbered from ``first_core``) per source slice with delayed synapses, and count
    its routes, memory and packets; None when the chip has no delay extension or no delay needs one.

    Parameters
    ----------
    graph : Graph
        The network (delays already checked against ``capacity.longest_delay_steps``).
    chip : ChipProfile
        A neuromorphic profile.
    neuron_core : ndarray
        int64 core of each global neuron.
    source_core : ndarray
        int64 core of each global source (inputs on the host negative, :func:`hwsim.mapping._source_cores`).
    core_xy : ndarray
        int64 ``(n_cores, 2)`` mesh position of each core.
    input_xy : tuple of int
        Where input spikes enter.
    first_core : int
        The first free core.
    check_count : callable
        Called with the number of delay cores before they are placed; raises when they do not fit.
    """
    cap = chip.capacity
    pairs = _long_projections(graph, chip)
    if cap.delay_extension_stages is None or not pairs:
        return None
    offsets, neuron_offsets = graph.source_offsets(), graph.neuron_offsets()
    slice_of, n_input_slices = source_slices(graph, neuron_core, cap.neurons_per_core)
    n_stages = cap.delay_extension_stages + 1                       # stage 0: within the row
    used = np.zeros(n_input_slices + int(neuron_core.max()) + 1, dtype=bool)
    tables = []
    for (pre, post), projections in pairs.items():
        pre_size = graph.node(pre).size
        post_cores = neuron_core[neuron_offsets[post]:neuron_offsets[post] + graph.node(post).size]
        first_post, n_post = int(post_cores[0]), int(post_cores[-1]) - int(post_cores[0]) + 1
        check_fits(f"projection '{pre}' -> '{post}'", "the table of (source, core, delay stage) marks",
                   pre_size * n_post * n_stages, "Map on a machine with more memory.", MappingError)
        marks = np.zeros((pre_size, n_post, n_stages), dtype=bool)
        for proj in projections:
            pre_index, post_index, _, delay = proj.synapses(narrow=True)
            marks[pre_index, post_cores[post_index] - first_post, _stage(delay, chip)] = True
        long_any = marks[:, :, 1:].any(axis=2)
        used[np.unique(slice_of[offsets[pre] + np.flatnonzero(long_any.any(axis=1))])] = True
        tables.append((offsets[pre], first_post, marks, long_any))
    served = np.flatnonzero(used)
    check_count(served.size)
    delay_core_of = np.full(used.size, -1, dtype=np.int64)
    delay_core_of[served] = first_core + np.arange(served.size)
    src_xy = np.where(source_core[:, None] >= 0, core_xy[np.maximum(source_core, 0)],
                      np.asarray(input_xy, dtype=np.int64))
    my_delay = delay_core_of[slice_of]
    extra = np.zeros((slice_of.size, 3), dtype=np.int64)
    has = my_delay >= 0
    extra[has, 0] = 1                                               # every spike of a served slice -> its delay core
    extra[has, 1:] = np.abs(src_xy[has] - core_xy[my_delay[has]])
    routes = [np.stack([source_core[has], my_delay[has]], axis=1)]
    dropped = []
    for first_source, first_post, marks, long_any in tables:
        rows = first_source + np.arange(marks.shape[0])
        dst_xy = core_xy[first_post + np.arange(marks.shape[1])]    # (n_post, 2)
        stage_count = marks[:, :, 1:].sum(axis=2)                   # (pre, n_post) packets from the delay core
        only_long = long_any & ~marks[:, :, 0]                      # no direct packet on the chip
        extra[rows, 0] += stage_count.sum(axis=1) - only_long.sum(axis=1)
        for axis in (0, 1):
            via_delay = np.abs(core_xy[my_delay[rows], axis][:, None] - dst_xy[None, :, axis])
            direct = np.abs(src_xy[rows, axis][:, None] - dst_xy[None, :, axis])
            extra[rows, 1 + axis] += (stage_count * via_delay).sum(axis=1) - (only_long * direct).sum(axis=1)
        src, dst = np.nonzero(long_any)
        routes.append(np.stack([my_delay[rows[src]], first_post + dst], axis=1))
        long_cores = np.unique(np.stack([source_core[rows[src]], first_post + dst], axis=1), axis=0)
        src0, dst0 = np.nonzero(marks[:, :, 0])
        dropped.append(_rows_not_in(long_cores, np.stack([source_core[rows[src0]], first_post + dst0], axis=1)))
    slice_sizes = np.bincount(slice_of, minlength=used.size)[served]
    return DelayCores(served.astype(np.int64), np.unique(np.concatenate(routes), axis=0),
                      np.concatenate(dropped) if dropped else np.zeros((0, 2), np.int64), extra,
                      -(-slice_sizes * cap.delay_extension_stages // cap.memory_word_bits) * cap.memory_word_bits,
                      slice_sizes.astype(np.int64))


def _rows_not_in(rows: np.ndarray, other: np.ndarray) -> np.ndarray:
    """The rows of ``rows`` (unique int64 pairs) that are not rows of ``other``."""
    if not other.size or not rows.size:
        return rows
    low = min(int(rows.min()), int(other.min()))
    span = max(int(rows.max()), int(other.max())) - low + 1
    keep = ~np.isin((rows[:, 0] - low) * span + rows[:, 1] - low, (other[:, 0] - low) * span + other[:, 1] - low)
    return rows[keep]
