"""Armeniakos et al.'s published approximate MLP-C designs, rebuilt in hwsim, checked bit-exact, costed.

::

    HWSIM_PUBLISHED_SRC_AX=/path/to/Ax-Printed-ML-Classifiers python bench/published_axsum.py [--vectors N] [--synth]

``HWSIM_PUBLISHED_SRC_AX`` is a checkout of ``github.com/garmeniakos/Ax-Printed-ML-Classifiers``
or its bare git directory (read with ``git show HEAD:<path>``). That repository has no licence, so
nothing of it is kept in hwsim: this script reads each design's Verilog from there, rebuilds it as
a :class:`~hwsim.qmlp.QuantizedMLP` with :mod:`hwsim.printed.mlpc_import` (AxSum per-product
truncation as ``axsum_truncate_bits``, zero weights pruned, the inputs' width), simulates the
authors' Verilog in iverilog on ``--vectors`` random input vectors against hwsim's integer model
(0 mismatching classes required), and prints hwsim's area, power and critical path beside the
figures the repository's README publishes (``PUBLISHED``: Design Compiler area and PrimeTime power,
EGT PDK, MLP-C, 1 % accuracy threshold), with hwsim / published - 1 and the part of hwsim's area in
each layer and the argmax. Designs that cannot be rebuilt are listed with the reason; where such a
design is a gate-level netlist, its cells are counted and priced with the profile's cells.

``--synth`` adds two yosys + ABC syntheses onto the same EGFET cells (:mod:`hwsim.printed.eda`): hwsim's
own Verilog of the rebuild (``printed_cost(..., cost="synth")``) and the authors' Verilog itself, so an
area error can be split into what hwsim's count misses against a synthesiser on the same function and
what separates an area-driven open-source flow from the published Design Compiler run.
"""
from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np

from hwsim.chips import load_chip
from hwsim.errors import HwsimError
from hwsim.printed.approx import predict
from hwsim.printed.cost import printed_cost
from hwsim.printed.celllib import library_cells
from hwsim.printed.eda import simulate_iverilog, synthesize_yosys
from hwsim.printed.mlpc_import import design_mlp, parse_design
from hwsim.printed.verilog import testbench_for, wrapper_for

REPO = "garmeniakos/Ax-Printed-ML-Classifiers"
TC23 = ("Co-Design of Approximate Multilayer Perceptron for Ultra-Resource Constrained Printed Circuits/"
        "retrain&AxSum/")
TCAD23 = "Cross-layer approximatios for printed ML circuits/cross_approx/"
#: The repository README's "Measured Results" (MLP-C, 1 % accuracy threshold; area cm2, power mW):
#: Retrain&AxSum = Armeniakos et al., IEEE TC 2023 (doi 10.1109/TC.2023.3251863), Cross_approx =
#: Armeniakos et al., IEEE TCAD 2023 (doi 10.1109/TCAD.2023.3258668; coefficient approximation,
#: netlist pruning and voltage over-scaling).
PUBLISHED = {
    ("Retrain&AxSum", "Cardio"): (6.1, 20.8), ("Retrain&AxSum", "RedWine"): (1.1, 3.9),
    ("Retrain&AxSum", "WhiteWine"): (6.5, 21.3), ("Retrain&AxSum", "Seeds"): (2.2, 8.4),
    ("Retrain&AxSum", "Vertebral3C"): (1.8, 7.0), ("Retrain&AxSum", "Balance"): (0.5, 2.1),
    ("Cross_approx", "Cardio"): (17.0, 48.9), ("Cross_approx", "RedWine"): (8.0, 18.8),
    ("Cross_approx", "WhiteWine"): (13.6, 43.2), ("Cross_approx", "Seeds"): (9.2, 27.9),
    ("Cross_approx", "Vertebral3C"): (5.9, 31.6), ("Cross_approx", "Balance"): (6.9, 17.8),
}
#: (technique, dataset, accuracy threshold, path in the repository). The README's figures are for 1 %;
#: the 2 % and 5 % designs are checked and costed by hwsim alone.
DESIGNS = [
    *[("Retrain&AxSum", ds, pct, f"{TC23}RAxS_{short}_MLP_C_{pct}{'_' if (short, pct) == ('CA', '5') else ''}%.v")
      for ds, short in (("Cardio", "CA"), ("RedWine", "RW"), ("WhiteWine", "WW")) for pct in ("1", "2", "5")],
    ("Cross_approx", "Cardio", "1", f"{TCAD23}CA/Cross_MLP_C_1%_76mV.v"),
    ("Cross_approx", "RedWine", "1", f"{TCAD23}RW/Cross_MLP_C_1%_60mV.v"),
    ("Cross_approx", "WhiteWine", "1", f"{TCAD23}WW/Cross_WW_mlp_c_1%_82mV.v"),
    ("Cross_approx", "Seeds", "1", f"{TCAD23}SE/Cross_SE_mlp_c_1%_80mV.v"),
    ("Cross_approx", "Vertebral3C", "1", f"{TCAD23}V3/Cross_V3_mlp_c_1%_100mV.v"),
    ("Cross_approx", "Balance", "1", f"{TCAD23}BS/Cross_BS_mlp_c_1%_72mV.v"),
]


def read_source(source: Path, path: str) -> str:
    """The text of ``path`` in a checkout, or at HEAD of a (bare) git directory."""
    if (source / path).is_file():
        return (source / path).read_text(encoding="utf-8")
    if (source / "HEAD").is_file() or (source / ".git").exists():
        git_dir = source / ".git" if (source / ".git").exists() else source
        done = subprocess.run(["git", f"--git-dir={git_dir}", "show", f"HEAD:{path}"], capture_output=True)
        if done.returncode == 0:
            return done.stdout.decode("utf-8")
    raise SystemExit(f"published_axsum: {path} not found in {source}; expected a checkout or git directory of {REPO}.")


def check(verilog: str, parsed: dict, vectors: int) -> tuple:
    """The rebuild, and its iverilog check against the authors' Verilog: (mlp, mismatches, vectors run)."""
    mlp = design_mlp(parsed)
    codes = np.random.default_rng(0).integers(0, 1 << parsed["input_bits"], (vectors, parsed["n_inputs"]))
    expected = predict(mlp, codes)
    wrapper = wrapper_for(parsed["n_inputs"], parsed["input_bits"], parsed["classes"], parsed["out_bits"])
    got = simulate_iverilog(verilog + wrapper, testbench_for(mlp, codes, expected, parsed["input_bits"]))
    return mlp, int(np.sum(got != expected)), vectors


def netlist_cells(verilog: str, chip) -> tuple[dict, float, float]:
    """Cell counts of a gate-level netlist and its area (cm2) and leakage (mW) with the profile's cells."""
    cells, _ = library_cells(chip)
    counts: dict[str, int] = {}
    for name in re.findall(r"^\s*([A-Z][A-Z0-9_]*X\d+) \w+ \(", verilog, re.MULTILINE):
        counts[name] = counts.get(name, 0) + 1
    unknown = sorted(set(counts) - set(cells))
    if unknown:
        raise SystemExit(f"published_axsum: netlist cells {unknown} are not in the profile's library {sorted(cells)}.")
    return (dict(sorted(counts.items())), sum(n * cells[c].area_um2 for c, n in counts.items()) * 1e-8,
            sum(n * cells[c].leakage_uw for c, n in counts.items()) * 1e-3)


def _error(value: float, published: float) -> str:
    return f"{100 * (value / published - 1):+.0f} %"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--vectors", type=int, default=5000, help="random input vectors per design (default 5000)")
    parser.add_argument("--synth", action="store_true", help="add yosys + ABC of hwsim's and of the authors' Verilog")
    args = parser.parse_args()
    source = os.environ.get("HWSIM_PUBLISHED_SRC_AX")
    if not source:
        raise SystemExit("published_axsum: set HWSIM_PUBLISHED_SRC_AX to a checkout (or git directory) of " + REPO)
    chip = load_chip("printed_egfet")
    rows, left_out = [], []
    for technique, dataset, pct, path in DESIGNS:
        verilog, label = read_source(Path(source), path), f"{technique} {dataset} {pct} % ({Path(path).name})"
        try:
            parsed = parse_design(verilog, Path(path).name)
            mlp, mismatches, n = check(verilog, parsed, args.vectors)
        except HwsimError as e:
            pub = PUBLISHED.get((technique, dataset))
            if "gate-level netlist" in str(e) and pub:
                counts, area, leak = netlist_cells(verilog, chip)
                e = (f"{e}\n  its {sum(counts.values())} cells {counts} with the profile's cells: {area:.2f} cm2 "
                     f"({_error(area, pub[0])} of the published {pub[0]} cm2), {leak:.2f} mW leakage at the nominal "
                     f"voltage (published {pub[1]} mW)")
            left_out.append(f"{label}: {e}")
            continue
        if mismatches:
            left_out.append(f"{label}: {mismatches} of {n} classes differ")
            continue
        cost = printed_cost(mlp, chip, input_bits=parsed["input_bits"])
        synth = (printed_cost(mlp, chip, input_bits=parsed["input_bits"], cost="synth").area_cm2,
                 synthesize_yosys(verilog, chip, top="top")["area_cm2"]) if args.synth else None
        rows.append((technique, dataset, pct, mlp, n, cost, synth))
    extra = " hwsim's Verilog, yosys (cm2) | authors' Verilog, yosys (cm2) |" if args.synth else ""
    print(f"| technique | dataset | threshold | topology | iverilog vs hwsim | published area (cm2) | hwsim area (cm2) "
          f"| area error | published power (mW) | hwsim power (mW) | power error | hwsim path (ms) | hwsim area by "
          f"part (cm2: layers, argmax) |" + extra)
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|" + ("---|---|" if args.synth else ""))
    for technique, dataset, pct, mlp, n, cost, synth in rows:
        sizes = "-".join(map(str, [mlp.input_size, *(layer.weight.shape[0] for layer in mlp.layers)]))
        pub = PUBLISHED.get((technique, dataset)) if pct == "1" else None
        figures = ([f"{pub[0]:.1f}", f"{cost.area_cm2:.2f}", _error(cost.area_cm2, pub[0]), f"{pub[1]:.1f}",
                    f"{cost.power_mw:.2f}", _error(cost.power_mw, pub[1])] if pub else
                   ["-", f"{cost.area_cm2:.2f}", "-", "-", f"{cost.power_mw:.2f}", "-"])
        parts = ", ".join(f"{v:.2f}" for v in cost.area_by_part_cm2.values())
        print(f"| {technique} | {dataset} | {pct} % | {sizes} | 0 of {n} mismatching | " + " | ".join(figures) +
              f" | {cost.critical_path_ms:.0f} | {parts} |" + (f" {synth[0]:.2f} | {synth[1]:.2f} |" if synth else ""))
    for line in left_out:
        print(f"left out: {line}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
