"""Consolidated metadata: zarr-python 2 layout, one-read open, stale reports, atomic write."""

from __future__ import annotations

import json
from collections.abc import Iterable

import pytest

import zarrcore
from zarrcore.errors import NotFoundError, ReadOnlyError
from zarrcore.store.memory import MemoryStore


class CountingStore(MemoryStore):
    """Counts reads and listings."""

    def __init__(self) -> None:
        super().__init__()
        self.gets: list[str] = []
        self.batches: list[list[str]] = []
        self.listings = 0

    def get(self, key: str) -> bytes:
        self.gets.append(key)
        return super().get(key)

    def get_many(self, keys: Iterable[str]) -> dict[str, bytes | None]:
        keys = list(keys)
        self.batches.append(keys)
        return {k: self._get_or_none(k) for k in keys}

    def list_prefix(self, prefix: str):  # type: ignore[no-untyped-def]
        self.listings += 1
        return super().list_prefix(prefix)


def build(store: MemoryStore) -> zarrcore.Group:
    group = zarrcore.open_group(store, mode="w")
    group.attrs["title"] = "t"
    for i in range(3):
        sub = group.create_group(f"g{i}")
        arr = sub.create_array("a", shape=(4,), chunks=(2,), dtype="i2")
        arr.attrs["i"] = i
    return group


def test_document_matches_zarr2_layout() -> None:
    store = MemoryStore()
    build(store)
    zarrcore.consolidate_metadata(store)
    raw = store.get(".zmetadata")
    doc = json.loads(raw)
    assert doc["zarr_consolidated_format"] == 1
    assert doc["metadata"][".zgroup"] == {"zarr_format": 2}
    assert doc["metadata"][".zattrs"] == {"title": "t"}
    assert doc["metadata"]["g1/a/.zattrs"] == {"i": 1}
    assert doc["metadata"]["g1/a/.zarray"]["shape"] == [4]
    assert raw.startswith(b'{\n    "metadata": {\n        ".zattrs": {')


def test_open_consolidated_reads_one_document_and_lists_nothing() -> None:
    store = CountingStore()
    build(store)
    zarrcore.consolidate_metadata(store)
    store.gets.clear()
    store.batches.clear()
    store.listings = 0
    group = zarrcore.open_consolidated(store)
    members = group.members()
    assert [n for n, _ in members] == ["g0", "g1", "g2"]
    arrays = [node.arrays() for _, node in group.groups()]
    assert [a[0][1].attrs["i"] for a in arrays] == [0, 1, 2]
    # one batched request for the root documents of every consolidated format
    assert len(store.batches) == 1 and ".zmetadata" in store.batches[0]
    assert set(store.gets) == set(store.batches[0])
    assert store.listings == 0


def test_consolidated_view_metadata_is_read_only_but_chunks_writable() -> None:
    store = MemoryStore()
    build(store)
    zarrcore.consolidate_metadata(store)
    group = zarrcore.open_consolidated(store, mode="r+")
    with pytest.raises(ReadOnlyError):
        group.attrs["x"] = 1
    with pytest.raises(ReadOnlyError):
        group.create_group("new")
    arr = group["g0/a"]
    arr[...] = 3
    assert list(zarrcore.open_array(store, path="g0/a")[...]) == [3, 3, 3, 3]
    with pytest.raises(ValueError, match="mode"):
        zarrcore.open_consolidated(store, mode="w")


def test_check_reports_missing_changed_and_extra_entries() -> None:
    store = MemoryStore()
    group = build(store)
    report = zarrcore.check_consolidated(store)
    assert not report.present and report.stale and "g0/a/.zarray" in report.missing
    zarrcore.consolidate_metadata(store)
    assert zarrcore.check_consolidated(store).up_to_date
    group.create_group("new")
    group["g1/a"].attrs["i"] = 99
    del group["g2"]
    report = zarrcore.check_consolidated(store)
    assert report.present and report.stale
    assert report.missing == ["new/.zgroup"]
    assert report.changed == ["g1/a/.zattrs"]
    assert report.extra == ["g2/.zgroup", "g2/a/.zarray", "g2/a/.zattrs"]
    zarrcore.consolidate_metadata(store)
    assert zarrcore.check_consolidated(store).up_to_date


def test_missing_consolidated_metadata_is_not_found() -> None:
    store = MemoryStore()
    build(store)
    with pytest.raises(NotFoundError, match="no consolidated metadata") as info:
        zarrcore.open_consolidated(store)
    assert info.value.key == ".zmetadata"


def test_write_goes_through_a_temporary_key_on_non_atomic_stores() -> None:
    class Recording(MemoryStore):
        supports_atomic_writes = False

        def __init__(self) -> None:
            super().__init__()
            self.writes: list[str] = []

        def set(self, key: str, value: bytes) -> None:
            self.writes.append(key)
            super().set(key, value)

    store = Recording()
    build(store)
    store.writes.clear()
    zarrcore.consolidate_metadata(store)
    assert store.writes[0].startswith(".zmetadata.") and store.writes[0].endswith(".partial")
    assert store.writes[1] == ".zmetadata"
    assert not any(k.endswith(".partial") for k in store.list())


def test_consolidated_group_at_a_sub_path() -> None:
    store = MemoryStore()
    build(store)
    zarrcore.consolidate_metadata(store, path="g1")
    assert json.loads(store.get("g1/.zmetadata"))["metadata"]["a/.zattrs"] == {"i": 1}
    sub = zarrcore.open_consolidated(store, path="g1")
    assert sub.array_keys() == ["a"]


def test_consolidated_listing_parses_metadata_only_when_used() -> None:
    store = MemoryStore()
    build(store)
    zarrcore.consolidate_metadata(store)
    doc = json.loads(store.get(".zmetadata"))
    doc["metadata"]["g1/a/.zarray"]["dtype"] = "<not-a-dtype"
    store.set(".zmetadata", json.dumps(doc).encode())
    group = zarrcore.open_consolidated(store)
    arrays = {name: sub.arrays() for name, sub in group.groups()}
    assert [n for n, _ in arrays["g1"]] == ["a"]
    assert arrays["g0"][0][1].shape == (4,)
    assert arrays["g1"][0][1].zarr_format == 2
    with pytest.raises(zarrcore.errors.MetadataError, match="invalid dtype") as info:
        _ = arrays["g1"][0][1].shape
    assert info.value.key == "g1/a/.zarray"
