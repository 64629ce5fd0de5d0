"""docs/validation.md stays what bench/validate.py computes, and its cheap rows are recomputed here."""
import json

import pytest

from bench import validate
from bench.results_md import markers
from hwsim.chips import load_chip

RESULTS = json.loads(validate.RESULTS.read_text())


def test_kws_logs_give_the_papers_table_1():
    """Blouw et al. 2019, Table 1 (Loihi): idle 0.029 W, running 0.110 W, 296 inf/s, 0.00027 J per inference."""
    kws = validate.kws_measured()
    assert round(kws["idle_w"], 3) in (0.029, 0.030) and round(kws["running_w"], 3) == 0.110
    assert round(kws["inferences_per_s"]) == 296
    assert round(kws["dynamic_uj_per_inference"] * 1e-6, 5) == 0.00027
    assert kws["dynamic_vdd_w"] + kws["dynamic_vddm_w"] == pytest.approx(kws["dynamic_w"], rel=1e-9)


def test_lava_benchmark_outputs_are_consistent():
    snn = validate.lava_benchmark("pilotnet_snn")
    assert snn["fps"] == 408.91 and snn["static_w"] == 0.232078
    assert snn["total_w"] == pytest.approx(snn["dynamic_w"] + snn["static_w"], abs=2e-6)
    assert snn["total_w"] == pytest.approx(snn["vdd_w"] + snn["vddm_w"] + snn["vddio_w"], abs=2e-6)
    assert snn["dynamic_mj"] == pytest.approx(snn["dynamic_w"] / snn["fps"] * 1e3, rel=1e-4)


def test_no_loihi2_constant_comes_from_the_validating_benchmark():
    """pilotnet_snn validates loihi2; only pilotnet_sdnn (calibration) may be cited by its constants."""
    chip = load_chip("loihi2")
    tables = (chip.energy_pj, chip.time_ns, chip.static_power_mw, chip.timing, chip.rail_static_power_mw)
    assert not [c.source for t in tables for c in t.values() if "pilotnet_snn" in c.source]


def test_cheap_rows_recompute_to_the_stored_results():
    stored = {r["name"]: r for r in RESULTS["rows"]}
    for row in validate.cheap_rows():
        old = stored[row["name"]]
        assert row["measured"] == pytest.approx(old["measured"], rel=1e-9), row["name"]
        assert row["hwsim"] == pytest.approx(old["hwsim"], rel=1e-9), row["name"]
        assert (row["role"], row["assumed"], row["command"]) == (old["role"], old["assumed"], old["command"])


def test_pilotnet_rows_follow_from_the_stored_run():
    """The PilotNet rows are the stored hwsim run (bench/validation.json) against the benchmark's output."""
    stored = {r["name"]: r for r in RESULTS["rows"]}
    for row in validate.pilotnet_rows(RESULTS["pilotnet"]):
        old = stored[row["name"]]
        assert row["hwsim"] == pytest.approx(old["hwsim"], rel=1e-12), row["name"]
        assert row["measured"] == pytest.approx(old["measured"], rel=1e-12), row["name"]


def test_the_doc_table_is_the_scripts():
    text = validate.DOC.read_text()
    begin, end = markers(validate.SECTION)
    block = text.split(begin, 1)[1].split(end, 1)[0]
    assert block == "\n" + validate.table(RESULTS["rows"])
