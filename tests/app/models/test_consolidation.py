"""Consolidation model: preview finds stale entries, cancel writes nothing, writes are atomic,
and the before/after request counts are what the store actually served."""

from __future__ import annotations

import json
import select
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest
import zarr

import zarrcore
from app.models.consolidation import (
    consolidate_with_report,
    measure_open,
    scan_hierarchy,
    write_consolidated,
)
from zarrcore.errors import CancelledError, NotFoundError
from zarrcore.store.local import DirectoryStore
from zarrcore.store.memory import MemoryStore
from zarrcore.store.wrappers import CountingStore

ROOT = Path(__file__).resolve().parents[3]


def _v2_hierarchy(path: Path, n_groups: int = 3, n_arrays: int = 2, fill: bool = True) -> None:
    """zarr-python 2 writes: root + n_groups groups, each with n_arrays small arrays."""
    root = zarr.open_group(str(path), mode="w")
    root.attrs["title"] = "demo"
    for g in range(n_groups):
        group = root.create_group(f"g{g}")
        for a in range(n_arrays):
            arr = group.create_dataset(f"a{a}", shape=(4, 4), chunks=(2, 2), dtype="i2")
            if fill:
                arr[:] = np.arange(16, dtype="i2").reshape(4, 4)


def test_missing_consolidated_metadata_is_reported(tmp_path: Path) -> None:
    _v2_hierarchy(tmp_path / "h.zarr")
    plan = scan_hierarchy(DirectoryStore(tmp_path / "h.zarr", read_only=True))
    assert plan.zarr_format == 2
    assert plan.status == "missing"
    assert (plan.n_groups, plan.n_arrays) == (4, 6)  # root counts as a group
    assert "no consolidated metadata" in plan.summary()


def test_preview_detects_stale_entries(tmp_path: Path) -> None:
    path = tmp_path / "h.zarr"
    _v2_hierarchy(path)
    zarr.consolidate_metadata(str(path))
    assert scan_hierarchy(DirectoryStore(path)).status == "current"
    root = zarr.open_group(str(path), mode="a")
    root.attrs["title"] = "renamed"  # changed .zattrs
    root["g0/a0"].attrs["units"] = "nm"  # .zattrs that did not exist
    root.create_group("new")  # added
    root["g1"].create_dataset("x", shape=(2,), dtype="u1")  # added array
    plan = scan_hierarchy(DirectoryStore(path, read_only=True))
    assert plan.status == "stale"
    changes = {(d.key, d.change) for d in plan.differences}
    assert (".zattrs", "changed") in changes
    assert ("g0/a0/.zattrs", "added") in changes
    assert ("new/.zgroup", "added") in changes
    assert ("g1/x/.zarray", "added") in changes


def test_removed_node_is_a_stale_entry() -> None:
    store = MemoryStore()
    store.set(".zgroup", b'{"zarr_format": 2}')
    store.set(
        ".zmetadata",
        json.dumps(
            {
                "zarr_consolidated_format": 1,
                "metadata": {".zgroup": {"zarr_format": 2}, "gone/.zgroup": {"zarr_format": 2}},
            }
        ).encode(),
    )
    plan = scan_hierarchy(store)
    assert [(d.key, d.change) for d in plan.differences] == [("gone/.zgroup", "removed")]


def test_written_metadata_opens_in_zarr_python(tmp_path: Path) -> None:
    path = tmp_path / "h.zarr"
    _v2_hierarchy(path)
    store = DirectoryStore(path)
    key = write_consolidated(store, scan_hierarchy(store))
    assert key == ".zmetadata"
    group = zarr.open_consolidated(str(path), mode="r")
    assert group.attrs["title"] == "demo"
    np.testing.assert_array_equal(group["g2/a1"][:], np.arange(16).reshape(4, 4))
    assert scan_hierarchy(store).status == "current"
    # byte-identical to what zarr-python 2 writes for the same hierarchy
    ours = (path / ".zmetadata").read_bytes()
    zarr.consolidate_metadata(str(path))
    assert (path / ".zmetadata").read_bytes() == ours


def test_cancel_leaves_store_untouched(tmp_path: Path) -> None:
    path = tmp_path / "h.zarr"
    _v2_hierarchy(path, n_groups=10, fill=False)
    before = {p: p.read_bytes() for p in path.rglob("*") if p.is_file()}
    calls = {"n": 0}

    def cancelled() -> bool:
        calls["n"] += 1
        return calls["n"] > 1

    with pytest.raises(CancelledError):
        scan_hierarchy(DirectoryStore(path), cancelled=cancelled)
    after = {p: p.read_bytes() for p in path.rglob("*") if p.is_file()}
    assert after == before


def test_scan_reports_progress(tmp_path: Path) -> None:
    path = tmp_path / "h.zarr"
    _v2_hierarchy(path, n_groups=40, fill=False)
    seen: list[tuple[int, int, str]] = []
    scan_hierarchy(DirectoryStore(path), progress=lambda d, t, p: seen.append((d, t, p)))
    reading = [s for s in seen if s[2] == "reading metadata"]
    assert reading[-1][0] == reading[-1][1] > 0
    assert [d for d, _, _ in reading] == sorted(d for d, _, _ in reading)


def test_no_group_is_a_clear_error() -> None:
    with pytest.raises(NotFoundError):
        scan_hierarchy(MemoryStore())


def test_reported_read_counts_are_right(tmp_path: Path) -> None:
    path = tmp_path / "h.zarr"
    _v2_hierarchy(path, n_groups=3, n_arrays=2)
    store = DirectoryStore(path)
    plan = scan_hierarchy(store)
    report = consolidate_with_report(store, plan)
    # walking: one listing per group (root + 3 groups), node documents read in batches
    assert report.before.n_nodes == report.after.n_nodes == 9
    assert report.before.listings == 4
    assert report.before.reads > 9
    # consolidated: one batched read of the root documents, no listing at all
    assert report.after.listings == 0
    assert report.after.round_trips == 1
    assert report.after.method == "engine"
    # the numbers are what an independent counter around the same store sees (plus the
    # format detection measure_open does before it starts counting)
    for consolidated in (False, True):
        outer = CountingStore(store)
        cost = measure_open(outer, consolidated=consolidated)
        assert outer.reads == 2 + cost.reads
        assert outer.listings == cost.listings
    assert "round trips" in report.summary()


def test_our_preview_agrees_with_zarrcore_check(tmp_path: Path) -> None:
    path = tmp_path / "h.zarr"
    _v2_hierarchy(path)
    zarr.consolidate_metadata(str(path))
    root = zarr.open_group(str(path), mode="a")
    root.attrs["title"] = "renamed"
    root.create_group("new")
    store = DirectoryStore(path)
    plan = scan_hierarchy(store)
    engine = zarrcore.check_consolidated(store)
    ours = {d.change: set() for d in plan.differences}
    for d in plan.differences:
        ours[d.change].add(d.key)
    assert ours.get("added", set()) == set(engine.missing)
    assert ours.get("changed", set()) == set(engine.changed)
    assert ours.get("removed", set()) == set(engine.extra)
    write_consolidated(store, plan)
    assert zarrcore.check_consolidated(store).up_to_date


def test_v3_consolidation_round_trip() -> None:
    store = MemoryStore()
    group = {"zarr_format": 3, "node_type": "group", "attributes": {}}
    array = {
        "zarr_format": 3,
        "node_type": "array",
        "shape": [4],
        "data_type": "uint8",
        "chunk_grid": {"name": "regular", "configuration": {"chunk_shape": [2]}},
        "chunk_key_encoding": {"name": "default", "configuration": {"separator": "/"}},
        "fill_value": 0,
        "codecs": [{"name": "bytes"}],
        "attributes": {},
    }
    store.set("zarr.json", json.dumps(group).encode())
    store.set("g/zarr.json", json.dumps(group).encode())
    store.set("g/a/zarr.json", json.dumps(array).encode())
    plan = scan_hierarchy(store)
    assert (plan.zarr_format, plan.status, plan.n_nodes) == (3, "missing", 3)
    write_consolidated(store, plan)
    root = json.loads(store.get("zarr.json"))
    metadata = root["consolidated_metadata"]["metadata"]
    assert sorted(metadata) == ["g", "g/a"]
    assert metadata["g"]["consolidated_metadata"]["metadata"] == {}
    assert scan_hierarchy(store).status == "current"
    store.set("g/a/zarr.json", json.dumps({**array, "attributes": {"x": 1}}).encode())
    stale = scan_hierarchy(store)
    assert [(d.key, d.change) for d in stale.differences] == [("g/a", "changed")]
    after = measure_open(store, consolidated=True)
    assert (after.round_trips, after.listings, after.n_nodes) == (1, 0, 2)


KILL_SCRIPT = textwrap.dedent(
    """
    import sys
    from app.models.consolidation import scan_hierarchy, write_consolidated
    from zarrcore.store.local import DirectoryStore
    store = DirectoryStore(sys.argv[1])
    plan = scan_hierarchy(store)
    root_key = ".zattrs" if plan.zarr_format == 2 else "zarr.json"
    i = 0
    while True:
        i += 1
        pad = {"generation": i, "pad": "x" * 50000}
        if plan.zarr_format == 2:
            plan.documents[root_key] = pad
        else:
            plan.documents[root_key] = {**plan.documents[root_key], "attributes": pad}
        write_consolidated(store, plan)
        print(i, flush=True)
    """
)


def _v3_hierarchy(path: Path) -> None:
    root = zarrcore.open_group(str(path), mode="w", zarr_format=3)
    for g in range(12):
        group = root.create_group(f"g{g}")
        for a in range(4):
            group.create_array(f"a{a}", shape=(4, 4), chunks=(2, 2), dtype="i2")
    root.store.close()


@pytest.mark.parametrize("zarr_format", [2, 3])
def test_killed_write_leaves_old_or_new_metadata(tmp_path: Path, zarr_format: int) -> None:
    path = tmp_path / "h.zarr"
    if zarr_format == 2:
        _v2_hierarchy(path, n_groups=12, n_arrays=4, fill=False)
        zarr.consolidate_metadata(str(path))
    else:
        _v3_hierarchy(path)
    with subprocess.Popen(
        [sys.executable, "-c", KILL_SCRIPT, str(path)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    ) as proc:
        assert proc.stdout is not None
        try:
            for _ in range(5):  # let it finish several writes, then kill it mid-loop
                # bounded wait: a writer that never prints fails the test, never hangs it
                ready, _, _ = select.select([proc.stdout], [], [], 120)
                assert ready, "the writer process printed nothing for 120 s"
                assert proc.stdout.readline()
        finally:
            proc.kill()
            proc.wait(timeout=30)
    # never a broken document: it parses, and is one complete generation
    if zarr_format == 2:
        doc = json.loads((path / ".zmetadata").read_text())
        generation = doc["metadata"][".zattrs"]["generation"]
        assert len(doc["metadata"]) == len(scan_hierarchy(DirectoryStore(path)).documents)
    else:
        doc = json.loads((path / "zarr.json").read_text())
        generation = doc["attributes"]["generation"]
        assert len(doc["consolidated_metadata"]["metadata"]) == 12 * 5
    assert generation >= 5
    group = zarrcore.open_consolidated(str(path))
    assert group["g11/a3"].shape == (4, 4)


@pytest.mark.redis
def test_consolidating_a_redis_hierarchy_cuts_round_trips() -> None:
    from zarrcore.testing.servers import require_env, unique_name

    url = f"{require_env('ZARRSCOPE_TEST_REDIS_URL')}?prefix={unique_name('cons')}"
    root = zarrcore.open_group(url, mode="w")
    for g in range(6):
        group = root.create_group(f"g{g}")
        for a in range(3):
            group.create_array(f"a{a}", shape=(4,), chunks=(2,), dtype="u1")
    store = root.store
    try:
        plan = scan_hierarchy(store)
        assert plan.status == "missing" and plan.n_nodes == 1 + 6 + 18
        report = consolidate_with_report(store, plan)
        assert report.before.n_nodes == report.after.n_nodes == 24
        assert report.before.listings == 7 and report.after.listings == 0
        assert report.after.round_trips == 1 < report.before.round_trips
        assert zarrcore.check_consolidated(store).up_to_date
    finally:
        store.delete_prefix("")
        store.close()
