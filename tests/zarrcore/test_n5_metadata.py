"""N5 attributes.json <-> zarr v2 documents (pure mapping, FORMATS.md 6.4)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from zarrcore.errors import MetadataError, UnsupportedError
from zarrcore.metadata import n5


@pytest.mark.parametrize(
    ("compression", "expected"),
    [
        ({"type": "raw"}, None),
        ({"type": "gzip"}, {"id": "gzip", "level": -1}),
        ({"type": "gzip", "level": 4, "useZlib": False}, {"id": "gzip", "level": 4}),
        ({"type": "gzip", "level": 4, "useZlib": True}, {"id": "zlib", "level": 4}),
        ({"type": "bzip2"}, {"id": "bz2", "level": 9}),
        ({"type": "bzip2", "blockSize": 3}, {"id": "bz2", "level": 3}),
        (
            {"type": "xz"},
            {"id": "lzma", "format": 1, "check": -1, "preset": 6, "filters": None},
        ),
        ({"type": "lz4", "blockSize": 65536}, {"id": "lz4", "blockSize": 65536}),
        ({"type": "lz4", "acceleration": 1}, {"id": "lz4", "acceleration": 1}),  # zarr-python
        (
            {
                "type": "blosc",
                "cname": "blosclz",
                "clevel": 6,
                "shuffle": 1,
                "blocksize": 0,
                "nthreads": 1,
            },
            {"id": "blosc", "cname": "blosclz", "clevel": 6, "shuffle": 1, "blocksize": 0},
        ),
        (
            {"type": "blosc", "codec": "zstd", "level": 4, "shuffle": 2},  # old z5
            {"id": "blosc", "cname": "zstd", "clevel": 4, "shuffle": 2, "blocksize": 0},
        ),
        ({"type": "zstd", "level": 3}, {"id": "zstd", "level": 3}),
    ],
)
def test_n5_compression_reads_as_a_zarr_compressor(
    compression: dict[str, Any], expected: dict[str, Any] | None
) -> None:
    assert n5.compression_to_zarr(compression) == expected


def test_legacy_compression_type_is_understood() -> None:
    attrs = {
        "dimensions": [4, 3],
        "blockSize": [2, 2],
        "dataType": "int8",
        "compressionType": "gzip",
    }
    zarray = n5.attributes_to_zarray(attrs)
    assert zarray["compressor"]["compressor_config"] == {"id": "gzip", "level": -1}
    assert n5.user_attributes(attrs) == {}


def test_dataset_reads_as_reversed_zarray() -> None:
    attrs = {
        "dimensions": [7, 5, 2],
        "blockSize": [3, 2, 1],
        "dataType": "float32",
        "compression": {"type": "raw"},
        "n5": "2.0.0",
        "resolution": [1, 2, 3],
    }
    zarray = n5.attributes_to_zarray(attrs)
    assert zarray["shape"] == [2, 5, 7] and zarray["chunks"] == [1, 2, 3]
    assert zarray["dtype"] == np.dtype("float32").str
    assert zarray["compressor"]["chunk_shape"] == [1, 2, 3]
    assert n5.user_attributes(attrs) == {"resolution": [1, 2, 3]}


def test_old_z5_group_marker_is_hidden() -> None:
    assert n5.user_attributes({"zarr_format": 2, "n5": "2.0.0", "a": 1}) == {"a": 1}


@pytest.mark.parametrize(
    ("attrs", "error"),
    [
        ({"dimensions": [4], "dataType": "uint8"}, MetadataError),
        ({"dimensions": [4], "blockSize": [2, 2], "dataType": "uint8"}, MetadataError),
        ({"dimensions": "4", "blockSize": [2], "dataType": "uint8"}, MetadataError),
        ({"dimensions": [4], "blockSize": [2]}, MetadataError),
        ({"dimensions": [4], "blockSize": [2], "dataType": "string"}, UnsupportedError),
        (
            {"dimensions": [4], "blockSize": [2], "dataType": "uint8", "compression": {"level": 1}},
            MetadataError,
        ),
    ],
)
def test_malformed_datasets_raise_typed_errors(attrs: dict[str, Any], error: type) -> None:
    with pytest.raises(error):
        n5.attributes_to_zarray(attrs, url="x.n5", key="a/attributes.json")


@pytest.mark.parametrize(
    ("compressor", "expected"),
    [
        (None, {"type": "raw"}),
        ({"id": "lz4", "acceleration": 1}, {"type": "lz4", "blockSize": 65536}),
        (
            {"id": "lzma", "format": 2, "check": -1, "preset": 1, "filters": None},
            {"type": "lzma", "format": 2, "check": -1, "preset": 1, "filters": None},
        ),
        (
            {
                "id": "n5_wrapper",
                "compressor_config": {"id": "bz2", "level": 2},
                "dtype": "<u2",
                "chunk_shape": [2],
            },
            {"type": "bzip2", "blockSize": 2},
        ),
    ],
)
def test_zarr_compressor_writes_as_n5_compression(
    compressor: dict[str, Any] | None, expected: dict[str, Any]
) -> None:
    assert n5.compressor_to_n5(compressor) == expected


def test_zarray_round_trips_through_attributes() -> None:
    zarray = {
        "zarr_format": 2,
        "shape": [9, 4],
        "chunks": [4, 4],
        "dtype": ">u8",
        "compressor": {"id": "zlib", "level": 2},
        "fill_value": None,
        "order": "C",
        "filters": None,
        "dimension_separator": "/",
    }
    attrs = n5.zarray_to_attributes(zarray, top_level=True)
    assert attrs == {
        "dimensions": [4, 9],
        "blockSize": [4, 4],
        "dataType": "uint64",
        "compression": {"type": "gzip", "level": 2, "useZlib": True},
        "n5": "2.0.0",
    }
    back = n5.attributes_to_zarray(attrs)
    assert back["shape"] == [9, 4] and back["dtype"] == np.dtype("u8").str
    assert back["compressor"]["compressor_config"] == {"id": "zlib", "level": 2}
