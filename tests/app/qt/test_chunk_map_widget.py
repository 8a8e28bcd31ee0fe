"""Chunk map panel and overlay: computed off-thread, states as colours, click details."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import numpy as np
import pyqtgraph as pg
import pytest
import zarr
from pytestqt.qtbot import QtBot

import zarrcore
from app.models.chunk_map import ERROR, FILL, MISSING, STORED, ChunkDetail, ChunkMap
from app.qt.chunk_map_widget import STATE_COLORS, ChunkMapWidget, heat_color
from app.qt.chunk_overlay import OVERLAY_TINTS, ChunkOverlayItem


@pytest.fixture
def array_path(tmp_path: Path) -> Path:
    path = tmp_path / "a.zarr"
    arr = zarr.open_array(
        str(path), mode="w", shape=(2, 8, 9), chunks=(1, 4, 3), dtype="f4", fill_value=np.nan
    )
    arr[0, 0:4, 0:3] = 1.5
    arr[0, 0:4, 3:6] = np.nan
    arr[0, 4:8, 3:6] = np.arange(12, dtype="f4").reshape(4, 3)
    arr[0, 4:8, 6:9] = 2.0
    (path / "0.1.2").write_bytes(b"corrupt")
    return path


def _widget(qtbot: QtBot, array_path: Path) -> tuple[ChunkMapWidget, ChunkMap]:
    widget = ChunkMapWidget()
    qtbot.addWidget(widget)
    widget.resize(700, 420)
    with qtbot.waitSignal(widget.chunk_map_ready, timeout=30_000) as blocker:
        widget.set_array(zarrcore.open_array(str(array_path)), 1, 2, (0, 0, 0))
    chunk_map = blocker.args[0]
    assert isinstance(chunk_map, ChunkMap)
    return widget, chunk_map


def test_grid_colours_follow_states(qtbot: QtBot, array_path: Path) -> None:
    widget, chunk_map = _widget(qtbot, array_path)
    assert "4 of 6 chunks stored" in widget.summary_label.text()
    with qtbot.waitSignal(widget.chunk_map_ready, timeout=30_000) as checked:
        widget.fill_button.click()
    chunk_map = checked.args[0]
    states = [c.state for c in chunk_map.cells]
    assert states == [STORED, FILL, MISSING, MISSING, STORED, ERROR]
    colours = [widget.grid.color_of(c).name() for c in chunk_map.cells]
    assert colours == [STATE_COLORS[s].name() for s in states]
    assert "1 all-fill" in widget.summary_label.text()


def test_heat_map_modes(qtbot: QtBot, array_path: Path) -> None:
    widget, chunk_map = _widget(qtbot, array_path)
    widget.mode_combo.setCurrentText("Stored size")
    sizes = [c.nbytes for c in chunk_map.cells]
    big = sizes.index(max(s for s in sizes if s))
    assert widget.grid.color_of(chunk_map.cells[big]).name() == heat_color(1.0).name()
    missing = chunk_map.cells[2]
    assert widget.grid.color_of(missing).name() == STATE_COLORS[MISSING].name()
    widget.mode_combo.setCurrentText("Compression ratio")
    assert widget.legend.mode == "Compression ratio"


def test_click_shows_details_and_view_signal(qtbot: QtBot, array_path: Path) -> None:
    widget, _chunk_map = _widget(qtbot, array_path)
    with qtbot.waitSignal(widget.detail_ready, timeout=30_000) as blocker:
        qtbot.mouseClick(
            widget.grid,
            pg.QtCore.Qt.MouseButton.LeftButton,
            pos=widget.grid.cell_rect(0, 0).center().toPoint(),
        )
    detail = blocker.args[0]
    assert isinstance(detail, ChunkDetail)
    assert widget.detail_labels["Key"].text() == "0.0.0"
    assert "blosc" in widget.detail_labels["Codecs"].text()
    assert widget.detail_labels["Decoded"].text() == "48 B"
    assert widget.detail_labels["Fetch"].text().endswith("ms")
    with qtbot.waitSignal(widget.view_chunk_requested) as view:
        widget.view_button.click()
    assert view.args[0] == (slice(0, 1), slice(0, 4), slice(0, 3))


def test_missing_chunk_click_needs_no_fetch(qtbot: QtBot, array_path: Path) -> None:
    widget, _ = _widget(qtbot, array_path)
    widget.grid.select(0, 2)
    assert widget.detail_labels["State"].text().startswith("missing")
    assert widget.detail_labels["Fetch"].text() == "—"
    assert not widget.is_busy()


def test_overlay_draws_cells_in_image_coordinates(qtbot: QtBot, array_path: Path) -> None:
    _panel, chunk_map = _widget(qtbot, array_path)
    overlay = ChunkOverlayItem(chunk_map)
    view = pg.GraphicsLayoutWidget()
    qtbot.addWidget(view)
    box = view.addViewBox()
    box.addItem(overlay)
    assert overlay.boundingRect().width() == 9 and overlay.boundingRect().height() == 8
    rect = overlay.cell_rect(1, 2)
    assert (rect.x(), rect.y(), rect.width(), rect.height()) == (6, 4, 3, 4)
    assert OVERLAY_TINTS[MISSING].alpha() > 0 and OVERLAY_TINTS[STORED].alpha() == 0
    view.grab()  # paints without error


class _GatedArray:
    """A real array whose size queries wait for a gate and are counted."""

    def __init__(self, array: Any) -> None:
        self._array = array
        self.gate = threading.Event()
        self.calls: list[tuple[int, ...]] = []

    def __getattr__(self, name: str) -> Any:
        return getattr(self._array, name)

    def chunk_info(self, coords: tuple[int, ...]) -> Any:
        self.calls.append(coords)
        assert self.gate.wait(30), "test gate never released"
        return self._array.chunk_info(coords)


def test_slider_drag_computes_one_map_in_flight_plus_the_latest(
    qtbot: QtBot, array_path: Path
) -> None:
    widget = ChunkMapWidget()
    qtbot.addWidget(widget)
    gated = _GatedArray(zarrcore.open_array(str(array_path)))
    maps: list[ChunkMap] = []
    widget.chunk_map_ready.connect(maps.append)
    assert widget.set_array(gated, 1, 2, (0, 0, 0)) > 0
    for _ in range(5):  # a drag back and forth while the first map is still computing
        assert widget.set_array(gated, 1, 2, (1, 0, 0)) == 0
        assert widget.set_array(gated, 1, 2, (0, 0, 0)) == 0
    assert widget.set_array(gated, 1, 2, (1, 0, 0)) == 0
    gated.gate.set()
    qtbot.waitUntil(lambda: len(maps) == 2 and not widget.is_busy(), timeout=30_000)
    assert [m.geometry.indices[0] for m in maps] == [0, 1]
    assert len(gated.calls) == 2 * 6  # two maps of six chunks each, nothing else
    assert widget.set_array(gated, 1, 2, (1, 0, 0)) == 0  # unchanged slice: no new map
