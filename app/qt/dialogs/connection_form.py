"""One form page per connection kind, generated from the connection dataclass fields."""

from __future__ import annotations

import dataclasses
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QWidget,
)

from app.models.connection import AzureConnection, Connection, LocalConnection

#: field name -> human label
LABELS: dict[str, str] = {
    "path": "Path",
    "format": "Format",
    "host": "Host",
    "port": "Port",
    "db": "Database number",
    "prefix": "Key prefix",
    "username": "User name",
    "password": "Password",
    "tls": "Use TLS (rediss://)",
    "database": "Database",
    "collection": "Collection",
    "auth_source": "Auth database",
    "bucket": "Bucket",
    "endpoint_url": "Endpoint URL",
    "region": "Region",
    "anonymous": "Anonymous (public data)",
    "profile": "AWS profile",
    "access_key_id": "Access key ID",
    "secret_access_key": "Secret access key",
    "session_token": "Session token",
    "container": "Container",
    "account_url": "Account URL",
    "auth": "Authentication",
    "account_key": "Account key",
    "sas_token": "SAS token",
    "connection_string": "Connection string",
    "project": "Project",
    "token_file": "Service-account key file",
    "url": "URL",
    "bearer_token": "Bearer token",
}

PLACEHOLDERS: dict[str, str] = {
    "path": "/path/to/data.zarr, .zip, .n5 or .db",
    "endpoint_url": "empty for AWS; http://127.0.0.1:9000 for MinIO",
    "region": "e.g. eu-west-1",
    "account_url": "https://<account>.blob.core.windows.net",
    "url": "https://example.org/data.zarr",
    "prefix": "folder inside the bucket / key prefix",
}

CHOICES: dict[str, tuple[str, ...]] = {
    "format": LocalConnection.FORMATS,
    "auth": AzureConnection.AUTH,
}


class ConnectionForm(QWidget):
    """Edits one Connection subclass. Emits ``changed`` on every user edit."""

    changed = Signal()

    def __init__(self, cls: type[Connection], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.connection_class = cls
        self.editors: dict[str, QWidget] = {}
        layout = QFormLayout(self)
        layout.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        secrets = cls.secret_fields()
        defaults = cls()
        for f in dataclasses.fields(cls):
            editor = self._make_editor(f.name, f.type, f.name in secrets, getattr(defaults, f.name))
            editor.setObjectName(f"{cls.kind}_{f.name}")
            self.editors[f.name] = editor
            row: QWidget = editor
            if cls is LocalConnection and f.name == "path":
                row = self._with_browse(editor)
            layout.addRow(LABELS.get(f.name, f.name), row)
        if cls is AzureConnection:
            self._update_azure_rows()

    # -- building -------------------------------------------------------------------------
    def _make_editor(self, name: str, type_name: Any, secret: bool, default: Any) -> QWidget:
        if name in CHOICES:
            combo = QComboBox()
            combo.addItems(list(CHOICES[name]))
            combo.currentTextChanged.connect(self._on_edit)
            return combo
        if type_name in ("int", int):
            spin = QSpinBox()
            spin.setRange(0, 65535)
            spin.setValue(int(default))
            spin.valueChanged.connect(self._on_edit)
            return spin
        if type_name in ("bool", bool):
            check = QCheckBox()
            check.setChecked(bool(default))
            check.toggled.connect(self._on_edit)
            return check
        line = QLineEdit(str(default))
        line.setPlaceholderText(PLACEHOLDERS.get(name, ""))
        if secret:
            line.setEchoMode(QLineEdit.EchoMode.Password)
            line.setPlaceholderText("not shown, never saved in plain text")
        line.textEdited.connect(self._on_edit)
        return line

    def _with_browse(self, editor: QWidget) -> QWidget:
        box = QWidget()
        row = QHBoxLayout(box)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(editor, 1)
        folder = QPushButton("Folder…")
        folder.clicked.connect(self._browse_folder)
        file = QPushButton("File…")
        file.clicked.connect(self._browse_file)
        row.addWidget(folder)
        row.addWidget(file)
        return box

    def _browse_folder(self) -> None:
        path = QFileDialog.getExistingDirectory(self, "Open zarr or N5 folder")
        if path:
            self._set_path(path)

    def _browse_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, "Open zarr file", "", "Zarr files (*.zip *.db *.sqlite *.sqlite3);;All (*)"
        )
        if path:
            self._set_path(path)

    def _set_path(self, path: str) -> None:
        editor = self.editors["path"]
        assert isinstance(editor, QLineEdit)
        editor.setText(path)
        self._on_edit()

    def _on_edit(self, *_: object) -> None:
        if self.connection_class is AzureConnection:
            self._update_azure_rows()
        self.changed.emit()

    def _update_azure_rows(self) -> None:
        """Show only the credential field the chosen Azure authentication needs."""
        layout = self.layout()
        assert isinstance(layout, QFormLayout)
        auth = self.value("auth")
        visible = {
            "account_url": auth != "connection_string",
            "account_key": auth == "account_key",
            "sas_token": auth == "sas",
            "connection_string": auth == "connection_string",
        }
        for name, show in visible.items():
            layout.setRowVisible(self.editors[name], show)

    # -- values ---------------------------------------------------------------------------
    def value(self, name: str) -> Any:
        editor = self.editors[name]
        if isinstance(editor, QComboBox):
            return editor.currentText()
        if isinstance(editor, QSpinBox):
            return editor.value()
        if isinstance(editor, QCheckBox):
            return editor.isChecked()
        assert isinstance(editor, QLineEdit)
        return editor.text().strip()

    def connection(self) -> Connection:
        return self.connection_class.from_fields({name: self.value(name) for name in self.editors})

    def set_connection(self, connection: Connection) -> None:
        """Show ``connection`` without emitting ``changed``."""
        for name, editor in self.editors.items():
            value = getattr(connection, name)
            editor.blockSignals(True)
            try:
                if isinstance(editor, QComboBox):
                    editor.setCurrentText(str(value))
                elif isinstance(editor, QSpinBox):
                    editor.setValue(int(value))
                elif isinstance(editor, QCheckBox):
                    editor.setChecked(bool(value))
                elif isinstance(editor, QLineEdit):
                    editor.setText(str(value))
            finally:
                editor.blockSignals(False)
        if self.connection_class is AzureConnection:
            self._update_azure_rows()
