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


def read_header(buf: BufferLike) -> BloscHeader:
    """Parse and validate the header of a blosc chunk.

    Raises :class:`UnsupportedError` for Blosc2 chunks (version byte >= 3) and
    :class:`CorruptChunkError` for a truncated or inconsistent header.
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
    if header.cbytes > len(view):
        raise CorruptChunkError(
            f"blosc chunk truncated: header says {header.cbytes} bytes, got {len(view)}"
        )
    if header.nbytes > 0 and header.blocksize <= 0:
        raise CorruptChunkError(f"blosc chunk has invalid blocksize {header.blocksize}")
    if header.memcpyed and header.cbytes < HEADER_NBYTES + header.nbytes:
        raise CorruptChunkError("memcpyed blosc chunk is shorter than its decoded size")
    return header


def block_span(header: BloscHeader, start: int, stop: int) -> tuple[int, int]:
    """Blocks ``[first, last)`` that hold decoded bytes ``[start, stop)`` (stop > start)."""
    return start // header.blocksize, -(-stop // header.blocksize)


def _block_extents(
    view: memoryview, header: BloscHeader
) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]:
    """Start and end offsets of every compressed block.

    Blocks need not be stored in order (c-blosc's threaded compressor writes them as they
    finish), so a block ends where the next higher start begins, or at ``cbytes``.
    """
    nblocks = header.nblocks
    table_end = HEADER_NBYTES + 4 * nblocks
    if table_end > header.cbytes:
        raise CorruptChunkError("blosc chunk too short for its block offset table")
    starts = np.frombuffer(view, dtype="<i4", count=nblocks, offset=HEADER_NBYTES).astype(np.int64)
    if nblocks and (int(starts.min()) < table_end or int(starts.max()) > header.cbytes):
        raise CorruptChunkError("blosc chunk has a block offset outside the chunk")
    boundaries = np.append(np.unique(starts), header.cbytes)
    ends = boundaries[np.searchsorted(boundaries, starts, side="right")]
    return starts, ends


def _decompress_into(mini: BufferLike, dest: np.ndarray[Any, Any]) -> None:
    try:
        _nc_blosc.decompress(mini, dest)
    except RuntimeError as exc:  # c-blosc reports a bad stream as a RuntimeError
        raise CorruptChunkError(f"blosc decompression failed: {exc}") from exc


def _build_sub_chunk(
    view: memoryview, header: BloscHeader, first: int, last: int
) -> tuple[bytearray, int]:
    """A complete blosc chunk holding only blocks ``[first, last)``; returns it and its nbytes."""
    starts, ends = _block_extents(view, header)
    count = last - first
    sub_nbytes = min(last * header.blocksize, header.nbytes) - first * header.blocksize
    lengths = ends[first:last] - starts[first:last]
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
    for block in range(first, last):
        begin, end = int(starts[block]), int(ends[block])
        out[pos : pos + end - begin] = view[begin:end]
        pos += end - begin
    return out, sub_nbytes


def decode_byte_range(
    buf: BufferLike, start: int, stop: int, out: np.ndarray[Any, Any] | None = None
) -> np.ndarray[Any, Any]:
    """Decoded bytes ``[start, stop)`` of a blosc chunk, decompressing only the blocks needed.

    Returns a 1-D ``uint8`` array of ``stop - start`` bytes. When ``out`` is given (a
    contiguous array of exactly that many bytes) the bytes are written there and ``out``'s
    byte view is returned.
    """
    view = _as_bytes_view(buf)
    header = read_header(view)
    if not 0 <= start <= stop <= header.nbytes:
        raise ValueError(f"byte range [{start}, {stop}) outside a chunk of {header.nbytes} bytes")
    length = stop - start
    dest: np.ndarray[Any, Any]
    if out is None:
        dest = np.empty(length, dtype=np.uint8)
    else:
        if not out.flags.c_contiguous or out.nbytes != length:
            raise ValueError(f"out must be a contiguous array of {length} bytes")
        dest = out.reshape(-1).view(np.uint8)
    if length == 0:
        return dest
    if header.memcpyed:
        dest[:] = np.frombuffer(view, dtype=np.uint8, count=length, offset=HEADER_NBYTES + start)
        return dest
    first, last = block_span(header, start, stop)
    if first > 0 and min(last * header.blocksize, header.nbytes) - first * header.blocksize < (
        header.blocksize
    ):
        # Only the short last block is needed; c-blosc refuses a chunk whose blocksize exceeds
        # its nbytes, so take the block before it too.
        first -= 1
    offset = start - first * header.blocksize
    if first == 0 and last == header.nblocks:
        if length == header.nbytes:
            _decompress_into(view[: header.cbytes], dest)
            return dest
        full = np.empty(header.nbytes, dtype=np.uint8)
        _decompress_into(view[: header.cbytes], full)
        dest[:] = full[offset : offset + length]
        return dest
    mini, sub_nbytes = _build_sub_chunk(view, header, first, last)
    if offset == 0 and sub_nbytes == length:
        _decompress_into(mini, dest)
        return dest
    scratch = np.empty(sub_nbytes, dtype=np.uint8)
    _decompress_into(mini, scratch)
    dest[:] = scratch[offset : offset + length]
    return dest


def decode_items(
    buf: BufferLike, start: int, nitems: int, dtype: np.dtype[Any]
) -> np.ndarray[Any, Any]:
    """Items ``[start, start + nitems)`` of a chunk of ``dtype`` items, as a 1-D array."""
    itemsize = dtype.itemsize
    raw = decode_byte_range(buf, start * itemsize, (start + nitems) * itemsize)
    return raw.view(dtype)


def needed_fraction(buf: BufferLike, start: int, stop: int) -> float:
    """Fraction of the chunk's blocks that decoding bytes ``[start, stop)`` touches."""
    header = read_header(buf)
    if header.memcpyed or header.nblocks == 0 or stop <= start:
        return 0.0
    first, last = block_span(header, start, stop)
    return (last - first) / header.nblocks


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
