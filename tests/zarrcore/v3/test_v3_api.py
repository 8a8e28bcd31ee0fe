"""zarr v3 through the public API on local stores: format detection, sharded writes,
partial-read costs, corruption errors and the consolidated stale check."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import zarrcore
from zarrcore.errors import CorruptChunkError, MetadataError, UnsupportedError
from zarrcore.store.memory import MemoryStore
from zarrcore.store.wrappers import CountingStore


def test_zarr_format_is_detected_on_open(tmp_path: Path) -> None:
    v3 = zarrcore.open_group(tmp_path / "v3.zarr", mode="w", zarr_format=3)
    v3.create_array("a", shape=(4,), chunks=(2,), dtype="u1")
    v2 = zarrcore.open_group(tmp_path / "v2.zarr", mode="w", zarr_format=2)
    v2.create_array("a", shape=(4,), chunks=(2,), dtype="u1")
    assert zarrcore.open(tmp_path / "v3.zarr").zarr_format == 3
    assert zarrcore.open(tmp_path / "v3.zarr/a").zarr_format == 3
    assert zarrcore.open(tmp_path / "v2.zarr").zarr_format == 2
    assert (tmp_path / "v3.zarr/a/zarr.json").is_file()


def test_sharded_writes_store_whole_shards_and_skip_empty_ones() -> None:
    store = MemoryStore()
    root = zarrcore.open_group(store, mode="w", zarr_format=3)
    arr = root.create_array(
        "s", shape=(10, 10), chunks=(2, 2), shards=(4, 4), dtype="i4", fill_value=-1
    )
    arr[...] = -1
    assert sorted(store.list_prefix("s/c")) == []
    arr[1, 1] = 5
    arr[9, 9] = 6  # edge shard
    assert sorted(store.list_prefix("s/c")) == ["s/c/0/0", "s/c/2/2"]
    expected = np.full((10, 10), -1, dtype="i4")
    expected[1, 1], expected[9, 9] = 5, 6
    np.testing.assert_array_equal(arr[...], expected)
    arr[0:3, 0:3] = 2  # read-modify-write of an existing shard
    expected[0:3, 0:3] = 2
    np.testing.assert_array_equal(arr[...], expected)
    np.testing.assert_array_equal(arr[::3, 1::4], expected[::3, 1::4])
    info = arr.chunk_info((0, 0))
    assert info.stored and info.key == "s/c/0/0" and info.nbytes


def test_one_inner_chunk_read_costs_at_most_three_byte_ranges(tmp_path: Path) -> None:
    root = zarrcore.open_group(tmp_path / "s.zarr", mode="w", zarr_format=3)
    data = np.arange(256 * 256, dtype="u2").reshape(256, 256)
    root.create_array("a", shape=data.shape, chunks=(32, 32), shards=(128, 128), dtype="u2")[
        ...
    ] = data
    store = CountingStore(zarrcore.open_store(tmp_path / "s.zarr"))
    arr = zarrcore.open_array(store, path="a")
    for sel in [(slice(32, 64), slice(64, 96)), (slice(40, 72), slice(10, 42)), (5, slice(None))]:
        store.reset()
        np.testing.assert_array_equal(arr[sel], data[sel])
        counts = store.counts
        if sel[0] != 5:
            assert counts.get("get", 0) == 0 and counts.get("get_many_keys", 0) == 0
            assert counts["get_range"] <= 3, counts
    # every inner chunk of a shard: one read of the whole shard, no index round trip
    store.reset()
    np.testing.assert_array_equal(arr[0:128, 0:128], data[0:128, 0:128])
    assert store.reads == 1 and store.counts.get("get_range", 0) == 0


def test_corrupt_shard_index_is_an_error_naming_the_key(tmp_path: Path) -> None:
    root = zarrcore.open_group(tmp_path / "c.zarr", mode="w", zarr_format=3)
    arr = root.create_array("a", shape=(8,), chunks=(2,), shards=(8,), dtype="u1")
    arr[...] = np.arange(1, 9, dtype="u1")
    shard = tmp_path / "c.zarr/a/c/0"
    raw = bytearray(shard.read_bytes())
    raw[-8] ^= 0xFF  # inside the index, before its crc32c
    shard.write_bytes(bytes(raw))
    with pytest.raises(CorruptChunkError, match="crc32c") as info:
        zarrcore.open_array(tmp_path / "c.zarr", path="a")[0:2]
    assert info.value.key == "a/c/0"


def test_corrupt_inner_chunk_checksum_is_reported(tmp_path: Path) -> None:
    root = zarrcore.open_group(tmp_path / "k.zarr", mode="w", zarr_format=3)
    arr = root.create_array(
        "a",
        shape=(4,),
        chunks=(4,),
        dtype="u1",
        codecs=[{"name": "bytes"}, {"name": "crc32c"}],
    )
    arr[...] = 7
    chunk = tmp_path / "k.zarr/a/c/0"
    raw = bytearray(chunk.read_bytes())
    raw[0] ^= 1
    chunk.write_bytes(bytes(raw))
    with pytest.raises(CorruptChunkError) as info:
        zarrcore.open_array(tmp_path / "k.zarr", path="a")[...]
    assert info.value.key == "a/c/0"


def test_v3_consolidated_metadata_goes_stale_after_changes() -> None:
    store = MemoryStore()
    root = zarrcore.open_group(store, mode="w", zarr_format=3)
    root.create_group("g").create_array("x", shape=(3,), chunks=(3,), dtype="f4")
    zarrcore.consolidate_metadata(store)
    assert zarrcore.check_consolidated(store).up_to_date
    consolidated = zarrcore.open_consolidated(store)
    assert [name for name, _ in consolidated["g"].members()] == ["x"]
    writable = zarrcore.open_group(store, mode="a")
    writable.create_array("y", shape=(2,), chunks=(2,), dtype="u1")
    writable["g"].attrs["changed"] = True
    report = zarrcore.check_consolidated(store)
    assert report.stale and report.missing == ["y"] and report.changed == ["g"]
    zarrcore.consolidate_metadata(store)
    assert zarrcore.check_consolidated(store).up_to_date


def test_malformed_and_unsupported_zarr_json_name_the_key() -> None:
    store = MemoryStore()
    store.set("zarr.json", b'{"zarr_format": 3, "node_type": "group"}')
    store.set("bad/zarr.json", b'{"zarr_format": 3, "node_type": "array", "shape": [2]}')
    store.set(
        "odd/zarr.json",
        b'{"zarr_format": 3, "node_type": "array", "shape": [2], '
        b'"data_type": "uint8", "chunk_grid": {"name": "rectilinear"}, '
        b'"chunk_key_encoding": "default", "fill_value": 0, "codecs": ["bytes"]}',
    )
    with pytest.raises(MetadataError) as info:
        zarrcore.open(store, path="bad")
    assert "bad/zarr.json" in str(info.value.key)
    with pytest.raises(UnsupportedError, match="rectilinear"):
        zarrcore.open(store, path="odd")


def test_unknown_codec_fails_on_data_access_not_on_open() -> None:
    store = MemoryStore()
    store.set(
        "zarr.json",
        b'{"zarr_format": 3, "node_type": "array", "shape": [2], '
        b'"data_type": "uint8", "chunk_grid": {"name": "regular", "configuration": '
        b'{"chunk_shape": [2]}}, "chunk_key_encoding": {"name": "default"}, '
        b'"fill_value": 0, "codecs": ["bytes", {"name": "fancy"}]}',
    )
    arr = zarrcore.open_array(store)
    assert arr.shape == (2,)
    with pytest.raises(UnsupportedError, match="fancy"):
        arr[...]


def test_many_shards_with_several_ranges_each_do_not_deadlock_a_remote_store() -> None:
    """Region reads used to run in the store's own pool and wait there on get_ranges."""
    import threading

    class SmallPoolRemote(MemoryStore):
        is_remote = True
        max_concurrency = 2

    store = SmallPoolRemote()
    root = zarrcore.open_group(store, mode="w", zarr_format=3)
    arr = root.create_array(
        "b", shape=(48, 3 * 4096), chunks=(16, 512), shards=(48, 4096), dtype="u8", compressor=None
    )
    arr[...] = 1
    result: dict[str, np.ndarray] = {}
    # column 0 of each shard: three inner chunks per shard, far apart -> three ranges each
    reader = threading.Thread(target=lambda: result.setdefault("x", arr[:, ::4096]), daemon=True)
    reader.start()
    reader.join(120)
    assert not reader.is_alive(), "sharded read deadlocked"
    np.testing.assert_array_equal(result["x"], np.ones((48, 3), dtype="u8"))


def test_stale_check_compares_meaning_not_spelling() -> None:
    """tensorstore omits empty attributes; zarr-python 3.0 wrote bare NaN fills."""
    import json

    store = MemoryStore()
    zarrcore.open_group(store, mode="w", zarr_format=3)
    terse = {
        "zarr_format": 3,
        "node_type": "array",
        "shape": [4],
        "data_type": "float32",
        "chunk_grid": {"name": "regular", "configuration": {"chunk_shape": [2]}},
        "chunk_key_encoding": {"name": "default"},
        "fill_value": "NaN",
        "codecs": [{"name": "bytes", "configuration": {"endian": "little"}}],
    }
    store.set("t/zarr.json", json.dumps(terse).encode())
    zarrcore.consolidate_metadata(store)
    root = json.loads(store.get("zarr.json"))
    entry = root["consolidated_metadata"]["metadata"]["t"]
    assert entry["attributes"] == {} and entry["fill_value"] == "NaN"
    raw = store.get("zarr.json").replace(b'"fill_value": "NaN"', b'"fill_value": NaN')
    store.set("zarr.json", raw)
    assert zarrcore.check_consolidated(store).up_to_date
    assert np.isnan(zarrcore.open_consolidated(store)["t"].fill_value)


def test_sharded_string_array_round_trips() -> None:
    store = MemoryStore()
    root = zarrcore.open_group(store, mode="w", zarr_format=3)
    arr = root.create_array("s", shape=(7,), chunks=(2,), shards=(4,), dtype=str)
    arr[1:6] = ["a", "bé", "", "ccc", "d"]
    assert arr[...].tolist() == ["", "a", "bé", "", "ccc", "d", ""]
    assert arr[2:5].tolist() == ["bé", "", "ccc"]
    assert arr.metadata.codecs[0]["configuration"]["codecs"][0]["name"] == "vlen-utf8"


def test_case_distinct_sibling_arrays_keep_their_own_chunks(tmp_path: Path) -> None:
    """A missing chunk of "M8" must read as fill, not as the chunk of sibling "m8"."""
    root = zarrcore.open_group(tmp_path / "case.zarr", mode="w", zarr_format=3)
    upper = root.create_array("M8", shape=(2,), chunks=(1,), dtype="i8", fill_value=-1)
    lower = root.create_array("m8", shape=(2,), chunks=(2,), dtype="i8", fill_value=0)
    upper[0] = 5
    lower[...] = [7, 8]
    np.testing.assert_array_equal(
        zarrcore.open_array(tmp_path / "case.zarr", path="M8")[...], [5, -1]
    )
