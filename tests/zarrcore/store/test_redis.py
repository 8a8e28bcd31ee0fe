"""RedisStore against a real loopback redis-server."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest
import redis

from zarrcore.errors import AuthenticationError, NotFoundError, StoreUnavailableError
from zarrcore.store.base import Store
from zarrcore.store.redis import RedisStore
from zarrcore.testing.servers import PrivateRedis, SilentServer, unique_name
from zarrcore.testing.store_contract import StoreContract, StoreFactory
from zarrcore.url import open_store

pytestmark = pytest.mark.redis


class TestRedisStore(StoreContract):
    check_url_contains = "redis://127.0.0.1"

    @pytest.fixture
    def store_factory(self, redis_url: str) -> Iterator[StoreFactory]:
        prefix = unique_name("contract")

        def open_redis(*, read_only: bool = False) -> Store:
            return RedisStore.from_url(f"{redis_url}?prefix={prefix}", read_only=read_only)

        yield open_redis
        cleanup = RedisStore.from_url(f"{redis_url}?prefix={prefix}", read_only=False)
        cleanup.delete_prefix("")
        cleanup.close()

    def raw_get(self, store: Store, key: str) -> bytes | None:
        assert isinstance(store, RedisStore)
        with redis.Redis.from_url(store._url.split("?")[0]) as raw:
            value = raw.get(f"{store.prefix}:{key}")
        return None if value is None else bytes(value)

    def raw_set(self, store: Store, key: str, value: bytes) -> None:
        assert isinstance(store, RedisStore)
        with redis.Redis.from_url(store._url.split("?")[0]) as raw:
            raw.set(f"{store.prefix}:{key}", value)


@pytest.fixture
def store(redis_url: str) -> Iterator[RedisStore]:
    prefix = unique_name("zarr")
    store = RedisStore.from_url(f"{redis_url}?prefix={prefix}", read_only=False)
    yield store
    store.delete_prefix("")
    store.close()


def test_keys_use_the_zarr_python_layout(store: RedisStore, redis_url: str) -> None:
    store.set("a/.zarray", b"{}")
    raw = redis.Redis.from_url(redis_url)
    assert raw.get(f"{store.prefix}:a/.zarray") == b"{}"
    raw.set(f"{store.prefix}:a/0.0", b"chunk")
    assert store.get("a/0.0") == b"chunk"
    raw.close()


def test_default_prefix_is_zarr(redis_url: str) -> None:
    store = open_store(redis_url, mode="r")
    assert isinstance(store, RedisStore) and store.prefix == "zarr"
    store.close()


def test_listing_uses_scan_and_escapes_glob_characters(store: RedisStore) -> None:
    for key in ("a/x", "a/y", "a[1]/z", "a*/w", "b/x"):
        store.set(key, b"1")
    assert sorted(store.list_prefix("a/")) == ["a/x", "a/y"]
    assert sorted(store.list_prefix("a[1]/")) == ["a[1]/z"]
    assert sorted(store.list_prefix("a*/")) == ["a*/w"]
    assert store.list_dir("") == ["a", "a*", "a[1]", "b"]


def test_get_many_is_one_mget_with_none_for_missing(store: RedisStore) -> None:
    store.set_many({"k/0": b"zero", "k/1": b"one"})
    assert store.get_many(["k/0", "k/9", "k/1"]) == {"k/0": b"zero", "k/9": None, "k/1": b"one"}


def test_partial_reads(store: RedisStore) -> None:
    store.set("v", b"0123456789")
    assert store.supports_partial_reads
    assert store.get_range("v", 2, 3) == b"234"
    assert store.get_range("v", -4) == b"6789"
    assert store.get_range("v", -40) == b"0123456789"
    assert store.get_range("v", 8) == b"89"
    assert store.getsize("v") == 10
    with pytest.raises(NotFoundError):
        store.get_range("missing", 0, 2)


def test_password_is_redacted_in_repr_errors_and_logs(
    private_redis_with_password: PrivateRedis, caplog: pytest.LogCaptureFixture
) -> None:
    url = private_redis_with_password.url(password="wrong-pw-123")
    caplog.set_level(logging.DEBUG, logger="zarrcore")
    store = RedisStore.from_url(url, read_only=True, retries=1)
    assert "wrong-pw-123" not in repr(store) and "***" in repr(store)
    with pytest.raises(AuthenticationError) as info:
        store.get(".zgroup")
    assert "wrong-pw-123" not in str(info.value) and "127.0.0.1" in str(info.value)
    assert "wrong-pw-123" not in caplog.text
    store.close()


def test_correct_password_works(private_redis_with_password: PrivateRedis) -> None:
    store = RedisStore.from_url(
        private_redis_with_password.url(password="s3cret-pw"), read_only=False
    )
    store.set("x", b"1")
    assert store.get("x") == b"1"
    store.close()


def test_missing_password_is_an_authentication_error(
    private_redis_with_password: PrivateRedis,
) -> None:
    store = RedisStore.from_url(private_redis_with_password.url(), read_only=True)
    with pytest.raises(AuthenticationError):
        store.get("x")
    store.close()


def test_killed_server_fails_fast_with_a_typed_error(private_redis: PrivateRedis) -> None:
    store = RedisStore.from_url(private_redis.url(), read_only=False, timeout_s=2, retries=2)
    store.set_many({f"c/{i}": b"x" * 100 for i in range(8)})
    assert store.get("c/0") == b"x" * 100
    private_redis.stop()  # the server goes away between two reads of one session
    with pytest.raises(StoreUnavailableError) as info:
        store.get_many([f"c/{i}" for i in range(8)])
    assert "unavailable" in str(info.value) and str(private_redis.port) in str(info.value)
    with pytest.raises(ConnectionError):  # also a builtin ConnectionError
        store.get("c/1")
    store.close()


def test_server_down_at_open_is_unavailable() -> None:
    from zarrcore.testing.servers import free_port

    store = RedisStore.from_url(
        f"redis://127.0.0.1:{free_port()}/0", read_only=True, connect_timeout_s=1, retries=0
    )
    with pytest.raises(StoreUnavailableError):
        store.get(".zgroup")
    store.close()


def test_hung_server_times_out_instead_of_hanging() -> None:
    with SilentServer() as server:
        store = RedisStore.from_url(
            f"redis://127.0.0.1:{server.port}/0", read_only=True, timeout_s=0.3, retries=1
        )
        with pytest.raises(StoreUnavailableError, match="Timeout"):
            store.get_many(["a/0.0", "a/0.1"])
        store.close()
