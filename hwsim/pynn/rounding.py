"""Every rounding between a PyNN script and the chip, said once as a :class:`RoundingWarning`.

Two kinds: times on the step grid (delays, refractory periods, spike times: :func:`to_steps`) and the chip's
arithmetic (:func:`warn_chip_rounding`: weights, decays, thresholds and biases as the quantised network holds
them, compared with the IR's float values). The float ``ideal`` chip rounds nothing, so it never warns there.
"""
from __future__ import annotations

import warnings

import numpy as np

from hwsim.quantize import FloatDatapath

#: Relative change below which a value counts as kept (float64 round-off of the unit conversions).
KEPT = 1e-9


class RoundingWarning(UserWarning):
    """A value that hwsim.pynn or the chip rounds (spike times, delays, refractory periods, chip arithmetic)."""


def to_steps(values_ms: np.ndarray, dt_ms: float, what: str, where: str) -> np.ndarray:
    """``round(values / dt)`` as int64, with a :class:`RoundingWarning` when some values are not whole steps."""
    exact = np.asarray(values_ms, dtype=np.float64) / dt_ms
    steps = np.round(exact).astype(np.int64)
    off = np.abs(exact - steps) > KEPT * np.maximum(1.0, np.abs(exact))
    if off.any():
        first = np.flatnonzero(off)[0]
        warnings.warn(f"{where}: {int(off.sum()):,} of {off.size:,} {what} values are not multiples of the timestep "
                      f"{dt_ms:g} ms (e.g. {float(np.ravel(values_ms)[first]):g} ms); each was rounded to the nearest "
                      f"step ({int(steps.ravel()[first])} steps = {steps.ravel()[first] * dt_ms:g} ms).",
                      RoundingWarning, stacklevel=3)
    return steps


def _relative(found: np.ndarray, wanted: np.ndarray) -> float:
    """The largest ``|found - wanted| / |wanted|`` over nonzero ``wanted`` (absolute where it is 0)."""
    found, wanted = np.asarray(found, dtype=np.float64), np.asarray(wanted, dtype=np.float64)
    if wanted.size == 0:
        return 0.0
    scale = np.where(wanted != 0, np.abs(wanted), 1.0)
    return float(np.max(np.abs(found - wanted) / scale))


def _warn(chip_name: str, where: str, what: str, error: float) -> None:
    if error > KEPT:
        warnings.warn(f"{where}: chip '{chip_name}' rounds its {what} by up to {error:.3g} (relative) to its "
                      f"fixed-point format.", RoundingWarning, stacklevel=4)


def warn_chip_rounding(graph, programmed, chip) -> None:
    """Warn once per population and projection whose weights, decays, thresholds or biases the chip changes.

    ``programmed`` is the quantised network of ``graph`` on ``chip``
    (:attr:`hwsim.compiled.CompiledNetwork.programmed`); each value is compared in the IR's units: a decay as ``1 - factor / 2**decay_bits``, a threshold or bias as
    ``integer / scale``, a weight as ``mantissa * 2**shift / scale`` of its target.
    """
    if isinstance(programmed.arithmetic, FloatDatapath):
        return
    full = float(1 << programmed.arithmetic.decay_bits)
    scales = {}
    for q in programmed.populations:
        pop = graph.node(q.name)
        scales[q.name] = q.scale
        where = f"population '{q.name}'"
        wanted_syn = np.broadcast_to(pop.params["decay_syn"], q.syn_factor.shape)
        _warn(chip.name, where, "synaptic decays (1 - exp(-dt/tau_syn))", _relative(1.0 - q.syn_factor / full,
                                                                                      wanted_syn))
        _warn(chip.name, where, "membrane decays (1 - exp(-dt/tau_m))",
              _relative(1.0 - q.mem_factor / full, pop.params["decay_mem"]))
        _warn(chip.name, where, "thresholds (v_thresh - v_rest)", _relative(q.v_th / q.scale, pop.params["v_th"]))
        _warn(chip.name, where, "biases (i_offset and the leak towards v_rest)",
              _relative(q.bias / q.scale, pop.params["bias"]))
    for q in programmed.projections:
        wanted = graph.projection(q.name).synapses()[2]
        _warn(chip.name, f"projection '{q.name}'", "weights", _relative(q.weight * 2.0 ** q.shift / scales[q.post],
                                                                       wanted))
