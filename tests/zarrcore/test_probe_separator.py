"""Arrays without ``dimension_separator`` find their layout without listing when they can."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import zarrcore


def _legacy_array(tmp_path: Path, separator: str, *, drop_chunk0: bool = False) -> Path:
    path = tmp_path / "a.zarr"
    root = zarrcore.open_group(str(path), mode="w")
    data = np.arange(64, dtype="<i4").reshape(8, 8)
    root.create_array("a", data=data, chunks=(4, 4), dimension_separator=separator)
    zarray = path / "a" / ".zarray"
    meta = json.loads(zarray.read_text())
    meta.pop("dimension_separator", None)  # as zarr-python 2.18 writes for "." (and pre-2.8)
    zarray.write_text(json.dumps(meta))
    if drop_chunk0:
        (path / "a" / ("0.0" if separator == "." else "0/0")).unlink()
    return path


def _open_counting(path: Path) -> tuple[Any, list[str]]:
    store = zarrcore.open_store(str(path))
    listed: list[str] = []
    real = store.list_dir

    def list_dir(prefix: str) -> list[str]:
        listed.append(prefix)
        return real(prefix)

    store.list_dir = list_dir  # type: ignore[method-assign]
    node = zarrcore.open(store, mode="r")
    assert isinstance(node, zarrcore.Group)
    return node["a"], listed


@pytest.mark.parametrize("separator", [".", "/"])
def test_layout_found_from_chunk_zero_without_listing(tmp_path: Path, separator: str) -> None:
    arr, listed = _open_counting(_legacy_array(tmp_path, separator))
    np.testing.assert_array_equal(arr[...], np.arange(64).reshape(8, 8))
    assert listed == []


@pytest.mark.parametrize("separator", [".", "/"])
def test_missing_chunk_zero_falls_back_to_listing(tmp_path: Path, separator: str) -> None:
    arr, listed = _open_counting(_legacy_array(tmp_path, separator, drop_chunk0=True))
    got = arr[...]
    expected = np.arange(64).reshape(8, 8)
    expected[:4, :4] = 0
    np.testing.assert_array_equal(got, expected)
    assert listed == ["a/"]
