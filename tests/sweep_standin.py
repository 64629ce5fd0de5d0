"""A stand-in for hwsim.noise, for tests/test_sweep.py only: a frozen spec and a noisy runner.

The runner perturbs every weight by ``N(0, sigma * |w|)`` drawn from ``default_rng(seed)`` and runs
the plain pipeline; it is a pure function of its arguments, like the real noisy run.
"""
from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np


@dataclass(frozen=True)
class StandInSpec:
    kind: str = "weight_variation"
    sigma: float = 0.0

    def with_param(self, kind: str, param: str, value: float) -> "StandInSpec":
        if kind != self.kind or param != "sigma":
            raise ValueError(f"unknown {kind}.{param}")
        return replace(self, sigma=float(value))


def standin_runner(graph, chip, x, labels, calibration, spec, seed) -> dict:
    from hwsim.ir import Graph
    from hwsim.pipeline import run

    header, arrays = graph.to_arrays()
    rng = np.random.default_rng(seed)
    arrays = {k: (v * (1 + spec.sigma * rng.standard_normal(v.shape)) if k.endswith("/weight") else v)
              for k, v in arrays.items()}
    report = run(Graph.from_arrays(header, arrays), chip, x, labels, calibration).report
    return {"accuracy": report.accuracy, "spikes_per_inference": float(report.ops_per_inference["spike"]),
            "energy_per_inference_uj": float(report.energy_per_inference_uj)}
