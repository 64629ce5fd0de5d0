"""Write models/printed/*.json from a checkout of the printed-MLP authors' public repository.

::

    git clone https://github.com/floAfentaki/Approximation-Techniques-Targeting-Printed-MLPs SRC
    python bench/published_extract.py SRC --commit $(git -C SRC rev-parse HEAD)

Takes only data: the integer layers (read from each final design's Verilog by
:func:`hwsim.printed.hdl_import.parse_design`) and, where the repository publishes the
synthesis reports (the ESL 2024 designs), their area (Design Compiler), power (PrimeTime PX),
critical path and logic levels (DC ``report_qor``). One-off, not a test: the JSON files are
committed with the commit they were read from (models/printed/ORIGIN.md).
"""
from __future__ import annotations

import argparse
import json
import re
from pathlib import Path

from hwsim.printed.hdl_import import parse_design

_VERSION = re.compile(r"Version: (\S+)")
REPO = "floAfentaki/Approximation-Techniques-Targeting-Printed-MLPs"
PAPERS = {
    "ESL24": ("Reducing-ADC-Front-end-Costs-During-Training-of-On-sensor-Printed-Multilayer-Perceptrons",
              "Afentaki, Lozano Duarte, Zervakis, Tahoori: Reducing ADC Front-end Costs During Training of "
              "On-sensor Printed Multilayer Perceptrons, IEEE Embedded Systems Letters 2024", "10.1109/LES.2024.3447412",
              "ADC-aware training: power-of-two weights, 4-bit saturating ReLU (QKeras); the ADC levels it prunes "
              "are outside the logic"),
    "DATE24": ("Embedding-Hardware-Approximations-in-Discrete-Genetic-based-Training_DATE24",
               "Afentaki et al.: Embedding Hardware Approximations in Discrete Genetic-based Training for Printed "
               "MLPs, DATE 2024 (the repository names no DOI)", None,
               "genetic training with per-product input-bit masks and power-of-two weights"),
    "ICCAD23": ("Bespoke-Approximation-of-Multiplication-Accumulation-and-Activation_ICCAD23",
                "Afentaki, Saglam, Kokkinis, Siozios, Zervakis, Tahoori: Bespoke Approximation of "
                "Multiplication-Accumulation and Activation Targeting Printed Multilayer Perceptrons, ICCAD 2023",
                "10.1109/ICCAD57390.2023.10323613",
                "approximate multiplication (power-of-two weights), accumulation (per-product input-bit masks) "
                "and activation (truncated ReLU)"),
}


#: Designs whose Verilog parses but whose rebuild iverilog does not confirm (mismatching classes
#: on random inputs): every ICCAD 2023 design and this one; left out until the reader covers them.
EXCLUDED = {"date24_breast_cancer"}


def _number(pattern: str, text: str) -> float:
    m = re.search(pattern, text)
    if m is None:
        raise SystemExit(f"report: no match for {pattern!r}")
    return float(m.group(1))


def _reports(folder: Path) -> dict:
    """Published synthesis figures of one ESL 2024 design (its ``reports/`` folder)."""
    area = (folder / "top_200000000.00ns.area.rpt").read_text()
    power = (folder / "top_200000000.00ns.power.ptpx.rpt").read_text()
    qor = (folder / "top_200000000.00ns.qor.rpt").read_text()
    summary = (folder / "reports.txt").read_text()
    return {
        "area_cm2": round(_number(r"Total cell area:\s+([\d.]+)", area) / 1e8, 6),
        "power_mw": round(_number(r"Total Power\s+=\s+([\d.eE+-]+)", power) * 1e3, 4),
        "leakage_mw": round(_number(r"Cell Leakage Power\s+=\s+([\d.eE+-]+)", power) * 1e3, 4),
        "critical_path_ms": round(_number(r"Critical Path Length:\s+([\d.]+)", qor) / 1e6, 3),
        "logic_levels": int(_number(r"Levels of Logic:\s+([\d.]+)", qor)),
        "cells": int(_number(r"Leaf Cell Count:\s+(\d+)", qor)),
        "clock_ms": _number(r"Critical Path Clk Period:\s+([\d.]+)", qor) / 1e6,
        "accuracy_pct": _number(r"Accuracy:\s+([\d.]+)", summary),
        "tool": (f"Synopsys Design Compiler {_VERSION.search(area).group(1)}, PrimeTime PX "
                 f"{_VERSION.search(power).group(1)}, EGFET PPDK_Standard_Library_1.0V_25C_TYP_X1"),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("source", type=Path)
    parser.add_argument("--commit", required=True)
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parents[1] / "models" / "printed")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    for key, (folder, paper, doi, approximation) in PAPERS.items():
        for hdl in sorted((args.source / folder / "FinalDesigns").glob("**/hdl/*.v")):
            design_dir = hdl.parent.parent
            dataset = (design_dir.parent.name if design_dir.parent.name != "FinalDesigns" else design_dir.name)
            variant = design_dir.name if design_dir.parent.name != "FinalDesigns" else None
            name = f"{key.lower()}_{dataset.lower()}" + (f"_{variant}" if variant else "")
            if key == "ICCAD23" or name in EXCLUDED:
                continue
            parsed = parse_design(hdl.read_text(), str(hdl))
            reports = design_dir / "reports"
            record = {
                "name": name, "paper": paper, "doi": doi, "dataset": dataset, "approximation": approximation,
                "input_bits": parsed["input_bits"], "n_inputs": parsed["n_inputs"], "layers": parsed["layers"],
                "published": _reports(reports) if reports.is_dir() else None,
                "source": {"repo": REPO, "commit": args.commit, "hdl": str(hdl.relative_to(args.source)),
                           "reports": str(reports.relative_to(args.source)) if reports.is_dir() else None,
                           "license": "MIT"},
            }
            (args.out / f"{name}.json").write_text(json.dumps(record, separators=(",", ":")) + "\n")
            print(name, "published" if record["published"] else "hdl only")


if __name__ == "__main__":
    main()
