"""LZ4 as N5 writers frame it: lz4-java's ``LZ4Block`` stream, numcodecs' size-prefixed block,
and the standard LZ4 frame (rust-n5 / pyn5).

``LZ4Block`` (what n5-java writes, FORMATS.md 6.3) is a series of blocks, each with a 21-byte
header: the magic ``b"LZ4Block"``, a token byte (method ``0x10`` raw or ``0x20`` LZ4 in the high
nibble, ``log2(block size) - 10`` in the low nibble), then compressed length, decompressed
length and checksum as little-endian int32. The checksum is xxHash32 (seed ``0x9747b28c``) of
the decompressed bytes masked to 28 bits (``& 0x0FFFFFFF``, lz4-java's ``asChecksum`` quirk).
The stream ends with a raw block whose lengths and checksum are all zero.

Raw LZ4 blocks are (de)compressed with numcodecs' ``LZ4`` codec, whose wire format is a u32le
decompressed size followed by one raw block: we add or strip those four bytes.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import struct
from typing import Any

from numcodecs import LZ4

from zarrcore.codecs import xxhash32

LZ4BLOCK_MAGIC = b"LZ4Block"
LZ4FRAME_MAGIC = b"\x04\x22\x4d\x18"
HEADER_SIZE = 21
METHOD_RAW = 0x10
METHOD_LZ4 = 0x20
SEED = 0x9747B28C
CHECKSUM_MASK = 0x0FFFFFFF
DEFAULT_BLOCK_SIZE = 65536
MIN_BLOCK_SIZE = 64
MAX_BLOCK_SIZE = 1 << 25
_LEVEL_BASE = 10

_HEADER = struct.Struct("<8sBiii")
_LZ4 = LZ4(acceleration=1)


class LZ4FormatError(ValueError):
    """The bytes are not a valid stream of the expected LZ4 framing (callers wrap it)."""


def is_lz4block(data: bytes | memoryview) -> bool:
    return bytes(data[:8]) == LZ4BLOCK_MAGIC


def is_lz4frame(data: bytes | memoryview) -> bool:
    return bytes(data[:4]) == LZ4FRAME_MAGIC


def block_checksum(data: bytes | memoryview) -> int:
    """The checksum lz4-java stores for a block of decompressed bytes."""
    return xxhash32.xxh32(data, SEED) & CHECKSUM_MASK


def _level(block_size: int) -> int:
    return max(0, (block_size - 1).bit_length() - _LEVEL_BASE)


def encode_lz4block(data: bytes | memoryview, block_size: int = DEFAULT_BLOCK_SIZE) -> bytes:
    """Encode ``data`` as lz4-java's ``LZ4BlockOutputStream`` does, terminator included."""
    if not MIN_BLOCK_SIZE <= block_size <= MAX_BLOCK_SIZE:
        raise ValueError(f"LZ4Block block size must be in [{MIN_BLOCK_SIZE}, {MAX_BLOCK_SIZE}]")
    view = memoryview(data).cast("B")
    level = _level(block_size)
    parts: list[bytes] = []
    for start in range(0, len(view), block_size):
        block = view[start : start + block_size]
        check = block_checksum(block)
        compressed = bytes(_LZ4.encode(block))[4:]
        if len(compressed) >= len(block):
            token, payload = METHOD_RAW | level, bytes(block)
        else:
            token, payload = METHOD_LZ4 | level, compressed
        parts.append(_HEADER.pack(LZ4BLOCK_MAGIC, token, len(payload), len(block), check))
        parts.append(payload)
    parts.append(_HEADER.pack(LZ4BLOCK_MAGIC, METHOD_RAW | level, 0, 0, 0))
    return b"".join(parts)


def decode_lz4block(
    data: bytes | memoryview, expected_size: int | None = None, *, verify: bool | None = None
) -> bytes | bytearray:
    """Decode an ``LZ4Block`` stream (several concatenated streams are accepted).

    ``verify`` checks each block's xxHash32; ``None`` verifies when a fast hash is installed.
    A stream that ends at a block boundary without the empty terminator block is accepted;
    callers compare the size with what they expect.
    """
    if verify is None:
        verify = xxhash32.FAST
    view = memoryview(data).cast("B")
    total = len(view)
    out = bytearray(expected_size) if expected_size is not None else bytearray()
    written = 0
    pos = 0
    while pos < total:
        if total - pos < HEADER_SIZE:
            raise LZ4FormatError(f"LZ4Block header truncated at byte {pos}")
        magic, token, clen, dlen, check = _HEADER.unpack_from(view, pos)
        if magic != LZ4BLOCK_MAGIC:
            raise LZ4FormatError(f"bad LZ4Block magic at byte {pos}")
        method = token & 0xF0
        max_size = 1 << (_LEVEL_BASE + (token & 0x0F))
        pos += HEADER_SIZE
        if method not in (METHOD_RAW, METHOD_LZ4):
            raise LZ4FormatError(f"unknown LZ4Block method 0x{method:02x}")
        if (
            dlen < 0
            or clen < 0
            or dlen > max_size
            or (dlen == 0) != (clen == 0)
            or (method == METHOD_RAW and clen != dlen)
        ):
            raise LZ4FormatError(f"inconsistent LZ4Block header at byte {pos - HEADER_SIZE}")
        if dlen == 0:
            if check != 0:
                raise LZ4FormatError("LZ4Block end marker with a non-zero checksum")
            continue  # end of one stream; another may follow
        if pos + clen > total:
            raise LZ4FormatError(f"LZ4Block payload truncated at byte {pos}")
        payload = view[pos : pos + clen]
        pos += clen
        if written + dlen > len(out):
            if expected_size is not None:
                raise LZ4FormatError(
                    f"LZ4Block stream holds more than the expected {expected_size} bytes"
                )
            out.extend(bytes(written + dlen - len(out)))
        target = memoryview(out)[written : written + dlen]
        if method == METHOD_RAW:
            target[:] = payload
        else:
            try:
                _LZ4.decode(struct.pack("<I", dlen) + bytes(payload), out=target)
            except (RuntimeError, ValueError) as exc:
                raise LZ4FormatError(f"LZ4 block decompression failed: {exc}") from exc
        mismatch = verify and block_checksum(target) != check
        target.release()  # lets ``out`` grow again for the next block
        if mismatch:
            raise LZ4FormatError(f"LZ4Block checksum mismatch in the block ending at byte {pos}")
        written += dlen
    if expected_size is not None and written != expected_size:
        raise LZ4FormatError(f"LZ4Block stream holds {written} bytes, expected {expected_size}")
    return out


def decode_numcodecs_lz4(data: bytes | memoryview, expected_size: int | None = None) -> bytes:
    """Decode numcodecs' lz4 format (u32le size + one raw block), as zarr-python writes it."""
    if len(data) < 4:
        raise LZ4FormatError("lz4 data shorter than its 4-byte size prefix")
    (size,) = struct.unpack_from("<I", data, 0)
    if expected_size is not None and size != expected_size:
        raise LZ4FormatError(f"lz4 size prefix says {size} bytes, expected {expected_size}")
    try:
        return bytes(_LZ4.decode(bytes(data)))
    except (RuntimeError, ValueError) as exc:
        raise LZ4FormatError(f"LZ4 decompression failed: {exc}") from exc


# -- standard LZ4 frames (rust-n5 / pyn5) through the system liblz4 ------------------------
_LZ4F_VERSION = 100
_liblz4: Any = None
_liblz4_loaded = False


def _load_liblz4() -> Any:
    global _liblz4, _liblz4_loaded
    if _liblz4_loaded:
        return _liblz4
    _liblz4_loaded = True
    name = ctypes.util.find_library("lz4")
    for candidate in ([name] if name else []) + ["liblz4.so.1", "liblz4.dylib", "lz4.dll"]:
        try:
            lib = ctypes.CDLL(candidate)
            lib.LZ4F_decompress.restype = ctypes.c_size_t
        except (OSError, AttributeError):
            continue
        lib.LZ4F_createDecompressionContext.restype = ctypes.c_size_t
        lib.LZ4F_createDecompressionContext.argtypes = [
            ctypes.POINTER(ctypes.c_void_p),
            ctypes.c_uint,
        ]
        lib.LZ4F_freeDecompressionContext.restype = ctypes.c_size_t
        lib.LZ4F_freeDecompressionContext.argtypes = [ctypes.c_void_p]
        lib.LZ4F_decompress.argtypes = [
            ctypes.c_void_p,
            ctypes.c_void_p,
            ctypes.POINTER(ctypes.c_size_t),
            ctypes.c_void_p,
            ctypes.POINTER(ctypes.c_size_t),
            ctypes.c_void_p,
        ]
        lib.LZ4F_isError.restype = ctypes.c_uint
        lib.LZ4F_isError.argtypes = [ctypes.c_size_t]
        _liblz4 = lib
        break
    return _liblz4


def lz4frame_available() -> bool:
    return _load_liblz4() is not None


def decode_lz4frame(data: bytes | memoryview, expected_size: int) -> bytes:
    """Decode standard LZ4 frame(s) (``04 22 4d 18``) into ``expected_size`` bytes."""
    lib = _load_liblz4()
    if lib is None:
        raise LZ4FormatError("LZ4 frame data needs the system liblz4, which was not found")
    src = bytes(data)
    dst = ctypes.create_string_buffer(max(1, expected_size))
    ctx = ctypes.c_void_p()
    if lib.LZ4F_isError(lib.LZ4F_createDecompressionContext(ctypes.byref(ctx), _LZ4F_VERSION)):
        raise LZ4FormatError("cannot create an LZ4 frame decompression context")
    try:
        src_buf = ctypes.create_string_buffer(src, len(src))
        src_base = ctypes.addressof(src_buf)
        dst_base = ctypes.addressof(dst)
        src_pos = 0
        dst_pos = 0
        while src_pos < len(src):
            dst_size = ctypes.c_size_t(expected_size - dst_pos)
            src_size = ctypes.c_size_t(len(src) - src_pos)
            hint = lib.LZ4F_decompress(
                ctx,
                dst_base + dst_pos,
                ctypes.byref(dst_size),
                src_base + src_pos,
                ctypes.byref(src_size),
                None,
            )
            if lib.LZ4F_isError(hint):
                raise LZ4FormatError("corrupt LZ4 frame")
            src_pos += src_size.value
            dst_pos += dst_size.value
            if src_size.value == 0 and dst_size.value == 0:
                break
        if src_pos < len(src) or hint != 0:
            raise LZ4FormatError("truncated LZ4 frame or more data than expected")
    finally:
        lib.LZ4F_freeDecompressionContext(ctx)
    if dst_pos != expected_size:
        raise LZ4FormatError(f"LZ4 frame holds {dst_pos} bytes, expected {expected_size}")
    return dst.raw[:expected_size]


def decode_raw_lz4_block(data: bytes | memoryview, expected_size: int) -> bytes:
    """One bare LZ4 block of known decompressed size (what z5 writes for N5 lz4)."""
    try:
        decoded = bytes(_LZ4.decode(struct.pack("<I", expected_size) + bytes(data)))
    except (RuntimeError, ValueError) as exc:
        raise LZ4FormatError(f"LZ4 block decompression failed: {exc}") from exc
    if len(decoded) != expected_size:
        raise LZ4FormatError(f"LZ4 block holds {len(decoded)} bytes, expected {expected_size}")
    return decoded


def decode_any_lz4(data: bytes | memoryview, expected_size: int) -> bytes | bytearray:
    """Pick the decoder by magic bytes: LZ4Block (n5-java), LZ4 frame (rust-n5), numcodecs'
    size-prefixed block (zarr-python) when the prefix matches, else a bare block (z5)."""
    if is_lz4block(data):
        return decode_lz4block(data, expected_size)
    if is_lz4frame(data):
        return decode_lz4frame(data, expected_size)
    if len(data) >= 4 and struct.unpack_from("<I", data, 0)[0] == expected_size:
        try:
            return decode_numcodecs_lz4(data, expected_size)
        except LZ4FormatError:
            pass  # a bare block whose first bytes happen to look like the size
    return decode_raw_lz4_block(data, expected_size)
