"""The bit-matched quantised ANN on a dense accelerator that counts its memory traffic.

An SNN run for ``T`` steps carries at most ``T + 1`` levels per neuron (0..T spikes), so the ANN
with the same representational capacity has activations of ``ceil(log2(T + 1))`` bits (Yan et al.,
"Reconsidering the energy efficiency of spiking neural networks", arXiv 2409.08290); its weights
keep the chip's weight bits. That ANN runs once per inference on a dense integer accelerator whose
constants (``hwsim/accelerators/<name>.yaml``, every one with its source) are read by
:func:`load_accelerator`. Per inference, for every projection (all weight entries, zeros included,
as :func:`hwsim.energy.projection_macs` counts them):

- compute: one multiply (``a x w`` bits) and one add at the accumulator width
  ``a + w + ceil(log2(fan-in))`` per MAC. A multiply costs the table's narrowest multiplier scaled
  by its partial products, ``E(n) x a w / n**2`` (Horowitz's own 8 -> 32 bit ratio, 3.1 / 0.2 =
  15.5, is the 16 this rule predicts within 3 %); an add is interpolated linearly in width between
  the table's adders (proportional to the width outside them);
- weight reads: every weight once (``w`` bits each);
- activation reads: every input of a projection once, held in a register while its weights stream
  past (``a`` bits each); activation writes: every output of a population once (a write is priced
  as a read of the same memory: the table gives reads only).

A read of ``b`` bits costs ``b / 64`` of the 64-bit read of the memory holding the data: the
smallest level whose capacity holds all the weights (for weights) or the largest layer's inputs
and outputs together (for activations); past the largest SRAM, DRAM. There is no NoC term: one
accelerator moves activations through its own buffer, whose reads and writes are counted. Partial
sums stay in registers.
"""
from __future__ import annotations

import math
import os
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from hwsim.chips import (ChipProfile, Constant, _check_keys, _File, _found, _is_int, _mapping, _parse_yaml,
                         _read_constant)
from hwsim.energy import PJ_PER_UJ, projection_macs
from hwsim.errors import SpecError, one_of, short
from hwsim.ir import Graph

WORD_BITS = 64  # Horowitz's memory rows are 64-bit reads


@dataclass(frozen=True)
class MemoryLevel:
    """One memory of the accelerator.

    Attributes
    ----------
    name : str
        E.g. ``sram_8kb``.
    capacity_bytes : int or None
        What it holds; None: unbounded (DRAM).
    read_64b : Constant
        Energy of one 64-bit read in pJ.
    """

    name: str
    capacity_bytes: int | None
    read_64b: Constant


@dataclass(frozen=True)
class Accelerator:
    """A dense integer accelerator's constants (:func:`load_accelerator`).

    Attributes
    ----------
    name, description : str
        Its name and what it models.
    add_pj, mult_pj : dict
        ``{bits: Constant}``: integer add and multiply energies of the published widths.
    memory : tuple of MemoryLevel
        Smallest first; the last is unbounded.
    """

    name: str
    description: str
    add_pj: dict
    mult_pj: dict
    memory: tuple

    def add_energy_pj(self, bits: int) -> float:
        """An add of ``bits`` bits: linear in width between the table's adders, proportional outside."""
        widths = sorted(self.add_pj)
        values = [self.add_pj[w].value for w in widths]
        if bits <= widths[0]:
            return values[0] * bits / widths[0]
        if bits >= widths[-1]:
            return values[-1] * bits / widths[-1]
        return float(np.interp(bits, widths, values))

    def mult_energy_pj(self, a_bits: int, b_bits: int) -> float:
        """An ``a_bits x b_bits`` multiply: the narrowest table multiplier ``E(n)`` times ``a b / n**2``."""
        n = min(self.mult_pj)
        return self.mult_pj[n].value * a_bits * b_bits / (n * n)

    def level_for(self, n_bytes: float) -> MemoryLevel:
        """The smallest memory that holds ``n_bytes``."""
        return next(m for m in self.memory if m.capacity_bytes is None or n_bytes <= m.capacity_bytes)

    def provenance(self) -> dict:
        """``{key: source}`` of every constant (estimates marked)."""
        out = {}
        for table, entries in (("add_pj", self.add_pj), ("mult_pj", self.mult_pj)):
            out.update({f"{table}.{bits}": c.source for bits, c in entries.items()})
        out.update({f"memory.{m.name}.read_64b": m.read_64b.source for m in self.memory})
        return out


def activation_bits(n_steps: int) -> int:
    """Bits of the bit-matched ANN's activations for ``n_steps`` steps: ``ceil(log2(T + 1))``."""
    return max(1, math.ceil(math.log2(n_steps + 1)))


def _widths(raw: Any, path: str, where: _File) -> dict:
    raw = _mapping(raw, path, where, "bit widths to constants")
    if not raw:
        raise where.error(path, "found no entries", "expected at least one {bits: {value, unit, source}}")
    out = {}
    for bits, value in raw.items():
        if not _is_int(bits) or bits < 1:
            raise where.error(f"{path}.{bits}", _found(bits), "expected a bit width, an integer >= 1")
        out[bits] = _read_constant(value, f"{path}.{bits}", "pJ", where)
    return out


def _memory(raw: Any, where: _File) -> tuple:
    if not isinstance(raw, list) or not raw:
        raise where.error("memory", _found(raw), "expected a list of levels {name, capacity_bytes, read_64b}, "
                                                 "smallest first")
    levels, last = [], 0
    for k, entry in enumerate(raw):
        path = f"memory[{k}]"
        entry = _mapping(entry, path, where, "a memory level")
        _check_keys(entry, path, ("name", "capacity_bytes", "read_64b"), ("name", "capacity_bytes", "read_64b"),
                    where)
        if not isinstance(entry["name"], str) or not entry["name"]:
            raise where.error(f"{path}.name", _found(entry["name"]), "expected a non-empty text")
        size = entry["capacity_bytes"]
        final = k == len(raw) - 1
        if final and size is not None:
            raise where.error(f"{path}.capacity_bytes", _found(size), "expected null (the last level is unbounded)",
                              "End the list with DRAM: data larger than every SRAM must go somewhere.")
        if not final and (not _is_int(size) or size <= last):
            raise where.error(f"{path}.capacity_bytes", _found(size),
                              f"expected an integer > {last} (levels smallest first; only the last is null)")
        last = size if size is not None else last
        levels.append(MemoryLevel(entry["name"], size, _read_constant(entry["read_64b"], f"{path}.read_64b", "pJ",
                                                                      where)))
    return tuple(levels)


def _build(raw: Any, where: _File) -> Accelerator:
    raw = _mapping(raw, "(top level)", where, "sections")
    keys = ("version", "name", "description", "add_pj", "mult_pj", "memory")
    _check_keys(raw, "(top level)", keys, keys, where)
    if raw["version"] != 1:
        raise where.error("version", _found(raw["version"]), "expected 1")
    for key in ("name", "description"):
        if not isinstance(raw[key], str) or not raw[key].strip():
            raise where.error(key, _found(raw[key]), "expected a non-empty text")
    return Accelerator(raw["name"], raw["description"].strip(), _widths(raw["add_pj"], "add_pj", where),
                       _widths(raw["mult_pj"], "mult_pj", where), _memory(raw["memory"], where))


def available_accelerators() -> list[str]:
    """Names of the bundled accelerators (``hwsim/accelerators/*.yaml``)."""
    folder = resources.files("hwsim") / "accelerators"
    return sorted(e.name[:-len(".yaml")] for e in folder.iterdir() if e.name.endswith(".yaml"))


def load_accelerator(name_or_path: str | os.PathLike = "horowitz45") -> Accelerator:
    """Read a bundled accelerator by name or any accelerator YAML by path, strictly.

    Raises
    ------
    SpecError
        An unknown name, an unreadable file, or any malformed key (named by its path).
    """
    text_name = os.fspath(name_or_path)
    if text_name.endswith((".yaml", ".yml")) or os.sep in text_name:
        path = Path(text_name)
        if not path.is_file():
            raise SpecError(f"accelerator {short(text_name)}: no such file; expected an accelerator YAML "
                            f"(see hwsim/accelerators/horowitz45.yaml).")
        where, text = _File(str(path)), path.read_text()
    else:
        names = available_accelerators()
        if text_name not in names:
            raise SpecError(f"accelerator {text_name!r}: not bundled; {one_of(text_name, names)}")
        where = _File(f"accelerators/{text_name}.yaml")
        text = (resources.files("hwsim") / "accelerators" / f"{text_name}.yaml").read_text()
    return _build(_parse_yaml(text, where), where)


def chip_weight_bits(chip: ChipProfile) -> int:
    """Bits a weight takes on ``chip`` (``weight_bits`` of a fixed-point chip, ``bits`` of a float one)."""
    arithmetic = chip.arithmetic
    return int(getattr(arithmetic, "weight_bits", None) or arithmetic.bits)


def _fan_in(projection) -> int:
    if not projection.is_sparse:
        return int(projection.weight.shape[1])
    counts = np.bincount(projection.post_index) if projection.post_index.size else np.zeros(1, dtype=np.int64)
    return int(counts.max())


def ann_energy(graph: Graph, accelerator: Accelerator, a_bits: int, w_bits: int) -> dict:
    """Energy of one pass of ``graph`` as a dense ``a_bits``-activation, ``w_bits``-weight ANN.

    Parameters
    ----------
    graph : Graph
        The network (its projections are the layers; recurrent ones run once).
    accelerator : Accelerator
        The constants (:func:`load_accelerator`).
    a_bits, w_bits : int
        Activation and weight widths (>= 1).

    Returns
    -------
    dict
        ``energy_per_inference_uj`` and its parts in uJ (``mult``, ``add``, ``weight_read``,
        ``activation_read``, ``activation_write``), the counts (``macs``, ``weight_bits_read``,
        ``activation_bits_read``, ``activation_bits_written``), the memories chosen and the widths.
    """
    size = {node.name: node.size for node in graph.inputs() + graph.populations()}
    macs = mult_pj = add_pj = 0.0
    weight_bits = read_bits = 0
    footprint = {}
    for p in graph.projections():
        n = projection_macs(p)
        macs += n
        mult_pj += n * accelerator.mult_energy_pj(a_bits, w_bits)
        add_pj += n * accelerator.add_energy_pj(a_bits + w_bits + math.ceil(math.log2(max(_fan_in(p), 1))))
        weight_bits += n * w_bits
        read_bits += size[p.pre] * a_bits
        footprint[p.post] = footprint.get(p.post, size[p.post]) + size[p.pre]
    write_bits = sum(size[post] for post in footprint) * a_bits
    weights_at = accelerator.level_for(weight_bits / 8)
    acts_at = accelerator.level_for(max(footprint.values(), default=0) * a_bits / 8)
    per_bit = {"weights": weights_at.read_64b.value / WORD_BITS, "activations": acts_at.read_64b.value / WORD_BITS}
    parts_pj = {"mult": mult_pj, "add": add_pj, "weight_read": weight_bits * per_bit["weights"],
                "activation_read": read_bits * per_bit["activations"],
                "activation_write": write_bits * per_bit["activations"]}
    return {"energy_per_inference_uj": sum(parts_pj.values()) / PJ_PER_UJ,
            "energy_by_part_uj": {k: v / PJ_PER_UJ for k, v in parts_pj.items()},
            "macs": macs, "weight_bits_read": weight_bits, "activation_bits_read": read_bits,
            "activation_bits_written": write_bits, "weights_in": weights_at.name, "activations_in": acts_at.name,
            "activation_bits": a_bits, "weight_bits": w_bits, "accelerator": accelerator.name}
