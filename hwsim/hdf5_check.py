"""Checking an HDF5 file (NIR ``.nir``, lava-dl ``.net``) before a reader loads it whole.

``nir.read`` and the netx reader load every dataset they meet: a small file declaring a
1e10-element dataset, or a compressed one inflating to gigabytes, would be allocated first.
:func:`check_hdf5` walks the file's objects without reading data, and refuses a file that
cannot be opened, holds too many objects, or declares more bytes than its budget
(:func:`hwsim.npz.default_budget_bytes`: ``max(2 GiB, 64 x the file's size)``, at most the
memory available). Compound, object, reference and variable-length datasets are refused unless
they are strings (netx and NIR store names and types as text).

A damaged file can also make the HDF5 library loop forever while reading (a corrupted global
heap of variable-length strings does), which no signal interrupts. So every dataset is read
once in a child process (:func:`_read_all`) that is killed past a time limit; only a file
whose reads all end is handed to the reader.
"""
from __future__ import annotations

import multiprocessing
import sys
from pathlib import Path

import h5py

from hwsim.errors import HwsimError, cut, short
from hwsim.npz import default_budget_bytes

#: Most groups and datasets a file may hold.
MAX_OBJECTS = 100_000
#: Time the child reading every dataset gets: a base plus this many seconds per byte of file.
READ_BASE_S, READ_S_PER_BYTE = 20.0, 1 / 50e6


def _declared_bytes(dataset: h5py.Dataset) -> int:
    n_bytes = dataset.dtype.itemsize
    for extent in dataset.shape or ():
        n_bytes *= int(extent)
    return n_bytes


def check_hdf5(path: str | Path, error: type[HwsimError], expected: str, budget_bytes: int | None = None) -> None:
    """Raise ``error`` unless ``path`` is an HDF5 file whose datasets fit the budget and hold numbers or text.

    Parameters
    ----------
    path : str or Path
        The file.
    error : type
        The :class:`hwsim.errors.HwsimError` subclass raised.
    expected : str
        What the file should be, for messages.
    budget_bytes : int, optional
        Bytes all datasets may declare together (default :func:`hwsim.npz.default_budget_bytes`).
    """
    path = Path(path)
    where = cut(path)
    if not path.is_file():
        found = "a directory" if path.is_dir() else "no such file"
        raise error(f"{where}: {found}; expected {expected}.")
    budget = default_budget_bytes(path.stat().st_size) if budget_bytes is None else budget_bytes
    problems: list[str] = []
    total = [0, 0]          # bytes declared, objects seen

    def visit(name: str, item) -> bool | None:
        total[1] += 1
        if total[1] > MAX_OBJECTS:
            problems.append(f"more than {MAX_OBJECTS:,} groups and datasets")
            return True
        if not isinstance(item, h5py.Dataset):
            return None
        dtype = item.dtype
        is_text = h5py.check_string_dtype(dtype) is not None or dtype.kind in "SU"
        if not is_text and (dtype.kind not in "biuf" or dtype.fields is not None):
            problems.append(f"dataset {short(name, 80)} holds {cut(dtype, 40)} values; expected numbers "
                            f"or text")
            return True
        total[0] += _declared_bytes(item)
        if total[0] > budget:
            problems.append(f"its datasets declare {total[0]:,} bytes (dataset {short(name, 80)} "
                            f"{short(item.shape, 40)}), more than the {budget:,} bytes a {path.stat().st_size:,}-byte "
                            f"file may expand to (or the memory available)")
            return True
        return None

    try:
        with h5py.File(path, "r") as handle:
            handle.visititems(visit)
    except Exception as exc:  # h5py raises OSError, KeyError, RuntimeError, ValueError... for damaged files
        raise error(f"{where}: not a readable HDF5 file ({type(exc).__name__}: {cut(exc, 100)}); "
                    f"expected {expected}.") from None
    if problems:
        raise error(f"{where}: {problems[0]}; expected {expected}.")
    _read_all(path, error, expected, READ_BASE_S + READ_S_PER_BYTE * path.stat().st_size)


def _read_every_dataset(path: str, report) -> None:
    """Child process: read every dataset of ``path``; send None, or the error's text."""
    def read(name: str, item) -> None:
        if isinstance(item, h5py.Dataset):
            item[()]

    try:
        with h5py.File(path, "r") as handle:
            handle.visititems(read)
        report.send(None)
    except Exception as exc:  # any failure of the HDF5 library is the file's
        report.send(f"{type(exc).__name__}: {exc}")


def _read_all(path: Path, error: type[HwsimError], expected: str, timeout_s: float) -> None:
    """Raise ``error`` unless reading every dataset of ``path`` in a child process ends within ``timeout_s``."""
    context = multiprocessing.get_context("fork" if sys.platform.startswith("linux") else "spawn")
    receive, send = context.Pipe(duplex=False)
    child = context.Process(target=_read_every_dataset, args=(str(path), send), daemon=True)
    child.start()
    send.close()
    child.join(timeout_s)
    if child.is_alive():
        child.kill()
        child.join()
        raise error(f"{cut(path)}: reading its datasets did not end within {timeout_s:.0f} s (the "
                    f"HDF5 library loops on a damaged structure); expected {expected}.")
    failure = receive.recv() if receive.poll() else "the reader ended without a result"
    if failure is not None:
        raise error(f"{cut(path)}: not a readable HDF5 file ({cut(failure, 100)}); expected "
                    f"{expected}.")
