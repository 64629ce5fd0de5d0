"""The kernel's ring in int32 against int64 on W5, one sample on one thread, beside the threads sharing it.

The ring's dtype is chosen by :mod:`hwsim.ring_dtype` (int32 where its bound holds, on the one-thread path only;
the shared path keeps int64); this script forces int64 by setting ``RING32_MAX`` to -1, and runs the three
cases interleaved in one process (compiles first, then ``--rounds`` rounds; min and median).
The network is ``bench/threads.py``'s W5 (the microcircuit's fixed variant, DC background) on ``spinnaker``.

Usage (repository root, hwsim's environment)::

    python bench/ring_ab.py [--scale 1.0] [--steps 1000] [--rounds 3]
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
from bench.threads import lowered  # noqa: E402
from hwsim import ring_dtype  # noqa: E402
from hwsim.models import microcircuit as mc, microcircuit_ir  # noqa: E402

LIMITS = {"int32": int(np.iinfo(np.int32).max), "int64": -1}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--steps", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)
    graph = microcircuit_ir.build(args.scale, 0, background="dc", params=mc.FIXED)
    arrays = lowered(graph, "spinnaker")
    inputs = microcircuit_ir.background_inputs(graph, args.steps)

    def once(limit: int, shared: bool, steps: int) -> float:
        ring_dtype.RING32_MAX = limit
        start = time.perf_counter()
        hwsim.simulate_spiking(arrays, inputs[:, :steps], within_sample=shared)
        return time.perf_counter() - start

    cases = [("int32", False), ("int64", False), ("int64", True)]
    for name, shared in cases:
        once(LIMITS[name], shared, 2)                                  # compiles
    times: dict = {case: [] for case in cases}
    for _ in range(args.rounds):
        for case in cases:
            times[case].append(once(LIMITS[case[0]], case[1], args.steps))
    print(f"W5 (fixed variant) at scale {args.scale} on spinnaker, one sample, {args.steps} steps, "
          f"{args.rounds} rounds\n\n| ring | threads | min (s) | median (s) |\n|---|---|---|---|")
    for (name, shared), values in times.items():
        print(f"| {name} | {'shared' if shared else 'one'} | {min(values):.3f} | {float(np.median(values)):.3f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
