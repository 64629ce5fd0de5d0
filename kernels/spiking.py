"""Event-driven LIF network: the spiking kernel, one event loop for two datapaths.

The arrays are those of ``hwsim.lowering.SpikingArrays``; the semantics are
those of ``hwsim.ir``, in the chip's integers (int64 arrays) or in float64 (the
``ideal`` profile; float64 arrays). Per step ``t``:

1. input channels spiking at ``t`` walk their segments: every synapse adds its
   weight to ``ring[(t + delay) % R, port]`` (``R``: a power of two > max_delay); a segment
   with one delay and consecutive ports (``seg_port0``, a dense block) is added as one
   contiguous run, which vectorises;
2. populations update in the IR's update order, slice by slice (``update_slices``: a population
   on one core): each neuron reads its ports from slot ``t % R`` (and clears them).
   Integer datapath::

       x = sum over ports (acc << shift  if shift >= 0  else  acc >> -shift)
       active = x != 0 or u != 0 or v != 0 or bias != 0 or bias_syn != 0  (NEURON_ACTIVE, else NEURON_IDLE)
       u = overflow(decay(u, syn_factor) + (x << input_shift) + bias_syn)
       if refractory > 0:  refractory -= 1                      (v held, no spike)
       else:               v = overflow(decay(v, mem_factor) + u + bias - (v_th if pending else 0))
                           spike if has_threshold and v > v_th, then reset

   Float datapath (the IR equations; ``syn_factor = 1 - decay_syn``, ``mem_factor = 1 - decay_mem``)::

       x = sum over ports acc  (no shifts)
       u = syn_factor * u + x + bias_syn
       if refractory > 0:  refractory -= 1
       else:               v = mem_factor * v + u + bias;  if pending: v = v - v_th
                           spike if has_threshold and v > v_th, then reset

   Resets: ``v <- v_reset`` (RESET_VALUE), ``v <- v - v_th`` (RESET_SUBTRACT), or v kept and a
   pending flag set (RESET_SUBTRACT_NEXT: v_th is subtracted at the neuron's next membrane update;
   a refractory period holds v and the flag until then). The refractory count and the flag are kept in
   one int64 per neuron, ``hold = 2 * refractory + pending``. A slice whose ``syn_factor``, ``mem_factor``,
   ``bias_syn``, ``refractory_steps``, ``has_threshold`` and ``reset_mode`` are each one value
   (``uniform_slices``, found by ``hwsim.simulate``) runs a branch-free compilation of the update with
   those values as constants (:func:`_update_uniform`: every branch a select, so the loop vectorises;
   without the pending subtraction unless the slice resets by RESET_SUBTRACT_NEXT); other slices run
   :func:`_update_neurons`;
3. the neurons of a range that spiked walk their segments like inputs before the
   next range updates, so delay-0 synapses reach later populations in the same step.

Dynamic noise (``hwsim.noise.dynamic``; draws from ``counter_rng``, keyed by (kind seed, global
sample, step, index), so independent of batching and threads): current / membrane noise is added
inside the u / v sums above (integer: ``floor(sd * normal + 0.5)``) at every update; a packet (one
spike to one destination group) may be dropped or arrive late in step 1; at the end of every step,
state bit flips invert bits of the u and v registers (integer datapath).

Counters (columns of ``actions``) are kept per group: SYNOP and MEM_READ on the
segment's group, SPIKE, PACKET and HOP_X/HOP_Y on the source's group,
NEURON_ACTIVE / NEURON_IDLE on the neuron's group.
"""
import numpy as np
from numba import njit, prange, types
from numba.extending import overload

from ._config import JIT
from .counter_rng import bits_at, key_of, normal_at, uniform_at
from .resets import RESET_SUBTRACT, RESET_SUBTRACT_NEXT, RESET_VALUE
from .actions import (HOP_X, HOP_Y, MEM_READ, N_ACTIONS, NEURON_ACTIVE, NEURON_IDLE, PACKET, SPIKE,
                      SYNOP)


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
def _count_spike(src, src_group, src_packets, src_hops_x, src_hops_y, step):
    """Count one spike of ``src``: SPIKE, and the PACKETs and mesh hops it sends, on the source's group."""
    g = src_group[src]
    step[g, SPIKE] += 1
    step[g, PACKET] += src_packets[src]
    step[g, HOP_X] += src_hops_x[src]
    step[g, HOP_Y] += src_hops_y[src]


@njit(**JIT)
def _propagate(src, t, slot_mask, src_seg_ptr, seg_syn_ptr, seg_group, seg_mem_words, seg_delay, seg_port0,
               syn_port, syn_weight, syn_delay, src_group, src_packets, src_hops_x, src_hops_y, ring, step):
    """Send one spike of source ``src`` emitted at step ``t`` into the ring; count it in ``step``.

    The ring has a power-of-two number of slots (``slot_mask + 1 > max_delay``), so the slot of step
    ``t + delay`` is ``(t + delay) & slot_mask``; only delay-0 synapses write slot ``t & slot_mask`` at
    step ``t``, and their targets update later in the step (``update_slices``).
    """
    _count_spike(src, src_group, src_packets, src_hops_x, src_hops_y, step)
    for k in range(src_seg_ptr[src], src_seg_ptr[src + 1]):
        g = seg_group[k]
        step[g, SYNOP] += seg_syn_ptr[k + 1] - seg_syn_ptr[k]
        step[g, MEM_READ] += seg_mem_words[k]
        if seg_delay[k] >= 0 and seg_port0[k] >= 0:   # one delay, consecutive ports: a vectorised run
            first = seg_syn_ptr[k]
            run = ring[(t + seg_delay[k]) & slot_mask, seg_port0[k]:seg_port0[k] + seg_syn_ptr[k + 1] - first]
            weights = syn_weight[first:seg_syn_ptr[k + 1]]
            for j in range(run.shape[0]):
                run[j] += weights[j]
        elif seg_delay[k] >= 0:   # one delay for the whole segment: one ring row
            row = ring[(t + seg_delay[k]) & slot_mask]
            for j in range(seg_syn_ptr[k], seg_syn_ptr[k + 1]):
                row[syn_port[j]] += syn_weight[j]
        else:
            for j in range(seg_syn_ptr[k], seg_syn_ptr[k + 1]):
                ring[(t + syn_delay[j]) & slot_mask, syn_port[j]] += syn_weight[j]


@njit(**JIT)
def _propagate_noisy(src, t, slot_mask, src_seg_ptr, seg_syn_ptr, seg_group, seg_mem_words, syn_port,
                     syn_weight, syn_delay, src_group, src_packets, src_hops_x, src_hops_y, n_groups, drop_key,
                     drop_probability, jitter_key, jitter_probability, jitter_max_steps, ring, step):
    """:func:`_propagate` with packet noise (the ring then has ``> max_delay + jitter_max_steps`` slots).

    A packet is one spike to one destination group, ``n = src * n_groups + group``: dropped when uniform
    ``n`` of ``drop_key`` is below ``drop_probability`` (its synapses are not read: no SYNOP, no
    MEM_READ); otherwise late by ``1 + bits(2n + 1) % jitter_max_steps`` steps when uniform ``2n`` of
    ``jitter_key`` is below ``jitter_probability``. The spike, packets and hops are counted either way.
    """
    _count_spike(src, src_group, src_packets, src_hops_x, src_hops_y, step)
    for k in range(src_seg_ptr[src], src_seg_ptr[src + 1]):
        g = seg_group[k]
        late = 0
        packet = src * n_groups + g
        if drop_probability > 0.0 and uniform_at(drop_key, packet) < drop_probability:
            continue
        if jitter_probability > 0.0 and uniform_at(jitter_key, 2 * packet) < jitter_probability:
            late = 1 + np.int64(bits_at(jitter_key, 2 * packet + 1) % np.uint64(jitter_max_steps))
        step[g, SYNOP] += seg_syn_ptr[k + 1] - seg_syn_ptr[k]
        step[g, MEM_READ] += seg_mem_words[k]
        for j in range(seg_syn_ptr[k], seg_syn_ptr[k + 1]):
            ring[(t + syn_delay[j] + late) & slot_mask, syn_port[j]] += syn_weight[j]


@njit(**JIT)
def _reset(v, v_th, v_reset, mode):
    """Membrane after a spike: ``v_reset`` (RESET_VALUE), ``v - v_th`` (RESET_SUBTRACT) or ``v`` kept
    (RESET_SUBTRACT_NEXT: the caller sets the neuron's pending flag)."""
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

def _port_input(acc, shift):
    """One port's accumulated input: ``acc << shift`` / floor ``acc >> -shift`` (integer), ``acc`` (float)."""


def _next_u(u, x, factor, bias_syn, sd, key, i, decay_bits, rounding, input_shift, state_bits, overflow):
    """The synaptic current after one update, with current noise of standard deviation ``sd``."""


def _next_v(v, u, factor, bias, pending, v_th, sd, key, i, decay_bits, rounding, state_bits, overflow):
    """The membrane after one update (``pending``: subtract ``v_th`` owed by RESET_SUBTRACT_NEXT), with
    membrane noise of standard deviation ``sd``."""


def _port_input_integer(acc, shift):
    if shift >= 0:
        return acc << shift
    return acc >> -shift


def _port_input_float(acc, shift):
    return acc


def _next_u_integer(u, x, factor, bias_syn, sd, key, i, decay_bits, rounding, input_shift, state_bits, overflow):
    return _overflow(_decay(u, factor, decay_bits, rounding) + (x << input_shift) + bias_syn
                     + _noise_integer(sd, key, i), state_bits, overflow)


def _next_u_float(u, x, factor, bias_syn, sd, key, i, decay_bits, rounding, input_shift, state_bits, overflow):
    u = factor * u + x + bias_syn
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


_OVERLOAD = {k: v for k, v in JIT.items() if k != "cache"}


def _by_datapath(generic, integer, floating):
    """Register ``generic``'s implementation: ``floating`` when its first argument is a float, else ``integer``."""
    @overload(generic, jit_options=_OVERLOAD, strict=False)
    def _select(*args):
        return floating if isinstance(args[0], types.Float) else integer
    return _select


_by_datapath(_port_input, _port_input_integer, _port_input_float)
_by_datapath(_next_u, _next_u_integer, _next_u_float)
_by_datapath(_next_v, _next_v_integer, _next_v_float)


def _sd_at(sd, i):
    """Neuron ``i``'s noise standard deviation: ``sd[i]``, or 0.0 when ``sd`` is None (no noise)."""


@overload(_sd_at, jit_options=_OVERLOAD)
def _select_sd(sd, i):
    """Compile-time choice: with ``sd`` None the noise terms are the constant 0 and compile away."""
    if isinstance(sd, types.NoneType):
        return lambda sd, i: 0.0
    return lambda sd, i: sd[i]


def _any_nonzero(x, u, v, bias, bias_syn):
    """Whether any of the five values is nonzero (the neuron is active), without a branch per value:
    ``(x | u | v | bias | bias_syn) != 0`` on integers, the sum of absolute values ``!= 0`` on floats (a sum
    of non-negative floats is 0 only when each term is; NaN counts as nonzero, as ``NaN != 0``)."""


def _any_nonzero_integer(x, u, v, bias, bias_syn):
    return (x | u | v | bias | bias_syn) != 0


def _any_nonzero_float(x, u, v, bias, bias_syn):
    return abs(x) + abs(u) + abs(v) + abs(bias) + abs(bias_syn) != 0.0


_by_datapath(_any_nonzero, _any_nonzero_integer, _any_nonzero_float)


def _owed(hold, owes):
    """Whether a neuron whose hold is ``hold`` owes a RESET_SUBTRACT_NEXT subtraction (``hold == 1``); the
    constant False when ``owes`` is None (a slice without that reset, whose holds are always even)."""


@overload(_owed, jit_options=_OVERLOAD)
def _select_owed(hold, owes):
    """Compile-time choice: with None the pending subtraction compiles away."""
    if isinstance(owes, types.NoneType):
        return lambda hold, owes: False
    return lambda hold, owes: hold == 1


@njit(**JIT)
def _gather_input(first, last, slot, ring, port_shift, neuron_port_ptr, one_port, out_x):
    """Sum each port of neurons ``first .. last-1`` in ring ``slot`` into ``out_x[0 .. last-first-1]``
    (:func:`_port_input`) and clear the ports (``one_port``: port ``i`` is neuron ``i``'s only one)."""
    if one_port:
        row = ring[slot, first:last]
        shift = port_shift[first:last]
        for j in range(last - first):
            out_x[j] = _port_input(row[j], shift[j])
            row[j] = 0
        return
    row = ring[slot]
    for j in range(last - first):
        out_x[j] = 0
        for p in range(neuron_port_ptr[first + j], neuron_port_ptr[first + j + 1]):
            out_x[j] += _port_input(row[p], port_shift[p])
            row[p] = 0


@njit(**JIT)
def _update_neurons(first, last, group, x, syn_factor, mem_factor, v_th, bias, bias_syn, v_reset,
                    refractory_steps, has_threshold, reset_mode, decay_bits, rounding, input_shift, state_bits,
                    syn_overflow, mem_overflow, u_noise_sd, v_noise_sd, key_u, key_v, state_u, state_v,
                    state_hold, step, out_spiked):
    """Update neurons ``first .. last-1`` (one slice: counter group ``group``) once with their summed input
    ``x[0 .. last-first-1]`` (:func:`_gather_input`); list the spiking ones in ``out_spiked`` and return how
    many (see the module docstring). One loop for both datapaths: the arithmetic follows the dtype of the
    state (:func:`_next_u`, :func:`_next_v`). A neuron whose input, u, v, bias and bias_syn are all 0 counts
    as idle (NEURON_IDLE), any other as active; every neuron is updated. The parameters are arrays over all
    neurons (a uniform slice runs :func:`_update_uniform` instead).

    With ``u_noise_sd`` an array, neuron ``i`` adds ``u_noise_sd[i] * normal_at(key_u, i)`` to its synaptic
    current at every update (``v_noise_sd``, ``key_v``: its membrane), rounded half up on integer chips; with
    None the noise terms compile away (:func:`_sd_at`)."""
    syn_factor, mem_factor, bias_syn = syn_factor[first:last], mem_factor[first:last], bias_syn[first:last]
    v_th, bias, v_reset = v_th[first:last], bias[first:last], v_reset[first:last]
    refractory_steps, has_threshold, reset_mode = (refractory_steps[first:last], has_threshold[first:last],
                                                   reset_mode[first:last])
    state_u, state_v = state_u[first:last], state_v[first:last]
    state_hold = state_hold[first:last]
    n_active = 0
    for j in range(last - first):   # counted apart: this loop has no branch and vectorises
        n_active += _any_nonzero(x[j], state_u[j], state_v[j], bias[j], bias_syn[j])
    n_spiked = 0
    for j in range(last - first):   # local index j: views of the slice, so no negative-index fix-up
        i = first + j
        u = _next_u(state_u[j], x[j], syn_factor[j], bias_syn[j], _sd_at(u_noise_sd, i), key_u, i, decay_bits,
                    rounding, input_shift, state_bits, syn_overflow)
        state_u[j] = u
        if state_hold[j] > 1:   # refractory: v and the owed flag held
            state_hold[j] -= 2
            continue
        v = _next_v(state_v[j], u, mem_factor[j], bias[j], state_hold[j] == 1, v_th[j],
                    _sd_at(v_noise_sd, i), key_v, i, decay_bits, rounding, state_bits, mem_overflow)
        state_hold[j] = 0
        if has_threshold[j] != 0 and v > v_th[j]:
            v = _reset(v, v_th[j], v_reset[j], reset_mode[j])
            state_hold[j] = 2 * refractory_steps[j] + (reset_mode[j] == RESET_SUBTRACT_NEXT)
            out_spiked[n_spiked] = i
            n_spiked += 1
        state_v[j] = v
    step[group, NEURON_ACTIVE] += n_active
    step[group, NEURON_IDLE] += last - first - n_active
    return n_spiked


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
def _update_uniform(first, last, group, row, shift, syn_factor, mem_factor, v_th, bias, bias_syn, v_reset,
                    refractory_steps, has_threshold, reset_mode, decay_bits, rounding, input_shift, state_bits,
                    syn_overflow, mem_overflow, u_noise_sd, v_noise_sd, key_u, key_v, state_u, state_v,
                    state_hold, owes, all_active, fired, step, out_spiked):
    """:func:`_update_neurons` for a uniform slice, without a branch per neuron, so that it vectorises.

    ``syn_factor``, ``mem_factor``, ``bias_syn``, ``refractory_steps``, ``has_threshold`` and ``reset_mode``
    are the slice's scalars; ``v_th``, ``bias`` and ``v_reset`` arrays over all neurons. The input is read
    from ``row[0 .. last-first-1]`` (each value shifted by ``shift``, :func:`_port_input`) and cleared: the
    ring's slot itself when every neuron has one port, else the gathered sums with shift 0. Each neuron's
    next u, v and hold are all computed, then selected (a refractory neuron keeps v and its pending flag;
    the noise draws are keyed by index, so computing an unused one changes nothing); ``owes`` is True for a
    slice that resets by RESET_SUBTRACT_NEXT, None otherwise (the pending subtraction compiles away).
    ``all_active`` is True when every neuron of the slice counts as active anyway (``active_slices``): the
    per-neuron test of :func:`_any_nonzero`, a fifth of the loop's work, is skipped. Spikes
    are flagged in ``fired`` (uint8, at least ``n_neurons`` rounded up to 8 long) and listed afterwards in
    index order (:func:`_list_fired`). Returns how many neurons spiked.
    """
    n = last - first
    v_th, bias, v_reset = v_th[first:last], bias[first:last], v_reset[first:last]
    state_u, state_v = state_u[first:last], state_v[first:last]
    state_hold = state_hold[first:last]
    spike_allowed = has_threshold != 0
    next_hold = 2 * refractory_steps + (owes is not None)   # a spiking neuron's hold
    n_active = 0
    n_fired = 0
    for j in range(n):
        i = first + j
        x = _port_input(row[j], shift[j])
        row[j] = 0
        u, v, hold = state_u[j], state_v[j], state_hold[j]
        held, owed = hold > 1, _owed(hold, owes)
        if not all_active:   # loop-invariant: hoisted out of the loop (measured as fast as no test at all)
            n_active += _any_nonzero(x, u, v, bias[j], bias_syn)
        u = _next_u(u, x, syn_factor, bias_syn, _sd_at(u_noise_sd, i), key_u, i, decay_bits, rounding,
                    input_shift, state_bits, syn_overflow)
        updated = _next_v(v, u, mem_factor, bias[j], owed, v_th[j], _sd_at(v_noise_sd, i), key_v, i,
                          decay_bits, rounding, state_bits, mem_overflow)
        spike = (not held) & spike_allowed & (updated > v_th[j])
        after_spike = _reset(updated, v_th[j], v_reset[j], reset_mode)
        # one select per stored value (stores in branches would become masked stores, slow on some CPUs)
        new_v = after_spike if spike else updated
        new_v = v if held else new_v
        new_hold = next_hold if spike else 0
        new_hold = hold - 2 if held else new_hold
        state_u[j] = u
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
def _flip_bits(x, key, register, rate, state_bits):
    """Flip each of the low ``state_bits`` bits of register ``x`` (two's complement) when uniform
    ``register * 64 + bit`` of ``key`` is below ``rate``; return the sign-extended result (``x`` unchanged
    when no bit flips)."""
    mask = (np.int64(1) << state_bits) - 1
    y = x & mask
    flipped = False
    for b in range(state_bits):
        if uniform_at(key, register * 64 + b) < rate:
            y ^= np.int64(1) << b
            flipped = True
    if not flipped:
        return x
    if y >= np.int64(1) << (state_bits - 1):
        y -= np.int64(1) << state_bits
    return y


def _flip_state(n_neurons, key, rate, state_bits, state_u, state_v):
    """Soft errors at the end of a step: on integer chips, bit ``b`` of neuron ``i``'s u (v) register flips
    when uniform ``(2 i) * 64 + b`` (``(2 i + 1) * 64 + b``) of ``key`` is below ``rate``; the float
    datapath has no registers to flip (the noise builder refuses it)."""


def _flip_state_integer(n_neurons, key, rate, state_bits, state_u, state_v):
    for i in range(n_neurons):
        state_u[i] = _flip_bits(state_u[i], key, 2 * i, rate, state_bits)
        state_v[i] = _flip_bits(state_v[i], key, 2 * i + 1, rate, state_bits)


def _flip_state_float(n_neurons, key, rate, state_bits, state_u, state_v):
    return


@overload(_flip_state, jit_options=_OVERLOAD)
def _select_flip(n_neurons, key, rate, state_bits, state_u, state_v):
    """Compile-time choice from the state's dtype: a float64 state has no registers to flip."""
    if isinstance(state_v.dtype, types.Float):
        return _flip_state_float
    return _flip_state_integer


@njit(**JIT)
def _flush(step, out_sample, out_step):
    """Add one step's counters to the sample's and the step's totals, then clear them."""
    for g in range(step.shape[0]):
        for a in range(step.shape[1]):
            out_sample[g, a] += step[g, a]
            out_step[g, a] += step[g, a]
            step[g, a] = 0


@njit(parallel=True, **JIT)
def run_spiking(input_spikes, n_inputs, n_neurons, n_groups, max_delay, src_seg_ptr, seg_syn_ptr,
                seg_group, seg_mem_words, seg_delay, seg_port0, syn_port, syn_weight, syn_delay, port_shift,
                neuron_port_ptr, one_port, src_group, src_packets, src_hops_x, src_hops_y, update_slices,
                uniform_slices, active_slices, syn_factor, mem_factor, v_th, bias, bias_syn, v_reset,
                refractory_steps, has_threshold, reset_mode, decay_bits, rounding, input_shift, state_bits,
                syn_overflow, mem_overflow, first_sample, noise_seeds, u_noise_sd, v_noise_sd, drop_probability,
                jitter_probability, jitter_max_steps, flip_rate, chunk_bounds, out_counts, out_step_counts,
                out_spike_count, out_first_spike, out_u, out_v, out_raster):
    """Run a batch of samples through a LIF network, chunks of samples in parallel.

    One event loop for both datapaths: integer (the neuron parameters and ``out_u``/``out_v`` int64,
    ``syn_weight`` int32 or int64) or float (all of them float64); :func:`_update_neurons` picks the
    neuron update from the dtype.

    Parameters
    ----------
    input_spikes : ndarray uint8 ``(n_samples, T, n_inputs)``
        1 where input channel c spikes at step t.
    n_inputs, n_neurons, n_groups, max_delay : int
        Sizes (see ``hwsim.lowering.SpikingArrays`` for these and every array below).
    src_seg_ptr, seg_syn_ptr, seg_group, seg_mem_words, seg_delay : ndarray int64
        Segments of each source, synapses of each segment, and the delay they share (-1: mixed).
    seg_port0 : ndarray int64
        A segment's first port when its ports are consecutive (-1: not): with one delay it is added
        to the ring as one contiguous, vectorised run instead of port by port.
    syn_port : ndarray uint16 or int32 ``(n_syn,)``
        Target port of each synapse.
    syn_delay, port_shift, neuron_port_ptr : ndarray int64
        Synapse delays [step] and ports (shift; ports of each neuron).
    one_port : bool
        True when ``neuron_port_ptr`` is ``0, 1, ..., n_neurons`` (every neuron has one port, port ``i``):
        :func:`_update_uniform` then reads the ring slot itself, :func:`_gather_input` skips the port table.
    syn_weight : ndarray int32, int64 or float64 ``(n_syn,)``
        Synaptic weights [state units] (accumulated in the ring at the state's dtype).
    src_group, src_packets, src_hops_x, src_hops_y : ndarray int64
        Counter groups and per-spike routing costs [count].
    update_slices : ndarray int64 ``(n_slices, 3)``
        ``[first, last, group]`` neuron slices in update order (a population on one core); the spikes
        of one slice are propagated before the next slice updates (delay-0 synapses land in the current
        slot).
    uniform_slices : ndarray uint8 ``(n_slices,)``
        1 where a slice's ``syn_factor``, ``mem_factor``, ``bias_syn``, ``refractory_steps``,
        ``has_threshold`` and ``reset_mode`` are each one value: the slice then updates in
        :func:`_update_uniform` (branch-free, those values as constants; the same results).
    active_slices : ndarray uint8 ``(n_slices,)``
        1 where a uniform slice's neurons all count as active at every update (its ``bias_syn`` or every
        ``bias`` nonzero): :func:`_update_uniform` then counts them without testing each one.
    syn_factor, mem_factor, v_th, bias, bias_syn, v_reset : ndarray int64 or float64 ``(n_neurons,)``
        Neuron parameters [state units].
    refractory_steps : ndarray int64 ``(n_neurons,)``
        Refractory period [steps].
    has_threshold, reset_mode : ndarray uint8 ``(n_neurons,)``
        Neuron flags (reset_mode: RESET_VALUE, RESET_SUBTRACT, RESET_SUBTRACT_NEXT).
    decay_bits, rounding, input_shift, state_bits, syn_overflow, mem_overflow : int
        Integer datapath scalars (unused by the float datapath).
    first_sample : int
        Index of sample 0 of this batch in the noise streams (draws are keyed by the global sample).
    noise_seeds : ndarray uint64 ``(5,)``
        Seeds of current noise, membrane noise, spike drop, spike jitter and state bit flips
        (``hwsim.dynamic_noise.DynamicNoise``); each draw is ``counter_rng`` of (seed, sample, step, index).
    u_noise_sd, v_noise_sd : ndarray float64 ``(n_neurons,)`` or None
        Standard deviation of the per-step current / membrane noise [state units]; None: none (a
        separate compilation in which the noise terms vanish).
    drop_probability, jitter_probability : float
        Per-packet probability of being dropped / delivered late.
    jitter_max_steps : int
        Largest lateness [steps] (>= 1 when jitter is on).
    flip_rate : float
        Probability per state bit per step of a flip (integer datapath only).
    chunk_bounds : ndarray int64 ``(n_chunks + 1,)``
        Chunk c runs samples ``chunk_bounds[c] .. chunk_bounds[c+1]-1`` one after another.
    out_counts : ndarray int64 ``(n_samples, n_groups, N_ACTIONS)``
        Filled with the actions of each sample per group [count].
    out_step_counts : ndarray int64 ``(n_chunks, T, n_groups, N_ACTIONS)``
        Filled with the actions per step, summed over the samples of each chunk [count].
    out_spike_count, out_first_spike : ndarray int64 ``(n_samples, n_neurons)``
        Filled with spikes per neuron [count] and the step of the first one (-1: none) [step].
    out_u, out_v : ndarray ``(n_samples, n_neurons)``, dtype of the neuron parameters
        Filled with the synaptic current and membrane after the last step [state units].
    out_raster : ndarray uint8 ``(n_samples, T, n_neurons)`` or ``(n_samples, 0, n_neurons)``
        Filled with the spikes of every step, unless its second axis is empty.
    """
    n_steps = input_spikes.shape[1]
    n_slots = 1  # a power of two > max_delay + the largest lateness
    while n_slots <= max_delay + (jitter_max_steps if jitter_probability > 0.0 else 0):
        n_slots *= 2
    slot_mask = n_slots - 1
    record = out_raster.shape[1] > 0
    noisy_packets = drop_probability > 0.0 or jitter_probability > 0.0
    for c in prange(chunk_bounds.shape[0] - 1):
        ring = np.zeros((n_slots, port_shift.shape[0]), dtype=out_u.dtype)
        hold = np.zeros(n_neurons, dtype=np.int64)   # 2 * refractory steps left + RESET_SUBTRACT_NEXT flag
        spiked = np.empty(n_neurons, dtype=np.int64)
        x = np.empty(n_neurons, dtype=out_u.dtype)   # the summed input of one slice's neurons
        zero_shift = np.zeros(n_neurons, dtype=np.int64)   # the shifts of sums already shifted
        fired = np.zeros((n_neurons + 7) // 8 * 8, dtype=np.uint8)   # spike flags of _update_uniform
        step = np.zeros((n_groups, N_ACTIONS), dtype=np.int64)
        out_step_counts[c] = 0
        for s in range(chunk_bounds[c], chunk_bounds[c + 1]):
            ring[:] = 0
            hold[:] = 0
            out_counts[s] = 0
            out_spike_count[s] = 0
            out_first_spike[s] = -1
            u = out_u[s]
            v = out_v[s]
            u[:] = 0
            v[:] = 0
            sample = first_sample + s
            for t in range(n_steps):
                slot = t & slot_mask
                key_u = key_of(noise_seeds[0], sample, t)
                key_v = key_of(noise_seeds[1], sample, t)
                key_drop = key_of(noise_seeds[2], sample, t)
                key_jitter = key_of(noise_seeds[3], sample, t)
                for ch in range(n_inputs):
                    if input_spikes[s, t, ch] == 0:
                        continue
                    if noisy_packets:
                        _propagate_noisy(ch, t, slot_mask, src_seg_ptr, seg_syn_ptr, seg_group, seg_mem_words,
                                         syn_port, syn_weight, syn_delay, src_group, src_packets, src_hops_x,
                                         src_hops_y, n_groups, key_drop, drop_probability, key_jitter,
                                         jitter_probability, jitter_max_steps, ring, step)
                    else:
                        _propagate(ch, t, slot_mask, src_seg_ptr, seg_syn_ptr, seg_group, seg_mem_words, seg_delay,
                                   seg_port0, syn_port, syn_weight, syn_delay, src_group, src_packets, src_hops_x,
                                   src_hops_y, ring, step)
                if record:
                    out_raster[s, t] = 0
                for r in range(update_slices.shape[0]):
                    first, last, group = update_slices[r, 0], update_slices[r, 1], update_slices[r, 2]
                    if uniform_slices[r]:   # branch-free, with the slice's scalars
                        if one_port:   # the ring's slot is the input: read and cleared by the update
                            row, shift = ring[slot, first:last], port_shift[first:last]
                        else:
                            _gather_input(first, last, slot, ring, port_shift, neuron_port_ptr, one_port, x)
                            row, shift = x[:last - first], zero_shift[:last - first]
                        if reset_mode[first] == RESET_SUBTRACT_NEXT:
                            n_spiked = _update_uniform(first, last, group, row, shift, syn_factor[first],
                                                       mem_factor[first], v_th, bias, bias_syn[first], v_reset,
                                                       refractory_steps[first], has_threshold[first],
                                                       reset_mode[first], decay_bits, rounding, input_shift,
                                                       state_bits, syn_overflow, mem_overflow, u_noise_sd,
                                                       v_noise_sd, key_u, key_v, u, v, hold, True,
                                                       active_slices[r] != 0, fired, step, spiked)
                        else:   # the same, compiled without the pending subtraction
                            n_spiked = _update_uniform(first, last, group, row, shift, syn_factor[first],
                                                       mem_factor[first], v_th, bias, bias_syn[first], v_reset,
                                                       refractory_steps[first], has_threshold[first],
                                                       reset_mode[first], decay_bits, rounding, input_shift,
                                                       state_bits, syn_overflow, mem_overflow, u_noise_sd,
                                                       v_noise_sd, key_u, key_v, u, v, hold, None,
                                                       active_slices[r] != 0, fired, step, spiked)
                    else:
                        _gather_input(first, last, slot, ring, port_shift, neuron_port_ptr, one_port, x)
                        n_spiked = _update_neurons(first, last, group, x, syn_factor, mem_factor, v_th, bias,
                                                   bias_syn, v_reset, refractory_steps, has_threshold, reset_mode,
                                                   decay_bits, rounding, input_shift, state_bits, syn_overflow,
                                                   mem_overflow, u_noise_sd, v_noise_sd, key_u, key_v, u, v,
                                                   hold, step, spiked)
                    for k in range(n_spiked):
                        i = spiked[k]
                        out_spike_count[s, i] += 1
                        if out_first_spike[s, i] < 0:
                            out_first_spike[s, i] = t
                        if record:
                            out_raster[s, t, i] = 1
                        if noisy_packets:
                            _propagate_noisy(n_inputs + i, t, slot_mask, src_seg_ptr, seg_syn_ptr, seg_group,
                                             seg_mem_words, syn_port, syn_weight, syn_delay, src_group, src_packets,
                                             src_hops_x, src_hops_y, n_groups, key_drop, drop_probability, key_jitter,
                                             jitter_probability, jitter_max_steps, ring, step)
                        else:
                            _propagate(n_inputs + i, t, slot_mask, src_seg_ptr, seg_syn_ptr, seg_group,
                                       seg_mem_words, seg_delay, seg_port0, syn_port, syn_weight, syn_delay,
                                       src_group, src_packets, src_hops_x, src_hops_y, ring, step)
                if flip_rate > 0.0:
                    _flip_state(n_neurons, key_of(noise_seeds[4], sample, t), flip_rate, state_bits, u, v)
                _flush(step, out_counts[s], out_step_counts[c, t])
