"""CountingStore and LatencyStore: the contract through a wrapper, plus their counters."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator

import pytest

from zarrcore.errors import ReadOnlyError
from zarrcore.store.base import ByteRange, Store
from zarrcore.store.memory import MemoryStore, forget_named_store
from zarrcore.store.wrappers import CountingStore, LatencyStore
from zarrcore.testing.store_contract import StoreContract, StoreFactory


def _memory(store: Store) -> MemoryStore:
    inner = getattr(store, "inner", None)
    assert isinstance(inner, MemoryStore)
    return inner


class _WrappedMemoryContract(StoreContract):
    def wrap(self, inner: Store) -> Store:
        raise NotImplementedError

    @pytest.fixture
    def store_factory(self) -> Iterator[StoreFactory]:
        name = f"wrapped-{uuid.uuid4().hex}"

        def open_wrapped(*, read_only: bool = False) -> Store:
            return self.wrap(MemoryStore(name, read_only=read_only))

        yield open_wrapped
        forget_named_store(name)

    def raw_get(self, store: Store, key: str) -> bytes | None:
        return _memory(store)._data.get(key)

    def raw_set(self, store: Store, key: str, value: bytes) -> None:
        _memory(store)._data[key] = value


class TestCountingStore(_WrappedMemoryContract):
    def wrap(self, inner: Store) -> Store:
        return CountingStore(inner)


class TestLatencyStore(_WrappedMemoryContract):
    def wrap(self, inner: Store) -> Store:
        return LatencyStore(inner, 0.0)


def test_counting_store_counts_requests_and_bytes() -> None:
    store = CountingStore(MemoryStore())
    store.set("a", b"1234")
    store.set("b", b"56")
    store.get("a")
    store.get_many(["a", "b", "missing"])
    store.get_range("a", 1, 2)
    store.get_ranges([ByteRange("a", 0, 1), ByteRange("b", -1)])
    store.list_dir("")
    list(store.list_prefix(""))
    counts = store.counts
    assert counts["set"] == 2 and counts["bytes_written"] == 6
    assert counts["get"] == 1 and counts["get_many"] == 1 and counts["get_many_keys"] == 3
    assert counts["get_range"] == 3 and counts["get_ranges"] == 1
    assert counts["bytes_read"] == 4 + 6 + 2 + 2
    assert store.reads == 1 + 3 + 3
    assert store.listings == 2
    assert store.keys_read == ["a", "a", "b", "missing", "a", "a", "b"]
    store.reset()
    assert store.counts == {} and store.reads == 0


def test_wrappers_copy_flags_and_respect_read_only() -> None:
    inner = MemoryStore(read_only=True)
    for wrapped in (CountingStore(inner), LatencyStore(inner, 0.0)):
        assert wrapped.read_only
        assert wrapped.supports_partial_reads == inner.supports_partial_reads
        assert wrapped.url == inner.url
        with pytest.raises(ReadOnlyError):
            wrapped.set("k", b"v")


def test_latency_store_get_many_issues_gets_in_parallel() -> None:
    inner = MemoryStore()
    for i in range(8):
        inner.set(f"c/{i}", bytes([i]))
    store = LatencyStore(inner, 0.0, max_concurrency=8)
    assert store.is_remote
    barrier = threading.Barrier(8, timeout=30)
    inner_get = inner.get

    def get_after_all_arrived(key: str) -> bytes:
        barrier.wait()  # only returns when eight gets are in flight at once
        return inner_get(key)

    inner.get = get_after_all_arrived  # type: ignore[method-assign]
    got = store.get_many([f"c/{i}" for i in range(8)])
    assert got == {f"c/{i}": bytes([i]) for i in range(8)}


def test_latency_must_not_be_negative() -> None:
    with pytest.raises(ValueError):
        LatencyStore(MemoryStore(), -1.0)
