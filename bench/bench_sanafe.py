"""hwsim (``loihi_sanafe``) vs SANA-FE 2.2.9 on the same networks and the same placement.

Networks: SANA-FE's own DVS-gesture network (its wheel's ``dvs_challenge.npz``, read by
:mod:`hwsim.interop.sanafe_dvs`; SANA-FE's tutorial expects 365,277 neurons fired over 1000 steps)
and the dense, sparse, recurrent and leaky networks of :mod:`hwsim.interop.sanafe_cases`. Each runs
in SANA-FE (``.venv-sanafe``, a peer process, detailed timing model) and in hwsim, through
:func:`hwsim.interop.sanafe_compare.compare`: neurons fired, energy per SANA-FE unit, total
(dynamic) energy, mean latency per step and synaptic events per second of the simulation alone
(the fastest of ``--repeats`` runs: hwsim after a warm-up call, SANA-FE without its traces; setup
times apart).

Usage (from the repository root, after ``python -m hwsim.interop.sanafe_env``)::

    python bench/bench_sanafe.py [--steps 1000] [--scale 1.0] [--repeats 3] [--networks dvs dense ...] [--no-write]

Prints a table and replaces this benchmark's section of ``bench/RESULTS.md``; exits 1 when a network
whose neuron rules agree fires differently in the two simulators.
"""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # the bench package, when run as a script

from bench.results_md import machine, write_section  # noqa: E402
from hwsim.interop.sanafe_cases import CASES, EXACT  # noqa: E402
from hwsim.interop.sanafe_compare import Comparison, compare  # noqa: E402
from hwsim.interop.sanafe_dvs import read_dvs_npz  # noqa: E402
from hwsim.interop.sanafe_peer import sanafe_example  # noqa: E402

SECTION = "sanafe"
TUTORIAL_FIRED = 365_277  # SANA-FE tutorial 5 (tutorial/tutorial_5_dvs.ipynb): neurons fired over 1000 steps
UNITS = ("synapse", "soma", "network", "total")
NETWORKS = ("dvs", *CASES)
EXACT_NETWORKS = ("dvs", *EXACT)


def _row(c: Comparison) -> str:
    h, s = c.hwsim, c.sanafe
    energy = " | ".join(f"{h['energy_uj'][u]:.4g} / {s['energy_uj'][u]:.4g}" for u in UNITS)
    return (f"| {c.name} | {c.cores} | {h['neurons_fired']:,} / {s['neurons_fired']:,} | {energy} | "
            f"{100 * c.error('energy_uj', 'total'):+.2f} % | {h['latency_per_step_ns'] / 1e3:.2f} / "
            f"{s['latency_per_step_ns'] / 1e3:.2f} | {100 * c.error('latency_per_step_ns'):+.1f} % | "
            f"{h['events_per_s'] / 1e6:.1f} / {s['events_per_s'] / 1e6:.2f} | "
            f"{h['events_per_s'] / s['events_per_s']:.0f}x | {h['events_per_cpu_s'] / 1e6:.1f} / "
            f"{s['events_per_cpu_s'] / 1e6:.2f} | {h['events_per_cpu_s'] / s['events_per_cpu_s']:.0f}x | "
            f"{h['setup_s']:.2f} / {s['setup_s']:.1f} |")


def main(argv: list[str] | None = None) -> int:
    """Run every network in both simulators, print the table and write the RESULTS section."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--steps", type=int, default=1000, help="steps of every network (default 1000)")
    parser.add_argument("--scale", type=float, default=1.0, help="layer-size factor of the further networks")
    parser.add_argument("--repeats", type=int, default=3, help="timed runs per simulator, fastest kept (default 3)")
    parser.add_argument("--networks", nargs="+", choices=NETWORKS, default=list(NETWORKS),
                        help="networks to run (default: all)")
    parser.add_argument("--no-write", action="store_true", help="print only; leave bench/RESULTS.md alone")
    args = parser.parse_args(argv)
    graphs = [read_dvs_npz(sanafe_example("dvs_challenge.npz")) if name == "dvs" else CASES[name](args.scale)
              for name in args.networks]
    rows, notes, status = [], [], 0
    for name, graph in zip(args.networks, graphs):
        c = compare(graph, args.steps, repeats=args.repeats, time_untraced=True)
        rows.append(_row(c))
        print(rows[-1], flush=True)
        if name in EXACT_NETWORKS and c.hwsim["neurons_fired"] != c.sanafe["neurons_fired"]:
            print(f"{name}: neurons fired differ although the neuron rules agree", file=sys.stderr)
            status = 1
        if graph.name.endswith("dvs_gesture") and args.steps == 1000:
            notes.append(f"DVS gesture, 1000 steps: SANA-FE's tutorial expects {TUTORIAL_FIRED:,} neurons fired; "
                         f"hwsim {c.hwsim['neurons_fired']:,}, SANA-FE {c.sanafe['neurons_fired']:,}.")
    command = "python bench/bench_sanafe.py" + (f" --steps {args.steps}" if args.steps != 1000 else "") \
        + (f" --scale {args.scale:g}" if args.scale != 1.0 else "") \
        + (f" --repeats {args.repeats}" if args.repeats != 3 else "") \
        + (f" --networks {' '.join(args.networks)}" if args.networks != list(NETWORKS) else "")
    body = "\n".join([
        "## hwsim vs SANA-FE (loihi_sanafe, same placement)", "",
        f"Command: `{command}` ({args.steps} steps each; machine: {machine()}). SANA-FE 2.2.9 in `.venv-sanafe`, "
        "detailed timing model; hwsim `loihi_sanafe` with SANA-FE's capacity limits (neurons per core only). "
        "Cells read hwsim / SANA-FE. Energy is dynamic (SANA-FE has no static power); events/s count synapses "
        f"processed per second of the simulation alone, the fastest of {args.repeats} runs (hwsim after a warm-up "
        "call; SANA-FE without its spike and performance traces), by wall-clock time and by CPU time (all "
        "threads; the machine is shared, so wall-clock rates move with its load: "
        f"load average {os.getloadavg()[0]:.1f} at the end); setup = quantise + lower "
        "(hwsim) or build + load (SANA-FE), in s. Exact-rule networks: DVS gesture, "
        f"{', '.join(EXACT)}; the leaky one differs by SANA-FE's 1/64 truncation (docs/sanafe.md).", "",
        "| network | cores | neurons fired | synapse uJ | soma uJ | network uJ | total uJ | energy error | "
        "latency/step us | latency error | M events/s (wall) | speed-up (wall) | M events/s (CPU) | "
        "speed-up (CPU) | setup s |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
        *rows, "", *notes])
    print(body)
    if not args.no_write:
        write_section(SECTION, body)
    return status


if __name__ == "__main__":
    sys.exit(main())
