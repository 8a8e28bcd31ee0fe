"""The individual zarr v3 codecs and :func:`make_codec`, which builds one from its JSON.

bytes->bytes compressors delegate to zarrcore's codec registry (tolerant gzip/zstd readers,
numcodecs otherwise); ``crc32c`` verifies on read and reports a mismatch as a corrupt chunk.
"""

from __future__ import annotations

from typing import Any

import crc32c as _crc32c
import numpy as np

from zarrcore.codecs import blosc_fast
from zarrcore.codecs.registry import Codec, get_codec
from zarrcore.codecs.v3_chain import (
    ArrayArrayCodec,
    ArrayBytesCodec,
    Buffer,
    BytesBytesCodec,
    ChunkSpec,
    spec_with_dtype,
)
from zarrcore.codecs.v3_mapping import ARRAY_ARRAY_IDS, ARRAY_BYTES_IDS
from zarrcore.errors import CorruptChunkError, MetadataError, UnsupportedCodecError

_SHUFFLE_INT = {"noshuffle": 0, "shuffle": 1, "bitshuffle": 2}


def _as_bytes(data: Any) -> bytes:
    if isinstance(data, bytes):
        return data
    if isinstance(data, np.ndarray):
        return data.tobytes()
    return bytes(data)


# -- array -> array -------------------------------------------------------------------------


class TransposeCodec(ArrayArrayCodec):
    def __init__(self, order: Any, ndim: int) -> None:
        if not isinstance(order, list | tuple) or sorted(int(o) for o in order) != list(
            range(ndim)
        ):
            raise MetadataError(
                f"transpose order {order!r} is not a permutation of {ndim} axes", key="codecs"
            )
        self.order = tuple(int(o) for o in order)
        self.inverse = tuple(int(i) for i in np.argsort(self.order))

    def resolve(self, spec: ChunkSpec) -> ChunkSpec:
        return ChunkSpec(tuple(spec.shape[i] for i in self.order), spec.data_type, spec.fill_value)

    def encode(self, array: np.ndarray, spec: ChunkSpec) -> np.ndarray:
        return array.transpose(self.order)

    def decode(self, array: np.ndarray, spec: ChunkSpec) -> np.ndarray:
        return array.transpose(self.inverse)


class NumcodecsArrayCodec(ArrayArrayCodec):
    """A numcodecs filter wrapped by zarr-python 3 as ``numcodecs.<id>`` (array->array)."""

    def __init__(self, codec: Codec, config: dict[str, Any], codec_id: str) -> None:
        self.codec = codec
        self.codec_id = codec_id
        self.astype = config.get("astype") or config.get("encode_dtype")

    def resolve(self, spec: ChunkSpec) -> ChunkSpec:
        if self.codec_id == "packbits":  # flat uint8: one header byte + the packed bits
            count = int(np.prod(spec.shape, dtype=np.int64))
            packed = spec_with_dtype(spec, "u1")
            return ChunkSpec((1 + -(-count // 8),), packed.data_type, 0)
        if self.astype:
            return spec_with_dtype(spec, self.astype)
        return spec

    def encode(self, array: np.ndarray, spec: ChunkSpec) -> np.ndarray:
        encoded = np.asarray(self.codec.encode(np.ascontiguousarray(array)))
        target = self.resolve(spec)
        return encoded.view(target.dtype).reshape(target.shape)

    def decode(self, array: np.ndarray, spec: ChunkSpec) -> np.ndarray:
        decoded = np.asarray(self.codec.decode(np.ascontiguousarray(array)))
        if decoded.dtype != spec.dtype:
            if decoded.dtype.itemsize == spec.dtype.itemsize and spec.dtype.kind in "VSU":
                decoded = decoded.view(spec.dtype)
            else:
                decoded = decoded.astype(spec.dtype)
        return decoded.reshape(spec.shape)


# -- array -> bytes -------------------------------------------------------------------------


class BytesCodec(ArrayBytesCodec):
    def __init__(self, endian: str | None) -> None:
        if endian not in (None, "little", "big"):
            raise MetadataError(
                f"bytes codec endian {endian!r} must be little or big", key="codecs"
            )
        self.endian = endian
        self._stored: dict[np.dtype[Any], np.dtype[Any]] = {}

    def _stored_dtype(self, spec: ChunkSpec) -> np.dtype[Any]:
        """The on-disk dtype (cached: this runs once per chunk on the hot path)."""
        stored = self._stored.get(spec.dtype)
        if stored is None:
            stored = self._stored[spec.dtype] = self._compute_stored(spec)
        return stored

    def _compute_stored(self, spec: ChunkSpec) -> np.dtype[Any]:
        dt = spec.dtype
        if spec.data_type.is_variable_length:
            raise UnsupportedCodecError(
                f"the bytes codec cannot store {spec.data_type.name}; use vlen-utf8/vlen-bytes"
            )
        if self.endian == "big" and spec.data_type.has_endianness:
            return dt.newbyteorder(">")
        if spec.data_type.has_endianness:
            return dt.newbyteorder("<")
        return dt

    def encode(self, array: np.ndarray, spec: ChunkSpec) -> bytes:
        stored = self._stored_dtype(spec)
        return np.ascontiguousarray(array, dtype=stored).tobytes()

    def decode(self, data: Buffer, spec: ChunkSpec, *, key: str, url: str) -> np.ndarray:
        stored = self._stored_dtype(spec)
        expected = spec.nbytes
        if len(data) != expected:
            raise CorruptChunkError(
                f"chunk holds {len(data)} bytes, expected {expected} for {spec.shape} "
                f"{spec.data_type.name}",
                url=url,
                key=key,
            )
        array = np.frombuffer(data, dtype=stored).reshape(spec.shape)
        if stored is not spec.dtype and stored != spec.dtype:
            array = array.astype(spec.dtype)
        return array


class VLenCodec(ArrayBytesCodec):
    """``vlen-utf8`` / ``vlen-bytes`` (numcodecs framing, FORMATS.md 4.4)."""

    def __init__(self, kind: str) -> None:
        from numcodecs import VLenBytes, VLenUTF8

        self.kind = kind
        self.codec: Any = VLenUTF8() if kind == "utf8" else VLenBytes()

    def encode(self, array: np.ndarray, spec: ChunkSpec) -> bytes:
        flat = np.ascontiguousarray(array, dtype=object).reshape(-1)
        return _as_bytes(self.codec.encode(flat))

    def decode(self, data: Buffer, spec: ChunkSpec, *, key: str, url: str) -> np.ndarray:
        items = np.asarray(self.codec.decode(data), dtype=object)
        count = int(np.prod(spec.shape, dtype=np.int64))
        if items.size != count:
            raise CorruptChunkError(
                f"chunk holds {items.size} items, expected {count}", url=url, key=key
            )
        return items.reshape(spec.shape)


class NumcodecsArrayBytesCodec(ArrayBytesCodec):
    """``numcodecs.pcodec`` / ``numcodecs.zfpy``: numcodecs compressors of whole arrays."""

    def __init__(self, codec: Codec) -> None:
        self.codec = codec

    def encode(self, array: np.ndarray, spec: ChunkSpec) -> bytes:
        return _as_bytes(self.codec.encode(np.ascontiguousarray(array, dtype=spec.dtype)))

    def decode(self, data: Buffer, spec: ChunkSpec, *, key: str, url: str) -> np.ndarray:
        out = np.asarray(self.codec.decode(data))
        return (
            out.view(spec.dtype).reshape(spec.shape)
            if out.dtype != spec.dtype
            else out.reshape(spec.shape)
        )


# -- bytes -> bytes -------------------------------------------------------------------------


class Crc32cCodec(BytesBytesCodec):
    def encode(self, data: bytes) -> bytes:
        return data + int(_crc32c.crc32c(data)).to_bytes(4, "little")

    def decode(self, data: Buffer, *, key: str, url: str) -> Buffer:
        if len(data) < 4:
            raise CorruptChunkError("chunk too short for its crc32c checksum", url=url, key=key)
        body = data[:-4]
        stored = int.from_bytes(data[-4:], "little")
        actual = int(_crc32c.crc32c(body))
        if stored != actual:
            raise CorruptChunkError(
                f"crc32c checksum mismatch (stored {stored:08x}, computed {actual:08x})",
                url=url,
                key=key,
            )
        return body


class RegistryBytesCodec(BytesBytesCodec):
    """A compressor from zarrcore's codec registry (numcodecs semantics)."""

    def __init__(self, codec: Codec, *, typesize: int = 1) -> None:
        self.codec = codec
        self.typesize = typesize
        #: blosc frames decode through python-blosc when installed (zarrcore.codecs.blosc_fast)
        self._fast_blosc = getattr(codec, "codec_id", None) == "blosc" and blosc_fast.available()

    def encode(self, data: bytes) -> bytes:
        buffer: Any = data
        if self.typesize in (2, 4, 8) and len(data) % self.typesize == 0:
            buffer = np.frombuffer(data, dtype=f"u{self.typesize}")
        return _as_bytes(self.codec.encode(buffer))

    def decode(self, data: Buffer, *, key: str, url: str) -> Buffer:
        if self._fast_blosc:
            decoded = blosc_fast.decompress(data)
            if decoded is not None:
                return decoded
        return _as_bytes(self.codec.decode(data))


def _registry(config: dict[str, Any], typesize: int = 1) -> RegistryBytesCodec:
    return RegistryBytesCodec(get_codec(config), typesize=typesize)


def _blosc(conf: dict[str, Any], spec: ChunkSpec) -> RegistryBytesCodec:
    shuffle = conf.get("shuffle", "noshuffle")
    if isinstance(shuffle, str):
        if shuffle not in _SHUFFLE_INT:
            raise MetadataError(f"blosc shuffle {shuffle!r} unknown", key="codecs")
        shuffle_int = _SHUFFLE_INT[shuffle]
    else:
        shuffle_int = int(shuffle)
    typesize = int(conf.get("typesize") or 0) or (
        1 if spec.data_type.is_variable_length else spec.dtype.itemsize
    )
    config = {
        "id": "blosc",
        "cname": conf.get("cname", "zstd"),
        "clevel": int(conf.get("clevel", 5)),
        "shuffle": shuffle_int,
        "blocksize": int(conf.get("blocksize", 0)),
    }
    return _registry(config, typesize)


# -- factory --------------------------------------------------------------------------------


def make_codec(
    name: str, conf: dict[str, Any], spec: ChunkSpec
) -> ArrayArrayCodec | ArrayBytesCodec | BytesBytesCodec:
    """Build the codec ``name`` with ``conf`` for arrays described by ``spec``."""
    if name == "bytes" or name == "endian":
        return BytesCodec(conf.get("endian"))
    if name == "transpose":
        return TransposeCodec(conf.get("order"), len(spec.shape))
    if name in ("vlen-utf8", "vlen-bytes"):
        return VLenCodec("utf8" if name == "vlen-utf8" else "bytes")
    if name == "sharding_indexed":
        from zarrcore.codecs.sharding import ShardingCodec

        return ShardingCodec(conf, spec)
    if name == "crc32c":
        return Crc32cCodec()
    if name == "gzip":
        return _registry({"id": "gzip", "level": int(conf.get("level", 5))})
    if name == "zstd":
        return _registry(
            {
                "id": "zstd",
                "level": int(conf.get("level", 0)),
                "checksum": bool(conf.get("checksum", False)),
            }
        )
    if name == "blosc":
        return _blosc(conf, spec)
    if name.startswith("numcodecs."):
        codec_id = name[len("numcodecs.") :]
        config = {"id": codec_id, **conf}
        if codec_id == "crc32c" and conf.get("location", "end") == "end":
            return Crc32cCodec()
        codec = get_codec(config)
        if codec_id in ARRAY_ARRAY_IDS:
            return NumcodecsArrayCodec(codec, conf, codec_id)
        if codec_id in ARRAY_BYTES_IDS:
            return NumcodecsArrayBytesCodec(codec)
        return RegistryBytesCodec(codec)
    raise UnsupportedCodecError(f"unsupported zarr v3 codec {name!r}", key="codecs")
