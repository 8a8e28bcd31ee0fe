"""Committed N5 fixtures (tests/fixture/n5, see generate.py there) read back identically.

These bytes were written once by zarr-python 2.18, tensorstore and an n5-java-style byte
builder; the tests never regenerate them, so they keep guarding the readers after the
reference engines are gone.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import zarrcore

FIXTURES = Path(__file__).resolve().parents[1] / "fixture" / "n5"
SHAPE = (5, 7)


def expected(dtype: str) -> np.ndarray:
    values = (np.arange(35) * 29 % 251).reshape(SHAPE)
    if np.dtype(dtype).kind == "i":
        values = values - 120
    if np.dtype(dtype).kind == "f":
        return (values / 4).astype(dtype)
    return values.astype(dtype)


@pytest.mark.parametrize(
    ("name", "dtype"),
    [
        ("raw", "u1"),
        ("gzip", "i2"),
        ("zlib", "u4"),
        ("bz2", "i8"),
        ("xz", "f4"),
        ("lz4", "f8"),
        ("blosc", "u2"),
    ],
)
def test_zarr2_fixture_reads_back(name: str, dtype: str) -> None:
    root = zarrcore.open_group(str(FIXTURES / "zarr2.n5"), mode="r")
    assert root.attrs["writer"] == "zarr-python 2.18"
    array = root[f"arrays/{name}"]
    assert isinstance(array, zarrcore.Array)
    assert array.dtype == np.dtype(dtype) and array.attrs["dtype"] == dtype
    np.testing.assert_array_equal(array[...], expected(dtype))


@pytest.mark.parametrize(("name", "dtype"), [("gzip", "u2"), ("blosc", "i4")])
def test_tensorstore_fixture_reads_back(name: str, dtype: str) -> None:
    array = zarrcore.open_array(str(FIXTURES / "tensorstore.n5"), path=name)
    np.testing.assert_array_equal(array[...], expected(dtype))


def test_java_style_fixture_reads_back() -> None:
    root = zarrcore.open_group(str(FIXTURES / "java_style.n5"), mode="r")
    assert root.attrs["writer"] == "n5-java style"
    assert [name for name, _ in root.members()] == ["legacy", "volumes"]
    lz4 = root["volumes/lz4"]
    assert lz4.attrs["pixelResolution"] == [4, 4]
    np.testing.assert_array_equal(lz4[...], expected("u2"))
    np.testing.assert_array_equal(root["volumes/gzip_zlib"][...], expected("f4"))
    np.testing.assert_array_equal(root["legacy"][...], expected("i1"))


@pytest.mark.parametrize(
    ("name", "dtype"),
    [
        ("raw", "u1"),
        ("gzip", "i2"),
        ("bzip2", "i8"),
        ("xz", "f4"),
        ("lz4", "f8"),
        ("blosc", "u2"),
        ("zstd", "i4"),
    ],
)
def test_z5py_fixture_reads_back(name: str, dtype: str) -> None:
    root = zarrcore.open_group(str(FIXTURES / "z5py.n5"), mode="r")
    assert dict(root.attrs) == {"writer": "z5py"}
    assert dict(root["grp"].attrs) == {"level": 1}
    array = root[f"grp/{name}"]
    assert isinstance(array, zarrcore.Array)
    assert array.dtype == np.dtype(dtype) and dict(array.attrs) == {"dtype": np.dtype(dtype).name}
    np.testing.assert_array_equal(array[...], expected(dtype))


def test_z5py_lz4_dataset_can_be_rewritten(tmp_path: Path) -> None:
    import shutil

    copy = tmp_path / "z5.n5"
    shutil.copytree(FIXTURES / "z5py.n5", copy)
    array = zarrcore.open_array(str(copy), mode="r+", path="grp/lz4")
    array[0, :] = 1.5  # z5's "blockSize": 6 is a level, not a usable LZ4Block size
    values = expected("f8")
    values[0, :] = 1.5
    np.testing.assert_array_equal(zarrcore.open_array(str(copy), path="grp/lz4")[...], values)
