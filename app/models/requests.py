"""Immutable request and response records passed between the UI thread and the workers.

The UI thread builds a request holding everything the job needs (the zarrcore node objects
are only read by jobs), hands it to ``app.workers.WorkerBridge`` with an increasing
``request_id``, and receives a :class:`Response` carrying the same id. A consumer keeps the
newest id it asked for and drops responses with older ids.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import IntEnum
from typing import Any


class Priority(IntEnum):
    """Lower runs first. Prefetch never delays what the user is looking at."""

    INTERACTIVE = 0
    LISTING = 1
    BACKGROUND = 5
    PREFETCH = 10


@dataclass(frozen=True, slots=True)
class OpenRequest:
    """Open a location (URL or path) as a hierarchy."""

    request_id: int
    url: str


@dataclass(frozen=True, slots=True)
class ListRequest:
    """List the direct members of one group (never deeper)."""

    request_id: int
    node_path: str
    group: Any


@dataclass(frozen=True, slots=True)
class InfoRequest:
    """Describe one node for the metadata panel (metadata only, no chunk listing)."""

    request_id: int
    node_path: str
    node: Any


@dataclass(frozen=True, slots=True)
class StorageRequest:
    """Count stored chunks and their bytes for one array (may list the store)."""

    request_id: int
    node_path: str
    array: Any


@dataclass(frozen=True, slots=True)
class SaveAttributesRequest:
    """Replace the attributes of a node with ``attributes``."""

    request_id: int
    node_path: str
    node: Any
    attributes: dict[str, Any] = field(hash=False)


@dataclass(frozen=True, slots=True)
class SliceRequest:
    """Read one 2-D region of one array (already at the chosen pyramid level).

    ``selection`` has one entry per axis: an ``int`` for a non-displayed axis and a
    ``slice`` (step 1, bounded) for each displayed axis. ``step`` decimates the displayed
    axes for drawing (1 = full resolution).
    """

    request_id: int
    array: Any
    cache_namespace: str
    selection: tuple[int | slice, ...]
    displayed_axes: tuple[int, int]
    level: int = 0
    step: int = 1
    prefetch: bool = False


@dataclass(frozen=True, slots=True)
class Response:
    """What a job produced: ``result`` or ``error`` (never both), tagged with its request id."""

    request_id: int
    channel: str | None
    result: Any = None
    error: BaseException | None = None

    @property
    def ok(self) -> bool:
        return self.error is None
