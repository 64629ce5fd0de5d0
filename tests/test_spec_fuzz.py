"""Mutated chip profiles and noise specs: each loads and runs, or fails with an hwsim error, never another
exception, a hang or a huge allocation. Every mutant that loads also runs a small network on it."""
from __future__ import annotations

import os
from importlib.resources import files

import numpy as np
import pytest
import yaml
from hypothesis import HealthCheck, given, settings, strategies as st

from hwsim.chips import available_chips, load_chip
from hwsim.errors import HwsimError
from hwsim.ir import Graph
from hwsim.noise import load_noise
from hwsim.pipeline import run

from fuzzing import hypothesis_pick, mutate_tree, small_graph

CHIP_TEXTS = {name: (files("hwsim.profiles") / f"{name}.yaml").read_text() for name in available_chips()}
NOISE_TEXTS = {path.name: path.read_text() for path in (files("hwsim.models") / "noise").iterdir()
               if path.name.endswith(".yaml")}
#: Examples per fuzz test (``HWSIM_FUZZ_EXAMPLES`` raises it for a long run outside CI).
EXAMPLES = int(os.environ.get("HWSIM_FUZZ_EXAMPLES", "150"))
SETTINGS = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _small_mlp() -> Graph:
    g = Graph("fuzz_mlp", dt_s=1e-3)
    g.add_input("in", 4)
    g.add_population("h", 3, "relu")
    g.add_projection("in", "h", np.full((3, 4), 0.5))
    g.add_population("out", 2, "identity")
    g.add_projection("h", "out", np.full((2, 3), 0.5))
    g.add_output("o", "out")
    return g


def _load_and_run_chip(path) -> None:
    """Load the chip; run a small network on it. hwsim errors are fine outcomes."""
    try:
        chip = load_chip(path)
        if chip.kind == "mac":
            run(_small_mlp(), chip, np.full((2, 4), 0.5), calibration=np.full((2, 4), 0.5))
        else:
            rng = np.random.default_rng(0)
            run(small_graph(), chip, (rng.random((2, 5, 4)) < 0.5).astype(np.uint8))
    except HwsimError:
        pass


@SETTINGS
@given(data=st.data())
def test_fuzz_chip_profiles(tmp_path_factory, data):
    name = data.draw(st.sampled_from(sorted(CHIP_TEXTS)))
    mutant = mutate_tree(yaml.safe_load(CHIP_TEXTS[name]), hypothesis_pick(data))
    path = tmp_path_factory.mktemp("chip") / f"{name}.yaml"
    path.write_text(yaml.safe_dump(mutant, allow_unicode=True))
    _load_and_run_chip(path)


@SETTINGS
@given(data=st.data())
def test_fuzz_noise_specs(tmp_path_factory, data):
    name = data.draw(st.sampled_from(sorted(NOISE_TEXTS)))
    mutant = mutate_tree(yaml.safe_load(NOISE_TEXTS[name]), hypothesis_pick(data))
    try:
        spec = load_noise(mutant)
        chip = load_chip("loihi")
        run(small_graph(), chip, np.ones((1, 5, 4), dtype=np.uint8), noise=spec, seed=1)
    except HwsimError:
        pass


@pytest.mark.parametrize("text", ["", "null", "- 1\n- 2", "{", "\t", "a: [", "&a [*a]", "\xff\xfe"])
def test_yaml_that_is_not_a_mapping(tmp_path, text):
    path = tmp_path / "c.yaml"
    path.write_bytes(text.encode("utf-8", "surrogateescape") if text != "\xff\xfe" else b"\xff\xfe\x00")
    with pytest.raises(HwsimError):
        load_chip(path)
    with pytest.raises(HwsimError):
        load_noise(path)
