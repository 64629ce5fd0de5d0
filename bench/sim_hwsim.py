"""hwsim on W1 and W2: the workloads as IR graphs on the ``ideal`` float profile, timed at the kernel call.

The peers' update order is written with IR parameters only (``hwsim.ir`` semantics):

W1 (peers: decay, threshold, propagate, reset; input at t first counts at t + 1)
    Every projection has ``delay_steps=1`` and weights ``beta * w``; ``decay_syn=1`` makes
    ``i[t] = x[t]``, so ``v[t] = beta * v[t-1] + beta * X[t-1]``, the peers' pre-threshold
    membrane. The peers reset after propagating, so input that reaches a neuron in the step it
    spikes is lost; ``refractory_steps=1`` (v held at ``v_reset = 0`` for the next step, while
    ``i`` takes and then drops that input) does the same.
W2 (Brian2's CUBA schedule: exact update from the old g, threshold, ``g += w``, reset)
    ``decay_syn = 1 - a`` and weights ``c * w`` with ``delay_steps=1`` make ``i[t] = c * g[t-1]``;
    ``decay_mem = 1 - m`` and ``bias = (1 - m) * v_rest`` give the exact membrane update;
    ``refractory_steps = 49`` is Brian2's 5 ms rule. The IR starts every state at 0, so each
    neuron's membrane is measured from its own v0 (``v' = v - v0``): per-neuron ``v_th - v0``,
    ``v_reset - v0`` and ``bias = (1 - m) * (v_rest - v0)``. The IR also requires an Input from
    which the output is reachable: W2 gets one silent input channel with no synapses.

Timed: ``hwsim.simulate_spiking`` (validation, allocation and the Numba kernel); building the
graph, mapping, quantising and lowering are reported as build time, the first (2-step) call as
compile time.
"""
from __future__ import annotations

import numba
import numpy as np

import hwsim
from bench import workloads
from bench.timing import repeat_runs, timed
from hwsim.kernels.actions import SYNOP


def w1_graph(data: dict, p: workloads.FeedForward = workloads.W1) -> hwsim.Graph:
    """W1 as an IR graph (see the module docstring for the parameter mapping)."""
    graph = hwsim.Graph("W1", dt_s=p.dt_s)
    names = workloads.groups("W1")
    graph.add_input(names[0], p.layer_sizes[0])
    for k, name in enumerate(names[1:]):
        graph.add_population(name, p.layer_sizes[k + 1], "lif", decay_syn=1.0, decay_mem=1.0 - p.beta,
                             v_th=p.v_th, v_reset=p.v_reset, refractory_steps=1)
        weight = p.beta * data[f"w{k}"].astype(np.float64).T
        graph.add_projection(names[k], name, weight, delay_steps=1)
    graph.add_output("readout", names[-1])
    return graph


def w2_graph(data: dict, p: workloads.Cuba = workloads.W2) -> hwsim.Graph:
    """W2 (one synaptic current) as an IR graph (see the module docstring for the parameter mapping)."""
    if not p.one_current:
        raise ValueError("hwsim's IR has one synaptic current per neuron; tau_e_s must equal tau_i_s")
    m, a, c = p.exact_factors()
    v0 = data["v0_mv"]
    graph = hwsim.Graph("W2", dt_s=p.dt_s)
    graph.add_population("neurons", p.n_neurons, "lif", decay_syn=1.0 - a, decay_mem=1.0 - m,
                         v_th=p.v_th_mv - v0, v_reset=p.v_reset_mv - v0, bias=(1.0 - m) * (p.v_rest_mv - v0),
                         refractory_steps=p.refractory_steps)
    pre, post = data["pre"], data["post"]
    weight = c * np.where(pre < p.n_excitatory, p.w_e_mv, p.w_i_mv)
    graph.add_projection("neurons", "neurons", weight, pre_index=pre, post_index=post, delay_steps=1)
    # the IR wants every output reachable from an Input: one silent channel with no synapses
    graph.add_input("silent", 1)
    graph.add_projection("silent", "neurons", np.zeros((p.n_neurons, 1)))
    graph.add_output("readout", "neurons")
    return graph


def lowered(graph: hwsim.Graph):
    """The graph mapped, quantised (identity) and lowered for ``chips/ideal.yaml``."""
    chip = hwsim.load_chip("ideal")
    placement = hwsim.map_graph(graph, chip)
    qnet = hwsim.quantize_spiking(graph, chip)
    return hwsim.lower_spiking(qnet, placement, chip.capacity.bits_per_synapse, chip.capacity.memory_word_bits)


def inputs(workload: str, size: workloads.Size, data: dict) -> np.ndarray:
    """The input raster ``(batch, T, n_inputs)`` (W2: its one silent channel)."""
    if workload == "W1":
        return np.ascontiguousarray(data["raster"][:size.batch, :size.n_steps])
    return np.zeros((size.batch, size.n_steps, 1), dtype=np.uint8)


def spike_counts(workload: str, raster: np.ndarray, result) -> dict:
    """Spikes per neuron summed over the batch, per group of :func:`bench.workloads.groups`."""
    per_neuron = result.spike_count.sum(axis=0)
    if workload == "W2":
        return workloads.split_counts(workload, per_neuron)
    return workloads.split_counts(workload, np.concatenate([raster.sum(axis=(0, 1), dtype=np.int64), per_neuron]))


def run(workload: str, size: workloads.Size, data: dict, min_total_s: float = 1.0) -> dict:
    """Build, compile (first 2-step call) and time ``hwsim.simulate_spiking``; return the runner's raw record."""
    build = w1_graph if workload == "W1" else w2_graph
    arrays, build_s = timed(lambda: lowered(build(data)))
    raster = inputs(workload, size, data)
    _, compile_s = timed(lambda: hwsim.simulate_spiking(arrays, raster[:, :2]))
    results = []
    runs = repeat_runs(lambda: results.append(hwsim.simulate_spiking(arrays, raster)), min_total_s)
    result = results[-1]
    return {"build_s": build_s, "compile_s": compile_s, "runs": runs,
            "spike_counts": spike_counts(workload, raster, result),
            "synops": int(result.counts[:, :, SYNOP].sum()),
            "versions": {"hwsim": hwsim.__version__, "numba": numba.__version__, "numpy": np.__version__}}
