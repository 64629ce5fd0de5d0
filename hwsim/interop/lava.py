"""Export a quantised spiking network to Lava's bit-accurate Loihi models and run it there.

hwsim's Loihi-like arithmetic (``chips/loihi.yaml``) follows Lava 0.10.0's fixed-point
process models (``Loihi2SimCfg(select_tag="fixed_pt")``; ``docs`` of the rules:
``shared/reference/formats.md`` §1). This module rebuilds a :class:`QuantizedNetwork`
from Lava processes so that Lava itself can check hwsim spike for spike:

===================  ==========================================================================
hwsim                Lava
===================  ==========================================================================
input (n channels)   ``io.source.RingBuffer(data (n, T))``: hwsim step t is Lava time step t + 1
population           ``LIF(du = 4095 - syn_factor, dv = 4096 - mem_factor, vth = v_th >> 6,
                     bias_mant, bias_exp, u, v)`` per neuron (``u``, ``v``: the initial state),
                     and an ``io.sink.RingBuffer`` of its spikes
sigma_delta          ``SigmaDelta(vth = v_th / 2**e, bias = bias / 2**e, act_mode RELU or UNIT,
population           cum_error, spike_exp, state_exp = payload_shift)`` with ``e = spike_exp + state_exp``
                     (the process multiplies vth and bias back by ``2**e``), and a sink of its payloads
projection           ``Dense`` (every delay 1), ``Sparse`` (every delay 1, density below
                     ``sparse_below``) or ``DelayDense(delays = d - 1)``, one per projection (several
                     may join one pair; Lava sums them); weights = mantissas, ``weight_exp = shift``,
                     ``num_weight_bits = weight_bits``, the projection's explicit ``sign_mode``
                     or one that keeps every mantissa; ``num_message_bits = message_bits`` (a
                     projection from a sigma-delta population carries its payloads: graded spikes)
===================  ==========================================================================

A projection with an explicit sign mode is handed to Lava as it is: Lava's own clipping and
truncation then apply (an excitatory projection loses its negative weights), which is what
``hwsim.quantize`` reproduces for projections with Loihi precision. A network without inputs
(driven by biases and its initial state) runs for ``n_steps`` steps.

Lava adds one step per Dense layer and ``k + 1`` per DelayDense delay ``k``, which is hwsim's
delay ``d = k + 1``; its DelayDense shifts the sum of each delay column per emission step, as
hwsim's ports (one per projection, delay and target neuron) do. The match is exact while a
neuron's summed input per step stays below ``2**25`` in magnitude: beyond that Lava's int32
``a_in << 6`` overflows where hwsim computes in int64 (and u is then outside the range that
Loihi's single wrap correction repairs in either).

:func:`lava_spec` checks a network and computes every Lava parameter with numpy alone;
:func:`to_lava` and :func:`run_lava` import Lava lazily, so hwsim imports without it (Lava lives
in ``.venv-lava``, made by ``python -m hwsim.interop.lava_env``).
"""
from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from hwsim.chips import ChipProfile
from hwsim.errors import GraphError, UnsupportedError
from hwsim.interop.conventions import (LAVA_BIAS_EXP_MAX, LAVA_BIAS_MANT_RANGE, LAVA_MAX_DELAY, LAVA_VTH_MAX,
                                       LAVA_VTH_SHIFT)
from hwsim.ir import Graph
from hwsim.quantize import IntegerArithmetic, QuantizedNetwork, quantize_spiking

#: Lava's bit-accurate LIF datapath: 12-bit decays rounded toward zero, input << 6, 24-bit u
#: (one wrap correction) and v (saturated).
LOIHI_ARITHMETIC = IntegerArithmetic(decay_bits=12, rounding=0, input_shift=6, state_bits=24,
                                     syn_overflow=0, mem_overflow=1)
VTH_SHIFT = LAVA_VTH_SHIFT
VTH_MAX = LAVA_VTH_MAX
BIAS_MANT_RANGE = LAVA_BIAS_MANT_RANGE
BIAS_EXP_MAX = LAVA_BIAS_EXP_MAX
MAX_DELAY = LAVA_MAX_DELAY + 1       # IR delays 1..64: DelayDense delays 0..63 plus the Dense step
SIGN_RANGES = {"EXCITATORY": (0, 255), "INHIBITORY": (-255, 0), "MIXED": (-256, 254)}
INSTALL_HINT = ("Hint: run 'python -m hwsim.interop.lava_env' and use .venv-lava/bin/python, or on "
                "Python 3.10 install hwsim with the 'lava' extra (pip install -e '.[lava]').")


@dataclass(frozen=True)
class LifSpec:
    """Parameters of one Lava ``LIF`` (scalars per population as Lava requires, arrays per neuron)."""

    name: str
    size: int
    du: int
    dv: int
    vth: int
    bias_mant: np.ndarray
    bias_exp: np.ndarray
    u: np.ndarray
    v: np.ndarray


@dataclass(frozen=True)
class SigmaDeltaSpec:
    """Parameters of one Lava ``SigmaDelta`` (Lava 0.10's ``lava.proc.sdn``): ``vth`` and ``bias`` as the
    process takes them (it multiplies both by ``2**(spike_exp + state_exp)``; ints when they divide evenly)."""

    name: str
    size: int
    vth: int | float
    bias: np.ndarray
    relu: bool
    cum_error: bool
    spike_exp: int
    state_exp: int


@dataclass(frozen=True)
class ConnSpec:
    """One Lava connection process between a source node and a population.

    Attributes
    ----------
    name : str
        The projection's name.
    pre, post : str
        Source node (input or population) and target population.
    kind : str
        ``"Dense"``, ``"Sparse"`` or ``"DelayDense"``.
    weights : ndarray
        int64 ``(post size, pre size)`` mantissas (zeros where there is no synapse).
    delays : ndarray or None
        int64 Lava delays ``d - 1`` (DelayDense only).
    weight_exp : int
        hwsim's projection shift.
    sign_mode : str
        ``"EXCITATORY"``, ``"INHIBITORY"`` or ``"MIXED"`` (a name of ``lava.utils.weightutils.SignMode``).
    weight_bits : int
        Lava's ``num_weight_bits``.
    message_bits : int
        Lava's ``num_message_bits`` (0: binary spikes; > 0: graded, the weights multiply the payloads).
    """

    name: str
    pre: str
    post: str
    kind: str
    weights: np.ndarray
    delays: np.ndarray | None
    weight_exp: int
    sign_mode: str
    weight_bits: int
    message_bits: int = 0


@dataclass(frozen=True)
class LavaSpec:
    """Everything :func:`to_lava` builds, as plain numbers: inputs ``{name: size}``, LIFs, connections and
    sigma-delta populations."""

    inputs: dict
    lifs: tuple[LifSpec, ...]
    conns: tuple[ConnSpec, ...]
    sigma_deltas: tuple[SigmaDeltaSpec, ...] = ()

    @property
    def neuron_names(self) -> list[str]:
        """The LIF and sigma-delta populations' names."""
        return [lif.name for lif in self.lifs] + [sd.name for sd in self.sigma_deltas]

    def components(self) -> list[list[str]]:
        """Populations grouped by the connected components of the connection graph (Lava runs each apart)."""
        parent = {name: name for name in list(self.inputs) + self.neuron_names}

        def root(name):
            while parent[name] != name:
                name = parent[name]
            return name

        for conn in self.conns:
            parent[root(conn.pre)] = root(conn.post)
        groups: dict[str, list[str]] = {}
        for name in self.neuron_names:
            groups.setdefault(root(name), []).append(name)
        return list(groups.values())


@dataclass
class LavaNetwork:
    """Lava processes of one network, by hwsim name.

    Attributes
    ----------
    sources : dict
        ``io.source.RingBuffer`` per input.
    lifs, sinks : dict
        ``LIF`` or ``SigmaDelta`` and ``io.sink.RingBuffer`` (its spikes or payloads) per population.
    conns : list
        Connection processes in the order of :attr:`LavaSpec.conns`.
    components : list of list of str
        Populations grouped by connected component; Lava runs each component separately.
    n_steps : int
        Steps the sources hold and the sinks record.
    sigma_deltas : tuple of str
        The populations that are ``SigmaDelta`` processes (their sinks record payloads).
    """

    sources: dict
    lifs: dict
    sinks: dict
    conns: list
    components: list
    n_steps: int
    sigma_deltas: tuple[str, ...] = ()


def _uniform(pop, name: str, values: np.ndarray) -> int:
    """The one value of a per-population Lava register, or UnsupportedError."""
    found = np.unique(values)
    if found.size != 1:
        raise UnsupportedError(f"population '{pop.name}': {name} takes {found.size} values "
                               f"({', '.join(map(str, found[:4]))}{', ...' if found.size > 4 else ''}); Lava's "
                               f"LIF holds one per population. Hint: split the population by {name}.")
    return int(found[0])


def _bias(pop) -> tuple[np.ndarray, np.ndarray]:
    """Split each neuron's bias into ``(mant, exp)`` with ``mant << exp == bias``, the smallest exponent that fits."""
    bias = np.asarray(pop.bias, dtype=np.int64)
    low, high = BIAS_MANT_RANGE
    mant, exp = bias.copy(), np.zeros_like(bias)
    todo = (bias < low) | (bias > high)
    for e in range(1, BIAS_EXP_MAX + 1):
        fits = todo & ((bias >> e) << e == bias) & (bias >> e >= low) & (bias >> e <= high)
        mant[fits], exp[fits] = bias[fits] >> e, e
        todo &= ~fits
    if todo.any():
        k = int(np.flatnonzero(todo)[0])
        raise UnsupportedError(f"population '{pop.name}': neuron {k} has bias {bias[k]}, which is not a mantissa "
                               f"in [{low}, {high}] shifted left by 0..{BIAS_EXP_MAX}. "
                               f"Hint: quantise with hwsim.quantize_spiking for a Loihi-like chip.")
    return mant, exp


def _lif(pop) -> LifSpec:
    if not pop.has_threshold:
        raise UnsupportedError(f"population '{pop.name}': model '{pop.model}' has no threshold; Lava's LIF "
                               f"always spikes above vth. Hint: read out a spiking population instead.")
    if pop.bias_syn is not None and np.any(pop.bias_syn != 0):
        raise UnsupportedError(f"population '{pop.name}': a bias on the synaptic current (bias_syn); Lava's "
                               f"LIF adds its bias to v. Hint: quantise with hwsim.quantize_spiking, which folds "
                               f"bias_syn into the bias where exact.")
    if pop.reset != "value" or np.any(pop.v_reset != 0) or np.any(pop.refractory_steps != 0) \
            or pop.initial_refractory is not None and np.any(pop.initial_refractory != 0):
        raise UnsupportedError(f"population '{pop.name}': reset '{pop.reset}', a non-zero v_reset or a "
                               f"refractory period; Lava's bit-accurate LIF resets v to 0 with no refractory "
                               f"period. Hint: use reset='value', v_reset=0, refractory_steps=0.")
    if pop.n_receptors != 1:
        raise UnsupportedError(f"population '{pop.name}': {pop.n_receptors} synaptic currents (receptors); "
                               f"Lava's LIF has one. Hint: merge the projections into one receptor.")
    syn, mem, v_th = (_uniform(pop, name, getattr(pop, name)) for name in ("syn_factor", "mem_factor", "v_th"))
    # syn_factor 4096 gives du = -1: outside Loihi's 12-bit register, but Lava's model computes it as
    # "no decay" (ds_offset 1 + du -1 = 0), and lava-dl netx exports it for iDecay = 0
    if not 0 <= syn <= 4096 or not 0 <= mem <= 4096:
        raise UnsupportedError(f"population '{pop.name}': syn_factor {syn}, mem_factor {mem}; expected 0..4096 "
                               f"(du = 4095 - syn_factor, dv = 4096 - mem_factor).")
    if v_th % (1 << VTH_SHIFT) or not 0 <= v_th >> VTH_SHIFT <= VTH_MAX:
        raise UnsupportedError(f"population '{pop.name}': v_th {v_th}; expected vth << {VTH_SHIFT} with vth "
                               f"in 0..{VTH_MAX}. Hint: quantise for a Loihi-like chip.")
    mant, exp = _bias(pop)
    zeros = np.zeros(pop.size, dtype=np.int64)
    u0 = zeros if pop.initial_u is None else np.asarray(pop.initial_u, dtype=np.int64)[0]
    v0 = zeros if pop.initial_v is None else np.asarray(pop.initial_v, dtype=np.int64)
    return LifSpec(pop.name, pop.size, 4095 - syn, 4096 - mem, v_th >> VTH_SHIFT, mant, exp, u0, v0)


def _lava_value(state: np.ndarray, scale: int) -> int | float | np.ndarray:
    """``state / scale`` as SigmaDelta's process takes it: ints when ``scale`` divides every value, else floats
    (exact: ``scale`` is a power of two)."""
    if np.all(state % scale == 0):
        return state // scale
    return state / float(scale)


def _sigma_delta(pop) -> SigmaDeltaSpec:
    """A quantised ``sigma_delta`` population as Lava's ``SigmaDelta`` (one vth, relu, cum_error and
    exponents per population, as Lava holds them)."""
    vth, relu, cum_error, state_exp = (_uniform(pop, name, getattr(pop, name))
                                       for name in ("v_th", "relu", "cum_error", "payload_shift"))
    exps = int(pop.scale).bit_length() - 1
    if pop.scale != float(1 << exps) or exps < state_exp:
        raise UnsupportedError(f"population '{pop.name}': state scale {pop.scale:g} with payload shift {state_exp}; "
                               f"expected 2**(spike_exp + state_exp) with state_exp = the payload shift. Hint: "
                               f"quantise with hwsim.quantize_spiking.")
    scale = 1 << exps
    bias = np.asarray(pop.bias, dtype=np.int64)
    return SigmaDeltaSpec(pop.name, pop.size, _lava_value(np.int64(vth), scale).item(),
                          np.asarray(_lava_value(bias, scale)), bool(relu), bool(cum_error),
                          exps - state_exp, state_exp)


def _sign_mode(proj, weight: np.ndarray) -> str:
    """The projection's explicit sign mode (Lava then clips and truncates as it does), or the one under
    which Lava's clipping and LSB truncation leave every mantissa unchanged."""
    if proj.sign_mode is not None:
        return proj.sign_mode.upper()
    mode = "MIXED" if weight.min(initial=0) < 0 < weight.max(initial=0) else (
        "INHIBITORY" if weight.min(initial=0) < 0 else "EXCITATORY")
    low, high = SIGN_RANGES[mode]
    bad = (weight < low) | (weight > high) | ((weight % 2 != 0) if mode == "MIXED" else False)
    if np.any(bad):
        k = int(np.flatnonzero(bad)[0])
        raise UnsupportedError(f"projection '{_label(proj)}': weight {weight[k]} in a {mode} "
                               f"projection; Lava keeps {'even ' if mode == 'MIXED' else ''}mantissas in "
                               f"[{low}, {high}] only. Hint: quantise with hwsim.quantize_spiking.")
    return mode


def _conn(proj, sizes: dict, pre_offset: int, post_offset: int, sparse_below: float) -> ConnSpec:
    """One projection as a Lava connection: local indices, a dense weight matrix, delays, sign mode."""
    pre = np.asarray(proj.pre_index, dtype=np.int64) - pre_offset
    post = np.asarray(proj.post_index, dtype=np.int64) - post_offset
    weight, delay = np.asarray(proj.weight, dtype=np.int64), np.asarray(proj.delay_steps, dtype=np.int64)
    shape = (sizes[proj.post], sizes[proj.pre])
    where = f"projection '{_label(proj)}'"
    if pre.size and (pre.min() < 0 or pre.max() >= shape[1] or post.min() < 0 or post.max() >= shape[0]):
        raise GraphError(f"{where}: synapse indices outside '{proj.pre}' ({shape[1]}) or '{proj.post}' "
                         f"({shape[0]}); expected global ids of those nodes.")
    flat = post * shape[1] + pre
    if np.unique(flat).size != flat.size:
        raise UnsupportedError(f"{where}: several synapses join the same neuron pair; Lava's Dense holds one "
                               f"weight per pair. Hint: put them in separate projections.")
    if delay.size and (delay.min() < 1 or delay.max() > MAX_DELAY):
        raise UnsupportedError(f"{where}: delays in [{delay.min()}, {delay.max()}]; Lava's DelayDense takes "
                               f"1..{MAX_DELAY} (its delays 0..63 plus the Dense step).")
    dense = np.zeros(shape, dtype=np.int64)
    dense[post, pre] = weight
    mode = _sign_mode(proj, weight)
    if delay.size and delay.max() > 1:
        delays = np.zeros(shape, dtype=np.int64)
        delays[post, pre] = delay - 1
        return ConnSpec(_label(proj), proj.pre, proj.post, "DelayDense", dense, delays, int(proj.shift), mode,
                        int(proj.weight_bits), int(proj.message_bits))
    kind = "Sparse" if 0 < weight.size < sparse_below * dense.size else "Dense"
    return ConnSpec(_label(proj), proj.pre, proj.post, kind, dense, None, int(proj.shift), mode, int(proj.weight_bits),
                    int(proj.message_bits))


def _label(proj) -> str:
    """The projection's name (``"<pre>-><post>"`` when it has none)."""
    return proj.name or f"{proj.pre}->{proj.post}"


def lava_spec(qnet: QuantizedNetwork, sparse_below: float = 0.25) -> LavaSpec:
    """Check that Lava's bit-accurate models can run ``qnet`` exactly and compute their parameters.

    Parameters
    ----------
    qnet : QuantizedNetwork
        A network in Loihi's integers (:data:`LOIHI_ARITHMETIC`).
    sparse_below : float
        Projections with every delay 1 and fewer synapses than this fraction of the neuron pairs
        become ``Sparse``; the others ``Dense``.

    Returns
    -------
    LavaSpec

    Raises
    ------
    UnsupportedError
        If the datapath is not Loihi's, a per-population register (du, dv, vth) varies within a
        population, a population has no threshold, another reset or a refractory period, a bias or a
        weight does not fit Lava's registers, two synapses join one neuron pair, or a delay is not 1..64.
    """
    if qnet.arithmetic != LOIHI_ARITHMETIC:
        raise UnsupportedError(f"network arithmetic {qnet.arithmetic}; Lava's bit-accurate Loihi models "
                               f"compute {LOIHI_ARITHMETIC}. Hint: quantise for chips/loihi.yaml.")
    for inp in qnet.inputs:
        if inp.kind != "spike":
            raise UnsupportedError(f"input '{inp.name}': kind '{inp.kind}'; Lava's RingBuffer source sends binary "
                                   f"spikes here. Hint: encode the input as spikes.")
    sizes = {i.name: i.size for i in qnet.inputs} | {p.name: p.size for p in qnet.populations}
    source_offset = ({i.name: i.offset for i in qnet.inputs}
                     | {p.name: qnet.n_input_channels + p.offset for p in qnet.populations})
    neuron_offset = {p.name: p.offset for p in qnet.populations}
    conns = tuple(_conn(proj, sizes, source_offset[proj.pre], neuron_offset[proj.post], sparse_below)
                  for proj in qnet.projections)
    return LavaSpec({i.name: i.size for i in qnet.inputs},
                    tuple(_lif(p) for p in qnet.populations if p.payload_shift is None), conns,
                    tuple(_sigma_delta(p) for p in qnet.populations if p.payload_shift is not None))


def _lava_modules():
    """Import the Lava modules used here, or raise UnsupportedError with the install hint."""
    try:
        from lava.proc.dense.process import DelayDense, Dense
        from lava.proc.io.sink import RingBuffer as Sink
        from lava.proc.io.source import RingBuffer as Source
        from lava.proc.lif.process import LIF
        from lava.proc.sdn.process import ActivationMode, SigmaDelta
        from lava.proc.sparse.process import Sparse
        from lava.utils.weightutils import SignMode
    except ImportError as err:
        import sys

        raise UnsupportedError(f"hwsim.interop.lava: Lava is not importable in {sys.executable} ({err}); "
                               f"expected lava-nc 0.10.0. {INSTALL_HINT}") from err
    return dict(Dense=Dense, DelayDense=DelayDense, Sparse=Sparse, Sink=Sink, Source=Source, LIF=LIF,
                SignMode=SignMode, SigmaDelta=SigmaDelta, ActivationMode=ActivationMode)


def _input_raster(qnet: QuantizedNetwork, input_spikes, n_steps: int | None) -> np.ndarray:
    spikes = np.asarray(input_spikes)
    if spikes.ndim != 2 or spikes.shape[1] != qnet.n_input_channels:
        raise GraphError(f"input_spikes: shape {spikes.shape}; expected (T, {qnet.n_input_channels}) for one "
                         f"sample. Hint: pass input_spikes[s] of a batch.")
    n_steps = spikes.shape[0] if n_steps is None else int(n_steps)
    out = np.zeros((n_steps, spikes.shape[1]), dtype=np.int64)
    keep = min(n_steps, spikes.shape[0])
    out[:keep] = spikes[:keep] != 0
    return out


def to_lava(qnet: QuantizedNetwork, input_spikes, n_steps: int | None = None,
            sparse_below: float = 0.25) -> LavaNetwork:
    """Build a runnable Lava process network for one sample.

    Parameters
    ----------
    qnet : QuantizedNetwork
        Network in Loihi's integers (see :func:`lava_spec` for what is refused).
    input_spikes : array_like ``(T, n_input_channels)``
        One sample's input raster [0/1]; hwsim step t is Lava time step t + 1.
    n_steps : int, optional
        Steps the sinks record (default T); inputs are silent after step T - 1.
    sparse_below : float
        See :func:`lava_spec`.

    Returns
    -------
    LavaNetwork
        Connected processes; run them with :func:`run_lava` or ``lif.run(...)`` with
        ``Loihi2SimCfg(select_tag="fixed_pt")`` on each component.
    """
    spec = lava_spec(qnet, sparse_below)
    raster = _input_raster(qnet, input_spikes, n_steps)
    lava = _lava_modules()
    sources = {inp.name: lava["Source"](data=raster[:, inp.offset:inp.offset + inp.size].T.copy())
               for inp in qnet.inputs}
    lifs, sinks = {}, {}
    for lif in spec.lifs:
        lifs[lif.name] = lava["LIF"](shape=(lif.size,), du=lif.du, dv=lif.dv, vth=lif.vth, u=lif.u, v=lif.v,
                                     bias_mant=lif.bias_mant, bias_exp=lif.bias_exp, name=lif.name)
        sinks[lif.name] = lava["Sink"](shape=(lif.size,), buffer=raster.shape[0])
        lifs[lif.name].s_out.connect(sinks[lif.name].a_in)
    for sd in spec.sigma_deltas:
        mode = lava["ActivationMode"].RELU if sd.relu else lava["ActivationMode"].UNIT
        lifs[sd.name] = lava["SigmaDelta"](shape=(sd.size,), vth=sd.vth, bias=sd.bias, act_mode=mode,
                                           cum_error=sd.cum_error, spike_exp=sd.spike_exp, state_exp=sd.state_exp,
                                           name=sd.name)
        sinks[sd.name] = lava["Sink"](shape=(sd.size,), buffer=raster.shape[0])
        lifs[sd.name].s_out.connect(sinks[sd.name].a_in)
    conns = []
    for conn in spec.conns:
        common = dict(weight_exp=conn.weight_exp, num_weight_bits=conn.weight_bits,
                      sign_mode=lava["SignMode"][conn.sign_mode], num_message_bits=conn.message_bits, name=conn.name)
        if conn.kind == "DelayDense":
            process = lava["DelayDense"](weights=conn.weights, delays=conn.delays.astype(int), **common)
        elif conn.kind == "Sparse":
            from scipy.sparse import csr_matrix

            process = lava["Sparse"](weights=csr_matrix(conn.weights), **common)
        else:
            process = lava["Dense"](weights=conn.weights, **common)
        pre = sources[conn.pre].s_out if conn.pre in sources else lifs[conn.pre].s_out
        pre.connect(process.s_in)
        process.a_out.connect(lifs[conn.post].a_in)
        conns.append(process)
    return LavaNetwork(sources, lifs, sinks, conns, spec.components(), raster.shape[0],
                       tuple(sd.name for sd in spec.sigma_deltas))


def run_lava(qnet: QuantizedNetwork, input_spikes, n_steps: int | None = None,
             sparse_below: float = 0.25) -> dict:
    """Run one sample through Lava's bit-accurate models (``Loihi2SimCfg(select_tag="fixed_pt")``).

    Parameters
    ----------
    qnet, input_spikes, n_steps, sparse_below
        As :func:`to_lava`.

    Returns
    -------
    dict
        ``spikes``: {population: uint8 ``(n_steps, size)``} with row t = hwsim step t;
        ``u``, ``v``: {population: int64 ``(size,)``} after the last step (a sigma-delta population: its
        ``sigma`` and ``act``); sigma-delta populations also in ``payload`` (int64 ``(n_steps, size)``, the
        payload sent, 0 where none), ``residue`` and ``error`` (int64 ``(size,)``);
        ``wall_s``: ``(first step incl. Lava's compile and start-up, remaining steps, reading the
        results back and stopping)`` [s], summed over the components. Lava's ``Var.get`` sends
        values one by one (about 45 us each), so reading a large raster back can take longer than
        the run.
    """
    from lava.magma.core.run_conditions import RunSteps
    from lava.magma.core.run_configs import Loihi2SimCfg

    net = to_lava(qnet, input_spikes, n_steps, sparse_below)
    cfg = Loihi2SimCfg(select_tag="fixed_pt")
    out = {"spikes": {}, "u": {}, "v": {}, "payload": {}, "residue": {}, "error": {}}
    wall = np.zeros(3)
    for component in net.components:
        anchor = net.lifs[component[0]]
        try:
            start = time.perf_counter()
            anchor.run(condition=RunSteps(num_steps=1), run_cfg=cfg)
            wall[0] += time.perf_counter() - start
            start = time.perf_counter()
            if net.n_steps > 1:
                anchor.run(condition=RunSteps(num_steps=net.n_steps - 1), run_cfg=cfg)
            wall[1] += time.perf_counter() - start
            start = time.perf_counter()
            for name in component:
                sent = net.sinks[name].data.get().T.astype(np.int64)
                out["spikes"][name] = (sent != 0).astype(np.uint8)
                process = net.lifs[name]
                if name in net.sigma_deltas:
                    out["payload"][name] = sent
                    out["u"][name], out["v"][name], out["residue"][name], out["error"][name] = (
                        getattr(process, var).get().astype(np.int64) for var in ("sigma", "act", "residue", "error"))
                else:
                    out["u"][name] = process.u.get().astype(np.int64)
                    out["v"][name] = process.v.get().astype(np.int64)
        finally:
            anchor.stop()
        wall[2] += time.perf_counter() - start
    out["wall_s"] = tuple(wall.tolist())
    return out


def export_graph(graph: Graph, chip: ChipProfile, input_spikes, n_steps: int | None = None) -> LavaNetwork:
    """Quantise ``graph`` for a Loihi-like ``chip`` and build its Lava network for one sample.

    Parameters
    ----------
    graph : Graph
        A spiking graph.
    chip : ChipProfile
        A profile with Lava's arithmetic (``chips/loihi.yaml``).
    input_spikes, n_steps
        As :func:`to_lava`.
    """
    return to_lava(quantize_spiking(graph, chip), input_spikes, n_steps)
