"""Array.shards / Array.inner_chunks tell a sharded array's two chunk levels apart."""

import zarrcore
from app.models.node_info import describe_node
from zarrcore.store.memory import MemoryStore


def _root() -> zarrcore.Group:
    return zarrcore.open_group(MemoryStore("memory://"), mode="w", zarr_format=3)


def test_sharded_array_reports_shard_and_inner_chunk_shapes() -> None:
    arr = _root().create_array("s", shape=(8, 8), chunks=(2, 2), shards=(4, 4), dtype="u2")
    assert arr.chunks == (4, 4)  # the storage grid: one key per shard
    assert arr.shards == (4, 4)
    assert arr.inner_chunks == (2, 2)


def test_unsharded_array_has_no_shards() -> None:
    arr = _root().create_array("p", shape=(8, 8), chunks=(2, 2), dtype="u2")
    assert arr.shards is None
    assert arr.inner_chunks == (2, 2)


def test_metadata_panel_rows_name_shards_and_inner_chunks() -> None:
    arr = _root().create_array("s", shape=(8, 8), chunks=(2, 2), shards=(4, 4), dtype="u2")
    rows = dict(describe_node("/s", arr).rows)
    assert rows["Shards"] == "4 x 4"
    assert rows["Inner chunks"] == "2 x 2"
