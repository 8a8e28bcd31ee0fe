"""The Zarrscope main window: tree dock, metadata dock, tabs of slice viewers, status bar.

Hook points for other features (dialogs, chunk map, consolidation — issue 7)
----------------------------------------------------------------------------
``window = MainWindow(bridge, cache, settings)`` exposes:

- Menus: ``window.file_menu``, ``window.view_menu``, ``window.tools_menu``,
  ``window.help_menu`` (``QMenu``). Add actions to them; ``file_menu`` has a slot for extra
  "Open …" actions before "Recent locations" via :meth:`add_open_action`.
- Docks: :meth:`add_dock(widget, title, area=Qt.RightDockWidgetArea, object_name=...)` adds a
  dock, registers its toggle in the View menu and lets its geometry be saved with the layout.
- Opening data: :meth:`open_location(url)` opens any zarrcore URL or path (off the UI thread),
  records it in the recent list (redacted), and fills the tree. ``location_opened(object)`` is
  emitted with an :class:`~app.models.hierarchy.OpenedHierarchy` (``.url`` redacted, ``.root``,
  ``.consolidated``); :attr:`hierarchy` holds the current one.
- Current node: ``current_node_changed(str, object)`` is emitted with ``(path, node)`` when the
  user selects a group or array (path relative to the root, node a zarrcore Group/Array);
  :meth:`current_node` returns the same pair.
- Current slice: ``slice_changed(dict)`` is emitted when the active viewer's slice, level or
  displayed axes change, and when another viewer tab becomes active; the dict holds
  ``source`` (ImageSource), ``array`` (the zarrcore Array at the shown level), ``level``,
  ``selection`` (tuple of ints/slices last read), ``indices`` and ``displayed``.
  :meth:`current_viewer` returns the active :class:`SliceViewerWidget` (``frame_drawn``
  signal, ``slice_state()``).
- Workers: ``window.bridge`` (:class:`~app.workers.WorkerBridge`) for background jobs and
  ``window.cache`` (:class:`~app.models.chunk_cache.ChunkCache`).
- Status: :meth:`show_status(text, timeout_ms=0)`; :meth:`set_cache_megabytes(n)` resizes the
  chunk cache. ``window.inspect_tools`` holds what ``app.qt.inspect_tools`` installed (issue 7).
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex, QSettings, Qt, QUrl, Signal
from PySide6.QtGui import QAction, QCloseEvent, QDragEnterEvent, QDropEvent, QKeySequence
from PySide6.QtWidgets import (
    QDockWidget,
    QFileDialog,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMenu,
    QMessageBox,
    QProgressBar,
    QTabWidget,
    QToolButton,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from app.models.chunk_cache import ChunkCache
from app.models.hierarchy import OpenedHierarchy, open_location
from app.models.node_info import format_bytes
from app.models.requests import OpenRequest, Response
from app.models.tree_nodes import FetchState, NodeKind, TreeNode
from app.qt.metadata_panel import MetadataPanelWidget
from app.qt.slice_viewer import SliceViewerWidget
from app.qt.tree_model import NODE_ROLE, HierarchyTreeModel, TreeFilterProxyModel
from app.workers import WorkerBridge
from zarrcore.redact import redact_text, redact_url

MAX_RECENT = 10


class MainWindow(QMainWindow):
    location_opened = Signal(object)
    #: opening a location failed (message, secrets redacted)
    open_failed = Signal(str)
    current_node_changed = Signal(str, object)
    slice_changed = Signal(object)

    def __init__(
        self, bridge: WorkerBridge, cache: ChunkCache, settings: QSettings | None = None
    ) -> None:
        super().__init__()
        self.bridge = bridge
        self.cache = cache
        self.settings = settings
        self.hierarchy: OpenedHierarchy | None = None
        self._open_request = 0
        self._current: tuple[str, Any] | None = None
        self._pending_select: str | None = None
        #: set by app.application.build_main_window (issue-7 tools); None in bare windows
        self.inspect_tools: Any = None
        self.setWindowTitle("Zarrscope")
        self.setAcceptDrops(True)
        self.setDockNestingEnabled(True)
        self._build_tree_dock()
        self._build_metadata_dock()
        self._build_viewers()
        self._build_menus()
        self._build_status()

    # -- construction ---------------------------------------------------------------------
    def _build_tree_dock(self) -> None:
        self.tree_model = HierarchyTreeModel(self.bridge, self)
        self.tree_proxy = TreeFilterProxyModel(self)
        self.tree_proxy.setSourceModel(self.tree_model)
        self.filter_edit = QLineEdit()
        self.filter_edit.setPlaceholderText("Filter loaded nodes by name…")
        self.filter_edit.setClearButtonEnabled(True)
        self.filter_edit.textChanged.connect(self.tree_proxy.setFilterFixedString)
        self.tree_view = QTreeView()
        self.tree_view.setModel(self.tree_proxy)
        self.tree_view.setUniformRowHeights(True)
        self.tree_view.setAlternatingRowColors(True)
        self.tree_view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.tree_view.customContextMenuRequested.connect(self._tree_context_menu)
        self.tree_view.selectionModel().currentChanged.connect(self._on_tree_current)
        self.tree_view.doubleClicked.connect(self._on_tree_double_clicked)
        header = self.tree_view.header()
        header.setStretchLastSection(False)
        header.resizeSection(0, 210)
        header.resizeSection(1, 110)
        header.resizeSection(2, 80)
        self.tree_model.listed.connect(self._on_listed)
        panel = QWidget()
        layout = QVBoxLayout(panel)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addWidget(self.filter_edit)
        layout.addWidget(self.tree_view)
        self.tree_dock = self.add_dock(
            panel, "Hierarchy", Qt.DockWidgetArea.LeftDockWidgetArea, "hierarchy-dock", menu=False
        )

    def _build_metadata_dock(self) -> None:
        self.metadata_panel = MetadataPanelWidget(self.bridge)
        self.metadata_panel.attributes_saved.connect(self._on_attributes_saved)
        self.metadata_dock = self.add_dock(
            self.metadata_panel,
            "Metadata",
            Qt.DockWidgetArea.LeftDockWidgetArea,
            "metadata-dock",
            menu=False,
        )
        self.splitDockWidget(self.tree_dock, self.metadata_dock, Qt.Orientation.Vertical)

    def _on_attributes_saved(self, path: str, node: Any) -> None:
        """Point the tree at the re-opened node so re-selecting it shows the new attributes."""
        index = self.tree_model.index_for_path(path)
        if index.isValid():
            self.tree_model.node(index).node = node
        if self._current is not None and self._current[0] == path:
            self._current = (path, node)

    def _build_viewers(self) -> None:
        self.tabs = QTabWidget()
        self.tabs.setTabsClosable(True)
        self.tabs.setMovable(True)
        self.tabs.setDocumentMode(True)
        self.tabs.tabCloseRequested.connect(self.close_viewer)
        self.tabs.currentChanged.connect(self._on_tab_changed)
        self.setCentralWidget(self.tabs)
        self.new_viewer()

    def _build_menus(self) -> None:
        bar = self.menuBar()
        self.file_menu = bar.addMenu("&File")
        self.view_menu = bar.addMenu("&View")
        self.tools_menu = bar.addMenu("&Tools")
        self.help_menu = bar.addMenu("&Help")

        open_folder = QAction("Open &folder…", self)
        open_folder.setShortcut(QKeySequence.StandardKey.Open)
        open_folder.triggered.connect(self._open_folder_dialog)
        open_url = QAction("Open &URL…", self)
        open_url.setShortcut(QKeySequence("Ctrl+L"))
        open_url.triggered.connect(self._open_url_dialog)
        self.file_menu.addAction(open_folder)
        self.file_menu.addAction(open_url)
        self._open_actions_anchor = self.file_menu.addSeparator()
        self.recent_menu = self.file_menu.addMenu("Recent locations")
        self.file_menu.addSeparator()
        quit_action = QAction("&Quit", self)
        quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        quit_action.triggered.connect(self.close)
        self.file_menu.addAction(quit_action)
        self._refresh_recent_menu()

        new_tab = QAction("New viewer tab", self)
        new_tab.setShortcut(QKeySequence("Ctrl+T"))
        new_tab.triggered.connect(self._open_current_in_new_tab)
        self.view_menu.addAction(new_tab)
        self.view_menu.addSeparator()
        self.view_menu.addAction(self.tree_dock.toggleViewAction())
        self.view_menu.addAction(self.metadata_dock.toggleViewAction())
        self.view_menu.addSeparator()
        cache_size = QAction("Chunk cache size…", self)
        cache_size.triggered.connect(self._ask_cache_size)
        self.view_menu.addAction(cache_size)

        about = QAction("About Zarrscope", self)
        about.triggered.connect(self._about)
        self.help_menu.addAction(about)

    def _build_status(self) -> None:
        self.location_label = QLabel("")
        self.cache_label = QLabel("")
        self.statusBar().addPermanentWidget(self.location_label)
        self.statusBar().addPermanentWidget(self.cache_label)
        self.bridge.finished.connect(self._update_cache_label)
        self.discovery_busy = QProgressBar()
        self.discovery_busy.setRange(0, 0)
        self.discovery_busy.setMaximumWidth(90)
        self.discovery_busy.setMaximumHeight(12)
        self.discovery_busy.setTextVisible(False)
        self.cancel_button = QToolButton()
        self.cancel_button.setText("Cancel")
        self.cancel_button.setToolTip(
            "Stop opening / listing (results that arrive later are ignored)"
        )
        self.cancel_button.clicked.connect(self.cancel_discovery)
        self.statusBar().addWidget(self.discovery_busy)
        self.statusBar().addWidget(self.cancel_button)
        self.tree_model.fetching_changed.connect(self._set_discovering)
        self._set_discovering()

    # -- hook points ----------------------------------------------------------------------
    def add_dock(
        self,
        widget: QWidget,
        title: str,
        area: Qt.DockWidgetArea = Qt.DockWidgetArea.RightDockWidgetArea,
        object_name: str | None = None,
        *,
        menu: bool = True,
    ) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(object_name or f"dock-{title.lower().replace(' ', '-')}")
        dock.setWidget(widget)
        self.addDockWidget(area, dock)
        if menu and hasattr(self, "view_menu"):
            self.view_menu.addAction(dock.toggleViewAction())
        return dock

    def add_open_action(self, action: QAction) -> None:
        """Insert an extra "Open …" action (e.g. a connect dialog) into the File menu."""
        self.file_menu.insertAction(self._open_actions_anchor, action)

    def show_status(self, text: str, timeout_ms: int = 0) -> None:
        self.statusBar().showMessage(text, timeout_ms)

    def current_node(self) -> tuple[str, Any] | None:
        return self._current

    def current_viewer(self) -> SliceViewerWidget | None:
        widget = self.tabs.currentWidget()
        return widget if isinstance(widget, SliceViewerWidget) else None

    # -- opening --------------------------------------------------------------------------
    def open_location(
        self, url: str, select: str | None = None, options: dict[str, Any] | None = None
    ) -> int:
        """Open ``url`` in a worker; ``select`` is a node path to select once listed.

        ``options`` (store credentials from the connect dialog) are passed to the store only;
        they never reach the title, status bar or recent list.
        """
        request = OpenRequest(self.bridge.next_id(), url)
        self._open_request = request.request_id
        self._pending_select = select
        shown = redact_url(url)
        self.show_status(f"Opening {shown}…")
        self._remember(url)
        self._set_discovering()
        self.bridge.submit(
            request.request_id,
            lambda token: open_location(request.url, token, options),
            self._on_opened,
            channel="open",
        )
        return request.request_id

    def _on_opened(self, response: Response) -> None:
        if response.request_id != self._open_request:
            return
        self._open_request = 0
        self._set_discovering()
        if response.error is not None:
            message = redact_text(str(response.error))
            self.show_status(f"Could not open: {message}")
            self.location_label.setText("not opened")
            self.open_failed.emit(message)
            return
        opened: OpenedHierarchy = response.result
        self.hierarchy = opened
        name = opened.url.rstrip("/").rsplit("/", 1)[-1] or opened.url
        self.tree_model.set_root(name, opened.root, opened.kind)
        self.setWindowTitle(f"{name} — Zarrscope")
        how = "consolidated metadata (one read)" if opened.consolidated else "listing on demand"
        self.location_label.setText(f"{opened.url}  ·  {how}")
        self.show_status(f"Opened {opened.url} using {how}", 8000)
        root = self.tree_proxy.mapFromSource(self.tree_model.root_index())
        self.tree_view.setCurrentIndex(root)
        self.tree_view.expand(root)
        self.location_opened.emit(opened)

    def _open_folder_dialog(self) -> None:
        path = QFileDialog.getExistingDirectory(self, "Open a zarr folder")
        if path:
            self.open_location(path)

    def _open_url_dialog(self) -> None:
        url, ok = QInputDialog.getText(
            self, "Open URL", "Path or URL (file, zip, sqlite, s3, az, redis, mongodb, http…):"
        )
        if ok and url.strip():
            self.open_location(url.strip())

    def _remember(self, url: str) -> None:
        if self.settings is None:
            return
        shown = redact_url(url)
        recent = [u for u in self._recent() if u != shown]
        recent.insert(0, shown)
        self.settings.setValue("recent", recent[:MAX_RECENT])
        self._refresh_recent_menu()

    def _recent(self) -> list[str]:
        if self.settings is None:
            return []
        value = self.settings.value("recent", [])
        if isinstance(value, str):
            return [value]
        if isinstance(value, list | tuple):
            return [str(v) for v in value]
        return []

    def _refresh_recent_menu(self) -> None:
        if not hasattr(self, "recent_menu"):
            return
        self.recent_menu.clear()
        recent = self._recent()
        for url in recent:
            action = self.recent_menu.addAction(url)
            action.triggered.connect(lambda _=False, u=url: self.open_location(u))
        self.recent_menu.setEnabled(bool(recent))

    # -- discovery progress -----------------------------------------------------------------
    @property
    def discovering(self) -> bool:
        return self._open_request != 0 or self.tree_model.fetching > 0

    def _set_discovering(self) -> None:
        if not hasattr(self, "cancel_button"):
            return
        busy = self.discovering
        self.discovery_busy.setVisible(busy)
        self.cancel_button.setVisible(busy)
        if self.tree_model.fetching and self._open_request == 0:
            self.show_status(f"Listing… ({self.tree_model.fetching} group(s) in progress)")
        elif self.statusBar().currentMessage().startswith("Listing…"):
            self.statusBar().clearMessage()

    def cancel_discovery(self) -> None:
        """Stop waiting for the open and every listing in flight; their results are dropped."""
        if self._open_request:
            self.bridge.cancel_channel("open")
            self._open_request = 0
            self.location_label.setText("opening cancelled")
        self.tree_model.cancel_fetches()
        self._set_discovering()
        self.show_status("Cancelled", 5000)

    # -- drag and drop --------------------------------------------------------------------
    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        urls: list[QUrl] = event.mimeData().urls()
        if urls:
            url = urls[0]
            self.open_location(url.toLocalFile() if url.isLocalFile() else url.toString())
            event.acceptProposedAction()

    # -- tree -----------------------------------------------------------------------------
    def _tree_node(self, proxy_index: QModelIndex) -> TreeNode | None:
        node = proxy_index.data(NODE_ROLE) if proxy_index.isValid() else None
        if not isinstance(node, TreeNode):
            return None
        if node.kind in (NodeKind.PLACEHOLDER, NodeKind.ERROR):
            return None
        return node

    def _on_tree_current(self, current: QModelIndex, previous: QModelIndex) -> None:
        node = self._tree_node(current)
        if node is None:
            return
        self.select_node(node)

    def select_node(self, node: TreeNode) -> None:
        """Show ``node`` in the metadata panel and (arrays, pyramids) in the current viewer."""
        self._current = (node.path, node.node)
        children = None
        if node.state is FetchState.FETCHED:
            children = [
                (child.name, child.kind is NodeKind.ARRAY)
                for child in node.children
                if child.kind is not NodeKind.ERROR
            ]
        self.metadata_panel.show_node(node.path, node.node, children)
        if node.kind in (NodeKind.ARRAY, NodeKind.PYRAMID):
            viewer = self.current_viewer() or self.new_viewer()
            self._show_in_viewer(viewer, node)
        self.current_node_changed.emit(node.path, node.node)

    def _show_in_viewer(self, viewer: SliceViewerWidget, node: TreeNode) -> None:
        viewer.show_node(node.name or "/", node.node)
        index = self.tabs.indexOf(viewer)
        self.tabs.setTabText(index, node.name or "/")
        self.tabs.setTabToolTip(index, "/" + node.path)

    def _on_tree_double_clicked(self, index: QModelIndex) -> None:
        node = self._tree_node(index)
        if node is not None and node.kind in (NodeKind.ARRAY, NodeKind.PYRAMID):
            self._show_in_viewer(self.new_viewer(), node)

    def _tree_context_menu(self, pos: Any) -> None:
        node = self._tree_node(self.tree_view.indexAt(pos))
        if node is None or node.kind not in (NodeKind.ARRAY, NodeKind.PYRAMID):
            return
        menu = QMenu(self)
        action = menu.addAction("Open in new viewer tab")
        action.triggered.connect(lambda: self._show_in_viewer(self.new_viewer(), node))
        menu.exec(self.tree_view.viewport().mapToGlobal(pos))

    def _open_current_in_new_tab(self) -> None:
        index = self.tree_view.currentIndex()
        node = self._tree_node(index)
        viewer = self.new_viewer()
        if node is not None and node.kind in (NodeKind.ARRAY, NodeKind.PYRAMID):
            self._show_in_viewer(viewer, node)

    def _on_listed(self, node: TreeNode) -> None:
        """Auto-select a requested path once its parent has been listed."""
        target = self._pending_select
        if not target:
            return
        parts = [p for p in target.split("/") if p]
        depth = len([p for p in node.path.split("/") if p])
        if depth >= len(parts):
            return
        child_path = "/".join(parts[: depth + 1])
        index = self.tree_proxy.mapFromSource(self.tree_model.index_for_path(child_path))
        if not index.isValid():
            self._pending_select = None
            return
        if child_path == "/".join(parts):
            self._pending_select = None
            self.tree_view.setCurrentIndex(index)
            self.tree_view.scrollTo(index)
        else:
            self.tree_view.expand(index)

    # -- viewers --------------------------------------------------------------------------
    def new_viewer(self) -> SliceViewerWidget:
        viewer = SliceViewerWidget(self.bridge, self.cache)
        viewer.slice_changed.connect(self._on_viewer_slice_changed)
        viewer.frame_drawn.connect(lambda _frame, v=viewer: self._on_viewer_slice_changed(v))
        self.tabs.addTab(viewer, "Viewer")
        self.tabs.setCurrentWidget(viewer)
        return viewer

    def close_viewer(self, index: int) -> None:
        viewer = self.tabs.widget(index)
        if isinstance(viewer, SliceViewerWidget):
            viewer.shutdown()
        self.tabs.removeTab(index)
        if viewer is not None:
            viewer.deleteLater()
        if self.tabs.count() == 0:
            self.new_viewer()

    def _on_tab_changed(self, index: int) -> None:
        viewer = self.current_viewer()
        if viewer is not None:
            self.slice_changed.emit(viewer.slice_state())

    def _on_viewer_slice_changed(self, payload: Any) -> None:
        viewer = self.current_viewer()
        if viewer is None or (payload is not viewer and self.sender() is not viewer):
            return
        self.slice_changed.emit(viewer.slice_state())

    def set_cache_megabytes(self, megabytes: int) -> None:
        """Resize the decoded-chunk cache (evicting at once) and remember it in the settings."""
        self.cache.set_max_bytes(megabytes * 1024 * 1024)
        if self.settings is not None:
            self.settings.setValue("cache/max_mb", megabytes)
        self._update_cache_label()

    def _ask_cache_size(self) -> None:
        current = self.cache.max_bytes // (1024 * 1024)
        value, ok = QInputDialog.getInt(
            self, "Chunk cache size", "Decoded-chunk cache (MiB):", current, 0, 1_000_000, 64
        )
        if ok:
            self.set_cache_megabytes(value)

    def _update_cache_label(self, _response: Any = None) -> None:
        self.cache_label.setText(
            f"cache {format_bytes(self.cache.nbytes)} / {format_bytes(self.cache.max_bytes)}"
        )

    # -- lifecycle ------------------------------------------------------------------------
    def restore_layout(self) -> None:
        if self.settings is None:
            self.resizeDocks([self.tree_dock], [430], Qt.Orientation.Horizontal)
            return
        geometry = self.settings.value("window/geometry")
        state = self.settings.value("window/state")
        if state is None:
            self.resizeDocks([self.tree_dock], [430], Qt.Orientation.Horizontal)
            self.resizeDocks(
                [self.tree_dock, self.metadata_dock], [300, 500], Qt.Orientation.Vertical
            )
        if geometry is not None:
            self.restoreGeometry(geometry)
        if state is not None:
            self.restoreState(state)

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.settings is not None:
            self.settings.setValue("window/geometry", self.saveGeometry())
            self.settings.setValue("window/state", self.saveState())
            self.settings.sync()
        for i in range(self.tabs.count()):
            viewer = self.tabs.widget(i)
            if isinstance(viewer, SliceViewerWidget):
                viewer.shutdown()
        super().closeEvent(event)

    def _about(self) -> None:
        QMessageBox.about(
            self,
            "About Zarrscope",
            "Zarrscope — browse, inspect and fix zarr hierarchies wherever they live.\n"
            "Built on zarrcore (numpy + numcodecs), PySide6 and pyqtgraph.",
        )
