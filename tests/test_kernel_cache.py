"""Numba's cache checks only the file of each cached function; the kernels drop their cache when any kernel
source changes, so a kernel never runs code inlined from an older version of another module."""
from hwsim.kernels import _drop_stale_cache


def test_cache_is_dropped_when_any_kernel_source_changes(tmp_path):
    (tmp_path / "a.py").write_text("x = 1\n")
    (tmp_path / "b.py").write_text("y = 2\n")
    cache = tmp_path / "__pycache__"
    cache.mkdir()
    (cache / "a.f-1.py311.nbi").write_text("old")
    _drop_stale_cache(tmp_path)                      # no record of the sources yet: the cache is stale
    assert not (cache / "a.f-1.py311.nbi").exists()
    (cache / "a.f-1.py311.nbi").write_text("new")
    (cache / "a.f-1.py311.1.nbc").write_text("new")
    _drop_stale_cache(tmp_path)                      # same sources: kept
    assert (cache / "a.f-1.py311.nbi").exists() and (cache / "a.f-1.py311.1.nbc").exists()
    (tmp_path / "b.py").write_text("y = 3\n")        # another module changed: every cached kernel goes
    _drop_stale_cache(tmp_path)
    assert not list(cache.glob("*.nb*"))
