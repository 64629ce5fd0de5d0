"""A hand-made chip profile for tests whose expectations are written as arithmetic.

Energies are powers of ten per action so a total shows which actions were priced.
"""
from dataclasses import replace

from hwsim.chips import Capacity, ChipProfile, Constant, SpikingArithmetic, Topology
from hwsim.kernels.actions import NAMES

PJ = {name: 10.0 ** k for k, name in enumerate(NAMES)}      # synop 1, neuron_active 10, ... mem_read 1e8
NS = {name: float(k + 1) for k, name in enumerate(NAMES)}   # synop 1 ns, neuron_active 2 ns, ...


def const(value, unit):
    return Constant(value, unit, "test constant")


def toy_chip(neurons_per_core=4, n_cores=4, cores_per_tile=1, **capacity) -> ChipProfile:
    cap = dict(neurons_per_core=neurons_per_core, synapse_memory_bits_per_core=1 << 20, bits_per_synapse=16,
               memory_word_bits=64, neuron_state_bits=64, fan_in_per_core=1024, fan_out_per_core=1024,
               router_entries_per_chip=None, routing_bits_per_entry=32, max_delay_steps=8,
               min_delay_steps=1)
    cap.update(capacity)
    arith = SpikingArithmetic(
        weight_bits=8, weight_encoding="loihi_sign_modes", weight_exp_min=-8, weight_exp_max=7,
        fraction_bits=None, decay_bits=12, syn_decay_offset=1, mem_decay_offset=0, rounding="toward_zero",
        input_shift=6, threshold_bits=17, threshold_shift=6, bias_mant_bits=13, bias_exp_max=7,
        state_bits=24, syn_overflow="wrap", mem_overflow="saturate", reset_modes=("zero",), refractory=False,
        receptors=1, initial_state=True)
    return ChipProfile(
        name="toy", description="test chip", kind="neuromorphic", path="<tests>",
        neuron_models=("lif", "if", "li"),
        topology=Topology((1, 1), (n_cores // cores_per_tile, 1), cores_per_tile),
        capacity=Capacity(**cap), arithmetic=arith,
        energy_pj={k: const(v, "pJ") for k, v in PJ.items()},
        time_ns={k: const(v, "ns") for k, v in NS.items()},
        static_power_mw={"chip": const(0.0, "mW"), "core": const(0.0, "mW")},
        timing={"barrier_ns": const(100.0, "ns")})


def with_static(chip: ChipProfile, chip_mw: float, core_mw: float) -> ChipProfile:
    return replace(chip, static_power_mw={"chip": const(chip_mw, "mW"), "core": const(core_mw, "mW")})
