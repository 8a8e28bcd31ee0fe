"""Selection -> chunk math (pure: no IO, no codecs).

A basic selection (ints, slices with positive steps, Ellipsis, given alone or in a tuple)
over an array of ``shape`` cut into ``chunks`` becomes :class:`ChunkProjection` s: which
chunk, which part of it (``chunk_selection``, slices in chunk coordinates) and where that
part lands in the output (``out_selection``). Integer indices are kept as length-1 axes in
``expanded_shape``; the caller reshapes to ``shape`` at the end, so both selections are
always tuples of slices.
"""

from __future__ import annotations

import itertools
import math
import numbers
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from zarrcore.errors import ZarrcoreError


class SelectionError(ZarrcoreError, IndexError):
    """A selection that is out of range or of a kind zarrcore does not support."""


@dataclass(frozen=True, slots=True)
class ChunkProjection:
    chunk_coords: tuple[int, ...]
    #: part of the chunk that is selected (chunk coordinates, positive steps)
    chunk_selection: tuple[slice, ...]
    #: where that part goes in the (expanded) output
    out_selection: tuple[slice, ...]
    #: the selection takes every in-bounds element of the chunk (a write needs no read)
    covers: bool = False


@dataclass(frozen=True, slots=True)
class DimSelection:
    """One axis of a normalised selection: ``range(start, stop, step)`` of ``nitems``."""

    start: int
    stop: int
    step: int
    nitems: int
    #: selected with an integer (the axis is dropped from the result)
    dropped: bool


@dataclass(frozen=True, slots=True)
class DimProjection:
    chunk_index: int
    chunk_selection: slice
    out_selection: slice
    #: every in-bounds element of the chunk along this axis is selected
    covers: bool = False


def _dim_from_int(index: int, size: int, axis: int) -> DimSelection:
    position = index + size if index < 0 else index
    if not 0 <= position < size:
        raise SelectionError(f"index {index} is out of bounds for axis {axis} with size {size}")
    return DimSelection(position, position + 1, 1, 1, True)


def _dim_from_slice(item: slice, size: int, axis: int) -> DimSelection:
    for part in (item.start, item.stop, item.step):
        if part is not None and not isinstance(part, numbers.Integral):
            raise SelectionError(f"slice bounds must be integers, got {item!r} on axis {axis}")
    step = 1 if item.step is None else int(item.step)
    if step <= 0:
        raise SelectionError(f"only positive slice steps are supported, got {step} on axis {axis}")
    start, stop, step = slice(item.start, item.stop, step).indices(size)
    nitems = max(0, math.ceil((stop - start) / step))
    if nitems == 0:
        start = stop = min(start, size)
    return DimSelection(start, stop, step, nitems, False)


def normalize_selection(selection: Any, shape: Sequence[int]) -> list[DimSelection]:
    """Turn ``selection`` into one DimSelection per axis (raises SelectionError)."""
    items = selection if isinstance(selection, tuple) else (selection,)
    ellipses = sum(1 for item in items if item is Ellipsis)
    if ellipses > 1:
        raise SelectionError("an index can only have a single ellipsis ('...')")
    explicit = len(items) - ellipses
    if explicit > len(shape):
        raise SelectionError(
            f"too many indices for array: array is {len(shape)}-dimensional, "
            f"but {explicit} were indexed"
        )
    expanded: list[Any] = []
    for item in items:
        if item is Ellipsis:
            expanded.extend([slice(None)] * (len(shape) - explicit))
        else:
            expanded.append(item)
    expanded.extend([slice(None)] * (len(shape) - len(expanded)))
    dims = []
    for axis, (item, size) in enumerate(zip(expanded, shape, strict=True)):
        if isinstance(item, numbers.Integral) and not isinstance(item, bool):
            dims.append(_dim_from_int(int(item), size, axis))
        elif isinstance(item, slice):
            dims.append(_dim_from_slice(item, size, axis))
        else:
            raise SelectionError(
                f"unsupported index {item!r} on axis {axis}: use integers, slices and '...'"
            )
    return dims


def project_dim(dim: DimSelection, chunk: int, size: int | None = None) -> Iterator[DimProjection]:
    """The chunks one axis's selection touches, in increasing order.

    ``size`` (the axis length) lets each projection say whether it covers its chunk.
    """
    if dim.nitems == 0:
        return
    last = dim.start + (dim.nitems - 1) * dim.step
    if dim.step >= chunk:
        # at most one selected item per chunk: walk the items, not the chunks
        for out_index in range(dim.nitems):
            position = dim.start + out_index * dim.step
            chunk_index, offset = divmod(position, chunk)
            in_bounds = chunk if size is None else min(chunk, size - chunk_index * chunk)
            yield DimProjection(
                chunk_index,
                slice(offset, offset + 1, 1),
                slice(out_index, out_index + 1, 1),
                offset == 0 and in_bounds == 1,
            )
        return
    for chunk_index in range(dim.start // chunk, last // chunk + 1):
        chunk_lo = chunk_index * chunk
        chunk_hi = chunk_lo + chunk
        if dim.start >= chunk_lo:
            first = dim.start
        else:
            first = dim.start + math.ceil((chunk_lo - dim.start) / dim.step) * dim.step
        if first >= chunk_hi or first > last:
            continue
        end = min(last, chunk_hi - 1)
        count = (end - first) // dim.step + 1
        out_start = (first - dim.start) // dim.step
        in_bounds = chunk if size is None else min(chunk, size - chunk_lo)
        yield DimProjection(
            chunk_index,
            slice(first - chunk_lo, first - chunk_lo + (count - 1) * dim.step + 1, dim.step),
            slice(out_start, out_start + count, 1),
            first == chunk_lo and count == in_bounds and (dim.step == 1 or count == 1),
        )


class BasicSelection:
    """A normalised basic selection over a chunked array; iterate for projections."""

    def __init__(self, selection: Any, shape: Sequence[int], chunks: Sequence[int]) -> None:
        self.array_shape = tuple(int(s) for s in shape)
        self.chunks = tuple(int(c) for c in chunks)
        self.dims = normalize_selection(selection, self.array_shape)
        #: output shape with integer-indexed axes kept as length 1
        self.expanded_shape = tuple(d.nitems for d in self.dims)
        #: the result's shape (integer-indexed axes dropped), as numpy would return
        self.shape = tuple(d.nitems for d in self.dims if not d.dropped)

    @property
    def size(self) -> int:
        return math.prod(self.expanded_shape)

    @property
    def nchunks(self) -> int:
        """How many chunks the selection touches (what iterating yields), without
        building the projections."""
        count = 1
        for dim, chunk in zip(self.dims, self.chunks, strict=True):
            if dim.nitems == 0:
                return 0
            if dim.step >= chunk:  # at most one item per chunk, each in its own chunk
                count *= dim.nitems
            else:  # items closer than a chunk: every chunk from first to last has one
                last = dim.start + (dim.nitems - 1) * dim.step
                count *= last // chunk - dim.start // chunk + 1
        return count

    def __iter__(self) -> Iterator[ChunkProjection]:
        if self.size == 0:
            return
        per_dim = [
            list(project_dim(d, c, s))
            for d, c, s in zip(self.dims, self.chunks, self.array_shape, strict=True)
        ]
        for combo in itertools.product(*per_dim):
            yield ChunkProjection(
                tuple(p.chunk_index for p in combo),
                tuple(p.chunk_selection for p in combo),
                tuple(p.out_selection for p in combo),
                all(p.covers for p in combo),
            )

    def chunk_coords(self) -> list[tuple[int, ...]]:
        """Grid positions of every chunk the selection touches (for the chunk map)."""
        return [p.chunk_coords for p in self]

    def covers_chunk(self, projection: ChunkProjection) -> bool:
        """True if the projection selects every in-bounds element of its chunk."""
        if projection.covers:
            return True
        for sel, coord, chunk, size in zip(
            projection.chunk_selection,
            projection.chunk_coords,
            self.chunks,
            self.array_shape,
            strict=True,
        ):
            in_bounds = min(chunk, size - coord * chunk)
            if sel.start != 0 or sel.stop < in_bounds or (sel.step != 1 and in_bounds > 1):
                return False
        return True


def chunk_grid_shape(shape: Sequence[int], chunks: Sequence[int]) -> tuple[int, ...]:
    return tuple(-(-s // c) if c else 0 for s, c in zip(shape, chunks, strict=True))


def all_chunk_coords(shape: Sequence[int], chunks: Sequence[int]) -> Iterator[tuple[int, ...]]:
    """Every grid position in C order (one ``()`` for a 0-d array, none for empty axes)."""
    return itertools.product(*(range(n) for n in chunk_grid_shape(shape, chunks)))
