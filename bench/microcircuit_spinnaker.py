"""The published cortical microcircuit on ``spinnaker`` for 1 s of biological time: boards, cores, rates, the
time-scale factor and energy per synaptic event beside the published SpiNNaker measurements.

The bundled model (``models/microcircuit_ir.py``, ``mc.PD``: weight and delay spreads, NEST's refractoriness,
initial membranes and multapses) with its Poisson background drawn on the chip (``background="poisson_source"``: one
``SpikeSourcePoisson`` per neuron at ``K_ext x 8 Hz``, on sPyNNaker's source cores) and its published delays
(up to ~4.6 ms: 46 steps of 0.1 ms, through sPyNNaker's delay-extension cores). At scales below 1 the in-degrees
shrink with the neurons and DC makes up the missing input (van Albada et al. 2015). The run is timed with
``realtime="scale"`` (the tick slowed by the time-scale factor the busiest core needs, :mod:`hwsim.realtime`).
Rates are over the steps after ``--transient`` (default 0.1 s), beside the published NEST rates and their range
(``bench/scale_w5.py``); energy per synaptic event is the run's energy over its synaptic events (``synop``),
beside van Albada et al. 2018 and Rhodes et al. 2019 (``bench/w5_energy.py``), neither used to set a constant.

Usage (repository root, hwsim's environment)::

    python bench/microcircuit_spinnaker.py [--scale 1.0] [--steps 10000] [--seed 0] [--unique-pairs]
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import hwsim  # noqa: E402
from bench.scale_w5 import NEST_RATES_HZ  # noqa: E402
from bench.w5_energy import CHECKS_UJ  # noqa: E402
from hwsim.models import microcircuit as mc  # noqa: E402
from hwsim.models.microcircuit_ir import build  # noqa: E402

BOARD_CHIPS = 48


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0, help="fraction of the neurons (default 1.0)")
    parser.add_argument("--steps", type=int, default=10_000, help="0.1 ms steps (default 10000: 1 s)")
    parser.add_argument("--transient", type=int, default=1000, help="steps left out of the rates (default 1000)")
    parser.add_argument("--seed", type=int, default=0, help="connectivity, membranes and sources (default 0)")
    parser.add_argument("--unique-pairs", action="store_true",
                        help="each pair at most once (mc.UNIQUE) instead of NEST's draws with replacement")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    params = mc.PD.replace(k_scale=args.scale, multapses=not args.unique_pairs)
    graph = build(scale=args.scale, seed=args.seed, background="poisson_source", params=params)
    compiled = hwsim.compile_network(graph, "spinnaker")
    setup_s = time.perf_counter() - start
    placement, chip = compiled.placement, compiled.chip
    chips = {chip.topology.chip_of(c) for c in placement.cores_on}
    variant = "published, unique pairs" if args.unique_pairs else "published"
    print(f"Microcircuit ({variant}) at scale {args.scale}: {sum(p.size for p in graph.populations()):,} neurons, "
          f"{sum(p.n_synapses for p in graph.projections()):,} synapses, Poisson sources on the chip; "
          f"{args.steps} steps of {graph.dt_s * 1e3:g} ms on spinnaker, seed {args.seed}\n")
    print(f"- mapped: {len(placement.cores_used)} neuron cores, {len(placement.source_cores)} Poisson source cores, "
          f"{len(placement.delay_cores)} delay-extension cores on {len(chips)} chips "
          f"({-(-len(chips) // BOARD_CHIPS)} SpiNN-5 board(s) of {BOARD_CHIPS}); setup {setup_s:.1f} s")
    start = time.perf_counter()
    result = hwsim.run(compiled, None, None, n_steps=args.steps, seed=args.seed, record=("spikes",))
    run_s = time.perf_counter() - start
    report, kept = result.report, args.steps - args.transient
    rates = [float(result.recorded["spikes"][name][:, args.transient:].sum()) / (size * kept * graph.dt_s)
             for name, size in zip(mc.POPULATIONS, (graph.node(n).size for n in mc.POPULATIONS))]
    published = np.asarray(list(NEST_RATES_HZ.values()))
    low, high = published.min(axis=0), published.max(axis=0)
    print(f"- simulated in {run_s:.1f} s on this machine ({run_s / (args.steps * graph.dt_s):.1f} s per biological "
          f"second)\n")
    print("| rates (Hz) | " + " | ".join(mc.POPULATIONS) + " |")
    print("|---" * (len(mc.POPULATIONS) + 1) + "|")
    print("| hwsim spinnaker | " + " | ".join(f"{r:.2f}" for r in rates) + " |")
    print("| published range | " + " | ".join(f"{a:.2f}-{b:.2f}" for a, b in zip(low, high)) + " |")
    inside = sum(a <= r <= b for r, a, b in zip(rates, low, high))
    print(f"\n{inside} of {len(rates)} populations inside the published range.\n")
    r, events = report.realtime, report.ops_per_inference["synop"]
    per_event_uj = report.energy_per_inference_uj / events
    print(f"- time-scale factor {r['time_scale_factor']} (busiest core {r['core_load_max']:.3g} ticks of work per "
          f"{graph.dt_s * 1e3:g} ms step); wall-clock / model time {r['slowdown_vs_model_time']:.4g}")
    static_share = report.static_energy_per_inference_uj / report.energy_per_inference_uj
    delay_j = report.energy_by_action_uj.get("delay_extension", 0.0) / 1e6
    print(f"- energy {report.energy_per_inference_uj / 1e6:.4g} J ({static_share:.1%} static, delay extensions "
          f"{delay_j:.4g} J), {events:,.0f} synaptic events: {per_event_uj:.4g} uJ per synaptic event")
    for name, value in CHECKS_UJ.items():
        print(f"  - {name}: {value} uJ -> hwsim {per_event_uj / value:.3g}x ({per_event_uj / value - 1:+.0%})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
