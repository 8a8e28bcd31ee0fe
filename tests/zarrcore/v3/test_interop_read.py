"""Arrays written by zarr-python 3.1 read identically with zarrcore (one subprocess)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import zarrcore
from zarrcore.array import Array
from zarrcore.metadata.v3 import V3ArrayMetadata
from zarrcore.store.local import DirectoryStore
from zarrcore.store.wrappers import CountingStore
from zarrcore.testing.refengine import RefResult, run_ref

pytestmark = pytest.mark.interop

WRITER = r"""
import numpy as np, zarr
from zarr.codecs import (BloscCodec, BytesCodec, Crc32cCodec, GzipCodec, ShardingCodec,
                         TransposeCodec, ZstdCodec)
root = zarr.open_group(args["path"], mode="w", zarr_format=3)
rng = np.random.default_rng(42)
cases = {}

def make(name, data, *, write=None, **kw):
    arr = root.create_array(name, shape=data.shape, dtype=kw.pop("dtype", data.dtype), **kw)
    if write is None:
        arr[...] = data
    else:
        write(arr)
    save(name, arr[...])

i2 = rng.integers(-1000, 1000, (13, 17)).astype("i2")
f4 = rng.standard_normal((9, 11)).astype("f4")
make("default", i2, chunks=(4, 5))
make("gzip", i2, chunks=(4, 5), compressors=GzipCodec(level=5))
make("zstd_checksum", i2, chunks=(4, 5), compressors=ZstdCodec(level=3, checksum=True))
make("blosc_lz4", f4, chunks=(4, 4),
     compressors=BloscCodec(cname="lz4", clevel=5, shuffle="shuffle"))
make("full_chain", f4, chunks=(4, 6), filters=TransposeCodec(order=(1, 0)),
     serializer=BytesCodec(endian="big"),
     compressors=[BloscCodec(cname="zstd", clevel=3, shuffle="bitshuffle"), Crc32cCodec()])
make("raw", i2, chunks=(5, 5), compressors=None)
make("big_endian", i2.astype(">i4"), chunks=(4, 4), serializer=BytesCodec(endian="big"))
make("transpose3d", np.arange(60, dtype="u2").reshape(3, 4, 5), chunks=(2, 3, 2),
     filters=TransposeCodec(order=(2, 0, 1)))
make("key_dot", i2, chunks=(4, 5), chunk_key_encoding={"name": "default", "separator": "."})
make("key_v2", i2, chunks=(4, 5), chunk_key_encoding={"name": "v2", "separator": "."})
make("key_v2_slash", i2, chunks=(4, 5), chunk_key_encoding={"name": "v2", "separator": "/"})
big = rng.integers(0, 60000, (40, 50)).astype("u2")
make("shard_end", big, chunks=(8, 10), shards=(16, 20))
make("shard_start", big, chunks=(4, 10), compressors=None, serializer=ShardingCodec(
    chunk_shape=(4, 5), codecs=[BytesCodec(), ZstdCodec()], index_location="start"))
make("shard_gzip_inner", big, chunks=(20, 25), compressors=None, serializer=ShardingCodec(
    chunk_shape=(5, 5), codecs=[BytesCodec(endian="big"), GzipCodec(level=1)],
    index_location="end"))
def sparse(arr):
    arr[0:3, 0:3] = 7
    arr[30:33, 41:50] = 9
make("shard_sparse", np.zeros((40, 50), "u2"), chunks=(8, 10), shards=(16, 20), write=sparse,
     fill_value=3)
make("f4_nan", np.where(f4 > 0.5, np.nan, f4).astype("f4"), chunks=(4, 4), fill_value=np.nan)
make("f8_partial_inf", np.zeros(10), chunks=(3,), fill_value=-np.inf,
     write=lambda a: a.__setitem__(slice(0, 3), 1.5))
make("bool", rng.integers(0, 2, 11).astype(bool), chunks=(4,))
make("i1", rng.integers(-100, 100, 11).astype("i1"), chunks=(4,))
make("u8", np.array([0, 2**64 - 1, 5], dtype="u8"), chunks=(2,), fill_value=2**64 - 1)
make("f2", np.array([1.5, np.nan, -2], dtype="f2"), chunks=(2,), fill_value=np.nan)
make("c8", np.array([1 + 2j, 3 - 4j, 0], dtype="c8"), chunks=(2,), fill_value=1 + 1j)
make("c16", np.array([1 + 2j, np.nan], dtype="c16"), chunks=(1,))
make("string", np.array(["ab", "", "héllo", "x" * 40], dtype=object), dtype=str, chunks=(3,))
from zarr.core.dtype import VariableLengthBytes
make("vbytes", np.array([b"ab", b"", b"\x00\xff"], dtype=object), dtype=VariableLengthBytes(),
     chunks=(2,))
make("U5", np.array(["abc", "héllo", ""], dtype="U5"), chunks=(2,))
make("S4", np.array([b"ab", b"abcd", b""], dtype="S4"), chunks=(2,), fill_value=b"zz")
make("V3", np.array([b"abc", b"\x00\x01\x02"], dtype="V3"), chunks=(1,))
make("structured", np.array([(1, 2.5), (3, -1.0)], dtype=[("a", "<i4"), ("b", "<f8")]),
     chunks=(1,))
make("dt64", np.array(["2020-01-01T00:00:10", "NaT"], dtype="M8[10s]"), chunks=(1,))
make("td64", np.array([5, -3, 7], dtype="m8[ms]"), chunks=(2,))
make("zero_d", np.array(3.5, dtype="f8"), chunks=())
make("empty_axis", np.zeros((0, 4), "u1"), chunks=(2, 2))
make("dims", i2, chunks=(4, 5), dimension_names=["y", "x"], attributes={"units": "m", "n": [1]})
sub = root.create_group("nested/deeper", attributes={"g": 1})
sub.create_array("leaf", shape=(3,), dtype="u1", fill_value=4)
save("nested/deeper/leaf", sub["leaf"][...])
result = {"names": sorted(k for k in __import__("os").listdir(args["path"]) if k != "zarr.json")}
"""


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, RefResult]:
    path = tmp_path_factory.mktemp("ref") / "written.zarr"
    return path, run_ref(WRITER, path=str(path))


def open_array(store: Any, path: str) -> Array:
    return zarrcore.open_array(store, path=path)


CASES = [
    "default",
    "gzip",
    "zstd_checksum",
    "blosc_lz4",
    "full_chain",
    "raw",
    "big_endian",
    "transpose3d",
    "key_dot",
    "key_v2",
    "key_v2_slash",
    "shard_end",
    "shard_start",
    "shard_gzip_inner",
    "shard_sparse",
    "f4_nan",
    "f8_partial_inf",
    "bool",
    "i1",
    "u8",
    "f2",
    "c8",
    "c16",
    "string",
    "vbytes",
    "U5",
    "S4",
    "V3",
    "structured",
    "dt64",
    "td64",
    "zero_d",
    "empty_axis",
    "dims",
    "nested/deeper/leaf",
]


def assert_same(actual: np.ndarray, expected: np.ndarray) -> None:
    assert actual.shape == expected.shape
    if expected.dtype.kind in "fc":
        np.testing.assert_array_equal(actual, expected)  # NaN == NaN here
    elif expected.dtype.kind == "O":
        assert actual.tolist() == expected.tolist()
    elif expected.dtype.kind == "V":
        assert actual.tobytes() == expected.astype(actual.dtype).tobytes()
    else:
        assert actual.dtype.newbyteorder("=") == expected.dtype.newbyteorder("=")
        np.testing.assert_array_equal(actual, expected)


@pytest.mark.parametrize("name", CASES)
def test_zarr_python_array_reads_identically(written: tuple[Path, RefResult], name: str) -> None:
    path, ref = written
    store = DirectoryStore(path, read_only=True)
    arr = open_array(store, name)
    assert_same(arr[...], ref.arrays[name])


def test_chunk_key_layouts_are_the_ones_zarr_python_wrote(
    written: tuple[Path, RefResult],
) -> None:
    path, _ = written
    assert (path / "default/c/0/0").is_file()
    assert (path / "key_dot/c.0.0").is_file()
    assert (path / "key_v2/0.0").is_file()
    assert (path / "key_v2_slash/0/0").is_file()
    assert (path / "zero_d/c").is_file()


def test_sparse_shards_are_not_stored_and_read_as_fill(written: tuple[Path, RefResult]) -> None:
    path, ref = written
    stored = sorted(
        p.relative_to(path / "shard_sparse").as_posix()
        for p in (path / "shard_sparse").rglob("*")
        if p.is_file()
    )
    assert stored == ["c/0/0", "c/1/2", "c/2/2", "zarr.json"]
    store = DirectoryStore(path, read_only=True)
    arr = open_array(store, "shard_sparse")
    assert arr.fill_value == 3
    assert_same(arr[20:40, 0:20], ref.arrays["shard_sparse"][20:40, 0:20])


def test_metadata_matches_zarr_json(written: tuple[Path, RefResult]) -> None:
    path, _ = written
    store = DirectoryStore(path, read_only=True)
    arr = open_array(store, "dims")
    assert arr.dimension_names == ("y", "x")
    assert dict(arr.attrs) == {"units": "m", "n": [1]}
    meta = arr.metadata
    assert isinstance(meta, V3ArrayMetadata)
    on_disk = json.loads((path / "shard_start/zarr.json").read_text())
    again = open_array(store, "shard_start").metadata
    assert isinstance(again, V3ArrayMetadata)
    assert again.to_json() == on_disk


@pytest.mark.parametrize("name", ["shard_end", "shard_start"])
def test_one_inner_chunk_of_a_zarr_python_shard_costs_at_most_three_ranges(
    written: tuple[Path, RefResult], name: str
) -> None:
    path, ref = written
    store = CountingStore(DirectoryStore(path, read_only=True))
    arr = open_array(store, name)
    store.reset()
    sel = (slice(8, 12), slice(10, 15)) if name == "shard_start" else (slice(8, 16), slice(10, 20))
    assert_same(arr[sel], ref.arrays[name][sel])
    counts = store.counts
    assert counts.get("get", 0) == 0 and counts.get("get_many_keys", 0) == 0
    assert counts["get_range"] <= 3
    # unaligned inner-chunk-sized region touching four inner chunks
    store.reset()
    sel = (slice(5, 13), slice(3, 13)) if name == "shard_end" else (slice(0, 4), slice(2, 7))
    assert_same(arr[sel], ref.arrays[name][sel])
    assert store.reads <= 3  # here every inner chunk is needed: one whole-shard read
