"""The lazy hierarchy tree: listings happen on expand only, off the UI thread."""

from __future__ import annotations

import threading
from types import SimpleNamespace
from typing import Any

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QTreeView

from app.models.tree_nodes import FetchState, NodeKind
from app.qt.tree_model import NODE_ROLE, HierarchyTreeModel, TreeFilterProxyModel


def _wide_hierarchy(fakes: SimpleNamespace, n: int) -> tuple[Any, list[Any]]:
    children = {f"g{i:05d}": fakes.Group({"leaf": fakes.Group()}) for i in range(n)}
    children["data"] = fakes.Array(np.zeros((4, 5), np.uint8), (2, 5))
    big = fakes.Group(children)
    root = fakes.Group({"big": big})
    return root, list(children.values())


def test_expanding_a_group_of_5000_children_lists_no_grandchildren(
    qtbot: Any, bridge: Any, fakes: SimpleNamespace
) -> None:
    root, children = _wide_hierarchy(fakes, 5000)
    model = HierarchyTreeModel(bridge)
    view = QTreeView()
    qtbot.addWidget(view)
    view.setModel(model)
    view.show()
    model.set_root("root", root, NodeKind.GROUP)
    root_index = model.root_index()
    assert model.hasChildren(root_index) and root.list_calls == 0  # no listing for an arrow
    view.expand(root_index)
    qtbot.waitUntil(lambda: model.fetching == 0 and model.rowCount(root_index) == 1)
    big_index = model.index(0, 0, root_index)
    view.expand(big_index)
    qtbot.waitUntil(lambda: model.node(big_index).state is FetchState.FETCHED)
    assert model.rowCount(big_index) == 5001
    assert root.list_calls == 1
    assert children[-1].list_calls == 0 if hasattr(children[-1], "list_calls") else True
    assert sum(child.list_calls for child in children if hasattr(child, "list_calls")) == 0
    array_row = model.index(0, 1, big_index)  # "data" sorts first
    assert array_row.data() == "4 x 5"
    assert model.index(0, 2, big_index).data() == "uint8"


def test_fetch_more_shows_a_loading_row_until_the_listing_arrives(
    qtbot: Any, bridge: Any, fakes: SimpleNamespace
) -> None:
    slow = fakes.Group({"a": fakes.Group(), "b": fakes.Group()})
    slow.gate = threading.Event()
    model = HierarchyTreeModel(bridge)
    model.set_root("root", slow, NodeKind.GROUP)
    root_index = model.root_index()
    model.fetchMore(root_index)
    assert model.rowCount(root_index) == 1
    placeholder = model.index(0, 0, root_index)
    assert placeholder.data(NODE_ROLE).kind is NodeKind.PLACEHOLDER
    assert placeholder.data() == "loading…"
    assert not model.canFetchMore(root_index)
    slow.gate.set()
    with qtbot.waitSignal(model.listed, timeout=5000):
        pass
    assert [model.index(r, 0, root_index).data() for r in range(2)] == ["a", "b"]


def test_a_failed_listing_shows_an_error_row(
    qtbot: Any, bridge: Any, fakes: SimpleNamespace
) -> None:
    class Broken(fakes.Group):  # type: ignore[misc, name-defined]
        def members(self) -> list[tuple[str, Any]]:
            raise PermissionError("access denied for s3://bucket/x")

    model = HierarchyTreeModel(bridge)
    model.set_root("root", Broken(), NodeKind.GROUP)
    with qtbot.waitSignal(model.list_failed, timeout=5000):
        model.fetchMore(model.root_index())
    row = model.index(0, 0, model.root_index())
    assert row.data(NODE_ROLE).kind is NodeKind.ERROR
    assert "access denied" in row.data()


def test_tree_model_passes_qt_model_tester(
    qtbot: Any, qtmodeltester: Any, bridge: Any, fakes: SimpleNamespace
) -> None:
    root, _ = _wide_hierarchy(fakes, 20)
    model = HierarchyTreeModel(bridge)
    model.set_root("root", root, NodeKind.GROUP)
    qtmodeltester.check(model)
    model.fetchMore(model.root_index())
    qtbot.waitUntil(lambda: model.fetching == 0)
    big = model.index(0, 0, model.root_index())
    model.fetchMore(big)
    qtbot.waitUntil(lambda: model.fetching == 0)
    qtmodeltester.check(model)


def test_filter_proxy_forwards_lazy_loading_and_never_lists(
    qtbot: Any, bridge: Any, fakes: SimpleNamespace
) -> None:
    root, children = _wide_hierarchy(fakes, 50)
    model = HierarchyTreeModel(bridge)
    proxy = TreeFilterProxyModel()
    proxy.setSourceModel(model)
    model.set_root("root", root, NodeKind.GROUP)
    proxy_root = proxy.index(0, 0)
    assert proxy.hasChildren(proxy_root) and proxy.canFetchMore(proxy_root)
    proxy.setFilterFixedString("g0004")
    proxy.sort(0)
    assert root.list_calls == 0  # filtering or sorting an unlisted tree lists nothing
    proxy.setFilterFixedString("")
    proxy.fetchMore(proxy_root)
    qtbot.waitUntil(lambda: model.fetching == 0)
    big = proxy.index(0, 0, proxy_root)
    proxy.fetchMore(big)
    qtbot.waitUntil(lambda: model.fetching == 0)
    proxy.setFilterFixedString("g0004")
    big = proxy.index(0, 0, proxy_root)
    names = [proxy.index(r, 0, big).data() for r in range(proxy.rowCount(big))]
    assert names == [f"g{i:05d}" for i in range(40, 50)]
    assert sum(child.list_calls for child in children if hasattr(child, "list_calls")) == 0


def test_filter_proxy_and_array_table_pass_qt_model_tester(
    qtbot: Any, qtmodeltester: Any, bridge: Any, fakes: SimpleNamespace
) -> None:
    from app.qt.array_table import ArrayTableModel

    root, _ = _wide_hierarchy(fakes, 10)
    model = HierarchyTreeModel(bridge)
    proxy = TreeFilterProxyModel()
    proxy.setSourceModel(model)
    model.set_root("root", root, NodeKind.GROUP)
    model.fetchMore(model.root_index())
    qtbot.waitUntil(lambda: model.fetching == 0)
    proxy.setFilterFixedString("g0000")
    qtmodeltester.check(proxy)
    table = ArrayTableModel()
    record = np.dtype([("x", "<f4"), ("name", "S3")])
    table.set_array(np.zeros(4, dtype=record))
    qtmodeltester.check(table)
    table.set_array(np.arange(12).reshape(3, 4), row_offset=10, col_offset=5)
    qtmodeltester.check(table)
    assert table.headerData(0, Qt.Orientation.Vertical) == "10"
