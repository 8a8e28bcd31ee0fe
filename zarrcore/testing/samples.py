"""Sample data for every dtype zarr-python 2 writes (shared by interop tests and benches)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numcodecs
import numpy as np

STRUCTURED = np.dtype([("a", "<i4"), ("b", "<f8", (2,)), ("c", [("d", "|u1"), ("e", ">i2")])])


def _numeric(dtype: str) -> Callable[[tuple[int, ...]], np.ndarray]:
    def make(shape: tuple[int, ...]) -> np.ndarray:
        n = int(np.prod(shape))
        dt = np.dtype(dtype)
        if dt.kind == "b":
            values: np.ndarray = np.arange(n) % 3 == 0
        elif dt.kind in "iu":
            info = np.iinfo(dt)
            values = (np.arange(n, dtype=np.int64) * 37 % min(int(info.max), 1000)).astype(dt)
            if dt.kind == "i":
                values[::4] = -values[::4]
        elif dt.kind == "f":
            values = (np.arange(n) * 0.25 - 3).astype(dt)
            if n > 3:
                values[1], values[2] = np.nan, np.inf
        elif dt.kind == "c":
            values = (np.arange(n) + 1j * np.arange(n)[::-1]).astype(dt)
        elif dt.kind in "Mm":
            values = (np.arange(n, dtype="i8") * 1000 + 5).view(dt)
            if n > 2:
                values[2] = np.array("NaT", dtype=dt)
        elif dt.kind == "S":
            values = np.array([f"b{i % 100}".encode() for i in range(n)], dtype=dt)
        elif dt.kind == "U":
            values = np.array([f"ü{i % 50}" for i in range(n)], dtype=dt)
        elif dt.kind == "V" and dt.fields is None:
            values = np.frombuffer(bytes(i % 256 for i in range(n * dt.itemsize)), dtype=dt).copy()
        else:
            raise ValueError(dtype)
        return values.astype(dt).reshape(shape)

    return make


def _structured(shape: tuple[int, ...]) -> np.ndarray:
    n = int(np.prod(shape))
    values = np.zeros(n, dtype=STRUCTURED)
    values["a"] = np.arange(n)
    values["b"] = np.arange(2 * n).reshape(n, 2) / 2
    values["c"]["d"] = np.arange(n) % 200
    values["c"]["e"] = -np.arange(n)
    return values.reshape(shape)


def _objects(maker: Callable[[int], Any]) -> Callable[[tuple[int, ...]], np.ndarray]:
    def make(shape: tuple[int, ...]) -> np.ndarray:
        n = int(np.prod(shape))
        values = np.empty(n, dtype=object)
        for i in range(n):
            values[i] = maker(i)
        return values.reshape(shape)

    return make


@dataclass(frozen=True)
class DtypeCase:
    name: str
    dtype: Any
    make: Callable[[tuple[int, ...]], np.ndarray]
    fill_value: Any = 0
    object_codec: Any = None
    extra: dict[str, Any] = field(default_factory=dict)


def dtype_cases() -> list[DtypeCase]:
    """One case per dtype family and byte order (FORMATS.md 1.2)."""
    simple = [
        ("|b1", True),
        ("|i1", -3),
        ("|u1", 7),
        ("<i2", -2),
        (">i2", 5),
        ("<i4", 0),
        (">u4", 9),
        ("<i8", -1),
        (">u8", 3),
        ("<f2", 1.5),
        ("<f4", "NaN"),
        (">f8", "-Infinity"),
        ("<c8", [1.0, "NaN"]),
        (">c16", [0.5, -1.0]),
        ("<M8[ns]", 0),
        (">M8[10s]", -9223372036854775808),
        ("<m8[ms]", 12),
        ("|S4", b"ab"),
        ("<U5", "xyz"),
        (">U3", ""),
        ("|V3", b"\x01\x02\x03"),
    ]
    cases = [DtypeCase(dt, dt, _numeric(dt), fill) for dt, fill in simple]
    cases.append(DtypeCase("structured", STRUCTURED, _structured, 0))
    cases += [
        DtypeCase(
            "vlen-utf8", object, _objects(lambda i: f"s{i}é" * (i % 3)), "", numcodecs.VLenUTF8()
        ),
        DtypeCase(
            "vlen-bytes",
            object,
            _objects(lambda i: bytes(range(i % 5))),
            None,
            numcodecs.VLenBytes(),
        ),
        DtypeCase(
            "vlen-array",
            object,
            _objects(lambda i: np.arange(i % 4, dtype="<i2")),
            None,
            numcodecs.VLenArray("<i2"),
        ),
        DtypeCase(
            "json2",
            object,
            _objects(lambda i: {"k": i} if i % 2 else [i, "x"]),
            None,
            numcodecs.JSON(),
        ),
        DtypeCase("msgpack2", object, _objects(lambda i: [i, "m"]), None, numcodecs.MsgPack()),
    ]
    return cases


@dataclass(frozen=True)
class CodecCase:
    name: str
    dtype: str
    compressor: Any
    filters: list[Any] | None = None


def codec_cases() -> list[CodecCase]:
    """Every compressor, blosc cname/shuffle, filter and checksum codec of issue 3."""
    blosc = numcodecs.Blosc
    cases = [
        CodecCase(f"blosc-{cname}", "<f8", blosc(cname=cname, clevel=5, shuffle=1))
        for cname in numcodecs.blosc.list_compressors()
    ]
    cases += [
        CodecCase(f"blosc-lz4-shuffle{s}", "<i4", blosc("lz4", 5, s))
        for s in (blosc.NOSHUFFLE, blosc.BITSHUFFLE, blosc.AUTOSHUFFLE)
    ]
    cases += [
        CodecCase("blosc-autoshuffle-u1", "|u1", blosc("zstd", 3, blosc.AUTOSHUFFLE)),
        CodecCase("zstd", "<f8", numcodecs.Zstd(level=1)),
        CodecCase("lz4", "<i8", numcodecs.LZ4()),
        CodecCase("zlib", "<f4", numcodecs.Zlib(level=1)),
        CodecCase("gzip", ">i2", numcodecs.GZip(level=1)),
        CodecCase("bz2", "<u2", numcodecs.BZ2(level=1)),
        CodecCase("lzma", "<f8", numcodecs.LZMA()),
        CodecCase("none", ">f8", None),
        CodecCase("delta", "<i4", numcodecs.Zlib(1), [numcodecs.Delta(dtype="<i4")]),
        CodecCase("delta-astype", "<i8", None, [numcodecs.Delta(dtype="<i8", astype="<i4")]),
        CodecCase(
            "fixedscaleoffset",
            "<f8",
            numcodecs.Blosc(),
            [numcodecs.FixedScaleOffset(offset=10, scale=100, dtype="<f8", astype="<i4")],
        ),
        CodecCase("quantize", "<f8", numcodecs.Zstd(), [numcodecs.Quantize(digits=2, dtype="<f8")]),
        CodecCase(
            "astype", "<f8", None, [numcodecs.AsType(encode_dtype="<f4", decode_dtype="<f8")]
        ),
        CodecCase("packbits", "|b1", numcodecs.Zlib(1), [numcodecs.PackBits()]),
        CodecCase("shuffle", "<f8", numcodecs.Zlib(1), [numcodecs.Shuffle(elementsize=8)]),
        CodecCase("bitround", "<f4", numcodecs.Zstd(), [numcodecs.BitRound(keepbits=8)]),
        CodecCase("crc32", "<i4", numcodecs.CRC32()),
        CodecCase("adler32", "<i4", numcodecs.Adler32()),
        CodecCase("crc32c", "<i4", numcodecs.CRC32C()),
        CodecCase("fletcher32", "<i4", numcodecs.Fletcher32()),
        CodecCase("jenkins", "<i4", numcodecs.JenkinsLookup3()),
        CodecCase("crc32-filter-then-zlib", "<u2", numcodecs.Zlib(1), [numcodecs.CRC32()]),
        CodecCase(
            "categorize",
            "|O",
            numcodecs.Zlib(1),
            [numcodecs.Categorize(labels=["a", "bb", "c"], dtype=object, astype="|u1")],
        ),
    ]
    return cases


def codec_data(dtype: str, shape: tuple[int, ...]) -> np.ndarray:
    """Deterministic data for a codec case."""
    n = int(np.prod(shape))
    if dtype == "|b1":
        flags: np.ndarray = np.arange(n) % 3 == 0
        return flags.reshape(shape)
    if dtype == "|O":
        values = np.empty(n, dtype=object)
        values[:] = [("a", "bb", "c")[i % 3] for i in range(n)]
        return values.reshape(shape)
    dt = np.dtype(dtype)
    if dt.kind == "f":
        return (np.arange(n) * 1.234 - 20).astype(dt).reshape(shape)
    return (np.arange(n) * 7 % 200).astype(dt).reshape(shape)


def safe_name(name: str) -> str:
    """A dtype or case name usable as a file name (``"<M8[ns]"`` -> ``"le_M8_ns"``)."""
    for old, new in (("<", "le_"), (">", "be_"), ("|", "na_"), ("[", "_"), ("]", "")):
        name = name.replace(old, new)
    return name
