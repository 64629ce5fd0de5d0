"""Poisson spike sources drawn in the kernel: a channel's count at one step, by inversion of one uniform.

At step ``t`` of sample ``s`` a Poisson input channel ``c`` (its index among the network's input channels)
with mean ``m`` spikes per step (its rate times the step) sends ``k`` spikes, the smallest ``k`` with
``u < P(K <= k)`` for ``K ~ Poisson(m)``, ``u`` uniform ``c`` of ``counter_rng.key_of(source_seed, s, t)``
(a stream of its own: ``hwsim.sources.source_seed``). The cumulative probabilities are summed term by
term from ``p0 = exp(-m)`` (``p_k = p_{k-1} * m / k``); the search stops at :data:`MAX_COUNT`. ``docs/sources.md``
states the same rule for users.
"""
from numba import njit

from ._config import JIT
from .counter_rng import key_of, uniform_at

#: The largest count one channel sends in one step (the search's bound; at a mean of 30 per step, the
#: chance of more than 255 is below 1e-100).
MAX_COUNT = 255


@njit(**JIT)
def poisson_count(u, mean, p0):
    """The count of uniform ``u`` for a Poisson mean ``mean`` (``p0 = exp(-mean)``), by sequential search."""
    k = 0
    p = p0
    cdf = p0
    while u >= cdf and k < MAX_COUNT:
        k += 1
        p = p * mean / k
        cdf += p
    return k


@njit(**JIT)
def channel_count(key, ch, t, poisson_mean, poisson_p0, poisson_start, poisson_stop):
    """Input channel ``ch``'s count at step ``t`` under the step's ``key`` (0 outside its window)."""
    if t < poisson_start[ch] or t >= poisson_stop[ch]:
        return 0
    return poisson_count(uniform_at(key, ch), poisson_mean[ch], poisson_p0[ch])


@njit(**JIT)
def draw_counts(source_seed, first_sample, channels, poisson_mean, poisson_p0, poisson_start, poisson_stop,
                out_counts):
    """Fill ``out_counts`` ``(n_samples, T, len(channels))`` with the counts of input ``channels`` that the
    kernel draws for samples ``first_sample ..`` (what a run sent, for recording the sources)."""
    for s in range(out_counts.shape[0]):
        for t in range(out_counts.shape[1]):
            key = key_of(source_seed, first_sample + s, t)
            for j in range(channels.shape[0]):
                out_counts[s, t, j] = channel_count(key, channels[j], t, poisson_mean, poisson_p0, poisson_start,
                                                    poisson_stop)
