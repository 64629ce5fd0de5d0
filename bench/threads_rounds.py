"""One sample on one thread and with the threads sharing it, alternating over rounds in one process.

``bench/threads.py`` keeps the fastest of a few runs per path; on a machine whose speed drifts (a shared VM:
±25 % and more between minutes) this script instead alternates the two paths ``--rounds`` times and reports the
median of each and the median of the per-round ratios, so that a slow minute slows both alike. Networks:
``random`` (``bench/threads.py``'s, 60,000 neurons) or ``w5`` (the published microcircuit at ``--scale``, its
Poisson background drawn in the kernel). Both paths must give identical results (checked).

``--package``: a folder put first on ``sys.path``, holding another revision of hwsim in the installed layout
(``bench.ab_revisions.export``), to compare revisions process by process::

    python -c "from pathlib import Path; from bench.ab_revisions import export; export('REV', Path('/tmp/ab/rev'))"
    python bench/threads_rounds.py --package /tmp/ab/rev/package

Usage (from the repository root, hwsim's environment)::

    python bench/threads_rounds.py [--network random|w5] [--scale 0.3] [--chip spinnaker] [--steps 1000]
                                   [--rounds 5] [--package DIR]

Prints one line; it writes nothing.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path


def _arrays_and_inputs(args: argparse.Namespace):
    """The lowered network of ``args`` and one sample of inputs."""
    import numpy as np

    from bench.threads import INPUT_RATE, N_INPUTS, lowered, network

    if args.network == "w5":
        from hwsim.models import microcircuit as mc
        from hwsim.models import microcircuit_ir

        graph = microcircuit_ir.build(args.scale, 0, "poisson_source", mc.PD)
        return lowered(graph, args.chip), microcircuit_ir.background_inputs(graph, args.steps)
    rng = np.random.default_rng(1)
    inputs = (rng.random((1, args.steps, N_INPUTS)) < INPUT_RATE).astype(np.uint8)
    return lowered(network(60_000, 1000), args.chip), inputs


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--network", choices=("random", "w5"), default="random")
    parser.add_argument("--scale", type=float, default=0.3, help="w5: fraction of the microcircuit's neurons")
    parser.add_argument("--chip", default="spinnaker")
    parser.add_argument("--steps", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--package", type=Path, help="another revision's hwsim, first on sys.path")
    args = parser.parse_args(argv)
    if args.steps < 2 or args.rounds < 1 or not 0 < args.scale <= 1:
        parser.error(f"--steps {args.steps}, --rounds {args.rounds}, --scale {args.scale}: expected steps >= 2, "
                     "rounds >= 1 and 0 < scale <= 1")
    if args.package is not None and not (args.package / "hwsim" / "__init__.py").is_file():
        parser.error(f"--package {str(args.package)[:200]}: no hwsim package there; expected a folder that "
                     "bench.ab_revisions.export returned")
    root = Path(__file__).resolve().parents[1]
    sys.path.insert(0, str(root))   # the bench package
    if args.package is not None:
        sys.path.insert(0, str(args.package))
    import hwsim
    from bench.threads import same

    arrays, inputs = _arrays_and_inputs(args)
    for within in (False, True):
        hwsim.simulate_spiking(arrays, inputs[:, :2], within_sample=within)   # compiles
    seconds, ratios, results = {False: [], True: []}, [], {}
    for _ in range(args.rounds):
        for within in (False, True):
            start = time.perf_counter()
            results[within] = hwsim.simulate_spiking(arrays, inputs, within_sample=within)
            seconds[within].append(time.perf_counter() - start)
        ratios.append(seconds[False][-1] / seconds[True][-1])
    print(f"{args.network} {args.chip} ({Path(hwsim.__file__).parent}), {args.steps} steps, {args.rounds} rounds: "
          f"one thread median {statistics.median(seconds[False]):.3f} s, shared median "
          f"{statistics.median(seconds[True]):.3f} s, per-round ratio median {statistics.median(ratios):.2f}, "
          f"identical {same(results[False], results[True])}")


if __name__ == "__main__":
    main()
