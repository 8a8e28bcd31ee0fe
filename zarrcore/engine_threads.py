"""The engine's decode threads, and which threads are already doing engine work.

**The decode pool** (:func:`decode_pool`, :func:`run_all`) has one thread per CPU the
process may use, each pinned to its own CPU on Linux. Decoding a slice is many short
GIL-free calls (a blosc frame, a copy) with a little Python between them; measured on a
2-core VM, after the process had been idle a few tens of milliseconds the kernel woke
both decode threads on the same core and left them there for the whole read: a sharded
2048x2048 slice then took as long as on one thread (12 ms vs 6.4 ms pinned; tensorstore
9.8 ms in the same conditions, bench/RESULTS.md). Pinning keeps the threads on different
cores by construction. The caller only waits: an unpinned caller working alongside would
share a core with one of them. ``ZARRSCOPE_PIN_THREADS=0`` turns pinning off.

**Nesting.** The engine's pools name their threads ``zarrcore-decode-*`` /
``zarrcore-region-*``; a thread running engine work can also mark itself with
:func:`engine_work`. Work started from such a thread (a shard's inner chunks, a chunk's
blosc blocks) runs inline instead of fanning out again: the read is already spread over
every core, and a pool thread waiting on its own pool could deadlock.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import queue
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

DECODE_PREFIX = "zarrcore-decode"
ENGINE_THREAD_PREFIXES = (DECODE_PREFIX, "zarrcore-region")
#: set to 0 to leave the decode threads unpinned
PIN_ENV = "ZARRSCOPE_PIN_THREADS"

_state = threading.local()
_pool: ThreadPoolExecutor | None = None
_pool_lock = threading.Lock()


def on_engine_thread(prefixes: tuple[str, ...] = ENGINE_THREAD_PREFIXES) -> bool:
    """True on an engine pool thread (names starting with ``prefixes``) or on a thread
    inside :func:`engine_work`."""
    if getattr(_state, "depth", 0) > 0:
        return True
    return threading.current_thread().name.startswith(prefixes)


@contextmanager
def engine_work() -> Iterator[None]:
    """Mark the current thread as doing engine work (re-entrant)."""
    _state.depth = getattr(_state, "depth", 0) + 1
    try:
        yield
    finally:
        _state.depth -= 1


def allowed_cpus() -> list[int]:
    """The CPUs this process may run on (its affinity mask where the OS has one)."""
    getter = getattr(os, "sched_getaffinity", None)
    if getter is not None:
        try:
            cpus = sorted(getter(0))
        except OSError:
            cpus = []
        if cpus:
            return cpus
    return list(range(os.cpu_count() or 1))


class _Pinner:
    """Thread initializer: pins each new pool thread to the next CPU, round robin."""

    def __init__(self, cpus: Sequence[int]) -> None:
        self._cpus = list(cpus)
        self._next = itertools.count()

    def __call__(self) -> None:
        cpu = self._cpus[next(self._next) % len(self._cpus)]
        with contextlib.suppress(OSError):  # a sandbox may refuse: unpinned still works
            os.sched_setaffinity(0, {cpu})  # 0: the calling thread


def pinning_enabled(cpus: Sequence[int]) -> bool:
    return (
        hasattr(os, "sched_setaffinity")
        and len(cpus) > 1
        and os.environ.get(PIN_ENV, "1").strip() != "0"
    )


def decode_pool() -> ThreadPoolExecutor:
    """The shared decode pool: one thread per allowed CPU (pinned, see the module doc)."""
    global _pool
    with _pool_lock:
        if _pool is None:
            cpus = allowed_cpus()
            _pool = ThreadPoolExecutor(
                max_workers=len(cpus),
                thread_name_prefix=DECODE_PREFIX,
                initializer=_Pinner(cpus) if pinning_enabled(cpus) else None,
            )
        return _pool


def run_all(tasks: Sequence[Callable[[], None]]) -> None:
    """Run ``tasks`` on the decode pool and wait; re-raise the first error once every
    task has run. Inline for a single task and on a thread already doing engine work."""
    if len(tasks) <= 1 or on_engine_thread():
        for task in tasks:
            task()
        return
    with stream_tasks(expected=len(tasks)) as submit:
        for task in tasks:
            submit(task)


#: how long a caller waits for a decode thread to take up its tasks before it runs them
#: itself (every thread busy with other reads, e.g. the app's prefetch)
PICKUP_WAIT_S = 0.002


class TaskStream:
    """Tasks handed to the decode threads while the caller is still producing them.

    The threads are started first, so their wake-up overlaps the caller's planning, and
    each task starts as soon as it exists. If no decode thread has taken up the stream
    when the caller is done producing (all of them busy with other reads), the caller runs
    the queued tasks itself instead of waiting behind that other work. Use
    :func:`stream_tasks`.
    """

    def __init__(self, pool: ThreadPoolExecutor, workers: int) -> None:
        self._queue: queue.SimpleQueue[Callable[[], None] | None] = queue.SimpleQueue()
        self._error: BaseException | None = None
        self._error_lock = threading.Lock()
        self._started = threading.Event()
        self._futures = [pool.submit(self._drain) for _ in range(workers)]

    def _run(self, task: Callable[[], None]) -> None:
        try:
            task()
        except BaseException as exc:  # re-raised by the caller in finish()
            with self._error_lock:
                if self._error is None:
                    self._error = exc

    def _drain(self) -> None:
        self._started.set()
        while True:
            task = self._queue.get()
            if task is None:
                return
            self._run(task)

    def put(self, task: Callable[[], None]) -> None:
        self._queue.put(task)

    def finish(self) -> None:
        """Wait until every task has run; re-raise the first error."""
        if not self._started.wait(PICKUP_WAIT_S):
            with engine_work():
                while True:
                    try:
                        task = self._queue.get_nowait()
                    except queue.Empty:
                        break
                    if task is not None:
                        self._run(task)
        waiting = [future for future in self._futures if not future.cancel()]
        for _ in waiting:
            self._queue.put(None)
        for future in waiting:
            future.result()
        if self._error is not None:
            raise self._error


@contextmanager
def stream_tasks(
    parallel: bool = True, *, expected: int | None = None
) -> Iterator[Callable[[Callable[[], None]], None]]:
    """``with stream_tasks() as submit: submit(task)...``: tasks run on the decode pool as
    they are submitted; the block's exit waits for all and re-raises the first error.
    ``expected`` (how many tasks will come) bounds how many decode threads are woken.
    Inline (each task runs inside ``submit``) when ``parallel`` is False or on a thread
    already doing engine work."""
    if not parallel or on_engine_thread():

        def run(task: Callable[[], None]) -> None:
            task()

        yield run
        return
    pool = decode_pool()
    workers = pool._max_workers if expected is None else max(1, min(expected, pool._max_workers))
    stream = TaskStream(pool, workers)
    try:
        yield stream.put
    finally:
        stream.finish()
