"""Read and write selections of an array: the hot path.

Read: projections from :mod:`zarrcore.indexing` -> every chunk key fetched at once with
``store.get_many`` (concurrent) -> each chunk decoded in a thread pool straight into the
output array -> missing chunks become the fill value. The per-chunk step is
:func:`decode_chunk_into`: it decodes a whole chunk directly into the output when the chunk
is fully selected and the destination is contiguous, asks the codec for a partial decode
(``ChunkCodec.decode_region``, e.g. blosc blocks) when the codec offers one, and otherwise
decodes the chunk and copies the selected part.

Write: chunks only partly covered are read, modified and rewritten; fully covered chunks are
encoded without reading; edge-chunk padding holds the fill value.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from zarrcore import partial_fetch
from zarrcore.codecs.direct_decode import scratch
from zarrcore.engine_threads import run_all, stream_tasks
from zarrcore.errors import CancelledError, ShapeError
from zarrcore.indexing import BasicSelection, ChunkProjection
from zarrcore.metadata.base import ArrayMetadata, ChunkCodec
from zarrcore.metadata.formats import join_key
from zarrcore.store.base import Store

#: below this much decoded data, threads cost more than they save
INLINE_NBYTES = 1 << 18


_region_pool_instance: ThreadPoolExecutor | None = None
_pool_lock = threading.Lock()


def _region_pool() -> ThreadPoolExecutor:
    """Threads that run ranged region reads (sharded chunks) on remote stores."""
    global _region_pool_instance
    with _pool_lock:
        if _region_pool_instance is None:
            _region_pool_instance = ThreadPoolExecutor(
                max_workers=16, thread_name_prefix="zarrcore-region"
            )
        return _region_pool_instance


def _run_all(tasks: Sequence[Callable[[], None]], *, nbytes: int | None = None) -> None:
    """Run tasks on the engine's decode pool (:func:`zarrcore.engine_threads.run_all`);
    inline when the total decoded size ``nbytes`` is too small to be worth the threads."""
    if nbytes is not None and nbytes < INLINE_NBYTES:
        for task in tasks:
            task()
        return
    run_all(tasks)


@dataclass(frozen=True, slots=True)
class ArrayTarget:
    """Everything fetch needs to know about one array."""

    store: Store
    path: str
    meta: ArrayMetadata
    codec: ChunkCodec
    #: ``store.url`` (redacted) computed once, for error messages
    store_url: str = field(init=False, default="")

    def __post_init__(self) -> None:
        object.__setattr__(self, "store_url", self.store.url)

    def key(self, coords: tuple[int, ...]) -> str:
        return join_key(self.path, self.meta.chunk_key(coords))

    def alternate_key(self, coords: tuple[int, ...]) -> str | None:
        alt = self.meta.alternate_chunk_key(coords)
        return join_key(self.path, alt) if alt is not None else None

    @property
    def chunk_shape(self) -> tuple[int, ...]:
        return self.meta.chunks

    def check_cancel(self, cancel: threading.Event | None) -> None:
        """Raise CancelledError (naming the store and the array) once ``cancel`` is set."""
        if cancel is not None and cancel.is_set():
            raise CancelledError("read cancelled", url=self.store_url, key=self.path)

    def fill_chunk(self) -> np.ndarray:
        """A new full chunk of fill values."""
        if self.meta.dtype.hasobject:
            chunk = np.empty(self.chunk_shape, dtype=object)
            chunk.fill(self.meta.read_fill)
            return chunk
        return np.full(self.chunk_shape, self.meta.read_fill, dtype=self.meta.dtype)


def fetch_values(
    target: ArrayTarget,
    coords: Iterable[tuple[int, ...]],
    *,
    keys_out: dict[tuple[int, ...], str] | None = None,
) -> dict[tuple[int, ...], bytes | None]:
    """Stored bytes of each chunk (None when missing), with one batched ``get_many``.

    ``keys_out`` (optional) receives the key each chunk was read from.
    """
    coord_list = list(dict.fromkeys(coords))
    keys = {c: target.key(c) for c in coord_list}
    values = target.store.get_many(keys.values())
    result = {c: values.get(keys[c]) for c in coord_list}
    retry = {c: alt for c in coord_list if result[c] is None and (alt := target.alternate_key(c))}
    if retry:
        alt_values = target.store.get_many(retry.values())
        for c, alt in retry.items():
            result[c] = alt_values.get(alt)
            if result[c] is not None:
                keys[c] = alt
    if keys_out is not None:
        keys_out.update(keys)
    return result


def decode_chunk_into(
    target: ArrayTarget,
    projection: ChunkProjection,
    data: bytes,
    out: np.ndarray,
    *,
    covers_chunk: bool,
    key: str | None = None,
) -> None:
    """Decode one fetched chunk and place its selected part in ``out``."""
    codec = target.codec
    if key is None:
        key = target.key(projection.chunk_coords)
    url = target.store_url
    dest = out[projection.out_selection] if out.ndim else out  # 0-d: keep a view
    full_shape = dest.shape == target.chunk_shape
    if covers_chunk and full_shape and not target.meta.dtype.hasobject:
        if dest.flags.c_contiguous:
            codec.decode(data, key=key, url=url, out=dest)
        else:  # decode into this thread's cached buffer, then one copy into place
            buffer, _ = scratch(target.chunk_shape, target.meta.dtype)
            dest[...] = codec.decode(data, key=key, url=url, out=buffer)
        return
    if codec.supports_partial_decode and not covers_chunk:
        region = codec.decode_region(data, projection.chunk_selection, key=key, url=url)
        if region is not None:
            dest[...] = region
            return
    chunk = codec.decode(data, key=key, url=url)
    # the trailing Ellipsis keeps a 0-d selection an array: a bare () would yield the
    # element itself, and a vlen-array element (an ndarray) would then be broadcast
    index: tuple[Any, ...] = (*projection.chunk_selection, Ellipsis)
    dest[...] = chunk[index]


def _chunk_nbytes(meta: ArrayMetadata) -> int:
    if meta.dtype.hasobject:
        return INLINE_NBYTES  # object codecs are slow per item: always worth a thread
    return int(np.prod(meta.chunks, dtype=np.int64)) * meta.dtype.itemsize


def _fill_value_for_out(target: ArrayTarget) -> Any:
    return target.meta.read_fill


def read_selection(
    target: ArrayTarget,
    selection: Any,
    *,
    cancel: threading.Event | None = None,
) -> np.ndarray:
    """Read ``selection`` (ints, slices, Ellipsis) into a new numpy array."""
    meta = target.meta
    sel = BasicSelection(selection, meta.shape, meta.chunks)
    out = np.empty(sel.expanded_shape, dtype=meta.dtype)
    if sel.size == 0:
        return out.reshape(sel.shape)
    if target.codec.supports_partial_reads and not target.store.is_remote:
        # shards on a local medium: the decode threads start on the first shard while
        # the later ones are still being planned
        fill = _fill_value_for_out(target)
        # one shard: read inline here, its inner chunks fan out to the threads instead
        nchunks = sel.nchunks
        parallel = nchunks > 1 and sel.size * meta.dtype.itemsize >= INLINE_NBYTES
        with stream_tasks(parallel, expected=nchunks) as submit:
            for projection in sel:
                submit(_region_task(target, projection, out, fill, cancel))
        return out.reshape(sel.shape)
    projections = list(sel)
    if target.codec.supports_partial_reads:
        _read_regions(target, projections, out, cancel)
        return out.reshape(sel.shape)
    # plain blosc chunks only partly selected: range-read just the blocks needed
    ranged, projections = partial_fetch.split_ranged(target, projections, sel.covers_chunk)
    if ranged:
        fill = _fill_value_for_out(target)
        partial_fetch.read_ranged(target, ranged, out, fill=fill, run_all=_run_all, cancel=cancel)
        if not projections:
            return out.reshape(sel.shape)
    if not target.store.is_remote:
        # local medium: each task reads its chunk then decodes it, on the decode threads
        # (a separate batched read first would only add a hand-off per chunk)
        parallel = len(projections) > 1 and (
            len(projections) * _chunk_nbytes(meta) >= INLINE_NBYTES
        )
        with stream_tasks(parallel, expected=len(projections)) as submit:
            for p in projections:
                submit(_read_decode_task(target, p, out, sel.covers_chunk(p), cancel))
        return out.reshape(sel.shape)
    keys: dict[tuple[int, ...], str] = {}
    values = fetch_values(target, (p.chunk_coords for p in projections), keys_out=keys)
    target.check_cancel(cancel)
    fill = _fill_value_for_out(target)
    tasks: list[Callable[[], None]] = []
    for projection in projections:
        coords = projection.chunk_coords
        data = values[coords]
        if data is None:
            out[projection.out_selection] = fill
            continue
        tasks.append(
            _decode_task(
                target, projection, data, out, sel.covers_chunk(projection), cancel, keys[coords]
            )
        )
    _run_all(tasks, nbytes=len(tasks) * _chunk_nbytes(meta))
    return out.reshape(sel.shape)


def _read_decode_task(
    target: ArrayTarget,
    projection: ChunkProjection,
    out: np.ndarray,
    covers: bool,
    cancel: threading.Event | None,
) -> Callable[[], None]:
    def task() -> None:
        target.check_cancel(cancel)
        coords = projection.chunk_coords
        key = target.key(coords)
        data = target.store._get_or_none(key)
        if data is None:
            alternate = target.alternate_key(coords)
            if alternate is not None:
                data = target.store._get_or_none(alternate)
                key = alternate
        if data is None:
            out[projection.out_selection] = _fill_value_for_out(target)
            return
        decode_chunk_into(target, projection, data, out, covers_chunk=covers, key=key)

    return task


def _decode_task(
    target: ArrayTarget,
    projection: ChunkProjection,
    data: bytes,
    out: np.ndarray,
    covers: bool,
    cancel: threading.Event | None,
    key: str | None = None,
) -> Callable[[], None]:
    def task() -> None:
        target.check_cancel(cancel)
        decode_chunk_into(target, projection, data, out, covers_chunk=covers, key=key)

    return task


def _region_task(
    target: ArrayTarget,
    projection: ChunkProjection,
    out: np.ndarray,
    fill: Any,
    cancel: threading.Event | None,
) -> Callable[[], None]:
    """Read one chunk's part of the selection with the codec's ranged reads (shards)."""

    def task() -> None:
        target.check_cancel(cancel)
        key = target.key(projection.chunk_coords)
        dest = out[projection.out_selection] if out.ndim else out
        region = target.codec.read_region(target.store, key, projection.chunk_selection, out=dest)
        if region is None:
            dest[...] = fill
        elif region is not dest:
            dest[...] = region

    return task


def _read_regions(
    target: ArrayTarget,
    projections: list[ChunkProjection],
    out: np.ndarray,
    cancel: threading.Event | None,
) -> None:
    """Codecs with ranged reads (sharding): each chunk reads its own region."""
    fill = _fill_value_for_out(target)
    tasks = [_region_task(target, p, out, fill, cancel) for p in projections]
    if target.store.is_remote and len(tasks) > 1:
        # IO-bound: overlap the remote reads in a pool of their own. Not the store's pool:
        # each task calls store.get_ranges, which uses that pool, so nesting there deadlocks
        # once the tasks fill it.
        futures = [_region_pool().submit(t) for t in tasks]
        for future in futures:
            future.result()
    else:
        _run_all(tasks)


# -- writes -------------------------------------------------------------------------------
def _as_value(target: ArrayTarget, sel: BasicSelection, value: Any) -> np.ndarray:
    dtype = target.meta.dtype
    if dtype.hasobject:
        arr = _object_value(value, sel.shape)
    else:
        try:
            arr = np.asarray(value, dtype=dtype)
        except (TypeError, ValueError) as exc:
            raise ShapeError(
                f"value cannot be converted to {dtype}: {exc}",
                url=target.store.url,
                key=target.path,
            ) from None
    try:
        broadcast = np.broadcast_to(arr, sel.shape)
    except ValueError:
        raise ShapeError(
            f"value of shape {arr.shape} does not fit selection of shape {sel.shape}",
            url=target.store.url,
            key=target.path,
        ) from None
    return broadcast.reshape(sel.expanded_shape)


def _object_value(value: Any, shape: tuple[int, ...]) -> np.ndarray:
    """Object arrays: keep each element (strings, bytes, lists, arrays) as one item."""
    if isinstance(value, np.ndarray):
        return value.astype(object, copy=False)
    if isinstance(value, list | tuple) and len(shape) == 1 and len(value) == shape[0]:
        arr = np.empty(shape, dtype=object)
        for index, item in enumerate(value):
            arr[index] = item
        return arr
    if isinstance(value, list | tuple):
        return np.asarray(value, dtype=object)
    scalar = np.empty((), dtype=object)
    scalar[()] = value
    return scalar


def _same_object(item: Any, fill: Any) -> bool:
    """``item == fill`` for object-array items (lists, arrays, dicts) without raising."""
    if isinstance(item, np.ndarray) or isinstance(fill, np.ndarray):
        return (
            isinstance(item, np.ndarray)
            and isinstance(fill, np.ndarray)
            and item.shape == fill.shape
            and bool(np.array_equal(item, fill))
        )
    try:
        return bool(item == fill)
    except (TypeError, ValueError):
        return False


def _is_all_fill(chunk: np.ndarray, fill: Any) -> bool:
    if chunk.dtype.hasobject:
        return all(_same_object(v, fill) for v in chunk.flat)
    if chunk.dtype.kind in "fc" and fill is not None:
        return bool(np.array_equal(chunk, np.full_like(chunk, fill), equal_nan=True))
    return bool(np.all(chunk == fill))


def write_selection(
    target: ArrayTarget, selection: Any, value: Any, *, write_empty_chunks: bool = True
) -> None:
    """Write ``value`` (broadcast to the selection) into the array's chunks."""
    meta = target.meta
    sel = BasicSelection(selection, meta.shape, meta.chunks)
    if sel.size == 0:
        _as_value(target, sel, value)
        return
    values = _as_value(target, sel, value)
    projections = list(sel)
    partial = [p.chunk_coords for p in projections if not sel.covers_chunk(p)]
    existing = fetch_values(target, partial) if partial else {}
    encoded: dict[str, bytes] = {}
    to_delete: list[str] = []
    lock = threading.Lock()
    fill = meta.read_fill

    def make(projection: ChunkProjection) -> Callable[[], None]:
        def task() -> None:
            key = target.key(projection.chunk_coords)
            data = existing.get(projection.chunk_coords)
            if data is not None:
                chunk = np.array(target.codec.decode(data, key=key, url=target.store.url))
            else:
                chunk = target.fill_chunk()
            chunk[projection.chunk_selection] = values[projection.out_selection]
            if not write_empty_chunks and _is_all_fill(chunk, fill):
                with lock:
                    to_delete.append(key)
                return
            blob = target.codec.encode(chunk)
            with lock:
                encoded[key] = blob

        return task

    _run_all([make(p) for p in projections], nbytes=len(projections) * _chunk_nbytes(meta))
    if encoded:
        target.store.set_many(encoded)
    for key in to_delete:
        if target.store.exists(key):
            target.store.delete(key)
