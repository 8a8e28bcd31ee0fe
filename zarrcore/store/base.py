"""The key/value Store interface every back end implements, and its capability flags.

Keys are ``/``-separated paths relative to the store root, never with a leading ``/``
(``"a/b/.zarray"``, ``"a/b/0.0"``). Values are ``bytes``. A store is a thin adapter over its
medium: it knows nothing of zarr metadata (except the N5 store, which translates).

Contract (checked for every store by ``zarrcore.testing.StoreContract``):

- ``get(key)`` returns the value or raises :class:`~zarrcore.errors.NotFoundError`; any other
  failure raises another :class:`~zarrcore.errors.ZarrcoreError` subclass naming url and key.
- ``get_many(keys)`` returns ``{key: bytes or None}`` with ``None`` for missing keys; the
  default runs ``get`` concurrently in a bounded thread pool (``max_concurrency``).
- ``get_range(key, start, length)`` reads part of a value; ``start < 0`` counts from the end
  (suffix read, ``length`` then ignored). ``length=None`` reads to the end.
- ``set(key, value)`` replaces the value; atomic per key where ``supports_atomic_writes``.
- ``list_prefix(prefix)`` yields every key starting with ``prefix`` (full keys);
  ``list_dir(prefix)`` returns the sorted immediate child names under ``prefix`` (a
  ``/``-terminated path or ``""``), files and "directories" alike, without trailing ``/``.
- ``getsize(key)`` returns the stored size in bytes without reading the value where the
  medium allows (``None``-free: raises NotFoundError when absent).
"""

from __future__ import annotations

import builtins
import threading
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from types import TracebackType
from typing import TypeVar

from zarrcore.errors import NotFoundError, ReadOnlyError, UnsupportedError
from zarrcore.redact import redact_url


@dataclass(frozen=True, slots=True)
class ByteRange:
    """Part of a value: ``start`` (negative = suffix of ``-start`` bytes), ``length`` or None."""

    key: str
    start: int = 0
    length: int | None = None


def normalize_key(key: str) -> str:
    """Strip leading/trailing slashes and collapse empty segments."""
    return "/".join(part for part in key.split("/") if part)


def slice_range(value: bytes, start: int, length: int | None) -> bytes:
    """Apply ``get_range`` semantics to an in-memory value."""
    if start < 0:
        return value[start:] if -start <= len(value) else value
    if length is None:
        return value[start:]
    return value[start : start + length]


class Store(ABC):
    """Abstract key/value store. Subclasses set the capability flags as class attributes."""

    #: can ``set`` values (instance attribute ``read_only`` further restricts)
    supports_writes: bool = True
    #: can ``delete`` keys
    supports_deletes: bool = True
    #: can enumerate keys (``list_prefix``/``list_dir``); HTTP without listing cannot
    supports_listing: bool = True
    #: ``get_range`` reads only the requested bytes from the medium
    supports_partial_reads: bool = False
    #: ``set`` replaces a value atomically (no reader sees half a value)
    supports_atomic_writes: bool = False
    #: reads cross a network; callers should batch and parallelise
    is_remote: bool = False
    #: bound on concurrent requests issued by ``get_many``/``get_ranges``
    max_concurrency: int = 8

    def __init__(self, url: str, *, read_only: bool = False) -> None:
        self._url = url
        self.read_only = read_only
        self._pool: ThreadPoolExecutor | None = None
        self._pool_lock = threading.Lock()
        self._closed = False

    # -- identity -------------------------------------------------------------------------
    @property
    def url(self) -> str:
        """The store's URL with any secret redacted; safe for messages and titles."""
        cached = self.__dict__.get("_redacted")
        if cached is None or cached[0] is not self._url:  # computed once per URL (hot path)
            cached = self.__dict__["_redacted"] = (self._url, redact_url(self._url))
        return cached[1]

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.url!r})"

    # -- reading --------------------------------------------------------------------------
    @abstractmethod
    def get(self, key: str) -> bytes:
        """Return the value of ``key``; raise NotFoundError if absent."""

    def get_range(self, key: str, start: int = 0, length: int | None = None) -> bytes:
        """Return part of a value (see module doc). Default reads the whole value."""
        return slice_range(self.get(key), start, length)

    def _get_or_none(self, key: str) -> bytes | None:
        try:
            return self.get(key)
        except NotFoundError:
            return None

    def _range_or_none(self, request: ByteRange) -> bytes | None:
        try:
            return self.get_range(request.key, request.start, request.length)
        except NotFoundError:
            return None

    def get_many(self, keys: Iterable[str]) -> dict[str, bytes | None]:
        """Fetch several keys concurrently; missing keys map to None."""
        key_list = list(dict.fromkeys(keys))
        if len(key_list) <= 1 or self.max_concurrency <= 1:
            return {key: self._get_or_none(key) for key in key_list}
        values = _batched_map(self._executor(), self._get_or_none, key_list, self.max_concurrency)
        return dict(zip(key_list, values, strict=True))

    def get_ranges(self, requests: Sequence[ByteRange]) -> builtins.list[bytes | None]:
        """Fetch several byte ranges concurrently; a missing key gives None."""
        if len(requests) <= 1 or self.max_concurrency <= 1:
            return [self._range_or_none(r) for r in requests]
        return _batched_map(
            self._executor(), self._range_or_none, list(requests), self.max_concurrency
        )

    def exists(self, key: str) -> bool:
        try:
            self.getsize(key)
        except NotFoundError:
            return False
        return True

    def getsize(self, key: str) -> int:
        """Stored size of ``key`` in bytes. Default reads the value; override when cheaper."""
        return len(self.get(key))

    # -- writing --------------------------------------------------------------------------
    def check_writable(self, key: str | None = None) -> None:
        if self.read_only or not self.supports_writes:
            raise ReadOnlyError("store is read-only", url=self.url, key=key)

    def set(self, key: str, value: bytes) -> None:
        """Store ``value`` under ``key``. Subclasses call ``check_writable`` first."""
        raise ReadOnlyError("store does not support writes", url=self.url, key=key)

    def set_many(self, items: Mapping[str, bytes]) -> None:
        """Store several values; concurrent for remote stores."""
        if not self.is_remote or len(items) <= 1:
            for key, value in items.items():
                self.set(key, value)
            return
        list(self._executor().map(lambda kv: self.set(*kv), items.items()))

    def delete(self, key: str) -> None:
        """Remove ``key``; NotFoundError if absent."""
        raise ReadOnlyError("store does not support deletes", url=self.url, key=key)

    def delete_prefix(self, prefix: str) -> None:
        """Remove every key under ``prefix`` (a ``/``-terminated path or ``""``)."""
        for key in list(self.list_prefix(prefix)):
            self.delete(key)

    # -- listing --------------------------------------------------------------------------
    def list_prefix(self, prefix: str) -> Iterator[str]:
        """Yield every key that starts with ``prefix``."""
        raise UnsupportedError("store cannot list keys", url=self.url, key=prefix)

    def list(self) -> Iterator[str]:
        return self.list_prefix("")

    def list_dir(self, prefix: str) -> builtins.list[str]:
        """Sorted names directly under ``prefix``. Default derives it from ``list_prefix``."""
        if prefix and not prefix.endswith("/"):
            prefix += "/"
        names: set[str] = set()
        for key in self.list_prefix(prefix):
            rest = key[len(prefix) :]
            if rest:
                names.add(rest.split("/", 1)[0])
        return sorted(names)

    # -- lifecycle ------------------------------------------------------------------------
    def _executor(self) -> ThreadPoolExecutor:
        with self._pool_lock:
            if self._pool is None:
                self._pool = ThreadPoolExecutor(
                    max_workers=max(1, self.max_concurrency),
                    thread_name_prefix=f"zarrcore-{type(self).__name__}",
                )
            return self._pool

    def close(self) -> None:
        """Flush and release resources. Idempotent."""
        self._closed = True
        with self._pool_lock:
            if self._pool is not None:
                self._pool.shutdown(wait=True)
                self._pool = None

    def __enter__(self) -> Store:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


_T = TypeVar("_T")
_R = TypeVar("_R")


def _batched_map(
    pool: ThreadPoolExecutor, fn: Callable[[_T], _R], items: builtins.list[_T], workers: int
) -> builtins.list[_R]:
    """``pool.map(fn, items)`` in order, one task per item up to ``4 * workers`` items and
    per run of items beyond: thousands of small local reads (a 20 000-chunk array) would
    otherwise spend most of their time in executor bookkeeping."""
    if len(items) <= 4 * workers:
        return builtins.list(pool.map(fn, items))
    size = -(-len(items) // (4 * workers))
    runs = [items[i : i + size] for i in range(0, len(items), size)]
    out: builtins.list[_R] = []
    for part in pool.map(lambda run: [fn(item) for item in run], runs):
        out.extend(part)
    return out
