"""PyNN's VA benchmark (``pynn_examples/VAbenchmarks.py``, Brette et al. 2007's CUBA network) on hwsim.pynn, the
PyNN script API it uses, and ``hwsim.pynn.utility.get_simulator`` (the script's command line names ``hwsim``).

The script runs on hwsim with only its import line changed (``from pyNN.utility import ...`` ->
``from hwsim.pynn.utility import ...``) and ``hwsim.ideal CUBA`` as its arguments. For CI both backends run a
copy reduced to 1000 cells and 400 ms (two more lines changed, the same on both); ``bench/pynn_va.py`` runs the
full size. The connectivity differs between the backends on the same seed: the script draws the initial
membranes from the generator it then connects with. hwsim draws them from it, in order, as pyNN.nest and
pyNN.neuron do; pyNN.brian2 leaves it where it was (found with PyNN 0.13 and Brian 2 2.9: after
``initialize(v=RandomDistribution(..., rng=rng))`` of n cells, ``rng``'s next draw is its first, and the cells
hold its draws 2 to n + 1), so its connections come from other draws. The two runs are therefore two samples of the same
random network, and only their statistics can agree: each population's mean rate within 4 standard errors
of the difference, each standard error from the spread of the rate over 8 windows of 50 ms (batch means).
(Batches of 50 ms: the network's rate oscillates with a period of 40-50 ms, so shorter windows see its
phase, not the error of the mean.) Found: excitatory 10.66 vs 10.32 Hz (tolerance 0.93 Hz, 9 %), inhibitory
10.35 vs 10.34 Hz (tolerance 1.22 Hz, 12 %).
pyNN.brian2 runs in ``.venv-brian2`` (``python -m hwsim.interop.brian2_env``); without it the comparison is
skipped.
"""
from __future__ import annotations

import pickle
import runpy
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import hwsim.pynn as sim
from hwsim.errors import SpecError, UnsupportedError
from hwsim.interop.brian2_env import brian2_python
from hwsim.pynn import utility

HERE = Path(__file__).parent
SCRIPT = HERE / "pynn_examples" / "VAbenchmarks.py"
RUNNER = HERE / "pynn_runner.py"
IMPORT = ("from pyNN.utility import get_simulator", "from hwsim.pynn.utility import get_simulator")
REDUCED = (("n        = 4000  # number of cells", "n        = 1000  # number of cells"),
           ("tstop    = 1000  # (ms) simulaton duration", "tstop    = 400  # (ms) simulaton duration"))
TSTOP_MS, WINDOW_MS = 400.0, 50.0


def _copy(folder: Path, name: str, on_hwsim: bool, reduced: bool) -> Path:
    text = SCRIPT.read_text()
    for old, new in (REDUCED if reduced else ()) + ((IMPORT,) if on_hwsim else ()):
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    path = folder / name
    path.write_text(text)
    return path


def _changed_lines(path: Path) -> list:
    return [b for a, b in zip(SCRIPT.read_text().splitlines(), path.read_text().splitlines()) if a != b]


def test_hwsim_copy_differs_from_pynn_only_in_its_import(tmp_path):
    full = _copy(tmp_path, "full.py", on_hwsim=True, reduced=False)
    assert _changed_lines(full) == [IMPORT[1] + ", Timer, ProgressBar, init_logging, normalized_filename"]
    reduced = _copy(tmp_path, "reduced.py", on_hwsim=True, reduced=True)
    assert len(_changed_lines(reduced)) == 3


@pytest.fixture(scope="module")
def va_runs(tmp_path_factory):
    """The reduced CUBA benchmark on hwsim ``ideal`` and on pyNN.brian2, run side by side: backend -> arrays."""
    if not brian2_python().is_file():
        pytest.skip(f"pyNN.brian2 environment missing ({brian2_python()}). Hint: python -m hwsim.interop.brian2_env")
    folder = tmp_path_factory.mktemp("va")
    jobs = {"hwsim": (sys.executable, "hwsim:ideal", _copy(folder, "va_hwsim.py", True, True), "hwsim.ideal"),
            "brian2": (brian2_python(), "brian2", _copy(folder, "va_brian2.py", False, True), "brian2")}
    procs = {key: subprocess.Popen([str(python), str(RUNNER), backend, str(script), str(folder / f"{key}.npz"),
                                    name, "CUBA"], cwd=folder, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                   text=True)
             for key, (python, backend, script, name) in jobs.items()}
    out = {}
    for key, proc in procs.items():
        stdout, stderr = proc.communicate(timeout=900)
        assert proc.returncode == 0, stderr[-3000:]
        with np.load(folder / f"{key}.npz") as data:
            out[key] = dict(data)
        out[key]["stdout"] = stdout
    out["folder"] = folder
    return out


def _rate_and_error_hz(data: dict, label: str) -> tuple:
    """Mean rate [Hz] and its standard error from the rate's spread over windows (batch means)."""
    n_cells = data[f"{label}/counts"].size
    edges = np.arange(0.0, TSTOP_MS + WINDOW_MS / 2, WINDOW_MS)
    per_window_hz = np.histogram(data[f"{label}/spikes"], bins=edges)[0] / n_cells / (WINDOW_MS / 1000.0)
    return per_window_hz.mean(), per_window_hz.std(ddof=1) / np.sqrt(per_window_hz.size)


@pytest.mark.parametrize("label", ["Excitatory_Cells", "Inhibitory_Cells"])
def test_va_cuba_rates_agree_with_brian2(va_runs, label):
    (hw, hw_error), (br, br_error) = (_rate_and_error_hz(va_runs[key], label) for key in ("hwsim", "brian2"))
    tolerance = 4.0 * np.hypot(hw_error, br_error)
    assert br > 2.0 and tolerance < 0.25 * br   # an active network, and a tolerance that can still fail
    assert abs(hw - br) <= tolerance, (hw, br, tolerance)


def test_va_script_reports_and_writes_what_it_recorded(va_runs):
    """The script's own summary (mean_spike_count, Projection.size) and its pickled neo files (write_data)."""
    hw = va_runs["hwsim"]
    rate = hw["Excitatory_Cells/counts"].mean() * 1000.0 / TSTOP_MS
    assert f"Excitatory rate        : {rate:g} Hz" in hw["stdout"]
    sizes = [int(s) for s in hw["stdout"].split("Number of Synapses     : ")[1].split()[0::2][:4]]
    assert 0.9 * 0.02 * 800 * 800 < sizes[0] < 1.1 * 0.02 * 800 * 800 and min(sizes) > 0
    written = sorted((va_runs["folder"] / "Results").rglob("VAbenchmarks_CUBA_*_hwsim.ideal_np1_*.pkl"))
    assert [p.name.split("_")[2] for p in written] == ["exc", "inh"]
    with open(written[0], "rb") as f:
        block = pickle.load(f)
    counts = [train.size for train in block.segments[0].spiketrains]
    np.testing.assert_array_equal(counts, hw["Excitatory_Cells/counts"])
    assert block.segments[0].filter(name="v")[0].shape == (int(TSTOP_MS / 0.1) + 1, 2)


@pytest.fixture
def default_chip():
    """Restore the state's default chip after a test that names one on the command line."""
    before = sim.simulator.state.default_chip
    yield
    sim.simulator.state.default_chip = before


def test_va_coba_is_refused_with_the_reason(tmp_path, monkeypatch, default_chip):
    script = _copy(tmp_path, "va.py", on_hwsim=True, reduced=True)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "argv", [str(script), "hwsim.ideal", "COBA"])
    with pytest.raises(UnsupportedError, match="cell type IF_cond_exp; conductance-based synapses need"):
        runpy.run_path(str(script), run_name="__main__")


# ---------------------------------------------------------------- get_simulator: hwsim on the command line

@pytest.mark.parametrize("name, chip", [("hwsim", "spinnaker"), ("hwsim.ideal", "ideal"), ("hwsim.loihi2", "loihi2")])
def test_get_simulator_names_hwsim_and_its_chip(monkeypatch, default_chip, name, chip):
    monkeypatch.setattr(sys, "argv", ["script.py", name, "CUBA", "--plot-figure"])
    module, options = utility.get_simulator(("benchmark", "CUBA or COBA"),
                                            ("--plot-figure", "plot", {"action": "store_true"}))
    assert module is sim and options.benchmark == "CUBA" and options.plot_figure and options.simulator == name
    module.setup(timestep=0.1)
    assert sim.simulator.state.chip.name == chip
    module.setup(timestep=0.1, chip="ideal")   # an explicit chip still wins
    assert sim.simulator.state.chip.name == "ideal"


def test_get_simulator_keeps_pynn_backends(monkeypatch):
    monkeypatch.setattr(sys, "argv", ["script.py", "mock"])
    module, _ = utility.get_simulator()
    assert module.__name__ == "pyNN.mock"


@pytest.mark.parametrize("name, words", [("hwsim.", "expected 'hwsim' or 'hwsim.<chip>'"),
                                         ("hwsim.spinaker", "Did you mean 'spinnaker'"),
                                         ("hwsimm", "No module named 'pyNN.hwsimm'; expected 'hwsim'")])
def test_get_simulator_refuses_unknown_names(monkeypatch, default_chip, name, words):
    monkeypatch.setattr(sys, "argv", ["script.py", name])
    with pytest.raises(SpecError, match=words):
        utility.get_simulator()


# ---------------------------------------------------------------- the PyNN API the script uses, in process

@pytest.fixture
def va_net():
    """A small CUBA network built as the VA script builds it (ideal chip), run for 200 ms."""
    sim.setup(timestep=0.1, min_delay=0.2, max_delay=1.0, chip="ideal", threads=1, filename="x.xml", label="VA")
    params = dict(tau_m=20.0, tau_syn_E=5.0, tau_syn_I=10.0, v_rest=-49.0, v_reset=-60.0, v_thresh=-50.0,
                  cm=0.2, tau_refrac=5.0)
    exc = sim.Population(80, sim.IF_curr_exp(**params), label="exc")
    inh = sim.Population(20, sim.IF_curr_exp(**params), label="inh")
    rng = sim.NumpyRNG(seed=98765, parallel_safe=True)
    uniform = sim.RandomDistribution("uniform", low=-60.0, high=-50.0, rng=rng)
    exc.initialize(v=uniform)
    inh.initialize(v=uniform)
    calls = []
    connector = sim.FixedProbabilityConnector(0.1, rng=rng, callback=calls.append)
    e2e = sim.Projection(exc, exc, connector, sim.StaticSynapse(weight=0.0162, delay=0.2), receptor_type="excitatory")
    i2e = sim.Projection(inh, exc, sim.AllToAllConnector(), sim.StaticSynapse(weight=-0.002, delay=0.2),
                         receptor_type="inhibitory")
    exc.record("spikes")
    exc[0, 1].record("v")
    inh.record("v")
    sim.run(200.0)
    return sim, exc, inh, e2e, i2e, calls


def test_initialize_draws_from_the_scripts_generator_in_order(va_net):
    _, exc, inh, *_ = va_net
    draws = np.random.RandomState(98765).uniform(-60.0, -50.0, size=100)   # NumpyRNG is a RandomState
    for pop, expected in ((exc, draws[:2]), (inh, draws[80:])):
        v = pop.get_data().segments[0].filter(name="v")[0].magnitude
        np.testing.assert_allclose(v[0], expected, rtol=0, atol=1e-12)


def test_spike_counts_sizes_and_state_queries(va_net):
    s, exc, _, e2e, i2e, calls = va_net
    trains = exc.get_data().segments[0].spiketrains
    counts = {int(cell): n for cell, n in exc.get_spike_counts().items()}
    assert counts == {int(cell): t.size for cell, t in zip(exc.all_cells, trains)} and sum(counts.values()) > 50
    assert exc.mean_spike_count() == pytest.approx(np.mean([t.size for t in trains]))
    assert i2e.size() == 20 * 80 and e2e.size() == len(e2e.get("weight", format="list")) > 0
    assert len(calls) == exc.size and np.all(np.diff(calls) > 0)   # the connector's progress, once per target
    assert s.get_current_time() == pytest.approx(200.0) and s.rank() == 0 and s.num_processes() == 1


def test_write_data_round_trips_through_a_pickle(va_net, tmp_path):
    _, exc, *_ = va_net
    path = tmp_path / "deep" / "exc.pkl"
    exc.write_data(str(path), annotations={"script_name": "va"})
    with open(path, "rb") as f:
        block = pickle.load(f)
    assert block.annotations["script_name"] == "va"
    for written, held in zip(block.segments[0].spiketrains, exc.get_data().segments[0].spiketrains):
        np.testing.assert_array_equal(written.magnitude, held.magnitude)
