"""Run a PyNN script on one backend and save what its populations recorded (a script, not a test module).

    python tests/pynn_runner.py BACKEND SCRIPT OUT.npz [ARGS...]

BACKEND is ``brian2`` (run in ``.venv-brian2``: pyNN.brian2 with numpy code generation) or ``hwsim:CHIP``
(run in hwsim's environment; ``sim.setup`` then defaults to that chip, the script is not changed). The script
runs with ``sys.argv = [SCRIPT, *ARGS]`` in the current folder. Every PyNN Population left in its globals is
saved: ``<label>/spikes`` (times [ms], all neurons one after another), ``<label>/counts`` (spikes per neuron),
``<label>/v`` (samples x recorded neurons [mV]), ``<label>/v_index`` (their indices), ``<label>/v_dt`` [ms];
``__wall_s`` is the script's wall time. This file imports neither hwsim (but for ``hwsim:``) nor pytest.
"""
import functools
import runpy
import sys
import time

import numpy as np


def _backend(name: str) -> None:
    if name == "brian2":
        import brian2
        brian2.prefs.codegen.target = "numpy"
        brian2.seed(1)   # its Poisson sources draw from Brian 2's own generator, which PyNN's seed does not reach
    elif name.startswith("hwsim:"):
        import hwsim.pynn
        hwsim.pynn.setup = functools.partial(hwsim.pynn.setup, chip=name.split(":", 1)[1])
    else:
        raise SystemExit(f"pynn_runner: backend {name!r}; expected 'brian2' or 'hwsim:CHIP'")


def _populations(scope: dict) -> list:
    from pyNN.common import Population
    return [value for value in scope.values() if isinstance(value, Population)]


def _save(populations: list, wall_s: float, out: str) -> None:
    arrays = {"__wall_s": np.array(wall_s)}
    for pop in populations:
        segment = pop.get_data().segments[-1]
        trains = segment.spiketrains
        if len(trains):
            arrays[f"{pop.label}/counts"] = np.array([t.size for t in trains])
            arrays[f"{pop.label}/spikes"] = np.concatenate([np.asarray(t.rescale("ms").magnitude) for t in trains]
                                                           + [np.zeros(0)])
        signals = segment.filter(name="v")
        if signals:
            v = signals[0]
            arrays[f"{pop.label}/v"] = np.asarray(v.rescale("mV").magnitude)
            arrays[f"{pop.label}/v_index"] = np.asarray(v.array_annotations["channel_index"])
            arrays[f"{pop.label}/v_dt"] = np.array(float(v.sampling_period.rescale("ms").magnitude))
    np.savez(out, **arrays)


def main(argv: list) -> None:
    backend, script, out, *args = argv
    _backend(backend)
    sys.argv = [script, *args]
    start = time.perf_counter()
    scope = runpy.run_path(script, run_name="__main__")
    _save(_populations(scope), time.perf_counter() - start, out)


if __name__ == "__main__":
    main(sys.argv[1:])
