"""What a slice viewer shows: one array, or the levels of an OME-NGFF multiscale image.

Pure logic for axis names, default displayed axes and choosing a pyramid level from the zoom.
:func:`source_for` reads level metadata, so it runs in a worker.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from app.models.hierarchy import is_array
from zarrcore.ome import parse_ome


@dataclass(frozen=True, slots=True)
class Level:
    path: str
    array: Any
    shape: tuple[int, ...]
    #: downsampling of this level relative to level 0, per axis (1.0 for level 0)
    factors: tuple[float, ...]


@dataclass(frozen=True, slots=True)
class ImageSource:
    name: str
    levels: tuple[Level, ...]
    axis_names: tuple[str, ...]
    displayed: tuple[int, int] | None
    #: per-channel contrast windows from OME-NGFF omero metadata, if any
    channel_windows: tuple[tuple[float, float], ...] = ()
    channel_axis: int | None = None
    #: per-channel display colour (r, g, b) from omero metadata; None where unspecified
    channel_colors: tuple[tuple[int, int, int] | None, ...] = ()
    #: per-channel labels from omero metadata
    channel_labels: tuple[str | None, ...] = ()

    @property
    def base(self) -> Level:
        return self.levels[0]

    @property
    def dtype(self) -> np.dtype[Any]:
        return np.dtype(self.base.array.dtype)

    @property
    def is_multiscale(self) -> bool:
        return len(self.levels) > 1

    def channel_color(self, index: int) -> tuple[int, int, int] | None:
        if 0 <= index < len(self.channel_colors):
            return self.channel_colors[index]
        return None

    def choose_level(self, screen_pixel_size: float, axes: tuple[int, int]) -> int:
        """Coarsest level whose pixels are still no larger than one screen pixel.

        ``screen_pixel_size`` is how many level-0 pixels one screen pixel covers.
        """
        chosen = 0
        for index, level in enumerate(self.levels):
            factor = max(level.factors[axes[0]], level.factors[axes[1]])
            if factor <= screen_pixel_size * 1.0001:
                chosen = index
        return chosen


def axis_names_of(array: Any, fallback_ndim: int) -> tuple[str, ...]:
    names = getattr(array, "dimension_names", None)
    if not names:
        try:
            names = array.attrs.get("_ARRAY_DIMENSIONS")
        except (AttributeError, TypeError):
            names = None
    if names and len(names) == fallback_ndim and all(names):
        return tuple(str(n) for n in names)
    return tuple(f"dim_{i}" for i in range(fallback_ndim))


def default_displayed(axis_names: tuple[str, ...]) -> tuple[int, int] | None:
    """The y/x axes by name when both exist, else the last two (None for < 2-D)."""
    ndim = len(axis_names)
    if ndim < 2:
        return None
    lower = [n.lower() for n in axis_names]
    if "y" in lower and "x" in lower:
        return lower.index("y"), lower.index("x")
    return ndim - 2, ndim - 1


def single_array_source(name: str, array: Any) -> ImageSource:
    shape = tuple(int(n) for n in array.shape)
    names = axis_names_of(array, len(shape))
    level = Level(path="", array=array, shape=shape, factors=tuple(1.0 for _ in shape))
    return ImageSource(
        name=name, levels=(level,), axis_names=names, displayed=default_displayed(names)
    )


def source_for(name: str, node: Any) -> ImageSource:
    """An image source for an array, or for a group with OME-NGFF multiscales metadata.

    The pyramid (level paths, axis names, y/x and channel axes, omero windows) comes from
    ``zarrcore.ome``; the per-level factors from the level shapes, which is what maps a level
    pixel onto level 0 whatever units the coordinate transformations use.
    """
    if is_array(node):
        return single_array_source(name, node)
    ome = parse_ome(dict(node.attrs))
    image = ome.image if ome is not None else None
    if image is None:
        raise ValueError(f"{name!r} is a group without multiscales metadata")
    arrays = [node[path] for path in image.paths]
    shapes = [tuple(int(n) for n in array.shape) for array in arrays]
    if any(len(shape) != image.ndim for shape in shapes):
        raise ValueError(f"{name!r}: a pyramid level does not have {image.ndim} dimensions")
    factors = image.scale_factors_from_shapes(shapes)
    levels = tuple(
        Level(path=path, array=array, shape=shape, factors=tuple(level_factors))
        for path, array, shape, level_factors in zip(
            image.paths, arrays, shapes, factors, strict=True
        )
    )
    windows: tuple[tuple[float, float], ...] = ()
    colors: tuple[tuple[int, int, int] | None, ...] = ()
    labels: tuple[str | None, ...] = ()
    if ome is not None and ome.omero is not None:
        channels = ome.omero.channels
        found = [c.window for c in channels]
        if all(w is not None and w.end > w.start for w in found):
            windows = tuple((w.start, w.end) for w in found if w is not None)
        colors = tuple(c.color for c in channels)
        labels = tuple(c.label for c in channels)
    return ImageSource(
        name=name,
        levels=levels,
        axis_names=image.axis_names,
        displayed=image.yx_axes,
        channel_windows=windows,
        channel_axis=image.channel_axis,
        channel_colors=colors,
        channel_labels=labels,
    )
