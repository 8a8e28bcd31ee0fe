"""Array-level interop with zarr-python 2.18 over zip and SQLite files, both directions.

zarr-python writes groups, arrays (several dtypes, codecs, orders, separators) and attributes
into its ``ZipStore``/``SQLiteStore``; ``zarrcore.open`` on the same file reads identical data
and attributes. The other way, zarrcore creates the hierarchy and zarr-python reads it.
"""

from __future__ import annotations

import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numcodecs
import numpy as np
import pytest
import zarr

import zarrcore
from zarrcore.store.sqlite import SQLiteStore
from zarrcore.store.wrappers import CountingStore
from zarrcore.store.zip import ZipStore

pytestmark = [
    pytest.mark.interop,
    # zarr-python 2.18 deprecates SQLiteStore (zarr-python#1274); warned at our call site
    pytest.mark.filterwarnings("ignore:The SQLiteStore is deprecated:FutureWarning"),
]


def _zarr_zip(path: Path, mode: str = "a") -> Any:
    return zarr.ZipStore(str(path), mode=mode)


def _zarr_sqlite(path: Path, mode: str = "a") -> Any:
    return zarr.SQLiteStore(str(path))


# name -> (file name, zarr store opener, URL zarrcore opens)
BACKENDS: dict[str, tuple[str, Callable[..., Any], Callable[[Path], str]]] = {
    "zip": ("data.zip", _zarr_zip, str),
    "sqlite": ("data.db", _zarr_sqlite, lambda p: f"sqlite:///{p}"),
}

CASES: list[tuple[str, np.ndarray, dict[str, Any]]] = [
    ("ints", np.arange(7 * 9, dtype="<i4").reshape(7, 9), {"chunks": (3, 4)}),
    (
        "floats_blosc",
        np.linspace(-1, 1, 5 * 6 * 4, dtype=">f8").reshape(5, 6, 4),
        {
            "chunks": (2, 3, 4),
            "compressor": numcodecs.Blosc(cname="lz4", clevel=5, shuffle=numcodecs.Blosc.SHUFFLE),
        },
    ),
    (
        "delta_zlib",
        np.arange(100, dtype="u2") * 3,
        {"chunks": (16,), "compressor": numcodecs.Zlib(1), "filters": [numcodecs.Delta("u2")]},
    ),
    ("fortran", np.arange(6 * 5, dtype="f4").reshape(6, 5), {"chunks": (4, 4), "order": "F"}),
    (
        "nested",
        np.arange(8 * 8, dtype="i8").reshape(8, 8),
        {"chunks": (3, 3), "dimension_separator": "/"},
    ),
    ("flags", np.array([True, False, True, True, False]), {"chunks": (2,), "compressor": None}),
    ("fixed_bytes", np.array([b"ab", b"", b"xyz"], dtype="S3"), {"chunks": (2,)}),
    ("text", np.array(["\u03b1", "beta", ""], dtype="<U4"), {"chunks": (2,)}),
    ("scalar", np.array(3.5, dtype="f8"), {"chunks": ()}),
]
ATTRS = {"title": "interop ✓", "numbers": [1, 2.5, None], "nested": {"k": "v"}}


def _write_with_zarr(store: Any) -> None:
    root = zarr.group(store=store)
    root.attrs.update(ATTRS)
    group = root.create_group("grp")
    group.attrs["level"] = 1
    for name, data, kwargs in CASES:
        array = group.create_dataset(name, data=data, **kwargs)
        array.attrs["name"] = name
    group.create_dataset("missing_chunks", shape=(10,), chunks=(5,), dtype="i2", fill_value=-1)


def _write_with_zarrcore(url: str) -> None:
    with zarrcore.open_group(url, mode="w") as root:
        root.attrs.update(ATTRS)
        group = root.create_group("grp")
        group.attrs["level"] = 1
        for name, data, kwargs in CASES:
            options = dict(kwargs)
            if "compressor" not in options:
                options["compressor"] = numcodecs.Zstd(level=1)
            array = group.create_array(
                name, shape=data.shape, dtype=data.dtype, fill_value=0, **options
            )
            array[...] = data
            array.attrs["name"] = name
        group.create_array("missing_chunks", shape=(10,), chunks=(5,), dtype="i2", fill_value=-1)


@pytest.mark.parametrize("backend", sorted(BACKENDS))
def test_zarrcore_reads_what_zarr2_wrote(tmp_path: Path, backend: str) -> None:
    file_name, zarr_opener, url_of = BACKENDS[backend]
    path = tmp_path / file_name
    store = zarr_opener(path)
    _write_with_zarr(store)
    store.close()

    with zarrcore.open(url_of(path), mode="r") as root:
        assert isinstance(root, zarrcore.Group)
        assert dict(root.attrs) == ATTRS
        group = root["grp"]
        assert isinstance(group, zarrcore.Group)
        assert dict(group.attrs) == {"level": 1}
        expected_names = sorted([name for name, _, _ in CASES] + ["missing_chunks"])
        assert [name for name, _ in group.arrays()] == expected_names
        for name, data, _ in CASES:
            array = group[name]
            assert isinstance(array, zarrcore.Array)
            got = array[...]
            assert got.dtype == data.dtype, name
            np.testing.assert_array_equal(got, data, err_msg=name)
            assert dict(array.attrs) == {"name": name}
        missing = group["missing_chunks"]
        assert isinstance(missing, zarrcore.Array)
        np.testing.assert_array_equal(missing[...], np.full(10, -1, dtype="i2"))


@pytest.mark.parametrize("backend", sorted(BACKENDS))
def test_zarr2_reads_what_zarrcore_wrote(tmp_path: Path, backend: str) -> None:
    file_name, zarr_opener, url_of = BACKENDS[backend]
    path = tmp_path / file_name
    _write_with_zarrcore(url_of(path))

    store = zarr_opener(path, mode="r")
    try:
        root = zarr.open_group(store=store, mode="r")
        assert root.attrs.asdict() == ATTRS
        assert root["grp"].attrs.asdict() == {"level": 1}
        for name, data, _ in CASES:
            array = root["grp"][name]
            got = array[...]
            assert got.dtype == data.dtype, name
            np.testing.assert_array_equal(got, data, err_msg=name)
            assert array.attrs.asdict() == {"name": name}
        np.testing.assert_array_equal(root["grp/missing_chunks"][...], np.full(10, -1, "i2"))
    finally:
        store.close()


def test_partial_update_of_a_zarr2_zip_keeps_one_member_per_key(tmp_path: Path) -> None:
    path = tmp_path / "update.zip"
    store = _zarr_zip(path)
    root = zarr.group(store=store)
    root.create_dataset("a", data=np.zeros((4, 4), dtype="u1"), chunks=(2, 2))
    store.close()

    with zarrcore.open(str(path), mode="r+") as ours:
        array = ours["a"]
        assert isinstance(array, zarrcore.Array)
        array[1:3, 1:3] = 7
        ours.attrs["edited"] = True

    with zipfile.ZipFile(path) as archive:
        names = archive.namelist()
    assert len(names) == len(set(names))
    expected = np.zeros((4, 4), dtype="u1")
    expected[1:3, 1:3] = 7
    reader = _zarr_zip(path, mode="r")
    try:
        group = zarr.open_group(store=reader, mode="r")
        np.testing.assert_array_equal(group["a"][...], expected)
        assert group.attrs["edited"] is True
    finally:
        reader.close()


@pytest.mark.parametrize("backend", sorted(BACKENDS))
def test_consolidated_hierarchy_from_zarr2_opens_with_one_metadata_read(
    tmp_path: Path, backend: str
) -> None:
    file_name, zarr_opener, url_of = BACKENDS[backend]
    path = tmp_path / file_name
    store = zarr_opener(path)
    _write_with_zarr(store)
    # zarr 2.18's SQLiteStore.keys() shares one cursor with __getitem__, so consolidating
    # in place stops after the first key; consolidate a copy and store its .zmetadata
    copy = zarr.MemoryStore()
    copy.update({key: store[key] for key in list(store)})
    zarr.consolidate_metadata(copy)
    store[".zmetadata"] = copy[".zmetadata"]
    store.close()

    counting = CountingStore(zarrcore.open_store(url_of(path), mode="r"))
    root = zarrcore.open_consolidated(counting)
    try:
        assert dict(root.attrs) == ATTRS
        group = root["grp"]
        assert isinstance(group, zarrcore.Group)
        assert [name for name, _ in group.arrays()][:2] == ["delta_zlib", "fixed_bytes"]
        ints = group["ints"]
        assert isinstance(ints, zarrcore.Array)
        # one batched request (it also asks for a v3 zarr.json), no listing
        counts = counting.counts
        assert counts.get("get_many") == 1 and counts.get("get", 0) == 0
        assert counting.listings == 0
        assert ".zmetadata" in counting.keys_read
        np.testing.assert_array_equal(ints[...], CASES[0][1])
    finally:
        root.close()


def test_store_classes_open_by_path_suffix(tmp_path: Path) -> None:
    for name, cls in (("x.zip", ZipStore), ("x.db", SQLiteStore), ("x.sqlite", SQLiteStore)):
        store = zarrcore.open_store(str(tmp_path / name), mode="a")
        try:
            assert isinstance(store, cls)
        finally:
            store.close()
