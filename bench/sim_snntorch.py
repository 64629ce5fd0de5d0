"""snnTorch 1.0 on W1 (torch CPU, peers environment): its standard inference loop.

Each layer is ``nn.Linear(bias=False)`` (weights ``w.T`` of :mod:`bench.workloads`) followed by
``snn.Leaky(beta, threshold=1, reset_mechanism="zero")``, all layers evaluated in the same step.
This is snnTorch's own update order, not the workload's: the input is not decayed before the
threshold test and the reset takes effect on the next step, so snnTorch produces more spikes
(``peers.md``: L1 16.3 Hz, L2 20.0 Hz instead of 13.8 and 11.0 Hz) and its events are counted
from its own spikes. Timed under ``torch.inference_mode()`` after a 5-step warm-up.
"""
from __future__ import annotations

import numpy as np

from bench import workloads
from bench.timing import repeat_runs, timed


def run(workload: str, size: workloads.Size, data: dict, threads: int = 2, min_total_s: float = 1.0) -> dict:
    """Build, warm up and time the loop with ``threads`` torch threads; return the runner's raw record."""
    import snntorch as snn
    import torch

    torch.set_num_threads(threads)
    p = workloads.W1

    def build():
        fcs, lifs = [], []
        for k, (n_pre, n_post) in enumerate(zip(p.layer_sizes[:-1], p.layer_sizes[1:])):
            fc = torch.nn.Linear(n_pre, n_post, bias=False)
            fc.weight.data = torch.from_numpy(np.ascontiguousarray(data[f"w{k}"].T))
            fcs.append(fc)
            lifs.append(snn.Leaky(beta=p.beta, threshold=p.v_th, reset_mechanism="zero"))
        return fcs, lifs
    (fcs, lifs), build_s = timed(build)
    raster = torch.from_numpy(data["raster"][:size.batch, :size.n_steps].astype(np.float32))
    counts = [torch.zeros(n, dtype=torch.int64) for n in p.layer_sizes]

    def loop(n_steps=size.n_steps):
        with torch.inference_mode():
            mems = [lif.init_leaky() for lif in lifs]
            for c in counts:
                c.zero_()
            for t in range(n_steps):
                x = raster[:, t]
                counts[0] += x.sum(0).to(torch.int64)
                for k, (fc, lif) in enumerate(zip(fcs, lifs)):
                    x, mems[k] = lif(fc(x), mems[k])
                    counts[k + 1] += x.sum(0).to(torch.int64)
    _, compile_s = timed(lambda: loop(5))
    runs = repeat_runs(loop, min_total_s)
    return {"build_s": build_s, "compile_s": compile_s, "runs": runs,
            "spike_counts": {g: c.tolist() for g, c in zip(workloads.groups("W1"), counts)},
            "notes": "its own update order",
            "versions": {"torch": torch.__version__, "snntorch": snn.__version__}}
