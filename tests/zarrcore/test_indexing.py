"""zarrcore.indexing against numpy: projections reassemble exactly what numpy selects."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from zarrcore.indexing import BasicSelection, ChunkProjection, SelectionError, all_chunk_coords


@st.composite
def shapes_and_chunks(draw: st.DrawFn) -> tuple[tuple[int, ...], tuple[int, ...]]:
    ndim = draw(st.integers(0, 4))
    shape = tuple(draw(st.integers(0, 11)) for _ in range(ndim))
    chunks = tuple(draw(st.integers(1, 5)) for _ in range(ndim))
    return shape, chunks


@st.composite
def selections(draw: st.DrawFn, shape: tuple[int, ...]) -> Any:
    items: list[Any] = []
    for size in shape:
        if size > 0 and draw(st.booleans()) and draw(st.booleans()):
            items.append(draw(st.integers(-size, size - 1)))
        else:
            bound = st.none() | st.integers(-size - 3, size + 3)
            step = draw(st.none() | st.integers(1, 7))
            items.append(slice(draw(bound), draw(bound), step))
    if items and draw(st.booleans()):
        # drop trailing items or put an Ellipsis somewhere
        cut = draw(st.integers(0, len(items)))
        if draw(st.booleans()):
            items = [*items[:cut], Ellipsis, *items[cut + (len(items) - cut) // 2 + 1 :]][
                : len(items) + 1
            ]
            if len(items) - 1 > len(shape):
                items = items[: len(shape)]
        else:
            items = items[:cut]
    if len(items) == 1 and draw(st.booleans()):
        return items[0]
    return tuple(items)


def reassemble(data: np.ndarray, chunks: tuple[int, ...], selection: Any) -> np.ndarray:
    sel = BasicSelection(selection, data.shape, chunks)
    out = np.full(sel.expanded_shape, -1, dtype=data.dtype)
    for p in sel:
        region = tuple(
            slice(c * size, (c + 1) * size) for c, size in zip(p.chunk_coords, chunks, strict=True)
        )
        out[p.out_selection] = data[region][p.chunk_selection]
    return out.reshape(sel.shape)


@settings(max_examples=150, deadline=None)
@given(st.data())
def test_projections_reassemble_numpy_selection(data: st.DataObject) -> None:
    shape, chunks = data.draw(shapes_and_chunks())
    selection = data.draw(selections(shape))
    array = np.arange(int(np.prod(shape)), dtype=np.int64).reshape(shape)
    try:
        expected = array[selection]
    except IndexError:
        with pytest.raises(SelectionError):
            BasicSelection(selection, shape, chunks)
        return
    np.testing.assert_array_equal(reassemble(array, chunks, selection), expected)
    sel = BasicSelection(selection, shape, chunks)
    assert sel.nchunks == len(list(sel))


@settings(max_examples=100, deadline=None)
@given(shapes_and_chunks())
def test_each_chunk_of_a_full_selection_is_projected_once(
    shape_chunks: tuple[tuple[int, ...], tuple[int, ...]],
) -> None:
    shape, chunks = shape_chunks
    sel = BasicSelection(Ellipsis, shape, chunks)
    coords = [p.chunk_coords for p in sel]
    assert coords == list(all_chunk_coords(shape, chunks)) or sel.size == 0
    assert all(sel.covers_chunk(p) for p in sel)


def test_out_of_range_integer_names_axis_and_size() -> None:
    with pytest.raises(SelectionError, match="index 10 is out of bounds for axis 1 with size 4"):
        BasicSelection((0, 10), (3, 4), (2, 2))


def test_negative_step_is_refused() -> None:
    with pytest.raises(SelectionError, match="positive"):
        BasicSelection(slice(None, None, -1), (5,), (2,))


def test_too_many_indices_and_fancy_indexing_are_refused() -> None:
    with pytest.raises(SelectionError, match="too many indices"):
        BasicSelection((0, 0, 0), (3, 4), (2, 2))
    with pytest.raises(SelectionError, match="unsupported index"):
        BasicSelection([0, 1], (3,), (2,))
    with pytest.raises(SelectionError, match="single ellipsis"):
        BasicSelection((..., ...), (3,), (2,))


def test_zero_dimensional_selection_has_one_projection() -> None:
    sel = BasicSelection((), (), ())
    assert [p.chunk_coords for p in sel] == [()]
    assert sel.shape == ()


def test_large_step_visits_only_touched_chunks() -> None:
    sel = BasicSelection(slice(0, 10_000, 1000), (10_000,), (10,))
    assert [p.chunk_coords for p in sel] == [(i * 100,) for i in range(10)]


@settings(max_examples=100, deadline=None)
@given(st.data())
def test_covers_flag_agrees_with_the_slow_check(data: st.DataObject) -> None:
    shape, chunks = data.draw(shapes_and_chunks())
    selection = data.draw(selections(shape))
    try:
        sel = BasicSelection(selection, shape, chunks)
    except SelectionError:
        return
    for p in sel:
        slow = BasicSelection.covers_chunk(
            sel, ChunkProjection(p.chunk_coords, p.chunk_selection, p.out_selection)
        )
        assert p.covers == slow
