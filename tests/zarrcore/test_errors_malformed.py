"""Malformed input gives typed errors naming the store URL and the key."""

from __future__ import annotations

import json
import zlib
from pathlib import Path

import numcodecs
import numpy as np
import pytest

import zarrcore
from zarrcore.codecs.registry import get_codec
from zarrcore.codecs.tolerant import SniffingGZip, SniffingZlib, TolerantZstd
from zarrcore.errors import (
    CorruptChunkError,
    MetadataError,
    NodeNotFoundError,
    ShapeError,
    UnsupportedCodecError,
)
from zarrcore.store.memory import MemoryStore


def make_array(tmp_path: Path, **kwargs: object) -> tuple[str, zarrcore.Array]:
    url = str(tmp_path / "h")
    group = zarrcore.open_group(url, mode="w")
    arr = group.create_array("a", shape=(4, 4), chunks=(2, 2), dtype="<i4", **kwargs)  # type: ignore[arg-type]
    arr[...] = np.arange(16).reshape(4, 4)
    return url, arr


def test_bad_json_names_url_and_key(tmp_path: Path) -> None:
    url, _ = make_array(tmp_path)
    (tmp_path / "h" / "a" / ".zarray").write_text("{not json")
    group = zarrcore.open_group(url, mode="r")
    with pytest.raises(MetadataError, match="malformed JSON") as info:
        group["a"]
    assert info.value.key == "a/.zarray"
    assert info.value.url and str(tmp_path) in info.value.url
    with pytest.raises(MetadataError):
        group.members()
    # a browser still gets the other members, and the error of the broken one
    members, errors = group.scan()
    assert members == []
    assert list(errors) == ["a"] and errors["a"].key == "a/.zarray"


def test_bad_attributes_json(tmp_path: Path) -> None:
    url, _ = make_array(tmp_path)
    (tmp_path / "h" / "a" / ".zattrs").write_text("[1, 2")
    with pytest.raises(MetadataError) as info:
        zarrcore.open_array(url, path="a")
    assert info.value.key == "a/.zattrs"


def test_unknown_codec_keeps_metadata_browsable(tmp_path: Path) -> None:
    url, _ = make_array(tmp_path)
    path = tmp_path / "h" / "a" / ".zarray"
    meta = json.loads(path.read_text())
    meta["compressor"] = {"id": "made-up-codec", "level": 3}
    path.write_text(json.dumps(meta))
    arr = zarrcore.open_array(url, path="a")
    assert arr.shape == (4, 4)
    assert arr.describe()["compressor"]["id"] == "made-up-codec"
    with pytest.raises(UnsupportedCodecError, match="made-up-codec") as info:
        arr[...]
    assert info.value.key == "a/.zarray" and info.value.url


def test_truncated_chunk_is_corrupt_not_fill(tmp_path: Path) -> None:
    url, _ = make_array(tmp_path, compressor=numcodecs.Zlib(1))
    chunk = tmp_path / "h" / "a" / "1.0"
    chunk.write_bytes(chunk.read_bytes()[:5])
    arr = zarrcore.open_array(url, path="a")
    np.testing.assert_array_equal(arr[0:2, :], np.arange(8).reshape(2, 4))
    with pytest.raises(CorruptChunkError) as info:
        arr[...]
    assert info.value.key == "a/1.0"
    assert "cannot be decoded" in str(info.value)


def test_uncompressed_chunk_of_wrong_size(tmp_path: Path) -> None:
    url, _ = make_array(tmp_path, compressor=None)
    (tmp_path / "h" / "a" / "0.1").write_bytes(b"\x00" * 12)
    with pytest.raises(CorruptChunkError, match="12 bytes, expected 16") as info:
        zarrcore.open_array(url, path="a")[...]
    assert info.value.key == "a/0.1"


def test_checksum_mismatch_is_corruption(tmp_path: Path) -> None:
    url, _ = make_array(tmp_path, compressor=numcodecs.CRC32())
    chunk = tmp_path / "h" / "a" / "0.0"
    data = bytearray(chunk.read_bytes())
    data[-1] ^= 0xFF
    chunk.write_bytes(bytes(data))
    with pytest.raises(CorruptChunkError) as info:
        zarrcore.open_array(url, path="a")[0, 0]
    assert info.value.key == "a/0.0"


def test_wrong_shape_writes(tmp_path: Path) -> None:
    _, arr = make_array(tmp_path)
    with pytest.raises(ShapeError):
        arr[0:2, 0:2] = np.zeros((3, 3))
    with pytest.raises(ShapeError):
        arr[...] = "not a number"


def test_missing_node_is_not_found_with_key() -> None:
    store = MemoryStore()
    zarrcore.open_group(store, mode="w")
    with pytest.raises(NodeNotFoundError) as info:
        zarrcore.open_group(store, mode="r")["nope/deeper"]
    assert info.value.key == "nope/deeper"
    assert isinstance(info.value, KeyError)


def test_pickle_config_refused_by_registry() -> None:
    with pytest.raises(zarrcore.errors.PickleRefusedError) as info:
        get_codec({"id": "pickle", "protocol": 5}, url="file:///x", key="a/.zarray")
    assert info.value.key == "a/.zarray"
    assert get_codec({"id": "pickle", "protocol": 5}, allow_pickle=True).codec_id == "pickle"


def test_codec_with_bad_parameters_is_unsupported() -> None:
    with pytest.raises(UnsupportedCodecError, match="delta"):
        get_codec({"id": "delta"}, key="k")  # required dtype missing


def test_object_array_without_object_codec_is_unreadable_not_guessed(tmp_path: Path) -> None:
    store = MemoryStore()
    store.set(
        "a/.zarray",
        json.dumps(
            {
                "zarr_format": 2,
                "shape": [2],
                "chunks": [2],
                "dtype": "|O",
                "compressor": None,
                "fill_value": 0,
                "order": "C",
                "filters": None,
            }
        ).encode(),
    )
    arr = zarrcore.open_array(store, path="a")
    with pytest.raises(UnsupportedCodecError, match="object codec"):
        arr[...]


# -- tolerant decoders (FORMATS pitfalls 10 and 11) ---------------------------------------
RAW = np.arange(500, dtype="<u4").tobytes()


def test_gzip_label_reads_zlib_and_raw_deflate_and_vice_versa() -> None:
    deflate = zlib.compressobj(6, zlib.DEFLATED, -15)
    raw_deflate = deflate.compress(RAW) + deflate.flush()
    for stream in (numcodecs.Zlib(1).encode(RAW), numcodecs.GZip(1).encode(RAW), raw_deflate):
        assert bytes(SniffingGZip().decode(stream)) == RAW
        assert bytes(SniffingZlib().decode(stream)) == RAW
    # encoding stays numcodecs' own
    assert bytes(SniffingGZip(1).encode(RAW))[:2] == b"\x1f\x8b"


def _zstd_without_content_size(data: bytes) -> bytes:
    frame = bytes(numcodecs.Zstd(level=1).encode(data))
    descriptor = frame[4]
    fcs_flag, single_segment, dict_flag = descriptor >> 6, (descriptor >> 5) & 1, descriptor & 3
    header_end = 5 + (0 if single_segment else 1) + (0, 1, 2, 4)[dict_flag]
    fcs_size = (1 if single_segment else 0, 2, 4, 8)[fcs_flag]
    window = bytes([10 << 3])  # 2^20-byte window
    return frame[:4] + bytes([descriptor & 0x1C]) + window + frame[header_end + fcs_size :]


def test_zstd_frames_without_content_size_and_concatenated_frames_decode() -> None:
    frame = _zstd_without_content_size(RAW)
    with pytest.raises(RuntimeError):
        numcodecs.Zstd().decode(frame)  # what plain numcodecs 0.15 does
    assert bytes(TolerantZstd().decode(frame)) == RAW
    assert bytes(TolerantZstd().decode(frame + numcodecs.Zstd().encode(RAW))) == RAW * 2
    out = np.empty(1000, dtype="<u4")
    TolerantZstd().decode(frame + frame, out=out)
    assert out.tobytes() == RAW * 2


def test_zstd_chunk_without_content_size_reads_through_array(tmp_path: Path) -> None:
    url, _ = make_array(tmp_path, compressor=numcodecs.Zstd(1))
    chunk = tmp_path / "h" / "a" / "1.1"
    chunk.write_bytes(_zstd_without_content_size(np.array([[10, 11], [14, 15]], "<i4").tobytes()))
    np.testing.assert_array_equal(zarrcore.open_array(url, path="a")[2:, 2:], [[10, 11], [14, 15]])


def test_extra_codec_parameters_from_other_writers_are_ignored() -> None:
    codec = get_codec({"id": "blosc", "cname": "zstd", "clevel": 3, "shuffle": 2, "nthreads": 4})
    assert codec.get_config()["cname"] == "zstd"
    assert get_codec({"id": "gzip", "level": 5, "useZlib": False}).codec_id == "gzip"
