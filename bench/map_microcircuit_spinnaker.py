"""Map the published microcircuit (per-synapse delays, DC background) onto spinnaker: neuron cores, delay-extension
cores, chips and SpiNN-5 boards (48 chips each). Usage: python bench/map_microcircuit_spinnaker.py SCALE"""
import sys
import time

import numpy as np

from hwsim.chips import load_chip
from hwsim.mapping import map_graph
from hwsim.models.microcircuit_ir import build

CHIPS_PER_BOARD = 48

scale = float(sys.argv[1]) if len(sys.argv) > 1 else 1.0
graph = build(scale, seed=0, background="dc")
chip = load_chip("spinnaker")
longest = max(int(np.max(p.delay_steps)) for p in graph.projections())
n_syn = sum(p.n_synapses for p in graph.projections())
start = time.perf_counter()
placement = map_graph(graph, chip)
seconds = time.perf_counter() - start
cores = placement.cores_on
chips = len({chip.topology.chip_of(c) for c in cores})
print(f"scale {scale}: {sum(p.size for p in graph.populations()):,} neurons, {n_syn:,} synapses, longest delay "
      f"{longest} steps; mapped in {seconds:.1f} s")
print(f"neuron cores {len(placement.cores_used)}, delay-extension cores {len(placement.delay_cores)}, "
      f"total {len(cores)} of {chip.topology.n_cores}; chips {chips} ({-(-len(cores) // 16)} at 16 application "
      f"cores per chip), boards {-(-chips // CHIPS_PER_BOARD)}")
print("limits:", placement.limits)
per = placement.delay_packets_per_spike
print(f"delay-path packets per spike (mean over groups with neurons): {per[per[:, 0] > 0, 0].mean():.2f}")
