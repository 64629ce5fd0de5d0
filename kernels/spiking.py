"""Event-driven integer LIF network: the spiking kernel.

The arrays are those of ``hwsim.lowering.SpikingArrays``; the semantics are
those of ``hwsim.ir`` in the chip's integers. Per step ``t``:

1. input channels spiking at ``t`` walk their segments: every synapse adds its
   weight to ``ring[(t + delay) % R, port]`` (``R``: a power of two > max_delay);
2. every neuron reads its ports from slot ``t % R`` (and clears them)::

       x = sum over ports (acc << shift  if shift >= 0  else  acc >> -shift)
       active = x != 0 or u != 0 or v != 0 or bias != 0   (NEURON_ACTIVE, else NEURON_IDLE)
       u = overflow(decay(u, syn_factor) + (x << input_shift))
       if refractory > 0:  refractory -= 1                      (v held, no spike)
       else:               v = overflow(decay(v, mem_factor) + u + bias)
                           spike if has_threshold and v > v_th, then reset

3. neurons that spiked at ``t`` walk their segments like inputs.

Counters (columns of ``actions``) are kept per group: SYNOP and MEM_READ on the
segment's group, SPIKE, PACKET and HOP_X/HOP_Y on the source's group,
NEURON_ACTIVE / NEURON_IDLE on the neuron's group.
"""
import numpy as np
from numba import njit, prange

from ._config import JIT
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
    ``t + delay`` is ``(t + delay) & slot_mask``; slot ``t & slot_mask`` is never written at step ``t``.
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
def _update_neurons(slot, ring, port_shift, neuron_port_ptr, neuron_group, syn_factor, mem_factor, v_th,
                    bias, v_reset, refractory_steps, has_threshold, reset_subtract, decay_bits, rounding,
                    input_shift, state_bits, syn_overflow, mem_overflow, state_u, state_v, state_refractory,
                    step, out_spiked):
    """Update every neuron once from ring ``slot`` (clearing it); list the spiking ones, return how many."""
    n_spiked = 0
    for i in range(neuron_port_ptr.shape[0] - 1):
        x = np.int64(0)
        for p in range(neuron_port_ptr[i], neuron_port_ptr[i + 1]):
            acc = ring[slot, p]
            ring[slot, p] = 0
            if port_shift[p] >= 0:
                x += acc << port_shift[p]
            else:
                x += acc >> -port_shift[p]
        u, v = state_u[i], state_v[i]
        active = x != 0 or u != 0 or v != 0 or bias[i] != 0
        if active:  # otherwise u and v stay 0 (decay and overflow keep 0)
            step[neuron_group[i], NEURON_ACTIVE] += 1
            u = _overflow(_decay(u, syn_factor[i], decay_bits, rounding) + (x << input_shift), state_bits,
                          syn_overflow)
            state_u[i] = u
        else:
            step[neuron_group[i], NEURON_IDLE] += 1
        if state_refractory[i] > 0:
            state_refractory[i] -= 1
            continue
        if active:
            v = _overflow(_decay(v, mem_factor[i], decay_bits, rounding) + u + bias[i], state_bits,
                          mem_overflow)
        if has_threshold[i] != 0 and v > v_th[i]:
            v = v - v_th[i] if reset_subtract[i] != 0 else v_reset[i]
            state_refractory[i] = refractory_steps[i]
            out_spiked[n_spiked] = i
            n_spiked += 1
        state_v[i] = v
    return n_spiked


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
                syn_factor, mem_factor, v_th, bias, v_reset, refractory_steps, has_threshold,
                reset_subtract, decay_bits, rounding, input_shift, state_bits, syn_overflow,
                mem_overflow, chunk_bounds, out_counts, out_step_counts, out_spike_count,
                out_first_spike, out_u, out_v, out_raster):
    """Run a batch of samples through an integer LIF network, chunks of samples in parallel.

    Parameters
    ----------
    input_spikes : ndarray uint8 ``(n_samples, T, n_inputs)``
        1 where input channel c spikes at step t.
    n_inputs, n_neurons, n_groups, max_delay : int
        Sizes (see ``hwsim.lowering.SpikingArrays`` for these and every array below).
    src_seg_ptr, seg_syn_ptr, seg_group, seg_mem_words : ndarray int64
        Segments of each source and synapses of each segment.
    syn_port, syn_weight, syn_delay, port_shift, neuron_port_ptr : ndarray int64
        Synapses (target port, weight, delay [step]) and ports (shift; ports of each neuron).
    src_group, src_packets, src_hops_x, src_hops_y, neuron_group : ndarray int64
        Counter groups and per-spike routing costs [count].
    syn_factor, mem_factor, v_th, bias, v_reset, refractory_steps : ndarray int64 ``(n_neurons,)``
        Neuron parameters [state units; refractory in steps].
    has_threshold, reset_subtract : ndarray uint8 ``(n_neurons,)``
        Neuron flags.
    decay_bits, rounding, input_shift, state_bits, syn_overflow, mem_overflow : int
        Datapath scalars.
    chunk_bounds : ndarray int64 ``(n_chunks + 1,)``
        Chunk c runs samples ``chunk_bounds[c] .. chunk_bounds[c+1]-1`` one after another.
    out_counts : ndarray int64 ``(n_samples, n_groups, N_ACTIONS)``
        Filled with the actions of each sample per group [count].
    out_step_counts : ndarray int64 ``(n_chunks, T, n_groups, N_ACTIONS)``
        Filled with the actions per step, summed over the samples of each chunk [count].
    out_spike_count, out_first_spike : ndarray int64 ``(n_samples, n_neurons)``
        Filled with spikes per neuron [count] and the step of the first one (-1: none) [step].
    out_u, out_v : ndarray int64 ``(n_samples, n_neurons)``
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
        ring = np.zeros((n_slots, port_shift.shape[0]), dtype=np.int64)
        refractory = np.zeros(n_neurons, dtype=np.int64)
        spiked = np.empty(n_neurons, dtype=np.int64)
        step = np.zeros((n_groups, N_ACTIONS), dtype=np.int64)
        out_step_counts[c] = 0
        for s in range(chunk_bounds[c], chunk_bounds[c + 1]):
            ring[:] = 0
            refractory[:] = 0
            out_counts[s] = 0
            out_spike_count[s] = 0
            out_first_spike[s] = -1
            u = out_u[s]
            v = out_v[s]
            u[:] = 0
            v[:] = 0
            for t in range(n_steps):
                for ch in range(n_inputs):
                    if input_spikes[s, t, ch] != 0:
                        _propagate(ch, t, slot_mask, src_seg_ptr, seg_syn_ptr, seg_group,
                                   seg_mem_words, syn_port, syn_weight, syn_delay, src_group,
                                   src_packets, src_hops_x, src_hops_y, ring, step)
                n_spiked = _update_neurons(t & slot_mask, ring, port_shift, neuron_port_ptr, neuron_group,
                                           syn_factor, mem_factor, v_th, bias, v_reset, refractory_steps,
                                           has_threshold, reset_subtract, decay_bits, rounding, input_shift,
                                           state_bits, syn_overflow, mem_overflow, u, v, refractory, step,
                                           spiked)
                if record:
                    out_raster[s, t] = 0
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
