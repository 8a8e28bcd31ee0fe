"""A rotated matrix of zarr-python 3.1 arrays (dtype x layout x codecs x shapes with edge
chunks/shards x sparse writes), written in one subprocess and read back by zarrcore, whole
and by random regions. Complements the hand-written interop cases."""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import zarrcore
from zarrcore.testing.refengine import RefResult, run_ref

pytestmark = pytest.mark.interop

DTYPES = [
    "bool",
    "int8",
    "uint16",
    "int32",
    "uint64",
    "float16",
    "float32",
    "float64",
    "complex64",
    "complex128",
]
LAYOUTS = ["plain", "shard_end", "shard_start"]
CODECS = [
    "default",
    "none",
    "gzip",
    "blosc_lz4_shuffle",
    "blosc_zstd_bitshuffle",
    "big_endian_crc",
    "transpose",
]
SHAPES = [((23, 31), (4, 6), (8, 12)), ((17,), (5,), (10,)), ((3, 9, 10), (2, 4, 3), (2, 8, 6))]


def matrix() -> list[dict[str, Any]]:
    cases = []
    for i, (dtype, layout) in enumerate(itertools.product(DTYPES, LAYOUTS)):
        shape, chunks, shards = SHAPES[i % len(SHAPES)]
        cases.append(
            {
                "name": f"m{i:02d}_{dtype}_{layout}_{CODECS[i % len(CODECS)]}",
                "dtype": dtype,
                "layout": layout,
                "codec": CODECS[i % len(CODECS)],
                "shape": list(shape),
                "chunks": list(chunks),
                "shards": list(shards),
                "sparse": i % 3 == 0,
                "seed": i,
            }
        )
    return cases


WRITER = r"""
import numpy as np, zarr
from zarr.codecs import (BloscCodec, BytesCodec, Crc32cCodec, GzipCodec, ShardingCodec,
                         TransposeCodec, ZstdCodec)
root = zarr.open_group(args["path"], mode="w", zarr_format=3)

def chain(codec, ndim):
    serializer, compressors, filters = "auto", "auto", "auto"
    if codec == "none":
        compressors = None
    elif codec == "gzip":
        compressors = [GzipCodec(level=4)]
    elif codec == "blosc_lz4_shuffle":
        compressors = [BloscCodec(cname="lz4", clevel=5, shuffle="shuffle")]
    elif codec == "blosc_zstd_bitshuffle":
        compressors = [BloscCodec(cname="zstd", clevel=3, shuffle="bitshuffle")]
    elif codec == "big_endian_crc":
        serializer, compressors = BytesCodec(endian="big"), [ZstdCodec(level=1), Crc32cCodec()]
    elif codec == "transpose":
        filters = [TransposeCodec(order=list(range(ndim))[::-1])]
    return serializer, compressors, filters

for case in args["cases"]:
    rng = np.random.default_rng(case["seed"])
    shape, dtype = tuple(case["shape"]), np.dtype(case["dtype"])
    if dtype.kind == "b":
        data = rng.integers(0, 2, shape).astype(bool)
    elif dtype.kind in "iu":
        info = np.iinfo(dtype)
        data = rng.integers(max(info.min, -10**6), min(info.max, 10**6), shape).astype(dtype)
    elif dtype.kind == "c":
        data = (rng.standard_normal(shape) + 1j * rng.standard_normal(shape)).astype(dtype)
    else:
        data = rng.standard_normal(shape).astype(dtype)
    serializer, compressors, filters = chain(case["codec"], len(shape))
    kw = dict(shape=shape, dtype=dtype, filters=filters, compressors=compressors)
    if case["layout"] == "plain":
        kw.update(chunks=tuple(case["chunks"]), serializer=serializer)
    else:
        inner = [serializer if serializer != "auto" else BytesCodec()]
        if compressors not in ("auto", None):
            inner += list(compressors)
        elif compressors == "auto":
            inner.append(ZstdCodec())
        if filters != "auto":
            inner = list(filters) + inner
        kw.update(chunks=tuple(case["shards"]), compressors=None, filters=None,
                  serializer=ShardingCodec(chunk_shape=tuple(case["chunks"]), codecs=inner,
                                           index_location=case["layout"].split("_")[1]))
    fill = (True if dtype.kind == "b" else 3) if case["sparse"] else None
    if fill is not None:
        kw["fill_value"] = fill
    arr = root.create_array(case["name"], **kw)
    if case["sparse"]:
        region = tuple(slice(s // 3, s // 3 + max(1, s // 4)) for s in shape)
        arr[region] = data[region]
    else:
        arr[...] = data
    save(case["name"], arr[...])
"""


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, RefResult]:
    path = tmp_path_factory.mktemp("matrix") / "m.zarr"
    return path, run_ref(WRITER, path=str(path), cases=matrix())


@pytest.mark.parametrize("case", matrix(), ids=lambda c: c["name"])
def test_matrix_case_reads_identically(
    written: tuple[Path, RefResult], case: dict[str, Any]
) -> None:
    path, ref = written
    expected = ref.arrays[case["name"]]
    arr = zarrcore.open_array(path, path=case["name"])
    assert arr.shape == expected.shape and arr.dtype == expected.dtype.newbyteorder("=")
    np.testing.assert_array_equal(arr[...], expected)
    rng = np.random.default_rng(case["seed"] + 1000)
    for _ in range(4):
        sel = []
        for size in expected.shape:
            start = int(rng.integers(0, size))
            stop = int(rng.integers(start + 1, size + 1))
            sel.append(slice(start, stop, int(rng.integers(1, 4))))
        np.testing.assert_array_equal(arr[tuple(sel)], expected[tuple(sel)])


def _v3_codecs(case: dict[str, Any]) -> list[dict[str, Any]]:
    ndim = len(case["shape"])
    one_byte = np.dtype(case["dtype"]).itemsize == 1
    little: dict[str, Any] = (
        {"name": "bytes"} if one_byte else {"name": "bytes", "configuration": {"endian": "little"}}
    )
    chain: list[dict[str, Any]] = [
        little,
        {"name": "zstd", "configuration": {"level": 0, "checksum": False}},
    ]
    codec = case["codec"]
    if codec == "none":
        chain = [little]
    elif codec == "gzip":
        chain = [little, {"name": "gzip", "configuration": {"level": 4}}]
    elif codec.startswith("blosc"):
        cname, shuffle = ("lz4", "shuffle") if "lz4" in codec else ("zstd", "bitshuffle")
        chain = [
            little,
            {
                "name": "blosc",
                "configuration": {
                    "typesize": np.dtype(case["dtype"]).itemsize,
                    "cname": cname,
                    "clevel": 3,
                    "shuffle": shuffle,
                    "blocksize": 0,
                },
            },
        ]
    elif codec == "big_endian_crc":
        big = little if one_byte else {"name": "bytes", "configuration": {"endian": "big"}}
        chain = [
            big,
            {"name": "zstd", "configuration": {"level": 1, "checksum": False}},
            {"name": "crc32c"},
        ]
    elif codec == "transpose":
        chain = [{"name": "transpose", "configuration": {"order": list(range(ndim))[::-1]}}, *chain]
    if case["layout"] == "plain":
        return chain
    return [
        {
            "name": "sharding_indexed",
            "configuration": {
                "chunk_shape": case["chunks"],
                "codecs": chain,
                "index_codecs": [
                    {"name": "bytes", "configuration": {"endian": "little"}},
                    {"name": "crc32c"},
                ],
                "index_location": case["layout"].split("_")[1],
            },
        }
    ]


READER = r"""
import zarr
for name in args["names"]:
    save(name, zarr.open_array(args["path"], path=name, mode="r")[...])
"""


def test_zarr_python_reads_the_matrix_written_by_zarrcore(
    written: tuple[Path, RefResult], tmp_path: Path
) -> None:
    _, ref = written
    root = zarrcore.open_group(tmp_path / "ours.zarr", mode="w", zarr_format=3)
    for case in matrix():
        expected = ref.arrays[case["name"]]
        grid = case["chunks"] if case["layout"] == "plain" else case["shards"]
        fill = (True if case["dtype"] == "bool" else 3) if case["sparse"] else 0
        arr = root.create_array(
            case["name"],
            shape=expected.shape,
            chunks=grid,
            dtype=case["dtype"],
            fill_value=fill,
            codecs=_v3_codecs(case),
        )
        arr[...] = expected
    back = run_ref(READER, path=str(tmp_path / "ours.zarr"), names=[c["name"] for c in matrix()])
    for case in matrix():
        np.testing.assert_array_equal(
            back.arrays[case["name"]], ref.arrays[case["name"]], err_msg=case["name"]
        )
