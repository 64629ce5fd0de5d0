"""CUBA LIF neurons (the IR's ``lif``, ``if`` and ``li``): the update rules of one slice of neurons.

The event loop (``kernels/spiking.py``) calls :func:`update_slice` of ``kernels/neurons.py``, which calls
here. A neuron ``i`` has ``n_receptors`` synaptic currents, stored in the *slots*
``slot0 + k * stride + (i - first)`` of ``state_u`` (``k`` the receptor; the slots of one population are
receptor-major), a membrane ``state_v[i]`` and ``state_hold[i] = 2 * refractory steps left + pending``
(the pending flag of a delayed reset). Its summed input ``x`` arrives per slot. Integer datapath (the
chip's integers; ``hwsim.quantize.IntegerArithmetic``)::

    u_k = overflow(decay(u_k, syn_factor_k) + (x_k << input_shift) + bias_syn_k)     for each receptor k
    if refractory:  refractory -= 1                              (v held, no spike)
    else:           v = overflow(decay(v, mem_factor) + sum_k u_k + bias - (v_th if pending subtract))
                    spike if has_threshold and v > v_th, then reset

Float datapath (``chips/ideal.yaml``: the IR equations; ``syn_factor = 1 - decay_syn``)::

    u_k = syn_factor_k * u_k + (x_k + bias_syn_k)
    v   = mem_factor * v + sum_k u_k + bias;  if pending subtract: v = v - v_th

(the sum of the currents starts from 0; the input and its bias are added first, as snnTorch computes
``beta * mem + (W x + b)``). Resets (``kernels/resets.py``): RESET_VALUE ``v <- v_reset``; RESET_SUBTRACT
``v <- v - v_th``; RESET_NONE ``v`` kept; RESET_SUBTRACT_NEXT ``v`` kept and the pending flag set, ``v_th``
is subtracted at the neuron's next membrane update (a refractory period holds ``v`` and the flag until
then); RESET_VALUE_NEXT ``v`` kept and the pending flag set, the neuron's next update (refractory or not)
starts from ``v_reset``; RESET_SUBTRACT_RAISED: a neuron whose stored ``v`` is above ``v_th`` before the
update decides on ``v1 = v' - v_th`` and stores ``v1 - v_th`` (spike) or ``v1 + v_th`` (none), the others
as RESET_SUBTRACT. Current noise is added to receptor 0's current, membrane noise to ``v``
(integer: ``floor(sd * normal + 0.5)``).

A neuron whose inputs, currents, ``v``, ``bias`` and ``bias_syn`` are all 0 counts as idle
(NEURON_IDLE), any other as active (NEURON_ACTIVE). A *uniform* slice (one value of each of
``syn_factor``, ``mem_factor``, ``bias_syn`` per receptor, ``refractory_steps``, ``has_threshold`` and
``reset_mode``, a reset other than RESET_VALUE_NEXT and RESET_SUBTRACT_RAISED, one or two receptors) runs
a branch-free compilation (:func:`_update_uniform`: every branch a select, so the loop vectorises; the
pending subtraction a loop-invariant test; a second receptor updated in the same loop); other slices run
:func:`_update_neurons`.
"""
import numpy as np
from numba import njit, types
from numba.extending import overload

from ._config import JIT
from .actions import NEURON_ACTIVE, NEURON_IDLE
from .counter_rng import normal_at
from .resets import RESET_SUBTRACT, RESET_SUBTRACT_NEXT, RESET_SUBTRACT_RAISED, RESET_VALUE, RESET_VALUE_NEXT


@njit(**JIT)
def _decay(x, factor, decay_bits, rounding):
    """``x * factor / 2**decay_bits`` rounded toward zero (``rounding == 0``) or down (1)."""
    if rounding == 0 and x < 0:
        return -((-x * factor) >> decay_bits)
    return (x * factor) >> decay_bits


@njit(**JIT)
def _overflow(x, state_bits, mode):
    """One wrap-around correction (``mode == 0``, as Lava) or saturation (1) to ``state_bits``."""
    half = np.int64(1) << (state_bits - 1)
    if mode == 0:
        if x > half:
            return x - 2 * half
        if x <= -half:
            return x + 2 * half
        return x
    if x > half - 1:
        return half - 1
    if x < 1 - half:
        return 1 - half
    return x


@njit(**JIT)
def _reset(v, v_th, v_reset, mode):
    """Membrane after a spike: ``v_reset`` (RESET_VALUE), ``v - v_th`` (RESET_SUBTRACT) or ``v`` kept
    (RESET_NONE, and the delayed resets: the caller sets the neuron's pending flag)."""
    if mode == RESET_SUBTRACT:
        return v - v_th
    if mode == RESET_VALUE:
        return v_reset
    return v


@njit(**JIT)
def _noise_integer(sd, key, i):
    """Integer noise: ``floor(sd * normal_at(key, i) + 0.5)``, or 0 when ``sd == 0``."""
    if sd > 0.0:
        return np.int64(np.floor(sd * normal_at(key, i) + 0.5))
    return np.int64(0)


# Datapath arithmetic: scalar functions whose implementation follows the state's type (int64: the chip's
# integers; float64: the IR equations). Scalar arguments only, so the compiled calls cost nothing.

def _next_u(u, x, factor, bias_syn, sd, key, i, decay_bits, rounding, input_shift, state_bits, overflow):
    """A synaptic current after one update, with current noise of standard deviation ``sd``."""


def _next_v(v, u, factor, bias, pending, v_th, sd, key, i, decay_bits, rounding, state_bits, overflow):
    """The membrane after one update (``pending``: subtract ``v_th`` owed by RESET_SUBTRACT_NEXT), with
    membrane noise of standard deviation ``sd``."""


def _settle(v, state_bits, overflow):
    """A membrane moved by a threshold after its update (RESET_SUBTRACT_RAISED) back into the state's
    range: the overflow rule on integers, nothing on floats."""


def _next_u_integer(u, x, factor, bias_syn, sd, key, i, decay_bits, rounding, input_shift, state_bits, overflow):
    return _overflow(_decay(u, factor, decay_bits, rounding) + (x << input_shift) + bias_syn
                     + _noise_integer(sd, key, i), state_bits, overflow)


def _next_u_float(u, x, factor, bias_syn, sd, key, i, decay_bits, rounding, input_shift, state_bits, overflow):
    u = factor * u + (x + bias_syn)
    if sd > 0.0:
        u = u + sd * normal_at(key, i)
    return u


def _next_v_integer(v, u, factor, bias, pending, v_th, sd, key, i, decay_bits, rounding, state_bits, overflow):
    v = _decay(v, factor, decay_bits, rounding) + u + bias
    if pending:
        v -= v_th
    return _overflow(v + _noise_integer(sd, key, i), state_bits, overflow)


def _next_v_float(v, u, factor, bias, pending, v_th, sd, key, i, decay_bits, rounding, state_bits, overflow):
    v = factor * v + u + bias
    if pending:
        v = v - v_th
    if sd > 0.0:
        v = v + sd * normal_at(key, i)
    return v


def _settle_integer(v, state_bits, overflow):
    return _overflow(v, state_bits, overflow)


def _settle_float(v, state_bits, overflow):
    return v


# The overloads here but :func:`_plus_second` are inlined into their callers (Numba IR): LLVM does not inline
# an overload's compiled function, and a call per neuron (with its exception check) kept
# :func:`_update_uniform`'s loop from vectorising (W5's neurons on `spinnaker`: 9.7 against 4.2 ns per neuron
# and step, bench/RESULTS.md).
_OVERLOAD = {k: v for k, v in JIT.items() if k != "cache"}


def _by_datapath(generic, integer, floating):
    """Register ``generic``'s implementation: ``floating`` when its first argument is a float, else ``integer``."""
    @overload(generic, jit_options=_OVERLOAD, strict=False, inline="always")
    def _select(*args):
        return floating if isinstance(args[0], types.Float) else integer
    return _select


_by_datapath(_next_u, _next_u_integer, _next_u_float)
_by_datapath(_next_v, _next_v_integer, _next_v_float)
_by_datapath(_settle, _settle_integer, _settle_float)


def _sd_at(sd, i):
    """Neuron ``i``'s noise standard deviation: ``sd[i]``, or 0.0 when ``sd`` is None (no noise)."""


@overload(_sd_at, jit_options=_OVERLOAD, inline="always")
def _select_sd(sd, i):
    """Compile-time choice: with ``sd`` None the noise terms are the constant 0 and compile away."""
    if isinstance(sd, types.NoneType):
        return lambda sd, i: 0.0
    return lambda sd, i: sd[i]


def any_nonzero(x, u, v, bias, bias_syn):
    """Whether any of the five values is nonzero (the neuron is active), without a branch per value:
    ``(x | u | v | bias | bias_syn) != 0`` on integers, the sum of absolute values ``!= 0`` on floats (a sum
    of non-negative floats is 0 only when each term is; NaN counts as nonzero, as ``NaN != 0``)."""


def _any_nonzero_integer(x, u, v, bias, bias_syn):
    return (x | u | v | bias | bias_syn) != 0


def _any_nonzero_float(x, u, v, bias, bias_syn):
    return abs(x) + abs(u) + abs(v) + abs(bias) + abs(bias_syn) != 0.0


_by_datapath(any_nonzero, _any_nonzero_integer, _any_nonzero_float)


def _second_busy(j, second):
    """Whether receptor 1 (``second``, see :func:`_plus_second`) keeps neuron ``j`` active: its input, its
    current before the update or its bias is nonzero; the constant False with None."""


@overload(_second_busy, jit_options=_OVERLOAD, inline="always")
def _select_second_busy(j, second):
    """Compile-time choice on ``second``'s type."""
    if isinstance(second, types.NoneType):
        return lambda j, second: False

    def busy(j, second):
        row_1, shift_1, u_1, _, bias_syn_1 = second
        old_1 = u_1[j]
        return any_nonzero(port_input(row_1[j], shift_1[j]), old_1, 0 * old_1, bias_syn_1, 0 * bias_syn_1)
    return busy


def _plus_second(u, j, second, decay_bits, rounding, input_shift, state_bits, overflow):
    """Receptor 1 of a uniform slice with exactly two receptors, fused into :func:`_update_uniform`'s loop:
    ``second`` is ``(row, shift, state_u, syn_factor, bias_syn)`` of receptor 1 (its input row, read and
    cleared, and its current's slots), or None (one receptor: ``u`` itself, compiles away). Returns
    ``u + u_1`` with receptor 1's current updated."""


@overload(_plus_second, jit_options=_OVERLOAD)
def _select_second(u, j, second, decay_bits, rounding, input_shift, state_bits, overflow):
    """Compile-time choice on ``second``'s type."""
    if isinstance(second, types.NoneType):
        return lambda u, j, second, decay_bits, rounding, input_shift, state_bits, overflow: u

    floating = isinstance(second[2].dtype, types.Float)
    read = _CALLED[_port_input_float if isinstance(second[0].dtype, types.Float) else _port_input_integer]
    next_u = _CALLED[_next_u_float if floating else _next_u_integer]

    def fused(u, j, second, decay_bits, rounding, input_shift, state_bits, overflow):
        row_1, shift_1, u_1, factor_1, bias_syn_1 = second
        x_1 = read(row_1[j], shift_1[j])
        row_1[j] = 0
        new_1 = next_u(u_1[j], x_1, factor_1, bias_syn_1, 0.0, np.uint64(0), j, decay_bits, rounding, input_shift,
                       state_bits, overflow)
        u_1[j] = new_1
        return u + new_1
    return fused


def port_input(acc, shift):
    """One port's accumulated input: ``acc << shift`` / floor ``acc >> -shift`` (integer), ``acc`` (float)."""


def _port_input_integer(acc, shift):
    wide = np.int64(acc)   # an int32 ring's sum is shifted at the state's width
    if shift >= 0:
        return wide << shift
    return wide >> -shift


def _port_input_float(acc, shift):
    return acc


_by_datapath(port_input, _port_input_integer, _port_input_float)

# The arithmetic compiled as functions that are called, not inlined: :func:`_plus_second` calls them. Numba
# drops a store into an array taken from a tuple argument (receptor 1's current) in a function into which an
# overload was inlined (the current stayed 0; found by the reference tests).
_CALLED = {f: njit(**JIT)(f) for f in (_next_u_integer, _next_u_float, _port_input_integer, _port_input_float)}


@njit(**JIT)
def _list_fired(fired, n, first, out_spiked):
    """Write ``first + j`` for every nonzero ``fired[j]``, ``j < n``, into ``out_spiked`` in index order;
    return how many. ``fired`` (uint8, a multiple of 8 long) is tested 8 flags at a time as uint64 words,
    and a word with none set is skipped whole."""
    n_spiked = 0
    words = fired.view(np.uint64)
    for w in range((n + 7) // 8):
        if words[w] == 0:
            continue
        for j in range(8 * w, min(8 * w + 8, n)):
            if fired[j]:
                out_spiked[n_spiked] = first + j
                n_spiked += 1
    return n_spiked


@njit(**JIT)
def _update_uniform(first, last, group, slot0, row, shift, second, params, arith, noise, state, all_active, fired, step,
                    out_spiked):
    """:func:`_update_neurons` for a uniform slice, without a branch per neuron, so that it vectorises.

    ``params``, ``arith``, ``noise`` and ``state`` as :func:`update_lif`; the slice's ``syn_factor``,
    ``bias_syn`` (receptor 0), ``mem_factor``, ``refractory_steps``, ``has_threshold`` and ``reset_mode`` are
    one value each, read once as loop constants; ``v_th``, ``bias`` and ``v_reset`` may differ per neuron.
    Receptor 0's input is read from ``row[0 .. last-first-1]`` (each value shifted by ``shift``,
    :func:`port_input`) and cleared: the ring's slot itself when every slot has one port, else the gathered
    sums with shift 0; its current lives in slot ``slot0 + j``. A second receptor (``second``, else None) is
    updated in the same loop (:func:`_plus_second`). Each neuron's next u, v and hold are all computed, then
    selected (a refractory neuron keeps v and its pending flag; the noise draws are keyed by index, so
    computing an unused one changes nothing); the pending subtraction of RESET_SUBTRACT_NEXT is a
    loop-invariant test, so LLVM compiles the loop with and without it. ``all_active`` is True when every
    neuron of the slice counts as active anyway: the per-neuron test of :func:`any_nonzero`, a fifth of the
    loop's work, is skipped. Spikes are flagged in ``fired`` (uint8, at least ``n_neurons`` rounded up to 8
    long) and listed afterwards in index order (:func:`_list_fired`). Returns how many neurons spiked.
    """
    syn_factor, mem_factor, v_th, bias, bias_syn, v_reset, refractory_steps, has_threshold, reset_mode = params
    decay_bits, rounding, input_shift, state_bits, syn_overflow, mem_overflow = arith
    u_noise_sd, v_noise_sd, key_u, key_v = noise
    state_u, state_v, state_hold = state
    n = last - first
    syn_f, bias_s, mem_f = syn_factor[slot0], bias_syn[slot0], mem_factor[first]
    mode = reset_mode[first]
    owes = mode == RESET_SUBTRACT_NEXT
    v_th, bias, v_reset = v_th[first:last], bias[first:last], v_reset[first:last]
    state_u, state_v = state_u[slot0:slot0 + n], state_v[first:last]
    state_hold = state_hold[first:last]
    spike_allowed = has_threshold[first] != 0
    next_hold = 2 * refractory_steps[first] + owes   # a spiking neuron's hold
    n_active = 0
    n_fired = 0
    for j in range(n):
        i = first + j
        x = port_input(row[j], shift[j])
        row[j] = 0
        u, v, hold = state_u[j], state_v[j], state_hold[j]
        held, owed = hold > 1, owes & (hold == 1)
        if not all_active:   # loop-invariant: hoisted out of the loop (measured as fast as no test at all)
            n_active += any_nonzero(x, u, v, bias[j], bias_s) | _second_busy(j, second)
        u = _next_u(u, x, syn_f, bias_s, _sd_at(u_noise_sd, i), key_u, i, decay_bits, rounding, input_shift,
                    state_bits, syn_overflow)
        state_u[j] = u
        u = _plus_second(u, j, second, decay_bits, rounding, input_shift, state_bits, syn_overflow)
        updated = _next_v(v, u, mem_f, bias[j], owed, v_th[j], _sd_at(v_noise_sd, i), key_v, i, decay_bits, rounding,
                          state_bits, mem_overflow)
        spike = (not held) & spike_allowed & (updated > v_th[j])
        after_spike = _reset(updated, v_th[j], v_reset[j], mode)
        # one select per stored value (stores in branches would become masked stores, slow on some CPUs)
        new_v = after_spike if spike else updated
        new_v = v if held else new_v
        new_hold = next_hold if spike else 0
        new_hold = hold - 2 if held else new_hold
        state_v[j] = new_v
        state_hold[j] = new_hold
        fired[j] = spike
        n_fired += spike
    if all_active:
        n_active = n
    step[group, NEURON_ACTIVE] += n_active
    step[group, NEURON_IDLE] += n - n_active
    if n_fired == 0:
        return 0
    return _list_fired(fired, n, first, out_spiked)


@njit(**JIT)
def _update_neurons(first, last, group, slot0, n_receptors, stride, x, params, arith, noise, state, step, out_spiked):
    """Update neurons ``first .. last-1`` (one slice: counter group ``group``) once; receptor ``k``'s
    summed input (already shifted) is ``x[k * n + j]``, ``n = last - first``, and its current lives in slot
    ``slot0 + k * stride + j``. Lists the spiking neurons in ``out_spiked`` and returns how many (see the
    module docstring). One loop for both datapaths and every reset: the arithmetic follows the dtype of the
    state (:func:`_next_u`, :func:`_next_v`). ``params``, ``arith``, ``noise`` and ``state`` as
    :func:`update_lif` (parameter arrays over all neurons; ``syn_factor`` and ``bias_syn`` over all slots).

    With ``u_noise_sd`` an array, neuron ``i`` adds ``u_noise_sd[i] * normal_at(key_u, i)`` to its receptor
    0's current at every update (``v_noise_sd``, ``key_v``: its membrane), rounded half up on integer chips;
    with None the noise terms compile away (:func:`_sd_at`)."""
    syn_factor, mem_factor, v_th, bias, bias_syn, v_reset, refractory_steps, has_threshold, reset_mode = params
    decay_bits, rounding, input_shift, state_bits, syn_overflow, mem_overflow = arith
    u_noise_sd, v_noise_sd, key_u, key_v = noise
    state_u, state_v, state_hold = state
    n = last - first
    n_active = 0
    n_spiked = 0
    for j in range(n):
        i = first + j
        v = state_v[i]
        active = any_nonzero(v, bias[i], 0 * v, 0 * v, 0 * v)
        current = 0 * v
        for k in range(n_receptors):
            s = slot0 + k * stride + j
            xk = x[k * n + j]
            active |= any_nonzero(xk, state_u[s], 0 * xk, bias_syn[s], 0 * xk)
            sd = _sd_at(u_noise_sd, i) if k == 0 else 0.0
            u = _next_u(state_u[s], xk, syn_factor[s], bias_syn[s], sd, key_u, i, decay_bits, rounding,
                        input_shift, state_bits, syn_overflow)
            state_u[s] = u
            current += u
        n_active += active
        hold = state_hold[i]
        mode = reset_mode[i]
        if mode == RESET_VALUE_NEXT and hold & 1:   # the delayed reset: restart from v_reset
            v = v_reset[i]
            hold -= 1
        if hold > 1:   # refractory: v and a pending subtraction held
            state_v[i] = v
            state_hold[i] = hold - 2
            continue
        updated = _next_v(v, current, mem_factor[i], bias[i], hold == 1, v_th[i], _sd_at(v_noise_sd, i), key_v, i,
                          decay_bits, rounding, state_bits, mem_overflow)
        hold = 0
        raised = mode == RESET_SUBTRACT_RAISED and v > v_th[i]
        if raised:
            updated = updated - v_th[i]
        spike = has_threshold[i] != 0 and updated > v_th[i]
        if spike:
            out_spiked[n_spiked] = i
            n_spiked += 1
            hold = 2 * refractory_steps[i] + (mode == RESET_SUBTRACT_NEXT or mode == RESET_VALUE_NEXT)
        if mode == RESET_SUBTRACT_RAISED:
            if spike and not raised:
                updated = _settle(updated - v_th[i], state_bits, mem_overflow)
            elif raised and not spike:
                updated = _settle(updated + v_th[i], state_bits, mem_overflow)
        elif spike:
            updated = _reset(updated, v_th[i], v_reset[i], mode)
        state_v[i] = updated
        state_hold[i] = hold
    step[group, NEURON_ACTIVE] += n_active
    step[group, NEURON_IDLE] += n - n_active
    return n_spiked


@njit(inline="always", **JIT)
def update_lif(first, last, group, slot0, n_receptors, stride, uniform, all_active, one_port, slot, ring, port_shift,
               slot_port_ptr, params, arith, noise, state, scratch, step, out_spiked):
    """Update one slice of CUBA LIF neurons in ring ``slot``: :func:`_update_uniform` for a uniform slice (one
    or two receptors, reading the ring slot itself when every slot has one port), :func:`_update_neurons`
    after gathering the inputs for any other. Returns how many neurons spiked (listed in ``out_spiked``).
    Inlined into the event loop (Numba IR), so a slice costs one call.

    ``params`` = ``(syn_factor, mem_factor, v_th, bias, bias_syn, v_reset, refractory_steps, has_threshold,
    reset_mode)`` (``hwsim.lowering.SpikingArrays``), ``arith`` = ``(decay_bits, rounding, input_shift,
    state_bits, syn_overflow, mem_overflow)``, ``noise`` = ``(u_noise_sd, v_noise_sd, key_u, key_v)``,
    ``state`` = ``(state_u, state_v, state_hold)``, ``scratch`` = ``(x, zero_shift, fired)``."""
    x, zero_shift, fired = scratch
    n = last - first
    if not uniform:
        gather_slots(slot0, n, n_receptors, stride, slot, ring, port_shift, slot_port_ptr, one_port, x)
        return _update_neurons(first, last, group, slot0, n_receptors, stride, x, params, arith, noise, state, step,
                               out_spiked)
    if one_port:   # the ring's slot is the input: read and cleared by the update (rows of the ring's dtype)
        return _update_rows(first, last, group, slot0, n_receptors, stride, ring[slot], port_shift, slot0, stride,
                            params, arith, noise, state, all_active, fired, step, out_spiked)
    gather_slots(slot0, n, n_receptors, stride, slot, ring, port_shift, slot_port_ptr, one_port, x)
    return _update_rows(first, last, group, slot0, n_receptors, stride, x, zero_shift, 0, n, params, arith, noise,
                        state, all_active, fired, step, out_spiked)


@njit(inline="always", **JIT)
def _update_rows(first, last, group, slot0, n_receptors, stride, inputs, shifts, start, in_stride, params, arith,
                 noise, state, all_active, fired, step, out_spiked):
    """:func:`_update_uniform` of a uniform slice (receptor ``k``'s slots ``slot0 + k * stride + j``) whose
    receptor ``k`` reads ``inputs[start + k * in_stride + j]`` shifted by ``shifts[...]`` alike: the ring's slot
    itself (``start = slot0``, ``in_stride = stride``, the ports' shifts), or the gathered sums (``start = 0``,
    ``in_stride = n``, zero shifts). One call site per kind of row, so that a ring of another dtype than the
    state's compiles."""
    n = last - first
    row, shift = inputs[start:start + n], shifts[start:start + n]
    if n_receptors == 2:   # receptor 1 updated in the same loop
        syn_factor, bias_syn, state_u = params[0], params[4], state[0]
        second = (inputs[start + in_stride:start + in_stride + n], shifts[start + in_stride:start + in_stride + n],
                  state_u[slot0 + stride:slot0 + stride + n], syn_factor[slot0 + stride], bias_syn[slot0 + stride])
        return _update_uniform(first, last, group, slot0, row, shift, second, params, arith, noise, state, all_active,
                               fired, step, out_spiked)
    return _update_uniform(first, last, group, slot0, row, shift, None, params, arith, noise, state, all_active, fired,
                           step, out_spiked)


@njit(**JIT)
def gather_slots(slot0, n, n_receptors, stride, slot, ring, port_shift, slot_port_ptr, one_port, out_x):
    """Sum the ports of receptor ``k``'s slots ``slot0 + k * stride + j`` (``j < n``) in ring ``slot`` into
    ``out_x[k * n + j]`` (:func:`port_input`) and clear the ports (``one_port``: port ``p`` is slot ``p``'s
    only one)."""
    row = ring[slot]
    for k in range(n_receptors):
        base = slot0 + k * stride
        if one_port:
            for j in range(n):
                out_x[k * n + j] = port_input(row[base + j], port_shift[base + j])
                row[base + j] = 0
            continue
        for j in range(n):
            total = 0 * out_x[0]
            for p in range(slot_port_ptr[base + j], slot_port_ptr[base + j + 1]):
                total += port_input(row[p], port_shift[p])
                row[p] = 0
            out_x[k * n + j] = total
