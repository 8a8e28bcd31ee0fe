"""Tolerant readers for compressors other writers get subtly wrong (FORMATS pitfalls 10, 11).

- ``gzip`` / ``zlib``: decoding sniffs the stream (``1f 8b`` gzip, ``78 xx`` zlib, else raw
  deflate) because some writers put zlib streams under a gzip label and vice versa. Encoding
  is numcodecs' own, so bytes match zarr-python.
- ``zstd``: frames without a content size (tensorstore, streaming encoders) and concatenated
  frames decode through a streaming fallback.

Registered in :mod:`zarrcore.codecs.registry` under the numcodecs ids.
"""

from __future__ import annotations

import zlib
from typing import Any

import numcodecs
import numpy as np
from numcodecs.compat import ensure_bytes, ensure_contiguous_ndarray

from zarrcore.codecs.registry import register_codec

_GZIP_MAGIC = b"\x1f\x8b"
_ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"


def inflate_any(data: bytes) -> bytes:
    """Decompress gzip (all members), zlib or raw deflate, chosen by the leading bytes."""
    if data[:2] == _GZIP_MAGIC:
        wbits = 31
    elif len(data) >= 2 and data[0] & 0x0F == 8 and (data[0] * 256 + data[1]) % 31 == 0:
        wbits = 15
    else:
        wbits = -15
    out = []
    while True:
        decomp = zlib.decompressobj(wbits)
        out.append(decomp.decompress(data))
        out.append(decomp.flush())
        if not decomp.eof:
            raise zlib.error("truncated deflate stream")
        data = decomp.unused_data
        # gzip files may hold several members; anything after a zlib/deflate stream is junk
        if wbits != 31 or not data.startswith(_GZIP_MAGIC):
            break
    return b"".join(out)


def _into(out: Any, raw: bytes) -> Any:
    if out is None:
        return raw
    dest = ensure_contiguous_ndarray(out).view("u1").reshape(-1)
    if dest.nbytes != len(raw):
        raise ValueError(f"decoded {len(raw)} bytes into a buffer of {dest.nbytes}")
    dest[:] = np.frombuffer(raw, dtype="u1")
    return out


class SniffingGZip(numcodecs.GZip):  # type: ignore[misc]
    """numcodecs GZip that also reads zlib / raw deflate streams."""

    codec_id = "gzip"

    def decode(self, buf: Any, out: Any = None) -> Any:
        return _into(out, inflate_any(ensure_bytes(buf)))


class SniffingZlib(numcodecs.Zlib):  # type: ignore[misc]
    """numcodecs Zlib that also reads gzip / raw deflate streams."""

    codec_id = "zlib"

    def decode(self, buf: Any, out: Any = None) -> Any:
        return _into(out, inflate_any(ensure_bytes(buf)))


def zstd_stream_decode(data: bytes) -> bytes:
    """Decode one or more zstd frames, with or without a recorded content size."""
    import zstandard

    parts = []
    while data:
        decomp = zstandard.ZstdDecompressor().decompressobj()
        parts.append(decomp.decompress(data))
        if not decomp.eof:
            raise ValueError("truncated zstd frame")
        data = decomp.unused_data
    return b"".join(parts)


class TolerantZstd(numcodecs.Zstd):  # type: ignore[misc]
    """numcodecs Zstd that also reads frames without content size and concatenated frames."""

    codec_id = "zstd"

    def decode(self, buf: Any, out: Any = None) -> Any:
        try:
            return super().decode(buf, out)
        except RuntimeError:
            data = ensure_bytes(buf)
            if data[:4] != _ZSTD_MAGIC:
                raise
            try:
                raw = zstd_stream_decode(data)
            except Exception as exc:  # zstandard.ZstdError has no stable import path
                raise RuntimeError(f"Zstd decompression error: {exc}") from exc
            return _into(out, raw)


register_codec("gzip", SniffingGZip)
register_codec("zlib", SniffingZlib)
register_codec("zstd", TolerantZstd)
