"""Partial blosc decoding gives exactly the bytes a full decode gives, touching fewer blocks."""

from __future__ import annotations

import struct

import numcodecs
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from zarrcore.codecs import blosc_partial as bp
from zarrcore.errors import CorruptChunkError, UnsupportedError

DTYPES = {1: np.uint8, 2: np.uint16, 4: np.float32, 8: np.int64}
SHUFFLES = (numcodecs.Blosc.NOSHUFFLE, numcodecs.Blosc.SHUFFLE, numcodecs.Blosc.BITSHUFFLE)


def _data(typesize: int, nitems: int, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    dtype = np.dtype(DTYPES[typesize])
    # A slow random walk: compressible, but not trivially so.
    base = np.cumsum(rng.integers(-3, 4, size=nitems)) // 5
    return (base % 200).astype(dtype)


def _encode(arr: np.ndarray, cname: str = "zstd", shuffle: int = 1, blocksize: int = 256) -> bytes:
    codec = numcodecs.Blosc(cname=cname, clevel=5, shuffle=shuffle, blocksize=blocksize)
    return bytes(codec.encode(arr))


def _full(chunk: bytes) -> np.ndarray:
    return np.frombuffer(numcodecs.blosc.decompress(chunk), dtype=np.uint8)


@pytest.mark.parametrize("blocksize", [0, 256])
@pytest.mark.parametrize("typesize", [1, 2, 4, 8])
@pytest.mark.parametrize("shuffle", SHUFFLES)
@pytest.mark.parametrize("cname", ["lz4", "zstd", "blosclz", "zlib", "lz4hc"])
def test_random_ranges_match_full_decode(
    typesize: int, shuffle: int, cname: str, blocksize: int
) -> None:
    # ~400 kB, not a multiple of any blocksize: several blocks and a short last one. With
    # blocksize 256, c-blosc keeps small blocks for some typesizes (unsplit streams) and
    # enlarges them to 64 KiB for others (one stream per byte of the item): both are covered.
    arr = _data(typesize, 400_003 // typesize)
    chunk = _encode(arr, cname, shuffle, blocksize)
    header = bp.read_header(chunk)
    assert header.nblocks >= (1 if blocksize == 0 else 7)
    assert not header.memcpyed
    full = _full(chunk)
    rng = np.random.default_rng(typesize * 10 + shuffle)
    for _ in range(8):
        start, stop = sorted(int(x) for x in rng.integers(0, header.nbytes + 1, size=2))
        got = bp.decode_byte_range(chunk, start, stop)
        np.testing.assert_array_equal(got, full[start:stop])


@settings(max_examples=60, deadline=None)
@given(
    typesize=st.sampled_from([1, 2, 4, 8]),
    shuffle=st.sampled_from(SHUFFLES),
    nitems=st.integers(1, 2000),
    data=st.data(),
)
def test_item_ranges_match_numpy(
    typesize: int, shuffle: int, nitems: int, data: st.DataObject
) -> None:
    arr = _data(typesize, nitems, seed=nitems)
    chunk = _encode(arr, "zstd", shuffle, blocksize=128)
    start = data.draw(st.integers(0, nitems))
    count = data.draw(st.integers(0, nitems - start))
    got = bp.decode_items(chunk, start, count, arr.dtype)
    np.testing.assert_array_equal(got, arr[start : start + count])


@pytest.mark.parametrize("typesize", [1, 2, 4, 8])
def test_memcpyed_chunk_is_sliced_without_decompression(typesize: int) -> None:
    arr = np.random.default_rng(1).integers(0, 255, size=999, dtype=np.uint8).view(np.uint8)
    arr = arr[: (len(arr) // typesize) * typesize].view(DTYPES[typesize])
    chunk = bytes(numcodecs.Blosc(cname="lz4", clevel=0, shuffle=0).encode(arr))
    header = bp.read_header(chunk)
    assert header.memcpyed
    raw = arr.view(np.uint8)
    for start, stop in [(0, raw.size), (3, 17), (raw.size - 5, raw.size), (7, 7)]:
        np.testing.assert_array_equal(bp.decode_byte_range(chunk, start, stop), raw[start:stop])


def test_chunk_smaller_than_one_block() -> None:
    arr = np.arange(10, dtype=np.uint16)
    chunk = _encode(arr, blocksize=0)
    np.testing.assert_array_equal(bp.decode_items(chunk, 2, 5, arr.dtype), arr[2:7])


def test_empty_chunk_and_empty_range() -> None:
    chunk = _encode(np.zeros(0, dtype=np.uint8))
    assert bp.read_header(chunk).nblocks == 0
    assert bp.decode_byte_range(chunk, 0, 0).size == 0
    full_chunk = _encode(np.arange(500, dtype=np.uint8))
    assert bp.decode_byte_range(full_chunk, 100, 100).size == 0


def test_full_range_and_last_block_only() -> None:
    arr = _data(2, 3001)
    chunk = _encode(arr, shuffle=1)
    raw = arr.view(np.uint8)
    np.testing.assert_array_equal(bp.decode_byte_range(chunk, 0, raw.size), raw)
    np.testing.assert_array_equal(bp.decode_byte_range(chunk, raw.size - 3, raw.size), raw[-3:])
    np.testing.assert_array_equal(bp.decode_byte_range(chunk, 256, 512), raw[256:512])


def test_decodes_into_given_output() -> None:
    arr = _data(4, 3000)
    chunk = _encode(arr, shuffle=1)
    out = np.empty(40, dtype=np.float32)
    result = bp.decode_byte_range(chunk, 400, 560, out=out)
    np.testing.assert_array_equal(out, arr[100:140])
    assert np.shares_memory(result, out)
    with pytest.raises(ValueError, match="contiguous array of 160 bytes"):
        bp.decode_byte_range(chunk, 400, 560, out=np.empty(10, dtype=np.float32))


def test_accepts_numpy_and_memoryview_buffers() -> None:
    arr = _data(2, 3000)
    chunk = _encode(arr)
    as_array = np.frombuffer(chunk, dtype=np.uint8)
    np.testing.assert_array_equal(bp.decode_items(as_array, 10, 5, arr.dtype), arr[10:15])
    np.testing.assert_array_equal(bp.decode_items(memoryview(chunk), 10, 5, arr.dtype), arr[10:15])


def _permute_blocks(chunk: bytes) -> bytes:
    """Rewrite a chunk with its blocks stored in reverse grid order (as threaded blosc may)."""
    header = bp.read_header(chunk)
    n = header.nblocks
    starts = list(struct.unpack_from(f"<{n}i", chunk, 16))
    # a block ends where the next stored block begins; blosc compressing with several threads
    # (numcodecs does so from the main thread on an idle machine) already stores them unordered
    ordered = sorted(starts)
    next_start = dict(zip(ordered, [*ordered[1:], header.cbytes], strict=True))
    ends = [next_start[start] for start in starts]
    body = bytearray()
    table_end = 16 + 4 * n
    new_starts = [0] * n
    for block in reversed(range(n)):
        new_starts[block] = table_end + len(body)
        body += chunk[starts[block] : ends[block]]
    return chunk[:16] + struct.pack(f"<{n}i", *new_starts) + bytes(body)


def test_blocks_stored_out_of_order() -> None:
    arr = _data(8, 2000)
    chunk = _permute_blocks(_encode(arr, shuffle=1))
    np.testing.assert_array_equal(_full(chunk).view(np.int64), arr)
    np.testing.assert_array_equal(bp.decode_items(chunk, 300, 700, arr.dtype), arr[300:1000])


def test_threaded_compressor_output_decodes() -> None:
    arr = _data(2, 200_000)
    numcodecs.blosc.use_threads = True
    try:
        chunk = _encode(arr, shuffle=1, blocksize=4096)
    finally:
        numcodecs.blosc.use_threads = None
    np.testing.assert_array_equal(
        bp.decode_items(chunk, 50_000, 3000, arr.dtype), arr[50_000:53_000]
    )


def test_only_needed_blocks_are_in_the_sub_chunk() -> None:
    arr = _data(2, 3000)
    chunk = _encode(arr, shuffle=1)
    header = bp.read_header(chunk)
    assert bp.block_span(header, 300, 700) == (1, 3)
    assert bp.needed_fraction(chunk, 300, 700) == pytest.approx(2 / header.nblocks)


@pytest.mark.parametrize("cname", ["lz4", "zstd"])
def test_ranged_reads_fetch_only_table_and_needed_blocks(cname: str) -> None:
    arr = _data(2, 200_000)
    chunk = _encode(arr, cname, shuffle=1, blocksize=8192)
    header = bp.read_header(chunk[: bp.HEADER_NBYTES], complete=False)
    table = bp.read_block_table(chunk[: bp.table_nbytes(header)])
    raw = arr.view(np.uint8)
    for start, stop in [(100_000, 101_000), (0, 5), (raw.size - 7, raw.size), (8192, 16384)]:
        plan = bp.plan_byte_range(table, start, stop)
        assert not plan.whole
        assert plan.fetch_nbytes < len(chunk) // 4
        fetched = chunk[plan.fetch_start : plan.fetch_stop]
        np.testing.assert_array_equal(bp.decode_planned(table, plan, fetched), raw[start:stop])
    whole = bp.plan_byte_range(table, 10, raw.size - 10)
    assert whole.whole
    assert (whole.fetch_start, whole.fetch_stop) == (0, len(chunk))
    with pytest.raises(CorruptChunkError, match="truncated"):
        plan = bp.plan_byte_range(table, 100_000, 101_000)
        bp.decode_planned(table, plan, chunk[plan.fetch_start : plan.fetch_stop - 1])


def test_memcpyed_plan_fetches_just_the_bytes() -> None:
    raw = np.random.default_rng(2).integers(0, 255, size=5000, dtype=np.uint8)
    chunk = bytes(numcodecs.Blosc(cname="lz4", clevel=0).encode(raw))
    table = bp.read_block_table(chunk[:16])
    plan = bp.plan_byte_range(table, 100, 300)
    assert (plan.fetch_start, plan.fetch_stop) == (116, 316)
    np.testing.assert_array_equal(bp.decode_planned(table, plan, chunk[116:316]), raw[100:300])


def test_blosc2_chunk_is_rejected() -> None:
    chunk = bytearray(_encode(np.arange(100, dtype=np.uint8)))
    chunk[0] = 3
    with pytest.raises(UnsupportedError, match="Blosc2"):
        bp.decode_byte_range(bytes(chunk), 0, 10)


def test_truncated_chunk_is_corrupt() -> None:
    chunk = _encode(_data(2, 3000))
    with pytest.raises(CorruptChunkError, match="truncated"):
        bp.decode_byte_range(chunk[:-10], 0, 10)
    with pytest.raises(CorruptChunkError, match="shorter than the 16-byte header"):
        bp.read_header(chunk[:10])


def test_bad_block_offset_is_corrupt() -> None:
    chunk = bytearray(_encode(_data(2, 3000)))
    struct.pack_into("<i", chunk, 16 + 4 * 3, 10**6)
    with pytest.raises(CorruptChunkError, match="offset outside"):
        bp.decode_byte_range(bytes(chunk), 800, 900)


def test_garbage_block_is_corrupt() -> None:
    chunk = bytearray(_encode(_data(2, 3000), cname="zstd"))
    start = struct.unpack_from("<i", chunk, 16 + 4 * 2)[0]
    chunk[start + 4 : start + 40] = b"\xff" * 36
    with pytest.raises(CorruptChunkError, match="decompression failed"):
        bp.decode_byte_range(bytes(chunk), 2 * 256, 2 * 256 + 10)


def test_range_outside_chunk_is_rejected() -> None:
    chunk = _encode(np.arange(100, dtype=np.uint8))
    with pytest.raises(ValueError, match="outside"):
        bp.decode_byte_range(chunk, 50, 101)


# --- contiguous_region -------------------------------------------------------------------


def _check_region(shape: tuple[int, ...], sel: tuple[int | slice, ...], order: str) -> None:
    chunk = np.arange(int(np.prod(shape))).reshape(shape, order=order)
    flat = chunk.ravel(order=order)
    region = bp.contiguous_region(shape, sel, order)
    assert region is not None
    part = flat[region.item_start : region.item_stop].reshape(region.region_shape, order=order)
    np.testing.assert_array_equal(part[region.selection], chunk[sel])


@pytest.mark.parametrize("order", ["C", "F"])
def test_region_of_one_plane(order: str) -> None:
    shape = (8, 16, 12)
    _check_region(shape, (3, slice(None), slice(None)), order)
    _check_region(shape, (slice(None), slice(None), 5), order)
    region = bp.contiguous_region(shape, (3, slice(None), slice(None)), "C")
    assert region is not None
    assert (region.item_start, region.item_stop) == (3 * 192, 4 * 192)


@settings(max_examples=150, deadline=None)
@given(data=st.data(), order=st.sampled_from(["C", "F"]))
def test_region_matches_numpy(data: st.DataObject, order: str) -> None:
    shape = tuple(data.draw(st.lists(st.integers(1, 6), min_size=1, max_size=4)))
    sel: list[int | slice] = []
    for size in shape:
        if data.draw(st.booleans()):
            sel.append(data.draw(st.integers(-size, size - 1)))
        else:
            start = data.draw(st.integers(0, size - 1))
            stop = data.draw(st.integers(start + 1, size))
            sel.append(slice(start, stop, data.draw(st.integers(1, 3))))
    _check_region(shape, tuple(sel), order)


def test_region_of_empty_selection_is_none() -> None:
    assert bp.contiguous_region((4, 4), (slice(2, 2), slice(None))) is None
    assert bp.contiguous_region((), ()) is None


# --- decode_selection ----------------------------------------------------------------------


@pytest.mark.parametrize("order", ["C", "F"])
@pytest.mark.parametrize("dtype", ["<u2", ">i4", "<f8", "|u1"])
def test_decode_selection_matches_full_decode(order: str, dtype: str) -> None:
    shape = (16, 40, 50)
    chunk = np.asarray(_data(np.dtype(dtype).itemsize, 16 * 40 * 50), dtype=dtype).reshape(
        shape, order=order
    )
    stored = bytes(
        numcodecs.Blosc(cname="lz4", clevel=5, shuffle=1, blocksize=1024).encode(
            chunk.ravel(order=order)
        )
    )
    selections: list[tuple[int | slice, ...]] = [
        (3, slice(None), slice(None)),
        (slice(5, 6), slice(0, 40, 3), slice(10, 20)),
        (slice(None), slice(None), 7),
        (15, 39, slice(None)),
        (slice(2, 4), slice(None), slice(None)),
    ]
    for sel in selections:
        got = bp.decode_selection(stored, shape, np.dtype(dtype), order, sel)
        if got is None:  # needs every block: the caller decodes the whole chunk
            continue
        np.testing.assert_array_equal(got, chunk[sel])
    assert bp.decode_selection(stored, shape, np.dtype(dtype), order, (slice(None),) * 3) is None


def test_decode_selection_rejects_wrong_chunk_size() -> None:
    stored = _encode(np.arange(100, dtype=np.uint16))
    with pytest.raises(CorruptChunkError, match="has 200 bytes, expected 400"):
        bp.decode_selection(stored, (10, 20), np.dtype("u2"), "C", (0, slice(None)))
