"""Connect dialog: pages, URL <-> fields sync, secrets hidden, test connection off the UI thread."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PySide6.QtWidgets import QCheckBox, QComboBox, QLineEdit, QSpinBox
from pytestqt.qtbot import QtBot

from app.models.connection import Connection, RedisConnection, S3Connection
from app.models.probe import ProbeResult
from app.models.profiles import ProfileStore
from app.qt.dialogs.connect_dialog import ConnectDialog

SECRET = "pa55-w0rd-xyz"


def _dialog(qtbot: QtBot, **kwargs: object) -> ConnectDialog:
    dialog = ConnectDialog(**kwargs)  # type: ignore[arg-type]
    qtbot.addWidget(dialog)
    return dialog


def _type(editor: object, value: object) -> None:
    """Edit a field the way a user would (emits the user-edit signal)."""
    if isinstance(editor, QLineEdit):
        editor.setText(str(value))
        editor.textEdited.emit(str(value))
    elif isinstance(editor, QSpinBox):
        editor.setValue(int(value))  # type: ignore[call-overload]
    elif isinstance(editor, QCheckBox):
        editor.setChecked(bool(value))
    elif isinstance(editor, QComboBox):
        editor.setCurrentText(str(value))


def test_every_kind_has_a_page(qtbot: QtBot) -> None:
    dialog = _dialog(qtbot)
    titles = [dialog.kind_list.item(i).text() for i in range(dialog.kind_list.count())]
    assert titles == [
        "Local",
        "Redis",
        "MongoDB",
        "S3",
        "Azure Blob",
        "Google Cloud Storage",
        "HTTP",
    ]
    assert dialog.pages.count() == len(titles)


def test_fields_update_the_url(qtbot: QtBot) -> None:
    dialog = _dialog(qtbot)
    dialog.kind_list.setCurrentRow(1)  # Redis
    form = dialog.forms["redis"]
    _type(form.editors["host"], "10.0.0.5")
    _type(form.editors["port"], 6380)
    _type(form.editors["db"], 3)
    _type(form.editors["prefix"], "exp")
    _type(form.editors["password"], SECRET)
    assert dialog.url_edit.text() == "redis://10.0.0.5:6380/3?prefix=exp"
    assert dialog.result_url() == "redis://10.0.0.5:6380/3?prefix=exp"
    assert dialog.result_options() == {"password": SECRET}


def test_s3_fields_update_the_url(qtbot: QtBot) -> None:
    dialog = _dialog(qtbot)
    dialog.kind_list.setCurrentRow(3)
    form = dialog.forms["s3"]
    _type(form.editors["bucket"], "lab")
    _type(form.editors["prefix"], "runs/2024")
    _type(form.editors["endpoint_url"], "http://127.0.0.1:9000")
    _type(form.editors["anonymous"], True)
    assert (
        dialog.url_edit.text() == "s3://lab/runs/2024?endpoint_url=http://127.0.0.1:9000&anon=true"
    )
    assert dialog.result_url() == "s3://lab/runs/2024"


@pytest.mark.parametrize(
    ("url", "kind"),
    [
        ("/data/x.zarr", "local"),
        ("mongodb://127.0.0.1:27017/?database=d&collection=c", "mongodb"),
        ("az://box/p?account_url=https://a.blob.core.windows.net", "azure"),
        ("gs://b/p", "gcs"),
        ("https://example.org/x.zarr", "http"),
        ("s3://b/p?region=eu-west-1", "s3"),
    ],
)
def test_url_selects_page_and_fills_fields(qtbot: QtBot, url: str, kind: str) -> None:
    dialog = _dialog(qtbot)
    dialog.set_url(url)
    assert dialog.current_kind() == kind
    assert dialog.connection().to_url() == url


def test_pasted_password_moves_to_hidden_field(qtbot: QtBot) -> None:
    dialog = _dialog(qtbot)
    dialog.set_url(f"redis://:{SECRET}@127.0.0.1:6379/0?prefix=zarr")
    password = dialog.forms["redis"].editors["password"]
    assert isinstance(password, QLineEdit)
    assert password.text() == SECRET
    assert password.echoMode() == QLineEdit.EchoMode.Password
    assert SECRET not in dialog.url_edit.text()
    assert SECRET not in dialog.result_url() + dialog.result_title() + dialog.windowTitle()


def test_url_edit_keeps_typed_secret(qtbot: QtBot) -> None:
    dialog = _dialog(qtbot)
    dialog.set_url("redis://127.0.0.1:6379/0?prefix=zarr")
    _type(dialog.forms["redis"].editors["password"], SECRET)
    dialog.set_url("redis://127.0.0.1:6379/4?prefix=zarr")
    assert dialog.result_options() == {"password": SECRET}


def test_bad_url_shows_error(qtbot: QtBot) -> None:
    dialog = _dialog(qtbot)
    dialog.set_url("ftp://nowhere/x")
    assert "not supported" in dialog.url_error.text()


def test_test_connection_runs_off_thread_and_reports(qtbot: QtBot) -> None:
    import threading

    seen_threads: list[threading.Thread] = []

    def prober(connection: Connection) -> ProbeResult:
        seen_threads.append(threading.current_thread())
        return ProbeResult(
            True, "zarr v2 group, consolidated, 1\u202f204 arrays", "v2", "group", True, 1204
        )

    dialog = _dialog(qtbot, prober=prober)
    dialog.set_url("/tmp/x.zarr")
    with qtbot.waitSignal(dialog.probe_finished):
        dialog.test_connection()
    assert seen_threads and seen_threads[0] is not threading.main_thread()
    assert "1\u202f204 arrays" in dialog.status_label.text()


def test_profiles_save_and_load(qtbot: QtBot, tmp_path: Path) -> None:
    store = ProfileStore(tmp_path / "profiles.json", detect_keyring=False)
    dialog = _dialog(qtbot, profiles=store)
    dialog.set_connection(S3Connection(bucket="b", prefix="p", secret_access_key=SECRET))
    dialog.save_profile("lab")
    assert SECRET not in (tmp_path / "profiles.json").read_text()
    assert (
        json.loads((tmp_path / "profiles.json").read_text())["profiles"]["lab"]["fields"]["bucket"]
        == "b"
    )
    other = _dialog(qtbot, profiles=store)
    assert other.profile_combo.findText("lab") > 0
    other.load_profile("lab")
    assert other.current_kind() == "s3"
    assert other.result_url() == "s3://b/p"
    assert "type it again" in other.status_label.text()
    assert isinstance(other.connection(), S3Connection)
    assert not isinstance(other.connection(), RedisConnection)


def test_open_waits_for_required_fields(qtbot: QtBot) -> None:
    from PySide6.QtWidgets import QDialogButtonBox

    dialog = _dialog(qtbot)
    open_button = dialog.buttons.button(QDialogButtonBox.StandardButton.Open)
    assert dialog.current_kind() == "local"
    assert not open_button.isEnabled() and not dialog.test_button.isEnabled()
    assert open_button.toolTip() == "Fill in: path"
    _type(dialog.forms["local"].editors["path"], "/data/x.zarr")
    assert open_button.isEnabled() and dialog.test_button.isEnabled()
    dialog.kind_list.setCurrentRow(3)  # S3 without a bucket
    assert not open_button.isEnabled()
    dialog.set_url("s3://bucket/p")
    assert open_button.isEnabled()
    dialog.kind_list.setCurrentRow(4)  # Azure: container and connection string needed
    assert open_button.toolTip() == "Fill in: container, connection string"
