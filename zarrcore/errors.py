"""Typed errors. Every error carries the store URL (secrets redacted) and the key.

Catch :class:`ZarrcoreError` for anything the engine raises on purpose. Subclasses also
inherit the closest builtin so generic handlers keep working (``KeyError`` for a missing
key, ``PermissionError`` for writes to a read-only store, ``ConnectionError`` for a server
that is down, ``ValueError`` for bad input).
"""

from __future__ import annotations

from zarrcore.redact import redact_text, redact_url


class ZarrcoreError(Exception):
    """Base class: ``message`` plus the ``url`` and ``key`` it concerns."""

    def __init__(self, message: str, *, url: str | None = None, key: str | None = None) -> None:
        self.message = redact_text(message)
        self.url = redact_url(url) if url else None
        self.key = key
        super().__init__(self.message)

    def __str__(self) -> str:
        parts = [self.message]
        where = []
        if self.url:
            where.append(f"url={self.url}")
        if self.key is not None:
            where.append(f"key={self.key!r}")
        if where:
            parts.append(f"({', '.join(where)})")
        return " ".join(parts)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({str(self)!r})"


class NotFoundError(ZarrcoreError, KeyError):
    """A key, node or object that does not exist (also a ``KeyError``)."""


class NodeNotFoundError(NotFoundError):
    """No group or array at this path."""


class ContainsGroupError(ZarrcoreError, ValueError):
    """A group already exists where an array was expected or is to be created."""


class ContainsArrayError(ZarrcoreError, ValueError):
    """An array already exists where a group was expected or is to be created."""


class ReadOnlyError(ZarrcoreError, PermissionError):
    """A write or delete on a store or node opened read-only."""


class MetadataError(ZarrcoreError, ValueError):
    """Malformed or invalid metadata document (bad JSON, missing field, bad value)."""


class UnsupportedError(ZarrcoreError, NotImplementedError):
    """A feature, scheme, data type or layout zarrcore does not handle (yet)."""


class UnsupportedCodecError(UnsupportedError):
    """A codec id or name that no registered codec implements."""


class PickleRefusedError(UnsupportedError):
    """A pickle-encoded object array; refused unless the caller explicitly allows pickle."""


class CorruptChunkError(ZarrcoreError, ValueError):
    """A stored chunk that is present but cannot be decoded (truncated, bad checksum, ...)."""


class ShapeError(ZarrcoreError, ValueError):
    """A value or selection whose shape does not fit the target."""


class StoreError(ZarrcoreError, OSError):
    """The store medium failed (IO error, unexpected server reply)."""


class StoreUnavailableError(StoreError, ConnectionError):
    """The server cannot be reached, went away mid-read, or timed out."""


class AuthenticationError(ZarrcoreError, PermissionError):
    """Credentials were rejected or access was denied."""


class CancelledError(ZarrcoreError):
    """The operation was cancelled by the caller."""
