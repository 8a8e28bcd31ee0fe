"""xxHash32, needed to check and write the checksums of Java ``LZ4Block`` streams (N5 lz4).

Three implementations, fastest first: the ``xxhash`` package (a declared dependency), the
system ``libxxhash`` through ctypes, and a pure-Python version. The pure-Python one is slow
(about a millisecond per kilobyte), so :data:`FAST` tells callers whether a fast one is
available; the LZ4Block decoder verifies checksums only when it is (or when asked to).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import struct
from collections.abc import Callable
from typing import Any

_MASK = 0xFFFFFFFF
PRIME1 = 0x9E3779B1
PRIME2 = 0x85EBCA77
PRIME3 = 0xC2B2AE3D
PRIME4 = 0x27D4EB2F
PRIME5 = 0x165667B1


def _rotl(value: int, bits: int) -> int:
    return ((value << bits) | (value >> (32 - bits))) & _MASK


def xxh32_python(data: bytes | bytearray | memoryview, seed: int = 0) -> int:
    """Reference xxHash32 in pure Python (slow; used when no fast implementation exists)."""
    buf = bytes(data)
    length = len(buf)
    seed &= _MASK
    pos = 0
    if length >= 16:
        v1 = (seed + PRIME1 + PRIME2) & _MASK
        v2 = (seed + PRIME2) & _MASK
        v3 = seed
        v4 = (seed - PRIME1) & _MASK
        nstripes = length // 16
        lanes = struct.unpack_from(f"<{nstripes * 4}I", buf, 0)
        for i in range(0, nstripes * 4, 4):
            v1 = (_rotl((v1 + lanes[i] * PRIME2) & _MASK, 13) * PRIME1) & _MASK
            v2 = (_rotl((v2 + lanes[i + 1] * PRIME2) & _MASK, 13) * PRIME1) & _MASK
            v3 = (_rotl((v3 + lanes[i + 2] * PRIME2) & _MASK, 13) * PRIME1) & _MASK
            v4 = (_rotl((v4 + lanes[i + 3] * PRIME2) & _MASK, 13) * PRIME1) & _MASK
        pos = nstripes * 16
        acc = (_rotl(v1, 1) + _rotl(v2, 7) + _rotl(v3, 12) + _rotl(v4, 18)) & _MASK
    else:
        acc = (seed + PRIME5) & _MASK
    acc = (acc + length) & _MASK
    while pos + 4 <= length:
        (word,) = struct.unpack_from("<I", buf, pos)
        acc = (_rotl((acc + word * PRIME3) & _MASK, 17) * PRIME4) & _MASK
        pos += 4
    while pos < length:
        acc = (_rotl((acc + buf[pos] * PRIME5) & _MASK, 11) * PRIME1) & _MASK
        pos += 1
    acc ^= acc >> 15
    acc = (acc * PRIME2) & _MASK
    acc ^= acc >> 13
    acc = (acc * PRIME3) & _MASK
    acc ^= acc >> 16
    return acc


def _package_impl() -> Callable[[bytes | bytearray | memoryview, int], int] | None:
    try:
        import xxhash
    except ImportError:
        return None

    def digest(data: bytes | bytearray | memoryview, seed: int = 0) -> int:
        return int(xxhash.xxh32_intdigest(data, seed=seed))

    return digest


def _ctypes_impl() -> Callable[[bytes | bytearray | memoryview, int], int] | None:
    name = ctypes.util.find_library("xxhash")
    candidates = [name] if name else []
    candidates.append("libxxhash.so.0")
    for candidate in candidates:
        try:
            lib = ctypes.CDLL(candidate)
            func = lib.XXH32
        except (OSError, AttributeError):
            continue
        func.restype = ctypes.c_uint32
        func.argtypes = [ctypes.c_char_p, ctypes.c_size_t, ctypes.c_uint32]
        return _bind_ctypes(func)
    return None


def _bind_ctypes(func: Any) -> Callable[[bytes | bytearray | memoryview, int], int]:
    def digest(data: bytes | bytearray | memoryview, seed: int = 0) -> int:
        raw = bytes(data)
        return int(func(raw, len(raw), seed & _MASK))

    return digest


def _select() -> tuple[Callable[[bytes | bytearray | memoryview, int], int], bool]:
    for factory in (_package_impl, _ctypes_impl):
        impl = factory()
        if impl is not None:
            return impl, True
    return xxh32_python, False


_IMPL, FAST = _select()


def xxh32(data: bytes | bytearray | memoryview, seed: int = 0) -> int:
    """xxHash32 of ``data`` with ``seed`` (the fastest implementation available)."""
    return _IMPL(data, seed)
