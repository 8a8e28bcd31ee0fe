"""AzureBlobStore against a loopback Azurite blob server."""

from __future__ import annotations

import functools
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from azure.core.exceptions import ResourceNotFoundError
from azure.storage.blob import (
    BlobServiceClient,
    ContainerClient,
    ContainerSasPermissions,
    generate_container_sas,
)

from zarrcore.errors import AuthenticationError, NotFoundError, StoreUnavailableError
from zarrcore.store.azure import AzureBlobStore
from zarrcore.store.base import Store
from zarrcore.testing.servers import PrivateProcessServer, free_port, unique_name
from zarrcore.testing.store_contract import StoreContract, StoreFactory
from zarrcore.url import open_store

pytestmark = pytest.mark.azure

ACCOUNT_KEY_FRAGMENT = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq"


@functools.cache
def service(connection_string: str) -> BlobServiceClient:
    return BlobServiceClient.from_connection_string(connection_string)


def _field(connection_string: str, name: str) -> str:
    fields = dict(
        part.split("=", 1) for part in connection_string.strip(";").split(";") if "=" in part
    )
    return fields[name]


@pytest.fixture
def container(azure_connection_string: str) -> Iterator[ContainerClient]:
    client = service(azure_connection_string).create_container(unique_name("zs"))
    yield client
    client.delete_container()


class TestAzureBlobStore(StoreContract):
    secret = ACCOUNT_KEY_FRAGMENT
    check_url_contains = "az://"

    @pytest.fixture
    def store_factory(
        self, azure_connection_string: str, container: ContainerClient
    ) -> StoreFactory:
        def factory(*, read_only: bool = False) -> Store:
            return AzureBlobStore.from_url(
                f"az://{container.container_name}/root/data",
                read_only=read_only,
                connection_string=azure_connection_string,
            )

        self._container = container
        return factory

    def raw_get(self, store: Store, key: str) -> bytes | None:
        assert isinstance(store, AzureBlobStore)
        try:
            return bytes(self._container.download_blob(f"{store.prefix}/{key}").readall())
        except ResourceNotFoundError:
            return None

    def raw_set(self, store: Store, key: str, value: bytes) -> None:
        assert isinstance(store, AzureBlobStore)
        self._container.upload_blob(f"{store.prefix}/{key}", value, overwrite=True)


def test_blob_names_follow_abs_store(
    azure_connection_string: str, container: ContainerClient
) -> None:
    url = f"az://{container.container_name}"
    with AzureBlobStore.from_url(
        url + "/pre/fix", read_only=False, connection_string=azure_connection_string
    ) as store:
        store.set("a/.zarray", b"{}")
    with AzureBlobStore.from_url(
        url, read_only=False, connection_string=azure_connection_string
    ) as store:
        store.set(".zgroup", b"{}")
    assert sorted(container.list_blob_names()) == [".zgroup", "pre/fix/a/.zarray"]


def test_zarr_2_3_leading_slash_blobs_are_read(
    azure_connection_string: str, container: ContainerClient
) -> None:
    """zarr 2.3 wrote '/.zgroup' for an empty prefix (zarr-python#525)."""
    container.upload_blob("/.zgroup", b'{"zarr_format": 2}')
    container.upload_blob("/a/.zarray", b"{}")
    container.upload_blob("/a/0.0", b"chunk")
    store = AzureBlobStore.from_url(
        f"az://{container.container_name}",
        read_only=True,
        connection_string=azure_connection_string,
    )
    assert store.get(".zgroup") == b'{"zarr_format": 2}'
    assert store.get_many(["a/0.0", "a/1.0"]) == {"a/0.0": b"chunk", "a/1.0": None}
    assert sorted(store.list_prefix("")) == [".zgroup", "a/.zarray", "a/0.0"]
    assert store.list_dir("") == [".zgroup", "a"]
    assert store.list_dir("a") == [".zarray", "0.0"]
    store.close()


def test_environment_connection_string_is_used(
    azure_connection_string: str, container: ContainerClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AZURE_STORAGE_CONNECTION_STRING", azure_connection_string)
    container.upload_blob("p/k", b"v")
    store = open_store(f"az://{container.container_name}/p", mode="r")
    assert isinstance(store, AzureBlobStore) and store.get("k") == b"v"
    store.close()


def test_account_url_with_key_and_sas_token(
    azure_connection_string: str, container: ContainerClient
) -> None:
    account = _field(azure_connection_string, "AccountName")
    key = _field(azure_connection_string, "AccountKey")
    account_url = _field(azure_connection_string, "BlobEndpoint")
    container.upload_blob("k", b"v")
    url = f"az://{container.container_name}"
    with AzureBlobStore.from_url(
        url, read_only=True, account_url=account_url, account_name=account, account_key=key
    ) as store:
        assert store.get("k") == b"v"
    sas = generate_container_sas(
        account,
        container.container_name,
        account_key=key,
        permission=ContainerSasPermissions(read=True, list=True),
        expiry=datetime.now(UTC) + timedelta(hours=1),
    )
    with AzureBlobStore.from_url(
        url, read_only=True, account_url=account_url, sas_token=sas
    ) as store:
        assert store.get("k") == b"v"
        assert list(store.list_prefix("")) == ["k"]
        assert store.get_many(["missing", "k"]) == {"missing": None, "k": b"v"}
        assert sas.split("sig=")[1][:10] not in repr(store)


def test_wrong_account_key_is_an_authentication_error(
    azure_connection_string: str, container: ContainerClient
) -> None:
    real = _field(azure_connection_string, "AccountKey")
    wrong_key = "d3Jvbmcta2V5LXZhbHVlLTEyMzQ1Njc4OTA="
    wrong = azure_connection_string.replace(real, wrong_key)
    store = AzureBlobStore.from_url(
        f"az://{container.container_name}", read_only=True, connection_string=wrong, retries=0
    )
    with pytest.raises(AuthenticationError) as info:
        store.get(".zgroup")
    assert isinstance(info.value, PermissionError)
    assert wrong_key not in str(info.value) + repr(store)
    store.close()


def test_missing_container_is_a_clear_not_found_error(azure_connection_string: str) -> None:
    name = unique_name("nocontainer")
    with pytest.raises(NotFoundError, match=f"container '{name}' does not exist") as info:
        AzureBlobStore.from_url(
            f"az://{name}/x", read_only=True, connection_string=azure_connection_string
        )
    assert ACCOUNT_KEY_FRAGMENT not in str(info.value)


def test_unreachable_service_is_unavailable(azure_connection_string: str) -> None:
    endpoint = _field(azure_connection_string, "BlobEndpoint")
    port = endpoint.split(":")[2].split("/")[0]
    dead = azure_connection_string.replace(f":{port}/", f":{free_port()}/")
    with pytest.raises(StoreUnavailableError) as info:
        AzureBlobStore.from_url(
            "az://c/x", read_only=True, connection_string=dead, retries=0, connect_timeout_s=1
        )
    assert ACCOUNT_KEY_FRAGMENT not in str(info.value)


def test_url_query_gives_account_url(
    azure_connection_string: str, container: ContainerClient
) -> None:
    account_url = _field(azure_connection_string, "BlobEndpoint")
    key = _field(azure_connection_string, "AccountKey")
    container.upload_blob("p/k", b"v")
    url = f"az://{container.container_name}/p?account_url={account_url}"
    store = open_store(url, mode="r", account_name="devstoreaccount1", account_key=key)
    assert isinstance(store, AzureBlobStore) and store.get("k") == b"v"
    store.close()


def test_killed_service_fails_fast_with_a_typed_error(
    azure_connection_string: str, private_azurite: PrivateProcessServer
) -> None:
    endpoint = _field(azure_connection_string, "BlobEndpoint")
    port = endpoint.split(":")[2].split("/")[0]
    conn = azure_connection_string.replace(f":{port}/", f":{private_azurite.port}/")
    BlobServiceClient.from_connection_string(conn).create_container("killed")
    store = AzureBlobStore.from_url(
        "az://killed/p", read_only=False, connection_string=conn, retries=1, timeout_s=2
    )
    store.set_many({f"c/{i}": b"x" * 10 for i in range(4)})
    assert store.get("c/0") == b"x" * 10
    private_azurite.stop()  # the service goes away between two reads of one session
    with pytest.raises(StoreUnavailableError) as info:
        store.get_many([f"c/{i}" for i in range(4)])
    assert ACCOUNT_KEY_FRAGMENT not in str(info.value)
    store.close()
