"""What a slice viewer shows: one array, or the levels of an OME-NGFF multiscale image.

Pure logic for axis names, default displayed axes and choosing a pyramid level from the zoom.
:func:`source_for` reads level metadata, so it runs in a worker.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from app.models.hierarchy import is_array, multiscales_of


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

    @property
    def base(self) -> Level:
        return self.levels[0]

    @property
    def dtype(self) -> np.dtype[Any]:
        return np.dtype(self.base.array.dtype)

    @property
    def is_multiscale(self) -> bool:
        return len(self.levels) > 1

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
    """An image source for an array, or for a group with OME-NGFF multiscales metadata."""
    if is_array(node):
        return single_array_source(name, node)
    scales = multiscales_of(node.attrs)
    if not scales:
        raise ValueError(f"{name!r} is a group without multiscales metadata")
    scale = scales[0]
    arrays = [node[str(d["path"])] for d in scale.get("datasets", [])]
    if not arrays:
        raise ValueError(f"{name!r}: multiscales lists no datasets")
    base_shape = tuple(int(n) for n in arrays[0].shape)
    levels = []
    for dataset, array in zip(scale["datasets"], arrays, strict=True):
        shape = tuple(int(n) for n in array.shape)
        factors = tuple(b / max(s, 1) for b, s in zip(base_shape, shape, strict=True))
        levels.append(Level(path=str(dataset["path"]), array=array, shape=shape, factors=factors))
    axes = scale.get("axes") or []
    names = tuple(str(a.get("name") if isinstance(a, dict) else a) for a in axes)
    if len(names) != len(base_shape):
        names = axis_names_of(arrays[0], len(base_shape))
    channel_axis = None
    for i, axis in enumerate(axes):
        if isinstance(axis, dict) and axis.get("type") == "channel":
            channel_axis = i
    windows = _channel_windows(node.attrs)
    return ImageSource(
        name=name,
        levels=tuple(levels),
        axis_names=names,
        displayed=default_displayed(names),
        channel_windows=windows,
        channel_axis=channel_axis,
    )


def _channel_windows(attrs: Any) -> tuple[tuple[float, float], ...]:
    try:
        omero = attrs.get("omero") or (attrs.get("ome") or {}).get("omero")
    except (AttributeError, TypeError):
        return ()
    if not isinstance(omero, dict):
        return ()
    windows = []
    for channel in omero.get("channels", []):
        window = channel.get("window") if isinstance(channel, dict) else None
        if not isinstance(window, dict) or "start" not in window or "end" not in window:
            return ()
        windows.append((float(window["start"]), float(window["end"])))
    return tuple(windows)
