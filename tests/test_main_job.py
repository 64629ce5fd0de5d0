"""The main job end to end: bundled models on the bundled chips, from the CLI and from Python."""
import json

import numpy as np
import pytest

from hwsim.chips import available_chips, load_chip
from hwsim.cli import _bundled_model, main
from hwsim.errors import SpecError
from hwsim.ir import save_graph
from hwsim.models.digits import load_digits_split
from hwsim.pipeline import run


@pytest.fixture(scope="module")
def digits():
    return load_digits_split(0.2, 0)


def test_default_snn_on_loihi_meets_accuracy(digits):
    x_train, _, x_test, y_test = digits
    result = run(_bundled_model("digits_snn.npz"), load_chip("loihi"), x_test, y_test)
    assert result.report.n_samples == len(y_test) == 360
    assert result.report.accuracy >= 0.93


def test_default_mlp_on_printed_meets_accuracy(digits):
    x_train, _, x_test, y_test = digits
    result = run(_bundled_model("digits_mlp.npz"), load_chip("printed_egfet"), x_test, y_test, calibration=x_train)
    assert result.report.accuracy >= 0.90
    report = result.report
    macs = report.ops_per_inference["mac"]
    # operator-level costing beside it (Mubarik 2020): 1.1 cm2 / 4.1 mW per MAC, 0.03 cm2 / 0.14 mW per ReLU
    assert report.op_based["operator_level"]["area_cm2"] == pytest.approx(macs * 1.1 + 10 * 0.03)
    assert report.op_based["operator_level"]["power_mw"] == pytest.approx(macs * 4.1 + 10 * 0.14)
    # gate level: area and leakage are the sums over the circuit's cells of the profile's per-cell values
    cells = load_chip("printed_egfet").cells
    assert report.area_cm2 == pytest.approx(sum(n * cells[c]["area_um2"].value for c, n in report.cells.items()) / 1e8)
    assert report.power_mw == pytest.approx(sum(n * cells[c]["leakage_uw"].value for c, n in report.cells.items()) / 1e3)
    # one inference per clock period, the slower of the 200 ms clock and the critical path
    period_ms = max(200.0, report.checks["critical_path_ms"])
    assert report.latency_per_inference_us == pytest.approx(period_ms * 1000)
    assert report.energy_per_inference_uj == pytest.approx(report.power_mw * period_ms)   # mW x ms
    # far too big for the 30 mW printed battery: the report must say so
    assert report.checks["battery_budget"] is False
    assert any("exceeds the 30 mW budget (Molex printed battery" in note for note in report.notes)


def test_reports_are_deterministic(digits):
    _, _, x_test, y_test = digits
    graph, chip = _bundled_model("digits_snn.npz"), load_chip("spinnaker")
    a = run(graph, chip, x_test[:40], y_test[:40]).report.to_json()
    b = run(graph, chip, x_test[:40], y_test[:40]).report.to_json()
    assert a == b
    assert json.loads(a)["checks"]["realtime_budget"] in (True, False)


def test_cli_default_job_prints_table_for_every_chip(tmp_path, capsys, monkeypatch):
    """Every chip's row, the printed circuit's best searched design within the battery beside the exact one,
    and the plots in ./hwsim_plots."""
    monkeypatch.chdir(tmp_path)
    out = tmp_path / "report.json"
    assert main(["run", "--samples", "24", "--json", str(out)]) == 0
    printed = capsys.readouterr().out
    for name in available_chips():
        assert f"| {name} |" in printed
    reports = json.loads(out.read_text())
    design = next(r for r in reports if "searched design" in r["model"])
    assert [r["chip"] for r in reports if r is not design] == available_chips()
    assert all(r["n_samples"] == 24 and r["energy_per_inference_uj"] > 0 for r in reports if r is not design)
    assert design["chip"] == "printed_egfet" and design["checks"]["battery_budget"] is True
    assert design["accuracy"] == pytest.approx(341 / 360) and design["area_cm2"] == pytest.approx(9.58, abs=0.01)
    assert (tmp_path / "hwsim_plots" / "digits_snn_loihi_energy.png").is_file()


def test_cli_user_model_with_inputs(tmp_path, capsys, digits):
    _, _, x_test, y_test = digits
    model = save_graph(_bundled_model("digits_snn.npz"), tmp_path / "mine")
    data = tmp_path / "data.npz"
    np.savez(data, x=x_test[:10], y=y_test[:10])
    assert main(["run", str(model), "--chip", "loihi", "--inputs", str(data), "--json", str(tmp_path / "r.json")]) == 0
    assert "| loihi | digits_snn |" in capsys.readouterr().out


def test_cli_chips_lists_profiles(capsys):
    assert main(["chips"]) == 0
    printed = capsys.readouterr().out
    assert all(name in printed for name in available_chips())


@pytest.mark.parametrize("argv, message", [
    (["run", "missing.npz"], "missing.npz: no such file"),
    (["run", "--chip", "loihii"], "Did you mean 'loihi'"),
    (["run", "--inputs", "nope.npz", "--samples", "2"], "--inputs nope.npz: no such file"),
], ids=["model", "chip", "inputs"])
def test_cli_bad_input_is_one_clear_line(argv, message, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("hwsim: error: ") and message in err and "Traceback" not in err


def test_mlp_inputs_outside_full_scale_are_warned_about_and_nan_refused():
    from hwsim.pipeline import run
    from hwsim.tasks import task_data

    graph = _bundled_model("digits_mlp.npz")
    data = task_data(graph, samples=20)
    chip = load_chip("printed_egfet")
    with pytest.warns(UserWarning, match=r"inputs: [\d,]+ of 1,280 values lie outside \[0, 1\] \(range 0\.\.16\); "
                                         r"the MAC chip's input ADCs clip them"):
        run(graph, chip, data.x * 16, data.y, data.calibration)
    bad = data.x.copy()
    bad[3, 5] = np.nan
    with pytest.raises(SpecError, match=r"inputs: 1 NaN or infinite values \(the first at index \(3, 5\)\)"):
        run(graph, chip, bad, data.y, data.calibration)


def test_plots_of_each_run(tmp_path, capsys):
    from hwsim.plots import plot_utilisation

    out = tmp_path / "plots"
    assert main(["run", "--chip", "loihi", "--chip", "printed_egfet", "--samples", "5", "--json",
                 str(tmp_path / "r.json"), "--plots", str(out)]) == 0
    assert sorted(p.name for p in out.iterdir()) == [
        "digits_mlp_printed_egfet_energy.png", "digits_snn_loihi_activity.png", "digits_snn_loihi_cores.png",
        "digits_snn_loihi_energy.png"]
    assert all(p.stat().st_size > 5000 for p in out.iterdir())
    report = json.loads((tmp_path / "r.json").read_text())[0]
    assert sum(use["neurons_per_core"] for use in report["core_use"].values()) == 96 + 10
    mac = run(_bundled_model("digits_mlp.npz"), load_chip("printed_egfet"), np.full((1, 64), 0.5)).report
    assert plot_utilisation(mac, load_chip("printed_egfet"), tmp_path / "none.png") is None
