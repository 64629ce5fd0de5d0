"""The random stream of Poisson inputs drawn in the kernel (``Graph.add_input(..., "poisson", rate_hz=...)``).

A run's ``seed`` seeds its Poisson channels: their draws come from the 64-bit stream seed
:func:`stream_seed`, the first word of ``SeedSequence(seed, spawn_key=(STREAM_KEY,))``. Dynamic noise kinds
draw from ``SeedSequence(seed, spawn_key=(kind key,))`` with their own keys (1..10, 101..105, which
``hwsim.noise.spec.register_kind`` keeps apart from :data:`STREAM_KEY`), so the sources' draws never share a
stream with the noise's, and adding noise to a run does not change its Poisson spikes. ``docs/sources.md``
defines the draw.
"""
from __future__ import annotations

import numpy as np

#: The ``SeedSequence`` spawn key of the Poisson sources' stream (reserved: no noise kind may use it).
STREAM_KEY = 200


def stream_seed(seed: int) -> np.uint64:
    """The 64-bit seed of the Poisson channels' draws in a run of ``seed`` (an integer >= 0)."""
    return np.random.SeedSequence(int(seed), spawn_key=(STREAM_KEY,)).generate_state(1, dtype=np.uint64)[0]
