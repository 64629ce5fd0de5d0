"""Weight mantissas for ``hwsim.quantize``: a projection's float weights scaled, rounded and saturated into its
integer type in one pass, without float temporaries."""
import numpy as np
from numba import njit, prange

from ._config import JIT

#: Weights per block; the blocks are shared among the threads.
BLOCK = 1 << 16


@njit(parallel=True, **JIT)
def weight_mantissas(weight, scale, input_step, payload_div, step, mixed, low, high, out):
    """``out[i]`` = ``weight[i] * scale / input_step / payload_div / step`` rounded half to even (to an even
    mantissa when ``mixed``: ``rint(x / 2) * 2``) and saturated to ``[low, high]``, each operation in float64
    as numpy does it. ``input_step`` and ``step`` are powers of two: dividing by one is multiplying by its
    reciprocal, the same correctly rounded value, and faster; a ``payload_div`` of 1.0 is skipped. Blocks of :data:`BLOCK`
    weights are shared among the threads (``hwsim.setup_parallel``); each value depends on its weight alone.

    Returns ``(n_outside, lowest, highest)``: how many rounded values lay outside ``[low, high]`` and the range
    of the rounded values before saturation."""
    n = weight.shape[0]
    input_scale, step_scale = 1.0 / input_step, 1.0 / step
    n_blocks = (n + BLOCK - 1) // BLOCK
    outside = np.zeros(n_blocks, dtype=np.int64)
    lows, highs = np.full(n_blocks, np.inf), np.full(n_blocks, -np.inf)
    for b in prange(n_blocks):
        n_out, lowest, highest = 0, np.inf, -np.inf   # the block's own: no shared line written per weight
        for i in range(b * BLOCK, min(n, (b + 1) * BLOCK)):
            v = weight[i] * scale * input_scale
            if payload_div != 1.0:
                v /= payload_div
            v *= step_scale
            v = np.rint(v * 0.5) * 2.0 if mixed else np.rint(v)
            lowest, highest = min(lowest, v), max(highest, v)
            if v < low or v > high:
                n_out += 1
                v = min(max(v, low), high)
            out[i] = v
        outside[b], lows[b], highs[b] = n_out, lowest, highest
    return outside.sum(), lows.min() if n_blocks else np.inf, highs.max() if n_blocks else -np.inf
