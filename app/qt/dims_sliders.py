"""One slider + spin box (+ play button) per non-displayed axis of a :class:`SliceSelection`.

The widget renders the model and writes user input back into it only (napari's QtDims
pattern); it never fetches anything itself. The viewer listens to the model and coalesces
the resulting frame requests.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QGridLayout,
    QLabel,
    QSlider,
    QSpinBox,
    QStyle,
    QToolButton,
    QWidget,
)

from app.models.slice_selection import SliceSelection


class _AxisRow:
    def __init__(self, owner: DimsSlidersWidget, axis: int, row: int) -> None:
        selection = owner.selection
        assert selection is not None
        size = selection.shape[axis]
        self.axis = axis
        self.label = QLabel(selection.axis_names[axis])
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setRange(0, max(size - 1, 0))
        self.slider.setValue(selection.index(axis))
        self.slider.setObjectName(f"slider-{selection.axis_names[axis]}")
        self.spin = QSpinBox()
        self.spin.setRange(0, max(size - 1, 0))
        self.spin.setValue(selection.index(axis))
        self.spin.setSuffix(f" / {size - 1}")
        self.play = QToolButton()
        self.play.setCheckable(True)
        self.play.setToolTip(f"Play through {selection.axis_names[axis]}")
        self.play.setIcon(owner.style().standardIcon(QStyle.StandardPixmap.SP_MediaPlay))
        self.slider.valueChanged.connect(lambda v: owner._set_index(axis, v))
        self.spin.valueChanged.connect(lambda v: owner._set_index(axis, v))
        self.play.toggled.connect(lambda on: owner._toggle_play(axis, on))
        layout = owner.grid
        layout.addWidget(self.label, row, 0)
        layout.addWidget(self.slider, row, 1)
        layout.addWidget(self.spin, row, 2)
        layout.addWidget(self.play, row, 3)

    def widgets(self) -> list[QWidget]:
        return [self.label, self.slider, self.spin, self.play]

    def sync(self, value: int) -> None:
        for widget in (self.slider, self.spin):
            if widget.value() != value:
                widget.blockSignals(True)
                widget.setValue(value)
                widget.blockSignals(False)


class DimsSlidersWidget(QWidget):
    """Sliders for the axes of ``selection`` that are not displayed."""

    #: emitted when the user (not the model) moved an axis
    user_moved = Signal(int)

    def __init__(self, parent: QWidget | None = None, *, play_interval_ms: int = 100) -> None:
        super().__init__(parent)
        self.selection: SliceSelection | None = None
        self.grid = QGridLayout(self)
        self.grid.setContentsMargins(4, 2, 4, 2)
        self.grid.setColumnStretch(1, 1)
        self._rows: dict[int, _AxisRow] = {}
        self._play_axis: int | None = None
        self._timer = QTimer(self)
        self._timer.setInterval(play_interval_ms)
        self._timer.timeout.connect(self._advance)
        #: while this returns True, play waits (each played frame is drawn before the next)
        self.is_busy: Callable[[], bool] = lambda: False

    def set_selection(self, selection: SliceSelection | None) -> None:
        if self.selection is not None:
            self.selection.changed.disconnect(self._on_model_changed)
        self.selection = selection
        if selection is not None:
            selection.changed.connect(self._on_model_changed)
        self._rebuild()

    def row(self, axis: int) -> _AxisRow:
        return self._rows[axis]

    @property
    def axes(self) -> tuple[int, ...]:
        return tuple(self._rows)

    def stop_playing(self) -> None:
        for row in self._rows.values():
            row.play.setChecked(False)
        self._timer.stop()
        self._play_axis = None

    # -- internals ------------------------------------------------------------------------
    def _rebuild(self) -> None:
        self.stop_playing()
        for row in self._rows.values():
            for widget in row.widgets():
                self.grid.removeWidget(widget)
                widget.deleteLater()
        self._rows = {}
        if self.selection is None:
            self.setVisible(False)
            return
        for position, axis in enumerate(self.selection.sliced_axes):
            self._rows[axis] = _AxisRow(self, axis, position)
        self.setVisible(bool(self._rows))

    def _on_model_changed(self) -> None:
        selection = self.selection
        if selection is None:
            return
        if set(self._rows) != set(selection.sliced_axes):
            self._rebuild()
            return
        for axis, row in self._rows.items():
            row.sync(selection.index(axis))

    def _set_index(self, axis: int, value: int) -> None:
        if self.selection is None:
            return
        self.selection.set_index(axis, value)
        self.user_moved.emit(axis)

    def _toggle_play(self, axis: int, on: bool) -> None:
        if on:
            for other, row in self._rows.items():
                if other != axis and row.play.isChecked():
                    row.play.blockSignals(True)
                    row.play.setChecked(False)
                    row.play.blockSignals(False)
            self._play_axis = axis
            self._timer.start()
        elif self._play_axis == axis:
            self._play_axis = None
            self._timer.stop()

    def _advance(self) -> None:
        if self.selection is None or self._play_axis is None:
            return
        if self.is_busy():
            return
        axis = self._play_axis
        size = self.selection.shape[axis]
        self._set_index(axis, (self.selection.index(axis) + 1) % max(size, 1))
