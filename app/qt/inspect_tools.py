"""Wire the issue-7 tools into the main window through its documented hook points.

``install_inspect_tools(window)`` adds:

- File → "Connect to a store…" (ConnectDialog; opens the chosen location);
- Tools → "Consolidate metadata…" for the selected group (ConsolidateDialog);
- a stale-metadata banner above the tree, checked in the background whenever a hierarchy
  is opened through consolidated metadata (Refresh opens the consolidate dialog);
- a "Chunk map" dock following the active viewer's slice, and View → "Chunk grid overlay"
  drawing the same grid over the image.

Only public members of MainWindow are used (menus, ``add_open_action``, ``add_dock``,
``open_location``, ``location_opened``, ``current_node_changed``, ``slice_changed``,
``current_viewer``, ``show_status``).
"""

from __future__ import annotations

import inspect
import os
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction, QKeySequence, QTransform
from PySide6.QtWidgets import QBoxLayout, QWidget

from app.models.chunk_map import ChunkMap
from app.models.consolidation import ConsolidationPlan, scan_hierarchy
from app.models.profiles import ProfileStore
from app.qt.background import BackgroundCall
from app.qt.chunk_map_widget import ChunkMapWidget
from app.qt.chunk_overlay import ChunkOverlayItem
from app.qt.dialogs.connect_dialog import ConnectDialog
from app.qt.dialogs.consolidate_dialog import ConsolidateDialog
from app.qt.stale_banner import StaleBanner
from zarrcore.errors import ZarrcoreError


def _is_group(node: Any) -> bool:
    return hasattr(node, "members") and hasattr(node, "store")


def _writable(node: Any) -> bool:
    store = node.store
    return not store.read_only and store.supports_writes


class InspectTools(QObject):
    """Owns the actions, dialogs, banner, dock and overlay added to one main window."""

    def __init__(self, window: Any, profiles: ProfileStore | None = None) -> None:
        super().__init__(window)
        self.window = window
        self.profiles = profiles
        self.current_group: tuple[str, Any] | None = None
        self.opened: Any = None
        self.stale_plan: ConsolidationPlan | None = None
        self._slice_state: dict[str, Any] = {}
        self._overlays: dict[int, ChunkOverlayItem] = {}

        self.connect_action = QAction("Connect to a store…", window)
        self.connect_action.setShortcut(QKeySequence("Ctrl+Shift+O"))
        self.connect_action.triggered.connect(self.open_connect_dialog)
        window.add_open_action(self.connect_action)

        self.consolidate_action = QAction("Consolidate metadata…", window)
        self.consolidate_action.setEnabled(False)
        self.consolidate_action.triggered.connect(self.open_consolidate_dialog)
        window.tools_menu.addAction(self.consolidate_action)

        self.banner = StaleBanner()
        self.banner.refresh_requested.connect(self._refresh_stale)
        self._place_banner()
        self._stale_call = BackgroundCall(self)
        self._stale_call.finished.connect(self._on_stale_checked)
        self._stale_call.failed.connect(self._on_stale_failed)

        self.chunk_map = ChunkMapWidget()
        self.chunk_map.chunk_map_ready.connect(self._on_chunk_map)
        self.chunk_map.view_chunk_requested.connect(self._view_chunk)
        self.chunk_dock = window.add_dock(
            self.chunk_map, "Chunk map", Qt.DockWidgetArea.RightDockWidgetArea, "chunk-map-dock"
        )
        self.chunk_dock.hide()  # costs nothing until opened from the View menu
        self.chunk_dock.visibilityChanged.connect(lambda _visible: self._update_chunk_map())
        self.overlay_action = QAction("Chunk grid overlay", window, checkable=True)
        self.overlay_action.toggled.connect(self._overlay_toggled)
        window.view_menu.addAction(self.overlay_action)

        window.location_opened.connect(self._on_location_opened)
        window.current_node_changed.connect(self._on_current_node)
        window.slice_changed.connect(self._on_slice_changed)

    # -- connect --------------------------------------------------------------------------
    def make_connect_dialog(self) -> ConnectDialog:
        return ConnectDialog(self.window, profiles=self.profiles)

    def open_connect_dialog(self) -> None:
        dialog = self.make_connect_dialog()
        dialog.accepted.connect(lambda: self.open_from_dialog(dialog))
        dialog.open()

    def open_from_dialog(self, dialog: ConnectDialog) -> None:
        url, options = dialog.result_url(), dialog.result_options()
        accepts_options = "options" in inspect.signature(self.window.open_location).parameters
        if options and not accepts_options:
            self.window.show_status(
                "This location needs credentials, which the main window cannot pass on yet."
            )
            return
        if options:
            self.window.open_location(url, options=options)
        else:
            self.window.open_location(url)

    # -- consolidate ----------------------------------------------------------------------
    def _on_current_node(self, path: str, node: Any) -> None:
        self.current_group = (path, node) if _is_group(node) else None
        self.consolidate_action.setEnabled(self.current_group is not None)

    def open_consolidate_dialog(self, group: Any = None) -> ConsolidateDialog | None:
        node = group if group is not None else (self.current_group or (None, None))[1]
        if node is None:
            return None
        dialog = ConsolidateDialog(node.store, node.path, self.window)
        dialog.consolidated.connect(self._on_consolidated)
        dialog.open()
        return dialog

    def _on_consolidated(self, report: Any) -> None:
        self.banner.hide()
        self.window.show_status(report.summary(), 15000)

    # -- stale banner ---------------------------------------------------------------------
    def _place_banner(self) -> None:
        """Above the tree when its panel has a box layout, else in a small top dock."""
        dock = getattr(self.window, "tree_dock", None)
        panel = dock.widget() if dock is not None else None
        layout = panel.layout() if isinstance(panel, QWidget) else None
        if isinstance(layout, QBoxLayout):
            layout.insertWidget(0, self.banner)
        else:
            self.window.add_dock(
                self.banner,
                "Consolidated metadata",
                Qt.DockWidgetArea.TopDockWidgetArea,
                "stale-banner-dock",
                menu=False,
            )

    def _on_location_opened(self, opened: Any) -> None:
        self.opened = opened
        self.banner.hide()
        root: Any = getattr(opened, "root", None)
        if root is None or not getattr(opened, "consolidated", False) or not _is_group(root):
            return
        store, path = root.store, root.path
        self._stale_call.submit(lambda: scan_hierarchy(store, path))

    def check_in_progress(self) -> bool:
        return self._stale_call.is_busy()

    def _on_stale_checked(self, _request_id: int, plan: object) -> None:
        assert isinstance(plan, ConsolidationPlan)
        self.stale_plan = plan
        root = self.opened.root
        self.banner.show_plan(plan, writable=_writable(root))

    def _on_stale_failed(self, _request_id: int, exc: object) -> None:
        # e.g. a store that cannot list (HTTP): say so, the hierarchy stays usable
        kind = "" if isinstance(exc, ZarrcoreError) else f"{type(exc).__name__}: "
        self.window.show_status(f"Could not check the consolidated metadata: {kind}{exc}", 8000)

    def _refresh_stale(self) -> None:
        if self.opened is not None:
            self.open_consolidate_dialog(self.opened.root)

    # -- chunk map ------------------------------------------------------------------------
    def _on_slice_changed(self, state: dict[str, Any]) -> None:
        self._slice_state = state
        self._update_chunk_map()

    def _level_view(self) -> tuple[Any, int, int, tuple[int, ...], tuple[float, ...]] | None:
        state = self._slice_state
        if not state or state.get("array") is None:
            return None
        array = state["array"]
        if len(array.shape) < 2:
            return None
        row_axis, col_axis = state["displayed"]
        factors = tuple(state["source"].levels[state.get("level", 0)].factors)
        indices = tuple(
            min(int(i / f), n - 1)
            for i, f, n in zip(state["indices"], factors, array.shape, strict=True)
        )
        return array, row_axis, col_axis, indices, factors

    def _update_chunk_map(self) -> None:
        if not (self.chunk_dock.isVisible() or self.overlay_action.isChecked()):
            return
        view = self._level_view()
        if view is None:
            return
        array, row_axis, col_axis, indices, _factors = view
        self.chunk_map.set_array(array, row_axis, col_axis, indices)

    def _on_chunk_map(self, chunk_map: ChunkMap) -> None:
        viewer = self.window.current_viewer()
        view = self._level_view()
        if viewer is None or view is None:
            return
        overlay = self._overlays.get(id(viewer))
        if overlay is None:
            overlay = ChunkOverlayItem()
            viewer.view_box.addItem(overlay)
            self._overlays[id(viewer)] = overlay
        _array, row_axis, col_axis, _indices, factors = view
        overlay.setTransform(QTransform.fromScale(factors[col_axis], factors[row_axis]))
        overlay.set_chunk_map(chunk_map)
        overlay.setVisible(self.overlay_action.isChecked())

    def _overlay_toggled(self, on: bool) -> None:
        for overlay in self._overlays.values():
            overlay.setVisible(on)
        if on:
            self._update_chunk_map()

    def _view_chunk(self, region: tuple[slice, ...]) -> None:
        """Zoom the active viewer onto the chunk (in base-level pixel coordinates)."""
        viewer = self.window.current_viewer()
        view = self._level_view()
        if viewer is None or view is None:
            return
        _array, row_axis, col_axis, _indices, factors = view
        rows, cols = region[row_axis], region[col_axis]
        viewer.view_box.setRange(
            xRange=(cols.start * factors[col_axis], cols.stop * factors[col_axis]),
            yRange=(rows.start * factors[row_axis], rows.stop * factors[row_axis]),
            padding=0.02,
        )


def default_profile_store() -> ProfileStore:
    """Profiles in the user config dir, or under ``ZARRSCOPE_SETTINGS_DIR`` (tests) when set."""
    folder = os.environ.get("ZARRSCOPE_SETTINGS_DIR")
    return ProfileStore(Path(folder) / "profiles.json" if folder else None)


def install_inspect_tools(window: Any, *, profiles: ProfileStore | None = None) -> InspectTools:
    """Add the connect / consolidate / chunk-map tools to ``window``; returns their owner."""
    return InspectTools(window, profiles)
