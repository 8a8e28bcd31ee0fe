"""Reads that decode only some blosc blocks return exactly what full decodes return."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numcodecs
import numpy as np
import pytest

import zarrcore
from zarrcore.codecs import blosc_partial


def _volume(shape: tuple[int, ...], dtype: str) -> np.ndarray:
    rng = np.random.default_rng(7)
    walk = np.cumsum(rng.integers(-2, 3, size=int(np.prod(shape)))) // 3
    return (walk % 1000).astype(dtype).reshape(shape)


@pytest.fixture
def spy(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Records the plan of every decode that skipped blocks (ranged read or fetched chunk)."""
    calls: list[Any] = []
    real = blosc_partial.decode_planned

    def recording(table: Any, plan: Any, *args: Any, **kwargs: Any) -> Any:
        if not plan.whole:
            calls.append(plan)
        return real(table, plan, *args, **kwargs)

    monkeypatch.setattr(blosc_partial, "decode_planned", recording)
    return calls


@pytest.mark.parametrize(
    ("dtype", "shuffle", "order"),
    [
        ("<u2", 0, "C"),
        ("<u2", 1, "F"),
        ("<u2", 2, "C"),
        (">f4", 1, "C"),
        (">f4", 2, "F"),
        ("|u1", 0, "F"),
        ("|u1", 2, "C"),
        ("<i8", 1, "C"),
        ("<i8", 0, "F"),
    ],
)
def test_partial_reads_equal_full_reads(
    tmp_path: Path, spy: list[Any], order: str, shuffle: int, dtype: str
) -> None:
    data = _volume((24, 64, 48), dtype)
    root = zarrcore.open_group(str(tmp_path / "g.zarr"), mode="w")
    # zstd keeps small forced blocks for every typesize (lz4 splits and enlarges them)
    compressor = numcodecs.Blosc(cname="zstd", clevel=3, shuffle=shuffle, blocksize=2048)
    root.create_array("a", data=data, chunks=(16, 32, 48), compressor=compressor, order=order)
    arr = zarrcore.open_array(str(tmp_path / "g.zarr" / "a"), mode="r")
    selections: list[Any] = [
        5,
        (slice(None), 7),
        (slice(None), slice(None), 3),
        (slice(3, 5), slice(10, 50, 3)),
        (20, slice(30, 40), slice(1, 47, 2)),
        (Ellipsis, 47),
        (slice(15, 17),),
    ]
    for sel in selections:
        np.testing.assert_array_equal(arr[sel], data[sel], err_msg=str(sel))
    np.testing.assert_array_equal(arr[...], data)
    assert spy, "no read used partial decoding"


def test_thick_chunk_plane_decodes_a_fraction_of_blocks(tmp_path: Path, spy: list[Any]) -> None:
    data = _volume((32, 64, 64), "<u2")
    path = str(tmp_path / "a.zarr")
    root = zarrcore.open_group(path, mode="w")
    root.create_array(
        "a",
        data=data,
        chunks=(32, 64, 64),
        compressor=numcodecs.Blosc(cname="zstd", clevel=3, shuffle=1, blocksize=8192),
    )
    arr = zarrcore.open_array(path + "/a", mode="r")
    np.testing.assert_array_equal(arr[11], data[11])
    assert len(spy) == 1


def test_filters_disable_partial_decoding(tmp_path: Path, spy: list[Any]) -> None:
    data = _volume((16, 32, 32), "<i4")
    root = zarrcore.open_group(str(tmp_path / "g.zarr"), mode="w")
    root.create_array(
        "a",
        data=data,
        chunks=(16, 32, 32),
        compressor=numcodecs.Blosc(cname="lz4", blocksize=1024),
        filters=[numcodecs.Delta(dtype="<i4")],
    )
    arr = zarrcore.open_array(str(tmp_path / "g.zarr" / "a"), mode="r")
    np.testing.assert_array_equal(arr[3], data[3])
    assert spy == []


def test_corrupt_block_names_the_key(tmp_path: Path) -> None:
    data = _volume((16, 32, 32), "<u2")
    path = tmp_path / "g.zarr"
    root = zarrcore.open_group(str(path), mode="w")
    root.create_array(
        "a", data=data, chunks=(16, 32, 32), compressor=numcodecs.Blosc("zstd", blocksize=1024)
    )
    chunk_file = path / "a" / "0.0.0"
    blob = bytearray(chunk_file.read_bytes())
    table = blosc_partial.read_block_table(bytes(blob))
    block = 10 * 32 * 32 * 2 // table.header.blocksize  # first block of frame 10
    begin = int(table.starts[block])
    blob[begin + 4 : begin + 64] = b"\xff" * 60
    chunk_file.write_bytes(bytes(blob))
    arr = zarrcore.open_array(str(path / "a"), mode="r")
    with pytest.raises(zarrcore.errors.CorruptChunkError) as info:
        arr[10]
    assert info.value.key is not None and info.value.key.endswith("0.0.0")
