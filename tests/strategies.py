"""Hypothesis strategies: random quantised networks, placements, inputs and MLPs.

Structure (sizes, flags, datapath scalars) is drawn by hypothesis so it shrinks;
array contents come from a numpy generator seeded by a drawn integer. Values are
kept small enough that no int64 product overflows, while state widths of 8-12
bits make wrap-around and saturation happen often.

Networks have an update order (a random permutation of the populations) and
delay-0 synapses only from inputs or from populations earlier in that order, so
delay-0 edges never form a cycle. Resets are value, subtract or subtract_next. Half the populations
have one value of each model parameter (decays, ``bias_syn``, refractory period), so the kernel runs both
its uniform-slice and its general neuron update.
Populations have 1-3 receptors (synaptic currents, each with its own decay), every IR reset
(value, value_next, subtract, subtract_next, subtract_raised, none) and, half the time, an initial
state (u per receptor, v, refractory steps left); projections feed a random receptor of their target.
About one population in four is a sigma-delta population (graded spikes: ReLU or not, cumulative error or
not, payload shifts 0-3, per neuron); the projections out of it have weights -1..1 (and shifts -4..-1 on
integers), so payloads stay far from int64 and float64 rounding over 20 steps of recurrence.
Float networks (``quantized_networks(float_datapath=True)``) use dyadic values
(weights in eighths, decays in sixteenths) so every sum of inputs is exact in any
order and the kernel and the reference agree bit for bit; some of their inputs are currents
(real values in sixteenths, :func:`spike_inputs`).
"""
import numpy as np
from hypothesis import strategies as st

from hwsim.mapping import Group, Placement
from hwsim.neuron_models import RESET_MODES
from hwsim.noise import DynamicNoise
from hwsim.qmlp import QLayer, QuantizedMLP
from hwsim.quantize import FloatDatapath, IntegerArithmetic, QInput, QPopulation, QProjection, QuantizedNetwork

TILES_X, TILES_Y, CORES_PER_TILE = 2, 2, 2
N_CORES = TILES_X * TILES_Y * CORES_PER_TILE
MAX_DELAY = 5


def core_xy() -> np.ndarray:
    """Mesh coordinate of each core of a 2 x 2 tile mesh with 2 cores per tile."""
    tile = np.arange(N_CORES) // CORES_PER_TILE
    return np.stack([tile % TILES_X, tile // TILES_X], axis=1).astype(np.int64)


def _reset(draw) -> dict:
    return dict(reset=draw(st.sampled_from(list(RESET_MODES))))


def _model_params(draw, rng, size, factor, bias_syn) -> dict:
    """``syn_factor`` and ``bias_syn`` (one row per receptor, 1-3 receptors), ``mem_factor`` and
    ``refractory_steps``: per neuron, or (half the time) one value each for the whole population (per
    receptor), as the kernel's uniform-slice path expects them."""
    n_receptors = draw(st.integers(1, 3))
    params = dict(syn_factor=np.stack([factor() for _ in range(n_receptors)]), mem_factor=factor(),
                  bias_syn=np.stack([bias_syn() for _ in range(n_receptors)]),
                  refractory_steps=rng.integers(0, 4, size) * (rng.random(size) < 0.5))
    if draw(st.booleans()):
        params = {key: np.broadcast_to(value[..., :1], value.shape).copy() for key, value in params.items()}
    return params


def _initial(draw, rng, size, n_receptors, value) -> dict:
    """Half the time an initial state: u per receptor, v (``value(shape)`` draws them) and refractory steps."""
    if not draw(st.booleans()):
        return {}
    return dict(initial_u=value((n_receptors, size)), initial_v=value((size,)),
                initial_refractory=rng.integers(0, 3, size) * (rng.random(size) < 0.3))


def _float_population(draw, rng, name, size, offset):
    def dyadic(low, high, denominator):
        return rng.integers(low * denominator, high * denominator + 1, size) / denominator

    def factor():
        return 1.0 - rng.choice([0.0, 1.0, 0.5, *dyadic(0, 1, 16)[:2]], size)

    params = _model_params(draw, rng, size, factor, lambda: dyadic(-1, 1, 16) * (rng.random(size) < 0.3))
    return QPopulation(
        name=name, model="lif", size=size, offset=offset,
        v_th=dyadic(-0.25, 4, 8),
        has_threshold=draw(st.sampled_from([True, True, True, False])),
        bias=dyadic(-1, 1, 16) * (rng.random(size) < 0.3),
        v_reset=dyadic(-0.5, 0.5, 8), scale=1.0, **_reset(draw), **params,
        **_initial(draw, rng, size, params["syn_factor"].shape[0], lambda shape: rng.integers(-16, 33, shape) / 8))


def _population(draw, rng, name, size, offset, arith):
    full = 1 << arith.decay_bits
    top = 1 << (arith.state_bits - 1)

    def factor():
        return rng.choice([0, full, full // 2, *rng.integers(0, full + 1, 2)], size).astype(np.int64)

    params = _model_params(draw, rng, size, factor, lambda: rng.integers(-8, 9, size) * (rng.random(size) < 0.2))
    return QPopulation(
        name=name, model="lif", size=size, offset=offset,
        v_th=np.where(rng.random(size) < 0.5, rng.integers(-2, 32, size), rng.integers(0, top + 1, size)),
        has_threshold=draw(st.sampled_from([True, True, True, False])),
        bias=rng.integers(-8, 9, size) * (rng.random(size) < 0.3),
        v_reset=rng.integers(-4, 5, size), scale=1.0, **_reset(draw), **params,
        **_initial(draw, rng, size, params["syn_factor"].shape[0], lambda shape: rng.integers(-40, 41, shape)))


def _sigma_delta_population(draw, rng, name, size, offset, float_datapath):
    """A sigma-delta population: thresholds, biases, ReLU, cumulative error and (integer) payload shifts per
    neuron; float values in sixteenths."""
    zeros = np.zeros(size)
    unit = 16.0 if float_datapath else 1
    v_th = rng.integers(0, 40, size) / unit
    bias = rng.integers(-20, 21, size) * (rng.random(size) < 0.4) / unit
    dtype = np.float64 if float_datapath else np.int64
    return QPopulation(
        name=name, model="sigma_delta", size=size, offset=offset, syn_factor=zeros.astype(dtype),
        mem_factor=zeros.astype(dtype), v_th=v_th.astype(dtype), has_threshold=True, bias=bias.astype(dtype),
        v_reset=zeros.astype(dtype), refractory_steps=zeros.astype(np.int64), scale=1.0,
        relu=(rng.random(size) < 0.5).astype(np.uint8), cum_error=(rng.random(size) < 0.5).astype(np.uint8),
        payload_shift=(zeros if float_datapath else rng.integers(0, 4, size)).astype(np.int64))


def _projection(draw, rng, pre_name, pre_offset, pre_size, post, instantaneous_ok, float_datapath,
                one_port=False, graded=False):
    """A random projection; ``one_port``: all-to-all with one delay (each post neuron gets one port)."""
    if one_port:
        post_index, pre_index = np.nonzero(np.ones((post.size, pre_size), dtype=bool))
    elif draw(st.booleans()):  # dense-ish: each (post, pre) pair present with probability p
        mask = rng.random((post.size, pre_size)) < draw(st.sampled_from([0.3, 0.7, 1.0]))
        post_index, pre_index = np.nonzero(mask)
    else:  # sparse list, duplicates allowed
        n = draw(st.integers(0, 2 * (pre_size + post.size)))
        pre_index, post_index = rng.integers(0, pre_size, n), rng.integers(0, post.size, n)
    n = pre_index.size
    if graded:
        weight = rng.integers(-1, 2, n).astype(np.float64 if float_datapath else np.int64)
    elif float_datapath:
        weight = (rng.integers(-16, 17, n) / 8) * (rng.random(n) < 0.85)
    else:
        weight = (rng.integers(-255, 256, n) * (rng.random(n) < 0.85)).astype(np.int64)
    low = 0 if instantaneous_ok and draw(st.booleans()) else 1
    return QProjection(pre=pre_name, post=post.name, receptor=int(rng.integers(0, post.n_receptors)),
                       pre_local=pre_index, post_local=post_index, pre_offset=pre_offset, post_offset=post.offset,
                       weight=weight,
                       delay_steps=np.full(n, rng.integers(low, MAX_DELAY + 1)) if one_port
                       else rng.integers(low, MAX_DELAY + 1, n).astype(np.int64),
                       shift=0 if float_datapath else draw(st.integers(-4, -1 if graded else 3)))


def _input(rng, name: str, size: int, offset: int, kind: str) -> QInput:
    """An input record; a Poisson one with means per step of 0 to 6 (0.02 .. 30 at times) and windows that
    may start late and stop early."""
    if kind != "poisson":
        return QInput(name, size, offset, kind)
    mean = rng.choice([0.0, 0.02, 0.3, 1.0, 2.5, 6.0, 30.0], size, p=[.1, .15, .2, .2, .15, .15, .05])
    start = rng.integers(0, 4, size) * (rng.random(size) < 0.3)
    stop = np.where(rng.random(size) < 0.3, start + rng.integers(0, 12, size), np.iinfo(np.int64).max)
    return QInput(name, size, offset, kind, mean, start.astype(np.int64), stop.astype(np.int64))


@st.composite
def quantized_networks(draw, float_datapath: bool = False, poisson: bool = False) -> QuantizedNetwork:
    """A random QuantizedNetwork: 1-3 inputs (float: 0-3, spikes or currents; ``poisson``: Poisson inputs
    too), 1-4 populations, 0-6 projections (recurrent ones too),
    some of them delay 0 along a random update order; or one all-to-all projection of one delay into each
    population (every neuron then has exactly one port: the kernel's ``one_port`` path)."""
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    if float_datapath:
        arith = FloatDatapath()
    else:
        arith = IntegerArithmetic(decay_bits=draw(st.integers(4, 12)), rounding=draw(st.integers(0, 1)),
                                  input_shift=draw(st.integers(0, 6)), state_bits=draw(st.integers(8, 12)),
                                  syn_overflow=draw(st.integers(0, 1)), mem_overflow=draw(st.integers(0, 1)))
    inputs, offset = [], 0
    for k in range(draw(st.integers(0 if float_datapath else 1, 3))):
        size = draw(st.integers(1, 3))
        kinds = (["spike", "current"] if float_datapath else ["spike"]) + (["poisson"] if poisson else [])
        kind = draw(st.sampled_from(kinds)) if len(kinds) > 1 else kinds[0]
        inputs.append(_input(rng, f"in{k}", size, offset, kind))
        offset += size
    n_in = offset
    pops, offset = [], 0
    for k in range(draw(st.integers(1, 4))):
        size = draw(st.integers(1, 5))
        if draw(st.integers(0, 3)) == 0:
            pops.append(_sigma_delta_population(draw, rng, f"pop{k}", size, offset, float_datapath))
        else:
            pops.append(_float_population(draw, rng, f"pop{k}", size, offset) if float_datapath
                        else _population(draw, rng, f"pop{k}", size, offset, arith))
        offset += size
    order = [pops[k].name for k in draw(st.permutations(range(len(pops))))]
    rank = {name: k for k, name in enumerate(order)}
    rank.update({i.name: -1 for i in inputs})
    sources = [(i.name, i.offset, i.size) for i in inputs] + [(p.name, n_in + p.offset, p.size) for p in pops]
    graded = {p.name for p in pops if p.model == "sigma_delta"}
    projections = []
    if draw(st.booleans()):   # exactly one all-to-all, single-delay projection into each population
        posts, one_port = pops, True
    else:
        posts, one_port = [draw(st.sampled_from(pops)) for _ in range(draw(st.integers(0, 6)))], False
    for post in posts:
        pre = draw(st.sampled_from(sources))
        instantaneous_ok = rank[pre[0]] < rank[post.name]   # delay 0 only forward in the update order
        projections.append(_projection(draw, rng, *pre, post, instantaneous_ok, float_datapath, one_port,
                                       pre[0] in graded))
    return QuantizedNetwork(arith, tuple(inputs), tuple(pops), tuple(projections), n_in, offset, tuple(order))


@st.composite
def placements(draw, qnet: QuantizedNetwork) -> Placement:
    """A random neuron -> core assignment on the 8-core mesh, with consistent counter groups; Poisson channels
    sometimes on cores of their own (``input_core``)."""
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    cores = rng.choice(N_CORES, draw(st.integers(1, N_CORES)), replace=False)
    neuron_core = rng.choice(cores, qnet.n_neurons).astype(np.int64)
    groups = [Group(-1, inp.name) for inp in qnet.inputs]
    for pop in qnet.populations:
        groups += [Group(int(c), pop.name) for c in np.unique(neuron_core[pop.offset:pop.offset + pop.size])]
    groups = [groups[k] for k in rng.permutation(len(groups))]
    group_id = {g: k for k, g in enumerate(groups)}
    neuron_group = np.empty(qnet.n_neurons, dtype=np.int64)
    for pop in qnet.populations:
        for k in range(pop.offset, pop.offset + pop.size):
            neuron_group[k] = group_id[Group(int(neuron_core[k]), pop.name)]
    input_group = np.concatenate([np.full(inp.size, group_id[Group(-1, inp.name)]) for inp in qnet.inputs]
                                 + [np.zeros(0, dtype=np.int64)])
    poisson = np.concatenate([np.full(i.size, i.kind == "poisson") for i in qnet.inputs] + [np.zeros(0, bool)])
    input_core = None
    if poisson.any() and draw(st.booleans()):   # Poisson channels on source cores (SpiNNaker), the rest on the host
        input_core = np.where(poisson, rng.integers(0, N_CORES, poisson.size), -1).astype(np.int64)
    return Placement(chip="toy8", neuron_core=neuron_core, neuron_group=neuron_group,
                     input_group=input_group.astype(np.int64), groups=tuple(groups), core_xy=core_xy(),
                     input_xy=(draw(st.integers(-1, TILES_X)), draw(st.integers(0, TILES_Y - 1))),
                     cores_used=tuple(int(c) for c in np.unique(neuron_core)), input_core=input_core)


@st.composite
def spike_inputs(draw, n_inputs: int, current: np.ndarray | None = None) -> np.ndarray:
    """``(n_samples, T, n_inputs)``: 1-3 samples, 1-20 steps, per-channel rates incl. silent; uint8 0/1, or
    float64 when ``current`` (a bool per channel) marks current channels, which then carry values in
    sixteenths in [-2, 2] (zero at the same rates)."""
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    n_samples, n_steps = draw(st.integers(1, 3)), draw(st.integers(1, 20))
    rate = rng.choice([0.0, 0.2, 0.5, 1.0], (n_samples, 1, n_inputs))
    spikes = (rng.random((n_samples, n_steps, n_inputs)) < rate).astype(np.uint8)
    if current is None or not np.any(current):
        return spikes
    values = rng.integers(-32, 33, spikes.shape) / 16 * spikes
    return np.where(current, values, spikes).astype(np.float64)


def input_columns(qnet: QuantizedNetwork) -> tuple[int, np.ndarray]:
    """The input channels that take a column of the input array (all but Poisson channels): their number and
    which of them are currents."""
    kinds = np.concatenate([np.full(i.size, i.kind) for i in qnet.inputs] + [np.zeros(0, dtype="<U7")])
    columns = kinds[kinds != "poisson"]
    return columns.size, columns == "current"


@st.composite
def spiking_cases(draw, float_datapath: bool = False, poisson: bool = False):
    """``(qnet, placement, input_spikes, bits_per_synapse, memory_word_bits)`` (``poisson``: Poisson inputs,
    which take no column of ``input_spikes``, too)."""
    qnet = draw(quantized_networks(float_datapath, poisson))
    n_columns, current = input_columns(qnet)
    return (qnet, draw(placements(qnet)), draw(spike_inputs(n_columns, current)),
            draw(st.sampled_from([1, 8, 16, 33])), draw(st.sampled_from([8, 32, 64])))


@st.composite
def mlp_cases(draw):
    """``(qmlp, x_int)``: 1-4 layers of 1-6 outputs, sparse weights, mixed ReLU / clipping, and input
    bit masks and AxSum (0-8 truncated product bits) on some layers whose inputs are non-negative (8-bit
    codes, or a clipped ReLU's outputs)."""
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    n_in = draw(st.integers(1, 6))
    width, layers, input_bits = n_in, [], 8
    for k in range(draw(st.integers(1, 4))):
        n_out = draw(st.integers(1, 6))
        weight = rng.integers(-127, 128, (n_out, width)) * (rng.random((n_out, width)) < 0.6)
        mask = rng.integers(0, 1 << input_bits, (n_out, width)) if input_bits and draw(st.booleans()) else None
        axsum = rng.integers(0, 9, (n_out, width)) if input_bits and draw(st.booleans()) else None
        relu, act_max = draw(st.booleans()), draw(st.sampled_from([-1, 0, 15, 255]))
        layers.append(QLayer(name=f"fc{k}", weight=weight.astype(np.int64),
                             bias=rng.integers(-300, 301, n_out).astype(np.int64),
                             shift=draw(st.integers(0, 8)), relu=relu, act_max=act_max, input_mask=mask,
                             axsum_truncate_bits=axsum))
        width, input_bits = n_out, act_max.bit_length() if relu and act_max >= 0 else 0
    x = rng.integers(0, 256, (draw(st.integers(1, 5)), n_in)).astype(np.int64)
    return QuantizedMLP("x", n_in, tuple(layers)), x


@st.composite
def dynamic_noises(draw, qnet: QuantizedNetwork, independent_sd: bool = False) -> DynamicNoise:
    """Random dynamic noise for ``qnet``: any seeds; current/membrane noise off, small or large (per
    neuron, relative to the state scale); drop and jitter probabilities from 0 to 1 with lateness up
    to 4 steps; state bit flips (integer datapath only) from 0 to 5 % per bit. Sigma-delta neurons get no
    current or membrane noise (the simulator refuses it there).

    The kernel compiles one variant per kind of noise that is on, so by default current and membrane noise
    are on or off together (two variants per table dtype); ``independent_sd`` draws each on or off alone
    (four), for the tests of the noise itself (tests/test_dynamic_noise.py)."""
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    n = qnet.n_neurons
    scale = 2.0 if qnet.is_float else float(1 << (qnet.arithmetic.state_bits - 3))
    lif = np.concatenate([np.full(p.size, p.model != "sigma_delta") for p in qnet.populations])
    on = draw(st.booleans())

    def sd():
        level = draw(st.sampled_from([0.0, 0.05, 0.5] if independent_sd else [0.05, 0.5] if on else [0.0]))
        return level * scale * rng.random(n) * (rng.random(n) < 0.8) * lif

    return DynamicNoise(
        seeds=np.array([draw(st.integers(0, 2**64 - 1)) for _ in range(5)], dtype=np.uint64),
        u_noise_sd=sd(), v_noise_sd=sd(),
        drop_probability=draw(st.sampled_from([0.0, 0.2, 0.7, 1.0])),
        jitter_probability=draw(st.sampled_from([0.0, 0.3, 1.0])),
        jitter_max_steps=draw(st.integers(1, 4)),
        flip_rate=0.0 if qnet.is_float else draw(st.sampled_from([0.0, 0.01, 0.05])))


@st.composite
def damaged_texts(draw, text: str) -> str:
    """``text`` with 1-4 of its lines dropped, repeated or given another digit (the fuzz tests of the readers of
    published Verilog)."""
    lines = text.splitlines()
    for _ in range(draw(st.integers(1, 4))):
        k = draw(st.integers(0, len(lines) - 1))
        choice = draw(st.sampled_from(["drop", "dup", "digit"]))
        if choice == "drop":
            del lines[k]
        elif choice == "dup":
            lines.insert(k, lines[k])
        else:
            lines[k] = lines[k].replace(draw(st.sampled_from("0123456789")), draw(st.sampled_from("0179")))
        if not lines:
            break
    return "\n".join(lines)
