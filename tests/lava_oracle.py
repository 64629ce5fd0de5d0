"""Run cases through Lava itself: ``.venv-lava/bin/python tests/lava_oracle.py in.npz out.npz``.

``in.npz`` holds cases written by :func:`hwsim.interop.lava_cases.save_cases`; each runs, one after
another in this one process, through :func:`hwsim.interop.lava.run_lava` (Lava's bit-accurate
models). ``out.npz`` holds, per case k, ``case<k>/raster`` (uint8 ``(T, n_neurons)``, hwsim's global
neuron order), ``case<k>/u`` and ``case<k>/v`` (int64 ``(n_neurons,)`` after the last step; sigma and act of
sigma-delta neurons), ``case<k>/payload`` (int64 ``(T, n_neurons)``: graded spikes' payloads, 0 elsewhere),
``case<k>/residue`` and ``case<k>/error`` (int64 ``(n_neurons,)``, 0 for LIF neurons) and
``case<k>/wall_s`` (seconds: first step with Lava's start-up, remaining steps, reading back).
"""
import sys

import numpy as np

from hwsim.interop.lava import run_lava
from hwsim.interop.lava_cases import load_cases


def main(source: str, destination: str) -> None:
    out = {}
    for k, (qnet, spikes) in enumerate(load_cases(source)):
        result = run_lava(qnet, spikes)
        names = [pop.name for pop in qnet.populations]
        out[f"case{k}/raster"] = np.concatenate([result["spikes"][n] for n in names], axis=1)
        out[f"case{k}/u"] = np.concatenate([result["u"][n] for n in names])
        out[f"case{k}/v"] = np.concatenate([result["v"][n] for n in names])
        zeros = {p.name: np.zeros((spikes.shape[0], p.size), dtype=np.int64) for p in qnet.populations}
        out[f"case{k}/payload"] = np.concatenate([result["payload"].get(n, zeros[n]) for n in names], axis=1)
        for key in ("residue", "error"):
            out[f"case{k}/{key}"] = np.concatenate([result[key].get(n, zeros[n][0]) for n in names])
        out[f"case{k}/wall_s"] = np.array(result["wall_s"])
        print(f"case {k}: {spikes.shape[0]} steps, {qnet.n_neurons} neurons, "
              f"{int(out[f'case{k}/raster'].sum())} spikes, {sum(result['wall_s']):.2f} s", flush=True)
    np.savez(destination, **out)


if __name__ == "__main__":
    main(*sys.argv[1:3])
