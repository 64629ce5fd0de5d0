"""A network compiled for one chip: everything a run needs that does not depend on its inputs.

:func:`compile_network` maps, quantises and lowers a graph once; :meth:`CompiledNetwork.instance` gives the
arrays of one (noise spec, seed) chip instance, re-applying only what noise changes (static sources re-quantise
the programmed network and lower it again; dynamic ones are drawn in the kernel). ``hwsim.run`` takes a
compiled network in place of a graph, and sweeps compile each (graph, chip) once per worker, so repeated runs
and the points of a sweep pay the setup once.

A compiled network keeps the graph it was compiled from and assumes it is not changed afterwards (compile
again after editing the graph or its arrays).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from hwsim.chips import ChipProfile, load_chip
from hwsim.ir import Graph
from hwsim.lowering import MlpArrays, SpikingArrays, lower_mlp, lower_spiking
from hwsim.mapping import Placement, map_graph
from hwsim.noise import KINDS, NoiseSpec, apply_noise, dynamic_noise
from hwsim.noise.dynamic import DynamicNoise
from hwsim.qmlp import QuantizedMLP
from hwsim.quantize import QuantizedNetwork, quantize_mlp, quantize_spiking


@dataclass(frozen=True)
class ChipInstance:
    """One chip instance of a compiled network: its quantised network after static noise, the kernel arrays
    and the dynamic noise drawn in the kernel (None: none)."""

    network: QuantizedNetwork | QuantizedMLP
    arrays: SpikingArrays | MlpArrays
    dynamic: DynamicNoise | None


@dataclass(frozen=True, eq=False)
class CompiledNetwork:
    """A graph mapped, quantised and lowered for one chip (:func:`compile_network`).

    Attributes
    ----------
    graph : Graph
        The network, as compiled (not to be changed afterwards).
    chip : ChipProfile
        The target chip.
    placement : Placement
        Neurons on cores, memory and routes.
    programmed : QuantizedNetwork or QuantizedMLP
        The chip's integers before any noise.
    noise_free : ChipInstance
        The instance without noise (its arrays lowered once, at compile time).
    """

    graph: Graph
    chip: ChipProfile
    placement: Placement
    programmed: QuantizedNetwork | QuantizedMLP
    noise_free: ChipInstance
    _instances: dict = field(default_factory=dict, repr=False)

    def instance(self, noise: NoiseSpec | None = None, seed: int = 0) -> ChipInstance:
        """The chip instance ``seed`` of ``noise``: the noise-free arrays when no source is static, else the
        programmed network with the static sources applied and lowered again (the last instance is kept)."""
        static = noise is not None and any(not KINDS[s.kind].dynamic for s in noise.sources)
        dynamic = dynamic_noise(self.programmed, noise, self.chip, seed)   # validates the kinds for this chip
        if not static:
            return ChipInstance(self.noise_free.network, self.noise_free.arrays, dynamic)
        key = (repr(noise), seed)
        if key not in self._instances:
            network = apply_noise(self.programmed, noise, self.chip, seed)
            self._instances.clear()
            self._instances[key] = ChipInstance(network, _lower(network, self.placement, self.chip), dynamic)
        return self._instances[key]


def _lower(network, placement: Placement, chip: ChipProfile) -> SpikingArrays | MlpArrays:
    if isinstance(network, QuantizedMLP):
        return lower_mlp(network)
    return lower_spiking(network, placement, chip.capacity.bits_per_synapse, chip.capacity.memory_word_bits)


def compile_network(graph: Graph, chip: ChipProfile | str, calibration=None) -> CompiledNetwork:
    """Map, quantise and lower ``graph`` for ``chip`` once.

    Parameters
    ----------
    graph : Graph
        A spiking graph (for a neuromorphic chip) or an MLP (for a MAC chip).
    chip : ChipProfile or str
        A profile, or a bundled chip's name or a profile's path.
    calibration : array_like, optional
        MLPs only: representative inputs that fix the activation shifts (``hwsim.quantize_mlp``); a spiking
        graph ignores them (as ``hwsim.run`` does).

    Returns
    -------
    CompiledNetwork
        Reusable by :func:`hwsim.run` (in place of the graph) and by sweeps.
    """
    graph.validate()
    if not isinstance(chip, ChipProfile):
        chip = load_chip(chip)
    placement = map_graph(graph, chip)
    if graph.is_spiking():
        programmed = quantize_spiking(graph, chip)
    else:
        programmed = quantize_mlp(graph, chip, None if calibration is None else np.asarray(calibration))
    noise_free = ChipInstance(programmed, _lower(programmed, placement, chip), None)
    return CompiledNetwork(graph, chip, placement, programmed, noise_free)
