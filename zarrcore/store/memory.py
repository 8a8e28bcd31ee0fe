"""In-memory store: a dict guarded by a lock.

``memory://name`` opens a process-global store registered under ``name``, so two opens of
the same URL share their data (handy for tests and for passing a hierarchy between parts
of one program). ``memory://`` alone gives a fresh, private store.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

from zarrcore.errors import NotFoundError
from zarrcore.store.base import Store, normalize_key, slice_range

_REGISTRY: dict[str, tuple[dict[str, bytes], threading.RLock]] = {}
_REGISTRY_LOCK = threading.Lock()


def _shared(name: str) -> tuple[dict[str, bytes], threading.RLock]:
    with _REGISTRY_LOCK:
        entry = _REGISTRY.get(name)
        if entry is None:
            entry = ({}, threading.RLock())
            _REGISTRY[name] = entry
        return entry


def forget_named_store(name: str) -> None:
    """Drop the process-global data of ``memory://name`` (no error if unknown)."""
    with _REGISTRY_LOCK:
        _REGISTRY.pop(name, None)


class MemoryStore(Store):
    """Keys and values held in a Python dict."""

    supports_partial_reads = True
    supports_atomic_writes = True
    max_concurrency = 1  # reads are memory copies: threads would only add overhead

    def __init__(self, name: str | None = None, *, read_only: bool = False) -> None:
        super().__init__(f"memory://{name or ''}", read_only=read_only)
        self.name = name
        if name:
            self._data, self._lock = _shared(name)
        else:
            self._data, self._lock = {}, threading.RLock()

    @classmethod
    def from_url(cls, url: str, *, read_only: bool = False, **options: Any) -> MemoryStore:
        if options:
            raise TypeError(f"unexpected options for memory://: {sorted(options)}")
        name = url.split("://", 1)[1] if "://" in url else url
        return cls(name.strip("/") or None, read_only=read_only)

    # -- reading ---------------------------------------------------------------------------
    def get(self, key: str) -> bytes:
        try:
            return self._data[key]
        except KeyError:
            raise NotFoundError("no such key", url=self.url, key=key) from None

    def get_range(self, key: str, start: int = 0, length: int | None = None) -> bytes:
        try:
            value = self._data[key]
        except KeyError:
            raise NotFoundError("no such key", url=self.url, key=key) from None
        return slice_range(value, start, length)

    def getsize(self, key: str) -> int:
        try:
            return len(self._data[key])
        except KeyError:
            raise NotFoundError("no such key", url=self.url, key=key) from None

    def exists(self, key: str) -> bool:
        return key in self._data

    # -- writing ---------------------------------------------------------------------------
    def set(self, key: str, value: bytes) -> None:
        self.check_writable(key)
        key = normalize_key(key)
        data = value if type(value) is bytes else bytes(value)
        with self._lock:
            self._data[key] = data

    def delete(self, key: str) -> None:
        self.check_writable(key)
        with self._lock:
            try:
                del self._data[key]
            except KeyError:
                raise NotFoundError("no such key", url=self.url, key=key) from None

    def delete_prefix(self, prefix: str) -> None:
        self.check_writable(prefix)
        with self._lock:
            for key in [k for k in self._data if k.startswith(prefix)]:
                del self._data[key]

    # -- listing ---------------------------------------------------------------------------
    def list_prefix(self, prefix: str) -> Iterator[str]:
        with self._lock:
            keys = [k for k in self._data if k.startswith(prefix)]
        return iter(keys)
