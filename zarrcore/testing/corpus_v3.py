"""Corpus cases for the reference engines in ``.venv-ref``: zarr-python 3.1 (v3 and v2) and
tensorstore (zarr v2, zarr v3, N5). Pure data; the writer snippet is ``tests/corpus/write_ref.py``.

Codec chains are named; the snippet builds them from the names (see ``CHAINS``).
"""

from __future__ import annotations

from typing import Any

from zarrcore.testing.corpus import Case

#: dtype name -> (dtype given to the writer, fill tokens)
V3_DTYPES: dict[str, tuple[Any, tuple[str, ...]]] = {
    "bool": ("bool", ("default", "true")),
    "i1": ("|i1", ("default", "odd")),
    "i2": ("<i2", ("default", "odd")),
    "i4be": (">i4", ("odd", "default")),
    "i8": ("<i8", ("odd",)),
    "u1": ("|u1", ("default", "max")),
    "u2be": (">u2", ("max",)),
    "u4": ("<u4", ("default",)),
    "u8": ("<u8", ("max", "default")),
    "f2": ("<f2", ("nan", "default")),
    "f4": ("<f4", ("nan", "hexnan", "hexpayload", "default")),
    "f4be": (">f4", ("inf",)),
    "f8": ("<f8", ("nan", "ninf", "frac", "hexnan", "default")),
    "f8be": (">f8", ("nan",)),
    "c8": ("<c8", ("cplx", "default")),
    "c16": ("<c16", ("cnan",)),
    "c16be": (">c16", ("cplx",)),
    "string": ("string", ("default", "str")),
    "vbytes": ("vbytes", ("default",)),
    "U5": ("<U5", ("default", "str")),
    "U3be": (">U3", ("default",)),
    "S4": ("|S4", ("default", "bytes")),
    "V3": ("|V3", ("default",)),
    "struct": ([["a", "<i4"], ["b", "<f8"]], ("default",)),
    "M8_10s": ("<M8[10s]", ("default", "nat")),
    "M8ns": ("<M8[ns]", ("nat",)),
    "m8ms": ("<m8[ms]", ("default",)),
}
NUMERIC = (
    "bool",
    "i1",
    "i2",
    "i4be",
    "i8",
    "u1",
    "u2be",
    "u4",
    "u8",
    "f2",
    "f4",
    "f4be",
    "f8",
    "f8be",
    "c8",
    "c16",
    "c16be",
)

CHAINS = (
    "default",
    "raw",
    "gzip5",
    "zstd3_checksum",
    "zstd_neg",
    "blosc_lz4_shuffle",
    "blosc_zstd_bitshuffle",
    "blosc_blosclz_noshuffle",
    "blosc_zlib_shuffle",
    "blosc_lz4hc",
    "zstd_crc32c",
    "transpose",
    "big",
    "full_chain",
    "nc_zlib",
    "nc_bz2",
    "nc_lzma",
    "nc_lz4",
    "nc_delta",
    "nc_shuffle",
    "nc_fletcher32",
    "nc_crc32",
    "nc_adler32",
    "nc_fso",
    "nc_quantize",
    "nc_bitround",
    "shard_end",
    "shard_start",
    "shard_start_gzip_big",
    "shard_noindexcrc",
    "shard_transpose",
    "shard_blosc",
    "shard_blosc_lz4",
    "shard_nested",
    "transpose_shard",
)
#: chains whose chunk grid is a shard grid (the geometry's shard shape)
SHARDED = (*(c for c in CHAINS if c.startswith("shard")), "transpose_shard")
#: chains only valid for numeric (fixed-size, byte-order aware) types
NUMERIC_ONLY = (
    "big",
    "full_chain",
    "nc_delta",
    "nc_fso",
    "nc_quantize",
    "nc_bitround",
    "blosc_zstd_bitshuffle",
    "shard_start_gzip_big",
    "nc_shuffle",
)
FLOAT_ONLY = ("nc_fso", "nc_quantize", "nc_bitround")

GEOMS: dict[str, tuple[list[int], list[int], list[int] | None]] = {
    # name: shape, chunks (or inner chunks when sharded), shard shape
    "2d_edge": ([13, 17], [4, 5], [8, 10]),
    "1d": ([50], [7], [14]),
    "0d": ([], [], None),
    "empty_axis": ([0, 4], [2, 2], [4, 4]),
    "3d": ([6, 5, 9], [2, 3, 4], [4, 3, 8]),
    "chunks_gt_shape": ([5, 3], [8, 8], [16, 16]),
    # big enough for the parallel paths: a read spans several shards (> fetch.INLINE_NBYTES)
    # and one f8 shard decodes 1 MiB (sharding.PARALLEL_DECODE_NBYTES); partial edge shards
    "big2d": ([700, 530], [64, 64], [512, 256]),
}
KEYS = ("default_slash", "default_dot", "v2_dot", "v2_slash")
PATTERNS = ("full", "partial", "sparse", "none")


def _v3_case(
    dtype: str,
    chain: str = "default",
    geom: str = "2d_edge",
    keys: str = "default_slash",
    fill: str | None = None,
    pattern: str = "full",
    store: str = "local",
    dims: bool = False,
    i: int = 0,
) -> Case | None:
    spec, fills = V3_DTYPES[dtype]
    fill = fill if fill in fills else fills[i % len(fills)]
    if chain in NUMERIC_ONLY and dtype not in NUMERIC:
        return None
    if chain in FLOAT_ONLY and not dtype.startswith("f"):
        return None
    if chain == "nc_bitround" and dtype.endswith("be"):
        return None  # numcodecs BitRound only takes native floats
    if chain in ("nc_delta", "nc_shuffle") and dtype in ("bool", "c8", "c16", "c16be"):
        return None
    if chain.startswith("nc_") and dtype in (
        "string",
        "vbytes",
        "struct",
        "V3",
        "U5",
        "U3be",
        "S4",
        "M8_10s",
        "M8ns",
        "m8ms",
    ):
        return None
    shape, chunks, shards = GEOMS[geom]
    sharded = chain in SHARDED
    if sharded and dtype in ("V3", "struct"):
        return None  # zarr 3.1 cannot write sharded void/structured arrays (unhashable scalar)
    if sharded and shards is None:
        return None
    transposes = ("transpose", "full_chain", "shard_transpose", "transpose_shard")
    if chain in transposes and len(shape) < 2:
        return None
    cid = f"zarr3-{store}-{dtype}-{chain}-{geom}-{keys}-{fill}-{pattern}{'-dims' if dims else ''}"
    return Case(
        cid,
        "zarr3",
        store,
        {
            "dtype": spec,
            "dtype_name": dtype,
            "chain": chain,
            "shape": shape,
            "chunks": chunks,
            "shards": shards if sharded else None,
            "keys": keys,
            "fill": fill,
            "pattern": pattern,
            "dims": dims,
        },
    )


def zarr3_cases(full: bool = False) -> list[Case]:
    out: dict[str, Case] = {}

    def add(**kw: Any) -> None:
        case = _v3_case(i=len(out), **kw)
        if case is not None:
            out.setdefault(case.id, case)

    for i, dtype in enumerate(V3_DTYPES):
        for fill in V3_DTYPES[dtype][1]:
            add(dtype=dtype, fill=fill, pattern=PATTERNS[i % 4], dims=i % 3 == 0)
        add(dtype=dtype, chain=("shard_end", "shard_start")[i % 2], pattern="sparse")
    for i, chain in enumerate(CHAINS):
        add(dtype=("f4", "i2", "u2be", "f8be")[i % 4], chain=chain, pattern=PATTERNS[i % 4])
        add(dtype="u1", chain=chain, geom="3d", pattern="full")
        if full:
            for dtype in V3_DTYPES:
                add(dtype=dtype, chain=chain, pattern="partial")
    # lossy numcodecs filters over NaN/inf data (numpy cast warnings must not fail reads)
    add(dtype="f8", chain="nc_delta", pattern="partial", fill="ninf")
    add(dtype="f2", chain="nc_fso", pattern="partial", fill="nan")
    for i, geom in enumerate(g for g in GEOMS if g != "big2d"):
        for j, chain in enumerate(("default", "shard_end", "shard_start", "transpose")):
            add(
                dtype=("f8", "i2", "string", "u2be")[(i + j) % 4],
                chain=chain,
                geom=geom,
                pattern=PATTERNS[(i + j) % 4],
            )
    # sharded reads through the hot paths (inner chunks decoded straight into the output or
    # through a scratch buffer, several shards at once): sparse islands leave whole shards,
    # whole inner chunks and parts of inner chunks unwritten
    big = ("shard_blosc_lz4", "shard_start", "shard_start_gzip_big", "shard_blosc", "shard_end")
    for i, chain in enumerate(big if full else big[:2]):
        add(dtype=("f8", "i2", "u2be")[i % 3], chain=chain, geom="big2d", pattern="islands")
    # a whole f8 shard (1 MiB) stored: its inner chunks decode on several threads
    add(dtype="f8", chain="shard_blosc_lz4", geom="big2d", pattern="full")
    if full:
        for chain in ("shard_nested", "transpose_shard", "default", "blosc_lz4_shuffle"):
            add(dtype="f8", chain=chain, geom="big2d", pattern="islands")
    for i, keys in enumerate(KEYS):
        for chain in ("default", "shard_end"):
            add(
                dtype="i2", chain=chain, keys=keys, geom=("2d_edge", "3d")[i % 2], pattern="partial"
            )
        add(dtype="u1", keys=keys, geom="0d")
    for i, store in enumerate(("zip", "consolidated")):
        for j, dtype in enumerate(("f4", "string", "i4be", "S4", "bool", "struct")):
            add(
                dtype=dtype,
                chain=CHAINS[(i * 7 + j * 3) % len(CHAINS)],
                store=store,
                pattern="partial",
                dims=True,
            )
    # sharded arrays in a zip (ranged reads of zip members) and behind consolidated metadata
    add(dtype="f4", chain="shard_start", store="zip", pattern="sparse")
    add(dtype="f8", chain="shard_blosc_lz4", geom="big2d", store="zip", pattern="islands")
    add(dtype="u2be", chain="shard_end", store="consolidated", pattern="sparse", dims=True)
    if full:
        for store in ("zip", "consolidated"):
            for i, chain in enumerate(SHARDED):
                add(
                    dtype=("i2", "f8", "string", "u1")[i % 4],
                    chain=chain,
                    store=store,
                    geom=("2d_edge", "3d")[i % 2],
                    pattern=PATTERNS[i % 4],
                )
    return sorted(out.values(), key=lambda c: c.id)


V2_DTYPES = ("<i2", ">f8", "<f4", "|u1", "|b1", "<U5", "|S4", "<M8[ns]", "<c8", "str")
V2_COMPRESSORS: dict[str, dict[str, Any] | None] = {
    "none": None,
    "zstd": {"id": "zstd", "level": 0},
    "blosc": {"id": "blosc", "cname": "lz4", "clevel": 5, "shuffle": 1, "blocksize": 0},
    "blosc_bit": {"id": "blosc", "cname": "zstd", "clevel": 3, "shuffle": 2, "blocksize": 0},
    "gzip": {"id": "gzip", "level": 5},
    "zlib": {"id": "zlib", "level": 1},
}


def zarr3_v2_cases(full: bool = False) -> list[Case]:
    """zarr-python 3 writing zarr_format=2 arrays (compact JSON, "" fills, .zattrs everywhere)."""
    out: list[Case] = []
    comps = list(V2_COMPRESSORS)
    for store in ("local", "consolidated"):
        for i, dtype in enumerate(V2_DTYPES):
            for j, comp in enumerate(comps):
                if not full and (i + j) % 3:
                    continue
                order = "CF"[(i + j) % 2]
                sep = "./"[(i // 2 + j) % 2]
                fill = ("default", "nan" if "f" in dtype else "default")[j % 2]
                cid = (
                    f"zarr3v2-{store}-{dtype.replace('<', 'le').replace('>', 'be')}"
                    f"-{comp}-{order}{sep.replace('/', 's').replace('.', 'd')}-{fill}"
                )
                out.append(
                    Case(
                        cid,
                        "zarr3-v2",
                        store,
                        {
                            "dtype": dtype,
                            "compressor": V2_COMPRESSORS[comp],
                            "order": order,
                            "sep": sep,
                            "fill": fill,
                            "shape": [7, 5],
                            "chunks": [3, 2],
                            "pattern": ("full", "partial")[j % 2],
                        },
                    )
                )
    return out


TS_DTYPES = ("uint8", "int16", "uint16", "int32", "float32", "float64", "int64", "uint64")
TS_V2_COMPRESSORS: dict[str, dict[str, Any] | None] = {
    "raw": None,
    "zstd": {"id": "zstd", "level": 1},
    "blosc": {"id": "blosc", "cname": "lz4", "clevel": 5, "shuffle": -1},
    "blosc_zstd_bit": {"id": "blosc", "cname": "zstd", "clevel": 3, "shuffle": 2},
    "zlib": {"id": "zlib", "level": 1},
    "bz2": {"id": "bz2", "level": 1},
}
TS_N5_COMPRESSIONS: dict[str, dict[str, Any]] = {
    "raw": {"type": "raw"},
    "gzip": {"type": "gzip", "level": 5},
    "gzip_zlib": {"type": "gzip", "level": 5, "useZlib": True},
    "bzip2": {"type": "bzip2", "blockSize": 9},
    "xz": {"type": "xz", "preset": 6},
    "blosc": {"type": "blosc", "cname": "lz4", "clevel": 5, "shuffle": 1},
    "zstd": {"type": "zstd", "level": 3},
}
TS_V3_CHAINS = (
    "default",
    "gzip",
    "zstd",
    "blosc",
    "crc32c",
    "transpose_big",
    "shard_end",
    "shard_start",
)


def tensorstore_cases(full: bool = False) -> list[Case]:
    out: list[Case] = []
    for i, dtype in enumerate(TS_DTYPES):
        for j, comp in enumerate(TS_V2_COMPRESSORS):
            if full or (i + j) % 2 == 0:
                order = "CF"[(i + j) % 2]
                sep = "./"[(i + j // 2) % 2]
                fill = ("null", "odd")[j % 2]
                out.append(
                    Case(
                        f"tsv2-{dtype}-{comp}-{order}{'s' if sep == '/' else 'd'}-{fill}",
                        "ts-v2",
                        "local",
                        {
                            "dtype": dtype,
                            "compressor": TS_V2_COMPRESSORS[comp],
                            "order": order,
                            "sep": sep,
                            "fill": fill,
                            "shape": [13, 7, 5],
                            "chunks": [4, 3, 5],
                        },
                    )
                )
        for j, comp in enumerate(TS_N5_COMPRESSIONS):
            if full or (i + j) % 2 == 0:
                out.append(
                    Case(
                        f"tsn5-{dtype}-{comp}",
                        "ts-n5",
                        "local",
                        {
                            "dtype": dtype,
                            "compression": TS_N5_COMPRESSIONS[comp],
                            "shape": [13, 7, 5],
                            "chunks": [4, 3, 2],
                        },
                    )
                )
        for j, chain in enumerate(TS_V3_CHAINS):
            if full or (i + j) % 2 == 0:
                out.append(
                    Case(
                        f"tsv3-{dtype}-{chain}",
                        "ts-v3",
                        "local",
                        {
                            "dtype": dtype,
                            "chain": chain,
                            "shape": [13, 7, 5],
                            "chunks": [4, 3, 5],
                            "fill": ("default", "odd")[j % 2],
                        },
                    )
                )
    return out
