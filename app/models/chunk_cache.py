"""A thread-safe LRU cache of decoded chunks, bounded in bytes."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable

import numpy as np

CacheKey = tuple[Hashable, ...]


class ChunkCache:
    """Least-recently-used mapping ``key -> ndarray`` holding at most ``max_bytes``.

    A chunk larger than the whole budget is not cached. ``max_bytes = 0`` disables caching.
    """

    def __init__(self, max_bytes: int) -> None:
        self._max_bytes = max(0, int(max_bytes))
        self._items: OrderedDict[CacheKey, np.ndarray] = OrderedDict()
        self._nbytes = 0
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    @property
    def max_bytes(self) -> int:
        return self._max_bytes

    @property
    def nbytes(self) -> int:
        return self._nbytes

    def __len__(self) -> int:
        return len(self._items)

    def set_max_bytes(self, max_bytes: int) -> None:
        with self._lock:
            self._max_bytes = max(0, int(max_bytes))
            self._evict()

    def get(self, key: CacheKey) -> np.ndarray | None:
        with self._lock:
            value = self._items.get(key)
            if value is None:
                self.misses += 1
                return None
            self._items.move_to_end(key)
            self.hits += 1
            return value

    def put(self, key: CacheKey, value: np.ndarray) -> None:
        size = int(value.nbytes)
        with self._lock:
            old = self._items.pop(key, None)
            if old is not None:
                self._nbytes -= int(old.nbytes)
            if size > self._max_bytes:
                return
            value.setflags(write=False)
            self._items[key] = value
            self._nbytes += size
            self._evict()

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self._nbytes = 0

    def _evict(self) -> None:
        while self._nbytes > self._max_bytes and self._items:
            _, value = self._items.popitem(last=False)
            self._nbytes -= int(value.nbytes)
