"""The zarr v3 codec chain (FORMATS.md 3.4).

A chain is zero or more array->array codecs, exactly one array->bytes codec and zero or more
bytes->bytes codecs; decoding runs it in reverse. Codecs are bound to a :class:`ChunkSpec`
(the shape and data type of the array they see) when the chain is built, so the hot path
does no metadata work.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

import numpy as np

from zarrcore.errors import (
    CorruptChunkError,
    MetadataError,
    UnsupportedCodecError,
    UnsupportedError,
    ZarrcoreError,
)
from zarrcore.metadata.base import ChunkCodec, ChunkSelection
from zarrcore.metadata.v3_dtypes import V3DataType, data_type_from_numpy

if TYPE_CHECKING:
    from zarrcore.metadata.v3 import V3ArrayMetadata
    from zarrcore.store.base import Store

CodecJSON = dict[str, Any]
#: encoded bytes as codecs receive them (memoryview slices of a fetched shard avoid copies)
Buffer = bytes | memoryview


@dataclass(frozen=True, slots=True)
class ChunkSpec:
    """What a codec sees: a chunk ``shape`` of ``data_type`` with ``fill_value``."""

    shape: tuple[int, ...]
    data_type: V3DataType
    fill_value: Any
    #: decoded size in bytes (derived)
    nbytes: int = field(init=False, compare=False)

    def __post_init__(self) -> None:
        count = 1
        for size in self.shape:
            count *= int(size)
        object.__setattr__(self, "nbytes", count * self.data_type.dtype.itemsize)

    @property
    def dtype(self) -> np.dtype[Any]:
        return self.data_type.dtype


class ArrayArrayCodec(ABC):
    """array -> array (``transpose``, numcodecs filters)."""

    def resolve(self, spec: ChunkSpec) -> ChunkSpec:
        """The spec of the encoded array."""
        return spec

    @abstractmethod
    def encode(self, array: np.ndarray, spec: ChunkSpec) -> np.ndarray: ...

    @abstractmethod
    def decode(self, array: np.ndarray, spec: ChunkSpec) -> np.ndarray:
        """``spec`` is the *decoded* (input) spec."""


class ArrayBytesCodec(ABC):
    """array -> bytes (``bytes``, ``vlen-utf8``, ``vlen-bytes``, ``sharding_indexed``)."""

    @abstractmethod
    def encode(self, array: np.ndarray, spec: ChunkSpec) -> bytes: ...

    @abstractmethod
    def decode(self, data: Buffer, spec: ChunkSpec, *, key: str, url: str) -> np.ndarray: ...


class BytesBytesCodec(ABC):
    """bytes -> bytes (compressors, checksums)."""

    @abstractmethod
    def encode(self, data: bytes) -> bytes: ...

    @abstractmethod
    def decode(self, data: Buffer, *, key: str, url: str) -> Buffer: ...


def _name_conf(value: Any) -> tuple[str, dict[str, Any]]:
    from zarrcore.metadata.v3 import parse_named

    return parse_named(value, "codecs")


# -- the chain ------------------------------------------------------------------------------


class CodecChain:
    """A parsed v3 codec list bound to the spec of the arrays it encodes."""

    def __init__(self, codecs_json: Sequence[Any], spec: ChunkSpec) -> None:
        from zarrcore.codecs.v3_codecs import make_codec

        self.spec = spec
        self.json = [dict(c) if isinstance(c, Mapping) else {"name": c} for c in codecs_json]
        self.array_array: list[tuple[ArrayArrayCodec, ChunkSpec]] = []
        self.array_bytes: ArrayBytesCodec | None = None
        self.array_bytes_spec = spec
        self.bytes_bytes: list[BytesBytesCodec] = []
        current = spec
        for item in codecs_json:
            name, conf = _name_conf(item)
            codec = make_codec(name, conf, current)
            if isinstance(codec, ArrayArrayCodec):
                if self.array_bytes is not None:
                    raise MetadataError(
                        f"array->array codec {name!r} after the serializer", key="codecs"
                    )
                self.array_array.append((codec, current))
                current = codec.resolve(current)
            elif isinstance(codec, ArrayBytesCodec):
                if self.array_bytes is not None:
                    raise MetadataError(f"second array->bytes codec {name!r}", key="codecs")
                self.array_bytes = codec
                self.array_bytes_spec = current
            else:
                if self.array_bytes is None:
                    raise MetadataError(
                        f"bytes->bytes codec {name!r} before the serializer", key="codecs"
                    )
                self.bytes_bytes.append(codec)
        if self.array_bytes is None:
            raise MetadataError(
                "codec chain has no array->bytes codec (e.g. 'bytes')", key="codecs"
            )

    def encode(self, array: np.ndarray) -> bytes:
        for codec, spec in self.array_array:
            array = codec.encode(array, spec)
        assert self.array_bytes is not None
        data = self.array_bytes.encode(array, self.array_bytes_spec)
        for bb in self.bytes_bytes:
            data = bb.encode(data)
        return data

    def decode(self, data: Buffer, *, key: str, url: str) -> np.ndarray:
        for bb in reversed(self.bytes_bytes):
            data = bb.decode(data, key=key, url=url)
        assert self.array_bytes is not None
        array = self.array_bytes.decode(data, self.array_bytes_spec, key=key, url=url)
        # lossy numcodecs filters over NaN/inf (delta, fixedscaleoffset on floats) make numpy
        # warn about casts: the values are what zarr-python reads, not a decoding failure
        with np.errstate(all="ignore"):
            for codec, spec in reversed(self.array_array):
                array = codec.decode(array, spec)
        return array


def guarded_decode(chain: CodecChain, data: Buffer, *, key: str, url: str) -> np.ndarray:
    """Decode, turning any codec failure into CorruptChunkError naming ``key``."""
    try:
        array = chain.decode(data, key=key, url=url)
    except ZarrcoreError:
        raise
    except Exception as exc:  # codec libraries raise many types (zlib.error, RuntimeError...)
        raise CorruptChunkError(f"cannot decode chunk: {exc}", url=url, key=key) from exc
    if array.shape != chain.spec.shape:
        raise CorruptChunkError(
            f"decoded chunk has shape {array.shape}, expected {chain.spec.shape}",
            url=url,
            key=key,
        )
    return array


# -- the ChunkCodec the engine uses -------------------------------------------------------


class V3ChunkCodec(ChunkCodec):
    """Engine-facing codec for a v3 array: whole-chunk decode/encode, and ranged reads of
    sharded chunks when the chain is exactly ``[sharding_indexed]``."""

    def __init__(self, chain: CodecChain, *, url: str | None = None, path: str = "") -> None:
        from zarrcore.codecs.sharding import ShardingCodec

        self.chain = chain
        self.url = url or ""
        self.path = path
        self.sharding: ShardingCodec | None = None
        if (
            not chain.array_array
            and not chain.bytes_bytes
            and isinstance(chain.array_bytes, ShardingCodec)
        ):
            self.sharding = chain.array_bytes
            self.supports_partial_reads = True
        #: (stored dtype, "C") when a stored chunk is one blosc frame of the raw bytes: a
        #: partial selection then decodes only some blosc blocks (zarrcore.partial_fetch)
        self.blosc_layout = _blosc_layout(chain)
        self.supports_partial_decode = self.blosc_layout is not None

    def decode(
        self, data: bytes, *, key: str, url: str, out: np.ndarray | None = None
    ) -> np.ndarray:
        array = guarded_decode(self.chain, data, key=key, url=url)
        if out is not None:
            out[...] = array
            return out
        return array

    def encode(self, chunk: np.ndarray) -> bytes:
        spec = self.chain.spec
        if chunk.shape != spec.shape:
            raise MetadataError(f"chunk shape {chunk.shape} != {spec.shape}")
        if chunk.dtype != spec.dtype:
            chunk = chunk.astype(spec.dtype)
        return self.chain.encode(chunk)

    def read_region(
        self,
        store: Store,
        key: str,
        chunk_selection: ChunkSelection,
        *,
        out: np.ndarray | None = None,
    ) -> np.ndarray | None:
        if self.sharding is None:
            raise NotImplementedError("partial reads need a sharded array")
        return self.sharding.read_region(store, key, chunk_selection, self.chain.spec, out=out)

    def decode_region(
        self, data: bytes, chunk_selection: ChunkSelection, *, key: str, url: str
    ) -> np.ndarray | None:
        """``bytes`` + ``blosc`` chains: decode only the blosc blocks the selection needs."""
        if self.blosc_layout is None or not len(data):
            return None
        from zarrcore.codecs import blosc_partial

        stored, order = self.blosc_layout
        try:
            return blosc_partial.decode_selection(
                data, self.chain.spec.shape, stored, order, chunk_selection
            )
        except (CorruptChunkError, UnsupportedError) as exc:
            raise type(exc)(exc.message, url=url, key=key) from None

    def configs(self) -> list[dict[str, Any]]:
        return [dict(c) for c in self.chain.json]


def _blosc_layout(chain: CodecChain) -> tuple[np.dtype[Any], str] | None:
    """The stored item dtype of a ``[bytes, blosc]`` chain, else None."""
    from zarrcore.codecs.v3_codecs import BytesCodec, RegistryBytesCodec

    spec = chain.spec
    if chain.array_array or not isinstance(chain.array_bytes, BytesCodec):
        return None
    if len(chain.bytes_bytes) != 1 or spec.data_type.is_variable_length:
        return None
    compressor = chain.bytes_bytes[0]
    if not isinstance(compressor, RegistryBytesCodec):
        return None
    if getattr(compressor.codec, "codec_id", None) != "blosc" or spec.dtype.hasobject:
        return None
    return chain.array_bytes._stored_dtype(spec), "C"


def build_chunk_codec(
    meta: V3ArrayMetadata, *, url: str | None = None, path: str = ""
) -> V3ChunkCodec:
    """The ChunkCodec for a v3 array's metadata (UnsupportedCodecError naming the path)."""
    spec = ChunkSpec(tuple(meta.chunks), meta.data_type, meta.fill_value)
    try:
        chain = CodecChain(meta.codecs, spec)
    except (UnsupportedCodecError, MetadataError) as exc:
        field_note = f" ({exc.key})" if exc.key and path else ""
        raise type(exc)(f"{exc.message}{field_note}", url=url, key=path or exc.key) from exc
    return V3ChunkCodec(chain, url=url, path=path)


def spec_with_dtype(spec: ChunkSpec, dtype: Any) -> ChunkSpec:
    """A spec whose data type is the v3 type of a NumPy dtype (for numcodecs astype)."""
    return replace(spec, data_type=data_type_from_numpy(np.dtype(dtype)))
