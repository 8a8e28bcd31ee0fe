"""Key/value stores. ``Store`` is the interface; each back end lives in its own module.

The local stores (standard library only) are exported here; remote stores import their
client library lazily, so import them from their own module (or open them by URL).
"""

from zarrcore.store.base import ByteRange, Store
from zarrcore.store.local import DirectoryStore
from zarrcore.store.memory import MemoryStore
from zarrcore.store.sqlite import SQLiteStore
from zarrcore.store.zip import ZipStore

__all__ = ["ByteRange", "DirectoryStore", "MemoryStore", "SQLiteStore", "Store", "ZipStore"]
