"""v2 metadata: dtypes, fill values, lenient JSON, unknown keys, document layout."""

from __future__ import annotations

import json
import math
from typing import Any

import numpy as np
import pytest

from zarrcore.errors import MetadataError
from zarrcore.metadata.formats import parse_node, read_node
from zarrcore.metadata.jsonutil import dumps_v2, loads_document
from zarrcore.metadata.v2 import V2ArrayMetadata, V2GroupMetadata, V2Handler
from zarrcore.metadata.v2_dtypes import (
    decode_fill_value,
    encode_dtype,
    encode_fill_value,
    normalize_fill_value,
    parse_dtype,
)
from zarrcore.store.memory import MemoryStore

ZARRAY = {
    "zarr_format": 2,
    "shape": [5, 7],
    "chunks": [2, 3],
    "dtype": "<f4",
    "compressor": {"id": "zlib", "level": 1},
    "fill_value": "NaN",
    "order": "C",
    "filters": None,
}


def parse(doc: dict[str, Any], attrs: dict[str, Any] | None = None) -> V2ArrayMetadata:
    docs: dict[str, Any] = {"a/.zarray": json.dumps(doc).encode()}
    if attrs is not None:
        docs["a/.zattrs"] = json.dumps(attrs).encode()
    meta = V2Handler().parse("a", docs, url="memory://t")
    assert isinstance(meta, V2ArrayMetadata)
    return meta


@pytest.mark.parametrize(
    "dtype",
    [
        "|b1",
        "|i1",
        "<i2",
        ">i4",
        "<u8",
        ">u2",
        "<f2",
        ">f4",
        "<f8",
        "<c8",
        ">c16",
        "<M8[ns]",
        ">M8[10s]",
        "<m8[ms]",
        "<M8[D]",
        "|S4",
        "<U5",
        ">U2",
        "|V3",
        "|O",
    ],
)
def test_dtype_strings_round_trip(dtype: str) -> None:
    parsed = parse_dtype(dtype)
    assert parsed == np.dtype(dtype)
    assert encode_dtype(parsed) == np.dtype(dtype).str


def test_nested_structured_dtype_with_subarray_round_trips() -> None:
    value = [["a", "<i4"], ["b", "<f8", [2]], ["c", [["d", "|u1"], ["e", ">i2"]]]]
    dtype = parse_dtype(value)
    assert dtype.itemsize == 4 + 16 + 3
    assert dtype["b"].shape == (2,)
    assert dtype["c"]["e"] == np.dtype(">i2")
    assert encode_dtype(dtype) == value


def test_bad_dtype_is_a_metadata_error_naming_key() -> None:
    with pytest.raises(MetadataError, match="invalid dtype") as info:
        parse({**ZARRAY, "dtype": "<q9"})
    assert info.value.key == "a/.zarray"
    assert info.value.url == "memory://t"


@pytest.mark.parametrize(
    ("dtype", "json_value", "check"),
    [
        ("<f8", "NaN", lambda v: math.isnan(v)),
        ("<f4", "Infinity", lambda v: v == np.inf),
        ("<f4", "-Infinity", lambda v: v == -np.inf),
        ("<f8", 1.5, lambda v: v == 1.5),
        ("<i4", -3, lambda v: v == -3),
        ("<i4", 3.0, lambda v: v == 3),
        ("|b1", True, lambda v: bool(v) is True),
        ("|b1", 0, lambda v: bool(v) is False),
        ("<c8", [1.0, "NaN"], lambda v: v.real == 1 and math.isnan(v.imag)),
        ("<M8[ns]", -9223372036854775808, lambda v: np.isnat(v)),
        (">M8[10s]", 5, lambda v: np.array(v).astype("i8") == 5),
        ("|S3", "YWI=", lambda v: v == b"ab"),
        ("|S4", "MA==", lambda v: v == b"0"),
        ("|S3", "not base64!", lambda v: v == b"not"),
        ("|V3", "AQID", lambda v: v.tobytes() == b"\x01\x02\x03"),
        ("<U5", "héllo", lambda v: v == "héllo"),
        ("|O", "", lambda v: v == ""),
        ("|O", 0, lambda v: v == 0),
        ("<f8", None, lambda v: v is None),
    ],
)
def test_fill_values_decode(dtype: str, json_value: Any, check: Any) -> None:
    assert check(decode_fill_value(json_value, np.dtype(dtype)))


@pytest.mark.parametrize(
    ("dtype", "value", "expected"),
    [
        ("<f8", np.nan, "NaN"),
        ("<f4", np.float32(np.inf), "Infinity"),
        ("<f8", -np.inf, "-Infinity"),
        ("<c16", complex(np.nan, 2), ["NaN", 2.0]),
        ("<i2", np.int16(-4), -4),
        ("|b1", np.True_, True),
        (">M8[s]", np.datetime64("NaT", "s"), -9223372036854775808),
        ("|S3", np.bytes_(b"ab"), "YWI="),
        ("|V2", np.frombuffer(b"\x00\x01", "V2")[0], "AAE="),
        ("<U3", "abc", "abc"),
        ("|O", "", ""),
    ],
)
def test_fill_values_encode_like_zarr2(dtype: str, value: Any, expected: Any) -> None:
    assert encode_fill_value(value, np.dtype(dtype)) == expected


def test_structured_fill_value_round_trips_through_base64() -> None:
    dtype = parse_dtype([["a", "<i4"], ["b", "<f8", [2]]])
    value = normalize_fill_value(0, dtype)
    encoded = encode_fill_value(value, dtype)
    assert encoded == "A" * 26 + "A="
    assert decode_fill_value(encoded, dtype).tobytes() == bytes(20)


def test_fill_value_that_does_not_fit_is_a_metadata_error() -> None:
    with pytest.raises(MetadataError, match="fill_value"):
        parse({**ZARRAY, "dtype": "|u1", "fill_value": 300})
    with pytest.raises(MetadataError, match="fill_value"):
        parse({**ZARRAY, "dtype": "<i4", "fill_value": "NaN"})


def test_bare_nan_tokens_are_read_and_never_written() -> None:
    raw = (
        b'{"zarr_format": 2, "shape": [2], "chunks": [2], "dtype": "<f8", "compressor": null,'
        b' "fill_value": NaN, "order": "C", "filters": null}'
    )
    meta = V2Handler().parse("", {".zarray": raw, ".zattrs": b'{"x": -Infinity}'}, url=None)
    assert isinstance(meta, V2ArrayMetadata)
    assert math.isnan(meta.fill_value)
    assert meta.attributes["x"] == -math.inf
    docs = meta.to_documents()
    assert b"NaN" not in docs[".zarray"].replace(b'"NaN"', b"")
    assert json.loads(docs[".zattrs"]) == {"x": "-Infinity"}


def test_documents_use_zarr2_layout_and_keep_unknown_keys() -> None:
    meta = parse({**ZARRAY, "custom": {"k": 1}}, attrs={"b": 1, "a": "é"})
    docs = meta.to_documents()
    text = docs[".zarray"].decode("ascii")
    assert text.startswith('{\n    "chunks": [\n        2,')
    assert json.loads(text)["custom"] == {"k": 1}
    assert json.loads(text)["dimension_separator"] == "."
    assert docs[".zattrs"] == b'{\n    "a": "\\u00e9",\n    "b": 1\n}'


def test_dumps_v2_matches_zarr2_json_settings() -> None:
    assert dumps_v2({"b": [1], "a": None}) == b'{\n    "a": null,\n    "b": [\n        1\n    ]\n}'


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"zarr_format": 3}, "zarr_format"),
        ({"shape": [5]}, "differ in length"),
        ({"shape": [-1, 2]}, "non-negative"),
        ({"chunks": [0, 3]}, "chunk size 0"),
        ({"order": "X"}, "order"),
        ({"compressor": "zlib"}, "compressor"),
        ({"filters": [{"level": 1}]}, "filters"),
        ({"dimension_separator": "-"}, "dimension_separator"),
    ],
)
def test_invalid_zarray_fields(change: dict[str, Any], message: str) -> None:
    with pytest.raises(MetadataError, match=message):
        parse({**ZARRAY, **change})


def test_missing_required_field() -> None:
    doc = dict(ZARRAY)
    del doc["chunks"]
    with pytest.raises(MetadataError, match="'chunks'"):
        parse(doc)


def test_optional_fields_other_writers_omit_get_defaults() -> None:
    doc = {
        k: v for k, v in ZARRAY.items() if k not in ("filters", "order", "fill_value", "compressor")
    }
    meta = parse(doc)
    assert (meta.filters, meta.order, meta.fill_value, meta.compressor) == (None, "C", None, None)


@pytest.mark.parametrize(
    ("token", "expected"), [("nan", math.nan), ("inf", math.inf), ("-inf", -math.inf), ("2.5", 2.5)]
)
def test_other_float_fill_spellings(token: str, expected: float) -> None:
    value = float(decode_fill_value(token, np.dtype("<f8")))
    assert value == expected or (math.isnan(value) and math.isnan(expected))


def test_empty_void_fill_from_zarr3_means_zeros() -> None:
    assert decode_fill_value("", np.dtype("V3")).tobytes() == bytes(3)


def test_group_and_attributes_parse() -> None:
    meta = parse_node("g", {"g/.zgroup": b'{"zarr_format": 2}', "g/.zattrs": b'{"a": 1}'}, url=None)
    assert isinstance(meta, V2GroupMetadata)
    assert meta.attributes == {"a": 1}
    assert parse_node("g", {}, url=None) is None


def test_legacy_separator_probe_uses_listing() -> None:
    store = MemoryStore()
    doc = {**ZARRAY, "compressor": None}
    store.set("a/.zarray", json.dumps(doc).encode())
    store.set("a/0/0", bytes(24))
    meta = read_node(store, "a")
    assert isinstance(meta, V2ArrayMetadata)
    assert meta.dimension_separator is None
    resolved = meta.resolve_layout(store, "a")
    assert resolved.chunk_key((1, 2)) == "1/2"


def test_new_array_metadata_defaults_match_zarr2() -> None:
    meta = V2Handler().new_array(shape=(10,), chunks=(5,), dtype="<i4")
    doc = json.loads(meta.to_documents()[".zarray"])
    assert doc["compressor"] == {
        "id": "blosc",
        "cname": "lz4",
        "clevel": 5,
        "shuffle": 1,
        "blocksize": 0,
    }
    assert doc["fill_value"] == 0 and doc["filters"] is None and doc["order"] == "C"


def test_object_array_without_object_codec_is_refused_at_creation() -> None:
    with pytest.raises(ValueError, match="object codec"):
        V2Handler().new_array(shape=(2,), chunks=(2,), dtype=object)


def test_loads_document_reports_bad_json_with_url_and_key() -> None:
    with pytest.raises(MetadataError, match="malformed JSON") as info:
        loads_document(b"{nope", url="file:///x", key="a/.zarray")
    assert info.value.key == "a/.zarray"


def test_integral_float_shapes_are_accepted() -> None:
    meta = parse({**ZARRAY, "shape": [5.0, 7.0]})
    assert meta.shape == (5, 7)


def test_shards_on_a_v2_array_is_unsupported() -> None:
    from zarrcore.errors import UnsupportedError

    with pytest.raises(UnsupportedError, match="zarr v3"):
        V2Handler().new_array(shape=(4,), chunks=(2,), dtype="i1", shards=(4,))
