"""Event-driven LIF network: the spiking kernel, one event loop for two datapaths.

The arrays are those of ``hwsim.lowering.SpikingArrays``; the semantics are
those of ``hwsim.ir``, in the chip's integers (int64 arrays) or in float64 (the
``ideal`` profile; float64 arrays). Per step ``t``:

1. input channels spiking at ``t`` walk their segments: every synapse adds its
   weight to ``ring[(t + delay) % R, port]`` (``R``: a power of two > max_delay);
2. populations update in ``update_ranges`` order (the IR's update order): each
   neuron of a range reads its ports from slot ``t % R`` (and clears them).
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
   a refractory period holds v and the flag until then);
3. the neurons of a range that spiked walk their segments like inputs before the
   next range updates, so delay-0 synapses reach later populations in the same step.

Counters (columns of ``actions``) are kept per group: SYNOP and MEM_READ on the
segment's group, SPIKE, PACKET and HOP_X/HOP_Y on the source's group,
NEURON_ACTIVE / NEURON_IDLE on the neuron's group.
"""
import numpy as np
from numba import njit, prange, types
from numba.extending import overload

from ._config import JIT
from .resets import RESET_SUBTRACT, RESET_VALUE
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
def _propagate(src, t, slot_mask, src_seg_ptr, seg_syn_ptr, seg_group, seg_mem_words, syn_port,
               syn_weight, syn_delay, src_group, src_packets, src_hops_x, src_hops_y, ring, step):
    """Send one spike of source ``src`` emitted at step ``t`` into the ring; count it in ``step``.

    The ring has a power-of-two number of slots (``slot_mask + 1 > max_delay``), so the slot of step
    ``t + delay`` is ``(t + delay) & slot_mask``; only delay-0 synapses write slot ``t & slot_mask`` at
    step ``t``, and their targets update later in the step (``update_ranges``).
    """
    g = src_group[src]
    step[g, SPIKE] += 1
    step[g, PACKET] += src_packets[src]
    step[g, HOP_X] += src_hops_x[src]
    step[g, HOP_Y] += src_hops_y[src]
    first_seg, last_seg = src_seg_ptr[src], src_seg_ptr[src + 1]
    for k in range(first_seg, last_seg):
        g = seg_group[k]
        step[g, SYNOP] += seg_syn_ptr[k + 1] - seg_syn_ptr[k]
        step[g, MEM_READ] += seg_mem_words[k]
    for j in range(seg_syn_ptr[first_seg], seg_syn_ptr[last_seg]):  # the source's segments are contiguous
        ring[(t + syn_delay[j]) & slot_mask, syn_port[j]] += syn_weight[j]


@njit(**JIT)
def _fire(i, v, n_spiked, v_th, v_reset, refractory_steps, has_threshold, reset_mode, state_refractory,
          state_pending, out_spiked):
    """Threshold test and reset of neuron ``i`` (either datapath); returns ``(v, n_spiked)``."""
    if has_threshold[i] == 0 or not v > v_th[i]:
        return v, n_spiked
    mode = reset_mode[i]
    if mode == RESET_SUBTRACT:
        v = v - v_th[i]
    elif mode == RESET_VALUE:
        v = v_reset[i]
    else:
        state_pending[i] = 1
    state_refractory[i] = refractory_steps[i]
    out_spiked[n_spiked] = i
    return v, n_spiked + 1


def _update_neurons(first, last, slot, ring, port_shift, neuron_port_ptr, neuron_group, syn_factor, mem_factor,
                    v_th, bias, bias_syn, v_reset, refractory_steps, has_threshold, reset_mode, decay_bits,
                    rounding, input_shift, state_bits, syn_overflow, mem_overflow, state_u, state_v,
                    state_refractory, state_pending, step, out_spiked):
    """Update neurons ``first .. last-1`` once from ring ``slot`` (clearing their ports); list the spiking
    ones in ``out_spiked`` and return how many. The datapath follows the dtype of ``state_v``:
    :func:`_update_integer` for int64, :func:`_update_float` for float64 (chosen at compile time)."""


def _update_integer(first, last, slot, ring, port_shift, neuron_port_ptr, neuron_group, syn_factor, mem_factor,
                    v_th, bias, bias_syn, v_reset, refractory_steps, has_threshold, reset_mode, decay_bits,
                    rounding, input_shift, state_bits, syn_overflow, mem_overflow, state_u, state_v,
                    state_refractory, state_pending, step, out_spiked):
    """The chip's integer datapath (see the module docstring)."""
    n_spiked = 0
    for i in range(first, last):
        x = np.int64(0)
        for p in range(neuron_port_ptr[i], neuron_port_ptr[i + 1]):
            acc = ring[slot, p]
            ring[slot, p] = 0
            if port_shift[p] >= 0:
                x += acc << port_shift[p]
            else:
                x += acc >> -port_shift[p]
        u, v = state_u[i], state_v[i]
        active = x != 0 or u != 0 or v != 0 or bias[i] != 0 or bias_syn[i] != 0
        if active:  # otherwise u and v stay 0 (decay and overflow keep 0)
            step[neuron_group[i], NEURON_ACTIVE] += 1
            u = _overflow(_decay(u, syn_factor[i], decay_bits, rounding) + (x << input_shift) + bias_syn[i],
                          state_bits, syn_overflow)
            state_u[i] = u
        else:
            step[neuron_group[i], NEURON_IDLE] += 1
        if state_refractory[i] > 0:
            state_refractory[i] -= 1
            continue
        if active or state_pending[i] != 0:
            v = _decay(v, mem_factor[i], decay_bits, rounding) + u + bias[i]
            if state_pending[i] != 0:
                v -= v_th[i]
                state_pending[i] = 0
            v = _overflow(v, state_bits, mem_overflow)
        v, n_spiked = _fire(i, v, n_spiked, v_th, v_reset, refractory_steps, has_threshold, reset_mode,
                            state_refractory, state_pending, out_spiked)
        state_v[i] = v
    return n_spiked


def _update_float(first, last, slot, ring, port_shift, neuron_port_ptr, neuron_group, syn_factor, mem_factor,
                  v_th, bias, bias_syn, v_reset, refractory_steps, has_threshold, reset_mode, decay_bits,
                  rounding, input_shift, state_bits, syn_overflow, mem_overflow, state_u, state_v,
                  state_refractory, state_pending, step, out_spiked):
    """The IR equations in float64, literally (``syn_factor = 1 - decay_syn``, ``mem_factor = 1 - decay_mem``);
    ports are summed in order without shifts, and the integer scalars are unused."""
    n_spiked = 0
    for i in range(first, last):
        x = 0.0
        for p in range(neuron_port_ptr[i], neuron_port_ptr[i + 1]):
            x += ring[slot, p]
            ring[slot, p] = 0.0
        u, v = state_u[i], state_v[i]
        active = x != 0.0 or u != 0.0 or v != 0.0 or bias[i] != 0.0 or bias_syn[i] != 0.0
        if active:
            step[neuron_group[i], NEURON_ACTIVE] += 1
        else:
            step[neuron_group[i], NEURON_IDLE] += 1
        u = syn_factor[i] * u + x + bias_syn[i]
        state_u[i] = u
        if state_refractory[i] > 0:
            state_refractory[i] -= 1
            continue
        v = mem_factor[i] * v + u + bias[i]
        if state_pending[i] != 0:
            v = v - v_th[i]
            state_pending[i] = 0
        v, n_spiked = _fire(i, v, n_spiked, v_th, v_reset, refractory_steps, has_threshold, reset_mode,
                            state_refractory, state_pending, out_spiked)
        state_v[i] = v
    return n_spiked


@overload(_update_neurons, jit_options={k: v for k, v in JIT.items() if k != "cache"})
def _select_update(first, last, slot, ring, port_shift, neuron_port_ptr, neuron_group, syn_factor, mem_factor,
                   v_th, bias, bias_syn, v_reset, refractory_steps, has_threshold, reset_mode, decay_bits,
                   rounding, input_shift, state_bits, syn_overflow, mem_overflow, state_u, state_v,
                   state_refractory, state_pending, step, out_spiked):
    """Compile-time choice of the datapath from the state's dtype (both compile into the cached caller)."""
    if isinstance(state_v.dtype, types.Float):
        return _update_float
    return _update_integer


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
                seg_group, seg_mem_words, syn_port, syn_weight, syn_delay, port_shift,
                neuron_port_ptr, src_group, src_packets, src_hops_x, src_hops_y, neuron_group,
                update_ranges, syn_factor, mem_factor, v_th, bias, bias_syn, v_reset, refractory_steps,
                has_threshold, reset_mode, decay_bits, rounding, input_shift, state_bits, syn_overflow,
                mem_overflow, chunk_bounds, out_counts, out_step_counts, out_spike_count,
                out_first_spike, out_u, out_v, out_raster):
    """Run a batch of samples through a LIF network, chunks of samples in parallel.

    One event loop for both datapaths: integer (``syn_weight``, the neuron parameters and ``out_u``/``out_v``
    int64) or float (all of them float64); :func:`_update_neurons` picks the neuron update from the dtype.

    Parameters
    ----------
    input_spikes : ndarray uint8 ``(n_samples, T, n_inputs)``
        1 where input channel c spikes at step t.
    n_inputs, n_neurons, n_groups, max_delay : int
        Sizes (see ``hwsim.lowering.SpikingArrays`` for these and every array below).
    src_seg_ptr, seg_syn_ptr, seg_group, seg_mem_words : ndarray int64
        Segments of each source and synapses of each segment.
    syn_port, syn_delay, port_shift, neuron_port_ptr : ndarray int64
        Synapses (target port, delay [step]) and ports (shift; ports of each neuron).
    syn_weight : ndarray int64 or float64 ``(n_syn,)``
        Synaptic weights [state units].
    src_group, src_packets, src_hops_x, src_hops_y, neuron_group : ndarray int64
        Counter groups and per-spike routing costs [count].
    update_ranges : ndarray int64 ``(n_populations, 2)``
        ``[first, last)`` global neuron ranges in update order; the spikes of one range are
        propagated before the next range updates (delay-0 synapses land in the current slot).
    syn_factor, mem_factor, v_th, bias, bias_syn, v_reset : ndarray int64 or float64 ``(n_neurons,)``
        Neuron parameters [state units].
    refractory_steps : ndarray int64 ``(n_neurons,)``
        Refractory period [steps].
    has_threshold, reset_mode : ndarray uint8 ``(n_neurons,)``
        Neuron flags (reset_mode: RESET_VALUE, RESET_SUBTRACT, RESET_SUBTRACT_NEXT).
    decay_bits, rounding, input_shift, state_bits, syn_overflow, mem_overflow : int
        Integer datapath scalars (unused by the float datapath).
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
    n_slots = 1  # a power of two > max_delay
    while n_slots <= max_delay:
        n_slots *= 2
    slot_mask = n_slots - 1
    record = out_raster.shape[1] > 0
    for c in prange(chunk_bounds.shape[0] - 1):
        ring = np.zeros((n_slots, port_shift.shape[0]), dtype=syn_weight.dtype)
        refractory = np.zeros(n_neurons, dtype=np.int64)
        pending = np.zeros(n_neurons, dtype=np.uint8)
        spiked = np.empty(n_neurons, dtype=np.int64)
        step = np.zeros((n_groups, N_ACTIONS), dtype=np.int64)
        out_step_counts[c] = 0
        for s in range(chunk_bounds[c], chunk_bounds[c + 1]):
            ring[:] = 0
            refractory[:] = 0
            pending[:] = 0
            out_counts[s] = 0
            out_spike_count[s] = 0
            out_first_spike[s] = -1
            u = out_u[s]
            v = out_v[s]
            u[:] = 0
            v[:] = 0
            for t in range(n_steps):
                slot = t & slot_mask
                for ch in range(n_inputs):
                    if input_spikes[s, t, ch] != 0:
                        _propagate(ch, t, slot_mask, src_seg_ptr, seg_syn_ptr, seg_group,
                                   seg_mem_words, syn_port, syn_weight, syn_delay, src_group,
                                   src_packets, src_hops_x, src_hops_y, ring, step)
                if record:
                    out_raster[s, t] = 0
                for r in range(update_ranges.shape[0]):
                    n_spiked = _update_neurons(update_ranges[r, 0], update_ranges[r, 1], slot, ring, port_shift,
                                               neuron_port_ptr, neuron_group, syn_factor, mem_factor, v_th, bias,
                                               bias_syn, v_reset, refractory_steps, has_threshold, reset_mode,
                                               decay_bits, rounding, input_shift, state_bits, syn_overflow,
                                               mem_overflow, u, v, refractory, pending, step, spiked)
                    for k in range(n_spiked):
                        i = spiked[k]
                        out_spike_count[s, i] += 1
                        if out_first_spike[s, i] < 0:
                            out_first_spike[s, i] = t
                        if record:
                            out_raster[s, t, i] = 1
                        _propagate(n_inputs + i, t, slot_mask, src_seg_ptr, seg_syn_ptr, seg_group,
                                   seg_mem_words, syn_port, syn_weight, syn_delay, src_group,
                                   src_packets, src_hops_x, src_hops_y, ring, step)
                _flush(step, out_counts[s], out_step_counts[c, t])
