"""The neuron models of the spiking kernel, one module of update rules each, dispatched per slice.

The event loop (``kernels/spiking.py``) owns the ring buffer, the spikes and the counters; for every
slice of neurons (a population on one core) it calls :func:`update_slice`, which runs that slice's model.
Every model takes its parameters, datapath scalars, noise, state and scratch arrays as tuples
(``kernels/lif.py``, ``update_lif``: ``state`` is ``state_u`` per receptor slot, ``state_v`` and
``state_hold`` per neuron), and lists the neurons that spiked. The dispatch and each model's entry point
are inlined into the event loop (Numba IR; calls stay under 30 arguments, which that needs), so the
split into modules costs nothing at run time: measured interleaved against the loop with the update
written in it, W1 and W2 ran 0.97-1.0 times its time.

===========  ===================  ================================================================
id           module               IR models (``hwsim.lowering.KERNEL_MODELS``)
===========  ===================  ================================================================
CUBA_LIF     ``lif.py``           ``lif``, ``if``, ``li`` (current-based LIF, several receptors)
SIGMA_DELTA  ``sigma_delta.py``   ``sigma_delta`` (Lava's SigmaDelta: graded spikes, one receptor)
===========  ===================  ================================================================

A model whose spikes carry a payload (:func:`sends_payload`) writes it to ``graded``'s ``payload`` array,
and the event loop multiplies its synapses' weights by it.

A new model is one module here with its update function, one id and one branch below, and its
plain-numpy reference beside the others in ``tests/reference.py``.
"""
from numba import njit

from ._config import JIT
from .lif import update_lif
from .sigma_delta import update_sigma_delta

CUBA_LIF = 0
SIGMA_DELTA = 1
MODEL_IDS = {"cuba_lif": CUBA_LIF, "sigma_delta": SIGMA_DELTA}


@njit(inline="always", **JIT)
def sends_payload(model):
    """Whether the spikes of kernel model ``model`` carry a payload (graded spikes)."""
    return model == SIGMA_DELTA


@njit(inline="always", **JIT)
def update_slice(model, first, last, group, slot0, n_receptors, stride, uniform, all_active, one_port, slot, ring,
                 port_shift, slot_port_ptr, params, arith, noise, graded, state, scratch, step, out_spiked):
    """Update neurons ``first .. last-1`` with their model ``model`` (one of :data:`MODEL_IDS`'s values),
    reading their inputs from ring ``slot``; returns how many spiked (listed in ``out_spiked``). The model's
    parameters, datapath scalars, noise, state and scratch arrays come as tuples (``kernels/lif.py``,
    ``update_lif``): every call stays under CPython's 30 positional arguments (beyond them a call is
    compiled as ``f(*args)``, which Numba cannot inline), so this dispatch is inlined into the event loop;
    ``hwsim.lowering`` gives every slice a model of this table. ``graded`` holds the sigma-delta arrays
    (``kernels/sigma_delta.py``)."""
    if model == CUBA_LIF:
        return update_lif(first, last, group, slot0, n_receptors, stride, uniform, all_active, one_port, slot, ring,
                          port_shift, slot_port_ptr, params, arith, noise, state, scratch, step, out_spiked)
    if model == SIGMA_DELTA:
        return update_sigma_delta(first, last, group, slot0, stride, one_port, slot, ring, port_shift, slot_port_ptr,
                                  params, graded, state, scratch, step, out_spiked)
    return 0
