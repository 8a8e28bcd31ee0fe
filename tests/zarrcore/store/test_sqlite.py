"""SQLiteStore against the shared StoreContract, plus SQLite-specific behaviour."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from zarrcore.errors import NotFoundError, StoreError
from zarrcore.store.base import Store
from zarrcore.store.sqlite import SQLiteStore, sqlite_path_from_url
from zarrcore.testing.store_contract import StoreContract, StoreFactory
from zarrcore.url import open_store


def _raw(path: str) -> sqlite3.Connection:
    connection = sqlite3.connect(path, isolation_level=None)
    connection.execute("CREATE TABLE IF NOT EXISTS zarr(k TEXT PRIMARY KEY, v BLOB)")
    return connection


class TestSQLiteStore(StoreContract):
    @pytest.fixture
    def store_factory(self, tmp_path: Path) -> StoreFactory:
        url = f"sqlite:///{tmp_path}/data.db"

        def open_sqlite(*, read_only: bool = False) -> Store:
            return open_store(url, mode="r" if read_only else "a")

        return open_sqlite

    def raw_get(self, store: Store, key: str) -> bytes | None:
        assert isinstance(store, SQLiteStore)
        connection = _raw(store.path)
        try:
            row = connection.execute("SELECT v FROM zarr WHERE k = ?", (key,)).fetchone()
        finally:
            connection.close()
        return None if row is None else bytes(row[0])

    def raw_set(self, store: Store, key: str, value: bytes) -> None:
        assert isinstance(store, SQLiteStore)
        connection = _raw(store.path)
        try:
            connection.execute("REPLACE INTO zarr VALUES (?, ?)", (key, value))
        finally:
            connection.close()


class TestSQLiteStoreFromPlainPath(TestSQLiteStore):
    @pytest.fixture
    def store_factory(self, tmp_path: Path) -> StoreFactory:
        path = str(tmp_path / "sub" / "data.sqlite")

        def open_sqlite(*, read_only: bool = False) -> Store:
            return open_store(path, mode="r" if read_only else "a")

        return open_sqlite


def test_sqlite_urls_name_absolute_and_relative_paths() -> None:
    assert sqlite_path_from_url("sqlite:////abs/path.db") == "/abs/path.db"
    assert sqlite_path_from_url("sqlite:///rel.db") == "rel.db"
    assert sqlite_path_from_url("/abs/x.sqlite") == "/abs/x.sqlite"
    assert sqlite_path_from_url("file:///abs/x.db") == "/abs/x.db"
    assert sqlite_path_from_url("sqlite://") == ":memory:"


def test_in_memory_database_is_shared_between_threads() -> None:
    store = SQLiteStore("sqlite://")
    store.set("a", b"1")
    got = store.get_many(["a", "b"])
    assert got == {"a": b"1", "b": None}
    store.close()


def test_read_only_open_of_missing_database_does_not_create_it(tmp_path: Path) -> None:
    path = tmp_path / "missing.db"
    with pytest.raises(NotFoundError):
        open_store(str(path), mode="r")
    assert not path.exists()


def test_database_without_zarr_table_reads_as_empty(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    sqlite3.connect(path).close()
    store = SQLiteStore(path, read_only=True)
    assert list(store.list_prefix("")) == []
    assert store.list_dir("") == []
    with pytest.raises(NotFoundError):
        store.get(".zgroup")
    store.close()


def test_file_that_is_not_a_database_is_a_store_error(tmp_path: Path) -> None:
    path = tmp_path / "junk.db"
    path.write_bytes(b"not sqlite at all" * 100)
    with pytest.raises(StoreError) as info:
        SQLiteStore(path, read_only=True)
    assert "junk.db" in str(info.value)
