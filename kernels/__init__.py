"""Numba kernels of hwsim (installed as ``hwsim.kernels``).

Only numpy, numba and this package are imported here. Kernels take plain arrays,
trust their inputs (``hwsim.simulate`` validates them) and fill ``out_*`` arrays.
"""
