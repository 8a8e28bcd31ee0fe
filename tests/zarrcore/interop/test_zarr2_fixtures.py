"""Committed stores written by zarr-python 2.18.7 (tests/fixture/v2/generate.py) read back
identically: data, fill values of missing chunks, attributes and consolidated metadata."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

import zarrcore
from zarrcore.testing.samples import codec_cases, codec_data, dtype_cases, safe_name

FIXTURE = Path(__file__).parents[2] / "fixture" / "v2"
SHAPE = (4, 3)
LAYOUTS = ["flat", "nested", "legacy_nested"]
DTYPES = {safe_name(c.name): c for c in dtype_cases()}


def expected_for(layout: str, group: str, name: str) -> np.ndarray | None:
    source = "nested" if layout == "legacy_nested" else layout
    path = FIXTURE / "expected" / source / group / f"{name}.npy"
    return np.load(path, allow_pickle=False) if path.exists() else None


def assert_identical(actual: np.ndarray, expected: np.ndarray) -> None:
    assert actual.dtype == expected.dtype and actual.shape == expected.shape
    if expected.dtype.hasobject:
        for got, want in zip(actual.flat, expected.flat, strict=True):
            if isinstance(want, np.ndarray):
                np.testing.assert_array_equal(got, want)
            else:
                assert got == want
    else:
        assert actual.tobytes() == expected.tobytes()


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("name", sorted(DTYPES))
def test_dtype_fixtures_read_identically(layout: str, name: str) -> None:
    arr = zarrcore.open_array(str(FIXTURE / layout), path=f"dtypes/{name}")
    case = DTYPES[name]
    assert arr.attrs["case"] == case.name
    expected = expected_for(layout, "dtypes", name)
    assert_identical(arr[...], expected if expected is not None else case.make(SHAPE))


@pytest.mark.parametrize("name", [c.name for c in codec_cases()])
def test_codec_fixtures_read_identically(name: str) -> None:
    arr = zarrcore.open_array(str(FIXTURE / "flat"), path=f"codecs/{name}")
    expected = expected_for("flat", "codecs", name)
    if expected is None:
        expected = codec_data(str(arr.dtype.str), SHAPE)
    assert_identical(arr[...], expected)


@pytest.mark.parametrize("layout", LAYOUTS)
def test_missing_chunks_and_attributes(layout: str) -> None:
    root = zarrcore.open_group(str(FIXTURE / layout), mode="r")
    source = "nested" if layout == "legacy_nested" else layout
    assert root.attrs["title"] == f"zarr2 {source}"
    assert math.isnan(root.attrs["nan"])
    assert root.attrs["nested"] == {"a": [1, 2]}
    missing = root["missing"]
    assert missing.chunk_info((1, 1)).stored is False
    assert_identical(missing[...], expected_for(layout, "", "missing"))


@pytest.mark.parametrize("layout", ["flat", "nested"])
def test_consolidated_fixture_is_current_and_opens(layout: str) -> None:
    report = zarrcore.check_consolidated(str(FIXTURE / layout))
    assert report.up_to_date, report
    root = zarrcore.open_consolidated(str(FIXTURE / layout))
    assert root.group_keys() == (["codecs", "dtypes"] if layout == "flat" else ["dtypes"])
    assert len(root["dtypes"].arrays()) == len(DTYPES)
