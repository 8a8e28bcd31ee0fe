"""Metadata panel: array and group content, attribute editing with validation and Save."""

from __future__ import annotations

import json
from types import SimpleNamespace
from typing import Any

import numpy as np

from app.qt.metadata_panel import MetadataPanelWidget


def test_array_properties_and_storage_stats_are_shown(
    qtbot: Any, bridge: Any, fakes: SimpleNamespace
) -> None:
    panel = MetadataPanelWidget(bridge)
    qtbot.addWidget(panel)
    array = fakes.Array(np.zeros((10, 20), np.float32), (5, 10), attrs={"units": "K"})
    with qtbot.waitSignal(panel.info_shown, timeout=5000):
        panel.show_node("grp/temp", array)
    assert panel.row_value("Shape") == "10 x 20"
    assert panel.row_value("Chunks") == "5 x 10"
    assert panel.row_value("Data type").startswith("float32")
    assert panel.row_value("Fill value") == "0"
    assert panel.row_value("Order") == "C"
    assert panel.row_value("Zarr format") == "2"
    assert panel.row_value("Compressor") == "none"
    qtbot.waitUntil(lambda: panel.row_value("Chunks stored") == "2 of 4")
    assert panel.row_value("Stored bytes") == "200 B"
    assert panel.attributes.topLevelItem(0).text(0) == "units"
    assert json.loads(panel.raw.toPlainText()) == {"units": "K"}


def test_group_members_and_counts_are_shown(
    qtbot: Any, bridge: Any, fakes: SimpleNamespace
) -> None:
    group = fakes.Group(
        {"a": fakes.Group(), "b": fakes.Array(np.zeros(3), (3,)), "c": fakes.Group()},
        attrs={"nested": {"k": [1, 2]}},
    )
    panel = MetadataPanelWidget(bridge)
    qtbot.addWidget(panel)
    with qtbot.waitSignal(panel.info_shown, timeout=5000):
        panel.show_node("", group)
    assert panel.row_value("Members") == "3 (2 groups, 1 arrays)"
    nested = panel.attributes.topLevelItem(0)
    assert nested.text(0) == "nested" and nested.child(0).text(0) == "k"


def test_attribute_edit_and_save_round_trip(
    qtbot: Any, bridge: Any, fakes: SimpleNamespace
) -> None:
    group = fakes.Group(attrs={"a": 1})
    panel = MetadataPanelWidget(bridge)
    qtbot.addWidget(panel)
    with qtbot.waitSignal(panel.info_shown, timeout=5000):
        panel.show_node("g", group)
    assert not panel.raw.isReadOnly() and not panel.save_button.isEnabled()
    panel.raw.setPlainText('{"a": 1, "b": ')  # invalid JSON: Save stays disabled
    assert not panel.save_button.isEnabled()
    assert panel.validation.text().startswith("Invalid")
    panel.raw.setPlainText("[1, 2]")  # valid JSON but not an object
    assert not panel.save_button.isEnabled()
    panel.raw.setPlainText('{"a": 2, "b": [true, null]}')
    assert panel.save_button.isEnabled()
    assert dict(group.attrs) == {"a": 1}  # nothing written before Save
    with qtbot.waitSignal(panel.attributes_saved, timeout=5000):
        panel.save_button.click()
    assert dict(group.attrs) == {"a": 2, "b": [True, None]}
    assert panel.validation.text() == "Saved."
    assert not panel.save_button.isEnabled()


def test_read_only_nodes_cannot_be_edited(qtbot: Any, bridge: Any, fakes: SimpleNamespace) -> None:
    group = fakes.Group(attrs={"a": 1}, read_only=True)
    panel = MetadataPanelWidget(bridge)
    qtbot.addWidget(panel)
    with qtbot.waitSignal(panel.info_shown, timeout=5000):
        panel.show_node("g", group)
    assert panel.raw.isReadOnly()
    assert panel.validation.text() == "Read-only"
