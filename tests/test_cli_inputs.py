"""`hwsim run` with a user's network: input kinds, snnTorch resets, recording, and honest task data."""
import json
from pathlib import Path

import numpy as np
import pytest

from hwsim.cli import main

DATA = Path(__file__).resolve().parents[1] / "models" / "data" / "snntorch"


def _run(capsys, *argv):
    status = main(["run", *argv])
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def test_direct_input_model_runs_as_trained(tmp_path, capsys):
    """A model trained with direct input: --input-kind current feeds the features at every step and the
    accuracy equals snnTorch's on the same samples."""
    name = "leaky_subtract_nodelay_current"
    expected = np.load(DATA / f"{name}.expected.npz")
    np.savez(tmp_path / "held.npz", x=expected["x"], y=expected["y"])
    status, out, err = _run(capsys, str(DATA / f"{name}.nir"), "--dt", "1e-4", "--convention", "snntorch",
                            "--reset-mechanism", "subtract", "--no-reset-delay", "--input-kind", "current",
                            "--steps", "25", "--chip", "ideal", "--inputs", str(tmp_path / "held.npz"),
                            "--record", str(tmp_path / "rec"), "--json", str(tmp_path / "r.json"))
    assert status == 0, err
    report = json.loads((tmp_path / "r.json").read_text())[0]
    assert report["accuracy"] == pytest.approx(np.mean(expected["pred_hwsim_rule"] == expected["y"]))
    assert report["data"]["inputs"] == "constant current (direct input), 25 steps"
    assert "warning" not in report["data"] and "warning" not in err
    with np.load(tmp_path / "rec" / f"{name}_ideal.npz") as rec:
        np.testing.assert_array_equal(rec["spikes/3"], expected["spk_3"])
        assert rec["v/1"].shape == (40, 32) and rec["u/1"].shape == (40, 1, 32)


def test_bundled_split_on_a_foreign_model_warns(tmp_path, capsys):
    status, out, err = _run(capsys, str(DATA / "leaky_subtract_delay_spike.nir"), "--dt", "1e-4", "--convention",
                            "snntorch", "--reset-mechanism", "subtract", "--task", "digits", "--steps", "25",
                            "--samples", "8", "--chip", "ideal", "--json", str(tmp_path / "r.json"))
    assert status == 0, err
    assert "warning: the accuracy is measured on hwsim's own digits split" in err and "--inputs" in err
    data = json.loads((tmp_path / "r.json").read_text())[0]["data"]
    assert "hwsim's test split" in data["source"] and "may be inflated" in data["warning"]
    assert data["inputs"] == "values rate-encoded 'regular', 25 steps"


def test_bundled_model_on_its_own_split_does_not_warn(tmp_path, capsys):
    status, _, err = _run(capsys, "--chip", "ideal", "--samples", "4", "--json", str(tmp_path / "r.json"))
    assert status == 0 and "warning" not in err
    data = json.loads((tmp_path / "r.json").read_text())[0]["data"]
    assert "warning" not in data and data["source"].endswith("the first 4")


def test_bernoulli_encoding_takes_the_seed(tmp_path, capsys):
    reports = []
    for seed in ("1", "1", "2"):
        out = tmp_path / f"r{seed}.json"
        status, _, err = _run(capsys, "--chip", "ideal", "--samples", "16", "--encoding", "bernoulli", "--seed", seed,
                              "--json", str(out))
        assert status == 0, err
        reports.append(json.loads(out.read_text())[0]["ops_per_inference"]["spike"])
    assert reports[0] == reports[1] != reports[2]


@pytest.mark.parametrize("argv, message", [
    (["models/data/digits_snn.npz", "--input-kind", "current"],
     "--input-kind current: model 'digits_snn' has spike inputs; expected current"),
    (["--samples", "0"], "argument --samples: '0' is out of range; expected 1..1,000,000,000"),
    (["--samples", "-1"], "argument --samples: '-1' is out of range"),
    (["--samples", "2", "--encoding", "bernoulli", "--seed", "-1"], "argument --seed: '-1' is out of range"),
    (["--samples", "2", "--steps", "0"], "argument --steps: '0' is out of range; expected 1..10,000,000"),
    (["--samples", "2", "--steps", "1e7"], "argument --steps: '1e7' is not a whole number"),
    (["models/data/digits_snn.npz", "--reset-mechanism", "zero"], "--reset-mechanism: only applies to NIR"),
])
def test_bad_run_options_are_named(tmp_path, capsys, argv, message):
    status, _, err = _run(capsys, "--chip", "ideal", *argv, "--json", str(tmp_path / "r.json"))
    assert status == 2 and message in err, err


def test_reset_options_need_each_other_and_snntorch(tmp_path, capsys):
    nir_file = str(DATA / "leaky_zero_delay_spike.nir")
    status, _, err = _run(capsys, nir_file, "--dt", "1e-4", "--convention", "snntorch", "--no-reset-delay",
                          "--task", "digits", "--steps", "5", "--samples", "2", "--json", str(tmp_path / "r.json"))
    assert status == 2 and "given without --reset-mechanism" in err
    status, _, err = _run(capsys, nir_file, "--dt", "1e-4", "--convention", "literal", "--reset-mechanism", "zero",
                          "--task", "digits", "--steps", "5", "--samples", "2", "--json", str(tmp_path / "r.json"))
    assert status == 2 and "expected convention 'snntorch'" in err


def test_output_paths_are_checked_before_the_run(tmp_path, capsys):
    status, _, err = _run(capsys, "--chip", "ideal", "--samples", "2", "--json", str(tmp_path))
    assert status == 2 and "--json" in err and "a directory; expected a file name" in err
    nested = tmp_path / "new" / "folder" / "r.json"
    status, _, err = _run(capsys, "--chip", "ideal", "--samples", "2", "--json", str(nested))
    assert status == 0 and json.loads(nested.read_text())[0]["chip"] == "ideal"
    (tmp_path / "a_file").write_text("x")
    status, _, err = _run(capsys, "--chip", "ideal", "--samples", "2", "--json", str(tmp_path / "r.json"),
                          "--record", str(tmp_path / "a_file"))
    assert status == 2 and "--record" in err and "an existing file; expected a folder" in err
    status, _, err = _run(capsys, "--chip", "ideal", "--samples", "2", "--json", str(tmp_path / ("n" * 300)))
    assert status == 2 and "cannot be used (" in err and "File name too long" in err


def test_json_dash_writes_the_report_alone_to_stdout(capsys):
    status, out, err = _run(capsys, "--chip", "ideal", "--samples", "2", "--json", "-")
    assert status == 0 and json.loads(out)[0]["chip"] == "ideal"
    assert "| chip |" in err and "full report: stdout" in err


@pytest.mark.parametrize("argv, message", [
    (["noise", "--kind", "weight_variation", "--param", "sigma", "--values", "0", "--instances", "1000000000"],
     "argument --instances: '1000000000' is out of range; expected 1..1,000,000"),
    (["noise", "--kind", "weight_variation", "--param", "sigma", "--values", "0", "--workers", "0"],
     "argument --workers: '0' is out of range"),
    (["export-verilog", "--vectors", "0"], "argument --vectors: '0' is out of range"),
    (["export-verilog", "--vectors", "2", "--top", "mlp\n"], "not a Verilog identifier"),
])
def test_bad_counts_and_names_are_refused(capsys, argv, message):
    status = main(argv)
    assert status == 2 and message in capsys.readouterr().err


def test_out_onto_a_file_is_refused(tmp_path, capsys):
    (tmp_path / "taken").write_text("x")
    status = main(["noise", "--kind", "weight_variation", "--param", "sigma", "--values", "0", "--out",
                   str(tmp_path / "taken")])
    assert status == 2 and "an existing file; expected a folder" in capsys.readouterr().err


def test_a_multi_chip_run_goes_past_a_chip_that_cannot_take_the_model(tmp_path, capsys):
    """Without --chip a model runs on every chip of its kind; a chip that cannot take it gets a row with the
    reason, and only when no chip can does the command fail."""
    argv = [str(DATA / "conv_subtract_nodelay_current.nir"), "--dt", "1e-4", "--convention", "snntorch",
            "--reset-mechanism", "subtract", "--no-reset-delay", "--input-kind", "current", "--task", "digits",
            "--steps", "5", "--samples", "2", "--json", str(tmp_path / "r.json")]
    status, out, err = _run(capsys, *argv)
    assert status == 0, err
    assert "| ideal | conv_subtract_nodelay_current |" in out
    assert "| loihi | conv_subtract_nodelay_current | cannot run |" in out and "binary spikes only" in out
    assert [r["chip"] for r in json.loads((tmp_path / "r.json").read_text())] == ["ideal"]
    status, _, err = _run(capsys, *argv, "--chip", "loihi")
    assert status == 2 and "binary spikes only" in err


def test_version_and_a_chip_by_name(capsys):
    import hwsim

    assert main(["--version"]) == 0 and capsys.readouterr().out.strip() == f"hwsim {hwsim.__version__}"
    graph = hwsim.load_graph(Path(__file__).resolve().parents[1] / "models" / "data" / "digits_snn.npz")
    from hwsim.tasks import task_data
    data = task_data(graph, samples=3)
    assert hwsim.run(graph, "loihi", data.x, data.y).report.chip == "loihi"


def test_noise_sweeps_a_nir_model(tmp_path, capsys):
    argv = ["noise", str(DATA / "leaky_zero_delay_spike.nir"), "--dt", "1e-4", "--convention", "snntorch",
            "--reset-mechanism", "zero", "--task", "digits", "--steps", "5", "--samples", "4", "--chip", "ideal",
            "--kind", "membrane_noise", "--param", "sigma", "--values", "0,0.5", "--instances", "1",
            "--out", str(tmp_path / "sweep")]
    assert main(argv) == 0, capsys.readouterr().err
    out = capsys.readouterr().out
    assert "leaky_zero_delay_spike on ideal: membrane_noise.sigma" in out
    assert (tmp_path / "sweep" / "sweep.json").is_file()


def test_every_hint_names_options_commands_and_modules_that_exist():
    """Each ``--flag``, ``hwsim <command>`` and ``python -m <module>`` an error hint names must exist."""
    import argparse
    import importlib.util
    import re

    from hwsim.cli import build_parser

    root = Path(__file__).resolve().parents[1]
    sources = [p for folder in ("hwsim", "models", "kernels") for p in (root / folder).rglob("*.py")]
    hints = [h for p in sources for h in re.findall(r"Hint:[^\"]*", p.read_text())]
    parser = build_parser()
    commands, flags = {}, set()

    def walk(p, prefix=()):
        for action in p._actions:
            flags.update(action.option_strings)
            if isinstance(action, argparse._SubParsersAction):
                for name, sub in action.choices.items():
                    commands[" ".join((*prefix, name))] = sub
                    walk(sub, (*prefix, name))
    walk(parser)
    named_flags = {f for h in hints if "apt-get" not in h for f in re.findall(r"(--[a-z][a-z-]+)", h)}
    named_commands = {c for h in hints for c in re.findall(r"hwsim ([a-z][a-z-]+)", h)}
    named_modules = {m.rstrip(".") for h in hints for m in re.findall(r"python -m ([a-z_.]+)", h)}
    assert len(hints) > 30 and named_flags and named_commands and named_modules
    assert not named_flags - flags, f"hints name options hwsim does not have: {sorted(named_flags - flags)}"
    assert not {c for c in named_commands if c not in commands and c not in ("runs",)}, named_commands
    assert all(importlib.util.find_spec(m) is not None for m in named_modules), named_modules
