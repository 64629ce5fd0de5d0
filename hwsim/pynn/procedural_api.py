"""PyNN's procedural API (create, connect, record) on hwsim.pynn's classes."""
from __future__ import annotations

from pyNN import common
from pyNN.connectors import FixedProbabilityConnector

from hwsim.pynn import simulator
from hwsim.pynn.populations import Population
from hwsim.pynn.projections import Projection
from hwsim.pynn.standardmodels import StaticSynapse

create = common.build_create(Population)
connect = common.build_connect(Projection, FixedProbabilityConnector, StaticSynapse)
record = common.build_record(simulator)


def record_v(source, filename):
    """Record the membrane of ``source`` and write it to ``filename`` at ``end()``."""
    return record(["v"], source, filename)
