"""A small priority thread pool with cancellable jobs (pure Python, no Qt).

Jobs run in priority order (lower first, FIFO within a priority). A job that has not started
can be cancelled: it then never runs and reports nothing. A running job sees its
:class:`CancelToken` set and may stop early by raising ``zarrcore.errors.CancelledError``.
Threads are daemons so a slow remote read never keeps the application from exiting.
"""

from __future__ import annotations

import heapq
import itertools
import threading
from collections.abc import Callable
from enum import Enum
from typing import Any

from zarrcore.errors import CancelledError


class JobState(Enum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    CANCELLED = "cancelled"


class CancelToken:
    """Set when the job's result is no longer wanted."""

    def __init__(self) -> None:
        self._event = threading.Event()

    def cancel(self) -> None:
        self._event.set()

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()

    def raise_if_cancelled(self) -> None:
        if self._event.is_set():
            raise CancelledError("cancelled")


JobFunction = Callable[[CancelToken], Any]
DoneCallback = Callable[["Job", Any, BaseException | None], None]


class Job:
    """One unit of work. ``on_done(job, result, error)`` runs on the worker thread."""

    def __init__(self, fn: JobFunction, on_done: DoneCallback, priority: int) -> None:
        self.fn = fn
        self.on_done = on_done
        self.priority = priority
        self.token = CancelToken()
        self._state = JobState.QUEUED
        self._lock = threading.Lock()

    @property
    def state(self) -> JobState:
        return self._state

    def cancel(self) -> bool:
        """Cancel; True if the job had not started (it will never run)."""
        self.token.cancel()
        with self._lock:
            if self._state is JobState.QUEUED:
                self._state = JobState.CANCELLED
                return True
            return False

    def _start(self) -> bool:
        with self._lock:
            if self._state is not JobState.QUEUED:
                return False
            self._state = JobState.RUNNING
            return True

    def _run(self) -> None:
        result: Any = None
        error: BaseException | None = None
        try:
            result = self.fn(self.token)
        except Exception as exc:  # a failure finishes its request with the error
            error = exc
        with self._lock:
            self._state = JobState.DONE
        self.on_done(self, result, error)


class JobQueue:
    """Priority queue served by ``workers`` daemon threads (started on first submit)."""

    def __init__(self, workers: int = 4, name: str = "zarrscope-worker") -> None:
        self._workers = max(1, workers)
        self._name = name
        self._heap: list[tuple[int, int, Job]] = []
        self._counter = itertools.count()
        self._cv = threading.Condition()
        self._threads: list[threading.Thread] = []
        self._running = 0
        self._shutdown = False

    def submit(self, fn: JobFunction, on_done: DoneCallback, *, priority: int = 0) -> Job:
        job = Job(fn, on_done, priority)
        with self._cv:
            if self._shutdown:
                raise RuntimeError("job queue is shut down")
            heapq.heappush(self._heap, (priority, next(self._counter), job))
            if len(self._threads) < self._workers and self._running + len(self._heap) > len(
                self._threads
            ):
                thread = threading.Thread(
                    target=self._serve, name=f"{self._name}-{len(self._threads)}", daemon=True
                )
                self._threads.append(thread)
                thread.start()
            self._cv.notify()
        return job

    def pending(self) -> int:
        """Jobs queued or running (cancelled queued jobs excluded)."""
        with self._cv:
            queued = sum(1 for _, _, job in self._heap if job.state is JobState.QUEUED)
            return queued + self._running

    def shutdown(self) -> None:
        """Cancel queued jobs and let the threads exit (does not wait for running jobs)."""
        with self._cv:
            self._shutdown = True
            for _, _, job in self._heap:
                job.cancel()
            self._heap.clear()
            self._cv.notify_all()

    def _serve(self) -> None:
        while True:
            with self._cv:
                while not self._heap and not self._shutdown:
                    self._cv.wait()
                if self._shutdown and not self._heap:
                    return
                _, _, job = heapq.heappop(self._heap)
                if not job._start():
                    continue
                self._running += 1
            try:
                job._run()
            finally:
                with self._cv:
                    self._running -= 1
