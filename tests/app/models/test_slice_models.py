"""Pure models: slice selection, scheduler, chunk cache, frame reading, job queue, tree nodes."""

from __future__ import annotations

import threading
from types import SimpleNamespace

import numpy as np
import pytest

from app.models.chunk_cache import ChunkCache
from app.models.frame_reader import auto_levels, chunks_for_region, read_region
from app.models.image_source import default_displayed, source_for
from app.models.job_queue import JobQueue, JobState
from app.models.scheduler import LatestOnlyScheduler
from app.models.slice_selection import SliceSelection
from app.models.tree_nodes import ChildInfo, FetchState, NodeKind, TreeNode


def test_slice_selection_defaults_to_last_two_axes_and_middle_planes() -> None:
    selection = SliceSelection((3, 10, 20, 30), ["c", "z", "y", "x"])
    assert selection.displayed == (2, 3)
    assert selection.sliced_axes == (0, 1)
    assert selection.indices[:2] == (1, 5)
    assert selection.selection() == (1, 5, slice(0, 20), slice(0, 30))


def test_slice_selection_clamps_indices_and_emits_changes() -> None:
    selection = SliceSelection((4, 5, 6))
    changes: list[int] = []
    selection.index_changed.connect(changes.append)
    selection.set_index(0, 99)
    assert selection.index(0) == 3
    selection.set_index(0, 3)  # unchanged: no event
    assert changes == [0]


def test_swapping_axes_transposes_the_selection() -> None:
    selection = SliceSelection((4, 5, 6))
    selection.swap_axes()
    assert selection.displayed == (2, 1)
    assert selection.sliced_axes == (0,)
    with pytest.raises(ValueError):
        selection.set_displayed(1, 1)


def test_default_displayed_axes_follow_ome_names() -> None:
    assert default_displayed(("y", "x", "c")) == (0, 1)
    assert default_displayed(("t", "a", "b")) == (1, 2)
    assert default_displayed(("t",)) is None


def test_scheduler_keeps_one_in_flight_plus_the_latest() -> None:
    submitted: list[str] = []

    def submit(item: str) -> int:
        submitted.append(item)
        return len(submitted)

    scheduler: LatestOnlyScheduler[str] = LatestOnlyScheduler(submit)
    for item in "abcdef":
        scheduler.request(item)
    assert submitted == ["a"]
    assert scheduler.complete(1) is False  # superseded: dropped, latest submitted
    assert submitted == ["a", "f"]
    assert scheduler.complete(1) is False  # stale id
    assert scheduler.complete(2) is True
    assert not scheduler.busy


def test_chunk_cache_stays_within_its_byte_budget() -> None:
    cache = ChunkCache(max_bytes=10_000)
    for i in range(50):
        cache.put(("a", i), np.zeros(1000, dtype=np.uint8))
        assert cache.nbytes <= 10_000
    assert len(cache) == 10
    assert cache.get(("a", 0)) is None
    assert cache.get(("a", 49)) is not None
    cache.put(("big",), np.zeros(20_000, dtype=np.uint8))  # larger than the budget
    assert cache.get(("big",)) is None
    cache.set_max_bytes(3000)
    assert cache.nbytes <= 3000


def test_frame_reader_matches_numpy_and_reads_only_intersecting_chunks(
    fakes: SimpleNamespace,
) -> None:
    data = np.arange(6 * 50 * 70, dtype=np.int32).reshape(6, 50, 70)
    array = fakes.Array(data, chunks=(2, 16, 16))
    cache = ChunkCache(64 * 1024 * 1024)
    selection = (3, slice(10, 40), slice(5, 30))
    result = read_region(array, selection, cache, "ns")
    np.testing.assert_array_equal(result, data[selection])
    assert len(array.reads) == 1  # one engine call for all missing chunks
    assert len(cache) == len(chunks_for_region([(3, 4), (10, 40), (5, 30)], (2, 16, 16)))
    again = read_region(array, (2, slice(10, 40), slice(5, 30)), cache, "ns")
    np.testing.assert_array_equal(again, data[2, 10:40, 5:30])
    assert len(array.reads) == 1  # z=2 shares the chunks of z=3 (chunk depth 2)


def test_frame_reader_cache_bound_holds_while_browsing(fakes: SimpleNamespace) -> None:
    data = np.zeros((20, 64, 64), dtype=np.float64)
    array = fakes.Array(data, chunks=(1, 32, 32))
    cache = ChunkCache(max_bytes=3 * 32 * 32 * 8)
    for z in range(20):
        read_region(array, (z, slice(0, 64), slice(0, 64)), cache, "ns")
        assert cache.nbytes <= cache.max_bytes


def test_auto_levels_ignore_nan() -> None:
    data = np.array([[np.nan, 1.0], [2.0, 3.0]], dtype=np.float32)
    lo, hi = auto_levels(data)  # type: ignore[misc]
    assert 1.0 <= lo < hi <= 3.0
    assert auto_levels(np.full((2, 2), np.nan, dtype=np.float32)) is None


def test_multiscale_source_chooses_level_from_zoom(fakes: SimpleNamespace) -> None:
    levels = {
        str(i): fakes.Array(np.zeros((2, 64 >> i, 64 >> i), np.uint8), (1, 16, 16))
        for i in range(3)
    }
    axes = [
        {"name": "c", "type": "channel"},
        {"name": "y", "type": "space"},
        {"name": "x", "type": "space"},
    ]
    datasets = [
        {"path": str(i), "coordinateTransformations": [{"type": "scale", "scale": [1, 2**i, 2**i]}]}
        for i in range(3)
    ]
    multiscales = [{"version": "0.4", "axes": axes, "datasets": datasets}]
    group = fakes.Group(levels, attrs={"multiscales": multiscales})
    source = source_for("img", group)
    assert source.axis_names == ("c", "y", "x")
    assert source.displayed == (1, 2)
    assert source.channel_axis == 0
    assert source.choose_level(1.0, (1, 2)) == 0
    assert source.choose_level(2.5, (1, 2)) == 1
    assert source.choose_level(10.0, (1, 2)) == 2


def test_job_queue_runs_by_priority_and_cancels_queued_jobs() -> None:
    queue = JobQueue(workers=1)
    gate = threading.Event()
    order: list[str] = []
    done = threading.Event()

    def record(name: str):  # type: ignore[no-untyped-def]
        def job(token):  # type: ignore[no-untyped-def]
            order.append(name)
            if name == "last":
                done.set()

        return job

    def on_done(job, result, error):  # type: ignore[no-untyped-def]
        assert error is None

    queue.submit(lambda token: gate.wait(10), on_done, priority=0)
    low = queue.submit(record("low"), on_done, priority=10)
    cancelled = queue.submit(record("cancelled"), on_done, priority=0)
    queue.submit(record("high"), on_done, priority=0)
    queue.submit(record("last"), on_done, priority=20)
    assert cancelled.cancel() is True
    gate.set()
    assert done.wait(10)
    assert order == ["high", "low", "last"]
    assert cancelled.state is JobState.CANCELLED
    assert low.state is JobState.DONE
    queue.shutdown()


def test_tree_node_goes_from_unfetched_to_fetched_with_a_placeholder() -> None:
    root = TreeNode(name="r", path="", kind=NodeKind.GROUP)
    assert root.has_children() and root.can_fetch()
    placeholder = root.begin_fetch(7)
    assert root.state is FetchState.FETCHING and placeholder.kind is NodeKind.PLACEHOLDER
    children = root.finish_fetch([ChildInfo("a", NodeKind.ARRAY, None, (2,), "int8")])
    assert [c.path for c in children] == ["a"] and children[0].row == 0
    empty = TreeNode(name="e", path="e", kind=NodeKind.GROUP)
    empty.begin_fetch(8)
    empty.finish_fetch([])
    assert not empty.has_children()
    broken = TreeNode(name="b", path="b", kind=NodeKind.GROUP)
    broken.begin_fetch(9)
    row = broken.fail_fetch("boom")
    assert broken.state is FetchState.ERROR and row.kind is NodeKind.ERROR


def test_frame_planner_pads_the_visible_region_and_decimates_single_levels(
    fakes: SimpleNamespace,
) -> None:
    from app.models.frame_planner import covers, plan_frame, slice_request
    from app.models.image_source import single_array_source

    source = single_array_source(
        "a", fakes.Array(np.zeros((3, 1000, 2000), np.uint8), (1, 100, 100))
    )
    spec = plan_frame(source, (1, 2), (100.0, 200.0, 50.0, 150.0), 0.5)
    assert spec is not None
    assert (spec.level, spec.step) == (0, 1)
    assert spec.x_range == (75, 225) and spec.y_range == (25, 175)  # a quarter on each side
    assert plan_frame(source, (1, 2), (5000.0, 6000.0, 0.0, 10.0), 1.0) is None  # off-image
    zoomed_out = plan_frame(source, (1, 2), (0.0, 2000.0, 0.0, 1000.0), 4.2)
    assert zoomed_out is not None and zoomed_out.step == 4
    request = slice_request(source, (1, 2), spec, 9, (2, 0, 0))
    assert request.selection == (2, slice(25, 175), slice(75, 225))
    assert covers(request.selection, 0, 1, (1, 2), spec)
    assert not covers(request.selection, 0, 2, (1, 2), spec)
    assert plan_frame(source, (1, 2), None, 99.0) == type(spec)(0, (0, 1000), (0, 2000), 1)
