"""The single place where JIT options are set for every kernel."""
JIT = dict(cache=True, nogil=True, fastmath=False)
