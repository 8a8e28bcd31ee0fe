"""Committed stores written by zarr-python 3.1.6 (tests/fixture/v3/generate.py) read back
identically, with no reference engine needed: data, fills, attributes, consolidated metadata
and the OME-NGFF 0.5 pyramid."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

import zarrcore
from zarrcore.ome import ome_of
from zarrcore.store.local import DirectoryStore
from zarrcore.store.wrappers import CountingStore

FIXTURE = Path(__file__).parents[2] / "fixture" / "v3"
STORE = FIXTURE / "store"
NAMES = sorted(
    p.name.rsplit(".", 1)[0].replace("__", "/") for p in (FIXTURE / "expected").iterdir()
)


def expected(name: str) -> np.ndarray:
    stem = FIXTURE / "expected" / name.replace("/", "__")
    if stem.with_suffix(".npy").exists():
        return np.asarray(np.load(stem.with_suffix(".npy"), allow_pickle=False))
    payload = json.loads(stem.with_suffix(".json").read_text())
    items = payload["items"]
    if payload["kind"] == "bytes":
        items = [bytes.fromhex(x) for x in items]
    out = np.empty(len(items), dtype=object)
    out[:] = items
    return out.reshape(payload["shape"])


def test_fixture_is_present() -> None:
    assert len(NAMES) >= 15, NAMES


@pytest.mark.parametrize("name", NAMES)
def test_fixture_arrays_read_identically(name: str) -> None:
    want = expected(name)
    got = zarrcore.open_array(STORE, path=name)[...]
    assert got.shape == want.shape
    if want.dtype.hasobject:
        assert got.tolist() == want.tolist()
    else:
        assert got.dtype == want.dtype.newbyteorder("=")
        assert got.tobytes() == want.astype(got.dtype).tobytes()


def test_fixture_through_consolidated_metadata() -> None:
    store = CountingStore(DirectoryStore(STORE, read_only=True))
    group = zarrcore.open_consolidated(store)
    assert group.attrs["title"] == "fixture"
    assert group["dims"].attrs["units"] == "counts"
    assert group["dims"].dimension_names == ("y", "x")
    assert store.listings == 0
    assert zarrcore.check_consolidated(STORE).up_to_date


def test_fixture_ome_pyramid() -> None:
    ome = ome_of(zarrcore.open_group(STORE, path="ome", mode="r"))
    assert ome is not None and ome.image is not None
    assert ome.image.paths == ("0", "1") and ome.image.yx_axes == (1, 2)
    assert ome.image.scale_factors()[1] == (1.0, 2.0, 2.0)
    first = ome.channel(0)
    assert first is not None and first.color == (255, 0, 0)
    assert first.window is not None and first.window.end == 300
