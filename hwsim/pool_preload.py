"""What every sweep helper needs before its first point, done once by the fork server (:mod:`hwsim.local_pool`).

Importing this module imports hwsim's pipeline and sweep, and builds Numba's typing and target
contexts by compiling one trivial function. Numba builds those contexts on the first compilation
or cache load in a process (importing its numpy support, which imports scipy.linalg when
installed: about 0.6 s of a helper's start on a 2-core machine); helpers forked from a server that
did it once inherit them. Nothing here starts Numba's threading layer, so forking stays safe.
"""
import importlib

import numba

for _name in ("hwsim.local_pool", "hwsim.sweep", "hwsim.pipeline"):  # hwsim's __init__ imports the rest
    importlib.import_module(_name)


@numba.njit(cache=False)
def _increment(x):
    return x + 1


_increment(1)
