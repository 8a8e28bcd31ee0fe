"""Stores that wrap another store: request counting and added latency.

- :class:`CountingStore` counts requests and bytes (how many metadata reads did opening a
  consolidated hierarchy cost? how many listings did expanding a tree node cost?).
- :class:`LatencyStore` adds a fixed delay to every request, to measure how an engine
  behaves against a remote store (e.g. 20 ms per request) without a network. It wraps only
  single requests; ``get_many`` is the base-class default, which runs ``get`` concurrently,
  so an engine that batches its reads sees the latency overlap as it would over a network.

Both copy the capability flags of the store they wrap.
"""

from __future__ import annotations

import builtins
import threading
import time
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence

from zarrcore.store.base import ByteRange, Store

_FLAGS = (
    "supports_writes",
    "supports_deletes",
    "supports_listing",
    "supports_partial_reads",
    "supports_atomic_writes",
    "is_remote",
    "max_concurrency",
)


class _Wrapper(Store):
    """Delegates everything to ``inner``; flags and URL are the inner store's."""

    def __init__(self, inner: Store) -> None:
        super().__init__(inner.url, read_only=inner.read_only)
        self.inner = inner
        for flag in _FLAGS:
            setattr(self, flag, getattr(inner, flag))

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.inner!r})"

    def get(self, key: str) -> bytes:
        return self.inner.get(key)

    def get_range(self, key: str, start: int = 0, length: int | None = None) -> bytes:
        return self.inner.get_range(key, start, length)

    def getsize(self, key: str) -> int:
        return self.inner.getsize(key)

    def exists(self, key: str) -> bool:
        return self.inner.exists(key)

    def set(self, key: str, value: bytes) -> None:
        self.check_writable(key)
        self.inner.set(key, value)

    def delete(self, key: str) -> None:
        self.check_writable(key)
        self.inner.delete(key)

    def delete_prefix(self, prefix: str) -> None:
        self.check_writable(prefix)
        self.inner.delete_prefix(prefix)

    def list_prefix(self, prefix: str) -> Iterator[str]:
        return self.inner.list_prefix(prefix)

    def list_dir(self, prefix: str) -> builtins.list[str]:
        return self.inner.list_dir(prefix)

    def close(self) -> None:
        try:
            self.inner.close()
        finally:
            super().close()


class CountingStore(_Wrapper):
    """Counts calls and bytes per operation; ``counts`` is a snapshot, ``reset()`` zeroes.

    Counter names: ``get``, ``get_range``, ``get_many`` (calls), ``get_many_keys`` (keys
    asked for), ``getsize``, ``exists``, ``list_prefix``, ``list_dir``, ``set``, ``delete``,
    ``bytes_read``, ``bytes_written``. ``keys_read`` lists every key read, in order.
    """

    def __init__(self, inner: Store) -> None:
        super().__init__(inner)
        self._counts: Counter[str] = Counter()
        self._keys_read: builtins.list[str] = []
        self._count_lock = threading.Lock()

    def _count(self, name: str, nbytes_read: int = 0, key: str | None = None) -> None:
        with self._count_lock:
            self._counts[name] += 1
            if nbytes_read:
                self._counts["bytes_read"] += nbytes_read
            if key is not None:
                self._keys_read.append(key)

    @property
    def counts(self) -> dict[str, int]:
        with self._count_lock:
            return dict(self._counts)

    @property
    def keys_read(self) -> builtins.list[str]:
        with self._count_lock:
            return builtins.list(self._keys_read)

    @property
    def reads(self) -> int:
        """Requests that read values: get + get_range + keys asked for in get_many."""
        counts = self.counts
        return counts.get("get", 0) + counts.get("get_range", 0) + counts.get("get_many_keys", 0)

    @property
    def listings(self) -> int:
        counts = self.counts
        return counts.get("list_prefix", 0) + counts.get("list_dir", 0)

    def reset(self) -> None:
        with self._count_lock:
            self._counts.clear()
            self._keys_read.clear()

    def get(self, key: str) -> bytes:
        value = self.inner.get(key)
        self._count("get", len(value), key)
        return value

    def get_range(self, key: str, start: int = 0, length: int | None = None) -> bytes:
        value = self.inner.get_range(key, start, length)
        self._count("get_range", len(value), key)
        return value

    def get_many(self, keys: Iterable[str]) -> dict[str, bytes | None]:
        key_list = builtins.list(dict.fromkeys(keys))
        values = self.inner.get_many(key_list)
        with self._count_lock:
            self._counts["get_many"] += 1
            self._counts["get_many_keys"] += len(key_list)
            self._counts["bytes_read"] += sum(len(v) for v in values.values() if v is not None)
            self._keys_read.extend(key_list)
        return values

    def get_ranges(self, requests: Sequence[ByteRange]) -> builtins.list[bytes | None]:
        values = self.inner.get_ranges(requests)
        with self._count_lock:
            self._counts["get_ranges"] += 1
            self._counts["get_range"] += len(requests)
            self._counts["bytes_read"] += sum(len(v) for v in values if v is not None)
            self._keys_read.extend(r.key for r in requests)
        return values

    def getsize(self, key: str) -> int:
        self._count("getsize")
        return self.inner.getsize(key)

    def exists(self, key: str) -> bool:
        self._count("exists")
        return self.inner.exists(key)

    def set(self, key: str, value: bytes) -> None:
        super().set(key, value)
        with self._count_lock:
            self._counts["set"] += 1
            self._counts["bytes_written"] += len(value)

    def delete(self, key: str) -> None:
        super().delete(key)
        self._count("delete")

    def list_prefix(self, prefix: str) -> Iterator[str]:
        self._count("list_prefix")
        return self.inner.list_prefix(prefix)

    def list_dir(self, prefix: str) -> builtins.list[str]:
        self._count("list_dir")
        return self.inner.list_dir(prefix)


class LatencyStore(_Wrapper):
    """Sleeps ``latency_s`` before every request to ``inner`` (a simulated network).

    ``get_many``/``get_ranges`` are not overridden: the base class runs the single requests
    concurrently (``max_concurrency``, default 16), so their delays overlap.
    """

    def __init__(
        self,
        inner: Store,
        latency_s: float,
        *,
        max_concurrency: int = 16,
        is_remote: bool = True,
    ) -> None:
        super().__init__(inner)
        if latency_s < 0:
            raise ValueError(f"latency_s must be >= 0, got {latency_s}")
        self.latency_s = latency_s
        self.max_concurrency = max_concurrency
        self.is_remote = is_remote

    def __repr__(self) -> str:
        return f"LatencyStore({self.inner!r}, latency_s={self.latency_s})"

    def _wait(self) -> None:
        if self.latency_s:
            time.sleep(self.latency_s)

    def get(self, key: str) -> bytes:
        self._wait()
        return self.inner.get(key)

    def get_range(self, key: str, start: int = 0, length: int | None = None) -> bytes:
        self._wait()
        return self.inner.get_range(key, start, length)

    def getsize(self, key: str) -> int:
        self._wait()
        return self.inner.getsize(key)

    def exists(self, key: str) -> bool:
        self._wait()
        return self.inner.exists(key)

    def set(self, key: str, value: bytes) -> None:
        self.check_writable(key)
        self._wait()
        self.inner.set(key, value)

    def delete(self, key: str) -> None:
        self.check_writable(key)
        self._wait()
        self.inner.delete(key)

    def list_prefix(self, prefix: str) -> Iterator[str]:
        self._wait()
        return self.inner.list_prefix(prefix)

    def list_dir(self, prefix: str) -> builtins.list[str]:
        self._wait()
        return self.inner.list_dir(prefix)
