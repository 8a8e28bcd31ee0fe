"""Issue 4 bench: one 2048x2048 slice over 16 chunks from a store with 20 ms per request.

``python -m bench.bench_latency [--latency-ms 20] [--repeat 5] [--write-results]``

The array is (2, 2048, 2048) float32, chunks (1, 512, 512), Blosc lz4, zarr format 2, held
in memory; every engine reaches it through a wrapper that sleeps the latency in each
request and records when each request started and ended:

- zarrcore: ``zarrcore.store.wrappers.LatencyStore`` around a MemoryStore; ``arr[i]`` asks
  for the 16 chunks with one ``get_many``, which the base Store runs concurrently;
- zarr-python 2.18: a latency-wrapped ``MutableMapping`` (what its deprecated remote stores
  are), read through ``zarr.open_array``;
- zarr-python 3: a latency-wrapped ``WrapperStore`` in a subprocess under the reference
  interpreter (bench/latency_zarr3.py).

"round trips" is the longest chain of requests each starting after the previous one ended
(independent of decode time and machine load); the target is <= 2 for zarrcore. Times are
medians. Results are printed; ``python -m bench`` embeds them in bench/RESULTS.md, and
``--write-results`` replaces that block from a standalone run.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator, MutableMapping
from pathlib import Path
from typing import Any

import numpy as np

HERE = Path(__file__).resolve().parent
REPO_ROOT = HERE.parent
RESULTS = HERE / "RESULTS.md"
BLOCK_TITLE = "### Latency (bench/bench_latency.py, issue 4)"
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


class Spans:
    """Thread-safe list of (start, end) request times."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.items: list[tuple[float, float]] = []

    def add(self, start: float) -> None:
        with self._lock:
            self.items.append((start, time.perf_counter()))

    def clear(self) -> None:
        with self._lock:
            self.items.clear()


def _data() -> np.ndarray:
    return (np.arange(int(np.prod(SHAPE)), dtype="f4") % 1000).reshape(SHAPE)


def _source_items() -> dict[str, bytes]:
    """The array's keys and bytes, written once by zarr-python 2.18 (format 2)."""
    import zarr
    from numcodecs import Blosc

    mapping: dict[str, bytes] = {}
    arr = zarr.open_array(
        mapping,
        mode="w",
        shape=SHAPE,
        chunks=CHUNKS,
        dtype="f4",
        compressor=Blosc(cname="lz4", clevel=5, shuffle=Blosc.SHUFFLE),
        fill_value=0,
    )
    arr[...] = _data()
    return {key: bytes(value) for key, value in mapping.items()}


# -- zarrcore ---------------------------------------------------------------------------------
def _zarrcore_store(items: dict[str, bytes], latency_s: float, spans: Spans) -> Any:
    from zarrcore.store.memory import MemoryStore
    from zarrcore.store.wrappers import LatencyStore

    class RecordingLatencyStore(LatencyStore):
        def get(self, key: str) -> bytes:
            start = time.perf_counter()
            try:
                return super().get(key)
            finally:
                spans.add(start)

        def get_range(self, key: str, start: int = 0, length: int | None = None) -> bytes:
            began = time.perf_counter()
            try:
                return super().get_range(key, start, length)
            finally:
                spans.add(began)

        def getsize(self, key: str) -> int:
            began = time.perf_counter()
            try:
                return super().getsize(key)
            finally:
                spans.add(began)

    memory = MemoryStore(f"latency-{uuid.uuid4().hex}")
    for key, value in items.items():
        memory.set(key, value)
    return RecordingLatencyStore(memory, latency_s)


def run_zarrcore(items: dict[str, bytes], latency_s: float, repeat: int) -> dict[str, Any]:
    import zarrcore

    spans = Spans()
    store = _zarrcore_store(items, latency_s, spans)
    expected = _data()
    seconds, trips, requests = [], [], []
    for rep in range(repeat + 1):
        arr = zarrcore.open_array(store, mode="r")
        spans.clear()
        index = rep % SHAPE[0]
        start = time.perf_counter()
        out = arr[index]
        elapsed = time.perf_counter() - start
        if not np.array_equal(out, expected[index]):
            raise AssertionError("zarrcore read wrong data")
        if rep:
            seconds.append(elapsed)
            trips.append(round_trips(spans.items))
            requests.append(len(spans.items))
    store.close()
    return {"seconds": seconds, "round_trips": trips, "requests": requests}


# -- zarr-python 2.18 -------------------------------------------------------------------------
class LatencyMapping(MutableMapping[str, bytes]):
    """A dict behind ``latency_s`` per request, recording request spans."""

    def __init__(self, items: dict[str, bytes], latency_s: float, spans: Spans) -> None:
        self._items = dict(items)
        self._latency_s = latency_s
        self._spans = spans

    def __getitem__(self, key: str) -> bytes:
        start = time.perf_counter()
        try:
            time.sleep(self._latency_s)
            return self._items[key]
        finally:
            self._spans.add(start)

    def __contains__(self, key: object) -> bool:
        start = time.perf_counter()
        try:
            time.sleep(self._latency_s)
            return key in self._items
        finally:
            self._spans.add(start)

    def __setitem__(self, key: str, value: bytes) -> None:
        self._items[key] = value

    def __delitem__(self, key: str) -> None:
        del self._items[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)


def run_zarr2(items: dict[str, bytes], latency_s: float, repeat: int) -> dict[str, Any]:
    import zarr

    spans = Spans()
    store = LatencyMapping(items, latency_s, spans)
    expected = _data()
    seconds, trips, requests = [], [], []
    for rep in range(repeat + 1):
        arr = zarr.open_array(store, mode="r")
        spans.clear()
        index = rep % SHAPE[0]
        start = time.perf_counter()
        out = arr[index]
        elapsed = time.perf_counter() - start
        if not np.array_equal(out, expected[index]):
            raise AssertionError("zarr 2 read wrong data")
        if rep:
            seconds.append(elapsed)
            trips.append(round_trips(spans.items))
            requests.append(len(spans.items))
    return {"seconds": seconds, "round_trips": trips, "requests": requests}


# -- zarr-python 3 (subprocess) ---------------------------------------------------------------
def run_zarr3(latency_s: float, repeat: int) -> dict[str, Any] | str:
    sys.path.insert(0, str(REPO_ROOT))
    from bench.refclient import ref_python

    python = ref_python()
    if python is None:
        return "no reference interpreter (.venv-ref or ZARRSCOPE_REF_PYTHON)"
    proc = subprocess.run(
        [python, str(HERE / "latency_zarr3.py"), str(latency_s), str(repeat)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    if proc.returncode != 0:
        return "failed: " + " | ".join(proc.stderr.strip().splitlines()[-3:])
    result: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


# -- report -----------------------------------------------------------------------------------
def _line(name: str, result: dict[str, Any] | str, base_s: float | None, latency_s: float) -> str:
    if isinstance(result, str):
        return f"  {name:<22} skipped: {result}"
    median_s = statistics.median(result["seconds"])
    trips = max(result["round_trips"])
    requests = max(result["requests"])
    ratio = f"{median_s / base_s:5.2f}x zarrcore" if base_s else "      (baseline)"
    return (
        f"  {name:<22} {median_s * 1000:7.1f} ms  {trips:3d} round trips  "
        f"{requests:3d} requests  ~{median_s / latency_s:5.1f} x latency  {ratio}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.bench_latency", description=__doc__)
    parser.add_argument("--latency-ms", type=float, default=20.0)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--write-results", action="store_true")
    parser.add_argument("--no-results", action="store_true", help="default; kept for bench/")
    args = parser.parse_args(argv)
    latency_s = args.latency_ms / 1000
    items = _source_items()
    ours = run_zarrcore(items, latency_s, args.repeat)
    zarr2 = run_zarr2(items, latency_s, args.repeat)
    zarr3 = run_zarr3(latency_s, args.repeat)
    import zarr

    base_s = statistics.median(ours["seconds"])
    trips = max(ours["round_trips"])
    verdict = "MET" if trips <= 2 else "NOT MET"
    v3 = zarr3.get("version", "?") if isinstance(zarr3, dict) else "?"
    lines = [
        f"latency bench: {args.latency_ms:.0f} ms per request; slice [i] of a {SHAPE} f4 array, "
        f"chunks {CHUNKS} (16 chunks, 16 MiB), Blosc lz4; median of {args.repeat}",
        _line("zarrcore", ours, None, latency_s),
        _line(f"zarr-python {zarr.__version__}", zarr2, base_s, latency_s),
        _line(f"zarr-python {v3}", zarr3, base_s, latency_s),
        f"  target (issue 4): zarrcore <= 2 round trips for the slice: {verdict} ({trips})",
        "  (zarr-python 2 over a MutableMapping checks `key in store` then reads `store[key]`,",
        "  chunk after chunk; zarr-python 3 caps concurrency at 10 by default, hence 2 waves)",
    ]
    print("\n".join(lines))
    if args.write_results:
        _write_results(lines)
    return 0 if trips <= 2 else 1


def _write_results(lines: list[str]) -> None:
    """Replace the fenced block under BLOCK_TITLE in bench/RESULTS.md (append if absent).

    ``python -m bench`` regenerates the same block inside its generated section; this keeps
    a standalone run's numbers in the same place instead of adding a second copy.
    """
    text = RESULTS.read_text() if RESULTS.exists() else "# Benchmark results\n"
    fenced = "\n".join(["```", *lines, "```"])
    start = text.find(BLOCK_TITLE)
    fence_open = text.find("```", start) if start >= 0 else -1
    fence_close = text.find("```", fence_open + 3) if fence_open >= 0 else -1
    if fence_close >= 0:
        text = text[:fence_open] + fenced + text[fence_close + 3 :]
    else:
        text = text.rstrip("\n") + f"\n\n{BLOCK_TITLE}\n\n{fenced}\n"
    RESULTS.write_text(text)


if __name__ == "__main__":
    sys.exit(main())
