"""Numba kernels of hwsim (installed as ``hwsim.kernels``).

Only numpy, numba, the standard library and this package are imported here. Kernels take plain arrays,
trust their inputs (``hwsim.simulate`` validates them) and fill ``out_*`` arrays.

Numba caches each compiled function under the file that defines it (``cache=True``) and checks only that
file: a kernel that inlines or calls functions of another module would keep running their old code after
that module changed (an upgrade of an editable install, say). So on import, when the kernels' sources
differ from those the cache was built from, the cache is dropped and rebuilt (:func:`_drop_stale_cache`).
"""
import hashlib
from pathlib import Path


def _drop_stale_cache(here: Path = Path(__file__).resolve().parent) -> None:
    """Delete Numba's cached kernels in ``here/__pycache__`` when any ``here/*.py`` changed since they were
    written (the sources' digest is kept beside them); a read-only install keeps its cache."""
    digest = hashlib.sha256(b"".join(p.read_bytes() for p in sorted(here.glob("*.py")))).hexdigest()
    cache = here / "__pycache__"
    stamp = cache / "kernels-source.sha256"
    try:
        if stamp.is_file() and stamp.read_text() == digest:
            return
        for stale in list(cache.glob("*.nbi")) + list(cache.glob("*.nbc")):
            stale.unlink(missing_ok=True)
        cache.mkdir(exist_ok=True)
        stamp.write_text(digest)
    except OSError:
        return


_drop_stale_cache()
