"""zarr v3 ``bytes`` + ``blosc`` chunks: partial reads decode only the blosc blocks needed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

import zarrcore
from zarrcore.store.base import ByteRange
from zarrcore.testing.refengine import run_ref


def _blosc(blocksize: int = 8192) -> dict[str, Any]:
    config = {"typesize": 2, "cname": "zstd", "clevel": 3, "shuffle": "shuffle"}
    return {"name": "blosc", "configuration": {**config, "blocksize": blocksize}}


def _volume() -> np.ndarray:
    rng = np.random.default_rng(5)
    walk = np.cumsum(rng.integers(-2, 3, size=24 * 32 * 40)) // 3
    return (walk % 900).astype("<u2").reshape(24, 32, 40)


def _write(path: Path, codecs: list[dict[str, Any]]) -> np.ndarray:
    data = _volume()
    root = zarrcore.open_group(str(path), mode="w", zarr_format=3)
    root.create_array("a", data=data, chunks=(24, 16, 40), codecs=codecs)
    return data


def _recording(path: Path) -> tuple[Any, list[ByteRange]]:
    store = zarrcore.open_store(str(path))
    requests: list[ByteRange] = []
    real = store.get_ranges

    def get_ranges(reqs: Any) -> Any:
        requests.extend(reqs)
        return real(reqs)

    store.get_ranges = get_ranges  # type: ignore[method-assign]
    node = zarrcore.open(store, mode="r")
    assert isinstance(node, zarrcore.Group)
    return node["a"], requests


@pytest.mark.parametrize("endian", ["little", "big"])
def test_planes_use_ranged_reads_and_match(tmp_path: Path, endian: str) -> None:
    codecs = [{"name": "bytes", "configuration": {"endian": endian}}, _blosc()]
    data = _write(tmp_path / "g.zarr", codecs)
    arr, requests = _recording(tmp_path / "g.zarr")
    np.testing.assert_array_equal(arr[7], data[7])
    assert len(requests) == 4  # table + blocks for each of the 2 chunks of frame 7
    for sel in [(slice(None), 3), (20, slice(4, 30, 3), slice(1, 39, 2)), (slice(2, 4),)]:
        got = arr[sel]
        np.testing.assert_array_equal(got, data[sel], err_msg=str(sel))
        assert got.dtype == np.dtype("uint16")
    np.testing.assert_array_equal(arr[...], data)


def test_checksummed_chunks_are_read_whole(tmp_path: Path) -> None:
    little = {"name": "bytes", "configuration": {"endian": "little"}}
    codecs = [little, _blosc(), {"name": "crc32c"}]
    data = _write(tmp_path / "g.zarr", codecs)
    arr, requests = _recording(tmp_path / "g.zarr")
    np.testing.assert_array_equal(arr[7], data[7])
    assert requests == []


@pytest.mark.interop
def test_reads_blosc_chunks_written_by_zarr_python_3(tmp_path: Path) -> None:
    path = tmp_path / "z3.zarr"
    data = _volume()
    np.save(tmp_path / "data.npy", data)
    run_ref(
        """
import numpy as np, zarr
from zarr.codecs import BloscCodec, BytesCodec
data = np.load(args["npy"])
arr = zarr.create_array(args["path"], shape=data.shape, chunks=(24, 16, 40), dtype="uint16",
    serializer=BytesCodec(endian="big"),
    compressors=[BloscCodec(cname="lz4", clevel=5, shuffle="bitshuffle", blocksize=1024)])
arr[...] = data
""",
        path=str(path),
        npy=str(tmp_path / "data.npy"),
    )
    arr = zarrcore.open_array(str(path))
    for sel in [0, 11, (23, slice(0, 32, 5)), (slice(None), slice(None), 39)]:
        np.testing.assert_array_equal(arr[sel], data[sel], err_msg=str(sel))
