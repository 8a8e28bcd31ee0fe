"""``sharding_indexed`` (FORMATS.md 3.5): many inner chunks in one stored shard.

Layout: the encoded inner chunks plus an index of ``(offset, nbytes)`` uint64 pairs per
inner chunk in C order over the inner grid, encoded with ``index_codecs`` (default
``bytes`` + ``crc32c``) and stored at the ``end`` (default) or ``start`` of the shard.
Offsets count from byte 0 of the shard; ``2**64-1`` marks a missing inner chunk (fill).

Reading part of a shard (:meth:`ShardingCodec.read_region`) fetches the index with one
ranged read (suffix for ``end``, prefix for ``start``), then only the inner chunks the
selection touches with ``store.get_ranges`` (adjacent chunks coalesced into one range).
"""

from __future__ import annotations

import bisect
import functools
import itertools
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from zarrcore.codecs.direct_decode import DirectDecoder, address, scratch
from zarrcore.codecs.shard_plan import PlanCache, RegionPlan
from zarrcore.codecs.v3_chain import ArrayBytesCodec, Buffer, ChunkSpec, CodecChain, guarded_decode
from zarrcore.engine_threads import run_all
from zarrcore.errors import CorruptChunkError, MetadataError, NotFoundError
from zarrcore.metadata.base import ChunkSelection
from zarrcore.metadata.v3_dtypes import parse_data_type
from zarrcore.store.base import ByteRange

if TYPE_CHECKING:
    from zarrcore.store.base import Store

MISSING = np.uint64(2**64 - 1)
_MISSING_INT = 2**64 - 1
#: a stored inner chunk a read needs: (out selection, inner selection or None, offset, nbytes)
_Wanted = tuple[tuple[slice, ...], tuple[slice, ...] | None, int, int]
#: decoded bytes of a region above which its inner chunks decode in parallel
PARALLEL_DECODE_NBYTES = 1 << 20
#: gap (bytes) below which two wanted inner chunks are fetched with one range
COALESCE_GAP = 64 * 1024
_DEFAULT_INDEX_CODECS: list[dict[str, Any]] = [
    {"name": "bytes", "configuration": {"endian": "little"}},
    {"name": "crc32c"},
]


def _all_equal_fill(array: np.ndarray, fill: Any) -> bool:
    if array.dtype.kind == "O":
        return all(item == fill for item in array.reshape(-1))
    if array.dtype.kind in "fc":
        fill_arr = np.asarray(fill, dtype=array.dtype)
        if np.isnan(fill_arr).any():
            return bool(np.all((array == fill_arr) | (np.isnan(array) & np.isnan(fill_arr))))
    if array.dtype.kind == "V":
        return bool(
            np.all(
                array.view(np.uint8)
                == np.frombuffer(np.asarray(fill, dtype=array.dtype).tobytes(), dtype=np.uint8)
            )
        )
    return bool(np.all(array == np.asarray(fill, dtype=array.dtype)))


def fill_array(shape: Sequence[int], spec: ChunkSpec) -> np.ndarray:
    """A new array of ``shape`` filled with the spec's fill value."""
    if spec.dtype.kind == "O":
        out = np.empty(tuple(shape), dtype=object)
        out.fill(spec.fill_value)
        return out
    return np.full(tuple(shape), spec.fill_value, dtype=spec.dtype)


class ShardingCodec(ArrayBytesCodec):
    """The ``sharding_indexed`` array->bytes codec bound to a shard spec."""

    def __init__(self, conf: dict[str, Any], spec: ChunkSpec) -> None:
        inner = conf.get("chunk_shape")
        if (
            not isinstance(inner, list)
            or len(inner) != len(spec.shape)
            or not all(isinstance(c, int) and c > 0 for c in inner)
        ):
            raise MetadataError(f"sharding chunk_shape {inner!r} is invalid", key="codecs")
        self.inner_shape = tuple(int(c) for c in inner)
        if any(s % c for s, c in zip(spec.shape, self.inner_shape, strict=True)):
            raise MetadataError(
                f"shard shape {list(spec.shape)} is not a multiple of inner chunk shape "
                f"{list(self.inner_shape)}",
                key="codecs",
            )
        self.location = conf.get("index_location", "end")
        if self.location not in ("start", "end"):
            raise MetadataError(
                f"index_location {self.location!r} must be start or end", key="codecs"
            )
        self.spec = spec
        self.grid = tuple(s // c for s, c in zip(spec.shape, self.inner_shape, strict=True))
        self.n_inner = int(np.prod(self.grid, dtype=np.int64))
        inner_spec = ChunkSpec(self.inner_shape, spec.data_type, spec.fill_value)
        self.inner_chain = CodecChain(conf.get("codecs") or [{"name": "bytes"}], inner_spec)
        #: decodes inner chunks straight into the output (common chains only, else None)
        self.direct = DirectDecoder.for_chain(self.inner_chain)
        self._plans = PlanCache(spec.shape, self.inner_shape)
        index_spec = ChunkSpec((*self.grid, 2), parse_data_type("uint64"), MISSING)
        self.index_chain = CodecChain(conf.get("index_codecs") or _DEFAULT_INDEX_CODECS, index_spec)
        self.index_nbytes = len(self.index_chain.encode(self._empty_index()))

    # -- index ------------------------------------------------------------------------------
    def _empty_index(self) -> np.ndarray:
        return np.full((*self.grid, 2), MISSING, dtype=np.uint64)

    def _index_bytes(self, shard: Buffer) -> Buffer:
        if self.location == "end":
            return shard[-self.index_nbytes :]
        return shard[: self.index_nbytes]

    def decode_index(self, raw: Buffer, *, key: str, url: str) -> np.ndarray:
        """Decode (and CRC-check) a shard index into a ``grid + (2,)`` uint64 array."""
        if len(raw) != self.index_nbytes:
            raise CorruptChunkError(
                f"shard too short for its index ({len(raw)} < {self.index_nbytes} bytes)",
                url=url,
                key=key,
            )
        try:
            index = guarded_decode(self.index_chain, raw, key=key, url=url)
        except CorruptChunkError as exc:
            raise CorruptChunkError(
                f"shard index unreadable: {exc.message}", url=url, key=key
            ) from exc
        return np.asarray(index, dtype=np.uint64)

    # -- whole-shard codec ------------------------------------------------------------------
    def encode(self, array: np.ndarray, spec: ChunkSpec) -> bytes:
        index = self._empty_index()
        pieces: list[bytes] = []
        offset = self.index_nbytes if self.location == "start" else 0
        fill = spec.fill_value
        for coords in itertools.product(*(range(g) for g in self.grid)):
            region = tuple(
                slice(c * n, (c + 1) * n) for c, n in zip(coords, self.inner_shape, strict=True)
            )
            inner = array[region]
            if _all_equal_fill(inner, fill):
                continue
            encoded = self.inner_chain.encode(np.ascontiguousarray(inner))
            index[coords] = (offset, len(encoded))
            pieces.append(encoded)
            offset += len(encoded)
        index_raw = self.index_chain.encode(index)
        if self.location == "start":
            return b"".join([index_raw, *pieces])
        return b"".join([*pieces, index_raw])

    def decode(self, data: Buffer, spec: ChunkSpec, *, key: str, url: str) -> np.ndarray:
        data = memoryview(data)  # inner chunks are sliced out without copying
        index = self.decode_index(self._index_bytes(data), key=key, url=url)
        out = fill_array(spec.shape, spec)
        plan = self._plans.get(tuple(slice(None) for _ in self.grid))
        wanted, _ = self._locate(index, plan, len(data), key=key, url=url)
        for out_sel, _, start, nbytes in wanted:
            out[out_sel] = guarded_decode(
                self.inner_chain, data[start : start + nbytes], key=key, url=url
            )
        return out

    def _locate(
        self,
        index: np.ndarray,
        plan: RegionPlan,
        shard_nbytes: int | None,
        *,
        key: str,
        url: str,
    ) -> tuple[list[_Wanted], list[tuple[slice, ...]]]:
        """Where the planned inner chunks are stored: ``(wanted, missing)``. ``wanted`` holds
        ``(out selection, inner selection or None for the whole chunk, offset, nbytes)``,
        ``missing`` the out selections of inner chunks not stored (fill value). An entry
        past the end of a shard of known size is a corrupt shard."""
        entries = index.reshape(-1, 2).tolist()  # python ints: no numpy scalar per chunk
        wanted: list[_Wanted] = []
        missing: list[tuple[slice, ...]] = []
        for flat, out_sel, inner_sel, whole_chunk in plan.chunks:
            offset, nbytes = entries[flat]
            if offset == _MISSING_INT and nbytes == _MISSING_INT:
                missing.append(out_sel)
                continue
            if shard_nbytes is not None and offset + nbytes > shard_nbytes:
                raise CorruptChunkError(
                    "shard index points past the end of the shard (inner chunk "
                    f"{tuple(int(c) for c in np.unravel_index(flat, self.grid))})",
                    url=url,
                    key=key,
                )
            wanted.append((out_sel, None if whole_chunk else inner_sel, offset, nbytes))
        return wanted, missing

    # -- partial reads ----------------------------------------------------------------------
    def read_index(self, store: Store, key: str) -> np.ndarray | None:
        """Fetch and decode the index of the shard at ``key`` with one ranged read."""
        try:
            if self.location == "end":
                raw = store.get_range(key, -self.index_nbytes)
            else:
                raw = store.get_range(key, 0, self.index_nbytes)
        except NotFoundError:
            return None
        return self.decode_index(raw, key=key, url=store.url)

    def read_region(
        self,
        store: Store,
        key: str,
        selection: ChunkSelection,
        spec: ChunkSpec,
        *,
        out: np.ndarray | None = None,
    ) -> np.ndarray | None:
        """Read ``selection`` (slices, positive steps, shard coordinates) of one shard.

        Returns None when the shard is not stored. With ``out`` (the selection's shape) the
        data, fill value included, is written there and ``out`` is returned.
        """
        url = store.url
        plan = self._plans.get(selection)
        out_shape = plan.out_shape
        if out is not None and out.shape != out_shape:
            raise ValueError(f"out has shape {out.shape}, the selection {out_shape}")
        whole: bytes | None = None
        if 0 not in out_shape and (
            len(plan.chunks) == self.n_inner or not store.supports_partial_reads
        ):
            # every inner chunk is needed, or the store would read the whole value for each
            # range anyway: one read of the whole shard beats index + ranges
            try:
                whole = store.get(key)
            except NotFoundError:
                return None
            index = self.decode_index(self._index_bytes(whole), key=key, url=url)
        else:
            maybe_index = self.read_index(store, key)
            if maybe_index is None:
                return None
            index = maybe_index
        wanted, missing = self._locate(
            index, plan, len(whole) if whole is not None else None, key=key, url=url
        )
        if out is None:
            if not missing and spec.dtype.kind != "O":
                out = np.empty(out_shape, dtype=spec.dtype)  # every element gets data
            else:
                out = fill_array(out_shape, spec)
        else:
            for out_sel in missing:
                out[out_sel] = spec.fill_value
        if not wanted or 0 in out_shape:
            return out
        if whole is not None:
            view = memoryview(whole)  # inner chunks are sliced out without copying
            items = [(o, i, view[a : a + n]) for o, i, a, n in wanted]
        else:
            items = self._fetch_pieces(store, key, wanted)

        target = out
        direct = self.direct if out.dtype == spec.dtype else None
        inner_shape = self.inner_shape
        dtype = spec.dtype

        def work(item: tuple[tuple[slice, ...], tuple[slice, ...] | None, memoryview]) -> None:
            out_sel, inner_sel, data = item
            dest = target[out_sel]
            if direct is not None:
                if inner_sel is None and dest.flags.c_contiguous:
                    if direct.into(data, address(dest)):
                        return
                else:
                    buffer, buffer_address = scratch(inner_shape, dtype)
                    if direct.into(data, buffer_address):
                        dest[...] = buffer if inner_sel is None else buffer[inner_sel]
                        return
            chunk = guarded_decode(self.inner_chain, data, key=key, url=url)
            dest[...] = chunk if inner_sel is None else chunk[inner_sel]

        decoded_nbytes = len(wanted) * self.inner_chain.spec.nbytes
        if len(items) >= 4 and decoded_nbytes >= PARALLEL_DECODE_NBYTES:
            # inline when this shard is already one of several read side by side
            run_all([functools.partial(work, item) for item in items])
        else:
            for item in items:
                work(item)
        return out

    def _fetch_pieces(
        self,
        store: Store,
        key: str,
        wanted: Sequence[_Wanted],
    ) -> list[tuple[tuple[slice, ...], tuple[slice, ...] | None, memoryview]]:
        """The stored bytes of each wanted inner chunk, fetched with ``store.get_ranges``
        (nearby chunks coalesced into one range), as views without copies."""
        url = store.url
        spans = _coalesce(sorted({(offset, nbytes) for _, _, offset, nbytes in wanted}))
        blobs = store.get_ranges([ByteRange(key, start, end - start) for start, end in spans])
        span_data: list[tuple[int, int, memoryview]] = []
        for (start, end), blob in zip(spans, blobs, strict=True):
            if blob is None:
                raise CorruptChunkError("shard disappeared while reading it", url=url, key=key)
            if len(blob) != end - start:
                raise CorruptChunkError(
                    f"shard truncated: range {start}+{end - start} returned {len(blob)} bytes",
                    url=url,
                    key=key,
                )
            span_data.append((start, end, memoryview(blob)))
        starts = [start for start, _, _ in span_data]
        pieces = []
        for out_sel, inner_sel, offset, nbytes in wanted:
            start, end, view = span_data[bisect.bisect_right(starts, offset) - 1]
            if not (start <= offset and offset + nbytes <= end):
                raise AssertionError("inner chunk outside fetched spans")
            pieces.append((out_sel, inner_sel, view[offset - start : offset - start + nbytes]))
        return pieces


def _coalesce(ranges: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    """Merge sorted (offset, nbytes) ranges whose gaps are small into (start, end) spans."""
    spans: list[tuple[int, int]] = []
    for offset, nbytes in ranges:
        end = offset + nbytes
        if spans and offset - spans[-1][1] <= COALESCE_GAP:
            spans[-1] = (spans[-1][0], max(spans[-1][1], end))
        else:
            spans.append((offset, end))
    return spans
