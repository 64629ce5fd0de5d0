"""Carry quantised networks and their inputs to another Python environment in one ``.npz``.

Lava runs in its own environment (``.venv-lava``), so the parity tests and the benchmark
write their cases with :func:`save_cases`, run ``tests/lava_oracle.py`` there, and read the
answers back. Every array of a :class:`QuantizedNetwork` is stored under
``case<k>/<record>/<field>``; the other fields go into one JSON header.
"""
from __future__ import annotations

import json
from dataclasses import fields
from pathlib import Path
from typing import Sequence

import numpy as np

from hwsim.errors import SpecError
from hwsim.quantize import IntegerArithmetic, QInput, QPopulation, QProjection, QuantizedNetwork

FORMAT = "hwsim-lava-cases/2"


def _plain(value):
    """A JSON-ready copy of a scalar field (numpy scalars become Python numbers)."""
    return value.item() if isinstance(value, np.generic) else value


def _pack(record, prefix: str, arrays: dict) -> dict:
    meta = {}
    for f in fields(record):
        value = getattr(record, f.name)
        if isinstance(value, np.ndarray):
            arrays[f"{prefix}/{f.name}"] = value
        else:
            meta[f.name] = _plain(value)
    return meta


def _unpack(cls, meta: dict, prefix: str, arrays) -> object:
    kwargs = dict(meta)
    for f in fields(cls):
        if f.name not in kwargs:
            kwargs[f.name] = arrays[f"{prefix}/{f.name}"]
    return cls(**kwargs)


def save_cases(path: str | Path, cases: Sequence[tuple[QuantizedNetwork, np.ndarray]]) -> None:
    """Write ``(network, input raster (T, n_input_channels))`` pairs to one ``.npz``.

    Parameters
    ----------
    path : str or Path
        Destination file.
    cases : sequence of (QuantizedNetwork, ndarray)
        Networks and one sample's input spikes each.
    """
    arrays, header = {}, []
    for k, (qnet, spikes) in enumerate(cases):
        arrays[f"case{k}/input_spikes"] = np.asarray(spikes, dtype=np.uint8)
        header.append({
            "arithmetic": _pack(qnet.arithmetic, f"case{k}/arithmetic", arrays),
            "inputs": [_pack(r, f"case{k}/input{j}", arrays) for j, r in enumerate(qnet.inputs)],
            "populations": [_pack(r, f"case{k}/pop{j}", arrays) for j, r in enumerate(qnet.populations)],
            "projections": [_pack(r, f"case{k}/proj{j}", arrays) for j, r in enumerate(qnet.projections)],
            "n_input_channels": qnet.n_input_channels, "n_neurons": qnet.n_neurons})
    np.savez(path, header=np.array(json.dumps({"format": FORMAT, "cases": header})), **arrays)


def load_cases(path: str | Path) -> list[tuple[QuantizedNetwork, np.ndarray]]:
    """Read the cases :func:`save_cases` wrote.

    Raises
    ------
    SpecError
        If the file was not written by :func:`save_cases`.
    """
    with np.load(path, allow_pickle=False) as data:
        header = json.loads(str(data["header"])) if "header" in data.files else {}
        if header.get("format") != FORMAT:
            raise SpecError(f"{path}: format {header.get('format')!r}; expected {FORMAT!r}. "
                            f"Hint: write it with hwsim.interop.lava_cases.save_cases.")
        arrays = {name: data[name] for name in data.files}
    cases = []
    for k, case in enumerate(header["cases"]):
        qnet = QuantizedNetwork(
            arithmetic=_unpack(IntegerArithmetic, case["arithmetic"], f"case{k}/arithmetic", arrays),
            inputs=tuple(_unpack(QInput, m, f"case{k}/input{j}", arrays) for j, m in enumerate(case["inputs"])),
            populations=tuple(_unpack(QPopulation, m, f"case{k}/pop{j}", arrays)
                              for j, m in enumerate(case["populations"])),
            projections=tuple(_unpack(QProjection, m, f"case{k}/proj{j}", arrays)
                              for j, m in enumerate(case["projections"])),
            n_input_channels=case["n_input_channels"], n_neurons=case["n_neurons"])
        cases.append((qnet, arrays[f"case{k}/input_spikes"]))
    return cases
