"""Read whole chunks (decoded) by grid position: for caches and the chunk-map panel.

``read_chunks(target, coords)`` fetches every stored chunk with one batched ``get_many``
and decodes them in the decode pool. Each result is the chunk cropped to the array bounds
(edge chunks are smaller), or ``None`` when the chunk is not stored (it reads as fill).
Sharded v3 arrays go through the codec's ranged ``read_region``.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable

import numpy as np

from zarrcore.fetch import ArrayTarget, _run_all, fetch_values
from zarrcore.indexing import SelectionError

Coords = tuple[int, ...]


def in_bounds_selection(target: ArrayTarget, coords: Coords) -> tuple[slice, ...]:
    """The part of chunk ``coords`` that lies inside the array (chunk coordinates)."""
    return tuple(
        slice(0, min(chunk, size - c * chunk))
        for c, chunk, size in zip(coords, target.meta.chunks, target.meta.shape, strict=True)
    )


def _check(target: ArrayTarget, coords: Coords) -> None:
    grid = target.meta.chunk_grid_shape
    if len(coords) != len(grid) or not all(0 <= c < n for c, n in zip(coords, grid, strict=True)):
        raise SelectionError(
            f"chunk coordinates {coords} outside the chunk grid {grid}",
            url=target.store_url,
            key=target.path or "/",
        )


def read_chunks(
    target: ArrayTarget,
    coords: Iterable[Coords],
    *,
    cancel: threading.Event | None = None,
) -> dict[Coords, np.ndarray | None]:
    """Decoded chunks (cropped to the array) by grid position; None = not stored."""
    wanted = list(dict.fromkeys(tuple(int(c) for c in item) for item in coords))
    for item in wanted:
        _check(target, item)
    result: dict[Coords, np.ndarray | None] = {}
    lock = threading.Lock()

    tasks: list[Callable[[], None]] = []
    if target.codec.supports_partial_reads:
        for item in wanted:

            def region_task(item: Coords = item) -> None:
                target.check_cancel(cancel)
                region = target.codec.read_region(
                    target.store, target.key(item), in_bounds_selection(target, item)
                )
                with lock:
                    result[item] = region

            tasks.append(region_task)
        _run_all(tasks)
        return {item: result[item] for item in wanted}
    keys: dict[Coords, str] = {}
    values = fetch_values(target, wanted, keys_out=keys)
    target.check_cancel(cancel)
    for item in wanted:
        data = values[item]
        if data is None:
            result[item] = None
            continue

        def decode_task(item: Coords = item, data: bytes = data) -> None:
            target.check_cancel(cancel)
            chunk = target.codec.decode(data, key=keys[item], url=target.store_url)
            cropped = chunk[in_bounds_selection(target, item)]
            with lock:
                result[item] = cropped

        tasks.append(decode_task)
    nbytes = len(tasks) * int(np.prod(target.meta.chunks)) * max(1, target.meta.dtype.itemsize)
    _run_all(tasks, nbytes=nbytes)
    return {item: result[item] for item in wanted}
