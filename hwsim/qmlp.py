"""A non-spiking network (MLP) in a MAC chip's integers.

Each layer computes, in int64, from the previous layer's outputs ``a`` (the
integer input for the first layer)::

    y = weight @ a + bias;  if relu: y = max(y, 0);  y = y >> shift (floor);
    if act_max >= 0: y = min(y, act_max)

:mod:`hwsim.lowering` flattens a :class:`QuantizedMLP` into kernel arrays.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from hwsim.errors import GraphError


@dataclass(frozen=True, eq=False)
class QLayer:
    """One integer dense layer.

    Attributes
    ----------
    name : str
        Layer (population) name; it names the layer's counter group.
    weight : ndarray
        int64 ``(n_out, n_in)`` weights in accumulator units.
    bias : ndarray
        int64 ``(n_out,)`` biases in accumulator units.
    shift : int
        Right shift (floor, >= 0) from accumulator units to the next layer's input units.
    relu : bool
        True: negative accumulators become 0 before the shift.
    act_max : int
        Largest output after the shift (the activation width's top); -1: no clipping.
    """

    name: str
    weight: np.ndarray
    bias: np.ndarray
    shift: int
    relu: bool
    act_max: int

    def __post_init__(self):
        where = f"layer '{self.name}'"
        if self.weight.ndim != 2 or self.bias.shape != (self.weight.shape[0],):
            raise GraphError(f"{where}: weight shape {self.weight.shape} and bias shape {self.bias.shape}; "
                             f"expected (n_out, n_in) and (n_out,).")
        if self.weight.dtype.kind not in "iu" or self.bias.dtype.kind not in "iu":
            raise GraphError(f"{where}: weight dtype {self.weight.dtype}, bias dtype {self.bias.dtype}; "
                             f"expected integers. Hint: quantise first (round, then .astype(np.int64)).")
        if self.shift < 0:
            raise GraphError(f"{where}: shift {self.shift}; expected >= 0. Hint: fold left shifts "
                             f"into the weights.")


@dataclass(frozen=True, eq=False)
class QuantizedMLP:
    """A chain of integer dense layers fed by one value input.

    Attributes
    ----------
    input_name : str
        Name of the value input.
    input_size : int
        Number of input channels (integers, e.g. ADC codes).
    layers : tuple of QLayer
        Layers in order; layer ``l`` reads layer ``l - 1``'s outputs.
    """

    input_name: str
    input_size: int
    layers: tuple[QLayer, ...]

    def __post_init__(self):
        if not self.layers:
            raise GraphError(f"MLP '{self.input_name}': no layers; expected at least one.")
        width = self.input_size
        for layer in self.layers:
            if layer.weight.shape[1] != width:
                raise GraphError(f"layer '{layer.name}': weight has {layer.weight.shape[1]} inputs but "
                                 f"the previous layer has {width} outputs; expected equal widths.")
            width = layer.weight.shape[0]
