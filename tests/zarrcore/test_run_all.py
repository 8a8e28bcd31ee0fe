"""``fetch._run_all``: pool threads and the caller share one list of tasks."""

from __future__ import annotations

import threading
from collections.abc import Callable

import numpy as np
import pytest

import zarrcore
from zarrcore import fetch
from zarrcore.engine_threads import engine_work, on_engine_thread, stream_tasks
from zarrcore.store.memory import MemoryStore


def test_every_task_runs_exactly_once() -> None:
    done: list[int] = []
    lock = threading.Lock()

    def make(i: int) -> Callable[[], None]:
        def task() -> None:
            with lock:
                done.append(i)

        return task

    fetch._run_all([make(i) for i in range(200)])
    assert sorted(done) == list(range(200))


def test_tasks_run_as_engine_work_and_the_caller_is_unmarked_afterwards() -> None:
    marks: list[bool] = []
    lock = threading.Lock()

    def task() -> None:
        with lock:
            marks.append(on_engine_thread())

    fetch._run_all([task] * 20)
    assert marks == [True] * 20
    assert not on_engine_thread()


def test_nested_fan_out_runs_inline_on_the_same_thread() -> None:
    pairs: list[tuple[int, int]] = []
    lock = threading.Lock()

    def outer() -> None:
        me = threading.get_ident()

        def inner() -> None:
            with lock:
                pairs.append((me, threading.get_ident()))

        fetch._run_all([inner] * 4)

    fetch._run_all([outer] * 6)
    assert len(pairs) == 24
    assert all(outer_id == inner_id for outer_id, inner_id in pairs)


def test_a_failing_task_raises_after_the_others_ran() -> None:
    ran: list[int] = []
    lock = threading.Lock()

    def ok() -> None:
        with lock:
            ran.append(1)

    def bad() -> None:
        raise RuntimeError("boom")

    tasks = [ok] * 10 + [bad] + [ok] * 10
    with pytest.raises(RuntimeError, match="boom"):
        fetch._run_all(tasks)
    assert not on_engine_thread()
    assert len(ran) >= 10  # the other threads kept draining


def test_engine_work_is_reentrant() -> None:
    assert not on_engine_thread()
    with engine_work():
        with engine_work():
            assert on_engine_thread()
        assert on_engine_thread()
    assert not on_engine_thread()


def test_sharded_read_spread_over_caller_and_pool_matches_numpy() -> None:
    store = MemoryStore()
    group = zarrcore.open_group(store, mode="w", zarr_format=3)
    data = np.arange(4 * 64 * 64, dtype="<u2").reshape(4, 64, 64) * 7
    arr = group.create_array(
        "s", shape=data.shape, chunks=(1, 16, 16), shards=(1, 32, 32), dtype="<u2"
    )
    arr[...] = data
    big = np.zeros((1, 1024, 1024), dtype="<u2")  # enough decoded bytes to use the pool
    wide = group.create_array(
        "w", shape=(2, 1024, 1024), chunks=(1, 256, 256), shards=(1, 512, 512), dtype="<u2"
    )
    big[0] = np.arange(1024 * 1024, dtype="<u2").reshape(1024, 1024)
    wide[1:2] = big
    for i in range(4):
        np.testing.assert_array_equal(arr[i], data[i])
    np.testing.assert_array_equal(arr[:, 5:60:3, 7:50], data[:, 5:60:3, 7:50])
    np.testing.assert_array_equal(wide[1], big[0])
    np.testing.assert_array_equal(wide[1, 100:900, 37:1000], big[0, 100:900, 37:1000])
    assert not wide[0].any()


def test_stream_tasks_runs_every_task_on_the_decode_threads() -> None:
    done: list[tuple[int, bool]] = []
    lock = threading.Lock()

    def make(i: int) -> Callable[[], None]:
        def task() -> None:
            with lock:
                done.append((i, on_engine_thread()))

        return task

    with stream_tasks() as submit:
        for i in range(100):
            submit(make(i))
    assert sorted(i for i, _ in done) == list(range(100))
    assert all(marked for _, marked in done)


def test_stream_tasks_inline_runs_each_task_in_submit() -> None:
    done: list[int] = []
    with stream_tasks(parallel=False) as submit:
        submit(lambda: done.append(1))
        assert done == [1]
    with engine_work(), stream_tasks() as submit:
        submit(lambda: done.append(2))
        assert done == [1, 2]


def test_stream_tasks_reraises_the_first_error_after_every_thread_stopped() -> None:
    ran: list[int] = []
    lock = threading.Lock()
    gate = threading.Event()

    def bad() -> None:
        gate.set()
        raise RuntimeError("boom")

    def ok() -> None:
        with lock:
            ran.append(1)

    with pytest.raises(RuntimeError, match="boom"), stream_tasks() as submit:
        submit(bad)
        assert gate.wait(30)
        for _ in range(50):
            submit(ok)
    # tasks submitted after the failure was recorded are skipped; how many ran before
    # that depends on thread timing, so only the exit state is checked
    assert len(ran) <= 50
    assert not on_engine_thread()


def test_a_busy_pool_does_not_hold_up_a_new_read() -> None:
    """Every decode thread busy with other work (e.g. the app's prefetch): the caller runs
    its own tasks instead of queueing behind that work."""
    from zarrcore.engine_threads import decode_pool

    pool = decode_pool()
    release = threading.Event()
    blockers_started = threading.Barrier(pool._max_workers + 1)

    def blocker() -> None:
        blockers_started.wait(30)
        release.wait(60)

    blocked = [pool.submit(blocker) for _ in range(pool._max_workers)]
    try:
        blockers_started.wait(30)
        done: list[int] = []
        fetch._run_all([lambda i=i: done.append(i) for i in range(8)])
        assert sorted(done) == list(range(8))
        with stream_tasks() as submit:
            for i in range(8, 12):
                submit(lambda i=i: done.append(i))
        assert sorted(done) == list(range(12))
        assert not on_engine_thread()
    finally:
        release.set()
        for future in blocked:
            future.result()
