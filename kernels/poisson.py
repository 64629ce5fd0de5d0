"""Poisson spike sources drawn in the kernel: a channel's count at one step, by inversion of one uniform.

At step ``t`` of sample ``s`` a Poisson input channel ``c`` (its index among the network's input channels)
with mean ``m`` spikes per step (its rate times the step) sends ``k`` spikes, the smallest ``k`` with
``u < P(K <= k)`` for ``K ~ Poisson(m)``, ``u`` uniform ``c`` of ``counter_rng.key_of(source_seed, s, t)``
(a stream of its own: ``hwsim.sources.source_seed``). The cumulative probabilities are summed term by
term from ``p0 = exp(-m)`` (``p_k = p_{k-1} * m / k``); the search stops at :data:`MAX_COUNT`. ``docs/sources.md``
states the same rule for users.

The first :data:`CDF_TERMS` cumulative probabilities of each channel are summed once, before a run
(:func:`cdf_rows`), in the same order as the search sums them, so they are the same numbers: a draw counts the
terms ``u`` reaches among them without a branch per term (a search branching on a random ``u`` mispredicts
about once a draw), and goes on term by term only past them.
"""
import numpy as np
from numba import njit

from ._config import JIT
from .counter_rng import key_of, uniform_at

#: The largest count one channel sends in one step (the search's bound; at a mean of 30 per step, the
#: chance of more than 255 is below 1e-100).
MAX_COUNT = 255

#: Cumulative probabilities kept per channel (:func:`cdf_rows`): a count of 7 or more at a mean of 1.6 per step
#: (W5's background) has a chance of about 1e-3.
CDF_TERMS = 7


@njit(**JIT)
def cdf_rows(poisson_mean, poisson_p0):
    """Per channel ``P(K <= 0) .. P(K <= CDF_TERMS - 1)`` for means ``poisson_mean`` (``poisson_p0 =
    exp(-mean)``), then the last term ``p_{CDF_TERMS - 1}``: float64 ``(n_channels, CDF_TERMS + 1)``."""
    rows = np.empty((poisson_mean.shape[0], CDF_TERMS + 1))
    for ch in range(poisson_mean.shape[0]):
        p = poisson_p0[ch]
        cdf = p
        rows[ch, 0] = cdf
        for k in range(1, CDF_TERMS):
            p = p * poisson_mean[ch] / k
            cdf += p
            rows[ch, k] = cdf
        rows[ch, CDF_TERMS] = p
    return rows


@njit(**JIT)
def poisson_count(u, mean, poisson_cdf, ch):
    """The count of uniform ``u`` for channel ``ch`` of Poisson mean ``mean`` and row ``ch`` of ``poisson_cdf``
    (:func:`cdf_rows`): the smallest ``k`` with ``u < P(K <= k)`` (at most :data:`MAX_COUNT`). The row is read
    by index, not as a slice (a slice is an array object whose reference counting took three quarters of a
    draw)."""
    k = 0
    for j in range(CDF_TERMS):   # the cumulative sums never decrease: counts the k terms that u reaches
        k += u >= poisson_cdf[ch, j]
    if k < CDF_TERMS:
        return k
    k = CDF_TERMS - 1
    p = poisson_cdf[ch, CDF_TERMS]
    cdf = poisson_cdf[ch, CDF_TERMS - 1]
    while u >= cdf and k < MAX_COUNT:
        k += 1
        p = p * mean / k
        cdf += p
    return k


@njit(**JIT)
def draws_at(t, ch, poisson_start, poisson_stop):
    """Whether input channel ``ch`` draws at step ``t`` (it sends nothing outside its window)."""
    return poisson_start[ch] <= t < poisson_stop[ch]


@njit(**JIT)
def draw_counts(source_seed, first_sample, channels, poisson_mean, poisson_cdf, poisson_start, poisson_stop,
                out_counts):
    """Fill ``out_counts`` ``(n_samples, T, len(channels))`` with the counts of input ``channels`` that the
    kernel draws for samples ``first_sample ..`` (what a run sent, for recording the sources)."""
    for s in range(out_counts.shape[0]):
        for t in range(out_counts.shape[1]):
            key = key_of(source_seed, first_sample + s, t)
            for j in range(channels.shape[0]):
                ch = channels[j]
                if draws_at(t, ch, poisson_start, poisson_stop):
                    out_counts[s, t, j] = poisson_count(uniform_at(key, ch), poisson_mean[ch], poisson_cdf, ch)
                else:
                    out_counts[s, t, j] = 0
