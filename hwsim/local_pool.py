"""This process and ``workers - 1`` helper processes take work items until none are left.

Used by :func:`hwsim.sweep.sweep` for ``workers > 1``. The calling process computes items from the
moment the call starts, so the helpers' start (a fresh interpreter importing numpy, Numba and
hwsim, then building Numba's compiler contexts: about 1.5 s on a 2-core machine) overlaps useful
work instead of delaying all of it. Helpers are forked from a fork server that has imported
:mod:`hwsim.pool_preload` once (POSIX), so a second pool in the same session starts in
milliseconds; where there is no fork server (Windows) they are spawned. Nothing is forked from
the calling process itself, whose Numba threading layer may already be running (it is not
fork-safe).

Each helper, and the calling process while it takes items, runs Numba kernels on
``NUMBA_NUM_THREADS // workers`` threads (Numba's default: the cores this process may use). A
feeder thread hands items to the helpers the moment one finishes (each holds one running and at
most one waiting item), so a slow or late helper delays the end by at most one item.

A daemonic process (a multiprocessing or Dask worker) may not start processes: there every item
runs in the calling process, with a warning, instead of hanging on a pool that cannot start.
"""
from __future__ import annotations

import collections
import multiprocessing
import os
import queue
import threading
import warnings
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from typing import Callable, Sequence

#: Imported by the fork server before it forks any helper.
PRELOAD = ["hwsim.pool_preload"]

_SHARED = None  # set in each helper by _init_helper


def _exit_with_caller() -> None:
    """Helpers hold both ends of their queues, so they never see the caller die: watch it.

    ``parent_process()`` is the process that started this one (the caller, also when the fork
    server forked it); its sentinel closes when the caller exits, however it ends.
    """
    multiprocessing.parent_process().join()
    os._exit(1)


def _init_helper(shared, threads: int) -> None:
    global _SHARED
    import numba

    _SHARED = shared
    threading.Thread(target=_exit_with_caller, daemon=True).start()
    numba.set_num_threads(threads)


def _helper_task(fn: Callable, item):
    return fn(_SHARED, item)


def _context():
    if "forkserver" in multiprocessing.get_all_start_methods():
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(PRELOAD)  # no effect once this session's fork server runs
        return ctx
    return multiprocessing.get_context("spawn")


def _take(items: collections.deque, from_front: bool):
    try:
        return (True, items.popleft() if from_front else items.pop())
    except IndexError:  # another thread took the last one
        return (False, None)


def _feed(pool, fn: Callable, items: collections.deque, limit: int, finished: queue.SimpleQueue,
          stop: threading.Event) -> None:
    """Keep ``limit`` items submitted to the helpers, refilling the moment one finishes."""
    out = set()
    while True:
        while not stop.is_set() and len(out) < limit:
            ok, item = _take(items, from_front=True)
            if not ok:
                break
            try:
                out.add(pool.submit(_helper_task, fn, item))
            except RuntimeError as exc:  # shut down (the caller failed or was interrupted) or broken
                if not stop.is_set():  # broken: the caller raises it instead of finishing without the item
                    failed = Future()
                    failed.set_exception(exc)
                    finished.put(failed)
                break
        if not out:
            finished.put(None)
            return
        done, out = wait(out, return_when=FIRST_COMPLETED)
        for fut in done:
            finished.put(fut)


def run_local(fn: Callable, shared, items: Sequence, workers: int, on_done: Callable) -> None:
    """Call ``on_done(fn(shared, item))`` for every item, in this process and ``workers - 1`` helpers.

    Parameters
    ----------
    fn : callable
        A module-level function (helpers import it by name) of ``(shared, item)``.
    shared : picklable
        Sent once to each helper.
    items : sequence of picklable
        The work; results arrive in completion order, not item order.
    workers : int
        Processes computing items, this one included (1: all in this process, threads untouched).
    on_done : callable
        Called in this process with each result as it arrives.
    """
    helpers = min(int(workers), len(items)) - 1
    if helpers > 0 and multiprocessing.current_process().daemon:
        warnings.warn(f"run_local: this is a daemonic process ({multiprocessing.current_process().name}), which "
                      f"may not start helpers; the {len(items)} items run here instead of in {workers} "
                      f"processes.", RuntimeWarning, stacklevel=2)
        helpers = 0
    if helpers <= 0:
        for item in items:
            on_done(fn(shared, item))
        return
    import numba

    threads = max(1, numba.config.NUMBA_NUM_THREADS // (helpers + 1))  # the cores Numba may use
    todo = collections.deque(items)
    finished: queue.SimpleQueue = queue.SimpleQueue()
    stop = threading.Event()
    saved = numba.get_num_threads()
    numba.set_num_threads(threads)
    try:
        with ProcessPoolExecutor(max_workers=helpers, mp_context=_context(), initializer=_init_helper,
                                 initargs=(shared, threads)) as pool:
            # each helper: one item running, one waiting; this process takes from the other end
            feeder = threading.Thread(target=_feed, args=(pool, fn, todo, 2 * helpers, finished, stop), daemon=True)
            feeder.start()
            try:
                while True:
                    if finished.empty():
                        ok, item = _take(todo, from_front=False)
                        if ok:
                            on_done(fn(shared, item))
                            continue
                    fut = finished.get()  # a helper's result, or (nothing left to take) wait for one
                    if fut is None:  # the feeder is done, so is every item
                        break
                    on_done(fut.result())
            except BaseException:  # interrupted or failed: drop the waiting items (finished ones are recorded)
                stop.set()
                pool.shutdown(wait=False, cancel_futures=True)
                raise
    finally:
        numba.set_num_threads(saved)
