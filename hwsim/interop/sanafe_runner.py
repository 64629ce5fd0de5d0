"""Run one network in SANA-FE: a script executed only by ``.venv-sanafe``'s Python, never imported by hwsim.

SANA-FE is GPL-3.0, so hwsim drives it as a peer process (:func:`hwsim.interop.sanafe_peer.run_sanafe`)::

    .venv-sanafe/bin/python hwsim/interop/sanafe_runner.py NETWORK.npz RESULT.json

``NETWORK.npz`` (written by :func:`hwsim.interop.sanafe_peer.write_exchange`) holds a JSON ``header`` --
``n_steps``, ``arch`` (a SANA-FE architecture YAML, or null for the wheel's ``loihi.yaml``),
``timing_model``, ``populations`` (``name``, ``size``, ``attributes``: SANA-FE soma attributes shared by
the group) and ``projections`` (``pre``, ``post``, ``synapse_hw``) -- and per population ``pop<i>_bias``
(float64 per neuron) and ``pop<i>_core`` (index into ``arch.cores()``), per projection ``proj<k>_pre``,
``proj<k>_post`` (int64 neuron offsets) and ``proj<k>_weight`` (float64). Each population becomes a
neuron group of SANA-FE's default soma (``loihi_lif`` in ``loihi.yaml``), each projection one
``connect_neurons_sparse`` call. With ``snn`` (a SANA-FE SNN YAML file) in the header, SANA-FE loads
that file itself instead (its own mapping; the populations then only name the groups to count). The
script writes ``RESULT.json``: SANA-FE's totals (energy per unit in
J, ``sim_time`` in s, spikes, packets, neurons updated and fired), its per-step performance trace, the
spikes per neuron of every population, and the wall time of building and of simulating; with
``time_untraced: n`` in the header it resets the chip and runs the same steps ``n`` times more without
traces, reporting the fastest (wall and CPU time).
"""
import json
import sys
import time

import numpy as np
import sanafe


def build(header: dict, arrays) -> tuple:
    """SANA-FE architecture and network from the exchange file."""
    arch = sanafe.load_arch(header["arch"]) if header["arch"] else sanafe.load_loihi()
    cores = arch.cores()
    net = sanafe.Network()
    groups = []
    for i, pop in enumerate(header["populations"]):
        group = net.create_neuron_group(pop["name"], pop["size"], model_attributes=pop["attributes"],
                                        log_spikes=True, **pop.get("hw", {}))
        bias, core = arrays[f"pop{i}_bias"], arrays[f"pop{i}_core"]
        for k, neuron in enumerate(group):
            if bias[k] != 0.0:
                neuron.set_attributes(model_attributes={"bias": float(bias[k])})
            neuron.map_to_core(cores[int(core[k])])
        groups.append(group)
    names = [p["name"] for p in header["populations"]]
    for k, proj in enumerate(header["projections"]):
        pre, post = arrays[f"proj{k}_pre"], arrays[f"proj{k}_post"]
        attributes = {"w": arrays[f"proj{k}_weight"].tolist()}
        if proj.get("synapse_hw"):
            attributes["synapse_hw_name"] = proj["synapse_hw"]
        groups[names.index(proj["pre"])].connect_neurons_sparse(
            groups[names.index(proj["post"])], attributes, list(zip(pre.tolist(), post.tolist())))
    return arch, net


def main(network_path: str, result_path: str) -> None:
    """Build, simulate and write the results (see the module docstring)."""
    with np.load(network_path) as data:
        arrays = {k: data[k] for k in data.files}
    header = json.loads(str(arrays.pop("header")))
    start = time.perf_counter()
    if header.get("snn"):
        arch = sanafe.load_arch(header["arch"]) if header["arch"] else sanafe.load_loihi()
        net = sanafe.load_net(header["snn"], arch)
    else:
        arch, net = build(header, arrays)
    chip = sanafe.SpikingChip(arch)
    chip.load(net)
    built = time.perf_counter()
    result = chip.sim(header["n_steps"], timing_model=header["timing_model"], spike_trace=True, perf_trace=True)
    simulated = time.perf_counter()
    untraced = untraced_cpu = None
    for _ in range(int(header.get("time_untraced") or 0)):   # the same run again without traces, timed
        chip.reset()
        rerun, rerun_cpu = time.perf_counter(), time.process_time()
        again = chip.sim(header["n_steps"], timing_model=header["timing_model"])
        untraced = min(untraced or float("inf"), time.perf_counter() - rerun)
        untraced_cpu = min(untraced_cpu or float("inf"), time.process_time() - rerun_cpu)
        if again["neurons_fired"] != result["neurons_fired"]:
            raise SystemExit(f"untraced rerun fired {again['neurons_fired']}, traced {result['neurons_fired']}")
    names = [p["name"] for p in header["populations"]]
    counts = {p["name"]: np.zeros(p["size"], dtype=np.int64) for p in header["populations"]}
    for step in result["spike_trace"]:
        for address in step:
            if address.group_name in counts:
                counts[address.group_name][address.neuron_offset] += 1
    out = {key: result[key] for key in ("timesteps_executed", "energy", "sim_time", "spikes", "packets_sent",
                                        "neurons_updated", "neurons_fired")}
    out["perf"] = {key: list(map(float, values)) for key, values in result["perf_trace"].items()}
    out["spike_counts"] = {name: counts[name].tolist() for name in names}
    out["build_wall_s"] = built - start
    out["sim_wall_s"] = simulated - built
    out["untraced_sim_wall_s"] = untraced
    out["untraced_sim_cpu_s"] = untraced_cpu
    with open(result_path, "w", encoding="utf-8") as file:
        json.dump(out, file)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
