"""Counter-based random numbers for dynamic noise: a draw is a pure function of its coordinates.

A draw is identified by ``(seed, sample, step, index)``; its 64-bit value is::

    mix(mix(mix(mix(seed) ^ sample) ^ step) ^ index)

with ``mix`` the SplitMix64 finaliser (Steele, Lea & Flood, "Fast splittable pseudorandom number
generators", OOPSLA 2014)::

    z += 0x9E3779B97F4A7C15
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9
    z = (z ^ (z >> 27)) * 0x94D049BB133111EB
    return z ^ (z >> 31)                    (all uint64, wrapping)

So no state is carried between draws: results do not depend on how samples are split across
threads or batches, on the order of evaluation, or on which other draws were made.
Uniforms are ``(value >> 11) * 2**-53`` in [0, 1); normals use Box-Muller on the draws of
indices ``2 k`` and ``2 k + 1``. ``docs/noise.md`` states the same rules for users.
"""
import math

import numpy as np
from numba import njit

from ._config import JIT

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_MUL1 = np.uint64(0xBF58476D1CE4E5B9)
_MUL2 = np.uint64(0x94D049BB133111EB)
_UNIT = 1.0 / 9007199254740992.0   # 2**-53


@njit(**JIT)
def mix(z):
    """SplitMix64 finaliser of a uint64."""
    z = z + _GOLDEN
    z = (z ^ (z >> np.uint64(30))) * _MUL1
    z = (z ^ (z >> np.uint64(27))) * _MUL2
    return z ^ (z >> np.uint64(31))


@njit(**JIT)
def key_of(seed, sample, step):
    """The key of every draw of one (sample, step) under ``seed`` (uint64)."""
    return mix(mix(mix(np.uint64(seed)) ^ np.uint64(sample)) ^ np.uint64(step))


@njit(**JIT)
def bits_at(key, index):
    """The 64-bit draw of ``index`` under ``key``."""
    return mix(key ^ np.uint64(index))


@njit(**JIT)
def uniform_at(key, index):
    """A float64 uniform in [0, 1) for ``index`` under ``key``."""
    return np.float64(bits_at(key, index) >> np.uint64(11)) * _UNIT


@njit(**JIT)
def normal_at(key, index):
    """A standard normal for ``index`` under ``key`` (Box-Muller on draws ``2 index`` and ``2 index + 1``)."""
    u1 = (np.float64(bits_at(key, 2 * index) >> np.uint64(11)) + 1.0) * _UNIT   # (0, 1]: log is finite
    u2 = np.float64(bits_at(key, 2 * index + 1) >> np.uint64(11)) * _UNIT
    return math.sqrt(-2.0 * math.log(u1)) * math.cos(2.0 * math.pi * u2)
