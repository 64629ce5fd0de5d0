"""The closed vocabulary of countable hardware actions (counter columns).

Every kernel counts into ``int64[..., N_ACTIONS]`` arrays indexed by these ids;
``hwsim.energy`` prices them with the chip profile's table of the same names.

SYNOP          one synapse processed for one arriving spike (counted on the target's group)
NEURON_ACTIVE  a neuron update that had input or non-zero state (u, v) or bias
NEURON_IDLE    any other neuron update (state and input all zero)
SPIKE          a spike emitted (by a neuron, or entering from an input channel)
PACKET         a spike message sent to one destination core (one per core reached)
HOP_X, HOP_Y   one mesh hop of one packet along x (east-west) / y (north-south)
MAC            a multiply-accumulate of a value (non-spiking) layer
MEM_READ       a synaptic-memory word read on the destination core
"""
SYNOP = 0
NEURON_ACTIVE = 1
NEURON_IDLE = 2
SPIKE = 3
PACKET = 4
HOP_X = 5
HOP_Y = 6
MAC = 7
MEM_READ = 8
N_ACTIONS = 9

NAMES = ("synop", "neuron_active", "neuron_idle", "spike", "packet", "hop_x", "hop_y", "mac", "mem_read")
