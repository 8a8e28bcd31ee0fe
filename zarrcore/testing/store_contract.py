"""``StoreContract``: the behaviour every :class:`~zarrcore.store.Store` must have, written once.

A store's test module subclasses :class:`StoreContract` and supplies three things::

    class TestDirectoryStore(StoreContract):
        @pytest.fixture
        def store_factory(self, tmp_path):
            # every call opens the SAME medium; the first call sees it empty
            def open_store(*, read_only: bool = False) -> Store:
                return DirectoryStore(tmp_path / "root", read_only=read_only)
            return open_store

        def raw_get(self, store, key):        # bytes, or None when absent
            ...read the medium directly, bypassing ``store``...

        def raw_set(self, store, key, value):  # write the medium directly
            ...

The raw helpers check the store against its medium instead of against itself. Optional
class attributes: ``secret`` (a string from the store's credentials that must never show in
``repr``, ``url`` or error messages), ``check_url_contains`` (a string ``store.url`` must
contain, e.g. the path or host).

Tests for a capability the store lacks (``supports_writes``, ``supports_deletes``,
``supports_listing``, ``supports_partial_reads``) are skipped with a reason naming the flag.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import ClassVar, Protocol

import pytest

from zarrcore.errors import NotFoundError, ReadOnlyError, ZarrcoreError
from zarrcore.redact import redact_url
from zarrcore.store.base import ByteRange, Store

__all__ = ["StoreContract", "StoreFactory", "require_capability"]

#: long enough to tell whether an operation waited on another thread; never reached when
#: the store behaves (the barrier releases as soon as both parties arrive)
_BARRIER_TIMEOUT_S = 30.0

BINARY = bytes(range(256)) * 3
NESTED_KEYS = ["a/b/.zarray", "a/b/0.0", "a/b/0.1", "a/b/0/0", "a/b/0/1", "a/.zgroup", "c"]


class StoreFactory(Protocol):
    def __call__(self, *, read_only: bool = False) -> Store: ...


def require_capability(store: Store, flag: str) -> None:
    """Skip the running test unless ``store.<flag>`` is true (reason names the flag)."""
    if not getattr(store, flag):
        pytest.skip(f"{type(store).__name__}.{flag} is False")


def _writable(store: Store) -> None:
    require_capability(store, "supports_writes")
    if store.read_only:
        pytest.skip(f"{type(store).__name__} opened read-only")


class StoreContract:
    """Generic store tests; see the module docstring for what a subclass provides."""

    #: a credential fragment that must never appear in repr/url/messages (None: none used)
    secret: ClassVar[str | None] = None
    #: a fragment ``store.url`` must contain (None: not checked)
    check_url_contains: ClassVar[str | None] = None

    # -- what a subclass provides ----------------------------------------------------------
    @pytest.fixture
    def store_factory(self) -> StoreFactory:
        raise NotImplementedError("subclass must provide a store_factory fixture")

    def raw_get(self, store: Store, key: str) -> bytes | None:
        raise NotImplementedError

    def raw_set(self, store: Store, key: str, value: bytes) -> None:
        raise NotImplementedError

    # -- fixtures --------------------------------------------------------------------------
    @pytest.fixture
    def store(self, store_factory: StoreFactory) -> Iterator[Store]:
        opened = store_factory()
        try:
            yield opened
        finally:
            opened.close()

    def populate(self, store: Store, items: dict[str, bytes]) -> None:
        """Put ``items`` into the medium through the raw helper."""
        for key, value in items.items():
            self.raw_set(store, key, value)

    # -- identity --------------------------------------------------------------------------
    def test_url_and_repr_hold_no_secret(self, store: Store) -> None:
        assert isinstance(store.url, str) and store.url
        assert redact_url(store.url) == store.url
        assert store.url in repr(store)
        if self.secret:
            assert self.secret not in store.url
            assert self.secret not in repr(store)
        if self.check_url_contains:
            assert self.check_url_contains in store.url

    def test_capability_flags_are_booleans(self, store: Store) -> None:
        for flag in (
            "supports_writes",
            "supports_deletes",
            "supports_listing",
            "supports_partial_reads",
            "supports_atomic_writes",
            "is_remote",
        ):
            assert isinstance(getattr(store, flag), bool), flag
        assert isinstance(store.max_concurrency, int) and store.max_concurrency >= 1

    # -- get / set -------------------------------------------------------------------------
    def test_set_then_get_round_trips(self, store: Store) -> None:
        _writable(store)
        store.set("x", b"hello")
        assert store.get("x") == b"hello"
        assert self.raw_get(store, "x") == b"hello"

    def test_get_reads_what_the_medium_holds(self, store: Store) -> None:
        self.raw_set(store, "m/.zattrs", b'{"k": 1}')
        assert store.get("m/.zattrs") == b'{"k": 1}'

    def test_empty_value_round_trips(self, store: Store) -> None:
        _writable(store)
        store.set("empty", b"")
        assert store.get("empty") == b""
        assert store.exists("empty")
        assert store.getsize("empty") == 0
        assert self.raw_get(store, "empty") == b""

    def test_binary_value_round_trips(self, store: Store) -> None:
        _writable(store)
        store.set("bin", BINARY)
        assert store.get("bin") == BINARY
        assert self.raw_get(store, "bin") == BINARY

    def test_get_returns_bytes(self, store: Store) -> None:
        self.raw_set(store, "b", b"abc")
        assert type(store.get("b")) is bytes

    def test_overwrite_replaces_value(self, store: Store) -> None:
        _writable(store)
        store.set("o", b"first value, longer")
        store.set("o", b"second")
        assert store.get("o") == b"second"
        assert store.getsize("o") == 6
        assert self.raw_get(store, "o") == b"second"
        if store.supports_listing:
            assert list(store.list_prefix("o")) == ["o"]

    def test_nested_keys_round_trip(self, store: Store) -> None:
        _writable(store)
        for i, key in enumerate(NESTED_KEYS):
            store.set(key, f"v{i}".encode())
        for i, key in enumerate(NESTED_KEYS):
            assert store.get(key) == f"v{i}".encode()
            assert self.raw_get(store, key) == f"v{i}".encode()

    def test_keys_with_dots_are_distinct(self, store: Store) -> None:
        _writable(store)
        keys = ["d/0.0.0", "d/0.0", "d/.zarray", "d/.zattrs", "d/x.y.z"]
        for key in keys:
            store.set(key, key.encode())
        for key in keys:
            assert store.get(key) == key.encode()

    def test_non_ascii_keys_round_trip(self, store: Store) -> None:
        _writable(store)
        key = "gr\u00fcn/\u03b1rr/0.0"
        store.set(key, b"u")
        assert store.get(key) == b"u"
        assert self.raw_get(store, key) == b"u"
        if store.supports_listing:
            assert list(store.list_prefix("gr\u00fcn/")) == [key]
            assert store.list_dir("gr\u00fcn/") == ["\u03b1rr"]

    def test_set_many_then_get_many(self, store: Store) -> None:
        _writable(store)
        items = {f"sm/{i}": bytes([i]) * i for i in range(6)}
        store.set_many(items)
        assert store.get_many(list(items)) == items
        assert store.get_many(["sm/1", "sm/1"]) == {"sm/1": b"\x01"}

    def test_missing_key_raises_not_found_naming_url_and_key(self, store: Store) -> None:
        with pytest.raises(NotFoundError) as info:
            store.get("no/such/key")
        assert isinstance(info.value, KeyError)
        assert info.value.key == "no/such/key"
        assert "no/such/key" in str(info.value)
        assert store.url in str(info.value)
        if self.secret:
            assert self.secret not in str(info.value)

    def test_prefix_of_a_key_is_not_a_key(self, store: Store) -> None:
        self.raw_set(store, "p/q/0.0", b"1")
        with pytest.raises(NotFoundError):
            store.get("p/q")
        with pytest.raises(NotFoundError):
            store.get("p")
        assert not store.exists("p/q")
        with pytest.raises(NotFoundError):
            store.getsize("p/q")

    # -- get_many / get_range / getsize / exists -------------------------------------------
    def test_get_many_maps_missing_keys_to_none(self, store: Store) -> None:
        self.populate(store, {"g/0": b"zero", "g/1": b"one", "g/3": b""})
        got = store.get_many(["g/0", "g/1", "g/2", "g/3"])
        assert got == {"g/0": b"zero", "g/1": b"one", "g/2": None, "g/3": b""}

    def test_get_many_of_nothing_is_empty(self, store: Store) -> None:
        assert store.get_many([]) == {}

    def test_default_get_many_runs_gets_concurrently(self, store: Store) -> None:
        if type(store).get_many is not Store.get_many:
            pytest.skip(f"{type(store).__name__} overrides get_many with a native batch call")
        if store.max_concurrency < 2:
            pytest.skip(f"{type(store).__name__}.max_concurrency is 1")
        self.populate(store, {"c/0": b"a", "c/1": b"b"})
        barrier = threading.Barrier(2, timeout=_BARRIER_TIMEOUT_S)
        inner_get = store.get

        def get_meeting_another_thread(key: str) -> bytes:
            barrier.wait()  # BrokenBarrierError unless two gets run at the same time
            return inner_get(key)

        store.get = get_meeting_another_thread  # type: ignore[method-assign]
        try:
            assert store.get_many(["c/0", "c/1"]) == {"c/0": b"a", "c/1": b"b"}
        finally:
            del store.get

    def test_get_range_reads_part_of_a_value(self, store: Store) -> None:
        self.raw_set(store, "r", b"0123456789")
        assert store.get_range("r", 0, 3) == b"012"
        assert store.get_range("r", 4, 2) == b"45"
        assert store.get_range("r", 7) == b"789"
        assert store.get_range("r", 7, None) == b"789"
        assert store.get_range("r", 0) == b"0123456789"
        assert store.get_range("r", 8, 100) == b"89"
        assert store.get_range("r", 10, 5) == b""
        assert store.get_range("r", 3, 0) == b""

    def test_get_range_with_negative_start_reads_a_suffix(self, store: Store) -> None:
        self.raw_set(store, "r", b"0123456789")
        assert store.get_range("r", -3) == b"789"
        assert store.get_range("r", -1) == b"9"
        assert store.get_range("r", -10) == b"0123456789"
        assert store.get_range("r", -25) == b"0123456789"

    def test_get_range_of_missing_key_raises_not_found(self, store: Store) -> None:
        with pytest.raises(NotFoundError):
            store.get_range("nope", 0, 1)
        with pytest.raises(NotFoundError):
            store.get_range("nope", -4)

    def test_get_ranges_batches_ranges(self, store: Store) -> None:
        self.raw_set(store, "r", b"0123456789")
        got = store.get_ranges(
            [ByteRange("r", 1, 2), ByteRange("r", -2), ByteRange("missing", 0, 1)]
        )
        assert got == [b"12", b"89", None]

    def test_partial_read_does_not_fetch_the_whole_value(self, store: Store) -> None:
        require_capability(store, "supports_partial_reads")
        self.raw_set(store, "big", BINARY)

        def whole_get_forbidden(key: str) -> bytes:
            raise AssertionError(f"get({key!r}) called by get_range")

        store.get = whole_get_forbidden  # type: ignore[method-assign]
        try:
            assert store.get_range("big", 10, 5) == BINARY[10:15]
            assert store.get_range("big", -7) == BINARY[-7:]
        finally:
            del store.get

    def test_getsize_and_exists(self, store: Store) -> None:
        self.populate(store, {"s/a": b"12345", "s/e": b""})
        assert store.getsize("s/a") == 5
        assert store.getsize("s/e") == 0
        assert store.exists("s/a") and store.exists("s/e")
        assert not store.exists("s/zz")
        with pytest.raises(NotFoundError):
            store.getsize("s/zz")

    # -- delete ----------------------------------------------------------------------------
    def test_delete_removes_key(self, store: Store) -> None:
        require_capability(store, "supports_deletes")
        _writable(store)
        store.set("del/a", b"1")
        store.set("del/b", b"2")
        store.delete("del/a")
        assert not store.exists("del/a")
        assert self.raw_get(store, "del/a") is None
        with pytest.raises(NotFoundError):
            store.get("del/a")
        assert store.get("del/b") == b"2"

    def test_delete_missing_key_raises_not_found(self, store: Store) -> None:
        require_capability(store, "supports_deletes")
        _writable(store)
        with pytest.raises(NotFoundError) as info:
            store.delete("never/was")
        assert info.value.key == "never/was"

    def test_delete_prefix_removes_only_that_subtree(self, store: Store) -> None:
        require_capability(store, "supports_deletes")
        require_capability(store, "supports_listing")
        _writable(store)
        for key in ["t/a/0", "t/a/1", "t/a/b/0", "t/ab", "t/b", "u"]:
            store.set(key, b"x")
        store.delete_prefix("t/a/")
        assert sorted(store.list_prefix("")) == ["t/ab", "t/b", "u"]
        assert self.raw_get(store, "t/a/0") is None
        assert store.list_dir("t/") == ["ab", "b"]

    def test_deleted_key_disappears_from_listing(self, store: Store) -> None:
        require_capability(store, "supports_deletes")
        require_capability(store, "supports_listing")
        _writable(store)
        store.set("l/x/0", b"1")
        store.set("l/y", b"1")
        store.delete("l/x/0")
        assert store.list_dir("l/") == ["y"]
        assert list(store.list_prefix("l/x")) == []

    # -- listing ---------------------------------------------------------------------------
    def test_list_prefix_yields_full_keys(self, store: Store) -> None:
        require_capability(store, "supports_listing")
        self.populate(store, {key: b"v" for key in NESTED_KEYS})
        assert sorted(store.list_prefix("")) == sorted(NESTED_KEYS)
        assert sorted(store.list()) == sorted(NESTED_KEYS)
        assert sorted(store.list_prefix("a/b/")) == sorted(k for k in NESTED_KEYS if "a/b/" in k)
        assert sorted(store.list_prefix("a/b/0")) == ["a/b/0.0", "a/b/0.1", "a/b/0/0", "a/b/0/1"]
        assert list(store.list_prefix("zzz/")) == []

    def test_list_prefix_is_a_string_prefix(self, store: Store) -> None:
        require_capability(store, "supports_listing")
        self.populate(store, {"ab/0": b"1", "abc": b"1", "a": b"1", "b": b"1"})
        assert sorted(store.list_prefix("ab")) == ["ab/0", "abc"]
        assert sorted(store.list_prefix("ab/")) == ["ab/0"]

    def test_list_dir_gives_sorted_child_names(self, store: Store) -> None:
        require_capability(store, "supports_listing")
        self.populate(store, {key: b"v" for key in NESTED_KEYS})
        assert store.list_dir("") == ["a", "c"]
        assert store.list_dir("a/") == [".zgroup", "b"]
        assert store.list_dir("a") == [".zgroup", "b"]
        assert store.list_dir("a/b/") == [".zarray", "0", "0.0", "0.1"]
        assert store.list_dir("a/b/0/") == ["0", "1"]
        assert store.list_dir("nothing/here/") == []

    def test_list_dir_of_a_key_is_empty(self, store: Store) -> None:
        require_capability(store, "supports_listing")
        self.populate(store, {"k/v": b"1"})
        assert store.list_dir("k/v") == []

    def test_listing_sees_keys_written_through_the_store(self, store: Store) -> None:
        require_capability(store, "supports_listing")
        _writable(store)
        store.set("w/.zarray", b"{}")
        store.set("w/0.0", b"1")
        assert sorted(store.list_prefix("w/")) == ["w/.zarray", "w/0.0"]
        assert store.list_dir("w/") == [".zarray", "0.0"]

    # -- read-only -------------------------------------------------------------------------
    def test_read_only_store_reads_but_refuses_writes(
        self, store: Store, store_factory: StoreFactory
    ) -> None:
        self.raw_set(store, "ro/a", b"kept")
        store.close()
        read_only = store_factory(read_only=True)
        try:
            assert read_only.read_only
            assert read_only.get("ro/a") == b"kept"
            with pytest.raises(ReadOnlyError) as info:
                read_only.set("ro/a", b"changed")
            assert isinstance(info.value, PermissionError)
            assert info.value.url == read_only.url
            with pytest.raises(ReadOnlyError):
                read_only.set("ro/new", b"x")
            with pytest.raises(ReadOnlyError):
                read_only.delete("ro/a")
            with pytest.raises(ReadOnlyError):
                read_only.delete_prefix("ro/")
            assert read_only.get("ro/a") == b"kept"
        finally:
            read_only.close()

    def test_store_without_writes_refuses_set(self, store: Store) -> None:
        if store.supports_writes:
            pytest.skip(f"{type(store).__name__}.supports_writes is True: nothing to refuse")
        with pytest.raises(ReadOnlyError):
            store.set("x", b"1")

    def test_store_without_deletes_refuses_delete(self, store: Store) -> None:
        if store.supports_deletes:
            pytest.skip(f"{type(store).__name__}.supports_deletes is True: nothing to refuse")
        with pytest.raises((ReadOnlyError, ZarrcoreError)):
            store.delete("x")

    # -- persistence and lifecycle ---------------------------------------------------------
    def test_values_persist_after_close_and_reopen(
        self, store: Store, store_factory: StoreFactory
    ) -> None:
        _writable(store)
        store.set("p/0", b"persisted")
        store.close()
        reopened = store_factory()
        try:
            assert reopened.get("p/0") == b"persisted"
        finally:
            reopened.close()
        assert self.raw_get(store, "p/0") == b"persisted"

    def test_close_is_idempotent_and_store_is_a_context_manager(
        self, store_factory: StoreFactory
    ) -> None:
        with store_factory() as opened:
            assert isinstance(opened, Store)
        opened.close()
        opened.close()

    # -- concurrency -----------------------------------------------------------------------
    def test_many_threads_set_and_get_different_keys(self, store: Store) -> None:
        _writable(store)
        n_threads, n_keys = 8, 12

        def work(thread: int) -> list[tuple[str, bytes, bytes]]:
            seen = []
            for i in range(n_keys):
                key = f"conc/{thread}/{i}.0"
                value = f"{thread}:{i}".encode() * (i + 1)
                store.set(key, value)
                seen.append((key, value, store.get(key)))
            return seen

        with ThreadPoolExecutor(max_workers=n_threads) as pool:
            results = [r for batch in pool.map(work, range(n_threads)) for r in batch]
        for _key, written, read_back in results:
            assert read_back == written
        keys = [key for key, _, _ in results]
        many = store.get_many(keys)
        assert all(many[key] == written for key, written, _ in results)
        if store.supports_listing:
            assert sorted(store.list_prefix("conc/")) == sorted(keys)

    def test_concurrent_reads_of_one_key_agree(self, store: Store) -> None:
        self.raw_set(store, "shared", BINARY)

        def read(_: int) -> bytes:
            return store.get("shared")

        with ThreadPoolExecutor(max_workers=8) as pool:
            assert all(value == BINARY for value in pool.map(read, range(32)))
