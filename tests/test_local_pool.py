"""hwsim.local_pool: this process and helper processes share the items; each is computed exactly once."""
from __future__ import annotations

import os
import time
from pathlib import Path

import numba
import pytest

from hwsim.local_pool import run_local


def record_pid(shared, item):
    time.sleep(shared["sleep_s"])
    return item, os.getpid(), numba.get_num_threads()


def fail_in_helpers(shared, item):
    time.sleep(0.05)
    if os.getpid() != shared["caller"]:
        raise ValueError(f"item {item} failed in a helper")
    return item


def die_in_helpers(shared, item):
    time.sleep(0.05)
    if os.getpid() != shared["caller"]:
        os._exit(3)  # as if killed (e.g. out of memory)
    return item


def fail_on(shared, item):
    if item == shared["bad"]:
        raise KeyError(item)
    return item


def _run(fn, shared, items, workers):
    got = []
    run_local(fn, shared, items, workers, got.append)
    return got


@pytest.mark.parametrize("workers", [2, 3])
def test_every_item_once_shared_between_caller_and_helpers(workers):
    threads_before = numba.get_num_threads()
    got = _run(record_pid, {"sleep_s": 0.1}, list(range(30)), workers)
    assert sorted(item for item, _, _ in got) == list(range(30))
    pids = {pid for _, pid, _ in got}
    assert os.getpid() in pids  # the caller took items (it always takes the first)
    assert len(pids) >= 2  # and the helpers did (each is handed two at once and keeps them)
    assert len(pids) <= workers
    expected = max(1, numba.config.NUMBA_NUM_THREADS // workers)
    assert {threads for _, _, threads in got} == {expected}
    assert numba.get_num_threads() == threads_before  # the caller's own setting is restored


def test_one_worker_stays_in_this_process():
    got = _run(record_pid, {"sleep_s": 0.0}, [3, 1, 2], 1)
    assert got == [(3, os.getpid(), numba.get_num_threads()), (1, os.getpid(), numba.get_num_threads()),
                   (2, os.getpid(), numba.get_num_threads())]


def _run_in_daemon(result):
    import warnings

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        got = _run(record_pid, {"sleep_s": 0.0}, [1, 2, 3], 2)
    result.put(([item for item, _, _ in got], {pid for _, pid, _ in got} == {os.getpid()},
                [str(w.message) for w in caught]))


def test_a_daemonic_process_runs_every_item_itself_instead_of_hanging():
    import multiprocessing

    context = multiprocessing.get_context("spawn")
    result = context.Queue()
    child = context.Process(target=_run_in_daemon, args=(result,), daemon=True)
    child.start()
    items, all_here, warned = result.get(timeout=120)
    child.join(30)
    assert items == [1, 2, 3] and all_here
    assert len(warned) == 1 and "daemonic process" in warned[0] and "run here instead of in 2" in warned[0]


def test_more_workers_than_items():
    got = _run(record_pid, {"sleep_s": 0.0}, [7], 4)
    assert [item for item, _, _ in got] == [7]


def test_a_helpers_error_reaches_the_caller():
    with pytest.raises(ValueError, match="failed in a helper"):
        _run(fail_in_helpers, {"caller": os.getpid()}, list(range(40)), 2)


def test_a_helper_that_dies_fails_the_call_instead_of_dropping_items():
    from concurrent.futures.process import BrokenProcessPool

    with pytest.raises(BrokenProcessPool):
        _run(die_in_helpers, {"caller": os.getpid()}, list(range(40)), 2)


def test_the_callers_own_error_propagates():
    with pytest.raises(KeyError):
        _run(fail_on, {"bad": 19}, list(range(20)), 2)  # the caller takes from the end: 19 first


def test_helpers_and_fork_server_exit_when_the_caller_is_killed(tmp_path):
    import signal
    import subprocess
    import sys

    script = tmp_path / "caller.py"
    script.write_text(
        "import os, sys, time\n"
        "sys.path.insert(0, sys.argv[1])\n"
        "from hwsim.local_pool import run_local\n"
        "from test_local_pool import record_pid\n"
        "if __name__ == '__main__':\n"
        "    run_local(record_pid, {'sleep_s': 0.5}, list(range(1000)), 3,\n"
        "              lambda r: r[1] != os.getpid() and print(r[1], flush=True))\n")
    caller = subprocess.Popen([sys.executable, str(script), str(Path(__file__).parent)], stdout=subprocess.PIPE,
                              text=True)
    helper = int(caller.stdout.readline())  # a helper has finished an item
    server = _parent_of(helper)
    assert server not in (caller.pid, 1)  # forked from the fork server, not from the caller
    caller.send_signal(signal.SIGKILL)
    caller.wait()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and (_alive(helper) or _alive(server)):
        time.sleep(0.1)
    assert not _alive(helper) and not _alive(server)


def _parent_of(pid: int) -> int:
    return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"
