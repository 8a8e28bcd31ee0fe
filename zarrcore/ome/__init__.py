"""OME-NGFF image metadata (FORMATS.md 7): 0.4 in ``.zattrs``, 0.5 in ``attributes.ome``.

:func:`parse_ome` turns a node's attributes into a small frozen model (:class:`OmeMetadata`)
with multiscale pyramids, omero rendering hints, labels, image-label, plate and well blocks.
Malformed metadata raises :class:`~zarrcore.errors.MetadataError` whose key names the
offending field (``multiscales[0].datasets[1].coordinateTransformations``). The model also
answers what a viewer asks: which arrays form the pyramid, per-level scale factors, the
y/x/channel axes, the default contrast window of a channel.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from zarrcore.ome._common import _fail, _list, _str
from zarrcore.ome.hcs import (
    ImageLabel,
    Plate,
    Well,
    WellImage,
    WellRef,
    _parse_image_label,
    _parse_plate,
    _parse_well,
)
from zarrcore.ome.multiscales import Axis, Dataset, Multiscale, Transform, _parse_multiscale
from zarrcore.ome.omero import (
    Omero,
    OmeroChannel,
    Window,
    _parse_omero,
    default_window,
    parse_color,
)

__all__ = [
    "Axis",
    "Dataset",
    "ImageLabel",
    "Multiscale",
    "OmeMetadata",
    "Omero",
    "OmeroChannel",
    "Plate",
    "Transform",
    "Well",
    "WellImage",
    "WellRef",
    "Window",
    "check_arrays",
    "default_window",
    "is_ome",
    "ome_of",
    "parse_color",
    "parse_ome",
]

# -- top level -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class OmeMetadata:
    """Everything OME-NGFF says about one group."""

    version: str | None
    multiscales: tuple[Multiscale, ...] = ()
    omero: Omero | None = None
    labels: tuple[str, ...] = ()
    image_label: ImageLabel | None = None
    plate: Plate | None = None
    well: Well | None = None

    @property
    def kind(self) -> str:
        """``plate``, ``well``, ``label-image``, ``image``, ``labels`` or ``other``."""
        if self.plate is not None:
            return "plate"
        if self.well is not None:
            return "well"
        if self.image_label is not None and self.multiscales:
            return "label-image"
        if self.multiscales:
            return "image"
        if self.labels:
            return "labels"
        return "other"

    @property
    def image(self) -> Multiscale | None:
        """The first multiscale (the one viewers show)."""
        return self.multiscales[0] if self.multiscales else None

    def channel(self, index: int) -> OmeroChannel | None:
        if self.omero is None or not 0 <= index < len(self.omero.channels):
            return None
        return self.omero.channels[index]


_OME_KEYS = ("multiscales", "omero", "labels", "image-label", "plate", "well")


def is_ome(attributes: Mapping[str, Any]) -> bool:
    """Cheap check: does this attribute dict carry OME-NGFF metadata?"""
    if isinstance(attributes.get("ome"), Mapping):
        return True
    return any(key in attributes for key in _OME_KEYS)


def parse_ome(attributes: Mapping[str, Any]) -> OmeMetadata | None:
    """Parse OME-NGFF metadata from a group's attributes; None if there is none.

    0.5+ keeps it under ``attributes["ome"]`` with ``version`` there; 0.1-0.4 put the blocks
    at the top level and the version in each multiscale (and in plate/well).
    """
    where_prefix = ""
    block: Mapping[str, Any]
    version: str | None
    if isinstance(attributes.get("ome"), Mapping):
        block = attributes["ome"]
        where_prefix = "ome."
        raw_version = block.get("version")
        if not isinstance(raw_version, str):
            raise _fail(f"ome.version must be a string, got {raw_version!r}", "ome.version")
        version = raw_version
    elif any(key in attributes for key in _OME_KEYS):
        block = attributes
        version = None
    else:
        return None

    multiscales: tuple[Multiscale, ...] = ()
    if "multiscales" in block:
        where = f"{where_prefix}multiscales"
        items = _list(block["multiscales"], where)
        multiscales = tuple(
            _parse_multiscale(item, f"{where}[{i}]", version) for i, item in enumerate(items)
        )
        if version is None:
            version = multiscales[0].version
    omero = (
        _parse_omero(block["omero"], f"{where_prefix}omero")
        if block.get("omero") is not None
        else None
    )
    labels: tuple[str, ...] = ()
    if "labels" in block:
        raw_labels = _list(block["labels"], f"{where_prefix}labels", non_empty=False)
        labels = tuple(_str(v, f"{where_prefix}labels[{i}]") for i, v in enumerate(raw_labels))
    image_label = (
        _parse_image_label(block["image-label"], f"{where_prefix}image-label")
        if block.get("image-label") is not None
        else None
    )
    plate = (
        _parse_plate(block["plate"], f"{where_prefix}plate")
        if block.get("plate") is not None
        else None
    )
    well = (
        _parse_well(block["well"], f"{where_prefix}well") if block.get("well") is not None else None
    )
    if version is None:
        for sub in (block.get("plate"), block.get("well"), block.get("image-label")):
            if isinstance(sub, Mapping) and isinstance(sub.get("version"), str):
                version = sub["version"]
                break
    return OmeMetadata(version, multiscales, omero, labels, image_label, plate, well)


def ome_of(node: Any) -> OmeMetadata | None:
    """OME-NGFF metadata of a zarrcore Group (or anything with ``.attrs``), or None."""
    attrs = getattr(node, "attrs", None)
    if attrs is None:
        return None
    return parse_ome(dict(attrs))


def check_arrays(
    multiscale: Multiscale,
    shapes: Mapping[str, Sequence[int]],
    dimension_names: Mapping[str, Sequence[str | None] | None] | None = None,
) -> None:
    """Check that each level's array exists and has one axis per OME axis (and, for v3,
    matching ``dimension_names``). Raises MetadataError naming the dataset path."""
    for dataset in multiscale.datasets:
        shape = shapes.get(dataset.path)
        if shape is None:
            raise _fail("pyramid level array is missing", dataset.path)
        if len(shape) != multiscale.ndim:
            raise _fail(
                f"array has {len(shape)} dimensions, the axes list {multiscale.ndim}", dataset.path
            )
        names = (dimension_names or {}).get(dataset.path)
        if (
            names is not None
            and any(n is not None for n in names)
            and tuple(names) != multiscale.axis_names
        ):
            raise _fail(
                f"dimension_names {list(names)} differ from the axes {list(multiscale.axis_names)}",
                dataset.path,
            )
