"""hwsim on W1 and W2: the workloads as IR graphs on the ``ideal`` float profile, timed at the kernel call.

The peers' update order is written with IR parameters only (``hwsim.ir`` semantics):

W1 (peers: decay, threshold, propagate, reset; input at t first counts at t + 1)
    Every projection has ``delay_steps=1`` and weights ``beta * w``; ``decay_syn=1`` makes
    ``i[t] = x[t]``, so ``v[t] = beta * v[t-1] + beta * X[t-1]``, the peers' pre-threshold
    membrane. The peers reset after propagating, so input that reaches a neuron in the step it
    spikes is lost; ``refractory_steps=1`` (v held at ``v_reset = 0`` for the next step, while
    ``i`` takes and then drops that input) does the same.
W2 (Brian2's CUBA schedule: exact update from the old ge, gi, threshold, ``ge += we`` / ``gi += wi``, reset)
    One population with two receptors, excitatory (0) and inhibitory (1), each fed by its own
    projection with ``delay_steps=1``: ``decay_syn = 1 - a_x`` and weights ``c_x * w_x`` make
    ``i_x[t] = c_x * g_x[t-1]`` (the peers' ``g_x`` after the previous step's propagation), so
    ``decay_mem = 1 - m`` and ``bias = (1 - m) * El`` give the exact membrane update
    ``v[t] = m * v[t-1] + c_e * ge + c_i * gi + (1 - m) * El``. ``refractory_steps = 49`` is
    Brian2's 5 ms rule; every membrane starts at its v0 (``initial={"v": v0}``), with ``v_th``,
    ``v_reset`` and ``bias`` the same for every neuron. The graph has no Input: its run takes an
    input raster of shape ``(batch, T, 0)``.

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
    """W2 as an IR graph: two receptors, no Input (see the module docstring for the parameter mapping)."""
    m, a_e, a_i, c_e, c_i = p.exact_factors()
    graph = hwsim.Graph("W2", dt_s=p.dt_s)
    graph.add_population("neurons", p.n_neurons, "lif", n_receptors=2, decay_syn=[1.0 - a_e, 1.0 - a_i],
                         decay_mem=1.0 - m, v_th=p.v_th_mv, v_reset=p.v_reset_mv, bias=(1.0 - m) * p.v_rest_mv,
                         refractory_steps=p.refractory_steps, initial={"v": data["v0_mv"]})
    pre, post = data["pre"], data["post"]
    excitatory = pre < p.n_excitatory
    for receptor, (name, sel, weight) in enumerate((("exc", excitatory, c_e * p.w_e_mv),
                                                    ("inh", ~excitatory, c_i * p.w_i_mv))):
        graph.add_projection("neurons", "neurons", np.full(int(sel.sum()), weight), pre_index=pre[sel],
                             post_index=post[sel], delay_steps=1, receptor=receptor, name=name)
    graph.add_output("readout", "neurons")
    return graph


def lowered(graph: hwsim.Graph):
    """The graph mapped, quantised (identity) and lowered for ``chips/ideal.yaml``."""
    chip = hwsim.load_chip("ideal")
    placement = hwsim.map_graph(graph, chip)
    qnet = hwsim.quantize_spiking(graph, chip)
    return hwsim.lower_spiking(qnet, placement, chip.capacity.bits_per_synapse, chip.capacity.memory_word_bits)


def inputs(workload: str, size: workloads.Size, data: dict) -> np.ndarray:
    """The input raster ``(batch, T, n_inputs)`` (W2 has no Input: ``(batch, T, 0)``)."""
    if workload == "W1":
        return np.ascontiguousarray(data["raster"][:size.batch, :size.n_steps])
    return np.zeros((size.batch, size.n_steps, 0), dtype=np.uint8)


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
