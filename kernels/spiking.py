"""Event-driven spiking networks: the kernel's event loop, one loop for two datapaths.

The arrays are those of ``hwsim.lowering.SpikingArrays``; the semantics are those of ``hwsim.ir``, in the
chip's integers (int64 state) or in float64 (the ``ideal`` profile). Neurons keep their synaptic
currents in *slots* (one per neuron and receptor), their membrane and their hold (refractory count and
pending flag) per neuron. Per step ``t``:

1. input channels active at ``t`` walk their segments: a spike adds every synapse's weight to
   ``ring[(t + delay) % R, port]`` (``R``: a power of two > max_delay); a segment with one delay and
   consecutive ports (``seg_port0``, a dense block) is added as one contiguous run, which vectorises. A
   current channel (``input_scaled``: float datapath only) adds ``weight * value`` instead and counts MAC
   rather than SYNOP. A Poisson channel sends the count ``k`` it draws (``kernels/poisson.py``, a block of
   channels at a time) as ``k`` spikes: on an integer ring as one pass adding ``k * weight`` (the same sums,
   modulo the ring's width), on a float ring as one pass that adds every synapse's weight ``k`` times in turn
   (the order of ``k`` sends, so the same rounding); with packet noise as ``k`` sends. A port is (projection,
   delay, receptor slot);
2. slices of neurons (a population on one core, ``update_slices``) update in the IR's update order:
   ``kernels/neurons.py`` runs each slice's neuron model (``kernels/lif.py``), which reads its slots'
   ports from ring slot ``t % R`` (and clears them);
3. the neurons of a slice that spiked walk their segments like inputs before the next slice updates,
   so delay-0 synapses reach later populations in the same step. A graded spike (a model that
   ``sends_payload``, ``kernels/sigma_delta.py``) adds ``weight * payload`` synapse by synapse
   (:func:`_propagate_noisy`, counted as SYNOP); binary spikes keep their own path (:func:`_send`).

Every sample starts from the initial state (``initial_u`` per slot, ``initial_v``, ``initial_hold``).

Dynamic noise (``hwsim.noise.dynamic``; draws from ``counter_rng``, keyed by (kind seed, global
sample, step, index), so independent of batching and threads): current / membrane noise is added
inside the u / v sums (``kernels/lif.py``) at every update; a packet (one spike to one destination
group) may be dropped or arrive late in step 1; at the end of every step, state bit flips invert bits of
the u (slot ``s``: register ``2 s``) and v (neuron ``i``: register ``2 i + 1``) registers (integer datapath).

Counters (columns of ``actions``) are kept per group: SYNOP (MAC for current inputs) and MEM_READ on the
segment's group, SPIKE, PACKET and HOP_X/HOP_Y on the source's group, NEURON_ACTIVE / NEURON_IDLE on the
neuron's group.
"""
import numpy as np
from numba import njit, prange, types
from numba.extending import overload

from ._config import JIT
from .actions import HOP_X, HOP_Y, MAC, MEM_READ, N_ACTIONS, PACKET, SPIKE, SYNOP
from .counter_rng import bits_at, key_of, uniform_at
from .neurons import sends_payload, update_slice
from .poisson import CDF_TERMS, draw_block, draw_scratch, poisson_count
from .partition import counts_spikes, own_channels, own_range, own_segments

_OVERLOAD = {k: v for k, v in JIT.items() if k != "cache"}


@njit(**JIT)
def _count_spike(src, times, src_group, src_packets, src_hops_x, src_hops_y, step):
    """Count ``times`` spikes of ``src``: SPIKE, and the PACKETs and mesh hops they send, on the source's group."""
    g = src_group[src]
    step[g, SPIKE] += times
    step[g, PACKET] += src_packets[src] * times
    step[g, HOP_X] += src_hops_x[src] * times
    step[g, HOP_Y] += src_hops_y[src] * times


@njit(inline="always", **JIT)
def _propagate(src, times, t, slot_mask, src_seg_ptr, seg_syn_ptr, seg_group, seg_mem_words, seg_delay, seg_port0,
               syn_port, syn_weight, syn_delay, src_group, src_packets, src_hops_x, src_hops_y, part, ring, step):
    """Send ``times`` spikes of source ``src`` emitted at step ``t`` into the ring; count them in ``step``.

    The ring has a power-of-two number of slots (``slot_mask + 1 > max_delay``), so the slot of step
    ``t + delay`` is ``(t + delay) & slot_mask``; only delay-0 synapses write slot ``t & slot_mask`` at
    step ``t``, and their targets update later in the step (``update_slices``). Inlined into the event loop:
    a call per spike, passing its 18 arguments, took about a third of a sparse network's run. With ``part``
    (one thread's share, ``kernels/partition.py``) of ports, only the segments into its groups are walked and only
    their synapses into its ports added and counted, a segment's MEM_READ by the part holding its first synapse;
    None or a source part: all of them.

    ``times`` spikes (a Poisson channel's count; 1, a constant the compiler folds, for a neuron's spike) make
    one pass: on an integer ring each synapse adds ``times * weight`` once, on a float ring its weight
    ``times`` times in turn. A port lies in one segment of a source, so every port receives the same adds
    in the same order as from ``times`` single sends.

    The ring and the synapse arrays are indexed in place, never sliced: a slice is an array object whose
    reference counting cost about 40 ns per segment (W5's one-synapse Poisson segments ran 3.4 times slower).
    """
    # every part adds, the parts that do not count spikes add 0: as a branch, the count made W5's Poisson feed
    # with one thread's part 5.6 times slower (the feed loop alone, measured apart from the kernel)
    _count_spike(src, times * np.int64(counts_spikes(part)), src_group, src_packets, src_hops_x, src_hops_y, step)
    repeats, factor = _repeats_factor(ring, times)
    seg_first, seg_last = own_segments(part, src_seg_ptr[src], src_seg_ptr[src + 1], seg_group)
    for k in range(seg_first, seg_last):
        g = seg_group[k]
        first, last = own_range(part, g, seg_syn_ptr[k], seg_syn_ptr[k + 1], syn_port)
        if first == last:
            continue
        step[g, SYNOP] += (last - first) * times
        if first == seg_syn_ptr[k]:
            step[g, MEM_READ] += seg_mem_words[k] * times
        for _repeat in range(repeats):   # unsigned indices: no negative-index wraparound per synapse
            if seg_delay[k] >= 0:   # one delay for the whole segment: one ring row
                r = np.uint64((t + seg_delay[k]) & slot_mask)
                if seg_port0[k] >= 0:   # consecutive ports: a vectorised run
                    offset = np.uint64(seg_port0[k] - seg_syn_ptr[k])   # wraps: offset + j is the port
                    for j in range(np.uint64(first), np.uint64(last)):
                        ring[r, offset + j] += syn_weight[j] * factor
                else:
                    for j in range(np.uint64(first), np.uint64(last)):
                        ring[r, syn_port[j]] += syn_weight[j] * factor
            else:
                for j in range(np.uint64(first), np.uint64(last)):
                    ring[np.uint64((t + syn_delay[j]) & slot_mask), syn_port[j]] += syn_weight[j] * factor


def _repeats_factor(ring, times):
    """How :func:`_propagate` adds ``times`` spikes: ``(repeats, factor)``, each synapse adding ``factor *
    weight`` in each of ``repeats`` passes; ``(1, times)`` on an integer ring (wrapping sums: the same result),
    ``(times, 1)`` on a float ring (the rounding of ``times`` adds in turn)."""


@overload(_repeats_factor, jit_options=_OVERLOAD, inline="always")
def _select_repeats_factor(ring, times):
    """Compile-time choice from the ring's dtype."""
    if isinstance(ring.dtype, types.Float):
        return lambda ring, times: (times, 1)
    return lambda ring, times: (1, times)


@njit(**JIT)
def _propagate_noisy(src, t, value, action, slot_mask, src_seg_ptr, seg_syn_ptr, seg_group, seg_mem_words,
                     seg_delay, syn_port, syn_weight, syn_delay, src_group, src_packets, src_hops_x, src_hops_y,
                     n_groups, drop_key, drop_probability, jitter_key, jitter_probability, jitter_max_steps, part,
                     ring, step):
    """Send ``value`` of source ``src`` at step ``t`` synapse by synapse: every synapse adds ``weight * value``
    (1 for a spike, the payload of a graded spike) and is counted as ``action`` (SYNOP for a spike, MAC for
    a current input's multiply-accumulate), with packet noise when its probabilities are above 0 (the ring
    then has ``> max_delay + jitter_max_steps`` slots).

    A packet is one spike to one destination group, ``n = src * n_groups + group``: dropped when uniform
    ``n`` of ``drop_key`` is below ``drop_probability`` (its synapses are not read: no SYNOP, no
    MEM_READ); otherwise late by ``1 + bits(2n + 1) % jitter_max_steps`` steps when uniform ``2n`` of
    ``jitter_key`` is below ``jitter_probability``. The spike, packets and hops are counted either way.
    ``part`` as :func:`_propagate` (the draws are keyed by packet, so every part draws the same).
    """
    if counts_spikes(part):
        _count_spike(src, 1, src_group, src_packets, src_hops_x, src_hops_y, step)
    seg_first, seg_last = own_segments(part, src_seg_ptr[src], src_seg_ptr[src + 1], seg_group)
    for k in range(seg_first, seg_last):
        g = seg_group[k]
        first, last = own_range(part, g, seg_syn_ptr[k], seg_syn_ptr[k + 1], syn_port)
        if first == last:
            continue
        late = 0
        packet = src * n_groups + g
        if drop_probability > 0.0 and uniform_at(drop_key, packet) < drop_probability:
            continue
        if jitter_probability > 0.0 and uniform_at(jitter_key, 2 * packet) < jitter_probability:
            late = 1 + np.int64(bits_at(jitter_key, 2 * packet + 1) % np.uint64(jitter_max_steps))
        step[g, action] += last - first
        if first == seg_syn_ptr[k]:
            step[g, MEM_READ] += seg_mem_words[k]
        if seg_delay[k] >= 0:   # one delay for the whole segment (``syn_delay`` may be empty)
            row = ring[(t + seg_delay[k] + late) & slot_mask]
            for j in range(first, last):
                row[syn_port[j]] += syn_weight[j] * value
        else:
            for j in range(first, last):
                ring[(t + syn_delay[j] + late) & slot_mask, syn_port[j]] += syn_weight[j] * value


@njit(inline="always", **JIT)
def _send(src, times, t, noisy, slot_mask, src_seg_ptr, seg_syn_ptr, seg_group, seg_mem_words, seg_delay,
          seg_port0, syn_port, syn_weight, syn_delay, src_group, src_packets, src_hops_x, src_hops_y, n_groups,
          drop_key, drop_probability, jitter_key, jitter_probability, jitter_max_steps, part, ring, step):
    """``times`` spikes of source ``src`` at step ``t``: one :func:`_propagate_noisy` each when packet noise is on,
    else one :func:`_propagate` (``part``: one thread's share, or None)."""
    if noisy:
        for _spike in range(times):
            _propagate_noisy(src, t, 1, SYNOP, slot_mask, src_seg_ptr, seg_syn_ptr, seg_group, seg_mem_words,
                             seg_delay, syn_port, syn_weight, syn_delay, src_group, src_packets, src_hops_x,
                             src_hops_y, n_groups, drop_key, drop_probability, jitter_key, jitter_probability,
                             jitter_max_steps, part, ring, step)
    else:
        _propagate(src, times, t, slot_mask, src_seg_ptr, seg_syn_ptr, seg_group, seg_mem_words, seg_delay, seg_port0,
                   syn_port, syn_weight, syn_delay, src_group, src_packets, src_hops_x, src_hops_y, part, ring, step)


@njit(inline="always", **JIT)
def _feed_channels(s, t, input_spikes, input_values, channels, noisy, slot_mask, src_seg_ptr, seg_syn_ptr,
                   seg_group, seg_mem_words, seg_delay, seg_port0, syn_port, syn_weight, syn_delay, src_group,
                   src_packets, src_hops_x, src_hops_y, n_groups, drop_key, drop_probability, jitter_key,
                   jitter_probability, jitter_max_steps, part, ring, step):
    """:func:`_feed_inputs` with ``noisy`` a constant (``_feed_inputs`` passes it as a literal)."""
    input_scaled, input_column, poisson_mean, poisson_cdf, poisson_start, poisson_stop, draws, key_sources = channels
    n_channels = input_column.shape[0]
    block = draws.shape[0] if draws.shape[0] > 0 else max(n_channels, 1)
    for lo in range(0, n_channels, block):   # a block of channels: drawn together, then sent one by one
        hi = min(lo + block, n_channels)
        if draws.shape[0] > 0:
            draw_block(t, lo, hi - lo, key_sources, poisson_cdf, poisson_start, poisson_stop, draws)
        start, stop, stride = own_channels(part, lo, hi)
        for ch in range(start, stop, stride):
            col = input_column[ch]
            n_spikes = 1
            if col < 0:
                n_spikes = draws[ch - lo]
                if n_spikes == 0:
                    continue
                if n_spikes == CDF_TERMS:   # past the kept terms: the search goes on
                    n_spikes = poisson_count(uniform_at(key_sources, ch), poisson_mean[ch], poisson_cdf, ch)
            elif input_spikes[s, t, col] == 0:
                continue
            elif input_values is not None:
                if input_scaled[ch]:   # a current: weight * value, counted as MAC
                    _propagate_noisy(ch, t, input_values[s, t, col], MAC, slot_mask, src_seg_ptr, seg_syn_ptr,
                                     seg_group, seg_mem_words, seg_delay, syn_port, syn_weight, syn_delay, src_group,
                                     src_packets, src_hops_x, src_hops_y, n_groups, drop_key, drop_probability,
                                     jitter_key, jitter_probability, jitter_max_steps, part, ring, step)
                    continue
            _send(ch, n_spikes, t, noisy, slot_mask, src_seg_ptr, seg_syn_ptr, seg_group, seg_mem_words, seg_delay,
                  seg_port0, syn_port, syn_weight, syn_delay, src_group, src_packets, src_hops_x, src_hops_y,
                  n_groups, drop_key, drop_probability, jitter_key, jitter_probability, jitter_max_steps, part, ring,
                  step)


@njit(inline="always", **JIT)
def _feed_inputs(s, t, input_spikes, input_values, channels, noisy, slot_mask, src_seg_ptr, seg_syn_ptr, seg_group,
                 seg_mem_words, seg_delay, seg_port0, syn_port, syn_weight, syn_delay, src_group, src_packets,
                 src_hops_x, src_hops_y, n_groups, drop_key, drop_probability, jitter_key, jitter_probability,
                 jitter_max_steps, part, ring, step):
    """Send the input channels active at step ``t`` of sample ``s``, in channel order. ``channels`` is
    ``(input_scaled, input_column, poisson_mean, poisson_cdf, poisson_start, poisson_stop, draws, key_sources)``
    (one tuple: a call of more than 30 arguments cannot be inlined; ``draws``: int64 scratch for the counts of
    :data:`~kernels.poisson.DRAW_BLOCK` channels, empty when no channel is a Poisson channel). Channel ``ch`` is
    column ``input_column[ch]`` of ``input_spikes`` / ``input_values``, or, where that is -1, a Poisson channel
    that sends the count ``kernels/poisson.py`` draws under ``key_sources`` as that many spikes (:func:`_send`).
    A column active at ``t`` (``input_spikes[s, t, col] != 0``) sends a spike, or, for a current channel
    (``input_scaled[ch]``), its value ``input_values[s, t, col]`` (:func:`_propagate_noisy`, counted as MAC).
    With ``input_values`` None (spike inputs only) the current path is pruned at compile time. ``part``: one
    thread's share, or None.

    The loop is compiled twice, with ``noisy`` a constant True and False: with the noisy branch (a call)
    inside it, the loop without packet noise spent 4.5 times as long per Poisson channel (W5's background, the
    feed loop alone, measured apart from the kernel)."""
    if noisy:
        _feed_channels(s, t, input_spikes, input_values, channels, True, slot_mask, src_seg_ptr, seg_syn_ptr,
                       seg_group, seg_mem_words, seg_delay, seg_port0, syn_port, syn_weight, syn_delay, src_group,
                       src_packets, src_hops_x, src_hops_y, n_groups, drop_key, drop_probability, jitter_key,
                       jitter_probability, jitter_max_steps, part, ring, step)
    else:
        _feed_channels(s, t, input_spikes, input_values, channels, False, slot_mask, src_seg_ptr, seg_syn_ptr,
                       seg_group, seg_mem_words, seg_delay, seg_port0, syn_port, syn_weight, syn_delay, src_group,
                       src_packets, src_hops_x, src_hops_y, n_groups, drop_key, drop_probability, jitter_key,
                       jitter_probability, jitter_max_steps, part, ring, step)


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


def _flip_state(key, rate, state_bits, state_u, state_v):
    """Soft errors at the end of a step: on integer chips, bit ``b`` of slot ``s``'s u register (neuron
    ``i``'s v register) flips when uniform ``(2 s) * 64 + b`` (``(2 i + 1) * 64 + b``) of ``key`` is below
    ``rate``; the float datapath has no registers to flip (the noise builder refuses it)."""


def _flip_state_integer(key, rate, state_bits, state_u, state_v):
    for s in range(state_u.shape[0]):
        state_u[s] = _flip_bits(state_u[s], key, 2 * s, rate, state_bits)
    for i in range(state_v.shape[0]):
        state_v[i] = _flip_bits(state_v[i], key, 2 * i + 1, rate, state_bits)


def _flip_state_float(key, rate, state_bits, state_u, state_v):
    return


@overload(_flip_state, jit_options=_OVERLOAD)
def _select_flip(key, rate, state_bits, state_u, state_v):
    """Compile-time choice from the state's dtype: a float64 state has no registers to flip."""
    if isinstance(state_v.dtype, types.Float):
        return _flip_state_float
    return _flip_state_integer


@njit(inline="always", **JIT)
def send_spikes(spiked, n_in, t, graded_spikes, payload, noisy, slot_mask, src_seg_ptr, seg_syn_ptr, seg_group,
                seg_mem_words, seg_delay, seg_port0, syn_port, syn_weight, syn_delay, src_group, src_packets,
                src_hops_x, src_hops_y, n_groups, drop_key, drop_probability, jitter_key, jitter_probability,
                jitter_max_steps, part, ring, step):
    """Send the spikes of the neurons ``spiked`` (in order) of one slice at step ``t``: binary spikes with
    :func:`_send`, graded ones (``graded_spikes``) with their ``payload`` (:func:`_propagate_noisy`);
    ``part``: one thread's share, or None. Plain spikes without packet noise have a loop of their own, with no
    call inside it (see :func:`_feed_inputs`)."""
    if not graded_spikes and not noisy:
        for i in spiked:
            _propagate(n_in + i, 1, t, slot_mask, src_seg_ptr, seg_syn_ptr, seg_group, seg_mem_words, seg_delay,
                       seg_port0, syn_port, syn_weight, syn_delay, src_group, src_packets, src_hops_x, src_hops_y,
                       part, ring, step)
        return
    for i in spiked:
        if graded_spikes:
            _propagate_noisy(n_in + i, t, payload[i], SYNOP, slot_mask, src_seg_ptr, seg_syn_ptr, seg_group,
                             seg_mem_words, seg_delay, syn_port, syn_weight, syn_delay, src_group, src_packets,
                             src_hops_x, src_hops_y, n_groups, drop_key, drop_probability, jitter_key,
                             jitter_probability, jitter_max_steps, part, ring, step)
        else:
            _send(n_in + i, 1, t, noisy, slot_mask, src_seg_ptr, seg_syn_ptr, seg_group, seg_mem_words, seg_delay,
                  seg_port0, syn_port, syn_weight, syn_delay, src_group, src_packets, src_hops_x, src_hops_y,
                  n_groups, drop_key, drop_probability, jitter_key, jitter_probability, jitter_max_steps, part, ring,
                  step)


@njit(inline="always", **JIT)
def record_membrane(s, t, v, out_v_trace):
    """Copy the membranes after step ``t`` of sample ``s`` into ``out_v_trace[s, t]`` when the trace is recorded
    (its step axis not empty)."""
    if out_v_trace.shape[1] > 0:
        out_v_trace[s, t, :] = v


@njit(**JIT)
def record_spikes(s, t, spiked, graded_spikes, payload, out_spike_count, out_first_spike, out_raster, out_payload):
    """Note the spikes of the neurons ``spiked`` at step ``t`` of sample ``s``: their counts, first steps, and
    raster entries and graded payloads when those are recorded (their step axis not empty)."""
    for i in spiked:
        out_spike_count[s, i] += 1
        if out_first_spike[s, i] < 0:
            out_first_spike[s, i] = t
        if out_raster.shape[1] > 0:
            out_raster[s, t, i] = 1
        if graded_spikes and out_payload.shape[1] > 0:
            out_payload[s, t, i] = payload[i]


@njit(**JIT)
def ring_mask(max_delay, jitter_probability, jitter_max_steps):
    """The ring buffer's slot mask: its number of slots (a power of two > ``max_delay`` + the largest
    lateness of a jittered packet) minus 1."""
    n_slots = 1
    while n_slots <= max_delay + (jitter_max_steps if jitter_probability > 0.0 else 0):
        n_slots *= 2
    return n_slots - 1


@njit(**JIT)
def start_sample(s, ring, state_hold, initial_u, initial_v, initial_hold, out_counts, out_spike_count,
                 out_first_spike, out_u, out_v, out_graded):
    """Set sample ``s`` to the initial state: an empty ring, initial u / v / hold, zero counts and spikes."""
    ring[:] = 0
    state_hold[:] = initial_hold
    out_counts[s] = 0
    out_spike_count[s] = 0
    out_first_spike[s] = -1
    out_u[s] = initial_u
    out_v[s] = initial_v
    out_graded[s] = 0


@njit(**JIT)
def clear_records(s, t, out_raster, out_payload):
    """Clear the raster and payload rows of step ``t`` of sample ``s`` where they are recorded."""
    if out_raster.shape[1] > 0:
        out_raster[s, t] = 0
    if out_payload.shape[1] > 0:
        out_payload[s, t] = 0


@njit(**JIT)
def _flush(step, out_sample, out_step):
    """Add one step's counters to the sample's and the step's totals, then clear them."""
    for g in range(step.shape[0]):
        for a in range(step.shape[1]):
            out_sample[g, a] += step[g, a]
            out_step[g, a] += step[g, a]
            step[g, a] = 0


@njit(parallel=True, **JIT)
def run_spiking(input_spikes, input_values, input_scaled, sources, source_seed, n_neurons, n_groups, max_delay,
                ring_like, src_seg_ptr, seg_syn_ptr, seg_group, seg_mem_words, seg_delay, seg_port0, syn_port,
                syn_weight, syn_delay, port_shift, slot_port_ptr, one_port, src_group, src_packets, src_hops_x,
                src_hops_y,
                update_slices, uniform_slices, active_slices, syn_factor, mem_factor, v_th, bias, bias_syn, v_reset,
                refractory_steps, has_threshold, reset_mode, initial_u, initial_v, initial_hold, decay_bits, rounding,
                input_shift, state_bits, syn_overflow, mem_overflow, first_sample, noise_seeds, u_noise_sd, v_noise_sd,
                drop_probability, jitter_probability, jitter_max_steps, flip_rate, payload_shift, sigma_delta_mode,
                chunk_bounds, out_counts, out_step_counts, out_spike_count, out_first_spike, out_u, out_v, out_graded,
                out_raster, out_payload, out_v_trace):
    """Run a batch of samples through a spiking network, chunks of samples in parallel.

    One event loop for both datapaths: integer (the neuron parameters and ``out_u``/``out_v`` int64,
    ``syn_weight`` int8 to int64) or float (all of them float64); the neuron models pick their arithmetic
    from the dtype.

    Parameters
    ----------
    input_spikes : ndarray uint8 ``(n_samples, T, n_columns)``
        1 where the input channel of column c is active at step t (a spike, or a nonzero current); one
        column per input channel that is not a Poisson channel.
    input_values : ndarray float64 ``(n_samples, T, n_columns)`` or None
        The value of every channel at every step (float datapath with current inputs); None: spikes only.
    input_scaled : ndarray uint8 ``(n_inputs,)``
        1 for a current channel (its synapses add ``weight * value``).
    sources : tuple
        ``(input_column, poisson_mean, poisson_cdf, poisson_start, poisson_stop)``, per input channel: int64
        column of ``input_spikes`` (-1: a Poisson channel), float64 mean count per step and first cumulative
        probabilities (``kernels/poisson.py``'s ``cdf_terms``, ``(CDF_TERMS + 1, n_inputs)``),
        int64 first step and step after the last at which a Poisson channel draws (``kernels/poisson.py``).
    source_seed : uint64
        Seed of the Poisson channels' draws, keyed by (seed, global sample, step, channel).
    n_neurons, n_groups, max_delay : int
        Sizes (see ``hwsim.lowering.SpikingArrays`` for these and every array below).
    ring_like : ndarray ``(0,)``
        Its dtype is the ring's: the state's, or int32 where every port's sum is bounded within it
        (``hwsim.ring_dtype``).
    src_seg_ptr, seg_syn_ptr, seg_group, seg_mem_words, seg_delay : ndarray int64
        Segments of each source, synapses of each segment, and the delay they share (-1: mixed).
    seg_port0 : ndarray int64
        A segment's first port when its ports are consecutive (-1: not): with one delay it is added
        to the ring as one contiguous, vectorised run instead of port by port.
    syn_port : ndarray uint16, uint32 or int64 ``(n_syn,)``
        Target port of each synapse.
    syn_weight : ndarray int8, int16, int32, int64 or float64 ``(n_syn,)``
        Synaptic weights [state units] (accumulated in the ring at ``ring_like``'s dtype).
    syn_delay : ndarray uint8, uint16 or uint32 ``(n_syn,)`` or ``(0,)``
        Synapse delays [step], read only in segments of mixed delays (empty when there are none).
    port_shift, slot_port_ptr : ndarray int64
        Ports' shifts; ports of each receptor slot.
    one_port : bool
        True when ``slot_port_ptr`` is ``0, 1, ..., n_slots`` (every slot has one port, port ``s``): the
        neuron update then reads the ring slot itself.
    src_group, src_packets, src_hops_x, src_hops_y : ndarray int64
        Counter groups and per-spike routing costs [count].
    update_slices : ndarray int64 ``(n_slices, 7)``
        ``[first, last, group, slot0, n_receptors, stride, model]`` neuron slices in update order (a
        population on one core): neurons, counter group, receptor slots (receptor k of neuron
        ``first + j`` is slot ``slot0 + k * stride + j``) and kernel neuron model (``kernels/neurons.py``).
        The spikes of one slice are propagated before the next slice updates (delay-0 synapses land in the
        current slot).
    uniform_slices, active_slices : ndarray uint8 ``(n_slices,)``
        1 where a slice is uniform (``kernels/lif.py``) / where every neuron of a uniform slice counts as
        active at every update.
    syn_factor, bias_syn : ndarray int64 or float64 ``(n_slots,)``
        Receptor parameters [state units].
    mem_factor, v_th, bias, v_reset : ndarray int64 or float64 ``(n_neurons,)``
        Neuron parameters [state units].
    refractory_steps : ndarray int64 ``(n_neurons,)``
        Refractory period [steps].
    has_threshold, reset_mode : ndarray uint8 ``(n_neurons,)``
        Neuron flags (reset_mode: ``kernels/resets.py``).
    initial_u, initial_v, initial_hold : ndarray ``(n_slots,)``, ``(n_neurons,)``, int64 ``(n_neurons,)``
        State at the start of every sample (hold: twice the refractory steps left).
    decay_bits, rounding, input_shift, state_bits, syn_overflow, mem_overflow : int
        Integer datapath scalars (unused by the float datapath).
    first_sample : int
        Index of sample 0 of this batch in the noise streams (draws are keyed by the global sample).
    noise_seeds : ndarray uint64 ``(5,)``
        Seeds of current noise, membrane noise, spike drop, spike jitter and state bit flips
        (``hwsim.dynamic_noise.DynamicNoise``); each draw is ``counter_rng`` of (seed, sample, step, index).
    u_noise_sd, v_noise_sd : ndarray float64 ``(n_neurons,)`` or None
        Standard deviation of the per-step current / membrane noise [state units]; both None: none (a
        separate compilation in which the noise terms vanish). ``hwsim.simulate`` passes both or neither, an
        absent kind as zeros, so that any noise is one compilation.
    drop_probability, jitter_probability : float
        Per-packet probability of being dropped / delivered late.
    jitter_max_steps : int
        Largest lateness [steps] (>= 1 when jitter is on).
    flip_rate : float
        Probability per state bit per step of a flip (integer datapath only).
    payload_shift : ndarray int64 ``(n_neurons,)``
        Sigma-delta neurons: right shift from the state to the payload (Lava's ``state_exp``; 0 elsewhere).
    sigma_delta_mode : ndarray uint8 ``(n_neurons,)``
        Sigma-delta neurons: ``kernels/sigma_delta.py``'s RELU | CUM_ERROR flags.
    chunk_bounds : ndarray int64 ``(n_chunks + 1,)``
        Chunk c runs samples ``chunk_bounds[c] .. chunk_bounds[c+1]-1`` one after another.
    out_counts : ndarray int64 ``(n_samples, n_groups, N_ACTIONS)``
        Filled with the actions of each sample per group [count].
    out_step_counts : ndarray int64 ``(n_chunks, T, n_groups, N_ACTIONS)``
        Filled with the actions per step, summed over the samples of each chunk [count].
    out_spike_count, out_first_spike : ndarray int64 ``(n_samples, n_neurons)``
        Filled with spikes per neuron [count] and the step of the first one (-1: none) [step].
    out_u, out_v : ndarray ``(n_samples, n_slots)``, ``(n_samples, n_neurons)``, dtype of the parameters
        Filled with the synaptic currents and membranes after the last step [state units].
    out_graded : ndarray ``(n_samples, 2, n_neurons)`` or ``(n_samples, 2, 0)``, dtype of the parameters
        Filled with the sigma-delta neurons' residue (row 0) and error (row 1) after the last step; empty
        when the network has no sigma-delta neurons.
    out_raster : ndarray uint8 ``(n_samples, T, n_neurons)`` or ``(n_samples, 0, n_neurons)``
        Filled with the spikes of every step, unless its second axis is empty.
    out_payload : ndarray ``(n_samples, T, n_neurons)`` or ``(n_samples, 0, 0)``, dtype of the parameters
        Filled with the payload of every graded spike (0 where none), unless its second axis is empty.
    out_v_trace : ndarray ``(n_samples, T, n_neurons)`` or ``(n_samples, 0, n_neurons)``, as ``out_v``
        Filled with every neuron's membrane after each step (after soft errors), unless its second axis is empty.
    """
    n_steps = input_spikes.shape[1]
    slot_mask = ring_mask(max_delay, jitter_probability, jitter_max_steps)
    noisy = drop_probability > 0.0 or jitter_probability > 0.0
    params = (syn_factor, mem_factor, v_th, bias, bias_syn, v_reset, refractory_steps, has_threshold, reset_mode)
    arith = (decay_bits, rounding, input_shift, state_bits, syn_overflow, mem_overflow)
    input_column, poisson_mean, poisson_cdf, poisson_start, poisson_stop = sources
    for c in prange(chunk_bounds.shape[0] - 1):
        ring = np.zeros((slot_mask + 1, port_shift.shape[0]), dtype=ring_like.dtype)
        hold = np.empty(n_neurons, dtype=np.int64)   # 2 * refractory steps left + delayed-reset flag
        spiked = np.empty(n_neurons, dtype=np.int64)
        x = np.zeros(max(initial_u.shape[0], 1), dtype=out_u.dtype)   # the summed inputs of one slice's slots
        zero_shift = np.zeros(x.shape[0], dtype=np.int64)   # the shifts of sums already shifted
        fired = np.zeros((n_neurons + 7) // 8 * 8, dtype=np.uint8)   # spike flags of the uniform update
        payload = np.zeros(n_neurons, dtype=out_u.dtype)   # the payloads of graded spikes
        step = np.zeros((n_groups, N_ACTIONS), dtype=np.int64)
        draws = draw_scratch(input_column, 1)[0]   # the Poisson channels' counts, a block at a time
        scratch = (x, zero_shift, fired)
        out_step_counts[c] = 0
        for s in range(chunk_bounds[c], chunk_bounds[c + 1]):
            start_sample(s, ring, hold, initial_u, initial_v, initial_hold, out_counts, out_spike_count,
                         out_first_spike, out_u, out_v, out_graded)
            u = out_u[s]
            v = out_v[s]
            state = (u, v, hold)
            graded = (payload_shift, sigma_delta_mode, out_graded[s, 0], out_graded[s, 1], payload)
            sample = first_sample + s
            for t in range(n_steps):
                slot = t & slot_mask
                key_u = key_of(noise_seeds[0], sample, t)
                key_v = key_of(noise_seeds[1], sample, t)
                key_drop = key_of(noise_seeds[2], sample, t)
                key_jitter = key_of(noise_seeds[3], sample, t)
                noise = (u_noise_sd, v_noise_sd, key_u, key_v)
                channels = (input_scaled, input_column, poisson_mean, poisson_cdf, poisson_start, poisson_stop,
                            draws, key_of(source_seed, sample, t))
                _feed_inputs(s, t, input_spikes, input_values, channels, noisy, slot_mask, src_seg_ptr,
                             seg_syn_ptr, seg_group, seg_mem_words, seg_delay, seg_port0, syn_port, syn_weight,
                             syn_delay, src_group, src_packets, src_hops_x, src_hops_y, n_groups, key_drop,
                             drop_probability, key_jitter, jitter_probability, jitter_max_steps, None, ring, step)
                clear_records(s, t, out_raster, out_payload)
                n_in = sources[0].shape[0]
                for r in range(update_slices.shape[0]):
                    n_spiked = update_slice(
                        update_slices[r, 6], update_slices[r, 0], update_slices[r, 1], update_slices[r, 2],
                        update_slices[r, 3], update_slices[r, 4], update_slices[r, 5], uniform_slices[r] != 0,
                        active_slices[r] != 0, one_port, slot, ring, port_shift, slot_port_ptr, params, arith,
                        noise, graded, state, scratch, step, spiked)
                    graded_spikes = sends_payload(update_slices[r, 6])
                    record_spikes(s, t, spiked[:n_spiked], graded_spikes, payload, out_spike_count, out_first_spike,
                                  out_raster, out_payload)
                    send_spikes(spiked[:n_spiked], n_in, t, graded_spikes, payload, noisy, slot_mask, src_seg_ptr,
                                seg_syn_ptr, seg_group, seg_mem_words, seg_delay, seg_port0, syn_port, syn_weight,
                                syn_delay, src_group, src_packets, src_hops_x, src_hops_y, n_groups, key_drop,
                                drop_probability, key_jitter, jitter_probability, jitter_max_steps, None, ring, step)
                if flip_rate > 0.0:
                    _flip_state(key_of(noise_seeds[4], sample, t), flip_rate, state_bits, u, v)
                record_membrane(s, t, v, out_v_trace)
                _flush(step, out_counts[s], out_step_counts[c, t])
