"""Chunk map panel: one cell per chunk of the current slice, coloured by state or as a heat
map of stored size / compression ratio, with a legend, a storage summary and the details of
the clicked chunk (key, bytes, codec chain, fetch and decode time, "View this chunk").

``ChunkMapWidget.set_array(array, row_axis, col_axis, indices)`` computes the map in the
thread pool (request ids: a newer slice drops older results). ``set_chunk_map`` shows a map
computed elsewhere. Signals: ``chunk_map_ready(ChunkMap)``, ``detail_ready(ChunkDetail)``,
``view_chunk_requested(tuple_of_slices)``.
"""

from __future__ import annotations

import copy
import json
import math
from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QMouseEvent, QPainter, QPaintEvent, QPen, QResizeEvent
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from app.models.chunk_map import (
    ERROR,
    FILL,
    MISSING,
    STORED,
    ChunkCell,
    ChunkDetail,
    ChunkMap,
    check_fill,
    compute_chunk_map,
    format_bytes,
    inspect_chunk,
    levels_of,
)
from app.qt.background import BackgroundCall

STATE_COLORS: dict[str, QColor] = {
    STORED: QColor("#3b82c4"),
    MISSING: QColor("#e4e6eb"),
    FILL: QColor("#f0b429"),
    ERROR: QColor("#d64545"),
}
STATE_TEXT = {
    STORED: "stored",
    MISSING: "missing (reads as fill value)",
    FILL: "stored, all fill value",
    ERROR: "error",
}
MODES = ("State", "Stored size", "Compression ratio")

# viridis, 9 stops (sRGB), for the heat maps
_VIRIDIS = [
    (68, 1, 84), (71, 44, 122), (59, 81, 139), (44, 113, 142), (33, 144, 141),
    (39, 173, 129), (92, 200, 99), (170, 220, 50), (253, 231, 37),
]  # fmt: skip


def heat_color(t: float) -> QColor:
    """Viridis colour for t in [0, 1]."""
    t = min(1.0, max(0.0, t))
    pos = t * (len(_VIRIDIS) - 1)
    i = min(int(pos), len(_VIRIDIS) - 2)
    f = pos - i
    a, b = _VIRIDIS[i], _VIRIDIS[i + 1]
    return QColor(*(round(a[k] + (b[k] - a[k]) * f) for k in range(3)))


def heat_position(value: float, value_range: tuple[float, float]) -> float:
    """Position in [0, 1] on a logarithmic scale (sizes and ratios span decades: one chunk
    of zeros compresses 1000x better than its neighbours)."""
    lo, hi = value_range
    if value <= 0 or lo <= 0 or hi <= lo:
        return 0.5
    return (math.log(value) - math.log(lo)) / (math.log(hi) - math.log(lo))


def cell_value(cell: ChunkCell, mode: str) -> float | None:
    if mode == "Stored size":
        return float(cell.nbytes) if cell.nbytes else None
    if mode == "Compression ratio":
        return cell.ratio
    return None


class ChunkGridView(QWidget):
    """Paints the grid; emits ``cell_clicked(ChunkCell)``."""

    cell_clicked = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.chunk_map: ChunkMap | None = None
        self.mode = "State"
        self.selected: tuple[int, int] | None = None
        self.hovered: tuple[int, int] | None = None
        self.value_range: tuple[float, float] = (0.0, 1.0)
        self.setMouseTracking(True)
        self.setMinimumSize(220, 160)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    def sizeHint(self) -> QSize:
        return QSize(420, 320)

    def set_chunk_map(self, chunk_map: ChunkMap | None) -> None:
        self.chunk_map = chunk_map
        self.selected = None
        self._update_range()
        self.update()

    def set_mode(self, mode: str) -> None:
        self.mode = mode
        self._update_range()
        self.update()

    def _update_range(self) -> None:
        if self.chunk_map is None or self.mode == "State":
            return
        values = [
            v
            for c in self.chunk_map.cells
            if c.state in (STORED, FILL) and (v := cell_value(c, self.mode)) is not None
        ]
        self.value_range = (min(values), max(values)) if values else (0.0, 1.0)

    # -- geometry -------------------------------------------------------------------------
    def _layout(self) -> tuple[float, float, float]:
        """(cell size, x offset, y offset) that fit the grid, square cells, centred."""
        assert self.chunk_map is not None
        rows, cols = self.chunk_map.geometry.n_rows, self.chunk_map.geometry.n_cols
        margin = 6.0
        size = min((self.width() - 2 * margin) / cols, (self.height() - 2 * margin) / rows)
        size = min(max(size, 1.0), 72.0)  # a 2x2 grid stays a grid, not four posters
        x0 = (self.width() - size * cols) / 2
        y0 = (self.height() - size * rows) / 2
        return size, x0, y0

    def cell_rect(self, row: int, col: int) -> QRectF:
        size, x0, y0 = self._layout()
        return QRectF(x0 + col * size, y0 + row * size, size, size)

    def cell_at(self, pos: QPointF) -> tuple[int, int] | None:
        if self.chunk_map is None:
            return None
        size, x0, y0 = self._layout()
        col = int((pos.x() - x0) // size)
        row = int((pos.y() - y0) // size)
        geo = self.chunk_map.geometry
        if 0 <= row < geo.n_rows and 0 <= col < geo.n_cols:
            return row, col
        return None

    def color_of(self, cell: ChunkCell) -> QColor:
        if self.mode == "State" or cell.state in (MISSING, ERROR):
            return STATE_COLORS[cell.state]
        value = cell_value(cell, self.mode)
        if value is None:
            return STATE_COLORS[MISSING]
        return heat_color(heat_position(value, self.value_range))

    # -- painting -------------------------------------------------------------------------
    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), self.palette().base())
        if self.chunk_map is None:
            painter.setPen(self.palette().placeholderText().color())
            painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, "No array selected")
            painter.end()
            return
        size, _, _ = self._layout()
        gap = 1.0 if size >= 6 else 0.0
        border = QColor(255, 255, 255)
        for cell in self.chunk_map.cells:
            rect = self.cell_rect(cell.row, cell.col).adjusted(gap, gap, -gap, -gap)
            painter.fillRect(rect, self.color_of(cell))
            if cell.state == MISSING and size >= 10:
                painter.setPen(QPen(QColor("#c5c9d1"), 1, Qt.PenStyle.DotLine))
                painter.drawLine(rect.topLeft(), rect.bottomRight())
        painter.setPen(QPen(border, 0))
        for pos, colour, width in (
            (self.hovered, QColor(20, 20, 20, 120), 2),
            (self.selected, QColor("#111111"), 3),
        ):
            if pos is not None:
                painter.setPen(QPen(colour, width))
                painter.setBrush(Qt.BrushStyle.NoBrush)
                painter.drawRect(self.cell_rect(*pos).adjusted(1, 1, -1, -1))
        painter.end()

    # -- mouse ----------------------------------------------------------------------------
    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        hovered = self.cell_at(event.position())
        if hovered != self.hovered:
            self.hovered = hovered
            if hovered is not None and self.chunk_map is not None:
                cell = self.chunk_map.cell(*hovered)
                size = format_bytes(cell.nbytes) if cell.nbytes else "—"
                self.setToolTip(f"{cell.label}\n{STATE_TEXT[cell.state]}\n{size}")
            self.update()

    def leaveEvent(self, event: Any) -> None:
        self.hovered = None
        self.update()

    def mousePressEvent(self, event: QMouseEvent) -> None:
        pos = self.cell_at(event.position())
        if pos is None or self.chunk_map is None:
            return
        self.select(*pos)

    def select(self, row: int, col: int) -> None:
        assert self.chunk_map is not None
        self.selected = (row, col)
        self.update()
        self.cell_clicked.emit(self.chunk_map.cell(row, col))


class LegendWidget(QWidget):
    """State swatches, or a colour bar with min/max for the heat maps."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.mode = "State"
        self.value_range = (0.0, 1.0)
        self.setFixedHeight(38)

    def set_mode(self, mode: str, value_range: tuple[float, float]) -> None:
        self.mode, self.value_range = mode, value_range
        self.update()

    def _fmt(self, value: float) -> str:
        return format_bytes(value) if self.mode == "Stored size" else f"{value:.2f}:1"

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        metrics = painter.fontMetrics()
        y = (self.height() - 14) / 2
        x = 4.0
        text_colour = self.palette().text().color()
        if self.mode == "State":
            for state in (STORED, FILL, MISSING, ERROR):
                painter.fillRect(QRectF(x, y, 14, 14), STATE_COLORS[state])
                painter.setPen(QColor("#9aa0a6"))
                painter.drawRect(QRectF(x, y, 14, 14))
                painter.setPen(text_colour)
                label = STATE_TEXT[state].split(" (")[0]
                painter.drawText(QPointF(x + 19, y + 11), label)
                x += 19 + metrics.horizontalAdvance(label) + 16
        else:
            y = 4.0
            lo, hi = self.value_range
            left = self._fmt(lo)
            painter.setPen(text_colour)
            painter.drawText(QPointF(x, y + 11), left)
            x += metrics.horizontalAdvance(left) + 8
            width = max(60.0, self.width() - x - metrics.horizontalAdvance(self._fmt(hi)) - 16)
            steps = 48
            for i in range(steps):
                painter.fillRect(
                    QRectF(x + i * width / steps, y, width / steps + 1, 14),
                    heat_color(i / (steps - 1)),
                )
            painter.setPen(text_colour)
            painter.drawText(QPointF(x + width + 8, y + 11), self._fmt(hi))
            painter.setPen(self.palette().placeholderText().color())
            note = "logarithmic scale"
            painter.drawText(
                QPointF(x + (width - metrics.horizontalAdvance(note)) / 2, y + 30), note
            )
        painter.end()


class ChunkMapWidget(QWidget):
    """The chunk-map panel (toolbar, grid, legend, summary, chunk details)."""

    chunk_map_ready = Signal(object)
    detail_ready = Signal(object)
    view_chunk_requested = Signal(object)  # tuple of slices into the array
    failed = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.array: Any = None
        self.chunk_map: ChunkMap | None = None
        self.current_cell: ChunkCell | None = None
        self._slice: tuple[int, int, tuple[int, ...]] | None = None

        self.mode_combo = QComboBox()
        self.mode_combo.addItems(list(MODES))
        self.mode_combo.currentTextChanged.connect(self._mode_changed)
        self.level_combo = QComboBox()
        self.level_combo.currentTextChanged.connect(self._level_changed)
        self.level_combo.setVisible(False)
        self.fill_button = QPushButton("Find all-fill chunks")
        self.fill_button.setToolTip(
            "Decode the stored chunks of this slice to find those holding only the fill value"
        )
        self.fill_button.clicked.connect(self.check_fill)
        toolbar = QHBoxLayout()
        toolbar.addWidget(QLabel("Colour:"))
        toolbar.addWidget(self.mode_combo)
        toolbar.addWidget(self.level_combo)
        toolbar.addStretch(1)
        toolbar.addWidget(self.fill_button)

        self.grid = ChunkGridView()
        self.grid.cell_clicked.connect(self._cell_clicked)
        self.legend = LegendWidget()
        self.summary_label = QLabel("")
        self.summary_label.setWordWrap(True)
        self.status_label = QLabel("")

        self.detail_labels: dict[str, QLabel] = {}
        details = QFrame()
        details.setFrameShape(QFrame.Shape.StyledPanel)
        details.setMinimumWidth(270)
        form = QFormLayout(details)
        for name in (
            "Key",
            "State",
            "Grid position",
            "Stored",
            "Decoded",
            "Ratio",
            "Codecs",
            "Fetch",
            "Decode",
        ):
            label = QLabel("—")
            label.setWordWrap(True)
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self.detail_labels[name] = label
            form.addRow(f"{name}:", label)
        self.view_button = QPushButton("View this chunk")
        self.view_button.setEnabled(False)
        self.view_button.clicked.connect(self._view_chunk)
        form.addRow(self.view_button)

        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self.grid, 1)
        left_layout.addWidget(self.legend)
        left_layout.addWidget(self.summary_label)
        self.details = details
        self.splitter = splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(left)
        splitter.addWidget(details)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        layout = QVBoxLayout(self)
        layout.addLayout(toolbar)
        layout.addWidget(splitter, 1)
        layout.addWidget(self.status_label)

        self._map_call = BackgroundCall(self)
        self._map_call.finished.connect(self._on_map)
        self._map_call.failed.connect(self._on_failed)
        self._submitted_key: tuple[Any, ...] | None = None
        self._deferred = False
        self._detail_call = BackgroundCall(self)
        self._detail_call.finished.connect(self._on_detail)
        self._detail_call.failed.connect(self._on_failed)

    #: below this width the details go under the grid (a narrow dock)
    NARROW_PX = 640

    def resizeEvent(self, event: QResizeEvent) -> None:
        narrow = event.size().width() < self.NARROW_PX
        orientation = Qt.Orientation.Vertical if narrow else Qt.Orientation.Horizontal
        if self.splitter.orientation() != orientation:
            self.splitter.setOrientation(orientation)
            self.details.setMinimumWidth(0 if narrow else 270)
        super().resizeEvent(event)

    # -- inputs ---------------------------------------------------------------------------
    def set_array(self, array: Any, row_axis: int, col_axis: int, indices: Sequence[int]) -> int:
        """Compute the map of this slice off the UI thread; returns the request id."""
        if array is not self.array:
            self.array = array
            levels = levels_of(array)
            self.level_combo.blockSignals(True)
            self.level_combo.clear()
            self.level_combo.addItems(list(levels))
            self.level_combo.blockSignals(False)
            self.level_combo.setVisible(len(levels) > 1)
        self._slice = (row_axis, col_axis, tuple(int(i) for i in indices))
        return self._compute()

    def _compute(self, *, force: bool = False) -> int:
        """Submit the map of the current slice. At most one computation runs at a time: while
        one is in flight only the latest slice is remembered (a slider drag costs one map in
        flight plus the last); an unchanged slice is not recomputed. Returns the request id,
        0 when deferred or unchanged."""
        assert self._slice is not None
        row_axis, col_axis, indices = self._slice
        array, level = self.array, self.level_combo.currentText() or None
        key = (id(array), self._slice, level)
        if key == self._submitted_key and not force:
            return 0
        if self._map_call.is_busy():
            self._deferred = True
            return 0
        self._deferred = False
        self._submitted_key = key
        self.status_label.setText("Querying chunk sizes…")
        return self._map_call.submit(
            lambda: compute_chunk_map(array, row_axis, col_axis, indices, level=level)
        )

    def _run_deferred(self) -> None:
        if self._deferred and self._slice is not None:
            self._deferred = False
            self._compute()

    def is_busy(self) -> bool:
        return self._map_call.is_busy() or self._detail_call.is_busy()

    def set_chunk_map(self, chunk_map: ChunkMap) -> None:
        self.chunk_map = chunk_map
        self.grid.set_chunk_map(chunk_map)
        self.legend.set_mode(self.grid.mode, self.grid.value_range)
        self.summary_label.setText(chunk_map.summary().text())
        self._clear_details()
        self.chunk_map_ready.emit(chunk_map)

    def check_fill(self) -> int | None:
        """Decode the stored chunks of the slice to find all-fill ones (explicit, costly)."""
        if self.array is None or self.chunk_map is None or self._map_call.is_busy():
            return None
        # the worker marks a copy: the shown map is never mutated while it is painted
        array, chunk_map = self.array, copy.deepcopy(self.chunk_map)
        self.status_label.setText("Decoding stored chunks to look for fill-only ones…")
        return self._map_call.submit(lambda: check_fill(array, chunk_map))

    # -- results --------------------------------------------------------------------------
    def _on_map(self, _request_id: int, chunk_map: object) -> None:
        assert isinstance(chunk_map, ChunkMap)
        self.status_label.setText("")
        self.set_chunk_map(chunk_map)
        self._run_deferred()

    def _on_failed(self, _request_id: int, exc: object) -> None:
        message = f"{type(exc).__name__}: {exc}"
        self.status_label.setText(message)
        self.failed.emit(message)
        self._submitted_key = None  # a retry of the same slice is allowed
        self._run_deferred()

    def _mode_changed(self, mode: str) -> None:
        self.grid.set_mode(mode)
        self.legend.set_mode(mode, self.grid.value_range)

    def _level_changed(self, _level: str) -> None:
        if self._slice is not None and self.array is not None:
            self._compute(force=True)

    # -- details --------------------------------------------------------------------------
    def _clear_details(self) -> None:
        self.current_cell = None
        for label in self.detail_labels.values():
            label.setText("—")
        self.view_button.setEnabled(False)

    def _cell_clicked(self, cell: ChunkCell) -> None:
        self.current_cell = cell
        labels = self.detail_labels
        labels["Key"].setText(cell.label)
        labels["State"].setText(STATE_TEXT[cell.state] + (f": {cell.error}" if cell.error else ""))
        labels["Grid position"].setText(", ".join(map(str, cell.coords)))
        labels["Stored"].setText(
            f"{format_bytes(cell.nbytes)} ({cell.nbytes:,} B)" if cell.nbytes else "—"
        )
        labels["Decoded"].setText(format_bytes(cell.decoded_nbytes))
        labels["Ratio"].setText(f"{cell.ratio:.2f}:1" if cell.ratio else "—")
        chain = self.chunk_map.codec_chain if self.chunk_map else []
        labels["Codecs"].setText(" → ".join(_codec_name(c) for c in chain) or "none")
        labels["Codecs"].setToolTip(json.dumps(chain, indent=1))
        labels["Fetch"].setText("…" if cell.state in (STORED, FILL) else "—")
        labels["Decode"].setText("…" if cell.state in (STORED, FILL) else "—")
        self.view_button.setEnabled(True)
        if self.array is not None and self.chunk_map is not None and cell.state in (STORED, FILL):
            array, chunk_map = self.array, self.chunk_map
            self._detail_call.submit(lambda: inspect_chunk(array, chunk_map, cell))

    def _on_detail(self, _request_id: int, detail: object) -> None:
        assert isinstance(detail, ChunkDetail)
        labels = self.detail_labels
        if detail.error:
            labels["Fetch"].setText("failed")
            labels["Decode"].setText(detail.error)
        else:
            labels["Fetch"].setText(_ms(detail.fetch_s))
            labels["Decode"].setText(
                _ms(detail.decode_s) if detail.decode_s else "with fetch (ranged read)"
            )
        self.detail_ready.emit(detail)

    def _view_chunk(self) -> None:
        if self.current_cell is None or self.chunk_map is None:
            return
        self.view_chunk_requested.emit(self.chunk_map.geometry.region(self.current_cell.coords))


def _codec_name(config: dict[str, Any]) -> str:
    name = str(config.get("id") or config.get("name") or "?")
    conf = config.get("configuration", config)
    for key in ("cname", "level", "clevel"):
        if key in conf:
            return f"{name} ({key}={conf[key]})" if key != "cname" else f"{name}/{conf[key]}"
    return name


def _ms(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    return f"{seconds * 1000:.2f} ms" if seconds < 0.1 else f"{seconds * 1000:.0f} ms"


__all__ = ["ChunkGridView", "ChunkMapWidget", "LegendWidget", "heat_color"]
