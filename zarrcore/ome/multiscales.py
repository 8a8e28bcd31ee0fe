"""OME-NGFF ``multiscales``: axes, datasets (pyramid levels) and coordinate transformations."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from zarrcore.ome._common import _fail, _list, _numbers, _obj, _str

_DEFAULT_AXES = ("t", "c", "z", "y", "x")  # implied by 0.1 / 0.2

# -- multiscales -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Axis:
    name: str
    type: str | None = None
    unit: str | None = None


@dataclass(frozen=True, slots=True)
class Transform:
    """A coordinate transformation: ``scale``, ``translation`` or ``identity``."""

    type: str
    values: tuple[float, ...] | None = None


@dataclass(frozen=True, slots=True)
class Dataset:
    """One pyramid level: an array ``path`` with its own scale / translation."""

    path: str
    scale: tuple[float, ...] | None
    translation: tuple[float, ...] | None = None


@dataclass(frozen=True, slots=True)
class Multiscale:
    """One ``multiscales`` entry. ``datasets`` are highest resolution first."""

    version: str | None
    axes: tuple[Axis, ...]
    datasets: tuple[Dataset, ...]
    name: str | None = None
    transforms: tuple[Transform, ...] = ()
    type: str | None = None
    metadata: Mapping[str, Any] | None = None

    @property
    def ndim(self) -> int:
        return len(self.axes)

    @property
    def axis_names(self) -> tuple[str, ...]:
        return tuple(axis.name for axis in self.axes)

    @property
    def levels(self) -> tuple[Dataset, ...]:
        """The datasets, highest resolution first.

        The spec orders ``datasets`` that way; should a writer have listed them otherwise,
        levels with known scales are sorted by their y/x pixel size (stable otherwise).
        """
        datasets = list(self.datasets)
        if all(d.scale is not None for d in datasets):
            y, x = self.yx_axes
            datasets.sort(key=lambda d: (d.scale[y] * d.scale[x]) if d.scale else 0.0)
        return tuple(datasets)

    @property
    def paths(self) -> tuple[str, ...]:
        """Array paths (relative to the image group) of the levels, highest resolution first."""
        return tuple(d.path for d in self.levels)

    def _axis_of_type(self, kind: str, names: Sequence[str]) -> int | None:
        for i, axis in enumerate(self.axes):
            if axis.type == kind:
                return i
        for i, axis in enumerate(self.axes):
            if axis.type is None and axis.name.lower() in names:
                return i
        return None

    @property
    def channel_axis(self) -> int | None:
        return self._axis_of_type("channel", ("c", "channel"))

    @property
    def time_axis(self) -> int | None:
        return self._axis_of_type("time", ("t", "time"))

    @property
    def space_axes(self) -> tuple[int, ...]:
        typed = [i for i, a in enumerate(self.axes) if a.type == "space"]
        if typed:
            return tuple(typed)
        return tuple(i for i, a in enumerate(self.axes) if a.name.lower() in ("z", "y", "x"))

    @property
    def yx_axes(self) -> tuple[int, int]:
        """Indices of the y and x axes (the displayed plane): named y/x, else the last two
        space axes, else the last two axes."""
        names = [a.name.lower() for a in self.axes]
        if "y" in names and "x" in names:
            return names.index("y"), names.index("x")
        space = self.space_axes
        if len(space) >= 2:
            return space[-2], space[-1]
        return self.ndim - 2, self.ndim - 1

    @property
    def z_axis(self) -> int | None:
        space = self.space_axes
        y, x = self.yx_axes
        others = [i for i in space if i not in (y, x)]
        return others[0] if others else None

    def scale_factors(self) -> tuple[tuple[float, ...], ...]:
        """Per level (as in :attr:`levels`), per axis: level scale / level 0 scale (1.0 where
        unknown)."""
        levels = self.levels
        base = levels[0].scale
        out = []
        for dataset in levels:
            if base is None or dataset.scale is None:
                out.append(tuple(1.0 for _ in self.axes))
                continue
            out.append(tuple(s / b if b else 1.0 for s, b in zip(dataset.scale, base, strict=True)))
        return tuple(out)

    def scale_factors_from_shapes(
        self, shapes: Sequence[Sequence[int]]
    ) -> tuple[tuple[float, ...], ...]:
        """Per-level factors from array shapes (for pre-0.4 data without scales)."""
        base = shapes[0]
        return tuple(
            tuple(b / s if s else 1.0 for b, s in zip(base, shape, strict=True)) for shape in shapes
        )

    def level_for_downsample(self, factor: float) -> int:
        """The coarsest level whose y/x downsampling factor is at most ``factor``."""
        y, x = self.yx_axes
        best = 0
        for level, factors in enumerate(self.scale_factors()):
            if max(factors[y], factors[x]) <= factor + 1e-9:
                best = level
        return best


def _parse_axes(value: Any, where: str, version: str | None) -> tuple[Axis, ...]:
    items = _list(value, where)
    axes: list[Axis] = []
    for i, item in enumerate(items):
        item_where = f"{where}[{i}]"
        if isinstance(item, str):  # 0.3: plain names
            kind = {"t": "time", "c": "channel"}.get(item, "space" if item in "zyx" else None)
            axes.append(Axis(item, kind))
            continue
        obj = _obj(item, item_where)
        name = _str(obj.get("name"), f"{item_where}.name")
        kind = obj.get("type")
        if kind is not None and not isinstance(kind, str):
            raise _fail(f"axis type must be a string, got {kind!r}", f"{item_where}.type")
        unit = obj.get("unit")
        if unit is not None and not isinstance(unit, str):
            raise _fail(f"axis unit must be a string, got {unit!r}", f"{item_where}.unit")
        axes.append(Axis(name, kind, unit))
    if not 2 <= len(axes) <= 5:
        raise _fail(f"{len(axes)} axes; OME-NGFF allows 2 to 5", where)
    names = [a.name for a in axes]
    if len(set(names)) != len(names):
        raise _fail(f"axis names {names} are not unique", where)
    space = [a for a in axes if a.type == "space"]
    if any(a.type is not None for a in axes) and not 2 <= len(space) <= 3:
        raise _fail(f"{len(space)} space axes; OME-NGFF needs 2 or 3", where)
    for kind in ("time", "channel"):
        if sum(a.type == kind for a in axes) > 1:
            raise _fail(f"more than one {kind} axis", where)
    return tuple(axes)


def _parse_transforms(value: Any, where: str, ndim: int, *, dataset: bool) -> tuple[Transform, ...]:
    items = _list(value, where)
    out: list[Transform] = []
    for i, item in enumerate(items):
        item_where = f"{where}[{i}]"
        obj = _obj(item, item_where)
        kind = _str(obj.get("type"), f"{item_where}.type")
        if kind == "identity":
            out.append(Transform(kind))
            continue
        if kind not in ("scale", "translation"):
            raise _fail(f"unknown transformation type {kind!r}", f"{item_where}.type")
        if kind not in obj:
            if "path" in obj:
                raise _fail(
                    f"{kind} stored in a separate array (path) is not supported", item_where
                )
            raise _fail(f"{kind} transformation lacks its {kind!r} values", item_where)
        out.append(Transform(kind, _numbers(obj[kind], f"{item_where}.{kind}", ndim)))
    if dataset:
        kinds = [t.type for t in out]
        if kinds not in (["scale"], ["scale", "translation"]):
            raise _fail(
                f"a dataset needs one scale optionally followed by one translation, got {kinds}",
                where,
            )
    return tuple(out)


def _parse_multiscale(value: Any, where: str, version: str | None) -> Multiscale:
    obj = _obj(value, where)
    ms_version = obj.get("version", version)
    if ms_version is not None and not isinstance(ms_version, str):
        raise _fail(f"version must be a string, got {ms_version!r}", f"{where}.version")
    version = ms_version
    datasets_json = _list(obj.get("datasets"), f"{where}.datasets")
    if "axes" in obj:
        axes = _parse_axes(obj["axes"], f"{where}.axes", version)
    elif version in ("0.1", "0.2", None):
        axes = tuple(Axis(n, {"t": "time", "c": "channel"}.get(n, "space")) for n in _DEFAULT_AXES)
    else:
        raise _fail("missing 'axes'", f"{where}.axes")
    ndim = len(axes)
    datasets: list[Dataset] = []
    for i, item in enumerate(datasets_json):
        item_where = f"{where}.datasets[{i}]"
        dobj = _obj(item, item_where)
        path = _str(dobj.get("path"), f"{item_where}.path")
        scale = translation = None
        if "coordinateTransformations" in dobj:
            transforms = _parse_transforms(
                dobj["coordinateTransformations"],
                f"{item_where}.coordinateTransformations",
                ndim,
                dataset=True,
            )
            scale = transforms[0].values
            if len(transforms) > 1:
                translation = transforms[1].values
            if scale is not None and any(s <= 0 for s in scale):
                raise _fail(
                    f"scale values must be positive, got {list(scale)}",
                    f"{item_where}.coordinateTransformations[0].scale",
                )
        elif version not in ("0.1", "0.2", "0.3", None):
            raise _fail("missing coordinateTransformations", item_where)
        datasets.append(Dataset(path, scale, translation))
    paths = [d.path for d in datasets]
    if len(set(paths)) != len(paths):
        raise _fail(f"dataset paths {paths} are not unique", f"{where}.datasets")
    level_transforms: tuple[Transform, ...] = ()
    if obj.get("coordinateTransformations") is not None:
        level_transforms = _parse_transforms(
            obj["coordinateTransformations"],
            f"{where}.coordinateTransformations",
            ndim,
            dataset=False,
        )
    name = obj.get("name")
    kind = obj.get("type")
    metadata = obj.get("metadata")
    return Multiscale(
        version=version,
        axes=axes,
        datasets=tuple(datasets),
        name=name if isinstance(name, str) else None,
        transforms=level_transforms,
        type=kind if isinstance(kind, str) else None,
        metadata=metadata if isinstance(metadata, Mapping) else None,
    )
