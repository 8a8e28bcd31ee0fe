"""zarr.json parsing and writing (FORMATS.md 3.1-3.3), no store involved."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from zarrcore.errors import MetadataError, UnsupportedError
from zarrcore.metadata.v3 import (
    ChunkKeyEncoding,
    V3ArrayMetadata,
    V3GroupMetadata,
    new_array_metadata,
    parse_v3_document,
)
from zarrcore.metadata.v3_dtypes import (
    data_type_from_numpy,
    fill_value_to_json,
    parse_data_type,
    parse_fill_value,
)

ARRAY_DOC = {
    "shape": [5, 7],
    "data_type": "float32",
    "chunk_grid": {"name": "regular", "configuration": {"chunk_shape": [2, 3]}},
    "chunk_key_encoding": {"name": "default", "configuration": {"separator": "/"}},
    "fill_value": "NaN",
    "codecs": [
        {"name": "bytes", "configuration": {"endian": "little"}},
        {"name": "zstd", "configuration": {"level": 0, "checksum": False}},
    ],
    "attributes": {"k": 1},
    "dimension_names": ["y", "x"],
    "zarr_format": 3,
    "node_type": "array",
    "storage_transformers": [],
}


def test_array_document_round_trips_with_zarr_python_key_order() -> None:
    meta = parse_v3_document(ARRAY_DOC)
    assert isinstance(meta, V3ArrayMetadata)
    assert meta.shape == (5, 7) and meta.chunks == (2, 3)
    assert meta.dtype == np.dtype("<f4") and math.isnan(meta.fill_value)
    assert meta.dimension_names == ("y", "x")
    written = json.loads(meta.to_documents()["zarr.json"])
    assert written == ARRAY_DOC
    assert list(written) == list(ARRAY_DOC)


def test_group_document_round_trips() -> None:
    doc = {"attributes": {"a": [1, 2]}, "zarr_format": 3, "node_type": "group"}
    meta = parse_v3_document(doc)
    assert isinstance(meta, V3GroupMetadata)
    raw = meta.to_documents()["zarr.json"]
    assert json.loads(raw) == doc
    assert raw.startswith(b'{\n  "attributes"')


@pytest.mark.parametrize(
    ("encoding", "coords", "key"),
    [
        (ChunkKeyEncoding("default", "/"), (1, 2), "c/1/2"),
        (ChunkKeyEncoding("default", "."), (1, 2), "c.1.2"),
        (ChunkKeyEncoding("default", "/"), (), "c"),
        (ChunkKeyEncoding("v2", "."), (1, 2), "1.2"),
        (ChunkKeyEncoding("v2", "/"), (1, 2), "1/2"),
        (ChunkKeyEncoding("v2", "."), (), "0"),
    ],
)
def test_chunk_keys_follow_the_encoding(
    encoding: ChunkKeyEncoding, coords: tuple[int, ...], key: str
) -> None:
    assert encoding.encode(coords) == key


def test_v2_chunk_key_encoding_defaults_to_dot() -> None:
    assert ChunkKeyEncoding.from_json({"name": "v2"}).separator == "."
    assert ChunkKeyEncoding.from_json("default").separator == "/"


@pytest.mark.parametrize(
    ("json_type", "numpy_dtype"),
    [
        ("bool", "|b1"),
        ("int8", "|i1"),
        ("uint64", "<u8"),
        ("float16", "<f2"),
        ("complex128", "<c16"),
        ("string", "|O"),
        ("variable_length_utf8", "|O"),
        ("variable_length_bytes", "|O"),
        ("r16", "|V2"),
        ({"name": "fixed_length_utf32", "configuration": {"length_bytes": 20}}, "<U5"),
        ({"name": "null_terminated_bytes", "configuration": {"length_bytes": 4}}, "|S4"),
        ({"name": "raw_bytes", "configuration": {"length_bytes": 3}}, "|V3"),
        (
            {"name": "numpy.datetime64", "configuration": {"unit": "s", "scale_factor": 10}},
            "<M8[10s]",
        ),
        (
            {"name": "numpy.timedelta64", "configuration": {"unit": "ms", "scale_factor": 1}},
            "<m8[ms]",
        ),
        (
            {"name": "structured", "configuration": {"fields": [["a", "int32"], ["b", "float64"]]}},
            [("a", "<i4"), ("b", "<f8")],
        ),
    ],
)
def test_data_types_parse_to_numpy(json_type: object, numpy_dtype: object) -> None:
    assert parse_data_type(json_type).dtype == np.dtype(numpy_dtype)  # type: ignore[call-overload]


@pytest.mark.parametrize(
    "dtype",
    [
        "bool",
        ">i2",
        "u4",
        "f8",
        "c8",
        "U5",
        "S4",
        "V3",
        "M8[10s]",
        "m8[ms]",
        [("a", "<i4"), ("b", "<f8")],
    ],
)
def test_numpy_dtypes_round_trip_through_data_type_json(dtype: object) -> None:
    data_type = data_type_from_numpy(dtype)
    again = parse_data_type(json.loads(json.dumps(data_type.json)))
    assert again.dtype == np.dtype(dtype).newbyteorder("=") or again.dtype.kind in "USV"


def test_big_endian_input_is_stored_as_the_plain_type() -> None:
    assert data_type_from_numpy(">i2").json == "int16"


@pytest.mark.parametrize(
    ("json_type", "fill", "check"),
    [
        ("float32", "NaN", lambda v: np.isnan(v)),
        ("float64", "Infinity", lambda v: v == np.inf),
        ("float64", "-Infinity", lambda v: v == -np.inf),
        ("float32", "0x7fc00000", lambda v: np.isnan(v)),
        ("float32", "0x3f800000", lambda v: v == 1.0),
        ("float64", "0x3ff0000000000000", lambda v: v == 1.0),
        ("float32", None, lambda v: np.isnan(v)),
        ("complex64", [1.0, "NaN"], lambda v: v.real == 1 and np.isnan(v.imag)),
        ("uint64", 2**64 - 1, lambda v: v == 2**64 - 1),
        ("bool", True, lambda v: v is np.True_),
        ("string", "abc", lambda v: v == "abc"),
        ("variable_length_bytes", "YWI=", lambda v: v == b"ab"),
        (
            {"name": "null_terminated_bytes", "configuration": {"length_bytes": 3}},
            "YWI=",
            lambda v: v == b"ab",
        ),
        (
            {"name": "raw_bytes", "configuration": {"length_bytes": 3}},
            "AAAA",
            lambda v: v.tobytes() == b"\0\0\0",
        ),
        (
            {"name": "numpy.datetime64", "configuration": {"unit": "ns", "scale_factor": 1}},
            -(2**63),
            lambda v: np.isnat(v),
        ),
        ("r16", [1, 2], lambda v: v.tobytes() == b"\x01\x02"),
    ],
)
def test_fill_values_parse(json_type: object, fill: object, check: object) -> None:
    value = parse_fill_value(fill, parse_data_type(json_type))
    assert check(value)  # type: ignore[operator]


def test_nan_payload_round_trips_as_hex() -> None:
    data_type = parse_data_type("float32")
    value = parse_fill_value("0x7fc00001", data_type)
    assert fill_value_to_json(value, data_type) == "0x7fc00001"
    assert fill_value_to_json(np.float32("nan"), data_type) == "NaN"
    assert fill_value_to_json(-np.inf, parse_data_type("float64")) == "-Infinity"


def test_storage_transformers_are_refused() -> None:
    doc = dict(ARRAY_DOC, storage_transformers=[{"name": "x"}])
    with pytest.raises(UnsupportedError, match="storage_transformers"):
        parse_v3_document(doc)


def test_unknown_fields_need_must_understand_false() -> None:
    ok = dict(ARRAY_DOC, extension={"must_understand": False, "x": 1})
    meta = parse_v3_document(ok)
    assert json.loads(meta.to_documents()["zarr.json"])["extension"]["x"] == 1
    with pytest.raises(UnsupportedError, match="extension"):
        parse_v3_document(dict(ARRAY_DOC, extension={"x": 1}))


@pytest.mark.parametrize(
    "change",
    [
        {"shape": [5]},
        {"shape": "x"},
        {"data_type": {"bad": 1}},
        {"fill_value": "zzz"},
        {"codecs": []},
        {"zarr_format": 2},
        {"dimension_names": ["y"]},
        {"chunk_grid": {"name": "regular", "configuration": {"chunk_shape": [0, 3]}}},
    ],
)
def test_malformed_array_documents_raise_metadata_errors(change: dict[str, object]) -> None:
    with pytest.raises(MetadataError):
        parse_v3_document(dict(ARRAY_DOC, **change))


def test_non_finite_attributes_are_written_as_strings() -> None:
    meta = new_array_metadata(
        shape=(2,), chunks=(2,), dtype="f4", attributes={"x": float("nan"), "y": float("inf")}
    )
    raw = meta.to_documents()["zarr.json"].decode()
    assert '"x": "NaN"' in raw and '"y": "Infinity"' in raw


def test_new_arrays_use_zarr_python_default_codecs() -> None:
    meta = new_array_metadata(shape=(4,), chunks=(2,), dtype="i2")
    assert [c["name"] for c in meta.codecs] == ["bytes", "zstd"]
    strings = new_array_metadata(shape=(4,), chunks=(2,), dtype=str)
    assert strings.codecs[0] == {"name": "vlen-utf8", "configuration": {}}
    assert strings.fill_value == ""
    flags = new_array_metadata(shape=(4,), chunks=(2,), dtype=bool)
    assert flags.codecs[0] == {"name": "bytes"}


def test_numcodecs_objects_map_onto_v3_codecs() -> None:
    from numcodecs import Blosc, Delta, GZip, Zlib

    meta = new_array_metadata(
        shape=(4, 4),
        chunks=(2, 2),
        dtype="u2",
        order="F",
        compressor=Blosc(cname="zstd", clevel=3, shuffle=Blosc.BITSHUFFLE),
        filters=[Delta(dtype="u2")],
    )
    names = [c["name"] for c in meta.codecs]
    assert names == ["transpose", "numcodecs.delta", "bytes", "blosc"]
    assert meta.codecs[-1]["configuration"] == {
        "typesize": 2,
        "cname": "zstd",
        "clevel": 3,
        "shuffle": "bitshuffle",
        "blocksize": 0,
    }
    assert new_array_metadata(shape=(2,), chunks=(2,), dtype="u1", compressor=GZip(4)).codecs[
        -1
    ] == {"name": "gzip", "configuration": {"level": 4}}
    assert (
        new_array_metadata(shape=(2,), chunks=(2,), dtype="u1", compressor=Zlib(1)).codecs[-1][
            "name"
        ]
        == "numcodecs.zlib"
    )
    assert new_array_metadata(shape=(2,), chunks=(2,), dtype="u1", compressor=None).codecs == (
        {"name": "bytes"},
    )


def test_shards_must_be_multiples_of_chunks() -> None:
    with pytest.raises(MetadataError, match="shards"):
        new_array_metadata(shape=(8,), chunks=(3,), dtype="u1", shards=(8,))


def test_zarr_python_only_types_carry_a_portability_warning() -> None:
    assert new_array_metadata(shape=(2,), chunks=(2,), dtype="U3").portability_warning
    assert new_array_metadata(shape=(2,), chunks=(2,), dtype="M8[s]").describe()["warning"]
    assert new_array_metadata(shape=(2,), chunks=(2,), dtype="f4").portability_warning is None
