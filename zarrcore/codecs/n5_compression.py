"""The compression layer of N5 blocks, keyed by the zarr-style compressor config that
``zarrcore.metadata.n5`` derives from an N5 ``compression`` object (``None`` = raw).

Decoding is forgiving, as FORMATS.md 6.3 and pitfalls 9-11 ask: gzip and zlib are told apart
by magic bytes whatever the label says (raw deflate as a last resort); lz4 is read as
lz4-java's LZ4Block stream, a standard LZ4 frame (rust-n5) or numcodecs' size-prefixed block,
chosen by magic; zstd frames without a content size (zstd-jni streams) are decoded with the
block size as the bound. Encoding writes what n5-java writes: gzip (RFC 1952) unless
``useZlib``, and LZ4Block for lz4, never numcodecs' variant.

Errors raise :class:`N5CompressionError` (a ``ValueError``); the codec turns it into a typed
:class:`~zarrcore.errors.CorruptChunkError`.
"""

from __future__ import annotations

import bz2
import ctypes
import ctypes.util
import lzma
import zlib
from typing import Any

import numpy as np
import numpy.typing as npt
from numcodecs import Blosc, GZip, Zstd
from numcodecs.registry import get_codec as numcodecs_get_codec

from zarrcore.codecs import lz4block
from zarrcore.errors import UnsupportedCodecError

CompressorConfig = dict[str, Any] | None

#: compressor ids this module handles itself (others go to numcodecs when it knows them)
KNOWN_IDS = frozenset({"gzip", "zlib", "bz2", "lzma", "blosc", "zstd", "lz4"})


class N5CompressionError(ValueError):
    """A block payload that does not decompress to what its header promises."""


# -- gzip / zlib / deflate -----------------------------------------------------------------
def sniff_deflate(data: bytes | memoryview) -> str:
    """``"gzip"``, ``"zlib"`` or ``"deflate"`` (raw) by the first bytes."""
    head = bytes(data[:2])
    if head == b"\x1f\x8b":
        return "gzip"
    if len(head) == 2 and head[0] & 0x0F == 8 and (head[0] * 256 + head[1]) % 31 == 0:
        return "zlib"
    return "deflate"


def inflate(data: bytes | memoryview, expected_size: int) -> bytes:
    """Decompress gzip (one or more members), zlib or raw deflate, sniffed by magic."""
    kind = sniff_deflate(data)
    wbits = {"gzip": 31, "zlib": 15, "deflate": -15}[kind]
    remaining = bytes(data)
    parts: list[bytes] = []
    try:
        while True:
            inflater = zlib.decompressobj(wbits)
            parts.append(inflater.decompress(remaining, expected_size + 1))
            if not inflater.eof:
                raise N5CompressionError(f"{kind} stream truncated or longer than the block")
            remaining = inflater.unused_data
            if kind != "gzip" or not remaining.startswith(b"\x1f\x8b"):
                break
    except zlib.error as exc:
        raise N5CompressionError(f"{kind} decompression failed: {exc}") from exc
    return b"".join(parts)


def gzip_compress(raw: bytes | memoryview, level: int) -> bytes:
    """RFC 1952 as numcodecs writes it (mtime 0), so blocks match zarr-python's bytes."""
    return bytes(GZip(level=level).encode(raw))


# -- zstd ----------------------------------------------------------------------------------
_libzstd: Any = None
_libzstd_loaded = False


def _load_libzstd() -> Any:
    global _libzstd, _libzstd_loaded
    if not _libzstd_loaded:
        _libzstd_loaded = True
        name = ctypes.util.find_library("zstd")
        for candidate in ([name] if name else []) + ["libzstd.so.1", "libzstd.dylib"]:
            try:
                lib = ctypes.CDLL(candidate)
                func = lib.ZSTD_decompress
            except (OSError, AttributeError):
                continue
            func.restype = ctypes.c_size_t
            func.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_void_p, ctypes.c_size_t]
            lib.ZSTD_isError.restype = ctypes.c_uint
            lib.ZSTD_isError.argtypes = [ctypes.c_size_t]
            _libzstd = lib
            break
    return _libzstd


def zstd_decompress(data: bytes | memoryview, expected_size: int) -> bytes:
    """zstd frame(s), with or without a recorded content size."""
    raw = bytes(data)
    try:
        return bytes(Zstd().decode(raw))
    except RuntimeError as first_error:
        lib = _load_libzstd()
        if lib is None:
            return _zstandard_stream(raw, expected_size, first_error)
    dst = ctypes.create_string_buffer(max(1, expected_size))
    size = lib.ZSTD_decompress(dst, expected_size, raw, len(raw))
    if lib.ZSTD_isError(size):
        raise N5CompressionError("zstd decompression failed: corrupt or truncated frame")
    return dst.raw[:size]


def _zstandard_stream(raw: bytes, expected_size: int, first_error: Exception) -> bytes:
    try:
        import zstandard
    except ImportError:
        raise N5CompressionError(f"zstd decompression failed: {first_error}") from None
    try:
        reader = zstandard.ZstdDecompressor().stream_reader(raw, read_across_frames=True)
        return bytes(reader.read(expected_size + 1))
    except zstandard.ZstdError as exc:
        raise N5CompressionError(f"zstd decompression failed: {exc}") from exc


_BLOSC = Blosc()


# -- dispatch ------------------------------------------------------------------------------
def decompress(
    config: CompressorConfig, payload: bytes | memoryview, expected_size: int
) -> bytes | bytearray | memoryview:
    """Decompress one block payload that should hold ``expected_size`` bytes (no copy for raw)."""
    if config is None:
        return payload
    codec_id = config.get("id")
    try:
        if codec_id in ("gzip", "zlib"):
            return inflate(payload, expected_size)
        if codec_id == "lz4":
            return lz4block.decode_any_lz4(payload, expected_size)
        if codec_id == "bz2":
            return bz2.decompress(payload)
        if codec_id == "lzma" and config.get("format", 1) in (0, 1, 2):
            return lzma.decompress(payload)
        if codec_id == "zstd":
            return zstd_decompress(payload, expected_size)
        if codec_id == "blosc":
            return _BLOSC.decode(payload)  # type: ignore[no-any-return]
        return bytes(_numcodecs(config).decode(bytes(payload)))
    except lz4block.LZ4FormatError as exc:
        raise N5CompressionError(str(exc)) from exc
    except UnsupportedCodecError:
        raise
    except (OSError, EOFError, lzma.LZMAError, RuntimeError) as exc:
        raise N5CompressionError(f"{codec_id} decompression failed: {exc}") from exc


def compress(config: CompressorConfig, data: npt.NDArray[Any]) -> bytes:
    """Compress a C-contiguous big-endian block as n5-java would."""
    raw = np.ascontiguousarray(data).view(np.uint8).reshape(-1).data
    if config is None:
        return bytes(raw)
    codec_id = config.get("id")
    level = config.get("level")
    if codec_id == "gzip":
        return gzip_compress(raw, -1 if level is None else int(level))
    if codec_id == "zlib":
        return zlib.compress(raw, -1 if level is None else int(level))
    if codec_id == "bz2":
        return bz2.compress(raw, 9 if level is None else int(level))
    if codec_id == "lz4":
        block_size = int(config.get("blockSize", lz4block.DEFAULT_BLOCK_SIZE))
        if not lz4block.MIN_BLOCK_SIZE <= block_size <= lz4block.MAX_BLOCK_SIZE:
            block_size = lz4block.DEFAULT_BLOCK_SIZE  # z5 stores its level here (e.g. 6)
        return lz4block.encode_lz4block(raw, block_size)
    if codec_id == "lzma" and config.get("format", 1) == 1 and config.get("filters") is None:
        preset = config.get("preset")
        return lzma.compress(raw, format=lzma.FORMAT_XZ, preset=6 if preset is None else preset)
    if codec_id == "zstd":
        return bytes(Zstd(level=3 if level is None else int(level)).encode(raw))
    # blosc needs the element size as typesize: give it the array, not the bytes
    array = np.ascontiguousarray(data)
    if codec_id == "blosc":
        blosc = Blosc(
            cname=str(config.get("cname", "lz4")),
            clevel=int(config.get("clevel", 5)),
            shuffle=int(config.get("shuffle", Blosc.SHUFFLE)),
            blocksize=int(config.get("blocksize", 0)),
        )
        return bytes(blosc.encode(array))
    return bytes(_numcodecs(config).encode(array))


def check_supported(config: CompressorConfig) -> None:
    """Raise UnsupportedCodecError now for a compression this module cannot handle."""
    if config is not None and config.get("id") not in KNOWN_IDS:
        _numcodecs(config)


def _numcodecs(config: dict[str, Any]) -> Any:
    clean = {k: v for k, v in config.items() if k != "type"}
    try:
        return numcodecs_get_codec(clean)
    except (ValueError, KeyError, TypeError) as exc:
        raise UnsupportedCodecError(
            f"unsupported N5 compression {config.get('id')!r}: {exc}"
        ) from exc
