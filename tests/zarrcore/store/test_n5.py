"""N5Store: the StoreContract where it applies, plus the N5 <-> zarr key-space translation.

The Java-style fixtures here are written byte by byte (headers, truncated edge blocks,
LZ4Block streams, zlib data under a gzip label, legacy ``compressionType``) so they do not
depend on any N5 implementation being installed.
"""

from __future__ import annotations

import gzip
import json
import struct
import zlib
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from zarrcore.codecs import lz4block
from zarrcore.codecs.n5 import N5ChunkCodec, make_header, parse_header
from zarrcore.codecs.registry import get_codec
from zarrcore.errors import (
    CorruptChunkError,
    MetadataError,
    NotFoundError,
    UnsupportedCodecError,
    UnsupportedError,
)
from zarrcore.store.base import Store
from zarrcore.store.n5 import N5Store
from zarrcore.testing.n5 import read_array, write_array
from zarrcore.testing.n5 import zarray_document as zarray_doc
from zarrcore.testing.store_contract import StoreContract, StoreFactory
from zarrcore.url import open_store

_TRANSLATED = "N5Store translates .zarray/.zgroup/.zattrs to attributes.json: arbitrary bytes"


class TestN5Store(StoreContract):
    @pytest.fixture
    def store_factory(self, tmp_path: Path) -> StoreFactory:
        root = tmp_path / "data.n5"

        def open_n5(*, read_only: bool = False) -> Store:
            return N5Store.from_url(str(root), read_only=read_only)

        return open_n5

    def _path(self, store: Store, key: str) -> Path:
        assert isinstance(store, N5Store)
        return Path(store.inner.root).joinpath(*key.split("/"))  # type: ignore[attr-defined]

    def raw_get(self, store: Store, key: str) -> bytes | None:
        path = self._path(store, key)
        return path.read_bytes() if path.is_file() else None

    def raw_set(self, store: Store, key: str, value: bytes) -> None:
        path = self._path(store, key)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(value)

    # Generic tests that store arbitrary bytes under zarr metadata names cannot hold on N5:
    # those names are views of attributes.json. The translation is tested below instead.
    def test_get_reads_what_the_medium_holds(self, store: Store) -> None:
        pytest.skip(_TRANSLATED)

    def test_nested_keys_round_trip(self, store: Store) -> None:
        pytest.skip(_TRANSLATED)

    def test_keys_with_dots_are_distinct(self, store: Store) -> None:
        pytest.skip(_TRANSLATED)

    def test_list_prefix_yields_full_keys(self, store: Store) -> None:
        pytest.skip(_TRANSLATED)

    def test_list_dir_gives_sorted_child_names(self, store: Store) -> None:
        pytest.skip(_TRANSLATED)

    def test_listing_sees_keys_written_through_the_store(self, store: Store) -> None:
        pytest.skip(_TRANSLATED)


# -- helpers -------------------------------------------------------------------------------
def write_json(path: Path, doc: dict[str, Any]) -> None:
    path.mkdir(parents=True, exist_ok=True)
    (path / "attributes.json").write_text(json.dumps(doc))


def write_block(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


# -- Java-style fixtures -------------------------------------------------------------------
@pytest.fixture
def java_container(tmp_path: Path) -> Path:
    """An N5 container shaped like n5-java output, built byte by byte.

    ``data/gzip``: uint16, zarr shape (5, 7) = N5 dimensions [7, 5], blockSize [3, 2]
    (zarr chunks (2, 3)), gzip-labelled blocks holding zlib streams, truncated edge blocks.
    ``data/lz4``: int32 1-D, LZ4Block streams, truncated last block.
    ``legacy``: legacy ``compressionType: "raw"`` dataset. ``data`` has no attributes.json.
    """
    root = tmp_path / "java.n5"
    write_json(root, {"n5": "4.0.0", "title": "java"})
    values = np.arange(35, dtype=">u2").reshape(5, 7)
    ds = root / "data" / "gzip"
    write_json(
        ds,
        {
            "dimensions": [7, 5],
            "blockSize": [3, 2],
            "dataType": "uint16",
            "compression": {"type": "gzip", "level": -1},
            "unit": "nm",
        },
    )
    for i in range(3):  # zarr chunk row
        for j in range(3):  # zarr chunk column
            block = values[i * 2 : i * 2 + 2, j * 3 : j * 3 + 3]  # truncated at the edges
            payload = zlib.compress(np.ascontiguousarray(block).tobytes())  # zlib, not gzip
            write_block(ds / str(j) / str(i), make_header(block.shape) + payload)
    lz = root / "data" / "lz4"
    write_json(
        lz,
        {
            "dimensions": [10],
            "blockSize": [4],
            "dataType": "int32",
            "compression": {"type": "lz4", "blockSize": 65536},
        },
    )
    line = (np.arange(10) * -3).astype(">i4")
    for i in range(3):
        block = line[i * 4 : i * 4 + 4]
        write_block(lz / str(i), make_header(block.shape) + lz4block.encode_lz4block(block))
    legacy = root / "legacy"
    write_json(
        legacy,
        {"dimensions": [3], "blockSize": [3], "dataType": "float64", "compressionType": "raw"},
    )
    write_block(legacy / "0", make_header((3,)) + np.array([1.5, 2.5, -1], ">f8").tobytes())
    return root


def test_java_container_reads_through_the_zarr_key_space(java_container: Path) -> None:
    store = N5Store.from_url(str(java_container), read_only=True)
    assert json.loads(store.get(".zgroup")) == {"zarr_format": 2}
    assert json.loads(store.get(".zattrs")) == {"title": "java"}
    assert json.loads(store.get("data/.zgroup")) == {"zarr_format": 2}  # implicit group
    with pytest.raises(NotFoundError):
        store.get("data/.zattrs")
    zarray = json.loads(store.get("data/gzip/.zarray"))
    assert zarray["shape"] == [5, 7] and zarray["chunks"] == [2, 3]
    assert zarray["dtype"] == np.dtype("u2").str
    assert zarray["fill_value"] == 0 and zarray["order"] == "C" and zarray["filters"] == []
    assert zarray["compressor"] == {
        "id": "n5_wrapper",
        "compressor_config": {"id": "gzip", "level": -1},
        "dtype": np.dtype("u2").str,
        "chunk_shape": [2, 3],
    }
    assert json.loads(store.get("data/gzip/.zattrs")) == {"unit": "nm"}
    np.testing.assert_array_equal(read_array(store, "data/gzip"), np.arange(35).reshape(5, 7))
    np.testing.assert_array_equal(read_array(store, "data/lz4"), np.arange(10) * -3)
    np.testing.assert_array_equal(read_array(store, "legacy"), [1.5, 2.5, -1])
    assert json.loads(store.get("legacy/.zarray"))["compressor"]["compressor_config"] is None


def test_java_container_lists_like_a_zarr_hierarchy(java_container: Path) -> None:
    store = N5Store.from_url(str(java_container), read_only=True)
    assert store.list_dir("") == [".zattrs", ".zgroup", "data", "legacy"]
    assert store.list_dir("data/") == ["gzip", "lz4"]
    assert store.list_dir("data/gzip/") == [
        ".zarray",
        ".zattrs",
        *[f"{i}.{j}" for i in range(3) for j in range(3)],
    ]
    assert store.list_dir("data/lz4") == [".zarray", "0", "1", "2"]
    assert store.list_dir("data/gzip/0/") == []  # chunk directories are not zarr keys
    assert sorted(store.list_prefix("data/gzip/1")) == [
        "data/gzip/1.0",
        "data/gzip/1.1",
        "data/gzip/1.2",
    ]
    everything = sorted(store.list_prefix(""))
    assert ".zgroup" in everything and "legacy/.zarray" in everything
    assert "data/.zgroup" not in everything  # implicit groups are answered, not listed
    assert not any("attributes.json" in key for key in everything)
    assert store.exists("data/gzip/2.2") and not store.exists("data/gzip/3.0")
    assert store.getsize("data/gzip/0.0") == (java_container / "data/gzip/0/0").stat().st_size


def test_chunk_keys_map_to_inverted_paths(java_container: Path) -> None:
    store = N5Store.from_url(str(java_container))
    raw = (java_container / "data" / "gzip" / "2" / "1").read_bytes()
    assert store.get("data/gzip/1.2") == raw
    assert store.get_range("data/gzip/1.2", 0, 12) == raw[:12]


def test_truncated_edge_blocks_are_padded(java_container: Path) -> None:
    store = N5Store.from_url(str(java_container))
    zarray = json.loads(store.get("data/gzip/.zarray"))
    codec = get_codec(zarray["compressor"])
    block = store.get("data/gzip/2.2")
    assert parse_header(block).shape == (1, 1)
    chunk = np.asarray(codec.decode(block)).reshape(2, 3)
    np.testing.assert_array_equal(chunk, [[34, 0, 0], [0, 0, 0]])


# -- writing -------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("compressor", "n5_compression"),
    [
        (None, {"type": "raw"}),
        ({"id": "gzip", "level": 3}, {"type": "gzip", "level": 3, "useZlib": False}),
        ({"id": "zlib", "level": 3}, {"type": "gzip", "level": 3, "useZlib": True}),
        ({"id": "bz2", "level": 5}, {"type": "bzip2", "blockSize": 5}),
        (
            {"id": "lzma", "format": 1, "check": -1, "preset": None, "filters": None},
            {"type": "xz", "preset": 6},
        ),
        ({"id": "lz4", "acceleration": 1}, {"type": "lz4", "blockSize": 65536}),
        (
            {"id": "blosc", "cname": "lz4", "clevel": 5, "shuffle": 1, "blocksize": 0},
            {"type": "blosc", "cname": "lz4", "clevel": 5, "shuffle": 1, "blocksize": 0},
        ),
        ({"id": "zstd", "level": 2}, {"type": "zstd", "level": 2}),
    ],
    ids=lambda v: "raw" if v is None else (v.get("id") or v.get("type")),
)
def test_written_dataset_has_n5_attributes_and_truncated_edge_blocks(
    tmp_path: Path, compressor: Any, n5_compression: dict[str, Any]
) -> None:
    store = N5Store.from_url(str(tmp_path / "w.n5"))
    store.set(".zgroup", b'{"zarr_format": 2}')
    store.set("g/.zgroup", b'{"zarr_format": 2}')
    store.set("g/a/.zarray", zarray_doc([5, 7], [2, 3], ">i2", compressor))
    store.set("g/a/.zattrs", b'{"resolution": [4, 4], "name": "a"}')
    attrs = json.loads((tmp_path / "w.n5" / "g" / "a" / "attributes.json").read_text())
    assert attrs == {
        "dimensions": [7, 5],
        "blockSize": [3, 2],
        "dataType": "int16",
        "compression": n5_compression,
        "resolution": [4, 4],
        "name": "a",
    }
    assert json.loads((tmp_path / "w.n5" / "attributes.json").read_text()) == {"n5": "2.0.0"}
    data = (np.arange(35).reshape(5, 7) - 10).astype("<i2")
    write_array(store, "g/a", data)
    edge = (tmp_path / "w.n5" / "g" / "a" / "2" / "2").read_bytes()
    assert edge[:12] == struct.pack(">HHII", 0, 2, 1, 1)  # truncated like n5-java
    assert (tmp_path / "w.n5/g/a/0/0").read_bytes()[:12] == struct.pack(">HHII", 0, 2, 3, 2)
    if compressor and compressor["id"] == "lz4":
        assert edge[12:20] == b"LZ4Block"
    np.testing.assert_array_equal(read_array(store, "g/a"), data)
    assert json.loads(store.get("g/a/.zattrs")) == {"resolution": [4, 4], "name": "a"}


def test_replacing_attributes_keeps_the_n5_keys(tmp_path: Path) -> None:
    store = N5Store.from_url(str(tmp_path / "w.n5"))
    store.set("a/.zarray", zarray_doc([4], [2], "<u1", None))
    store.set("a/.zattrs", b'{"x": 1}')
    store.set("a/.zattrs", b'{"y": 2}')
    assert json.loads(store.get("a/.zattrs")) == {"y": 2}
    assert json.loads(store.get("a/.zarray"))["shape"] == [4]
    store.delete("a/.zattrs")
    with pytest.raises(NotFoundError):
        store.get("a/.zattrs")
    assert store.list_dir("a/") == [".zarray"]


def test_root_level_array_gets_the_n5_version(tmp_path: Path) -> None:
    store = N5Store.from_url(f"n5://{tmp_path / 'root.n5'}")
    store.set(".zarray", zarray_doc([3, 4], [3, 4], "<f4", {"id": "gzip", "level": 1}))
    attrs = json.loads((tmp_path / "root.n5" / "attributes.json").read_text())
    assert attrs["n5"] == "2.0.0"
    assert store.list_dir("") == [".zarray"]
    with pytest.raises(NotFoundError):
        store.get(".zgroup")
    with pytest.raises(NotFoundError):
        store.get(".zattrs")  # the n5 key is not a user attribute


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"fill_value": 5}, "fill value 0"),
        ({"order": "F"}, "C order"),
        ({"filters": [{"id": "delta", "dtype": "<i2"}]}, "filters"),
    ],
)
def test_writing_what_n5_cannot_hold_is_refused(
    tmp_path: Path, change: dict[str, Any], message: str
) -> None:
    store = N5Store.from_url(str(tmp_path / "w.n5"))
    doc = json.loads(zarray_doc([4], [2], "<i2", None))
    doc.update(change)
    with pytest.raises(MetadataError, match=message) as info:
        store.set("x/.zarray", json.dumps(doc).encode())
    assert info.value.key == "x/.zarray" and info.value.url == store.url
    assert not (tmp_path / "w.n5" / "x" / "attributes.json").exists()


@pytest.mark.parametrize("dtype", ["|b1", "<f2", "<c8", "|S4", "<M8[s]"])
def test_dtypes_outside_n5_are_refused(tmp_path: Path, dtype: str) -> None:
    store = N5Store.from_url(str(tmp_path / "w.n5"))
    with pytest.raises(UnsupportedError, match="N5 cannot store dtype"):
        store.set("x/.zarray", zarray_doc([4], [2], dtype, None))


def test_reserved_attribute_names_are_refused(tmp_path: Path) -> None:
    store = N5Store.from_url(str(tmp_path / "w.n5"))
    store.set("x/.zgroup", b'{"zarr_format": 2}')
    with pytest.raises(MetadataError, match="dimensions"):
        store.set("x/.zattrs", b'{"dimensions": [1]}')


def test_keys_outside_datasets_pass_through(tmp_path: Path) -> None:
    store = N5Store.from_url(str(tmp_path / "w.n5"))
    store.set("notes/0.1", b"not a chunk: notes is no dataset")
    assert (tmp_path / "w.n5" / "notes" / "0.1").is_file()
    assert store.get("notes/0.1").startswith(b"not a chunk")


# -- errors --------------------------------------------------------------------------------
def test_corrupt_attributes_json_names_url_and_key(tmp_path: Path) -> None:
    root = tmp_path / "bad.n5"
    (root / "a").mkdir(parents=True)
    (root / "a" / "attributes.json").write_text("{not json")
    store = N5Store.from_url(str(root))
    with pytest.raises(MetadataError) as info:
        store.get("a/.zarray")
    assert info.value.key == "a/attributes.json"
    assert info.value.url == store.url


def test_unsupported_data_type_is_reported(tmp_path: Path) -> None:
    write_json(
        tmp_path / "o.n5" / "a",
        {"dimensions": [2], "blockSize": [2], "dataType": "object", "compression": {"type": "raw"}},
    )
    store = N5Store.from_url(str(tmp_path / "o.n5"))
    with pytest.raises(UnsupportedError, match="object") as info:
        store.get("a/.zarray")
    assert info.value.key == "a/attributes.json"


def test_unknown_compression_type_is_an_unsupported_codec(tmp_path: Path) -> None:
    root = tmp_path / "u.n5"
    write_json(
        root / "a",
        {
            "dimensions": [2],
            "blockSize": [2],
            "dataType": "uint8",
            "compression": {"type": "snappy9000"},
        },
    )
    write_block(root / "a" / "0", make_header((2,)) + b"\x01\x02")
    store = N5Store.from_url(str(root))
    zarray = json.loads(store.get("a/.zarray"))
    assert zarray["compressor"]["compressor_config"] == {"id": "snappy9000"}
    with pytest.raises(UnsupportedCodecError, match="snappy9000"):
        get_codec(zarray["compressor"])


def test_corrupt_edge_chunk_written_through_the_store_names_url_and_key(tmp_path: Path) -> None:
    store = N5Store.from_url(str(tmp_path / "w.n5"))
    store.set("a/.zarray", zarray_doc([5], [4], "<u2", {"id": "gzip", "level": 1}))
    bad = make_header((4,)) + gzip.compress(b"\x00" * 8)[:-5]
    with pytest.raises(CorruptChunkError) as info:
        store.set("a/1", bad)
    assert info.value.key == "a/1" and info.value.url == store.url


def test_open_store_picks_n5_for_n5_paths_and_urls(tmp_path: Path) -> None:
    assert isinstance(open_store(str(tmp_path / "x.n5")), N5Store)
    assert isinstance(open_store(f"n5://{tmp_path / 'y'}"), N5Store)
    ro = open_store(str(tmp_path / "x.n5"), mode="r")
    assert ro.read_only


def test_codec_used_by_the_store_is_n5_chunk_codec(java_container: Path) -> None:
    store = N5Store.from_url(str(java_container))
    zarray = json.loads(store.get("data/lz4/.zarray"))
    assert isinstance(get_codec(zarray["compressor"]), N5ChunkCodec)


# -- through the public array API ----------------------------------------------------------
def test_java_container_opens_as_a_hierarchy(java_container: Path) -> None:
    import zarrcore

    root = zarrcore.open_group(str(java_container), mode="r")
    assert root.attrs["title"] == "java"
    assert [name for name, _ in root.members()] == ["data", "legacy"]
    data = root["data"]
    assert isinstance(data, zarrcore.Group)
    assert [name for name, _ in data.arrays()] == ["gzip", "lz4"]
    gz = root["data/gzip"]
    assert isinstance(gz, zarrcore.Array)
    np.testing.assert_array_equal(gz[...], np.arange(35).reshape(5, 7))
    np.testing.assert_array_equal(gz[4, 1::2], [29, 31, 33])
    assert gz.attrs["unit"] == "nm"
    np.testing.assert_array_equal(root["data/lz4"][7:], [-21, -24, -27])
    np.testing.assert_array_equal(root["legacy"][...], [1.5, 2.5, -1])


def test_corrupt_and_truncated_blocks_raise_naming_url_and_key(java_container: Path) -> None:
    import zarrcore

    block = java_container / "data" / "gzip" / "1" / "2"  # zarr chunk (2, 1)
    block.write_bytes(block.read_bytes()[:-4])
    (java_container / "data" / "gzip" / "0" / "0").write_bytes(b"\x00\x09\x00\x02")
    array = zarrcore.open_array(str(java_container), path="data/gzip")
    np.testing.assert_array_equal(array[2:4, 3:6], np.arange(35).reshape(5, 7)[2:4, 3:6])
    with pytest.raises(CorruptChunkError) as info:
        array[4, 3]
    assert info.value.key == "data/gzip/2.1"
    assert info.value.url == str(java_container)
    with pytest.raises(CorruptChunkError, match="unknown mode 9") as info:
        array[0, 0]
    assert info.value.key == "data/gzip/0.0"


def test_unknown_compression_makes_the_array_unsupported(tmp_path: Path) -> None:
    import zarrcore

    root = tmp_path / "u.n5"
    write_json(root, {"n5": "2.3.0"})
    write_json(
        root / "a",
        {
            "dimensions": [2],
            "blockSize": [2],
            "dataType": "uint8",
            "compression": {"type": "snappy9000"},
        },
    )
    group = zarrcore.open_group(str(root), mode="r")
    assert [name for name, _ in group.members()] == ["a"]  # browsing still works
    with pytest.raises(UnsupportedCodecError, match="snappy9000") as info:
        group["a"][...]
    assert info.value.url == str(root)


def test_n5_without_the_suffix_is_found_by_its_attributes(java_container: Path) -> None:
    import zarrcore

    plain = java_container.rename(java_container.parent / "plain")
    root = zarrcore.open(str(plain), mode="r")
    assert isinstance(root, zarrcore.Group) and root.attrs["title"] == "java"
    inside = zarrcore.open(str(plain / "data" / "gzip"), mode="r")  # a dataset directory
    assert isinstance(inside, zarrcore.Array)
    np.testing.assert_array_equal(inside[...], np.arange(35).reshape(5, 7))


def test_zarr_directory_with_an_attributes_file_stays_zarr(tmp_path: Path) -> None:
    import zarrcore
    from zarrcore.store.local import DirectoryStore
    from zarrcore.store.n5 import wrap_if_n5

    (tmp_path / ".zgroup").write_text('{"zarr_format": 2}')
    (tmp_path / "attributes.json").write_text("{}")
    store = DirectoryStore(tmp_path)
    assert wrap_if_n5(store) is store
    assert isinstance(zarrcore.open(str(tmp_path), mode="r"), zarrcore.Group)


def test_varlength_block_is_unsupported_not_corrupt(tmp_path: Path) -> None:
    import zarrcore

    root = tmp_path / "v.n5"
    write_json(
        root / "a",
        {"dimensions": [4], "blockSize": [4], "dataType": "uint8", "compression": {"type": "raw"}},
    )
    write_block(root / "a" / "0", struct.pack(">HHII", 1, 1, 4, 4) + bytes(4))
    with pytest.raises(UnsupportedError, match="varlength") as info:
        zarrcore.open_array(str(root), path="a")[...]
    assert not isinstance(info.value, CorruptChunkError)
    assert info.value.key == "a/0" and info.value.url == str(root)


def test_n5_over_another_store_batches_chunk_reads(tmp_path: Path) -> None:
    import zarrcore
    from zarrcore.store.memory import MemoryStore

    class CountingStore(MemoryStore):
        batches: list[list[str]] = []

        def get_many(self, keys: Any) -> dict[str, bytes | None]:
            keys = list(keys)
            self.batches.append(keys)
            return super().get_many(keys)

    inner = CountingStore()
    store = N5Store(inner)
    group = zarrcore.open_group(store, mode="w")
    array = group.create_array("a", shape=(4, 6), chunks=(2, 3), dtype="u2", compressor=None)
    array[...] = np.arange(24).reshape(4, 6)
    assert sorted(k for k in inner.list_prefix("a/") if k != "a/attributes.json") == [
        "a/0/0",
        "a/0/1",
        "a/1/0",
        "a/1/1",
    ]
    got = store.get_many(["a/0.1", "a/1.1", "a/9.9", "a/.zarray"])
    assert got["a/9.9"] is None and got["a/.zarray"] is not None
    assert got["a/0.1"] == inner.get("a/1/0")
    assert inner.batches[-1] == ["a/1/0", "a/1/1", "a/9/9"]
    np.testing.assert_array_equal(group["a"][...], np.arange(24).reshape(4, 6))
    group.create_group("b").attrs["x"] = 1
    inner.batches.clear()
    docs = store.get_many([f"{n}/{d}" for n in "ab" for d in (".zarray", ".zgroup", ".zattrs")])
    assert [sorted(b) for b in inner.batches] == [["a/attributes.json", "b/attributes.json"]]
    assert docs["a/.zgroup"] is None and docs["b/.zarray"] is None
    assert json.loads(docs["b/.zattrs"] or b"") == {"x": 1}
