"""Connect dialog pages against the real loopback servers: found data, wrong password, down."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from app.models.probe import ProbeResult
from app.qt.dialogs.connect_dialog import ConnectDialog
from zarrcore.store.base import Store
from zarrcore.testing.servers import (
    PrivateRedis,
    StaticHTTPServer,
    free_port,
    require_env,
    s3_client,
    unique_name,
)
from zarrcore.url import open_store

ZMETADATA = {
    "zarr_consolidated_format": 1,
    "metadata": {
        ".zgroup": {"zarr_format": 2},
        "a/.zarray": {
            "zarr_format": 2,
            "shape": [4],
            "chunks": [2],
            "dtype": "<i4",
            "compressor": None,
            "fill_value": 0,
            "filters": None,
            "order": "C",
        },
        "b/.zarray": {
            "zarr_format": 2,
            "shape": [4],
            "chunks": [2],
            "dtype": "<i4",
            "compressor": None,
            "fill_value": 0,
            "filters": None,
            "order": "C",
        },
        "g/.zgroup": {"zarr_format": 2},
    },
}


def _populate(store: Store) -> None:
    for key, doc in ZMETADATA["metadata"].items():  # type: ignore[attr-defined]
        store.set(key, json.dumps(doc).encode())
    store.set(".zmetadata", json.dumps(ZMETADATA).encode())


def _probe(qtbot: QtBot, url: str, **fields: object) -> tuple[ConnectDialog, ProbeResult]:
    dialog = ConnectDialog()
    qtbot.addWidget(dialog)
    dialog.set_url(url)
    form = dialog.current_form()
    for name, value in fields.items():
        editor = form.editors[name]
        editor.setText(str(value))  # type: ignore[attr-defined]
    with qtbot.waitSignal(dialog.probe_finished, timeout=60_000) as blocker:
        dialog.test_connection()
    result = blocker.args[0]
    assert isinstance(result, ProbeResult)
    return dialog, result


def _secret_free(dialog: ConnectDialog, secret: str) -> None:
    shown = dialog.status_label.text() + dialog.url_edit.text() + dialog.windowTitle()
    assert secret not in shown


def test_local_page_reports_consolidated_group(qtbot: QtBot, tmp_path: Path) -> None:
    root = tmp_path / "data.zarr"
    store = open_store(str(root), mode="w")
    _populate(store)
    store.close()
    dialog, result = _probe(qtbot, str(root))
    assert result.ok, result.message
    assert result.message == "zarr v2 group, consolidated, 2 arrays"
    assert "2 arrays" in dialog.status_label.text()


def test_http_page_reports_consolidated_group(qtbot: QtBot, tmp_path: Path) -> None:
    root = tmp_path / "served" / "data.zarr"
    store = open_store(str(root), mode="w")
    _populate(store)
    store.close()
    server = StaticHTTPServer(str(tmp_path / "served"))
    try:
        dialog, result = _probe(qtbot, f"{server.url}/data.zarr")
        missing_dialog, missing = _probe(qtbot, f"{server.url}/nothing.zarr")
    finally:
        server.stop()
    assert dialog.current_kind() == "http"
    assert result.ok, result.message
    assert result.message == "zarr v2 group, consolidated, 2 arrays"
    assert missing.ok and "no zarr metadata" in missing.message
    assert missing_dialog.current_kind() == "http"


def test_local_page_missing_folder_is_a_clear_error(qtbot: QtBot, tmp_path: Path) -> None:
    _dialog, result = _probe(qtbot, str(tmp_path / "nope.zarr"))
    assert not result.ok
    assert result.message.startswith("No such file or folder")


# -- Redis ------------------------------------------------------------------------------------
@pytest.fixture
def redis_url() -> Iterator[str]:
    base = require_env("ZARRSCOPE_TEST_REDIS_URL")
    prefix = unique_name("dlg")
    url = f"{base}?prefix={prefix}"
    store = open_store(url, mode="w")
    _populate(store)
    yield url
    store.delete_prefix("")
    store.close()


@pytest.mark.redis
def test_redis_page_reports_consolidated_group(qtbot: QtBot, redis_url: str) -> None:
    dialog, result = _probe(qtbot, redis_url)
    assert dialog.current_kind() == "redis"
    assert result.ok, result.message
    assert result.message == "zarr v2 group, consolidated, 2 arrays"


@pytest.mark.redis
def test_redis_page_wrong_password(qtbot: QtBot) -> None:
    require_env("ZARRSCOPE_TEST_REDIS_URL")
    with PrivateRedis(password="right-pw-123") as server:
        dialog, result = _probe(qtbot, server.url(), password="wrong-pw-456")
    assert not result.ok
    assert "Authentication" in result.message or "credential" in result.message.lower()
    _secret_free(dialog, "wrong-pw-456")
    _secret_free(dialog, "right-pw-123")


@pytest.mark.redis
def test_redis_page_server_down(qtbot: QtBot) -> None:
    require_env("ZARRSCOPE_TEST_REDIS_URL")
    _dialog, result = _probe(qtbot, f"redis://127.0.0.1:{free_port()}/0?prefix=zarr")
    assert not result.ok
    assert "Unavailable" in result.message or "connect" in result.message.lower()


# -- S3 (moto) --------------------------------------------------------------------------------
@pytest.fixture
def s3_bucket() -> Iterator[tuple[str, str]]:
    endpoint = require_env("ZARRSCOPE_TEST_S3_ENDPOINT")
    bucket = unique_name("dlg")
    client = s3_client(endpoint)
    client.create_bucket(Bucket=bucket)
    store = open_store(
        f"s3://{bucket}/data", mode="w", endpoint_url=endpoint, key="testing", secret="testing"
    )
    _populate(store)
    store.close()
    yield endpoint, bucket


@pytest.mark.s3
def test_s3_page_reports_consolidated_group(qtbot: QtBot, s3_bucket: tuple[str, str]) -> None:
    endpoint, bucket = s3_bucket
    dialog, result = _probe(
        qtbot,
        f"s3://{bucket}/data?endpoint_url={endpoint}",
        access_key_id="testing",
        secret_access_key="testing",
    )
    assert dialog.current_kind() == "s3"
    assert result.ok, result.message
    assert result.message == "zarr v2 group, consolidated, 2 arrays"


@pytest.mark.s3
def test_s3_page_missing_bucket(qtbot: QtBot) -> None:
    endpoint = require_env("ZARRSCOPE_TEST_S3_ENDPOINT")
    dialog, result = _probe(
        qtbot,
        f"s3://{unique_name('none')}/x?endpoint_url={endpoint}",
        access_key_id="testing",
        secret_access_key="s3-secret-value",
    )
    assert not result.ok
    assert "does not exist" in result.message
    _secret_free(dialog, "s3-secret-value")


@pytest.mark.s3
def test_s3_page_server_down(qtbot: QtBot) -> None:
    require_env("ZARRSCOPE_TEST_S3_ENDPOINT")
    _dialog, result = _probe(
        qtbot,
        f"s3://b/x?endpoint_url=http://127.0.0.1:{free_port()}",
        access_key_id="testing",
        secret_access_key="testing",
    )
    assert not result.ok
    assert "Unavailable" in result.message


# -- MongoDB (wire-protocol server) -----------------------------------------------------------
@pytest.fixture
def mongodb_url() -> Iterator[str]:
    base = require_env("ZARRSCOPE_TEST_MONGODB_URL").rstrip("/")
    collection = unique_name("dlg").replace("-", "_")  # mongo: letters, digits, underscores
    url = f"{base}/?database=zarrscope_dialog&collection={collection}"
    store = open_store(url, mode="w")
    try:
        _populate(store)
        yield url
        store.delete_prefix("")
    finally:
        store.close()


@pytest.mark.mongodb
def test_mongodb_page_reports_consolidated_group(qtbot: QtBot, mongodb_url: str) -> None:
    dialog, result = _probe(qtbot, mongodb_url)
    assert dialog.current_kind() == "mongodb"
    assert result.ok, result.message
    assert result.message == "zarr v2 group, consolidated, 2 arrays"


@pytest.mark.mongodb
def test_mongodb_page_server_down(qtbot: QtBot) -> None:
    require_env("ZARRSCOPE_TEST_MONGODB_URL")
    url = f"mongodb://127.0.0.1:{free_port()}/?database=d&collection=c"
    dialog, result = _probe(qtbot, url, username="me", password="mongo-pw-789")
    assert not result.ok
    assert "Unavailable" in result.message
    _secret_free(dialog, "mongo-pw-789")


# -- Azure Blob (Azurite) ---------------------------------------------------------------------
def _azure_container(connection_string: str) -> str:
    from azure.storage.blob import ContainerClient

    container = unique_name("dlg")
    ContainerClient.from_connection_string(connection_string, container).create_container()
    store = open_store(f"az://{container}/data", mode="w", connection_string=connection_string)
    _populate(store)
    store.close()
    return container


def _azure_fields(connection_string: str) -> dict[str, str]:
    return dict(p.split("=", 1) for p in connection_string.split(";") if "=" in p)


@pytest.mark.azure
def test_azure_page_with_connection_string(qtbot: QtBot) -> None:
    connection_string = require_env("ZARRSCOPE_TEST_AZURE_CONNECTION_STRING")
    container = _azure_container(connection_string)
    dialog, result = _probe(qtbot, f"az://{container}/data", connection_string=connection_string)
    assert dialog.current_kind() == "azure"
    assert result.ok, result.message
    assert result.message == "zarr v2 group, consolidated, 2 arrays"
    account_key = _azure_fields(connection_string)["AccountKey"]
    _secret_free(dialog, account_key)


@pytest.mark.azure
def test_azure_page_with_account_key(qtbot: QtBot) -> None:
    connection_string = require_env("ZARRSCOPE_TEST_AZURE_CONNECTION_STRING")
    container = _azure_container(connection_string)
    fields = _azure_fields(connection_string)
    url = f"az://{container}/data?account_url={fields['BlobEndpoint']}"
    dialog, result = _probe(qtbot, url, account_key=fields["AccountKey"])
    assert dialog.forms["azure"].value("auth") == "account_key"
    assert result.ok, result.message
    assert result.message == "zarr v2 group, consolidated, 2 arrays"


@pytest.mark.azure
def test_azure_page_wrong_key(qtbot: QtBot) -> None:
    connection_string = require_env("ZARRSCOPE_TEST_AZURE_CONNECTION_STRING")
    container = _azure_container(connection_string)
    fields = _azure_fields(connection_string)
    wrong = "V3JvbmdLZXlXcm9uZ0tleVdyb25nS2V5V3JvbmdLZXk="
    url = f"az://{container}/data?account_url={fields['BlobEndpoint']}"
    dialog, result = _probe(qtbot, url, account_key=wrong)
    assert not result.ok
    assert "Authentication" in result.message or "denied" in result.message.lower()
    _secret_free(dialog, wrong)


@pytest.mark.azure
def test_azure_page_server_down(qtbot: QtBot) -> None:
    require_env("ZARRSCOPE_TEST_AZURE_CONNECTION_STRING")
    port = free_port()
    secret = "RG93bktleURvd25LZXlEb3duS2V5RG93bktleQ=="
    down = (
        f"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={secret};"
        f"BlobEndpoint=http://127.0.0.1:{port}/devstoreaccount1;"
    )
    dialog, result = _probe(qtbot, "az://c/data", connection_string=down)
    assert not result.ok
    assert "Unavailable" in result.message
    _secret_free(dialog, secret)


@pytest.mark.s3
def test_s3_page_wrong_secret(qtbot: QtBot) -> None:
    import sys

    from zarrcore.testing.servers import PrivateMoto

    require_env("ZARRSCOPE_TEST_S3_ENDPOINT")
    server = PrivateMoto(str(Path(sys.executable).with_name("moto_server")))  # checks keys
    try:
        wrong = "wrong-secret-value-321"
        dialog, result = _probe(
            qtbot,
            f"s3://any-bucket/x?endpoint_url={server.endpoint}",
            access_key_id="AKIAWRONGKEY",
            secret_access_key=wrong,
        )
    finally:
        server.stop()
    assert not result.ok
    assert "Authentication" in result.message
    _secret_free(dialog, wrong)
