"""Turn real-valued features in [0, 1] into spike rasters for spiking graphs.

A raster is ``uint8[n_samples, n_steps, n_channels]``: entry ``[n, t, c]`` is 1
when input channel ``c`` of sample ``n`` emits a spike at step ``t`` (see the
arrival rule in :mod:`hwsim.ir`: it reaches the first layer at step ``t + 1``).
"""
from __future__ import annotations

import numpy as np

from hwsim.errors import SpecError, one_of

METHODS = ("regular", "bernoulli")


def _check_values(x) -> np.ndarray:
    try:
        values = np.asarray(x, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise SpecError(f"rate_encode: x could not be read as numbers ({exc}); "
                        f"expected a numeric array (n_samples, n_channels).") from None
    if values.ndim != 2:
        raise SpecError(f"rate_encode: x has {values.ndim} dimension(s), shape {values.shape}; "
                        f"expected 2 (n_samples, n_channels). Hint: use x.reshape(1, -1) for one sample.")
    n_nan = int(np.count_nonzero(np.isnan(values)))
    if n_nan:
        raise SpecError(f"rate_encode: x holds {n_nan} NaN value(s); expected spike probabilities "
                        f"in [0, 1]. Hint: impute or drop missing features first.")
    outside = (values < 0) | (values > 1)
    if np.any(outside):
        raise SpecError(f"rate_encode: {int(np.count_nonzero(outside))} value(s) of x outside [0, 1] "
                        f"(min {values.min():g}, max {values.max():g}); expected spike probabilities "
                        f"per step in [0, 1]. Hint: scale the features, e.g. pixels / 16 for digits.")
    return values


def rate_encode(x, n_steps: int, method: str = "regular", seed=None) -> np.ndarray:
    """Encode features as spike trains whose rate per step is the feature value.

    Parameters
    ----------
    x : array_like
        ``(n_samples, n_channels)`` values in [0, 1]: the spike probability per step.
    n_steps : int
        Number of steps ``T >= 1``.
    method : str
        ``"regular"`` (deterministic phase accumulation: a channel of value ``p`` spikes at
        step ``t`` when ``floor((t + 1) * p) > floor(t * p)``, so it emits exactly
        ``floor(T * p)`` spikes) or ``"bernoulli"`` (independent spikes with probability ``p``
        per step, drawn from ``np.random.default_rng(seed)``).
    seed : int, optional
        Seed of the ``"bernoulli"`` draws (required there); unused by ``"regular"``.

    Returns
    -------
    ndarray
        uint8 ``(n_samples, n_steps, n_channels)`` raster of 0/1 spikes.
    """
    if method not in METHODS:
        raise SpecError(f"rate_encode: method '{method}'; {one_of(method, METHODS)}")
    if isinstance(n_steps, bool) or not isinstance(n_steps, (int, np.integer)) or n_steps < 1:
        raise SpecError(f"rate_encode: n_steps={n_steps!r}; expected an integer >= 1.")
    values = _check_values(x)
    if method == "regular":
        phase = np.floor(np.arange(n_steps + 1, dtype=np.float64)[None, :, None] * values[:, None, :])
        return (phase[:, 1:] > phase[:, :-1]).astype(np.uint8)
    if seed is None:
        raise SpecError("rate_encode: method 'bernoulli' without a seed; expected an integer seed "
                        "so that the spike trains are reproducible. Hint: pass seed=0.")
    rng = np.random.default_rng(seed)
    draws = rng.random((values.shape[0], int(n_steps), values.shape[1]))
    return (draws < values[:, None, :]).astype(np.uint8)
