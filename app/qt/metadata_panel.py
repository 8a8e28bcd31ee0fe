"""Metadata panel: properties of the selected node, its attributes as a tree and as raw JSON.

Describing the node and counting stored chunks run as worker jobs; the panel shows
"computing…" meanwhile and drops responses for a node that is no longer selected. Attributes
are editable when the node is writable: the JSON is validated as you type and written only
when Save is pressed (through a worker).
"""

from __future__ import annotations

import json
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QTabWidget,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.models.hierarchy import is_array
from app.models.node_info import (
    NodeInfo,
    SavedAttributes,
    StorageStats,
    describe_node,
    parse_attributes,
    save_attributes,
    storage_stats,
)
from app.models.requests import (
    InfoRequest,
    Priority,
    Response,
    SaveAttributesRequest,
    StorageRequest,
)
from app.workers import WorkerBridge

CHANNEL = "metadata"


def _fill_json_tree(parent: QTreeWidgetItem | QTreeWidget, key: str, value: Any) -> None:
    if isinstance(value, dict):
        item = QTreeWidgetItem([key, f"{{{len(value)}}}"])
        for child_key, child in value.items():
            _fill_json_tree(item, str(child_key), child)
    elif isinstance(value, list):
        item = QTreeWidgetItem([key, f"[{len(value)}]"])
        for i, child in enumerate(value):
            _fill_json_tree(item, str(i), child)
    else:
        item = QTreeWidgetItem([key, json.dumps(value)])
    if isinstance(parent, QTreeWidget):
        parent.addTopLevelItem(item)
    else:
        parent.addChild(item)


class MetadataPanelWidget(QWidget):
    """Shows one node at a time; call :meth:`show_node`."""

    #: emitted after attributes were saved (node path, re-opened node)
    attributes_saved = Signal(str, object)
    #: emitted whenever the panel finished showing a node's info (node path)
    info_shown = Signal(str)

    def __init__(self, bridge: WorkerBridge, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._bridge = bridge
        self._path: str | None = None
        self._node: Any = None
        self._info: NodeInfo | None = None
        self._info_id = 0
        self._stats_id = 0
        self._save_id = 0
        self._stats_rows: list[tuple[str, str]] = []
        self._saved_text = ""

        self.title = QLabel("Nothing selected")
        self.title.setWordWrap(True)
        bold = self.title.font()
        bold.setBold(True)
        self.title.setFont(bold)

        self.properties = QTreeWidget()
        self.properties.setHeaderLabels(["Property", "Value"])
        self.properties.setRootIsDecorated(False)
        self.properties.setAlternatingRowColors(True)
        self.properties.header().setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)

        self.attributes = QTreeWidget()
        self.attributes.setHeaderLabels(["Key", "Value"])
        self.attributes.header().setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)

        self.raw = QPlainTextEdit()
        mono: QFont = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        self.raw.setFont(mono)
        self.raw.textChanged.connect(self._validate)
        self.validation = QLabel("")
        self.save_button = QPushButton("Save attributes")
        self.save_button.setEnabled(False)
        self.save_button.clicked.connect(self.save)
        self.revert_button = QPushButton("Revert")
        self.revert_button.setEnabled(False)
        self.revert_button.clicked.connect(self._revert)

        raw_page = QWidget()
        raw_layout = QVBoxLayout(raw_page)
        raw_layout.setContentsMargins(0, 0, 0, 0)
        raw_layout.addWidget(self.raw)
        buttons = QHBoxLayout()
        buttons.addWidget(self.validation, 1)
        buttons.addWidget(self.revert_button)
        buttons.addWidget(self.save_button)
        raw_layout.addLayout(buttons)

        self.tabs = QTabWidget()
        self.tabs.addTab(self.attributes, "Attributes")
        self.tabs.addTab(raw_page, "JSON")

        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.title)
        layout.addWidget(self.properties, 3)
        layout.addWidget(self.tabs, 2)

    # -- public ---------------------------------------------------------------------------
    @property
    def current_path(self) -> str | None:
        return self._path

    def clear(self) -> None:
        self._path = None
        self._node = None
        self._info = None
        self._info_id = self._stats_id = 0
        self.title.setText("Nothing selected")
        self.properties.clear()
        self.attributes.clear()
        self._set_raw("", editable=False)

    def show_node(
        self, path: str, node: Any, children: list[tuple[str, bool]] | None = None
    ) -> None:
        """Describe ``node`` (in a worker) and show it when ready. ``children`` (name,
        is_array) are the group's members if already listed."""
        self._path = path
        self._node = node
        self._info = None
        self._stats_rows = []
        self.title.setText(f"/{path}  —  loading…")
        self.properties.clear()
        self.attributes.clear()
        self._set_raw("", editable=False)
        request = InfoRequest(self._bridge.next_id(), path, node)
        self._info_id = request.request_id
        self._stats_id = 0
        self._bridge.submit(
            request.request_id,
            lambda token: describe_node(request.node_path, request.node, children),
            self._on_info,
            channel=CHANNEL,
        )

    def row_value(self, label: str) -> str | None:
        """The value shown for ``label`` in the property list (for tests)."""
        for i in range(self.properties.topLevelItemCount()):
            item = self.properties.topLevelItem(i)
            if item is not None and item.text(0) == label:
                return item.text(1)
        return None

    def save(self) -> None:
        """Validate the JSON and write it through a worker."""
        if self._info is None or not self._info.writable:
            return
        try:
            attributes = parse_attributes(self.raw.toPlainText())
        except ValueError as exc:
            self.validation.setText(f"Invalid: {exc}")
            return
        request = SaveAttributesRequest(
            self._bridge.next_id(), self._info.path, self._node, attributes
        )
        self._save_id = request.request_id
        self.save_button.setEnabled(False)
        self.validation.setText("Saving…")
        self._bridge.submit(
            request.request_id,
            lambda token: save_attributes(request.node, request.attributes),
            self._on_saved,
            priority=Priority.INTERACTIVE,
        )

    # -- responses ------------------------------------------------------------------------
    def _on_info(self, response: Response) -> None:
        if response.request_id != self._info_id:
            return
        if response.error is not None:
            self.title.setText(f"/{self._path}")
            self._set_rows([("Error", str(response.error))])
            return
        info: NodeInfo = response.result
        self._info = info
        self.title.setText(f"/{info.path}" if info.path else "/ (root)")
        self._set_rows(info.rows)
        self._show_attributes(info.attributes)
        self._set_raw(json.dumps(info.attributes, indent=2, default=str), editable=info.writable)
        if is_array(self._node):
            self._stats_rows = [("Chunks stored", "computing…")]
            self._set_rows(info.rows + self._stats_rows)
            stats_request = StorageRequest(self._bridge.next_id(), info.path, self._node)
            self._stats_id = stats_request.request_id
            self._bridge.submit(
                stats_request.request_id,
                lambda token: storage_stats(stats_request.array, token),
                self._on_stats,
                channel=CHANNEL + "-stats",
                priority=Priority.BACKGROUND,
            )
        self.info_shown.emit(info.path)

    def _on_stats(self, response: Response) -> None:
        if response.request_id != self._stats_id or self._info is None:
            return
        if response.error is not None:
            self._stats_rows = [("Chunks stored", f"unavailable: {response.error}")]
        else:
            stats: StorageStats = response.result
            self._stats_rows = stats.rows()
        self._set_rows(self._info.rows + self._stats_rows)

    def _on_saved(self, response: Response) -> None:
        if response.request_id != self._save_id:
            return
        if response.error is not None:
            self.validation.setText(f"Save failed: {response.error}")
            self.save_button.setEnabled(True)
            return
        saved: SavedAttributes = response.result
        attributes = saved.attributes
        self._node = saved.node
        if self._info is not None:
            self._info = NodeInfo(
                path=self._info.path,
                kind=self._info.kind,
                rows=self._info.rows,
                attributes=attributes,
                writable=self._info.writable,
            )
            self._show_attributes(attributes)
            self._set_raw(json.dumps(attributes, indent=2, default=str), editable=True)
            refreshed = " (consolidated metadata refreshed)" if saved.consolidated_refreshed else ""
            self.validation.setText(f"Saved.{refreshed}")
            self.attributes_saved.emit(self._info.path, saved.node)

    # -- helpers --------------------------------------------------------------------------
    def _set_rows(self, rows: list[tuple[str, str]]) -> None:
        self.properties.clear()
        for label, value in rows:
            item = QTreeWidgetItem([label, value])
            item.setToolTip(1, value)
            self.properties.addTopLevelItem(item)

    def _show_attributes(self, attributes: dict[str, Any]) -> None:
        self.attributes.clear()
        for key, value in attributes.items():
            _fill_json_tree(self.attributes, key, value)
        self.attributes.expandToDepth(0)
        if not attributes:
            self.attributes.addTopLevelItem(QTreeWidgetItem(["(no attributes)", ""]))

    def _set_raw(self, text: str, *, editable: bool) -> None:
        self._saved_text = text
        self.raw.blockSignals(True)
        self.raw.setPlainText(text)
        self.raw.blockSignals(False)
        self.raw.setReadOnly(not editable)
        self.save_button.setEnabled(False)
        self.revert_button.setEnabled(False)
        if self._info is None:
            self.validation.setText("")
        else:
            self.validation.setText("" if editable else "Read-only")

    def _validate(self) -> None:
        changed = self.raw.toPlainText() != self._saved_text
        try:
            parse_attributes(self.raw.toPlainText())
        except ValueError as exc:
            self.validation.setText(f"Invalid JSON: {exc}")
            self.save_button.setEnabled(False)
        else:
            self.validation.setText("Modified — press Save to write" if changed else "")
            self.save_button.setEnabled(changed)
        self.revert_button.setEnabled(changed)

    def _revert(self) -> None:
        self.raw.setPlainText(self._saved_text)
