"""A PyNN backend on hwsim: ``import hwsim.pynn as sim`` runs a PyNN script on a chip profile.

``sim.setup(timestep=0.1, chip="spinnaker", seed=0)`` chooses the chip; populations of ``IF_curr_exp`` and
``IF_curr_delta`` neurons, ``SpikeSourcePoisson`` and ``SpikeSourceArray`` sources, projections with
``StaticSynapse`` and PyNN's own connectors, ``record("spikes" / "v")``, ``run``, ``reset`` and ``end`` work as
in PyNN; ``sim.hwsim_report()`` returns the last run's energy, latency and mapping. The network becomes an
hwsim IR graph (:mod:`hwsim.pynn.translate`) and runs through hwsim's pipeline. ``docs/pynn.md`` has the
translation table, what is refused and why, and a comparison with pyNN.brian2.

Needs PyNN (``pip install 'hwsim[pynn]'``); hwsim itself imports without it. Modules: ``simulator`` (state),
``standardmodels``, ``populations``, ``projections``, ``recording``, ``translate`` (PyNN to IR), ``sources``
(spike sources as IR inputs), ``rounding`` (warnings), ``engine`` (runs), ``control`` (setup, run, ...),
``utility`` (PyNN's script tools, with ``hwsim`` as a command-line simulator name).
"""
from pyNN import errors, random, space  # noqa: F401
from pyNN.connectors import (AllToAllConnector, DistanceDependentProbabilityConnector,  # noqa: F401
                             FixedNumberPostConnector, FixedNumberPreConnector, FixedProbabilityConnector,
                             FixedTotalNumberConnector, FromFileConnector, FromListConnector, OneToOneConnector)
from pyNN.network import Network  # noqa: F401
from pyNN.random import GSLRNG, NumpyRNG, RandomDistribution  # noqa: F401
from pyNN.space import Space  # noqa: F401

from hwsim.errors import UnsupportedError, one_of
from hwsim.pynn.control import (end, get_current_time, get_max_delay, get_min_delay, get_time_step,  # noqa: F401
                                hwsim_report, initialize, num_processes, rank, reset, run, run_for, run_until,
                                setup)
from hwsim.pynn.populations import Assembly, Population, PopulationView  # noqa: F401
from hwsim.pynn.procedural_api import connect, create, record, record_v  # noqa: F401
from hwsim.pynn.projections import Projection  # noqa: F401
from hwsim.pynn.rounding import RoundingWarning  # noqa: F401
from hwsim.pynn.standardmodels import (IF_cond_exp, IF_curr_delta, IF_curr_exp, SpikeSourceArray,  # noqa: F401
                                       SpikeSourcePoisson, StaticSynapse)

_SUPPORTED = ("IF_curr_exp", "IF_curr_delta", "SpikeSourcePoisson", "SpikeSourceArray", "StaticSynapse")


def list_standard_models():
    """The standard cell types hwsim.pynn runs."""
    return ["IF_curr_exp", "IF_curr_delta", "SpikeSourcePoisson", "SpikeSourceArray"]


def __getattr__(name: str):
    """PyNN names hwsim does not offer raise an UnsupportedError that lists what it does offer."""
    from pyNN.standardmodels import cells, electrodes, synapses

    known = any(hasattr(part, name) for part in (cells, synapses, electrodes))
    if known:
        raise UnsupportedError(f"hwsim.pynn: {name} is a PyNN model hwsim does not run; expected one of: "
                               f"{', '.join(_SUPPORTED)}. Hint: docs/pynn.md lists what is refused and why.")
    raise AttributeError(f"module 'hwsim.pynn' has no attribute {name!r}; {one_of(name, _SUPPORTED)}")
