"""Damaged and hostile .npz files: every outcome is an hwsim error or a graph, never another exception or
a large allocation (hwsim.npz, hwsim.ir.load_graph, hwsim.tasks' --inputs reader)."""
import io
import json
import resource
import zipfile

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from hwsim.errors import GraphError, HwsimError, SpecError
from hwsim.ir import Graph, load_graph
from hwsim.npz import NpzReader, default_budget_bytes
from hwsim.tasks import task_data

from fuzzing import damage_bytes, hypothesis_pick


GRAPH_BYTES = None


def chain_graph() -> Graph:
    """in (3) -> h (2 LIF, with an initial v) -> o."""
    g = Graph("chain", dt_s=1e-3)
    g.add_input("in", 3)
    g.add_population("h", 2, "lif", v_th=1.0, decay_mem=0.5, initial={"v": np.array([0.1, 0.2])})
    g.add_projection("in", "h", np.arange(6.0).reshape(2, 3) / 10)
    g.add_output("o", "h")
    return g


def _graph_file_bytes(tmp_path_factory) -> bytes:
    global GRAPH_BYTES
    if GRAPH_BYTES is None:
        from hwsim.ir import save_graph
        path = save_graph(chain_graph(), tmp_path_factory.mktemp("g") / "g.npz")
        GRAPH_BYTES = path.read_bytes()
    return GRAPH_BYTES


def _npy_member(header: dict, data: bytes = b"") -> bytes:
    """A .npy member with a hand-written header (any declared shape or dtype)."""
    text = repr(header).encode()
    text += b" " * (63 - (len(text) + 10) % 64) + b"\n"
    return b"\x93NUMPY\x01\x00" + len(text).to_bytes(2, "little") + text + data


def _zip(members: dict[str, bytes], compression=zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, payload in members.items():
            archive.writestr(name, payload)
    return buffer.getvalue()


def _header_member(header) -> bytes:
    out = io.BytesIO()
    np.save(out, np.frombuffer(json.dumps(header).encode(), dtype=np.uint8))
    return out.getvalue()


def _peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def test_a_small_file_declaring_a_huge_array_is_refused_before_allocating(tmp_path):
    path = tmp_path / "bomb.npz"
    huge = _npy_member({"descr": "<f8", "fortran_order": False, "shape": (100_000, 100_000)})
    path.write_bytes(_zip({"__header__.npy": _header_member({"format": "hwsim-graph"}), "x.npy": huge}))
    before = _peak_rss_mib()
    with NpzReader(path, GraphError, "a test file") as arrays:
        with pytest.raises(GraphError, match=r"array 'x': declares shape \(100000, 100000\) "
                                             r"\(80,000,000,000 bytes\) but holds 0 bytes \(truncated"):
            arrays["x"]
    assert _peak_rss_mib() - before < 50


def test_a_member_inflating_past_the_budget_is_refused(tmp_path):
    path = tmp_path / "zeros.npz"
    np.savez_compressed(path, x=np.zeros(4_000_000))          # 32 MB of zeros in a ~31 KB file
    with NpzReader(path, SpecError, "a test file", budget_bytes=1_000_000) as arrays:
        with pytest.raises(SpecError, match="exceeds the 1,000,000 bytes"):
            arrays["x"]
    assert default_budget_bytes(10 * 1024 ** 2) <= 2 * 1024 ** 3     # a file under 10 MB never passes 2 GiB


def test_an_unused_huge_member_is_never_read(tmp_path):
    from hwsim.ir import save_graph
    path = save_graph(chain_graph(), tmp_path / "g.npz")
    with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("unused.npy", _npy_member({"descr": "<f8", "fortran_order": False,
                                                     "shape": (10 ** 10,)}))
    assert load_graph(path).name == chain_graph().name


@pytest.mark.parametrize("dtype", ["|O", "<U5", "|S3", "<c16", "[('a', '<i4')]"])
def test_non_numeric_arrays_are_refused(tmp_path, dtype):
    path = tmp_path / "t.npz"
    descr = eval(dtype) if dtype.startswith("[") else dtype
    path.write_bytes(_zip({"x.npy": _npy_member({"descr": descr, "fortran_order": False, "shape": (1,)},
                                                 b"\0" * 64)}))
    with NpzReader(path, SpecError, "numbers") as arrays:
        with pytest.raises(SpecError, match="only numbers"):
            arrays["x"]


@pytest.mark.parametrize("header, match", [
    (None, "format None version None"),
    ({"format": "hwsim-graph", "version": 2, "name": "g", "dt_s": 1e-3, "nodes": 3, "projections": []},
     "malformed header"),
    ({"format": "hwsim-graph", "version": 2, "name": "g", "dt_s": 1e-3, "nodes": [{"type": "Input"}],
      "projections": []}, "missing entry"),
    ({"format": "hwsim-graph", "version": 2}, "missing entry"),
])
def test_wrong_headers_are_graph_errors(tmp_path, header, match):
    path = tmp_path / "h.npz"
    path.write_bytes(_zip({"__header__.npy": _header_member(header)}))
    with pytest.raises(GraphError, match=match):
        load_graph(path)


def test_header_that_is_not_utf8_or_json_or_too_deep(tmp_path):
    for payload, match in ((b"\xff\xfe\xfd", "not JSON"), (b"{'a': 1}", "not JSON"),
                           (b"[" * 100_000 + b"]" * 100_000, "not JSON")):
        out = io.BytesIO()
        np.save(out, np.frombuffer(payload, dtype=np.uint8))
        path = tmp_path / "j.npz"
        path.write_bytes(_zip({"__header__.npy": out.getvalue()}))
        with pytest.raises(GraphError, match=match):
            load_graph(path)


def test_empty_renamed_and_missing_files(tmp_path):
    (tmp_path / "empty.npz").write_bytes(b"")
    (tmp_path / "text.npz").write_text("not a zip at all")
    for name in ("empty.npz", "text.npz", "missing.npz"):
        with pytest.raises(GraphError, match="expected a graph written by hwsim.save_graph"):
            load_graph(tmp_path / name)
    with pytest.raises(GraphError, match="a directory; expected"):
        load_graph(tmp_path)       # a directory


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_fuzz_damaged_graph_files(tmp_path_factory, data):
    """Truncation and bit flips of a real graph file: a graph or a GraphError."""
    damaged = damage_bytes(_graph_file_bytes(tmp_path_factory), hypothesis_pick(data))
    path = tmp_path_factory.mktemp("fuzz") / "g.npz"
    path.write_bytes(bytes(damaged))
    try:
        load_graph(path)
    except GraphError:
        pass


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_fuzz_damaged_inputs_files(tmp_path_factory, data):
    """``--inputs`` files truncated or bit-flipped: task data or a SpecError."""
    folder = tmp_path_factory.mktemp("inputs")
    np.savez(folder / "ok.npz", x=np.arange(40.0).reshape(4, 10), y=np.arange(4))
    (folder / "bad.npz").write_bytes(damage_bytes((folder / "ok.npz").read_bytes(), hypothesis_pick(data)))
    try:
        task_data(chain_graph(), None, str(folder / "bad.npz"))
    except HwsimError:
        pass
