"""Run one blocking call on Qt's global thread pool and deliver its result on the UI thread.

A tiny helper for dialogs (test connection, consolidation scan, chunk map) that need a single
off-thread call with a request id; the app's main data path uses app/workers.py.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

from app.workers import emit_unless_deleted

_ids = itertools.count(1)


class _Relay(QObject):
    finished = Signal(int, object)  # request id, result
    failed = Signal(int, object)  # request id, exception


class _Job(QRunnable):
    def __init__(self, request_id: int, call: Callable[[], Any], relay: _Relay) -> None:
        super().__init__()
        self.request_id = request_id
        self.call = call
        self.relay = relay

    def run(self) -> None:
        # the relay is deleted with its BackgroundCall (a closed dialog): the outcome is dropped
        relay = self.relay
        try:
            result = self.call()
        except Exception as exc:  # forwarded to the UI thread, never swallowed
            emit_unless_deleted(relay, relay.failed, self.request_id, exc)
            return
        emit_unless_deleted(relay, relay.finished, self.request_id, result)


class BackgroundCall(QObject):
    """Submit calls; only the newest request's outcome is delivered (older ones dropped).

    ``finished(request_id, result)`` / ``failed(request_id, exception)`` are emitted on the
    thread this object lives in (the UI thread).
    """

    finished = Signal(int, object)
    failed = Signal(int, object)

    def __init__(self, parent: QObject | None = None, *, pool: QThreadPool | None = None) -> None:
        super().__init__(parent)
        self._pool = pool or QThreadPool.globalInstance()
        self._relay = _Relay(self)
        self._relay.finished.connect(self._on_finished)
        self._relay.failed.connect(self._on_failed)
        self.latest_id = 0
        self.pending = 0

    def submit(self, call: Callable[[], Any]) -> int:
        request_id = next(_ids)
        self.latest_id = request_id
        self.pending += 1
        self._pool.start(_Job(request_id, call, self._relay))
        return request_id

    def is_busy(self) -> bool:
        return self.pending > 0

    def _on_finished(self, request_id: int, result: object) -> None:
        self.pending -= 1
        if request_id == self.latest_id:
            self.finished.emit(request_id, result)

    def _on_failed(self, request_id: int, exc: object) -> None:
        self.pending -= 1
        if request_id == self.latest_id:
            self.failed.emit(request_id, exc)
