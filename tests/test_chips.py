"""Chip profiles: every bundled profile loads, units convert, every validation rule bites.

* Profiles are collected from ``chips/*.yaml``, so a new chip file is tested with no
  new test code.
* Differential test (timeloopfe style): each profile is re-spelt in other units of the
  same family and with per-key instead of section-level provenance; both spellings
  must load to the same :class:`ChipProfile`.
* One file per validation rule in ``tests/bad_specs/``; its header gives the expected
  message fragment (``# expect:``) and the key path the message must name (``# path:``).
"""
from __future__ import annotations

import dataclasses
import pickle
import re
from pathlib import Path

import pytest
import yaml

from hwsim.chips import (
    KINDS,
    PROVENANCE_KEYS,
    UNIT_FAMILIES,
    ChipProfile,
    Constant,
    FloatArithmetic,
    MacArithmetic,
    SpikingArithmetic,
    available_chips,
    load_chip,
)
from hwsim.errors import SpecError
from hwsim.kernels.actions import NAMES

ROOT = Path(__file__).resolve().parent.parent
CHIP_FILES = sorted((ROOT / "chips").glob("*.yaml"))
BAD_SPECS = sorted((Path(__file__).resolve().parent / "bad_specs").glob("*.yaml"))
REQUIRED_CHIPS = ("loihi", "loihi_sanafe", "spinnaker", "spinnaker2", "printed_egfet")
CANONICAL_UNITS = {"pJ", "ns", "ms", "mW", "uW", "cm2", "um2", "MHz"}
STRUCTURES = ("topology", "capacity", "arithmetic")
TABLES = ("energy_pj", "time_ns", "static_power_mw", "timing", "mac_costs", "rail_static_power_mw")


def _ids(paths):
    return [p.stem for p in paths]


def _constants(chip: ChipProfile):
    """Every (key path, Constant) of a profile."""
    for table in TABLES:
        for key, constant in getattr(chip, table).items():
            yield f"{table}.{key}", constant
    for cell, entries in chip.cells.items():
        for key, constant in entries.items():
            yield f"cells.{cell}.{key}", constant


# ---------------------------------------------------------------------------------------------
# Bundled profiles


def test_available_chips_lists_every_yaml_file():
    assert available_chips() == sorted(p.stem for p in CHIP_FILES)
    assert set(REQUIRED_CHIPS) <= set(available_chips())


@pytest.mark.parametrize("chip_file", CHIP_FILES, ids=_ids(CHIP_FILES))
def test_profile_loads_by_name_and_by_path(chip_file):
    by_path = load_chip(chip_file)
    by_name = load_chip(chip_file.stem)
    assert by_path.name == chip_file.stem
    assert dataclasses.replace(by_path, path="") == dataclasses.replace(by_name, path="")
    assert by_path.kind in KINDS


@pytest.mark.parametrize("chip_file", CHIP_FILES, ids=_ids(CHIP_FILES))
def test_profile_matches_its_kind(chip_file):
    chip = load_chip(chip_file)
    if chip.kind == "neuromorphic":
        assert isinstance(chip.arithmetic, (SpikingArithmetic, FloatArithmetic))
        assert chip.topology.n_cores >= 1 and chip.capacity is not None
        assert 0 <= chip.capacity.min_delay_steps <= chip.capacity.max_delay_steps
        assert set(chip.energy_pj) == set(NAMES)
        assert set(chip.time_ns) == set(NAMES)
        assert {"chip", "core"} <= set(chip.static_power_mw) <= {"chip", "core", "core_active"}
        assert "barrier_ns" in chip.timing
    else:
        assert isinstance(chip.arithmetic, MacArithmetic)
        assert chip.topology is None and chip.capacity is None and not chip.time_ns
        assert chip.energy_pj == {} or set(chip.energy_pj) == set(NAMES)
        assert {"clock_ms", "mac_power_mw", "battery_power_mw"} <= set(chip.timing) | set(chip.mac_costs)


@pytest.mark.parametrize("chip_file", CHIP_FILES, ids=_ids(CHIP_FILES))
def test_every_number_carries_its_provenance(chip_file):
    chip = load_chip(chip_file)
    for path, constant in _constants(chip):
        assert constant.unit in CANONICAL_UNITS, path
        assert constant.value >= 0, path
        assert constant.source.strip(), path
    for section in STRUCTURES:
        value = getattr(chip, section)
        if value is None:
            continue
        for field in dataclasses.fields(value):
            label = chip.provenance[f"{section}.{field.name}"]
            assert label.source.strip(), f"{section}.{field.name}"


@pytest.mark.parametrize("chip_file", CHIP_FILES, ids=_ids(CHIP_FILES))
def test_profile_pickles(chip_file):
    """Sweeps ship profiles to worker processes."""
    chip = load_chip(chip_file)
    assert pickle.loads(pickle.dumps(chip)) == chip


def test_key_numbers_of_bundled_profiles():
    """Spot checks written as the arithmetic of their sources."""
    loihi = load_chip("loihi")
    assert loihi.topology.n_cores == 8 * 4 * 4
    assert loihi.energy_pj["synop"].value == 23.6
    assert loihi.capacity.synapse_memory_bits_per_core == 128 * 1024 * 8
    assert loihi.static_power_mw["chip"].value == pytest.approx(3.34e3 / 32)
    assert loihi.capacity.routing_bits_per_entry == 20 * 1024 * 8 // 4096

    spinnaker = load_chip("spinnaker")
    assert spinnaker.topology.n_cores == 48 * 16
    assert spinnaker.static_power_mw["chip"].value == 350.0          # written as 0.35 W
    assert spinnaker.energy_pj["packet"].value == 25 * 40            # 25 pJ/bit x 40 bits
    assert spinnaker.timing["realtime_step_ns"].value == 1e6         # written as 1 ms
    assert spinnaker.capacity.synapse_memory_bits_per_core == 123_469_792 // 16 * 8
    assert spinnaker.time_ns["neuron_active"].value == (22 + 22 + 100 + 100 + 2) * 5

    printed = load_chip("printed_egfet")
    # one logic level is one NAND2X1 stage: the median of its 42 delays on the LES-2024 Cardio critical path
    assert printed.timing["gate_delay_ms"].value == printed.cells["NAND2X1"]["delay_ms"].value == 1.138
    # the cells' delays on that path (103 cells, 149.66 ms): each type's count x its median, within 5 %
    on_path = {"INVX1": 29, "NAND2X1": 42, "NOR2X1": 2, "AND2X1": 17, "OR2X1": 7, "XOR2X1": 3, "XNOR2X1": 3}
    assert sum(n * printed.cells[c]["delay_ms"].value for c, n in on_path.items()) == pytest.approx(149.66, rel=0.05)
    assert printed.mac_costs["adc_power_mw"].value == 1.296
    assert printed.energy_pj == {}


# ---------------------------------------------------------------------------------------------
# Differential: one chip spelt two ways loads the same


def _other_unit(unit: str) -> tuple[str, float]:
    """Another unit of ``unit``'s family and the factor to multiply values by."""
    family = next(units for units in UNIT_FAMILIES.values() if unit in units)
    other = next(u for u in family if u != unit)
    return other, family[unit] / family[other]


def _respell_constants(node):
    """Rewrite every ``{value, unit}`` mapping in another unit of the same quantity."""
    if isinstance(node, dict) and "unit" in node and "value" in node:
        unit, factor = _other_unit(node["unit"])
        return {**node, "unit": unit, "value": node["value"] * factor}
    if isinstance(node, dict):
        return {key: _respell_constants(value) for key, value in node.items()}
    return node


def _respell_provenance(section: dict) -> dict:
    """Move a section-level source/derived/estimate onto each bare value (not onto the ``kind``
    discriminator of an arithmetic section, which names a schema and carries no provenance)."""
    labels = {k: section[k] for k in PROVENANCE_KEYS if k in section}
    return {key: value if isinstance(value, dict) or not labels or key == "kind" else {"value": value, **labels}
            for key, value in section.items() if key not in PROVENANCE_KEYS}


def _respell(raw: dict) -> dict:
    raw = _respell_constants(raw)
    for section in STRUCTURES:
        if section in raw:
            raw[section] = _respell_provenance(raw[section])
    return raw


def _assert_same(a: ChipProfile, b: ChipProfile) -> None:
    plain = ("name", "description", "kind", "neuron_models", "topology", "capacity", "arithmetic",
             "provenance")
    assert [getattr(a, f) for f in plain] == [getattr(b, f) for f in plain]
    left, right = dict(_constants(a)), dict(_constants(b))
    assert left.keys() == right.keys()
    for path, constant in left.items():
        other = right[path]
        assert other.value == pytest.approx(constant.value, rel=1e-9), path
        assert (other.unit, other.source, other.estimate) == (constant.unit, constant.source, constant.estimate)


@pytest.mark.parametrize("chip_file", CHIP_FILES, ids=_ids(CHIP_FILES))
def test_profile_spelt_in_other_units_loads_the_same(chip_file, tmp_path):
    raw = yaml.safe_load(chip_file.read_text(encoding="utf-8"))
    respelt = tmp_path / chip_file.name
    respelt.write_text(yaml.safe_dump(_respell(raw), sort_keys=False), encoding="utf-8")
    _assert_same(load_chip(chip_file), load_chip(respelt))


TOY_UNITS = """
energy_pj: {{synop: {{value: {synop}, unit: {energy}, estimate: toy}}}}
static_power_mw: {{chip: {{value: {chip}, unit: {power}, estimate: toy}}}}
timing: {{barrier_ns: {{value: {barrier}, unit: {time}, estimate: toy}}}}
"""


def _profile_with(tmp_path: Path, name: str, **spelling) -> ChipProfile:
    """loihi.yaml with three constants replaced by ``spelling``."""
    raw = yaml.safe_load((ROOT / "chips" / "loihi.yaml").read_text(encoding="utf-8"))
    for section, entries in yaml.safe_load(TOY_UNITS.format(**spelling)).items():
        raw[section].update(entries)
    path = tmp_path / f"{name}.yaml"
    path.write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    return load_chip(path)


def test_nanojoules_watts_microseconds_equal_picojoules_milliwatts_nanoseconds(tmp_path):
    small = _profile_with(tmp_path, "small", synop=23.6, energy="pJ", chip=104.4, power="mW",
                          barrier=465, time="ns")
    large = _profile_with(tmp_path, "large", synop=0.0236, energy="nJ", chip=0.1044, power="W",
                          barrier=0.465, time="us")
    _assert_same(small, large)
    assert large.energy_pj["synop"] == Constant(23.6, "pJ", "toy", estimate=True)
    assert large.static_power_mw["chip"].value == 104.4
    assert large.timing["barrier_ns"].value == 465.0


def test_area_in_mm2_and_um2_converts_to_cm2(tmp_path):
    raw = yaml.safe_load((ROOT / "chips" / "printed_egfet.yaml").read_text(encoding="utf-8"))
    raw["mac_costs"]["mac_area_cm2"].update(value=110.0, unit="mm2")
    raw["mac_costs"]["relu_area_cm2"].update(value=3.0e6, unit="um2")
    path = tmp_path / "printed_mm2.yaml"
    path.write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    chip = load_chip(path)
    assert chip.mac_costs["mac_area_cm2"].value == pytest.approx(1.1)
    assert chip.mac_costs["relu_area_cm2"].value == pytest.approx(0.03)


# ---------------------------------------------------------------------------------------------
# One bad-input file per validation rule


def _header(path: Path, key: str) -> str:
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith(f"# {key}:"):
            return line.split(":", 1)[1].strip()
    raise LookupError(f"{path.name} has no '# {key}:' header line")


def test_bad_specs_exist():
    assert len(BAD_SPECS) >= 30


@pytest.mark.parametrize("bad_file", BAD_SPECS, ids=_ids(BAD_SPECS))
def test_bad_spec_raises_a_spec_error_naming_file_and_key(bad_file):
    with pytest.raises(SpecError, match=re.escape(_header(bad_file, "expect"))) as caught:
        load_chip(bad_file)
    message = str(caught.value)
    assert message.startswith(f"{bad_file}: "), message
    assert f": {_header(bad_file, 'path')}" in message, message


def test_unknown_chip_name_lists_the_bundled_chips():
    with pytest.raises(SpecError, match="unknown chip 'loihii'") as caught:
        load_chip("loihii")
    message = str(caught.value)
    assert all(name in message for name in available_chips())
    assert "Did you mean 'loihi'?" in message


def test_missing_file_names_the_path(tmp_path):
    missing = tmp_path / "nowhere.yaml"
    with pytest.raises(SpecError, match="not found") as caught:
        load_chip(missing)
    assert str(missing) in str(caught.value)


def test_spec_error_is_a_value_error():
    with pytest.raises(ValueError):
        load_chip(BAD_SPECS[0])


# ---------------------------------------------------------------------------------------------
# The key reference mirrors the schema


def test_readme_documents_every_key_and_unit():
    readme = (ROOT / "chips" / "README.md").read_text(encoding="utf-8")
    keys = {f.name for cls in (SpikingArithmetic, FloatArithmetic, MacArithmetic) for f in dataclasses.fields(cls)}
    keys |= {name for kind in KINDS.values() for name in kind.arithmetic_kinds}
    keys |= {f.name for f in dataclasses.fields(load_chip("loihi").topology)}
    keys |= {f.name for f in dataclasses.fields(load_chip("loihi").capacity)}
    for kind in KINDS.values():
        keys |= set(kind.sections)
        for table in kind.tables.values():
            keys |= set(table.required) | set(table.optional)
    keys |= {"area_um2", "leakage_uw", *PROVENANCE_KEYS, "version", "name", "kind", "neuron_models"}
    units = {unit for family in UNIT_FAMILIES.values() for unit in family}
    missing = sorted(k for k in keys | units if f"`{k}`" not in readme)
    assert not missing, f"chips/README.md does not mention: {missing}"


# ---------------------------------------------------------------------------------------------
# Fuzz: supply rails (loihi2.yaml's rail keys replaced by arbitrary YAML values)

from hypothesis import HealthCheck, given, settings, strategies as st  # noqa: E402

_JUNK = st.recursive(st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
                     lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner,
                                                                                  max_size=3), max_leaves=6)
_LOIHI2 = yaml.safe_load((ROOT / "chips" / "loihi2.yaml").read_text(encoding="utf-8"))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rails=_JUNK | st.dictionaries(st.sampled_from(["vdd", "vdd_m", "Vdd", "1x"]), _JUNK, max_size=3),
       action=st.sampled_from(NAMES), rail=_JUNK | st.sampled_from(["vdd", "vdd_m", "vdd_io", "VDD"]))
def test_rail_keys_fuzzed_load_or_raise_a_spec_error(tmp_path, rails, action, rail):
    raw = yaml.safe_load(yaml.safe_dump(_LOIHI2))
    raw["rail_static_power_mw"] = rails
    raw["energy_pj"][action]["rail"] = rail
    path = tmp_path / "fuzzed.yaml"
    path.write_text(yaml.safe_dump(raw), encoding="utf-8")
    try:
        chip = load_chip(path)
    except SpecError as err:
        assert str(err).startswith(f"{path}: ")
    else:
        assert set(chip.rail_static_power_mw) >= {c.rail for c in chip.energy_pj.values()}
