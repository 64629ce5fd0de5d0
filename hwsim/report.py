"""The :class:`Report` of one network on one chip, and its JSON / Markdown forms.

Every field carries its unit in its name; ``provenance`` maps each constant used
to its published source (or marks it an estimate).
"""
from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, field

from hwsim.realtime import cores_phrase


@dataclass
class Report:
    """What a network costs on a chip, per inference (mean over the samples run).

    Attributes
    ----------
    model, chip, chip_kind : str
        Network name, profile name, ``neuromorphic`` or ``mac``.
    n_samples, n_steps : int
        Samples simulated and steps per sample.
    accuracy : float or None
        Fraction of samples classified correctly, when labels were given.
    ops_per_inference : dict
        Mean count of each action per sample.
    energy_per_inference_uj, dynamic_energy_per_inference_uj, static_energy_per_inference_uj : float
        Total, dynamic (actions x energy per action) and static (power x time) energy in uJ.
    energy_by_action_uj, energy_by_layer_uj, energy_by_core_uj : dict
        Breakdowns of the energy per inference in uJ (static included by action and by core as "static").
    energy_by_rail_uj : dict
        Chips with supply rails (Loihi 2): ``{rail: {"dynamic": uJ, "static": uJ}}`` per inference, as
        Intel's Loihi 2 profiler splits power (VDD, VDD-M, VDD-IO). Empty otherwise, and then left out
        of :meth:`to_dict`.
    latency_per_inference_us : float
        Time for one sample in microseconds.
    latency_per_step_ns : dict
        ``mean`` and ``max`` over steps (neuromorphic) in ns.
    cores_used : int
        Cores holding neurons (0 for MAC circuits).
    memory_bytes_total : int
        Sum over cores of synapse, neuron-state and routing memory.
    memory_bytes_per_core : dict
        ``{core: {kind: bytes}}``.
    core_use : dict
        ``{core: {limit: use}}``: neurons, synapse memory bits, fan-in and fan-out of each used core (the
        capacities are in ``limits``).
    limits : dict
        ``{limit: [largest use, capacity]}`` from mapping.
    area_cm2, power_mw : float or None
        MAC circuits: area and power of the bespoke design.
    cells : dict
        MAC circuits costed at the gate level: count of each library cell (empty otherwise).
    checks : dict
        Pass/fail facts: real-time budget, battery budget, clock vs critical path.
    realtime : dict
        Real-time chips (SpiNNaker, :mod:`hwsim.realtime`): ``mode`` (``scale`` or ``pin``), ``tick_ns``,
        ``time_scale_factor``, ``step_ns`` (tick x factor), ``latency_ns``, ``core_load_max``, ``held`` (real
        time held), ``overrunning_cores`` (``{core: largest work / tick}``), ``steps_overrun`` and
        ``slowdown_vs_model_time`` (wall-clock time over steps x the graph's ``dt_s``). Empty otherwise, and
        then left out of :meth:`to_dict`.
    op_based : dict
        The op-count estimate most SNN papers quote (Horowitz 2014) and the dense-ANN MAC count.
    provenance : dict
        Source of every constant used, keyed ``section.key``.
    notes : list of str
        Approximations and estimates the numbers rest on.
    noise : dict
        The static noise the chip instance was drawn with: the spec as data (``version``,
        ``sources``) and its ``seed``; empty for a noise-free run.
    data : dict
        Where the samples came from and how they were fed: ``inputs`` (spikes, rate-encoded values,
        currents; steps), and from the command line ``source`` (a file, or a bundled task's split) and a
        ``warning`` when the accuracy may be inflated (a bundled split the model may have trained on).
    claims : dict
        Spiking runs: the op-count proxy, this chip's energy and the bit-matched quantised ANN side by
        side, and the spike rate at which the SNN breaks even with that ANN (:func:`hwsim.claims.recost`).
    metrics : dict
        NeuroBench's ``ActivationSparsity`` and ``SynapticOperations`` (``Effective_ACs``,
        ``Effective_MACs``, ``Dense``), ``throughput_inferences_per_s``, ``average_power_mw`` and
        ``energy_delay_product_uj_us`` (:mod:`hwsim.metrics`; None without a time model).
    run_info : dict
        What produced the report: ``hwsim_version``, the graph's ``importer`` settings (source, dt,
        convention, reset, delays inserted, input kind) and, from the command line, ``command`` and the
        SHA-256 of each input file (``input_files``).
    """

    model: str
    chip: str
    chip_kind: str
    n_samples: int
    n_steps: int
    accuracy: float | None
    ops_per_inference: dict
    energy_per_inference_uj: float
    dynamic_energy_per_inference_uj: float
    static_energy_per_inference_uj: float
    energy_by_action_uj: dict
    energy_by_layer_uj: dict
    energy_by_core_uj: dict
    latency_per_inference_us: float
    energy_by_rail_uj: dict = field(default_factory=dict)
    latency_per_step_ns: dict = field(default_factory=dict)
    cores_used: int = 0
    memory_bytes_total: int = 0
    memory_bytes_per_core: dict = field(default_factory=dict)
    core_use: dict = field(default_factory=dict)
    limits: dict = field(default_factory=dict)
    area_cm2: float | None = None
    power_mw: float | None = None
    cells: dict = field(default_factory=dict)
    checks: dict = field(default_factory=dict)
    realtime: dict = field(default_factory=dict)
    op_based: dict = field(default_factory=dict)
    provenance: dict = field(default_factory=dict)
    notes: list = field(default_factory=list)
    noise: dict = field(default_factory=dict)
    data: dict = field(default_factory=dict)
    claims: dict = field(default_factory=dict)
    metrics: dict = field(default_factory=dict)
    run_info: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        """Plain JSON-able dict (``energy_by_rail_uj`` only when the chip declares rails, ``realtime`` only on
        real-time chips)."""
        out = asdict(self)
        for key in ("energy_by_rail_uj", "realtime"):
            if not out[key]:
                del out[key]
        return out

    def to_json(self) -> str:
        """Deterministic JSON text (sorted keys; a non-finite number is written as null, never as Infinity)."""
        return json.dumps(finite_json(self.to_dict()), indent=2, sort_keys=True, allow_nan=False)

    def _metrics_lines(self) -> list[str]:
        """Throughput, power, energy-delay product and NeuroBench's names, when the run has them."""
        if not self.metrics:
            return []
        m, sparsity = self.metrics, self.metrics["ActivationSparsity"]
        ops = m["SynapticOperations"]
        return ["", f"- throughput: {_number(m['throughput_inferences_per_s'])} inferences/s; average power "
                    f"{_number(m['average_power_mw'], ' mW')}; energy-delay product "
                    f"{_number(m['energy_delay_product_uj_us'], ' uJ x us')}",
                f"- NeuroBench: ActivationSparsity {_number(sparsity['total'])} ("
                + ", ".join(f"{k} {v:.4g}" for k, v in sparsity["per_layer"].items())
                + f"); SynapticOperations Effective_ACs {ops['Effective_ACs']:.4g}, Effective_MACs "
                  f"{ops['Effective_MACs']:.4g}, Dense {ops['Dense']:.4g} per inference"]

    def _core_lines(self) -> list[str]:
        """Per core: energy, memory, and the headroom left under each per-core limit."""
        if not self.core_use:
            return []
        limits = [k for k in next(iter(self.core_use.values())) if k in self.limits]
        lines = ["", "| core | energy (uJ) | memory (bytes) | " + " | ".join(f"{k} (headroom)" for k in limits) + " |",
                 "|---" * (3 + len(limits)) + "|"]
        for core, use in self.core_use.items():
            memory = sum(self.memory_bytes_per_core.get(core, {}).values())
            cells = []
            for key in limits:
                capacity = self.limits[key][1]
                cells.append(f"{use[key]:,} ({'-' if not capacity else f'{1 - use[key] / capacity:.0%}'})")
            lines.append(f"| {core} | {self.energy_by_core_uj.get(core, 0.0):.4g} | {memory:,} | "
                         + " | ".join(cells) + " |")
        return lines

    def to_markdown(self) -> str:
        """A human-readable summary with the energy breakdowns."""
        lines = [f"## {self.model} on {self.chip} ({self.chip_kind})", ""]
        if self.accuracy is not None:
            lines.append(f"- accuracy: {100 * self.accuracy:.2f} % over {self.n_samples} samples")
        for key in ("source", "inputs", "warning"):
            if key in self.data:
                lines.append(f"- {'data' if key == 'source' else key}: {self.data[key]}")
        lines += [f"- energy per inference: {self.energy_per_inference_uj:.4g} uJ "
                  f"(dynamic {self.dynamic_energy_per_inference_uj:.4g}, static {self.static_energy_per_inference_uj:.4g})",
                  f"- latency per inference: {self.latency_per_inference_us:.4g} us",
                  f"- cores used: {self.cores_used}; memory: {self.memory_bytes_total} bytes"]
        if self.area_cm2 is not None:
            lines.append(f"- area: {self.area_cm2:.4g} cm2; power: {self.power_mw:.4g} mW")
        if self.cells:
            lines.append(f"- cells: {sum(self.cells.values())} ({', '.join(f'{n} {c}' for c, n in self.cells.items())})")
        if self.noise:
            sources = "; ".join(", ".join(f"{k}={v}" if k != "kind" else str(v) for k, v in s.items())
                                for s in self.noise.get("sources", ()))
            lines.append(f"- static noise (seed {self.noise.get('seed')}): {sources or 'none'}")
        for name, value in self.checks.items():
            lines.append(f"- check {name}: {value}")
        lines += _realtime_lines(self.realtime)
        for title, table in (("ops per inference", self.ops_per_inference),
                             ("energy by action (uJ)", self.energy_by_action_uj),
                             ("energy by layer (uJ)", self.energy_by_layer_uj)):
            lines += ["", f"| {title} | value |", "|---|---|"]
            lines += [f"| {k} | {v:.4g} |" for k, v in table.items()]
        if self.energy_by_rail_uj:
            lines += ["", "| energy by rail (uJ) | dynamic | static | total |", "|---|---|---|---|"]
            lines += [f"| {rail} | {e['dynamic']:.4g} | {e['static']:.4g} | {e['dynamic'] + e['static']:.4g} |"
                      for rail, e in self.energy_by_rail_uj.items()]
        lines += self._metrics_lines() + self._core_lines()
        if self.op_based:
            lines += ["", "Op-based estimate (as most SNN papers quote it):"]
            lines += [f"- {k}: {v:.4g}" if isinstance(v, float) else f"- {k}: {v}" for k, v in self.op_based.items()]
        if self.claims:
            c, ann = self.claims, self.claims["bit_matched_ann"]
            even = c["break_even_spike_rate"]
            lines += ["", "Claims re-costed (docs/claims.md):",
                      f"- op-count proxy: SNN {c['op_proxy_snn_uj']:.4g} uJ, dense ANN {c['op_proxy_ann_uj']:.4g} uJ",
                      f"- this chip: {c['chip_dynamic_uj']:.4g} uJ dynamic ({c['chip_uj']:.4g} uJ total); bit-matched "
                      f"ANN ({ann['activation_bits']}-bit activations, {ann['weight_bits']}-bit weights, "
                      f"{ann['accelerator']}): {c['bit_matched_ann_uj']:.4g} uJ",
                      f"- spike rate {c['spike_rate']:.2%}; break-even (dynamic energy) "
                      + (f"{even:.2%}" if even is not None else f"none: {c['break_even_note']}")]
        if self.notes:
            lines += ["", "Notes:"] + [f"- {n}" for n in self.notes]
        return "\n".join(lines) + "\n"


def _realtime_lines(realtime: dict) -> list[str]:
    """The real-time facts of a run on a real-time chip: tick, factor, and the cores that overran."""
    if not realtime:
        return []
    r = realtime
    line = (f"- real time ({r['mode']}): tick {r['tick_ns'] / 1e6:g} ms, time-scale factor {r['time_scale_factor']}, "
            f"{'held' if r['held'] else 'NOT held'}; largest core load {r['core_load_max']:.1%}")
    cores = r["overrunning_cores"]
    if not cores:
        return [line]
    worst = sorted(cores.items(), key=lambda kv: -kv[1])[:8]
    return [line, f"- cores over their tick ({len(cores)}, at {r['steps_overrun']} steps; largest load each): "
                  + ", ".join(f"core {c} {load:.1%}" for c, load in worst) + (", ..." if len(cores) > 8 else "")]


def _realtime_cell(realtime: dict) -> list[str]:
    """The comparison table's words for a run whose tick did not hold."""
    if not realtime or realtime["held"]:
        return []
    if realtime["mode"] == "scale":
        return [f"time_scale_factor: {realtime['time_scale_factor']}"]
    return [f"NOT REAL TIME: {cores_phrase(len(realtime['overrunning_cores']))} overrun"]


def _number(value, unit: str = "") -> str:
    return "n/a" if value is None else f"{value:.4g}{unit}"


def finite_json(value):
    """``value`` with every non-finite float replaced by None (JSON has no Infinity or NaN)."""
    if isinstance(value, dict):
        return {k: finite_json(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [finite_json(v) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def reports_json(reports: list[Report]) -> str:
    """Valid, deterministic JSON text of several reports (a list, sorted keys)."""
    return json.dumps([finite_json(r.to_dict()) for r in reports], indent=2, sort_keys=True, allow_nan=False) + "\n"


def comparison_table(reports: list[Report], failures: list[tuple[str, str, str]] = ()) -> str:
    """One Markdown row per report: accuracy, energy, latency, cores or area, memory; then one row per
    ``(chip, model, reason)`` that could not run, with the reason. A chip with no time model (latency 0)
    shows "n/a"."""
    head = ("| chip | model | accuracy | energy / inference (uJ) | latency / inference | "
            "cores / area | memory (bytes) | checks |")
    rows = [head, "|---|---|---|---|---|---|---|---|"]
    for r in reports:
        acc = "-" if r.accuracy is None else f"{100 * r.accuracy:.1f} %"
        latency = ("n/a" if r.latency_per_inference_us == 0 else
                   f"{r.latency_per_inference_us / 1000:.4g} ms" if r.latency_per_inference_us >= 1000
                   else f"{r.latency_per_inference_us:.4g} us")
        size = f"{r.area_cm2:.4g} cm2" if r.area_cm2 is not None else f"{r.cores_used} cores"
        checks = ", ".join([f"{k}: {'ok' if v else 'FAIL'}" for k, v in r.checks.items() if isinstance(v, bool)]
                           + _realtime_cell(r.realtime)) or "-"
        rows.append(f"| {r.chip} | {r.model} | {acc} | {r.energy_per_inference_uj:.4g} | {latency} | "
                    f"{size} | {r.memory_bytes_total} | {checks} |")
    for chip, model, reason in failures:
        text = " ".join(str(reason).split()).replace("|", "/")
        text = text if len(text) <= 300 else text[:297] + "..."
        rows.append(f"| {chip} | {model} | cannot run | - | - | - | - | {text} |")
    return "\n".join(rows) + "\n"
