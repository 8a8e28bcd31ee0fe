"""Off-thread calls whose owner was deleted meanwhile drop their outcome (no worker error).

BackgroundCall (dialogs, chunk map, stale check) and the consolidate dialog's progress relay
emitted from a pool thread; after the owning widget was deleted that raised ``RuntimeError:
Signal source has been deleted`` there (PySide reports it through ``sys.excepthook``), like
WorkerBridge before 5fe45c7. The ordering is forced with events, the pool is waited for.
"""

from __future__ import annotations

import sys
import threading
from pathlib import Path
from types import TracebackType
from typing import Any

import pytest
import shiboken6
import zarr
from PySide6.QtCore import QCoreApplication, QThreadPool

from app.qt.background import BackgroundCall
from app.qt.dialogs.consolidate_dialog import ConsolidateDialog
from zarrcore.store.base import Store
from zarrcore.store.local import DirectoryStore
from zarrcore.store.wrappers import _Wrapper


@pytest.fixture
def uncaught(monkeypatch: pytest.MonkeyPatch) -> list[BaseException]:
    """Exceptions that escaped a Python override run by a Qt pool thread during the test."""
    errors: list[BaseException] = []

    def record(_type: type[BaseException], value: BaseException, _tb: TracebackType | None) -> None:
        errors.append(value)

    monkeypatch.setattr(sys, "excepthook", record)
    return errors


@pytest.fixture
def pool() -> Any:
    thread_pool = QThreadPool()
    yield thread_pool
    thread_pool.waitForDone(30_000)


@pytest.mark.gui
@pytest.mark.parametrize("outcome", ["finished", "failed"])
def test_a_call_finishing_after_its_owner_was_deleted_drops_its_outcome(
    qtbot: Any, uncaught: list[BaseException], pool: QThreadPool, outcome: str
) -> None:
    started, release = threading.Event(), threading.Event()

    def call() -> str:
        started.set()
        assert release.wait(30), "test never released the call"
        if outcome == "failed":
            raise OSError("late failure")
        return "late result"

    background = BackgroundCall(pool=pool)
    seen: list[object] = []
    background.finished.connect(lambda _id, result: seen.append(result))
    background.failed.connect(lambda _id, exc: seen.append(exc))
    background.submit(call)
    assert started.wait(30)

    shiboken6.delete(background)
    release.set()
    assert pool.waitForDone(30_000)
    QCoreApplication.processEvents()

    assert uncaught == []
    assert seen == []


@pytest.mark.gui
def test_a_live_call_still_reports(qtbot: Any, pool: QThreadPool) -> None:
    background = BackgroundCall(pool=pool)
    with qtbot.waitSignal(background.finished, timeout=30_000) as blocker:
        request_id = background.submit(lambda: "result")
    assert blocker.args == [request_id, "result"]


class _GatedStore(_Wrapper):
    """Blocks listing until released; counts the metadata reads after the listing."""

    def __init__(self, inner: Store) -> None:
        super().__init__(inner)
        self.entered = threading.Event()
        self.release = threading.Event()
        self.listed = False
        self.reads_after_listing = 0

    def list_prefix(self, prefix: str):  # type: ignore[no-untyped-def]
        self.entered.set()
        assert self.release.wait(timeout=30), "test never released the listing"
        self.listed = True
        return self.inner.list_prefix(prefix)

    def get_many(self, keys):  # type: ignore[no-untyped-def]
        self.reads_after_listing += int(self.listed)
        return self.inner.get_many(keys)


@pytest.mark.gui
def test_a_scan_whose_consolidate_dialog_was_deleted_stops_quietly(
    qtbot: Any, uncaught: list[BaseException], tmp_path: Path
) -> None:
    path = tmp_path / "h.zarr"
    zarr.open_group(str(path), mode="w").create_group("g").create_dataset(
        "a", shape=(4,), chunks=(2,), dtype="u1"
    )
    store = _GatedStore(DirectoryStore(path))
    dialog = ConsolidateDialog(store)  # the scan starts here, on the global pool
    assert store.entered.wait(30)

    shiboken6.delete(dialog)
    store.release.set()
    assert QThreadPool.globalInstance().waitForDone(30_000)
    QCoreApplication.processEvents()

    assert uncaught == []
    assert store.listed
    assert store.reads_after_listing == 0  # its next progress report ended the abandoned scan
