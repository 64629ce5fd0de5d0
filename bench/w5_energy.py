"""W5's energy per synaptic event on ``spinnaker``, beside the published SpiNNaker measurements.

The bundled cortical microcircuit (``models/microcircuit_ir.py``, DC background) as published (weight
spreads, NEST's refractoriness and initial membranes, in-degrees scaled with the neurons and the missing
input made up by DC, van Albada et al. 2015) except for its delays: each projection keeps one delay that
``spinnaker``'s 15-step delay field holds (1.4 ms excitatory, 0.7 ms inhibitory, hwsim steps 15 and 8), since
the published spread (up to ~4.6 ms) needs sPyNNaker's delay-extension cores, not modelled yet. It is compiled
once for ``spinnaker`` and run twice on the same inputs: with the default
``realtime="scale"`` (the tick slowed by the time-scale factor the busiest core needs, :mod:`hwsim.realtime`)
and with the tick pinned (``realtime="pin"``: late ticks run back to back). Energy per synaptic event is
the run's energy over its synaptic events (``synop``). The published checks, never inputs to the profile:
van Albada et al. 2018 (about 5.9 uJ per synaptic event at about 20x slow-down) and Rhodes et al. 2019
(about 0.6 uJ in real time).

Usage (repository root, hwsim's environment)::

    python bench/w5_energy.py [--scale 0.05] [--steps 1000]
"""
from __future__ import annotations

import argparse
import sys
import time

import hwsim
from hwsim.models import microcircuit
from hwsim.models.microcircuit_ir import build

CHECKS_UJ = {"van Albada et al. 2018 (~20x slow-down)": 5.9, "Rhodes et al. 2019 (real time)": 0.6}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=0.05, help="fraction of the neurons (default 0.05)")
    parser.add_argument("--steps", type=int, default=1000, help="0.1 ms steps to run (default 1000: 0.1 s)")
    args = parser.parse_args(argv)
    params = microcircuit.PD.replace(delay_exc_ms=1.4, delay_inh_ms=0.7, delay_rel_sd=0.0, k_scale=args.scale,
                                     multapses=False)
    graph = build(scale=args.scale, seed=0, background="dc", params=params)
    compiled = hwsim.compile_network(graph, "spinnaker")
    print(f"W5 at scale {args.scale} ({sum(p.size for p in graph.populations()):,} neurons), {args.steps} steps "
          f"of {graph.dt_s * 1e3:g} ms, DC background, in-degrees x {args.scale}, one delay per projection, on "
          f"spinnaker\n")
    print("| realtime | cores | time-scale factor | largest core load | steps overrun | wall-clock / model time | "
          "synaptic events | energy (J) | static share | energy per synaptic event (uJ) | "
          + " | ".join(f"x {name}" for name in CHECKS_UJ) + " |")
    print("|---" * (10 + len(CHECKS_UJ)) + "|")
    for mode in ("scale", "pin"):
        start = time.perf_counter()
        report = hwsim.run(compiled, None, None, n_steps=args.steps, realtime=mode).report
        r, events = report.realtime, report.ops_per_inference["synop"]
        per_event_uj = report.energy_per_inference_uj / events
        print(f"| {mode} | {report.cores_used} | {r['time_scale_factor']} | {r['core_load_max']:.3g} | "
              f"{r['steps_overrun']} | {r['slowdown_vs_model_time']:.4g} | {events:,.0f} | "
              f"{report.energy_per_inference_uj / 1e6:.4g} | "
              f"{report.static_energy_per_inference_uj / report.energy_per_inference_uj:.1%} | {per_event_uj:.4g} | "
              + " | ".join(f"{per_event_uj / v:.3g}" for v in CHECKS_UJ.values())
              + f" |   <!-- {time.perf_counter() - start:.0f} s -->")
    dynamic_uj = report.dynamic_energy_per_inference_uj
    print(f"\ndynamic energy {dynamic_uj / 1e6:.4g} J ({dynamic_uj / events:.4g} uJ per synaptic event); "
          f"static power {report.static_energy_per_inference_uj / report.latency_per_inference_us:.4g} W")
    return 0


if __name__ == "__main__":
    sys.exit(main())
