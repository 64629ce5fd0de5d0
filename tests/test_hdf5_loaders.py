"""Damaged and hostile HDF5 files (NIR .nir, lava-dl .net): every outcome is an hwsim error or a graph,
never another exception or a large allocation (hwsim.hdf5_check)."""
from importlib.resources import files

import h5py
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from hwsim.errors import GraphError, HwsimError
from hwsim.hdf5_check import check_hdf5
from hwsim.interop.netx import (conv_layer, cuba_neuron, dense_layer, flatten_layer, import_netx, input_layer,
                                write_netx)
from hwsim.interop.nir import import_nir

from fuzzing import damage_bytes, hypothesis_pick

NIR_FILES = [files("hwsim.models") / "data" / "nir" / name for name in ("leaky_ff.nir", "conv.nir")]
NEURON = cuba_neuron(i_decay=1024, v_decay=512, v_th_mant=40)
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def _netx_bytes(folder) -> bytes:
    """A valid netx file: input 1x4x4 -> conv 2x3x3 -> flatten -> dense 3."""
    layers = [input_layer((1, 4, 4)), conv_layer(np.ones((2, 1, 3, 3)), (1, 4, 4), NEURON),
              flatten_layer((2, 2, 2)), dense_layer(np.ones((3, 8)), NEURON)]
    path = write_netx(folder / "n.net", layers)
    assert import_netx(path).name == "n"
    return path.read_bytes()


def _load_or_hwsim_error(load, path) -> None:
    """Load ``path``; an hwsim error is a valid outcome, any other exception fails the test."""
    try:
        load(path)
    except HwsimError:
        pass


def test_a_dataset_declaring_a_huge_size_is_refused_before_reading(tmp_path):
    path = tmp_path / "bomb.nir"
    with h5py.File(path, "w") as handle:
        handle.create_dataset("node/weight", shape=(100_000, 100_000), dtype="f8", chunks=(100, 100),
                              compression="gzip")
    assert path.stat().st_size < 100_000
    with pytest.raises(GraphError, match=r"declare 80,000,000,000 bytes \(dataset 'node/weight'"):
        import_nir(path, 1e-3, "snntorch")
    with pytest.raises(GraphError, match="80,000,000,000 bytes"):
        import_netx(path)


@pytest.mark.parametrize("dtype", [h5py.ref_dtype, np.dtype([("a", "i4"), ("b", "f4")]), h5py.vlen_dtype("i4")])
def test_datasets_that_are_not_numbers_or_text_are_refused(tmp_path, dtype):
    path = tmp_path / "odd.net"
    with h5py.File(path, "w") as handle:
        handle.create_dataset("layer/0/weight", shape=(2,), dtype=dtype)
    with pytest.raises(GraphError, match="'layer/0/weight' holds .* values; expected numbers or text"):
        check_hdf5(path, GraphError, "a test file")


@pytest.mark.parametrize("path", NIR_FILES, ids=lambda p: p.name)
def test_bundled_nir_files_pass_the_check(path):
    check_hdf5(path, GraphError, "a NIR file")


@SETTINGS
@given(data=st.data())
def test_fuzz_damaged_nir_files(tmp_path_factory, data):
    source = NIR_FILES[data.draw(st.integers(0, len(NIR_FILES) - 1))]
    path = tmp_path_factory.mktemp("nir") / "m.nir"
    path.write_bytes(damage_bytes(source.read_bytes(), hypothesis_pick(data)))
    _load_or_hwsim_error(lambda p: import_nir(p, 1e-4, "snntorch"), path)


@SETTINGS
@given(data=st.data())
def test_fuzz_damaged_netx_files(tmp_path_factory, data):
    folder = tmp_path_factory.mktemp("netx")
    path = folder / "d.net"
    path.write_bytes(damage_bytes(_netx_bytes(folder), hypothesis_pick(data)))
    _load_or_hwsim_error(import_netx, path)


def test_a_convolution_that_cannot_fit_is_refused_before_unrolling():
    from hwsim.interop.netx import conv_to_sparse
    with pytest.raises(GraphError, match=r"unrolling to [\d,]+ synapses would take [\d,]+ bytes; expected at most the [\d,]+ bytes of memory"):
        conv_to_sparse(np.ones((64, 64, 3, 3)), (64, 8, 8), padding=(2 ** 20, 2 ** 20))
    with pytest.raises(GraphError, match=r"output size \(0, 0\); expected at least 1 x 1"):
        conv_to_sparse(np.ones((1, 1, 3, 3)), (1, 2, 2))


def test_a_file_the_hdf5_library_loops_on_is_refused_in_time(tmp_path, monkeypatch):
    """The child reading the datasets is killed past its time limit (here a child that sleeps)."""
    import time

    import hwsim.hdf5_check as hdf5_check
    monkeypatch.setattr(hdf5_check, "_read_every_dataset", lambda path, report: time.sleep(60))
    started = time.monotonic()
    with pytest.raises(GraphError, match="reading its datasets did not end within 1 s"):
        hdf5_check._read_all(NIR_FILES[0], GraphError, "a NIR file", 1.0)
    assert time.monotonic() - started < 10


def test_a_dvs_sized_conv_network_imports_without_dense_identities():
    """2 x 128 x 128 event input -> conv 8 x 5 x 5 / 2 -> LIF: 32,768 input channels. Dense identity and
    convolution matrices would take 8.6 GB each; the sparse linear algebra stays within a few hundred MB."""
    import resource

    import nir

    rng = np.random.default_rng(0)
    shape = (8, 64, 64)
    lif = nir.LIF(tau=np.full(shape, 0.01), r=np.ones(shape), v_leak=np.zeros(shape), v_threshold=np.ones(shape))
    conv = nir.Conv2d(input_shape=(128, 128), weight=rng.normal(size=(8, 2, 5, 5)), stride=2, padding=2, dilation=1,
                      groups=1, bias=np.zeros(8))
    graph_nir = nir.NIRGraph(nodes={"input": nir.Input(input_type=np.array([2, 128, 128])), "conv": conv, "lif": lif,
                                    "output": nir.Output(output_type=np.array(shape))},
                             edges=[("input", "conv"), ("conv", "lif"), ("lif", "output")])
    before_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    graph = import_nir(graph_nir, 1e-3, "literal")
    grown_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 - before_mib
    (projection,) = graph.projections()
    # per axis, the (output, tap) pairs inside the input: taps 0, 1 and 4 miss one edge row, so 63 + 63 + 64 + 64 + 63
    per_axis = 63 + 63 + 64 + 64 + 63
    assert projection.is_sparse and projection.weight.size == 8 * 2 * per_axis ** 2
    assert grown_mib < 1024


def test_a_layer_type_that_is_not_ascii_is_a_graph_error(tmp_path):
    path = tmp_path / "n.net"
    path.write_bytes(_netx_bytes(tmp_path))
    with h5py.File(path, "r+") as f:
        del f["layer/1/type"]
        f["layer/1/type"] = np.array([b"\xe6conv"])
    with pytest.raises(GraphError, match=r"layer 1/type: .* is not ASCII text; expected a name"):
        import_netx(path)
