"""What groups and arrays share: store, path, metadata, mode and attributes."""

from __future__ import annotations

from collections.abc import Mapping
from types import TracebackType
from typing import Any, Self

from zarrcore.attrs import Attributes
from zarrcore.errors import ReadOnlyError
from zarrcore.metadata.base import NodeMetadata
from zarrcore.metadata.formats import NodeSource, StoreSource, join_key, read_node
from zarrcore.store.base import Store

MODES = ("r", "r+", "a", "w", "w-", "x")


class Node:
    """A group or an array at ``path`` in a store."""

    def __init__(
        self,
        source: NodeSource,
        path: str,
        metadata: NodeMetadata,
        *,
        mode: str = "r",
        allow_pickle: bool = False,
    ) -> None:
        if mode not in MODES:
            raise ValueError(f"invalid mode {mode!r}; expected one of {', '.join(MODES)}")
        self.source = source
        self.path = path
        self.metadata = metadata
        self.mode = mode
        self.allow_pickle = allow_pickle

    # -- identity -------------------------------------------------------------------------
    @property
    def store(self) -> Store:
        return self.source.store

    @property
    def name(self) -> str:
        """Absolute path within the hierarchy, ``"/"`` for the root."""
        return "/" + self.path

    @property
    def basename(self) -> str:
        return self.path.rsplit("/", 1)[-1]

    @property
    def zarr_format(self) -> int:
        return self.metadata.zarr_format

    @property
    def read_only(self) -> bool:
        return self.mode == "r" or self.store.read_only or not self.store.supports_writes

    @property
    def metadata_read_only(self) -> bool:
        return self.read_only or self.source.consolidated

    @property
    def attrs(self) -> Attributes:
        return Attributes(self)

    # -- metadata IO ----------------------------------------------------------------------
    def check_writable(self, what: str = "write") -> None:
        if self.read_only:
            raise ReadOnlyError(
                f"cannot {what}: opened read-only (mode={self.mode!r})",
                url=self.store.url,
                key=self.path or "/",
            )

    def write_documents(self, docs: Mapping[str, bytes]) -> None:
        """Store metadata documents (keys relative to this node)."""
        if self.metadata_read_only:
            raise ReadOnlyError(
                "metadata is read-only here", url=self.store.url, key=self.path or "/"
            )
        for name, value in docs.items():
            self.store.set(join_key(self.path, name), value)

    def reload(self) -> None:
        """Re-read this node's metadata (from the consolidated map when there is one)."""
        self.metadata = read_node(self.source, self.path)

    def refresh_from_store(self) -> None:
        """Drop any consolidated view and read metadata from the store itself."""
        self.source = StoreSource(self.store)
        self.reload()

    # -- lifecycle ------------------------------------------------------------------------
    def close(self) -> None:
        """Flush and release the store (needed for zip)."""
        self.store.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __eq__(self, other: Any) -> bool:
        return type(other) is type(self) and other.store is self.store and other.path == self.path

    def __hash__(self) -> int:
        return hash((id(self.store), self.path))
