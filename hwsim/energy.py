"""Energy, latency and memory from counters: pure arithmetic, no re-simulation.

Neuromorphic chips
    dynamic energy = sum over groups and actions of count x ``energy_pj[action]``;
    latency of a step = max over cores of sum(count x ``time_ns[action]``) for the core's
    own work + the longest route (x hops x hop_x time + y hops x hop_y time) when packets
    were sent that step + the barrier (by tiles used where the profile has ``barrier_by_tiles``);
    with ``timing.message_out_ns`` and ``message_in_ns`` (SANA-FE's timing) a core's send and
    receive sides overlap instead, and the packet costs move into them (:func:`_pipelined_core_ns`);
    a real-time chip (``timing.realtime_step_ns``)
    instead takes one tick per step, slowed by the time-scale factor the busiest core needs or pinned
    with its overruns reported (:mod:`hwsim.realtime`);
    static energy = (chip power x chips used + core power x cores used) x latency; SpiNNaker's
    delay-extension cores count as cores used, and their packets and hops are added per spike of
    each group (:func:`with_delay_packets`, :mod:`hwsim.delay_extension`). Their own work
    (``timing.delay_core_per_neuron_ns`` x the neurons of the slice each serves, at every step, as
    sPyNNaker's time-driven delay extension) is part of their core's step time and is priced at
    ``static_power_mw.core_active`` (energy key ``delay_extension``; :func:`delay_core_work_ns`).
    Step latencies use the per-step counts averaged over the batch (the mean sample's work).
    Supply rails (profiles with ``rail_static_power_mw``, e.g. Loihi 2): each action's energy is
    charged to the rail it names, and each rail's static power per chip x chips used x latency to
    that rail (``energy_by_rail_uj``, :func:`energy_by_rail`); per-core static power is in the totals only.
MAC (printed) circuits
    gate-level model (:mod:`hwsim.printed`): the bespoke circuit's cells by type -> area (sum of
    cell areas) and leakage power (sum of cell leakages); critical path = logic levels x gate
    delay; one inference per clock period ``max(clock, critical path)``; energy = power x period.
    ADCs are reported apart. The operator-level estimate (non-zero weights x cost per MAC +
    ReLUs x cost per ReLU, Mubarik et al. 2020) is reported beside it.
"""
from __future__ import annotations

import numpy as np

from hwsim.chips import ChipProfile, Constant
from hwsim.ir import Graph
from hwsim.kernels.actions import NAMES
from hwsim.mapping import Placement
from hwsim.printed.cost import adder_levels, gate_leakage_uw, printed_cost, used_inputs
from hwsim.printed.netcost import build_netlist
from hwsim.qmlp import QuantizedMLP
from hwsim.realtime import checked_mode, cores_phrase, realtime_timing
from hwsim.report import Report

# Horowitz, "Computing's Energy Problem", ISSCC 2014, 45 nm, 0.9 V: FP32 add 0.9 pJ, FP32 mult 3.7 pJ.
HOROWITZ_AC_PJ = 0.9
HOROWITZ_MAC_PJ = 4.6  # 3.7 + 0.9
HOROWITZ_SOURCE = "Horowitz, ISSCC 2014, 45 nm: 0.9 pJ per accumulate (FP32 add), 4.6 pJ per MAC (3.7 + 0.9)"

CORE_ACTIONS = ("synop", "neuron_active", "neuron_idle", "spike", "mac", "mem_read")
PJ_PER_UJ = 1e6


def projection_macs(projection) -> int:
    """MACs of one projection run once as a dense ANN layer (every weight entry, zeros included)."""
    p = projection
    return int(p.weight.size if p.is_sparse else p.weight.shape[0] * p.weight.shape[1])


def dense_ann_macs(graph: Graph) -> int:
    """MACs of one pass of the same network run as a dense ANN (every weight entry, zeros included)."""
    return sum(projection_macs(p) for p in graph.projections())


def _op_based(graph: Graph, ops: dict) -> dict:
    macs = dense_ann_macs(graph)
    snn_pj = HOROWITZ_AC_PJ * ops["synop"] + HOROWITZ_MAC_PJ * ops["mac"]
    return {"accumulates_per_inference": ops["synop"], "macs_per_inference": ops["mac"],
            "energy_per_inference_uj": snn_pj / PJ_PER_UJ,
            "dense_ann_macs": macs, "dense_ann_energy_uj": HOROWITZ_MAC_PJ * macs / PJ_PER_UJ,
            "source": HOROWITZ_SOURCE}


def _provenance(section: str, table: dict) -> dict:
    return {f"{section}.{k}": (f"estimate: {c.source}" if c.estimate else c.source) for k, c in table.items()}


def _estimates_used(chip: ChipProfile, sections: dict) -> list[str]:
    names = [f"{section}.{k}" for section, table in sections.items() for k, c in table.items() if c.estimate]
    return [f"{chip.name}: estimated constants used: {', '.join(names)}"] if names else []


def _by_key(values_pj: np.ndarray, keys: list) -> dict:
    """Sum a per-group vector of pJ into uJ per key (insertion order of first appearance)."""
    out: dict = {}
    for key, value in zip(keys, values_pj):
        out[key] = out.get(key, 0.0) + float(value) / PJ_PER_UJ
    return out


def _price(table: dict[str, Constant]) -> np.ndarray:
    return np.array([table[name].value if name in table else 0.0 for name in NAMES])


def energy_by_rail(chip: ChipProfile, by_action_uj: dict, n_chips: int, latency_ns: float) -> dict:
    """Energy per inference on each supply rail: ``{rail: {"dynamic": uJ, "static": uJ}}``.

    Parameters
    ----------
    chip : ChipProfile
        A profile with ``rail_static_power_mw`` (else the result is empty).
    by_action_uj : dict
        Dynamic energy per inference of each action in uJ.
    n_chips : int
        Chips used (each draws every rail's static power).
    latency_ns : float
        Time per inference.
    """
    rails = {name: {"dynamic": 0.0, "static": c.value * n_chips * latency_ns / PJ_PER_UJ}
             for name, c in chip.rail_static_power_mw.items()}
    for action, constant in chip.energy_pj.items():
        if constant.rail in rails:
            rails[constant.rail]["dynamic"] += by_action_uj[action]
    return rails


def with_delay_packets(placement: Placement, counts: np.ndarray) -> np.ndarray:
    """``counts`` (``(..., n_groups, N_ACTIONS)``) with the packets and hops of the delay-extension path added
    per spike (``placement.delay_packets_per_spike``, float); ``counts`` itself without delay cores."""
    per_spike = placement.delay_packets_per_spike
    if per_spike is None:
        return counts
    out = counts.astype(np.float64)
    spikes = counts[..., NAMES.index("spike")]
    for k, action in enumerate(("packet", "hop_x", "hop_y")):
        out[..., NAMES.index(action)] += spikes * per_spike[:, k]
    return out


def delay_core_work_ns(chip: ChipProfile, placement: Placement) -> np.ndarray:
    """float64 ``(n_delay_cores,)``: each delay-extension core's work per step in ns (``placement.delay_cores``
    order), ``timing.delay_core_per_neuron_ns`` x the neurons of the slice it serves; zeros when the profile
    does not price that work."""
    per_neuron = chip.timing.get("delay_core_per_neuron_ns")
    neurons = np.asarray(placement.delay_core_neurons, dtype=np.float64)
    return neurons * (per_neuron.value if per_neuron is not None else 0.0)


def _step_latency_ns(chip: ChipProfile, placement: Placement, step_counts: np.ndarray,
                     n_samples: int, graph: Graph) -> tuple[np.ndarray, np.ndarray]:
    """Latency of every step in ns for the batch-mean workload, and each core's work per step in ns."""
    mean = step_counts / max(n_samples, 1)
    cores = np.array([g.core for g in placement.groups])
    on_core = cores >= 0
    n_cores = max([int(cores.max()) + 1 if on_core.any() else 1] + [c + 1 for c in placement.delay_cores])
    pipelined = _is_pipelined(chip)

    def by_core(group_ns: np.ndarray) -> np.ndarray:              # (T, n_groups) -> (T, n_cores)
        out = np.zeros((mean.shape[0], n_cores))
        np.add.at(out.T, cores[on_core], group_ns[:, on_core].T)
        return out

    skip = ("synop",) if pipelined else ()
    core_time = np.array([chip.time_ns[a].value if a in CORE_ACTIONS and a in chip.time_ns and a not in skip
                          else 0.0 for a in NAMES])
    per_core = by_core(mean @ core_time)
    hx, hy = placement.longest_route_hops
    route_ns = hx * chip.time_ns["hop_x"].value + hy * chip.time_ns["hop_y"].value
    if pipelined:
        per_core = _pipelined_core_ns(chip, placement, graph, mean, per_core, by_core)
    else:
        route_ns += chip.time_ns["packet"].value
    per_core[:, list(placement.delay_cores)] += delay_core_work_ns(chip, placement)
    packets = mean[:, :, NAMES.index("packet")].sum(axis=1) > 0
    tiles_used = len({int(c) // chip.topology.cores_per_tile for c in placement.cores_on})
    return per_core.max(axis=1) + np.where(packets, route_ns, 0.0) + chip.barrier_ns(tiles_used), per_core


# Pipelined cores (SANA-FE's timing of a step). With ``timing.message_out_ns`` and
# ``timing.message_in_ns`` a core sends and receives in two pipelines that overlap: its send side
# updates neurons, emits spikes and pays message_out_ns per packet sent; its receive side pays
# message_in_ns per packet received and the synapse time per synaptic event; the core takes the
# longer of the two.

def _is_pipelined(chip: ChipProfile) -> bool:
    return "message_out_ns" in chip.timing and "message_in_ns" in chip.timing


def _route_shares(graph: Graph, placement: Placement, n_cores: int) -> np.ndarray:
    """``(n_groups, n_cores)``: the fraction of each group's packets that goes to each core.

    A packet is one spike to one destination core; a group's packets are spread over its (neuron,
    destination core) routes, exactly when all its neurons reach the same cores (dense layers). It depends
    on the graph and placement only, so it is kept in the placement's ``__dict__`` (per graph and core
    count): the break-even bisection of :mod:`hwsim.claims` re-estimates one run some 40 times.
    """
    cache = placement.__dict__.setdefault("_route_shares_cache", {})
    key = (id(graph), n_cores)
    if key not in cache:
        cache[key] = _computed_route_shares(graph, placement, n_cores)
    return cache[key]


def _computed_route_shares(graph: Graph, placement: Placement, n_cores: int) -> np.ndarray:
    n_groups = len(placement.groups)
    source_group = np.concatenate([placement.input_group, placement.neuron_group]).astype(np.int64)
    offsets, neuron_offsets = graph.source_offsets(), graph.neuron_offsets()
    routes = np.zeros((n_groups, n_cores))
    for proj in graph.projections():
        pre, post, _, _ = proj.synapses()
        keys = np.unique((pre + offsets[proj.pre]) * n_cores + placement.neuron_core[post + neuron_offsets[proj.post]])
        np.add.at(routes, (source_group[keys // n_cores], keys % n_cores), 1.0)
    total = routes.sum(axis=1, keepdims=True)
    return np.divide(routes, total, out=np.zeros_like(routes), where=total > 0)


def _pipelined_core_ns(chip: ChipProfile, placement: Placement, graph: Graph, mean: np.ndarray,
                       send_ns: np.ndarray, by_core) -> np.ndarray:
    """Each core's step time, ``max(send side, receive side)`` (see the block comment)."""
    packets = mean[:, :, NAMES.index("packet")]                    # (T, n_groups), counted on the sender
    send_ns = send_ns + by_core(packets * chip.timing["message_out_ns"].value)
    received = packets @ _route_shares(graph, placement, send_ns.shape[1])
    receive_ns = (by_core(mean[:, :, NAMES.index("synop")] * chip.time_ns["synop"].value)
                  + received * chip.timing["message_in_ns"].value)
    return np.maximum(send_ns, receive_ns)


def estimate_spiking(graph: Graph, chip: ChipProfile, placement: Placement, counts: np.ndarray,
                     step_counts: np.ndarray, accuracy: float | None = None, *, realtime: str = "scale") -> Report:
    """Report for a spiking run.

    Parameters
    ----------
    graph : Graph
        The network simulated.
    chip : ChipProfile
        A neuromorphic profile.
    placement : Placement
        Its mapping (groups, cores, memory).
    counts : ndarray
        int64 ``(n_samples, n_groups, N_ACTIONS)`` totals per sample.
    step_counts : ndarray
        int64 ``(n_steps, n_groups, N_ACTIONS)`` summed over samples.
    accuracy : float, optional
        Fraction correct, when labels were given.
    realtime : str
        Real-time chips only: ``"scale"`` (slow the tick by the time-scale factor the busiest core needs)
        or ``"pin"`` (keep the tick; report the cores that overrun it), :mod:`hwsim.realtime`.
    """
    realtime = checked_mode(realtime)
    counts, step_counts = with_delay_packets(placement, counts), with_delay_packets(placement, step_counts)
    n_samples, n_steps = counts.shape[0], step_counts.shape[0]
    mean = counts.mean(axis=0)                                    # (n_groups, A)
    ops = {name: float(v) for name, v in zip(NAMES, mean.sum(axis=0))}
    group_pj = mean @ _price(chip.energy_pj)
    by_action_pj = mean.sum(axis=0) * _price(chip.energy_pj)
    step_ns, per_core = _step_latency_ns(chip, placement, step_counts, n_samples, graph)
    checks, notes = {}, ["latency per step uses the batch-mean work of each core"]
    realtime_chip = chip.timing.get("realtime_step_ns") is not None
    timing = realtime_timing(per_core, graph.dt_s * 1e9, realtime) if realtime_chip else None
    if timing is not None:
        checks["realtime_core_load_max"] = timing.core_load_max
        checks["realtime_budget"] = timing.held
        latency_ns = timing.latency_ns
        notes.append(_realtime_note(timing))
    else:
        latency_ns = float(step_ns.sum())
    topo = chip.topology
    n_chips = len({topo.chip_of(c) for c in placement.cores_on})
    static_mw = (chip.static_power_mw["chip"].value * n_chips
                 + chip.static_power_mw["core"].value * len(placement.cores_on))
    static_pj = static_mw * latency_ns                          # mW x ns = pJ
    delay_core_pj = _delay_core_energy_pj(chip, placement, n_steps)
    dynamic_pj = float(group_pj.sum() + delay_core_pj.sum())
    by_action = {name: float(v) / PJ_PER_UJ for name, v in zip(NAMES, by_action_pj)}
    by_rail = energy_by_rail(chip, by_action, n_chips, latency_ns)
    layer_keys = [g.population for g in placement.groups]
    core_keys = ["host" if g.core < 0 else str(g.core) for g in placement.groups]
    by_layer, by_core = _by_key(group_pj, layer_keys), _by_key(group_pj, core_keys)
    if delay_core_pj.size:
        by_action["delay_extension"] = by_layer["delay_extension"] = float(delay_core_pj.sum()) / PJ_PER_UJ
        by_core.update(_by_key(delay_core_pj, [str(c) for c in placement.delay_cores]))
    by_action["static"] = static_pj / PJ_PER_UJ
    by_core["static"] = static_pj / PJ_PER_UJ
    memory_total = int(sum(sum(kinds.values()) for kinds in placement.memory_bytes.values()))
    sections = {"energy": chip.energy_pj, "time": chip.time_ns, "static_power": chip.static_power_mw,
                "timing": chip.timing, "barrier_by_tiles": chip.barrier_by_tiles_ns,
                **({"rail_static_power": chip.rail_static_power_mw} if by_rail else {})}
    provenance = {}
    for section, table in sections.items():
        provenance.update(_provenance(section, table))
    return Report(
        model=graph.name, chip=chip.name, chip_kind=chip.kind, n_samples=n_samples, n_steps=n_steps,
        accuracy=accuracy, ops_per_inference=ops,
        energy_per_inference_uj=(dynamic_pj + static_pj) / PJ_PER_UJ,
        dynamic_energy_per_inference_uj=dynamic_pj / PJ_PER_UJ,
        static_energy_per_inference_uj=static_pj / PJ_PER_UJ,
        energy_by_action_uj=by_action, energy_by_layer_uj=by_layer,
        energy_by_core_uj=by_core, energy_by_rail_uj=by_rail, latency_per_inference_us=latency_ns / 1000.0,
        latency_per_step_ns={"mean": float(step_ns.mean()) if step_ns.size else 0.0,
                             "max": float(step_ns.max()) if step_ns.size else 0.0},
        cores_used=len(placement.cores_on), memory_bytes_total=memory_total,
        memory_bytes_per_core={str(c): kinds for c, kinds in placement.memory_bytes.items()},
        core_use={str(c): use for c, use in placement.core_use.items()},
        limits={k: list(v) for k, v in placement.limits.items()}, checks=checks,
        op_based=_op_based(graph, ops), provenance=provenance,
        realtime=_realtime_field(timing, n_steps, graph.dt_s), notes=notes + _estimates_used(chip, sections))


def _delay_core_energy_pj(chip: ChipProfile, placement: Placement, n_steps: int) -> np.ndarray:
    """float64 ``(n_delay_cores,)``: each delay core's work over a run of ``n_steps`` priced at the working
    core's power ``static_power_mw.core_active`` (mW x ns = pJ); empty without delay cores or that price."""
    active = chip.static_power_mw.get("core_active")
    if active is None or not placement.delay_cores:
        return np.zeros(0)
    return delay_core_work_ns(chip, placement) * n_steps * active.value


def _realtime_field(timing, n_steps: int, dt_s: float) -> dict:
    """The report's ``realtime`` field: the timing, and the wall-clock time per unit of the model's own time
    (``n_steps x dt_s``; the tick is one step, so this is the time-scale factor, or more when pinned)."""
    if timing is None:
        return {}
    model_ns = n_steps * dt_s * 1e9
    return {**timing.to_dict(), "slowdown_vs_model_time": timing.latency_ns / model_ns if model_ns else None}


def _realtime_note(timing) -> str:
    """One line saying whether real time held, and what the latency and static energy assume."""
    tick_ms = timing.tick_ns / 1e6
    if timing.held:
        return (f"real time held: every core's work fits its {tick_ms:g} ms tick (largest load "
                f"{timing.core_load_max:.1%})")
    cores = cores_phrase(len(timing.overrunning_cores))
    if timing.mode == "scale":
        return (f"not real time at a {tick_ms:g} ms tick: the busiest core needs {timing.core_load_max:.1%} of it "
                f"({cores} overrun at {timing.steps_overrun} steps); time-scale factor "
                f"{timing.time_scale_factor} (sPyNNaker's time_scale_factor, one per run, fitted to the busiest "
                f"step): latency and static energy at a {timing.step_ns / 1e6:g} ms tick")
    return (f"NOT REAL TIME (tick pinned at {tick_ms:g} ms): {cores} overrun at {timing.steps_overrun} steps "
            f"(largest load {timing.core_load_max:.1%}); late ticks run back to back, so the run takes "
            f"{timing.latency_ns / 1e6:.6g} ms; on the chip their spikes arrive late or are dropped, which the "
            f"simulation does not model. Hint: realtime='scale' gives the time-scale factor that fits")


def _operator_level(graph: Graph, chip: ChipProfile, placement: Placement, mean: np.ndarray
                    ) -> tuple[dict, dict]:
    """Mubarik-style operator costs per layer: non-zero weights x MAC cost + ReLUs x ReLU cost."""
    cost = chip.mac_costs
    mac_col = NAMES.index("mac")
    macs = {g.population: float(mean[k, mac_col]) for k, g in enumerate(placement.groups) if g.core >= 0}
    area = {name: n * cost["mac_area_cm2"].value for name, n in macs.items()}
    power = {name: n * cost["mac_power_mw"].value for name, n in macs.items()}
    for p in graph.populations():
        if p.model == "relu":
            area[p.name] += p.size * cost["relu_area_cm2"].value
            power[p.name] += p.size * cost["relu_power_mw"].value
    return area, power


def estimate_mac(graph: Graph, chip: ChipProfile, placement: Placement, counts: np.ndarray,
                 accuracy: float | None = None, *, qmlp: QuantizedMLP) -> Report:
    """Report for a bespoke MAC (printed) circuit, costed at the gate level.

    Area and leakage power come from the cell counts of :mod:`hwsim.printed.netcost` priced
    with the profile's ``cells`` (:mod:`hwsim.printed.cost`); a profile without ``cells``
    falls back to the operator-level costs of ``mac_costs`` (Mubarik et al. 2020), which are
    also reported beside the gate-level numbers in ``op_based["operator_level"]``. The clock
    period is ``max(timing.clock_ms, critical path)``; energy = power x period.

    Parameters
    ----------
    graph : Graph
        The MLP run.
    chip : ChipProfile
        A ``mac`` profile with ``mac_costs`` and ``timing``.
    placement : Placement
        One group per input and layer.
    counts : ndarray
        int64 ``(n_samples, n_groups, N_ACTIONS)``.
    accuracy : float, optional
        Fraction correct.
    qmlp : QuantizedMLP
        The integer circuit that ran (its weights are the hard-wired constants).
    """
    cost = chip.mac_costs
    n_samples = counts.shape[0]
    mean = counts.mean(axis=0)
    ops = {name: float(v) for name, v in zip(NAMES, mean.sum(axis=0))}
    op_area, op_power = _operator_level(graph, chip, placement, mean)
    net = build_netlist(qmlp, chip.arithmetic.input_bits, levels=adder_levels(chip) if chip.cells else None,
                        gate_cost=gate_leakage_uw(chip) if chip.cells else None)
    notes = []
    if chip.cells:
        gate = printed_cost(qmlp, chip, netlist=net)
        area_by_part, power_by_part, cells = gate.area_by_part_cm2, gate.power_by_part_mw, gate.cells
        notes.append("gate-level model (hwsim.printed, docs/printed.md): area and leakage of the circuit's cells "
                     "(the report's cells); dynamic power not modelled")
    else:
        area_by_part, power_by_part, cells = op_area, op_power, {}
        notes.append("operator-level model (the profile has no cells): non-zero weights x MAC cost + ReLUs x "
                     "ReLU cost")
    area, power = float(sum(area_by_part.values())), float(sum(power_by_part.values()))
    clock_ms = chip.timing["clock_ms"].value
    critical_ms = net.critical_levels * chip.timing["gate_delay_ms"].value
    period_ms = max(clock_ms, critical_ms)
    energy_uj = power * period_ms                                # mW x ms = uJ
    battery = cost["battery_power_mw"].value
    checks = {"battery_budget": power <= battery, "battery_power_mw": battery,
              "clock_covers_critical_path": critical_ms <= clock_ms,
              "critical_path_ms": round(critical_ms, 6)}
    sections = {"mac_costs": cost, "timing": chip.timing, **{f"cells.{name}": t for name, t in chip.cells.items()}}
    provenance = {}
    for section, table in sections.items():
        provenance.update(_provenance(section, table))
    n_inputs = used_inputs(qmlp)
    adc_area, adc_power = n_inputs * cost["adc_area_cm2"].value, n_inputs * cost["adc_power_mw"].value
    notes += [f"input ADCs not included in totals: {n_inputs} used inputs x ADC would add {adc_area:.4g} cm2 and "
              f"{adc_power:.4g} mW",
              f"critical path {net.critical_levels:g} logic levels x {chip.timing['gate_delay_ms'].value:g} ms per "
              f"level; clock period {period_ms:.4g} ms",
              f"battery: {power:.4g} mW {'runs on' if power <= battery else 'exceeds'} the {battery:g} mW budget "
              f"({cost['battery_power_mw'].source})"]
    op_based = _op_based(graph, ops)
    op_based["operator_level"] = {"area_cm2": float(sum(op_area.values())), "power_mw": float(sum(op_power.values())),
                                  "source": "Mubarik et al., MICRO 2020 operator costs (profile mac_costs)"}
    return Report(
        model=graph.name, chip=chip.name, chip_kind=chip.kind, n_samples=n_samples, n_steps=1,
        accuracy=accuracy, ops_per_inference=ops, energy_per_inference_uj=energy_uj,
        dynamic_energy_per_inference_uj=0.0, static_energy_per_inference_uj=energy_uj,
        energy_by_action_uj={"static": energy_uj},
        energy_by_layer_uj={name: pw * period_ms for name, pw in power_by_part.items()},
        energy_by_core_uj={"circuit": energy_uj}, latency_per_inference_us=period_ms * 1000.0,
        area_cm2=area, power_mw=power, checks=checks, op_based=op_based, cells=cells,
        provenance=provenance, notes=notes + _estimates_used(chip, sections))
