"""Connect dialog: one page per store kind, a URL kept in sync, test off the UI thread, profiles.

Usage by the main window::

    dialog = ConnectDialog(parent)
    if dialog.exec():
        store = zarrcore.open_store(dialog.result_url(), mode="r", **dialog.result_options())

``result_url()`` never contains a secret (safe for titles and recent lists); secrets are only
in ``result_options()``.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QGroupBox,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app.models.connection import CONNECTION_KINDS, Connection, connection_from_url
from app.models.probe import ProbeResult, probe_connection
from app.models.profiles import SECRETS_NOT_SAVED, ProfileStore
from app.qt.background import BackgroundCall
from app.qt.dialogs.connection_form import LABELS, ConnectionForm
from zarrcore.errors import ZarrcoreError

HINTS: dict[str, str] = {
    "local": "A zarr folder (v2 or v3), a .zip file, an SQLite .db file or an N5 container.",
    "redis": "Keys as zarr-python's RedisStore writes them: <prefix>:<key>.",
    "mongodb": "One document per key, as zarr-python's MongoDBStore writes them.",
    "s3": "Amazon S3 or any S3-compatible endpoint (MinIO, Ceph, moto).",
    "azure": "Azure Blob Storage (or Azurite). The connection string holds the account key.",
    "gcs": "Google Cloud Storage through gcsfs (optional extra).",
    "http": "Read-only. Browsable when the hierarchy has consolidated metadata.",
}

Prober = Callable[[Connection], ProbeResult]


class ConnectDialog(QDialog):
    """Pick a store kind, fill in its fields (or paste a URL), test, save, open."""

    probe_finished = Signal(object)  # ProbeResult

    def __init__(
        self,
        parent: QWidget | None = None,
        *,
        profiles: ProfileStore | None = None,
        prober: Prober = probe_connection,
        initial_url: str = "",
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Connect to a zarr store")
        self.setMinimumSize(720, 460)
        self._profiles = profiles
        self._prober = prober
        self._syncing = False
        self._background = BackgroundCall(self)
        self._background.finished.connect(self._on_probe_finished)
        self._background.failed.connect(self._on_probe_failed)

        self.kind_list = QListWidget()
        self.kind_list.setObjectName("kind_list")
        self.kind_list.setFixedWidth(190)
        self.kind_list.setStyleSheet("QListWidget::item { padding: 5px 6px; }")
        self.pages = QStackedWidget()
        self.forms: dict[str, ConnectionForm] = {}
        for cls in CONNECTION_KINDS:
            form = ConnectionForm(cls)
            form.changed.connect(self._fields_changed)
            self.forms[cls.kind] = form
            page = QWidget()
            page_layout = QVBoxLayout(page)
            hint = QLabel(HINTS.get(cls.kind, ""))
            hint.setWordWrap(True)
            hint.setStyleSheet("color: palette(mid);")
            box = QGroupBox(cls.title)
            box_layout = QVBoxLayout(box)
            box_layout.addWidget(form)
            page_layout.addWidget(box)
            page_layout.addWidget(hint)
            page_layout.addStretch(1)
            self.pages.addWidget(page)
            item = QListWidgetItem(cls.title)
            item.setData(Qt.ItemDataRole.UserRole, cls.kind)
            self.kind_list.addItem(item)
        self.kind_list.currentRowChanged.connect(self._kind_changed)

        self.url_edit = QLineEdit()
        self.url_edit.setObjectName("url_edit")
        self.url_edit.setPlaceholderText("or paste a URL: s3://bucket/path, redis://host:6379/0 …")
        self.url_edit.textEdited.connect(self._url_edited)
        self.url_error = QLabel("")
        self.url_error.setStyleSheet("color: #b3261e;")

        self.profile_combo = QComboBox()
        self.profile_combo.setObjectName("profile_combo")
        self.profile_combo.setMinimumWidth(200)
        self.profile_combo.activated.connect(self._profile_chosen)
        self.save_button = QPushButton("Save profile…")
        self.save_button.clicked.connect(self._save_profile)
        self.delete_button = QPushButton("Delete")
        self.delete_button.clicked.connect(self._delete_profile)

        self.test_button = QPushButton("Test connection")
        self.test_button.setObjectName("test_button")
        self.test_button.clicked.connect(self.test_connection)
        self.status_label = QLabel("")
        self.status_label.setObjectName("status_label")
        self.status_label.setWordWrap(True)
        self.status_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Open | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

        top = QHBoxLayout()
        top.addWidget(QLabel("Profile:"))
        top.addWidget(self.profile_combo, 1)
        top.addWidget(self.save_button)
        top.addWidget(self.delete_button)
        url_row = QHBoxLayout()
        url_row.addWidget(QLabel("URL:"))
        url_row.addWidget(self.url_edit, 1)
        middle = QHBoxLayout()
        middle.addWidget(self.kind_list)
        middle.addWidget(self.pages, 1)
        test_row = QHBoxLayout()
        test_row.addWidget(self.test_button)
        test_row.addWidget(self.status_label, 1)
        outer = QVBoxLayout(self)
        outer.addLayout(top)
        outer.addLayout(middle, 1)
        outer.addLayout(url_row)
        outer.addWidget(self.url_error)
        outer.addLayout(test_row)
        outer.addWidget(self.buttons)

        self._reload_profiles()
        self.kind_list.setCurrentRow(0)
        self._update_buttons()
        if initial_url:
            self.set_url(initial_url)

    # -- state ----------------------------------------------------------------------------
    def current_kind(self) -> str:
        item = self.kind_list.currentItem()
        return str(item.data(Qt.ItemDataRole.UserRole)) if item else "local"

    def current_form(self) -> ConnectionForm:
        return self.forms[self.current_kind()]

    def connection(self) -> Connection:
        return self.current_form().connection()

    def set_connection(self, connection: Connection) -> None:
        self._syncing = True
        try:
            self._select_kind(connection.kind)
            self.forms[connection.kind].set_connection(connection)
        finally:
            self._syncing = False
        self._show_url(connection.to_url())
        self._update_buttons()

    def set_url(self, url: str) -> None:
        self.url_edit.setText(url)
        self._url_edited(url)

    def result_url(self) -> str:
        """The URL to open (no secrets)."""
        return self.connection().open_url()

    def result_options(self) -> dict[str, object]:
        """Options for ``zarrcore.open_store`` (secrets only here)."""
        return self.connection().store_options()

    def result_title(self) -> str:
        """A title-safe description of the chosen location."""
        return self.connection().to_url()

    # -- syncing --------------------------------------------------------------------------
    def _select_kind(self, kind: str) -> None:
        for row in range(self.kind_list.count()):
            if self.kind_list.item(row).data(Qt.ItemDataRole.UserRole) == kind:
                self.kind_list.setCurrentRow(row)
                return

    def _kind_changed(self, row: int) -> None:
        self.pages.setCurrentIndex(row)
        if not self._syncing:
            self._fields_changed()

    def _update_buttons(self) -> None:
        """Open and Test wait for the required fields of the current page."""
        missing = self.connection().missing_fields()
        open_button = self.buttons.button(QDialogButtonBox.StandardButton.Open)
        open_button.setEnabled(not missing)
        self.test_button.setEnabled(not missing and not self.is_testing())
        labels = ", ".join(LABELS.get(name, name).lower() for name in missing)
        tip = f"Fill in: {labels}" if missing else ""
        open_button.setToolTip(tip)
        self.test_button.setToolTip(tip)

    def _show_url(self, url: str) -> None:
        self._syncing = True
        try:
            if self.url_edit.text() != url:
                self.url_edit.setText(url)
            self.url_error.setText("")
        finally:
            self._syncing = False

    def _fields_changed(self) -> None:
        if self._syncing:
            return
        self._show_url(self.connection().to_url())
        self.status_label.setText("")
        self._update_buttons()

    def _url_edited(self, text: str) -> None:
        if self._syncing or not text.strip():
            return
        try:
            parsed = connection_from_url(text)
        except (ZarrcoreError, ValueError) as exc:
            self.url_error.setText(str(exc))
            return
        form = self.forms[parsed.kind]
        # secrets typed in the fields survive a URL edit that does not carry them
        kept = form.connection().secrets()
        for name, value in kept.items():
            if not getattr(parsed, name):
                setattr(parsed, name, value)
        self._syncing = True
        try:
            self._select_kind(parsed.kind)
            form.set_connection(parsed)
        finally:
            self._syncing = False
        self.url_error.setText("")
        self._update_buttons()
        clean = parsed.to_url()
        if parsed.has_secrets() and clean != text.strip():
            # a secret pasted into the URL moves to its field and leaves the URL text
            self._show_url(clean)
            self.url_error.setText("The secret in the URL was moved to its (hidden) field.")
            self.url_error.setStyleSheet("color: palette(mid);")
        else:
            self.url_error.setStyleSheet("color: #b3261e;")

    # -- test connection ------------------------------------------------------------------
    def test_connection(self) -> int:
        """Probe the current connection in the thread pool; returns the request id."""
        connection = self.connection()
        self.status_label.setStyleSheet("")
        self.status_label.setText(f"Connecting to {connection.describe()} …")
        self.test_button.setEnabled(False)
        prober = self._prober
        return self._background.submit(lambda: prober(connection))

    def is_testing(self) -> bool:
        return self._background.is_busy()

    def _on_probe_finished(self, _request_id: int, result: object) -> None:
        assert isinstance(result, ProbeResult)
        self.test_button.setEnabled(not self.connection().missing_fields())
        if result.ok:
            self.status_label.setStyleSheet("color: #1b6e20;")
            self.status_label.setText(f"✔ {result.message}  ({result.elapsed_s * 1000:.0f} ms)")
        else:
            self.status_label.setStyleSheet("color: #b3261e;")
            self.status_label.setText(f"✘ {result.message}")
        self.probe_finished.emit(result)

    def _on_probe_failed(self, _request_id: int, exc: object) -> None:
        self._on_probe_finished(_request_id, ProbeResult(False, f"{type(exc).__name__}: {exc}"))

    # -- profiles -------------------------------------------------------------------------
    def _reload_profiles(self, select: str = "") -> None:
        self.profile_combo.clear()
        self.profile_combo.addItem("(new connection)")
        enabled = self._profiles is not None
        self.profile_combo.setEnabled(enabled)
        self.save_button.setEnabled(enabled)
        self.delete_button.setEnabled(enabled)
        if self._profiles is None:
            return
        for name in self._profiles.names():
            self.profile_combo.addItem(name)
        if select:
            self.profile_combo.setCurrentText(select)

    def _profile_chosen(self, index: int) -> None:
        if self._profiles is None or index <= 0:
            return
        self.load_profile(self.profile_combo.itemText(index))

    def load_profile(self, name: str) -> None:
        assert self._profiles is not None
        profile = self._profiles.load(name)
        self.set_connection(profile.connection)
        self.profile_combo.setCurrentText(name)
        if profile.secrets_storage == SECRETS_NOT_SAVED:
            self.status_label.setText("This profile's secret was not saved; type it again.")

    def _save_profile(self) -> None:
        if self._profiles is None:
            return
        current = self.profile_combo.currentText()
        suggested = current if self.profile_combo.currentIndex() > 0 else ""
        name, ok = QInputDialog.getText(self, "Save profile", "Profile name:", text=suggested)
        if not ok or not name.strip():
            return
        allow_plaintext = False
        connection = self.connection()
        if connection.has_secrets() and not self._profiles.has_keyring:
            answer = QMessageBox.question(
                self,
                "No keyring available",
                "No system keyring is available to hold the secret safely.\n\n"
                "Save it in plain text in your private config file? "
                "Choose No to save the profile without it.",
                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                QMessageBox.StandardButton.No,
            )
            allow_plaintext = answer == QMessageBox.StandardButton.Yes
        self.save_profile(name.strip(), allow_plaintext=allow_plaintext)

    def save_profile(self, name: str, *, allow_plaintext: bool = False) -> None:
        assert self._profiles is not None
        self._profiles.save(name, self.connection(), allow_plaintext=allow_plaintext)
        self._reload_profiles(select=name)

    def _delete_profile(self) -> None:
        if self._profiles is None or self.profile_combo.currentIndex() <= 0:
            return
        self._profiles.delete(self.profile_combo.currentText())
        self._reload_profiles()
