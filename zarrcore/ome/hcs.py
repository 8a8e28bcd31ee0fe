"""OME-NGFF ``image-label``, ``plate`` and ``well`` blocks."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from zarrcore.ome._common import _fail, _list, _obj, _str

# -- labels, plate, well -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ImageLabel:
    colors: Mapping[int, tuple[int, int, int, int]]
    properties: tuple[Mapping[str, Any], ...] = ()
    source_image: str | None = None


@dataclass(frozen=True, slots=True)
class WellRef:
    path: str
    row_index: int
    column_index: int


@dataclass(frozen=True, slots=True)
class Plate:
    rows: tuple[str, ...]
    columns: tuple[str, ...]
    wells: tuple[WellRef, ...]
    name: str | None = None
    field_count: int | None = None
    acquisitions: tuple[Mapping[str, Any], ...] = ()


@dataclass(frozen=True, slots=True)
class WellImage:
    path: str
    acquisition: int | None = None


@dataclass(frozen=True, slots=True)
class Well:
    images: tuple[WellImage, ...]


def _index(value: Any, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise _fail(f"expected a non-negative integer, got {value!r}", where)
    return value


def _parse_image_label(value: Any, where: str) -> ImageLabel:
    obj = _obj(value, where)
    colors: dict[int, tuple[int, int, int, int]] = {}
    for i, item in enumerate(_list(obj.get("colors", []), f"{where}.colors", non_empty=False)):
        cw = f"{where}.colors[{i}]"
        entry = _obj(item, cw)
        label_value = entry.get("label-value")
        if isinstance(label_value, bool) or not isinstance(label_value, int | float):
            raise _fail(f"label-value must be a number, got {label_value!r}", f"{cw}.label-value")
        rgba = _list(entry.get("rgba"), f"{cw}.rgba")
        if len(rgba) != 4 or not all(isinstance(c, int) and 0 <= c <= 255 for c in rgba):
            raise _fail(f"rgba must be 4 integers 0-255, got {rgba!r}", f"{cw}.rgba")
        colors[int(label_value)] = (rgba[0], rgba[1], rgba[2], rgba[3])
    props = obj.get("properties", [])
    source = obj.get("source")
    source_image = source.get("image") if isinstance(source, Mapping) else None
    return ImageLabel(
        colors=colors,
        properties=tuple(p for p in props if isinstance(p, Mapping))
        if isinstance(props, list)
        else (),
        source_image=source_image if isinstance(source_image, str) else None,
    )


def _names(value: Any, where: str) -> tuple[str, ...]:
    out = []
    for i, item in enumerate(_list(value, where)):
        out.append(_str(_obj(item, f"{where}[{i}]").get("name"), f"{where}[{i}].name"))
    return tuple(out)


def _parse_plate(value: Any, where: str) -> Plate:
    obj = _obj(value, where)
    rows = _names(obj.get("rows"), f"{where}.rows")
    columns = _names(obj.get("columns"), f"{where}.columns")
    wells: list[WellRef] = []
    for i, item in enumerate(_list(obj.get("wells"), f"{where}.wells")):
        ww = f"{where}.wells[{i}]"
        well = _obj(item, ww)
        path = _str(well.get("path"), f"{ww}.path")
        if "rowIndex" in well:
            row, col = (
                _index(well["rowIndex"], f"{ww}.rowIndex"),
                _index(well.get("columnIndex"), f"{ww}.columnIndex"),
            )
        else:  # 0.1-0.3 wells only had a path "A/1"
            parts = path.split("/")
            if len(parts) != 2 or parts[0] not in rows or parts[1] not in columns:
                raise _fail(f"well path {path!r} does not name a row/column", f"{ww}.path")
            row, col = rows.index(parts[0]), columns.index(parts[1])
        if row >= len(rows) or col >= len(columns):
            raise _fail(f"well {path!r} index outside the plate", ww)
        wells.append(WellRef(path, row, col))
    field_count = obj.get("field_count")
    acquisitions = obj.get("acquisitions", [])
    return Plate(
        rows=rows,
        columns=columns,
        wells=tuple(wells),
        name=obj.get("name") if isinstance(obj.get("name"), str) else None,
        field_count=field_count if isinstance(field_count, int) else None,
        acquisitions=tuple(a for a in acquisitions if isinstance(a, Mapping))
        if isinstance(acquisitions, list)
        else (),
    )


def _parse_well(value: Any, where: str) -> Well:
    obj = _obj(value, where)
    images = []
    for i, item in enumerate(_list(obj.get("images"), f"{where}.images")):
        iw = f"{where}.images[{i}]"
        image = _obj(item, iw)
        acq = image.get("acquisition")
        images.append(
            WellImage(_str(image.get("path"), f"{iw}.path"), acq if isinstance(acq, int) else None)
        )
    return Well(tuple(images))
