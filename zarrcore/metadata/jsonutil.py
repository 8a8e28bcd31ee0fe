"""Lenient JSON in, strict JSON out.

Readers accept bare ``NaN``/``Infinity``/``-Infinity`` tokens (FORMATS pitfall 1); writers
never emit them: non-finite floats become the strings ``"NaN"``, ``"Infinity"``,
``"-Infinity"``. numpy scalars and arrays are converted to plain JSON values.
"""

from __future__ import annotations

import json
import math
from types import ModuleType
from typing import Any

import numpy as np

from zarrcore.errors import MetadataError

_orjson: ModuleType | None
try:  # orjson parses big documents (consolidated metadata) ~2x faster than the stdlib
    import orjson as _orjson
except ImportError:  # pragma: no cover - a declared dependency; the stdlib still works
    _orjson = None

#: digits -> "0", everything else -> " ": a run of 19 zeros after translating means an
#: integer literal orjson may turn into a float (outside int64/uint64)
_DIGIT_MASK = bytes(0x30 if 0x30 <= i <= 0x39 else 0x20 for i in range(256))
_LONG_INTEGER = b"0" * 19


def _fast_loads(data: bytes) -> Any:
    """orjson's result when it gives exactly what the stdlib parser would, else None.

    orjson refuses bare NaN/Infinity tokens, a UTF-8 BOM, lone surrogates and numbers that
    overflow a double, and reads integers outside int64/uint64 as floats; documents with
    any of these (or with a long digit run anywhere, to be safe) go to the stdlib parser.
    """
    if _orjson is None or _LONG_INTEGER in data.translate(_DIGIT_MASK):
        return None
    try:
        return _orjson.loads(data)
    except _orjson.JSONDecodeError:
        return None


def loads_document(data: bytes, *, url: str | None = None, key: str | None = None) -> Any:
    """Parse a metadata document; malformed JSON raises MetadataError naming url and key."""
    value = _fast_loads(data)
    if value is not None:
        return value
    try:
        text = data.decode("utf-8-sig")
        return json.loads(text)  # the stdlib parser accepts NaN / Infinity / -Infinity
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise MetadataError(f"malformed JSON metadata: {exc}", url=url, key=key) from None


def jsonable(value: Any) -> Any:
    """Recursively turn numpy values and non-finite floats into strict-JSON values."""
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, np.ndarray):
        return jsonable(value.tolist())
    if isinstance(value, np.generic):
        return jsonable(value.item())
    if isinstance(value, float):
        if math.isnan(value):
            return "NaN"
        if math.isinf(value):
            return "Infinity" if value > 0 else "-Infinity"
        return value
    if isinstance(value, bytes):
        raise TypeError("bytes are not JSON-serialisable")
    return value


def dumps_v2(value: Any) -> bytes:
    """zarr-python 2 layout: indent 4, sorted keys, ASCII, no bare NaN."""
    return json.dumps(
        jsonable(value),
        indent=4,
        sort_keys=True,
        ensure_ascii=True,
        separators=(",", ": "),
        allow_nan=False,
    ).encode("ascii")
