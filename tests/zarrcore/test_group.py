"""Groups: members sorted, creation, attrs, modes, URL / path / Store arguments."""

from __future__ import annotations

from pathlib import Path

import numcodecs
import numpy as np
import pytest

import zarrcore
from zarrcore.errors import (
    ContainsArrayError,
    ContainsGroupError,
    NodeNotFoundError,
    ReadOnlyError,
)
from zarrcore.store.memory import MemoryStore


def test_members_are_sorted_and_typed() -> None:
    group = zarrcore.open_group(MemoryStore(), mode="w")
    group.create_array("b", shape=(2,), chunks=(1,), dtype="i1")
    group.create_group("c")
    group.create_group("a")
    assert [name for name, _ in group.members()] == ["a", "b", "c"]
    assert group.group_keys() == ["a", "c"]
    assert group.array_keys() == ["b"]
    assert isinstance(group["b"], zarrcore.Array)
    assert "a" in group and "zz" not in group
    assert list(group) == ["a", "b", "c"] and len(group) == 3


def test_nested_paths_create_intermediate_groups() -> None:
    store = MemoryStore()
    group = zarrcore.open_group(store, mode="w")
    arr = group.create_array("x/y/z", shape=(3,), chunks=(2,), dtype="f4")
    assert store.exists("x/.zgroup") and store.exists("x/y/.zgroup")
    assert group["x/y/z"] == arr
    assert group["x"]["y"].name == "/x/y"
    assert arr.basename == "z"


def test_create_over_existing_node_needs_overwrite() -> None:
    group = zarrcore.open_group(MemoryStore(), mode="w")
    group.create_array("a", shape=(2,), chunks=(1,), dtype="i1")
    with pytest.raises(ContainsArrayError):
        group.create_group("a")
    group.create_group("g")
    with pytest.raises(ContainsGroupError):
        group.create_array("g", shape=(1,), chunks=(1,), dtype="i1")
    replaced = group.create_group("a", overwrite=True)
    assert isinstance(group["a"], zarrcore.Group) and replaced.path == "a"


def test_attrs_write_through_and_reload() -> None:
    store = MemoryStore()
    group = zarrcore.open_group(store, mode="w")
    group.attrs["x"] = {"nested": [1, 2]}
    group.attrs.update(y=np.float64(np.nan), z=np.int64(3))
    del group.attrs["z"]
    again = zarrcore.open_group(store, mode="r")
    assert again.attrs["x"] == {"nested": [1, 2]}
    assert again.attrs["y"] == "NaN"  # written as the string token, never bare NaN
    assert "z" not in again.attrs
    assert b"NaN" in store.get(".zattrs")


def test_attrs_are_read_only_in_mode_r() -> None:
    store = MemoryStore()
    zarrcore.open_group(store, mode="w")
    group = zarrcore.open_group(store, mode="r")
    with pytest.raises(ReadOnlyError):
        group.attrs["a"] = 1
    with pytest.raises(ReadOnlyError):
        group.create_group("x")


def test_unserialisable_attribute_leaves_attrs_unchanged() -> None:
    group = zarrcore.open_group(MemoryStore(), mode="w")
    group.attrs["ok"] = 1
    with pytest.raises(TypeError):
        group.attrs["bad"] = object()
    assert dict(group.attrs) == {"ok": 1}


def test_modes(tmp_path: Path) -> None:
    url = str(tmp_path / "h")
    with pytest.raises(NodeNotFoundError):
        zarrcore.open_group(url, mode="r")
    group = zarrcore.open_group(url, mode="a")
    group.create_group("keep")
    assert zarrcore.open_group(url, mode="a").group_keys() == ["keep"]
    assert zarrcore.open_group(url, mode="r+").group_keys() == ["keep"]
    with pytest.raises(ContainsGroupError):
        zarrcore.open_group(url, mode="w-")
    cleared = zarrcore.open_group(url, mode="w")
    assert cleared.members() == []
    with pytest.raises(ValueError, match="invalid mode"):
        zarrcore.open_group(url, mode="q")


def test_open_dispatches_on_node_type(tmp_path: Path) -> None:
    url = str(tmp_path / "h")
    group = zarrcore.open_group(url, mode="w")
    group.create_array("a", shape=(4,), chunks=(2,), dtype="u2", data=np.arange(4, dtype="u2"))
    assert isinstance(zarrcore.open(url), zarrcore.Group)
    arr = zarrcore.open(url, path="a")
    assert isinstance(arr, zarrcore.Array)
    np.testing.assert_array_equal(arr[...], np.arange(4))
    assert isinstance(zarrcore.open(f"file://{url}/a"), zarrcore.Array)
    with pytest.raises(ContainsArrayError):
        zarrcore.open_group(url, mode="r", path="a")
    with pytest.raises(ContainsGroupError):
        zarrcore.open_array(url, mode="r")


def test_open_creates_arrays_with_shape(tmp_path: Path) -> None:
    arr = zarrcore.open(str(tmp_path / "arr"), mode="w", shape=(3, 3), chunks=(2, 2), dtype="i4")
    assert isinstance(arr, zarrcore.Array)
    arr[...] = 5
    again = zarrcore.open_array(str(tmp_path / "arr"), mode="r")
    assert again[2, 2] == 5
    nested = zarrcore.open_array(
        str(tmp_path / "h"),
        mode="a",
        path="p/q",
        shape=(2,),
        dtype="f8",
        compressor=numcodecs.Zstd(),
    )
    assert nested.path == "p/q"
    assert isinstance(zarrcore.open(str(tmp_path / "h"), path="p"), zarrcore.Group)


def test_open_store_instance_and_memory_url() -> None:
    store = zarrcore.open_store("memory://h1-group-test", mode="w")
    group = zarrcore.open_group(store, mode="w")
    group.create_group("g")
    assert zarrcore.open("memory://h1-group-test").group_keys() == ["g"]


def test_implicit_root_group_when_only_children_have_metadata() -> None:
    store = MemoryStore()
    zarrcore.open_group(store, mode="w").create_array("a", shape=(1,), chunks=(1,), dtype="i1")
    store.delete(".zgroup")
    node = zarrcore.open(store)
    assert isinstance(node, zarrcore.Group)
    assert node.array_keys() == ["a"]
    with pytest.raises(NodeNotFoundError):
        zarrcore.open(MemoryStore())


def test_delete_member() -> None:
    store = MemoryStore()
    group = zarrcore.open_group(store, mode="w")
    group.create_array("a", shape=(2,), chunks=(1,), dtype="i1", data=[1, 2])
    del group["a"]
    assert group.members() == []
    assert list(store.list_prefix("a/")) == []


def test_context_manager_closes_store(tmp_path: Path) -> None:
    with zarrcore.open_group(str(tmp_path / "z.zip"), mode="w") as group:
        group.create_array("a", shape=(3,), chunks=(3,), dtype="i2", data=[1, 2, 3])
    arr = zarrcore.open_array(str(tmp_path / "z.zip"), path="a")
    np.testing.assert_array_equal(arr[...], [1, 2, 3])
    arr.close()


def test_listing_a_v2_group_asks_only_for_v2_documents() -> None:
    class Recording(MemoryStore):
        def __init__(self) -> None:
            super().__init__()
            self.batches: list[list[str]] = []

        def get_many(self, keys):  # type: ignore[no-untyped-def]
            keys = list(keys)
            self.batches.append(keys)
            return super().get_many(keys)

    store = Recording()
    group = zarrcore.open_group(store, mode="w")
    group.create_group("g")
    group.create_array("a", shape=(1,), chunks=(1,), dtype="i1")
    store.batches.clear()
    assert group.group_keys() == ["g"]
    assert len(store.batches) == 1
    assert not any(k.endswith("zarr.json") for k in store.batches[0])
    v3 = zarrcore.open_group(MemoryStore(), mode="w", zarr_format=3)
    v3.create_array("x", shape=(2,), chunks=(2,), dtype="u1")
    assert v3.array_keys() == ["x"]
