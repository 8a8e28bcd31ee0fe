"""Key/value stores. ``Store`` is the interface; each back end lives in its own module."""

from zarrcore.store.base import ByteRange, Store

__all__ = ["ByteRange", "Store"]
