"""zarr-python 3 side of bench/bench_latency.py; runs under the reference interpreter.

Usage: ``<ref python> bench/latency_zarr3.py LATENCY_S REPEAT`` -> one JSON line
``{"seconds": [...], "round_trips": [...], "requests": [...], "version": "..."}``.

It builds the same array as the main script (same shape, chunks, dtype, Blosc lz4, zarr
format 2) in a zarr-python MemoryStore, wraps it in a store whose ``get`` sleeps
``LATENCY_S`` (asyncio) and records when each request started and ended, then times
``arr[i]`` (a 2048x2048 slice over 16 chunks).
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from typing import Any

import numpy as np
import zarr
from numcodecs import Blosc
from zarr.storage import MemoryStore, WrapperStore

SHAPE = (2, 2048, 2048)
CHUNKS = (1, 512, 512)


def round_trips(spans: list[tuple[float, float]]) -> int:
    """Longest chain of requests where each starts after the previous one ended."""
    depth: list[int] = []
    ordered = sorted(spans)
    for i, (start, _end) in enumerate(ordered):
        before = [depth[j] for j in range(i) if ordered[j][1] <= start]
        depth.append(1 + max(before, default=0))
    return max(depth, default=0)


class RecordingLatencyStore(WrapperStore[Any]):
    """Sleeps ``latency_s`` (asyncio) in every ``get`` and records its start and end."""

    def __init__(self, store: Any, latency_s: float, spans: list[tuple[float, float]]) -> None:
        super().__init__(store)
        self.latency_s = latency_s
        self.spans = spans

    def _with_store(self, store: Any) -> RecordingLatencyStore:
        return type(self)(store, self.latency_s, self.spans)

    async def get(self, key: str, prototype: Any, byte_range: Any = None) -> Any:
        start = time.perf_counter()
        try:
            await asyncio.sleep(self.latency_s)
            return await self._store.get(key, prototype, byte_range)
        finally:
            self.spans.append((start, time.perf_counter()))


def main() -> None:
    latency_s, repeat = float(sys.argv[1]), int(sys.argv[2])
    memory = MemoryStore()
    data = (np.arange(np.prod(SHAPE), dtype="f4") % 1000).reshape(SHAPE)
    arr = zarr.create_array(
        memory,
        shape=SHAPE,
        chunks=CHUNKS,
        dtype="f4",
        zarr_format=2,
        compressors=Blosc(cname="lz4", clevel=5, shuffle=Blosc.SHUFFLE),
        fill_value=0,
    )
    arr[...] = data
    seconds, trips, requests = [], [], []
    for rep in range(repeat + 1):
        store = RecordingLatencyStore(memory, latency_s, [])
        opened = zarr.open_array(store, mode="r", zarr_format=2)
        store.spans.clear()
        index = rep % SHAPE[0]
        start = time.perf_counter()
        out = opened[index]
        elapsed = time.perf_counter() - start
        assert np.array_equal(out, data[index])
        if rep == 0:
            continue  # warm-up
        seconds.append(elapsed)
        trips.append(round_trips(store.spans))
        requests.append(len(store.spans))
    result = {"seconds": seconds, "round_trips": trips, "requests": requests}
    print(json.dumps({**result, "version": zarr.__version__}))


if __name__ == "__main__":
    main()
