"""Which inner chunks of a shard a selection touches, and where each lands: computed once
per selection shape and reused (a viewer reads the same region of frame after frame)."""

from __future__ import annotations

import itertools
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass

#: (flat index in the shard index, slice of the output, slice of the inner chunk, whole?)
PlannedChunk = tuple[int, tuple[slice, ...], tuple[slice, ...], bool]

#: plans kept per shard layout, and the largest plan (in inner chunks) worth keeping
CACHE_ENTRIES = 32
CACHE_MAX_CHUNKS = 4096


@dataclass(frozen=True, slots=True)
class RegionPlan:
    """A selection of one shard, resolved against its inner chunk grid."""

    out_shape: tuple[int, ...]
    chunks: tuple[PlannedChunk, ...]


def axis_plan(sel: slice, size: int, inner: int) -> tuple[int, list[tuple[int, slice, slice]]]:
    """For one axis: (output length, [(inner chunk index, slice in chunk, slice in out)])."""
    start, stop, step = sel.indices(size)
    if step <= 0:
        raise ValueError("shard selections need a positive step")
    count = len(range(start, stop, step))
    parts: list[tuple[int, slice, slice]] = []
    if count == 0:
        return 0, parts
    pos = 0
    while pos < count:
        index = start + pos * step
        chunk = index // inner
        chunk_end = (chunk + 1) * inner
        last_pos = min(count - 1, (chunk_end - 1 - start) // step)
        n = last_pos - pos + 1
        local = index - chunk * inner
        parts.append((chunk, slice(local, local + (n - 1) * step + 1, step), slice(pos, pos + n)))
        pos += n
    return count, parts


def plan_region(
    selection: Sequence[slice], shard_shape: Sequence[int], inner_shape: Sequence[int]
) -> RegionPlan:
    """Resolve ``selection`` (slices with positive steps, shard coordinates)."""
    axes = [
        axis_plan(sel, size, inner)
        for sel, size, inner in zip(selection, shard_shape, inner_shape, strict=True)
    ]
    grid = [size // inner for size, inner in zip(shard_shape, inner_shape, strict=True)]
    strides = [1] * len(grid)
    for axis in range(len(grid) - 2, -1, -1):
        strides[axis] = strides[axis + 1] * grid[axis + 1]
    chunks: list[PlannedChunk] = []
    for combo in itertools.product(*(parts for _, parts in axes)):
        flat = sum(part[0] * stride for part, stride in zip(combo, strides, strict=True))
        inner_sel = tuple(part[1] for part in combo)
        whole = all(
            s.start == 0 and s.stop == n and s.step == 1
            for s, n in zip(inner_sel, inner_shape, strict=True)
        )
        chunks.append((flat, tuple(part[2] for part in combo), inner_sel, whole))
    return RegionPlan(tuple(count for count, _ in axes), tuple(chunks))


class PlanCache:
    """A small thread-safe LRU of :func:`plan_region` results for one shard layout."""

    def __init__(self, shard_shape: Sequence[int], inner_shape: Sequence[int]) -> None:
        self.shard_shape = tuple(shard_shape)
        self.inner_shape = tuple(inner_shape)
        self._plans: OrderedDict[tuple[tuple[int, int, int], ...], RegionPlan] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, selection: Sequence[slice]) -> RegionPlan:
        key = tuple(
            sel.indices(size) for sel, size in zip(selection, self.shard_shape, strict=True)
        )
        with self._lock:
            plan = self._plans.get(key)
            if plan is not None:
                self._plans.move_to_end(key)
                return plan
        plan = plan_region(selection, self.shard_shape, self.inner_shape)
        if len(plan.chunks) <= CACHE_MAX_CHUNKS:
            with self._lock:
                self._plans[key] = plan
                while len(self._plans) > CACHE_ENTRIES:
                    self._plans.popitem(last=False)
        return plan
