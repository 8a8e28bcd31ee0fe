"""A chunk-backed 2-D slice viewer for one array or OME-NGFF multiscale image.

pyqtgraph ``ImageItem`` + a separate ``HistogramLUTItem`` (levels come from the frame, never
from the whole array), a NaN overlay in a colour no colormap uses, pixel readout under the
cursor, axis choice and swap, and dims sliders for the other axes. Frames are read by workers:
requests go through a :class:`LatestOnlyScheduler` (one in flight plus the latest), a result
is drawn only if it is the newest asked for, and the neighbouring slices are then prefetched
at low priority. Only the visible region is requested, at the pyramid level the zoom calls for.
Structured and string arrays (and 1-D arrays) are shown as a table instead.
"""

from __future__ import annotations

import itertools
import math
from functools import partial
from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QStackedWidget,
    QTableView,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.models.chunk_cache import ChunkCache
from app.models.frame_jobs import LoadedFrame, is_tabular, load_frame, prefetch
from app.models.frame_planner import (
    FrameSpec,
    covers,
    plan_frame,
    range_of,
    slice_request,
    table_spec,
)
from app.models.image_source import ImageSource, source_for
from app.models.requests import Priority, Response, SliceRequest
from app.models.scheduler import LatestOnlyScheduler
from app.models.slice_selection import SliceSelection
from app.qt.array_table import ArrayTableModel
from app.qt.dims_sliders import DimsSlidersWidget
from app.workers import WorkerBridge

pg.setConfigOptions(imageAxisOrder="row-major")

COLORMAPS = ("grey", "viridis", "magma", "inferno", "plasma", "cividis", "turbo")
#: colormap entry that follows the OME-NGFF omero colour of the channel shown
CHANNEL_COLOUR = "channel colour"
_viewer_ids = itertools.count(1)


def colormap(name: str, channel_rgb: tuple[int, int, int] | None = None) -> pg.ColorMap:
    if name == CHANNEL_COLOUR and channel_rgb is not None:
        return pg.ColorMap(pos=[0.0, 1.0], color=[(0, 0, 0), channel_rgb])
    if name in ("grey", CHANNEL_COLOUR):
        return pg.ColorMap(pos=[0.0, 1.0], color=[(0, 0, 0), (255, 255, 255)])
    return pg.colormap.get(name)


class SliceViewerWidget(QWidget):
    """Shows one image source; :meth:`show_node` picks the source in a worker first."""

    #: a frame was drawn (LoadedFrame)
    frame_drawn = Signal(object)
    #: the slice position or displayed axes changed (dict: source, level, selection)
    slice_changed = Signal(object)
    #: a read failed; the message is also shown in the viewer
    load_failed = Signal(str)

    def __init__(
        self, bridge: WorkerBridge, cache: ChunkCache, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._bridge = bridge
        self._cache = cache
        self._channel = f"viewer-{next(_viewer_ids)}"
        self.source: ImageSource | None = None
        self.selection: SliceSelection | None = None
        self.frame: LoadedFrame | None = None
        self.error: str | None = None
        self._source_request = 0
        self._last_axis: int | None = None
        self._frame_displayed: tuple[int, int] | None = None
        self._scheduler: LatestOnlyScheduler[FrameSpec] = LatestOnlyScheduler(self._submit)
        self._build_ui()

    # -- UI -------------------------------------------------------------------------------
    def _build_ui(self) -> None:
        self.y_axis_box = QComboBox()
        self.x_axis_box = QComboBox()
        self.y_axis_box.setToolTip("Vertical axis")
        self.x_axis_box.setToolTip("Horizontal axis")
        self.y_axis_box.activated.connect(self._on_axis_box)
        self.x_axis_box.activated.connect(self._on_axis_box)
        self.swap_button = QToolButton()
        self.swap_button.setText("⇄ Swap")
        self.swap_button.setToolTip("Swap the displayed axes (transpose)")
        self.swap_button.clicked.connect(self.swap_axes)
        self.colormap_box = QComboBox()
        self.colormap_box.addItems(COLORMAPS)
        self.colormap_box.currentTextChanged.connect(self.set_colormap)
        self.auto_levels = QCheckBox("Auto contrast")
        self.auto_levels.setChecked(True)
        self.auto_levels.toggled.connect(self._on_auto_toggled)
        self.level_label = QLabel("")
        self.busy = QProgressBar()
        self.busy.setRange(0, 0)
        self.busy.setMaximumWidth(80)
        self.busy.setMaximumHeight(12)
        self.busy.setTextVisible(False)
        self.busy.setVisible(False)

        toolbar = QHBoxLayout()
        toolbar.setContentsMargins(4, 2, 4, 2)
        toolbar.addWidget(QLabel("Y"))
        toolbar.addWidget(self.y_axis_box)
        toolbar.addWidget(QLabel("X"))
        toolbar.addWidget(self.x_axis_box)
        toolbar.addWidget(self.swap_button)
        toolbar.addSpacing(12)
        toolbar.addWidget(self.colormap_box)
        toolbar.addWidget(self.auto_levels)
        toolbar.addStretch(1)
        toolbar.addWidget(self.level_label)
        toolbar.addWidget(self.busy)

        self.graphics = pg.GraphicsLayoutWidget()
        self.graphics.setBackground("#202124")
        self.view_box = self.graphics.addViewBox(row=0, col=0, lockAspect=True, invertY=True)
        self.view_box.setBackgroundColor("#2b2b2e")
        self.image_item = pg.ImageItem()
        self.nan_item = pg.ImageItem()
        self.nan_item.setZValue(1)
        self.view_box.addItem(self.image_item)
        self.view_box.addItem(self.nan_item)
        self.histogram = pg.HistogramLUTItem(image=self.image_item)
        # The frame's histogram comes from the worker: no recomputation on the UI thread.
        self.image_item.sigImageChanged.disconnect(self.histogram.imageChanged)
        self.graphics.addItem(self.histogram, row=0, col=1)
        self.histogram.sigLevelChangeFinished.connect(self._on_user_levels)
        self.view_box.sigRangeChanged.connect(self._on_view_range)
        self.graphics.scene().sigMouseMoved.connect(self._on_mouse_moved)
        self.message = QLabel("")
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.message.setWordWrap(True)
        self.table_model = ArrayTableModel(self)
        self.table = QTableView()
        self.table.setModel(self.table_model)
        self.pages = QStackedWidget()
        self.pages.addWidget(self.graphics)
        self.pages.addWidget(self.table)
        self.pages.addWidget(self.message)

        self.error_label = QLabel("")
        self.error_label.setStyleSheet("color: #e06c5f;")
        self.error_label.setWordWrap(True)
        self.error_label.setVisible(False)
        self.cursor_label = QLabel(" ")
        self.cursor_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.dims = DimsSlidersWidget()
        self.dims.is_busy = lambda: self._scheduler.busy

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addLayout(toolbar)
        layout.addWidget(self.pages, 1)
        layout.addWidget(self.error_label)
        layout.addWidget(self.dims)
        layout.addWidget(self.cursor_label)
        self.set_colormap("grey")
        self._show_message("Select an array in the tree to view it.")

    # -- public ---------------------------------------------------------------------------
    @property
    def channel(self) -> str:
        return self._channel

    @property
    def loading(self) -> bool:
        return self._scheduler.busy or self._source_request != 0

    def show_node(self, name: str, node: Any) -> None:
        """Show an array or multiscale group; its levels are opened in a worker."""
        self._reset()
        self._show_message(f"Opening {name}…")
        self._set_busy(True)
        request_id = self._bridge.next_id()
        self._source_request = request_id
        self._bridge.submit(
            request_id,
            lambda token: source_for(name, node),
            self._on_source,
            channel=self._channel + "-source",
        )

    def set_source(self, source: ImageSource) -> None:
        self._reset()
        self.source = source
        base = source.base
        tabular = len(base.shape) < 2 or is_tabular(source.dtype)
        self.selection = SliceSelection(base.shape, source.axis_names, source.displayed)
        if source.channel_axis is not None and source.channel_axis in self.selection.sliced_axes:
            self.selection.set_index(source.channel_axis, 0)  # first channel, not the middle
        self.selection.changed.connect(self._on_selection_changed)
        self.selection.index_changed.connect(self._on_index_changed)
        self.pages.setCurrentWidget(self.table if tabular else self.graphics)
        self._configure_axes()
        self._configure_colormaps()
        if not tabular:
            self._fit_view()
        self.request_frame()

    def swap_axes(self) -> None:
        if self.selection is not None and self.selection.ndim >= 2:
            self.selection.swap_axes()

    def set_colormap(self, name: str) -> None:
        self.histogram.gradient.setColorMap(colormap(name, self._channel_rgb()))
        if self.colormap_box.currentText() != name:
            self.colormap_box.setCurrentText(name)

    def request_frame(self) -> None:
        """Ask for the current slice (coalesced with any request in flight)."""
        spec = self._frame_spec()
        if spec is not None:
            self._set_busy(True)
            self._scheduler.request(spec)

    def slice_state(self) -> dict[str, Any]:
        """What H7's chunk map and others need: source, level array, selection."""
        if self.source is None or self.selection is None:
            return {}
        level = self.frame.level if self.frame is not None else 0
        return {
            "source": self.source,
            "array": self.source.levels[level].array,
            "level": level,
            "selection": self.frame.selection if self.frame is not None else None,
            "indices": self.selection.indices,
            "displayed": self.selection.displayed,
        }

    def shutdown(self) -> None:
        self.dims.stop_playing()
        self._bridge.cancel_channel(self._channel)
        self._bridge.cancel_channel(self._channel + "-prefetch")
        self._scheduler.reset()

    # -- requests -------------------------------------------------------------------------
    def _frame_spec(self) -> FrameSpec | None:
        source, selection = self.source, self.selection
        if source is None or selection is None:
            return None
        if selection.ndim < 2 or self.pages.currentWidget() is self.table:
            return table_spec(source.base.shape)
        visible: tuple[float, float, float, float] | None = None
        pixel = 1.0
        if self.view_box.width() > 10:
            (vx0, vx1), (vy0, vy1) = self.view_box.viewRange()
            visible = (vx0, vx1, vy0, vy1)
            pixel = min(self.view_box.viewPixelSize())
        return plan_frame(source, selection.displayed, visible, pixel)

    def _slice_request(
        self, spec: FrameSpec, request_id: int, indices: tuple[int, ...]
    ) -> SliceRequest:
        assert self.source is not None and self.selection is not None
        displayed = self.selection.displayed if self.selection.ndim >= 2 else None
        return slice_request(self.source, displayed, spec, request_id, indices)

    def _submit(self, spec: FrameSpec) -> int:
        assert self.selection is not None
        request = self._slice_request(spec, self._bridge.next_id(), self.selection.indices)
        cache = self._cache
        self._bridge.cancel_channel(self._channel + "-prefetch")
        return self._bridge.submit(
            request.request_id,
            lambda token: load_frame(request, cache, token),
            self._on_frame,
            channel=self._channel,
            supersede=False,
        )

    def _prefetch_neighbours(self, frame: LoadedFrame) -> None:
        selection, axis = self.selection, self._last_axis
        if selection is None or axis is None or axis in selection.displayed:
            return
        spec = FrameSpec(
            level=frame.level,
            y_range=range_of(frame.selection, selection.displayed[0]),
            x_range=range_of(frame.selection, selection.displayed[1]),
            step=1,
        )
        cache = self._cache
        for delta in (1, -1):
            target = selection.index(axis) + delta
            if not 0 <= target < selection.shape[axis]:
                continue
            indices = list(selection.indices)
            indices[axis] = target
            request = self._slice_request(spec, self._bridge.next_id(), tuple(indices))
            self._bridge.submit(
                request.request_id,
                partial(prefetch, request, cache),
                None,
                channel=self._channel + "-prefetch",
                priority=Priority.PREFETCH,
                supersede=False,
            )

    # -- responses ------------------------------------------------------------------------
    def _on_source(self, response: Response) -> None:
        if response.request_id != self._source_request:
            return
        self._source_request = 0
        if response.error is not None:
            self._set_busy(False)
            self._show_error(f"Cannot open: {response.error}")
            self._show_message("")
            return
        self.set_source(response.result)

    def _on_frame(self, response: Response) -> None:
        if not self._scheduler.complete(response.request_id):
            self._set_busy(self._scheduler.busy)
            return  # superseded by a newer request: dropped
        self._set_busy(False)
        if response.error is not None:
            self._show_error(f"Could not read this slice: {response.error}")
            self.load_failed.emit(str(response.error))
            return
        self._draw(response.result)

    def _draw(self, frame: LoadedFrame) -> None:
        self.frame = frame
        self._frame_displayed = frame.displayed_axes
        self.error_label.setVisible(False)
        source = self.source
        assert source is not None and self.selection is not None
        if self.pages.currentWidget() is self.table:
            self.table_model.set_array(frame.data)
            self.frame_drawn.emit(frame)
            return
        level = source.levels[frame.level]
        y_axis, x_axis = self.selection.displayed
        fy, fx = level.factors[y_axis], level.factors[x_axis]
        height, width = frame.data.shape
        step = frame.step
        rect = QRectF(frame.x_start * fx, frame.y_start * fy, width * step * fx, height * step * fy)
        self.image_item.setImage(frame.data, autoLevels=False)
        if frame.histogram is not None:
            self.histogram.plot.setData(*frame.histogram)
        if self.auto_levels.isChecked() and frame.levels is not None:
            # Setting the histogram region sets the image levels (HistogramLUTItem.regionChanged).
            self.histogram.region.setRegion(frame.levels)
        else:
            self.image_item.setLevels(self.histogram.getLevels())
        self.image_item.setRect(rect)
        if frame.nan_mask_rgba is not None:
            self.nan_item.setImage(frame.nan_mask_rgba, autoLevels=False, levels=(0, 255))
            self.nan_item.setRect(rect)
            self.nan_item.setVisible(True)
        else:
            self.nan_item.setVisible(False)
        levels_text = ""
        if source.is_multiscale:
            levels_text = f"level {frame.level}/{len(source.levels) - 1}"
        if frame.step > 1:
            levels_text += f" (1 in {frame.step} pixels shown: zoom in for all)"
        self.level_label.setText(levels_text.strip())
        self.frame_drawn.emit(frame)
        self._prefetch_neighbours(frame)

    # -- events ---------------------------------------------------------------------------
    def _on_selection_changed(self) -> None:
        self._sync_axis_boxes()
        selection = self.selection
        if (
            selection is not None
            and self.frame is not None
            and self.pages.currentWidget() is self.graphics
            and self._frame_displayed != selection.displayed
        ):
            self.frame = None  # other axes: the old frame's placement no longer applies
            self._fit_view()
        self.request_frame()
        self.slice_changed.emit(self.slice_state())

    def _on_index_changed(self, axis: int) -> None:
        self._last_axis = axis
        source = self.source
        following = self.colormap_box.currentText() == CHANNEL_COLOUR
        if following and source is not None and axis == source.channel_axis:
            self.set_colormap(CHANNEL_COLOUR)

    def _channel_rgb(self) -> tuple[int, int, int] | None:
        source, selection = self.source, self.selection
        if source is None or selection is None or source.channel_axis is None:
            return None
        return source.channel_color(selection.index(source.channel_axis))

    def _configure_colormaps(self) -> None:
        source = self.source
        has_colours = source is not None and any(c is not None for c in source.channel_colors)
        index = self.colormap_box.findText(CHANNEL_COLOUR)
        if has_colours and index < 0:
            self.colormap_box.addItem(CHANNEL_COLOUR)
        elif not has_colours and index >= 0:
            if self.colormap_box.currentIndex() == index:
                self.colormap_box.setCurrentText("grey")
            self.colormap_box.removeItem(index)
        self.set_colormap(self.colormap_box.currentText())

    def _on_view_range(self, *args: Any) -> None:
        if self.frame is None or self.source is None or self.selection is None:
            return
        spec = self._frame_spec()
        if spec is None or self._frame_covers(spec):
            return
        self.request_frame()

    def _frame_covers(self, spec: FrameSpec) -> bool:
        """True if the drawn frame already shows ``spec``'s region at the right level."""
        frame, selection = self.frame, self.selection
        if frame is None or selection is None:
            return False
        return covers(frame.selection, frame.level, frame.step, selection.displayed, spec)

    def _on_axis_box(self) -> None:
        if self.selection is None:
            return
        y_axis, x_axis = self.y_axis_box.currentIndex(), self.x_axis_box.currentIndex()
        if y_axis == x_axis:
            self._sync_axis_boxes()
            return
        self.selection.set_displayed(y_axis, x_axis)
        self.frame = None
        self._fit_view()

    def _on_auto_toggled(self, on: bool) -> None:
        if on and self.frame is not None and self.frame.levels is not None:
            self.histogram.setLevels(*self.frame.levels)

    def _on_user_levels(self) -> None:
        if self.frame is None or self.frame.levels is None:
            return
        if tuple(self.histogram.getLevels()) != tuple(self.frame.levels):
            self.auto_levels.setChecked(False)

    def _on_mouse_moved(self, pos: Any) -> None:
        frame, source, selection = self.frame, self.source, self.selection
        if frame is None or source is None or selection is None or selection.ndim < 2:
            return
        if self.pages.currentWidget() is not self.graphics:
            return
        point = self.view_box.mapSceneToView(pos)
        level = source.levels[frame.level]
        y_axis, x_axis = selection.displayed
        fy, fx = level.factors[y_axis], level.factors[x_axis]
        row = int((point.y() / fy - frame.y_start) // frame.step)
        col = int((point.x() / fx - frame.x_start) // frame.step)
        if not (0 <= row < frame.data.shape[0] and 0 <= col < frame.data.shape[1]):
            self.cursor_label.setText(" ")
            return
        value = frame.data[row, col]
        y_full, x_full = int(point.y()), int(point.x())
        where = f"{selection.axis_names[y_axis]}={y_full}, {selection.axis_names[x_axis]}={x_full}"
        others = selection.describe()
        text = f"{where}{', ' + others if others else ''}   value = {self._format(value)}"
        self.cursor_label.setText(text)

    @staticmethod
    def _format(value: Any) -> str:
        if isinstance(value, float | np.floating):
            return "NaN" if math.isnan(value) else f"{value:.6g}"
        return str(value)

    # -- helpers --------------------------------------------------------------------------
    def _reset(self) -> None:
        self.dims.stop_playing()
        self._bridge.cancel_channel(self._channel)
        self._bridge.cancel_channel(self._channel + "-prefetch")
        self._scheduler.reset()
        if self.selection is not None:
            self.selection.changed.disconnect(self._on_selection_changed)
            self.selection.index_changed.disconnect(self._on_index_changed)
        self.source = None
        self.selection = None
        self.frame = None
        self._last_axis = None
        self.error_label.setVisible(False)
        self.image_item.clear()
        self.nan_item.setVisible(False)
        self.level_label.setText("")
        self.cursor_label.setText(" ")
        self.dims.set_selection(None)
        self._set_busy(False)

    def _configure_axes(self) -> None:
        assert self.selection is not None
        for box in (self.y_axis_box, self.x_axis_box):
            box.blockSignals(True)
            box.clear()
            box.addItems(list(self.selection.axis_names))
            box.blockSignals(False)
        for widget in (self.y_axis_box, self.x_axis_box, self.swap_button):
            widget.setEnabled(self.selection.ndim >= 2)
        self._sync_axis_boxes()
        self.dims.set_selection(self.selection)

    def _sync_axis_boxes(self) -> None:
        if self.selection is None or self.selection.ndim < 2:
            return
        y_axis, x_axis = self.selection.displayed
        self.y_axis_box.setCurrentIndex(y_axis)
        self.x_axis_box.setCurrentIndex(x_axis)

    def _fit_view(self) -> None:
        if self.selection is None or self.selection.ndim < 2:
            return
        y_axis, x_axis = self.selection.displayed
        shape = self.selection.shape
        self.view_box.blockSignals(True)
        self.view_box.setRange(xRange=(0, shape[x_axis]), yRange=(0, shape[y_axis]), padding=0.02)
        self.view_box.blockSignals(False)

    def _set_busy(self, busy: bool) -> None:
        self.busy.setVisible(busy)

    def _show_message(self, text: str) -> None:
        self.message.setText(text)
        self.pages.setCurrentWidget(self.message)

    def _show_error(self, text: str) -> None:
        self.error = text
        self.error_label.setText(text)
        self.error_label.setVisible(True)
