"""Ranged reads of blosc chunks: fetch the block table, then only the blocks a selection needs.

For an array whose stored chunks are single blosc frames (v2: blosc compressor and no
filters; v3: ``bytes`` + ``blosc``; the codec says so with ``blosc_layout``), a selection
that covers a small part of each chunk (one plane of a thick chunk, say) needs a few blosc
blocks per chunk. Instead of fetching
every whole chunk, :func:`read_ranged` does two batched rounds of ``store.get_ranges``:

1. the first bytes of every chunk (header and block offset table; a chunk smaller than that
   comes back whole),
2. the compressed bytes of the blocks each chunk's selection needs,

then decodes them in the decode pool straight into the output (see
:mod:`zarrcore.codecs.blosc_partial`). Chunks that are missing read as the fill value;
chunks whose whole body is needed anyway are fetched whole in round 2 and decoded as usual.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from zarrcore.codecs import blosc_partial as bp
from zarrcore.errors import CorruptChunkError, UnsupportedError
from zarrcore.indexing import ChunkProjection
from zarrcore.store.base import ByteRange

if TYPE_CHECKING:
    from zarrcore.fetch import ArrayTarget

#: guess of the smallest blosc block when sizing the first read (c-blosc's automatic
#: blocksizes are 16 KiB and up; a smaller real blocksize costs one more read)
GUESS_BLOCKSIZE = 8192
#: a ranged read is used when the selection needs at most this fraction of a chunk
MAX_FRACTION = 0.25
#: remote stores pay a round trip per round: only worth it for big chunks
REMOTE_MIN_CHUNK_NBYTES = 4 << 20


def _prefix_nbytes(chunk_nbytes: int) -> int:
    return bp.HEADER_NBYTES + 4 * (-(-chunk_nbytes // GUESS_BLOCKSIZE))


def blosc_layout(target: ArrayTarget) -> tuple[np.dtype[Any], str] | None:
    """(item dtype, order) of the raw bytes in ``target``'s chunks when each stored chunk
    is one blosc frame (v2: blosc compressor, no filters; v3: ``bytes`` + ``blosc``)."""
    return target.codec.blosc_layout


def wants_ranged(target: ArrayTarget) -> bool:
    """Whether ``target``'s chunks are plain blosc chunks in a store with ranged reads."""
    if blosc_layout(target) is None or not target.codec.supports_partial_decode:
        return False
    store = target.store
    if not store.supports_partial_reads:
        return False
    return not store.is_remote or _chunk_nbytes(target) >= REMOTE_MIN_CHUNK_NBYTES


@dataclass
class _Job:
    projection: ChunkProjection
    key: str
    region: bp.ContiguousRegion
    prefix: bytes | None = None
    table: bp.BlockTable | None = None
    plan: bp.RangePlan | None = None
    body: bytes | None = None


def split_ranged(
    target: ArrayTarget,
    projections: Sequence[ChunkProjection],
    covers: Callable[[ChunkProjection], bool],
) -> tuple[list[_Job], list[ChunkProjection]]:
    """Projections worth a ranged read (as jobs) and the rest (for the normal path)."""
    layout = blosc_layout(target)
    if layout is None or not wants_ranged(target):
        return [], list(projections)
    meta = target.meta
    order = layout[1]
    itemsize = meta.dtype.itemsize
    chunk_items = int(np.prod(meta.chunks, dtype=np.int64))
    if itemsize == 0:
        return [], list(projections)
    jobs: list[_Job] = []
    rest: list[ChunkProjection] = []
    for projection in projections:
        region = None
        if not covers(projection):
            region = bp.contiguous_region(meta.chunks, projection.chunk_selection, order)
        if region is None or (region.item_stop - region.item_start) > MAX_FRACTION * chunk_items:
            rest.append(projection)
            continue
        key = target.key(projection.chunk_coords)
        jobs.append(_Job(projection, key, region))
    return jobs, rest


def _chunk_nbytes(target: ArrayTarget) -> int:
    meta = target.meta
    return int(np.prod(meta.chunks, dtype=np.int64)) * meta.dtype.itemsize


def _fetch_prefixes(target: ArrayTarget, jobs: list[_Job]) -> None:
    store = target.store
    first = _prefix_nbytes(_chunk_nbytes(target))
    values = store.get_ranges([ByteRange(job.key, 0, first) for job in jobs])
    retry: list[tuple[_Job, str]] = []
    for job, value in zip(jobs, values, strict=True):
        job.prefix = value
        if value is None:
            alt = target.alternate_key(job.projection.chunk_coords)
            if alt is not None:
                retry.append((job, alt))
    if retry:
        alt_values = store.get_ranges([ByteRange(alt, 0, first) for _, alt in retry])
        for (job, alt), value in zip(retry, alt_values, strict=True):
            if value is not None:
                job.key, job.prefix = alt, value
    # tables longer than the guess (blocks smaller than GUESS_BLOCKSIZE): read them whole
    longer: list[tuple[_Job, int]] = []
    for job in jobs:
        if job.prefix is None:
            continue
        header = _header(target, job)
        need = bp.table_nbytes(header)
        if len(job.prefix) < min(need, header.cbytes) and len(job.prefix) >= first:
            longer.append((job, need))
    if longer:
        values = store.get_ranges([ByteRange(job.key, 0, need) for job, need in longer])
        for (job, _), value in zip(longer, values, strict=True):
            job.prefix = value


def _header(target: ArrayTarget, job: _Job) -> bp.BloscHeader:
    assert job.prefix is not None
    try:
        return bp.read_header(job.prefix, complete=False)
    except (CorruptChunkError, UnsupportedError) as exc:
        raise type(exc)(exc.message, url=target.store.url, key=job.key) from None


def _plan_and_fetch_bodies(target: ArrayTarget, jobs: list[_Job]) -> None:
    itemsize = target.meta.dtype.itemsize
    chunk_nbytes = _chunk_nbytes(target)
    requests: list[tuple[_Job, ByteRange]] = []
    for job in jobs:
        if job.prefix is None:
            continue
        header = _header(target, job)
        if header.nbytes != chunk_nbytes:
            raise CorruptChunkError(
                f"decoded chunk has {header.nbytes} bytes, expected {chunk_nbytes}",
                url=target.store.url,
                key=job.key,
            )
        try:
            job.table = bp.read_block_table(job.prefix)
        except CorruptChunkError as exc:
            raise CorruptChunkError(exc.message, url=target.store.url, key=job.key) from None
        except ValueError:  # prefix shorter than the table: the chunk itself is truncated
            raise CorruptChunkError(
                "blosc chunk truncated inside its block offset table",
                url=target.store.url,
                key=job.key,
            ) from None
        start = job.region.item_start * itemsize
        stop = job.region.item_stop * itemsize
        job.plan = bp.plan_byte_range(job.table, start, stop)
        if job.plan.fetch_stop <= len(job.prefix):
            job.body = job.prefix[job.plan.fetch_start : job.plan.fetch_stop]
        else:
            requests.append((job, ByteRange(job.key, job.plan.fetch_start, job.plan.fetch_nbytes)))
    if requests:
        values = target.store.get_ranges([request for _, request in requests])
        for (job, _), value in zip(requests, values, strict=True):
            if value is None:  # deleted between the two rounds
                raise CorruptChunkError(
                    "chunk disappeared while it was read", url=target.store.url, key=job.key
                )
            job.body = value


def _decode_job(target: ArrayTarget, job: _Job, out: np.ndarray[Any, Any]) -> None:
    assert job.table is not None and job.plan is not None and job.body is not None
    layout = blosc_layout(target)
    assert layout is not None
    try:
        raw = bp.decode_planned(job.table, job.plan, job.body)
    except (CorruptChunkError, UnsupportedError) as exc:
        raise type(exc)(exc.message, url=target.store.url, key=job.key) from None
    # assigning converts the stored byte order (v3 "bytes" big endian) to the output's
    out[job.projection.out_selection] = bp.select_region(raw, layout[0], layout[1], job.region)


def read_ranged(
    target: ArrayTarget,
    jobs: list[_Job],
    out: np.ndarray[Any, Any],
    *,
    fill: Any,
    run_all: Callable[[Sequence[Callable[[], None]]], None],
    cancel: threading.Event | None = None,
) -> None:
    """Read the jobs from :func:`split_ranged` into ``out`` (missing chunks get ``fill``)."""
    if not jobs:
        return
    _fetch_prefixes(target, jobs)
    target.check_cancel(cancel)
    _plan_and_fetch_bodies(target, jobs)
    target.check_cancel(cancel)

    def task(job: _Job) -> Callable[[], None]:
        return lambda: _decode_job(target, job, out)

    tasks: list[Callable[[], None]] = []
    for job in jobs:
        if job.prefix is None:
            out[job.projection.out_selection] = fill
            continue
        tasks.append(task(job))
    run_all(tasks)
