"""Partial decoding of blosc (c-blosc 1.x) chunks: decode only the blocks a region needs.

A blosc chunk is a 16-byte header, a table of block offsets ("bstarts") and independently
compressed blocks (FORMATS.md 4.1). Bytes ``[start, stop)`` of the decoded chunk live in
blocks ``start // blocksize`` .. ``(stop - 1) // blocksize``; every other block can be skipped.

numcodecs 0.15 exposed ``Blosc.decode_partial`` (``blosc_getitem``) as experimental and 0.16
removed it, so this module does not use it. Instead it copies the header, the offsets of the
needed blocks and their compressed bytes into a smaller but complete blosc chunk and hands
that to ``numcodecs.blosc.decompress``. c-blosc then does the decompression and per-block
unshuffling itself (all inner codecs, byte shuffle and bitshuffle, split streams) and releases
the GIL. Every parameter that shapes a block (blocksize, typesize, flags, and which block is the
short last one) is kept, so each block decodes exactly as it would in the full chunk.

Everything here is pure: bytes in, bytes or arrays out, no store access.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from typing import Any, Final

import numpy as np
from numcodecs import blosc as _nc_blosc

from zarrcore.errors import CorruptChunkError, UnsupportedError

HEADER_NBYTES: Final = 16
_HEADER = struct.Struct("<BBBBIII")

FLAG_SHUFFLE: Final = 0x01
FLAG_MEMCPYED: Final = 0x02
FLAG_BITSHUFFLE: Final = 0x04

#: Highest header version written by c-blosc 1.x. Version 3 and up is the Blosc2 format.
MAX_BLOSC1_VERSION: Final = 2

BufferLike = bytes | bytearray | memoryview | np.ndarray[Any, Any]


@dataclass(frozen=True, slots=True)
class BloscHeader:
    """The 16-byte header at the start of every c-blosc 1.x chunk."""

    version: int
    versionlz: int
    flags: int
    typesize: int
    nbytes: int
    blocksize: int
    cbytes: int

    @property
    def memcpyed(self) -> bool:
        """True when the payload is stored raw after the header (no blocks table)."""
        return bool(self.flags & FLAG_MEMCPYED)

    @property
    def nblocks(self) -> int:
        """Number of blocks; the last one may be short."""
        if self.nbytes == 0:
            return 0
        return -(-self.nbytes // self.blocksize)


def _as_bytes_view(buf: BufferLike) -> memoryview:
    view = buf.data if isinstance(buf, np.ndarray) else memoryview(buf)
    if not view.c_contiguous:
        raise ValueError("blosc chunk buffer must be contiguous")
    return view.cast("B") if view.format != "B" or view.ndim != 1 else view


def read_header(buf: BufferLike, *, complete: bool = True) -> BloscHeader:
    """Parse and validate the header of a blosc chunk.

    ``complete=False`` accepts a prefix of the chunk (as read by a ranged request) and skips
    the check that the whole chunk is present. Raises :class:`UnsupportedError` for Blosc2
    chunks (version byte >= 3) and :class:`CorruptChunkError` for a truncated or
    inconsistent header.
    """
    view = _as_bytes_view(buf)
    if len(view) < HEADER_NBYTES:
        raise CorruptChunkError(
            f"blosc chunk is {len(view)} bytes, shorter than the 16-byte header"
        )
    header = BloscHeader(*_HEADER.unpack_from(view, 0))
    if header.version > MAX_BLOSC1_VERSION:
        raise UnsupportedError(
            f"blosc chunk format version {header.version} is Blosc2, which is not supported "
            "(only c-blosc 1.x chunks, versions 1-2)"
        )
    if header.version == 0:
        raise CorruptChunkError("blosc chunk header has version 0")
    if complete and header.cbytes > len(view):
        raise CorruptChunkError(
            f"blosc chunk truncated: header says {header.cbytes} bytes, got {len(view)}"
        )
    if header.nbytes > 0 and header.blocksize <= 0:
        raise CorruptChunkError(f"blosc chunk has invalid blocksize {header.blocksize}")
    if header.memcpyed and header.cbytes < HEADER_NBYTES + header.nbytes:
        raise CorruptChunkError("memcpyed blosc chunk is shorter than its decoded size")
    if not header.memcpyed and header.cbytes < table_nbytes(header):
        raise CorruptChunkError("blosc chunk too short for its block offset table")
    return header


def table_nbytes(header: BloscHeader) -> int:
    """Bytes at the start of the chunk holding the header and the block offset table."""
    if header.memcpyed:
        return HEADER_NBYTES
    return HEADER_NBYTES + 4 * header.nblocks


def block_span(header: BloscHeader, start: int, stop: int) -> tuple[int, int]:
    """Blocks ``[first, last)`` that hold decoded bytes ``[start, stop)`` (stop > start)."""
    return start // header.blocksize, -(-stop // header.blocksize)


@dataclass(frozen=True, slots=True)
class BlockTable:
    """Header plus where each compressed block starts and ends (offsets from chunk start)."""

    header: BloscHeader
    starts: np.ndarray[Any, Any]
    ends: np.ndarray[Any, Any]


def read_block_table(prefix: BufferLike) -> BlockTable:
    """Header and block extents from the first :func:`table_nbytes` bytes (or more) of a chunk.

    Blocks need not be stored in order (c-blosc's threaded compressor writes them as they
    finish), so a block ends where the next higher start begins, or at ``cbytes``.
    """
    view = _as_bytes_view(prefix)
    header = read_header(view, complete=False)
    empty = np.zeros(0, dtype=np.int64)
    if header.memcpyed or header.nblocks == 0:
        return BlockTable(header, empty, empty)
    table_end = table_nbytes(header)
    if len(view) < table_end:
        raise ValueError(f"need the first {table_end} bytes of the chunk, got {len(view)}")
    nblocks = header.nblocks
    starts = np.frombuffer(view, dtype="<i4", count=nblocks, offset=HEADER_NBYTES).astype(np.int64)
    if int(starts.min()) < table_end or int(starts.max()) > header.cbytes:
        raise CorruptChunkError("blosc chunk has a block offset outside the chunk")
    boundaries = np.append(np.unique(starts), header.cbytes)
    ends = boundaries[np.searchsorted(boundaries, starts, side="right")]
    return BlockTable(header, starts, ends)


@dataclass(frozen=True, slots=True)
class RangePlan:
    """What to fetch and decode for decoded bytes ``[start, stop)`` of one chunk.

    ``fetch_start``/``fetch_stop`` is the compressed byte range of the chunk to read; blocks
    ``[first, last)`` are decoded (``first == last`` for a memcpyed chunk or an empty range).
    ``whole`` means every block is needed: decode the chunk as a whole.
    """

    start: int
    stop: int
    first: int
    last: int
    fetch_start: int
    fetch_stop: int
    whole: bool

    @property
    def fetch_nbytes(self) -> int:
        return self.fetch_stop - self.fetch_start


def plan_byte_range(table: BlockTable, start: int, stop: int) -> RangePlan:
    """Which compressed bytes and blocks decoded bytes ``[start, stop)`` need."""
    header = table.header
    if not 0 <= start <= stop <= header.nbytes:
        raise ValueError(f"byte range [{start}, {stop}) outside a chunk of {header.nbytes} bytes")
    if stop == start:
        return RangePlan(start, stop, 0, 0, 0, 0, whole=False)
    if header.memcpyed:
        return RangePlan(
            start, stop, 0, 0, HEADER_NBYTES + start, HEADER_NBYTES + stop, whole=False
        )
    first, last = block_span(header, start, stop)
    if first > 0 and min(last * header.blocksize, header.nbytes) - first * header.blocksize < (
        header.blocksize
    ):
        # Only the short last block is needed; c-blosc refuses a chunk whose blocksize exceeds
        # its nbytes, so take the block before it too.
        first -= 1
    if first == 0 and last == header.nblocks:
        return RangePlan(start, stop, first, last, 0, header.cbytes, whole=True)
    fetch_start = int(table.starts[first:last].min())
    fetch_stop = int(table.ends[first:last].max())
    return RangePlan(start, stop, first, last, fetch_start, fetch_stop, whole=False)


def _decompress_into(mini: BufferLike, dest: np.ndarray[Any, Any]) -> None:
    try:
        _nc_blosc.decompress(mini, dest)
    except RuntimeError as exc:  # c-blosc reports a bad stream as a RuntimeError
        raise CorruptChunkError(f"blosc decompression failed: {exc}") from exc


def _build_sub_chunk(
    table: BlockTable, plan: RangePlan, fetched: memoryview
) -> tuple[bytearray, int]:
    """A complete blosc chunk holding only the planned blocks; returns it and its nbytes."""
    header = table.header
    first, last = plan.first, plan.last
    count = last - first
    sub_nbytes = min(last * header.blocksize, header.nbytes) - first * header.blocksize
    starts = table.starts[first:last]
    lengths = table.ends[first:last] - starts
    table_end = HEADER_NBYTES + 4 * count
    new_starts = table_end + np.concatenate(([0], np.cumsum(lengths[:-1])))
    total = table_end + int(lengths.sum())
    out = bytearray(total)
    _HEADER.pack_into(
        out,
        0,
        header.version,
        header.versionlz,
        header.flags,
        header.typesize,
        sub_nbytes,
        header.blocksize,
        total,
    )
    out[HEADER_NBYTES:table_end] = new_starts.astype("<i4").tobytes()
    pos = table_end
    for begin, length in zip(starts.tolist(), lengths.tolist(), strict=True):
        local = begin - plan.fetch_start
        out[pos : pos + length] = fetched[local : local + length]
        pos += length
    return out, sub_nbytes


def _destination(length: int, out: np.ndarray[Any, Any] | None) -> np.ndarray[Any, Any]:
    if out is None:
        return np.empty(length, dtype=np.uint8)
    if not out.flags.c_contiguous or out.nbytes != length:
        raise ValueError(f"out must be a contiguous array of {length} bytes")
    return out.reshape(-1).view(np.uint8)


def decode_planned(
    table: BlockTable,
    plan: RangePlan,
    fetched: BufferLike,
    out: np.ndarray[Any, Any] | None = None,
) -> np.ndarray[Any, Any]:
    """Decode ``plan`` from ``fetched``, the chunk's bytes ``[plan.fetch_start, plan.fetch_stop)``.

    Returns a 1-D ``uint8`` array of ``plan.stop - plan.start`` bytes: ``out``'s byte view
    when ``out`` is given, else possibly a view into a larger scratch buffer or (memcpyed
    chunks) a read-only view of ``fetched``, so the caller copies at most once.
    """
    view = _as_bytes_view(fetched)
    length = plan.stop - plan.start
    if length == 0:
        return _destination(length, out)
    if len(view) < plan.fetch_nbytes:
        raise CorruptChunkError(
            f"blosc chunk truncated: needed {plan.fetch_nbytes} bytes at offset "
            f"{plan.fetch_start}, got {len(view)}"
        )
    header = table.header
    if header.memcpyed and out is None:
        return np.frombuffer(view, dtype=np.uint8, count=length)  # read-only view, no copy
    dest = _destination(length, out)
    if header.memcpyed:
        dest[:] = np.frombuffer(view, dtype=np.uint8, count=length)
        return dest
    if plan.whole:
        if length == header.nbytes:
            _decompress_into(view[: header.cbytes], dest)
            return dest
        full = np.empty(header.nbytes, dtype=np.uint8)
        _decompress_into(view[: header.cbytes], full)
        dest[:] = full[plan.start : plan.stop]
        return dest
    mini, sub_nbytes = _build_sub_chunk(table, plan, view)
    offset = plan.start - plan.first * header.blocksize
    if offset == 0 and sub_nbytes == length:
        _decompress_into(mini, dest)
        return dest
    if out is None:
        # decode the blocks into one buffer and hand out a view of the part asked for
        scratch = np.empty(sub_nbytes, dtype=np.uint8)
        _decompress_into(mini, scratch)
        return scratch[offset : offset + length]
    scratch = np.empty(sub_nbytes, dtype=np.uint8)
    _decompress_into(mini, scratch)
    dest[:] = scratch[offset : offset + length]
    return dest


def decode_byte_range(
    buf: BufferLike, start: int, stop: int, out: np.ndarray[Any, Any] | None = None
) -> np.ndarray[Any, Any]:
    """Decoded bytes ``[start, stop)`` of a whole blosc chunk, decompressing only needed blocks.

    Returns a 1-D ``uint8`` array of ``stop - start`` bytes (may be a read-only view of
    ``buf`` for memcpyed chunks). When ``out`` is given (a contiguous array of exactly that
    many bytes) the bytes are written there and ``out``'s byte view is returned.
    """
    view = _as_bytes_view(buf)
    read_header(view)
    table = read_block_table(view)
    plan = plan_byte_range(table, start, stop)
    return decode_planned(table, plan, view[plan.fetch_start : plan.fetch_stop], out)


def decode_items(
    buf: BufferLike, start: int, nitems: int, dtype: np.dtype[Any]
) -> np.ndarray[Any, Any]:
    """Items ``[start, start + nitems)`` of a chunk of ``dtype`` items, as a 1-D array."""
    itemsize = dtype.itemsize
    raw = decode_byte_range(buf, start * itemsize, (start + nitems) * itemsize)
    return raw.view(dtype)


def needed_fraction(buf: BufferLike, start: int, stop: int) -> float:
    """Fraction of the chunk's blocks that decoding bytes ``[start, stop)`` touches."""
    table = read_block_table(buf)
    plan = plan_byte_range(table, start, stop)
    if table.header.nblocks == 0 or table.header.memcpyed:
        return 0.0
    return (plan.last - plan.first) / table.header.nblocks


@dataclass(frozen=True, slots=True)
class ContiguousRegion:
    """The run of items of a chunk that covers a selection, and how to cut it out.

    ``item_start``/``item_stop`` index the chunk's items in storage order; decoding them and
    reshaping to ``region_shape`` (in the chunk's ``order``) then indexing with
    ``selection`` gives the same array as indexing the whole decoded chunk with the original
    selection.
    """

    item_start: int
    item_stop: int
    region_shape: tuple[int, ...]
    selection: tuple[int | slice, ...]


def _normalise(item: int | slice, size: int) -> tuple[int, int, int, bool]:
    """(first, last, step, is_int) with ``last`` the last index selected (inclusive)."""
    if isinstance(item, slice):
        first, stop, step = item.indices(size)
        if step <= 0:
            raise ValueError("only positive slice steps are supported")
        count = max(0, -(-(stop - first) // step))
        return first, first + (count - 1) * step, step, False
    index = int(item)
    if index < 0:
        index += size
    if not 0 <= index < size:
        raise IndexError(f"index {item} out of range for axis of size {size}")
    return index, index, 1, True


def contiguous_region(
    chunk_shape: tuple[int, ...], selection: tuple[int | slice, ...], order: str = "C"
) -> ContiguousRegion | None:
    """The smallest run of whole rows holding ``selection`` within a chunk of ``chunk_shape``.

    The outer axes (the leading ones for C order, the trailing ones for F) that select a
    single index fix an offset; the first axis that selects more narrows the run to its
    extent; the inner axes are kept whole. Returns None for an empty selection or a 0-d chunk.
    """
    if len(selection) != len(chunk_shape):
        raise ValueError("selection must have one entry per chunk axis")
    ndim = len(chunk_shape)
    if ndim == 0:
        return None
    axes = list(range(ndim)) if order == "C" else list(range(ndim - 1, -1, -1))
    norm = {axis: _normalise(selection[axis], chunk_shape[axis]) for axis in axes}
    if any(norm[axis][1] < norm[axis][0] for axis in axes):
        return None
    stride = {}
    acc = 1
    for axis in reversed(axes):
        stride[axis] = acc
        acc *= chunk_shape[axis]
    pivot = next((axis for axis in axes if norm[axis][0] != norm[axis][1]), axes[-1])
    pivot_pos = axes.index(pivot)
    offset = sum(norm[axis][0] * stride[axis] for axis in axes[:pivot_pos])
    first, last, step, is_int = norm[pivot]
    item_start = offset + first * stride[pivot]
    item_stop = offset + (last + 1) * stride[pivot]
    region_shape: list[int] = []
    region_sel: list[int | slice] = []
    for axis in range(ndim):
        pos = axes.index(axis)
        a_first, a_last, a_step, a_int = norm[axis]
        if pos < pivot_pos:
            region_shape.append(1)
            region_sel.append(0 if a_int else slice(0, 1))
        elif pos == pivot_pos:
            region_shape.append(last - first + 1)
            region_sel.append(0 if is_int else slice(0, last - first + 1, step))
        else:
            region_shape.append(chunk_shape[axis])
            region_sel.append(a_first if a_int else slice(a_first, a_last + 1, a_step))
    return ContiguousRegion(item_start, item_stop, tuple(region_shape), tuple(region_sel))


def decode_selection(
    buf: BufferLike,
    chunk_shape: tuple[int, ...],
    dtype: np.dtype[Any],
    order: str,
    selection: tuple[int | slice, ...],
) -> np.ndarray[Any, Any] | None:
    """``selection`` of a whole blosc chunk of ``chunk_shape``/``dtype``/``order`` items.

    Decodes only the blocks holding :func:`contiguous_region` of the selection. Returns None
    when that would need every block anyway (the caller should decode the chunk as a whole,
    which can go straight into its output) or when the selection is empty. The result may be
    a view into a scratch buffer or into ``buf``; copy it before ``buf`` is reused.
    """
    region = contiguous_region(chunk_shape, selection, order)
    if region is None:
        return None
    view = _as_bytes_view(buf)
    header = read_header(view)
    itemsize = dtype.itemsize
    expected = itemsize * int(np.prod(chunk_shape, dtype=np.int64))
    if header.nbytes != expected:
        raise CorruptChunkError(
            f"decoded chunk has {header.nbytes} bytes, expected {expected} "
            f"({chunk_shape} of {dtype})"
        )
    table = read_block_table(view)
    plan = plan_byte_range(table, region.item_start * itemsize, region.item_stop * itemsize)
    if plan.whole:
        return None
    raw = decode_planned(table, plan, view[plan.fetch_start : plan.fetch_stop])
    return select_region(raw, dtype, order, region)


def select_region(
    raw: np.ndarray[Any, Any], dtype: np.dtype[Any], order: str, region: ContiguousRegion
) -> np.ndarray[Any, Any]:
    """The selection's items from ``raw``, the decoded bytes of ``region``'s item run (a view)."""
    items = raw.view(dtype).reshape(region.region_shape, order="F" if order == "F" else "C")
    return items[region.selection]
