"""Poisson spike sources drawn in the kernel: a channel's count at one step, by inversion of one uniform.

At step ``t`` of sample ``s`` a Poisson input channel ``c`` (its index among the network's input channels)
with mean ``m`` spikes per step (its rate times the step) sends ``k`` spikes, the smallest ``k`` with
``u < P(K <= k)`` for ``K ~ Poisson(m)``, ``u`` uniform ``c`` of ``counter_rng.key_of(source_seed, s, t)``
(a stream of its own: ``hwsim.sources.source_seed``). The cumulative probabilities are summed term by
term from ``p0 = exp(-m)`` (``p_k = p_{k-1} * m / k``); the search stops at :data:`MAX_COUNT`. ``docs/sources.md``
states the same rule for users.

The first :data:`CDF_TERMS` cumulative probabilities of each channel are summed once, before a run
(:func:`cdf_terms`), in the same order as the search sums them, so they are the same numbers: a draw counts the
terms ``u`` reaches among them without a branch per term (a search branching on a random ``u`` mispredicts
about once a draw), and goes on term by term only past them. The event loop draws a block of channels at a
time (:func:`draw_block`, a loop without branches that vectorises) and finishes the rare counts past the terms
with :func:`poisson_count`: the same counts.
"""
import numpy as np
from numba import njit

from ._config import JIT
from .counter_rng import key_of, uniform_at

#: The largest count one channel sends in one step (the search's bound; at a mean of 30 per step, the
#: chance of more than 255 is below 1e-100).
MAX_COUNT = 255

#: Cumulative probabilities kept per channel (:func:`cdf_terms`): a count of 7 or more at a mean of 1.6 per step
#: (W5's background) has a chance of about 1e-3.
CDF_TERMS = 7

#: Channels drawn at a time by :func:`draw_block` (the event loop's scratch for their counts).
DRAW_BLOCK = 256


@njit(**JIT)
def cdf_terms(poisson_mean, poisson_p0):
    """Per channel ``P(K <= 0) .. P(K <= CDF_TERMS - 1)`` for means ``poisson_mean`` (``poisson_p0 =
    exp(-mean)``), then the last term ``p_{CDF_TERMS - 1}``: float64 ``(CDF_TERMS + 1, n_channels)``, term-major
    so that consecutive channels' terms lie side by side (:func:`draw_block` vectorises over channels)."""
    terms = np.empty((CDF_TERMS + 1, poisson_mean.shape[0]))
    for ch in range(poisson_mean.shape[0]):
        p = poisson_p0[ch]
        cdf = p
        terms[0, ch] = cdf
        for k in range(1, CDF_TERMS):
            p = p * poisson_mean[ch] / k
            cdf += p
            terms[k, ch] = cdf
        terms[CDF_TERMS, ch] = p
    return terms


@njit(**JIT)
def _terms_reached(u, poisson_cdf, ch):
    """How many of channel ``ch``'s kept cumulative probabilities uniform ``u`` reaches (they never decrease):
    its count when below :data:`CDF_TERMS`. No branch per term (one on a random ``u`` mispredicts)."""
    k = 0
    for j in range(CDF_TERMS):
        k += u >= poisson_cdf[j, ch]
    return k


@njit(**JIT)
def poisson_count(u, mean, poisson_cdf, ch):
    """The count of uniform ``u`` for channel ``ch`` of Poisson mean ``mean`` and column ``ch`` of ``poisson_cdf``
    (:func:`cdf_terms`): the smallest ``k`` with ``u < P(K <= k)`` (at most :data:`MAX_COUNT`). The table is read
    by index, not as a slice (a slice is an array object whose reference counting took three quarters of a
    draw)."""
    k = _terms_reached(u, poisson_cdf, ch)
    if k < CDF_TERMS:
        return k
    k = CDF_TERMS - 1
    p = poisson_cdf[CDF_TERMS, ch]
    cdf = poisson_cdf[CDF_TERMS - 1, ch]
    while u >= cdf and k < MAX_COUNT:
        k += 1
        p = p * mean / k
        cdf += p
    return k


@njit(**JIT)
def draw_block(t, first, n, key, poisson_cdf, poisson_start, poisson_stop, out_counts):
    """Draw channels ``first .. first+n-1`` at step ``t`` under ``key`` into ``out_counts[:n]``: how many of the
    channel's kept cumulative probabilities its uniform reaches (its count below :data:`CDF_TERMS`; at
    ``CDF_TERMS`` the caller finishes it with :func:`poisson_count`), 0 outside the channel's window. The same
    work for every channel, no branch, consecutive channels and unsigned indices (a signed index is tested for
    wrap-around per lane, which turned the table's loads into gathers, slower than the scalar draw): the loop
    vectorises."""
    for b in range(np.uint64(n)):
        ch = np.uint64(first) + b
        k = _terms_reached(uniform_at(key, ch), poisson_cdf, ch)
        out_counts[b] = k if draws_at(t, ch, poisson_start, poisson_stop) else 0


@njit(**JIT)
def draw_scratch(input_column, n_copies):
    """``n_copies`` rows of scratch for :func:`draw_block`'s counts: :data:`DRAW_BLOCK` int64 each, none when no
    channel is a Poisson channel (``input_column`` -1), so that the event loop draws nothing then."""
    poisson = False
    for col in input_column:
        poisson |= col < 0
    return np.zeros((n_copies, DRAW_BLOCK if poisson else 0), dtype=np.int64)


@njit(**JIT)
def draws_at(t, ch, poisson_start, poisson_stop):
    """Whether input channel ``ch`` draws at step ``t`` (it sends nothing outside its window); both bounds are
    tested, without a branch, so that :func:`draw_block`'s loop vectorises."""
    return (poisson_start[ch] <= t) & (t < poisson_stop[ch])


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
