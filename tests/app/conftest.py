"""Shared set-up for the app tests: offscreen Qt, isolated settings, small fake hierarchies.

The fakes implement the slice of the zarrcore public API the app uses (``members()``,
``attrs``, ``shape``/``dtype``/``chunks``/``fill_value``, ``arr[sel]``, ``chunk_keys()``/
``chunk_info()``) and count the calls tests care about.
"""

from __future__ import annotations

import gc
import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import threading
from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest


class FakeAttrs(dict[str, Any]):
    def put(self, value: dict[str, Any]) -> None:
        self.clear()
        self.update(value)


class FakeArray:
    def __init__(
        self,
        data: np.ndarray,
        chunks: tuple[int, ...],
        attrs: dict[str, Any] | None = None,
        fill_value: Any = 0,
        read_only: bool = False,
    ) -> None:
        self.data = data
        self.shape = data.shape
        self.dtype = data.dtype
        self.chunks = chunks
        self.fill_value = fill_value
        self.attrs = FakeAttrs(attrs or {})
        self.zarr_format = 2
        self.order = "C"
        self.compressor = None
        self.read_only = read_only
        self.reads: list[Any] = []
        #: when set, reads wait on it (to hold a worker mid-flight)
        self.gate: threading.Event | None = None
        self.fail_with: Exception | None = None

    @property
    def ndim(self) -> int:
        return self.data.ndim

    @property
    def nchunks(self) -> int:
        return int(np.prod([-(-s // c) for s, c in zip(self.shape, self.chunks, strict=True)]))

    def __getitem__(self, selection: Any) -> np.ndarray:
        self.reads.append(selection)
        if self.gate is not None:
            assert self.gate.wait(30), "test gate never released"
        if self.fail_with is not None:
            raise self.fail_with
        return np.array(self.data[selection])

    def chunk_keys(self) -> Iterator[tuple[int, ...]]:
        grid = [range(-(-s // c)) for s, c in zip(self.shape, self.chunks, strict=True)]
        yield from np.ndindex(*[len(g) for g in grid])

    def chunk_info(self, coords: tuple[int, ...]) -> tuple[bool, int | None]:
        stored = sum(coords) % 2 == 0
        return stored, (100 if stored else None)


class FakeGroup:
    def __init__(
        self,
        members: dict[str, Any] | None = None,
        attrs: dict[str, Any] | None = None,
        read_only: bool = False,
    ) -> None:
        self._members = dict(members or {})
        self.attrs = FakeAttrs(attrs or {})
        self.zarr_format = 2
        self.read_only = read_only
        self.list_calls = 0
        self.gate: threading.Event | None = None

    def members(self) -> list[tuple[str, Any]]:
        self.list_calls += 1
        if self.gate is not None:
            assert self.gate.wait(30), "test gate never released"
        return sorted(self._members.items())

    def __getitem__(self, path: str) -> Any:
        node: Any = self
        for part in path.split("/"):
            node = node._members[part]
        return node


@pytest.fixture
def fakes() -> SimpleNamespace:
    return SimpleNamespace(Array=FakeArray, Group=FakeGroup, Attrs=FakeAttrs)


@pytest.fixture
def bridge(qtbot: Any) -> Iterator[Any]:
    from app.workers import WorkerBridge

    worker_bridge = WorkerBridge(workers=2)
    yield worker_bridge
    worker_bridge.shutdown()


@pytest.fixture(autouse=True)
def _garbage_collected_on_the_gui_thread() -> Iterator[None]:
    """Collect cyclic garbage only on the GUI thread, as the app does (app/application.py).

    A collection triggered in a worker thread can destroy a leftover Qt wrapper there; its
    QObject destructor then waits for the GIL while the GUI thread, holding the GIL, waits for
    the same Qt mutex (seen: a hang in test_tree_engine under load).
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.collect()
        if was_enabled:
            gc.enable()


@pytest.fixture(autouse=True)
def _isolated_settings(tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ZARRSCOPE_SETTINGS_DIR", str(tmp_path / "settings"))


@pytest.fixture(scope="session")
def demo_hierarchy(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """The demo hierarchy, written once per test session (``ZARRSCOPE_DEMO_DIR`` layout)."""
    from app.demo import DEMO_NAME, write_demo

    folder = tmp_path_factory.mktemp("demo")
    path = folder / DEMO_NAME
    write_demo(path)
    return path
