"""Read one region of an array chunk by chunk through a decoded-chunk cache (no Qt).

The region is split along the chunk grid. Cached chunks are copied from the cache; the
missing ones are read in one call to the engine (the bounding box of the missing chunks, so
the engine fetches their keys concurrently), split into chunks and cached. Only chunks that
intersect the region are ever read.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import Any

import numpy as np

from app.models.chunk_cache import ChunkCache
from app.models.job_queue import CancelToken

ChunkCoords = tuple[int, ...]


def _normalize(selection: Sequence[int | slice], shape: Sequence[int]) -> list[tuple[int, int]]:
    bounds: list[tuple[int, int]] = []
    for item, size in zip(selection, shape, strict=True):
        if isinstance(item, slice):
            start, stop, _ = item.indices(size)
            bounds.append((start, max(start, stop)))
        else:
            index = int(item) + (size if int(item) < 0 else 0)
            if not 0 <= index < size:
                raise IndexError(f"index {item} out of range for axis of size {size}")
            bounds.append((index, index + 1))
    return bounds


def chunks_for_region(
    bounds: Sequence[tuple[int, int]], chunks: Sequence[int]
) -> list[ChunkCoords]:
    """Grid coordinates of every chunk intersecting the half-open per-axis ``bounds``."""
    ranges = []
    for (start, stop), size in zip(bounds, chunks, strict=True):
        if stop <= start:
            return []
        ranges.append(range(start // size, (stop - 1) // size + 1))
    return [tuple(c) for c in itertools.product(*ranges)]


def read_region(
    array: Any,
    selection: Sequence[int | slice],
    cache: ChunkCache,
    namespace: str,
    token: CancelToken | None = None,
) -> np.ndarray:
    """``array[selection]`` (ints and step-1 slices) assembled from cached decoded chunks."""
    shape = tuple(int(n) for n in array.shape)
    chunks = tuple(int(c) for c in array.chunks)
    bounds = _normalize(selection, shape)
    out_shape = tuple(stop - start for start, stop in bounds)
    out = np.empty(out_shape, dtype=array.dtype)
    coords_list = chunks_for_region(bounds, chunks)
    found: dict[ChunkCoords, np.ndarray] = {}
    missing: list[ChunkCoords] = []
    for coords in coords_list:
        cached = cache.get((namespace, *coords))
        if cached is None:
            missing.append(coords)
        else:
            found[coords] = cached
    if missing:
        if token is not None:
            token.raise_if_cancelled()
        found.update(_read_chunks(array, missing, shape, chunks, cache, namespace))
    for coords in coords_list:
        chunk = found[coords]
        src: list[slice] = []
        dst: list[slice] = []
        for (start, stop), c, size in zip(bounds, coords, chunks, strict=True):
            c0 = c * size
            lo, hi = max(start, c0), min(stop, c0 + size)
            src.append(slice(lo - c0, hi - c0))
            dst.append(slice(lo - start, hi - start))
        out[tuple(dst)] = chunk[tuple(src)]
    squeeze = tuple(i for i, item in enumerate(selection) if not isinstance(item, slice))
    return out.squeeze(axis=squeeze) if squeeze else out


def _read_chunks(
    array: Any,
    missing: list[ChunkCoords],
    shape: tuple[int, ...],
    chunks: tuple[int, ...],
    cache: ChunkCache,
    namespace: str,
) -> dict[ChunkCoords, np.ndarray]:
    """Read the bounding box of ``missing`` chunks in one engine call, split and cache it."""
    lo = [min(c[d] for c in missing) for d in range(len(shape))]
    hi = [max(c[d] for c in missing) for d in range(len(shape))]
    box = tuple(
        slice(lo[d] * chunks[d], min((hi[d] + 1) * chunks[d], shape[d])) for d in range(len(shape))
    )
    block = np.asarray(array[box])
    result: dict[ChunkCoords, np.ndarray] = {}
    for coords in missing:
        part = tuple(
            slice(
                (coords[d] - lo[d]) * chunks[d],
                min((coords[d] - lo[d] + 1) * chunks[d], shape[d] - lo[d] * chunks[d]),
            )
            for d in range(len(shape))
        )
        chunk = np.ascontiguousarray(block[part])
        cache.put((namespace, *coords), chunk)
        result[coords] = chunk
    return result


def auto_levels(data: np.ndarray, sample: int = 65_536) -> tuple[float, float] | None:
    """Contrast limits from the frame itself: 0.5th-99.5th percentile of finite values."""
    if data.size == 0:
        return None
    flat = data.reshape(-1)
    if flat.size > sample:
        flat = flat[:: flat.size // sample + 1]
    if flat.dtype.kind == "f":
        flat = flat[np.isfinite(flat)]
        if flat.size == 0:
            return None
    lo, hi = np.percentile(flat, [0.5, 99.5])
    if hi <= lo:
        lo, hi = float(flat.min()), float(flat.max())
        if hi <= lo:
            hi = lo + 1.0
    return float(lo), float(hi)


def histogram(
    data: np.ndarray, sample: int = 65_536, bins: int = 256
) -> tuple[np.ndarray, np.ndarray] | None:
    """Histogram of the frame (bin centres, counts) from a strided sample, finite values only."""
    flat = data.reshape(-1)
    if flat.size > sample:
        flat = flat[:: flat.size // sample + 1]
    if flat.dtype.kind == "f":
        flat = flat[np.isfinite(flat)]
    if flat.size == 0:
        return None
    lo, hi = float(flat.min()), float(flat.max())
    if hi <= lo:
        hi = lo + 1.0
    if flat.dtype.kind in "iub" and hi - lo + 1 <= bins:
        edges = np.arange(lo, hi + 2, dtype=np.float64) - 0.5
    else:
        edges = np.linspace(lo, hi, bins + 1)
    counts, edges = np.histogram(flat, bins=edges)
    return (edges[:-1] + edges[1:]) / 2, counts


def displayable(data: np.ndarray) -> np.ndarray:
    """Numeric 2-D data pyqtgraph can draw: complex as magnitude, bool as 0/1."""
    if data.dtype.kind == "c":
        return np.abs(data)
    if data.dtype.kind == "b":
        return data.astype(np.uint8)
    if data.dtype.kind == "f" and data.dtype.itemsize == 2:
        return data.astype(np.float32)
    return data
