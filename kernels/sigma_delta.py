"""Sigma-delta neurons (the IR's ``sigma_delta``, Lava's ``SigmaDelta``): the update rule of one slice.

The event loop (``kernels/spiking.py``) calls :func:`update_slice` of ``kernels/neurons.py``, which calls
here. A neuron ``i`` keeps ``sigma`` (its summed input) in its receptor slot ``slot0 + (i - first)`` of
``state_u``, its last activation in ``state_v[i]``, its residue and error in ``residue[i]`` and ``error[i]``.
Per update, on both datapaths (Lava 0.10's ``PySigmaDeltaModelFixed``; the float datapath computes the
same in float64 with ``payload_shift`` 0)::

    sigma = sigma + x                     (x: the slot's ports, each shifted by its projection's exponent)
    act   = sigma + bias;  act = max(act, 0) if the mode has RELU
    d     = act - act_prev + residue
    fire  = |d| >= v_th,  or with CUM_ERROR:  error = error + d;  fire = |error| >= v_th
    s     = d if fire else 0;  with CUM_ERROR: error = 0 where s != 0
    residue = d - s;  act_prev = act
    payload = s >> payload_shift (floor; Lava's state_exp);  the neuron spikes when payload != 0

No overflow rule applies: Lava computes this in int32 numpy arithmetic without one, hwsim in int64, so
they agree while the values stay below 2**31. The spiking neurons are listed in ``out_spiked`` and their
payloads written to ``payload[i]``; the event loop sends each with its synapses' weights multiplied by it.
A neuron counts as active when its input, sigma, activation, bias, residue or error is nonzero.
"""
from numba import njit

from ._config import JIT
from .actions import NEURON_ACTIVE, NEURON_IDLE
from .lif import any_nonzero, gather_slots, port_input

RELU = 1
CUM_ERROR = 2


@njit(inline="always", **JIT)
def update_sigma_delta(first, last, group, slot0, stride, one_port, slot, ring, port_shift, slot_port_ptr, params,
                       graded, state, scratch, step, out_spiked):
    """Update neurons ``first .. last-1`` (one slice, counter group ``group``) once, reading their inputs from
    ring ``slot``; returns how many spiked (listed in ``out_spiked``, payloads in ``graded``'s ``payload``).

    ``params`` as ``kernels/lif.py``'s ``update_lif`` (``v_th`` and ``bias`` are read), ``graded`` =
    ``(payload_shift, mode, residue, error, payload)`` (``mode``: :data:`RELU` | :data:`CUM_ERROR` per
    neuron), ``state`` = ``(state_u, state_v, state_hold)``, ``scratch`` = ``(x, zero_shift, fired)``."""
    v_th, bias = params[2], params[3]
    payload_shift, mode, residue, error, payload = graded
    state_u, state_v = state[0], state[1]
    x = scratch[0]
    n = last - first
    gather_slots(slot0, n, 1, stride, slot, ring, port_shift, slot_port_ptr, one_port, x)
    n_active = 0
    n_spiked = 0
    for j in range(n):
        i = first + j
        xj = x[j]
        sigma = state_u[slot0 + j]
        act_prev = state_v[i]
        n_active += any_nonzero(xj, sigma, act_prev, bias[i], residue[i]) | (error[i] != 0)
        sigma = sigma + xj
        act = sigma + bias[i]
        if mode[i] & RELU and act < 0:
            act = 0 * act
        d = act - act_prev + residue[i]
        if mode[i] & CUM_ERROR:
            e = error[i] + d
            s = d if abs(e) >= v_th[i] else 0 * d
            error[i] = 0 * e if s != 0 else e
        else:
            s = d if abs(d) >= v_th[i] else 0 * d
        residue[i] = d - s
        state_u[slot0 + j] = sigma
        state_v[i] = act
        p = port_input(s, -payload_shift[i])
        if p != 0:
            payload[i] = p
            out_spiked[n_spiked] = i
            n_spiked += 1
    step[group, NEURON_ACTIVE] += n_active
    step[group, NEURON_IDLE] += n - n_active
    return n_spiked
