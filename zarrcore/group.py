"""``Group``: a node holding other groups and arrays (any zarr format)."""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import numpy as np

from zarrcore.array import Array
from zarrcore.errors import (
    ContainsArrayError,
    ContainsGroupError,
    NodeNotFoundError,
    ReadOnlyError,
    ZarrcoreError,
)
from zarrcore.metadata.base import ArrayMetadata, GroupMetadata, NodeMetadata
from zarrcore.metadata.formats import (
    ConsolidatedSource,
    Document,
    NodeSource,
    get_handler,
    join_key,
    node_metadata_keys,
    normalize_path,
    parse_node,
    peek_node,
    read_node,
    read_nodes,
)
from zarrcore.node import Node

#: names at a node that are never children (metadata documents)
_RESERVED = frozenset({"zarr.json", "attributes.json"})
#: target uncompressed chunk size when ``chunks`` is not given
_TARGET_CHUNK_NBYTES = 1 << 20


def guess_chunks(shape: Sequence[int], itemsize: int) -> tuple[int, ...]:
    """Chunks of roughly 1 MiB: halve the largest axis until the chunk is small enough."""
    chunks = [max(1, int(s)) for s in shape]
    while math.prod(chunks) * max(1, itemsize) > _TARGET_CHUNK_NBYTES:
        axis = max(range(len(chunks)), key=lambda i: chunks[i])
        if chunks[axis] == 1:
            break
        chunks[axis] = -(-chunks[axis] // 2)
    return tuple(chunks)


def build_array_metadata(
    zarr_format: int,
    *,
    shape: Sequence[int] | int | None = None,
    chunks: Sequence[int] | int | None = None,
    dtype: Any = None,
    data: Any = None,
    shards: Sequence[int] | None = None,
    **kwargs: Any,
) -> tuple[ArrayMetadata, np.ndarray | None]:
    """Metadata of a new array (shape/dtype from ``data`` when given) and the data."""
    array_data = None
    if data is not None:
        array_data = data if isinstance(data, np.ndarray) else np.asarray(data)
        shape = array_data.shape if shape is None else shape
        dtype = array_data.dtype if dtype is None else dtype
    if shape is None:
        raise TypeError("creating an array needs shape= (or data=)")
    shape_t = (int(shape),) if isinstance(shape, int) else tuple(int(s) for s in shape)
    np_dtype = np.dtype("f8") if dtype is None else dtype
    if chunks is None:
        itemsize = 8 if isinstance(np_dtype, list) else max(1, np.dtype(np_dtype).itemsize)
        chunks_t = guess_chunks(shape_t, itemsize)
    elif isinstance(chunks, int):
        chunks_t = tuple(min(chunks, max(s, 1)) if chunks > 0 else max(s, 1) for s in shape_t)
    else:
        chunks_t = tuple(
            int(c) if c is not None and int(c) > 0 else max(s, 1)
            for c, s in zip(chunks, shape_t, strict=False)
        )
    if shards is not None:
        kwargs["shards"] = shards
    meta = get_handler(zarr_format).new_array(
        shape=shape_t, chunks=chunks_t, dtype=np_dtype, **kwargs
    )
    return meta, array_data


class _Loader:
    """Parses one node's metadata from already fetched documents, on demand."""

    __slots__ = ("docs", "path", "url")

    def __init__(self, path: str, docs: Mapping[str, Document | None], url: str) -> None:
        self.path, self.docs, self.url = path, docs, url

    def __call__(self) -> NodeMetadata:
        meta = parse_node(self.path, self.docs, url=self.url)
        if meta is None:
            raise NodeNotFoundError("node disappeared", url=self.url, key=self.path)
        return meta


def make_node(
    source: NodeSource,
    path: str,
    meta: NodeMetadata,
    *,
    mode: str,
    allow_pickle: bool = False,
) -> Group | Array:
    if isinstance(meta, ArrayMetadata):
        return Array(source, path, meta, mode=mode, allow_pickle=allow_pickle)
    return Group(source, path, meta, mode=mode, allow_pickle=allow_pickle)


class Group(Node):
    """A group. ``group["a/b"]`` gets a child; members are listed sorted by name."""

    @property
    def metadata(self) -> GroupMetadata:
        meta = self._load_metadata()
        if not isinstance(meta, GroupMetadata):
            raise ContainsArrayError("an array is stored here", url=self.store.url, key=self.path)
        return meta

    @metadata.setter
    def metadata(self, value: NodeMetadata) -> None:
        self._metadata = value

    def __repr__(self) -> str:
        return f"<zarrcore.Group {self.name} zarr_format={self.zarr_format}>"

    # -- navigation -------------------------------------------------------------------------
    def _child_path(self, name: str) -> str:
        child = normalize_path(name)
        if not child:
            raise NodeNotFoundError("empty child name", url=self.store.url, key=self.path)
        return join_key(self.path, child)

    def __getitem__(self, name: str) -> Group | Array:
        path = self._child_path(name)
        meta = read_node(self.source, path)
        return make_node(self.source, path, meta, mode=self.mode, allow_pickle=self.allow_pickle)

    def get(self, name: str, default: Any = None) -> Any:
        try:
            return self[name]
        except NodeNotFoundError:
            return default

    def __contains__(self, name: object) -> bool:
        if not isinstance(name, str):
            return False
        try:
            self[name]
        except NodeNotFoundError:
            return False
        return True

    def _child_names(self) -> list[str]:
        return [
            name
            for name in self.source.list_children(self.path)
            if not name.startswith(".") and name not in _RESERVED
        ]

    def members(self) -> list[tuple[str, Group | Array]]:
        """``(name, node)`` of every child group and array, sorted by name.

        One listing plus one batched metadata read (none with consolidated metadata).
        A child with malformed metadata raises; see :meth:`scan` to get the others too.
        """
        return self._members(None)

    def scan(self) -> tuple[list[tuple[str, Group | Array]], dict[str, ZarrcoreError]]:
        """Like :meth:`members`, but children whose metadata cannot be read are returned
        as ``{name: error}`` instead of failing the whole listing (for browsers)."""
        errors: dict[str, ZarrcoreError] = {}
        members = self._members(errors)
        prefix = f"{self.path}/" if self.path else ""
        return members, {path[len(prefix) :]: exc for path, exc in errors.items()}

    def _members(self, errors: dict[str, ZarrcoreError] | None) -> list[tuple[str, Group | Array]]:
        names = self._child_names()
        prefix = f"{self.path}/" if self.path else ""  # self.path is normalized
        paths = [prefix + name for name in names]
        if self.source.consolidated:
            return self._lazy_members(names, paths)
        metas = read_nodes(self.source, paths, errors=errors, prefer_format=self.zarr_format)
        result = []
        for name, path in zip(names, paths, strict=True):
            meta = metas[path]
            if meta is not None:
                node = make_node(
                    self.source, path, meta, mode=self.mode, allow_pickle=self.allow_pickle
                )
                result.append((name, node))
        return sorted(result, key=lambda item: item[0])

    def _lazy_members(self, names: list[str], paths: list[str]) -> list[tuple[str, Group | Array]]:
        """Consolidated listings: find each child's type without parsing its metadata
        (parsed on first use), so a group of thousands of arrays lists in milliseconds.
        Metadata errors then surface when a child's metadata is first used."""
        source = self.source
        docs: Mapping[str, Document | None]
        if isinstance(source, ConsolidatedSource):
            docs = source.all_documents  # no per-child key lists or dicts
        else:
            docs = source.documents([key for path in paths for key in node_metadata_keys(path)])
        url = self.store.url
        result: list[tuple[str, Group | Array]] = []
        for name, path in zip(names, paths, strict=True):
            found = peek_node(path, docs, url=url)
            if found is None:
                continue
            kind, zarr_format = found
            loader = _Loader(path, docs, url)
            node: Group | Array
            if kind == "array":
                node = Array(
                    self.source,
                    path,
                    None,
                    mode=self.mode,
                    allow_pickle=self.allow_pickle,
                    loader=loader,
                    zarr_format=zarr_format,
                )
            else:
                node = Group(
                    self.source,
                    path,
                    None,
                    mode=self.mode,
                    allow_pickle=self.allow_pickle,
                    loader=loader,
                    zarr_format=zarr_format,
                )
            result.append((name, node))
        if isinstance(source, ConsolidatedSource):
            return result  # list_children gave the names sorted
        return sorted(result, key=lambda item: item[0])

    def groups(self) -> list[tuple[str, Group]]:
        return [(n, node) for n, node in self.members() if isinstance(node, Group)]

    def arrays(self) -> list[tuple[str, Array]]:
        return [(n, node) for n, node in self.members() if isinstance(node, Array)]

    def group_keys(self) -> list[str]:
        return [name for name, _ in self.groups()]

    def array_keys(self) -> list[str]:
        return [name for name, _ in self.arrays()]

    def keys(self) -> list[str]:
        return [name for name, _ in self.members()]

    def __iter__(self) -> Iterator[str]:
        return iter(self.keys())

    def __len__(self) -> int:
        return len(self.members())

    # -- creation ---------------------------------------------------------------------------
    def _existing(self, path: str) -> NodeMetadata | None:
        return read_nodes(self.source, [path])[path]

    def _prepare(self, path: str, *, overwrite: bool) -> None:
        """Check a child path can be created; clear it if ``overwrite``; add parents."""
        self.check_writable("create a node")
        existing = self._existing(path)
        if existing is not None:
            if not overwrite:
                error = (
                    ContainsArrayError
                    if isinstance(existing, ArrayMetadata)
                    else ContainsGroupError
                )
                raise error(
                    f"a {existing.node_type} already exists here", url=self.store.url, key=path
                )
            self.store.delete_prefix(f"{path}/")
        # intermediate groups (zarr-python does the same)
        parts = path.split("/")
        for depth in range(len(self.path.split("/")) if self.path else 0, len(parts) - 1):
            parent = "/".join(parts[: depth + 1])
            meta = self._existing(parent)
            if meta is None:
                self._write_node(parent, get_handler(self.zarr_format).new_group())
            elif isinstance(meta, ArrayMetadata):
                raise ContainsArrayError(
                    "an array is in the way of the new node", url=self.store.url, key=parent
                )

    def _write_node(self, path: str, meta: NodeMetadata) -> None:
        if self.source.consolidated:
            raise ReadOnlyError(
                "cannot create nodes through consolidated metadata", url=self.store.url, key=path
            )
        for name, value in meta.to_documents().items():
            self.store.set(join_key(path, name), value)

    def create_group(
        self,
        name: str,
        *,
        overwrite: bool = False,
        attributes: dict[str, Any] | None = None,
    ) -> Group:
        """Create a child group (and any missing intermediate groups)."""
        path = self._child_path(name)
        self._prepare(path, overwrite=overwrite)
        meta = get_handler(self.zarr_format).new_group(attributes)
        self._write_node(path, meta)
        return Group(self.source, path, meta, mode=self.mode, allow_pickle=self.allow_pickle)

    def require_group(self, name: str) -> Group:
        """The child group ``name``, created if missing."""
        node = self.get(name)
        if isinstance(node, Group):
            return node
        if node is not None:
            raise ContainsArrayError("an array exists here", url=self.store.url, key=name)
        return self.create_group(name)

    def create_array(
        self,
        name: str,
        *,
        shape: Sequence[int] | int | None = None,
        chunks: Sequence[int] | int | None = None,
        dtype: Any = None,
        fill_value: Any = 0,
        compressor: Any = "default",
        filters: Sequence[Any] | None = None,
        order: str = "C",
        dimension_separator: str | None = None,
        shards: Sequence[int] | None = None,
        overwrite: bool = False,
        attributes: dict[str, Any] | None = None,
        data: Any = None,
        write_empty_chunks: bool | None = None,
        **options: Any,
    ) -> Array:
        """Create a child array (numcodecs objects for ``compressor``/``filters``).

        ``data`` (optional) gives shape and dtype and is written. ``chunks=None`` picks
        chunks of about 1 MiB. Extra ``options`` go to the format (``object_codec=`` for v2
        object arrays; ``dimension_names=``, ``chunk_key_encoding=`` ... for v3).
        """
        path = self._child_path(name)
        meta, array_data = build_array_metadata(
            self.zarr_format,
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
            data=data,
            **options,
        )
        self._prepare(path, overwrite=overwrite)
        self._write_node(path, meta)
        if getattr(self.store, "translates_metadata", False):
            # the store keeps its own form (N5: n5_wrapper codec); use what it now reads as
            stored = self._existing(path)
            if isinstance(stored, ArrayMetadata):
                meta = stored
        array = Array(
            self.source,
            path,
            meta,
            mode=self.mode,
            allow_pickle=self.allow_pickle,
            write_empty_chunks=write_empty_chunks,
        )
        if array_data is not None:
            array[...] = array_data
        return array

    def __delitem__(self, name: str) -> None:
        """Delete a child node and everything under it."""
        self.check_writable("delete a node")
        path = self._child_path(name)
        if self._existing(path) is None:
            raise NodeNotFoundError("no such node", url=self.store.url, key=path)
        self.store.delete_prefix(f"{path}/")
