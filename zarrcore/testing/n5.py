"""Test helpers for N5: read or write a whole array chunk by chunk through a store's zarr key
space and the ``n5_wrapper`` codec, without the array API (so store and codec are tested on
their own)."""

from __future__ import annotations

import json
import math
from typing import Any

import numpy as np
import numpy.typing as npt

from zarrcore.codecs.registry import get_codec
from zarrcore.errors import NotFoundError
from zarrcore.store.base import Store


def _grid(shape: list[int], chunks: list[int]) -> list[int]:
    return [math.ceil(s / c) for s, c in zip(shape, chunks, strict=True)]


def read_array(store: Store, path: str) -> npt.NDArray[Any]:
    """The array at ``path`` assembled from its chunks (missing chunks read as 0)."""
    prefix = f"{path}/" if path else ""
    zarray = json.loads(store.get(prefix + ".zarray"))
    codec = get_codec(zarray["compressor"])
    shape, chunks = list(zarray["shape"]), list(zarray["chunks"])
    out = np.zeros(shape, dtype=zarray["dtype"])
    for coords in np.ndindex(*_grid(shape, chunks)):
        try:
            block = store.get(prefix + ".".join(map(str, coords)))
        except NotFoundError:
            continue
        chunk = np.asarray(codec.decode(block)).reshape(chunks)
        region = tuple(
            slice(i * c, min((i + 1) * c, s)) for i, c, s in zip(coords, chunks, shape, strict=True)
        )
        out[region] = chunk[tuple(slice(0, r.stop - r.start) for r in region)]
    return out


def write_array(store: Store, path: str, data: npt.NDArray[Any]) -> None:
    """Write every chunk of ``data`` to the array at ``path`` (its ``.zarray`` must exist)."""
    prefix = f"{path}/" if path else ""
    zarray = json.loads(store.get(prefix + ".zarray"))
    codec = get_codec(zarray["compressor"])
    chunks = list(zarray["chunks"])
    for coords in np.ndindex(*_grid(list(data.shape), chunks)):
        region = tuple(slice(i * c, (i + 1) * c) for i, c in zip(coords, chunks, strict=True))
        chunk = np.zeros(chunks, dtype=zarray["dtype"])
        part = data[region]
        chunk[tuple(slice(0, n) for n in part.shape)] = part
        store.set(prefix + ".".join(map(str, coords)), bytes(codec.encode(chunk)))


def zarray_document(
    shape: list[int],
    chunks: list[int],
    dtype: str,
    compressor: dict[str, Any] | None,
    **extra: Any,
) -> bytes:
    """A ``.zarray`` document as zarr-python 2 writes it before the N5 translation."""
    doc: dict[str, Any] = {
        "zarr_format": 2,
        "shape": shape,
        "chunks": chunks,
        "dtype": dtype,
        "compressor": compressor,
        "fill_value": 0,
        "order": "C",
        "filters": None,
    }
    doc.update(extra)
    return json.dumps(doc).encode()
