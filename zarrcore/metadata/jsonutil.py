"""Lenient JSON in, strict JSON out.

Readers accept bare ``NaN``/``Infinity``/``-Infinity`` tokens (FORMATS pitfall 1); writers
never emit them: non-finite floats become the strings ``"NaN"``, ``"Infinity"``,
``"-Infinity"``. numpy scalars and arrays are converted to plain JSON values.
"""

from __future__ import annotations

import json
import math
from typing import Any

import numpy as np

from zarrcore.errors import MetadataError


def loads_document(data: bytes, *, url: str | None = None, key: str | None = None) -> Any:
    """Parse a metadata document; malformed JSON raises MetadataError naming url and key."""
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
