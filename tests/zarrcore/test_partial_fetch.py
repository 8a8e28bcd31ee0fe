"""Ranged reads of blosc chunks fetch the block table and the needed blocks, nothing more."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numcodecs
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import zarrcore
from zarrcore import partial_fetch
from zarrcore.codecs import blosc_partial
from zarrcore.errors import CorruptChunkError
from zarrcore.store.base import ByteRange


def _volume(shape: tuple[int, ...], dtype: str = "<u2") -> np.ndarray:
    rng = np.random.default_rng(11)
    walk = np.cumsum(rng.integers(-2, 3, size=int(np.prod(shape)))) // 3
    return (walk % 1000).astype(dtype).reshape(shape)


def _write(path: Path, data: np.ndarray, chunks: tuple[int, ...], **options: Any) -> None:
    root = zarrcore.open_group(str(path), mode="w")
    options.setdefault("compressor", numcodecs.Blosc("zstd", clevel=3, shuffle=1, blocksize=8192))
    root.create_array("a", data=data, chunks=chunks, **options)


def _recording_array(path: Path) -> tuple[zarrcore.Array, list[ByteRange]]:
    store = zarrcore.open_store(str(path))
    requests: list[ByteRange] = []
    real = store.get_ranges

    def get_ranges(reqs: Any) -> Any:
        requests.extend(reqs)
        return real(reqs)

    store.get_ranges = get_ranges  # type: ignore[method-assign]
    node = zarrcore.open(store, mode="r")
    assert isinstance(node, zarrcore.Group)
    arr = node["a"]
    assert isinstance(arr, zarrcore.Array)
    return arr, requests


def test_plane_of_thick_chunks_reads_a_small_part_of_each(tmp_path: Path) -> None:
    data = _volume((32, 64, 96))
    _write(tmp_path / "g.zarr", data, (32, 32, 48))
    arr, requests = _recording_array(tmp_path / "g.zarr")
    np.testing.assert_array_equal(arr[9], data[9])
    chunk_files = sorted((tmp_path / "g.zarr" / "a").glob("0.*"))
    stored = sum(f.stat().st_size for f in chunk_files)
    assert len(chunk_files) == 4
    assert len(requests) == 8  # one table read and one block read per chunk
    assert sum(r.length or 0 for r in requests) < stored / 8


@pytest.mark.parametrize("order", ["C", "F"])
def test_ranged_selections_equal_numpy(tmp_path: Path, order: str) -> None:
    data = _volume((20, 40, 30), "<i4")
    _write(tmp_path / "g.zarr", data, (20, 20, 30), order=order)
    arr = zarrcore.open_array(str(tmp_path / "g.zarr" / "a"))
    for sel in [
        3,
        (19, slice(5, 35, 2)),
        (slice(4, 6), 7),
        (slice(None), slice(None), 29),
        (0, 0, slice(0, 30, 7)),
    ]:
        np.testing.assert_array_equal(arr[sel], data[sel], err_msg=str(sel))


def test_missing_chunks_read_as_fill(tmp_path: Path) -> None:
    root = zarrcore.open_group(str(tmp_path / "g.zarr"), mode="w")
    arr = root.create_array(
        "a",
        shape=(16, 32, 32),
        chunks=(16, 16, 32),
        dtype="<u2",
        fill_value=7,
        compressor=numcodecs.Blosc("zstd", blocksize=1024),
    )
    arr[:, :16] = _volume((16, 16, 32))
    got = zarrcore.open_array(str(tmp_path / "g.zarr" / "a"))[5]
    np.testing.assert_array_equal(got[:16], _volume((16, 16, 32))[5])
    assert (got[16:] == 7).all()


def test_flat_chunk_files_under_slash_metadata_are_found(tmp_path: Path) -> None:
    data = _volume((16, 32, 32))
    path = tmp_path / "g.zarr"
    _write(path, data, (16, 16, 16), dimension_separator="/")
    array_dir = path / "a"
    for nested in sorted(array_dir.glob("*/*/*")):
        flat = array_dir / ".".join(nested.relative_to(array_dir).parts)
        nested.rename(flat)
    np.testing.assert_array_equal(zarrcore.open_array(str(array_dir))[3], data[3])


def test_block_table_longer_than_first_guess(tmp_path: Path) -> None:
    data = _volume((64, 64, 64))  # 512 KiB chunk in 256-byte blocks: a 8 KiB table
    _write(
        tmp_path / "g.zarr",
        data,
        (64, 64, 64),
        compressor=numcodecs.Blosc("zstd", clevel=1, shuffle=1, blocksize=256),
    )
    arr, requests = _recording_array(tmp_path / "g.zarr")
    assert blosc_partial.table_nbytes(
        blosc_partial.read_header((tmp_path / "g.zarr" / "a" / "0.0.0").read_bytes())
    ) > partial_fetch._prefix_nbytes(64 * 64 * 64 * 2)
    np.testing.assert_array_equal(arr[40], data[40])
    assert len(requests) == 3


def test_truncated_chunk_is_corrupt_with_key(tmp_path: Path) -> None:
    data = _volume((32, 32, 32))
    path = tmp_path / "g.zarr"
    _write(path, data, (32, 32, 32))
    chunk = path / "a" / "0.0.0"
    chunk.write_bytes(chunk.read_bytes()[:5000])
    with pytest.raises(CorruptChunkError) as info:
        zarrcore.open_array(str(path / "a"))[30]
    assert info.value.key is not None and info.value.key.endswith("0.0.0")


def test_memcpyed_chunks_are_sliced(tmp_path: Path) -> None:
    data = np.random.default_rng(3).integers(0, 2**16, size=(16, 32, 32), dtype=np.uint16)
    path = tmp_path / "g.zarr"
    _write(path, data, (16, 32, 32), compressor=numcodecs.Blosc("lz4", clevel=0))
    assert blosc_partial.read_header((path / "a" / "0.0.0").read_bytes()).memcpyed
    arr, requests = _recording_array(path)
    np.testing.assert_array_equal(arr[4, 3:9], data[4, 3:9])
    assert requests[-1].length == 6 * 32 * 2


def test_whole_chunk_selections_skip_ranged_reads(tmp_path: Path) -> None:
    data = _volume((16, 32, 32))
    _write(tmp_path / "g.zarr", data, (16, 32, 32))
    arr, requests = _recording_array(tmp_path / "g.zarr")
    np.testing.assert_array_equal(arr[...], data)
    np.testing.assert_array_equal(arr[2:12], data[2:12])  # more than a quarter of the chunk
    assert requests == []


@pytest.fixture(scope="module")
def thick_arrays(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    data = _volume((24, 20, 36), "<u2")
    path = tmp_path_factory.mktemp("thick") / "g.zarr"
    root = zarrcore.open_group(str(path), mode="w")
    for order in ("C", "F"):
        root.create_array(
            order,
            data=data,
            chunks=(12, 20, 18),
            order=order,
            compressor=numcodecs.Blosc("zstd", clevel=1, shuffle=2, blocksize=512),
        )
    return {"data": data, "C": root["C"], "F": root["F"]}


def _axis_selection(draw: Any, size: int) -> int | slice:
    if draw(st.booleans()):
        return draw(st.integers(-size, size - 1))
    start = draw(st.integers(0, size))
    stop = draw(st.integers(start, size))
    return slice(start, stop, draw(st.integers(1, 4)))


@settings(max_examples=120, deadline=None)
@given(data=st.data(), order=st.sampled_from(["C", "F"]))
def test_random_selections_equal_numpy(thick_arrays: dict[str, Any], data: Any, order: str) -> None:
    expected = thick_arrays["data"]
    sel = tuple(_axis_selection(data.draw, size) for size in expected.shape)
    np.testing.assert_array_equal(thick_arrays[order][sel], expected[sel], err_msg=str(sel))


def test_remote_stores_use_ranged_reads_only_for_big_chunks(tmp_path: Path) -> None:
    _write(tmp_path / "small.zarr", _volume((16, 32, 32)), (16, 32, 32))
    arr = zarrcore.open_array(str(tmp_path / "small.zarr" / "a"))
    target = arr.target()
    assert partial_fetch.wants_ranged(target)
    store_type = type(target.store)
    remote = type("RemoteLike", (store_type,), {"is_remote": True})
    target.store.__class__ = remote
    try:
        assert not partial_fetch.wants_ranged(target)  # 16 KiB chunks: one round trip wins
        big = np.zeros((64, 256, 256), dtype="<u2")  # 8 MiB chunks: two small rounds win
        _write(tmp_path / "big.zarr", big, (64, 256, 256))
        big_arr = zarrcore.open_array(str(tmp_path / "big.zarr" / "a"))
        big_target = big_arr.target()
        big_target.store.__class__ = remote
        assert partial_fetch.wants_ranged(big_target)
    finally:
        target.store.__class__ = store_type
