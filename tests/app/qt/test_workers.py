"""WorkerBridge: a job that outlives its bridge drops its response (regression for 5fe45c7).

A job that finished after its bridge (a QObject) had been deleted used to raise
``RuntimeError: Signal source has been deleted`` in the worker thread (seen at a main-window
test's teardown). The ordering is forced with events: the job blocks until the bridge is gone.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
import shiboken6
from PySide6.QtCore import QCoreApplication, QEvent

from app.models.job_queue import CancelToken
from app.models.requests import Response
from app.workers import WorkerBridge


def _delete_now(bridge: WorkerBridge) -> None:
    shiboken6.delete(bridge)


def _delete_later(bridge: WorkerBridge) -> None:
    bridge.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


class _GatedJob:
    """A job that signals it started, then blocks until released."""

    def __init__(self) -> None:
        self.started = threading.Event()
        self.release = threading.Event()

    def __call__(self, _token: CancelToken) -> str:
        self.started.set()
        assert self.release.wait(30), "test never released the job"
        return "late result"


@pytest.fixture
def thread_errors(monkeypatch: pytest.MonkeyPatch) -> list[BaseException]:
    """Exceptions that escaped a worker thread during the test."""
    errors: list[BaseException] = []

    def record(args: threading.ExceptHookArgs) -> None:
        errors.append(args.exc_value if args.exc_value is not None else RuntimeError(args))

    monkeypatch.setattr(threading, "excepthook", record)
    return errors


@pytest.mark.gui
@pytest.mark.parametrize("delete", [_delete_now, _delete_later], ids=["delete", "deleteLater"])
def test_a_job_finishing_after_its_bridge_was_deleted_drops_its_response(
    qtbot: Any,
    thread_errors: list[BaseException],
    delete: Callable[[WorkerBridge], None],
) -> None:
    bridge = WorkerBridge(workers=1)
    queue = bridge._queue  # kept: the Python side outlives the deleted QObject
    delivered: list[Response] = []
    job = _GatedJob()
    bridge.submit(bridge.next_id(), job, delivered.append, channel="viewer")
    assert job.started.wait(30)

    delete(bridge)
    assert not shiboken6.isValid(bridge)

    # let the job finish, then let its thread exit and wait for it: its done callback ran
    queue.shutdown()
    job.release.set()
    for thread in queue._threads:
        thread.join(30)
        assert not thread.is_alive()
    QCoreApplication.processEvents()

    assert thread_errors == []
    assert delivered == []


@pytest.mark.gui
def test_a_late_job_still_reports_while_its_bridge_lives(
    qtbot: Any, thread_errors: list[BaseException]
) -> None:
    """The same ordering with a live bridge: the response arrives (the set-up is not vacuous)."""
    bridge = WorkerBridge(workers=1)
    delivered: list[Response] = []
    job = _GatedJob()
    request_id = bridge.submit(bridge.next_id(), job, delivered.append, channel="viewer")
    assert job.started.wait(30)
    job.release.set()
    qtbot.waitUntil(lambda: bridge.pending == 0)
    bridge.shutdown()
    assert [(r.request_id, r.result, r.error) for r in delivered] == [
        (request_id, "late result", None)
    ]
    assert thread_errors == []
