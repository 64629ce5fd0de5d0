"""One searched printed design (``hwsim printed search``) as a :class:`~hwsim.report.Report`, so the default
job can show the best design within the battery beside the exact circuit.

The bundled choice (:data:`DIGITS_DESIGN`) is the digits search's best design within the 30 mW battery with the
issue-20 approximations (``docs/printed.md``: 94.7 % on the held-out digits against the exact circuit's 95.6 %,
9.58 cm2, 28.50 mW: input-bit masks, AxSum and an approximate argmax); it is rebuilt here from its genes
and seed exactly as ``hwsim printed export`` rebuilds it (about 0.7 s), then costed at the gate level.
"""
from __future__ import annotations

from hwsim.chips import ChipProfile
from hwsim.printed.cost import adc_line
from hwsim.report import Report

#: The digits search's best design within the battery at <= 1 point of accuracy loss: task, genes (one level per
#: knob) and search seed (``hwsim printed search --dataset digits --population 32 --generations 20 --seed 0``).
DIGITS_DESIGN = {"task": "digits", "genes": (1, 0, 5, 2, 3, 5, 1, 0, 0, 0, 2, 0, 5, 4), "seed": 0}


def design_report(chip: ChipProfile, task: str, genes: tuple, seed: int = 0) -> Report:
    """Rebuild the design ``genes`` of ``task``'s search on ``chip`` and report its held-out accuracy and cost."""
    from hwsim.models.train_printed import load_task, load_task_model
    from hwsim.printed.search import design_knobs, rebuild_design

    data = load_task(task)
    design = rebuild_design(load_task_model(task), chip, genes, data, seed)
    cost, accuracy = design.cost, design.test_accuracy
    knobs = ", ".join(f"{k}={v}" for k, v in design_knobs(tuple(genes)).items())
    energy = cost.energy_per_inference_uj
    return Report(
        model=f"{task}_mlp, searched design {','.join(map(str, genes))}", chip=chip.name, chip_kind=chip.kind,
        n_samples=len(data[3]), n_steps=1, accuracy=accuracy, ops_per_inference={},
        energy_per_inference_uj=energy, dynamic_energy_per_inference_uj=0.0, static_energy_per_inference_uj=energy,
        energy_by_action_uj={"static": energy},
        energy_by_layer_uj={part: p * cost.period_ms for part, p in cost.power_by_part_mw.items()},
        energy_by_core_uj={"circuit": energy}, latency_per_inference_us=cost.period_ms * 1000.0,
        area_cm2=cost.area_cm2, power_mw=cost.power_mw, cells=dict(cost.cells),
        checks={"battery_budget": bool(cost.within_battery),
                "clock_covers_critical_path": bool(cost.critical_path_ms <= cost.period_ms)},
        notes=[f"approximate design of hwsim printed search (seed {seed}): {knobs}; leakage power x clock period",
               adc_line(cost)])
