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
