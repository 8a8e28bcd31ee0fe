"""The tree on the real engine: expanding a group of 5000 children never lists grandchildren."""

from __future__ import annotations

import json
from typing import Any

from PySide6.QtWidgets import QTreeView

import zarrcore
from app.models.hierarchy import kind_of
from app.models.tree_nodes import FetchState
from app.qt.tree_model import HierarchyTreeModel
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
