"""Analytic vs synthesised (yosys + ABC) cost of every printed design hwsim ships: trained models, baselines, published.

Run from a checkout (its own hwsim is imported), e.g. before and after a change to the analytic model::

    python bench/printed_logicopt.py            # prints a Markdown table; synthesis is cached (~/.cache/hwsim/synth)

Columns: analytic and synth area (cm2), power (mW), critical path (ms), and analytic / synth - 1 for each.
"""
from __future__ import annotations

from hwsim.chips import load_chip
from hwsim.printed.baselines import BASELINES, baseline_mlp
from hwsim.printed.cost import printed_cost
from hwsim.printed.published import designs


def _designs(chip):
    from hwsim.models.train_printed import TASK_NAMES, load_task, load_task_model
    from hwsim.quantize import quantize_mlp

    for task in TASK_NAMES:
        x_train = load_task(task)[0]
        yield f"trained {task}", quantize_mlp(load_task_model(task), chip, x_train), chip.arithmetic.input_bits
    for b in BASELINES.values():
        yield f"baseline {b.dataset}", baseline_mlp(b), b.input_bits
    for d in designs().values():
        yield d.name, d.mlp, d.input_bits


def main() -> None:
    chip = load_chip("printed_egfet")
    print("| design | analytic area (cm2) | synth area (cm2) | area diff | analytic power (mW) | synth power (mW) "
          "| power diff | analytic path (ms) | synth path (ms) | path diff |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for name, qmlp, bits in _designs(chip):
        block = printed_cost(qmlp, chip, input_bits=bits, cost="synth").synth
        a, s, d = block["analytic"], block["synth"], block["difference_pct"]
        cells = []
        for key, fmt in (("area_cm2", "{:.2f}"), ("power_mw", "{:.2f}"), ("critical_path_ms", "{:.0f}")):
            diff = "-" if d[key] is None else f"{d[key]:+.0f} %"
            cells += [fmt.format(a[key]), fmt.format(s[key]), diff]
        print(f"| {name} | " + " | ".join(cells) + " |", flush=True)


if __name__ == "__main__":
    main()
