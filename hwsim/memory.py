"""How much memory the system has left, and refusing an allocation that cannot fit before it is made."""
from __future__ import annotations

from hwsim.errors import SpecError


def available_memory_bytes() -> int | None:
    """Memory the system reports as available (``MemAvailable`` of ``/proc/meminfo``), or None elsewhere."""
    try:
        with open("/proc/meminfo") as meminfo:
            for line in meminfo:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        return None
    return None


def check_fits(where: str, what: str, n_bytes: int, hint: str = "", error: type = SpecError) -> None:
    """Raise ``error`` when ``n_bytes`` (an allocation about to be made) exceed the memory available."""
    available = available_memory_bytes()
    if available is not None and n_bytes > available:
        raise error(f"{where}: {what} would take {n_bytes:,} bytes; expected at most the {available:,} bytes of "
                    f"memory available. {hint}".rstrip())
