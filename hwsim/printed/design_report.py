"""One searched printed design (``hwsim printed search``) as a :class:`~hwsim.report.Report`, so the default
job can show the best design within the battery beside the exact circuit.

The bundled choice (:data:`DIGITS_DESIGN`) is the digits search's best design within the 30 mW battery
(``docs/printed.md``: 94.4 % on the held-out digits, 8.97 cm2, 26.59 mW); it is rebuilt here from its genes
and seed exactly as ``hwsim printed export`` rebuilds it (about 0.7 s), then costed at the gate level.
"""
from __future__ import annotations

import numpy as np

from hwsim.chips import ChipProfile
from hwsim.report import Report

#: The digits search's best design within the battery: task, genes (one level per knob) and search seed.
DIGITS_DESIGN = {"task": "digits", "genes": (2, 0, 5, 2, 0, 0, 0, 4, 0, 0, 2), "seed": 0}


def design_report(chip: ChipProfile, task: str, genes: tuple, seed: int = 0) -> Report:
    """Rebuild the design ``genes`` of ``task``'s search on ``chip`` and report its held-out accuracy and cost."""
    from hwsim.models.train_printed import load_task, load_task_model
    from hwsim.printed.approx import predict
    from hwsim.printed.cost import printed_cost
    from hwsim.printed.search import build_design, design_knobs, input_codes

    x_train, y_train, x_test, y_test = load_task(task)
    qmlp, narrow, widths = build_design(load_task_model(task), chip, tuple(genes), x_train, y_train, seed=seed)
    accuracy = float(np.mean(predict(qmlp, input_codes(x_test, narrow, widths)) == y_test))
    cost = printed_cost(qmlp, narrow, input_widths=widths)
    knobs = ", ".join(f"{k}={v}" for k, v in design_knobs(tuple(genes)).items())
    energy = cost.energy_per_inference_uj
    return Report(
        model=f"{task}_mlp, searched design {','.join(map(str, genes))}", chip=chip.name, chip_kind=chip.kind,
        n_samples=len(y_test), n_steps=1, accuracy=accuracy, ops_per_inference={},
        energy_per_inference_uj=energy, dynamic_energy_per_inference_uj=0.0, static_energy_per_inference_uj=energy,
        energy_by_action_uj={"static": energy},
        energy_by_layer_uj={part: p * cost.period_ms for part, p in cost.power_by_part_mw.items()},
        energy_by_core_uj={"circuit": energy}, latency_per_inference_us=cost.period_ms * 1000.0,
        area_cm2=cost.area_cm2, power_mw=cost.power_mw, cells=dict(cost.cells),
        checks={"battery_budget": bool(cost.within_battery),
                "clock_covers_critical_path": bool(cost.critical_path_ms <= cost.period_ms)},
        notes=[f"approximate design of hwsim printed search (seed {seed}): {knobs}; leakage power x clock period"])
