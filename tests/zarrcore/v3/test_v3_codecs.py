"""The v3 codec chain and sharding_indexed, against a memory store (no zarr-python)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from zarrcore.codecs.shard_plan import axis_plan as _axis_plan
from zarrcore.codecs.sharding import ShardingCodec
from zarrcore.codecs.v3_chain import ChunkSpec, CodecChain, build_chunk_codec
from zarrcore.errors import CorruptChunkError, UnsupportedCodecError
from zarrcore.metadata.v3 import new_array_metadata
from zarrcore.metadata.v3_dtypes import parse_data_type
from zarrcore.store.base import ByteRange
from zarrcore.store.memory import MemoryStore


class CountingMemoryStore(MemoryStore):
    """Counts whole-value reads and byte ranges."""

    def __init__(self) -> None:
        super().__init__()
        self.gets = 0
        self.ranges = 0

    def get(self, key: str) -> bytes:
        self.gets += 1
        return super().get(key)

    def get_range(self, key: str, start: int = 0, length: int | None = None) -> bytes:
        self.ranges += 1
        return super().get_range(key, start, length)

    def get_ranges(self, requests: Any) -> list[bytes | None]:
        return [self._range_or_none(r) for r in requests]


def _spec(shape: tuple[int, ...], dtype: str = "uint16", fill: Any = 0) -> ChunkSpec:
    return ChunkSpec(shape, parse_data_type(dtype), fill)


@pytest.mark.parametrize(
    "codecs",
    [
        [{"name": "bytes", "configuration": {"endian": "little"}}],
        [{"name": "bytes", "configuration": {"endian": "big"}}],
        [
            {"name": "transpose", "configuration": {"order": [1, 0]}},
            {"name": "bytes", "configuration": {"endian": "big"}},
            {
                "name": "blosc",
                "configuration": {
                    "typesize": 2,
                    "cname": "zstd",
                    "clevel": 3,
                    "shuffle": "bitshuffle",
                    "blocksize": 0,
                },
            },
            {"name": "crc32c"},
        ],
        [
            {"name": "bytes", "configuration": {"endian": "little"}},
            {"name": "gzip", "configuration": {"level": 5}},
        ],
        [
            {"name": "numcodecs.delta", "configuration": {"dtype": "<u2"}},
            {"name": "bytes", "configuration": {"endian": "little"}},
            {"name": "numcodecs.zlib", "configuration": {"level": 1}},
        ],
    ],
)
def test_codec_chains_round_trip(codecs: list[dict[str, Any]]) -> None:
    spec = _spec((3, 4))
    chain = CodecChain(codecs, spec)
    data = np.arange(12, dtype="u2").reshape(3, 4)
    np.testing.assert_array_equal(chain.decode(chain.encode(data), key="k", url="u"), data)


def test_big_endian_bytes_are_big_endian_on_disk() -> None:
    chain = CodecChain([{"name": "bytes", "configuration": {"endian": "big"}}], _spec((2,)))
    assert chain.encode(np.array([1, 2], dtype="u2")) == b"\x00\x01\x00\x02"


def test_transpose_stores_the_permuted_layout() -> None:
    chain = CodecChain(
        [
            {"name": "transpose", "configuration": {"order": [1, 0]}},
            {"name": "bytes", "configuration": {"endian": "little"}},
        ],
        _spec((2, 2), "uint8"),
    )
    assert chain.encode(np.array([[1, 2], [3, 4]], dtype="u1")) == bytes([1, 3, 2, 4])


def test_crc32c_mismatch_names_the_key() -> None:
    meta = new_array_metadata(shape=(4,), chunks=(4,), dtype="u1", compressor=None)
    meta.codecs = (*meta.codecs, {"name": "crc32c"})
    codec = build_chunk_codec(meta)
    data = bytearray(codec.encode(np.arange(4, dtype="u1")))
    data[0] ^= 0xFF
    with pytest.raises(CorruptChunkError, match="crc32c") as info:
        codec.decode(bytes(data), key="arr/c/0", url="memory://x")
    assert info.value.key == "arr/c/0"


def test_strings_and_bytes_use_vlen_codecs() -> None:
    for dtype, values in ((str, ["ab", "", "héllo"]), (bytes, [b"a", b"", b"\x00z"])):
        meta = new_array_metadata(shape=(3,), chunks=(3,), dtype=dtype)
        codec = build_chunk_codec(meta)
        arr = np.array(values, dtype=object)
        out = codec.decode(codec.encode(arr), key="k", url="u")
        assert out.tolist() == values


def test_unknown_codec_is_unsupported() -> None:
    with pytest.raises(UnsupportedCodecError, match="nope"):
        CodecChain([{"name": "bytes"}, {"name": "nope"}], _spec((2,), "uint8"))


def _sharded(location: str = "end", fill: Any = 0) -> tuple[ShardingCodec, ChunkSpec]:
    conf = {
        "chunk_shape": [4, 4],
        "codecs": [
            {"name": "bytes", "configuration": {"endian": "little"}},
            {"name": "zstd", "configuration": {"level": 0, "checksum": False}},
        ],
        "index_codecs": [
            {"name": "bytes", "configuration": {"endian": "little"}},
            {"name": "crc32c"},
        ],
        "index_location": location,
    }
    spec = _spec((8, 12), fill=fill)
    return ShardingCodec(conf, spec), spec


@pytest.mark.parametrize("location", ["start", "end"])
def test_shard_round_trip_and_index_layout(location: str) -> None:
    codec, spec = _sharded(location)
    data = np.arange(96, dtype="u2").reshape(8, 12)
    data[4:8, 8:12] = 0  # one empty inner chunk
    shard = codec.encode(data, spec)
    assert codec.index_nbytes == 16 * 6 + 4
    index = codec.decode_index(codec._index_bytes(shard), key="k", url="u")
    assert tuple(index[1, 2]) == (2**64 - 1, 2**64 - 1)
    if location == "start":
        assert index[0, 0, 0] == codec.index_nbytes
    else:
        assert index[0, 0, 0] == 0
    np.testing.assert_array_equal(codec.decode(shard, spec, key="k", url="u"), data)


def test_shard_index_crc_mismatch_is_corruption_not_fill() -> None:
    codec, spec = _sharded()
    shard = bytearray(codec.encode(np.ones((8, 12), dtype="u2"), spec))
    shard[-10] ^= 0x01
    store = MemoryStore()
    store.set("c/0/0", bytes(shard))
    with pytest.raises(CorruptChunkError, match="shard index") as info:
        codec.read_region(store, "c/0/0", (slice(0, 4), slice(0, 4)), spec)
    assert info.value.key == "c/0/0"
    with pytest.raises(CorruptChunkError):
        codec.decode(bytes(shard), spec, key="c/0/0", url="u")
    with pytest.raises(CorruptChunkError, match="shard index"):  # whole-shard read path
        codec.read_region(store, "c/0/0", (slice(0, 8), slice(0, 12)), spec)


def test_shard_index_pointing_past_the_shard_is_corruption_naming_the_chunk() -> None:
    codec, spec = _sharded()
    shard = codec.encode(np.arange(96, dtype="u2").reshape(8, 12), spec)
    index = codec.decode_index(codec._index_bytes(shard), key="k", url="u").copy()
    index[1, 2, 0] = len(shard)  # a valid CRC, an offset beyond the end
    broken = shard[: -codec.index_nbytes] + codec.index_chain.encode(index)
    with pytest.raises(CorruptChunkError, match=r"past the end .*\(1, 2\)") as info:
        codec.decode(broken, spec, key="c/0/0", url="u")
    assert info.value.key == "c/0/0"
    store = MemoryStore()
    store.set("c/0/0", broken)
    with pytest.raises(CorruptChunkError, match=r"past the end .*\(1, 2\)"):  # whole read
        codec.read_region(store, "c/0/0", (slice(0, 8), slice(0, 12)), spec)
    # a ranged read does not know the shard's size up front: the short range is reported
    with pytest.raises(CorruptChunkError, match="truncated"):
        codec.read_region(store, "c/0/0", (slice(4, 8), slice(8, 12)), spec)


@pytest.mark.parametrize("location", ["start", "end"])
def test_one_inner_chunk_costs_at_most_three_ranges(location: str) -> None:
    codec, spec = _sharded(location)
    data = np.random.default_rng(0).integers(0, 1000, (8, 12)).astype("u2")
    store = CountingMemoryStore()
    store.set("s", codec.encode(data, spec))
    for sel in [
        (slice(4, 8), slice(4, 8)),
        (slice(2, 6), slice(2, 6)),
        (slice(1, 2), slice(9, 10)),
    ]:
        store.gets = store.ranges = 0
        out = codec.read_region(store, "s", sel, spec)
        assert out is not None
        np.testing.assert_array_equal(out, data[sel])
        assert store.gets == 0
        assert store.ranges <= 3


def test_region_reads_with_steps_missing_inner_chunks_and_missing_shards() -> None:
    codec, spec = _sharded(fill=9)
    data = np.full((8, 12), 9, dtype="u2")
    data[0:4, 0:4] = np.arange(16).reshape(4, 4)
    store = MemoryStore()
    store.set("s", codec.encode(data, spec))
    sel = (slice(0, 8, 3), slice(1, 12, 2))
    np.testing.assert_array_equal(codec.read_region(store, "s", sel, spec), data[sel])
    assert codec.read_region(store, "absent", sel, spec) is None


def test_out_of_order_inner_chunks_read_correctly() -> None:
    codec, spec = _sharded()
    data = np.arange(96, dtype="u2").reshape(8, 12)
    shard = codec.encode(data, spec)
    index = codec.decode_index(codec._index_bytes(shard), key="k", url="u").copy()
    pieces = [shard[int(o) : int(o) + int(n)] for o, n in index.reshape(-1, 2)]
    # write the inner chunks in reverse order and fix up the index
    body = b""
    for i in reversed(range(len(pieces))):
        index.reshape(-1, 2)[i] = (len(body), len(pieces[i]))
        body += pieces[i]
    reordered = body + codec.index_chain.encode(index)
    np.testing.assert_array_equal(codec.decode(reordered, spec, key="k", url="u"), data)
    store = MemoryStore()
    store.set("s", reordered)
    sel = (slice(3, 7), slice(5, 11))
    np.testing.assert_array_equal(codec.read_region(store, "s", sel, spec), data[sel])


def test_axis_plan_splits_strided_selections_by_inner_chunk() -> None:
    count, parts = _axis_plan(slice(1, 12, 5), 12, 4)
    assert count == 3
    assert [(c, s.start, s.stop) for c, s, _ in parts] == [(0, 1, 2), (1, 2, 3), (2, 3, 4)]
    assert ByteRange("k", 0, 1).key == "k"


@pytest.mark.parametrize(
    ("dtype", "filters", "values"),
    [
        ("bool", [{"name": "numcodecs.packbits", "configuration": {}}], [True, False, True]),
        (
            "float64",
            [
                {
                    "name": "numcodecs.fixedscaleoffset",
                    "configuration": {"offset": 1, "scale": 10, "dtype": "<f8", "astype": "<i2"},
                }
            ],
            [1.5, 2.0, -3.2],
        ),
    ],
)
def test_numcodecs_array_filters_that_change_dtype_or_shape(
    dtype: str, filters: list[dict[str, Any]], values: list[Any]
) -> None:
    chain = CodecChain(
        [*filters, {"name": "bytes", "configuration": {"endian": "little"}}], _spec((3,), dtype)
    )
    data = np.array(values, dtype=dtype)
    np.testing.assert_allclose(chain.decode(chain.encode(data), key="k", url="u"), data)


def test_region_reads_into_a_strided_output_view_fill_missing_inner_chunks() -> None:
    codec, spec = _sharded(fill=9)
    data = np.full((8, 12), 9, dtype="u2")
    data[4:8, 0:4] = np.arange(16).reshape(4, 4)
    store = MemoryStore()
    store.set("s", codec.encode(data, spec))
    big = np.zeros((10, 20), dtype="u2")
    dest = big[1:9, 2:20:3]  # strided view, shape (8, 6)
    sel = (slice(0, 8), slice(0, 12, 2))
    assert codec.read_region(store, "s", sel, spec, out=dest) is dest
    np.testing.assert_array_equal(big[1:9, 2:20:3], data[sel])
    assert big[0].sum() == 0


def test_stores_without_ranged_reads_fetch_the_shard_once() -> None:
    class WholeValuesOnly(CountingMemoryStore):
        supports_partial_reads = False

    codec, spec = _sharded()
    data = np.arange(96, dtype="u2").reshape(8, 12)
    store = WholeValuesOnly()
    store.set("s", codec.encode(data, spec))
    np.testing.assert_array_equal(
        codec.read_region(store, "s", (slice(0, 2), slice(0, 2)), spec), data[:2, :2]
    )
    assert (store.gets, store.ranges) == (1, 0)
