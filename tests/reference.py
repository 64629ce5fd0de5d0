"""Plain-numpy reference simulators, written from the semantics and sharing no code with
``hwsim.lowering`` or ``hwsim.kernels``.

The spiking reference keeps the network layer-structured: one dense weight matrix
per (projection, delay). When a source spikes at step t, its column of ``W[p, d]`` is pushed
into an arrival buffer ``arrive[p][t + d (+ lateness), d]``, one destination group at a time
(a packet: dynamic noise may drop it or make it late); the input of projection p at step t is
``sum_d shift_p(arrive[p][t, d])`` (the shift applies to what arrives in one step per delay, as
Lava's DelayDense). It loops over steps and, within a step, over populations in the network's
update order, so delay-0 input reaches populations updated later in the same step; it is
vectorised over the neurons of a population, whose model's update is a function of its own
(:data:`REFERENCE_MODELS`, beside the kernel's ``kernels/neurons.py``). A float network
(``qnet.is_float``) runs the IR equations in float64 with no shifts or overflow. Counters come back by
action name.

Dynamic noise draws are recomputed here from their definition (``kernels/counter_rng.py``'s
docstring): SplitMix64 keyed by (seed, sample, step, index), vectorised over uint64 arrays, and
Box-Muller through Python's ``math`` (the C library's log and cos, as the compiled kernel). So are the
Poisson inputs' counts (``docs/sources.md``): uniform ``channel`` of the run seed's stream
(``SeedSequence(seed, spawn_key=(200,))``), inverted through the Poisson distribution function summed term
by term from ``math.exp(-mean)``, at most 255; a count of k is k spikes of the channel, one after another.
"""
import math

import numpy as np


def _splitmix(z):
    """SplitMix64 finaliser on a uint64 array (wrapping arithmetic)."""
    z = np.asarray(z, dtype=np.uint64) + np.uint64(0x9E3779B97F4A7C15)
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


def _draws(seed, sample, step, index):
    """64-bit draws of ``index`` (array) for (seed, sample, step)."""
    key = _splitmix(_splitmix(_splitmix(np.array([seed], dtype=np.uint64)) ^ np.uint64(sample)) ^ np.uint64(step))
    return _splitmix(key ^ np.asarray(index, dtype=np.uint64))


def _uniforms(seed, sample, step, index):
    return (_draws(seed, sample, step, index) >> np.uint64(11)).astype(np.float64) / 2.0 ** 53


def _normals(seed, sample, step, index):
    index = np.asarray(index, dtype=np.uint64)
    a = (_draws(seed, sample, step, 2 * index) >> np.uint64(11)).astype(np.float64)
    b = (_draws(seed, sample, step, 2 * index + 1) >> np.uint64(11)).astype(np.float64)
    return np.array([math.sqrt(-2.0 * math.log((x + 1.0) / 2.0 ** 53)) * math.cos(2.0 * math.pi * (y / 2.0 ** 53))
                     for x, y in zip(a.tolist(), b.tolist())])


def _shift(x, shift):
    """``x << shift`` if ``shift >= 0`` else floor ``x >> -shift``."""
    return x << shift if shift >= 0 else x >> -shift


def _decay(x, factor, decay_bits, rounding):
    if rounding == 0:  # toward zero
        return np.sign(x) * ((np.abs(x) * factor) >> decay_bits)
    return (x * factor) >> decay_bits


def _overflow(x, bits, mode):
    half = 2 ** (bits - 1)
    if mode == 0:  # one wrap-around correction, as Lava
        return np.where(x > half, x - 2 * half, np.where(x <= -half, x + 2 * half, x))
    return np.clip(x, -(half - 1), half - 1)


def _per_neuron(qnet, name, dtype=np.int64):
    return np.concatenate([np.broadcast_to(np.asarray(0 if getattr(p, name, None) is None else getattr(p, name),
                                                      dtype=dtype), (p.size,))
                           for p in qnet.populations])


def _receptor_rows(pop, name, dtype):
    """A population's receptor field as ``(n_receptors, size)`` (None: zeros)."""
    value = getattr(pop, name, None)
    n_receptors = np.asarray(pop.syn_factor).reshape(-1, pop.size).shape[0]
    if value is None:
        return np.zeros((n_receptors, pop.size), dtype=dtype)
    return np.asarray(value, dtype=dtype).reshape(n_receptors, pop.size)


def _routing_tables(qnet, placement, bits_per_synapse, memory_word_bits):
    """Per source: synapses and memory words per destination group, packets and hops per spike."""
    n_src = qnet.n_input_channels + qnet.n_neurons
    n_groups = len(placement.groups)
    syn_per_group = np.zeros((n_src, n_groups), dtype=np.int64)
    dest_cores = [set() for _ in range(n_src)]
    for proj in qnet.projections:
        for pre, post in zip(proj.pre_index.tolist(), proj.post_index.tolist()):
            syn_per_group[pre, placement.neuron_group[post]] += 1
            dest_cores[pre].add(int(placement.neuron_core[post]))
    words = -(-syn_per_group * bits_per_synapse // memory_word_bits)
    packets = np.array([len(cores) for cores in dest_cores], dtype=np.int64)
    hops = np.zeros((n_src, 2), dtype=np.int64)
    for src, cores in enumerate(dest_cores):
        if src < qnet.n_input_channels and (placement.input_core is None or placement.input_core[src] < 0):
            x0, y0 = placement.input_xy
        elif src < qnet.n_input_channels:   # a Poisson source core
            x0, y0 = placement.core_xy[placement.input_core[src]]
        else:
            x0, y0 = placement.core_xy[placement.neuron_core[src - qnet.n_input_channels]]
        for core in cores:
            x1, y1 = placement.core_xy[core]
            hops[src] += (abs(int(x1) - int(x0)), abs(int(y1) - int(y0)))
    return syn_per_group, words, packets, hops


def _group_sum(groups, values, n_groups):
    out = np.zeros(n_groups, dtype=np.int64)
    np.add.at(out, groups, values)
    return out


def _cuba_lif(p, state, x, zu, zv, u_sd, v_sd, ar, is_float):
    """One update of a population of CUBA LIF neurons (IR ``lif``, ``if``, ``li``), vectorised over its
    neurons: ``p`` its parameters (``syn_factor``, ``bias_syn`` per receptor row), ``state`` its ``u``
    (receptors x neurons, updated in place), ``v``, ``refractory`` and ``pending`` (replaced), ``x`` the
    input per receptor (already shifted), ``zu`` / ``zv`` the current / membrane noise draws. Returns
    ``(spike, active)`` masks."""
    u, v, refractory, pending, reset, v_th = (state["u"], state["v"], state["refractory"], state["pending"],
                                              p["reset"], p["v_th"])
    active = ((x != 0) | (u != 0) | (p["bias_syn"] != 0)).any(axis=0) | (v != 0) | (p["bias"] != 0)
    current = np.zeros(v.shape, dtype=v.dtype)
    for k in range(u.shape[0]):                       # each receptor's current; noise on receptor 0
        z = zu if k == 0 else np.zeros(v.shape)
        if is_float:
            u[k] = p["syn_factor"][k] * u[k] + (x[k] + p["bias_syn"][k])
            u[k] = np.where((u_sd > 0) & (k == 0), u[k] + z, u[k])
        else:
            u[k] = _overflow(_decay(u[k], p["syn_factor"][k], ar.decay_bits, ar.rounding) + (x[k] << ar.input_shift)
                             + p["bias_syn"][k] + np.floor(z + 0.5).astype(np.int64), ar.state_bits, ar.syn_overflow)
        current = current + u[k]
    restart = pending & (reset == "value_next")        # value_next: start from v_reset
    v_start = np.where(restart, p["v_reset"], v)
    pending = pending & ~restart
    held = refractory > 0
    refractory = refractory - held
    owed = np.where(pending, v_th, 0)                   # subtract_next: v_th owed since the last spike
    if is_float:
        v_new = p["mem_factor"] * v_start + current + p["bias"]
        v_new = np.where(pending, v_new - owed, v_new)
        v_new = np.where(v_sd > 0, v_new + zv, v_new)
    else:
        v_new = _overflow(_decay(v_start, p["mem_factor"], ar.decay_bits, ar.rounding) + current + p["bias"]
                          - owed + np.floor(zv + 0.5).astype(np.int64), ar.state_bits, ar.mem_overflow)
    pending = pending & held
    raised = (reset == "subtract_raised") & (v_start > v_th)
    v_new = np.where(raised, v_new - v_th, v_new)
    spike = ~held & (p["has_threshold"] != 0) & (v_new > v_th)
    v_spike = np.where(reset == "value", p["v_reset"], np.where(reset == "subtract", v_new - v_th, v_new))
    v_new = np.where(spike, v_spike, v_new)            # the other resets keep v
    moves = (reset == "subtract_raised") & (spike != raised)   # subtract_raised: v1 -+ v_th
    moved = np.where(spike, v_new - v_th, v_new + v_th)
    if not is_float:
        moved = _overflow(moved, ar.state_bits, ar.mem_overflow)
    v_new = np.where(moves, moved, v_new)
    state["pending"] = pending | (spike & np.isin(reset, ("subtract_next", "value_next")))
    state["v"] = np.where(held, v_start, v_new)
    state["refractory"] = np.where(spike, p["refractory_steps"], refractory)
    return spike, active


def _sigma_delta(p, state, x, zu, zv, u_sd, v_sd, ar, is_float):
    """One update of a population of sigma-delta neurons (IR ``sigma_delta``, Lava's ``SigmaDelta`` fixed-point
    model), vectorised: ``state["u"][0]`` is sigma, ``v`` the last activation, ``residue`` and ``error``;
    the payload sent (``s >> payload_shift``, floor; ``s`` on floats) is left in ``state["payload"]``. No
    noise (the simulator refuses it on these neurons). Returns ``(spike, active)`` masks."""
    sigma, act_prev, residue, error = state["u"][0], state["v"], state["residue"], state["error"]
    active = (x[0] != 0) | (sigma != 0) | (act_prev != 0) | (p["bias"] != 0) | (residue != 0) | (error != 0)
    sigma = sigma + x[0]
    act = sigma + p["bias"]
    act = np.where(p["relu"] != 0, np.maximum(act, 0), act)
    delta = act - act_prev + residue
    accumulated = error + delta
    cumulative = p["cum_error"] != 0
    s = np.where(np.abs(np.where(cumulative, accumulated, delta)) >= p["v_th"], delta, 0 * delta)
    state["error"] = np.where(cumulative, np.where(s != 0, 0 * s, accumulated), error)
    state["residue"] = delta - s
    state["u"][0] = sigma
    state["v"] = act
    state["payload"] = s if is_float else np.right_shift(s, p["payload_shift"])
    return state["payload"] != 0, active


#: The reference update of each IR neuron model (the kernel's are listed in ``kernels/neurons.py``).
REFERENCE_MODELS = {"lif": _cuba_lif, "if": _cuba_lif, "li": _cuba_lif, "sigma_delta": _sigma_delta}


def reference_spiking(qnet, placement, input_spikes, bits_per_synapse, memory_word_bits, noise=None,
                      first_sample=0, seed=0):
    """Simulate a QuantizedNetwork on a Placement, one sample after another.

    Parameters
    ----------
    qnet : hwsim.quantize.QuantizedNetwork
    placement : hwsim.mapping.Placement
    input_spikes : ndarray ``(n_samples, T, n_columns)``
        0/1 per spike channel; any real value per current channel (``kind == "current"``); one column per
        input channel that is not a Poisson channel.
    bits_per_synapse, memory_word_bits : int
    noise : hwsim.noise.DynamicNoise, optional
        Dynamic noise (read as data: seeds, standard deviations, probabilities).
    first_sample : int
        Global index of sample 0 in the noise streams.
    seed : int
        The run's seed (Poisson inputs).

    Returns
    -------
    dict
        ``raster (n_samples, T, n_neurons)``, ``spike_count``, ``first_spike``, ``v`` ``(n_samples,
        n_neurons)``, ``u`` ``(n_samples, n_slots)`` (each population's receptor currents, receptor-major,
        populations in order), ``residue`` and ``error`` ``(n_samples, n_neurons)`` (sigma-delta neurons, 0
        elsewhere), ``payload`` ``(n_samples, T, n_neurons)`` (graded spikes' payloads), ``counts``:
        {action name: ``(n_samples, n_groups)``} and ``step_counts``: {action name: ``(T, n_groups)``} summed
        over samples.
    """
    ar = qnet.arithmetic
    is_float = bool(getattr(qnet, "is_float", False))
    value_type = np.float64 if is_float else np.int64
    n_samples, n_steps = input_spikes.shape[:2]
    n_in = qnet.n_input_channels
    poisson = np.concatenate([np.full(i.size, i.kind == "poisson") for i in qnet.inputs] + [np.zeros(0, bool)])
    n_neurons, n_groups = qnet.n_neurons, len(placement.groups)
    weights = []
    for proj in qnet.projections:
        w = np.zeros((int(proj.delay_steps.max(initial=1)) + 1, n_neurons, n_in + n_neurons), dtype=value_type)
        np.add.at(w, (proj.delay_steps, proj.post_index, proj.pre_index), proj.weight)
        weights.append(w)
    current_channel = np.concatenate([np.full(i.size, i.kind == "current") for i in qnet.inputs] + [np.zeros(0, bool)])
    mem_factor, v_th, bias, v_reset = (_per_neuron(qnet, name, value_type)
                                       for name in ("mem_factor", "v_th", "bias", "v_reset"))
    refractory_steps, has_threshold = (_per_neuron(qnet, name) for name in ("refractory_steps", "has_threshold"))
    relu, cum_error, payload_shift = (_per_neuron(qnet, name) for name in ("relu", "cum_error", "payload_shift"))
    graded = np.concatenate([np.zeros(n_in, bool)] + [np.full(p.size, p.model == "sigma_delta")
                                                      for p in qnet.populations])
    reset = np.concatenate([np.full(p.size, p.reset, dtype=object) for p in qnet.populations])
    by_name = {p.name: p for p in qnet.populations}
    order = [by_name[name] for name in getattr(qnet, "update_order", ())] or list(qnet.populations)
    syn_per_group, words, packets, hops = _routing_tables(qnet, placement, bits_per_synapse, memory_word_bits)
    src_group = np.concatenate([placement.input_group, placement.neuron_group])
    neuron_group = np.asarray(placement.neuron_group)
    seeds = [int(x) for x in noise.seeds] if noise is not None else [0] * 5
    u_sd = np.asarray(noise.u_noise_sd) if noise is not None else np.zeros(n_neurons)
    v_sd = np.asarray(noise.v_noise_sd) if noise is not None else np.zeros(n_neurons)
    p_drop = noise.drop_probability if noise is not None else 0.0
    p_late = noise.jitter_probability if noise is not None else 0.0
    max_late = noise.jitter_max_steps if noise is not None and p_late > 0 else 0
    flip_rate = noise.flip_rate if noise is not None else 0.0
    names = ("synop", "neuron_active", "neuron_idle", "spike", "packet", "hop_x", "hop_y", "mac", "mem_read")
    counts = {name: np.zeros((n_samples, n_groups), dtype=np.int64) for name in names}
    step_counts = {name: np.zeros((n_steps, n_groups), dtype=np.int64) for name in names}
    raster = np.zeros((n_samples, n_steps, n_neurons), dtype=np.int64)
    payloads = np.zeros((n_samples, n_steps, n_neurons), dtype=value_type)
    residue_out, error_out = (np.zeros((n_samples, n_neurons), dtype=value_type) for _ in range(2))
    # receptor currents per population: (n_receptors, size), slots = populations in order, receptor-major
    factors = {p.name: _receptor_rows(p, "syn_factor", value_type) for p in qnet.populations}
    biases_syn = {p.name: _receptor_rows(p, "bias_syn", value_type) for p in qnet.populations}
    u_out = np.zeros((n_samples, sum(f.size for f in factors.values())), dtype=value_type)
    v_out = np.zeros((n_samples, n_neurons), dtype=value_type)
    v_trace = np.zeros((n_samples, n_steps, n_neurons), dtype=value_type)   # v after each step
    for s in range(n_samples):
        sample = first_sample + s
        horizon = n_steps + max(w.shape[0] for w in weights) + max_late if weights else n_steps
        arrive = [np.zeros((horizon, w.shape[0], n_neurons), dtype=value_type) for w in weights]
        u = {p.name: _receptor_rows(p, "initial_u", value_type).copy() for p in qnet.populations}
        v = _per_neuron(qnet, "initial_v", value_type).copy()
        refractory = _per_neuron(qnet, "initial_refractory").copy()
        pending = np.zeros(n_neurons, dtype=bool)
        residue, error = (np.zeros(n_neurons, dtype=value_type) for _ in range(2))
        active = np.zeros(n_neurons, dtype=bool)
        for t in range(n_steps):
            step = {name: np.zeros(n_groups, dtype=np.int64) for name in names}

            def emit(sources, values):
                """Push ``values`` (1 for a spike, a graded spike's payload) of ``sources`` (global source numbers)
                sent at step t, packet by packet; a current (real value) counts MAC per synapse where a spike
                counts SYNOP."""
                for j, a in zip(sources, values):
                    g0 = src_group[j]
                    step["spike"][g0] += 1
                    step["packet"][g0] += packets[j]
                    step["hop_x"][g0] += hops[j, 0]
                    step["hop_y"][g0] += hops[j, 1]
                    scaled = j < n_in and current_channel[j]
                    for g in np.flatnonzero(syn_per_group[j]):
                        n = j * n_groups + g
                        if p_drop > 0 and _uniforms(seeds[2], sample, t, [n])[0] < p_drop:
                            continue
                        late = 0
                        if p_late > 0 and _uniforms(seeds[3], sample, t, [2 * n])[0] < p_late:
                            late = 1 + int(_draws(seeds[3], sample, t, [2 * n + 1])[0] % np.uint64(max_late))
                        step["mac" if scaled else "synop"][g] += syn_per_group[j, g]
                        step["mem_read"][g] += words[j, g]
                        in_g = neuron_group == g
                        for w, buf in zip(weights, arrive):
                            for d in range(w.shape[0]):
                                buf[t + d + late, d, in_g] += (w[d, in_g, j] * a if scaled or graded[j]
                                                               else w[d, in_g, j])

            channel_values = np.zeros(n_in, dtype=input_spikes.dtype)
            channel_values[~poisson] = input_spikes[s, t]
            repeats = np.where(poisson, _poisson_counts(qnet, seed, sample, t), channel_values != 0)
            channel_values[poisson] = 1
            sent = np.repeat(np.arange(n_in), repeats)
            emit(sent, channel_values[sent])
            for pop in order:
                n = slice(pop.offset, pop.offset + pop.size)
                idx = np.arange(pop.offset, pop.offset + pop.size)
                f_syn, b_syn, u_pop = factors[pop.name], biases_syn[pop.name], u[pop.name]
                x = np.zeros(u_pop.shape, dtype=value_type)
                for proj, buf in zip(qnet.projections, arrive):
                    if proj.post != pop.name:
                        continue
                    for d in range(buf.shape[1]):
                        x[proj.receptor] += buf[t, d, n] if is_float else _shift(buf[t, d, n], proj.shift)
                zu = _normals(seeds[0], sample, t, idx) * u_sd[n] if u_sd[n].any() else np.zeros(pop.size)
                zv = _normals(seeds[1], sample, t, idx) * v_sd[n] if v_sd[n].any() else np.zeros(pop.size)
                params = {"syn_factor": f_syn, "bias_syn": b_syn, "mem_factor": mem_factor[n], "bias": bias[n],
                          "v_th": v_th[n], "v_reset": v_reset[n], "refractory_steps": refractory_steps[n],
                          "has_threshold": has_threshold[n], "reset": reset[n], "relu": relu[n],
                          "cum_error": cum_error[n], "payload_shift": payload_shift[n]}
                state = {"u": u_pop, "v": v[n], "refractory": refractory[n], "pending": pending[n],
                         "residue": residue[n], "error": error[n]}
                spike, active[n] = REFERENCE_MODELS[pop.model](params, state, x, zu, zv, u_sd[n], v_sd[n], ar,
                                                               is_float)
                v[n], refractory[n], pending[n] = state["v"], state["refractory"], state["pending"]
                residue[n], error[n] = state["residue"], state["error"]
                raster[s, t, n] = spike
                fired = n_in + pop.offset + np.flatnonzero(spike)
                if "payload" in state:
                    payloads[s, t, n] = np.where(spike, state["payload"], 0)
                emit(fired, state["payload"][spike] if "payload" in state else np.ones(fired.size))
            u_flat = np.concatenate([u[p.name].ravel() for p in qnet.populations])
            if flip_rate > 0:
                u_flat, v[:] = _flip_registers(u_flat, v, seeds[4], sample, t, flip_rate, ar.state_bits)
                cursor = 0
                for p in qnet.populations:
                    u[p.name][:] = u_flat[cursor:cursor + u[p.name].size].reshape(u[p.name].shape)
                    cursor += u[p.name].size
            v_trace[s, t] = v
            step["neuron_active"] = _group_sum(neuron_group, active, n_groups)
            step["neuron_idle"] = _group_sum(neuron_group, ~active, n_groups)
            for name in names:
                counts[name][s] += step[name]
                step_counts[name][t] += step[name]
        u_out[s] = np.concatenate([u[p.name].ravel() for p in qnet.populations])
        v_out[s] = v
        residue_out[s], error_out[s] = residue, error
    fired = raster.any(axis=1)
    return {
        "raster": raster,
        "spike_count": raster.sum(axis=1),
        "first_spike": np.where(fired, raster.argmax(axis=1), -1),
        "u": u_out,
        "v": v_out,
        "v_trace": v_trace,
        "residue": residue_out,
        "error": error_out,
        "payload": payloads,
        "counts": counts,
        "step_counts": step_counts,
    }


def _poisson_counts(qnet, seed, sample, step):
    """Counts ``(n_input_channels,)`` of the Poisson channels at ``step`` of ``sample`` (0 elsewhere)."""
    stream = int(np.random.SeedSequence(seed, spawn_key=(200,)).generate_state(1, dtype=np.uint64)[0])
    counts = np.zeros(qnet.n_input_channels, dtype=np.int64)
    for inp in qnet.inputs:
        if inp.kind != "poisson":
            continue
        channels = inp.offset + np.arange(inp.size)
        uniforms = _uniforms(stream, sample, step, channels)
        for j, (u, mean) in enumerate(zip(uniforms.tolist(), inp.mean_per_step.tolist())):
            if not inp.start_step[j] <= step < inp.stop_step[j]:
                continue
            k, term = 0, math.exp(-mean)
            total = term
            while u >= total and k < 255:
                k += 1
                term = term * mean / k
                total += term
            counts[inp.offset + j] = k
    return counts


def _flip_registers(u, v, seed, sample, step, rate, bits):
    """Bit ``b`` of register r (u of slot s: r = 2s, v of neuron i: r = 2i + 1) flips when uniform ``r * 64 + b``
    < rate; registers are ``bits``-bit two's complement (a register no bit of which flips keeps its value)."""
    out = []
    for reg_offset, x in ((0, u), (1, v)):
        r = 2 * np.arange(x.size) + reg_offset
        hit = _uniforms(seed, sample, step, (r[:, None] * 64 + np.arange(bits)[None, :]).ravel()).reshape(-1, bits) \
            < rate
        flips = (hit * (1 << np.arange(bits, dtype=np.int64))).sum(axis=1)   # exact: bits <= 62
        y = (x & ((1 << bits) - 1)) ^ flips
        y = np.where(y >= 1 << (bits - 1), y - (1 << bits), y)
        out.append(np.where(hit.any(axis=1), y, x))
    return out


def _axsum_reference(layer, a):
    """AxSum accumulators of ``layer`` on non-negative inputs ``a (n_samples, n_in)``, neuron by neuron."""
    width = 62                                      # bits of the ones'-complemented negative sum
    out = np.zeros((a.shape[0], layer.weight.shape[0]), dtype=np.int64)
    for i in range(layer.weight.shape[0]):
        for s in range(a.shape[0]):
            bias = int(layer.bias[i])
            pos, neg, negative = max(bias, 0), max(-bias, 0), bias < 0
            for j in range(layer.weight.shape[1]):
                w = int(layer.weight[i, j])
                x = int(a[s, j]) if layer.input_mask is None else int(a[s, j]) & int(layer.input_mask[i, j])
                step = 2 ** int(layer.axsum_truncate_bits[i, j])
                magnitude = (abs(w) * x) // step * step
                if w > 0:
                    pos += magnitude
                elif w < 0:
                    neg += magnitude
                    negative = True
            out[s, i] = pos + (~neg & (2 ** width - 1)) - 2 ** width if negative else pos
    return out


def reference_mlp(qmlp, x_int):
    """Run a QuantizedMLP on ``x_int (n_samples, n_inputs)``; return ``(outputs, counts by name)``.

    ``counts`` maps ``"mac"`` and ``"neuron_active"`` to ``(n_samples, n_layers)`` arrays. A layer's
    ``input_mask`` is applied product by product (``w_ij * (a_j & m_ij)``); a product masked to 0 is no MAC.
    A layer with ``axsum_truncate_bits`` sums as AxSum's published Verilog does: each product magnitude
    floored to a multiple of ``2**t``, positive and negative terms (bias included) summed apart, and the
    negative sum added as ``{1, ~sum_neg}`` (sign bit 1 over its ones' complement).
    """
    a = np.asarray(x_int, dtype=np.int64)
    n_samples = a.shape[0]
    counts = {"mac": np.zeros((n_samples, len(qmlp.layers)), dtype=np.int64),
              "neuron_active": np.zeros((n_samples, len(qmlp.layers)), dtype=np.int64)}
    for k, layer in enumerate(qmlp.layers):
        mask = layer.input_mask
        if layer.axsum_truncate_bits is not None:
            y = _axsum_reference(layer, a)
            kept = layer.weight != 0 if mask is None else (layer.weight != 0) & (np.asarray(mask) != 0)
            counts["mac"][:, k] = np.count_nonzero(kept)
        elif mask is None:
            y = a @ layer.weight.T.astype(np.int64) + layer.bias
            counts["mac"][:, k] = np.count_nonzero(layer.weight)
        else:                                # one product at a time: bitwise AND, then multiply
            y = np.tile(np.asarray(layer.bias, dtype=np.int64), (n_samples, 1))
            for i in range(layer.weight.shape[0]):
                for j in range(layer.weight.shape[1]):
                    y[:, i] += int(layer.weight[i, j]) * np.bitwise_and(a[:, j], int(mask[i, j]))
            counts["mac"][:, k] = np.count_nonzero((layer.weight != 0) & (np.asarray(mask) != 0))
        if layer.relu:
            y = np.maximum(y, 0)
        y = y >> layer.shift
        if layer.act_max >= 0:
            y = np.minimum(y, layer.act_max)
        counts["neuron_active"][:, k] = layer.weight.shape[0]
        a = y
    return a, counts


def reference_argmax_tree(outputs, ignored_bits, removed):
    """Class per row of ``outputs`` by the approximate comparator tree of ``hwsim.qmlp``, one Python
    int at a time: each level pairs ``(0, 1), (2, 3), ...`` and comparator ``c`` keeps the earlier
    operand unless ``c`` is not ``removed`` and ``b // 2**t > a // 2**t``."""
    classes = []
    for row in np.asarray(outputs):
        players = [(int(v), k) for k, v in enumerate(row)]
        comparators = iter(int(t) for t in ignored_bits)
        while len(players) > 1:
            winners = []
            for a, b in zip(players[0::2], players[1::2]):
                t = next(comparators)
                b_wins = t != removed and b[0] // 2 ** t > a[0] // 2 ** t
                winners.append(b if b_wins else a)
            players = winners + players[len(winners) * 2:]
        classes.append(players[0][1])
    return np.array(classes, dtype=np.int64)
