"""hwsim: simulate trained spiking networks and small MLPs on neuromorphic and printed hardware.

The stages, each a function from plain data to plain data::

    graph = load_graph(path)                      # or build one with Graph
    chip = load_chip("loihi")
    placement = map_graph(graph, chip)            # neurons -> cores, memory, routes
    qnet = quantize_spiking(graph, chip)          # the chip's integers
    arrays = lower_spiking(qnet, placement, chip.capacity.bits_per_synapse,
                           chip.capacity.memory_word_bits)
    result = simulate_spiking(arrays, raster)     # Numba kernel: spikes and counters
    report = estimate_spiking(graph, chip, placement, result.counts, result.step_counts)

or all at once: ``run(graph, chip, x, labels)``; ``run(..., noise=load_noise(path), seed=k)`` runs
chip instance ``k`` of a hardware-noise spec (``docs/noise.md``). ``compiled = compile_network(graph, chip)``
does the input-independent stages once (map, quantise, lower); ``run(compiled, x=x)`` then reuses them.
"""
from hwsim.chips import available_chips, load_chip
from hwsim.compiled import CompiledNetwork, compile_network
from hwsim.encoding import rate_encode
from hwsim.energy import estimate_mac, estimate_spiking
from hwsim.errors import GraphError, HwsimError, MappingError, SpecError, UnsupportedError
from hwsim.ir import Graph, load_graph, save_graph
from hwsim.lowering import lower_mlp, lower_spiking
from hwsim.mapping import map_graph
from hwsim.noise import NoiseSource, NoiseSpec, apply_noise, load_noise
from hwsim.pipeline import run
from hwsim.quantize import quantize_mlp, quantize_spiking
from hwsim.report import Report, comparison_table
from hwsim.simulate import simulate_mlp, simulate_spiking

__all__ = [
    "Graph", "load_graph", "save_graph", "load_chip", "available_chips", "map_graph", "quantize_spiking",
    "quantize_mlp", "lower_spiking", "lower_mlp", "simulate_spiking", "simulate_mlp", "estimate_spiking",
    "estimate_mac", "run", "Report", "comparison_table", "rate_encode", "HwsimError", "SpecError",
    "GraphError", "MappingError", "UnsupportedError", "NoiseSpec", "NoiseSource", "load_noise", "apply_noise",
    "compile_network", "CompiledNetwork",
]
__version__ = "0.1.0"
