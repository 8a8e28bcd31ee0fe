"""Chunk map: geometry of the slice grid, states of a known array, sharded and N5 arrays."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import zarr

from app.models.chunk_map import (
    ERROR,
    FILL,
    MISSING,
    STORED,
    SliceGeometry,
    array_storage_summary,
    check_fill,
    compute_chunk_map,
    inspect_chunk,
    levels_of,
)
from zarrcore.array import Array
from zarrcore.errors import CancelledError
from zarrcore.metadata.formats import StoreSource, new_array_metadata, read_node
from zarrcore.store.base import Store
from zarrcore.store.local import DirectoryStore
from zarrcore.store.memory import MemoryStore
from zarrcore.store.wrappers import CountingStore
from zarrcore.url import open_store


def _open(store: Store, path: str = "", mode: str = "r") -> Array:
    return Array(StoreSource(store), path, read_node(store, path), mode=mode)  # type: ignore[arg-type]


def test_geometry_of_a_3d_slice() -> None:
    geo = SliceGeometry((5, 10, 12), (2, 4, 5), row_axis=1, col_axis=2, indices=(3, 0, 0))
    assert (geo.n_rows, geo.n_cols) == (3, 3)
    assert geo.coords(2, 1) == (1, 2, 1)
    assert geo.cell_extent(2, 2) == (8, 10, 10, 12)
    assert geo.region((1, 2, 1)) == (slice(2, 4), slice(8, 10), slice(5, 10))


def test_geometry_with_swapped_axes() -> None:
    geo = SliceGeometry((5, 10, 12), (2, 4, 5), row_axis=2, col_axis=0, indices=(0, 9, 0))
    assert (geo.n_rows, geo.n_cols) == (3, 3)
    assert geo.coords(1, 2) == (2, 2, 1)


def test_geometry_rejects_same_axis_twice() -> None:
    with pytest.raises(ValueError, match="differ"):
        SliceGeometry((4, 4), (2, 2), 0, 0, (0, 0))


@pytest.fixture
def known_array(tmp_path: Path) -> Path:
    """(2, 8, 9) float32, chunks (1, 4, 3), fill NaN; slice 0 has 2x3 chunks:
    row 0: stored data, stored all-NaN, missing; row 1: missing, stored data, corrupt."""
    path = tmp_path / "a.zarr"
    arr = zarr.open_array(
        str(path), mode="w", shape=(2, 8, 9), chunks=(1, 4, 3), dtype="f4", fill_value=np.nan
    )
    arr[0, 0:4, 0:3] = 1.5
    arr[0, 0:4, 3:6] = np.nan  # zarr 2.18 writes empty chunks: stored but all fill
    arr[0, 4:8, 3:6] = np.arange(12, dtype="f4").reshape(4, 3)
    arr[0, 4:8, 6:9] = 2.0
    (path / "0.1.2").write_bytes(b"this is not a blosc frame")
    arr[1, :, :] = 7.0
    return path


def test_states_of_a_known_array(known_array: Path) -> None:
    array = _open(DirectoryStore(known_array, read_only=True))
    chunk_map = compute_chunk_map(array, 1, 2, (0, 0, 0))
    assert (chunk_map.geometry.n_rows, chunk_map.geometry.n_cols) == (2, 3)
    states = [[chunk_map.cell(r, c).state for c in range(3)] for r in range(2)]
    # the size queries alone cannot see fill-only or corrupt content
    assert states == [[STORED, STORED, MISSING], [MISSING, STORED, STORED]]
    assert chunk_map.cell(0, 0).key == "0.0.0"
    assert chunk_map.cell(1, 2).nbytes == len(b"this is not a blosc frame")
    check_fill(array, chunk_map)
    states = [[chunk_map.cell(r, c).state for c in range(3)] for r in range(2)]
    assert states == [[STORED, FILL, MISSING], [MISSING, STORED, ERROR]]
    assert "0.1.2" in chunk_map.cell(1, 2).error
    summary = chunk_map.summary()
    assert (summary.n_stored, summary.n_total, summary.n_fill, summary.n_error) == (3, 6, 1, 1)
    assert summary.decoded_nbytes == 3 * 4 * 3 * 4
    assert "3 of 6 chunks stored" in summary.text()


def test_other_index_picks_other_chunks(known_array: Path) -> None:
    array = _open(DirectoryStore(known_array, read_only=True))
    chunk_map = compute_chunk_map(array, 1, 2, (1, 0, 0))
    assert chunk_map.counts()[STORED] == 6
    assert chunk_map.cell(0, 0).coords == (1, 0, 0)


def test_chunk_map_does_not_decode(known_array: Path) -> None:
    counting = CountingStore(DirectoryStore(known_array, read_only=True))
    array = _open(counting)
    counting.reset()
    compute_chunk_map(array, 1, 2, (0, 0, 0))
    counts = counting.counts
    assert counts.get("get", 0) == 0 and counts.get("get_many_keys", 0) == 0
    assert counts["getsize"] >= 6


def test_inspect_chunk_times_fetch_and_decode(known_array: Path) -> None:
    array = _open(DirectoryStore(known_array, read_only=True))
    chunk_map = compute_chunk_map(array, 1, 2, (0, 0, 0))
    detail = inspect_chunk(array, chunk_map, chunk_map.cell(0, 0))
    assert detail.key == "0.0.0" and detail.error == ""
    assert detail.fetch_s is not None and detail.decode_s is not None
    assert detail.decoded_nbytes == 48
    assert detail.codec_chain and detail.codec_chain[0]["id"] == "blosc"
    broken = inspect_chunk(array, chunk_map, chunk_map.cell(1, 2))
    assert broken.error


def test_array_storage_summary(known_array: Path) -> None:
    array = _open(DirectoryStore(known_array, read_only=True))
    summary = array_storage_summary(array)
    assert (summary.n_stored, summary.n_total) == (4 + 6, 12)
    assert summary.largest is not None and summary.smallest is not None
    assert summary.smallest[1] <= summary.largest[1]


def test_cancel_stops_the_map(known_array: Path) -> None:
    array = _open(DirectoryStore(known_array, read_only=True))
    with pytest.raises(CancelledError):
        compute_chunk_map(array, 1, 2, (0, 0, 0), cancelled=lambda: True)


def _sharded() -> Array:
    store = MemoryStore()
    meta = new_array_metadata(
        3, shape=(8, 8), chunks=(2, 2), dtype="u2", fill_value=0, shards=(4, 4)
    )
    for key, value in meta.to_documents().items():
        store.set(key, value)
    array = _open(store, mode="a")
    array[0:2, 0:2] = 5  # shard (0,0), inner (0,0) only
    array[4:8, 4:8] = np.arange(16, dtype="u2").reshape(4, 4) + 1  # shard (1,1) full
    return _open(store)


def test_sharded_array_has_shard_and_inner_levels() -> None:
    array = _sharded()
    assert levels_of(array) == ("shard", "inner")
    shards = compute_chunk_map(array, 0, 1, (0, 0))
    assert [c.state for c in shards.cells] == [STORED, MISSING, MISSING, STORED]
    inner = compute_chunk_map(array, 0, 1, (0, 0), level="inner")
    assert (inner.geometry.n_rows, inner.geometry.n_cols) == (4, 4)
    states = [inner.cell(r, c).state for r in range(4) for c in range(4)]
    stored = {(r, c) for r in range(4) for c in range(4) if inner.cell(r, c).state == STORED}
    assert stored == {(0, 0), (2, 2), (2, 3), (3, 2), (3, 3)}
    assert states.count(MISSING) == 11
    cell = inner.cell(2, 3)
    assert cell.inner == (0, 1) and cell.key == "c/1/1"
    assert cell.nbytes and cell.label == "c/1/1 [inner 0, 1]"
    detail = inspect_chunk(array, inner, cell)
    assert detail.error == "" and detail.fetch_s is not None


# zarr-python 2.18 deprecates its N5Store (zarr-python#1274); it is our N5 reference writer
@pytest.mark.filterwarnings("ignore:The N5Store is deprecated:FutureWarning")
def test_n5_array_chunk_map(tmp_path: Path) -> None:
    path = tmp_path / "d.n5"
    store_n5 = zarr.N5Store(str(path))
    arr = zarr.open_array(store_n5, mode="w", shape=(6, 6), chunks=(3, 3), dtype="i4", fill_value=0)
    arr[0:3, 0:3] = 1
    arr[3:6, 3:6] = 2
    array = _open(open_store(str(path)))
    chunk_map = compute_chunk_map(array, 0, 1, (0, 0))
    assert [c.state for c in chunk_map.cells] == [STORED, MISSING, MISSING, STORED]
