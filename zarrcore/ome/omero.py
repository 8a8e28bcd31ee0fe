"""OME-NGFF ``omero`` rendering hints: channel colours and contrast windows."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from zarrcore.ome._common import _fail, _list, _number, _obj, _str

# -- omero ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Window:
    start: float
    end: float
    min: float | None = None
    max: float | None = None


@dataclass(frozen=True, slots=True)
class OmeroChannel:
    label: str | None
    color: tuple[int, int, int] | None
    window: Window | None
    active: bool = True
    inverted: bool = False
    family: str | None = None
    coefficient: float | None = None


@dataclass(frozen=True, slots=True)
class Omero:
    channels: tuple[OmeroChannel, ...]
    rdefs: Mapping[str, Any] = field(default_factory=dict)

    @property
    def default_z(self) -> int | None:
        value = self.rdefs.get("defaultZ")
        return value if isinstance(value, int) and not isinstance(value, bool) else None

    @property
    def default_t(self) -> int | None:
        value = self.rdefs.get("defaultT")
        return value if isinstance(value, int) and not isinstance(value, bool) else None


def parse_color(value: Any, where: str) -> tuple[int, int, int]:
    """``"00FF00"`` (also tolerates a leading ``#``) -> ``(0, 255, 0)``."""
    text = _str(value, where).lstrip("#")
    if len(text) != 6:
        raise _fail(f"color {value!r} must be 6 hex digits (RRGGBB)", where)
    try:
        raw = bytes.fromhex(text)
    except ValueError:
        raise _fail(f"color {value!r} is not hexadecimal", where) from None
    return raw[0], raw[1], raw[2]


def _parse_omero(value: Any, where: str) -> Omero:
    obj = _obj(value, where)
    channels: list[OmeroChannel] = []
    for i, item in enumerate(_list(obj.get("channels", []), f"{where}.channels", non_empty=False)):
        cw = f"{where}.channels[{i}]"
        ch = _obj(item, cw)
        color = parse_color(ch["color"], f"{cw}.color") if ch.get("color") is not None else None
        window = None
        if ch.get("window") is not None:
            w = _obj(ch["window"], f"{cw}.window")
            start = _number(w.get("start"), f"{cw}.window.start")
            end = _number(w.get("end"), f"{cw}.window.end")
            wmin = _number(w["min"], f"{cw}.window.min") if w.get("min") is not None else None
            wmax = _number(w["max"], f"{cw}.window.max") if w.get("max") is not None else None
            window = Window(start, end, wmin, wmax)
        label = ch.get("label")
        coefficient = ch.get("coefficient")
        channels.append(
            OmeroChannel(
                label=str(label) if label is not None else None,
                color=color,
                window=window,
                active=bool(ch.get("active", True)),
                inverted=bool(ch.get("inverted", False)),
                family=ch.get("family") if isinstance(ch.get("family"), str) else None,
                coefficient=_number(coefficient, f"{cw}.coefficient")
                if coefficient is not None
                else None,
            )
        )
    rdefs = obj.get("rdefs", {})
    return Omero(tuple(channels), dict(rdefs) if isinstance(rdefs, Mapping) else {})


def default_window(channel: OmeroChannel | None, dtype: Any) -> tuple[float, float] | None:
    """The contrast window to start with: omero ``window.start/end``, else the dtype range
    for integer types, else None (the caller takes the frame's min/max)."""
    if (
        channel is not None
        and channel.window is not None
        and channel.window.end > channel.window.start
    ):
        return channel.window.start, channel.window.end
    dt = np.dtype(dtype)
    if dt.kind in "iu":
        info = np.iinfo(dt)
        return float(info.min), float(info.max)
    if dt.kind == "b":
        return 0.0, 1.0
    return None
