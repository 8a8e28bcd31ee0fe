"""Shared validation helpers for the OME-NGFF parsers (errors name the offending key)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from zarrcore.errors import MetadataError


def _fail(message: str, where: str) -> MetadataError:
    return MetadataError(f"OME-NGFF: {message}", key=where)


def _obj(value: Any, where: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise _fail(f"expected an object, got {type(value).__name__}", where)
    return value


def _list(value: Any, where: str, *, non_empty: bool = True) -> Sequence[Any]:
    if not isinstance(value, list):
        raise _fail(f"expected a list, got {type(value).__name__}", where)
    if non_empty and not value:
        raise _fail("must not be empty", where)
    return value


def _str(value: Any, where: str) -> str:
    if not isinstance(value, str) or not value:
        raise _fail(f"expected a non-empty string, got {value!r}", where)
    return value


def _number(value: Any, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _fail(f"expected a number, got {value!r}", where)
    return float(value)


def _numbers(value: Any, where: str, length: int | None) -> tuple[float, ...]:
    items = _list(value, where)
    if length is not None and len(items) != length:
        raise _fail(f"has {len(items)} values, expected {length} (one per axis)", where)
    return tuple(_number(v, f"{where}[{i}]") for i, v in enumerate(items))
