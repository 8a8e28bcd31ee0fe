"""Decide what to read for the view: pyramid level, region and decimation (pure, no Qt).

The viewer passes what its view box shows (in level-0 pixels) and how many level-0 pixels
one screen pixel covers; the planner picks the coarsest pyramid level still at least one
screen pixel per level pixel, pads the visible region by a quarter (small pans need no new
read), and decimates single-level images that are still finer than the screen.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from app.models.image_source import ImageSource
from app.models.requests import SliceRequest

#: most cells a table view requests at once (tables are for inspection, not bulk export)
TABLE_ROWS, TABLE_COLS = 2000, 200
#: fraction of the visible width/height read beyond each edge
PAD = 0.25

Rect = tuple[float, float, float, float]  # x0, x1, y0, y1 in level-0 pixels


@dataclass(frozen=True, slots=True)
class FrameSpec:
    """What to read: ``level``, half-open ``y_range``/``x_range`` in level pixels, ``step``."""

    level: int
    y_range: tuple[int, int]
    x_range: tuple[int, int]
    step: int


def table_spec(shape: tuple[int, ...]) -> FrameSpec:
    rows = min(shape[0], TABLE_ROWS) if shape else 1
    cols = min(shape[1], TABLE_COLS) if len(shape) > 1 else 1
    return FrameSpec(level=0, y_range=(0, rows), x_range=(0, cols), step=1)


def plan_frame(
    source: ImageSource,
    displayed: tuple[int, int],
    visible: Rect | None,
    screen_pixel_size: float,
) -> FrameSpec | None:
    """The region to read for an image view; None when nothing of the image is visible.

    ``visible=None`` (view not laid out yet) means the whole plane at full resolution.
    """
    y_axis, x_axis = displayed
    shape = source.base.shape
    if visible is None:
        visible = (0.0, float(shape[x_axis]), 0.0, float(shape[y_axis]))
        screen_pixel_size = 1.0
    vx0, vx1, vy0, vy1 = visible
    pixel = max(screen_pixel_size, 1e-9)
    level_index = source.choose_level(pixel, displayed)
    level = source.levels[level_index]
    fy, fx = level.factors[y_axis], level.factors[x_axis]
    ly, lx = level.shape[y_axis], level.shape[x_axis]
    pad_x, pad_y = (vx1 - vx0) * PAD, (vy1 - vy0) * PAD
    x0 = max(0, math.floor((vx0 - pad_x) / fx))
    x1 = min(lx, math.ceil((vx1 + pad_x) / fx))
    y0 = max(0, math.floor((vy0 - pad_y) / fy))
    y1 = min(ly, math.ceil((vy1 + pad_y) / fy))
    if x1 <= x0 or y1 <= y0:
        return None
    step = max(1, int(pixel / max(fx, fy)))
    return FrameSpec(level=level_index, y_range=(y0, y1), x_range=(x0, x1), step=step)


def slice_request(
    source: ImageSource,
    displayed: tuple[int, int] | None,
    spec: FrameSpec,
    request_id: int,
    indices: tuple[int, ...],
) -> SliceRequest:
    """The request for ``spec`` at slice position ``indices`` (level-0 indices per axis).

    ``displayed=None`` is a 0-D or 1-D array (read as a table).
    """
    level = source.levels[spec.level]
    axes = displayed if displayed is not None else (0, 1)
    selection: list[int | slice] = []
    for axis, size in enumerate(level.shape):
        if displayed is None or axis in displayed:
            bounds = spec.y_range if axis == axes[0] else spec.x_range
            selection.append(slice(bounds[0], min(bounds[1], size)))
        else:
            selection.append(min(int(indices[axis] / level.factors[axis]), size - 1))
    return SliceRequest(
        request_id=request_id,
        array=level.array,
        cache_namespace=f"{source.name}#{level.path}#{id(level.array)}",
        selection=tuple(selection),
        displayed_axes=axes,
        level=spec.level,
        step=spec.step,
    )


def range_of(selection: tuple[int | slice, ...], axis: int) -> tuple[int, int]:
    item = selection[axis]
    if not isinstance(item, slice):
        raise ValueError(f"axis {axis} is not a displayed axis of this selection")
    return int(item.start), int(item.stop)


def covers(
    selection: tuple[int | slice, ...],
    level: int,
    step: int,
    displayed: tuple[int, int],
    spec: FrameSpec,
) -> bool:
    """True if a frame read with ``selection`` already shows ``spec``'s region."""
    if level != spec.level or step != spec.step:
        return False
    y0, y1 = range_of(selection, displayed[0])
    x0, x1 = range_of(selection, displayed[1])
    (sy0, sy1), (sx0, sx1) = spec.y_range, spec.x_range
    return y0 <= sy0 and sy1 <= y1 and x0 <= sx0 and sx1 <= x1
