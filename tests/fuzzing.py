"""Mutations of files and specs for the loaders' fuzz tests (tests/test_*_loaders.py, tests/test_spec_fuzz.py)
and the long fuzz run (bench/fuzz_loaders.py). Each takes a ``pick`` that draws the choices: hypothesis in
the tests (:func:`hypothesis_pick`), a seeded numpy generator in the script (:func:`random_pick`)."""
from __future__ import annotations

import copy
from typing import Callable, Sequence

import numpy as np

from hwsim.ir import Graph

#: Values a hostile or careless user writes where a number, a name or a list belongs.
ODD_VALUES = [0, -1, 1, 65, 200, 10 ** 6, 10 ** 18, 10 ** 400, 1e308, -1e308, float("nan"), float("inf"), 0.5,
              True, None, "", "x" * 300, "1e-3", [], [0], [10 ** 4, 10 ** 4], {}, {"value": 1}, [[1, 2], [3]]]


class Pick:
    """Draws choices: ``integer(low, high)`` (inclusive) and ``choice(options)``."""

    def __init__(self, integer: Callable[[int, int], int]):
        self.integer = integer

    def choice(self, options: Sequence):
        return options[self.integer(0, len(options) - 1)]


def hypothesis_pick(data) -> Pick:
    """Choices drawn by hypothesis (``st.data()``), so failures shrink."""
    from hypothesis import strategies as st

    return Pick(lambda low, high: data.draw(st.integers(low, high)))


def random_pick(rng) -> Pick:
    """Choices drawn by a numpy ``Generator``."""
    return Pick(lambda low, high: int(rng.integers(low, high + 1)))


def damage_bytes(original: bytes, pick: Pick) -> bytes:
    """``original`` truncated, or with 1-6 bits flipped."""
    damaged = bytearray(original)
    if pick.integer(0, 1):
        return bytes(damaged[:pick.integer(0, len(damaged) - 1)])
    for _ in range(pick.integer(1, 6)):
        at = pick.integer(0, len(damaged) - 1)
        damaged[at] ^= 1 << pick.integer(0, 7)
    return bytes(damaged)


def _paths(tree, prefix=()):
    """Every (path, value) of a YAML tree, leaves and branches."""
    yield prefix, tree
    if isinstance(tree, dict):
        for key, value in tree.items():
            yield from _paths(value, prefix + (key,))
    elif isinstance(tree, list):
        for index, value in enumerate(tree):
            yield from _paths(value, prefix + (index,))


def mutate_tree(tree, pick: Pick):
    """A deep copy of ``tree`` with one node replaced by an odd value, deleted, or its key renamed."""
    tree = copy.deepcopy(tree)
    paths = [p for p, _ in _paths(tree) if p]
    path = pick.choice(paths)
    parent = tree
    for key in path[:-1]:
        parent = parent[key]
    action = pick.choice(["replace", "replace", "replace", "delete", "rename"])
    if action == "replace":
        parent[path[-1]] = pick.choice(ODD_VALUES)
    elif action == "delete":
        del parent[path[-1]]
    elif isinstance(parent, dict):
        parent[f"{path[-1]}_x"] = parent.pop(path[-1])
    return tree


def small_graph() -> Graph:
    """in (4) -> h (3 LIF) -> o, 5 steps: what a mutated chip profile or noise spec is run on."""
    g = Graph("fuzz", dt_s=1e-3, metadata={"n_steps": 5})
    g.add_input("in", 4)
    g.add_population("h", 3, "lif", v_th=1.0, decay_mem=0.9, decay_syn=0.5)
    g.add_projection("in", "h", np.full((3, 4), 0.6))
    g.add_output("o", "h")
    return g
