"""Approximation-aware retraining of a printed MLP (straight-through gradients).

A printed design is a function ``build(graph) -> QuantizedMLP`` from float weights to the
integer circuit (quantise, drop inputs, prune, round to powers of two, truncate, clip; see
:func:`hwsim.printed.search.build_design`). :func:`retrain` fine-tunes the float weights so
that *the circuit* classifies well, as the seed papers' "Retrain & AxSum" (Armeniakos et al.,
IEEE TC 2023) and quantisation-aware training:

* forward: every minibatch rebuilds the circuit ``q = build(graph)`` and runs its integer
  arithmetic (:func:`integer_forward`, the semantics of :mod:`hwsim.qmlp`) on the minibatch's
  input codes, so the loss sees exactly the integers the circuit computes;
* backward: the softmax cross-entropy of the output accumulators, in real units, is
  back-propagated through the integer layers with straight-through estimators: rounding,
  pruning, powers of two and the right shift pass the gradient unchanged (scaled to real
  units), ReLU and the saturating clip pass it where they are not active;
* update: Adam (:class:`hwsim.models.train_digits.Adam`) on the float weights and biases,
  cosine learning-rate schedule, seeded minibatches.

A pruned or dropped weight keeps receiving gradient, so the pruning mask (re-derived from the
magnitudes at every rebuild) may change during retraining. :func:`resize_hidden` gives the
retraining a smaller hidden layer (or none) to start from. The returned graph is the float
model; its circuit is ``build(graph)``, costed and simulated like any other design.
"""
from __future__ import annotations

from typing import Callable

import numpy as np

from hwsim.errors import GraphError
from hwsim.ir import Graph
from hwsim.models.train_digits import Adam, cosine_factor, cross_entropy_gradient, minibatches
from hwsim.qmlp import QuantizedMLP
from hwsim.quantize import mlp_chain


def chain_layers(graph: Graph) -> list[dict]:
    """The float layers of a non-spiking chain: ``name``, ``model``, ``weight (n_out, n_in)``, ``bias (n_out,)``."""
    return [{"name": pop.name, "model": pop.model, "weight": np.array(next(graph.incoming(pop.name)).weight,
                                                                        dtype=np.float64),
             "bias": np.array(pop.params["bias"], dtype=np.float64)} for pop in mlp_chain(graph)]


def chain_graph(template: Graph, layers: list[dict]) -> Graph:
    """A graph like ``template`` (input, output readout, metadata) whose chain is ``layers`` (:func:`chain_layers`)."""
    inp, out = template.inputs()[0], template.outputs()[0]
    graph = Graph(template.name, template.dt_s, dict(template.metadata))
    graph.add_input(inp.name, inp.size, kind=inp.kind)
    pre = inp.name
    for layer in layers:
        graph.add_population(layer["name"], layer["weight"].shape[0], layer["model"], bias=layer["bias"])
        graph.add_projection(pre, layer["name"], layer["weight"])
        pre = layer["name"]
    graph.add_output(out.name, pre, readout=out.readout)
    return graph.validate()


def resize_hidden(graph: Graph, n_hidden: int, x_train: np.ndarray) -> Graph:
    """``graph`` (one hidden ReLU layer) with its ``n_hidden`` most important hidden neurons, or none.

    Importance of hidden neuron ``i``: ``sum_k |w_out[k, i]| x mean_n h_i(x_n)`` on the float
    model (ties: lower index); the others are removed. ``n_hidden = 0`` removes the hidden layer:
    the single layer starts from the linear part of the two, ``w_out @ w_hidden`` and
    ``w_out @ b_hidden + b_out`` (ReLU ignored), for :func:`retrain` to correct.

    Parameters
    ----------
    graph : Graph
        A chain input -> hidden (relu) -> output.
    n_hidden : int
        Hidden neurons to keep, 0 .. the current size.
    x_train : ndarray
        ``(n, n_inputs)`` features in [0, 1] (importance).
    """
    layers = chain_layers(graph)
    if len(layers) != 2:
        raise GraphError(f"resize_hidden: graph '{graph.name}' has {len(layers)} layers; expected 2 "
                         f"(input -> hidden -> output).")
    hidden, output = layers
    size = hidden["weight"].shape[0]
    if isinstance(n_hidden, bool) or not isinstance(n_hidden, (int, np.integer)) or not 0 <= n_hidden <= size:
        raise GraphError(f"resize_hidden: n_hidden={n_hidden!r}; expected an integer in 0..{size} "
                         f"(the trained hidden size).")
    if n_hidden == 0:
        merged = {"name": output["name"], "model": output["model"],
                  "weight": output["weight"] @ hidden["weight"],
                  "bias": output["weight"] @ hidden["bias"] + output["bias"]}
        return chain_graph(graph, [merged])
    activity = np.maximum(np.asarray(x_train, dtype=np.float64) @ hidden["weight"].T + hidden["bias"], 0).mean(axis=0)
    importance = np.abs(output["weight"]).sum(axis=0) * activity
    keep = np.sort(np.argsort(-importance, kind="stable")[:n_hidden])
    hidden = hidden | {"weight": hidden["weight"][keep], "bias": hidden["bias"][keep]}
    output = output | {"weight": output["weight"][:, keep]}
    return chain_graph(graph, [hidden, output])


def integer_forward(qmlp: QuantizedMLP, codes: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
    """``(accumulator, output)`` of every layer of ``qmlp`` on int64 input ``codes`` (:mod:`hwsim.qmlp` semantics).

    The last output equals :func:`hwsim.simulate.simulate_mlp`'s (tested); the accumulators
    ``weight @ a + bias`` before ReLU, shift and clip are what the gradients need.
    """
    a = np.asarray(codes, dtype=np.int64)
    trace = []
    for layer in qmlp.layers:
        acc = layer.accumulate(a)
        y = np.maximum(acc, 0) if layer.relu else acc
        y = y >> layer.shift
        if layer.act_max >= 0:
            y = np.minimum(y, layer.act_max)
        trace.append((acc, y))
        a = y
    return trace


def _unit_scales(layers: list[dict], qmlp: QuantizedMLP, input_step: float) -> list[tuple[float, float]]:
    """Per layer, the real value of one integer weight unit and of one accumulator unit.

    One weight unit is ``max|w| / max|w_int|`` of the layer (the quantiser's step); one
    accumulator unit is that times the real value of one input unit, which the shift of the
    previous layer scales by ``2**shift``. They set the gradients' scale and the softmax
    temperature only (a layer without weights counts 1).
    """
    scales, step = [], input_step
    for layer, q in zip(layers, qmlp.layers):
        w_int, w_real = int(np.max(np.abs(q.weight), initial=0)), float(np.max(np.abs(layer["weight"]), initial=0.0))
        unit_w = w_real / w_int if w_int and w_real else 1.0
        scales.append((unit_w, unit_w * step))
        step = unit_w * step * (1 << q.shift)
    return scales


def retrain(graph: Graph, build: Callable[[Graph], QuantizedMLP], codes: np.ndarray, labels: np.ndarray,
            input_step: float, *, epochs: int, seed: int, lr: float = 1e-3, batches: int = 6,
            weight_decay: float = 1e-4, l1: float = 0.0) -> Graph:
    """Fine-tune ``graph``'s float weights through its circuit ``build(graph)`` (module doc).

    Parameters
    ----------
    graph : Graph
        The float MLP to start from (a non-spiking chain).
    build : callable
        ``Graph -> QuantizedMLP``: the design's circuit of a float graph (called once per minibatch).
    codes : ndarray
        int64 ``(n, n_inputs)`` training input codes, as the circuit reads them.
    labels : ndarray
        ``(n,)`` training classes.
    input_step : float
        Real value of one input code (``1 / (2**input_bits - 1)``).
    epochs : int
        Passes over the training set (0: ``graph`` unchanged).
    seed : int
        Seed of the minibatch order.
    lr : float
        Adam step size (cosine schedule down to 5 % of it).
    batches : int
        Minibatches per epoch (each ``ceil(n / batches)`` samples, so a small training set still
        gets several updates per epoch).
    weight_decay : float
        L2 penalty on the float weights (not the biases).
    l1 : float
        L1 penalty on the float weights (a subgradient; it drives unneeded weights towards 0,
        so magnitude pruning keeps the ones that matter).

    Returns
    -------
    Graph
        The retrained float graph (same topology and names).
    """
    if isinstance(epochs, bool) or not isinstance(epochs, (int, np.integer)) or epochs < 0:
        raise GraphError(f"retrain: epochs={epochs!r}; expected an integer >= 0.")
    codes, labels = np.asarray(codes, dtype=np.int64), np.asarray(labels)
    layers = chain_layers(graph)
    params = {f"{k}{i}": layer[k] for i, layer in enumerate(layers) for k in ("weight", "bias")}
    optimiser = Adam(params, lr)
    rng = np.random.default_rng(seed)
    for epoch in range(epochs):
        for batch in minibatches(len(labels), -(-len(labels) // batches), rng):
            current = [layer | {"weight": params[f"weight{i}"], "bias": params[f"bias{i}"]}
                       for i, layer in enumerate(layers)]
            qmlp = build(chain_graph(graph, current))
            optimiser.step(_gradients(current, qmlp, codes[batch], labels[batch], input_step, weight_decay, l1),
                           cosine_factor(epoch, epochs))
    return chain_graph(graph, [layer | {"weight": params[f"weight{i}"], "bias": params[f"bias{i}"]}
                               for i, layer in enumerate(layers)])


def _gradients(layers: list[dict], qmlp: QuantizedMLP, codes: np.ndarray, labels: np.ndarray,
               input_step: float, weight_decay: float, l1: float) -> dict[str, np.ndarray]:
    """Straight-through gradients of the circuit's cross-entropy with respect to the float parameters."""
    trace = integer_forward(qmlp, codes)
    scales = _unit_scales(layers, qmlp, input_step)
    unit_out = scales[-1][1]
    grad_acc = cross_entropy_gradient(trace[-1][0] * unit_out, labels) * unit_out
    grads = {}
    for i in range(len(qmlp.layers) - 1, -1, -1):
        q, (unit_w, unit_acc) = qmlp.layers[i], scales[i]
        a = codes if i == 0 else trace[i - 1][1]
        w = layers[i]["weight"]
        grads[f"weight{i}"] = grad_acc.T @ a / unit_w + weight_decay * w + l1 * np.sign(w)
        grads[f"bias{i}"] = grad_acc.sum(axis=0) / unit_acc
        if i:
            prev, (acc, out) = qmlp.layers[i - 1], trace[i - 1]
            passes = ((acc > 0) | ~prev.relu) & ((out < prev.act_max) | (prev.act_max < 0))
            grad_acc = (grad_acc @ q.weight) * passes / float(1 << prev.shift)
    return grads
