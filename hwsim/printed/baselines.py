"""Published bespoke printed MLP baselines and hwsim's gate-level estimate of each.

The baselines are the exact (unapproximated) bespoke MLP classifiers of Armeniakos et al.
(DATE 2022, TCAD 2023, TC 2023), Mubarik-style: 8-bit hard-wired weights, 4-bit inputs
(5-bit for Vertebral 3C), hidden ReLU outputs kept at full width (no re-quantisation shift),
a ReLU on the output layer too, and a ``>=`` comparator-tree argmax. Area and power are the
"Measured Results" of the ``garmeniakos/Ax-Printed-ML-Classifiers`` README
(``energy_constants.md`` section 3c).

Where that repository publishes the exact circuit (its Verilog header lists the integer
weights and intercepts), hwsim costs those very weights (``weights: "published"``). For the
others (RedWine 11-2-6, Seeds 7-3-3) only the topology is published: hwsim costs seeded
random 8-bit weights of that topology (``weights: "random"``), so their error also carries
the difference between two weight sets.

That repository carries no licence file: only these integer weights and intercepts (the numbers its
Verilog headers print) and the README's figures are quoted, with their origin; none of its code is
copied, and the approximate designs (:mod:`hwsim.printed.mlpc_import`) are read from a checkout at run
time, not committed.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from hwsim.chips import ChipProfile
from hwsim.errors import SpecError, one_of
from hwsim.printed.cost import PrintedCost, printed_cost
from hwsim.qmlp import QLayer, QuantizedMLP

REPO = "garmeniakos/Ax-Printed-ML-Classifiers"
MEASURED = f"{REPO} README, 'Measured Results', MLP-C baseline (Armeniakos et al. DATE 2022 / TCAD 2023 / TC 2023)"


@dataclass(frozen=True)
class Baseline:
    """One published baseline MLP-C.

    Attributes
    ----------
    dataset : str
        Dataset name as published.
    topology : tuple of int
        Inputs, hidden neurons, classes.
    input_bits : int
        ADC width of the published design.
    area_cm2, power_mw : float
        Published area and power.
    source : str
        Where the published figures come from.
    weights : str
        ``"published"`` (the exact circuit's weights) or ``"random"`` (seeded, topology only).
    weight_source : str
        The file holding the published weights, or how the random ones are drawn.
    layers : tuple
        ``((weights, intercepts), ...)`` integer lists for ``"published"``; empty for ``"random"``.
    """

    dataset: str
    topology: tuple[int, int, int]
    input_bits: int
    area_cm2: float
    power_mw: float
    source: str
    weights: str
    weight_source: str
    layers: tuple = ()


BASELINES: dict[str, Baseline] = {b.dataset: b for b in (
    Baseline("Cardio", (21, 3, 3), 4, 33.4, 124.2, MEASURED, "published",
             f"{REPO} cardio/exact_model/Cardio_MLP_C_exact.v (header: weights, intercepts; act size [4, 13, 20])",
             (([[-5, 69, -3, 69, 34, -34, -69, -39, 33, -43, 59, 38, 7, 20, 19, 1, 15, 33, 6, -63, 7],
                [51, -51, 54, -40, 22, 16, 66, 52, -38, 61, -12, 21, -12, 20, -7, -3, 1, 7, 9, 35, -18],
                [-8, -8, 9, 29, 36, 39, 92, 30, 52, -37, 2, 7, -23, 19, 21, 37, -24, -21, -52, 70, -28]],
               [408, 164, 545]),
              ([[69, -79, -53], [-44, 38, -46], [-126, 49, 73]], [33717, -20843, -40698]))),
    Baseline("RedWine", (11, 2, 6), 4, 17.6, 73.5, MEASURED, "random",
             "topology only; seeded random normal weights quantised to 8 bits (seed 0), see random_baseline"),
    Baseline("WhiteWine", (11, 4, 7), 4, 31.2, 126.4, MEASURED, "published",
             f"{REPO} baseline_models/hdl/WW/WhiteWine_MLP_C_exact.v (header; act size [4, 12, 19])",
             (([[-34, 16, 1, -32, 15, -4, 23, 81, -27, -10, -33], [-33, -28, -4, 59, 4, 10, 27, -40, -19, 0, -12],
                [-12, -35, 7, 8, 19, 3, -1, 0, -6, -1, 15], [8, -6, 1, -4, -6, -4, 7, 0, 7, -7, 0]],
               [720, 776, 85, -129]),
              ([[28, -34, -2, -4], [48, -48, 13, 6], [36, -10, -7, -7], [10, 8, 30, 2], [-29, 33, -5, 11],
                [-34, 44, -10, 9], [-60, 6, 2, -3]], [-1009, 3886, 1888, 4517, 3219, -6654, -967]))),
    Baseline("Seeds", (7, 3, 3), 4, 9.9, 45.0, MEASURED, "random",
             "topology only; seeded random normal weights quantised to 8 bits (seed 0), see random_baseline"),
    Baseline("Vertebral3C", (6, 3, 3), 5, 8.8, 41.9, MEASURED, "published",
             f"{REPO} baseline_models/hdl/V3/V3_MLP_C_top.v (header; act size [5, 12, 19])",
             (([[19, -26, 0, 34, 37, 11], [-4, -5, -3, 0, -5, 1], [-3, 10, 5, -12, -17, 110]], [28, -69, 83]),
              ([[-20, 8, -37], [24, -2, 55], [7, 3, -17]], [18608, -19355, 1983]))),
    Baseline("Balance", (4, 3, 3), 4, 9.3, 39.6, MEASURED, "published",
             f"{REPO} baseline_models/hdl/BS/BS_MLP_C_top.v (header; act size [4, 11, 18])",
             (([[35, 35, -99, 37], [16, 18, -32, -22], [42, 44, -36, -52]], [-462, -55, 501]),
              ([[42, -22, 71], [-30, 72, -49], [6, -31, 10]], [-33844, 29282, -108]))),
)}


def random_baseline(topology: tuple[int, int, int], input_bits: int, seed: int = 0) -> QuantizedMLP:
    """A baseline-style MLP of ``topology`` with seeded random 8-bit weights.

    Each layer draws standard-normal weights and quantises them as a trained layer would be
    (``round(127 w / max|w|)``); each bias is a normal draw with the spread of the
    neuron's products, ``sigma = sum_j |w_j| x (top input) / 4``, like the published intercepts.
    """
    rng = np.random.default_rng(seed)
    n_in, n_hidden, n_out = topology
    layers, top = [], (1 << input_bits) - 1
    for k, (rows, cols) in enumerate(((n_hidden, n_in), (n_out, n_hidden))):
        g = rng.standard_normal((rows, cols))
        w = np.round(127 * g / np.max(np.abs(g))).astype(np.int64)
        b = np.round(rng.standard_normal(rows) * np.abs(w).sum(axis=1) * top / 4).astype(np.int64)
        layers.append(QLayer("hidden" if k == 0 else "output", w, b, 0, True, -1))
        top = int(np.max(np.clip(w, 0, None).sum(axis=1) * top + np.maximum(b, 0)))
    return QuantizedMLP("x", n_in, tuple(layers))


def baseline_mlp(baseline: Baseline) -> QuantizedMLP:
    """The integer MLP of a baseline: published weights, or seeded random ones of its topology."""
    if baseline.weights == "random":
        return random_baseline(baseline.topology, baseline.input_bits)
    layers = tuple(QLayer("hidden" if k == 0 else "output", np.array(w, dtype=np.int64), np.array(b, dtype=np.int64),
                          0, True, -1) for k, (w, b) in enumerate(baseline.layers))
    return QuantizedMLP("x", baseline.topology[0], layers)


def get_baseline(dataset: str) -> Baseline:
    """The baseline named ``dataset`` (SpecError listing the known ones otherwise)."""
    if dataset not in BASELINES:
        raise SpecError(f"printed baseline '{dataset}': unknown; {one_of(dataset, BASELINES)}")
    return BASELINES[dataset]


def validate(chip: ChipProfile, cost: str = "analytic") -> list[tuple[Baseline, PrintedCost]]:
    """hwsim's cost of every baseline (logic only, no ADCs, as published); ``cost="synth"``: by yosys + ABC."""
    return [(b, printed_cost(baseline_mlp(b), chip, input_bits=b.input_bits, cost=cost)) for b in BASELINES.values()]


def validation_table(rows: list[tuple[Baseline, PrintedCost]]) -> str:
    """Markdown table: published vs hwsim area and power, relative errors, critical path beside the published
    200 ms clock, the clock period by the clock rule, and the ADC front end the published logic leaves out.

    With synthesised costs (``validate(chip, "synth")``) the figures are the synthesis's and the analytic
    model's difference from them is added per row.
    """
    synth = any(c.synth for _, c in rows)
    extra = " analytic vs synth (area, power, path) |" if synth else ""
    lines = ["| dataset | topology | weights | published area (cm2) | hwsim area (cm2) | area error | "
             "published power (mW) | hwsim power (mW) | power error | hwsim critical path (ms) | "
             f"clock period (ms) | ADC front end, not counted (cm2, mW) |{extra}",
             "|---|---|---|---|---|---|---|---|---|---|---|---|" + ("---|" if synth else "")]
    for b, c in rows:
        d = c.synth["difference_pct"] if synth else {}
        diff = (" " + ", ".join("-" if d[k] is None else f"{d[k]:+.0f} %"
                                for k in ("area_cm2", "power_mw", "critical_path_ms")) + " |") if synth else ""
        lines.append(f"| {b.dataset} | {'-'.join(map(str, b.topology))} | {b.weights} | {b.area_cm2:g} | "
                     f"{c.area_cm2:.1f} | {100 * (c.area_cm2 / b.area_cm2 - 1):+.1f} % | {b.power_mw:g} | "
                     f"{c.power_mw:.1f} | {100 * (c.power_mw / b.power_mw - 1):+.1f} % | "
                     f"{c.critical_path_ms:.0f} | {c.period_ms:.0f} | "
                     f"{c.adc_front_end['area_cm2']:.2f}, {c.adc_front_end['power_mw']:.1f} |{diff}")
    return "\n".join(lines) + "\n"


def trained_models_table(chip: ChipProfile) -> str:
    """Markdown table of hwsim's bundled trained MLPs on scikit-learn datasets, exact on ``chip``.

    These datasets have no published printed baseline in the seed papers' tables, so the table
    gives hwsim's figures only: the float and integer (exact 8-bit weights) test accuracy, and
    the gate-level cost of the exact circuit (logic only).
    """
    from hwsim.models.train_printed import TASK_NAMES, load_task, load_task_model
    from hwsim.printed.approx import accuracy
    from hwsim.quantize import quantize_mlp, quantize_mlp_inputs

    lines = ["| dataset | topology | integer test acc. | area (cm2) | power (mW) | critical path (ms) | battery |",
             "|---|---|---|---|---|---|---|"]
    for task in TASK_NAMES:
        graph = load_task_model(task)
        x_train, _, x_test, y_test = load_task(task)
        q = quantize_mlp(graph, chip, x_train)
        c = printed_cost(q, chip)
        topology = "-".join(str(n) for n in (q.input_size, *(layer.weight.shape[0] for layer in q.layers)))
        acc = accuracy(q, quantize_mlp_inputs(x_test, chip), y_test)
        lines.append(f"| {task} | {topology} | {100 * acc:.1f} % | {c.area_cm2:.1f} | {c.power_mw:.1f} | "
                     f"{c.critical_path_ms:.0f} | {'ok' if c.within_battery else 'over'} |")
    return "\n".join(lines) + "\n"
