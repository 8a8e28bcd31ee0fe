"""SQLite store: one table ``zarr(k TEXT PRIMARY KEY, v BLOB)``, as zarr-python 2 SQLiteStore.

Writes use ``REPLACE INTO zarr VALUES (?, ?)`` in autocommit mode, so each ``set`` is one
atomic transaction and a database written here opens in zarr-python 2 and the other way
round. Listing uses the primary-key index (``k >= prefix AND k < next(prefix)``). Each
thread gets its own connection (reads run in parallel); writes are serialised by a lock
and wait for other processes through SQLite's busy timeout.

URLs: ``sqlite:////abs/path.db`` (absolute path after ``sqlite:///``), ``sqlite:///rel.db``,
or a plain path / ``file://`` URL ending ``.db``, ``.sqlite`` or ``.sqlite3``.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

from zarrcore.errors import NotFoundError, StoreError
from zarrcore.store.base import Store, normalize_key
from zarrcore.store.local import path_from_url

T = TypeVar("T")

_CREATE = "CREATE TABLE IF NOT EXISTS zarr(k TEXT PRIMARY KEY, v BLOB)"
_BUSY_TIMEOUT_S = 30.0


def sqlite_path_from_url(url: str | os.PathLike[str]) -> str:
    """The database path of a ``sqlite://`` URL, ``file://`` URL or plain path."""
    text = os.fspath(url)
    lowered = text.lower()
    if lowered.startswith("sqlite:///"):
        return text[len("sqlite:///") :] or ":memory:"
    if lowered.startswith("sqlite://"):
        return text[len("sqlite://") :] or ":memory:"
    return str(path_from_url(text))


def _next_prefix(prefix: str) -> str:
    """The smallest string greater than every string that starts with ``prefix``."""
    return prefix[:-1] + chr(ord(prefix[-1]) + 1)


class SQLiteStore(Store):
    """Keys and values in one SQLite table."""

    supports_partial_reads = True
    supports_atomic_writes = True
    max_concurrency = 4

    def __init__(
        self, path: str | os.PathLike[str], *, read_only: bool = False, url: str | None = None
    ) -> None:
        super().__init__(url or os.fspath(path), read_only=read_only)
        location = sqlite_path_from_url(path)
        self.in_memory = location == ":memory:"
        self.path = location if self.in_memory else str(Path(location).expanduser().absolute())
        self._write_lock = threading.RLock()
        self._local = threading.local()
        self._connections: list[sqlite3.Connection] = []
        self._connections_lock = threading.Lock()
        self._shared: sqlite3.Connection | None = None
        if not self.in_memory:
            if read_only and not os.path.isfile(self.path):
                raise NotFoundError("no such SQLite database", url=self.url)
            if not read_only:
                Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        try:
            self._prepare()
        except BaseException:
            self.close()
            raise

    def _prepare(self) -> None:
        connection = self._connection()
        if self.read_only:
            row = self._run(
                lambda: connection.execute(
                    "SELECT name FROM sqlite_master WHERE type='table' AND name='zarr'"
                ).fetchone()
            )
            self._has_table = row is not None
        else:
            with self._write_lock:
                self._run(lambda: connection.execute(_CREATE))
            self._has_table = True

    @classmethod
    def from_url(cls, url: str, *, read_only: bool = False, **options: Any) -> SQLiteStore:
        if options:
            raise TypeError(f"unexpected options for an SQLite store: {sorted(options)}")
        return cls(url, read_only=read_only, url=url)

    # -- connections -----------------------------------------------------------------------
    def _connect(self) -> sqlite3.Connection:
        try:
            if self.read_only and not self.in_memory:
                target, uri = Path(self.path).as_uri() + "?mode=ro", True
            else:
                target, uri = self.path, False
            return sqlite3.connect(
                target,
                uri=uri,
                timeout=_BUSY_TIMEOUT_S,
                detect_types=0,
                isolation_level=None,
                check_same_thread=False,
            )
        except sqlite3.Error as exc:
            raise StoreError(f"cannot open SQLite database: {exc}", url=self.url) from exc

    def _connection(self) -> sqlite3.Connection:
        if self._closed:
            raise StoreError("SQLite store is closed", url=self.url)
        if self.in_memory:  # one database only exists per connection: share it
            if self._shared is None:
                with self._connections_lock:
                    if self._shared is None:
                        self._shared = self._connect()
                        self._connections.append(self._shared)
            return self._shared
        connection: sqlite3.Connection | None = getattr(self._local, "connection", None)
        if connection is None:
            connection = self._connect()
            with self._connections_lock:
                self._connections.append(connection)
            self._local.connection = connection
        return connection

    def _run(self, action: Callable[[], T], key: str | None = None) -> T:
        try:
            if self.in_memory:
                with self._write_lock:
                    return action()
            return action()
        except sqlite3.Error as exc:
            raise StoreError(f"SQLite error: {exc}", url=self.url, key=key) from exc

    def _query_one(self, sql: str, params: tuple[Any, ...], key: str) -> Any:
        if not self._has_table:
            raise NotFoundError("no such key", url=self.url, key=key)
        connection = self._connection()
        row = self._run(lambda: connection.execute(sql, params).fetchone(), key)
        if row is None:
            raise NotFoundError("no such key", url=self.url, key=key)
        return row[0]

    @staticmethod
    def _as_bytes(value: Any) -> bytes:
        if value is None:
            return b""
        if isinstance(value, str):
            return value.encode()
        return bytes(value)

    # -- reading ---------------------------------------------------------------------------
    def get(self, key: str) -> bytes:
        return self._as_bytes(self._query_one("SELECT v FROM zarr WHERE k = ?", (key,), key))

    def get_range(self, key: str, start: int = 0, length: int | None = None) -> bytes:
        params: tuple[Any, ...]
        if start < 0:
            sql, params = "SELECT substr(v, ?) FROM zarr WHERE k = ?", (start, key)
        elif length is None:
            sql, params = "SELECT substr(v, ?) FROM zarr WHERE k = ?", (start + 1, key)
        else:
            sql = "SELECT substr(v, ?, ?) FROM zarr WHERE k = ?"
            params = (start + 1, max(0, length), key)
        return self._as_bytes(self._query_one(sql, params, key))

    def getsize(self, key: str) -> int:
        size = self._query_one("SELECT length(v) FROM zarr WHERE k = ?", (key,), key)
        return int(size or 0)

    # -- writing ---------------------------------------------------------------------------
    def set(self, key: str, value: bytes) -> None:
        self.check_writable(key)
        key = normalize_key(key)
        connection = self._connection()
        with self._write_lock:
            self._run(lambda: connection.execute("REPLACE INTO zarr VALUES (?, ?)", (key, value)))

    def delete(self, key: str) -> None:
        self.check_writable(key)
        connection = self._connection()
        with self._write_lock:
            cursor = self._run(lambda: connection.execute("DELETE FROM zarr WHERE k = ?", (key,)))
        if cursor.rowcount == 0:
            raise NotFoundError("no such key", url=self.url, key=key)

    def delete_prefix(self, prefix: str) -> None:
        self.check_writable(prefix)
        connection = self._connection()
        with self._write_lock:
            if prefix:
                sql = "DELETE FROM zarr WHERE k >= ? AND k < ?"
                self._run(lambda: connection.execute(sql, (prefix, _next_prefix(prefix))))
            else:
                self._run(lambda: connection.execute("DELETE FROM zarr"))

    # -- listing ---------------------------------------------------------------------------
    def _keys(self, prefix: str, column: str) -> list[Any]:
        if not self._has_table:
            return []
        connection = self._connection()
        if prefix:
            sql = f"SELECT {column} FROM zarr WHERE k >= ? AND k < ?"
            params: tuple[Any, ...] = (prefix, _next_prefix(prefix))
        else:
            sql, params = f"SELECT {column} FROM zarr", ()
        return self._run(lambda: connection.execute(sql, params).fetchall(), prefix)

    def list_prefix(self, prefix: str) -> Iterator[str]:
        return iter([row[0] for row in self._keys(prefix, "k")])

    def list_dir(self, prefix: str) -> list[str]:
        prefix = normalize_key(prefix)
        if prefix:
            prefix += "/"
        offset = len(prefix) + 1
        # the first path segment after the prefix, computed inside SQLite
        column = (
            f"DISTINCT CASE WHEN instr(substr(k, {offset}), '/') > 0 "
            f"THEN substr(k, {offset}, instr(substr(k, {offset}), '/') - 1) "
            f"ELSE substr(k, {offset}) END"
        )
        return sorted(name for (name,) in self._keys(prefix, column) if name)

    # -- lifecycle -------------------------------------------------------------------------
    def close(self) -> None:
        with self._connections_lock:
            connections, self._connections = self._connections, []
            self._shared = None
        for connection in connections:
            with contextlib.suppress(sqlite3.Error):
                connection.close()
        super().close()
