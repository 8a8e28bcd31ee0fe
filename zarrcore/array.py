"""``Array``: a chunked n-d array in a store (any zarr format)."""

from __future__ import annotations

import dataclasses
import threading
import weakref
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np

from zarrcore.errors import ContainsGroupError, NotFoundError, UnsupportedError
from zarrcore.fetch import ArrayTarget, read_selection, write_selection
from zarrcore.indexing import BasicSelection, SelectionError, all_chunk_coords
from zarrcore.metadata.base import ArrayMetadata, ChunkCodec, NodeMetadata
from zarrcore.metadata.formats import NodeSource, join_key
from zarrcore.node import Node

__all__ = ["Array", "ChunkInfo"]

_write_locks: weakref.WeakKeyDictionary[Any, dict[str, threading.Lock]] = (
    weakref.WeakKeyDictionary()
)
_write_locks_guard = threading.Lock()


def _write_lock(store: Any, path: str) -> threading.Lock:
    """The process-wide write lock of the array at ``path`` in ``store``."""
    with _write_locks_guard:
        per_store = _write_locks.setdefault(store, {})
        return per_store.setdefault(path, threading.Lock())


@dataclass(frozen=True, slots=True)
class ChunkInfo:
    """Where one chunk lives and whether it is stored (no decoding involved)."""

    coords: tuple[int, ...]
    key: str
    stored: bool
    #: stored (encoded) size in bytes, None when not stored
    nbytes: int | None


class Array(Node):
    """An array. ``arr[sel]`` reads, ``arr[sel] = value`` writes (ints, slices, Ellipsis)."""

    def __init__(
        self,
        source: NodeSource,
        path: str,
        metadata: ArrayMetadata | None,
        *,
        mode: str = "r",
        allow_pickle: bool = False,
        write_empty_chunks: bool | None = None,
        loader: Callable[[], NodeMetadata] | None = None,
        zarr_format: int | None = None,
    ) -> None:
        super().__init__(
            source,
            path,
            metadata,
            mode=mode,
            allow_pickle=allow_pickle,
            loader=loader,
            zarr_format=zarr_format,
        )
        self._write_empty_chunks = write_empty_chunks
        self._target: ArrayTarget | None = None
        self._target_lock = threading.Lock()

    @property
    def metadata(self) -> ArrayMetadata:
        meta = self._load_metadata()
        if not isinstance(meta, ArrayMetadata):
            raise ContainsGroupError("a group is stored here", url=self.store.url, key=self.path)
        return meta

    @metadata.setter
    def metadata(self, value: NodeMetadata) -> None:
        self._metadata = value

    @property
    def write_empty_chunks(self) -> bool:
        """Write chunks that hold only the fill value (zarr 2 default True, zarr 3 False)."""
        if self._write_empty_chunks is None:
            return self.zarr_format == 2
        return self._write_empty_chunks

    @write_empty_chunks.setter
    def write_empty_chunks(self, value: bool) -> None:
        self._write_empty_chunks = bool(value)

    # -- properties -----------------------------------------------------------------------
    @property
    def shape(self) -> tuple[int, ...]:
        return self.metadata.shape

    @property
    def chunks(self) -> tuple[int, ...]:
        return self.metadata.chunks

    @property
    def shards(self) -> tuple[int, ...] | None:
        """Shard shape of a sharded v3 array (then equal to ``chunks``), else None."""
        inner = getattr(self.metadata, "inner_chunks", None)
        if inner is None or tuple(inner) == self.metadata.chunks:
            return None
        return self.metadata.chunks

    @property
    def inner_chunks(self) -> tuple[int, ...]:
        """The smallest independently decodable chunk: inner chunk of a shard, else ``chunks``."""
        inner = getattr(self.metadata, "inner_chunks", None)
        return tuple(inner) if inner is not None else self.metadata.chunks

    @property
    def dtype(self) -> np.dtype[Any]:
        return self.metadata.dtype

    @property
    def ndim(self) -> int:
        return len(self.shape)

    @property
    def size(self) -> int:
        return int(np.prod(self.shape, dtype=np.int64))

    @property
    def nbytes(self) -> int:
        return self.size * self.dtype.itemsize

    @property
    def fill_value(self) -> Any:
        return self.metadata.fill_value

    @property
    def order(self) -> str:
        return self.metadata.order

    @property
    def dimension_names(self) -> tuple[str | None, ...] | None:
        return self.metadata.dimension_names

    @property
    def cdata_shape(self) -> tuple[int, ...]:
        """Number of chunks along each axis."""
        return self.metadata.chunk_grid_shape

    @property
    def nchunks(self) -> int:
        return self.metadata.nchunks

    def __len__(self) -> int:
        if not self.shape:
            raise TypeError("len() of unsized object")
        return self.shape[0]

    def __repr__(self) -> str:
        return (
            f"<zarrcore.Array {self.name} shape={self.shape} chunks={self.chunks} "
            f"dtype={self.dtype} zarr_format={self.zarr_format}>"
        )

    def describe(self) -> dict[str, Any]:
        """Metadata summary for display (shape, dtype, codecs, ...), plus url and path."""
        info = self.metadata.describe()
        info["url"] = self.store.url
        info["path"] = self.name
        return info

    # -- codec / keys -----------------------------------------------------------------------
    def target(self) -> ArrayTarget:
        """Resolved metadata + codec (built on first use; codec errors surface here)."""
        with self._target_lock:
            if self._target is None:
                meta = self.metadata.resolve_layout(self.store, self.path)
                codec = meta.codec(
                    url=self.store.url, path=self.path, allow_pickle=self.allow_pickle
                )
                self._target = ArrayTarget(self.store, self.path, meta, codec)
            return self._target

    @property
    def codec(self) -> ChunkCodec:
        return self.target().codec

    def reload(self) -> None:
        super().reload()
        self._target = None

    def reinterpreted(self, *, order: str) -> Array:
        """A read-only view of this array that decodes chunks as if ``order`` were stored
        (FORMATS pitfall 3: some writers put C-ordered bytes under ``"order": "F"``).
        Nothing is written; v2 arrays only."""
        if order not in ("C", "F"):
            raise ValueError(f"order must be 'C' or 'F', got {order!r}")
        meta = self.metadata
        if not (
            dataclasses.is_dataclass(meta) and hasattr(meta, "order") and meta.zarr_format == 2
        ):
            raise UnsupportedError(
                "reinterpreting the chunk order is only possible for zarr v2 arrays",
                url=self.store.url,
                key=self.path or "/",
            )
        view_meta = dataclasses.replace(meta, order=order)
        return Array(self.source, self.path, view_meta, mode="r", allow_pickle=self.allow_pickle)

    def chunk_key(self, coords: tuple[int, ...]) -> str:
        """Full store key of the chunk at grid position ``coords``."""
        self._check_coords(coords)
        meta = (
            self.metadata.resolve_layout(self.store, self.path)
            if self._target is None
            else self._target.meta
        )
        return join_key(self.path, meta.chunk_key(tuple(coords)))

    def iter_chunk_coords(self) -> Iterator[tuple[int, ...]]:
        return all_chunk_coords(self.shape, self.chunks)

    def chunk_keys(self) -> list[str]:
        """Full store keys of every chunk in the grid, stored or not, in C order."""
        meta = self._layout()
        return [join_key(self.path, meta.chunk_key(c)) for c in self.iter_chunk_coords()]

    def _layout(self) -> ArrayMetadata:
        if self._target is not None:
            return self._target.meta
        return self.metadata.resolve_layout(self.store, self.path)

    def _check_coords(self, coords: tuple[int, ...]) -> None:
        grid = self.cdata_shape
        if len(coords) != len(grid) or not all(
            0 <= c < n for c, n in zip(coords, grid, strict=True)
        ):
            raise SelectionError(
                f"chunk coordinates {tuple(coords)} outside the chunk grid {grid}",
                url=self.store.url,
                key=self.path,
            )

    def chunk_info(self, coords: tuple[int, ...]) -> ChunkInfo:
        """Is the chunk stored, and how many bytes does it take (``store.getsize``)?"""
        coords = tuple(int(c) for c in coords)
        self._check_coords(coords)
        meta = self._layout()
        key = join_key(self.path, meta.chunk_key(coords))
        keys = [key]
        alt = meta.alternate_chunk_key(coords)
        if alt is not None:
            keys.append(join_key(self.path, alt))
        for candidate in keys:
            try:
                return ChunkInfo(coords, candidate, True, self.store.getsize(candidate))
            except NotFoundError:
                continue
        return ChunkInfo(coords, key, False, None)

    def read_chunks(
        self, coords: Iterable[tuple[int, ...]], *, cancel: threading.Event | None = None
    ) -> dict[tuple[int, ...], np.ndarray | None]:
        """Decoded chunks by grid position, cropped to the array bounds; ``None`` for a
        chunk that is not stored (it reads as the fill value). One batched fetch."""
        from zarrcore.chunk_reads import read_chunks

        return read_chunks(self.target(), coords, cancel=cancel)

    def chunk_coords_for(self, selection: Any) -> list[tuple[int, ...]]:
        """Grid positions of the chunks a selection touches (no IO)."""
        return BasicSelection(selection, self.shape, self.chunks).chunk_coords()

    # -- data -------------------------------------------------------------------------------
    def read(
        self, selection: Any = Ellipsis, *, cancel: threading.Event | None = None
    ) -> np.ndarray:
        """Read a selection; ``cancel`` (an Event) aborts between chunk decodes."""
        target = self.target()
        try:
            return read_selection(target, selection, cancel=cancel)
        except SelectionError as exc:
            raise self._located(exc) from None

    def __getitem__(self, selection: Any) -> Any:
        result = self.read(selection)
        if result.ndim == 0 and not _has_ellipsis(selection):
            return result[()]  # all axes indexed by integers: a scalar, as in numpy
        return result  # ``a[...]`` of a 0-d array stays a 0-d array (keeps dtype, byte order)

    def __array__(self, dtype: Any = None, copy: bool | None = None) -> np.ndarray:
        data = self.read(Ellipsis)
        return data if dtype is None else data.astype(dtype)

    def __setitem__(self, selection: Any, value: Any) -> None:
        self.check_writable("write array data")
        # partly covered chunks (whole shards for sharded v3) are read-modify-written:
        # serialise writers of the same array in this process so none loses another's update
        target = self.target()
        with _write_lock(self.store, self.path):
            try:
                write_selection(
                    target, selection, value, write_empty_chunks=self.write_empty_chunks
                )
            except SelectionError as exc:
                raise self._located(exc) from None

    def _located(self, exc: SelectionError) -> SelectionError:
        """The same selection error, naming this array's store URL and path."""
        if exc.url is not None:
            return exc
        return SelectionError(exc.message, url=self.store.url, key=self.path or "/")


def _has_ellipsis(selection: Any) -> bool:
    if selection is Ellipsis:
        return True
    return isinstance(selection, tuple) and any(item is Ellipsis for item in selection)
