"""One sample on several threads: the event loop of ``kernels/spiking.py`` with each step's work shared out.

``run_spiking`` runs samples in parallel, one thread per chunk of samples, so one sample runs on one
thread. :func:`run_spiking_threads` runs each sample with ``n_parts`` *parts* of each step's work shared
among threads, bit-identical to ``run_spiking`` (spikes, final state, every counter per group and per
step). A step ``t`` has two phases:

1. *update*: part ``p`` updates its *sub-slices* (``update_slices`` rows, some cut in two at a neuron,
   ``sub_thread[m] == p``) with ``kernels/neurons.py``'s ``update_slice``, reading and clearing ring slot
   ``t``, and notes their spikes (each sub-slice's in ``spiked[first:last]``, its count in
   ``sub_count``). Neurons are independent within a step once their inputs are in the slot, which
   needs every synapse out of a neuron to have a delay >= 1 (the caller checks it; inputs may have
   delay 0, as they are sent before the update);
2. *send*: the spikes of step ``t`` and the input channels of step ``t + 1`` are sent, shared out in one of
   two ways (``kernels/partition.py``), chosen at compile time by the ring's dtype:

   - *an integer ring: the parts share the sources.* Each part has a ring of its own and sends every
     synapse of its spikes (the ``p``-th, ``p + n_parts``-th, ... of the step, sub-slices in update order)
     and of its input channels (``p``, ``p + n_parts``, ...; each part draws the Poisson counts of every channel
     of a block, ``kernels/poisson.py``'s ``draw_block``, and sends its own), and counts their SPIKE, PACKET and
     hops. Before
     a part updates a sub-slice, it adds the other rings' slot ``t`` into the first ring at the sub-slice's
     ports (and clears them there): integer sums, the same whatever the order, so the first ring then
     holds what one thread's ring would;
   - *a float ring: the parts share the ports.* Part ``p`` walks all spikes of step ``t``, sub-slices in
     update order (the order of one thread), then the input channels of step ``t + 1`` (every part draws
     the same Poisson counts: they are keyed by sample, step and channel), adding only the synapses into
     its ports: those in its port range ``part_ports[p]`` whose counter group is in its group range
     ``part_groups[p]`` (the parts' ports partition the ring's): every ring entry is written by one part, in
     the order one thread writes it, so float sums are bit-identical. Part 0 counts each spike's SPIKE,
     PACKET and hops.

   Part 0 flips state bits at the end of the step.

Counters are kept per part (a second set takes the inputs sent ahead for step ``t + 1``) and added up
after each step with ``kernels/spiking.py``'s ``_flush``: integer sums, independent of the order.
Dynamic noise draws are keyed by (sample, step, index), so they do not depend on the part or thread.

One parallel region per sample: each thread runs :func:`_worker`, which claims the parts of a phase from an
atomic counter (``kernels/atomics.py``), does them, and waits (polling, then yielding its core) until all
parts of the phase are done. A region launch per phase would cost a wake-up of the other threads each time
(tens of microseconds, milliseconds when the machine is busy). Since parts are claimed, not assigned, any
number of threads completes the sample, one included: the run cannot deadlock if fewer threads start than
asked for.
"""
import numpy as np
from numba import njit, prange

from ._config import JIT
from .actions import N_ACTIONS
from .atomics import fetch_add, load, relax
from .counter_rng import key_of
from .neurons import sends_payload, update_slice
from .partition import own_spikes, ring_copies, thread_part
from .poisson import draw_scratch
from .spiking import (_feed_inputs, _flip_state, _flush, clear_records, record_membrane, record_spikes, ring_mask,
                      send_spikes, start_sample)


@njit(**JIT)
def _add_rings(rings, slot, first, last, slot0, n_receptors, stride, slot_port_ptr):
    """Add ring ``slot`` of every ring after the first into the first's, and clear it, at the ports of the
    neurons ``first .. last-1`` (receptor ``k``'s slots ``slot0 + k * stride + j``); nothing with one ring."""
    for q in range(1, rings.shape[0]):
        for k in range(n_receptors):
            base = slot0 + k * stride
            for port in range(slot_port_ptr[base], slot_port_ptr[base + last - first]):
                rings[0, slot, port] += rings[q, slot, port]
                rings[q, slot, port] = 0


@njit(**JIT)
def _update_part(p, s, t, sample, slot_mask, one_port, rings, port_shift, slot_port_ptr, sub_slices, sub_uniform,
                 sub_active, sub_thread, params, arith, u_noise_sd, v_noise_sd, noise_seeds, graded, state, scratch,
                 step, spiked, sub_count, out_spike_count, out_first_spike, out_raster, out_payload):
    """Phase 1 of step ``t`` for thread ``p``: update its sub-slices (their ports' sums first gathered into the
    first ring), note their spikes and payloads."""
    noise = (u_noise_sd, v_noise_sd, key_of(noise_seeds[0], sample, t), key_of(noise_seeds[1], sample, t))
    payload = graded[4]
    ring = rings[0]
    for m in range(sub_slices.shape[0]):
        if sub_thread[m] != p:
            continue
        first, last, model = sub_slices[m, 0], sub_slices[m, 1], sub_slices[m, 6]
        _add_rings(rings, t & slot_mask, first, last, sub_slices[m, 3], sub_slices[m, 4], sub_slices[m, 5],
                   slot_port_ptr)
        n_spiked = update_slice(model, first, last, sub_slices[m, 2], sub_slices[m, 3], sub_slices[m, 4],
                                sub_slices[m, 5], sub_uniform[m] != 0, sub_active[m] != 0, one_port, t & slot_mask,
                                ring, port_shift, slot_port_ptr, params, arith, noise, graded, state, scratch, step,
                                spiked[first:last])
        sub_count[m] = n_spiked
        record_spikes(s, t, spiked[first:first + n_spiked], sends_payload(model), payload, out_spike_count,
                      out_first_spike, out_raster, out_payload)


@njit(**JIT)
def _send_part(p, s, t, sample, input_spikes, input_values, input_scaled, sources, source_seed, noisy, slot_mask,
               src_seg_ptr, seg_syn_ptr, seg_group, seg_mem_words, seg_delay, seg_port0, syn_port, syn_weight,
               syn_delay, src_group, src_packets, src_hops_x, src_hops_y, n_groups, noise_seeds, drop_probability,
               jitter_probability, jitter_max_steps, flip_rate, state_bits, part, sub_slices, spiked, sub_count,
               payload, state, ring, steps, out_v_trace):
    """Phase 2 of step ``t`` for thread ``p`` (``part``: its sources or its ports, ``kernels/partition.py``; ``ring``:
    its own on an integer datapath, else the shared one): send its share of the spikes of step ``t`` (none for
    ``t == -1``), counted in ``steps[t & 1]``; thread 0 flips state bits and records the membranes; then send its
    share of the inputs of step ``t + 1``, counted in ``steps[(t + 1) & 1]``."""
    n_in = sources[0].shape[0]
    if t >= 0:
        key_drop, key_jitter = key_of(noise_seeds[2], sample, t), key_of(noise_seeds[3], sample, t)
        offset = 0   # spikes of the step before sub-slice m
        for m in range(sub_slices.shape[0]):
            first = sub_slices[m, 0]
            mine = own_spikes(part, spiked[first:first + sub_count[m]], offset)
            offset += sub_count[m]
            send_spikes(mine, n_in, t, sends_payload(sub_slices[m, 6]), payload, noisy,
                        slot_mask, src_seg_ptr, seg_syn_ptr, seg_group, seg_mem_words, seg_delay, seg_port0, syn_port,
                        syn_weight, syn_delay, src_group, src_packets, src_hops_x, src_hops_y, n_groups, key_drop,
                        drop_probability, key_jitter, jitter_probability, jitter_max_steps, part, ring,
                        steps[t & 1, p])
        if p == 0:
            if flip_rate > 0.0:
                _flip_state(key_of(noise_seeds[4], sample, t), flip_rate, state_bits, state[0], state[1])
            record_membrane(s, t, state[1], out_v_trace)
    if t + 1 < input_spikes.shape[1]:
        channels = (input_scaled, *sources, key_of(source_seed, sample, t + 1))
        _feed_inputs(s, t + 1, input_spikes, input_values, channels, noisy, slot_mask, src_seg_ptr, seg_syn_ptr,
                     seg_group, seg_mem_words, seg_delay, seg_port0, syn_port, syn_weight, syn_delay, src_group,
                     src_packets, src_hops_x, src_hops_y, n_groups, key_of(noise_seeds[2], sample, t + 1),
                     drop_probability, key_of(noise_seeds[3], sample, t + 1), jitter_probability, jitter_max_steps,
                     part, ring, steps[(t + 1) & 1, p])


#: Polls of a finished phase's counter before a waiting thread starts yielding its core.
SPINS = 1000


@njit(**JIT)
def _flush_step(t, steps, out_counts_sample, out_step):
    """Add step ``t``'s counters of every part (``steps[t & 1]``) to the sample's and the step's totals."""
    for p in range(steps.shape[1]):
        _flush(steps[t & 1, p], out_counts_sample, out_step)


@njit(**JIT)
def _worker(s, sample, claim, done, input_spikes, input_values, input_scaled, sources, draws, source_seed, noisy,
            slot_mask, network, slicing, ports, params, arith, noise, flip_rate, graded, state, scratch, rings, steps,
            spiked, sub_count, out_counts, out_step_counts, out_spike_count, out_first_spike, out_raster, out_payload,
            out_v_trace):
    """One thread's run through sample ``s``: phase 0 sends the inputs of step 0, phase ``2 t + 1`` updates
    step ``t``, phase ``2 t + 2`` sends its spikes (and the inputs of step ``t + 1``). In each phase the thread
    claims parts (``fetch_add(claim, phase)``) until none is left, does them, counts them done, and waits
    until every part of the phase is done. Any number of threads (one included) completes every phase."""
    (src_seg_ptr, seg_syn_ptr, seg_group, seg_mem_words, seg_delay, seg_port0, syn_port, syn_weight, syn_delay,
     port_shift, slot_port_ptr, one_port, src_group, src_packets, src_hops_x, src_hops_y, n_groups) = network
    sub_slices, sub_uniform, sub_active, sub_thread = slicing
    part_ports, part_groups, group_port_lo, group_port_hi = ports
    u_noise_sd, v_noise_sd, noise_seeds, drop_probability, jitter_probability, jitter_max_steps = noise
    xs, zero_shift, fired = scratch
    n_parts = part_ports.shape[0]
    n_steps = input_spikes.shape[1]
    for phase in range(1 + 2 * n_steps):
        t = (phase - 1) >> 1
        while True:
            p = fetch_add(claim, phase, 1)
            if p >= n_parts:
                break
            if phase & 1:
                if p == 0 and t > 0:
                    _flush_step(t - 1, steps, out_counts[s], out_step_counts[t - 1])
                _update_part(p, s, t, sample, slot_mask, one_port, rings, port_shift, slot_port_ptr, sub_slices,
                             sub_uniform, sub_active, sub_thread, params, arith, u_noise_sd, v_noise_sd, noise_seeds,
                             graded, state, (xs[p], zero_shift, fired[p]), steps[t & 1, p], spiked, sub_count,
                             out_spike_count, out_first_spike, out_raster, out_payload)
            else:
                if p == 0 and t + 1 < n_steps:
                    clear_records(s, t + 1, out_raster, out_payload)
                part = thread_part(rings, p, n_parts, part_ports, part_groups, group_port_lo, group_port_hi)
                ring = rings[p if rings.shape[0] > 1 else 0]
                _send_part(p, s, t, sample, input_spikes, input_values, input_scaled, (*sources, draws[p]), source_seed,
                           noisy, slot_mask, src_seg_ptr, seg_syn_ptr, seg_group, seg_mem_words, seg_delay, seg_port0,
                           syn_port, syn_weight, syn_delay, src_group, src_packets, src_hops_x, src_hops_y, n_groups,
                           noise_seeds, drop_probability, jitter_probability, jitter_max_steps, flip_rate, arith[3],
                           part, sub_slices, spiked, sub_count, graded[4], state, ring, steps, out_v_trace)
            fetch_add(done, phase, 1)
        polls = 0
        while load(done, phase) < n_parts:
            polls += 1
            if polls > SPINS:
                relax()


@njit(parallel=True, **JIT)
def run_spiking_threads(input_spikes, input_values, input_scaled, sources, source_seed, n_neurons, n_groups, max_delay,
                        ring_like, src_seg_ptr, seg_syn_ptr, seg_group, seg_mem_words, seg_delay, seg_port0,
                        syn_port, syn_weight, syn_delay, port_shift, slot_port_ptr, one_port, src_group, src_packets,
                        src_hops_x, src_hops_y,
                        sub_slices, sub_uniform, sub_active, sub_thread, part_ports, part_groups, group_port_lo,
                        group_port_hi, syn_factor, mem_factor, v_th, bias, bias_syn, v_reset, refractory_steps,
                        has_threshold, reset_mode, initial_u, initial_v, initial_hold, decay_bits, rounding,
                        input_shift, state_bits, syn_overflow, mem_overflow, first_sample, noise_seeds, u_noise_sd,
                        v_noise_sd, drop_probability, jitter_probability, jitter_max_steps, flip_rate, payload_shift,
                        sigma_delta_mode, n_threads, out_counts, out_step_counts, out_spike_count, out_first_spike,
                        out_u, out_v, out_graded, out_raster, out_payload, out_v_trace):
    """Run a batch of samples one after another, each on ``n_threads`` threads (see the module docstring).

    Arguments as ``kernels/spiking.py``'s ``run_spiking`` (the network, its datapath, noise and outputs),
    except that there are no chunks (``out_step_counts`` is ``(T, n_groups, N_ACTIONS)``, summed over the
    samples) and the update slices come as the parts' sub-slices:

    Parameters
    ----------
    sub_slices : ndarray int64 ``(n_sub, 7)``
        ``update_slices`` rows in update order, some cut in two at a neuron (same columns).
    sub_uniform, sub_active : ndarray uint8 ``(n_sub,)``
        Those of the slice each sub-slice is cut from.
    sub_thread : ndarray int64 ``(n_sub,)``
        The part that updates each sub-slice.
    part_ports, part_groups : ndarray int64 ``(n_parts, 2)``
        On a float ring, part ``p`` adds the synapses into the ports ``part_ports[p, 0] .. part_ports[p, 1]-1``
        of the counter groups ``part_groups[p, 0] .. part_groups[p, 1]-1``; every port must be one part's. An
        integer ring's parts share the sources and do not read them.
    group_port_lo, group_port_hi : ndarray int64 ``(n_groups,)``
        The span of the ports of each counter group's slots (lo >= hi for a group without slots).
    n_threads : int
        Threads to run (``numba.get_num_threads()``; more than ``n_parts`` are not started).
    """
    n_parts = part_ports.shape[0]
    n_steps = input_spikes.shape[1]
    slot_mask = ring_mask(max_delay, jitter_probability, jitter_max_steps)
    noisy = drop_probability > 0.0 or jitter_probability > 0.0
    params = (syn_factor, mem_factor, v_th, bias, bias_syn, v_reset, refractory_steps, has_threshold, reset_mode)
    arith = (decay_bits, rounding, input_shift, state_bits, syn_overflow, mem_overflow)
    network = (src_seg_ptr, seg_syn_ptr, seg_group, seg_mem_words, seg_delay, seg_port0, syn_port, syn_weight,
               syn_delay, port_shift, slot_port_ptr, one_port, src_group, src_packets, src_hops_x, src_hops_y,
               n_groups)
    noise = (u_noise_sd, v_noise_sd, noise_seeds, drop_probability, jitter_probability, jitter_max_steps)
    rings = np.zeros((ring_copies(ring_like, n_parts), slot_mask + 1, port_shift.shape[0]), dtype=ring_like.dtype)
    hold = np.empty(n_neurons, dtype=np.int64)
    spiked = np.empty(n_neurons, dtype=np.int64)
    sub_count = np.zeros(sub_slices.shape[0], dtype=np.int64)
    scratch = (np.zeros((n_parts, max(initial_u.shape[0], 1)), dtype=out_u.dtype),
               np.zeros(max(initial_u.shape[0], 1), dtype=np.int64),
               np.zeros((n_parts, (n_neurons + 7) // 8 * 8), dtype=np.uint8))
    payload = np.zeros(n_neurons, dtype=out_u.dtype)
    steps = np.zeros((2, n_parts, n_groups, N_ACTIONS), dtype=np.int64)   # per step parity, per part
    claim = np.zeros(1 + 2 * n_steps, dtype=np.int64)   # parts claimed / done, per phase
    done = np.zeros(1 + 2 * n_steps, dtype=np.int64)
    draws = draw_scratch(sources[0], n_parts)   # each part's Poisson counts, a block at a time
    n_workers = max(min(n_threads, n_parts), 1)
    out_step_counts[:] = 0
    for s in range(input_spikes.shape[0]):
        start_sample(s, rings, hold, initial_u, initial_v, initial_hold, out_counts, out_spike_count, out_first_spike,
                     out_u, out_v, out_graded)
        state = (out_u[s], out_v[s], hold)
        graded = (payload_shift, sigma_delta_mode, out_graded[s, 0], out_graded[s, 1], payload)
        sub_count[:] = 0
        claim[:] = 0
        done[:] = 0
        if n_steps > 0:
            clear_records(s, 0, out_raster, out_payload)
        for w in prange(n_workers):
            _worker(s, first_sample + s, claim, done, input_spikes, input_values, input_scaled, sources, draws,
                    source_seed, noisy, slot_mask, network, (sub_slices, sub_uniform, sub_active, sub_thread),
                    (part_ports, part_groups, group_port_lo, group_port_hi), params, arith, noise, flip_rate, graded,
                    state, scratch, rings, steps, spiked, sub_count, out_counts, out_step_counts, out_spike_count,
                    out_first_spike, out_raster, out_payload, out_v_trace)
        if n_steps > 0:
            _flush_step(n_steps - 1, steps, out_counts[s], out_step_counts[n_steps - 1])
