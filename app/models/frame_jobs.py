"""Worker-side jobs of the slice viewer: load a frame, prefetch neighbours (no Qt)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from app.models.chunk_cache import ChunkCache
from app.models.frame_reader import auto_levels, displayable, histogram, read_region
from app.models.job_queue import CancelToken
from app.models.requests import SliceRequest

#: colour of NaN pixels in the overlay (RGBA): magenta, never part of a colormap
NAN_RGBA = (255, 0, 255, 255)


@dataclass(frozen=True, slots=True)
class LoadedFrame:
    """One drawable 2-D frame. ``data[row, col]`` is at level pixel
    ``(y_start + row * step, x_start + col * step)``; ``raw`` keeps non-numeric values."""

    request_id: int
    data: np.ndarray
    y_start: int
    x_start: int
    step: int
    level: int
    levels: tuple[float, float] | None
    #: (bin centres, counts) for the histogram panel, computed here rather than on the UI thread
    histogram: tuple[np.ndarray, np.ndarray] | None
    nan_mask_rgba: np.ndarray | None
    selection: tuple[int | slice, ...]
    #: (vertical, horizontal) array axes of ``data``
    displayed_axes: tuple[int, int] = (0, 1)


def is_tabular(dtype: np.dtype) -> bool:  # type: ignore[type-arg]
    """Structured, string and object arrays are shown as a table, not an image."""
    return dtype.kind in "OSUVMm" or dtype.fields is not None


def load_frame(request: SliceRequest, cache: ChunkCache, token: CancelToken) -> LoadedFrame:
    data = read_region(request.array, request.selection, cache, request.cache_namespace, token)
    y_axis, x_axis = request.displayed_axes
    if data.ndim == 2 and y_axis > x_axis:
        data = data.T
    if request.step > 1:
        data = data[:: request.step, :: request.step]
    token.raise_if_cancelled()
    levels = None
    hist = None
    nan_mask = None
    if not is_tabular(data.dtype):
        data = displayable(data)
        levels = auto_levels(data)
        hist = histogram(data)
        if data.dtype.kind == "f":
            nans = np.isnan(data)
            if nans.any():
                nan_mask = np.zeros((*data.shape, 4), dtype=np.uint8)
                nan_mask[nans] = NAN_RGBA
    y_sel = request.selection[y_axis] if data.ndim == 2 else slice(0, 0)
    x_sel = request.selection[x_axis] if data.ndim == 2 else request.selection[0]
    return LoadedFrame(
        request_id=request.request_id,
        data=np.ascontiguousarray(data),
        y_start=_start(y_sel),
        x_start=_start(x_sel),
        step=request.step,
        level=request.level,
        levels=levels,
        histogram=hist,
        nan_mask_rgba=nan_mask,
        selection=request.selection,
        displayed_axes=request.displayed_axes,
    )


def prefetch(request: SliceRequest, cache: ChunkCache, token: CancelToken) -> int:
    """Warm the chunk cache for ``request``; returns the number of cached chunks after."""
    token.raise_if_cancelled()
    read_region(request.array, request.selection, cache, request.cache_namespace, token)
    return len(cache)


def _start(item: int | slice) -> int:
    if isinstance(item, slice):
        return int(item.start or 0)
    return int(item)
