"""What groups and arrays share: store, path, metadata, mode and attributes."""

from __future__ import annotations

from collections.abc import Callable, Mapping
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
        metadata: NodeMetadata | None,
        *,
        mode: str = "r",
        allow_pickle: bool = False,
        loader: Callable[[], NodeMetadata] | None = None,
        zarr_format: int | None = None,
    ) -> None:
        """``metadata`` may be None with a ``loader`` that parses it on first use (big
        consolidated listings); ``zarr_format`` then answers without parsing."""
        if mode not in MODES:
            raise ValueError(f"invalid mode {mode!r}; expected one of {', '.join(MODES)}")
        if metadata is None and loader is None:
            raise ValueError("a node needs metadata or a loader")
        self.source = source
        self.path = path
        self._metadata = metadata
        self._loader = loader
        self._zarr_format = zarr_format
        self.mode = mode
        self.allow_pickle = allow_pickle

    def _load_metadata(self) -> NodeMetadata:
        if self._metadata is None:
            assert self._loader is not None
            self._metadata = self._loader()
        return self._metadata

    @property
    def metadata(self) -> NodeMetadata:
        """The node's metadata (parsed on first access for lazily listed nodes)."""
        return self._load_metadata()

    @metadata.setter
    def metadata(self, value: NodeMetadata) -> None:
        self._metadata = value

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
        if self._metadata is None and self._zarr_format is not None:
            return self._zarr_format
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
