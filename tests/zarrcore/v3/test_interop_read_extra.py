"""Less common layouts zarr-python 3.1 writes: nested sharding, inner transposes, indexes
without checksum, numcodecs-wrapped codecs, 5-D arrays, unwritten arrays; plus tensorstore's
zarr3 output (zstd frames without content size). One subprocess."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

import zarrcore
from zarrcore.testing.refengine import RefResult, run_ref

pytestmark = pytest.mark.interop

WRITER = r"""
import json, numpy as np, zarr
from zarr.codecs import (BloscCodec, BytesCodec, Crc32cCodec, GzipCodec, ShardingCodec,
                         TransposeCodec, ZstdCodec)
from zarr.codecs import numcodecs as znc
root = zarr.open_group(args["path"], mode="w", zarr_format=3)
rng = np.random.default_rng(3)
names = []

def make(name, data, *, write=None, **kw):
    arr = root.create_array(name, shape=data.shape, dtype=kw.pop("dtype", data.dtype), **kw)
    if write is None:
        arr[...] = data
    else:
        write(arr)
    save(name, arr[...])
    names.append(name)

u2 = rng.integers(0, 5000, (32, 40)).astype("u2")
f8 = rng.standard_normal((20, 12))
make("nested_shards", u2, chunks=(16, 20), compressors=None, serializer=ShardingCodec(
    chunk_shape=(8, 10), codecs=[ShardingCodec(chunk_shape=(4, 5), codecs=[BytesCodec()])]))
make("inner_transpose", u2, chunks=(16, 20), compressors=None, serializer=ShardingCodec(
    chunk_shape=(8, 10), codecs=[TransposeCodec(order=(1, 0)), BytesCodec(endian="big"),
                                 GzipCodec(level=0)]))
make("index_no_crc_start", u2, chunks=(16, 20), compressors=None, serializer=ShardingCodec(
    chunk_shape=(8, 10), codecs=[BytesCodec(), ZstdCodec(level=-3)],
    index_codecs=[BytesCodec()], index_location="start"))
make("one_inner_chunk", np.zeros((32, 40), "u2"), chunks=(8, 10), shards=(32, 40),
     fill_value=11, write=lambda a: a.__setitem__((slice(9, 12), slice(25, 28)), 5))
make("f_order", f8, chunks=(6, 5), order="F")
make("bool_true_fill", np.ones(9, bool), chunks=(4,), fill_value=True,
     write=lambda a: a.__setitem__(slice(0, 2), False))
make("unwritten", np.full((5, 6), 42, "i8"), chunks=(2, 2), fill_value=42,
     write=lambda a: None)
make("five_d", np.arange(2 * 3 * 4 * 5 * 6, dtype="i4").reshape(2, 3, 4, 5, 6),
     chunks=(1, 2, 3, 4, 5), dimension_names=["t", "c", None, "y", "x"])
make("nc_delta_lz4", u2.astype("i4"), chunks=(8, 8), filters=[znc.Delta(dtype="<i4")],
     compressors=[znc.LZ4()])
make("nc_fixedscaleoffset", f8, chunks=(5, 5), compressors=[znc.Zlib(level=2)],
     filters=[znc.FixedScaleOffset(offset=0, scale=100, dtype="<f8", astype="<i4")])
make("nc_bitround_bz2", f8.astype("f4"), chunks=(5, 6), filters=[znc.BitRound(keepbits=8)],
     compressors=[znc.BZ2(level=3)])
make("nc_quantize", f8, chunks=(5, 6), filters=[znc.Quantize(digits=3, dtype="<f8")])
make("nc_shuffle_crc32", u2, chunks=(8, 8), compressors=[znc.Shuffle(elementsize=2),
                                                         znc.CRC32()])
make("nc_astype", f8.astype("f4"), chunks=(5, 6),
     filters=[znc.AsType(encode_dtype="<f8", decode_dtype="<f4")])
make("nc_packbits", rng.integers(0, 2, 37).astype(bool), chunks=(10,),
     filters=[znc.PackBits()])
make("blosc_variants", u2, chunks=(8, 8), compressors=[
    BloscCodec(cname="zlib", clevel=1, shuffle="bitshuffle", typesize=2, blocksize=256)])
make("blosc_noshuffle", f8, chunks=(5, 5), compressors=[
    BloscCodec(cname="blosclz", clevel=9, shuffle="noshuffle")])
make("float_fills", np.array([np.inf, 1.0, np.nan, -0.0]), chunks=(3,), fill_value=np.inf,
     write=lambda a: a.__setitem__(slice(1, 4), [1.0, np.nan, -0.0]))
make("nan_payload", np.array([1, 2], dtype="f4"), chunks=(1,), fill_value=np.nan,
     write=lambda a: a.__setitem__(0, 1))
meta_path = args["path"] + "/nan_payload/zarr.json"
doc = json.load(open(meta_path))
doc["fill_value"] = "0x7fc00001"  # a NaN with a payload, as the spec allows
json.dump(doc, open(meta_path, "w"))
save("nan_payload", zarr.open_array(args["path"], path="nan_payload", mode="r")[...])
import tensorstore as ts
for ts_name, codecs in {
    "ts_sharded_start": [{"name": "sharding_indexed", "configuration": {
        "chunk_shape": [8, 10], "index_location": "start",
        "codecs": [{"name": "bytes", "configuration": {"endian": "little"}},
                   {"name": "zstd", "configuration": {"level": 3}}]}}],
    "ts_zstd": [{"name": "bytes", "configuration": {"endian": "big"}},
                {"name": "zstd", "configuration": {"level": 1}}],
}.items():
    store = ts.open({"driver": "zarr3", "kvstore": {"driver": "file",
                                                    "path": args["path"] + "/" + ts_name},
                     "metadata": {"shape": [40, 50], "data_type": "int32", "fill_value": -1,
                                  "chunk_grid": {"name": "regular",
                                                 "configuration": {"chunk_shape": [16, 20]}},
                                  "codecs": codecs},
                     "create": True}).result()
    store[0:30, 0:45] = np.arange(2000, dtype="i4").reshape(40, 50)[0:30, 0:45]
    save(ts_name, store.read().result())
    names.append(ts_name)
root.attrs["bad_float"] = float("nan")
root.attrs["inf"] = float("inf")
result = {"names": names}
"""


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, RefResult]:
    path = tmp_path_factory.mktemp("refx") / "extra.zarr"
    return path, run_ref(WRITER, path=str(path))


NAMES = [
    "nested_shards",
    "inner_transpose",
    "index_no_crc_start",
    "one_inner_chunk",
    "f_order",
    "bool_true_fill",
    "unwritten",
    "five_d",
    "nc_delta_lz4",
    "nc_fixedscaleoffset",
    "nc_bitround_bz2",
    "nc_quantize",
    "nc_shuffle_crc32",
    "nc_astype",
    "nc_packbits",
    "blosc_variants",
    "blosc_noshuffle",
    "float_fills",
    "nan_payload",
    "ts_sharded_start",
    "ts_zstd",
]


@pytest.mark.parametrize("name", NAMES)
def test_reads_identically(written: tuple[Path, RefResult], name: str) -> None:
    path, ref = written
    assert sorted(ref.result["names"]) == sorted(NAMES)
    arr = zarrcore.open_array(path, path=name)
    expected = ref.arrays[name]
    actual = arr[...]
    assert actual.shape == expected.shape
    if expected.dtype.kind == "f":
        assert actual.tobytes() == expected.astype(actual.dtype).tobytes()  # NaN bits too
    else:
        np.testing.assert_array_equal(actual, expected)


def test_nan_payload_fill_is_kept(written: tuple[Path, RefResult]) -> None:
    path, _ = written
    arr = zarrcore.open_array(path, path="nan_payload")
    assert np.asarray(arr.fill_value, dtype="<f4").tobytes()[::-1].hex() == "7fc00001"


def test_dimension_names_with_nulls_and_bare_nan_attributes(
    written: tuple[Path, RefResult],
) -> None:
    path, _ = written
    arr = zarrcore.open_array(path, path="five_d")
    assert arr.dimension_names == ("t", "c", None, "y", "x")
    attrs: dict[str, Any] = dict(zarrcore.open_group(path, mode="r").attrs)
    assert np.isnan(attrs["bad_float"]) and attrs["inf"] == float("inf")


def test_one_inner_chunk_shard_reads_with_ranges(written: tuple[Path, RefResult]) -> None:
    from zarrcore.store.local import DirectoryStore
    from zarrcore.store.wrappers import CountingStore

    path, ref = written
    store = CountingStore(DirectoryStore(path, read_only=True))
    arr = zarrcore.open_array(store, path="one_inner_chunk")
    store.reset()
    np.testing.assert_array_equal(arr[8:16, 20:30], ref.arrays["one_inner_chunk"][8:16, 20:30])
    assert store.counts["get_range"] == 2
    store.reset()
    np.testing.assert_array_equal(arr[0:8, 0:10], np.full((8, 10), 11, "u2"))
    assert store.counts["get_range"] == 1  # index only: the inner chunk is not stored
