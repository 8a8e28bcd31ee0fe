"""Main window: opening a location, selection wiring, hook signals, settings, cancel."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PySide6.QtCore import QSettings

import zarrcore
from app.application import build_main_window, cache_budget_bytes, make_settings
from app.qt import main_window as main_window_module
from app.qt.main_window import MainWindow
from zarrcore.errors import CancelledError


def _hierarchy(path: Path) -> str:
    url = str(path / "w.zarr")
    root = zarrcore.open_group(url, mode="w")
    group = root.create_group("g")
    stack = group.create_array("stack", shape=(5, 30, 40), chunks=(1, 16, 16), dtype="<u2")
    stack[...] = np.arange(5 * 30 * 40, dtype=np.uint16).reshape(5, 30, 40)
    root.create_group("other").attrs.update({"k": "v"})
    root.close()
    return url


@pytest.fixture
def window(qtbot: Any) -> Any:
    win = build_main_window()
    qtbot.addWidget(win)
    win.show()
    yield win
    win.bridge.shutdown()


def test_opening_and_selecting_an_array_shows_metadata_and_a_slice(
    qtbot: Any, window: MainWindow, tmp_path: Path
) -> None:
    url = _hierarchy(tmp_path)
    nodes: list[str] = []
    slices: list[dict[str, Any]] = []
    window.current_node_changed.connect(lambda path, node: nodes.append(path))
    window.slice_changed.connect(slices.append)
    with qtbot.waitSignal(window.location_opened, timeout=10_000) as opened:
        window.open_location(url, select="g/stack")
    assert opened.args[0].consolidated is False
    assert "listing on demand" in window.location_label.text()
    qtbot.waitUntil(lambda: "g/stack" in nodes, timeout=10_000)
    viewer = window.current_viewer()
    assert viewer is not None
    qtbot.waitUntil(lambda: viewer.frame is not None, timeout=10_000)
    np.testing.assert_array_equal(viewer.frame.data, np.arange(6000).reshape(5, 30, 40)[2])
    qtbot.waitUntil(lambda: window.metadata_panel.row_value("Shape") == "5 x 30 x 40")
    assert window.current_node()[0] == "g/stack"
    qtbot.waitUntil(lambda: any(s.get("indices", (None,))[0] == 2 for s in slices))
    state = slices[-1]
    assert state["array"].shape == (5, 30, 40) and state["displayed"] == (1, 2)
    assert window.tabs.tabText(window.tabs.currentIndex()) == "stack"
    assert not window.discovering


def test_recent_locations_never_keep_secrets(qtbot: Any, window: MainWindow) -> None:
    failures: list[str] = []
    window.open_failed.connect(failures.append)
    window.open_location("redis://user:hunter2@127.0.0.1:1/0")
    qtbot.waitUntil(lambda: bool(failures), timeout=20_000)
    recent = window.settings.value("recent")  # type: ignore[union-attr]
    assert recent and "hunter2" not in str(recent)
    assert "hunter2" not in failures[0]
    assert "hunter2" not in window.statusBar().currentMessage()
    assert [a.text() for a in window.recent_menu.actions()] == list(recent)


def test_window_layout_and_cache_budget_come_from_settings(qtbot: Any, window: MainWindow) -> None:
    window.resize(700, 520)
    qtbot.waitUntil(lambda: window.size().height() == 520)
    expected = window.size()
    window.close()
    settings = make_settings()
    assert settings.value("window/geometry") is not None
    settings.setValue("cache/max_mb", 3)
    settings.sync()
    again = build_main_window(make_settings())
    qtbot.addWidget(again)
    assert again.size() == expected
    assert again.cache.max_bytes == 3 * 1024 * 1024
    again.set_cache_megabytes(5)
    assert again.cache.max_bytes == 5 * 1024 * 1024
    assert int(make_settings().value("cache/max_mb")) == 5  # type: ignore[call-overload]
    assert "5.0 MiB" in again.cache_label.text()
    assert cache_budget_bytes(QSettings()) > 0
    again.bridge.shutdown()


def test_cancel_stops_waiting_for_a_slow_open(
    qtbot: Any, window: MainWindow, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    gate = threading.Event()
    real_open = main_window_module.open_location

    started = threading.Event()

    def slow_open(url: str, token: Any = None, options: Any = None) -> Any:
        started.set()
        assert gate.wait(30)
        return real_open(url, token, options)

    monkeypatch.setattr(main_window_module, "open_location", slow_open)
    opened: list[Any] = []
    window.location_opened.connect(opened.append)
    window.open_location(_hierarchy(tmp_path))
    qtbot.waitUntil(started.is_set)  # the open is running in a worker, not just queued
    assert window.discovering and window.cancel_button.isVisible()
    window.cancel_button.click()
    assert not window.discovering and not window.cancel_button.isVisible()
    finished: list[Any] = []
    window.bridge.finished.connect(finished.append)
    gate.set()
    qtbot.waitUntil(lambda: window.bridge.pending == 0, timeout=10_000)
    assert opened == []  # the late result was dropped
    # The running open saw its cancel token and stopped; nothing reached the window.
    assert len(finished) == 1 and isinstance(finished[0].error, CancelledError)


def test_add_dock_registers_a_view_menu_toggle(qtbot: Any, window: MainWindow) -> None:
    from PySide6.QtWidgets import QLabel

    dock = window.add_dock(QLabel("chunk map"), "Chunk map")
    assert dock.objectName() == "dock-chunk-map"
    assert "Chunk map" in [a.text() for a in window.view_menu.actions()]


def test_dropping_a_folder_opens_it(qtbot: Any, window: MainWindow, tmp_path: Path) -> None:
    from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
    from PySide6.QtGui import QDropEvent

    url = _hierarchy(tmp_path)
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(url)])
    event = QDropEvent(
        QPointF(10, 10),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    with qtbot.waitSignal(window.location_opened, timeout=10_000) as opened:
        window.dropEvent(event)
    assert opened.args[0].url.rstrip("/").endswith("w.zarr")
