"""Metadata panel on the real engine: array details, storage stats, attribute saving."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numcodecs
import numpy as np

import zarrcore
from app.models.hierarchy import open_location
from app.qt.metadata_panel import MetadataPanelWidget


def _hierarchy(path: Path) -> str:
    url = str(path / "h.zarr")
    root = zarrcore.open_group(url, mode="w")
    root.attrs.update({"title": "t"})
    group = root.create_group("g")
    group.attrs.update({"a": 1})
    array = group.create_array(
        "arr",
        shape=(40, 60),
        chunks=(20, 20),
        dtype="<f4",
        fill_value=float("nan"),
        compressor=numcodecs.Zstd(level=1),
    )
    array[0:20, 0:40] = np.ones((20, 40), np.float32)  # 2 of 6 chunks stored
    root.close()
    return url


def _panel(qtbot: Any, bridge: Any) -> MetadataPanelWidget:
    panel = MetadataPanelWidget(bridge)
    qtbot.addWidget(panel)
    return panel


def test_array_details_and_stored_chunks_on_the_engine(
    qtbot: Any, bridge: Any, tmp_path: Path
) -> None:
    opened = open_location(_hierarchy(tmp_path))
    panel = _panel(qtbot, bridge)
    with qtbot.waitSignal(panel.info_shown, timeout=5000):
        panel.show_node("g/arr", opened.root["g/arr"])
    assert panel.row_value("Shape") == "40 x 60"
    assert panel.row_value("Fill value") == "NaN"
    assert "zstd" in (panel.row_value("Compressor") or "")
    qtbot.waitUntil(lambda: panel.row_value("Chunks stored") == "2 of 6", timeout=10_000)
    assert panel.row_value("Compression ratio") not in (None, "n/a")


def test_attribute_save_round_trip_on_disk(qtbot: Any, bridge: Any, tmp_path: Path) -> None:
    url = _hierarchy(tmp_path)
    opened = open_location(url)
    assert not opened.consolidated
    panel = _panel(qtbot, bridge)
    with qtbot.waitSignal(panel.info_shown, timeout=5000):
        panel.show_node("g", opened.root["g"])
    panel.raw.setPlainText('{"a": 2, "note": "edited"}')
    with qtbot.waitSignal(panel.attributes_saved, timeout=5000):
        panel.save_button.click()
    on_disk = json.loads((Path(url) / "g" / ".zattrs").read_text())
    assert on_disk == {"a": 2, "note": "edited"}
    assert dict(zarrcore.open_group(url, mode="r")["g"].attrs) == on_disk


def test_saving_in_a_consolidated_hierarchy_refreshes_the_consolidated_copy(
    qtbot: Any, bridge: Any, tmp_path: Path
) -> None:
    url = _hierarchy(tmp_path)
    zarrcore.consolidate_metadata(url)
    opened = open_location(url)
    assert opened.consolidated
    panel = _panel(qtbot, bridge)
    with qtbot.waitSignal(panel.info_shown, timeout=5000):
        panel.show_node("g", opened.root["g"])
    assert not panel.raw.isReadOnly()
    panel.raw.setPlainText('{"a": 3}')
    with qtbot.waitSignal(panel.attributes_saved, timeout=5000) as blocker:
        panel.save_button.click()
    assert "consolidated metadata refreshed" in panel.validation.text()
    assert dict(blocker.args[1].attrs) == {"a": 3}
    assert dict(zarrcore.open_consolidated(url)["g"].attrs) == {"a": 3}
    report = zarrcore.check_consolidated(url)
    assert report.present and not report.missing and not report.changed
