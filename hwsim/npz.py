"""Reading ``.npz`` files that may be damaged or hostile, member by member and within a memory budget.

``numpy.load`` trusts a file: a truncated or bit-flipped archive escapes as ``BadZipFile``,
``EOFError`` or ``zlib.error``; a small file declaring a 1e10-element array, or a member that
inflates to gigabytes, is allocated before anything is checked. :class:`NpzReader` reads the
zip directory and each member's ``.npy`` header first, refuses object, text and other
non-numeric dtypes, checks the declared size against what the member holds and against a
budget, and only then reads the data, into one buffer of that size. Members are read when
asked for, so an unused member costs nothing. Every failure is raised as the caller's hwsim
error class with the file's name.

The budget is what a file of that size can legitimately need: ``max(2 GiB, 64 x the file's
size)`` (so a file under 32 MiB never expands past 2 GiB, while a large network's arrays,
which compress little, pass), and never more than the memory the system says is available.
"""
from __future__ import annotations

import zipfile
import zlib
from collections.abc import Iterator, Mapping
from pathlib import Path

import numpy as np

from hwsim.errors import HwsimError, cut, short
from hwsim.memory import available_memory_bytes

#: Smallest budget of uncompressed bytes per file.
MIN_BUDGET_BYTES = 2 * 1024 ** 3
#: Budget per byte of file above that.
EXPANSION_PER_FILE_BYTE = 64
#: Array kinds accepted: bool, signed and unsigned integers, floats.
NUMERIC_KINDS = "biuf"
#: Longest ``.npy`` header read (numpy's own default limit).
MAX_HEADER_BYTES = 10_000
_DAMAGE = (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, NotImplementedError)


def default_budget_bytes(file_bytes: int) -> int:
    """Uncompressed bytes a file of ``file_bytes`` may hold: see the module docstring."""
    budget = max(MIN_BUDGET_BYTES, EXPANSION_PER_FILE_BYTE * file_bytes)
    available = available_memory_bytes()
    return budget if available is None else min(budget, available)


class NpzReader(Mapping):
    """A read-only mapping ``name -> numpy array`` over an ``.npz`` file, checked member by member.

    Parameters
    ----------
    path : str or Path
        The file.
    error : type
        The :class:`hwsim.errors.HwsimError` subclass raised on any problem.
    expected : str
        What the file should be, for messages ("a graph written by hwsim.save_graph").
    budget_bytes : int, optional
        Uncompressed bytes all members read may take together (default :func:`default_budget_bytes`).
    label : str
        Put before the file's name in messages (e.g. ``"--inputs "``).

    Use as a context manager, or call :meth:`close`.
    """

    def __init__(self, path: str | Path, error: type[HwsimError], expected: str, budget_bytes: int | None = None,
                 label: str = ""):
        self.path, self.error, self.expected, self.label = Path(path), error, expected, label
        if not self.path.is_file():
            found = "a directory" if self.path.is_dir() else "no such file"
            raise error(f"{label}{cut(self.path)}: {found}; expected {expected}.")
        self.budget_bytes = default_budget_bytes(self.path.stat().st_size) if budget_bytes is None else budget_bytes
        self.used_bytes = 0
        try:
            self._zip = zipfile.ZipFile(self.path)
            infos = self._zip.infolist()
        except _DAMAGE as exc:
            raise self._fail(f"not a readable .npz file ({cut(exc, 100)})") from None
        self._members = {info.filename[:-4]: info for info in infos if info.filename.endswith(".npy")}

    def _fail(self, what: str, name: str | None = None) -> HwsimError:
        where = self.label + cut(self.path) + ("" if name is None else f", array {short(name)}")
        return self.error(f"{where}: {what}; expected {self.expected}.")

    def __enter__(self) -> "NpzReader":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        """Close the archive."""
        self._zip.close()

    def __iter__(self) -> Iterator[str]:
        return iter(self._members)

    def __len__(self) -> int:
        return len(self._members)

    def __contains__(self, name: object) -> bool:
        return name in self._members

    def __getitem__(self, name: str) -> np.ndarray:
        if name not in self._members:
            raise KeyError(name)
        info = self._members[name]
        try:
            with self._zip.open(info) as member:
                return self._read(member, info, name)
        except HwsimError:
            raise
        except _DAMAGE as exc:
            raise self._fail(f"damaged ({type(exc).__name__}: {cut(exc, 100)})", name) from None

    def _read(self, member, info: zipfile.ZipInfo, name: str) -> np.ndarray:
        version = np.lib.format.read_magic(member)
        if version == (1, 0):
            shape, fortran, dtype = np.lib.format.read_array_header_1_0(member, max_header_size=MAX_HEADER_BYTES)
        elif version == (2, 0):
            shape, fortran, dtype = np.lib.format.read_array_header_2_0(member, max_header_size=MAX_HEADER_BYTES)
        else:
            raise self._fail(f".npy format version {version}; only 1.0 and 2.0 are read", name)
        if dtype.hasobject or dtype.kind not in NUMERIC_KINDS or dtype.fields is not None:
            raise self._fail(f"holds {cut(dtype, 40)} values; only numbers (bool, int, uint, float) are read",
                             name)
        n_bytes = dtype.itemsize
        for extent in shape:
            n_bytes *= int(extent)
        held = info.file_size - member.tell()
        if n_bytes > held:
            raise self._fail(f"declares shape {short(shape, 60)} ({n_bytes:,} bytes) but holds {held:,} bytes "
                             f"(truncated or damaged)", name)
        if self.used_bytes + n_bytes > self.budget_bytes:
            raise self._fail(f"declares shape {short(shape, 60)} ({n_bytes:,} bytes), which with the "
                             f"{self.used_bytes:,} bytes read before exceeds the {self.budget_bytes:,} bytes a "
                             f"{self.path.stat().st_size:,}-byte file may expand to (or the memory available)",
                             name)
        buffer = bytearray(n_bytes)
        if member.readinto(buffer) != n_bytes:
            raise self._fail("ends before its data (truncated)", name)
        self.used_bytes += n_bytes
        return np.frombuffer(buffer, dtype=dtype).reshape(shape, order="F" if fortran else "C")
