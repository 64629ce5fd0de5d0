"""The one exception hierarchy of hwsim.

Every message reads ``where: what was found; what was expected. Hint.`` so a
user can fix the input without reading hwsim's source. Input checks raise
these; they never ``assert`` or exit.
"""
from __future__ import annotations

import difflib
import reprlib
import sys
from typing import Callable, Iterable


class HwsimError(Exception):
    """Base class of every error hwsim raises on purpose."""


class SpecError(HwsimError, ValueError):
    """A chip profile, noise spec or option is malformed."""


class GraphError(HwsimError, ValueError):
    """An IR graph is malformed (shapes, dangling edges, unknown models, bad values)."""


class MappingError(HwsimError):
    """A graph does not fit a chip's capacity."""


class UnsupportedError(HwsimError):
    """A feature is valid but not supported by the chosen chip, importer or model."""


def did_you_mean(found: str, options: Iterable[str]) -> str:
    """Return ``" Did you mean 'x'?"`` for the closest option, or ``""``.

    Parameters
    ----------
    found : str
        The name the user wrote.
    options : iterable of str
        The valid names.
    """
    close = difflib.get_close_matches(str(found), [str(o) for o in options], n=1, cutoff=0.6)
    return f" Did you mean '{close[0]}'?" if close else ""


def one_of(found: str, options: Iterable[str]) -> str:
    """Describe the valid options and a did-you-mean suggestion for ``found``."""
    options = sorted(str(o) for o in options)
    return f"expected one of: {', '.join(options)}.{did_you_mean(found, options)}"


def _bounded_repr(limit: int) -> reprlib.Repr:
    """A ``repr`` that never walks more than a few items or levels of a value (a YAML alias bomb, a huge array)."""
    bounded = reprlib.Repr()
    bounded.maxlevel, bounded.maxtuple, bounded.maxlist, bounded.maxdict, bounded.maxset = 3, 6, 6, 6, 6
    bounded.maxstring = bounded.maxother = bounded.maxlong = max(limit, 12)
    return bounded


def short(value, limit: int = 60) -> str:
    """``repr(value)`` cut to ``limit`` characters (``...`` marks the cut), for quoting user input in messages;
    containers are shown to a few items and levels only, so the cost does not depend on the value's size."""
    text = _bounded_repr(limit).repr(value)
    return text if len(text) <= limit else text[:limit - 3] + "..."


def cut(text, limit: int = 120) -> str:
    """``str(text)`` without quotes, control characters escaped, cut to ``limit`` characters (``...`` marks the
    cut): for paths and other free text quoted in messages."""
    escaped = repr(str(text))[1:-1]
    return escaped if len(escaped) <= limit else escaped[:limit - 3] + "..."


def exit_status(prog: str, action: Callable[[], int | None], failure: int = 1) -> int:
    """Run a command-line entry point's ``action``: its status (``None``: 0), or, when it raises an
    :class:`HwsimError`, ``prog: error: message`` on stderr and ``failure`` (no traceback)."""
    try:
        return action() or 0
    except HwsimError as exc:
        print(f"{prog}: error: {exc}", file=sys.stderr)
        return failure
