"""Choose v3 codec chains for new arrays and map numcodecs objects onto v3 codecs.

``default_codec_chain`` reproduces zarr-python 3.1's defaults (FORMATS.md 3.4): ``bytes``
(little endian where it applies) + ``zstd`` level 0 for fixed-size types, ``vlen-utf8`` /
``vlen-bytes`` for variable-length ones, ``sharding_indexed`` with a ``[bytes, crc32c]`` index
at the end when sharded.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from zarrcore.errors import UnsupportedCodecError
from zarrcore.metadata.v3_dtypes import V3DataType

CodecJSON = dict[str, Any]

_BLOSC_SHUFFLE = {0: "noshuffle", 1: "shuffle", 2: "bitshuffle"}
#: numcodecs ids zarr-python 3 wraps as array->array codecs (numcodecs.zarr3)
ARRAY_ARRAY_IDS = frozenset(
    {"delta", "fixedscaleoffset", "quantize", "astype", "packbits", "bitround", "categorize"}
)
#: numcodecs ids that turn an array into bytes (not wrapped as bytes->bytes)
ARRAY_BYTES_IDS = frozenset({"pcodec", "zfpy"})


def zstd_codec(level: int = 0, checksum: bool = False) -> CodecJSON:
    return {"name": "zstd", "configuration": {"level": level, "checksum": checksum}}


def bytes_codec(data_type: V3DataType, endian: str = "little") -> CodecJSON:
    if not data_type.has_endianness:
        return {"name": "bytes"}
    return {"name": "bytes", "configuration": {"endian": endian}}


def serializer_for(data_type: V3DataType) -> CodecJSON:
    if data_type.category == "string":
        return {"name": "vlen-utf8", "configuration": {}}
    if data_type.category == "bytes":
        return {"name": "vlen-bytes", "configuration": {}}
    return bytes_codec(data_type)


def crc32c_codec() -> CodecJSON:
    return {"name": "crc32c"}


def _config_of(codec: Any) -> dict[str, Any]:
    if isinstance(codec, Mapping):
        return dict(codec)
    get_config = getattr(codec, "get_config", None)
    if get_config is None:
        raise UnsupportedCodecError(f"not a codec: {codec!r}")
    return dict(get_config())


def numcodecs_to_v3(codec: Any, data_type: V3DataType) -> CodecJSON:
    """Map a numcodecs codec object (or ``{"id": ...}`` config, or a v3 codec JSON) to v3."""
    config = _config_of(codec)
    if "name" in config and "id" not in config:
        return config  # already a v3 codec document
    codec_id = str(config.pop("id", ""))
    if not codec_id:
        raise UnsupportedCodecError(f"codec config without id: {config!r}")
    if codec_id == "blosc":
        shuffle = int(config.get("shuffle", 1))
        itemsize = max(1, data_type.dtype.itemsize) if not data_type.is_variable_length else 1
        if shuffle == -1:
            shuffle = 2 if itemsize == 1 else 1
        return {
            "name": "blosc",
            "configuration": {
                "typesize": itemsize,
                "cname": str(config.get("cname", "lz4")),
                "clevel": int(config.get("clevel", 5)),
                "shuffle": _BLOSC_SHUFFLE.get(shuffle, "shuffle"),
                "blocksize": int(config.get("blocksize", 0)),
            },
        }
    if codec_id == "zstd":
        return zstd_codec(int(config.get("level", 0)), bool(config.get("checksum", False)))
    if codec_id == "gzip":
        return {"name": "gzip", "configuration": {"level": int(config.get("level", 1))}}
    if codec_id == "crc32c" and config.get("location", "end") == "end":
        return crc32c_codec()
    return {"name": f"numcodecs.{codec_id}", "configuration": config}


def _compressor_codecs(compressor: Any, data_type: V3DataType) -> list[CodecJSON]:
    if compressor is None:
        return []
    if isinstance(compressor, str) and compressor == "default":
        return [zstd_codec()]
    if isinstance(compressor, list | tuple):
        return [numcodecs_to_v3(c, data_type) for c in compressor]
    return [numcodecs_to_v3(compressor, data_type)]


def default_codec_chain(
    data_type: V3DataType,
    *,
    ndim: int,
    compressor: Any = "default",
    filters: Sequence[Any] | None = None,
    order: str = "C",
    inner_chunks: Sequence[int] | None = None,
    index_location: str = "end",
) -> list[CodecJSON]:
    """The codec list for a new array; sharded (``inner_chunks`` given) or not."""
    chain: list[CodecJSON] = []
    if order == "F" and ndim > 1:
        chain.append({"name": "transpose", "configuration": {"order": list(range(ndim))[::-1]}})
    for item in filters or ():
        mapped = numcodecs_to_v3(item, data_type)
        if mapped["name"] in ("numcodecs.vlen-utf8", "numcodecs.vlen-bytes"):
            continue  # object codecs become the serializer chosen from the data type
        chain.append(mapped)
    chain.append(serializer_for(data_type))
    chain.extend(_compressor_codecs(compressor, data_type))
    if inner_chunks is None:
        return chain
    return [
        {
            "name": "sharding_indexed",
            "configuration": {
                "chunk_shape": [int(c) for c in inner_chunks],
                "codecs": chain,
                "index_codecs": [
                    {"name": "bytes", "configuration": {"endian": "little"}},
                    crc32c_codec(),
                ],
                "index_location": index_location,
            },
        }
    ]
