"""Plain-numpy reference simulators, written from the semantics and sharing no code with
``hwsim.lowering`` or ``hwsim.kernels``.

The spiking reference keeps the network layer-structured: one dense weight matrix
per (projection, delay) and the history of every source's spikes, so the input of
projection p at step t is ``sum_d shift_p(W[p, d] @ spikes[t - d])`` (the shift applies to
the spikes of one emission step, as Lava's DelayDense). It loops over steps and, within
a step, over populations in the network's update order, so a delay-0 term reads the
spikes that sources updated earlier in the same step have just emitted; it is
vectorised over the neurons of a population. A float network (``qnet.is_float``) runs
the IR equations in float64 with no shifts or overflow. Counters come back by action name.
"""
import numpy as np


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
        if src < qnet.n_input_channels:
            x0, y0 = placement.input_xy
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


def reference_spiking(qnet, placement, input_spikes, bits_per_synapse, memory_word_bits):
    """Simulate a QuantizedNetwork on a Placement, one sample after another.

    Parameters
    ----------
    qnet : hwsim.quantize.QuantizedNetwork
    placement : hwsim.mapping.Placement
    input_spikes : ndarray ``(n_samples, T, n_input_channels)`` of 0/1
    bits_per_synapse, memory_word_bits : int

    Returns
    -------
    dict
        ``raster (n_samples, T, n_neurons)``, ``spike_count``, ``first_spike``, ``u``, ``v``
        ``(n_samples, n_neurons)``, ``counts``: {action name: ``(n_samples, n_groups)``} and
        ``step_counts``: {action name: ``(T, n_groups)``} summed over samples.
    """
    ar = qnet.arithmetic
    is_float = bool(getattr(qnet, "is_float", False))
    value_type = np.float64 if is_float else np.int64
    n_samples, n_steps, n_in = input_spikes.shape
    n_neurons, n_groups = qnet.n_neurons, len(placement.groups)
    n_src = n_in + n_neurons
    weights = []
    for proj in qnet.projections:
        w = np.zeros((int(proj.delay_steps.max(initial=1)) + 1, n_neurons, n_src), dtype=value_type)
        np.add.at(w, (proj.delay_steps, proj.post_index, proj.pre_index), proj.weight)
        weights.append(w)
    syn_factor, mem_factor, v_th, bias, bias_syn, v_reset = (
        _per_neuron(qnet, name, value_type) for name in ("syn_factor", "mem_factor", "v_th", "bias", "bias_syn",
                                                         "v_reset"))
    refractory_steps, has_threshold, reset_subtract, reset_next = (
        _per_neuron(qnet, name) for name in ("refractory_steps", "has_threshold", "reset_subtract", "reset_next"))
    by_name = {p.name: p for p in qnet.populations}
    order = [by_name[name] for name in getattr(qnet, "update_order", ())] or list(qnet.populations)
    syn_per_group, words, packets, hops = _routing_tables(qnet, placement, bits_per_synapse, memory_word_bits)
    src_group = np.concatenate([placement.input_group, placement.neuron_group])
    names = ("synop", "neuron_active", "neuron_idle", "spike", "packet", "hop_x", "hop_y", "mac", "mem_read")
    counts = {name: np.zeros((n_samples, n_groups), dtype=np.int64) for name in names}
    step_counts = {name: np.zeros((n_steps, n_groups), dtype=np.int64) for name in names}
    raster = np.zeros((n_samples, n_steps, n_neurons), dtype=np.int64)
    u_out = np.zeros((n_samples, n_neurons), dtype=value_type)
    v_out = np.zeros((n_samples, n_neurons), dtype=value_type)
    for s in range(n_samples):
        history = np.zeros((n_steps, n_src), dtype=value_type)   # spikes of every source per step
        history[:, :n_in] = input_spikes[s] != 0
        u = np.zeros(n_neurons, dtype=value_type)
        v = np.zeros(n_neurons, dtype=value_type)
        refractory = np.zeros(n_neurons, dtype=np.int64)
        pending = np.zeros(n_neurons, dtype=bool)
        active = np.zeros(n_neurons, dtype=bool)
        for t in range(n_steps):
            for pop in order:   # the update order: delay-0 inputs come from populations already updated
                n = slice(pop.offset, pop.offset + pop.size)
                x = np.zeros(pop.size, dtype=value_type)
                for proj, w in zip(qnet.projections, weights):
                    for d in range(0, min(w.shape[0], t + 1)):   # the shift applies per emission step
                        arriving = w[d, n] @ history[t - d]
                        x += arriving if is_float else _shift(arriving, proj.shift)
                active[n] = (x != 0) | (u[n] != 0) | (v[n] != 0) | (bias[n] != 0) | (bias_syn[n] != 0)
                if is_float:
                    u[n] = syn_factor[n] * u[n] + x + bias_syn[n]
                else:
                    u[n] = _overflow(_decay(u[n], syn_factor[n], ar.decay_bits, ar.rounding)
                                     + (x << ar.input_shift) + bias_syn[n], ar.state_bits, ar.syn_overflow)
                held = refractory[n] > 0
                refractory[n] -= held
                owed = np.where(pending[n], v_th[n], 0)   # subtract_next: v_th owed since the last spike
                if is_float:
                    v_new = mem_factor[n] * v[n] + u[n] + bias[n]
                    v_new = np.where(pending[n], v_new - owed, v_new)
                else:
                    v_new = _overflow(_decay(v[n], mem_factor[n], ar.decay_bits, ar.rounding) + u[n] + bias[n]
                                      - owed, ar.state_bits, ar.mem_overflow)
                pending[n] &= held
                spike = ~held & (has_threshold[n] != 0) & (v_new > v_th[n])
                reset = np.where(reset_subtract[n] != 0, v_new - v_th[n], v_reset[n])
                v_new = np.where(spike & (reset_next[n] == 0), reset, v_new)
                pending[n] |= spike & (reset_next[n] != 0)
                v[n] = np.where(held, v[n], v_new)
                refractory[n] = np.where(spike, refractory_steps[n], refractory[n])
                history[t, n_in + pop.offset:n_in + pop.offset + pop.size] = spike
            src_spikes = history[t].astype(np.int64)
            step = {
                "synop": src_spikes @ syn_per_group,
                "mem_read": src_spikes @ words,
                "spike": _group_sum(src_group, src_spikes, n_groups),
                "packet": _group_sum(src_group, src_spikes * packets, n_groups),
                "hop_x": _group_sum(src_group, src_spikes * hops[:, 0], n_groups),
                "hop_y": _group_sum(src_group, src_spikes * hops[:, 1], n_groups),
                "neuron_active": _group_sum(placement.neuron_group, active, n_groups),
                "neuron_idle": _group_sum(placement.neuron_group, ~active, n_groups),
                "mac": np.zeros(n_groups, dtype=np.int64),
            }
            for name in names:
                counts[name][s] += step[name]
                step_counts[name][t] += step[name]
        raster[s] = history[:, n_in:]
        u_out[s], v_out[s] = u, v
    fired = raster.any(axis=1)
    return {
        "raster": raster,
        "spike_count": raster.sum(axis=1),
        "first_spike": np.where(fired, raster.argmax(axis=1), -1),
        "u": u_out,
        "v": v_out,
        "counts": counts,
        "step_counts": step_counts,
    }


def reference_mlp(qmlp, x_int):
    """Run a QuantizedMLP on ``x_int (n_samples, n_inputs)``; return ``(outputs, counts by name)``.

    ``counts`` maps ``"mac"`` and ``"neuron_active"`` to ``(n_samples, n_layers)`` arrays.
    """
    a = np.asarray(x_int, dtype=np.int64)
    n_samples = a.shape[0]
    counts = {"mac": np.zeros((n_samples, len(qmlp.layers)), dtype=np.int64),
              "neuron_active": np.zeros((n_samples, len(qmlp.layers)), dtype=np.int64)}
    for k, layer in enumerate(qmlp.layers):
        y = a @ layer.weight.T.astype(np.int64) + layer.bias
        if layer.relu:
            y = np.maximum(y, 0)
        y = y >> layer.shift
        if layer.act_max >= 0:
            y = np.minimum(y, layer.act_max)
        counts["mac"][:, k] = np.count_nonzero(layer.weight)
        counts["neuron_active"][:, k] = layer.weight.shape[0]
        a = y
    return a, counts
