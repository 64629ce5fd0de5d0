"""Published printed MLP designs rebuilt from their authors' public sources, and hwsim's cost beside theirs.

Each design is one JSON file in ``models/printed/`` (``ORIGIN.md`` there names the repository,
commit, paths and licence): its integer layers, read from the published Verilog by
:mod:`hwsim.printed.hdl_import`, and, where the repository publishes them, the synthesis
figures (Design Compiler area, PrimeTime power, critical path at the 200 ms clock).
Each design's ``mlp`` is its rebuild as a :class:`~hwsim.qmlp.QuantizedMLP` (input-bit masks as
``QLayer.input_mask``); iverilog checks the rebuild against the published Verilog
(``tests/test_printed_published.py``). :func:`validate` costs every design with
:func:`~hwsim.printed.cost.printed_cost` and :func:`validation_table` writes the table of
docs/printed.md ("Published designs rebuilt from their sources").
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

import hwsim.models

from hwsim.chips import ChipProfile
from hwsim.errors import GraphError, SpecError, cut, one_of
from hwsim.printed.cost import PrintedCost, printed_cost
from hwsim.qmlp import QLayer, QuantizedMLP

DATA_DIR = Path(hwsim.models.__file__).resolve().parent / "printed"
#: Largest design file read (the published ones are under 10 kB).
MAX_FILE_BYTES = 1 << 20
_FIELDS = {"name": str, "paper": str, "doi": (str, type(None)), "dataset": str, "approximation": str,
           "input_bits": int, "n_inputs": int, "layers": list, "published": (dict, type(None)), "source": dict}
_LAYER_FIELDS = {"weight": list, "bias": list, "shift": int, "relu": bool, "act_max": int,
                 "input_mask": (list, type(None))}
_PUBLISHED_FIELDS = {"area_cm2": float, "power_mw": float, "leakage_mw": float, "critical_path_ms": float,
                     "logic_levels": int, "cells": int, "clock_ms": float, "accuracy_pct": float, "tool": str}
_SOURCE_FIELDS = {"repo": str, "commit": str, "hdl": str, "reports": (str, type(None)), "license": str}


@dataclass(frozen=True)
class PublishedDesign:
    """One published design (fields as in its JSON file, module doc).

    Attributes
    ----------
    name, paper, dataset, approximation : str
        Identifier, citation, dataset and what the design approximates.
    doi : str or None
        The paper's DOI where the repository gives one.
    input_bits : int
        Width of each input code.
    mlp : QuantizedMLP
        The integer circuit.
    published : dict or None
        ``area_cm2``, ``power_mw``, ``leakage_mw``, ``critical_path_ms``, ``logic_levels``,
        ``cells``, ``clock_ms``, ``accuracy_pct``, ``tool``; None when only the HDL is published.
    source : dict
        ``repo``, ``commit``, ``hdl``, ``reports``, ``license``.
    """

    name: str
    paper: str
    doi: str | None
    dataset: str
    approximation: str
    input_bits: int
    mlp: QuantizedMLP
    published: dict | None
    source: dict


def _check_fields(record, fields: dict, where: str) -> None:
    if not isinstance(record, dict):
        raise SpecError(f"{where}: {type(record).__name__}; expected an object with {sorted(fields)}.")
    missing, unknown = sorted(set(fields) - set(record)), sorted(set(record) - set(fields))
    if missing or unknown:
        raise SpecError(f"{where}: missing {missing}, unknown {unknown}; expected exactly {sorted(fields)}.")
    for key, kind in fields.items():
        value = record[key]
        kinds = kind if isinstance(kind, tuple) else (kind,)
        ok = isinstance(value, kinds) and not (isinstance(value, bool) and bool not in kinds)
        if kind is float and isinstance(value, int) and not isinstance(value, bool):
            ok = True
        if not ok:
            raise SpecError(f"{where}.{key}: {cut(repr(value), 60)}; expected {' or '.join(k.__name__ for k in kinds)}.")


def _int_matrix(value, shape: tuple, where: str) -> np.ndarray:
    try:
        array = np.array(value, dtype=object)
    except ValueError:
        array = None
    if array is None or array.shape != shape or not all(type(v) is int for v in array.flat):
        found = "ragged lists" if array is None else f"shape {array.shape}"
        raise SpecError(f"{where}: {found}; expected integers of shape {shape}.")
    if any(abs(v) >= 1 << 62 for v in array.flat):
        raise SpecError(f"{where}: a value of magnitude 2**62 or more; expected int64 values with headroom.")
    return array.astype(np.int64)


def _layers(layers: list, n_inputs: int, input_bits: int, where: str) -> tuple[QLayer, ...]:
    if not 1 <= len(layers) <= 8:
        raise SpecError(f"{where}.layers: {len(layers)} layers; expected 1 to 8.")
    built, n_in = [], n_inputs
    for i, layer in enumerate(layers):
        at = f"{where}.layers[{i}]"
        _check_fields(layer, _LAYER_FIELDS, at)
        rows = len(layer["weight"])
        if not 1 <= rows <= 4096:
            raise SpecError(f"{at}.weight: {rows} rows; expected 1 to 4096 neurons.")
        weight = _int_matrix(layer["weight"], (rows, n_in), f"{at}.weight")
        bias = _int_matrix(layer["bias"], (rows,), f"{at}.bias")
        mask = None if layer["input_mask"] is None else _int_matrix(layer["input_mask"], (rows, n_in),
                                                                     f"{at}.input_mask")
        if not 0 <= layer["shift"] <= 62 or layer["act_max"] < -1:
            raise SpecError(f"{at}: shift {layer['shift']}, act_max {layer['act_max']}; expected shift in 0..62 "
                            f"and act_max >= -1 (-1: no clipping).")
        try:
            built.append(QLayer("hidden" if i < len(layers) - 1 else "output", weight, bias, layer["shift"],
                                layer["relu"], layer["act_max"], mask))
        except GraphError as e:
            raise SpecError(f"{at}: {e}") from None
        n_in = rows
    if n_in < 2:
        raise SpecError(f"{where}.layers: the last layer has {n_in} neuron; expected at least two classes.")
    return tuple(built)


def parse_design(record, where: str = "design") -> PublishedDesign:
    """A :class:`PublishedDesign` from its decoded JSON ``record`` (SpecError naming the field otherwise)."""
    _check_fields(record, _FIELDS, where)
    if record["published"] is not None:
        _check_fields(record["published"], _PUBLISHED_FIELDS, f"{where}.published")
        if min(v for k, v in record["published"].items() if k not in ("tool",)) < 0:
            raise SpecError(f"{where}.published: a negative figure; expected non-negative area, power, delay.")
    _check_fields(record["source"], _SOURCE_FIELDS, f"{where}.source")
    bits, n_in = record["input_bits"], record["n_inputs"]
    if not 1 <= bits <= 16 or not 1 <= n_in <= 4096:
        raise SpecError(f"{where}: input_bits {bits}, n_inputs {n_in}; expected 1..16 bits and 1..4096 inputs.")
    layers = _layers(record["layers"], n_in, bits, where)
    try:
        mlp = QuantizedMLP("x", n_in, layers)
    except GraphError as e:
        raise SpecError(f"{where}: {e}") from None
    if layers[0].input_mask is not None and int(layers[0].input_mask.max()) >= 1 << bits:
        raise SpecError(f"{where}.layers[0].input_mask: up to {int(layers[0].input_mask.max())}; expected masks "
                        f"within the {bits}-bit input codes.")
    return PublishedDesign(record["name"], record["paper"], record["doi"], record["dataset"],
                           record["approximation"], bits, mlp, record["published"], record["source"])


def load_design(path) -> PublishedDesign:
    """Read one design's JSON file (SpecError when unreadable, too large or malformed)."""
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise SpecError(f"{path}: {size} bytes; expected a design file under {MAX_FILE_BYTES} bytes.")
        record = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError, RecursionError) as e:
        if isinstance(e, SpecError):
            raise
        raise SpecError(f"{path}: cannot be read as JSON ({cut(str(e), 100)}); expected a design file of "
                        f"models/printed/.") from None
    return parse_design(record, path.name)


def designs(folder=DATA_DIR) -> dict[str, PublishedDesign]:
    """Every design in ``folder`` (default ``models/printed/``), by name, in name order."""
    loaded = [load_design(p) for p in sorted(Path(folder).glob("*.json"))]
    return {d.name: d for d in loaded}


def get_design(name: str, folder=DATA_DIR) -> PublishedDesign:
    """The design called ``name`` (SpecError listing the known ones otherwise)."""
    known = designs(folder)
    if name not in known:
        raise SpecError(f"published design '{name}': unknown; {one_of(name, known)}")
    return known[name]


def validate(chip: ChipProfile, folder=DATA_DIR, cost: str = "analytic") -> list[tuple[PublishedDesign, PrintedCost]]:
    """hwsim's cost of every design (logic only, no ADCs, as published); ``cost="synth"``: by yosys + ABC."""
    return [(d, printed_cost(d.mlp, chip, input_bits=d.input_bits, cost=cost)) for d in designs(folder).values()]


def _error(hwsim_value: float, published: float) -> str:
    return f"{100 * (hwsim_value / published - 1):+.0f} %" if published > 0 else "n/a"


def validation_table(rows: list[tuple[PublishedDesign, PrintedCost]]) -> str:
    """Markdown table: published vs hwsim area, power and critical path, relative errors.

    Designs with published figures first; those with only their HDL public after them,
    hwsim's figures alone.
    """
    lines = ["| design | topology | masks | published area (cm2) | hwsim area (cm2) | area error | "
             "published power (mW) | hwsim power (mW) | power error | published delay (ms) | "
             "hwsim delay (ms) | delay error |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for d, c in sorted(rows, key=lambda r: (r[0].published is None, r[0].name)):
        sizes = [d.mlp.input_size, *(layer.weight.shape[0] for layer in d.mlp.layers)]
        masks = "yes" if any(layer.input_mask is not None for layer in d.mlp.layers) else "no"
        p = d.published
        if p is None:
            published = ["-"] * 9
            published[1], published[4], published[7] = f"{c.area_cm2:.2f}", f"{c.power_mw:.2f}", \
                f"{c.critical_path_ms:.0f}"
        else:
            published = [f"{p['area_cm2']:.2f}", f"{c.area_cm2:.2f}", _error(c.area_cm2, p["area_cm2"]),
                         f"{p['power_mw']:.2f}", f"{c.power_mw:.2f}", _error(c.power_mw, p["power_mw"]),
                         f"{p['critical_path_ms']:.0f}", f"{c.critical_path_ms:.0f}",
                         _error(c.critical_path_ms, p["critical_path_ms"])]
        lines.append(f"| {d.name} | {'-'.join(map(str, sizes))} | {masks} | " + " | ".join(published) + " |")
    return "\n".join(lines) + "\n"
