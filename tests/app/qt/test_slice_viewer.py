"""Slice viewer: drawing, axis swap, stale results dropped, dtypes, errors, dims sliders."""

from __future__ import annotations

import threading
from types import SimpleNamespace
from typing import Any

import numpy as np

from app.models.chunk_cache import ChunkCache
from app.models.image_source import single_array_source
from app.qt.slice_viewer import SliceViewerWidget


def _viewer(qtbot: Any, bridge: Any) -> SliceViewerWidget:
    viewer = SliceViewerWidget(bridge, ChunkCache(32 * 1024 * 1024))
    qtbot.addWidget(viewer)
    viewer.resize(600, 500)
    viewer.show()
    return viewer


def _stack(fakes: SimpleNamespace, shape: tuple[int, ...] = (8, 40, 60)) -> Any:
    data = np.arange(int(np.prod(shape)), dtype=np.uint16).reshape(shape)
    return fakes.Array(data, chunks=(1, 16, 16))


def test_first_frame_is_the_middle_plane_of_the_last_two_axes(
    qtbot: Any, bridge: Any, fakes: SimpleNamespace
) -> None:
    array = _stack(fakes)
    viewer = _viewer(qtbot, bridge)
    with qtbot.waitSignal(viewer.frame_drawn, timeout=5000) as blocker:
        viewer.set_source(single_array_source("stack", array))
    frame = blocker.args[0]
    np.testing.assert_array_equal(frame.data, array.data[4])
    assert viewer.dims.axes == (0,)
    assert viewer.image_item.image is not None
    np.testing.assert_allclose(viewer.image_item.getLevels(), frame.levels)  # auto contrast
    assert frame.levels[0] > array.data[4].min() and frame.levels[1] < array.data[4].max()


def test_axis_swap_transposes_the_frame(qtbot: Any, bridge: Any, fakes: SimpleNamespace) -> None:
    array = _stack(fakes)
    viewer = _viewer(qtbot, bridge)
    with qtbot.waitSignal(viewer.frame_drawn, timeout=5000):
        viewer.set_source(single_array_source("stack", array))
    with qtbot.waitSignal(viewer.frame_drawn, timeout=5000) as blocker:
        viewer.swap_button.click()
    np.testing.assert_array_equal(blocker.args[0].data, array.data[4].T)
    assert viewer.x_axis_box.currentIndex() == 1 and viewer.y_axis_box.currentIndex() == 2
    (x0, x1), (y0, y1) = viewer.view_box.viewRange()
    assert y0 <= 0 and y1 >= 60 and x0 <= 0 and x1 >= 40  # refitted: 60 rows down now


def test_choosing_other_displayed_axes_adds_a_slider(
    qtbot: Any, bridge: Any, fakes: SimpleNamespace
) -> None:
    array = _stack(fakes)
    viewer = _viewer(qtbot, bridge)
    with qtbot.waitSignal(viewer.frame_drawn, timeout=5000):
        viewer.set_source(single_array_source("stack", array))
    viewer.y_axis_box.setCurrentIndex(0)
    with qtbot.waitSignal(viewer.frame_drawn, timeout=5000) as blocker:
        viewer.y_axis_box.activated.emit(0)
    assert viewer.dims.axes == (1,)
    np.testing.assert_array_equal(blocker.args[0].data, array.data[:, 20, :])


def test_stale_result_is_dropped_and_only_the_newest_is_drawn(
    qtbot: Any, bridge: Any, fakes: SimpleNamespace
) -> None:
    array = _stack(fakes)
    viewer = _viewer(qtbot, bridge)
    with qtbot.waitSignal(viewer.frame_drawn, timeout=5000):
        viewer.set_source(single_array_source("stack", array))
    drawn: list[Any] = []
    viewer.frame_drawn.connect(drawn.append)
    array.gate = threading.Event()  # hold the next read mid-flight
    slider = viewer.dims.row(0).slider
    slider.setValue(1)  # submitted, blocked in the worker
    qtbot.waitUntil(lambda: len(array.reads) >= 2)
    slider.setValue(2)  # pending
    slider.setValue(6)  # replaces the pending request
    assert viewer.loading and viewer.busy.isVisible()
    array.gate.set()
    qtbot.waitUntil(lambda: bool(drawn) and not viewer.loading)
    assert len(drawn) == 1
    np.testing.assert_array_equal(drawn[0].data, array.data[6])
    assert not viewer.busy.isVisible()


def test_a_failed_read_shows_the_error_not_a_traceback(
    qtbot: Any, bridge: Any, fakes: SimpleNamespace
) -> None:
    array = _stack(fakes)
    array.fail_with = OSError("chunk 4.0.0 is corrupt")
    viewer = _viewer(qtbot, bridge)
    with qtbot.waitSignal(viewer.load_failed, timeout=5000):
        viewer.set_source(single_array_source("stack", array))
    assert "chunk 4.0.0 is corrupt" in viewer.error_label.text()
    assert "Traceback" not in viewer.error_label.text()
    assert not viewer.busy.isVisible()


def test_nan_pixels_get_an_overlay_and_complex_shows_magnitude(
    qtbot: Any, bridge: Any, fakes: SimpleNamespace
) -> None:
    data = np.ones((20, 20), np.float32)
    data[3, 4] = np.nan
    viewer = _viewer(qtbot, bridge)
    with qtbot.waitSignal(viewer.frame_drawn, timeout=5000) as blocker:
        viewer.set_source(single_array_source("f", fakes.Array(data, (10, 10))))
    mask = blocker.args[0].nan_mask_rgba
    assert mask is not None and mask[3, 4, 3] == 255 and mask[0, 0, 3] == 0
    assert viewer.nan_item.isVisible()
    complex_data = (3 + 4j) * np.ones((10, 10), np.complex64)
    with qtbot.waitSignal(viewer.frame_drawn, timeout=5000) as blocker:
        viewer.set_source(single_array_source("c", fakes.Array(complex_data, (5, 5))))
    assert np.allclose(blocker.args[0].data, 5.0)


def test_structured_arrays_are_shown_as_a_table(
    qtbot: Any, bridge: Any, fakes: SimpleNamespace
) -> None:
    record = np.dtype([("x", "<f4"), ("label", "S4")])
    data = np.zeros(5, dtype=record)
    data["label"] = [b"a", b"b", b"c", b"d", b"e"]
    viewer = _viewer(qtbot, bridge)
    with qtbot.waitSignal(viewer.frame_drawn, timeout=5000):
        viewer.set_source(single_array_source("s", fakes.Array(data, (2,))))
    assert viewer.pages.currentWidget() is viewer.table
    model = viewer.table_model
    assert model.rowCount() == 5 and model.columnCount() == 2
    assert model.index(2, 1).data() == "c"


def _pyramid(fakes: SimpleNamespace) -> Any:
    base = np.arange(2 * 256 * 256, dtype=np.uint16).reshape(2, 256, 256)
    levels = {
        str(i): fakes.Array(np.ascontiguousarray(base[:, :: 2**i, :: 2**i]), (1, 32, 32))
        for i in range(3)
    }
    axes = [
        {"name": "c", "type": "channel"},
        {"name": "y", "type": "space"},
        {"name": "x", "type": "space"},
    ]
    datasets = [
        {"path": str(i), "coordinateTransformations": [{"type": "scale", "scale": [1, 2**i, 2**i]}]}
        for i in range(3)
    ]
    multiscales = [{"version": "0.4", "axes": axes, "datasets": datasets}]
    return fakes.Group(levels, attrs={"multiscales": multiscales}), levels


def test_pyramid_level_follows_zoom_and_only_the_visible_region_is_read(
    qtbot: Any, bridge: Any, fakes: SimpleNamespace
) -> None:
    group, levels = _pyramid(fakes)
    viewer = _viewer(qtbot, bridge)
    with qtbot.waitSignal(viewer.frame_drawn, timeout=5000):
        viewer.show_node("img", group)
    assert viewer.selection.index(0) == 0  # the first channel, not the middle one
    with qtbot.waitSignal(viewer.frame_drawn, timeout=5000) as blocker:
        viewer.view_box.setRange(xRange=(0, 2048), yRange=(0, 2048), padding=0)  # zoom out
    assert blocker.args[0].level == 2
    assert "level 2/2" in viewer.level_label.text()
    levels["0"].reads.clear()
    with qtbot.waitSignal(viewer.frame_drawn, timeout=5000) as blocker:
        viewer.view_box.setRange(xRange=(100, 120), yRange=(100, 120), padding=0)
    frame = blocker.args[0]
    assert frame.level == 0
    y_sel, x_sel = frame.selection[1], frame.selection[2]
    assert y_sel.start >= 90 and y_sel.stop <= 130 and x_sel.start >= 90 and x_sel.stop <= 130
    reads = levels["0"].reads
    assert all(r[1].stop - r[1].start <= 64 for r in reads)  # a few chunks, not the level


def test_neighbouring_slices_are_prefetched_into_the_cache(
    qtbot: Any, bridge: Any, fakes: SimpleNamespace
) -> None:
    array = _stack(fakes)
    viewer = _viewer(qtbot, bridge)
    with qtbot.waitSignal(viewer.frame_drawn, timeout=5000):
        viewer.set_source(single_array_source("stack", array))
    with qtbot.waitSignal(viewer.frame_drawn, timeout=5000):
        viewer.dims.row(0).slider.setValue(5)
    qtbot.waitUntil(lambda: bridge.pending == 0)
    read_planes = {r[0].start for r in array.reads}
    assert {4, 5, 6} <= read_planes  # 5 shown, 4 and 6 prefetched
    n_reads = len(array.reads)
    with qtbot.waitSignal(viewer.frame_drawn, timeout=5000) as blocker:
        viewer.dims.row(0).slider.setValue(6)
    np.testing.assert_array_equal(blocker.args[0].data, array.data[6])
    assert not [r for r in array.reads[n_reads:] if r[0].start == 6]  # served from the cache


def test_viewer_cache_stays_within_its_budget(
    qtbot: Any, bridge: Any, fakes: SimpleNamespace
) -> None:
    array = _stack(fakes)
    budget = 3 * 16 * 16 * 2 * 12  # room for three planes of 12 chunks
    viewer = SliceViewerWidget(bridge, ChunkCache(budget))
    qtbot.addWidget(viewer)
    with qtbot.waitSignal(viewer.frame_drawn, timeout=5000):
        viewer.set_source(single_array_source("stack", array))
    for z in range(8):
        viewer.dims.row(0).slider.setValue(z)
        qtbot.waitUntil(lambda: not viewer.loading and bridge.pending == 0)
        assert viewer._cache.nbytes <= budget


def test_cursor_readout_shows_coordinates_and_value(
    qtbot: Any, bridge: Any, fakes: SimpleNamespace
) -> None:
    from PySide6.QtCore import QPointF

    array = _stack(fakes)
    viewer = _viewer(qtbot, bridge)
    with qtbot.waitSignal(viewer.frame_drawn, timeout=5000):
        viewer.set_source(single_array_source("stack", array))
    scene_pos = viewer.view_box.mapViewToScene(QPointF(7.5, 3.5))  # x=7, y=3
    viewer.graphics.scene().sigMouseMoved.emit(scene_pos)
    text = viewer.cursor_label.text()
    assert "dim_1=3, dim_2=7" in text and "dim_0=4" in text
    assert text.endswith(f"value = {array.data[4, 3, 7]}")


def test_channel_colour_colormap_follows_the_omero_colour_of_the_channel(
    qtbot: Any, bridge: Any, fakes: SimpleNamespace
) -> None:
    group, _ = _pyramid(fakes)
    group.attrs["omero"] = {
        "channels": [
            {"color": "0000FF", "window": {"start": 0, "end": 100, "min": 0, "max": 255}},
            {"color": "00FF00", "window": {"start": 0, "end": 100, "min": 0, "max": 255}},
        ]
    }
    viewer = _viewer(qtbot, bridge)
    with qtbot.waitSignal(viewer.frame_drawn, timeout=5000):
        viewer.show_node("img", group)
    assert viewer.source.channel_colors == ((0, 0, 255), (0, 255, 0))
    viewer.colormap_box.setCurrentText("channel colour")
    top = viewer.histogram.gradient.colorMap().map(1.0, mode="byte")
    assert tuple(top[:3]) == (0, 0, 255)
    with qtbot.waitSignal(viewer.frame_drawn, timeout=5000):
        viewer.dims.row(0).slider.setValue(1)
    top = viewer.histogram.gradient.colorMap().map(1.0, mode="byte")
    assert tuple(top[:3]) == (0, 255, 0)


def test_play_steps_through_an_axis_and_waits_for_each_frame(
    qtbot: Any, bridge: Any, fakes: SimpleNamespace
) -> None:
    array = _stack(fakes)
    viewer = _viewer(qtbot, bridge)
    with qtbot.waitSignal(viewer.frame_drawn, timeout=5000):
        viewer.set_source(single_array_source("stack", array))
    drawn: list[int] = []
    viewer.frame_drawn.connect(lambda frame: drawn.append(int(frame.selection[0])))
    viewer.dims.row(0).play.click()
    qtbot.waitUntil(lambda: len(drawn) >= 3, timeout=10_000)
    viewer.dims.row(0).play.click()
    assert drawn[:3] == [5, 6, 7]  # every played plane was drawn, in order
    assert not viewer.dims._timer.isActive()
