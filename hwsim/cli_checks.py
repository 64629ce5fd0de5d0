"""Checks of the command line's numbers and output paths, before any work starts.

Each numeric option has a range (:func:`integer_in`): argparse then refuses ``--samples 0``,
``--instances 1000000000`` or ``--seed -1`` with one line naming the option. Output paths are
checked when the command starts (:func:`output_file`, :func:`output_folder`) and written through
:func:`write_text`, so a directory given for a file, a file given for a folder, a missing parent
folder or a name too long for the file system is one hwsim error, and ``-`` writes to stdout.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Callable

from hwsim.errors import SpecError, cut, short

#: Largest seed (numpy's SeedSequence takes any non-negative integer; 2**63 - 1 keeps it an int64).
MAX_SEED = 2 ** 63 - 1


def integer_in(minimum: int, maximum: int) -> Callable[[str], int]:
    """An argparse ``type`` accepting whole numbers in ``minimum .. maximum``."""
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{short(text)} is not a whole number; expected "
                                             f"{minimum}..{maximum:,}") from None
        if not minimum <= value <= maximum:
            raise argparse.ArgumentTypeError(f"{short(text)} is out of range; expected {minimum}..{maximum:,}")
        return value
    parse.__name__ = "integer"
    return parse


def _usable(flag: str, text: str, check: Callable[[Path], None]) -> Path:
    """``Path(text)`` after ``check``; an OSError (a name too long, a folder that cannot be made) is a SpecError."""
    path = Path(text)
    try:
        check(path)
    except OSError as exc:
        raise SpecError(f"{flag} {cut(text)}: cannot be used ({cut(exc, 80)}); expected a writable "
                        f"location.") from None
    return path


def _file_check(flag: str, text: str) -> Callable[[Path], None]:
    def check(path: Path) -> None:
        if path.is_dir():
            raise SpecError(f"{flag} {cut(text)}: a directory; expected a file name. Hint: add a file name, "
                            f"e.g. {short(str(path / 'report.json'), 120)}.")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.exists()                   # a name too long for the file system fails here
    return check


def _folder_check(flag: str, text: str) -> Callable[[Path], None]:
    def check(path: Path) -> None:
        if path.exists() and not path.is_dir():
            raise SpecError(f"{flag} {cut(text)}: an existing file; expected a folder. Hint: choose another "
                            f"name or remove the file.")
        path.mkdir(parents=True, exist_ok=True)
    return check


def output_file(flag: str, text: str) -> Path | None:
    """The file ``flag`` names (its folder is created), or None for ``-`` (stdout)."""
    return None if text == "-" else _usable(flag, text, _file_check(flag, text))


def output_folder(flag: str, text: str) -> Path:
    """The folder ``flag`` names, created when missing."""
    return _usable(flag, text, _folder_check(flag, text))


def write_text(flag: str, path: Path | None, text: str) -> str:
    """Write ``text`` to ``path`` (stdout when None); return where it went, for messages."""
    if path is None:
        sys.stdout.write(text)
        return "stdout"
    try:
        path.write_text(text)
    except OSError as exc:
        raise SpecError(f"{flag} {cut(path)}: cannot be written ({cut(exc, 80)}); expected a "
                        f"writable file.") from None
    return str(path)
