"""Chunk map: how the chunks under the current 2-D slice of an N-D array are stored.

Pure Python (no Qt). The grid follows the viewer: the two displayed axes give rows and
columns; every other axis is fixed at its current index, which picks one chunk along it.
Each cell's state comes from cheap size queries (``store.getsize`` through
``Array.chunk_info``, one ranged index read per shard for sharded v3 arrays); nothing is
decoded unless :func:`check_fill` is asked for explicitly.

States: ``stored``; ``missing`` (not in the store: reads as the fill value); ``fill``
(stored, but every value equals the fill value: found only by :func:`check_fill`);
``error`` (the size query or the fill check failed; the message says why).

Levels for sharded arrays: ``"shard"`` (one cell per stored key) or ``"inner"`` (one cell
per inner chunk, from the shard indexes). Other arrays have the single level ``"chunk"``.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from zarrcore.errors import CancelledError, NotFoundError, ZarrcoreError

STORED = "stored"
MISSING = "missing"
FILL = "fill"
ERROR = "error"
STATES = (STORED, MISSING, FILL, ERROR)

Cancelled = Callable[[], bool]

#: index entry of a missing inner chunk in a shard index (2**64 - 1)
_MISSING_INNER = np.uint64(2**64 - 1)


def _never() -> bool:
    return False


# -- the slice -> grid geometry (pure) ---------------------------------------------------------
@dataclass(frozen=True)
class SliceGeometry:
    """Which chunks a 2-D slice crosses. ``indices`` holds one index per array axis (the
    values on the displayed axes are ignored)."""

    shape: tuple[int, ...]
    chunks: tuple[int, ...]
    row_axis: int
    col_axis: int
    indices: tuple[int, ...]

    def __post_init__(self) -> None:
        ndim = len(self.shape)
        if len(self.chunks) != ndim or len(self.indices) != ndim:
            raise ValueError("shape, chunks and indices need one entry per axis")
        if ndim < 1 or not (0 <= self.row_axis < ndim and 0 <= self.col_axis < ndim):
            raise ValueError(f"displayed axes {self.row_axis}, {self.col_axis} out of range")
        if ndim >= 2 and self.row_axis == self.col_axis:
            raise ValueError("the two displayed axes must differ")

    @property
    def n_rows(self) -> int:
        return math.ceil(self.shape[self.row_axis] / self.chunks[self.row_axis])

    @property
    def n_cols(self) -> int:
        if len(self.shape) == 1:
            return 1
        return math.ceil(self.shape[self.col_axis] / self.chunks[self.col_axis])

    def coords(self, row: int, col: int) -> tuple[int, ...]:
        """Chunk grid coordinates of cell (row, col)."""
        out = []
        for axis, (index, chunk) in enumerate(zip(self.indices, self.chunks, strict=True)):
            if axis == self.row_axis:
                out.append(row)
            elif axis == self.col_axis and len(self.shape) > 1:
                out.append(col)
            else:
                out.append(int(index) // chunk)
        return tuple(out)

    def cell_extent(self, row: int, col: int) -> tuple[int, int, int, int]:
        """(row start, row stop, col start, col stop) of a cell in slice pixel coordinates."""
        r0 = row * self.chunks[self.row_axis]
        r1 = min(r0 + self.chunks[self.row_axis], self.shape[self.row_axis])
        if len(self.shape) == 1:
            return r0, r1, 0, 1
        c0 = col * self.chunks[self.col_axis]
        c1 = min(c0 + self.chunks[self.col_axis], self.shape[self.col_axis])
        return r0, r1, c0, c1

    def region(self, coords: Sequence[int]) -> tuple[slice, ...]:
        """The array selection covered by the chunk at ``coords``."""
        return tuple(
            slice(c * n, min((c + 1) * n, s))
            for c, n, s in zip(coords, self.chunks, self.shape, strict=True)
        )


# -- results -------------------------------------------------------------------------------
@dataclass
class ChunkCell:
    row: int
    col: int
    coords: tuple[int, ...]
    key: str
    state: str
    #: stored (encoded) bytes; None when missing or unknown
    nbytes: int | None = None
    #: decoded bytes of a full chunk (chunk shape x item size)
    decoded_nbytes: int = 0
    error: str = ""
    #: for inner chunks of a shard: position inside the shard
    inner: tuple[int, ...] | None = None

    @property
    def ratio(self) -> float | None:
        """Compression ratio decoded / stored (None when not stored)."""
        if not self.nbytes:
            return None
        return self.decoded_nbytes / self.nbytes

    @property
    def label(self) -> str:
        if self.inner is None:
            return self.key
        return f"{self.key} [inner {', '.join(map(str, self.inner))}]"


@dataclass(frozen=True)
class StorageSummary:
    n_stored: int
    n_total: int
    stored_nbytes: int
    decoded_nbytes: int
    smallest: tuple[str, int] | None
    largest: tuple[str, int] | None
    n_fill: int = 0
    n_error: int = 0

    @property
    def ratio(self) -> float | None:
        return self.decoded_nbytes / self.stored_nbytes if self.stored_nbytes else None

    def text(self) -> str:
        parts = [
            f"{self.n_stored} of {self.n_total} chunks stored",
            f"{format_bytes(self.stored_nbytes)} stored",
        ]
        if self.ratio is not None:
            parts.append(f"ratio {self.ratio:.2f}:1")
        if self.smallest and self.largest:
            parts.append(
                f"smallest {format_bytes(self.smallest[1])}, "
                f"largest {format_bytes(self.largest[1])}"
            )
        if self.n_fill:
            parts.append(f"{self.n_fill} all-fill")
        if self.n_error:
            parts.append(f"{self.n_error} unreadable")
        return "; ".join(parts)


def summarize(cells: Sequence[ChunkCell]) -> StorageSummary:
    stored = [c for c in cells if c.state in (STORED, FILL) and c.nbytes is not None]
    sizes = [(c.label, int(c.nbytes or 0)) for c in stored]
    return StorageSummary(
        n_stored=len(stored),
        n_total=len(cells),
        stored_nbytes=sum(s for _, s in sizes),
        decoded_nbytes=sum(c.decoded_nbytes for c in stored),
        smallest=min(sizes, key=lambda ks: ks[1]) if sizes else None,
        largest=max(sizes, key=lambda ks: ks[1]) if sizes else None,
        n_fill=sum(1 for c in cells if c.state == FILL),
        n_error=sum(1 for c in cells if c.state == ERROR),
    )


@dataclass
class ChunkMap:
    geometry: SliceGeometry
    level: str  # "chunk" / "shard" / "inner"
    cells: list[ChunkCell] = field(default_factory=list)
    array_path: str = ""
    codec_chain: list[dict[str, Any]] = field(default_factory=list)

    def cell(self, row: int, col: int) -> ChunkCell:
        return self.cells[row * self.geometry.n_cols + col]

    def summary(self) -> StorageSummary:
        return summarize(self.cells)

    def counts(self) -> dict[str, int]:
        out = dict.fromkeys(STATES, 0)
        for c in self.cells:
            out[c.state] += 1
        return out


def format_bytes(n: float) -> str:
    for unit in ("B", "KiB", "MiB", "GiB"):
        if abs(n) < 1024 or unit == "GiB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n:.1f} TiB"


# -- computing the map (IO, run in a worker) -------------------------------------------------
def sharding_of(array: Any) -> Any | None:
    """The ShardingCodec of a sharded v3 array, else None (no error for other arrays)."""
    try:
        codec = array.codec
    except ZarrcoreError:
        return None
    return getattr(codec, "sharding", None)


def levels_of(array: Any) -> tuple[str, ...]:
    return ("shard", "inner") if sharding_of(array) is not None else ("chunk",)


def _codec_chain(array: Any) -> list[dict[str, Any]]:
    try:
        return list(array.metadata.codec_configs())
    except (AttributeError, ZarrcoreError):
        return []


def _map_in_pool(
    fn: Callable[[Any], Any], items: Sequence[Any], workers: int, cancelled: Cancelled
) -> list[Any]:
    if workers <= 1 or len(items) <= 1:
        out = []
        for item in items:
            if cancelled():
                raise CancelledError("chunk map cancelled")
            out.append(fn(item))
        return out
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="chunk-map") as pool:
        futures = [pool.submit(fn, item) for item in items]
        results = []
        for future in futures:
            if cancelled():
                for f in futures:
                    f.cancel()
                raise CancelledError("chunk map cancelled")
            results.append(future.result())
        return results


def compute_chunk_map(
    array: Any,
    row_axis: int,
    col_axis: int,
    indices: Sequence[int],
    *,
    level: str | None = None,
    cancelled: Cancelled = _never,
) -> ChunkMap:
    """Size-query every chunk (or shard / inner chunk) under the slice. No decoding."""
    sharding = sharding_of(array)
    if level is None:
        level = "shard" if sharding is not None else "chunk"
    if level == "inner":
        if sharding is None:
            raise ValueError("inner-chunk level needs a sharded array")
        return _inner_map(array, sharding, row_axis, col_axis, indices, cancelled)
    geometry = SliceGeometry(
        tuple(array.shape), tuple(array.chunks), row_axis, col_axis, tuple(int(i) for i in indices)
    )
    decoded = int(np.prod(array.chunks, dtype=np.int64)) * array.dtype.itemsize
    positions = [(r, c) for r in range(geometry.n_rows) for c in range(geometry.n_cols)]
    workers = max(1, min(16, getattr(array.store, "max_concurrency", 8)))

    def query(pos: tuple[int, int]) -> ChunkCell:
        coords = geometry.coords(*pos)
        try:
            info = array.chunk_info(coords)
        except ZarrcoreError as exc:
            key = _safe_key(array, coords)
            return ChunkCell(*pos, coords, key, ERROR, decoded_nbytes=decoded, error=str(exc))
        state = STORED if info.stored else MISSING
        return ChunkCell(*pos, coords, info.key, state, info.nbytes, decoded)

    cells = _map_in_pool(query, positions, workers, cancelled)
    return ChunkMap(geometry, level, cells, getattr(array, "path", ""), _codec_chain(array))


def _safe_key(array: Any, coords: tuple[int, ...]) -> str:
    try:
        return str(array.chunk_key(coords))
    except ZarrcoreError:
        return "/".join(map(str, coords))


def _inner_map(
    array: Any,
    sharding: Any,
    row_axis: int,
    col_axis: int,
    indices: Sequence[int],
    cancelled: Cancelled,
) -> ChunkMap:
    inner_shape = tuple(sharding.inner_shape)
    shard_shape = tuple(array.chunks)
    geometry = SliceGeometry(
        tuple(array.shape), inner_shape, row_axis, col_axis, tuple(int(i) for i in indices)
    )
    decoded = int(np.prod(inner_shape, dtype=np.int64)) * array.dtype.itemsize
    ratio = tuple(s // i for s, i in zip(shard_shape, inner_shape, strict=True))
    positions = [(r, c) for r in range(geometry.n_rows) for c in range(geometry.n_cols)]
    shard_of = {
        p: tuple(c // k for c, k in zip(geometry.coords(*p), ratio, strict=True)) for p in positions
    }
    shards = sorted(set(shard_of.values()))
    store = array.store

    def read_index(shard: tuple[int, ...]) -> tuple[str, np.ndarray | None, str]:
        key = array.chunk_key(shard)
        try:
            return key, sharding.read_index(store, key), ""
        except ZarrcoreError as exc:
            return key, None, str(exc)

    workers = max(1, min(16, getattr(store, "max_concurrency", 8)))
    indexes = dict(zip(shards, _map_in_pool(read_index, shards, workers, cancelled), strict=True))
    cells = []
    for pos in positions:
        coords = geometry.coords(*pos)
        shard = shard_of[pos]
        inner = tuple(c % k for c, k in zip(coords, ratio, strict=True))
        key, index, error = indexes[shard]
        if error:
            cells.append(ChunkCell(*pos, coords, key, ERROR, None, decoded, error, inner))
            continue
        if index is None:
            cells.append(ChunkCell(*pos, coords, key, MISSING, None, decoded, "", inner))
            continue
        offset, nbytes = (np.uint64(v) for v in index[inner])
        if offset == _MISSING_INNER and nbytes == _MISSING_INNER:
            cells.append(ChunkCell(*pos, coords, key, MISSING, None, decoded, "", inner))
        else:
            cells.append(ChunkCell(*pos, coords, key, STORED, int(nbytes), decoded, "", inner))
    return ChunkMap(geometry, "inner", cells, getattr(array, "path", ""), _codec_chain(array))


# -- on-demand checks (decode) ---------------------------------------------------------------
def _is_all_fill(values: np.ndarray, fill: Any) -> bool:
    if fill is None:
        fill = np.zeros((), dtype=values.dtype)[()]
    if values.dtype.hasobject:
        return bool(all(v == fill for v in values.flat))
    if values.dtype.kind in "fc":
        return bool(np.array_equal(values, np.full_like(values, fill), equal_nan=True))
    return bool(np.all(values == fill))


def check_fill(array: Any, chunk_map: ChunkMap, *, cancelled: Cancelled = _never) -> ChunkMap:
    """Decode each stored cell and mark those holding only the fill value as ``fill``.

    A cell that fails to decode becomes ``error`` with the reason. Mutates and returns
    ``chunk_map``.
    """
    geometry = chunk_map.geometry
    for cell in chunk_map.cells:
        if cancelled():
            raise CancelledError("fill check cancelled")
        if cell.state != STORED:
            continue
        try:
            values = array[geometry.region(cell.coords)]
        except ZarrcoreError as exc:
            cell.state, cell.error = ERROR, str(exc)
            continue
        if _is_all_fill(np.asarray(values), array.fill_value):
            cell.state = FILL
    return chunk_map


@dataclass(frozen=True)
class ChunkDetail:
    """What clicking a chunk shows."""

    key: str
    state: str
    coords: tuple[int, ...]
    stored_nbytes: int | None
    decoded_nbytes: int
    codec_chain: list[dict[str, Any]]
    fetch_s: float | None = None
    decode_s: float | None = None
    error: str = ""


def inspect_chunk(array: Any, chunk_map: ChunkMap, cell: ChunkCell) -> ChunkDetail:
    """Fetch and decode one chunk, timing both (run in a worker)."""
    base = ChunkDetail(
        cell.label,
        cell.state,
        cell.coords,
        cell.nbytes,
        cell.decoded_nbytes,
        chunk_map.codec_chain,
        error=cell.error,
    )
    if cell.state in (MISSING, ERROR):
        return base
    try:
        start = time.perf_counter()
        if cell.inner is None:
            raw = array.store.get(cell.key)
            fetch_s = time.perf_counter() - start
            start = time.perf_counter()
            array.codec.decode(raw, key=cell.key, url=array.store.url)
            decode_s = time.perf_counter() - start
        else:  # inner chunk of a shard: the engine's ranged read does fetch + decode at once
            array[chunk_map.geometry.region(cell.coords)]
            fetch_s, decode_s = time.perf_counter() - start, 0.0
    except ZarrcoreError as exc:
        return replace(base, error=str(exc))
    return replace(base, fetch_s=fetch_s, decode_s=decode_s)


def array_storage_summary(
    array: Any,
    *,
    progress: Callable[[int, int], None] | None = None,
    cancelled: Cancelled = _never,
) -> StorageSummary:
    """Summary over every chunk (shard) of the array: one listing, then a size query per
    stored key. Missing chunks cost nothing beyond the listing."""
    store = array.store
    keys = array.chunk_keys()
    decoded = int(np.prod(array.chunks, dtype=np.int64)) * array.dtype.itemsize
    if store.supports_listing:
        prefix = f"{array.path}/" if getattr(array, "path", "") else ""
        present = set()
        for n, key in enumerate(store.list_prefix(prefix)):
            if n % 1024 == 0 and cancelled():
                raise CancelledError("storage summary cancelled", url=store.url)
            present.add(key)
        candidates = [k for k in keys if k in present]
    else:
        candidates = keys
    sizes: list[tuple[str, int]] = []
    for n, key in enumerate(candidates):
        if cancelled():
            raise CancelledError("storage summary cancelled", url=store.url)
        try:
            sizes.append((key, store.getsize(key)))
        except NotFoundError:
            continue
        if progress is not None:
            progress(n + 1, len(candidates))
    return StorageSummary(
        n_stored=len(sizes),
        n_total=len(keys),
        stored_nbytes=sum(s for _, s in sizes),
        decoded_nbytes=decoded * len(sizes),
        smallest=min(sizes, key=lambda ks: ks[1]) if sizes else None,
        largest=max(sizes, key=lambda ks: ks[1]) if sizes else None,
    )


class CancelFlag:
    """A thread-safe cancel flag usable as ``cancelled=flag``."""

    def __init__(self) -> None:
        self._event = threading.Event()

    def cancel(self) -> None:
        self._event.set()

    def __call__(self) -> bool:
        return self._event.is_set()
