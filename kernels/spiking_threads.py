"""One sample on several threads: the event loop of ``kernels/spiking.py`` with each step's work shared out.

``run_spiking`` runs samples in parallel, one thread per chunk of samples, so one sample runs on one
thread. :func:`run_spiking_threads` runs each sample on ``n_threads`` threads, bit-identical to
``run_spiking`` on one (spikes, final state, every counter per group and per step), in two parallel
phases per step ``t``:

1. *update*: thread ``p`` updates its *sub-slices* (``update_slices`` rows, some cut in two at a neuron,
   ``sub_thread[m] == p``) with ``kernels/neurons.py``'s ``update_slice``, reading and clearing ring slot
   ``t``, and notes their spikes (each sub-slice's in ``spiked[first:last]``, its count in
   ``sub_count``). Neurons are independent within a step once their inputs are in the slot, which
   needs every synapse out of a neuron to have a delay >= 1 (the caller checks it; inputs may have
   delay 0, as they are sent before the update);
2. *send*: every thread walks all spikes of step ``t``, sub-slices in update order (the order of one
   thread), and then the input channels of step ``t + 1``, adding only the synapses into its own ports
   ``port_bounds[p] .. port_bounds[p+1]-1`` (``kernels/partition.py``): every ring entry is written by
   one thread, in the order one thread writes it, so float sums are bit-identical. Thread 0 counts each
   spike's SPIKE, PACKET and hops, and flips state bits at the end of the step.

Counters are kept per thread (a second set takes the inputs sent ahead for step ``t + 1``) and added up
after each step with ``kernels/spiking.py``'s ``_flush``: integer sums, independent of the order.
Dynamic noise draws are keyed by (sample, step, index), so they do not depend on the thread.

Each phase is one parallel region (``prange`` over the threads): two region launches per step, a few
microseconds each on an idle machine (``bench/threads.py`` measures the whole; ``hwsim.sample_threads``
decides when this pays).
"""
import numpy as np
from numba import njit, prange

from ._config import JIT
from .actions import N_ACTIONS
from .counter_rng import key_of
from .neurons import sends_payload, update_slice
from .spiking import (_feed_inputs, _flip_state, _flush, clear_records, record_spikes, ring_mask, send_spikes,
                      start_sample)


@njit(**JIT)
def _update_part(p, s, t, sample, slot_mask, one_port, ring, port_shift, slot_port_ptr, sub_slices, sub_uniform,
                 sub_active, sub_thread, params, arith, u_noise_sd, v_noise_sd, noise_seeds, graded, state, scratch,
                 step, spiked, sub_count, out_spike_count, out_first_spike, out_raster, out_payload):
    """Phase 1 of step ``t`` for thread ``p``: update its sub-slices, note their spikes and payloads."""
    noise = (u_noise_sd, v_noise_sd, key_of(noise_seeds[0], sample, t), key_of(noise_seeds[1], sample, t))
    payload = graded[4]
    for m in range(sub_slices.shape[0]):
        if sub_thread[m] != p:
            continue
        first, last, model = sub_slices[m, 0], sub_slices[m, 1], sub_slices[m, 6]
        n_spiked = update_slice(model, first, last, sub_slices[m, 2], sub_slices[m, 3], sub_slices[m, 4],
                                sub_slices[m, 5], sub_uniform[m] != 0, sub_active[m] != 0, one_port, t & slot_mask,
                                ring, port_shift, slot_port_ptr, params, arith, noise, graded, state, scratch, step,
                                spiked[first:last])
        sub_count[m] = n_spiked
        record_spikes(s, t, spiked[first:first + n_spiked], sends_payload(model), payload, out_spike_count,
                      out_first_spike, out_raster, out_payload)


@njit(**JIT)
def _send_part(p, s, t, sample, input_spikes, input_values, input_scaled, noisy, slot_mask, src_seg_ptr, seg_syn_ptr,
               seg_group, seg_mem_words, seg_delay, seg_port0, syn_port, syn_weight, syn_delay, src_group, src_packets,
               src_hops_x, src_hops_y, n_groups, noise_seeds, drop_probability, jitter_probability,
               jitter_max_steps, flip_rate, state_bits, part, sub_slices, spiked, sub_count, payload, state, ring,
               steps):
    """Phase 2 of step ``t`` for thread ``p`` (``part``: its ports): send the spikes of step ``t`` (none for
    ``t == -1``) into its ports, counted in ``steps[t & 1]``; thread 0 flips state bits; then send the
    inputs of step ``t + 1``, counted in ``steps[(t + 1) & 1]``."""
    n_in = input_spikes.shape[2]
    if t >= 0:
        key_drop, key_jitter = key_of(noise_seeds[2], sample, t), key_of(noise_seeds[3], sample, t)
        for m in range(sub_slices.shape[0]):
            first = sub_slices[m, 0]
            send_spikes(spiked[first:first + sub_count[m]], n_in, t, sends_payload(sub_slices[m, 6]), payload, noisy,
                        slot_mask, src_seg_ptr, seg_syn_ptr, seg_group, seg_mem_words, seg_delay, seg_port0, syn_port,
                        syn_weight, syn_delay, src_group, src_packets, src_hops_x, src_hops_y, n_groups, key_drop,
                        drop_probability, key_jitter, jitter_probability, jitter_max_steps, part, ring,
                        steps[t & 1, p])
        if p == 0 and flip_rate > 0.0:
            _flip_state(key_of(noise_seeds[4], sample, t), flip_rate, state_bits, state[0], state[1])
    if t + 1 < input_spikes.shape[1]:
        _feed_inputs(s, t + 1, input_spikes, input_values, input_scaled, noisy, slot_mask, src_seg_ptr, seg_syn_ptr,
                     seg_group, seg_mem_words, seg_delay, seg_port0, syn_port, syn_weight, syn_delay, src_group,
                     src_packets, src_hops_x, src_hops_y, n_groups, key_of(noise_seeds[2], sample, t + 1),
                     drop_probability, key_of(noise_seeds[3], sample, t + 1), jitter_probability, jitter_max_steps,
                     part, ring, steps[(t + 1) & 1, p])


@njit(parallel=True, **JIT)
def run_spiking_threads(input_spikes, input_values, input_scaled, n_neurons, n_groups, max_delay, src_seg_ptr,
                        seg_syn_ptr, seg_group, seg_mem_words, seg_delay, seg_port0, syn_port, syn_weight, syn_delay,
                        port_shift, slot_port_ptr, one_port, src_group, src_packets, src_hops_x, src_hops_y,
                        sub_slices, sub_uniform, sub_active, sub_thread, port_bounds, group_port_lo, group_port_hi,
                        syn_factor, mem_factor, v_th, bias, bias_syn, v_reset, refractory_steps, has_threshold,
                        reset_mode, initial_u, initial_v, initial_hold, decay_bits, rounding, input_shift, state_bits,
                        syn_overflow, mem_overflow, first_sample, noise_seeds, u_noise_sd, v_noise_sd,
                        drop_probability, jitter_probability, jitter_max_steps, flip_rate, payload_shift,
                        sigma_delta_mode, out_counts, out_step_counts, out_spike_count, out_first_spike, out_u, out_v,
                        out_graded, out_raster, out_payload):
    """Run a batch of samples one after another, each on ``n_threads`` threads (see the module docstring).

    Arguments as ``kernels/spiking.py``'s ``run_spiking`` (the network, its datapath, noise and outputs),
    except that there are no chunks (``out_step_counts`` is ``(T, n_groups, N_ACTIONS)``, summed over the
    samples) and the update slices come as the threads' sub-slices:

    Parameters
    ----------
    sub_slices : ndarray int64 ``(n_sub, 7)``
        ``update_slices`` rows in update order, some cut in two at a neuron (same columns).
    sub_uniform, sub_active : ndarray uint8 ``(n_sub,)``
        Those of the slice each sub-slice is cut from.
    sub_thread : ndarray int64 ``(n_sub,)``
        The thread that updates each sub-slice.
    port_bounds : ndarray int64 ``(n_threads + 1,)``
        Thread ``p`` adds the synapses into ports ``port_bounds[p] .. port_bounds[p+1]-1`` (0 .. n_ports).
    group_port_lo, group_port_hi : ndarray int64 ``(n_groups,)``
        The span of the ports of each counter group's slots (lo >= hi for a group without slots).
    """
    n_threads = port_bounds.shape[0] - 1
    n_steps = input_spikes.shape[1]
    slot_mask = ring_mask(max_delay, jitter_probability, jitter_max_steps)
    noisy = drop_probability > 0.0 or jitter_probability > 0.0
    params = (syn_factor, mem_factor, v_th, bias, bias_syn, v_reset, refractory_steps, has_threshold, reset_mode)
    arith = (decay_bits, rounding, input_shift, state_bits, syn_overflow, mem_overflow)
    ring = np.zeros((slot_mask + 1, port_shift.shape[0]), dtype=out_u.dtype)
    hold = np.empty(n_neurons, dtype=np.int64)
    spiked = np.empty(n_neurons, dtype=np.int64)
    sub_count = np.zeros(sub_slices.shape[0], dtype=np.int64)
    xs = np.zeros((n_threads, max(initial_u.shape[0], 1)), dtype=out_u.dtype)
    zero_shift = np.zeros(n_neurons, dtype=np.int64)
    fired = np.zeros((n_threads, (n_neurons + 7) // 8 * 8), dtype=np.uint8)
    payload = np.zeros(n_neurons, dtype=out_u.dtype)
    steps = np.zeros((2, n_threads, n_groups, N_ACTIONS), dtype=np.int64)   # per step parity, per thread
    out_step_counts[:] = 0
    for s in range(input_spikes.shape[0]):
        start_sample(s, ring, hold, initial_u, initial_v, initial_hold, out_counts, out_spike_count, out_first_spike,
                     out_u, out_v, out_graded)
        state = (out_u[s], out_v[s], hold)
        graded = (payload_shift, sigma_delta_mode, out_graded[s, 0], out_graded[s, 1], payload)
        sample = first_sample + s
        sub_count[:] = 0
        for t in range(-1, n_steps):
            if t >= 0:
                clear_records(s, t, out_raster, out_payload)
                for p in prange(n_threads):
                    _update_part(p, s, t, sample, slot_mask, one_port, ring, port_shift, slot_port_ptr, sub_slices,
                                 sub_uniform, sub_active, sub_thread, params, arith, u_noise_sd, v_noise_sd,
                                 noise_seeds, graded, state, (xs[p], zero_shift, fired[p]), steps[t & 1, p], spiked,
                                 sub_count, out_spike_count, out_first_spike, out_raster, out_payload)
            for p in prange(n_threads):
                part = (port_bounds[p], port_bounds[p + 1], group_port_lo, group_port_hi, p == 0)
                _send_part(p, s, t, sample, input_spikes, input_values, input_scaled, noisy, slot_mask, src_seg_ptr,
                           seg_syn_ptr, seg_group, seg_mem_words, seg_delay, seg_port0, syn_port, syn_weight,
                           syn_delay, src_group, src_packets, src_hops_x, src_hops_y, n_groups, noise_seeds,
                           drop_probability, jitter_probability, jitter_max_steps, flip_rate, state_bits, part,
                           sub_slices, spiked, sub_count, payload, state, ring, steps)
            if t >= 0:
                for p in range(n_threads):
                    _flush(steps[t & 1, p], out_counts[s], out_step_counts[t])
