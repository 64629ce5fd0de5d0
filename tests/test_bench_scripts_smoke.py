"""Smoke test of the two benchmarks that run as scripts: W3 (``bench/bench_lava.py``) and W4
(``bench/bench_sweep.py``), at their smallest sizes, as a user runs them. No timing is asserted.

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
