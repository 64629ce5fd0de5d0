"""Robustness sweeps (hwsim.sweep): statistics, seeds, resume, outputs, local pool and Dask.

Most execution tests use ``tests/sweep_standin.py`` (a frozen spec and a seeded weight-perturbing
runner, cheap and independent of the noise kinds); the rest use the real ``hwsim.noise`` and
``run(..., noise=, seed=)``.
"""
from __future__ import annotations

import json
import math

import numpy as np
import pytest

import hwsim.sweep as sw
from hwsim.chips import load_chip
from hwsim.errors import SpecError
from hwsim.sweep import SweepResult, aggregate, point_seed, sweep
from sweep_standin import StandInSpec, standin_runner



@pytest.fixture(scope="module")
def task():
    from hwsim.cli import _bundled_model
    from hwsim.tasks import task_data

    graph = _bundled_model("digits_snn.npz")
    data = task_data(graph, None, 30)
    return graph, load_chip("loihi"), data.x, data.y


def _sweep(task, **kw):
    graph, chip, x, y = task
    args = dict(spec=StandInSpec(), kind="weight_variation", param="sigma", values=[0.0, 0.4], instances=2,
                seed=3, workers=1, progress=False, _runner=standin_runner)
    args.update(kw)
    return sweep(graph, chip, x, y, **args)


# ---------------------------------------------------------------------------- statistics
def test_aggregate_arithmetic():
    acc = [0.5, 0.7, 0.9]  # value 0
    points = [{"value_index": 0, "accuracy": a, "spikes_per_inference": 100.0, "energy_per_inference_uj": 2.0}
              for a in acc]
    points += [{"value_index": 1, "accuracy": a, "spikes_per_inference": s, "energy_per_inference_uj": e}
               for a, s, e in ((0.4, 150.0, 3.0), (0.6, 50.0, 2.0))]
    points += [{"value_index": 2, "accuracy": 0.25, "spikes_per_inference": 0.0, "energy_per_inference_uj": 1.0}]
    rows = aggregate(points, [0.0, 0.1, 0.2])
    r0, r1, r2 = rows
    assert r0["n"] == 3 and r0["accuracy_mean"] == pytest.approx(0.7)
    std0 = math.sqrt(((0.5 - 0.7) ** 2 + 0 + (0.9 - 0.7) ** 2) / 2)  # = 0.2
    assert r0["accuracy_std"] == pytest.approx(std0)
    assert 0.5 <= r0["accuracy_ci95_low"] < 0.7 < r0["accuracy_ci95_high"] <= 0.9
    std1 = math.sqrt((0.1 ** 2 + 0.1 ** 2) / 1)
    assert r1["accuracy_mean"] == pytest.approx(0.5) and r1["accuracy_std"] == pytest.approx(std1)
    # two instances: resampled means are 0.4, 0.5, 0.6 with odds 1/4, 1/2, 1/4, so the 2.5 % and 97.5 % points
    # are the two accuracies themselves
    assert (r1["accuracy_ci95_low"], r1["accuracy_ci95_high"]) == (0.4, 0.6)
    assert r1["spikes_per_inference_mean"] == pytest.approx(100.0) and r1["spike_rate_change"] == pytest.approx(0.0)
    assert r1["energy_per_inference_uj_mean"] == pytest.approx(2.5) and r1["energy_change"] == pytest.approx(0.25)
    assert r2["accuracy_std"] == 0.0 and r2["accuracy_ci95_low"] == r2["accuracy_ci95_high"] == 0.25
    assert r2["spike_rate_change"] == pytest.approx(-1.0) and r2["energy_change"] == pytest.approx(-0.5)
    assert r0["spike_rate_change"] == 0.0 and r0["energy_change"] == 0.0


def test_confidence_intervals_stay_inside_0_to_1_and_repeat():
    """Most instances at 100 %: a t-interval would end above 1; the bootstrap's ends at the best instance."""
    from hwsim.sweep import bootstrap_ci95

    accuracies = [1.0, 1.0, 1.0, 1.0, 0.9]
    t_high = 0.98 + 2.7764451051977987 * float(np.std(accuracies, ddof=1)) / math.sqrt(5)   # t(0.975, 4)
    low, high = bootstrap_ci95(accuracies, seed=0)
    assert t_high > 1.0 and 0.9 <= low < 0.98 and high == 1.0
    assert bootstrap_ci95(accuracies, seed=0) == (low, high) and bootstrap_ci95([0.3], seed=5) == (0.3, 0.3)


def test_aggregate_baseline_is_zero_level_else_first():
    pts = [{"value_index": i, "accuracy": 1.0, "spikes_per_inference": s, "energy_per_inference_uj": s}
           for i, s in enumerate((4.0, 2.0, 8.0))]
    assert [r["energy_change"] for r in aggregate(pts, [0.3, 0.0, 0.5])] == pytest.approx([1.0, 0.0, 3.0])
    assert [r["energy_change"] for r in aggregate(pts, [0.1, 0.2, 0.5])] == pytest.approx([0.0, -0.5, 1.0])


def test_point_seed_is_the_documented_seed_sequence():
    expected = int(np.random.SeedSequence([7, 2, 5]).generate_state(1, np.uint32)[0])
    assert point_seed(7, 2, 5) == expected
    assert len({point_seed(0, i, k) for i in range(6) for k in range(10)}) == 60


# ---------------------------------------------------------------------------- seeds, resume, refusal
def test_points_and_seeds(task):
    res = _sweep(task)
    assert [(p["value_index"], p["instance"]) for p in res.points] == [(0, 0), (0, 1), (1, 0), (1, 1)]
    assert all(p["seed"] == point_seed(3, p["value_index"], p["instance"]) for p in res.points)
    graph, chip, x, y = task
    alone = standin_runner(graph, chip, x, y, None, StandInSpec(sigma=0.4), point_seed(3, 1, 1))
    assert {k: res.points[3][k] for k in alone} == alone
    assert res.levels[0]["n"] == 2 and res.levels[1]["value"] == 0.4


def test_resume_computes_only_the_rest(task, tmp_path, monkeypatch):
    calls = []
    real = sw._compute_point

    def counting(payload, point):
        calls.append((point["value_index"], point["instance"]))
        if len(calls) == 3 and not getattr(counting, "killed", False):
            counting.killed = True
            raise KeyboardInterrupt  # the sweep is killed after 2 finished points
        return real(payload, point)

    monkeypatch.setattr(sw, "_compute_point", counting)
    with pytest.raises(KeyboardInterrupt):
        _sweep(task, out_dir=tmp_path)
    assert len((tmp_path / "points.jsonl").read_text().splitlines()) == 2
    calls.clear()
    resumed = _sweep(task, out_dir=tmp_path)
    assert sorted(calls) == [(1, 0), (1, 1)]
    calls.clear()
    more = _sweep(task, out_dir=tmp_path, instances=3)  # instances is not part of the key: extends
    assert sorted(calls) == [(0, 2), (1, 2)]
    calls.clear()
    again = _sweep(task, out_dir=tmp_path)
    assert calls == [] and again.points == resumed.points
    monkeypatch.setattr(sw, "_compute_point", real)
    assert _sweep(task).points == resumed.points
    assert len(more.points) == 6


def test_resume_drops_a_line_cut_short(task, tmp_path):
    full = _sweep(task, out_dir=tmp_path)
    f = tmp_path / "points.jsonl"
    lines = f.read_text().splitlines()
    f.write_text("\n".join(lines[:2]) + "\n" + lines[2][:20])
    assert _sweep(task, out_dir=tmp_path).points == full.points
    assert len(f.read_text().splitlines()) == 4


@pytest.mark.parametrize("edit, match", [
    (lambda rec: rec.update(accuracy=1.0), "line 2: its checksum does not match"),
    (lambda rec: rec.pop("checksum"), "line 2: .*expected a point record"),
    (lambda rec: rec.update(value_index=[0]), "line 2: .*expected a point record"),
])
def test_resume_refuses_edited_records_by_line(task, tmp_path, edit, match):
    _sweep(task, out_dir=tmp_path)
    f = tmp_path / "points.jsonl"
    records = [json.loads(line) for line in f.read_text().splitlines()]
    edit(records[1])
    f.write_text("".join(json.dumps(rec) + "\n" for rec in records))
    with pytest.raises(SpecError, match=match):
        _sweep(task, out_dir=tmp_path)


@pytest.mark.parametrize("line", ["3", "null", "[1, 2]", '"text"', "[" * 50_000])
def test_resume_refuses_lines_that_are_not_records(task, tmp_path, line):
    _sweep(task, out_dir=tmp_path)
    f = tmp_path / "points.jsonl"
    lines = f.read_text().splitlines()
    f.write_text("\n".join([lines[0], line, *lines[1:]]) + "\n")
    with pytest.raises(SpecError, match="line 2"):
        _sweep(task, out_dir=tmp_path)


def test_other_arguments_are_refused(task, tmp_path):
    _sweep(task, out_dir=tmp_path)
    for change in ({"seed": 4}, {"values": [0.0, 0.5]}, {"param": "sigma", "kind": "weight_variation",
                                                           "values": [0.4, 0.0]}):
        with pytest.raises(SpecError, match="other arguments"):
            _sweep(task, out_dir=tmp_path, **change)
    _sweep(task, out_dir=tmp_path, spec=StandInSpec(sigma=0.1))  # the swept parameter's own value does not count
    graph, chip, x, y = task
    with pytest.raises(SpecError, match="other arguments"):
        sweep(graph, chip, x[:20], y[:20], StandInSpec(), "weight_variation", "sigma", [0.0, 0.4], 2, seed=3,
              workers=1, out_dir=tmp_path, progress=False, _runner=standin_runner)


def test_bad_arguments(task):
    with pytest.raises(SpecError, match="instances"):
        _sweep(task, instances=0)
    with pytest.raises(SpecError, match="scheduler"):
        _sweep(task, scheduler="localhost:8786")
    with pytest.raises(SpecError, match="values"):
        _sweep(task, values=[])
    for workers in (0, -2, 1.5, True):
        with pytest.raises(SpecError, match="workers"):
            _sweep(task, workers=workers)


# ---------------------------------------------------------------------------- outputs
def test_json_csv_png(task, tmp_path):
    res = _sweep(task)
    paths = res.write(tmp_path)
    for name in ("sweep.json", "points.csv", "levels.csv", "accuracy_vs_sigma.png", "energy_vs_accuracy.png"):
        assert (tmp_path / name) in paths and (tmp_path / name).stat().st_size > 0
    data = json.loads((tmp_path / "sweep.json").read_text())
    assert data["points"] == res.points and data["levels"] == res.levels
    assert (tmp_path / "accuracy_vs_sigma.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    rows = (tmp_path / "points.csv").read_text().splitlines()
    assert rows[0].split(",") == list(sw.POINT_FIELDS) and len(rows) == 5
    assert float(rows[4].split(",")[4]) == res.points[3]["accuracy"]
    assert len((tmp_path / "levels.csv").read_text().splitlines()) == 3
    assert "| 0.4 | 2 |" in res.table()
    assert SweepResult(**data).to_json() == res.to_json()


# ---------------------------------------------------------------------------- execution back-ends
def test_local_pool_two_workers_equals_one(task):
    assert _sweep(task, workers=2).to_json() == _sweep(task, workers=1).to_json()


def test_dask_local_cluster_equals_local(task):
    import dask.distributed as distributed
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                                  dashboard_address=None) as cluster:
        remote = _sweep(task, scheduler=cluster.scheduler_address)
    assert remote.to_json() == _sweep(task, workers=1).to_json()


# ---------------------------------------------------------------------------- with the real hwsim.noise
def test_real_noise_point_alone_equals_sweep(task):
    from hwsim.noise import load_noise

    graph, chip, x, y = task
    spec = load_noise({"version": 1, "sources": [{"kind": "weight_variation", "sigma": 0.1}]})
    res = sweep(graph, chip, x, y, spec, "weight_variation", "sigma", [0.0, 0.3], instances=2, seed=5,
                workers=1, progress=False)
    alone = sw.run_point(graph, chip, x, y, spec, "weight_variation", "sigma", 0.3, 5, 1, 1)
    assert res.points[3] == {k: alone[k] for k in sw.POINT_FIELDS}
    assert res.levels[0]["energy_change"] == 0.0


def test_real_noise_pool_equals_in_process(task):
    graph, chip, x, y = task
    spec = {"version": 1, "sources": [{"kind": "weight_variation", "sigma": 0.1}]}
    args = (graph, chip, x, y, spec, "weight_variation", "sigma", [0.0, 0.3])
    one = sweep(*args, instances=2, seed=1, workers=1, progress=False)
    two = sweep(*args, instances=2, seed=1, workers=2, progress=False)
    assert one.to_json() == two.to_json()


def test_cli_noise(tmp_path, capsys):
    from hwsim.cli import main

    spec = tmp_path / "spec.yaml"
    spec.write_text("version: 1\nsources:\n  - kind: weight_variation\n    sigma: 0.1\n")
    out = tmp_path / "out"
    argv = ["noise", "--noise", str(spec), "--kind", "weight_variation", "--param", "sigma", "--values", "0,0.3",
            "--instances", "2", "--samples", "30", "--workers", "1", "--out", str(out)]
    assert main(argv) == 0
    text = capsys.readouterr().out
    assert "| 0.3 | 2 |" in text and "digits_snn on loihi" in text
    for name in ("sweep.json", "points.csv", "levels.csv", "accuracy_vs_sigma.png", "energy_vs_accuracy.png",
                 "points.jsonl"):
        assert (out / name).is_file()
    assert main(["noise"] + argv[3:]) == 0  # no --noise: a spec with just the kind (same sweep: resumed)
    assert main(argv[:8] + ["0,0.2"] + argv[9:]) == 2  # other values, same --out: refused
    assert "other arguments" in capsys.readouterr().err
