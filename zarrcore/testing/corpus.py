"""A systematic interop corpus: case specifications, deterministic data and comparisons.

Pure data and numpy only (zarrcore never imports zarr): the writers that turn a
:class:`Case` into arrays on disk live in ``tests/corpus/`` (zarr-python 2.18 in-process,
zarr-python 3.1 and tensorstore through :mod:`zarrcore.testing.refengine`).

A case is a writer, a store kind and a dict of JSON-serialisable parameters; its ``id`` names
every axis value so a failing test says what it covered. :func:`zarr2_cases` builds either a
representative sample (every axis value at least once, plus dtype x store and dtype x codec
rotations) or, with ``full=True``, a much larger cross product.
"""

from __future__ import annotations

import hashlib
import itertools
import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np

# ---------------------------------------------------------------------------- case model


@dataclass(frozen=True)
class Case:
    """One array to write with a reference engine and read back with zarrcore."""

    id: str
    writer: str  # "zarr2", "zarr3", "zarr3-v2", "ts-v2", "ts-v3", "ts-n5"
    store: str  # "dir", "nested", "legacy_nested", "zip", "zip_dup", "sqlite", "n5", ...
    params: dict[str, Any] = field(default_factory=dict)

    def __hash__(self) -> int:
        return hash(self.id)


# ---------------------------------------------------------------------------- axes (zarr 2)

STRUCT_SIMPLE: list[Any] = [["a", "<i4"], ["b", "<f8"]]
STRUCT_NESTED: list[Any] = [["a", "<i4"], ["b", "<f8", [2]], ["c", [["d", "|u1"], ["e", ">i2"]]]]
STRUCT_BE_SUB: list[Any] = [["m", ">f4", [2, 3]], ["n", "|S2"], ["o", ">u8"]]

#: name -> (dtype spec, object codec config or None, fill tokens to try)
DTYPES: dict[str, tuple[Any, dict[str, Any] | None, tuple[str, ...]]] = {
    "b1": ("|b1", None, ("zero", "true", "none")),
    "i1": ("|i1", None, ("zero", "odd", "none")),
    "i2": ("<i2", None, ("zero", "odd")),
    "i2be": (">i2", None, ("odd", "none")),
    "i4": ("<i4", None, ("zero", "odd", "none")),
    "i8": ("<i8", None, ("zero", "odd", "big")),
    "i8be": (">i8", None, ("odd",)),
    "u1": ("|u1", None, ("zero", "odd", "max")),
    "u2": ("<u2", None, ("zero", "max")),
    "u2be": (">u2", None, ("odd",)),
    "u4": ("<u4", None, ("zero", "odd")),
    "u8": ("<u8", None, ("zero", "max")),
    "u8be": (">u8", None, ("odd",)),
    "f2": ("<f2", None, ("zero", "nan", "inf")),
    "f2be": (">f2", None, ("nan",)),
    "f4": ("<f4", None, ("nan", "zero", "ninf", "frac", "none")),
    "f4be": (">f4", None, ("nan", "inf")),
    "f8": ("<f8", None, ("nan", "zero", "inf", "ninf", "frac", "none")),
    "f8be": (">f8", None, ("frac", "nan")),
    "c8": ("<c8", None, ("zero", "cplx", "cnan")),
    "c8be": (">c8", None, ("cplx",)),
    "c16": ("<c16", None, ("cnan", "zero")),
    "c16be": (">c16", None, ("cplx",)),
    "M8ns": ("<M8[ns]", None, ("zero", "nat")),
    "M8D": ("<M8[D]", None, ("nat", "odd")),
    "M8_10s": ("<M8[10s]", None, ("nat", "zero")),
    "M8msbe": (">M8[ms]", None, ("odd",)),
    "m8us": ("<m8[us]", None, ("zero", "nat")),
    "m8_10s": (">m8[10s]", None, ("odd",)),
    "S1": ("|S1", None, ("zero", "bytes1")),
    "S7": ("|S7", None, ("zero", "bytes", "none")),
    "U3": ("<U3", None, ("str", "empty", "none")),
    "U5be": (">U5", None, ("str", "empty")),
    "V3": ("|V3", None, ("void", "none")),
    "struct": (STRUCT_SIMPLE, None, ("none", "zero")),
    "struct_nested": (STRUCT_NESTED, None, ("none",)),
    "struct_be_sub": (STRUCT_BE_SUB, None, ("none",)),
    "vlen_utf8": ("|O", {"id": "vlen-utf8"}, ("empty", "none", "str")),
    "vlen_bytes": ("|O", {"id": "vlen-bytes"}, ("none",)),  # zarr 2 cannot store a bytes fill
    "vlen_array_i2": ("|O", {"id": "vlen-array", "dtype": "<i2"}, ("none",)),
    "vlen_array_f8": ("|O", {"id": "vlen-array", "dtype": ">f8"}, ("none",)),
    "json2": ("|O", {"id": "json2"}, ("none", "zero")),
    "msgpack2": ("|O", {"id": "msgpack2"}, ("none", "str")),
    "pickle": ("|O", {"id": "pickle"}, ("none",)),
}


def _blosc(cname: str, shuffle: int, clevel: int = 5, blocksize: int = 0) -> dict[str, Any]:
    return {
        "id": "blosc",
        "cname": cname,
        "clevel": clevel,
        "shuffle": shuffle,
        "blocksize": blocksize,
    }


COMPRESSORS: dict[str, dict[str, Any] | None] = {
    **{
        f"blosc_{c}_s{s if s >= 0 else 'auto'}": _blosc(c, s)
        for c in ("lz4", "lz4hc", "blosclz", "zstd", "zlib")
        for s in (0, 1, 2, -1)
    },
    "blosc_lz4_bs256": _blosc("lz4", 1, 5, 256),
    "blosc_zstd_clevel0": _blosc("zstd", 1, 0),
    "blosc_zlib_clevel9": _blosc("zlib", 2, 9),
    "zstd1": {"id": "zstd", "level": 1},
    "zstd_neg": {"id": "zstd", "level": -3},
    "zstd_checksum": {"id": "zstd", "level": 5, "checksum": True},
    "lz4": {"id": "lz4", "acceleration": 1},
    "lz4_acc9": {"id": "lz4", "acceleration": 9},
    "zlib1": {"id": "zlib", "level": 1},
    "zlib9": {"id": "zlib", "level": 9},
    "gzip1": {"id": "gzip", "level": 1},
    "gzip9": {"id": "gzip", "level": 9},
    "bz2": {"id": "bz2", "level": 1},
    "lzma": {"id": "lzma", "format": 1, "check": -1, "preset": None, "filters": None},
    "lzma_alone": {"id": "lzma", "format": 2, "check": -1, "preset": 1, "filters": None},
    "lzma_raw": {
        "id": "lzma",
        "format": 3,
        "check": -1,
        "preset": None,
        "filters": [{"id": 33, "preset": 1}],
    },
    "none": None,
    "crc32": {"id": "crc32"},
    "crc32c": {"id": "crc32c"},
    "adler32": {"id": "adler32"},
    "fletcher32": {"id": "fletcher32"},
    "jenkins": {"id": "jenkins_lookup3"},
}

BLOSC_COMPRESSORS = [k for k in COMPRESSORS if k.startswith("blosc")]


def _filters_for(dt: np.dtype[Any]) -> dict[str, list[dict[str, Any]]]:
    """Filter chains that make sense for this dtype (name -> list of configs)."""
    s = dt.str
    out: dict[str, list[dict[str, Any]]] = {"nofilter": []}
    if dt.fields is None and dt.kind != "O":
        out["shuffle"] = [{"id": "shuffle", "elementsize": dt.itemsize}]
        out["crc32f"] = [{"id": "crc32"}]
        out["fletcherf"] = [{"id": "fletcher32"}]
        out["crc32cf"] = [{"id": "crc32c"}]
        out["adler32f"] = [{"id": "adler32"}]
        out["base64f"] = [{"id": "base64"}]
    if dt.kind in "iu":
        out["delta"] = [{"id": "delta", "dtype": s}]
        out["delta_shuffle"] = [
            {"id": "delta", "dtype": s},
            {"id": "shuffle", "elementsize": dt.itemsize},
        ]
        if dt.itemsize >= 2:
            wide = np.dtype(f"{dt.byteorder if dt.byteorder in '<>' else '<'}{dt.kind}1")
            out["delta_astype"] = [{"id": "delta", "dtype": s, "astype": wide.str}]
            out["astype_f8"] = [{"id": "astype", "encode_dtype": "<f8", "decode_dtype": s}]
    if dt.kind == "f":
        out["quantize"] = [{"id": "quantize", "digits": 2, "dtype": s}]
        out["fso"] = [
            {"id": "fixedscaleoffset", "offset": 10, "scale": 100, "dtype": s, "astype": "<i4"}
        ]
        if dt.itemsize >= 4 and dt.byteorder in "=<":
            out["bitround"] = [{"id": "bitround", "keepbits": 6}]
            out["astype_f2"] = [{"id": "astype", "encode_dtype": "<f2", "decode_dtype": s}]
        out["delta_f"] = [{"id": "delta", "dtype": s}]
    if dt.kind == "b":
        out["packbits"] = [{"id": "packbits"}]
    if dt.kind == "U":
        out["categorize"] = [
            {"id": "categorize", "labels": ["a0", "b1", "c2"], "dtype": s, "astype": "|u1"}
        ]
    return out


#: name -> (shape, chunks)
GEOMETRIES: dict[str, tuple[list[int], list[int]]] = {
    "2d_edge": ([7, 5], [3, 2]),
    "1d": ([50], [7]),
    "0d": ([], []),
    "empty_axis": ([0, 5], [2, 2]),
    "empty_all": ([0], [4]),
    "3d": ([6, 5, 4], [4, 2, 3]),
    "5d": ([3, 4, 2, 3, 5], [2, 3, 1, 2, 4]),
    "chunks_gt_shape": ([5, 3], [10, 10]),
    "exact": ([4, 6], [4, 6]),
    "unit_chunks": ([3, 4], [1, 1]),
    "many_chunks": ([20000], [1]),
    "many_chunks_2d": ([200, 100], [1, 1]),
}
BIG_GEOMETRIES = ("many_chunks", "many_chunks_2d")

#: what gets written: full, partial (some chunks missing), none (all missing),
#: sparse_skip (write_empty_chunks=False over mostly-fill data)
PATTERNS = ("full", "partial", "none", "sparse_skip")

ZARR2_STORES = (
    "dir",
    "nested",
    "dir_slash",
    "legacy_nested",
    "zip",
    "zip_dup",
    "sqlite",
    "n5",
    "n5fs",
    "consolidated",
    "consolidated_zip",
    "dir_norm",
    "fsstore",
    "zip_deflated",
    "zip_noext",
    "redis",
    "mongodb",
    "s3",
    "azure",
)
N5_STORES = ("n5", "n5fs")
N5_DTYPES = ("i1", "i2", "i4", "i8", "u1", "u2", "u4", "u8", "f4", "f8", "u2be", "f8be")
N5_COMPRESSORS = (
    "none",
    "gzip1",
    "zlib1",
    "bz2",
    "lzma",
    "blosc_lz4_s1",
    "blosc_zstd_s2",
    "blosc_blosclz_s0",
    "zstd1",
    "lz4",
)
#: object dtypes whose data zarr writes but whose fill tokens are restricted
OBJECT_DTYPES = tuple(k for k, v in DTYPES.items() if v[1] is not None)


def _dtype_of(spec: Any) -> np.dtype[Any]:
    if isinstance(spec, list):
        fields: list[Any] = [tuple(_field(f)) for f in spec]
        out: np.dtype[Any] = np.dtype(fields)
        return out
    plain: np.dtype[Any] = np.dtype(spec)
    return plain


def _field(f: list[Any]) -> list[Any]:
    out: list[Any] = [f[0], _dtype_of(f[1]) if isinstance(f[1], list) else f[1]]
    if len(f) > 2:
        out.append(tuple(f[2]))
    return out


def dtype_of(spec: Any) -> np.dtype[Any]:
    """The numpy dtype of a JSON dtype spec (string or zarr v2 structured list)."""
    return _dtype_of(spec)


def _compatible(
    dtype_name: str,
    comp: str,
    filt: str,
    geom: str,
    store: str,
    order: str,
    fill: str,
    pattern: str,
) -> bool:
    dt = _dtype_of(DTYPES[dtype_name][0])
    if store in N5_STORES:
        if dtype_name not in N5_DTYPES or comp not in N5_COMPRESSORS or filt != "nofilter":
            return False
        if order != "C" or fill not in ("zero", "none") or geom in ("0d",):
            return False
    if filt not in _filters_for(dt):
        return False
    if geom in BIG_GEOMETRIES and (dt.kind == "O" or store in ("zip_dup", "legacy_nested")):
        return False
    if pattern == "sparse_skip" and dt.kind == "O" and fill == "none":
        return False
    if geom == "0d" and dtype_name in ("json2", "msgpack2"):
        return False  # numcodecs cannot encode a 0-d object chunk with these codecs
    if pattern == "sparse_skip" and "zip" in store:
        return False  # zarr's ZipStore cannot delete the chunks it decides are empty
    if dtype_name == "V3" and fill == "none" and pattern != "full":
        return True
    return True


def _make_case(
    dtype_name: str,
    comp: str,
    filt: str,
    geom: str,
    store: str,
    order: str,
    sep: str,
    fill: str,
    pattern: str,
) -> Case:
    spec, object_codec, _ = DTYPES[dtype_name]
    dt = _dtype_of(spec)
    shape, chunks = GEOMETRIES[geom]
    if store in ("nested", "legacy_nested", "dir_slash", "fsstore"):
        sep = "/"
    elif store in N5_STORES:
        sep = "."
    layout = order + ("s" if sep == "/" else "d")
    cid = f"{store}-{dtype_name}-{comp}-{filt}-{geom}-{layout}-{fill}-{pattern}"
    params: dict[str, Any] = {
        "dtype": spec,
        "object_codec": object_codec,
        "compressor": COMPRESSORS[comp],
        "filters": _filters_for(dt)[filt] or None,
        "shape": shape,
        "chunks": chunks,
        "order": order,
        "sep": sep,
        "fill": fill,
        "pattern": pattern,
        "dtype_name": dtype_name,
    }
    return Case(cid, "zarr2", store, params)


def _default_fill(dtype_name: str, i: int) -> str:
    fills = DTYPES[dtype_name][2]
    return fills[i % len(fills)]


def zarr2_cases(full: bool = False) -> list[Case]:
    """The zarr-python 2.18 corpus: a representative sample, or the broad cross product."""
    names = list(DTYPES)
    comps = list(COMPRESSORS)
    out: dict[str, Case] = {}

    def add(
        dtype_name: str,
        comp: str = "blosc_lz4_s1",
        filt: str = "nofilter",
        geom: str = "2d_edge",
        store: str = "dir",
        order: str = "C",
        sep: str = ".",
        fill: str | None = None,
        pattern: str = "partial",
    ) -> None:
        fill = fill if fill is not None else _default_fill(dtype_name, len(out))
        if store in N5_STORES:
            fill, order, filt = "zero", "C", "nofilter"
            if comp not in N5_COMPRESSORS:
                comp = N5_COMPRESSORS[len(out) % len(N5_COMPRESSORS)]
        if fill not in DTYPES[dtype_name][2]:
            fill = DTYPES[dtype_name][2][0]
        if not _compatible(dtype_name, comp, filt, geom, store, order, fill, pattern):
            return
        case = _make_case(dtype_name, comp, filt, geom, store, order, sep, fill, pattern)
        out.setdefault(case.id, case)

    # every dtype with every one of its fill tokens, C and F
    for i, name in enumerate(names):
        for j, fill in enumerate(DTYPES[name][2]):
            add(name, fill=fill, order="CF"[(i + j) % 2], pattern=PATTERNS[(i + j) % 4])
    # every compressor on a rotating dtype; every blosc on f8 and u1 (shuffle/typesize)
    for i, comp in enumerate(comps):
        add(names[(i * 7) % len(names)], comp=comp, order="CF"[i % 2], pattern="full")
        add("i4" if i % 2 else "f8", comp=comp, geom=("3d", "1d", "2d_edge")[i % 3])
    for comp in BLOSC_COMPRESSORS:
        add("u1", comp=comp, pattern="full", geom="1d")
    # every filter chain on every dtype that supports it
    for i, name in enumerate(names):
        for j, filt in enumerate(_filters_for(_dtype_of(DTYPES[name][0]))):
            if filt != "nofilter" and (
                full
                or (i + j) % 3 == 0
                or filt in ("packbits", "categorize", "bitround", "fso", "quantize", "delta_astype")
            ):
                add(name, comp=comps[(i + j) % len(comps)], filt=filt, order="CF"[j % 2])
    # geometry x pattern x order x separator
    for i, geom in enumerate(GEOMETRIES):
        if geom == "many_chunks_2d" and not full:
            continue  # 20 000 chunks once in 1-D is enough for the default run
        for pattern in PATTERNS if full or geom not in BIG_GEOMETRIES else ("partial",):
            for order in "CF":
                add(
                    ("f8", "i2be", "u1", "vlen_utf8", "c8", "S7")[i % 6],
                    geom=geom,
                    pattern=pattern,
                    order=order,
                    sep="./"[i % 2],
                    comp="none" if geom in BIG_GEOMETRIES else "zstd1",
                )
                if not full:
                    break
    # 0-d arrays keep their exact dtype (byte order, string length) through a[...]
    for i, name in enumerate(
        ("i2be", "U5be", "U3", "S7", "c16be", "M8msbe", "f2be", "struct_be_sub", "vlen_utf8", "V3")
    ):
        add(name, geom="0d", comp="zlib1", pattern=PATTERNS[i % 4])
    # every store with every dtype (rotating the other axes)
    for s, store in enumerate(ZARR2_STORES):
        for i, name in enumerate(names):
            if not full and (i + s) % 2 and store not in N5_STORES:
                continue
            if not full and store in ("redis", "mongodb", "s3", "azure") and (i + s) % 12:
                continue  # remote round trips are slow: a smaller sample by default
            add(
                name,
                store=store,
                comp=comps[(i * 3 + s) % len(comps)],
                geom=("2d_edge", "3d", "1d", "5d")[(i + s) % 4],
                order="CF"[(i + s) % 2],
                sep="./"[s % 2],
                pattern=PATTERNS[(i + s) % 4],
            )
        # not on s3/azure: zarr 2.18 writes (and deletes) 20 000 keys there through fsspec,
        # one request each, which alone outlasts the per-test timeout
        if (full and store not in ("s3", "azure")) or store in ("dir", "n5"):
            add(
                "u2",
                store=store,
                comp="none",
                geom="many_chunks_2d" if full else "many_chunks",
                pattern="sparse_skip",
            )
    for store in N5_STORES:
        for comp in N5_COMPRESSORS:
            add("u2be", store=store, comp=comp, geom="3d", fill="zero", pattern="full")
    if full:
        for i, (name, comp) in enumerate(itertools.product(names, comps)):
            add(
                name,
                comp=comp,
                order="CF"[i % 2],
                store=("dir", "nested", "zip", "sqlite")[i % 4],
                pattern="partial",
            )
        for name, geom, pattern in itertools.product(names, GEOMETRIES, PATTERNS):
            if geom not in BIG_GEOMETRIES:
                add(name, geom=geom, pattern=pattern, comp="zlib1")
    return sorted(out.values(), key=lambda c: c.id)


# ---------------------------------------------------------------------------- data


def seed_of(text: str) -> int:
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:4], "little")


def make_data(
    spec: Any, shape: Iterable[int], seed: int, object_codec: dict[str, Any] | None = None
) -> np.ndarray:
    """Deterministic data of dtype ``spec`` and ``shape`` (object items match the codec)."""
    shape = tuple(shape)
    dt = _dtype_of(spec)
    n = math.prod(shape)
    rng = np.random.default_rng(seed)
    if dt.fields is not None:
        raw = rng.integers(0, 256, n * dt.itemsize, dtype=np.uint8).tobytes()
        values = np.frombuffer(raw, dtype=dt).copy()
        _sanitize_fields(values)
        return values.reshape(shape)
    if dt.kind == "O":
        return _objects(object_codec or {"id": "vlen-utf8"}, n, rng).reshape(shape)
    return make_plain(dt, n, rng).reshape(shape)


def _sanitize_fields(values: np.ndarray) -> None:
    """Random bytes give NaN payloads in float fields: make them ordinary numbers."""
    assert values.dtype.names is not None
    for name in values.dtype.names:
        sub = values[name]
        if sub.dtype.fields is not None:
            _sanitize_fields(sub)
        elif sub.dtype.kind in "fc":
            values[name] = np.arange(sub.size).reshape(sub.shape) * 0.5


def make_plain(dt: np.dtype[Any], n: int, rng: np.random.Generator) -> np.ndarray:
    kind = dt.kind
    if kind == "b":
        return rng.integers(0, 2, n).astype(bool)
    if kind in "iu":
        info = np.iinfo(dt)
        lo, hi = max(int(info.min), -100), min(int(info.max), 100)
        values = rng.integers(lo, hi + 1, n).astype(dt)
        if n > 3:
            values[1] = info.max
            values[2] = info.min
        return values
    if kind == "f":
        values = (rng.standard_normal(n) * 10).astype(dt)
        if n > 5:
            values[3], values[4], values[5] = np.nan, np.inf, -np.inf
        return values
    if kind == "c":
        values = (rng.standard_normal(n) + 1j * rng.standard_normal(n)).astype(dt)
        if n > 3:
            values[3] = complex(np.nan, 1.0)
        return values
    if kind in "Mm":
        values = rng.integers(-(10**6), 10**6, n).astype("i8").view(dt.newbyteorder("="))
        if n > 2:
            values[2] = np.array("NaT", dtype=values.dtype)
        return values.astype(dt)
    if kind == "S":
        alphabet = np.frombuffer(b"abcxyz\x00\xff", dtype="u1")
        raw = alphabet[rng.integers(0, len(alphabet), n * dt.itemsize)].tobytes()
        return np.frombuffer(raw, dtype=dt).copy()
    if kind == "U":
        chars = "aé€😀b0"
        size = dt.itemsize // 4
        items = [
            "".join(chars[k] for k in rng.integers(0, len(chars), int(rng.integers(0, size + 1))))
            for _ in range(n)
        ]
        return np.array(items, dtype=dt)
    if kind == "V":
        raw = rng.integers(0, 256, n * dt.itemsize, dtype=np.uint8).tobytes()
        return np.frombuffer(raw, dtype=dt).copy()
    raise ValueError(f"no data maker for {dt}")


def _objects(codec: dict[str, Any], n: int, rng: np.random.Generator) -> np.ndarray:
    cid = codec["id"]
    out = np.empty(n, dtype=object)
    for i in range(n):
        k = int(rng.integers(0, 6))
        if cid == "vlen-utf8":
            out[i] = "é€😀x"[: k % 4] * (k % 3) + str(i)
        elif cid == "vlen-bytes":
            out[i] = bytes(rng.integers(0, 256, k, dtype=np.uint8))
        elif cid == "vlen-array":
            out[i] = (rng.standard_normal(k) * 100).astype(codec["dtype"])
        elif cid in ("json2", "msgpack2"):
            out[i] = [i, "x" * k, {"k": k}] if k % 2 else f"s{i}"
        else:
            out[i] = ("p", i, k)
    return out


# ---------------------------------------------------------------------------- comparison


def same_data(actual: np.ndarray, expected: np.ndarray) -> str | None:
    """None when equal (NaN == NaN, exact dtype); else a short description of the difference."""
    if actual.shape != expected.shape:
        return f"shape {actual.shape} != {expected.shape}"
    if expected.dtype.kind in "OT" or actual.dtype.kind in "OT":
        if actual.dtype.kind not in "OT":
            return f"dtype {actual.dtype} != {expected.dtype}"
        for idx, (got, want) in enumerate(zip(actual.flat, expected.flat, strict=True)):
            if not _same_object(got, want):
                return f"item {idx}: {got!r} != {want!r}"
        return None
    if actual.dtype != expected.dtype:
        return f"dtype {actual.dtype.descr} != {expected.dtype.descr}"
    if expected.dtype.fields is not None or expected.dtype.kind == "V":
        if actual.tobytes() != expected.tobytes():
            return "structured/void bytes differ"
        return None
    equal_nan = expected.dtype.kind in "fcmM"
    if not np.array_equal(actual, expected, equal_nan=equal_nan):
        bad = np.argwhere(~_eq(actual, expected))
        where = tuple(int(x) for x in bad[0]) if bad.size else ()
        return f"values differ at {where} ({int(bad.shape[0])} items)"
    return None


def _eq(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    eq = np.asarray(a == b)
    if a.dtype.kind in "fc":
        eq |= np.isnan(a) & np.isnan(b)
    if a.dtype.kind in "mM":
        eq |= np.isnat(a) & np.isnat(b)
    return eq


def _same_object(got: Any, want: Any) -> bool:
    if isinstance(want, np.ndarray) or isinstance(got, np.ndarray):
        return (
            isinstance(got, np.ndarray)
            and isinstance(want, np.ndarray)
            and got.dtype == want.dtype
            and np.array_equal(got, want, equal_nan=True)
        )
    if isinstance(want, float) and isinstance(got, float) and math.isnan(want):
        return math.isnan(got)
    if isinstance(want, str) and isinstance(got, str):  # str and numpy.str_ alike
        return str(got) == str(want)
    if isinstance(want, bytes) and isinstance(got, bytes):
        return bytes(got) == bytes(want)
    return bool(type(got) is type(want) and got == want) or _json_equal(got, want)


def _json_equal(a: Any, b: Any) -> bool:
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_json_equal(a[k], b[k]) for k in a)
    if isinstance(a, list | tuple) and isinstance(b, list | tuple):
        return len(a) == len(b) and all(_json_equal(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    return bool(type(a) is type(b) and a == b)


def same_json(a: Any, b: Any) -> bool:
    """Attribute equality with NaN == NaN and int/float kept apart (1 != 1.0 as JSON)."""
    return _json_equal(a, b)


def same_fill(got: Any, want: Any) -> bool:
    """Fill values are equal (NaN == NaN, NaT == NaT, bytes-wise for void/structured)."""
    if want is None or got is None:
        return got is None and want is None
    try:
        a = np.asarray(got)
        b = np.asarray(want)
    except Exception:
        return bool(got == want)
    if a.dtype.kind in "OT" or b.dtype.kind in "OT":
        return bool(got == want)
    if a.dtype.fields is not None or a.dtype.kind == "V" or b.dtype.kind == "V":
        return (
            a.tobytes() == b.astype(a.dtype).tobytes()
            if a.dtype.itemsize == b.dtype.itemsize
            else False
        )
    if a.dtype.kind in "mM" and b.dtype.kind in "mM":
        return bool(a.view("i8") == b.view("i8"))
    try:
        return bool(np.array_equal(a, b, equal_nan=a.dtype.kind in "fc" and b.dtype.kind in "fc"))
    except TypeError:
        return bool(np.array_equal(a, b))


def walk_ids(cases: Iterable[Case]) -> Iterator[str]:
    for case in cases:
        yield case.id
