"""``n5_wrapper``: the codec that turns N5 blocks into zarr chunks and back (FORMATS.md 6.2).

A block is a header (mode u16be, ndim u16be, the block size per axis as u32be in N5 axis
order; mode 1 "varlength" adds a u32be element count) followed by the compressed big-endian
element data. Decoding reads the block size from the header, so both full-size edge blocks
(zarr-python) and truncated ones (n5-java, z5, rust-n5) work; a truncated block is padded with
0 (N5's only fill value) to the chunk shape. The decoded chunk has the dtype given in the
config (zarr-python reports native byte order; the bytes are swapped here).

Encoding writes a full chunk as zarr-python does; :mod:`zarrcore.store.n5` then rewrites edge
chunks as truncated blocks (:func:`truncate_block`), because only the store knows the array
shape. Registered in :mod:`zarrcore.codecs.registry` as ``n5_wrapper``.
"""

from __future__ import annotations

import math
import struct
from typing import Any

import numpy as np
import numpy.typing as npt
from numcodecs.compat import ensure_contiguous_ndarray

from zarrcore.codecs import n5_compression
from zarrcore.codecs.registry import register_codec
from zarrcore.errors import CorruptChunkError, UnsupportedError

MODE_DEFAULT = 0
MODE_VARLENGTH = 1
MODE_OBJECT = 2
CODEC_ID = "n5_wrapper"


class BlockHeader:
    """A parsed block header: ``mode``, ``shape`` (zarr axis order) and its byte length."""

    __slots__ = ("mode", "nbytes", "num_elements", "shape")

    def __init__(
        self, mode: int, shape: tuple[int, ...], nbytes: int, num_elements: int | None
    ) -> None:
        self.mode = mode
        self.shape = shape
        self.nbytes = nbytes
        self.num_elements = num_elements


def parse_header(data: bytes | memoryview, ndim: int | None = None) -> BlockHeader:
    """Parse an N5 block header; CorruptChunkError / UnsupportedError when it is not usable."""
    if len(data) < 4:
        raise CorruptChunkError(f"N5 block of {len(data)} bytes is shorter than its header")
    mode, block_ndim = struct.unpack_from(">HH", data, 0)
    if mode == MODE_VARLENGTH:
        raise UnsupportedError("N5 varlength blocks (mode 1) are not supported")
    if mode == MODE_OBJECT:
        raise UnsupportedError("N5 object blocks (mode 2) are not supported")
    if mode != MODE_DEFAULT:
        raise CorruptChunkError(f"N5 block header has unknown mode {mode}")
    if ndim is not None and block_ndim != ndim:
        raise CorruptChunkError(
            f"N5 block header has {block_ndim} dimensions, the dataset has {ndim}"
        )
    nbytes = 4 + 4 * block_ndim
    if len(data) < nbytes:
        raise CorruptChunkError("N5 block header truncated")
    dims = struct.unpack_from(f">{block_ndim}I", data, 4)
    return BlockHeader(mode, tuple(reversed(dims)), nbytes, None)


def make_header(shape: tuple[int, ...]) -> bytes:
    """Mode-0 header for a block of ``shape`` (zarr axis order)."""
    return struct.pack(f">HH{len(shape)}I", MODE_DEFAULT, len(shape), *reversed(shape))


class N5ChunkCodec:
    """numcodecs-style codec: ``decode(block) -> chunk``, ``encode(chunk) -> block``."""

    codec_id: str | None = CODEC_ID

    def __init__(
        self,
        dtype: Any,
        chunk_shape: Any,
        compressor_config: dict[str, Any] | None = None,
        compressor: Any = None,
    ) -> None:
        self.dtype: np.dtype[Any] = np.dtype(dtype)
        self.chunk_shape: tuple[int, ...] = tuple(int(s) for s in chunk_shape)
        if compressor is not None:
            if compressor_config is not None:
                raise ValueError("give compressor_config or compressor, not both")
            compressor_config = dict(compressor.get_config())
        if compressor_config is not None and compressor_config.get("id") in ("raw", None):
            compressor_config = None
        n5_compression.check_supported(compressor_config)
        self.compressor_config: dict[str, Any] | None = compressor_config
        self._wire_dtype = self.dtype.newbyteorder(">")

    # -- numcodecs protocol ----------------------------------------------------------------
    @classmethod
    def from_config(cls, config: dict[str, Any]) -> N5ChunkCodec:
        params = {k: v for k, v in config.items() if k != "id"}
        return cls(**params)

    def get_config(self) -> dict[str, Any]:
        return {
            "id": CODEC_ID,
            "compressor_config": self.compressor_config,
            "dtype": self.dtype.str,
            "chunk_shape": list(self.chunk_shape),
        }

    def __repr__(self) -> str:
        return f"N5ChunkCodec({self.get_config()!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, N5ChunkCodec) and other.get_config() == self.get_config()

    def __hash__(self) -> int:
        return hash(repr(self))

    def decode(self, buf: Any, out: Any = None) -> Any:
        if out is None:
            return self.decode_block(buf)
        dest = ensure_contiguous_ndarray(out).view(self.dtype).reshape(-1)
        if dest.size != math.prod(self.chunk_shape):
            raise CorruptChunkError(
                f"N5 chunk of {math.prod(self.chunk_shape)} items does not fit an output of "
                f"{dest.size}"
            )
        self.decode_block(buf, dest.reshape(self.chunk_shape))
        return out

    def encode(self, buf: Any) -> bytes:
        array = np.asarray(buf)
        if array.dtype != self.dtype:
            array = np.frombuffer(ensure_contiguous_ndarray(buf), dtype=self.dtype)
        if array.size != math.prod(self.chunk_shape):
            raise ValueError(
                f"N5 chunk has {array.size} items, expected {math.prod(self.chunk_shape)}"
            )
        return self.encode_block(array.reshape(self.chunk_shape))

    # -- blocks ----------------------------------------------------------------------------
    def decode_block(self, buf: Any, out: npt.NDArray[Any] | None = None) -> npt.NDArray[Any]:
        """The full chunk (padded with 0 past a truncated block) in ``self.dtype``.

        With ``out`` (chunk-shaped, ``self.dtype``) the byte swap writes straight into it.
        """
        data = memoryview(ensure_contiguous_ndarray(buf)).cast("B")
        header = parse_header(data, len(self.chunk_shape))
        if any(b > c for b, c in zip(header.shape, self.chunk_shape, strict=True)):
            raise CorruptChunkError(
                f"N5 block of shape {list(header.shape)} is larger than the chunk shape "
                f"{list(self.chunk_shape)}"
            )
        expected = math.prod(header.shape) * self.dtype.itemsize
        try:
            raw = n5_compression.decompress(self.compressor_config, data[header.nbytes :], expected)
        except n5_compression.N5CompressionError as exc:
            raise CorruptChunkError(f"N5 block cannot be decompressed: {exc}") from exc
        if len(raw) != expected:
            raise CorruptChunkError(
                f"N5 block holds {len(raw)} bytes of data, its header promises {expected}"
            )
        block = np.frombuffer(raw, dtype=self._wire_dtype).reshape(header.shape)
        chunk = np.empty(self.chunk_shape, dtype=self.dtype) if out is None else out
        if header.shape == self.chunk_shape:
            np.copyto(chunk, block)
            return chunk
        chunk[...] = 0
        chunk[tuple(slice(0, s) for s in header.shape)] = block
        return chunk

    def encode_block(self, block: npt.NDArray[Any]) -> bytes:
        """Header + compressed big-endian data for a block of any shape up to the chunk's."""
        wire = np.ascontiguousarray(block, dtype=self._wire_dtype)
        return make_header(tuple(wire.shape)) + n5_compression.compress(
            self.compressor_config, wire
        )


def truncate_block(codec: N5ChunkCodec, buf: bytes, shape: tuple[int, ...]) -> bytes:
    """Re-encode a block as a truncated ``shape`` block (what n5-java writes at edges)."""
    header = parse_header(buf, len(shape))
    if header.shape == shape:
        return buf
    chunk = codec.decode_block(buf)
    return codec.encode_block(chunk[tuple(slice(0, s) for s in shape)])


register_codec(CODEC_ID, N5ChunkCodec)
