"""Bespoke pruned flash ADCs: the comparators each input's ADC keeps.

An ``N``-bit flash ADC compares its input with ``2**N - 1`` thresholds (one comparator per
level boundary) and encodes the thermometer code. Afentaki, Lozano Duarte, Zervakis, Tahoori,
"Reducing ADC Front-end Costs During Training of On-sensor Printed Multilayer Perceptrons",
IEEE Embedded Systems Letters 2024 (doi 10.1109/LES.2024.3447412, arXiv 2411.08674) prune the
levels a classifier does not need, and with them their comparators; their area proxy scales
with the comparators kept. Here the levels an input needs follow from the bits its circuit
reads: the first layer reads ``x_j & U_j`` (``U_j`` the OR of input ``j``'s masks over its
non-zero weights, within its ``input_widths`` top bits), so threshold ``k`` (between codes
``k - 1`` and ``k``) is needed exactly when ``(k & U_j) != ((k - 1) & U_j)``. An input read at
its top ``w`` bits keeps ``2**w - 1`` comparators; a pruned input (no weight, or every bit
masked) keeps none, so its ADC is gone.
"""
from __future__ import annotations

import numpy as np

from hwsim.printed.netcost import check_input_widths
from hwsim.qmlp import QuantizedMLP

#: Resolution of the profile's ``mac_costs.adc_*`` ADC (printed_egfet: the 4-bit flash ADC of
#: Afentaki et al., ESL 2024); a pruned ADC costs its share of that ADC's ``2**4 - 1`` comparators.
REFERENCE_ADC_BITS = 4


def read_bits(qmlp: QuantizedMLP, input_bits: int, input_widths=None) -> np.ndarray:
    """int64 ``(n_inputs,)``: the code bits of each input that the first layer reads (``U_j``, module doc)."""
    widths = check_input_widths(input_widths, input_bits, qmlp.input_size, "read_bits")
    first = qmlp.layers[0]
    full = (1 << int(input_bits)) - 1
    masks = np.full(first.weight.shape, full, dtype=np.int64) if first.input_mask is None \
        else np.asarray(first.input_mask, dtype=np.int64) & full
    used = np.bitwise_or.reduce(np.where(first.weight != 0, masks, 0), axis=0)
    top = full ^ ((1 << (int(input_bits) - widths)) - 1)              # the top widths[j] bits
    return used & top


def adc_comparators(qmlp: QuantizedMLP, input_bits: int, input_widths=None) -> np.ndarray:
    """int64 ``(n_inputs,)``: comparators each input's pruned flash ADC keeps (module doc)."""
    codes = np.arange(1, 1 << int(input_bits), dtype=np.int64)[:, None]
    bits = read_bits(qmlp, input_bits, input_widths)[None, :]
    return np.count_nonzero((codes & bits) != ((codes - 1) & bits), axis=0).astype(np.int64)
