"""The tree on the real engine: expanding a group of 5000 children never lists grandchildren."""

from __future__ import annotations

import json
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QTreeView

import zarrcore
from app.models.hierarchy import kind_of
from app.models.tree_nodes import FetchState, NodeKind
from app.qt.tree_model import NODE_ROLE, HierarchyTreeModel
from zarrcore.store.memory import MemoryStore
from zarrcore.store.wrappers import CountingStore

GROUP = json.dumps({"zarr_format": 2}).encode()
N_CHILDREN = 5000


def _wide_store() -> MemoryStore:
    store = MemoryStore()
    store.set(".zgroup", GROUP)
    store.set("big/.zgroup", GROUP)
    for i in range(N_CHILDREN):
        store.set(f"big/g{i:05d}/.zgroup", GROUP)
        store.set(f"big/g{i:05d}/leaf/.zgroup", GROUP)
    return store


def test_expanding_5000_children_on_the_engine_lists_only_that_group(
    qtbot: Any, bridge: Any
) -> None:
    counting = CountingStore(_wide_store())
    root = zarrcore.open(counting, mode="r")
    model = HierarchyTreeModel(bridge)
    view = QTreeView()
    qtbot.addWidget(view)
    view.setModel(model)
    view.show()
    model.set_root("wide", root, kind_of(root))
    counting.reset()
    view.expand(model.root_index())
    qtbot.waitUntil(lambda: model.fetching == 0 and model.rowCount(model.root_index()) == 1)
    big = model.index(0, 0, model.root_index())
    listings_before = counting.listings
    view.expand(big)
    qtbot.waitUntil(lambda: model.node(big).state is FetchState.FETCHED, timeout=30_000)
    assert model.rowCount(big) == N_CHILDREN
    assert counting.listings - listings_before <= 1  # one listing of "big", nothing deeper
    assert not [key for key in counting.keys_read if "/leaf/" in key]


def test_a_member_with_broken_metadata_becomes_an_error_row(qtbot: Any, bridge: Any) -> None:
    store = MemoryStore()
    store.set(".zgroup", GROUP)
    store.set("good/.zgroup", GROUP)
    store.set("zbad/.zgroup", b"{not json")
    model = HierarchyTreeModel(bridge)
    model.set_root("r", zarrcore.open(store, mode="r"), NodeKind.GROUP)
    with qtbot.waitSignal(model.listed, timeout=10_000):
        model.fetchMore(model.root_index())
    rows = [model.index(r, 0, model.root_index()) for r in range(2)]
    assert [row.data() for row in rows] == ["good", "zbad (unreadable)"]
    assert rows[1].data(NODE_ROLE).kind is NodeKind.ERROR
    assert "zbad" in rows[1].data(Qt.ItemDataRole.ToolTipRole)
