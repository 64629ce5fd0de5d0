"""Per-neuron reset modes of the spiking kernel (``SpikingArrays.reset_mode``), shared with lowering.

RESET_VALUE          on a spike, v <- v_reset
RESET_SUBTRACT       on a spike, v <- v - v_th
RESET_SUBTRACT_NEXT  on a spike, v is kept and v_th is subtracted at the neuron's next membrane update
                     (snnTorch's delayed subtract; the IR's ``reset="subtract_next"``)
"""
RESET_VALUE = 0
RESET_SUBTRACT = 1
RESET_SUBTRACT_NEXT = 2
