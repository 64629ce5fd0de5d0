"""``bench/RESULTS.md``: each benchmark owns one section between marker comments, and the machine line.

A section is ``<!-- NAME: begin -->`` ... ``<!-- NAME: end -->``; :func:`write_section`
replaces it in place (or appends it), leaving every other section and the text between them alone.
"""
from __future__ import annotations

import os
import platform
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "RESULTS.md"
HEADER = "# Benchmarks\n\nEach section is written by its script.\n"


def markers(name: str) -> tuple[str, str]:
    """The begin and end comments of section ``name``."""
    return f"<!-- {name}: begin -->", f"<!-- {name}: end -->"


def write_section(name: str, body: str, path: Path = RESULTS) -> None:
    """Replace section ``name`` of ``path`` with ``body`` (markers added here), or append it."""
    begin, end = markers(name)
    text = path.read_text() if path.is_file() else HEADER
    block = f"{begin}\n{body.strip()}\n{end}"
    if begin in text and end in text:
        head, rest = text.split(begin, 1)
        text = head + block + rest.split(end, 1)[1]
    else:
        text = text.rstrip("\n") + "\n\n" + block + "\n"
    path.write_text(text)


def cpu() -> str:
    """CPU model and logical CPU count, e.g. ``AMD EPYC 7B13, 2 logical CPUs``."""
    try:
        names = [line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                 if line.startswith("model name")]
    except OSError:
        names = []
    model = names[0] if names else (platform.processor() or platform.machine())
    return f"{model}, {os.cpu_count()} logical CPUs"


def machine() -> str:
    """CPU, memory and OS in one line."""
    try:
        kib = next(int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
                   if line.startswith("MemTotal"))
        memory = f", {kib / 2**20:.0f} GiB RAM"
    except (OSError, StopIteration):
        memory = ""
    return f"{cpu()}{memory}, {platform.system()} {platform.release()}"
