"""Committed zip and SQLite files written by zarr-python 2.18.7 (tests/fixture/v2_files/
generate.py) read back identically through zarrcore: data, fills of missing chunks,
attributes, the last of duplicate zip members, and consolidated metadata."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import numpy as np
import pytest

import zarrcore
from zarrcore.store.zip import ZipStore
from zarrcore.testing.samples import dtype_cases, safe_name

FIXTURE = Path(__file__).parents[2] / "fixture" / "v2_files"
SHAPE = (4, 3)
CASES = {safe_name(case.name): case for case in dtype_cases()}
FILES = {"zip": str(FIXTURE / "data.zip"), "sqlite": f"sqlite:///{FIXTURE / 'data.db'}"}


def _assert_identical(actual: np.ndarray, expected: np.ndarray) -> None:
    assert actual.dtype == expected.dtype and actual.shape == expected.shape
    if expected.dtype.hasobject:
        for got, want in zip(actual.flat, expected.flat, strict=True):
            if isinstance(want, np.ndarray):
                np.testing.assert_array_equal(got, want)
            else:
                assert got == want
    else:
        assert actual.tobytes() == expected.tobytes()


def _expected(name: str) -> np.ndarray:
    path = FIXTURE / "expected" / f"{name}.npy"
    if path.exists():
        return np.load(path, allow_pickle=False)
    return CASES[name].make(SHAPE)


@pytest.fixture(scope="module", params=sorted(FILES))
def root(request: pytest.FixtureRequest) -> zarrcore.Group:
    group = zarrcore.open_group(FILES[request.param], mode="r")
    request.addfinalizer(group.close)
    return group


def test_attributes_and_members_read_back(root: zarrcore.Group) -> None:
    assert dict(root.attrs) == {"title": "zarr2 files", "nested": {"a": [1, 2]}}
    assert [name for name, _ in root.members()] == ["dtypes", "missing"]
    dtypes = root["dtypes"]
    assert isinstance(dtypes, zarrcore.Group)
    assert sorted(name for name, _ in dtypes.arrays()) == sorted(CASES)


@pytest.mark.parametrize("name", sorted(CASES))
def test_every_dtype_reads_identically(root: zarrcore.Group, name: str) -> None:
    array = root[f"dtypes/{name}"]
    assert isinstance(array, zarrcore.Array)
    assert array.attrs["case"] == CASES[name].name
    _assert_identical(array[...], _expected(name))


def test_missing_chunks_are_fill_and_last_duplicate_wins(root: zarrcore.Group) -> None:
    array = root["missing"]
    assert isinstance(array, zarrcore.Array)
    expected = np.load(FIXTURE / "expected" / "missing.npy")
    assert expected[0, 0] == 5 and expected[3, 3] == -1
    _assert_identical(array[...], expected)


@pytest.mark.parametrize("kind", sorted(FILES))
def test_consolidated_metadata_opens(kind: str) -> None:
    group = zarrcore.open_consolidated(FILES[kind])
    try:
        array = group["missing"]
        assert isinstance(array, zarrcore.Array)
        _assert_identical(array[...], np.load(FIXTURE / "expected" / "missing.npy"))
    finally:
        group.close()


def test_rewriting_the_fixture_zip_compacts_its_duplicates(tmp_path: Path) -> None:
    path = tmp_path / "copy.zip"
    shutil.copyfile(FIXTURE / "data.zip", path)
    with zipfile.ZipFile(path) as archive:
        before = archive.namelist()
    assert len(before) > len(set(before))
    with ZipStore(path) as store:
        store.set("extra", b"1")
    with zipfile.ZipFile(path) as archive:
        after = archive.namelist()
    assert sorted(after) == sorted(set(before) | {"extra"})
    with zarrcore.open_group(str(path), mode="r") as group:
        array = group["missing"]
        assert isinstance(array, zarrcore.Array)
        assert array[0, 0] == 5
