"""N5 block codec, LZ4Block / LZ4 frame framing, xxHash32 and the N5 compression layer."""

from __future__ import annotations

import bz2
import ctypes
import ctypes.util
import gzip
import lzma
import struct
import zlib

import numpy as np
import pytest

from zarrcore.codecs import lz4block, n5_compression, xxhash32
from zarrcore.codecs.n5 import N5ChunkCodec, make_header, parse_header, truncate_block
from zarrcore.codecs.registry import get_codec
from zarrcore.errors import CorruptChunkError, UnsupportedCodecError, UnsupportedError

SEED = 0x9747B28C


# -- xxHash32 ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("data", "seed", "expected"),
    [
        (b"", 0, 0x02CC5D05),
        (b"a", 0, 0x550D7456),
        (b"abc", 0, 0x32D153FF),
        (b"Nobody inspects the spammish repetition", 0, 0xE2293B2F),
    ],
)
def test_xxh32_matches_published_vectors(data: bytes, seed: int, expected: int) -> None:
    assert xxhash32.xxh32_python(data, seed) == expected
    assert xxhash32.xxh32(data, seed) == expected


@pytest.mark.parametrize("length", [0, 1, 3, 4, 5, 15, 16, 17, 31, 32, 33, 100, 1000, 4099])
def test_pure_python_xxh32_agrees_with_the_fast_one(length: int) -> None:
    data = np.random.default_rng(length).integers(0, 256, length, dtype=np.uint8).tobytes()
    assert xxhash32.FAST, "the xxhash package is a declared dependency"
    for seed in (0, SEED, 0xFFFFFFFF):
        assert xxhash32.xxh32_python(data, seed) == xxhash32.xxh32(data, seed)


# -- LZ4Block (lz4-java) -------------------------------------------------------------------
# lz4jb's published example: "..." as one raw block of a stream with block size 64,
# no terminating block.
LZ4JB_EXAMPLE = bytes(
    [76, 90, 52, 66, 108, 111, 99, 107, 16, 3, 0, 0, 0, 3, 0, 0, 0, 82, 228, 119, 6, 46, 46, 46]
)


def _lz4block_header(token: int, clen: int, dlen: int, check: int) -> bytes:
    return b"LZ4Block" + struct.pack("<Biii", token, clen, dlen, check)


def test_lz4jb_published_example_decodes_and_its_checksum_matches() -> None:
    assert lz4block.decode_lz4block(LZ4JB_EXAMPLE, 3, verify=True) == b"..."
    assert lz4block.block_checksum(b"...") == struct.unpack_from("<i", LZ4JB_EXAMPLE, 17)[0]


def test_hand_built_stream_with_raw_and_lz4_blocks_decodes() -> None:
    raw_part = b"incompressible? no, just stored raw"
    lz4_part = b"abcd" * 300
    compressed = bytes(lz4block._LZ4.encode(lz4_part))[4:]
    stream = (
        _lz4block_header(0x10 | 6, len(raw_part), len(raw_part), lz4block.block_checksum(raw_part))
        + raw_part
        + _lz4block_header(
            0x20 | 6, len(compressed), len(lz4_part), lz4block.block_checksum(lz4_part)
        )
        + compressed
        + _lz4block_header(0x10 | 6, 0, 0, 0)
    )
    expected = raw_part + lz4_part
    assert lz4block.decode_lz4block(stream, len(expected), verify=True) == expected
    assert lz4block.decode_lz4block(stream, None, verify=True) == expected


@pytest.mark.parametrize("size", [0, 1, 1000, 65536, 65537, 200_000])
@pytest.mark.parametrize("kind", ["compressible", "random"])
def test_lz4block_encode_decode_round_trips(size: int, kind: str) -> None:
    rng = np.random.default_rng(size)
    if kind == "random":
        data = rng.integers(0, 256, size, dtype=np.uint8).tobytes()
    else:
        data = (np.arange(size, dtype=np.uint8) // 7).tobytes()
    stream = lz4block.encode_lz4block(data)
    assert stream.startswith(b"LZ4Block")
    assert stream.endswith(_lz4block_header(0x10 | 6, 0, 0, 0))  # lz4-java's end marker
    assert lz4block.decode_lz4block(stream, size, verify=True) == data


def test_lz4block_encoder_writes_blocks_like_lz4_java() -> None:
    data = bytes(range(256)) * 1024  # 256 KiB -> four 64 KiB blocks
    stream = lz4block.encode_lz4block(data, 65536)
    pos, blocks = 0, []
    while pos < len(stream):
        magic, token, clen, dlen, check = struct.unpack_from("<8sBiii", stream, pos)
        assert magic == b"LZ4Block"
        assert token & 0x0F == 6  # log2(65536) - 10
        blocks.append((token & 0xF0, dlen, check))
        pos += 21 + clen
    assert [b[1] for b in blocks] == [65536] * 4 + [0]
    assert all(b[0] == 0x20 for b in blocks[:4])  # compressible: LZ4 method
    assert all(0 <= b[2] <= 0x0FFFFFFF for b in blocks)
    assert blocks[0][2] == xxhash32.xxh32(data[:65536], SEED) & 0x0FFFFFFF


def test_incompressible_blocks_are_stored_raw() -> None:
    data = np.random.default_rng(1).integers(0, 256, 5000, dtype=np.uint8).tobytes()
    stream = lz4block.encode_lz4block(data, 4096)
    assert stream[8] == 0x10 | 2  # raw method, level log2(4096) - 10


def test_lz4block_checksum_mismatch_is_detected() -> None:
    stream = bytearray(lz4block.encode_lz4block(b"hello world" * 50))
    stream[17] ^= 0xFF
    with pytest.raises(lz4block.LZ4FormatError, match="checksum"):
        lz4block.decode_lz4block(bytes(stream), 550, verify=True)


@pytest.mark.parametrize(
    ("mangle", "message"),
    [
        (lambda s: s[:30], "truncated"),
        (lambda s: s[:10], "header truncated"),
        (lambda s: b"LZ4Blick" + s[8:], "magic"),
        (lambda s: s[:8] + b"\x30" + s[9:], "method"),
    ],
)
def test_broken_lz4block_streams_raise(mangle: object, message: str) -> None:
    stream = lz4block.encode_lz4block(b"hello world" * 50)
    with pytest.raises(lz4block.LZ4FormatError, match=message):
        lz4block.decode_lz4block(mangle(stream), 550)  # type: ignore[operator]


def test_lz4block_with_wrong_total_size_raises() -> None:
    stream = lz4block.encode_lz4block(b"x" * 100)
    with pytest.raises(lz4block.LZ4FormatError, match="expected"):
        lz4block.decode_lz4block(stream, 101)
    with pytest.raises(lz4block.LZ4FormatError, match="more than"):
        lz4block.decode_lz4block(stream, 99)


def test_lz4_decoder_is_chosen_by_magic() -> None:
    data = bytes(range(200)) * 10
    numcodecs_style = bytes(lz4block._LZ4.encode(data))
    assert lz4block.decode_any_lz4(numcodecs_style, len(data)) == data
    assert lz4block.decode_any_lz4(lz4block.encode_lz4block(data), len(data)) == data
    with pytest.raises(lz4block.LZ4FormatError):
        lz4block.decode_any_lz4(numcodecs_style, len(data) + 1)


def test_bare_lz4_block_as_z5_writes_it_decodes() -> None:
    data = (np.arange(500, dtype=">f8") / 4).tobytes()
    bare = bytes(lz4block._LZ4.encode(data))[4:]  # no size prefix, no framing
    assert lz4block.decode_any_lz4(bare, len(data)) == data
    with pytest.raises(lz4block.LZ4FormatError):
        lz4block.decode_any_lz4(bare[:-3], len(data))


# -- LZ4 frames (rust-n5 / pyn5) ----------------------------------------------------------
# rust-n5's documented test block: int16 block of N5 size [1, 2, 3], values 1..6, compressed
# as a standard LZ4 frame.
RUST_N5_LZ4_BLOCK = bytes.fromhex(
    "0000 0003 00000001 00000002 00000003"  # mode 0, 3 dims, N5 size [1, 2, 3]
    "04224d18 6440a7"  # LZ4 frame magic + descriptor
    "0c000080"  # one block of 12 bytes, stored uncompressed
    "0001 0002 0003 0004 0005 0006"  # int16 big-endian 1..6
    "00000000 41373308"  # end mark + content checksum
)


def _needs_liblz4() -> None:
    if not lz4block.lz4frame_available():
        pytest.skip("LZ4 frames are decoded with the system liblz4, not found here")


def test_rust_n5_lz4_frame_block_decodes() -> None:
    _needs_liblz4()
    codec = N5ChunkCodec(">i2", [3, 2, 1], {"id": "lz4", "blockSize": 65536})
    chunk = codec.decode(RUST_N5_LZ4_BLOCK)
    assert chunk.shape == (3, 2, 1)
    np.testing.assert_array_equal(chunk.reshape(-1), [1, 2, 3, 4, 5, 6])


def _lz4_compress_frame(data: bytes) -> bytes:
    lib = ctypes.CDLL(ctypes.util.find_library("lz4") or "liblz4.so.1")
    lib.LZ4F_compressFrameBound.restype = ctypes.c_size_t
    lib.LZ4F_compressFrameBound.argtypes = [ctypes.c_size_t, ctypes.c_void_p]
    lib.LZ4F_compressFrame.restype = ctypes.c_size_t
    lib.LZ4F_compressFrame.argtypes = [
        ctypes.c_void_p,
        ctypes.c_size_t,
        ctypes.c_char_p,
        ctypes.c_size_t,
        ctypes.c_void_p,
    ]
    bound = lib.LZ4F_compressFrameBound(len(data), None)
    dst = ctypes.create_string_buffer(bound)
    size = lib.LZ4F_compressFrame(dst, bound, data, len(data), None)
    return dst.raw[:size]


def test_multi_block_linked_lz4_frame_decodes() -> None:
    _needs_liblz4()
    data = (np.arange(100_000, dtype=">u4") % 1000).tobytes()  # > 64 KiB: several blocks
    frame = _lz4_compress_frame(data)
    assert frame[:4] == b"\x04\x22\x4d\x18"
    assert lz4block.decode_any_lz4(frame, len(data)) == data
    with pytest.raises(lz4block.LZ4FormatError):
        lz4block.decode_any_lz4(frame[: len(frame) // 2], len(data))


# -- gzip / zlib / zstd sniffing -----------------------------------------------------------
PAYLOAD = (np.arange(3000, dtype=">u2") % 97).tobytes()


def _raw_deflate(data: bytes) -> bytes:
    compressor = zlib.compressobj(6, zlib.DEFLATED, -15)
    return compressor.compress(data) + compressor.flush()


@pytest.mark.parametrize(
    "compressed",
    [gzip.compress(PAYLOAD, mtime=0), zlib.compress(PAYLOAD), _raw_deflate(PAYLOAD)],
    ids=["gzip", "zlib", "raw-deflate"],
)
@pytest.mark.parametrize("label", ["gzip", "zlib"])
def test_deflate_family_is_sniffed_whatever_the_label(compressed: bytes, label: str) -> None:
    assert n5_compression.decompress({"id": label}, compressed, len(PAYLOAD)) == PAYLOAD


def test_multi_member_gzip_decodes_fully() -> None:
    half = len(PAYLOAD) // 2
    two = gzip.compress(PAYLOAD[:half]) + gzip.compress(PAYLOAD[half:])
    assert n5_compression.decompress({"id": "gzip"}, two, len(PAYLOAD)) == PAYLOAD


def test_zstd_frame_without_content_size_decodes() -> None:
    body = PAYLOAD[:1000]
    block_header = (1 | (len(body) << 3)).to_bytes(3, "little")  # last block, raw, size
    frame = b"\x28\xb5\x2f\xfd" + b"\x00\x58" + block_header + body  # no content size field
    assert n5_compression.decompress({"id": "zstd"}, frame * 2, 2000) == body * 2


@pytest.mark.parametrize(
    "config",
    [
        None,
        {"id": "gzip", "level": -1},
        {"id": "zlib", "level": 5},
        {"id": "bz2", "level": 9},
        {"id": "lzma", "format": 1, "check": -1, "preset": 6, "filters": None},
        {"id": "lz4", "blockSize": 65536},
        {"id": "blosc", "cname": "zstd", "clevel": 3, "shuffle": 2, "blocksize": 0},
        {"id": "zstd", "level": 3},
    ],
    ids=lambda c: "raw" if c is None else c["id"],
)
def test_compression_round_trips(config: dict[str, object] | None) -> None:
    data = (np.arange(5000, dtype=">i4") % 300).reshape(50, 100)
    payload = n5_compression.compress(config, data)
    assert n5_compression.decompress(config, payload, data.nbytes) == data.tobytes()


def test_compressed_payloads_have_the_java_wire_formats() -> None:
    data = np.arange(1000, dtype=">u2")
    assert n5_compression.compress({"id": "gzip", "level": 1}, data)[:2] == b"\x1f\x8b"
    assert n5_compression.compress({"id": "zlib", "level": 1}, data)[:1] == b"\x78"
    assert n5_compression.compress({"id": "bz2", "level": 9}, data)[:4] == b"BZh9"
    xz = n5_compression.compress({"id": "lzma", "format": 1, "preset": 6}, data)
    assert xz[:6] == b"\xfd7zXZ\x00"
    assert n5_compression.compress({"id": "lz4", "blockSize": 65536}, data)[:8] == b"LZ4Block"
    assert bz2.decompress(n5_compression.compress({"id": "bz2", "level": 1}, data)) == (
        data.tobytes()
    )
    assert lzma.decompress(xz) == data.tobytes()


def test_unknown_compression_is_unsupported() -> None:
    with pytest.raises(UnsupportedCodecError, match="frobnicate"):
        n5_compression.decompress({"id": "frobnicate"}, b"xx", 2)


# -- the n5_wrapper codec ------------------------------------------------------------------
def test_header_layout_matches_formats_doc() -> None:
    # FORMATS.md 6.2: zarr-python N5Store, >u2, gzip, zarr chunk (2, 3)
    codec = N5ChunkCodec("<u2", [2, 3], {"id": "gzip", "level": 1})
    block = codec.encode(np.arange(6, dtype="<u2").reshape(2, 3))
    assert block[:12].hex() == "000000020000000300000002"
    assert block[12:14] == b"\x1f\x8b"
    assert np.frombuffer(gzip.decompress(block[12:]), ">u2").tolist() == list(range(6))


def test_codec_is_registered_and_round_trips_its_config() -> None:
    config = {
        "id": "n5_wrapper",
        "compressor_config": {"id": "bz2", "level": 5},
        "dtype": "<f8",
        "chunk_shape": [4, 5],
    }
    codec = get_codec(config)
    assert isinstance(codec, N5ChunkCodec)
    assert codec.get_config() == config
    chunk = np.linspace(0, 1, 20).reshape(4, 5)
    np.testing.assert_array_equal(codec.decode(codec.encode(chunk)), chunk)


@pytest.mark.parametrize("dtype", ["<u1", "<i2", "<u4", "<i8", "<f4", ">f8"])
def test_decode_byte_swaps_big_endian_data_to_the_config_dtype(dtype: str) -> None:
    values = (np.arange(12) * 3 - 5).astype(dtype)
    if np.dtype(dtype).kind == "u":
        values = np.arange(12).astype(dtype)
    block = make_header((3, 4)) + values.astype(np.dtype(dtype).newbyteorder(">")).tobytes()
    codec = N5ChunkCodec(dtype, [3, 4])
    chunk = codec.decode(block)
    assert chunk.dtype == np.dtype(dtype)
    np.testing.assert_array_equal(chunk.reshape(-1), values)


def test_truncated_java_edge_block_is_padded_with_zero() -> None:
    # N5 block size [2, 1] (x fastest) is zarr shape (1, 2); chunk shape (3, 4)
    block = make_header((1, 2)) + np.array([7, 8], ">u2").tobytes()
    assert block[:12] == bytes.fromhex("0000 0002 00000002 00000001")
    chunk = N5ChunkCodec("<u2", [3, 4]).decode(block)
    expected = np.zeros((3, 4), "<u2")
    expected[0, :2] = [7, 8]
    np.testing.assert_array_equal(chunk, expected)


def test_decode_into_an_output_buffer() -> None:
    codec = N5ChunkCodec("<i4", [2, 2], {"id": "zlib", "level": 1})
    out = np.full((2, 2), -1, "<i4")
    codec.decode(codec.encode(np.array([[1, 2], [3, 4]], "<i4")), out=out)
    np.testing.assert_array_equal(out, [[1, 2], [3, 4]])


def test_truncate_block_rewrites_an_edge_block() -> None:
    codec = N5ChunkCodec("<u2", [3, 4], {"id": "lz4", "blockSize": 65536})
    full = codec.encode(np.arange(12, dtype="<u2").reshape(3, 4))
    cut = truncate_block(codec, full, (2, 3))
    assert parse_header(cut).shape == (2, 3)
    assert cut[12:20] == b"LZ4Block"
    decoded = codec.decode(cut)
    np.testing.assert_array_equal(decoded[:2, :3], np.arange(12).reshape(3, 4)[:2, :3])
    assert decoded[2].sum() == 0 and decoded[:, 3].sum() == 0


def test_varlength_blocks_are_unsupported() -> None:
    block = struct.pack(">HHII", 1, 1, 4, 4) + bytes(8)
    with pytest.raises(UnsupportedError, match="varlength"):
        N5ChunkCodec("<u2", [4]).decode(block)


@pytest.mark.parametrize(
    ("block", "message"),
    [
        (b"\x00", "shorter than its header"),
        (struct.pack(">HH", 7, 1) + bytes(8), "unknown mode"),
        (struct.pack(">HH", 0, 3) + bytes(4), "3 dimensions"),
        (struct.pack(">HH", 0, 1) + b"\x00\x00", "header truncated"),
        (struct.pack(">HHI", 0, 1, 9) + bytes(18), "larger than the chunk"),
        (struct.pack(">HHI", 0, 1, 4) + bytes(6), "promises 8"),
    ],
)
def test_corrupt_blocks_raise_corrupt_chunk_error(block: bytes, message: str) -> None:
    with pytest.raises(CorruptChunkError, match=message):
        N5ChunkCodec("<u2", [4]).decode(block)


def test_undecompressable_payload_raises_corrupt_chunk_error() -> None:
    codec = N5ChunkCodec("<u2", [4], {"id": "gzip", "level": 1})
    block = codec.encode(np.arange(4, dtype="<u2"))
    with pytest.raises(CorruptChunkError, match="cannot be decompressed"):
        codec.decode(block[:-6])
