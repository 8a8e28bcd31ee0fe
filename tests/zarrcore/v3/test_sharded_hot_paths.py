"""Sharded reads through the hot paths on a local directory: inner chunks decoded straight
into the output (one contiguous run of it) or through the per-thread scratch buffer (cut or
stepped), several shards streamed to the decode threads, a whole 1 MiB shard whose inner
chunks fan out, sparse shards (missing shards, missing and partial inner chunks), index at
start and end, big-endian and nested chains that take the general path. Compared with numpy.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import zarrcore
from zarrcore.codecs import blosc_fast, direct_decode

SHAPE = (700, 530)
SHARD = (512, 256)
INNER = (64, 64)
FILL = -1.5
LE = {"name": "bytes", "configuration": {"endian": "little"}}
BE = {"name": "bytes", "configuration": {"endian": "big"}}
BLOSC = {
    "name": "blosc",
    "configuration": {
        "cname": "lz4",
        "clevel": 3,
        "shuffle": "shuffle",
        "typesize": 8,
        "blocksize": 0,
    },
}


def sharding(inner: tuple[int, ...], codecs: list[Any], location: str = "end") -> dict[str, Any]:
    return {
        "name": "sharding_indexed",
        "configuration": {
            "chunk_shape": list(inner),
            "codecs": codecs,
            "index_codecs": [LE, {"name": "crc32c"}],
            "index_location": location,
        },
    }


CHAINS: dict[str, list[dict[str, Any]]] = {
    "blosc_end": [sharding(INNER, [LE, BLOSC])],
    "blosc_start": [sharding(INNER, [LE, BLOSC], "start")],
    "big_endian": [sharding(INNER, [BE, BLOSC])],
    "transpose_inside": [
        sharding(INNER, [{"name": "transpose", "configuration": {"order": [1, 0]}}, LE, BLOSC])
    ],
    "nested": [sharding(INNER, [sharding((32, 64), [LE, BLOSC], "start")])],
}

SELECTIONS: list[tuple[Any, ...]] = [
    (...,),
    (slice(0, 512), slice(0, 256)),  # one whole shard: its inner chunks on several threads
    (slice(0, 512), slice(64, 128)),  # one column of inner chunks: straight into the output
    (slice(1, 511), slice(1, 255)),  # the shard cut by one element: scratch at the edges
    (slice(3, 700, 3), slice(5, 530, 7)),  # stepped across every shard
    (slice(100, 650), slice(30, 500)),  # several shards, partial inner chunks
    (345, slice(None)),  # one row
    (slice(None), 257),  # one column
    (slice(690, 700), slice(520, 530)),  # the partial edge shard only
    (slice(520, 600), slice(0, 100)),  # a shard that was never written: fill only
]


def islands(data: np.ndarray) -> list[tuple[slice, ...]]:
    """Three written boxes: whole and partial inner chunks, some shards left empty."""
    return [
        tuple(slice(k * s // 3 + 5, k * s // 3 + 5 + s // 5) for s in data.shape) for k in range(3)
    ]


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, np.ndarray]:
    root = tmp_path_factory.mktemp("hot") / "g.zarr"
    group = zarrcore.open_group(str(root), mode="w", zarr_format=3)
    rng = np.random.default_rng(5)
    values = rng.standard_normal(SHAPE)
    values[::97, ::89] = np.nan
    want = np.full(SHAPE, FILL)
    for box in islands(want):
        want[box] = values[box]
    for name, codecs in CHAINS.items():
        arr = group.create_array(
            name, shape=SHAPE, chunks=SHARD, dtype="<f8", fill_value=FILL, codecs=codecs
        )
        for box in islands(want):
            arr[box] = values[box]
    group.close()
    return root, want


@pytest.mark.parametrize("chain", list(CHAINS))
def test_sharded_reads_match_numpy(
    chain: str, written: tuple[Path, np.ndarray], monkeypatch: pytest.MonkeyPatch
) -> None:
    root, want = written
    calls = {"direct": 0}
    real_into = direct_decode.DirectDecoder.into

    def counting_into(self: direct_decode.DirectDecoder, data: memoryview, target: int) -> bool:
        calls["direct"] += 1
        return real_into(self, data, target)

    monkeypatch.setattr(direct_decode.DirectDecoder, "into", counting_into)
    arr = zarrcore.open_array(str(root / chain), mode="r")
    for sel in SELECTIONS:
        got = arr[sel]
        np.testing.assert_array_equal(got, want[sel], err_msg=f"{chain} {sel}")
    if chain.startswith("blosc") and blosc_fast.available():
        assert calls["direct"] > 0  # the fast path was the one checked
    elif chain in ("big_endian", "nested"):
        assert calls["direct"] == 0


def test_concurrent_sharded_reads_keep_their_own_scratch(
    written: tuple[Path, np.ndarray],
) -> None:
    # the scratch buffer is per thread: readers on several threads (the app's workers) with
    # cut selections must not see each other's inner chunks
    root, want = written
    arr = zarrcore.open_array(str(root / "blosc_end"), mode="r")
    errors: list[str] = []

    def reader(offset: int) -> None:
        for i in range(6):
            sel = (slice(offset + i, 600, 3), slice(1 + i, 520 - offset))
            if not np.array_equal(arr[sel], want[sel], equal_nan=True):
                errors.append(f"{offset} {sel}")

    threads = [threading.Thread(target=reader, args=(k,)) for k in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
