"""MemoryStore against the shared StoreContract, plus named-store sharing."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

from zarrcore.store.base import Store
from zarrcore.store.memory import MemoryStore, forget_named_store
from zarrcore.testing.store_contract import StoreContract, StoreFactory
from zarrcore.url import open_store


class TestMemoryStore(StoreContract):
    check_url_contains = "memory://"

    @pytest.fixture
    def store_factory(self) -> Iterator[StoreFactory]:
        name = f"contract-{uuid.uuid4().hex}"

        def open_memory(*, read_only: bool = False) -> Store:
            return MemoryStore.from_url(f"memory://{name}", read_only=read_only)

        yield open_memory
        forget_named_store(name)

    def raw_get(self, store: Store, key: str) -> bytes | None:
        assert isinstance(store, MemoryStore)
        return store._data.get(key)

    def raw_set(self, store: Store, key: str, value: bytes) -> None:
        assert isinstance(store, MemoryStore)
        store._data[key] = value


def test_two_opens_of_a_named_url_share_data() -> None:
    name = f"shared-{uuid.uuid4().hex}"
    try:
        first = open_store(f"memory://{name}", mode="a")
        first.set("a/.zgroup", b"{}")
        second = open_store(f"memory://{name}", mode="r")
        assert second.get("a/.zgroup") == b"{}"
        assert second.read_only and not first.read_only
    finally:
        forget_named_store(name)


def test_unnamed_memory_url_gives_a_fresh_store() -> None:
    first = open_store("memory://", mode="a")
    first.set("k", b"1")
    second = open_store("memory://", mode="a")
    assert not second.exists("k")
    assert first.url.startswith("memory:")


def test_set_accepts_bytes_like_values() -> None:
    store = MemoryStore()
    store.set("a", bytearray(b"xy"))
    store.set("b", memoryview(b"zw"))
    assert store.get("a") == b"xy" and type(store.get("a")) is bytes
    assert store.get("b") == b"zw"
