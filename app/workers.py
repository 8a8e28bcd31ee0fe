"""The request/response bridge between the Qt UI thread and the worker threads.

Every read, listing or decode runs here, never on the UI thread::

    request_id = bridge.next_id()
    request = SliceRequest(request_id, array, ...)          # frozen, built on the UI thread
    bridge.submit(request_id, job, on_done, channel="viewer-3")

``job(token)`` runs on a worker thread and returns a result or raises; ``on_done(response)``
then runs on the UI thread with a :class:`~app.models.requests.Response` carrying the id.
Submitting to a ``channel`` cancels that channel's jobs that have not started (superseded
work); a cancelled job never reports. A failure reports its id with the error, so spinners
stop. ``pending`` and the ``idle`` signal give tests something to wait on.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable
from typing import Any

import shiboken6
from PySide6.QtCore import QObject, Signal, SignalInstance

from app.models.job_queue import Job, JobFunction, JobQueue
from app.models.requests import Priority, Response

DoneHandler = Callable[[Response], None]


def _receiver_alive(handler: DoneHandler) -> bool:
    """False when the handler is a method of a Qt object already destroyed (closed widget)."""
    owner = getattr(handler, "__self__", None)
    return not isinstance(owner, QObject) or shiboken6.isValid(owner)


def emit_unless_deleted(source: QObject, signal: SignalInstance, *args: Any) -> bool:
    """Emit ``signal`` of ``source`` from a worker thread; False when ``source`` was deleted.

    The QObject (and the window that owned it) can be deleted while a job runs; emitting then
    raises ``RuntimeError: Signal source has been deleted`` in the worker thread. Nobody is
    left to receive the value, so it is dropped. Any other error still propagates.
    """
    try:
        signal.emit(*args)
    except RuntimeError:
        if shiboken6.isValid(source):
            raise
        return False
    return True


class WorkerBridge(QObject):
    """Owns the worker pool and the request-id counter of the whole application."""

    #: every response, after its handler ran (for tests and the status bar)
    finished = Signal(object)
    #: emitted when no job is queued or running
    idle = Signal()
    _deliver = Signal(object, object)  # (handler, response) -> UI thread

    def __init__(self, workers: int = 4, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._queue = JobQueue(workers=workers)
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self._channels: dict[str, list[Job]] = {}
        self._outstanding = 0
        self._deliver.connect(self._on_deliver)

    def next_id(self) -> int:
        with self._lock:
            return next(self._ids)

    @property
    def pending(self) -> int:
        """Jobs submitted whose response has not been delivered yet (cancelled excluded)."""
        return self._outstanding

    def submit(
        self,
        request_id: int,
        job: JobFunction,
        on_done: DoneHandler | None = None,
        *,
        channel: str | None = None,
        priority: int = Priority.INTERACTIVE,
        supersede: bool = True,
    ) -> int:
        """Queue ``job``; ``on_done`` receives the response on the UI thread. Returns the id."""
        if channel is not None and supersede:
            self.cancel_channel(channel)

        def done(finished_job: Job, result: Any, error: BaseException | None) -> None:
            response = Response(request_id=request_id, channel=channel, result=result, error=error)
            emit_unless_deleted(self, self._deliver, (on_done, finished_job), response)

        self._outstanding += 1
        queued = self._queue.submit(job, done, priority=int(priority))
        if channel is not None:
            jobs = self._channels.setdefault(channel, [])
            jobs.append(queued)
        return request_id

    def cancel_channel(self, channel: str) -> int:
        """Cancel the channel's jobs that have not started; returns how many."""
        cancelled = 0
        for job in self._channels.pop(channel, []):
            if job.cancel():
                cancelled += 1
                self._outstanding -= 1
        if cancelled and self._outstanding == 0:
            self.idle.emit()
        return cancelled

    def shutdown(self) -> None:
        self._queue.shutdown()

    def _on_deliver(self, target: tuple[DoneHandler | None, Job], response: Response) -> None:
        handler, job = target
        self._outstanding -= 1
        if response.channel is not None:
            jobs = self._channels.get(response.channel)
            if jobs is not None and job in jobs:
                jobs.remove(job)
                if not jobs:
                    del self._channels[response.channel]
        try:
            if handler is not None and _receiver_alive(handler):
                handler(response)
        finally:
            self.finished.emit(response)
            if self._outstanding == 0:
                self.idle.emit()
