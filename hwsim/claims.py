"""The seed papers' energy claims, re-costed: three energies side by side and the break-even spike rate.

For one spiking run on one chip (docs/claims.md):

(a) **op-count proxy**, as SNN papers quote it: 0.9 pJ per accumulate (synaptic event) and 4.6 pJ per
    MAC for the SNN, 4.6 pJ per MAC for the same network as a dense ANN (Horowitz, ISSCC 2014;
    :func:`hwsim.energy.dense_ann_macs`). Its ratio is the "paper ratio".
(b) **chip energy**: the chip profile's report, dynamic (actions x prices) and total (+ static).
(c) **bit-matched quantised ANN**: the same network as an ANN with ``ceil(log2(T + 1))``-bit
    activations and the chip's weight bits on a dense accelerator that counts its memory traffic
    (:mod:`hwsim.accelerator`; it has no static term). (c) / (b, dynamic) is the "memory-aware
    ratio" (> 1: the SNN costs less); ``memory_aware_ratio_total`` divides by the total instead.
(d) **break-even spike rate**: the chip's energy model is arithmetic over counters, so the run's
    counts are re-priced with every spike-driven event (``SPIKE_DRIVEN``: spikes, synaptic events,
    packets, hops, synaptic-memory reads) multiplied by a factor ``s`` and the others (neuron updates,
    MACs of current inputs) kept as measured. The dynamic energy is then exactly linear,
    ``fixed + s x events``, and ``s`` solving ``fixed + s x events = (c)`` is the answer
    (:func:`dynamic_break_even`). With static energy (power x latency; a step's latency is its
    busiest core's work, piecewise linear and non-decreasing in ``s``) the total is solved by
    bisection on :func:`hwsim.energy.estimate_spiking` of the scaled counts (:func:`total_break_even`).
    As the op-count proxy prices them (neuron updates free), ``s = (c) / events``
    (:func:`events_break_even`).
    A factor ``s`` is the spike rate ``s x`` the measured rate: the spikes counted (events, never a
    rate applied twice) over spike sources (spike-input channels and spiking neurons) x steps,
    capped at 1 spike per source per step. None when the SNN stays below the ANN up to that cap or
    costs more even with no spike (the note says which).
"""
from __future__ import annotations

import math
from functools import lru_cache

import numpy as np

from hwsim.accelerator import WORD_BITS, Accelerator, activation_bits, ann_energy, chip_weight_bits, load_accelerator
from hwsim.chips import ChipProfile
from hwsim.energy import PJ_PER_UJ, _price, estimate_spiking
from hwsim.errors import SpecError, one_of, short
from hwsim.ir import Graph
from hwsim.kernels.actions import NAMES
from hwsim.mapping import Placement
from hwsim.neuron_models import get_model
from hwsim.report import Report

SPIKE_DRIVEN = ("synop", "spike", "packet", "hop_x", "hop_y", "mem_read")
_SCALED = np.array([name in SPIKE_DRIVEN for name in NAMES])
BISECTIONS = 40  # narrowings of the bracket at most (halvings alone: 2**-40, 1e-12, of the range)


@lru_cache(maxsize=8)
def _bundled_accelerator(name: str) -> Accelerator:
    return load_accelerator(name)


def spike_sources(graph: Graph) -> int:
    """Spike-input channels plus neurons of spiking models: what can emit a spike each step."""
    return (sum(i.size for i in graph.inputs() if i.kind == "spike")
            + sum(p.size for p in graph.populations() if get_model(p.model).spiking))


def spike_rate(graph: Graph, spikes_per_inference: float, n_steps: int) -> float:
    """Spikes per source per step: counted spikes / (:func:`spike_sources` x ``n_steps``)."""
    sources = spike_sources(graph) * n_steps
    return spikes_per_inference / sources if sources else 0.0


def chip_energy_at(graph: Graph, chip: ChipProfile, placement: Placement, counts: np.ndarray,
                   step_counts: np.ndarray, factor: float, realtime: str = "scale") -> Report:
    """The chip's report with every spike-driven count multiplied by ``factor`` (no re-simulation), timed with
    the run's ``realtime`` mode on a real-time chip."""
    scale = np.where(_SCALED, factor, 1.0)
    return estimate_spiking(graph, chip, placement, counts * scale, step_counts * scale, realtime=realtime)


def dynamic_break_even(chip: ChipProfile, counts: np.ndarray, target_uj: float, rate: float
                       ) -> tuple[float | None, str]:
    """Spike rate at which the chip's dynamic energy equals ``target_uj``: the linear model solved exactly.

    Dynamic energy per inference is ``fixed + s x events`` (``fixed``: neuron updates and current-input
    MACs; ``events``: the spike-driven actions as measured), so ``s = (target - fixed) / events``.
    """
    fixed_uj, events_uj = _dynamic_parts_uj(chip, counts)
    return _solved(fixed_uj, events_uj, target_uj, rate)


def events_break_even(chip: ChipProfile, counts: np.ndarray, target_uj: float, rate: float
                      ) -> tuple[float | None, str]:
    """As :func:`dynamic_break_even` with neuron updates and MACs free, as the op-count proxy has them:
    ``s = target / events``."""
    return _solved(0.0, _dynamic_parts_uj(chip, counts)[1], target_uj, rate)


def _dynamic_parts_uj(chip: ChipProfile, counts: np.ndarray) -> tuple[float, float]:
    """Dynamic energy per inference in uJ: the part kept fixed and the spike-driven part."""
    by_action_uj = counts.mean(axis=0).sum(axis=0) * _price(chip.energy_pj) / PJ_PER_UJ
    return float(by_action_uj[~_SCALED].sum()), float(by_action_uj[_SCALED].sum())


def _solved(fixed_uj: float, events_uj: float, target_uj: float, rate: float) -> tuple[float | None, str]:
    if rate <= 0:
        return None, "no spikes in the run: nothing to scale"
    if fixed_uj >= target_uj:
        return None, "costs more than the ANN even with no spikes (neuron updates, current-input MACs, static energy)"
    if fixed_uj + events_uj / rate <= target_uj:
        return None, "costs less than the ANN at every rate up to 1 spike per source per step"
    return (target_uj - fixed_uj) / events_uj * rate, "solved"


def total_break_even(graph: Graph, chip: ChipProfile, placement: Placement, counts: np.ndarray,
                     step_counts: np.ndarray, target_uj: float, rate: float,
                     realtime: str = "scale") -> tuple[float | None, str]:
    """Spike rate at which the chip's total energy (static included) equals ``target_uj``.

    Static energy is power x latency, and a step's latency is the largest core's work: piecewise linear
    and non-decreasing in the spike-driven counts, so the total is too (on a real-time chip it steps up
    where the time-scale factor does, :mod:`hwsim.realtime`; the answer is then where it crosses the
    target). The root is bracketed and the bracket narrowed by its chord (exact within one linear piece,
    so a few evaluations of the estimate usually do), halving it instead whenever a chord leaves one end in
    place twice (Illinois' safeguard), until the energy is within 1e-12 of the target or :data:`BISECTIONS`
    steps are spent.
    """
    at = lambda factor: chip_energy_at(graph, chip, placement, counts, step_counts,  # noqa: E731
                                       factor, realtime).energy_per_inference_uj
    top = 1.0 / rate if rate > 0 else 1.0
    fixed, highest = at(0.0), at(top)
    answer = _solved(fixed, (highest - fixed) * rate, target_uj, rate)
    if answer[0] is None:
        return answer
    (low, f_low), (high, f_high), kept = (0.0, fixed), (top, highest), 0
    for _ in range(BISECTIONS):
        chord = low + (target_uj - f_low) * (high - low) / (f_high - f_low)
        mid = chord if low < chord < high and abs(kept) < 2 else 0.5 * (low + high)
        value = at(mid)
        if abs(value - target_uj) <= 1e-12 * target_uj:
            return mid * rate, "solved"
        if value < target_uj:
            (low, f_low), kept = (mid, value), min(kept, 0) - 1
        else:
            (high, f_high), kept = (mid, value), max(kept, 0) + 1
    return 0.5 * (low + high) * rate, "solved"


def recost(graph: Graph, chip: ChipProfile, placement: Placement, counts: np.ndarray, step_counts: np.ndarray,
           report: Report, accelerator: Accelerator | None = None) -> dict:
    """The three energies, both ratios and the break-even spike rate of one spiking run.

    Parameters
    ----------
    graph, chip, placement : Graph, ChipProfile, Placement
        What ran and where.
    counts, step_counts : ndarray
        The run's counters, as :func:`hwsim.energy.estimate_spiking` takes them.
    report : Report
        Its report (ops, op-count proxy, chip energy, steps, and on a real-time chip its ``realtime`` mode).
    accelerator : Accelerator, optional
        The ANN's accelerator (default: the bundled ``horowitz45``).

    Returns
    -------
    dict
        ``op_proxy_snn_uj``, ``op_proxy_ann_uj``, ``paper_ratio``, ``chip_uj``, ``bit_matched_ann_uj``,
        ``memory_aware_ratio``, ``spike_rate``, ``break_even_spike_rate``, ``break_even_note``,
        ``bit_matched_ann`` (its counts and parts) and ``provenance`` of the accelerator's constants.
    """
    accelerator = accelerator or _bundled_accelerator("horowitz45")
    ann = ann_energy(graph, accelerator, activation_bits(report.n_steps), chip_weight_bits(chip))
    proxy = report.op_based
    rate = spike_rate(graph, report.ops_per_inference["spike"], report.n_steps)
    ann_uj, chip_uj = ann["energy_per_inference_uj"], report.energy_per_inference_uj
    dynamic_uj = report.dynamic_energy_per_inference_uj
    rate_dynamic, note_dynamic = dynamic_break_even(chip, counts, ann_uj, rate)
    rate_total, note_total = total_break_even(graph, chip, placement, counts, step_counts, ann_uj, rate,
                                              report.realtime.get("mode", "scale"))
    rate_events, note_events = events_break_even(chip, counts, ann_uj, rate)
    return {"op_proxy_snn_uj": proxy["energy_per_inference_uj"], "op_proxy_ann_uj": proxy["dense_ann_energy_uj"],
            "paper_ratio": _ratio(proxy["dense_ann_energy_uj"], proxy["energy_per_inference_uj"]),
            "chip_uj": chip_uj, "chip_dynamic_uj": dynamic_uj, "bit_matched_ann_uj": ann_uj,
            "memory_aware_ratio": _ratio(ann_uj, dynamic_uj), "memory_aware_ratio_total": _ratio(ann_uj, chip_uj),
            "spike_rate": rate, "break_even_spike_rate": rate_dynamic, "break_even_note": note_dynamic,
            "break_even_spike_rate_total": rate_total, "break_even_note_total": note_total,
            "break_even_spike_rate_events": rate_events, "break_even_note_events": note_events,
            "bit_matched_ann": ann, "provenance": accelerator.provenance()}


def per_mac_ratio(events_per_mac: float, a_bits: int, w_bits: int, fan_in: int, memory: str,
                  accelerator: Accelerator | None = None) -> float:
    """Bit-matched ANN energy over SNN energy per dense MAC, for a paper's published counts.

    The ANN pays per MAC one ``a x w`` multiply, one accumulate and one ``w``-bit weight read from
    ``memory``; the SNN pays per synaptic event one accumulate and one weight read (``events_per_mac``
    synaptic events per dense MAC, e.g. a paper's "N x fewer operations" is ``1 / N``). Neuron updates,
    spike routing and activation traffic are left out of both sides (they favour neither claim's
    reading: docs/claims.md), so the SNN wins when ``events_per_mac`` is below about 1 rather than the
    proxy's 4.6 / 0.9 = 5.1.
    """
    accelerator = accelerator or _bundled_accelerator("horowitz45")
    level = next((m for m in accelerator.memory if m.name == memory), None)
    if level is None:
        raise SpecError(f"memory {short(memory)}; {one_of(memory, [m.name for m in accelerator.memory])}")
    accumulate = accelerator.add_energy_pj(a_bits + w_bits + math.ceil(math.log2(max(fan_in, 1))))
    weight = w_bits / WORD_BITS * level.read_64b.value
    return (accelerator.mult_energy_pj(a_bits, w_bits) + accumulate + weight) / (events_per_mac * (accumulate + weight))


def _ratio(numerator: float, denominator: float) -> float | None:
    return numerator / denominator if denominator > 0 else None


def _cell(value, spec: str, suffix: str = "") -> str:
    return "-" if value is None else format(value, spec) + suffix


def claims_table(reports: list[Report]) -> str:
    """One Markdown row per spiking report: the three energies, both ratios, the spike rates."""
    head = ("| chip | model | spike rate | proxy SNN (uJ) | proxy ANN (uJ) | paper ratio | chip SNN dynamic "
            "(total) (uJ) | bit-matched ANN (uJ) | memory-aware ratio | break-even rate: dynamic | total | "
            "events only |")
    rows = [head, "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in reports:
        c = r.claims
        ann = c["bit_matched_ann"]
        rows.append(f"| {r.chip} | {r.model} | {c['spike_rate']:.2%} | {c['op_proxy_snn_uj']:.4g} | "
                    f"{c['op_proxy_ann_uj']:.4g} | {_cell(c['paper_ratio'], '.3g', 'x')} | "
                    f"{c['chip_dynamic_uj']:.4g} ({c['chip_uj']:.4g}) | {ann['energy_per_inference_uj']:.4g} "
                    f"({ann['activation_bits']}-bit a, {ann['weight_bits']}-bit w) | "
                    f"{_cell(c['memory_aware_ratio'], '.3g', 'x')} | {_cell(c['break_even_spike_rate'], '.2%')} | "
                    f"{_cell(c['break_even_spike_rate_total'], '.2%')} | "
                    f"{_cell(c['break_even_spike_rate_events'], '.2%')} |")
    notes = [f"- {r.chip}, {which}: {r.claims['break_even_note' + key]}" for r in reports
             for which, key in (("dynamic", ""), ("total", "_total"), ("events only", "_events"))
             if r.claims["break_even_spike_rate" + key] is None]
    return "\n".join(rows + notes) + "\n"
