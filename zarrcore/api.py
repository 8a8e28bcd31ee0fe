"""The public entry points: open, open_group, open_array, open_consolidated, ...

Every ``open*`` takes a URL, a path or a :class:`~zarrcore.store.base.Store`. Modes:
``"r"`` read-only (node must exist); ``"r+"`` read/write (node must exist); ``"a"``
read/write, created if missing; ``"w"`` created, clearing whatever was at the node;
``"w-"``/``"x"`` created, failing if something is there. Extra keyword options go to the
store (credentials, endpoint, ...). ``allow_pickle=True`` is the explicit opt-in to decode
pickle-encoded object arrays (refused by default: unpickling runs arbitrary code).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

from zarrcore.array import Array
from zarrcore.consolidate import (
    ConsolidationReport,
    check,
    consolidate,
    open_consolidated_source,
)
from zarrcore.errors import (
    ContainsArrayError,
    ContainsGroupError,
    NodeNotFoundError,
)
from zarrcore.group import Group, build_array_metadata, make_node
from zarrcore.metadata.base import ArrayMetadata, GroupMetadata
from zarrcore.metadata.formats import (
    NodeSource,
    StoreSource,
    get_handler,
    join_key,
    normalize_path,
    read_node,
    read_nodes,
)
from zarrcore.node import MODES
from zarrcore.store.base import Store
from zarrcore.url import open_store

UrlOrStore = str | os.PathLike[str] | Store

__all__ = [
    "ConsolidationReport",
    "check_consolidated",
    "consolidate_metadata",
    "open",
    "open_array",
    "open_consolidated",
    "open_group",
    "open_store",
]


def _store(url: UrlOrStore, mode: str, options: dict[str, Any]) -> Store:
    if mode not in MODES:
        raise ValueError(f"invalid mode {mode!r}; expected one of {', '.join(MODES)}")
    store = open_store(url, mode="r" if mode == "r" else "a", **options)
    if mode != "w" and not isinstance(url, Store):
        from zarrcore.store.n5 import wrap_if_n5  # N5 found by its attributes.json

        store = wrap_if_n5(store)
    return store


def _clear(store: Store, path: str) -> None:
    store.check_writable(path or "/")
    store.delete_prefix(f"{path}/" if path else "")


def _creating(store: Store, path: str, mode: str) -> bool:
    """For w/w-/x: prepare the node location; return True when a node must be created."""
    if mode == "w":
        _clear(store, path)
        return True
    if mode in ("w-", "x"):
        existing = read_nodes(StoreSource(store), [path])[path]
        if existing is not None:
            error = (
                ContainsArrayError if isinstance(existing, ArrayMetadata) else ContainsGroupError
            )
            raise error(
                f"a {existing.node_type} already exists here", url=store.url, key=path or "/"
            )
        return True
    return False


def _implicit_root(source: NodeSource, path: str, zarr_format: int | None) -> GroupMetadata | None:
    """A path without group metadata whose children are nodes reads as an implicit group."""
    store = source.store
    if not store.supports_listing:
        return None
    names = [n for n in source.list_children(path) if not n.startswith(".")]
    children = read_nodes(source, [join_key(path, n) for n in names])
    found = [m for m in children.values() if m is not None]
    if not found:
        return None
    return get_handler(zarr_format or found[0].zarr_format).new_group()


def _write_new(store: Store, path: str, meta: Any) -> None:
    for name, value in meta.to_documents().items():
        store.set(join_key(path, name), value)


def _require_parents(store: Store, path: str, zarr_format: int) -> None:
    """Create missing ancestor groups of ``path`` (zarr-python does the same)."""
    if not path:
        return
    parts = path.split("/")
    parents = ["/".join(parts[:depth]) for depth in range(len(parts))]
    found = read_nodes(StoreSource(store), parents)
    for parent in parents:
        meta = found[parent]
        if meta is None:
            _write_new(store, parent, get_handler(zarr_format).new_group())
        elif isinstance(meta, ArrayMetadata):
            raise ContainsArrayError(
                "an array is in the way of the new node", url=store.url, key=parent or "/"
            )


def open_group(
    store: UrlOrStore,
    mode: str = "a",
    *,
    path: str = "",
    zarr_format: int | None = None,
    attributes: dict[str, Any] | None = None,
    allow_pickle: bool = False,
    **options: Any,
) -> Group:
    """Open (or create, for modes a/w/w-) the group at ``path``.

    ``zarr_format`` picks the format of a new group (default 2); ``attributes`` are set on
    a new group.
    """
    kv = _store(store, mode, options)
    path = normalize_path(path)
    source = StoreSource(kv)
    if not _creating(kv, path, mode):
        try:
            meta = read_node(source, path)
        except NodeNotFoundError:
            implicit = _implicit_root(source, path, zarr_format) if mode in ("r", "r+") else None
            if implicit is None and mode in ("r", "r+"):
                raise
            if implicit is not None:
                return Group(source, path, implicit, mode=mode, allow_pickle=allow_pickle)
            meta = None
        if meta is not None:
            if isinstance(meta, ArrayMetadata):
                raise ContainsArrayError(
                    "expected a group but found an array", url=kv.url, key=path or "/"
                )
            assert isinstance(meta, GroupMetadata)
            return Group(source, path, meta, mode=mode, allow_pickle=allow_pickle)
    new = get_handler(zarr_format or 2).new_group(attributes)
    _require_parents(kv, path, new.zarr_format)
    _write_new(kv, path, new)
    return Group(source, path, new, mode=mode, allow_pickle=allow_pickle)


def open_array(
    store: UrlOrStore,
    mode: str = "r",
    *,
    path: str = "",
    shape: Sequence[int] | int | None = None,
    zarr_format: int | None = None,
    allow_pickle: bool = False,
    write_empty_chunks: bool | None = None,
    chunks: Sequence[int] | int | None = None,
    dtype: Any = None,
    fill_value: Any = 0,
    compressor: Any = "default",
    filters: Sequence[Any] | None = None,
    order: str = "C",
    dimension_separator: str | None = None,
    shards: Sequence[int] | None = None,
    attributes: dict[str, Any] | None = None,
    **options: Any,
) -> Array:
    """Open the array at ``path``; with modes a/w/w- and ``shape`` (or ``data=`` in
    ``options``) a missing array is created like ``Group.create_array``."""
    array_options = {
        k: options.pop(k)
        for k in ("data", "object_codec", "dimension_names", "chunk_key_encoding")
        if k in options
    }
    kv = _store(store, mode, options)
    path = normalize_path(path)
    source = StoreSource(kv)
    if not _creating(kv, path, mode):
        try:
            meta = read_node(source, path)
        except NodeNotFoundError:
            if mode in ("r", "r+") or (shape is None and "data" not in array_options):
                raise
            meta = None
        if meta is not None:
            if not isinstance(meta, ArrayMetadata):
                raise ContainsGroupError(
                    "expected an array but found a group", url=kv.url, key=path or "/"
                )
            return Array(
                source,
                path,
                meta,
                mode=mode,
                allow_pickle=allow_pickle,
                write_empty_chunks=write_empty_chunks,
            )
    meta, array_data = build_array_metadata(
        zarr_format or 2,
        shape=shape,
        chunks=chunks,
        dtype=dtype,
        fill_value=fill_value,
        compressor=compressor,
        filters=filters,
        order=order,
        dimension_separator=dimension_separator,
        shards=shards,
        attributes=attributes,
        **array_options,
    )
    _require_parents(kv, path, meta.zarr_format)
    _write_new(kv, path, meta)
    if getattr(kv, "translates_metadata", False):
        # the store keeps its own form (N5: n5_wrapper codec); use what it now reads as
        stored = read_node(source, path)
        if isinstance(stored, ArrayMetadata):
            meta = stored
    array = Array(
        source,
        path,
        meta,
        mode=mode,
        allow_pickle=allow_pickle,
        write_empty_chunks=write_empty_chunks,
    )
    if array_data is not None:
        array[...] = array_data
    return array


def open(
    store: UrlOrStore,
    mode: str = "r",
    *,
    path: str = "",
    zarr_format: int | None = None,
    allow_pickle: bool = False,
    **options: Any,
) -> Group | Array:
    """Open whatever node is at ``path``: a Group or an Array.

    With modes a/w/w-, a missing node is created: an array when ``shape`` (or ``data``)
    is given, else a group.
    """
    creating_array = "shape" in options or "data" in options
    if mode in ("w", "w-", "x") or (mode == "a" and creating_array):
        if creating_array:
            return open_array(
                store,
                mode,
                path=path,
                zarr_format=zarr_format,
                allow_pickle=allow_pickle,
                **options,
            )
        return open_group(
            store, mode, path=path, zarr_format=zarr_format, allow_pickle=allow_pickle, **options
        )
    kv = _store(store, mode, options)
    path = normalize_path(path)
    source = StoreSource(kv)
    try:
        meta = read_node(source, path)
    except NodeNotFoundError:
        if mode == "a":
            return open_group(
                kv, mode, path=path, zarr_format=zarr_format, allow_pickle=allow_pickle
            )
        implicit = _implicit_root(source, path, zarr_format)
        if implicit is None:
            raise
        return Group(source, path, implicit, mode=mode, allow_pickle=allow_pickle)
    return make_node(source, path, meta, mode=mode, allow_pickle=allow_pickle)


def open_consolidated(
    store: UrlOrStore,
    mode: str = "r",
    *,
    path: str = "",
    allow_pickle: bool = False,
    **options: Any,
) -> Group:
    """Open a group through its consolidated metadata: ONE metadata read, no listing.

    Only ``"r"`` and ``"r+"`` (chunk writes allowed; metadata stays read-only) make sense.
    Raises NotFoundError when there is no consolidated metadata.
    """
    if mode not in ("r", "r+"):
        raise ValueError(f"open_consolidated supports mode 'r' or 'r+', not {mode!r}")
    kv = _store(store, mode, options)
    path = normalize_path(path)
    source = open_consolidated_source(kv, path)
    meta = read_node(source, path)
    if not isinstance(meta, GroupMetadata):
        raise ContainsArrayError(
            "consolidated metadata root is an array", url=kv.url, key=path or "/"
        )
    return Group(source, path, meta, mode=mode, allow_pickle=allow_pickle)


def consolidate_metadata(store: UrlOrStore, *, path: str = "", **options: Any) -> Group:
    """Write consolidated metadata for the group at ``path`` (v2 ``.zmetadata``; v3 inline
    when that format is available) and return the group opened through it."""
    kv = _store(store, "a", options)
    consolidate(kv, path)
    return open_consolidated(kv, "r+" if not kv.read_only else "r", path=path)


def check_consolidated(store: UrlOrStore, *, path: str = "", **options: Any) -> ConsolidationReport:
    """Report whether consolidated metadata is missing or stale (missing / changed / extra
    entries compared with the hierarchy in the store). Needs a store that can list."""
    kv = _store(store, "r", options)
    return check(kv, path)
