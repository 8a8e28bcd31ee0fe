"""A read-only table over a 1-D or 2-D numpy array (structured, string or 1-D data)."""

from __future__ import annotations

from typing import Any

import numpy as np
from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt

Index = QModelIndex | QPersistentModelIndex
_NO_INDEX = QModelIndex()


def _text(value: Any) -> str:
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    if isinstance(value, np.void) and value.dtype.fields:
        return "(" + ", ".join(_text(value[name]) for name in value.dtype.names or ()) + ")"
    return str(value)


class ArrayTableModel(QAbstractTableModel):
    """Rows/columns of a 2-D array; a structured 1-D array gets one column per field.

    ``row_offset``/``col_offset`` make the headers show array coordinates.
    """

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._data = np.empty((0, 0))
        self._row_offset = 0
        self._col_offset = 0
        self._fields: tuple[str, ...] = ()

    def set_array(self, data: np.ndarray, row_offset: int = 0, col_offset: int = 0) -> None:
        self.beginResetModel()
        if data.ndim == 0:
            data = data.reshape(1, 1)
        self._fields = ()
        if data.ndim == 1:
            if data.dtype.names:
                self._fields = tuple(data.dtype.names)
            data = data.reshape(-1, 1)
        self._data = data
        self._row_offset = row_offset
        self._col_offset = col_offset
        self.endResetModel()

    def rowCount(self, parent: Index = _NO_INDEX) -> int:
        return 0 if parent.isValid() else int(self._data.shape[0])

    def columnCount(self, parent: Index = _NO_INDEX) -> int:
        if parent.isValid():
            return 0
        return len(self._fields) if self._fields else int(self._data.shape[1])

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or role != Qt.ItemDataRole.DisplayRole:
            return None
        if self._fields:
            return _text(self._data[index.row(), 0][self._fields[index.column()]])
        return _text(self._data[index.row(), index.column()])

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal:
            if self._fields:
                return self._fields[section] if section < len(self._fields) else None
            return str(section + self._col_offset)
        return str(section + self._row_offset)
