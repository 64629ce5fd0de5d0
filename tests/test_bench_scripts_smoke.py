"""Smoke test of the benchmarks that run as scripts: W3 (``bench/bench_lava.py``), W4
(``bench/bench_sweep.py``) and the scale table (``bench/scale.py``: W3, W5, W6 and the digits row against Lava),
at their smallest sizes, as a user runs them. No timing is asserted.

W3 needs the Lava environment (``python -m hwsim.interop.lava_env``, part of the test setup, as
for ``test_lava_parity.py``); the script itself fails when hwsim's and Lava's spikes or final u, v
differ. W4 must give identical points in every configuration, warm and in fresh processes.
"""
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _script(args: list[str]) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, *args], cwd=ROOT, capture_output=True, text=True, timeout=600)


def test_w4_sweep_bench_gives_identical_points_in_every_configuration(tmp_path):
    out = tmp_path / "sweep.json"
    done = _script(["bench/bench_sweep.py", "--workload", "1:20", "--repeats", "1", "--no-write", "--json", str(out)])
    assert done.returncode == 0, done.stderr
    (rec,) = json.loads(out.read_text())
    assert rec["identical"] and rec["label"] == "4 points x 20 samples"
    assert "identical points: yes" in done.stdout and "identical points: NO" not in done.stdout
    assert set(rec["speeds_vs_1_core"]) == {"2 cores: 1 worker, 2 threads", "2 cores: 2 workers x 1 thread"}


def test_w3_lava_bench_matches_lava_bit_for_bit(tmp_path):
    out = tmp_path / "lava.json"
    done = _script(["bench/bench_lava.py", "--steps", "20", "--repeats", "1", "--no-write", "--json", str(out)])
    assert done.returncode == 0, done.stdout + done.stderr
    rec = json.loads(out.read_text())
    assert rec["identical"] and rec["steps"] == 20 and rec["speed_vs_lava"] > 0


def test_scale_table_runs_every_kind_of_row_at_tiny_size(tmp_path):
    out = tmp_path / "scale.json"
    done = _script(["bench/scale.py", "--tiny", "--rows", "W3:loihi", "W5:ideal", "W6:ideal", "W6-loihi:loihi",
                    "digits", "--repeats", "1", "--lava-samples", "2", "--json", str(out)])
    assert done.returncode == 0, done.stdout + done.stderr
    rows = {rec["row"]: rec for rec in json.loads(out.read_text())}
    for row in ("W3:loihi", "W6:ideal", "W6-loihi:loihi"):
        rec = rows[row]
        assert rec["synapses"] > 0 and rec["first_step_s"] == rec["map_s"] + rec["quantise_s"] + rec["lower_s"]
        assert rec["run_s"] > 0 and rec["peak_rss_mib"] > 0 and f"| {row} (" in done.stdout
    assert rows["W6:ideal"]["synapses"] == rows["W6-loihi:loihi"]["synapses"]      # both W6_TINY when --tiny
    assert "W5:ideal" in rows                                # measured once W5 lands, else marked unavailable
    digits = rows["digits"]
    assert digits["identical"] and digits["samples"] == 360 and digits["lava_samples"] == 2
    assert "Spikes identical to Lava's on those samples: yes" in done.stdout


def test_w5_energy_reports_both_realtime_modes_at_tiny_size():
    done = _script(["bench/w5_energy.py", "--scale", "0.01", "--steps", "20"])
    assert done.returncode == 0, done.stdout + done.stderr
    rows = [line.split(" | ") for line in done.stdout.splitlines() if line.startswith(("| scale |", "| pin |"))]
    assert [row[0] for row in rows] == ["| scale", "| pin"]
    assert all(float(row[9]) > 0 for row in rows)                     # energy per synaptic event, uJ
    assert rows[1][2] == "1"                                          # pinned: no time-scale factor
