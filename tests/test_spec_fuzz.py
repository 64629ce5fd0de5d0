"""Mutated chip profiles and noise specs: each loads and runs, or fails with an hwsim error, never another
exception, a hang or a huge allocation. Every mutant that loads also runs a small network on it."""
from __future__ import annotations

import copy
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

CHIP_TEXTS = {name: (files("hwsim.profiles") / f"{name}.yaml").read_text() for name in available_chips()}
NOISE_TEXTS = {path.name: path.read_text() for path in (files("hwsim.models") / "noise").iterdir()
               if path.name.endswith(".yaml")}
#: Values a hostile or careless user writes where a number, a name or a list belongs.
ODD_VALUES = [0, -1, 1, 65, 200, 10 ** 6, 10 ** 18, 10 ** 400, 1e308, -1e308, float("nan"), float("inf"), 0.5,
              True, None, "", "x" * 300, "1e-3", [], [0], [10 ** 4, 10 ** 4], {}, {"value": 1}, [[1, 2], [3]]]
#: Examples per fuzz test (``HWSIM_FUZZ_EXAMPLES`` raises it for a long run outside CI).
EXAMPLES = int(os.environ.get("HWSIM_FUZZ_EXAMPLES", "150"))
SETTINGS = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _paths(tree, prefix=()):
    """Every (path, value) of a YAML tree, leaves and branches."""
    yield prefix, tree
    if isinstance(tree, dict):
        for key, value in tree.items():
            yield from _paths(value, prefix + (key,))
    elif isinstance(tree, list):
        for index, value in enumerate(tree):
            yield from _paths(value, prefix + (index,))


def _mutate(tree, data):
    """Replace, delete or duplicate one node of ``tree`` (a deep copy)."""
    tree = copy.deepcopy(tree)
    paths = [p for p, _ in _paths(tree) if p]
    path = data.draw(st.sampled_from(paths))
    parent = tree
    for key in path[:-1]:
        parent = parent[key]
    action = data.draw(st.sampled_from(["replace", "replace", "replace", "delete", "rename"]))
    if action == "replace":
        parent[path[-1]] = data.draw(st.sampled_from(ODD_VALUES))
    elif action == "delete":
        del parent[path[-1]]
    elif isinstance(parent, dict):
        parent[f"{path[-1]}_x"] = parent.pop(path[-1])
    return tree


def _small_graph() -> Graph:
    g = Graph("fuzz", dt_s=1e-3, metadata={"n_steps": 5})
    g.add_input("in", 4)
    g.add_population("h", 3, "lif", v_th=1.0, decay_mem=0.9, decay_syn=0.5)
    g.add_projection("in", "h", np.full((3, 4), 0.6))
    g.add_output("o", "h")
    return g


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
            run(_small_graph(), chip, (rng.random((2, 5, 4)) < 0.5).astype(np.uint8))
    except HwsimError:
        pass


@SETTINGS
@given(data=st.data())
def test_fuzz_chip_profiles(tmp_path_factory, data):
    name = data.draw(st.sampled_from(sorted(CHIP_TEXTS)))
    mutant = _mutate(yaml.safe_load(CHIP_TEXTS[name]), data)
    path = tmp_path_factory.mktemp("chip") / f"{name}.yaml"
    path.write_text(yaml.safe_dump(mutant, allow_unicode=True))
    _load_and_run_chip(path)


@SETTINGS
@given(data=st.data())
def test_fuzz_noise_specs(tmp_path_factory, data):
    name = data.draw(st.sampled_from(sorted(NOISE_TEXTS)))
    mutant = _mutate(yaml.safe_load(NOISE_TEXTS[name]), data)
    try:
        spec = load_noise(mutant)
        chip = load_chip("loihi")
        run(_small_graph(), chip, np.ones((1, 5, 4), dtype=np.uint8), noise=spec, seed=1)
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
