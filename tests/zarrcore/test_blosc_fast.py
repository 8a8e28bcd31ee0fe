"""python-blosc decodes every blosc frame numcodecs writes exactly like numcodecs does."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
from numcodecs import Blosc

import zarrcore
from zarrcore.codecs import blosc_fast
from zarrcore.errors import CorruptChunkError
from zarrcore.store.memory import MemoryStore

pytestmark = pytest.mark.skipif(not blosc_fast.available(), reason="python-blosc missing")


def _data(kind: str) -> np.ndarray:
    rng = np.random.default_rng(5)
    if kind == "smooth":
        return (np.arange(70_000, dtype="<u2") // 7).astype("<u2")
    if kind == "noise":  # incompressible: blosc stores it memcpy-ed
        return rng.integers(0, 2**32, 20_000, dtype="<u4")
    if kind == "floats":
        return np.linspace(0, 1, 12_345, dtype="<f8")
    return np.zeros(0, dtype="u1")


@pytest.mark.parametrize("kind", ["smooth", "noise", "floats", "empty"])
@pytest.mark.parametrize("cname", ["lz4", "zstd", "blosclz", "zlib"])
@pytest.mark.parametrize("shuffle", [Blosc.NOSHUFFLE, Blosc.SHUFFLE, Blosc.BITSHUFFLE])
def test_fast_decode_equals_numcodecs(kind: str, cname: str, shuffle: int) -> None:
    data = _data(kind)
    codec = Blosc(cname=cname, clevel=5, shuffle=shuffle)
    frame = bytes(codec.encode(data))
    fast = blosc_fast.decompress(frame)
    assert fast == data.tobytes()
    if data.size:  # numcodecs 0.15 refuses to decode an empty frame; python-blosc gives b""
        assert fast == bytes(codec.decode(frame))
    view = memoryview(b"xx" + frame + b"yy")[2:-2]  # a slice of a bigger buffer (shards)
    assert blosc_fast.decompress(view) == data.tobytes()


def test_frames_whose_header_does_not_match_the_buffer_are_left_to_numcodecs() -> None:
    frame = bytes(Blosc(cname="lz4").encode(_data("smooth")))
    assert blosc_fast.decompress(frame[:-1]) is None  # truncated
    assert blosc_fast.decompress(frame + b"\0") is None  # trailing bytes
    assert blosc_fast.decompress(frame[:10]) is None  # shorter than a header
    assert blosc_fast.decompress(b"\x07" + frame[1:]) is None  # unknown format version


def test_sharded_array_with_a_corrupt_inner_chunk_reports_the_shard_key() -> None:
    store = MemoryStore()
    group = zarrcore.open_group(store, mode="w", zarr_format=3)
    data = (np.arange(64 * 64, dtype="<u2").reshape(1, 64, 64) // 3).astype("<u2")
    arr = group.create_array(
        "s",
        shape=data.shape,
        chunks=(1, 16, 16),
        shards=(1, 64, 64),
        dtype="<u2",
        compressor=Blosc(cname="lz4", shuffle=Blosc.SHUFFLE),
    )
    arr[...] = data
    np.testing.assert_array_equal(arr[...], data)
    key = next(k for k in store.list() if k.startswith("s/c/"))
    shard = bytearray(store.get(key))
    shard[16:48] = b"\xff" * 32  # inside the first inner chunk's compressed body
    store.set(key, bytes(shard))
    with pytest.raises(CorruptChunkError) as info:
        _ = arr[...]
    assert info.value.key == key


def test_concurrent_decodes_on_many_threads_are_all_correct() -> None:
    frames = [
        (bytes(Blosc(cname="lz4", shuffle=Blosc.SHUFFLE).encode(d)), d.tobytes())
        for d in (np.arange(i * 1000, (i + 40) * 1000, dtype="<u4") // 3 for i in range(8))
    ]
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(lambda item: blosc_fast.decompress(item[0]), frames * 25))
    assert results == [expected for _, expected in frames * 25]


def test_decode_into_a_buffer_checks_the_decoded_size() -> None:
    data = _data("smooth")
    frame = bytes(Blosc(cname="lz4", shuffle=Blosc.SHUFFLE).encode(data))
    target = np.empty(data.nbytes, dtype="u1")
    assert blosc_fast.decompress_into(frame, target)
    assert target.tobytes() == data.tobytes()
    assert not blosc_fast.decompress_into(frame, np.empty(data.nbytes - 1, dtype="u1"))
    assert not blosc_fast.decompress_into(frame[:-1], target)
    assert not blosc_fast.decompress_into(frame, np.empty((2, data.nbytes), "u1")[:, 0])


def test_v2_blosc_arrays_read_identically_through_the_fast_path() -> None:
    store = MemoryStore()
    group = zarrcore.open_group(store, mode="w")
    data = (np.arange(3 * 50 * 70, dtype="<i4").reshape(3, 50, 70) * 13) // 5
    for name, order in (("c", "C"), ("f", "F")):
        arr = group.create_array(
            name,
            shape=data.shape,
            chunks=(1, 25, 32),
            dtype="<i4",
            order=order,
            compressor=Blosc(cname="zstd", shuffle=Blosc.BITSHUFFLE),
        )
        arr[...] = data
        np.testing.assert_array_equal(arr[...], data)
        np.testing.assert_array_equal(arr[1], data[1])
        np.testing.assert_array_equal(arr[:, 3:40:4, 5:69], data[:, 3:40:4, 5:69])
