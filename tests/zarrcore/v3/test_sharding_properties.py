"""Property test: ranged reads of a shard agree with numpy for any strided selection."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from zarrcore.codecs.sharding import ShardingCodec
from zarrcore.codecs.v3_chain import ChunkSpec
from zarrcore.metadata.v3_dtypes import parse_data_type
from zarrcore.store.memory import MemoryStore


@st.composite
def shard_and_selection(
    draw: st.DrawFn,
) -> tuple[tuple[int, ...], tuple[int, ...], tuple[slice, ...], str, float]:
    ndim = draw(st.integers(1, 3))
    inner = tuple(draw(st.integers(1, 4)) for _ in range(ndim))
    shard = tuple(i * draw(st.integers(1, 3)) for i in inner)
    selection = []
    for size in shard:
        start = draw(st.integers(0, size - 1))
        stop = draw(st.integers(start, size))
        selection.append(slice(start, stop, draw(st.integers(1, 3))))
    location = draw(st.sampled_from(["start", "end"]))
    density = draw(st.floats(0.0, 1.0))
    return inner, shard, tuple(selection), location, density


@settings(max_examples=60, deadline=None)
@given(shard_and_selection())
def test_region_reads_match_numpy(
    case: tuple[tuple[int, ...], tuple[int, ...], tuple[slice, ...], str, float],
) -> None:
    inner, shard, selection, location, density = case
    spec = ChunkSpec(shard, parse_data_type("int16"), -1)
    codec = ShardingCodec(
        {
            "chunk_shape": list(inner),
            "index_location": location,
            "codecs": [
                {"name": "bytes", "configuration": {"endian": "little"}},
                {"name": "gzip", "configuration": {"level": 1}},
            ],
        },
        spec,
    )
    rng = np.random.default_rng(len(shard) * 7 + int(density * 100))
    data = rng.integers(0, 100, shard).astype("i2")
    data[rng.random(shard) > density] = -1  # some inner chunks end up all fill: not stored
    store = MemoryStore()
    store.set("s", codec.encode(data, spec))
    out = codec.read_region(store, "s", selection, spec)
    assert out is not None
    np.testing.assert_array_equal(out, data[selection])
    np.testing.assert_array_equal(codec.decode(store.get("s"), spec, key="s", url="u"), data)
