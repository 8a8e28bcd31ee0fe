"""N5 ``attributes.json`` <-> zarr v2 documents (FORMATS.md 6.1, 6.4). Pure functions, no IO.

The mapping follows zarr-python 2.18's ``N5Store`` so that stores move both ways:

- a dataset (``dimensions`` present) reads as ``.zarray``: shape and chunks reversed,
  ``dataType`` -> the NumPy dtype string of this machine's byte order (what zarr-python
  reports; the codec byte-swaps the big-endian block data), fill 0, order C, filters ``[]``,
  separator ``.``, and the compressor wrapped as ``{"id": "n5_wrapper", "compressor_config":
  ..., "dtype": ..., "chunk_shape": ...}``;
- any other ``attributes.json`` reads as ``.zgroup``; ``.zattrs`` is every key that is not an
  N5 keyword.

Writing refuses what N5 cannot hold (fill value other than 0/None, order F, filters, dtypes
outside the ten N5 types) with a :class:`~zarrcore.errors.MetadataError` or
:class:`~zarrcore.errors.UnsupportedError`. lz4 is always written as n5-java's
``{"type": "lz4", "blockSize": ...}`` (LZ4Block framing), never numcodecs' variant.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from zarrcore.errors import MetadataError, UnsupportedError

N5_VERSION = "2.0.0"
WRAPPER_ID = "n5_wrapper"
#: keys that belong to N5 itself and never show as user attributes
N5_KEYWORDS = ("n5", "dataType", "dimensions", "blockSize", "compression", "compressionType")
N5_DATA_TYPES = (
    "uint8",
    "uint16",
    "uint32",
    "uint64",
    "int8",
    "int16",
    "int32",
    "int64",
    "float32",
    "float64",
)
#: defaults n5-java assumes when a compression object omits a parameter
_DEFAULT_GZIP_LEVEL = -1
_DEFAULT_BZIP2_BLOCK_SIZE = 9
_DEFAULT_XZ_PRESET = 6
_DEFAULT_LZ4_BLOCK_SIZE = 65536


def is_dataset(attrs: dict[str, Any]) -> bool:
    return "dimensions" in attrs


def user_attributes(attrs: dict[str, Any]) -> dict[str, Any]:
    """Everything in ``attributes.json`` that is not an N5 keyword.

    Old z5 versions wrote ``"zarr_format": 2`` into N5 groups; that marker is hidden too.
    """
    hidden = set(N5_KEYWORDS)
    if attrs.get("zarr_format") == 2 and not is_dataset(attrs):
        hidden.add("zarr_format")
    return {k: v for k, v in attrs.items() if k not in hidden}


def _int_list(value: Any, field: str, *, url: str | None, key: str | None) -> list[int]:
    if not isinstance(value, list) or not all(
        isinstance(v, int) and not isinstance(v, bool) and v >= 0 for v in value
    ):
        raise MetadataError(f"N5 {field} must be a list of non-negative integers", url=url, key=key)
    return list(value)


def n5_dtype(data_type: Any, *, url: str | None = None, key: str | None = None) -> np.dtype[Any]:
    """The NumPy dtype (native byte order) of an N5 ``dataType``."""
    if data_type not in N5_DATA_TYPES:
        raise UnsupportedError(f"unsupported N5 dataType {data_type!r}", url=url, key=key)
    return np.dtype(str(data_type))


def compression_of(attrs: dict[str, Any]) -> dict[str, Any]:
    """The ``compression`` object of a dataset, also for legacy ``compressionType`` data."""
    compression = attrs.get("compression")
    if compression is None and "compressionType" in attrs:
        compression = {"type": attrs["compressionType"]}
    if compression is None:
        compression = {"type": "raw"}
    return compression if isinstance(compression, dict) else {"type": compression}


def compression_to_zarr(
    compression: dict[str, Any], *, url: str | None = None, key: str | None = None
) -> dict[str, Any] | None:
    """An N5 ``compression`` object as a zarr compressor config (``None`` = raw)."""
    kind = compression.get("type")
    if not isinstance(kind, str):
        raise MetadataError("N5 compression has no type", url=url, key=key)
    if kind == "raw":
        return None
    if kind == "gzip":
        level = compression.get("level", _DEFAULT_GZIP_LEVEL)
        return {"id": "zlib" if compression.get("useZlib") else "gzip", "level": level}
    if kind == "bzip2":
        return {"id": "bz2", "level": compression.get("blockSize", _DEFAULT_BZIP2_BLOCK_SIZE)}
    if kind == "xz":
        preset = compression.get("preset", _DEFAULT_XZ_PRESET)
        return {"id": "lzma", "format": 1, "check": -1, "preset": preset, "filters": None}
    if kind == "lzma":
        return {
            "id": "lzma",
            "format": compression.get("format", 1),
            "check": compression.get("check", -1),
            "preset": compression.get("preset"),
            "filters": compression.get("filters"),
        }
    if kind == "blosc":  # old z5 wrote "codec"/"level" for n5-blosc's "cname"/"clevel"
        return {
            "id": "blosc",
            "cname": compression.get("cname", compression.get("codec", "lz4")),
            "clevel": compression.get("clevel", compression.get("level", 5)),
            "shuffle": compression.get("shuffle", 1),
            "blocksize": compression.get("blocksize", 0),
        }
    if kind == "lz4":
        rest = {k: v for k, v in compression.items() if k != "type"}
        return {"id": "lz4", **rest}
    return {"id": kind, **{k: v for k, v in compression.items() if k != "type"}}


def compressor_to_n5(compressor: dict[str, Any] | None) -> dict[str, Any]:
    """A zarr compressor config (possibly wrapped in ``n5_wrapper``) as N5 ``compression``."""
    if compressor is None:
        return {"type": "raw"}
    if compressor.get("id") == WRAPPER_ID:
        inner = compressor.get("compressor_config")
        return compressor_to_n5(inner if isinstance(inner, dict) else None)
    codec_id = compressor.get("id")
    if codec_id == "gzip":
        return {"type": "gzip", "level": compressor.get("level", 1), "useZlib": False}
    if codec_id == "zlib":
        return {"type": "gzip", "level": compressor.get("level", 1), "useZlib": True}
    if codec_id == "bz2":
        return {"type": "bzip2", "blockSize": compressor.get("level", 1)}
    if codec_id == "lzma":
        preset = compressor.get("preset") or _DEFAULT_XZ_PRESET
        is_xz = compressor.get("format", 1) == 1 and compressor.get("check", -1) in (-1, 4)
        if is_xz and compressor.get("filters") is None:
            return {"type": "xz", "preset": preset}
        return {
            "type": "lzma",
            "format": compressor.get("format", 1),
            "check": compressor.get("check", -1),
            "preset": preset,
            "filters": compressor.get("filters"),
        }
    if codec_id == "blosc":
        return {
            "type": "blosc",
            "cname": compressor.get("cname", "lz4"),
            "clevel": compressor.get("clevel", 5),
            "shuffle": compressor.get("shuffle", 1),
            "blocksize": compressor.get("blocksize", 0),
        }
    if codec_id == "lz4":
        # n5-java's framing (LZ4Block); numcodecs' "acceleration" has no meaning there
        return {"type": "lz4", "blockSize": compressor.get("blockSize", _DEFAULT_LZ4_BLOCK_SIZE)}
    if codec_id == "zstd":
        return {"type": "zstd", "level": compressor.get("level", 3)}
    return {"type": codec_id, **{k: v for k, v in compressor.items() if k != "id"}}


def wrapper_config(
    dtype: np.dtype[Any], chunks: list[int], compressor: dict[str, Any] | None
) -> dict[str, Any]:
    return {
        "id": WRAPPER_ID,
        "compressor_config": compressor,
        "dtype": dtype.str,
        "chunk_shape": list(chunks),
    }


def attributes_to_zarray(
    attrs: dict[str, Any], *, url: str | None = None, key: str | None = None
) -> dict[str, Any]:
    """A dataset's ``attributes.json`` as a ``.zarray`` document."""
    if not is_dataset(attrs):
        raise MetadataError("N5 attributes have no 'dimensions': not a dataset", url=url, key=key)
    shape = _int_list(attrs["dimensions"], "dimensions", url=url, key=key)[::-1]
    if "blockSize" not in attrs:
        raise MetadataError("N5 dataset has no 'blockSize'", url=url, key=key)
    chunks = _int_list(attrs["blockSize"], "blockSize", url=url, key=key)[::-1]
    if len(chunks) != len(shape):
        raise MetadataError("N5 blockSize and dimensions differ in length", url=url, key=key)
    if "dataType" not in attrs:
        raise MetadataError("N5 dataset has no 'dataType'", url=url, key=key)
    dtype = n5_dtype(attrs["dataType"], url=url, key=key)
    compressor = compression_to_zarr(compression_of(attrs), url=url, key=key)
    return {
        "chunks": chunks,
        "compressor": wrapper_config(dtype, chunks, compressor),
        "dimension_separator": ".",
        "dtype": dtype.str,
        "fill_value": 0,
        "filters": [],
        "order": "C",
        "shape": shape,
        "zarr_format": 2,
    }


def zarray_to_attributes(
    zarray: dict[str, Any], *, top_level: bool, url: str | None = None, key: str | None = None
) -> dict[str, Any]:
    """The N5 keys for a ``.zarray`` document; refuses what N5 cannot store."""
    fill = zarray.get("fill_value")
    if fill is not None and fill != 0:
        raise MetadataError(
            f"N5 datasets always have fill value 0; cannot store fill_value={fill!r}",
            url=url,
            key=key,
        )
    if zarray.get("order", "C") != "C":
        raise MetadataError("N5 stores C order only; cannot store order 'F'", url=url, key=key)
    if zarray.get("filters"):
        raise MetadataError("N5 has no zarr filters; cannot store filters", url=url, key=key)
    try:
        dtype = np.dtype(zarray["dtype"])
        shape = [int(v) for v in zarray["shape"]]
        chunks = [int(v) for v in zarray["chunks"]]
    except (KeyError, TypeError, ValueError) as exc:
        raise MetadataError(f"invalid .zarray for N5: {exc}", url=url, key=key) from exc
    if dtype.name not in N5_DATA_TYPES:
        raise UnsupportedError(
            f"N5 cannot store dtype {dtype.str!r} (only {', '.join(N5_DATA_TYPES)})",
            url=url,
            key=key,
        )
    out: dict[str, Any] = {
        "dimensions": shape[::-1],
        "blockSize": chunks[::-1],
        "dataType": dtype.name,
        "compression": compressor_to_n5(zarray.get("compressor")),
    }
    if top_level:
        out["n5"] = N5_VERSION
    return out


def check_user_attributes(
    attrs: dict[str, Any], *, url: str | None = None, key: str | None = None
) -> None:
    """Refuse user attributes that would collide with N5's own keys."""
    clashes = sorted(k for k in attrs if k in N5_KEYWORDS)
    if clashes:
        raise MetadataError(
            f"attribute names reserved by N5 cannot be set: {', '.join(clashes)}",
            url=url,
            key=key,
        )
