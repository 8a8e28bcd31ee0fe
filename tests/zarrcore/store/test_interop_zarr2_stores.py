"""Store-level interop with zarr-python 2.18: same keys, same bytes, both directions.

zarr-python writes a small hierarchy through its own DirectoryStore, NestedDirectoryStore,
ZipStore and SQLiteStore; our store over the same medium must list the same keys and return
identical bytes. The other way, we write the keys of a zarr-made hierarchy through our store
and zarr-python reads the arrays and attributes back unchanged.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from zarrcore.store.base import Store
from zarrcore.store.local import DirectoryStore
from zarrcore.store.sqlite import SQLiteStore
from zarrcore.store.zip import ZipStore

zarr = pytest.importorskip("zarr")
numcodecs = pytest.importorskip("numcodecs")

pytestmark = [
    pytest.mark.interop,
    # zarr-python 2.18 deprecates its SQLite and nested stores (zarr-python#1274); the
    # warning is attributed to the caller (stacklevel=2), so pyproject's module filter misses it
    pytest.mark.filterwarnings("ignore:The .*Store is deprecated:FutureWarning"),
]

# (name, zarr store factory, our store factory, file name)
Layout = tuple[str, Callable[[str], Any], Callable[..., Store], str]
LAYOUTS: list[Layout] = [
    ("directory", lambda p: zarr.DirectoryStore(p), DirectoryStore, "h.zarr"),
    ("nested", lambda p: zarr.NestedDirectoryStore(p), DirectoryStore, "n.zarr"),
    ("zip", lambda p: zarr.ZipStore(p, mode="a"), ZipStore, "h.zip"),
    ("sqlite", lambda p: zarr.SQLiteStore(p), SQLiteStore, "h.db"),
]


def _fill_hierarchy(root: Any) -> dict[str, np.ndarray]:
    """Write groups, arrays (flat and nested keys, several codecs) and attributes."""
    root.attrs["title"] = "interop ✓"
    grp = root.create_group("grp")
    grp.attrs.update({"nested": {"a": [1, 2.5, None]}})
    data = {
        "grp/ints": np.arange(5 * 7, dtype="<i4").reshape(5, 7),
        "grp/sub/floats": np.linspace(0, 1, 24, dtype=">f8").reshape(2, 3, 4),
        "bytes": np.array([b"ab", b"c", b""], dtype="S2"),
        "nested_sep": np.arange(36, dtype="u2").reshape(6, 6),
    }
    root.create_dataset("grp/ints", data=data["grp/ints"], chunks=(2, 3))
    arr = root.create_dataset(
        "grp/sub/floats",
        data=data["grp/sub/floats"],
        chunks=(1, 2, 4),
        compressor=numcodecs.Zlib(level=3),
        filters=[numcodecs.Delta(dtype=">f8")],
    )
    arr.attrs["units"] = "m"
    root.create_dataset("bytes", data=data["bytes"], chunks=(2,), compressor=None)
    root.create_dataset(
        "nested_sep", data=data["nested_sep"], chunks=(4, 4), dimension_separator="/"
    )
    return data


def _zarr_items(store: Any) -> dict[str, bytes]:
    return {key: bytes(store[key]) for key in list(store)}


@pytest.mark.parametrize("layout", LAYOUTS, ids=[layout[0] for layout in LAYOUTS])
def test_our_store_reads_what_zarr_wrote(tmp_path: Path, layout: Layout) -> None:
    _, zarr_store_factory, our_store_cls, file_name = layout
    path = str(tmp_path / file_name)
    zarr_store = zarr_store_factory(path)
    _fill_hierarchy(zarr.group(store=zarr_store))
    expected = _zarr_items(zarr_store)
    if hasattr(zarr_store, "close"):
        zarr_store.close()
    assert "nested_sep/0/0" in expected and "bytes/0" in expected
    assert ("grp/ints/0/0" if layout[0] == "nested" else "grp/ints/0.0") in expected

    with our_store_cls(path, read_only=True) as ours:
        assert sorted(ours.list_prefix("")) == sorted(expected)
        for key, value in expected.items():
            assert ours.get(key) == value, key
            assert ours.getsize(key) == len(value)
        assert ours.get_many(list(expected)) == expected
        assert ours.list_dir("") == sorted({key.split("/", 1)[0] for key in expected})
        assert ours.list_dir("grp/") == [".zattrs", ".zgroup", "ints", "sub"]


@pytest.mark.parametrize("layout", LAYOUTS, ids=[layout[0] for layout in LAYOUTS])
def test_zarr_reads_what_our_store_wrote(tmp_path: Path, layout: Layout) -> None:
    _, zarr_store_factory, our_store_cls, file_name = layout
    source = zarr_store_factory(str(tmp_path / f"source-{file_name}"))
    data = _fill_hierarchy(zarr.group(store=source))
    items = _zarr_items(source)
    if hasattr(source, "close"):
        source.close()
    attrs = {"": {"title": "interop ✓"}, "grp": {"nested": {"a": [1, 2.5, None]}}}

    path = str(tmp_path / file_name)
    with our_store_cls(path) as ours:
        for key, value in items.items():
            ours.set(key, value)

    zarr_store = zarr_store_factory(path)
    try:
        assert sorted(zarr_store.keys()) == sorted(items)
        assert all(bytes(zarr_store[key]) == value for key, value in items.items())
        root = zarr.open_group(store=zarr_store, mode="r")
        for name, expected in data.items():
            np.testing.assert_array_equal(root[name][...], expected)
            assert root[name].dtype == expected.dtype
        for name, expected_attrs in attrs.items():
            node = root[name] if name else root
            assert node.attrs.asdict() == expected_attrs
        assert root["grp/sub/floats"].attrs["units"] == "m"
    finally:
        if hasattr(zarr_store, "close"):
            zarr_store.close()


def test_zarr_zip_overwrites_read_as_last_member(tmp_path: Path) -> None:
    path = str(tmp_path / "over.zip")
    zarr_store = zarr.ZipStore(path, mode="a")
    with pytest.warns(UserWarning, match="Duplicate name"):
        zarr_store["k"] = b"first"
        zarr_store["k"] = b"second"
    zarr_store.close()
    with ZipStore(path, read_only=True) as ours:
        assert ours.get("k") == b"second"
        assert list(ours.list_prefix("")) == ["k"]
