"""Smoke test of the benchmarks (``bench/``): the smallest size of each workload, in-process simulators only.

hwsim, the bare Numba kernel and the numpy implementation run W1 and W2 at their first declared
size; they must give the same spikes neuron by neuron, hwsim's own synapse counter must equal
the events counted from the spikes, and every record must carry the fields the driver reads.
No timing is asserted. The peers environment (Brian2, snnTorch) is not needed.
"""
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import harness, runner, workloads  # noqa: E402
from bench.results_md import write_section  # noqa: E402
from bench.run_all import workload_section  # noqa: E402
from bench.simulators import REFERENCE, SIMULATORS  # noqa: E402

IN_PROCESS = [k for k, s in SIMULATORS.items() if s.env == "main"]


@pytest.fixture(scope="module", params=sorted(workloads.SIZES))
def measured(request, tmp_path_factory, monkeypatch_module):
    workload = request.param
    monkeypatch_module.setattr(workloads, "DATA_DIR", tmp_path_factory.mktemp("bench_data"))
    size = workloads.SIZES[workload][0].name
    return workload, {k: runner.measure(k, workload, size, min_total_s=0.0) for k in IN_PROCESS}


@pytest.fixture(scope="module")
def monkeypatch_module():
    with pytest.MonkeyPatch.context() as mp:
        yield mp


def test_records_have_the_fields_the_driver_reads(measured):
    workload, records = measured
    for record in records.values():
        assert set(runner.FIELDS) <= set(record)
        assert record["size"] == workloads.SIZES[workload][0].name
        assert len(record["runs"]) >= 3 and all(r["s"] > 0 for r in record["runs"])
        assert set(record["spike_counts"]) == set(workloads.groups(workload))
        assert all(type(c) is int for counts in record["spike_counts"].values() for c in counts)
        assert record["threads"] == SIMULATORS[record["simulator"]].threads_for(record["batch"])


def test_in_process_simulators_agree_on_every_neuron(measured):
    workload, records = measured
    reference = records[REFERENCE]
    assert sum(reference["spike_totals"].values()) > 0
    for key, record in records.items():
        assert record["spike_counts"] == reference["spike_counts"], key
        assert harness.agreement(record, reference) == "yes"
        assert record["events"] == reference["events"] > 0


def test_hwsim_synapse_counter_equals_spikes_times_fan_out(measured):
    _, records = measured
    assert records["hwsim"]["synops"] == records["hwsim"]["events"]


def test_section_renders_and_replaces_only_its_markers(measured, tmp_path):
    workload, records = measured
    rows = [harness.summarise(harness.Task(k, workload, r["size"]), [r], [records[REFERENCE]])
            for k, r in records.items()]
    body = workload_section(workload, rows, "python bench/run_all.py --quick", 1)
    assert body.count("| yes |") == len(IN_PROCESS)
    results = tmp_path / "RESULTS.md"
    results.write_text("# Benchmarks\n\n<!-- other: begin -->\nkept\n<!-- other: end -->\n")
    for _ in range(2):
        write_section(f"peers_{workload}", body, results)
    text = results.read_text()
    assert "kept" in text and text.count(f"<!-- peers_{workload}: begin -->") == 1
