"""Train hwsim's bundled digits models (numpy only) and write them as IR graphs.

Run ``python -m hwsim.models.train_digits [--seed N] [--out DIR] [--noise SPEC.yaml] [--only snn|mlp]``;
the result is fully determined by the seed (on one platform) and takes well under a minute on
two cores (noise-aware training, :mod:`hwsim.models.noise_training`, a few times longer). Two graphs are written with :func:`hwsim.ir.save_graph`:

``digits_snn.npz``
    Input(64, "spike") -> ``lif`` hidden -> ``lif`` output (10), spike-count readout,
    trained by surrogate-gradient backpropagation through time on
    :func:`simulate_snn`, the training-time model below.
``digits_mlp.npz``
    Input(64, "value") -> ``relu`` hidden -> ``identity`` output (10), value readout,
    trained in float with cross-entropy.

Both graphs store the trained float weights; each one's metadata records its
held-out accuracy in float and after the fake quantisation of its target chip
(below), which mirrors :mod:`hwsim.quantize` for that chip.

Training-time model of the SNN (:func:`simulate_snn`)
-----------------------------------------------------
A float64 numpy simulator of exactly the discrete-time semantics of
:mod:`hwsim.ir` for a feed-forward chain of ``lif`` populations with
``reset="value"``, no refractory period and every delay 1:

* the input raster's spike at step ``t`` reaches the hidden layer at ``t + 1``,
  a hidden spike at ``t`` reaches the output layer at ``t + 1``
  (``x[0] = 0`` and ``x[t] = W s_pre[t - 1]``);
* per step ``i[t] = (1 - decay_syn) i[t-1] + x[t]``,
  ``v[t] = (1 - decay_mem) v[t-1] + i[t] + bias``, spike when ``v[t] > v_th``
  (strict), then ``v[t] <- v_reset``.

The backward pass replaces the derivative of the step function by the fast
sigmoid ``1 / (1 + k |v - v_th| / v_th)**2`` and treats the reset as a constant.

Loihi-like fake quantisation (:func:`loihi_fake_quantise`)
---------------------------------------------------------
Mirrors :func:`hwsim.quantize.quantize_spiking` on the ``loihi`` profile: with
``v_th = 1`` the membrane scale is ``K = 2**20`` state units per membrane unit
and a weight enters the current as ``mantissa * 2**(exp + 6)`` state units, so
one mantissa unit is ``2**(exp - 14)`` membrane units. Mixed-sign projections
keep even mantissas in ``[-256, 254]`` (single-sign ones any in ``[-255, 255]``)
with the smallest exponent that fits the largest weight. Nothing else of the
bundled SNN needs rounding: ``decay_syn = 1`` (current factor 0) and
``decay_mem = 0.25`` (factor 3072/4096) are exact 12-bit decays, biases and
``v_reset`` are 0 and ``v_th = 1`` sits at 2**20 state units. The integer run
can still differ from the fake-quantised float model by the truncation of the
membrane decay (at most one state unit, 2**-20 ``v_th``, per step), a wrap of
the 24-bit current when ``|x| >= 8 v_th`` (training keeps ``|x|`` near
``input_limit``; :func:`main` prints the largest) and the saturation of ``v``
at ``-8 v_th``, which only strongly inhibited, silent neurons reach.

Printed-MAC integer model of the MLP (:func:`quantise_mlp`)
-----------------------------------------------------------
Inputs ``x`` in [0, 1] become 4-bit ADC codes ``round(15 x)``; each layer's
weights become ``round(w / s)`` with ``s = max|w| / 127``, its biases
``round(b / (s * input_step))`` where ``input_step`` is the real value of one
unit of the layer's integer input; the hidden accumulators after ReLU are
shifted right (floor) by the smallest shift keeping the training-set maximum
below 256 and saturated at 255 (8-bit unsigned); the class is the argmax of the
output accumulators.
"""
from __future__ import annotations

import argparse
import time
from dataclasses import asdict, dataclass, replace
from pathlib import Path

import numpy as np

from hwsim.chips import load_chip
from hwsim.encoding import rate_encode
from hwsim.errors import UnsupportedError
from hwsim.ir import Graph, save_graph
from hwsim.models.digits import DATA_DIR, FEATURE_SCALE, load_digits_split
from hwsim.models.noise_training import ForwardNoise, check_trainable, forward_noise, noisy_chain, noisy_mlp
from hwsim.noise import NoiseSpec, load_noise

N_FEATURES = 64
N_CLASSES = 10
TEST_FRACTION = 0.2
SPLIT_SEED = 0

# Loihi-like profile (see the module docstring): weight unit = 2**(exp - WEIGHT_UNIT_BITS) v_th.
WEIGHT_UNIT_BITS = 14          # 2**20 state units per v_th, minus the input shift of 6
LOIHI_STATE_RANGE = 8.0        # |u|, |v| of 2**23 state units = 8 thresholds (v_th = 2**20)
# Printed-MAC profile.
ADC_LEVELS = 15                # 4-bit input codes 0..15
WEIGHT_MAX_INT = 127           # 8-bit signed weights
ACTIVATION_BITS = 8            # unsigned hidden activations 0..255


# ============================================================== shared helpers
class Adam:
    """Adam optimiser over a dict of float64 arrays (updated in place).

    Parameters
    ----------
    params : dict of str to ndarray
        The trained arrays.
    lr : float
        Step size.
    betas : tuple of float
        Decay rates of the first and second moment estimates.
    """

    def __init__(self, params: dict[str, np.ndarray], lr: float, betas=(0.9, 0.999)):
        self.params, self.lr, self.betas = params, lr, betas
        self.m = {k: np.zeros_like(v) for k, v in params.items()}
        self.v = {k: np.zeros_like(v) for k, v in params.items()}
        self.n = 0

    def step(self, grads: dict[str, np.ndarray], lr_factor: float = 1.0) -> None:
        """Apply one update with gradients ``grads`` (same keys as the parameters)."""
        b1, b2 = self.betas
        self.n += 1
        for key, grad in grads.items():
            self.m[key] = b1 * self.m[key] + (1 - b1) * grad
            self.v[key] = b2 * self.v[key] + (1 - b2) * grad * grad
            m_hat = self.m[key] / (1 - b1 ** self.n)
            v_hat = self.v[key] / (1 - b2 ** self.n)
            self.params[key] -= lr_factor * self.lr * m_hat / (np.sqrt(v_hat) + 1e-8)


def cross_entropy_gradient(logits: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """Gradient of the mean softmax cross-entropy of ``logits (B, C)`` against ``labels (B,)``."""
    prob = np.exp(logits - logits.max(axis=1, keepdims=True))
    prob /= prob.sum(axis=1, keepdims=True)
    prob[np.arange(len(labels)), labels] -= 1.0
    return prob / len(labels)


def cosine_factor(epoch: int, n_epochs: int) -> float:
    """Learning-rate factor of a cosine schedule from 1 to 0.05 over ``n_epochs``."""
    return 0.05 + 0.95 * 0.5 * (1 + np.cos(np.pi * epoch / n_epochs))


def minibatches(n: int, batch_size: int, rng: np.random.Generator):
    """Yield index arrays of a random permutation of ``range(n)`` cut into batches."""
    order = rng.permutation(n)
    for start in range(0, n, batch_size):
        yield order[start:start + batch_size]


# ============================================================== SNN
@dataclass(frozen=True)
class SnnConfig:
    """Hyper-parameters of the spiking model and its training.

    Attributes
    ----------
    n_steps : int
        Steps per sample (rate-coding window).
    n_hidden : int
        Hidden ``lif`` neurons.
    decay_mem : float
        Fraction of v lost per step (0: no leak; a multiple of 1/4096 stays exact on Loihi).
    epochs, batch_size : int
        Training length and minibatch size (samples).
    lr : float
        Adam step size (membrane units per update).
    logit_scale : float
        Cross-entropy logits are ``logit_scale * spike_count / n_steps``.
    surrogate_slope : float
        ``k`` of the fast-sigmoid surrogate.
    rate_penalty : float
        Loss per hidden spike per neuron and step (keeps the spike count, hence energy, low).
    input_limit : float
        Synaptic input per step (units of ``v_th``) above which ``input_penalty`` applies; keeps
        ``|x|`` well inside the Loihi current range of 8 ``v_th``.
    input_penalty : float
        Weight of the squared excess ``sum(max(|x| - input_limit, 0)**2)`` per sample.
    """

    n_steps: int = 24
    n_hidden: int = 96
    decay_mem: float = 0.25
    epochs: int = 60
    batch_size: int = 64
    lr: float = 3e-3
    logit_scale: float = 10.0
    surrogate_slope: float = 5.0
    rate_penalty: float = 2.0
    input_limit: float = LOIHI_STATE_RANGE / 2
    input_penalty: float = 1.0


@dataclass
class LifLayer:
    """A dense projection into a ``lif`` population with reset to ``v_reset`` (float64).

    Attributes
    ----------
    weight : ndarray
        ``(n_post, n_pre)`` in membrane units.
    decay_syn, decay_mem, bias, v_th, v_reset : ndarray
        ``(n_post,)`` population parameters as in :mod:`hwsim.ir`.
    """

    weight: np.ndarray
    decay_syn: np.ndarray
    decay_mem: np.ndarray
    bias: np.ndarray
    v_th: np.ndarray
    v_reset: np.ndarray


def run_lif(x: np.ndarray, layer: LifLayer, current_noise: np.ndarray | None = None,
            membrane_noise: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Run one ``lif`` population over all steps.

    Parameters
    ----------
    x : ndarray
        ``(T, B, n)`` synaptic input arriving at each step, membrane units.
    layer : LifLayer
        Population parameters.
    current_noise, membrane_noise : ndarray, optional
        ``(T, B, n)`` added to the current / the membrane at each step, membrane units
        (:mod:`hwsim.models.noise_training`).

    Returns
    -------
    v : ndarray
        ``(T, B, n)`` membrane before the threshold test (and reset), membrane units.
    spikes : ndarray
        ``(T, B, n)`` float 0/1 spikes.
    """
    keep_syn, keep_mem = 1.0 - layer.decay_syn, 1.0 - layer.decay_mem
    i = np.zeros(x.shape[1:])
    v = np.zeros(x.shape[1:])
    v_pre = np.empty_like(x)
    spikes = np.empty_like(x)
    for t in range(x.shape[0]):
        i = keep_syn * i + x[t]
        if current_noise is not None:
            i = i + current_noise[t]
        v = keep_mem * v + i + layer.bias
        if membrane_noise is not None:
            v = v + membrane_noise[t]
        v_pre[t] = v
        fired = v > layer.v_th
        spikes[t] = fired
        v = np.where(fired, layer.v_reset, v)
    return v_pre, spikes


def delayed_input(spikes_pre: np.ndarray, weight: np.ndarray) -> np.ndarray:
    """Input ``x[t] = W s_pre[t-1]`` (``x[0] = 0``) of a delay-1 projection, ``(T, B, n_post)``."""
    x = np.zeros((spikes_pre.shape[0], spikes_pre.shape[1], weight.shape[0]))
    x[1:] = spikes_pre[:-1] @ weight.T
    return x


def simulate_snn(raster: np.ndarray, layers: list[LifLayer], noise: ForwardNoise | None = None
                 ) -> list[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """Simulate a feed-forward chain of ``lif`` layers with hwsim's IR semantics (float64).

    Parameters
    ----------
    raster : ndarray
        ``(B, T, n_in)`` 0/1 input spikes (the layout of :func:`hwsim.encoding.rate_encode`).
    layers : list of LifLayer
        Layers in order, each fed by the previous one through delay-1 synapses.
    noise : ForwardNoise, optional
        Dynamic noise of one minibatch: spikes not ``delivered`` to a layer are lost, and the
        current / membrane noise is added at every step.

    Returns
    -------
    list of tuple
        Per layer ``(x, v, spikes)``, each ``(T, B, n)``: the synaptic input of
        :func:`delayed_input` and the outputs of :func:`run_lif`.
    """
    spikes = np.transpose(raster, (1, 0, 2)).astype(np.float64)
    trace = []
    for k, layer in enumerate(layers):
        if noise is None:
            x = delayed_input(spikes, layer.weight)
            v, spikes = run_lif(x, layer)
        else:
            x = delayed_input(spikes * noise.delivered[k], layer.weight)
            v, spikes = run_lif(x, layer, noise.current[k], noise.membrane[k])
        trace.append((x, v, spikes))
    return trace


def backward_lif(grad_spikes: np.ndarray, v: np.ndarray, spikes: np.ndarray, layer: LifLayer,
                 slope: float) -> np.ndarray:
    """Backpropagate through time through one ``lif`` population (surrogate gradient).

    Parameters
    ----------
    grad_spikes : ndarray
        ``(T, B, n)`` loss gradient with respect to the spikes.
    v, spikes : ndarray
        The forward pass of :func:`run_lif`.
    layer : LifLayer
        Population parameters.
    slope : float
        ``k`` of the fast-sigmoid surrogate.

    Returns
    -------
    ndarray
        ``(T, B, n)`` loss gradient with respect to the synaptic input ``x``.
    """
    keep_syn, keep_mem = 1.0 - layer.decay_syn, 1.0 - layer.decay_mem
    reachable = np.isfinite(layer.v_th) & (layer.v_th > 0)   # dead / stuck-on neurons pass no gradient
    v_th = np.where(reachable, layer.v_th, 1.0)
    surrogate = np.where(reachable, 1.0 / (1.0 + slope * np.abs(v - v_th) / v_th) ** 2, 0.0)
    grad_x = np.empty_like(v)
    grad_v_next = np.zeros(v.shape[1:])
    grad_i_next = np.zeros(v.shape[1:])
    for t in range(v.shape[0] - 1, -1, -1):
        grad_v = grad_spikes[t] * surrogate[t] + grad_v_next * (1.0 - spikes[t])
        grad_i = grad_v + keep_syn * grad_i_next
        grad_x[t] = grad_i
        grad_v_next, grad_i_next = keep_mem * grad_v, grad_i
    return grad_x


def loihi_fake_quantise(weight: np.ndarray, v_th: float = 1.0) -> np.ndarray:
    """Round one projection's weights to the Loihi-like grid of its target population.

    Parameters
    ----------
    weight : ndarray
        Weights in membrane units.
    v_th : float
        The target population's (largest) threshold, membrane units; it sits at 2**20 state units.

    Returns
    -------
    ndarray
        ``v_th * mantissa * 2**(exp - 14)``: mantissas even in [-256, 254] for mixed signs
        (any in [-255, 255] otherwise), ``exp`` the smallest fitting the largest weight.
    """
    units = weight / v_th * 2.0 ** WEIGHT_UNIT_BITS
    peak = float(np.max(np.abs(units)))
    if peak == 0:
        return weight.copy()
    mixed = units.min() < 0 < units.max()
    high, low = (254, -256) if mixed else (255, -255)
    exp = int(np.ceil(np.log2(peak / high)))
    scaled = units / 2.0 ** exp
    mant = 2 * np.round(scaled / 2) if mixed else np.round(scaled)
    return np.clip(mant, low, high) * 2.0 ** (exp - WEIGHT_UNIT_BITS) * v_th


def make_lif_layer(weight: np.ndarray, config: SnnConfig) -> LifLayer:
    """The ``lif`` population used by the bundled SNN: ``v_th = 1``, no synaptic memory, reset to 0."""
    n = weight.shape[0]
    return LifLayer(weight=weight, decay_syn=np.ones(n), decay_mem=np.full(n, config.decay_mem),
                    bias=np.zeros(n), v_th=np.ones(n), v_reset=np.zeros(n))


def snn_gradients(weights: list[np.ndarray], raster: np.ndarray, labels: np.ndarray,
                  config: SnnConfig, layers: list[LifLayer] | None = None,
                  noise: ForwardNoise | None = None) -> list[np.ndarray]:
    """Weight gradients of the SNN's training loss on one minibatch.

    The loss is the mean cross-entropy of ``logit_scale * spike_count / n_steps`` plus
    ``rate_penalty`` times the mean hidden spike rate plus ``input_penalty`` times the
    per-sample sum of ``max(|x| - input_limit, 0)**2`` over both layers' inputs.

    Parameters
    ----------
    weights : list of ndarray
        ``[W_hidden (H, 64), W_out (10, H)]``, membrane units.
    raster : ndarray
        ``(B, T, 64)`` input spikes.
    labels : ndarray
        ``(B,)`` classes.
    config : SnnConfig
        Hyper-parameters (logit scale, rate penalty, surrogate slope).
    layers : list of LifLayer, optional
        The forward pass's layers; default :func:`make_lif_layer` of ``weights``. Noise-aware
        training passes a noisy chip instance: the gradients computed there are returned for
        the clean ``weights`` (straight-through).
    noise : ForwardNoise, optional
        Dynamic noise of the forward pass; dropped spikes carry no gradient.

    Returns
    -------
    list of ndarray
        Gradients with respect to each weight matrix.
    """
    layers = layers if layers is not None else [make_lif_layer(w, config) for w in weights]
    (x_h, v_h, s_h), (x_o, v_o, s_o) = simulate_snn(raster, layers, noise)
    inputs = np.transpose(raster, (1, 0, 2)).astype(np.float64)
    reach_h, reach_o = (noise.delivered[0], noise.delivered[1]) if noise is not None else (1.0, 1.0)
    n = len(labels)
    scale = config.logit_scale / config.n_steps
    grad_logits = cross_entropy_gradient(scale * s_o.sum(axis=0), labels)
    excess_h, excess_o = (np.maximum(np.abs(x) - config.input_limit, 0.0) for x in (x_h, x_o))
    grad_out = np.broadcast_to(scale * grad_logits, s_o.shape)
    grad_x_out = backward_lif(grad_out, v_o, s_o, layers[1], config.surrogate_slope)
    grad_x_out += (2 * config.input_penalty / n) * excess_o * np.sign(x_o)
    delivered_h = s_h * reach_o
    grad_w_out = np.einsum("tbo,tbi->oi", grad_x_out[1:], delivered_h[:-1])
    grad_s_h = np.full(s_h.shape, config.rate_penalty / s_h.size)
    grad_s_h[:-1] += (grad_x_out[1:] @ layers[1].weight) * (reach_o[:-1] if noise is not None else 1.0)
    grad_x_h = backward_lif(grad_s_h, v_h, s_h, layers[0], config.surrogate_slope)
    grad_x_h += (2 * config.input_penalty / n) * excess_h * np.sign(x_h)
    grad_w_h = np.einsum("tbo,tbi->oi", grad_x_h[1:], (inputs * reach_h)[:-1])
    return [grad_w_h, grad_w_out]


def noisy_instance(weights: list[np.ndarray], config: SnnConfig, noise: NoiseSpec, batch: int,
                   rng: np.random.Generator) -> tuple[list[LifLayer], ForwardNoise | None]:
    """One chip instance for a minibatch of ``batch`` samples: the layers after ``noise``'s static
    sources (drawn by :mod:`hwsim.noise` on the float chip) and its pre-drawn dynamic noise, both
    seeded from ``rng`` (:mod:`hwsim.models.noise_training`)."""
    seed = int(rng.integers(2**63))
    graph = build_snn_graph(weights, config, {})
    layers = [LifLayer(**params) for params in noisy_chain(graph, noise, seed)]
    programmed_v_th = [make_lif_layer(w, config).v_th for w in weights]
    return layers, forward_noise(noise, programmed_v_th, N_FEATURES, config.n_steps, batch,
                                 np.random.default_rng(seed))


def train_snn(x_train: np.ndarray, y_train: np.ndarray, config: SnnConfig,
              rng: np.random.Generator, noise: NoiseSpec | None = None) -> list[np.ndarray]:
    """Train the SNN's weights (float64, membrane units of ``v_th = 1``).

    Parameters
    ----------
    x_train, y_train : ndarray
        Features in [0, 1] ``(n, 64)`` and classes ``(n,)``.
    config : SnnConfig
        Hyper-parameters.
    rng : numpy.random.Generator
        Source of the initial weights, the minibatch order and (with ``noise``) each minibatch's
        chip instance.
    noise : NoiseSpec, optional
        Noise-aware training: every minibatch runs on a fresh instance of this noise
        (:func:`noisy_instance`); kinds the training simulator cannot draw raise UnsupportedError.

    Returns
    -------
    list of ndarray
        ``[W_hidden (H, 64), W_out (10, H)]``.
    """
    check_trainable(noise)
    raster = rate_encode(x_train, config.n_steps, "regular")
    params = {"w_h": rng.normal(0.0, 1.0 / np.sqrt(N_FEATURES), (config.n_hidden, N_FEATURES)),
              "w_o": rng.normal(0.0, 1.0 / np.sqrt(config.n_hidden), (N_CLASSES, config.n_hidden))}
    optimiser = Adam(params, config.lr)
    for epoch in range(config.epochs):
        for batch in minibatches(len(y_train), config.batch_size, rng):
            weights = [params["w_h"], params["w_o"]]
            layers, forward = (None, None) if noise is None else noisy_instance(weights, config, noise, len(batch), rng)
            g_h, g_o = snn_gradients(weights, raster[batch], y_train[batch], config, layers, forward)
            optimiser.step({"w_h": g_h, "w_o": g_o}, cosine_factor(epoch, config.epochs))
    return [params["w_h"], params["w_o"]]


def build_snn_graph(weights: list[np.ndarray], config: SnnConfig, metadata: dict) -> Graph:
    """The IR graph pixels (spike) -> hidden (lif) -> output (lif) -> readout (spike_count).

    Parameters
    ----------
    weights : list of ndarray
        ``[W_hidden, W_out]`` in membrane units.
    config : SnnConfig
        Fixes the populations' parameters (see :func:`make_lif_layer`).
    metadata : dict
        JSON-able facts stored with the graph.
    """
    graph = Graph("digits_snn", metadata=metadata)
    graph.add_input("pixels", N_FEATURES, kind="spike")
    for name, weight in zip(("hidden", "output"), weights):
        layer = make_lif_layer(weight, config)
        graph.add_population(name, weight.shape[0], "lif", reset="value", decay_syn=layer.decay_syn,
                             decay_mem=layer.decay_mem, v_th=layer.v_th, bias=layer.bias,
                             v_reset=layer.v_reset, refractory_steps=0.0)
    graph.add_projection("pixels", "hidden", weights[0])
    graph.add_projection("hidden", "output", weights[1])
    graph.add_output("readout", "output", readout="spike_count")
    return graph.validate()


def snn_layers_from_graph(graph: Graph) -> list[LifLayer]:
    """Read a feed-forward chain of ``lif`` populations back from ``graph``.

    Raises
    ------
    UnsupportedError
        When a population is not ``lif`` with ``reset="value"`` and no refractory period fed by
        one dense delay-1 projection from the previous node (what :func:`simulate_snn` runs).
    """
    layers, previous = [], graph.inputs()[0].name
    for pop in graph.populations():
        projections = list(graph.incoming(pop.name))
        chain_ok = (len(projections) == 1 and projections[0].pre == previous
                    and not projections[0].is_sparse and np.all(projections[0].delay_steps == 1))
        refractory = np.any(pop.params["refractory_steps"])
        if pop.model != "lif" or pop.reset != "value" or refractory or not chain_ok:
            raise UnsupportedError(f"population '{pop.name}': model '{pop.model}', reset '{pop.reset}'; "
                                   f"the training-time simulator expected a chain of 'lif' populations "
                                   f"with reset 'value', no refractory period and one dense delay-1 "
                                   f"projection each. Hint: simulate other graphs with hwsim.pipeline.")
        params = {key: pop.params[key] for key in ("decay_syn", "decay_mem", "bias", "v_th", "v_reset")}
        layers.append(LifLayer(weight=projections[0].weight, **params))
        previous = pop.name
    return layers


def predict_from_counts(counts: np.ndarray, v_final: np.ndarray) -> np.ndarray:
    """Class of each sample from ``(B, 10)`` spike counts, as :mod:`hwsim.pipeline` decides it.

    The most spikes wins; ties go to the higher final membrane potential ``v_final``
    (after the last step's reset), then to the lower index.
    """
    lowest_first = np.broadcast_to(-np.arange(counts.shape[1]), counts.shape)
    return np.lexsort((lowest_first, v_final, counts), axis=-1)[:, -1]


def evaluate_snn(graph: Graph, x: np.ndarray, labels: np.ndarray, fake_quantise: bool = False) -> dict:
    """Accuracy and activity of a spiking chain on rate-coded features.

    Parameters
    ----------
    graph : Graph
        A graph accepted by :func:`snn_layers_from_graph` whose metadata holds ``n_steps``.
    x, labels : ndarray
        Features in [0, 1] ``(n, 64)`` and classes ``(n,)``.
    fake_quantise : bool
        Round every projection with :func:`loihi_fake_quantise` first.

    Returns
    -------
    dict
        ``accuracy`` (fraction), ``mean_spikes_per_sample`` per layer (``input`` first) and
        ``max_abs_input_v_th``, the largest ``|x|`` of any step and neuron in units of ``v_th``.
    """
    layers = snn_layers_from_graph(graph)
    if fake_quantise:
        layers = [replace(layer, weight=loihi_fake_quantise(layer.weight, float(np.max(layer.v_th))))
                  for layer in layers]
    raster = rate_encode(x, graph.metadata["n_steps"], graph.metadata["encoding"])
    trace = simulate_snn(raster, layers)
    _, v_out, s_out = trace[-1]
    counts = s_out.sum(axis=0)
    v_final = np.where(s_out[-1] > 0, layers[-1].v_reset, v_out[-1])
    spikes = {"input": float(raster.sum()) / len(labels)}
    for pop, (_, _, s) in zip(graph.populations(), trace):
        spikes[pop.name] = float(s.sum()) / len(labels)
    peak = max(float(np.max(np.abs(xl) / layer.v_th)) for (xl, _, _), layer in zip(trace, layers))
    return {"accuracy": float(np.mean(predict_from_counts(counts, v_final) == labels)),
            "mean_spikes_per_sample": spikes, "max_abs_input_v_th": peak}


# ============================================================== MLP
@dataclass(frozen=True)
class MlpConfig:
    """Hyper-parameters of the printed-MAC MLP and its training.

    Attributes
    ----------
    n_hidden : int
        Hidden ``relu`` neurons (each costs 64 multipliers on a printed circuit).
    epochs, batch_size : int
        Training length and minibatch size (samples).
    lr : float
        Adam step size.
    weight_decay : float
        L2 penalty on the weights (not the biases).
    """

    n_hidden: int = 10
    epochs: int = 300
    batch_size: int = 64
    lr: float = 3e-3
    weight_decay: float = 1e-4


@dataclass(frozen=True)
class IntegerMlp:
    """The printed-MAC integer model of the MLP (see the module docstring).

    Attributes
    ----------
    w_hidden, b_hidden, w_out, b_out : ndarray
        int64 weights and biases in accumulator units.
    hidden_shift : int
        Right shift from hidden accumulators to 8-bit activations.
    """

    w_hidden: np.ndarray
    b_hidden: np.ndarray
    w_out: np.ndarray
    b_out: np.ndarray
    hidden_shift: int


def adc_codes(x: np.ndarray) -> np.ndarray:
    """4-bit ADC codes ``round(15 x)`` (int64) of features ``x`` in [0, 1]."""
    return np.round(x * ADC_LEVELS).astype(np.int64)


def hidden_accumulators(w_int: np.ndarray, b_int: np.ndarray, codes: np.ndarray) -> np.ndarray:
    """ReLU of the hidden layer's integer accumulators ``(n, H)``."""
    return np.maximum(codes @ w_int.T + b_int, 0)


def quantise_mlp(params: dict[str, np.ndarray], x_train: np.ndarray) -> IntegerMlp:
    """Quantise float MLP parameters to the printed-MAC integer model.

    Parameters
    ----------
    params : dict of str to ndarray
        ``w_h (H, 64)``, ``b_h (H,)``, ``w_o (10, H)``, ``b_o (10,)`` (real units).
    x_train : ndarray
        ``(n, 64)`` training features in [0, 1]; they fix the hidden shift.

    Returns
    -------
    IntegerMlp
        Integer weights, biases and the hidden shift.
    """
    input_step = 1.0 / ADC_LEVELS
    s_h = float(np.max(np.abs(params["w_h"]))) / WEIGHT_MAX_INT
    w_h = np.round(params["w_h"] / s_h).astype(np.int64)
    b_h = np.round(params["b_h"] / (s_h * input_step)).astype(np.int64)
    peak = int(hidden_accumulators(w_h, b_h, adc_codes(x_train)).max())
    shift = max(0, peak.bit_length() - ACTIVATION_BITS)
    hidden_step = s_h * input_step * 2 ** shift
    s_o = float(np.max(np.abs(params["w_o"]))) / WEIGHT_MAX_INT
    w_o = np.round(params["w_o"] / s_o).astype(np.int64)
    b_o = np.round(params["b_o"] / (s_o * hidden_step)).astype(np.int64)
    return IntegerMlp(w_h, b_h, w_o, b_o, shift)


def integer_mlp_scores(model: IntegerMlp, x: np.ndarray) -> np.ndarray:
    """Output accumulators (int64 ``(n, 10)``) of the integer MLP on features ``x`` in [0, 1].

    The hidden accumulators are shifted right and saturated at 255 (8-bit unsigned).
    """
    acc = hidden_accumulators(model.w_hidden, model.b_hidden, adc_codes(x))
    hidden = np.minimum(acc >> model.hidden_shift, (1 << ACTIVATION_BITS) - 1)
    return hidden @ model.w_out.T + model.b_out


def float_mlp_forward(params: dict[str, np.ndarray], x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Float MLP ``h = relu(W_h x + b_h)``, ``y = W_o h + b_o``; returns ``(h, y)``."""
    hidden = np.maximum(x @ params["w_h"].T + params["b_h"], 0.0)
    return hidden, hidden @ params["w_o"].T + params["b_o"]


def mlp_gradients(params: dict[str, np.ndarray], x: np.ndarray, labels: np.ndarray,
                  weight_decay: float) -> dict[str, np.ndarray]:
    """Gradients of the mean cross-entropy plus the L2 penalty on one minibatch."""
    hidden, logits = float_mlp_forward(params, x)
    grad_logits = cross_entropy_gradient(logits, labels)
    grad_hidden = (grad_logits @ params["w_o"]) * (hidden > 0)
    return {"w_o": grad_logits.T @ hidden + weight_decay * params["w_o"],
            "b_o": grad_logits.sum(axis=0),
            "w_h": grad_hidden.T @ x + weight_decay * params["w_h"],
            "b_h": grad_hidden.sum(axis=0)}


def train_mlp(x_train: np.ndarray, y_train: np.ndarray, config: MlpConfig,
              rng: np.random.Generator, noise: NoiseSpec | None = None) -> dict[str, np.ndarray]:
    """Train the float MLP with Adam; returns ``w_h, b_h, w_o, b_o`` (real units).

    Parameters
    ----------
    x_train, y_train : ndarray
        Features in [0, 1] ``(n, 64)`` and classes ``(n,)``.
    config : MlpConfig
        Hyper-parameters.
    rng : numpy.random.Generator
        Source of the initial weights, the minibatch order and (with ``noise``) each minibatch's
        chip instance.
    noise : NoiseSpec, optional
        Noise-aware training on the printed circuit: every minibatch's forward pass uses a fresh
        instance of the quantised, noisy circuit (:func:`hwsim.models.noise_training.noisy_mlp`,
        calibrated on ``x_train``); gradients are applied to the float weights.
    """
    params = {"w_h": rng.normal(0.0, np.sqrt(2.0 / N_FEATURES), (config.n_hidden, N_FEATURES)),
              "b_h": np.zeros(config.n_hidden),
              "w_o": rng.normal(0.0, np.sqrt(1.0 / config.n_hidden), (N_CLASSES, config.n_hidden)),
              "b_o": np.zeros(N_CLASSES)}
    chip = load_chip("printed_egfet") if noise is not None else None
    optimiser = Adam(params, config.lr)
    for epoch in range(config.epochs):
        for batch in minibatches(len(y_train), config.batch_size, rng):
            forward = params
            if noise is not None:
                layers = noisy_mlp(build_mlp_graph(params, {}), chip, noise, int(rng.integers(2**63)), x_train)
                forward = {"w_h": layers[0][0], "b_h": layers[0][1], "w_o": layers[1][0], "b_o": layers[1][1]}
            grads = mlp_gradients(forward, x_train[batch], y_train[batch], config.weight_decay)
            optimiser.step(grads, cosine_factor(epoch, config.epochs))
    return params


def build_mlp_graph(params: dict[str, np.ndarray], metadata: dict) -> Graph:
    """The IR graph pixels (value) -> hidden (relu) -> output (identity) -> readout (value)."""
    graph = Graph("digits_mlp", metadata=metadata)
    graph.add_input("pixels", N_FEATURES, kind="value")
    graph.add_population("hidden", params["w_h"].shape[0], "relu", bias=params["b_h"])
    graph.add_population("output", N_CLASSES, "identity", bias=params["b_o"])
    graph.add_projection("pixels", "hidden", params["w_h"])
    graph.add_projection("hidden", "output", params["w_o"])
    graph.add_output("readout", "output", readout="value")
    return graph.validate()


def mlp_params_from_graph(graph: Graph) -> dict[str, np.ndarray]:
    """Read ``w_h, b_h, w_o, b_o`` back from a graph written by :func:`build_mlp_graph`."""
    hidden, output = graph.node("hidden"), graph.node("output")
    return {"w_h": next(graph.incoming("hidden")).weight, "b_h": hidden.params["bias"],
            "w_o": next(graph.incoming("output")).weight, "b_o": output.params["bias"]}


def evaluate_mlp(graph: Graph, x_train: np.ndarray, x: np.ndarray, labels: np.ndarray) -> dict:
    """Float and printed-MAC integer accuracy of the MLP in ``graph``.

    Parameters
    ----------
    graph : Graph
        A graph written by :func:`build_mlp_graph`.
    x_train : ndarray
        Training features (calibrate the hidden shift of the integer model).
    x, labels : ndarray
        Evaluation features in [0, 1] ``(n, 64)`` and classes ``(n,)``.

    Returns
    -------
    dict
        ``accuracy_float``, ``accuracy_fake_quantised`` (fractions) and ``hidden_shift``.
    """
    params = mlp_params_from_graph(graph)
    integer = quantise_mlp(params, x_train)
    float_scores = float_mlp_forward(params, x)[1]
    integer_scores = integer_mlp_scores(integer, x)
    return {"accuracy_float": float(np.mean(float_scores.argmax(axis=1) == labels)),
            "accuracy_fake_quantised": float(np.mean(integer_scores.argmax(axis=1) == labels)),
            "hidden_shift": integer.hidden_shift}


# ============================================================== command line
def task_metadata(training_seed: int) -> dict:
    """Metadata shared by both bundled models (task, data, split, feature scale, seed)."""
    return {"task": "digits", "dataset": "sklearn.datasets.load_digits",
            "split": {"test_fraction": TEST_FRACTION, "seed": SPLIT_SEED, "stratified": True},
            "feature_scale": FEATURE_SCALE, "training_seed": training_seed}


def make_snn(data: tuple, seed_sequence: np.random.SeedSequence, training_seed: int,
             noise: NoiseSpec | None = None) -> Graph:
    """Train the SNN (with ``noise``: noise-aware), measure it and return its graph with complete metadata."""
    x_train, y_train, x_test, y_test = data
    config = SnnConfig()
    weights = train_snn(x_train, y_train, config, np.random.default_rng(seed_sequence), noise)
    metadata = task_metadata(training_seed) | ({} if noise is None else {"training_noise": noise.to_dict()}) | {
        "n_steps": config.n_steps, "encoding": "regular",
        "readout": "spike_count",
        "prediction": "the output neuron with the most spikes over n_steps steps; ties go to the "
                      "higher final membrane potential, then to the lower index (as hwsim.pipeline)",
        "training": {"method": "surrogate-gradient BPTT (fast sigmoid) through the IR semantics, "
                               "Adam, cosine learning-rate schedule", **asdict(config)},
        "fake_quantisation": "loihi: v_th at 2**20 state units, 8-bit weight mantissas (even for mixed "
                             "signs) with one power-of-two exponent per projection"}
    graph = build_snn_graph(weights, config, metadata)
    measured = evaluate_snn(graph, x_test, y_test)
    quantised = evaluate_snn(graph, x_test, y_test, fake_quantise=True)
    graph.metadata |= {"test_accuracy_float": measured["accuracy"],
                       "test_accuracy_fake_quantised": quantised["accuracy"],
                       "test_mean_spikes_per_sample": measured["mean_spikes_per_sample"],
                       "test_max_abs_input_v_th": measured["max_abs_input_v_th"]}
    return graph


def make_mlp(data: tuple, seed_sequence: np.random.SeedSequence, training_seed: int,
             noise: NoiseSpec | None = None) -> Graph:
    """Train the MLP (with ``noise``: noise-aware), measure it and return its graph with complete metadata."""
    x_train, y_train, x_test, y_test = data
    config = MlpConfig()
    params = train_mlp(x_train, y_train, config, np.random.default_rng(seed_sequence), noise)
    metadata = task_metadata(training_seed) | ({} if noise is None else {"training_noise": noise.to_dict()}) | {
        "n_steps": 1, "encoding": "value",
        "readout": "value", "prediction": "argmax over the 10 output values (the lowest index wins ties)",
        "training": {"method": "cross-entropy, Adam, cosine learning-rate schedule", **asdict(config)},
        "fake_quantisation": "printed_mac: inputs round(15 x) (4 bits), weights round(w / s) with "
                             "s = max|w| / 127 per layer, biases round(b / (s * input_step)), hidden "
                             "ReLU shifted right by the smallest shift keeping the training-set "
                             "maximum < 256 and saturated at 255; calibration set: the training split"}
    graph = build_mlp_graph(params, metadata)
    measured = evaluate_mlp(graph, x_train, x_test, y_test)
    graph.metadata |= {"test_accuracy_float": measured["accuracy_float"],
                       "test_accuracy_fake_quantised": measured["accuracy_fake_quantised"],
                       "hidden_shift": measured["hidden_shift"]}
    return graph


#: Where a retrained model goes by default: never over the bundled models.
DEFAULT_OUT = "hwsim_models"


def main(argv: list[str] | None = None) -> None:
    """Train both models (or ``--only`` one, with ``--noise`` noise-aware) and write ``digits_snn.npz`` and
    ``digits_mlp.npz`` (see the module doc)."""
    parser = argparse.ArgumentParser(prog="python -m hwsim.models.train_digits",
                                     description="Train hwsim's bundled digits models.")
    parser.add_argument("--seed", type=int, default=0, help="training seed (default 0)")
    parser.add_argument("--out", type=Path, default=Path(DEFAULT_OUT),
                        help=f"output folder (default ./{DEFAULT_OUT}; the bundled models are in {DATA_DIR})")
    parser.add_argument("--noise", type=Path, help="noise spec YAML: train noise-aware "
                                                   "(hwsim.models.noise_training)")
    parser.add_argument("--only", choices=("snn", "mlp"), help="train just one of the two models")
    args = parser.parse_args(argv)
    noise = load_noise(args.noise) if args.noise is not None else None
    check_trainable(noise)
    args.out.mkdir(parents=True, exist_ok=True)
    data = load_digits_split(TEST_FRACTION, SPLIT_SEED)
    snn_seeds, mlp_seeds = np.random.SeedSequence(args.seed).spawn(2)
    jobs = {"snn": (make_snn, snn_seeds), "mlp": (make_mlp, mlp_seeds)}
    for name, (make, seeds) in jobs.items():
        if args.only not in (None, name):
            continue
        start = time.perf_counter()
        graph = make(data, seeds, args.seed, noise)
        path = save_graph(graph, args.out / graph.name)
        meta = graph.metadata
        print(f"{graph.name}: trained in {time.perf_counter() - start:.1f} s; held-out accuracy "
              f"float {meta['test_accuracy_float']:.4f}, fake-quantised "
              f"{meta['test_accuracy_fake_quantised']:.4f}; {path} ({path.stat().st_size / 1024:.1f} KiB)")
        if "test_mean_spikes_per_sample" in meta:
            spikes = ", ".join(f"{k} {v:.1f}" for k, v in meta["test_mean_spikes_per_sample"].items())
            print(f"  mean spikes per sample: {spikes}; max |x| {meta['test_max_abs_input_v_th']:.2f} v_th")


if __name__ == "__main__":
    main()
