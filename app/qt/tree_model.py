"""Lazy hierarchy tree model: children are listed on expand, off the UI thread.

``hasChildren`` is true for a group until a listing proves it empty (nothing is listed to
draw an expand arrow). The view calls ``canFetchMore``/``fetchMore`` on expand; ``fetchMore``
inserts a "loading…" placeholder row and submits a listing job; the result replaces the
placeholder (or an error row does). :class:`TreeFilterProxyModel` filters fetched rows by name
and forwards the lazy-loading calls to the source, so filtering never forces a listing.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import (
    QAbstractItemModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QBrush, QColor

from app.models.hierarchy import list_members
from app.models.requests import ListRequest, Priority, Response
from app.models.tree_nodes import FetchState, NodeKind, TreeNode
from app.qt.icons import icon_for
from app.workers import WorkerBridge

Index = QModelIndex | QPersistentModelIndex
_NO_INDEX = QModelIndex()
COLUMNS = ("Name", "Shape", "Data type")
NODE_ROLE = Qt.ItemDataRole.UserRole + 1


class HierarchyTreeModel(QAbstractItemModel):
    """Tree of :class:`TreeNode`; the invisible root's single child is the opened node."""

    #: emitted after a group's listing arrived (node) or failed (node, message)
    listed = Signal(object)
    list_failed = Signal(object, str)
    #: the number of listings in flight changed
    fetching_changed = Signal()

    def __init__(self, bridge: WorkerBridge, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._bridge = bridge
        self._top = TreeNode(name="", path="", kind=NodeKind.GROUP, state=FetchState.FETCHED)
        self._requests: dict[int, TreeNode] = {}
        self._changing = False  # inside a begin/end insert or remove pair

    # -- content --------------------------------------------------------------------------
    def set_root(self, name: str, node: Any, kind: NodeKind) -> None:
        self.beginResetModel()
        self._requests.clear()
        self.fetching_changed.emit()
        root = TreeNode(name=name, path="", kind=kind, node=node, parent=self._top, row=0)
        self._top.children = [root]
        self.endResetModel()

    def clear(self) -> None:
        self.beginResetModel()
        self._requests.clear()
        self._top.children = []
        self.endResetModel()

    def root_index(self) -> QModelIndex:
        return self.index(0, 0, QModelIndex()) if self._top.children else QModelIndex()

    def node(self, index: Index) -> TreeNode:
        if not index.isValid():
            return self._top
        node = index.internalPointer()
        assert isinstance(node, TreeNode)
        return node

    def index_for_path(self, path: str) -> QModelIndex:
        """Index of an already-fetched node by path (invalid if not loaded)."""
        if not self._top.children:
            return QModelIndex()
        node = self._top.children[0]
        for part in [p for p in path.split("/") if p]:
            match = next((c for c in node.children if c.name == part), None)
            if match is None or match.kind in (NodeKind.PLACEHOLDER, NodeKind.ERROR):
                return QModelIndex()
            node = match
        return self.createIndex(node.row, 0, node)

    @property
    def fetching(self) -> int:
        """Number of listings in flight (tests wait for zero)."""
        return len(self._requests)

    # -- QAbstractItemModel ---------------------------------------------------------------
    def index(self, row: int, column: int, parent: Index = _NO_INDEX) -> QModelIndex:
        if column < 0 or column >= len(COLUMNS) or row < 0:
            return QModelIndex()
        parent_node = self.node(parent)
        if parent.isValid() and parent.column() != 0:
            return QModelIndex()
        if row >= len(parent_node.children):
            return QModelIndex()
        return self.createIndex(row, column, parent_node.children[row])

    def parent(self, index: Index = _NO_INDEX) -> QModelIndex:  # type: ignore[override]
        if not index.isValid():
            return QModelIndex()
        node = self.node(index)
        parent = node.parent
        if parent is None or parent is self._top:
            return QModelIndex()
        return self.createIndex(parent.row, 0, parent)

    def rowCount(self, parent: Index = _NO_INDEX) -> int:
        if parent.isValid() and parent.column() != 0:
            return 0
        return len(self.node(parent).children)

    def columnCount(self, parent: Index = _NO_INDEX) -> int:
        return len(COLUMNS)

    def hasChildren(self, parent: Index = _NO_INDEX) -> bool:
        if parent.isValid() and parent.column() != 0:
            return False
        node = self.node(parent)
        if node is self._top:
            return bool(node.children)
        return node.has_children()

    def canFetchMore(self, parent: Index) -> bool:
        if not parent.isValid() or parent.column() != 0:
            return False
        return self.node(parent).can_fetch()

    def fetchMore(self, parent: Index) -> None:
        if not self.canFetchMore(parent):
            return
        node = self.node(parent)
        if self._changing:
            # Called from a slot of our own rowsInserted (e.g. a model tester): insert the
            # placeholder once the current change has finished, never nested inside it.
            QTimer.singleShot(0, lambda: self._fetch_node(node))
            return
        self._fetch_node(node)

    def _fetch_node(self, node: TreeNode) -> None:
        if not node.can_fetch() or not self._is_attached(node):
            return
        parent = self.createIndex(node.row, 0, node)
        request = ListRequest(self._bridge.next_id(), node.path, node.node)
        self._changing = True
        self.beginInsertRows(parent, 0, 0)
        node.begin_fetch(request.request_id)
        self.endInsertRows()
        self._changing = False
        self._requests[request.request_id] = node
        group = request.group
        self._bridge.submit(
            request.request_id,
            lambda token: list_members(group, token),
            self._on_listed,
            channel="tree-listing",
            priority=Priority.LISTING,
            supersede=False,
        )
        self.fetching_changed.emit()

    def cancel_fetches(self) -> None:
        """Forget every listing in flight: placeholders go, groups can be expanded again."""
        self._bridge.cancel_channel("tree-listing")
        for node in list(self._requests.values()):
            parent = self.createIndex(node.row, 0, node)
            self._changing = True
            self.beginRemoveRows(parent, 0, len(node.children) - 1)
            node.children = []
            node.state = FetchState.UNFETCHED
            node.request_id = None
            self.endRemoveRows()
            self._changing = False
        self._requests.clear()
        self.fetching_changed.emit()

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        horizontal = orientation == Qt.Orientation.Horizontal
        if horizontal and role == Qt.ItemDataRole.DisplayRole and 0 <= section < len(COLUMNS):
            return COLUMNS[section]
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        node = self.node(index)
        if node.kind in (NodeKind.PLACEHOLDER, NodeKind.ERROR):
            return Qt.ItemFlag.ItemIsEnabled
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        node = self.node(index)
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if column == 0:
                if (
                    node.kind is NodeKind.ERROR
                    and node.parent is not None
                    and node.path != (node.parent.path)
                ):
                    return f"{node.name} (unreadable)"
                return node.name or "/"
            if column == 1 and node.shape is not None:
                return " x ".join(str(n) for n in node.shape) or "scalar"
            if column == 2 and node.dtype is not None:
                return node.dtype
            return None
        if role == Qt.ItemDataRole.DecorationRole and column == 0:
            return icon_for(node.kind)
        if role == Qt.ItemDataRole.ToolTipRole:
            if node.kind is NodeKind.ERROR:
                return node.error
            return "/" + node.path
        if role == Qt.ItemDataRole.ForegroundRole:
            if node.kind is NodeKind.PLACEHOLDER:
                return QBrush(QColor("#808080"))
            if node.kind is NodeKind.ERROR:
                return QBrush(QColor("#c0392b"))
        if role == NODE_ROLE:
            return node
        return None

    # -- listing results ------------------------------------------------------------------
    def _on_listed(self, response: Response) -> None:
        node = self._requests.pop(response.request_id, None)
        if node is None or node.request_id != response.request_id:
            return  # the model was reset or the listing cancelled meanwhile
        self.fetching_changed.emit()
        parent = self.createIndex(node.row, 0, node)
        self._changing = True
        try:
            self.beginRemoveRows(parent, 0, len(node.children) - 1)
            node.children = []
            self.endRemoveRows()
            if response.error is not None:
                self.beginInsertRows(parent, 0, 0)
                node.fail_fetch(str(response.error))
                self.endInsertRows()
            elif response.result:
                self.beginInsertRows(parent, 0, len(response.result) - 1)
                node.finish_fetch(response.result)
                self.endInsertRows()
            else:
                node.finish_fetch([])
        finally:
            self._changing = False
        if response.error is not None:
            self.list_failed.emit(node, str(response.error))
        else:
            self.listed.emit(node)

    def _is_attached(self, node: TreeNode) -> bool:
        while node.parent is not None:
            node = node.parent
        return node is self._top


class TreeFilterProxyModel(QSortFilterProxyModel):
    """Filters fetched rows by name (keeping ancestors of matches); never forces a listing."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.setRecursiveFilteringEnabled(True)
        self.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.setFilterKeyColumn(0)

    def hasChildren(self, parent: Index = _NO_INDEX) -> bool:
        source = self.sourceModel()
        return source.hasChildren(self.mapToSource(parent))

    def canFetchMore(self, parent: Index) -> bool:
        return self.sourceModel().canFetchMore(self.mapToSource(parent))

    def fetchMore(self, parent: Index) -> None:
        self.sourceModel().fetchMore(self.mapToSource(parent))

    def filterAcceptsRow(self, source_row: int, source_parent: Index) -> bool:
        source = self.sourceModel()
        index = source.index(source_row, 0, source_parent)
        node = index.data(NODE_ROLE)
        if isinstance(node, TreeNode) and node.kind in (NodeKind.PLACEHOLDER, NodeKind.ERROR):
            return True
        if not source_parent.isValid():
            return True  # the root row always stays
        return super().filterAcceptsRow(source_row, source_parent)
