"""Per-neuron reset modes of the spiking kernel (``SpikingArrays.reset_mode``), shared with lowering.

The IR's resets (``hwsim.ir``; ``hwsim.neuron_models.RESET_MODES``) one to one:

RESET_VALUE            on a spike, v <- v_reset                                            ("value")
RESET_SUBTRACT         on a spike, v <- v - v_th                                           ("subtract")
RESET_SUBTRACT_NEXT    on a spike, v is kept and v_th is subtracted at the neuron's next   ("subtract_next")
                       membrane update (snnTorch's delayed subtract)
RESET_VALUE_NEXT       on a spike, v is kept and the neuron's next update starts from      ("value_next")
                       v_reset (snnTorch's delayed reset to zero)
RESET_SUBTRACT_RAISED  as RESET_SUBTRACT, but a neuron whose stored v is above v_th        ("subtract_raised")
                       decides on v - v_th (snnTorch's subtract with reset_delay=False)
RESET_NONE             on a spike, v is kept                                               ("none")
"""
RESET_VALUE = 0
RESET_SUBTRACT = 1
RESET_SUBTRACT_NEXT = 2
RESET_VALUE_NEXT = 3
RESET_SUBTRACT_RAISED = 4
RESET_NONE = 5

#: The kernel's id of each IR reset.
RESET_IDS = {"value": RESET_VALUE, "subtract": RESET_SUBTRACT, "subtract_next": RESET_SUBTRACT_NEXT,
             "value_next": RESET_VALUE_NEXT, "subtract_raised": RESET_SUBTRACT_RAISED, "none": RESET_NONE}
