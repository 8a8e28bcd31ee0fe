"""N5 interop with zarr-python 2.18's ``N5Store`` / ``N5FSStore``, both ways.

zarrcore side: the N5Store key space plus the ``n5_wrapper`` codec (zarrcore.testing.n5
helpers), so store and codec are checked without the array API.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numcodecs
import numpy as np
import pytest
import zarr
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import zarrcore
import zarrcore.errors
from zarrcore.codecs.n5 import parse_header
from zarrcore.store.n5 import N5Store
from zarrcore.testing.n5 import read_array, write_array, zarray_document

pytestmark = [
    pytest.mark.interop,
    # zarr-python 2.18 deprecates N5Store/N5FSStore (zarr-python#1274); the warning is
    # attributed to this module (stacklevel=2), so pyproject's zarr-module filter misses it
    pytest.mark.filterwarnings("ignore:The N5(FS)?Store is deprecated:FutureWarning"),
]

ZARR_COMPRESSORS: dict[str, Any] = {
    "raw": None,
    "gzip": numcodecs.GZip(level=1),
    "zlib": numcodecs.Zlib(level=1),
    "bz2": numcodecs.BZ2(level=1),
    "xz": numcodecs.LZMA(preset=1),
    "blosc": numcodecs.Blosc(cname="zstd", clevel=3, shuffle=numcodecs.Blosc.BITSHUFFLE),
    "zstd": numcodecs.Zstd(level=1),
    "lz4-numcodecs": numcodecs.LZ4(),
}
DTYPES = ["u1", "i2", "u4", "i8", "f4", "f8"]
#: compressions checked through zarr's fsspec N5FSStore; the others through N5Store
VIA_FSSTORE = {"gzip", "blosc", "zstd"}


def _values(shape: tuple[int, ...], dtype: str) -> np.ndarray:
    count = int(np.prod(shape))
    values = (np.arange(count) * 37 % 1001 - 300).reshape(shape)
    if np.dtype(dtype).kind == "u":
        values = np.abs(values)
    if np.dtype(dtype).kind == "f":
        return (values / 7).astype(dtype)
    return values.astype(dtype)


def _zarr_n5(path: Path, fs: bool) -> Any:
    if fs:
        return zarr.N5FSStore(str(path), auto_mkdir=True)
    return zarr.N5Store(str(path))


@pytest.mark.parametrize("compressor", list(ZARR_COMPRESSORS))
def test_zarr_written_n5_reads_in_zarrcore(tmp_path: Path, compressor: str) -> None:
    path = tmp_path / "z.n5"
    fs = compressor in VIA_FSSTORE
    root = zarr.group(store=_zarr_n5(path, fs))
    root.attrs["title"] = "from zarr"
    expected = {}
    for dtype in DTYPES:
        arr = root.create_dataset(
            f"sub/{dtype}",
            shape=(7, 11),
            chunks=(3, 4),
            dtype=dtype,
            compressor=ZARR_COMPRESSORS[compressor],
        )
        arr[:] = expected[dtype] = _values((7, 11), dtype)
        arr.attrs["dtype_name"] = dtype
    store = N5Store.from_url(str(path), read_only=True)
    assert json.loads(store.get(".zattrs")) == {"title": "from zarr"}
    assert store.list_dir("sub/") == [".zgroup", *sorted(DTYPES)]
    for dtype, values in expected.items():
        got = read_array(store, f"sub/{dtype}")
        assert got.dtype == np.dtype(dtype)
        np.testing.assert_array_equal(got, values)
        assert json.loads(store.get(f"sub/{dtype}/.zattrs")) == {"dtype_name": dtype}
        # zarr-python writes full-size edge blocks; the header says so
        assert parse_header(store.get(f"sub/{dtype}/2.2")).shape == (3, 4)


def test_zarr_metadata_documents_match_zarr_python(tmp_path: Path) -> None:
    path = tmp_path / "z.n5"
    zstore = zarr.N5Store(str(path))
    root = zarr.group(store=zstore)
    root.create_dataset("a", shape=(5, 3), chunks=(2, 2), dtype="i4", compressor=None)
    store = N5Store.from_url(str(path), read_only=True)
    ours = json.loads(store.get("a/.zarray"))
    theirs = json.loads(zstore["a/.zarray"])
    assert ours == theirs
    assert json.loads(store.get(".zgroup")) == json.loads(zstore[".zgroup"])


@pytest.mark.parametrize(
    "compressor",
    [
        None,
        {"id": "gzip", "level": 1},
        {"id": "zlib", "level": 1},
        {"id": "bz2", "level": 1},
        {"id": "lzma", "format": 1, "check": -1, "preset": 1, "filters": None},
        {"id": "blosc", "cname": "lz4", "clevel": 5, "shuffle": 1, "blocksize": 0},
        {"id": "zstd", "level": 1},
    ],
    ids=lambda c: "raw" if c is None else c["id"],
)
def test_zarrcore_written_n5_reads_in_zarr(
    tmp_path: Path, compressor: dict[str, Any] | None
) -> None:
    path = tmp_path / "c.n5"
    fs = compressor is not None and compressor["id"] in VIA_FSSTORE
    store = N5Store.from_url(str(path))
    store.set(".zgroup", b'{"zarr_format": 2}')
    store.set(".zattrs", b'{"creator": "zarrcore"}')
    store.set("g/.zgroup", b'{"zarr_format": 2}')
    store.set("g/h/.zgroup", b'{"zarr_format": 2}')
    expected = {}
    for dtype in DTYPES:
        name = f"g/h/{dtype}"
        store.set(f"{name}/.zarray", zarray_document([9, 5], [4, 2], f"<{dtype}", compressor))
        store.set(f"{name}/.zattrs", json.dumps({"unit": "um", "n": [1, 2]}).encode())
        expected[dtype] = _values((9, 5), dtype)
        write_array(store, name, expected[dtype])
    # edge blocks are truncated as n5-java writes them
    edge = parse_header((path / "g" / "h" / "u1" / "2" / "2").read_bytes())
    assert edge.shape == (1, 1)
    root = zarr.open_group(store=_zarr_n5(path, fs), mode="r")
    assert dict(root.attrs) == {"creator": "zarrcore"}
    assert sorted(root["g/h"].array_keys()) == sorted(DTYPES)
    for dtype, values in expected.items():
        arr = root[f"g/h/{dtype}"]
        assert arr.shape == (9, 5) and arr.chunks == (4, 2)
        np.testing.assert_array_equal(arr[:], values)
        assert dict(arr.attrs) == {"unit": "um", "n": [1, 2]}


def test_zarrcore_lz4_is_java_framed_and_round_trips(tmp_path: Path) -> None:
    path = tmp_path / "l.n5"
    store = N5Store.from_url(str(path))
    store.set("a/.zarray", zarray_document([100], [30], "<u2", {"id": "lz4", "acceleration": 1}))
    values = np.arange(100, dtype="<u2")
    write_array(store, "a", values)
    attrs = json.loads((path / "a" / "attributes.json").read_text())
    assert attrs["compression"] == {"type": "lz4", "blockSize": 65536}
    assert (path / "a" / "3").read_bytes()[8:16] == b"LZ4Block"
    np.testing.assert_array_equal(read_array(N5Store.from_url(str(path)), "a"), values)


def test_zarr_lz4_attributes_read_with_numcodecs_framing(tmp_path: Path) -> None:
    path = tmp_path / "z.n5"
    arr = zarr.open_array(
        store=zarr.N5Store(str(path)),
        mode="w",
        shape=(50,),
        chunks=(16,),
        dtype="i4",
        compressor=numcodecs.LZ4(),
    )
    arr[:] = np.arange(50)
    assert json.loads((path / "attributes.json").read_text())["compression"]["type"] == "lz4"
    store = N5Store.from_url(str(path), read_only=True)
    np.testing.assert_array_equal(read_array(store, ""), np.arange(50))


# -- through the public array API ----------------------------------------------------------
def test_zarr_hierarchy_opens_with_zarrcore(tmp_path: Path) -> None:
    path = tmp_path / "z.n5"
    root = zarr.group(store=zarr.N5Store(str(path)))
    root.attrs["multiscales"] = [{"version": "0.4", "datasets": [{"path": "s0"}]}]
    deep = root.create_group("a").create_group("b")
    values = _values((13, 6, 5), "f4")
    arr = deep.create_dataset("s0", data=values, chunks=(4, 4, 2), compressor=numcodecs.GZip())
    arr.attrs["pixelResolution"] = {"dimensions": [1, 1, 2], "unit": "um"}
    group = zarrcore.open_group(str(path), mode="r")
    assert group.attrs["multiscales"][0]["datasets"] == [{"path": "s0"}]
    assert [name for name, _ in group.members()] == ["a"]
    array = group["a/b/s0"]
    assert isinstance(array, zarrcore.Array)
    assert array.shape == (13, 6, 5) and array.chunks == (4, 4, 2)
    assert array.dtype == np.dtype("f4") and array.fill_value == 0
    assert array.attrs["pixelResolution"]["unit"] == "um"
    np.testing.assert_array_equal(array[...], values)
    np.testing.assert_array_equal(array[3:11:3, 5, ::2], values[3:11:3, 5, ::2])


@pytest.mark.parametrize(
    "compressor",
    [
        None,
        numcodecs.GZip(5),
        numcodecs.Zlib(1),
        numcodecs.BZ2(2),
        numcodecs.LZMA(preset=1),
        numcodecs.Blosc(),
        numcodecs.Zstd(1),
    ],
    ids=lambda c: "raw" if c is None else c.codec_id,
)
def test_zarrcore_arrays_on_n5_read_in_zarr(tmp_path: Path, compressor: Any) -> None:
    path = tmp_path / "c.n5"
    group = zarrcore.open_group(str(path), mode="w")
    group.attrs["origin"] = "zarrcore"
    values = _values((10, 9), "i2")
    array = group.create_group("raw").create_array(
        "data", shape=(10, 9), chunks=(4, 4), dtype="i2", compressor=compressor
    )
    array[...] = values
    array[0, :3] = -1
    values[0, :3] = -1
    array.attrs["scale"] = [2.0, 2.0]
    root = zarr.open_group(store=zarr.N5Store(str(path)), mode="r")
    assert dict(root.attrs) == {"origin": "zarrcore"}
    np.testing.assert_array_equal(root["raw/data"][:], values)
    assert dict(root["raw/data"].attrs) == {"scale": [2.0, 2.0]}
    # and the block at the corner is truncated like n5-java's
    assert parse_header((path / "raw" / "data" / "2" / "2").read_bytes()).shape == (2, 1)
    np.testing.assert_array_equal(zarrcore.open_array(str(path), path="raw/data")[...], values)


def test_n5_refuses_zarr_only_features_through_the_api(tmp_path: Path) -> None:
    group = zarrcore.open_group(str(tmp_path / "c.n5"), mode="w")
    with pytest.raises(zarrcore.errors.MetadataError, match="fill value 0"):
        group.create_array("f", shape=(4,), chunks=(2,), dtype="u1", fill_value=3)
    with pytest.raises(zarrcore.errors.MetadataError, match="filters"):
        group.create_array(
            "d", shape=(4,), chunks=(2,), dtype="u1", filters=[numcodecs.Delta("u1")]
        )


# -- property: any shape/chunking round-trips both ways ------------------------------------
@st.composite
def _grids(draw: st.DrawFn) -> tuple[tuple[int, ...], tuple[int, ...]]:
    ndim = draw(st.integers(1, 4))
    shape = tuple(draw(st.lists(st.integers(1, 9), min_size=ndim, max_size=ndim)))
    chunks = tuple(draw(st.integers(1, s + 2)) for s in shape)
    return shape, chunks


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    grid=_grids(),
    dtype=st.sampled_from(DTYPES),
    compressor=st.sampled_from([None, "gzip", "lz4", "zstd"]),
)
def test_any_grid_round_trips_between_zarrcore_and_zarr(
    tmp_path_factory: pytest.TempPathFactory,
    grid: tuple[tuple[int, ...], tuple[int, ...]],
    dtype: str,
    compressor: str | None,
) -> None:
    shape, chunks = grid
    path = tmp_path_factory.mktemp("prop") / "p.n5"
    values = _values(shape, dtype)
    codec = {"gzip": numcodecs.GZip(1), "lz4": numcodecs.LZ4(), "zstd": numcodecs.Zstd(1)}.get(
        compressor or ""
    )
    array = zarrcore.open_group(str(path), mode="w").create_array(
        "a", shape=shape, chunks=chunks, dtype=dtype, compressor=codec
    )
    array[...] = values
    np.testing.assert_array_equal(zarrcore.open_array(str(path), path="a")[...], values)
    if compressor != "lz4":  # zarr-python cannot read n5-java's LZ4Block framing
        theirs = zarr.open_group(store=zarr.N5Store(str(path)), mode="r")["a"]
        np.testing.assert_array_equal(theirs[...], values)
        # and zarr-python's full-size blocks over ours read back in zarrcore
        flipped = np.ascontiguousarray(values[::-1])
        zarr.open_group(store=zarr.N5Store(str(path)), mode="a")["a"][...] = flipped
        np.testing.assert_array_equal(zarrcore.open_array(str(path), path="a")[...], flipped)
