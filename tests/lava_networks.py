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
    input_group = np.concatenate([np.full(i.size, k) for k, i in enumerate(qnet.inputs)] + [np.zeros(0)]).astype(np.int64)
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
    return QProjection(pre=pre, post=post.name, pre_local=pre_index, post_local=post_index, pre_offset=pre_offset,
                       post_offset=post.offset, weight=weight.astype(np.int64),
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


# --- networks written as Lava users write them: graphs with Lava's own parameters ----------------------------
#
# Every population pins 64 state units per membrane unit (``metadata["state_scale"]``, as netx files do), so an
# IR weight is Lava's Dense weight times 2**weight_exp, a bias ``(mant << exp) / 64``, a threshold vth. hwsim
# quantises each graph for chips/loihi.yaml (Lava's rule for the projections' precision); Lava receives the
# *raw* weights with the same num_weight_bits, sign_mode and weight_exp and clips and truncates them itself.

LAVA_MODES = ("excitatory", "inhibitory", "mixed", "auto")


def _lava_lif(graph, rng, name, size, du, dv, vth, bias=0.0, **kw):
    graph.add_population(name, size, "lif", decay_syn=(du + 1) / 4096, decay_mem=dv / 4096, v_th=float(vth),
                         bias=bias, **kw)
    graph.metadata.setdefault("state_scale", {})[name] = 64.0


def _raw_weights(rng, shape, low=-300, high=301, density=0.8):
    """Integer Lava weights, some beyond the 8-bit range (Lava clips them), zeros where there is no synapse."""
    return rng.integers(low, high, shape) * (rng.random(shape) < density)


def precision_graphs(seed: int = 0):
    """``{case: (graph, input raster (T, channels) or None, n_steps)}``: the issue's Lava checks as graphs."""
    from hwsim.ir import Graph

    rng = np.random.default_rng(seed)
    cases = {}
    # explicit sign modes (overriding the data's signs) x weight bits, random exponents -3..3
    g = Graph("signs_bits")
    g.add_input("in", 16)
    for mode in LAVA_MODES:
        for bits in (2, 4, 6, 8):
            name = f"{mode}{bits}"
            _lava_lif(g, rng, name, 5, du=int(rng.choice([0, 410, 4095])), dv=int(rng.choice([0, 205, 1024])),
                      vth=int(rng.integers(200, 2000)), bias=(int(rng.integers(2000, 4000)) << 5) / 64.0)
            exp = int(rng.integers(-3, 4))
            data = _raw_weights(rng, (5, 16), *((-300, 301) if mode != "inhibitory" else (-300, 120)))
            g.add_projection("in", name, data * 2.0 ** exp, weight_bits=bits, weight_exp=exp,
                             sign_mode=None if mode == "auto" else mode)
            g.add_output(f"o_{name}", name)
    cases["signs_bits"] = (g, (rng.random((120, 16)) < 0.25).astype(np.uint8), 120)
    # weight exponents -3..3 and a large positive one (the chip's largest, 7)
    g = Graph("exponents")
    g.add_input("in", 8)
    for exp in (-3, -2, -1, 0, 1, 2, 3, 7):
        name = f"exp{exp + 3}"
        _lava_lif(g, rng, name, 4, du=2048, dv=512, vth=max(10, int(rng.integers(300, 900) * 2.0 ** exp)),
                  bias=(int(rng.integers(500, 1500)) << 3) / 64.0)
        g.add_projection("in", name, _raw_weights(rng, (4, 8), -120, 121) * 2.0 ** exp, weight_exp=exp,
                         sign_mode="mixed")
        g.add_output(f"o_{name}", name)
    cases["exponents"] = (g, (rng.random((100, 8)) < 0.3).astype(np.uint8), 100)
    # DelayDense delay 63 (IR delay 64), and two projections joining one pair with different delays and exponents
    g = Graph("delays_pair")
    g.add_input("in", 6)
    _lava_lif(g, rng, "late", 4, du=4095, dv=0, vth=150)
    delays = rng.integers(40, 65, (4, 6))
    delays[0, 0] = 64
    g.add_projection("in", "late", _raw_weights(rng, (4, 6), 20, 200, 1.0), delay_steps=delays, weight_bits=8,
                     sign_mode="excitatory")
    _lava_lif(g, rng, "pair", 5, du=1024, dv=256, vth=400)
    g.add_projection("in", "pair", _raw_weights(rng, (5, 6), -100, 160) * 2.0, name="fast", weight_exp=1,
                     sign_mode="mixed")
    g.add_projection("in", "pair", _raw_weights(rng, (5, 6), -250, 0) * 0.25, name="slow", weight_exp=-2,
                     delay_steps=rng.integers(2, 9, (5, 6)), sign_mode="inhibitory", weight_bits=6)
    g.add_output("o_late", "late")
    g.add_output("o_pair", "pair")
    raster = (rng.random((140, 6)) < 0.2).astype(np.uint8)
    cases["delays_pair"] = (g, raster, 140)
    # no input: biases (mantissa -4096 at exponent 7 among them), an initial state and recurrence drive it
    g = Graph("bias_driven")
    _lava_lif(g, rng, "driven", 6, du=410, dv=128, vth=900,
              bias=np.array([4095, 4095 << 1, 3000 << 3, -4096 << 7, 1500 << 2, 2000]) / 64.0,
              initial={"v": np.array([0, 5000, -3000, 20000, 800, 0]) / 64.0, "u": np.arange(6) * 100 / 64.0})
    _lava_lif(g, rng, "follower", 4, du=2048, dv=1024, vth=300, bias=np.array([-4096 << 7, 0, 100, 0]) / 64.0)
    g.add_projection("driven", "follower", _raw_weights(rng, (4, 6), 50, 250, 1.0), sign_mode="auto", weight_bits=7)
    g.add_projection("follower", "driven", _raw_weights(rng, (6, 4), -200, 0, 0.7), delay_steps=3,
                     sign_mode="inhibitory")
    g.add_output("o", "follower")
    cases["bias_driven"] = (g, None, 150)
    return cases


def lava_raw(qnet, graph):
    """``qnet`` as Lava receives it: each projection with its raw weights (``trunc(w_state / 2**exp)``, before
    Lava's clip and truncation) and the same exponent, bits and sign mode (the auto mode resolved as Lava's
    ``determine_sign_mode`` resolves it)."""
    projections = []
    for qp, proj in zip(qnet.projections, graph.projections()):
        _, _, weight, _ = proj.synapses()
        raw = np.trunc(weight / 2.0 ** qp.shift).astype(np.int64)      # w_state = weight: 64 units, << 6
        projections.append(replace(qp, weight=raw))
    return replace(qnet, projections=tuple(projections))


# --- sigma-delta neurons and graded spikes, written with Lava's own parameters ------------------------------
#
# A SigmaDelta population's vth and bias are Lava's (the process scales both by 2**(spike_exp + state_exp)); a
# projection's IR weight is chosen so that hwsim's mantissas are Lava's integer weights at its weight_exp: into a
# sigma-delta population ``W * 2**e * payload_scale / state_scale``, into a LIF (64 state units pinned per unit)
# ``W * 2**e * payload_scale``, where payload_scale = 2**spike_exp of a graded source and 1 of a spiking one.


def graded_chip():
    """chips/loihi2.yaml: sigma-delta neurons and graded spikes of up to 32 bits, with the Loihi arithmetic that
    Lava 0.10's fixed-point models implement (its LIF and Dense are Loihi 1's, its SigmaDelta Loihi 2's)."""
    from hwsim.chips import load_chip

    return load_chip("loihi2")


def _sd(graph, name, size, vth, bias=0, relu=True, cum_error=False, spike_exp=0, state_exp=0):
    graph.add_population(name, size, "sigma_delta", v_th=float(vth), bias=bias, relu=float(relu),
                         cum_error=float(cum_error), spike_exp=spike_exp, state_exp=state_exp)
    return 2.0 ** (spike_exp + state_exp), 2.0 ** spike_exp          # state scale, payload scale


def graded_graphs(seed: int = 0):
    """``{case: (graph, input raster (T, channels), n_steps)}``: sigma-delta layers and graded Dense chains."""
    from hwsim.ir import Graph

    rng = np.random.default_rng(seed)
    cases = {}
    # one layer of sigma-delta populations: ReLU or not, cumulative error or not, thresholds and exponents
    g = Graph("sd_layer")
    g.add_input("in", 12)
    for k, (vth, relu, cum, se, st) in enumerate([(0, True, False, 0, 0), (3, True, False, 2, 1),
                                                  (10, False, False, 0, 3), (5, True, True, 1, 2),
                                                  (40, False, True, 3, 0), (1, False, False, 0, 6)]):
        name = f"sd{k}"
        scale, _ = _sd(g, name, 6, vth, bias=rng.integers(-30, 31, 6) * (k % 2), relu=relu, cum_error=cum,
                       spike_exp=se, state_exp=st)
        exp = int(rng.integers(-1, 4))
        weight = rng.integers(-120, 121, (6, 12)) * 2 * (rng.random((6, 12)) < 0.7)
        g.add_projection("in", name, weight * 2.0 ** exp / scale, weight_exp=exp, sign_mode="mixed")
        g.add_output(f"o{k}", name)
    cases["sd_layer"] = (g, (rng.random((80, 12)) < 0.3).astype(np.uint8), 80)
    # sigma-delta -> Dense(num_message_bits) -> sigma-delta -> ... -> LIF, with a recurrent graded projection,
    # a graded DelayDense and a graded Sparse projection
    for bits in (8, 16, 24):
        g = Graph(f"sd_chain{bits}")
        g.add_input("in", 10)
        scale_a, pay_a = _sd(g, "a", 8, 4, bias=rng.integers(-8, 9, 8), spike_exp=2, state_exp=2)
        scale_b, pay_b = _sd(g, "b", 7, 2, relu=False, cum_error=True, spike_exp=1, state_exp=1)
        scale_c, pay_c = _sd(g, "c", 6, 6, bias=3, spike_exp=0, state_exp=3)
        _lava_lif(g, rng, "lif", 5, du=1024, dv=512, vth=120)
        g.add_projection("in", "a", rng.integers(-60, 100, (8, 10)) * 2 * 4.0 / scale_a, weight_exp=2,
                         sign_mode="mixed")
        g.add_projection("a", "b", rng.integers(-50, 51, (7, 8)) * 2 * 2.0 ** -3 * pay_a / scale_b, weight_exp=-3,
                         sign_mode="mixed", message_bits=bits)
        g.add_projection("b", "b", rng.integers(-6, 7, (7, 7)) * 2 * 2.0 ** -4 * pay_b / scale_b, weight_exp=-4,
                         sign_mode="mixed", message_bits=bits, name="b_rec")
        g.add_projection("b", "c", rng.integers(0, 90, (6, 7)) * 2.0 ** -2 * pay_b / scale_c, weight_exp=-2,
                         sign_mode="excitatory", message_bits=bits, delay_steps=rng.integers(1, 5, (6, 7)))
        sparse = rng.integers(-90, 91, (5, 6)) * 2 * (rng.random((5, 6)) < 0.2)
        g.add_projection("c", "lif", sparse * 2.0 ** -1 * pay_c, weight_exp=-1, sign_mode="mixed", message_bits=bits)
        for name in ("a", "b", "c", "lif"):
            g.add_output(f"o_{name}", name)
        cases[f"sd_chain{bits}"] = (g, (rng.random((90, 10)) < 0.35).astype(np.uint8), 90)
    return cases
