"""Connection dataclasses: URL <-> fields round trips, secrets kept out of URLs and reprs."""

from __future__ import annotations

import pytest

from app.models.connection import (
    CONNECTION_KINDS,
    AzureConnection,
    HTTPConnection,
    LocalConnection,
    MongoDBConnection,
    RedisConnection,
    S3Connection,
    connection_from_url,
    kind_for_url,
)

ROUND_TRIP_URLS = [
    "/data/stack.zarr",
    "/data/stack.zip",
    "/data/stack.n5",
    "/data/stack.db",
    "sqlite:////data/other.bin",
    "zip:///data/archive.bin",
    "redis://127.0.0.1:6380/2?prefix=zarr",
    "redis://10.0.0.1:6379/0?prefix=",
    "rediss://alice@redis.example:6379/1?prefix=exp1",
    "mongodb://127.0.0.1:27017/?database=mongodb_zarr&collection=zarr_collection",
    "mongodb://bob@db:27018/?database=d&collection=c&authSource=admin",
    "s3://bucket",
    "s3://bucket/some/prefix?endpoint_url=http://127.0.0.1:9000&region=eu-west-1",
    "s3://open-data/x.zarr?anon=true",
    "az://container/pre/fix?account_url=https://acct.blob.core.windows.net",
    "gs://bucket/p?project=proj&anon=true",
    "https://example.org/data/x.zarr",
]


@pytest.mark.parametrize("url", ROUND_TRIP_URLS)
def test_url_round_trips_through_fields(url: str) -> None:
    conn = connection_from_url(url)
    assert conn.to_url() == url
    again = type(conn).from_fields({**conn.public_fields(), **conn.secrets()})
    assert again == conn


@pytest.mark.parametrize("cls", CONNECTION_KINDS)
def test_default_fields_round_trip_through_url(cls: type) -> None:
    conn = cls()
    if isinstance(conn, LocalConnection):
        conn.path = "/tmp/x.zarr"
    elif hasattr(conn, "bucket"):
        conn.bucket = "b"
    elif hasattr(conn, "container"):
        conn.container = "c"
    elif isinstance(conn, HTTPConnection):
        conn.url = "http://h/x"
    assert type(conn).from_url(conn.to_url()).to_url() == conn.to_url()


def test_password_in_pasted_url_moves_to_secret_field() -> None:
    conn = connection_from_url("redis://user:hunter2@127.0.0.1:6379/3?prefix=p")
    assert isinstance(conn, RedisConnection)
    assert conn.password == "hunter2"
    assert conn.db == 3 and conn.prefix == "p" and conn.username == "user"
    assert "hunter2" not in conn.to_url()
    assert "hunter2" not in repr(conn)
    assert "hunter2" not in conn.describe()
    assert conn.store_options() == {"password": "hunter2"}


def test_mongodb_password_is_a_secret() -> None:
    conn = connection_from_url("mongodb://u:s3cret@h:27017/?database=d&collection=c")
    assert isinstance(conn, MongoDBConnection)
    assert conn.password == "s3cret"
    assert "s3cret" not in conn.to_url() + repr(conn) + conn.describe()


def test_s3_secrets_only_in_store_options() -> None:
    conn = S3Connection(
        bucket="b",
        prefix="p",
        endpoint_url="http://127.0.0.1:9000",
        access_key_id="AKIA",
        secret_access_key="SECRETKEY",
    )
    assert conn.secret_fields() == ("secret_access_key", "session_token")
    assert "SECRETKEY" not in conn.to_url() + repr(conn)
    assert conn.open_url() == "s3://b/p"
    assert conn.store_options() == {
        "endpoint_url": "http://127.0.0.1:9000",
        "key": "AKIA",
        "secret": "SECRETKEY",
    }


def test_azure_connection_string_gives_account_url_but_stays_secret() -> None:
    conn = AzureConnection(
        container="c",
        connection_string=(
            "DefaultEndpointsProtocol=http;AccountName=dev;AccountKey=TOPSECRET==;"
            "BlobEndpoint=http://127.0.0.1:10000/dev;"
        ),
    )
    assert conn.to_url() == "az://c?account_url=http://127.0.0.1:10000/dev"
    assert "TOPSECRET" not in conn.to_url() + repr(conn)
    assert conn.store_options() == {"connection_string": conn.connection_string}


def test_azure_sas_in_pasted_url_moves_to_secret_field() -> None:
    conn = connection_from_url(
        "az://c/p?account_url=https://a.blob.core.windows.net&sas_token=sv%3Dx"
    )
    assert isinstance(conn, AzureConnection)
    assert conn.auth == "sas" and conn.sas_token == "sv=x"
    assert "sv" not in conn.to_url()


def test_http_userinfo_is_removed_from_url() -> None:
    conn = connection_from_url("https://me:pw@example.org:8443/x.zarr")
    assert isinstance(conn, HTTPConnection)
    assert conn.url == "https://example.org:8443/x.zarr"
    assert conn.password == "pw"
    assert conn.store_options() == {"headers": {"Authorization": "Basic bWU6cHc="}}


def test_kind_for_url() -> None:
    assert kind_for_url("/x") == "local"
    assert kind_for_url("abfs://c") == "azure"
    assert kind_for_url("gcs://b") == "gcs"


def test_mongodb_credentials_go_to_client_kwargs() -> None:
    conn = MongoDBConnection(username="u", password="pw")
    assert conn.store_options() == {"client_kwargs": {"username": "u", "password": "pw"}}
    assert "pw" not in conn.open_url()


def test_azure_account_name_from_account_url() -> None:
    cloud = AzureConnection(
        container="c",
        auth="account_key",
        account_key="k",
        account_url="https://acct.blob.core.windows.net",
    )
    assert cloud.store_options()["account_name"] == "acct"
    emulator = AzureConnection(
        container="c", auth="anonymous", account_url="http://127.0.0.1:10000/devstoreaccount1"
    )
    assert emulator.store_options() == {
        "account_url": emulator.account_url,
        "account_name": "devstoreaccount1",
        "anon": True,
    }
