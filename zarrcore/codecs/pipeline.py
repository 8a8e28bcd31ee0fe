"""The zarr v2 codec pipeline: filters then compressor (FORMATS.md 1.6).

Decode: bytes -> compressor.decode -> filters in reverse -> view as dtype -> chunk shape in
the array's order. Where there are no filters and the chunk is C-ordered, the compressor
decodes straight into the caller's buffer. Every failure becomes CorruptChunkError naming
the key and store URL; configs that cannot be instantiated become UnsupportedCodecError /
PickleRefusedError when the pipeline is built.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
from numcodecs.compat import ensure_bytes, ensure_ndarray_like

from zarrcore.codecs import blosc_fast, blosc_partial
from zarrcore.codecs.registry import Codec, get_codec
from zarrcore.errors import CorruptChunkError, UnsupportedCodecError, UnsupportedError
from zarrcore.metadata.base import ChunkCodec, ChunkSelection

if TYPE_CHECKING:
    from zarrcore.metadata.v2 import V2ArrayMetadata

#: codecs whose decode turns bytes into an object array (must be the first filter)
OBJECT_CODEC_IDS = frozenset(
    {"vlen-utf8", "vlen-bytes", "vlen-array", "json2", "msgpack2", "pickle", "json", "msgpack"}
)


class V2Pipeline(ChunkCodec):
    """Filters + compressor of one v2 array, bound to its chunk shape, dtype and order."""

    def __init__(
        self,
        *,
        filters: list[Codec],
        compressor: Codec | None,
        dtype: np.dtype[Any],
        chunks: tuple[int, ...],
        order: str,
        filter_configs: list[dict[str, Any]] | None = None,
        compressor_config: dict[str, Any] | None = None,
    ) -> None:
        self.filters = filters
        self.compressor = compressor
        self.dtype = dtype
        self.chunks = chunks
        self.order = order
        self.chunk_size = int(np.prod(chunks, dtype=np.int64))
        self.chunk_nbytes = self.chunk_size * dtype.itemsize
        self._filter_configs = filter_configs or []
        self._compressor_config = compressor_config
        #: blosc frames decode through python-blosc when installed (codecs.blosc_fast)
        self._fast_blosc = (
            compressor is not None
            and getattr(compressor, "codec_id", None) == "blosc"
            and blosc_fast.available()
        )
        # blosc alone: a partly selected chunk decodes only the blosc blocks it needs
        self.supports_partial_decode = (
            compressor is not None
            and getattr(compressor, "codec_id", None) == "blosc"
            and not filters
            and not dtype.hasobject
        )
        #: (item dtype, order) of the raw bytes inside the blosc frame (zarrcore.partial_fetch)
        self.blosc_layout = (dtype, order) if self.supports_partial_decode else None

    @classmethod
    def from_metadata(
        cls, meta: V2ArrayMetadata, *, url: str | None, path: str, allow_pickle: bool = False
    ) -> V2Pipeline:
        key = f"{path}/.zarray" if path else ".zarray"
        filters = [
            get_codec(cfg, url=url, key=key, allow_pickle=allow_pickle)
            for cfg in meta.filters or []
        ]
        compressor = (
            get_codec(meta.compressor, url=url, key=key, allow_pickle=allow_pickle)
            if meta.compressor is not None
            else None
        )
        if meta.dtype.hasobject and not meta.filters:
            raise UnsupportedCodecError(
                "object array without an object codec (vlen-utf8, json2, ...) as first filter",
                url=url,
                key=key,
            )
        return cls(
            filters=filters,
            compressor=compressor,
            dtype=meta.dtype,
            chunks=meta.chunks,
            order=meta.order,
            filter_configs=meta.filters,
            compressor_config=meta.compressor,
        )

    def configs(self) -> list[dict[str, Any]]:
        configs = [dict(c) for c in self._filter_configs]
        if self._compressor_config is not None:
            configs.append(dict(self._compressor_config))
        return configs

    # -- decode ---------------------------------------------------------------------------
    def decode(
        self, data: bytes, *, key: str, url: str, out: np.ndarray | None = None
    ) -> np.ndarray:
        try:
            return self._decode(data, out)
        except CorruptChunkError as exc:
            raise CorruptChunkError(exc.message, url=url, key=key) from None
        except UnsupportedError as exc:  # e.g. N5 varlength blocks: not corrupt, unsupported
            raise type(exc)(exc.message, url=url, key=key) from None
        except Exception as exc:  # codecs raise anything: RuntimeError, ValueError, zlib.error
            raise CorruptChunkError(
                f"chunk cannot be decoded ({type(exc).__name__}: {exc})", url=url, key=key
            ) from exc

    def decode_region(
        self, data: bytes, chunk_selection: ChunkSelection, *, key: str, url: str
    ) -> np.ndarray | None:
        """Blosc chunks: decode only the blocks holding ``chunk_selection`` (None: all needed)."""
        if not self.supports_partial_decode or not len(data):
            return None
        try:
            return blosc_partial.decode_selection(
                data, self.chunks, self.dtype, self.order, chunk_selection
            )
        except (CorruptChunkError, UnsupportedError) as exc:
            raise type(exc)(exc.message, url=url, key=key) from None

    def _decode(self, data: bytes, out: np.ndarray | None) -> np.ndarray:
        direct = (
            out is not None
            and not self.filters
            and not self.dtype.hasobject
            and (self.order == "C" or len(self.chunks) <= 1)
            and out.flags.c_contiguous
            and out.dtype == self.dtype
            and out.nbytes == self.chunk_nbytes
        )
        if direct and self.compressor is not None:
            assert out is not None
            if len(data) and self._decode_into(data, out):
                return out
        buf: Any = data
        if self.compressor is not None:
            fast = blosc_fast.decompress(data) if self._fast_blosc else None
            buf = fast if fast is not None else self.compressor.decode(buf)
        # lossy filters over NaN/inf (fixedscaleoffset, astype, delta on floats) make numpy
        # warn about casts: the values are what zarr-python reads, not a decoding failure
        with np.errstate(all="ignore"):
            for codec in reversed(self.filters):
                buf = codec.decode(buf)
        if self.dtype.hasobject:
            chunk = np.asarray(ensure_ndarray_like(buf) if not isinstance(buf, list) else buf)
            if chunk.dtype != object:
                chunk = chunk.astype(object)
            if chunk.size != self.chunk_size:
                raise CorruptChunkError(
                    f"decoded chunk has {chunk.size} items, expected {self.chunk_size}"
                )
            chunk = chunk.reshape(self.chunks, order=self.order)  # type: ignore[call-overload]
        else:
            flat = ensure_ndarray_like(buf)
            if flat.dtype != self.dtype and flat.dtype.itemsize * flat.size == self.chunk_nbytes:
                flat = flat.reshape(-1, order="A").view(self.dtype)
            elif flat.dtype != self.dtype:
                flat = np.frombuffer(ensure_bytes(buf), dtype=self.dtype)
            if flat.nbytes != self.chunk_nbytes:
                raise CorruptChunkError(
                    f"decoded chunk has {flat.nbytes} bytes, expected {self.chunk_nbytes} "
                    f"({self.chunks} of {self.dtype})"
                )
            chunk = flat.reshape(-1, order="A").reshape(self.chunks, order=self.order)
        if out is not None:
            out[...] = chunk
            return out
        result: np.ndarray = chunk
        return result

    def _decode_into(self, data: bytes, out: np.ndarray) -> bool:
        """Decompress into ``out``'s memory; False if the codec cannot (caller falls back)."""
        assert self.compressor is not None
        target = out.reshape(-1).view("u1")
        if self._fast_blosc and blosc_fast.decompress_into(data, target):
            return True
        try:
            result = self.compressor.decode(data, out=target)
        except (TypeError, NotImplementedError):
            return False
        result_arr = ensure_ndarray_like(result)
        if result_arr.nbytes != self.chunk_nbytes:
            raise CorruptChunkError(
                f"decoded chunk has {result_arr.nbytes} bytes, expected {self.chunk_nbytes}"
            )
        if not np.shares_memory(result_arr, out):
            target[...] = result_arr.reshape(-1).view("u1")
        return True

    # -- encode ---------------------------------------------------------------------------
    def encode(self, chunk: np.ndarray) -> bytes:
        if chunk.shape != self.chunks:
            raise ValueError(f"chunk has shape {chunk.shape}, expected {self.chunks}")
        if self.dtype.hasobject:
            buf: Any = np.asarray(chunk, dtype=object)
            if self.order == "F":
                buf = np.asfortranarray(buf)
        else:
            buf = chunk.astype(self.dtype, copy=False)
            buf = np.asfortranarray(buf) if self.order == "F" else np.ascontiguousarray(buf)
        for codec in self.filters:
            buf = codec.encode(buf)
        if self.compressor is not None:
            buf = self.compressor.encode(buf)
        if isinstance(buf, np.ndarray):
            return buf.tobytes(order="A")
        return bytes(ensure_bytes(buf))
