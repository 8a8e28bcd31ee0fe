"""MongoDBStore against a loopback MongoDB wire-protocol server.

No mongod is packaged for this machine, so the server is whatever
``ZARRSCOPE_TEST_MONGODB_SERVER`` names (nx-27017 from PyPI under ``make test``). The name
appears in the test ids and in assertion messages so a report says what was tested.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pymongo
import pytest

from zarrcore.errors import NotFoundError, StoreUnavailableError, UnsupportedError
from zarrcore.store.base import Store
from zarrcore.store.mongodb import MongoDBStore
from zarrcore.testing.servers import PrivateProcessServer, free_port, unique_name
from zarrcore.testing.store_contract import StoreContract, StoreFactory
from zarrcore.url import open_store

pytestmark = pytest.mark.mongodb

SERVER = os.environ.get("ZARRSCOPE_TEST_MONGODB_SERVER", "unnamed-server")


def _collection(store: Store) -> Any:
    assert isinstance(store, MongoDBStore)
    client: Any = pymongo.MongoClient(store._url.split("?")[0], serverSelectionTimeoutMS=5000)
    return client, client[store.database][store.collection_name]


@pytest.fixture
def collection_url(mongodb_url: str) -> Iterator[str]:
    name = unique_name("zarr").replace("-", "_")
    yield f"{mongodb_url.rstrip('/')}/?database=zarrscope_tests&collection={name}"
    client: Any = pymongo.MongoClient(mongodb_url, serverSelectionTimeoutMS=5000)
    client["zarrscope_tests"].drop_collection(name)
    client.close()


@pytest.mark.parametrize("server", [SERVER], ids=[f"server={SERVER}"])
class TestMongoDBStore(StoreContract):
    check_url_contains = "mongodb://127.0.0.1"

    @pytest.fixture
    def store_factory(self, collection_url: str, server: str) -> StoreFactory:
        def factory(*, read_only: bool = False) -> Store:
            return MongoDBStore.from_url(collection_url, read_only=read_only)

        return factory

    def raw_get(self, store: Store, key: str) -> bytes | None:
        client, collection = _collection(store)
        doc = collection.find_one({"key": key})
        client.close()
        return None if doc is None else bytes(doc["value"])

    def raw_set(self, store: Store, key: str, value: bytes) -> None:
        client, collection = _collection(store)
        collection.replace_one({"key": key}, {"key": key, "value": value}, upsert=True)
        client.close()


def test_documents_use_the_zarr_python_layout(collection_url: str) -> None:
    store = MongoDBStore.from_url(collection_url, read_only=False)
    store.set("a/.zarray", b"{}")
    client, collection = _collection(store)
    docs = list(collection.find({}, {"_id": 0}))
    client.close()
    assert docs == [{"key": "a/.zarray", "value": b"{}"}], f"server: {SERVER}"
    store.close()


def test_defaults_match_zarr_python(mongodb_url: str) -> None:
    store = open_store(mongodb_url, mode="r")
    assert isinstance(store, MongoDBStore)
    assert (store.database, store.collection_name) == ("mongodb_zarr", "zarr_collection")
    store.close()


def test_value_over_16_mib_is_refused_clearly(collection_url: str) -> None:
    store = MongoDBStore.from_url(collection_url, read_only=False)
    with pytest.raises(UnsupportedError, match="16 MiB") as info:
        store.set("big/0.0", bytes(16 * 1024 * 1024))
    assert info.value.key == "big/0.0"
    with pytest.raises(NotFoundError):
        store.get("big/0.0")
    store.close()


def test_server_down_is_unavailable_quickly() -> None:
    url = f"mongodb://user:topsecret-77@127.0.0.1:{free_port()}/"
    store = MongoDBStore.from_url(url, read_only=True, connect_timeout_s=0.5)
    with pytest.raises(StoreUnavailableError) as info:
        store.get(".zgroup")
    assert "topsecret-77" not in str(info.value) + repr(store)
    store.close()


def test_killed_server_fails_fast_with_a_typed_error(
    private_mongodb: PrivateProcessServer,
) -> None:
    url = f"mongodb://127.0.0.1:{private_mongodb.port}/"
    store = MongoDBStore.from_url(url, read_only=False, connect_timeout_s=1, timeout_s=2)
    store.set("c/0", b"x" * 100)
    assert store.get_many(["c/0", "c/1"]) == {"c/0": b"x" * 100, "c/1": None}
    private_mongodb.stop()  # the server goes away between two reads of one session
    with pytest.raises(StoreUnavailableError) as info:
        store.get_many(["c/0", "c/1"])
    assert str(private_mongodb.port) in str(info.value), f"server: {SERVER}"
    store.close()
