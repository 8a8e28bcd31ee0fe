"""Chunk boundaries and states drawn over the slice viewer's image (pyqtgraph item).

Add it to the viewer's ViewBox; it lives in image pixel coordinates (row-major images: x is
the column axis, y the row axis), so it follows zoom and pan::

    overlay = ChunkOverlayItem()
    view_box.addItem(overlay)
    overlay.set_chunk_map(chunk_map)   # from ChunkMapWidget.chunk_map_ready
    overlay.setVisible(toggle.isChecked())
"""

from __future__ import annotations

from typing import Any

import pyqtgraph as pg
from PySide6.QtCore import QRectF
from PySide6.QtGui import QColor, QPainter, QPen

from app.models.chunk_map import ERROR, FILL, MISSING, STORED, ChunkMap

#: translucent tints per state (stored chunks are not tinted: the data shows)
OVERLAY_TINTS: dict[str, QColor] = {
    STORED: QColor(0, 0, 0, 0),
    MISSING: QColor(160, 160, 170, 70),
    FILL: QColor(240, 180, 41, 70),
    ERROR: QColor(214, 69, 69, 110),
}


class ChunkOverlayItem(pg.GraphicsObject):  # type: ignore[misc]
    """Outlines every chunk of the slice and tints missing / fill / error chunks."""

    def __init__(self, chunk_map: ChunkMap | None = None) -> None:
        super().__init__()
        self.chunk_map: ChunkMap | None = None
        self.pen = QPen(QColor(255, 255, 255, 150))
        self.pen.setCosmetic(True)  # 1 screen pixel whatever the zoom
        self.pen.setWidth(1)
        self.setZValue(10)
        if chunk_map is not None:
            self.set_chunk_map(chunk_map)

    def set_chunk_map(self, chunk_map: ChunkMap | None) -> None:
        self.prepareGeometryChange()
        self.chunk_map = chunk_map
        self.update()

    def boundingRect(self) -> QRectF:
        if self.chunk_map is None:
            return QRectF()
        geo = self.chunk_map.geometry
        height = geo.shape[geo.row_axis]
        width = geo.shape[geo.col_axis] if len(geo.shape) > 1 else 1
        return QRectF(0, 0, width, height)

    def cell_rect(self, row: int, col: int) -> QRectF:
        assert self.chunk_map is not None
        r0, r1, c0, c1 = self.chunk_map.geometry.cell_extent(row, col)
        return QRectF(c0, r0, c1 - c0, r1 - r0)

    def paint(self, painter: QPainter, *args: Any) -> None:
        if self.chunk_map is None:
            return
        painter.setPen(self.pen)
        for cell in self.chunk_map.cells:
            rect = self.cell_rect(cell.row, cell.col)
            tint = OVERLAY_TINTS[cell.state]
            if tint.alpha():
                painter.fillRect(rect, tint)
            painter.drawRect(rect)
