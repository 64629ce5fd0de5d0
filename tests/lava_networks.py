"""Networks for the Lava parity tests, built directly in Loihi's integers.

Each random network has 1-2 inputs and three LIF populations joined by 5-7 projections whose
kind (Dense, Sparse, DelayDense), sign mode (EXC, INH, MIXED), weight exponent (-3..3) and
recurrence vary with the seed. Registers are drawn per population (du, dv, vth) and per
neuron (bias mantissa and exponent) within Lava's ranges. Inputs are kept small enough that
``a_in << 6`` stays below 2**23, where Lava's int32 datapath and hwsim's int64 one agree.
"""
from dataclasses import replace

import numpy as np

from hwsim.interop.lava import LOIHI_ARITHMETIC
from hwsim.mapping import Group, Placement
from hwsim.quantize import QInput, QPopulation, QProjection, QuantizedNetwork

V_MAX = (1 << 23) - 1
SIGN_MODES = ("EXCITATORY", "INHIBITORY", "MIXED")


def placement(qnet: QuantizedNetwork) -> Placement:
    """Every neuron on core 0; one counter group per input and per population."""
    groups = tuple(Group(-1, i.name) for i in qnet.inputs) + tuple(Group(0, p.name) for p in qnet.populations)
    n_in = len(qnet.inputs)
    input_group = np.concatenate([np.full(i.size, k) for k, i in enumerate(qnet.inputs)]).astype(np.int64)
    neuron_group = np.concatenate([np.full(p.size, n_in + k) for k, p in enumerate(qnet.populations)])
    return Placement(chip="lava", neuron_core=np.zeros(qnet.n_neurons, dtype=np.int64),
                     neuron_group=neuron_group.astype(np.int64), input_group=input_group, groups=groups,
                     core_xy=np.zeros((1, 2), dtype=np.int64), input_xy=(0, 0), cores_used=(0,))


def population(rng, name, size, offset, du=None, dv=None, vth=None, bias_scale=1.0) -> QPopulation:
    """A Lava-compatible population: one du, dv, vth; per-neuron bias = mant << exp (30% of neurons)."""
    du = int(rng.choice([-1, 0, 1, 410, 2048, 4095])) if du is None else du
    dv = int(rng.choice([0, 205, 1024, 4096])) if dv is None else dv
    vth = int(rng.integers(30, 500)) if vth is None else vth
    mant = np.round(rng.integers(-4096, 4096, size) * bias_scale).astype(np.int64)
    bias = (mant << rng.integers(0, 8, size)) * (rng.random(size) < 0.3)

    def full(value):
        return np.full(size, value, dtype=np.int64)

    return QPopulation(name=name, model="lif", size=size, offset=offset, syn_factor=full(4095 - du),
                       mem_factor=full(4096 - dv), v_th=full(vth << 6), has_threshold=True, bias=bias,
                       v_reset=full(0), refractory_steps=full(0), scale=1.0)


def projection(rng, pre, pre_offset, pre_size, post, density, sign, max_delay, shift) -> QProjection:
    """Synapses on a random ``density`` of the neuron pairs, mantissas valid for ``sign``, delays 1..max_delay."""
    post_index, pre_index = np.nonzero(rng.random((post.size, pre_size)) < density)
    n = pre_index.size
    magnitude = rng.integers(1, 128, n) * 2         # even: valid in every sign mode
    if sign == "EXCITATORY":
        weight = magnitude - (rng.random(n) < 0.5)   # odd values too
    elif sign == "INHIBITORY":
        weight = -magnitude + (rng.random(n) < 0.5)
    else:
        weight = np.where(rng.random(n) < 0.5, magnitude, -magnitude)
        if n >= 2:
            weight[:2] = (-256, 254)                 # both ends of the MIXED range
    return QProjection(pre=pre, post=post.name, pre_index=(pre_index + pre_offset).astype(np.int64),
                       post_index=(post_index + post.offset).astype(np.int64), weight=weight.astype(np.int64),
                       delay_steps=rng.integers(1, max_delay + 1, n).astype(np.int64), shift=shift)


def random_network(seed: int, n_steps: int) -> tuple[QuantizedNetwork, np.ndarray]:
    """One seeded network and an input raster ``(n_steps, n_input_channels)``."""
    rng = np.random.default_rng(seed)
    inputs = [QInput("in0", int(rng.integers(12, 24)), 0, "spike")]
    if seed % 2:
        inputs.append(QInput("in1", int(rng.integers(4, 10)), inputs[0].size, "spike"))
    n_in = sum(i.size for i in inputs)
    pops, offset = [], 0
    for name, size in (("a", rng.integers(10, 30)), ("b", rng.integers(8, 24)), ("c", rng.integers(4, 12))):
        pops.append(population(rng, name, int(size), offset))
        offset += int(size)
    a, b, c = pops

    def src(node):
        return (node.name, node.offset, node.size) if isinstance(node, QInput) else (node.name, n_in + node.offset,
                                                                                        node.size)

    def sign(k):
        return SIGN_MODES[(seed + k) % 3]

    def shift():
        return int(rng.integers(-3, 4))

    projs = [projection(rng, *src(inputs[0]), a, 0.7, sign(0) if seed % 3 else "MIXED", 1, shift()),
             projection(rng, *src(inputs[-1]), b, 0.1, sign(1), 1, shift()),           # Sparse
             projection(rng, *src(a), b, 0.5, sign(2), 6, shift()),                    # DelayDense
             projection(rng, *src(b), c, 0.6, "MIXED", 1 + seed % 4, shift()),
             projection(rng, *src(a), a, 0.15, "INHIBITORY", 1, shift())]             # recurrent
    if seed % 2 == 0:
        projs.append(projection(rng, *src(c), b, 0.4, sign(1), 4, shift()))          # feedback
    if seed % 3 == 1:
        projs.append(projection(rng, *src(inputs[0]), c, 0.3, "EXCITATORY", 3, shift()))
    rates = rng.uniform(0.05, 0.35, n_in)
    spikes = (rng.random((n_steps, n_in)) < rates).astype(np.uint8)
    return QuantizedNetwork(LOIHI_ARITHMETIC, tuple(inputs), tuple(pops), tuple(projs), n_in, offset), spikes


def extremes_network(n_steps: int) -> tuple[QuantizedNetwork, np.ndarray]:
    """Drive Lava's corner cases: u wraps ("wrap": du = 0, excitatory input << 4 accumulates past 2**23),
    v saturates at -(2**23 - 1) ("sat": strong inhibition, negative bias, no leak), vth at its maximum."""
    rng = np.random.default_rng(1234)
    inp = QInput("in", 16, 0, "spike")
    wrap = population(rng, "wrap", 6, 0, du=0, dv=4096, vth=(1 << 17) - 1, bias_scale=0.0)
    sat = population(rng, "sat", 6, 6, du=2048, dv=0, vth=(1 << 17) - 1)
    sat = replace(sat, bias=np.full(6, -4096 << 7, dtype=np.int64))              # -524,288 per step
    projs = (projection(rng, "in", 0, 16, wrap, 1.0, "EXCITATORY", 1, 4),
             projection(rng, "in", 0, 16, sat, 1.0, "INHIBITORY", 2, 3))
    spikes = (rng.random((n_steps, 16)) < 0.3).astype(np.uint8)
    return QuantizedNetwork(LOIHI_ARITHMETIC, (inp,), (wrap, sat), projs, 16, 12), spikes


def islands_network(n_steps: int) -> tuple[QuantizedNetwork, np.ndarray]:
    """Two unconnected sub-networks and a population driven by its bias alone (Lava runs each part)."""
    rng = np.random.default_rng(99)
    inputs = (QInput("x", 8, 0, "spike"), QInput("y", 6, 8, "spike"))
    pops = (population(rng, "px", 10, 0), population(rng, "py", 7, 10),
            replace(population(rng, "alone", 4, 17, vth=300), bias=np.array([4095, 2000 << 2, 1 << 9, 0])))
    projs = (projection(rng, "x", 0, 8, pops[0], 0.8, "MIXED", 2, -1),
             projection(rng, "y", 8, 6, pops[1], 0.8, "EXCITATORY", 1, 0))
    spikes = (rng.random((n_steps, 14)) < 0.2).astype(np.uint8)
    return QuantizedNetwork(LOIHI_ARITHMETIC, inputs, pops, projs, 14, 21), spikes
