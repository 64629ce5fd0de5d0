"""The noise spec: :class:`NoiseSpec` of sources, the registry of kinds, and the strict loader.

A spec lists noise *sources*, each one *kind* with its parameters (``docs/noise.md``). Kinds register
themselves in :data:`KINDS` (:mod:`hwsim.noise.static`, :mod:`hwsim.noise.dynamic`); this module only
validates. Every kind has a fixed ``key`` that seeds its random stream (:func:`source_seed`), so a
source's draws depend only on the chip-instance seed and its own parameters.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Mapping

import numpy as np

from hwsim.chips import _File, _found, _is_int, _parse_yaml
from hwsim.errors import SpecError, did_you_mean, one_of
from hwsim.poisson_sources import STREAM_KEY

NOISE_VERSION = 1

# ---------------------------------------------------------------------------------------------
# Parameters and kinds


#: No noise parameter is larger than this in magnitude (each kind's own range is tighter).
MAX_MAGNITUDE = 1e6


@dataclass(frozen=True)
class Param:
    """One parameter of a noise kind: ``type`` float, bool or int, a default (None: required)
    and, for numbers, a closed range ``[minimum, maximum]`` (None: unbounded)."""

    type: type
    default: Any = None
    minimum: float | None = None
    maximum: float | None = None
    unit: str = ""

    @property
    def expected(self) -> str:
        if self.type is bool:
            return "expected true or false"
        what = "an integer" if self.type is int else "a number"
        if self.minimum is not None and self.maximum is not None:
            return f"expected {what} in [{self.minimum}, {self.maximum}]"
        if self.minimum is not None:
            return f"expected {what} >= {self.minimum}"
        return f"expected {what}"

    def check(self, value: Any, fail: Callable[[str, str, str], SpecError]):
        if self.type is bool:
            if not isinstance(value, bool):
                raise fail(_found(value), self.expected, "Write true or false without quotes.")
            return value
        ok_type = _is_int(value) if self.type is int else (
            (isinstance(value, (int, float)) and not isinstance(value, bool)) or isinstance(value, np.floating))
        if not ok_type:
            raise fail(_found(value), self.expected,
                       "true/false is not a number." if isinstance(value, bool) else "")
        if abs(value) > MAX_MAGNITUDE:    # before float(): a huge YAML integer would overflow it
            raise fail(_found(value), self.expected, "")
        value = int(value) if self.type is int else float(value)
        if not np.isfinite(value) or (self.minimum is not None and value < self.minimum) or \
                (self.maximum is not None and value > self.maximum):
            raise fail(_found(value), self.expected, "")
        return value


@dataclass(frozen=True)
class NoiseKind:
    """A registered noise kind.

    Attributes
    ----------
    name : str
        The ``kind`` written in specs.
    params : dict
        ``{name: Param}``.
    dynamic : bool
        True: drawn every step or event inside the kernels (:mod:`hwsim.noise.dynamic`); False: drawn once
        per chip instance and applied to the quantised network (:mod:`hwsim.noise.static`).
    key : int
        Fixed spawn key of the kind's random stream (never reuse or renumber one).
    stage : int
        Application order among the static kinds of one spec.
    spiking, mlp : callable or None
        Static kinds: ``f(q, params, chip, rng, programmed) -> q`` for a QuantizedNetwork / QuantizedMLP
        (``programmed``: the network as quantised, before any noise, whose Loihi sign modes the noise
        keeps); None: unsupported there.
    kernel : callable or None
        Dynamic kinds: ``f(params, q, chip) -> dict`` of :class:`hwsim.noise.dynamic.DynamicNoise` fields
        for the programmed spiking network ``q``.
    check : callable or None
        ``check(params)`` -> None, or ``(key, found, expected, hint)`` for a rule across parameters.
    """

    name: str
    params: dict
    dynamic: bool
    key: int
    stage: int = 0
    spiking: Callable | None = None
    mlp: Callable | None = None
    check: Callable[[dict], tuple[str, str, str, str] | None] | None = None
    kernel: Callable | None = None


KINDS: dict[str, NoiseKind] = {}

SIGMA = Param(float, minimum=0.0, maximum=1000.0, unit="relative (1 = 100 %)")
FRACTION = Param(float, minimum=0.0, maximum=1.0, unit="fraction")


def register_kind(kind: NoiseKind) -> NoiseKind:
    """Add a kind to :data:`KINDS` (names and keys must be new, and not the Poisson sources' stream key)."""
    if kind.name in KINDS or any(k.key == kind.key for k in KINDS.values()) or kind.key == STREAM_KEY:
        raise ValueError(f"noise kind '{kind.name}' (key {kind.key}) is already registered")
    KINDS[kind.name] = kind
    return kind


# ---------------------------------------------------------------------------------------------
# The spec


@dataclass(frozen=True)
class NoiseSource:
    """One source: a kind and its parameters (every parameter, defaults filled in)."""

    kind: str
    params: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        return {"kind": self.kind, **self.params}


@dataclass(frozen=True)
class NoiseSpec:
    """A validated list of noise sources (each kind at most once).

    Attributes
    ----------
    version : int
        Format version (1).
    sources : tuple of NoiseSource
        The sources as written; application order is fixed by the kinds (see module doc).
    """

    version: int = NOISE_VERSION
    sources: tuple[NoiseSource, ...] = ()

    def __post_init__(self):
        checked = _validate({"version": self.version, "sources": [s.to_dict() if isinstance(s, NoiseSource)
                                                                  else s for s in self.sources]},
                            _File("NoiseSpec"))
        object.__setattr__(self, "sources", checked.sources)

    @property
    def kinds(self) -> tuple[str, ...]:
        return tuple(s.kind for s in self.sources)

    def source(self, kind: str) -> NoiseSource:
        """The source of ``kind``, or SpecError."""
        for s in self.sources:
            if s.kind == kind:
                return s
        raise SpecError(f"noise spec: kind '{kind}' is not in this spec (it has: "
                        f"{', '.join(self.kinds) or 'none'}); expected one of its kinds."
                        f"{did_you_mean(kind, self.kinds)} Hint: add the source to the spec first.")

    def with_param(self, kind: str, param: str, value) -> "NoiseSpec":
        """A copy with ``param`` of the ``kind`` source set to ``value`` (validated): the sweep axis."""
        self.source(kind)
        sources = [s.to_dict() for s in self.sources]
        for s in sources:
            if s["kind"] == kind:
                s[param] = value
        return NoiseSpec(self.version, tuple(sources))

    def to_dict(self) -> dict:
        """Plain data: ``{"version": 1, "sources": [{"kind": ..., param: value, ...}, ...]}``."""
        return {"version": self.version, "sources": [s.to_dict() for s in self.sources]}


def _validate(raw: Any, where: _File) -> NoiseSpec:
    """Check plain data and return a NoiseSpec whose sources carry every parameter."""
    if not isinstance(raw, Mapping):
        raise where.error("(top level)", _found(raw), "expected a mapping with keys version, sources")
    unknown = set(raw) - {"version", "sources"}
    if unknown:
        key = sorted(map(str, unknown))[0]
        raise where.error(key, "unknown key", one_of(key, ("version", "sources")))
    version = raw.get("version", NOISE_VERSION)
    if not _is_int(version) or version != NOISE_VERSION:
        raise where.error("version", _found(version), f"expected {NOISE_VERSION}",
                          "This hwsim reads noise spec version 1.")
    sources = raw.get("sources")
    if not isinstance(sources, (list, tuple)):
        raise where.error("sources", _found(sources), "expected a list of sources (each a mapping with 'kind')")
    out, seen = [], {}
    for i, src in enumerate(sources):
        path = f"sources[{i}]"
        if isinstance(src, NoiseSource):
            src = src.to_dict()
        if not isinstance(src, Mapping):
            raise where.error(path, _found(src), "expected a mapping with 'kind' and its parameters")
        if "kind" not in src:
            raise where.error(path, "no 'kind'", f"expected a kind, {one_of('', KINDS)}")
        name = src["kind"]
        if not isinstance(name, str) or name not in KINDS:
            raise where.error(f"{path}.kind", f"unknown kind {name!r}", one_of(str(name), KINDS))
        if name in seen:
            raise where.error(f"{path}.kind", f"'{name}' again (first at sources[{seen[name]}])",
                              "expected each kind once", "Merge the two entries into one.")
        seen[name] = i
        kind = KINDS[name]
        params = {}
        for key, value in src.items():
            if key == "kind":
                continue
            if key not in kind.params:
                raise where.error(f"{path}.{key}", f"unknown parameter of '{name}'",
                                  one_of(str(key), kind.params) if kind.params else "expected none")

            def fail(found, expected, hint="", _p=f"{path}.{key}"):
                return where.error(_p, found, expected, hint)
            params[key] = kind.params[key].check(value, fail)
        for key, param in kind.params.items():
            if key not in params:
                if param.default is None:
                    raise where.error(f"{path}.{key}", "missing", f"expected it for kind '{name}' "
                                      f"({param.expected.removeprefix('expected ')})")
                params[key] = param.default
        if kind.check is not None:
            problem = kind.check(params)
            if problem is not None:
                key, found, expected, hint = problem
                raise where.error(f"{path}.{key}", found, expected, hint)
        out.append(NoiseSource(name, params))
    spec = object.__new__(NoiseSpec)
    object.__setattr__(spec, "version", version)
    object.__setattr__(spec, "sources", tuple(out))
    return spec


def load_noise(path_or_mapping) -> NoiseSpec:
    """Load and validate a noise spec from a YAML file or a mapping.

    Parameters
    ----------
    path_or_mapping : str, os.PathLike or mapping
        A YAML file (``version: 1`` and ``sources: [{kind: ..., param: value}, ...]``) or the same
        data as a dict.

    Raises
    ------
    SpecError
        Unknown kinds or parameters (with a did-you-mean), wrong types, values out of range; the
        message names the file and the key path (``sources[1].sigma``).
    """
    if isinstance(path_or_mapping, Mapping):
        return _validate(path_or_mapping, _File("noise spec"))
    if not isinstance(path_or_mapping, (str, os.PathLike)):
        raise SpecError(f"load_noise: {_found(path_or_mapping)}; expected a path to a YAML file or a mapping.")
    path = Path(path_or_mapping)
    where = _File(str(path))
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise where.error("(file)", "not found", "expected an existing noise spec (.yaml)") from None
    except (OSError, UnicodeDecodeError) as err:
        raise where.error("(file)", f"cannot be read ({err})", "expected a readable UTF-8 text file") from None
    return _validate(_parse_yaml(text, where), where)


def source_seed(seed: int, kind: str) -> np.random.SeedSequence:
    """The seed sequence of ``kind``'s draws for chip instance ``seed``: child ``KINDS[kind].key`` of
    ``SeedSequence(seed)``."""
    return np.random.SeedSequence(seed, spawn_key=(KINDS[kind].key,))


def check_seed(where: str, seed) -> int:
    """``seed`` as an int, or SpecError unless it is an integer >= 0."""
    if not (_is_int(seed) or isinstance(seed, np.integer)) or seed < 0:
        raise SpecError(f"{where}: seed {_found(seed)}; expected an integer >= 0.")
    return int(seed)
