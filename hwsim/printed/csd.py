"""Canonical signed digit (CSD) recoding of integer constants.

A CSD form writes ``n = sum_k d_k 2**k`` with digits ``d_k`` in ``{-1, 0, 1}`` and no two
adjacent non-zero digits. It is unique and has the fewest non-zero digits of any signed-digit
form, so a bespoke constant multiplier ``n * a`` built from it needs ``nonzero_digits(n) - 1``
adders or subtractors: zero costs nothing, and so does a power of two (a shift is wiring).
"""
from __future__ import annotations

from functools import lru_cache


@lru_cache(maxsize=None)
def csd_digits(n: int) -> tuple[tuple[int, int], ...]:
    """The non-zero CSD digits of ``n`` as ``(position, digit)`` pairs, lowest position first.

    Parameters
    ----------
    n : int
        Any integer (negative values give the negated digits of ``-n``).

    Returns
    -------
    tuple of (int, int)
        ``(k, d)`` with ``d`` in ``{-1, 1}``; ``sum(d * 2**k) == n``.
    """
    n = int(n)
    digits, k = [], 0
    while n != 0:
        if n & 1:
            d = 2 - (n & 3)        # n = 1 (mod 4) -> +1, n = 3 (mod 4) -> -1
            digits.append((k, d))
            n -= d
        n >>= 1
        k += 1
    return tuple(digits)


def nonzero_digits(n: int) -> int:
    """Number of non-zero CSD digits of ``n`` (0 for zero, 1 for a signed power of two)."""
    return len(csd_digits(n))


def cheapest_near(n: int, tolerance: int, top: int) -> int:
    """The constant within ``tolerance`` of ``n`` (and ``|value| <= top``) with the fewest CSD digits.

    Ties go to the value nearest ``n``, then to the smaller magnitude. This is the
    coefficient approximation of Armeniakos et al. (DATE 2022): a weight is replaced by a
    nearby constant whose bespoke multiplier is cheaper.

    Parameters
    ----------
    n : int
        The weight.
    tolerance : int
        Largest allowed ``|value - n|`` (>= 0).
    top : int
        Largest allowed magnitude (the weight width's top, e.g. 127).
    """
    candidates = [v for v in range(n - tolerance, n + tolerance + 1) if abs(v) <= top] or [n]
    return min(candidates, key=lambda v: (nonzero_digits(v), abs(v - n), abs(v)))
