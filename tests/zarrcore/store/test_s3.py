"""S3Store (s3fs) against a loopback moto server."""

from __future__ import annotations

import functools
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from zarrcore.errors import AuthenticationError, NotFoundError, StoreUnavailableError
from zarrcore.store.base import Store
from zarrcore.store.s3 import S3Store
from zarrcore.testing import servers
from zarrcore.testing.servers import PrivateMoto, free_port, unique_name
from zarrcore.testing.store_contract import StoreContract, StoreFactory
from zarrcore.url import open_store

pytestmark = pytest.mark.s3

KEY, SECRET = "testing-key", "testing-secret-5xyz"


@functools.cache
def s3_client(endpoint: str) -> Any:
    return servers.s3_client(endpoint, KEY, SECRET)


@pytest.fixture(scope="module")
def module_bucket(s3_endpoint_module: str) -> Iterator[str]:
    name = unique_name("zs")
    client = s3_client(s3_endpoint_module)
    client.create_bucket(Bucket=name)
    yield name
    empty_bucket(client, name)
    client.delete_bucket(Bucket=name)


def empty_bucket(client: Any, name: str) -> None:
    for page in client.get_paginator("list_objects_v2").paginate(Bucket=name):
        keys = [{"Key": item["Key"]} for item in page.get("Contents", [])]
        if keys:
            client.delete_objects(Bucket=name, Delete={"Objects": keys, "Quiet": True})


@pytest.fixture
def bucket(module_bucket: str) -> str:
    """A bucket for this module (bucket creation is slow) plus a unique prefix per test."""
    return f"{module_bucket}/{unique_name('t')}"


def open_s3(url: str, endpoint: str, *, read_only: bool = False, **options: Any) -> S3Store:
    return S3Store.from_url(
        url, read_only=read_only, endpoint_url=endpoint, key=KEY, secret=SECRET, **options
    )


class TestS3Store(StoreContract):
    secret = SECRET
    check_url_contains = "s3://"

    @pytest.fixture
    def store_factory(self, s3_endpoint: str, bucket: str) -> StoreFactory:
        def factory(*, read_only: bool = False) -> Store:
            return open_s3(f"s3://{bucket}/root/data", s3_endpoint, read_only=read_only)

        return factory

    def _object(self, store: Store, key: str) -> tuple[Any, str, str]:
        assert isinstance(store, S3Store)
        bucket, _, prefix = store.root.partition("/")
        endpoint = store.fs.client_kwargs.get("endpoint_url") or store.fs.endpoint_url
        return s3_client(endpoint), bucket, f"{prefix}/{key}"

    def raw_get(self, store: Store, key: str) -> bytes | None:
        client, bucket, name = self._object(store, key)
        try:
            return bytes(client.get_object(Bucket=bucket, Key=name)["Body"].read())
        except client.exceptions.NoSuchKey:
            return None

    def raw_set(self, store: Store, key: str, value: bytes) -> None:
        client, bucket, name = self._object(store, key)
        client.put_object(Bucket=bucket, Key=name, Body=value)


def test_layout_is_bucket_prefix_key(s3_endpoint: str, bucket: str) -> None:
    store = open_s3(f"s3://{bucket}/p/q", s3_endpoint)
    store.set("arr/.zarray", b"{}")
    client = s3_client(s3_endpoint)
    name, _, test_prefix = bucket.partition("/")
    got = client.get_object(Bucket=name, Key=f"{test_prefix}/p/q/arr/.zarray")["Body"].read()
    assert got == b"{}"
    store.close()


def test_get_many_batches_and_maps_missing_to_none(s3_endpoint: str, bucket: str) -> None:
    store = open_s3(f"s3://{bucket}", s3_endpoint, max_concurrency=4)
    store.set_many({f"c/{i}": bytes([i]) * 10 for i in range(10)})
    got = store.get_many([f"c/{i}" for i in range(12)])
    assert got == {f"c/{i}": (bytes([i]) * 10 if i < 10 else None) for i in range(12)}
    store.close()


def test_open_store_passes_options(s3_endpoint: str, bucket: str) -> None:
    store = open_store(
        f"s3://{bucket}/x", mode="r", endpoint_url=s3_endpoint, key=KEY, secret=SECRET
    )
    assert isinstance(store, S3Store) and store.read_only
    store.close()


def test_missing_bucket_is_a_clear_not_found_error(s3_endpoint: str) -> None:
    name = unique_name("nobucket")
    with pytest.raises(NotFoundError) as info:
        open_s3(f"s3://{name}/x", s3_endpoint)
    assert f"bucket {name!r} does not exist" in str(info.value)
    assert SECRET not in str(info.value)


def test_missing_key_is_distinct_from_missing_bucket(s3_endpoint: str, bucket: str) -> None:
    store = open_s3(f"s3://{bucket}", s3_endpoint)
    with pytest.raises(NotFoundError) as info:
        store.get("nope/.zarray")
    assert "bucket" not in str(info.value) and info.value.key == "nope/.zarray"
    store.close()


def test_environment_credentials_are_used(
    s3_endpoint: str, bucket: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", KEY)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", SECRET)
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    name, _, test_prefix = bucket.partition("/")
    s3_client(s3_endpoint).put_object(Bucket=name, Key=f"{test_prefix}/k", Body=b"v")
    store = S3Store.from_url(f"s3://{bucket}", read_only=True, endpoint_url=s3_endpoint)
    assert store.get("k") == b"v"
    store.close()


def test_unknown_option_is_rejected(s3_endpoint: str, bucket: str) -> None:
    from zarrcore.errors import UnsupportedError

    with pytest.raises(UnsupportedError, match="endpiont"):
        S3Store.from_url(f"s3://{bucket}", read_only=True, endpiont=s3_endpoint)


def test_wrong_credentials_are_an_authentication_error(
    private_moto_with_auth: PrivateMoto,
) -> None:
    store = S3Store.from_url(
        "s3://any-bucket/x",
        read_only=True,
        endpoint_url=private_moto_with_auth.endpoint,
        key="AKIAWRONGKEY",
        secret="wrong-secret-value-987",
        retries=0,
    )
    with pytest.raises(AuthenticationError) as info:
        store.get(".zgroup")
    assert isinstance(info.value, PermissionError)
    assert "wrong-secret-value-987" not in str(info.value) + repr(store)
    store.close()


def test_unreachable_endpoint_is_unavailable() -> None:
    with pytest.raises(StoreUnavailableError) as info:
        S3Store.from_url(
            "s3://b/x",
            read_only=True,
            endpoint_url=f"http://127.0.0.1:{free_port()}",
            key=KEY,
            secret=SECRET,
            retries=0,
            connect_timeout_s=1,
        )
    assert SECRET not in str(info.value)


def test_anonymous_access_sends_no_credentials(s3_endpoint: str, bucket: str) -> None:
    name, _, test_prefix = bucket.partition("/")
    client = s3_client(s3_endpoint)
    client.put_object(Bucket=name, Key=f"{test_prefix}/pub", Body=b"open", ACL="public-read")
    client.put_object(Bucket=name, Key=f"{test_prefix}/private", Body=b"closed")
    store = S3Store.from_url(f"s3://{bucket}", read_only=True, endpoint_url=s3_endpoint, anon=True)
    assert store.get("pub") == b"open"
    with pytest.raises(AuthenticationError):  # a 403 is never read as a missing chunk
        store.get("private")
    with pytest.raises(AuthenticationError):
        store.get_many(["pub", "private"])
    store.close()


def test_named_profile_supplies_credentials(
    s3_endpoint: str, bucket: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    credentials = tmp_path / "credentials"
    credentials.write_text(
        f"[zarrscope-test]\naws_access_key_id = {KEY}\naws_secret_access_key = {SECRET}\n"
    )
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(credentials))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "config"))
    monkeypatch.delenv("AWS_ACCESS_KEY_ID", raising=False)
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY", raising=False)
    name, _, test_prefix = bucket.partition("/")
    s3_client(s3_endpoint).put_object(Bucket=name, Key=f"{test_prefix}/k", Body=b"v")
    store = S3Store.from_url(
        f"s3://{bucket}", read_only=True, endpoint_url=s3_endpoint, profile="zarrscope-test"
    )
    assert store.get("k") == b"v"
    assert SECRET not in repr(store)
    store.close()


def test_url_query_gives_endpoint_but_options_win(s3_endpoint: str, bucket: str) -> None:
    name, _, test_prefix = bucket.partition("/")
    s3_client(s3_endpoint).put_object(Bucket=name, Key=f"{test_prefix}/k", Body=b"v")
    url = f"s3://{bucket}?endpoint_url={s3_endpoint}&region=us-east-1"
    store = open_store(url, mode="r", key=KEY, secret=SECRET)
    assert isinstance(store, S3Store) and store.get("k") == b"v"
    store.close()
    with pytest.raises(StoreUnavailableError):
        open_store(
            url,
            mode="r",
            key=KEY,
            secret=SECRET,
            endpoint_url=f"http://127.0.0.1:{free_port()}",
            retries=0,
            connect_timeout_s=1,
        )


def test_no_credentials_anywhere_is_an_authentication_error(
    s3_endpoint: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    with pytest.raises(AuthenticationError, match="anon=True"):
        S3Store.from_url("s3://b/x", read_only=True, endpoint_url=s3_endpoint, retries=0)
