"""Consolidated listings are lazy (types only, metadata parsed on use) yet list exactly
what an eager listing from the store itself gives; the fast JSON path parses exactly
like the stdlib parser."""

from __future__ import annotations

import json
import math
from typing import Any

import pytest

import zarrcore
from zarrcore.array import Array
from zarrcore.errors import MetadataError
from zarrcore.group import Group
from zarrcore.metadata.jsonutil import loads_document
from zarrcore.store.memory import MemoryStore


def _build(zarr_format: int) -> MemoryStore:
    store = MemoryStore()
    root = zarrcore.open_group(store, mode="w", zarr_format=zarr_format)
    root.attrs["title"] = "t"
    for g in range(3):
        sub = root.create_group(f"g{g}")
        sub.attrs["index"] = g
        for a in range(4):
            arr = sub.create_array(f"a{a}", shape=(6, 4), chunks=(3, 2), dtype="<i4")
            arr.attrs["units"] = "counts"
        sub.create_group("inner").create_array("deep", shape=(2,), chunks=(1,), dtype="f8")
    root.create_array("top", shape=(3,), chunks=(3,), dtype="u1", fill_value=7)
    return store


def _walk(group: Group) -> list[tuple[str, str, Any]]:
    """(path, type, what the node says) of every node under ``group``, depth first."""
    found: list[tuple[str, str, Any]] = []
    for _name, node in group.members():
        if isinstance(node, Array):
            summary: Any = (
                node.shape,
                node.chunks,
                node.dtype.str,
                repr(node.fill_value),
                node.zarr_format,
                dict(node.attrs),
            )
            found.append((node.path, "array", summary))
        else:
            found.append((node.path, "group", (node.zarr_format, dict(node.attrs))))
        if isinstance(node, Group):
            found.extend(_walk(node))
    return found


@pytest.mark.parametrize("zarr_format", [2, 3])
def test_lazy_consolidated_listing_matches_eager_store_listing(zarr_format: int) -> None:
    store = _build(zarr_format)
    zarrcore.consolidate_metadata(store)
    eager = _walk(zarrcore.open_group(store, mode="r"))
    lazy_root = zarrcore.open_consolidated(store)
    assert lazy_root.source.consolidated
    lazy = _walk(lazy_root)
    assert [(p, k) for p, k, _ in lazy] == [(p, k) for p, k, _ in eager]
    assert lazy == eager
    assert len(lazy) == 1 + 3 * (1 + 4 + 2)


@pytest.mark.parametrize("zarr_format", [2, 3])
def test_consolidated_listing_at_a_sub_path_matches_eager(zarr_format: int) -> None:
    store = _build(zarr_format)
    zarrcore.consolidate_metadata(store, path="g1")
    eager = _walk(zarrcore.open_group(store, mode="r", path="g1"))
    assert _walk(zarrcore.open_consolidated(store, path="g1")) == eager


@pytest.mark.parametrize("zarr_format", [2, 3])
def test_listed_nodes_are_not_parsed_until_used(zarr_format: int) -> None:
    store = _build(zarr_format)
    zarrcore.consolidate_metadata(store)
    root = zarrcore.open_consolidated(store)
    arrays = [node for _, sub in root.groups() for _, node in sub.arrays()]
    assert len(arrays) == 12
    assert all(node._metadata is None for node in arrays)  # listing parsed nothing
    assert all(node.zarr_format == zarr_format for node in arrays)
    assert all(node._metadata is None for node in arrays)
    assert arrays[0].shape == (6, 4)
    assert arrays[0]._metadata is not None and arrays[1]._metadata is None


def test_v3_listing_reports_a_malformed_entry_only_when_it_is_used() -> None:
    store = _build(3)
    zarrcore.consolidate_metadata(store)
    doc = json.loads(store.get("zarr.json"))
    doc["consolidated_metadata"]["metadata"]["g1/a2"]["data_type"] = "not-a-type"
    store.set("zarr.json", json.dumps(doc).encode())
    root = zarrcore.open_consolidated(store)
    g1 = root["g1"]
    assert isinstance(g1, Group)
    members = dict(g1.members())
    assert isinstance(members["a2"], Array)  # listed by its node_type alone
    assert members["a1"].shape == (6, 4)
    with pytest.raises(zarrcore.errors.ZarrcoreError):
        _ = members["a2"].dtype


@pytest.mark.parametrize(
    "raw",
    [
        b'{"fill_value": NaN, "b": Infinity, "c": -Infinity}',
        b'\xef\xbb\xbf{"bom": 1}',
        b'{"big": 18446744073709551616, "neg": -9223372036854775809}',
        b'{"u64": 18446744073709551615, "i64": -9223372036854775808}',
        b'{"hash": "1234567890123456789012345", "n": 1}',
        b'{"huge": 1e400}',
        b'{"lone": "\\ud800x", "pair": "\\ud83d\\ude00"}',
        b'{"a": 1, "a": 2, "nested": {"x": [1.5, -0.0, 5e-324, null, true]}}',
        '{"unicode": "\u00e9\u6f22"}'.encode(),
        b"null",
        b"[1, 2]",
    ],
)
def test_fast_json_path_parses_exactly_like_the_stdlib(raw: bytes) -> None:
    expected = json.loads(raw.decode("utf-8-sig"))
    got = loads_document(raw)
    assert repr(got) == repr(expected)  # repr: NaN == NaN, int vs float, -0.0 vs 0.0
    if isinstance(expected, dict) and "big" in expected:
        assert type(got["big"]) is int and got["neg"] == -(2**63) - 1
    if isinstance(expected, dict) and "huge" in expected:
        assert math.isinf(got["huge"])


@pytest.mark.parametrize("raw", [b"{", b'{"a": }', b"\xff\xfe", b'{"a": nan}'])
def test_malformed_json_still_raises_metadata_error(raw: bytes) -> None:
    with pytest.raises(MetadataError, match="malformed JSON"):
        loads_document(raw, url="memory://", key="x/.zarray")
