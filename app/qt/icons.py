"""Icons drawn at run time (no image files needed): group, array, pyramid, loading, error."""

from __future__ import annotations

from functools import cache

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QIcon, QPainter, QPen, QPixmap

from app.models.tree_nodes import NodeKind

_SIZE = 32


def _canvas() -> tuple[QPixmap, QPainter]:
    pixmap = QPixmap(_SIZE, _SIZE)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    return pixmap, painter


def _group() -> QPixmap:
    pixmap, p = _canvas()
    p.setPen(QPen(QColor("#8a6d1f"), 1.5))
    p.setBrush(QColor("#e8c15a"))
    p.drawRoundedRect(QRectF(3, 9, 26, 18), 3, 3)
    p.drawRoundedRect(QRectF(3, 6, 11, 6), 2, 2)
    p.end()
    return pixmap


def _array() -> QPixmap:
    pixmap, p = _canvas()
    p.setPen(QPen(QColor("#2d5f8b"), 1.5))
    for i in range(3):
        for j in range(3):
            shade = QColor("#5b9bd5") if (i + j) % 2 else QColor("#a9cbeb")
            p.setBrush(shade)
            p.drawRect(QRectF(4 + 8 * i, 4 + 8 * j, 8, 8))
    p.end()
    return pixmap


def _pyramid() -> QPixmap:
    pixmap, p = _canvas()
    p.setPen(QPen(QColor("#3b6e3b"), 1.5))
    for i, (width, color) in enumerate(((24, "#8fd18f"), (16, "#5fb35f"), (8, "#3b8e3b"))):
        y = 24 - 8 * i
        p.setBrush(QColor(color))
        p.drawRect(QRectF(16 - width / 2, y, width, 6))
    p.end()
    return pixmap


def _loading() -> QPixmap:
    pixmap, p = _canvas()
    p.setPen(QPen(QColor("#888888"), 3))
    p.drawArc(QRectF(6, 6, 20, 20), 90 * 16, 270 * 16)
    p.end()
    return pixmap


def _error() -> QPixmap:
    pixmap, p = _canvas()
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(QColor("#c0392b"))
    p.drawEllipse(QRectF(4, 4, 24, 24))
    p.setPen(QPen(QColor("white"), 3))
    p.drawLine(16, 9, 16, 19)
    p.drawPoint(16, 24)
    p.end()
    return pixmap


@cache
def icon_for(kind: NodeKind) -> QIcon:
    draw = {
        NodeKind.GROUP: _group,
        NodeKind.ARRAY: _array,
        NodeKind.PYRAMID: _pyramid,
        NodeKind.PLACEHOLDER: _loading,
        NodeKind.ERROR: _error,
    }[kind]
    return QIcon(draw())
