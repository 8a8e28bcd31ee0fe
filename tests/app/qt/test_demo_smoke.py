"""Every node of the demo hierarchy opens in the viewer and the metadata panel without error."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from app.models.chunk_cache import ChunkCache
from app.models.hierarchy import open_location
from app.qt.metadata_panel import MetadataPanelWidget
from app.qt.slice_viewer import SliceViewerWidget

VIEWABLE = [
    "images/cells",
    "images/cells/2",
    "measurements/temperature",
    "dtypes/bool",
    "dtypes/int8",
    "dtypes/complex64",
    "dtypes/structured",
    "dtypes/strings",
    "experiments/2024/run_002/trace",
]


@pytest.mark.parametrize("path", VIEWABLE)
def test_demo_node_is_drawn(qtbot: Any, bridge: Any, demo_hierarchy: Path, path: str) -> None:
    opened = open_location(str(demo_hierarchy))
    assert opened.consolidated
    viewer = SliceViewerWidget(bridge, ChunkCache(64 * 1024 * 1024))
    qtbot.addWidget(viewer)
    viewer.resize(600, 500)
    viewer.show()
    failures: list[str] = []
    viewer.load_failed.connect(failures.append)
    with qtbot.waitSignal(viewer.frame_drawn, timeout=20_000):
        viewer.show_node(path, opened.root[path])
    assert failures == [] and viewer.error_label.isHidden()
    panel = MetadataPanelWidget(bridge)
    qtbot.addWidget(panel)
    with qtbot.waitSignal(panel.info_shown, timeout=10_000):
        panel.show_node(path, opened.root[path])
    assert panel.row_value("Path") == "/" + path


def test_demo_temperature_shows_nan_for_missing_chunks(
    qtbot: Any, bridge: Any, demo_hierarchy: Path
) -> None:
    opened = open_location(str(demo_hierarchy))
    viewer = SliceViewerWidget(bridge, ChunkCache(64 * 1024 * 1024))
    qtbot.addWidget(viewer)
    with qtbot.waitSignal(viewer.frame_drawn, timeout=20_000) as blocker:
        viewer.show_node("temperature", opened.root["measurements/temperature"])
    mask = blocker.args[0].nan_mask_rgba
    assert mask is not None
    assert mask[0:45, 270:360, 3].all()  # chunk (0, 3) is missing: all fill value NaN
