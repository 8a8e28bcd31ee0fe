"""Format dispatch: load any node's metadata without the caller knowing its zarr format.

How a format plugs in (H5 does this for v3 in ``zarrcore/metadata/v3.py``):

1. Subclass :class:`FormatHandler` (``zarr_format``, ``metadata_names`` such as
   ``("zarr.json",)``, ``parse``, ``new_array``, ``new_group``).
2. At the bottom of the module call ``register_format(V3Handler())``.
3. Nothing else: :func:`load_handlers` imports ``zarrcore.metadata.v2`` and, if it exists,
   ``zarrcore.metadata.v3`` the first time a node is read, so array.py/group.py pick it up.

Metadata documents come from a :class:`NodeSource`: either the store itself
(:class:`StoreSource`, one batched ``get_many`` per node) or a consolidated map
(:class:`ConsolidatedSource`, no store IO at all). v3 inline consolidation (H5) builds a
``ConsolidatedSource`` from the root ``zarr.json``'s ``consolidated_metadata`` with keys
like ``"a/b/zarr.json"`` mapping to the parsed node documents.
"""

from __future__ import annotations

import importlib
import threading
from abc import ABC, abstractmethod
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from zarrcore.errors import MetadataError, NodeNotFoundError, UnsupportedError, ZarrcoreError
from zarrcore.metadata.base import ArrayMetadata, GroupMetadata, NodeMetadata
from zarrcore.metadata.jsonutil import loads_document
from zarrcore.store.base import Store

#: a metadata document: raw bytes from a store, or already parsed JSON (consolidated maps)
Document = bytes | Mapping[str, Any]


def join_key(path: str, name: str) -> str:
    """``join_key("a/b", ".zarray") == "a/b/.zarray"``; ``join_key("", "x") == "x"``."""
    path = path.strip("/")
    return f"{path}/{name}" if path else name


def normalize_path(path: str) -> str:
    """Node paths: no leading/trailing slash, no empty, ``.`` or ``..`` segments."""
    parts = [part for part in path.replace("\\", "/").split("/") if part and part != "."]
    if ".." in parts:
        raise ValueError(f"invalid node path {path!r}")
    return "/".join(parts)


def document_json(doc: Document, *, url: str | None, key: str) -> dict[str, Any]:
    """Parse a document (lenient JSON: bare NaN/Infinity allowed) into a dict."""
    if isinstance(doc, bytes | bytearray | memoryview):
        value = loads_document(bytes(doc), url=url, key=key)
    else:
        value = dict(doc)
    if not isinstance(value, dict):
        raise MetadataError("metadata document is not a JSON object", url=url, key=key)
    return value


class NodeSource(ABC):
    """Where metadata documents and child listings come from."""

    #: the real store (chunks always come from here)
    store: Store
    consolidated: bool = False

    @abstractmethod
    def documents(self, keys: Sequence[str]) -> dict[str, Document | None]:
        """Fetch several metadata documents at once; missing -> None."""

    @abstractmethod
    def list_children(self, path: str) -> list[str]:
        """Sorted names of the entries directly under node ``path``."""


class StoreSource(NodeSource):
    """Metadata read from the store on demand."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def documents(self, keys: Sequence[str]) -> dict[str, Document | None]:
        return dict(self.store.get_many(keys))

    def list_children(self, path: str) -> list[str]:
        prefix = f"{path}/" if path else ""
        return self.store.list_dir(prefix)


class ConsolidatedSource(NodeSource):
    """Metadata taken from a consolidated map ``{relative key: parsed JSON}``; no store IO.

    ``root`` is the path of the group the map belongs to; keys are relative to it.
    """

    consolidated = True

    def __init__(self, store: Store, metadata: Mapping[str, Document], root: str = "") -> None:
        self.store = store
        self.root = normalize_path(root)
        if self.root:
            self._docs: dict[str, Document] = {
                join_key(self.root, k): v for k, v in metadata.items()
            }
        else:  # keys are already full keys: no per-key rewriting for big maps
            self._docs = dict(metadata)
        self._children: dict[str, set[str]] | None = None
        self._lock = threading.Lock()

    def documents(self, keys: Sequence[str]) -> dict[str, Document | None]:
        return {key: self._docs.get(key) for key in keys}

    @property
    def all_documents(self) -> Mapping[str, Document]:
        """Every document by full key (read-only use): parsers look up a node's documents
        here directly, without building a per-node dict (fast listings)."""
        return self._docs

    def keys(self) -> Iterable[str]:
        return self._docs.keys()

    def _index(self) -> dict[str, set[str]]:
        with self._lock:
            if self._children is None:
                children: dict[str, set[str]] = {}
                seen: set[str] = set()
                # the nodes holding documents (one pass at C speed: a node holds several
                # documents), then every ancestor of a node knows its child; stop at the
                # first ancestor already seen
                for node in {key.rpartition("/")[0] for key in self._docs}:
                    while node and node not in seen:
                        seen.add(node)
                        parent, _, name = node.rpartition("/")
                        children.setdefault(parent, set()).add(name)
                        node = parent
                self._children = children
            return self._children

    def list_children(self, path: str) -> list[str]:
        return sorted(self._index().get(path, ()))


class FormatHandler(ABC):
    """One zarr format's reader/writer of node metadata."""

    zarr_format: int
    #: document names this format keeps at a node, e.g. (".zarray", ".zgroup", ".zattrs")
    metadata_names: tuple[str, ...]

    @abstractmethod
    def parse(
        self, path: str, docs: Mapping[str, Document | None], *, url: str | None
    ) -> NodeMetadata | None:
        """Build the node's metadata from its documents (keyed by *full* key), or None if
        this format has no node at ``path``. Malformed documents raise MetadataError."""

    def peek(
        self, path: str, docs: Mapping[str, Document | None], *, url: str | None
    ) -> str | None:
        """``"array"``, ``"group"`` or None, as cheaply as possible (used to list big
        consolidated hierarchies without parsing every node). Default: parse."""
        meta = self.parse(path, docs, url=url)
        return None if meta is None else meta.node_type

    @abstractmethod
    def new_array(
        self,
        *,
        shape: Sequence[int],
        chunks: Sequence[int],
        dtype: Any,
        fill_value: Any = 0,
        order: str = "C",
        compressor: Any = "default",
        filters: Sequence[Any] | None = None,
        dimension_separator: str | None = None,
        attributes: Mapping[str, Any] | None = None,
        **options: Any,
    ) -> ArrayMetadata:
        """Metadata for a new array (numcodecs objects for compressor / filters)."""

    @abstractmethod
    def new_group(self, attributes: Mapping[str, Any] | None = None) -> GroupMetadata:
        """Metadata for a new group."""


_HANDLERS: dict[int, FormatHandler] = {}
_loaded = False
_load_lock = threading.Lock()


def register_format(handler: FormatHandler) -> None:
    """Make a format known to :func:`read_node` and :func:`get_handler`."""
    global _ordered
    _HANDLERS[handler.zarr_format] = handler
    _ordered = None


#: cache of handlers_in_order() and every metadata name, reset by register_format
_ordered: tuple[list[FormatHandler], tuple[str, ...]] | None = None


def load_handlers() -> dict[int, FormatHandler]:
    """Import the built-in format modules once (v3 only if its module exists)."""
    global _loaded
    if not _loaded:
        with _load_lock:
            if not _loaded:
                importlib.import_module("zarrcore.metadata.v2")
                try:
                    importlib.import_module("zarrcore.metadata.v3")
                except ModuleNotFoundError as exc:
                    if exc.name != "zarrcore.metadata.v3":
                        raise
                _loaded = True
    return _HANDLERS


def get_handler(zarr_format: int) -> FormatHandler:
    handlers = load_handlers()
    try:
        return handlers[zarr_format]
    except KeyError:
        raise UnsupportedError(f"zarr format {zarr_format} is not supported") from None


def _handlers_and_names() -> tuple[list[FormatHandler], tuple[str, ...]]:
    global _ordered
    cached = _ordered
    if cached is None:
        handlers = [h for _, h in sorted(load_handlers().items(), reverse=True)]
        cached = (handlers, tuple(name for h in handlers for name in h.metadata_names))
        _ordered = cached
    return cached


def handlers_in_order() -> list[FormatHandler]:
    """v3 before v2 (like zarr-python 3, which prefers zarr.json when both exist)."""
    return list(_handlers_and_names()[0])


def node_metadata_keys(path: str) -> list[str]:
    """All metadata keys any known format may keep at ``path``."""
    path = path.strip("/")
    names = _handlers_and_names()[1]
    return [f"{path}/{name}" for name in names] if path else list(names)


def parse_node(
    path: str, docs: Mapping[str, Document | None], *, url: str | None
) -> NodeMetadata | None:
    """Parse already fetched documents of a node; None if there is no node."""
    for handler in _handlers_and_names()[0]:
        meta = handler.parse(path, docs, url=url)
        if meta is not None:
            return meta
    return None


def read_node(source: NodeSource | Store, path: str) -> NodeMetadata:
    """Load the metadata of the node at ``path`` (one batched read of its documents).

    Raises NodeNotFoundError when no format has a node there, MetadataError when a
    document is malformed.
    """
    if isinstance(source, Store):
        source = StoreSource(source)
    path = normalize_path(path)
    docs = source.documents(node_metadata_keys(path))
    meta = parse_node(path, docs, url=source.store.url)
    if meta is None:
        raise NodeNotFoundError(
            "no zarr group or array at this path", url=source.store.url, key=path or "/"
        )
    return meta


def read_nodes(
    source: NodeSource,
    paths: Sequence[str],
    *,
    errors: dict[str, ZarrcoreError] | None = None,
    prefer_format: int | None = None,
) -> dict[str, NodeMetadata | None]:
    """Load several nodes with one batched read (used to list a group's members).

    A malformed node raises, unless ``errors`` is given: then its error is stored there
    under its path and the node maps to None. ``prefer_format`` (the parent group's
    format) first asks only for that format's documents (children of a v2 group are v2:
    3 requests per child instead of 4 on remote stores); paths it does not resolve are
    then tried with the other formats.
    """
    handlers = _handlers_and_names()[0]
    preferred = [h for h in handlers if h.zarr_format == prefer_format]
    if not preferred or len(handlers) == 1:
        return _read_with(source, paths, handlers, errors)
    result = _read_with(source, paths, preferred, errors)
    failed = errors or {}
    rest = [p for p in paths if result[p] is None and p not in failed]
    if rest:
        others = [h for h in handlers if h.zarr_format != prefer_format]
        result.update(_read_with(source, rest, others, errors))
    return result


def _read_with(
    source: NodeSource,
    paths: Sequence[str],
    handlers: Sequence[FormatHandler],
    errors: dict[str, ZarrcoreError] | None,
) -> dict[str, NodeMetadata | None]:
    names = [name for h in handlers for name in h.metadata_names]
    keys = [join_key(path, name) for path in paths for name in names]
    docs = source.documents(keys) if keys else {}
    url = source.store.url  # redacting the URL once, not once per node

    def parse(path: str) -> NodeMetadata | None:
        for handler in handlers:
            meta = handler.parse(path, docs, url=url)
            if meta is not None:
                return meta
        return None

    if errors is None:
        return {path: parse(path) for path in paths}
    result: dict[str, NodeMetadata | None] = {}
    for path in paths:
        try:
            result[path] = parse(path)
        except ZarrcoreError as exc:
            errors[path] = exc
            result[path] = None
    return result


def peek_node(
    path: str, docs: Mapping[str, Document | None], *, url: str | None
) -> tuple[str, int] | None:
    """``(node_type, zarr_format)`` of the node at ``path`` without a full parse."""
    for handler in _handlers_and_names()[0]:
        kind = handler.peek(path, docs, url=url)
        if kind is not None:
            return kind, handler.zarr_format
    return None


def new_array_metadata(zarr_format: int, **kwargs: Any) -> ArrayMetadata:
    """Metadata for a new array of the given format (see FormatHandler.new_array)."""
    return get_handler(zarr_format).new_array(**kwargs)


def new_group_metadata(
    zarr_format: int, attributes: Mapping[str, Any] | None = None
) -> GroupMetadata:
    return get_handler(zarr_format).new_group(attributes)
