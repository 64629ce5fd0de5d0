"""The ring scatter against a per-slot delay queue, stand-alone, on W5-at-0.3-like arrays.

A question for ``kernels/spiking.py``: does scattering each synapse into ring row ``(t + delay) % 64`` miss the
cache on a large ring, so that queueing ``(port, weight)`` per arrival slot and adding a slot's queue into one
row at its step (Brian 2's spike queue) would be faster? Two Numba loops on the same random arrays answer it:
23,150 sources of 3,860 synapses each (sorted random ports, delays normal(16, 8) clipped to 1..60), a 64-slot
ring, sources spiking at 4e-4 per step for 2,000 steps (about 72 M events); ``direct`` scatters into the ring,
``queued`` appends to per-slot queues (grown by doubling) and delivers each slot's queue at its step. Both read
and clear the current row every step; both return the same checksum. Each is run twice, alternately.
bench/RESULTS.md, "Where W5's time goes at scale 0.3", has the figures.

Usage::

    python bench/scatter_queue.py [N_PORTS] [int|float]    # 23150 int: spinnaker's int32 ring; 208000 float: ideal's
"""
import sys
import time
import numpy as np
from numba import njit

n_post_ports = int(sys.argv[1]) if len(sys.argv) > 1 else 23150
dtype = np.int32 if (len(sys.argv) < 3 or sys.argv[2] == "int") else np.float64
wdtype = np.int16 if dtype == np.int32 else np.float64
rng = np.random.default_rng(0)
n_src = 23150
fan = 3860
n_syn = n_src * fan
ptr = np.arange(n_src + 1, dtype=np.int64) * fan
port = np.sort(rng.integers(0, n_post_ports, (n_src, fan)).astype(np.uint32), axis=1).ravel()
weight = rng.integers(-100, 100, n_syn).astype(wdtype)
delay = np.clip(rng.normal(16, 8, n_syn), 1, 60).astype(np.uint8)
R = 64; mask = R - 1
T = 2000
spikes = [np.flatnonzero(rng.random(n_src) < 4e-4) for _ in range(T)]
sp_ptr = np.zeros(T + 1, dtype=np.int64); sp_ptr[1:] = np.cumsum([len(s) for s in spikes])
sp = np.concatenate(spikes).astype(np.int64)
events = len(sp) * fan

@njit(cache=False)
def direct(sp, sp_ptr, ptr, port, weight, delay, ring, T):
    acc = 0
    for t in range(T):
        slot = t & mask
        for i in range(ring.shape[1]):
            acc += ring[slot, i]
            ring[slot, i] = 0
        for e in range(sp_ptr[t], sp_ptr[t + 1]):
            s = sp[e]
            for j in range(np.uint64(ptr[s]), np.uint64(ptr[s + 1])):
                ring[np.uint64((t + delay[j]) & mask), port[j]] += weight[j]
    return acc

@njit(cache=False)
def queued(sp, sp_ptr, ptr, port, weight, delay, ring, T):
    cap = 1024
    qp = np.empty((R, cap), dtype=port.dtype)
    qw = np.empty((R, cap), dtype=weight.dtype)
    qn = np.zeros(R, dtype=np.int64)
    qmax = 0
    acc = 0
    for t in range(T):
        slot = t & mask
        for i in range(qn[slot]):
            ring[slot, qp[slot, i]] += qw[slot, i]
        qn[slot] = 0
        qmax = qn.max()
        for i in range(ring.shape[1]):
            acc += ring[slot, i]
            ring[slot, i] = 0
        for e in range(sp_ptr[t], sp_ptr[t + 1]):
            s = sp[e]
            n = ptr[s + 1] - ptr[s]
            if qmax + n > cap:
                new = max(2 * cap, qmax + n)
                qp2 = np.empty((R, new), dtype=port.dtype); qp2[:, :cap] = qp; qp = qp2
                qw2 = np.empty((R, new), dtype=weight.dtype); qw2[:, :cap] = qw; qw = qw2
                cap = new
            for j in range(np.uint64(ptr[s]), np.uint64(ptr[s + 1])):
                q = np.uint64((t + delay[j]) & mask)
                k = qn[q]
                qp[q, k] = port[j]
                qw[q, k] = weight[j]
                qn[q] = k + 1
            qmax += n
    return acc

ring = np.zeros((R, n_post_ports), dtype=dtype)
print("events", events, "ring MB", ring.nbytes / 1e6)
for name, f in (("direct", direct), ("queued", queued), ("direct", direct), ("queued", queued)):
    f(sp, sp_ptr[:3], ptr, port, weight, delay, ring, 2)
    ring[:] = 0
    t0 = time.perf_counter(); a = f(sp, sp_ptr, ptr, port, weight, delay, ring, T); dt = time.perf_counter() - t0
    print(name, round(dt, 3), "s", round(dt / events * 1e9, 2), "ns/event", a)
