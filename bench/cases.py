"""The benchmark cases and the targets the issues set for them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

ZARRCORE = "zarrcore"
TENSORSTORE = "tensorstore"
ZARR2 = "zarr-python 2.18"
ZARR3 = "zarr-python 3"


#: ``check(medians_s, requests)``: median seconds and the most store reads one repetition
#: made, per engine (reads are counted for zarrcore only)
Check = Callable[[dict[str, float], dict[str, int]], bool | None]


@dataclass(frozen=True)
class Target:
    """A goal: ``check`` says whether it is met; ``text`` says what it is."""

    text: str
    check: Check


def _faster_or_equal(other: str) -> Check:
    def check(medians: dict[str, float], requests: dict[str, int]) -> bool | None:
        if ZARRCORE not in medians or other not in medians:
            return None
        return medians[ZARRCORE] <= medians[other]

    return check


def _speedup(other: str, factor: float) -> Check:
    def check(medians: dict[str, float], requests: dict[str, int]) -> bool | None:
        if ZARRCORE not in medians or other not in medians:
            return None
        return medians[other] / medians[ZARRCORE] >= factor

    return check


def _under(seconds: float) -> Check:
    def check(medians: dict[str, float], requests: dict[str, int]) -> bool | None:
        return None if ZARRCORE not in medians else medians[ZARRCORE] < seconds

    return check


def _at_most_reads(count: int) -> Check:
    def check(medians: dict[str, float], requests: dict[str, int]) -> bool | None:
        return None if ZARRCORE not in requests else requests[ZARRCORE] <= count

    return check


@dataclass(frozen=True)
class Case:
    name: str
    title: str
    dataset: str  # key in bench.datasets.FULL / SMOKE
    op: str  # "slice", "region" (one inner chunk's box of a frame) or "open_list"
    target: Target | None = None

    def index(self, rep: int, nframes: int) -> int:
        """The frame repetition ``rep`` reads: spread over the stack, never the same twice."""
        return (3 + rep * 5) % nframes


CASES: list[Case] = [
    Case(
        "thin_slice",
        "2048x2048 uint16 slice, v2 chunks (1,512,512) blosc-lz4",
        "thin",
        "slice",
        Target("zarrcore no slower than tensorstore (issue 3)", _faster_or_equal(TENSORSTORE)),
    ),
    Case(
        "thick_slice",
        "2048x2048 uint16 slice, v2 chunks (64,256,256) blosc-lz4",
        "thick",
        "slice",
        Target("zarrcore >= 10x faster than zarr-python 2.18 (issue 3)", _speedup(ZARR2, 10.0)),
    ),
    Case(
        "hierarchy_open_list",
        "open consolidated v2 hierarchy of 2000 arrays and list them",
        "hierarchy",
        "open_list",
        Target("zarrcore under 50 ms (issue 3)", _under(0.050)),
    ),
    Case(
        "sharded_slice",
        "2048x2048 uint16 slice, v3 shards (1,1024,1024) of chunks (1,256,256) blosc-lz4",
        "sharded",
        "slice",
        Target("zarrcore no slower than tensorstore (issue 5)", _faster_or_equal(TENSORSTORE)),
    ),
    Case(
        "sharded_inner_chunk",
        "one inner chunk's 256x256 box of a frame of the sharded array (a different one each time)",
        "sharded",
        "region",
        Target("zarrcore reads it with at most 3 byte ranges (issue 5)", _at_most_reads(3)),
    ),
]
