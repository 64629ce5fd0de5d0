"""Chip profiles: ``chips/<name>.yaml`` -> :class:`ChipProfile`, validated strictly.

The dataclasses below are the schema; ``chips/README.md`` documents every key.
Every constant in a profile is a :class:`Constant` carrying its value converted
to the canonical unit named by its key (pJ, ns, mW, cm2, um2, uW, ms, MHz) and
its provenance: the published source, the derivation from published numbers
(``source`` text starting ``derived:``), or an ``estimate`` note. The integer
and symbolic fields of topology, capacity and arithmetic keep their provenance
in :attr:`ChipProfile.provenance`.

:func:`load_chip` reads a bundled profile by name (``"loihi"``) or any YAML file
by path; :func:`available_chips` lists the bundled names. Every problem with a
file is a :class:`hwsim.errors.SpecError` whose message reads
``<file>: <key.path>: what was found; what was expected. Hint.``
"""
from __future__ import annotations

import math
import os
import re
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, Callable, Mapping

import yaml

from hwsim.errors import SpecError, cut, did_you_mean, one_of, short
from hwsim.kernels.actions import NAMES as ACTION_NAMES
from hwsim.neuron_models import MODELS as NEURON_MODELS, RESET_MODES


@dataclass(frozen=True)
class Constant:
    """A number from a profile with its provenance.

    Attributes
    ----------
    value : float
        Value in the canonical unit of the field that holds it.
    unit : str
        Canonical unit (``pJ``, ``ns``, ``mW``, ...); the file may use any unit of the
        same family, and the loader converts it.
    source : str
        Publication and table; for a number derived from published ones, the text
        ``derived: <arithmetic>``; for an estimate, the reasoning.
    estimate : bool
        True when the number is an estimate rather than a published (or derived) value.
    rail : str or None
        ``energy_pj`` entries of a profile with supply rails: the rail the action draws from
        (a key of :attr:`ChipProfile.rail_static_power_mw`); None otherwise.
    """

    value: float
    unit: str
    source: str
    estimate: bool = False
    rail: str | None = None


@dataclass(frozen=True)
class Provenance:
    """Where a non-physical profile value (a count, a width, a rule) comes from.

    Attributes
    ----------
    source : str
        Publication and table, ``derived: <arithmetic>``, or the estimate's reasoning.
    estimate : bool
        True when the value is an estimate or a modelling choice.
    """

    source: str
    estimate: bool = False


@dataclass(frozen=True)
class Topology:
    """Where cores sit: a mesh of chips, each a mesh of tiles, each holding cores.

    Attributes
    ----------
    chip_mesh : tuple of int
        Chips along x and y.
    tile_mesh : tuple of int
        Tiles (router positions) along x and y inside one chip.
    cores_per_tile : int
        Cores sharing one router position.
    """

    chip_mesh: tuple[int, int]
    tile_mesh: tuple[int, int]
    cores_per_tile: int

    @property
    def cores_per_chip(self) -> int:
        """Cores on one chip."""
        return self.tile_mesh[0] * self.tile_mesh[1] * self.cores_per_tile

    @property
    def n_cores(self) -> int:
        """Cores on all chips."""
        return self.chip_mesh[0] * self.chip_mesh[1] * self.cores_per_chip

    def core_xy(self, core: int) -> tuple[int, int]:
        """Global mesh coordinate (tile x, tile y) of ``core``; cores fill tiles, tiles fill chips row by row."""
        chip, within = divmod(core, self.cores_per_chip)
        tile = within // self.cores_per_tile
        cx, cy = chip % self.chip_mesh[0], chip // self.chip_mesh[0]
        tx, ty = tile % self.tile_mesh[0], tile // self.tile_mesh[0]
        return cx * self.tile_mesh[0] + tx, cy * self.tile_mesh[1] + ty

    def chip_of(self, core: int) -> int:
        """Index of the chip holding ``core``."""
        return core // self.cores_per_chip


@dataclass(frozen=True)
class Capacity:
    """Per-core limits of a neuromorphic chip (every one is checked by mapping).

    Attributes
    ----------
    neurons_per_core : int
        Neurons (compartments) one core holds.
    synapse_memory_bits_per_core : int
        Synaptic memory of one core in bits.
    bits_per_synapse : int
        Bits one stored synapse costs (weight, delay, index).
    memory_word_bits : int
        Width of one synaptic-memory read in bits.
    neuron_state_bits : int
        Bits of state and parameters stored per neuron (memory report).
    fan_in_per_core : int
        Distinct presynaptic sources (axons) one core accepts.
    fan_out_per_core : int
        Distinct destination cores one core may send to.
    router_entries_per_chip : int or None
        Routing-table entries per chip (None: not limited).
    routing_bits_per_entry : int
        Bits of one routing entry (memory report).
    max_delay_steps : int
        Largest synaptic delay in steps (the IR delay, >= 1).
    min_delay_steps : int
        Smallest synaptic delay in steps: 1 where every projection takes a step (Loihi,
        SpiNNaker), 0 where instantaneous (delay-0) projections run (the float ``ideal`` chip).
    delay_extension_stages, delay_extension_stage_steps : int or None
        Optional, both or neither (SpiNNaker): a delay-extension core per source slice re-sends its
        spikes after 1..stages multiples of stage_steps, so delays up to :attr:`longest_delay_steps`
        map; None: delays above ``max_delay_steps`` do not map.
    poisson_sources_per_core, poisson_source_bytes : int or None
        Optional, both or neither (SpiNNaker): Poisson inputs run on cores of their own, this many channels per
        core, each holding this many bytes of parameters (:mod:`hwsim.source_cores`); None: inputs stay on the
        host.
    """

    neurons_per_core: int
    synapse_memory_bits_per_core: int
    bits_per_synapse: int
    memory_word_bits: int
    neuron_state_bits: int
    fan_in_per_core: int
    fan_out_per_core: int
    router_entries_per_chip: int | None
    routing_bits_per_entry: int
    max_delay_steps: int
    min_delay_steps: int
    delay_extension_stages: int | None = None
    delay_extension_stage_steps: int | None = None
    poisson_sources_per_core: int | None = None
    poisson_source_bytes: int | None = None

    @property
    def longest_delay_steps(self) -> int:
        """Largest delay that maps: ``max_delay_steps`` plus the delay-extension stages where there are any."""
        if self.delay_extension_stages is None:
            return self.max_delay_steps
        return self.max_delay_steps + self.delay_extension_stages * self.delay_extension_stage_steps


@dataclass(frozen=True)
class SpikingArithmetic:
    """Fixed-point datapath of a spiking core (see ``chips/README.md`` for each rule).

    Attributes
    ----------
    weight_bits : int
        Weight mantissa magnitude bits (Loihi: 8 -> 0..255).
    weight_encoding : str
        ``loihi_sign_modes`` (excitatory/inhibitory/mixed per projection, mixed drops the LSB)
        or ``signed`` (two's complement, range +-(2**(weight_bits-1)-1)).
    weight_exp_min, weight_exp_max : int
        Range of the per-projection shift applied to the summed input of a projection.
    fraction_bits : int or None
        Fixed membrane scale 2**fraction_bits (SpiNNaker s16.15: 15); None lets the
        quantiser choose the scale per population (Loihi).
    decay_bits : int
        Decay factors are integers over 2**decay_bits.
    syn_decay_offset, mem_decay_offset : int
        Added to the decay register (Lava's ds_offset = 1, dm_offset = 0).
    rounding : str
        ``toward_zero`` or ``floor`` for the decay products.
    input_shift : int
        Left shift of the summed synaptic input into u (Loihi: 6).
    threshold_bits, threshold_shift : int
        Threshold mantissa width and its left shift (Loihi: 17, 6).
    bias_mant_bits, bias_exp_max : int
        Bias = mantissa << exponent, mantissa signed ``bias_mant_bits`` bits.
    state_bits : int
        Width of u and v.
    syn_overflow, mem_overflow : str
        ``wrap`` (one +-2**state_bits correction, as Lava) or ``saturate``.
    reset_modes : tuple of str
        Supported IR resets (:data:`hwsim.neuron_models.RESET_MODES`), and ``zero`` (``value`` with
        ``v_reset = 0``).
    refractory : bool
        Whether a refractory period is supported.
    receptors : int
        Synaptic currents per neuron, each with its own decay (Loihi: 1; SpiNNaker's IF_curr_exp: 2).
    initial_state : bool
        Whether neurons can start from a given state (u, v, refractory count) instead of 0.
    graded_spike_bits : int
        Payload bits a spike may carry (graded spikes: a projection from a ``sigma_delta`` population
        multiplies each weight by its source's payload); 0: binary spikes only.
    """

    weight_bits: int
    weight_encoding: str
    weight_exp_min: int
    weight_exp_max: int
    fraction_bits: int | None
    decay_bits: int
    syn_decay_offset: int
    mem_decay_offset: int
    rounding: str
    input_shift: int
    threshold_bits: int
    threshold_shift: int
    bias_mant_bits: int
    bias_exp_max: int
    state_bits: int
    syn_overflow: str
    mem_overflow: str
    reset_modes: tuple[str, ...]
    refractory: bool
    receptors: int
    initial_state: bool
    graded_spike_bits: int = 0


@dataclass(frozen=True)
class FloatArithmetic:
    """Floating-point datapath of a spiking core (``arithmetic.kind: float``): the IR's equations
    computed literally, with no quantisation, shifts or overflow (``chips/ideal.yaml``).

    Attributes
    ----------
    bits : int
        Float width; 64 (IEEE float64) is the only one supported.
    reset_modes : tuple of str
        Supported IR resets, as :attr:`SpikingArithmetic.reset_modes`.
    refractory : bool
        Whether a refractory period is supported.
    receptors, initial_state, graded_spike_bits
        As :class:`SpikingArithmetic` (a float payload is a float64). A float datapath also takes
        real-valued (current) inputs.
    """

    bits: int
    reset_modes: tuple[str, ...]
    refractory: bool
    receptors: int
    initial_state: bool
    graded_spike_bits: int = 0


@dataclass(frozen=True)
class MacArithmetic:
    """Integer datapath of a bespoke MAC (MLP) circuit.

    Attributes
    ----------
    input_bits : int
        Unsigned width of each input (ADC); inputs in [0, 1] map to 0 .. 2**input_bits - 1.
    weight_bits : int
        Signed weight width.
    activation_bits : int
        Unsigned width of hidden activations after ReLU and re-scaling.
    """

    input_bits: int
    weight_bits: int
    activation_bits: int


@dataclass(frozen=True)
class ChipProfile:
    """One chip, loaded from ``chips/<name>.yaml``.

    Attributes
    ----------
    name, description : str
        Identity of the profile.
    kind : str
        ``neuromorphic`` (spiking cores) or ``mac`` (bespoke MAC circuit).
    path : str
        The file it came from.
    neuron_models : tuple of str
        IR neuron models the chip runs.
    topology, capacity, arithmetic :
        Neuromorphic chips: :class:`Topology`, :class:`Capacity`, and :class:`SpikingArithmetic`
        (``arithmetic.kind: fixed_point``, the default) or :class:`FloatArithmetic` (``kind: float``).
        MAC chips: topology and capacity are None, arithmetic is :class:`MacArithmetic`.
    energy_pj : mapping of str to Constant
        Energy per action (keys: the names of ``hwsim.kernels.actions.NAMES``), in pJ.
    time_ns : mapping of str to Constant
        Time per action on its core, in ns (neuromorphic only; empty for MAC chips).
    static_power_mw : mapping of str to Constant
        Static power terms: ``chip`` (per chip used), ``core`` (per core used), in mW; optional ``core_active``:
        the power of a working core, which prices work that is not a kernel action (delay-extension cores).
    timing : mapping of str to Constant
        Scalars: ``barrier_ns`` (per step), ``realtime_step_ns`` (SpiNNaker: fixed step, optional),
        ``core_clock_mhz`` (SpiNNaker cycle budget, optional), ``message_out_ns`` and ``message_in_ns``
        (optional, both or neither: per packet on the sending and the receiving core, whose send and
        receive sides then overlap as SANA-FE times a step; :mod:`hwsim.energy`), ``delay_core_per_neuron_ns``
        (optional, with ``static_power_mw.core_active``: a delay-extension core's work per neuron of its slice
        and step); MAC: ``clock_ms``, ``gate_delay_ms``
        (both required).
    mac_costs : mapping of str to Constant
        MAC chips only. Always: ``mac_area_cm2``, ``mac_power_mw``, ``relu_area_cm2``,
        ``relu_power_mw``, ``adc_area_cm2``, ``adc_power_mw`` (one ADC per input) and
        ``battery_power_mw`` (the battery's name in its source). When the profile declares
        them: ``argmax_area_cm2``, ``argmax_power_mw``.
    barrier_by_tiles_ns : mapping of int to Constant
        Neuromorphic chips, optional (SANA-FE's sync table): the barrier per step by the number of tiles
        used, ``{tiles: ns}``; a run using ``n`` tiles takes the entry of the largest key <= ``n`` (the
        smallest key below it), as SANA-FE's sync table. Empty: ``timing.barrier_ns`` always.
    cells : mapping of str to mapping of str to Constant
        MAC chips, optional: the standard-cell library, ``{cell: {"area_um2": c, "leakage_uw": c}}``
        (area in um2, leakage power in uW), for gate-level estimates. Empty when not declared.
    provenance : mapping of str to Provenance
        Source of every topology, capacity and arithmetic field, keyed by its key path
        (``"capacity.neurons_per_core"``).
    rail_static_power_mw : mapping of str to Constant
        Neuromorphic chips, optional: the supply rails (``vdd``, ``vdd_m``, ...) and the static power
        per chip each draws, in mW; they sum to ``static_power_mw["chip"]``, and every ``energy_pj``
        entry names its rail. Empty when the profile declares no rails.

    Notes
    -----
    ``energy_pj`` is required (every action priced) for neuromorphic chips and optional for
    MAC chips, whose energy per inference is power x clock period (``mac_costs``, ``timing``).
    """

    name: str
    description: str
    kind: str
    path: str
    neuron_models: tuple[str, ...]
    topology: Topology | None
    capacity: Capacity | None
    arithmetic: SpikingArithmetic | FloatArithmetic | MacArithmetic
    energy_pj: Mapping[str, Constant] = field(default_factory=dict)
    time_ns: Mapping[str, Constant] = field(default_factory=dict)
    static_power_mw: Mapping[str, Constant] = field(default_factory=dict)
    timing: Mapping[str, Constant] = field(default_factory=dict)
    mac_costs: Mapping[str, Constant] = field(default_factory=dict)
    cells: Mapping[str, Mapping[str, Constant]] = field(default_factory=dict)
    provenance: Mapping[str, Provenance] = field(default_factory=dict)
    barrier_by_tiles_ns: Mapping[int, Constant] = field(default_factory=dict)
    rail_static_power_mw: Mapping[str, Constant] = field(default_factory=dict)

    def barrier_ns(self, tiles_used: int) -> float:
        """Barrier per step in ns for a run on ``tiles_used`` tiles (see ``barrier_by_tiles_ns``)."""
        if not self.barrier_by_tiles_ns:
            return self.timing["barrier_ns"].value
        keys = sorted(self.barrier_by_tiles_ns)
        fitting = [k for k in keys if k <= tiles_used]
        return self.barrier_by_tiles_ns[fitting[-1] if fitting else keys[0]].value


# The loader (load_chip, available_chips) follows below.

SCHEMA_VERSIONS = (1,)
"""Values of a profile's ``version:`` that this loader reads."""

PROVENANCE_KEYS = ("source", "derived", "estimate")
"""Exactly one of these labels every number: published, derived from published, or estimated."""

UNIT_FAMILIES: dict[str, dict[str, float]] = {
    "energy": {"pJ": 1.0, "nJ": 1e3, "uJ": 1e6},
    "time": {"ns": 1.0, "us": 1e3, "ms": 1e6},
    "power": {"uW": 1e-3, "mW": 1.0, "W": 1e3},
    "area": {"um2": 1e-8, "mm2": 1e-2, "cm2": 1.0},
    "frequency": {"kHz": 1e-3, "MHz": 1.0, "GHz": 1e3},
}
"""Units a file may write, by family, with their size relative to the family's base unit."""

UNIT_SUFFIXES: dict[str, str] = {
    "_pj": "pJ", "_ns": "ns", "_ms": "ms", "_mw": "mW", "_uw": "uW",
    "_cm2": "cm2", "_um2": "um2", "_mhz": "MHz",
}
"""Key suffix -> canonical unit of the constant the key holds (``clock_ms`` is in ms)."""

_FAMILY_OF_UNIT = {unit: family for family, units in UNIT_FAMILIES.items() for unit in units}
_COMMON_KEYS = ("version", "name", "description", "kind", "neuron_models")


# ---------------------------------------------------------------------------------------------
# Error messages


@dataclass(frozen=True)
class _File:
    """The file being read; builds :class:`SpecError` messages that name it."""

    name: str

    def error(self, path: str, found: str, expected: str, hint: str = "") -> SpecError:
        """``<file>: <path>: <found>; <expected>. <hint>`` as a :class:`SpecError`."""
        text = f"{self.name}: {path}: {found}; {expected}"
        if not text.endswith((".", "?")):
            text += "."
        return SpecError(f"{text} {hint}".rstrip())


_TYPE_NAMES = {bool: "bool", int: "int", float: "float", str: "str", list: "list", dict: "mapping",
               type(None): "null"}


def _found(value: Any) -> str:
    """Describe a value the way error messages quote it: ``'1e-3' (str)``."""
    kind = _TYPE_NAMES.get(type(value), type(value).__name__)
    return f"found {short(value)} ({kind})"


def _keys_text(keys) -> str:
    return ", ".join(sorted(str(k) for k in keys))


# ---------------------------------------------------------------------------------------------
# Rules for the integer and symbolic fields of topology, capacity and arithmetic


def _is_int(value: Any) -> bool:
    """True for an int that is not a bool (YAML ``true`` is not a count)."""
    return isinstance(value, int) and not isinstance(value, bool)


@dataclass(frozen=True)
class _Int:
    """An integer >= ``minimum`` (any integer when ``minimum`` is None) and <= ``maximum`` (when given),
    or null if ``nullable``."""

    minimum: int | None = None
    nullable: bool = False
    maximum: int | None = None

    @property
    def expected(self) -> str:
        text = "an integer" if self.minimum is None else f"an integer >= {self.minimum}"
        text += "" if self.maximum is None else f" and <= {self.maximum}"
        return text + (" or null" if self.nullable else "")

    def check(self, value: Any, fail: Callable[..., SpecError]) -> int | None:
        if value is None and self.nullable:
            return None
        if not _is_int(value) or (self.minimum is not None and value < self.minimum) \
                or (self.maximum is not None and value > self.maximum):
            hint = "true/false is not a number." if isinstance(value, bool) else ""
            raise fail(_found(value), f"expected {self.expected}", hint)
        return value


@dataclass(frozen=True)
class _Pair:
    """A list of two integers >= ``minimum`` (and <= ``maximum`` when given) (x, y), returned as a tuple."""

    minimum: int = 1
    maximum: int | None = None

    @property
    def expected(self) -> str:
        top = "" if self.maximum is None else f" and <= {self.maximum}"
        return f"a list of two integers >= {self.minimum}{top} ([x, y])"

    def check(self, value: Any, fail: Callable[..., SpecError]) -> tuple[int, int]:
        if not (isinstance(value, list) and len(value) == 2
                and all(_is_int(v) and v >= self.minimum and (self.maximum is None or v <= self.maximum)
                        for v in value)):
            raise fail(_found(value), f"expected {self.expected}")
        return int(value[0]), int(value[1])


@dataclass(frozen=True)
class _Choice:
    """One name out of ``options``."""

    options: tuple[str, ...]

    @property
    def expected(self) -> str:
        return f"one of: {', '.join(self.options)}"

    def check(self, value: Any, fail: Callable[..., SpecError]) -> str:
        if not isinstance(value, str) or value not in self.options:
            raise fail(_found(value), one_of(value, self.options))
        return value


@dataclass(frozen=True)
class _IntChoice:
    """One integer out of ``options``."""

    options: tuple[int, ...]

    @property
    def expected(self) -> str:
        return f"one of: {', '.join(map(str, self.options))}"

    def check(self, value: Any, fail: Callable[..., SpecError]) -> int:
        if not _is_int(value) or value not in self.options:
            raise fail(_found(value), f"expected {self.expected}")
        return value


@dataclass(frozen=True)
class _Choices:
    """A non-empty list of distinct names out of ``options``, returned as a tuple."""

    options: tuple[str, ...]

    @property
    def expected(self) -> str:
        return f"a non-empty list of distinct names from: {', '.join(self.options)}"

    def check(self, value: Any, fail: Callable[..., SpecError]) -> tuple[str, ...]:
        if not isinstance(value, list) or not value or len(set(map(str, value))) != len(value):
            raise fail(_found(value), f"expected {self.expected}")
        for item in value:
            if not isinstance(item, str) or item not in self.options:
                raise fail(f"found {item!r} in the list", one_of(item, self.options))
        return tuple(value)


@dataclass(frozen=True)
class _Bool:
    """``true`` or ``false``."""

    expected = "true or false"

    def check(self, value: Any, fail: Callable[..., SpecError]) -> bool:
        if not isinstance(value, bool):
            raise fail(_found(value), f"expected {self.expected}")
        return value


# Upper bounds: every fixed-point value and product of the kernels stays inside int64 (state and
# thresholds up to 32 bits, times a decay factor of up to 24 bits, plus headroom; weights shifted into the
# state's scale; see _check_int64_headroom), and no field sizes an allocation beyond memory (the delay
# ring holds max_delay_steps + 1 rows; a mesh of 2**12 x 2**12 chips is far beyond any built machine).
MAX_MESH_SIDE = 4096
MAX_DELAY_STEPS = 65536
MAX_STATE_BITS = 32
#: Most cores a profile may declare (SpiNNaker's million-core machine: 57,600 chips x 18 cores).
MAX_CORES = 2 ** 22

_TOPOLOGY_FIELDS = {
    "chip_mesh": _Pair(1, maximum=MAX_MESH_SIDE),
    "tile_mesh": _Pair(1, maximum=MAX_MESH_SIDE),
    "cores_per_tile": _Int(1, maximum=4096),
}

_CAPACITY_FIELDS = {
    "neurons_per_core": _Int(1, maximum=2 ** 31 - 1),
    "synapse_memory_bits_per_core": _Int(0, maximum=2 ** 63 - 1),
    "bits_per_synapse": _Int(1, maximum=1024),
    "memory_word_bits": _Int(1, maximum=4096),
    "neuron_state_bits": _Int(1, maximum=4096),
    "fan_in_per_core": _Int(1, maximum=2 ** 32),
    "fan_out_per_core": _Int(1, maximum=2 ** 32),
    "router_entries_per_chip": _Int(1, nullable=True, maximum=2 ** 32),
    "routing_bits_per_entry": _Int(0, maximum=4096),
    "max_delay_steps": _Int(1, maximum=MAX_DELAY_STEPS),
    "min_delay_steps": _Int(0, maximum=MAX_DELAY_STEPS),
    "delay_extension_stages": _Int(1, maximum=MAX_DELAY_STEPS),
    "delay_extension_stage_steps": _Int(1, maximum=MAX_DELAY_STEPS),
    "poisson_sources_per_core": _Int(1, maximum=2 ** 31 - 1),
    "poisson_source_bytes": _Int(1, maximum=2 ** 31 - 1),
}

_OVERFLOW = _Choice(("wrap", "saturate"))
_RESETS = ("zero",) + RESET_MODES
_SPIKING_FIELDS = {
    "weight_bits": _Int(1, maximum=32),
    "weight_encoding": _Choice(("loihi_sign_modes", "signed")),
    "weight_exp_min": _Int(-32, maximum=32),
    "weight_exp_max": _Int(-32, maximum=32),
    "fraction_bits": _Int(0, nullable=True, maximum=31),
    "decay_bits": _Int(1, maximum=24),
    "syn_decay_offset": _Int(0, maximum=1),
    "mem_decay_offset": _Int(0, maximum=1),
    "rounding": _Choice(("toward_zero", "floor")),
    "input_shift": _Int(0, maximum=31),
    "threshold_bits": _Int(1, maximum=32),
    "threshold_shift": _Int(0, maximum=31),
    "bias_mant_bits": _Int(1, maximum=32),
    "bias_exp_max": _Int(0, maximum=31),
    "state_bits": _Int(2, maximum=MAX_STATE_BITS),
    "syn_overflow": _OVERFLOW,
    "mem_overflow": _OVERFLOW,
    "reset_modes": _Choices(_RESETS),
    "refractory": _Bool(),
    "receptors": _Int(1, maximum=64),
    "initial_state": _Bool(),
    "graded_spike_bits": _Int(0, maximum=64),
}

_FLOAT_FIELDS = {
    "bits": _IntChoice((64,)),
    "reset_modes": _Choices(_RESETS),
    "refractory": _Bool(),
    "receptors": _Int(1, maximum=64),
    "initial_state": _Bool(),
    "graded_spike_bits": _Int(0, maximum=64),
}

_MAC_FIELDS = {
    "input_bits": _Int(1, maximum=32),
    "weight_bits": _Int(2, maximum=32),
    "activation_bits": _Int(1, maximum=32),
}


# ---------------------------------------------------------------------------------------------
# Tables of constants and the per-kind schema


@dataclass(frozen=True)
class _Table:
    """A section of constants: its keys and the canonical unit of each.

    ``unit`` is the one unit of every key (``energy_pj`` -> pJ); when None each key's
    unit comes from its suffix (``clock_ms`` -> ms). ``rail``: each constant may name the
    supply rail it draws from (``energy_pj`` of neuromorphic chips).
    """

    required: tuple[str, ...]
    optional: tuple[str, ...] = ()
    unit: str | None = None
    rail: bool = False

    def unit_of(self, key: str) -> str:
        if self.unit is not None:
            return self.unit
        return next(u for suffix, u in UNIT_SUFFIXES.items() if key.endswith(suffix))


@dataclass(frozen=True)
class _Structure:
    """A section of integer/symbolic fields that becomes one schema dataclass.

    ``checks`` are cross-field checks on the values read, ``check(values, file)``.
    """

    fields: Mapping[str, Any]
    build: type
    checks: tuple[Callable[[dict, "_File"], None], ...] = ()
    optional: tuple[str, ...] = ()


def _check_delay_range(values: dict, where: _File) -> None:
    """``min_delay_steps`` must not exceed ``max_delay_steps``."""
    low, high = values["min_delay_steps"], values["max_delay_steps"]
    if low > high:
        raise where.error("capacity.min_delay_steps", f"found {low}, above max_delay_steps {high}",
                          "expected min_delay_steps <= max_delay_steps")


def _both_or_neither(values: dict, where: _File, keys: tuple[str, str], hint: str) -> bool:
    """Raise unless both capacity ``keys`` or neither are given; True when both are."""
    given = [k for k in keys if k in values]
    if len(given) == 1:
        missing = (set(keys) - set(given)).pop()
        raise where.error(f"capacity.{given[0]}", f"found {given[0]} without {missing}",
                          "expected both keys or neither", hint)
    return bool(given)


def _check_extension_cores(values: dict, where: _File) -> None:
    """``delay_extension_stages`` and ``delay_extension_stage_steps`` come together, and the extended delay
    stays within :data:`MAX_DELAY_STEPS`; so do ``poisson_sources_per_core`` and ``poisson_source_bytes``."""
    _both_or_neither(values, where, ("poisson_sources_per_core", "poisson_source_bytes"),
                     "A Poisson source core needs its sources per core and the bytes of each.")
    if _both_or_neither(values, where, ("delay_extension_stages", "delay_extension_stage_steps"),
                        "A delay-extension core needs its stage count and the steps per stage."):
        longest = values["max_delay_steps"] + values["delay_extension_stages"] * values["delay_extension_stage_steps"]
        if longest > MAX_DELAY_STEPS:
            raise where.error("capacity.delay_extension_stages",
                              f"found max_delay_steps + stages x stage_steps = {longest}",
                              f"expected at most {MAX_DELAY_STEPS}")


def _check_weight_exp(values: dict, where: _File) -> None:
    """``weight_exp_min`` must not exceed ``weight_exp_max``."""
    low, high = values["weight_exp_min"], values["weight_exp_max"]
    if low > high:
        raise where.error("arithmetic.weight_exp_min", f"found {low}, above weight_exp_max {high}",
                          "expected weight_exp_min <= weight_exp_max")


#: Bits a shifted weight, threshold or bias may take (products with decays and sums over fan-in stay in int64).
MAX_SHIFTED_BITS = 48


def _check_int64_headroom(values: dict, where: _File) -> None:
    """Weights, thresholds and biases shifted to the state's scale must leave int64 room for sums and decays."""
    for path, parts in (("weight_bits", ("weight_bits", "weight_exp_max", "input_shift")),
                        ("threshold_bits", ("threshold_bits", "threshold_shift")),
                        ("bias_mant_bits", ("bias_mant_bits", "bias_exp_max"))):
        total = sum(values[key] for key in parts)
        if total > MAX_SHIFTED_BITS:
            raise where.error(f"arithmetic.{path}", f"found {' + '.join(parts)} = {total} bits",
                              f"expected at most {MAX_SHIFTED_BITS} (sums and decays are computed in 64-bit "
                              f"integers)")


def _check_core_count(values: dict, where: _File) -> None:
    """The mesh may declare at most :data:`MAX_CORES` cores."""
    (cx, cy), (tx, ty) = values["chip_mesh"], values["tile_mesh"]
    cores = cx * cy * tx * ty * values["cores_per_tile"]
    if cores > MAX_CORES:
        raise where.error("topology", f"found {cx}x{cy} chips x {tx}x{ty} tiles x {values['cores_per_tile']} "
                          f"cores per tile = {cores:,} cores", f"expected at most {MAX_CORES:,}")


@dataclass(frozen=True)
class _Kind:
    """What a profile of one ``kind`` holds.

    Attributes
    ----------
    structures : mapping of str to _Structure
        Sections read as dataclasses (all required).
    arithmetic_kinds : mapping of str to _Structure
        When not empty, the ``arithmetic`` section picks its schema by its ``kind`` key
        (the first entry is the default when the key is absent); else ``structures["arithmetic"]``.
    tables : mapping of str to _Table
        Sections of constants.
    optional : tuple of str
        Sections (tables or ``cells``) that may be left out.
    extras : tuple of str
        Sections with a reader of their own (``cells``).
    stateless_models : bool
        True when every neuron model must be stateless (runs once per sample).
    """

    structures: Mapping[str, _Structure]
    tables: Mapping[str, _Table]
    optional: tuple[str, ...] = ()
    extras: tuple[str, ...] = ()
    stateless_models: bool = False
    arithmetic_kinds: Mapping[str, _Structure] = field(default_factory=dict)

    @property
    def sections(self) -> tuple[str, ...]:
        arithmetic = ("arithmetic",) if self.arithmetic_kinds else ()
        return (*self.structures, *arithmetic, *self.tables, *self.extras)


KINDS: dict[str, _Kind] = {
    "neuromorphic": _Kind(
        structures={"topology": _Structure(_TOPOLOGY_FIELDS, Topology, (_check_core_count,)),
                    "capacity": _Structure(_CAPACITY_FIELDS, Capacity, (_check_delay_range, _check_extension_cores),
                                           optional=("delay_extension_stages", "delay_extension_stage_steps",
                                                     "poisson_sources_per_core", "poisson_source_bytes"))},
        arithmetic_kinds={"fixed_point": _Structure(_SPIKING_FIELDS, SpikingArithmetic,
                                                    (_check_weight_exp, _check_int64_headroom)),
                          "float": _Structure(_FLOAT_FIELDS, FloatArithmetic)},
        tables={"energy_pj": _Table(ACTION_NAMES, unit="pJ", rail=True),
                "time_ns": _Table(ACTION_NAMES, unit="ns"),
                "static_power_mw": _Table(("chip", "core"), ("core_active",), unit="mW"),
                "timing": _Table(("barrier_ns",), ("realtime_step_ns", "core_clock_mhz", "message_out_ns",
                                                     "message_in_ns", "delay_core_per_neuron_ns"))},
        optional=("barrier_by_tiles", "rail_static_power_mw"),
        extras=("barrier_by_tiles", "rail_static_power_mw"),
    ),
    "mac": _Kind(
        structures={"arithmetic": _Structure(_MAC_FIELDS, MacArithmetic)},
        tables={"mac_costs": _Table(("mac_area_cm2", "mac_power_mw", "relu_area_cm2", "relu_power_mw",
                                     "adc_area_cm2", "adc_power_mw", "battery_power_mw"),
                                    ("argmax_area_cm2", "argmax_power_mw")),
                "timing": _Table(("clock_ms", "gate_delay_ms")),
                "energy_pj": _Table(ACTION_NAMES, unit="pJ")},
        optional=("energy_pj", "cells"),
        extras=("cells",),
        stateless_models=True,
    ),
}
"""The schema of each ``kind``: which sections it has and what they hold."""

_CELL_TABLE = _Table(("area_um2", "leakage_uw"), ("delay_ms",))


# ---------------------------------------------------------------------------------------------
# Reading sections


def _mapping(raw: Any, path: str, where: _File, what: str) -> dict:
    if not isinstance(raw, dict):
        raise where.error(path, _found(raw), f"expected a mapping of {what}")
    return raw


def _check_keys(raw: dict, path: str, allowed, required, where: _File) -> None:
    """Reject unknown keys (with a did-you-mean) and report the first missing required key."""
    for key in raw:
        if key not in allowed:
            raise where.error(f"{path}.{key}", f"unknown key '{key}'", one_of(key, allowed))
    for key in required:
        if key not in raw:
            raise where.error(f"{path}.{key}", "missing", f"expected keys: {_keys_text(required)}")


def _provenance_of(raw: dict, path: str, where: _File, required: bool) -> Provenance | None:
    """Read the one ``source``/``derived``/``estimate`` label of a mapping."""
    labels = [k for k in PROVENANCE_KEYS if k in raw]
    if len(labels) > 1:
        raise where.error(path, f"found {' and '.join(labels)}",
                          "expected exactly one of source, derived, estimate",
                          "A number is either published, derived from published numbers, or estimated.")
    if not labels:
        if not required:
            return None
        raise where.error(path, "found no source, derived or estimate",
                          "expected exactly one of them",
                          "Cite the paper and table (source:), show the arithmetic (derived:), "
                          "or give the reasoning (estimate:).")
    label = labels[0]
    text = raw[label]
    if not isinstance(text, str) or not text.strip():
        raise where.error(f"{path}.{label}", _found(text), "expected a non-empty text")
    source = f"derived: {text}" if label == "derived" else text
    return Provenance(source=source, estimate=label == "estimate")


#: Largest constant a profile may hold (any unit): far above every physical value, and products of such
#: constants with counts stay finite.
MAX_CONSTANT = 1e30
#: Constants that divide (a time step, a clock): 0 would give infinite loads or no time at all.
POSITIVE_CONSTANTS = ("timing.realtime_step_ns", "timing.core_clock_mhz", "timing.clock_ms",
                      "timing.gate_delay_ms")


def _number(value: Any, path: str, where: _File) -> float:
    """A finite number >= 0 (not a bool, not a string)."""
    if isinstance(value, str):
        hint = ""
        try:
            float(value)
            hint = "YAML reads 1e-3 as text: write 1.0e-3, or drop the quotes."
        except ValueError:
            pass
        raise where.error(path, _found(value), "expected a number >= 0", hint)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise where.error(path, _found(value), "expected a number >= 0")
    if isinstance(value, int) and abs(value) > MAX_CONSTANT:
        raise where.error(path, f"found an integer of {len(str(abs(value)))} digits", f"expected a number up to "
                          f"{MAX_CONSTANT:.0e}")
    if not math.isfinite(value) or abs(value) > MAX_CONSTANT:
        raise where.error(path, _found(value), f"expected a finite number >= 0 and <= {MAX_CONSTANT:.0e}")
    if value < 0:
        raise where.error(path, _found(value), "expected a number >= 0",
                          "Energies, times, powers and areas cannot be negative.")
    return float(value)


def _convert(value: float, unit: str, canonical: str) -> float:
    """``value`` in ``unit`` expressed in ``canonical`` (same family), to 12 significant digits."""
    scale = UNIT_FAMILIES[_FAMILY_OF_UNIT[canonical]]
    return float(f"{value * scale[unit] / scale[canonical]:.12g}")


def _read_constant(raw: Any, path: str, canonical: str, where: _File, rail: bool = False) -> Constant:
    """``{value, unit, source|derived|estimate[, rail]}`` -> :class:`Constant` in ``canonical`` units."""
    family = _FAMILY_OF_UNIT[canonical]
    units = UNIT_FAMILIES[family]
    if not isinstance(raw, dict):
        raise where.error(path, _found(raw),
                          f"expected a mapping {{value: <number>, unit: <{family} unit>, source: <text>}}",
                          "Every number carries its unit and its source or estimate.")
    _check_keys(raw, path, ("value", "unit", *PROVENANCE_KEYS, *(("rail",) if rail else ())),
                ("value", "unit"), where)
    value = _number(raw["value"], f"{path}.value", where)
    unit = raw["unit"]
    if not isinstance(unit, str) or unit not in units:
        same_letters = [u for u in units if u.lower() == str(unit).lower()]
        hint = (f"Did you mean '{same_letters[0]}'?" if same_letters else did_you_mean(unit, units).strip()) \
            or f"It is converted to {canonical}."
        raise where.error(f"{path}.unit", _found(unit),
                          f"expected a unit of {family}, one of: {', '.join(units)}", hint)
    label = _provenance_of(raw, path, where, required=True)
    rail_name = raw.get("rail")
    if rail_name is not None and not (isinstance(rail_name, str) and _RAIL_NAME.fullmatch(rail_name)):
        raise where.error(f"{path}.rail", _found(rail_name), "expected a rail name (lower case, digits, _)",
                          "Name a key of rail_static_power_mw, e.g. vdd.")
    return Constant(value=_convert(value, unit, canonical), unit=canonical,
                    source=label.source, estimate=label.estimate, rail=rail_name)


def _read_table(raw: Any, path: str, table: _Table, where: _File) -> dict[str, Constant]:
    """A section of constants; every required key present, no unknown key."""
    raw = _mapping(raw, path, where, "constants")
    _check_keys(raw, path, (*table.required, *table.optional), table.required, where)
    constants = {key: _read_constant(value, f"{path}.{key}", table.unit_of(key), where, rail=table.rail)
                 for key, value in raw.items()}
    for key, constant in constants.items():
        if f"{path}.{key}" in POSITIVE_CONSTANTS and constant.value <= 0:
            raise where.error(f"{path}.{key}.value", f"found {constant.value:g}", "expected a number > 0",
                              "It divides the work of a step or sets the time of one; 0 would make loads "
                              "infinite or latency 0.")
    return constants


def _read_structure(raw: Any, path: str, fields: Mapping[str, Any], where: _File,
                    out_provenance: dict[str, Provenance], optional: tuple[str, ...] = ()) -> dict[str, Any]:
    """Integer/symbolic fields, each bare (covered by the section's label) or ``{value, label}``; ``optional``
    fields may be left out (then absent from the result)."""
    raw = _mapping(raw, path, where, "fields")
    _check_keys(raw, path, (*fields, *PROVENANCE_KEYS), tuple(k for k in fields if k not in optional), where)
    section_label = _provenance_of(raw, path, where, required=False)
    values = {}
    for key, rule in fields.items():
        key_path = f"{path}.{key}"
        if key not in raw:   # an optional field left out (required ones were checked above): its default
            out_provenance[key_path] = Provenance(f"not declared: {key_path} is optional; the chip has none",
                                                  estimate=True)
            continue
        entry = raw[key]
        if isinstance(entry, dict):
            _check_keys(entry, key_path, ("value", *PROVENANCE_KEYS), ("value",), where)
            label = _provenance_of(entry, key_path, where, required=True)
            entry = entry["value"]
        elif section_label is None:
            raise where.error(key_path, f"found a bare value {entry!r} with no provenance",
                              f"expected {{value: ..., source: ...}} or a source/derived/estimate "
                              f"key on '{path}' that covers its bare values")
        else:
            label = section_label

        def fail(found: str, expected: str, hint: str = "", _path: str = key_path) -> SpecError:
            return where.error(_path, found, expected, hint)

        values[key] = rule.check(entry, fail)
        out_provenance[key_path] = label
    return values


#: Constants that come together or not at all: their key paths, and why.
_PAIRED_CONSTANTS = (
    (("timing.message_out_ns", "timing.message_in_ns"), "a core's send and receive sides overlap only with both"),
    (("timing.delay_core_per_neuron_ns", "static_power_mw.core_active"),
     "a delay core's work is priced at the power of a working core"),
)


def _check_paired_constants(tables: dict, where: _File) -> None:
    """Each pair of :data:`_PAIRED_CONSTANTS` is given whole or not at all (keys named without their section when
    both share it)."""
    for paths, why in _PAIRED_CONSTANTS:
        split = [path.split(".", 1) for path in paths]
        given = [path for path, (section, key) in zip(paths, split) if key in tables.get(section, {})]
        if len(given) == 1:
            missing = next(path for path in paths if path not in given)
            names = [key for _, key in split] if len({section for section, _ in split}) == 1 else list(paths)
            raise where.error(missing, "missing", f"expected both {names[0]} and {names[1]} when {given[0]} is "
                              f"given ({why})")


def _read_barrier_table(raw: Any, where: _File) -> dict[int, Constant]:
    """``barrier_by_tiles: {TILES: constant}``: a positive whole number of tiles per entry."""
    raw = _mapping(raw, "barrier_by_tiles", where, "tile counts to time constants")
    if not raw:
        raise where.error("barrier_by_tiles", "an empty mapping", "expected at least one {tiles: constant} entry")
    for key in raw:
        if not _is_int(key) or key < 1:
            raise where.error(f"barrier_by_tiles.{key}", _found(key), "expected a positive whole number of tiles")
    return {int(k): _read_constant(v, f"barrier_by_tiles.{k}", "ns", where) for k, v in sorted(raw.items())}


def _read_cells(raw: Any, where: _File) -> dict[str, dict[str, Constant]]:
    """``cells: {NAME: {area_um2: constant, leakage_uw: constant[, delay_ms: constant]}}``."""
    raw = _mapping(raw, "cells", where, "cell names")
    return {str(name): _read_table(cell, f"cells.{name}", _CELL_TABLE, where) for name, cell in raw.items()}


# --- supply rails (optional; Loihi 2's profiler reports power per rail) -----------------------

_RAIL_NAME = re.compile(r"[a-z][a-z0-9_]*")


def _read_rails(raw: Any, where: _File) -> dict[str, Constant]:
    """``rail_static_power_mw: {rail: constant in mW}``: the rails and each one's static power per chip."""
    raw = _mapping(raw, "rail_static_power_mw", where, "rail names")
    if not raw:
        raise where.error("rail_static_power_mw", "found no rail", "expected at least one rail",
                          "Leave the section out when the chip declares no rails.")
    for name in raw:
        if not (isinstance(name, str) and _RAIL_NAME.fullmatch(name)):
            raise where.error(f"rail_static_power_mw.{name}", f"found the rail name {short(name)}",
                              "expected lower case letters, digits and _ (e.g. vdd_m)")
    return {name: _read_constant(value, f"rail_static_power_mw.{name}", "mW", where) for name, value in raw.items()}


def _check_rails(rails: Mapping[str, Constant], energy: Mapping[str, Constant],
                 static: Mapping[str, Constant], where: _File) -> None:
    """Every energy entry names a declared rail, and the rails' static power sums to the chip's."""
    for action, constant in energy.items():
        if constant.rail is None and rails:
            raise where.error(f"energy_pj.{action}.rail", "missing",
                              f"expected the rail this action draws from, one of: {', '.join(rails)}",
                              "A profile with rail_static_power_mw assigns every action to a rail.")
        if constant.rail is not None and constant.rail not in rails:
            hint = "Declare the rails and their static power in rail_static_power_mw." if not rails else ""
            raise where.error(f"energy_pj.{action}.rail", f"found '{constant.rail}'",
                              one_of(constant.rail, rails) if rails else "expected no rail", hint)
    if rails:
        total, chip = sum(c.value for c in rails.values()), static["chip"].value
        if not math.isclose(total, chip, rel_tol=1e-6, abs_tol=1e-9):
            raise where.error("rail_static_power_mw", f"found rails summing to {total:.6g} mW",
                              f"expected static_power_mw.chip, {chip:.6g} mW",
                              "The rails split the chip's static power; they must add up to it.")


def _read_text(raw: dict, key: str, where: _File) -> str:
    value = raw[key]
    if not isinstance(value, str) or not value.strip():
        raise where.error(key, _found(value), "expected a non-empty text")
    return value.strip()


def _read_neuron_models(raw: Any, kind_name: str, kind: _Kind, where: _File) -> tuple[str, ...]:
    """Names from the IR's model registry; MAC chips take only stateless models."""
    models = _Choices(tuple(NEURON_MODELS)).check(
        raw, lambda found, expected, hint="": where.error("neuron_models", found, expected, hint))
    for name in models:
        if kind.stateless_models and NEURON_MODELS[name].stateful:
            allowed = [m for m, model in NEURON_MODELS.items() if not model.stateful]
            raise where.error("neuron_models", f"found '{name}', a stateful model",
                              f"expected only stateless models for kind '{kind_name}': {', '.join(allowed)}",
                              "A MAC circuit computes each sample once and keeps no state.")
    return models


def _read_header(raw: dict, where: _File) -> tuple[str, _Kind]:
    """Check ``version`` and ``kind``; return the kind's name and schema."""
    for key in ("version", "kind"):
        if key not in raw:
            raise where.error(key, "missing", f"expected the key '{key}' at the top of the file")
    version = raw["version"]
    if not _is_int(version) or version not in SCHEMA_VERSIONS:
        hint = "Write it as a number, without quotes." if isinstance(version, str) \
            else "This hwsim reads profiles of the versions listed."
        raise where.error("version", _found(version),
                          f"expected an integer, one of: {', '.join(map(str, SCHEMA_VERSIONS))}", hint)
    kind = raw["kind"]
    if not isinstance(kind, str) or kind not in KINDS:
        raise where.error("kind", _found(kind), one_of(kind, KINDS))
    return kind, KINDS[kind]


def _check_sections(raw: dict, kind_name: str, kind: _Kind, where: _File) -> None:
    """Top-level keys: known for this kind, every required section present."""
    allowed = (*_COMMON_KEYS, *kind.sections)
    every_section = {s for k in KINDS.values() for s in k.sections}
    for key in raw:
        if key in allowed:
            continue
        if key in every_section:
            raise where.error(key, f"found section '{key}'",
                              f"expected no such section for kind '{kind_name}' "
                              f"(its sections: {', '.join(kind.sections)})",
                              "Remove it, or change kind.")
        raise where.error(key, f"unknown key '{key}'", one_of(key, allowed))
    required = [*_COMMON_KEYS, *(s for s in kind.sections if s not in kind.optional)]
    for key in required:
        if key not in raw:
            raise where.error(key, "missing section" if key in kind.sections else "missing",
                              f"expected for kind '{kind_name}': {', '.join(required)}")


def _arithmetic_kind(raw: Any, kind: _Kind, where: _File) -> _Structure:
    """The schema the ``arithmetic`` section asks for with its ``kind`` key (default: the first)."""
    raw = _mapping(raw, "arithmetic", where, "fields")
    name = raw.get("kind", next(iter(kind.arithmetic_kinds)))
    if not isinstance(name, str) or name not in kind.arithmetic_kinds:
        raise where.error("arithmetic.kind", _found(name), one_of(name, kind.arithmetic_kinds),
                          "fixed_point: a chip's integer datapath (the default); float: the IR's own values.")
    return kind.arithmetic_kinds[name]


def _without_kind(raw: Any) -> Any:
    """The ``arithmetic`` mapping less its ``kind`` discriminator (read by :func:`_arithmetic_kind`)."""
    return {k: v for k, v in raw.items() if k != "kind"} if isinstance(raw, dict) else raw


def _build_profile(raw: Any, where: _File) -> ChipProfile:
    """Validate a parsed YAML document and build the :class:`ChipProfile`."""
    if not isinstance(raw, dict):   # describe it without quoting it: it may be any file, not a profile
        kind = _TYPE_NAMES.get(type(raw), type(raw).__name__)
        size = f" of {len(raw):,} items" if isinstance(raw, list) else (
            f" of {len(raw):,} characters" if isinstance(raw, str) else "")
        raise where.error("(top level)", f"found a {kind}{size}",
                          "expected a mapping with keys version, name, kind, ...",
                          "See chips/README.md for the layout of a profile.")
    kind_name, kind = _read_header(raw, where)
    _check_sections(raw, kind_name, kind, where)
    provenance: dict[str, Provenance] = {}
    specs = dict(kind.structures)
    if kind.arithmetic_kinds:
        specs["arithmetic"] = _arithmetic_kind(raw["arithmetic"], kind, where)
    structures = {name: _read_structure(_without_kind(raw[name]) if name == "arithmetic" else raw[name],
                                        name, spec.fields, where, provenance, spec.optional)
                  for name, spec in specs.items()}
    for name, spec in specs.items():
        for check in spec.checks:
            check(structures[name], where)
    tables = {name: _read_table(raw[name], name, table, where)
              for name, table in kind.tables.items() if name in raw}
    _check_paired_constants(tables, where)
    built = {name: specs[name].build(**values) for name, values in structures.items()}
    rails = _read_rails(raw["rail_static_power_mw"], where) if "rail_static_power_mw" in raw else {}
    if "energy_pj" in tables and "static_power_mw" in tables:
        _check_rails(rails, tables["energy_pj"], tables["static_power_mw"], where)
    return ChipProfile(
        name=_read_text(raw, "name", where),
        description=_read_text(raw, "description", where),
        kind=kind_name,
        path=where.name,
        neuron_models=_read_neuron_models(raw["neuron_models"], kind_name, kind, where),
        topology=built.get("topology"),
        capacity=built.get("capacity"),
        arithmetic=built["arithmetic"],
        energy_pj=tables.get("energy_pj", {}),
        time_ns=tables.get("time_ns", {}),
        static_power_mw=tables.get("static_power_mw", {}),
        timing=tables.get("timing", {}),
        mac_costs=tables.get("mac_costs", {}),
        cells=_read_cells(raw["cells"], where) if "cells" in raw else {},
        provenance=provenance,
        barrier_by_tiles_ns=_read_barrier_table(raw["barrier_by_tiles"], where) if "barrier_by_tiles" in raw else {},
        rail_static_power_mw=rails,
    )


# ---------------------------------------------------------------------------------------------
# YAML parsing and file lookup


class _DuplicateKeyError(yaml.YAMLError):
    """A mapping names the same key twice (PyYAML would keep the last value silently)."""

    def __init__(self, key: Any, mark: yaml.Mark):
        super().__init__(f"duplicate key {key!r}")
        self.key = key
        self.mark = mark


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader that rejects duplicate keys."""


def _construct_unique_mapping(loader: _StrictLoader, node: yaml.MappingNode, deep: bool = False) -> dict:
    loader.flatten_mapping(node)
    seen: set = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        try:
            duplicate = key in seen
        except TypeError:  # unhashable key: SafeLoader reports it below
            continue
        if duplicate:
            raise _DuplicateKeyError(key, key_node.start_mark)
        seen.add(key)
    return yaml.SafeLoader.construct_mapping(loader, node, deep=deep)


_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_unique_mapping)


def _line(mark: yaml.Mark | None) -> str:
    return f"line {mark.line + 1}, column {mark.column + 1}" if mark is not None else "(file)"


def _parse_yaml(text: str, where: _File) -> Any:
    """Parse ``text``; YAML errors become :class:`SpecError` naming the line."""
    try:
        return yaml.load(text, Loader=_StrictLoader)  # noqa: S506 (a SafeLoader subclass)
    except _DuplicateKeyError as err:
        raise where.error(_line(err.mark), f"duplicate key '{err.key}'",
                          "expected each key once per mapping",
                          "YAML would silently keep only the last value.") from None
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        problem = getattr(err, "problem", None) or str(err).splitlines()[0]
        raise where.error(_line(mark), f"YAML syntax error ({problem})", "expected valid YAML",
                          "Check the indentation, colons and quotes on that line and the one before.") from None


def _bundled() -> Any:
    return resources.files("hwsim.profiles")


def available_chips() -> list[str]:
    """Names of the bundled chip profiles (``chips/*.yaml``), sorted.

    Returns
    -------
    list of str
        Names accepted by :func:`load_chip`, e.g. ``["loihi", "printed_egfet", ...]``.
    """
    return sorted(entry.name[: -len(".yaml")] for entry in _bundled().iterdir()
                  if entry.name.endswith(".yaml") and entry.is_file())


def _looks_like_path(name_or_path: str | os.PathLike) -> bool:
    text = os.fspath(name_or_path)
    return isinstance(name_or_path, os.PathLike) or text.endswith((".yaml", ".yml")) \
        or os.sep in text or "/" in text


def _read_source(name_or_path: str | os.PathLike) -> tuple[str, _File]:
    """Return the text of the profile and the file it came from."""
    if not isinstance(name_or_path, (str, os.PathLike)):
        raise SpecError(f"load_chip: {_found(name_or_path)}; expected a chip name or a path to a YAML file.")
    if _looks_like_path(name_or_path):
        path = Path(name_or_path)
        where = _File(cut(path, 200))
        try:
            return path.read_text(encoding="utf-8"), where
        except FileNotFoundError:
            raise where.error("(file)", "not found", "expected an existing chip profile (.yaml)",
                              f"Bundled chips load by name: {', '.join(available_chips())}.") from None
        except (OSError, UnicodeDecodeError) as err:
            raise where.error("(file)", f"cannot be read ({cut(err, 100)})",
                              "expected a readable UTF-8 text file") from None
    name = os.fspath(name_or_path)
    if name not in available_chips():
        raise SpecError(f"load_chip: unknown chip {short(name)}; "
                        f"{one_of(name[:80], available_chips())} "
                        "To load your own profile, pass the path of its YAML file.")
    entry = _bundled().joinpath(f"{name}.yaml")
    return entry.read_text(encoding="utf-8"), _File(str(entry))


def load_chip(name_or_path: str | os.PathLike) -> ChipProfile:
    """Load and validate a chip profile.

    Parameters
    ----------
    name_or_path : str or path-like
        A bundled chip name (see :func:`available_chips`, e.g. ``"loihi"``), or the path
        of a YAML profile (anything with a path separator or a ``.yaml``/``.yml`` suffix).

    Returns
    -------
    ChipProfile
        Every constant converted to its canonical unit, with its provenance.

    Raises
    ------
    SpecError
        When the name is not bundled, the file is missing or is not valid YAML, or the
        profile breaks a rule of the schema (``chips/README.md``). The message names the
        file and the key path, what was found and what was expected.
    """
    text, where = _read_source(name_or_path)
    return _build_profile(_parse_yaml(text, where), where)
