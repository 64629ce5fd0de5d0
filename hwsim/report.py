"""The :class:`Report` of one network on one chip, and its JSON / Markdown forms.

Every field carries its unit in its name; ``provenance`` maps each constant used
to its published source (or marks it an estimate).
"""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field


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
    limits : dict
        ``{limit: [largest use, capacity]}`` from mapping.
    area_cm2, power_mw : float or None
        MAC circuits: area and power of the bespoke design.
    cells : dict
        MAC circuits costed at the gate level: count of each library cell (empty otherwise).
    checks : dict
        Pass/fail facts: real-time budget, battery budget, clock vs critical path.
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
    limits: dict = field(default_factory=dict)
    area_cm2: float | None = None
    power_mw: float | None = None
    cells: dict = field(default_factory=dict)
    checks: dict = field(default_factory=dict)
    op_based: dict = field(default_factory=dict)
    provenance: dict = field(default_factory=dict)
    notes: list = field(default_factory=list)
    noise: dict = field(default_factory=dict)
    data: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        """Plain JSON-able dict (``energy_by_rail_uj`` only when the chip declares rails)."""
        out = asdict(self)
        if not out["energy_by_rail_uj"]:
            del out["energy_by_rail_uj"]
        return out

    def to_json(self) -> str:
        """Deterministic JSON text (sorted keys)."""
        return json.dumps(self.to_dict(), indent=2, sort_keys=True)

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
        for title, table in (("ops per inference", self.ops_per_inference),
                             ("energy by action (uJ)", self.energy_by_action_uj),
                             ("energy by layer (uJ)", self.energy_by_layer_uj)):
            lines += ["", f"| {title} | value |", "|---|---|"]
            lines += [f"| {k} | {v:.4g} |" for k, v in table.items()]
        if self.energy_by_rail_uj:
            lines += ["", "| energy by rail (uJ) | dynamic | static | total |", "|---|---|---|---|"]
            lines += [f"| {rail} | {e['dynamic']:.4g} | {e['static']:.4g} | {e['dynamic'] + e['static']:.4g} |"
                      for rail, e in self.energy_by_rail_uj.items()]
        if self.op_based:
            lines += ["", "Op-based estimate (as most SNN papers quote it):"]
            lines += [f"- {k}: {v:.4g}" if isinstance(v, float) else f"- {k}: {v}" for k, v in self.op_based.items()]
        if self.notes:
            lines += ["", "Notes:"] + [f"- {n}" for n in self.notes]
        return "\n".join(lines) + "\n"


def comparison_table(reports: list[Report]) -> str:
    """One Markdown row per report: accuracy, energy, latency, cores or area, memory."""
    head = ("| chip | model | accuracy | energy / inference (uJ) | latency / inference | "
            "cores / area | memory (bytes) | checks |")
    rows = [head, "|---|---|---|---|---|---|---|---|"]
    for r in reports:
        acc = "-" if r.accuracy is None else f"{100 * r.accuracy:.1f} %"
        latency = (f"{r.latency_per_inference_us / 1000:.4g} ms" if r.latency_per_inference_us >= 1000
                   else f"{r.latency_per_inference_us:.4g} us")
        size = f"{r.area_cm2:.4g} cm2" if r.area_cm2 is not None else f"{r.cores_used} cores"
        checks = ", ".join(f"{k}: {'ok' if v else 'FAIL'}" for k, v in r.checks.items()
                           if isinstance(v, bool)) or "-"
        rows.append(f"| {r.chip} | {r.model} | {acc} | {r.energy_per_inference_uj:.4g} | {latency} | "
                    f"{size} | {r.memory_bytes_total} | {checks} |")
    return "\n".join(rows) + "\n"
